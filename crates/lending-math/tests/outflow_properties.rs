//! Properties of the outflow window over random flows, checked against a ledger of every
//! accepted flow (time, signed amount) and the bucket grid, never against the window's state:
//! - every bucket's net outflow stays within the cap;
//! - after every accepted outflow, the exact estimate `P⁺ (W − e) / W + C` is within the cap;
//! - the documented sliding-window bound: net outflow over `(t − W, t]` is at most
//!   `cap × (1 + e / W)` plus the inflows of the previous bucket before that window;
//! - with outflows only, any `L ≤ W` seconds see at most `cap × (1 + L / W)` leave;
//! - the remaining capacity is exact: `remaining` more is accepted, one unit more is refused;
//! - inflows are never refused and never lower the remaining capacity.

use lending_math::outflow::{
    estimate_ceil, record_inflow, record_outflow, remaining_floor, OutflowError, OutflowLimit,
    OutflowWindow,
};
use proptest::prelude::*;

const T0: i64 = 1_700_000_000;

#[derive(Clone, Debug)]
struct Step {
    /// Seconds since the previous step.
    dt: u64,
    /// Outflow (true) or inflow.
    out: bool,
    /// Amount, before scaling to the cap.
    amount: u64,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            prop_oneof![Just(0u64), 0u64..30, 0u64..2_000, 0u64..20_000],
            prop::bool::weighted(0.7),
            0u64..=1_000,
        )
            .prop_map(|(dt, out, amount)| Step { dt, out, amount }),
        1..120,
    )
}

/// Net outflow of the ledger entries at times in `[from, to]` (outflows positive).
fn net(ledger: &[(i64, i128)], from: i64, to: i64) -> i128 {
    ledger
        .iter()
        .filter(|(t, _)| *t >= from && *t <= to)
        .map(|(_, a)| a)
        .sum()
}

/// Inflows (as a positive sum) of the ledger entries at times in `[from, to]`.
fn inflow(ledger: &[(i64, i128)], from: i64, to: i64) -> i128 {
    ledger
        .iter()
        .filter(|(t, a)| *t >= from && *t <= to && *a < 0)
        .map(|(_, a)| -a)
        .sum()
}

/// Runs the steps; returns the ledger of accepted flows and checks every property on the way.
fn run(cap: u64, window_secs: u64, steps: &[Step]) -> Result<(), TestCaseError> {
    let limit = OutflowLimit { cap, window_secs };
    let w = window_secs as i64;
    let mut state = OutflowWindow {
        bucket_start: T0,
        ..Default::default()
    };
    let mut ledger: Vec<(i64, i128)> = Vec::new();
    let mut now = T0;
    for s in steps {
        now += s.dt as i64;
        // Amounts from 0 to twice the cap, so that refusals happen.
        let amount = (u128::from(cap) * 2 * u128::from(s.amount) / 1_000) as u64;
        let remaining_before = remaining_floor(&limit, &state, now).unwrap();
        // Independent grid: the bucket containing `now`, and how far into it.
        let k = (now - T0) / w;
        let start = T0 + k * w;
        let e = i128::from(now - start);
        if s.out {
            match record_outflow(&limit, &state, now, amount) {
                Ok(next) => {
                    prop_assert!(amount <= remaining_before);
                    state = next;
                    ledger.push((now, i128::from(amount)));
                    let c = net(&ledger, start, now);
                    let p = net(&ledger, start - w, start - 1);
                    let (capw, wi) = (i128::from(cap), i128::from(w));
                    // Every bucket within the cap; the exact estimator within the cap.
                    prop_assert!(c <= capw, "bucket net {c} > cap {cap}");
                    prop_assert!(p.max(0) * (wi - e) + c * wi <= capw * wi);
                    // The sliding window (now − W, now]: the documented bound.
                    let sliding = net(&ledger, now - w + 1, now);
                    let head_in = inflow(&ledger, start - w, now - w);
                    prop_assert!(
                        sliding * wi <= capw * (wi + e) + head_in * wi,
                        "sliding {sliding} cap {cap} e {e} head inflow {head_in}"
                    );
                    // Outflows only: any L ≤ W seconds ending now.
                    if ledger.iter().all(|(_, a)| *a >= 0) {
                        for l in [1, w / 4, w / 2, w] {
                            let drained = net(&ledger, now - l + 1, now);
                            prop_assert!(drained * wi <= capw * (wi + i128::from(l)));
                        }
                    }
                }
                Err(err) => {
                    prop_assert_eq!(err, OutflowError::CapExceeded);
                    prop_assert!(amount > remaining_before);
                }
            }
        } else {
            let next = record_inflow(&limit, &state, now, amount).unwrap();
            prop_assert!(remaining_floor(&limit, &next, now).unwrap() >= remaining_before);
            state = next;
            ledger.push((now, -i128::from(amount)));
        }
        // The remaining capacity is exact.
        let remaining = remaining_floor(&limit, &state, now).unwrap();
        if remaining < u64::MAX {
            prop_assert!(record_outflow(&limit, &state, now, remaining).is_ok());
            prop_assert_eq!(
                record_outflow(&limit, &state, now, remaining + 1),
                Err(OutflowError::CapExceeded)
            );
        }
        let est = estimate_ceil(&limit, &state, now).unwrap();
        prop_assert_eq!(
            i128::from(remaining),
            (i128::from(cap) - est).max(0).min(i128::from(u64::MAX))
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn successful_window_never_exceeds_the_cap(
        cap in prop_oneof![1u64..100, 1u64..1_000_000_000_000],
        window_secs in prop_oneof![Just(60u64), 60u64..100_000],
        steps in steps(),
    ) {
        run(cap, window_secs, &steps)?;
    }

    /// Left alone, an exhausted window recovers at `cap / W` per second (rounded down), and
    /// fully after two windows.
    #[test]
    fn successful_capacity_returns_at_the_documented_rate(
        cap in 1u64..1_000_000_000_000,
        window_secs in 60u64..100_000,
        offset in 0u64..100_000,
        wait in 0u64..200_000,
    ) {
        let limit = OutflowLimit { cap, window_secs };
        let taken_at = T0 + (offset % window_secs) as i64;
        let state = OutflowWindow { bucket_start: T0, ..Default::default() };
        let state = record_outflow(&limit, &state, taken_at, cap).unwrap();
        let now = taken_at + wait as i64;
        let remaining = remaining_floor(&limit, &state, now).unwrap();
        let w = i128::from(window_secs);
        let next_start = T0 + window_secs as i64;
        let expected = if now < next_start {
            0
        } else if now < next_start + window_secs as i64 {
            // cap − ⌈cap × (W − e) / W⌉ = ⌊cap × e / W⌋.
            let e = i128::from(now - next_start);
            (i128::from(cap) * e / w) as u64
        } else {
            cap
        };
        prop_assert_eq!(remaining, expected);
    }
}
