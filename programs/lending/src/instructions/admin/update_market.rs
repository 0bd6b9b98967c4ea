//! `update_market`: the admin changes market-wide parameters (close factor, pauses, ...).

use anchor_lang::prelude::*;

use crate::error::LendingError;
use crate::events::MarketUpdated;
use crate::operations::validation::validate_market_params;
use crate::state::{LendingMarket, MarketParams};

/// Accounts of `update_market`.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateMarket<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(mut, has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
}

/// Validates and applies the new parameters.
pub fn handler(ctx: Context<UpdateMarket>, params: MarketParams) -> Result<()> {
    validate_market_params(&params)?;
    let mut market = ctx.accounts.lending_market.load_mut()?;
    // Every configured e-mode group's threshold stays below the insolvency LTV, the bound
    // `set_emode_group` enforces from the other side (past it every liquidation is full).
    let highest_group_threshold = market
        .emode_groups
        .iter()
        .map(|g| g.liquidation_threshold_bps)
        .max()
        .unwrap_or(0);
    require!(
        highest_group_threshold < params.insolvency_ltv_bps,
        LendingError::InvalidInsolvencyLtv
    );
    let before = market.params();
    market.apply(&params);
    drop(market);
    emit_cpi!(MarketUpdated {
        market: ctx.accounts.lending_market.key(),
        before,
        after: params,
    });
    Ok(())
}
