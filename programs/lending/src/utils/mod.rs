//! Helpers shared by handlers.

pub mod introspection;
pub mod reserves;
pub mod token;
