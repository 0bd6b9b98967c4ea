//! Oracle prices as `Decimal`s, and the conservative prices used for borrowing limits.
//!
//! A Pyth price is the integer `p` with exponent `e`: the value is `p × 10^e` quote units
//! (USD) per whole token, with confidence interval `c × 10^e`. Both the spot and the EMA price
//! carry a confidence.
//!
//! Conservative valuation (the choice and why): a borrow or a withdrawal *increases* risk, so
//! it is judged at the prices least favourable to the user within what the oracle considers
//! plausible:
//! - collateral at `min(spot, EMA) − conf` (a pumped spot price does not raise borrowing power
//!   until the 1-hour EMA follows it, the Mango/USDH lesson; a wide interval lowers it further);
//! - debt at `max(spot, EMA) + conf`.
//!
//! `conf` is the larger of the spot and EMA confidences. Liquidation uses the spot price
//! (so a lagging EMA cannot shield an insolvent position); it still requires the staleness and
//! confidence checks that the program applies.

use crate::error::{MathError, MathResult};
use crate::fixed::{Decimal, U256};

/// Largest |exponent| accepted from an oracle.
pub const MAX_ABS_EXPONENT: i32 = 30;

/// Raw oracle figures, as read from a price account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawPrice {
    /// Aggregate price mantissa.
    pub price: i64,
    /// Confidence of the aggregate price (same exponent).
    pub conf: u64,
    /// EMA price mantissa.
    pub ema_price: i64,
    /// Confidence of the EMA price.
    pub ema_conf: u64,
    /// Shared exponent.
    pub expo: i32,
}

/// Normalized prices in quote units per whole token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    /// Spot (aggregate) price.
    pub spot: Decimal,
    /// Exponential moving average price.
    pub ema: Decimal,
    /// The wider of the spot and EMA confidence intervals.
    pub conf: Decimal,
}

/// `mantissa × 10^expo` as a `Decimal` (exact for `expo ≥ −18`, truncated below).
pub fn scale_mantissa(mantissa: u64, expo: i32) -> MathResult<Decimal> {
    if !(-MAX_ABS_EXPONENT..=MAX_ABS_EXPONENT).contains(&expo) {
        return Err(MathError::InvalidInput);
    }
    let m = U256::from(mantissa);
    let shift = 18 + expo;
    if shift >= 0 {
        let factor = U256::from(10u64).pow(U256::from(shift as u32));
        m.checked_mul(factor)
            .map(Decimal)
            .ok_or(MathError::Overflow)
    } else {
        let factor = U256::from(10u64).pow(U256::from((-shift) as u32));
        Ok(Decimal(m / factor))
    }
}

impl RawPrice {
    /// Normalizes the figures; `InvalidInput` when a price is not positive or the exponent is
    /// out of range.
    pub fn normalize(&self) -> MathResult<Prices> {
        if self.price <= 0 || self.ema_price <= 0 {
            return Err(MathError::InvalidInput);
        }
        let spot = scale_mantissa(self.price as u64, self.expo)?;
        let ema = scale_mantissa(self.ema_price as u64, self.expo)?;
        let conf = scale_mantissa(self.conf.max(self.ema_conf), self.expo)?;
        if spot.is_zero() || ema.is_zero() {
            return Err(MathError::InvalidInput);
        }
        Ok(Prices { spot, ema, conf })
    }
}

impl Prices {
    /// Confidence relative to the spot price, in bps, rounded up.
    pub fn confidence_bps(&self) -> MathResult<u64> {
        self.conf
            .try_mul_u64(crate::fixed::BPS_SCALE)?
            .try_div_ceil(self.spot)?
            .try_ceil_u64()
    }

    /// `|spot − EMA| / EMA` in bps, rounded up.
    pub fn divergence_bps(&self) -> MathResult<u64> {
        let diff = if self.spot > self.ema {
            self.spot.try_sub(self.ema)?
        } else {
            self.ema.try_sub(self.spot)?
        };
        diff.try_mul_u64(crate::fixed::BPS_SCALE)?
            .try_div_ceil(self.ema)?
            .try_ceil_u64()
    }

    /// Price for collateral in borrow and withdraw checks: `min(spot, EMA) − conf`, floored at 0.
    pub fn collateral_price(&self) -> Decimal {
        self.spot.min(self.ema).saturating_sub(self.conf)
    }

    /// The same prices with the confidence capped at `max_bps` of the spot: a print that failed
    /// only on confidence, used as a last known price, counts no more uncertain than the bound.
    pub fn with_confidence_capped(self, max_bps: u64) -> MathResult<Prices> {
        let cap = self.spot.try_mul(Decimal::from_bps(max_bps))?;
        Ok(Prices {
            conf: self.conf.min(cap),
            ..self
        })
    }

    /// Price for debt in borrow and withdraw checks: `max(spot, EMA) + conf`.
    pub fn debt_price(&self) -> MathResult<Decimal> {
        self.spot.max(self.ema).try_add(self.conf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(price: i64, conf: u64, ema: i64) -> RawPrice {
        RawPrice {
            price,
            conf,
            ema_price: ema,
            ema_conf: conf,
            expo: -8,
        }
    }

    #[test]
    fn successful_confidence_cap_keeps_a_narrower_one() {
        let p = Prices {
            spot: Decimal::from_u64(100),
            ema: Decimal::from_u64(90),
            conf: Decimal::from_u64(50),
        };
        let capped = p.with_confidence_capped(200).unwrap();
        assert_eq!(capped.conf, Decimal::from_u64(2), "2% of the spot");
        assert_eq!((capped.spot, capped.ema), (p.spot, p.ema));
        let narrow = Prices {
            conf: Decimal::one(),
            ..p
        };
        assert_eq!(narrow.with_confidence_capped(200).unwrap(), narrow);
    }

    #[test]
    fn successful_normalization_of_exponents() {
        let p = raw(15_000_000_000, 5_000_000, 14_000_000_000)
            .normalize()
            .unwrap();
        assert_eq!(p.spot, Decimal::from_u64(150));
        assert_eq!(p.ema, Decimal::from_u64(140));
        assert_eq!(p.conf, Decimal::from_ratio(5, 100).unwrap());
        assert_eq!(scale_mantissa(7, 2).unwrap(), Decimal::from_u64(700));
        assert_eq!(scale_mantissa(5, -20).unwrap(), Decimal(U256::zero()));
    }

    #[test]
    fn successful_conservative_prices_bracket_spot_and_ema() {
        let p = raw(15_000_000_000, 100_000_000, 14_000_000_000)
            .normalize()
            .unwrap();
        assert_eq!(p.collateral_price(), Decimal::from_u64(139));
        assert_eq!(p.debt_price().unwrap(), Decimal::from_u64(151));
        assert_eq!(p.confidence_bps().unwrap(), 67); // 1/150 = 66.67 bps, rounded up
        assert_eq!(p.divergence_bps().unwrap(), 715); // 10/140 = 714.29 bps, rounded up
    }

    #[test]
    fn fail_normalize_when_price_not_positive_or_exponent_absurd() {
        assert_eq!(raw(0, 1, 1).normalize(), Err(MathError::InvalidInput));
        assert_eq!(raw(-5, 1, 1).normalize(), Err(MathError::InvalidInput));
        assert_eq!(raw(5, 1, -1).normalize(), Err(MathError::InvalidInput));
        let mut r = raw(5, 1, 5);
        r.expo = 31;
        assert_eq!(r.normalize(), Err(MathError::InvalidInput));
    }
}
