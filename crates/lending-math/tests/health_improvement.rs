//! INV-17 on the math: over random multi-asset obligations, reserve configs (each reserve with
//! its own threshold, borrow factor and bonus range), prices, pairs and amounts, a liquidation
//! of a solvent obligation strictly raises its health factor `UBV / BFDV` or clears its debt.
//! The health after is recomputed from scratch from the positions the liquidation leaves, with
//! the protocol fee and every rounding applied the way the program applies them.
//!
//! Finding 8 on the same cases (decimals 0–9, so coarse units too): the liquidator never pays
//! more value than the collateral he takes, beyond one debt unit and three collateral units of
//! rounding (`unit_value`), the loss that the listing bound on a unit's value keeps to cents.

use lending_math::health::{
    market_value, unit_value, value_borrow, value_deposit, BorrowInput, DepositInput, Health,
};
use lending_math::liquidation::{
    bonus_range, liquidation_bonus, liquidation_improves, plan_liquidation, CollateralSide,
    DebtSide, LiquidationError, PairWeights, SizingRules, Tolerance,
};
use lending_math::price::Prices;
use lending_math::{shares, Decimal};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug)]
struct Asset {
    price: Decimal,
    decimals: u8,
    lt_bps: u64,
    bf_bps: u64,
    min_bonus_bps: u16,
    max_bonus_bps: u16,
    /// Share value of the reserve: assets per share (bps).
    share_value_bps: u64,
}

fn asset() -> impl Strategy<Value = Asset> {
    (
        1u64..=10_000_000,
        0u8..=9,
        5_000u64..=9_500,
        10_000u64..=25_000,
        0u16..=800,
        0u16..=1_500,
        10_000u64..=13_000,
    )
        .prop_map(|(px, decimals, lt, bf, min_b, extra, sv)| {
            // Configs obey the listing rule lt × (1 + max bonus) < 1.
            let max_b = (min_b + extra).min(((100_000_000 / lt) - 10_000).saturating_sub(1) as u16);
            Asset {
                price: Decimal::from_ratio(u128::from(px), 1_000).unwrap(),
                decimals,
                lt_bps: lt,
                bf_bps: bf,
                min_bonus_bps: min_b.min(max_b),
                max_bonus_bps: max_b,
                share_value_bps: sv,
            }
        })
}

fn prices(p: Decimal) -> Prices {
    Prices {
        spot: p,
        ema: p,
        conf: Decimal::zero(),
    }
}

/// Supply shares in issue per reserve (the obligation holds a part of them).
const SUPPLY: u64 = 4_000_000_000_000_000;

fn assets_of(a: &Asset) -> Decimal {
    Decimal::from_u64(SUPPLY)
        .try_mul(Decimal::from_bps(a.share_value_bps))
        .unwrap()
}

/// From-scratch health of deposits (asset, shares) and borrows (asset, debt tokens).
fn health(deposits: &[(Asset, u64)], borrows: &[(Asset, Decimal)]) -> Health {
    let mut h = Health::default();
    for (a, s) in deposits {
        let amount = shares::assets_for_shares(*s, assets_of(a), SUPPLY).unwrap();
        let v = value_deposit(&DepositInput {
            amount,
            decimals: a.decimals,
            prices: prices(a.price),
            ltv: Decimal::zero(),
            liquidation_threshold: Decimal::from_bps(a.lt_bps),
        })
        .unwrap();
        h.add_deposit(&v).unwrap();
    }
    for (a, d) in borrows {
        let v = value_borrow(&BorrowInput {
            amount: *d,
            decimals: a.decimals,
            prices: prices(a.price),
            borrow_factor: Decimal::from_bps(a.bf_bps),
        })
        .unwrap();
        h.add_borrow(&v).unwrap();
    }
    h
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, max_global_rejects: 200_000, ..ProptestConfig::default() })]

    #[test]
    fn liquidation_of_a_solvent_obligation_raises_its_health_factor(
        deps in proptest::collection::vec((asset(), 1u64..=1_000_000_000_000), 1..=4),
        bors in proptest::collection::vec((asset(), 1u64..=1_000_000_000_000), 1..=3),
        pick in (0usize..4, 0usize..3),
        elapsed in 0i64..=1_200,
        close_factor_bps in 1_000u64..=10_000,
        requested_pct in 1u64..=110,
        fee_bps in 0u64..=5_000,
        depth_bps in 10_001u64..=13_000,
    ) {
        let deposits: Vec<(Asset, u64)> = deps.clone();
        let raw: Vec<(Asset, Decimal)> =
            bors.iter().map(|(a, d)| (*a, Decimal::from_u64(*d))).collect();
        // Scale the debts so that BFDV / UBV = depth: just past the threshold up to 30% beyond.
        let h0 = health(&deposits, &raw);
        prop_assume!(!h0.bf_adjusted_debt_value.is_zero());
        let k = h0.unhealthy_borrow_value.try_mul(Decimal::from_bps(depth_bps)).unwrap()
            .try_div(h0.bf_adjusted_debt_value).unwrap();
        let scaled: Vec<Option<(Asset, Decimal)>> = raw
            .iter()
            .map(|(a, d)| {
                let t = d.try_mul(k).ok()?.try_ceil_u64().ok()?;
                (t <= 1_000_000_000_000_000).then(|| (*a, Decimal::from_u64(t.max(1))))
            })
            .collect();
        prop_assume!(scaled.iter().all(Option::is_some));
        let borrows: Vec<(Asset, Decimal)> = scaled.into_iter().flatten().collect();
        let h = health(&deposits, &borrows);
        prop_assume!(h.is_liquidatable());
        let (ci, di) = (pick.0 % deposits.len(), pick.1 % borrows.len());
        let (ca, cs) = deposits[ci];
        let (da, dd) = borrows[di];
        let (lo, hi) = bonus_range(da.min_bonus_bps, da.max_bonus_bps, ca.min_bonus_bps, ca.max_bonus_bps);
        let pair = PairWeights {
            debt_borrow_factor: Decimal::from_bps(da.bf_bps),
            collateral_threshold: Decimal::from_bps(ca.lt_bps),
        };
        let bonus = match liquidation_bonus(&h, &pair, lo, hi, 1_000, 1_000 + elapsed, 600) {
            Ok(b) => b,
            Err(LiquidationError::PairWorsensHealth) => {
                // Refused only when even no bonus would lower the health factor.
                let no_bonus = Decimal::from_bps(ca.lt_bps).try_mul(h.bf_adjusted_debt_value).unwrap();
                let gain = Decimal::from_bps(da.bf_bps).try_mul(h.unhealthy_borrow_value).unwrap();
                prop_assert!(gain <= no_bonus.try_add(Decimal::from_ratio(1, 1_000_000_000_000).unwrap()).unwrap(),
                    "refused with gain {} vs {}", gain, no_bonus);
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("bonus {e:?}"))),
        };
        let rules = SizingRules {
            close_factor: Decimal::from_bps(close_factor_bps),
            insolvency_ltv: Decimal::from_percent(95),
            dust_threshold_value: Decimal::from_u64(2),
            window_debt_value: h.borrowed_value,
            window_repaid_value: Decimal::zero(),
            protocol_fee: Decimal::from_bps(fee_bps),
        };
        let debt = DebtSide { amount: dd, price: da.price, decimals: da.decimals };
        let coll = CollateralSide {
            shares: cs,
            reserve_assets: assets_of(&ca),
            share_supply: SUPPLY,
            price: ca.price,
            decimals: ca.decimals,
        };
        let max = match plan_liquidation(&h, &debt, &coll, &rules, bonus.rate, u64::MAX) {
            Ok(p) => p.max_repay,
            Err(LiquidationError::Math(e)) => return Err(TestCaseError::fail(format!("math {e:?}"))),
            Err(_) => return Ok(()),
        };
        let requested = ((u128::from(max) * u128::from(requested_pct) / 100) as u64).clamp(1, max);
        let plan = match plan_liquidation(&h, &debt, &coll, &rules, bonus.rate, requested) {
            Ok(p) => p,
            Err(LiquidationError::Math(e)) => return Err(TestCaseError::fail(format!("math {e:?}"))),
            Err(_) => return Ok(()),
        };
        let received = market_value(Decimal::from_u64(plan.seize_amount), ca.price, ca.decimals).unwrap();
        let rounding = unit_value(da.price, da.decimals).unwrap()
            .try_add(unit_value(ca.price, ca.decimals).unwrap().try_mul_u64(3).unwrap()).unwrap()
            .try_add(Decimal::from_ratio(1, 1_000_000_000_000).unwrap()).unwrap();
        prop_assert!(plan.repay_value <= received.try_add(rounding).unwrap(),
            "liquidator pays {} for {} (rounding allowance {}): {:?}", plan.repay_value, received, rounding, plan);
        // Apply it as the program does: debt removed by the repayment (all of it when it covers
        // the rounded-up debt), the seized shares leave the position, the reserve's assets and
        // shares both fall by what was redeemed.
        let mut deposits_after = deposits.clone();
        deposits_after[ci].1 = cs - plan.seize_shares;
        let mut borrows_after = borrows.clone();
        let debt_after = if plan.repay_amount >= dd.try_ceil_u64().unwrap() {
            Decimal::zero()
        } else {
            dd.try_sub(Decimal::from_u64(plan.repay_amount)).unwrap()
        };
        borrows_after[di].1 = debt_after;
        let deposits_after: Vec<(Asset, u64)> = deposits_after.into_iter().filter(|d| d.1 > 0).collect();
        let borrows_after: Vec<(Asset, Decimal)> =
            borrows_after.into_iter().filter(|b| !b.1.is_zero()).collect();
        let after = health(&deposits_after, &borrows_after);
        if after.bf_adjusted_debt_value.is_zero() || h.borrowed_value >= h.deposited_value {
            return Ok(());
        }
        let lhs = after.unhealthy_borrow_value.try_mul(h.bf_adjusted_debt_value).unwrap();
        let rhs = h.unhealthy_borrow_value.try_mul(after.bf_adjusted_debt_value).unwrap();
        prop_assert!(lhs > rhs, "HF fell: {:?} -> {:?} with {:?} bonus {:?}", h, after, plan, bonus);
    }
}

/// A reserve whose base unit is worth at most $0.01, the listing bound on a unit's value (past it
/// the minimum seizure does not apply: `no_liquidation_takes_more_than_its_bonus_beyond_unit_rounding`).
fn coarse_asset() -> impl Strategy<Value = Asset> {
    (asset(), 1u64..=10_000).prop_map(|(mut a, unit_micro_usd)| {
        // price = unit value × 10^decimals, unit value in millionths of a dollar.
        a.price = Decimal::from_ratio(
            u128::from(unit_micro_usd) * 10u128.pow(u32::from(a.decimals)),
            1_000_000,
        )
        .unwrap();
        a
    })
}

/// The obligation's totals after `plan` repaid `borrows[di]` and seized from `deposits[ci]`,
/// applied as the program applies it, recomputed from scratch.
fn health_after(
    deposits: &[(Asset, u64)],
    borrows: &[(Asset, Decimal)],
    (ci, di): (usize, usize),
    plan: &lending_math::liquidation::LiquidationPlan,
) -> Health {
    let mut deposits_after = deposits.to_vec();
    deposits_after[ci].1 -= plan.seize_shares;
    let mut borrows_after = borrows.to_vec();
    let dd = borrows[di].1;
    borrows_after[di].1 = if plan.repay_amount >= dd.try_ceil_u64().unwrap() {
        Decimal::zero()
    } else {
        dd.try_sub(Decimal::from_u64(plan.repay_amount)).unwrap()
    };
    let deposits_after: Vec<(Asset, u64)> =
        deposits_after.into_iter().filter(|d| d.1 > 0).collect();
    let borrows_after: Vec<(Asset, Decimal)> = borrows_after
        .into_iter()
        .filter(|b| !b.1.is_zero())
        .collect();
    health(&deposits_after, &borrows_after)
}

/// An obligation's totals, its borrows and the sizing rules of a test case.
type Liquidatable = (Health, Vec<(Asset, Decimal)>, SizingRules);

/// An obligation of `deps` and of `bors` (debts in thousandths of a base unit: fractional, as
/// accrued debt is) scaled so that `BFDV / UBV = depth`, with its sizing rules; `None` when it
/// is not liquidatable.
fn liquidatable(
    deps: &[(Asset, u64)],
    bors: &[(Asset, u64)],
    depth_bps: u64,
    close_factor_bps: u64,
    fee_bps: u64,
) -> Option<Liquidatable> {
    let raw: Vec<(Asset, Decimal)> = bors
        .iter()
        .map(|(a, d)| (*a, Decimal::from_ratio(u128::from(*d), 1_000).unwrap()))
        .collect();
    let h0 = health(deps, &raw);
    if h0.bf_adjusted_debt_value.is_zero() {
        return None;
    }
    let k = h0
        .unhealthy_borrow_value
        .try_mul(Decimal::from_bps(depth_bps))
        .ok()?
        .try_div(h0.bf_adjusted_debt_value)
        .ok()?;
    let borrows: Vec<(Asset, Decimal)> = raw
        .iter()
        .map(|(a, d)| (*a, d.try_mul(k).unwrap()))
        .collect();
    if borrows.iter().any(|b| b.1.is_zero()) {
        return None;
    }
    let h = health(deps, &borrows);
    let rules = SizingRules {
        close_factor: Decimal::from_bps(close_factor_bps),
        insolvency_ltv: Decimal::from_percent(95),
        dust_threshold_value: Decimal::from_u64(1),
        window_debt_value: h.borrowed_value,
        window_repaid_value: Decimal::zero(),
        protocol_fee: Decimal::from_bps(fee_bps),
    };
    h.is_liquidatable().then_some((h, borrows, rules))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, max_global_rejects: 4_000_000, ..ProptestConfig::default() })]

    /// INV-16 on the math: every liquidatable obligation, down to positions of a few base units
    /// (where one collateral unit may be worth more than a whole debt), admits a liquidation
    /// through some pair that passes the program's health rule (`liquidation_improves`). The
    /// soak found two such positions the rule refused before: a dust debt whose repayment
    /// seized nothing, and a last collateral taken whole beside a second, dust debt.
    #[test]
    fn some_pair_liquidates_every_liquidatable_obligation(
        deps in proptest::collection::vec((coarse_asset(), 1u64..=3_000), 1..=3),
        bors in proptest::collection::vec((coarse_asset(), 1u64..=3_000_000), 1..=3),
        close_factor_bps in 1_000u64..=10_000,
        fee_bps in 0u64..=5_000,
        depth_bps in 10_001u64..=16_000,
        elapsed in 0i64..=1_200,
    ) {
        let found = liquidatable(&deps, &bors, depth_bps, close_factor_bps, fee_bps);
        prop_assume!(found.is_some());
        let (h, borrows, rules) = found.unwrap();
        let mut refusals = Vec::new();
        for (ci, (ca, cs)) in deps.iter().enumerate() {
            for (di, (da, dd)) in borrows.iter().enumerate() {
                let (lo, hi) = bonus_range(da.min_bonus_bps, da.max_bonus_bps, ca.min_bonus_bps, ca.max_bonus_bps);
                let pair = PairWeights {
                    debt_borrow_factor: Decimal::from_bps(da.bf_bps),
                    collateral_threshold: Decimal::from_bps(ca.lt_bps),
                };
                let bonus = match liquidation_bonus(&h, &pair, lo, hi, 1_000, 1_000 + elapsed, 600) {
                    Ok(b) => b,
                    Err(e) => { refusals.push(format!("({ci},{di}) bonus {e:?}")); continue; }
                };
                let debt = DebtSide { amount: *dd, price: da.price, decimals: da.decimals };
                let coll = CollateralSide {
                    shares: *cs,
                    reserve_assets: assets_of(ca),
                    share_supply: SUPPLY,
                    price: ca.price,
                    decimals: ca.decimals,
                };
                let plan = match plan_liquidation(&h, &debt, &coll, &rules, bonus.rate, u64::MAX) {
                    Ok(p) => p,
                    Err(e) => { refusals.push(format!("({ci},{di}) plan {e:?}")); continue; }
                };
                let after = health_after(&deps, &borrows, (ci, di), &plan);
                let tol = Tolerance::for_plan(&plan, &debt, &coll, &pair, bonus.rate).unwrap();
                if liquidation_improves(&h, &after, &tol).unwrap() {
                    return Ok(());
                }
                refusals.push(format!("({ci},{di}) worsens: {after:?} with {plan:?}"));
            }
        }
        prop_assert!(false, "no pair liquidates {:?} of {:?} / {:?}: {}", h, deps, borrows, refusals.join("; "));
    }
}

/// A reserve whose base unit is worth up to $100: a coarse mint whose price rose far past the
/// listing bound.
fn appreciated_asset() -> impl Strategy<Value = Asset> {
    (asset(), 1u64..=100_000_000).prop_map(|(mut a, unit_micro_usd)| {
        a.price = Decimal::from_ratio(
            u128::from(unit_micro_usd) * 10u128.pow(u32::from(a.decimals)),
            1_000_000,
        )
        .unwrap();
        a
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, max_global_rejects: 4_000_000, ..ProptestConfig::default() })]

    /// The independent review's finding: a dust repayment took a whole unit of a 0-decimal
    /// collateral worth $8 ($7 past the bonus) and made a solvent obligation insolvent. Over
    /// units worth up to $100, the collateral a liquidation takes is worth at most the debt it
    /// removes times `1 + b`, plus the rounding-up of one debt unit, plus (only for units within
    /// the $0.01 rounding bound) the minimum seizure of one share.
    #[test]
    fn no_liquidation_takes_more_than_its_bonus_beyond_unit_rounding(
        deps in proptest::collection::vec((appreciated_asset(), 1u64..=3_000), 1..=3),
        bors in proptest::collection::vec((appreciated_asset(), 1u64..=3_000_000), 1..=3),
        close_factor_bps in 1_000u64..=10_000,
        depth_bps in 10_001u64..=16_000,
        requested_pct in 1u64..=110,
    ) {
        let found = liquidatable(&deps, &bors, depth_bps, close_factor_bps, 0);
        prop_assume!(found.is_some());
        let (h, borrows, rules) = found.unwrap();
        for (ca, cs) in &deps {
            for (da, dd) in &borrows {
                let (lo, hi) = bonus_range(da.min_bonus_bps, da.max_bonus_bps, ca.min_bonus_bps, ca.max_bonus_bps);
                let pair = PairWeights {
                    debt_borrow_factor: Decimal::from_bps(da.bf_bps),
                    collateral_threshold: Decimal::from_bps(ca.lt_bps),
                };
                let Ok(bonus) = liquidation_bonus(&h, &pair, lo, hi, 1_000, 1_000, 600) else { continue };
                let debt = DebtSide { amount: *dd, price: da.price, decimals: da.decimals };
                let coll = CollateralSide {
                    shares: *cs,
                    reserve_assets: assets_of(ca),
                    share_supply: SUPPLY,
                    price: ca.price,
                    decimals: ca.decimals,
                };
                let Ok(max) = plan_liquidation(&h, &debt, &coll, &rules, bonus.rate, u64::MAX) else { continue };
                let requested = ((u128::from(max.max_repay) * u128::from(requested_pct) / 100) as u64)
                    .clamp(1, max.max_repay);
                let Ok(plan) = plan_liquidation(&h, &debt, &coll, &rules, bonus.rate, requested) else { continue };
                let one_plus_b = Decimal::one().try_add(bonus.rate).unwrap();
                let removed = Decimal::from_u64(plan.repay_amount).min(*dd);
                let fair = market_value(removed, da.price, da.decimals).unwrap().try_mul(one_plus_b).unwrap();
                let taken = market_value(
                    shares::assets_for_shares(plan.seize_shares, assets_of(ca), SUPPLY).unwrap(),
                    ca.price,
                    ca.decimals,
                ).unwrap();
                let mut allowance = unit_value(da.price, da.decimals).unwrap().try_mul(one_plus_b).unwrap()
                    .try_add(Decimal::from_ratio(1, 1_000_000_000_000).unwrap()).unwrap();
                if plan.minimum_seizure {
                    prop_assert!(unit_value(ca.price, ca.decimals).unwrap() <= Decimal::from_bps(100),
                        "a minimum seizure of a unit worth {}", unit_value(ca.price, ca.decimals).unwrap());
                    allowance = allowance.try_add(taken).unwrap();
                }
                prop_assert!(taken <= fair.try_add(allowance).unwrap(),
                    "took {} for {} of debt (fair {}, allowance {}): {:?}", taken, removed, fair, allowance, plan);
            }
        }
    }
}
