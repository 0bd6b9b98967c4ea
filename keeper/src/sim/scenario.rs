//! Price paths. A scenario gives each asset a multiplicative price move per step.

use anyhow::{anyhow, Context, Result};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Where prices go.
#[derive(Clone, Debug)]
pub enum Scenario {
    /// 10 calm steps, a sudden crash (SOL −40%, ETH −35%, JUP −55%), a slow bleed of 0.4% a step
    /// for 25 steps, then a recovery of 0.8% a step; stablecoins stay at $1.
    Crash,
    /// Geometric Brownian motion with per-asset volatility, seeded.
    Gbm,
    /// Prices read from a CSV file: a header `step,SYM,...` then one row of prices per step.
    File(Vec<Vec<f64>>, Vec<String>),
}

impl Scenario {
    /// Parses `crash`, `gbm` or a path to a CSV file.
    pub fn parse(s: &str) -> Result<Scenario> {
        match s {
            "crash" => Ok(Scenario::Crash),
            "gbm" => Ok(Scenario::Gbm),
            path => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading scenario {path}"))?;
                let mut lines = text.lines().filter(|l| !l.trim().is_empty());
                let header: Vec<String> = lines
                    .next()
                    .ok_or_else(|| anyhow!("empty scenario file"))?
                    .split(',')
                    .skip(1)
                    .map(|h| h.trim().to_string())
                    .collect();
                let rows = lines
                    .map(|l| {
                        l.split(',')
                            .skip(1)
                            .map(|v| {
                                v.trim()
                                    .parse::<f64>()
                                    .map_err(|e| anyhow!("bad price {v:?}: {e}"))
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<Vec<_>>>()?;
                if rows
                    .iter()
                    .any(|r| r.len() != header.len() || r.iter().any(|p| *p <= 0.0))
                {
                    return Err(anyhow!("every row needs one positive price per column"));
                }
                Ok(Scenario::File(rows, header))
            }
        }
    }

    /// Number of steps the scenario defines (`None` = as many as asked).
    pub fn defined_steps(&self) -> Option<usize> {
        match self {
            Scenario::File(rows, _) => Some(rows.len()),
            _ => None,
        }
    }

    /// Prices at `step` given the previous ones; `stable[i]` marks pegged assets.
    pub fn next(
        &self,
        step: usize,
        symbols: &[&str],
        prev: &[f64],
        stable: &[bool],
        rng: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        match self {
            Scenario::Crash => symbols
                .iter()
                .zip(prev)
                .zip(stable)
                .map(|((sym, p), s)| {
                    if *s {
                        return *p;
                    }
                    let noise = 1.0 + rng.gen_range(-0.002..0.002);
                    let drift = match step {
                        10 => match *sym {
                            "SOL" => 0.60,
                            "ETH" => 0.65,
                            _ => 0.45,
                        },
                        11..=35 => 0.996,
                        36.. => 1.008,
                        _ => 1.0,
                    };
                    p * drift * noise
                })
                .collect(),
            Scenario::Gbm => prev
                .iter()
                .zip(stable)
                .enumerate()
                .map(|(i, (p, s))| {
                    if *s {
                        return *p;
                    }
                    let sigma = [0.0, 0.03, 0.025, 0.06].get(i).copied().unwrap_or(0.04);
                    // Box–Muller standard normal from two uniforms.
                    let (u1, u2): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen_range(0.0..1.0));
                    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                    p * (-0.5 * sigma * sigma + sigma * z).exp()
                })
                .collect(),
            Scenario::File(rows, header) => symbols
                .iter()
                .zip(prev)
                .map(|(sym, p)| {
                    let col = header.iter().position(|h| h == sym);
                    match (col, rows.get(step)) {
                        (Some(c), Some(row)) => row[c],
                        _ => *p,
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn successful_crash_has_crash_bleed_and_recovery() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let syms = ["USDC", "SOL"];
        let mut p = vec![1.0, 100.0];
        let mut path = vec![];
        for step in 0..60 {
            p = Scenario::Crash.next(step, &syms, &p, &[true, false], &mut rng);
            path.push(p[1]);
        }
        assert!(path[10] < path[9] * 0.65, "sudden crash");
        assert!(path[35] < path[11], "slow bleed");
        assert!(path[59] > path[36], "recovery");
        assert_eq!(p[0], 1.0, "stablecoin pegged");
    }

    #[test]
    fn fail_parse_when_file_rows_are_bad() {
        let dir = std::env::temp_dir().join("sentinel-scenario-test.csv");
        std::fs::write(&dir, "step,SOL\n0,100\n1,-5\n").unwrap();
        assert!(Scenario::parse(dir.to_str().unwrap()).is_err());
        std::fs::write(&dir, "step,SOL\n0,100\n1,90\n").unwrap();
        let s = Scenario::parse(dir.to_str().unwrap()).unwrap();
        assert_eq!(s.defined_steps(), Some(2));
    }
}
