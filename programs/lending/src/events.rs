//! One event per state change, emitted with `emit_cpi!` (a self-CPI whose data a client reads
//! from the transaction's inner instructions; unlike log-based `emit!`, it cannot be truncated
//! and is visible in every runtime). Values are `*_sf` (× 1e18) or token base units.

use anchor_lang::prelude::*;

use crate::state::{MarketParams, OracleParams, ReserveConfig};

/// A market was created.
#[event]
pub struct MarketInitialized {
    /// The market.
    pub market: Pubkey,
    /// Its admin.
    pub admin: Pubkey,
    /// Its parameters.
    pub params: MarketParams,
}

/// Market parameters changed.
#[event]
pub struct MarketUpdated {
    /// The market.
    pub market: Pubkey,
    /// Before.
    pub before: MarketParams,
    /// After.
    pub after: MarketParams,
}

/// The admin proposed a successor (default key = proposal withdrawn).
#[event]
pub struct AdminProposed {
    /// The market.
    pub market: Pubkey,
    /// The current admin.
    pub admin: Pubkey,
    /// The proposed admin.
    pub pending_admin: Pubkey,
}

/// The proposed admin accepted the market.
#[event]
pub struct AdminTransferred {
    /// The market.
    pub market: Pubkey,
    /// The admin before.
    pub before: Pubkey,
    /// The admin after.
    pub after: Pubkey,
}

/// An empty obligation was closed and its rent returned.
#[event]
pub struct ObligationClosed {
    /// The obligation.
    pub obligation: Pubkey,
    /// Its owner, who received the rent.
    pub owner: Pubkey,
    /// Lamports returned.
    pub rent: u64,
}

/// A reserve's insurance floor changed.
#[event]
pub struct InsuranceFloorSet {
    /// The reserve.
    pub reserve: Pubkey,
    /// Floor before (token base units).
    pub before: u64,
    /// Floor after.
    pub after: u64,
}

/// The admin took insurance above the floor out of a reserve.
#[event]
pub struct InsuranceWithdrawn {
    /// The reserve.
    pub reserve: Pubkey,
    /// Tokens paid out.
    pub amount: u64,
    /// Fund before.
    pub insurance_before: u64,
    /// Fund after.
    pub insurance_after: u64,
    /// The floor.
    pub floor: u64,
}

/// A reserve was created and seeded.
#[event]
pub struct ReserveInitialized {
    /// The market.
    pub market: Pubkey,
    /// The reserve.
    pub reserve: Pubkey,
    /// Its mint.
    pub mint: Pubkey,
    /// Seed deposit, whose shares nobody owns (token base units).
    pub seed_amount: u64,
    /// Initial config.
    pub config: ReserveConfig,
    /// Initial oracle settings.
    pub oracle: OracleParams,
    /// The mint's freeze authority, listed because the admin allowed it (default key = none).
    pub freeze_authority: Pubkey,
}

/// A reserve's config changed.
#[event]
pub struct ReserveConfigUpdated {
    /// The reserve.
    pub reserve: Pubkey,
    /// Before.
    pub before: ReserveConfig,
    /// After.
    pub after: ReserveConfig,
    /// Parameters in force before (all zero: volatility adjustment off).
    pub risk_before: crate::state::RiskInForce,
    /// Parameters in force after.
    pub risk_after: crate::state::RiskInForce,
}

/// A reserve's oracle settings changed.
#[event]
pub struct OracleConfigUpdated {
    /// The reserve.
    pub reserve: Pubkey,
    /// Before.
    pub before: OracleParams,
    /// After.
    pub after: OracleParams,
}

/// An obligation was opened.
#[event]
pub struct ObligationInitialized {
    /// The market.
    pub market: Pubkey,
    /// The obligation.
    pub obligation: Pubkey,
    /// Its owner.
    pub owner: Pubkey,
    /// Its id.
    pub id: u16,
}

/// A reserve accrued interest and read its oracle.
#[event]
pub struct ReserveRefreshed {
    /// The reserve.
    pub reserve: Pubkey,
    /// Slot of the read.
    pub slot: u64,
    /// Spot price (× 1e18).
    pub price_sf: u128,
    /// EMA price (× 1e18).
    pub ema_price_sf: u128,
    /// Confidence (× 1e18).
    pub conf_sf: u128,
    /// Publish time of the price.
    pub publish_time: i64,
    /// Borrow index before (× 1e18).
    pub borrow_index_before_sf: u128,
    /// Borrow index after (× 1e18).
    pub borrow_index_after_sf: u128,
    /// Interest accrued (token base units × 1e18).
    pub interest_sf: u128,
    /// Spot–EMA divergence (bps).
    pub divergence_bps: u64,
    /// True when the divergence pauses borrowing and withdrawing.
    pub divergent: bool,
    /// Volatility estimate and parameters in force before (all zero: adjustment off).
    pub risk_before: crate::state::RiskInForce,
    /// Volatility estimate and parameters in force after this price.
    pub risk_after: crate::state::RiskInForce,
}

/// A reserve's pinned oracle was found failing its checks in a slot.
#[event]
pub struct OracleFailureReported {
    /// The reserve.
    pub reserve: Pubkey,
    /// Slot of the finding.
    pub slot: u64,
    /// The check that failed (the `LendingError` code, e.g. 6019 for a stale price).
    pub error_code: u32,
    /// Last valid spot price, which borrows of the reserve keep (× 1e18).
    pub last_price_sf: u128,
    /// Its publish time.
    pub last_publish_time: i64,
    /// Interest accrued (token base units × 1e18).
    pub interest_sf: u128,
}

/// An obligation's values were recomputed.
#[event]
pub struct ObligationRefreshed {
    /// The obligation.
    pub obligation: Pubkey,
    /// Slot.
    pub slot: u64,
    /// Health factor before, from the previous refresh (bps; u64::MAX without debt).
    pub health_factor_before_bps: u64,
    /// Health factor now (bps; u64::MAX without debt).
    pub health_factor_after_bps: u64,
    /// Deposited value (× 1e18).
    pub deposited_value_sf: u128,
    /// Allowed borrow value (× 1e18).
    pub allowed_borrow_value_sf: u128,
    /// Unhealthy borrow value (× 1e18).
    pub unhealthy_borrow_value_sf: u128,
    /// Borrow-factor-adjusted debt value (× 1e18).
    pub bf_adjusted_debt_value_sf: u128,
    /// True when it may be liquidated.
    pub liquidatable: bool,
}

/// Collateral was deposited.
#[event]
pub struct Deposited {
    /// The obligation.
    pub obligation: Pubkey,
    /// The reserve.
    pub reserve: Pubkey,
    /// Tokens moved in (base units).
    pub amount: u64,
    /// Shares credited.
    pub shares: u64,
    /// The position's shares after.
    pub position_shares_after: u64,
    /// Reserve available liquidity before (base units).
    pub available_before: u64,
    /// Reserve available liquidity after (base units).
    pub available_after: u64,
}

/// Collateral was withdrawn.
#[event]
pub struct Withdrawn {
    /// The obligation.
    pub obligation: Pubkey,
    /// The reserve.
    pub reserve: Pubkey,
    /// Tokens moved out (base units).
    pub amount: u64,
    /// Shares burned.
    pub shares: u64,
    /// Allowed borrow value before (× 1e18).
    pub allowed_borrow_value_before_sf: u128,
    /// Conservative adjusted debt value, unchanged by a withdrawal (× 1e18).
    pub bf_adjusted_debt_value_upper_sf: u128,
    /// Reserve available liquidity after (base units).
    pub available_after: u64,
}

/// Liquidity was borrowed.
#[event]
pub struct Borrowed {
    /// The obligation.
    pub obligation: Pubkey,
    /// The reserve.
    pub reserve: Pubkey,
    /// Tokens lent (base units).
    pub amount: u64,
    /// Normalized debt added (× 1e18).
    pub normalized_debt_sf: u128,
    /// Conservative adjusted debt before (× 1e18).
    pub bf_adjusted_debt_value_upper_before_sf: u128,
    /// Allowed borrow value (× 1e18).
    pub allowed_borrow_value_sf: u128,
    /// Reserve available liquidity after (base units).
    pub available_after: u64,
}

/// Debt was repaid.
#[event]
pub struct Repaid {
    /// The obligation.
    pub obligation: Pubkey,
    /// The reserve.
    pub reserve: Pubkey,
    /// Who paid.
    pub payer: Pubkey,
    /// Tokens repaid (base units).
    pub amount: u64,
    /// Normalized debt removed (× 1e18).
    pub normalized_debt_sf: u128,
    /// Debt left in this reserve (token base units × 1e18; `u128::MAX` past it).
    pub remaining_debt_sf: u128,
}

/// An obligation was liquidated.
#[event]
pub struct Liquidated {
    /// Who liquidated.
    pub liquidator: Pubkey,
    /// The obligation.
    pub obligation: Pubkey,
    /// Reserve whose debt was repaid.
    pub repay_reserve: Pubkey,
    /// Reserve whose collateral was seized.
    pub withdraw_reserve: Pubkey,
    /// Debt tokens repaid (base units).
    pub repay_amount: u64,
    /// Their value (quote units × 1e18).
    pub repay_value_sf: u128,
    /// Collateral tokens seized in all (base units).
    pub seize_amount: u64,
    /// Their value (quote units × 1e18).
    pub seize_value_sf: u128,
    /// Collateral tokens due to the liquidator (sent, or their worth credited as shares).
    pub liquidator_amount: u64,
    /// Collateral tokens kept by the protocol (insurance fund, or protocol fees in share payouts without free liquidity).
    pub protocol_fee_amount: u64,
    /// Bonus rate (bps, rounded down).
    pub bonus_bps: u64,
    /// Rule that set the bonus: 0 health ramp, 1 Dutch auction, 2 solvency cap, 3 insolvent, 4 health cap, 5 the pair's lowest (past the close factor to reach the target health).
    pub bonus_source: u8,
    /// True when the close factor did not apply (insolvent or dust).
    pub full_liquidation: bool,
    /// Health factor before (bps).
    pub health_factor_before_bps: u64,
    /// Health factor after (bps; u64::MAX without debt).
    pub health_factor_after_bps: u64,
    /// Debt spot price (× 1e18).
    pub debt_price_sf: u128,
    /// Collateral spot price (× 1e18).
    pub collateral_price_sf: u128,
    /// The liquidator's obligation credited with shares (default key when paid in tokens).
    pub liquidator_obligation: Pubkey,
    /// Supply shares of the collateral reserve credited to it (0 when paid in tokens).
    pub liquidator_shares: u64,
    /// How the largest repayment was set: 0 close factor, 1 target health (within the close factor), 2 past the close factor at the lowest bonus, 3 the whole borrow (insolvent or dust).
    pub sizing: u8,
}

/// Bad debt was written off.
#[event]
pub struct BadDebtSocialized {
    /// The obligation.
    pub obligation: Pubkey,
    /// The reserve.
    pub reserve: Pubkey,
    /// Debt written off (token base units × 1e18; `u128::MAX` past it).
    pub debt_sf: u128,
    /// Tokens taken from the insurance fund.
    pub covered_by_insurance: u64,
    /// Debt socialized to depositors (token base units × 1e18; `u128::MAX` past it).
    pub socialized_sf: u128,
    /// Share value before (× 1e18).
    pub share_value_before_sf: u128,
    /// Share value after (× 1e18).
    pub share_value_after_sf: u128,
    /// Protocol fees taken back: the reserve factor's share of the interest written off (token base units × 1e18).
    pub fees_reversed_sf: u128,
}

/// The admin collected protocol fees from a reserve.
#[event]
pub struct ProtocolFeesCollected {
    /// The reserve.
    pub reserve: Pubkey,
    /// Tokens paid out (base units).
    pub amount: u64,
    /// Fees left in the reserve (token base units × 1e18).
    pub fees_left_sf: u128,
}

/// A reserve's outflow limit changed (`set_outflow_limit`).
#[event]
pub struct OutflowLimitSet {
    /// The reserve.
    pub reserve: Pubkey,
    /// Limit and window before.
    pub before: crate::state::OutflowState,
    /// Limit and window after.
    pub after: crate::state::OutflowState,
    /// Clock of the change (unix seconds).
    pub timestamp: i64,
}

/// A deposit, withdrawal, borrow or repayment moved a limited reserve's outflow window.
/// Emitted only for reserves with an outflow limit; liquidations never move the window.
#[event]
pub struct OutflowRecorded {
    /// The reserve.
    pub reserve: Pubkey,
    /// 0 withdrawal, 1 borrow (outflows); 2 deposit, 3 repayment (inflows).
    pub kind: u8,
    /// Tokens that moved (base units).
    pub amount: u64,
    /// Clock of the action (unix seconds).
    pub timestamp: i64,
    /// Window before.
    pub before: crate::state::OutflowState,
    /// Window after.
    pub after: crate::state::OutflowState,
    /// Estimated net outflow of the sliding window before, rounded up (token base units).
    pub estimate_before: i64,
    /// Estimated net outflow of the sliding window after, rounded up (token base units).
    pub estimate_after: i64,
    /// What may still flow out after (token base units, rounded down).
    pub remaining_after: u64,
}

/// A flash loan was lent (repaid later in the same transaction, see `FlashRepaid`).
#[event]
pub struct FlashBorrowed {
    /// The reserve.
    pub reserve: Pubkey,
    /// The signer who borrowed.
    pub borrower: Pubkey,
    /// Tokens lent (base units).
    pub amount: u64,
    /// Fee due with the repayment at the reserve's current rate (base units).
    pub fee: u64,
    /// Index of this instruction in the transaction (the repayment names it).
    pub instruction_index: u16,
    /// Available liquidity before (base units).
    pub available_before: u64,
    /// Available liquidity after (base units).
    pub available_after: u64,
    /// Supply share value, unchanged by the loan (underlying per share × 1e18).
    pub share_value_sf: u128,
}

/// A flash loan was repaid with its fee.
#[event]
pub struct FlashRepaid {
    /// The reserve.
    pub reserve: Pubkey,
    /// Whoever paid.
    pub payer: Pubkey,
    /// Tokens lent (base units).
    pub amount: u64,
    /// Fee paid on top (base units).
    pub fee: u64,
    /// The protocol's part of the fee, by the reserve factor (token base units × 1e18).
    pub protocol_fee_sf: u128,
    /// Available liquidity before (base units).
    pub available_before: u64,
    /// Available liquidity after (base units).
    pub available_after: u64,
    /// Supply share value before (underlying per share × 1e18).
    pub share_value_before_sf: u128,
    /// Supply share value after: higher by the depositors' part of the fee (× 1e18).
    pub share_value_after_sf: u128,
}

/// The admin changed a reserve's flash-loan settings.
#[event]
pub struct FlashLoanConfigSet {
    /// The reserve.
    pub reserve: Pubkey,
    /// Enabled before.
    pub enabled_before: bool,
    /// Enabled after.
    pub enabled_after: bool,
    /// Fee before (bps).
    pub fee_bps_before: u16,
    /// Fee after (bps).
    pub fee_bps_after: u16,
}

/// An e-mode group was configured or its parameters changed (`set_emode_group`). They apply at
/// once to every obligation in the group, as a reserve's new config does.
#[event]
pub struct EmodeGroupSet {
    /// The market.
    pub market: Pubkey,
    /// The group (1..=16).
    pub group: u8,
    /// Parameters before (all zero: not configured).
    pub before: crate::state::EmodeGroup,
    /// Parameters after.
    pub after: crate::state::EmodeGroup,
}

/// A reserve's e-mode memberships changed (`set_reserve_emode_groups`).
#[event]
pub struct ReserveEmodeGroupsSet {
    /// The reserve.
    pub reserve: Pubkey,
    /// Membership mask before (bit `g − 1` = group `g`).
    pub before: u64,
    /// Membership mask after.
    pub after: u64,
}

/// An obligation joined, left or changed e-mode group (`set_obligation_group`). Without debt no
/// price is read and the value figures are zero.
#[event]
pub struct ObligationGroupSet {
    /// The obligation.
    pub obligation: Pubkey,
    /// Group before (0 = none).
    pub group_before: u8,
    /// Group after (0 = none).
    pub group_after: u8,
    /// Allowed borrow value under the old group's parameters (quote units × 1e18).
    pub allowed_borrow_value_before_sf: u128,
    /// Allowed borrow value under the new group's parameters (quote units × 1e18).
    pub allowed_borrow_value_after_sf: u128,
    /// Unhealthy borrow value under the old group's parameters (quote units × 1e18).
    pub unhealthy_borrow_value_before_sf: u128,
    /// Unhealthy borrow value under the new group's parameters (quote units × 1e18).
    pub unhealthy_borrow_value_after_sf: u128,
    /// Conservative borrow-factor-adjusted debt, the same under both (quote units × 1e18).
    pub bf_adjusted_debt_value_upper_sf: u128,
    /// Health factor before (bps; u64::MAX without debt).
    pub health_factor_before_bps: u64,
    /// Health factor after (bps; u64::MAX without debt).
    pub health_factor_after_bps: u64,
}

/// A reserve's volatility adjustment was configured (`set_volatility_config`).
#[event]
pub struct VolatilityConfigSet {
    /// The reserve.
    pub reserve: Pubkey,
    /// Configuration before (all zero: off).
    pub before: crate::state::VolatilityConfig,
    /// Configuration after.
    pub after: crate::state::VolatilityConfig,
    /// Parameters in force before.
    pub risk_before: crate::state::RiskInForce,
    /// Parameters in force after.
    pub risk_after: crate::state::RiskInForce,
    /// Clock of the change (unix seconds).
    pub timestamp: i64,
}
