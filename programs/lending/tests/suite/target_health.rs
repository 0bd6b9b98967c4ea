//! Liquidations sized to the market's target health factor (1.05 in the default market): a
//! liquidation takes what lifts the obligation to the target and no more; where the close
//! factor cannot reach it, one liquidation goes past it at the auction's bonus alone, instead
//! of a drain of close-factor liquidations that each pay the health ramp's bonus.

use lending::error::LendingError;
use lending::events::Liquidated;
use lending::state::MarketParams;
use lending_math::liquidation::{BonusSource, Sizing};
use lending_math::Decimal;

use crate::fixture::*;
use crate::liquidation::{
    expected_plan, liquidate, liquidate_ix, simulate_liquidation, unhealthy_setup,
    unhealthy_setup_on,
};

/// The health factor of an obligation's cached values (bps).
async fn health_factor_bps(f: &mut TestFixture, o: &solana_sdk::pubkey::Pubkey) -> u64 {
    let h = f.obligation(o).await.health();
    h.unhealthy_borrow_value
        .try_div(h.bf_adjusted_debt_value)
        .unwrap()
        .try_floor_bps()
        .unwrap()
}

#[tokio::test]
async fn successful_liquidation_past_the_close_factor_lifts_health_to_the_target() {
    // SOL $80: UBV $640 against $700 of debt, HF 0.914. At the health ramp's 7.5% the target
    // needs (1.05 × 700 − 640) / (1.05 − 0.8 × 1.075) = $500, past the $140 close factor. So
    // the bonus is the auction's, 2% as the episode begins: (735 − 640) / (1.05 − 0.816) =
    // $405.98 (and a few slots of interest).
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    let o = borrower.obligation;
    let (plan, bonus) = expected_plan(&mut f, &o, USDC, SOL, u64::MAX).await;
    assert_eq!(plan.sizing, Sizing::PastCloseFactor);
    assert_eq!(bonus, Decimal::from_bps(200));
    let e = simulate_liquidation(&mut f, &liquidator, &o, USDC, SOL, u64::MAX).await;
    assert_eq!(
        (e.repay_amount, e.seize_amount),
        (plan.repay_amount, plan.seize_amount)
    );
    assert!(
        (405_982_906..405_990_000).contains(&e.repay_amount),
        "{}",
        e.repay_amount
    );
    assert_eq!(e.sizing, Sizing::PastCloseFactor.code());
    assert_eq!(
        (e.bonus_bps, e.bonus_source),
        (200, BonusSource::PastCloseFactor.code())
    );
    let usdc_before = f.balance(&liquidator.tokens[USDC]).await;
    liquidate(&mut f, &liquidator, &o, USDC, SOL, u64::MAX)
        .await
        .expect("liquidate");
    assert_eq!(
        f.balance(&liquidator.tokens[USDC]).await,
        usdc_before - e.repay_amount
    );
    assert_eq!(
        f.balance(&liquidator.tokens[SOL]).await,
        e.liquidator_amount
    );
    let hf = health_factor_bps(&mut f, &o).await;
    assert!((10_500..10_510).contains(&hf), "HF after {hf} bps");
    assert_eq!(e.health_factor_after_bps, hf);
    // Healthy: nothing more to take, and the refusal changes nothing.
    let before = f.data(&o).await;
    assert_error(
        liquidate(&mut f, &liquidator, &o, USDC, SOL, 1).await,
        LendingError::ObligationHealthy,
    );
    assert_eq!(f.data(&o).await, before);
}

#[tokio::test]
async fn successful_liquidation_within_the_close_factor_stops_at_the_target() {
    // A 50% close factor, SOL $87: UBV $696 against $700, HF 0.994. Five minutes into the
    // auction the bonus is 6%: the target needs (735 − 696) / (1.05 − 0.8 × 1.06) = $193.07,
    // within the $350 close factor, so that is the most a liquidator may repay.
    let params = MarketParams {
        close_factor_bps: 5_000,
        ..default_market_params()
    };
    let (mut f, borrower, liquidator) = unhealthy_setup_on(87.0, params).await;
    let o = borrower.obligation;
    f.refresh(&o).await.expect("first seen liquidatable");
    for _ in 0..15 {
        f.advance_time(20).await;
        f.refresh(&o).await.expect("seen again");
    }
    let (plan, bonus) = expected_plan(&mut f, &o, USDC, SOL, u64::MAX).await;
    assert_eq!(plan.sizing, Sizing::Target);
    assert_eq!(bonus, Decimal::from_bps(600));
    assert!(
        (193_069_307..193_080_000).contains(&plan.max_repay),
        "{}",
        plan.max_repay
    );
    // A request one unit past it repays the target amount.
    let past = simulate_liquidation(&mut f, &liquidator, &o, USDC, SOL, plan.max_repay + 1).await;
    assert_eq!(past.repay_amount, plan.max_repay);
    let e = simulate_liquidation(&mut f, &liquidator, &o, USDC, SOL, u64::MAX).await;
    assert_eq!(e.sizing, Sizing::Target.code());
    assert_eq!(
        (e.bonus_bps, e.bonus_source),
        (600, BonusSource::Auction.code())
    );
    assert_eq!(e.repay_amount, plan.max_repay);
    liquidate(&mut f, &liquidator, &o, USDC, SOL, u64::MAX)
        .await
        .expect("liquidate");
    let hf = health_factor_bps(&mut f, &o).await;
    assert!((10_500..10_510).contains(&hf), "HF after {hf} bps");
}

#[tokio::test]
async fn successful_target_sizing_takes_less_than_the_close_factor_drain() {
    // The same crash on two markets: with the close factor alone, liquidations of 20% each,
    // one per slot, until the obligation is healthy; with the target, one. Compare what the
    // borrower lost to bonuses (collateral seized less debt repaid, at $80 per SOL).
    async fn episode(params: MarketParams) -> (u32, u64, u64) {
        let (mut f, borrower, liquidator) = unhealthy_setup_on(80.0, params).await;
        let o = borrower.obligation;
        let (mut n, mut repaid, mut seized) = (0u32, 0u64, 0u64);
        while n < 20 {
            let e = simulate_liquidation(&mut f, &liquidator, &o, USDC, SOL, u64::MAX).await;
            liquidate(&mut f, &liquidator, &o, USDC, SOL, u64::MAX)
                .await
                .expect("liquidate");
            n += 1;
            repaid += e.repay_amount;
            seized += e.seize_amount;
            if !f.obligation(&o).await.health().is_liquidatable() {
                break;
            }
            f.advance_time(1).await;
        }
        // Collateral (9 decimals) at $80 against USDC (6 decimals): in micro-dollars.
        let lost = seized * 80 / 1_000 - repaid;
        (n, repaid, lost)
    }
    let (n_cf, repaid_cf, lost_cf) = episode(close_factor_market_params()).await;
    let (n_t, repaid_t, lost_t) = episode(default_market_params()).await;
    assert_eq!(n_t, 1, "one liquidation reaches the target");
    assert!(n_cf >= 2, "{n_cf} close-factor liquidations");
    assert!(
        lost_t < lost_cf,
        "bonus lost: target {lost_t} (repaid {repaid_t}) vs close factor {lost_cf} (repaid {repaid_cf}, {n_cf} liquidations)"
    );
}

/// Bonus the borrower paid over `events`: collateral value seized less debt value repaid
/// (quote units × 1e18).
fn bonus_paid(events: &[Liquidated]) -> u128 {
    events
        .iter()
        .map(|e| e.seize_value_sf.saturating_sub(e.repay_value_sf))
        .sum()
}

/// Refresh, then the liquidations `amounts` of the borrower's USDC debt against SOL in one
/// transaction; their events.
async fn liquidate_in_one_transaction(
    f: &mut TestFixture,
    liquidator: &TestUser,
    o: &solana_sdk::pubkey::Pubkey,
    amounts: &[u64],
) -> Vec<Liquidated> {
    let mut ixs = f.refresh_ixs(o).await;
    for a in amounts {
        ixs.push(liquidate_ix(f, liquidator, o, USDC, SOL, *a, 0).await);
    }
    let events = crate::events::simulate_events(f, &ixs, &[&liquidator.keypair]).await;
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate");
    events
}

/// The independent review's finding: with a 50% close factor and SOL at $82.50, the target
/// needs more than the close factor at the health ramp's 4.6%, so one liquidation goes past it
/// at the auction's 2%. A first piece of 16 USDC (at 2%) lowered the target amount below what
/// the close factor still allowed, and the rest was then taken at the health ramp's bonus:
/// 2.4 times the liquidator's profit for the same target. Once an episode has gone past the
/// close factor, every later liquidation in it is paid the auction's rate alone.
#[tokio::test]
async fn exploit_split_liquidation_in_one_transaction_collects_the_health_ramp_bonus() {
    let params = MarketParams {
        close_factor_bps: 5_000,
        ..default_market_params()
    };
    let (mut f, borrower, liquidator) = unhealthy_setup_on(82.5, params).await;
    let single =
        liquidate_in_one_transaction(&mut f, &liquidator, &borrower.obligation, &[u64::MAX]).await;
    assert_eq!(single[0].sizing, Sizing::PastCloseFactor.code());
    let (mut g, borrower, liquidator) = unhealthy_setup_on(82.5, params).await;
    let o = borrower.obligation;
    let split =
        liquidate_in_one_transaction(&mut g, &liquidator, &o, &[16_000_000, u64::MAX]).await;
    assert_eq!(split.len(), 2);
    for e in &split {
        assert_eq!(
            (e.bonus_bps, e.bonus_source),
            (200, BonusSource::PastCloseFactor.code()),
            "the auction's rate for every piece"
        );
    }
    assert!(
        bonus_paid(&split) <= bonus_paid(&single) + bonus_paid(&single) / 1_000,
        "split {} vs one liquidation {}",
        bonus_paid(&split),
        bonus_paid(&single)
    );
    let hf = health_factor_bps(&mut g, &o).await;
    assert!((10_500..10_510).contains(&hf), "HF after {hf} bps");
    // Healthy again, the episode is over: the next one starts without the cap.
    assert_eq!(g.obligation(&o).await.auction_bonus_only, 0);
}

/// The same split across two slots, where the close-factor window restarts: a USDC borrow
/// factor of 2, SOL at $80.90; 0.50 USDC, then the rest in the next slot (3.3 times the
/// profit before the fix).
#[tokio::test]
async fn exploit_split_liquidation_across_slots_collects_the_health_ramp_bonus() {
    async fn setup() -> (TestFixture, TestUser, TestUser) {
        let mut f = TestFixture::new().await;
        let admin = f.admin.insecure_clone();
        let ix = f.update_reserve_config_ix(
            &solana_sdk::signature::Signer::pubkey(&admin),
            USDC,
            reserve_config(8_000, 8_500, 20_000),
        );
        f.send(&[ix], &[&admin]).await.expect("borrow factor 2");
        let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
        f.borrow(&borrower, USDC, 350_000_000)
            .await
            .expect("borrow");
        let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
        f.set_price(SOL, 80.9).await;
        (f, borrower, liquidator)
    }
    let (mut f, borrower, liquidator) = setup().await;
    let single =
        liquidate_in_one_transaction(&mut f, &liquidator, &borrower.obligation, &[u64::MAX]).await;
    let (mut g, borrower, liquidator) = setup().await;
    let o = borrower.obligation;
    let mut split = liquidate_in_one_transaction(&mut g, &liquidator, &o, &[500_000]).await;
    assert_eq!(split[0].sizing, Sizing::PastCloseFactor.code());
    assert_eq!(g.obligation(&o).await.auction_bonus_only, 1);
    g.next_slot().await;
    split.extend(liquidate_in_one_transaction(&mut g, &liquidator, &o, &[u64::MAX]).await);
    assert_eq!(
        (split[1].bonus_bps, split[1].bonus_source),
        (200, BonusSource::PastCloseFactor.code())
    );
    assert!(
        bonus_paid(&split) <= bonus_paid(&single) + bonus_paid(&single) / 1_000,
        "split {} vs one liquidation {}",
        bonus_paid(&split),
        bonus_paid(&single)
    );
}
