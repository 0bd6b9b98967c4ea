//! `report_oracle_failure` (permissionless): reads a reserve's pinned oracle and, when the
//! reading fails a price check (stale, too uncertain, halted, not verified, regressed, garbled),
//! records the failure for this slot and accrues interest. It fails with `OracleNotFailing` on
//! a valid price and with the account errors when the account is not the pinned one, so a
//! failure can never be claimed for an oracle that works.
//!
//! What the record does: a liquidation in this slot values the obligation with the deposits of
//! this reserve at zero (they cannot be seized) and its debts at their last price made
//! conservative, `max(spot, EMA) + confidence` (they cannot be repaid by liquidation). So a
//! borrower cannot block his own liquidation with a position in a reserve whose oracle fails.
//! Borrowing and withdrawing still need a valid price for every reserve of the obligation.

use anchor_lang::prelude::*;

use crate::error::{LendingError, MathResultExt};
use crate::events::OracleFailureReported;
use crate::oracle::{check_price_account, read_price, validate_reading};
use crate::state::{OracleConfig, Reserve};

/// Accounts of `report_oracle_failure`.
#[event_cpi]
#[derive(Accounts)]
pub struct ReportOracleFailure<'info> {
    /// The reserve.
    #[account(mut, has_one = oracle_config @ LendingError::InvalidOracleConfig)]
    pub reserve: AccountLoader<'info, Reserve>,
    /// The reserve's oracle config.
    pub oracle_config: AccountLoader<'info, OracleConfig>,
    /// CHECK: must be the price account pinned in `oracle_config`, owned by the oracle program
    /// of its kind; `oracle::check_price_account` checks both before anything else.
    pub price_account: UncheckedAccount<'info>,
}

/// Checks the account, requires a failing reading, records it.
pub fn handler(ctx: Context<ReportOracleFailure>) -> Result<()> {
    let clock = Clock::get()?;
    let oc = ctx.accounts.oracle_config.load()?;
    let info = ctx.accounts.price_account.to_account_info();
    check_price_account(&oc, &info)?;
    let reading =
        read_price(&oc, &info).and_then(|r| validate_reading(&oc, &r, clock.unix_timestamp));
    let error_code = match reading {
        Ok(_) => return err!(LendingError::OracleNotFailing),
        Err(Error::AnchorError(e)) => e.error_code_number,
        Err(Error::ProgramError(_)) => u32::from(LendingError::InvalidOracleData),
    };
    drop(oc);
    let mut reserve = ctx.accounts.reserve.load_mut()?;
    require!(
        !reserve.is_fresh(clock.slot),
        LendingError::OracleNotFailing
    );
    let interest = reserve.accrue_interest(clock.unix_timestamp).map_math()?;
    reserve.price_failed_slot = clock.slot;
    let (last_price_sf, last_publish_time) = (reserve.price_sf.raw(), reserve.price_publish_time);
    drop(reserve);
    emit_cpi!(OracleFailureReported {
        reserve: ctx.accounts.reserve.key(),
        slot: clock.slot,
        error_code,
        last_price_sf,
        last_publish_time,
        interest_sf: interest.to_scaled_val().map_math()?,
    });
    Ok(())
}
