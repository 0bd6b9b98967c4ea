//! Permissionless instructions: refreshes, liquidation and bad-debt write-off.

pub mod liquidate;
pub mod refresh_obligation;
pub mod refresh_reserve;
pub mod report_oracle_failure;
pub mod socialize_bad_debt;

#[allow(ambiguous_glob_reexports)]
pub use liquidate::*;
#[allow(ambiguous_glob_reexports)]
pub use refresh_obligation::*;
#[allow(ambiguous_glob_reexports)]
pub use refresh_reserve::*;
#[allow(ambiguous_glob_reexports)]
pub use report_oracle_failure::*;
#[allow(ambiguous_glob_reexports)]
pub use socialize_bad_debt::*;
