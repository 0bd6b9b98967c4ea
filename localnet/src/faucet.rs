//! `sentinel_faucet`: test funds for a wallet in the demo market, so that a dApp user (or a
//! browser test) can start from an empty wallet. It exists only on a node started with
//! `--demo`, and it is a development method (programs and allowed origins only).
//!
//! One call transfers [`FAUCET_LAMPORTS`] and mints each listed token worth about
//! [`FAUCET_VALUE_USD`] at its listing price into the wallet's associated token account
//! (created if missing), in one real transaction signed by the node's payer and the mints'
//! authority: supplies, balances and transaction history stay consistent.

use anchor_lang::solana_program::system_instruction;
use serde_json::{json, Value};
use solana_sdk::instruction::{AccountMeta, Instruction};
use solana_sdk::message::Message;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, VersionedTransaction};

use sentinel_harness::ix::{associated_token_address, create_associated_token_account_for};
use sentinel_harness::world::SimAsset;

use crate::encode;
use crate::error::{RpcError, RpcResult, METHOD_NOT_FOUND};
use crate::node::Node;

/// Lamports given per call (10 SOL: fees, rent of the obligation and token accounts).
pub const FAUCET_LAMPORTS: u64 = 10_000_000_000;
/// Dollar value of each token given per call, at the listing price.
pub const FAUCET_VALUE_USD: f64 = 10_000.0;
/// The SPL Token `MintTo` instruction tag (the same in Token-2022).
const MINT_TO: u8 = 7;

/// One token the faucet gives.
#[derive(Clone, Debug)]
pub struct FaucetToken {
    /// Asset symbol.
    pub symbol: String,
    /// Mint.
    pub mint: Pubkey,
    /// Token program owning the mint.
    pub token_program: Pubkey,
    /// Base units given per call.
    pub amount: u64,
}

/// The demo market's faucet: the mints' authority and what it gives.
pub struct DemoFaucet {
    /// Mint authority of every demo mint.
    pub authority: Keypair,
    /// Tokens given per call.
    pub tokens: Vec<FaucetToken>,
}

impl DemoFaucet {
    /// Tokens worth [`FAUCET_VALUE_USD`] each of the listed assets, at their listing prices.
    pub fn new(authority: Keypair, assets: &[SimAsset]) -> DemoFaucet {
        let tokens = assets
            .iter()
            .map(|a| {
                let whole = (FAUCET_VALUE_USD / a.price.max(1e-9)).max(1.0);
                let amount = (whole * 10f64.powi(i32::from(a.spec.decimals))).min(1e18) as u64;
                FaucetToken {
                    symbol: a.spec.symbol.to_string(),
                    mint: a.mint,
                    token_program: a.spec.token_program(),
                    amount,
                }
            })
            .collect();
        DemoFaucet { authority, tokens }
    }
}

fn mint_to(token: &FaucetToken, destination: &Pubkey, authority: &Pubkey) -> Instruction {
    let mut data = vec![MINT_TO];
    data.extend_from_slice(&token.amount.to_le_bytes());
    Instruction {
        program_id: token.token_program,
        accounts: vec![
            AccountMeta::new(token.mint, false),
            AccountMeta::new(*destination, false),
            AccountMeta::new_readonly(*authority, true),
        ],
        data,
    }
}

/// `sentinel_faucet [wallet]`: SOL and every demo token for `wallet`; returns the signature and
/// what was given.
pub async fn faucet(node: &mut Node, wallet: &Value) -> RpcResult {
    let wallet = encode::pubkey(wallet)?;
    let Some(demo) = node.demo_faucet.as_ref() else {
        return Err(RpcError::new(
            METHOD_NOT_FOUND,
            "sentinel_faucet exists only on a node started with --demo",
        ));
    };
    let authority = demo.authority.insecure_clone();
    let tokens = demo.tokens.clone();
    let payer = node.payer();
    let mut ixs = vec![system_instruction::transfer(
        &payer.pubkey(),
        &wallet,
        FAUCET_LAMPORTS,
    )];
    let mut given = Vec::new();
    let mut written = vec![wallet];
    for t in &tokens {
        let ata = associated_token_address(&wallet, &t.mint, &t.token_program);
        written.push(ata);
        ixs.push(create_associated_token_account_for(
            &payer.pubkey(),
            &wallet,
            &t.mint,
            &t.token_program,
        ));
        ixs.push(mint_to(t, &ata, &authority.pubkey()));
        given.push(json!({
            "symbol": t.symbol,
            "mint": t.mint.to_string(),
            "tokenAccount": ata.to_string(),
            "amount": t.amount.to_string(),
        }));
    }
    let blockhash = node.latest_blockhash().await?;
    let message = Message::new(&ixs, Some(&payer.pubkey()));
    let tx = Transaction::new(&[&payer, &authority], message, blockhash);
    let signature = node.send(VersionedTransaction::from(tx), false).await?;
    node.track(written).await?;
    Ok(json!({
        "signature": signature.to_string(),
        "lamports": FAUCET_LAMPORTS,
        "tokens": given,
    }))
}
