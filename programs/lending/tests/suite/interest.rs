//! Interest over warped time matches `lending-math` exactly, and flows to depositors and the protocol.

use lending_math::interest::{self, SECONDS_PER_YEAR};
use lending_math::{shares, Decimal};

use crate::fixture::*;

#[tokio::test]
async fn successful_interest_over_a_year_matches_the_math() {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[10_000_000_000, 0, 0]).await;
    f.deposit(&lender, USDC, 10_000_000_000)
        .await
        .expect("lend");
    let borrower = f.new_user(&[0, 100_000_000_000, 0]).await;
    f.deposit(&borrower, SOL, 100_000_000_000)
        .await
        .expect("collateral");
    f.borrow(&borrower, USDC, 5_000_000_000)
        .await
        .expect("borrow");

    let before = f.reserve(USDC).await;
    f.advance_time(SECONDS_PER_YEAR as i64).await;
    let ix = f.refresh_reserve_ix(USDC);
    f.send(&[ix], &[]).await.expect("refresh");
    let after = f.reserve(USDC).await;

    let expected = interest::accrue(
        &before.accrual_state(),
        &before.config.curve(),
        before.config.reserve_factor(),
        SECONDS_PER_YEAR,
    )
    .unwrap();
    assert_eq!(after.borrow_index_sf.get(), expected.borrow_index);
    assert_eq!(after.protocol_fees_sf.get(), expected.protocol_fees);
    // U = 5,000 / 10,001 → APR 3.9996%; continuous compounding gives 5,000 × e^0.039996 ≈ 5,204.04.
    let debt = after.total_debt().unwrap();
    assert!(
        debt > Decimal::from_u64(5_204_000_000) && debt < Decimal::from_u64(5_204_100_000),
        "{debt}"
    );
    let fees = after.protocol_fees_sf.get();
    let interest_earned = debt.try_sub(Decimal::from_u64(5_000_000_000)).unwrap();
    assert_eq!(
        fees,
        interest_earned.try_mul(Decimal::from_percent(10)).unwrap()
    );

    // Repaying everything costs ceil(debt), to the unit.
    let held = f.balance(&borrower.tokens[USDC]).await;
    f.mint_to(
        &f.reserves[USDC].mint.clone(),
        &borrower.tokens[USDC],
        300_000_000,
    )
    .await;
    f.repay(&borrower, USDC, u64::MAX).await.expect("repay");
    let paid = held + 300_000_000 - f.balance(&borrower.tokens[USDC]).await;
    assert_eq!(paid, debt.try_ceil_u64().unwrap());

    // The lender's shares are now worth their deposit plus 90% of their share of the interest.
    let r = f.reserve(USDC).await;
    let lender_shares = f.obligation(&lender.obligation).await.deposits[0].shares;
    let expected_out = shares::redeem_amount(
        lender_shares,
        r.total_supply_assets().unwrap(),
        r.share_supply,
    )
    .unwrap();
    assert!(
        expected_out > 10_000_000_000 + 180_000_000,
        "{expected_out}"
    );
    f.withdraw(&lender, USDC, u64::MAX)
        .await
        .expect("withdraw all");
    assert_eq!(f.balance(&lender.tokens[USDC]).await, expected_out);
}

#[tokio::test]
async fn successful_no_interest_without_time_or_debt() {
    let mut f = TestFixture::new().await;
    let before = f.reserve(USDC).await;
    f.advance_time(SECONDS_PER_YEAR as i64).await;
    let ix = f.refresh_reserve_ix(USDC);
    f.send(&[ix], &[]).await.expect("refresh");
    let after = f.reserve(USDC).await;
    assert_eq!(after.borrow_index_sf, before.borrow_index_sf);
    assert_eq!(after.protocol_fees_sf, before.protocol_fees_sf);
}

#[tokio::test]
async fn successful_debt_grows_for_the_borrower_exactly_as_the_index() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 600_000_000)
        .await
        .expect("borrow");
    f.advance_time(30 * 86_400).await;
    f.refresh(&borrower.obligation).await.expect("refresh");
    let r = f.reserve(USDC).await;
    let o = f.obligation(&borrower.obligation).await;
    let debt = o.borrows[0]
        .normalized_debt_sf
        .get()
        .try_mul(r.borrow_index_sf.get())
        .unwrap();
    assert!(debt > Decimal::from_u64(600_000_000));
    let usd = debt.try_div(Decimal::from_u64(1_000_000)).unwrap();
    assert_eq!(
        o.borrowed_value_sf.get(),
        lending_math::health::market_value_ceil(debt, Decimal::one(), 6).unwrap()
    );
    assert!(usd > Decimal::from_u64(600));
}
