//! `init_market`: creates a lending market owned by the signing admin.

use anchor_lang::prelude::*;

use crate::events::MarketInitialized;
use crate::operations::validation::validate_market_params;
use crate::state::{LendingMarket, MarketParams};

/// Accounts of `init_market`.
#[event_cpi]
#[derive(Accounts)]
pub struct InitMarket<'info> {
    /// The admin, who pays for the account.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// A fresh keypair account for the market.
    #[account(init, payer = admin, space = LendingMarket::SPACE)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Validates the parameters and writes the market.
pub fn handler(
    ctx: Context<InitMarket>,
    quote_currency: [u8; 32],
    params: MarketParams,
) -> Result<()> {
    validate_market_params(&params)?;
    let mut market = ctx.accounts.lending_market.load_init()?;
    market.admin = ctx.accounts.admin.key();
    market.quote_currency = quote_currency;
    market.version = LendingMarket::VERSION;
    market.apply(&params);
    drop(market);
    emit_cpi!(MarketInitialized {
        market: ctx.accounts.lending_market.key(),
        admin: ctx.accounts.admin.key(),
        params,
    });
    Ok(())
}
