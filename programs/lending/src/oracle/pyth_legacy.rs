//! Pyth legacy push oracle: v2 price accounts (as `pyth-sdk-solana` reads them), decoded from
//! the documented little-endian layout because that crate does not build on the Solana 3 SDK.
//!
//! Layout (offsets in bytes; `repr(C)` of `pyth_sdk_solana::state::SolanaPriceAccount`):
//!
//! | offset | field | type |
//! |---|---|---|
//! | 0 | magic = 0xa1b2c3d4 | u32 |
//! | 4 | version = 2 | u32 |
//! | 8 | account type = 3 (price) | u32 |
//! | 20 | exponent | i32 |
//! | 48 | EMA price (`Rational.val`) | i64 |
//! | 72 | EMA confidence (`Rational.val`) | i64 |
//! | 96 | timestamp (publish time) | i64 |
//! | 208 | aggregate price | i64 |
//! | 216 | aggregate confidence | u64 |
//! | 224 | aggregate status (1 = Trading) | u32 |
//!
//! Only a `Trading` aggregate is accepted; `pyth-sdk-solana` would fall back to the previous
//! price, which the staleness check would then judge, but a halted feed should not price loans.

use anchor_lang::prelude::*;
use lending_math::price::RawPrice;

use super::PriceReading;
use crate::error::LendingError;

/// Magic number of Pyth accounts.
pub const MAGIC: u32 = 0xa1b2_c3d4;
/// Supported layout version.
pub const VERSION_2: u32 = 2;
/// Account type of price accounts.
pub const ACCOUNT_TYPE_PRICE: u32 = 3;
/// Aggregate status `Trading`.
pub const STATUS_TRADING: u32 = 1;
/// Bytes up to the end of the aggregate price info, the part this decoder reads.
pub const MIN_LEN: usize = 240;

fn u32_at(d: &[u8], o: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&d[o..o + 4]);
    u32::from_le_bytes(b)
}

fn u64_at(d: &[u8], o: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[o..o + 8]);
    u64::from_le_bytes(b)
}

fn i64_at(d: &[u8], o: usize) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[o..o + 8]);
    i64::from_le_bytes(b)
}

/// Decodes a legacy price account.
pub fn decode(data: &[u8]) -> Result<PriceReading> {
    require!(data.len() >= MIN_LEN, LendingError::InvalidOracleData);
    require!(
        u32_at(data, 0) == MAGIC
            && u32_at(data, 4) == VERSION_2
            && u32_at(data, 8) == ACCOUNT_TYPE_PRICE,
        LendingError::InvalidOracleData
    );
    require!(
        u32_at(data, 224) == STATUS_TRADING,
        LendingError::OraclePriceNotTrading
    );
    let ema_conf = i64_at(data, 72);
    require!(ema_conf >= 0, LendingError::InvalidOracleData);
    Ok(PriceReading {
        raw: RawPrice {
            price: i64_at(data, 208),
            conf: u64_at(data, 216),
            ema_price: i64_at(data, 48),
            ema_conf: ema_conf as u64,
            expo: u32_at(data, 20) as i32,
        },
        publish_time: i64_at(data, 96),
    })
}
