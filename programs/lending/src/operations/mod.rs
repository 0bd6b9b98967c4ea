//! State transitions on plain account structs: no `AccountInfo`, no clock reads.

pub mod lending;
pub mod liquidation;
pub mod refresh;
pub mod validation;
