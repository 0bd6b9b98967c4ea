//! Realised volatility of a price, measured from its own refreshes, and the risk parameters
//! that follow it.
//!
//! # The estimator
//! Symbols: `p₀`, `t₀` the last sample (price, unix seconds); `p`, `t` the new price and time;
//! `Δt = t − t₀`; `V` the estimated variance per year (annualised, so `σ = √V`); `H` the
//! half-life in seconds and `τ = H / ln 2` the memory; `Y` = seconds per year.
//!
//! - Return: `r = 2(p − p₀) / (p + p₀)`. It is symmetric (a fall and the rise that undoes it
//!   have the same size) and bounded (`|r| < 2`, so one bad print cannot blow the estimate up).
//!   Against the log return `ℓ = ln(p/p₀)`: `r = 2·tanh(ℓ/2)`, so `|r| ≤ |ℓ|` and the gap is
//!   about `ℓ³/12`: 1% of the return for a ±35% move, 4% for a halving. It underestimates
//!   large moves, by that much.
//! - Update: `V' = (τ·V + r²·Y) / (τ + Δt)`.
//!   This is `V + α·(r²·Y/Δt − V)` with weight `α = Δt / (Δt + τ)`, the first-order Padé
//!   approximation of the exponential weight `1 − e^{−Δt/τ}`.
//! - Irregular intervals: for a price with variance `σ²` per year, `E[r²] ≈ σ²·Δt/Y` at any
//!   `Δt`. So if `V = σ²`, then `E[V'] = σ²` whatever the spacing of the refreshes: no bias
//!   from irregular intervals. What the Padé weight changes is the memory. A new sample
//!   weighs `Δt/(Δt+τ)` instead of `1 − e^{−Δt/τ}` (0.41 instead of 0.5 for a gap of one
//!   half-life). Old samples fade by `Π τ/(τ+Δtᵢ) ≥ e^{−ΣΔtᵢ/τ}`: after long gaps the memory
//!   is a little longer than the half-life says. Over many short intervals the two agree.
//! - Sampling resolution: a refresh less than [`min_sample_secs`] (`H / 60`, at least a
//!   second) after the sample changes nothing, not even the sample point; the next sample
//!   measures the net move from `p₀`. Samples are dated by the cluster clock, not by the price's
//!   publish time, and the program samples only a print newer than the one cached. So many
//!   refreshes in one slot, or a burst of recent prints posted in one slot, count once: a price
//!   path inside the resolution cannot manufacture returns. And a trend cannot be hidden by
//!   refreshing often: cut into steps of `Δt`, a steady move `M` over `T` reads
//!   `V ≈ M²·Y·Δt / T²`, which falls with `Δt`; the resolution bounds how far (a 30% fall over
//!   an hour with a one-hour half-life reads about 300% annualised, not the 50% that one-second
//!   steps would give).
//!
//! # The response
//! `φ = clamp((σ − σ_calm) / (σ_stress − σ_calm), 0, 1)` is how stressed the market is.
//! Parameters move linearly in `φ` between their configured value (at `φ = 0`) and their
//! stressed bound (at `φ = 1`):
//! - LTV (new borrows and withdrawals) falls to its floor, rounded down;
//! - the borrow cap falls to its floor share of the configured cap, rounded down;
//! - the minimum liquidation bonus rises to the maximum bonus, rounded up;
//! - the liquidation threshold's *target* falls to its floor. The threshold in force moves
//!   to that target at most `rate` per hour when tightening ([`step_threshold`]), and at once
//!   when loosening. So a volatility spike does not make any obligation liquidatable at
//!   unchanged prices in one step: the threshold drifts, and borrowers have hours to act.

use crate::error::{MathError, MathResult};
use crate::fixed::Decimal;
use crate::interest::SECONDS_PER_YEAR;

pub mod response;

/// `1 / ln 2` to 18 decimals: `τ = H / ln 2 = H × 1.442695…`.
const INV_LN2_WAD: u128 = 1_442_695_040_888_963_407;

/// Seconds per hour, the unit of the threshold's tightening rate.
pub const SECONDS_PER_HOUR: u64 = 3_600;

/// The estimator's state (what a reserve stores).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VolatilityState {
    /// Price at the last sample (quote units per token, any fixed scale; zero: no sample yet).
    pub sample_price: Decimal,
    /// Time of the last sample (unix seconds).
    pub sample_ts: i64,
    /// Estimated variance per year, `V = σ²` (a fraction: 0.25 is 50% volatility).
    pub variance: Decimal,
}

/// The symmetric return `r² = (2(p − p₀) / (p + p₀))²` between two positive prices (`r² < 4`).
pub fn squared_return(p0: Decimal, p: Decimal) -> MathResult<Decimal> {
    let sum = p0.try_add(p)?;
    if sum.is_zero() {
        return Ok(Decimal::zero());
    }
    let diff = if p >= p0 {
        p.try_sub(p0)?
    } else {
        p0.try_sub(p)?
    };
    let r = diff.try_mul_u64(2)?.try_div(sum)?;
    r.try_mul(r)
}

/// The memory `τ = H / ln 2` in seconds, for a half-life of `half_life_secs`.
pub fn memory_secs(half_life_secs: u64) -> MathResult<Decimal> {
    Decimal::from_u64(half_life_secs).try_mul(Decimal::from_scaled_val(INV_LN2_WAD))
}

/// Samples per half-life at most: the estimator's resolution.
pub const MAX_SAMPLES_PER_HALF_LIFE: u64 = 60;

/// The shortest interval between two samples (seconds): `H / 60`, at least one.
pub fn min_sample_secs(half_life_secs: u64) -> u64 {
    (half_life_secs / MAX_SAMPLES_PER_HALF_LIFE).max(1)
}

/// The state after a refresh at `price` and clock time `now` (see the module's estimator).
/// The first price only sets the sample point. A refresh less than [`min_sample_secs`] after
/// the sample, or earlier (a clock that went back), or with a zero price, changes nothing.
pub fn observe(
    state: &VolatilityState,
    price: Decimal,
    now: i64,
    half_life_secs: u64,
) -> MathResult<VolatilityState> {
    if price.is_zero() || half_life_secs == 0 {
        return Ok(*state);
    }
    if state.sample_price.is_zero() {
        return Ok(VolatilityState {
            sample_price: price,
            sample_ts: now,
            variance: state.variance,
        });
    }
    let min_gap = i64::try_from(min_sample_secs(half_life_secs)).unwrap_or(i64::MAX);
    let Some(elapsed) = now.checked_sub(state.sample_ts).filter(|d| *d >= min_gap) else {
        return Ok(*state);
    };
    let tau = memory_secs(half_life_secs)?;
    let r2_year = squared_return(state.sample_price, price)?.try_mul_u64(SECONDS_PER_YEAR)?;
    // Past u64 seconds the elapsed time saturates: the old estimate is gone either way.
    let elapsed = Decimal::from_u64(u64::try_from(elapsed).unwrap_or(u64::MAX));
    let variance = tau
        .try_mul(state.variance)?
        .try_add(r2_year)?
        .try_div(tau.try_add(elapsed)?)?;
    Ok(VolatilityState {
        sample_price: price,
        sample_ts: now,
        variance,
    })
}

/// Annualised volatility `σ = √V`, rounded down.
pub fn volatility(state: &VolatilityState) -> MathResult<Decimal> {
    state.variance.try_sqrt_floor()
}

/// Stress `φ = clamp((σ − calm) / (stress − calm), 0, 1)`; `InvalidInput` unless
/// `calm < stress`.
pub fn stress_fraction(vol: Decimal, calm: Decimal, stress: Decimal) -> MathResult<Decimal> {
    if calm >= stress {
        return Err(MathError::InvalidInput);
    }
    if vol <= calm {
        return Ok(Decimal::zero());
    }
    if vol >= stress {
        return Ok(Decimal::one());
    }
    vol.try_sub(calm)?.try_div(stress.try_sub(calm)?)
}

/// A parameter that falls with stress: `base − φ·(base − floor)`, rounded down (`floor` is
/// reached at `φ = 1`; a `floor` above `base` leaves `base`).
pub fn tightened(base: Decimal, floor: Decimal, phi: Decimal) -> MathResult<Decimal> {
    let span = base.saturating_sub(floor);
    base.try_sub(span.try_mul_ceil(phi.min(Decimal::one()))?)
}

/// A parameter that rises with stress: `base + φ·(top − base)`, rounded up (`top` is reached at
/// `φ = 1`; a `top` below `base` leaves `base`).
pub fn raised(base: Decimal, top: Decimal, phi: Decimal) -> MathResult<Decimal> {
    let span = top.saturating_sub(base);
    base.try_add(span.try_mul_ceil(phi.min(Decimal::one()))?)
        .map(|v| v.min(top.max(base)))
}

/// The liquidation threshold in force after `elapsed_secs`: it moves to `target` at once when
/// `target` is looser (higher), and tightens towards it by at most `rate_per_hour` (a fraction
/// of one per hour) × the hours elapsed, never past it. Rounded up: the threshold in force is
/// never tighter than the rate allows.
pub fn step_threshold(
    current: Decimal,
    target: Decimal,
    elapsed_secs: u64,
    rate_per_hour: Decimal,
) -> MathResult<Decimal> {
    if target >= current {
        return Ok(target);
    }
    let step = rate_per_hour
        .try_mul_u64(elapsed_secs)?
        .try_div_u64(SECONDS_PER_HOUR)?;
    Ok(current.saturating_sub(step).max(target))
}

#[cfg(test)]
mod tests;
