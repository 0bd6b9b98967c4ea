//! E-mode groups: an obligation that opts into a group of correlated reserves (here USDC and
//! USDT: LTV 92%, threshold 94%, bonus 1–2%) borrows and is liquidated under the group's
//! parameters; it may hold only members; joining, leaving or changing group needs it within
//! its borrow limit under the new parameters, so no group change (in one transaction with a
//! borrow, or against a liquidation) lets it borrow past a limit or escape liquidation.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::error::LendingError;
use lending::events::{Liquidated, ObligationGroupSet};
use lending::state::{EmodeGroup, OracleKind};
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::builders::reserve_metas;
use crate::fixture::*;
use crate::liquidation::{liquidate, liquidate_ix_with};

/// Index of the USDT-like reserve the setup lists (6 decimals, $1, Pyth pull).
const USDT: usize = 3;
/// The stablecoin group.
const STABLES: u8 = 1;
/// A second group of the same members with a lower threshold.
const STABLES_TIGHT: u8 = 2;
/// One whole token of a 6-decimal mint.
const UNIT: u64 = 1_000_000;

pub(crate) fn stables() -> EmodeGroup {
    EmodeGroup {
        loan_to_value_bps: 9_200,
        liquidation_threshold_bps: 9_400,
        min_liquidation_bonus_bps: 100,
        max_liquidation_bonus_bps: 200,
    }
}

pub(crate) fn set_emode_group_ix(
    f: &TestFixture,
    admin: &Pubkey,
    group: u8,
    params: EmodeGroup,
) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::SetEmodeGroup {
            admin: *admin,
            lending_market: f.market,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::SetEmodeGroup { group, params }.data(),
    }
}

pub(crate) fn set_reserve_groups_ix(
    f: &TestFixture,
    admin: &Pubkey,
    idx: usize,
    groups: u64,
) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::SetReserveEmodeGroups {
            admin: *admin,
            lending_market: f.market,
            reserve: f.reserves[idx].reserve,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::SetReserveEmodeGroups { groups }.data(),
    }
}

pub(crate) async fn set_group_ix(
    f: &mut TestFixture,
    owner: &Keypair,
    obligation: &Pubkey,
    group: u8,
) -> Instruction {
    let reserves = f.obligation_reserves(obligation).await;
    let mut accounts = lending::accounts::SetObligationGroup {
        owner: owner.pubkey(),
        lending_market: f.market,
        obligation: *obligation,
        event_authority: event_authority(),
        program: lending::ID,
    }
    .to_account_metas(None);
    accounts.extend(reserve_metas(&reserves));
    Instruction {
        program_id: lending::ID,
        accounts,
        data: lending::instruction::SetObligationGroup { group }.data(),
    }
}

async fn admin_send(
    f: &mut TestFixture,
    ix: Instruction,
) -> Result<(), solana_program_test::BanksClientError> {
    let admin = f.admin.insecure_clone();
    f.send(&[ix], &[&admin]).await
}

/// Refreshes every reserve and sets the user's group, in one transaction.
async fn set_group(
    f: &mut TestFixture,
    user: &TestUser,
    group: u8,
) -> Result<(), solana_program_test::BanksClientError> {
    let mut ixs = f.refresh_ixs(&user.obligation).await;
    ixs.push(set_group_ix(f, &user.keypair, &user.obligation, group).await);
    f.send(&ixs, &[&user.keypair]).await
}

/// The default market plus USDT; groups 1 (stables) and 2 (stables, threshold 90%) of USDC
/// and USDT; a lender of 100,000 USDT and 100 SOL; a borrower holding 10,000 USDC deposited
/// (no group yet) and 100 SOL in his wallet.
async fn setup() -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let mut feed_id = [0u8; 32];
    feed_id[0] = 4;
    feed_id[31] = 0xfe;
    let usdt = f
        .add_reserve(
            6,
            1.0,
            OracleKind::PythPull,
            feed_id,
            reserve_config(8_000, 8_500, 10_000),
        )
        .await;
    assert_eq!(usdt, USDT);
    let admin = f.admin.pubkey();
    let tight = EmodeGroup {
        loan_to_value_bps: 8_800,
        liquidation_threshold_bps: 9_000,
        ..stables()
    };
    for ix in [
        set_emode_group_ix(&f, &admin, STABLES, stables()),
        set_emode_group_ix(&f, &admin, STABLES_TIGHT, tight),
        set_reserve_groups_ix(&f, &admin, USDC, 0b11),
        set_reserve_groups_ix(&f, &admin, USDT, 0b11),
    ] {
        admin_send(&mut f, ix).await.expect("admin setup");
    }
    let lender = f.new_user(&[0, 100_000_000_000, 0, 100_000 * UNIT]).await;
    f.deposit(&lender, USDT, 100_000 * UNIT)
        .await
        .expect("lend USDT");
    f.deposit(&lender, SOL, 100_000_000_000)
        .await
        .expect("lend SOL");
    let borrower = f.new_user(&[10_000 * UNIT, 100_000_000_000, 0, 0]).await;
    f.deposit(&borrower, USDC, 10_000 * UNIT)
        .await
        .expect("deposit USDC");
    (f, lender, borrower)
}

/// Every account an e-mode action of `user` can write.
fn touched(f: &TestFixture, user: &TestUser) -> Vec<Pubkey> {
    let mut keys = vec![user.obligation, f.market];
    for (i, r) in f.reserves.iter().enumerate() {
        keys.extend([r.reserve, r.vault, user.tokens[i]]);
    }
    keys
}

/// An e-mode borrower of `debt` USDT against 10,000 USDC, in the stables group.
async fn borrower_in_group(debt_usdt: u64) -> (TestFixture, TestUser, TestUser) {
    let (mut f, lender, borrower) = setup().await;
    set_group(&mut f, &borrower, STABLES).await.expect("join");
    f.borrow(&borrower, USDT, debt_usdt * UNIT)
        .await
        .expect("borrow");
    (f, lender, borrower)
}

#[tokio::test]
async fn successful_emode_borrows_more_than_outside_the_group() {
    let (mut f, _lender, borrower) = setup().await;
    // Outside: 10,000 USDC × $0.999 × 80% = $7,992 of allowed borrow value.
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.borrow(&borrower, USDT, 9_000 * UNIT).await,
        LendingError::BorrowTooLarge,
    );
    assert_eq!(f.snapshot(&keys).await, before);

    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, STABLES).await);
    let events: Vec<ObligationGroupSet> =
        crate::events::simulate_events(&mut f, &ixs, &[&borrower.keypair]).await;
    assert_eq!(
        (events[0].group_before, events[0].group_after),
        (0, STABLES)
    );
    set_group(&mut f, &borrower, STABLES).await.expect("join");
    assert_eq!(
        f.obligation(&borrower.obligation).await.emode_group,
        STABLES
    );

    // In the group: $9,990 × 92% = $9,190.8; 9,000 USDT count $9,009 at the upper price.
    f.borrow(&borrower, USDT, 9_000 * UNIT)
        .await
        .expect("borrow in the group");
    f.refresh(&borrower.obligation).await.expect("refresh");
    let o = f.obligation(&borrower.obligation).await;
    let h = o.health();
    assert!(h.within_borrow_limit() && !h.is_liquidatable());
    // The cache shows the group's LTV and threshold on the USDC deposit (spot $1).
    assert_eq!(
        h.allowed_borrow_value,
        lending_math::Decimal::from_ratio(9_190_800, 1_000).unwrap()
    );
    assert_eq!(
        h.unhealthy_borrow_value,
        lending_math::Decimal::from_u64(9_400)
    );
}

#[tokio::test]
async fn fail_borrow_when_past_the_group_limit() {
    let (mut f, _lender, borrower) = borrower_in_group(9_170).await;
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    // 9,190 USDT at $1.001 = $9,199.19 > $9,190.8.
    assert_error(
        f.borrow(&borrower, USDT, 20 * UNIT).await,
        LendingError::BorrowTooLarge,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_deposit_when_reserve_is_not_in_the_obligation_group() {
    let (mut f, _lender, borrower) = setup().await;
    set_group(&mut f, &borrower, STABLES).await.expect("join");
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.deposit(&borrower, SOL, 1_000_000_000).await,
        LendingError::EmodeReserveNotInGroup,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_borrow_when_reserve_is_not_in_the_obligation_group() {
    let (mut f, _lender, borrower) = setup().await;
    set_group(&mut f, &borrower, STABLES).await.expect("join");
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.borrow(&borrower, SOL, 1_000_000_000).await,
        LendingError::EmodeReserveNotInGroup,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_set_obligation_group_when_a_position_is_not_a_member() {
    let (mut f, _lender, borrower) = setup().await;
    f.deposit(&borrower, SOL, 1_000_000_000)
        .await
        .expect("deposit SOL");
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    assert_error(
        set_group(&mut f, &borrower, STABLES).await,
        LendingError::EmodeReserveNotInGroup,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_set_obligation_group_when_group_is_not_configured() {
    let (mut f, _lender, borrower) = setup().await;
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    for group in [3u8, 17, 255] {
        assert_error(
            set_group(&mut f, &borrower, group).await,
            LendingError::EmodeGroupNotConfigured,
        );
    }
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_leave_group_when_unhealthy_under_the_reserves_parameters() {
    let (mut f, _lender, borrower) = borrower_in_group(9_000).await;
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    // Under the reserves' own LTV the $9,009 of debt is past the $7,992 limit.
    assert_error(
        set_group(&mut f, &borrower, 0).await,
        LendingError::EmodeChangeUnhealthy,
    );
    // Nor into the tighter group: $9,990 × 88% = $8,791.
    assert_error(
        set_group(&mut f, &borrower, STABLES_TIGHT).await,
        LendingError::EmodeChangeUnhealthy,
    );
    assert_eq!(f.snapshot(&keys).await, before);

    // Repaid to 7,000 USDT it is within both: it may leave.
    f.repay(&borrower, USDT, 2_000 * UNIT).await.expect("repay");
    set_group(&mut f, &borrower, STABLES_TIGHT)
        .await
        .expect("change group");
    set_group(&mut f, &borrower, 0).await.expect("leave");
    assert_eq!(f.obligation(&borrower.obligation).await.emode_group, 0);
    f.deposit(&borrower, SOL, 1_000_000_000)
        .await
        .expect("any reserve again");
}

#[tokio::test]
async fn fail_set_obligation_group_when_signed_by_another_wallet() {
    let (mut f, lender, borrower) = borrower_in_group(9_000).await;
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(set_group_ix(&mut f, &lender.keypair, &borrower.obligation, 0).await);
    assert_error(
        f.send(&ixs, &[&lender.keypair]).await,
        LendingError::InvalidObligationOwner,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn exploit_join_borrow_and_leave_in_one_transaction() {
    // The attacker joins the group, borrows to its limit and leaves in one transaction, to keep
    // a debt the reserves' own parameters would refuse. The leave values the obligation again
    // from scratch and refuses; nothing of the transaction lands.
    let (mut f, _lender, borrower) = setup().await;
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, STABLES).await);
    // The borrow adds USDT to the positions: the later instructions list it.
    ixs.push(f.borrow_ix(&borrower, USDT, 9_000 * UNIT).await);
    let mut leave = set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, 0).await;
    leave
        .accounts
        .push(anchor_lang::prelude::AccountMeta::new_readonly(
            f.reserves[USDT].reserve,
            false,
        ));
    ixs.push(leave);
    assert_error(
        f.send(&ixs, &[&borrower.keypair]).await,
        LendingError::EmodeChangeUnhealthy,
    );
    assert_eq!(f.snapshot(&keys).await, before);
    assert_eq!(f.obligation(&borrower.obligation).await.emode_group, 0);
}

#[tokio::test]
async fn successful_emode_liquidation_improves_health_with_a_bonus_within_the_group_bounds() {
    let (mut f, lender, borrower) = borrower_in_group(9_100).await;
    // USDC slips to $0.965: UBV = $9,650 × 94% = $9,071 < $9,100 of debt (LTV 94.3%, under
    // the 95% insolvency LTV: a partial liquidation). Under the reserves' own 85% it would be
    // $8,202.5.
    f.set_price(USDC, 0.965).await;
    let liquidator = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
    let ev: Liquidated = crate::liquidation::simulate_liquidation(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDT,
        USDC,
        u64::MAX,
    )
    .await;
    assert!(ev.health_factor_before_bps < 10_000);
    assert!(
        ev.health_factor_after_bps > ev.health_factor_before_bps,
        "health factor {} -> {}",
        ev.health_factor_before_bps,
        ev.health_factor_after_bps
    );
    assert!(
        (100..=200).contains(&ev.bonus_bps),
        "bonus {} outside the group's 1–2%",
        ev.bonus_bps
    );
    // The seizure is the repayment plus that bonus (within rounding of one unit each way).
    let repaid = ev.repay_value_sf;
    let seized = ev.seize_value_sf;
    assert!(seized >= repaid * (10_000 + u128::from(ev.bonus_bps)) / 10_000 - 10u128.pow(18) / 100);
    assert!(seized <= repaid * 10_200 / 10_000 + 10u128.pow(18) / 100);

    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDT,
        USDC,
        u64::MAX,
    )
    .await
    .expect("liquidate");
    f.refresh(&borrower.obligation).await.expect("refresh");
    let o = f.obligation(&borrower.obligation).await;
    assert_eq!(o.emode_group, STABLES);
    // One liquidation past the close factor, at the auction's rate, lifts it to the market's
    // target 1.05 under the group's threshold.
    let hf = lending_math::health::health_factor_bps(&o.health()).unwrap();
    assert!((10_500..10_600).contains(&hf), "health factor after {hf}");
    let _ = lender;
}

#[tokio::test]
async fn exploit_group_change_cannot_escape_liquidation() {
    // The borrower sees his obligation liquidatable under the group and races the liquidator:
    // leaving the group, or moving to another, both need the borrow limit under the new
    // parameters, which a liquidatable obligation cannot meet. A second wallet cannot move the
    // obligation at all (owner check), nor take the collateral as shares into an obligation
    // whose group excludes it. The liquidation then lands.
    let (mut f, _lender, borrower) = borrower_in_group(9_100).await;
    f.set_price(USDC, 0.965).await;
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    for group in [0u8, STABLES_TIGHT] {
        assert_error(
            set_group(&mut f, &borrower, group).await,
            LendingError::EmodeChangeUnhealthy,
        );
    }
    assert_eq!(f.snapshot(&keys).await, before);

    // A second wallet of the attacker, in the group and holding SOL collateral it cannot have,
    // cannot receive anything either: its obligation is in the group, and SOL is not a member.
    let second = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
    set_group(&mut f, &second, STABLES)
        .await
        .expect("second wallet joins");
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix_with(
            &mut f,
            &second,
            &borrower.obligation,
            (USDT, USDC),
            u64::MAX,
            0,
            Some(second.obligation),
        )
        .await,
    );
    // USDC is a member: a liquidation paid in shares to an obligation of the group works.
    f.send(&ixs, &[&second.keypair])
        .await
        .expect("liquidation paid in member shares");
    let s = f.obligation(&second.obligation).await;
    assert_eq!(s.deposits[0].reserve, f.reserves[USDC].reserve);
    let o = f.obligation(&borrower.obligation).await;
    assert_eq!(o.emode_group, STABLES);
}

#[tokio::test]
async fn fail_liquidation_paid_in_shares_when_the_receiver_group_excludes_the_collateral() {
    // A borrower outside any group with SOL collateral; the liquidator's own obligation is in
    // the stables group, so SOL shares cannot be credited to it.
    let (mut f, _lender, _b) = setup().await;
    let victim = f.new_user(&[0, 10_000_000_000, 0, 0]).await;
    f.deposit(&victim, SOL, 10_000_000_000)
        .await
        .expect("deposit SOL");
    f.borrow(&victim, USDT, 700 * UNIT).await.expect("borrow");
    f.set_price(SOL, 80.0).await;
    let liquidator = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
    set_group(&mut f, &liquidator, STABLES)
        .await
        .expect("liquidator joins");
    let mut keys = touched(&f, &victim);
    keys.extend([
        liquidator.obligation,
        liquidator.tokens[USDT],
        liquidator.tokens[SOL],
    ]);
    let before = f.snapshot(&keys).await;
    let mut ixs = f.refresh_ixs(&victim.obligation).await;
    ixs.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &victim.obligation,
            (USDT, SOL),
            u64::MAX,
            0,
            Some(liquidator.obligation),
        )
        .await,
    );
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::EmodeReserveNotInGroup,
    );
    // The refreshes of reserves and obligation in the same transaction were rolled back too.
    assert_eq!(f.snapshot(&keys).await, before);
    // Paid in tokens, the same liquidation works.
    liquidate(&mut f, &liquidator, &victim.obligation, USDT, SOL, u64::MAX)
        .await
        .expect("liquidation paid in tokens");
}

#[tokio::test]
async fn successful_group_parameter_change_applies_like_a_reserve_config_change() {
    // A group's new threshold applies at once to the obligations in it, exactly as a
    // reserve's new threshold applies at once to obligations outside any group: the same rule
    // (validation only) for both, so neither can do more to a healthy obligation.
    let (mut f, _lender, borrower) = borrower_in_group(9_000).await;
    let outside = f.new_user(&[10_000 * UNIT, 0, 0, 0]).await;
    f.deposit(&outside, USDC, 10_000 * UNIT)
        .await
        .expect("deposit");
    f.borrow(&outside, USDT, 7_900 * UNIT)
        .await
        .expect("borrow outside");
    let lower = EmodeGroup {
        loan_to_value_bps: 8_500,
        liquidation_threshold_bps: 8_900,
        ..stables()
    };
    let admin = f.admin.pubkey();
    {
        let ix = set_emode_group_ix(&f, &admin, STABLES, lower);
        admin_send(&mut f, ix)
    }
    .await
    .expect("lower the group");
    let ix = f.update_reserve_config_ix(&admin, USDC, reserve_config(7_500, 7_800, 10_000));
    admin_send(&mut f, ix).await.expect("lower the reserve");
    for user in [&borrower, &outside] {
        f.refresh(&user.obligation).await.expect("refresh");
        let h = f.obligation(&user.obligation).await.health();
        assert!(h.is_liquidatable(), "{h:?}");
    }
    assert_eq!(f.market_state().await.emode_groups[0], lower);
}

#[tokio::test]
async fn fail_set_emode_group_when_params_or_signer_are_invalid() {
    let (mut f, _lender, _borrower) = setup().await;
    let admin = f.admin.pubkey();
    let keys = [f.market];
    let before = f.snapshot(&keys).await;
    let cases = [
        (
            EmodeGroup {
                loan_to_value_bps: 9_400,
                ..stables()
            },
            LendingError::InvalidEmodeGroupLtv,
        ),
        (
            EmodeGroup {
                liquidation_threshold_bps: 9_900,
                ..stables()
            },
            LendingError::InvalidEmodeGroupLtv,
        ),
        // At the market's insolvency LTV (95%).
        (
            EmodeGroup {
                liquidation_threshold_bps: 9_500,
                ..stables()
            },
            LendingError::InvalidEmodeGroupLtv,
        ),
        (
            EmodeGroup {
                liquidation_threshold_bps: 0,
                loan_to_value_bps: 0,
                ..stables()
            },
            LendingError::InvalidEmodeGroupLtv,
        ),
        (
            EmodeGroup {
                min_liquidation_bonus_bps: 300,
                ..stables()
            },
            LendingError::InvalidEmodeGroupBonus,
        ),
        (
            EmodeGroup {
                max_liquidation_bonus_bps: 700,
                ..stables()
            },
            LendingError::InvalidEmodeGroupBonus,
        ),
    ];
    for (params, err) in cases {
        assert_error(
            {
                let ix = set_emode_group_ix(&f, &admin, STABLES, params);
                admin_send(&mut f, ix)
            }
            .await,
            err,
        );
    }
    assert_error(
        {
            let ix = set_emode_group_ix(&f, &admin, 17, stables());
            admin_send(&mut f, ix)
        }
        .await,
        LendingError::EmodeGroupNotConfigured,
    );
    let intruder = f.keypair();
    f.airdrop(&intruder.pubkey(), 1_000_000_000).await;
    let ix = set_emode_group_ix(&f, &intruder.pubkey(), STABLES, stables());
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
    let ix = set_reserve_groups_ix(&f, &intruder.pubkey(), SOL, 0b1);
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
    // A mask naming an unconfigured group, or past the 16 groups.
    let sol_before = f.snapshot(&[f.reserves[SOL].reserve]).await;
    for mask in [0b100u64, 1 << 16] {
        assert_error(
            {
                let ix = set_reserve_groups_ix(&f, &admin, SOL, mask);
                admin_send(&mut f, ix)
            }
            .await,
            LendingError::InvalidEmodeMembership,
        );
    }
    assert_eq!(f.snapshot(&[f.reserves[SOL].reserve]).await, sol_before);
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn successful_removed_member_counts_with_its_reserve_parameters() {
    // The admin removes USDC from the group while an obligation holds it: the position counts
    // with the reserve's own threshold from then on (like a reserve config change), and no new
    // deposit of it is taken.
    let (mut f, _lender, borrower) = borrower_in_group(7_000).await;
    let admin = f.admin.pubkey();
    {
        let ix = set_reserve_groups_ix(&f, &admin, USDC, 0b10);
        admin_send(&mut f, ix)
    }
    .await
    .expect("remove from group 1");
    f.refresh(&borrower.obligation).await.expect("refresh");
    let h = f.obligation(&borrower.obligation).await.health();
    assert_eq!(
        h.unhealthy_borrow_value,
        lending_math::Decimal::from_u64(8_500)
    );
    assert!(!h.is_liquidatable());
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.deposit(&borrower, USDC, UNIT).await,
        LendingError::EmodeReserveNotInGroup,
    );
    assert_eq!(f.snapshot(&keys).await, before);
    // Repayment and leaving still work.
    f.repay(&borrower, USDT, UNIT).await.expect("repay");
    set_group(&mut f, &borrower, 0).await.expect("leave");
}

#[tokio::test]
async fn fail_emode_instructions_when_the_admin_or_owner_did_not_sign() {
    let (mut f, _lender, borrower) = setup().await;
    let admin = f.admin.pubkey();
    let owner = borrower.keypair.pubkey();
    let cases = vec![
        (
            "set_emode_group",
            set_emode_group_ix(&f, &admin, STABLES, stables()),
        ),
        (
            "set_reserve_emode_groups",
            set_reserve_groups_ix(&f, &admin, SOL, 0b1),
        ),
        (
            "set_obligation_group",
            set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, STABLES).await,
        ),
    ];
    let keys = touched(&f, &borrower);
    let before = f.snapshot(&keys).await;
    for (name, mut ix) in cases {
        for meta in ix
            .accounts
            .iter_mut()
            .filter(|m| m.pubkey == admin || m.pubkey == owner)
        {
            meta.is_signer = false;
        }
        assert_eq!(
            error_code(&f.send(&[ix], &[]).await),
            Some(anchor_lang::error::ErrorCode::AccountNotSigner.into()),
            "{name}"
        );
    }
    assert_eq!(f.snapshot(&keys).await, before, "nothing changed");
}
