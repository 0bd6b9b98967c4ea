//! Pubsub subscriptions (`signatureSubscribe`, `slotSubscribe`), the part of the WebSocket API
//! that `@solana/web3.js` needs to confirm transactions. Each subscription holds the channel of
//! its connection; a closed connection's subscriptions are dropped on the next notification.

use std::collections::HashMap;

use serde_json::{json, Value};
use solana_sdk::signature::Signature;
use solana_sdk::transaction::TransactionError;
use tokio::sync::mpsc::UnboundedSender;

/// Outgoing text frames of one WebSocket connection.
pub type Outbox = UnboundedSender<String>;

/// Live subscriptions.
#[derive(Debug, Default)]
pub struct Subscriptions {
    next_id: u64,
    signatures: HashMap<Signature, Vec<(u64, Outbox)>>,
    slots: Vec<(u64, Outbox)>,
}

/// A notification frame.
pub fn notification(method: &str, subscription: u64, result: Value) -> String {
    json!({
        "jsonrpc": "2.0",
        "method": method,
        "params": { "result": result, "subscription": subscription },
    })
    .to_string()
}

fn signature_result(slot: u64, err: Option<&TransactionError>) -> Value {
    json!({
        "context": { "slot": slot },
        "value": { "err": crate::encode::transaction_error(err) },
    })
}

impl Subscriptions {
    /// A fresh subscription id.
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Subscribes to one signature; notified once, when it is processed.
    pub fn add_signature(&mut self, signature: Signature, outbox: Outbox) -> u64 {
        let id = self.next_id();
        self.signatures
            .entry(signature)
            .or_default()
            .push((id, outbox));
        id
    }

    /// Subscribes to every new slot.
    pub fn add_slot(&mut self, outbox: Outbox) -> u64 {
        let id = self.next_id();
        self.slots.push((id, outbox));
        id
    }

    /// Removes a subscription; whether it existed.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.count();
        self.slots.retain(|(i, _)| *i != id);
        for subs in self.signatures.values_mut() {
            subs.retain(|(i, _)| *i != id);
        }
        self.signatures.retain(|_, subs| !subs.is_empty());
        self.count() < before
    }

    /// How many subscriptions are live.
    pub fn count(&self) -> usize {
        self.slots.len() + self.signatures.values().map(Vec::len).sum::<usize>()
    }

    /// Sends the one notification of a signature subscription and ends it.
    pub fn notify_signature(
        &mut self,
        signature: &Signature,
        slot: u64,
        err: Option<&TransactionError>,
    ) {
        for (id, outbox) in self.signatures.remove(signature).unwrap_or_default() {
            let frame = notification("signatureNotification", id, signature_result(slot, err));
            let _ = outbox.send(frame);
        }
    }

    /// Sends a slot notification to every slot subscriber still connected.
    pub fn notify_slot(&mut self, slot: u64) {
        let result = json!({ "parent": slot.saturating_sub(1), "root": slot.saturating_sub(1), "slot": slot });
        self.slots.retain(|(id, outbox)| {
            outbox
                .send(notification("slotNotification", *id, result.clone()))
                .is_ok()
        });
    }

    /// The notification for a signature already processed when the subscription arrives.
    pub fn processed_notification(id: u64, slot: u64, err: Option<&TransactionError>) -> String {
        notification("signatureNotification", id, signature_result(slot, err))
    }
}
