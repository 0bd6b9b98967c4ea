//! Liquidations funded by a flash loan of the debt asset (`KeeperConfig::flash_loans`),
//! against the program in the in-process chain: the loan, the liquidation and the repayment
//! land in one transaction, and the liquidator pays the repayment plus the fee from its
//! balance.

use keeper::banks::Bank;
use keeper::market::{decode, token_amount};
use keeper::sim::world::{default_assets, World};
use keeper::sim::{flash, funded_keeper, market_params};
use lending::state::Reserve;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

const USDC: usize = 0;
const SOL: usize = 1;
const FEE_BPS: u16 = 30;

/// A market lending flash loans at 0.30%, with lenders and a borrower of 9,950 USDC against
/// 100 SOL ($150), then SOL at $120: liquidatable.
async fn world() -> (World, Pubkey) {
    let mut w = World::new(default_assets(), market_params())
        .await
        .expect("world");
    w.add_lenders().await.expect("lenders");
    let risky = w
        .open_position(&[(SOL, 100.0)], Some((USDC, 9_950.0)))
        .await
        .expect("risky");
    flash::enable(&mut w, FEE_BPS).await.expect("flash loans");
    (w, risky)
}

async fn crash_sol(w: &mut World) {
    w.assets[SOL].price = 120.0;
    w.assets[SOL].ema = 120.0;
    w.advance(30, 75).await.expect("advance");
    w.publish_prices(0.001).await.expect("prices");
}

async fn balance(chain: &Bank, key: Pubkey) -> u64 {
    let acc = chain.accounts(&[key]).await.expect("rpc");
    acc[0]
        .as_ref()
        .and_then(token_amount)
        .expect("token account")
}

async fn reserve(chain: &Bank, key: Pubkey) -> Reserve {
    let acc = chain.accounts(&[key]).await.expect("rpc");
    decode(&acc[0].as_ref().expect("reserve").data).expect("decode")
}

fn track(chain: &Bank, w: &World, risky: Pubkey) {
    chain.track(std::iter::once(risky).chain(w.assets.iter().map(|a| a.reserve)));
}

#[tokio::test]
async fn successful_flash_loan_liquidation_lands_in_one_transaction() {
    let (mut w, risky) = world().await;
    let chain = Bank::new(w.ctx.banks_client.clone());
    track(&chain, &w, risky);
    let mut keeper = funded_keeper(&mut w, &chain);
    keeper.config.flash_loans = true;
    crash_sol(&mut w).await;
    let usdc_key = w.assets[USDC].reserve;
    let usdc_account = keeper.token_accounts[&w.assets[USDC].mint];
    let (held, before) = (
        balance(&chain, usdc_account).await,
        reserve(&chain, usdc_key).await,
    );

    // The transaction the keeper builds: flash_borrow right before liquidate, flash_repay
    // last, naming the borrow's index (after the two compute-budget instructions).
    let scan = keeper.scan().await.expect("scan");
    let a = scan
        .assessments
        .iter()
        .find(|a| a.key == risky)
        .expect("assessed");
    let balances = keeper.balances(&scan.snap).await.expect("balances").amounts;
    let spendable = keeper::flash::spendable(&scan.snap, &balances);
    let c = keeper::planner::best_candidate(&scan.snap, a, &spendable, Default::default(), None)
        .expect("candidate");
    let ixs = keeper
        .liquidation_ixs(&scan.snap, &c, &Default::default())
        .expect("ixs");
    let names: Vec<&[u8]> = ixs.iter().map(|ix| &ix.data[..8]).collect();
    use anchor_lang::Discriminator;
    let borrow_at = names
        .iter()
        .position(|d| *d == lending::instruction::FlashBorrow::DISCRIMINATOR)
        .expect("flash_borrow");
    assert_eq!(
        names[borrow_at + 1],
        lending::instruction::Liquidate::DISCRIMINATOR
    );
    assert_eq!(
        *names.last().expect("ixs"),
        lending::instruction::FlashRepay::DISCRIMINATOR
    );
    let repay_data = &ixs.last().expect("repay").data[8..];
    let index = u16::from_le_bytes([repay_data[8], repay_data[9]]);
    assert_eq!(index, keeper::flash::BUDGET_IXS + borrow_at as u16);

    let report = keeper.round().await.expect("round");
    assert_eq!(report.liquidations.len(), 1, "{report:?}");
    let l = &report.liquidations[0];
    let fee = lending_math::flash::fee(l.repay_amount, FEE_BPS).expect("fee");
    assert!(fee > 0);
    assert_eq!(l.flash_fee, Some(fee));
    // The liquidator paid the repayment and the fee; the reserve holds both.
    assert_eq!(
        balance(&chain, usdc_account).await,
        held - l.repay_amount - fee
    );
    let after = reserve(&chain, usdc_key).await;
    assert_eq!(
        after.available_amount,
        before.available_amount + l.repay_amount + fee
    );
    assert_eq!(after.flash_loan_amount, 0);
    let vault = balance(&chain, after.vault).await;
    assert_eq!(vault, after.available_amount + after.insurance_amount);
    // And it got the collateral.
    let sol_account = keeper.token_accounts[&w.assets[SOL].mint];
    assert!(balance(&chain, sol_account).await > 0);
}

#[tokio::test]
async fn successful_flash_loan_liquidation_is_sized_to_what_the_balance_repays_with_the_fee() {
    let (mut w, risky) = world().await;
    let chain = Bank::new(w.ctx.banks_client.clone());
    track(&chain, &w, risky);
    let mut keeper = funded_keeper(&mut w, &chain);
    keeper.config.flash_loans = true;
    // Only 1,000 USDC: less than the liquidation wants (about 4,410).
    let mint = w.assets[USDC].mint;
    let small = w.token_account(&mint, &keeper.payer.pubkey(), 1_000_000_000);
    keeper.token_accounts.insert(mint, small);
    crash_sol(&mut w).await;
    let report = keeper.round().await.expect("round");
    assert_eq!(report.liquidations.len(), 1, "{report:?}");
    let l = &report.liquidations[0];
    assert_eq!(
        l.repay_amount,
        keeper::flash::largest_loan(1_000_000_000, FEE_BPS)
    );
    let fee = l.flash_fee.expect("funded by a flash loan");
    assert_eq!(
        balance(&chain, small).await,
        1_000_000_000 - l.repay_amount - fee
    );
}
