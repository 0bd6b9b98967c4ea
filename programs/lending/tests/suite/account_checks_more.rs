//! Account attacks on the admin, refresh, deposit and write-off instructions.

use anchor_lang::error::ErrorCode;
use lending::error::LendingError;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::fixture::*;

/// Sends `ix` with `signers` and checks the exact error.
async fn expect(
    f: &mut TestFixture,
    ix: Instruction,
    signers: &[&Keypair],
    code: impl Into<u32>,
    what: &str,
) {
    let code = code.into();
    let res = f.send(&[ix], signers).await;
    assert_eq!(error_code(&res), Some(code), "{what}: {res:?}");
}

#[tokio::test]
async fn fail_admin_refresh_and_writeoff_instructions_on_forged_wrong_or_missing_accounts() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000_000, 0, 0]).await;
    f.deposit(&user, USDC, 1_000_000).await.expect("deposit");
    let admin = f.admin.insecure_clone();
    let forged_market = f
        .clone_account_with_owner(&f.market.clone(), &Pubkey::new_unique())
        .await;
    let forged_reserve = f
        .clone_account_with_owner(&f.reserves[USDC].reserve.clone(), &Pubkey::new_unique())
        .await;
    let zeroed = Pubkey::new_unique();
    f.set_account(
        &zeroed,
        &crate::pyth::account(vec![0u8; lending::state::Reserve::SPACE], lending::ID),
    );
    let keys: Vec<Pubkey> = vec![
        f.market,
        f.reserves[USDC].reserve,
        f.reserves[USDC].oracle_config,
        user.obligation,
    ];
    let before = f.snapshot(&keys).await;
    let (owned, disc) = (
        ErrorCode::AccountOwnedByWrongProgram,
        ErrorCode::AccountDiscriminatorMismatch,
    );
    let reserve_as_market = f.reserves[USDC].reserve;
    let obligation = user.obligation;

    // update_market: market forged, of the wrong type, never created.
    for (key, code, what) in [
        (forged_market, owned, "forged market"),
        (reserve_as_market, disc, "reserve as market"),
        (Pubkey::new_unique(), owned, "missing market"),
    ] {
        let mut ix = f.update_market_ix(&admin.pubkey(), default_market_params());
        ix.accounts[1].pubkey = key;
        expect(&mut f, ix, &[&admin], code, what).await;
    }
    // update_reserve_config: reserve forged, of the wrong type, zeroed.
    for (key, code, what) in [
        (forged_reserve, owned, "forged reserve"),
        (obligation, disc, "obligation as reserve"),
        (zeroed, disc, "zeroed reserve"),
    ] {
        let mut ix =
            f.update_reserve_config_ix(&admin.pubkey(), USDC, reserve_config(8_000, 8_500, 10_000));
        ix.accounts[2].pubkey = key;
        expect(&mut f, ix, &[&admin], code, what).await;
    }
    // refresh_reserve: reserve forged, of the wrong type, never created.
    for (key, code, what) in [
        (forged_reserve, owned, "forged reserve"),
        (obligation, disc, "obligation as reserve"),
        (Pubkey::new_unique(), owned, "missing reserve"),
    ] {
        let mut ix = f.refresh_reserve_ix(USDC);
        ix.accounts[0].pubkey = key;
        expect(&mut f, ix, &[], code, what).await;
    }
    // refresh_obligation: the obligation forged, a reserve in its place, never created.
    let usdc = f.reserves[USDC].reserve;
    let forged_obligation = f
        .clone_account_with_owner(&obligation, &Pubkey::new_unique())
        .await;
    for (key, code, what) in [
        (forged_obligation, owned, "forged obligation"),
        (usdc, disc, "reserve as obligation"),
        (Pubkey::new_unique(), owned, "missing obligation"),
    ] {
        let ix = f.refresh_obligation_ix_with(&key, &[usdc]);
        expect(&mut f, ix, &[], code, what).await;
    }
    // socialize_bad_debt: forged obligation, forged reserve, reserve of the wrong type.
    let payer = f.ctx.payer.insecure_clone();
    for (idx, key, code, what) in [
        (1usize, forged_obligation, owned, "forged obligation"),
        (2, forged_reserve, owned, "forged reserve"),
        (2, obligation, disc, "obligation as reserve"),
    ] {
        let mut ix = f.socialize_bad_debt_ix(&obligation, USDC);
        ix.accounts[idx].pubkey = key;
        expect(&mut f, ix, &[&payer], code, what).await;
    }
    // deposit: zeroed reserve, another user's obligation, a fake token program.
    let other = f.new_user(&[0, 0, 0]).await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[3].pubkey = zeroed;
    expect(&mut f, ix, &[&user.keypair], disc, "zeroed reserve").await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[2].pubkey = other.obligation;
    expect(
        &mut f,
        ix,
        &[&user.keypair],
        LendingError::InvalidObligationOwner,
        "another user's obligation",
    )
    .await;
    let mut ix = f.deposit_ix(&user, USDC, 1_000);
    ix.accounts[7].pubkey = Pubkey::new_unique();
    expect(
        &mut f,
        ix,
        &[&user.keypair],
        ErrorCode::InvalidProgramId,
        "fake token program",
    )
    .await;
    assert_eq!(f.snapshot(&keys).await, before, "nothing changed");
}

#[tokio::test]
async fn fail_user_instructions_with_duplicate_writable_accounts() {
    let mut f = TestFixture::new().await;
    let (_lender, borrower) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&borrower, USDC, 100_000_000)
        .await
        .expect("borrow");
    // The vault passed as the user's token account: the same writable account twice.
    let cases = [
        ("deposit", f.deposit_ix(&borrower, USDC, 1_000)),
        ("withdraw", f.withdraw_ix(&borrower, SOL, 1_000).await),
        ("borrow", f.borrow_ix(&borrower, USDC, 1_000).await),
        ("repay", f.repay_ix(&borrower, USDC, 1_000)),
    ];
    for (what, mut ix) in cases {
        ix.accounts[6].pubkey = ix.accounts[4].pubkey;
        let res = f.send(&[ix], &[&borrower.keypair]).await;
        assert_eq!(
            error_code(&res),
            Some(ErrorCode::ConstraintDuplicateMutableAccount.into()),
            "{what}: {res:?}"
        );
    }
}

#[tokio::test]
async fn fail_init_reserve_when_seed_account_has_the_wrong_mint_or_token_program_is_fake() {
    let mut f = TestFixture::new().await;
    let mint = f.create_mint(6).await;
    let admin_pk = f.admin.pubkey();
    let token = f.create_token_account(&mint, &admin_pk).await;
    f.mint_to(&mint, &token, 10_000_000).await;
    let idx = f.unlisted_reserve(mint, 6, f.admin_tokens[USDC]);
    let oracle = oracle_params(
        lending::state::OracleKind::PythPull,
        f.reserves[USDC].price_account,
        f.reserves[USDC].feed_id,
    );
    let admin = f.admin.insecure_clone();
    let ix = f.init_reserve_ix(idx, reserve_config(8_000, 8_500, 10_000), oracle, 1_000);
    expect(
        &mut f,
        ix,
        &[&admin],
        LendingError::InvalidMint,
        "seed account of another mint",
    )
    .await;
    f.admin_tokens[idx] = token;
    let mut ix = f.init_reserve_ix(idx, reserve_config(8_000, 8_500, 10_000), oracle, 1_000);
    ix.accounts[8].pubkey = Pubkey::new_unique();
    expect(
        &mut f,
        ix,
        &[&admin],
        ErrorCode::InvalidProgramId,
        "fake token program",
    )
    .await;
}

#[tokio::test]
async fn fail_refresh_and_writeoff_with_foreign_links() {
    let mut f = TestFixture::new().await;
    let user = f.new_user(&[1_000_000_000, 0, 0]).await;
    f.deposit(&user, USDC, 1_000_000).await.expect("deposit");
    // refresh_reserve with the oracle config of another reserve.
    let mut ix = f.refresh_reserve_ix(SOL);
    ix.accounts[1].pubkey = f.reserves[USDC].oracle_config;
    expect(
        &mut f,
        ix,
        &[],
        LendingError::InvalidOracleConfig,
        "oracle config of another reserve",
    )
    .await;
    // socialize_bad_debt with a reserve of another market, and a never-created obligation.
    let (_, reserve_b, _, _, _) = f.second_market(USDC).await;
    let payer = f.ctx.payer.insecure_clone();
    let mut ix = f.socialize_bad_debt_ix(&user.obligation, USDC);
    ix.accounts[2].pubkey = reserve_b;
    expect(
        &mut f,
        ix,
        &[&payer],
        LendingError::InvalidMarket,
        "reserve of another market",
    )
    .await;
    let ix = f.socialize_bad_debt_ix(&Pubkey::new_unique(), USDC);
    expect(
        &mut f,
        ix,
        &[&payer],
        ErrorCode::AccountOwnedByWrongProgram,
        "missing obligation",
    )
    .await;
}
