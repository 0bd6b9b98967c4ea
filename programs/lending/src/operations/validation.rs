//! Validation of admin-supplied parameters. Each rule fails with its own error.

use anchor_lang::prelude::*;
use lending_math::interest::{validate_curve, CurveError};

use crate::constants::{BPS, MAX_BORROW_FACTOR_BPS, MAX_ORACLE_AGE_SECS};
use crate::error::LendingError;
use crate::state::{MarketParams, OracleParams, ReserveConfig};

/// Market parameters: close factor in (0, 100%], insolvency LTV in (0, 100%], auction > 0.
pub fn validate_market_params(p: &MarketParams) -> Result<()> {
    require!(
        p.close_factor_bps > 0 && p.close_factor_bps <= BPS,
        LendingError::InvalidMarketConfig
    );
    require!(
        p.insolvency_ltv_bps > 0 && p.insolvency_ltv_bps <= BPS,
        LendingError::InvalidMarketConfig
    );
    require!(
        p.liquidation_auction_secs > 0,
        LendingError::InvalidMarketConfig
    );
    Ok(())
}

/// Reserve config:
/// - `0 ≤ LTV < liquidation threshold < 100%`;
/// - `min bonus ≤ max bonus` and `threshold × (1 + max bonus) < 100%`, so that a liquidation at
///   the threshold always pays out less collateral value than the debt it clears plus the bonus
///   the collateral can bear (the Port Finance lesson);
/// - fees ≤ 100%; `100% ≤ borrow factor ≤ 500%`; a valid monotone rate curve.
pub fn validate_reserve_config(c: &ReserveConfig) -> Result<()> {
    require!(c.liquidation_threshold_bps < BPS, LendingError::InvalidLtv);
    require!(
        c.loan_to_value_bps < c.liquidation_threshold_bps,
        LendingError::InvalidLtv
    );
    require!(
        c.min_liquidation_bonus_bps <= c.max_liquidation_bonus_bps,
        LendingError::InvalidLiquidationBonus
    );
    let lt = u64::from(c.liquidation_threshold_bps);
    let with_bonus = lt * (u64::from(BPS) + u64::from(c.max_liquidation_bonus_bps));
    require!(
        with_bonus < u64::from(BPS) * u64::from(BPS),
        LendingError::InvalidLiquidationBonus
    );
    require!(
        c.protocol_liquidation_fee_bps <= BPS && c.reserve_factor_bps <= BPS,
        LendingError::InvalidFee
    );
    require!(
        c.borrow_factor_bps >= BPS && c.borrow_factor_bps <= MAX_BORROW_FACTOR_BPS,
        LendingError::InvalidBorrowFactor
    );
    require!(
        c.borrow_paused <= 1 && c.withdraw_paused <= 1,
        LendingError::InvalidMarketConfig
    );
    validate_curve(&c.curve()).map_err(|e: CurveError| {
        msg!("invalid rate curve: {:?}", e);
        error!(LendingError::InvalidRateCurve)
    })
}

/// Oracle params: a pinned account, `0 < max age ≤ 1 day`, bounds in (0, 100%].
pub fn validate_oracle_params(p: &OracleParams) -> Result<()> {
    require!(
        p.price_account != Pubkey::default(),
        LendingError::InvalidOracleConfigParams
    );
    require!(
        p.max_age_secs > 0 && p.max_age_secs <= MAX_ORACLE_AGE_SECS,
        LendingError::InvalidOracleConfigParams
    );
    require!(
        p.max_confidence_bps > 0 && p.max_confidence_bps <= BPS,
        LendingError::InvalidOracleConfigParams
    );
    require!(
        p.max_ema_divergence_bps > 0 && p.max_ema_divergence_bps <= BPS,
        LendingError::InvalidOracleConfigParams
    );
    Ok(())
}
