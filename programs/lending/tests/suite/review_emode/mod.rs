//! Independent review (attacker's view) of e-mode groups. Every test asserts the SAFE
//! behaviour: a refused attack checks the exact error code and that every account it could
//! touch is byte-identical afterwards; a test marked `#[ignore = "FINDING: ..."]` documents a
//! hole (it states the correct behaviour and fails on the current program).
//!
//! Files by theme:
//! - `group_changes`: `set_obligation_group` (remaining-accounts tricks, signer and market
//!   checks, stale reserves, flash-loan collateral, groups without members);
//! - `admin_changes`: the admin edits groups, memberships and the market after obligations
//!   joined (insolvency LTV, removed members, a lowered threshold, the 98% bound);
//! - `liquidations`: liquidations under group parameters (bonus bounds, consistency with the
//!   borrow limit, dust, seizure paid in shares to a receiver in a group).
//!
//! The market: the suite's default (USDC, SOL, VOL) plus USDT (index 3); group 1 "stables"
//! (LTV 92%, threshold 94%, bonus 1–2%) and group 2 "tight" (88% / 90%, same bonus) of USDC and
//! USDT. The reserves' own bonus bounds are 2–10%.

use lending::state::{EmodeGroup, MarketParams, OracleKind};
use solana_program_test::BanksClientError;
use solana_sdk::instruction::{AccountMeta, Instruction};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::emode::{set_emode_group_ix, set_group_ix, set_reserve_groups_ix, stables};
use crate::fixture::*;

mod admin_changes;
mod group_changes;
mod liquidations;
mod sequences;

/// Index of the USDT-like reserve (6 decimals, $1).
pub(crate) const USDT: usize = 3;
/// The stablecoin group.
pub(crate) const STABLES: u8 = 1;
/// A second group of the same members with a lower threshold.
pub(crate) const TIGHT: u8 = 2;
/// One whole token of a 6-decimal mint.
pub(crate) const UNIT: u64 = 1_000_000;
/// One whole SOL.
pub(crate) const SOL_UNIT: u64 = 1_000_000_000;

/// The tight group: LTV 88%, threshold 90%, bonus 1–2%.
pub(crate) fn tight() -> EmodeGroup {
    EmodeGroup {
        loan_to_value_bps: 8_800,
        liquidation_threshold_bps: 9_000,
        ..stables()
    }
}

/// The market, a lender (100,000 USDT, 100,000 USDC, 100 SOL supplied) and a borrower with
/// 10,000 USDC deposited, outside any group, holding 100 SOL in his wallet.
pub(crate) async fn market() -> (TestFixture, TestUser, TestUser) {
    market_with(default_market_params()).await
}

/// [`market`] on a market of `params`.
pub(crate) async fn market_with(params: MarketParams) -> (TestFixture, TestUser, TestUser) {
    let mut f = TestFixture::with_market_params(params).await;
    let mut feed_id = [0u8; 32];
    feed_id[0] = 4;
    feed_id[31] = 0xfe;
    let usdt = f
        .add_reserve(
            6,
            1.0,
            OracleKind::PythPull,
            feed_id,
            reserve_config(8_000, 8_500, 10_000),
        )
        .await;
    assert_eq!(usdt, USDT);
    let admin = f.admin.pubkey();
    for ix in [
        set_emode_group_ix(&f, &admin, STABLES, stables()),
        set_emode_group_ix(&f, &admin, TIGHT, tight()),
        set_reserve_groups_ix(&f, &admin, USDC, 0b11),
        set_reserve_groups_ix(&f, &admin, USDT, 0b11),
    ] {
        admin_send(&mut f, ix).await.expect("admin setup");
    }
    let lender = f
        .new_user(&[100_000 * UNIT, 100 * SOL_UNIT, 0, 100_000 * UNIT])
        .await;
    for (idx, amount) in [
        (USDT, 100_000 * UNIT),
        (USDC, 100_000 * UNIT),
        (SOL, 100 * SOL_UNIT),
    ] {
        f.deposit(&lender, idx, amount).await.expect("lend");
    }
    let borrower = f.new_user(&[10_000 * UNIT, 100 * SOL_UNIT, 0, 0]).await;
    f.deposit(&borrower, USDC, 10_000 * UNIT)
        .await
        .expect("deposit USDC");
    (f, lender, borrower)
}

/// [`market`] with the borrower in the stables group owing `debt` USDT.
pub(crate) async fn borrower_in_group(debt: u64) -> (TestFixture, TestUser, TestUser) {
    let (mut f, lender, borrower) = market().await;
    join(&mut f, &borrower, STABLES).await.expect("join");
    f.borrow(&borrower, USDT, debt).await.expect("borrow");
    (f, lender, borrower)
}

/// Sends `ix` signed by the market admin.
pub(crate) async fn admin_send(
    f: &mut TestFixture,
    ix: Instruction,
) -> Result<(), BanksClientError> {
    let admin = f.admin.insecure_clone();
    f.send(&[ix], &[&admin]).await
}

/// Refreshes every reserve and the obligation, then sets the user's group, in one transaction.
pub(crate) async fn join(
    f: &mut TestFixture,
    user: &TestUser,
    group: u8,
) -> Result<(), BanksClientError> {
    let mut ixs = f.refresh_ixs(&user.obligation).await;
    ixs.push(set_group_ix(f, &user.keypair, &user.obligation, group).await);
    f.send(&ixs, &[&user.keypair]).await
}

/// `set_obligation_group` of `obligation` signed by `owner` with exactly `reserves` as
/// remaining accounts (read-only).
pub(crate) fn group_ix_with(
    f: &TestFixture,
    owner: &Keypair,
    obligation: &Pubkey,
    group: u8,
    reserves: &[Pubkey],
) -> Instruction {
    use anchor_lang::{InstructionData, ToAccountMetas};
    let mut accounts = lending::accounts::SetObligationGroup {
        owner: owner.pubkey(),
        lending_market: f.market,
        obligation: *obligation,
        event_authority: event_authority(),
        program: lending::ID,
    }
    .to_account_metas(None);
    accounts.extend(
        reserves
            .iter()
            .map(|r| AccountMeta::new_readonly(*r, false)),
    );
    Instruction {
        program_id: lending::ID,
        accounts,
        data: lending::instruction::SetObligationGroup { group }.data(),
    }
}

/// Refresh instructions of every reserve of the market (no obligation refresh).
pub(crate) fn reserve_refreshes(f: &TestFixture) -> Vec<Instruction> {
    (0..f.reserves.len())
        .map(|i| f.refresh_reserve_ix(i))
        .collect()
}

/// Every account of the market an e-mode action could write, plus the users' obligations
/// and token accounts and `extra`.
pub(crate) fn watched(f: &TestFixture, users: &[&TestUser], extra: &[Pubkey]) -> Vec<Pubkey> {
    let mut keys = vec![f.market];
    for r in &f.reserves {
        keys.extend([r.reserve, r.vault]);
    }
    for u in users {
        keys.push(u.obligation);
        keys.extend(u.tokens.iter().copied());
    }
    keys.extend_from_slice(extra);
    keys
}

/// Sends `ixs` signed by `signers`: must fail with exactly `code`, and every account of
/// [`watched`] (`users`, `extra`) must be byte-identical afterwards.
pub(crate) async fn refused(
    f: &mut TestFixture,
    ixs: &[Instruction],
    signers: &[&Keypair],
    users: &[&TestUser],
    extra: &[Pubkey],
    code: impl Into<u32>,
) {
    let keys = watched(f, users, extra);
    let before = f.snapshot(&keys).await;
    let res = f.send(ixs, signers).await;
    assert_error(res, code);
    assert_eq!(
        f.snapshot(&keys).await,
        before,
        "a refused transaction changed accounts"
    );
}

/// Lets the liquidation auction of `obligation` run for `secs`: time moves in steps of 20 s
/// (under the market's 30 s episode gap, so the episode goes on), prices republished and the
/// obligation refreshed at each step, as keepers would.
pub(crate) async fn run_auction(f: &mut TestFixture, obligation: &Pubkey, secs: i64) {
    f.refresh(obligation).await.expect("refresh");
    let mut t = 0;
    while t < secs {
        f.advance_time(20).await;
        f.refresh(obligation).await.expect("refresh");
        t += 20;
    }
}

/// What a liquidation did, checked: the obligation's totals from a refresh in this slot just
/// before, those the liquidation stored after, and its event.
pub(crate) struct Checked {
    /// Totals before.
    pub before: lending_math::health::Health,
    /// Totals after.
    pub after: lending_math::health::Health,
    /// The event.
    pub event: lending::events::Liquidated,
}

/// Refreshes, then liquidates `obligation` (repay `repay`, seize `withdraw`, at most
/// `amount`), paying the collateral in tokens or as shares to `receiver`; asserts that the
/// health factor strictly rose (`UBV' × BFDV > UBV × BFDV'`) or no debt is left.
pub(crate) async fn checked_liquidation(
    f: &mut TestFixture,
    liquidator: &TestUser,
    obligation: &Pubkey,
    legs: (usize, usize),
    amount: u64,
    receiver: Option<Pubkey>,
) -> Checked {
    try_liquidation(f, liquidator, obligation, legs, amount, receiver)
        .await
        .expect("liquidate")
}

/// [`checked_liquidation`], returning the transaction's error instead of panicking on it.
pub(crate) async fn try_liquidation(
    f: &mut TestFixture,
    liquidator: &TestUser,
    obligation: &Pubkey,
    (repay, withdraw): (usize, usize),
    amount: u64,
    receiver: Option<Pubkey>,
) -> Result<Checked, BanksClientError> {
    f.refresh(obligation).await.expect("refresh");
    let before = f.obligation(obligation).await.health();
    let mut ixs = f.refresh_ixs(obligation).await;
    ixs.push(
        crate::liquidation::liquidate_ix_with(
            f,
            liquidator,
            obligation,
            (repay, withdraw),
            amount,
            0,
            receiver,
        )
        .await,
    );
    let tx = f.transaction(&ixs, &[&liquidator.keypair]).await;
    let sim = f
        .ctx
        .banks_client
        .simulate_transaction(tx)
        .await
        .expect("simulate");
    if let Some(Err(e)) = sim.result {
        return Err(BanksClientError::TransactionError(e));
    }
    let mut events: Vec<lending::events::Liquidated> =
        crate::events::simulate_events(f, &ixs, &[&liquidator.keypair]).await;
    assert_eq!(events.len(), 1, "one Liquidated event");
    f.send(&ixs, &[&liquidator.keypair]).await?;
    let after = f.obligation(obligation).await.health();
    assert!(
        after.bf_adjusted_debt_value.is_zero()
            || after
                .unhealthy_borrow_value
                .try_mul(before.bf_adjusted_debt_value)
                .unwrap()
                > before
                    .unhealthy_borrow_value
                    .try_mul(after.bf_adjusted_debt_value)
                    .unwrap(),
        "health did not strictly improve: {before:?} -> {after:?}"
    );
    Ok(Checked {
        before,
        after,
        event: events.remove(0),
    })
}
