//! Independent review (attacker's view) of the volatility-adjusted risk parameters
//! (`state/volatility.rs`, `lending_math::volatility`, `lending_math::volatility::response`).
//! Every test asserts the SAFE behaviour: a refused attack checks the exact error code and that
//! every account it could touch is byte-identical afterwards; a test marked
//! `#[ignore = "FINDING: ..."]` documents a hole (it states the correct behaviour and fails on
//! the current program).
//!
//! Files by theme:
//! - `estimate`: driving the estimate down or up from outside (refresh cadence, several prints
//!   in one slot, replayed or older prints, extreme prices and half-life bounds);
//! - `threshold`: making the threshold in force jump (long gaps, admin changes of the
//!   configuration mid-stress, disable / re-enable, `update_reserve_config` up then down);
//! - `consumers`: the parameters in force where they are consumed (e-mode members, a
//!   liquidation under stress, the borrow cap in force against outstanding debt).
//!
//! The market is the suite's default (USDC, SOL, VOL). SOL's adjustment is [`sol_config`]: a
//! one-hour half-life, calm up to 50%, stressed from 150%; LTV 75% → 50%, threshold target
//! 80% → 60%, borrow cap → 20%; the threshold tightens by at most `rate` an hour.

use lending::state::VolatilityConfig;
use solana_program_test::BanksClientError;
use solana_sdk::signature::Signer;

use crate::fixture::*;
use crate::liquidation::liquidate_ix;

mod consumers;
mod estimate;
mod threshold;

/// One hour (seconds).
pub(crate) const HOUR: i64 = 3_600;

/// SOL's adjustment with a tightening rate of `rate_bps_per_hour`.
pub(crate) fn sol_config_rate(rate_bps_per_hour: u32) -> VolatilityConfig {
    VolatilityConfig {
        half_life_secs: 3_600,
        calm_vol_bps: 5_000,
        stress_vol_bps: 15_000,
        ltv_floor_bps: 5_000,
        threshold_floor_bps: 6_000,
        borrow_cap_floor_bps: 2_000,
        min_bonus_ceiling_bps: 1_000,
        threshold_rate_bps_per_hour: rate_bps_per_hour,
    }
}

/// SOL's adjustment: the threshold tightens at most 1 point an hour.
pub(crate) fn sol_config() -> VolatilityConfig {
    sol_config_rate(100)
}

/// A borrower of 700 USDC against 10 SOL at SOL = 88 (880 × 0.8 = 704: healthy by 4 USDC),
/// a liquidator with 5,000 USDC, and SOL's adjustment on with `config`, calm.
pub(crate) async fn near_threshold(config: VolatilityConfig) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("borrow");
    let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
    f.sample_price(SOL, 88.0).await;
    f.set_volatility_config(SOL, config).await;
    f.sample_price(SOL, 88.0).await;
    assert_eq!(f.reserve(SOL).await.volatility.in_force.stress_bps, 0);
    (f, borrower, liquidator)
}

/// SOL swings 88 → 130 → 88 over two minutes (two samples at the one-hour half-life's
/// resolution): the estimate jumps far past the stress level and stays stressed for hours.
pub(crate) async fn spike(f: &mut TestFixture) {
    f.sample_price(SOL, 130.0).await;
    f.sample_price(SOL, 88.0).await;
    assert_eq!(f.reserve(SOL).await.volatility.in_force.stress_bps, 10_000);
}

/// Writes SOL-like reserve `idx`'s price account at `whole` with `publish_time` (the clock is
/// left alone) and refreshes the reserve.
pub(crate) async fn post_and_refresh(
    f: &mut TestFixture,
    idx: usize,
    whole: f64,
    publish_time: i64,
) -> Result<(), BanksClientError> {
    let spec = crate::pyth::usd(whole, f.reserves[idx].feed_id, publish_time);
    f.write_price(idx, spec);
    let ix = f.refresh_reserve_ix(idx);
    f.send(&[ix], &[]).await
}

/// Refreshes every reserve and the obligation, then liquidates `amount` USDC of `obligation`'s
/// debt against its SOL, in one transaction signed by `liquidator`.
pub(crate) async fn try_liquidate(
    f: &mut TestFixture,
    liquidator: &TestUser,
    obligation: &solana_sdk::pubkey::Pubkey,
    amount: u64,
) -> Result<(), BanksClientError> {
    let mut ixs = f.refresh_ixs(obligation).await;
    ixs.push(liquidate_ix(f, liquidator, obligation, USDC, SOL, amount, 0).await);
    f.send(&ixs, &[&liquidator.keypair]).await
}

/// The admin sets reserve `idx`'s volatility configuration, returning the result.
pub(crate) async fn try_set_volatility_config(
    f: &mut TestFixture,
    idx: usize,
    config: VolatilityConfig,
) -> Result<(), BanksClientError> {
    let admin = f.admin.insecure_clone();
    let ix = f.set_volatility_config_ix(&admin.pubkey(), idx, config);
    f.send(&[ix], &[&admin]).await
}
