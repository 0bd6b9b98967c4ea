//! `set_insurance_floor`: the admin sets how much of a reserve's insurance fund must stay in it
//! (token base units); `withdraw_insurance` pays out only what is above.

use anchor_lang::prelude::*;

use crate::error::LendingError;
use crate::events::InsuranceFloorSet;
use crate::state::{LendingMarket, Reserve};

/// Accounts of `set_insurance_floor`.
#[event_cpi]
#[derive(Accounts)]
pub struct SetInsuranceFloor<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub reserve: AccountLoader<'info, Reserve>,
}

/// Records the floor.
pub fn handler(ctx: Context<SetInsuranceFloor>, floor: u64) -> Result<()> {
    let mut reserve = ctx.accounts.reserve.load_mut()?;
    let before = reserve.insurance_floor;
    reserve.insurance_floor = floor;
    drop(reserve);
    emit_cpi!(InsuranceFloorSet {
        reserve: ctx.accounts.reserve.key(),
        before,
        after: floor,
    });
    Ok(())
}
