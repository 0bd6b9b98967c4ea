//! The HTTP side: JSON-RPC over POST, `GET /health`, and CORS so a browser dApp can call it.
//! tiny_http workers run on their own threads and hand each body to the async handler.
//!
//! Browser safety: a POST must be `application/json`, which a page of another origin cannot
//! send without a CORS preflight; and the development methods (free airdrops, price writes)
//! answer only to requests without an `Origin` (programs) or from an allowed origin, localhost
//! by default. A panic while serving one request is caught and answered as an internal error,
//! so no request can stop a worker.

use std::io::Read;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::error::{RpcError, INTERNAL_ERROR, INVALID_REQUEST};
use crate::methods::Caller;
use crate::rpc::{self, SharedNode, MAX_REQUEST_BODY_BYTES};

/// The browser origins allowed to call the development methods.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    extra: Vec<String>,
}

impl Origins {
    /// Localhost on any port and scheme, plus `extra` (exact origins such as
    /// `https://dapp.example`).
    pub fn new(extra: Vec<String>) -> Self {
        Origins {
            extra: extra
                .into_iter()
                .map(|o| o.trim_end_matches('/').to_string())
                .collect(),
        }
    }

    /// True for no `Origin` header (not a browser), a localhost origin, or one of the extra ones.
    pub fn allows(&self, origin: Option<&str>) -> bool {
        let Some(origin) = origin else {
            return true;
        };
        if self.extra.iter().any(|o| o == origin) {
            return true;
        }
        let Some(rest) = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
        else {
            return false;
        };
        let host = if let Some(v6) = rest.strip_prefix('[') {
            v6.split(']').next().map(|h| format!("[{h}]"))
        } else {
            rest.split(':').next().map(str::to_string)
        };
        matches!(host.as_deref(), Some("localhost" | "127.0.0.1" | "[::1]"))
    }
}

/// A running HTTP server; dropping it stops the workers.
pub struct HttpServer {
    server: Arc<Server>,
    workers: Vec<JoinHandle<()>>,
    /// The bound address.
    pub addr: std::net::SocketAddr,
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn cors<R: Read>(mut resp: Response<R>) -> Response<R> {
    for (n, v) in [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "POST, GET, OPTIONS"),
        (
            "Access-Control-Allow-Headers",
            "Content-Type, solana-client",
        ),
    ] {
        if let Some(h) = header(n, v) {
            resp.add_header(h);
        }
    }
    resp
}

fn json_response(body: String, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut resp = Response::from_string(body).with_status_code(status);
    if let Some(h) = header("Content-Type", "application/json") {
        resp.add_header(h);
    }
    cors(resp)
}

fn request_header<'a>(req: &'a Request, name: &'static str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/json"))
}

fn serve_one(node: &SharedNode, rt: &tokio::runtime::Handle, origins: &Origins, mut req: Request) {
    let caller = Caller {
        dev_methods: origins.allows(request_header(&req, "Origin")),
    };
    let json_body = is_json(request_header(&req, "Content-Type"));
    let resp = match (req.method(), req.url()) {
        (Method::Options, _) => cors(Response::from_string("")),
        (Method::Get, "/health") => cors(Response::from_string("ok")),
        (Method::Post, _) if !json_body => {
            let err = RpcError::new(INVALID_REQUEST, "Content-Type must be application/json");
            json_response(rpc::error_response(err).to_string(), 415)
        }
        (Method::Post, _) => {
            let mut body = Vec::new();
            let read = req
                .as_reader()
                .take(MAX_REQUEST_BODY_BYTES as u64 + 1)
                .read_to_end(&mut body);
            if read.is_err() || body.len() > MAX_REQUEST_BODY_BYTES {
                let err = RpcError::new(
                    INVALID_REQUEST,
                    format!("request body larger than {MAX_REQUEST_BODY_BYTES} bytes"),
                );
                json_response(rpc::error_response(err).to_string(), 413)
            } else {
                let handled = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    rt.block_on(rpc::handle(node, &body, caller))
                }));
                match handled {
                    Ok(Some(v)) => json_response(v.to_string(), 200),
                    Ok(None) => json_response(String::new(), 200),
                    Err(_) => {
                        tracing::error!("a request panicked while being served");
                        let err = RpcError::new(INTERNAL_ERROR, "Internal error");
                        json_response(rpc::error_response(err).to_string(), 500)
                    }
                }
            }
        }
        _ => cors(Response::from_string("method not allowed").with_status_code(405)),
    };
    if let Err(e) = req.respond(resp) {
        tracing::debug!("response not delivered: {e}");
    }
}

impl HttpServer {
    /// Binds `addr` and starts `threads` workers.
    pub fn start(
        addr: &str,
        threads: usize,
        node: SharedNode,
        rt: tokio::runtime::Handle,
        origins: Origins,
    ) -> anyhow::Result<HttpServer> {
        let server = Arc::new(Server::http(addr).map_err(|e| anyhow::anyhow!("bind {addr}: {e}"))?);
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow::anyhow!("not an IP listener"))?;
        let workers = (0..threads.max(1))
            .map(|_| {
                let (server, node, rt) = (server.clone(), node.clone(), rt.clone());
                let origins = origins.clone();
                std::thread::spawn(move || {
                    while let Ok(req) = server.recv() {
                        serve_one(&node, &rt, &origins, req);
                    }
                })
            })
            .collect();
        Ok(HttpServer {
            server,
            workers,
            addr,
        })
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}
