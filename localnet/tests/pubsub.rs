//! `accountSubscribe`, `programSubscribe` (with filters) and `logsSubscribe` over the WebSocket,
//! with the Solana pubsub notification shapes: a transfer and a price write notify the
//! subscribers of the accounts they change.

mod common;

use common::{call, node_with, post, JSON};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use solana_sdk::pubkey::Pubkey;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_account_program_and_logs_notifications() {
    let node = node_with(Vec::new()).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(node.ws_url.as_str())
        .await
        .expect("ws");
    let (recipient, price) = (Pubkey::new_unique(), Pubkey::new_unique());
    let system = "11111111111111111111111111111111";
    let requests = [
        json!(["accountSubscribe", [recipient.to_string(), { "encoding": "base64" }]]),
        json!(["programSubscribe", [system, { "encoding": "base64", "filters": [{ "dataSize": 0 }] }]]),
        json!(["logsSubscribe", [{ "mentions": [recipient.to_string()] }]]),
        json!(["accountSubscribe", [price.to_string(), { "encoding": "base64" }]]),
        json!(["programSubscribe", [system, { "filters": [{ "dataSize": 1 }] }]]),
    ];
    let mut ids = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let frame = json!({ "jsonrpc": "2.0", "id": i, "method": r[0], "params": r[1] });
        ws.send(Message::text(frame.to_string()))
            .await
            .expect("send");
        loop {
            let Some(Ok(Message::Text(t))) = ws.next().await else {
                panic!("closed")
            };
            let v: Value = serde_json::from_str(&t).expect("json");
            if v["id"] == json!(i) {
                ids.push(v["result"].as_u64().expect("subscription id"));
                break;
            }
        }
    }
    let r = post(
        &node,
        &[JSON],
        &call(
            "requestAirdrop",
            json!([recipient.to_string(), 2_000_000_000u64]),
        ),
    )
    .await
    .1;
    let signature = r["result"].as_str().expect("signature").to_string();
    let spec = json!([{ "account": price.to_string(), "price": 123_000_000 }]);
    let r = post(&node, &[JSON], &call("sentinel_setPythPrice", spec))
        .await
        .1;
    assert!(r.get("result").is_some(), "{r}");

    let mut seen: Vec<(String, u64, Value)> = Vec::new();
    let find = |seen: &[(String, u64, Value)], m: &str, id: u64, key: Option<&Pubkey>| {
        seen.iter()
            .find(|(x, i, r)| {
                x == m
                    && *i == id
                    && key.is_none_or(|k| r["value"]["pubkey"] == json!(k.to_string()))
            })
            .map(|s| s.2.clone())
    };
    let done = |seen: &[(String, u64, Value)]| {
        find(seen, "accountNotification", ids[0], None).is_some()
            && find(seen, "programNotification", ids[1], Some(&recipient)).is_some()
            && find(seen, "logsNotification", ids[2], None).is_some()
            && find(seen, "accountNotification", ids[3], None).is_some()
    };
    while !done(&seen) {
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next()).await;
        let Ok(Some(Ok(Message::Text(t)))) = next else {
            panic!("notifications stopped: {seen:?}")
        };
        let v: Value = serde_json::from_str(&t).expect("json");
        let method = v["method"].as_str().unwrap_or_default().to_string();
        if method.is_empty() || method == "slotNotification" {
            continue;
        }
        seen.push((
            method,
            v["params"]["subscription"].as_u64().unwrap_or(0),
            v["params"]["result"].clone(),
        ));
    }
    let find = |m: &str, id: u64| find(&seen, m, id, None);
    let account = find("accountNotification", ids[0]).expect("account notification");
    assert_eq!(account["value"]["lamports"], 2_000_000_000u64);
    assert_eq!(account["value"]["owner"], system);
    assert!(account["context"]["slot"].as_u64().is_some());
    let program = seen
        .iter()
        .find(|(m, i, r)| {
            m == "programNotification"
                && *i == ids[1]
                && r["value"]["pubkey"] == json!(recipient.to_string())
        })
        .map(|s| s.2.clone())
        .expect("program notification");
    assert_eq!(program["value"]["pubkey"], json!(recipient.to_string()));
    assert_eq!(program["value"]["account"]["lamports"], 2_000_000_000u64);
    let logs = find("logsNotification", ids[2]).expect("logs notification");
    assert_eq!(logs["value"]["signature"], json!(signature));
    assert_eq!(logs["value"]["err"], Value::Null);
    let written = find("accountNotification", ids[3]).expect("price write notification");
    assert_eq!(
        written["value"]["owner"],
        json!(lending::constants::PYTH_RECEIVER_PROGRAM.to_string())
    );
    assert!(
        find("programNotification", ids[4]).is_none(),
        "the dataSize 1 filter matched nothing"
    );
}
