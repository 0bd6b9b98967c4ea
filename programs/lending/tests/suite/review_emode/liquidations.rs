//! Liquidations under group parameters: consistency with the borrow limit, the bonus bounds
//! after the auction, a debt reserve removed from the group (mixed pair), dust, and seizure
//! paid in shares to a liquidator whose own obligation is in a group.

use lending::error::LendingError;

use super::*;
use crate::liquidation::{liquidate_ix, liquidate_ix_with};

#[tokio::test]
async fn fail_liquidate_when_the_group_obligation_is_at_its_borrow_limit() {
    // 9,170 USDT against 10,000 USDC: at the group's borrow limit, past the reserves' own
    // threshold ($8,500). A liquidator who valued it with the reserves' parameters finds it
    // healthy: the liquidation values it under the group, as the borrow did.
    let (mut f, _lender, borrower) = borrower_in_group(9_170 * UNIT).await;
    let liquidator = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDT,
            USDC,
            u64::MAX,
            0,
        )
        .await,
    );
    refused(
        &mut f,
        &ixs,
        &[&liquidator.keypair],
        &[&borrower, &liquidator],
        &[],
        LendingError::ObligationHealthy,
    )
    .await;
}

#[tokio::test]
async fn successful_group_bonus_stays_within_the_group_bounds_after_the_auction() {
    // USDC at $0.955: LTV 95.3%, past the insolvency LTV (a full liquidation), health cap and
    // solvency cap near 4.9%, the reserves' own maximum 10%. After the auction has run out the
    // bonus is the group's maximum, 2%, and no more; the whole debt is repaid.
    let (mut f, _lender, borrower) = borrower_in_group(9_100 * UNIT).await;
    f.set_price(USDC, 0.955).await;
    run_auction(&mut f, &borrower.obligation, 620).await;
    let liquidator = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
    let c = checked_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        (USDT, USDC),
        u64::MAX,
        None,
    )
    .await;
    assert!(c.event.full_liquidation);
    assert_eq!(c.event.bonus_bps, 200, "the group's max bonus");
    assert!(c.after.bf_adjusted_debt_value.is_zero(), "{:?}", c.after);
    // Seized value = repaid value × 1.02 (to a cent).
    let cent = 10u128.pow(18) / 100;
    let fair = c.event.repay_value_sf * 10_200 / 10_000;
    assert!(
        c.event.seize_value_sf <= fair + cent,
        "{} > {}",
        c.event.seize_value_sf,
        fair
    );
    assert!(c.event.seize_value_sf + cent >= fair);
}

#[tokio::test]
async fn successful_liquidation_of_a_debt_removed_from_the_group_is_capped_and_improves() {
    // The admin removes USDT from both groups while the borrower owes 9,100 of it. The debt now
    // counts with USDT's own bonus bounds (2–10%) against USDC collateral still at the group's
    // 94% threshold: 94% × 1.10 > 1, so the reserves' own maximum would lower health. After the
    // auction the health cap must hold the bonus under the point where the seizure lowers the
    // health factor: the liquidation lands and raises it.
    let (mut f, _lender, borrower) = borrower_in_group(9_100 * UNIT).await;
    let admin = f.admin.pubkey();
    let ix = set_reserve_groups_ix(&f, &admin, USDT, 0);
    admin_send(&mut f, ix).await.expect("remove USDT");
    f.set_price(USDC, 0.965).await;
    run_auction(&mut f, &borrower.obligation, 620).await;
    let liquidator = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
    let c = checked_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        (USDT, USDC),
        u64::MAX,
        None,
    )
    .await;
    // Under the health cap (1 − 0.1%) × UBV / (94% × BFDV) − 1 ≈ 5.9%, so the liquidation
    // lands and raises health; above the group's 2% (the finding below).
    assert!(c.event.bonus_bps <= 1_000, "bonus {}", c.event.bonus_bps);
    assert!(c.event.health_factor_after_bps > c.event.health_factor_before_bps);
    assert_eq!(
        f.obligation(&borrower.obligation).await.emode_group,
        STABLES
    );
}

#[tokio::test]
async fn successful_dust_group_debt_is_repaid_in_full() {
    // 0.9 USDT against 1 USDC in the group (under the $2 dust threshold). USDC at $0.955:
    // liquidatable under the group's 94% (UBV $0.8977), solvent, under the insolvency LTV.
    // The dust rule repays it whole; the liquidation clears the debt and leaves the rest of the
    // collateral to the borrower.
    let (mut f, _lender, _b) = market().await;
    let small = f.new_user(&[UNIT, 0, 0, 0]).await;
    f.deposit(&small, USDC, UNIT).await.expect("deposit");
    join(&mut f, &small, STABLES).await.expect("join");
    f.borrow(&small, USDT, 900_000).await.expect("borrow");
    f.set_price(USDC, 0.955).await;
    let liquidator = f.new_user(&[0, 0, 0, 10 * UNIT]).await;
    // A piece of it is refused: a dust borrow is repaid in full.
    let mut ixs = f.refresh_ixs(&small.obligation).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &small.obligation,
            USDT,
            USDC,
            100_000,
            0,
        )
        .await,
    );
    refused(
        &mut f,
        &ixs,
        &[&liquidator.keypair],
        &[&small, &liquidator],
        &[],
        LendingError::DustNotFullyRepaid,
    )
    .await;
    let c = checked_liquidation(
        &mut f,
        &liquidator,
        &small.obligation,
        (USDT, USDC),
        u64::MAX,
        None,
    )
    .await;
    assert!(c.event.full_liquidation);
    assert_eq!(c.event.repay_amount, 900_000);
    assert!((100..=200).contains(&c.event.bonus_bps));
    let o = f.obligation(&small.obligation).await;
    assert_eq!(o.active_borrows().count(), 0);
    assert_eq!(o.active_deposits().count(), 1);
}

/// A victim outside any group: 10,000 USDC backing 70 SOL, then SOL at $125 (debt $8,750 >
/// $8,500). The liquidator holds 100 SOL.
async fn sol_victim() -> (TestFixture, TestUser, TestUser, TestUser) {
    let (mut f, lender, victim) = market().await;
    f.borrow(&victim, SOL, 70 * SOL_UNIT)
        .await
        .expect("borrow SOL");
    f.set_price(SOL, 125.0).await;
    let liquidator = f.new_user(&[0, 100 * SOL_UNIT, 0, 0]).await;
    (f, lender, victim, liquidator)
}

#[tokio::test]
async fn fail_liquidation_paid_in_shares_when_the_collateral_left_the_receivers_group() {
    // The liquidator's obligation joined the stables group while USDC was a member; the admin
    // then removed USDC from it. Seized USDC cannot be credited to it as shares (that would be
    // a deposit of a non-member, which `deposit` refuses): refused, nothing changed. Paid in
    // tokens, or to a receiver in the tight group (of which USDC is still a member), it works.
    let (mut f, _lender, victim, liquidator) = sol_victim().await;
    join(&mut f, &liquidator, STABLES)
        .await
        .expect("receiver joins");
    let admin = f.admin.pubkey();
    let ix = set_reserve_groups_ix(&f, &admin, USDC, 0b10);
    admin_send(&mut f, ix)
        .await
        .expect("remove USDC from group 1");
    let mut ixs = f.refresh_ixs(&victim.obligation).await;
    ixs.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &victim.obligation,
            (SOL, USDC),
            u64::MAX,
            0,
            Some(liquidator.obligation),
        )
        .await,
    );
    refused(
        &mut f,
        &ixs,
        &[&liquidator.keypair],
        &[&victim, &liquidator],
        &[],
        LendingError::EmodeReserveNotInGroup,
    )
    .await;

    join(&mut f, &liquidator, TIGHT)
        .await
        .expect("receiver moves to the tight group");
    let c = checked_liquidation(
        &mut f,
        &liquidator,
        &victim.obligation,
        (SOL, USDC),
        u64::MAX,
        Some(liquidator.obligation),
    )
    .await;
    assert!(c.event.liquidator_shares > 0);
    let r = f.obligation(&liquidator.obligation).await;
    assert_eq!(r.emode_group, TIGHT);
    assert_eq!(r.deposits[0].reserve, f.reserves[USDC].reserve);
    assert_eq!(r.active_deposits().count(), 1);
}

#[tokio::test]
async fn fail_liquidation_paid_in_shares_when_the_receiver_is_another_users_obligation() {
    // The liquidator names, as the receiver of the seized shares, an obligation in the
    // stables group that is not his (a victim's, to push a deposit into it, or a friend's to
    // route collateral around a group): the receiver must be the liquidator's own.
    let (mut f, lender, victim, liquidator) = sol_victim().await;
    let other = f.new_user(&[0, 0, 0, 0]).await;
    join(&mut f, &other, STABLES).await.expect("other joins");
    let mut ixs = f.refresh_ixs(&victim.obligation).await;
    ixs.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &victim.obligation,
            (SOL, USDC),
            u64::MAX,
            0,
            Some(other.obligation),
        )
        .await,
    );
    refused(
        &mut f,
        &ixs,
        &[&liquidator.keypair],
        &[&victim, &liquidator, &other, &lender],
        &[],
        LendingError::InvalidLiquidatorObligation,
    )
    .await;
}

#[tokio::test]
async fn successful_group_liquidation_paid_in_shares_to_a_receiver_in_debt_in_the_group() {
    // The liquidator's own obligation is in the stables group and owes USDT; it receives the
    // seized USDC as shares. Its health can only rise, it holds only members, and it stays
    // in its group.
    let (mut f, _lender, borrower) = borrower_in_group(9_100 * UNIT).await;
    let liquidator = f.new_user(&[2_000 * UNIT, 0, 0, 10_000 * UNIT]).await;
    f.deposit(&liquidator, USDC, 2_000 * UNIT)
        .await
        .expect("deposit");
    join(&mut f, &liquidator, STABLES).await.expect("join");
    f.borrow(&liquidator, USDT, 1_500 * UNIT)
        .await
        .expect("borrow");
    f.set_price(USDC, 0.965).await;
    f.refresh(&liquidator.obligation).await.expect("refresh");
    let own_before = f.obligation(&liquidator.obligation).await;
    let c = checked_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        (USDT, USDC),
        u64::MAX,
        Some(liquidator.obligation),
    )
    .await;
    assert!((100..=200).contains(&c.event.bonus_bps));
    f.refresh(&liquidator.obligation).await.expect("refresh");
    let own_after = f.obligation(&liquidator.obligation).await;
    assert_eq!(own_after.emode_group, STABLES);
    assert_eq!(
        own_after.deposits[0].shares,
        own_before.deposits[0].shares + c.event.liquidator_shares
    );
    assert!(own_after.health().unhealthy_borrow_value > own_before.health().unhealthy_borrow_value);
}

#[tokio::test]
async fn successful_liquidation_of_collateral_removed_from_the_group_uses_its_own_bounds() {
    // USDC leaves the stables group while it backs 9,100 USDT: it counts with its own 85%
    // threshold ($8,500 < $9,100), so the obligation is liquidatable at once, at a bonus within
    // the pair's [max(2%, 1%), max(10%, 2%)], capped so that the health factor still rises.
    let (mut f, _lender, borrower) = borrower_in_group(9_100 * UNIT).await;
    let admin = f.admin.pubkey();
    let ix = set_reserve_groups_ix(&f, &admin, USDC, 0b10);
    admin_send(&mut f, ix)
        .await
        .expect("remove USDC from group 1");
    let liquidator = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
    let c = checked_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        (USDT, USDC),
        u64::MAX,
        None,
    )
    .await;
    assert!(
        (200..=1_000).contains(&c.event.bonus_bps),
        "bonus {}",
        c.event.bonus_bps
    );
    assert!(c.before.unhealthy_borrow_value == lending_math::Decimal::from_u64(8_500));
}

#[tokio::test]
async fn fail_bonus_above_the_group_max_when_a_leg_of_the_pair_left_the_group() {
    // The borrower did nothing but stay in his group. The admin takes USDT (his debt) out of
    // the group, or USDC (his collateral): the pair's bonus range becomes
    // [max(1%, 2%), max(2%, 10%)], so the next liquidation after the auction pays the
    // health-capped ~5.9% (debt removed) instead of the group's 2%, about three times the
    // group's bound on $8.9k of debt. klend caps every liquidation of an obligation in an
    // elevation group at the group's max bonus; so should this program: the group's bonus
    // bounds stay the ceiling while the obligation is in the group.
    for removed in [USDT, USDC] {
        let (mut f, _lender, borrower) = borrower_in_group(9_100 * UNIT).await;
        let admin = f.admin.pubkey();
        let ix = set_reserve_groups_ix(&f, &admin, removed, 0);
        admin_send(&mut f, ix)
            .await
            .expect("remove from the groups");
        f.set_price(USDC, 0.965).await;
        run_auction(&mut f, &borrower.obligation, 620).await;
        let liquidator = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
        let c = checked_liquidation(
            &mut f,
            &liquidator,
            &borrower.obligation,
            (USDT, USDC),
            u64::MAX,
            None,
        )
        .await;
        assert!(
            c.event.bonus_bps <= 200,
            "reserve {removed} removed: bonus {} bps above the group's 200 on {} repaid",
            c.event.bonus_bps,
            c.event.repay_amount
        );
    }
}
