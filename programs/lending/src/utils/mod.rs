//! Helpers shared by handlers.

pub mod token;
