//! The JSON-RPC methods served, with validator-compatible parameters and result shapes.

use serde_json::{json, Value};
use solana_sdk::hash::Hash;
use solana_sdk::message::VersionedMessage;

use crate::encode::{self, AccountEncoding};
use crate::error::{RpcError, RpcResult, METHOD_NOT_FOUND};
use crate::node::{Node, BLOCKHASH_VALID_SLOTS};
use crate::rpc::SharedNode;

/// Version reported by `getVersion`: the Agave line the embedded bank comes from.
pub const SOLANA_CORE_VERSION: &str = "3.1.12";
/// Most keys per `getMultipleAccounts` call (a validator's limit).
pub const MAX_MULTIPLE_ACCOUNTS: usize = 100;
/// Most signatures per `getSignatureStatuses` call (a validator's limit).
pub const MAX_SIGNATURE_STATUSES: usize = 256;

fn param(params: &Value, i: usize) -> RpcResult<&Value> {
    params
        .get(i)
        .ok_or_else(|| RpcError::invalid_params(format!("missing parameter {i}")))
}

fn config(params: &Value, i: usize) -> Value {
    params.get(i).cloned().unwrap_or(Value::Null)
}

fn context(slot: u64) -> Value {
    json!({ "slot": slot, "apiVersion": SOLANA_CORE_VERSION })
}

fn with_context(slot: u64, value: Value) -> Value {
    json!({ "context": context(slot), "value": value })
}

fn u64_param(value: &Value, name: &str) -> RpcResult<u64> {
    value
        .as_u64()
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: {name} must be a u64")))
}

/// Methods no validator has, which change state for free: callable only by a trusted caller.
pub const DEV_METHODS: [&str; 3] = ["requestAirdrop", "sentinel_setPythPrice", "sentinel_faucet"];

/// Who is calling, as far as the transport can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    /// May call [`DEV_METHODS`]: a request with no `Origin` (a program, not a browser) or from
    /// an allowed origin.
    pub dev_methods: bool,
}

/// Runs one method.
pub async fn call(shared: &SharedNode, method: &str, params: &Value, caller: Caller) -> RpcResult {
    if DEV_METHODS.contains(&method) && !caller.dev_methods {
        return Err(RpcError::new(
            crate::error::DEV_METHOD_FORBIDDEN,
            format!("{method} is a development method: not allowed from this origin (see --allow-origin)"),
        ));
    }
    let mut node = shared.lock().await;
    let node = &mut *node;
    match method {
        "getHealth" => Ok(json!("ok")),
        "getVersion" => Ok(json!({ "solana-core": SOLANA_CORE_VERSION, "feature-set": 0 })),
        "getGenesisHash" => Ok(json!(node.genesis_hash().to_string())),
        "getIdentity" => Ok(json!({ "identity": node.faucet().to_string() })),
        "getSlot" | "getBlockHeight" => Ok(json!(node.clock().await?.slot)),
        "getTransactionCount" => Ok(json!(node.transaction_count())),
        "getEpochInfo" => epoch_info(node).await,
        "getEpochSchedule" => {
            let s = node.epoch_schedule();
            Ok(json!({
                "slotsPerEpoch": s.slots_per_epoch,
                "leaderScheduleSlotOffset": s.leader_schedule_slot_offset,
                "warmup": s.warmup,
                "firstNormalEpoch": s.first_normal_epoch,
                "firstNormalSlot": s.first_normal_slot,
            }))
        }
        "getLatestBlockhash" => {
            let slot = node.clock().await?.slot;
            let hash = node.latest_blockhash().await?;
            Ok(with_context(
                slot,
                json!({
                    "blockhash": hash.to_string(),
                    "lastValidBlockHeight": slot + BLOCKHASH_VALID_SLOTS,
                }),
            ))
        }
        "isBlockhashValid" => {
            let hash: Hash = param(params, 0)?
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a blockhash"))?;
            let slot = node.clock().await?.slot;
            Ok(with_context(
                slot,
                json!(node.is_blockhash_valid(&hash).await?),
            ))
        }
        "getFeeForMessage" => {
            let text = param(params, 0)?.as_str().ok_or_else(|| {
                RpcError::invalid_params("Invalid param: message must be a string")
            })?;
            let bytes = encode::decode_binary(text, &json!({ "encoding": "base64" }))?;
            let message: VersionedMessage = bincode::deserialize(&bytes).map_err(|e| {
                RpcError::invalid_params(format!("failed to deserialize message: {e}"))
            })?;
            let slot = node.clock().await?.slot;
            Ok(with_context(slot, json!(node.fee(&message).await?)))
        }
        "getMinimumBalanceForRentExemption" => {
            let size = u64_param(param(params, 0)?, "data length")? as usize;
            Ok(json!(node.rent().await?.minimum_balance(size)))
        }
        "getBalance" => {
            let key = encode::pubkey(param(params, 0)?)?;
            let slot = node.clock().await?.slot;
            let lamports = node.account(&key).await?.map_or(0, |a| a.lamports);
            Ok(with_context(slot, json!(lamports)))
        }
        "getAccountInfo" => {
            let key = encode::pubkey(param(params, 0)?)?;
            let cfg = config(params, 1);
            let encoding = AccountEncoding::from_config(&cfg)?;
            let slot = node.clock().await?.slot;
            let value = match node.account(&key).await? {
                Some(acc) => encode::account(&acc, encoding, encode::data_slice(&cfg))?,
                None => Value::Null,
            };
            Ok(with_context(slot, value))
        }
        "getMultipleAccounts" => multiple_accounts(node, params).await,
        "getProgramAccounts" => crate::queries::program_accounts(node, params).await,
        "getTokenAccountBalance" => crate::queries::token_account_balance(node, params).await,
        "getTokenSupply" => crate::queries::token_supply(node, params).await,
        "sendTransaction" => {
            let cfg = config(params, 1);
            let tx = encode::wire_transaction(param(params, 0)?, &cfg)?;
            let skip = cfg
                .get("skipPreflight")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            Ok(json!(node.send(tx, skip).await?.to_string()))
        }
        "simulateTransaction" => crate::queries::simulate(node, params).await,
        "getSignatureStatuses" => signature_statuses(node, params).await,
        "getTransaction" => {
            let sig = encode::signature(param(params, 0)?)?;
            let cfg = config(params, 1);
            let base64 = match cfg.get("encoding").and_then(Value::as_str) {
                None | Some("json") | Some("jsonParsed") => false,
                Some("base64") => true,
                Some(other) => {
                    return Err(RpcError::invalid_params(format!(
                        "unsupported encoding: {other}"
                    )))
                }
            };
            let max_version = cfg
                .get("maxSupportedTransactionVersion")
                .and_then(Value::as_u64);
            match node.transaction(&sig) {
                Some(record)
                    if matches!(record.tx.message, VersionedMessage::V0(_))
                        && max_version.is_none() =>
                {
                    // The validator's answer to a client that cannot read v0 transactions.
                    Err(RpcError::new(
                        crate::error::UNSUPPORTED_TRANSACTION_VERSION,
                        "Transaction version (0) is not supported by the requesting client. \
                         Please try the request again with the following configuration \
                         parameter: \"maxSupportedTransactionVersion\": 0",
                    ))
                }
                Some(record) => encode::transaction(record, base64),
                None => Ok(Value::Null),
            }
        }
        "getSignaturesForAddress" => crate::queries::signatures_for_address(node, params),
        "getRecentPrioritizationFees" => {
            let slot = node.clock().await?.slot;
            crate::queries::recent_prioritization_fees(node, params, slot)
        }
        "requestAirdrop" => {
            let key = encode::pubkey(param(params, 0)?)?;
            let lamports = u64_param(param(params, 1)?, "lamports")?;
            Ok(json!(node.airdrop(&key, lamports).await?.to_string()))
        }
        "sentinel_setPythPrice" => crate::dev::set_pyth_price(node, param(params, 0)?).await,
        "sentinel_faucet" => crate::faucet::faucet(node, param(params, 0)?).await,
        // Read-only: the addresses a client (the dApp) needs to find the demo market.
        "sentinel_demoMarket" => node.demo_description.clone().ok_or_else(|| {
            RpcError::new(
                METHOD_NOT_FOUND,
                "sentinel_demoMarket exists only on a node started with --demo",
            )
        }),
        other => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!("Method not found: {other}"),
        )),
    }
}

async fn epoch_info(node: &Node) -> RpcResult {
    let clock = node.clock().await?;
    let schedule = node.epoch_schedule();
    let (epoch, slot_index) = schedule.get_epoch_and_slot_index(clock.slot);
    Ok(json!({
        "absoluteSlot": clock.slot,
        "blockHeight": clock.slot,
        "epoch": epoch,
        "slotIndex": slot_index,
        "slotsInEpoch": schedule.get_slots_in_epoch(epoch),
        "transactionCount": node.transaction_count(),
    }))
}

async fn multiple_accounts(node: &Node, params: &Value) -> RpcResult {
    let keys = param(params, 0)?
        .as_array()
        .ok_or_else(|| RpcError::invalid_params("Invalid param: expected an array of pubkeys"))?;
    if keys.len() > MAX_MULTIPLE_ACCOUNTS {
        return Err(RpcError::invalid_params(format!(
            "Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}"
        )));
    }
    let cfg = config(params, 1);
    let encoding = AccountEncoding::from_config(&cfg)?;
    let slice = encode::data_slice(&cfg);
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let key = encode::pubkey(k)?;
        out.push(match node.account(&key).await? {
            Some(acc) => encode::account(&acc, encoding, slice)?,
            None => Value::Null,
        });
    }
    Ok(with_context(node.clock().await?.slot, Value::Array(out)))
}

async fn signature_statuses(node: &Node, params: &Value) -> RpcResult {
    let sigs = param(params, 0)?.as_array().ok_or_else(|| {
        RpcError::invalid_params("Invalid param: expected an array of signatures")
    })?;
    if sigs.len() > MAX_SIGNATURE_STATUSES {
        return Err(RpcError::invalid_params(format!(
            "Too many inputs provided; max {MAX_SIGNATURE_STATUSES}"
        )));
    }
    let slot = node.clock().await?.slot;
    let mut out = Vec::with_capacity(sigs.len());
    for s in sigs {
        let sig = encode::signature(s)?;
        out.push(match node.transaction(&sig) {
            Some(r) => json!({
                "slot": r.slot,
                "confirmations": null,
                "err": encode::transaction_error(r.outcome.err.as_ref()),
                "status": encode::status(r.outcome.err.as_ref()),
                "confirmationStatus": "finalized",
            }),
            None => Value::Null,
        });
    }
    Ok(with_context(slot, Value::Array(out)))
}
