//! Development helpers no validator has: write a Pyth price account (pull `PriceUpdateV2` owned by
//! the receiver program, or a legacy v2 price account owned by the Pyth oracle program) with a
//! chosen price, published now. Tests and the dApp demo move prices with it.

use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use sentinel_testkit::PriceSpec;
use serde_json::{json, Value};
use solana_sdk::account::Account;

use crate::encode;
use crate::error::{RpcError, RpcResult};
use crate::node::Node;

/// Lamports given to a price account (rent-exempt for both layouts).
const PRICE_ACCOUNT_LAMPORTS: u64 = 10_000_000;

fn int(spec: &Value, name: &str) -> RpcResult<Option<i128>> {
    match spec.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|v| Some(i128::from(v)))
            .ok_or_else(|| RpcError::invalid_params(format!("{name} must be an integer"))),
        Some(Value::String(s)) => s
            .parse::<i128>()
            .map(Some)
            .map_err(|_| RpcError::invalid_params(format!("{name} must be an integer"))),
        Some(_) => Err(RpcError::invalid_params(format!(
            "{name} must be an integer"
        ))),
    }
}

fn ranged<T: TryFrom<i128>>(v: i128, name: &str) -> RpcResult<T> {
    T::try_from(v).map_err(|_| RpcError::invalid_params(format!("{name} out of range")))
}

fn feed_id(spec: &Value) -> RpcResult<[u8; 32]> {
    let Some(text) = spec.get("feedId").and_then(Value::as_str) else {
        return Ok([0; 32]);
    };
    let text = text.trim_start_matches("0x");
    // Byte-indexed below: a multi-byte character would split inside a code point.
    if text.len() != 64 || !text.is_ascii() {
        return Err(RpcError::invalid_params("feedId must be 32 bytes of hex"));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
            .map_err(|_| RpcError::invalid_params("feedId must be hex"))?;
    }
    Ok(out)
}

/// `sentinel_setPythPrice [{ account, kind: "pull"|"legacy", price, expo, conf?, emaPrice?,
/// emaConf?, feedId?, publishTime?, status?, verification?, keepFresh? }]`. Missing `conf` is
/// 0.1% of the price, missing EMA figures equal the spot ones, and `publishTime` defaults to the
/// clock. With `keepFresh`, the node republishes the same price every few slots, as a price feed
/// would; any later call without it stops that.
pub async fn set_pyth_price(node: &mut Node, spec: &Value) -> RpcResult {
    let account = encode::pubkey(spec.get("account").unwrap_or(&Value::Null))?;
    let clock = node.clock().await?;
    let price: i64 = ranged(
        int(spec, "price")?.ok_or_else(|| RpcError::invalid_params("price is required"))?,
        "price",
    )?;
    let expo: i32 = ranged(int(spec, "expo")?.unwrap_or(-8), "expo")?;
    let publish_time: i64 = ranged(
        int(spec, "publishTime")?.unwrap_or(i128::from(clock.unix_timestamp)),
        "publishTime",
    )?;
    let mut p = PriceSpec::from_mantissa(price, feed_id(spec)?, publish_time);
    p.expo = expo;
    if let Some(conf) = int(spec, "conf")? {
        p.conf = ranged(conf, "conf")?;
    }
    p.ema_price = ranged(
        int(spec, "emaPrice")?.unwrap_or(i128::from(price)),
        "emaPrice",
    )?;
    p.ema_conf = ranged(
        int(spec, "emaConf")?.unwrap_or(i128::from(p.conf)),
        "emaConf",
    )?;
    if let Some(status) = int(spec, "status")? {
        p.status = ranged(status, "status")?;
    }
    if spec.get("verification").and_then(Value::as_str) == Some("partial") {
        p.verification = VerificationLevel::Partial { num_signatures: 5 };
    }
    let (data, owner) = match spec.get("kind").and_then(Value::as_str) {
        Some("pull") | None => (
            sentinel_testkit::pull_account_data(&p),
            lending::constants::PYTH_RECEIVER_PROGRAM,
        ),
        Some("legacy") => (
            sentinel_testkit::legacy_account_data(&p),
            lending::constants::PYTH_LEGACY_PROGRAM_MAINNET,
        ),
        Some(other) => {
            return Err(RpcError::invalid_params(format!(
                "kind must be pull or legacy, not {other}"
            )))
        }
    };
    if spec.get("keepFresh").and_then(Value::as_bool) == Some(true) {
        let mut kept = spec.clone();
        if let Some(obj) = kept.as_object_mut() {
            obj.remove("publishTime");
        }
        node.fresh_feeds.insert(account, kept);
    } else {
        node.fresh_feeds.remove(&account);
    }
    node.set_account(
        account,
        Account {
            lamports: PRICE_ACCOUNT_LAMPORTS,
            data,
            owner,
            executable: false,
            rent_epoch: 0,
        },
    );
    Ok(json!({
        "slot": clock.slot,
        "publishTime": publish_time,
        "owner": owner.to_string(),
    }))
}

/// Republishes every `keepFresh` feed at the current clock.
pub async fn refresh_feeds(node: &mut Node) -> RpcResult<()> {
    let feeds: Vec<Value> = node.fresh_feeds.values().cloned().collect();
    for spec in feeds {
        set_pyth_price(node, &spec).await?;
    }
    Ok(())
}
