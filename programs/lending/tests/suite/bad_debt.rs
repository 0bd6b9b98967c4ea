//! A 60% crash in one step: liquidations never revert for lack of collateral; the bad debt
//! left is covered by the insurance fund, then socialized; the accounting identities hold.

use lending::error::LendingError;
use lending_math::shares::share_value;
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::fixture::*;
use crate::liquidation::{liquidate, simulate_liquidation};

/// Vault = available + insurance for every reserve, and Σ obligation normalized debt = reserve total.
async fn assert_identities(f: &mut TestFixture, obligations: &[Pubkey]) {
    for i in 0..f.reserves.len() {
        let r = f.reserve(i).await;
        let vault = f.reserves[i].vault;
        assert_eq!(
            f.balance(&vault).await,
            r.available_amount + r.insurance_amount,
            "vault of reserve {i}"
        );
        let mut sum = Decimal::zero();
        for o in obligations {
            let o = f.obligation(o).await;
            for b in o
                .active_borrows()
                .filter(|b| b.reserve == f.reserves[i].reserve)
            {
                sum = sum.try_add(b.normalized_debt_sf.get()).unwrap();
            }
        }
        assert_eq!(
            sum,
            r.total_normalized_debt_sf.get(),
            "debts of reserve {i}"
        );
    }
}

#[tokio::test]
async fn successful_crash_liquidations_then_insurance_then_socialization() {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[10_000_000_000, 0, 4_000_000_000]).await;
    f.deposit(&lender, USDC, 10_000_000_000)
        .await
        .expect("lend USDC");
    f.deposit(&lender, VOL, 2_000_000_000)
        .await
        .expect("lend VOL");
    let liquidator = f.new_user(&[5_000_000_000, 0, 2_000_000_000]).await;

    // X borrows VOL against USDC; a VOL rally makes it liquidatable, which funds the USDC
    // reserve's insurance with the protocol fee.
    let x = f.new_user(&[1_000_000_000, 0, 0]).await;
    f.deposit(&x, USDC, 1_000_000_000)
        .await
        .expect("x collateral");
    f.borrow(&x, VOL, 1_000_000_000)
        .await
        .expect("x borrows 1,000 VOL");
    // Y borrows 700 USDC against 10 SOL.
    let y = f.new_user(&[0, 10_000_000_000, 0]).await;
    f.deposit(&y, SOL, 10_000_000_000)
        .await
        .expect("y collateral");
    f.borrow(&y, USDC, 700_000_000).await.expect("y borrows");

    f.set_price(VOL, 0.6).await;
    liquidate(&mut f, &liquidator, &x.obligation, VOL, USDC, u64::MAX)
        .await
        .expect("liquidate x");
    let insurance = f.reserve(USDC).await.insurance_amount;
    assert!(insurance > 0, "the fee went to the USDC insurance fund");

    // SOL crashes 60% in one step: Y's $400 of collateral backs $700 of debt.
    f.set_price(SOL, 40.0).await;
    let e = simulate_liquidation(&mut f, &liquidator, &y.obligation, USDC, SOL, u64::MAX).await;
    assert_eq!(e.bonus_source, 3, "insolvent: minimum bonus");
    assert!(e.full_liquidation);
    liquidate(&mut f, &liquidator, &y.obligation, USDC, SOL, u64::MAX)
        .await
        .expect("never reverts");
    let o = f.obligation(&y.obligation).await;
    assert_eq!(o.active_deposits().count(), 0, "all collateral seized");
    assert!(o.has_debt(), "debt is left without collateral");
    let obligations = [
        lender.obligation,
        x.obligation,
        y.obligation,
        liquidator.obligation,
    ];
    assert_identities(&mut f, &obligations).await;

    // Bad debt: ~$307.84 − insurance, socialized to USDC depositors.
    let before = f.reserve(USDC).await;
    let value_before =
        share_value(before.total_supply_assets().unwrap(), before.share_supply).unwrap();
    let debt = o.borrows[0]
        .normalized_debt_sf
        .get()
        .try_mul(before.borrow_index_sf.get())
        .unwrap();
    let ix = f.socialize_bad_debt_ix(&y.obligation, USDC);
    f.send(&[ix], &[]).await.expect("socialize");
    let after = f.reserve(USDC).await;
    assert_eq!(after.insurance_amount, 0, "insurance used first");
    assert_eq!(after.available_amount, before.available_amount + insurance);
    let value_after =
        share_value(after.total_supply_assets().unwrap(), after.share_supply).unwrap();
    assert!(
        value_after < value_before,
        "the rest lowers the share value"
    );
    let loss = before
        .total_supply_assets()
        .unwrap()
        .try_sub(after.total_supply_assets().unwrap())
        .unwrap();
    assert_eq!(loss, debt.try_sub(Decimal::from_u64(insurance)).unwrap());
    assert!(!f.obligation(&y.obligation).await.has_debt());
    assert_identities(&mut f, &obligations).await;
}

#[tokio::test]
async fn fail_socialize_when_collateral_remains() {
    let (mut f, borrower, _) = crate::liquidation::unhealthy_setup(40.0).await;
    let ix = f.socialize_bad_debt_ix(&borrower.obligation, USDC);
    assert_error(
        f.send(&[ix], &[]).await,
        LendingError::ObligationHasCollateral,
    );
}

#[tokio::test]
async fn successful_insurance_covers_small_bad_debt_fully() {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[10_000_000_000, 0, 0]).await;
    f.deposit(&lender, USDC, 10_000_000_000)
        .await
        .expect("lend");
    let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
    let y = f.new_user(&[0, 1_000_000_000, 0]).await;
    f.deposit(&y, SOL, 1_000_000_000).await.expect("1 SOL");
    f.borrow(&y, USDC, 70_000_000).await.expect("70 USDC");
    f.set_price(SOL, 60.0).await;
    liquidate(&mut f, &liquidator, &y.obligation, USDC, SOL, u64::MAX)
        .await
        .expect("liquidate");
    let o = f.obligation(&y.obligation).await;
    assert_eq!(o.active_deposits().count(), 0);
    let r = f.reserve(USDC).await;
    let debt = o.borrows[0]
        .normalized_debt_sf
        .get()
        .try_mul(r.borrow_index_sf.get())
        .unwrap();
    // Fund the insurance as a previous liquidation fee would have.
    let mut r2 = r;
    r2.insurance_amount = 20_000_000;
    let key = f.reserves[USDC].reserve;
    let mut data = f.data(&key).await;
    data[8..8 + std::mem::size_of::<lending::state::Reserve>()]
        .copy_from_slice(bytemuck::bytes_of(&r2));
    f.set_account(&key, &crate::pyth::account(data, lending::ID));
    let vault = f.reserves[USDC].vault;
    let mint = f.reserves[USDC].mint;
    f.mint_to(&mint, &vault, 20_000_000).await;
    let value_before = share_value(r2.total_supply_assets().unwrap(), r2.share_supply).unwrap();
    let ix = f.socialize_bad_debt_ix(&y.obligation, USDC);
    f.send(&[ix], &[]).await.expect("socialize");
    let after = f.reserve(USDC).await;
    assert_eq!(
        after.insurance_amount,
        20_000_000 - debt.try_ceil_u64().unwrap()
    );
    let value_after =
        share_value(after.total_supply_assets().unwrap(), after.share_supply).unwrap();
    assert!(value_after >= value_before, "depositors lose nothing");
}
