//! `getRecentPrioritizationFees`: per recent slot, the lowest compute-unit price paid by the
//! transactions that wrote the given accounts.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use common::{call, node_with, post, JSON};
use serde_json::{json, Value};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_recent_prioritization_fees_of_the_written_accounts() {
    let node = node_with(Vec::new()).await;
    let rpc = |method: &'static str, params: Value| {
        let node = &node;
        async move { post(node, &[JSON], &call(method, params)).await.1 }
    };
    let payer = Keypair::new();
    let r = rpc(
        "requestAirdrop",
        json!([payer.pubkey().to_string(), 10_000_000_000u64]),
    )
    .await;
    assert!(r.get("result").is_some(), "{r}");
    let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
    for (to, price, lamports) in [
        (a, 300, 1_000_000),
        (a, 100, 1_000_001),
        (b, 5_000, 1_000_002),
    ] {
        let h = rpc("getLatestBlockhash", json!([])).await;
        let hash: Hash = h["result"]["value"]["blockhash"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .expect("hash");
        let ixs = [
            ComputeBudgetInstruction::set_compute_unit_price(price),
            anchor_lang::solana_program::system_instruction::transfer(
                &payer.pubkey(),
                &to,
                lamports,
            ),
        ];
        let tx = Transaction::new_signed_with_payer(&ixs, Some(&payer.pubkey()), &[&payer], hash);
        let wire = B64.encode(bincode::serialize(&tx).expect("serialize"));
        let sent = rpc("sendTransaction", json!([wire, { "encoding": "base64" }])).await;
        assert!(sent.get("result").is_some(), "{sent}");
    }
    let fees = |r: &Value| -> Vec<u64> {
        r["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e["prioritizationFee"].as_u64())
            .collect()
    };
    let of_a = rpc("getRecentPrioritizationFees", json!([[a.to_string()]])).await;
    let got = fees(&of_a);
    assert!(
        !got.is_empty() && got.iter().all(|f| [100, 300].contains(f)),
        "{of_a}"
    );
    assert!(
        !got.contains(&5_000),
        "B's transaction wrote nothing of A's"
    );
    assert_eq!(*got.iter().min().unwrap_or(&0), 100);
    let of_b = rpc("getRecentPrioritizationFees", json!([[b.to_string()]])).await;
    assert_eq!(fees(&of_b), vec![5_000]);
    let too_many: Vec<String> = (0..129).map(|_| Pubkey::new_unique().to_string()).collect();
    let r = rpc("getRecentPrioritizationFees", json!([too_many])).await;
    assert_eq!(r["error"]["code"], -32602);
}
