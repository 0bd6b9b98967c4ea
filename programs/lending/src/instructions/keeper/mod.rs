//! Permissionless instructions that keepers and clients send before risk checks.

pub mod refresh_obligation;
pub mod refresh_reserve;

#[allow(ambiguous_glob_reexports)]
pub use refresh_obligation::*;
#[allow(ambiguous_glob_reexports)]
pub use refresh_reserve::*;
