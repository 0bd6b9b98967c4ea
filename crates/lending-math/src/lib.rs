//! Sentinel's lending math, shared by the on-chain program, the keeper and the simulator.
//!
//! Pure functions over plain values: no Solana or Anchor types, no clock reads, no floats.
//! Every operation is checked and returns [`MathError`] instead of panicking.
//!
//! - [`fixed`]: `Decimal`, 18-decimal fixed point on a 256-bit integer;
//! - [`interest`]: borrow-rate curve, compounding, accrual;
//! - [`shares`]: depositors' supply shares;
//! - [`debt`]: borrow positions in normalized units, repayment sizing;
//! - [`price`]: oracle normalization and conservative prices;
//! - [`health`]: obligation values and the borrow / liquidation rules;
//! - [`liquidation`]: bonus, close factor, repay and seize sizing, bad debt;
//! - [`outflow`]: the per-reserve cap on net outflow over a sliding window;
//! - [`flash`]: flash-loan fee and its split;
//! - [`emode`]: e-mode groups, the parameters their members count with.

#![deny(missing_docs)]

pub mod debt;
pub mod error;
pub mod fixed;
pub mod flash;
pub mod health;
pub mod interest;
pub mod liquidation;
pub mod outflow;
pub mod price;
pub mod shares;
pub mod valuer;
pub mod volatility;

pub mod emode;

pub use error::{MathError, MathResult};
pub use fixed::Decimal;
