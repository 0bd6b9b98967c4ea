use super::*;
use crate::fixed::U256;
use proptest::prelude::*;

const HOUR: u64 = SECONDS_PER_HOUR;

fn d(x: u64) -> Decimal {
    Decimal::from_u64(x)
}

fn state(price: u64, ts: i64, variance: Decimal) -> VolatilityState {
    VolatilityState {
        sample_price: d(price),
        sample_ts: ts,
        variance,
    }
}

/// Relative distance `|a − b| / b`.
fn rel(a: Decimal, b: Decimal) -> Decimal {
    let diff = if a >= b { a.try_sub(b) } else { b.try_sub(a) };
    diff.and_then(|x| x.try_div(b)).expect("rel")
}

#[test]
fn successful_first_price_only_sets_the_sample() {
    let s = observe(&VolatilityState::default(), d(100), 1_000, HOUR).expect("observe");
    assert_eq!(s, state(100, 1_000, Decimal::zero()));
}

#[test]
fn successful_same_second_zero_price_and_clock_going_back_change_nothing() {
    let s = state(100, 1_000, Decimal::from_percent(25));
    for (price, now) in [(d(50), 1_000), (d(200), 999), (Decimal::zero(), 2_000)] {
        assert_eq!(observe(&s, price, now, HOUR).expect("observe"), s);
    }
    // Off (no half-life): nothing moves either.
    assert_eq!(observe(&s, d(50), 2_000, 0).expect("observe"), s);
}

#[test]
fn successful_a_same_slot_path_counts_only_its_net_move() {
    // Ten refreshes in one second swinging ±20% and back leave the sample as it was; the
    // next second measures 100 → 101 only.
    let s = state(100, 1_000, Decimal::zero());
    let mut t = s;
    for i in 0..10 {
        let p = if i % 2 == 0 { d(120) } else { d(80) };
        t = observe(&t, p, 1_000, HOUR).expect("same second");
    }
    assert_eq!(t, s);
    let direct = observe(&s, d(101), 1_001, HOUR).expect("next second");
    let after_path = observe(&t, d(101), 1_001, HOUR).expect("next second");
    assert_eq!(direct, after_path);
}

#[test]
fn successful_symmetric_return_is_bounded_and_symmetric() {
    assert_eq!(
        squared_return(d(100), d(150)).expect("r2"),
        squared_return(d(150), d(100)).expect("r2")
    );
    // 100 → 150: r = 2·50/250 = 0.4.
    assert_eq!(
        squared_return(d(100), d(150)).expect("r2"),
        Decimal::from_percent(16)
    );
    let extreme = squared_return(d(1), d(u64::MAX)).expect("r2");
    assert!(extreme < d(4));
    assert_eq!(squared_return(d(7), d(7)).expect("r2"), Decimal::zero());
}

#[test]
fn successful_a_flat_price_halves_the_variance_in_about_one_half_life() {
    let v = Decimal::from_percent(64);
    // One step of a half-life: τ/(τ + H) = 1.4427/2.4427 = 0.5906.
    let one = observe(&state(100, 0, v), d(100), HOUR as i64, HOUR).expect("one step");
    let expect = v
        .try_mul(Decimal::from_ratio(1_442_695, 2_442_695).expect("ratio"))
        .expect("x");
    assert!(
        rel(one.variance, expect) < Decimal::from_bps(1),
        "{:?}",
        one.variance
    );
    // Many one-minute steps approach the exponential: ½ within 1%.
    let mut s = state(100, 0, v);
    for i in 1..=60 {
        s = observe(&s, d(100), i * 60, HOUR).expect("step");
    }
    let half = v.try_div_u64(2).expect("half");
    assert!(
        rel(s.variance, half) < Decimal::from_percent(1),
        "{:?}",
        s.variance
    );
}

#[test]
fn successful_estimate_does_not_depend_on_the_refresh_spacing() {
    // The same realised variance per unit of time, sampled every 10 s (the resolution of a
    // 10-minute half-life) with moves r, or every 40 s with moves 2r (r² per second equal),
    // converges to the same estimate: V = r²·Y / Δt.
    let run = |gap: i64, up: u64, down: u64| {
        let mut s = state(down, 0, Decimal::zero());
        for i in 1..=40_000i64 / gap {
            let p = if i % 2 == 0 { d(down) } else { d(up) };
            s = observe(&s, p, i * gap, 600).expect("step");
        }
        s
    };
    // r = 2·1/2001 every 10 s vs 2·2/2002 every 40 s: r²/Δt equal within 0.1%.
    let fine = run(10, 1_001, 1_000);
    let coarse = run(40, 1_002, 1_000);
    let r2 = squared_return(d(1_000), d(1_001)).expect("r2");
    let expect = r2
        .try_mul_u64(SECONDS_PER_YEAR)
        .and_then(|x| x.try_div_u64(10))
        .expect("year");
    assert!(
        rel(fine.variance, expect) < Decimal::from_bps(10),
        "{:?}",
        fine.variance
    );
    assert!(rel(coarse.variance, fine.variance) < Decimal::from_bps(10));
    // σ = (2/2001)·√(Y/10) ≈ 1.775: a 0.1% move every 10 s is 177.5% a year.
    let vol = volatility(&fine).expect("vol");
    assert!(rel(vol, Decimal::from_ratio(1_775, 1_000).expect("x")) < Decimal::from_percent(1));
    // Refreshes inside the resolution add nothing: every second, the same path reads as the
    // 10-second one.
    let every_second = {
        let mut s = state(1_000, 0, Decimal::zero());
        for t in 1..=40_000i64 {
            let p = if (t / 10) % 2 == 1 {
                d(1_001)
            } else {
                d(1_000)
            };
            s = observe(&s, p, t, 600).expect("step");
        }
        s
    };
    assert!(rel(every_second.variance, fine.variance) < Decimal::from_bps(10));
}

#[test]
fn successful_sqrt_of_exact_squares_and_fractions() {
    assert_eq!(d(144).try_sqrt_floor().expect("sqrt"), d(12));
    assert_eq!(
        Decimal::from_percent(25).try_sqrt_floor().expect("sqrt"),
        Decimal::from_percent(50)
    );
    assert_eq!(
        Decimal::zero().try_sqrt_floor().expect("sqrt"),
        Decimal::zero()
    );
    // √2 = 1.414213562373095048…
    assert_eq!(
        d(2).try_sqrt_floor().expect("sqrt"),
        Decimal::from_scaled_val(1_414_213_562_373_095_048)
    );
    assert_eq!(
        Decimal(U256::MAX).try_sqrt_floor(),
        Err(MathError::Overflow)
    );
}

#[test]
fn successful_response_moves_each_parameter_to_its_bound() {
    let calm = Decimal::from_percent(50);
    let stress = Decimal::from_percent(150);
    assert_eq!(
        stress_fraction(Decimal::from_percent(40), calm, stress),
        Ok(Decimal::zero())
    );
    assert_eq!(
        stress_fraction(Decimal::from_percent(100), calm, stress),
        Ok(Decimal::from_percent(50))
    );
    assert_eq!(stress_fraction(d(3), calm, stress), Ok(Decimal::one()));
    assert_eq!(
        stress_fraction(calm, calm, calm),
        Err(MathError::InvalidInput)
    );
    let half = Decimal::from_percent(50);
    let ltv = Decimal::from_bps(7_000);
    assert_eq!(
        tightened(ltv, Decimal::from_bps(5_000), half),
        Ok(Decimal::from_bps(6_000))
    );
    assert_eq!(
        tightened(ltv, Decimal::from_bps(5_000), Decimal::one()),
        Ok(Decimal::from_bps(5_000))
    );
    assert_eq!(
        tightened(ltv, Decimal::from_bps(9_000), Decimal::one()),
        Ok(ltv)
    );
    let bonus = Decimal::from_bps(300);
    assert_eq!(
        raised(bonus, Decimal::from_bps(1_000), half),
        Ok(Decimal::from_bps(650))
    );
    assert_eq!(raised(bonus, Decimal::from_bps(100), half), Ok(bonus));
    // Half of a 3-unit span is 1.5 units of 1e-18: the tightened value rounds down (10 → 8),
    // the raised one up (7 → 9).
    let ulps = Decimal::from_scaled_val;
    assert_eq!(tightened(ulps(10), ulps(7), half), Ok(ulps(8)));
    assert_eq!(raised(ulps(7), ulps(10), half), Ok(ulps(9)));
}

#[test]
fn successful_threshold_tightens_at_the_rate_and_loosens_at_once() {
    let lt = Decimal::from_bps(8_000);
    let target = Decimal::from_bps(7_000);
    let rate = Decimal::from_bps(100); // 1% per hour
    assert_eq!(step_threshold(lt, target, 0, rate), Ok(lt));
    assert_eq!(
        step_threshold(lt, target, HOUR, rate),
        Ok(Decimal::from_bps(7_900))
    );
    assert_eq!(step_threshold(lt, target, 100 * HOUR, rate), Ok(target));
    // One 400 ms slot rounds to a second of the clock at most: 1/3600 of 1%.
    let slot = step_threshold(lt, target, 1, rate).expect("slot");
    assert_eq!(
        lt.try_sub(slot).expect("x"),
        Decimal::from_bps(100).try_div_u64(HOUR).expect("x")
    );
    assert_eq!(step_threshold(target, lt, 1, rate), Ok(lt));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn prop_sqrt_is_the_floor_root(raw in any::<u128>()) {
        let x = Decimal::from_scaled_val(raw);
        let r = x.try_sqrt_floor().expect("sqrt");
        let n = U256::from(raw) * U256::from(crate::fixed::WAD);
        prop_assert!(r.0 * r.0 <= n);
        prop_assert!((r.0 + U256::one()) * (r.0 + U256::one()) > n);
    }

    #[test]
    fn prop_update_lies_between_the_old_estimate_and_the_new_sample(
        v_bps in 0u64..1_000_000,
        p0 in 1u64..1_000_000_000,
        p in 1u64..1_000_000_000,
        gap in 1i64..1_000_000,
        half_life in 1u64..1_000_000,
    ) {
        let v = Decimal::from_bps(v_bps);
        let s = state(p0, 0, v);
        let gap = gap.max(min_sample_secs(half_life) as i64);
        // Inside the resolution nothing moves, not even the sample point.
        let early = min_sample_secs(half_life) as i64 - 1;
        prop_assert_eq!(observe(&s, d(p), early, half_life).expect("early"), s);
        let next = observe(&s, d(p), gap, half_life).expect("observe");
        let sample = squared_return(d(p0), d(p)).expect("r2")
            .try_mul_u64(SECONDS_PER_YEAR).expect("y")
            .try_div_u64(gap as u64).expect("per gap");
        let (lo, hi) = if v <= sample { (v, sample) } else { (sample, v) };
        let ulp = Decimal::from_scaled_val(2);
        prop_assert!(next.variance.try_add(ulp).expect("x") >= lo, "{:?} < {:?}", next.variance, lo);
        prop_assert!(next.variance <= hi.try_add(ulp).expect("x"), "{:?} > {:?}", next.variance, hi);
        prop_assert_eq!((next.sample_price, next.sample_ts), (d(p), gap));
        // The same second again changes nothing.
        prop_assert_eq!(observe(&next, d(p0), gap, half_life).expect("again"), next);
    }

    #[test]
    fn prop_response_is_monotone_and_bounded(
        v1 in 0u64..40_000, v2 in 0u64..40_000,
        base in 1u64..10_000, bound in 0u64..10_000,
        current in 0u64..10_000, target in 0u64..10_000,
        secs in 0u64..1_000_000, rate in 0u64..10_000,
    ) {
        let (calm, stress) = (Decimal::from_bps(5_000), Decimal::from_bps(15_000));
        let (lo, hi) = (v1.min(v2), v1.max(v2));
        let f_lo = stress_fraction(Decimal::from_bps(lo), calm, stress).expect("phi");
        let f_hi = stress_fraction(Decimal::from_bps(hi), calm, stress).expect("phi");
        prop_assert!(f_lo <= f_hi && f_hi <= Decimal::one());
        let (b, x) = (Decimal::from_bps(base), Decimal::from_bps(bound));
        let t_lo = tightened(b, x, f_lo).expect("t");
        let t_hi = tightened(b, x, f_hi).expect("t");
        prop_assert!(t_hi <= t_lo && t_lo <= b && t_hi >= x.min(b));
        let r_lo = raised(b, x, f_lo).expect("r");
        let r_hi = raised(b, x, f_hi).expect("r");
        prop_assert!(r_lo <= r_hi && r_lo >= b && r_hi <= x.max(b));
        let (c, t, rt) = (Decimal::from_bps(current), Decimal::from_bps(target), Decimal::from_bps(rate));
        let next = step_threshold(c, t, secs, rt).expect("step");
        if t >= c {
            prop_assert_eq!(next, t);
        } else {
            let most = rt.try_mul_u64(secs).expect("x").try_div_u64(HOUR).expect("x");
            prop_assert!(next >= t && next <= c);
            prop_assert!(c.try_sub(next).expect("x") <= most);
        }
    }
}
