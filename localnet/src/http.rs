//! The HTTP side: JSON-RPC over POST, `GET /health`, and CORS so a browser dApp can call it.
//! HTTP/1.1 with keep-alive (hyper), one task per connection on the node's runtime.
//!
//! Browser safety: a POST must be `application/json`, which a page of another origin cannot
//! send without a CORS preflight; and the development methods (free airdrops, price writes)
//! answer only to requests without an `Origin` (programs) or from an allowed origin, localhost
//! by default. A panic while serving one request is caught and answered as an internal error,
//! so no request can stop the server.

use std::convert::Infallible;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS};
use hyper::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, ORIGIN};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

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

/// A running HTTP server; dropping it stops accepting connections.
pub struct HttpServer {
    accept: tokio::task::JoinHandle<()>,
    /// The bound address.
    pub addr: std::net::SocketAddr,
}

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: impl Into<Bytes>, json: bool) -> Reply {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    h.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, solana-client"),
    );
    if json {
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    resp
}

fn error_reply(status: StatusCode, err: RpcError) -> Reply {
    reply(status, rpc::error_response(err).to_string(), true)
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/json"))
}

async fn serve_one(node: SharedNode, origins: Origins, req: Request<Incoming>) -> Reply {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let caller = Caller {
        dev_methods: origins.allows(header(ORIGIN)),
    };
    let json_body = is_json(header(CONTENT_TYPE));
    match (req.method().clone(), req.uri().path()) {
        (Method::OPTIONS, _) => reply(StatusCode::OK, "", false),
        (Method::GET, "/health") => reply(StatusCode::OK, "ok", false),
        (Method::POST, _) if !json_body => error_reply(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RpcError::new(INVALID_REQUEST, "Content-Type must be application/json"),
        ),
        (Method::POST, _) => {
            let body = match Limited::new(req.into_body(), MAX_REQUEST_BODY_BYTES)
                .collect()
                .await
            {
                Ok(b) => b.to_bytes(),
                Err(_) => {
                    return error_reply(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        RpcError::new(
                            INVALID_REQUEST,
                            format!("request body larger than {MAX_REQUEST_BODY_BYTES} bytes"),
                        ),
                    )
                }
            };
            // Its own task, so that a panic while serving it is caught and answered.
            let handled =
                tokio::spawn(async move { rpc::handle(&node, &body, caller).await }).await;
            match handled {
                Ok(Some(v)) => reply(StatusCode::OK, v.to_string(), true),
                Ok(None) => reply(StatusCode::OK, "", true),
                Err(_) => {
                    tracing::error!("a request panicked while being served");
                    error_reply(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        RpcError::new(INTERNAL_ERROR, "Internal error"),
                    )
                }
            }
        }
        _ => reply(StatusCode::METHOD_NOT_ALLOWED, "method not allowed", false),
    }
}

impl HttpServer {
    /// Binds `addr` and serves it on `rt`: every connection is its own task.
    pub fn start(
        addr: &str,
        node: SharedNode,
        rt: tokio::runtime::Handle,
        origins: Origins,
    ) -> anyhow::Result<HttpServer> {
        let listener =
            std::net::TcpListener::bind(addr).map_err(|e| anyhow::anyhow!("bind {addr}: {e}"))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let accept = rt.spawn(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                tracing::error!("the HTTP listener could not join the runtime");
                return;
            };
            loop {
                let stream = match listener.accept().await {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of descriptors, say: wait rather than spin on the error.
                        tracing::debug!("accept: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (node, origins) = (node.clone(), origins.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let (node, origins) = (node.clone(), origins.clone());
                        async move { Ok::<_, Infallible>(serve_one(node, origins, req).await) }
                    });
                    if let Err(e) = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                    {
                        tracing::debug!("connection: {e}");
                    }
                });
            }
        });
        Ok(HttpServer { accept, addr })
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}
