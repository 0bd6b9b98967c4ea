//! `update_reserve_config`: the admin changes a reserve's risk and interest settings.
//! Interest is accrued first, so the old curve prices the time up to now. With the volatility
//! adjustment on, the parameters in force are recomputed from the new config at once: a lower
//! threshold applies at once, as it does without the adjustment.

use anchor_lang::prelude::*;

use crate::error::{LendingError, MathResultExt};
use crate::events::ReserveConfigUpdated;
use crate::operations::validation::validate_reserve_config;
use crate::state::{LendingMarket, Reserve, ReserveConfig};

/// Accounts of `update_reserve_config`.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateReserveConfig<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub reserve: AccountLoader<'info, Reserve>,
}

/// Validates and applies the config.
pub fn handler(ctx: Context<UpdateReserveConfig>, config: ReserveConfig) -> Result<()> {
    validate_reserve_config(&config)?;
    let now = Clock::get()?.unix_timestamp;
    let mut reserve = ctx.accounts.reserve.load_mut()?;
    reserve.accrue_interest(now).map_math()?;
    let before = reserve.config;
    // Settle the threshold's path up to now under the old config first.
    reserve.update_volatility(None, now).map_math()?;
    let risk_before = reserve.volatility.in_force;
    reserve.config = config;
    reserve.update_volatility(None, now).map_math()?;
    let risk_after = reserve.volatility.in_force;
    drop(reserve);
    emit_cpi!(ReserveConfigUpdated {
        reserve: ctx.accounts.reserve.key(),
        before,
        after: config,
        risk_before,
        risk_after,
    });
    Ok(())
}
