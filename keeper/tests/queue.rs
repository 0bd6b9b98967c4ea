//! The keeper's queue under failures: obligations whose liquidation always fails cannot starve
//! the honest ones behind them (failures do not use the round's budget and back off), and a
//! collateral mint without a token account of the keeper gets one in the same transaction.

mod common;

use common::Refusing;
use keeper::banks::Bank;
use keeper::instructions::associated_token_address;
use keeper::sim::world::{default_assets, World};
use keeper::sim::{funded_keeper, market_params};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

const USDC: usize = 0;
const SOL: usize = 1;

async fn crash_sol(w: &mut World, price: f64) {
    w.assets[SOL].price = price;
    w.assets[SOL].ema = price;
    w.advance(30, 75).await.expect("advance");
    w.publish_prices(0.001).await.expect("prices");
}

/// Lenders and `sizes` borrowers of SOL (each at 95% of his USDC limit); SOL then falls to $120.
async fn unhealthy_borrowers(sizes: &[f64]) -> (World, Vec<Pubkey>) {
    let mut w = World::new(default_assets(), market_params())
        .await
        .expect("world");
    w.add_lenders().await.expect("lenders");
    let mut keys = Vec::new();
    for sol in sizes {
        let debt = sol * 99.5;
        keys.push(
            w.open_position(&[(SOL, *sol)], Some((USDC, debt)))
                .await
                .expect("borrower"),
        );
    }
    crash_sol(&mut w, 120.0).await;
    (w, keys)
}

#[tokio::test]
async fn successful_round_liquidates_behind_obligations_that_always_fail() {
    // Two large (more profitable, so first in the queue) obligations always fail; the small
    // honest one behind them must land in the first round with a budget of one liquidation.
    let (mut w, keys) = unhealthy_borrowers(&[200.0, 200.0, 100.0]).await;
    let banks = Bank::new(w.ctx.banks_client.clone());
    let reserves: Vec<Pubkey> = w.assets.iter().map(|a| a.reserve).collect();
    banks.track(keys.iter().copied().chain(reserves));
    let chain = Refusing {
        inner: &banks,
        refused: keys[..2].iter().copied().collect(),
    };
    let mut keeper = funded_keeper(&mut w, &chain);
    keeper.config.max_liquidations_per_round = 1;
    let first = keeper.round().await.expect("round");
    assert_eq!(first.unhealthy.len(), 3);
    assert_eq!(first.failed, 2, "both refused obligations were tried");
    assert_eq!(first.liquidations.len(), 1);
    assert_eq!(
        first.liquidations[0].obligation, keys[2],
        "the honest one landed"
    );
    // Next round the refused ones sit out (backed off); they are retried after that.
    let second = keeper.round().await.expect("round");
    assert_eq!((second.backed_off, second.failed), (2, 0));
    let third = keeper.round().await.expect("round");
    assert_eq!(
        (third.backed_off, third.failed),
        (0, 2),
        "retried after one round"
    );
    let fourth = keeper.round().await.expect("round");
    assert_eq!(fourth.backed_off, 2, "now for two rounds");
}

#[tokio::test]
async fn successful_liquidation_creates_the_missing_collateral_token_account() {
    let (mut w, keys) = unhealthy_borrowers(&[100.0]).await;
    let chain = Bank::new(w.ctx.banks_client.clone());
    let reserves: Vec<Pubkey> = w.assets.iter().map(|a| a.reserve).collect();
    chain.track(keys.iter().copied().chain(reserves));
    let mut keeper = funded_keeper(&mut w, &chain);
    // The keeper holds no SOL account: the seized SOL goes to its associated account, created
    // in the liquidation's transaction.
    keeper.token_accounts.remove(&w.assets[SOL].mint);
    let ata = associated_token_address(
        &keeper.payer.pubkey(),
        &w.assets[SOL].mint,
        &spl_token_interface::ID,
    );
    assert!(chain.accounts(&[ata]).await.expect("rpc")[0].is_none());
    let report = keeper.round().await.expect("round");
    assert_eq!(report.liquidations.len(), 1, "{report:?}");
    let acc = chain.accounts(&[ata]).await.expect("rpc")[0]
        .clone()
        .expect("created");
    assert_eq!(
        keeper::market::token_amount(&acc),
        Some(report.liquidations[0].liquidator_amount)
    );
}
