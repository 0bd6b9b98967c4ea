//! An obligation in an e-mode group (SOL and USDC: LTV 90%, threshold 93%, bonus 1–3%) is
//! valued by the keeper's book with the group's threshold, exactly as the program's refresh
//! values it: neither filed as liquidatable where the group keeps it healthy (the SOL reserve's
//! own 78% threshold would), nor as healthy once it is past the group's; and the keeper's round
//! liquidates it with a bonus within the group's bounds.

use keeper::banks::Bank;
use keeper::book::Book;
use keeper::market::{decode, load_market, load_obligations, MarketSnapshot};
use keeper::planner::assess;
use keeper::sim::world::{default_assets, World};
use keeper::sim::{funded_keeper, market_params};
use lending::state::{EmodeGroup, Obligation};
use solana_sdk::pubkey::Pubkey;

const USDC: usize = 0;
const SOL: usize = 1;
const GROUP: u8 = 1;

/// The book's totals for every obligation are the program refresh's, and its ranking lists
/// exactly the obligations that refresh finds liquidatable.
fn book_agrees(
    book: &Book,
    snap: &MarketSnapshot,
    obligations: &[(Pubkey, Obligation)],
) -> Vec<Pubkey> {
    let mut liquidatable = Vec::new();
    for (key, o) in obligations {
        let fresh = assess(snap, *key, o).expect("assess");
        assert_eq!(
            book.entry(key).expect("entry").health,
            fresh.health.standing(),
            "{key}: the book's totals are the refresh's"
        );
        if fresh.liquidatable() {
            liquidatable.push(*key);
        }
    }
    let mut ranked: Vec<Pubkey> = book.ranked().map(|(k, _)| k).collect();
    ranked.sort();
    liquidatable.sort();
    assert_eq!(ranked, liquidatable);
    liquidatable
}

async fn set_sol(w: &mut World, price: f64) {
    w.assets[SOL].price = price;
    w.assets[SOL].ema = price;
    w.advance(30, 75).await.expect("advance");
    w.publish_prices(0.001).await.expect("prices");
}

#[tokio::test]
async fn successful_book_and_round_value_and_liquidate_an_emode_obligation() {
    let mut w = World::new(default_assets(), market_params())
        .await
        .expect("world");
    w.add_lenders().await.expect("lenders");
    let group = EmodeGroup {
        loan_to_value_bps: 9_000,
        liquidation_threshold_bps: 9_300,
        min_liquidation_bonus_bps: 100,
        max_liquidation_bonus_bps: 300,
    };
    w.set_emode_group(GROUP, group, &[USDC, SOL])
        .await
        .expect("group");
    // 10 SOL = $1,500: 1,300 USDC in the group (limit ≈ $1,347), past SOL's own 70% ($1,049).
    assert!(w
        .open_position(&[(SOL, 10.0)], Some((USDC, 1_300.0)))
        .await
        .is_err());
    let emode = w
        .open_position_in_group(&[(SOL, 10.0)], GROUP, (USDC, 1_300.0))
        .await
        .expect("e-mode position");
    let plain = w
        .open_position(&[(SOL, 10.0)], Some((USDC, 1_000.0)))
        .await
        .expect("plain position");
    let chain = Bank::new(w.ctx.banks_client.clone());
    let reserves: Vec<Pubkey> = w.assets.iter().map(|a| a.reserve).collect();
    chain.track(
        w.obligations
            .iter()
            .copied()
            .chain([emode, plain])
            .chain(reserves.iter().copied()),
    );
    let market = w.market;
    let snap = load_market(&chain, &market).await.expect("market");
    let obligations = load_obligations(&chain, &market)
        .await
        .expect("obligations");
    let (mut book, skipped) = Book::build(&snap, &obligations);
    assert_eq!(skipped, 0);
    assert!(book_agrees(&book, &snap, &obligations).is_empty());

    // SOL −5% ($142.50): UBV = $1,425 × 93% = $1,325 > $1,300, healthy in the group (at SOL's
    // own 78% it would be $1,111.5: liquidatable).
    set_sol(&mut w, 142.5).await;
    let snap = load_market(&chain, &market).await.expect("market");
    // SOL ticks; USDC's positions are re-valued too, for the interest of the 30 s (the book
    // follows interest at its rebuilds, `tracker.rs`).
    for r in &reserves {
        book.reprice(&snap, r);
    }
    assert!(book_agrees(&book, &snap, &obligations).is_empty());
    let keeper = funded_keeper(&mut w, &chain);
    let report = keeper.round().await.expect("round");
    assert!(report.unhealthy.is_empty() && report.liquidations.is_empty());

    // SOL −8% ($138): UBV = $1,283.4 < $1,300 (LTV 94.2%, under the 95% insolvency LTV).
    set_sol(&mut w, 138.0).await;
    let snap = load_market(&chain, &market).await.expect("market");
    for r in &reserves {
        book.reprice(&snap, r);
    }
    assert_eq!(book_agrees(&book, &snap, &obligations), vec![emode]);
    // The rebuild files it the same way.
    let (fresh, _) = Book::build(&snap, &obligations);
    assert_eq!(
        fresh.ranked().map(|(k, _)| k).collect::<Vec<_>>(),
        vec![emode]
    );

    let report = keeper.round().await.expect("round");
    assert_eq!(report.unhealthy, vec![emode]);
    assert_eq!(report.liquidations.len(), 1);
    let l = &report.liquidations[0];
    assert_eq!(l.obligation, emode);
    // The group's bounds: 1% when the episode begins, never past 3% (the reserves' own would
    // be 3%–10%).
    assert!((100..=300).contains(&l.bonus_bps), "bonus {}", l.bonus_bps);
    assert_eq!(l.max_bonus_bps, 300);
    let acc = chain
        .client()
        .get_account(emode)
        .await
        .expect("rpc")
        .expect("exists");
    let after: Obligation = decode(&acc.data).expect("obligation");
    assert_eq!(after.emode_group, GROUP);
    let h = after.health();
    assert!(
        h.unhealthy_borrow_value
            >= h.bf_adjusted_debt_value
                .try_mul(lending_math::Decimal::from_bps(10_500))
                .unwrap(),
        "one liquidation lifts it to the target under the group's threshold: {h:?}"
    );
}
