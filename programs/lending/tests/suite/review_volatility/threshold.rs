//! Making the liquidation threshold in force jump: it may tighten only at its rate per hour,
//! so a position healthy one slot earlier stays healthy at unchanged prices.

use lending::error::LendingError;
use lending::state::VolatilityConfig;
use solana_sdk::signature::Signer;

use super::*;

/// The threshold in force of SOL (bps).
async fn threshold(f: &mut TestFixture) -> u16 {
    f.reserve(SOL)
        .await
        .volatility
        .in_force
        .liquidation_threshold_bps
}

/// The reserve is stressed with a tightening rate of 0.1 point an hour, and nobody refreshes
/// SOL for an hour: at any instant of that hour the threshold in force is ≥ 79.9%, and the
/// borrower (700 against 880 × 0.799 = 703) is healthy. The admin then raises the rate to
/// 100 points an hour (the maximum), meaning "tighten faster from now on". The handler stores
/// the new configuration and recomputes the path over the time since the last refresh with the
/// new rate, so the threshold jumps from 79.9% to the 60% target in one transaction and the
/// borrower is liquidated at unchanged prices. The elapsed time should be stepped at the rate
/// that was in force (settle the path under the old configuration, then switch).
#[tokio::test]
async fn exploit_admin_rate_change_applies_to_the_hour_before_it() {
    let (mut f, borrower, liquidator) = near_threshold(sol_config_rate(10)).await;
    spike(&mut f).await;
    // The spike's minute at 0.1 point an hour: under a bps, rounded down.
    assert!((7_999..=8_000).contains(&threshold(&mut f).await));
    f.advance_time(HOUR).await;
    try_set_volatility_config(&mut f, SOL, sol_config_rate(10_000))
        .await
        .expect("admin raises the rate");
    let lt = threshold(&mut f).await;
    // An hour and the spike's minute at 0.1 point an hour (10.2 bps), rounded down.
    assert!(
        lt >= 7_989,
        "the threshold jumped to {lt} at unchanged prices"
    );
    let res = try_liquidate(&mut f, &liquidator, &borrower.obligation, 1_000_000).await;
    assert_error(res, LendingError::ObligationHealthy);
}

/// Nobody refreshes for three hours after a spike: the first refresh moves the threshold by
/// the three hours' allowance (3 points), no more, exactly where hourly refreshes would have
/// taken it; with a rate of zero it never moves.
#[tokio::test]
async fn successful_threshold_after_a_long_gap_falls_only_by_its_rate() {
    let (mut f, _borrower, _liq) = near_threshold(sol_config()).await;
    spike(&mut f).await;
    f.advance_time(3 * HOUR).await;
    let ix = f.refresh_reserve_ix(SOL);
    f.send(&[ix], &[]).await.expect("refresh");
    let lt = threshold(&mut f).await;
    // Three hours and the spike's minute at 1 point an hour, rounded down.
    assert!((7_698..=7_701).contains(&lt), "{lt}");

    let (mut f, borrower, liquidator) = near_threshold(sol_config_rate(0)).await;
    spike(&mut f).await;
    for _ in 0..3 {
        f.advance_time(4 * HOUR).await;
        f.set_price(SOL, 130.0).await;
        let ix = f.refresh_reserve_ix(SOL);
        f.send(&[ix], &[]).await.expect("refresh");
        f.sample_price(SOL, 88.0).await;
        assert_eq!(threshold(&mut f).await, 8_000, "rate 0: never tightens");
    }
    let res = try_liquidate(&mut f, &liquidator, &borrower.obligation, 1_000_000).await;
    assert_error(res, LendingError::ObligationHealthy);
}

/// A clock that goes back (within the 30 s a publish time may lead it) neither steps the
/// threshold nor lets the elapsed time be counted twice when it comes forward again.
#[tokio::test]
async fn successful_clock_going_back_counts_no_time_twice() {
    let (mut f, _borrower, _liq) = near_threshold(sol_config()).await;
    spike(&mut f).await;
    let last = f.oracle_config(SOL).await.last_publish_time;
    let path_ts = f.reserve(SOL).await.volatility.threshold_ts;
    let at_spike = threshold(&mut f).await;
    f.advance_time_without_prices(-20).await;
    post_and_refresh(&mut f, SOL, 88.0, last)
        .await
        .expect("the last print again");
    let r = f.reserve(SOL).await;
    assert_eq!(
        r.volatility.threshold_ts, path_ts,
        "the path's clock never goes back"
    );
    assert_eq!(r.volatility.in_force.liquidation_threshold_bps, at_spike);
    // Forward to one hour after the spike: one hour's allowance, not one hour and 20 s twice.
    f.advance_time(20 + HOUR).await;
    let ix = f.refresh_reserve_ix(SOL);
    f.send(&[ix], &[]).await.expect("refresh");
    let lt = threshold(&mut f).await;
    assert!((7_898..=7_901).contains(&lt), "{lt}");
}

/// Mid-stress (threshold drifted to 78%), the admin turns the adjustment off and on again:
/// both steps loosen (off: the configured 80%; on: calm, 80%), neither tightens anything, and
/// the borrower healthy at 80% stays so. Re-enabling while stressed does not carry the stress.
#[tokio::test]
async fn successful_disable_and_re_enable_mid_stress_only_loosen() {
    let (mut f, borrower, liquidator) = near_threshold(sol_config()).await;
    spike(&mut f).await;
    f.advance_time(2 * HOUR).await;
    let ix = f.refresh_reserve_ix(SOL);
    f.send(&[ix], &[]).await.expect("refresh");
    assert!(threshold(&mut f).await <= 7_801);
    try_set_volatility_config(&mut f, SOL, VolatilityConfig::default())
        .await
        .expect("off");
    let r = f.reserve(SOL).await;
    assert_eq!(r.own_risk_params(), r.configured_risk_params());
    try_set_volatility_config(&mut f, SOL, sol_config())
        .await
        .expect("on");
    let v = f.reserve(SOL).await.volatility.in_force;
    assert_eq!(v.liquidation_threshold_bps, 8_000);
    assert_eq!(v.stress_bps, 0);
    let res = try_liquidate(&mut f, &liquidator, &borrower.obligation, 1_000_000).await;
    assert_error(res, LendingError::ObligationHealthy);
}

/// Mid-drift (79%), the admin raises the configured threshold to 85% and then lowers it back to
/// 80%: the raise does not reset the path upwards under stress (the target stays at the floor),
/// and the return to 80% leaves the drifted 79% where it was: no jump either way.
#[tokio::test]
async fn successful_update_reserve_config_raise_then_lower_keeps_the_drift() {
    let (mut f, _borrower, _liq) = near_threshold(sol_config()).await;
    spike(&mut f).await;
    f.advance_time(HOUR).await;
    let ix = f.refresh_reserve_ix(SOL);
    f.send(&[ix], &[]).await.expect("refresh");
    let drifted = threshold(&mut f).await;
    assert!((7_898..=7_901).contains(&drifted), "{drifted}");
    let admin = f.admin.insecure_clone();
    for lt in [8_500, 8_000] {
        let mut config = f.reserve(SOL).await.config;
        config.liquidation_threshold_bps = lt;
        let ix = f.update_reserve_config_ix(&admin.pubkey(), SOL, config);
        f.send(&[ix], &[&admin]).await.expect("update");
        assert_eq!(threshold(&mut f).await, drifted, "configured {lt}");
    }
}
