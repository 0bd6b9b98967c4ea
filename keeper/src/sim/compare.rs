//! `simulate --compare`: the same seed and price path under each liquidation mechanism, with
//! and without insurance funds, then Sentinel's with volatility-adjusted risk (its minimum bonus
//! rising under stress, or held), in one table.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::chart::{self, Panel, Plot};
use super::mechanism::Mechanism;
use super::report::SimReport;
use super::{run, SimOptions};

/// The runs of a comparison, in table order.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// One report per (mechanism, insurance).
    pub runs: Vec<SimReport>,
}

/// Runs `base` once per mechanism, with insurance and without, and Sentinel's again with
/// volatility-adjusted risk, its minimum bonus rising under stress or held.
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
    for volatility_bonus in [true, false] {
        let opts = SimOptions {
            mechanism: Mechanism::Sentinel,
            insurance: true,
            volatility: true,
            volatility_bonus,
            out_dir: None,
            ..base.clone()
        };
        runs.push(run(opts).await?);
    }
    Ok(Comparison { runs })
}

impl Comparison {
    /// Draws the comparison, one bar per run in each panel (liquidations, borrower loss, bad
    /// debt, time to health), to `<dir>/compare_chart.svg` and `.png`; returns both paths.
    pub fn write_charts(&self, dir: &Path) -> Result<(PathBuf, PathBuf)> {
        // Runs name their mechanism in words; bars take its short name and colour.
        let of = |r: &SimReport| {
            Mechanism::ALL
                .iter()
                .position(|m| m.to_string() == r.mechanism)
                .unwrap_or(0)
        };
        let labels: Vec<String> = self
            .runs
            .iter()
            .map(|r| {
                let name = Mechanism::ALL[of(r)].name();
                let vol = match (r.volatility, r.volatility_bonus) {
                    (true, true) => "+vol",
                    (true, false) => "+vol-held",
                    _ => "",
                };
                format!("{name}{vol}{}", if r.insurance { "+ins" } else { "" })
            })
            .collect();
        let groups: Vec<usize> = self.runs.iter().map(of).collect();
        let bars = |title: &str, value: fn(&SimReport) -> f64| Panel {
            title: title.into(),
            plot: Plot::Bars {
                labels: labels.clone(),
                values: self.runs.iter().map(value).collect(),
                groups: groups.clone(),
            },
        };
        let panels = [
            bars("Liquidations", |r| r.liquidations as f64),
            bars("Borrower loss: bonus paid ($)", |r| r.bonus_paid),
            bars("Bad debt ($)", |r| r.written_off() + r.bad_debt_outstanding),
            bars("Time to health, p95 (slots)", |r| {
                r.time_to_health.p95 as f64
            }),
        ];
        std::fs::create_dir_all(dir)?;
        chart::write(dir, "compare_chart", (2, 2), &panels)
    }
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
                "| {}{} | {} | {} | ${:.0} | ${:.0} | ${:.0} | ${:.0} | {} | {:.1} pts |",
                r.mechanism,
                match (r.volatility, r.volatility_bonus) {
                    (true, true) => ", volatility-adjusted",
                    (true, false) => ", volatility-adjusted, bonus held",
                    _ => "",
                },
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
