//! Flash loans: `flash_borrow` and `flash_repay` (anyone, in one transaction, matched through
//! the instructions sysvar) and the reserve's flash-loan settings (admin).

pub mod flash_borrow;
pub mod flash_repay;
pub mod set_flash_loan_config;

#[allow(ambiguous_glob_reexports)]
pub use flash_borrow::*;
#[allow(ambiguous_glob_reexports)]
pub use flash_repay::*;
#[allow(ambiguous_glob_reexports)]
pub use set_flash_loan_config::*;
