//! `propose_admin`: the admin names a successor, who takes over only by `accept_admin`. A
//! typo in the new key therefore cannot lock the market; proposing the default key withdraws
//! the proposal.

use anchor_lang::prelude::*;

use crate::error::LendingError;
use crate::events::AdminProposed;
use crate::state::LendingMarket;

/// Accounts of `propose_admin`.
#[event_cpi]
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(mut, has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
}

/// Records the proposal.
pub fn handler(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
    let mut market = ctx.accounts.lending_market.load_mut()?;
    market.pending_admin = new_admin;
    drop(market);
    emit_cpi!(AdminProposed {
        market: ctx.accounts.lending_market.key(),
        admin: ctx.accounts.admin.key(),
        pending_admin: new_admin,
    });
    Ok(())
}
