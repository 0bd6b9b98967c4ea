//! INV-21: outflow limits. USDC and SOL carry a cap on net outflow from the start of the run
//! (after the setup's lending); every landed deposit, withdrawal, borrow, repayment and bundle
//! is entered in a ledger from the vault balances it moved (never from the program's window),
//! and after each one that took tokens out the ledger must show, on the bucket grid that began
//! when the limit was set:
//! - the bucket's net outflow within the cap;
//! - the two-bucket estimate, exact (`P⁺ (W − e) + C W ≤ cap W`), within the cap;
//! - the documented sliding-window bound: net outflow over `(t − W, t]` at most
//!   `cap × (1 + e / W)` plus the inflows of the previous bucket before that window.
//!
//! Liquidations move no window and are never refused for it: a liquidation failing with
//! `OutflowLimitExceeded` is a violation (INV-14 also forbids it; INV-16's liveness check keeps
//! simulating liquidations while windows are exhausted).

use lending::error::LendingError;
use solana_program_test::BanksClientError;

use super::Fuzz;
use crate::fixture::{error_code, SOL, USDC};

/// Limited reserves: (index, cap in base units, window in seconds).
const LIMITS: [(usize, u64, u64); 2] =
    [(USDC, 3_000_000_000, 1_800), (SOL, 100_000_000_000, 3_600)];

/// The kinds whose token movements are counted flows (liquidations and admin payouts are not).
/// A landed flash loan's own legs are not, but what it deposits or withdraws between them is.
const COUNTED: [&str; 6] = ["deposit", "withdraw", "borrow", "repay", "bundle", "flash"];

/// One limited reserve's ledger of counted flows.
#[derive(Default)]
pub(super) struct ReserveLedger {
    idx: usize,
    cap: u64,
    window_secs: u64,
    /// When the limit was set: the bucket grid starts here.
    start: i64,
    /// (unix seconds, net outflow: positive out, negative in).
    flows: Vec<(i64, i128)>,
}

/// The ledgers, and how often the limit bit.
#[derive(Default)]
pub(super) struct Ledger {
    reserves: Vec<ReserveLedger>,
    /// Outflows refused with `OutflowLimitExceeded`.
    pub(super) refused: u64,
    /// Liquidations that landed while a limited reserve's window had less than half left.
    pub(super) liquidations_on_exhausted: u64,
    /// The flash loan of the transaction being sent: its reserve and the fee its repayment adds
    /// to that vault (uncounted, like the loan itself).
    pub(super) flash_fee: Option<(usize, u64)>,
}

fn net(flows: &[(i64, i128)], from: i64, to: i64) -> i128 {
    flows
        .iter()
        .filter(|(t, _)| (from..=to).contains(t))
        .map(|(_, a)| a)
        .sum()
}

fn inflow(flows: &[(i64, i128)], from: i64, to: i64) -> i128 {
    flows
        .iter()
        .filter(|(t, a)| (from..=to).contains(t) && *a < 0)
        .map(|(_, a)| -a)
        .sum()
}

impl Fuzz {
    /// Sets the limits (after the setup's deposits and borrows) and starts their ledgers.
    pub(super) async fn enable_outflow_limits(&mut self) {
        for (idx, cap, window_secs) in LIMITS {
            self.f.set_outflow_limit(idx, cap, window_secs).await;
            let start = self.f.now().await;
            self.outflow.reserves.push(ReserveLedger {
                idx,
                cap,
                window_secs,
                start,
                flows: Vec::new(),
            });
        }
    }

    /// Vault balances of the limited reserves, before a transaction of a counted kind.
    pub(super) async fn outflow_vaults(&mut self, kind: &str) -> Option<Vec<u64>> {
        if !COUNTED.contains(&kind) {
            return None;
        }
        let mut out = Vec::new();
        for i in 0..self.outflow.reserves.len() {
            let vault = self.f.reserves[self.outflow.reserves[i].idx].vault;
            out.push(self.f.balance(&vault).await);
        }
        Some(out)
    }

    /// After a transaction: enters a landed counted one in the ledgers and checks INV-21 on
    /// each reserve it took tokens out of; counts refusals; a liquidation refused for outflow
    /// reasons is a violation.
    pub(super) async fn outflow_observe(
        &mut self,
        kind: &str,
        before: Option<Vec<u64>>,
        res: &Result<(), BanksClientError>,
    ) {
        let code = error_code(res);
        if code == Some(LendingError::OutflowLimitExceeded.into()) {
            self.outflow.refused += 1;
            if !matches!(kind, "withdraw" | "borrow" | "bundle") {
                self.violation(format!("INV-21 a {kind} was refused for outflow reasons"));
            }
        }
        if kind == "liquidate" && res.is_ok() {
            for i in 0..self.outflow.reserves.len() {
                let idx = self.outflow.reserves[i].idx;
                let cap = self.outflow.reserves[i].cap;
                if self.f.outflow_remaining(idx).await < cap / 2 {
                    self.outflow.liquidations_on_exhausted += 1;
                    break;
                }
            }
        }
        let (Some(before), true) = (before, res.is_ok()) else {
            return;
        };
        let now = self.f.now().await;
        for (i, b) in before.into_iter().enumerate() {
            let vault = self.f.reserves[self.outflow.reserves[i].idx].vault;
            let after = self.f.balance(&vault).await;
            let mut out = i128::from(b) - i128::from(after);
            if let (Some((r, fee)), "flash") = (self.outflow.flash_fee, kind) {
                if r == self.outflow.reserves[i].idx {
                    out += i128::from(fee);
                }
            }
            if out == 0 {
                continue;
            }
            self.outflow.reserves[i].flows.push((now, out));
            if out > 0 {
                if let Some(v) = self.outflow.reserves[i].check(now) {
                    self.violation(v);
                }
            }
        }
    }
}

impl ReserveLedger {
    /// INV-21 at `now`, from the ledger alone; the violation, if any.
    fn check(&self, now: i64) -> Option<String> {
        let w = self.window_secs as i64;
        let bucket = self.start + (now - self.start).div_euclid(w) * w;
        let e = i128::from(now - bucket);
        let (cap, wi) = (i128::from(self.cap), i128::from(w));
        let c = net(&self.flows, bucket, now);
        let p = net(&self.flows, bucket - w, bucket - 1);
        let sliding = net(&self.flows, now - w + 1, now);
        let head_in = inflow(&self.flows, bucket - w, now - w);
        let what = if c > cap {
            "the bucket's net outflow"
        } else if p.max(0) * (wi - e) + c * wi > cap * wi {
            "the two-bucket estimate"
        } else if sliding * wi > cap * (wi + e) + head_in * wi {
            "the sliding-window bound"
        } else {
            return None;
        };
        Some(format!(
            "INV-21 reserve {}: {what} passed the cap {} (bucket {c}, previous {p}, sliding {sliding}, e {e}, previous inflow before the window {head_in})",
            self.idx, self.cap
        ))
    }
}
