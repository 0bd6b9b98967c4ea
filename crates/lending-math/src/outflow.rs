//! Outflow limit: a per-reserve cap on net outflow over a sliding window.
//!
//! Net outflow is `withdrawals + borrows − deposits − repayments`, in the reserve's token base
//! units. Liquidations neither count nor are checked (the program never calls this module for
//! them). The limit bounds what an undiscovered bug can drain from a reserve per window.
//!
//! ## Estimator: two buckets, the previous one weighted by its overlap
//!
//! Time is cut into buckets of `W` seconds (`window_secs`), the first one starting when the
//! admin enabled the limit. The state keeps the start `s` of the current bucket, the net
//! outflow `C` of the current bucket so far and the net outflow `P` of the previous bucket
//! (both signed: negative is a net inflow). At time `t = s + e` (`0 ≤ e < W`) the net outflow of
//! the sliding window `(t − W, t]` is estimated as
//!
//! `E(t) = ⌈P⁺ × (W − e) / W⌉ + C`,   with `P⁺ = max(P, 0)`,
//!
//! which assumes the previous bucket's outflow was spread evenly over it (what the sliding-window
//! rate limiters of Cloudflare or Redis do). An outflow of `x` is accepted only when
//! `E(t) + x ≤ cap`; an inflow lowers `C` and is always accepted. Only the previous bucket's
//! net *outflow* is weighted: its net inflow gives no credit past its own bucket, so a deposit
//! credits outflows of its own bucket only.
//!
//! ## Rounding
//!
//! Against the user: the weighted part rounds up ([`previous_weight_ceil`]), so the estimate is
//! never below the exact `P⁺ (W − e) / W + C` and the remaining capacity ([`remaining_floor`])
//! never above it. Inflows that would take `C` below `i64::MIN` saturate (the credit is lost).
//! Amounts are whole base units and the weight an exact ratio, so nothing else rounds.
//!
//! ## What it guarantees, and the worst case
//!
//! - Every bucket's net outflow is at most `cap` (`C ≤ E ≤ cap` after every accepted outflow).
//! - After every accepted outflow, `P⁺ (W − e) / W + C ≤ cap` exactly (no rounding slack).
//! - A burst takes at most `cap`: unlike a fixed window, the previous bucket's outflow still
//!   counts just after the boundary, so `cap` at the end of one bucket and `cap` again at the
//!   start of the next is impossible. Capacity comes back at `cap / W` per second.
//! - Worst case over a sliding window: with outflows only (a drain), any `L ≤ W` seconds see at
//!   most `cap × (1 + L / W)` leave, so under `2 × cap` in a window of `W` (all of `cap` just
//!   before a boundary, then `cap × e / W` as the weight decays). With inflows, a window
//!   `(t − W, t]` that starts inside the previous bucket may also see the inflows of that
//!   bucket's part before it withdrawn again: net outflow ≤ `cap × (1 + e / W)` plus those
//!   inflows.
//! - A clock that moves backwards leaves the state as it is and counts `e` as 0 (the previous
//!   bucket at full weight).

use crate::error::{MathError, MathResult};

/// Largest cap: the signed state fields hold it (9.2e18 base units).
pub const MAX_OUTFLOW_CAP: u64 = i64::MAX as u64;
/// Shortest window (seconds).
pub const MIN_OUTFLOW_WINDOW_SECS: u64 = 60;
/// Longest window (seconds): 7 days.
pub const MAX_OUTFLOW_WINDOW_SECS: u64 = 7 * 86_400;

/// A reserve's outflow limit. `cap == 0` (with `window_secs == 0`) disables it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutflowLimit {
    /// Most net outflow per window (token base units).
    pub cap: u64,
    /// Window length (seconds).
    pub window_secs: u64,
}

impl OutflowLimit {
    /// True when the limit applies.
    pub fn enabled(&self) -> bool {
        self.cap > 0 && self.window_secs > 0
    }

    /// Disabled (`0, 0`), or `0 < cap ≤ MAX_OUTFLOW_CAP` with a window in
    /// `[MIN_OUTFLOW_WINDOW_SECS, MAX_OUTFLOW_WINDOW_SECS]`.
    pub fn is_valid(&self) -> bool {
        (self.cap == 0 && self.window_secs == 0)
            || (self.cap <= MAX_OUTFLOW_CAP
                && (MIN_OUTFLOW_WINDOW_SECS..=MAX_OUTFLOW_WINDOW_SECS).contains(&self.window_secs)
                && self.cap > 0)
    }
}

/// The window's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutflowWindow {
    /// Start of the current bucket (unix seconds).
    pub bucket_start: i64,
    /// Net outflow of the previous bucket (token base units; negative = net inflow).
    pub previous_net: i64,
    /// Net outflow of the current bucket so far (token base units; negative = net inflow).
    pub current_net: i64,
}

/// Why an outflow was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutflowError {
    /// The outflow would take the window's estimate past the cap.
    CapExceeded,
    /// Arithmetic failure.
    Math(MathError),
}

impl From<MathError> for OutflowError {
    fn from(e: MathError) -> Self {
        OutflowError::Math(e)
    }
}

/// Seconds into the current bucket; 0 when the clock is before its start.
fn elapsed(window: &OutflowWindow, now: i64) -> u64 {
    u64::try_from(i128::from(now) - i128::from(window.bucket_start)).unwrap_or(0)
}

fn to_i64_saturating(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// Moves the window to the bucket that contains `now`: one bucket on, the current bucket
/// becomes the previous one; two or more on, both are empty. A clock before the bucket's start
/// changes nothing.
pub fn roll(window: &OutflowWindow, window_secs: u64, now: i64) -> MathResult<OutflowWindow> {
    if window_secs == 0 {
        return Ok(*window);
    }
    let buckets = elapsed(window, now) / window_secs;
    let advance = i64::try_from(
        u128::from(buckets)
            .checked_mul(u128::from(window_secs))
            .ok_or(MathError::Overflow)?,
    )
    .map_err(|_| MathError::Overflow)?;
    let bucket_start = window
        .bucket_start
        .checked_add(advance)
        .ok_or(MathError::Overflow)?;
    Ok(match buckets {
        0 => *window,
        1 => OutflowWindow {
            bucket_start,
            previous_net: window.current_net,
            current_net: 0,
        },
        _ => OutflowWindow {
            bucket_start,
            previous_net: 0,
            current_net: 0,
        },
    })
}

/// `⌈max(previous_net, 0) × (W − e) / W⌉`: the previous bucket's net outflow still inside the
/// sliding window, `e` seconds into the current bucket (`e ≥ W` weighs nothing), rounded up.
pub fn previous_weight_ceil(previous_net: i64, window_secs: u64, elapsed_secs: u64) -> u64 {
    let p = u128::try_from(previous_net).unwrap_or(0);
    if window_secs == 0 || elapsed_secs >= window_secs {
        return 0;
    }
    let w = u128::from(window_secs);
    let overlap = w - u128::from(elapsed_secs);
    // p < 2^63 and overlap ≤ W < 2^64: the product fits u128, and the result is at most p.
    let weighted = (p * overlap).div_ceil(w);
    u64::try_from(weighted).unwrap_or(u64::MAX)
}

/// The window's estimate of net outflow over `(now − W, now]`, rounded up: `E(now)`. Zero
/// when the limit is disabled.
pub fn estimate_ceil(limit: &OutflowLimit, window: &OutflowWindow, now: i64) -> MathResult<i128> {
    if !limit.enabled() {
        return Ok(0);
    }
    let w = roll(window, limit.window_secs, now)?;
    let weighted = previous_weight_ceil(w.previous_net, limit.window_secs, elapsed(&w, now));
    Ok(i128::from(weighted) + i128::from(w.current_net))
}

/// How much more may flow out at `now`: `cap − E(now)`, at least 0 (more than `cap` when
/// inflows of this bucket gave credit). `u64::MAX` when the limit is disabled.
pub fn remaining_floor(limit: &OutflowLimit, window: &OutflowWindow, now: i64) -> MathResult<u64> {
    if !limit.enabled() {
        return Ok(u64::MAX);
    }
    let room = i128::from(limit.cap) - estimate_ceil(limit, window, now)?;
    Ok(u64::try_from(room.max(0)).unwrap_or(u64::MAX))
}

/// Counts an outflow of `amount` at `now`, or refuses it when `E(now) + amount > cap`. A
/// disabled limit accepts everything and keeps the state.
pub fn record_outflow(
    limit: &OutflowLimit,
    window: &OutflowWindow,
    now: i64,
    amount: u64,
) -> Result<OutflowWindow, OutflowError> {
    if !limit.enabled() {
        return Ok(*window);
    }
    let mut w = roll(window, limit.window_secs, now)?;
    let weighted = previous_weight_ceil(w.previous_net, limit.window_secs, elapsed(&w, now));
    let current = i128::from(w.current_net) + i128::from(amount);
    if i128::from(weighted) + current > i128::from(limit.cap) {
        return Err(OutflowError::CapExceeded);
    }
    // current ≤ cap − weighted ≤ i64::MAX.
    w.current_net = i64::try_from(current).map_err(|_| MathError::Overflow)?;
    Ok(w)
}

/// Credits an inflow (deposit or repayment) of `amount` at `now`; never refuses. The credit
/// saturates at `i64::MIN`. A disabled limit keeps the state.
pub fn record_inflow(
    limit: &OutflowLimit,
    window: &OutflowWindow,
    now: i64,
    amount: u64,
) -> MathResult<OutflowWindow> {
    if !limit.enabled() {
        return Ok(*window);
    }
    let mut w = roll(window, limit.window_secs, now)?;
    w.current_net = to_i64_saturating(i128::from(w.current_net) - i128::from(amount));
    Ok(w)
}

/// The state after the admin changes the limit from `old` to `new` at `now`:
/// - disabled: all zero;
/// - same window length: unchanged (a new cap applies to the outflow already counted);
/// - newly enabled: a fresh bucket from `now`;
/// - another window length: a fresh bucket from `now` that starts with what the old window
///   estimated (`max(E(now), 0)`), so no change of window forgets an outflow.
pub fn reconfigure(
    old: &OutflowLimit,
    window: &OutflowWindow,
    new: &OutflowLimit,
    now: i64,
) -> MathResult<OutflowWindow> {
    if !new.enabled() {
        return Ok(OutflowWindow::default());
    }
    if old.enabled() && old.window_secs == new.window_secs {
        return Ok(*window);
    }
    let carried = estimate_ceil(old, window, now)?.max(0);
    Ok(OutflowWindow {
        bucket_start: now,
        previous_net: 0,
        current_net: to_i64_saturating(carried),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000;
    const HOUR: u64 = 3_600;

    fn limit(cap: u64) -> OutflowLimit {
        OutflowLimit {
            cap,
            window_secs: HOUR,
        }
    }

    fn fresh() -> OutflowWindow {
        OutflowWindow {
            bucket_start: T0,
            ..Default::default()
        }
    }

    #[test]
    fn successful_disabled_limit_accepts_everything_and_keeps_the_state() {
        let off = OutflowLimit::default();
        let w = fresh();
        assert_eq!(record_outflow(&off, &w, T0, u64::MAX), Ok(w));
        assert_eq!(record_inflow(&off, &w, T0, u64::MAX), Ok(w));
        assert_eq!(remaining_floor(&off, &w, T0), Ok(u64::MAX));
        assert_eq!(estimate_ceil(&off, &w, T0), Ok(0));
    }

    #[test]
    fn successful_limit_validation_bounds() {
        assert!(OutflowLimit::default().is_valid());
        assert!(limit(1).is_valid());
        assert!(limit(MAX_OUTFLOW_CAP).is_valid());
        assert!(!limit(MAX_OUTFLOW_CAP + 1).is_valid());
        for (cap, window_secs) in [(0, 60), (1, 0), (1, 59), (1, MAX_OUTFLOW_WINDOW_SECS + 1)] {
            assert!(
                !OutflowLimit { cap, window_secs }.is_valid(),
                "{cap} {window_secs}"
            );
        }
        assert!(OutflowLimit {
            cap: 1,
            window_secs: MIN_OUTFLOW_WINDOW_SECS
        }
        .is_valid());
    }

    #[test]
    fn fail_outflow_when_it_would_pass_the_cap() {
        let l = limit(1_000);
        let w = record_outflow(&l, &fresh(), T0, 600).unwrap();
        let w = record_outflow(&l, &w, T0 + 10, 400).unwrap();
        assert_eq!(remaining_floor(&l, &w, T0 + 10), Ok(0));
        assert_eq!(
            record_outflow(&l, &w, T0 + 10, 1),
            Err(OutflowError::CapExceeded)
        );
        // Many small outflows in one second stop at the same place.
        let mut w = fresh();
        let mut taken = 0;
        for _ in 0..2_000 {
            match record_outflow(&l, &w, T0, 1) {
                Ok(next) => {
                    w = next;
                    taken += 1;
                }
                Err(e) => assert_eq!(e, OutflowError::CapExceeded),
            }
        }
        assert_eq!(taken, 1_000);
    }

    #[test]
    fn successful_no_doubling_at_the_bucket_boundary() {
        // The whole cap just before the boundary: a fixed window would allow it again at once.
        let l = limit(3_600);
        let w = record_outflow(&l, &fresh(), T0 + HOUR as i64 - 1, 3_600).unwrap();
        let at = T0 + HOUR as i64;
        assert_eq!(remaining_floor(&l, &w, at), Ok(0));
        assert_eq!(
            record_outflow(&l, &w, at, 1),
            Err(OutflowError::CapExceeded)
        );
        // It comes back at cap / W per second: 1 a second here, 900 after a quarter hour.
        assert_eq!(remaining_floor(&l, &w, at + 1), Ok(1));
        assert_eq!(remaining_floor(&l, &w, at + 900), Ok(900));
        assert_eq!(remaining_floor(&l, &w, at + 3_599), Ok(3_599));
        assert_eq!(remaining_floor(&l, &w, at + 3_600), Ok(3_600));
    }

    #[test]
    fn successful_weight_rounds_against_the_user() {
        // 1,000 × 1/3 = 333.33… counts as 334 outflow still in the window.
        assert_eq!(previous_weight_ceil(1_000, 3, 2), 334);
        assert_eq!(previous_weight_ceil(1_000, 3, 0), 1_000);
        assert_eq!(previous_weight_ceil(1_000, 3, 3), 0);
        assert_eq!(previous_weight_ceil(-1_000, 3, 0), 0);
        assert_eq!(previous_weight_ceil(i64::MAX, u64::MAX, 1), i64::MAX as u64);
        let l = OutflowLimit {
            cap: 1_000,
            window_secs: 3,
        };
        let w = OutflowWindow {
            bucket_start: T0,
            previous_net: 1_000,
            current_net: 0,
        };
        assert_eq!(remaining_floor(&l, &w, T0 + 2), Ok(666));
        assert!(record_outflow(&l, &w, T0 + 2, 666).is_ok());
        assert_eq!(
            record_outflow(&l, &w, T0 + 2, 667),
            Err(OutflowError::CapExceeded)
        );
    }

    #[test]
    fn successful_inflows_credit_their_own_bucket_only() {
        let l = limit(1_000);
        let w = record_inflow(&l, &fresh(), T0, 5_000).unwrap();
        assert_eq!(remaining_floor(&l, &w, T0), Ok(6_000));
        let w = record_outflow(&l, &w, T0 + 1, 6_000).unwrap();
        assert_eq!(
            record_outflow(&l, &w, T0 + 1, 1),
            Err(OutflowError::CapExceeded)
        );
        // A net inflow of the previous bucket gives no credit in the next one.
        let w = record_inflow(&l, &fresh(), T0, 5_000).unwrap();
        assert_eq!(remaining_floor(&l, &w, T0 + HOUR as i64), Ok(1_000));
        // Inflows restore capacity taken before them.
        let w = record_outflow(&l, &fresh(), T0, 1_000).unwrap();
        let w = record_inflow(&l, &w, T0 + 5, 250).unwrap();
        assert_eq!(remaining_floor(&l, &w, T0 + 5), Ok(250));
        // Credit saturates rather than overflowing.
        let w = record_inflow(&l, &fresh(), T0, u64::MAX).unwrap();
        let w = record_inflow(&l, &w, T0, u64::MAX).unwrap();
        assert_eq!(w.current_net, i64::MIN);
    }

    #[test]
    fn successful_roll_over_one_and_many_buckets() {
        let w = OutflowWindow {
            bucket_start: T0,
            previous_net: 7,
            current_net: 9,
        };
        assert_eq!(roll(&w, HOUR, T0 + 3_599), Ok(w));
        assert_eq!(
            roll(&w, HOUR, T0 + 3_600),
            Ok(OutflowWindow {
                bucket_start: T0 + 3_600,
                previous_net: 9,
                current_net: 0
            })
        );
        assert_eq!(
            roll(&w, HOUR, T0 + 3 * 3_600 + 5),
            Ok(OutflowWindow {
                bucket_start: T0 + 3 * 3_600,
                previous_net: 0,
                current_net: 0
            })
        );
        // A clock before the bucket's start changes nothing, and weighs the previous bucket fully.
        assert_eq!(roll(&w, HOUR, T0 - 100), Ok(w));
        assert_eq!(estimate_ceil(&limit(100), &w, T0 - 100), Ok(16));
        assert_eq!(roll(&w, HOUR, i64::MAX).map(|r| r.current_net), Ok(0));
    }

    #[test]
    fn successful_reconfigure_keeps_or_carries_the_counted_outflow() {
        let l = limit(1_000);
        let w = record_outflow(&l, &fresh(), T0, 800).unwrap();
        // A new cap on the same window keeps the state.
        assert_eq!(reconfigure(&l, &w, &limit(500), T0 + 1), Ok(w));
        // A new window carries the estimate into a fresh bucket.
        let longer = OutflowLimit {
            cap: 1_000,
            window_secs: 2 * HOUR,
        };
        let c = reconfigure(&l, &w, &longer, T0 + 1).unwrap();
        assert_eq!(
            c,
            OutflowWindow {
                bucket_start: T0 + 1,
                previous_net: 0,
                current_net: 800
            }
        );
        assert_eq!(remaining_floor(&longer, &c, T0 + 1), Ok(200));
        // Enabling starts empty at `now`; disabling zeroes everything.
        assert_eq!(
            reconfigure(&OutflowLimit::default(), &w, &l, T0 + 9),
            Ok(OutflowWindow {
                bucket_start: T0 + 9,
                ..Default::default()
            })
        );
        assert_eq!(
            reconfigure(&l, &w, &OutflowLimit::default(), T0 + 9),
            Ok(OutflowWindow::default())
        );
    }
}
