//! Volatility-adjusted risk (`state/volatility.rs`, `lending_math::volatility::response`): the
//! reserve measures its own volatility from its refreshes; under stress the LTV and the borrow
//! cap tighten and the minimum bonus rises at once, while the liquidation threshold only drifts
//! towards its target at a bounded rate per hour, so a spike makes no obligation liquidatable
//! at unchanged prices.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::error::LendingError;
use lending::events::{Liquidated, ReserveRefreshed, VolatilityConfigSet};
use lending::state::{RiskInForce, VolatilityConfig};
use lending_math::volatility::min_sample_secs;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

use crate::fixture::*;
use crate::liquidation::liquidate_ix;

/// One hour (seconds).
const HOUR: i64 = 3_600;

/// SOL's adjustment: one-hour half-life, calm up to 50%, stressed from 150%; LTV down to 50%,
/// threshold target down to 60%, borrow cap down to 20%, min bonus up to the max (10%); the
/// threshold tightens at most 1 point an hour.
fn sol_config() -> VolatilityConfig {
    VolatilityConfig {
        half_life_secs: 3_600,
        calm_vol_bps: 5_000,
        stress_vol_bps: 15_000,
        ltv_floor_bps: 5_000,
        threshold_floor_bps: 6_000,
        borrow_cap_floor_bps: 2_000,
        min_bonus_ceiling_bps: 1_000,
        threshold_rate_bps_per_hour: 100,
    }
}

impl TestFixture {
    /// `set_volatility_config` signed by `admin`.
    pub fn set_volatility_config_ix(
        &self,
        admin: &Pubkey,
        idx: usize,
        config: VolatilityConfig,
    ) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::SetVolatilityConfig {
                admin: *admin,
                lending_market: self.market,
                reserve: self.reserves[idx].reserve,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::SetVolatilityConfig { config }.data(),
        }
    }

    /// The admin sets reserve `idx`'s volatility configuration.
    pub async fn set_volatility_config(&mut self, idx: usize, config: VolatilityConfig) {
        let admin = self.admin.insecure_clone();
        let ix = self.set_volatility_config_ix(&admin.pubkey(), idx, config);
        self.send(&[ix], &[&admin])
            .await
            .expect("set_volatility_config");
    }

    /// One second later, reserve `idx` trades at `whole` and is refreshed (inside the
    /// estimator's resolution: no sample unless a resolution has passed since the last).
    pub async fn tick_price(&mut self, idx: usize, whole: f64) {
        self.advance_time(1).await;
        self.set_price(idx, whole).await;
        self.refresh_reserve_now(idx).await;
    }

    /// One estimator resolution later (`min_sample_secs` of the reserve's half-life: a minute
    /// for an hour), reserve `idx` trades at `whole` and is refreshed: one sample.
    pub async fn sample_price(&mut self, idx: usize, whole: f64) {
        let half_life = self.reserve(idx).await.volatility.config.half_life_secs;
        self.advance_time(min_sample_secs(u64::from(half_life)) as i64)
            .await;
        self.set_price(idx, whole).await;
        self.refresh_reserve_now(idx).await;
    }

    async fn refresh_reserve_now(&mut self, idx: usize) {
        let ix = self.refresh_reserve_ix(idx);
        let payer = self.ctx.payer.insecure_clone();
        self.send(&[ix], &[&payer]).await.expect("refresh_reserve");
    }
}

/// A borrower of 700 USDC against 10 SOL, SOL at 88 (health 880 × 0.8 / 700 = 1.006), and a
/// liquidator; SOL's volatility adjustment is on.
async fn near_threshold_borrower() -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("borrow");
    let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
    f.sample_price(SOL, 88.0).await;
    f.set_volatility_config(SOL, sol_config()).await;
    f.sample_price(SOL, 88.0).await;
    assert_eq!(
        f.reserve(SOL).await.volatility.in_force.stress_bps,
        0,
        "calm"
    );
    (f, borrower, liquidator)
}

/// SOL swings 88 → 130 → 88 over two minutes (two samples): the estimate jumps far past the
/// stress level.
async fn spike(f: &mut TestFixture) {
    f.sample_price(SOL, 130.0).await;
    f.sample_price(SOL, 88.0).await;
}

#[tokio::test]
async fn successful_set_volatility_config_starts_calm_and_changes_nothing_at_once() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.insecure_clone();
    let ix = f.set_volatility_config_ix(&admin.pubkey(), SOL, sol_config());
    let events: Vec<VolatilityConfigSet> =
        crate::events::simulate_events(&mut f, std::slice::from_ref(&ix), &[&admin]).await;
    f.send(&[ix], &[&admin]).await.expect("set");
    let r = f.reserve(SOL).await;
    let calm = RiskInForce {
        borrow_cap: r.config.borrow_cap,
        volatility_bps: 5_000,
        stress_bps: 0,
        loan_to_value_bps: 7_500,
        liquidation_threshold_bps: 8_000,
        target_liquidation_threshold_bps: 8_000,
        min_liquidation_bonus_bps: 200,
    };
    assert_eq!(r.volatility.config, sol_config());
    assert_eq!(r.volatility.in_force, calm);
    assert_eq!(
        r.volatility.sample_price_sf, r.price_sf,
        "the cached price is the first sample"
    );
    assert_eq!(r.own_risk_params(), r.configured_risk_params());
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].before, VolatilityConfig::default());
    assert_eq!(events[0].after, sol_config());
    assert_eq!(events[0].risk_before, RiskInForce::default());
    assert_eq!(events[0].risk_after, calm);
}

#[tokio::test]
async fn fail_set_volatility_config_when_invalid_or_not_admin() {
    let mut f = TestFixture::new().await;
    let key = f.reserves[SOL].reserve;
    let before = f.snapshot(&[key]).await;
    let bad = [
        VolatilityConfig {
            half_life_secs: 0,
            ..sol_config()
        },
        VolatilityConfig {
            calm_vol_bps: 15_000,
            ..sol_config()
        },
        VolatilityConfig {
            ltv_floor_bps: 7_600,
            ..sol_config()
        },
        VolatilityConfig {
            threshold_floor_bps: 8_100,
            ..sol_config()
        },
        VolatilityConfig {
            threshold_floor_bps: 5_000,
            ..sol_config()
        },
        VolatilityConfig {
            borrow_cap_floor_bps: 10_001,
            ..sol_config()
        },
        VolatilityConfig {
            min_bonus_ceiling_bps: 1_001,
            ..sol_config()
        },
    ];
    let admin = f.admin.insecure_clone();
    for config in bad {
        let ix = f.set_volatility_config_ix(&admin.pubkey(), SOL, config);
        let res = f.send(&[ix], &[&admin]).await;
        assert_error(res, LendingError::InvalidVolatilityConfig);
    }
    let stranger = f.new_user(&[0, 0, 0]).await;
    let ix = f.set_volatility_config_ix(&stranger.keypair.pubkey(), SOL, sol_config());
    let res = f.send(&[ix], &[&stranger.keypair]).await;
    assert_error(res, LendingError::Unauthorized);
    assert_eq!(f.snapshot(&[key]).await, before);
}

#[tokio::test]
async fn successful_spike_tightens_ltv_cap_and_bonus_at_once_and_is_in_the_event() {
    let (mut f, borrower, _liq) = near_threshold_borrower().await;
    f.sample_price(SOL, 130.0).await;
    f.advance_time(60).await;
    f.set_price(SOL, 88.0).await;
    let ix = f.refresh_reserve_ix(SOL);
    let payer = f.ctx.payer.insecure_clone();
    let events: Vec<ReserveRefreshed> =
        crate::events::simulate_events(&mut f, std::slice::from_ref(&ix), &[&payer]).await;
    f.send(&[ix], &[&payer]).await.expect("refresh");
    let r = f.reserve(SOL).await;
    let v = r.volatility.in_force;
    assert!(v.volatility_bps > 15_000, "{v:?}");
    assert_eq!(v.stress_bps, 10_000);
    assert_eq!(v.loan_to_value_bps, 5_000);
    assert_eq!(v.min_liquidation_bonus_bps, 1_000);
    assert_eq!(v.borrow_cap, r.config.borrow_cap / 5);
    assert_eq!(v.target_liquidation_threshold_bps, 6_000);
    // The threshold has moved by its rate over the minute since the spike's first sample
    // (1 point an hour: 1.7 bps), no more.
    assert!(
        (7_998..=8_000).contains(&v.liquidation_threshold_bps),
        "{v:?}"
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].risk_after, v);
    assert_eq!(
        events[0].risk_before.target_liquidation_threshold_bps,
        6_000
    );

    // The borrower, healthy, cannot add debt or take collateral out at the tightened LTV
    // (880 × 0.5 = 440 < 700), and nothing changes.
    let keys = [
        borrower.obligation,
        f.reserves[SOL].reserve,
        f.reserves[USDC].reserve,
    ];
    let before = f.snapshot(&keys).await;
    let res = f.borrow(&borrower, USDC, 1_000_000).await;
    assert_error(res, LendingError::BorrowTooLarge);
    let res = f.withdraw(&borrower, SOL, 1_000_000).await;
    assert_error(res, LendingError::WithdrawTooLarge);
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn successful_position_healthy_one_slot_before_a_spike_stays_healthy_at_unchanged_prices() {
    let (mut f, borrower, liquidator) = near_threshold_borrower().await;
    // One slot before the spike: healthy at SOL = 88 (not liquidatable).
    let ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        1_000_000,
        0,
    )
    .await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(ix);
    let res = f.send(&ixs, &[&liquidator.keypair]).await;
    assert_error(res, LendingError::ObligationHealthy);

    spike(&mut f).await;
    let r = f.reserve(SOL).await;
    assert_eq!(r.volatility.in_force.stress_bps, 10_000);
    // The threshold moved by its rate over the spike's minute (1.7 bps) and no more.
    let lt_spike = r.volatility.in_force.liquidation_threshold_bps;
    assert!((7_998..=8_000).contains(&lt_spike), "{lt_spike}");
    // The target alone would make it liquidatable: 880 × 0.6 = 528 < 700.
    assert_eq!(
        r.volatility.in_force.target_liquidation_threshold_bps,
        6_000
    );

    // One slot later, prices unchanged: still healthy, and the attempt changes nothing.
    f.next_slot().await;
    let keys = [
        borrower.obligation,
        f.reserves[SOL].reserve,
        f.reserves[USDC].reserve,
    ];
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    f.send_refreshes(&ixs).await;
    let before = f.snapshot(&keys).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            SOL,
            1_000_000,
            0,
        )
        .await,
    );
    let res = f.send(&ixs[ixs.len() - 1..], &[&liquidator.keypair]).await;
    assert_error(res, LendingError::ObligationHealthy);
    assert_eq!(f.snapshot(&keys).await, before);
    assert_eq!(
        f.reserve(SOL)
            .await
            .volatility
            .in_force
            .liquidation_threshold_bps,
        lt_spike,
        "one slot later the threshold has not moved"
    );

    // Thirty seconds later (at 1 point an hour, less than a bps): still healthy.
    f.advance_time(30).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            SOL,
            1_000_000,
            0,
        )
        .await,
    );
    let res = f.send(&ixs, &[&liquidator.keypair]).await;
    assert_error(res, LendingError::ObligationHealthy);

    // An hour on, the threshold has drifted to 78.97%: 880 × 0.7897 = 695 < 700. The borrower had
    // that hour; now the liquidation goes through at the stressed bonus and improves health.
    f.advance_time(HOUR).await;
    f.set_price(SOL, 88.0).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            SOL,
            100_000_000,
            0,
        )
        .await,
    );
    let events: Vec<Liquidated> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate");
    let r = f.reserve(SOL).await;
    let lt = r.volatility.in_force.liquidation_threshold_bps;
    assert!((7_896..=7_898).contains(&lt), "{lt}");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert!(e.health_factor_after_bps > e.health_factor_before_bps);
    assert!(e.bonus_bps >= 1_000, "stressed min bonus: {}", e.bonus_bps);
}

#[tokio::test]
async fn successful_stress_shrinks_the_borrow_cap_for_new_borrows() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let mut config = f.reserve(USDC).await.config;
    config.borrow_cap = 1_000_000_000;
    let admin = f.admin.insecure_clone();
    let ix = f.update_reserve_config_ix(&admin.pubkey(), USDC, config);
    f.send(&[ix], &[&admin]).await.expect("cap 1,000 USDC");
    let usdc = VolatilityConfig {
        ltv_floor_bps: 6_000,
        threshold_floor_bps: 7_000,
        ..sol_config()
    };
    f.set_volatility_config(USDC, usdc).await;
    f.sample_price(USDC, 1.0).await;
    f.sample_price(USDC, 1.5).await;
    f.sample_price(USDC, 1.0).await;
    assert_eq!(f.reserve(USDC).await.borrow_cap_in_force(), 200_000_000);
    let keys = [borrower.obligation, f.reserves[USDC].reserve];
    let before = f.snapshot(&keys).await;
    let res = f.borrow(&borrower, USDC, 200_000_001).await;
    assert_error(res, LendingError::BorrowCapExceeded);
    assert_eq!(f.snapshot(&keys).await, before);
    f.borrow(&borrower, USDC, 200_000_000)
        .await
        .expect("within the cap in force");
}

#[tokio::test]
async fn successful_admin_changes_apply_at_once_and_off_restores_the_configured_parameters() {
    let (mut f, borrower, _liq) = near_threshold_borrower().await;
    spike(&mut f).await;
    // A lower configured threshold applies at once, as without the adjustment.
    let mut config = f.reserve(SOL).await.config;
    config.liquidation_threshold_bps = 7_800;
    let admin = f.admin.insecure_clone();
    let ix = f.update_reserve_config_ix(&admin.pubkey(), SOL, config);
    f.send(&[ix], &[&admin]).await.expect("update");
    let v = f.reserve(SOL).await.volatility.in_force;
    assert_eq!(v.liquidation_threshold_bps, 7_800);
    assert_eq!(v.loan_to_value_bps, 5_000);
    // Off: the configured parameters, and the borrower may borrow to them again.
    f.set_volatility_config(SOL, VolatilityConfig::default())
        .await;
    let r = f.reserve(SOL).await;
    assert_eq!(r.volatility.in_force, RiskInForce::default());
    assert_eq!(r.own_risk_params(), r.configured_risk_params());
    f.sample_price(SOL, 100.0).await;
    f.borrow(&borrower, USDC, 1_000_000)
        .await
        .expect("borrow at the configured LTV");
}
