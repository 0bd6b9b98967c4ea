//! Liquidations and user actions inside a flash loan, and the differentials: the same action
//! with and without a fee-0 loan must leave every account byte-identical.

use super::*;

// ----- liquidation inside a flash loan -------------------------------------------------------

/// USDC lender (10k), SOL lender (10 SOL), borrower (10 SOL, 700 USDC debt), a liquidator with
/// 1,000 USDC and nothing else; SOL then at `sol_price`; flash loans on both at `fee_bps`.
async fn unhealthy(seed: u64, fee_bps: u16, sol_price: f64) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::with_key_seed(seed).await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let sol_lender = f.new_user(&[0, 20_000_000_000, 0]).await;
    f.deposit(&sol_lender, SOL, 10_000_000_000)
        .await
        .expect("sol lender");
    f.borrow(&borrower, USDC, 700_000_000)
        .await
        .expect("borrow");
    f.enable_flash_loans(USDC, fee_bps).await;
    f.enable_flash_loans(SOL, fee_bps).await;
    let liquidator = f.new_user(&[1_000_000_000, 0, 0]).await;
    f.set_price(SOL, sol_price).await;
    (f, borrower, liquidator)
}

#[tokio::test]
async fn successful_flash_liquidation_repays_at_most_and_keeps_reserves_whole() {
    let (mut f, borrower, liquidator) = unhealthy(7, 30, 80.0).await;
    f.set_outflow_limit(USDC, 1, 60).await;
    f.set_outflow_limit(SOL, 1, 60).await;
    let debt_before = f.obligation(&borrower.obligation).await.borrows[0]
        .normalized_debt_sf
        .get();
    let usdc_value = share_value(&f.reserve(USDC).await);
    let sol_value = share_value(&f.reserve(SOL).await);
    let loan = 5_000_000_000; // far more than any liquidation may repay
    let mut middle = f.refresh_ixs(&borrower.obligation).await;
    middle.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &borrower.obligation,
            (USDC, SOL),
            u64::MAX,
            0,
            None,
        )
        .await,
    );
    let ixs = f.flash_loan_ixs(
        &liquidator.keypair,
        &liquidator.tokens[USDC],
        USDC,
        loan,
        middle,
    );
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("flash liquidation");
    let o = f.obligation(&borrower.obligation).await;
    assert!(o.borrows[0].normalized_debt_sf.get() < debt_before);
    assert!(f.balance(&liquidator.tokens[SOL]).await > 0);
    assert!(share_value(&f.reserve(USDC).await) >= usdc_value);
    assert!(share_value(&f.reserve(SOL).await) >= sol_value);
    assert_whole(&mut f, USDC).await;
    assert_whole(&mut f, SOL).await;
}

#[tokio::test]
async fn fail_seize_in_tokens_of_flash_lent_collateral() {
    let (mut f, borrower, liquidator) = unhealthy(8, 30, 80.0).await;
    let all = f.reserve(SOL).await.available_amount;
    let mut middle = f.refresh_ixs(&borrower.obligation).await;
    middle.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &borrower.obligation,
            (USDC, SOL),
            u64::MAX,
            0,
            None,
        )
        .await,
    );
    let ixs = f.flash_loan_ixs(
        &liquidator.keypair,
        &liquidator.tokens[SOL],
        SOL,
        all,
        middle,
    );
    refused(
        &mut f,
        &liquidator,
        &ixs,
        Some(LendingError::InsufficientLiquidity.into()),
    )
    .await;
}

// ----- differentials: a fee-0 flash loan around an action changes nothing --------------------

/// Accounts compared by the differentials.
fn compared(f: &TestFixture, borrower: &TestUser, liquidator: &TestUser) -> Vec<Pubkey> {
    watched(f, &[borrower, liquidator], &[])
}

/// Field-level differences of two reserves (for the failure message).
fn reserve_diff(a: &Reserve, b: &Reserve) -> String {
    format!(
        "available {} vs {}, insurance {} vs {}, protocol_fees_sf {:?} vs {:?}, share_supply {} vs {}, share value {:?} vs {:?}",
        a.available_amount,
        b.available_amount,
        a.insurance_amount,
        b.insurance_amount,
        a.protocol_fees_sf.get(),
        b.protocol_fees_sf.get(),
        a.share_supply,
        b.share_supply,
        share_value(a),
        share_value(b),
    )
}

/// Runs the liquidation on two identical markets, the second inside a fee-0 flash loan of
/// all of reserve `lent`'s liquidity (or `part` of it); compares every account after.
async fn liquidation_differential(
    seed: u64,
    sol_price: f64,
    lent: usize,
    receiver: bool,
    part: Option<u64>,
) {
    let mut states = Vec::new();
    let mut reserves = Vec::new();
    for wrapped in [false, true] {
        let (mut f, borrower, liquidator) = unhealthy(seed, 0, sol_price).await;
        let recv = receiver.then_some(liquidator.obligation);
        let mut ixs = f.refresh_ixs(&borrower.obligation).await;
        ixs.push(
            liquidate_ix_with(
                &mut f,
                &liquidator,
                &borrower.obligation,
                (USDC, SOL),
                u64::MAX,
                0,
                recv,
            )
            .await,
        );
        if wrapped {
            let amount = part.unwrap_or(f.reserve(lent).await.available_amount);
            ixs = f.flash_loan_ixs(
                &liquidator.keypair,
                &liquidator.tokens[lent],
                lent,
                amount,
                ixs,
            );
        }
        f.send(&ixs, &[&liquidator.keypair])
            .await
            .expect("liquidation");
        assert_whole(&mut f, USDC).await;
        assert_whole(&mut f, SOL).await;
        let keys = compared(&f, &borrower, &liquidator);
        states.push(f.snapshot(&keys).await);
        reserves.push((f.reserve(USDC).await, f.reserve(SOL).await));
    }
    assert!(
        states[0] == states[1],
        "a fee-0 flash loan of reserve {lent} changed the liquidation's outcome:\n USDC: {}\n SOL: {}",
        reserve_diff(&reserves[0].0, &reserves[1].0),
        reserve_diff(&reserves[0].1, &reserves[1].1),
    );
}

#[tokio::test]
async fn successful_differential_liquidation_in_tokens_inside_a_loan_of_the_debt_reserve() {
    liquidation_differential(11, 80.0, USDC, false, None).await;
}

#[tokio::test]
async fn successful_differential_liquidation_in_shares_inside_a_loan_of_the_debt_reserve() {
    liquidation_differential(12, 80.0, USDC, true, None).await;
}

/// Found by this review: with the collateral reserve's free liquidity lent out, a liquidation
/// paid in shares found `protocol_fee_amount > available_amount` and booked the protocol's fee
/// as `protocol_fees_sf` instead of moving it to `insurance_amount`; any liquidator could keep
/// the fee from the insurance fund with a fee-0 flash loan. Now refused
/// (`LiquidationFeeInFlashLoan`), changing nothing; without the loan the fee reaches insurance.
#[tokio::test]
async fn fail_liquidation_in_shares_when_the_collateral_liquidity_is_out_in_a_flash_loan() {
    let (mut f, borrower, liquidator) = unhealthy(13, 0, 80.0).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix_with(
            &mut f,
            &liquidator,
            &borrower.obligation,
            (USDC, SOL),
            u64::MAX,
            0,
            Some(liquidator.obligation),
        )
        .await,
    );
    let all = f.reserve(SOL).await.available_amount;
    let wrapped = f.flash_loan_ixs(
        &liquidator.keypair,
        &liquidator.tokens[SOL],
        SOL,
        all,
        ixs.clone(),
    );
    let keys = compared(&f, &borrower, &liquidator);
    let before = f.snapshot(&keys).await;
    assert_error(
        f.send(&wrapped, &[&liquidator.keypair]).await,
        LendingError::LiquidationFeeInFlashLoan,
    );
    assert!(
        f.snapshot(&keys).await == before,
        "a refused liquidation changed an account"
    );
    let insurance = f.reserve(SOL).await.insurance_amount;
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("the same liquidation without the loan");
    assert!(f.reserve(SOL).await.insurance_amount > insurance);
}

#[tokio::test]
async fn successful_differential_write_off_inside_a_loan_of_the_debt_reserve() {
    // SOL at $50: 10 SOL ($500) behind $700 of debt; the liquidation takes the last collateral
    // and writes the rest off in USDC while USDC's liquidity is lent out.
    liquidation_differential(14, 50.0, USDC, true, None).await;
}

#[tokio::test]
async fn successful_differential_write_off_in_tokens_inside_a_loan_of_the_collateral_reserve() {
    // Half of SOL's free liquidity lent: enough left for the seizure in tokens.
    liquidation_differential(15, 50.0, SOL, false, Some(5_000_000_000)).await;
}

/// The same for a user action `make` (built on the fixture) by `user`, inside a fee-0 loan of
/// `part` of reserve `lent`.
async fn action_differential(seed: u64, lent: usize, part: u64, action: &str) {
    let mut states = Vec::new();
    let mut reserves = Vec::new();
    for wrapped in [false, true] {
        let (mut f, borrower, liquidator) = unhealthy(seed, 0, 100.0).await;
        let mint = f.reserves[USDC].mint;
        f.mint_to(&mint, &borrower.tokens[USDC], 1_000_000_000)
            .await;
        let mut ixs = f.refresh_ixs(&borrower.obligation).await;
        match action {
            "repay" => ixs.push(f.repay_ix(&borrower, USDC, 300_000_000)),
            "repay_all" => ixs.push(f.repay_ix(&borrower, USDC, u64::MAX)),
            "borrow" => ixs.push(f.borrow_ix(&borrower, USDC, 20_000_000).await),
            "withdraw" => ixs.push(f.withdraw_ix(&borrower, SOL, 100_000_000).await),
            "deposit" => ixs.push(f.deposit_ix(&borrower, SOL, 1_000_000_000)),
            _ => unreachable!(),
        }
        if wrapped {
            ixs = f.flash_loan_ixs(&borrower.keypair, &borrower.tokens[lent], lent, part, ixs);
        }
        f.send(&ixs, &[&borrower.keypair]).await.expect(action);
        assert_whole(&mut f, USDC).await;
        assert_whole(&mut f, SOL).await;
        let keys = compared(&f, &borrower, &liquidator);
        states.push(f.snapshot(&keys).await);
        reserves.push((f.reserve(USDC).await, f.reserve(SOL).await));
    }
    assert!(
        states[0] == states[1],
        "a fee-0 flash loan of reserve {lent} changed `{action}`:\n USDC: {}\n SOL: {}",
        reserve_diff(&reserves[0].0, &reserves[1].0),
        reserve_diff(&reserves[0].1, &reserves[1].1),
    );
}

#[tokio::test]
async fn successful_differential_user_actions_inside_a_loan_of_the_same_reserve() {
    action_differential(21, USDC, 5_000_000_000, "repay").await;
    action_differential(22, USDC, 5_000_000_000, "repay_all").await;
    action_differential(23, USDC, 5_000_000_000, "borrow").await;
    action_differential(24, SOL, 5_000_000_000, "withdraw").await;
    action_differential(25, SOL, 5_000_000_000, "deposit").await;
}

#[tokio::test]
async fn successful_differential_actions_with_interest_pending_inside_a_loan() {
    // An hour of interest not yet accrued when the loan is taken: flash_borrow accrues it at
    // the pre-loan utilization, the action then sees the same index as without the loan.
    let mut states = Vec::new();
    for wrapped in [false, true] {
        let (mut f, borrower, liquidator) = unhealthy(31, 0, 100.0).await;
        f.advance_time(HOUR as i64).await;
        let mint = f.reserves[USDC].mint;
        f.mint_to(&mint, &borrower.tokens[USDC], 1_000_000_000)
            .await;
        let mut ixs = vec![f.repay_ix(&borrower, USDC, 123_456_789)];
        ixs.extend(f.refresh_ixs(&borrower.obligation).await);
        ixs.push(f.borrow_ix(&borrower, USDC, 10_000_000).await);
        if wrapped {
            let all = f.reserve(USDC).await.available_amount;
            ixs = f.flash_loan_ixs(
                &borrower.keypair,
                &borrower.tokens[USDC],
                USDC,
                all - 20_000_000,
                ixs,
            );
        }
        f.send(&ixs, &[&borrower.keypair])
            .await
            .expect("repay and borrow");
        assert_whole(&mut f, USDC).await;
        let keys = compared(&f, &borrower, &liquidator);
        states.push(f.snapshot(&keys).await);
    }
    assert!(
        states[0] == states[1],
        "a fee-0 loan changed accrual or the actions"
    );
}
