//! `report_oracle_failure` (permissionless): reads a reserve's pinned oracle and, when the
//! reading fails a price check (stale, too uncertain, halted, not verified, regressed, garbled),
//! records the failure for this slot and accrues interest. It fails with `OracleNotFailing` on
//! a valid price and with the account errors when the account is not the pinned one, so a
//! failure can never be claimed for an oracle that works.
//!
//! A reading that decodes as the feed's own (right feed, fully verified, trading) and failed
//! only on age or confidence is newer information than the reserve's cache when it was
//! published later: it becomes the reserve's last known price, its confidence capped at the
//! configured bound (`operations::refresh::record_oracle_failure`). The reserve stays stale.
//!
//! What the record does: a liquidation in this slot values the obligation with the deposits of
//! this reserve at their last known conservative price, fading to zero within the hour after
//! it was published (they cannot be seized), and its debts at `max(spot, EMA) + confidence`
//! (they cannot be repaid by liquidation). So a borrower cannot block his own liquidation with
//! a position in a reserve whose oracle fails, and a healthy obligation is not exposed by one
//! failed print of a collateral nobody had refreshed for an hour. Borrowing and withdrawing
//! still need a valid price for every reserve of the obligation.

use anchor_lang::prelude::*;

use crate::error::{LendingError, MathResultExt};
use crate::events::OracleFailureReported;
use crate::operations::refresh::record_oracle_failure;
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

/// The error number a failed reading reports.
fn code_of(e: &Error) -> u32 {
    match e {
        Error::AnchorError(e) => e.error_code_number,
        Error::ProgramError(_) => u32::from(LendingError::InvalidOracleData),
    }
}

/// Checks the account, requires a failing reading, records it.
pub fn handler(ctx: Context<ReportOracleFailure>) -> Result<()> {
    let clock = Clock::get()?;
    let oc = ctx.accounts.oracle_config.load()?;
    let info = ctx.accounts.price_account.to_account_info();
    check_price_account(&oc, &info)?;
    let decoded = read_price(&oc, &info);
    let error_code = match &decoded {
        Err(e) => code_of(e),
        Ok(r) => match validate_reading(&oc, r, clock.unix_timestamp) {
            Ok(_) => return err!(LendingError::OracleNotFailing),
            Err(e) => code_of(&e),
        },
    };
    let max_conf_bps = oc.max_confidence_bps;
    drop(oc);
    let mut reserve = ctx.accounts.reserve.load_mut()?;
    require!(
        !reserve.is_fresh(clock.slot),
        LendingError::OracleNotFailing
    );
    let interest = reserve.accrue_interest(clock.unix_timestamp).map_math()?;
    record_oracle_failure(
        &mut reserve,
        decoded.as_ref().ok(),
        max_conf_bps,
        clock.slot,
        clock.unix_timestamp,
    )?;
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
