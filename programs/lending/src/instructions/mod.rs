//! Instructions, one per file, grouped by who sends them.

pub mod admin;
pub mod keeper;
pub mod user;

#[allow(ambiguous_glob_reexports)]
pub use admin::*;
#[allow(ambiguous_glob_reexports)]
pub use keeper::*;
#[allow(ambiguous_glob_reexports)]
pub use user::*;
pub mod flash;
#[allow(ambiguous_glob_reexports)]
pub use flash::*;
