//! Token transfers into and out of reserve vaults, with a check that the vault moved by
//! exactly the amount (refuses fee-on-transfer behaviour without breaking on donations).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

use crate::constants::RESERVE_SEED;
use crate::error::LendingError;

/// Moves `amount` from a user's account into a vault; `authority` signs.
pub fn transfer_to_vault<'info>(
    token_program: &Interface<'info, TokenInterface>,
    from: &InterfaceAccount<'info, TokenAccount>,
    vault: &mut InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    authority: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let before = vault.amount;
    token_interface::transfer_checked(
        CpiContext::new(
            token_program.key(),
            TransferChecked {
                from: from.to_account_info(),
                mint: mint.to_account_info(),
                to: vault.to_account_info(),
                authority: authority.clone(),
            },
        ),
        amount,
        mint.decimals,
    )?;
    vault.reload()?;
    require!(
        vault.amount.checked_sub(before) == Some(amount),
        LendingError::VaultBalanceMismatch
    );
    Ok(())
}

/// Moves `amount` from a vault to `to`, signed by the reserve PDA.
#[allow(clippy::too_many_arguments)]
pub fn transfer_from_vault<'info>(
    token_program: &Interface<'info, TokenInterface>,
    vault: &mut InterfaceAccount<'info, TokenAccount>,
    to: &InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    reserve: &AccountInfo<'info>,
    market: &Pubkey,
    reserve_bump: u8,
    amount: u64,
) -> Result<()> {
    let before = vault.amount;
    let mint_key = mint.key();
    let seeds: &[&[u8]] = &[
        RESERVE_SEED,
        market.as_ref(),
        mint_key.as_ref(),
        &[reserve_bump],
    ];
    token_interface::transfer_checked(
        CpiContext::new_with_signer(
            token_program.key(),
            TransferChecked {
                from: vault.to_account_info(),
                mint: mint.to_account_info(),
                to: to.to_account_info(),
                authority: reserve.clone(),
            },
            &[seeds],
        ),
        amount,
        mint.decimals,
    )?;
    vault.reload()?;
    require!(
        before.checked_sub(vault.amount) == Some(amount),
        LendingError::VaultBalanceMismatch
    );
    Ok(())
}
