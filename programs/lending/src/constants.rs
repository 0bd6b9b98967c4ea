//! Seeds, limits and defaults. Precision is in every name or comment.

use anchor_lang::prelude::*;

/// Seed of a reserve PDA: `[RESERVE_SEED, market, mint]`.
#[constant]
pub const RESERVE_SEED: &[u8] = b"reserve";
/// Seed of a reserve's liquidity vault: `[VAULT_SEED, reserve]`.
#[constant]
pub const VAULT_SEED: &[u8] = b"vault";
/// Seed of a reserve's oracle config: `[ORACLE_CONFIG_SEED, reserve]`.
#[constant]
pub const ORACLE_CONFIG_SEED: &[u8] = b"oracle";
/// Seed of an obligation: `[OBLIGATION_SEED, market, owner, id (u16 LE)]`.
#[constant]
pub const OBLIGATION_SEED: &[u8] = b"obligation";

/// Deposit positions per obligation.
pub const MAX_DEPOSITS: usize = 8;
/// Borrow positions per obligation.
pub const MAX_BORROWS: usize = 5;

/// Smallest seed deposit at reserve creation, in token base units.
#[constant]
pub const MIN_SEED_DEPOSIT: u64 = 1_000;

/// 100% in basis points.
pub const BPS: u16 = 10_000;
/// Highest accepted borrow factor: 1,000% (bps).
pub const MAX_BORROW_FACTOR_BPS: u16 = 50_000;
/// Highest accepted oracle max age: one day (seconds).
pub const MAX_ORACLE_AGE_SECS: u32 = 86_400;
/// How far ahead of the cluster clock a publish time may be (seconds). Clocks drift by seconds;
/// a price dated further ahead would set the publish-time floor in the future and make every
/// honest update until then look like a regression (an oracle denial of service).
pub const MAX_FUTURE_PUBLISH_SECS: i64 = 30;

/// Market parameter bounds (`update_market`, `init_market`), each refused with its own error.
/// Close factor: 5%..=100% (bps); below, a cascade cannot be unwound in time.
pub const MIN_CLOSE_FACTOR_BPS: u16 = 500;
/// Insolvency LTV: 80%..=100% (bps); below, healthy-looking positions would be closed in full.
pub const MIN_INSOLVENCY_LTV_BPS: u16 = 8_000;
/// Target health factor of a liquidation: 0 (off: the close factor alone) or 1.01..=1.50
/// (bps); a target at 1 would leave a liquidated position one price tick from the next
/// liquidation, and past 1.5 a liquidation would take far more than the shortfall.
pub const MIN_TARGET_HEALTH_BPS: u16 = 10_100;
/// See `MIN_TARGET_HEALTH_BPS`.
pub const MAX_TARGET_HEALTH_BPS: u16 = 15_000;
/// Liquidation auction: 10 s..=1 day.
pub const MIN_AUCTION_SECS: u32 = 10;
/// See `MIN_AUCTION_SECS`.
pub const MAX_AUCTION_SECS: u32 = 86_400;
/// Dust threshold: at most 1,000 quote units.
pub const MAX_DUST_THRESHOLD_VALUE: u64 = 1_000;
/// Largest value of one base unit of a mint at listing, at its upper price `max(spot, EMA) +
/// conf` (bps of one quote unit: 100 = $0.01). Liquidation sizing rounds the repayment up by at
/// most one debt unit and the seizure down by at most one collateral unit; this bound keeps that
/// loss to cents for mints with few decimals and a high price (audit finding 8). The same bound
/// limits the minimum seizure and the closing tolerance of a liquidation.
pub const MAX_LISTING_UNIT_VALUE_BPS: u64 = lending_math::liquidation::MAX_ROUNDING_UNIT_VALUE_BPS;

/// Pyth's legacy push oracle program on mainnet-beta and pythnet.
pub const PYTH_LEGACY_PROGRAM_MAINNET: Pubkey =
    pubkey!("FsJ3A3u2vn5cTVofAjvy6y5kwABJAqYWpe4975bi2epH");
/// Pyth's legacy push oracle program on devnet.
pub const PYTH_LEGACY_PROGRAM_DEVNET: Pubkey =
    pubkey!("gSbePebfvPy7tRqimPoVecS2UsBvYv46ynrzWocc92s");
/// The legacy Pyth program this build accepts: mainnet's, or devnet's when built with the
/// `devnet` feature. One build never accepts both, so a devnet price account (whose prices
/// anyone can move) cannot be pinned on mainnet.
#[cfg(not(feature = "devnet"))]
pub const PYTH_LEGACY_PROGRAM: Pubkey = PYTH_LEGACY_PROGRAM_MAINNET;
/// See above.
#[cfg(feature = "devnet")]
pub const PYTH_LEGACY_PROGRAM: Pubkey = PYTH_LEGACY_PROGRAM_DEVNET;

/// Pyth's pull receiver program (owner of `PriceUpdateV2` accounts).
pub const PYTH_RECEIVER_PROGRAM: Pubkey = pyth_solana_receiver_sdk::ID;

/// Number of e-mode groups a market holds (ids 1..=16; 0 = no group).
pub const MAX_EMODE_GROUPS: usize = lending_math::emode::MAX_GROUPS as usize;
