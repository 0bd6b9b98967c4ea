//! The streaming chain against `sentinel-localnet`: once subscribed and resynced it answers the
//! market's `getProgramAccounts` and followed accounts from its cache, kept current by
//! `programSubscribe` / `accountSubscribe` notifications (a price write and a transaction that
//! changes a reserve both arrive), and its answers equal the node's; a dropped socket is polled
//! around (reads fall through to RPC) and reconnected with a fresh resync.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use keeper::chain::Chain;
use keeper::market::{load_market, load_obligations};
use keeper::rpc::RpcChain;
use keeper::sim::market_params;
use keeper::sim::world::{default_assets, World};
use keeper::stream::{StreamStats, StreamingChain};
use rand::SeedableRng;
use sentinel_localnet::Node;
use serde_json::json;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

/// A node serving a world of `borrowers` seeded borrowers, and a live stream of its market
/// (market and price accounts followed).
struct Streamed {
    running: sentinel_localnet::Running,
    description: serde_json::Value,
    rpc: Arc<RpcChain>,
    stream: StreamingChain,
    market: Pubkey,
    sol: keeper::sim::world::SimAsset,
    /// The market before the stream came up, read over RPC.
    snap: keeper::market::MarketSnapshot,
}

async fn streamed_world(seed: u64, borrowers: usize) -> Streamed {
    let ctx = Node::start().await.expect("node").into_context();
    let mut world = World::bootstrap(ctx, default_assets(), market_params())
        .await
        .expect("world");
    world.add_lenders().await.expect("lenders");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    world
        .add_borrowers(borrowers, &mut rng, || {})
        .await
        .expect("borrowers");
    let market = world.market;
    let sol = world.assets[1].clone();
    let (running, description) = common::serve_world(world, Vec::new()).await;
    let rpc = Arc::new(RpcChain::new(&running.rpc_url));
    let snap = load_market(&*rpc, &market).await.expect("market");
    let mut followed = vec![market];
    followed.extend(
        snap.reserves
            .values()
            .map(|v| v.oracle_config.price_account),
    );
    let stream = StreamingChain::start(
        rpc.clone(),
        running.ws_url.clone(),
        market,
        followed,
        Duration::from_secs(3_600),
    );
    wait_until(&stream, "the stream never came up", |s| s.live).await;
    Streamed {
        running,
        description,
        rpc,
        stream,
        market,
        sol,
        snap,
    }
}

/// Halves SOL's price through the node's dev helper.
async fn halve_sol(w: &Streamed) {
    let feed = w.description["feeds"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .find(|f| f["account"] == json!(w.sol.price_account.to_string()))
        })
        .cloned()
        .expect("SOL feed");
    let mut moved = feed.clone();
    moved["price"] = json!(feed["price"].as_i64().unwrap_or(0) / 2);
    let mut n = w.running.node.lock().await;
    sentinel_localnet::dev::set_pyth_price(&mut n, &moved)
        .await
        .expect("price");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_stream_keeps_the_market_current_from_notifications() {
    let w = streamed_world(3, 8).await;
    let (running, rpc, stream, market, sol, snap) = (
        &w.running,
        w.rpc.clone(),
        &w.stream,
        w.market,
        &w.sol,
        &w.snap,
    );
    assert_eq!(stream.stats().resyncs, 1);
    let key =
        |v: &[(Pubkey, lending::state::Obligation)]| v.iter().map(|(k, _)| *k).collect::<Vec<_>>();
    let via_rpc = load_obligations(&*rpc, &market).await.expect("rpc");
    let via_stream = load_obligations(stream, &market).await.expect("stream");
    assert_eq!(key(&via_stream), key(&via_rpc));

    // A price write: the followed account changes without any RPC read by the stream.
    let before = stream.stats().notifications;
    halve_sol(&w).await;
    // A transaction: refreshing SOL's reserve rewrites it (a program notification).
    let payer = solana_sdk::signature::Keypair::new();
    {
        let mut n = running.node.lock().await;
        n.airdrop(&payer.pubkey(), 1_000_000_000)
            .await
            .expect("airdrop");
    }
    let ix = keeper::instructions::refresh_reserve(
        sol.reserve,
        &snap.reserves[&sol.reserve].reserve,
        sol.price_account,
    );
    let blockhash = rpc.latest_blockhash().await.expect("blockhash");
    let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
        &[ix],
        Some(&payer.pubkey()),
        &[&payer],
        blockhash,
    );
    rpc.send_and_confirm(&tx.into()).await.expect("refresh");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let keys = [sol.price_account, sol.reserve];
        let (a, b) = (
            stream.accounts(&keys).await.expect("stream"),
            rpc.accounts(&keys).await.expect("rpc"),
        );
        if a == b && stream.stats().notifications >= before + 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "notifications did not arrive: {:?}",
            stream.stats()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let s = stream.stats();
    assert!(s.live && s.connections == 1 && s.resyncs == 1, "{s:?}");
    // The keeper's snapshot from the stream prices SOL at the halved price.
    let from_stream = load_market(stream, &market)
        .await
        .expect("market from the stream");
    let from_rpc = load_market(&*rpc, &market).await.expect("market");
    let price =
        |m: &keeper::market::MarketSnapshot| m.reserves[&sol.reserve].reserve.price_sf.get();
    assert_eq!(price(&from_stream), price(&from_rpc));
    assert!(price(&from_stream) < price(snap));
}

/// Waits up to 20 s for the stream's counters to satisfy `done`.
async fn wait_until(stream: &StreamingChain, what: &str, done: impl Fn(StreamStats) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(stream.stats()) {
        assert!(Instant::now() < deadline, "{what}: {:?}", stream.stats());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A TCP proxy to `target` whose connections the test can cut: returns its address and a
/// switch that drops every live connection when flipped.
async fn cutting_proxy(target: std::net::SocketAddr) -> (String, Arc<tokio::sync::Notify>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("proxy");
    let addr = listener.local_addr().expect("addr");
    let cut = Arc::new(tokio::sync::Notify::new());
    let switch = cut.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let cut = switch.clone();
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    _ = cut.notified() => {}
                }
            });
        }
    });
    (format!("ws://{addr}"), cut)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_stream_reconnects_and_polls_while_the_socket_is_down() {
    let ctx = Node::start().await.expect("node").into_context();
    let world = World::bootstrap(ctx, default_assets(), market_params())
        .await
        .expect("world");
    let market = world.market;
    let (running, _) = common::serve_world(world, Vec::new()).await;
    let target: std::net::SocketAddr = running
        .ws_url
        .trim_start_matches("ws://")
        .parse()
        .expect("ws address");
    let (proxy, cut) = cutting_proxy(target).await;
    let rpc = Arc::new(RpcChain::new(&running.rpc_url));
    let stream = StreamingChain::start(
        rpc.clone(),
        proxy,
        market,
        vec![market],
        Duration::from_secs(3_600),
    );
    wait_until(&stream, "first connection", |s| s.live).await;
    cut.notify_waiters();
    wait_until(&stream, "the drop is seen", |s| !s.live).await;
    // Down: reads fall through to RPC and still answer.
    let snap = load_market(&stream, &market)
        .await
        .expect("market while down");
    assert_eq!(snap.reserves.len(), 4);
    wait_until(&stream, "reconnected and resynced", |s| {
        s.live && s.connections == 2 && s.resyncs == 2
    })
    .await;
}

/// The keeper's book over the stream: built once, then kept by the change log. A price write
/// re-values only the moved reserve (no rebuild), and the watch list is exactly the
/// obligations a full assessment of every obligation finds under the watch level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_tracker_follows_the_stream_without_rebuilding() {
    use keeper::planner::assess;
    use keeper::tracker::{Tracker, WATCH_MARGIN_BPS};
    let w = streamed_world(9, 24).await;
    let (rpc, stream, market) = (w.rpc.clone(), &w.stream, w.market);
    let warn = 10_500;
    let tracker = Tracker::default();
    let snap = load_market(stream, &market).await.expect("market");
    let first = tracker.update(stream, &snap, warn).await.expect("first");
    let all = load_obligations(&*rpc, &market).await.expect("obligations");
    assert!(first.rebuilt);
    assert_eq!((first.valued, first.skipped), (all.len(), 0));

    // SOL halves: one reserve is re-valued, nothing is rebuilt or refiled.
    let seen = stream.stats().notifications;
    halve_sol(&w).await;
    wait_until(stream, "the price notification", |s| s.notifications > seen).await;
    let snap = load_market(stream, &market).await.expect("market");
    let tick = tracker.update(stream, &snap, warn).await.expect("tick");
    assert!(!tick.rebuilt, "{tick:?}");
    assert_eq!((tick.refiled, tick.repriced), (0, 1), "{tick:?}");
    let watched: Vec<Pubkey> = tick.watch.iter().map(|(k, _)| *k).collect();
    let mut expected: Vec<Pubkey> = all
        .iter()
        .filter_map(|(k, o)| assess(&snap, *k, o).ok())
        .filter(|a| a.health_below(warn + WATCH_MARGIN_BPS) || a.bankrupt())
        .map(|a| a.key)
        .collect();
    expected.sort();
    let mut sorted = watched.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "the watch list is the full assessment's");
    assert!(
        all.iter()
            .filter_map(|(k, o)| assess(&snap, *k, o).ok())
            .filter(|a| a.liquidatable())
            .all(|a| watched.contains(&a.key)),
        "every liquidatable obligation is watched"
    );
    assert!(
        !watched.is_empty() && watched.len() < all.len(),
        "{} of {}",
        watched.len(),
        all.len()
    );
}
