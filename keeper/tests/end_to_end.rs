//! The keeper's round logic against the in-process chain: it finds the unhealthy obligation,
//! liquidates it with the amounts the program computes, leaves healthy ones alone, and keeps
//! going when an oracle is stale.

use keeper::banks::Bank;
use keeper::market::decode;
use keeper::sim::world::{default_assets, World};
use keeper::sim::{funded_keeper, market_params};
use lending::state::{Obligation, Reserve};
use solana_sdk::pubkey::Pubkey;

const USDC: usize = 0;
const SOL: usize = 1;

/// A market with lenders, a risky borrower (SOL collateral, 95% of the USDC limit) and a safe
/// one (30%).
async fn world() -> (World, Pubkey, Pubkey) {
    let mut w = World::new(default_assets(), market_params())
        .await
        .expect("world");
    w.add_lenders().await.expect("lenders");
    // 100 SOL = $15,000; limit ≈ 15,000 × 0.999 × 70% / 1.001.
    let risky = w
        .open_position(&[(SOL, 100.0)], Some((USDC, 9_950.0)))
        .await
        .expect("risky");
    let safe = w
        .open_position(&[(SOL, 100.0)], Some((USDC, 3_000.0)))
        .await
        .expect("safe");
    (w, risky, safe)
}

async fn obligation(chain: &Bank, key: Pubkey) -> Obligation {
    let acc = chain
        .client()
        .get_account(key)
        .await
        .expect("rpc")
        .expect("exists");
    decode(&acc.data).expect("obligation")
}

async fn crash_sol(w: &mut World, price: f64) {
    w.assets[SOL].price = price;
    w.assets[SOL].ema = price;
    w.advance(30, 75).await.expect("advance");
    w.publish_prices(0.001).await.expect("prices");
}

#[tokio::test]
async fn successful_round_liquidates_only_the_unhealthy_obligation() {
    let (mut w, risky, safe) = world().await;
    let chain = Bank::new(w.ctx.banks_client.clone());
    chain.track([
        risky,
        safe,
        w.assets[USDC].reserve,
        w.assets[SOL].reserve,
        w.assets[2].reserve,
        w.assets[3].reserve,
    ]);
    let keeper = funded_keeper(&mut w, &chain);
    let report = keeper.round().await.expect("round");
    assert!(
        report.unhealthy.is_empty() && report.liquidations.is_empty(),
        "all healthy at $150"
    );

    // SOL $150 → $120: risky UBV = 100 × 120 × 78% = $9,360 < $9,950 debt; safe stays healthy.
    crash_sol(&mut w, 120.0).await;
    let debt_before = obligation(&chain, risky).await.borrows[0]
        .normalized_debt_sf
        .get();
    let report = keeper.round().await.expect("round");
    assert_eq!(report.unhealthy, vec![risky]);
    assert_eq!(report.liquidations.len(), 1);
    let l = &report.liquidations[0];
    assert_eq!(l.obligation, risky);
    // Sized to the target health 1.05, past the $1,990 close factor at the auction's starting
    // 3%: (1.05 × 9,950 − 9,360) / (1.05 − 0.78 × 1.03) = 4,409.98 USDC (and some interest).
    assert!(
        (4_409_975_000..4_410_100_000).contains(&l.repay_amount),
        "{}",
        l.repay_amount
    );
    let after = obligation(&chain, risky).await;
    let h = after.health();
    assert!(
        h.unhealthy_borrow_value
            >= h.bf_adjusted_debt_value
                .try_mul(lending_math::Decimal::from_bps(10_500))
                .unwrap(),
        "one liquidation lifts it to the target: {h:?}"
    );
    // Exactly what the repayment removes at the index of the liquidation's slot.
    let acc = chain
        .client()
        .get_account(w.assets[USDC].reserve)
        .await
        .expect("rpc")
        .expect("exists");
    let usdc: Reserve = decode(&acc.data).expect("reserve");
    let repaid =
        lending_math::debt::repayment(debt_before, usdc.borrow_index_sf.get(), l.repay_amount)
            .expect("repayment");
    assert_eq!(after.borrows[0].normalized_debt_sf.get(), repaid.left);
    assert_eq!(
        obligation(&chain, safe).await.borrows[0]
            .normalized_debt_sf
            .get()
            .try_floor_u64()
            .unwrap(),
        3_000_000_000
    );
    assert_eq!(keeper.metrics.succeeded.get(), 1);
    assert!(keeper
        .metrics
        .render()
        .contains("sentinel_keeper_liquidations_succeeded_total 1"));
}

#[tokio::test]
async fn successful_dry_run_sends_nothing() {
    let (mut w, risky, safe) = world().await;
    let chain = Bank::new(w.ctx.banks_client.clone());
    chain.track([
        risky,
        safe,
        w.assets[0].reserve,
        w.assets[1].reserve,
        w.assets[2].reserve,
        w.assets[3].reserve,
    ]);
    let mut keeper = funded_keeper(&mut w, &chain);
    keeper.config.dry_run = true;
    crash_sol(&mut w, 120.0).await;
    let before = obligation(&chain, risky).await.borrows[0].normalized_debt_sf;
    let report = keeper.round().await.expect("round");
    assert_eq!(report.sent, 1);
    assert_eq!(
        obligation(&chain, risky).await.borrows[0].normalized_debt_sf,
        before,
        "nothing changed"
    );
}

#[tokio::test]
async fn successful_round_survives_a_stale_oracle() {
    let (mut w, risky, safe) = world().await;
    let chain = Bank::new(w.ctx.banks_client.clone());
    chain.track([
        risky,
        safe,
        w.assets[0].reserve,
        w.assets[1].reserve,
        w.assets[2].reserve,
        w.assets[3].reserve,
    ]);
    let keeper = funded_keeper(&mut w, &chain);
    w.assets[SOL].price = 120.0;
    w.advance(3_600, 75).await.expect("an hour without prices");
    let report = keeper.round().await.expect("the round completes");
    // Both are valued as a liquidation would (a failing oracle's deposits count as nothing),
    // but no pair has a valid price to liquidate with, so nothing is sent.
    assert_eq!(report.skipped, 0);
    assert_eq!(report.sent, 0, "no liquidation on a stale price");
    assert!(report.liquidations.is_empty());
    w.publish_prices(0.001).await.expect("prices are back");
    let report = keeper.round().await.expect("round");
    assert_eq!(
        report.liquidations.len(),
        1,
        "liquidates once prices are fresh again"
    );
}

/// Audit finding 2 from the keeper's side: a second wallet has borrowed every free SOL, so a
/// liquidation cannot pay SOL out; the keeper, given its own obligation, is paid in SOL shares.
#[tokio::test]
async fn successful_round_pays_in_shares_when_the_collateral_reserve_is_drained() {
    use anchor_lang::{InstructionData, ToAccountMetas};
    use solana_sdk::signature::Signer;

    let (mut w, risky, safe) = world().await;
    let chain = Bank::new(w.ctx.banks_client.clone());
    let sol_reserve = w.assets[SOL].reserve;
    let reserve: lending::state::Reserve = {
        let acc = chain
            .client()
            .get_account(sol_reserve)
            .await
            .unwrap()
            .unwrap();
        decode(&acc.data).unwrap()
    };
    let free_sol = reserve.available_amount as f64 / 1e9;
    let drainer = w
        .open_position(&[(USDC, 150_000_000.0)], Some((SOL, free_sol)))
        .await
        .expect("a second wallet borrows every free SOL");
    chain.track([
        risky,
        safe,
        drainer,
        w.assets[0].reserve,
        w.assets[1].reserve,
        w.assets[2].reserve,
        w.assets[3].reserve,
    ]);
    let mut keeper = funded_keeper(&mut w, &chain);
    let owner = keeper.payer.pubkey();
    let mine = Pubkey::find_program_address(
        &[
            lending::constants::OBLIGATION_SEED,
            w.market.as_ref(),
            owner.as_ref(),
            &0u16.to_le_bytes(),
        ],
        &lending::ID,
    )
    .0;
    let ix = solana_sdk::instruction::Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::InitObligation {
            owner,
            payer: owner,
            lending_market: w.market,
            obligation: mine,
            system_program: anchor_lang::system_program::ID,
            event_authority: keeper::instructions::event_authority(),
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::InitObligation { id: 0 }.data(),
    };
    let payer = keeper.payer.insecure_clone();
    w.send(&[ix], &[&payer])
        .await
        .expect("the keeper's obligation");
    chain.track([mine]);
    crash_sol(&mut w, 120.0).await;
    let left: lending::state::Reserve = {
        let acc = chain
            .client()
            .get_account(sol_reserve)
            .await
            .unwrap()
            .unwrap();
        decode(&acc.data).unwrap()
    };
    assert_eq!(left.available_amount, 0, "no free SOL");

    // Without an obligation to credit, nothing can be paid: no liquidation.
    let report = keeper.round().await.expect("round");
    assert_eq!(report.unhealthy, vec![risky]);
    assert!(
        report.liquidations.is_empty(),
        "no free SOL to pay in tokens"
    );
    // With it, the collateral comes as shares.
    let reserve_of = |acc: solana_sdk::account::Account| -> lending::state::Reserve {
        decode(&acc.data).expect("reserve")
    };
    let sol_before = reserve_of(
        chain
            .client()
            .get_account(sol_reserve)
            .await
            .unwrap()
            .unwrap(),
    );
    let risky_before = obligation(&chain, risky).await;
    keeper.config.liquidator_obligation = Some(mine);
    let report = keeper.round().await.expect("round");
    assert_eq!((report.sent, report.failed), (1, 0), "sent and landed");
    assert_eq!(report.liquidations.len(), 1);
    assert_eq!(report.liquidations[0].obligation, risky);
    let o = obligation(&chain, mine).await;
    assert_eq!(o.deposits[0].reserve, sol_reserve);
    // Exactly the seized shares less the protocol fee's, which are burned.
    let sol_after = reserve_of(
        chain
            .client()
            .get_account(sol_reserve)
            .await
            .unwrap()
            .unwrap(),
    );
    let risky_after = obligation(&chain, risky).await;
    let seized = risky_before.deposits[0].shares - risky_after.deposits[0].shares;
    let burned = sol_before.share_supply - sol_after.share_supply;
    assert!(seized > 0 && burned > 0);
    assert_eq!(
        o.deposits[0].shares,
        seized - burned,
        "credited with SOL shares"
    );
}
