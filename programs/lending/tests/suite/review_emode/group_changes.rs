//! Attacks on `set_obligation_group`: the remaining accounts (order, duplicates, gaps, extras,
//! accounts that are not reserves), the signer and the market, stale reserves, collateral
//! borrowed from a flash loan for the length of a group change, and groups without members.

use lending::error::LendingError;
use solana_sdk::signature::Signer;

use super::*;
use crate::emode::set_group_ix;

/// Debt of the borrower in the group: $9,009 at the upper price, past the $7,992 the reserves'
/// own LTV allows against 10,000 USDC, within the group's $9,190.8.
const DEBT: u64 = 9_000 * UNIT;

#[tokio::test]
async fn fail_set_obligation_group_when_reserves_are_reordered_missing_duplicated_or_extra() {
    // The leave is valued from the remaining accounts: a list that leaves out the USDT debt,
    // or names USDC twice so that the debt is valued as USDC, would make the obligation look
    // healthy under the reserves' own parameters. Every variant is refused.
    let (mut f, lender, borrower) = borrower_in_group(DEBT).await;
    let (usdc, usdt, sol) = (
        f.reserves[USDC].reserve,
        f.reserves[USDT].reserve,
        f.reserves[SOL].reserve,
    );
    f.send_refreshes(&reserve_refreshes(&f)).await;
    let variants: [&[Pubkey]; 7] = [
        &[usdt, usdc],
        &[usdc],
        &[usdt],
        &[usdc, usdc],
        &[usdc, usdt, usdt],
        &[usdc, usdt, sol],
        &[],
    ];
    for reserves in variants {
        let ix = group_ix_with(&f, &borrower.keypair, &borrower.obligation, 0, reserves);
        refused(
            &mut f,
            &[ix],
            &[&borrower.keypair],
            &[&borrower, &lender],
            &[],
            LendingError::InvalidRefreshAccounts,
        )
        .await;
    }
    assert_eq!(
        f.obligation(&borrower.obligation).await.emode_group,
        STABLES
    );
}

#[tokio::test]
async fn fail_set_obligation_group_when_a_remaining_account_is_not_a_reserve() {
    // In place of the USDT reserve: the lender's obligation (another account type of the
    // program), and a byte copy of the USDT reserve owned by another program (so that the
    // attacker could have written any membership mask or price into it).
    let (mut f, lender, borrower) = borrower_in_group(DEBT).await;
    let usdc = f.reserves[USDC].reserve;
    let usdt = f.reserves[USDT].reserve;
    f.send_refreshes(&reserve_refreshes(&f)).await;
    let forged = f
        .clone_account_with_owner(&usdt, &anchor_lang::system_program::ID)
        .await;
    let cases = [
        (
            lender.obligation,
            u32::from(anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch),
        ),
        (
            forged,
            u32::from(anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram),
        ),
    ];
    for (fake, code) in cases {
        let ix = group_ix_with(
            &f,
            &borrower.keypair,
            &borrower.obligation,
            0,
            &[usdc, fake],
        );
        refused(
            &mut f,
            &[ix],
            &[&borrower.keypair],
            &[&borrower, &lender],
            &[forged],
            code,
        )
        .await;
    }
}

#[tokio::test]
async fn fail_set_obligation_group_when_a_reserve_is_stale() {
    // A slot later without a refresh, the leave would be valued on the old prices (and on
    // interest not accrued): refused. A refresh of USDC alone is not enough.
    let (mut f, lender, borrower) = borrower_in_group(7_000 * UNIT).await;
    f.next_slot().await;
    for refreshes in [vec![], vec![f.refresh_reserve_ix(USDC)]] {
        let mut ixs = refreshes;
        ixs.push(set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, 0).await);
        refused(
            &mut f,
            &ixs,
            &[&borrower.keypair],
            &[&borrower, &lender],
            &[],
            LendingError::ReserveStale,
        )
        .await;
    }
    // Refreshed, the same leave (7,007 ≤ 7,992) goes through.
    join(&mut f, &borrower, 0).await.expect("leave");
}

#[tokio::test]
async fn fail_set_obligation_group_when_signed_for_another_users_obligation() {
    // A griefer moves a victim without debt into the stables group, which would lock the
    // victim out of SOL deposits and borrows: the owner check refuses, whether the griefer
    // signs as himself or names the victim's key without its signature.
    let (mut f, lender, victim) = market().await;
    let griefer = f.new_user(&[0, 0, 0, 0]).await;
    let ix = set_group_ix(&mut f, &griefer.keypair, &victim.obligation, STABLES).await;
    refused(
        &mut f,
        &[ix],
        &[&griefer.keypair],
        &[&victim, &lender, &griefer],
        &[],
        LendingError::InvalidObligationOwner,
    )
    .await;
    let mut ix = set_group_ix(&mut f, &victim.keypair, &victim.obligation, STABLES).await;
    ix.accounts[0].is_signer = false;
    refused(
        &mut f,
        &[ix],
        &[],
        &[&victim, &lender, &griefer],
        &[],
        anchor_lang::error::ErrorCode::AccountNotSigner,
    )
    .await;
    assert_eq!(f.obligation(&victim.obligation).await.emode_group, 0);
}

#[tokio::test]
async fn fail_set_obligation_group_when_the_market_is_another_one() {
    // The attacker runs his own market B, where he is the admin and could configure any
    // group. Naming market B with an obligation of market A is refused by the obligation's
    // market check, before any group of B is read.
    let (mut f, lender, borrower) = borrower_in_group(DEBT).await;
    let (market_b, _reserve_b, _vault_b, _oracle_b, _admin_b) = f.second_market(USDC).await;
    f.send_refreshes(&reserve_refreshes(&f)).await;
    let mut ix = set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, 0).await;
    ix.accounts[1].pubkey = market_b;
    refused(
        &mut f,
        &[ix],
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[market_b],
        LendingError::InvalidMarket,
    )
    .await;
}

#[tokio::test]
async fn fail_set_obligation_group_when_a_borrow_is_not_a_member_of_the_new_group() {
    // Group 3 holds USDC only, at a higher LTV (93%). Moving there would let the USDC deposit
    // count at 93% while the USDT debt sits in a non-member: refused on membership, before
    // any valuation.
    let (mut f, lender, borrower) = borrower_in_group(DEBT).await;
    let admin = f.admin.pubkey();
    let usdc_only = lending::state::EmodeGroup {
        loan_to_value_bps: 9_300,
        liquidation_threshold_bps: 9_400,
        min_liquidation_bonus_bps: 100,
        max_liquidation_bonus_bps: 200,
    };
    for ix in [
        set_emode_group_ix(&f, &admin, 3, usdc_only),
        set_reserve_groups_ix(&f, &admin, USDC, 0b111),
    ] {
        admin_send(&mut f, ix).await.expect("admin");
    }
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, 3).await);
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::EmodeReserveNotInGroup,
    )
    .await;
}

#[tokio::test]
async fn exploit_flash_loan_collateral_to_leave_the_group_then_withdraw_it() {
    // The borrower owes 9,000 USDT, which only the group allows. He flash-borrows 5,000 USDC,
    // deposits it (15,000 USDC: $11,988 of own-LTV limit), leaves the group (allowed: the
    // obligation is within its own limit now), withdraws the 5,000 USDC and repays the loan,
    // so as to sit outside the group with a debt past the reserves' own limit. The withdrawal
    // values the obligation under the reserves' own LTV and refuses; nothing lands.
    let (mut f, lender, borrower) = borrower_in_group(DEBT).await;
    f.enable_flash_loans(USDC, 0).await;
    f.send_refreshes(&reserve_refreshes(&f)).await;
    let token = borrower.tokens[USDC];
    let extra = 5_000 * UNIT;
    let usdc = f.reserves[USDC].reserve;
    let usdt = f.reserves[USDT].reserve;
    let middle = vec![
        f.deposit_ix(&borrower, USDC, extra),
        group_ix_with(
            &f,
            &borrower.keypair,
            &borrower.obligation,
            0,
            &[usdc, usdt],
        ),
        f.withdraw_ix(&borrower, USDC, extra).await,
    ];
    let ixs = f.flash_loan_ixs(&borrower.keypair, &token, USDC, extra, middle);
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::WithdrawTooLarge,
    )
    .await;
    // Without the withdrawal the loan cannot be repaid (the tokens are deposited): the
    // transaction fails in the token program, and again nothing lands.
    let middle = vec![
        f.deposit_ix(&borrower, USDC, extra),
        group_ix_with(
            &f,
            &borrower.keypair,
            &borrower.obligation,
            0,
            &[usdc, usdt],
        ),
    ];
    let ixs = f.flash_loan_ixs(&borrower.keypair, &token, USDC, extra, middle);
    let keys = watched(&f, &[&borrower, &lender], &[]);
    let before = f.snapshot(&keys).await;
    assert!(f.send(&ixs, &[&borrower.keypair]).await.is_err());
    assert_eq!(f.snapshot(&keys).await, before);
    assert_eq!(
        f.obligation(&borrower.obligation).await.emode_group,
        STABLES
    );
}

#[tokio::test]
async fn exploit_switch_between_groups_in_one_transaction_to_borrow_past_both_limits() {
    // Borrow at the stables group's limit, switch to the tight group in the same transaction
    // (which would allow more debt elsewhere), and back: the switch to the tight group values
    // the debt under its 88% LTV and refuses.
    let (mut f, lender, borrower) = market().await;
    join(&mut f, &borrower, STABLES).await.expect("join");
    f.send_refreshes(&reserve_refreshes(&f)).await;
    let usdc = f.reserves[USDC].reserve;
    let usdt = f.reserves[USDT].reserve;
    let ixs = vec![
        f.borrow_ix(&borrower, USDT, 9_100 * UNIT).await,
        group_ix_with(
            &f,
            &borrower.keypair,
            &borrower.obligation,
            TIGHT,
            &[usdc, usdt],
        ),
        group_ix_with(
            &f,
            &borrower.keypair,
            &borrower.obligation,
            STABLES,
            &[usdc, usdt],
        ),
    ];
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::EmodeChangeUnhealthy,
    )
    .await;
}

#[tokio::test]
async fn successful_group_without_members_takes_an_empty_obligation_and_nothing_else() {
    // Group 16 (the last id) configured with no member. An obligation with positions cannot
    // join it; an empty one can, and can then deposit into and borrow from no reserve at all
    // (no id 0 / "any reserve" fallback), until it leaves.
    let (mut f, lender, borrower) = market().await;
    let admin = f.admin.pubkey();
    let ix = set_emode_group_ix(&f, &admin, 16, stables());
    admin_send(&mut f, ix).await.expect("group 16");
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, 16).await);
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::EmodeReserveNotInGroup,
    )
    .await;

    let fresh = f.new_user(&[1_000 * UNIT, SOL_UNIT, 0, 0]).await;
    join(&mut f, &fresh, 16)
        .await
        .expect("empty obligation joins");
    assert_eq!(f.obligation(&fresh.obligation).await.emode_group, 16);
    for idx in [USDC, SOL, USDT] {
        let ix = f.deposit_ix(&fresh, idx, 1);
        refused(
            &mut f,
            &[ix],
            &[&fresh.keypair],
            &[&fresh, &lender],
            &[],
            LendingError::EmodeReserveNotInGroup,
        )
        .await;
    }
    join(&mut f, &fresh, 0).await.expect("leave");
    f.deposit(&fresh, SOL, SOL_UNIT).await.expect("any reserve");
}

#[tokio::test]
async fn successful_leave_without_debt_needs_no_price_and_keeps_no_group_parameters() {
    // Without debt the change reads no price (an oracle outage does not trap a depositor in a
    // group); once out, a borrow is valued with the reserves' own LTV, not with any cached
    // value of the group.
    let (mut f, lender, borrower) = market().await;
    join(&mut f, &borrower, STABLES).await.expect("join");
    f.refresh(&borrower.obligation).await.expect("refresh");
    f.advance_time_without_prices(120).await;
    let ix = set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, 0).await;
    f.send(&[ix], &[&borrower.keypair])
        .await
        .expect("leave without prices");
    f.advance_time(1).await;
    let ix = f.borrow_ix(&borrower, USDT, 8_000 * UNIT).await;
    let mut ixs = reserve_refreshes(&f);
    ixs.push(ix);
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::BorrowTooLarge,
    )
    .await;
    f.borrow(&borrower, USDT, 7_900 * UNIT)
        .await
        .expect("within the own LTV");
}

#[tokio::test]
async fn fail_set_obligation_group_when_an_oracle_of_the_obligation_fails() {
    // USDC's feed stops (its last price is two minutes old) and its failure is on record: the
    // leave is a risk decision and takes only reserves priced in this slot, so the failure
    // report (which liquidations accept) does not let the borrower leave on a last price.
    let (mut f, lender, borrower) = borrower_in_group(7_000 * UNIT).await;
    f.advance_time_without_prices(120).await;
    f.set_price(USDT, 1.0).await;
    let mut ixs = vec![f.report_oracle_failure_ix(USDC), f.refresh_reserve_ix(USDT)];
    ixs.push(set_group_ix(&mut f, &borrower.keypair, &borrower.obligation, 0).await);
    refused(
        &mut f,
        &ixs,
        &[&borrower.keypair],
        &[&borrower, &lender],
        &[],
        LendingError::ReserveStale,
    )
    .await;
}

#[tokio::test]
async fn fail_cached_valuation_when_a_group_change_without_debt_leaves_it_marked_fresh() {
    // `last_refresh_slot` is documented as "0 after any change to positions", and every
    // position change marks the obligation stale. A group change changes the LTV and
    // threshold every position counts with, but without debt `set_obligation_group` neither
    // revalues nor marks stale: right after "refresh + join" in one transaction, the cache
    // shows the reserves' own $7,992 of borrow limit, stamped with this slot, for an
    // obligation whose limit is now the group's $9,190.8. An integrator that trusts a cache of
    // this slot (the field's stated purpose) reads the wrong limit. The correct behaviour:
    // the cache is revalued under the new group, or `last_refresh_slot` is 0.
    let (mut f, _lender, borrower) = market().await;
    join(&mut f, &borrower, STABLES).await.expect("join");
    let slot = f.slot().await;
    let cached = f.obligation(&borrower.obligation).await;
    f.refresh(&borrower.obligation).await.expect("refresh");
    let fresh = f.obligation(&borrower.obligation).await;
    assert_eq!(cached.emode_group, STABLES);
    assert!(
        cached.last_refresh_slot != slot
            || cached.health().allowed_borrow_value == fresh.health().allowed_borrow_value,
        "cache stamped slot {slot} shows {:?} of borrow limit; valued now: {:?}",
        cached.health().allowed_borrow_value,
        fresh.health().allowed_borrow_value
    );
}

#[tokio::test]
async fn successful_liquidatable_obligation_outside_groups_may_join_a_group_it_is_within() {
    // Outside any group, 7,900 USDT against 10,000 USDC, once the admin lowers USDC's own
    // threshold to 75%, is liquidatable ($7,900 > $7,500). Its owner may still join the stables group, under which it is within the borrow limit
    // ($9,190.8): the rule is the new group's limit (Aave v3's `setUserEMode` asks the same),
    // so a liquidatable obligation can be moved out of reach of liquidators by its owner, never
    // into an unhealthy state. The liquidator's attempt after the join finds it healthy.
    let (mut f, _lender, borrower) = market().await;
    f.borrow(&borrower, USDT, 7_900 * UNIT)
        .await
        .expect("borrow");
    let admin = f.admin.pubkey();
    // A lower own threshold makes it liquidatable outside the group.
    let ix = f.update_reserve_config_ix(&admin, USDC, reserve_config(7_000, 7_500, 10_000));
    admin_send(&mut f, ix).await.expect("lower USDC");
    f.refresh(&borrower.obligation).await.expect("refresh");
    assert!(f
        .obligation(&borrower.obligation)
        .await
        .health()
        .is_liquidatable());
    join(&mut f, &borrower, STABLES).await.expect("join");
    f.refresh(&borrower.obligation).await.expect("refresh");
    let h = f.obligation(&borrower.obligation).await.health();
    assert!(h.within_borrow_limit() && !h.is_liquidatable());
    let liquidator = f.new_user(&[0, 0, 0, 10_000 * UNIT]).await;
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
