//! Deposit, withdraw, borrow and repay: happy paths with exact balances and accounting.

use crate::fixture::*;
use lending_math::Decimal;

/// A lender with 10,000 USDC deposited, and a borrower with 10 SOL deposited.
pub async fn lender_and_borrower(f: &mut TestFixture) -> (TestUser, TestUser) {
    let lender = f.new_user(&[20_000_000_000, 0, 0]).await;
    f.deposit(&lender, USDC, 10_000_000_000)
        .await
        .expect("lender deposit");
    let borrower = f.new_user(&[1_000_000_000, 20_000_000_000, 0]).await;
    f.deposit(&borrower, SOL, 10_000_000_000)
        .await
        .expect("borrower deposit");
    (lender, borrower)
}

#[tokio::test]
async fn successful_deposit_moves_tokens_and_mints_shares() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000_000, 0, 0]).await;
    f.deposit(&user, USDC, 250_000_000).await.expect("deposit");

    assert_eq!(f.balance(&user.tokens[USDC]).await, 750_000_000);
    let vault = f.reserves[USDC].vault;
    assert_eq!(f.balance(&vault).await, 1_000_000 + 250_000_000);
    let r = f.reserve(USDC).await;
    assert_eq!(r.available_amount, 251_000_000);
    assert_eq!(r.share_supply, 251_000_000);
    let o = f.obligation(&user.obligation).await;
    assert_eq!(o.deposits[0].reserve, f.reserves[USDC].reserve);
    assert_eq!(o.deposits[0].shares, 250_000_000);
    assert_eq!(
        o.last_refresh_slot, 0,
        "a deposit marks the obligation stale"
    );
}

#[tokio::test]
async fn successful_deposits_into_several_reserves_and_refresh_values_them() {
    let mut f = TestFixture::new().await;
    let user = f
        .new_user(&[1_000_000_000, 10_000_000_000, 4_000_000_000])
        .await;
    f.deposit(&user, USDC, 100_000_000).await.expect("usdc");
    f.deposit(&user, SOL, 2_000_000_000).await.expect("sol");
    f.deposit(&user, VOL, 1_000_000_000).await.expect("vol");
    f.refresh(&user.obligation).await.expect("refresh");
    let o = f.obligation(&user.obligation).await;
    // $100 + 2 × $100 + 1,000 × $0.50
    assert_eq!(o.deposited_value_sf.get(), Decimal::from_u64(800));
    // 100 × 0.999 × 80% + 200 × 0.999 × 75% + 500 × 0.999 × 50%
    let expected = Decimal::from_ratio(79_920 + 149_850 + 249_750, 1_000).unwrap();
    assert_eq!(o.allowed_borrow_value_sf.get(), expected);
    assert_eq!(
        o.unhealthy_borrow_value_sf.get(),
        Decimal::from_u64(85 + 160 + 300)
    );
    assert_eq!(o.last_refresh_slot, f.slot().await);
}

#[tokio::test]
async fn successful_borrow_up_to_the_conservative_limit() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    // ABV = 10 SOL × (100 − 0.1) × 75% = 749.25; debt is valued at 1 + 0.001.
    f.borrow(&borrower, USDC, 748_501_498)
        .await
        .expect("borrow at the limit");
    assert_eq!(
        f.balance(&borrower.tokens[USDC]).await,
        1_000_000_000 + 748_501_498
    );
    let vault = f.reserves[USDC].vault;
    assert_eq!(f.balance(&vault).await, 10_001_000_000 - 748_501_498);
    let r = f.reserve(USDC).await;
    assert_eq!(r.available_amount, 10_001_000_000 - 748_501_498);
    assert_eq!(r.total_debt().unwrap(), Decimal::from_u64(748_501_498));
    let o = f.obligation(&borrower.obligation).await;
    assert_eq!(
        o.borrows[0].normalized_debt_sf.get(),
        Decimal::from_u64(748_501_498)
    );
    assert_eq!(r.total_normalized_debt_sf, o.borrows[0].normalized_debt_sf);
}

#[tokio::test]
async fn successful_partial_and_full_withdraw() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[0, 10_000_000_000, 0]).await;
    f.deposit(&user, SOL, 10_000_000_000)
        .await
        .expect("deposit");
    f.withdraw(&user, SOL, 4_000_000_000)
        .await
        .expect("partial withdraw");
    assert_eq!(f.balance(&user.tokens[SOL]).await, 4_000_000_000);
    assert_eq!(
        f.obligation(&user.obligation).await.deposits[0].shares,
        6_000_000_000
    );

    f.withdraw(&user, SOL, u64::MAX)
        .await
        .expect("withdraw all");
    assert_eq!(f.balance(&user.tokens[SOL]).await, 10_000_000_000);
    let o = f.obligation(&user.obligation).await;
    assert_eq!(
        o.active_deposits().count(),
        0,
        "an emptied position is removed"
    );
    let r = f.reserve(SOL).await;
    assert_eq!((r.available_amount, r.share_supply), (1_000_000, 1_000_000));
    let vault = f.reserves[SOL].vault;
    assert_eq!(f.balance(&vault).await, 1_000_000);
}

#[tokio::test]
async fn successful_withdraw_with_debt_within_the_limit() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 500_000_000)
        .await
        .expect("borrow");
    // (10 − w) × 99.9 × 75% ≥ 500.5 ⇔ w ≤ 3.31998665 SOL
    f.withdraw(&borrower, SOL, 3_319_986_600)
        .await
        .expect("withdraw at the limit");
    assert_eq!(
        f.balance(&borrower.tokens[SOL]).await,
        10_000_000_000 + 3_319_986_600
    );
}

#[tokio::test]
async fn successful_partial_and_full_repay() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 500_000_000)
        .await
        .expect("borrow");
    f.repay(&borrower, USDC, 200_000_000)
        .await
        .expect("partial repay");
    let o = f.obligation(&borrower.obligation).await;
    assert_eq!(
        o.borrows[0].normalized_debt_sf.get(),
        Decimal::from_u64(300_000_000)
    );
    assert_eq!(f.balance(&borrower.tokens[USDC]).await, 1_300_000_000);

    f.repay(&borrower, USDC, u64::MAX).await.expect("repay all");
    assert_eq!(f.balance(&borrower.tokens[USDC]).await, 1_000_000_000);
    let o = f.obligation(&borrower.obligation).await;
    assert!(!o.has_debt(), "a repaid position is removed");
    let r = f.reserve(USDC).await;
    assert_eq!(r.total_normalized_debt_sf.raw(), 0);
    assert_eq!(r.available_amount, 10_001_000_000);
    let vault = f.reserves[USDC].vault;
    assert_eq!(f.balance(&vault).await, 10_001_000_000);
}

#[tokio::test]
async fn successful_repay_more_than_owed_takes_only_the_debt() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    f.repay(&borrower, USDC, 900_000_000)
        .await
        .expect("over-repay");
    assert_eq!(f.balance(&borrower.tokens[USDC]).await, 1_000_000_000);
    assert!(!f.obligation(&borrower.obligation).await.has_debt());
}

#[tokio::test]
async fn successful_repay_on_behalf_of_another_user() {
    let mut f = TestFixture::new().await;
    let (lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    let r = &f.reserves[USDC];
    let ix = solana_sdk::instruction::Instruction {
        program_id: lending::ID,
        accounts: anchor_lang::ToAccountMetas::to_account_metas(
            &lending::accounts::Repay {
                payer: solana_sdk::signature::Signer::pubkey(&lender.keypair),
                lending_market: f.market,
                obligation: borrower.obligation,
                reserve: r.reserve,
                vault: r.vault,
                mint: r.mint,
                source: lender.tokens[USDC],
                token_program: spl_token_interface::ID,
                event_authority: event_authority(),
                program: lending::ID,
            },
            None,
        ),
        data: anchor_lang::InstructionData::data(&lending::instruction::Repay { amount: u64::MAX }),
    };
    f.send(&[ix], &[&lender.keypair])
        .await
        .expect("repay for someone else");
    assert_eq!(
        f.balance(&lender.tokens[USDC]).await,
        10_000_000_000 - 100_000_000
    );
    assert!(!f.obligation(&borrower.obligation).await.has_debt());
}

#[tokio::test]
async fn successful_deposit_and_repay_during_an_oracle_outage() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    f.advance_time_without_prices(3_600).await;
    assert_error(
        f.refresh(&borrower.obligation).await,
        lending::error::LendingError::StalePrice,
    );
    f.deposit(&borrower, SOL, 1_000_000_000)
        .await
        .expect("deposit without a fresh price");
    f.repay(&borrower, USDC, u64::MAX)
        .await
        .expect("repay without a fresh price");
    assert!(!f.obligation(&borrower.obligation).await.has_debt());
}

#[tokio::test]
async fn fail_same_reserve_deposit_and_borrow() {
    // A position that deposits and borrows one reserve could never be liquidated (its two
    // vault accounts would be the same), so the program refuses to open one.
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    assert_error(
        f.borrow(&borrower, SOL, 1_000_000_000).await,
        lending::error::LendingError::SameReserveDepositAndBorrow,
    );
    f.borrow(&borrower, USDC, 1_000_000)
        .await
        .expect("borrow USDC");
    assert_error(
        f.deposit(&borrower, USDC, 1_000_000).await,
        lending::error::LendingError::SameReserveDepositAndBorrow,
    );
}
