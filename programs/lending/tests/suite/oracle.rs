//! Oracle reads through `refresh_reserve`: both Pyth kinds, every check, exact errors.

use lending::error::LendingError;
use lending::state::OracleKind;
use lending_math::Decimal;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

use crate::fixture::*;
use crate::pyth::{self, PriceSpec};

async fn refresh_one(
    f: &mut TestFixture,
    idx: usize,
) -> Result<(), solana_program_test::BanksClientError> {
    let ix = f.refresh_reserve_ix(idx);
    f.send(&[ix], &[]).await
}

async fn refresh_with_spec(
    f: &mut TestFixture,
    idx: usize,
    spec: PriceSpec,
) -> Result<(), solana_program_test::BanksClientError> {
    f.write_price(idx, spec);
    refresh_one(f, idx).await
}

#[tokio::test]
async fn successful_pull_price_is_cached_with_slot() {
    let mut f = TestFixture::new().await;
    let mut spec = f.reserves[SOL].price;
    spec.price = 12_345_000_000; // $123.45
    spec.ema_price = 12_000_000_000;
    spec.conf = 10_000_000; // $0.10
    spec.ema_conf = 20_000_000; // $0.20
    refresh_with_spec(&mut f, SOL, spec).await.expect("refresh");
    let r = f.reserve(SOL).await;
    assert_eq!(r.price_sf.get(), Decimal::from_ratio(12_345, 100).unwrap());
    assert_eq!(r.ema_price_sf.get(), Decimal::from_u64(120));
    assert_eq!(r.price_conf_sf.get(), Decimal::from_ratio(2, 10).unwrap());
    assert_eq!(r.price_slot, f.slot().await);
    assert_eq!(r.price_divergent, 0);
    assert_eq!(
        f.oracle_config(SOL).await.last_publish_time,
        spec.publish_time
    );
}

#[tokio::test]
async fn successful_legacy_price_is_decoded() {
    let mut f = TestFixture::new().await;
    refresh_one(&mut f, VOL).await.expect("refresh legacy");
    let r = f.reserve(VOL).await;
    assert_eq!(r.price_sf.get(), Decimal::from_ratio(1, 2).unwrap());
    assert_eq!(
        r.price_conf_sf.get(),
        Decimal::from_ratio(5, 10_000).unwrap()
    );
}

#[tokio::test]
async fn fail_refresh_when_price_is_stale() {
    let mut f = TestFixture::new().await;
    f.advance_time_without_prices(61).await;
    let before = f.snapshot(&[f.reserves[SOL].reserve]).await;
    assert_error(refresh_one(&mut f, SOL).await, LendingError::StalePrice);
    assert_error(refresh_one(&mut f, VOL).await, LendingError::StalePrice);
    assert_eq!(f.snapshot(&[f.reserves[SOL].reserve]).await, before);
}

#[tokio::test]
async fn successful_refresh_at_exactly_max_age() {
    let mut f = TestFixture::new().await;
    f.advance_time_without_prices(60).await;
    refresh_one(&mut f, SOL)
        .await
        .expect("60 s old is still fresh");
}

#[tokio::test]
async fn fail_refresh_when_confidence_too_wide() {
    let mut f = TestFixture::new().await;
    let mut spec = f.reserves[SOL].price;
    spec.conf = spec.price as u64 / 50 + 1; // just over 2%
    assert_error(
        refresh_with_spec(&mut f, SOL, spec).await,
        LendingError::PriceTooUncertain,
    );
    let mut spec = f.reserves[VOL].price;
    spec.ema_conf = spec.price as u64 / 20; // the EMA interval counts too
    assert_error(
        refresh_with_spec(&mut f, VOL, spec).await,
        LendingError::PriceTooUncertain,
    );
}

#[tokio::test]
async fn fail_refresh_when_feed_id_differs() {
    let mut f = TestFixture::new().await;
    let mut spec = f.reserves[SOL].price;
    spec.feed_id = f.reserves[USDC].feed_id;
    assert_error(
        refresh_with_spec(&mut f, SOL, spec).await,
        LendingError::OracleFeedMismatch,
    );
}

#[tokio::test]
async fn fail_refresh_when_only_partially_verified() {
    let mut f = TestFixture::new().await;
    let mut spec = f.reserves[SOL].price;
    spec.verification = VerificationLevel::Partial { num_signatures: 12 };
    assert_error(
        refresh_with_spec(&mut f, SOL, spec).await,
        LendingError::OracleNotFullyVerified,
    );
}

#[tokio::test]
async fn fail_refresh_when_price_not_positive() {
    let mut f = TestFixture::new().await;
    for (price, ema) in [(0, 100), (-5, 100), (100, 0), (100, -1)] {
        let mut spec = f.reserves[SOL].price;
        spec.price = price;
        spec.ema_price = ema;
        spec.conf = 0;
        spec.ema_conf = 0;
        assert_error(
            refresh_with_spec(&mut f, SOL, spec).await,
            LendingError::InvalidOraclePrice,
        );
        let mut spec = f.reserves[VOL].price;
        spec.price = price;
        spec.ema_price = ema;
        spec.conf = 0;
        spec.ema_conf = 0;
        assert_error(
            refresh_with_spec(&mut f, VOL, spec).await,
            LendingError::InvalidOraclePrice,
        );
    }
}

#[tokio::test]
async fn fail_refresh_when_exponent_absurd() {
    let mut f = TestFixture::new().await;
    let mut spec = f.reserves[SOL].price;
    spec.expo = 40;
    assert_error(
        refresh_with_spec(&mut f, SOL, spec).await,
        LendingError::InvalidOraclePrice,
    );
}

#[tokio::test]
async fn fail_refresh_when_price_account_is_not_the_pinned_one() {
    let mut f = TestFixture::new().await;
    // A perfectly valid update for the right feed, but not the pinned account.
    let other = Pubkey::new_unique();
    let spec = f.reserves[SOL].price;
    f.set_account(&other, &pyth::pull_account(&spec));
    let ix = f.refresh_reserve_ix_with(SOL, &other);
    assert_error(f.send(&[ix], &[]).await, LendingError::InvalidOracleAccount);
}

#[tokio::test]
async fn fail_refresh_when_price_account_has_the_wrong_owner() {
    let mut f = TestFixture::new().await;
    let key = f.reserves[SOL].price_account;
    let spec = f.reserves[SOL].price;
    let data = f.data(&key).await;
    f.set_account(&key, &pyth::account(data, Pubkey::new_unique()));
    assert_error(
        refresh_one(&mut f, SOL).await,
        LendingError::InvalidOracleOwner,
    );
    // A legacy account where a pull account is pinned: owner check fires first.
    f.set_account(&key, &pyth::legacy_account(&spec));
    assert_error(
        refresh_one(&mut f, SOL).await,
        LendingError::InvalidOracleOwner,
    );
    let vol = f.reserves[VOL].price_account;
    f.set_account(&vol, &pyth::pull_account(&spec));
    assert_error(
        refresh_one(&mut f, VOL).await,
        LendingError::InvalidOracleOwner,
    );
}

#[tokio::test]
async fn fail_refresh_when_price_data_is_garbage() {
    let mut f = TestFixture::new().await;
    let key = f.reserves[SOL].price_account;
    f.set_account(
        &key,
        &pyth::account(vec![7u8; 134], lending::constants::PYTH_RECEIVER_PROGRAM),
    );
    assert_error(
        refresh_one(&mut f, SOL).await,
        LendingError::InvalidOracleData,
    );
    let vol = f.reserves[VOL].price_account;
    let mut bytes = pyth::legacy_bytes(&f.reserves[VOL].price);
    bytes[0] = 0;
    f.set_account(
        &vol,
        &pyth::account(bytes, lending::constants::PYTH_LEGACY_PROGRAM_MAINNET),
    );
    assert_error(
        refresh_one(&mut f, VOL).await,
        LendingError::InvalidOracleData,
    );
    f.set_account(
        &vol,
        &pyth::account(
            vec![0u8; 100],
            lending::constants::PYTH_LEGACY_PROGRAM_MAINNET,
        ),
    );
    assert_error(
        refresh_one(&mut f, VOL).await,
        LendingError::InvalidOracleData,
    );
}

#[tokio::test]
async fn fail_refresh_when_legacy_price_not_trading() {
    let mut f = TestFixture::new().await;
    let mut spec = f.reserves[VOL].price;
    spec.status = 2; // Halted
    assert_error(
        refresh_with_spec(&mut f, VOL, spec).await,
        LendingError::OraclePriceNotTrading,
    );
}

#[tokio::test]
async fn fail_refresh_when_publish_time_goes_backwards() {
    let mut f = TestFixture::new().await;
    f.advance_time(30).await;
    refresh_one(&mut f, SOL).await.expect("fresh price");
    f.next_slot().await;
    let mut spec = f.reserves[SOL].price;
    spec.publish_time -= 10; // still within max age, but older than the one used
    assert_error(
        refresh_with_spec(&mut f, SOL, spec).await,
        LendingError::OraclePublishTimeRegressed,
    );
}

#[tokio::test]
async fn successful_publish_time_in_the_future_counts_as_fresh() {
    let mut f = TestFixture::new().await;
    let mut spec = f.reserves[SOL].price;
    spec.publish_time += 5;
    refresh_with_spec(&mut f, SOL, spec)
        .await
        .expect("clock drift of seconds is tolerated");
}

#[tokio::test]
async fn fail_refresh_when_publish_time_is_beyond_the_future_bound() {
    let mut f = TestFixture::new().await;
    let before = f.data(&f.reserves[SOL].oracle_config.clone()).await;
    let mut spec = f.reserves[SOL].price;
    spec.publish_time = f.now().await + lending::constants::MAX_FUTURE_PUBLISH_SECS + 1;
    assert_error(
        refresh_with_spec(&mut f, SOL, spec).await,
        LendingError::PublishTimeInFuture,
    );
    assert_eq!(
        f.data(&f.reserves[SOL].oracle_config.clone()).await,
        before,
        "the publish-time floor did not move"
    );
    // An honest price dated now is still accepted.
    let mut spec = f.reserves[SOL].price;
    spec.publish_time = f.now().await;
    refresh_with_spec(&mut f, SOL, spec)
        .await
        .expect("a price of now");
}

#[tokio::test]
async fn fail_borrow_when_spot_and_ema_diverge() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let mut spec = f.reserves[USDC].price;
    spec.ema_price = spec.price * 100 / 111; // spot 11% above EMA
    f.write_price(USDC, spec);
    refresh_one(&mut f, USDC)
        .await
        .expect("divergence does not fail the refresh");
    assert_eq!(f.reserve(USDC).await.price_divergent, 1);
    assert_error(
        f.borrow(&borrower, USDC, 1_000_000).await,
        LendingError::PriceDivergenceTooHigh,
    );
    f.borrow(&borrower, VOL, 100_000)
        .await
        .expect("other reserves unaffected");
}

#[tokio::test]
async fn successful_oracle_switch_to_a_new_account() {
    let mut f = TestFixture::new().await;
    refresh_one(&mut f, SOL).await.expect("refresh");
    let new_account = Pubkey::new_unique();
    let mut spec = f.reserves[SOL].price;
    spec.publish_time -= 20; // older than the previous source's last price: the floor restarts
    f.set_account(&new_account, &pyth::pull_account(&spec));
    let params = oracle_params(OracleKind::PythPull, new_account, f.reserves[SOL].feed_id);
    let admin = f.admin.pubkey();
    let ix = f.update_oracle_config_ix(&admin, SOL, params);
    let admin_kp = f.admin.insecure_clone();
    f.send(&[ix], &[&admin_kp]).await.expect("switch oracle");
    assert_eq!(
        f.reserve(SOL).await.price_slot,
        0,
        "the reserve is stale until read again"
    );
    f.reserves[SOL].price_account = new_account;
    refresh_one(&mut f, SOL)
        .await
        .expect("reads the new account");
    assert_eq!(
        f.oracle_config(SOL).await.last_publish_time,
        spec.publish_time
    );
}
