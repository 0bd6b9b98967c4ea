//! `simulate --compare`: the same seed and price path under each liquidation mechanism, with
//! and without insurance funds, in one table.

use std::fmt;

use anyhow::Result;

use super::mechanism::Mechanism;
use super::report::SimReport;
use super::{run, SimOptions};

/// The runs of a comparison, in table order.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// One report per (mechanism, insurance).
    pub runs: Vec<SimReport>,
}

/// Runs `base` once per mechanism, with insurance and without.
pub async fn compare(base: SimOptions) -> Result<Comparison> {
    let mut runs = Vec::new();
    for mechanism in Mechanism::ALL {
        for insurance in [true, false] {
            let opts = SimOptions {
                mechanism,
                insurance,
                out_dir: None,
                ..base.clone()
            };
            runs.push(run(opts).await?);
        }
    }
    Ok(Comparison { runs })
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = self.runs.first() {
            writeln!(
                f,
                "Liquidation mechanisms on one crash: scenario {}, seed {}, {} obligations ({} borrowing), {} steps, {} keepers",
                r.scenario, r.seed, r.obligations, r.borrowing, r.steps, r.keepers
            )?;
        }
        writeln!(
            f,
            "| mechanism | insurance | liquidations | borrower loss (bonus) | bad debt | of which insured | of which socialised | time to health p95 (slots) | cascade (extra drop) |"
        )?;
        writeln!(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|")?;
        for r in &self.runs {
            writeln!(
                f,
                "| {} | {} | {} | ${:.0} | ${:.0} | ${:.0} | ${:.0} | {} | {:.1} pts |",
                r.mechanism,
                if r.insurance { "yes" } else { "no" },
                r.liquidations,
                r.bonus_paid,
                r.written_off() + r.bad_debt_outstanding,
                r.insurance_covered(),
                r.socialized_value(),
                r.time_to_health.p95,
                r.cascade_points()
            )?;
        }
        Ok(())
    }
}
