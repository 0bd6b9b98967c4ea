//! The simulation report: a text summary, a CSV of per-step figures and a chart (SVG and PNG).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::chart::{self, Panel, Plot};

/// Figures of one step.
#[derive(Clone, Debug)]
pub struct StepRow {
    /// Step number.
    pub step: usize,
    /// Slot after the step.
    pub slot: u64,
    /// Spot prices by asset.
    pub prices: Vec<f64>,
    /// Liquidatable obligations seen in the step.
    pub unhealthy: usize,
    /// Liquidations that landed in the step.
    pub liquidations: usize,
    /// Value repaid in the step (quote units).
    pub repaid_value: f64,
    /// Debt not backed by collateral at the end of the step (quote units).
    pub bad_debt: f64,
}

/// p50, p95 and max of a set of durations (slots).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Percentiles {
    /// Median.
    pub p50: u64,
    /// 95th percentile.
    pub p95: u64,
    /// Largest.
    pub max: u64,
    /// How many.
    pub count: usize,
}

impl Percentiles {
    /// The percentiles of `values` (nearest rank; all zero when empty).
    pub fn of(values: &mut [u64]) -> Self {
        values.sort_unstable();
        let rank = |q: usize| {
            if values.is_empty() {
                0
            } else {
                values[((values.len() * q).div_ceil(100)).clamp(1, values.len()) - 1]
            }
        };
        Percentiles {
            p50: rank(50),
            p95: rank(95),
            max: values.last().copied().unwrap_or(0),
            count: values.len(),
        }
    }
}

/// Bad debt written off in one reserve (quote units at the prices of the write-offs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReserveLoss {
    /// Ticker.
    pub symbol: String,
    /// Debt written off.
    pub written_off: f64,
    /// Of which the reserve's insurance fund paid.
    pub insurance_covered: f64,
    /// Of which its depositors lost.
    pub socialized: f64,
}

/// How far one collateral's price fell: the outside market (the scenario) and the oracle (the
/// pool, after liquidators' sales).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cascade {
    /// Ticker.
    pub symbol: String,
    /// Worst drop of the outside price from the start (0–1).
    pub outside_drop: f64,
    /// Worst drop of the oracle price from the start (0–1).
    pub price_drop: f64,
}

/// The whole run.
#[derive(Clone, Debug, Default)]
pub struct SimReport {
    /// The liquidation mechanism.
    pub mechanism: String,
    /// Whether liquidations fed the insurance funds.
    pub insurance: bool,
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Borrowers requested.
    pub obligations: usize,
    /// Borrowers whose borrow went through.
    pub borrowing: usize,
    /// Steps run.
    pub steps: usize,
    /// Competing keepers.
    pub keepers: usize,
    /// Of those, keepers funding liquidations with flash loans.
    pub flash_loan_keepers: usize,
    /// Whether collateral reserves' parameters followed their volatility.
    pub volatility: bool,
    /// Whether, with that, the minimum bonus rose under stress.
    pub volatility_bonus: bool,
    /// With volatility adjustment: each collateral's extremes of its parameters in force.
    pub volatility_peaks: Vec<super::volatility::VolatilityPeak>,
    /// Liquidations funded by a flash loan.
    pub flash_liquidations: usize,
    /// Flash-loan fees those paid (quote units, at the liquidation's debt price).
    pub flash_fees: f64,
    /// Asset tickers.
    pub symbols: Vec<String>,
    /// Distinct obligations that became liquidatable.
    pub became_liquidatable: usize,
    /// Liquidations that landed.
    pub liquidations: usize,
    /// Liquidations that failed or lost a race.
    pub failed: usize,
    /// Of those, lost races (another keeper changed the obligation first).
    pub lost_races: usize,
    /// Value repaid.
    pub repaid_value: f64,
    /// Value of collateral seized.
    pub seized_value: f64,
    /// Bonus paid (seized − repaid).
    pub bonus_paid: f64,
    /// Bonus that the maximum rate would have paid on the same repayments.
    pub bonus_at_max: f64,
    /// Value kept by insurance funds.
    pub protocol_fees: f64,
    /// Bad-debt write-offs.
    pub socialized: usize,
    /// Debt not backed by collateral at the end.
    pub bad_debt_outstanding: f64,
    /// Longest time from first seen liquidatable to healthy again (slots).
    pub worst_time_to_liquidation_slots: u64,
    /// Time from first seen liquidatable to healthy again or closed, per episode (slots; the
    /// episodes still open at the end count with the time they have lasted).
    pub time_to_health: Percentiles,
    /// Bad debt written off, per reserve.
    pub losses: Vec<ReserveLoss>,
    /// Price drops per collateral with price impact (empty without pools).
    pub cascade: Vec<Cascade>,
    /// Obligations still liquidatable at the end.
    pub still_liquidatable: usize,
    /// Setup time (seconds).
    pub setup_secs: f64,
    /// Time of the steps (seconds).
    pub run_secs: f64,
    /// Per-step figures.
    pub rows: Vec<StepRow>,
}

impl fmt::Display for SimReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let avg_bonus_bps = if self.repaid_value > 0.0 {
            self.bonus_paid / self.repaid_value * 10_000.0
        } else {
            0.0
        };
        writeln!(
            f,
            "Sentinel crash simulation: scenario {}, seed {}, {} steps, {} keepers",
            self.scenario, self.seed, self.steps, self.keepers
        )?;
        writeln!(
            f,
            "  mechanism                    {}{}{}",
            self.mechanism,
            if self.insurance {
                ""
            } else {
                ", no insurance fund"
            },
            match (self.volatility, self.volatility_bonus) {
                (true, true) => ", volatility-adjusted risk",
                (true, false) => ", volatility-adjusted risk (bonus held)",
                _ => "",
            }
        )?;
        writeln!(
            f,
            "  obligations opened           {} ({} borrowing)",
            self.obligations, self.borrowing
        )?;
        writeln!(
            f,
            "  became liquidatable          {}",
            self.became_liquidatable
        )?;
        writeln!(
            f,
            "  liquidations executed        {} (failed: {}, of which lost races: {})",
            self.liquidations, self.failed, self.lost_races
        )?;
        for p in &self.volatility_peaks {
            writeln!(
                f,
                "  {:<28} σ up to {:.0}% (stress {:.0}%): LTV down to {:.2}%, threshold {:.2}% → {:.2}%, min bonus up to {:.2}%",
                format!("volatility {}", p.symbol),
                f64::from(p.volatility_bps) / 100.0,
                f64::from(p.stress_bps) / 100.0,
                f64::from(p.ltv_bps) / 100.0,
                f64::from(p.configured_threshold_bps) / 100.0,
                f64::from(p.threshold_bps) / 100.0,
                f64::from(p.min_bonus_bps) / 100.0,
            )?;
        }
        if self.flash_loan_keepers > 0 {
            writeln!(
                f,
                "  funded by flash loans        {} by {} keeper(s) (fees ${:.2})",
                self.flash_liquidations, self.flash_loan_keepers, self.flash_fees
            )?;
        }
        writeln!(
            f,
            "  repaid value                 ${:.2}",
            self.repaid_value
        )?;
        writeln!(
            f,
            "  seized collateral value      ${:.2}",
            self.seized_value
        )?;
        writeln!(
            f,
            "  bonus paid                   ${:.2} (average {:.0} bps)",
            self.bonus_paid, avg_bonus_bps
        )?;
        writeln!(
            f,
            "  Dutch auction saved          ${:.2} vs paying the maximum bonus (${:.2})",
            self.bonus_at_max - self.bonus_paid,
            self.bonus_at_max
        )?;
        writeln!(
            f,
            "  protocol fees to insurance   ${:.2}",
            self.protocol_fees
        )?;
        writeln!(
            f,
            "  bad debt written off         {} positions, ${:.2}: insurance ${:.2}, depositors ${:.2}",
            self.socialized,
            self.written_off(),
            self.insurance_covered(),
            self.socialized_value()
        )?;
        for l in self.losses.iter().filter(|l| l.written_off > 0.0) {
            writeln!(
                f,
                "    {:<8}                   ${:.2}: insurance ${:.2}, depositors ${:.2}",
                l.symbol, l.written_off, l.insurance_covered, l.socialized
            )?;
        }
        writeln!(
            f,
            "  bad debt outstanding         ${:.2}",
            self.bad_debt_outstanding
        )?;
        writeln!(
            f,
            "  still liquidatable at end    {}",
            self.still_liquidatable
        )?;
        writeln!(
            f,
            "  time to health (slots)       p50 {}, p95 {}, max {} ({} episodes)",
            self.time_to_health.p50,
            self.time_to_health.p95,
            self.time_to_health.max,
            self.time_to_health.count
        )?;
        for c in &self.cascade {
            writeln!(
                f,
                "  cascade {:<8}             outside market −{:.1}%, oracle −{:.1}%",
                c.symbol,
                c.outside_drop * 100.0,
                c.price_drop * 100.0
            )?;
        }
        let sps = if self.run_secs > 0.0 {
            self.steps as f64 / self.run_secs
        } else {
            0.0
        };
        write!(
            f,
            "  wall time                    setup {:.1} s, steps {:.1} s ({:.2} steps/s)",
            self.setup_secs, self.run_secs, sps
        )
    }
}

impl SimReport {
    /// Debt written off in all reserves.
    pub fn written_off(&self) -> f64 {
        self.losses.iter().map(|l| l.written_off).sum()
    }

    /// Of which insurance funds paid.
    pub fn insurance_covered(&self) -> f64 {
        self.losses.iter().map(|l| l.insurance_covered).sum()
    }

    /// Of which depositors lost.
    pub fn socialized_value(&self) -> f64 {
        self.losses.iter().map(|l| l.socialized).sum()
    }

    /// The largest extra drop liquidations' sales added to a collateral's price
    /// (percentage points; 0 without pools).
    pub fn cascade_points(&self) -> f64 {
        self.cascade
            .iter()
            .map(|c| (c.price_drop - c.outside_drop) * 100.0)
            .fold(0.0, f64::max)
    }

    /// Writes the per-step CSV.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let mut out = String::from("step,slot");
        for s in &self.symbols {
            out.push_str(&format!(",price_{s}"));
        }
        out.push_str(",unhealthy,liquidations,repaid_value,bad_debt\n");
        for r in &self.rows {
            out.push_str(&format!("{},{}", r.step, r.slot));
            for p in &r.prices {
                out.push_str(&format!(",{p:.6}"));
            }
            out.push_str(&format!(
                ",{},{},{:.2},{:.2}\n",
                r.unhealthy, r.liquidations, r.repaid_value, r.bad_debt
            ));
        }
        std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
    }

    /// Draws prices (indexed to 100), unhealthy obligations, cumulative liquidations and bad
    /// debt to `<dir>/sim_chart.svg` and `.png`; returns both paths.
    pub fn write_charts(&self, dir: &Path) -> Result<(PathBuf, PathBuf)> {
        let lines = |series: Vec<(String, Vec<f64>)>| Plot::Lines {
            x_desc: "step".into(),
            series,
        };
        let prices = self
            .symbols
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let first = self.rows.first().map(|r| r.prices[i]).unwrap_or(1.0);
                (
                    s.clone(),
                    self.rows
                        .iter()
                        .map(|r| r.prices[i] / first * 100.0)
                        .collect(),
                )
            })
            .collect();
        let mut cum = 0.0;
        let liquidations = self
            .rows
            .iter()
            .map(|r| {
                cum += r.liquidations as f64;
                cum
            })
            .collect();
        let panels = [
            Panel {
                title: "Prices (start = 100)".into(),
                plot: lines(prices),
            },
            Panel {
                title: "Liquidatable obligations".into(),
                plot: lines(vec![(
                    "unhealthy".into(),
                    self.rows.iter().map(|r| r.unhealthy as f64).collect(),
                )]),
            },
            Panel {
                title: "Liquidations (cumulative)".into(),
                plot: lines(vec![("liquidations".into(), liquidations)]),
            },
            Panel {
                title: "Bad debt outstanding ($)".into(),
                plot: lines(vec![(
                    "bad debt".into(),
                    self.rows.iter().map(|r| r.bad_debt).collect(),
                )]),
            },
        ];
        chart::write(dir, "sim_chart", (2, 2), &panels)
    }
}
