//! Validation of admin-supplied parameters. Each rule fails with its own error.

use anchor_lang::prelude::*;
use lending_math::interest::{validate_curve, CurveError};

use crate::constants::{
    BPS, MAX_AUCTION_SECS, MAX_BORROW_FACTOR_BPS, MAX_DUST_THRESHOLD_VALUE, MAX_ORACLE_AGE_SECS,
    MAX_TARGET_HEALTH_BPS, MIN_AUCTION_SECS, MIN_CLOSE_FACTOR_BPS, MIN_INSOLVENCY_LTV_BPS,
    MIN_TARGET_HEALTH_BPS,
};
use crate::error::LendingError;
use crate::state::{MarketParams, OracleParams, ReserveConfig};

/// Market parameters, each bound with its own error: close factor in [5%, 100%], insolvency
/// LTV in [80%, 100%], auction in [10 s, 1 day], dust threshold at most 1,000 quote units,
/// target health 0 (off) or in [1.01, 1.50].
pub fn validate_market_params(p: &MarketParams) -> Result<()> {
    require!(
        p.close_factor_bps >= MIN_CLOSE_FACTOR_BPS && p.close_factor_bps <= BPS,
        LendingError::InvalidCloseFactor
    );
    require!(
        p.insolvency_ltv_bps >= MIN_INSOLVENCY_LTV_BPS && p.insolvency_ltv_bps <= BPS,
        LendingError::InvalidInsolvencyLtv
    );
    require!(
        p.liquidation_auction_secs >= MIN_AUCTION_SECS
            && p.liquidation_auction_secs <= MAX_AUCTION_SECS,
        LendingError::InvalidAuctionDuration
    );
    require!(
        p.dust_threshold_value <= MAX_DUST_THRESHOLD_VALUE,
        LendingError::InvalidDustThreshold
    );
    require!(
        p.target_health_bps == 0
            || (MIN_TARGET_HEALTH_BPS..=MAX_TARGET_HEALTH_BPS).contains(&p.target_health_bps),
        LendingError::InvalidTargetHealth
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
