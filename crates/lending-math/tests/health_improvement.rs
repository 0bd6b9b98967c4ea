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
    auction_bonus, bonus_range, liquidation_bonus, liquidation_improves, plan_liquidation,
    CollateralSide, DebtSide, LiquidationError, PairWeights, Sizing, SizingRules, TargetSizing,
    Tolerance,
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

/// A target health factor: off (0) one case in three, else 1.01 to 1.50 (bps).
fn target_bps() -> impl Strategy<Value = u64> {
    prop_oneof![1 => Just(0u64), 2 => 10_100u64..=15_000]
}

/// `rules` with target-health sizing at `target_bps` (0 = off) for the pair `pair`, whose
/// auction stands at `auction`.
fn targeting(
    rules: &SizingRules,
    target_bps: u64,
    auction: Decimal,
    pair: PairWeights,
) -> SizingRules {
    SizingRules {
        target: (target_bps > 0).then_some(TargetSizing {
            health: Decimal::from_bps(target_bps),
            auction_bonus: auction,
            pair,
        }),
        ..*rules
    }
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
        target_bps in target_bps(),
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
            target: None,
        };
        let auction = auction_bonus(lo, hi, 1_000, 1_000 + elapsed, 600).unwrap();
        let rules = targeting(&rules, target_bps, auction, pair);
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
    borrows_after[di].1 = if plan.repay_amount >= dd.ceil_u64_saturating() {
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
        target: None,
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
        target_bps in target_bps(),
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
                let auction = auction_bonus(lo, hi, 1_000, 1_000 + elapsed, 600).unwrap();
                let rules = targeting(&rules, target_bps, auction, pair);
                let plan = match plan_liquidation(&h, &debt, &coll, &rules, bonus.rate, u64::MAX) {
                    Ok(p) => p,
                    Err(e) => { refusals.push(format!("({ci},{di}) plan {e:?}")); continue; }
                };
                let after = health_after(&deps, &borrows, (ci, di), &plan);
                let tol = Tolerance::for_plan(&plan, &debt, &coll, &pair).unwrap();
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
        target_bps in target_bps(),
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
                let rules = targeting(&rules, target_bps, lo, pair);
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
                let one_plus_b = Decimal::one().try_add(plan.bonus).unwrap();
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

/// The debt and collateral sides of repaying `dd` of `da` and seizing from `cs` shares of `ca`.
fn sides((ca, cs): (&Asset, u64), (da, dd): (&Asset, Decimal)) -> (DebtSide, CollateralSide) {
    (
        DebtSide {
            amount: dd,
            price: da.price,
            decimals: da.decimals,
        },
        CollateralSide {
            shares: cs,
            reserve_assets: assets_of(ca),
            share_supply: SUPPLY,
            price: ca.price,
            decimals: ca.decimals,
        },
    )
}

/// The pair's weights, its auction's rate and its bonus, `elapsed` seconds into the episode.
fn pair_terms(
    h: &Health,
    (ca, da): (&Asset, &Asset),
    elapsed: i64,
) -> Option<(PairWeights, Decimal, Decimal)> {
    let (lo, hi) = bonus_range(
        da.min_bonus_bps,
        da.max_bonus_bps,
        ca.min_bonus_bps,
        ca.max_bonus_bps,
    );
    let pair = PairWeights {
        debt_borrow_factor: Decimal::from_bps(da.bf_bps),
        collateral_threshold: Decimal::from_bps(ca.lt_bps),
    };
    let bonus = liquidation_bonus(h, &pair, lo, hi, 1_000, 1_000 + elapsed, 600).ok()?;
    Some((
        pair,
        auction_bonus(lo, hi, 1_000, 1_000 + elapsed, 600).ok()?,
        bonus.rate,
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, max_global_rejects: 400_000, ..ProptestConfig::default() })]

    /// Issue 15 on the math: the largest liquidation a target-sized plan allows leaves the
    /// obligation at or above the target health factor (its unit rounding counted back, as
    /// `liquidation_improves` does), or takes the pair whole (the deposit seized, or the borrow
    /// cleared). It passes the close factor only at the auction's rate, without the health ramp.
    #[test]
    fn target_sized_liquidation_reaches_the_target_or_takes_the_pair(
        deps in proptest::collection::vec((asset(), 1_000_000u64..=1_000_000_000_000), 1..=4),
        bors in proptest::collection::vec((asset(), 1_000_000u64..=1_000_000_000_000_000), 1..=3),
        close_factor_bps in 1_000u64..=10_000,
        depth_bps in 10_001u64..=13_000,
        thf_bps in 10_100u64..=15_000,
        elapsed in 0i64..=1_200,
    ) {
        let found = liquidatable(&deps, &bors, depth_bps, close_factor_bps, 1_000);
        prop_assume!(found.is_some());
        let (h, borrows, rules) = found.unwrap();
        let thf = Decimal::from_bps(thf_bps);
        for (ci, (ca, cs)) in deps.iter().enumerate() {
            for (di, (da, dd)) in borrows.iter().enumerate() {
                let Some((pair, auction, bonus)) = pair_terms(&h, (ca, da), elapsed) else { continue };
                let rules = targeting(&rules, thf_bps, auction, pair);
                let (debt, coll) = sides((ca, *cs), (da, *dd));
                let plan = match plan_liquidation(&h, &debt, &coll, &rules, bonus, u64::MAX) {
                    Ok(p) => p,
                    Err(LiquidationError::Math(e)) => return Err(TestCaseError::fail(format!("math {e:?}"))),
                    Err(_) => continue,
                };
                if plan.sizing == Sizing::Full {
                    continue; // insolvent or dust: the whole borrow, as before
                }
                prop_assert!(matches!(plan.sizing, Sizing::Target | Sizing::PastCloseFactor));
                if plan.sizing == Sizing::PastCloseFactor {
                    prop_assert!(plan.bonus <= auction.min(bonus), "bonus {} past the close factor", plan.bonus);
                } else {
                    prop_assert_eq!(plan.bonus, bonus);
                }
                let takes_pair = plan.seize_shares == *cs || plan.repay_amount >= dd.ceil_u64_saturating();
                let after = health_after(&deps, &borrows, (ci, di), &plan);
                if takes_pair || after.bf_adjusted_debt_value.is_zero() {
                    continue;
                }
                let tol = Tolerance::for_plan(&plan, &debt, &coll, &pair).unwrap();
                let lhs = after.unhealthy_borrow_value.try_add(tol.unhealthy_value).unwrap();
                let rhs = after.bf_adjusted_debt_value.try_mul(thf).unwrap()
                    .try_mul(Decimal::one().try_sub(Decimal::from_ratio(1, 1_000_000_000).unwrap()).unwrap()).unwrap();
                prop_assert!(lhs >= rhs, "HF {} below the target {} after {:?} of {:?}",
                    after.unhealthy_borrow_value.try_div(after.bf_adjusted_debt_value).unwrap(), thf, plan, h);
            }
        }
    }

    /// Issue 15's episode bound: liquidating an obligation again and again (the largest each
    /// time, a new slot each time, through the first pair that plans) until it is healthy or
    /// has no debt, the borrower pays in bonus (collateral taken less debt repaid, in value) no
    /// more than one liquidation of all of its first debt at the largest bonus, beyond unit
    /// rounding. With the close factor alone the drain of `successful_target_sizing_ends_the_
    /// drain_of_a_position_near_its_bonus_line` pays that bound many times over in a few steps.
    #[test]
    fn an_episode_of_target_sized_liquidations_pays_at_most_one_max_bonus(
        deps in proptest::collection::vec((asset(), 1_000_000u64..=1_000_000_000_000), 1..=3),
        bors in proptest::collection::vec((asset(), 1_000_000u64..=1_000_000_000_000_000), 1..=3),
        close_factor_bps in 1_000u64..=5_000,
        depth_bps in 10_001u64..=12_000,
        thf_bps in 10_100u64..=12_000,
        elapsed in 0i64..=1_200,
    ) {
        let found = liquidatable(&deps, &bors, depth_bps, close_factor_bps, 0);
        prop_assume!(found.is_some());
        let (h0, mut borrows, rules) = found.unwrap();
        let mut deposits = deps.clone();
        let hi_max = deps.iter().map(|d| d.0).chain(borrows.iter().map(|b| b.0))
            .map(|a| a.max_bonus_bps).max().unwrap_or(0);
        let bound = h0.borrowed_value.try_mul(Decimal::from_bps(u64::from(hi_max))).unwrap();
        let (mut paid, mut rounding, mut h) = (Decimal::zero(), Decimal::zero(), h0);
        for _ in 0..20 {
            if !h.is_liquidatable() || h.borrowed_value.is_zero() {
                break;
            }
            let mut step = None;
            'pairs: for (ci, (ca, cs)) in deposits.iter().enumerate() {
                for (di, (da, dd)) in borrows.iter().enumerate() {
                    let Some((pair, auction, bonus)) = pair_terms(&h, (ca, da), elapsed) else { continue };
                    let rules = SizingRules { window_debt_value: h.borrowed_value, ..targeting(&rules, thf_bps, auction, pair) };
                    let (debt, coll) = sides((ca, *cs), (da, *dd));
                    if let Ok(p) = plan_liquidation(&h, &debt, &coll, &rules, bonus, u64::MAX) {
                        step = Some((ci, di, p, unit_value(da.price, da.decimals).unwrap()
                            .try_add(unit_value(ca.price, ca.decimals).unwrap()).unwrap()));
                        break 'pairs;
                    }
                }
            }
            let Some((ci, di, plan, units)) = step else { break };
            let removed = Decimal::from_u64(plan.repay_amount).min(borrows[di].1);
            let removed_value = market_value(removed, borrows[di].0.price, borrows[di].0.decimals).unwrap();
            let taken = market_value(
                shares::assets_for_shares(plan.seize_shares, assets_of(&deposits[ci].0), SUPPLY).unwrap(),
                deposits[ci].0.price,
                deposits[ci].0.decimals,
            ).unwrap();
            paid = paid.try_add(taken.saturating_sub(removed_value)).unwrap();
            rounding = rounding.try_add(units).unwrap();
            let after = health_after(&deposits, &borrows, (ci, di), &plan);
            deposits[ci].1 -= plan.seize_shares;
            borrows[di].1 = if plan.repay_amount >= borrows[di].1.ceil_u64_saturating() {
                Decimal::zero()
            } else {
                borrows[di].1.try_sub(Decimal::from_u64(plan.repay_amount)).unwrap()
            };
            deposits.retain(|d| d.1 > 0);
            borrows.retain(|b| !b.1.is_zero());
            h = after;
        }
        prop_assert!(paid <= bound.try_add(rounding).unwrap(),
            "paid {} in bonus, bound {} (+{} rounding) on {:?}", paid, bound, rounding, h0);
    }
}
