//! Volatility-adjusted risk in the simulator: `--volatility` turns the adjustment on for every
//! collateral reserve ([`config_for`]) and refreshes every reserve once a step, as a crank
//! would, so each reserve's estimate follows its price. The comparison runs Sentinel with and
//! without it on the same crash.

use anchor_lang::{InstructionData, ToAccountMetas};
use lending::state::{ReserveConfig, VolatilityConfig};
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::Signer;

use super::world::World;
use crate::instructions::event_authority;

/// The simulated collateral's adjustment: a ten-minute half-life; calm up to 150% (the
/// scenario's step noise alone measures about 120%), full stress at 400%; LTV down by 15
/// points, the threshold's target by 10 points, the borrow cap to half; the threshold tightens
/// by at most 5 points an hour; with `bonus`, the minimum bonus rises to the maximum (else it
/// holds, and the Dutch auction keeps its range).
pub fn config_for(c: &ReserveConfig, bonus: bool) -> VolatilityConfig {
    let threshold_floor = c.liquidation_threshold_bps.saturating_sub(1_000);
    VolatilityConfig {
        half_life_secs: 600,
        calm_vol_bps: 15_000,
        stress_vol_bps: 40_000,
        ltv_floor_bps: c
            .loan_to_value_bps
            .saturating_sub(1_500)
            .min(threshold_floor.saturating_sub(1)),
        threshold_floor_bps: threshold_floor,
        borrow_cap_floor_bps: 5_000,
        min_bonus_ceiling_bps: if bonus {
            c.max_liquidation_bonus_bps
        } else {
            0
        },
        threshold_rate_bps_per_hour: 500,
    }
}

/// Turns the adjustment on for every collateral reserve of the world (as its admin), the
/// minimum bonus rising under stress when `bonus`.
pub async fn enable(world: &mut World, bonus: bool) -> anyhow::Result<()> {
    let admin = world.admin.insecure_clone();
    let ixs: Vec<Instruction> = world
        .assets
        .iter()
        .filter(|a| a.spec.collateral)
        .map(|a| Instruction {
            program_id: lending::ID,
            accounts: lending::accounts::SetVolatilityConfig {
                admin: admin.pubkey(),
                lending_market: world.market,
                reserve: a.reserve,
                event_authority: event_authority(),
                program: lending::ID,
            }
            .to_account_metas(None),
            data: lending::instruction::SetVolatilityConfig {
                config: config_for(&a.spec.config, bonus),
            }
            .data(),
        })
        .collect();
    for ix in ixs {
        world.send(&[ix], &[&admin]).await?;
    }
    Ok(())
}

/// Refreshes every reserve of the world (the crank that samples each price once a step).
pub async fn refresh_all(world: &mut World) -> anyhow::Result<()> {
    let ixs: Vec<Instruction> = world
        .assets
        .iter()
        .map(|a| world.refresh_reserve_ix(a))
        .collect();
    world.send(&ixs, &[]).await
}

/// The extremes of one collateral's parameters in force over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolatilityPeak {
    /// Ticker.
    pub symbol: String,
    /// Highest volatility estimate (bps of annualised σ).
    pub volatility_bps: u32,
    /// Highest stress (bps of 1).
    pub stress_bps: u32,
    /// Lowest LTV in force (bps).
    pub ltv_bps: u16,
    /// Lowest liquidation threshold in force (bps).
    pub threshold_bps: u16,
    /// Configured liquidation threshold (bps).
    pub configured_threshold_bps: u16,
    /// Highest minimum bonus in force (bps).
    pub min_bonus_bps: u16,
}

/// Folds each adjusted reserve's parameters in force, read from the chain, into `peaks` (one
/// per adjusted reserve, in asset order; filled on the first call).
pub async fn observe_peaks(world: &World, peaks: &mut Vec<VolatilityPeak>) -> anyhow::Result<()> {
    let assets: Vec<_> = world.assets.iter().filter(|a| a.spec.collateral).collect();
    let keys: Vec<_> = assets.iter().map(|a| a.reserve).collect();
    let accounts = world.chain.accounts(&keys).await?;
    if peaks.is_empty() {
        peaks.extend(assets.iter().map(|a| VolatilityPeak {
            symbol: a.spec.symbol.to_string(),
            ltv_bps: u16::MAX,
            threshold_bps: u16::MAX,
            configured_threshold_bps: a.spec.config.liquidation_threshold_bps,
            ..VolatilityPeak::default()
        }));
    }
    for (peak, acc) in peaks.iter_mut().zip(accounts) {
        let Some(acc) = acc else { continue };
        let r: lending::state::Reserve = crate::market::decode(&acc.data)?;
        let f = r.volatility.in_force;
        peak.volatility_bps = peak.volatility_bps.max(f.volatility_bps);
        peak.stress_bps = peak.stress_bps.max(f.stress_bps);
        peak.ltv_bps = peak.ltv_bps.min(f.loan_to_value_bps);
        peak.threshold_bps = peak.threshold_bps.min(f.liquidation_threshold_bps);
        peak.min_bonus_bps = peak.min_bonus_bps.max(f.min_liquidation_bonus_bps);
    }
    Ok(())
}
