//! What the keeper needs from a chain, as one small trait with two backends: a JSON-RPC node
//! (`rpc::RpcChain`) and the in-process bank of solana-program-test (`banks::Bank`).
//! No keeper logic lives in a backend.

use anyhow::Result;
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::VersionedTransaction;

/// A `getProgramAccounts` filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountFilter {
    /// Exact data length.
    DataSize(u64),
    /// Bytes at an offset.
    Memcmp {
        /// Offset in the account data.
        offset: usize,
        /// Bytes to match.
        bytes: Vec<u8>,
    },
}

impl AccountFilter {
    /// True when `data` passes the filter.
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            AccountFilter::DataSize(n) => data.len() as u64 == *n,
            AccountFilter::Memcmp { offset, bytes } => {
                data.len() >= offset + bytes.len()
                    && &data[*offset..offset + bytes.len()] == bytes.as_slice()
            }
        }
    }
}

/// Outcome of a simulation.
#[derive(Clone, Debug, Default)]
pub struct Simulation {
    /// The error, if the transaction would fail.
    pub err: Option<String>,
    /// Compute units consumed.
    pub units_consumed: u64,
    /// Program logs.
    pub logs: Vec<String>,
    /// Payloads of the `emit_cpi!` events among the inner instructions (discriminator and
    /// fields: `events::decode` reads them).
    pub events: Vec<Vec<u8>>,
}

/// A position in a backend's log of changed accounts (see [`Chain::changed_since`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Bumped whenever the log restarts (a resync, a reconnection): a cursor of an older epoch
    /// cannot say what changed.
    pub epoch: u64,
    /// Changes logged in this epoch before the cursor.
    pub seq: u64,
}

/// The chain operations a keeper round uses.
#[allow(async_fn_in_trait)]
pub trait Chain {
    /// Accounts owned by `program` that pass every filter.
    async fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>>;
    /// Several accounts at once, `None` for missing ones.
    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>>;
    /// A recent blockhash.
    async fn latest_blockhash(&self) -> Result<Hash>;
    /// The Clock sysvar.
    async fn clock(&self) -> Result<Clock>;
    /// Simulates a signed transaction (legacy or v0).
    async fn simulate(&self, tx: &VersionedTransaction) -> Result<Simulation>;
    /// Sends a transaction (legacy or v0) and waits for confirmation; an error if it failed.
    async fn send_and_confirm(&self, tx: &VersionedTransaction) -> Result<Signature>;
    /// Compute-unit prices (micro-lamports) recent slots' transactions paid to write
    /// `accounts`, one per slot (`getRecentPrioritizationFees`); empty where there is no fee
    /// market.
    async fn recent_prioritization_fees(&self, accounts: &[Pubkey]) -> Result<Vec<u64>>;
    /// Where the log of the followed market's changed program accounts stands now; `None` when
    /// this backend keeps no such log (every read is fresh: polling).
    fn change_cursor(&self) -> Option<Cursor> {
        None
    }
    /// The program accounts of the followed market that changed since `since`, each once, and
    /// the cursor to ask from next time; `None` when the log cannot say (none is kept, or it
    /// restarted since `since`): then anything may have changed.
    fn changed_since(&self, since: Cursor) -> Option<(Cursor, Vec<Pubkey>)> {
        let _ = since;
        None
    }
}
