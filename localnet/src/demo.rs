//! `--demo`: a ready market for the dApp and manual testing, built with the simulator's own
//! bootstrap (`sentinel_harness::world::World`): USDC, SOL, ETH (Pyth pull) and JUP (legacy Pyth), funded
//! lenders and a few seeded borrowers. Its prices stay fresh (`keepFresh`) until changed.

use lending::state::OracleKind;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use solana_sdk::pubkey::Pubkey;

use sentinel_harness::world::market_params;
use sentinel_harness::world::{default_assets, World, PRICE_EXPO};

use crate::faucet::DemoFaucet;
use crate::node::Node;

/// Builds the demo market in the node's bank; returns the node and a description of the market
/// (addresses, decimals, price accounts) for clients.
pub async fn bootstrap(node: Node, borrowers: usize) -> anyhow::Result<(Node, Value)> {
    let ctx = node.into_context();
    let mut world = World::bootstrap(ctx, default_assets(), market_params()).await?;
    world.add_lenders().await?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let opened = world.add_borrowers(borrowers, &mut rng, || {}).await?;
    let (mut node, mut description) = node_from_world(world, Vec::new()).await?;
    description["borrowersOpened"] = json!(opened);
    node.demo_description = Some(description.clone());
    Ok((node, description))
}

/// Serves a world built in a node's bank: indexes its accounts (and `extra`), publishes its
/// prices as fresh feeds, opens the faucet of its tokens (`sentinel_faucet`), and describes it
/// (addresses, decimals, price feeds) for clients.
pub async fn node_from_world(world: World, extra: Vec<Pubkey>) -> anyhow::Result<(Node, Value)> {
    let mut keys = world.chain.known_keys();
    keys.extend(extra);
    let mut assets = Vec::new();
    let mut feeds = Vec::new();
    for a in &world.assets {
        keys.extend([a.mint, a.price_account]);
        let kind = match a.spec.kind {
            OracleKind::PythPull => "pull",
            OracleKind::PythLegacy => "legacy",
        };
        let feed_id: String = a.feed_id.iter().map(|b| format!("{b:02x}")).collect();
        let mantissa = (a.price * 10f64.powi(-PRICE_EXPO)).round() as i64;
        feeds.push(json!({
            "account": a.price_account.to_string(),
            "kind": kind,
            "feedId": feed_id,
            "price": mantissa,
            "expo": PRICE_EXPO,
            "keepFresh": true,
        }));
        assets.push(json!({
            "symbol": a.spec.symbol,
            "decimals": a.spec.decimals,
            "mint": a.mint.to_string(),
            "reserve": a.reserve.to_string(),
            "vault": a.vault.to_string(),
            "priceAccount": a.price_account.to_string(),
            "oracleKind": kind,
            "feedId": feed_id,
            "price": a.price,
        }));
    }
    let description = json!({
        "programId": lending::ID.to_string(),
        "market": world.market.to_string(),
        "obligations": world.obligations.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
        "assets": assets,
        "feeds": feeds,
    });
    let faucet = DemoFaucet::new(world.admin.insecure_clone(), &world.assets);
    let mut node = Node::from_context(world.ctx).await?;
    node.demo_faucet = Some(faucet);
    node.demo_description = Some(description.clone());
    node.track(keys).await?;
    for f in description["feeds"].as_array().cloned().unwrap_or_default() {
        crate::dev::set_pyth_price(&mut node, &f).await?;
    }
    Ok((node, description))
}
