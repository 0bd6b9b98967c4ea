//! `refresh_reserve` (permissionless): accrues interest to now and reads the pinned oracle.
//! A price that fails a check fails the refresh, which leaves the reserve stale, so borrow,
//! withdraw and liquidate cannot run on it. A valid price is also a sample of the reserve's
//! volatility estimate, which sets the risk parameters in force (`state/volatility.rs`).

use anchor_lang::prelude::*;

use crate::error::{LendingError, MathResultExt};
use crate::events::ReserveRefreshed;
use crate::operations::refresh::apply_price;
use crate::oracle::{read_price, validate_reading};
use crate::state::{OracleConfig, Reserve};

/// Accounts of `refresh_reserve`.
#[event_cpi]
#[derive(Accounts)]
pub struct RefreshReserve<'info> {
    /// The reserve.
    #[account(mut, has_one = oracle_config @ LendingError::InvalidOracleConfig)]
    pub reserve: AccountLoader<'info, Reserve>,
    /// The reserve's oracle config.
    #[account(mut)]
    pub oracle_config: AccountLoader<'info, OracleConfig>,
    /// CHECK: must be the price account pinned in `oracle_config`, owned by the oracle program
    /// of its kind; `oracle::read_price` checks both before decoding.
    pub price_account: UncheckedAccount<'info>,
}

/// Accrues interest, validates and caches the price.
pub fn handler(ctx: Context<RefreshReserve>) -> Result<()> {
    let clock = Clock::get()?;
    let mut oc = ctx.accounts.oracle_config.load_mut()?;
    let reading = read_price(&oc, &ctx.accounts.price_account.to_account_info())?;
    let price = validate_reading(&oc, &reading, clock.unix_timestamp)?;
    oc.last_publish_time = price.publish_time;
    drop(oc);

    let mut reserve = ctx.accounts.reserve.load_mut()?;
    let index_before = reserve.borrow_index_sf.raw();
    let risk_before = reserve.volatility.in_force;
    let interest = reserve.accrue_interest(clock.unix_timestamp).map_math()?;
    apply_price(&mut reserve, &price, clock.slot, clock.unix_timestamp)?;
    let index_after = reserve.borrow_index_sf.raw();
    let risk_after = reserve.volatility.in_force;
    drop(reserve);
    emit_cpi!(ReserveRefreshed {
        reserve: ctx.accounts.reserve.key(),
        slot: clock.slot,
        price_sf: price.prices.spot.to_scaled_val().map_math()?,
        ema_price_sf: price.prices.ema.to_scaled_val().map_math()?,
        conf_sf: price.prices.conf.to_scaled_val().map_math()?,
        publish_time: price.publish_time,
        borrow_index_before_sf: index_before,
        borrow_index_after_sf: index_after,
        interest_sf: interest.to_scaled_val().map_math()?,
        divergence_bps: price.divergence_bps,
        divergent: price.divergent,
        risk_before,
        risk_after,
    });
    Ok(())
}
