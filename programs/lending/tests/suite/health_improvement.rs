//! Liquidations that lower health (audit finding 3): the bonus range of a pair takes the larger
//! max bonus of its two reserves, and below a health factor of 1 a pair can lower the health
//! factor with every liquidation. Each pair is now capped at the bonus that still raises it,
//! and a pair that no bonus can make raise it is refused.

use lending::error::LendingError;
use lending::events::Liquidated;

use crate::fixture::*;
use crate::liquidation::liquidate_ix;

/// A borrower with $100 of USDC (threshold 85%) and $1,000 of VOL (60%) who borrowed 5 SOL
/// ($500); SOL then rises to $170: UBV = $685 against $850 of debt, health factor 80.6%.
async fn mixed_collateral() -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[0, 100_000_000_000, 0]).await;
    f.deposit(&lender, SOL, 50_000_000_000)
        .await
        .expect("lend SOL");
    let borrower = f.new_user(&[100_000_000, 0, 100_000_000_000]).await;
    f.deposit(&borrower, USDC, 100_000_000).await.expect("USDC");
    f.deposit(&borrower, VOL, 2_000_000_000).await.expect("VOL"); // $1,000 at $0.50
    f.borrow(&borrower, SOL, 5_000_000_000)
        .await
        .expect("borrow");
    f.set_price(SOL, 170.0).await;
    let liquidator = f.new_user(&[0, 50_000_000_000, 0]).await;
    (f, borrower, liquidator)
}

#[tokio::test]
async fn fail_liquidate_when_the_pair_cannot_raise_health() {
    let (mut f, borrower, liquidator) = mixed_collateral().await;
    let o = borrower.obligation;
    f.refresh(&o).await.expect("refresh");
    let h = f.obligation(&o).await.health();
    assert!(h.is_liquidatable());
    // Seizing USDC (85% > HF) lowers the health factor at any bonus: refused.
    let keys = [o, f.reserves[USDC].reserve, f.reserves[SOL].reserve];
    let before = f.snapshot(&keys).await;
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, SOL, USDC, u64::MAX, 0).await);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::LiquidationPairWorsensHealth,
    );
    assert_eq!(f.snapshot(&keys).await, before, "nothing changed");
    // Seizing VOL (60%) raises it, with the bonus capped where it still does.
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, SOL, VOL, u64::MAX, 0).await);
    let mut events: Vec<Liquidated> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    let e = events.remove(0);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate VOL");
    assert!(e.health_factor_after_bps > e.health_factor_before_bps);
}

#[tokio::test]
async fn successful_repeated_liquidations_keep_raising_health() {
    let (mut f, borrower, liquidator) = mixed_collateral().await;
    let o = borrower.obligation;
    let mut last = 0;
    for _ in 0..4 {
        f.next_slot().await;
        f.advance_time(1).await;
        let mut ixs = f.refresh_ixs(&o).await;
        ixs.push(liquidate_ix(&mut f, &liquidator, &o, SOL, VOL, u64::MAX, 0).await);
        let mut events: Vec<Liquidated> =
            crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
        let e = events.remove(0);
        if f.send(&ixs, &[&liquidator.keypair]).await.is_err() {
            break;
        }
        assert!(e.health_factor_after_bps > e.health_factor_before_bps);
        assert!(e.health_factor_before_bps >= last);
        last = e.health_factor_after_bps;
        if e.health_factor_after_bps >= 10_000 {
            break;
        }
    }
    assert!(last > 0, "at least one liquidation landed");
}
