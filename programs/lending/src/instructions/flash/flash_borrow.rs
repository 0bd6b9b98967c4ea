//! `flash_borrow`: lends a reserve's available liquidity for the rest of the transaction.
//!
//! Checks, through the instructions sysvar (`utils::introspection`): the instruction runs at
//! the top level (not through CPI); a later `flash_repay` names it, for the same reserve and
//! amount; no other `flash_borrow` comes before that repayment. The repayment pays the amount
//! plus the fee (`lending_math::flash::fee`, rounded up), or the whole transaction fails.
//!
//! The loan touches no obligation and defers no check: every other instruction of the
//! transaction runs its own health, cap and freshness checks as always, on the reserve's
//! figures, which value the lent tokens as still the pool's (`state::reserve_flash`).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lending_math::shares;
use solana_instructions_sysvar::ID as INSTRUCTIONS_SYSVAR;

use crate::error::{LendingError, MathResultExt};
use crate::events::FlashBorrowed;
use crate::operations::flash;
use crate::state::{LendingMarket, Reserve};
use crate::utils::introspection::{require_matching_repay, require_top_level};
use crate::utils::token::transfer_from_vault;

/// Accounts of `flash_borrow`. The reserve must stay third
/// (`utils::introspection::FLASH_RESERVE_ACCOUNT_INDEX`).
#[event_cpi]
#[derive(Accounts)]
pub struct FlashBorrow<'info> {
    /// Whoever borrows (and signs the transaction that repays).
    pub borrower: Signer<'info>,
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve to borrow from, of this market.
    #[account(
        mut,
        has_one = lending_market @ LendingError::InvalidMarket,
        has_one = vault @ LendingError::InvalidVault,
        has_one = mint @ LendingError::InvalidMint,
        has_one = token_program @ LendingError::InvalidTokenProgram
    )]
    pub reserve: AccountLoader<'info, Reserve>,
    /// The reserve's vault.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's mint.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// Where the lent tokens go.
    #[account(mut, constraint = destination.mint == mint.key() @ LendingError::InvalidMint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// CHECK: the instructions sysvar (address checked).
    #[account(address = INSTRUCTIONS_SYSVAR @ LendingError::InvalidInstructionsSysvar)]
    pub instructions: UncheckedAccount<'info>,
}

/// Checks the transaction's shape, accrues interest (so the period before the loan is priced
/// at its own utilization), records the loan, sends the tokens.
pub fn handler(ctx: Context<FlashBorrow>, amount: u64) -> Result<()> {
    let sysvar = ctx.accounts.instructions.to_account_info();
    let index = require_top_level::<crate::instruction::FlashBorrow>(&sysvar)?;
    let reserve_key = ctx.accounts.reserve.key();
    require_matching_repay(&sysvar, index, &reserve_key, amount)?;
    let now = Clock::get()?.unix_timestamp;
    let market_key = ctx.accounts.lending_market.key();
    let (available_before, available_after, fee, share_value, bump) = {
        let market = ctx.accounts.lending_market.load()?;
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        require!(
            market.borrow_paused == 0 && reserve.config.borrow_paused == 0,
            LendingError::BorrowPaused
        );
        reserve.accrue_interest(now).map_math()?;
        let before = reserve.available_amount;
        flash::flash_borrow(&mut reserve, amount)?;
        let fee = lending_math::flash::fee(amount, reserve.flash_loan_fee_bps).map_math()?;
        let value = shares::share_value(
            reserve.total_supply_assets().map_math()?,
            reserve.share_supply,
        )
        .map_math()?;
        (before, reserve.available_amount, fee, value, reserve.bump)
    };
    let reserve_info = ctx.accounts.reserve.to_account_info();
    transfer_from_vault(
        &ctx.accounts.token_program,
        &mut ctx.accounts.vault,
        &ctx.accounts.destination,
        &ctx.accounts.mint,
        &reserve_info,
        &market_key,
        bump,
        amount,
    )?;
    emit_cpi!(FlashBorrowed {
        reserve: reserve_key,
        borrower: ctx.accounts.borrower.key(),
        amount,
        fee,
        instruction_index: index,
        available_before,
        available_after,
        share_value_sf: share_value.to_scaled_val().map_math()?,
    });
    Ok(())
}
