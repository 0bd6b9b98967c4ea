//! Events are emitted with `emit_cpi!`: natively they cannot reach the logs, so they are read
//! back from the transaction's inner instructions, the way indexers read them on chain.

use anchor_lang::{AnchorDeserialize, Discriminator};
use lending::events::{Borrowed, Deposited, ReserveRefreshed};
use solana_sdk::signature::Signer;

use crate::fixture::*;

/// The events of type `T` among a simulated transaction's inner instructions.
pub async fn simulate_events<T: AnchorDeserialize + Discriminator>(
    f: &mut TestFixture,
    ixs: &[solana_sdk::instruction::Instruction],
    signers: &[&solana_sdk::signature::Keypair],
) -> Vec<T> {
    let tx = f.transaction(ixs, signers).await;
    let sim = f
        .ctx
        .banks_client
        .simulate_transaction(tx)
        .await
        .expect("simulate");
    assert!(matches!(sim.result, Some(Ok(()))), "{:?}", sim.result);
    let inner = sim
        .simulation_details
        .expect("details")
        .inner_instructions
        .expect("inner instructions");
    let mut out = Vec::new();
    for group in inner {
        for ix in group {
            let data = &ix.instruction.data;
            if data.len() >= 16
                && data[..8] == anchor_lang::event::EVENT_IX_TAG_LE[..]
                && data[8..16] == *T::DISCRIMINATOR
            {
                out.push(T::try_from_slice(&data[16..]).expect("decode event"));
            }
        }
    }
    out
}

#[tokio::test]
async fn successful_deposit_emits_event_with_before_and_after() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000_000, 0, 0]).await;
    let ix = f.deposit_ix(&user, USDC, 250_000_000);
    let events: Vec<Deposited> = simulate_events(&mut f, &[ix], &[&user.keypair]).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.obligation, user.obligation);
    assert_eq!(e.reserve, f.reserves[USDC].reserve);
    assert_eq!(
        (e.amount, e.shares, e.position_shares_after),
        (250_000_000, 250_000_000, 250_000_000)
    );
    assert_eq!(
        (e.available_before, e.available_after),
        (1_000_000, 251_000_000)
    );
}

#[tokio::test]
async fn successful_borrow_emits_refresh_and_borrow_events() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    let mut ixs = f.refresh_ixs(&borrower.obligation).await;
    ixs.push(f.borrow_ix(&borrower, USDC, 100_000_000).await);
    let refreshed: Vec<ReserveRefreshed> =
        simulate_events(&mut f, &ixs, &[&borrower.keypair]).await;
    assert_eq!(refreshed.len(), 3);
    assert_eq!(refreshed[SOL].price_sf, 100 * 1_000_000_000_000_000_000);
    let borrowed: Vec<Borrowed> = simulate_events(&mut f, &ixs, &[&borrower.keypair]).await;
    assert_eq!(borrowed.len(), 1);
    assert_eq!(borrowed[0].amount, 100_000_000);
    assert_eq!(borrowed[0].available_after, 10_001_000_000 - 100_000_000);
    assert_eq!(borrowed[0].bf_adjusted_debt_value_upper_before_sf, 0);
    assert_eq!(
        borrowed[0].allowed_borrow_value_sf,
        749_250_000_000_000_000_000
    );
    let _ = borrower.keypair.pubkey();
}

#[tokio::test]
async fn fail_event_cpi_when_called_directly_without_the_authority() {
    let mut f = TestFixture::new().await;
    // Forging an event: call the program's event entry with a fake authority signer.
    let fake = solana_sdk::signature::Keypair::new();
    let mut data = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
    data.extend_from_slice(Deposited::DISCRIMINATOR);
    let ix = solana_sdk::instruction::Instruction {
        program_id: lending::ID,
        accounts: vec![solana_sdk::instruction::AccountMeta::new_readonly(
            fake.pubkey(),
            true,
        )],
        data,
    };
    assert_error(
        f.send(&[ix], &[&fake]).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
}
