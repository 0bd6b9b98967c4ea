//! Refreshing a reserve (interest + price) and valuing an obligation from its reserves.
//!
//! Every risk decision (borrow, withdraw, liquidation eligibility and sizing) is taken on values
//! that the deciding instruction computes itself, from the reserves as they are at that moment:
//! `borrow`, `withdraw` and `liquidate` receive the obligation's reserves as remaining accounts
//! and call [`refresh_obligation`] before they act. A cached value from an earlier instruction
//! is never trusted, so a second price update in the same slot, a write-off that lowers a share
//! value, or interest accrued in between cannot leave a decision on stale figures.
//! `refresh_obligation` as an instruction only updates the cache that indexers and dApps read.

use anchor_lang::prelude::*;
use lending_math::health::{BorrowValue, DepositValue, Health};
use lending_math::price::Prices;
use lending_math::valuer::{BorrowValuer, DepositValuer};
use lending_math::Decimal;

use crate::constants::{MAX_BORROWS, MAX_DEPOSITS, MAX_FUTURE_PUBLISH_SECS};
use crate::error::{LendingError, MathResultExt};
use crate::oracle::{PriceReading, ValidatedPrice};
use crate::state::{ActiveGroup, Obligation, Reserve};

/// Stores a validated price read in `slot` at clock time `now`, and samples it in the
/// volatility estimate when it is a newer print than the cached one (a feed that did not
/// publish again is no sample, so a stalled feed does not read as calm). The sample is dated by
/// the clock, so a burst of prints posted in one slot counts once (`lending_math::volatility`).
pub fn apply_price(
    reserve: &mut Reserve,
    price: &ValidatedPrice,
    slot: u64,
    now: i64,
) -> Result<()> {
    let new_print = price.publish_time > reserve.price_publish_time;
    reserve.price_sf.set(price.prices.spot).map_math()?;
    reserve.ema_price_sf.set(price.prices.ema).map_math()?;
    reserve.price_conf_sf.set(price.prices.conf).map_math()?;
    reserve.price_publish_time = price.publish_time;
    reserve.price_divergent = u8::from(price.divergent);
    reserve.price_slot = slot;
    reserve
        .update_volatility(new_print.then_some(price.prices.spot), now)
        .map_math()
}

/// Records that the reserve's oracle fails in `slot` (what `report_oracle_failure` writes, and
/// what the keeper applies to its copies). A `reading` that decoded as the feed's own but failed
/// a check (age, confidence) becomes the last known price when it is newer than the cached one
/// and not dated past `MAX_FUTURE_PUBLISH_SECS`: a failing reserve is valued from the newest
/// price its feed published, not from whenever someone last refreshed it (an hour-old cache
/// would otherwise fade a live collateral to nothing on its first failed print). The reserve
/// stays stale (`price_slot` is untouched), and the confidence is capped at `max_conf_bps` of
/// the spot, so one wide-confidence print moves a failing collateral by no more than a valid
/// price could.
pub fn record_oracle_failure(
    reserve: &mut Reserve,
    reading: Option<&PriceReading>,
    max_conf_bps: u16,
    slot: u64,
    now: i64,
) -> Result<()> {
    reserve.price_failed_slot = slot;
    let Some(r) = reading else {
        return Ok(());
    };
    let Ok(prices) = r.raw.normalize() else {
        return Ok(());
    };
    if r.publish_time <= reserve.price_publish_time
        || r.publish_time > now.saturating_add(MAX_FUTURE_PUBLISH_SECS)
    {
        return Ok(());
    }
    let prices = prices
        .with_confidence_capped(u64::from(max_conf_bps))
        .map_math()?;
    reserve.price_sf.set(prices.spot).map_math()?;
    reserve.ema_price_sf.set(prices.ema).map_math()?;
    reserve.price_conf_sf.set(prices.conf).map_math()?;
    reserve.price_publish_time = r.publish_time;
    Ok(())
}

/// Which reserve prices a valuation accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pricing {
    /// Every reserve priced in this slot (borrow, withdraw).
    Strict,
    /// For liquidation at time `now`: a reserve whose oracle was reported failing in this slot
    /// (`report_oracle_failure`) counts too, with its last valid price made conservative.
    /// - Its debts count at `max(spot, EMA) + confidence`, interest accrued to the report; they
    ///   cannot be repaid by liquidation.
    /// - Its deposits count at `min(spot, EMA) − confidence`, scaled down linearly from the
    ///   publish time of the newest price its feed gave (`record_oracle_failure`) to zero after
    ///   [`FAILED_COLLATERAL_DECAY_SECS`]; they cannot be seized. So a brief outage of one collateral does not expose a healthy obligation to
    ///   liquidation of its other collateral, a dust deposit in a failing reserve shields
    ///   nothing, and a feed that stays dead (a frozen price) stops counting within the hour.
    ///
    /// A reserve neither priced nor reported is still stale, so a liquidator cannot make a
    /// working oracle count as failing by leaving out its refresh.
    Liquidation {
        /// The clock (unix seconds).
        now: i64,
    },
}

/// Time over which the last price of a collateral whose oracle fails stops counting for
/// liquidations (seconds).
pub const FAILED_COLLATERAL_DECAY_SECS: i64 = 3_600;

/// The last conservative collateral price of a reserve whose oracle fails, decayed to `now`.
pub fn failed_collateral_price(reserve: &Reserve, now: i64) -> Result<Decimal> {
    let age = now.saturating_sub(reserve.price_publish_time).max(0);
    if age >= FAILED_COLLATERAL_DECAY_SECS {
        return Ok(Decimal::zero());
    }
    reserve
        .prices()
        .collateral_price()
        .try_mul_u64((FAILED_COLLATERAL_DECAY_SECS - age) as u64)
        .map_math()?
        .try_div_u64(FAILED_COLLATERAL_DECAY_SECS as u64)
        .map_math()
}

/// An obligation valued from scratch: its totals and each position's spot value.
#[derive(Clone, Copy, Debug, Default)]
pub struct Valuation {
    /// Totals.
    pub health: Health,
    /// Spot value of each deposit, in position order.
    pub deposit_values: [Decimal; MAX_DEPOSITS],
    /// Spot value of each borrow, in position order.
    pub borrow_values: [Decimal; MAX_BORROWS],
}

/// Values every position of `obligation` with the reserve of the same key in `reserves`
/// (any order, extra entries ignored). Each reserve must be of the obligation's market and
/// priced in `slot` (or, under [`Pricing::Liquidation`], reported failing in it). Deposits of
/// members of `group` (the obligation's e-mode group, `LendingMarket::obligation_group`, or
/// the group it would change to) count with the group's LTV and threshold.
pub fn value_obligation(
    obligation: &Obligation,
    reserves: &[(Pubkey, &Reserve)],
    slot: u64,
    pricing: Pricing,
    group: ActiveGroup,
) -> Result<Valuation> {
    let find = |key: &Pubkey| -> Result<&Reserve> {
        let (_, r) = reserves
            .iter()
            .find(|(k, _)| k == key)
            .ok_or(LendingError::InvalidRefreshAccounts)?;
        require!(
            r.lending_market == obligation.lending_market,
            LendingError::InvalidMarket
        );
        require!(usable(r, slot, pricing), LendingError::ReserveStale);
        Ok(r)
    };
    let mut out = Valuation::default();
    for (i, pos) in obligation.active_deposits().enumerate() {
        let v = deposit_value(find(&pos.reserve)?, pos.shares, slot, pricing, group)?;
        out.health.add_deposit(&v).map_math()?;
        out.deposit_values[i] = v.market_value;
    }
    for (j, pos) in obligation.active_borrows().enumerate() {
        let v = borrow_value(find(&pos.reserve)?, pos.normalized_debt_sf.get(), slot)?;
        out.health.add_borrow(&v).map_math()?;
        out.borrow_values[j] = v.market_value;
    }
    Ok(out)
}

/// The values of a deposit of `shares` in `reserve` (priced in `slot`; under
/// [`Pricing::Liquidation`] a reserve whose oracle fails counts at its decayed conservative
/// price; a member of `group` with the group's LTV and threshold). An obligation's totals are
/// the sums of these and of [`borrow_value`].
pub fn deposit_value(
    reserve: &Reserve,
    shares: u64,
    slot: u64,
    pricing: Pricing,
    group: ActiveGroup,
) -> Result<DepositValue> {
    deposit_valuer(reserve, slot, pricing, group)?
        .value(shares)
        .map_math()
}

/// What values every deposit of `reserve` the way [`deposit_value`] does, prepared once (its
/// supply total, share count and prices), for a caller that values many (the keeper's book).
/// Its LTV and threshold are those positions of the reserve count with in an obligation of
/// `group`: the group's for a member, the reserve's own otherwise (`Reserve::risk_params`).
pub fn deposit_valuer(
    reserve: &Reserve,
    slot: u64,
    pricing: Pricing,
    group: ActiveGroup,
) -> Result<DepositValuer> {
    let risk = reserve.risk_params(group);
    let supply_assets = reserve.total_supply_assets().map_math()?;
    let prices = match pricing {
        Pricing::Liquidation { now } if !reserve.is_fresh(slot) => {
            let low = failed_collateral_price(reserve, now)?;
            Prices {
                spot: low,
                ema: low,
                conf: Decimal::zero(),
            }
        }
        _ => reserve.prices(),
    };
    DepositValuer::new(
        supply_assets,
        reserve.share_supply,
        reserve.decimals,
        prices,
        risk.ltv(),
        risk.liquidation_threshold(),
    )
    .map_math()
}

/// The values of a borrow of `normalized` debt in `reserve` (a reserve not priced in `slot`
/// counts its debt at `max(spot, EMA) + conf`).
pub fn borrow_value(reserve: &Reserve, normalized: Decimal, slot: u64) -> Result<BorrowValue> {
    borrow_valuer(reserve, slot)?.value(normalized).map_math()
}

/// What values every borrow of `reserve` the way [`borrow_value`] does, prepared once.
pub fn borrow_valuer(reserve: &Reserve, slot: u64) -> Result<BorrowValuer> {
    let prices = if reserve.is_fresh(slot) {
        reserve.prices()
    } else {
        let high = reserve.prices().debt_price().map_math()?;
        Prices {
            spot: high,
            ema: high,
            conf: Decimal::zero(),
        }
    };
    Ok(BorrowValuer::new(
        reserve.borrow_index_sf.get(),
        reserve.decimals,
        prices,
        reserve.config.borrow_factor(),
    ))
}

fn usable(r: &Reserve, slot: u64, pricing: Pricing) -> bool {
    r.is_fresh(slot) || (matches!(pricing, Pricing::Liquidation { .. }) && r.oracle_failed(slot))
}

/// Checks that `reserves` are exactly the reserves of the obligation's deposits, in order, then
/// those of its borrows, in order, each of the obligation's market and priced in `slot`. A
/// missing, extra, reordered, duplicated, foreign or stale reserve fails.
pub fn check_refresh_order(
    obligation: &Obligation,
    reserves: &[(Pubkey, &Reserve)],
    slot: u64,
    pricing: Pricing,
) -> Result<()> {
    let n_dep = obligation.active_deposits().count();
    let n_bor = obligation.active_borrows().count();
    require!(
        reserves.len() == n_dep + n_bor,
        LendingError::InvalidRefreshAccounts
    );
    for (i, (key, reserve)) in reserves.iter().enumerate() {
        require!(
            reserve.lending_market == obligation.lending_market,
            LendingError::InvalidMarket
        );
        require!(usable(reserve, slot, pricing), LendingError::ReserveStale);
        let expected = if i < n_dep {
            obligation.deposits[i].reserve
        } else {
            obligation.borrows[i - n_dep].reserve
        };
        require_keys_eq!(*key, expected, LendingError::InvalidRefreshAccounts);
    }
    Ok(())
}

/// Stores a valuation made at `slot` / `now` as the obligation's cached values, and keeps the
/// liquidation auction clock: see [`Obligation::track_liquidatable`].
pub fn store_valuation(
    obligation: &mut Obligation,
    v: &Valuation,
    slot: u64,
    now: i64,
    episode_gap_secs: i64,
) -> Result<()> {
    let n_dep = obligation.active_deposits().count();
    let n_bor = obligation.active_borrows().count();
    for i in 0..n_dep {
        obligation.deposits[i]
            .market_value_sf
            .set(v.deposit_values[i])
            .map_math()?;
    }
    for j in 0..n_bor {
        obligation.borrows[j]
            .market_value_sf
            .set(v.borrow_values[j])
            .map_math()?;
    }
    obligation.set_health(&v.health).map_math()?;
    obligation.last_refresh_slot = slot;
    obligation.track_liquidatable(v.health.is_liquidatable(), now, episode_gap_secs);
    Ok(())
}

/// Recomputes and stores the obligation's values. `reserves` must be exactly the reserves of
/// its deposits, in order, then those of its borrows, in order; each of the obligation's market
/// and usable under `pricing` in `slot`. `group` is the obligation's e-mode group
/// (`LendingMarket::obligation_group`).
pub fn refresh_obligation(
    obligation: &mut Obligation,
    reserves: &[(Pubkey, &Reserve)],
    slot: u64,
    now: i64,
    episode_gap_secs: i64,
    pricing: Pricing,
    group: ActiveGroup,
) -> Result<Health> {
    check_refresh_order(obligation, reserves, slot, pricing)?;
    let v = value_obligation(obligation, reserves, slot, pricing, group)?;
    store_valuation(obligation, &v, slot, now, episode_gap_secs)?;
    Ok(v.health)
}
