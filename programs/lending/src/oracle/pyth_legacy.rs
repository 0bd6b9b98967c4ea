//! Pyth legacy push oracle: v2 price accounts, decoded by the `pyth-legacy` crate (checked
//! against `pyth-sdk-solana` in `crates/pyth-legacy-check`).
//!
//! Only a `Trading` aggregate is accepted: `pyth-sdk-solana` would fall back to the previous
//! price, but a halted or auctioning feed should not price loans.

use anchor_lang::prelude::*;
use lending_math::price::RawPrice;

use super::PriceReading;
use crate::error::LendingError;

/// Decodes a legacy price account and requires a Trading aggregate.
pub fn decode(data: &[u8]) -> Result<PriceReading> {
    let p = pyth_legacy::decode(data).map_err(|e| {
        msg!("legacy price account: {:?}", e);
        error!(LendingError::InvalidOracleData)
    })?;
    require!(p.is_trading(), LendingError::OraclePriceNotTrading);
    Ok(PriceReading {
        raw: RawPrice {
            price: p.price,
            conf: p.conf,
            ema_price: p.ema_price,
            ema_conf: p.ema_conf,
            expo: p.expo,
        },
        publish_time: p.publish_time,
    })
}
