//! Transaction shapes an attacker controls: instruction layout, amounts, duplicate accounts,
//! admin changes mid-loan, access and pauses.

use super::window::capped_lender;
use super::*;

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
