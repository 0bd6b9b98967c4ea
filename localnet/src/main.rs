//! `sentinel-localnet`: serves the native lending program over Solana JSON-RPC for development
//! and CI. Not a validator; see the crate docs.

use clap::Parser;
use sentinel_localnet::{demo, serve, Config, Node};

/// Development node for the native build of the Sentinel lending program.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// JSON-RPC port (the pubsub WebSocket listens on port + 1).
    #[arg(long, default_value_t = 8899, env = "SENTINEL_LOCALNET_PORT")]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Slot length in milliseconds.
    #[arg(long, default_value_t = 400)]
    slot_ms: u64,
    /// Build a demo market (USDC, SOL, ETH, JUP with lenders and borrowers) before serving.
    #[arg(long)]
    demo: bool,
    /// Borrowers opened in the demo market.
    #[arg(long, default_value_t = 25)]
    demo_borrowers: usize,
    /// Write the demo market's addresses (JSON) here.
    #[arg(long, default_value = "localnet-demo.json")]
    demo_out: std::path::PathBuf,
    /// A browser origin (e.g. `https://dapp.example`) allowed to call the development methods
    /// (`requestAirdrop`, `sentinel_setPythPrice`, `sentinel_faucet`) besides localhost;
    /// repeatable.
    #[arg(long = "allow-origin")]
    allow_origin: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tarpc=error,solana=warn,solana_runtime=warn".into()),
        )
        .init();
    let args = Args::parse();
    let mut node = Node::start().await?;
    if args.demo {
        let (n, description) = demo::bootstrap(node, args.demo_borrowers).await?;
        node = n;
        std::fs::write(&args.demo_out, serde_json::to_string_pretty(&description)?)?;
        tracing::info!(file = %args.demo_out.display(), "demo market written");
    }
    let config = Config {
        rpc_addr: format!("{}:{}", args.bind, args.port),
        allowed_origins: args.allow_origin.clone(),
        ..Config::default()
    };
    let config = Config {
        slot_ms: args.slot_ms,
        ..config
    };
    let running = serve(node, &config).await?;
    tracing::info!(
        rpc = %running.rpc_url,
        ws = %running.ws_url,
        program = %lending::ID,
        "sentinel-localnet ready (development node for the native build, not a validator)"
    );
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    Ok(())
}
