//! The crash simulator: the keeper's own round logic, run by one or several competing keepers,
//! against the program in the embedded chain while prices follow a scenario.

pub mod chart;
pub mod compare;
pub mod flash;
pub mod mechanism;
pub mod pool;
pub mod report;
pub mod scenario;
pub mod volatility;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use lending_math::Decimal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::keeper::{decimal_f64, Keeper, KeeperConfig};
use crate::metrics::Metrics;
use mechanism::Mechanism;
use pool::{PoolSpec, Pools};
use report::{ReserveLoss, SimReport, StepRow};
use scenario::Scenario;
pub use sentinel_harness::world::{self, default_assets, market_params, World};

/// Simulation settings.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Borrowers to open.
    pub obligations: usize,
    /// Steps to run (a CSV scenario may define fewer).
    pub steps: usize,
    /// Price path.
    pub scenario: Scenario,
    /// Name of the scenario, for the report.
    pub scenario_name: String,
    /// RNG seed for positions and prices.
    pub seed: u64,
    /// Competing keepers.
    pub keepers: usize,
    /// Keepers scan the same slot before any acts, so that they race for the same obligations
    /// (the losers' transactions fail and count as lost races); else each acts in a slot of
    /// its own.
    pub same_slot: bool,
    /// Seconds per step.
    pub step_secs: i64,
    /// Slots per step.
    pub slots_per_step: u64,
    /// Where the CSV and the chart go (`None`: not written).
    pub out_dir: Option<PathBuf>,
    /// Show progress bars.
    pub progress: bool,
    /// How liquidations are sized and paid.
    pub mechanism: Mechanism,
    /// Whether liquidations feed the insurance funds (their protocol share of the bonus).
    pub insurance: bool,
    /// Price impact of liquidators' sales (`None`: prices follow the scenario alone).
    pub pools: Option<PoolSpec>,
    /// Keepers act every this many slots within a step while anything is liquidatable
    /// (`None`: once per step).
    pub keeper_every_slots: Option<u64>,
    /// Liquidations each keeper lands per round at most (its capacity per slot when it acts
    /// every slot).
    pub capacity: usize,
    /// Keepers (the first ones) that fund liquidations with flash loans; with any, every
    /// reserve lends them at `flash::FEE_BPS` (0: flash loans stay disabled).
    pub flash_loan_keepers: usize,
    /// Collateral reserves' risk parameters follow their measured volatility
    /// ([`volatility::config_for`]), and every reserve is refreshed once a step.
    pub volatility: bool,
    /// With `volatility`: the minimum liquidation bonus rises to the maximum under stress (else
    /// it holds).
    pub volatility_bonus: bool,
}

impl Default for SimOptions {
    /// The main job's run: 2,000 borrowers through the 60-step crash, two keepers, Sentinel's
    /// mechanism with insurance, collateral sold into pools of $20M depth.
    fn default() -> Self {
        SimOptions {
            obligations: 2_000,
            steps: 60,
            scenario: Scenario::Crash,
            scenario_name: "crash".into(),
            seed: 42,
            keepers: 2,
            same_slot: false,
            step_secs: 30,
            slots_per_step: 75,
            out_dir: None,
            progress: false,
            mechanism: Mechanism::Sentinel,
            insurance: true,
            pools: Some(PoolSpec {
                depth: 20_000_000.0,
                sell_share: 1.0,
                recovery: 0.2,
            }),
            keeper_every_slots: None,
            capacity: 200,
            flash_loan_keepers: 0,
            volatility: false,
            volatility_bonus: true,
        }
    }
}

fn bar(len: usize, show: bool, msg: &'static str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {elapsed}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(msg);
    pb
}

/// A keeper with $50M worth of every asset, liquidating with no minimum profit.
pub fn funded_keeper<'a, C: crate::chain::Chain>(world: &mut World, chain: &'a C) -> Keeper<'a, C> {
    let payer = Keypair::new();
    world.fund(&payer.pubkey());
    let mut token_accounts = BTreeMap::new();
    let assets = world.assets.clone();
    for a in &assets {
        let units = (50_000_000.0 / a.price * 10f64.powi(i32::from(a.spec.decimals))) as u64;
        token_accounts.insert(a.mint, world.token_account(&a.mint, &payer.pubkey(), units));
    }
    Keeper {
        chain,
        payer,
        token_accounts,
        backoff: Default::default(),
        lookup_table: None,
        tracker: Default::default(),
        alerts: crate::alerts::Alerts::new(None),
        config: KeeperConfig {
            market: world.market,
            priority_fee_micro_lamports: 1_000,
            priority_fee_percentile: None,
            priority_fee_cap_micro_lamports: 1_000,
            low_balance_value: Decimal::zero(),
            min_profit: Decimal::zero(),
            max_liquidations_per_round: 200,
            dry_run: false,
            slippage_bps: 50,
            warn_health_bps: 10_500,
            compute_headroom_pct: 20,
            liquidator_obligation: None,
            flash_loans: false,
        },
        metrics: Metrics::new(),
    }
}

/// Runs a simulation and returns its report (and writes the CSV and chart when asked).
pub async fn run(opts: SimOptions) -> Result<SimReport> {
    let setup = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    // JUP is listed as a Token-2022 mint here, so that the keeper repays and receives
    // Token-2022 tokens in every simulation.
    let mut assets = default_assets();
    if let Some(jup) = assets.iter_mut().find(|a| a.symbol == "JUP") {
        jup.token_2022 = true;
    }
    let mut params = market_params();
    opts.mechanism
        .apply(&mut params, &mut assets, opts.insurance);
    let mut world = World::new(assets, params).await?;
    world.add_lenders().await?;
    let pb = bar(opts.obligations, opts.progress, "positions");
    let borrowing = world
        .add_borrowers(opts.obligations, &mut rng, || pb.inc(1))
        .await?;
    pb.finish_and_clear();
    let chain = crate::banks::Bank::new(world.ctx.banks_client.clone());
    chain.track(world.obligations.iter().copied());
    chain.track(world.assets.iter().map(|a| a.reserve));
    if opts.flash_loan_keepers > 0 {
        flash::enable(&mut world, flash::FEE_BPS).await?;
    }
    if opts.volatility {
        volatility::enable(&mut world, opts.volatility_bonus).await?;
    }
    let keepers: Vec<_> = (0..opts.keepers.max(1))
        .map(|i| {
            let mut k = funded_keeper(&mut world, &chain);
            k.config.max_liquidations_per_round = opts.capacity.max(1);
            k.config.flash_loans = i < opts.flash_loan_keepers;
            k
        })
        .collect();

    let symbols: Vec<String> = world
        .assets
        .iter()
        .map(|a| a.spec.symbol.to_string())
        .collect();
    let stable: Vec<bool> = world
        .assets
        .iter()
        .map(|a| a.spec.symbol == "USDC")
        .collect();
    let mut pools = opts.pools.map(|spec| {
        Pools::new(
            spec,
            world.assets.iter().map(|a| a.spec.collateral).collect(),
        )
    });
    let mut outside: Vec<f64> = world.assets.iter().map(|a| a.price).collect();
    let start: Vec<f64> = outside.clone();
    let (mut low_outside, mut low_price) = (start.clone(), start.clone());
    let mut losses: Vec<ReserveLoss> = symbols
        .iter()
        .map(|s| ReserveLoss {
            symbol: s.clone(),
            ..Default::default()
        })
        .collect();
    let mut times_to_health: Vec<u64> = Vec::new();
    let mut report = SimReport {
        mechanism: opts.mechanism.to_string(),
        insurance: opts.insurance,
        scenario: opts.scenario_name.clone(),
        seed: opts.seed,
        obligations: opts.obligations,
        borrowing,
        keepers: keepers.len(),
        flash_loan_keepers: opts.flash_loan_keepers.min(keepers.len()),
        volatility: opts.volatility,
        volatility_bonus: opts.volatility && opts.volatility_bonus,
        symbols: symbols.clone(),
        setup_secs: setup.elapsed().as_secs_f64(),
        ..Default::default()
    };
    let steps = opts
        .scenario
        .defined_steps()
        .map_or(opts.steps, |n| n.min(opts.steps));
    let started = Instant::now();
    let mut first_seen: BTreeMap<Pubkey, u64> = BTreeMap::new();
    let mut ever: BTreeSet<Pubkey> = BTreeSet::new();
    let pb = bar(steps, opts.progress, "steps");
    for step in 0..steps {
        let sym_refs: Vec<&str> = symbols.iter().map(String::as_str).collect();
        outside = opts
            .scenario
            .next(step, &sym_refs, &outside, &stable, &mut rng);
        if let Some(p) = pools.as_mut() {
            p.recover();
        }
        let next: Vec<f64> = outside
            .iter()
            .enumerate()
            .map(|(i, o)| pools.as_ref().map_or(*o, |p| p.price(i, *o)))
            .collect();
        for i in 0..next.len() {
            low_outside[i] = low_outside[i].min(outside[i]);
            low_price[i] = low_price[i].min(next[i]);
        }
        let mut big_move = false;
        for (a, p) in world.assets.iter_mut().zip(&next) {
            big_move |= (p / a.price - 1.0).abs() > 0.1;
            a.price = *p;
            a.ema += 0.2 * (a.price - a.ema);
        }
        world.advance(opts.step_secs, opts.slots_per_step).await?;
        world
            .publish_prices(if big_move { 0.01 } else { 0.001 })
            .await?;
        if opts.volatility {
            volatility::refresh_all(&mut world).await?;
            volatility::observe_peaks(&world, &mut report.volatility_peaks).await?;
        }
        let slot = world.ctx.banks_client.get_root_slot().await.unwrap_or(0);
        let mut row = StepRow {
            step,
            slot,
            prices: next.clone(),
            unhealthy: 0,
            liquidations: 0,
            repaid_value: 0.0,
            bad_debt: 0.0,
        };
        // Keepers act once per step, or every `keeper_every_slots` slots of it for as long as
        // something is liquidatable (prices move per step; the clock's time too).
        let passes = opts
            .keeper_every_slots
            .map_or(1, |n| (opts.slots_per_step / n.max(1)).max(1));
        for pass in 0..passes {
            if pass > 0 {
                let gap = opts
                    .keeper_every_slots
                    .unwrap_or(1)
                    .saturating_sub(keepers.len() as u64);
                if gap > 0 {
                    world.advance(0, gap).await?;
                }
            }
            let mut unhealthy_now: BTreeSet<Pubkey> = BTreeSet::new();
            let mut rounds = Vec::new();
            if opts.same_slot {
                // Every keeper reads the same slot, then each acts on what it read.
                world.advance(0, 1).await?;
                let mut scans = Vec::new();
                for k in 0..keepers.len() {
                    scans.push(keepers[(step + k) % keepers.len()].scan().await);
                }
                for (k, scan) in scans.into_iter().enumerate() {
                    let keeper = &keepers[(step + k) % keepers.len()];
                    rounds.push(match scan {
                        Ok(s) => keeper.act(s).await,
                        Err(e) => Err(e),
                    });
                }
            } else {
                for k in 0..keepers.len() {
                    // Each keeper acts in a slot of its own.
                    world.advance(0, 1).await?;
                    rounds.push(keepers[(step + k) % keepers.len()].round().await);
                }
            }
            for round in rounds {
                match round {
                    Ok(r) => {
                        unhealthy_now.extend(r.unhealthy.iter().copied());
                        row.liquidations += r.liquidations.len();
                        report.liquidations += r.liquidations.len();
                        report.failed += r.failed;
                        report.lost_races += r.lost_races;
                        report.socialized += r.socialized;
                        for w in &r.write_offs {
                            let i = index_of(&world, &w.reserve);
                            let (debt, covered, lost) = (
                                decimal_f64(w.debt_value),
                                decimal_f64(w.covered_value),
                                decimal_f64(w.socialized_value),
                            );
                            losses[i].written_off += debt;
                            losses[i].insurance_covered += covered;
                            losses[i].socialized += lost;
                        }
                        for l in &r.liquidations {
                            if let Some(p) = pools.as_mut() {
                                p.sell(
                                    index_of(&world, &l.withdraw_reserve),
                                    decimal_f64(l.seize_value),
                                );
                            }
                            let (repaid, seized, fee) = (
                                decimal_f64(l.repay_value),
                                decimal_f64(l.seize_value),
                                decimal_f64(l.fee_value),
                            );
                            row.repaid_value += repaid;
                            report.repaid_value += repaid;
                            report.seized_value += seized;
                            report.bonus_paid += seized - repaid;
                            report.bonus_at_max += repaid * l.max_bonus_bps as f64 / 10_000.0;
                            report.protocol_fees += fee;
                            if let Some(flash_fee) = l.flash_fee {
                                report.flash_liquidations += 1;
                                report.flash_fees +=
                                    repaid * flash_fee as f64 / l.repay_amount.max(1) as f64;
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "keeper round failed"),
                }
            }
            let clock_slot = chain_slot(&chain).await;
            for o in &unhealthy_now {
                first_seen.entry(*o).or_insert(clock_slot);
                ever.insert(*o);
            }
            let healed: Vec<Pubkey> = first_seen
                .keys()
                .filter(|o| !unhealthy_now.contains(o))
                .copied()
                .collect();
            for o in healed {
                if let Some(seen) = first_seen.remove(&o) {
                    times_to_health.push(clock_slot - seen);
                }
            }
            if pass == 0 {
                row.unhealthy = unhealthy_now.len();
            }
            if unhealthy_now.is_empty() {
                break;
            }
        }
        row.bad_debt = bad_debt(&keepers[0]).await;
        report.rows.push(row);
        pb.inc(1);
    }
    pb.finish_and_clear();
    let end_slot = chain_slot(&chain).await;
    // Those still liquidatable count with the time they have waited so far.
    times_to_health.extend(first_seen.values().map(|seen| end_slot - seen));
    report.time_to_health = report::Percentiles::of(&mut times_to_health);
    report.worst_time_to_liquidation_slots = report.time_to_health.max;
    report.losses = losses;
    report.cascade = symbols
        .iter()
        .enumerate()
        .filter(|(i, _)| pools.is_some() && world.assets[*i].spec.collateral)
        .map(|(i, s)| report::Cascade {
            symbol: s.clone(),
            outside_drop: 1.0 - low_outside[i] / start[i],
            price_drop: 1.0 - low_price[i] / start[i],
        })
        .collect();
    report.still_liquidatable = first_seen.len();
    report.became_liquidatable = ever.len();
    report.bad_debt_outstanding = report.rows.last().map_or(0.0, |r| r.bad_debt);
    report.steps = steps;
    report.run_secs = started.elapsed().as_secs_f64();
    if let Some(dir) = &opts.out_dir {
        std::fs::create_dir_all(dir)?;
        report.write_csv(&dir.join("sim_steps.csv"))?;
        report.write_charts(dir)?;
    }
    Ok(report)
}

/// The index of reserve `key` among the world's assets (0 when unknown).
fn index_of(world: &World, key: &Pubkey) -> usize {
    world
        .assets
        .iter()
        .position(|a| a.reserve == *key)
        .unwrap_or(0)
}

async fn chain_slot(chain: &crate::banks::Bank) -> u64 {
    chain.clock().await.map(|c| c.slot).unwrap_or(0)
}

/// Σ max(debt − collateral, 0) over the market's obligations, at spot prices.
async fn bad_debt<C: crate::chain::Chain>(keeper: &Keeper<'_, C>) -> f64 {
    match keeper.scan().await {
        Ok(scan) => scan
            .assessments
            .iter()
            .map(|a| {
                decimal_f64(
                    a.health
                        .borrowed_value
                        .saturating_sub(a.health.deposited_value),
                )
            })
            .sum(),
        Err(_) => 0.0,
    }
}
