//! Helpers shared by handlers.

pub mod reserves;
pub mod token;
