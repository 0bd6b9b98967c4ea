//! JSON-RPC 2.0 framing: one request or a batch, in; a response object, an array or nothing
//! (notifications), out. Method bodies are in `methods`.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::error::{RpcError, INVALID_REQUEST, PARSE_ERROR};
use crate::methods::{self, Caller};
use crate::node::Node;

/// The node shared by the HTTP connections, the WebSocket connections and the slot timer.
pub type SharedNode = Arc<Mutex<Node>>;

/// Largest request body accepted, in bytes (a validator's limit).
pub const MAX_REQUEST_BODY_BYTES: usize = 50 * 1024;
/// Most requests in one batch.
pub const MAX_BATCH_REQUESTS: usize = 100;

fn response(id: Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }),
        Err(e) => json!({ "jsonrpc": "2.0", "error": e.to_json(), "id": id }),
    }
}

/// The error response for a body that is not JSON or too large.
pub fn error_response(error: RpcError) -> Value {
    response(Value::Null, Err(error))
}

async fn one(node: &SharedNode, request: &Value, caller: Caller) -> Option<Value> {
    let id = request.get("id").cloned();
    let method = request.get("method").and_then(Value::as_str);
    let version_ok = request.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
    let (Some(method), true) = (method, version_ok) else {
        return Some(response(
            id.unwrap_or(Value::Null),
            Err(RpcError::new(INVALID_REQUEST, "Invalid request")),
        ));
    };
    let params = request.get("params").cloned().unwrap_or(json!([]));
    let result = if params.is_array() {
        methods::call(node, method, &params, caller).await
    } else {
        Err(RpcError::invalid_params("params must be an array"))
    };
    if let Err(e) = &result {
        tracing::debug!(method, code = e.code, message = %e.message, "request failed");
    }
    // A request without an id is a notification: no response.
    id.map(|id| response(id, result))
}

/// Handles one HTTP body; `None` when nothing is to be sent back (only notifications).
pub async fn handle(node: &SharedNode, body: &[u8], caller: Caller) -> Option<Value> {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some(error_response(RpcError::new(
                PARSE_ERROR,
                format!("Parse error: {e}"),
            )))
        }
    };
    match parsed {
        Value::Array(requests) if requests.is_empty() => Some(error_response(RpcError::new(
            INVALID_REQUEST,
            "Invalid request: empty batch",
        ))),
        Value::Array(requests) if requests.len() > MAX_BATCH_REQUESTS => {
            Some(error_response(RpcError::new(
                INVALID_REQUEST,
                format!(
                    "Invalid request: batch of {} requests, max {MAX_BATCH_REQUESTS}",
                    requests.len()
                ),
            )))
        }
        Value::Array(requests) => {
            let mut out = Vec::with_capacity(requests.len());
            for r in &requests {
                if let Some(resp) = one(node, r, caller).await {
                    out.push(resp);
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        request @ Value::Object(_) => one(node, &request, caller).await,
        _ => Some(error_response(RpcError::new(
            INVALID_REQUEST,
            "Invalid request",
        ))),
    }
}
