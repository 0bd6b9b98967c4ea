//! `Reserve`: one asset of a market, its liquidity, debt, interest, cached price and risk config.

use anchor_lang::prelude::borsh;
use anchor_lang::prelude::*;
use lending_math::interest::{self, AccrualState, CurvePoint as MathCurvePoint, CURVE_POINTS};
use lending_math::price::Prices;
use lending_math::{shares, Decimal, MathResult};

use super::{OutflowState, ReserveVolatility, Sf};

/// One point of a borrow-rate curve.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct CurvePoint {
    /// Utilization (bps, 0..=10,000).
    pub utilization_bps: u32,
    /// Borrow APR at that utilization (bps).
    pub borrow_rate_bps: u32,
}

/// Risk and interest configuration of a reserve. The same layout is the `init_reserve` /
/// `update_reserve_config` argument (borsh) and the stored form (bytemuck): it has no padding
/// anywhere, so both encodings are the same bytes.
#[zero_copy]
#[derive(Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct ReserveConfig {
    /// Share of collateral value that may be borrowed against (bps).
    pub loan_to_value_bps: u16,
    /// Share of collateral value above which debt becomes liquidatable (bps, > LTV).
    pub liquidation_threshold_bps: u16,
    /// Liquidation bonus when an obligation is first liquidatable (bps).
    pub min_liquidation_bonus_bps: u16,
    /// Largest liquidation bonus (bps); threshold × (1 + max bonus) < 100%.
    pub max_liquidation_bonus_bps: u16,
    /// Share of the liquidation bonus paid to the insurance fund, not the liquidator (bps).
    pub protocol_liquidation_fee_bps: u16,
    /// Share of interest that accrues to the protocol (bps).
    pub reserve_factor_bps: u16,
    /// Risk weight on debt in this asset (bps, ≥ 10,000 = 1×).
    pub borrow_factor_bps: u16,
    /// 1 pauses new borrows from this reserve.
    pub borrow_paused: u8,
    /// 1 pauses withdrawals from this reserve.
    pub withdraw_paused: u8,
    /// Most that depositors may supply (token base units; total supply assets).
    pub deposit_cap: u64,
    /// Most that may be borrowed (token base units; total debt).
    pub borrow_cap: u64,
    /// Borrow-rate curve, piecewise linear, 0%..100% utilization; trailing points repeat the 100% point.
    pub borrow_rate_curve: [CurvePoint; CURVE_POINTS],
}

const _: () = assert!(core::mem::size_of::<ReserveConfig>() == 120);

impl ReserveConfig {
    /// The curve in the math crate's type.
    pub fn curve(&self) -> [MathCurvePoint; CURVE_POINTS] {
        self.borrow_rate_curve.map(|p| MathCurvePoint {
            utilization_bps: p.utilization_bps,
            borrow_rate_bps: p.borrow_rate_bps,
        })
    }
    /// LTV as a fraction.
    pub fn ltv(&self) -> Decimal {
        Decimal::from_bps(u64::from(self.loan_to_value_bps))
    }
    /// Liquidation threshold as a fraction.
    pub fn liquidation_threshold(&self) -> Decimal {
        Decimal::from_bps(u64::from(self.liquidation_threshold_bps))
    }
    /// Borrow factor as a fraction.
    pub fn borrow_factor(&self) -> Decimal {
        Decimal::from_bps(u64::from(self.borrow_factor_bps))
    }
    /// Reserve factor as a fraction.
    pub fn reserve_factor(&self) -> Decimal {
        Decimal::from_bps(u64::from(self.reserve_factor_bps))
    }
}

/// A reserve. PDA `[RESERVE_SEED, market, mint]`.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Reserve {
    /// The market this reserve belongs to.
    pub lending_market: Pubkey,
    /// Token mint of the asset.
    pub mint: Pubkey,
    /// Liquidity vault: PDA `[VAULT_SEED, reserve]`, token account owned by this reserve.
    pub vault: Pubkey,
    /// Its `OracleConfig`.
    pub oracle_config: Pubkey,
    /// Token program of the mint (SPL Token or Token-2022).
    pub token_program: Pubkey,

    /// Liquidity in the vault that belongs to the pool and can be lent or withdrawn (token base units).
    pub available_amount: u64,
    /// Insurance fund held in the vault, not lendable (token base units).
    pub insurance_amount: u64,
    /// Supply shares in issue, including the seed shares nobody owns.
    pub share_supply: u64,
    /// Last interest accrual (unix seconds).
    pub last_accrual_ts: i64,
    /// Slot of the last successful `refresh_reserve` (price read).
    pub price_slot: u64,
    /// Publish time of the cached price (unix seconds).
    pub price_publish_time: i64,

    /// Total normalized debt: Σ borrowed ÷ borrow index at borrow time (token base units × 1e18).
    pub total_normalized_debt_sf: Sf,
    /// Cumulative borrow index, starts at 1 (× 1e18).
    pub borrow_index_sf: Sf,
    /// Interest owed to the protocol, part of the pool's assets but not of depositors' (token base units × 1e18).
    pub protocol_fees_sf: Sf,
    /// Cached spot price (quote units per whole token × 1e18).
    pub price_sf: Sf,
    /// Cached EMA price (quote units per whole token × 1e18).
    pub ema_price_sf: Sf,
    /// Cached confidence, the wider of spot and EMA (quote units × 1e18).
    pub price_conf_sf: Sf,

    /// Risk and interest configuration.
    pub config: ReserveConfig,

    /// Mint decimals.
    pub decimals: u8,
    /// PDA bump of the reserve.
    pub bump: u8,
    /// PDA bump of the vault.
    pub vault_bump: u8,
    /// 1 when the last refresh saw spot and EMA diverge past the oracle bound: borrows and withdrawals pause.
    pub price_divergent: u8,
    /// Layout version.
    pub version: u8,
    /// Reserved for alignment.
    pub _padding0: [u8; 3],
    /// Slot in which `report_oracle_failure` found the pinned oracle failing its checks
    /// (0 = never). For liquidations only, in that slot, deposits of this reserve count as
    /// worth nothing and its debts at their last price made conservative.
    pub price_failed_slot: u64,
    /// Insurance that must stay in the fund: `withdraw_insurance` pays out only what is above
    /// (token base units).
    pub insurance_floor: u64,
    /// Shares of the seed deposit, which nobody owns: while `share_supply` equals them and no
    /// debt exists, the reserve holds no user position.
    pub seed_shares: u64,
    /// Outflow limit and its window (`state/outflow.rs`; all zero = no limit).
    pub outflow: OutflowState,
    /// Volatility estimate and the risk parameters in force (`state/volatility.rs`; all zero =
    /// adjustment off).
    pub volatility: ReserveVolatility,
    /// Reserved for upgrades.
    pub _reserved: [u64; 7],
    /// E-mode groups this reserve is a member of: bit `g − 1` set = member of group `g`
    /// (groups 1..=16; `set_reserve_emode_groups`; 0 = none).
    pub emode_groups: u64,
    /// Flash loan outstanding (token base units): set by `flash_borrow`, cleared by its
    /// `flash_repay` later in the same transaction, so 0 in every committed state. Counted in
    /// the pool's liquidity ([`Reserve::pool_liquidity`]) while out.
    pub flash_loan_amount: u64,
    /// Flash-loan fee (bps of the amount, ≤ `MAX_FLASH_LOAN_FEE_BPS`; 0 = free).
    pub flash_loan_fee_bps: u16,
    /// 1 allows flash loans; 0, the value of every reserve listed before them, refuses them.
    pub flash_loans_enabled: u8,
    /// Reserved for alignment.
    pub _padding1: [u8; 5],
}

const _: () = assert!(core::mem::size_of::<Reserve>() == 688);

impl Reserve {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + core::mem::size_of::<Reserve>();
    /// Current layout version.
    pub const VERSION: u8 = 1;

    /// Total debt `N × I` (token base units, fractional).
    pub fn total_debt(&self) -> MathResult<Decimal> {
        self.total_normalized_debt_sf
            .get()
            .try_mul(self.borrow_index_sf.get())
    }

    /// Total supply assets `A = L + D − F`, `L` the pool's liquidity (a flash loan out included).
    pub fn total_supply_assets(&self) -> MathResult<Decimal> {
        shares::total_supply_assets(
            self.pool_liquidity(),
            self.total_debt()?,
            self.protocol_fees_sf.get(),
        )
    }

    /// Figures for the interest accrual (a flash loan out counts as liquidity: it moves neither
    /// utilization nor the rate).
    pub fn accrual_state(&self) -> AccrualState {
        AccrualState {
            available: self.pool_liquidity(),
            total_normalized_debt: self.total_normalized_debt_sf.get(),
            borrow_index: self.borrow_index_sf.get(),
            protocol_fees: self.protocol_fees_sf.get(),
        }
    }

    /// Accrues interest up to `now` (seconds). A clock that moved backwards accrues nothing.
    /// Returns the interest added (token base units, fractional).
    pub fn accrue_interest(&mut self, now: i64) -> MathResult<Decimal> {
        let elapsed = now.saturating_sub(self.last_accrual_ts).max(0) as u64;
        if elapsed == 0 {
            return Ok(Decimal::zero());
        }
        let a = interest::accrue(
            &self.accrual_state(),
            &self.config.curve(),
            self.config.reserve_factor(),
            elapsed,
        )?;
        self.borrow_index_sf.set(a.borrow_index)?;
        self.protocol_fees_sf.set(a.protocol_fees)?;
        self.last_accrual_ts = now;
        Ok(a.interest)
    }

    /// Cached prices.
    pub fn prices(&self) -> Prices {
        Prices {
            spot: self.price_sf.get(),
            ema: self.ema_price_sf.get(),
            conf: self.price_conf_sf.get(),
        }
    }

    /// True when the cached price was read in `slot`.
    pub fn is_fresh(&self, slot: u64) -> bool {
        self.price_slot == slot
    }

    /// True when no user holds a position: only the seed shares, and no debt.
    pub fn unused(&self) -> bool {
        self.share_supply == self.seed_shares && self.total_normalized_debt_sf.raw() == 0
    }

    /// True when the oracle was found failing in `slot` and no valid price was read since.
    pub fn oracle_failed(&self, slot: u64) -> bool {
        self.price_failed_slot == slot && !self.is_fresh(slot)
    }
}
