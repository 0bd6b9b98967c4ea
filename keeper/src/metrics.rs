//! Prometheus metrics and the `/metrics` + `/health` HTTP endpoint.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, IntCounter, IntGauge, Registry, TextEncoder,
};

/// The keeper's metrics.
#[derive(Clone)]
pub struct Metrics {
    /// Registry holding them all.
    pub registry: Registry,
    /// Obligations scanned.
    pub scanned: IntCounter,
    /// Unhealthy obligations found.
    pub unhealthy: IntCounter,
    /// Obligations under the warning health level but not yet liquidatable (last round).
    pub at_risk: IntGauge,
    /// Liquidation transactions sent.
    pub sent: IntCounter,
    /// Liquidations that landed.
    pub succeeded: IntCounter,
    /// Liquidations that failed in simulation or on send.
    pub failed: IntCounter,
    /// Of those, lost races: the obligation changed on chain since the keeper read it.
    pub lost_races: IntCounter,
    /// Expected profit of landed liquidations (quote units).
    pub profit: Gauge,
    /// Round latency.
    pub round_seconds: Histogram,
    last_round_unix: Arc<AtomicI64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn counter(r: &Registry, name: &str, help: &str) -> IntCounter {
    let c = IntCounter::new(name, help).expect("valid metric");
    r.register(Box::new(c.clone())).expect("unique metric");
    c
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Self {
        let registry =
            Registry::new_custom(Some("sentinel_keeper".into()), None).expect("registry");
        let at_risk = IntGauge::new(
            "obligations_at_risk",
            "obligations under the warning health level",
        )
        .expect("gauge");
        registry
            .register(Box::new(at_risk.clone()))
            .expect("unique");
        let profit = Gauge::new(
            "profit_quote_total",
            "expected profit of landed liquidations",
        )
        .expect("gauge");
        registry.register(Box::new(profit.clone())).expect("unique");
        let round_seconds =
            Histogram::with_opts(HistogramOpts::new("round_seconds", "round latency"))
                .expect("histogram");
        registry
            .register(Box::new(round_seconds.clone()))
            .expect("unique");
        Metrics {
            scanned: counter(
                &registry,
                "obligations_scanned_total",
                "obligations scanned",
            ),
            unhealthy: counter(
                &registry,
                "unhealthy_found_total",
                "unhealthy obligations found",
            ),
            sent: counter(
                &registry,
                "liquidations_sent_total",
                "liquidation transactions sent",
            ),
            succeeded: counter(
                &registry,
                "liquidations_succeeded_total",
                "liquidations that landed",
            ),
            failed: counter(
                &registry,
                "liquidations_failed_total",
                "liquidations that failed",
            ),
            lost_races: counter(
                &registry,
                "liquidations_lost_races_total",
                "failed liquidations of an obligation that changed since it was read",
            ),
            at_risk,
            profit,
            round_seconds,
            registry,
            last_round_unix: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Records that a round finished now.
    pub fn round_done(&self) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        self.last_round_unix.store(now, Ordering::Relaxed);
    }

    /// Text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(buf).unwrap_or_default()
    }

    /// Healthy when a round finished within `max_age_secs`.
    pub fn healthy(&self, max_age_secs: i64) -> bool {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        now - self.last_round_unix.load(Ordering::Relaxed) <= max_age_secs
    }

    /// Serves `/metrics` and `/health` on `addr` from a background thread.
    pub fn serve(&self, addr: &str, health_max_age_secs: i64) -> anyhow::Result<()> {
        let server = tiny_http::Server::http(addr)
            .map_err(|e| anyhow::anyhow!("metrics server on {addr}: {e}"))?;
        let metrics = self.clone();
        std::thread::spawn(move || {
            for req in server.incoming_requests() {
                let resp = match req.url() {
                    "/metrics" => tiny_http::Response::from_string(metrics.render()),
                    "/health" if metrics.healthy(health_max_age_secs) => {
                        tiny_http::Response::from_string("ok")
                    }
                    "/health" => tiny_http::Response::from_string("stale").with_status_code(503),
                    _ => tiny_http::Response::from_string("not found").with_status_code(404),
                };
                if let Err(e) = req.respond(resp) {
                    tracing::warn!(error = %e, "metrics response failed");
                }
            }
        });
        Ok(())
    }
}
