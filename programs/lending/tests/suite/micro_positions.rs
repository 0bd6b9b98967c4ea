//! Liquidation of positions worth a few base units, where one collateral unit is worth more
//! than a whole debt (the soak's seeds 10138 and 20125). Before the fix such an obligation was
//! liquidatable and yet no liquidation could go through: the repayment that clears the debt
//! seized nothing (`LiquidationTooSmall`), or taking the last, indivisible collateral unit left
//! a second dust debt and lowered the health factor to zero (`LiquidationWorsensHealth`).

use lending::events::Liquidated;
use lending_math::Decimal;

use crate::fixture::*;
use crate::liquidation::{liquidate_ix, simulate_liquidation};

/// A lender of USDC and SOL liquidity, and a borrower of `debts` (USDC units, SOL lamports)
/// against one base unit of VOL bought at `vol_price`, which then trades at `crash_price`.
async fn one_unit_of_collateral(
    vol_price: f64,
    debts: (u64, u64),
    crash_price: f64,
) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[1_000_000, 1_000_000, 0]).await;
    f.deposit(&lender, USDC, 1_000_000)
        .await
        .expect("USDC liquidity");
    f.deposit(&lender, SOL, 1_000_000)
        .await
        .expect("SOL liquidity");
    f.set_price(VOL, vol_price).await;
    let borrower = f.new_user(&[0, 0, 1]).await;
    f.deposit(&borrower, VOL, 1).await.expect("one VOL unit");
    f.borrow(&borrower, USDC, debts.0)
        .await
        .expect("USDC units");
    if debts.1 > 0 {
        f.borrow(&borrower, SOL, debts.1)
            .await
            .expect("SOL lamports");
    }
    f.advance_time(1).await;
    f.set_price(VOL, crash_price).await;
    let liquidator = f.new_user(&[1_000, 1_000, 0]).await;
    (f, borrower, liquidator)
}

#[tokio::test]
async fn successful_liquidation_clears_a_debt_worth_less_than_one_collateral_unit() {
    // 1 VOL unit at $3.25 against 2 USDC units and a second's interest: UBV $1.95e-6 below
    // $2e-6, and the 3 units the liquidator pays (the debt rounded up) with a 2% bonus buy
    // 0.94 of a VOL unit. The soak's seed 20125 found this (a debt just under whole units).
    let (mut f, borrower, liquidator) = one_unit_of_collateral(5.0, (2, 0), 3.25).await;
    let o = borrower.obligation;
    let e: Liquidated = simulate_liquidation(&mut f, &liquidator, &o, USDC, VOL, u64::MAX).await;
    assert_eq!(
        (e.repay_amount, e.seize_amount),
        (3, 1),
        "the debt for the one unit"
    );
    assert_eq!(e.protocol_fee_amount, 0, "floor(1 × b / (1 + b) × 10%)");
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, VOL, u64::MAX, 0).await);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate");
    assert_eq!(f.balance(&liquidator.tokens[USDC]).await, 1_000 - 3);
    assert_eq!(f.balance(&liquidator.tokens[VOL]).await, 1);
    let after = f.obligation(&o).await;
    assert!(!after.has_debt(), "the debt is cleared");
    assert_eq!(after.active_deposits().count(), 0, "for the one unit");
}

#[tokio::test]
async fn successful_liquidation_takes_the_last_unit_beside_a_second_dust_debt() {
    // 1 VOL unit at $2 against 1 USDC unit and 3 SOL lamports ($1.3e-6): either repayment
    // must take the one unit, which leaves the other debt without collateral; the liquidation
    // writes it off in the same instruction.
    let (mut f, borrower, liquidator) = one_unit_of_collateral(4.0, (1, 3), 2.0).await;
    let o = borrower.obligation;
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, VOL, u64::MAX, 0).await);
    let sol_debt = f.reserve(SOL).await.total_normalized_debt_sf.get();
    assert!(!sol_debt.is_zero());
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate, writing off the SOL debt");
    assert_eq!(
        f.balance(&liquidator.tokens[USDC]).await,
        1_000 - 2,
        "1 unit and interest"
    );
    assert_eq!(f.balance(&liquidator.tokens[VOL]).await, 1);
    let after = f.obligation(&o).await;
    assert!(!after.has_debt(), "no debt is left");
    assert_eq!(after.active_deposits().count(), 0);
    assert!(
        f.reserve(SOL)
            .await
            .total_normalized_debt_sf
            .get()
            .is_zero(),
        "the 3 lamports are written off by the liquidation"
    );
}

/// The independent review's finding on the minimum seizure: a 0-decimal collateral listed at
/// $0.0099 a unit later trades at $8. A $1 dust borrow, cleared, would have taken a whole $8
/// unit ($7 past the bonus) and turned a solvent obligation (DV $24, BV $20) insolvent. Past the
/// $0.01 rounding bound the minimum seizure no longer applies: that pair seizes nothing, and
/// the USDC debt's pair liquidates the obligation within its bonus (repaying what buys one
/// whole unit, past the close factor's half unit).
#[tokio::test]
async fn exploit_dust_repayment_takes_an_appreciated_coarse_unit() {
    let mut f = TestFixture::new().await;
    let mut feed = [0u8; 32];
    feed[0] = 9;
    let coarse = f
        .add_reserve(
            0,
            0.0099,
            lending::state::OracleKind::PythPull,
            feed,
            reserve_config(7_500, 8_000, 10_000),
        )
        .await;
    let lender = f.new_user(&[1_000_000_000, 100_000_000_000, 0, 0]).await;
    f.deposit(&lender, USDC, 1_000_000_000)
        .await
        .expect("USDC liquidity");
    f.deposit(&lender, SOL, 100_000_000_000)
        .await
        .expect("SOL liquidity");
    f.set_price(coarse, 10.0).await;
    let borrower = f.new_user(&[0, 0, 0, 3]).await;
    f.deposit(&borrower, coarse, 3).await.expect("3 units");
    f.borrow(&borrower, USDC, 19_000_000)
        .await
        .expect("19 USDC");
    f.borrow(&borrower, SOL, 10_000_000)
        .await
        .expect("0.01 SOL ($1)");
    f.advance_time(1).await;
    f.set_price(coarse, 8.0).await;
    let liquidator = f.new_user(&[100_000_000, 1_000_000_000, 0, 0]).await;
    let o = borrower.obligation;
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, SOL, coarse, u64::MAX, 0).await);
    let keys = [o, liquidator.tokens[SOL], liquidator.tokens[coarse]];
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        lending::error::LendingError::LiquidationTooSmall,
    );
    assert_eq!(f.snapshot(&keys).await, before, "nothing moved");
    let (plan, bonus) = crate::liquidation::expected_plan(&mut f, &o, USDC, coarse, u64::MAX).await;
    assert!(!plan.minimum_seizure);
    // 20% of the $20 debt buys half a unit: the close factor is passed to buy one whole unit
    // at the bonus (the smallest seizure), and no more.
    assert_eq!(plan.seize_amount, 1);
    assert!(
        plan.repay_amount > 4_000_000 && plan.repay_amount < 8_000_000,
        "{plan:?}"
    );
    let e: Liquidated = simulate_liquidation(&mut f, &liquidator, &o, USDC, coarse, u64::MAX).await;
    assert_eq!(
        (e.repay_amount, e.seize_amount),
        (plan.repay_amount, plan.seize_amount)
    );
    let fair = plan
        .repay_value
        .try_mul(Decimal::one().try_add(bonus).unwrap())
        .unwrap();
    assert!(
        plan.seize_value <= fair,
        "within the bonus: {} for {}",
        plan.seize_value,
        plan.repay_value
    );
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(liquidate_ix(&mut f, &liquidator, &o, USDC, coarse, u64::MAX, 0).await);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("the USDC pair");
    f.refresh(&o).await.expect("refresh");
    let h = f.obligation(&o).await.health();
    assert!(h.borrowed_value < h.deposited_value, "still solvent: {h:?}");
}
