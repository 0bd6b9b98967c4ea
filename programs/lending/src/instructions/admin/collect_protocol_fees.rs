//! `collect_protocol_fees`: the admin takes the protocol's share of interest (the reserve
//! factor) out of a reserve. Supply assets are `available + debt − fees`, so paying out fees
//! lowers `available` and `fees` alike and leaves every depositor's share value unchanged.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lending_math::Decimal;

use crate::error::{LendingError, MathResultExt};
use crate::events::ProtocolFeesCollected;
use crate::operations::sub;
use crate::state::{LendingMarket, Reserve};
use crate::utils::token::transfer_from_vault;

/// Accounts of `collect_protocol_fees`.
#[event_cpi]
#[derive(Accounts)]
pub struct CollectProtocolFees<'info> {
    /// The market admin.
    pub admin: Signer<'info>,
    /// The market.
    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The reserve, of this market.
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
    /// Where the fees go.
    #[account(mut, constraint = destination.mint == mint.key() @ LendingError::InvalidMint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The reserve's token program.
    pub token_program: Interface<'info, TokenInterface>,
}

/// Accrues interest, then pays out `amount` of accrued fees (`u64::MAX` = all that the
/// available liquidity allows), rounded down to whole tokens.
pub fn handler(ctx: Context<CollectProtocolFees>, amount: u64) -> Result<()> {
    require!(amount > 0, LendingError::InvalidAmount);
    let now = Clock::get()?.unix_timestamp;
    let market_key = ctx.accounts.lending_market.key();
    let (paid, fees_left, bump) = {
        let mut reserve = ctx.accounts.reserve.load_mut()?;
        reserve.accrue_interest(now).map_math()?;
        let fees = reserve.protocol_fees_sf.get();
        let claimable = fees
            .try_floor_u64()
            .map_math()?
            .min(reserve.available_amount);
        let paid = if amount == u64::MAX {
            claimable
        } else {
            amount
        };
        require!(paid > 0, LendingError::AmountTooSmall);
        require!(paid <= claimable, LendingError::InsufficientLiquidity);
        let left = fees.try_sub(Decimal::from_u64(paid)).map_math()?;
        reserve.protocol_fees_sf.set(left).map_math()?;
        reserve.available_amount = sub(reserve.available_amount, paid)?;
        (paid, left, reserve.bump)
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
        paid,
    )?;
    emit_cpi!(ProtocolFeesCollected {
        reserve: ctx.accounts.reserve.key(),
        amount: paid,
        fees_left_sf: fees_left.to_scaled_val().map_math()?,
    });
    Ok(())
}
