//! Events the keeper reads back from its own simulations. The program emits them with
//! `emit_cpi!`: a self-CPI whose data is Anchor's event tag, then the event's discriminator
//! and fields. The keeper simulates every transaction right before it sends it, so the
//! simulation's events are what the transaction does when it lands in the next slot.

use anchor_lang::{AnchorDeserialize, Discriminator};
use lending::events::BadDebtSocialized;
use lending_math::health::market_value;
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::market::MarketSnapshot;

/// The event payload (discriminator and fields) of an inner instruction's `data`, when it is
/// an `emit_cpi!` event.
pub fn event_payload(data: &[u8]) -> Option<&[u8]> {
    data.strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE)
}

/// The events of type `T` among `payloads`.
pub fn decode<T: AnchorDeserialize + Discriminator>(payloads: &[Vec<u8>]) -> Vec<T> {
    payloads
        .iter()
        .filter_map(|p| p.strip_prefix(T::DISCRIMINATOR))
        .filter_map(|mut body| T::deserialize(&mut body).ok())
        .collect()
}

/// A bad-debt write-off, valued at the snapshot's prices (quote units).
#[derive(Clone, Debug, PartialEq)]
pub struct WriteOff {
    /// The reserve whose debt was written off.
    pub reserve: Pubkey,
    /// Debt written off.
    pub debt_value: Decimal,
    /// Paid by the reserve's insurance fund.
    pub covered_value: Decimal,
    /// Lost by the reserve's depositors (their share value fell by it).
    pub socialized_value: Decimal,
}

/// The write-offs among `payloads` (`BadDebtSocialized` events), valued with `snap`'s reserves.
pub fn write_offs(snap: &MarketSnapshot, payloads: &[Vec<u8>]) -> Vec<WriteOff> {
    decode::<BadDebtSocialized>(payloads)
        .into_iter()
        .filter_map(|e| {
            let r = &snap.reserves.get(&e.reserve)?.reserve;
            let value = |tokens: Decimal| {
                market_value(tokens, r.price_sf.get(), r.decimals).unwrap_or_default()
            };
            Some(WriteOff {
                reserve: e.reserve,
                debt_value: value(Decimal::from_scaled_val(e.debt_sf)),
                covered_value: value(Decimal::from_u64(e.covered_by_insurance)),
                socialized_value: value(Decimal::from_scaled_val(e.socialized_sf)),
            })
        })
        .collect()
}
