//! `ReserveVolatility`: a reserve's realised-volatility estimate and the risk parameters in
//! force that follow it, stored in the `Reserve` (taken from its reserved space, so no account
//! changes size). The estimator, its bias and the response are documented in
//! `lending_math::volatility` and `lending_math::volatility::response`.
//!
//! Who writes it:
//! - `refresh_reserve` (and the keeper on its copies, through `operations::refresh::apply_price`)
//!   samples the validated spot price of a new print at the clock's time, then recomputes the
//!   parameters;
//! - `set_volatility_config` and `update_reserve_config` recompute them without a price.
//!
//! Who reads it: [`Reserve::own_risk_params`] (every valuation, borrow, withdrawal, liquidation
//! and the keeper's book) and [`Reserve::borrow_cap_in_force`]. With the adjustment off they are
//! the configured parameters, and nothing here is read.
//!
//! E-mode: members of an obligation's group count with the group's parameters, which the
//! adjustment leaves as they are. A group is a set of assets that move together; the volatility
//! of each against the quote currency says little about the pair's risk.

use anchor_lang::prelude::borsh;
use anchor_lang::prelude::*;
use lending_math::volatility::response::{
    respond, BaseParams, Response, ThresholdPath, VolatilityConfig as MathConfig,
};
use lending_math::volatility::{observe, VolatilityState};
use lending_math::{Decimal, MathResult};

use super::{Reserve, Sf};

/// How a reserve's parameters follow its volatility: the `set_volatility_config` argument
/// (borsh) and the stored form (bytemuck), the same bytes. All zero: off.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct VolatilityConfig {
    /// Half-life of the estimate (seconds, ≤ 30 days; 0 = adjustment off).
    pub half_life_secs: u32,
    /// Annualised volatility up to which the configured parameters apply (bps of σ).
    pub calm_vol_bps: u32,
    /// Annualised volatility at which the parameters reach their stressed bounds (bps of σ,
    /// > calm, ≤ 100,000).
    pub stress_vol_bps: u32,
    /// LTV at full stress (bps, ≤ the configured LTV).
    pub ltv_floor_bps: u16,
    /// Liquidation threshold the target reaches at full stress (bps, > LTV floor, ≤ the
    /// configured threshold).
    pub threshold_floor_bps: u16,
    /// Borrow cap at full stress, as a share of the configured cap (bps, ≤ 10,000).
    pub borrow_cap_floor_bps: u16,
    /// Minimum liquidation bonus at full stress (bps, ≤ the maximum bonus; at or below the
    /// configured minimum bonus, the minimum bonus does not move).
    pub min_bonus_ceiling_bps: u16,
    /// Fastest tightening of the threshold in force (bps of 1 per hour, ≤ 10,000; 0 = never).
    pub threshold_rate_bps_per_hour: u32,
}

const _: () = assert!(core::mem::size_of::<VolatilityConfig>() == 24);

impl VolatilityConfig {
    /// The configuration in the math crate's type.
    pub fn math(&self) -> MathConfig {
        MathConfig {
            half_life_secs: self.half_life_secs,
            calm_vol_bps: self.calm_vol_bps,
            stress_vol_bps: self.stress_vol_bps,
            ltv_floor_bps: self.ltv_floor_bps,
            threshold_floor_bps: self.threshold_floor_bps,
            borrow_cap_floor_bps: self.borrow_cap_floor_bps,
            min_bonus_ceiling_bps: self.min_bonus_ceiling_bps,
            threshold_rate_bps_per_hour: self.threshold_rate_bps_per_hour,
        }
    }
}

/// The risk parameters in force and the estimate behind them (what the account and the
/// `ReserveRefreshed` / `VolatilityConfigSet` events expose; all zero while the adjustment is
/// off, when the configured parameters apply).
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct RiskInForce {
    /// Borrow cap in force (token base units; total debt).
    pub borrow_cap: u64,
    /// Annualised volatility estimate `σ` (bps, rounded down).
    pub volatility_bps: u32,
    /// Stress fraction `φ` (bps of 1, rounded up).
    pub stress_bps: u32,
    /// LTV in force, for new borrows and withdrawals (bps).
    pub loan_to_value_bps: u16,
    /// Liquidation threshold in force (bps).
    pub liquidation_threshold_bps: u16,
    /// Where the threshold in force is heading (bps).
    pub target_liquidation_threshold_bps: u16,
    /// Minimum liquidation bonus in force (bps).
    pub min_liquidation_bonus_bps: u16,
}

const _: () = assert!(core::mem::size_of::<RiskInForce>() == 24);

impl RiskInForce {
    fn from_response(r: &Response) -> RiskInForce {
        RiskInForce {
            borrow_cap: r.borrow_cap,
            volatility_bps: r.volatility_bps,
            stress_bps: r.stress_bps,
            loan_to_value_bps: r.ltv_bps,
            liquidation_threshold_bps: r.threshold_bps,
            target_liquidation_threshold_bps: r.target_threshold_bps,
            min_liquidation_bonus_bps: r.min_bonus_bps,
        }
    }
}

/// A reserve's volatility configuration, estimator state and parameters in force (all zero:
/// off, the state of every reserve listed before the adjustment).
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct ReserveVolatility {
    /// Configuration (`set_volatility_config`).
    pub config: VolatilityConfig,
    /// Spot price of the last sample (quote units per whole token × 1e18; 0 = no sample yet).
    pub sample_price_sf: Sf,
    /// Clock time of the last sample (unix seconds).
    pub sample_ts: i64,
    /// Estimated variance per year `V = σ²` (a fraction × 1e18).
    pub variance_sf: Sf,
    /// Liquidation threshold in force, unrounded (a fraction × 1e18).
    pub threshold_sf: Sf,
    /// Time of the last recomputation (unix seconds).
    pub threshold_ts: i64,
    /// Parameters in force.
    pub in_force: RiskInForce,
}

const _: () = assert!(core::mem::size_of::<ReserveVolatility>() == 112);

impl ReserveVolatility {
    /// The estimator's state in the math crate's type.
    pub fn estimator(&self) -> VolatilityState {
        VolatilityState {
            sample_price: self.sample_price_sf.get(),
            sample_ts: self.sample_ts,
            variance: self.variance_sf.get(),
        }
    }

    /// Where the threshold in force is and heads.
    pub fn path(&self) -> ThresholdPath {
        ThresholdPath {
            in_force: self.threshold_sf.get(),
            target_bps: self.in_force.target_liquidation_threshold_bps,
            ts: self.threshold_ts,
        }
    }
}

impl Reserve {
    /// True when the reserve's parameters follow its volatility.
    pub fn volatility_enabled(&self) -> bool {
        self.volatility.config.half_life_secs != 0
    }

    /// The configured parameters the adjustment starts from.
    pub fn base_params(&self) -> BaseParams {
        BaseParams {
            ltv_bps: self.config.loan_to_value_bps,
            threshold_bps: self.config.liquidation_threshold_bps,
            min_bonus_bps: self.config.min_liquidation_bonus_bps,
            max_bonus_bps: self.config.max_liquidation_bonus_bps,
            borrow_cap: self.config.borrow_cap,
        }
    }

    /// Most total debt new borrows may reach (token base units): the configured cap, shrunk by
    /// stress while the adjustment is on.
    pub fn borrow_cap_in_force(&self) -> u64 {
        if self.volatility_enabled() {
            self.volatility.in_force.borrow_cap
        } else {
            self.config.borrow_cap
        }
    }

    /// Starts the adjustment at `now` with `config` (it was off): the current cached price is
    /// the first sample (at `now`), the estimate starts at the calm level (so at no stress),
    /// and the threshold in force at the configured one.
    pub fn start_volatility(&mut self, config: VolatilityConfig, now: i64) -> MathResult<()> {
        let calm = Decimal::from_bps(u64::from(config.calm_vol_bps));
        let mut v = ReserveVolatility {
            config,
            sample_price_sf: self.price_sf,
            sample_ts: now,
            ..ReserveVolatility::default()
        };
        v.variance_sf.set(calm.try_mul(calm)?)?;
        let path = ThresholdPath::start(self.config.liquidation_threshold_bps, now);
        v.threshold_sf.set(path.in_force)?;
        v.threshold_ts = path.ts;
        v.in_force.target_liquidation_threshold_bps = path.target_bps;
        self.volatility = v;
        self.update_volatility(None, now)
    }

    /// Samples `observed` (a spot price) at clock time `now` when given, then recomputes the
    /// parameters in force at `now`. Nothing happens while the adjustment is off.
    pub fn update_volatility(&mut self, observed: Option<Decimal>, now: i64) -> MathResult<()> {
        if !self.volatility_enabled() {
            return Ok(());
        }
        let config = self.volatility.config.math();
        let mut state = self.volatility.estimator();
        if let Some(price) = observed {
            state = observe(&state, price, now, u64::from(config.half_life_secs))?;
        }
        let (path, response) = respond(
            &config,
            &self.base_params(),
            &state,
            &self.volatility.path(),
            now,
        )?;
        let v = &mut self.volatility;
        v.sample_price_sf.set(state.sample_price)?;
        v.sample_ts = state.sample_ts;
        v.variance_sf.set(state.variance)?;
        v.threshold_sf.set(path.in_force)?;
        v.threshold_ts = path.ts;
        v.in_force = RiskInForce::from_response(&response);
        Ok(())
    }
}
