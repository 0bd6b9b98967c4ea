//! Flash loans on a reserve: lend out of the available liquidity, take it back with the fee.
//!
//! The handlers have checked, through the instructions sysvar, that the loan is repaid later
//! in the same transaction (`utils::introspection`). These functions keep the accounting:
//! - borrow: `available −= x`, `flash_loan_amount = x`; the pool's liquidity
//!   `available + flash_loan_amount`, the supply total `A` and the share value do not move;
//! - repay: `available += x + f`, `flash_loan_amount = 0`, `F += f × ρ`; `A` rises by
//!   `f × (1 − ρ)`, the depositors' part of the fee.
//!
//! No obligation is read or written: a flash loan defers no check of any other instruction.

use anchor_lang::prelude::*;
use lending_math::flash::{self, Repayment};

use crate::error::{LendingError, MathResultExt};
use crate::state::Reserve;

/// Lends `amount` out of the reserve's available liquidity.
pub fn flash_borrow(reserve: &mut Reserve, amount: u64) -> Result<()> {
    require!(
        reserve.flash_loans_enabled == 1,
        LendingError::FlashLoansDisabled
    );
    require!(
        amount > 0 && amount != u64::MAX,
        LendingError::InvalidAmount
    );
    require!(
        !reserve.flash_loan_outstanding(),
        LendingError::FlashBorrowNested
    );
    require!(
        amount <= reserve.available_amount,
        LendingError::InsufficientLiquidity
    );
    reserve.available_amount -= amount;
    reserve.flash_loan_amount = amount;
    Ok(())
}

/// Takes back the outstanding loan of `amount` with its fee at the reserve's rate, split by the
/// reserve factor as interest is; returns what the payer owes.
pub fn flash_repay(reserve: &mut Reserve, amount: u64) -> Result<Repayment> {
    require!(
        amount > 0 && reserve.flash_loan_amount == amount,
        LendingError::FlashLoanNotOutstanding
    );
    let r = flash::repayment(
        amount,
        reserve.flash_loan_fee_bps,
        reserve.config.reserve_factor(),
    )
    .map_math()?;
    reserve.available_amount = reserve
        .available_amount
        .checked_add(r.total)
        .ok_or(LendingError::MathOverflow)?;
    reserve.flash_loan_amount = 0;
    let fees = reserve
        .protocol_fees_sf
        .get()
        .try_add(r.protocol_fee)
        .map_math()?;
    reserve.protocol_fees_sf.set(fees).map_math()?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lending_math::Decimal;

    fn reserve(available: u64, fee_bps: u16) -> Reserve {
        let mut r: Reserve = bytemuck::Zeroable::zeroed();
        r.available_amount = available;
        r.share_supply = available;
        r.borrow_index_sf.set(Decimal::one()).unwrap();
        r.config.reserve_factor_bps = 2_000;
        r.flash_loans_enabled = 1;
        r.flash_loan_fee_bps = fee_bps;
        r
    }

    #[test]
    fn successful_loan_keeps_the_supply_total_and_repay_adds_the_depositors_fee() {
        let mut r = reserve(1_000_000, 50);
        let before = r.total_supply_assets().unwrap();
        flash_borrow(&mut r, 400_000).unwrap();
        assert_eq!(
            (r.available_amount, r.flash_loan_amount),
            (600_000, 400_000)
        );
        assert_eq!(r.total_supply_assets().unwrap(), before, "mid-loan");
        assert_eq!(
            r.accrual_state().available,
            1_000_000,
            "utilization unmoved"
        );
        let paid = flash_repay(&mut r, 400_000).unwrap();
        assert_eq!((paid.fee, paid.total), (2_000, 402_000));
        assert_eq!((r.available_amount, r.flash_loan_amount), (1_002_000, 0));
        assert_eq!(r.protocol_fees_sf.get(), Decimal::from_u64(400));
        let after = r.total_supply_assets().unwrap();
        assert_eq!(after, before.try_add(Decimal::from_u64(1_600)).unwrap());
    }

    #[test]
    fn fail_flash_borrow_when_disabled_nested_or_too_large() {
        let mut r = reserve(1_000, 0);
        r.flash_loans_enabled = 0;
        assert_eq!(
            flash_borrow(&mut r, 10).err(),
            Some(error!(LendingError::FlashLoansDisabled))
        );
        r.flash_loans_enabled = 1;
        for a in [0, u64::MAX] {
            assert_eq!(
                flash_borrow(&mut r, a).err(),
                Some(error!(LendingError::InvalidAmount))
            );
        }
        assert_eq!(
            flash_borrow(&mut r, 1_001).err(),
            Some(error!(LendingError::InsufficientLiquidity))
        );
        flash_borrow(&mut r, 10).unwrap();
        assert_eq!(
            flash_borrow(&mut r, 10).err(),
            Some(error!(LendingError::FlashBorrowNested))
        );
        assert_eq!((r.available_amount, r.flash_loan_amount), (990, 10));
    }

    #[test]
    fn fail_flash_repay_when_nothing_or_another_amount_is_out() {
        let mut r = reserve(1_000, 0);
        assert_eq!(
            flash_repay(&mut r, 10).err(),
            Some(error!(LendingError::FlashLoanNotOutstanding))
        );
        flash_borrow(&mut r, 10).unwrap();
        assert_eq!(
            flash_repay(&mut r, 9).err(),
            Some(error!(LendingError::FlashLoanNotOutstanding))
        );
        let paid = flash_repay(&mut r, 10).unwrap();
        assert_eq!((paid.fee, r.available_amount), (0, 1_000));
        assert_eq!(
            flash_repay(&mut r, 10).err(),
            Some(error!(LendingError::FlashLoanNotOutstanding)),
            "repaid once only"
        );
    }
}
