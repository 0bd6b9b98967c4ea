//! Driving the estimate from outside: the refresh is permissionless, the attacker picks which
//! prints land and when, and the estimate sets the LTV, the cap and the bonus at once.

use lending::error::LendingError;
use lending::state::VolatilityConfig;

use super::*;

/// A 30% fall over one hour, refreshed every second (what any bot, or an honest keeper on a
/// busy reserve, does), is measured as calm: the estimator sums squared one-second returns,
/// and a steady trend split into 3,600 steps of 0.01% has almost no squared return
/// (σ ≈ 53% at the end against a calm level of 50%). The same fall refreshed once a minute
/// reads σ ≈ 300% (full stress), and refreshed once reads σ ≈ 2,100%. So whoever refreshes most
/// often decides that a crash is calm, and borrows at the calm LTV near its bottom.
#[tokio::test]
async fn exploit_frequent_refreshes_keep_the_calm_ltv_through_a_slow_crash() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.tick_price(SOL, 100.0).await;
    f.set_volatility_config(SOL, sol_config()).await;
    f.tick_price(SOL, 100.0).await;
    // 100 → 70 over an hour, one refresh a second.
    let steps = 3_600;
    for i in 1..=steps {
        let p = 100.0 * 0.7f64.powf(f64::from(i) / f64::from(steps));
        f.tick_price(SOL, (p * 1e4).round() / 1e4).await;
    }
    let v = f.reserve(SOL).await.volatility.in_force;
    // A 30% fall in one hour is ~56 hourly standard deviations at the calm level: full stress.
    assert_eq!(v.stress_bps, 10_000, "measured calm during a crash: {v:?}");
    assert_eq!(v.loan_to_value_bps, 5_000, "{v:?}");
    // The attacker borrows 500 USDC against 10 SOL worth 700 (71%): refused at the floor LTV.
    let keys = [
        borrower.obligation,
        f.reserves[SOL].reserve,
        f.reserves[USDC].reserve,
    ];
    let before = f.snapshot(&keys).await;
    let res = f.borrow(&borrower, USDC, 500_000_000).await;
    assert_error(res, LendingError::BorrowTooLarge);
    assert_eq!(f.snapshot(&keys).await, before);
}

/// In one slot (one clock second), an attacker posts the feed's prints of the last minute in
/// publish-time order, keeping only those that alternate between 88.0 and 88.3 (a 0.3% jitter),
/// and refreshes after each. The estimator dates samples by publish time, so each is a sample
/// one second from the last: 58 returns of 0.34% are counted in one slot, and the estimate
/// jumps from 50% to about 200% (full stress): LTV 75% → 50%, cap → 20%, min bonus 2% → 10%,
/// for every borrower of the reserve, at once. The module doc claims the opposite ("a same-slot
/// price path cannot manufacture returns"). A single refresh with the last print (net move 0)
/// leaves the estimate calm, and that is what the slot should leave.
#[tokio::test]
async fn exploit_one_slot_of_selected_recent_prints_pumps_the_estimate() {
    let (mut f, _borrower, _liq) = near_threshold(sol_config()).await;
    let t0 = f.now().await;
    // The clock moves 58 s on (one slot); nobody refreshes meanwhile.
    f.advance_time_without_prices(58).await;
    let slot = f.slot().await;
    for k in 1..=58i64 {
        let px = if k % 2 == 1 { 88.3 } else { 88.0 };
        post_and_refresh(&mut f, SOL, px, t0 + k)
            .await
            .expect("a print of the last minute, newer than the last");
    }
    assert_eq!(f.slot().await, slot, "all in one slot");
    let r = f.reserve(SOL).await;
    let v = r.volatility.in_force;
    assert_eq!(v.stress_bps, 0, "one slot pumped the estimate: {v:?}");
    assert_eq!(v.loan_to_value_bps, 7_500);
    assert_eq!(v.min_liquidation_bonus_bps, 200);
    assert_eq!(v.borrow_cap, r.config.borrow_cap);
}

/// Refreshing the same print many times in one slot, or prints that share a publish second,
/// adds no sample: the estimate and the path are unchanged, whatever the price of the later
/// prints (the next sample measures the net move from the first).
#[tokio::test]
async fn successful_prints_sharing_a_publish_second_add_no_sample() {
    let (mut f, _borrower, _liq) = near_threshold(sol_config()).await;
    let t = f.oracle_config(SOL).await.last_publish_time;
    let before = f.reserve(SOL).await.volatility;
    for px in [88.0, 130.0, 40.0, 88.0, 130.0] {
        post_and_refresh(&mut f, SOL, px, t)
            .await
            .expect("same publish time is not a regression");
    }
    let after = f.reserve(SOL).await;
    assert_eq!(after.volatility, before, "no sample from a repeated second");
    // The cached price is the last print's; its move counts at the next second, once.
    f.tick_price(SOL, 88.0).await;
    let v = f.reserve(SOL).await.volatility;
    assert_eq!(
        v.in_force.stress_bps, 0,
        "the sample is still the first print of its second (88): {v:?}"
    );
}

/// After a crash print has landed, an attacker tries to bring back the calm pre-crash print (to
/// borrow at the calm price and on a calm estimate): refused, and nothing changes.
#[tokio::test]
async fn fail_refresh_when_an_older_calm_print_is_replayed_after_a_crash_print() {
    let (mut f, _borrower, _liq) = near_threshold(sol_config()).await;
    let calm_time = f.oracle_config(SOL).await.last_publish_time;
    f.tick_price(SOL, 60.0).await;
    f.next_slot().await;
    let keys = [f.reserves[SOL].reserve, f.reserves[SOL].oracle_config];
    let before = f.snapshot(&keys).await;
    let res = post_and_refresh(&mut f, SOL, 88.0, calm_time).await;
    assert_error(res, LendingError::OraclePublishTimeRegressed);
    assert_eq!(f.snapshot(&keys).await, before);
}

/// Prints from one base unit (1e-8) to 9e10, swinging every second, with the shortest and the
/// longest half-life and the highest stress level: every refresh and valuation goes through,
/// the estimate saturates at full stress, and the parameters in force stay within their bounds.
#[tokio::test]
async fn successful_extreme_prices_and_half_life_bounds_neither_panic_nor_overflow() {
    for half_life_secs in [1, 30 * 86_400] {
        let (mut f, borrower, _liq) = near_threshold(sol_config()).await;
        let config = VolatilityConfig {
            half_life_secs,
            calm_vol_bps: 99_999,
            stress_vol_bps: 100_000,
            ..sol_config_rate(10_000)
        };
        f.set_volatility_config(SOL, config).await;
        for px in [
            0.000_000_01,
            90_000_000_000.0,
            0.000_000_01,
            90_000_000_000.0,
            88.0,
        ] {
            f.sample_price(SOL, px).await;
            f.refresh(&borrower.obligation).await.expect("valuation");
        }
        let r = f.reserve(SOL).await;
        let v = r.volatility.in_force;
        assert!(v.volatility_bps > 100_000, "{half_life_secs}: {v:?}");
        assert_eq!(v.stress_bps, 10_000);
        assert_eq!(v.loan_to_value_bps, 5_000);
        assert_eq!(v.min_liquidation_bonus_bps, 1_000);
        assert_eq!(v.borrow_cap, r.config.borrow_cap / 5);
        assert!((6_000..=8_000).contains(&v.liquidation_threshold_bps));
        // Still refreshable an hour later (the estimate decays, no overflow on the way).
        f.advance_time(HOUR).await;
        let ix = f.refresh_reserve_ix(SOL);
        let payer = f.ctx.payer.insecure_clone();
        f.send(&[ix], &[&payer]).await.expect("refresh");
    }
}
