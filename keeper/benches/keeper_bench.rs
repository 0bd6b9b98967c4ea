//! Keeper benchmarks (a bench binary that prints figures; run with `cargo bench -p keeper`):
//! - health rescan of 100,000 obligations on one core, by `assess`, by building the book in
//!   fresh memory, and by rebuilding it in place as the keeper does (goal ≤ 50 ms);
//! - one price tick on that book where 10% of the obligations hold the moved asset, from the
//!   new price to a ranked candidate list, on one core (goal ≤ 5 ms);
//! - simulated steps per second with 1,000 and 10,000 obligations (`BENCH_SIM_SIZES=1000,10000`).

use std::collections::BTreeMap;
use std::time::Instant;

use keeper::book::Book;
use keeper::market::{MarketSnapshot, ReserveView};
use keeper::planner::assess;
use keeper::sim::{run, SimOptions};
use lending::state::{LendingMarket, Obligation, OracleConfig, Reserve, Sf};
use lending_math::Decimal;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use solana_sdk::pubkey::Pubkey;

const SLOT: u64 = 1_000;
const NOW: i64 = 1_760_000_000;

fn sf(d: Decimal) -> Sf {
    Sf::from_decimal(d).expect("fits")
}

fn reserve(market: Pubkey, price: u64, decimals: u8, ltv: u16, lt: u16) -> Reserve {
    let mut r: Reserve = bytemuck::Zeroable::zeroed();
    r.lending_market = market;
    r.decimals = decimals;
    r.available_amount = 1_000_000_000_000_000;
    r.share_supply = 1_000_000_000_000_000;
    r.borrow_index_sf = sf(Decimal::one());
    r.total_normalized_debt_sf = sf(Decimal::from_u64(100_000_000_000_000));
    r.price_sf = sf(Decimal::from_u64(price));
    r.ema_price_sf = sf(Decimal::from_u64(price));
    r.price_slot = SLOT;
    r.last_accrual_ts = NOW;
    r.config.loan_to_value_bps = ltv;
    r.config.liquidation_threshold_bps = lt;
    r.config.borrow_factor_bps = 10_000;
    r
}

fn synthetic(n: usize) -> (MarketSnapshot, Vec<(Pubkey, Obligation)>) {
    let market_key = Pubkey::new_unique();
    let mut reserves = BTreeMap::new();
    let specs = [
        (1u64, 6u8, 8_000u16, 8_500u16),
        (150, 9, 7_000, 7_800),
        (3_000, 8, 7_000, 7_800),
        (1, 6, 4_500, 5_500),
        (20, 6, 6_000, 7_000),
    ];
    let keys: Vec<Pubkey> = specs.iter().map(|_| Pubkey::new_unique()).collect();
    for (k, (p, d, ltv, lt)) in keys.iter().zip(specs) {
        let oc: OracleConfig = bytemuck::Zeroable::zeroed();
        reserves.insert(
            *k,
            ReserveView {
                reserve: reserve(market_key, p, d, ltv, lt),
                oracle_config: oc,
                price_error: None,
            },
        );
    }
    let market: LendingMarket = bytemuck::Zeroable::zeroed();
    let snap = MarketSnapshot {
        market_key,
        market,
        reserves,
        slot: SLOT,
        now: NOW,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let obligations = (0..n)
        .map(|_| {
            let mut o: Obligation = bytemuck::Zeroable::zeroed();
            o.lending_market = market_key;
            o.deposits[0].reserve = keys[1 + rng.gen_range(0..3)];
            o.deposits[0].shares = rng.gen_range(1_000_000..100_000_000_000);
            if rng.gen_range(0..10) == 0 {
                // One in ten also holds the fifth asset, the one the tick bench moves.
                o.deposits[1].reserve = keys[4];
                o.deposits[1].shares = rng.gen_range(1_000_000..10_000_000_000);
            }
            o.borrows[0].reserve = keys[0];
            o.borrows[0].normalized_debt_sf =
                sf(Decimal::from_u64(rng.gen_range(1_000_000..10_000_000_000)));
            (Pubkey::new_unique(), o)
        })
        .collect();
    (snap, obligations)
}

fn bench_rescan() {
    let (snap, obligations) = synthetic(100_000);
    let mut best = f64::MAX;
    let mut unhealthy = 0;
    for _ in 0..5 {
        let t = Instant::now();
        unhealthy = obligations
            .iter()
            .filter(|(k, o)| {
                assess(&snap, *k, o)
                    .map(|a| a.liquidatable())
                    .unwrap_or(false)
            })
            .count();
        best = best.min(t.elapsed().as_secs_f64() * 1_000.0);
    }
    println!("health rescan (assess): 100000 obligations in {best:.1} ms on one core (best of 5; {unhealthy} liquidatable)");
    let mut best = f64::MAX;
    let mut book = Book::default();
    for _ in 0..5 {
        let t = Instant::now();
        book = Book::build(&snap, &obligations).0;
        best = best.min(t.elapsed().as_secs_f64() * 1_000.0);
    }
    println!(
        "health rescan (book build, fresh memory): {} obligations in {best:.1} ms on one core (best of 5; {} liquidatable)",
        book.len(),
        book.ranked().count()
    );
    // What the keeper does every few minutes: rebuild the book it has, in its memory.
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        book.rebuild(&snap, &obligations);
        best = best.min(t.elapsed().as_secs_f64() * 1_000.0);
    }
    println!(
        "health rescan (book rebuild): {} obligations in {best:.1} ms on one core (best of 5; {} liquidatable; goal <= 50 ms)",
        book.len(),
        book.ranked().count()
    );
}

fn bench_tick() {
    let (mut snap, obligations) = synthetic(100_000);
    let moved = *snap
        .reserves
        .iter()
        .find(|(_, v)| v.reserve.price_sf.get() == Decimal::from_u64(20))
        .map(|(k, _)| k)
        .expect("the fifth reserve");
    let (mut book, _) = Book::build(&snap, &obligations);
    let mut times = Vec::new();
    let (mut touched, mut candidates) = (0, 0);
    for step in 0..41u64 {
        // Alternately down and up 3%: obligations cross the threshold both ways.
        let price = if step % 2 == 0 { 19_400 } else { 20_000 };
        let r = snap.reserves.get_mut(&moved).expect("reserve");
        r.reserve.price_sf = sf(Decimal::from_ratio(price, 1_000).expect("price"));
        r.reserve.ema_price_sf = r.reserve.price_sf;
        let t = Instant::now();
        touched = book.reprice(&snap, &moved);
        let ranked: Vec<(Pubkey, Decimal)> = book.ranked().take(1_000).collect();
        times.push(t.elapsed().as_secs_f64() * 1_000.0);
        candidates = ranked.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "price tick: {touched} of 100000 obligations re-valued and {candidates} candidates ranked in {:.2} ms median, {:.2} ms worst of 41 (goal <= 5 ms)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

async fn bench_sim(n: usize) {
    let report = run(SimOptions {
        obligations: n,
        steps: 20,
        seed: 1,
        ..SimOptions::default()
    })
    .await
    .expect("simulation");
    println!(
        "simulation: {n} obligations, {} steps in {:.1} s = {:.2} steps/s (setup {:.1} s, {} liquidations)",
        report.steps,
        report.run_secs,
        report.steps as f64 / report.run_secs,
        report.setup_secs,
        report.liquidations
    );
}

#[tokio::main]
async fn main() {
    // The embedded bank logs every instruction at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    bench_rescan();
    bench_tick();
    let sizes = std::env::var("BENCH_SIM_SIZES").unwrap_or_else(|_| "1000,10000".into());
    for n in sizes
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
    {
        bench_sim(n).await;
    }
}
