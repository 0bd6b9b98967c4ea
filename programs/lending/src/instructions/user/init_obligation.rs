//! `init_obligation`: opens an obligation for its owner in a market.

use anchor_lang::prelude::*;

use crate::constants::OBLIGATION_SEED;
use crate::events::ObligationInitialized;
use crate::state::{LendingMarket, Obligation};

/// Accounts of `init_obligation`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(id: u16)]
pub struct InitObligation<'info> {
    /// The owner.
    pub owner: Signer<'info>,
    /// Pays rent (may be the owner).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The new obligation.
    #[account(
        init,
        payer = payer,
        space = Obligation::SPACE,
        seeds = [OBLIGATION_SEED, lending_market.key().as_ref(), owner.key().as_ref(), &id.to_le_bytes()],
        bump
    )]
    pub obligation: AccountLoader<'info, Obligation>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Writes the empty obligation.
pub fn handler(ctx: Context<InitObligation>, id: u16) -> Result<()> {
    let mut o = ctx.accounts.obligation.load_init()?;
    o.lending_market = ctx.accounts.lending_market.key();
    o.owner = ctx.accounts.owner.key();
    o.id = id;
    o.bump = ctx.bumps.obligation;
    o.version = Obligation::VERSION;
    drop(o);
    emit_cpi!(ObligationInitialized {
        market: ctx.accounts.lending_market.key(),
        obligation: ctx.accounts.obligation.key(),
        owner: ctx.accounts.owner.key(),
        id,
    });
    Ok(())
}
