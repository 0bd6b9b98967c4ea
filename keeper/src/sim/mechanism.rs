//! The liquidation mechanisms the cascade lab compares on the same crash, as market and
//! reserve settings of the same program.

use std::fmt;

use lending::state::MarketParams;

use super::world::AssetSpec;

/// How liquidations are sized and paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// Save / Aave v3: a fixed close factor and a fixed bonus (each reserve's maximum, as its
    /// minimum too), no target health.
    FixedBonus,
    /// klend: the close factor, and a bonus that grows with how far the obligation is past its
    /// threshold (the auction made too slow to matter: a day from the minimum to the maximum).
    HealthRamp,
    /// Sentinel: the Dutch auction and the health ramp, liquidations sized to the market's
    /// target health (1.05), one past the close factor at the auction's rate where needed.
    Sentinel,
}

impl Mechanism {
    /// Every mechanism, in the comparison's order.
    pub const ALL: [Mechanism; 3] = [
        Mechanism::FixedBonus,
        Mechanism::HealthRamp,
        Mechanism::Sentinel,
    ];

    /// The mechanism's name on the command line (`--mechanism`).
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::FixedBonus => "fixed",
            Mechanism::HealthRamp => "ramp",
            Mechanism::Sentinel => "sentinel",
        }
    }

    /// The market parameters and reserve configs of this mechanism, from Sentinel's; without
    /// `insurance`, no share of the bonus goes to the insurance funds (all bad debt falls on
    /// depositors).
    pub fn apply(self, params: &mut MarketParams, assets: &mut [AssetSpec], insurance: bool) {
        match self {
            Mechanism::FixedBonus => {
                params.target_health_bps = 0;
                for a in assets.iter_mut() {
                    a.config.min_liquidation_bonus_bps = a.config.max_liquidation_bonus_bps;
                }
            }
            Mechanism::HealthRamp => {
                params.target_health_bps = 0;
                params.liquidation_auction_secs = 86_400;
            }
            Mechanism::Sentinel => {}
        }
        if !insurance {
            for a in assets.iter_mut() {
                a.config.protocol_liquidation_fee_bps = 0;
            }
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mechanism::FixedBonus => "fixed close factor + fixed bonus",
            Mechanism::HealthRamp => "health-ramp bonus",
            Mechanism::Sentinel => "Sentinel: auction + target health",
        })
    }
}

impl std::str::FromStr for Mechanism {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<Self> {
        Mechanism::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| anyhow::anyhow!("unknown mechanism {s}: fixed, ramp or sentinel"))
    }
}
