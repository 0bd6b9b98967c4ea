//! The keeper's own lookup table: created on first use, extended when the market lists new
//! reserves, read back from the chain so that the table the keeper compiles against is the one
//! the bank will load (`crate::lookup` holds the pure parts).

use anyhow::{anyhow, Context, Result};
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::Transaction;

use crate::chain::Chain;
use crate::keeper::Keeper;
use crate::lookup;
use crate::market::MarketSnapshot;

/// The SlotHashes sysvar.
pub const SLOT_HASHES_SYSVAR: Pubkey =
    anchor_lang::pubkey!("SysvarS1otHashes111111111111111111111111111");

/// A lookup table as last read from the chain.
#[derive(Clone, Debug)]
pub struct KeeperTable {
    /// Its address and addresses.
    pub table: AddressLookupTableAccount,
    /// First slot in which all its addresses can be used (the one after its last extension).
    pub usable_from_slot: u64,
}

impl<C: Chain> Keeper<'_, C> {
    async fn send_legacy(&self, ixs: &[Instruction]) -> Result<()> {
        let blockhash = self.chain.latest_blockhash().await?;
        let payer = self.payer.pubkey();
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer), &[&self.payer], blockhash);
        self.chain.send_and_confirm(&tx.into()).await?;
        Ok(())
    }

    /// Creates the keeper's lookup table if it has none, adds the market's addresses it lacks
    /// ([`lookup::market_addresses`]), and reads it back. Returns the number of addresses
    /// added. Call it at start and whenever the market may have listed a reserve.
    pub async fn prepare_lookup_table(&mut self, snap: &MarketSnapshot) -> Result<usize> {
        let authority = self.payer.pubkey();
        let wanted = lookup::market_addresses(snap, |m, p| self.token_account(m, p));
        let (key, have) = match &self.lookup_table {
            Some(t) => (t.table.key, t.table.addresses.clone()),
            None => {
                let hashes = self.chain.accounts(&[SLOT_HASHES_SYSVAR]).await?;
                let data = hashes
                    .first()
                    .cloned()
                    .flatten()
                    .ok_or_else(|| anyhow!("no SlotHashes sysvar"))?
                    .data;
                let recent = lookup::most_recent_slot(&data)
                    .ok_or_else(|| anyhow!("SlotHashes is empty"))?;
                let (ix, key) = lookup::create(&authority, recent);
                self.send_legacy(&[ix])
                    .await
                    .context("creating the lookup table")?;
                (key, Vec::new())
            }
        };
        let missing: Vec<Pubkey> = wanted.into_iter().filter(|k| !have.contains(k)).collect();
        for ix in lookup::extensions(&key, &authority, &missing) {
            self.send_legacy(&[ix])
                .await
                .context("extending the lookup table")?;
        }
        let account = self
            .chain
            .accounts(&[key])
            .await?
            .into_iter()
            .next()
            .flatten()
            .ok_or_else(|| anyhow!("lookup table {key} not found"))?;
        let (table, last_extended) = lookup::decode(key, &account.data)?;
        self.lookup_table = Some(KeeperTable {
            table,
            usable_from_slot: last_extended.saturating_add(1),
        });
        Ok(missing.len())
    }

    /// The table when the current slot may use all of it.
    pub async fn active_lookup_table(&self) -> Result<Option<AddressLookupTableAccount>> {
        let Some(t) = &self.lookup_table else {
            return Ok(None);
        };
        let slot = self.chain.clock().await?.slot;
        Ok((slot >= t.usable_from_slot).then(|| t.table.clone()))
    }
}
