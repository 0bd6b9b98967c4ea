//! Flash loans: the pair in one transaction, and the attacks on it. Every refused transaction
//! is checked for its exact error and for unchanged accounts (reserves, vaults, the user's
//! token accounts and obligation, byte for byte).
//!
//! Transactions start with the fixture's two compute-budget instructions, so the first
//! instruction a test passes has index `FIRST` (2).

pub mod cpi_proxy;
pub mod ix;

use anchor_lang::prelude::AccountMeta;
use lending::error::LendingError;
use lending_math::{interest, shares, Decimal};
use solana_program_test::BanksClientError;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::fixture::*;
use ix::{share_value, FIRST};

/// SPL Token's `InsufficientFunds`.
const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;
/// 1,000,000 USDC (6 decimals).
const LIQUIDITY: u64 = 1_000_000_000_000;

/// A market whose USDC and SOL reserves lend flash loans at `fee_bps`, 1M USDC deposited by a
/// lender, and a user holding 10k USDC and 10 SOL.
async fn setup(fee_bps: u16) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[LIQUIDITY, 0, 0]).await;
    f.deposit(&lender, USDC, LIQUIDITY).await.expect("deposit");
    f.enable_flash_loans(USDC, fee_bps).await;
    f.enable_flash_loans(SOL, fee_bps).await;
    let user = f.new_user(&[10_000_000_000, 10_000_000_000, 0]).await;
    (f, lender, user)
}

/// The accounts a flash loan could change: both reserves and vaults, the user's tokens and
/// obligation.
fn watched(f: &TestFixture, user: &TestUser) -> Vec<Pubkey> {
    let mut keys = Vec::new();
    for idx in [USDC, SOL] {
        keys.push(f.reserves[idx].reserve);
        keys.push(f.reserves[idx].vault);
        keys.push(user.tokens[idx]);
    }
    keys.push(user.obligation);
    keys
}

/// Sends `ixs` signed by `user`, asserts the exact error `code` and that no watched account
/// changed.
async fn assert_refused(f: &mut TestFixture, user: &TestUser, ixs: &[Instruction], code: u32) {
    let keys = watched(f, user);
    let before = f.snapshot(&keys).await;
    let res: Result<(), BanksClientError> = f.send(ixs, &[&user.keypair]).await;
    assert_error(res, code);
    assert_eq!(f.snapshot(&keys).await, before, "accounts changed");
}

/// Vault balance = available + insurance, and no loan left outstanding.
async fn assert_reserve_whole(f: &mut TestFixture, idx: usize) {
    let r = f.reserve(idx).await;
    let vault = f.reserves[idx].vault;
    assert_eq!(
        f.balance(&vault).await,
        r.available_amount + r.insurance_amount
    );
    assert_eq!(r.flash_loan_amount, 0);
}

#[tokio::test]
async fn successful_flash_loan_pays_its_fee_to_depositors_and_the_protocol() {
    let (mut f, _lender, user) = setup(30).await;
    let amount = 500_000_000_000;
    let before = f.reserve(USDC).await;
    let held = f.balance(&user.tokens[USDC]).await;
    let ixs = f.flash_loan_ixs(&user.keypair, &user.tokens[USDC], USDC, amount, vec![]);
    f.send(&ixs, &[&user.keypair]).await.expect("flash loan");

    let after = f.reserve(USDC).await;
    // 0.30% of 500,000 USDC = 1,500 USDC; the reserve factor (10%) to the protocol.
    let fee = 1_500_000_000;
    assert_eq!(f.balance(&user.tokens[USDC]).await, held - fee);
    assert_eq!(after.available_amount, before.available_amount + fee);
    let protocol = after
        .protocol_fees_sf
        .get()
        .try_sub(before.protocol_fees_sf.get())
        .unwrap();
    assert_eq!(protocol, Decimal::from_u64(fee / 10));
    let depositors = after
        .total_supply_assets()
        .unwrap()
        .try_sub(before.total_supply_assets().unwrap())
        .unwrap();
    assert_eq!(depositors, Decimal::from_u64(fee - fee / 10));
    assert!(share_value(&after) > share_value(&before));
    assert_eq!(after.share_supply, before.share_supply);
    assert_reserve_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn successful_loans_one_after_the_other_at_a_zero_fee() {
    let (mut f, _lender, user) = setup(0).await;
    let before = f.reserve(USDC).await;
    let all = before.available_amount;
    let held = f.balance(&user.tokens[USDC]).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    let ixs = vec![
        f.flash_borrow_ix(&payer, &token, USDC, all),
        f.flash_repay_ix(&payer, &token, USDC, all, FIRST),
        f.flash_borrow_ix(&payer, &token, USDC, 7),
        f.flash_repay_ix(&payer, &token, USDC, 7, FIRST + 2),
    ];
    f.send(&ixs, &[&user.keypair]).await.expect("two loans");
    assert_eq!(f.balance(&user.tokens[USDC]).await, held, "free");
    let after = f.reserve(USDC).await;
    assert_eq!(bytemuck::bytes_of(&after), bytemuck::bytes_of(&before));
    assert_reserve_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn fail_flash_borrow_when_the_reserve_has_not_enabled_flash_loans() {
    // Reserves listed before flash loans read 0: disabled until the admin decides.
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[10_000_000_000, 0, 0]).await;
    assert_eq!(f.reserve(USDC).await.flash_loans_enabled, 0);
    let ixs = f.flash_loan_ixs(&user.keypair, &user.tokens[USDC], USDC, 1_000, vec![]);
    assert_refused(&mut f, &user, &ixs, LendingError::FlashLoansDisabled.into()).await;
    // Disabled again after being enabled.
    f.enable_flash_loans(USDC, 5).await;
    let admin = f.admin.insecure_clone();
    let off = f.set_flash_loan_config_ix(&admin.pubkey(), USDC, false, 5);
    f.send(&[off], &[&admin]).await.expect("disable");
    assert_refused(&mut f, &user, &ixs, LendingError::FlashLoansDisabled.into()).await;
}

#[tokio::test]
async fn fail_flash_borrow_when_the_repay_is_missing() {
    let (mut f, _lender, user) = setup(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    let alone = [f.flash_borrow_ix(&payer, &token, USDC, 1_000_000)];
    assert_refused(
        &mut f,
        &user,
        &alone,
        LendingError::FlashRepayMissing.into(),
    )
    .await;
    // A plain `repay` after it is no flash repayment either.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.repay_ix(&user, USDC, 1_000_000),
    ];
    assert_refused(&mut f, &user, &ixs, LendingError::FlashRepayMissing.into()).await;
}

#[tokio::test]
async fn fail_flash_borrow_when_the_repay_is_for_another_reserve() {
    let (mut f, _lender, user) = setup(30).await;
    let payer = user.keypair.pubkey();
    let ixs = [
        f.flash_borrow_ix(&payer, &user.tokens[USDC], USDC, 1_000_000),
        f.flash_repay_ix(&payer, &user.tokens[SOL], SOL, 1_000_000, FIRST),
    ];
    assert_refused(
        &mut f,
        &user,
        &ixs,
        LendingError::FlashRepayWrongReserve.into(),
    )
    .await;
}

#[tokio::test]
async fn fail_flash_borrow_when_the_repay_is_smaller() {
    let (mut f, _lender, user) = setup(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &token, USDC, 999_999, FIRST),
    ];
    assert_refused(
        &mut f,
        &user,
        &ixs,
        LendingError::FlashRepayAmountMismatch.into(),
    )
    .await;
}

#[tokio::test]
async fn fail_flash_repay_when_the_payer_cannot_pay_the_fee() {
    let (mut f, _lender, _user) = setup(30).await;
    // Holds nothing: the loan itself is there to repay, not its fee.
    let poor = f.new_user(&[0, 0, 0]).await;
    let ixs = f.flash_loan_ixs(&poor.keypair, &poor.tokens[USDC], USDC, 1_000_000, vec![]);
    assert_refused(&mut f, &poor, &ixs, TOKEN_INSUFFICIENT_FUNDS).await;
}

#[tokio::test]
async fn fail_flash_borrow_when_two_borrows_share_one_repay() {
    let (mut f, _lender, user) = setup(30).await;
    let (payer, usdc, sol) = (user.keypair.pubkey(), user.tokens[USDC], user.tokens[SOL]);
    let nested = LendingError::FlashBorrowNested.into();
    // Two borrows, one repayment naming the first.
    let ixs = [
        f.flash_borrow_ix(&payer, &usdc, USDC, 1_000_000),
        f.flash_borrow_ix(&payer, &usdc, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &usdc, USDC, 1_000_000, FIRST),
    ];
    assert_refused(&mut f, &user, &ixs, nested).await;
    // ... or naming the second.
    let ixs = [
        f.flash_borrow_ix(&payer, &usdc, USDC, 1_000_000),
        f.flash_borrow_ix(&payer, &usdc, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &usdc, USDC, 1_000_000, FIRST + 1),
    ];
    assert_refused(&mut f, &user, &ixs, nested).await;
    // Properly nested loans of two reserves, each repaid: still refused.
    let ixs = [
        f.flash_borrow_ix(&payer, &usdc, USDC, 1_000_000),
        f.flash_borrow_ix(&payer, &sol, SOL, 1_000_000),
        f.flash_repay_ix(&payer, &sol, SOL, 1_000_000, FIRST + 1),
        f.flash_repay_ix(&payer, &usdc, USDC, 1_000_000, FIRST),
    ];
    assert_refused(&mut f, &user, &ixs, nested).await;
}

#[tokio::test]
async fn fail_flash_borrow_when_called_through_cpi() {
    let (mut f, _lender, user) = setup(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    // The borrow inside another program's instruction, a top-level repayment naming it.
    let ixs = [
        cpi_proxy::wrap(&f.flash_borrow_ix(&payer, &token, USDC, 1_000_000)),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    assert_refused(&mut f, &user, &ixs, LendingError::FlashLoanCpi.into()).await;
    // A top-level borrow whose repayment runs through CPI: the scan sees no top-level repayment.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        cpi_proxy::wrap(&f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST)),
    ];
    assert_refused(&mut f, &user, &ixs, LendingError::FlashRepayMissing.into()).await;
    // With a top-level repayment too, the CPI'd one is refused on its own.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        cpi_proxy::wrap(&f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST)),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    assert_refused(&mut f, &user, &ixs, LendingError::FlashLoanCpi.into()).await;
}

#[tokio::test]
async fn fail_flash_repay_when_it_names_a_wrong_borrow_index() {
    let (mut f, _lender, user) = setup(30).await;
    let (payer, token) = (user.keypair.pubkey(), user.tokens[USDC]);
    // The borrow's repayment names the next instruction (itself): the borrow has none.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST + 1),
    ];
    assert_refused(&mut f, &user, &ixs, LendingError::FlashRepayMissing.into()).await;
    let invalid = LendingError::FlashRepayInvalidBorrow.into();
    // A repayment naming an instruction that is no flash borrow.
    let ixs = [
        f.refresh_reserve_ix(USDC),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    assert_refused(&mut f, &user, &ixs, invalid).await;
    // Naming itself, or an index past the transaction.
    for index in [FIRST, FIRST + 5] {
        let ixs = [f.flash_repay_ix(&payer, &token, USDC, 1_000_000, index)];
        assert_refused(&mut f, &user, &ixs, invalid).await;
    }
    // Naming a borrow of another amount (a second repayment after the real one).
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
        f.flash_repay_ix(&payer, &token, USDC, 2_000_000, FIRST),
    ];
    assert_refused(&mut f, &user, &ixs, invalid).await;
    // Repaying the same borrow twice: the loan is no longer out.
    let ixs = [
        f.flash_borrow_ix(&payer, &token, USDC, 1_000_000),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
        f.flash_repay_ix(&payer, &token, USDC, 1_000_000, FIRST),
    ];
    assert_refused(
        &mut f,
        &user,
        &ixs,
        LendingError::FlashLoanNotOutstanding.into(),
    )
    .await;
}

/// `ix` (built for an empty obligation) with `reserves` as its remaining accounts.
fn with_reserves(mut ix: Instruction, reserves: &[Pubkey]) -> Instruction {
    ix.accounts.extend(
        reserves
            .iter()
            .map(|r| AccountMeta::new_readonly(*r, false)),
    );
    ix
}

#[tokio::test]
async fn fail_flash_borrowed_collateral_when_withdrawn_or_left_behind_a_borrow() {
    let (mut f, _lender, _user) = setup(30).await;
    let sol_lender = f.new_user(&[0, 1_000_000_000_000, 0]).await;
    f.deposit(&sol_lender, SOL, 1_000_000_000_000)
        .await
        .expect("SOL liquidity");
    // The attacker holds 2,000 USDC, enough for the fee on 100,000 USDC and nothing else.
    let attacker = f.new_user(&[2_000_000_000, 0, 0]).await;
    let loan = 100_000_000_000;
    let (usdc, sol) = (f.reserves[USDC].reserve, f.reserves[SOL].reserve);
    let deposit = f.deposit_ix(&attacker, USDC, loan);
    // $50,000 of SOL against $100,000 of flash-borrowed collateral (LTV 80%): it passes.
    let borrow = with_reserves(f.borrow_ix(&attacker, SOL, 500_000_000_000).await, &[usdc]);
    let withdraw = with_reserves(f.withdraw_ix(&attacker, USDC, loan).await, &[usdc, sol]);
    let refreshes = vec![f.refresh_reserve_ix(USDC), f.refresh_reserve_ix(SOL)];

    // Borrow against the deposit, then take the deposit back to repay the loan: the
    // withdrawal runs its own health check on the debt just taken.
    let mut middle = refreshes.clone();
    middle.extend([deposit.clone(), borrow.clone(), withdraw]);
    let ixs = f.flash_loan_ixs(
        &attacker.keypair,
        &attacker.tokens[USDC],
        USDC,
        loan,
        middle,
    );
    assert_refused(
        &mut f,
        &attacker,
        &ixs,
        LendingError::WithdrawTooLarge.into(),
    )
    .await;

    // Leave the deposit behind the borrow and repay the loan from the wallet: it holds only
    // the fee, so the repayment cannot be paid and the whole transaction fails.
    let mut middle = refreshes;
    middle.extend([deposit, borrow]);
    let ixs = f.flash_loan_ixs(
        &attacker.keypair,
        &attacker.tokens[USDC],
        USDC,
        loan,
        middle,
    );
    assert_refused(&mut f, &attacker, &ixs, TOKEN_INSUFFICIENT_FUNDS).await;
    assert_eq!(f.balance(&attacker.tokens[SOL]).await, 0);
    assert_eq!(f.balance(&attacker.tokens[USDC]).await, 2_000_000_000);
}

#[tokio::test]
async fn successful_deposit_mid_loan_gets_the_share_price_of_before_the_loan() {
    let (mut f, lender, _user) = setup(30).await;
    let deposit = 10_000_000_000;
    let attacker = f.new_user(&[20_000_000_000, 0, 0]).await;
    let before = f.reserve(USDC).await;
    let loan = before.available_amount;
    let assets = before.total_supply_assets().unwrap();
    let fair = shares::shares_for_deposit(deposit, assets, before.share_supply).unwrap();
    // What the deposit would get if the lent tokens left the supply total.
    let drained = assets.try_sub(Decimal::from_u64(loan)).unwrap();
    let cheap = shares::shares_for_deposit(deposit, drained, before.share_supply);
    assert!(cheap.is_err() || cheap.unwrap() > fair * 1_000);

    let middle = vec![f.deposit_ix(&attacker, USDC, deposit)];
    let ixs = f.flash_loan_ixs(
        &attacker.keypair,
        &attacker.tokens[USDC],
        USDC,
        loan,
        middle,
    );
    f.send(&ixs, &[&attacker.keypair])
        .await
        .expect("loan around a deposit");
    let minted = f.obligation(&attacker.obligation).await.deposits[0].shares;
    assert_eq!(minted, fair);
    let after = f.reserve(USDC).await;
    assert!(
        share_value(&after) >= share_value(&before),
        "depositors lose nothing"
    );

    // Withdrawn after the repayment: the deposit plus at most its pro-rata part of the
    // depositors' fee, which it bought at the fair price.
    f.next_slot().await;
    let held = f.balance(&attacker.tokens[USDC]).await;
    f.withdraw(&attacker, USDC, u64::MAX)
        .await
        .expect("withdraw");
    let out = f.balance(&attacker.tokens[USDC]).await - held;
    let fee = lending_math::flash::fee(loan, 30).unwrap();
    let part = (fee - fee / 10) as u128 * minted as u128 / after.share_supply as u128;
    assert!(out >= deposit - 1 && out as u128 <= deposit as u128 + part + 1);
    assert!(
        f.balance(&attacker.tokens[USDC]).await < 20_000_000_000,
        "the attacker ends with less than he started with"
    );
    // The lender's shares are worth at least their deposit.
    let lender_shares = f.obligation(&lender.obligation).await.deposits[0].shares;
    let r = f.reserve(USDC).await;
    let worth = shares::redeem_amount(
        lender_shares,
        r.total_supply_assets().unwrap(),
        r.share_supply,
    )
    .unwrap();
    assert!(worth >= LIQUIDITY);
}

#[tokio::test]
async fn successful_interest_accrues_at_the_utilization_of_before_the_loan() {
    let (mut f, _lender, _user) = setup(30).await;
    let borrower = f.new_user(&[0, 10_000_000_000_000, 0]).await;
    f.deposit(&borrower, SOL, 10_000_000_000_000)
        .await
        .expect("collateral");
    f.borrow(&borrower, USDC, 500_000_000_000)
        .await
        .expect("half the USDC");
    f.advance_time(3_600).await;
    let before = f.reserve(USDC).await;
    let trader = f.new_user(&[10_000_000_000, 0, 0]).await;
    let loan = before.available_amount;
    // The refresh in the middle accrues (if the borrow had not): at the pre-loan utilization.
    let middle = vec![f.refresh_reserve_ix(USDC)];
    let ixs = f.flash_loan_ixs(&trader.keypair, &trader.tokens[USDC], USDC, loan, middle);
    f.send(&ixs, &[&trader.keypair]).await.expect("loan");
    let after = f.reserve(USDC).await;

    let rf = before.config.reserve_factor();
    let curve = before.config.curve();
    let expected = interest::accrue(&before.accrual_state(), &curve, rf, 3_600).unwrap();
    assert_eq!(after.borrow_index_sf.get(), expected.borrow_index);
    // A drained reserve (100% utilization) would have accrued at the top of the curve.
    let mut drained = before.accrual_state();
    drained.available = 0;
    let inflated = interest::accrue(&drained, &curve, rf, 3_600).unwrap();
    assert!(inflated.borrow_index > expected.borrow_index);
    assert_reserve_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn fail_set_flash_loan_config_when_out_of_range_or_not_admin() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.insecure_clone();
    let max = lending_math::flash::MAX_FLASH_LOAN_FEE_BPS;
    let too_high = f.set_flash_loan_config_ix(&admin.pubkey(), USDC, true, max + 1);
    let keys = [f.reserves[USDC].reserve];
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&[too_high], &[&admin]).await,
        LendingError::InvalidFlashLoanFee,
    );
    let stranger = Keypair::new();
    let ix = f.set_flash_loan_config_ix(&stranger.pubkey(), USDC, true, 5);
    assert_error(
        f.send(&[ix], &[&stranger]).await,
        LendingError::Unauthorized,
    );
    assert_eq!(f.snapshot(&keys).await, before);
    let ix = f.set_flash_loan_config_ix(&admin.pubkey(), USDC, true, max);
    f.send(&[ix], &[&admin]).await.expect("at the bound");
    let r = f.reserve(USDC).await;
    assert_eq!((r.flash_loans_enabled, r.flash_loan_fee_bps), (1, max));
}
