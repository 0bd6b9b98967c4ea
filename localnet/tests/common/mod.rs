//! Helpers shared by the node's integration tests: a node on a free port, and JSON-RPC requests
//! written by hand over TCP so that headers are exactly the test's.
#![allow(dead_code)]

use sentinel_localnet::{serve, Config, Node, Running};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub async fn node_with(allowed_origins: Vec<String>) -> Running {
    let node = Node::start().await.expect("node");
    let config = Config {
        rpc_addr: "127.0.0.1:0".into(),
        allowed_origins,
        ..Config::default()
    };
    serve(node, &config).await.expect("serve")
}

/// One POST with `headers`; returns the status code and the body parsed as JSON.
pub async fn post(running: &Running, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let addr = running.rpc_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    // The body may come chunked; the JSON is the part between the first { or [ and the last.
    let start = body.find(['{', '[']).unwrap_or(0);
    let end = body.rfind(['}', ']']).map_or(body.len(), |e| e + 1);
    (
        status,
        serde_json::from_str(&body[start..end]).unwrap_or(Value::Null),
    )
}

pub fn call(method: &str, params: Value) -> String {
    json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string()
}

pub const JSON: (&str, &str) = ("Content-Type", "application/json");
