//! `repay`: pays back debt of any obligation (the payer need not be the owner). Needs no fresh
//! price, so positions can be saved during an oracle outage. `u64::MAX` repays everything, up to
//! what the vault can still take in (a debt grown past `u64::MAX` base units is repaid in parts).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::error::{LendingError, MathResultExt};
use crate::events::Repaid;
use crate::operations::lending;
use crate::operations::outflow::{self, Flow};
use crate::state::{LendingMarket, Obligation, Reserve};
use crate::utils::token::transfer_to_vault;

/// Accounts of `repay`.
#[event_cpi]
#[derive(Accounts)]
pub struct Repay<'info> {
    /// Whoever pays.
    pub payer: Signer<'info>,
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The obligation whose debt is repaid.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub obligation: AccountLoader<'info, Obligation>,
    /// The reserve the debt is in, of this market.
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
    /// The payer's tokens.
    #[account(mut, constraint = source.mint == mint.key() @ LendingError::InvalidMint)]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's token program.
    pub token_program: Interface<'info, TokenInterface>,
}

/// Accrues interest, reduces the debt, moves the tokens in.
pub fn handler(ctx: Context<Repay>, amount: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let reserve_key = ctx.accounts.reserve.key();
    let (outcome, outflow_event) = {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        reserve.accrue_interest(now).map_math()?;
        let outcome = lending::repay(&mut reserve, &reserve_key, &mut obligation, amount)?;
        let outflow_event =
            outflow::record(&mut reserve, &reserve_key, now, Flow::Repay, outcome.amount)?;
        (outcome, outflow_event)
    };
    let payer = ctx.accounts.payer.to_account_info();
    transfer_to_vault(
        &ctx.accounts.token_program,
        &ctx.accounts.source,
        &mut ctx.accounts.vault,
        &ctx.accounts.mint,
        &payer,
        outcome.amount,
    )?;
    emit_cpi!(Repaid {
        obligation: ctx.accounts.obligation.key(),
        reserve: reserve_key,
        payer: ctx.accounts.payer.key(),
        amount: outcome.amount,
        normalized_debt_sf: outcome.normalized_debt.to_scaled_val().map_math()?,
        remaining_debt_sf: outcome.remaining_debt.to_scaled_val_saturating(),
    });
    if let Some(e) = outflow_event {
        emit_cpi!(e);
    }
    Ok(())
}
