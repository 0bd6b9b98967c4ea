//! E-mode groups (klend's elevation groups, Aave's e-mode): the admin defines up to 16 groups
//! of correlated reserves in the market, each with its own LTV, liquidation threshold and
//! liquidation-bonus bounds; an obligation opts into one (`set_obligation_group`), after which
//! every deposit and borrow must be of a member reserve, and members count with the group's
//! parameters instead of their reserves' own (`lending_math::emode`).
//!
//! Layout: the groups live in `LendingMarket.emode_groups` (a fixed array, 8 bytes each, taken
//! from the market's reserved space), each reserve's memberships in `Reserve.emode_groups` (a
//! bitmask), and the obligation's group in `Obligation.emode_group` (one byte of padding). Every
//! instruction that values an obligation already holds the market and the reserves, so no
//! account is added to any instruction.

use anchor_lang::prelude::borsh;
use anchor_lang::prelude::*;
use lending_math::emode::{self, RiskParams};

use super::{LendingMarket, Obligation, Reserve};
use crate::error::LendingError;

/// One e-mode group's parameters: the `set_emode_group` argument (borsh) and the stored form
/// (bytemuck), the same bytes. Not configured while `liquidation_threshold_bps` is 0.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq, borsh::BorshSerialize, borsh::BorshDeserialize)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct EmodeGroup {
    /// Share of a member's collateral value that may be borrowed against (bps, < threshold).
    pub loan_to_value_bps: u16,
    /// Share of a member's collateral value above which debt becomes liquidatable (bps,
    /// ≤ 9,800; 0 = group not configured).
    pub liquidation_threshold_bps: u16,
    /// Liquidation bonus of a pair of members when first liquidatable (bps).
    pub min_liquidation_bonus_bps: u16,
    /// Largest liquidation bonus of a pair of members (bps); threshold × (1 + max bonus) < 100%.
    pub max_liquidation_bonus_bps: u16,
}

const _: () = assert!(core::mem::size_of::<EmodeGroup>() == 8);

impl EmodeGroup {
    /// True once `set_emode_group` has configured it.
    pub fn is_configured(&self) -> bool {
        self.liquidation_threshold_bps != 0
    }

    /// The parameters in the math crate's type.
    pub fn params(&self) -> RiskParams {
        RiskParams {
            ltv_bps: self.loan_to_value_bps,
            liquidation_threshold_bps: self.liquidation_threshold_bps,
            min_bonus_bps: self.min_liquidation_bonus_bps,
            max_bonus_bps: self.max_liquidation_bonus_bps,
        }
    }
}

/// The group an obligation is valued under: its id and parameters (`None`: no group).
pub type ActiveGroup = Option<(u8, RiskParams)>;

impl LendingMarket {
    /// Group `id` (1..=16) as configured, or `None` for id 0. An id out of range or a group
    /// not configured fails with `EmodeGroupNotConfigured`.
    pub fn emode_group(&self, id: u8) -> Result<ActiveGroup> {
        if id == 0 {
            return Ok(None);
        }
        let g = usize::from(id)
            .checked_sub(1)
            .and_then(|i| self.emode_groups.get(i))
            .filter(|g| g.is_configured())
            .ok_or(LendingError::EmodeGroupNotConfigured)?;
        Ok(Some((id, g.params())))
    }

    /// The group `obligation` is in, with its parameters.
    pub fn obligation_group(&self, obligation: &Obligation) -> Result<ActiveGroup> {
        self.emode_group(obligation.emode_group)
    }
}

impl Reserve {
    /// The reserve's own LTV, threshold and bonus bounds in force: the configured ones, or
    /// while the volatility adjustment is on, the ones it set (`state/volatility.rs`).
    pub fn own_risk_params(&self) -> RiskParams {
        if self.volatility_enabled() {
            let f = &self.volatility.in_force;
            return RiskParams {
                ltv_bps: f.loan_to_value_bps,
                liquidation_threshold_bps: f.liquidation_threshold_bps,
                min_bonus_bps: f.min_liquidation_bonus_bps,
                max_bonus_bps: self.config.max_liquidation_bonus_bps,
            };
        }
        self.configured_risk_params()
    }

    /// The reserve's configured LTV, threshold and bonus bounds.
    pub fn configured_risk_params(&self) -> RiskParams {
        RiskParams {
            ltv_bps: self.config.loan_to_value_bps,
            liquidation_threshold_bps: self.config.liquidation_threshold_bps,
            min_bonus_bps: self.config.min_liquidation_bonus_bps,
            max_bonus_bps: self.config.max_liquidation_bonus_bps,
        }
    }

    /// The parameters a position of this reserve counts with in an obligation of `group`: the
    /// group's when the reserve is a member, its own otherwise.
    pub fn risk_params(&self, group: ActiveGroup) -> RiskParams {
        emode::effective(self.own_risk_params(), self.emode_groups, group)
    }

    /// True when the reserve is a member of group `id` (never for id 0).
    pub fn in_emode_group(&self, id: u8) -> bool {
        emode::is_member(self.emode_groups, id)
    }

    /// Requires that an obligation of group `id` may open or add to a position in this reserve:
    /// any reserve without a group, a member within one.
    pub fn require_emode_member(&self, id: u8) -> Result<()> {
        require!(
            id == 0 || self.in_emode_group(id),
            LendingError::EmodeReserveNotInGroup
        );
        Ok(())
    }
}
