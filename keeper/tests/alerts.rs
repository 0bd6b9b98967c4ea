//! The alert webhook, against a local HTTP receiver: one JSON POST when an obligation falls
//! under the warning health, when its liquidation has failed three times in a row, and when the
//! keeper's balance of a lent-out asset is worth less than the floor; each once per episode.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

mod common;

use common::Refusing;
use keeper::alerts::Alerts;
use keeper::banks::Bank;
use keeper::sim::world::{default_assets, World};
use keeper::sim::{funded_keeper, market_params};
use lending_math::Decimal;
use serde_json::Value;
use solana_sdk::pubkey::Pubkey;

const USDC: usize = 0;
const SOL: usize = 1;

/// A local webhook receiver: every POSTed body, parsed.
fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("receiver");
    let url = format!("http://{}/alerts", server.server_addr());
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for mut req in server.incoming_requests() {
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            if let (Ok(v), Ok(mut g)) = (serde_json::from_str::<Value>(&body), sink.lock()) {
                g.push(v);
            }
            let _ = req.respond(tiny_http::Response::from_string("ok"));
        }
    });
    (url, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_alerts_reach_the_webhook_once_per_episode() {
    let mut w = World::new(default_assets(), market_params())
        .await
        .expect("world");
    w.add_lenders().await.expect("lenders");
    // At $120 SOL: the risky one is liquidatable (UBV $9,360 < $9,950), the near one is healthy
    // under the 105% warning (UBV $9,360 / $9,000 = 104%).
    let risky = w
        .open_position(&[(SOL, 100.0)], Some((USDC, 9_950.0)))
        .await
        .expect("risky");
    let near = w
        .open_position(&[(SOL, 100.0)], Some((USDC, 9_000.0)))
        .await
        .expect("near");
    w.assets[SOL].price = 120.0;
    w.assets[SOL].ema = 120.0;
    w.advance(30, 75).await.expect("advance");
    w.publish_prices(0.001).await.expect("prices");
    let banks = Bank::new(w.ctx.banks_client.clone());
    let reserves: Vec<Pubkey> = w.assets.iter().map(|a| a.reserve).collect();
    banks.track([risky, near].into_iter().chain(reserves));
    let chain = Refusing {
        inner: &banks,
        refused: BTreeSet::from([risky]),
    };
    let (url, got) = receiver();
    let mut keeper = funded_keeper(&mut w, &chain);
    keeper.alerts = Alerts::new(Some(url));
    // The keeper holds $50M of each asset; USDC is lent out, so a $60M floor is crossed.
    keeper.config.low_balance_value = Decimal::from_u64(60_000_000);
    // Failures at rounds 1, 3 and 6 (backed off in between): the alert comes with the third.
    for _ in 0..7 {
        keeper.round().await.expect("round");
    }
    let got = got.lock().expect("alerts").clone();
    let kinds: Vec<(String, String)> = got
        .iter()
        .map(|v| {
            (
                v["kind"].as_str().unwrap_or("").into(),
                v["key"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    let once = |kind: &str, key: &Pubkey| {
        kinds
            .iter()
            .filter(|(k, x)| k == kind && *x == key.to_string())
            .count()
    };
    assert_eq!(once("at_risk", &near), 1, "{kinds:?}");
    assert_eq!(once("liquidation_failing", &risky), 1, "{kinds:?}");
    assert_eq!(once("low_balance", &w.assets[USDC].mint), 1, "{kinds:?}");
    let distinct: BTreeSet<&(String, String)> = kinds.iter().collect();
    assert_eq!(distinct.len(), kinds.len(), "nothing sent twice: {kinds:?}");
    let failing = got
        .iter()
        .find(|v| v["kind"] == "liquidation_failing")
        .expect("failing");
    assert_eq!(failing["failures"], 3);
    assert!(failing["error"].as_str().unwrap_or("").contains("refused"));
    let low = got
        .iter()
        .find(|v| v["kind"] == "low_balance")
        .expect("low");
    assert_eq!(
        low["balance"], 50_000_000_000_000u64,
        "$50M of 6-decimal USDC"
    );
    assert!(got
        .iter()
        .all(|v| v["source"] == "sentinel-keeper" && v["unixTime"].as_u64().is_some()));
}
