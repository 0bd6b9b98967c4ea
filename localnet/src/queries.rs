//! The larger methods: `getProgramAccounts` with filters, token balances, `simulateTransaction`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

use crate::encode::{self, AccountEncoding};
use crate::error::{RpcError, RpcResult, SCAN_ERROR};
use crate::methods::SOLANA_CORE_VERSION;
use crate::node::{Node, BLOCKHASH_VALID_SLOTS};

/// Most filters per `getProgramAccounts` call (a validator's limit).
pub const MAX_FILTERS: usize = 4;
/// Most account data one `getProgramAccounts` answer carries, in bytes before encoding.
pub const MAX_PROGRAM_ACCOUNTS_BYTES: usize = 16 * 1024 * 1024;

/// One `getProgramAccounts` filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Data length equals.
    DataSize(usize),
    /// Data at `offset` starts with `bytes`.
    Memcmp {
        /// Byte offset into the data.
        offset: usize,
        /// Bytes to compare.
        bytes: Vec<u8>,
    },
}

impl Filter {
    /// Parses one filter object.
    pub fn parse(value: &Value) -> RpcResult<Filter> {
        if let Some(n) = value.get("dataSize") {
            let n = n
                .as_u64()
                .ok_or_else(|| RpcError::invalid_params("Invalid param: dataSize must be a u64"))?;
            return Ok(Filter::DataSize(n as usize));
        }
        let m = value
            .get("memcmp")
            .ok_or_else(|| RpcError::invalid_params(format!("Invalid filter: {value}")))?;
        let offset = m
            .get("offset")
            .and_then(Value::as_u64)
            .ok_or_else(|| RpcError::invalid_params("Invalid param: memcmp offset"))?;
        let text = m
            .get("bytes")
            .and_then(Value::as_str)
            .ok_or_else(|| RpcError::invalid_params("Invalid param: memcmp bytes"))?;
        let bytes = match m.get("encoding").and_then(Value::as_str) {
            None | Some("base58") => bs58::decode(text).into_vec().map_err(|e| {
                RpcError::invalid_params(format!("Invalid param: memcmp base58: {e}"))
            })?,
            Some("base64") => B64.decode(text).map_err(|e| {
                RpcError::invalid_params(format!("Invalid param: memcmp base64: {e}"))
            })?,
            Some(other) => {
                return Err(RpcError::invalid_params(format!(
                    "Invalid param: memcmp encoding {other}"
                )))
            }
        };
        if bytes.len() > encode::MAX_BASE58_BYTES {
            return Err(RpcError::invalid_params(
                "Invalid param: memcmp bytes too long",
            ));
        }
        Ok(Filter::Memcmp {
            offset: offset as usize,
            bytes,
        })
    }

    /// Whether `data` passes.
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            Filter::DataSize(n) => data.len() == *n,
            Filter::Memcmp { offset, bytes } => offset
                .checked_add(bytes.len())
                .and_then(|end| data.get(*offset..end))
                .is_some_and(|s| s == bytes.as_slice()),
        }
    }
}

/// `getProgramAccounts`, answered from the owner index.
pub async fn program_accounts(node: &mut Node, params: &Value) -> RpcResult {
    let owner = encode::pubkey(
        params
            .get(0)
            .ok_or_else(|| RpcError::invalid_params("missing program id"))?,
    )?;
    let cfg = params.get(1).cloned().unwrap_or(Value::Null);
    let encoding = AccountEncoding::from_config(&cfg)?;
    let slice = encode::data_slice(&cfg);
    let filters = match cfg.get("filters") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => {
            if list.len() > MAX_FILTERS {
                return Err(RpcError::invalid_params(format!(
                    "Too many filters provided; max {MAX_FILTERS}"
                )));
            }
            list.iter().map(Filter::parse).collect::<RpcResult<_>>()?
        }
        Some(_) => return Err(RpcError::invalid_params("Invalid param: filters")),
    };
    let mut out = Vec::new();
    let mut bytes = 0usize;
    for (key, acc) in node.program_accounts(&owner).await? {
        if filters.iter().all(|f| f.matches(&acc.data)) {
            let returned = match slice {
                Some((offset, length)) => length.min(acc.data.len().saturating_sub(offset)),
                None => acc.data.len(),
            };
            bytes = bytes.saturating_add(returned);
            if bytes > MAX_PROGRAM_ACCOUNTS_BYTES {
                return Err(RpcError::new(
                    SCAN_ERROR,
                    format!("scan aborted: the matched accounts hold more than {MAX_PROGRAM_ACCOUNTS_BYTES} bytes; narrow the filters or use dataSlice"),
                ));
            }
            out.push(json!({
                "pubkey": key.to_string(),
                "account": encode::account(&acc, encoding, slice)?,
            }));
        }
    }
    let out = Value::Array(out);
    if cfg.get("withContext").and_then(Value::as_bool) == Some(true) {
        let slot = node.clock().await?.slot;
        Ok(json!({ "context": { "slot": slot, "apiVersion": SOLANA_CORE_VERSION }, "value": out }))
    } else {
        Ok(out)
    }
}

/// Most signatures per `getSignaturesForAddress` answer (a validator's limit).
pub const MAX_SIGNATURES_FOR_ADDRESS: usize = 1_000;

/// `getSignaturesForAddress [address, { limit?, before?, until? }]`: the processed transactions
/// naming the address, newest first.
pub fn signatures_for_address(node: &Node, params: &Value) -> RpcResult {
    let address = encode::pubkey(
        params
            .get(0)
            .ok_or_else(|| RpcError::invalid_params("missing address"))?,
    )?;
    let cfg = params.get(1).cloned().unwrap_or(Value::Null);
    let limit = match cfg.get("limit") {
        None | Some(Value::Null) => MAX_SIGNATURES_FOR_ADDRESS,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_SIGNATURES_FOR_ADDRESS as u64).contains(&n) => n as usize,
            _ => {
                return Err(RpcError::invalid_params(format!(
                    "Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}"
                )))
            }
        },
    };
    let bound = |name: &str| -> RpcResult<Option<solana_sdk::signature::Signature>> {
        match cfg.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => encode::signature(v).map(Some),
        }
    };
    let (before, until) = (bound("before")?, bound("until")?);
    let mut started = before.is_none();
    let mut out = Vec::new();
    for (sig, r) in node.transactions_of(&address) {
        if Some(*sig) == until {
            break;
        }
        if !started {
            started = Some(*sig) == before;
            continue;
        }
        out.push(json!({
            "signature": sig.to_string(),
            "slot": r.slot,
            "err": encode::transaction_error(r.outcome.err.as_ref()),
            "memo": null,
            "blockTime": r.block_time,
            "confirmationStatus": "finalized",
        }));
        if out.len() >= limit {
            break;
        }
    }
    Ok(Value::Array(out))
}

/// Slots `getRecentPrioritizationFees` looks back over (a validator's cache).
pub const PRIORITIZATION_FEE_SLOTS: u64 = 150;
/// Most accounts per `getRecentPrioritizationFees` call (a validator's limit).
pub const MAX_PRIORITIZATION_FEE_ACCOUNTS: usize = 128;

/// The compute-unit price a transaction set (micro-lamports), 0 without one.
fn compute_unit_price(tx: &solana_sdk::transaction::VersionedTransaction) -> u64 {
    let keys = tx.message.static_account_keys();
    let budget = solana_compute_budget_interface::ID;
    tx.message
        .instructions()
        .iter()
        .filter(|ix| keys.get(usize::from(ix.program_id_index)) == Some(&budget))
        .find_map(|ix| match ix.data.as_slice() {
            [3, rest @ ..] if rest.len() >= 8 => rest[..8].try_into().ok().map(u64::from_le_bytes),
            _ => None,
        })
        .unwrap_or(0)
}

/// `getRecentPrioritizationFees [accounts?]`: for each of the last 150 slots in which a processed
/// transaction wrote one of `accounts` (any transaction, without accounts), the lowest
/// compute-unit price such a transaction paid, oldest slot first.
pub fn recent_prioritization_fees(node: &Node, params: &Value, slot: u64) -> RpcResult {
    let accounts: Vec<Pubkey> = match params.get(0) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) if list.len() > MAX_PRIORITIZATION_FEE_ACCOUNTS => {
            return Err(RpcError::invalid_params(format!(
                "Too many inputs provided; max {MAX_PRIORITIZATION_FEE_ACCOUNTS}"
            )))
        }
        Some(Value::Array(list)) => list.iter().map(encode::pubkey).collect::<RpcResult<_>>()?,
        Some(_) => return Err(RpcError::invalid_params("Invalid param: accounts")),
    };
    let from = slot.saturating_sub(PRIORITIZATION_FEE_SLOTS);
    let mut by_slot: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
    for r in node.recent_transactions(from) {
        let msg = &r.tx.message;
        let keys = msg.static_account_keys();
        let writes = |k: &Pubkey| {
            keys.iter()
                .position(|s| s == k)
                .is_some_and(|i| msg.is_maybe_writable(i, None))
                || r.loaded.0.contains(k)
        };
        if accounts.is_empty() || accounts.iter().any(writes) {
            let price = compute_unit_price(&r.tx);
            let e = by_slot.entry(r.slot).or_insert(price);
            *e = (*e).min(price);
        }
    }
    Ok(Value::Array(
        by_slot
            .into_iter()
            .map(|(slot, fee)| json!({ "slot": slot, "prioritizationFee": fee }))
            .collect(),
    ))
}

/// SPL Token and Token-2022.
const TOKEN_PROGRAMS: [Pubkey; 2] = [
    anchor_lang::pubkey!("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"),
    anchor_lang::pubkey!("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"),
];

fn ui_amount(amount: u64, decimals: u8) -> Value {
    let scale = 10u128.pow(u32::from(decimals));
    let whole = u128::from(amount) / scale;
    let frac = u128::from(amount) % scale;
    let text = if decimals == 0 {
        whole.to_string()
    } else {
        let f = format!("{frac:0width$}", width = usize::from(decimals));
        let f = f.trim_end_matches('0');
        if f.is_empty() {
            whole.to_string()
        } else {
            format!("{whole}.{f}")
        }
    };
    json!({
        "amount": amount.to_string(),
        "decimals": decimals,
        "uiAmount": text.parse::<f64>().ok(),
        "uiAmountString": text,
    })
}

fn read_u64(data: &[u8], at: usize) -> Option<u64> {
    let mut b = [0u8; 8];
    b.copy_from_slice(data.get(at..at + 8)?);
    Some(u64::from_le_bytes(b))
}

async fn token_account(node: &Node, key: &Value, min_len: usize) -> RpcResult<Account> {
    let key = encode::pubkey(key)?;
    match node.account(&key).await? {
        Some(acc) if TOKEN_PROGRAMS.contains(&acc.owner) && acc.data.len() >= min_len => Ok(acc),
        _ => Err(RpcError::invalid_params(format!(
            "Invalid param: could not find account {key} owned by a token program"
        ))),
    }
}

/// `getTokenAccountBalance` (SPL Token and Token-2022 base layout: mint at 0, amount at 64; the
/// mint's decimals at 44).
pub async fn token_account_balance(node: &Node, params: &Value) -> RpcResult {
    let acc = token_account(node, params.get(0).unwrap_or(&Value::Null), 165).await?;
    let amount = read_u64(&acc.data, 64).unwrap_or(0);
    let mint =
        Pubkey::try_from(&acc.data[0..32]).map_err(|_| RpcError::internal("token account mint"))?;
    let mint = token_account(node, &json!(mint.to_string()), 82).await?;
    let slot = node.clock().await?.slot;
    Ok(json!({
        "context": { "slot": slot, "apiVersion": SOLANA_CORE_VERSION },
        "value": ui_amount(amount, mint.data[44]),
    }))
}

/// `getTokenSupply` (mint supply at 36, decimals at 44).
pub async fn token_supply(node: &Node, params: &Value) -> RpcResult {
    let mint = token_account(node, params.get(0).unwrap_or(&Value::Null), 82).await?;
    let supply = read_u64(&mint.data, 36).unwrap_or(0);
    let slot = node.clock().await?.slot;
    Ok(json!({
        "context": { "slot": slot, "apiVersion": SOLANA_CORE_VERSION },
        "value": ui_amount(supply, mint.data[44]),
    }))
}

/// `simulateTransaction`: optional signature check, optional blockhash replacement, logs, units
/// and (on request) inner instructions. Nothing changes in the bank.
pub async fn simulate(node: &mut Node, params: &Value) -> RpcResult {
    let cfg = params.get(1).cloned().unwrap_or(Value::Null);
    let mut tx = encode::wire_transaction(
        params
            .get(0)
            .ok_or_else(|| RpcError::invalid_params("missing transaction"))?,
        &cfg,
    )?;
    let sig_verify = cfg.get("sigVerify").and_then(Value::as_bool) == Some(true);
    let replace = cfg.get("replaceRecentBlockhash").and_then(Value::as_bool) == Some(true);
    if sig_verify && replace {
        return Err(RpcError::invalid_params(
            "sigVerify may not be used with replaceRecentBlockhash",
        ));
    }
    Node::check(&tx, sig_verify)?;
    let slot = node.clock().await?.slot;
    let mut replacement = Value::Null;
    let mut stale = false;
    if replace {
        let hash = node.latest_blockhash().await?;
        tx.message.set_recent_blockhash(hash);
        replacement = json!({
            "blockhash": hash.to_string(),
            "lastValidBlockHeight": slot + BLOCKHASH_VALID_SLOTS,
        });
    } else {
        let hash = *tx.message.recent_blockhash();
        stale = !node.is_blockhash_valid(&hash).await?;
        if !stale {
            // The bank may have dropped an issued hash; simulate under its newest one.
            let current = node.latest_blockhash().await?;
            tx.message.set_recent_blockhash(current);
        }
    }
    let keys = node.message_keys(&tx.message).await?;
    let sim = node.simulate(tx).await?;
    let err = if stale {
        Some(solana_sdk::transaction::TransactionError::BlockhashNotFound)
    } else {
        sim.err.clone()
    };
    let inner = if cfg.get("innerInstructions").and_then(Value::as_bool) == Some(true) {
        encode::parsed_inner_instructions(&sim.inner, &keys)
    } else {
        Value::Null
    };
    Ok(json!({
        "context": { "slot": slot, "apiVersion": SOLANA_CORE_VERSION },
        "value": {
            "err": encode::transaction_error(err.as_ref()),
            "logs": if stale { Vec::new() } else { sim.logs },
            "accounts": null,
            "unitsConsumed": sim.units,
            "returnData": null,
            "innerInstructions": inner,
            "replacementBlockhash": replacement,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successful_filters_match_data_size_and_memcmp() {
        let data = [1u8, 2, 3, 4];
        assert!(Filter::DataSize(4).matches(&data));
        assert!(!Filter::DataSize(5).matches(&data));
        let f = Filter::parse(
            &json!({ "memcmp": { "offset": 1, "bytes": bs58::encode([2u8, 3]).into_string() } }),
        )
        .unwrap();
        assert!(f.matches(&data));
        let past_end = Filter::Memcmp {
            offset: 3,
            bytes: vec![4, 5],
        };
        assert!(!past_end.matches(&data));
    }

    #[test]
    fn successful_ui_amount_formats_decimals() {
        assert_eq!(ui_amount(1_500_000, 6)["uiAmountString"], "1.5");
        assert_eq!(ui_amount(2_000_000, 6)["uiAmountString"], "2");
        assert_eq!(ui_amount(7, 0)["uiAmountString"], "7");
    }
}
