//! Test doubles and set-ups shared by the keeper's integration tests (each test binary uses
//! some of them).
#![allow(dead_code)]

use std::collections::BTreeSet;

use anyhow::Result;
use keeper::banks::Bank;
use keeper::chain::{AccountFilter, Chain, Simulation};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::VersionedTransaction;

/// The in-process chain, except that any transaction touching a `refused` account fails its
/// simulation: a stand-in for the liquidations a real chain refuses every time (too large a
/// transaction, a program the keeper cannot satisfy).
pub struct Refusing<'a> {
    pub inner: &'a Bank,
    pub refused: BTreeSet<Pubkey>,
}

impl Chain for Refusing<'_> {
    async fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        self.inner.program_accounts(program, filters).await
    }
    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        self.inner.accounts(keys).await
    }
    async fn latest_blockhash(&self) -> Result<Hash> {
        self.inner.latest_blockhash().await
    }
    async fn clock(&self) -> Result<Clock> {
        self.inner.clock().await
    }
    async fn simulate(&self, tx: &VersionedTransaction) -> Result<Simulation> {
        let keys = tx.message.static_account_keys();
        if keys.iter().any(|k| self.refused.contains(k)) {
            return Ok(Simulation {
                err: Some("refused by the test chain".into()),
                ..Simulation::default()
            });
        }
        self.inner.simulate(tx).await
    }
    async fn recent_prioritization_fees(&self, accounts: &[Pubkey]) -> Result<Vec<u64>> {
        self.inner.recent_prioritization_fees(accounts).await
    }
    async fn send_and_confirm(&self, tx: &VersionedTransaction) -> Result<Signature> {
        self.inner.send_and_confirm(tx).await
    }
}

/// Serves `world` (built in a node's bank) over JSON-RPC on free ports with 100 ms slots,
/// `extra` accounts indexed too; returns the node and its description (feeds, addresses).
pub async fn serve_world(
    world: keeper::sim::world::World,
    extra: Vec<Pubkey>,
) -> (sentinel_localnet::Running, serde_json::Value) {
    let (node, description) = sentinel_localnet::demo::node_from_world(world, extra)
        .await
        .expect("node");
    let config = sentinel_localnet::Config {
        rpc_addr: "127.0.0.1:0".into(),
        slot_ms: 100,
        ..sentinel_localnet::Config::default()
    };
    let running = sentinel_localnet::serve(node, &config)
        .await
        .expect("serve");
    (running, description)
}
