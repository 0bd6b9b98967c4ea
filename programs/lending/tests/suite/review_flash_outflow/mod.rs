//! Independent review (attacker's view) of flash loans and outflow limits. Every test asserts
//! the SAFE behaviour: a failing test is a finding.
//!
//! Two kinds of tests:
//! - attacks: a transaction shape an attacker controls (instruction layout, indexes, duplicate
//!   accounts, the instructions sysvar, amounts) that must be refused with no account changed,
//!   or, when it lands, must leave reserves whole and the outflow window honest;
//! - differentials: two markets built from the same key seed run the same action, one of them
//!   wrapped in a fee-0 flash loan of a reserve the action touches. A fee-0 loan is documented
//!   as moving nothing (`state::reserve_flash`): every account must end byte-identical.

use lending::error::LendingError;
use lending::state::{OracleKind, Reserve};
use lending_math::outflow::remaining_floor;
use solana_program_test::BanksClientError;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

use crate::fixture::*;
use crate::flash_loans::ix::{share_value, FIRST};
use crate::liquidation::liquidate_ix_with;

/// One hour.
const HOUR: u64 = 3_600;
/// 1,000 USDC.
const CAP: u64 = 1_000_000_000;

/// Every account of the market a flash loan or an outflow could touch, plus `extra`.
fn watched(f: &TestFixture, users: &[&TestUser], extra: &[Pubkey]) -> Vec<Pubkey> {
    let mut keys = Vec::new();
    for r in &f.reserves {
        keys.push(r.reserve);
        keys.push(r.vault);
    }
    for u in users {
        keys.push(u.obligation);
        keys.extend(u.tokens.iter().copied());
    }
    keys.extend_from_slice(extra);
    keys
}

/// Sends `ixs` signed by `user`: must fail (with `code` when given) and change nothing.
async fn refused(f: &mut TestFixture, user: &TestUser, ixs: &[Instruction], code: Option<u32>) {
    let keys = watched(f, &[user], &[]);
    let before = f.snapshot(&keys).await;
    let res: Result<(), BanksClientError> = f.send(ixs, &[&user.keypair]).await;
    match code {
        Some(c) => assert_error(res, c),
        None => assert!(res.is_err(), "expected a refusal, got {res:?}"),
    }
    assert_eq!(
        f.snapshot(&keys).await,
        before,
        "a refused transaction changed accounts"
    );
}

/// Vault = available + insurance, no loan left out.
async fn assert_whole(f: &mut TestFixture, idx: usize) {
    let r = f.reserve(idx).await;
    let vault = f.reserves[idx].vault;
    assert_eq!(
        f.balance(&vault).await,
        r.available_amount + r.insurance_amount,
        "vault of reserve {idx}"
    );
    assert_eq!(r.flash_loan_amount, 0, "loan left out on reserve {idx}");
}

/// `ix` with its data extended by `extra` bytes (Anchor's argument decoding ignores them).
fn with_trailing(mut ix: Instruction, extra: &[u8]) -> Instruction {
    ix.data.extend_from_slice(extra);
    ix
}

/// `ix` with its account at `pos` replaced by `key` (flags kept).
fn with_account(mut ix: Instruction, pos: usize, key: Pubkey) -> Instruction {
    ix.accounts[pos].pubkey = key;
    ix
}

/// Position of the instructions sysvar among flash_borrow / flash_repay accounts.
const SYSVAR_POS: usize = 7;
/// Position of the destination (borrow) / source (repay) token account.
const TOKEN_POS: usize = 5;

/// 1M USDC and 10,000 SOL of liquidity, flash loans on both at `fee_bps`, and a user with
/// 10k USDC and 10 SOL.
async fn flash_market(fee_bps: u16) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let lender = f
        .new_user(&[1_000_000_000_000, 10_000_000_000_000, 0])
        .await;
    f.deposit(&lender, USDC, 1_000_000_000_000)
        .await
        .expect("usdc");
    let sol_lender = f.new_user(&[0, 10_000_000_000_000, 0]).await;
    f.deposit(&sol_lender, SOL, 10_000_000_000_000)
        .await
        .expect("sol");
    f.enable_flash_loans(USDC, fee_bps).await;
    f.enable_flash_loans(SOL, fee_bps).await;
    let user = f.new_user(&[10_000_000_000, 10_000_000_000, 0]).await;
    (f, lender, user)
}

mod attacks;
mod inside_loan;
mod window;
