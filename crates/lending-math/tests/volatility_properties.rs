//! Properties of the volatility response over random price paths, refresh spacings and
//! configurations (`lending_math::volatility::response`):
//! - between two updates `Δt` apart, the threshold in force falls by at most
//!   `⌈rate × Δt / 3600⌉` bps plus one bps of rounding, however the prices moved: in particular
//!   a refresh in the same second (one slot later) moves it by at most one bps, and not at all
//!   for the first `3600 / rate` seconds after a spike;
//! - the parameters in force stay inside the configured ones: LTV in force < threshold in force
//!   ≤ configured threshold, LTV in force ≤ configured LTV, min bonus within the configured
//!   `[min, max]`, borrow cap ≤ configured cap; so `LT × (1 + max bonus) < 1` still holds;
//! - more stress never loosens LTV, bonus or cap (monotone in the estimate), and a spike alone
//!   never moves the threshold in force.

use lending_math::volatility::response::{
    respond, BaseParams, Response, ThresholdPath, VolatilityConfig,
};
use lending_math::volatility::{observe, VolatilityState};
use lending_math::Decimal;
use proptest::prelude::*;

const T0: i64 = 1_700_000_000;

fn config() -> impl Strategy<Value = (VolatilityConfig, BaseParams)> {
    (
        (60u32..=86_400, 500u32..=10_000, 100u32..=20_000),
        (1_000u16..=8_000, 1u16..=1_500),
        (0u16..=3_000, 0u16..=2_000, 0u16..=10_000, 0u16..=1_000),
        (0u16..=500, 0u16..=1_000, 0u16..=1_500),
    )
        .prop_map(
            |(
                (half_life, calm, spread),
                (lt, gap),
                (ltv_floor_gap, lt_floor_gap, cap_floor, rate),
                (min_b, spread_b, ceiling),
            )| {
                let ltv = lt.saturating_sub(gap).max(1);
                let threshold_floor = lt
                    .saturating_sub(lt_floor_gap)
                    .max(ltv.min(lt - 1) + 1)
                    .min(lt);
                let ltv_floor = ltv.saturating_sub(ltv_floor_gap).min(threshold_floor - 1);
                // LT × (1 + max bonus) < 1.
                let max_b_limit =
                    (10_000u64 * 10_000 / u64::from(lt)).saturating_sub(10_001) as u16;
                let max_b = (min_b + spread_b).min(max_b_limit);
                let min_b = min_b.min(max_b);
                let cfg = VolatilityConfig {
                    half_life_secs: half_life,
                    calm_vol_bps: calm,
                    stress_vol_bps: calm + spread,
                    ltv_floor_bps: ltv_floor,
                    threshold_floor_bps: threshold_floor,
                    borrow_cap_floor_bps: cap_floor,
                    min_bonus_ceiling_bps: ceiling.min(max_b),
                    threshold_rate_bps_per_hour: u32::from(rate),
                };
                let base = BaseParams {
                    ltv_bps: ltv,
                    threshold_bps: lt,
                    min_bonus_bps: min_b,
                    max_bonus_bps: max_b,
                    borrow_cap: 1_000_000_000,
                };
                (cfg, base)
            },
        )
}

/// Seconds between refreshes and the price move (bps, signed) at each.
fn path() -> impl Strategy<Value = Vec<(u64, i64)>> {
    prop::collection::vec(
        (
            prop_oneof![Just(0u64), 0u64..3, 0u64..600, 0u64..20_000],
            prop_oneof![-500i64..=500, -5_000i64..=5_000],
        ),
        1..60,
    )
}

fn check_bounds(cfg: &VolatilityConfig, base: &BaseParams, r: &Response) {
    assert!(r.ltv_bps <= base.ltv_bps, "{r:?}");
    assert!(r.ltv_bps < r.threshold_bps, "{cfg:?} {base:?} {r:?}");
    assert!(r.threshold_bps <= base.threshold_bps, "{r:?}");
    assert!(r.threshold_bps >= r.target_threshold_bps, "{r:?}");
    assert!(r.target_threshold_bps >= cfg.threshold_floor_bps.min(base.threshold_bps));
    assert!(
        r.ltv_bps
            >= cfg
                .ltv_floor_bps
                .min(base.ltv_bps)
                .min(r.target_threshold_bps - 1)
    );
    assert!(
        (base.min_bonus_bps..=base.max_bonus_bps).contains(&r.min_bonus_bps),
        "{r:?}"
    );
    assert!(r.borrow_cap <= base.borrow_cap);
    let lt = u64::from(r.threshold_bps);
    assert!(lt * (10_000 + u64::from(base.max_bonus_bps)) < 10_000 * 10_000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn threshold_tightens_at_most_at_its_rate((cfg, base) in config(), moves in path()) {
        let mut state = VolatilityState::default();
        let mut p = ThresholdPath::start(base.threshold_bps, T0);
        let mut now = T0;
        let mut price = Decimal::from_u64(100);
        let mut last = Response::unadjusted(&base);
        for (dt, mv) in moves {
            now += dt as i64;
            let factor = Decimal::from_bps((10_000 + mv) as u64);
            price = price.try_mul(factor).unwrap().max(Decimal::from_bps(1));
            state = observe(&state, price, now, u64::from(cfg.half_life_secs)).unwrap();
            let (next, r) = respond(&cfg, &base, &state, &p, now).unwrap();
            check_bounds(&cfg, &base, &r);
            let allowed = (u64::from(cfg.threshold_rate_bps_per_hour) * dt).div_ceil(3_600) + 1;
            prop_assert!(cfg.validate(&base).is_ok(), "{cfg:?} {base:?}");
            prop_assert!(
                u64::from(r.threshold_bps) + allowed >= u64::from(last.threshold_bps),
                "fell {} → {} in {dt}s (rate {}/h)", last.threshold_bps, r.threshold_bps,
                cfg.threshold_rate_bps_per_hour
            );
            if dt == 0 || u64::from(cfg.threshold_rate_bps_per_hour) * dt < 3_600 {
                // Within one bps-step of time (one slot): one bps of rounding at most.
                prop_assert!(r.threshold_bps + 1 >= last.threshold_bps);
            }
            p = next;
            last = r;
        }
    }

    #[test]
    fn more_stress_never_loosens((cfg, base) in config(), a in 0u64..40_000, b in 0u64..40_000) {
        let (lo, hi) = (a.min(b), a.max(b));
        let at = |v: u64| {
            let v = Decimal::from_bps(v);
            let s = VolatilityState {
                sample_price: Decimal::one(),
                sample_ts: T0,
                variance: v.try_mul(v).unwrap(),
            };
            respond(&cfg, &base, &s, &ThresholdPath::start(base.threshold_bps, T0), T0).unwrap().1
        };
        let (calm, stressed) = (at(lo), at(hi));
        check_bounds(&cfg, &base, &calm);
        check_bounds(&cfg, &base, &stressed);
        prop_assert!(stressed.ltv_bps <= calm.ltv_bps);
        prop_assert!(stressed.target_threshold_bps <= calm.target_threshold_bps);
        prop_assert!(stressed.min_bonus_bps >= calm.min_bonus_bps);
        prop_assert!(stressed.borrow_cap <= calm.borrow_cap);
        // The spike itself does not move the threshold in force.
        prop_assert_eq!(stressed.threshold_bps, base.threshold_bps);
    }
}
