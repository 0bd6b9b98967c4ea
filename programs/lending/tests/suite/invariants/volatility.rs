//! Volatility-adjusted risk in the fuzz, and INV-25.
//!
//! At the start, each reserve gets the adjustment with one chance in two, with a configuration
//! drawn from the seed (`VOL_STREAM`: half-lives of a minute to an hour, calm levels from 20%,
//! thresholds that may tighten from never to 100 points an hour). From then on every refresh
//! samples its price, so the fuzz's price moves, crashes and same-slot reprices all feed the
//! estimate, and every valuation above (INV-08, 09, 15, 16, 17, 20) counts positions with the
//! parameters in force, read from the reserve's raw fields.
//!
//! - INV-25 (volatility) after every action, on every adjusted reserve: the parameters in force
//!   lie within the configured ones (LTV floor ≤ LTV in force ≤ LTV; threshold floor ≤ target
//!   ≤ threshold in force ≤ threshold; LTV in force < threshold in force; configured min bonus
//!   ≤ min bonus in force ≤ max bonus; borrow cap in force ≤ configured cap); and the threshold
//!   in force fell since the previous action by at most `⌈rate × Δt / 3600⌉ + 1` bps, `Δt` the
//!   time between the two recomputations, unless the admin lowered the configured threshold
//!   in between. So no action sequence (a spike of prints in one slot, a refresh inside a
//!   liquidation, a config change) makes an obligation liquidatable by a jump of the threshold.

use lending::state::{Reserve, VolatilityConfig};
use rand::Rng;

use super::replay::action_rng;
use super::Fuzz;

/// Stream offset of the volatility configuration's draws.
const VOL_STREAM: u64 = 0x5107_0000_0000;

/// What INV-25 remembers of an adjusted reserve: the time of its last recomputation, the
/// threshold in force then, and the configured threshold.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Seen {
    ts: i64,
    threshold_bps: u16,
    configured_bps: u16,
}

/// The LTV and threshold a reserve's own positions count with (bps), from its raw fields: the
/// parameters in force while its adjustment is on, its configured ones otherwise.
pub(super) fn own_ltv_threshold(r: &Reserve) -> (u16, u16) {
    if r.volatility.config.half_life_secs != 0 {
        let f = &r.volatility.in_force;
        (f.loan_to_value_bps, f.liquidation_threshold_bps)
    } else {
        (
            r.config.loan_to_value_bps,
            r.config.liquidation_threshold_bps,
        )
    }
}

impl Fuzz {
    /// Turns the adjustment on for about half the reserves, configured from the seed.
    pub(super) async fn enable_volatility(&mut self) {
        let mut rng = action_rng(self.seed ^ VOL_STREAM, 0);
        for i in 0..self.f.reserves.len() {
            if !rng.gen_bool(0.5) {
                continue;
            }
            let c = self.f.reserve(i).await.config;
            let lt = c.liquidation_threshold_bps;
            let threshold_floor = lt - rng.gen_range(0..=(lt - c.loan_to_value_bps).min(2_000) - 1);
            let ltv_floor = c
                .loan_to_value_bps
                .saturating_sub(rng.gen_range(0..=2_000))
                .min(threshold_floor - 1);
            let calm = [2_000, 5_000, 8_000][rng.gen_range(0..3)];
            let config = VolatilityConfig {
                half_life_secs: [60, 600, 3_600][rng.gen_range(0..3)],
                calm_vol_bps: calm,
                stress_vol_bps: calm + rng.gen_range(1_000..=20_000),
                ltv_floor_bps: ltv_floor,
                threshold_floor_bps: threshold_floor,
                borrow_cap_floor_bps: rng.gen_range(0..=10_000),
                min_bonus_ceiling_bps: rng.gen_range(0..=c.max_liquidation_bonus_bps),
                threshold_rate_bps_per_hour: [0, 100, 1_000, 10_000][rng.gen_range(0..4)],
            };
            self.f.set_volatility_config(i, config).await;
        }
        self.check_volatility().await;
    }

    /// INV-25 on every adjusted reserve (see the module docs).
    pub(super) async fn check_volatility(&mut self) {
        let reserves = self.reserves_now().await;
        if self.volatility_seen.len() < reserves.len() {
            self.volatility_seen.resize(reserves.len(), None);
        }
        for (i, r) in reserves.iter().enumerate() {
            let v = &r.volatility;
            if v.config.half_life_secs == 0 {
                self.volatility_seen[i] = None;
                continue;
            }
            let (c, f) = (&r.config, &v.in_force);
            let bounds = [
                (
                    v.config
                        .ltv_floor_bps
                        .min(c.loan_to_value_bps)
                        .min(f.target_liquidation_threshold_bps - 1)
                        <= f.loan_to_value_bps,
                    "LTV floor ≤ LTV in force",
                ),
                (
                    f.loan_to_value_bps <= c.loan_to_value_bps,
                    "LTV in force ≤ LTV",
                ),
                (
                    v.config
                        .threshold_floor_bps
                        .min(c.liquidation_threshold_bps)
                        <= f.target_liquidation_threshold_bps,
                    "threshold floor ≤ target",
                ),
                (
                    f.target_liquidation_threshold_bps <= f.liquidation_threshold_bps,
                    "target ≤ threshold in force",
                ),
                (
                    f.liquidation_threshold_bps <= c.liquidation_threshold_bps,
                    "threshold in force ≤ threshold",
                ),
                (
                    f.loan_to_value_bps < f.liquidation_threshold_bps,
                    "LTV in force < threshold in force",
                ),
                (
                    (c.min_liquidation_bonus_bps
                        ..=c.max_liquidation_bonus_bps.max(c.min_liquidation_bonus_bps))
                        .contains(&f.min_liquidation_bonus_bps),
                    "min bonus within the configured bounds",
                ),
                (f.borrow_cap <= c.borrow_cap, "borrow cap in force ≤ cap"),
            ];
            for (ok, what) in bounds {
                if !ok {
                    self.violation(format!("INV-25 reserve {i}: {what}: {v:?} {c:?}"));
                }
            }
            let now = Seen {
                ts: v.threshold_ts,
                threshold_bps: f.liquidation_threshold_bps,
                configured_bps: c.liquidation_threshold_bps,
            };
            if let Some(last) = self.volatility_seen[i] {
                let dt = u64::try_from(now.ts - last.ts).unwrap_or(0);
                let allowed =
                    (u64::from(v.config.threshold_rate_bps_per_hour) * dt).div_ceil(3_600) + 1;
                let lowered_by_admin = now.configured_bps < last.configured_bps;
                if !lowered_by_admin
                    && u64::from(now.threshold_bps) + allowed < u64::from(last.threshold_bps)
                {
                    self.violation(format!(
                        "INV-25 reserve {i}: the threshold in force fell {} → {} in {dt} s (rate {}/h)",
                        last.threshold_bps, now.threshold_bps, v.config.threshold_rate_bps_per_hour
                    ));
                }
            }
            if self.volatility_seen[i].is_some_and(|l| l.threshold_bps > now.threshold_bps) {
                self.stats
                    .entry("INV-25 threshold steps down")
                    .or_default()
                    .0 += 1;
            }
            if f.stress_bps > 0 {
                self.stats
                    .entry("INV-25 stressed reserve checks")
                    .or_default()
                    .0 += 1;
            }
            self.volatility_seen[i] = Some(now);
        }
    }
}
