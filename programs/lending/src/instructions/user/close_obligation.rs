//! `close_obligation`: the owner closes an obligation without deposits or borrows and gets its
//! rent back.

use anchor_lang::prelude::*;

use crate::error::LendingError;
use crate::events::ObligationClosed;
use crate::state::Obligation;

/// Accounts of `close_obligation`.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseObligation<'info> {
    /// The owner, who receives the rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The empty obligation.
    #[account(
        mut,
        close = owner,
        has_one = owner @ LendingError::InvalidObligationOwner
    )]
    pub obligation: AccountLoader<'info, Obligation>,
}

/// Requires no positions; Anchor closes the account to the owner.
pub fn handler(ctx: Context<CloseObligation>) -> Result<()> {
    let o = ctx.accounts.obligation.load()?;
    require!(
        o.active_deposits().next().is_none() && o.active_borrows().next().is_none(),
        LendingError::ObligationNotEmpty
    );
    drop(o);
    emit_cpi!(ObligationClosed {
        obligation: ctx.accounts.obligation.key(),
        owner: ctx.accounts.owner.key(),
        rent: ctx.accounts.obligation.to_account_info().lamports(),
    });
    Ok(())
}
