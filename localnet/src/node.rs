//! The node's state: one solana-program-test bank running the lending program natively (with
//! the SPL Token programs program-test ships), the record of every transaction it processed, the
//! owner index, and the pubsub subscriptions.
//!
//! This is a development node, not a validator: one bank, no consensus, no gossip. Every
//! processed transaction is final at once, so every status it reports is `finalized`.

use std::collections::{BTreeMap, HashMap};

use anchor_lang::solana_program::system_instruction;
use anchor_lang::system_program;
use solana_program_test::ProgramTestContext;
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::clock::Clock;
use solana_sdk::hash::Hash;
use solana_sdk::message::VersionedMessage;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::{TransactionError, VersionedTransaction};

use crate::error::{RpcError, RpcResult, SEND_TRANSACTION_PREFLIGHT_FAILURE};
use crate::error::{INVALID_PARAMS, TRANSACTION_SIGNATURE_VERIFICATION_FAILURE};
use crate::index::OwnerIndex;
use crate::subscriptions::Subscriptions;
use solana_address_lookup_table_interface::state::AddressLookupTable;

/// Largest serialized transaction a validator accepts (the packet size), in bytes.
pub const MAX_TRANSACTION_BYTES: usize = 1232;
/// Fee per signature charged by the bank, in lamports.
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;

/// Slots a blockhash handed out by `getLatestBlockhash` stays usable, as on a validator.
///
/// The embedded bank cannot honour that itself: program-test's context registers a new
/// blockhash every 6.4 ms (its genesis ticks are 100 µs), so the bank forgets a hash after about
/// a second, while clients such as web3.js reuse one for 30 s. The node therefore keeps its own
/// window over the hashes it issued, and processes a transaction whose issued hash the bank has
/// already dropped under the bank's newest hash. Signatures are verified against the message as
/// sent (the bank does not re-verify them), and duplicates are refused by signature.
pub const BLOCKHASH_VALID_SLOTS: u64 = 150;

/// One inner instruction as the runtime recorded it.
#[derive(Clone, Debug)]
pub struct InnerIx {
    /// Index of the program in the transaction's account keys.
    pub program_id_index: u8,
    /// Indexes of its accounts.
    pub accounts: Vec<u8>,
    /// Instruction data.
    pub data: Vec<u8>,
    /// Invocation depth (1 = top level).
    pub stack_height: u8,
}

/// What simulating a transaction produced.
#[derive(Clone, Debug, Default)]
pub struct SimOutcome {
    /// `None` when it succeeded.
    pub err: Option<TransactionError>,
    /// Runtime log lines.
    pub logs: Vec<String>,
    /// Compute units used.
    pub units: u64,
    /// Inner instructions per top-level instruction (index, list).
    pub inner: Vec<(u8, Vec<InnerIx>)>,
}

/// One processed (committed) transaction.
#[derive(Clone, Debug)]
pub struct TxRecord {
    /// Slot it landed in.
    pub slot: u64,
    /// Unix time of that slot.
    pub block_time: i64,
    /// The transaction as sent.
    pub tx: VersionedTransaction,
    /// Execution result, its logs, units and inner instructions.
    pub outcome: SimOutcome,
    /// Fee charged, in lamports.
    pub fee: u64,
    /// Accounts a v0 message loaded from lookup tables: writable, then read-only.
    pub loaded: (Vec<Pubkey>, Vec<Pubkey>),
    /// Order of processing (the node's transaction count before it).
    pub sequence: u64,
    /// Lamports of each account key (static, then loaded) before and after.
    pub pre_balances: Vec<u64>,
    /// See `pre_balances`.
    pub post_balances: Vec<u64>,
}

/// The node.
pub struct Node {
    ctx: ProgramTestContext,
    index: OwnerIndex,
    txs: HashMap<Signature, TxRecord>,
    /// Pubsub subscriptions (signatures and slots).
    pub subs: Subscriptions,
    genesis_hash: Hash,
    transaction_count: u64,
    /// Price accounts the node republishes every few slots with a fresh publish time (dev
    /// helper `keepFresh`), keyed by account, with the spec to write.
    pub fresh_feeds: BTreeMap<Pubkey, serde_json::Value>,
    /// Blockhashes handed out, with the slot they were first handed out at.
    issued: BTreeMap<Hash, u64>,
    /// The current slot, for notifications of writes outside a transaction.
    slot: u64,
    /// The demo market's faucet (`--demo` only).
    pub demo_faucet: Option<crate::faucet::DemoFaucet>,
    /// The demo market's description (`--demo` only), served by `sentinel_demoMarket`.
    pub demo_description: Option<serde_json::Value>,
}

impl Node {
    /// Starts the bank with the lending program (native) and the SPL programs of program-test.
    pub async fn start() -> anyhow::Result<Node> {
        let ctx = sentinel_harness::program_test().start_with_context().await;
        Node::from_context(ctx).await
    }

    /// Serves a bank already running the program (the demo market is built in it first).
    pub async fn from_context(ctx: ProgramTestContext) -> anyhow::Result<Node> {
        let genesis_hash = ctx.genesis_config().hash();
        let mut index = OwnerIndex::default();
        for (key, account) in ctx.genesis_config().accounts.iter() {
            index.set(*key, Some(account.owner));
        }
        index.set(ctx.payer.pubkey(), Some(system_program::ID));
        let mut node = Node {
            ctx,
            index,
            txs: HashMap::new(),
            subs: Subscriptions::default(),
            genesis_hash,
            transaction_count: 0,
            fresh_feeds: BTreeMap::new(),
            demo_faucet: None,
            demo_description: None,
            issued: BTreeMap::new(),
            slot: 0,
        };
        node.tick_clock_to_wall_time().await?;
        node.slot = node.clock().await?.slot;
        Ok(node)
    }

    /// The program-test context back (the demo bootstrap builds its market in it).
    pub fn into_context(self) -> ProgramTestContext {
        self.ctx
    }

    /// The faucet: program-test's genesis payer.
    pub fn faucet(&self) -> Pubkey {
        self.ctx.payer.pubkey()
    }

    /// The faucet's keypair (the node's fee payer).
    pub fn payer(&self) -> Keypair {
        self.ctx.payer.insecure_clone()
    }

    /// Adds keys to the owner index, reading their current owners.
    pub async fn track(&mut self, keys: impl IntoIterator<Item = Pubkey>) -> RpcResult<()> {
        for key in keys {
            let owner = self.account(&key).await?.map(|a| a.owner);
            self.index.set(key, owner);
        }
        Ok(())
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    /// Transactions processed since start.
    pub fn transaction_count(&self) -> u64 {
        self.transaction_count
    }

    /// The Clock sysvar of the working bank.
    pub async fn clock(&self) -> RpcResult<Clock> {
        Ok(self.ctx.banks_client.get_sysvar::<Clock>().await?)
    }

    /// Rent sysvar.
    pub async fn rent(&self) -> RpcResult<solana_sdk::rent::Rent> {
        Ok(self.ctx.banks_client.get_rent().await?)
    }

    /// Epoch schedule (from genesis).
    pub fn epoch_schedule(&self) -> solana_sdk::epoch_schedule::EpochSchedule {
        self.ctx.genesis_config().epoch_schedule.clone()
    }

    /// Advances one slot and sets the clock's unix time to the wall clock (never backwards), as
    /// a validator's slots do. Returns the new slot.
    pub async fn tick(&mut self) -> RpcResult<u64> {
        let slot = self.clock().await?.slot + 1;
        self.ctx
            .warp_to_slot(slot)
            .map_err(|e| RpcError::internal(format!("warp to slot {slot}: {e:?}")))?;
        self.tick_clock_to_wall_time().await?;
        self.slot = slot;
        self.subs.notify_slot(slot);
        Ok(slot)
    }

    async fn tick_clock_to_wall_time(&mut self) -> RpcResult<()> {
        let mut clock = self.clock().await?;
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(clock.unix_timestamp);
        if wall > clock.unix_timestamp {
            clock.unix_timestamp = wall;
            self.ctx.set_sysvar(&clock);
        }
        Ok(())
    }

    /// The newest blockhash of the bank, remembered as issued at the current slot.
    pub async fn latest_blockhash(&mut self) -> RpcResult<Hash> {
        let hash = self.ctx.banks_client.get_latest_blockhash().await?;
        let slot = self.clock().await?.slot;
        self.issued
            .retain(|_, at| slot.saturating_sub(*at) <= BLOCKHASH_VALID_SLOTS);
        self.issued.entry(hash).or_insert(slot);
        Ok(hash)
    }

    /// Whether `hash` was issued by this node within the validity window.
    async fn issued_and_current(&self, hash: &Hash) -> RpcResult<bool> {
        let slot = self.clock().await?.slot;
        Ok(self
            .issued
            .get(hash)
            .is_some_and(|at| slot.saturating_sub(*at) <= BLOCKHASH_VALID_SLOTS))
    }

    /// Whether a transaction using `hash` would still be accepted now: issued here within the
    /// window, or still known to the bank.
    pub async fn is_blockhash_valid(&self, hash: &Hash) -> RpcResult<bool> {
        Ok(self.issued_and_current(hash).await? || self.bank_knows_blockhash(hash).await?)
    }

    /// Whether the bank itself would accept `hash`. It is asked with a
    /// probe that can never land: its fee payer is a fresh key with no lamports, so the bank
    /// answers `BlockhashNotFound` when the hash is too old and `AccountNotFound` otherwise, and
    /// commits nothing either way.
    async fn bank_knows_blockhash(&self, hash: &Hash) -> RpcResult<bool> {
        let payer = Pubkey::new_unique();
        let message = solana_sdk::message::Message::new_with_blockhash(&[], Some(&payer), hash);
        let probe = VersionedTransaction {
            signatures: vec![Signature::default()],
            message: VersionedMessage::Legacy(message),
        };
        let res = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(probe)
            .await?;
        Ok(!matches!(
            res.result,
            Err(TransactionError::BlockhashNotFound)
        ))
    }

    /// One account, `None` if it does not exist (zero lamports).
    pub async fn account(&self, key: &Pubkey) -> RpcResult<Option<Account>> {
        Ok(self
            .ctx
            .banks_client
            .get_account(*key)
            .await?
            .filter(|a| a.lamports > 0))
    }

    /// Writes an account directly (dev helpers and the demo bootstrap) and indexes it.
    pub fn set_account(&mut self, key: Pubkey, account: Account) {
        self.index.set(key, Some(account.owner));
        self.subs.notify_account(self.slot, &key, &account);
        self.ctx
            .set_account(&key, &AccountSharedData::from(account));
    }

    /// Every indexed account owned by `owner`, read now.
    pub async fn program_accounts(&mut self, owner: &Pubkey) -> RpcResult<Vec<(Pubkey, Account)>> {
        let mut out = Vec::new();
        for key in self.index.owned_by(owner) {
            match self.account(&key).await? {
                Some(acc) if acc.owner == *owner => out.push((key, acc)),
                other => self.index.set(key, other.map(|a| a.owner)),
            }
        }
        Ok(out)
    }

    /// A processed transaction.
    pub fn transaction(&self, signature: &Signature) -> Option<&TxRecord> {
        self.txs.get(signature)
    }

    /// Processed transactions that landed at or after `slot`.
    pub fn recent_transactions(&self, slot: u64) -> impl Iterator<Item = &TxRecord> {
        self.txs.values().filter(move |r| r.slot >= slot)
    }

    /// Processed transactions that name `address` (statically or through a lookup table),
    /// newest first.
    pub fn transactions_of(&self, address: &Pubkey) -> Vec<(&Signature, &TxRecord)> {
        let mut out: Vec<(&Signature, &TxRecord)> = self
            .txs
            .iter()
            .filter(|(_, r)| {
                r.tx.message.static_account_keys().contains(address)
                    || r.loaded.0.contains(address)
                    || r.loaded.1.contains(address)
            })
            .collect();
        out.sort_by_key(|(_, r)| std::cmp::Reverse(r.sequence));
        out
    }

    /// Checks shape, size and signatures of a transaction as a validator's front door does.
    pub fn check(tx: &VersionedTransaction, verify_signatures: bool) -> RpcResult<()> {
        tx.sanitize()
            .map_err(|e| RpcError::new(INVALID_PARAMS, format!("invalid transaction: {e}")))?;
        if verify_signatures && tx.verify_with_results().iter().any(|ok| !ok) {
            return Err(RpcError::new(
                TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
                "Transaction signature verification failure",
            ));
        }
        Ok(())
    }

    /// Simulates against the working bank without changing it.
    pub async fn simulate(&self, tx: VersionedTransaction) -> RpcResult<SimOutcome> {
        let res = self.ctx.banks_client.simulate_transaction(tx).await?;
        let (logs, units, lists) = match res.simulation_details {
            Some(d) => (
                d.logs,
                d.units_consumed,
                d.inner_instructions.unwrap_or_default(),
            ),
            None => (Vec::new(), 0, Vec::new()),
        };
        let inner = lists
            .into_iter()
            .enumerate()
            .filter(|(_, list)| !list.is_empty())
            .map(|(i, list)| {
                let ixs = list
                    .into_iter()
                    .map(|ix| InnerIx {
                        program_id_index: ix.instruction.program_id_index,
                        accounts: ix.instruction.accounts,
                        data: ix.instruction.data,
                        stack_height: ix.stack_height,
                    })
                    .collect();
                (i as u8, ixs)
            })
            .collect();
        Ok(SimOutcome {
            err: res.result.and_then(|r| r.err()),
            logs,
            units,
            inner,
        })
    }

    /// `sendTransaction`: checks, simulates (a failure is the preflight error unless
    /// `skip_preflight`), then processes it in the working bank and records it.
    pub async fn send(
        &mut self,
        tx: VersionedTransaction,
        skip_preflight: bool,
    ) -> RpcResult<Signature> {
        Node::check(&tx, true)?;
        let signature = tx.signatures[0];
        if self.txs.contains_key(&signature) {
            return Err(preflight_failure(
                &TransactionError::AlreadyProcessed,
                &SimOutcome::default(),
            ));
        }
        let mut executed = tx.clone();
        let hash = *tx.message.recent_blockhash();
        if self.issued_and_current(&hash).await? {
            // Run under the bank's newest hash even while the bank still knows this one: it
            // forgets a hash about two seconds after registering it, which can fall between
            // this check, the simulation and the commit (on a loaded machine, a client's
            // cached hash was accepted here and then refused as `BlockhashNotFound`).
            let current = self.ctx.banks_client.get_latest_blockhash().await?;
            executed.message.set_recent_blockhash(current);
        } else if !self.bank_knows_blockhash(&hash).await? {
            return Err(preflight_failure(
                &TransactionError::BlockhashNotFound,
                &SimOutcome::default(),
            ));
        }
        let sim = self.simulate(executed.clone()).await?;
        if let (Some(err), false) = (&sim.err, skip_preflight) {
            return Err(preflight_failure(err, &sim));
        }
        let loaded = self.loaded_addresses(&tx.message).await?;
        let keys = account_keys(&tx.message, &loaded);
        let pre_balances = self.balances(&keys).await?;
        let fee = self.fee(&tx.message).await?;
        let processed = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(executed)
            .await?;
        let Some(meta) = processed.metadata else {
            // Not committed (unknown blockhash, already processed, ...): nothing changed.
            let err = processed
                .result
                .err()
                .unwrap_or(TransactionError::AccountNotFound);
            return Err(preflight_failure(&err, &SimOutcome::default()));
        };
        let clock = self.clock().await?;
        let post_balances = self.balances(&keys).await?;
        for key in &keys {
            if let Some(account) = self.account(key).await? {
                self.subs.notify_account(clock.slot, key, &account);
            }
        }
        self.subs.notify_logs(
            clock.slot,
            &signature,
            processed.result.as_ref().err(),
            &meta.log_messages,
            &keys,
        );
        self.track(keys).await?;
        let outcome = SimOutcome {
            err: processed.result.err(),
            logs: meta.log_messages,
            units: meta.compute_units_consumed,
            inner: sim.inner,
        };
        self.subs
            .notify_signature(&signature, clock.slot, outcome.err.as_ref());
        self.txs.insert(
            signature,
            TxRecord {
                slot: clock.slot,
                block_time: clock.unix_timestamp,
                tx,
                outcome,
                fee,
                loaded,
                sequence: self.transaction_count,
                pre_balances,
                post_balances,
            },
        );
        self.transaction_count += 1;
        Ok(signature)
    }

    /// Transfers lamports from the faucet with a real transaction.
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> RpcResult<Signature> {
        let payer = self.payer();
        let blockhash = self.latest_blockhash().await?;
        let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
            &[system_instruction::transfer(&payer.pubkey(), to, lamports)],
            Some(&payer.pubkey()),
            &[&payer],
            blockhash,
        );
        self.send(VersionedTransaction::from(tx), false).await
    }

    /// Fee of a message: the bank's own figure for legacy messages, one signature fee per
    /// required signature for v0 messages.
    pub async fn fee(&self, message: &VersionedMessage) -> RpcResult<u64> {
        match message {
            VersionedMessage::Legacy(m) => Ok(self
                .ctx
                .banks_client
                .get_fee_for_message(m.clone())
                .await?
                .unwrap_or(0)),
            VersionedMessage::V0(m) => {
                Ok(u64::from(m.header.num_required_signatures) * LAMPORTS_PER_SIGNATURE)
            }
        }
    }

    /// A message's account keys in the runtime's order: static, then loaded from lookup tables.
    pub async fn message_keys(&self, message: &VersionedMessage) -> RpcResult<Vec<Pubkey>> {
        let loaded = self.loaded_addresses(message).await?;
        Ok(account_keys(message, &loaded))
    }

    /// The accounts a v0 message loads from its lookup tables (writable, read-only); none for
    /// a legacy message. A table or index that does not resolve is left to the bank to refuse.
    pub async fn loaded_addresses(
        &self,
        message: &VersionedMessage,
    ) -> RpcResult<(Vec<Pubkey>, Vec<Pubkey>)> {
        let VersionedMessage::V0(m) = message else {
            return Ok((Vec::new(), Vec::new()));
        };
        let (mut writable, mut readonly) = (Vec::new(), Vec::new());
        for lookup in &m.address_table_lookups {
            let Some(acc) = self.account(&lookup.account_key).await? else {
                continue;
            };
            let Ok(table) = AddressLookupTable::deserialize(&acc.data) else {
                continue;
            };
            let pick = |indexes: &[u8], out: &mut Vec<Pubkey>| {
                out.extend(
                    indexes
                        .iter()
                        .filter_map(|i| table.addresses.get(usize::from(*i)).copied()),
                )
            };
            pick(&lookup.writable_indexes, &mut writable);
            pick(&lookup.readonly_indexes, &mut readonly);
        }
        Ok((writable, readonly))
    }

    async fn balances(&self, keys: &[Pubkey]) -> RpcResult<Vec<u64>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.account(k).await?.map_or(0, |a| a.lamports));
        }
        Ok(out)
    }
}

/// The validator's preflight error: message, and the simulation as data.
pub fn preflight_failure(err: &TransactionError, sim: &SimOutcome) -> RpcError {
    RpcError {
        code: SEND_TRANSACTION_PREFLIGHT_FAILURE,
        message: format!("Transaction simulation failed: {err}"),
        data: Some(serde_json::json!({
            "err": crate::encode::transaction_error(Some(err)),
            "logs": sim.logs,
            "accounts": null,
            "unitsConsumed": sim.units,
            "returnData": null,
            "innerInstructions": null,
        })),
    }
}

/// Static keys, then those loaded from lookup tables (writable, read-only), as the runtime
/// orders them.
fn account_keys(message: &VersionedMessage, loaded: &(Vec<Pubkey>, Vec<Pubkey>)) -> Vec<Pubkey> {
    message
        .static_account_keys()
        .iter()
        .chain(&loaded.0)
        .chain(&loaded.1)
        .copied()
        .collect()
}
