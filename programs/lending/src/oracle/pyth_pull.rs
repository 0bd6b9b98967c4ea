//! Pyth pull oracle: `PriceUpdateV2` accounts posted by the Pyth receiver program.
//!
//! The caller has checked the account key (pinned) and owner (receiver program). Here:
//! the Anchor discriminator and layout (through `pyth-solana-receiver-sdk`), `Full`
//! verification (two thirds of the Wormhole guardians), and the feed id.

use anchor_lang::prelude::*;
use anchor_lang::AccountDeserialize;
use lending_math::price::RawPrice;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

use super::PriceReading;
use crate::error::LendingError;

/// Decodes a `PriceUpdateV2` and checks verification and feed id.
pub fn decode(data: &[u8], feed_id: &[u8; 32]) -> Result<PriceReading> {
    let mut bytes: &[u8] = data;
    let update = PriceUpdateV2::try_deserialize(&mut bytes)
        .map_err(|_| error!(LendingError::InvalidOracleData))?;
    require!(
        update.verification_level == VerificationLevel::Full,
        LendingError::OracleNotFullyVerified
    );
    let m = &update.price_message;
    require!(m.feed_id == *feed_id, LendingError::OracleFeedMismatch);
    Ok(PriceReading {
        raw: RawPrice {
            price: m.price,
            conf: m.conf,
            ema_price: m.ema_price,
            ema_conf: m.ema_conf,
            expo: m.exponent,
        },
        publish_time: m.publish_time,
    })
}
