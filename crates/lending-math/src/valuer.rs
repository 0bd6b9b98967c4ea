//! Valuing many positions of one reserve: what every position of the reserve shares (its supply
//! total and share count, prices, decimals and risk parameters) is prepared once, then each
//! position costs one call. This is how an obligation's refresh values a position and how a
//! keeper's book values a hundred thousand of them.
//!
//! Symbols as in [`crate::health`]; for a reserve with supply total `A` (underlying, base units)
//! and `S` shares:
//! - a deposit of `s` shares holds `a = s × A / S`, truncated (the holder's claim, rounded
//!   against him: [`crate::shares::assets_for_shares`]);
//! - a borrow of normalized debt `n` owes `b = n × I` at borrow index `I`, truncated at 18
//!   decimals (the value side rounds it up: [`crate::health::market_value_ceil`]).
//!
//! The division by `S` uses a [`Divisor`] prepared once; it is exact, so the figures equal a
//! fresh [`value_deposit`] / [`value_borrow`] of the same amount (tested below).

use crate::error::{MathError, MathResult};
use crate::fixed::{Decimal, Divisor};
use crate::health::{
    value_borrow, value_borrow_risk, value_deposit, value_deposit_risk, BorrowInput, BorrowRisk,
    BorrowValue, DepositInput, DepositRisk, DepositValue,
};
use crate::price::Prices;
use crate::shares::assets_for_shares_by;

/// Values deposits of one reserve.
#[derive(Clone, Copy, Debug)]
pub struct DepositValuer {
    /// `A`, underlying tokens (base units, 18 decimals) the reserve owes its depositors.
    assets: Decimal,
    /// `S`, the reserve's shares outstanding.
    share_supply: Divisor,
    /// Everything of the input but the amount.
    input: DepositInput,
}

impl DepositValuer {
    /// A valuer for a reserve with supply total `assets`, `share_supply` shares, and the
    /// mint's decimals, prices and risk parameters; `DivisionByZero` without shares.
    pub fn new(
        assets: Decimal,
        share_supply: u64,
        decimals: u8,
        prices: Prices,
        ltv: Decimal,
        liquidation_threshold: Decimal,
    ) -> MathResult<DepositValuer> {
        Ok(DepositValuer {
            assets,
            share_supply: Divisor::new(share_supply).ok_or(MathError::DivisionByZero)?,
            input: DepositInput {
                amount: Decimal::zero(),
                decimals,
                prices,
                ltv,
                liquidation_threshold,
            },
        })
    }

    /// `a = s × A / S`, truncated: the underlying `shares` redeem for.
    pub fn amount(&self, shares: u64) -> MathResult<Decimal> {
        assets_for_shares_by(shares, self.assets, &self.share_supply)
    }

    /// [`value_deposit`] of `shares`.
    pub fn value(&self, shares: u64) -> MathResult<DepositValue> {
        value_deposit(&DepositInput {
            amount: self.amount(shares)?,
            ..self.input
        })
    }

    /// [`value_deposit_risk`] of `shares`: the liquidation side only.
    pub fn risk(&self, shares: u64) -> MathResult<DepositRisk> {
        value_deposit_risk(&DepositInput {
            amount: self.amount(shares)?,
            ..self.input
        })
    }
}

/// Values borrows of one reserve.
#[derive(Clone, Copy, Debug)]
pub struct BorrowValuer {
    /// `I`, the reserve's borrow index (18 decimals).
    index: Decimal,
    /// Everything of the input but the amount.
    input: BorrowInput,
}

impl BorrowValuer {
    /// A valuer for a reserve at borrow index `index`, with the mint's decimals, prices and
    /// borrow factor.
    pub fn new(index: Decimal, decimals: u8, prices: Prices, borrow_factor: Decimal) -> Self {
        BorrowValuer {
            index,
            input: BorrowInput {
                amount: Decimal::zero(),
                decimals,
                prices,
                borrow_factor,
            },
        }
    }

    /// `b = n × I`, truncated: what normalized debt `n` owes.
    pub fn amount(&self, normalized: Decimal) -> MathResult<Decimal> {
        normalized.try_mul(self.index)
    }

    /// [`value_borrow`] of normalized debt `normalized`.
    pub fn value(&self, normalized: Decimal) -> MathResult<BorrowValue> {
        value_borrow(&BorrowInput {
            amount: self.amount(normalized)?,
            ..self.input
        })
    }

    /// [`value_borrow_risk`] of normalized debt `normalized`: the liquidation side only.
    pub fn risk(&self, normalized: Decimal) -> MathResult<BorrowRisk> {
        value_borrow_risk(&BorrowInput {
            amount: self.amount(normalized)?,
            ..self.input
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shares::assets_for_shares;
    use proptest::prelude::*;

    fn prices(spot: u64, ema: u64, conf: u64) -> Prices {
        Prices {
            spot: Decimal::from_ratio(spot.into(), 1_000).unwrap(),
            ema: Decimal::from_ratio(ema.into(), 1_000).unwrap(),
            conf: Decimal::from_ratio(conf.into(), 1_000).unwrap(),
        }
    }

    #[test]
    fn fail_deposit_valuer_when_no_share_is_outstanding() {
        let p = prices(1_000, 1_000, 0);
        let v = DepositValuer::new(Decimal::one(), 0, 6, p, Decimal::one(), Decimal::one());
        assert_eq!(v.err(), Some(MathError::DivisionByZero));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The prepared valuers give exactly the figures of a fresh valuation.
        #[test]
        fn successful_valuers_match_a_fresh_valuation(
            assets in 0u64..u64::MAX, extra in 0u64..1_000_000_000_000_000_000,
            supply in 1u64..u64::MAX, shares in 0u64..u64::MAX,
            normalized in 0u64..u64::MAX, index_bps in 10_000u64..100_000,
            spot in 1u64..10_000_000_000, ema in 1u64..10_000_000_000, conf in 0u64..1_000_000,
            decimals in 0u8..=19, ltv in 0u64..9_000, lt in 0u64..9_500, bf in 10_000u64..30_000,
        ) {
            let a = Decimal::from_u64(assets).try_add(Decimal(extra.into())).unwrap();
            let p = prices(spot, ema, conf);
            let (ltv, lt) = (Decimal::from_bps(ltv), Decimal::from_bps(lt));
            let dv = DepositValuer::new(a, supply, decimals, p, ltv, lt).unwrap();
            let amount = assets_for_shares(shares, a, supply).unwrap();
            prop_assert_eq!(dv.amount(shares).unwrap(), amount);
            let input = DepositInput { amount, decimals, prices: p, ltv, liquidation_threshold: lt };
            let fresh = value_deposit(&input);
            prop_assert_eq!(dv.value(shares).ok(), fresh.ok());
            let risk = dv.risk(shares).ok();
            prop_assert_eq!(risk.map(|r| r.market_value), fresh.ok().map(|f| f.market_value));
            prop_assert_eq!(
                risk.map(|r| r.unhealthy_borrow_value),
                fresh.ok().map(|f| f.unhealthy_borrow_value)
            );

            let index = Decimal::from_bps(index_bps);
            let bfd = Decimal::from_bps(bf);
            let n = Decimal::from_u64(normalized);
            let bv = BorrowValuer::new(index, decimals, p, bfd);
            let amount = n.try_mul(index).unwrap();
            let input = BorrowInput { amount, decimals, prices: p, borrow_factor: bfd };
            let fresh = value_borrow(&input);
            prop_assert_eq!(bv.value(n).ok(), fresh.ok());
            let risk = bv.risk(n).ok();
            prop_assert_eq!(risk.map(|r| r.market_value), fresh.ok().map(|f| f.market_value));
            prop_assert_eq!(
                risk.map(|r| r.bf_adjusted_value),
                fresh.ok().map(|f| f.bf_adjusted_value)
            );
        }
    }
}
