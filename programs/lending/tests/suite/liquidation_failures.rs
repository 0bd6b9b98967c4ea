//! Liquidation with bad input: the exact error, and nothing changed.

use lending::error::LendingError;
use solana_sdk::signature::Signer;

use crate::fixture::*;
use crate::liquidation::{liquidate, liquidate_ix, unhealthy_setup, unhealthy_setup_on};

#[tokio::test]
async fn fail_liquidate_when_healthy() {
    let (mut f, borrower, liquidator) = unhealthy_setup(100.0).await;
    let keys = [
        borrower.obligation,
        f.reserves[USDC].vault,
        f.reserves[SOL].vault,
        liquidator.tokens[USDC],
    ];
    let before = f.snapshot(&keys).await;
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
        LendingError::ObligationHealthy,
    );
    let after = f.snapshot(&keys).await;
    assert_eq!(after[1..], before[1..], "no tokens moved");
}

#[tokio::test]
async fn fail_liquidate_when_not_refreshed_this_slot() {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    f.refresh(&borrower.obligation).await.expect("refresh");
    f.next_slot().await;
    let ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    assert_error(
        f.send(&[ix], &[&liquidator.keypair]).await,
        LendingError::ReserveStale,
    );
    // Reserves fresh, the obligation refreshed last slot: the liquidation values it itself.
    let mut ixs: Vec<_> = (0..3).map(|i| f.refresh_reserve_ix(i)).collect();
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            SOL,
            u64::MAX,
            0,
        )
        .await,
    );
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("liquidate recomputes the obligation's values");
}

#[tokio::test]
async fn successful_liquidate_past_the_close_factor_repays_the_close_factor() {
    let (mut f, borrower, liquidator) =
        unhealthy_setup_on(80.0, close_factor_market_params()).await;
    let before = f.balance(&liquidator.tokens[USDC]).await;
    liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        140_000_001,
    )
    .await
    .expect("capped at the close factor");
    // 20% of the 700 USDC debt.
    assert_eq!(
        before - f.balance(&liquidator.tokens[USDC]).await,
        140_000_000
    );
}

#[tokio::test]
async fn fail_liquidate_when_zero_is_requested() {
    let (mut f, borrower, liquidator) =
        unhealthy_setup_on(80.0, close_factor_market_params()).await;
    let before = f.data(&borrower.obligation).await;
    assert_error(
        liquidate(&mut f, &liquidator, &borrower.obligation, USDC, SOL, 0).await,
        LendingError::NothingToRepay,
    );
    assert_eq!(f.data(&borrower.obligation).await, before);
}

#[tokio::test]
async fn fail_liquidate_when_min_collateral_out_not_met() {
    let (mut f, borrower, liquidator) =
        unhealthy_setup_on(80.0, close_factor_market_params()).await;
    // The close-factor liquidation pays 1,868,125,000 SOL lamports to the liquidator.
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            SOL,
            u64::MAX,
            1_868_125_001,
        )
        .await,
    );
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::LiquidationSlippage,
    );
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            SOL,
            u64::MAX,
            1_868_125_000,
        )
        .await,
    );
    f.send(&ixs, &[&liquidator.keypair])
        .await
        .expect("exactly the minimum");
}

#[tokio::test]
async fn fail_liquidate_with_a_reserve_the_obligation_does_not_use() {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    assert_error(
        liquidate(&mut f, &liquidator, &borrower.obligation, VOL, SOL, 1_000).await,
        LendingError::BorrowNotFound,
    );
    assert_error(
        liquidate(&mut f, &liquidator, &borrower.obligation, USDC, VOL, 1_000).await,
        LendingError::DepositNotFound,
    );
}

#[tokio::test]
async fn fail_liquidate_when_price_is_stale_or_uncertain() {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    f.advance_time_without_prices(120).await;
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
        LendingError::StalePrice,
    );
    f.advance_time(1).await;
    let mut spec = f.reserves[SOL].price;
    spec.conf = spec.price as u64 / 20; // 5%
    f.write_price(SOL, spec);
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
        LendingError::PriceTooUncertain,
    );
}

#[tokio::test]
async fn fail_liquidate_when_token_accounts_have_the_wrong_mint_or_owner() {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    ix.accounts[9].pubkey = liquidator.tokens[VOL];
    ixs.push(ix);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::InvalidMint,
    );
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    ix.accounts[10].pubkey = borrower.tokens[USDC];
    ixs.push(ix);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::InvalidMint,
    );
    // Source and destination the same account: Anchor refuses the duplicate writable account.
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    ix.accounts[10].pubkey = liquidator.tokens[USDC];
    ixs.push(ix);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount,
    );
    // Paying from the borrower's own USDC account, which the liquidator does not own: the
    // token program refuses (`OwnerMismatch`, 4) and nothing moves.
    let keys = [
        borrower.obligation,
        borrower.tokens[USDC],
        f.reserves[USDC].reserve,
    ];
    let before = f.snapshot(&keys).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    ix.accounts[9].pubkey = borrower.tokens[USDC];
    ixs.push(ix);
    assert_error(f.send(&ixs, &[&liquidator.keypair]).await, 4u32);
    assert_eq!(f.snapshot(&keys).await, before);
}

#[tokio::test]
async fn fail_liquidate_when_vault_or_token_program_is_foreign() {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    ix.accounts[7].pubkey = f.reserves[VOL].vault;
    ixs.push(ix);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::InvalidVault,
    );
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    ix.accounts[12].pubkey = anchor_spl::token_2022::ID;
    ixs.push(ix);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::InvalidTokenProgram,
    );
}

#[tokio::test]
async fn fail_liquidate_when_repay_and_withdraw_reserve_are_the_same() {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(
        liquidate_ix(
            &mut f,
            &liquidator,
            &borrower.obligation,
            USDC,
            USDC,
            1_000,
            0,
        )
        .await,
    );
    let res = f.send(&ixs, &[&liquidator.keypair]).await;
    let code = error_code(&res);
    assert!(
        code == Some(LendingError::DuplicateReserve.into())
            || code
                == Some(anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount.into()),
        "{res:?}"
    );
}

#[tokio::test]
async fn fail_liquidate_when_obligation_is_from_another_market() {
    let (mut f, borrower, liquidator) = unhealthy_setup(80.0).await;
    let (market_b, _, _, _, _) = f.second_market(USDC).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    let mut ix = liquidate_ix(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
        0,
    )
    .await;
    ix.accounts[1].pubkey = market_b;
    ixs.push(ix);
    assert_error(
        f.send(&ixs, &[&liquidator.keypair]).await,
        LendingError::InvalidMarket,
    );
    let _ = liquidator.keypair.pubkey();
}
