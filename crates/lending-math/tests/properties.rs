//! Properties of the lending math over random inputs: rounding always favours the protocol,
//! the borrow index never falls, interest only raises share value, and the borrow rule implies
//! health.

use lending_math::health::{value_borrow, value_deposit, BorrowInput, DepositInput, Health};
use lending_math::interest::{self, AccrualState, CurvePoint, CURVE_POINTS, MAX_BORROW_RATE_BPS};
use lending_math::price::RawPrice;
use lending_math::{debt, shares, Decimal};
use proptest::prelude::*;

/// Largest amount the properties use: 1e15 base units (a billion tokens of 6 decimals).
const MAX_AMOUNT: u64 = 1_000_000_000_000_000;

/// Reserve states: available liquidity, debt, fees (≤ debt) and shares in issue, with a share
/// value between 0.5 and 2 underlying units.
fn reserve_state() -> impl Strategy<Value = (u64, Decimal, Decimal, u64)> {
    (
        1_000u64..=MAX_AMOUNT,
        0u64..=MAX_AMOUNT,
        0u64..=10_000,
        5_000u64..=20_000,
    )
        .prop_map(|(available, debt, fee_bps, value_bps)| {
            let debt = Decimal::from_u64(debt);
            let fees = debt.try_mul(Decimal::from_bps(fee_bps)).unwrap();
            let assets = shares::total_supply_assets(available, debt, fees).unwrap();
            let supply =
                u128::from(assets.try_floor_u64().unwrap()) * 10_000 / u128::from(value_bps);
            (available, debt, fees, (supply as u64).max(1))
        })
}

/// Valid curves: increasing kinks, non-decreasing rates, padding at 100%.
fn curve() -> impl Strategy<Value = [CurvePoint; CURVE_POINTS]> {
    (
        1usize..=9,
        proptest::collection::vec((1u32..=2_000, 0u32..=20_000), 9),
    )
        .prop_map(|(kinks, steps)| {
            let mut pts = [CurvePoint::default(); CURVE_POINTS];
            let (mut u, mut r) = (0u32, 0u32);
            for i in 1..=kinks {
                u = (u + steps[i - 1].0).min(9_999);
                r = (r + steps[i - 1].1).min(MAX_BORROW_RATE_BPS);
                pts[i] = CurvePoint {
                    utilization_bps: u,
                    borrow_rate_bps: r,
                };
            }
            let last = CurvePoint {
                utilization_bps: 10_000,
                borrow_rate_bps: (r + 1).min(MAX_BORROW_RATE_BPS),
            };
            for p in pts.iter_mut().skip(kinks + 1) {
                *p = last;
            }
            // Deduplicate kinks that hit the 9,999 ceiling.
            for i in 1..=kinks {
                if pts[i].utilization_bps <= pts[i - 1].utilization_bps {
                    pts[i] = last;
                }
            }
            let mut seen_full = false;
            for p in pts.iter_mut() {
                if seen_full {
                    *p = last;
                }
                seen_full |= p.utilization_bps == 10_000;
            }
            pts
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn deposit_then_withdraw_is_never_profitable((available, debt, fees, supply) in reserve_state(), amount in 1u64..=MAX_AMOUNT) {
        let assets = shares::total_supply_assets(available, debt, fees).unwrap();
        prop_assume!(!assets.is_zero());
        let minted = shares::shares_for_deposit(amount, assets, supply).unwrap();
        let assets_after = assets.try_add(Decimal::from_u64(amount)).unwrap();
        let out = shares::redeem_amount(minted, assets_after, supply + minted).unwrap();
        prop_assert!(out <= amount, "deposited {amount}, got back {out}");
    }

    #[test]
    fn withdrawing_an_amount_burns_at_least_its_worth((available, debt, fees, supply) in reserve_state(), amount in 1u64..=MAX_AMOUNT) {
        let assets = shares::total_supply_assets(available, debt, fees).unwrap();
        prop_assume!(!assets.is_zero());
        let burned = shares::shares_for_withdrawal(amount, assets, supply).unwrap();
        let worth = shares::assets_for_shares(burned, assets, supply).unwrap();
        prop_assert!(worth >= Decimal::from_u64(amount));
        prop_assert!(burned >= shares::shares_for_deposit(amount, assets, supply).unwrap());
    }

    #[test]
    fn one_unit_round_trips_never_drain((available, debt, fees, supply) in reserve_state(), rounds in 1usize..50) {
        let mut assets = shares::total_supply_assets(available, debt, fees).unwrap();
        prop_assume!(!assets.is_zero());
        let mut supply = supply;
        let mut gained: i128 = 0;
        for _ in 0..rounds {
            let minted = shares::shares_for_deposit(1, assets, supply).unwrap();
            if minted == 0 { break; }
            assets = assets.try_add(Decimal::one()).unwrap();
            supply += minted;
            let out = shares::redeem_amount(minted, assets, supply).unwrap();
            assets = assets.try_sub(Decimal::from_u64(out)).unwrap();
            supply -= minted;
            gained += i128::from(out) - 1;
        }
        prop_assert!(gained <= 0);
    }

    #[test]
    fn borrow_then_repay_costs_at_least_the_loan(amount in 1u64..=u64::MAX / 4, index_bps in 10_000u64..=10_000_000) {
        // The program's own sizing: `debt::normalized_for_borrow`, then a full `debt::repayment`.
        let index = Decimal::from_bps(index_bps).try_add(Decimal::from_ratio(1, 7).unwrap()).unwrap();
        let normalized = debt::normalized_for_borrow(amount, index).unwrap();
        let r = debt::repayment(normalized, index, u64::MAX).unwrap();
        prop_assert!(r.paid >= amount, "repaid {} for a loan of {}", r.paid, amount);
        prop_assert!(r.paid <= amount + 1);
        prop_assert!(r.left.is_zero() && r.debt_after.is_zero());
    }

    #[test]
    fn partial_repay_never_removes_more_debt_than_paid(held in 1u64..=1_000_000_000_000_000, pay in 1u64..=u64::MAX / 4, index_bps in 10_000u64..=10_000_000, principal in 0u64..=u64::MAX / 4) {
        let index = Decimal::from_bps(index_bps);
        let held = Decimal::from_u64(held);
        let r = debt::repayment(held, index, pay).unwrap();
        prop_assert!(r.paid <= pay);
        // The debt removed is worth no more than the tokens paid (1e-18 for the truncation of
        // the two products); a payment short of the rounded-up debt leaves debt behind.
        let removed_value = r.debt_before.try_sub(r.debt_after).unwrap();
        prop_assert!(removed_value <= Decimal::from_u64(r.paid).try_add(Decimal::from_scaled_val(1)).unwrap());
        prop_assert_eq!(r.left.is_zero(), r.paid == r.debt_before.try_ceil_u64().unwrap());
        let p = debt::principal_after_repay(principal, r.debt_before, r.debt_after).unwrap();
        prop_assert!(p <= principal);
    }

    #[test]
    fn borrow_index_never_decreases_and_raises_share_value(
        points in curve(),
        available in 0u64..=1_000_000_000_000_000,
        normalized in 1u64..=1_000_000_000_000_000,
        reserve_factor_bps in 0u64..=10_000,
        elapsed in 0u64..=30 * 86_400,
        supply in 1u64..=u64::MAX / 4,
    ) {
        prop_assert!(interest::validate_curve(&points).is_ok());
        let state = AccrualState {
            available,
            total_normalized_debt: Decimal::from_u64(normalized),
            borrow_index: Decimal::one(),
            protocol_fees: Decimal::zero(),
        };
        let a = interest::accrue(&state, &points, Decimal::from_bps(reserve_factor_bps), elapsed).unwrap();
        prop_assert!(a.borrow_index >= state.borrow_index);
        prop_assert!(a.protocol_fees <= a.interest);
        let before = shares::total_supply_assets(available, Decimal::from_u64(normalized), Decimal::zero()).unwrap();
        let debt_after = Decimal::from_u64(normalized).try_mul(a.borrow_index).unwrap();
        let after = shares::total_supply_assets(available, debt_after, a.protocol_fees).unwrap();
        prop_assert!(shares::share_value(after, supply).unwrap() >= shares::share_value(before, supply).unwrap());
    }

    #[test]
    fn compounding_in_two_steps_is_close_to_one(points in curve(), t1 in 0u64..=86_400 * 365, t2 in 0u64..=86_400 * 365) {
        let u = Decimal::from_ratio(3, 4).unwrap();
        let r = interest::borrow_rate(&points, u).unwrap();
        let once = interest::compound_factor(r, t1 + t2).unwrap();
        let twice = interest::compound_factor(r, t1).unwrap().try_mul(interest::compound_factor(r, t2).unwrap()).unwrap();
        let diff = if once > twice { once.try_sub(twice).unwrap() } else { twice.try_sub(once).unwrap() };
        // Truncation at 1e-18 per multiplication: relative error far below 1e-12.
        prop_assert!(diff <= once.try_div_u64(1_000_000_000_000).unwrap());
    }

    #[test]
    fn rate_curve_is_monotone(points in curve(), a in 0u64..=10_000, b in 0u64..=10_000) {
        let (lo, hi) = (a.min(b), a.max(b));
        let r_lo = interest::borrow_rate(&points, Decimal::from_bps(lo)).unwrap();
        let r_hi = interest::borrow_rate(&points, Decimal::from_bps(hi)).unwrap();
        prop_assert!(r_lo <= r_hi);
    }

    #[test]
    fn passing_the_borrow_rule_means_not_liquidatable(
        coll in 1u64..=1_000_000_000_000_000,
        debt in 1u64..=1_000_000_000_000_000,
        coll_px in 1i64..=1_000_000_000_000,
        debt_px in 1i64..=1_000_000_000_000,
        ema_skew in 0i64..=200,
        conf_bps in 0u64..=200,
        ltv_bps in 0u64..=9_000,
        lt_gap in 1u64..=999,
        bf_bps in 10_000u64..=30_000,
    ) {
        let raw = |p: i64| RawPrice { price: p, conf: (p as u64) * conf_bps / 10_000, ema_price: p + p * ema_skew / 1_000, ema_conf: 0, expo: -6 };
        let dep = DepositInput {
            amount: Decimal::from_u64(coll),
            decimals: 6,
            prices: raw(coll_px).normalize().unwrap(),
            ltv: Decimal::from_bps(ltv_bps),
            liquidation_threshold: Decimal::from_bps(ltv_bps + lt_gap),
        };
        let bor = BorrowInput {
            amount: Decimal::from_u64(debt),
            decimals: 6,
            prices: raw(debt_px).normalize().unwrap(),
            borrow_factor: Decimal::from_bps(bf_bps),
        };
        let mut h = Health::default();
        h.add_deposit(&value_deposit(&dep).unwrap()).unwrap();
        h.add_borrow(&value_borrow(&bor).unwrap()).unwrap();
        if h.within_borrow_limit() {
            prop_assert!(!h.is_liquidatable());
        }
    }
}
