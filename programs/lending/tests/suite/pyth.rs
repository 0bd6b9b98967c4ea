//! Real-layout Pyth accounts for tests: `PriceUpdateV2` (pull, owned by the receiver program)
//! and legacy v2 price accounts (owned by the Pyth oracle program).

use anchor_lang::AccountSerialize;
use lending::constants::{PYTH_LEGACY_PROGRAM_MAINNET, PYTH_RECEIVER_PROGRAM};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::pubkey::Pubkey;

/// What a test controls of a price.
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
    /// A Trading, fully verified price of `whole` quote units with 0.1% confidence, expo −8.
    pub fn usd(whole: f64, feed_id: [u8; 32], publish_time: i64) -> Self {
        let price = (whole * 1e8).round() as i64;
        PriceSpec {
            price,
            conf: (price / 1_000) as u64,
            ema_price: price,
            ema_conf: (price / 1_000) as u64,
            expo: -8,
            publish_time,
            verification: VerificationLevel::Full,
            feed_id,
            status: 1,
        }
    }
}

/// A `PriceUpdateV2` account.
pub fn pull_account(spec: &PriceSpec) -> AccountSharedData {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::new_unique(),
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
    let mut data = Vec::new();
    update
        .try_serialize(&mut data)
        .expect("serialize PriceUpdateV2");
    data.resize(PriceUpdateV2::LEN, 0);
    account(data, PYTH_RECEIVER_PROGRAM)
}

/// Size of a legacy v2 price account.
pub const LEGACY_LEN: usize = 3_312;

/// A legacy v2 price account, fields at their documented offsets.
pub fn legacy_bytes(spec: &PriceSpec) -> Vec<u8> {
    let mut d = vec![0u8; LEGACY_LEN];
    let put = |d: &mut Vec<u8>, o: usize, b: &[u8]| d[o..o + b.len()].copy_from_slice(b);
    put(&mut d, 0, &0xa1b2_c3d4u32.to_le_bytes());
    put(&mut d, 4, &2u32.to_le_bytes());
    put(&mut d, 8, &3u32.to_le_bytes());
    put(&mut d, 12, &(LEGACY_LEN as u32).to_le_bytes());
    put(&mut d, 16, &1u32.to_le_bytes());
    put(&mut d, 20, &spec.expo.to_le_bytes());
    put(&mut d, 32, &1u64.to_le_bytes());
    put(&mut d, 40, &1u64.to_le_bytes());
    put(&mut d, 48, &spec.ema_price.to_le_bytes());
    put(&mut d, 56, &spec.ema_price.to_le_bytes());
    put(&mut d, 64, &1i64.to_le_bytes());
    put(&mut d, 72, &(spec.ema_conf as i64).to_le_bytes());
    put(&mut d, 80, &(spec.ema_conf as i64).to_le_bytes());
    put(&mut d, 88, &1i64.to_le_bytes());
    put(&mut d, 96, &spec.publish_time.to_le_bytes());
    put(&mut d, 184, &spec.price.to_le_bytes());
    put(&mut d, 192, &spec.conf.to_le_bytes());
    put(&mut d, 200, &(spec.publish_time - 1).to_le_bytes());
    put(&mut d, 208, &spec.price.to_le_bytes());
    put(&mut d, 216, &spec.conf.to_le_bytes());
    d[224] = spec.status;
    put(&mut d, 232, &1u64.to_le_bytes());
    d
}

/// A legacy price account owned by the mainnet Pyth oracle program.
pub fn legacy_account(spec: &PriceSpec) -> AccountSharedData {
    account(legacy_bytes(spec), PYTH_LEGACY_PROGRAM_MAINNET)
}

/// An account holding `data`, owned by `owner`, rent exempt.
pub fn account(data: Vec<u8>, owner: Pubkey) -> AccountSharedData {
    AccountSharedData::from(Account {
        lamports: 1_000_000_000,
        data,
        owner,
        executable: false,
        rent_epoch: 0,
    })
}
