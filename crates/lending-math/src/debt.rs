//! Borrow positions in normalized units.
//!
//! Symbols
//! - `I` the reserve's borrow index (grows with interest, never falls);
//! - `n` a position's normalized debt; its debt in tokens is `d = n × I` (fractional);
//! - `P` the principal: tokens lent and not yet repaid, interest excluded.
//!
//! Rounding always against the borrower:
//! - a borrow of `a` tokens records `n = ⌈a / I⌉`, so `n × I ≥ a`;
//! - repaying costs at most `⌈d⌉` tokens; paying that clears `n`; a partial payment `p < ⌈d⌉`
//!   removes `⌊p / I⌋` (never more debt than the value paid);
//! - the principal shrinks with the debt, `⌊P × d_after / d_before⌋`.

use crate::error::{MathError, MathResult};
use crate::fixed::{Decimal, U256};

/// Normalized debt recorded for a borrow of `amount` tokens at index `index`: `⌈amount / I⌉`.
pub fn normalized_for_borrow(amount: u64, index: Decimal) -> MathResult<Decimal> {
    Decimal::from_u64(amount).try_div_ceil(index)
}

/// What a repayment of up to `amount` tokens does to a position holding `held` normalized debt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repayment {
    /// Tokens taken from the payer, `min(amount, ⌈d⌉)` (0 only when the debt is zero).
    pub paid: u64,
    /// Normalized debt removed.
    pub removed: Decimal,
    /// Normalized debt left on the position.
    pub left: Decimal,
    /// Debt before, `held × I` (tokens, fractional).
    pub debt_before: Decimal,
    /// Debt after, `left × I` (tokens, fractional).
    pub debt_after: Decimal,
}

/// Sizes a repayment of up to `amount` tokens (`u64::MAX` = all) of `held` normalized debt at
/// index `index`. A payment of `⌈d⌉` clears the position; a smaller one removes `⌊p / I⌋`.
/// A debt past `u64::MAX` tokens (years of interest) cannot be paid at once: `u64::MAX` then
/// pays a part of it like any partial repayment.
pub fn repayment(held: Decimal, index: Decimal, amount: u64) -> MathResult<Repayment> {
    let debt_before = held.try_mul(index)?;
    let debt_ceil = debt_before.ceil_u64_saturating();
    let paid = amount.min(debt_ceil);
    let removed = if Decimal::from_u64(paid) >= debt_before {
        held
    } else {
        Decimal::from_u64(paid).try_div(index)?.min(held)
    };
    let left = held.try_sub(removed)?;
    Ok(Repayment {
        paid,
        removed,
        left,
        debt_before,
        debt_after: left.try_mul(index)?,
    })
}

/// Principal left after a repayment takes a debt of `before` down to `remaining`: a repayment
/// pays principal and interest pro rata, so the principal shrinks in the same proportion as the
/// debt, `⌊P × remaining / before⌋` (never above `P`; 0 once the debt is gone). Whatever part of
/// a debt is later written off then carries its share of the interest, and of the fees credited
/// on it.
pub fn principal_after_repay(
    principal: u64,
    before: Decimal,
    remaining: Decimal,
) -> MathResult<u64> {
    if before.is_zero() || remaining.is_zero() {
        return Ok(0);
    }
    // On the raw scaled integers: `P × remaining.0 / before.0` is the same floor, without the
    // 1e36 intermediate scale that overflowed for a principal of 1e19 and a debt of 1e22.
    let left = U256::from(principal)
        .checked_mul(remaining.0)
        .ok_or(MathError::Overflow)?
        / before.0;
    Ok(left.min(U256::from(principal)).as_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by an attack review: a principal of 1e19 and a debt of 1.2e22 base units overflowed
    /// the principal's pro-rata update, so no part of such a debt could be repaid.
    #[test]
    fn successful_principal_after_repay_of_a_debt_far_past_u64() {
        let before = Decimal::from_u128(12_000_000_000_000_000_000_000);
        let remaining = before.try_sub(Decimal::from_u64(1_000_000)).unwrap();
        let p = principal_after_repay(10_000_000_000_000_000_000, before, remaining).unwrap();
        // ⌊1e19 × (1.2e22 − 1e6) / 1.2e22⌋ = 1e19 − ⌈1e25 / 1.2e22⌉ = 1e19 − 834.
        assert_eq!(p, 10_000_000_000_000_000_000 - 834);
        // Small figures: the same floor as before.
        let b = Decimal::from_u64(3);
        assert_eq!(
            principal_after_repay(10, b, Decimal::from_u64(2)).unwrap(),
            6
        );
    }

    #[test]
    fn successful_borrow_rounds_the_normalized_debt_up() {
        let index = Decimal::from_ratio(3, 2).unwrap();
        let n = normalized_for_borrow(10, index).unwrap();
        assert!(n.try_mul(index).unwrap() >= Decimal::from_u64(10));
        assert_eq!(repayment(n, index, u64::MAX).unwrap().paid, 10);
    }

    #[test]
    fn successful_partial_repayment_removes_floor_of_paid_over_index() {
        let index = Decimal::from_u64(2);
        let r = repayment(Decimal::from_u64(10), index, 5).unwrap();
        assert_eq!(r.paid, 5);
        assert_eq!(r.removed, Decimal::from_ratio(5, 2).unwrap());
        assert_eq!(r.debt_after, Decimal::from_u64(15));
        assert_eq!(
            principal_after_repay(20, r.debt_before, r.debt_after).unwrap(),
            15
        );
    }

    #[test]
    fn successful_full_repayment_clears_the_position() {
        let index = Decimal::from_ratio(7, 3).unwrap();
        let r = repayment(Decimal::from_u64(3), index, u64::MAX).unwrap();
        assert_eq!((r.paid, r.left), (7, Decimal::zero()));
        assert_eq!(
            principal_after_repay(5, r.debt_before, r.debt_after).unwrap(),
            0
        );
        assert_eq!(repayment(Decimal::zero(), index, 10).unwrap().paid, 0);
    }

    #[test]
    fn successful_repayment_of_a_debt_past_u64_pays_a_part() {
        // 2 × u64::MAX normalized at index 3: no wallet can pay it at once.
        let held = Decimal::from_u64(u64::MAX).try_mul_u64(2).unwrap();
        let index = Decimal::from_u64(3);
        let r = repayment(held, index, u64::MAX).unwrap();
        assert_eq!(r.paid, u64::MAX);
        assert_eq!(
            r.removed,
            Decimal::from_u64(u64::MAX).try_div_u64(3).unwrap()
        );
        assert!(r.left > Decimal::zero());
        assert_eq!(
            r.debt_after,
            r.debt_before.try_sub(Decimal::from_u64(u64::MAX)).unwrap()
        );
    }
}
