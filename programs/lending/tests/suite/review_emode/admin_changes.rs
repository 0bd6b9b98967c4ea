//! The admin edits the market, a group or a reserve's memberships after obligations joined:
//! the insolvency LTV a group's threshold must stay under, a member removed from a group
//! (as collateral and as debt), a group's threshold lowered and raised again in one slot, and
//! a group at the 98% bound.

use lending::error::LendingError;
use lending::state::EmodeGroup;
use solana_sdk::signature::Signer;

use super::*;

/// The market parameters with insolvency LTV `bps`.
fn insolvency(bps: u16) -> MarketParams {
    MarketParams {
        insolvency_ltv_bps: bps,
        ..default_market_params()
    }
}

#[tokio::test]
async fn fail_update_market_when_the_insolvency_ltv_falls_to_a_group_threshold() {
    // `set_emode_group` refuses a group whose threshold is not below the market's insolvency
    // LTV ("past it every liquidation would be a full one"). The same state must not be
    // reachable from the other side: lowering the insolvency LTV to 94% (the stables group's
    // threshold) or 90% (both groups') must be refused, and the market left as it was.
    let (mut f, lender, borrower) = market().await;
    let admin = f.admin.pubkey();
    for bps in [9_400u16, 9_000] {
        let ix = f.update_market_ix(&admin, insolvency(bps));
        let admin_kp = f.admin.insecure_clone();
        refused(
            &mut f,
            &[ix],
            &[&admin_kp],
            &[&borrower, &lender],
            &[],
            LendingError::InvalidInsolvencyLtv,
        )
        .await;
    }
    assert_eq!(f.market_state().await.insolvency_ltv_bps, 9_500);
}

#[tokio::test]
async fn exploit_lowered_insolvency_ltv_makes_a_barely_unhealthy_group_obligation_fully_liquidated()
{
    // The borrower owes 9,100 USDT against 10,000 USDC in the stables group (threshold 94%).
    // USDC slips to $0.965: health factor 0.997, LTV 94.3%. With the 95% insolvency LTV the
    // liquidation is sized to the target health (about half the debt). The admin lowers the
    // insolvency LTV to 90%, which `update_market` accepts although `set_emode_group` would
    // refuse the group under it: every group obligation is then past the insolvency LTV the
    // moment it is liquidatable, and the first liquidator repays the whole 9,100 USDT and
    // takes the bonus on all of it. The correct outcome: the update is refused (or the group's
    // liquidations keep the close factor and target sizing) and this liquidation is partial.
    let (mut f, _lender, borrower) = borrower_in_group(9_100 * UNIT).await;
    let admin = f.admin.pubkey();
    let ix = f.update_market_ix(&admin, insolvency(9_000));
    let _ = admin_send(&mut f, ix).await;
    f.set_price(USDC, 0.965).await;
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
        !c.event.full_liquidation && c.event.repay_amount < 9_100 * UNIT,
        "full liquidation of a barely unhealthy group obligation: repaid {} of 9,100 USDT \
         (sizing {}, bonus {} bps)",
        c.event.repay_amount,
        c.event.sizing,
        c.event.bonus_bps
    );
}

#[tokio::test]
async fn successful_partial_group_liquidation_at_the_default_insolvency_ltv() {
    // The control of the finding above: the same obligation and price at the market's 95%
    // insolvency LTV are liquidated in part, to the target health.
    let (mut f, _lender, borrower) = borrower_in_group(9_100 * UNIT).await;
    f.set_price(USDC, 0.965).await;
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
    assert!(!c.event.full_liquidation);
    assert!(
        c.event.repay_amount < 6_000 * UNIT,
        "{}",
        c.event.repay_amount
    );
    assert!((100..=200).contains(&c.event.bonus_bps));
}

#[tokio::test]
async fn fail_borrow_when_the_reserve_left_the_group_after_the_debt_was_taken() {
    // USDT is removed from the stables group while the borrower owes it: no more of it can be
    // borrowed (nor deposited), repaying still works.
    let (mut f, lender, borrower) = borrower_in_group(7_000 * UNIT).await;
    let admin = f.admin.pubkey();
    let ix = set_reserve_groups_ix(&f, &admin, USDT, 0b10);
    admin_send(&mut f, ix)
        .await
        .expect("remove USDT from group 1");
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(f.borrow_ix(&borrower, USDT, UNIT).await);
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::EmodeReserveNotInGroup,
    )
    .await;
    f.repay(&borrower, USDT, 1_000 * UNIT).await.expect("repay");
}

#[tokio::test]
async fn fail_withdraw_when_a_removed_member_counts_with_its_own_ltv() {
    // USDC leaves the stables group while it backs 7,000 USDT: the withdrawal check uses
    // USDC's own 80% LTV, as the valuation does. 1,300 USDC would pass under the group's 92%
    // ($7,996 left against $7,007) and fails under 80% ($6,953); 1,000 passes under both.
    let (mut f, lender, borrower) = borrower_in_group(7_000 * UNIT).await;
    let admin = f.admin.pubkey();
    let ix = set_reserve_groups_ix(&f, &admin, USDC, 0b10);
    admin_send(&mut f, ix)
        .await
        .expect("remove USDC from group 1");
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(f.withdraw_ix(&borrower, USDC, 1_300 * UNIT).await);
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::WithdrawTooLarge,
    )
    .await;
    f.withdraw(&borrower, USDC, 1_000 * UNIT)
        .await
        .expect("within the own LTV");
}

#[tokio::test]
async fn fail_rejoin_the_same_group_when_a_position_left_it() {
    // Re-setting the group the obligation is already in re-checks memberships: once USDC left
    // the stables group, the obligation can stay, or leave, but not "join" again.
    let (mut f, lender, borrower) = borrower_in_group(5_000 * UNIT).await;
    let admin = f.admin.pubkey();
    let ix = set_reserve_groups_ix(&f, &admin, USDC, 0b10);
    admin_send(&mut f, ix)
        .await
        .expect("remove USDC from group 1");
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        crate::emode::set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, STABLES).await,
    );
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::EmodeReserveNotInGroup,
    )
    .await;
    join(&mut f, &borrower, TIGHT)
        .await
        .expect("a group it is a member of");
}

#[tokio::test]
async fn fail_liquidate_when_the_group_threshold_is_raised_back_in_the_same_slot() {
    // The admin lowers the stables group to 88% / 90%: the 9,100 USDT obligation becomes
    // liquidatable under it at once. After the auction a liquidation pays at most the group's
    // 2% (not the reserves' own 10%) and raises health. The admin then restores the group in
    // the same slot: the next liquidation of that slot sees a healthy obligation and fails,
    // with nothing changed.
    let (mut f, _lender, borrower) = borrower_in_group(9_100 * UNIT).await;
    let admin = f.admin.pubkey();
    let ix = set_emode_group_ix(&f, &admin, STABLES, tight());
    admin_send(&mut f, ix).await.expect("lower the group");
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
        (100..=200).contains(&c.event.bonus_bps),
        "bonus {} outside the group's 1–2%",
        c.event.bonus_bps
    );
    assert!(c.before.is_liquidatable());

    let ix = set_emode_group_ix(&f, &admin, STABLES, stables());
    admin_send(&mut f, ix).await.expect("restore the group");
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        crate::liquidation::liquidate_ix(
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
async fn successful_group_at_the_98_percent_bound_liquidates_and_always_improves() {
    // Group 3 at the bounds: LTV 97%, threshold 98%, bonus 0–2% (98% × 1.02 = 99.96% < 1), on
    // a market whose insolvency LTV is 100%. A borrower at the group's limit, USDC slipping to
    // $0.98 (health factor 0.995, LTV 98.5%, still solvent), liquidated after the auction has
    // run out, liquidation after liquidation: each must land and strictly raise the health
    // factor until the obligation is healthy.
    let (mut f, _lender, borrower) = market_with(insolvency(10_000)).await;
    let admin = f.admin.pubkey();
    let edge = EmodeGroup {
        loan_to_value_bps: 9_700,
        liquidation_threshold_bps: 9_800,
        min_liquidation_bonus_bps: 0,
        max_liquidation_bonus_bps: 200,
    };
    for ix in [
        set_emode_group_ix(&f, &admin, 3, edge),
        set_reserve_groups_ix(&f, &admin, USDC, 0b111),
        set_reserve_groups_ix(&f, &admin, USDT, 0b111),
    ] {
        admin_send(&mut f, ix).await.expect("admin");
    }
    join(&mut f, &borrower, 3).await.expect("join");
    f.borrow(&borrower, USDT, 9_650 * UNIT)
        .await
        .expect("borrow at 97%");
    f.set_price(USDC, 0.98).await;
    run_auction(&mut f, &borrower.obligation, 620).await;
    let liquidator = f.new_user(&[0, 0, 0, 20_000 * UNIT]).await;
    let mut rounds = 0;
    loop {
        f.refresh(&borrower.obligation).await.expect("refresh");
        if !f
            .obligation(&borrower.obligation)
            .await
            .health()
            .is_liquidatable()
        {
            break;
        }
        rounds += 1;
        assert!(rounds <= 5, "liquidations do not converge");
        let c = checked_liquidation(
            &mut f,
            &liquidator,
            &borrower.obligation,
            (USDT, USDC),
            u64::MAX,
            None,
        )
        .await;
        assert!(c.event.bonus_bps <= 200, "bonus {}", c.event.bonus_bps);
        f.next_slot().await;
    }
    assert!(rounds >= 1);
}

#[tokio::test]
async fn fail_set_reserve_emode_groups_when_the_admin_of_another_market_names_a_reserve() {
    // The attacker is the admin of his own market B, with a group configured there. He signs
    // `set_reserve_emode_groups` for market B but names market A's USDC reserve, to put it in
    // (or take it out of) groups: refused by the reserve's market check, nothing changed. The
    // same with `set_emode_group` on market A: refused by the admin check.
    let (mut f, lender, borrower) = borrower_in_group(5_000 * UNIT).await;
    let (market_b, _r, _v, _o, admin_b) = f.second_market(SOL).await;
    let market_a = f.market;
    f.market = market_b;
    let ix = set_emode_group_ix(&f, &admin_b.pubkey(), 1, stables());
    f.send(&[ix], &[&admin_b]).await.expect("group in market B");
    let ix = set_reserve_groups_ix(&f, &admin_b.pubkey(), USDC, 0);
    f.market = market_a;
    refused(
        &mut f,
        &[ix],
        &[&admin_b],
        &[&borrower, &lender],
        &[market_b],
        LendingError::InvalidMarket,
    )
    .await;
    let ix = set_emode_group_ix(&f, &admin_b.pubkey(), STABLES, tight());
    refused(
        &mut f,
        &[ix],
        &[&admin_b],
        &[&borrower, &lender],
        &[market_b],
        LendingError::Unauthorized,
    )
    .await;
}
