use super::*;
use crate::volatility::{observe, SECONDS_PER_HOUR};

const HOUR: i64 = SECONDS_PER_HOUR as i64;

fn config() -> VolatilityConfig {
    VolatilityConfig {
        half_life_secs: 3_600,
        calm_vol_bps: 5_000,
        stress_vol_bps: 15_000,
        ltv_floor_bps: 5_000,
        threshold_floor_bps: 7_000,
        borrow_cap_floor_bps: 2_000,
        min_bonus_ceiling_bps: 1_000,
        threshold_rate_bps_per_hour: 100,
    }
}

fn base() -> BaseParams {
    BaseParams {
        ltv_bps: 7_500,
        threshold_bps: 8_000,
        min_bonus_bps: 200,
        max_bonus_bps: 1_000,
        borrow_cap: 1_000_000,
    }
}

/// A state whose volatility is `vol_bps`.
fn at_volatility(vol_bps: u64) -> VolatilityState {
    let v = Decimal::from_bps(vol_bps);
    VolatilityState {
        sample_price: Decimal::from_u64(100),
        sample_ts: 0,
        variance: v.try_mul(v).expect("square"),
    }
}

fn respond_at(vol_bps: u64, path: &ThresholdPath, now: i64) -> (ThresholdPath, Response) {
    respond(&config(), &base(), &at_volatility(vol_bps), path, now).expect("respond")
}

#[test]
fn successful_off_or_calm_leaves_the_configured_parameters() {
    let path = ThresholdPath::start(8_000, 0);
    let off = VolatilityConfig::default();
    let (p, r) = respond(&off, &base(), &at_volatility(40_000), &path, 10).expect("off");
    assert_eq!((p, r), (path, Response::unadjusted(&base())));
    let (_, calm) = respond_at(5_000, &path, 10);
    assert_eq!(calm.ltv_bps, 7_500);
    assert_eq!(calm.threshold_bps, 8_000);
    assert_eq!(calm.min_bonus_bps, 200);
    assert_eq!(calm.borrow_cap, 1_000_000);
    assert_eq!((calm.volatility_bps, calm.stress_bps), (5_000, 0));
}

#[test]
fn successful_full_stress_reaches_the_bounds_but_the_threshold_only_heads_there() {
    let path = ThresholdPath::start(8_000, 0);
    let (next, r) = respond_at(20_000, &path, 100);
    assert_eq!(r.ltv_bps, 5_000);
    assert_eq!(r.min_bonus_bps, 1_000);
    assert_eq!(r.borrow_cap, 200_000);
    assert_eq!(r.target_threshold_bps, 7_000);
    assert_eq!(r.stress_bps, 10_000);
    // The spike sets the target; the threshold in force has not moved yet.
    assert_eq!(r.threshold_bps, 8_000);
    assert_eq!(next.target_bps, 7_000);
    // An hour later it has moved by the rate (1% per hour), no more.
    let (next, r) = respond_at(20_000, &next, 100 + HOUR);
    assert_eq!(r.threshold_bps, 7_900);
    // Ten hours later it is at the floor, and stays there.
    let (next, r) = respond_at(20_000, &next, 100 + 11 * HOUR);
    assert_eq!(r.threshold_bps, 7_000);
    let (_, r) = respond_at(20_000, &next, 100 + 20 * HOUR);
    assert_eq!(r.threshold_bps, 7_000);
}

#[test]
fn successful_half_stress_moves_half_way_rounded_against_the_borrower() {
    let (_, r) = respond_at(10_000, &ThresholdPath::start(8_000, 0), 0);
    assert_eq!(r.stress_bps, 5_000);
    assert_eq!(r.ltv_bps, 6_250);
    assert_eq!(r.target_threshold_bps, 7_500);
    assert_eq!(r.min_bonus_bps, 600);
    assert_eq!(r.borrow_cap, 600_000);
}

#[test]
fn successful_calmer_market_loosens_the_threshold_at_once() {
    let path = ThresholdPath {
        in_force: Decimal::from_bps(7_200),
        target_bps: 7_000,
        ts: 0,
    };
    let (next, r) = respond_at(5_000, &path, 1);
    assert_eq!(r.threshold_bps, 8_000);
    assert_eq!(next.in_force, Decimal::from_bps(8_000));
}

#[test]
fn successful_a_long_quiet_gap_before_a_spike_does_not_jump_the_threshold() {
    // No update for a day at calm, then a spike: the day elapsed under the calm target, so the
    // threshold in force is unchanged by the spike itself.
    let (_, r) = respond_at(30_000, &ThresholdPath::start(8_000, 0), 24 * HOUR);
    assert_eq!(r.threshold_bps, 8_000);
    assert_eq!(r.target_threshold_bps, 7_000);
}

#[test]
fn successful_admin_lowering_the_threshold_applies_at_once() {
    let path = ThresholdPath::start(8_000, 0);
    let lowered = BaseParams {
        threshold_bps: 7_800,
        ltv_bps: 7_000,
        ..base()
    };
    let (next, r) = respond(&config(), &lowered, &at_volatility(5_000), &path, 1).expect("respond");
    assert_eq!(r.threshold_bps, 7_800);
    assert_eq!(next.in_force, Decimal::from_bps(7_800));
}

#[test]
fn successful_clock_going_back_moves_nothing_and_keeps_the_time() {
    let path = ThresholdPath {
        in_force: Decimal::from_bps(7_500),
        target_bps: 7_000,
        ts: 10 * HOUR,
    };
    let (next, r) = respond_at(20_000, &path, 0);
    assert_eq!(r.threshold_bps, 7_500);
    assert_eq!(next.ts, 10 * HOUR);
}

#[test]
fn successful_estimator_path_feeds_the_response() {
    // Calm, then hourly 20% swings: the estimate rises through calm into stress.
    let cfg = config();
    let mut s = VolatilityState::default();
    let mut path = ThresholdPath::start(8_000, 0);
    let mut last = Response::unadjusted(&base());
    for (i, price) in [100u64, 100, 120, 100, 120, 100, 120, 100]
        .iter()
        .enumerate()
    {
        let now = i as i64 * HOUR;
        s = observe(
            &s,
            Decimal::from_u64(*price),
            now,
            u64::from(cfg.half_life_secs),
        )
        .expect("observe");
        let (p, r) = respond(&cfg, &base(), &s, &path, now).expect("respond");
        assert!(
            r.ltv_bps <= last.ltv_bps || i < 3,
            "ltv falls as stress builds"
        );
        assert!(
            r.threshold_bps + 100 >= last.threshold_bps,
            "at most the rate per hour"
        );
        path = p;
        last = r;
    }
    assert!(last.volatility_bps > 15_000, "{last:?}");
    assert_eq!(last.ltv_bps, 5_000);
    assert!(
        last.threshold_bps < 8_000 && last.threshold_bps >= 7_500,
        "{last:?}"
    );
}

#[test]
fn fail_validate_when_the_configuration_is_inconsistent() {
    let ok = config();
    assert_eq!(ok.validate(&base()), Ok(()));
    assert_eq!(VolatilityConfig::default().validate(&base()), Ok(()));
    let est = VolatilityConfigError::Estimator;
    let floors = VolatilityConfigError::Floors;
    let cases = [
        (
            VolatilityConfig {
                half_life_secs: 0,
                ..ok
            },
            est,
        ),
        (
            VolatilityConfig {
                half_life_secs: MAX_HALF_LIFE_SECS + 1,
                ..ok
            },
            est,
        ),
        (
            VolatilityConfig {
                calm_vol_bps: 15_000,
                ..ok
            },
            est,
        ),
        (
            VolatilityConfig {
                stress_vol_bps: MAX_VOLATILITY_BPS + 1,
                ..ok
            },
            est,
        ),
        (
            VolatilityConfig {
                ltv_floor_bps: 7_501,
                ..ok
            },
            floors,
        ),
        (
            VolatilityConfig {
                threshold_floor_bps: 5_000,
                ..ok
            },
            floors,
        ),
        (
            VolatilityConfig {
                threshold_floor_bps: 8_001,
                ..ok
            },
            floors,
        ),
        (
            VolatilityConfig {
                borrow_cap_floor_bps: 10_001,
                ..ok
            },
            floors,
        ),
        (
            VolatilityConfig {
                threshold_rate_bps_per_hour: 10_001,
                ..ok
            },
            floors,
        ),
    ];
    for (c, e) in cases {
        assert_eq!(c.validate(&base()), Err(e), "{c:?}");
    }
}

#[test]
fn successful_bonus_ceiling_bounds_the_rise_and_at_the_minimum_holds_it() {
    let path = ThresholdPath::start(8_000, 0);
    let at = |ceiling: u16, vol: u64| {
        let c = VolatilityConfig {
            min_bonus_ceiling_bps: ceiling,
            ..config()
        };
        respond(&c, &base(), &at_volatility(vol), &path, 0)
            .expect("respond")
            .1
            .min_bonus_bps
    };
    assert_eq!(at(500, 20_000), 500);
    assert_eq!(at(500, 10_000), 350);
    assert_eq!(at(200, 20_000), 200, "at the configured minimum: no rise");
    assert_eq!(at(0, 20_000), 200, "below it: no rise either");
    // A maximum lowered by the admin below the ceiling caps it.
    let lowered = BaseParams {
        max_bonus_bps: 400,
        ..base()
    };
    let r = respond(&config(), &lowered, &at_volatility(20_000), &path, 0).expect("respond");
    assert_eq!(r.1.min_bonus_bps, 400);
}
