//! `liquidate` (permissionless): repays part of an unhealthy obligation's debt and receives its
//! collateral, worth the repayment plus a bonus, in the same instruction.
//!
//! The keeper sends `refresh_reserve` for the obligation's reserves, then `liquidate` with those
//! reserves as remaining accounts (deposits then borrows, in order): every reserve must be
//! refreshed in this slot, so the staleness and confidence checks of the oracle always apply,
//! and the obligation's values are recomputed here, before the liquidation is sized and again
//! after it, when health must have strictly improved. The liquidation that takes the last
//! collateral writes off every debt left, the other reserves' too (they are then passed
//! writable). Liquidation uses spot
//! prices and ignores the borrow/withdraw pauses and the spot–EMA divergence gate: those protect
//! against risk-increasing actions, and a liquidation only reduces risk.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lending_math::health::health_factor_bps;

use crate::error::{LendingError, MathResultExt};
use crate::events::{BadDebtSocialized, Liquidated};
use crate::operations::liquidation::{self, LiquidationReserves, Payout};
use crate::state::{LendingMarket, Obligation, Reserve};
use crate::utils::reserves::with_other_reserves;
use crate::utils::token::{transfer_from_vault, transfer_to_vault};

/// Accounts of `liquidate`.
#[event_cpi]
#[derive(Accounts)]
pub struct Liquidate<'info> {
    /// The liquidator, who pays the debt.
    pub liquidator: Signer<'info>,
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The unhealthy obligation.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub obligation: AccountLoader<'info, Obligation>,
    /// Reserve whose debt is repaid.
    #[account(mut, has_one = lending_market @ LendingError::InvalidMarket)]
    pub repay_reserve: AccountLoader<'info, Reserve>,
    /// Its vault.
    #[account(mut, address = repay_reserve.load()?.vault @ LendingError::InvalidVault)]
    pub repay_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Its mint.
    #[account(address = repay_reserve.load()?.mint @ LendingError::InvalidMint)]
    pub repay_mint: Box<InterfaceAccount<'info, Mint>>,
    /// Reserve whose collateral is seized.
    #[account(
        mut,
        has_one = lending_market @ LendingError::InvalidMarket,
        constraint = withdraw_reserve.key() != repay_reserve.key() @ LendingError::DuplicateReserve
    )]
    pub withdraw_reserve: AccountLoader<'info, Reserve>,
    /// Its vault.
    #[account(mut, address = withdraw_reserve.load()?.vault @ LendingError::InvalidVault)]
    pub withdraw_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Its mint.
    #[account(address = withdraw_reserve.load()?.mint @ LendingError::InvalidMint)]
    pub withdraw_mint: Box<InterfaceAccount<'info, Mint>>,
    /// The liquidator's tokens of the debt asset.
    #[account(mut, constraint = liquidator_source.mint == repay_mint.key() @ LendingError::InvalidMint)]
    pub liquidator_source: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Where the seized collateral goes.
    #[account(mut, constraint = liquidator_destination.mint == withdraw_mint.key() @ LendingError::InvalidMint)]
    pub liquidator_destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Token program of the debt asset.
    #[account(address = repay_reserve.load()?.token_program @ LendingError::InvalidTokenProgram)]
    pub repay_token_program: Interface<'info, TokenInterface>,
    /// Token program of the collateral asset.
    #[account(address = withdraw_reserve.load()?.token_program @ LendingError::InvalidTokenProgram)]
    pub withdraw_token_program: Interface<'info, TokenInterface>,
    /// Optional: the liquidator's own obligation in this market. When given, the seized
    /// collateral is credited to it as supply shares instead of being paid out in tokens, so
    /// the liquidation works whatever the collateral reserve's free liquidity.
    #[account(
        mut,
        has_one = lending_market @ LendingError::InvalidMarket,
        constraint = liquidator_obligation.load()?.owner == liquidator.key() @ LendingError::InvalidLiquidatorObligation,
        constraint = liquidator_obligation.key() != obligation.key() @ LendingError::InvalidLiquidatorObligation
    )]
    pub liquidator_obligation: Option<AccountLoader<'info, Obligation>>,
}

/// When the liquidation took the obligation's last collateral, writes off its debts in the other
/// reserves too, in this instruction (the repaid reserve's rest is written off by the
/// liquidation itself): until then their supply shares would still count the doomed debt, and a
/// depositor (the liquidator himself) could leave at that value before a separate write-off.
/// Their reserves, among the remaining accounts, must be writable.
fn write_off_other_debts(
    ctx: &Context<Liquidate>,
    now: i64,
) -> Result<Vec<(Pubkey, liquidation::BadDebtOutcome)>> {
    let mut obligation = ctx.accounts.obligation.load_mut()?;
    let mut out = Vec::new();
    if obligation.active_deposits().next().is_some() || !obligation.has_debt() {
        return Ok(out);
    }
    let keys: Vec<Pubkey> = obligation.active_borrows().map(|b| b.reserve).collect();
    for key in keys {
        let info = ctx
            .remaining_accounts
            .iter()
            .find(|a| *a.key == key)
            .ok_or(LendingError::InvalidRefreshAccounts)?;
        require!(info.is_writable, LendingError::WriteOffReserveNotWritable);
        let loader = AccountLoader::<Reserve>::try_from(info)?;
        let mut reserve = loader.load_mut()?;
        reserve.accrue_interest(now).map_math()?;
        out.push((
            key,
            liquidation::socialize_bad_debt(&mut reserve, &key, &mut obligation)?,
        ));
    }
    Ok(out)
}

/// Sizes and applies the liquidation, moves the tokens, checks the slippage guard.
pub fn handler(ctx: Context<Liquidate>, repay_amount: u64, min_collateral_out: u64) -> Result<()> {
    let clock = Clock::get()?;
    let market_key = ctx.accounts.lending_market.key();
    let repay_key = ctx.accounts.repay_reserve.key();
    let withdraw_key = ctx.accounts.withdraw_reserve.key();
    let (slot, now) = (clock.slot, clock.unix_timestamp);
    let (outcome, debt_price, coll_price, withdraw_bump) = {
        let market = ctx.accounts.lending_market.load()?;
        let mut obligation = ctx.accounts.obligation.load_mut()?;
        let mut debt = ctx.accounts.repay_reserve.load_mut()?;
        let mut coll = ctx.accounts.withdraw_reserve.load_mut()?;
        let mut receiver = match &ctx.accounts.liquidator_obligation {
            Some(l) => Some(l.load_mut()?),
            None => None,
        };
        let payout = match receiver.as_deref_mut() {
            Some(o) => Payout::Shares(o),
            None => Payout::Tokens,
        };
        let outcome = with_other_reserves(
            ctx.remaining_accounts,
            &[repay_key, withdraw_key],
            |others| {
                liquidation::liquidate(
                    &market,
                    &mut obligation,
                    LiquidationReserves {
                        debt_key: repay_key,
                        debt: &mut debt,
                        coll_key: withdraw_key,
                        coll: &mut coll,
                        others,
                    },
                    payout,
                    slot,
                    now,
                    repay_amount,
                )
            },
        )?;
        (outcome, debt.price_sf.raw(), coll.price_sf.raw(), coll.bump)
    };
    require!(
        outcome.plan.liquidator_amount >= min_collateral_out,
        LendingError::LiquidationSlippage
    );
    let other_write_offs = write_off_other_debts(&ctx, now)?;

    let liquidator = ctx.accounts.liquidator.to_account_info();
    transfer_to_vault(
        &ctx.accounts.repay_token_program,
        &ctx.accounts.liquidator_source,
        &mut ctx.accounts.repay_vault,
        &ctx.accounts.repay_mint,
        &liquidator,
        outcome.plan.repay_amount,
    )?;
    if outcome.liquidator_shares == 0 && ctx.accounts.liquidator_obligation.is_none() {
        let withdraw_info = ctx.accounts.withdraw_reserve.to_account_info();
        transfer_from_vault(
            &ctx.accounts.withdraw_token_program,
            &mut ctx.accounts.withdraw_vault,
            &ctx.accounts.liquidator_destination,
            &ctx.accounts.withdraw_mint,
            &withdraw_info,
            &market_key,
            withdraw_bump,
            outcome.plan.liquidator_amount,
        )?;
    }

    let written_off = outcome.written_off.iter().map(|w| (repay_key, w));
    for (reserve, w) in written_off.chain(other_write_offs.iter().map(|(k, w)| (*k, w))) {
        emit_cpi!(BadDebtSocialized {
            obligation: ctx.accounts.obligation.key(),
            reserve,
            debt_sf: w.debt.to_scaled_val_saturating(),
            covered_by_insurance: w.split.covered_by_insurance,
            socialized_sf: w.split.socialized.to_scaled_val_saturating(),
            share_value_before_sf: w.share_value_before.to_scaled_val().map_math()?,
            share_value_after_sf: w.share_value_after.to_scaled_val().map_math()?,
            fees_reversed_sf: w.fees_reversed.to_scaled_val().map_math()?,
        });
    }
    let plan = &outcome.plan;
    emit_cpi!(Liquidated {
        liquidator: ctx.accounts.liquidator.key(),
        obligation: ctx.accounts.obligation.key(),
        repay_reserve: repay_key,
        withdraw_reserve: withdraw_key,
        repay_amount: plan.repay_amount,
        repay_value_sf: plan.repay_value.to_scaled_val().map_math()?,
        seize_amount: plan.seize_amount,
        seize_value_sf: plan.seize_value.to_scaled_val().map_math()?,
        liquidator_amount: plan.liquidator_amount,
        protocol_fee_amount: plan.protocol_fee_amount,
        bonus_bps: outcome.bonus.rate.try_floor_bps().map_math()?,
        bonus_source: outcome.bonus.source.code(),
        full_liquidation: plan.full_liquidation,
        health_factor_before_bps: health_factor_bps(&outcome.health_before).map_math()?,
        health_factor_after_bps: health_factor_bps(&outcome.health_after).map_math()?,
        liquidator_obligation: ctx
            .accounts
            .liquidator_obligation
            .as_ref()
            .map(|l| l.key())
            .unwrap_or_default(),
        liquidator_shares: outcome.liquidator_shares,
        sizing: plan.sizing.code(),
        debt_price_sf: debt_price,
        collateral_price_sf: coll_price,
    });
    Ok(())
}
