//! `collect_protocol_fees`: the protocol's share of interest leaves the reserve without
//! touching depositors' share value.

use lending::error::LendingError;
use lending_math::shares::share_value;
use solana_sdk::signature::{Keypair, Signer};

use crate::fixture::*;

/// A year of interest on 5,000 USDC borrowed out of 10,001.
async fn year_of_interest() -> (TestFixture, TestUser) {
    let mut f = TestFixture::new().await;
    let (lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.deposit(&borrower, SOL, 10_000_000_000)
        .await
        .expect("more collateral");
    f.borrow(&borrower, USDC, 1_000_000_000)
        .await
        .expect("borrow");
    f.advance_time(365 * 86_400).await;
    let ix = f.refresh_reserve_ix(USDC);
    f.send(&[ix], &[]).await.expect("accrue");
    (f, lender)
}

#[tokio::test]
async fn successful_collect_keeps_share_value() {
    let (mut f, lender) = year_of_interest().await;
    let before = f.reserve(USDC).await;
    let fees = before.protocol_fees_sf.get().try_floor_u64().unwrap();
    assert!(fees > 0, "interest produced fees");
    let value_before =
        share_value(before.total_supply_assets().unwrap(), before.share_supply).unwrap();
    let admin = f.admin.insecure_clone();
    let dest = f.admin_tokens[USDC];
    let dest_before = f.balance(&dest).await;
    let ix = f.collect_protocol_fees_ix(&admin.pubkey(), USDC, &dest, u64::MAX);
    f.send(&[ix], &[&admin]).await.expect("collect");
    let after = f.reserve(USDC).await;
    assert_eq!(f.balance(&dest).await, dest_before + fees);
    assert_eq!(after.available_amount, before.available_amount - fees);
    assert!(
        after.protocol_fees_sf.get() < lending_math::Decimal::one(),
        "only the fraction is left"
    );
    let value_after =
        share_value(after.total_supply_assets().unwrap(), after.share_supply).unwrap();
    assert_eq!(value_after, value_before, "depositors are untouched");
    let vault = f.reserves[USDC].vault;
    assert_eq!(
        f.balance(&vault).await,
        after.available_amount + after.insurance_amount
    );
    let _ = lender;
}

#[tokio::test]
async fn fail_collect_when_not_admin_too_much_or_nothing() {
    let (mut f, lender) = year_of_interest().await;
    let intruder = Keypair::new();
    let ix = f.collect_protocol_fees_ix(&intruder.pubkey(), USDC, &lender.tokens[USDC], u64::MAX);
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
    let admin = f.admin.insecure_clone();
    let dest = f.admin_tokens[USDC];
    let fees = f
        .reserve(USDC)
        .await
        .protocol_fees_sf
        .get()
        .try_floor_u64()
        .unwrap();
    let ix = f.collect_protocol_fees_ix(&admin.pubkey(), USDC, &dest, fees + 1);
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::InsufficientLiquidity,
    );
    let ix = f.collect_protocol_fees_ix(&admin.pubkey(), USDC, &dest, 0);
    assert_error(f.send(&[ix], &[&admin]).await, LendingError::InvalidAmount);
    let ix =
        f.collect_protocol_fees_ix(&admin.pubkey(), SOL, &f.admin_tokens[SOL].clone(), u64::MAX);
    assert_error(f.send(&[ix], &[&admin]).await, LendingError::AmountTooSmall);
    let mut ix = f.collect_protocol_fees_ix(&admin.pubkey(), USDC, &dest, 1);
    ix.accounts[5].pubkey = f.admin_tokens[SOL];
    assert_error(f.send(&[ix], &[&admin]).await, LendingError::InvalidMint);
}
