//! `update_reserve_config`: the admin changes a reserve's risk and interest settings.
//! Interest is accrued first, so the old curve prices the time up to now.

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
    reserve.config = config;
    drop(reserve);
    emit_cpi!(ReserveConfigUpdated {
        reserve: ctx.accounts.reserve.key(),
        before,
        after: config,
    });
    Ok(())
}
