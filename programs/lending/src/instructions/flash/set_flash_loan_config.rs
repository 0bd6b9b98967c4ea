//! `set_flash_loan_config`: the admin enables or disables flash loans on a reserve and sets
//! their fee. Every reserve starts disabled (the field of reserves listed before flash loans
//! reads 0), so no market lends flash loans until its admin decides to; a fee of 0 is allowed.

use anchor_lang::prelude::*;
use lending_math::flash::MAX_FLASH_LOAN_FEE_BPS;

use crate::error::LendingError;
use crate::events::FlashLoanConfigSet;
use crate::state::{LendingMarket, Reserve};

/// Accounts of `set_flash_loan_config`.
#[event_cpi]
#[derive(Accounts)]
pub struct SetFlashLoanConfig<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub reserve: AccountLoader<'info, Reserve>,
}

/// Checks the fee bound and records the settings.
pub fn handler(ctx: Context<SetFlashLoanConfig>, enabled: bool, fee_bps: u16) -> Result<()> {
    require!(
        fee_bps <= MAX_FLASH_LOAN_FEE_BPS,
        LendingError::InvalidFlashLoanFee
    );
    let mut reserve = ctx.accounts.reserve.load_mut()?;
    let (enabled_before, fee_bps_before) =
        (reserve.flash_loans_enabled == 1, reserve.flash_loan_fee_bps);
    reserve.flash_loans_enabled = u8::from(enabled);
    reserve.flash_loan_fee_bps = fee_bps;
    drop(reserve);
    emit_cpi!(FlashLoanConfigSet {
        reserve: ctx.accounts.reserve.key(),
        enabled_before,
        enabled_after: enabled,
        fee_bps_before,
        fee_bps_after: fee_bps,
    });
    Ok(())
}
