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

// ----- instruction-layout attacks ------------------------------------------------------------

#[tokio::test]
async fn fail_flash_loan_when_the_instructions_sysvar_is_spoofed() {
    let (mut f, _lender, user) = flash_market(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    // A copy of nothing in particular at another address: the borrow's account.
    let fake = user.tokens[SOL];
    let borrow = with_account(
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        SYSVAR_POS,
        fake,
    );
    let repay = f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST);
    refused(
        &mut f,
        &user,
        &[borrow, repay.clone()],
        Some(LendingError::InvalidInstructionsSysvar.into()),
    )
    .await;
    // The repayment's sysvar spoofed (the borrow genuine).
    let borrow = f.flash_borrow_ix(&payer, &token, USDC, 1_000_000);
    let repay = with_account(repay, SYSVAR_POS, fake);
    refused(
        &mut f,
        &user,
        &[borrow, repay],
        Some(LendingError::InvalidInstructionsSysvar.into()),
    )
    .await;
}

#[tokio::test]
async fn fail_flash_repay_when_it_names_a_compute_budget_instruction() {
    let (mut f, _lender, user) = flash_market(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    // The fixture's compute-budget instructions sit at 0 and 1: a repayment naming one of
    // them is no repayment of the borrow at FIRST.
    for index in [0u16, 1] {
        let ixs = [
            f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
            f.flash_repay_ix(&payer, &token, USDC, 1_000_000, index),
        ];
        refused(
            &mut f,
            &user,
            &ixs,
            Some(LendingError::FlashRepayMissing.into()),
        )
        .await;
    }
}

#[tokio::test]
async fn fail_flash_loan_when_the_repay_carries_trailing_bytes() {
    let (mut f, _lender, user) = flash_market(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    let odd_repay = with_trailing(
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
        &[0],
    );
    // Alone: the scan does not take it for the repayment.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        odd_repay.clone(),
    ];
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::FlashRepayMissing.into()),
    )
    .await;
    // Before a genuine one: it runs (and repays), the genuine one then finds nothing out.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        odd_repay,
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    refused(&mut f, &user, &ixs, None).await;
    // A borrow with trailing bytes and a genuine repayment: still counts as a borrow, refused.
    let ixs = [
        with_trailing(
            f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
            &[1, 2, 3],
        ),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::FlashRepayInvalidBorrow.into()),
    )
    .await;
    // A well-formed borrow with an odd one inside its loan: nested.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        with_trailing(f.flash_borrow_ix(&payer, &token, USDC, 1_000_000), &[9]),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::FlashBorrowNested.into()),
    )
    .await;
}

#[tokio::test]
async fn fail_flash_repay_that_names_an_earlier_repaid_borrow_of_the_same_shape() {
    let (mut f, _lender, user) = flash_market(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    // Loan 1 at FIRST repaid at FIRST+1; loan 2 at FIRST+2, its "repayment" at FIRST+3 names
    // loan 1 (same reserve and amount). Loan 2's scan finds no repayment naming it.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::FlashRepayMissing.into()),
    )
    .await;
    // Both named right, then one more repayment naming loan 1 after loan 2 is repaid.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST + 2),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::FlashLoanNotOutstanding.into()),
    )
    .await;
}

#[tokio::test]
async fn fail_flash_loan_between_two_markets_of_one_mint() {
    let (mut f, _lender, user) = flash_market(30).await;
    let (market_b, reserve_b, _vault_b, _oc, _admin_b) = f.second_market(USDC).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    // The repayment names market B with market A's reserve: has_one refuses it.
    let repay = with_account(
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
        1,
        market_b,
    );
    let ixs = [f.flash_borrow_ix(&payer, &token, USDC, 1_000_000), repay];
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::InvalidMarket.into()),
    )
    .await;
    // The repayment into market B's reserve of the same mint: another reserve.
    let repay = with_account(
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
        2,
        reserve_b,
    );
    let ixs = [f.flash_borrow_ix(&payer, &token, USDC, 1_000_000), repay];
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::FlashRepayWrongReserve.into()),
    )
    .await;
}

// ----- amounts and duplicate accounts ----------------------------------------------------------

#[tokio::test]
async fn fail_flash_borrow_of_zero_u64_max_or_more_than_available() {
    let (mut f, _lender, user) = flash_market(30).await;
    let token = user.tokens[USDC];
    for amount in [0u64, u64::MAX] {
        let ixs = f.flash_loan_ixs(&user.keypair, &token, USDC, amount, vec![]);
        refused(
            &mut f,
            &user,
            &ixs,
            Some(LendingError::InvalidAmount.into()),
        )
        .await;
    }
    let available = f.reserve(USDC).await.available_amount;
    let ixs = f.flash_loan_ixs(&user.keypair, &token, USDC, available + 1, vec![]);
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::InsufficientLiquidity.into()),
    )
    .await;
}

#[tokio::test]
async fn fail_flash_borrow_into_the_vault_or_repay_from_it() {
    let (mut f, _lender, user) = flash_market(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    let vault = f.reserves[USDC].vault;
    // Destination = the vault: the vault does not move, the program sees it.
    // (Anchor refuses the duplicate writable account first: ConstraintDuplicateMutableAccount.)
    let borrow = with_account(
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        TOKEN_POS,
        vault,
    );
    let ixs = [
        borrow,
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    refused(&mut f, &user, &ixs, Some(2040)).await;
    // Source = the vault: the payer is not its owner.
    let repay = with_account(
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
        TOKEN_POS,
        vault,
    );
    let ixs = [f.flash_borrow_ix(&payer, &token, USDC, 1_000_000), repay];
    refused(&mut f, &user, &ixs, Some(2040)).await;
}

#[tokio::test]
async fn successful_full_liquidity_loan_leaves_the_insurance_fund_alone() {
    let (mut f, _lender, user) = flash_market(0).await;
    let token = user.tokens[USDC];
    let before = f.reserve(USDC).await;
    let all = before.available_amount;
    let ixs = f.flash_loan_ixs(&user.keypair, &token, USDC, all, vec![]);
    f.send(&ixs, &[&user.keypair]).await.expect("all of it");
    let after = f.reserve(USDC).await;
    assert_eq!(bytemuck::bytes_of(&after), bytemuck::bytes_of(&before));
    assert_whole(&mut f, USDC).await;
}

// ----- admin changes mid-loan ------------------------------------------------------------------

#[tokio::test]
async fn successful_loan_repaid_after_flash_loans_are_disabled_mid_loan() {
    let (mut f, _lender, _user) = flash_market(30).await;
    let admin = f.admin.insecure_clone();
    let token = f.admin_tokens[USDC];
    let held = f.balance(&token).await;
    let amount = held.min(1_000_000);
    let off = f.set_flash_loan_config_ix(&admin.pubkey(), USDC, false, 30);
    let ixs = f.flash_loan_ixs(&admin, &token, USDC, amount, vec![off]);
    let before = share_value(&f.reserve(USDC).await);
    f.send(&ixs, &[&admin]).await.expect("a loan never strands");
    let r = f.reserve(USDC).await;
    assert_eq!(r.flash_loans_enabled, 0);
    assert!(share_value(&r) >= before);
    assert_whole(&mut f, USDC).await;
}

// ----- flash loans and the outflow window -----------------------------------------------------

/// Caps USDC at 1,000 USDC an hour, after `flash_market`.
async fn capped_flash_market(fee_bps: u16) -> (TestFixture, TestUser, TestUser) {
    let (mut f, lender, user) = flash_market(fee_bps).await;
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    (f, lender, user)
}

#[tokio::test]
async fn successful_loan_with_the_window_exhausted_leaves_the_window_as_it_was() {
    let (mut f, lender, user) = capped_flash_market(30).await;
    f.withdraw(&lender, USDC, CAP).await.expect("drain the cap");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    let window = f.reserve(USDC).await.outflow;
    let all = f.reserve(USDC).await.available_amount;
    let ixs = f.flash_loan_ixs(&user.keypair, &user.tokens[USDC], USDC, all, vec![]);
    f.send(&ixs, &[&user.keypair])
        .await
        .expect("vault-neutral loan");
    assert_eq!(f.reserve(USDC).await.outflow, window);
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    assert_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn fail_flash_funded_deposit_credit_to_withdraw_past_the_cap() {
    let (mut f, lender, _user) = capped_flash_market(30).await;
    let loan = 500_000_000_000;
    let vault = f.reserves[USDC].vault;
    let token = lender.tokens[USDC];
    // Lender wallet: 0 USDC after its deposit; give it the fee.
    let mint = f.reserves[USDC].mint;
    f.mint_to(&mint, &token, 10_000_000_000).await;
    // Borrow, deposit it (credit), withdraw the credit and one more unit than the cap.
    let middle = vec![
        f.deposit_ix(&lender, USDC, loan),
        f.withdraw_ix(&lender, USDC, loan + CAP + 1).await,
    ];
    let ixs = f.flash_loan_ixs(&lender.keypair, &token, USDC, loan, middle);
    refused(
        &mut f,
        &lender,
        &ixs,
        Some(LendingError::OutflowLimitExceeded.into()),
    )
    .await;
    // At the cap exactly it lands, and the vault loses the cap less the fee: no more.
    let middle = vec![
        f.deposit_ix(&lender, USDC, loan),
        f.withdraw_ix(&lender, USDC, loan + CAP).await,
    ];
    let ixs = f.flash_loan_ixs(&lender.keypair, &token, USDC, loan, middle);
    let before = f.balance(&vault).await;
    f.send(&ixs, &[&lender.keypair]).await.expect("net = cap");
    let fee = lending_math::flash::fee(loan, 30).unwrap();
    let after = f.balance(&vault).await;
    assert_eq!(
        i128::from(after) - i128::from(before),
        i128::from(fee) - i128::from(CAP)
    );
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    let res = f.withdraw(&lender, USDC, 1).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
    assert_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn fail_flash_funded_repay_credit_to_borrow_past_the_cap() {
    let (mut f, lender, _user) = capped_flash_market(30).await;
    let borrower = f.new_user(&[0, 20_000_000_000_000, 0]).await;
    f.deposit(&borrower, SOL, 20_000_000_000_000)
        .await
        .expect("collateral");
    f.borrow(&borrower, USDC, 600_000_000)
        .await
        .expect("borrow");
    f.withdraw(&lender, USDC, 400_000_000)
        .await
        .expect("the rest of the cap");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    let mint = f.reserves[USDC].mint;
    f.mint_to(&mint, &borrower.tokens[USDC], 100_000_000).await;
    let token = borrower.tokens[USDC];
    let loan = 500_000_000;
    let refresh = vec![f.refresh_reserve_ix(USDC), f.refresh_reserve_ix(SOL)];
    // Flash-borrow 500, repay 500 of the debt with it (credit 500), borrow 500 + 1 again.
    let repay = f.repay_ix(&borrower, USDC, loan);
    let over = f.borrow_ix(&borrower, USDC, loan + 1).await;
    let exact = f.borrow_ix(&borrower, USDC, loan).await;
    let ixs = f.flash_loan_ixs(
        &borrower.keypair,
        &token,
        USDC,
        loan,
        [refresh.clone(), vec![repay.clone(), over]].concat(),
    );
    refused(
        &mut f,
        &borrower,
        &ixs,
        Some(LendingError::OutflowLimitExceeded.into()),
    )
    .await;
    // Exactly the credit: lands, the window stays drained, the vault gains the fee.
    let vault = f.reserves[USDC].vault;
    let before = f.balance(&vault).await;
    let ixs = f.flash_loan_ixs(
        &borrower.keypair,
        &token,
        USDC,
        loan,
        [refresh, vec![repay, exact]].concat(),
    );
    f.send(&ixs, &[&borrower.keypair])
        .await
        .expect("the credit exactly");
    assert_eq!(
        f.balance(&vault).await - before,
        lending_math::flash::fee(loan, 30).unwrap()
    );
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    assert_whole(&mut f, USDC).await;
}

// ----- the window itself ------------------------------------------------------------------------

/// Sets the clock to `ts` (and the slot one on).
async fn set_time(f: &mut TestFixture, ts: i64) {
    let clock: Clock = f.ctx.banks_client.get_sysvar().await.expect("clock");
    f.ctx.warp_to_slot(clock.slot + 1).expect("warp");
    let mut after: Clock = f.ctx.banks_client.get_sysvar().await.expect("clock");
    after.unix_timestamp = ts;
    f.ctx.set_sysvar(&after);
    for i in 0..f.reserves.len() {
        let mut p = f.reserves[i].price;
        p.publish_time = ts;
        f.write_price(i, p);
    }
}

/// A lender of 20,000 USDC under a 1,000 USDC / hour cap; returns the bucket start.
async fn capped_lender() -> (TestFixture, TestUser, i64) {
    let mut f = TestFixture::new().await;
    let a = f.new_user(&[20_000_000_000, 0, 0]).await;
    f.deposit(&a, USDC, 20_000_000_000).await.expect("deposit");
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    let start = f.reserve(USDC).await.outflow.bucket_start_ts;
    (f, a, start)
}

/// Withdraws as much as the window allows now (by the program's own figure), returns it.
async fn drain(f: &mut TestFixture, user: &TestUser) -> u64 {
    let room = f.outflow_remaining(USDC).await;
    if room > 0 {
        f.withdraw(user, USDC, room).await.expect("the room");
    }
    let res = f.withdraw(user, USDC, 1).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
    room
}

#[tokio::test]
async fn fail_drain_past_two_caps_across_a_bucket_boundary() {
    let (mut f, a, start) = capped_lender().await;
    let w = HOUR as i64;
    // The whole cap at the last second of the first bucket.
    set_time(&mut f, start + w - 1).await;
    let mut out = vec![(start + w - 1, drain(&mut f, &a).await)];
    // Then at every step across the next bucket, whatever the window gives back.
    for t in [
        start + w,
        start + w + 1,
        start + w + w / 4,
        start + w + w / 2,
        start + 2 * w - 1,
        start + 2 * w,
        start + 2 * w + 1,
    ] {
        set_time(&mut f, t).await;
        out.push((t, drain(&mut f, &a).await));
    }
    assert_eq!(out[1].1, 0, "nothing right after the boundary");
    // No sliding window of W seconds saw more than 2 × cap (the documented bound), and any
    // window of W seconds that starts at the first drain saw at most cap × (1 + L/W) + 1.
    for (i, (t0, _)) in out.iter().enumerate() {
        let total: u64 = out[i..]
            .iter()
            .filter(|(t, _)| *t < t0 + w)
            .map(|(_, x)| *x)
            .sum();
        assert!(total <= 2 * CAP, "{total} in the window from {t0}");
    }
    assert_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn fail_withdraw_more_after_the_clock_moves_backwards() {
    let (mut f, a, start) = capped_lender().await;
    set_time(&mut f, start + 600).await;
    assert_eq!(drain(&mut f, &a).await, CAP);
    // Backwards by two hours (prices left as they were; a withdrawal without debt reads
    // none): the window must not forget the drain.
    let clock: Clock = f.ctx.banks_client.get_sysvar().await.expect("clock");
    f.ctx.warp_to_slot(clock.slot + 1).expect("warp");
    let mut back: Clock = f.ctx.banks_client.get_sysvar().await.expect("clock");
    back.unix_timestamp = start - 7_200;
    f.ctx.set_sysvar(&back);
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    let ix = f.withdraw_ix(&a, USDC, 1).await;
    let res = f.send(&[ix], &[&a.keypair]).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
    // And forward again to the same point: still drained.
    set_time(&mut f, start + 601).await;
    assert_eq!(f.outflow_remaining(USDC).await, 0);
}

#[tokio::test]
async fn fail_cap_or_window_changes_mid_window_forgetting_outflow() {
    let (mut f, a, start) = capped_lender().await;
    set_time(&mut f, start + 600).await;
    f.withdraw(&a, USDC, 800_000_000).await.expect("800");
    // Lower cap, same window: applies at once.
    f.set_outflow_limit(USDC, 500_000_000, HOUR).await;
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    // Back up, then to a two-hour window and back: the 800 stays counted.
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    assert_eq!(f.outflow_remaining(USDC).await, 200_000_000);
    f.set_outflow_limit(USDC, CAP, 2 * HOUR).await;
    assert!(f.outflow_remaining(USDC).await <= 200_000_000);
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    assert!(f.outflow_remaining(USDC).await <= 200_000_000);
    // Shortest window then back: the carried estimate is kept each time.
    f.set_outflow_limit(USDC, CAP, 60).await;
    assert!(f.outflow_remaining(USDC).await <= 200_000_000);
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    assert!(f.outflow_remaining(USDC).await <= 200_000_000);
    let room = f.outflow_remaining(USDC).await;
    let res = f.withdraw(&a, USDC, room + 1).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
}

#[tokio::test]
async fn successful_window_at_the_largest_cap_and_amounts_never_panics() {
    let mut f = TestFixture::new().await;
    let big = 900_000_000_000_000_000u64; // 9e17 base units, under the deposit cap of 1e18
    let a = f.new_user(&[big, 0, 0]).await;
    f.set_outflow_limit(USDC, lending_math::outflow::MAX_OUTFLOW_CAP, MAX_WINDOW)
        .await;
    f.deposit(&a, USDC, big / 2).await.expect("deposit");
    f.deposit(&a, USDC, big / 2).await.expect("deposit");
    f.withdraw(&a, USDC, u64::MAX).await.expect("withdraw all");
    let o = f.reserve(USDC).await.outflow;
    let now = f.now().await;
    assert!(remaining_floor(&o.limit(), &o.window(), now).is_ok());
    assert_whole(&mut f, USDC).await;
}

const MAX_WINDOW: u64 = lending_math::outflow::MAX_OUTFLOW_WINDOW_SECS;

// ----- liquidation inside a flash loan -------------------------------------------------------

/// USDC lender (10k), SOL lender (10 SOL), borrower (10 SOL, 700 USDC debt), a liquidator with
/// 1,000 USDC and nothing else; SOL then at `sol_price`; flash loans on both at `fee_bps`.
async fn unhealthy(seed: u64, fee_bps: u16, sol_price: f64) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::with_key_seed(seed).await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let sol_lender = f.new_user(&[0, 20_000_000_000, 0]).await;
    f.deposit(&sol_lender, SOL, 10_000_000_000)
        .await
        .expect("sol lender");
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("borrow");
    f.enable_flash_loans(USDC, fee_bps).await;
    f.enable_flash_loans(SOL, fee_bps).await;
    let liquidator = f.new_user(&[1_000_000_000, 0, 0]).await;
    f.set_price(SOL, sol_price).await;
    (f, borrower, liquidator)
}

#[tokio::test]
async fn successful_flash_liquidation_repays_at_most_and_keeps_reserves_whole() {
    let (mut f, borrower, liquidator) = unhealthy(7, 30, 80.0).await;
    f.set_outflow_limit(USDC, 1, 60).await;
    f.set_outflow_limit(SOL, 1, 60).await;
    let debt_before = f.obligation(&borrower.obligation).await.borrows[0]
        .normalized_debt_sf
        .get();
    let usdc_value = share_value(&f.reserve(USDC).await);
    let sol_value = share_value(&f.reserve(SOL).await);
    let loan = 5_000_000_000; // far more than any liquidation may repay
    let mut middle = f.refresh_ixs(&borrower.obligation).await;
    middle.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &borrower.obligation,
            (USDC, SOL),
            u64::MAX,
            0,
            None,
        )
        .await,
    );
    let ixs = f.flash_loan_ixs(
        &liquidator.keypair,
        &liquidator.tokens[USDC],
        USDC,
        loan,
        middle,
    );
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("flash liquidation");
    let o = f.obligation(&borrower.obligation).await;
    assert!(o.borrows[0].normalized_debt_sf.get() < debt_before);
    assert!(f.balance(&liquidator.tokens[SOL]).await > 0);
    assert!(share_value(&f.reserve(USDC).await) >= usdc_value);
    assert!(share_value(&f.reserve(SOL).await) >= sol_value);
    assert_whole(&mut f, USDC).await;
    assert_whole(&mut f, SOL).await;
}

#[tokio::test]
async fn fail_seize_in_tokens_of_flash_lent_collateral() {
    let (mut f, borrower, liquidator) = unhealthy(8, 30, 80.0).await;
    let all = f.reserve(SOL).await.available_amount;
    let mut middle = f.refresh_ixs(&borrower.obligation).await;
    middle.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &borrower.obligation,
            (USDC, SOL),
            u64::MAX,
            0,
            None,
        )
        .await,
    );
    let ixs = f.flash_loan_ixs(
        &liquidator.keypair,
        &liquidator.tokens[SOL],
        SOL,
        all,
        middle,
    );
    refused(
        &mut f,
        &liquidator,
        &ixs,
        Some(LendingError::InsufficientLiquidity.into()),
    )
    .await;
}

// ----- differentials: a fee-0 flash loan around an action changes nothing --------------------

/// Accounts compared by the differentials.
fn compared(f: &TestFixture, borrower: &TestUser, liquidator: &TestUser) -> Vec<Pubkey> {
    watched(f, &[borrower, liquidator], &[])
}

/// Field-level differences of two reserves (for the failure message).
fn reserve_diff(a: &Reserve, b: &Reserve) -> String {
    format!(
        "available {} vs {}, insurance {} vs {}, protocol_fees_sf {:?} vs {:?}, share_supply {} vs {}, share value {:?} vs {:?}",
        a.available_amount,
        b.available_amount,
        a.insurance_amount,
        b.insurance_amount,
        a.protocol_fees_sf.get(),
        b.protocol_fees_sf.get(),
        a.share_supply,
        b.share_supply,
        share_value(a),
        share_value(b),
    )
}

/// Runs the liquidation on two identical markets, the second inside a fee-0 flash loan of
/// all of reserve `lent`'s liquidity (or `part` of it); compares every account after.
async fn liquidation_differential(
    seed: u64,
    sol_price: f64,
    lent: usize,
    receiver: bool,
    part: Option<u64>,
) {
    let mut states = Vec::new();
    let mut reserves = Vec::new();
    for wrapped in [false, true] {
        let (mut f, borrower, liquidator) = unhealthy(seed, 0, sol_price).await;
        let recv = receiver.then_some(liquidator.obligation);
        let mut ixs = f.refresh_ixs(&borrower.obligation).await;
        ixs.push(
            liquidate_ix_with(
                &mut f,
                &liquidator,
                &borrower.obligation,
                (USDC, SOL),
                u64::MAX,
                0,
                recv,
            )
            .await,
        );
        if wrapped {
            let amount = part.unwrap_or(f.reserve(lent).await.available_amount);
            ixs = f.flash_loan_ixs(
                &liquidator.keypair,
                &liquidator.tokens[lent],
                lent,
                amount,
                ixs,
            );
        }
        f.send(&ixs, &[&liquidator.keypair])
            .await
            .expect("liquidation");
        assert_whole(&mut f, USDC).await;
        assert_whole(&mut f, SOL).await;
        let keys = compared(&f, &borrower, &liquidator);
        states.push(f.snapshot(&keys).await);
        reserves.push((f.reserve(USDC).await, f.reserve(SOL).await));
    }
    assert!(
        states[0] == states[1],
        "a fee-0 flash loan of reserve {lent} changed the liquidation's outcome:\n USDC: {}\n SOL: {}",
        reserve_diff(&reserves[0].0, &reserves[1].0),
        reserve_diff(&reserves[0].1, &reserves[1].1),
    );
}

#[tokio::test]
async fn successful_differential_liquidation_in_tokens_inside_a_loan_of_the_debt_reserve() {
    liquidation_differential(11, 80.0, USDC, false, None).await;
}

#[tokio::test]
async fn successful_differential_liquidation_in_shares_inside_a_loan_of_the_debt_reserve() {
    liquidation_differential(12, 80.0, USDC, true, None).await;
}

/// Found by this review: with the collateral reserve's free liquidity lent out, a liquidation
/// paid in shares found `protocol_fee_amount > available_amount` and booked the protocol's fee
/// as `protocol_fees_sf` instead of moving it to `insurance_amount`; any liquidator could keep
/// the fee from the insurance fund with a fee-0 flash loan. Now refused
/// (`LiquidationFeeInFlashLoan`), changing nothing; without the loan the fee reaches insurance.
#[tokio::test]
async fn fail_liquidation_in_shares_when_the_collateral_liquidity_is_out_in_a_flash_loan() {
    let (mut f, borrower, liquidator) = unhealthy(13, 0, 80.0).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &borrower.obligation,
            (USDC, SOL),
            u64::MAX,
            0,
            Some(liquidator.obligation),
        )
        .await,
    );
    let all = f.reserve(SOL).await.available_amount;
    let wrapped = f.flash_loan_ixs(
        &liquidator.keypair,
        &liquidator.tokens[SOL],
        SOL,
        all,
        ixs.clone(),
    );
    let keys = compared(&f, &borrower, &liquidator);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&wrapped, &[&liquidator.keypair]).await,
        LendingError::LiquidationFeeInFlashLoan,
    );
    assert!(
        f.snapshot(&keys).await == before,
        "a refused liquidation changed an account"
    );
    let insurance = f.reserve(SOL).await.insurance_amount;
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("the same liquidation without the loan");
    assert!(f.reserve(SOL).await.insurance_amount > insurance);
}

#[tokio::test]
async fn successful_differential_write_off_inside_a_loan_of_the_debt_reserve() {
    // SOL at $50: 10 SOL ($500) behind $700 of debt; the liquidation takes the last collateral
    // and writes the rest off in USDC while USDC's liquidity is lent out.
    liquidation_differential(14, 50.0, USDC, true, None).await;
}

#[tokio::test]
async fn successful_differential_write_off_in_tokens_inside_a_loan_of_the_collateral_reserve() {
    // Half of SOL's free liquidity lent: enough left for the seizure in tokens.
    liquidation_differential(15, 50.0, SOL, false, Some(5_000_000_000)).await;
}

/// The same for a user action `make` (built on the fixture) by `user`, inside a fee-0 loan of
/// `part` of reserve `lent`.
async fn action_differential(seed: u64, lent: usize, part: u64, action: &str) {
    let mut states = Vec::new();
    let mut reserves = Vec::new();
    for wrapped in [false, true] {
        let (mut f, borrower, liquidator) = unhealthy(seed, 0, 100.0).await;
        let mint = f.reserves[USDC].mint;
        f.mint_to(&mint, &borrower.tokens[USDC], 1_000_000_000)
            .await;
        let mut ixs = f.refresh_ixs(&borrower.obligation).await;
        match action {
            "repay" => ixs.push(f.repay_ix(&borrower, USDC, 300_000_000)),
            "repay_all" => ixs.push(f.repay_ix(&borrower, USDC, u64::MAX)),
            "borrow" => ixs.push(f.borrow_ix(&borrower, USDC, 20_000_000).await),
            "withdraw" => ixs.push(f.withdraw_ix(&borrower, SOL, 100_000_000).await),
            "deposit" => ixs.push(f.deposit_ix(&borrower, SOL, 1_000_000_000)),
            _ => unreachable!(),
        }
        if wrapped {
            ixs = f.flash_loan_ixs(&borrower.keypair, &borrower.tokens[lent], lent, part, ixs);
        }
        f.send(&ixs, &[&borrower.keypair]).await.expect(action);
        assert_whole(&mut f, USDC).await;
        assert_whole(&mut f, SOL).await;
        let keys = compared(&f, &borrower, &liquidator);
        states.push(f.snapshot(&keys).await);
        reserves.push((f.reserve(USDC).await, f.reserve(SOL).await));
    }
    assert!(
        states[0] == states[1],
        "a fee-0 flash loan of reserve {lent} changed `{action}`:\n USDC: {}\n SOL: {}",
        reserve_diff(&reserves[0].0, &reserves[1].0),
        reserve_diff(&reserves[0].1, &reserves[1].1),
    );
}

#[tokio::test]
async fn successful_differential_user_actions_inside_a_loan_of_the_same_reserve() {
    action_differential(21, USDC, 5_000_000_000, "repay").await;
    action_differential(22, USDC, 5_000_000_000, "repay_all").await;
    action_differential(23, USDC, 5_000_000_000, "borrow").await;
    action_differential(24, SOL, 5_000_000_000, "withdraw").await;
    action_differential(25, SOL, 5_000_000_000, "deposit").await;
}

#[tokio::test]
async fn successful_differential_actions_with_interest_pending_inside_a_loan() {
    // An hour of interest not yet accrued when the loan is taken: flash_borrow accrues it at
    // the pre-loan utilization, the action then sees the same index as without the loan.
    let mut states = Vec::new();
    for wrapped in [false, true] {
        let (mut f, borrower, liquidator) = unhealthy(31, 0, 100.0).await;
        f.advance_time(HOUR as i64).await;
        let mint = f.reserves[USDC].mint;
        f.mint_to(&mint, &borrower.tokens[USDC], 1_000_000_000)
            .await;
        let mut ixs = vec![f.repay_ix(&borrower, USDC, 123_456_789)];
        ixs.extend(f.refresh_ixs(&borrower.obligation).await);
        ixs.push(f.borrow_ix(&borrower, USDC, 10_000_000).await);
        if wrapped {
            let all = f.reserve(USDC).await.available_amount;
            ixs = f.flash_loan_ixs(
                &borrower.keypair,
                &borrower.tokens[USDC],
                USDC,
                all - 20_000_000,
                ixs,
            );
        }
        f.send(&ixs, &[&borrower.keypair])
            .await
            .expect("repay and borrow");
        assert_whole(&mut f, USDC).await;
        let keys = compared(&f, &borrower, &liquidator);
        states.push(f.snapshot(&keys).await);
    }
    assert!(
        states[0] == states[1],
        "a fee-0 loan changed accrual or the actions"
    );
}

// ----- more access and pause checks --------------------------------------------------------

#[tokio::test]
async fn fail_set_flash_loan_config_by_the_admin_of_another_market() {
    let mut f = TestFixture::new().await;
    let (market_b, _reserve_b, _vault_b, _oc, admin_b) = f.second_market(USDC).await;
    // Market B's admin, market B, market A's reserve.
    let ix = with_account(
        f.set_flash_loan_config_ix(&admin_b.pubkey(), USDC, true, 0),
        1,
        market_b,
    );
    let keys = [f.reserves[USDC].reserve];
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&[ix], &[&admin_b]).await,
        LendingError::InvalidMarket,
    );
    // Market B's admin with market A.
    let ix = f.set_flash_loan_config_ix(&admin_b.pubkey(), USDC, true, 0);
    assert_error(f.send(&[ix], &[&admin_b]).await, LendingError::Unauthorized);
    // The same for the outflow limit (a 0 cap turning A's limit off).
    let ix = with_account(
        f.set_outflow_limit_ix(&admin_b.pubkey(), USDC, 0, 0),
        1,
        market_b,
    );
    assert_error(
        f.send(&[ix], &[&admin_b]).await,
        LendingError::InvalidMarket,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_flash_borrow_when_borrowing_is_paused() {
    let (mut f, _lender, user) = flash_market(0).await;
    let admin = f.admin.insecure_clone();
    let mut params = default_market_params();
    params.borrow_paused = true;
    let ix = f.update_market_ix(&admin.pubkey(), params);
    f.send(&[ix], &[&admin]).await.expect("pause");
    let ixs = f.flash_loan_ixs(&user.keypair, &user.tokens[USDC], USDC, 1_000_000, vec![]);
    refused(&mut f, &user, &ixs, Some(LendingError::BorrowPaused.into())).await;
}

#[tokio::test]
async fn fail_withdraw_all_with_u64_max_past_the_cap() {
    let (mut f, a, _start) = capped_lender().await;
    // u64::MAX (every share) is counted at what it pays, not waved through.
    let ix = f.withdraw_ix(&a, USDC, u64::MAX).await;
    let keys = watched(&f, &[&a], &[]);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&[ix], &[&a.keypair]).await,
        LendingError::OutflowLimitExceeded,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn successful_flash_loan_of_a_token_2022_reserve_and_wrong_program_refused() {
    let mut f = TestFixture::new().await;
    let listing = (6u8, 1.0, OracleKind::PythPull, {
        let mut id = [0u8; 32];
        id[0] = 0x22;
        id
    });
    let idx = f
        .add_reserve_of(
            spl_token_2022_interface::ID,
            listing,
            reserve_config(8_000, 8_500, 10_000),
        )
        .await;
    let lender = f.new_user(&[0, 0, 0, 1_000_000_000_000]).await;
    f.deposit(&lender, idx, 1_000_000_000_000)
        .await
        .expect("deposit 2022");
    f.enable_flash_loans(idx, 30).await;
    let user = f.new_user(&[0, 0, 0, 10_000_000_000]).await;
    let before = share_value(&f.reserve(idx).await);
    let ixs = f.flash_loan_ixs(
        &user.keypair,
        &user.tokens[idx],
        idx,
        500_000_000_000,
        vec![],
    );
    f.send(&ixs, &[&user.keypair])
        .await
        .expect("Token-2022 loan");
    assert!(share_value(&f.reserve(idx).await) > before);
    assert_whole(&mut f, idx).await;
    // The classic Token program named for the Token-2022 reserve.
    let (payer, token) = (user.keypair.pubkey(), user.tokens[idx]);
    let classic = spl_token_interface::ID;
    let ixs = [
        with_account(
            f.flash_borrow_ix(&payer, &token, idx, 1_000_000),
            6,
            classic,
        ),
        f.flash_repay_ix(&payer, &token, idx, 1_000_000, FIRST),
    ];
    refused(
        &mut f,
        &user,
        &ixs,
        Some(LendingError::InvalidTokenProgram.into()),
    )
    .await;
}
