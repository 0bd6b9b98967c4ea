//! The pubsub WebSocket (port + 1, as on a validator): `signatureSubscribe` and `slotSubscribe`
//! (what `@solana/web3.js` uses to confirm transactions), `accountSubscribe`,
//! `programSubscribe` (with `dataSize` / `memcmp` filters) and `logsSubscribe` (`"all"` or
//! `{ "mentions": [key] }`), and their unsubscribes.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::encode;
use crate::encode::AccountEncoding;
use crate::error::{RpcError, RpcResult, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR};
use crate::queries::{Filter, MAX_FILTERS};
use crate::rpc::SharedNode;
use crate::subscriptions::{AccountSub, LogsSub, Outbox, ProgramSub, Subscriptions};

/// Most live subscriptions one connection may hold.
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: usize = 256;

/// Accepts connections until the listener fails.
pub async fn serve(listener: TcpListener, node: SharedNode) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(connection(stream, node.clone()));
    }
}

async fn connection(stream: TcpStream, node: SharedNode) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (outbox, mut outgoing) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        while let Some(frame) = outgoing.recv().await {
            if sink.send(Message::text(frame)).await.is_err() {
                break;
            }
        }
    });
    let mut mine = Vec::new();
    while let Some(Ok(msg)) = source.next().await {
        let text = match msg {
            Message::Text(t) => t.to_string(),
            Message::Close(_) => break,
            _ => continue,
        };
        let (reply, follow_up) = request(&node, &text, &outbox, &mut mine).await;
        for frame in reply.into_iter().chain(follow_up) {
            let _ = outbox.send(frame);
        }
    }
    let mut n = node.lock().await;
    for id in mine {
        n.subs.remove(id);
    }
    writer.abort();
}

async fn request(
    node: &SharedNode,
    text: &str,
    outbox: &Outbox,
    mine: &mut Vec<u64>,
) -> (Option<String>, Option<String>) {
    let req: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let err = RpcError::new(PARSE_ERROR, format!("Parse error: {e}"));
            let reply = json!({ "jsonrpc": "2.0", "error": err.to_json(), "id": null });
            return (Some(reply.to_string()), None);
        }
    };
    // Notifications (no id), such as web3.js's keep-alive `ping`, get no answer.
    let Some(id) = req.get("id").cloned() else {
        return (None, None);
    };
    let method = req.get("method").and_then(Value::as_str).unwrap_or("");
    let params = req.get("params").cloned().unwrap_or(json!([]));
    let result = subscribe(node, method, &params, outbox, mine).await;
    match result {
        Ok((v, follow_up)) => (
            Some(json!({ "jsonrpc": "2.0", "result": v, "id": id }).to_string()),
            follow_up,
        ),
        Err(e) => (
            Some(json!({ "jsonrpc": "2.0", "error": e.to_json(), "id": id }).to_string()),
            None,
        ),
    }
}

async fn subscribe(
    node: &SharedNode,
    method: &str,
    params: &Value,
    outbox: &Outbox,
    mine: &mut Vec<u64>,
) -> RpcResult<(Value, Option<String>)> {
    let subscribing = method.ends_with("Subscribe");
    if subscribing && mine.len() >= MAX_SUBSCRIPTIONS_PER_CONNECTION {
        return Err(RpcError::new(
            INVALID_REQUEST,
            format!("too many subscriptions on this connection (max {MAX_SUBSCRIPTIONS_PER_CONNECTION})"),
        ));
    }
    let mut n = node.lock().await;
    match method {
        "signatureSubscribe" => {
            let sig = encode::signature(params.get(0).unwrap_or(&Value::Null))?;
            let landed = n.transaction(&sig).map(|r| (r.slot, r.outcome.err.clone()));
            if let Some((slot, err)) = landed {
                // Already processed: acknowledge, then notify at once (it is one-shot).
                let id = n.subs.next_id();
                let note = Subscriptions::processed_notification(id, slot, err.as_ref());
                return Ok((json!(id), Some(note)));
            }
            let id = n.subs.add_signature(sig, outbox.clone());
            mine.push(id);
            Ok((json!(id), None))
        }
        "slotSubscribe" => {
            let id = n.subs.add_slot(outbox.clone());
            mine.push(id);
            Ok((json!(id), None))
        }
        "accountSubscribe" => {
            let key = encode::pubkey(params.get(0).unwrap_or(&Value::Null))?;
            let cfg = params.get(1).cloned().unwrap_or(Value::Null);
            let encoding = AccountEncoding::from_config(&cfg)?;
            let id = n
                .subs
                .add_account(AccountSub { key, encoding }, outbox.clone());
            mine.push(id);
            Ok((json!(id), None))
        }
        "programSubscribe" => {
            let program = encode::pubkey(params.get(0).unwrap_or(&Value::Null))?;
            let cfg = params.get(1).cloned().unwrap_or(Value::Null);
            let encoding = AccountEncoding::from_config(&cfg)?;
            let filters = match cfg.get("filters") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(list)) if list.len() <= MAX_FILTERS => {
                    list.iter().map(Filter::parse).collect::<RpcResult<_>>()?
                }
                Some(Value::Array(_)) => {
                    return Err(RpcError::invalid_params(format!(
                        "Too many filters provided; max {MAX_FILTERS}"
                    )))
                }
                Some(_) => return Err(RpcError::invalid_params("Invalid param: filters")),
            };
            let sub = ProgramSub {
                program,
                filters,
                encoding,
            };
            let id = n.subs.add_program(sub, outbox.clone());
            mine.push(id);
            Ok((json!(id), None))
        }
        "logsSubscribe" => {
            let mentions = match params.get(0) {
                Some(Value::String(s)) if s == "all" || s == "allWithVotes" => None,
                Some(v) => match v.get("mentions").and_then(Value::as_array) {
                    Some(list) if list.len() == 1 => Some(encode::pubkey(&list[0])?),
                    _ => return Err(RpcError::invalid_params(
                        "Invalid param: filter must be \"all\" or { \"mentions\": [one address] }",
                    )),
                },
                None => return Err(RpcError::invalid_params("missing filter")),
            };
            let id = n.subs.add_logs(LogsSub { mentions }, outbox.clone());
            mine.push(id);
            Ok((json!(id), None))
        }
        "signatureUnsubscribe"
        | "slotUnsubscribe"
        | "accountUnsubscribe"
        | "programUnsubscribe"
        | "logsUnsubscribe" => {
            let id = params
                .get(0)
                .and_then(Value::as_u64)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: subscription id"))?;
            mine.retain(|m| *m != id);
            Ok((json!(n.subs.remove(id)), None))
        }
        "" => Err(RpcError::new(INVALID_REQUEST, "Invalid request")),
        other => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!("Method not found: {other}"),
        )),
    }
}
