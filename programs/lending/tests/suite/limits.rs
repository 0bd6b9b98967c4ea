//! Errors no other test reached: a repayment too small to seize anything, the divergence gate
//! on withdrawals with debt (and its absence for liquidations), and the position limits of an
//! obligation (8 deposits, 5 borrows) with an exact liquidation of a full obligation.

use lending::error::LendingError;
use lending::events::Liquidated;
use lending::state::OracleKind;

use crate::fixture::*;
use crate::liquidation::{liquidate_ix, plan_from_refreshed, unhealthy_setup};

#[tokio::test]
async fn fail_liquidate_when_the_repayment_seizes_nothing() {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[0, 100_000_000_000, 0]).await;
    f.deposit(&lender, SOL, 100_000_000_000)
        .await
        .expect("SOL liquidity");
    // 20,000 VOL ($10,000) borrowing 40 SOL ($4,000); SOL then rises to $160.
    let borrower = f.new_user(&[0, 0, 20_000_000_000]).await;
    f.deposit(&borrower, VOL, 20_000_000_000)
        .await
        .expect("VOL");
    f.borrow(&borrower, SOL, 40_000_000_000)
        .await
        .expect("borrow SOL");
    let liquidator = f.new_user(&[0, 10_000_000_000, 0]).await;
    f.advance_time(1).await;
    f.set_price(SOL, 160.0).await;
    // One lamport ($1.6e-7) buys 0.33 of a VOL unit: nothing to seize.
    let o = borrower.obligation;
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, SOL, VOL, 1, 0).await);
    let keys = [o, liquidator.tokens[SOL], liquidator.tokens[VOL]];
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::LiquidationTooSmall,
    );
    assert_eq!(f.snapshot(&keys).await, before);
    // A real repayment goes through.
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, SOL, VOL, 1_000_000_000, 0).await);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("one SOL repaid");
}

/// SOL's spot 12% above its EMA (the bound is 10%).
async fn diverge_sol(f: &mut TestFixture, spot: f64) {
    f.advance_time(1).await;
    let now = f.now().await;
    let mut spec = crate::pyth::usd(spot, f.reserves[SOL].feed_id, now);
    spec.ema_price = (spot / 1.12 * 1e8).round() as i64;
    f.write_price(SOL, spec);
}

#[tokio::test]
async fn fail_withdraw_with_debt_when_the_reserve_price_diverges() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    let saver = f.new_user(&[0, 1_000_000_000, 0]).await;
    f.deposit(&saver, SOL, 1_000_000_000)
        .await
        .expect("SOL, no debt");
    diverge_sol(&mut f, 100.0).await;
    let keys = [borrower.obligation, f.reserves[SOL].reserve];
    f.refresh(&borrower.obligation).await.expect("refresh");
    assert_eq!(f.reserve(SOL).await.price_divergent, 1);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.withdraw(&borrower, SOL, 1_000_000).await,
        LendingError::PriceDivergenceTooHigh,
    );
    assert_eq!(f.snapshot(&keys).await, before);
    // Without debt no price decides anything: the saver withdraws.
    f.withdraw(&saver, SOL, u64::MAX)
        .await
        .expect("a depositor without debt withdraws");
    assert_eq!(f.balance(&saver.tokens[SOL]).await, 1_000_000_000);
}

#[tokio::test]
async fn successful_liquidation_while_the_collateral_price_diverges() {
    let (mut f, borrower, liquidator) = unhealthy_setup(100.0).await;
    // SOL at $80 spot, its EMA 12% higher: the breaker is on, and liquidation ignores it.
    diverge_sol(&mut f, 80.0).await;
    let o = borrower.obligation;
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, SOL, u64::MAX, 0).await);
    let events: Vec<Liquidated> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidations ignore the divergence gate");
    assert_eq!(f.reserve(SOL).await.price_divergent, 1);
    assert!(events[0].repay_amount > 0);
}

#[tokio::test]
async fn fail_positions_past_8_deposits_or_5_borrows_and_exact_liquidation_of_a_full_obligation() {
    let mut f = TestFixture::new().await;
    // Eleven more $1 reserves (6 decimals), 14 in all.
    for i in 0..11u8 {
        let mut feed = [0u8; 32];
        feed[0] = 0x40 + i;
        feed[31] = 0xfe;
        f.add_reserve(
            6,
            1.0,
            OracleKind::PythPull,
            feed,
            reserve_config(8_000, 8_500, 10_000),
        )
        .await;
    }
    let n = f.reserves.len();
    let lender = f.new_user(&vec![1_000_000_000_000; n]).await;
    for i in 8..n {
        f.deposit(&lender, i, 1_000_000_000_000)
            .await
            .expect("liquidity");
    }
    let user = f.new_user(&vec![1_000_000_000; n]).await;
    // Deposits in reserves 0..8 (USDC, SOL, VOL and five $1 reserves): $100 each of the $1
    // ones, and small amounts of the others.
    let amounts = [100_000_000, 1_000_000_000, 200_000_000];
    for i in 0..8 {
        let a = amounts.get(i).copied().unwrap_or(100_000_000);
        f.deposit(&user, i, a).await.expect("deposit");
    }
    let o = user.obligation;
    let ninth = f.deposit_ix(&user, 8, 1_000_000);
    let before = f.snapshot(&[o]).await;
    assert_error(
        f.send(&[ninth], &[&user.keypair]).await,
        LendingError::TooManyDeposits,
    );
    assert_eq!(f.snapshot(&[o]).await, before);
    // Five borrows of $110 each from reserves 8..13 ($550 of the $605 allowed).
    for i in 8..13 {
        f.refresh(&o).await.expect("refresh in same-slot chunks");
        let ix = f.borrow_ix(&user, i, 110_000_000).await;
        f.send(&[ix], &[&user.keypair]).await.expect("borrow");
    }
    f.refresh(&o).await.expect("refresh in same-slot chunks");
    let sixth = f.borrow_ix(&user, 13, 1_000_000).await;
    let before = f.snapshot(&[o]).await;
    assert_error(
        f.send(&[sixth], &[&user.keypair]).await,
        LendingError::TooManyBorrows,
    );
    assert_eq!(f.snapshot(&[o]).await, before);
    let full = f.obligation(&o).await;
    assert_eq!(
        (
            full.active_deposits().count(),
            full.active_borrows().count()
        ),
        (8, 5)
    );
    // Four of the $1 collaterals halve: $550 of debt against $480 of unhealthy borrow value.
    f.advance_time(1).await;
    for i in 3..7 {
        f.set_price(i, 0.5).await;
    }
    f.refresh(&o).await.expect("refresh in same-slot chunks");
    let liquidator = f.new_user(&vec![1_000_000_000; n]).await;
    let (plan, _) = plan_from_refreshed(&mut f, &o, 8, 7, u64::MAX).await;
    let ix = liquidate_ix(&mut f, &liquidator, &o, 8, 7, u64::MAX, 0).await;
    let events: Vec<Liquidated> =
        crate::events::simulate_events(&mut f, std::slice::from_ref(&ix), &[&liquidator.keypair])
            .await;
    let (paid, got) = (
        f.balance(&liquidator.tokens[8]).await,
        f.balance(&liquidator.tokens[7]).await,
    );
    f.send(&[ix], &[&liquidator.keypair])
        .await
        .expect("a liquidation of a full obligation");
    let e = &events[0];
    assert_eq!(e.repay_amount, plan.repay_amount);
    assert_eq!(e.seize_amount, plan.seize_amount);
    assert_eq!(e.liquidator_amount, plan.liquidator_amount);
    assert_eq!(
        paid - f.balance(&liquidator.tokens[8]).await,
        plan.repay_amount
    );
    assert_eq!(
        f.balance(&liquidator.tokens[7]).await - got,
        plan.liquidator_amount
    );
    assert!(e.health_factor_after_bps > e.health_factor_before_bps);
}
