//! Health of an obligation: what its collateral is worth, what it may borrow, and when it
//! becomes liquidatable.
//!
//! For deposit `i` with underlying amount `a_i` (token base units), decimals `d_i`, loan-to-value
//! `ltv_i` and liquidation threshold `lt_i`; and borrow `j` with debt `b_j`, decimals `d_j`,
//! borrow factor `bf_j ≥ 1`:
//! - market value `v(a, p, d) = a × p / 10^d` (quote units);
//! - deposited value `DV = Σ v(a_i, spot_i)`;
//! - allowed borrow value `ABV = Σ v(a_i, low_i) × ltv_i` with `low = min(spot, EMA) − conf`;
//! - unhealthy borrow value `UBV = Σ v(a_i, spot_i) × lt_i`;
//! - borrowed value `BV = Σ v(b_j, spot_j)`;
//! - borrow-factor-adjusted debt `BFDV = Σ v(b_j, spot_j) × bf_j` (liquidation side);
//! - conservative adjusted debt `BFDV⁺ = Σ v(b_j, high_j) × bf_j` with `high = max(spot, EMA) + conf`.
//!
//! Rules: a borrow or withdrawal must leave `BFDV⁺ ≤ ABV`; an obligation is liquidatable when
//! `BFDV > UBV`. Since `ltv < lt` and `low ≤ spot ≤ high`, an obligation that passes the borrow
//! rule is never liquidatable at the same prices.
//! Rounding: every value is truncated at 1e-18 quote units, deposits down, debts rounded up,
//! so truncation never makes an obligation look healthier than it is.

use crate::error::{MathError, MathResult};
use crate::fixed::{checked_mul_wide, div_pow10_shifted, div_rem_pow10, pow10, Decimal, U256};
use crate::price::Prices;

// In scaled integers (`x.0 = x × 1e18`), `v = a × p / 10^d` is `a.0 × p.0 / 1e18 / 10^d`.
// Dividing in turn is the same as dividing once by the product, `floor(floor(x / m) / n) =
// floor(x / (m × n))` for positive integers (and likewise for the ceiling), so these equal
// `a.try_mul(p)?.try_div(10^d)` exactly. Up to 9 decimals the product `10^(18 + d)` is divided
// in one word division (a shift and `5^(18 + d)`: `fixed::div_pow10_shifted`); above, by
// `1e18` and then `10^d`, each one word with its reciprocal precomputed (`fixed::word_div`).

/// `floor(x / (1e18 × 10^d))`, or the ceiling.
fn scale_down(prod: U256, decimals: u8, ceil: bool) -> Decimal {
    if let Some(q) = div_pow10_shifted(prod, 18 + u32::from(decimals), ceil) {
        return Decimal(q);
    }
    let step = |(q, r): (U256, U256)| {
        if ceil && !r.is_zero() {
            q + U256::one()
        } else {
            q
        }
    };
    let wad = step(div_rem_pow10(prod, 18));
    Decimal(step(div_rem_pow10(wad, decimals)))
}

/// `v(a, p, d) = a × p / 10^d`, truncated.
pub fn market_value(amount: Decimal, price: Decimal, decimals: u8) -> MathResult<Decimal> {
    let prod = checked_mul_wide(amount.0, price.0).ok_or(MathError::Overflow)?;
    Ok(scale_down(prod, decimals, false))
}

/// `v(a, p, d)`, rounded up at the last decimal (for debt).
pub fn market_value_ceil(amount: Decimal, price: Decimal, decimals: u8) -> MathResult<Decimal> {
    let prod = checked_mul_wide(amount.0, price.0).ok_or(MathError::Overflow)?;
    Ok(scale_down(prod, decimals, true))
}

/// `u(p, d) = v(1, p, d)`, rounded up: the value of one base unit. Rounding a token amount
/// moves value by at most this much, so a listing that bounds it bounds every rounding loss
/// of a liquidation (one unit of the debt paid up, one unit of the collateral floored).
pub fn unit_value(price: Decimal, decimals: u8) -> MathResult<Decimal> {
    market_value_ceil(Decimal::from_u64(1), price, decimals)
}

/// Token amount worth `value` quote units at `price`: `value × 10^d / p`, truncated.
pub fn amount_for_value(value: Decimal, price: Decimal, decimals: u8) -> MathResult<Decimal> {
    Decimal(
        value
            .0
            .checked_mul(pow10(decimals))
            .ok_or(MathError::Overflow)?,
    )
    .try_div(price)
}

/// One collateral position, valued.
#[derive(Clone, Copy, Debug)]
pub struct DepositInput {
    /// Underlying tokens (base units) that the position's shares redeem for.
    pub amount: Decimal,
    /// Mint decimals.
    pub decimals: u8,
    /// Oracle prices of the mint.
    pub prices: Prices,
    /// Loan-to-value (fraction).
    pub ltv: Decimal,
    /// Liquidation threshold (fraction).
    pub liquidation_threshold: Decimal,
}

/// One debt position, valued.
#[derive(Clone, Copy, Debug)]
pub struct BorrowInput {
    /// Debt in tokens (base units), interest included.
    pub amount: Decimal,
    /// Mint decimals.
    pub decimals: u8,
    /// Oracle prices of the mint.
    pub prices: Prices,
    /// Borrow factor (fraction ≥ 1).
    pub borrow_factor: Decimal,
}

/// Per-position values, as `refresh_obligation` caches them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DepositValue {
    /// `v(a, spot)`.
    pub market_value: Decimal,
    /// `v(a, low) × ltv`.
    pub allowed_borrow_value: Decimal,
    /// `v(a, spot) × lt`.
    pub unhealthy_borrow_value: Decimal,
}

/// Per-position values of a borrow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BorrowValue {
    /// `v(b, spot)`.
    pub market_value: Decimal,
    /// `v(b, spot) × bf`.
    pub bf_adjusted_value: Decimal,
    /// `v(b, high) × bf`.
    pub bf_adjusted_value_upper: Decimal,
}

/// The values of a deposit that decide liquidation, the spot side of [`DepositValue`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DepositRisk {
    /// `v(a, spot)`.
    pub market_value: Decimal,
    /// `v(a, spot) × lt`.
    pub unhealthy_borrow_value: Decimal,
}

/// The values of a borrow that decide liquidation, the spot side of [`BorrowValue`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BorrowRisk {
    /// `v(b, spot)`, rounded up.
    pub market_value: Decimal,
    /// `v(b, spot) × bf`, rounded up.
    pub bf_adjusted_value: Decimal,
}

/// Values one deposit at spot only: the figures of [`value_deposit`] that liquidation reads.
pub fn value_deposit_risk(d: &DepositInput) -> MathResult<DepositRisk> {
    let spot = market_value(d.amount, d.prices.spot, d.decimals)?;
    Ok(DepositRisk {
        market_value: spot,
        unhealthy_borrow_value: spot.try_mul(d.liquidation_threshold)?,
    })
}

/// Values one deposit.
pub fn value_deposit(d: &DepositInput) -> MathResult<DepositValue> {
    let risk = value_deposit_risk(d)?;
    let low = market_value(d.amount, d.prices.collateral_price(), d.decimals)?;
    Ok(DepositValue {
        market_value: risk.market_value,
        allowed_borrow_value: low.try_mul(d.ltv)?,
        unhealthy_borrow_value: risk.unhealthy_borrow_value,
    })
}

/// Values one borrow at spot only: the figures of [`value_borrow`] that liquidation reads.
pub fn value_borrow_risk(b: &BorrowInput) -> MathResult<BorrowRisk> {
    let spot = market_value_ceil(b.amount, b.prices.spot, b.decimals)?;
    Ok(BorrowRisk {
        market_value: spot,
        bf_adjusted_value: spot.try_mul_ceil(b.borrow_factor)?,
    })
}

/// Values one borrow.
pub fn value_borrow(b: &BorrowInput) -> MathResult<BorrowValue> {
    let risk = value_borrow_risk(b)?;
    let high = market_value_ceil(b.amount, b.prices.debt_price()?, b.decimals)?;
    Ok(BorrowValue {
        market_value: risk.market_value,
        bf_adjusted_value: risk.bf_adjusted_value,
        bf_adjusted_value_upper: high.try_mul_ceil(b.borrow_factor)?,
    })
}

/// The totals that decide liquidation (`DV`, `UBV`, `BFDV`): [`Health`] without the borrow
/// side's conservative figures, summed from [`DepositRisk`] and [`BorrowRisk`]. Equal to the
/// same fields of the obligation's [`Health`] (the sums are of the same terms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// `DV`.
    pub deposited_value: Decimal,
    /// `UBV`.
    pub unhealthy_borrow_value: Decimal,
    /// `BFDV`.
    pub bf_adjusted_debt_value: Decimal,
}

impl Standing {
    /// Adds one deposit's values.
    pub fn add_deposit(&mut self, v: &DepositRisk) -> MathResult<()> {
        self.deposited_value = self.deposited_value.try_add(v.market_value)?;
        self.unhealthy_borrow_value = self
            .unhealthy_borrow_value
            .try_add(v.unhealthy_borrow_value)?;
        Ok(())
    }

    /// Adds one borrow's values.
    pub fn add_borrow(&mut self, v: &BorrowRisk) -> MathResult<()> {
        self.bf_adjusted_debt_value = self.bf_adjusted_debt_value.try_add(v.bf_adjusted_value)?;
        Ok(())
    }

    /// Removes one deposit's values (saturating at zero).
    pub fn sub_deposit(&mut self, v: &DepositRisk) {
        self.deposited_value = self.deposited_value.saturating_sub(v.market_value);
        self.unhealthy_borrow_value = self
            .unhealthy_borrow_value
            .saturating_sub(v.unhealthy_borrow_value);
    }

    /// Removes one borrow's values (saturating at zero).
    pub fn sub_borrow(&mut self, v: &BorrowRisk) {
        self.bf_adjusted_debt_value = self
            .bf_adjusted_debt_value
            .saturating_sub(v.bf_adjusted_value);
    }

    /// `BFDV > UBV`.
    pub fn is_liquidatable(&self) -> bool {
        self.bf_adjusted_debt_value > self.unhealthy_borrow_value
    }

    /// `max(BFDV − UBV, 0)`: how far under water.
    pub fn deficit(&self) -> Decimal {
        self.bf_adjusted_debt_value
            .saturating_sub(self.unhealthy_borrow_value)
    }

    /// `UBV / BFDV < bps / 10⁴`, compared without division (`UBV × 10⁴ < BFDV × bps`); false
    /// without debt.
    pub fn health_below(&self, bps: u64) -> bool {
        match (
            self.unhealthy_borrow_value
                .try_mul_u64(crate::fixed::BPS_SCALE),
            self.bf_adjusted_debt_value.try_mul_u64(bps),
        ) {
            (Ok(lhs), Ok(rhs)) => !self.bf_adjusted_debt_value.is_zero() && lhs < rhs,
            _ => false,
        }
    }
}

/// Totals over an obligation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// `DV`.
    pub deposited_value: Decimal,
    /// `ABV`.
    pub allowed_borrow_value: Decimal,
    /// `UBV`.
    pub unhealthy_borrow_value: Decimal,
    /// `BV`.
    pub borrowed_value: Decimal,
    /// `BFDV`.
    pub bf_adjusted_debt_value: Decimal,
    /// `BFDV⁺`.
    pub bf_adjusted_debt_value_upper: Decimal,
}

impl Health {
    /// Adds one deposit's values.
    pub fn add_deposit(&mut self, v: &DepositValue) -> MathResult<()> {
        self.deposited_value = self.deposited_value.try_add(v.market_value)?;
        self.allowed_borrow_value = self.allowed_borrow_value.try_add(v.allowed_borrow_value)?;
        self.unhealthy_borrow_value = self
            .unhealthy_borrow_value
            .try_add(v.unhealthy_borrow_value)?;
        Ok(())
    }

    /// Adds one borrow's values.
    pub fn add_borrow(&mut self, v: &BorrowValue) -> MathResult<()> {
        self.borrowed_value = self.borrowed_value.try_add(v.market_value)?;
        self.bf_adjusted_debt_value = self.bf_adjusted_debt_value.try_add(v.bf_adjusted_value)?;
        self.bf_adjusted_debt_value_upper = self
            .bf_adjusted_debt_value_upper
            .try_add(v.bf_adjusted_value_upper)?;
        Ok(())
    }

    /// Removes one deposit's values (saturating at zero), e.g. collateral seized by a liquidation.
    pub fn sub_deposit(&mut self, v: &DepositValue) {
        self.deposited_value = self.deposited_value.saturating_sub(v.market_value);
        self.allowed_borrow_value = self
            .allowed_borrow_value
            .saturating_sub(v.allowed_borrow_value);
        self.unhealthy_borrow_value = self
            .unhealthy_borrow_value
            .saturating_sub(v.unhealthy_borrow_value);
    }

    /// Removes one borrow's values (saturating at zero), e.g. debt repaid by a liquidation.
    pub fn sub_borrow(&mut self, v: &BorrowValue) {
        self.borrowed_value = self.borrowed_value.saturating_sub(v.market_value);
        self.bf_adjusted_debt_value = self
            .bf_adjusted_debt_value
            .saturating_sub(v.bf_adjusted_value);
        self.bf_adjusted_debt_value_upper = self
            .bf_adjusted_debt_value_upper
            .saturating_sub(v.bf_adjusted_value_upper);
    }

    /// The liquidation side of these totals.
    pub fn standing(&self) -> Standing {
        Standing {
            deposited_value: self.deposited_value,
            unhealthy_borrow_value: self.unhealthy_borrow_value,
            bf_adjusted_debt_value: self.bf_adjusted_debt_value,
        }
    }

    /// `BFDV⁺ ≤ ABV`: the obligation may hold its debt after a risk-increasing action.
    pub fn within_borrow_limit(&self) -> bool {
        self.bf_adjusted_debt_value_upper <= self.allowed_borrow_value
    }

    /// `BFDV > UBV`: the obligation may be liquidated.
    pub fn is_liquidatable(&self) -> bool {
        self.bf_adjusted_debt_value > self.unhealthy_borrow_value
    }

    /// Health factor `UBV / BFDV` (∞ shown as `None` when there is no debt); below 1 is liquidatable.
    pub fn health_factor(&self) -> MathResult<Option<Decimal>> {
        if self.bf_adjusted_debt_value.is_zero() {
            return Ok(None);
        }
        self.unhealthy_borrow_value
            .try_div(self.bf_adjusted_debt_value)
            .map(Some)
    }

    /// Loan-to-value `BV / DV` without borrow factors (0 with no collateral and no debt;
    /// `None` when there is debt but no collateral).
    pub fn ltv(&self) -> MathResult<Option<Decimal>> {
        if self.deposited_value.is_zero() {
            return Ok(if self.borrowed_value.is_zero() {
                Some(Decimal::zero())
            } else {
                None
            });
        }
        self.borrowed_value.try_div(self.deposited_value).map(Some)
    }

    /// Room left to borrow, in borrow-factor-adjusted conservative value (`ABV − BFDV⁺`, ≥ 0).
    pub fn borrow_headroom(&self) -> Decimal {
        self.allowed_borrow_value
            .saturating_sub(self.bf_adjusted_debt_value_upper)
    }
}

/// Health factor in bps for events and logs, capped at u64::MAX when there is no debt.
pub fn health_factor_bps(h: &Health) -> MathResult<u64> {
    match h.health_factor()? {
        None => Ok(u64::MAX),
        Some(hf) => {
            let bps = hf.try_mul_u64(crate::fixed::BPS_SCALE)?;
            if bps.0 > U256::from(u64::MAX) * U256::from(crate::fixed::WAD) {
                Ok(u64::MAX)
            } else {
                bps.try_floor_u64()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::price::RawPrice;

    fn prices(spot: i64, ema: i64, conf: u64) -> Prices {
        RawPrice {
            price: spot,
            conf,
            ema_price: ema,
            ema_conf: conf,
            expo: 0,
        }
        .normalize()
        .unwrap()
    }

    #[test]
    fn successful_health_of_two_assets() {
        // 10 SOL (9 decimals) at $100, LTV 75%, LT 80%; 500 USDC debt (6 decimals), bf 1.
        let sol = DepositInput {
            amount: Decimal::from_u64(10_000_000_000),
            decimals: 9,
            prices: prices(100, 100, 0),
            ltv: Decimal::from_percent(75),
            liquidation_threshold: Decimal::from_percent(80),
        };
        let usdc = BorrowInput {
            amount: Decimal::from_u64(500_000_000),
            decimals: 6,
            prices: prices(1, 1, 0),
            borrow_factor: Decimal::one(),
        };
        let mut h = Health::default();
        h.add_deposit(&value_deposit(&sol).unwrap()).unwrap();
        h.add_borrow(&value_borrow(&usdc).unwrap()).unwrap();
        assert_eq!(h.deposited_value, Decimal::from_u64(1_000));
        assert_eq!(h.allowed_borrow_value, Decimal::from_u64(750));
        assert_eq!(h.unhealthy_borrow_value, Decimal::from_u64(800));
        assert_eq!(h.borrowed_value, Decimal::from_u64(500));
        assert!(h.within_borrow_limit());
        assert!(!h.is_liquidatable());
        assert_eq!(health_factor_bps(&h).unwrap(), 16_000);
        assert_eq!(h.ltv().unwrap(), Some(Decimal::from_percent(50)));
    }

    #[test]
    fn successful_conservative_prices_shrink_borrowing_power() {
        let sol = DepositInput {
            amount: Decimal::from_u64(10),
            decimals: 0,
            prices: prices(100, 90, 2),
            ltv: Decimal::from_percent(50),
            liquidation_threshold: Decimal::from_percent(60),
        };
        let v = value_deposit(&sol).unwrap();
        assert_eq!(v.market_value, Decimal::from_u64(1_000));
        assert_eq!(v.allowed_borrow_value, Decimal::from_u64(440)); // 10 × (90 − 2) × 50%
        let debt = BorrowInput {
            amount: Decimal::from_u64(1),
            decimals: 0,
            prices: prices(100, 90, 2),
            borrow_factor: Decimal::from_percent(150),
        };
        let b = value_borrow(&debt).unwrap();
        assert_eq!(b.bf_adjusted_value, Decimal::from_u64(150));
        assert_eq!(b.bf_adjusted_value_upper, Decimal::from_u64(153)); // (100 + 2) × 1.5
    }

    #[test]
    fn successful_value_amount_round_trip_rounds_against_user() {
        let p = Decimal::from_ratio(3, 1).unwrap();
        let v = market_value(Decimal::from_u64(10), p, 1).unwrap();
        assert_eq!(v, Decimal::from_u64(3));
        assert_eq!(amount_for_value(v, p, 1).unwrap(), Decimal::from_u64(10));
    }

    #[test]
    fn successful_single_division_equals_two_step_rounding() {
        let ten = |d: u8| Decimal::from_u128(10u128.pow(u32::from(d)));
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let a = Decimal(U256::from(x) * U256::from(x % 1_000_003 + 1));
            let p = Decimal(U256::from(
                x.rotate_left(17) % 1_000_000_000_000_000_000 + 1,
            ));
            let d = (x % 19) as u8;
            assert_eq!(
                market_value(a, p, d).unwrap(),
                a.try_mul(p).unwrap().try_div(ten(d)).unwrap()
            );
            assert_eq!(
                market_value_ceil(a, p, d).unwrap(),
                a.try_mul_ceil(p).unwrap().try_div_ceil(ten(d)).unwrap()
            );
            assert_eq!(
                amount_for_value(a, p, d).unwrap(),
                a.try_mul(ten(d)).unwrap().try_div(p).unwrap()
            );
        }
    }

    #[test]
    fn successful_empty_obligation_has_no_health_factor() {
        let h = Health::default();
        assert_eq!(h.health_factor().unwrap(), None);
        assert_eq!(health_factor_bps(&h).unwrap(), u64::MAX);
        assert!(h.within_borrow_limit());
        assert!(!h.is_liquidatable());
    }
}
