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
