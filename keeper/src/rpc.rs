//! `Chain` over Solana JSON-RPC (solana-test-validator, devnet, mainnet).

use anyhow::{anyhow, Context, Result};
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSimulateTransactionConfig,
};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::VersionedTransaction;
use solana_transaction_status_client_types::{
    UiInnerInstructions, UiInstruction, UiParsedInstruction,
};

use crate::chain::{AccountFilter, Chain, Simulation};

/// Most accounts `getMultipleAccounts` takes per call.
const MULTIPLE_ACCOUNTS_CHUNK: usize = 100;

/// A JSON-RPC backend.
pub struct RpcChain {
    client: RpcClient,
}

impl RpcChain {
    /// Connects to `url` at `confirmed` commitment.
    pub fn new(url: &str) -> Self {
        RpcChain {
            client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
        }
    }
}

impl Chain for RpcChain {
    async fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let filters = filters
            .iter()
            .map(|f| match f {
                AccountFilter::DataSize(n) => RpcFilterType::DataSize(*n),
                AccountFilter::Memcmp { offset, bytes } => {
                    RpcFilterType::Memcmp(Memcmp::new_base58_encoded(*offset, bytes))
                }
            })
            .collect();
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                ..Default::default()
            },
            ..Default::default()
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(program, config)
            .await
            .context("getProgramAccounts")?;
        accounts
            .into_iter()
            .map(|(k, ui)| {
                ui.decode::<Account>()
                    .map(|a| (k, a))
                    .ok_or_else(|| anyhow!("account {k} not base64"))
            })
            .collect()
    }

    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MULTIPLE_ACCOUNTS_CHUNK) {
            out.extend(
                self.client
                    .get_multiple_accounts(chunk)
                    .await
                    .context("getMultipleAccounts")?,
            );
        }
        Ok(out)
    }

    async fn latest_blockhash(&self) -> Result<Hash> {
        self.client
            .get_latest_blockhash()
            .await
            .context("getLatestBlockhash")
    }

    async fn clock(&self) -> Result<Clock> {
        let acc = self
            .client
            .get_account(&solana_sdk::sysvar::clock::ID)
            .await
            .context("clock sysvar")?;
        bincode_clock(&acc.data)
    }

    async fn simulate(&self, tx: &VersionedTransaction) -> Result<Simulation> {
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: false,
            inner_instructions: true,
            ..Default::default()
        };
        let res = self
            .client
            .simulate_transaction_with_config(tx, config)
            .await
            .context("simulateTransaction")?;
        Ok(Simulation {
            err: res.value.err.map(|e| format!("{e:?}")),
            units_consumed: res.value.units_consumed.unwrap_or(0),
            logs: res.value.logs.unwrap_or_default(),
            events: inner_events(res.value.inner_instructions.unwrap_or_default()),
        })
    }

    async fn recent_prioritization_fees(&self, accounts: &[Pubkey]) -> Result<Vec<u64>> {
        let fees = self
            .client
            .get_recent_prioritization_fees(accounts)
            .await
            .context("getRecentPrioritizationFees")?;
        Ok(fees.into_iter().map(|f| f.prioritization_fee).collect())
    }

    async fn send_and_confirm(&self, tx: &VersionedTransaction) -> Result<Signature> {
        self.client
            .send_and_confirm_transaction(tx)
            .await
            .map_err(|e| anyhow!("sendTransaction: {e}"))
    }
}

/// Decodes the Clock sysvar (five little-endian 8-byte fields).
pub fn bincode_clock(data: &[u8]) -> Result<Clock> {
    if data.len() < 40 {
        return Err(anyhow!("clock sysvar too short"));
    }
    let f = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&data[i * 8..i * 8 + 8]);
        b
    };
    Ok(Clock {
        slot: u64::from_le_bytes(f(0)),
        epoch_start_timestamp: i64::from_le_bytes(f(1)),
        epoch: u64::from_le_bytes(f(2)),
        leader_schedule_epoch: u64::from_le_bytes(f(3)),
        unix_timestamp: i64::from_le_bytes(f(4)),
    })
}

/// The `emit_cpi!` event payloads of a simulation's inner instructions, in either form a node
/// returns them (compiled, or parsed against the keys: base58 data either way).
fn inner_events(groups: Vec<UiInnerInstructions>) -> Vec<Vec<u8>> {
    groups
        .into_iter()
        .flat_map(|g| g.instructions)
        .filter_map(|ix| match ix {
            UiInstruction::Compiled(c) => Some(c.data),
            UiInstruction::Parsed(UiParsedInstruction::PartiallyDecoded(p)) => Some(p.data),
            UiInstruction::Parsed(UiParsedInstruction::Parsed(_)) => None,
        })
        .filter_map(|data| bs58::decode(data).into_vec().ok())
        .filter_map(|raw| crate::events::event_payload(&raw).map(<[u8]>::to_vec))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_transaction_status_client_types::{
        UiCompiledInstruction, UiPartiallyDecodedInstruction,
    };

    #[test]
    fn successful_inner_events_read_both_forms_and_skip_other_instructions() {
        let event = |body: &[u8]| {
            let mut raw = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
            raw.extend_from_slice(body);
            bs58::encode(raw).into_string()
        };
        let groups = vec![UiInnerInstructions {
            index: 0,
            instructions: vec![
                UiInstruction::Compiled(UiCompiledInstruction {
                    program_id_index: 3,
                    accounts: vec![1],
                    data: event(&[1, 2, 3]),
                    stack_height: Some(2),
                }),
                UiInstruction::Compiled(UiCompiledInstruction {
                    program_id_index: 4,
                    accounts: vec![],
                    data: bs58::encode([9u8; 12]).into_string(),
                    stack_height: Some(2),
                }),
                UiInstruction::Parsed(UiParsedInstruction::PartiallyDecoded(
                    UiPartiallyDecodedInstruction {
                        program_id: Pubkey::new_unique().to_string(),
                        accounts: vec![],
                        data: event(&[4, 5]),
                        stack_height: Some(2),
                    },
                )),
            ],
        }];
        assert_eq!(inner_events(groups), vec![vec![1, 2, 3], vec![4, 5]]);
    }
}
