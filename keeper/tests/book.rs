//! The keeper's book re-values only the obligations holding a moved reserve, and its totals are
//! exactly what a from-scratch refresh gives (`assess`, the program's `refresh_obligation`).

use keeper::banks::Bank;
use keeper::book::Book;
use keeper::market::{load_market, load_obligations};
use keeper::planner::assess;
use keeper::sim::market_params;
use keeper::sim::world::{default_assets, World};
use rand::SeedableRng;
use solana_sdk::pubkey::Pubkey;

const SOL: usize = 1;

#[tokio::test]
async fn successful_book_tick_matches_a_full_refresh_exactly() {
    let mut w = World::new(default_assets(), market_params())
        .await
        .expect("world");
    w.add_lenders().await.expect("lenders");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    w.add_borrowers(60, &mut rng, || {})
        .await
        .expect("borrowers");
    let chain = Bank::new(w.ctx.banks_client.clone());
    let reserves: Vec<Pubkey> = w.assets.iter().map(|a| a.reserve).collect();
    chain.track(w.obligations.iter().copied().chain(reserves));
    let market = w.market;
    let snap = load_market(&chain, &market).await.expect("market");
    let obligations = load_obligations(&chain, &market)
        .await
        .expect("obligations");
    let (mut book, skipped) = Book::build(&snap, &obligations);
    assert_eq!((book.len(), skipped), (obligations.len(), 0));

    // SOL falls 25% in the same second: only the obligations with a SOL position move.
    w.assets[SOL].price *= 0.75;
    w.assets[SOL].ema *= 0.75;
    w.publish_prices(0.001).await.expect("prices");
    let snap = load_market(&chain, &market).await.expect("market");
    let sol = w.assets[SOL].reserve;
    let touched = book.reprice(&snap, &sol);
    let holders = obligations
        .iter()
        .filter(|(_, o)| {
            o.active_deposits().any(|d| d.reserve == sol)
                || o.active_borrows().any(|b| b.reserve == sol)
        })
        .count();
    assert_eq!(touched, holders);
    assert!(
        touched > 0 && touched < obligations.len(),
        "{touched} of {}",
        obligations.len()
    );
    let mut liquidatable = Vec::new();
    for (key, o) in &obligations {
        let fresh = assess(&snap, *key, o).expect("assess");
        let entry = book.entry(key).expect("entry");
        assert_eq!(
            entry.health,
            fresh.health.standing(),
            "{key}: the book's totals are the refresh's"
        );
        if fresh.liquidatable() {
            liquidatable.push((fresh.deficit(), *key));
        }
    }
    liquidatable.sort_by_key(|a| std::cmp::Reverse(a.0));
    let ranked: Vec<Pubkey> = book.ranked().map(|(k, _)| k).collect();
    assert!(!ranked.is_empty(), "the fall makes some liquidatable");
    assert_eq!(
        ranked,
        liquidatable.iter().map(|(_, k)| *k).collect::<Vec<_>>(),
        "deepest first"
    );
}

/// A market with lenders and `n` seeded borrowers, its snapshot and its obligations.
async fn lent_market(
    seed: u64,
    n: usize,
) -> (
    World,
    keeper::market::MarketSnapshot,
    Vec<(Pubkey, lending::state::Obligation)>,
) {
    let mut w = World::new(default_assets(), market_params())
        .await
        .expect("world");
    w.add_lenders().await.expect("lenders");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    w.add_borrowers(n, &mut rng, || {})
        .await
        .expect("borrowers");
    let chain = Bank::new(w.ctx.banks_client.clone());
    let reserves: Vec<Pubkey> = w.assets.iter().map(|a| a.reserve).collect();
    chain.track(w.obligations.iter().copied().chain(reserves));
    let snap = load_market(&chain, &w.market).await.expect("market");
    let obligations = load_obligations(&chain, &w.market)
        .await
        .expect("obligations");
    (w, snap, obligations)
}

/// `book` and `fresh` hold the same totals, ranking and watch list for `obligations`.
fn same(book: &Book, fresh: &Book, obligations: &[(Pubkey, lending::state::Obligation)]) {
    for (key, _) in obligations {
        let (a, b) = (
            book.entry(key).expect("entry"),
            fresh.entry(key).expect("fresh"),
        );
        assert_eq!(a.health, b.health, "{key}");
    }
    assert_eq!(
        book.ranked().collect::<Vec<_>>(),
        fresh.ranked().collect::<Vec<_>>()
    );
    assert_eq!(
        book.watch(10_700, lending_math::Decimal::zero()),
        fresh.watch(10_700, lending_math::Decimal::zero())
    );
}

/// An obligation filed again after it changed, and one removed, leave the book as a fresh
/// build of the new set would.
#[tokio::test]
async fn successful_book_upsert_and_remove_match_a_fresh_build() {
    let (w, snap, mut obligations) = lent_market(6, 30).await;
    let (mut book, _) = Book::build(&snap, &obligations);
    // An obligation with a SOL deposit loses 60% of it; another is closed.
    let sol = w.assets[SOL].reserve;
    let at = obligations
        .iter()
        .position(|(_, o)| o.find_deposit(&sol).is_some())
        .expect("a SOL depositor");
    let (changed, mut o) = obligations[at];
    let d = o.find_deposit(&sol).expect("SOL deposit");
    o.deposits[d].shares = o.deposits[d].shares * 2 / 5;
    obligations[at].1 = o;
    let closed_at = usize::from(at == 1);
    assert!(book.upsert(&snap, changed, &o));
    let (closed, _) = obligations.remove(closed_at);
    book.remove(&closed);
    let (fresh, _) = Book::build(&snap, &obligations);
    assert_eq!(book.len(), obligations.len());
    assert!(book.entry(&closed).is_none());
    same(&book, &fresh, &obligations);
    // A tick after the re-filing values only live positions: the same as a build at the new
    // price (a dropped position re-valued would count twice).
    let moved = fallen(&snap, &sol);
    book.reprice(&moved, &sol);
    let (fresh, _) = Book::build(&moved, &obligations);
    same(&book, &fresh, &obligations);
    // Compacted (the dropped entry and the replaced positions go), the same again, and after
    // another tick.
    book.compact();
    assert_eq!(book.len(), fresh.len());
    same(&book, &fresh, &obligations);
    let back = fallen(&moved, &sol);
    book.reprice(&back, &sol);
    let (fresh, _) = Book::build(&back, &obligations);
    same(&book, &fresh, &obligations);
    // Rebuilt in place, the same as a fresh build.
    book.rebuild(&snap, &obligations);
    let (fresh, _) = Book::build(&snap, &obligations);
    same(&book, &fresh, &obligations);
}

/// `snap` with `reserve`'s spot and EMA 30% lower.
fn fallen(
    snap: &keeper::market::MarketSnapshot,
    reserve: &Pubkey,
) -> keeper::market::MarketSnapshot {
    let mut out = snap.clone();
    let r = &mut out.reserves.get_mut(reserve).expect("reserve").reserve;
    for p in [&mut r.price_sf, &mut r.ema_price_sf] {
        let lower = p.get().try_mul(lending_math::Decimal::from_bps(7_000));
        p.set(lower.expect("price")).expect("fits");
    }
    out
}

/// A bad-debt write-off lowers a reserve's share value at an unchanged price: deposits of it are
/// worth less. The book must re-value that reserve (the tracker does when the share value
/// falls), or obligations turn liquidatable off its watch list.
#[tokio::test]
async fn exploit_write_off_at_an_unchanged_price_hides_liquidatable_obligations() {
    let (w, snap, obligations) = lent_market(5, 60).await;
    let (mut book, _) = Book::build(&snap, &obligations);
    // 40% of SOL's supply assets written off; its price, slot and config untouched.
    let sol = w.assets[SOL].reserve;
    let mut after = snap.clone();
    let r = &mut after.reserves.get_mut(&sol).expect("SOL").reserve;
    let assets = r.total_supply_assets().expect("assets");
    let lost = assets.try_mul_u64(2).and_then(|a| a.try_div_u64(5));
    r.available_amount -= lost.and_then(|l| l.try_floor_u64()).expect("loss");
    let level = 10_000 + keeper::tracker::WATCH_MARGIN_BPS;
    let missed = |book: &Book| {
        let watch = book.watch(level, lending_math::Decimal::zero());
        obligations
            .iter()
            .filter_map(|(k, o)| assess(&after, *k, o).ok())
            .filter(|a| a.liquidatable() && !watch.contains(&a.key))
            .count()
    };
    assert!(
        missed(&book) > 0,
        "without a re-valuation the loss is unseen"
    );
    book.reprice(&after, &sol);
    assert_eq!(
        missed(&book),
        0,
        "re-valued, every liquidatable one is watched"
    );
}
