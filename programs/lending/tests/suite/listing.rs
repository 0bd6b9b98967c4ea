//! Listing checks (audit finding 10): a mint with a freeze authority is listed only when the
//! admin allows it explicitly (the event records it), and a legacy Pyth account is accepted
//! only from the one program this build is for (mainnet's by default).
//! A mint is listed only if one base unit is worth at most `MAX_LISTING_UNIT_VALUE_BPS` (finding 8).

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

/// Lists `decimals`-decimal mint priced by USDC's feed ($1); returns the result and its index.
async fn list_at_one_dollar(
    f: &mut TestFixture,
    decimals: u8,
) -> (Result<(), solana_program_test::BanksClientError>, usize) {
    let admin = f.admin.insecure_clone();
    let mint = f.create_mint(decimals).await;
    let token = f.create_token_account(&mint, &admin.pubkey()).await;
    f.mint_to(&mint, &token, 10_000_000).await;
    let idx = f.unlisted_reserve(mint, decimals, token);
    let r = &f.reserves[idx];
    let oracle = oracle_params(r.kind, r.price_account, r.feed_id);
    let ix = f.init_reserve_ix(idx, reserve_config(8_000, 8_500, 10_000), oracle, 1_000_000);
    (f.send(&[ix], &[&admin]).await, idx)
}

#[tokio::test]
async fn fail_init_reserve_when_one_base_unit_is_worth_more_than_the_bound() {
    let mut f = TestFixture::new().await;
    // One decimal at $1: a base unit is worth $0.10, ten times MAX_LISTING_UNIT_VALUE_BPS.
    let (result, idx) = list_at_one_dollar(&mut f, 1).await;
    assert_error(result, LendingError::UnitValueTooHigh);
    let reserve = f.reserves[idx].reserve;
    assert!(
        f.ctx
            .banks_client
            .get_account(reserve)
            .await
            .unwrap()
            .is_none(),
        "nothing was created"
    );
    // Three decimals: $0.001 a unit, listed.
    let (result, _) = list_at_one_dollar(&mut f, 3).await;
    result.expect("a unit worth a tenth of a cent is listed");
}

#[tokio::test]
async fn fail_update_oracle_config_repoint_when_the_new_source_prices_a_unit_above_the_bound() {
    let mut f = TestFixture::new().await;
    let admin = f.admin.insecure_clone();
    // VOL (6 decimals) holds only its seed, so its source may change; a feed at $1,000,000
    // would make one base unit worth $1.
    let key = solana_sdk::pubkey::Pubkey::new_unique();
    let mut feed_id = [7u8; 32];
    feed_id[31] = 0xfe;
    let now = f.now().await;
    f.set_account(
        &key,
        &crate::pyth::pull_account(&crate::pyth::usd(1_000_000.0, feed_id, now)),
    );
    let params = oracle_params(lending::state::OracleKind::PythPull, key, feed_id);
    let keys = [f.reserves[VOL].oracle_config, f.reserves[VOL].reserve];
    let before = f.snapshot(&keys).await;
    let ix = f.update_oracle_config_ix(&admin.pubkey(), VOL, params);
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::UnitValueTooHigh,
    );
    assert_eq!(f.snapshot(&keys).await, before);
    // Without the new source's price account the change is refused as well.
    let usdc = &f.reserves[USDC];
    let params = oracle_params(usdc.kind, usdc.price_account, usdc.feed_id);
    let mut ix = f.update_oracle_config_ix(&admin.pubkey(), VOL, params);
    // An absent optional account is passed as the program id.
    ix.accounts[4].pubkey = lending::ID;
    assert_error(
        f.send(&[ix], &[&admin]).await,
        LendingError::InvalidOracleAccount,
    );
    assert_eq!(f.snapshot(&keys).await, before);
}
