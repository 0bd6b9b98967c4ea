//! Real-layout Pyth accounts for tests and the simulator: `PriceUpdateV2` (Pyth pull, owned by
//! the receiver program) and v2 legacy price accounts (owned by the Pyth oracle program).

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountSerialize;
use pyth_legacy::LegacyPrice;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

/// Everything a test or a simulation controls of a price.
#[derive(Clone, Copy, Debug)]
pub struct PriceSpec {
    /// Spot mantissa.
    pub price: i64,
    /// Spot confidence.
    pub conf: u64,
    /// EMA mantissa.
    pub ema_price: i64,
    /// EMA confidence.
    pub ema_conf: u64,
    /// Exponent.
    pub expo: i32,
    /// Publish time.
    pub publish_time: i64,
    /// Pull: verification level.
    pub verification: VerificationLevel,
    /// Pull: feed id written into the message.
    pub feed_id: [u8; 32],
    /// Legacy: aggregate status (1 = Trading).
    pub status: u8,
}

impl PriceSpec {
    /// A Trading, fully verified price of `mantissa × 1e-8` quote units with 0.1% confidence.
    pub fn from_mantissa(mantissa: i64, feed_id: [u8; 32], publish_time: i64) -> Self {
        let conf = (mantissa / 1_000).max(0) as u64;
        PriceSpec {
            price: mantissa,
            conf,
            ema_price: mantissa,
            ema_conf: conf,
            expo: -8,
            publish_time,
            verification: VerificationLevel::Full,
            feed_id,
            status: pyth_legacy::STATUS_TRADING,
        }
    }
}

/// Data of a `PriceUpdateV2` account (`PriceUpdateV2::LEN` bytes).
pub fn pull_account_data(spec: &PriceSpec) -> Vec<u8> {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::new_from_array([7; 32]),
        verification_level: spec.verification,
        price_message: PriceFeedMessage {
            feed_id: spec.feed_id,
            price: spec.price,
            conf: spec.conf,
            exponent: spec.expo,
            publish_time: spec.publish_time,
            prev_publish_time: spec.publish_time - 1,
            ema_price: spec.ema_price,
            ema_conf: spec.ema_conf,
        },
        posted_slot: 1,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    if update.try_serialize(&mut data).is_err() {
        return vec![0; PriceUpdateV2::LEN];
    }
    data.resize(PriceUpdateV2::LEN, 0);
    data
}

/// Data of a legacy v2 price account.
pub fn legacy_account_data(spec: &PriceSpec) -> Vec<u8> {
    pyth_legacy::encode(&LegacyPrice {
        price: spec.price,
        conf: spec.conf,
        expo: spec.expo,
        ema_price: spec.ema_price,
        ema_conf: spec.ema_conf,
        publish_time: spec.publish_time,
        status: spec.status,
    })
    .to_vec()
}
