//! `refresh_obligation` takes exactly the obligation's reserves, in order, each fresh.

use anchor_lang::error::ErrorCode;
use lending::error::LendingError;
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::fixture::*;

/// A user with USDC and VOL deposits and a SOL borrow: refresh order USDC, VOL, SOL.
async fn setup() -> (TestFixture, TestUser) {
    let mut f = TestFixture::new().await;
    let lender = f.new_user(&[0, 10_000_000_000, 0]).await;
    f.deposit(&lender, SOL, 10_000_000_000)
        .await
        .expect("lend SOL");
    let user = f.new_user(&[10_000_000_000, 0, 10_000_000_000]).await;
    f.deposit(&user, USDC, 1_000_000_000).await.expect("usdc");
    f.deposit(&user, VOL, 1_000_000_000).await.expect("vol");
    f.borrow(&user, SOL, 1_000_000_000).await.expect("borrow");
    (f, user)
}

fn keys(f: &TestFixture) -> [Pubkey; 3] {
    [
        f.reserves[USDC].reserve,
        f.reserves[SOL].reserve,
        f.reserves[VOL].reserve,
    ]
}

async fn refresh_with(
    f: &mut TestFixture,
    user: &TestUser,
    reserves: &[Pubkey],
) -> Result<(), solana_program_test::BanksClientError> {
    let mut ixs: Vec<_> = (0..3).map(|i| f.refresh_reserve_ix(i)).collect();
    ixs.push(f.refresh_obligation_ix_with(&user.obligation, reserves));
    f.send(&ixs, &[]).await
}

#[tokio::test]
async fn successful_refresh_values_deposits_and_borrows() {
    let (mut f, user) = setup().await;
    let [usdc, sol, vol] = keys(&f);
    refresh_with(&mut f, &user, &[usdc, vol, sol])
        .await
        .expect("refresh");
    let o = f.obligation(&user.obligation).await;
    // $1,000 of USDC + 1,000 VOL at $0.50; 1 SOL of debt at $100 (+ $0.10 confidence).
    assert_eq!(o.deposited_value_sf.get(), Decimal::from_u64(1_500));
    assert_eq!(o.borrowed_value_sf.get(), Decimal::from_u64(100));
    assert_eq!(
        o.bf_adjusted_debt_value_upper_sf.get(),
        Decimal::from_ratio(1_001, 10).unwrap()
    );
    assert_eq!(o.liquidatable_since_ts, 0);
}

#[tokio::test]
async fn fail_refresh_when_a_reserve_is_missing() {
    let (mut f, user) = setup().await;
    let [usdc, _, vol] = keys(&f);
    let before = f.snapshot(&[user.obligation]).await;
    assert_error(
        refresh_with(&mut f, &user, &[usdc, vol]).await,
        LendingError::InvalidRefreshAccounts,
    );
    assert_error(
        refresh_with(&mut f, &user, &[]).await,
        LendingError::InvalidRefreshAccounts,
    );
    assert_eq!(f.snapshot(&[user.obligation]).await, before);
}

#[tokio::test]
async fn fail_refresh_when_an_extra_reserve_is_passed() {
    let (mut f, user) = setup().await;
    let [usdc, sol, vol] = keys(&f);
    assert_error(
        refresh_with(&mut f, &user, &[usdc, vol, sol, sol]).await,
        LendingError::InvalidRefreshAccounts,
    );
}

#[tokio::test]
async fn fail_refresh_when_reserves_are_reordered_or_duplicated() {
    let (mut f, user) = setup().await;
    let [usdc, sol, vol] = keys(&f);
    assert_error(
        refresh_with(&mut f, &user, &[vol, usdc, sol]).await,
        LendingError::InvalidRefreshAccounts,
    );
    assert_error(
        refresh_with(&mut f, &user, &[usdc, usdc, sol]).await,
        LendingError::InvalidRefreshAccounts,
    );
    assert_error(
        refresh_with(&mut f, &user, &[usdc, sol, sol]).await,
        LendingError::InvalidRefreshAccounts,
    );
}

#[tokio::test]
async fn fail_refresh_when_a_reserve_is_from_another_market() {
    let (mut f, user) = setup().await;
    let (_, reserve_b, _, _, _) = f.second_market(VOL).await;
    let [usdc, sol, _] = keys(&f);
    let price = f.reserves[VOL].price_account;
    let (market_b_reserve_refresh, oc_b) = (
        reserve_b,
        Pubkey::find_program_address(
            &[lending::constants::ORACLE_CONFIG_SEED, reserve_b.as_ref()],
            &lending::ID,
        )
        .0,
    );
    let mut ixs: Vec<_> = (0..3).map(|i| f.refresh_reserve_ix(i)).collect();
    let mut refresh_b = f.refresh_reserve_ix_with(VOL, &price);
    refresh_b.accounts[0].pubkey = market_b_reserve_refresh;
    refresh_b.accounts[1].pubkey = oc_b;
    ixs.push(refresh_b);
    ixs.push(f.refresh_obligation_ix_with(&user.obligation, &[usdc, reserve_b, sol]));
    assert_error(f.send(&ixs, &[]).await, LendingError::InvalidMarket);
}

#[tokio::test]
async fn fail_refresh_when_a_reserve_was_refreshed_in_an_earlier_slot() {
    let (mut f, user) = setup().await;
    let [usdc, sol, vol] = keys(&f);
    f.next_slot().await;
    let ixs = vec![
        f.refresh_reserve_ix(USDC),
        f.refresh_reserve_ix(VOL),
        f.refresh_obligation_ix_with(&user.obligation, &[usdc, vol, sol]),
    ];
    assert_error(f.send(&ixs, &[]).await, LendingError::ReserveStale);
}

#[tokio::test]
async fn fail_refresh_when_an_account_is_not_a_reserve() {
    let (mut f, user) = setup().await;
    let [usdc, sol, vol] = keys(&f);
    let oc = f.reserves[VOL].oracle_config;
    assert_error(
        refresh_with(&mut f, &user, &[usdc, oc, sol]).await,
        ErrorCode::AccountDiscriminatorMismatch,
    );
    let fake = f
        .clone_account_with_owner(&vol, &Pubkey::new_unique())
        .await;
    assert_error(
        refresh_with(&mut f, &user, &[usdc, fake, sol]).await,
        ErrorCode::AccountOwnedByWrongProgram,
    );
}

#[tokio::test]
async fn successful_refresh_records_when_first_liquidatable_and_clears_it() {
    let mut f = TestFixture::new().await;
    let (_lender, user) = crate::user_actions::lender_and_borrower(&mut f).await;
    f.borrow(&user, USDC, 700_000_000).await.expect("borrow");
    // 10 SOL at $80: UBV = 10 × 80 × 80% = 640 < 700 debt.
    f.set_price(SOL, 80.0).await;
    f.refresh(&user.obligation).await.expect("refresh");
    let now = f.now().await;
    let o = f.obligation(&user.obligation).await;
    assert!(o.health().is_liquidatable());
    assert_eq!(o.liquidatable_since_ts, now);
    f.advance_time(30).await;
    f.refresh(&user.obligation).await.expect("refresh again");
    assert_eq!(
        f.obligation(&user.obligation).await.liquidatable_since_ts,
        now,
        "keeps the first time"
    );
    f.set_price(SOL, 100.0).await;
    f.next_slot().await;
    f.refresh(&user.obligation).await.expect("healthy again");
    assert_eq!(
        f.obligation(&user.obligation).await.liquidatable_since_ts,
        0
    );
}
