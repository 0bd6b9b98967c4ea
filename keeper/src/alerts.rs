//! Alerts that reach someone: an optional webhook that receives a JSON POST when an obligation
//! falls under the warning health, when a liquidation keeps failing, and when the keeper's
//! balance of a debt asset runs low. Each condition is sent once when it starts and again only
//! after it has cleared; a webhook that fails is logged and never stops a round.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};
use solana_sdk::pubkey::Pubkey;

/// Consecutive failed liquidations of one obligation that raise an alert.
pub const FAILURES_BEFORE_ALERT: u32 = 3;

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertKind {
    /// A healthy obligation under the warning health factor.
    AtRisk,
    /// Liquidations of an obligation failed `FAILURES_BEFORE_ALERT` times in a row.
    LiquidationFailing,
    /// The keeper's balance of a debt asset is worth less than the configured floor.
    LowBalance,
}

impl AlertKind {
    /// The `kind` field of the JSON body.
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::AtRisk => "at_risk",
            AlertKind::LiquidationFailing => "liquidation_failing",
            AlertKind::LowBalance => "low_balance",
        }
    }
}

/// The webhook and the conditions already reported.
#[derive(Debug, Default)]
pub struct Alerts {
    url: Option<String>,
    client: reqwest::Client,
    active: Mutex<BTreeSet<(AlertKind, Pubkey)>>,
}

impl Alerts {
    /// Alerts posted to `url` (none when `None`: conditions are still tracked and logged).
    pub fn new(url: Option<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Alerts {
            url,
            client,
            active: Mutex::default(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut BTreeSet<(AlertKind, Pubkey)>) -> T) -> T {
        let mut guard = match self.active.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Reports `kind` for `key` (an obligation or a mint) with `detail` merged into the body,
    /// unless it is already active. Returns true when it was posted.
    pub async fn raise(&self, kind: AlertKind, key: Pubkey, detail: Value) -> bool {
        if !self.with(|a| a.insert((kind, key))) {
            return false;
        }
        tracing::warn!(kind = kind.name(), key = %key, detail = %detail, "alert");
        let Some(url) = &self.url else {
            return false;
        };
        let mut body = json!({
            "source": "sentinel-keeper",
            "kind": kind.name(),
            "key": key.to_string(),
            "unixTime": std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        });
        if let (Some(b), Some(d)) = (body.as_object_mut(), detail.as_object()) {
            b.extend(d.clone());
        }
        match self.client.post(url).json(&body).send().await {
            Ok(r) if r.status().is_success() => true,
            Ok(r) => {
                tracing::warn!(status = %r.status(), "alert webhook refused the alert");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "alert webhook unreachable");
                false
            }
        }
    }

    /// The condition `kind` for `key` is over: a later one is reported again.
    pub fn clear(&self, kind: AlertKind, key: &Pubkey) {
        self.with(|a| a.remove(&(kind, *key)));
    }

    /// Clears every active `kind` whose key `still` rejects (conditions a round no longer saw).
    pub fn clear_unless(&self, kind: AlertKind, still: impl Fn(&Pubkey) -> bool) {
        self.with(|a| a.retain(|(k, key)| *k != kind || still(key)));
    }
}
