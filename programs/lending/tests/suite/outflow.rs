//! Outflow limits: a per-reserve cap on net outflow (withdrawals + borrows − deposits −
//! repayments) over a sliding window (`lending_math::outflow`). Drains stop at the cap whoever
//! sends them and however they are split; capacity returns at `cap / W` per second after the
//! window; deposits and repayments credit it and are never refused; liquidations are neither
//! counted nor refused.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::error::LendingError;
use lending::events::{OutflowLimitSet, OutflowRecorded, Withdrawn};
use lending::state::OutflowState;
use lending_math::outflow::{remaining_floor, MAX_OUTFLOW_CAP, MAX_OUTFLOW_WINDOW_SECS};
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::fixture::*;
use crate::liquidation::liquidate_ix_with;

/// One hour.
const HOUR: u64 = 3_600;
/// 1,000 USDC.
const CAP: u64 = 1_000_000_000;

impl TestFixture {
    /// `set_outflow_limit` signed by `admin`.
    pub fn set_outflow_limit_ix(
        &self,
        admin: &Pubkey,
        idx: usize,
        cap: u64,
        window_secs: u64,
    ) -> Instruction {
        Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::SetOutflowLimit {
                admin: *admin,
                lending_market: self.market,
                reserve: self.reserves[idx].reserve,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::SetOutflowLimit { cap, window_secs }.data(),
        }
    }

    /// The admin sets reserve `idx`'s outflow limit.
    pub async fn set_outflow_limit(&mut self, idx: usize, cap: u64, window_secs: u64) {
        let admin = self.admin.insecure_clone();
        let ix = self.set_outflow_limit_ix(&admin.pubkey(), idx, cap, window_secs);
        self.send(&[ix], &[&admin])
            .await
            .expect("set_outflow_limit");
    }

    /// What may still flow out of reserve `idx` now (`lending_math::outflow::remaining_floor`
    /// on the stored window).
    pub async fn outflow_remaining(&mut self, idx: usize) -> u64 {
        let o = self.reserve(idx).await.outflow;
        let now = self.now().await;
        remaining_floor(&o.limit(), &o.window(), now).expect("remaining")
    }
}

/// A lender of 10,000 USDC and a second one of 5,000, both deposited before the admin caps
/// USDC's net outflow at 1,000 USDC an hour.
async fn capped_lenders() -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let a = f.new_user(&[20_000_000_000, 0, 0]).await;
    f.deposit(&a, USDC, 10_000_000_000)
        .await
        .expect("deposit a");
    let b = f.new_user(&[20_000_000_000, 0, 0]).await;
    f.deposit(&b, USDC, 5_000_000_000).await.expect("deposit b");
    f.set_outflow_limit(USDC, CAP, HOUR).await;
    (f, a, b)
}

/// The accounts a withdrawal by `user` from `idx` could change.
fn withdraw_keys(f: &TestFixture, user: &TestUser, idx: usize) -> Vec<Pubkey> {
    vec![
        f.reserves[idx].reserve,
        f.reserves[idx].vault,
        user.obligation,
        user.tokens[idx],
    ]
}

/// Asserts that `user`'s withdrawal of `amount` fails with `OutflowLimitExceeded` and changes
/// no account byte.
async fn assert_withdraw_refused(f: &mut TestFixture, user: &TestUser, idx: usize, amount: u64) {
    let keys = withdraw_keys(f, user, idx);
    let before = f.snapshot(&keys).await;
    let res = f.withdraw(user, idx, amount).await;
    assert_error(res, LendingError::OutflowLimitExceeded);
    assert_eq!(
        f.snapshot(&keys).await,
        before,
        "a refused withdrawal changes nothing"
    );
}

#[tokio::test]
async fn successful_set_outflow_limit_starts_a_window_and_emits_before_and_after() {
    let mut f = TestFixture::new().await;
    assert_eq!(f.reserve(USDC).await.outflow, OutflowState::default());
    let admin = f.admin.insecure_clone();
    let ix = f.set_outflow_limit_ix(&admin.pubkey(), USDC, CAP, HOUR);
    let events: Vec<OutflowLimitSet> =
        crate::events::simulate_events(&mut f, std::slice::from_ref(&ix), &[&admin]).await;
    f.send(&[ix], &[&admin]).await.expect("set");
    let now = f.now().await;
    let expected = OutflowState {
        cap: CAP,
        window_secs: HOUR,
        bucket_start_ts: now,
        previous_net: 0,
        current_net: 0,
    };
    assert_eq!(f.reserve(USDC).await.outflow, expected);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].reserve, f.reserves[USDC].reserve);
    assert_eq!(events[0].before, OutflowState::default());
    assert_eq!(events[0].after, expected);
    assert_eq!(events[0].timestamp, now);
    // Turning it off zeroes the state.
    f.set_outflow_limit(USDC, 0, 0).await;
    assert_eq!(f.reserve(USDC).await.outflow, OutflowState::default());
}

#[tokio::test]
async fn fail_set_outflow_limit_when_not_admin_of_this_market_or_out_of_bounds() {
    let mut f = TestFixture::new().await;
    let key = f.reserves[USDC].reserve;
    let before = f.snapshot(&[key]).await;
    let intruder = Keypair::new();
    f.airdrop(&intruder.pubkey(), 1_000_000_000).await;
    let ix = f.set_outflow_limit_ix(&intruder.pubkey(), USDC, CAP, HOUR);
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
    assert_eq!(f.snapshot(&[key]).await, before);
    // The admin of another market, on this market's reserve.
    let (market_b, _, _, _, admin_b) = f.second_market(SOL).await;
    let mut ix = f.set_outflow_limit_ix(&admin_b.pubkey(), USDC, CAP, HOUR);
    ix.accounts[1].pubkey = market_b;
    assert_error(
        f.send(&[ix], &[&admin_b]).await,
        LendingError::InvalidMarket,
    );
    assert_eq!(f.snapshot(&[key]).await, before);
    let admin = f.admin.insecure_clone();
    for (cap, window) in [
        (CAP, 0),
        (0, HOUR),
        (CAP, 59),
        (CAP, MAX_OUTFLOW_WINDOW_SECS + 1),
        (MAX_OUTFLOW_CAP + 1, HOUR),
    ] {
        let ix = f.set_outflow_limit_ix(&admin.pubkey(), USDC, cap, window);
        assert_error(
            f.send(&[ix], &[&admin]).await,
            LendingError::InvalidOutflowLimit,
        );
        assert_eq!(f.snapshot(&[key]).await, before, "{cap} {window}");
    }
}

#[tokio::test]
async fn fail_withdraw_when_one_wallet_drains_to_the_cap() {
    let (mut f, a, _b) = capped_lenders().await;
    f.withdraw(&a, USDC, 600_000_000).await.expect("600");
    f.withdraw(&a, USDC, 400_000_000).await.expect("400");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    assert_withdraw_refused(&mut f, &a, USDC, 1).await;
    let r = f.reserve(USDC).await;
    assert_eq!(
        (r.outflow.previous_net, r.outflow.current_net),
        (0, CAP as i64)
    );
    // The whole position (u64::MAX) is refused just the same.
    assert_withdraw_refused(&mut f, &a, USDC, u64::MAX).await;
}

#[tokio::test]
async fn fail_borrow_and_withdraw_when_a_second_wallet_drains_past_the_cap() {
    let (mut f, a, b) = capped_lenders().await;
    f.withdraw(&a, USDC, 700_000_000)
        .await
        .expect("a takes 700");
    // A second wallet borrows against SOL: the same reserve window.
    let c = f.new_user(&[0, 20_000_000_000, 0]).await;
    f.deposit(&c, SOL, 10_000_000_000)
        .await
        .expect("collateral");
    let keys = vec![
        f.reserves[USDC].reserve,
        f.reserves[USDC].vault,
        c.obligation,
        c.tokens[USDC],
    ];
    let before = f.snapshot(&keys).await;
    assert_error(
        f.borrow(&c, USDC, 300_000_001).await,
        LendingError::OutflowLimitExceeded,
    );
    assert_eq!(f.snapshot(&keys).await, before);
    f.borrow(&c, USDC, 300_000_000)
        .await
        .expect("c borrows the rest");
    assert_withdraw_refused(&mut f, &b, USDC, 1).await;
    assert_withdraw_refused(&mut f, &a, USDC, 1).await;
}

#[tokio::test]
async fn fail_withdraw_when_many_small_withdrawals_in_one_slot_reach_the_cap() {
    let (mut f, a, b) = capped_lenders().await;
    let slot = f.slot().await;
    let mut taken = 0u64;
    let mut refused = 0;
    // 30 withdrawals of about 45 USDC, alternating wallets, in one slot: 22 fit under 1,000.
    for i in 0..30u64 {
        let user = if i % 2 == 0 { &a } else { &b };
        let amount = 45_000_000 + i;
        let res = f.withdraw(user, USDC, amount).await;
        if res.is_ok() {
            taken += amount;
        } else {
            assert_error(res, LendingError::OutflowLimitExceeded);
            refused += 1;
        }
    }
    assert_eq!(f.slot().await, slot, "all in one slot");
    assert!(taken <= CAP && CAP - taken < 45_000_000, "taken {taken}");
    assert_eq!(refused, 30 - 22);
    assert_eq!(f.reserve(USDC).await.outflow.current_net, taken as i64);
    assert_eq!(f.outflow_remaining(USDC).await, CAP - taken);
}

#[tokio::test]
async fn successful_capacity_returns_gradually_after_the_window() {
    let (mut f, a, _b) = capped_lenders().await;
    // The whole cap, then the next bucket begins: the previous bucket still weighs fully.
    f.withdraw(&a, USDC, CAP).await.expect("cap");
    f.advance_time(HOUR as i64).await;
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    assert_withdraw_refused(&mut f, &a, USDC, 1).await;
    // A quarter of the window later a quarter is back (cap × e / W, rounded down).
    f.advance_time(900).await;
    assert_eq!(f.outflow_remaining(USDC).await, 250_000_000);
    assert_withdraw_refused(&mut f, &a, USDC, 250_000_001).await;
    f.withdraw(&a, USDC, 250_000_000).await.expect("a quarter");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    // At the end of the next bucket: its own 250 weigh ⌈250 × 2,699 / 3,600⌉ at 901 s in.
    f.advance_time(2_700 + 901).await;
    let (r, now) = (f.reserve(USDC).await.outflow, f.now().await);
    let rolled = lending_math::outflow::roll(&r.window(), HOUR, now).expect("roll");
    assert_eq!((rolled.previous_net, rolled.current_net), (250_000_000, 0));
    assert_eq!(
        f.outflow_remaining(USDC).await,
        CAP - (250_000_000u64 * 2_699).div_ceil(3_600)
    );
    // Two quiet windows later everything is back.
    f.advance_time(2 * HOUR as i64).await;
    assert_eq!(f.outflow_remaining(USDC).await, CAP);
    f.withdraw(&a, USDC, CAP).await.expect("a whole cap again");
}

#[tokio::test]
async fn successful_deposits_and_repayments_restore_capacity() {
    let (mut f, a, _b) = capped_lenders().await;
    let c = f.new_user(&[1_000_000_000, 20_000_000_000, 0]).await;
    f.deposit(&c, SOL, 10_000_000_000)
        .await
        .expect("collateral");
    f.borrow(&c, USDC, 600_000_000).await.expect("borrow");
    f.withdraw(&a, USDC, 400_000_000).await.expect("withdraw");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    // A repayment is never refused and credits the window.
    f.repay(&c, USDC, 150_000_000).await.expect("repay");
    assert_eq!(f.outflow_remaining(USDC).await, 150_000_000);
    // So does a deposit.
    f.deposit(&a, USDC, 100_000_000).await.expect("deposit");
    assert_eq!(f.outflow_remaining(USDC).await, 250_000_000);
    assert_withdraw_refused(&mut f, &a, USDC, 250_000_001).await;
    f.withdraw(&a, USDC, 250_000_000).await.expect("the credit");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
}

#[tokio::test]
async fn fail_withdraw_when_deposit_then_withdraw_exceeds_the_cap_beyond_net() {
    let (mut f, a, _b) = capped_lenders().await;
    // Deposit 5,000 and withdraw 6,000 in the same window: net 1,000, the cap.
    f.deposit(&a, USDC, 5_000_000_000).await.expect("deposit");
    f.withdraw(&a, USDC, 6_000_000_000)
        .await
        .expect("net = cap");
    assert_eq!(f.reserve(USDC).await.outflow.current_net, CAP as i64);
    assert_withdraw_refused(&mut f, &a, USDC, 1).await;
    // A deposit's credit does not outlive its bucket: deposited now, withdrawn next bucket,
    // it counts at full weight.
    f.advance_time(2 * HOUR as i64).await;
    f.deposit(&a, USDC, 5_000_000_000).await.expect("deposit");
    f.advance_time(HOUR as i64).await;
    assert_eq!(f.outflow_remaining(USDC).await, CAP);
    assert_withdraw_refused(&mut f, &a, USDC, CAP + 1).await;
}

#[tokio::test]
async fn successful_outflow_event_carries_before_and_after() {
    let (mut f, a, _b) = capped_lenders().await;
    let mut ixs = f.refresh_ixs(&a.obligation).await;
    ixs.push(f.withdraw_ix(&a, USDC, 300_000_000).await);
    let events: Vec<OutflowRecorded> =
        crate::events::simulate_events(&mut f, &ixs, &[&a.keypair]).await;
    let now = f.now().await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.reserve, e.kind, e.amount),
        (f.reserves[USDC].reserve, 0, 300_000_000)
    );
    assert_eq!(e.timestamp, now);
    assert_eq!(
        (e.before.current_net, e.after.current_net),
        (0, 300_000_000)
    );
    assert_eq!((e.estimate_before, e.estimate_after), (0, 300_000_000));
    assert_eq!(e.remaining_after, 700_000_000);
    assert_eq!((e.after.cap, e.after.window_secs), (CAP, HOUR));
    // A reserve without a limit emits no outflow event and keeps its window zero.
    let c = f.new_user(&[0, 1_000_000_000, 0]).await;
    let ix = f.deposit_ix(&c, SOL, 1_000_000_000);
    let events: Vec<OutflowRecorded> =
        crate::events::simulate_events(&mut f, std::slice::from_ref(&ix), &[&c.keypair]).await;
    assert!(events.is_empty());
    f.send(&[ix], &[&c.keypair]).await.expect("deposit");
    let mut ixs = f.refresh_ixs(&c.obligation).await;
    ixs.push(f.withdraw_ix(&c, SOL, 500_000_000).await);
    let withdrawn: Vec<Withdrawn> =
        crate::events::simulate_events(&mut f, &ixs, &[&c.keypair]).await;
    assert_eq!(withdrawn.len(), 1);
    let events: Vec<OutflowRecorded> =
        crate::events::simulate_events(&mut f, &ixs, &[&c.keypair]).await;
    assert!(events.is_empty());
    assert_eq!(f.reserve(SOL).await.outflow, OutflowState::default());
}

/// Limits on both legs, exhausted; SOL then falls so that the borrower is liquidatable.
/// Returns the fixture, the borrower (10 SOL, 700 USDC debt), a SOL lender and the liquidator.
async fn exhausted_unhealthy() -> (TestFixture, TestUser, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let sol_lender = f.new_user(&[0, 20_000_000_000, 0]).await;
    f.deposit(&sol_lender, SOL, 10_000_000_000)
        .await
        .expect("sol lender");
    f.set_outflow_limit(USDC, 700_000_000, HOUR).await;
    f.set_outflow_limit(SOL, 1_000_000_000, HOUR).await;
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("borrow the whole USDC cap");
    f.withdraw(&sol_lender, SOL, 1_000_000_000)
        .await
        .expect("the whole SOL cap");
    assert_eq!(f.outflow_remaining(USDC).await, 0);
    assert_eq!(f.outflow_remaining(SOL).await, 0);
    let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
    f.set_price(SOL, 80.0).await;
    (f, borrower, sol_lender, liquidator)
}

#[tokio::test]
async fn successful_liquidation_and_repay_when_outflow_cap_is_exhausted() {
    let (mut f, borrower, sol_lender, liquidator) = exhausted_unhealthy().await;
    let windows = (f.reserve(USDC).await.outflow, f.reserve(SOL).await.outflow);
    // Paid in tokens: SOL leaves the vault, but the liquidation is neither counted nor refused.
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let legs = (USDC, SOL);
    let ix = liquidate_ix_with(
        &mut f,
        &liquidator,
        &borrower.obligation,
        legs,
        50_000_000,
        0,
        None,
    )
    .await;
    ixs.push(ix);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate in tokens");
    assert!(f.balance(&liquidator.tokens[SOL]).await > 0);
    // Paid in shares, the rest the rules allow.
    let receiver = liquidator.obligation;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let ix = liquidate_ix_with(
        &mut f,
        &liquidator,
        &borrower.obligation,
        legs,
        u64::MAX,
        0,
        Some(receiver),
    )
    .await;
    ixs.push(ix);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate in shares");
    let o = f.obligation(&receiver).await;
    assert!(
        o.active_deposits().next().is_some(),
        "seized shares credited"
    );
    assert_eq!(
        (f.reserve(USDC).await.outflow, f.reserve(SOL).await.outflow),
        windows,
        "liquidations never move the windows"
    );
    // Withdrawing seized shares is an ordinary withdrawal: it counts, and waits for capacity.
    assert_withdraw_refused(&mut f, &liquidator, SOL, u64::MAX).await;
    assert_withdraw_refused(&mut f, &sol_lender, SOL, 1).await;
    // The borrower repays while USDC's window is exhausted, and the repayment credits it.
    f.repay(&borrower, USDC, 100_000_000).await.expect("repay");
    assert_eq!(f.outflow_remaining(USDC).await, 100_000_000);
    f.repay(&borrower, USDC, u64::MAX).await.expect("repay all");
    assert!(!f.obligation(&borrower.obligation).await.has_debt());
}
