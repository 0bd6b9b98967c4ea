//! `deposit`: supplies tokens to a reserve as collateral of the owner's obligation.
//! Needs no fresh price: depositing can only improve health, so it works during an oracle outage.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::error::{LendingError, MathResultExt};
use crate::events::Deposited;
use crate::operations::lending;
use crate::operations::outflow::{self, Flow};
use crate::state::{LendingMarket, Obligation, Reserve};
use crate::utils::token::transfer_to_vault;

/// Accounts of `deposit`.
#[event_cpi]
#[derive(Accounts)]
pub struct Deposit<'info> {
    /// The obligation owner, who also owns the source tokens.
    pub owner: Signer<'info>,
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The owner's obligation in this market.
    #[account(
        mut,
        has_one = lending_market @ LendingError::InvalidMarket,
        has_one = owner @ LendingError::InvalidObligationOwner
    )]
    pub obligation: AccountLoader<'info, Obligation>,
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
    /// Source of the tokens.
    #[account(mut, constraint = source.mint == mint.key() @ LendingError::InvalidMint)]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's token program.
    pub token_program: Interface<'info, TokenInterface>,
}

/// Accrues interest, credits shares, moves the tokens in.
pub fn handler(ctx: Context<Deposit>, amount: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let reserve_key = ctx.accounts.reserve.key();
    let (outcome, available_before, available_after, position_after, outflow_event) = {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        reserve.accrue_interest(now).map_math()?;
        let before = reserve.available_amount;
        let outcome = lending::deposit(&mut reserve, &reserve_key, &mut obligation, amount)?;
        let outflow_event =
            outflow::record(&mut reserve, &reserve_key, now, Flow::Deposit, amount)?;
        let i = obligation
            .find_deposit(&reserve_key)
            .ok_or(LendingError::DepositNotFound)?;
        (
            outcome,
            before,
            reserve.available_amount,
            obligation.deposits[i].shares,
            outflow_event,
        )
    };
    let owner = ctx.accounts.owner.to_account_info();
    transfer_to_vault(
        &ctx.accounts.token_program,
        &ctx.accounts.source,
        &mut ctx.accounts.vault,
        &ctx.accounts.mint,
        &owner,
        amount,
    )?;
    emit_cpi!(Deposited {
        obligation: ctx.accounts.obligation.key(),
        reserve: reserve_key,
        amount,
        shares: outcome.shares,
        position_shares_after: position_after,
        available_before,
        available_after,
    });
    if let Some(e) = outflow_event {
        emit_cpi!(e);
    }
    Ok(())
}
