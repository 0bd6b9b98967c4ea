//! `update_oracle_config`: the admin changes a reserve's oracle bounds (age, confidence,
//! divergence) at any time. The source itself (kind, price account, feed id) can change only
//! while no user holds a position in the reserve (`Reserve::unused`), which amounts to a
//! re-listing: repointing a live reserve to another asset's feed would reprice every deposit
//! and debt at once, so it is refused with `OracleSourceLocked`. A new source restarts the
//! publish-time floor and makes the reserve stale until the next refresh reads it; it is checked
//! like a listing (`oracle::check_listing_price`), so its price account must come along.

use anchor_lang::prelude::*;

use crate::error::LendingError;
use crate::events::OracleConfigUpdated;
use crate::operations::validation::validate_oracle_params;
use crate::oracle::check_listing_price;
use crate::state::{LendingMarket, OracleConfig, OracleKind, OracleParams, Reserve};

/// Accounts of `update_oracle_config`.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateOracleConfig<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
    #[account(
        mut,
        has_one = lending_market @ LendingError::InvalidMarket,
        has_one = oracle_config @ LendingError::InvalidOracleConfig
    )]
    pub reserve: AccountLoader<'info, Reserve>,
    /// The reserve's oracle config.
    #[account(mut)]
    pub oracle_config: AccountLoader<'info, OracleConfig>,
    /// CHECK: the new source's price account, required when the source changes;
    /// `oracle::check_listing_price` checks it against the new config before it is accepted.
    pub price_account: Option<UncheckedAccount<'info>>,
}

/// Validates and applies the oracle settings.
pub fn handler(ctx: Context<UpdateOracleConfig>, params: OracleParams) -> Result<()> {
    validate_oracle_params(&params)?;
    let mut oc = ctx.accounts.oracle_config.load_mut()?;
    let before = OracleParams {
        kind: OracleKind::from_u8(oc.kind).ok_or(LendingError::InvalidOracleConfigParams)?,
        price_account: oc.price_account,
        feed_id: oc.feed_id,
        max_age_secs: oc.max_age_secs,
        max_confidence_bps: oc.max_confidence_bps,
        max_ema_divergence_bps: oc.max_ema_divergence_bps,
    };
    let source_changed = before.kind != params.kind
        || before.price_account != params.price_account
        || before.feed_id != params.feed_id;
    if source_changed {
        require!(
            ctx.accounts.reserve.load()?.unused(),
            LendingError::OracleSourceLocked
        );
    }
    oc.apply(&params);
    if source_changed {
        let price_account = ctx
            .accounts
            .price_account
            .as_ref()
            .ok_or(LendingError::InvalidOracleAccount)?;
        oc.last_publish_time = 0;
        check_listing_price(
            &oc,
            &price_account.to_account_info(),
            ctx.accounts.reserve.load()?.decimals,
            Clock::get()?.unix_timestamp,
        )?;
        ctx.accounts.reserve.load_mut()?.price_slot = 0;
    }
    drop(oc);
    emit_cpi!(OracleConfigUpdated {
        reserve: ctx.accounts.reserve.key(),
        before,
        after: params,
    });
    Ok(())
}
