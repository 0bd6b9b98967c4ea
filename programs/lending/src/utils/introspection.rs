//! Flash-loan checks on the instructions sysvar (its address is checked by the accounts
//! constraint and again by every `*_checked` loader).
//!
//! A `flash_borrow` at top-level index `b` requires: a later top-level instruction of this
//! program that is a `flash_repay` naming `b`, of the same reserve and the same amount, and no
//! other `flash_borrow` of this program between the two (no nesting). The scan reads each
//! instruction after `b` once and stops at the first `flash_repay` naming `b`: it is bounded by
//! the transaction's instruction count (the sysvar's first `u16`).
//!
//! A `flash_repay` checks the other end: the instruction it names is an earlier `flash_borrow`
//! of the same reserve and amount. Both refuse to run below the top level (CPI): the sysvar
//! lists only top-level instructions, so a loan taken inside another program's instruction
//! could be repaid by nothing the scan can see.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{
    get_stack_height, Instruction, TRANSACTION_LEVEL_STACK_HEIGHT,
};
use anchor_lang::{AnchorDeserialize, Discriminator};
use solana_instructions_sysvar::{load_current_index_checked, load_instruction_at_checked};

use crate::error::LendingError;
use crate::instruction::{FlashBorrow, FlashRepay};

/// Position of the reserve among the accounts of `flash_borrow` and of `flash_repay`.
pub const FLASH_RESERVE_ACCOUNT_INDEX: usize = 2;

/// The instruction's discriminator and arguments, when it is this program's `T`.
fn args_of<T: Discriminator + AnchorDeserialize>(ix: &Instruction) -> Option<T> {
    if ix.program_id != crate::ID {
        return None;
    }
    let body = ix.data.strip_prefix(T::DISCRIMINATOR)?;
    T::try_from_slice(body).ok()
}

/// True when `ix` is any instruction of this program with `T`'s discriminator (even with
/// arguments that do not parse: such an instruction fails, but it still counts).
fn is<T: Discriminator>(ix: &Instruction) -> bool {
    ix.program_id == crate::ID && ix.data.starts_with(T::DISCRIMINATOR)
}

/// The reserve account of a flash-loan instruction.
fn reserve_of(ix: &Instruction) -> Option<Pubkey> {
    ix.accounts
        .get(FLASH_RESERVE_ACCOUNT_INDEX)
        .map(|m| m.pubkey)
}

/// Number of top-level instructions in the transaction (the sysvar's leading `u16`).
fn instruction_count(sysvar: &AccountInfo) -> Result<u16> {
    let data = sysvar.try_borrow_data()?;
    let bytes = data
        .get(..2)
        .ok_or(LendingError::InvalidInstructionsSysvar)?;
    Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
}

/// Requires that the running instruction is a top-level `T` of this program; returns its
/// index in the transaction.
pub fn require_top_level<T: Discriminator>(sysvar: &AccountInfo) -> Result<u16> {
    require!(
        get_stack_height() == TRANSACTION_LEVEL_STACK_HEIGHT,
        LendingError::FlashLoanCpi
    );
    let current = load_current_index_checked(sysvar)?;
    let ix = load_instruction_at_checked(usize::from(current), sysvar)?;
    require!(is::<T>(&ix), LendingError::FlashLoanCpi);
    Ok(current)
}

/// Requires the `flash_repay` of the loan of `amount` from `reserve` taken by the
/// `flash_borrow` at `current`, later in the transaction, with no `flash_borrow` before it.
pub fn require_matching_repay(
    sysvar: &AccountInfo,
    current: u16,
    reserve: &Pubkey,
    amount: u64,
) -> Result<()> {
    let count = instruction_count(sysvar)?;
    for i in current.saturating_add(1)..count {
        let ix = load_instruction_at_checked(usize::from(i), sysvar)?;
        if is::<FlashBorrow>(&ix) {
            return err!(LendingError::FlashBorrowNested);
        }
        let Some(repay) = args_of::<FlashRepay>(&ix) else {
            continue;
        };
        if repay.borrow_instruction_index != current {
            continue;
        }
        require!(
            reserve_of(&ix) == Some(*reserve),
            LendingError::FlashRepayWrongReserve
        );
        require!(
            repay.amount == amount,
            LendingError::FlashRepayAmountMismatch
        );
        return Ok(());
    }
    err!(LendingError::FlashRepayMissing)
}

/// Requires that the instruction at `borrow_index`, before `current`, is the `flash_borrow`
/// of `amount` from `reserve`.
pub fn require_matching_borrow(
    sysvar: &AccountInfo,
    current: u16,
    borrow_index: u16,
    reserve: &Pubkey,
    amount: u64,
) -> Result<()> {
    require!(
        borrow_index < current,
        LendingError::FlashRepayInvalidBorrow
    );
    let ix = load_instruction_at_checked(usize::from(borrow_index), sysvar)?;
    let borrow = args_of::<FlashBorrow>(&ix).ok_or(LendingError::FlashRepayInvalidBorrow)?;
    require!(
        borrow.amount == amount && reserve_of(&ix) == Some(*reserve),
        LendingError::FlashRepayInvalidBorrow
    );
    Ok(())
}
