//! Interest: a piecewise-linear borrow-rate curve and per-second compounding.
//!
//! Symbols
//! - `U` utilization = `D / (D + L)` with `D` total debt and `L` available liquidity, in [0, 1];
//! - `r(U)` borrow APR read off the curve by linear interpolation between its points;
//! - `I` cumulative borrow index, starts at 1.0 and only grows;
//! - `g = (1 + r / SECONDS_PER_YEAR)^Δt` growth over `Δt` seconds (per-second compounding).
//!
//! Accrual over `Δt`: `I' = I × g`; total debt `D' = N × I'` where `N` is the reserve's total
//! normalized debt; interest `ΔD = D' − D`; protocol fees `F' = F + ΔD × reserve_factor`.
//! Rounding: `g` and `I'` are truncated at 1e-18; the debt of a borrower is converted to tokens
//! with a ceiling, so truncation of the index never lets a user repay less than they owe in
//! whole units by more than 1e-18 of a unit.

use crate::error::{MathError, MathResult};
use crate::fixed::{Decimal, BPS_SCALE};

/// Seconds in a 365-day year, the compounding basis.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;

/// Number of points of a borrow-rate curve (klend uses 11; at least 4 give 3 kinks).
pub const CURVE_POINTS: usize = 11;

/// Highest borrow APR a curve may reach: 1,000% (in bps).
pub const MAX_BORROW_RATE_BPS: u32 = 100_000;

/// One point of the curve: at `utilization_bps` the APR is `borrow_rate_bps`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CurvePoint {
    /// Utilization in bps (0..=10_000).
    pub utilization_bps: u32,
    /// Borrow APR in bps at that utilization.
    pub borrow_rate_bps: u32,
}

/// Why a curve is not usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurveError {
    /// The first point is not at 0% utilization.
    FirstPointNotZero,
    /// The points do not reach 100% utilization.
    LastPointNotFull,
    /// Utilization does not strictly increase before 100% (or padding after 100% differs).
    UtilizationNotIncreasing,
    /// The rate falls somewhere along the curve.
    RateDecreasing,
    /// A rate above `MAX_BORROW_RATE_BPS`.
    RateTooHigh,
}

/// Checks that a curve is usable: starts at 0%, strictly increasing utilization up to 100%,
/// non-decreasing rates (monotone), each rate ≤ `MAX_BORROW_RATE_BPS`. Points after the one
/// at 100% must repeat it exactly (padding).
pub fn validate_curve(points: &[CurvePoint; CURVE_POINTS]) -> Result<(), CurveError> {
    if points[0].utilization_bps != 0 {
        return Err(CurveError::FirstPointNotZero);
    }
    let full = BPS_SCALE as u32;
    let mut reached_full = false;
    for i in 0..CURVE_POINTS {
        let p = points[i];
        if p.borrow_rate_bps > MAX_BORROW_RATE_BPS {
            return Err(CurveError::RateTooHigh);
        }
        if i == 0 {
            reached_full = p.utilization_bps == full;
            continue;
        }
        let prev = points[i - 1];
        if reached_full {
            if p != prev {
                return Err(CurveError::UtilizationNotIncreasing);
            }
            continue;
        }
        if p.utilization_bps <= prev.utilization_bps || p.utilization_bps > full {
            return Err(CurveError::UtilizationNotIncreasing);
        }
        if p.borrow_rate_bps < prev.borrow_rate_bps {
            return Err(CurveError::RateDecreasing);
        }
        reached_full = p.utilization_bps == full;
    }
    if !reached_full {
        return Err(CurveError::LastPointNotFull);
    }
    Ok(())
}

/// `U = D / (D + L)`; 0 when the reserve holds nothing.
pub fn utilization(total_debt: Decimal, available: u64) -> MathResult<Decimal> {
    let total = total_debt.try_add(Decimal::from_u64(available))?;
    if total.is_zero() {
        return Ok(Decimal::zero());
    }
    let u = total_debt.try_div(total)?;
    Ok(u.min(Decimal::one()))
}

/// APR at utilization `u`, interpolated linearly between the two surrounding points
/// (rounded down at 1e-18). The curve must have passed `validate_curve`.
pub fn borrow_rate(points: &[CurvePoint; CURVE_POINTS], u: Decimal) -> MathResult<Decimal> {
    let u = u.min(Decimal::one());
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let ua = Decimal::from_bps(u64::from(a.utilization_bps));
        let ub = Decimal::from_bps(u64::from(b.utilization_bps));
        if u > ub {
            continue;
        }
        if ub == ua {
            return Ok(Decimal::from_bps(u64::from(b.borrow_rate_bps)));
        }
        let ra = Decimal::from_bps(u64::from(a.borrow_rate_bps));
        let rb = Decimal::from_bps(u64::from(b.borrow_rate_bps));
        let slope = rb.try_sub(ra)?.try_div(ub.try_sub(ua)?)?;
        return ra.try_add(slope.try_mul(u.try_sub(ua)?)?);
    }
    Err(MathError::InvalidInput)
}

/// Growth factor `g = (1 + apr / SECONDS_PER_YEAR)^elapsed`.
pub fn compound_factor(apr: Decimal, elapsed_seconds: u64) -> MathResult<Decimal> {
    let per_second = apr.try_div_u64(SECONDS_PER_YEAR)?;
    Decimal::one().try_add(per_second)?.try_pow(elapsed_seconds)
}

/// The protocol's part of income earned by a reserve (interest, flash-loan fees):
/// `income × reserve_factor` (rounded down at 1e-18); the rest is the depositors'.
pub fn protocol_share(income: Decimal, reserve_factor: Decimal) -> MathResult<Decimal> {
    income.try_mul(reserve_factor)
}

/// The reserve figures that interest accrual reads.
#[derive(Clone, Copy, Debug)]
pub struct AccrualState {
    /// Liquidity in the vault that belongs to the pool (token units).
    pub available: u64,
    /// Total normalized debt `N` (debt ÷ index at the time of borrowing).
    pub total_normalized_debt: Decimal,
    /// Cumulative borrow index `I`.
    pub borrow_index: Decimal,
    /// Protocol fees accrued so far (token units, fractional).
    pub protocol_fees: Decimal,
}

/// The result of one accrual.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accrual {
    /// New cumulative borrow index `I'`.
    pub borrow_index: Decimal,
    /// New protocol fees `F'`.
    pub protocol_fees: Decimal,
    /// Interest added to the debt over the period (token units).
    pub interest: Decimal,
    /// The APR that applied over the period.
    pub borrow_rate: Decimal,
}

/// Accrues interest over `elapsed_seconds` at the rate the curve gives for the utilization at
/// the start of the period. `reserve_factor` is the share of interest that goes to the protocol.
pub fn accrue(
    state: &AccrualState,
    points: &[CurvePoint; CURVE_POINTS],
    reserve_factor: Decimal,
    elapsed_seconds: u64,
) -> MathResult<Accrual> {
    let debt = state.total_normalized_debt.try_mul(state.borrow_index)?;
    let rate = borrow_rate(points, utilization(debt, state.available)?)?;
    if elapsed_seconds == 0 || debt.is_zero() {
        return Ok(Accrual {
            borrow_index: state.borrow_index,
            protocol_fees: state.protocol_fees,
            interest: Decimal::zero(),
            borrow_rate: rate,
        });
    }
    let growth = compound_factor(rate, elapsed_seconds)?;
    let borrow_index = state.borrow_index.try_mul(growth)?;
    let new_debt = state.total_normalized_debt.try_mul(borrow_index)?;
    let interest = new_debt.saturating_sub(debt);
    let protocol_fees = state
        .protocol_fees
        .try_add(protocol_share(interest, reserve_factor)?)?;
    Ok(Accrual {
        borrow_index,
        protocol_fees,
        interest,
        borrow_rate: rate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn curve() -> [CurvePoint; CURVE_POINTS] {
        let mut pts = [CurvePoint {
            utilization_bps: 10_000,
            borrow_rate_bps: 30_000,
        }; CURVE_POINTS];
        pts[0] = CurvePoint {
            utilization_bps: 0,
            borrow_rate_bps: 0,
        };
        pts[1] = CurvePoint {
            utilization_bps: 5_000,
            borrow_rate_bps: 400,
        };
        pts[2] = CurvePoint {
            utilization_bps: 8_000,
            borrow_rate_bps: 1_000,
        };
        pts[3] = CurvePoint {
            utilization_bps: 9_000,
            borrow_rate_bps: 5_000,
        };
        pts
    }

    #[test]
    fn successful_interpolation_at_and_between_kinks() {
        let c = curve();
        let r = |bps| borrow_rate(&c, Decimal::from_bps(bps)).unwrap();
        assert_eq!(r(0), Decimal::zero());
        assert_eq!(r(2_500), Decimal::from_bps(200));
        assert_eq!(r(5_000), Decimal::from_bps(400));
        assert_eq!(r(6_500), Decimal::from_bps(700));
        assert_eq!(r(8_500), Decimal::from_bps(3_000));
        assert_eq!(r(10_000), Decimal::from_bps(30_000));
    }

    #[test]
    fn fail_validate_when_curve_is_not_monotone() {
        let mut c = curve();
        assert_eq!(validate_curve(&c), Ok(()));
        c[2].borrow_rate_bps = 100;
        assert_eq!(validate_curve(&c), Err(CurveError::RateDecreasing));
        let mut c = curve();
        c[0].utilization_bps = 1;
        assert_eq!(validate_curve(&c), Err(CurveError::FirstPointNotZero));
        let mut c = curve();
        c[2].utilization_bps = 4_000;
        assert_eq!(
            validate_curve(&c),
            Err(CurveError::UtilizationNotIncreasing)
        );
        let mut c = curve();
        for p in c.iter_mut().skip(4) {
            *p = CurvePoint {
                utilization_bps: 9_500,
                borrow_rate_bps: 6_000,
            };
        }
        assert_eq!(
            validate_curve(&c),
            Err(CurveError::UtilizationNotIncreasing)
        );
        let mut c = curve();
        c[10].borrow_rate_bps = MAX_BORROW_RATE_BPS + 1;
        assert_eq!(validate_curve(&c), Err(CurveError::RateTooHigh));
    }

    #[test]
    fn successful_one_year_at_ten_percent_compounds_to_e_power() {
        let g = compound_factor(Decimal::from_percent(10), SECONDS_PER_YEAR).unwrap();
        // e^0.1 = 1.105170918...; per-second compounding is within 1e-9 of it.
        let lo = Decimal::from_ratio(1_105_170_910, 1_000_000_000).unwrap();
        let hi = Decimal::from_ratio(1_105_170_920, 1_000_000_000).unwrap();
        assert!(g > lo && g < hi, "{g}");
    }

    #[test]
    fn successful_accrual_splits_interest_with_protocol() {
        let state = AccrualState {
            available: 500,
            total_normalized_debt: Decimal::from_u64(500),
            borrow_index: Decimal::one(),
            protocol_fees: Decimal::zero(),
        };
        let a = accrue(
            &state,
            &curve(),
            Decimal::from_percent(10),
            SECONDS_PER_YEAR,
        )
        .unwrap();
        assert_eq!(a.borrow_rate, Decimal::from_bps(400));
        // 500 × (e^0.04 − 1) ≈ 20.405
        assert_eq!(a.interest.try_floor_u64().unwrap(), 20);
        assert_eq!(
            a.protocol_fees,
            a.interest.try_mul(Decimal::from_percent(10)).unwrap()
        );
        assert!(a.borrow_index > Decimal::one());
    }

    #[test]
    fn fail_accrual_cleanly_when_a_century_at_max_rate_overflows() {
        let mut c = curve();
        for p in c.iter_mut().skip(1) {
            *p = CurvePoint {
                utilization_bps: 10_000,
                borrow_rate_bps: MAX_BORROW_RATE_BPS,
            };
        }
        assert_eq!(validate_curve(&c), Ok(()));
        let state = AccrualState {
            available: 0,
            total_normalized_debt: Decimal::from_u64(1_000_000),
            borrow_index: Decimal::one(),
            protocol_fees: Decimal::zero(),
        };
        // 1,000% APR for 100 years is e^1000: no fixed-point type holds it; the error is explicit.
        let r = accrue(&state, &c, Decimal::zero(), 100 * SECONDS_PER_YEAR);
        assert_eq!(r, Err(MathError::Overflow));
        // The same century at a 30% top rate fits (e^30 ≈ 1.07e13).
        let mut c = curve();
        for p in c.iter_mut().skip(4) {
            p.borrow_rate_bps = 3_000;
        }
        c[3].borrow_rate_bps = 3_000;
        assert_eq!(validate_curve(&c), Ok(()));
        let r = accrue(&state, &c, Decimal::zero(), 100 * SECONDS_PER_YEAR).unwrap();
        assert!(r.borrow_index > Decimal::from_u64(1_000_000_000_000));
    }
}
