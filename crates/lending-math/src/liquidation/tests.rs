//! Unit tests of the liquidation rules.

use super::*;

fn health(dv: u64, bv: u64, ubv: u64) -> Health {
    Health {
        deposited_value: Decimal::from_u64(dv),
        allowed_borrow_value: Decimal::zero(),
        unhealthy_borrow_value: Decimal::from_u64(ubv),
        borrowed_value: Decimal::from_u64(bv),
        bf_adjusted_debt_value: Decimal::from_u64(bv),
        bf_adjusted_debt_value_upper: Decimal::from_u64(bv),
    }
}

fn uniform() -> PairWeights {
    PairWeights {
        debt_borrow_factor: Decimal::one(),
        collateral_threshold: Decimal::from_percent(80),
    }
}

fn rules(cf_pct: u64) -> SizingRules {
    SizingRules {
        close_factor: Decimal::from_percent(cf_pct),
        insolvency_ltv: Decimal::from_percent(95),
        dust_threshold_value: Decimal::from_u64(2),
        window_debt_value: Decimal::zero(),
        window_repaid_value: Decimal::zero(),
        protocol_fee: Decimal::from_percent(10),
        target: None,
    }
}

/// `rules(cf_pct)` sized to a target health of `thf_bps`, over the uniform pair, its auction
/// at 2%.
fn target_rules(cf_pct: u64, thf_bps: u64, h: &Health) -> SizingRules {
    SizingRules {
        window_debt_value: h.borrowed_value,
        target: Some(TargetSizing {
            health: Decimal::from_bps(thf_bps),
            auction_bonus: Decimal::from_percent(2),
            pair: uniform(),
        }),
        ..rules(cf_pct)
    }
}

/// One collateral (whole tokens at $1, 1:1 shares) and one debt (whole tokens at $1), the
/// uniform pair: `(health, debt side, collateral side)`.
fn one_pair(collateral: u64, debt: Decimal) -> (Health, DebtSide, CollateralSide) {
    one_pair_of(uniform(), collateral, debt)
}

/// [`one_pair`] through `pair`.
fn one_pair_of(
    pair: PairWeights,
    collateral: u64,
    debt: Decimal,
) -> (Health, DebtSide, CollateralSide) {
    let bv = debt;
    let h = Health {
        deposited_value: Decimal::from_u64(collateral),
        allowed_borrow_value: Decimal::zero(),
        unhealthy_borrow_value: Decimal::from_u64(collateral)
            .try_mul(pair.collateral_threshold)
            .unwrap(),
        borrowed_value: bv,
        bf_adjusted_debt_value: bv,
        bf_adjusted_debt_value_upper: bv,
    };
    let debt = DebtSide {
        amount: debt,
        price: Decimal::one(),
        decimals: 0,
    };
    let coll = CollateralSide {
        shares: collateral,
        reserve_assets: Decimal::from_u64(1_000_000_000),
        share_supply: 1_000_000_000,
        price: Decimal::one(),
        decimals: 0,
    };
    (h, debt, coll)
}

fn health_factor(h: &Health) -> Decimal {
    h.unhealthy_borrow_value
        .try_div(h.bf_adjusted_debt_value)
        .unwrap()
}

#[test]
fn successful_target_sizing_lifts_health_to_the_target_and_no_further() {
    // $1,000,000 of collateral at an 80% threshold, $810,000 of debt: HF = 0.9877.
    let (h, debt, coll) = one_pair(1_000_000, Decimal::from_u64(810_000));
    let r = target_rules(50, 10_500, &h);
    let b = Decimal::from_percent(5);
    let p = plan_liquidation(&h, &debt, &coll, &r, b, u64::MAX).unwrap();
    // R* = (1.05 × 810,000 − 800,000) / (1.05 − 0.8 × 1.05) = 50,500 / 0.21 = 240,476.19…
    assert_eq!(p.sizing, Sizing::Target);
    assert_eq!(p.max_repay, 240_477);
    assert_eq!(p.bonus, b);
    let (after, _, _) = one_pair(
        1_000_000 - p.seize_shares,
        Decimal::from_u64(810_000 - 240_477),
    );
    let hf = health_factor(&after);
    assert!(hf >= Decimal::from_bps(10_500), "HF after {hf}");
    assert!(
        hf < Decimal::from_bps(10_501),
        "HF after {hf}: no further than the target"
    );
    // The close factor alone would have taken $405,000.
    let cf_only = SizingRules { target: None, ..r };
    assert_eq!(
        plan_liquidation(&h, &debt, &coll, &cf_only, b, u64::MAX)
            .unwrap()
            .max_repay,
        405_000
    );
}

#[test]
fn successful_target_past_the_close_factor_pays_the_auction_bonus() {
    // Same obligation, a 20% close factor ($162,000): the target needs more.
    let (h, debt, coll) = one_pair(1_000_000, Decimal::from_u64(810_000));
    let r = target_rules(20, 10_500, &h);
    let p = plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(5), u64::MAX).unwrap();
    assert_eq!(p.sizing, Sizing::PastCloseFactor);
    assert_eq!(p.bonus, Decimal::from_percent(2));
    // R* at 2% = 50,500 / (1.05 − 0.816) = 215,811.96…
    assert_eq!(p.max_repay, 215_812);
    assert_eq!(p.seize_amount, 220_128); // 215,812 × 1.02, rounded down
    let (after, _, _) = one_pair(
        1_000_000 - p.seize_shares,
        Decimal::from_u64(810_000 - 215_812),
    );
    assert!(health_factor(&after) >= Decimal::from_bps(10_500));
    // A bonus already below the auction's (capped by health) stays where it is.
    let p = plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(1), u64::MAX).unwrap();
    assert_eq!(p.bonus, Decimal::from_percent(1));
}

#[test]
fn successful_target_sizing_ends_the_drain_of_a_position_near_its_bonus_line() {
    // A 90% threshold and bonuses up to 11% (lt × (1 + b) = 0.999 < 1, a valid listing). At
    // HF = 0.995 the health cap binds: lt × (1 + b) = 0.999 × HF, so a 25% liquidation lifts
    // HF by a factor 1 + 0.001 / 3 only, and the next one recomputes the cap at the new HF.
    // Each pays the bonus; the position is drained long before it is healthy.
    let pair = PairWeights {
        debt_borrow_factor: Decimal::one(),
        collateral_threshold: Decimal::from_percent(90),
    };
    let state = |coll: u64, debt: u64| one_pair_of(pair, coll, Decimal::from_u64(debt));
    let episode = |target: Option<TargetSizing>| {
        let (mut coll, mut debt) = (1_000_000u64, 904_523u64); // HF 0.99500
        let (mut liquidations, mut bonus_paid) = (0u32, Decimal::zero());
        loop {
            let (h, d, c) = state(coll, debt);
            if !h.is_liquidatable() || liquidations == 50 {
                return (liquidations, bonus_paid, health_factor(&h));
            }
            let b = liquidation_bonus(
                &h,
                &pair,
                Decimal::from_percent(2),
                Decimal::from_percent(11),
                1,
                10_000,
                600,
            )
            .unwrap();
            let r = SizingRules {
                window_debt_value: h.borrowed_value,
                target,
                ..rules(25)
            };
            let p = plan_liquidation(&h, &d, &c, &r, b.rate, u64::MAX).unwrap();
            bonus_paid = bonus_paid
                .try_add(p.seize_value.saturating_sub(p.repay_value))
                .unwrap();
            coll -= p.seize_shares;
            debt -= p.repay_amount;
            liquidations += 1;
        }
    };
    let (n, drained, hf) = episode(None);
    assert!(n >= 10, "{n} liquidations to HF {hf}, bonus paid {drained}");
    let (once, paid, hf) = episode(Some(TargetSizing {
        health: Decimal::from_bps(10_500),
        auction_bonus: Decimal::from_percent(2),
        pair,
    }));
    assert_eq!(once, 1);
    assert!(hf >= Decimal::from_bps(10_500), "HF {hf}");
    // At the lowest bonus, on what the target needs: under a third of what the drain paid,
    // and under one max-bonus liquidation of the whole debt ($99,497).
    assert!(
        paid.try_mul_u64(3).unwrap() < drained,
        "bonus paid {paid} vs {drained}"
    );
}

#[test]
fn successful_bonus_auction_ramps_from_min_to_max() {
    let h = health(1_000, 810, 800); // distance 1%
    let (lo, hi) = (Decimal::from_percent(2), Decimal::from_percent(10));
    let b = |t: i64| liquidation_bonus(&h, &uniform(), lo, hi, 1_000, 1_000 + t, 600).unwrap();
    assert_eq!(
        b(0),
        Bonus {
            rate: lo,
            source: BonusSource::Health
        }
    );
    assert_eq!(
        b(300),
        Bonus {
            rate: Decimal::from_percent(6),
            source: BonusSource::Auction
        }
    );
    assert_eq!(
        b(600),
        Bonus {
            rate: hi,
            source: BonusSource::Auction
        }
    );
    assert_eq!(
        b(6_000),
        Bonus {
            rate: hi,
            source: BonusSource::Auction
        }
    );
}

#[test]
fn successful_bonus_grows_with_distance_past_threshold() {
    let (lo, hi) = (Decimal::from_percent(2), Decimal::from_percent(10));
    let b = liquidation_bonus(&health(1_000, 850, 800), &uniform(), lo, hi, 0, 0, 600).unwrap();
    assert_eq!(
        b,
        Bonus {
            rate: Decimal::from_percent(5),
            source: BonusSource::Health
        }
    );
}

#[test]
fn successful_bonus_capped_by_health_and_zero_when_insolvent() {
    let (lo, hi) = (Decimal::from_percent(2), Decimal::from_percent(10));
    // BV / DV = 96%, HF = 800 / 960: the health cap 0.999 × 800 / (0.8 × 960) − 1 binds
    // just under the solvency cap DV / BV − 1 = 4.1667%.
    let h = health(1_000, 960, 800);
    let b = liquidation_bonus(&h, &uniform(), lo, hi, 0, 0, 600).unwrap();
    assert_eq!(b.source, BonusSource::HealthCap);
    assert_eq!(b.rate, health_cap(&h, &uniform()).unwrap().unwrap());
    assert!(
        b.rate
            < Decimal::from_ratio(1_000, 960)
                .unwrap()
                .try_sub(Decimal::one())
                .unwrap()
    );
    let b = liquidation_bonus(&health(1_000, 1_100, 800), &uniform(), lo, hi, 0, 0, 600).unwrap();
    assert_eq!(
        b,
        Bonus {
            rate: Decimal::zero(),
            source: BonusSource::Insolvent
        }
    );
}

#[test]
fn fail_bonus_when_pair_cannot_raise_health() {
    // HF = 800 / 900 = 0.889 < lt_c = 0.9: seizing this collateral lowers the health factor
    // even at no bonus.
    let pair = PairWeights {
        debt_borrow_factor: Decimal::one(),
        collateral_threshold: Decimal::from_percent(90),
    };
    let (lo, hi) = (Decimal::from_percent(2), Decimal::from_percent(10));
    assert_eq!(
        liquidation_bonus(&health(1_000, 900, 800), &pair, lo, hi, 0, 0, 600),
        Err(LiquidationError::PairWorsensHealth)
    );
}

/// The bonus from healthy to 120% LTV (one collateral, threshold 80%, bonus 2%..10%, no
/// auction progress), in bps:
///
/// | LTV | 80% | 81% | 85% | 88% | 89% | 90% | 92% | 95% | 98% | 99% | ≥ 100% |
/// |-----|-----|-----|-----|-----|-----|-----|-----|-----|-----|-----|--------|
/// | bonus | healthy | 200 | 500 | 800 | 900 | 1000 | 858 | 515 | 193 | 90 | 0 |
///
/// It rises with the distance past the threshold, then falls under the health cap towards
/// 0 at insolvency and stays 0: waiting never pays more.
#[test]
fn successful_bonus_curve_never_rewards_waiting_past_the_peak() {
    let (lo, hi) = (Decimal::from_percent(2), Decimal::from_percent(10));
    let bps = |ltv_pct: u64| -> Option<u64> {
        let h = health(1_000, ltv_pct * 10, 800);
        if !h.is_liquidatable() {
            return None;
        }
        let b = liquidation_bonus(&h, &uniform(), lo, hi, 0, 0, 600).unwrap();
        Some(b.rate.try_floor_bps().unwrap())
    };
    let curve: Vec<Option<u64>> = (80..=120).map(bps).collect();
    let table: Vec<(u64, Option<u64>)> = [80, 81, 85, 88, 89, 90, 92, 95, 98, 99, 100, 120]
        .iter()
        .map(|&l| (l, bps(l)))
        .collect();
    assert_eq!(
        table,
        vec![
            (80, None),
            (81, Some(200)),
            (85, Some(500)),
            (88, Some(800)),
            (89, Some(900)),
            (90, Some(1_000)),
            (92, Some(858)),
            (95, Some(515)),
            (98, Some(193)),
            (99, Some(90)),
            (100, Some(0)),
            (120, Some(0)),
        ]
    );
    let values: Vec<u64> = curve.iter().flatten().copied().collect();
    let peak = values.iter().position(|&v| v == 1_000).unwrap();
    assert!(values[peak..].windows(2).all(|w| w[1] <= w[0]));
}

#[test]
fn successful_plan_at_close_factor() {
    // $1,000 of collateral (1,000 tokens at $1, 6 decimals), $850 debt, close factor 20%.
    let h = health(1_000, 850, 800);
    let mut r = rules(20);
    r.window_debt_value = h.borrowed_value;
    let debt = DebtSide {
        amount: Decimal::from_u64(850_000_000),
        price: Decimal::one(),
        decimals: 6,
    };
    let coll = CollateralSide {
        shares: 1_000_000_000,
        reserve_assets: Decimal::from_u64(2_000_000_000),
        share_supply: 2_000_000_000,
        price: Decimal::one(),
        decimals: 6,
    };
    let p = plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(5), u64::MAX).unwrap();
    assert_eq!(p.max_repay, 170_000_000);
    assert_eq!(p.repay_amount, 170_000_000);
    assert_eq!(p.seize_amount, 178_500_000);
    assert_eq!(p.protocol_fee_amount, 850_000); // 10% of the 8.5M bonus
    assert_eq!(p.liquidator_amount, 177_650_000);
    assert!(!p.full_liquidation);
    // A request past the limit repays the limit.
    assert_eq!(
        plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(5), 170_000_001),
        Ok(p)
    );
    r.window_repaid_value = Decimal::from_u64(170);
    assert_eq!(
        plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(5), u64::MAX),
        Err(LiquidationError::NothingToRepay)
    );
}

#[test]
fn successful_plan_capped_by_collateral() {
    // Only $100 of this collateral; debt $850 and insolvent LTV → full, but capped.
    let h = health(900, 880, 700);
    let debt = DebtSide {
        amount: Decimal::from_u64(880_000_000),
        price: Decimal::one(),
        decimals: 6,
    };
    let coll = CollateralSide {
        shares: 100_000_000,
        reserve_assets: Decimal::from_u64(1_000_000_000),
        share_supply: 1_000_000_000,
        price: Decimal::one(),
        decimals: 6,
    };
    let p = plan_liquidation(
        &h,
        &debt,
        &coll,
        &rules(20),
        Decimal::from_percent(10),
        u64::MAX,
    )
    .unwrap();
    assert!(p.full_liquidation);
    // $100 / 1.1 = 90.9090909 USDC, rounded up to the unit that takes the whole deposit.
    assert_eq!(p.max_repay, 90_909_091);
    assert_eq!(p.seize_shares, 100_000_000, "the whole deposit goes");
    assert_eq!(p.seize_amount, 100_000_000);
    // A smaller repayment seizes only its worth.
    let p = plan_liquidation(
        &h,
        &debt,
        &coll,
        &rules(20),
        Decimal::from_percent(10),
        50_000_000,
    )
    .unwrap();
    assert_eq!(p.seize_amount, 55_000_000);
}

#[test]
fn fail_plan_when_healthy_or_dust_not_fully_repaid() {
    let h = health(1_000, 500, 800);
    let debt = DebtSide {
        amount: Decimal::from_u64(500),
        price: Decimal::one(),
        decimals: 0,
    };
    let coll = CollateralSide {
        shares: 1_000,
        reserve_assets: Decimal::from_u64(1_000),
        share_supply: 1_000,
        price: Decimal::one(),
        decimals: 0,
    };
    assert_eq!(
        plan_liquidation(&h, &debt, &coll, &rules(20), Decimal::zero(), 1),
        Err(LiquidationError::Healthy)
    );
    let h = health(10, 9, 8);
    let debt = DebtSide {
        amount: Decimal::from_ratio(15, 10).unwrap(),
        price: Decimal::one(),
        decimals: 0,
    };
    assert_eq!(
        plan_liquidation(&h, &debt, &coll, &rules(20), Decimal::zero(), 1),
        Err(LiquidationError::DustNotFullyRepaid)
    );
    let p = plan_liquidation(&h, &debt, &coll, &rules(20), Decimal::zero(), u64::MAX).unwrap();
    assert!(p.dust);
    assert_eq!(p.repay_amount, 2);
}

#[test]
fn successful_close_factor_allows_one_unit_of_a_coarse_debt() {
    // 4 units of a 0-decimal token at $1,100 (debt $4,400) against $5,100: 20% of the
    // debt is $880, less than one unit. The obligation can still be liquidated by one.
    let h = health(5_100, 4_400, 4_335);
    let mut r = rules(20);
    r.window_debt_value = h.borrowed_value;
    let debt = DebtSide {
        amount: Decimal::from_u64(4),
        price: Decimal::from_u64(1_100),
        decimals: 0,
    };
    let coll = CollateralSide {
        shares: 5_100_000_000,
        reserve_assets: Decimal::from_u64(5_100_000_000),
        share_supply: 5_100_000_000,
        price: Decimal::one(),
        decimals: 6,
    };
    let p = plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(2), u64::MAX).unwrap();
    assert_eq!(p.max_repay, 1);
    assert_eq!(p.seize_amount, 1_122_000_000); // $1,100 × 1.02
    r.window_repaid_value = Decimal::from_u64(880);
    assert_eq!(
        plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(2), u64::MAX),
        Err(LiquidationError::NothingToRepay),
        "once the slot's allowance is used, the next slot"
    );
}

#[test]
fn successful_fees_reversed_only_on_the_socialized_part() {
    let (debt, rf) = (Decimal::from_u64(150), Decimal::from_percent(20));
    let held = Decimal::from_u64(1_000);
    // $50 of interest, 20% of it credited as fees: $10.
    let all = fees_to_reverse(debt, 100, rf, debt, held).unwrap();
    assert_eq!(all, Decimal::from_u64(10));
    // The fund pays two thirds: only the third that depositors absorb is unpaid.
    let third = fees_to_reverse(debt, 100, rf, Decimal::from_u64(50), held).unwrap();
    assert_eq!(third, Decimal::from_ratio(10, 3).unwrap());
    assert!(fees_to_reverse(debt, 100, rf, Decimal::zero(), held)
        .unwrap()
        .is_zero());
    assert_eq!(
        fees_to_reverse(debt, 100, rf, debt, Decimal::from_u64(4)).unwrap(),
        Decimal::from_u64(4),
        "never more than the fees held"
    );
}

#[test]
fn successful_bad_debt_split() {
    let d = Decimal::from_ratio(1_005, 10).unwrap();
    assert_eq!(
        split_bad_debt(d, 50).unwrap(),
        BadDebt {
            covered_by_insurance: 50,
            socialized: Decimal::from_ratio(505, 10).unwrap()
        }
    );
    assert_eq!(
        split_bad_debt(d, 1_000).unwrap(),
        BadDebt {
            covered_by_insurance: 101,
            socialized: Decimal::zero()
        }
    );
}

/// Independent review (math): a debt of 5.01 units of a 0-decimal token at $100, against a
/// $599 deposit of a 2-decimal token. The collateral caps the repayment at 6 units (5.99 rounded
/// up, also the debt rounded up), and the whole deposit used to go for it: $599 for $501 of
/// debt, leaving the obligation $97 short. The debt only rounds up to the deposit's price, so
/// the seizure now pays for the 5.01 units removed.
#[test]
fn exploit_whole_deposit_for_a_debt_that_only_rounds_up_to_its_price() {
    let h = Health {
        deposited_value: Decimal::from_u64(1_502),
        allowed_borrow_value: Decimal::zero(),
        unhealthy_borrow_value: Decimal::from_ratio(11_122, 10).unwrap(),
        borrowed_value: Decimal::from_u64(1_501),
        bf_adjusted_debt_value: Decimal::from_u64(2_002),
        bf_adjusted_debt_value_upper: Decimal::from_u64(2_002),
    };
    let debt = DebtSide {
        amount: Decimal::from_ratio(501, 100).unwrap(),
        price: Decimal::from_u64(100),
        decimals: 0,
    };
    let coll = CollateralSide {
        shares: 59_900,
        reserve_assets: Decimal::from_u64(1_000_000),
        share_supply: 1_000_000,
        price: Decimal::one(),
        decimals: 2,
    };
    let mut r = rules(50);
    r.window_debt_value = h.borrowed_value;
    let p = plan_liquidation(&h, &debt, &coll, &r, Decimal::zero(), u64::MAX).unwrap();
    assert_eq!(p.repay_amount, 6, "the debt rounded up clears the borrow");
    assert_eq!(
        p.seize_amount, 50_100,
        "$501 of collateral for $501 of debt, not $599"
    );
    assert_eq!(p.seize_shares, 50_100);
}

/// Independent review (math): shares worth 1,000 tokens each, a unit at $0.01: the smallest
/// seizure is one share, $10. A dust repayment of $0.0003 used to take it; the minimum seizure
/// now applies only when it is worth at most $0.02, so this repayment seizes nothing.
#[test]
fn fail_minimum_seizure_when_one_share_is_worth_dollars() {
    let h = health(20, 1, 1);
    let h = Health {
        unhealthy_borrow_value: Decimal::from_ratio(1, 10_000).unwrap(),
        borrowed_value: Decimal::from_ratio(3, 10_000).unwrap(),
        bf_adjusted_debt_value: Decimal::from_ratio(3, 10_000).unwrap(),
        bf_adjusted_debt_value_upper: Decimal::from_ratio(3, 10_000).unwrap(),
        ..h
    };
    let debt = DebtSide {
        amount: Decimal::from_u64(3),
        price: Decimal::from_ratio(1, 10_000).unwrap(),
        decimals: 0,
    };
    let coll = CollateralSide {
        shares: 2,
        reserve_assets: Decimal::from_u64(1_000_000),
        share_supply: 1_000,
        price: Decimal::from_ratio(1, 100).unwrap(),
        decimals: 0,
    };
    let mut r = rules(50);
    r.window_debt_value = h.borrowed_value;
    assert_eq!(
        plan_liquidation(&h, &debt, &coll, &r, Decimal::zero(), u64::MAX),
        Err(LiquidationError::NothingToSeize)
    );
}

#[test]
fn exploit_debt_grown_past_u64_base_units_blocks_liquidation() {
    // Soak seed 40124: years of interest at full utilization took a 5-decimal debt to 3.25e19
    // base units, past u64::MAX. Sizing its repayment in whole units overflowed, and no
    // liquidation (nor any repayment) could ever touch the obligation. Now the repayment is
    // capped by the collateral's worth as usual, and the debt is paid in parts.
    let h = health(5_807_996, 52_038_387, 4_239_697);
    let debt = DebtSide {
        amount: Decimal::from_u64(u64::MAX).try_mul_u64(2).unwrap(),
        price: Decimal::from_ratio(16, 10_000_000).unwrap(),
        decimals: 5,
    };
    let coll = CollateralSide {
        shares: 1_000_000_000_000,
        reserve_assets: Decimal::from_u64(2_000_000_000_000),
        share_supply: 2_000_000_000_000,
        price: Decimal::from_u64(100),
        decimals: 9,
    };
    let p = plan_liquidation(&h, &debt, &coll, &rules(20), Decimal::zero(), u64::MAX).unwrap();
    assert!(p.full_liquidation);
    // $100,000 of collateral at $1.6e-6 a token: 6.25e15 base units, far below u64::MAX.
    assert_eq!(p.max_repay, 6_250_000_000_000_000);
    assert_eq!(p.seize_shares, coll.shares, "the whole deposit goes");
    assert!(!p.minimum_seizure);
    // The bad debt left is split as any other.
    let split = split_bad_debt(debt.amount, 1_000).unwrap();
    assert_eq!(split.covered_by_insurance, 1_000);
}

/// Found beside soak seed 80131: a collateral reserve left with no assets behind its shares made
/// the smallest-seizure bound divide by zero; such a pair is refused as seizing nothing.
#[test]
fn fail_plan_when_the_collateral_reserve_has_no_assets() {
    let h = health(1_000, 800, 780);
    let debt = DebtSide {
        amount: Decimal::from_u64(800_000_000),
        price: Decimal::one(),
        decimals: 6,
    };
    let coll = CollateralSide {
        shares: 100,
        reserve_assets: Decimal::zero(),
        share_supply: 1_000,
        price: Decimal::one(),
        decimals: 6,
    };
    let mut r = rules(20);
    r.window_debt_value = Decimal::from_u64(800);
    let bonus = Decimal::from_percent(5);
    assert_eq!(
        plan_liquidation(&h, &debt, &coll, &r, bonus, u64::MAX),
        Err(LiquidationError::NothingToSeize)
    );
}
