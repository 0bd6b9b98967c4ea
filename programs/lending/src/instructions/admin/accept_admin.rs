//! `accept_admin`: the proposed admin takes over the market.

use anchor_lang::prelude::*;

use crate::error::LendingError;
use crate::events::AdminTransferred;
use crate::state::LendingMarket;

/// Accounts of `accept_admin`.
#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// The proposed admin.
    pub pending_admin: Signer<'info>,
    /// The market.
    #[account(mut, has_one = pending_admin @ LendingError::NotPendingAdmin)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
}

/// Moves the admin role to the signer and clears the proposal.
pub fn handler(ctx: Context<AcceptAdmin>) -> Result<()> {
    let new_admin = ctx.accounts.pending_admin.key();
    require_keys_neq!(new_admin, Pubkey::default(), LendingError::NotPendingAdmin);
    let mut market = ctx.accounts.lending_market.load_mut()?;
    let before = market.admin;
    market.admin = new_admin;
    market.pending_admin = Pubkey::default();
    drop(market);
    emit_cpi!(AdminTransferred {
        market: ctx.accounts.lending_market.key(),
        before,
        after: new_admin,
    });
    Ok(())
}
