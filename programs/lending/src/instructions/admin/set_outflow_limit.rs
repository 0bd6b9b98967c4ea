//! `set_outflow_limit`: the admin sets a reserve's cap on net outflow per window (token base
//! units and seconds; `0, 0` turns it off). A separate instruction rather than a `ReserveConfig`
//! field: the config is embedded in the middle of the `Reserve`, and growing it would move every
//! field after it in accounts that already exist.
//!
//! The same window length keeps the counted outflow (a lower cap applies to it at once); a new
//! length starts a fresh bucket carrying what the old window estimated; enabling starts an
//! empty bucket now; turning it off zeroes the state (`lending_math::outflow::reconfigure`).

use anchor_lang::prelude::*;
use lending_math::outflow::{reconfigure, OutflowLimit};

use crate::error::{LendingError, MathResultExt};
use crate::events::OutflowLimitSet;
use crate::state::{LendingMarket, OutflowState, Reserve};

/// Accounts of `set_outflow_limit`.
#[event_cpi]
#[derive(Accounts)]
pub struct SetOutflowLimit<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub reserve: AccountLoader<'info, Reserve>,
}

/// Validates the limit and applies it to the window.
pub fn handler(ctx: Context<SetOutflowLimit>, cap: u64, window_secs: u64) -> Result<()> {
    let new = OutflowLimit { cap, window_secs };
    require!(new.is_valid(), LendingError::InvalidOutflowLimit);
    let now = Clock::get()?.unix_timestamp;
    let mut reserve = ctx.accounts.reserve.load_mut()?;
    let before = reserve.outflow;
    let window = reconfigure(&before.limit(), &before.window(), &new, now).map_math()?;
    let after = OutflowState::with(&new, &window);
    reserve.outflow = after;
    drop(reserve);
    emit_cpi!(OutflowLimitSet {
        reserve: ctx.accounts.reserve.key(),
        before,
        after,
        timestamp: now,
    });
    Ok(())
}
