//! One keeper round: load the market, bring the book of obligations up to date, assess the ones
//! it flags, queue the unhealthy ones
//! (deepest under water and most profitable first), size each liquidation with the program's
//! own code, simulate, set the compute limit from the simulation, send. Errors are logged and
//! skipped; a round never aborts because one obligation or one transaction failed.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use lending::state::Obligation;
use lending_math::health::market_value;
use lending_math::Decimal;
use serde_json::json;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::alerts::{AlertKind, FAILURES_BEFORE_ALERT};
use crate::backoff::Backoff;
use crate::chain::Chain;
use crate::events::WriteOff;
use crate::instructions::{self, LiquidateAccounts};
use crate::market::{load_market, MarketSnapshot};
use crate::metrics::Metrics;
use crate::planner::{assess, best_candidate, Assessment, Candidate};

/// Most compute units a transaction may request.
pub const MAX_COMPUTE_UNITS: u32 = 1_400_000;
/// Smallest compute limit the keeper sets.
pub const MIN_COMPUTE_UNITS: u32 = 50_000;

/// How a keeper behaves.
#[derive(Clone, Debug)]
pub struct KeeperConfig {
    /// The market to watch.
    pub market: Pubkey,
    /// Priority fee (micro-lamports per compute unit): the floor when `priority_fee_percentile`
    /// is set, else the price paid.
    pub priority_fee_micro_lamports: u64,
    /// Pay this percentile (0–100) of the compute-unit prices recent slots paid to write the
    /// transaction's accounts (`getRecentPrioritizationFees`), within
    /// `[priority_fee_micro_lamports, priority_fee_cap_micro_lamports]`.
    pub priority_fee_percentile: Option<u8>,
    /// Most micro-lamports per compute unit the keeper pays.
    pub priority_fee_cap_micro_lamports: u64,
    /// Smallest expected profit worth a transaction (quote units).
    pub min_profit: Decimal,
    /// Most liquidations sent per round.
    pub max_liquidations_per_round: usize,
    /// Build and simulate, never send.
    pub dry_run: bool,
    /// `min_collateral_out` = expected × (1 − slippage) (bps).
    pub slippage_bps: u64,
    /// Health factor (bps) under which a healthy obligation is reported at risk.
    pub warn_health_bps: u64,
    /// Compute-limit headroom over the simulated units (percent).
    pub compute_headroom_pct: u64,
    /// Alert when the keeper's balance of an asset the market has lent out is worth less than
    /// this (quote units; 0 = never).
    pub low_balance_value: Decimal,
    /// The keeper's own obligation in the market. When a collateral reserve lacks the free
    /// liquidity to pay a liquidation in tokens, the seized collateral is credited to it as
    /// supply shares instead (withdrawn later, once liquidity returns).
    pub liquidator_obligation: Option<Pubkey>,
    /// Fund each liquidation with a flash loan of the debt asset when its reserve lends one,
    /// repaid in the same transaction from the liquidator's balance ([`crate::flash`]).
    pub flash_loans: bool,
}

/// A liquidation that landed.
#[derive(Clone, Debug)]
pub struct LiquidationRecord {
    /// The obligation.
    pub obligation: Pubkey,
    /// The reserve whose collateral was seized.
    pub withdraw_reserve: Pubkey,
    /// Debt tokens repaid.
    pub repay_amount: u64,
    /// Value repaid.
    pub repay_value: Decimal,
    /// Value of the collateral seized.
    pub seize_value: Decimal,
    /// Collateral tokens for the liquidator (seized less the protocol fee), as planned.
    pub liquidator_amount: u64,
    /// Paid as supply shares to the keeper's obligation rather than in tokens.
    pub to_shares: bool,
    /// Value kept by the insurance fund.
    pub fee_value: Decimal,
    /// Bonus rate applied (bps).
    pub bonus_bps: u64,
    /// Largest bonus the reserves allow (bps), for comparison with the auction.
    pub max_bonus_bps: u64,
    /// Expected profit.
    pub profit: Decimal,
    /// Debt written off in the same instruction, when it took the last collateral.
    pub write_offs: Vec<WriteOff>,
    /// The flash-loan fee paid, when the liquidation was funded by a flash loan (debt-token
    /// base units).
    pub flash_fee: Option<u64>,
}

/// What a round did.
#[derive(Clone, Debug, Default)]
pub struct RoundReport {
    /// Obligations scanned.
    pub scanned: usize,
    /// Obligations that could not be assessed (e.g. a reserve without a usable price).
    pub skipped: usize,
    /// Liquidatable obligations.
    pub unhealthy: Vec<Pubkey>,
    /// Healthy obligations under the warning level.
    pub at_risk: usize,
    /// Liquidations sent.
    pub sent: usize,
    /// Liquidations that landed.
    pub liquidations: Vec<LiquidationRecord>,
    /// Liquidations that failed (simulation, race lost, send error).
    pub failed: usize,
    /// Candidates skipped because their obligation is backed off after repeated failures.
    pub backed_off: usize,
    /// Failures that were lost races: the obligation changed on chain since it was read (another
    /// keeper liquidated it first). They do not back the obligation off.
    pub lost_races: usize,
    /// Bad-debt write-offs that landed: inside the liquidation that took an obligation's last
    /// collateral, or by `socialize_bad_debt`.
    pub socialized: usize,
    /// What those write-offs wrote off, in value, with the insurance fund's part.
    pub write_offs: Vec<WriteOff>,
    /// Round duration.
    pub elapsed: Duration,
}

/// The `percentile` (0–100, nearest rank) of recent per-slot `fees`, clamped to
/// `[floor, cap]`; `floor` when there are none.
pub fn priority_fee_from(mut fees: Vec<u64>, percentile: u8, floor: u64, cap: u64) -> u64 {
    if fees.is_empty() {
        return floor.min(cap);
    }
    fees.sort_unstable();
    let p = usize::from(percentile.min(100));
    let rank = (p * fees.len()).div_ceil(100).max(1);
    fees[rank - 1].clamp(floor.min(cap), cap)
}

/// What a scan read and found.
#[derive(Clone, Debug)]
pub struct Scan {
    /// The market as the program would see it refreshed now.
    pub snap: MarketSnapshot,
    /// Obligations the keeper's book valued.
    pub valued: usize,
    /// The obligations the book flagged, assessed (every liquidatable one among them).
    pub assessments: Vec<Assessment>,
    /// Obligations that could not be valued or assessed.
    pub skipped: usize,
    /// The assessed obligations as read (before the off-chain refresh).
    pub read: BTreeMap<Pubkey, Obligation>,
}

/// The liquidator's holdings, read at the start of a round.
#[derive(Clone, Debug, Default)]
pub struct Balances {
    /// Spendable balance per mint the market lists (0 without an account).
    pub amounts: BTreeMap<Pubkey, u64>,
    /// Mints for which the liquidator has no token account yet.
    pub missing: BTreeSet<Pubkey>,
}

/// A keeper bound to a chain backend.
pub struct Keeper<'a, C: Chain> {
    /// Chain backend.
    pub chain: &'a C,
    /// Fee payer and liquidator.
    pub payer: Keypair,
    /// The liquidator's token account per mint; a mint not listed (a reserve listed after the
    /// keeper started) uses the liquidator's associated token account.
    pub token_accounts: BTreeMap<Pubkey, Pubkey>,
    /// Per-obligation back-off after failed liquidations.
    pub backoff: Backoff,
    /// The alert webhook.
    pub alerts: crate::alerts::Alerts,
    /// The keeper's lookup table of the market's accounts, once prepared
    /// ([`Self::prepare_lookup_table`]).
    pub lookup_table: Option<crate::tables::KeeperTable>,
    /// The book of every obligation, kept between rounds.
    pub tracker: crate::tracker::Tracker,
    /// Behaviour.
    pub config: KeeperConfig,
    /// Metrics.
    pub metrics: Metrics,
}

impl<'a, C: Chain> Keeper<'a, C> {
    /// The liquidator's token account for `mint` (of `token_program`).
    pub fn token_account(&self, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
        self.token_accounts.get(mint).copied().unwrap_or_else(|| {
            instructions::associated_token_address(&self.payer.pubkey(), mint, token_program)
        })
    }

    /// Token balances of the liquidator for every mint the market lists (0 without an
    /// account), and the mints whose account does not exist yet.
    pub async fn balances(&self, snap: &MarketSnapshot) -> Result<Balances> {
        let mints: Vec<(Pubkey, Pubkey)> = snap
            .reserves
            .values()
            .map(|v| (v.reserve.mint, v.reserve.token_program))
            .collect();
        let accounts: Vec<Pubkey> = mints
            .iter()
            .map(|(m, p)| self.token_account(m, p))
            .collect();
        let data = self.chain.accounts(&accounts).await?;
        let mut out = Balances::default();
        for ((mint, _), acc) in mints.into_iter().zip(data) {
            if acc.is_none() {
                out.missing.insert(mint);
            }
            let amount = acc
                .as_ref()
                .and_then(crate::market::token_amount)
                .unwrap_or(0);
            out.amounts.insert(mint, amount);
        }
        Ok(out)
    }

    /// Brings the keeper's book up to the chain ([`crate::tracker`]) and assesses the
    /// obligations it flags: every liquidatable one, those near the warning health, and those
    /// nearly without collateral.
    pub async fn scan(&self) -> Result<Scan> {
        let snap = load_market(self.chain, &self.config.market).await?;
        let tracked = self
            .tracker
            .update(self.chain, &snap, self.config.warn_health_bps)
            .await?;
        let mut skipped = tracked.skipped;
        let mut out = Vec::with_capacity(tracked.watch.len());
        for (key, o) in &tracked.watch {
            match assess(&snap, *key, o) {
                Ok(a) => out.push(a),
                Err(e) => {
                    skipped += 1;
                    tracing::debug!(obligation = %key, error = %e, "skipped");
                }
            }
        }
        tracing::debug!(
            valued = tracked.valued,
            watched = tracked.watch.len(),
            rebuilt = tracked.rebuilt,
            refiled = tracked.refiled,
            repriced = tracked.repriced,
            "book"
        );
        Ok(Scan {
            snap,
            valued: tracked.valued,
            assessments: out,
            skipped,
            read: tracked.watch.into_iter().collect(),
        })
    }

    /// Runs one round: a scan, then [`Self::act`] on it.
    pub async fn round(&self) -> Result<RoundReport> {
        let scan = self.scan().await?;
        self.act(scan).await
    }

    /// Liquidates and writes off what `scan` found (several keepers may act on scans of the
    /// same slot: the simulator's same-slot races).
    pub async fn act(&self, scan: Scan) -> Result<RoundReport> {
        let start = Instant::now();
        let Scan {
            snap,
            valued,
            assessments,
            skipped,
            read,
        } = scan;
        let mut report = RoundReport {
            scanned: valued + skipped,
            skipped,
            ..Default::default()
        };
        self.metrics.scanned.inc_by(report.scanned as u64);
        self.backoff.next_round();
        let held = self.balances(&snap).await?;
        let mut balances = held.amounts;
        // With flash loans, liquidations are sized to what the balance repays with the fee.
        let spendable = if self.config.flash_loans {
            crate::flash::spendable(&snap, &balances)
        } else {
            balances.clone()
        };
        let mut queue = BinaryHeap::new();
        let mut near = BTreeSet::new();
        for a in &assessments {
            if a.bankrupt() {
                let written = self.socialize(&snap, a).await;
                report.socialized += written.len();
                report.write_offs.extend(written);
            } else if a.liquidatable() {
                report.unhealthy.push(a.key);
                let receiver = self.config.liquidator_obligation;
                if let Some(c) =
                    best_candidate(&snap, a, &spendable, self.config.min_profit, receiver)
                {
                    queue.push(c);
                }
            } else if a.health_below(self.config.warn_health_bps) {
                report.at_risk += 1;
                near.insert(a.key);
                tracing::warn!(obligation = %a.key, health_factor_bps = a.health_factor_bps(), "obligation near liquidation");
                let detail = json!({ "healthFactorBps": a.health_factor_bps() });
                self.alerts.raise(AlertKind::AtRisk, a.key, detail).await;
            }
        }
        // The others (liquidatable, or off the book's watch list) are no longer at risk.
        self.alerts
            .clear_unless(AlertKind::AtRisk, |k| near.contains(k));
        self.check_balances(&snap, &balances).await;
        self.metrics.unhealthy.inc_by(report.unhealthy.len() as u64);
        self.metrics.at_risk.set(report.at_risk as i64);
        // The budget counts landed liquidations: failures (which back their obligation off)
        // must not starve the honest ones queued behind them.
        while let Some(c) = queue.pop() {
            if report.liquidations.len() >= self.config.max_liquidations_per_round {
                break;
            }
            if self.backoff.waiting(&c.obligation) {
                report.backed_off += 1;
                continue;
            }
            let debt_mint = snap
                .reserves
                .get(&c.repay_reserve)
                .map(|v| v.reserve.mint)
                .unwrap_or_default();
            // What the liquidation takes from the balance: the repayment, plus the fee when a
            // flash loan funds it (the loan itself comes back through `liquidate`).
            let cost = c.plan.repay_amount + self.flash_fee(&snap, &c).unwrap_or(0);
            if balances.get(&debt_mint).copied().unwrap_or(0) < cost {
                continue;
            }
            report.sent += 1;
            self.metrics.sent.inc();
            tracing::debug!(obligation = %c.obligation, to_shares = c.to_shares, seize = c.plan.seize_amount, "sending");
            match self.execute(&snap, &c, &held.missing).await {
                Ok(record) => {
                    self.backoff.succeeded(&c.obligation);
                    self.alerts
                        .clear(AlertKind::LiquidationFailing, &c.obligation);
                    if let Some(b) = balances.get_mut(&debt_mint) {
                        *b -= cost;
                    }
                    self.metrics.succeeded.inc();
                    self.metrics.profit.add(decimal_f64(record.profit));
                    if c.leaves_bad_debt {
                        report.socialized += 1;
                    }
                    report.write_offs.extend(record.write_offs.iter().cloned());
                    tracing::info!(obligation = %c.obligation, repay = c.plan.repay_amount, bonus_bps = c.bonus_bps, profit = %record.profit, "liquidated");
                    report.liquidations.push(record);
                }
                Err(e) if self.changed_since(&c.obligation, &read).await => {
                    report.failed += 1;
                    report.lost_races += 1;
                    self.metrics.failed.inc();
                    self.metrics.lost_races.inc();
                    tracing::info!(obligation = %c.obligation, error = %e, "lost the race");
                }
                Err(e) => {
                    report.failed += 1;
                    self.metrics.failed.inc();
                    let rounds = self.backoff.failed(&c.obligation);
                    let failures = self.backoff.consecutive(&c.obligation);
                    if failures >= FAILURES_BEFORE_ALERT {
                        let detail = json!({ "failures": failures, "error": e.to_string() });
                        self.alerts
                            .raise(AlertKind::LiquidationFailing, c.obligation, detail)
                            .await;
                    }
                    tracing::warn!(obligation = %c.obligation, error = %e, backoff_rounds = rounds, "liquidation skipped");
                }
            }
        }
        report.elapsed = start.elapsed();
        self.metrics
            .round_seconds
            .observe(report.elapsed.as_secs_f64());
        self.metrics.round_done();
        Ok(report)
    }

    fn budget(units: u32, price: u64) -> [Instruction; 2] {
        [
            ComputeBudgetInstruction::set_compute_unit_limit(units),
            ComputeBudgetInstruction::set_compute_unit_price(price),
        ]
    }

    /// True when `obligation` on chain differs from what the scan read (`read`).
    async fn changed_since(
        &self,
        obligation: &Pubkey,
        read: &BTreeMap<Pubkey, Obligation>,
    ) -> bool {
        let Some(before) = read.get(obligation) else {
            return false;
        };
        match self.chain.accounts(&[*obligation]).await {
            Ok(accs) => match accs.into_iter().next().flatten() {
                Some(acc) => crate::market::decode::<Obligation>(&acc.data)
                    .map(|now| bytemuck::bytes_of(&now) != bytemuck::bytes_of(before))
                    .unwrap_or(true),
                None => true,
            },
            Err(_) => false,
        }
    }

    /// Alerts on each asset the market has lent out whose balance is worth less than the
    /// configured floor (cleared once it is back above).
    async fn check_balances(&self, snap: &MarketSnapshot, balances: &BTreeMap<Pubkey, u64>) {
        if self.config.low_balance_value.is_zero() {
            return;
        }
        for v in snap.reserves.values() {
            let r = &v.reserve;
            if r.total_normalized_debt_sf.get().is_zero() {
                continue;
            }
            let held = balances.get(&r.mint).copied().unwrap_or(0);
            let value = market_value(Decimal::from_u64(held), r.price_sf.get(), r.decimals)
                .unwrap_or_default();
            if value < self.config.low_balance_value {
                let detail = json!({
                    "mint": r.mint.to_string(),
                    "balance": held,
                    "value": value.to_string(),
                    "floor": self.config.low_balance_value.to_string(),
                });
                self.alerts
                    .raise(AlertKind::LowBalance, r.mint, detail)
                    .await;
            } else {
                self.alerts.clear(AlertKind::LowBalance, &r.mint);
            }
        }
    }

    /// The compute-unit price for a transaction of `ixs`: the configured percentile of what
    /// recent slots paid to write the same accounts, within the floor and the cap; the fixed
    /// price when no percentile is set or the node reports none.
    async fn priority_fee(&self, ixs: &[Instruction]) -> u64 {
        let Some(percentile) = self.config.priority_fee_percentile else {
            return self.config.priority_fee_micro_lamports;
        };
        let payer = self.payer.pubkey();
        let mut writable: Vec<Pubkey> = ixs
            .iter()
            .flat_map(|ix| ix.accounts.iter())
            .filter(|m| m.is_writable && m.pubkey != payer)
            .map(|m| m.pubkey)
            .collect();
        writable.sort();
        writable.dedup();
        // A node accepts at most 128 accounts per request.
        writable.truncate(128);
        let fees = match self.chain.recent_prioritization_fees(&writable).await {
            Ok(f) => f,
            Err(e) => {
                tracing::debug!(error = %e, "no recent prioritization fees");
                Vec::new()
            }
        };
        priority_fee_from(
            fees,
            percentile,
            self.config.priority_fee_micro_lamports,
            self.config.priority_fee_cap_micro_lamports,
        )
    }

    /// Simulates `ixs` with the maximum budget, sets the limit from the simulation, sends;
    /// returns the simulation's events (what the transaction did, as it lands next).
    async fn simulate_and_send(&self, ixs: &[Instruction]) -> Result<Vec<Vec<u8>>> {
        let blockhash = self.chain.latest_blockhash().await?;
        let table = self.active_lookup_table().await?;
        let price = self.priority_fee(ixs).await;
        let mut all = Self::budget(MAX_COMPUTE_UNITS, price).to_vec();
        all.extend_from_slice(ixs);
        let tx = crate::lookup::compile(&self.payer, &all, blockhash, table.as_ref())?;
        let sim = self.chain.simulate(&tx).await?;
        if let Some(err) = sim.err {
            return Err(anyhow!("simulation failed: {err}"));
        }
        let units = (sim.units_consumed * (100 + self.config.compute_headroom_pct) / 100)
            .clamp(u64::from(MIN_COMPUTE_UNITS), u64::from(MAX_COMPUTE_UNITS))
            as u32;
        if self.config.dry_run {
            tracing::info!(units, "dry run: not sent");
            return Ok(sim.events);
        }
        let mut all = Self::budget(units, price).to_vec();
        all.extend_from_slice(ixs);
        let tx = crate::lookup::compile(&self.payer, &all, blockhash, table.as_ref())?;
        self.chain.send_and_confirm(&tx).await?;
        Ok(sim.events)
    }

    /// Refresh instructions for `reserves`, each once (a failure report for a reserve whose
    /// oracle fails). `liquidate` values the obligation itself.
    fn refresh_ixs(snap: &MarketSnapshot, reserves: &[Pubkey]) -> Result<Vec<Instruction>> {
        let mut seen = BTreeSet::new();
        let mut ixs = Vec::new();
        for k in reserves {
            if seen.insert(*k) {
                let v = snap
                    .reserves
                    .get(k)
                    .ok_or_else(|| anyhow!("unknown reserve {k}"))?;
                let price = v.oracle_config.price_account;
                ixs.push(if v.price_error.is_some() {
                    instructions::report_oracle_failure(*k, &v.reserve, price)
                } else {
                    instructions::refresh_reserve(*k, &v.reserve, price)
                });
            }
        }
        Ok(ixs)
    }

    /// The fee of the flash loan that funds candidate `c`, when the keeper uses flash loans and
    /// the debt reserve lends one that large.
    pub fn flash_fee(&self, snap: &MarketSnapshot, c: &Candidate) -> Option<u64> {
        if !self.config.flash_loans {
            return None;
        }
        let v = snap.reserves.get(&c.repay_reserve)?;
        crate::flash::loan_fee(&v.reserve, c.plan.repay_amount)
    }

    /// The instructions that liquidate candidate `c`: a missing destination token account
    /// (a mint among `missing`) created first, the refreshes, `liquidate`, and the write-offs
    /// of the debt it leaves when it takes the last collateral. With a flash loan
    /// ([`Self::flash_fee`]), `flash_borrow` comes right before `liquidate` and `flash_repay`
    /// last.
    pub fn liquidation_ixs(
        &self,
        snap: &MarketSnapshot,
        c: &Candidate,
        missing: &BTreeSet<Pubkey>,
    ) -> Result<Vec<Instruction>> {
        let repay = snap
            .reserves
            .get(&c.repay_reserve)
            .ok_or_else(|| anyhow!("unknown reserve"))?
            .reserve;
        let withdraw = snap
            .reserves
            .get(&c.withdraw_reserve)
            .ok_or_else(|| anyhow!("unknown reserve"))?
            .reserve;
        let source = self.token_account(&repay.mint, &repay.token_program);
        let destination = self.token_account(&withdraw.mint, &withdraw.token_program);
        let mut ixs = Vec::new();
        if missing.contains(&withdraw.mint) {
            ixs.push(instructions::create_associated_token_account(
                &self.payer.pubkey(),
                &withdraw.mint,
                &withdraw.token_program,
            ));
        }
        ixs.extend(Self::refresh_ixs(snap, &c.refresh_reserves)?);
        let flash = self.flash_fee(snap, c).map(|_| {
            let index = crate::flash::BUDGET_IXS + ixs.len() as u16;
            ixs.push(instructions::flash_borrow(
                self.payer.pubkey(),
                snap.market_key,
                (c.repay_reserve, &repay),
                source,
                c.plan.repay_amount,
            ));
            index
        });
        let min_out = (u128::from(c.plan.liquidator_amount)
            * u128::from(10_000 - self.config.slippage_bps.min(10_000))
            / 10_000) as u64;
        ixs.push(instructions::liquidate(
            &LiquidateAccounts {
                liquidator: self.payer.pubkey(),
                market: snap.market_key,
                obligation: c.obligation,
                repay: (c.repay_reserve, repay),
                withdraw: (c.withdraw_reserve, withdraw),
                source,
                destination,
                reserves: c.refresh_reserves.clone(),
                receiver: c
                    .to_shares
                    .then_some(self.config.liquidator_obligation)
                    .flatten(),
            },
            c.plan.repay_amount,
            min_out,
        ));
        for reserve in &c.write_offs {
            ixs.push(instructions::socialize_bad_debt(
                snap.market_key,
                c.obligation,
                *reserve,
                &c.dust_deposits,
            ));
        }
        // The operator's swap of the seized collateral would go here (`crate::flash::SWAP_SLOT`).
        if let Some(index) = flash {
            ixs.push(instructions::flash_repay(
                self.payer.pubkey(),
                snap.market_key,
                (c.repay_reserve, &repay),
                source,
                c.plan.repay_amount,
                index,
            ));
        }
        Ok(ixs)
    }

    /// Sends refresh + liquidate for a candidate ([`Self::liquidation_ixs`]).
    pub async fn execute(
        &self,
        snap: &MarketSnapshot,
        c: &Candidate,
        missing: &BTreeSet<Pubkey>,
    ) -> Result<LiquidationRecord> {
        let ixs = self.liquidation_ixs(snap, c, missing)?;
        let flash_fee = self.flash_fee(snap, c);
        let (repay, withdraw) = (
            snap.reserves.get(&c.repay_reserve).map(|v| v.reserve),
            snap.reserves.get(&c.withdraw_reserve).map(|v| v.reserve),
        );
        let (Some(repay), Some(withdraw)) = (repay, withdraw) else {
            return Err(anyhow!("unknown reserve"));
        };
        let events = self.simulate_and_send(&ixs).await?;
        // The pair's largest bonus as the liquidation counted it: an obligation in an e-mode
        // group pays its members within the group's bounds.
        let group = snap.market.emode_group(c.emode_group).ok().flatten();
        let max_bonus = repay
            .risk_params(group)
            .max_bonus_bps
            .max(withdraw.risk_params(group).max_bonus_bps);
        let fee_value = market_value(
            Decimal::from_u64(c.plan.protocol_fee_amount),
            withdraw.price_sf.get(),
            withdraw.decimals,
        )
        .map_err(|e| anyhow!("{e}"))?;
        Ok(LiquidationRecord {
            obligation: c.obligation,
            withdraw_reserve: c.withdraw_reserve,
            repay_amount: c.plan.repay_amount,
            repay_value: c.plan.repay_value,
            seize_value: c.plan.seize_value,
            liquidator_amount: c.plan.liquidator_amount,
            to_shares: c.to_shares,
            fee_value,
            bonus_bps: c.bonus_bps,
            max_bonus_bps: u64::from(max_bonus),
            profit: c.profit,
            write_offs: crate::events::write_offs(snap, &events),
            flash_fee,
        })
    }

    /// Writes off the debts of an obligation with no collateral left but dust (swept by the
    /// first write-off); returns how many landed.
    /// Writes off each debt of `a` (no collateral left); returns the write-offs that landed.
    async fn socialize(&self, snap: &MarketSnapshot, a: &Assessment) -> Vec<WriteOff> {
        let mut done = Vec::new();
        for b in a.obligation.active_borrows() {
            let ix = instructions::socialize_bad_debt(
                snap.market_key,
                a.key,
                b.reserve,
                &a.dust_deposits,
            );
            match self.simulate_and_send(&[ix]).await {
                Ok(events) => done.extend(crate::events::write_offs(snap, &events)),
                Err(e) => {
                    tracing::warn!(obligation = %a.key, error = %e, "bad-debt write-off skipped")
                }
            }
        }
        done
    }
}

/// A `Decimal` as f64 for metrics and reports (off-chain only).
pub fn decimal_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::priority_fee_from;

    #[test]
    fn successful_priority_fee_is_the_percentile_within_floor_and_cap() {
        let fees = vec![0, 50, 100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800];
        assert_eq!(
            priority_fee_from(fees.clone(), 50, 0, u64::MAX),
            400,
            "5th of 10"
        );
        assert_eq!(priority_fee_from(fees.clone(), 90, 0, u64::MAX), 6_400);
        assert_eq!(priority_fee_from(fees.clone(), 100, 0, u64::MAX), 12_800);
        assert_eq!(
            priority_fee_from(fees.clone(), 0, 0, u64::MAX),
            0,
            "rank 1 at least"
        );
        assert_eq!(
            priority_fee_from(fees.clone(), 50, 1_000, u64::MAX),
            1_000,
            "the floor"
        );
        assert_eq!(priority_fee_from(fees, 100, 0, 5_000), 5_000, "the cap");
        assert_eq!(
            priority_fee_from(Vec::new(), 75, 1_000, 5_000),
            1_000,
            "no data: the floor"
        );
        assert_eq!(
            priority_fee_from(Vec::new(), 75, 9_000, 5_000),
            5_000,
            "never above the cap"
        );
    }
}
