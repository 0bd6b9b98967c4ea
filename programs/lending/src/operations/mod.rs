//! State transitions on plain account structs: no `AccountInfo`, no clock reads.

pub mod flash;
pub mod lending;
pub mod liquidation;
pub mod outflow;
pub mod refresh;
pub mod validation;

pub mod emode;

use anchor_lang::prelude::*;

use crate::error::LendingError;

/// `a − b` on token amounts and share counts; `MathUnderflow` instead of a wrap or a panic.
pub fn sub(a: u64, b: u64) -> Result<u64> {
    a.checked_sub(b)
        .ok_or_else(|| error!(LendingError::MathUnderflow))
}
