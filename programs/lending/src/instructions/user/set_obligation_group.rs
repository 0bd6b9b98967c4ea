//! `set_obligation_group`: the owner moves the obligation into e-mode group `group` (1..=16), or
//! out of any group (0). Remaining accounts: the obligation's deposit reserves, in order, then
//! its borrow reserves, in order. Every position must be of a member of the new group; with
//! debt, every reserve must be refreshed in this slot and the obligation, valued here from
//! scratch under the new parameters, within its borrow limit (`operations::emode`).

use anchor_lang::prelude::*;
use lending_math::health::health_factor_bps;

use crate::error::{LendingError, MathResultExt};
use crate::events::ObligationGroupSet;
use crate::operations::emode::change_group;
use crate::state::{LendingMarket, Obligation};
use crate::utils::reserves::with_reserves;

/// Accounts of `set_obligation_group`; the reserves follow as remaining accounts.
#[event_cpi]
#[derive(Accounts)]
pub struct SetObligationGroup<'info> {
    /// The obligation owner.
    pub owner: Signer<'info>,
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The owner's obligation in this market.
    #[account(
        mut,
        has_one = lending_market @ LendingError::InvalidMarket,
        has_one = owner @ LendingError::InvalidObligationOwner
    )]
    pub obligation: AccountLoader<'info, Obligation>,
}

/// Checks memberships and, with debt, the borrow limit under the new group; stores the group.
pub fn handler<'info>(ctx: Context<'info, SetObligationGroup<'info>>, group: u8) -> Result<()> {
    let clock = Clock::get()?;
    let (slot, now) = (clock.slot, clock.unix_timestamp);
    let change = {
        let market = ctx.accounts.lending_market.load()?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        with_reserves(ctx.remaining_accounts, &[], |rs| {
            change_group(&market, &mut obligation, rs, group, slot, now)
        })?
    };
    let (b, a) = (&change.health_before, &change.health_after);
    emit_cpi!(ObligationGroupSet {
        obligation: ctx.accounts.obligation.key(),
        group_before: change.group_before,
        group_after: group,
        allowed_borrow_value_before_sf: b.allowed_borrow_value.to_scaled_val().map_math()?,
        allowed_borrow_value_after_sf: a.allowed_borrow_value.to_scaled_val().map_math()?,
        unhealthy_borrow_value_before_sf: b.unhealthy_borrow_value.to_scaled_val().map_math()?,
        unhealthy_borrow_value_after_sf: a.unhealthy_borrow_value.to_scaled_val().map_math()?,
        bf_adjusted_debt_value_upper_sf: a
            .bf_adjusted_debt_value_upper
            .to_scaled_val()
            .map_math()?,
        health_factor_before_bps: health_factor_bps(b).map_math()?,
        health_factor_after_bps: health_factor_bps(a).map_math()?,
    });
    Ok(())
}
