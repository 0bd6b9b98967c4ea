//! Short crash simulations, as CI runs them: the report's figures hang together, and keepers
//! racing in the same slot lose cleanly.

use keeper::sim::{run, SimOptions};

#[tokio::test]
async fn successful_short_crash_simulation() {
    let dir = std::env::temp_dir().join("sentinel-sim-test");
    let report = run(SimOptions {
        obligations: 80,
        steps: 40,
        seed: 7,
        out_dir: Some(dir.clone()),
        ..SimOptions::default()
    })
    .await
    .expect("simulation");
    println!("{report}");
    assert_eq!(report.rows.len(), 40);
    assert!(
        report.became_liquidatable > 0,
        "the crash makes positions liquidatable"
    );
    assert!(report.liquidations > 0);
    assert!(
        report.seized_value > report.repaid_value,
        "liquidators earn a bonus"
    );
    assert!(
        report.bonus_paid <= report.bonus_at_max + 1e-6,
        "never more than the maximum bonus"
    );
    assert!(report.protocol_fees > 0.0);
    assert!(
        report.bad_debt_outstanding < 1.0,
        "bad debt is written off: {}",
        report.bad_debt_outstanding
    );
    let csv = std::fs::read_to_string(dir.join("sim_steps.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 41);
    let svg = std::fs::read_to_string(dir.join("sim_chart.svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("Liquidatable obligations"));
    let png = image::open(dir.join("sim_chart.png"))
        .expect("png")
        .to_rgb8();
    assert_eq!(png.dimensions(), keeper::sim::chart::SIZE);
}

#[tokio::test]
async fn successful_same_slot_races_are_lost_cleanly_and_counted() {
    // Three keepers read the same slot before any acts: they pick the same obligations, the
    // first to send wins, the others' simulations fail on the changed obligation. Every
    // failure is such a lost race, and the crash is still cleared.
    let report = run(SimOptions {
        obligations: 80,
        steps: 40,
        seed: 7,
        keepers: 3,
        same_slot: true,
        ..SimOptions::default()
    })
    .await
    .expect("simulation");
    println!("{report}");
    assert!(report.liquidations > 0);
    assert!(report.lost_races > 0, "the keepers raced");
    assert_eq!(
        report.failed, report.lost_races,
        "every failure was a lost race"
    );
    assert!(report.bad_debt_outstanding < 1.0);
}

#[tokio::test]
async fn successful_short_comparison_of_mechanisms_on_one_crash() {
    // `simulate --compare` as CI runs it: every mechanism, with and without insurance, on the
    // same seed and price path, with liquidators selling into $2M pools.
    let table = keeper::sim::compare::compare(SimOptions {
        obligations: 60,
        steps: 30,
        seed: 11,
        pools: Some(keeper::sim::pool::PoolSpec {
            depth: 2_000_000.0,
            sell_share: 1.0,
            recovery: 0.2,
        }),
        ..SimOptions::default()
    })
    .await
    .expect("comparison");
    println!("{table}");
    assert_eq!(table.runs.len(), 8);
    let first = &table.runs[0];
    for r in &table.runs {
        assert_eq!(
            (r.borrowing, r.became_liquidatable > 0),
            (first.borrowing, true),
            "same positions, and the crash reaches them: {}",
            r.mechanism
        );
        // Every write-off splits into what insurance paid and what depositors lost.
        let split = r.insurance_covered() + r.socialized_value();
        assert!(
            (r.written_off() - split).abs() <= 1e-6 * r.written_off().max(1.0),
            "{} vs {split}",
            r.written_off()
        );
        if !r.insurance {
            assert_eq!(r.insurance_covered(), 0.0, "no fund, nothing insured");
            assert_eq!(r.protocol_fees, 0.0);
        }
        assert!(!r.cascade.is_empty(), "sales move the collateral's price");
        for c in &r.cascade {
            assert!(c.price_drop >= c.outside_drop - 1e-9, "{c:?}");
        }
    }
    // The fixed bonus pays each reserve's maximum on every liquidation; Sentinel starts at the
    // minimum and sizes to the target.
    let loss = |m: &str| {
        table
            .runs
            .iter()
            .find(|r| r.mechanism.starts_with(m) && r.insurance && !r.volatility)
            .map(|r| r.bonus_paid)
            .unwrap_or_default()
    };
    assert!(
        loss("Sentinel") < loss("fixed"),
        "borrower loss: Sentinel {} vs fixed bonus {}",
        loss("Sentinel"),
        loss("fixed")
    );
    // Volatility-adjusted runs: the crash stresses every collateral at once, LTV and min bonus
    // move to their stressed bounds at once, the threshold only by its rate over the run
    // (5 points an hour, 30 steps of 30 s: at most 125 bps), and the keeper's book, reading the
    // parameters in force from the accounts, never sends a liquidation the program refuses.
    let adjusted: Vec<_> = table.runs.iter().filter(|r| r.volatility).collect();
    assert_eq!(adjusted.len(), 2);
    // The minimum bonus rises under stress in the first, holds in the second.
    let (rising, held) = (&adjusted[0].volatility_peaks, &adjusted[1].volatility_peaks);
    assert!(adjusted[0].volatility_bonus && !adjusted[1].volatility_bonus);
    for (a, b) in rising.iter().zip(held) {
        assert!(a.min_bonus_bps > b.min_bonus_bps, "{a:?} vs {b:?}");
    }
    for r in adjusted {
        assert_eq!(
            r.failed, 0,
            "keeper and program agree on the parameters in force"
        );
        assert_eq!(r.volatility_peaks.len(), 3, "SOL, ETH, JUP");
        for p in &r.volatility_peaks {
            assert_eq!(p.stress_bps, 10_000, "{p:?}");
            assert!(p.threshold_bps < p.configured_threshold_bps, "{p:?}");
            assert!(p.threshold_bps + 126 >= p.configured_threshold_bps, "{p:?}");
        }
    }
    // The comparison chart: one bar per run, labelled by mechanism and insurance.
    let dir = std::env::temp_dir().join(format!("sentinel-compare-{}", std::process::id()));
    let (svg, png) = table.write_charts(&dir).expect("charts");
    let svg = std::fs::read_to_string(svg).expect("svg");
    for label in [
        "fixed+ins",
        "ramp",
        "sentinel+ins",
        "sentinel+vol+ins",
        "sentinel+vol-held+ins",
        "Bad debt ($)",
        "Borrower loss",
    ] {
        assert!(svg.contains(label), "{label}");
    }
    let png = image::open(png).expect("png").to_rgb8();
    assert_eq!(png.dimensions(), keeper::sim::chart::SIZE);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn successful_keepers_acting_every_slot_heal_faster_than_once_a_step() {
    // Once a step (75 slots) a keeper sees a crash victim at most every 75 slots; acting every
    // slot, with a capacity of 5 liquidations a round, the same crash is cleared in fewer.
    let base = SimOptions {
        obligations: 60,
        steps: 20,
        seed: 5,
        ..SimOptions::default()
    };
    let per_step = run(base.clone()).await.expect("simulation");
    let per_slot = run(SimOptions {
        keeper_every_slots: Some(1),
        capacity: 5,
        ..base
    })
    .await
    .expect("simulation");
    println!(
        "time to health: once a step {:?}; every slot {:?}",
        per_step.time_to_health, per_slot.time_to_health
    );
    assert_eq!(per_step.borrowing, per_slot.borrowing);
    assert!(per_slot.time_to_health.count > 0);
    assert!(
        per_slot.time_to_health.p95 < per_step.time_to_health.p95,
        "p95 every slot {} vs once a step {}",
        per_slot.time_to_health.p95,
        per_step.time_to_health.p95
    );
}

#[tokio::test]
async fn successful_simulation_with_a_flash_loan_keeper() {
    // One of the two keepers funds its liquidations with flash loans of the debt asset.
    let report = run(SimOptions {
        obligations: 80,
        steps: 40,
        seed: 7,
        flash_loan_keepers: 1,
        ..SimOptions::default()
    })
    .await
    .expect("simulation");
    println!("{report}");
    assert!(report.liquidations > 0);
    assert!(
        report.flash_liquidations > 0 && report.flash_liquidations <= report.liquidations,
        "the flash keeper liquidated: {}",
        report.flash_liquidations
    );
    assert!(report.flash_fees > 0.0);
    assert_eq!(report.failed, 0, "no flash liquidation failed");
    assert!(report.bad_debt_outstanding < 1.0);
}
