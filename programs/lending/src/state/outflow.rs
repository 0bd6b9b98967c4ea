//! `OutflowState`: a reserve's outflow limit and its sliding window, stored in the `Reserve`.
//! The estimator, its rounding and its worst case are documented in `lending_math::outflow`.

use anchor_lang::prelude::borsh;
use anchor_lang::prelude::*;
use lending_math::outflow::{OutflowLimit, OutflowWindow};

use super::Reserve;

/// A reserve's cap on net outflow (withdrawals + borrows − deposits − repayments) and the
/// window that measures it. All zero: no limit (reserves created before the field).
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct OutflowState {
    /// Most net outflow per window (token base units; 0 = no limit).
    pub cap: u64,
    /// Window length (seconds; 0 = no limit).
    pub window_secs: u64,
    /// Start of the current bucket (unix seconds).
    pub bucket_start_ts: i64,
    /// Net outflow of the previous bucket (token base units; negative = net inflow).
    pub previous_net: i64,
    /// Net outflow of the current bucket so far (token base units; negative = net inflow).
    pub current_net: i64,
}

const _: () = assert!(core::mem::size_of::<OutflowState>() == 40);

impl OutflowState {
    /// The limit in the math crate's type.
    pub fn limit(&self) -> OutflowLimit {
        OutflowLimit {
            cap: self.cap,
            window_secs: self.window_secs,
        }
    }

    /// The window in the math crate's type.
    pub fn window(&self) -> OutflowWindow {
        OutflowWindow {
            bucket_start: self.bucket_start_ts,
            previous_net: self.previous_net,
            current_net: self.current_net,
        }
    }

    /// The state with `limit` and `window`.
    pub fn with(limit: &OutflowLimit, window: &OutflowWindow) -> OutflowState {
        OutflowState {
            cap: limit.cap,
            window_secs: limit.window_secs,
            bucket_start_ts: window.bucket_start,
            previous_net: window.previous_net,
            current_net: window.current_net,
        }
    }
}

impl Reserve {
    /// True when the reserve's outflow limit applies.
    pub fn outflow_limited(&self) -> bool {
        self.outflow.limit().enabled()
    }
}
