//! Governance (audit finding 9): two-step admin transfer, and closing an empty obligation.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::error::LendingError;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::fixture::*;

fn propose_ix(f: &TestFixture, admin: &Pubkey, new_admin: Pubkey) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::ProposeAdmin {
            admin: *admin,
            lending_market: f.market,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::ProposeAdmin { new_admin }.data(),
    }
}

fn accept_ix(f: &TestFixture, pending: &Pubkey) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::AcceptAdmin {
            pending_admin: *pending,
            lending_market: f.market,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::AcceptAdmin {}.data(),
    }
}

fn close_ix(owner: &Pubkey, obligation: &Pubkey) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::CloseObligation {
            owner: *owner,
            obligation: *obligation,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::CloseObligation {}.data(),
    }
}

#[tokio::test]
async fn successful_two_step_admin_transfer() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.insecure_clone();
    let next = Keypair::new();
    f.airdrop(&next.pubkey(), 1_000_000_000).await;
    let ix = propose_ix(&f, &admin.pubkey(), next.pubkey());
    f.send(&[ix], &[&admin]).await.expect("propose");
    let m = f.market_state().await;
    assert_eq!((m.admin, m.pending_admin), (admin.pubkey(), next.pubkey()));
    let ix = accept_ix(&f, &next.pubkey());
    f.send(&[ix], &[&next]).await.expect("accept");
    let m = f.market_state().await;
    assert_eq!(
        (m.admin, m.pending_admin),
        (next.pubkey(), Pubkey::default())
    );
    // The old admin lost its powers.
    let ix = f.update_market_ix(&admin.pubkey(), default_market_params());
    assert_error(f.send(&[ix], &[&admin]).await, LendingError::Unauthorized);
    let ix = f.update_market_ix(&next.pubkey(), default_market_params());
    f.send(&[ix], &[&next]).await.expect("the new admin rules");
}

#[tokio::test]
async fn fail_admin_transfer_when_not_proposed_or_not_admin() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.insecure_clone();
    let intruder = Keypair::new();
    f.airdrop(&intruder.pubkey(), 1_000_000_000).await;
    let before = f.data(&f.market.clone()).await;
    // Nobody proposed: accepting fails.
    let ix = accept_ix(&f, &intruder.pubkey());
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::NotPendingAdmin,
    );
    // Only the admin proposes.
    let ix = propose_ix(&f, &intruder.pubkey(), intruder.pubkey());
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::Unauthorized,
    );
    assert_eq!(f.data(&f.market.clone()).await, before, "market unchanged");
    // Proposed someone else: the intruder still cannot accept; a withdrawn proposal neither.
    let next = Keypair::new();
    let ix = propose_ix(&f, &admin.pubkey(), next.pubkey());
    f.send(&[ix], &[&admin]).await.expect("propose");
    let ix = accept_ix(&f, &intruder.pubkey());
    assert_error(
        f.send(&[ix], &[&intruder]).await,
        LendingError::NotPendingAdmin,
    );
    let ix = propose_ix(&f, &admin.pubkey(), Pubkey::default());
    f.send(&[ix], &[&admin])
        .await
        .expect("withdraw the proposal");
    assert_eq!(f.market_state().await.pending_admin, Pubkey::default());
}

#[tokio::test]
async fn successful_close_obligation_returns_rent_when_empty() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 0, 0]).await;
    let owner = user.keypair.pubkey();
    let lamports_before = f.ctx.banks_client.get_balance(owner).await.unwrap();
    let rent = f
        .ctx
        .banks_client
        .get_account(user.obligation)
        .await
        .unwrap()
        .expect("obligation")
        .lamports;
    let ix = close_ix(&owner, &user.obligation);
    f.send(&[ix], &[&user.keypair]).await.expect("close");
    assert!(f
        .ctx
        .banks_client
        .get_account(user.obligation)
        .await
        .unwrap()
        .is_none());
    let lamports_after = f.ctx.banks_client.get_balance(owner).await.unwrap();
    assert_eq!(lamports_after, lamports_before + rent);
}

#[tokio::test]
async fn fail_close_obligation_when_it_has_positions_or_another_owner() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000, 0, 0]).await;
    f.deposit(&user, USDC, 1_000_000).await.expect("deposit");
    let before = f.data(&user.obligation).await;
    let ix = close_ix(&user.keypair.pubkey(), &user.obligation);
    assert_error(
        f.send(&[ix], &[&user.keypair]).await,
        LendingError::ObligationNotEmpty,
    );
    let other = f.new_user(&[0, 0, 0]).await;
    let ix = close_ix(&other.keypair.pubkey(), &user.obligation);
    assert_error(
        f.send(&[ix], &[&other.keypair]).await,
        LendingError::InvalidObligationOwner,
    );
    assert_eq!(
        f.data(&user.obligation).await,
        before,
        "obligation unchanged"
    );
}

fn floor_ix(f: &TestFixture, admin: &Pubkey, idx: usize, floor: u64) -> Instruction {
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::SetInsuranceFloor {
            admin: *admin,
            lending_market: f.market,
            reserve: f.reserves[idx].reserve,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::SetInsuranceFloor { floor }.data(),
    }
}

fn withdraw_insurance_ix(
    f: &TestFixture,
    admin: &Pubkey,
    idx: usize,
    destination: &Pubkey,
    amount: u64,
) -> Instruction {
    let r = &f.reserves[idx];
    Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::WithdrawInsurance {
            admin: *admin,
            lending_market: f.market,
            reserve: r.reserve,
            vault: r.vault,
            mint: r.mint,
            destination: *destination,
            token_program: spl_token_interface::ID,
            event_authority: event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::WithdrawInsurance { amount }.data(),
    }
}

#[tokio::test]
async fn successful_insurance_withdrawal_stops_at_the_floor() {
    // A liquidation funds SOL's insurance with its protocol fee.
    let (mut f, borrower, liquidator) = crate::liquidation::unhealthy_setup(80.0).await;
    crate::liquidation::liquidate(
        &mut f,
        &liquidator,
        &borrower.obligation,
        USDC,
        SOL,
        u64::MAX,
    )
    .await
    .expect("liquidate");
    let fund = f.reserve(SOL).await.insurance_amount;
    assert!(fund > 1_000, "the fee funded the insurance: {fund}");
    let admin = f.admin.insecure_clone();
    let dest = f
        .create_token_account(&f.reserves[SOL].mint.clone(), &admin.pubkey())
        .await;
    let floor = fund / 2;
    let ix = floor_ix(&f, &admin.pubkey(), SOL, floor);
    f.send(&[ix], &[&admin]).await.expect("floor");
    // Not the admin; more than what is above the floor: refused, nothing moves.
    let intruder = f.new_user(&[0, 0, 0]).await;
    let keys = [f.reserves[SOL].reserve, f.reserves[SOL].vault, dest];
    let before = f.snapshot(&keys).await;
    let ix = withdraw_insurance_ix(&f, &intruder.keypair.pubkey(), SOL, &dest, 1);
    assert_error(
        f.send(&[ix], &[&intruder.keypair]).await,
        LendingError::Unauthorized,
    );
    let ix = withdraw_insurance_ix(&f, &admin.pubkey(), SOL, &dest, fund - floor + 1);
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::InsuranceFloorReached,
    );
    let ix = floor_ix(&f, &intruder.keypair.pubkey(), SOL, 0);
    assert_error(
        f.send(&[ix], &[&intruder.keypair]).await,
        LendingError::Unauthorized,
    );
    assert_eq!(f.snapshot(&keys).await, before, "nothing moved");
    // Everything above the floor, and depositors' share value does not move.
    let r0 = f.reserve(SOL).await;
    let value = |r: &lending::state::Reserve| {
        lending_math::shares::share_value(r.total_supply_assets().unwrap(), r.share_supply).unwrap()
    };
    let ix = withdraw_insurance_ix(&f, &admin.pubkey(), SOL, &dest, u64::MAX);
    f.send(&[ix], &[&admin])
        .await
        .expect("withdraw above the floor");
    let r1 = f.reserve(SOL).await;
    assert_eq!(r1.insurance_amount, floor);
    assert_eq!(f.balance(&dest).await, fund - floor);
    assert_eq!(value(&r1), value(&r0));
    let ix = withdraw_insurance_ix(&f, &admin.pubkey(), SOL, &dest, u64::MAX);
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::InsuranceFloorReached,
    );
}

#[tokio::test]
async fn fail_update_oracle_config_repoint_when_the_reserve_is_in_use() {
    let mut f = TestFixture::new().await;
    let (_lender, _borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let admin = f.admin.insecure_clone();
    // SOL has deposits: its feed cannot be repointed to USDC's.
    let usdc = &f.reserves[USDC];
    let params = oracle_params(usdc.kind, usdc.price_account, usdc.feed_id);
    let keys = [f.reserves[SOL].oracle_config, f.reserves[SOL].reserve];
    let before = f.snapshot(&keys).await;
    let ix = f.update_oracle_config_ix(&admin.pubkey(), SOL, params);
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::OracleSourceLocked,
    );
    assert_eq!(f.snapshot(&keys).await, before);
    // Its bounds can still change.
    let sol = &f.reserves[SOL];
    let mut bounds = oracle_params(sol.kind, sol.price_account, sol.feed_id);
    bounds.max_age_secs = 30;
    let ix = f.update_oracle_config_ix(&admin.pubkey(), SOL, bounds);
    f.send(&[ix], &[&admin]).await.expect("bounds change");
    // VOL has only its seed: it is not in use, and may be repointed.
    let ix = f.update_oracle_config_ix(&admin.pubkey(), VOL, params);
    f.send(&[ix], &[&admin])
        .await
        .expect("an unused reserve may be repointed");
}

#[tokio::test]
async fn fail_every_admin_instruction_when_the_admin_did_not_sign() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.pubkey();
    let new_market = Keypair::new();
    let mint = f.create_mint(6).await;
    let token = f.create_token_account(&mint, &admin).await;
    f.mint_to(&mint, &token, 10_000_000).await;
    let idx = f.unlisted_reserve(mint, 6, token);
    let dest = f
        .create_token_account(&f.reserves[SOL].mint.clone(), &admin)
        .await;
    let (usdc, sol) = (&f.reserves[USDC], &f.reserves[SOL]);
    let (usdc_oracle, sol_oracle) = (
        oracle_params(usdc.kind, usdc.price_account, usdc.feed_id),
        oracle_params(sol.kind, sol.price_account, sol.feed_id),
    );
    let cases: Vec<(&str, Instruction, Vec<&Keypair>)> = vec![
        (
            "init_market",
            f.init_market_ix(&new_market.pubkey(), default_market_params()),
            vec![&new_market],
        ),
        (
            "update_market",
            f.update_market_ix(&admin, default_market_params()),
            vec![],
        ),
        (
            "init_reserve",
            f.init_reserve_ix(
                idx,
                reserve_config(8_000, 8_500, 10_000),
                usdc_oracle,
                1_000_000,
            ),
            vec![],
        ),
        (
            "update_reserve_config",
            f.update_reserve_config_ix(&admin, SOL, reserve_config(7_500, 8_000, 10_000)),
            vec![],
        ),
        (
            "update_oracle_config",
            f.update_oracle_config_ix(&admin, SOL, sol_oracle),
            vec![],
        ),
        (
            "collect_protocol_fees",
            f.collect_protocol_fees_ix(&admin, SOL, &dest, 1),
            vec![],
        ),
        (
            "propose_admin",
            propose_ix(&f, &admin, Pubkey::new_unique()),
            vec![],
        ),
        ("set_insurance_floor", floor_ix(&f, &admin, SOL, 1), vec![]),
        (
            "withdraw_insurance",
            withdraw_insurance_ix(&f, &admin, SOL, &dest, 1),
            vec![],
        ),
        (
            "set_outflow_limit",
            f.set_outflow_limit_ix(&admin, SOL, 1_000, 3_600),
            vec![],
        ),
    ];
    let keys = [
        f.market,
        f.reserves[SOL].reserve,
        f.reserves[SOL].oracle_config,
        f.reserves[SOL].vault,
        dest,
    ];
    let before = f.snapshot(&keys).await;
    for (name, mut ix, signers) in cases {
        for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == admin) {
            meta.is_signer = false;
        }
        assert_eq!(
            error_code(&f.send(&[ix], &signers).await),
            Some(anchor_lang::error::ErrorCode::AccountNotSigner.into()),
            "{name}"
        );
    }
    assert_eq!(f.snapshot(&keys).await, before, "nothing changed");
    // accept_admin is signed by the pending admin, never by the current one.
    let pending = Keypair::new();
    let admin_kp = f.admin.insecure_clone();
    let ix = propose_ix(&f, &admin, pending.pubkey());
    f.send(&[ix], &[&admin_kp]).await.expect("propose");
    let mut ix = accept_ix(&f, &pending.pubkey());
    ix.accounts[0].is_signer = false;
    assert_error(
        f.send(&[ix], &[]).await,
        anchor_lang::error::ErrorCode::AccountNotSigner,
    );
    assert_eq!(
        f.market_state().await.admin,
        admin,
        "the admin is unchanged"
    );
}
