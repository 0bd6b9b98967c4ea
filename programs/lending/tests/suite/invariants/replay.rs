//! Running a seed, reporting its first violation with the trace that led there, and shrinking
//! that trace by replaying the seed without chunks of its actions.

use std::collections::BTreeSet;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::Fuzz;

/// Landed and failed transactions (and other counts) by action kind.
pub(super) type Stats = std::collections::BTreeMap<&'static str, (u64, u64)>;

/// Trace lines printed with a violation.
const TRACE_SHOWN: usize = 80;
/// Replays a shrink may spend.
const MAX_REPLAYS: usize = 48;

/// The random stream of action `n` of `seed`, independent of every other action's, so that a
/// replay can skip actions and draw the rest exactly as before.
pub(super) fn action_rng(seed: u64, n: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(n);
    rng
}

/// What one run of a seed gave.
struct Outcome {
    actions: u64,
    violations: Vec<String>,
    trace: Vec<String>,
}

/// Runs `steps` actions of `seed` (but those in `skip`), stopping at the first violation, then
/// the closing phase if none was found.
async fn run_with(seed: u64, steps: usize, skip: BTreeSet<u64>, stats: &mut Stats) -> Outcome {
    let mut fz = Fuzz::new(seed).await;
    fz.skip = skip;
    for _ in 0..steps {
        fz.step().await;
        if !fz.violations.is_empty() {
            break;
        }
    }
    if fz.violations.is_empty() {
        fz.rng = action_rng(seed, u64::MAX);
        fz.check_closure().await;
    }
    stats.entry("liveness outage gaps").or_default().0 += fz.outage_pair_gaps;
    stats.entry("INV-19 checks").or_default().0 += fz.no_liquidation_checks;
    stats.entry("INV-16 dust write-offs").or_default().0 += fz.dust_write_offs;
    stats.entry("coarse-unit gaps").or_default().0 += fz.coarse_unit_gaps;
    stats.entry("INV-20 target checks").or_default().0 += fz.target_checks;
    stats.entry("same-slot reprices").or_default().0 += fz.same_slot_reprices;
    stats.entry("INV-21 outflows refused").or_default().0 += fz.outflow.refused;
    stats
        .entry("INV-21 liquidations on a half-used window")
        .or_default()
        .0 += fz.outflow.liquidations_on_exhausted;
    for (k, (ok, fail)) in fz.stats {
        let e = stats.entry(k).or_default();
        e.0 += ok;
        e.1 += fail;
    }
    Outcome {
        actions: fz.actions,
        violations: fz.violations,
        trace: fz.trace,
    }
}

/// The invariant a violation names (`INV-16`).
fn tag(violation: &str) -> &str {
    violation
        .split(": ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("")
}

/// Runs `steps` actions of `seed`; a violation ends the run and is printed with the seed, the
/// action index and the trace, shrunk when `SENTINEL_FUZZ_SHRINK` is set.
pub(super) async fn run(seed: u64, steps: usize, stats: &mut Stats) -> (u64, Vec<String>) {
    let out = run_with(seed, steps, BTreeSet::new(), stats).await;
    if let Some(first) = out.violations.first() {
        let from = out.trace.len().saturating_sub(TRACE_SHOWN);
        println!(
            "violation: {first}\nreplay: SENTINEL_FUZZ_SEED={seed} SENTINEL_FUZZ_ACTIONS={} \
             soak_invariants; trace (last {} actions):\n  {}",
            out.actions,
            out.trace.len() - from,
            out.trace[from..].join("\n  ")
        );
        if std::env::var_os("SENTINEL_FUZZ_SHRINK").is_some() {
            shrink(seed, out.actions, tag(first)).await;
        }
    }
    (out.actions, out.violations)
}

/// Replays `seed` without chunks of its first `upto` actions (halving the chunk each pass),
/// keeping a removal whenever `tag` still fails; prints the actions left and their trace.
async fn shrink(seed: u64, upto: u64, tag_wanted: &str) {
    let all: Vec<u64> = (1..=upto).collect();
    let mut kept = all.clone();
    let mut chunk = (kept.len() / 2).max(1);
    let mut replays = 0;
    let mut trace = Vec::new();
    'passes: loop {
        let mut i = 0;
        while i < kept.len() {
            if replays == MAX_REPLAYS {
                break 'passes;
            }
            replays += 1;
            let trial: Vec<u64> = kept[..i]
                .iter()
                .chain(kept[(i + chunk).min(kept.len())..].iter())
                .copied()
                .collect();
            let skip = all.iter().filter(|a| !trial.contains(a)).copied().collect();
            let out = run_with(seed, upto as usize, skip, &mut Stats::new()).await;
            if out.violations.iter().any(|v| tag(v) == tag_wanted) {
                kept = trial;
                trace = out.trace;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 {
            break;
        }
        chunk /= 2;
    }
    println!(
        "shrunk ({replays} replays): {tag_wanted} with {} of {upto} actions: {kept:?}\n  {}",
        kept.len(),
        trace.join("\n  ")
    );
}
