//! Instruction builders for the keeper, from the program's generated `accounts` / `instruction`
//! types (the same layout the IDL describes).

use anchor_lang::prelude::AccountMeta;
use anchor_lang::{InstructionData, ToAccountMetas};
use lending::state::Reserve;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;

pub use sentinel_harness::ix::{
    associated_token_address, create_associated_token_account, create_associated_token_account_for,
    event_authority, reserve_metas, ATA_PROGRAM,
};

/// `refresh_reserve`.
pub fn refresh_reserve(key: Pubkey, reserve: &Reserve, price_account: Pubkey) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::RefreshReserve {
            reserve: key,
            oracle_config: reserve.oracle_config,
            price_account,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::RefreshReserve {}.data(),
    }
}

/// `report_oracle_failure`: records that the reserve's oracle fails its checks in this slot.
pub fn report_oracle_failure(key: Pubkey, reserve: &Reserve, price_account: Pubkey) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::ReportOracleFailure {
            reserve: key,
            oracle_config: reserve.oracle_config,
            price_account,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::ReportOracleFailure {}.data(),
    }
}

/// `refresh_obligation` with its reserves in order.
pub fn refresh_obligation(market: Pubkey, obligation: Pubkey, reserves: &[Pubkey]) -> Instruction {
    let mut accounts = lending::accounts::RefreshObligation {
        lending_market: market,
        obligation,
        event_authority: event_authority(),
        program: lending::ID,
    }
    .to_account_metas(None);
    accounts.extend(reserve_metas(reserves));
    Instruction {
        program_id: lending::ID,
        accounts,
        data: lending::instruction::RefreshObligation {}.data(),
    }
}

/// The accounts a liquidation touches.
pub struct LiquidateAccounts {
    /// Signer.
    pub liquidator: Pubkey,
    /// Market.
    pub market: Pubkey,
    /// Obligation.
    pub obligation: Pubkey,
    /// Debt reserve key and state.
    pub repay: (Pubkey, Reserve),
    /// Collateral reserve key and state.
    pub withdraw: (Pubkey, Reserve),
    /// Liquidator's token account of the debt mint.
    pub source: Pubkey,
    /// Liquidator's token account of the collateral mint.
    pub destination: Pubkey,
    /// Every reserve of the obligation (deposits then borrows), which `liquidate` values it on.
    pub reserves: Vec<Pubkey>,
    /// The liquidator's obligation to credit with collateral shares instead of tokens.
    pub receiver: Option<Pubkey>,
}

/// `liquidate`, with the obligation's reserves as remaining accounts.
pub fn liquidate(a: &LiquidateAccounts, repay_amount: u64, min_collateral_out: u64) -> Instruction {
    let (rk, r) = &a.repay;
    let (wk, w) = &a.withdraw;
    let mut accounts = lending::accounts::Liquidate {
        liquidator: a.liquidator,
        lending_market: a.market,
        obligation: a.obligation,
        repay_reserve: *rk,
        repay_vault: r.vault,
        repay_mint: r.mint,
        withdraw_reserve: *wk,
        withdraw_vault: w.vault,
        withdraw_mint: w.mint,
        liquidator_source: a.source,
        liquidator_destination: a.destination,
        repay_token_program: r.token_program,
        withdraw_token_program: w.token_program,
        liquidator_obligation: a.receiver,
        event_authority: event_authority(),
        program: lending::ID,
    }
    .to_account_metas(None);
    // Writable: when the liquidation takes the last collateral it writes off the debts of the
    // other reserves in the same instruction.
    accounts.extend(a.reserves.iter().map(|r| AccountMeta::new(*r, false)));
    Instruction {
        program_id: lending::ID,
        accounts,
        data: lending::instruction::Liquidate {
            repay_amount,
            min_collateral_out,
        }
        .data(),
    }
}

/// `socialize_bad_debt` of `reserve`'s debt; `dust_deposits` are the obligation's deposit
/// reserves whose shares redeem for nothing, passed writable so that the program burns them.
pub fn socialize_bad_debt(
    market: Pubkey,
    obligation: Pubkey,
    reserve: Pubkey,
    dust_deposits: &[Pubkey],
) -> Instruction {
    let mut accounts = lending::accounts::SocializeBadDebt {
        lending_market: market,
        obligation,
        reserve,
        event_authority: event_authority(),
        program: lending::ID,
    }
    .to_account_metas(None);
    accounts.extend(
        dust_deposits
            .iter()
            .filter(|k| **k != reserve)
            .map(|k| AccountMeta::new(*k, false)),
    );
    Instruction {
        program_id: lending::ID,
        accounts,
        data: lending::instruction::SocializeBadDebt {}.data(),
    }
}

/// The instructions sysvar, read by `flash_borrow` and `flash_repay`.
pub const INSTRUCTIONS_SYSVAR: Pubkey =
    anchor_lang::pubkey!("Sysvar1nstructions1111111111111111111111111");

/// `flash_borrow` of `amount` from `reserve` to `destination`, signed by `borrower`.
pub fn flash_borrow(
    borrower: Pubkey,
    market: Pubkey,
    (key, reserve): (Pubkey, &Reserve),
    destination: Pubkey,
    amount: u64,
) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::FlashBorrow {
            borrower,
            lending_market: market,
            reserve: key,
            vault: reserve.vault,
            mint: reserve.mint,
            destination,
            token_program: reserve.token_program,
            instructions: INSTRUCTIONS_SYSVAR,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::FlashBorrow { amount }.data(),
    }
}

/// `flash_repay` of the loan of `amount` taken by the transaction's instruction at
/// `borrow_instruction_index`, paid by `payer` from `source` (the amount plus the fee).
pub fn flash_repay(
    payer: Pubkey,
    market: Pubkey,
    (key, reserve): (Pubkey, &Reserve),
    source: Pubkey,
    amount: u64,
    borrow_instruction_index: u16,
) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::FlashRepay {
            payer,
            lending_market: market,
            reserve: key,
            vault: reserve.vault,
            mint: reserve.mint,
            source,
            token_program: reserve.token_program,
            instructions: INSTRUCTIONS_SYSVAR,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::FlashRepay {
            amount,
            borrow_instruction_index,
        }
        .data(),
    }
}
