//! Golden vectors for other languages: health, market value, interest, liquidation bonus,
//! liquidation sizing, whole-obligation valuation, the outflow window, e-mode group parameters and
//! the volatility estimator with the parameters it sets, computed by this crate on seeded random
//! inputs, written to
//! `tests/vectors/lending-math.json`. The TypeScript client math (`sdk/math.ts`) must reproduce
//! every figure exactly; the TS suite reads this file.
//!
//! Usage: `cargo run -p lending-math --example golden_vectors [-- --check]`. Every decimal is
//! a base-10 string of its 1e18-scaled integer (`…Sf`) or of a plain integer.

use std::fmt::Write;
use std::path::Path;
use std::process::ExitCode;

use lending_math::emode::{self, RiskParams};
use lending_math::health::{
    amount_for_value, health_factor_bps, market_value, market_value_ceil, value_borrow,
    value_deposit, BorrowInput, DepositInput, Health,
};
use lending_math::interest::{borrow_rate, compound_factor, CurvePoint, CURVE_POINTS};
use lending_math::liquidation::{
    bonus_range, liquidation_bonus, plan_liquidation, CollateralSide, DebtSide, PairWeights,
    SizingRules, TargetSizing,
};
use lending_math::outflow::{
    estimate_ceil, record_inflow, record_outflow, remaining_floor, roll, OutflowLimit,
    OutflowWindow,
};
use lending_math::price::Prices;
use lending_math::shares::assets_for_shares;
use lending_math::volatility::response::{
    respond, BaseParams, Response, ThresholdPath, VolatilityConfig,
};
use lending_math::volatility::{observe, VolatilityState};
use lending_math::Decimal;

/// Cases per kind.
const CASES: usize = 64;

/// SplitMix64: a fixed, dependency-free generator so the file is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A 1e18-scaled value in [0, max_whole) with a random fraction.
    fn wad(&mut self, max_whole: u64) -> Decimal {
        Decimal::from_u64(self.below(max_whole))
            .try_add(
                Decimal::from_u128(u128::from(self.below(1_000_000_000_000_000_000)))
                    .try_div_u64(1_000_000_000_000_000_000)
                    .unwrap_or_default(),
            )
            .unwrap_or_default()
    }
}

fn sf(d: Decimal) -> String {
    d.0.to_string()
}

fn obj(fields: &[(&str, String)]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "\"{k}\": {v}");
    }
    s.push('}');
    s
}

fn q(s: impl ToString) -> String {
    format!("\"{}\"", s.to_string())
}

fn random_health(r: &mut Rng) -> Health {
    let dv = r.wad(1_000_000);
    let ubv = dv
        .try_mul(Decimal::from_bps(5_000 + r.below(4_000)))
        .unwrap_or_default();
    let abv = ubv
        .try_mul(Decimal::from_bps(8_000 + r.below(1_500)))
        .unwrap_or_default();
    let bv = dv
        .try_mul(Decimal::from_bps(r.below(12_000)))
        .unwrap_or_default();
    let bfdv = bv
        .try_mul(Decimal::from_bps(10_000 + r.below(3_000)))
        .unwrap_or_default();
    let upper = bfdv
        .try_mul(Decimal::from_bps(10_000 + r.below(200)))
        .unwrap_or_default();
    Health {
        deposited_value: dv,
        allowed_borrow_value: abv,
        unhealthy_borrow_value: ubv,
        borrowed_value: bv,
        bf_adjusted_debt_value: bfdv,
        bf_adjusted_debt_value_upper: upper,
    }
}

fn health_json(h: &Health) -> String {
    obj(&[
        ("depositedValueSf", q(sf(h.deposited_value))),
        ("allowedBorrowValueSf", q(sf(h.allowed_borrow_value))),
        ("unhealthyBorrowValueSf", q(sf(h.unhealthy_borrow_value))),
        ("borrowedValueSf", q(sf(h.borrowed_value))),
        ("bfAdjustedDebtValueSf", q(sf(h.bf_adjusted_debt_value))),
        (
            "bfAdjustedDebtValueUpperSf",
            q(sf(h.bf_adjusted_debt_value_upper)),
        ),
    ])
}

fn opt(d: Option<Decimal>) -> String {
    d.map_or("null".into(), |d| q(sf(d)))
}

fn health_cases(r: &mut Rng) -> Vec<String> {
    (0..CASES)
        .map(|_| {
            let h = random_health(r);
            obj(&[
                ("health", health_json(&h)),
                ("healthFactorSf", opt(h.health_factor().ok().flatten())),
                (
                    "healthFactorBps",
                    q(lending_math::health::health_factor_bps(&h).unwrap_or(0)),
                ),
                ("ltvSf", opt(h.ltv().ok().flatten())),
                ("liquidatable", h.is_liquidatable().to_string()),
                ("withinBorrowLimit", h.within_borrow_limit().to_string()),
                ("borrowHeadroomSf", q(sf(h.borrow_headroom()))),
            ])
        })
        .collect()
}

fn value_cases(r: &mut Rng) -> Vec<String> {
    (0..CASES)
        .map(|_| {
            let amount = Decimal::from_u64(r.below(u64::MAX / 2));
            let price = r.wad(100_000);
            let decimals = r.below(13) as u8;
            let value = r.wad(10_000_000);
            obj(&[
                ("amountSf", q(sf(amount))),
                ("priceSf", q(sf(price))),
                ("decimals", decimals.to_string()),
                (
                    "valueFloorSf",
                    q(sf(market_value(amount, price, decimals).unwrap_or_default())),
                ),
                (
                    "valueCeilSf",
                    q(sf(
                        market_value_ceil(amount, price, decimals).unwrap_or_default()
                    )),
                ),
                ("valueSf", q(sf(value))),
                (
                    "amountForValueSf",
                    opt(amount_for_value(value, price, decimals).ok()),
                ),
            ])
        })
        .collect()
}

fn random_curve(r: &mut Rng) -> [CurvePoint; CURVE_POINTS] {
    let kinks = [
        0u32, 2_000, 5_000, 7_000, 8_000, 8_500, 9_000, 9_500, 9_800, 9_900, 10_000,
    ];
    let mut rate = 0u32;
    kinks.map(|u| {
        rate += r.below(if u >= 9_000 { 5_000 } else { 400 }) as u32;
        CurvePoint {
            utilization_bps: u,
            borrow_rate_bps: rate,
        }
    })
}

fn interest_cases(r: &mut Rng) -> Vec<String> {
    (0..CASES)
        .map(|_| {
            let curve = random_curve(r);
            let u = Decimal::from_u128(u128::from(r.below(1_000_000_000_000_000_001)))
                .try_div_u64(1_000_000_000_000_000_000)
                .unwrap_or_default();
            let apr = borrow_rate(&curve, u).unwrap_or_default();
            let secs = match r.below(4) {
                0 => r.below(60),
                1 => r.below(86_400),
                2 => r.below(31_536_000),
                _ => 31_536_000 + r.below(31_536_000),
            };
            let points: Vec<String> = curve
                .iter()
                .map(|p| format!("[{}, {}]", p.utilization_bps, p.borrow_rate_bps))
                .collect();
            obj(&[
                ("curve", format!("[{}]", points.join(", "))),
                ("utilizationSf", q(sf(u))),
                ("borrowRateSf", q(sf(apr))),
                ("elapsedSeconds", q(secs)),
                ("compoundFactorSf", opt(compound_factor(apr, secs).ok())),
            ])
        })
        .collect()
}

fn bonus_inputs(r: &mut Rng) -> (u16, u16, u16, u16, i64, i64, u32) {
    let dmin = 100 + r.below(400) as u16;
    let cmin = 100 + r.below(400) as u16;
    let dmax = dmin + r.below(1_000) as u16;
    let cmax = cmin + r.below(1_000) as u16;
    let now = 1_700_000_000 + r.below(1_000_000) as i64;
    let since = if r.below(3) == 0 {
        0
    } else {
        now - r.below(1_200) as i64
    };
    let auction = if r.below(8) == 0 {
        0
    } else {
        60 + r.below(900) as u32
    };
    (dmin, dmax, cmin, cmax, since, now, auction)
}

fn bonus_cases(r: &mut Rng) -> Vec<String> {
    (0..CASES)
        .map(|_| {
            let h = random_health(r);
            let (dmin, dmax, cmin, cmax, since, now, auction) = bonus_inputs(r);
            let (lo, hi) = bonus_range(dmin, dmax, cmin, cmax);
            let bf_bps = 10_000 + r.below(10_000);
            let lt_bps = 5_000 + r.below(4_500);
            let pair = PairWeights {
                debt_borrow_factor: Decimal::from_bps(bf_bps),
                collateral_threshold: Decimal::from_bps(lt_bps),
            };
            let (rate, source, error) =
                match liquidation_bonus(&h, &pair, lo, hi, since, now, auction) {
                    Ok(b) => (q(sf(b.rate)), b.source.code().to_string(), "null".into()),
                    Err(e) => ("null".into(), "null".into(), q(format!("{e:?}"))),
                };
            obj(&[
                ("health", health_json(&h)),
                ("debtBonusBps", format!("[{dmin}, {dmax}]")),
                ("collateralBonusBps", format!("[{cmin}, {cmax}]")),
                ("loSf", q(sf(lo))),
                ("hiSf", q(sf(hi))),
                ("since", q(since)),
                ("now", q(now)),
                ("auctionSecs", auction.to_string()),
                ("debtBorrowFactorBps", bf_bps.to_string()),
                ("collateralThresholdBps", lt_bps.to_string()),
                ("bonusSf", rate),
                ("source", source),
                ("error", error),
            ])
        })
        .collect()
}

fn sizing_cases(r: &mut Rng) -> Vec<String> {
    (0..CASES)
        .map(|_| {
            let mut h = random_health(r);
            if r.below(5) > 0 {
                h.bf_adjusted_debt_value = h
                    .unhealthy_borrow_value
                    .try_add(r.wad(1_000))
                    .unwrap_or_default();
            }
            // One case in eight a debt past u64::MAX base units (years of interest).
            let amount = if r.below(8) == 0 {
                Decimal::from_u64(u64::MAX)
                    .try_mul(Decimal::one().try_add(r.wad(4)).unwrap_or_default())
                    .unwrap_or_default()
            } else {
                r.wad(1_000_000_000)
            };
            let debt = DebtSide {
                amount,
                price: r
                    .wad(1_000)
                    .try_add(Decimal::from_bps(1))
                    .unwrap_or_default(),
                decimals: r.below(10) as u8,
            };
            let supply = 1 + r.below(1_000_000_000_000);
            let coll = CollateralSide {
                shares: r.below(supply),
                reserve_assets: Decimal::from_u64(supply)
                    .try_mul(Decimal::from_bps(10_000 + r.below(5_000)))
                    .unwrap_or_default(),
                share_supply: supply,
                price: r
                    .wad(1_000)
                    .try_add(Decimal::from_bps(1))
                    .unwrap_or_default(),
                decimals: r.below(10) as u8,
            };
            let rules = SizingRules {
                close_factor: Decimal::from_bps(1_000 + r.below(9_000)),
                insolvency_ltv: Decimal::from_bps(9_000 + r.below(1_000)),
                dust_threshold_value: Decimal::from_u64(r.below(5)),
                window_debt_value: h.borrowed_value,
                window_repaid_value: h
                    .borrowed_value
                    .try_mul(Decimal::from_bps(r.below(3_000)))
                    .unwrap_or_default(),
                protocol_fee: Decimal::from_bps(r.below(3_000)),
                // Target sizing two cases in three.
                target: (r.below(3) > 0).then(|| TargetSizing {
                    health: Decimal::from_bps(10_100 + r.below(4_901)),
                    auction_bonus: Decimal::from_bps(r.below(800)),
                    pair: PairWeights {
                        debt_borrow_factor: Decimal::from_bps(10_000 + r.below(15_000)),
                        collateral_threshold: Decimal::from_bps(5_000 + r.below(4_500)),
                    },
                }),
            };
            let bonus = Decimal::from_bps(r.below(1_500));
            // Mostly a part of what is allowed, sometimes all of it, sometimes more (which repays
            // what is allowed).
            let requested = match (
                plan_liquidation(&h, &debt, &coll, &rules, bonus, u64::MAX),
                r.below(4),
            ) {
                (Ok(p), 0) => p.max_repay + 1 + r.below(1_000),
                (Ok(_), 1) => u64::MAX,
                (Ok(p), _) => 1 + r.below(p.max_repay.max(1)),
                (Err(_), _) => u64::MAX,
            };
            let plan = match plan_liquidation(&h, &debt, &coll, &rules, bonus, requested) {
                Ok(p) => obj(&[
                    ("maxRepay", q(p.max_repay)),
                    ("repayAmount", q(p.repay_amount)),
                    ("repayValueSf", q(sf(p.repay_value))),
                    ("seizeShares", q(p.seize_shares)),
                    ("seizeAmount", q(p.seize_amount)),
                    ("seizeValueSf", q(sf(p.seize_value))),
                    ("protocolFeeAmount", q(p.protocol_fee_amount)),
                    ("liquidatorAmount", q(p.liquidator_amount)),
                    ("fullLiquidation", p.full_liquidation.to_string()),
                    ("dust", p.dust.to_string()),
                    ("minimumSeizure", p.minimum_seizure.to_string()),
                    ("bonusSf", q(sf(p.bonus))),
                    ("sizing", q(p.sizing.code())),
                ]),
                Err(e) => obj(&[("error", q(format!("{e:?}")))]),
            };
            obj(&[
                ("health", health_json(&h)),
                (
                    "debt",
                    obj(&[
                        ("amountSf", q(sf(debt.amount))),
                        ("priceSf", q(sf(debt.price))),
                        ("decimals", debt.decimals.to_string()),
                    ]),
                ),
                (
                    "collateral",
                    obj(&[
                        ("shares", q(coll.shares)),
                        ("reserveAssetsSf", q(sf(coll.reserve_assets))),
                        ("shareSupply", q(coll.share_supply)),
                        ("priceSf", q(sf(coll.price))),
                        ("decimals", coll.decimals.to_string()),
                    ]),
                ),
                (
                    "rules",
                    obj(&[
                        ("closeFactorSf", q(sf(rules.close_factor))),
                        ("insolvencyLtvSf", q(sf(rules.insolvency_ltv))),
                        ("dustThresholdValueSf", q(sf(rules.dust_threshold_value))),
                        ("windowDebtValueSf", q(sf(rules.window_debt_value))),
                        ("windowRepaidValueSf", q(sf(rules.window_repaid_value))),
                        ("protocolFeeSf", q(sf(rules.protocol_fee))),
                        (
                            "target",
                            match &rules.target {
                                None => "null".to_string(),
                                Some(t) => obj(&[
                                    ("healthSf", q(sf(t.health))),
                                    ("auctionBonusSf", q(sf(t.auction_bonus))),
                                    ("debtBorrowFactorSf", q(sf(t.pair.debt_borrow_factor))),
                                    ("collateralThresholdSf", q(sf(t.pair.collateral_threshold))),
                                ]),
                            },
                        ),
                    ]),
                ),
                ("bonusSf", q(sf(bonus))),
                ("requested", q(requested)),
                ("plan", plan),
            ])
        })
        .collect()
}

fn random_prices(r: &mut Rng) -> Prices {
    let spot = r
        .wad(50_000)
        .try_add(Decimal::from_bps(1))
        .unwrap_or_default();
    // The EMA within ±20% of spot, the confidence up to 3% of it.
    let ema = spot
        .try_mul(Decimal::from_bps(8_000 + r.below(4_001)))
        .unwrap_or_default();
    let conf = spot
        .try_mul(Decimal::from_bps(r.below(301)))
        .unwrap_or_default();
    Prices { spot, ema, conf }
}

fn prices_json(p: &Prices) -> [(&'static str, String); 3] {
    [
        ("spotSf", q(sf(p.spot))),
        ("emaSf", q(sf(p.ema))),
        ("confSf", q(sf(p.conf))),
    ]
}

/// Whole obligations valued as `refresh_obligation` values them: deposit shares redeemed at
/// the reserve's assets per share, debts grown by the borrow index, each position priced with
/// spot, EMA and confidence, summed into the cached totals.
fn obligation_cases(r: &mut Rng) -> Vec<String> {
    (0..CASES)
        .map(|_| {
            let mut h = Health::default();
            let mut deposits = Vec::new();
            for _ in 0..1 + r.below(4) {
                let supply = 1 + r.below(1 << 50);
                let assets = Decimal::from_u64(supply)
                    .try_mul(Decimal::from_bps(10_000 + r.below(5_000)))
                    .unwrap_or_default();
                let shares = r.below(supply + 1);
                let decimals = r.below(10) as u8;
                let prices = random_prices(r);
                let lt = 5_000 + r.below(4_000);
                let ltv = lt - 1 - r.below(1_000);
                let amount = assets_for_shares(shares, assets, supply).unwrap_or_default();
                let v = value_deposit(&DepositInput {
                    amount,
                    decimals,
                    prices,
                    ltv: Decimal::from_bps(ltv),
                    liquidation_threshold: Decimal::from_bps(lt),
                })
                .unwrap_or_default();
                let _ = h.add_deposit(&v);
                let mut fields = vec![
                    ("shares", q(shares)),
                    ("reserveAssetsSf", q(sf(assets))),
                    ("shareSupply", q(supply)),
                    ("decimals", decimals.to_string()),
                    ("ltvBps", ltv.to_string()),
                    ("liquidationThresholdBps", lt.to_string()),
                    ("marketValueSf", q(sf(v.market_value))),
                    ("allowedBorrowValueSf", q(sf(v.allowed_borrow_value))),
                    ("unhealthyBorrowValueSf", q(sf(v.unhealthy_borrow_value))),
                ];
                fields.extend(prices_json(&prices));
                deposits.push(obj(&fields));
            }
            let mut borrows = Vec::new();
            for _ in 0..r.below(4) {
                let normalized = r.wad(1 << 40);
                let index = Decimal::one().try_add(r.wad(3)).unwrap_or_default();
                let decimals = r.below(10) as u8;
                let prices = random_prices(r);
                let bf = 10_000 + r.below(15_001);
                let amount = normalized.try_mul(index).unwrap_or_default();
                let v = value_borrow(&BorrowInput {
                    amount,
                    decimals,
                    prices,
                    borrow_factor: Decimal::from_bps(bf),
                })
                .unwrap_or_default();
                let _ = h.add_borrow(&v);
                let mut fields = vec![
                    ("normalizedDebtSf", q(sf(normalized))),
                    ("borrowIndexSf", q(sf(index))),
                    ("decimals", decimals.to_string()),
                    ("borrowFactorBps", bf.to_string()),
                    ("marketValueSf", q(sf(v.market_value))),
                    ("bfAdjustedValueSf", q(sf(v.bf_adjusted_value))),
                    ("bfAdjustedValueUpperSf", q(sf(v.bf_adjusted_value_upper))),
                ];
                fields.extend(prices_json(&prices));
                borrows.push(obj(&fields));
            }
            obj(&[
                ("deposits", format!("[{}]", deposits.join(", "))),
                ("borrows", format!("[{}]", borrows.join(", "))),
                ("health", health_json(&h)),
                ("healthFactorBps", q(health_factor_bps(&h).unwrap_or(0))),
            ])
        })
        .collect()
}

/// Outflow windows: a random limit and state, a time up to three windows on, an amount;
/// the rolled state, estimate, remaining capacity, and the state after an outflow (or null
/// when refused) and after an inflow of that amount.
fn outflow_cases(r: &mut Rng) -> Vec<String> {
    const T0: i64 = 1_700_000_000;
    let window_json = |w: &OutflowWindow| {
        obj(&[
            ("bucketStartTs", q(w.bucket_start)),
            ("previousNet", q(w.previous_net)),
            ("currentNet", q(w.current_net)),
        ])
    };
    (0..CASES)
        .map(|i| {
            let cap = match i % 4 {
                0 => 1 + r.below(1_000),
                1 => 1 + r.below(1_000_000_000_000_000),
                2 => i64::MAX as u64 - r.below(1_000),
                _ => 1 + r.below(100_000_000_000),
            };
            let window_secs = 60 + r.below(7 * 86_400 - 59);
            let limit = OutflowLimit { cap, window_secs };
            let signed = |r: &mut Rng| {
                let v = r.below(cap.saturating_mul(2).max(2)) as i128 - i128::from(cap) / 2;
                i64::try_from(v).unwrap_or(i64::MAX)
            };
            let window = OutflowWindow {
                bucket_start: T0,
                previous_net: signed(r),
                current_net: signed(r).min(cap as i64),
            };
            let now = T0 + r.below(3 * window_secs) as i64 - if i % 16 == 5 { 100 } else { 0 };
            let amount = r.below(cap.saturating_mul(2).max(2));
            let rolled = roll(&window, window_secs, now).unwrap_or_default();
            let outflow = match record_outflow(&limit, &window, now, amount) {
                Ok(w) => window_json(&w),
                Err(_) => "null".to_string(),
            };
            let inflow = record_inflow(&limit, &window, now, amount).unwrap_or_default();
            obj(&[
                ("cap", q(cap)),
                ("windowSecs", q(window_secs)),
                ("window", window_json(&window)),
                ("now", q(now)),
                ("amount", q(amount)),
                ("rolled", window_json(&rolled)),
                (
                    "estimate",
                    q(estimate_ceil(&limit, &window, now).unwrap_or_default()),
                ),
                (
                    "remaining",
                    q(remaining_floor(&limit, &window, now).unwrap_or_default()),
                ),
                ("afterOutflow", outflow),
                ("afterInflow", window_json(&inflow)),
            ])
        })
        .collect()
}

fn risk_json(p: &RiskParams) -> String {
    obj(&[
        ("ltvBps", p.ltv_bps.to_string()),
        (
            "liquidationThresholdBps",
            p.liquidation_threshold_bps.to_string(),
        ),
        ("minBonusBps", p.min_bonus_bps.to_string()),
        ("maxBonusBps", p.max_bonus_bps.to_string()),
    ])
}

fn random_risk(r: &mut Rng) -> RiskParams {
    let lt = 5_000 + r.below(5_000) as u16;
    let min = r.below(800) as u16;
    RiskParams {
        ltv_bps: lt.saturating_sub(r.below(1_200) as u16),
        liquidation_threshold_bps: lt,
        min_bonus_bps: min,
        max_bonus_bps: min + r.below(800) as u16 - if r.below(8) == 0 { 200.min(min) } else { 0 },
    }
}

/// E-mode: a group's validation, the effective parameters of a pair of positions in an
/// obligation of group `groupId` (0 = none) given each reserve's own parameters and membership
/// mask, and the pair's bonus bounds.
fn emode_cases(r: &mut Rng) -> Vec<String> {
    (0..CASES)
        .map(|_| {
            let group = random_risk(r);
            let id = r.below(u64::from(emode::MAX_GROUPS) + 2) as u8;
            let valid = match emode::validate_group(&group) {
                Ok(()) => "ok",
                Err(emode::GroupError::Ltv) => "Ltv",
                Err(emode::GroupError::Bonus) => "Bonus",
            };
            let active = (id > 0).then_some((id, group));
            let mut sides = Vec::new();
            let mut effective = Vec::new();
            for _ in 0..2 {
                let own = random_risk(r);
                let mask = r.next() & ((1 << emode::MAX_GROUPS) - 1);
                let e = emode::effective(own, mask, active);
                sides.push(obj(&[
                    ("own", risk_json(&own)),
                    ("mask", q(mask)),
                    ("member", emode::is_member(mask, id).to_string()),
                    ("effective", risk_json(&e)),
                ]));
                effective.push(e);
            }
            let (lo, hi) = emode::pair_bonus_range(&effective[0], &effective[1]);
            obj(&[
                ("groupId", id.to_string()),
                ("group", risk_json(&group)),
                ("valid", q(valid)),
                ("debt", sides[0].clone()),
                ("collateral", sides[1].clone()),
                ("bonusLoSf", q(sf(lo))),
                ("bonusHiSf", q(sf(hi))),
            ])
        })
        .collect()
}

/// Volatility: a random valid configuration and base parameters, then a path of refreshes (a
/// price and a time each) from the start of the adjustment; after each, the estimator's state,
/// the threshold's path and the parameters in force.
fn volatility_cases(r: &mut Rng) -> Vec<String> {
    const T0: i64 = 1_700_000_000;
    (0..CASES)
        .map(|i| {
            let lt = 5_000 + r.below(4_000) as u16;
            let ltv = lt - 1 - r.below(1_500) as u16;
            let threshold_floor = lt - r.below(u64::from(lt - ltv)) as u16;
            let ltv_floor =
                ltv - r.below(u64::from(ltv).min(u64::from(threshold_floor - 1))) as u16;
            let calm = 1_000 + r.below(9_000) as u32;
            let config = VolatilityConfig {
                half_life_secs: if i % 8 == 7 {
                    0
                } else {
                    60 + r.below(86_400) as u32
                },
                calm_vol_bps: calm,
                stress_vol_bps: calm + 1 + r.below(20_000) as u32,
                ltv_floor_bps: ltv_floor.min(threshold_floor - 1),
                threshold_floor_bps: threshold_floor,
                borrow_cap_floor_bps: r.below(10_001) as u16,
                min_bonus_ceiling_bps: 0,
                threshold_rate_bps_per_hour: r.below(1_001) as u32,
            };
            let min_bonus = r.below(500) as u16;
            let base = BaseParams {
                ltv_bps: ltv,
                threshold_bps: lt,
                min_bonus_bps: min_bonus,
                max_bonus_bps: min_bonus + r.below(500) as u16,
                borrow_cap: r.below(u64::MAX / 2),
            };
            // Up to the maximum bonus, past it one case in eight (refused by validation, and
            // capped by the response).
            let config = VolatilityConfig {
                min_bonus_ceiling_bps: (r.below(u64::from(base.max_bonus_bps) + 1) as u16)
                    .saturating_add(if i % 8 == 3 { 100 } else { 0 }),
                ..config
            };
            let mut state = VolatilityState::default();
            let mut path = ThresholdPath::start(base.threshold_bps, T0);
            let mut now = T0;
            let mut price = u128::from(1 + r.below(1_000_000_000_000_000_000)) * 1_000;
            let steps: Vec<String> = (0..1 + r.below(8))
                .map(|_| {
                    now += match r.below(4) {
                        0 => 0,
                        1 => r.below(5) as i64,
                        2 => r.below(3_600) as i64,
                        _ => r.below(100_000) as i64 - 50,
                    };
                    let spread = if r.below(2) == 0 { 3_000 } else { 100 };
                    let mv = r.below(2 * spread + 1) as i64 - spread as i64;
                    price = (price * (10_000 + mv) as u128 / 10_000).max(1);
                    let p = Decimal::from_scaled_val(price);
                    state =
                        observe(&state, p, now, u64::from(config.half_life_secs)).unwrap_or(state);
                    let (next, resp) = respond(&config, &base, &state, &path, now)
                        .unwrap_or((path, Response::unadjusted(&base)));
                    path = next;
                    obj(&[
                        ("now", q(now)),
                        ("priceSf", q(price)),
                        ("samplePriceSf", q(sf(state.sample_price))),
                        ("sampleTs", q(state.sample_ts)),
                        ("varianceSf", q(sf(state.variance))),
                        ("thresholdSf", q(sf(path.in_force))),
                        ("thresholdTs", q(path.ts)),
                        ("volatilityBps", resp.volatility_bps.to_string()),
                        ("stressBps", resp.stress_bps.to_string()),
                        ("ltvBps", resp.ltv_bps.to_string()),
                        ("thresholdBps", resp.threshold_bps.to_string()),
                        ("targetThresholdBps", resp.target_threshold_bps.to_string()),
                        ("minBonusBps", resp.min_bonus_bps.to_string()),
                        ("borrowCap", q(resp.borrow_cap)),
                    ])
                })
                .collect();
            let valid = config.validate(&base).is_ok();
            obj(&[
                (
                    "config",
                    obj(&[
                        ("halfLifeSecs", config.half_life_secs.to_string()),
                        ("calmVolBps", config.calm_vol_bps.to_string()),
                        ("stressVolBps", config.stress_vol_bps.to_string()),
                        ("ltvFloorBps", config.ltv_floor_bps.to_string()),
                        ("thresholdFloorBps", config.threshold_floor_bps.to_string()),
                        ("borrowCapFloorBps", config.borrow_cap_floor_bps.to_string()),
                        (
                            "minBonusCeilingBps",
                            config.min_bonus_ceiling_bps.to_string(),
                        ),
                        (
                            "thresholdRateBpsPerHour",
                            config.threshold_rate_bps_per_hour.to_string(),
                        ),
                    ]),
                ),
                (
                    "base",
                    obj(&[
                        ("ltvBps", base.ltv_bps.to_string()),
                        ("thresholdBps", base.threshold_bps.to_string()),
                        ("minBonusBps", base.min_bonus_bps.to_string()),
                        ("maxBonusBps", base.max_bonus_bps.to_string()),
                        ("borrowCap", q(base.borrow_cap)),
                    ]),
                ),
                ("valid", valid.to_string()),
                ("startTs", q(T0)),
                ("steps", format!("[{}]", steps.join(", "))),
            ])
        })
        .collect()
}

fn section(name: &str, cases: Vec<String>) -> String {
    format!("  \"{name}\": [\n    {}\n  ]", cases.join(",\n    "))
}

fn main() -> ExitCode {
    let mut r = Rng(0x0005_EED0_F5E1_71E1);
    let body = [
        section("health", health_cases(&mut r)),
        section("marketValue", value_cases(&mut r)),
        section("interest", interest_cases(&mut r)),
        section("bonus", bonus_cases(&mut r)),
        section("sizing", sizing_cases(&mut r)),
        section("obligation", obligation_cases(&mut r)),
        section("outflow", outflow_cases(&mut r)),
        section("emode", emode_cases(&mut r)),
        section("volatility", volatility_cases(&mut r)),
    ]
    .join(",\n");
    let text = format!("{{\n  \"generator\": \"cargo run -p lending-math --example golden_vectors\",\n{body}\n}}\n");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/lending-math.json");
    if std::env::args().any(|a| a == "--check") {
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            eprintln!("golden vectors are stale: run `cargo run -p lending-math --example golden_vectors` and commit");
            return ExitCode::FAILURE;
        }
        println!("golden vectors up to date");
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("writing {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {}", path.display());
    ExitCode::SUCCESS
}
