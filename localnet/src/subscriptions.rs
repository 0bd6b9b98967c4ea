//! Pubsub subscriptions: `signatureSubscribe` and `slotSubscribe` (what `@solana/web3.js` needs
//! to confirm transactions), and `accountSubscribe`, `programSubscribe` (with filters) and
//! `logsSubscribe`, which a keeper follows. Each subscription holds the channel of its
//! connection; a closed connection's subscriptions are dropped on the next notification.
//! Notification shapes are the Solana pubsub API's.

use std::collections::HashMap;

use serde_json::{json, Value};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::TransactionError;
use tokio::sync::mpsc::UnboundedSender;

use crate::encode::{self, AccountEncoding};
use crate::queries::Filter;

/// Outgoing text frames of one WebSocket connection.
pub type Outbox = UnboundedSender<String>;

/// Live subscriptions.
#[derive(Debug, Default)]
pub struct Subscriptions {
    next_id: u64,
    signatures: HashMap<Signature, Vec<(u64, Outbox)>>,
    slots: Vec<(u64, Outbox)>,
    accounts: Vec<(u64, AccountSub, Outbox)>,
    programs: Vec<(u64, ProgramSub, Outbox)>,
    logs: Vec<(u64, LogsSub, Outbox)>,
}

/// `accountSubscribe`: one account's changes.
#[derive(Debug)]
pub struct AccountSub {
    /// The account.
    pub key: Pubkey,
    /// Data encoding of the notifications.
    pub encoding: AccountEncoding,
}

/// `programSubscribe`: changes of accounts owned by a program that pass every filter.
#[derive(Debug)]
pub struct ProgramSub {
    /// The owner.
    pub program: Pubkey,
    /// Filters (`dataSize`, `memcmp`).
    pub filters: Vec<Filter>,
    /// Data encoding of the notifications.
    pub encoding: AccountEncoding,
}

/// `logsSubscribe`: processed transactions' logs, all or those naming one account.
#[derive(Debug)]
pub struct LogsSub {
    /// `None` = all transactions.
    pub mentions: Option<Pubkey>,
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

    /// Subscribes to one account.
    pub fn add_account(&mut self, sub: AccountSub, outbox: Outbox) -> u64 {
        let id = self.next_id();
        self.accounts.push((id, sub, outbox));
        id
    }

    /// Subscribes to a program's accounts.
    pub fn add_program(&mut self, sub: ProgramSub, outbox: Outbox) -> u64 {
        let id = self.next_id();
        self.programs.push((id, sub, outbox));
        id
    }

    /// Subscribes to transaction logs.
    pub fn add_logs(&mut self, sub: LogsSub, outbox: Outbox) -> u64 {
        let id = self.next_id();
        self.logs.push((id, sub, outbox));
        id
    }

    /// Removes a subscription; whether it existed.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.count();
        self.accounts.retain(|(i, _, _)| *i != id);
        self.programs.retain(|(i, _, _)| *i != id);
        self.logs.retain(|(i, _, _)| *i != id);
        self.slots.retain(|(i, _)| *i != id);
        for subs in self.signatures.values_mut() {
            subs.retain(|(i, _)| *i != id);
        }
        self.signatures.retain(|_, subs| !subs.is_empty());
        self.count() < before
    }

    /// How many subscriptions are live.
    pub fn count(&self) -> usize {
        self.slots.len()
            + self.accounts.len()
            + self.programs.len()
            + self.logs.len()
            + self.signatures.values().map(Vec::len).sum::<usize>()
    }

    /// Notifies the account and program subscribers of `key`'s new state in `slot`.
    pub fn notify_account(&mut self, slot: u64, key: &Pubkey, account: &Account) {
        let context = json!({ "slot": slot });
        let send = |outbox: &Outbox, method: &str, id: u64, result: Value| {
            outbox.send(notification(method, id, result)).is_ok()
        };
        self.accounts.retain(|(id, sub, outbox)| {
            if sub.key != *key {
                return true;
            }
            match encode::account(account, sub.encoding, None) {
                Ok(value) => send(
                    outbox,
                    "accountNotification",
                    *id,
                    json!({ "context": context, "value": value }),
                ),
                Err(_) => true,
            }
        });
        self.programs.retain(|(id, sub, outbox)| {
            if sub.program != account.owner || !sub.filters.iter().all(|f| f.matches(&account.data)) {
                return true;
            }
            match encode::account(account, sub.encoding, None) {
                Ok(value) => send(
                    outbox,
                    "programNotification",
                    *id,
                    json!({ "context": context, "value": { "pubkey": key.to_string(), "account": value } }),
                ),
                Err(_) => true,
            }
        });
    }

    /// Notifies the logs subscribers of a processed transaction naming `keys`.
    pub fn notify_logs(
        &mut self,
        slot: u64,
        signature: &Signature,
        err: Option<&TransactionError>,
        logs: &[String],
        keys: &[Pubkey],
    ) {
        let result = json!({
            "context": { "slot": slot },
            "value": {
                "signature": signature.to_string(),
                "err": encode::transaction_error(err),
                "logs": logs,
            },
        });
        self.logs.retain(|(id, sub, outbox)| {
            if sub.mentions.is_some_and(|k| !keys.contains(&k)) {
                return true;
            }
            outbox
                .send(notification("logsNotification", *id, result.clone()))
                .is_ok()
        });
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
