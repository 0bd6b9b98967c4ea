//! Instructions of obligation owners (and, for `repay`, anyone).

pub mod borrow;
pub mod close_obligation;
pub mod deposit;
pub mod init_obligation;
pub mod repay;
pub mod withdraw;

#[allow(ambiguous_glob_reexports)]
pub use borrow::*;
#[allow(ambiguous_glob_reexports)]
pub use close_obligation::*;
#[allow(ambiguous_glob_reexports)]
pub use deposit::*;
#[allow(ambiguous_glob_reexports)]
pub use init_obligation::*;
#[allow(ambiguous_glob_reexports)]
pub use repay::*;
#[allow(ambiguous_glob_reexports)]
pub use withdraw::*;

pub mod set_obligation_group;
#[allow(ambiguous_glob_reexports)]
pub use set_obligation_group::*;
