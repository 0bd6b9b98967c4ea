//! The node under hostile requests: development methods only for programs and allowed origins,
//! JSON bodies only, capped batches, answers and subscriptions, and no request that can panic a
//! worker. Requests are written by hand over TCP so that headers are exactly the test's.

mod common;

use common::{call, node_with, post, JSON};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use tokio_tungstenite::tungstenite::Message;

fn price_request() -> String {
    call(
        "sentinel_setPythPrice",
        json!([{ "account": Pubkey::new_unique().to_string(), "price": 100_000_000 }]),
    )
}

fn airdrop_request() -> String {
    call(
        "requestAirdrop",
        json!([Pubkey::new_unique().to_string(), 1_000_000_000]),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_dev_methods_when_called_from_a_foreign_origin() {
    let node = node_with(vec!["https://dapp.example".into()]).await;
    for body in [price_request(), airdrop_request()] {
        let foreign = [JSON, ("Origin", "https://evil.example")];
        let (status, r) = post(&node, &foreign, &body).await;
        assert_eq!(status, 200);
        assert_eq!(r["error"]["code"], -32090, "{r}");
        // A look-alike of localhost is foreign too.
        let lookalike = [JSON, ("Origin", "http://localhost.evil.example")];
        assert_eq!(
            post(&node, &lookalike, &body).await.1["error"]["code"],
            -32090
        );
        for origin in [
            "http://localhost:5173",
            "http://127.0.0.1:4173",
            "https://dapp.example",
        ] {
            let (_, r) = post(&node, &[JSON, ("Origin", origin)], &body).await;
            assert!(r.get("result").is_some(), "{origin}: {r}");
        }
        // A program (no Origin header) may call them.
        let (_, r) = post(&node, &[JSON], &body).await;
        assert!(r.get("result").is_some(), "{r}");
    }
    // Ordinary methods answer any origin, as a validator does.
    let (_, r) = post(
        &node,
        &[JSON, ("Origin", "https://evil.example")],
        &call("getHealth", json!([])),
    )
    .await;
    assert_eq!(r["result"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_post_when_the_body_is_not_declared_json() {
    let node = node_with(Vec::new()).await;
    // text/plain is what a page of another origin may send without a preflight.
    for headers in [vec![("Content-Type", "text/plain")], Vec::new()] {
        let (status, r) = post(&node, &headers, &airdrop_request()).await;
        assert_eq!(status, 415);
        assert_eq!(r["error"]["code"], -32600);
    }
    let charset = [("Content-Type", "application/json; charset=utf-8")];
    let (status, r) = post(&node, &charset, &call("getHealth", json!([]))).await;
    assert_eq!((status, r["result"].clone()), (200, json!("ok")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_node_keeps_serving_after_multibyte_feed_ids() {
    let node = node_with(Vec::new()).await;
    // 64 bytes, but not 64 ASCII characters: byte slicing used to split a code point and panic
    // a worker; four of them stopped the server.
    let feed = "é".repeat(32);
    for _ in 0..8 {
        let body = call(
            "sentinel_setPythPrice",
            json!([{ "account": Pubkey::new_unique().to_string(), "price": 1, "feedId": feed }]),
        );
        let (status, r) = post(&node, &[JSON], &body).await;
        assert_eq!(status, 200);
        assert_eq!(r["error"]["code"], -32602, "{r}");
    }
    let (_, r) = post(&node, &[JSON], &call("getHealth", json!([]))).await;
    assert_eq!(r["result"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_batch_when_it_exceeds_the_cap() {
    let node = node_with(Vec::new()).await;
    let one = json!({ "jsonrpc": "2.0", "id": 1, "method": "getHealth", "params": [] });
    let batch = |n: usize| Value::Array(vec![one.clone(); n]).to_string();
    let (_, r) = post(&node, &[JSON], &batch(101)).await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    let (_, r) = post(&node, &[JSON], &batch(100)).await;
    assert_eq!(r.as_array().map(Vec::len), Some(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_get_program_accounts_when_the_answer_exceeds_the_cap() {
    let node = node_with(Vec::new()).await;
    let owner = Pubkey::new_unique();
    {
        let mut n = node.node.lock().await;
        for _ in 0..2 {
            let account = Account {
                lamports: 1_000_000_000,
                data: vec![7; 9 * 1024 * 1024],
                owner,
                executable: false,
                rent_epoch: 0,
            };
            n.set_account(Pubkey::new_unique(), account);
        }
    }
    let body = call(
        "getProgramAccounts",
        json!([owner.to_string(), { "encoding": "base64" }]),
    );
    let (_, r) = post(&node, &[JSON], &body).await;
    assert_eq!(r["error"]["code"], -32012, "18 MiB of data");
    let sliced = json!([owner.to_string(), { "encoding": "base64", "dataSlice": { "offset": 0, "length": 8 } }]);
    let (_, r) = post(&node, &[JSON], &call("getProgramAccounts", sliced)).await;
    assert_eq!(
        r["result"].as_array().map(Vec::len),
        Some(2),
        "a slice fits"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_subscribe_past_the_cap_per_connection() {
    let node = node_with(Vec::new()).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(node.ws_url.as_str())
        .await
        .expect("ws");
    let answer = |id: u64| {
        let frame = json!({ "jsonrpc": "2.0", "id": id, "method": "slotSubscribe", "params": [] });
        Message::text(frame.to_string())
    };
    let (mut last, mut first) = (Value::Null, Value::Null);
    for id in 0..=256u64 {
        ws.send(answer(id)).await.expect("send");
        loop {
            let Some(Ok(Message::Text(t))) = ws.next().await else {
                panic!("socket closed");
            };
            let v: Value = serde_json::from_str(&t).expect("json");
            if v.get("id") == Some(&json!(id)) {
                last = v;
                break;
            }
        }
        if id < 256 {
            assert!(last.get("result").is_some(), "subscription {id}: {last}");
        }
        if id == 0 {
            first = last["result"].clone();
        }
    }
    assert_eq!(last["error"]["code"], -32600, "the 257th: {last}");
    // Unsubscribing frees a place.
    let unsub =
        json!({ "jsonrpc": "2.0", "id": 1_000, "method": "slotUnsubscribe", "params": [first] });
    ws.send(Message::text(unsub.to_string()))
        .await
        .expect("send");
    loop {
        let Some(Ok(Message::Text(t))) = ws.next().await else {
            panic!("socket closed");
        };
        let v: Value = serde_json::from_str(&t).expect("json");
        if v.get("id") == Some(&json!(1_000)) {
            break;
        }
    }
    ws.send(answer(2_000)).await.expect("send");
    loop {
        let Some(Ok(Message::Text(t))) = ws.next().await else {
            panic!("socket closed");
        };
        let v: Value = serde_json::from_str(&t).expect("json");
        if v.get("id") == Some(&json!(2_000)) {
            assert!(v.get("result").is_some(), "{v}");
            break;
        }
    }
}

/// One keep-alive connection: `n` requests in turn, each answer read by its `Content-Length`
/// before the next request is written (as a browser reuses a connection).
async fn keep_alive_session(addr: String, n: usize) -> usize {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut answered = 0;
    for i in 0..n {
        let body = json!({ "jsonrpc": "2.0", "id": i, "method": "getSlot" }).to_string();
        let req = format!(
            "POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: keep-alive\r\nOrigin: http://localhost:5173\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        write.write_all(req.as_bytes()).await.expect("write");
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            read.read_line(&mut line).await.expect("header");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().expect("length");
            }
        }
        let mut answer = vec![0u8; length];
        read.read_exact(&mut answer).await.expect("body");
        let v: Value = serde_json::from_slice(&answer).expect("json");
        assert_eq!(v["id"], i, "{v}");
        answered += 1;
    }
    answered
}

/// Six keep-alive connections, as a browser opens, with requests on all of them at once: every
/// request is answered, in order, on the connection it came on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_parallel_keep_alive_connections_are_all_answered() {
    let node = node_with(Vec::new()).await;
    let addr = node.rpc_url.trim_start_matches("http://").to_string();
    let sessions: Vec<_> = (0..6)
        .map(|_| tokio::spawn(keep_alive_session(addr.clone(), 25)))
        .collect();
    let all = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        let mut total = 0;
        for s in sessions {
            total += s.await.expect("session");
        }
        total
    })
    .await
    .expect("every keep-alive request answered within 30 s");
    assert_eq!(all, 150);
}
