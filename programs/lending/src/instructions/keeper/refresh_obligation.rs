//! `refresh_obligation` (permissionless): recomputes an obligation's cached values from its
//! reserves, passed as remaining accounts: its deposit reserves in order, then its borrow
//! reserves in order, each refreshed in this slot. The cache is for indexers, dApps and the
//! auction clock; `borrow`, `withdraw` and `liquidate` recompute the values themselves.

use anchor_lang::prelude::*;
use lending_math::health::health_factor_bps;

use crate::error::{LendingError, MathResultExt};
use crate::events::ObligationRefreshed;
use crate::operations::refresh::{refresh_obligation, Pricing};
use crate::state::{LendingMarket, Obligation};
use crate::utils::reserves::with_reserves;

/// Accounts of `refresh_obligation`; the reserves follow as remaining accounts.
#[event_cpi]
#[derive(Accounts)]
pub struct RefreshObligation<'info> {
    /// The obligation's market (its auction duration bounds an episode of unhealthiness).
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The obligation.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub obligation: AccountLoader<'info, Obligation>,
}

/// Loads the reserves (owner and discriminator checked), recomputes and stores the values.
pub fn handler<'info>(ctx: Context<'info, RefreshObligation<'info>>) -> Result<()> {
    let clock = Clock::get()?;
    let (slot, now) = (clock.slot, clock.unix_timestamp);
    let market = ctx.accounts.lending_market.load()?;
    let gap = market.episode_gap_secs();
    let mut obligation = ctx.accounts.obligation.load_mut()?;
    let group = market.obligation_group(&obligation)?;
    drop(market);
    let before = health_factor_bps(&obligation.health()).map_math()?;
    let health = with_reserves(ctx.remaining_accounts, &[], |reserves| {
        refresh_obligation(
            &mut obligation,
            reserves,
            slot,
            now,
            gap,
            Pricing::Liquidation { now },
            group,
        )
    })?;
    drop(obligation);
    emit_cpi!(ObligationRefreshed {
        obligation: ctx.accounts.obligation.key(),
        slot,
        health_factor_before_bps: before,
        health_factor_after_bps: health_factor_bps(&health).map_math()?,
        deposited_value_sf: health.deposited_value.to_scaled_val().map_math()?,
        allowed_borrow_value_sf: health.allowed_borrow_value.to_scaled_val().map_math()?,
        unhealthy_borrow_value_sf: health.unhealthy_borrow_value.to_scaled_val().map_math()?,
        bf_adjusted_debt_value_sf: health.bf_adjusted_debt_value.to_scaled_val().map_math()?,
        liquidatable: health.is_liquidatable(),
    });
    Ok(())
}
