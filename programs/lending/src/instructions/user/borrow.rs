//! `borrow`: lends reserve liquidity to the obligation owner. Requires every reserve of the
//! obligation refreshed in this slot, passed as remaining accounts (deposits then borrows, in
//! order, as `refresh_obligation` takes them); the obligation's values are recomputed here from
//! those reserves, and the borrow must leave it within its allowed borrow value.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::error::{LendingError, MathResultExt};
use crate::events::Borrowed;
use crate::operations::lending;
use crate::operations::outflow::{self, Flow};
use crate::operations::refresh::{refresh_obligation, Pricing};
use crate::state::{LendingMarket, Obligation, Reserve};
use crate::utils::reserves::with_reserves;
use crate::utils::token::transfer_from_vault;

/// Accounts of `borrow`.
#[event_cpi]
#[derive(Accounts)]
pub struct Borrow<'info> {
    /// The obligation owner.
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
    /// The reserve to borrow from, of this market.
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
    /// Where the borrowed tokens go.
    #[account(mut, constraint = destination.mint == mint.key() @ LendingError::InvalidMint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's token program.
    pub token_program: Interface<'info, TokenInterface>,
}

/// Checks pauses and freshness, recomputes health, records the debt, sends the tokens.
pub fn handler(ctx: Context<Borrow>, amount: u64) -> Result<()> {
    let clock = Clock::get()?;
    let (slot, now) = (clock.slot, clock.unix_timestamp);
    let market_key = ctx.accounts.lending_market.key();
    let reserve_key = ctx.accounts.reserve.key();
    let (outcome, debt_before, abv, available_after, bump, outflow_event) = {
        let market = ctx.accounts.lending_market.load()?;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        require!(
            market.borrow_paused == 0 && reserve.config.borrow_paused == 0,
            LendingError::BorrowPaused
        );
        require!(reserve.is_fresh(slot), LendingError::ReserveStale);
        require!(
            reserve.price_divergent == 0,
            LendingError::PriceDivergenceTooHigh
        );
        reserve.accrue_interest(now).map_math()?;
        let gap = market.episode_gap_secs();
        let group = market.obligation_group(&obligation)?;
        let h = with_reserves(ctx.remaining_accounts, &[(reserve_key, &*reserve)], |rs| {
            refresh_obligation(&mut obligation, rs, slot, now, gap, Pricing::Strict, group)
        })?;
        let outcome = lending::borrow(&mut reserve, &reserve_key, &mut obligation, amount)?;
        let outflow_event = outflow::record(&mut reserve, &reserve_key, now, Flow::Borrow, amount)?;
        (
            outcome,
            h.bf_adjusted_debt_value_upper,
            h.allowed_borrow_value,
            reserve.available_amount,
            reserve.bump,
            outflow_event,
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
        amount,
    )?;
    emit_cpi!(Borrowed {
        obligation: ctx.accounts.obligation.key(),
        reserve: reserve_key,
        amount,
        normalized_debt_sf: outcome.normalized_debt.to_scaled_val().map_math()?,
        bf_adjusted_debt_value_upper_before_sf: debt_before.to_scaled_val().map_math()?,
        allowed_borrow_value_sf: abv.to_scaled_val().map_math()?,
        available_after,
    });
    if let Some(e) = outflow_event {
        emit_cpi!(e);
    }
    Ok(())
}
