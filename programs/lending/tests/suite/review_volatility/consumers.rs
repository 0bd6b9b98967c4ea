//! The parameters in force where they are consumed: e-mode members (group parameters, not
//! adjusted), a liquidation whose debt asset is stressed (the raised minimum bonus, health
//! improving), the borrow cap in force below the outstanding debt.

use lending::error::LendingError;
use lending::events::Liquidated;
use lending::state::VolatilityConfig;
use solana_sdk::signature::Signer;

use super::*;
use crate::liquidation::liquidate_ix;
use crate::review_emode::{borrower_in_group, USDT};

const UNIT: u64 = 1_000_000;
const SOL_UNIT: u64 = 1_000_000_000;

/// USDC's adjustment (configured LTV 80%, threshold 85%): down to 50% / 60% under stress.
fn usdc_config() -> VolatilityConfig {
    VolatilityConfig {
        ltv_floor_bps: 5_000,
        threshold_floor_bps: 6_000,
        ..sol_config()
    }
}

/// USDC is stressed (1.0 → 1.5 → 1.0): its own LTV falls to 50%, but a borrower in the
/// stables group (LTV 92%, threshold 94%) counts its USDC with the group's parameters, so it
/// still borrows to 90% and is not liquidatable; the keeper's and client's reading of the
/// group path is the same `risk_params(group)`.
#[tokio::test]
async fn successful_emode_member_counts_with_group_parameters_under_stress() {
    let (mut f, _lender, borrower) = borrower_in_group(8_000 * UNIT).await;
    f.set_volatility_config(USDC, usdc_config()).await;
    f.sample_price(USDC, 1.0).await;
    f.sample_price(USDC, 1.5).await;
    f.sample_price(USDC, 1.0).await;
    let r = f.reserve(USDC).await;
    assert_eq!(r.volatility.in_force.stress_bps, 10_000);
    assert_eq!(r.own_risk_params().ltv_bps, 5_000);
    let group = f.market_state().await.emode_group(1).expect("group");
    assert_eq!(
        r.risk_params(group).ltv_bps,
        9_200,
        "group LTV, not adjusted"
    );
    f.borrow(&borrower, USDT, 1_000 * UNIT)
        .await
        .expect("borrow to 90% at the group LTV");
}

/// A borrower owes 10 SOL against 1,000 USDC (SOL at 70). SOL jumps to 86 in one refresh: the
/// debt (860) passes the threshold (850), and the jump stresses SOL, raising its minimum bonus
/// to its maximum (10%) at once. The debt side's raised bonus is paid (lo = max of the sides'
/// minimums), and the liquidation still improves health. The cap in force (20% of 20 SOL) is
/// now below the outstanding 10 SOL: a new SOL borrow is refused with `BorrowCapExceeded`
/// and changes nothing, while the liquidation (a repayment) goes through.
#[tokio::test]
async fn successful_stressed_debt_side_liquidation_pays_the_raised_bonus_and_improves_health() {
    let mut f = TestFixture::new().await;
    let sol_lender = f.new_user(&[0, 100 * SOL_UNIT, 0]).await;
    f.deposit(&sol_lender, SOL, 100 * SOL_UNIT)
        .await
        .expect("lend SOL");
    let borrower = f.new_user(&[1_000 * UNIT, 0, 0]).await;
    f.deposit(&borrower, USDC, 1_000 * UNIT)
        .await
        .expect("deposit USDC");
    let liquidator = f.new_user(&[0, 20 * SOL_UNIT, 0]).await;
    let mut config = f.reserve(SOL).await.config;
    config.borrow_cap = 20 * SOL_UNIT;
    let admin = f.admin.insecure_clone();
    let ix = f.update_reserve_config_ix(&admin.pubkey(), SOL, config);
    f.send(&[ix], &[&admin]).await.expect("cap 20 SOL");
    f.sample_price(SOL, 70.0).await;
    f.set_volatility_config(SOL, sol_config()).await;
    f.sample_price(SOL, 70.0).await;
    f.borrow(&borrower, SOL, 10 * SOL_UNIT)
        .await
        .expect("borrow 700 against 800");

    f.sample_price(SOL, 86.0).await;
    let r = f.reserve(SOL).await;
    assert_eq!(r.volatility.in_force.stress_bps, 10_000);
    assert_eq!(r.volatility.in_force.min_liquidation_bonus_bps, 1_000);
    assert_eq!(r.borrow_cap_in_force(), 4 * SOL_UNIT);

    let keys = [
        borrower.obligation,
        f.reserves[SOL].reserve,
        f.reserves[USDC].reserve,
    ];
    let before = f.snapshot(&keys).await;
    let res = f.borrow(&borrower, SOL, 1).await;
    assert_error(res, LendingError::BorrowCapExceeded);
    assert_eq!(f.snapshot(&keys).await, before);

    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            SOL,
            USDC,
            2 * SOL_UNIT,
            0,
        )
        .await,
    );
    let events: Vec<Liquidated> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    let seen = (
        e.bonus_bps,
        e.bonus_source,
        e.health_factor_before_bps,
        e.health_factor_after_bps,
    );
    assert!(
        e.health_factor_after_bps > e.health_factor_before_bps,
        "{seen:?}"
    );
    assert!(e.bonus_bps <= 1_000, "at most the max bonus: {seen:?}");
    assert!(
        e.bonus_bps >= 1_000 || e.bonus_source > 1,
        "the raised minimum unless a cap set it: {seen:?}"
    );
}
