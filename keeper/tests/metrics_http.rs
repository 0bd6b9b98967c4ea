//! The metrics endpoint serves Prometheus text on /metrics and the round heartbeat on /health.

use std::io::{Read, Write};
use std::net::TcpStream;

use keeper::metrics::Metrics;

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn successful_metrics_and_health_endpoints() {
    let addr = "127.0.0.1:39464";
    let metrics = Metrics::new();
    metrics.serve(addr, 60).expect("serve");
    let stale = get(addr, "/health");
    assert!(stale.starts_with("HTTP/1.1 503"), "no round yet: {stale}");
    metrics.scanned.inc_by(7);
    metrics.round_done();
    let health = get(addr, "/health");
    assert!(
        health.starts_with("HTTP/1.1 200") && health.ends_with("ok"),
        "{health}"
    );
    let body = get(addr, "/metrics");
    assert!(
        body.contains("sentinel_keeper_obligations_scanned_total 7"),
        "{body}"
    );
    assert!(body.contains("sentinel_keeper_round_seconds"));
    assert!(get(addr, "/nope").starts_with("HTTP/1.1 404"));
}
