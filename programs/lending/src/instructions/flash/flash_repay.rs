//! `flash_repay`: pays back the flash loan of an earlier `flash_borrow` of the same transaction
//! (named by its instruction index) with its fee. The fee is split as interest is: the reserve
//! factor's part to the protocol's fees, the rest to depositors (the share value rises by it).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lending_math::shares;
use solana_instructions_sysvar::ID as INSTRUCTIONS_SYSVAR;

use crate::error::{LendingError, MathResultExt};
use crate::events::FlashRepaid;
use crate::operations::flash;
use crate::state::{LendingMarket, Reserve};
use crate::utils::introspection::{require_matching_borrow, require_top_level};
use crate::utils::token::transfer_to_vault;

/// Accounts of `flash_repay`. The reserve must stay third
/// (`utils::introspection::FLASH_RESERVE_ACCOUNT_INDEX`).
#[event_cpi]
#[derive(Accounts)]
pub struct FlashRepay<'info> {
    /// Whoever pays.
    pub payer: Signer<'info>,
    /// The market.
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve the loan is from, of this market.
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
    /// The payer's tokens.
    #[account(mut, constraint = source.mint == mint.key() @ LendingError::InvalidMint)]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// CHECK: the instructions sysvar (address checked).
    #[account(address = INSTRUCTIONS_SYSVAR @ LendingError::InvalidInstructionsSysvar)]
    pub instructions: UncheckedAccount<'info>,
}

/// Checks that the named instruction is this loan's borrow, clears the loan, takes the amount
/// plus the fee in.
pub fn handler(ctx: Context<FlashRepay>, amount: u64, borrow_instruction_index: u16) -> Result<()> {
    let sysvar = ctx.accounts.instructions.to_account_info();
    let index = require_top_level::<crate::instruction::FlashRepay>(&sysvar)?;
    let reserve_key = ctx.accounts.reserve.key();
    require_matching_borrow(
        &sysvar,
        index,
        borrow_instruction_index,
        &reserve_key,
        amount,
    )?;
    let now = Clock::get()?.unix_timestamp;
    let (paid, available_before, available_after, value_before, value_after) = {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(now).map_math()?;
        let value = |r: &Reserve| {
            shares::share_value(r.total_supply_assets().map_math()?, r.share_supply).map_math()
        };
        let value_before = value(&reserve)?;
        let before = reserve.available_amount;
        let paid = flash::flash_repay(&mut reserve, amount)?;
        (
            paid,
            before,
            reserve.available_amount,
            value_before,
            value(&reserve)?,
        )
    };
    let payer = ctx.accounts.payer.to_account_info();
    transfer_to_vault(
        &ctx.accounts.token_program,
        &ctx.accounts.source,
        &mut ctx.accounts.vault,
        &ctx.accounts.mint,
        &payer,
        paid.total,
    )?;
    emit_cpi!(FlashRepaid {
        reserve: reserve_key,
        payer: ctx.accounts.payer.key(),
        amount,
        fee: paid.fee,
        protocol_fee_sf: paid.protocol_fee.to_scaled_val().map_math()?,
        available_before,
        available_after,
        share_value_before_sf: value_before.to_scaled_val().map_math()?,
        share_value_after_sf: value_after.to_scaled_val().map_math()?,
    });
    Ok(())
}
