//! `socialize_bad_debt` (permissionless): once liquidations have taken all of an obligation's
//! collateral, its remaining debt in a reserve is written off, first from that reserve's
//! insurance fund, then against the value of its supply shares. Needs no price: the condition
//! (no collateral left) does not depend on one.
//!
//! Dust collateral, deposits whose shares redeem for no token at all, would otherwise block the
//! write-off for ever (no liquidation can seize what pays nothing). The reserves of such
//! deposits are passed as writable remaining accounts; their shares are burned first
//! (`operations::liquidation::sweep_dust_collateral`).

use anchor_lang::prelude::*;

use crate::constants::MAX_DEPOSITS;
use crate::error::{LendingError, MathResultExt};
use crate::events::BadDebtSocialized;
use crate::operations::liquidation;
use crate::state::{LendingMarket, Obligation, Reserve};

/// Accounts of `socialize_bad_debt`.
#[event_cpi]
#[derive(Accounts)]
pub struct SocializeBadDebt<'info> {
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The obligation without collateral.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub obligation: AccountLoader<'info, Obligation>,
    /// The reserve holding its debt.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub reserve: AccountLoader<'info, Reserve>,
}

/// Sweeps dust collateral, accrues interest, writes the debt off, emits the figures.
pub fn handler(ctx: Context<SocializeBadDebt>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let reserve_key = ctx.accounts.reserve.key();
    let outcome = {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        if obligation.active_deposits().next().is_some() {
            require!(
                ctx.remaining_accounts.len() <= MAX_DEPOSITS,
                LendingError::InvalidRefreshAccounts
            );
            let loaders = ctx
                .remaining_accounts
                .iter()
                .filter(|a| *a.key != reserve_key)
                .map(AccountLoader::<Reserve>::try_from)
                .collect::<Result<Vec<_>>>()?;
            let mut refs = loaders
                .iter()
                .map(|l| l.load_mut())
                .collect::<Result<Vec<_>>>()?;
            for r in refs.iter_mut() {
                r.accrue_interest(now).map_math()?;
            }
            let mut dust: Vec<(Pubkey, &mut Reserve)> = loaders
                .iter()
                .map(|l| l.key())
                .zip(refs.iter_mut().map(|r| &mut **r))
                .collect();
            liquidation::sweep_dust_collateral(&mut obligation, &mut dust)?;
        }
        reserve.accrue_interest(now).map_math()?;
        liquidation::socialize_bad_debt(&mut reserve, &reserve_key, &mut obligation)?
    };
    emit_cpi!(BadDebtSocialized {
        obligation: ctx.accounts.obligation.key(),
        reserve: reserve_key,
        debt_sf: outcome.debt.to_scaled_val_saturating(),
        covered_by_insurance: outcome.split.covered_by_insurance,
        socialized_sf: outcome.split.socialized.to_scaled_val_saturating(),
        share_value_before_sf: outcome.share_value_before.to_scaled_val().map_math()?,
        share_value_after_sf: outcome.share_value_after.to_scaled_val().map_math()?,
        fees_reversed_sf: outcome.fees_reversed.to_scaled_val().map_math()?,
    });
    Ok(())
}
