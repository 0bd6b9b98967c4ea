//! Supply shares: internal accounting of depositors' claims on a reserve.
//!
//! Symbols
//! - `A` total supply assets = `L + D − F`: available liquidity `L` (tokens in the vault that
//!   belong to the pool), total debt `D` and protocol fees `F` (fees are owed to the protocol,
//!   not to depositors). `A` never reads the vault balance, so a token donation to the vault
//!   changes neither `A` nor the share value.
//! - `S` shares in issue. A reserve is created with a seed deposit whose shares nobody owns,
//!   so `S > 0` from the first user deposit on and a first depositor cannot set the rate.
//! - share value `A / S`, underlying per share.
//!
//! Rounding always against the user: deposit mints `floor(a × S / A)` shares; withdrawing an
//! amount burns `ceil(a × S / A)` shares; redeeming shares pays `floor(s × A / S)` tokens.

use crate::error::{MathError, MathResult};
use crate::fixed::{Decimal, Divisor};

/// `A = L + D − F`.
pub fn total_supply_assets(
    available: u64,
    total_debt: Decimal,
    protocol_fees: Decimal,
) -> MathResult<Decimal> {
    Decimal::from_u64(available)
        .try_add(total_debt)?
        .try_sub(protocol_fees)
}

/// Shares minted for a deposit of `amount` tokens: `floor(amount × S / A)`; 1:1 when `S = 0`.
pub fn shares_for_deposit(amount: u64, assets: Decimal, supply: u64) -> MathResult<u64> {
    if supply == 0 {
        return Ok(amount);
    }
    if assets.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    Decimal::from_u64(amount)
        .try_mul_u64(supply)?
        .try_div(assets)?
        .try_floor_u64()
}

/// Shares burned to withdraw exactly `amount` tokens: `ceil(amount × S / A)`.
pub fn shares_for_withdrawal(amount: u64, assets: Decimal, supply: u64) -> MathResult<u64> {
    if assets.is_zero() {
        return Err(MathError::DivisionByZero);
    }
    Decimal::from_u64(amount)
        .try_mul_u64(supply)?
        .try_div_ceil(assets)?
        .try_ceil_u64()
}

/// Underlying owed for `shares`, exact (fractional); used to value collateral.
pub fn assets_for_shares(shares: u64, assets: Decimal, supply: u64) -> MathResult<Decimal> {
    let supply = Divisor::new(supply).ok_or(MathError::DivisionByZero)?;
    assets_for_shares_by(shares, assets, &supply)
}

/// [`assets_for_shares`] with the share supply prepared as a divisor once (many deposits of
/// one reserve): `shares × A / S`, truncated.
pub fn assets_for_shares_by(shares: u64, assets: Decimal, supply: &Divisor) -> MathResult<Decimal> {
    Ok(assets.try_mul_u64(shares)?.div_by(supply))
}

/// Tokens paid out when redeeming `shares`: `floor(shares × A / S)`.
pub fn redeem_amount(shares: u64, assets: Decimal, supply: u64) -> MathResult<u64> {
    assets_for_shares(shares, assets, supply)?.try_floor_u64()
}

/// Share value `A / S` (underlying per share).
pub fn share_value(assets: Decimal, supply: u64) -> MathResult<Decimal> {
    assets.try_div(Decimal::from_u64(supply))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successful_first_deposit_is_one_to_one() {
        assert_eq!(
            shares_for_deposit(1_000, Decimal::zero(), 0).unwrap(),
            1_000
        );
    }

    #[test]
    fn successful_rounding_against_the_user() {
        // A = 1,001 tokens for 1,000 shares: a share is worth 1.001.
        let a = Decimal::from_u64(1_001);
        assert_eq!(shares_for_deposit(10, a, 1_000).unwrap(), 9);
        assert_eq!(shares_for_withdrawal(10, a, 1_000).unwrap(), 10);
        assert_eq!(redeem_amount(9, a, 1_000).unwrap(), 9);
        assert_eq!(redeem_amount(1_000, a, 1_000).unwrap(), 1_001);
    }

    #[test]
    fn successful_interest_raises_share_value() {
        let before = share_value(Decimal::from_u64(1_000), 1_000).unwrap();
        let assets =
            total_supply_assets(500, Decimal::from_u64(510), Decimal::from_u64(1)).unwrap();
        let after = share_value(assets, 1_000).unwrap();
        assert!(after > before);
        assert_eq!(assets, Decimal::from_u64(1_009));
    }

    #[test]
    fn fail_deposit_when_assets_are_zero_with_shares_outstanding() {
        assert_eq!(
            shares_for_deposit(1, Decimal::zero(), 10),
            Err(MathError::DivisionByZero)
        );
    }
}
