//! Market, reserve and oracle administration: validation and access control.

use anchor_lang::error::ErrorCode;
use lending::error::LendingError;
use lending::state::{CurvePoint, OracleKind, ReserveConfig};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::fixture::*;

async fn update_config(
    f: &mut TestFixture,
    idx: usize,
    config: ReserveConfig,
) -> Result<(), solana_program_test::BanksClientError> {
    let admin = f.admin.insecure_clone();
    let ix = f.update_reserve_config_ix(&admin.pubkey(), idx, config);
    f.send(&[ix], &[&admin]).await
}

#[tokio::test]
async fn successful_market_and_reserves_created() {
    let mut f = TestFixture::new().await;
    let m = f.market_state().await;
    assert_eq!(m.admin, f.admin.pubkey());
    assert_eq!(m.close_factor_bps, 2_000);
    assert_eq!(m.insolvency_ltv_bps, 9_500);
    assert_eq!(m.reserves_count, 3);
    assert_eq!(&m.quote_currency[..3], b"USD");
    for i in 0..3 {
        let r = f.reserve(i).await;
        assert_eq!(r.available_amount, 1_000_000);
        assert_eq!(r.share_supply, 1_000_000);
        assert_eq!(r.borrow_index_sf.get(), lending_math::Decimal::one());
        assert_eq!(r.decimals, f.reserves[i].decimals);
        assert_eq!(r.oracle_config, f.reserves[i].oracle_config);
        let vault = f.reserves[i].vault;
        assert_eq!(f.balance(&vault).await, 1_000_000);
        let oc = f.oracle_config(i).await;
        assert_eq!(oc.reserve, f.reserves[i].reserve);
        assert_eq!(oc.price_account, f.reserves[i].price_account);
    }
}

#[tokio::test]
async fn successful_update_market() {
    let mut f = TestFixture::new().await;
    let mut params = default_market_params();
    params.close_factor_bps = 5_000;
    params.dust_threshold_value = 5;
    let admin = f.admin.insecure_clone();
    let ix = f.update_market_ix(&admin.pubkey(), params);
    f.send(&[ix], &[&admin]).await.expect("update");
    let m = f.market_state().await;
    assert_eq!((m.close_factor_bps, m.dust_threshold_value), (5_000, 5));
}

#[tokio::test]
async fn fail_update_market_when_not_admin() {
    let mut f = TestFixture::new().await;
    let intruder = Keypair::new();
    let ix = f.update_market_ix(&intruder.pubkey(), default_market_params());
    let before = f.snapshot(&[f.market]).await;
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
    assert_eq!(f.snapshot(&[f.market]).await, before);
}

#[tokio::test]
async fn fail_update_market_when_admin_did_not_sign() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.pubkey();
    let mut ix = f.update_market_ix(&admin, default_market_params());
    ix.accounts[0].is_signer = false;
    assert_error(f.send(&[ix], &[]).await, ErrorCode::AccountNotSigner);
}

#[tokio::test]
async fn fail_update_market_when_params_out_of_range() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.insecure_clone();
    type Edit = fn(&mut lending::state::MarketParams);
    let cases: [(Edit, LendingError); 12] = [
        (|p| p.close_factor_bps = 0, LendingError::InvalidCloseFactor),
        (
            |p| p.close_factor_bps = 499,
            LendingError::InvalidCloseFactor,
        ),
        (
            |p| p.close_factor_bps = 10_001,
            LendingError::InvalidCloseFactor,
        ),
        (
            |p| p.insolvency_ltv_bps = 0,
            LendingError::InvalidInsolvencyLtv,
        ),
        (
            |p| p.insolvency_ltv_bps = 7_999,
            LendingError::InvalidInsolvencyLtv,
        ),
        (
            |p| p.insolvency_ltv_bps = 10_001,
            LendingError::InvalidInsolvencyLtv,
        ),
        (
            |p| p.liquidation_auction_secs = 9,
            LendingError::InvalidAuctionDuration,
        ),
        (
            |p| p.liquidation_auction_secs = 86_401,
            LendingError::InvalidAuctionDuration,
        ),
        (
            |p| p.dust_threshold_value = 1_001,
            LendingError::InvalidDustThreshold,
        ),
        (
            |p| p.target_health_bps = 1,
            LendingError::InvalidTargetHealth,
        ),
        (
            |p| p.target_health_bps = 10_099,
            LendingError::InvalidTargetHealth,
        ),
        (
            |p| p.target_health_bps = 15_001,
            LendingError::InvalidTargetHealth,
        ),
    ];
    let before = f.data(&f.market.clone()).await;
    for (edit, code) in cases {
        let mut params = default_market_params();
        edit(&mut params);
        let ix = f.update_market_ix(&admin.pubkey(), params);
        assert_error(f.send(&[ix], &[&admin]).await, code);
    }
    assert_eq!(f.data(&f.market.clone()).await, before, "market unchanged");
    // The bounds themselves are accepted.
    let mut params = default_market_params();
    params.close_factor_bps = 500;
    params.insolvency_ltv_bps = 8_000;
    params.liquidation_auction_secs = 86_400;
    params.dust_threshold_value = 1_000;
    for target in [10_100, 15_000, 0] {
        params.target_health_bps = target;
        let ix = f.update_market_ix(&admin.pubkey(), params);
        f.send(&[ix], &[&admin])
            .await
            .expect("bounds are inclusive");
        assert_eq!(f.market_state().await.target_health_bps, target);
    }
}

#[tokio::test]
async fn successful_update_reserve_config() {
    let mut f = TestFixture::new().await;
    let mut config = reserve_config(6_000, 7_000, 12_000);
    config.deposit_cap = 42;
    update_config(&mut f, SOL, config).await.expect("update");
    let r = f.reserve(SOL).await;
    assert_eq!(r.config, config);
}

#[tokio::test]
async fn fail_update_reserve_config_when_ltv_not_below_threshold() {
    let mut f = TestFixture::new().await;
    let before = f.snapshot(&[f.reserves[SOL].reserve]).await;
    assert_error(
        update_config(&mut f, SOL, reserve_config(8_000, 8_000, 10_000)).await,
        LendingError::InvalidLtv,
    );
    assert_error(
        update_config(&mut f, SOL, reserve_config(9_000, 8_000, 10_000)).await,
        LendingError::InvalidLtv,
    );
    assert_error(
        update_config(&mut f, SOL, reserve_config(5_000, 10_000, 10_000)).await,
        LendingError::InvalidLtv,
    );
    assert_eq!(f.snapshot(&[f.reserves[SOL].reserve]).await, before);
}

#[tokio::test]
async fn fail_update_reserve_config_when_threshold_with_bonus_reaches_one() {
    let mut f = TestFixture::new().await;
    // 91% × (1 + 10%) = 100.1%
    assert_error(
        update_config(&mut f, SOL, reserve_config(8_000, 9_100, 10_000)).await,
        LendingError::InvalidLiquidationBonus,
    );
    // 90% × 1.1 = 99% is fine
    update_config(&mut f, SOL, reserve_config(8_000, 9_000, 10_000))
        .await
        .expect("99%");
    let mut c = reserve_config(7_000, 8_000, 10_000);
    c.min_liquidation_bonus_bps = 1_100;
    assert_error(
        update_config(&mut f, SOL, c).await,
        LendingError::InvalidLiquidationBonus,
    );
}

#[tokio::test]
async fn fail_update_reserve_config_when_fees_or_borrow_factor_invalid() {
    let mut f = TestFixture::new().await;
    let mut c = reserve_config(7_000, 8_000, 10_000);
    c.reserve_factor_bps = 10_001;
    assert_error(
        update_config(&mut f, SOL, c).await,
        LendingError::InvalidFee,
    );
    let mut c = reserve_config(7_000, 8_000, 10_000);
    c.protocol_liquidation_fee_bps = 10_001;
    assert_error(
        update_config(&mut f, SOL, c).await,
        LendingError::InvalidFee,
    );
    assert_error(
        update_config(&mut f, SOL, reserve_config(7_000, 8_000, 9_999)).await,
        LendingError::InvalidBorrowFactor,
    );
    assert_error(
        update_config(&mut f, SOL, reserve_config(7_000, 8_000, 50_001)).await,
        LendingError::InvalidBorrowFactor,
    );
}

#[tokio::test]
async fn fail_update_reserve_config_when_curve_invalid() {
    let mut f = TestFixture::new().await;
    let mut c = reserve_config(7_000, 8_000, 10_000);
    c.borrow_rate_curve[2].borrow_rate_bps = 100; // falls after 4% at 50%
    assert_error(
        update_config(&mut f, SOL, c).await,
        LendingError::InvalidRateCurve,
    );
    let mut c = reserve_config(7_000, 8_000, 10_000);
    c.borrow_rate_curve = [CurvePoint {
        utilization_bps: 0,
        borrow_rate_bps: 0,
    }; 11];
    assert_error(
        update_config(&mut f, SOL, c).await,
        LendingError::InvalidRateCurve,
    );
}

#[tokio::test]
async fn fail_update_reserve_config_when_not_admin() {
    let mut f = TestFixture::new().await;
    let intruder = Keypair::new();
    let ix = f.update_reserve_config_ix(
        &intruder.pubkey(),
        SOL,
        reserve_config(9_000, 9_050, 10_000),
    );
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
}

#[tokio::test]
async fn fail_update_reserve_config_when_admin_of_another_market() {
    // The Solend 2021 attack: own a market, then edit a reserve of the real one through it.
    let mut f = TestFixture::new().await;
    let (market_b, _, _, _, admin_b) = f.second_market(USDC).await;
    let mut ix =
        f.update_reserve_config_ix(&admin_b.pubkey(), SOL, reserve_config(9_000, 9_050, 10_000));
    ix.accounts[1].pubkey = market_b;
    let before = f.snapshot(&[f.reserves[SOL].reserve]).await;
    assert_error(
        f.send(&[ix], &[&admin_b]).await,
        LendingError::InvalidMarket,
    );
    assert_eq!(f.snapshot(&[f.reserves[SOL].reserve]).await, before);
}

#[tokio::test]
async fn fail_update_oracle_config_when_params_invalid_or_not_admin() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.insecure_clone();
    let base = oracle_params(
        OracleKind::PythPull,
        f.reserves[SOL].price_account,
        f.reserves[SOL].feed_id,
    );
    for edit in [
        |p: &mut lending::state::OracleParams| p.max_age_secs = 0,
        |p: &mut lending::state::OracleParams| p.max_age_secs = 86_401,
        |p: &mut lending::state::OracleParams| p.max_confidence_bps = 0,
        |p: &mut lending::state::OracleParams| p.max_ema_divergence_bps = 10_001,
        |p: &mut lending::state::OracleParams| p.price_account = Pubkey::default(),
    ] {
        let mut p = base;
        edit(&mut p);
        let ix = f.update_oracle_config_ix(&admin.pubkey(), SOL, p);
        assert_error(
            f.send(&[ix], &[&admin]).await,
            LendingError::InvalidOracleConfigParams,
        );
    }
    let intruder = Keypair::new();
    let ix = f.update_oracle_config_ix(&intruder.pubkey(), SOL, base);
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
    let mut ix = f.update_oracle_config_ix(&admin.pubkey(), SOL, base);
    ix.accounts[3].pubkey = f.reserves[USDC].oracle_config;
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::InvalidOracleConfig,
    );
}

#[tokio::test]
async fn fail_init_reserve_when_seed_too_small_or_config_invalid() {
    let mut f = TestFixture::new().await;
    let mint = f.create_mint(6).await;
    let admin_pk = f.admin.pubkey();
    let token = f.create_token_account(&mint, &admin_pk).await;
    f.mint_to(&mint, &token, 10_000_000).await;
    let idx = f.unlisted_reserve(mint, 6, token);
    let oracle = oracle_params(
        OracleKind::PythPull,
        f.reserves[USDC].price_account,
        f.reserves[USDC].feed_id,
    );
    let admin = f.admin.insecure_clone();
    let ix = f.init_reserve_ix(idx, reserve_config(8_000, 8_500, 10_000), oracle, 999);
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::SeedDepositTooSmall,
    );
    let ix = f.init_reserve_ix(idx, reserve_config(8_600, 8_500, 10_000), oracle, 1_000);
    assert_error(f.send(&[ix], &[&admin]).await, LendingError::InvalidLtv);
    let intruder = Keypair::new();
    f.airdrop(&intruder.pubkey(), 1_000_000_000).await;
    let mut ix = f.init_reserve_ix(idx, reserve_config(8_000, 8_500, 10_000), oracle, 1_000);
    ix.accounts[0].pubkey = intruder.pubkey();
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
    let ix = f.init_reserve_ix(idx, reserve_config(8_000, 8_500, 10_000), oracle, 1_000);
    f.send(&[ix], &[&admin])
        .await
        .expect("the minimum seed is enough");
    let again = f.init_reserve_ix(idx, reserve_config(8_000, 8_500, 10_000), oracle, 1_000);
    let reserve = f.reserves[idx].reserve;
    let before = f.snapshot(&[reserve]).await;
    let res = f.send(&[again], &[&admin]).await;
    assert!(
        crate::account_checks::is_reinit_refusal(&res),
        "a mint is listed once per market: {res:?}"
    );
    assert_eq!(f.snapshot(&[reserve]).await, before);
}
