//! `Reserve` and flash loans: the pool's liquidity while a loan is out.
//!
//! A flash loan takes tokens out of the vault (`available_amount` falls by the amount, so the
//! vault still holds `available + insurance`) and records them in `flash_loan_amount`. Until
//! the repayment, the tokens are owed to the pool exactly as they were held by it: the supply
//! total `A = L + D − F` and the utilization read `L = available + flash_loan_amount`, so
//! neither a share price nor an interest rate can be moved by a loan in progress. What an
//! instruction may pay out (withdrawals, borrows, seizures, fees) stays bounded by
//! `available_amount`: the lent tokens are not in the vault.

use super::Reserve;

impl Reserve {
    /// The pool's liquidity `L`: tokens in the vault that belong to the pool, plus a flash loan
    /// out (token base units). The sum cannot saturate: it is the available amount before the
    /// loan.
    pub fn pool_liquidity(&self) -> u64 {
        self.available_amount.saturating_add(self.flash_loan_amount)
    }

    /// True when a flash loan is out (only ever between a `flash_borrow` and its `flash_repay`).
    pub fn flash_loan_outstanding(&self) -> bool {
        self.flash_loan_amount != 0
    }
}
