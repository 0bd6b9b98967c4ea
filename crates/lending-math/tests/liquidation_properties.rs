//! Properties of liquidation sizing over random single-pair obligations (INV-09, INV-10):
//! a liquidation stays within its limits, never creates bad debt from a solvent obligation,
//! always moves health the right way, and pays the liquidator no more than the bonus.

use lending_math::health::{market_value, Health};
use lending_math::liquidation::{
    bonus_range, liquidation_bonus, plan_liquidation, CollateralSide, DebtSide, LiquidationError,
    PairWeights, Sizing, SizingRules, TargetSizing,
};
use lending_math::Decimal;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn liquidation_respects_its_invariants(
        coll_shares in 1_000u64..=1_000_000_000_000,
        share_value_bps in 10_000u64..=15_000,
        coll_px in 1u64..=100_000,
        debt_amount in 1_000u64..=1_000_000_000_000,
        debt_px in 1u64..=100_000,
        lt_bps in 5_000u64..=9_000,
        bf_bps in 10_000u64..=20_000,
        min_bonus_bps in 0u16..=500,
        extra_bonus_bps in 0u16..=500,
        elapsed in 0i64..=2_000,
        close_factor_bps in 1_000u64..=10_000,
        requested_pct in 1u64..=120,
        target_bps in prop_oneof![Just(0u64), 10_100u64..=15_000],
    ) {
        let max_bonus_bps = min_bonus_bps + extra_bonus_bps;
        prop_assume!(lt_bps * (10_000 + u64::from(max_bonus_bps)) < 10_000 * 10_000);
        let supply = coll_shares * 2;
        let assets = Decimal::from_u64(supply).try_mul(Decimal::from_bps(share_value_bps)).unwrap();
        let coll_price = Decimal::from_ratio(u128::from(coll_px), 1_000).unwrap();
        let debt_price = Decimal::from_ratio(u128::from(debt_px), 1_000).unwrap();
        let underlying = assets.try_mul_u64(coll_shares).unwrap().try_div_u64(supply).unwrap();
        let dv = market_value(underlying, coll_price, 6).unwrap();
        let bv = market_value(Decimal::from_u64(debt_amount), debt_price, 6).unwrap();
        let (lt, bf) = (Decimal::from_bps(lt_bps), Decimal::from_bps(bf_bps));
        let h = Health {
            deposited_value: dv,
            allowed_borrow_value: Decimal::zero(),
            unhealthy_borrow_value: dv.try_mul(lt).unwrap(),
            borrowed_value: bv,
            bf_adjusted_debt_value: bv.try_mul(bf).unwrap(),
            bf_adjusted_debt_value_upper: bv.try_mul(bf).unwrap(),
        };
        let (lo, hi) = bonus_range(min_bonus_bps, max_bonus_bps, min_bonus_bps, max_bonus_bps);
        let pair = PairWeights { debt_borrow_factor: bf, collateral_threshold: lt };
        // One collateral and one debt: bf × HF / lt = DV / BV, so a solvent pair always qualifies.
        let bonus = liquidation_bonus(&h, &pair, lo, hi, 1_000, 1_000 + elapsed, 600).unwrap();
        prop_assert!(bonus.rate <= hi);
        let rules = SizingRules {
            close_factor: Decimal::from_bps(close_factor_bps),
            insolvency_ltv: Decimal::from_percent(95),
            dust_threshold_value: Decimal::from_u64(2),
            window_debt_value: bv,
            window_repaid_value: Decimal::zero(),
            protocol_fee: Decimal::from_percent(10),
            target: (target_bps > 0).then_some(TargetSizing {
                health: Decimal::from_bps(target_bps),
                auction_bonus: lending_math::liquidation::auction_bonus(lo, hi, 1_000, 1_000 + elapsed, 600).unwrap(),
                pair,
            }),
        };
        let debt = DebtSide { amount: Decimal::from_u64(debt_amount), price: debt_price, decimals: 6 };
        let coll = CollateralSide { shares: coll_shares, reserve_assets: assets, share_supply: supply, price: coll_price, decimals: 6 };
        let requested = (u128::from(debt_amount) * u128::from(requested_pct) / 100) as u64;
        match plan_liquidation(&h, &debt, &coll, &rules, bonus.rate, requested.max(1)) {
            Err(LiquidationError::Healthy) => prop_assert!(!h.is_liquidatable()),
            Err(LiquidationError::Math(e)) => prop_assert!(false, "math error {e:?}"),
            Err(LiquidationError::PairWorsensHealth) => prop_assert!(false, "single pair refused"),
            Err(e) => {
                // Every other refusal is explained by the plan of the largest repayment.
                let max = plan_liquidation(&h, &debt, &coll, &rules, bonus.rate, u64::MAX);
                match (e, max) {
                    (LiquidationError::DustNotFullyRepaid, Ok(m)) => prop_assert!(m.dust && requested.max(1) < m.max_repay),
                    (LiquidationError::NothingToSeize, _) => {
                        // Too small to seize one collateral token.
                        let one = market_value(Decimal::one(), coll_price, 6).unwrap();
                        let r = market_value(Decimal::from_u64(requested.max(1)), debt_price, 6).unwrap();
                        prop_assert!(r.try_mul(Decimal::one().try_add(bonus.rate).unwrap()).unwrap() < one.try_mul_u64(2).unwrap());
                    }
                    (LiquidationError::NothingToRepay, Err(LiquidationError::NothingToRepay)) => {}
                    (e, m) => prop_assert!(false, "unexplained {e:?} (max plan {m:?})"),
                }
            }
            Ok(p) => {
                prop_assert!(h.is_liquidatable());
                prop_assert!(p.repay_amount <= p.max_repay && p.repay_amount <= debt_amount);
                // A request past the limit repays the limit: never refused for its size.
                prop_assert_eq!(p.repay_amount, requested.max(1).min(p.max_repay));
                prop_assert!(p.seize_shares <= coll_shares);
                prop_assert_eq!(p.liquidator_amount + p.protocol_fee_amount, p.seize_amount);
                // The liquidator gets at most the repayment plus the bonus, give or take one
                // unit of either token (rounding of the whole-position seizure).
                let one_debt_unit = market_value(Decimal::one(), debt_price, 6).unwrap();
                let one_coll_unit = market_value(Decimal::one(), coll_price, 6).unwrap();
                let ceiling = p.repay_value.try_add(one_debt_unit).unwrap()
                    .try_mul(Decimal::one().try_add(p.bonus).unwrap()).unwrap()
                    .try_add(one_coll_unit).unwrap();
                prop_assert!(p.bonus <= bonus.rate);
                prop_assert!(p.seize_value <= ceiling, "seized {} > {}", p.seize_value, ceiling);
                if p.sizing == Sizing::PastCloseFactor {
                    // Past the close factor only at the auction's rate.
                    prop_assert!(p.bonus <= lending_math::liquidation::auction_bonus(lo, hi, 1_000, 1_000 + elapsed, 600).unwrap());
                } else if !p.full_liquidation {
                    // The close factor, passed by at most the one unit that clears a deposit.
                    prop_assert!(p.repay_value <= bv.try_mul(rules.close_factor).unwrap().try_add(one_debt_unit).unwrap());
                }
                // Health moves the right way: BFDV − UBV falls.
                let bfdv_after = h.bf_adjusted_debt_value.saturating_sub(p.repay_value.try_mul(bf).unwrap());
                let ubv_after = h.unhealthy_borrow_value.saturating_sub(p.seize_value.try_mul(lt).unwrap());
                let gap_before = h.bf_adjusted_debt_value.saturating_sub(h.unhealthy_borrow_value);
                prop_assert!(bfdv_after.saturating_sub(ubv_after) <= gap_before);
                // No new bad debt: a solvent obligation stays solvent (within one unit each way).
                if bv < dv {
                    let dv_after = dv.saturating_sub(p.seize_value);
                    let bv_after = bv.saturating_sub(p.repay_value);
                    prop_assert!(dv_after.try_add(one_debt_unit).unwrap().try_add(one_coll_unit).unwrap() >= bv_after);
                }
            }
        }
    }
}
