//! E-mode groups on the math: over random valid groups, reserves with their own parameters
//! (most of them members of the group, some not: a reserve the admin removed after the
//! obligation joined), prices, pairs and amounts, an obligation of the group valued with
//! [`emode::effective`] parameters keeps every liquidation guarantee:
//! - the bonus stays within the pair's bounds, the group's `[min, max]` for two members, and
//!   falls below `min` only through a cap (solvency, health) or insolvency;
//! - every liquidation of a solvent obligation strictly raises its health factor (INV-17),
//!   recomputed from scratch from the positions it leaves, save for the documented unit
//!   rounding of positions worth a few base units (a minimum seizure, the last collateral),
//!   which must then pass the program's own rule (`liquidation_improves`);
//! - the close factor bounds a liquidation sized by it or by the target, and a liquidation
//!   repaying its whole allowance under target sizing reaches the target health;
//! - an obligation within its borrow limit under the group's parameters is not liquidatable
//!   under them (the guard of `set_obligation_group`).

use lending_math::emode::{self, RiskParams};
use lending_math::health::{value_borrow, value_deposit, BorrowInput, DepositInput, Health};
use lending_math::liquidation::{
    auction_bonus, liquidation_bonus, liquidation_improves, plan_liquidation, BonusSource,
    CollateralSide, DebtSide, LiquidationError, PairWeights, Sizing, SizingRules, TargetSizing,
    Tolerance,
};
use lending_math::price::Prices;
use lending_math::{shares, Decimal};
use proptest::prelude::*;

const GROUP: u8 = 3;

#[derive(Clone, Copy, Debug)]
struct Asset {
    price: Decimal,
    decimals: u8,
    own: RiskParams,
    bf_bps: u64,
    member: bool,
    share_value_bps: u64,
}

impl Asset {
    fn mask(&self) -> u64 {
        if self.member {
            emode::group_bit(GROUP).unwrap() | emode::group_bit(1).unwrap()
        } else {
            emode::group_bit(1).unwrap()
        }
    }

    fn risk(&self, group: Option<(u8, RiskParams)>) -> RiskParams {
        emode::effective(self.own, self.mask(), group)
    }
}

/// Parameters obeying the listing rule `LTV < LT`, `min ≤ max`, `LT × (1 + max) < 1`, with the
/// threshold in `lt_range`.
fn params(lt_range: std::ops::RangeInclusive<u16>) -> impl Strategy<Value = RiskParams> {
    (lt_range, 0u16..=2_000, 0u16..=600, 0u16..=1_200).prop_map(|(lt, ltv_gap, min_b, extra)| {
        let room = (100_000_000 / u32::from(lt)).saturating_sub(10_001) as u16;
        let max_b = (min_b + extra).min(room);
        RiskParams {
            ltv_bps: lt.saturating_sub(1 + ltv_gap),
            liquidation_threshold_bps: lt,
            min_bonus_bps: min_b.min(max_b),
            max_bonus_bps: max_b,
        }
    })
}

fn group() -> impl Strategy<Value = RiskParams> {
    params(8_000..=emode::MAX_GROUP_LIQUIDATION_THRESHOLD_BPS)
        .prop_filter("valid group", |g| emode::validate_group(g).is_ok())
}

fn asset() -> impl Strategy<Value = Asset> {
    (
        1u64..=10_000_000,
        0u8..=9,
        params(5_000..=9_000),
        10_000u64..=15_000,
        prop_oneof![5 => Just(true), 1 => Just(false)],
        10_000u64..=13_000,
    )
        .prop_map(|(px, decimals, own, bf, member, sv)| Asset {
            price: Decimal::from_ratio(u128::from(px), 1_000).unwrap(),
            decimals,
            own,
            bf_bps: bf,
            member,
            share_value_bps: sv,
        })
}

fn flat(p: Decimal) -> Prices {
    Prices {
        spot: p,
        ema: p,
        conf: Decimal::zero(),
    }
}

const SUPPLY: u64 = 4_000_000_000_000_000;

fn assets_of(a: &Asset) -> Decimal {
    Decimal::from_u64(SUPPLY)
        .try_mul(Decimal::from_bps(a.share_value_bps))
        .unwrap()
}

/// From-scratch health of deposits (asset, shares) and borrows (asset, debt tokens) of an
/// obligation in `group`, at `prices` of each asset.
fn health_with(
    deposits: &[(Asset, u64)],
    borrows: &[(Asset, Decimal)],
    group: Option<(u8, RiskParams)>,
    prices: impl Fn(&Asset) -> Prices,
) -> Health {
    let mut h = Health::default();
    for (a, s) in deposits {
        let risk = a.risk(group);
        let amount = shares::assets_for_shares(*s, assets_of(a), SUPPLY).unwrap();
        let v = value_deposit(&DepositInput {
            amount,
            decimals: a.decimals,
            prices: prices(a),
            ltv: risk.ltv(),
            liquidation_threshold: risk.liquidation_threshold(),
        })
        .unwrap();
        h.add_deposit(&v).unwrap();
    }
    for (a, d) in borrows {
        let v = value_borrow(&BorrowInput {
            amount: *d,
            decimals: a.decimals,
            prices: prices(a),
            borrow_factor: Decimal::from_bps(a.bf_bps),
        })
        .unwrap();
        h.add_borrow(&v).unwrap();
    }
    h
}

fn health(deposits: &[(Asset, u64)], borrows: &[(Asset, Decimal)], g: RiskParams) -> Health {
    health_with(deposits, borrows, Some((GROUP, g)), |a| flat(a.price))
}

/// `a/b > c/d` on health factors, compared without division.
fn hf_above(after: &Health, before: &Health) -> bool {
    let lhs = after
        .unhealthy_borrow_value
        .try_mul(before.bf_adjusted_debt_value)
        .unwrap();
    let rhs = before
        .unhealthy_borrow_value
        .try_mul(after.bf_adjusted_debt_value)
        .unwrap();
    lhs > rhs
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, max_global_rejects: 200_000, ..ProptestConfig::default() })]

    #[test]
    fn group_liquidation_raises_health_within_the_group_bounds(
        g in group(),
        deps in proptest::collection::vec((asset(), 1u64..=1_000_000_000_000), 1..=3),
        bors in proptest::collection::vec((asset(), 1u64..=1_000_000_000_000), 1..=2),
        pick in (0usize..3, 0usize..2),
        elapsed in 0i64..=1_200,
        close_factor_bps in 1_000u64..=10_000,
        requested_pct in 1u64..=120,
        fee_bps in 0u64..=5_000,
        depth_bps in 10_001u64..=12_000,
        target_bps in prop_oneof![1 => Just(0u64), 2 => 10_100u64..=15_000],
    ) {
        let raw: Vec<(Asset, Decimal)> =
            bors.iter().map(|(a, d)| (*a, Decimal::from_u64(*d))).collect();
        let h0 = health(&deps, &raw, g);
        prop_assume!(!h0.bf_adjusted_debt_value.is_zero());
        let k = h0.unhealthy_borrow_value.try_mul(Decimal::from_bps(depth_bps)).unwrap()
            .try_div(h0.bf_adjusted_debt_value).unwrap();
        let scaled: Option<Vec<(Asset, Decimal)>> = raw
            .iter()
            .map(|(a, d)| {
                let t = d.try_mul(k).ok()?.try_ceil_u64().ok()?;
                (t <= 1_000_000_000_000_000).then(|| (*a, Decimal::from_u64(t.max(1))))
            })
            .collect();
        let Some(borrows) = scaled else { return Ok(()) };
        let h = health(&deps, &borrows, g);
        prop_assume!(h.is_liquidatable());
        let (ci, di) = (pick.0 % deps.len(), pick.1 % borrows.len());
        let (ca, cs) = deps[ci];
        let (da, dd) = borrows[di];
        let active = Some((GROUP, g));
        let (debt_risk, coll_risk) = (da.risk(active), ca.risk(active));
        let (lo, hi) = emode::pair_bonus_range(&debt_risk, &coll_risk);
        if da.member && ca.member {
            prop_assert_eq!((lo, hi), (Decimal::from_bps(u64::from(g.min_bonus_bps)), Decimal::from_bps(u64::from(g.max_bonus_bps))));
        }
        let pair = PairWeights {
            debt_borrow_factor: Decimal::from_bps(da.bf_bps),
            collateral_threshold: coll_risk.liquidation_threshold(),
        };
        let bonus = match liquidation_bonus(&h, &pair, lo, hi, 1_000, 1_000 + elapsed, 600) {
            Ok(b) => b,
            Err(LiquidationError::PairWorsensHealth) => {
                // Refused only when even no bonus would lower the health factor.
                let no_bonus = pair.collateral_threshold.try_mul(h.bf_adjusted_debt_value).unwrap();
                let gain = pair.debt_borrow_factor.try_mul(h.unhealthy_borrow_value).unwrap();
                prop_assert!(gain <= no_bonus.try_add(Decimal::from_ratio(1, 1_000_000_000_000).unwrap()).unwrap());
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("bonus {e:?}"))),
        };
        prop_assert!(bonus.rate <= hi, "bonus {} past the bound {}", bonus.rate, hi);
        let capped = matches!(bonus.source, BonusSource::SolvencyCap | BonusSource::HealthCap | BonusSource::Insolvent);
        prop_assert!(capped || bonus.rate >= lo, "bonus {} under {} from {:?}", bonus.rate, lo, bonus.source);

        let auction = auction_bonus(lo, hi, 1_000, 1_000 + elapsed, 600).unwrap();
        let rules = SizingRules {
            close_factor: Decimal::from_bps(close_factor_bps),
            insolvency_ltv: Decimal::from_percent(95),
            dust_threshold_value: Decimal::from_u64(2),
            window_debt_value: h.borrowed_value,
            window_repaid_value: Decimal::zero(),
            protocol_fee: Decimal::from_bps(fee_bps),
            target: (target_bps > 0).then_some(TargetSizing {
                health: Decimal::from_bps(target_bps),
                auction_bonus: auction,
                pair,
            }),
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
        prop_assert!(plan.bonus <= bonus.rate && plan.bonus <= hi);
        let one_debt_unit = lending_math::health::unit_value(da.price, da.decimals).unwrap();
        if plan.sizing == Sizing::PastCloseFactor {
            prop_assert!(plan.bonus <= auction);
        } else if !plan.full_liquidation {
            let cf = h.borrowed_value.try_mul(rules.close_factor).unwrap();
            prop_assert!(plan.repay_value <= cf.try_add(one_debt_unit).unwrap(),
                "repaid {} past the close factor {}", plan.repay_value, cf);
        }

        // Apply the plan as the program does and value the rest from scratch.
        let mut deposits_after = deps.clone();
        deposits_after[ci].1 = cs - plan.seize_shares;
        let mut borrows_after = borrows.clone();
        borrows_after[di].1 = if plan.repay_amount >= dd.try_ceil_u64().unwrap() {
            Decimal::zero()
        } else {
            dd.try_sub(Decimal::from_u64(plan.repay_amount)).unwrap()
        };
        let deposits_after: Vec<(Asset, u64)> = deposits_after.into_iter().filter(|d| d.1 > 0).collect();
        let borrows_after: Vec<(Asset, Decimal)> = borrows_after.into_iter().filter(|b| !b.1.is_zero()).collect();
        let after = health(&deposits_after, &borrows_after, g);
        if after.bf_adjusted_debt_value.is_zero() || h.borrowed_value >= h.deposited_value {
            return Ok(());
        }
        if !hf_above(&after, &h) {
            // Only the documented unit rounding of a position worth a few base units: a
            // minimum seizure, or the last collateral taken; and then the program's own rule.
            prop_assert!(plan.minimum_seizure || deposits_after.is_empty(),
                "HF fell: {:?} -> {:?} with {:?}", h, after, plan);
            let tol = Tolerance::for_plan(&plan, &debt, &coll, &pair).unwrap();
            prop_assert!(liquidation_improves(&h, &after, &tol).unwrap(),
                "HF fell past the rounding tolerance: {:?} -> {:?} with {:?}", h, after, plan);
        }
        // Through the pair, the target is reached unless the pair ran out first: the whole
        // borrow repaid, or the whole deposit seized.
        let pair_left = plan.repay_amount < dd.try_ceil_u64().unwrap() && plan.seize_shares < cs;
        if plan.sizing == Sizing::Target && requested == max && pair_left && !plan.minimum_seizure {
            let thf = Decimal::from_bps(target_bps);
            let lifted = after.unhealthy_borrow_value
                >= thf.try_mul(after.bf_adjusted_debt_value).unwrap().saturating_sub(one_debt_unit);
            prop_assert!(lifted, "target {} not reached: {:?}", thf, after);
        }
    }

    #[test]
    fn within_the_group_borrow_limit_is_never_liquidatable_under_it(
        g in group(),
        deps in proptest::collection::vec((asset(), 1u64..=1_000_000_000_000), 1..=3),
        bors in proptest::collection::vec((asset(), 1u64..=1_000_000_000_000), 1..=2),
        ema_bps in 8_000u64..=12_000,
        conf_bps in 0u64..=300,
        usage_bps in 5_000u64..=10_000,
    ) {
        let prices = |a: &Asset| Prices {
            spot: a.price,
            ema: a.price.try_mul(Decimal::from_bps(ema_bps)).unwrap(),
            conf: a.price.try_mul(Decimal::from_bps(conf_bps)).unwrap(),
        };
        let raw: Vec<(Asset, Decimal)> =
            bors.iter().map(|(a, d)| (*a, Decimal::from_u64(*d))).collect();
        let mut within = 0;
        for group in [None, Some((GROUP, g))] {
            // Debts scaled to use `usage` of the borrow limit under these parameters, floored.
            let h0 = health_with(&deps, &raw, group, prices);
            prop_assume!(!h0.bf_adjusted_debt_value_upper.is_zero());
            let k = h0.allowed_borrow_value.try_mul(Decimal::from_bps(usage_bps)).unwrap()
                .try_div(h0.bf_adjusted_debt_value_upper).unwrap();
            let borrows: Vec<(Asset, Decimal)> = raw
                .iter()
                .map(|(a, d)| (*a, Decimal::from_u64(d.try_mul(k).unwrap().try_floor_u64().unwrap_or(0))))
                .collect();
            let h = health_with(&deps, &borrows, group, prices);
            if h.within_borrow_limit() {
                within += 1;
                prop_assert!(!h.is_liquidatable(), "within the limit yet liquidatable: {:?}", h);
            }
        }
        // Scaled to the limit, both valuations are within it (the floor only lowers debt).
        prop_assert_eq!(within, 2);
    }
}
