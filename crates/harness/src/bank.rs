//! An in-process bank client that knows its accounts.
//!
//! A bank has no `getProgramAccounts`, so [`Bank`] keeps an index of every account key seen in
//! the transactions it processed (and any key registered with [`Bank::track`]), and answers
//! [`Bank::owned_accounts`] from the current state of those accounts. Keys found owned by another
//! program are remembered and skipped afterwards (accounts here never change owner; a missing
//! account is not remembered, since it may be created later).

use std::collections::BTreeSet;
use std::sync::Mutex;

use anyhow::{anyhow, Context, Result};
use futures_util::future::try_join_all;
use solana_program_test::BanksClient;
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::{TransactionError, VersionedTransaction};

/// Account reads sent to the bank at a time.
const FETCH_BATCH: usize = 512;

/// A program-test client with an index of the accounts it has seen.
pub struct Bank {
    client: BanksClient,
    known: Mutex<BTreeSet<Pubkey>>,
    foreign: Mutex<BTreeSet<(Pubkey, Pubkey)>>,
}

impl Bank {
    /// Wraps a program-test client.
    pub fn new(client: BanksClient) -> Self {
        Bank {
            client,
            known: Mutex::new(BTreeSet::new()),
            foreign: Mutex::new(BTreeSet::new()),
        }
    }

    /// The underlying client.
    pub fn client(&self) -> &BanksClient {
        &self.client
    }

    /// Adds keys to the account index.
    pub fn track(&self, keys: impl IntoIterator<Item = Pubkey>) {
        if let Ok(mut k) = self.known.lock() {
            k.extend(keys);
        }
    }

    /// Every key in the account index.
    pub fn known_keys(&self) -> Vec<Pubkey> {
        self.known
            .lock()
            .map(|k| k.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The indexed accounts owned by `program` whose data passes `keep`.
    pub async fn owned_accounts(
        &self,
        program: &Pubkey,
        keep: impl Fn(&[u8]) -> bool,
    ) -> Result<Vec<(Pubkey, Account)>> {
        let skip: BTreeSet<Pubkey> = self
            .foreign
            .lock()
            .map(|f| {
                f.iter()
                    .filter(|(p, _)| p == program)
                    .map(|(_, k)| *k)
                    .collect()
            })
            .unwrap_or_default();
        let keys: Vec<Pubkey> = self
            .known_keys()
            .into_iter()
            .filter(|k| !skip.contains(k))
            .collect();
        let mut out = Vec::new();
        let mut foreign = Vec::new();
        for (key, acc) in keys.iter().zip(self.accounts(&keys).await?) {
            if let Some(acc) = acc {
                if acc.owner != *program {
                    foreign.push((*program, *key));
                } else if keep(&acc.data) {
                    out.push((*key, acc));
                }
            }
        }
        if let Ok(mut f) = self.foreign.lock() {
            f.extend(foreign);
        }
        Ok(out)
    }

    /// Several accounts at once, `None` for missing ones.
    pub async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        // Requests in flight together share the bank's channel: one wake-up serves many.
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(FETCH_BATCH) {
            let got = try_join_all(chunk.iter().map(|k| self.client.get_account(*k)))
                .await
                .context("get_account")?;
            out.extend(got);
        }
        Ok(out)
    }

    /// The bank's latest blockhash.
    pub async fn latest_blockhash(&self) -> Result<Hash> {
        self.client
            .get_latest_blockhash()
            .await
            .context("latest blockhash")
    }

    /// The Clock sysvar.
    pub async fn clock(&self) -> Result<Clock> {
        self.client.get_sysvar::<Clock>().await.context("clock")
    }

    /// Checks the transaction's form and signatures here, then has the bank execute and commit
    /// it within the request, and indexes its accounts. (The client's `process_transaction`
    /// hands it to the bank's batch thread and polls for its status on a timer: about a
    /// millisecond of waiting per transaction.)
    pub async fn send_and_confirm(&self, tx: &VersionedTransaction) -> Result<Signature> {
        tx.sanitize()
            .map_err(|e| anyhow!("transaction failed: invalid transaction: {e}"))?;
        if tx.verify_with_results().iter().any(|ok| !ok) {
            return Err(anyhow!(
                "transaction failed: {}",
                TransactionError::SignatureFailure
            ));
        }
        self.track(tx.message.static_account_keys().iter().copied());
        let processed = self
            .client
            .process_transaction_with_metadata(tx.clone())
            .await
            .map_err(|e| anyhow!("transaction failed: {e}"))?;
        processed
            .result
            .map_err(|e| anyhow!("transaction failed: {e}"))?;
        Ok(tx.signatures[0])
    }
}
