//! Address lookup tables, so that any obligation the program accepts (8 deposits + 5 borrows)
//! is liquidatable in one transaction. A legacy transaction names every account in 32 bytes:
//! refresh + liquidate of 13 reserves is about 1.6 KB, over the 1,232-byte packet. A v0
//! message names the market's static accounts (reserves, vaults, mints, oracle configs, price
//! accounts, token programs, the keeper's token accounts) by a one-byte index into a table the
//! keeper owns; only the payer, the obligation and the invoked programs stay inline.
//!
//! The keeper sends legacy when it fits, v0 otherwise. A table's new addresses are usable from
//! the slot after the one that added them, so the keeper falls back to legacy until then.

use anyhow::{anyhow, Result};
use solana_address_lookup_table_interface::instruction::{
    create_lookup_table, extend_lookup_table,
};
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, VersionedTransaction};

use crate::instructions;
use crate::market::MarketSnapshot;

/// Largest serialized transaction a validator accepts (bytes).
pub const PACKET_DATA_SIZE: usize = 1_232;
/// Addresses added per extension transaction (32 bytes each; 20 keep it well under a packet).
pub const EXTEND_CHUNK: usize = 20;

/// Serialized size of a transaction: its signatures (with their short-vec length) and message.
pub fn serialized_size(tx: &VersionedTransaction) -> usize {
    let n = tx.signatures.len();
    let len_prefix = if n < 0x80 { 1 } else { 2 };
    len_prefix + 64 * n + tx.message.serialize().len()
}

/// Every address of the market a liquidation or a write-off may name, except signers and
/// invoked programs (which a v0 message must name inline): the market and event authority, and
/// per reserve its account, vault, mint, token program, oracle config, price account and the
/// keeper's token account for the mint (`token_account`).
pub fn market_addresses(
    snap: &MarketSnapshot,
    token_account: impl Fn(&Pubkey, &Pubkey) -> Pubkey,
) -> Vec<Pubkey> {
    let mut out = vec![snap.market_key, instructions::event_authority()];
    let push = |k: Pubkey, out: &mut Vec<Pubkey>| {
        if !out.contains(&k) && k != lending::ID {
            out.push(k);
        }
    };
    for (key, v) in &snap.reserves {
        let r = &v.reserve;
        let refresh = instructions::refresh_reserve(*key, r, v.oracle_config.price_account);
        for meta in refresh.accounts {
            push(meta.pubkey, &mut out);
        }
        for k in [
            r.vault,
            r.mint,
            r.token_program,
            token_account(&r.mint, &r.token_program),
        ] {
            push(k, &mut out);
        }
    }
    push(instructions::ATA_PROGRAM, &mut out);
    push(anchor_lang::system_program::ID, &mut out);
    out
}

/// The instructions that create a table owned by `authority` (paid by it), using `recent_slot`
/// (a slot in the SlotHashes sysvar), and the table's address.
pub fn create(authority: &Pubkey, recent_slot: u64) -> (Instruction, Pubkey) {
    create_lookup_table(*authority, *authority, recent_slot)
}

/// The extension instructions that add `missing` to `table`, `EXTEND_CHUNK` per instruction
/// (each to be sent in its own transaction).
pub fn extensions(table: &Pubkey, authority: &Pubkey, missing: &[Pubkey]) -> Vec<Instruction> {
    missing
        .chunks(EXTEND_CHUNK)
        .map(|chunk| extend_lookup_table(*table, *authority, Some(*authority), chunk.to_vec()))
        .collect()
}

/// A table's addresses and the slot of its last extension, from its account data.
pub fn decode(key: Pubkey, data: &[u8]) -> Result<(AddressLookupTableAccount, u64)> {
    let t =
        AddressLookupTable::deserialize(data).map_err(|e| anyhow!("lookup table {key}: {e}"))?;
    Ok((
        AddressLookupTableAccount {
            key,
            addresses: t.addresses.to_vec(),
        },
        t.meta.last_extended_slot,
    ))
}

/// The most recent slot of the SlotHashes sysvar's data (a table's creation slot must be one).
pub fn most_recent_slot(slot_hashes: &[u8]) -> Option<u64> {
    // bincode: u64 count, then (u64 slot, 32-byte hash) entries, newest first.
    let count = u64::from_le_bytes(slot_hashes.get(..8)?.try_into().ok()?);
    if count == 0 {
        return None;
    }
    Some(u64::from_le_bytes(slot_hashes.get(8..16)?.try_into().ok()?))
}

/// `ixs` signed by `payer` as a legacy transaction when it fits a packet, else as a v0 message
/// through `table` when one is given (and active); errors when neither fits.
pub fn compile(
    payer: &Keypair,
    ixs: &[Instruction],
    blockhash: Hash,
    table: Option<&AddressLookupTableAccount>,
) -> Result<VersionedTransaction> {
    let legacy: VersionedTransaction =
        Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &[payer], blockhash).into();
    let legacy_size = serialized_size(&legacy);
    if legacy_size <= PACKET_DATA_SIZE {
        return Ok(legacy);
    }
    let Some(table) = table else {
        return Err(anyhow!(
            "transaction of {legacy_size} bytes exceeds {PACKET_DATA_SIZE} and no lookup table is active"
        ));
    };
    let tx = compile_v0(payer, ixs, blockhash, table)?;
    let size = serialized_size(&tx);
    if size > PACKET_DATA_SIZE {
        return Err(anyhow!(
            "v0 transaction of {size} bytes exceeds {PACKET_DATA_SIZE}"
        ));
    }
    Ok(tx)
}

/// `ixs` signed by `payer` as a v0 message that loads what it can from `table`.
pub fn compile_v0(
    payer: &Keypair,
    ixs: &[Instruction],
    blockhash: Hash,
    table: &AddressLookupTableAccount,
) -> Result<VersionedTransaction> {
    let message =
        v0::Message::try_compile(&payer.pubkey(), ixs, std::slice::from_ref(table), blockhash)
            .map_err(|e| anyhow!("v0 message: {e}"))?;
    VersionedTransaction::try_new(VersionedMessage::V0(message), &[payer])
        .map_err(|e| anyhow!("v0 signing: {e}"))
}
