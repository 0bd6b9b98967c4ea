//! The demo market's faucet (`sentinel_faucet`): a new wallet gets SOL and every demo token in
//! real accounts; only a `--demo` node has it, and only programs and allowed origins may call it.

mod common;

use common::{call, node_with, post, JSON};
use sentinel_localnet::{demo, serve, Config, Node, Running};
use serde_json::{json, Value};
use solana_sdk::pubkey::Pubkey;

/// A `--demo` node (no borrowers) served on a free port, and its market's description.
async fn demo_node() -> (Running, Value) {
    let (node, description) = demo::bootstrap(Node::start().await.expect("node"), 0)
        .await
        .expect("demo");
    let config = Config {
        rpc_addr: "127.0.0.1:0".into(),
        ..Config::default()
    };
    (serve(node, &config).await.expect("serve"), description)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_faucet_funds_a_new_wallet_with_sol_and_every_demo_token() {
    let (running, description) = demo_node().await;
    let wallet = Pubkey::new_unique().to_string();
    let localhost = [JSON, ("Origin", "http://localhost:5173")];
    let (_, r) = post(
        &running,
        &localhost,
        &call("sentinel_faucet", json!([wallet])),
    )
    .await;
    let given = r["result"]["tokens"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let assets = description["assets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(given.len(), assets.len(), "{r}");
    let (_, balance) = post(&running, &[JSON], &call("getBalance", json!([wallet]))).await;
    assert_eq!(balance["result"]["value"], 10_000_000_000u64);
    for (token, asset) in given.iter().zip(&assets) {
        assert_eq!(token["mint"], asset["mint"]);
        let amount: u64 = token["amount"].as_str().unwrap_or("0").parse().unwrap_or(0);
        // About $10,000 of each, at the listing price.
        let price = asset["price"].as_f64().unwrap_or(0.0);
        let decimals = asset["decimals"].as_i64().unwrap_or(0) as i32;
        let value = amount as f64 / 10f64.powi(decimals) * price;
        assert!(
            (9_999.0..=10_001.0).contains(&value),
            "{token} worth {value}"
        );
        let (_, held) = post(
            &running,
            &[JSON],
            &call("getTokenAccountBalance", json!([token["tokenAccount"]])),
        )
        .await;
        assert_eq!(held["result"]["value"]["amount"], token["amount"], "{held}");
    }
    // Any origin may read where the demo market is (the dApp finds it this way).
    let (_, d) = post(
        &running,
        &[JSON, ("Origin", "https://dapp.example")],
        &call("sentinel_demoMarket", json!([])),
    )
    .await;
    assert_eq!(d["result"], description, "{d}");
    // A second call adds to the same accounts.
    let (_, again) = post(&running, &[JSON], &call("sentinel_faucet", json!([wallet]))).await;
    let first = &again["result"]["tokens"][0];
    let (_, held) = post(
        &running,
        &[JSON],
        &call("getTokenAccountBalance", json!([first["tokenAccount"]])),
    )
    .await;
    let twice = 2 * first["amount"]
        .as_str()
        .unwrap_or("0")
        .parse::<u64>()
        .unwrap_or(0);
    assert_eq!(
        held["result"]["value"]["amount"],
        Value::from(twice.to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_faucet_when_the_node_has_no_demo_market_or_the_origin_is_foreign() {
    let node = node_with(Vec::new()).await;
    let body = call("sentinel_faucet", json!([Pubkey::new_unique().to_string()]));
    let (_, r) = post(&node, &[JSON], &body).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let (_, r) = post(&node, &[JSON, ("Origin", "https://evil.example")], &body).await;
    assert_eq!(r["error"]["code"], -32090, "{r}");
    let (_, r) = post(
        &node,
        &[JSON],
        &call("sentinel_faucet", json!(["not a key"])),
    )
    .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let (_, r) = post(&node, &[JSON], &call("sentinel_demoMarket", json!([]))).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
}

/// The dApp prices reserves by simulating `refresh_reserve`: its event must come back in the
/// inner instructions as a validator gives them for a simulation (parsed against the keys:
/// `programId`, base58 `accounts`, base58 `data`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_simulated_refresh_returns_its_event_in_parsed_inner_instructions() {
    use anchor_lang::{Discriminator, InstructionData, ToAccountMetas};
    use base64::Engine;
    use solana_sdk::message::Message;
    use solana_sdk::transaction::Transaction;

    let (running, description) = demo_node().await;
    let payer = Pubkey::new_unique();
    post(
        &running,
        &[JSON],
        &call("sentinel_faucet", json!([payer.to_string()])),
    )
    .await;
    let asset = &description["assets"][0];
    let key = |v: &Value| {
        v.as_str()
            .unwrap_or_default()
            .parse::<Pubkey>()
            .expect("key")
    };
    let reserve = key(&asset["reserve"]);
    let oracle_config = Pubkey::find_program_address(
        &[lending::constants::ORACLE_CONFIG_SEED, reserve.as_ref()],
        &lending::ID,
    )
    .0;
    let event_authority = Pubkey::find_program_address(&[b"__event_authority"], &lending::ID).0;
    let ix = solana_sdk::instruction::Instruction {
        program_id: lending::ID,
        accounts: lending::accounts::RefreshReserve {
            reserve,
            oracle_config,
            price_account: key(&asset["priceAccount"]),
            event_authority,
            program: lending::ID,
        }
        .to_account_metas(None),
        data: lending::instruction::RefreshReserve {}.data(),
    };
    let tx = Transaction::new_unsigned(Message::new(&[ix], Some(&payer)));
    let wire =
        base64::engine::general_purpose::STANDARD.encode(bincode::serialize(&tx).expect("tx"));
    let (_, sim) = post(
        &running,
        &[JSON],
        &call(
            "simulateTransaction",
            json!([wire, { "encoding": "base64", "sigVerify": false, "replaceRecentBlockhash": true, "innerInstructions": true }]),
        ),
    )
    .await;
    let value = &sim["result"]["value"];
    assert_eq!(value["err"], Value::Null, "{sim}");
    let inner = &value["innerInstructions"][0];
    assert_eq!(inner["index"], 0, "{sim}");
    let event = &inner["instructions"][0];
    assert_eq!(event["programId"], lending::ID.to_string(), "{sim}");
    assert_eq!(
        event["accounts"],
        json!([event_authority.to_string()]),
        "{sim}"
    );
    let data = bs58::decode(event["data"].as_str().unwrap_or_default())
        .into_vec()
        .expect("base58");
    // The event-CPI tag, then the `ReserveRefreshed` event.
    assert_eq!(
        data.get(8..16),
        Some(lending::events::ReserveRefreshed::DISCRIMINATOR)
    );
    // The reserve it names is the one refreshed.
    assert_eq!(data.get(16..48), Some(reserve.as_ref()));
}
