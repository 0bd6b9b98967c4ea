//! The outflow limit applied to a reserve: withdrawals and borrows are counted and checked,
//! deposits and repayments credited, liquidations never touch the window (they are neither
//! counted nor refused, so a drained window can never shield an unhealthy obligation).
//!
//! The handlers call [`record`] after the action's own accounting and checks passed, so an
//! action that fails for another reason reports that reason; the `now` they pass is the
//! cluster clock. A failed check returns before the window is written, and the transaction's
//! failure leaves every account as it was.
//!
//! Seized collateral that a liquidator takes as supply shares (`liquidator_obligation`) and
//! withdraws later is an ordinary withdrawal and counts: the liquidation itself stays
//! unlimited, and no exemption keyed on where shares came from exists for a bug to reach.

use anchor_lang::prelude::*;
use lending_math::outflow::{self, OutflowError};

use crate::error::{LendingError, MathResultExt};
use crate::events::OutflowRecorded;
use crate::state::{OutflowState, Reserve};

/// What moved tokens, for the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// A withdrawal of collateral (outflow).
    Withdraw,
    /// A borrow (outflow).
    Borrow,
    /// A deposit (inflow).
    Deposit,
    /// A repayment (inflow).
    Repay,
}

impl Flow {
    /// The `OutflowRecorded.kind` code.
    pub fn code(self) -> u8 {
        match self {
            Flow::Withdraw => 0,
            Flow::Borrow => 1,
            Flow::Deposit => 2,
            Flow::Repay => 3,
        }
    }

    fn is_outflow(self) -> bool {
        matches!(self, Flow::Withdraw | Flow::Borrow)
    }
}

fn estimate_i64_ceil(state: &OutflowState, now: i64) -> Result<i64> {
    let e = outflow::estimate_ceil(&state.limit(), &state.window(), now).map_math()?;
    Ok(i64::try_from(e).unwrap_or(if e < 0 { i64::MIN } else { i64::MAX }))
}

/// Counts `amount` of `flow` in the reserve's window at `now`: an outflow past the cap fails
/// with `OutflowLimitExceeded` and changes nothing. Returns the event to emit, or `None` when
/// the reserve has no limit (nothing is stored then).
pub fn record(
    reserve: &mut Reserve,
    reserve_key: &Pubkey,
    now: i64,
    flow: Flow,
    amount: u64,
) -> Result<Option<OutflowRecorded>> {
    if !reserve.outflow_limited() {
        return Ok(None);
    }
    let before = reserve.outflow;
    let limit = before.limit();
    let window = if flow.is_outflow() {
        outflow::record_outflow(&limit, &before.window(), now, amount).map_err(|e| match e {
            OutflowError::CapExceeded => {
                msg!(
                    "outflow {} over the remaining {}",
                    amount,
                    outflow::remaining_floor(&limit, &before.window(), now).unwrap_or(0)
                );
                error!(LendingError::OutflowLimitExceeded)
            }
            OutflowError::Math(m) => error!(LendingError::from(m)),
        })?
    } else {
        outflow::record_inflow(&limit, &before.window(), now, amount).map_math()?
    };
    let after = OutflowState::with(&limit, &window);
    reserve.outflow = after;
    Ok(Some(OutflowRecorded {
        reserve: *reserve_key,
        kind: flow.code(),
        amount,
        timestamp: now,
        before,
        after,
        estimate_before: estimate_i64_ceil(&before, now)?,
        estimate_after: estimate_i64_ceil(&after, now)?,
        remaining_after: outflow::remaining_floor(&limit, &window, now).map_math()?,
    }))
}
