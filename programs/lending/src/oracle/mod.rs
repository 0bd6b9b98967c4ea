//! Reading prices. Each kind of account is decoded into a `PriceReading`; `validate_reading`
//! then applies the same checks to every kind: positive price, exponent in range, age,
//! publish time never going backwards, confidence bound; and reports spot–EMA divergence.

pub mod pyth_legacy;
pub mod pyth_pull;

use anchor_lang::prelude::*;
use lending_math::price::{Prices, RawPrice};
use lending_math::Decimal;

use crate::constants::{
    MAX_FUTURE_PUBLISH_SECS, MAX_LISTING_UNIT_VALUE_BPS, PYTH_LEGACY_PROGRAM, PYTH_RECEIVER_PROGRAM,
};
use crate::error::{LendingError, MathResultExt};
use crate::state::{OracleConfig, OracleKind};

/// A price as decoded from an oracle account, before any check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceReading {
    /// Mantissas and exponent.
    pub raw: RawPrice,
    /// Publish time (unix seconds).
    pub publish_time: i64,
}

/// A price that passed every check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidatedPrice {
    /// Normalized spot, EMA and confidence.
    pub prices: Prices,
    /// Publish time (unix seconds).
    pub publish_time: i64,
    /// Spot–EMA divergence (bps).
    pub divergence_bps: u64,
    /// True when the divergence exceeds the configured bound.
    pub divergent: bool,
}

/// Checks that `price_account` is the pinned account and that the oracle program of its kind
/// owns it: what makes a reading this reserve's at all.
pub fn check_price_account(config: &OracleConfig, price_account: &AccountInfo) -> Result<()> {
    require_keys_eq!(
        *price_account.key,
        config.price_account,
        LendingError::InvalidOracleAccount
    );
    let kind = OracleKind::from_u8(config.kind).ok_or(LendingError::InvalidOracleConfigParams)?;
    match kind {
        OracleKind::PythPull => require_keys_eq!(
            *price_account.owner,
            PYTH_RECEIVER_PROGRAM,
            LendingError::InvalidOracleOwner
        ),
        OracleKind::PythLegacy => require_keys_eq!(
            *price_account.owner,
            PYTH_LEGACY_PROGRAM,
            LendingError::InvalidOracleOwner
        ),
    }
    Ok(())
}

/// Decodes `price_account` according to `config` after [`check_price_account`].
pub fn read_price(config: &OracleConfig, price_account: &AccountInfo) -> Result<PriceReading> {
    check_price_account(config, price_account)?;
    let kind = OracleKind::from_u8(config.kind).ok_or(LendingError::InvalidOracleConfigParams)?;
    let data = price_account.try_borrow_data()?;
    match kind {
        OracleKind::PythPull => pyth_pull::decode(&data, &config.feed_id),
        OracleKind::PythLegacy => pyth_legacy::decode(&data),
    }
}

/// Applies the checks every reading must pass, at time `now` (unix seconds).
///
/// A publish time up to `MAX_FUTURE_PUBLISH_SECS` ahead of `now` counts as age 0 (validators'
/// clocks drift by seconds); one further ahead is refused, since it would become the floor that
/// every later price must reach. The monotonic check stops anyone from going back to an older
/// price later.
pub fn validate_reading(
    config: &OracleConfig,
    reading: &PriceReading,
    now: i64,
) -> Result<ValidatedPrice> {
    let prices = reading
        .raw
        .normalize()
        .map_err(|_| error!(LendingError::InvalidOraclePrice))?;
    require!(
        reading.publish_time <= now.saturating_add(MAX_FUTURE_PUBLISH_SECS),
        LendingError::PublishTimeInFuture
    );
    let age = now.saturating_sub(reading.publish_time).max(0);
    require!(
        age <= i64::from(config.max_age_secs),
        LendingError::StalePrice
    );
    require!(
        reading.publish_time >= config.last_publish_time,
        LendingError::OraclePublishTimeRegressed
    );
    let conf_bps = prices
        .confidence_bps()
        .map_err(|_| error!(LendingError::PriceTooUncertain))?;
    require!(
        conf_bps <= u64::from(config.max_confidence_bps),
        LendingError::PriceTooUncertain
    );
    let divergence_bps = prices
        .divergence_bps()
        .map_err(|_| error!(LendingError::InvalidOraclePrice))?;
    Ok(ValidatedPrice {
        prices,
        publish_time: reading.publish_time,
        divergence_bps,
        divergent: divergence_bps > u64::from(config.max_ema_divergence_bps),
    })
}

/// The listing check of a price source: `price_account` must be `config`'s, give a valid price
/// at `now`, and price one base unit of a mint with `decimals` at no more than
/// `MAX_LISTING_UNIT_VALUE_BPS` of a quote unit, at the upper price `max(spot, EMA) + conf`.
pub fn check_listing_price(
    config: &OracleConfig,
    price_account: &AccountInfo,
    decimals: u8,
    now: i64,
) -> Result<()> {
    let reading = read_price(config, price_account)?;
    let price = validate_reading(config, &reading, now)?;
    let upper = price.prices.debt_price().map_math()?;
    let unit = lending_math::health::unit_value(upper, decimals).map_math()?;
    require!(
        unit <= Decimal::from_bps(MAX_LISTING_UNIT_VALUE_BPS),
        LendingError::UnitValueTooHigh
    );
    Ok(())
}
