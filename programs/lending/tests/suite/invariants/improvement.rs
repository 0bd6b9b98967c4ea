//! INV-17's rule, from the harness's own valuations: a liquidation of a solvent obligation
//! strictly raises its health factor, or clears its debt, or falls within the documented unit
//! rounding of a position worth a few base units. The rounding is measured here from the
//! positions and reserves before and after, never taken from the program's plan.

use lending::state::{Obligation, Reserve};
use lending_math::health::{market_value, unit_value, Health};
use lending_math::{shares, Decimal};

/// `UBV₁ / BFDV₁ > UBV₀ / BFDV₀`, cross-multiplied, with `extra_ubv` counted back into `UBV₁`;
/// no debt after counts as raised.
pub(super) fn health_factor_up(before: &Health, after: &Health, extra_ubv: Decimal) -> bool {
    if after.bf_adjusted_debt_value.is_zero() {
        return true;
    }
    let lhs = after
        .unhealthy_borrow_value
        .try_add(extra_ubv)
        .and_then(|u| u.try_mul(before.bf_adjusted_debt_value));
    let rhs = before
        .unhealthy_borrow_value
        .try_mul(after.bf_adjusted_debt_value);
    matches!((lhs, rhs), (Ok(l), Ok(r)) if l > r)
}

/// One liquidation as the harness saw it: the obligation and the two reserves before it, the
/// obligation after it.
pub(super) struct Observed<'a> {
    pub before: &'a Obligation,
    pub after: &'a Obligation,
    pub debt_reserve: (&'a lending::state::Reserve, anchor_lang::prelude::Pubkey),
    pub coll_reserve: (&'a Reserve, anchor_lang::prelude::Pubkey),
    /// The obligation's e-mode group, which sets the collateral's threshold.
    pub group: lending::state::ActiveGroup,
}

/// The seizure of `seen`, measured from positions and the collateral reserve before it.
struct Seizure {
    /// Shares taken from the obligation.
    shares: u64,
    /// The smallest seizure there is: the shares of one collateral token.
    smallest_shares: u64,
    /// Its value.
    smallest_value: Decimal,
    /// Value of the shares taken.
    value: Decimal,
    /// The shares the obligation held before.
    held_before: u64,
}

fn seizure(seen: &Observed) -> Option<Seizure> {
    let (c, ck) = seen.coll_reserve;
    let assets = c.total_supply_assets().ok()?;
    let value_of = |s: u64| {
        shares::assets_for_shares(s, assets, c.share_supply)
            .and_then(|a| market_value(a, c.price_sf.get(), c.decimals))
            .unwrap_or_default()
    };
    let held = |o: &Obligation| {
        o.find_deposit(&ck)
            .map(|i| o.deposits[i].shares)
            .unwrap_or(0)
    };
    let smallest_shares = shares::shares_for_withdrawal(1, assets, c.share_supply).ok()?;
    let taken = held(seen.before).saturating_sub(held(seen.after));
    Some(Seizure {
        shares: taken,
        smallest_shares,
        smallest_value: value_of(smallest_shares),
        value: value_of(taken),
        held_before: held(seen.before),
    })
}

/// True when `seen` cleared the repaid borrow with the smallest seizure.
fn minimum_seizure(seen: &Observed, s: &Seizure) -> bool {
    let (_, dk) = seen.debt_reserve;
    seen.after.find_borrow(&dk).is_none() && s.shares == s.smallest_shares.min(s.held_before)
}

/// INV-17 on `h0 → h1` for the liquidation `seen`.
/// Beyond a strict rise, two unit roundings are allowed (and nothing else):
/// - the repaid borrow is gone and exactly the shares of one collateral token were seized
///   (the minimum seizure): the health factor counted without that seizure rose;
/// - no collateral is left and the debt left is worth at most one unit of the repaid debt
///   (times its borrow factor) plus the shares of one collateral token.
pub(super) fn liquidation_raised_health(h0: &Health, h1: &Health, seen: &Observed) -> bool {
    if health_factor_up(h0, h1, Decimal::zero()) {
        return true;
    }
    let Some(s) = seizure(seen) else {
        return false;
    };
    if minimum_seizure(seen, &s) {
        let (c, _) = seen.coll_reserve;
        let extra = s
            .value
            .try_mul(c.risk_params(seen.group).liquidation_threshold())
            .unwrap_or_default();
        if health_factor_up(h0, h1, extra) {
            return true;
        }
    }
    h1.deposited_value.is_zero() && h1.borrowed_value <= closing_bound(seen)
}

/// INV-20 on `h1` for the largest liquidation `seen` on a market of target health `thf`: the
/// health factor reached the target (cross-multiplied, within a billionth for the rounding of
/// values to 18 decimals), or the pair was taken whole: the repaid borrow or the seized deposit
/// is gone.
pub(super) fn reached_target(h1: &Health, thf: Decimal, seen: &Observed) -> bool {
    let (_, dk) = seen.debt_reserve;
    let (_, ck) = seen.coll_reserve;
    if seen.after.find_borrow(&dk).is_none() || seen.after.find_deposit(&ck).is_none() {
        return true;
    }
    let slack = Decimal::one()
        .try_sub(Decimal::from_ratio(1, 1_000_000_000).unwrap_or_default())
        .unwrap_or_default();
    let rhs = h1
        .bf_adjusted_debt_value
        .try_mul(thf)
        .and_then(|v| v.try_mul(slack));
    matches!(rhs, Ok(r) if h1.unhealthy_borrow_value >= r)
}

/// True when the liquidation `seen` used a unit rounding: it took the obligation's last
/// collateral, or it cleared the repaid borrow with the smallest seizure (the shares of one
/// collateral token).
pub(super) fn unit_rounding_used(seen: &Observed) -> bool {
    seen.after.active_deposits().next().is_none()
        || seizure(seen).is_some_and(|s| minimum_seizure(seen, &s))
}

/// The most debt a liquidation that takes the last collateral may leave, from unit rounding:
/// one unit of the repaid debt (times its borrow factor) plus the shares of one collateral token.
pub(super) fn closing_bound(seen: &Observed) -> Decimal {
    let (d, _) = seen.debt_reserve;
    let smallest = seizure(seen).map(|s| s.smallest_value).unwrap_or_default();
    unit_value(d.price_sf.get(), d.decimals)
        .and_then(|u| u.try_mul_ceil(d.config.borrow_factor()))
        .and_then(|u| u.try_add(smallest))
        .unwrap_or_default()
}
