//! `init_reserve`: lists a mint in a market: creates the reserve, its vault and its oracle
//! config, and makes the seed deposit in the same instruction, so that no reserve ever exists
//! empty (the Sonne / Hundred first-depositor attack needs an empty reserve).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{MIN_SEED_DEPOSIT, ORACLE_CONFIG_SEED, RESERVE_SEED, VAULT_SEED};
use crate::error::{LendingError, MathResultExt};
use crate::events::ReserveInitialized;
use crate::operations::validation::{validate_oracle_params, validate_reserve_config};
use crate::oracle::check_listing_price;
use crate::state::{LendingMarket, OracleConfig, OracleParams, Reserve, ReserveConfig, Sf};
use crate::utils::token::transfer_to_vault;

/// Size of a mint account without extensions (SPL Token and Token-2022 alike).
const PLAIN_MINT_LEN: usize = 82;

/// Accounts of `init_reserve`.
#[event_cpi]
#[derive(Accounts)]
pub struct InitReserve<'info> {
    /// The market admin; pays rent and the seed deposit.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The market.
    #[account(mut, has_one = admin @ LendingError::Unauthorized)]
    pub lending_market: AccountLoader<'info, LendingMarket>,
    /// The asset's mint.
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The new reserve.
    #[account(
        init,
        payer = admin,
        space = Reserve::SPACE,
        seeds = [RESERVE_SEED, lending_market.key().as_ref(), mint.key().as_ref()],
        bump
    )]
    pub reserve: AccountLoader<'info, Reserve>,
    /// The new liquidity vault, owned by the reserve PDA.
    #[account(
        init,
        payer = admin,
        seeds = [VAULT_SEED, reserve.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = reserve,
        token::token_program = token_program
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The new oracle config.
    #[account(
        init,
        payer = admin,
        space = OracleConfig::SPACE,
        seeds = [ORACLE_CONFIG_SEED, reserve.key().as_ref()],
        bump
    )]
    pub oracle_config: AccountLoader<'info, OracleConfig>,
    /// CHECK: the price account named in `oracle`; `oracle::check_listing_price` checks that the
    /// oracle program of its kind owns it and reads a valid price from it.
    pub price_account: UncheckedAccount<'info>,
    /// The admin's token account that funds the seed deposit.
    #[account(mut, constraint = admin_token_account.mint == mint.key() @ LendingError::InvalidMint)]
    pub admin_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// SPL Token or Token-2022.
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Validates the configs, refuses mints with Token-2022 extensions, mints whose base unit is
/// worth more than `MAX_LISTING_UNIT_VALUE_BPS` at the oracle's price (the price must be valid
/// now) and, unless the admin allows it for this listing, mints with a freeze authority (the
/// issuer could freeze the vault and stop every withdrawal and liquidation); creates the
/// accounts and makes the seed deposit (its shares are owned by nobody).
pub fn handler(
    ctx: Context<InitReserve>,
    config: ReserveConfig,
    oracle: OracleParams,
    seed_amount: u64,
    allow_freeze_authority: bool,
) -> Result<()> {
    validate_reserve_config(&config)?;
    validate_oracle_params(&oracle)?;
    require!(
        ctx.accounts.mint.to_account_info().data_len() == PLAIN_MINT_LEN,
        LendingError::UnsupportedTokenExtension
    );
    let freeze_authority: Option<Pubkey> = ctx.accounts.mint.freeze_authority.into();
    require!(
        freeze_authority.is_none() || allow_freeze_authority,
        LendingError::FreezeAuthorityNotAllowed
    );
    require!(
        seed_amount >= MIN_SEED_DEPOSIT && seed_amount != u64::MAX,
        LendingError::SeedDepositTooSmall
    );

    let now = Clock::get()?.unix_timestamp;
    let reserve_key = ctx.accounts.reserve.key();
    let market_key = ctx.accounts.lending_market.key();
    {
        let mut reserve = ctx.accounts.reserve.load_init()?;
        reserve.lending_market = market_key;
        reserve.mint = ctx.accounts.mint.key();
        reserve.vault = ctx.accounts.vault.key();
        reserve.oracle_config = ctx.accounts.oracle_config.key();
        reserve.token_program = ctx.accounts.token_program.key();
        reserve.decimals = ctx.accounts.mint.decimals;
        reserve.bump = ctx.bumps.reserve;
        reserve.vault_bump = ctx.bumps.vault;
        reserve.version = Reserve::VERSION;
        reserve.config = config;
        reserve.borrow_index_sf = Sf::from_decimal(lending_math::Decimal::one()).map_math()?;
        reserve.last_accrual_ts = now;
        reserve.available_amount = seed_amount;
        reserve.share_supply = seed_amount;
        reserve.seed_shares = seed_amount;
    }
    {
        let mut oc = ctx.accounts.oracle_config.load_init()?;
        oc.reserve = reserve_key;
        oc.bump = ctx.bumps.oracle_config;
        oc.apply(&oracle);
        check_listing_price(
            &oc,
            &ctx.accounts.price_account.to_account_info(),
            ctx.accounts.mint.decimals,
            now,
        )?;
    }
    {
        let mut market = ctx.accounts.lending_market.load_mut()?;
        market.reserves_count = market
            .reserves_count
            .checked_add(1)
            .ok_or(LendingError::MathOverflow)?;
    }
    let admin = ctx.accounts.admin.to_account_info();
    transfer_to_vault(
        &ctx.accounts.token_program,
        &ctx.accounts.admin_token_account,
        &mut ctx.accounts.vault,
        &ctx.accounts.mint,
        &admin,
        seed_amount,
    )?;
    emit_cpi!(ReserveInitialized {
        market: market_key,
        reserve: reserve_key,
        mint: ctx.accounts.mint.key(),
        seed_amount,
        config,
        oracle,
        freeze_authority: freeze_authority.unwrap_or_default(),
    });
    Ok(())
}
