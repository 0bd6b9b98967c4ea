//! `set_emode_group`: the admin configures e-mode group `group` (1..=16) of the market, or
//! changes its parameters. Validated like a reserve's config (`LTV < threshold ≤ 98%`,
//! `min bonus ≤ max bonus`, `threshold × (1 + max bonus) < 100%`), and the threshold below the
//! market's insolvency LTV (past it every liquidation would be a full one); the new parameters apply at
//! once to the obligations in the group, as `update_reserve_config` applies a reserve's.

use anchor_lang::prelude::*;

use crate::error::LendingError;
use crate::events::EmodeGroupSet;
use crate::operations::emode::set_group;
use crate::state::{EmodeGroup, LendingMarket};

/// Accounts of `set_emode_group`.
#[event_cpi]
#[derive(Accounts)]
pub struct SetEmodeGroup<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(mut, has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
}

/// Validates and stores the group's parameters.
pub fn handler(ctx: Context<SetEmodeGroup>, group: u8, params: EmodeGroup) -> Result<()> {
    let before = set_group(&mut *ctx.accounts.lending_market.load_mut()?, group, params)?;
    emit_cpi!(EmodeGroupSet {
        market: ctx.accounts.lending_market.key(),
        group,
        before,
        after: params,
    });
    Ok(())
}
