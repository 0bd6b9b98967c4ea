//! Admin instructions.

pub mod collect_protocol_fees;
pub mod init_market;
pub mod init_reserve;
pub mod update_market;
pub mod update_oracle_config;
pub mod update_reserve_config;

#[allow(ambiguous_glob_reexports)]
pub use collect_protocol_fees::*;
#[allow(ambiguous_glob_reexports)]
pub use init_market::*;
#[allow(ambiguous_glob_reexports)]
pub use init_reserve::*;
#[allow(ambiguous_glob_reexports)]
pub use update_market::*;
#[allow(ambiguous_glob_reexports)]
pub use update_oracle_config::*;
#[allow(ambiguous_glob_reexports)]
pub use update_reserve_config::*;
