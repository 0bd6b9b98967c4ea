//! Liquidation: close factor, full and dust liquidations, the bonus (health ramp and Dutch
//! auction), the protocol fee, and agreement with `lending-math`.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::events::Liquidated;
use lending::state::{Obligation, Reserve};
use lending_math::health::Health;
use lending_math::liquidation::{
    auction_bonus, bonus_range, liquidation_bonus, plan_liquidation, CollateralSide, DebtSide,
    LiquidationPlan, PairWeights, SizingRules, TargetSizing,
};
use lending_math::Decimal;
use solana_program_test::BanksClientError;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

use crate::fixture::*;

/// `liquidate` of `amount` of `repay` debt for `withdraw` collateral, paid by `liquidator`,
/// with the obligation's reserves as remaining accounts.
pub async fn liquidate_ix(
    f: &mut TestFixture,
    liquidator: &TestUser,
    obligation: &Pubkey,
    repay: usize,
    withdraw: usize,
    amount: u64,
    min_out: u64,
) -> Instruction {
    let legs = (repay, withdraw);
    liquidate_ix_with(f, liquidator, obligation, legs, amount, min_out, None).await
}

/// `liquidate` paying the seized collateral as shares to `receiver` when given.
pub async fn liquidate_ix_with(
    f: &mut TestFixture,
    liquidator: &TestUser,
    obligation: &Pubkey,
    (repay, withdraw): (usize, usize),
    amount: u64,
    min_out: u64,
    receiver: Option<Pubkey>,
) -> Instruction {
    let reserves = f.obligation_reserves(obligation).await;
    let (r, w) = (&f.reserves[repay], &f.reserves[withdraw]);
    let mut accounts = lending::accounts::Liquidate {
        liquidator: liquidator.keypair.pubkey(),
        lending_market: f.market,
        obligation: *obligation,
        repay_reserve: r.reserve,
        repay_vault: r.vault,
        repay_mint: r.mint,
        withdraw_reserve: w.reserve,
        withdraw_vault: w.vault,
        withdraw_mint: w.mint,
        liquidator_source: liquidator.tokens[repay],
        liquidator_destination: liquidator.tokens[withdraw],
        repay_token_program: r.token_program,
        withdraw_token_program: w.token_program,
        liquidator_obligation: receiver,
        event_authority: event_authority(),
        program: lending::ID,
    }
    .to_account_metas(None);
    // Writable: the liquidation that takes the last collateral writes off the other debts.
    accounts.extend(
        reserves
            .iter()
            .map(|r| anchor_lang::prelude::AccountMeta::new(*r, false)),
    );
    Instruction {
        program_id: lending::ID,
        accounts,
        data: lending::instruction::Liquidate {
            repay_amount: amount,
            min_collateral_out: min_out,
        }
        .data(),
    }
}

/// Refreshes and liquidates in one transaction.
pub async fn liquidate(
    f: &mut TestFixture,
    liquidator: &TestUser,
    obligation: &Pubkey,
    repay: usize,
    withdraw: usize,
    amount: u64,
) -> Result<(), BanksClientError> {
    let mut ixs = f.refresh_ixs(obligation).await;
    ixs.push(liquidate_ix(f, liquidator, obligation, repay, withdraw, amount, 0).await);
    f.send(&ixs, &[&liquidator.keypair]).await
}

/// Simulates refresh + liquidate and returns the `Liquidated` event.
pub async fn simulate_liquidation(
    f: &mut TestFixture,
    liquidator: &TestUser,
    obligation: &Pubkey,
    repay: usize,
    withdraw: usize,
    amount: u64,
) -> Liquidated {
    let mut ixs = f.refresh_ixs(obligation).await;
    ixs.push(liquidate_ix(f, liquidator, obligation, repay, withdraw, amount, 0).await);
    let mut events: Vec<Liquidated> =
        crate::events::simulate_events(f, &ixs, &[&liquidator.keypair]).await;
    assert_eq!(events.len(), 1, "one Liquidated event");
    events.remove(0)
}

/// A lender of 10,000 USDC, a borrower of 700 USDC against 10 SOL, and a liquidator holding
/// 5,000 USDC. SOL then trades at `sol_price`.
pub async fn unhealthy_setup(sol_price: f64) -> (TestFixture, TestUser, TestUser) {
    unhealthy_setup_on(sol_price, default_market_params()).await
}

/// `unhealthy_setup` on a market of `params`.
pub async fn unhealthy_setup_on(
    sol_price: f64,
    params: lending::state::MarketParams,
) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::with_market_params(params).await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("borrow");
    let liquidator = f.new_user(&[5_000_000_000, 0, 0]).await;
    f.set_price(SOL, sol_price).await;
    (f, borrower, liquidator)
}

/// The `lending-math` plan for the obligation as it stands after a refresh in this slot.
pub async fn expected_plan(
    f: &mut TestFixture,
    obligation: &Pubkey,
    repay: usize,
    withdraw: usize,
    amount: u64,
) -> (LiquidationPlan, Decimal) {
    f.refresh(obligation).await.expect("refresh");
    plan_from_refreshed(f, obligation, repay, withdraw, amount).await
}

/// The `lending-math` plan for an obligation already refreshed in this slot.
pub async fn plan_from_refreshed(
    f: &mut TestFixture,
    obligation: &Pubkey,
    repay: usize,
    withdraw: usize,
    amount: u64,
) -> (LiquidationPlan, Decimal) {
    let o: Obligation = f.obligation(obligation).await;
    let debt: Reserve = f.reserve(repay).await;
    let coll: Reserve = f.reserve(withdraw).await;
    let m = f.market_state().await;
    let now = f.now().await;
    let h: Health = o.health();
    let (lo, hi) = bonus_range(
        debt.config.min_liquidation_bonus_bps,
        debt.config.max_liquidation_bonus_bps,
        coll.config.min_liquidation_bonus_bps,
        coll.config.max_liquidation_bonus_bps,
    );
    let pair = PairWeights {
        debt_borrow_factor: debt.config.borrow_factor(),
        collateral_threshold: coll.config.liquidation_threshold(),
    };
    let bonus = liquidation_bonus(
        &h,
        &pair,
        lo,
        hi,
        o.liquidatable_since_ts,
        now,
        m.liquidation_auction_secs,
    )
    .unwrap();
    let b = o.borrows[o.find_borrow(&f.reserves[repay].reserve).unwrap()];
    let d = o.deposits[o.find_deposit(&f.reserves[withdraw].reserve).unwrap()];
    let same_slot = o.liquidation_slot == o.last_refresh_slot;
    let plan = plan_liquidation(
        &h,
        &DebtSide {
            amount: b
                .normalized_debt_sf
                .get()
                .try_mul(debt.borrow_index_sf.get())
                .unwrap(),
            price: debt.price_sf.get(),
            decimals: debt.decimals,
        },
        &CollateralSide {
            shares: d.shares,
            reserve_assets: coll.total_supply_assets().unwrap(),
            share_supply: coll.share_supply,
            price: coll.price_sf.get(),
            decimals: coll.decimals,
        },
        &SizingRules {
            close_factor: Decimal::from_bps(u64::from(m.close_factor_bps)),
            insolvency_ltv: Decimal::from_bps(u64::from(m.insolvency_ltv_bps)),
            dust_threshold_value: Decimal::from_u64(m.dust_threshold_value),
            window_debt_value: if same_slot {
                o.liquidation_window_debt_sf.get()
            } else {
                h.borrowed_value
            },
            window_repaid_value: if same_slot {
                o.liquidation_window_repaid_sf.get()
            } else {
                Decimal::zero()
            },
            protocol_fee: Decimal::from_bps(u64::from(coll.config.protocol_liquidation_fee_bps)),
            target: (m.target_health_bps > 0).then_some(TargetSizing {
                health: Decimal::from_bps(u64::from(m.target_health_bps)),
                auction_bonus: auction_bonus(
                    lo,
                    hi,
                    o.liquidatable_since_ts,
                    now,
                    m.liquidation_auction_secs,
                )
                .unwrap(),
                pair,
            }),
        },
        bonus.rate,
        amount,
    )
    .unwrap();
    (plan, plan.bonus)
}

#[tokio::test]
async fn successful_partial_liquidation_at_the_close_factor() {
    // SOL $100 → $80: DV = $800, UBV = $640, debt $700 → liquidatable, LTV 87.5% < 95%.
    let (mut f, borrower, liquidator) =
        unhealthy_setup_on(80.0, close_factor_market_params()).await;
    let usdc_before = f.balance(&liquidator.tokens[USDC]).await;
    let sol_vault = f.reserves[SOL].vault;
    let vault_before = f.balance(&sol_vault).await;
    let insurance_before = f.reserve(SOL).await.insurance_amount;
    let e = simulate_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await;
    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await
    .expect("liquidate");

    // Close factor 20% of $700 = 140 USDC. Bonus: distance (700 − 640) / 800 = 7.5% (health ramp).
    assert_eq!(e.repay_amount, 140_000_000);
    assert_eq!((e.bonus_bps, e.bonus_source), (750, 0));
    // Seized: 140 × 1.075 = $150.50 of SOL at $80 = 1.88125 SOL; fee 10% of the bonus part.
    assert_eq!(e.seize_amount, 1_881_250_000);
    assert_eq!(e.protocol_fee_amount, 13_125_000); // 1.88125 × 0.075 / 1.075 × 10%
    assert_eq!(e.liquidator_amount, 1_868_125_000);
    assert_eq!(
        f.balance(&liquidator.tokens[USDC]).await,
        usdc_before - 140_000_000
    );
    assert_eq!(f.balance(&liquidator.tokens[SOL]).await, 1_868_125_000);
    assert_eq!(f.balance(&sol_vault).await, vault_before - 1_868_125_000);
    let sol = f.reserve(SOL).await;
    assert_eq!(sol.insurance_amount, insurance_before + 13_125_000);
    assert_eq!(
        f.balance(&sol_vault).await,
        sol.available_amount + sol.insurance_amount
    );
    let o = f.obligation(&borrower.obligation).await;
    assert_eq!(o.deposits[0].shares, 10_000_000_000 - 1_881_250_000);
    assert_eq!(
        o.borrows[0].normalized_debt_sf.get(),
        Decimal::from_u64(560_000_000)
    );
    assert!(
        e.health_factor_after_bps > e.health_factor_before_bps,
        "health improves"
    );
}

#[tokio::test]
async fn successful_program_and_lending_math_agree() {
    let (mut f, borrower, liquidator) = unhealthy_setup(78.5).await;
    let (plan, bonus) = expected_plan(&mut f, &borrower.obligation, USDC, SOL, 100_000_000).await;
    let e = simulate_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        100_000_000,
    )
    .await;
    assert_eq!(e.repay_amount, plan.repay_amount);
    assert_eq!(e.seize_amount, plan.seize_amount);
    assert_eq!(e.protocol_fee_amount, plan.protocol_fee_amount);
    assert_eq!(e.liquidator_amount, plan.liquidator_amount);
    assert_eq!(e.repay_value_sf, plan.repay_value.to_scaled_val().unwrap());
    assert_eq!(e.seize_value_sf, plan.seize_value.to_scaled_val().unwrap());
    assert_eq!(e.bonus_bps, bonus.try_floor_bps().unwrap());
    let (max_plan, _) = expected_plan(&mut f, &borrower.obligation, USDC, SOL, u64::MAX).await;
    let e = simulate_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await;
    assert_eq!(
        (e.repay_amount, e.seize_amount),
        (max_plan.repay_amount, max_plan.seize_amount)
    );
}

#[tokio::test]
async fn successful_full_liquidation_above_insolvency_ltv() {
    // SOL → $73: DV $730, debt $700 → LTV 95.9% ≥ 95%: the whole borrow may be repaid.
    // The bonus is capped by the health cap 0.999 × DV / BV − 1 = 4.18% (just under the
    // solvency cap DV / BV − 1 = 4.29%), so the liquidation raises the health factor and cannot
    // create bad debt.
    let (mut f, borrower, liquidator) = unhealthy_setup(73.0).await;
    let e = simulate_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await;
    assert!(e.full_liquidation);
    assert_eq!((e.bonus_bps, e.bonus_source), (418, 4));
    assert_eq!(e.repay_amount, 700_000_000);
    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await
    .expect("liquidate");
    let o = f.obligation(&borrower.obligation).await;
    assert!(!o.has_debt(), "debt fully repaid");
    assert_eq!(
        f.balance(&liquidator.tokens[SOL]).await + (e.seize_amount - e.liquidator_amount),
        e.seize_amount
    );
    // $700 × (1 + 0.999 × 730 / 700 − 1) = $729.27 of SOL at $73: 9.99 SOL, and the borrower
    // keeps the rest of his collateral.
    assert_eq!(e.seize_amount, 9_989_999_999);
    assert_eq!(o.deposits[0].shares, 10_000_000_000 - e.seize_amount);
}

#[tokio::test]
async fn successful_forced_full_liquidation_of_dust() {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[1_000_000_000, 0, 0]).await;
    f.deposit(&lender, USDC, 1_000_000_000).await.expect("lend");
    let borrower = f.new_user(&[0, 30_000_000, 0]).await;
    f.deposit(&borrower, SOL, 30_000_000)
        .await
        .expect("0.03 SOL");
    f.borrow(&borrower, USDC, 1_500_000)
        .await
        .expect("borrow $1.50");
    let liquidator = f.new_user(&[10_000_000, 0, 0]).await;
    // SOL → $60: DV $1.80, UBV $1.44 < $1.50; the $1.50 borrow is below the $2 dust threshold.
    f.set_price(SOL, 60.0).await;
    assert_error(
        liquidate(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            SOL,
            1_000_000,
        )
        .await,
        lending::error::LendingError::DustNotFullyRepaid,
    );
    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await
    .expect("full");
    assert_eq!(
        f.balance(&liquidator.tokens[USDC]).await,
        10_000_000 - 1_500_000
    );
    assert!(
        !f.obligation(&borrower.obligation).await.has_debt(),
        "no dust debt left"
    );
}

/// A borrower just past the threshold (SOL $87: UBV $696 < $700): the health ramp gives the
/// minimum, so the auction sets the bonus.
async fn bonus_after(secs: i64) -> Liquidated {
    let (mut f, borrower, liquidator) =
        unhealthy_setup_on(87.0, close_factor_market_params()).await;
    f.refresh(&borrower.obligation)
        .await
        .expect("first seen liquidatable");
    let seen = f
        .obligation(&borrower.obligation)
        .await
        .liquidatable_since_ts;
    assert_eq!(seen, f.now().await);
    // Keepers keep seeing it liquidatable: one sighting every 20 s (the episode gap is 30 s).
    let mut left = secs;
    while left > 0 {
        let step = left.min(20);
        f.advance_time(step).await;
        f.refresh(&borrower.obligation).await.expect("seen again");
        left -= step;
    }
    simulate_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        100_000_000,
    )
    .await
}

/// Audit finding 5 and its follow-up: a sighting from an earlier wick, followed by a recovery
/// nobody recomputed, does not carry its auction progress into a new dip.
#[tokio::test]
async fn exploit_auction_clock_pre_aged_by_an_earlier_wick_is_reset() {
    let (mut f, borrower, liquidator) = unhealthy_setup(87.0).await;
    f.refresh(&borrower.obligation)
        .await
        .expect("seen at the wick");
    // The price recovers for 590 s with no refresh, then dips again.
    f.set_price(SOL, 95.0).await;
    f.advance_time(590).await;
    f.set_price(SOL, 87.0).await;
    let e = simulate_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        100_000_000,
    )
    .await;
    assert_eq!(
        (e.bonus_bps, e.bonus_source),
        (200, 0),
        "a new episode starts at the minimum"
    );
}

#[tokio::test]
async fn successful_auction_bonus_starts_at_min() {
    let e = bonus_after(0).await;
    assert_eq!((e.bonus_bps, e.bonus_source), (200, 0));
    // 100 USDC × 1.02 = $102 of SOL at $87.
    assert_eq!(e.seize_amount, 1_172_413_793);
}

#[tokio::test]
async fn successful_auction_bonus_at_half_duration() {
    let e = bonus_after(300).await;
    assert_eq!((e.bonus_bps, e.bonus_source), (600, 1));
    assert_eq!(e.seize_amount, 1_218_390_804); // $106 / $87
}

#[tokio::test]
async fn successful_auction_bonus_reaches_max() {
    let e = bonus_after(600).await;
    assert_eq!((e.bonus_bps, e.bonus_source), (1_000, 1));
    let later = bonus_after(6_000).await;
    assert_eq!(later.bonus_bps, 1_000, "never beyond the max");
}

#[tokio::test]
async fn successful_health_bonus_grows_deeper_under_water() {
    let cf = close_factor_market_params;
    let (mut f, b1, l1) = unhealthy_setup_on(85.0, cf()).await;
    let shallow = simulate_liquidation(&mut f, &l1, &b1.obligation, USDC, SOL, 100_000_000).await;
    let (mut g, b2, l2) = unhealthy_setup_on(78.0, cf()).await;
    let deep = simulate_liquidation(&mut g, &l2, &b2.obligation, USDC, SOL, 100_000_000).await;
    let (mut h, b3, l3) = unhealthy_setup_on(76.0, cf()).await;
    let capped = simulate_liquidation(&mut h, &l3, &b3.obligation, USDC, SOL, 100_000_000).await;
    // (700 − 680) / 850 = 2.35%; (700 − 624) / 780 = 9.74%; at $76 the ramp would give 12.1%,
    // but the health cap 0.999 × DV / BV − 1 = 0.999 × 760 / 700 − 1 = 8.46% applies.
    assert_eq!((shallow.bonus_bps, shallow.bonus_source), (235, 0));
    assert_eq!((deep.bonus_bps, deep.bonus_source), (974, 0));
    assert_eq!((capped.bonus_bps, capped.bonus_source), (846, 4));
}

#[tokio::test]
async fn successful_liquidation_while_borrowing_is_paused() {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    let mut params = default_market_params();
    params.borrow_paused = true;
    params.withdraw_paused = true;
    let admin = f.admin.insecure_clone();
    let ix = f.update_market_ix(&admin.pubkey(), params);
    f.send(&[ix], &[&admin]).await.expect("pause");
    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await
    .expect("liquidations keep working");
}

#[tokio::test]
async fn successful_two_liquidations_in_one_slot_respect_the_close_factor_in_total() {
    let (mut f, borrower, liquidator) =
        unhealthy_setup_on(80.0, close_factor_market_params()).await;
    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        100_000_000,
    )
    .await
    .expect("first");
    // 40 USDC of the 140 USDC close factor are left in this slot: a request for more repays
    // those 40.
    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        40_000_001,
    )
    .await
    .expect("the rest, capped");
    assert_eq!(
        f.balance(&liquidator.tokens[USDC]).await,
        5_000_000_000 - 140_000_000
    );
    assert_error(
        liquidate(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            SOL,
            u64::MAX,
        )
        .await,
        lending::error::LendingError::NothingToRepay,
    );
    f.next_slot().await;
    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await
    .expect("next slot");
}

#[tokio::test]
async fn successful_self_liquidation_is_never_profitable() {
    let (mut f, borrower, _) = unhealthy_setup(80.0).await;
    // The borrower holds 1,700 USDC (1,000 + 700 borrowed) and liquidates themselves.
    let equity = |usdc: u64, sol: u64, o: &Obligation| {
        let wallet = Decimal::from_u64(usdc)
            .try_div(Decimal::from_u64(1_000_000))
            .unwrap()
            .try_add(
                Decimal::from_u64(sol)
                    .try_mul(Decimal::from_u64(80))
                    .unwrap()
                    .try_div(Decimal::from_u64(1_000_000_000))
                    .unwrap(),
            )
            .unwrap();
        wallet
            .try_add(o.deposited_value_sf.get())
            .unwrap()
            .saturating_sub(o.borrowed_value_sf.get())
    };
    f.refresh(&borrower.obligation).await.expect("refresh");
    let before = equity(
        f.balance(&borrower.tokens[USDC]).await,
        f.balance(&borrower.tokens[SOL]).await,
        &f.obligation(&borrower.obligation).await,
    );
    liquidate(&mut f, &borrower, &borrower.obligation, USDC, SOL, u64::MAX)
        .await
        .expect("self-liquidate");
    f.refresh(&borrower.obligation).await.expect("refresh");
    let after = equity(
        f.balance(&borrower.tokens[USDC]).await,
        f.balance(&borrower.tokens[SOL]).await,
        &f.obligation(&borrower.obligation).await,
    );
    assert!(
        after < before,
        "the protocol fee makes it a loss: {before} → {after}"
    );
}
