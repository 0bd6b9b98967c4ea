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
