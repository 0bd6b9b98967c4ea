//! Deposit, withdraw, borrow and repay with bad input: the exact error, and nothing changed.

use anchor_lang::error::ErrorCode;
use lending::error::LendingError;
use solana_sdk::signature::Signer;

use crate::fixture::*;
use crate::user_actions::lender_and_borrower;

/// Keys whose bytes a failed user instruction must leave untouched.
fn touched(f: &TestFixture, user: &TestUser, idx: usize) -> Vec<solana_sdk::pubkey::Pubkey> {
    vec![
        f.reserves[idx].reserve,
        f.reserves[idx].vault,
        user.obligation,
        user.tokens[idx],
    ]
}

#[tokio::test]
async fn fail_deposit_when_owner_did_not_sign() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 0, 0]).await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[0].is_signer = false;
    let keys = touched(&f, &user, USDC);
    let before = f.snapshot(&keys).await;
    assert_error(f.send(&[ix], &[]).await, ErrorCode::AccountNotSigner);
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_borrow_when_obligation_belongs_to_another_user() {
    let mut f = TestFixture::new().await;
    let (lender, borrower) = lender_and_borrower(&mut f).await;
    let mut refresh = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = f.borrow_ix(&lender, USDC, 1_000_000).await;
    ix.accounts[2].pubkey = borrower.obligation;
    refresh.push(ix);
    assert_error(
        f.send(&refresh, &[&lender.keypair]).await,
        LendingError::InvalidObligationOwner,
    );
}

#[tokio::test]
async fn fail_withdraw_when_obligation_belongs_to_another_user() {
    let mut f = TestFixture::new().await;
    let (lender, borrower) = lender_and_borrower(&mut f).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = f.withdraw_ix(&lender, SOL, 1_000).await;
    ix.accounts[2].pubkey = borrower.obligation;
    ixs.push(ix);
    assert_error(
        f.send(&ixs, &[&lender.keypair]).await,
        LendingError::InvalidObligationOwner,
    );
}

#[tokio::test]
async fn fail_deposit_when_reserve_is_an_obligation() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 0, 0]).await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[3].pubkey = user.obligation;
    assert_error(
        f.send(&[ix], &[&user.keypair]).await,
        ErrorCode::AccountDiscriminatorMismatch,
    );
}

#[tokio::test]
async fn fail_deposit_when_reserve_is_owned_by_another_program() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 0, 0]).await;
    let src = f.reserves[USDC].reserve;
    let fake = f
        .clone_account_with_owner(&src, &solana_sdk::pubkey::Pubkey::new_unique())
        .await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[3].pubkey = fake;
    assert_error(
        f.send(&[ix], &[&user.keypair]).await,
        ErrorCode::AccountOwnedByWrongProgram,
    );
}

#[tokio::test]
async fn fail_deposit_when_reserve_is_from_another_market() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 0, 0]).await;
    let (market_b, reserve_b, vault_b, _, _) = f.second_market(USDC).await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[3].pubkey = reserve_b;
    ix.accounts[4].pubkey = vault_b;
    let keys = touched(&f, &user, USDC);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&[ix.clone()], &[&user.keypair]).await,
        LendingError::InvalidMarket,
    );
    // Claiming the other market instead breaks the obligation's link.
    ix.accounts[1].pubkey = market_b;
    assert_error(
        f.send(&[ix], &[&user.keypair]).await,
        LendingError::InvalidMarket,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_deposit_when_vault_is_another_reserves() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 0, 0]).await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[4].pubkey = f.reserves[SOL].vault;
    assert_error(
        f.send(&[ix], &[&user.keypair]).await,
        LendingError::InvalidVault,
    );
}

#[tokio::test]
async fn fail_deposit_when_source_has_the_wrong_mint() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 1_000_000, 0]).await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[6].pubkey = user.tokens[SOL];
    assert_error(
        f.send(&[ix], &[&user.keypair]).await,
        LendingError::InvalidMint,
    );
}

#[tokio::test]
async fn fail_deposit_when_mint_is_another_reserves() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 0, 0]).await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[5].pubkey = f.reserves[SOL].mint;
    assert_error(
        f.send(&[ix], &[&user.keypair]).await,
        LendingError::InvalidMint,
    );
}

#[tokio::test]
async fn fail_borrow_when_destination_has_the_wrong_mint() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = f.borrow_ix(&borrower, USDC, 1_000_000).await;
    ix.accounts[6].pubkey = borrower.tokens[SOL];
    ixs.push(ix);
    assert_error(
        f.send(&ixs, &[&borrower.keypair]).await,
        LendingError::InvalidMint,
    );
}

#[tokio::test]
async fn fail_every_instruction_when_amount_is_zero() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 1_000_000).await.expect("borrow");
    let keys = touched(&f, &borrower, USDC);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.deposit(&borrower, USDC, 0).await,
        LendingError::InvalidAmount,
    );
    assert_error(
        f.borrow(&borrower, USDC, 0).await,
        LendingError::InvalidAmount,
    );
    assert_error(
        f.withdraw(&borrower, SOL, 0).await,
        LendingError::InvalidAmount,
    );
    assert_error(
        f.repay(&borrower, USDC, 0).await,
        LendingError::InvalidAmount,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_deposit_and_borrow_when_amount_is_u64_max() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    assert_error(
        f.deposit(&borrower, USDC, u64::MAX).await,
        LendingError::InvalidAmount,
    );
    assert_error(
        f.borrow(&borrower, USDC, u64::MAX).await,
        LendingError::InvalidAmount,
    );
}

#[tokio::test]
async fn fail_borrow_when_one_unit_over_the_limit() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    let keys = touched(&f, &borrower, USDC);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.borrow(&borrower, USDC, 748_501_499).await,
        LendingError::BorrowTooLarge,
    );
    let after = f.snapshot(&keys).await;
    assert_eq!(after[0], before[0], "reserve unchanged");
    assert_eq!(
        after[1..],
        before[1..],
        "vault, obligation and tokens unchanged"
    );
}

#[tokio::test]
async fn fail_borrow_when_the_new_debt_adds_to_existing_debt() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("first borrow");
    assert_error(
        f.borrow(&borrower, USDC, 48_600_000).await,
        LendingError::BorrowTooLarge,
    );
    f.borrow(&borrower, USDC, 48_400_000)
        .await
        .expect("second borrow within the limit");
}

#[tokio::test]
async fn fail_withdraw_when_it_would_exceed_the_borrow_limit() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 500_000_000)
        .await
        .expect("borrow");
    assert_error(
        f.withdraw(&borrower, SOL, 3_320_000_000).await,
        LendingError::WithdrawTooLarge,
    );
    assert_error(
        f.withdraw(&borrower, SOL, u64::MAX).await,
        LendingError::WithdrawTooLarge,
    );
}

#[tokio::test]
async fn fail_withdraw_when_more_than_deposited_or_none() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    assert_error(
        f.withdraw(&borrower, SOL, 10_000_000_001).await,
        LendingError::WithdrawExceedsDeposit,
    );
    assert_error(
        f.withdraw(&borrower, USDC, 1).await,
        LendingError::DepositNotFound,
    );
    assert_error(
        f.repay(&borrower, USDC, 1).await,
        LendingError::BorrowNotFound,
    );
}

#[tokio::test]
async fn fail_deposit_when_cap_exceeded() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000_000, 0, 0]).await;
    let mut config = reserve_config(8_000, 8_500, 10_000);
    config.deposit_cap = 101_000_000;
    let admin = f.admin.pubkey();
    let ix = f.update_reserve_config_ix(&admin, USDC, config);
    let admin_kp = f.admin.insecure_clone();
    f.send(&[ix], &[&admin_kp]).await.expect("set cap");
    f.deposit(&user, USDC, 100_000_000)
        .await
        .expect("up to the cap");
    assert_error(
        f.deposit(&user, USDC, 1).await,
        LendingError::DepositCapExceeded,
    );
}

#[tokio::test]
async fn fail_borrow_when_cap_exceeded() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    let mut config = reserve_config(8_000, 8_500, 10_000);
    config.borrow_cap = 100_000_000;
    let admin = f.admin.pubkey();
    let ix = f.update_reserve_config_ix(&admin, USDC, config);
    let admin_kp = f.admin.insecure_clone();
    f.send(&[ix], &[&admin_kp]).await.expect("set cap");
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("up to the cap");
    assert_error(
        f.borrow(&borrower, USDC, 1).await,
        LendingError::BorrowCapExceeded,
    );
}

#[tokio::test]
async fn fail_borrow_when_liquidity_is_insufficient() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.deposit(&borrower, SOL, 10_000_000_000)
        .await
        .expect("more collateral");
    assert_error(
        f.borrow(&borrower, USDC, 10_001_000_001).await,
        LendingError::InsufficientLiquidity,
    );
}

#[tokio::test]
async fn fail_borrow_when_not_refreshed_in_this_slot() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.refresh(&borrower.obligation).await.expect("refresh");
    f.next_slot().await;
    let ix = f.borrow_ix(&borrower, USDC, 1_000_000).await;
    assert_error(
        f.send(&[ix], &[&borrower.keypair]).await,
        LendingError::ReserveStale,
    );
    // Reserves fresh, obligation refreshed last slot: the borrow values it itself.
    let mut ixs: Vec<_> = (0..3).map(|i| f.refresh_reserve_ix(i)).collect();
    ixs.push(f.borrow_ix(&borrower, USDC, 1_000_000).await);
    f.send(&ixs, &[&borrower.keypair])
        .await
        .expect("borrow recomputes the obligation's values");
}

#[tokio::test]
async fn fail_withdraw_when_not_refreshed_in_this_slot() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    f.next_slot().await;
    let ix = f.withdraw_ix(&borrower, SOL, 1_000).await;
    assert_error(
        f.send(&[ix], &[&borrower.keypair]).await,
        LendingError::ReserveStale,
    );
    // Reserves fresh, no obligation refresh: the withdrawal values the obligation itself.
    let mut ixs: Vec<_> = (0..3).map(|i| f.refresh_reserve_ix(i)).collect();
    ixs.push(f.withdraw_ix(&borrower, SOL, 1_000).await);
    f.send(&ixs, &[&borrower.keypair])
        .await
        .expect("withdraw recomputes the obligation's values");
}

#[tokio::test]
async fn successful_withdraw_without_debt_needs_no_price() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    // Every oracle goes stale: no refresh can run.
    f.advance_time_without_prices(3_600).await;
    for i in 0..3 {
        let ix = f.refresh_reserve_ix(i);
        assert_error(f.send(&[ix], &[]).await, LendingError::StalePrice);
    }
    let before = f.balance(&borrower.tokens[SOL]).await;
    let ix = f.withdraw_ix(&borrower, SOL, u64::MAX).await;
    f.send(&[ix], &[&borrower.keypair])
        .await
        .expect("a depositor without debt leaves during an outage");
    assert_eq!(
        f.balance(&borrower.tokens[SOL]).await,
        before + 10_000_000_000
    );
    let o = f.obligation(&borrower.obligation).await;
    assert_eq!(o.active_deposits().count(), 0);
}

#[tokio::test]
async fn successful_borrow_counts_a_deposit_made_earlier_in_the_same_transaction() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    // 10 SOL at $100 with 75% LTV allow $750 (less the conservative margin): $800 needs more.
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(f.borrow_ix(&borrower, USDC, 800_000_000).await);
    assert_error(
        f.send(&ixs, &[&borrower.keypair]).await,
        LendingError::BorrowTooLarge,
    );
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(f.deposit_ix(&borrower, SOL, 2_000_000_000));
    ixs.push(f.borrow_ix(&borrower, USDC, 800_000_000).await);
    f.send(&ixs, &[&borrower.keypair])
        .await
        .expect("the borrow values the obligation after the deposit");
}

#[tokio::test]
async fn fail_borrow_and_withdraw_when_paused_but_repay_works() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    let mut params = default_market_params();
    params.borrow_paused = true;
    params.withdraw_paused = true;
    let admin = f.admin.pubkey();
    let ix = f.update_market_ix(&admin, params);
    let admin_kp = f.admin.insecure_clone();
    f.send(&[ix], &[&admin_kp]).await.expect("pause");
    assert_error(
        f.borrow(&borrower, USDC, 1_000_000).await,
        LendingError::BorrowPaused,
    );
    assert_error(
        f.withdraw(&borrower, SOL, 1_000).await,
        LendingError::WithdrawPaused,
    );
    f.repay(&borrower, USDC, u64::MAX)
        .await
        .expect("repay while paused");
    f.deposit(&borrower, SOL, 1_000)
        .await
        .expect("deposit while paused");
}

#[tokio::test]
async fn fail_borrow_when_reserve_paused() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    let mut config = reserve_config(8_000, 8_500, 10_000);
    config.borrow_paused = 1;
    let admin = f.admin.pubkey();
    let ix = f.update_reserve_config_ix(&admin, USDC, config);
    let admin_kp = f.admin.insecure_clone();
    f.send(&[ix], &[&admin_kp]).await.expect("pause reserve");
    assert_error(
        f.borrow(&borrower, USDC, 1_000_000).await,
        LendingError::BorrowPaused,
    );
    f.borrow(&borrower, VOL, 100_000)
        .await
        .expect("other reserves still lend");
}
