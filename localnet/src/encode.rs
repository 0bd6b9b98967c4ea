//! Wire encodings of the JSON-RPC API: accounts (base58, base64, base64+zstd), transactions and
//! their status metadata, transaction errors, and decoding of what clients send.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use solana_sdk::account::Account;
use solana_sdk::message::VersionedMessage;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::{TransactionError, VersionedTransaction};

use crate::error::{RpcError, RpcResult};
use crate::node::{InnerIx, TxRecord, MAX_TRANSACTION_BYTES};

/// Base58 account data longer than this is refused, as validators do.
pub const MAX_BASE58_BYTES: usize = 128;

/// A transaction error as validators serialize it (`{"InstructionError":[0,{"Custom":6000}]}`),
/// or `null`.
pub fn transaction_error(err: Option<&TransactionError>) -> Value {
    err.and_then(|e| serde_json::to_value(e).ok())
        .unwrap_or(Value::Null)
}

/// `{"Ok":null}` or `{"Err":...}`.
pub fn status(err: Option<&TransactionError>) -> Value {
    match err {
        None => json!({ "Ok": null }),
        Some(_) => json!({ "Err": transaction_error(err) }),
    }
}

/// How a client asked for account data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountEncoding {
    /// `base58` (small accounts only).
    Base58,
    /// `base64`; also what `jsonParsed` falls back to, as on a validator for unparsed owners.
    Base64,
    /// `base64+zstd` (the Rust RPC client's default).
    Base64Zstd,
}

impl AccountEncoding {
    /// Reads `encoding` from a config object; the default is base58 (the RPC spec's `binary`).
    pub fn from_config(config: &Value) -> RpcResult<Self> {
        match config.get("encoding").and_then(Value::as_str) {
            None | Some("base58") | Some("binary") => Ok(AccountEncoding::Base58),
            Some("base64") | Some("jsonParsed") => Ok(AccountEncoding::Base64),
            Some("base64+zstd") => Ok(AccountEncoding::Base64Zstd),
            Some(other) => Err(RpcError::invalid_params(format!(
                "unsupported encoding: {other}"
            ))),
        }
    }
}

/// `dataSlice` of a config object: (offset, length).
pub fn data_slice(config: &Value) -> Option<(usize, usize)> {
    let s = config.get("dataSlice")?;
    Some((
        s.get("offset")?.as_u64()? as usize,
        s.get("length")?.as_u64()? as usize,
    ))
}

/// One account as `getAccountInfo` returns it.
pub fn account(
    acc: &Account,
    encoding: AccountEncoding,
    slice: Option<(usize, usize)>,
) -> RpcResult<Value> {
    let data: &[u8] = match slice {
        Some((offset, length)) => {
            let start = offset.min(acc.data.len());
            let end = start.saturating_add(length).min(acc.data.len());
            &acc.data[start..end]
        }
        None => &acc.data,
    };
    let encoded = match encoding {
        AccountEncoding::Base58 => {
            if data.len() > MAX_BASE58_BYTES {
                return Err(RpcError::invalid_params(
                    "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
                ));
            }
            json!([bs58::encode(data).into_string(), "base58"])
        }
        AccountEncoding::Base64 => json!([B64.encode(data), "base64"]),
        AccountEncoding::Base64Zstd => {
            let packed = zstd::encode_all(data, 0).map_err(RpcError::internal)?;
            json!([B64.encode(packed), "base64+zstd"])
        }
    };
    Ok(json!({
        "data": encoded,
        "executable": acc.executable,
        "lamports": acc.lamports,
        "owner": acc.owner.to_string(),
        "rentEpoch": acc.rent_epoch,
        "space": acc.data.len(),
    }))
}

/// Parses a base58 public key.
pub fn pubkey(value: &Value) -> RpcResult<Pubkey> {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: {value} is not a pubkey")))
}

/// Parses a base58 signature.
pub fn signature(value: &Value) -> RpcResult<Signature> {
    value.as_str().and_then(|s| s.parse().ok()).ok_or_else(|| {
        RpcError::invalid_params(format!("Invalid param: {value} is not a signature"))
    })
}

/// Decodes a wire transaction sent as base64 (or base58), refusing oversized ones.
pub fn wire_transaction(value: &Value, config: &Value) -> RpcResult<VersionedTransaction> {
    let text = value
        .as_str()
        .ok_or_else(|| RpcError::invalid_params("Invalid param: transaction must be a string"))?;
    let bytes = decode_binary(text, config)?;
    if bytes.len() > MAX_TRANSACTION_BYTES {
        return Err(RpcError::invalid_params(format!(
            "transaction too large: {} bytes (max: {MAX_TRANSACTION_BYTES} bytes)",
            bytes.len()
        )));
    }
    bincode::deserialize(&bytes).map_err(|e| {
        RpcError::invalid_params(format!("failed to deserialize VersionedTransaction: {e}"))
    })
}

/// Decodes a base64 (default for messages) or base58 payload, per `config.encoding`.
pub fn decode_binary(text: &str, config: &Value) -> RpcResult<Vec<u8>> {
    match config.get("encoding").and_then(Value::as_str) {
        Some("base64") => B64
            .decode(text)
            .map_err(|e| RpcError::invalid_params(format!("invalid base64 encoding: {e}"))),
        None | Some("base58") => bs58::decode(text)
            .into_vec()
            .map_err(|e| RpcError::invalid_params(format!("invalid base58 encoding: {e}"))),
        Some(other) => Err(RpcError::invalid_params(format!(
            "unsupported encoding: {other}. Supported encodings: base58, base64"
        ))),
    }
}

fn message_json(message: &VersionedMessage) -> Value {
    let header = message.header();
    let instructions: Vec<Value> = message
        .instructions()
        .iter()
        .map(|ix| {
            json!({
                "programIdIndex": ix.program_id_index,
                "accounts": ix.accounts,
                "data": bs58::encode(&ix.data).into_string(),
                "stackHeight": null,
            })
        })
        .collect();
    let mut v = json!({
        "accountKeys": message.static_account_keys().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        "header": {
            "numRequiredSignatures": header.num_required_signatures,
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
        },
        "recentBlockhash": message.recent_blockhash().to_string(),
        "instructions": instructions,
    });
    if let VersionedMessage::V0(m) = message {
        v["addressTableLookups"] = m
            .address_table_lookups
            .iter()
            .map(|l| {
                json!({
                    "accountKey": l.account_key.to_string(),
                    "writableIndexes": l.writable_indexes,
                    "readonlyIndexes": l.readonly_indexes,
                })
            })
            .collect();
    }
    v
}

/// Per top-level instruction index, the instructions it invoked, each encoded by `one`.
fn inner_with(inner: &[(u8, Vec<InnerIx>)], one: impl Fn(&InnerIx) -> Value) -> Value {
    inner
        .iter()
        .map(|(index, ixs)| json!({ "index": index, "instructions": ixs.iter().map(&one).collect::<Vec<_>>() }))
        .collect()
}

/// Inner instructions in the `json` encoding (`getTransaction`): compiled, with key indices
/// and their stack heights.
pub fn inner_instructions(inner: &[(u8, Vec<InnerIx>)]) -> Value {
    inner_with(inner, |ix| {
        json!({
            "programIdIndex": ix.program_id_index,
            "accounts": ix.accounts,
            "data": bs58::encode(&ix.data).into_string(),
            "stackHeight": ix.stack_height,
        })
    })
}

/// Inner instructions as `simulateTransaction` returns them: a validator parses them against
/// the message's keys (`jsonParsed`), so each is `{ programId, accounts, data, stackHeight }`
/// with base58 keys (the partially decoded form; the node parses no program's data).
pub fn parsed_inner_instructions(inner: &[(u8, Vec<InnerIx>)], keys: &[Pubkey]) -> Value {
    let key = |i: u8| {
        keys.get(usize::from(i))
            .map_or_else(String::new, |k| k.to_string())
    };
    inner_with(inner, |ix| {
        json!({
            "programId": key(ix.program_id_index),
            "accounts": ix.accounts.iter().map(|a| key(*a)).collect::<Vec<_>>(),
            "data": bs58::encode(&ix.data).into_string(),
            "stackHeight": ix.stack_height,
        })
    })
}

/// A processed transaction as `getTransaction` returns it (`json` or `base64` encoding).
pub fn transaction(record: &TxRecord, base64: bool) -> RpcResult<Value> {
    let tx = &record.tx;
    let transaction = if base64 {
        let bytes = bincode::serialize(tx).map_err(RpcError::internal)?;
        json!([B64.encode(bytes), "base64"])
    } else {
        json!({
            "signatures": tx.signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "message": message_json(&tx.message),
        })
    };
    let o = &record.outcome;
    let version = match tx.message {
        VersionedMessage::Legacy(_) => json!("legacy"),
        VersionedMessage::V0(_) => json!(0),
    };
    Ok(json!({
        "slot": record.slot,
        "blockTime": record.block_time,
        "version": version,
        "transaction": transaction,
        "meta": {
            "err": transaction_error(o.err.as_ref()),
            "status": status(o.err.as_ref()),
            "fee": record.fee,
            "preBalances": record.pre_balances,
            "postBalances": record.post_balances,
            "innerInstructions": inner_instructions(&o.inner),
            "logMessages": o.logs,
            "preTokenBalances": [],
            "postTokenBalances": [],
            "rewards": [],
            "loadedAddresses": {
                "writable": record.loaded.0.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                "readonly": record.loaded.1.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            },
            "computeUnitsConsumed": o.units,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::instruction::InstructionError;

    #[test]
    fn successful_custom_error_serializes_like_a_validator() {
        let err = TransactionError::InstructionError(0, InstructionError::Custom(6000));
        assert_eq!(
            transaction_error(Some(&err)),
            json!({ "InstructionError": [0, { "Custom": 6000 }] })
        );
        assert_eq!(status(None), json!({ "Ok": null }));
    }

    #[test]
    fn fail_decode_when_base64_is_malformed() {
        let err =
            wire_transaction(&json!("not base64!"), &json!({ "encoding": "base64" })).unwrap_err();
        assert_eq!(err.code, crate::error::INVALID_PARAMS);
        assert!(err.message.contains("invalid base64"));
    }

    #[test]
    fn fail_decode_when_transaction_is_oversized() {
        let big = B64.encode(vec![1u8; MAX_TRANSACTION_BYTES + 1]);
        let err = wire_transaction(&json!(big), &json!({ "encoding": "base64" })).unwrap_err();
        assert!(err.message.contains("too large"));
    }

    #[test]
    fn fail_base58_account_when_data_is_large() {
        let acc = Account {
            lamports: 1,
            data: vec![0; 200],
            owner: Pubkey::new_unique(),
            executable: false,
            rent_epoch: 0,
        };
        assert!(account(&acc, AccountEncoding::Base58, None).is_err());
        let sliced = account(&acc, AccountEncoding::Base58, Some((0, 8))).unwrap();
        assert_eq!(sliced["space"], 200);
    }
}
