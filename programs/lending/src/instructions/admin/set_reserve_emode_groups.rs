//! `set_reserve_emode_groups`: the admin sets which e-mode groups a reserve belongs to, as a
//! mask (bit `g − 1` = group `g`), each named group configured. Removing a reserve from a group
//! leaves existing positions in place: in obligations of that group they count with the
//! reserve's own parameters from then on, and take no new deposit or borrow.

use anchor_lang::prelude::*;

use crate::error::LendingError;
use crate::events::ReserveEmodeGroupsSet;
use crate::operations::emode::set_memberships;
use crate::state::{LendingMarket, Reserve};

/// Accounts of `set_reserve_emode_groups`.
#[event_cpi]
#[derive(Accounts)]
pub struct SetReserveEmodeGroups<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub reserve: AccountLoader<'info, Reserve>,
}

/// Checks the mask against the market's groups and stores it.
pub fn handler(ctx: Context<SetReserveEmodeGroups>, groups: u64) -> Result<()> {
    let market = ctx.accounts.lending_market.load()?;
    let before = set_memberships(&market, &mut *ctx.accounts.reserve.load_mut()?, groups)?;
    drop(market);
    emit_cpi!(ReserveEmodeGroupsSet {
        reserve: ctx.accounts.reserve.key(),
        before,
        after: groups,
    });
    Ok(())
}
