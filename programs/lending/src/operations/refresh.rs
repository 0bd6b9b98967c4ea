//! Refreshing a reserve (interest + price) and an obligation (values from its reserves).

use anchor_lang::prelude::*;
use lending_math::health::{value_borrow, value_deposit, BorrowInput, DepositInput, Health};
use lending_math::shares;

use crate::error::{LendingError, MathResultExt};
use crate::oracle::ValidatedPrice;
use crate::state::{Obligation, Reserve};

/// Stores a validated price read in `slot`.
pub fn apply_price(reserve: &mut Reserve, price: &ValidatedPrice, slot: u64) -> Result<()> {
    reserve.price_sf.set(price.prices.spot).map_math()?;
    reserve.ema_price_sf.set(price.prices.ema).map_math()?;
    reserve.price_conf_sf.set(price.prices.conf).map_math()?;
    reserve.price_publish_time = price.publish_time;
    reserve.price_divergent = u8::from(price.divergent);
    reserve.price_slot = slot;
    Ok(())
}

/// Recomputes the obligation's values. `reserves` must be exactly the reserves of its deposits,
/// in order, then those of its borrows, in order; each of the obligation's market and refreshed
/// in `slot`. A missing, extra, reordered, duplicated or foreign reserve fails.
///
/// Also tracks when the obligation was first seen liquidatable (`now`), clearing it once healthy.
pub fn refresh_obligation(
    obligation: &mut Obligation,
    reserves: &[(Pubkey, &Reserve)],
    slot: u64,
    now: i64,
) -> Result<Health> {
    let n_dep = obligation.active_deposits().count();
    let n_bor = obligation.active_borrows().count();
    require!(
        reserves.len() == n_dep + n_bor,
        LendingError::InvalidRefreshAccounts
    );
    let mut health = Health::default();
    for (i, (key, reserve)) in reserves.iter().enumerate() {
        require!(
            reserve.lending_market == obligation.lending_market,
            LendingError::InvalidMarket
        );
        require!(reserve.is_fresh(slot), LendingError::ReserveStale);
        if i < n_dep {
            let pos = obligation.deposits[i];
            require_keys_eq!(pos.reserve, *key, LendingError::InvalidRefreshAccounts);
            let amount = shares::assets_for_shares(
                pos.shares,
                reserve.total_supply_assets().map_math()?,
                reserve.share_supply,
            )
            .map_math()?;
            let v = value_deposit(&DepositInput {
                amount,
                decimals: reserve.decimals,
                prices: reserve.prices(),
                ltv: reserve.config.ltv(),
                liquidation_threshold: reserve.config.liquidation_threshold(),
            })
            .map_math()?;
            health.add_deposit(&v).map_math()?;
            obligation.deposits[i]
                .market_value_sf
                .set(v.market_value)
                .map_math()?;
        } else {
            let j = i - n_dep;
            let pos = obligation.borrows[j];
            require_keys_eq!(pos.reserve, *key, LendingError::InvalidRefreshAccounts);
            let amount = pos
                .normalized_debt_sf
                .get()
                .try_mul(reserve.borrow_index_sf.get())
                .map_math()?;
            let v = value_borrow(&BorrowInput {
                amount,
                decimals: reserve.decimals,
                prices: reserve.prices(),
                borrow_factor: reserve.config.borrow_factor(),
            })
            .map_math()?;
            health.add_borrow(&v).map_math()?;
            obligation.borrows[j]
                .market_value_sf
                .set(v.market_value)
                .map_math()?;
        }
    }
    obligation.set_health(&health).map_math()?;
    obligation.last_refresh_slot = slot;
    if health.is_liquidatable() {
        if obligation.liquidatable_since_ts == 0 {
            obligation.liquidatable_since_ts = now;
        }
    } else {
        obligation.liquidatable_since_ts = 0;
    }
    Ok(health)
}
