//! A reserve's risk parameters as its measured volatility moves them: the configuration, its
//! validation, and [`respond`], the one function the program, the keeper and the TS client
//! (through golden vectors) use to turn the estimator's state into the parameters in force.
//!
//! # What moves, and how
//! With `φ` the stress fraction of the estimate ([`super::stress_fraction`]):
//! - LTV (new borrows, withdrawals): `tightened(LTV, ltv_floor, φ)`, rounded down to a bps;
//! - borrow cap: `tightened(cap, cap × cap_floor, φ)`, rounded down to a token unit;
//! - minimum liquidation bonus: `raised(min bonus, ceiling, φ)`, rounded up to a bps, the
//!   ceiling configured up to the maximum bonus (at the configured minimum, the bonus does not
//!   move: the Dutch auction keeps its whole range);
//! - liquidation threshold: its target `tightened(LT, threshold_floor, φ)` (rounded down to a
//!   bps) is only where the threshold in force is heading. The threshold in force
//!   ([`ThresholdPath`]) follows the target that was set at the previous update over the time
//!   since, tightening by at most `rate` per hour ([`super::step_threshold`]), and loosens to a
//!   higher new target at once. It is applied rounded down to a bps (against the borrower),
//!   and never above the configured threshold (an admin's lower threshold applies at once, as
//!   without volatility).
//!
//! # Invariants (`tests/volatility_properties.rs`)
//! - Between two updates `Δt` seconds apart, the threshold in force falls by at most
//!   `rate × Δt / 3600` (plus the one-bps rounding of the applied value), whatever the prices:
//!   a spike sets a new target, and the threshold only starts moving towards it afterwards. So an
//!   obligation healthy at one update is not liquidatable at the next at unchanged prices
//!   unless it was within that bound of its threshold.
//! - LTV ≤ configured LTV < threshold in force ≤ configured threshold; configured min bonus ≤ min
//!   bonus ≤ max bonus; borrow cap ≤ configured cap. So every rule a reserve's configuration
//!   obeys (`LT × (1 + max bonus) < 1`, LTV < LT) holds for the parameters in force, and every
//!   liquidation property stated for them holds unchanged.
//! - With volatility off (`half_life_secs = 0`) the parameters in force are the configured ones.

use crate::error::{MathError, MathResult};
use crate::fixed::Decimal;

use super::{raised, step_threshold, stress_fraction, tightened, volatility, VolatilityState};

const BPS: u64 = 10_000;

/// Longest half-life of the estimate (seconds): 30 days.
pub const MAX_HALF_LIFE_SECS: u32 = 30 * 86_400;

/// Highest volatility the calm and stress levels may name (bps of annualised σ): 1,000%.
pub const MAX_VOLATILITY_BPS: u32 = 100_000;

/// How a reserve's parameters follow its volatility (all zero: off).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VolatilityConfig {
    /// Half-life of the estimate (seconds; 0 = volatility adjustment off).
    pub half_life_secs: u32,
    /// Annualised volatility up to which the configured parameters apply (bps of σ).
    pub calm_vol_bps: u32,
    /// Annualised volatility at which the parameters reach their stressed bounds (bps of σ).
    pub stress_vol_bps: u32,
    /// LTV at full stress (bps).
    pub ltv_floor_bps: u16,
    /// Liquidation threshold the target reaches at full stress (bps, > LTV floor).
    pub threshold_floor_bps: u16,
    /// Borrow cap at full stress, as a share of the configured cap (bps).
    pub borrow_cap_floor_bps: u16,
    /// Minimum liquidation bonus at full stress (bps, ≤ the maximum bonus; at or below the
    /// configured minimum, the minimum bonus does not move and the auction keeps its range).
    pub min_bonus_ceiling_bps: u16,
    /// Fastest tightening of the threshold in force (bps of 1 per hour, ≤ 10,000; 0 = it
    /// never tightens).
    pub threshold_rate_bps_per_hour: u32,
}

/// Why a volatility configuration is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VolatilityConfigError {
    /// Off must be all zero; on needs `0 < half-life ≤ 30 days` and `calm < stress ≤ 1,000%`.
    Estimator,
    /// Floors must satisfy `LTV floor ≤ LTV`, `LTV floor < threshold floor ≤ threshold`,
    /// cap floor and rate `≤ 10,000` bps, bonus ceiling `≤` the maximum bonus.
    Floors,
}

impl VolatilityConfig {
    /// True when the adjustment is on.
    pub fn enabled(&self) -> bool {
        self.half_life_secs != 0
    }

    /// Checks the configuration against the reserve's configured parameters.
    pub fn validate(&self, base: &BaseParams) -> Result<(), VolatilityConfigError> {
        if !self.enabled() {
            return if *self == VolatilityConfig::default() {
                Ok(())
            } else {
                Err(VolatilityConfigError::Estimator)
            };
        }
        if self.half_life_secs > MAX_HALF_LIFE_SECS
            || self.calm_vol_bps >= self.stress_vol_bps
            || self.stress_vol_bps > MAX_VOLATILITY_BPS
        {
            return Err(VolatilityConfigError::Estimator);
        }
        if self.ltv_floor_bps > base.ltv_bps
            || self.ltv_floor_bps >= self.threshold_floor_bps
            || self.threshold_floor_bps > base.threshold_bps
            || u64::from(self.borrow_cap_floor_bps) > BPS
            || u64::from(self.threshold_rate_bps_per_hour) > BPS
            || self.min_bonus_ceiling_bps > base.max_bonus_bps
        {
            return Err(VolatilityConfigError::Floors);
        }
        Ok(())
    }
}

/// The configured parameters the response starts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BaseParams {
    /// Configured LTV (bps).
    pub ltv_bps: u16,
    /// Configured liquidation threshold (bps).
    pub threshold_bps: u16,
    /// Configured minimum liquidation bonus (bps).
    pub min_bonus_bps: u16,
    /// Configured maximum liquidation bonus (bps).
    pub max_bonus_bps: u16,
    /// Configured borrow cap (token base units).
    pub borrow_cap: u64,
}

/// Where the threshold in force is and where it is heading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThresholdPath {
    /// Threshold in force (a fraction), unrounded.
    pub in_force: Decimal,
    /// Target set at the last update (bps): the threshold in force heads there until the next.
    pub target_bps: u16,
    /// Time of the last update (unix seconds).
    pub ts: i64,
}

impl ThresholdPath {
    /// The path of a reserve whose adjustment starts at `now`: at the configured threshold.
    pub fn start(threshold_bps: u16, now: i64) -> ThresholdPath {
        ThresholdPath {
            in_force: Decimal::from_bps(u64::from(threshold_bps)),
            target_bps: threshold_bps,
            ts: now,
        }
    }
}

/// The parameters in force after an update, and the estimate behind them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// Annualised volatility `σ` (bps, rounded down).
    pub volatility_bps: u32,
    /// Stress fraction `φ` (bps, rounded up).
    pub stress_bps: u32,
    /// LTV in force (bps).
    pub ltv_bps: u16,
    /// Liquidation threshold in force (bps, rounded down from the path).
    pub threshold_bps: u16,
    /// Target of the threshold (bps).
    pub target_threshold_bps: u16,
    /// Minimum liquidation bonus in force (bps).
    pub min_bonus_bps: u16,
    /// Borrow cap in force (token base units).
    pub borrow_cap: u64,
}

impl Response {
    /// The configured parameters, unchanged (adjustment off, or no stress).
    pub fn unadjusted(base: &BaseParams) -> Response {
        Response {
            volatility_bps: 0,
            stress_bps: 0,
            ltv_bps: base.ltv_bps,
            threshold_bps: base.threshold_bps,
            target_threshold_bps: base.threshold_bps,
            min_bonus_bps: base.min_bonus_bps,
            borrow_cap: base.borrow_cap,
        }
    }
}

fn bps(x: u16) -> Decimal {
    Decimal::from_bps(u64::from(x))
}

fn to_bps_floor(x: Decimal) -> MathResult<u16> {
    u16::try_from(x.try_floor_bps()?).map_err(|_| MathError::Overflow)
}

fn to_bps_ceil(x: Decimal) -> MathResult<u16> {
    u16::try_from(x.try_mul_u64(BPS)?.try_ceil_u64()?).map_err(|_| MathError::Overflow)
}

/// The parameters in force at `now` for the estimator in `state`, and the threshold's new path
/// (see the module docs). `path` is the path after the previous update; a clock that went back
/// counts as no time elapsed. With the adjustment off, the configured parameters and `path`
/// unchanged.
pub fn respond(
    config: &VolatilityConfig,
    base: &BaseParams,
    state: &VolatilityState,
    path: &ThresholdPath,
    now: i64,
) -> MathResult<(ThresholdPath, Response)> {
    if !config.enabled() {
        return Ok((*path, Response::unadjusted(base)));
    }
    let sigma = volatility(state)?;
    let phi = stress_fraction(
        sigma,
        Decimal::from_bps(u64::from(config.calm_vol_bps)),
        Decimal::from_bps(u64::from(config.stress_vol_bps)),
    )?;
    let ltv = tightened(bps(base.ltv_bps), bps(config.ltv_floor_bps), phi)?;
    let target = to_bps_floor(tightened(
        bps(base.threshold_bps),
        bps(config.threshold_floor_bps),
        phi,
    )?)?;
    // The ceiling, at most the maximum bonus (which the admin may have lowered since).
    let bonus_top = config.min_bonus_ceiling_bps.min(base.max_bonus_bps);
    let min_bonus = raised(bps(base.min_bonus_bps), bps(bonus_top), phi)?;
    let cap = Decimal::from_u64(base.borrow_cap);
    let cap_floor = cap.try_mul(bps(config.borrow_cap_floor_bps))?;
    let borrow_cap = tightened(cap, cap_floor, phi)?.try_floor_u64()?;

    // The previous target held over the time since the previous update; the new one applies
    // from now on, except that a looser one applies at once.
    let elapsed = u64::try_from(now.saturating_sub(path.ts)).unwrap_or(0);
    let stepped = step_threshold(
        path.in_force,
        bps(path.target_bps),
        elapsed,
        Decimal::from_bps(u64::from(config.threshold_rate_bps_per_hour)),
    )?;
    let in_force = stepped.max(bps(target)).min(bps(base.threshold_bps));
    let next = ThresholdPath {
        in_force,
        target_bps: target,
        ts: now.max(path.ts),
    };
    let response = Response {
        volatility_bps: u32::try_from(sigma.try_floor_bps()?).unwrap_or(u32::MAX),
        stress_bps: u32::try_from(phi.try_mul_u64(BPS)?.try_ceil_u64()?)
            .map_err(|_| MathError::Overflow)?,
        // Below the target by a bps at least: rounding both to bps could otherwise meet.
        ltv_bps: to_bps_floor(ltv)?.min(target.saturating_sub(1)),
        threshold_bps: to_bps_floor(in_force)?,
        target_threshold_bps: target,
        min_bonus_bps: to_bps_ceil(min_bonus)?,
        borrow_cap,
    };
    Ok((next, response))
}

#[cfg(test)]
mod tests;
