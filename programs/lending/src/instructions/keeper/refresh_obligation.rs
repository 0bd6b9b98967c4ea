//! `refresh_obligation` (permissionless): recomputes an obligation's values from its reserves,
//! passed as remaining accounts: its deposit reserves in order, then its borrow reserves in
//! order, each refreshed in this slot.

use anchor_lang::prelude::*;
use lending_math::health::health_factor_bps;

use crate::constants::{MAX_BORROWS, MAX_DEPOSITS};
use crate::error::{LendingError, MathResultExt};
use crate::events::ObligationRefreshed;
use crate::operations::refresh::refresh_obligation;
use crate::state::{Obligation, Reserve};

/// Accounts of `refresh_obligation`; the reserves follow as remaining accounts.
#[event_cpi]
#[derive(Accounts)]
pub struct RefreshObligation<'info> {
    /// The obligation.
    #[account(mut)]
    pub obligation: AccountLoader<'info, Obligation>,
}

/// Loads the reserves (owner and discriminator checked), recomputes and stores the values.
pub fn handler<'info>(ctx: Context<'info, RefreshObligation<'info>>) -> Result<()> {
    let clock = Clock::get()?;
    let (slot, now) = (clock.slot, clock.unix_timestamp);
    require!(
        ctx.remaining_accounts.len() <= MAX_DEPOSITS + MAX_BORROWS,
        LendingError::InvalidRefreshAccounts
    );
    let loaders = ctx
        .remaining_accounts
        .iter()
        .map(AccountLoader::<Reserve>::try_from)
        .collect::<Result<Vec<_>>>()?;
    let refs = loaders
        .iter()
        .map(|l| l.load())
        .collect::<Result<Vec<_>>>()?;
    let reserves: Vec<(Pubkey, &Reserve)> = loaders
        .iter()
        .zip(refs.iter())
        .map(|(l, r)| (l.key(), &**r))
        .collect();

    let mut obligation = ctx.accounts.obligation.load_mut()?;
    let before = health_factor_bps(&obligation.health()).map_math()?;
    let health = refresh_obligation(&mut obligation, &reserves, slot, now)?;
    drop(obligation);
    emit_cpi!(ObligationRefreshed {
        obligation: ctx.accounts.obligation.key(),
        slot,
        health_factor_before_bps: before,
        health_factor_after_bps: health_factor_bps(&health).map_math()?,
        deposited_value_sf: health.deposited_value.to_scaled_val().map_math()?,
        allowed_borrow_value_sf: health.allowed_borrow_value.to_scaled_val().map_math()?,
        unhealthy_borrow_value_sf: health.unhealthy_borrow_value.to_scaled_val().map_math()?,
        bf_adjusted_debt_value_sf: health.bf_adjusted_debt_value.to_scaled_val().map_math()?,
        liquidatable: health.is_liquidatable(),
    });
    Ok(())
}
