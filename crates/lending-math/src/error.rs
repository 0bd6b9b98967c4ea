//! Errors of the pure math. The program maps each to its own `LendingError`.

use core::fmt;

/// Why a fixed-point computation could not produce a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// A result does not fit its type (U256 intermediate, u128 storage or u64 amount).
    Overflow,
    /// A subtraction would go below zero.
    Underflow,
    /// A division by zero.
    DivisionByZero,
    /// An input outside its documented domain (e.g. a negative oracle price).
    InvalidInput,
}

impl fmt::Display for MathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            MathError::Overflow => "math overflow",
            MathError::Underflow => "math underflow",
            MathError::DivisionByZero => "division by zero",
            MathError::InvalidInput => "input outside the function's domain",
        };
        f.write_str(s)
    }
}

impl std::error::Error for MathError {}

/// Result alias for the math crate.
pub type MathResult<T> = Result<T, MathError>;
