//! Streaming: a [`Chain`] that keeps the market's accounts current from pubsub notifications
//! instead of re-reading them every round.
//!
//! A background task connects to the node's WebSocket, subscribes to `programSubscribe` on the
//! lending program (filtered to the market: every reserve, obligation and oracle config of it)
//! and to `accountSubscribe` on the followed accounts (the market, the reserves' price accounts),
//! then reads everything once over RPC (the resync) and applies each notification as it comes.
//! A full resync runs every `resync` interval to correct any missed update. A dropped socket
//! reconnects with exponential backoff (0.5 s doubling to 30 s); until it is back and resynced,
//! every call falls through to RPC (polling). Calls the cache cannot answer always do.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::VersionedTransaction;
use tokio_tungstenite::tungstenite::Message;

use crate::chain::{AccountFilter, Chain, Cursor, Simulation};
use crate::market::MARKET_FIELD_OFFSET;
use crate::rpc::RpcChain;

/// Longest wait between reconnection attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the stream has seen.
#[derive(Debug, Default)]
struct Cache {
    /// The lending program's accounts of the market, by key.
    program: BTreeMap<Pubkey, Account>,
    /// Followed accounts, by key (`None`: known not to exist).
    followed: BTreeMap<Pubkey, Option<Account>>,
    /// True while subscribed and resynced since the last (re)connection.
    live: bool,
    /// Notifications applied.
    notifications: u64,
    /// Full resyncs done.
    resyncs: u64,
    /// (Re)connections made.
    connections: u64,
    /// Restarts of the change log (resyncs, connections lost).
    epoch: u64,
    /// Program accounts changed in this epoch, in order of notification.
    log: Vec<Pubkey>,
}

/// Longest change log kept: past it the log restarts, and readers value everything again.
pub const MAX_CHANGE_LOG: usize = 1 << 20;

impl Cache {
    fn restart_log(&mut self) {
        self.epoch += 1;
        self.log.clear();
    }
}

/// Counters of a stream, for logs and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Subscribed and resynced now.
    pub live: bool,
    /// Notifications applied.
    pub notifications: u64,
    /// Full resyncs done.
    pub resyncs: u64,
    /// (Re)connections made.
    pub connections: u64,
}

/// A JSON-RPC chain whose market accounts come from a live subscription when one is up.
pub struct StreamingChain {
    inner: Arc<RpcChain>,
    market: Pubkey,
    cache: Arc<Mutex<Cache>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StreamingChain {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(cache: &Mutex<Cache>) -> std::sync::MutexGuard<'_, Cache> {
    match cache.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn decode_account(v: &Value) -> Option<Account> {
    let data = v["data"][0].as_str()?;
    Some(Account {
        lamports: v["lamports"].as_u64()?,
        data: B64.decode(data).ok()?,
        owner: v["owner"].as_str()?.parse().ok()?,
        executable: v["executable"].as_bool().unwrap_or(false),
        rent_epoch: v["rentEpoch"].as_u64().unwrap_or(0),
    })
}

impl StreamingChain {
    /// Starts following `market` (and `followed` accounts) over `ws_url`, resyncing every
    /// `resync` from `inner`.
    pub fn start(
        inner: Arc<RpcChain>,
        ws_url: String,
        market: Pubkey,
        followed: Vec<Pubkey>,
        resync: Duration,
    ) -> Self {
        let cache = Arc::new(Mutex::new(Cache::default()));
        let task = tokio::spawn(run(
            inner.clone(),
            ws_url,
            market,
            followed,
            resync,
            cache.clone(),
        ));
        StreamingChain {
            inner,
            market,
            cache,
            task,
        }
    }
}

impl StreamingChain {
    /// The stream's counters.
    pub fn stats(&self) -> StreamStats {
        let c = lock(&self.cache);
        StreamStats {
            live: c.live,
            notifications: c.notifications,
            resyncs: c.resyncs,
            connections: c.connections,
        }
    }

    fn covers(&self, program: &Pubkey, filters: &[AccountFilter]) -> bool {
        *program == lending::ID
            && filters.iter().any(|f| {
                *f == AccountFilter::Memcmp {
                    offset: MARKET_FIELD_OFFSET,
                    bytes: self.market.to_bytes().to_vec(),
                }
            })
    }
}

async fn resync(
    inner: &RpcChain,
    market: &Pubkey,
    followed: &[Pubkey],
    cache: &Mutex<Cache>,
) -> Result<()> {
    let filters = [AccountFilter::Memcmp {
        offset: MARKET_FIELD_OFFSET,
        bytes: market.to_bytes().to_vec(),
    }];
    let program = inner.program_accounts(&lending::ID, &filters).await?;
    let accounts = inner.accounts(followed).await?;
    let mut c = lock(cache);
    c.program = program.into_iter().collect();
    c.followed = followed.iter().copied().zip(accounts).collect();
    c.resyncs += 1;
    c.restart_log();
    Ok(())
}

async fn run(
    inner: Arc<RpcChain>,
    ws_url: String,
    market: Pubkey,
    followed: Vec<Pubkey>,
    every: Duration,
    cache: Arc<Mutex<Cache>>,
) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match session(&inner, &ws_url, &market, &followed, every, &cache).await {
            Ok(()) => backoff = Duration::from_millis(500),
            Err(e) => {
                tracing::warn!(error = %e, retry_ms = backoff.as_millis() as u64, "stream down; polling until it is back")
            }
        }
        {
            let mut c = lock(&cache);
            c.live = false;
            c.restart_log();
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection: subscribe, resync, apply notifications until the socket ends.
async fn session(
    inner: &RpcChain,
    ws_url: &str,
    market: &Pubkey,
    followed: &[Pubkey],
    every: Duration,
    cache: &Mutex<Cache>,
) -> Result<()> {
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url)
        .await
        .map_err(|e| anyhow!("connect {ws_url}: {e}"))?;
    lock(cache).connections += 1;
    let filter =
        json!({ "memcmp": { "offset": MARKET_FIELD_OFFSET, "bytes": market.to_string() } });
    let mut requests = vec![json!({
        "jsonrpc": "2.0", "id": 0, "method": "programSubscribe",
        "params": [lending::ID.to_string(), { "encoding": "base64", "commitment": "confirmed", "filters": [filter] }],
    })];
    for (i, k) in followed.iter().enumerate() {
        requests.push(json!({
            "jsonrpc": "2.0", "id": i + 1, "method": "accountSubscribe",
            "params": [k.to_string(), { "encoding": "base64", "commitment": "confirmed" }],
        }));
    }
    // Subscription id → followed account (accountSubscribe) or None (the program).
    let mut subscriptions: BTreeMap<u64, Option<Pubkey>> = BTreeMap::new();
    for r in &requests {
        ws.send(Message::text(r.to_string())).await?;
    }
    let mut pending = requests.len();
    let mut early = Vec::new();
    while pending > 0 {
        let Some(msg) = ws.next().await else {
            return Err(anyhow!("socket closed while subscribing"));
        };
        let Message::Text(text) = msg? else { continue };
        let v: Value = serde_json::from_str(&text)?;
        match (v["id"].as_u64(), v["result"].as_u64()) {
            (Some(0), Some(sub)) => {
                subscriptions.insert(sub, None);
                pending -= 1;
            }
            (Some(i), Some(sub)) => {
                subscriptions.insert(sub, followed.get(i as usize - 1).copied());
                pending -= 1;
            }
            (Some(_), None) => return Err(anyhow!("subscription refused: {v}")),
            _ => early.push(v),
        }
    }
    resync(inner, market, followed, cache).await?;
    lock(cache).live = true;
    for v in early {
        apply(&v, &subscriptions, cache);
    }
    let mut timer = tokio::time::interval(every);
    timer.tick().await;
    loop {
        tokio::select! {
            msg = ws.next() => {
                let Some(msg) = msg else { return Err(anyhow!("socket closed")) };
                if let Message::Text(text) = msg? {
                    if let Ok(v) = serde_json::from_str::<Value>(&text) {
                        apply(&v, &subscriptions, cache);
                    }
                }
            }
            _ = timer.tick() => resync(inner, market, followed, cache).await?,
        }
    }
}

fn apply(v: &Value, subscriptions: &BTreeMap<u64, Option<Pubkey>>, cache: &Mutex<Cache>) {
    let Some(sub) = v["params"]["subscription"].as_u64() else {
        return;
    };
    let value = &v["params"]["result"]["value"];
    let mut c = lock(cache);
    match (v["method"].as_str(), subscriptions.get(&sub)) {
        (Some("programNotification"), Some(None)) => {
            let (Some(key), Some(acc)) = (
                value["pubkey"]
                    .as_str()
                    .and_then(|k| k.parse::<Pubkey>().ok()),
                decode_account(&value["account"]),
            ) else {
                return;
            };
            if acc.lamports == 0 {
                c.program.remove(&key);
            } else {
                c.program.insert(key, acc);
            }
            if c.log.len() >= MAX_CHANGE_LOG {
                c.restart_log();
            }
            c.log.push(key);
        }
        (Some("accountNotification"), Some(Some(key))) => {
            let acc = decode_account(value).filter(|a| a.lamports > 0);
            c.followed.insert(*key, acc);
        }
        _ => return,
    }
    c.notifications += 1;
}

impl Chain for StreamingChain {
    async fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        if self.covers(program, filters) {
            let c = lock(&self.cache);
            if c.live {
                return Ok(c
                    .program
                    .iter()
                    .filter(|(_, a)| filters.iter().all(|f| f.matches(&a.data)))
                    .map(|(k, a)| (*k, a.clone()))
                    .collect());
            }
        }
        self.inner.program_accounts(program, filters).await
    }

    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        {
            let c = lock(&self.cache);
            if c.live {
                let cached: Option<Vec<Option<Account>>> = keys
                    .iter()
                    .map(|k| match (c.followed.get(k), c.program.get(k)) {
                        (Some(a), _) => Some(a.clone()),
                        (None, Some(a)) => Some(Some(a.clone())),
                        (None, None) => None,
                    })
                    .collect();
                if let Some(found) = cached {
                    return Ok(found);
                }
            }
        }
        self.inner.accounts(keys).await
    }

    async fn latest_blockhash(&self) -> Result<Hash> {
        self.inner.latest_blockhash().await
    }

    async fn clock(&self) -> Result<Clock> {
        self.inner.clock().await
    }

    async fn simulate(&self, tx: &VersionedTransaction) -> Result<Simulation> {
        self.inner.simulate(tx).await
    }

    async fn send_and_confirm(&self, tx: &VersionedTransaction) -> Result<Signature> {
        self.inner.send_and_confirm(tx).await
    }

    async fn recent_prioritization_fees(&self, accounts: &[Pubkey]) -> Result<Vec<u64>> {
        self.inner.recent_prioritization_fees(accounts).await
    }

    fn change_cursor(&self) -> Option<Cursor> {
        let c = lock(&self.cache);
        c.live.then_some(Cursor {
            epoch: c.epoch,
            seq: c.log.len() as u64,
        })
    }

    fn changed_since(&self, since: Cursor) -> Option<(Cursor, Vec<Pubkey>)> {
        let c = lock(&self.cache);
        let from = usize::try_from(since.seq).ok()?;
        if !c.live || since.epoch != c.epoch || from > c.log.len() {
            return None;
        }
        let mut keys = c.log[from..].to_vec();
        keys.sort_unstable();
        keys.dedup();
        let next = Cursor {
            epoch: c.epoch,
            seq: c.log.len() as u64,
        };
        Some((next, keys))
    }
}
