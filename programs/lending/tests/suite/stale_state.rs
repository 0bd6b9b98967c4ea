//! Stale cached state (audit finding 1): an obligation refreshed, then a second price update
//! of one of its reserves in the same slot. Every risk decision must use the reserves as they
//! are when it is taken, not the obligation's cache, so each attack below is refused on the
//! price of the moment and leaves every account as it was.

use lending::error::LendingError;

use crate::fixture::*;
use crate::liquidation::{liquidate_ix, unhealthy_setup};
use crate::user_actions::lender_and_borrower;

#[tokio::test]
async fn exploit_withdraw_all_after_a_same_slot_price_crash_is_refused() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("borrow");
    // Same slot: everything refreshed at SOL = $100, then a newer update at $1 is read.
    f.refresh(&borrower.obligation).await.expect("refresh");
    let slot = f.slot().await;
    f.set_price(SOL, 1.0).await;
    let ix = f.refresh_reserve_ix(SOL);
    f.send(&[ix], &[])
        .await
        .expect("second refresh in the slot");
    assert_eq!(f.slot().await, slot, "still the same slot");

    let keys = [
        borrower.obligation,
        f.reserves[SOL].reserve,
        f.reserves[SOL].vault,
        borrower.tokens[SOL],
        borrower.tokens[USDC],
    ];
    let before = f.snapshot(&keys).await;
    // The cached values (at $100) would allow it; the values of the moment do not.
    let ix = f.withdraw_ix(&borrower, SOL, u64::MAX).await;
    assert_error(
        f.send(&[ix], &[&borrower.keypair]).await,
        LendingError::WithdrawTooLarge,
    );
    assert_eq!(f.snapshot(&keys).await, before, "nothing moved");
    // With the collateral still there, no write-off can put the debt on depositors.
    let ix = f.socialize_bad_debt_ix(&borrower.obligation, USDC);
    assert_error(
        f.send(&[ix], &[]).await,
        LendingError::ObligationHasCollateral,
    );
}

#[tokio::test]
async fn exploit_borrow_past_the_limit_after_a_same_slot_price_drop_is_refused() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.refresh(&borrower.obligation).await.expect("refresh");
    // Cached: 10 SOL × ($100 − 0.1% conf) × 75% ≈ $749 allowed. SOL then reads $90 in the slot.
    let cached = f.obligation(&borrower.obligation).await.health();
    assert!(cached.allowed_borrow_value > lending_math::Decimal::from_u64(740));
    f.set_price(SOL, 90.0).await;
    let ix = f.refresh_reserve_ix(SOL);
    f.send(&[ix], &[])
        .await
        .expect("second refresh in the slot");
    let keys = [
        borrower.obligation,
        f.reserves[USDC].reserve,
        f.reserves[USDC].vault,
        borrower.tokens[USDC],
    ];
    let before = f.snapshot(&keys).await;
    let ix = f.borrow_ix(&borrower, USDC, 740_000_000).await;
    assert_error(
        f.send(&[ix], &[&borrower.keypair]).await,
        LendingError::BorrowTooLarge,
    );
    assert_eq!(f.snapshot(&keys).await, before, "nothing moved");
    // The limit of the moment, 10 × ($90 − 0.09) × 75% = $674.33 against USDC at $1.001
    // (price + confidence), still holds.
    let ix = f.borrow_ix(&borrower, USDC, 673_000_000).await;
    f.send(&[ix], &[&borrower.keypair])
        .await
        .expect("a borrow within the current limit");
    let ix = f.borrow_ix(&borrower, USDC, 1_000_000).await;
    assert_error(
        f.send(&[ix], &[&borrower.keypair]).await,
        LendingError::BorrowTooLarge,
    );
}

#[tokio::test]
async fn exploit_liquidation_on_a_superseded_price_is_refused() {
    // Liquidatable at SOL = $80 (the refresh sees it), healthy again at $100 in the same slot.
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    f.refresh(&borrower.obligation).await.expect("refresh");
    let o = f.obligation(&borrower.obligation).await;
    assert!(o.health().is_liquidatable(), "the cache says liquidatable");
    f.set_price(SOL, 100.0).await;
    let ix = f.refresh_reserve_ix(SOL);
    f.send(&[ix], &[])
        .await
        .expect("second refresh in the slot");
    let keys = [
        borrower.obligation,
        f.reserves[SOL].reserve,
        f.reserves[USDC].reserve,
        liquidator.tokens[SOL],
        liquidator.tokens[USDC],
    ];
    let before = f.snapshot(&keys).await;
    let ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    assert_error(
        f.send(&[ix], &[&liquidator.keypair]).await,
        LendingError::ObligationHealthy,
    );
    assert_eq!(f.snapshot(&keys).await, before, "nothing moved");
}

#[tokio::test]
async fn fail_borrow_when_a_reserve_of_the_obligation_is_missing_from_the_accounts() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.refresh(&borrower.obligation).await.expect("refresh");
    let mut ix = f.borrow_ix(&borrower, USDC, 1_000_000).await;
    ix.accounts.pop(); // the SOL deposit's reserve
    assert_error(
        f.send(&[ix], &[&borrower.keypair]).await,
        LendingError::InvalidRefreshAccounts,
    );
}
