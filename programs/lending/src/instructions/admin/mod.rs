//! Admin instructions.

pub mod accept_admin;
pub mod collect_protocol_fees;
pub mod init_market;
pub mod init_reserve;
pub mod propose_admin;
pub mod set_insurance_floor;
pub mod set_outflow_limit;
pub mod update_market;
pub mod update_oracle_config;
pub mod update_reserve_config;
pub mod withdraw_insurance;

#[allow(ambiguous_glob_reexports)]
pub use accept_admin::*;
#[allow(ambiguous_glob_reexports)]
pub use collect_protocol_fees::*;
#[allow(ambiguous_glob_reexports)]
pub use init_market::*;
#[allow(ambiguous_glob_reexports)]
pub use init_reserve::*;
#[allow(ambiguous_glob_reexports)]
pub use propose_admin::*;
#[allow(ambiguous_glob_reexports)]
pub use set_insurance_floor::*;
#[allow(ambiguous_glob_reexports)]
pub use set_outflow_limit::*;
#[allow(ambiguous_glob_reexports)]
pub use update_market::*;
#[allow(ambiguous_glob_reexports)]
pub use update_oracle_config::*;
#[allow(ambiguous_glob_reexports)]
pub use update_reserve_config::*;
#[allow(ambiguous_glob_reexports)]
pub use withdraw_insurance::*;

pub mod set_emode_group;
#[allow(ambiguous_glob_reexports)]
pub use set_emode_group::*;

pub mod set_reserve_emode_groups;
#[allow(ambiguous_glob_reexports)]
pub use set_reserve_emode_groups::*;

pub mod set_volatility_config;
#[allow(ambiguous_glob_reexports)]
pub use set_volatility_config::*;
