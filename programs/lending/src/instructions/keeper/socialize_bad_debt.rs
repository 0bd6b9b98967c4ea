//! `socialize_bad_debt` (permissionless): once liquidations have taken all of an obligation's
//! collateral, its remaining debt in a reserve is written off, first from that reserve's
//! insurance fund, then against the value of its supply shares. Needs no price: the condition
//! (no collateral left) does not depend on one.

use anchor_lang::prelude::*;

use crate::error::{LendingError, MathResultExt};
use crate::events::BadDebtSocialized;
use crate::operations::liquidation;
use crate::state::{LendingMarket, Obligation, Reserve};

/// Accounts of `socialize_bad_debt`.
#[event_cpi]
#[derive(Accounts)]
pub struct SocializeBadDebt<'info> {
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The obligation without collateral.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub obligation: AccountLoader<'info, Obligation>,
    /// The reserve holding its debt.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub reserve: AccountLoader<'info, Reserve>,
}

/// Accrues interest, writes the debt off, emits the figures.
pub fn handler(ctx: Context<SocializeBadDebt>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let reserve_key = ctx.accounts.reserve.key();
    let outcome = {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        reserve.accrue_interest(now).map_math()?;
        liquidation::socialize_bad_debt(&mut reserve, &reserve_key, &mut obligation)?
    };
    emit_cpi!(BadDebtSocialized {
        obligation: ctx.accounts.obligation.key(),
        reserve: reserve_key,
        debt_sf: outcome.debt.to_scaled_val().map_math()?,
        covered_by_insurance: outcome.split.covered_by_insurance,
        socialized_sf: outcome.split.socialized.to_scaled_val().map_math()?,
        share_value_before_sf: outcome.share_value_before.to_scaled_val().map_math()?,
        share_value_after_sf: outcome.share_value_after.to_scaled_val().map_math()?,
    });
    Ok(())
}
