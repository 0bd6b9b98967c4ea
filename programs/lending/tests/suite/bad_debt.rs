//! A 60% crash in one step: liquidations never revert for lack of collateral; the bad debt
//! left is covered by the insurance fund, then socialized; the accounting identities hold.

use lending::error::LendingError;
use lending_math::shares::share_value;
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

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
    assert_eq!((e.bonus_bps, e.bonus_source), (0, 3), "insolvent: no bonus");
    assert!(e.full_liquidation);
    let before = f.reserve(USDC).await;
    let value_before =
        share_value(before.total_supply_assets().unwrap(), before.share_supply).unwrap();
    let mut ixs = f.refresh_ixs(&y.obligation).await;
    ixs.push(
        crate::liquidation::liquidate_ix(
            &mut f,
            &liquidator,
            &y.obligation,
            USDC,
            SOL,
            u64::MAX,
            0,
        )
        .await,
    );
    let mut w: Vec<lending::events::BadDebtSocialized> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    let w = w.remove(0);
    liquidate(&mut f, &liquidator, &y.obligation, USDC, SOL, u64::MAX)
        .await
        .expect("never reverts");
    // The liquidation that took the last collateral wrote the rest of the debt off at once:
    // no window in which depositors could leave at a share value that still counts it.
    let o = f.obligation(&y.obligation).await;
    assert_eq!(o.active_deposits().count(), 0, "all collateral seized");
    assert!(
        !o.has_debt(),
        "the rest of the debt is written off in the same instruction"
    );
    let obligations = [
        lender.obligation,
        x.obligation,
        y.obligation,
        liquidator.obligation,
    ];
    assert_identities(&mut f, &obligations).await;
    let after = f.reserve(USDC).await;
    assert_eq!(after.insurance_amount, 0, "insurance used first");
    assert_eq!(w.covered_by_insurance, insurance);
    let value_after =
        share_value(after.total_supply_assets().unwrap(), after.share_supply).unwrap();
    assert!(
        value_after < value_before,
        "the rest lowers the share value"
    );
    // Depositors lose the debt left after the $400 repayment, less the insurance, less the
    // fees that had been credited on its unpaid interest.
    let loss = before
        .total_supply_assets()
        .unwrap()
        .try_sub(after.total_supply_assets().unwrap())
        .unwrap();
    let debt_left = Decimal::from_scaled_val(w.debt_sf);
    let expected = debt_left
        .try_sub(Decimal::from_u64(insurance))
        .unwrap()
        .try_sub(Decimal::from_scaled_val(w.fees_reversed_sf))
        .unwrap();
    assert_eq!(loss, expected);
    assert!(
        debt_left > Decimal::from_u64(290_000_000),
        "about $300 left"
    );
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

/// Funds reserve `idx`'s insurance with `amount`, as earlier liquidation fees would have (the
/// tokens go into the vault); returns the reserve after.
async fn fund_insurance(f: &mut TestFixture, idx: usize, amount: u64) -> lending::state::Reserve {
    let mut r = f.reserve(idx).await;
    r.insurance_amount += amount;
    let key = f.reserves[idx].reserve;
    let mut data = f.data(&key).await;
    data[8..8 + std::mem::size_of::<lending::state::Reserve>()]
        .copy_from_slice(bytemuck::bytes_of(&r));
    f.set_account(&key, &crate::pyth::account(data, lending::ID));
    let (vault, mint) = (f.reserves[idx].vault, f.reserves[idx].mint);
    f.mint_to(&mint, &vault, amount).await;
    r
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
    let r2 = fund_insurance(&mut f, USDC, 20_000_000).await;
    let value_before = share_value(r2.total_supply_assets().unwrap(), r2.share_supply).unwrap();
    // $60 of SOL for $70 of debt: the liquidation takes it all and writes off the ~$10 left.
    let mut ixs = f.refresh_ixs(&y.obligation).await;
    ixs.push(
        crate::liquidation::liquidate_ix(
            &mut f,
            &liquidator,
            &y.obligation,
            USDC,
            SOL,
            u64::MAX,
            0,
        )
        .await,
    );
    let mut w: Vec<lending::events::BadDebtSocialized> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    let debt = Decimal::from_scaled_val(w.remove(0).debt_sf);
    liquidate(&mut f, &liquidator, &y.obligation, USDC, SOL, u64::MAX)
        .await
        .expect("liquidate, and write off the rest");
    let o = f.obligation(&y.obligation).await;
    assert_eq!(o.active_deposits().count(), 0);
    assert!(!o.has_debt());
    let after = f.reserve(USDC).await;
    assert_eq!(
        after.insurance_amount,
        20_000_000 - debt.try_ceil_u64().unwrap()
    );
    let value_after =
        share_value(after.total_supply_assets().unwrap(), after.share_supply).unwrap();
    assert!(value_after >= value_before, "depositors lose nothing");
}

/// A 50% reserve factor on USDC; `y` borrowed 70 USDC against 1 SOL four years ago, and SOL is
/// now at $50 (the obligation refreshed); a funded liquidator. Returns (fixture, liquidator, y).
async fn four_years_of_interest() -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let admin = f.admin.insecure_clone();
    let mut cfg = reserve_config(8_000, 8_500, 10_000);
    cfg.reserve_factor_bps = 5_000;
    let ix = f.update_reserve_config_ix(&admin.pubkey(), USDC, cfg);
    f.send(&[ix], &[&admin]).await.expect("50% reserve factor");
    let lender = f.new_user(&[200_000_000, 0, 0]).await;
    f.deposit(&lender, USDC, 100_000_000).await.expect("lend");
    let liquidator = f.new_user(&[500_000_000, 0, 0]).await;
    let y = f.new_user(&[0, 1_000_000_000, 0]).await;
    f.deposit(&y, SOL, 1_000_000_000).await.expect("1 SOL");
    f.borrow(&y, USDC, 70_000_000).await.expect("70 USDC");
    f.advance_time(4 * 365 * 86_400).await;
    f.set_price(SOL, 50.0).await;
    f.refresh(&y.obligation).await.expect("accrue");
    (f, liquidator, y)
}

/// Audit finding 10 (fees on interest that became bad debt): with a 50% reserve factor, four
/// years of interest on a 70 USDC loan are credited half to the protocol. The collateral then
/// covers only part of the debt: the write-off takes back the protocol's half of the interest
/// that was never paid, so the admin can collect fees only on interest that was paid.
#[tokio::test]
async fn exploit_fees_on_interest_written_off_are_taken_back() {
    let (mut f, liquidator, y) = four_years_of_interest().await;
    let o = f.obligation(&y.obligation).await;
    let r0 = f.reserve(USDC).await;
    let debt0 = o.borrows[0]
        .normalized_debt_sf
        .get()
        .try_mul(r0.borrow_index_sf.get())
        .unwrap();
    assert_eq!(o.borrows[0].principal, 70_000_000);
    let interest = debt0.try_sub(Decimal::from_u64(70_000_000)).unwrap();
    assert!(
        interest > Decimal::from_u64(20_000_000),
        "years of interest: {interest}"
    );
    let fees0 = r0.protocol_fees_sf.get();

    let mut ixs = f.refresh_ixs(&y.obligation).await;
    ixs.push(
        crate::liquidation::liquidate_ix(
            &mut f,
            &liquidator,
            &y.obligation,
            USDC,
            SOL,
            u64::MAX,
            0,
        )
        .await,
    );
    let mut liq: Vec<lending::events::Liquidated> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    let mut w: Vec<lending::events::BadDebtSocialized> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    let (liq, w) = (liq.remove(0), w.remove(0));
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate and write off");
    // Repayments pay principal and interest pro rata: the rest of the debt carries the same
    // share of interest, and the protocol gives back half of it.
    let left = Decimal::from_scaled_val(w.debt_sf);
    let repaid_share = Decimal::from_u64(liq.repay_amount).try_div(debt0).unwrap();
    let unpaid_interest = interest
        .try_mul(Decimal::one().try_sub(repaid_share).unwrap())
        .unwrap();
    let reversed = Decimal::from_scaled_val(w.fees_reversed_sf);
    let expected = unpaid_interest.try_mul(Decimal::from_percent(50)).unwrap();
    let diff = if reversed > expected {
        reversed.try_sub(expected).unwrap()
    } else {
        expected.try_sub(reversed).unwrap()
    };
    assert!(diff <= Decimal::one(), "reversed {reversed} vs {expected}");
    assert!(left > unpaid_interest);
    let r1 = f.reserve(USDC).await;
    assert_eq!(r1.protocol_fees_sf.get(), fees0.try_sub(reversed).unwrap());
    // What the admin can still collect is the protocol's half of the interest that was paid.
    let paid_interest_fees = interest
        .try_mul(repaid_share)
        .unwrap()
        .try_mul(Decimal::from_percent(50))
        .unwrap();
    assert!(r1.protocol_fees_sf.get() <= paid_interest_fees.try_add(Decimal::from_u64(2)).unwrap());
}

/// The same four years of interest at a 50% reserve factor, but an insurance fund large enough
/// for the whole write-off: the fund pays the interest, so the protocol's fees on it stand, and
/// depositors (who lose nothing) gain nothing from the write-off either.
#[tokio::test]
async fn exploit_insured_write_off_takes_back_fees_on_interest_the_fund_paid() {
    let (mut f, liquidator, y) = four_years_of_interest().await;
    fund_insurance(&mut f, USDC, 200_000_000).await;
    let before = f.reserve(USDC).await;
    let mut ixs = f.refresh_ixs(&y.obligation).await;
    ixs.push(
        crate::liquidation::liquidate_ix(
            &mut f,
            &liquidator,
            &y.obligation,
            USDC,
            SOL,
            u64::MAX,
            0,
        )
        .await,
    );
    let mut w: Vec<lending::events::BadDebtSocialized> =
        crate::events::simulate_events(&mut f, &ixs, &[&liquidator.keypair]).await;
    let w = w.remove(0);
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate and write off");
    assert!(Decimal::from_scaled_val(w.debt_sf) > Decimal::from_u64(40_000_000));
    assert_eq!(w.socialized_sf, 0, "the fund covers it all");
    assert_eq!(w.fees_reversed_sf, 0, "the interest was paid, by the fund");
    let after = f.reserve(USDC).await;
    assert!(after.protocol_fees_sf.get() >= before.protocol_fees_sf.get());
    let value = |r: &lending::state::Reserve| {
        share_value(r.total_supply_assets().unwrap(), r.share_supply).unwrap()
    };
    // Only the insurance's round-up of the debt to a whole unit reaches depositors.
    let one_unit_per_share = Decimal::one().try_div_u64(after.share_supply).unwrap();
    assert!(value(&after) >= value(&before));
    assert!(
        value(&after).try_sub(value(&before)).unwrap() <= one_unit_per_share,
        "share value {} -> {}",
        value(&before),
        value(&after)
    );
}

/// A victim with 10 SOL of collateral borrowing 400 USDC and 400 VOL; SOL then falls to $35
/// (DV $350 against BV $600). An honest lender and the attacker each lent 10,000 VOL.
async fn two_debts_against_one_collateral() -> (TestFixture, TestUser, TestUser, TestUser) {
    let mut f = TestFixture::new().await;
    let honest = f.new_user(&[10_000_000_000, 0, 10_000_000_000]).await;
    f.deposit(&honest, USDC, 10_000_000_000)
        .await
        .expect("usdc");
    f.deposit(&honest, VOL, 10_000_000_000).await.expect("vol");
    let attacker = f.new_user(&[1_000_000_000, 0, 10_000_000_000]).await;
    f.deposit(&attacker, VOL, 10_000_000_000)
        .await
        .expect("attacker vol");
    let victim = f.new_user(&[0, 10_000_000_000, 0]).await;
    f.deposit(&victim, SOL, 10_000_000_000)
        .await
        .expect("10 SOL");
    f.borrow(&victim, USDC, 400_000_000)
        .await
        .expect("400 USDC");
    f.borrow(&victim, VOL, 400_000_000).await.expect("400 VOL");
    f.advance_time(1).await;
    f.set_price(SOL, 35.0).await;
    (f, honest, attacker, victim)
}

/// Audit finding 10, second part (an independent review found it still open for the other
/// reserves): the liquidation that takes the last collateral wrote off only the repaid
/// reserve's rest. The liquidator took all the SOL through the USDC debt and, in the same
/// transaction, withdrew his VOL at a share value that still counted the 400 VOL debt, leaving
/// the whole loss to the honest lender. The liquidation now writes off the VOL debt too, so the
/// withdrawal that follows it already bears its share of the loss.
#[tokio::test]
async fn exploit_liquidator_exits_before_the_other_debts_are_written_off() {
    let (mut f, honest, attacker, victim) = two_debts_against_one_collateral().await;
    let o = victim.obligation;
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(crate::liquidation::liquidate_ix(&mut f, &attacker, &o, USDC, SOL, u64::MAX, 0).await);
    ixs.push(f.withdraw_ix(&attacker, VOL, u64::MAX).await);
    f.send(&ixs, &[&attacker.keypair])
        .await
        .expect("liquidate, then exit");
    assert!(
        !f.obligation(&o).await.has_debt(),
        "every debt written off in the liquidation"
    );
    let got = f.balance(&attacker.tokens[VOL]).await;
    assert!(got < 10_000_000_000, "the exit bears the loss: {got}");
    // The honest lender's shares are worth what the attacker's were: the loss is shared pro rata.
    let r = f.reserve(VOL).await;
    let value =
        share_value(r.total_supply_assets().expect("assets"), r.share_supply).expect("value");
    let honest_shares = f.obligation(&honest.obligation).await.deposits[1].shares;
    let honest_worth = value
        .try_mul_u64(honest_shares)
        .expect("worth")
        .try_floor_u64()
        .expect("u64");
    assert!(
        honest_worth.abs_diff(got) <= 2,
        "honest {honest_worth} vs attacker {got}"
    );
}

#[tokio::test]
async fn fail_liquidate_taking_the_last_collateral_when_another_debt_reserve_is_read_only() {
    let (mut f, _honest, attacker, victim) = two_debts_against_one_collateral().await;
    let o = victim.obligation;
    // Refreshed in an earlier transaction of the slot: in the same one the refresh would make
    // the VOL reserve writable for the whole transaction.
    f.refresh(&o).await.expect("refresh");
    let mut ixs = Vec::new();
    let mut ix =
        crate::liquidation::liquidate_ix(&mut f, &attacker, &o, USDC, SOL, u64::MAX, 0).await;
    let vol = f.reserves[VOL].reserve;
    for m in ix.accounts.iter_mut().rev() {
        if m.pubkey == vol {
            m.is_writable = false;
            break;
        }
    }
    ixs.push(ix);
    let keys = [o, f.reserves[VOL].reserve, f.reserves[SOL].reserve];
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&ixs, &[&attacker.keypair]).await,
        LendingError::WriteOffReserveNotWritable,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}

/// Soak seed 40124: years of interest at full utilization took a debt past `u64::MAX` base
/// units, and sizing its repayment in whole units overflowed (`MathOverflow`): neither a
/// liquidation nor a repayment could ever touch the obligation again. Now the collateral caps
/// the repayment as usual, the whole deposit is seized for its worth, and the debt left is
/// written off in the same instruction; a repayment pays a part of such a debt.
#[tokio::test]
async fn exploit_debt_grown_past_u64_base_units_blocks_liquidation() {
    // The borrow index ×2e11: the 100 USDC debt becomes 2e19 base units, past u64::MAX.
    repay_and_liquidate_a_debt_grown_by(200_000_000_000).await;
}

/// Found by an attack review: past about 3.4e20 base units a debt no longer fits an event's
/// u128 figure, and reporting it (`Repaid::remaining_debt_sf`, `BadDebtSocialized::debt_sf`)
/// failed the repayment and the write-off with `MathOverflow`. The events now saturate.
#[tokio::test]
async fn exploit_debt_past_u128_scaled_figures_blocks_repay_and_write_off() {
    // ×4e12: 4e20 base units.
    repay_and_liquidate_a_debt_grown_by(4_000_000_000_000).await;
}

/// A 100 USDC debt whose borrow index is multiplied by `factor`; the owner repays what his
/// wallet holds (a part), then a liquidator takes the whole deposit and the rest is written off.
async fn repay_and_liquidate_a_debt_grown_by(factor: u64) {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    let key = f.reserves[USDC].reserve;
    let mut acc = f
        .ctx
        .banks_client
        .get_account(key)
        .await
        .expect("rpc")
        .expect("reserve");
    let mut r: lending::state::Reserve = decode(&acc.data);
    let grown = r.borrow_index_sf.get().try_mul_u64(factor).unwrap();
    r.borrow_index_sf.set(grown).unwrap();
    let size = std::mem::size_of::<lending::state::Reserve>();
    acc.data[8..8 + size].copy_from_slice(bytemuck::bytes_of(&r));
    f.set_account(&key, &acc.into());
    f.advance_time(1).await;
    let o = borrower.obligation;
    let debt = f.obligation(&o).await.borrows[0]
        .normalized_debt_sf
        .get()
        .try_mul(f.reserve(USDC).await.borrow_index_sf.get())
        .unwrap();
    assert!(debt > Decimal::from_u64(u64::MAX));

    // The owner repays what his wallet holds: a part, `⌊paid ÷ index⌋` normalized.
    let owner_usdc = f.balance(&borrower.tokens[USDC]).await;
    let held = f.obligation(&o).await.borrows[0].normalized_debt_sf.get();
    f.repay(&borrower, USDC, owner_usdc)
        .await
        .expect("a repayment of a debt past u64 pays a part");
    assert_eq!(f.balance(&borrower.tokens[USDC]).await, 0);
    let index = f.reserve(USDC).await.borrow_index_sf.get();
    let left = f.obligation(&o).await.borrows[0].normalized_debt_sf.get();
    let removed = Decimal::from_u64(owner_usdc).try_div(index).unwrap();
    assert_eq!(left, held.try_sub(removed).unwrap());

    // A liquidator takes the whole deposit for its worth; the rest is written off at once.
    let liquidator = f.new_user(&[10_000_000_000, 0, 0]).await;
    let mut ixs = f.refresh_ixs(&o).await;
    ixs.push(
        crate::liquidation::liquidate_ix(&mut f, &liquidator, &o, USDC, SOL, u64::MAX, 0).await,
    );
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("a liquidation of a debt past u64 base units");
    let after = f.obligation(&o).await;
    assert!(
        after.active_deposits().next().is_none(),
        "the collateral was seized"
    );
    assert!(
        !after.has_debt(),
        "the rest was written off in the same instruction"
    );
    // 10 SOL at $100 at the insolvent bonus of 0: $1,000 of USDC paid, rounded up.
    assert_eq!(
        10_000_000_000 - f.balance(&liquidator.tokens[USDC]).await,
        1_000_000_000
    );
    assert_eq!(f.balance(&liquidator.tokens[SOL]).await, 10_000_000_000);
}
