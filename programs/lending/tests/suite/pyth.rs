//! Pyth accounts for tests, built by `sentinel-testkit` with their real layouts and owners.

use lending::constants::{PYTH_LEGACY_PROGRAM_MAINNET, PYTH_RECEIVER_PROGRAM};
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::pubkey::Pubkey;

pub use sentinel_testkit::PriceSpec;

/// A Trading, fully verified price of `whole` quote units (0.1% confidence, expo −8).
pub fn usd(whole: f64, feed_id: [u8; 32], publish_time: i64) -> PriceSpec {
    PriceSpec::from_mantissa((whole * 1e8).round() as i64, feed_id, publish_time)
}

/// A `PriceUpdateV2` account owned by the Pyth receiver program.
pub fn pull_account(spec: &PriceSpec) -> AccountSharedData {
    account(
        sentinel_testkit::pull_account_data(spec),
        PYTH_RECEIVER_PROGRAM,
    )
}

/// Data of a legacy v2 price account.
pub fn legacy_bytes(spec: &PriceSpec) -> Vec<u8> {
    sentinel_testkit::legacy_account_data(spec)
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
