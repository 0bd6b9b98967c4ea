//! The lending program in the solana-program-test bank, shared by the program's integration
//! tests, the crash simulator and the local node:
//! - [`program_test`]: a bank with the program registered natively (Anchor's entry point under
//!   the real runtime, its account rules and its CPIs into the SPL Token programs);
//! - [`Bank`]: a client of that bank that indexes the accounts it has seen, so it can answer
//!   "accounts owned by a program" as an RPC node would;
//! - [`world::World`]: a market of listed assets with lenders and seeded random borrowers;
//! - [`ix`]: account helpers every client of the program needs.

pub mod bank;
pub mod ix;
pub mod world;

pub use bank::Bank;

use anchor_lang::prelude::AccountInfo;
use solana_program_test::{processor, ProgramTest};
use solana_sdk::pubkey::Pubkey;

fn lending_entry(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // The runtime lends the accounts for the whole call; Anchor's entry wants one lifetime.
    let accounts = unsafe { std::mem::transmute::<&[AccountInfo], &[AccountInfo]>(accounts) };
    lending::entry(program_id, accounts, data)
}

/// A solana-program-test bank with the lending program registered natively (the tests', the
/// simulator's and the local node's).
pub fn program_test() -> ProgramTest {
    let mut pt = ProgramTest::new("lending", lending::ID, processor!(lending_entry));
    pt.prefer_bpf(false);
    pt
}
