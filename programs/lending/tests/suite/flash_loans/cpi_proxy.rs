//! A test-only native program that forwards its instruction to the lending program by CPI:
//! accounts\[0\] is the lending program, the rest are the inner instruction's accounts (their
//! signer and writable flags as passed), the data is the inner instruction's data.

use anchor_lang::prelude::{AccountInfo, AccountMeta};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::program::invoke;
use solana_program_test::{processor, ProgramTest};
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;

/// The proxy's program id.
pub const ID: Pubkey = Pubkey::new_from_array([0xc1; 32]);

fn proxy_entry(_program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let inner = Instruction {
        program_id: lending::ID,
        accounts: accounts[1..]
            .iter()
            .map(|a| AccountMeta {
                pubkey: *a.key,
                is_signer: a.is_signer,
                is_writable: a.is_writable,
            })
            .collect(),
        data: data.to_vec(),
    };
    invoke(&inner, accounts)
}

/// Registers the proxy with a program test (called by `TestFixture`'s setup).
pub fn register(pt: &mut ProgramTest) {
    pt.add_program("flash_cpi_proxy", ID, processor!(proxy_entry));
}

/// `ix` sent through the proxy.
pub fn wrap(ix: &Instruction) -> Instruction {
    let mut accounts = vec![AccountMeta::new_readonly(lending::ID, false)];
    accounts.extend(ix.accounts.iter().cloned());
    Instruction {
        program_id: ID,
        accounts,
        data: ix.data.clone(),
    }
}
