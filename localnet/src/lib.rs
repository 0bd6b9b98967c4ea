//! `sentinel-localnet`: a development node for the native build of the lending program.
//!
//! No SBF toolchain or `solana-test-validator` exists on the machines this project is built on,
//! and only solana-program-test can host the natively compiled program. This crate puts that bank
//! behind the Solana JSON-RPC API (HTTP, and the pubsub WebSocket on port + 1) so that the
//! TypeScript client, the dApp, the deploy script and the keeper's RPC backend can talk to the
//! program as they would to a validator. It is not a validator: one bank, no consensus, every
//! processed transaction final at once, slots advancing on a timer.

pub mod demo;
pub mod dev;
pub mod encode;
pub mod error;
pub mod faucet;
pub mod http;
pub mod index;
pub mod methods;
pub mod node;
pub mod queries;
pub mod rpc;
pub mod subscriptions;
pub mod ws;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

pub use node::Node;
pub use rpc::SharedNode;

/// Republish `keepFresh` price feeds every this many slots (about 4 s).
pub const FRESH_FEED_EVERY_SLOTS: u64 = 10;

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct Config {
    /// HTTP JSON-RPC address, e.g. `127.0.0.1:8899` (port 0 picks a free one).
    pub rpc_addr: String,
    /// WebSocket address; `None` is the RPC port + 1 (port 0 RPC: a free one).
    pub ws_addr: Option<String>,
    /// Slot length in milliseconds.
    pub slot_ms: u64,
    /// Browser origins besides localhost allowed to call the development methods.
    pub allowed_origins: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rpc_addr: "127.0.0.1:8899".into(),
            ws_addr: None,
            slot_ms: 400,
            allowed_origins: Vec::new(),
        }
    }
}

/// A running node; dropping it stops serving.
pub struct Running {
    /// The node.
    pub node: SharedNode,
    /// `http://…` of the JSON-RPC endpoint.
    pub rpc_url: String,
    /// `ws://…` of the pubsub endpoint.
    pub ws_url: String,
    _http: http::HttpServer,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Starts the HTTP and WebSocket servers and the slot timer. Must run inside a multi-thread
/// tokio runtime.
pub async fn serve(node: Node, config: &Config) -> anyhow::Result<Running> {
    let node: SharedNode = Arc::new(Mutex::new(node));
    let http = http::HttpServer::start(
        &config.rpc_addr,
        node.clone(),
        tokio::runtime::Handle::current(),
        http::Origins::new(config.allowed_origins.clone()),
    )?;
    // A validator serves pubsub on the RPC port + 1. When the RPC port was left to the OS (0),
    // so is the pubsub port: `port + 1` of an ephemeral port may belong to someone else.
    let asked_any_port = config.rpc_addr.rsplit(':').next() == Some("0");
    let ws_addr = match &config.ws_addr {
        Some(a) => a.clone(),
        None if asked_any_port => format!("{}:0", http.addr.ip()),
        None => format!("{}:{}", http.addr.ip(), http.addr.port() + 1),
    };
    let listener = tokio::net::TcpListener::bind(&ws_addr)
        .await
        .map_err(|e| anyhow::anyhow!("bind {ws_addr}: {e}"))?;
    let ws_bound = listener.local_addr()?;
    let ws_task = tokio::spawn(ws::serve(listener, node.clone()));
    let ticker = tokio::spawn(slot_timer(node.clone(), config.slot_ms));
    Ok(Running {
        rpc_url: format!("http://{}", http.addr),
        ws_url: format!("ws://{ws_bound}"),
        node,
        _http: http,
        tasks: vec![ws_task, ticker],
    })
}

async fn slot_timer(node: SharedNode, slot_ms: u64) {
    let mut interval = tokio::time::interval(Duration::from_millis(slot_ms.max(1)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let mut n = node.lock().await;
        match n.tick().await {
            Ok(slot) if slot % FRESH_FEED_EVERY_SLOTS == 0 => {
                if let Err(e) = dev::refresh_feeds(&mut n).await {
                    tracing::warn!(error = %e.message, "price feed refresh failed");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.message, "slot tick failed"),
        }
    }
}
