//! Flash loans against the outflow window, and the window itself.

use super::*;

// ----- flash loans and the outflow window -----------------------------------------------------

/// Caps USDC at 1,000 USDC an hour, after `flash_market`.
async fn capped_flash_market(fee_bps: u16) -> (TestFixture, TestUser, TestUser) {
    let (mut f, lender, user) = flash_market(fee_bps).await;
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    (f, lender, user)
}

#[tokio::test]
async fn successful_loan_with_the_window_exhausted_leaves_the_window_as_it_was() {
    let (mut f, lender, user) = capped_flash_market(30).await;
    f.withdraw(&lender, USDC, CAP).await.expect("drain the cap");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    let window = f.reserve(USDC).await.outflow;
    let all = f.reserve(USDC).await.available_amount;
    let ixs = f.flash_loan_ixs(&user.keypair, &user.tokens[USDC], USDC, all, vec![]);
    f.send(&ixs, &[&user.keypair])
        .await
        .expect("vault-neutral loan");
    assert_eq!(f.reserve(USDC).await.outflow, window);
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    assert_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn fail_flash_funded_deposit_credit_to_withdraw_past_the_cap() {
    let (mut f, lender, _user) = capped_flash_market(30).await;
    let loan = 500_000_000_000;
    let vault = f.reserves[USDC].vault;
    let token = lender.tokens[USDC];
    // Lender wallet: 0 USDC after its deposit; give it the fee.
    let mint = f.reserves[USDC].mint;
    f.mint_to(&mint, &token, 10_000_000_000).await;
    // Borrow, deposit it (credit), withdraw the credit and one more unit than the cap.
    let middle = vec![
        f.deposit_ix(&lender, USDC, loan),
        f.withdraw_ix(&lender, USDC, loan + CAP + 1).await,
    ];
    let ixs = f.flash_loan_ixs(&lender.keypair, &token, USDC, loan, middle);
    refused(
        &mut f,
        &lender,
        &ixs,
        Some(LendingError::OutflowLimitExceeded.into()),
    )
    .await;
    // At the cap exactly it lands, and the vault loses the cap less the fee: no more.
    let middle = vec![
        f.deposit_ix(&lender, USDC, loan),
        f.withdraw_ix(&lender, USDC, loan + CAP).await,
    ];
    let ixs = f.flash_loan_ixs(&lender.keypair, &token, USDC, loan, middle);
    let before = f.balance(&vault).await;
    f.send(&ixs, &[&lender.keypair]).await.expect("net = cap");
    let fee = lending_math::flash::fee(loan, 30).unwrap();
    let after = f.balance(&vault).await;
    assert_eq!(
        i128::from(after) - i128::from(before),
        i128::from(fee) - i128::from(CAP)
    );
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    let res = f.withdraw(&lender, USDC, 1).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
    assert_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn fail_flash_funded_repay_credit_to_borrow_past_the_cap() {
    let (mut f, lender, _user) = capped_flash_market(30).await;
    let borrower = f.new_user(&[0, 20_000_000_000_000, 0]).await;
    f.deposit(&borrower, SOL, 20_000_000_000_000)
        .await
        .expect("collateral");
    f.borrow(&borrower, USDC, 600_000_000)
        .await
        .expect("borrow");
    f.withdraw(&lender, USDC, 400_000_000)
        .await
        .expect("the rest of the cap");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    let mint = f.reserves[USDC].mint;
    f.mint_to(&mint, &borrower.tokens[USDC], 100_000_000).await;
    let token = borrower.tokens[USDC];
    let loan = 500_000_000;
    let refresh = vec![f.refresh_reserve_ix(USDC), f.refresh_reserve_ix(SOL)];
    // Flash-borrow 500, repay 500 of the debt with it (credit 500), borrow 500 + 1 again.
    let repay = f.repay_ix(&borrower, USDC, loan);
    let over = f.borrow_ix(&borrower, USDC, loan + 1).await;
    let exact = f.borrow_ix(&borrower, USDC, loan).await;
    let ixs = f.flash_loan_ixs(
        &borrower.keypair,
        &token,
        USDC,
        loan,
        [refresh.clone(), vec![repay.clone(), over]].concat(),
    );
    refused(
        &mut f,
        &borrower,
        &ixs,
        Some(LendingError::OutflowLimitExceeded.into()),
    )
    .await;
    // Exactly the credit: lands, the window stays drained, the vault gains the fee.
    let vault = f.reserves[USDC].vault;
    let before = f.balance(&vault).await;
    let ixs = f.flash_loan_ixs(
        &borrower.keypair,
        &token,
        USDC,
        loan,
        [refresh, vec![repay, exact]].concat(),
    );
    f.send(&ixs, &[&borrower.keypair])
        .await
        .expect("the credit exactly");
    assert_eq!(
        f.balance(&vault).await - before,
        lending_math::flash::fee(loan, 30).unwrap()
    );
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    assert_whole(&mut f, USDC).await;
}

// ----- the window itself ------------------------------------------------------------------------

/// Sets the clock to `ts` (and the slot one on).
async fn set_time(f: &mut TestFixture, ts: i64) {
    let clock: Clock = f.ctx.banks_client.get_sysvar().await.expect("clock");
    f.ctx.warp_to_slot(clock.slot + 1).expect("warp");
    let mut after: Clock = f.ctx.banks_client.get_sysvar().await.expect("clock");
    after.unix_timestamp = ts;
    f.ctx.set_sysvar(&after);
    for i in 0..f.reserves.len() {
        let mut p = f.reserves[i].price;
        p.publish_time = ts;
        f.write_price(i, p);
    }
}

/// A lender of 20,000 USDC under a 1,000 USDC / hour cap; returns the bucket start.
pub(super) async fn capped_lender() -> (TestFixture, TestUser, i64) {
    let mut f = TestFixture::new().await;
    let a = f.new_user(&[20_000_000_000, 0, 0]).await;
    f.deposit(&a, USDC, 20_000_000_000).await.expect("deposit");
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    let start = f.reserve(USDC).await.outflow.bucket_start_ts;
    (f, a, start)
}

/// Withdraws as much as the window allows now (by the program's own figure), returns it.
async fn drain(f: &mut TestFixture, user: &TestUser) -> u64 {
    let room = f.outflow_remaining(USDC).await;
    if room > 0 {
        f.withdraw(user, USDC, room).await.expect("the room");
    }
    let res = f.withdraw(user, USDC, 1).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
    room
}

#[tokio::test]
async fn fail_drain_past_two_caps_across_a_bucket_boundary() {
    let (mut f, a, start) = capped_lender().await;
    let w = HOUR as i64;
    // The whole cap at the last second of the first bucket.
    set_time(&mut f, start + w - 1).await;
    let mut out = vec![(start + w - 1, drain(&mut f, &a).await)];
    // Then at every step across the next bucket, whatever the window gives back.
    for t in [
        start + w,
        start + w + 1,
        start + w + w / 4,
        start + w + w / 2,
        start + 2 * w - 1,
        start + 2 * w,
        start + 2 * w + 1,
    ] {
        set_time(&mut f, t).await;
        out.push((t, drain(&mut f, &a).await));
    }
    assert_eq!(out[1].1, 0, "nothing right after the boundary");
    // No sliding window of W seconds saw more than 2 × cap (the documented bound), and any
    // window of W seconds that starts at the first drain saw at most cap × (1 + L/W) + 1.
    for (i, (t0, _)) in out.iter().enumerate() {
        let total: u64 = out[i..]
            .iter()
            .filter(|(t, _)| *t < t0 + w)
            .map(|(_, x)| *x)
            .sum();
        assert!(total <= 2 * CAP, "{total} in the window from {t0}");
    }
    assert_whole(&mut f, USDC).await;
}

#[tokio::test]
async fn fail_withdraw_more_after_the_clock_moves_backwards() {
    let (mut f, a, start) = capped_lender().await;
    set_time(&mut f, start + 600).await;
    assert_eq!(drain(&mut f, &a).await, CAP);
    // Backwards by two hours (prices left as they were; a withdrawal without debt reads
    // none): the window must not forget the drain.
    let clock: Clock = f.ctx.banks_client.get_sysvar().await.expect("clock");
    f.ctx.warp_to_slot(clock.slot + 1).expect("warp");
    let mut back: Clock = f.ctx.banks_client.get_sysvar().await.expect("clock");
    back.unix_timestamp = start - 7_200;
    f.ctx.set_sysvar(&back);
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    let ix = f.withdraw_ix(&a, USDC, 1).await;
    let res = f.send(&[ix], &[&a.keypair]).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
    // And forward again to the same point: still drained.
    set_time(&mut f, start + 601).await;
    assert_eq!(f.outflow_remaining(USDC).await, 0);
}

#[tokio::test]
async fn fail_cap_or_window_changes_mid_window_forgetting_outflow() {
    let (mut f, a, start) = capped_lender().await;
    set_time(&mut f, start + 600).await;
    f.withdraw(&a, USDC, 800_000_000).await.expect("800");
    // Lower cap, same window: applies at once.
    f.set_outflow_limit(USDC, 500_000_000, HOUR).await;
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    // Back up, then to a two-hour window and back: the 800 stays counted.
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    assert_eq!(f.outflow_remaining(USDC).await, 200_000_000);
    f.set_outflow_limit(USDC, CAP, 2 * HOUR).await;
    assert!(f.outflow_remaining(USDC).await <= 200_000_000);
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    assert!(f.outflow_remaining(USDC).await <= 200_000_000);
    // Shortest window then back: the carried estimate is kept each time.
    f.set_outflow_limit(USDC, CAP, 60).await;
    assert!(f.outflow_remaining(USDC).await <= 200_000_000);
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    assert!(f.outflow_remaining(USDC).await <= 200_000_000);
    let room = f.outflow_remaining(USDC).await;
    let res = f.withdraw(&a, USDC, room + 1).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
}

#[tokio::test]
async fn successful_window_at_the_largest_cap_and_amounts_never_panics() {
    let mut f = TestFixture::new().await;
    let big = 900_000_000_000_000_000u64; // 9e17 base units, under the deposit cap of 1e18
    let a = f.new_user(&[big, 0, 0]).await;
    f.set_outflow_limit(USDC, lending_math::outflow::MAX_OUTFLOW_CAP, MAX_WINDOW)
        .await;
    f.deposit(&a, USDC, big / 2).await.expect("deposit");
    f.deposit(&a, USDC, big / 2).await.expect("deposit");
    f.withdraw(&a, USDC, u64::MAX).await.expect("withdraw all");
    let o = f.reserve(USDC).await.outflow;
    let now = f.now().await;
    assert!(remaining_floor(&o.limit(), &o.window(), now).is_ok());
    assert_whole(&mut f, USDC).await;
}

const MAX_WINDOW: u64 = lending_math::outflow::MAX_OUTFLOW_WINDOW_SECS;
