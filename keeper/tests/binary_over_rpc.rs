//! The real `sentinel-keeper run` binary, as a separate process, against `sentinel-localnet`
//! over JSON-RPC: a market of 13 reserves (two of them Token-2022) with lenders, 30 random borrowers and one
//! obligation of 8 deposits + 5 borrows; the collaterals fall 35%; the keeper must bring every
//! liquidatable obligation back to health (or write it off), its token balances must move by
//! exactly what the `Liquidated` events say, `/metrics` must count the liquidations, and it
//! must exit cleanly on SIGTERM. Prints the run's figures (`--nocapture`).

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anchor_lang::{AnchorDeserialize, Discriminator};
use keeper::chain::Chain;
use keeper::market::{load_market, load_obligations, token_amount};
use keeper::planner::assess;
use keeper::rpc::RpcChain;
use keeper::sim::market_params;
use keeper::sim::world::{default_assets, AssetSpec, World};
use lending::events::Liquidated;
use rand::SeedableRng;
use sentinel_localnet::Node;
use serde_json::{json, Value};
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::request::RpcRequest;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

const EXTRA: [&str; 9] = ["X0", "X1", "X2", "X3", "X4", "Y0", "Y1", "Y2", "Y3"];

/// USDC, SOL, ETH, JUP, five more $1 collaterals (X) and four more $1 debts (Y); X4 and Y3 are
/// Token-2022 mints (their holders' accounts carry `ImmutableOwner`, 170 bytes).
fn assets() -> Vec<AssetSpec> {
    let mut all = default_assets();
    let template = all[1].clone();
    for (i, name) in EXTRA.iter().enumerate() {
        all.push(AssetSpec {
            symbol: name,
            decimals: 6,
            price: 1.0,
            supply: 1_000_000.0,
            collateral: i < 5,
            // One collateral (X4) and one debt (Y3) are Token-2022 mints.
            token_2022: i == 4 || i == 8,
            ..template.clone()
        });
    }
    all
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Obligations the keeper's own assessment finds liquidatable (or with bad debt to write off).
async fn needing_action(chain: &RpcChain, market: &Pubkey) -> Vec<Pubkey> {
    let snap = load_market(chain, market).await.expect("market");
    let obligations = load_obligations(chain, market).await.expect("obligations");
    obligations
        .iter()
        .filter_map(|(k, o)| assess(&snap, *k, o).ok())
        .filter(|a| a.liquidatable() || a.bankrupt())
        .map(|a| a.key)
        .collect()
}

async fn balances(chain: &RpcChain, accounts: &BTreeMap<Pubkey, Pubkey>) -> BTreeMap<Pubkey, u64> {
    let keys: Vec<Pubkey> = accounts.values().copied().collect();
    let data = chain.accounts(&keys).await.expect("accounts");
    accounts
        .keys()
        .zip(data)
        .map(|(mint, acc)| (*mint, acc.as_ref().and_then(token_amount).unwrap_or(0)))
        .collect()
}

/// Every `Liquidated` event of the keeper's transactions (emitted by event CPI).
async fn liquidated_events(client: &RpcClient, keeper: &Pubkey) -> Vec<Liquidated> {
    let sigs: Value = client
        .send(
            RpcRequest::GetSignaturesForAddress,
            json!([keeper.to_string()]),
        )
        .await
        .expect("signatures");
    let mut out = Vec::new();
    for s in sigs.as_array().cloned().unwrap_or_default() {
        if !s["err"].is_null() {
            continue;
        }
        let tx: Value = client
            .send(
                RpcRequest::GetTransaction,
                json!([s["signature"], { "maxSupportedTransactionVersion": 0 }]),
            )
            .await
            .expect("transaction");
        for group in tx["meta"]["innerInstructions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            for ix in group["instructions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let data = bs58::decode(ix["data"].as_str().unwrap_or_default())
                    .into_vec()
                    .unwrap_or_default();
                let tag = anchor_lang::event::EVENT_IX_TAG_LE;
                if data.len() > 16 && &data[..8] == tag && &data[8..16] == Liquidated::DISCRIMINATOR
                {
                    out.push(Liquidated::try_from_slice(&data[16..]).expect("event"));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_keeper_binary_liquidates_every_obligation_over_json_rpc() {
    // The market, its borrowers and a funded keeper, built in the node's bank.
    let ctx = Node::start().await.expect("node").into_context();
    let mut world = World::bootstrap(ctx, assets(), market_params())
        .await
        .expect("world");
    world.add_lenders().await.expect("lenders");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let opened = world
        .add_borrowers(30, &mut rng, || {})
        .await
        .expect("borrowers");
    let (usdc, sol, eth, jup) = (0, 1, 2, 3);
    let mut deposits = vec![(sol, 7.0), (eth, 0.35), (jup, 1_300.0)];
    deposits.extend((4..9).map(|i| (i, 1_000.0)));
    let mut borrows = vec![(usdc, 900.0)];
    borrows.extend((9..13).map(|i| (i, 900.0)));
    let wide = world
        .open_wide_position(&deposits, &borrows)
        .await
        .expect("8 + 5 obligation");
    // One borrower of the Token-2022 debt only, one with the Token-2022 collateral only, each
    // near its limit: the keeper must repay and receive Token-2022 tokens.
    let t22_borrower = world
        .open_position(&[(sol, 10.0)], Some((12, 1_000.0)))
        .await
        .expect("Token-2022 debt");
    let t22_depositor = world
        .open_position(&[(8, 2_000.0)], Some((usdc, 1_350.0)))
        .await
        .expect("Token-2022 collateral");
    let liquidator = Keypair::new();
    world.fund(&liquidator.pubkey());
    let mut token_accounts = BTreeMap::new();
    for a in world.assets.clone() {
        let units = (10_000_000.0 / a.price * 10f64.powi(i32::from(a.spec.decimals))) as u64;
        let ata = world.associated_token_account(&a.mint, &liquidator.pubkey(), units);
        token_accounts.insert(a.mint, ata);
    }
    let market = world.market;
    let collaterals: Vec<Pubkey> = world
        .assets
        .iter()
        .filter(|a| a.spec.collateral)
        .map(|a| a.price_account)
        .collect();
    let extra: Vec<Pubkey> = token_accounts.values().copied().collect();
    let (running, description) = common::serve_world(world, extra).await;
    let chain = RpcChain::new(&running.rpc_url);
    let client = RpcClient::new(running.rpc_url.clone());

    // The collaterals fall 35%.
    let crash_slot = client.get_slot().await.expect("slot");
    for feed in description["feeds"].as_array().cloned().unwrap_or_default() {
        let account: Pubkey = feed["account"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .expect("key");
        if collaterals.contains(&account) {
            let mut f = feed.clone();
            f["price"] = json!((feed["price"].as_i64().unwrap_or(0) as f64 * 0.65) as i64);
            let mut n = running.node.lock().await;
            sentinel_localnet::dev::set_pyth_price(&mut n, &f)
                .await
                .expect("price");
        }
    }
    let unhealthy = needing_action(&chain, &market).await;
    assert!(
        unhealthy.len() >= 10,
        "{} liquidatable of {opened} borrowers",
        unhealthy.len()
    );
    assert!(
        unhealthy.contains(&wide),
        "the 8 + 5 obligation is liquidatable"
    );
    assert!(unhealthy.contains(&t22_borrower) && unhealthy.contains(&t22_depositor));
    let before = balances(&chain, &token_accounts).await;

    // The keeper binary, as a separate process.
    let dir = std::env::temp_dir().join(format!("sentinel-keeper-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let keypair_file = dir.join("keeper.json");
    std::fs::write(
        &keypair_file,
        serde_json::to_string(&liquidator.to_bytes().to_vec()).expect("json"),
    )
    .expect("keypair");
    let metrics_port = free_port();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sentinel-keeper"))
        .args([
            "run",
            "--rpc-url",
            &running.rpc_url,
            "--market",
            &market.to_string(),
        ])
        .args(["--keypair", keypair_file.to_str().unwrap_or_default()])
        .args([
            "--poll-ms",
            "300",
            "--min-profit",
            "0",
            "--max-liquidations",
            "50",
        ])
        // Streams the market's accounts over the node's pubsub socket.
        .args(["--ws-url", &running.ws_url])
        // Pays the 75th percentile of recent fees on the written accounts, 1,000 at least.
        .args([
            "--priority-fee-percentile",
            "75",
            "--priority-fee-cap",
            "50000",
        ])
        .args(["--metrics-addr", &format!("127.0.0.1:{metrics_port}")])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("keeper binary");

    let mut left = unhealthy.clone();
    while !left.is_empty() && started.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        left = needing_action(&chain, &market).await;
    }
    let healthy_slot = client.get_slot().await.expect("slot");
    let metrics = scrape_metrics(metrics_port).await;
    // SIGTERM: the keeper stops at the end of its round and exits 0.
    let pid = child.id().to_string();
    let kill = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the keeper did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(left.is_empty(), "still liquidatable after 120 s: {left:?}");
    assert!(status.success(), "exit status {status}");

    // Balances moved by exactly the events: debt paid out, collateral received in tokens.
    let events = liquidated_events(&client, &liquidator.pubkey()).await;
    let snap = load_market(&chain, &market).await.expect("market");
    let mint_of = |r: &Pubkey| {
        snap.reserves
            .get(r)
            .map(|v| v.reserve.mint)
            .expect("reserve")
    };
    let mut expected: BTreeMap<Pubkey, i128> =
        before.iter().map(|(m, b)| (*m, i128::from(*b))).collect();
    for e in &events {
        *expected.entry(mint_of(&e.repay_reserve)).or_default() -= i128::from(e.repay_amount);
        if e.liquidator_obligation == Pubkey::default() {
            *expected.entry(mint_of(&e.withdraw_reserve)).or_default() +=
                i128::from(e.liquidator_amount);
        }
    }
    let after = balances(&chain, &token_accounts).await;
    for (mint, b) in &after {
        assert_eq!(i128::from(*b), expected[mint], "balance of {mint}");
    }
    let succeeded = metrics
        .lines()
        .find_map(|l| l.strip_prefix("sentinel_keeper_liquidations_succeeded_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    assert_eq!(
        succeeded as usize,
        events.len(),
        "/metrics counts the liquidations"
    );
    let token_2022: Vec<Pubkey> = snap
        .reserves
        .iter()
        .filter(|(_, v)| v.reserve.token_program == spl_token_2022_interface::ID)
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(token_2022.len(), 2);
    let t22_debt = events
        .iter()
        .filter(|e| token_2022.contains(&e.repay_reserve))
        .count();
    let t22_coll = events
        .iter()
        .filter(|e| token_2022.contains(&e.withdraw_reserve))
        .count();
    assert!(t22_debt > 0, "a Token-2022 debt was repaid by the keeper");
    assert!(
        t22_coll > 0,
        "a Token-2022 collateral was received by the keeper"
    );
    let on_wide = events.iter().filter(|e| e.obligation == wide).count();
    assert!(on_wide >= 1, "the 8 + 5 obligation was liquidated");
    // Convergence: liquidations per liquidated obligation (each a transaction of its own).
    let mut per_obligation: BTreeMap<Pubkey, usize> = BTreeMap::new();
    for e in &events {
        *per_obligation.entry(e.obligation).or_default() += 1;
    }
    let most = per_obligation.values().copied().max().unwrap_or(0);
    // Sized to the target health, a liquidation leaves its obligation healthy (or takes the
    // pair whole): no drain. With the close factor alone the same run took 92 liquidations of
    // 14 obligations, up to 40 of one, and 206 slots.
    assert!(
        events.len() <= 2 * per_obligation.len(),
        "{} liquidations of {} obligations",
        events.len(),
        per_obligation.len()
    );
    println!(
        "keeper binary over JSON-RPC: {} borrowers + one 8+5 obligation, {} liquidatable after the crash, \
         {} liquidations of {} obligations (at most {} per obligation, {} for the 8+5 one; {} repaying and {} seizing Token-2022), all healthy {} slots after the crash ({:.1} s)",
        opened,
        unhealthy.len(),
        events.len(),
        per_obligation.len(),
        most,
        on_wide,
        t22_debt,
        t22_coll,
        healthy_slot.saturating_sub(crash_slot),
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `GET /metrics` of the keeper.
async fn scrape_metrics(port: u16) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("metrics");
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("request");
    let mut body = String::new();
    stream.read_to_string(&mut body).expect("response");
    body
}
