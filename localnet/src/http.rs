//! The HTTP side: JSON-RPC over POST, `GET /health`, and CORS so a browser dApp can call it.
//! tiny_http workers run on their own threads and hand each body to the async handler.

use std::io::Read;
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::error::{RpcError, INVALID_REQUEST};
use crate::rpc::{self, SharedNode, MAX_REQUEST_BODY_BYTES};

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

fn serve_one(node: &SharedNode, rt: &tokio::runtime::Handle, mut req: Request) {
    let resp = match (req.method(), req.url()) {
        (Method::Options, _) => cors(Response::from_string("")),
        (Method::Get, "/health") => cors(Response::from_string("ok")),
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
                match rt.block_on(rpc::handle(node, &body)) {
                    Some(v) => json_response(v.to_string(), 200),
                    None => json_response(String::new(), 200),
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
    ) -> anyhow::Result<HttpServer> {
        let server = Arc::new(Server::http(addr).map_err(|e| anyhow::anyhow!("bind {addr}: {e}"))?);
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow::anyhow!("not an IP listener"))?;
        let workers = (0..threads.max(1))
            .map(|_| {
                let (server, node, rt) = (server.clone(), node.clone(), rt.clone());
                std::thread::spawn(move || {
                    while let Ok(req) = server.recv() {
                        serve_one(&node, &rt, req);
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
