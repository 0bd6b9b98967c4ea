//! `withdraw_insurance`: the admin takes tokens out of a reserve's insurance fund, only the part
//! above the reserve's insurance floor. The fund is not part of depositors' assets (supply
//! assets are `available + debt − fees`), so depositors' share value does not move; what stays
//! under the floor remains for the reserve's own bad debt.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::error::LendingError;
use crate::events::InsuranceWithdrawn;
use crate::operations::sub;
use crate::state::{LendingMarket, Reserve};
use crate::utils::token::transfer_from_vault;

/// Accounts of `withdraw_insurance`.
#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawInsurance<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
    #[account(
        mut,
        has_one = lending_market @ LendingError::InvalidMarket,
        has_one = vault @ LendingError::InvalidVault,
        has_one = mint @ LendingError::InvalidMint,
        has_one = token_program @ LendingError::InvalidTokenProgram
    )]
    pub reserve: AccountLoader<'info, Reserve>,
    /// The reserve's vault.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's mint.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// Where the tokens go.
    #[account(mut, constraint = destination.mint == mint.key() @ LendingError::InvalidMint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's token program.
    pub token_program: Interface<'info, TokenInterface>,
}

/// Pays out `amount` (`u64::MAX` = everything above the floor) of the insurance fund.
pub fn handler(ctx: Context<WithdrawInsurance>, amount: u64) -> Result<()> {
    require!(amount > 0, LendingError::InvalidAmount);
    let market_key = ctx.accounts.lending_market.key();
    let (paid, before, after, floor, bump) = {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let before = reserve.insurance_amount;
        let above = before.saturating_sub(reserve.insurance_floor);
        let paid = if amount == u64::MAX { above } else { amount };
        require!(
            paid > 0 && paid <= above,
            LendingError::InsuranceFloorReached
        );
        reserve.insurance_amount = sub(before, paid)?;
        (
            paid,
            before,
            reserve.insurance_amount,
            reserve.insurance_floor,
            reserve.bump,
        )
    };
    let reserve_info = ctx.accounts.reserve.to_account_info();
    transfer_from_vault(
        &ctx.accounts.token_program,
        &mut ctx.accounts.vault,
        &ctx.accounts.destination,
        &ctx.accounts.mint,
        &reserve_info,
        &market_key,
        bump,
        paid,
    )?;
    emit_cpi!(InsuranceWithdrawn {
        reserve: ctx.accounts.reserve.key(),
        amount: paid,
        insurance_before: before,
        insurance_after: after,
        floor,
    });
    Ok(())
}
