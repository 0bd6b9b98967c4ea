//! Flash loans: the fee and how it is shared.
//!
//! Symbols
//! - `x` amount lent (token base units), `b` fee rate (bps of `x`), `ρ` reserve factor;
//! - fee `f = ceil(x × b / 10,000)`: rounded up, against the borrower, so any loan of a reserve
//!   with a non-zero rate pays at least one base unit (no free loans through rounding);
//! - the fee is split as interest is ([`crate::interest::protocol_share`]): `f × ρ` to the
//!   protocol's fees `F`, the rest to depositors through the supply total `A = L + D − F`.
//!
//! While a loan is outstanding the reserve counts `x` in its pool liquidity, so `A` (and the
//! share value `A / S`) does not move when `x` leaves the vault; repaying `x + f` raises `A` by
//! `f × (1 − ρ)` exactly (see [`repayment`]).

use crate::error::{MathError, MathResult};
use crate::fixed::{Decimal, BPS_SCALE};
use crate::interest::protocol_share;

/// Highest flash-loan fee a reserve may charge: 10% (bps).
pub const MAX_FLASH_LOAN_FEE_BPS: u16 = 1_000;

/// The fee on a loan of `amount`: `ceil(amount × fee_bps / 10,000)` (token base units).
pub fn fee(amount: u64, fee_bps: u16) -> MathResult<u64> {
    let num = u128::from(amount)
        .checked_mul(u128::from(fee_bps))
        .ok_or(MathError::Overflow)?;
    let f = num.div_ceil(u128::from(BPS_SCALE));
    u64::try_from(f).map_err(|_| MathError::Overflow)
}

/// What repaying a loan moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repayment {
    /// Tokens the borrower pays back: the amount plus the fee (base units).
    pub total: u64,
    /// The fee (base units).
    pub fee: u64,
    /// The protocol's part of the fee, `fee × ρ` (token base units, fractional).
    pub protocol_fee: Decimal,
    /// The depositors' part, `fee − protocol_fee` (token base units, fractional).
    pub depositors_fee: Decimal,
}

/// The repayment of a loan of `amount` at `fee_bps`, its fee split by `reserve_factor`.
pub fn repayment(amount: u64, fee_bps: u16, reserve_factor: Decimal) -> MathResult<Repayment> {
    let f = fee(amount, fee_bps)?;
    let total = amount.checked_add(f).ok_or(MathError::Overflow)?;
    let fee_d = Decimal::from_u64(f);
    let protocol_fee = protocol_share(fee_d, reserve_factor)?;
    Ok(Repayment {
        total,
        fee: f,
        protocol_fee,
        depositors_fee: fee_d.try_sub(protocol_fee)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successful_fee_rounds_up_against_the_borrower() {
        assert_eq!(fee(1_000_000, 9), Ok(900));
        assert_eq!(fee(1_000_001, 9), Ok(901), "900.0009 rounds up");
        assert_eq!(
            fee(1, 1),
            Ok(1),
            "the smallest loan of a paid reserve pays 1 unit"
        );
        assert_eq!(fee(10_000, 1), Ok(1));
        assert_eq!(fee(10_001, 1), Ok(2));
        assert_eq!(fee(123_456, 0), Ok(0), "a free reserve charges nothing");
        assert_eq!(fee(u64::MAX, 0), Ok(0));
        assert_eq!(
            fee(u64::MAX, MAX_FLASH_LOAN_FEE_BPS),
            Ok(u64::MAX.div_ceil(10))
        );
    }

    #[test]
    fn successful_fee_split_follows_the_reserve_factor() {
        let r = repayment(1_000_000, 30, Decimal::from_bps(1_000)).unwrap();
        assert_eq!(r.fee, 3_000);
        assert_eq!(r.total, 1_003_000);
        assert_eq!(r.protocol_fee, Decimal::from_u64(300));
        assert_eq!(r.depositors_fee, Decimal::from_u64(2_700));
        // A fee of one unit at a 15% reserve factor: 0.15 to the protocol, 0.85 to depositors.
        let r = repayment(1, 5, Decimal::from_bps(1_500)).unwrap();
        assert_eq!(r.fee, 1);
        assert_eq!(r.protocol_fee, Decimal::from_bps(1_500));
        assert_eq!(r.depositors_fee, Decimal::from_bps(8_500));
        let r = repayment(777, 0, Decimal::from_bps(2_000)).unwrap();
        assert_eq!((r.total, r.fee), (777, 0));
        assert!(r.protocol_fee.is_zero() && r.depositors_fee.is_zero());
    }

    #[test]
    fn fail_repayment_when_the_total_passes_u64() {
        assert_eq!(
            repayment(u64::MAX, 1, Decimal::zero()),
            Err(MathError::Overflow)
        );
    }

    #[test]
    fn successful_split_parts_add_up_to_the_fee() {
        for (amount, bps, rf) in [(3, 7, 3_333), (999_999_999, 9, 1), (5, 1_000, 10_000)] {
            let r = repayment(amount, bps, Decimal::from_bps(rf)).unwrap();
            assert_eq!(
                r.protocol_fee.try_add(r.depositors_fee).unwrap(),
                Decimal::from_u64(r.fee)
            );
            assert!(r.fee >= fee(amount, bps).unwrap() && r.total == amount + r.fee);
        }
    }
}
