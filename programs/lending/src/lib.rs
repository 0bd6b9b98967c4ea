//! Sentinel: an over-collateralised lending market on Solana.
//!
//! Accounts: `LendingMarket` (root of trust, admin, market-wide risk parameters) → `Reserve`
//! per mint (liquidity vault, interest, cached Pyth price, risk config) with its `OracleConfig`
//! → `Obligation` per user (up to 8 deposits and 5 borrows).
//!
//! Flow: `refresh_reserve` for each reserve an obligation uses, then `refresh_obligation`, then
//! `borrow` / `withdraw` / `liquidate` in the same slot. `deposit` and `repay` need no fresh price.
//! The money math lives in the `lending-math` crate, shared with the keeper.

#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod operations;
pub mod oracle;
pub mod state;
pub mod utils;

use instructions::*;
use state::{EmodeGroup, MarketParams, OracleParams, ReserveConfig, VolatilityConfig};

declare_id!("3SKTZjUFnyEnqxpYYo1p7pXyT5cEWPkyHGCaFpb84aPx");

/// The Sentinel lending program.
#[program]
pub mod lending {
    use super::*;

    /// Creates a lending market administered by the signer.
    pub fn init_market(
        ctx: Context<InitMarket>,
        quote_currency: [u8; 32],
        params: MarketParams,
    ) -> Result<()> {
        instructions::admin::init_market::handler(ctx, quote_currency, params)
    }

    /// Changes market-wide parameters (admin).
    pub fn update_market(ctx: Context<UpdateMarket>, params: MarketParams) -> Result<()> {
        instructions::admin::update_market::handler(ctx, params)
    }

    /// Proposes a new market admin, who must accept; the default key withdraws the proposal (admin).
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::admin::propose_admin::handler(ctx, new_admin)
    }

    /// Makes the proposed admin the market admin (signed by the proposed admin).
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::admin::accept_admin::handler(ctx)
    }

    /// Lists a mint: creates its reserve, vault and oracle config and makes the seed deposit; a mint with a freeze authority needs `allow_freeze_authority` (admin).
    pub fn init_reserve(
        ctx: Context<InitReserve>,
        config: ReserveConfig,
        oracle: OracleParams,
        seed_amount: u64,
        allow_freeze_authority: bool,
    ) -> Result<()> {
        instructions::admin::init_reserve::handler(
            ctx,
            config,
            oracle,
            seed_amount,
            allow_freeze_authority,
        )
    }

    /// Changes a reserve's risk and interest configuration (admin).
    pub fn update_reserve_config(
        ctx: Context<UpdateReserveConfig>,
        config: ReserveConfig,
    ) -> Result<()> {
        instructions::admin::update_reserve_config::handler(ctx, config)
    }

    /// Changes a reserve's oracle source and bounds (admin).
    pub fn update_oracle_config(
        ctx: Context<UpdateOracleConfig>,
        params: OracleParams,
    ) -> Result<()> {
        instructions::admin::update_oracle_config::handler(ctx, params)
    }

    /// Opens an obligation for the signing owner.
    pub fn init_obligation(ctx: Context<InitObligation>, id: u16) -> Result<()> {
        instructions::user::init_obligation::handler(ctx, id)
    }

    /// Closes an obligation without positions and returns its rent to the owner.
    pub fn close_obligation(ctx: Context<CloseObligation>) -> Result<()> {
        instructions::user::close_obligation::handler(ctx)
    }

    /// Accrues a reserve's interest and reads its oracle (permissionless).
    pub fn refresh_reserve(ctx: Context<RefreshReserve>) -> Result<()> {
        instructions::keeper::refresh_reserve::handler(ctx)
    }

    /// Records that a reserve's pinned oracle fails its checks in this slot, for liquidations (permissionless).
    pub fn report_oracle_failure(ctx: Context<ReportOracleFailure>) -> Result<()> {
        instructions::keeper::report_oracle_failure::handler(ctx)
    }

    /// Recomputes an obligation's values; remaining accounts: its deposit then borrow reserves, in order (permissionless).
    pub fn refresh_obligation<'info>(ctx: Context<'info, RefreshObligation<'info>>) -> Result<()> {
        instructions::keeper::refresh_obligation::handler(ctx)
    }

    /// Deposits tokens as collateral.
    pub fn deposit(ctx: Context<Deposit>, amount: u64) -> Result<()> {
        instructions::user::deposit::handler(ctx, amount)
    }

    /// Withdraws collateral; `u64::MAX` withdraws the whole position.
    pub fn withdraw(ctx: Context<Withdraw>, amount: u64) -> Result<()> {
        instructions::user::withdraw::handler(ctx, amount)
    }

    /// Borrows liquidity against the obligation's collateral.
    pub fn borrow(ctx: Context<Borrow>, amount: u64) -> Result<()> {
        instructions::user::borrow::handler(ctx, amount)
    }

    /// Repays debt of any obligation; `u64::MAX` repays all of it.
    pub fn repay(ctx: Context<Repay>, amount: u64) -> Result<()> {
        instructions::user::repay::handler(ctx, amount)
    }

    /// Repays an unhealthy obligation's debt for its collateral plus a bonus (permissionless): at most `repay_amount` (`u64::MAX`: the most allowed; a request past the limit repays the limit), for at least `min_collateral_out` of collateral.
    pub fn liquidate(
        ctx: Context<Liquidate>,
        repay_amount: u64,
        min_collateral_out: u64,
    ) -> Result<()> {
        instructions::keeper::liquidate::handler(ctx, repay_amount, min_collateral_out)
    }

    /// Writes off the debt of an obligation that has no collateral left: insurance fund first, then depositors (permissionless).
    pub fn socialize_bad_debt(ctx: Context<SocializeBadDebt>) -> Result<()> {
        instructions::keeper::socialize_bad_debt::handler(ctx)
    }

    /// Sets how much of a reserve's insurance fund must stay in it (token base units; admin).
    pub fn set_insurance_floor(ctx: Context<SetInsuranceFloor>, floor: u64) -> Result<()> {
        instructions::admin::set_insurance_floor::handler(ctx, floor)
    }

    /// Pays out insurance above the reserve's floor; `u64::MAX` = all of it (admin).
    pub fn withdraw_insurance(ctx: Context<WithdrawInsurance>, amount: u64) -> Result<()> {
        instructions::admin::withdraw_insurance::handler(ctx, amount)
    }

    /// Pays out the protocol's accrued interest fees of a reserve; `u64::MAX` = all the liquidity allows (admin).
    pub fn collect_protocol_fees(ctx: Context<CollectProtocolFees>, amount: u64) -> Result<()> {
        instructions::admin::collect_protocol_fees::handler(ctx, amount)
    }

    /// Sets a reserve's cap on net outflow per window (token base units, seconds; `0, 0` = off; admin).
    pub fn set_outflow_limit(
        ctx: Context<SetOutflowLimit>,
        cap: u64,
        window_secs: u64,
    ) -> Result<()> {
        instructions::admin::set_outflow_limit::handler(ctx, cap, window_secs)
    }

    /// Sets how a reserve's LTV, borrow cap, minimum liquidation bonus and liquidation threshold follow its measured volatility (all zero = off; admin).
    pub fn set_volatility_config(
        ctx: Context<SetVolatilityConfig>,
        config: VolatilityConfig,
    ) -> Result<()> {
        instructions::admin::set_volatility_config::handler(ctx, config)
    }

    /// Lends `amount` of a reserve's available liquidity for the rest of the transaction: a later top-level `flash_repay` must name this instruction's index, for the same reserve and amount, with no other `flash_borrow` before it; not callable through CPI (anyone).
    pub fn flash_borrow(ctx: Context<FlashBorrow>, amount: u64) -> Result<()> {
        instructions::flash::flash_borrow::handler(ctx, amount)
    }

    /// Repays the flash loan of the `flash_borrow` at `borrow_instruction_index` with its fee (rounded up), split between depositors and the protocol by the reserve factor (anyone).
    pub fn flash_repay(
        ctx: Context<FlashRepay>,
        amount: u64,
        borrow_instruction_index: u16,
    ) -> Result<()> {
        instructions::flash::flash_repay::handler(ctx, amount, borrow_instruction_index)
    }

    /// Enables or disables flash loans on a reserve and sets their fee (bps, at most `MAX_FLASH_LOAN_FEE_BPS`; 0 = free); reserves start disabled (admin).
    pub fn set_flash_loan_config(
        ctx: Context<SetFlashLoanConfig>,
        enabled: bool,
        fee_bps: u16,
    ) -> Result<()> {
        instructions::flash::set_flash_loan_config::handler(ctx, enabled, fee_bps)
    }

    /// Configures e-mode group `group` (1..=16) or changes its LTV, liquidation threshold and bonus bounds; they apply at once to obligations in the group (admin).
    pub fn set_emode_group(
        ctx: Context<SetEmodeGroup>,
        group: u8,
        params: EmodeGroup,
    ) -> Result<()> {
        instructions::admin::set_emode_group::handler(ctx, group, params)
    }

    /// Sets a reserve's e-mode group memberships: bit `g − 1` of `groups` = member of group `g`, each a configured group (admin).
    pub fn set_reserve_emode_groups(
        ctx: Context<SetReserveEmodeGroups>,
        groups: u64,
    ) -> Result<()> {
        instructions::admin::set_reserve_emode_groups::handler(ctx, groups)
    }

    /// Moves the obligation into e-mode group `group` (0 = none); remaining accounts: its deposit then borrow reserves, in order. Every position must be of a member, and with debt every reserve refreshed in this slot and the obligation within its borrow limit under the new parameters (owner).
    pub fn set_obligation_group<'info>(
        ctx: Context<'info, SetObligationGroup<'info>>,
        group: u8,
    ) -> Result<()> {
        instructions::user::set_obligation_group::handler(ctx, group)
    }
}
