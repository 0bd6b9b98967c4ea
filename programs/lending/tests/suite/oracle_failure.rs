//! Oracle-failure griefing (audit finding 4): a borrower adds a 1-unit deposit in a reserve
//! whose oracle fails, so that no refresh of his obligation can succeed and no liquidation can
//! run. With `report_oracle_failure`, a liquidation counts that deposit as worth nothing and
//! goes ahead; borrowing stays blocked, and a working oracle can never be reported failing.

use lending::error::LendingError;
use lending::events::Liquidated;

use crate::fixture::*;
use crate::liquidation::{liquidate_ix, unhealthy_setup};

/// The borrower of `unhealthy_setup(80)` with 1 unit of VOL deposited, then 120 s in which
/// USDC and SOL keep publishing and VOL does not (its 60 s max age passes).
async fn griefing_setup() -> (TestFixture, TestUser, TestUser) {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    let mint = f.reserves[VOL].mint;
    f.mint_to(&mint, &borrower.tokens[VOL], 1).await;
    let ix = f.deposit_ix(&borrower, VOL, 1);
    f.send(&[ix], &[&borrower.keypair])
        .await
        .expect("dust deposit");
    f.advance_time_without_prices(120).await;
    f.set_price(USDC, 1.0).await;
    f.set_price(SOL, 80.0).await;
    (f, borrower, liquidator)
}

#[tokio::test]
async fn exploit_dust_deposit_in_a_failing_oracle_blocks_liquidation() {
    let (mut f, borrower, liquidator) = griefing_setup().await;
    let o = borrower.obligation;
    // The refresh of every reserve cannot succeed: VOL's price is stale.
    assert_error(f.refresh(&o).await, LendingError::StalePrice);
    // Leaving VOL out does not make its deposit count as nothing: it is merely stale.
    let mut ixs = vec![f.refresh_reserve_ix(USDC), f.refresh_reserve_ix(SOL)];
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, SOL, u64::MAX, 0).await);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::ReserveStale,
    );
    // With VOL's failure on record, the liquidation values its deposit at zero and goes ahead.
    let mut ixs = vec![
        f.refresh_reserve_ix(USDC),
        f.refresh_reserve_ix(SOL),
        f.report_oracle_failure_ix(VOL),
    ];
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, SOL, u64::MAX, 0).await);
    let mut events: Vec<Liquidated> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    let e = events.remove(0);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate");
    // What lifts HF to 1.05 at the auction's 2%, (1.05 × 700 − 640) / (1.05 − 0.8 × 1.02) =
    // $405.98, and two minutes of interest.
    assert!(
        (405_982_906..405_983_200).contains(&e.repay_amount),
        "{}",
        e.repay_amount
    );
    assert!(e.health_factor_after_bps > e.health_factor_before_bps);
    assert_eq!(
        f.balance(&liquidator.tokens[USDC]).await,
        5_000_000_000 - e.repay_amount
    );
    // The VOL dust itself cannot be seized while its oracle fails.
    let mut ixs = vec![
        f.refresh_reserve_ix(USDC),
        f.refresh_reserve_ix(SOL),
        f.report_oracle_failure_ix(VOL),
    ];
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, VOL, u64::MAX, 0).await);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::ReserveStale,
    );
}

#[tokio::test]
async fn fail_borrow_while_an_oracle_of_the_obligation_fails() {
    let (mut f, borrower, _liquidator) = griefing_setup().await;
    f.set_price(SOL, 200.0).await; // plenty of room to borrow, were VOL priced
    let mut ixs = vec![
        f.refresh_reserve_ix(USDC),
        f.refresh_reserve_ix(SOL),
        f.report_oracle_failure_ix(VOL),
    ];
    ixs.push(f.borrow_ix(&borrower, USDC, 1_000_000).await);
    assert_error(
        f.send(&ixs, &[&borrower.keypair]).await,
        LendingError::ReserveStale,
    );
}

#[tokio::test]
async fn fail_report_oracle_failure_when_the_oracle_works_or_is_not_the_pinned_one() {
    let (mut f, _borrower, _liquidator) = griefing_setup().await;
    let keys = [f.reserves[USDC].reserve, f.reserves[VOL].reserve];
    let before = f.snapshot(&keys).await;
    let ix = f.report_oracle_failure_ix(USDC);
    assert_error(f.send(&[ix], &[]).await, LendingError::OracleNotFailing);
    // A stale account of another reserve is not VOL's oracle.
    let mut ix = f.report_oracle_failure_ix(VOL);
    ix.accounts[2].pubkey = f.reserves[USDC].price_account;
    assert_error(f.send(&[ix], &[]).await, LendingError::InvalidOracleAccount);
    assert_eq!(f.snapshot(&keys).await, before, "nothing recorded");
    // After a valid refresh in the slot, the oracle cannot be reported failing in it.
    let ix = f.refresh_reserve_ix(SOL);
    f.send(&[ix], &[]).await.expect("refresh");
    let ix = f.report_oracle_failure_ix(SOL);
    assert_error(f.send(&[ix], &[]).await, LendingError::OracleNotFailing);
}

/// The follow-up to finding 4 found by an independent review: were a failing collateral worth
/// nothing, one stale feed would expose every healthy obligation holding it to liquidation of
/// its other collateral at the maximum bonus. It counts at its last conservative price instead,
/// fading to nothing over an hour of outage.
#[tokio::test]
async fn exploit_stale_collateral_oracle_to_liquidate_a_healthy_obligation_is_refused() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let mint = f.reserves[VOL].mint;
    f.mint_to(&mint, &borrower.tokens[VOL], 600_000_000).await;
    let ix = f.deposit_ix(&borrower, VOL, 600_000_000); // $300 at $0.50
    f.send(&[ix], &[&borrower.keypair]).await.expect("VOL");
    f.borrow(&borrower, USDC, 250_000_000)
        .await
        .expect("borrow");
    let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
    let o = borrower.obligation;
    // SOL's feed stops for two minutes; USDC and VOL keep publishing.
    f.advance_time_without_prices(120).await;
    f.set_price(USDC, 1.0).await;
    f.set_price(VOL, 0.5).await;
    let attack = |f: &mut TestFixture| {
        vec![
            f.refresh_reserve_ix(USDC),
            f.refresh_reserve_ix(VOL),
            f.report_oracle_failure_ix(SOL),
        ]
    };
    let mut ixs = attack(&mut f);
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, VOL, u64::MAX, 0).await);
    let keys = [o, liquidator.tokens[USDC], liquidator.tokens[VOL]];
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::ObligationHealthy,
    );
    assert_eq!(f.snapshot(&keys).await, before, "nothing moved");
    // After an hour of silence the SOL price no longer counts: the obligation is then judged
    // on its VOL alone ($300 × 60% = $180 < $250) and may be liquidated.
    f.advance_time_without_prices(3_600).await;
    f.set_price(USDC, 1.0).await;
    f.set_price(VOL, 0.5).await;
    let mut ixs = attack(&mut f);
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, VOL, u64::MAX, 0).await);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("a feed dead for an hour stops counting");
}

/// A borrower with 10 SOL and 2,000 VOL owing $900 (health factor 1.56), whose VOL reserve no
/// transaction refreshes for `quiet_minutes` while every feed keeps publishing.
async fn quiet_collateral_setup(quiet_minutes: u32) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let vol = f.reserves[VOL].mint;
    f.mint_to(&vol, &borrower.tokens[VOL], 2_000_000_000).await;
    f.deposit(&borrower, VOL, 2_000_000_000).await.expect("VOL");
    f.borrow(&borrower, USDC, 900_000_000)
        .await
        .expect("borrow");
    let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
    for _ in 0..quiet_minutes {
        f.advance_time(60).await;
    }
    (f, borrower, liquidator)
}

/// Report VOL failing, then liquidate the borrower's SOL: refused, nothing moved.
async fn assert_liquidation_refused(f: &mut TestFixture, borrower: &TestUser, liq: &TestUser) {
    let o = borrower.obligation;
    let mut ixs = vec![
        f.refresh_reserve_ix(USDC),
        f.refresh_reserve_ix(SOL),
        f.report_oracle_failure_ix(VOL),
    ];
    ixs.push(liquidate_ix(f, liq, &o, USDC, SOL, u64::MAX, 0).await);
    let keys = [
        o,
        liq.tokens[USDC],
        liq.tokens[SOL],
        f.reserves[VOL].reserve,
    ];
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&ixs, &[&liq.keypair]).await,
        LendingError::ObligationHealthy,
    );
    assert_eq!(f.snapshot(&keys).await, before, "nothing moved");
}

#[tokio::test]
async fn exploit_brief_outage_of_a_collateral_nobody_refreshed_to_liquidate_a_healthy_obligation() {
    let (mut f, borrower, liquidator) = quiet_collateral_setup(50).await;
    // VOL's feed stops for 90 s; its last print is 90 s old, the reserve's cache 50 minutes.
    f.advance_time_without_prices(90).await;
    f.set_price(USDC, 1.0).await;
    f.set_price(SOL, 100.0).await;
    assert_liquidation_refused(&mut f, &borrower, &liquidator).await;
    // The report on its own adopts the feed's last print as the last known price.
    let published = f.reserves[VOL].price.publish_time;
    let ix = f.report_oracle_failure_ix(VOL);
    f.send(&[ix], &[]).await.expect("report");
    let r = f.reserve(VOL).await;
    assert_eq!(r.price_publish_time, published);
    assert_eq!(r.price_failed_slot, f.slot().await);
}

#[tokio::test]
async fn exploit_one_wide_confidence_print_to_liquidate_a_healthy_obligation() {
    let (mut f, borrower, liquidator) = quiet_collateral_setup(55).await;
    // One VOL print with a 50% confidence interval (the bound is 2%).
    let now = f.now().await;
    let mut spec = crate::pyth::usd(0.5, f.reserves[VOL].feed_id, now);
    spec.conf = spec.price as u64 / 2;
    spec.ema_conf = spec.conf;
    f.write_price(VOL, spec);
    assert_liquidation_refused(&mut f, &borrower, &liquidator).await;
    // Adopted with its confidence capped at the 2% bound.
    let ix = f.report_oracle_failure_ix(VOL);
    f.send(&[ix], &[]).await.expect("report");
    let r = f.reserve(VOL).await;
    assert_eq!(r.price_publish_time, now);
    assert_eq!(
        r.price_conf_sf.get(),
        lending_math::Decimal::from_ratio(1, 100).unwrap(),
        "2% of $0.50"
    );
}
