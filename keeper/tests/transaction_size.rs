//! Any obligation the program accepts fits one keeper transaction: the byte size of refresh +
//! liquidate (with the compute-budget instructions the keeper adds) for obligations of 2, 5
//! and 8 + 5 reserves, as a legacy transaction and as a v0 message through the keeper's lookup
//! table; and a round that liquidates the 8 + 5 obligation. Run with `--nocapture` for the table.

use std::collections::BTreeSet;

use keeper::banks::Bank;
use keeper::lookup::{compile_v0, serialized_size, PACKET_DATA_SIZE};
use keeper::planner::best_candidate;
use keeper::sim::world::{default_assets, AssetSpec, World};
use keeper::sim::{funded_keeper, market_params};
use lending_math::Decimal;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::{Transaction, VersionedTransaction};

const NAMES: [&str; 13] = [
    "C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "D0", "D1", "D2", "D3", "D4",
];

/// Thirteen $1 assets, 6 decimals: eight collaterals (LTV 70%, threshold 78%), five debts.
fn thirteen_assets() -> Vec<AssetSpec> {
    let template = default_assets()[1].clone();
    NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| AssetSpec {
            symbol: name,
            decimals: 6,
            price: 1.0,
            supply: 1_000_000.0,
            collateral: i < 8,
            ..template.clone()
        })
        .collect()
}

#[tokio::test]
async fn successful_liquidation_of_every_obligation_shape_fits_one_transaction() {
    let mut w = World::new(thirteen_assets(), market_params())
        .await
        .expect("world");
    w.add_lenders().await.expect("lenders");
    let deposits = |n: usize| (0..n).map(|i| (i, 1_000.0)).collect::<Vec<_>>();
    let borrows = |n: usize| (8..8 + n).map(|i| (i, 1_000.0)).collect::<Vec<_>>();
    let shapes = [
        (
            "1 + 1",
            w.open_wide_position(&deposits(1), &[(8, 600.0)]).await,
        ),
        (
            "3 + 2",
            w.open_wide_position(&deposits(3), &borrows(2)).await,
        ),
        (
            "8 + 5",
            w.open_wide_position(&deposits(8), &borrows(5)).await,
        ),
    ];
    let shapes: Vec<(&str, Pubkey)> = shapes
        .into_iter()
        .map(|(n, k)| (n, k.expect("position")))
        .collect();
    // The collaterals fall 30%: UBV = 0.7 × 0.78 = 54.6% of the deposits, under every debt.
    for a in w.assets.iter_mut().take(8) {
        a.price = 0.7;
        a.ema = 0.7;
    }
    w.advance(30, 75).await.expect("advance");
    w.publish_prices(0.001).await.expect("prices");

    let chain = Bank::new(w.ctx.banks_client.clone());
    let reserves: Vec<Pubkey> = w.assets.iter().map(|a| a.reserve).collect();
    chain.track(shapes.iter().map(|(_, k)| *k).chain(reserves));
    let mut keeper = funded_keeper(&mut w, &chain);
    let scan = keeper.scan().await.expect("scan");
    let (snap, assessments) = (scan.snap, scan.assessments);
    let added = keeper
        .prepare_lookup_table(&snap)
        .await
        .expect("lookup table");
    assert!(
        added > 13 * 4,
        "reserves, vaults, mints, oracle configs, prices, accounts: {added}"
    );
    let table = keeper.lookup_table.clone().expect("table").table;

    let balances = keeper.balances(&snap).await.expect("balances");
    let budget = [
        ComputeBudgetInstruction::set_compute_unit_limit(1_400_000),
        ComputeBudgetInstruction::set_compute_unit_price(1_000),
    ];
    let blockhash = chain_blockhash(&chain).await;
    let mut sizes = Vec::new();
    for (name, key) in &shapes {
        let a = assessments
            .iter()
            .find(|a| a.key == *key)
            .expect("assessed");
        assert!(a.liquidatable(), "{name}");
        let c =
            best_candidate(&snap, a, &balances.amounts, Decimal::zero(), None).expect("candidate");
        let mut ixs = budget.to_vec();
        ixs.extend(
            keeper
                .liquidation_ixs(&snap, &c, &BTreeSet::new())
                .expect("ixs"),
        );
        let payer = keeper.payer.pubkey();
        let legacy: VersionedTransaction =
            Transaction::new_signed_with_payer(&ixs, Some(&payer), &[&keeper.payer], blockhash)
                .into();
        let v0 = compile_v0(&keeper.payer, &ixs, blockhash, &table).expect("v0");
        sizes.push((*name, serialized_size(&legacy), serialized_size(&v0)));
    }
    println!("liquidation transaction bytes (limit {PACKET_DATA_SIZE}): shape, legacy, v0");
    for (name, legacy, v0) in &sizes {
        println!("  {name:>5}: {legacy:>5} {v0:>5}");
    }
    assert!(
        sizes[0].1 <= PACKET_DATA_SIZE,
        "a small obligation stays legacy"
    );
    assert!(
        sizes[2].1 > PACKET_DATA_SIZE,
        "8 + 5 does not fit a legacy transaction"
    );
    assert!(
        sizes.iter().all(|s| s.2 <= PACKET_DATA_SIZE),
        "every shape fits v0"
    );

    // The table's addresses are usable from the next slot; then the round liquidates all three,
    // the 8 + 5 one through a v0 transaction.
    w.advance(1, 1).await.expect("next slot");
    w.publish_prices(0.001).await.expect("prices");
    let report = keeper.round().await.expect("round");
    let landed: Vec<Pubkey> = report.liquidations.iter().map(|l| l.obligation).collect();
    for (name, key) in &shapes {
        assert!(landed.contains(key), "{name} liquidated: {report:?}");
    }
    assert_eq!(report.failed, 0);
}

async fn chain_blockhash(chain: &Bank) -> solana_sdk::hash::Hash {
    chain.latest_blockhash().await.expect("blockhash")
}
