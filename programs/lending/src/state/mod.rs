//! Account types.

pub mod market;
pub mod obligation;
pub mod oracle_config;
pub mod reserve;
pub mod reserve_flash;
pub mod sf;

pub use market::*;
pub use obligation::*;
pub use oracle_config::*;
pub use reserve::*;
pub use sf::*;

pub mod outflow;
pub use outflow::*;
pub mod emode;
pub use emode::*;
pub mod volatility;
pub use volatility::*;
