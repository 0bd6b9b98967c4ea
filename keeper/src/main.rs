//! `sentinel-keeper`: `run` watches a market on a JSON-RPC node and liquidates;
//! `simulate` runs the crash simulator on the embedded chain.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use clap::{Args, Parser, Subcommand};
use keeper::chain::Chain;
use keeper::instructions::associated_token_address;
use keeper::keeper::{Keeper, KeeperConfig};
use keeper::market::load_market;
use keeper::metrics::Metrics;
use keeper::rpc::RpcChain;
use keeper::sim::mechanism::Mechanism;
use keeper::sim::pool::PoolSpec;
use keeper::sim::{self, scenario::Scenario, SimOptions};
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "sentinel-keeper",
    version,
    about = "Sentinel liquidation keeper and crash simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Watch a market through a JSON-RPC node and liquidate unhealthy obligations.
    Run(RunArgs),
    /// Run the crash simulator on the embedded in-process chain.
    Simulate(SimArgs),
}

#[derive(Args)]
struct RunArgs {
    /// JSON-RPC URL (solana-test-validator, devnet, mainnet).
    #[arg(
        long,
        env = "SENTINEL_RPC_URL",
        default_value = "http://127.0.0.1:8899"
    )]
    rpc_url: String,
    /// Keypair file of the liquidator (pays fees and debt; receives collateral).
    #[arg(
        long,
        env = "SENTINEL_KEYPAIR",
        default_value = "~/.config/solana/id.json"
    )]
    keypair: String,
    /// Lending market address.
    #[arg(long, env = "SENTINEL_MARKET")]
    market: String,
    /// Time between rounds (milliseconds).
    #[arg(long, env = "SENTINEL_POLL_MS", default_value_t = 2_000)]
    poll_ms: u64,
    /// Priority fee (micro-lamports per compute unit).
    #[arg(long, env = "SENTINEL_PRIORITY_FEE", default_value_t = 1_000)]
    priority_fee: u64,
    /// Pay this percentile (0–100) of what recent slots paid to write the same accounts
    /// (`getRecentPrioritizationFees`), with `--priority-fee` as the floor.
    #[arg(long, env = "SENTINEL_PRIORITY_FEE_PERCENTILE", value_parser = clap::value_parser!(u8).range(0..=100))]
    priority_fee_percentile: Option<u8>,
    /// POST a JSON alert here when an obligation falls under the warning health, when a
    /// liquidation fails repeatedly, or when a debt asset's balance runs low.
    #[arg(long, env = "SENTINEL_ALERT_WEBHOOK")]
    alert_webhook: Option<String>,
    /// Alert when the balance of an asset the market has lent out is worth less than this
    /// (quote units; 0 = never).
    #[arg(long, env = "SENTINEL_LOW_BALANCE_VALUE", default_value_t = 0.0)]
    low_balance_value: f64,
    /// Most micro-lamports per compute unit ever paid.
    #[arg(long, env = "SENTINEL_PRIORITY_FEE_CAP", default_value_t = 1_000_000)]
    priority_fee_cap: u64,
    /// Smallest expected profit worth a transaction (quote units, e.g. USD).
    #[arg(long, env = "SENTINEL_MIN_PROFIT", default_value_t = 0.5)]
    min_profit: f64,
    /// Most liquidations per round.
    #[arg(long, env = "SENTINEL_MAX_LIQUIDATIONS", default_value_t = 10)]
    max_liquidations: usize,
    /// Simulate only, never send.
    #[arg(long, env = "SENTINEL_DRY_RUN")]
    dry_run: bool,
    /// Slippage allowed on the collateral received (bps).
    #[arg(long, env = "SENTINEL_SLIPPAGE_BPS", default_value_t = 50)]
    slippage_bps: u64,
    /// Health factor (bps) under which healthy obligations are reported at risk.
    #[arg(long, env = "SENTINEL_WARN_HEALTH_BPS", default_value_t = 10_500)]
    warn_health_bps: u64,
    /// The liquidator's own obligation in the market: when a collateral reserve has no free
    /// liquidity, seized collateral is credited to it as supply shares (open it with
    /// `init_obligation` first).
    #[arg(long, env = "SENTINEL_LIQUIDATOR_OBLIGATION")]
    liquidator_obligation: Option<String>,
    /// Fund liquidations with a flash loan of the debt asset where the reserve lends one,
    /// repaid in the same transaction from the liquidator's balance (which must cover the
    /// repayment plus the fee).
    #[arg(long, env = "SENTINEL_FLASH_LOANS")]
    flash_loans: bool,
    /// Address of the /metrics and /health endpoint.
    #[arg(long, env = "SENTINEL_METRICS_ADDR", default_value = "127.0.0.1:9464")]
    metrics_addr: String,
    /// Stop after this many rounds (runs until SIGINT or SIGTERM when absent).
    #[arg(long)]
    rounds: Option<u64>,
    /// The keeper's address lookup table from an earlier run (owned by the keypair); without
    /// it a new table is created and its address logged.
    #[arg(long, env = "SENTINEL_LOOKUP_TABLE")]
    lookup_table: Option<String>,
    /// Send legacy transactions only (no lookup table): obligations of more than about five
    /// reserves then cannot be liquidated.
    #[arg(long, env = "SENTINEL_LEGACY_ONLY")]
    legacy_only: bool,
    /// The node's pubsub WebSocket (default: the RPC URL's host, `ws://`, port + 1).
    #[arg(long, env = "SENTINEL_WS_URL")]
    ws_url: Option<String>,
    /// Poll with `getProgramAccounts` every round instead of streaming account changes.
    #[arg(long, env = "SENTINEL_NO_STREAM")]
    no_stream: bool,
    /// Full resync of the streamed accounts every this many seconds.
    #[arg(long, default_value_t = 60)]
    resync_secs: u64,
    /// Re-check the lookup table for newly listed reserves every this many rounds.
    #[arg(long, default_value_t = 30)]
    table_check_rounds: u64,
}

#[derive(Args)]
struct SimArgs {
    /// Borrowers with random positions.
    #[arg(long, default_value_t = 2_000)]
    obligations: usize,
    /// Steps of the price path.
    #[arg(long, default_value_t = 60)]
    steps: usize,
    /// `crash`, `gbm`, or a CSV file (`step,SYM,...` header, one row of prices per step).
    #[arg(long, default_value = "crash")]
    scenario: String,
    /// RNG seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Competing keepers.
    #[arg(long, default_value_t = 2)]
    keepers: usize,
    /// The keepers read the same slot before any acts, so they race for the same obligations.
    #[arg(long)]
    same_slot: bool,
    /// Directory for sim_steps.csv, sim_chart.svg and .png (compare_chart.svg and .png with --compare).
    #[arg(long, default_value = "sim-out")]
    out: PathBuf,
    /// Seconds per step.
    #[arg(long, default_value_t = 30)]
    step_secs: i64,
    /// Slots per step.
    #[arg(long, default_value_t = 75)]
    slots_per_step: u64,
    /// Hide progress bars.
    #[arg(long)]
    no_progress: bool,
    /// Liquidation mechanism: `sentinel` (auction + target health), `ramp` (klend's
    /// health-ramp bonus, close factor), `fixed` (Save / Aave v3: close factor, fixed bonus).
    #[arg(long, default_value = "sentinel")]
    mechanism: Mechanism,
    /// Liquidations pay no share of the bonus to the insurance funds.
    #[arg(long)]
    no_insurance: bool,
    /// Depth of each collateral's constant-product pool (quote units per side; 0: liquidators'
    /// sales move no price).
    #[arg(long, default_value_t = 20_000_000.0)]
    pool_depth: f64,
    /// Share of seized collateral that liquidators sell into the pool at once (0–1).
    #[arg(long, default_value_t = 1.0)]
    sell_share: f64,
    /// Share of a pool's gap to the outside price that arbitrage closes each step (0–1).
    #[arg(long, default_value_t = 0.2)]
    pool_recovery: f64,
    /// Keepers act every N slots of a step while anything is liquidatable (default: once per
    /// step).
    #[arg(long)]
    keeper_every_slots: Option<u64>,
    /// Liquidations each keeper lands per round at most.
    #[arg(long, default_value_t = 200)]
    capacity: usize,
    /// The first N keepers fund liquidations with flash loans (every reserve then lends them).
    #[arg(long, default_value_t = 0)]
    flash_keepers: usize,
    /// Collateral reserves' LTV, borrow cap, minimum bonus and liquidation threshold follow
    /// their measured volatility (every reserve is then refreshed once a step).
    #[arg(long)]
    volatility: bool,
    /// With `--volatility`: the minimum liquidation bonus holds under stress (by default it
    /// rises to the maximum).
    #[arg(long)]
    volatility_hold_bonus: bool,
    /// Run every mechanism, with and without insurance, on the same seed and price path, then
    /// Sentinel's with volatility-adjusted risk, and print one table.
    #[arg(long)]
    compare: bool,
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn decimal_from_f64(x: f64) -> Decimal {
    Decimal::from_ratio((x.max(0.0) * 1e6).round() as u128, 1_000_000).unwrap_or_default()
}

/// The pubsub URL of a validator's RPC URL: the same host, `ws(s)://`, port + 1.
fn default_ws_url(rpc_url: &str) -> Option<String> {
    let (scheme, rest) = rpc_url.split_once("://")?;
    let ws = if scheme == "https" { "wss" } else { "ws" };
    let (host, tail) = rest.split_once('/').map_or((rest, ""), |(h, t)| (h, t));
    let host = match host.rsplit_once(':') {
        Some((h, port)) => format!("{h}:{}", port.parse::<u16>().ok()?.checked_add(1)?),
        None => host.to_string(),
    };
    Some(format!("{ws}://{host}/{tail}"))
}

async fn run(args: RunArgs) -> Result<()> {
    let market = Pubkey::from_str(&args.market).map_err(|e| anyhow!("market address: {e}"))?;
    let rpc = std::sync::Arc::new(RpcChain::new(&args.rpc_url));
    if args.no_stream {
        return run_on(&*rpc, &args, market).await;
    }
    let snapshot = load_market(&*rpc, &market)
        .await
        .context("loading the market")?;
    let mut followed = vec![market];
    followed.extend(
        snapshot
            .reserves
            .values()
            .map(|v| v.oracle_config.price_account),
    );
    let ws_url = args
        .ws_url
        .clone()
        .or_else(|| default_ws_url(&args.rpc_url))
        .ok_or_else(|| anyhow!("cannot derive the WebSocket URL; pass --ws-url"))?;
    tracing::info!(ws = %ws_url, followed = followed.len(), "streaming the market's accounts");
    let stream = keeper::stream::StreamingChain::start(
        rpc,
        ws_url,
        market,
        followed,
        Duration::from_secs(args.resync_secs.max(1)),
    );
    run_on(&stream, &args, market).await
}

async fn run_on<C: Chain>(chain: &C, args: &RunArgs, market: Pubkey) -> Result<()> {
    let payer = solana_keypair::read_keypair_file(expand_home(&args.keypair))
        .map_err(|e| anyhow!("keypair {}: {e}", args.keypair))?;
    let snapshot = load_market(chain, &market)
        .await
        .context("loading the market")?;
    let token_accounts = snapshot
        .reserves
        .values()
        .map(|v| {
            (
                v.reserve.mint,
                associated_token_address(
                    &payer.pubkey(),
                    &v.reserve.mint,
                    &v.reserve.token_program,
                ),
            )
        })
        .collect();
    let liquidator_obligation = args
        .liquidator_obligation
        .as_deref()
        .map(|s| {
            s.parse::<Pubkey>()
                .map_err(|e| anyhow::anyhow!("--liquidator-obligation: {e}"))
        })
        .transpose()?;
    let metrics = Metrics::new();
    metrics.serve(&args.metrics_addr, (args.poll_ms as i64 / 1000).max(1) * 10)?;
    tracing::info!(market = %market, liquidator = %payer.pubkey(), reserves = snapshot.reserves.len(), metrics = %args.metrics_addr, "keeper started");
    let mut keeper = Keeper {
        chain,
        payer,
        token_accounts,
        backoff: Default::default(),
        lookup_table: None,
        tracker: Default::default(),
        alerts: keeper::alerts::Alerts::new(args.alert_webhook.clone()),
        config: KeeperConfig {
            market,
            priority_fee_micro_lamports: args.priority_fee,
            priority_fee_percentile: args.priority_fee_percentile,
            priority_fee_cap_micro_lamports: args.priority_fee_cap,
            low_balance_value: decimal_from_f64(args.low_balance_value),
            min_profit: decimal_from_f64(args.min_profit),
            max_liquidations_per_round: args.max_liquidations,
            dry_run: args.dry_run,
            slippage_bps: args.slippage_bps,
            warn_health_bps: args.warn_health_bps,
            compute_headroom_pct: 20,
            liquidator_obligation,
            flash_loans: args.flash_loans,
        },
        metrics,
    };
    if let Some(t) = &args.lookup_table {
        let key = Pubkey::from_str(t).map_err(|e| anyhow!("--lookup-table: {e}"))?;
        let acc = chain.accounts(&[key]).await?.into_iter().next().flatten();
        let acc = acc.ok_or_else(|| anyhow!("lookup table {key} not found"))?;
        let (table, last_extended) = keeper::lookup::decode(key, &acc.data)?;
        keeper.lookup_table = Some(keeper::tables::KeeperTable {
            table,
            usable_from_slot: last_extended + 1,
        });
    }
    let mut done = 0u64;
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    loop {
        if !args.legacy_only && done.is_multiple_of(args.table_check_rounds.max(1)) {
            match load_market(chain, &market).await {
                Ok(snap) => match keeper.prepare_lookup_table(&snap).await {
                    Ok(added) => {
                        if let Some(t) = &keeper.lookup_table {
                            if added > 0 {
                                tracing::info!(table = %t.table.key, added, "lookup table ready (pass --lookup-table next time)");
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "lookup table not ready; legacy transactions only")
                    }
                },
                Err(e) => tracing::warn!(error = %e, "market not loaded"),
            }
        }
        match keeper.round().await {
            Ok(r) => tracing::info!(
                scanned = r.scanned,
                unhealthy = r.unhealthy.len(),
                at_risk = r.at_risk,
                liquidated = r.liquidations.len(),
                failed = r.failed,
                ms = r.elapsed.as_millis() as u64,
                "round"
            ),
            Err(e) => tracing::warn!(error = %e, "round failed; retrying"),
        }
        done += 1;
        if args.rounds.is_some_and(|n| done >= n) {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(args.poll_ms)) => {}
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("SIGINT: stopping");
                return Ok(());
            }
            _ = terminate.recv() => {
                tracing::info!("SIGTERM: stopping");
                return Ok(());
            }
        }
    }
}

async fn simulate(args: SimArgs) -> Result<()> {
    let scenario = Scenario::parse(&args.scenario)?;
    let opts = SimOptions {
        obligations: args.obligations,
        steps: args.steps,
        scenario,
        scenario_name: args.scenario.clone(),
        seed: args.seed,
        keepers: args.keepers,
        same_slot: args.same_slot,
        step_secs: args.step_secs,
        slots_per_step: args.slots_per_step,
        out_dir: Some(args.out.clone()),
        progress: !args.no_progress,
        keeper_every_slots: args.keeper_every_slots.filter(|n| *n > 0),
        capacity: args.capacity,
        flash_loan_keepers: args.flash_keepers,
        volatility: args.volatility,
        volatility_bonus: !args.volatility_hold_bonus,
        mechanism: args.mechanism,
        insurance: !args.no_insurance,
        pools: (args.pool_depth > 0.0).then_some(PoolSpec {
            depth: args.pool_depth,
            sell_share: args.sell_share.clamp(0.0, 1.0),
            recovery: args.pool_recovery.clamp(0.0, 1.0),
        }),
    };
    if args.compare {
        let comparison = sim::compare::compare(opts).await?;
        println!("{comparison}");
        let (svg, png) = comparison.write_charts(&args.out)?;
        println!("  chart {} and {}", svg.display(), png.display());
        return Ok(());
    }
    let report = sim::run(opts).await?;
    println!("{report}");
    println!(
        "  per-step figures             {}",
        args.out.join("sim_steps.csv").display()
    );
    println!(
        "  chart                        {} and .png",
        args.out.join("sim_chart.svg").display()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let default_filter = match cli.command {
        Command::Run(_) => "info",
        Command::Simulate(_) => "error",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Run(args) => run(args).await,
        Command::Simulate(args) => simulate(args).await,
    }
}

#[cfg(test)]
mod tests {
    use super::default_ws_url;

    #[test]
    fn successful_default_ws_url_is_the_next_port() {
        assert_eq!(
            default_ws_url("http://127.0.0.1:8899").as_deref(),
            Some("ws://127.0.0.1:8900/")
        );
        assert_eq!(
            default_ws_url("https://rpc.example.com:443/key").as_deref(),
            Some("wss://rpc.example.com:444/key")
        );
        assert_eq!(
            default_ws_url("https://rpc.example.com").as_deref(),
            Some("wss://rpc.example.com/")
        );
        assert_eq!(default_ws_url("not a url"), None);
    }
}
