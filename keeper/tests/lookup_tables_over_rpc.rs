//! v0 transactions through an address lookup table over JSON-RPC: the lookup table program is
//! in the bank, `sendTransaction` / `simulateTransaction` take v0 messages, `getTransaction`
//! returns their loaded addresses (and refuses a client that does not ask for version 0, as a
//! validator does), and accounts a v0 message loaded are indexed for `getProgramAccounts`.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use keeper::lookup;
use keeper::tables::SLOT_HASHES_SYSVAR;
use sentinel_localnet::{serve, Config, Node, Running};
use serde_json::{json, Value};
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, VersionedTransaction};

async fn rpc(node: &Running, method: &str, params: Value) -> Value {
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    reqwest::Client::new()
        .post(&node.rpc_url)
        .json(&body)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("JSON body")
}

async fn node() -> Running {
    let node = Node::start().await.expect("node");
    let config = Config {
        rpc_addr: "127.0.0.1:0".into(),
        ..Config::default()
    };
    serve(node, &config).await.expect("serve")
}

async fn account_data(node: &Running, key: &Pubkey) -> Option<Vec<u8>> {
    let r = rpc(
        node,
        "getAccountInfo",
        json!([key.to_string(), { "encoding": "base64" }]),
    )
    .await;
    let text = r["result"]["value"]["data"][0].as_str()?;
    B64.decode(text).ok()
}

async fn blockhash(node: &Running) -> Hash {
    let r = rpc(node, "getLatestBlockhash", json!([])).await;
    r["result"]["value"]["blockhash"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("blockhash")
}

async fn slot(node: &Running) -> u64 {
    rpc(node, "getSlot", json!([])).await["result"]
        .as_u64()
        .expect("slot")
}

async fn send(node: &Running, tx: &VersionedTransaction) -> Value {
    let wire = B64.encode(bincode::serialize(tx).expect("serialize"));
    rpc(
        node,
        "sendTransaction",
        json!([wire, { "encoding": "base64" }]),
    )
    .await
}

async fn send_legacy(node: &Running, payer: &Keypair, ixs: &[Instruction]) {
    let tx = Transaction::new_signed_with_payer(
        ixs,
        Some(&payer.pubkey()),
        &[payer],
        blockhash(node).await,
    );
    let r = send(node, &tx.into()).await;
    assert!(r.get("result").is_some(), "{r}");
}

async fn wait_for_slot(node: &Running, target: u64) {
    while slot(node).await < target {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_v0_transaction_through_a_lookup_table_over_json_rpc() {
    let node = node().await;
    let payer = Keypair::new();
    let r = rpc(
        &node,
        "requestAirdrop",
        json!([payer.pubkey().to_string(), 10_000_000_000u64]),
    )
    .await;
    assert!(r.get("result").is_some(), "{r}");

    // A table holding 30 fresh addresses; the transfer's recipient is one of them.
    let hashes = account_data(&node, &SLOT_HASHES_SYSVAR)
        .await
        .expect("SlotHashes");
    let recent = lookup::most_recent_slot(&hashes).expect("a recent slot");
    let (create, table_key) = lookup::create(&payer.pubkey(), recent);
    send_legacy(&node, &payer, &[create]).await;
    let addresses: Vec<Pubkey> = (0..30).map(|_| Pubkey::new_unique()).collect();
    for ix in lookup::extensions(&table_key, &payer.pubkey(), &addresses) {
        send_legacy(&node, &payer, &[ix]).await;
    }
    let data = account_data(&node, &table_key).await.expect("table");
    let (table, last_extended) = lookup::decode(table_key, &data).expect("decode");
    assert_eq!(table.addresses, addresses);
    wait_for_slot(&node, last_extended + 1).await;

    let recipient = addresses[17];
    let transfer = anchor_lang::solana_program::system_instruction::transfer(
        &payer.pubkey(),
        &recipient,
        5_000_000,
    );
    let tx = lookup::compile_v0(&payer, &[transfer], blockhash(&node).await, &table).expect("v0");
    let VersionedTransaction { message, .. } = &tx;
    assert!(
        !message.static_account_keys().contains(&recipient),
        "loaded from the table"
    );
    let wire = B64.encode(bincode::serialize(&tx).expect("serialize"));
    let sim = rpc(
        &node,
        "simulateTransaction",
        json!([wire, { "encoding": "base64" }]),
    )
    .await;
    assert_eq!(sim["result"]["value"]["err"], Value::Null, "{sim}");
    let sent = send(&node, &tx).await;
    let sig = sent["result"].as_str().expect("signature").to_string();

    let balance = rpc(&node, "getBalance", json!([recipient.to_string()])).await;
    assert_eq!(balance["result"]["value"], 5_000_000);
    let got = rpc(
        &node,
        "getTransaction",
        json!([sig, { "maxSupportedTransactionVersion": 0 }]),
    )
    .await;
    assert_eq!(got["result"]["version"], 0, "{got}");
    assert_eq!(
        got["result"]["meta"]["loadedAddresses"]["writable"],
        json!([recipient.to_string()])
    );
    let post_balances = got["result"]["meta"]["postBalances"]
        .as_array()
        .expect("balances");
    assert_eq!(
        post_balances.last(),
        Some(&json!(5_000_000)),
        "loaded keys come last"
    );
    let old_client = rpc(&node, "getTransaction", json!([sig])).await;
    assert_eq!(old_client["error"]["code"], -32015, "{old_client}");

    // getSignaturesForAddress finds it through the table too, newest first.
    let of = |k: &Pubkey, cfg: Value| json!([k.to_string(), cfg]);
    let r = rpc(&node, "getSignaturesForAddress", of(&recipient, json!({}))).await;
    assert_eq!(r["result"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r["result"][0]["signature"], json!(sig));
    let r = rpc(
        &node,
        "getSignaturesForAddress",
        of(&payer.pubkey(), json!({ "limit": 1 })),
    )
    .await;
    assert_eq!(
        r["result"][0]["signature"],
        json!(sig),
        "the newest of the payer's"
    );
    let r = rpc(
        &node,
        "getSignaturesForAddress",
        of(&payer.pubkey(), json!({ "before": sig })),
    )
    .await;
    assert_eq!(
        r["result"].as_array().map(Vec::len),
        Some(4),
        "the airdrop, the creation and two extensions: {r}"
    );
    let r = rpc(
        &node,
        "getSignaturesForAddress",
        of(&payer.pubkey(), json!({ "limit": 1_001 })),
    )
    .await;
    assert_eq!(r["error"]["code"], -32602);

    // The recipient was named only through the table, and is indexed all the same.
    let owned = rpc(
        &node,
        "getProgramAccounts",
        json!(["11111111111111111111111111111111", { "encoding": "base64", "dataSlice": { "offset": 0, "length": 0 } }]),
    )
    .await;
    let keys: Vec<&str> = owned["result"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(|a| a["pubkey"].as_str())
        .collect();
    assert!(keys.contains(&recipient.to_string().as_str()));
}
