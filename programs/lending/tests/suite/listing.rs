//! Listing checks (audit finding 10): a mint with a freeze authority is listed only when the
//! admin allows it explicitly (the event records it), and a legacy Pyth account is accepted
//! only from the one program this build is for (mainnet's by default).

use anchor_lang::InstructionData;
use lending::constants::PYTH_LEGACY_PROGRAM_DEVNET;
use lending::error::LendingError;
use lending::events::ReserveInitialized;
use solana_sdk::signature::Signer;

use crate::fixture::*;

#[tokio::test]
async fn fail_init_reserve_when_mint_has_a_freeze_authority_unless_allowed() {
    let mut f = TestFixture::new().await;
    let issuer = solana_sdk::pubkey::Pubkey::new_unique();
    let mint = f.create_mint_with_freeze(6, Some(issuer)).await;
    let admin = f.admin.insecure_clone();
    let token = f.create_token_account(&mint, &admin.pubkey()).await;
    f.mint_to(&mint, &token, 10_000_000).await;
    let idx = f.unlisted_reserve(mint, 6, token);
    let oracle = oracle_params(
        f.reserves[idx].kind,
        f.reserves[idx].price_account,
        f.reserves[idx].feed_id,
    );
    let config = reserve_config(8_000, 8_500, 10_000);
    let ix = f.init_reserve_ix(idx, config, oracle, 1_000_000);
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::FreezeAuthorityNotAllowed,
    );
    assert!(
        f.ctx
            .banks_client
            .get_account(f.reserves[idx].reserve)
            .await
            .unwrap()
            .is_none(),
        "nothing was created"
    );
    // Allowed explicitly: listed, and the event names the freeze authority.
    let mut ix = f.init_reserve_ix(idx, config, oracle, 1_000_000);
    ix.data = lending::instruction::InitReserve {
        config,
        oracle,
        seed_amount: 1_000_000,
        allow_freeze_authority: true,
    }
    .data();
    let events: Vec<ReserveInitialized> =
        crate::events::simulate_events(&mut f, &[ix.clone()], &[&admin]).await;
    assert_eq!(events[0].freeze_authority, issuer);
    f.send(&[ix], &[&admin]).await.expect("listed when allowed");
}

#[tokio::test]
async fn fail_refresh_when_legacy_price_account_is_owned_by_the_devnet_program() {
    let mut f = TestFixture::new().await;
    let key = f.reserves[VOL].price_account;
    let data = f.data(&key).await;
    f.set_account(
        &key,
        &crate::pyth::account(data, PYTH_LEGACY_PROGRAM_DEVNET),
    );
    let before = f.data(&f.reserves[VOL].reserve.clone()).await;
    let ix = f.refresh_reserve_ix(VOL);
    assert_error(f.send(&[ix], &[]).await, LendingError::InvalidOracleOwner);
    assert_eq!(f.data(&f.reserves[VOL].reserve.clone()).await, before);
}
