//! `set_volatility_config`: the admin sets how a reserve's risk parameters follow its measured
//! volatility (`state/volatility.rs`; all zero turns it off). A separate instruction rather than
//! a `ReserveConfig` field, for the reason `set_outflow_limit` gives.
//!
//! Turning it on starts the estimate at the calm level with the cached price as its first
//! sample, and the threshold in force at the configured one, so nothing changes at once.
//! Changing it keeps the estimate, settles the threshold's path up to now under the old
//! configuration, and recomputes the parameters under the new one: a looser one applies at
//! once, a tighter threshold only along its rate, counted from now. Turning it off zeroes the state, and the configured parameters apply again.

use anchor_lang::prelude::*;

use crate::error::{LendingError, MathResultExt};
use crate::events::VolatilityConfigSet;
use crate::state::{LendingMarket, Reserve, ReserveVolatility, VolatilityConfig};

/// Accounts of `set_volatility_config`.
#[event_cpi]
#[derive(Accounts)]
pub struct SetVolatilityConfig<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub reserve: AccountLoader<'info, Reserve>,
}

/// Validates the configuration against the reserve's and applies it.
pub fn handler(ctx: Context<SetVolatilityConfig>, config: VolatilityConfig) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut reserve = ctx.accounts.reserve.load_mut()?;
    require!(
        config.math().validate(&reserve.base_params()).is_ok(),
        LendingError::InvalidVolatilityConfig
    );
    let before = reserve.volatility.config;
    let risk_before = reserve.volatility.in_force;
    if !config.math().enabled() {
        reserve.volatility = ReserveVolatility::default();
    } else if !reserve.volatility_enabled() {
        reserve.start_volatility(config, now).map_math()?;
    } else {
        // Settle the threshold's path up to now under the old configuration, so that a new
        // rate applies only from now on.
        reserve.update_volatility(None, now).map_math()?;
        reserve.volatility.config = config;
        reserve.update_volatility(None, now).map_math()?;
    }
    let risk_after = reserve.volatility.in_force;
    drop(reserve);
    emit_cpi!(VolatilityConfigSet {
        reserve: ctx.accounts.reserve.key(),
        before,
        after: config,
        risk_before,
        risk_after,
        timestamp: now,
    });
    Ok(())
}
