//! `Chain` over the in-process bank of solana-program-test ([`sentinel_harness::Bank`]).
//! `getProgramAccounts` is answered from the bank's index of the accounts it has seen.

use anyhow::{Context, Result};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::VersionedTransaction;

pub use sentinel_harness::Bank;

use crate::chain::{AccountFilter, Chain, Simulation};

impl Chain for Bank {
    async fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        self.owned_accounts(program, |data| filters.iter().all(|f| f.matches(data)))
            .await
    }

    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        Bank::accounts(self, keys).await
    }

    async fn latest_blockhash(&self) -> Result<Hash> {
        Bank::latest_blockhash(self).await
    }

    async fn clock(&self) -> Result<Clock> {
        Bank::clock(self).await
    }

    async fn simulate(&self, tx: &VersionedTransaction) -> Result<Simulation> {
        let sim = self
            .client()
            .simulate_transaction(tx.clone())
            .await
            .context("simulate")?;
        let (units_consumed, logs, inner) = match sim.simulation_details {
            Some(d) => (d.units_consumed, d.logs, d.inner_instructions),
            None => (0, Vec::new(), None),
        };
        let events = inner
            .unwrap_or_default()
            .iter()
            .flatten()
            .filter_map(|ix| crate::events::event_payload(&ix.instruction.data))
            .map(<[u8]>::to_vec)
            .collect();
        Ok(Simulation {
            err: match sim.result {
                Some(Ok(())) => None,
                Some(Err(e)) => Some(format!("{e:?}")),
                None => Some("no result".into()),
            },
            units_consumed,
            logs,
            events,
        })
    }

    async fn recent_prioritization_fees(&self, _accounts: &[Pubkey]) -> Result<Vec<u64>> {
        // One in-process bank: no other transactions compete.
        Ok(Vec::new())
    }

    async fn send_and_confirm(&self, tx: &VersionedTransaction) -> Result<Signature> {
        Bank::send_and_confirm(self, tx).await
    }
}
