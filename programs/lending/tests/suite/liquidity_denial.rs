//! Liquidity denial (audit finding 2): a borrower with a second wallet borrows out his
//! collateral reserve's free liquidity so that no liquidator can be paid in tokens. The
//! liquidation still goes through, paid in supply shares credited to the liquidator's own
//! obligation, worth what the tokens would have been; he withdraws once liquidity returns.

use lending::error::LendingError;
use lending::events::Liquidated;
use lending_math::shares;

use crate::fixture::*;
use crate::liquidation::liquidate_ix_with;
use crate::user_actions::lender_and_borrower;

/// A borrower of 700 USDC against 10 SOL whose second wallet has borrowed every free SOL, and
/// a liquidator with 5,000 USDC. SOL then trades at $80: the borrower is liquidatable.
async fn drained_setup() -> (TestFixture, TestUser, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("borrow");
    let second = f.new_user(&[50_000_000_000, 0, 0]).await;
    f.deposit(&second, USDC, 40_000_000_000)
        .await
        .expect("deposit");
    let free = f.reserve(SOL).await.available_amount;
    f.borrow(&second, SOL, free).await.expect("drain SOL");
    assert_eq!(f.reserve(SOL).await.available_amount, 0);
    let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
    f.set_price(SOL, 80.0).await;
    (f, borrower, second, liquidator)
}

#[tokio::test]
async fn exploit_second_wallet_drains_collateral_liquidity_to_block_liquidation() {
    let (mut f, borrower, second, liquidator) = drained_setup().await;
    let o = borrower.obligation;
    // Paid in tokens, the liquidation has nothing to pay with.
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix_with(&mut f, &liquidator, &o, (USDC, SOL), u64::MAX, 0, None).await);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::InsufficientLiquidity,
    );
    // Paid in shares to the liquidator's own obligation, it goes through.
    let receiver = Some(liquidator.obligation);
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix_with(&mut f, &liquidator, &o, (USDC, SOL), u64::MAX, 0, receiver).await);
    let mut events: Vec<Liquidated> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    let e = events.remove(0);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate to shares");
    assert_eq!(
        e.repay_amount, 405_982_906,
        "what lifts HF to 1.05 at the auction's 2%: (1.05 × 700 − 640) / (1.05 − 0.8 × 1.02)"
    );
    assert_eq!(e.liquidator_obligation, liquidator.obligation);
    assert_eq!(
        f.balance(&liquidator.tokens[USDC]).await,
        5_000_000_000 - e.repay_amount
    );
    assert_eq!(
        f.balance(&liquidator.tokens[SOL]).await,
        0,
        "no tokens paid out"
    );
    // The credited shares are worth the tokens he would have received (shares round down).
    let lo = f.obligation(&liquidator.obligation).await;
    assert_eq!(lo.deposits[0].reserve, f.reserves[SOL].reserve);
    assert_eq!(lo.deposits[0].shares, e.liquidator_shares);
    let r = f.reserve(SOL).await;
    let worth = shares::redeem_amount(
        e.liquidator_shares,
        r.total_supply_assets().unwrap(),
        r.share_supply,
    )
    .unwrap();
    assert!(worth <= e.liquidator_amount && e.liquidator_amount - worth <= 1);
    // The borrower's health rose.
    assert!(e.health_factor_after_bps > e.health_factor_before_bps);
    // Once the second wallet repays, the liquidator withdraws his collateral.
    f.repay(&second, SOL, u64::MAX).await.expect("repay");
    let ix = f.withdraw_ix(&liquidator, SOL, u64::MAX).await;
    f.send(&[ix], &[&liquidator.keypair])
        .await
        .expect("withdraw");
    assert_eq!(f.balance(&liquidator.tokens[SOL]).await, worth);
}

#[tokio::test]
async fn fail_liquidate_to_shares_when_the_receiver_is_not_the_liquidators() {
    let (mut f, borrower, second, liquidator) = drained_setup().await;
    let o = borrower.obligation;
    for receiver in [second.obligation, borrower.obligation] {
        let keys = [
            o,
            receiver,
            f.reserves[SOL].reserve,
            f.reserves[USDC].reserve,
        ];
        let before = f.snapshot(&keys).await;
        let mut ixs = f.refresh_ixs(&o).await;
        ixs.push(
            liquidate_ix_with(
                &mut f,
                &liquidator,
                &o,
                (USDC, SOL),
                u64::MAX,
                0,
                Some(receiver),
            )
            .await,
        );
        let ix_count = ixs.len();
        let res = f.send(&ixs[ix_count - 1..], &[&liquidator.keypair]).await;
        assert_error(res, LendingError::InvalidLiquidatorObligation);
        assert_eq!(f.snapshot(&keys).await, before, "nothing changed");
    }
}
