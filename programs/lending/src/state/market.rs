//! `LendingMarket`: the root of trust. Every reserve and obligation links to one market.

use anchor_lang::prelude::*;

/// Market-wide parameters, as passed to `init_market` and `update_market`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct MarketParams {
    /// Share of an obligation's debt value a liquidator may repay in one call (bps, 1..=10,000; klend and Save use 2,000).
    pub close_factor_bps: u16,
    /// LTV (debt / collateral at spot, no borrow factor) at or above which the close factor becomes 100% (bps).
    pub insolvency_ltv_bps: u16,
    /// Health factor a liquidation lifts the obligation to, and no further (bps, 10,100..=15,000; 0 = off, the close factor alone sizes liquidations). Where the close factor cannot reach it, one liquidation may go past the close factor at the pair's lowest bonus.
    pub target_health_bps: u16,
    /// Duration of the liquidation-bonus Dutch auction, from min to max bonus (seconds, > 0).
    pub liquidation_auction_secs: u32,
    /// A borrow worth less than this must be repaid in full by a liquidator (whole quote units, e.g. 2 = $2).
    pub dust_threshold_value: u64,
    /// Pauses new borrows market-wide (repay and liquidate keep working).
    pub borrow_paused: bool,
    /// Pauses withdrawals market-wide.
    pub withdraw_paused: bool,
}

/// A lending market. Created by its admin as a keypair account.
#[account(zero_copy)]
#[derive(Debug)]
pub struct LendingMarket {
    /// May create reserves and change configuration.
    pub admin: Pubkey,
    /// Quote currency of all values, ASCII, zero padded (e.g. "USD").
    pub quote_currency: [u8; 32],
    /// See `MarketParams::dust_threshold_value` (whole quote units).
    pub dust_threshold_value: u64,
    /// Number of reserves created in this market.
    pub reserves_count: u64,
    /// See `MarketParams::liquidation_auction_secs` (seconds).
    pub liquidation_auction_secs: u32,
    /// See `MarketParams::close_factor_bps` (bps).
    pub close_factor_bps: u16,
    /// See `MarketParams::insolvency_ltv_bps` (bps).
    pub insolvency_ltv_bps: u16,
    /// 1 when new borrows are paused.
    pub borrow_paused: u8,
    /// 1 when withdrawals are paused.
    pub withdraw_paused: u8,
    /// Layout version.
    pub version: u8,
    /// Reserved for alignment.
    pub _padding1: u8,
    /// See `MarketParams::target_health_bps` (bps; 0 in markets created before it: off).
    pub target_health_bps: u16,
    /// Reserved for alignment.
    pub _padding0: [u8; 2],
    /// Proposed next admin, who must accept (default key = none).
    pub pending_admin: Pubkey,
    /// Reserved for upgrades.
    pub _reserved: [u64; 12],
    /// E-mode groups: entry `g − 1` is group `g` (1..=16); an entry with a zero liquidation
    /// threshold is not configured (`set_emode_group`, `state/emode.rs`).
    pub emode_groups: [crate::state::EmodeGroup; crate::constants::MAX_EMODE_GROUPS],
}

const _: () = assert!(core::mem::size_of::<LendingMarket>() == 352);

impl LendingMarket {
    /// Account size including the 8-byte discriminator.
    pub const SPACE: usize = 8 + core::mem::size_of::<LendingMarket>();
    /// Current layout version.
    pub const VERSION: u8 = 1;

    /// Writes validated parameters.
    pub fn apply(&mut self, p: &MarketParams) {
        self.close_factor_bps = p.close_factor_bps;
        self.insolvency_ltv_bps = p.insolvency_ltv_bps;
        self.target_health_bps = p.target_health_bps;
        self.liquidation_auction_secs = p.liquidation_auction_secs;
        self.dust_threshold_value = p.dust_threshold_value;
        self.borrow_paused = u8::from(p.borrow_paused);
        self.withdraw_paused = u8::from(p.withdraw_paused);
    }

    /// Longest gap between two sightings of an obligation as liquidatable that still counts as
    /// one episode for the auction clock: a twentieth of the auction, at least 10 s (30 s for a
    /// 10-minute auction). Keepers see a liquidatable obligation every few seconds; a longer
    /// silence may hide a recovery, so a sighting from an earlier dip can pre-age a new
    /// auction by at most 5% of its range (seconds).
    pub fn episode_gap_secs(&self) -> i64 {
        i64::from(self.liquidation_auction_secs / 20).max(10)
    }

    /// The parameters as an argument struct (for events).
    pub fn params(&self) -> MarketParams {
        MarketParams {
            close_factor_bps: self.close_factor_bps,
            insolvency_ltv_bps: self.insolvency_ltv_bps,
            target_health_bps: self.target_health_bps,
            liquidation_auction_secs: self.liquidation_auction_secs,
            dust_threshold_value: self.dust_threshold_value,
            borrow_paused: self.borrow_paused != 0,
            withdraw_paused: self.withdraw_paused != 0,
        }
    }
}
