//! `withdraw`: takes collateral back. Without debt it needs no price, so a depositor can leave
//! during an oracle outage. With debt, every reserve of the obligation must be refreshed in
//! this slot and passed as remaining accounts (deposits then borrows, in order); the
//! obligation's values are recomputed here and must stay within the allowed borrow value.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lending_math::health::Health;

use crate::error::{LendingError, MathResultExt};
use crate::events::Withdrawn;
use crate::operations::lending;
use crate::operations::outflow::{self, Flow};
use crate::operations::refresh::{refresh_obligation, Pricing};
use crate::state::{LendingMarket, Obligation, Reserve};
use crate::utils::reserves::with_reserves;
use crate::utils::token::transfer_from_vault;

/// Accounts of `withdraw`.
#[event_cpi]
#[derive(Accounts)]
pub struct Withdraw<'info> {
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

/// Checks pauses, recomputes health when there is debt, burns shares, sends the tokens. `u64::MAX` withdraws the whole position.
pub fn handler(ctx: Context<Withdraw>, amount: u64) -> Result<()> {
    let clock = Clock::get()?;
    let (slot, now) = (clock.slot, clock.unix_timestamp);
    let market_key = ctx.accounts.lending_market.key();
    let reserve_key = ctx.accounts.reserve.key();
    let (outcome, abv_before, debt_upper, available_after, bump, outflow_event) = {
        let market = ctx.accounts.lending_market.load()?;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        require!(
            market.withdraw_paused == 0 && reserve.config.withdraw_paused == 0,
            LendingError::WithdrawPaused
        );
        reserve.accrue_interest(now).map_math()?;
        let group = market.obligation_group(&obligation)?;
        let h = if obligation.has_debt() {
            require!(reserve.is_fresh(slot), LendingError::ReserveStale);
            require!(
                reserve.price_divergent == 0,
                LendingError::PriceDivergenceTooHigh
            );
            let gap = market.episode_gap_secs();
            with_reserves(ctx.remaining_accounts, &[(reserve_key, &*reserve)], |rs| {
                refresh_obligation(&mut obligation, rs, slot, now, gap, Pricing::Strict, group)
            })?
        } else {
            Health::default()
        };
        let outcome =
            lending::withdraw(&mut reserve, &reserve_key, &mut obligation, amount, group)?;
        let outflow_event = outflow::record(
            &mut reserve,
            &reserve_key,
            now,
            Flow::Withdraw,
            outcome.amount,
        )?;
        (
            outcome,
            h.allowed_borrow_value,
            h.bf_adjusted_debt_value_upper,
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
        outcome.amount,
    )?;
    emit_cpi!(Withdrawn {
        obligation: ctx.accounts.obligation.key(),
        reserve: reserve_key,
        amount: outcome.amount,
        shares: outcome.shares,
        allowed_borrow_value_before_sf: abv_before.to_scaled_val().map_math()?,
        bf_adjusted_debt_value_upper_sf: debt_upper.to_scaled_val().map_math()?,
        available_after,
    });
    if let Some(e) = outflow_event {
        emit_cpi!(e);
    }
    Ok(())
}
