//! Token-2022: a mint with any extension (transfer fee, transfer hook, permanent delegate, ...)
//! is refused at reserve creation, because its transfers could move less than the accounting
//! records, call foreign code, or let a third party pull tokens out of the vault. A plain
//! Token-2022 mint is accepted.

use lending::error::LendingError;
use lending::state::OracleKind;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use spl_token_2022_interface::extension::ExtensionType;
use spl_token_2022_interface::ID as TOKEN_2022;

use crate::fixture::*;

/// Creates a Token-2022 mint with `extensions`, each initialised by `init`, then the mint.
async fn mint_2022(
    f: &mut TestFixture,
    extensions: &[ExtensionType],
    init: Vec<Instruction>,
    mint: &Keypair,
) {
    let space = ExtensionType::try_calculate_account_len::<spl_token_2022_interface::state::Mint>(
        extensions,
    )
    .expect("mint size");
    let rent = f.ctx.banks_client.get_rent().await.expect("rent");
    let mut ixs = vec![
        anchor_lang::solana_program::system_instruction::create_account(
            &f.ctx.payer.pubkey(),
            &mint.pubkey(),
            rent.minimum_balance(space),
            space as u64,
            &TOKEN_2022,
        ),
    ];
    ixs.extend(init);
    ixs.push(
        spl_token_2022_interface::instruction::initialize_mint2(
            &TOKEN_2022,
            &mint.pubkey(),
            &f.admin.pubkey(),
            None,
            6,
        )
        .expect("init mint"),
    );
    f.send(&ixs, &[mint]).await.expect("create Token-2022 mint");
}

/// A Token-2022 token account of `mint` for the admin, holding `amount`.
async fn admin_account_2022(
    f: &mut TestFixture,
    mint: &Pubkey,
    extensions: &[ExtensionType],
    amount: u64,
) -> Pubkey {
    let acc = Keypair::new();
    let account_ext: Vec<ExtensionType> =
        ExtensionType::get_required_init_account_extensions(extensions);
    let space =
        ExtensionType::try_calculate_account_len::<spl_token_2022_interface::state::Account>(
            &account_ext,
        )
        .expect("account size");
    let rent = f.ctx.banks_client.get_rent().await.expect("rent");
    let admin = f.admin.insecure_clone();
    let ixs = vec![
        anchor_lang::solana_program::system_instruction::create_account(
            &f.ctx.payer.pubkey(),
            &acc.pubkey(),
            rent.minimum_balance(space),
            space as u64,
            &TOKEN_2022,
        ),
        spl_token_2022_interface::instruction::initialize_account3(
            &TOKEN_2022,
            &acc.pubkey(),
            mint,
            &admin.pubkey(),
        )
        .expect("init account"),
        spl_token_2022_interface::instruction::mint_to(
            &TOKEN_2022,
            mint,
            &acc.pubkey(),
            &admin.pubkey(),
            &[],
            amount,
        )
        .expect("mint_to"),
    ];
    f.send(&ixs, &[&acc, &admin])
        .await
        .expect("Token-2022 account");
    acc.pubkey()
}

/// Tries to list `mint` (a Token-2022 mint with `extensions`) in the fixture's market.
async fn list(
    f: &mut TestFixture,
    mint: Pubkey,
    extensions: &[ExtensionType],
) -> Result<(), solana_program_test::BanksClientError> {
    let token = admin_account_2022(f, &mint, extensions, 10_000_000).await;
    let idx = f.unlisted_reserve(mint, 6, token);
    let (price_account, feed_id) = (f.reserves[USDC].price_account, f.reserves[USDC].feed_id);
    let mut ix = f.init_reserve_ix(
        idx,
        reserve_config(8_000, 8_500, 10_000),
        oracle_params(OracleKind::PythPull, price_account, feed_id),
        1_000_000,
    );
    // token_program is the ninth account of init_reserve.
    ix.accounts[8].pubkey = TOKEN_2022;
    let admin = f.admin.insecure_clone();
    f.send(&[ix], &[&admin]).await
}

#[tokio::test]
async fn fail_init_reserve_when_mint_has_a_transfer_fee() {
    let mut f = TestFixture::new().await;
    let mint = Keypair::new();
    let admin = f.admin.pubkey();
    let init = spl_token_2022_interface::extension::transfer_fee::instruction::initialize_transfer_fee_config(
        &TOKEN_2022,
        &mint.pubkey(),
        Some(&admin),
        Some(&admin),
        100,
        1_000_000,
    )
    .expect("fee config");
    mint_2022(
        &mut f,
        &[ExtensionType::TransferFeeConfig],
        vec![init],
        &mint,
    )
    .await;
    assert_error(
        list(&mut f, mint.pubkey(), &[ExtensionType::TransferFeeConfig]).await,
        LendingError::UnsupportedTokenExtension,
    );
}

#[tokio::test]
async fn fail_init_reserve_when_mint_has_a_permanent_delegate() {
    let mut f = TestFixture::new().await;
    let mint = Keypair::new();
    let thief = Pubkey::new_unique();
    let init = spl_token_2022_interface::instruction::initialize_permanent_delegate(
        &TOKEN_2022,
        &mint.pubkey(),
        &thief,
    )
    .expect("permanent delegate");
    mint_2022(
        &mut f,
        &[ExtensionType::PermanentDelegate],
        vec![init],
        &mint,
    )
    .await;
    assert_error(
        list(&mut f, mint.pubkey(), &[ExtensionType::PermanentDelegate]).await,
        LendingError::UnsupportedTokenExtension,
    );
}

#[tokio::test]
async fn fail_init_reserve_when_mint_has_a_transfer_hook() {
    let mut f = TestFixture::new().await;
    let mint = Keypair::new();
    let admin = f.admin.pubkey();
    let init = spl_token_2022_interface::extension::transfer_hook::instruction::initialize(
        &TOKEN_2022,
        &mint.pubkey(),
        Some(admin),
        Some(Pubkey::new_unique()),
    )
    .expect("transfer hook");
    mint_2022(&mut f, &[ExtensionType::TransferHook], vec![init], &mint).await;
    assert_error(
        list(&mut f, mint.pubkey(), &[ExtensionType::TransferHook]).await,
        LendingError::UnsupportedTokenExtension,
    );
}

#[tokio::test]
async fn successful_init_reserve_with_a_plain_token_2022_mint() {
    let mut f = TestFixture::new().await;
    let mint = Keypair::new();
    mint_2022(&mut f, &[], vec![], &mint).await;
    list(&mut f, mint.pubkey(), &[])
        .await
        .expect("a Token-2022 mint without extensions is listed");
    let idx = f.reserves.len() - 1;
    let r = f.reserve(idx).await;
    assert_eq!(r.token_program, TOKEN_2022);
    assert_eq!(r.available_amount, 1_000_000);
}
