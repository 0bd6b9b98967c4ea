//! `OracleConfig`: which price account a reserve trusts, and how much.

use anchor_lang::prelude::*;

/// Kinds of oracle accounts the program reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum OracleKind {
    /// Pyth pull oracle: a `PriceUpdateV2` owned by the Pyth receiver program.
    PythPull,
    /// Pyth legacy push oracle: a v2 price account owned by the Pyth oracle program.
    PythLegacy,
}

impl OracleKind {
    /// Decodes the stored byte.
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(OracleKind::PythPull),
            1 => Some(OracleKind::PythLegacy),
            _ => None,
        }
    }
}

/// Oracle settings, as passed to `init_reserve` and `update_oracle_config`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct OracleParams {
    /// Oracle kind.
    pub kind: OracleKind,
    /// The pinned price account: a Pyth sponsored price feed account (pull) or price account (legacy).
    pub price_account: Pubkey,
    /// Pyth feed id (pull); ignored for legacy accounts.
    pub feed_id: [u8; 32],
    /// A price older than this is refused (seconds, 1..=86,400).
    pub max_age_secs: u32,
    /// Largest accepted confidence / price (bps, 1..=10,000).
    pub max_confidence_bps: u16,
    /// Spot–EMA divergence above which borrowing and withdrawing from the reserve pause (bps, 1..=10,000).
    pub max_ema_divergence_bps: u16,
}

/// Per-reserve oracle configuration. PDA `[ORACLE_CONFIG_SEED, reserve]`.
#[account(zero_copy)]
#[derive(Debug)]
pub struct OracleConfig {
    /// The reserve this config prices.
    pub reserve: Pubkey,
    /// The pinned price account.
    pub price_account: Pubkey,
    /// Pyth feed id (pull).
    pub feed_id: [u8; 32],
    /// Newest publish time accepted so far (unix seconds); a price may never be older.
    pub last_publish_time: i64,
    /// Maximum price age (seconds).
    pub max_age_secs: u32,
    /// Maximum confidence ratio (bps).
    pub max_confidence_bps: u16,
    /// Maximum spot–EMA divergence for risk-increasing actions (bps).
    pub max_ema_divergence_bps: u16,
    /// `OracleKind` as u8.
    pub kind: u8,
    /// PDA bump.
    pub bump: u8,
    /// Reserved for alignment.
    pub _padding0: [u8; 6],
    /// Reserved for upgrades.
    pub _reserved: [u64; 8],
}

const _: () = assert!(core::mem::size_of::<OracleConfig>() == 184);

impl OracleConfig {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + core::mem::size_of::<OracleConfig>();

    /// Writes validated parameters.
    pub fn apply(&mut self, p: &OracleParams) {
        self.kind = p.kind as u8;
        self.price_account = p.price_account;
        self.feed_id = p.feed_id;
        self.max_age_secs = p.max_age_secs;
        self.max_confidence_bps = p.max_confidence_bps;
        self.max_ema_divergence_bps = p.max_ema_divergence_bps;
    }
}
