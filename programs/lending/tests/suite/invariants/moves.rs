//! The fuzz's wider moves: thirteen reserves (Token-2022 among them) so that one obligation can
//! reach the 8 + 5 limit and meet a ninth deposit or a sixth borrow; multi-instruction
//! transactions; admin actions; months-long horizons at full utilization; crash paths along
//! which the EMA lags spot.

use lending::error::LendingError;
use lending::state::{MarketParams, OracleKind};
use rand::seq::SliceRandom;
use rand::Rng;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

use super::Fuzz;
use crate::fixture::*;

/// One listed asset beside USDC, SOL and VOL.
pub(super) struct Listing {
    decimals: u8,
    /// Listing price in dollars.
    price: f64,
    kind: OracleKind,
    token_2022: bool,
    /// LTV, liquidation threshold and borrow factor (bps).
    risk: (u16, u16, u16),
}

const fn listing(
    decimals: u8,
    price: f64,
    kind: OracleKind,
    token_2022: bool,
    risk: (u16, u16, u16),
) -> Listing {
    Listing {
        decimals,
        price,
        kind,
        token_2022,
        risk,
    }
}

/// Ten more assets, 13 reserves in all: every decimal count from 0 to 9 but 1–4 and 7, prices
/// from $0.00002 to $60,000, both oracle kinds, four Token-2022 mints, borrow factors 100–200%.
/// Every base unit is worth at most $0.01 at listing (the program's listing bound).
#[rustfmt::skip]
pub(super) const EXTRA: [Listing; 10] = [
    listing(6, 1.0, OracleKind::PythPull, true, (8_000, 8_500, 10_000)),
    listing(8, 60_000.0, OracleKind::PythPull, false, (7_000, 7_500, 10_000)),
    listing(5, 0.000_02, OracleKind::PythLegacy, false, (4_000, 5_000, 20_000)),
    listing(0, 0.001, OracleKind::PythPull, false, (6_000, 7_000, 10_000)),
    listing(8, 3_000.0, OracleKind::PythPull, true, (7_500, 8_000, 10_000)),
    listing(6, 0.8, OracleKind::PythPull, true, (5_000, 6_000, 12_000)),
    listing(9, 110.0, OracleKind::PythPull, false, (7_000, 7_800, 10_000)),
    listing(6, 1.0, OracleKind::PythLegacy, true, (8_000, 8_500, 10_000)),
    listing(6, 2.0, OracleKind::PythPull, false, (4_000, 5_500, 15_000)),
    listing(9, 1.0, OracleKind::PythPull, false, (8_000, 8_500, 10_000)),
];

/// Lists [`EXTRA`] in `f`; returns every reserve's listing price.
pub(super) async fn list_extra(f: &mut TestFixture) -> Vec<f64> {
    let mut prices = vec![1.0, 100.0, 0.5];
    for (i, l) in EXTRA.iter().enumerate() {
        let mut feed_id = [0u8; 32];
        feed_id[0] = 10 + i as u8;
        feed_id[31] = 0xfe;
        let program = if l.token_2022 {
            spl_token_2022_interface::ID
        } else {
            spl_token_interface::ID
        };
        let (ltv, lt, bf) = l.risk;
        let asset = (l.decimals, l.price, l.kind, feed_id);
        f.add_reserve_of(program, asset, reserve_config(ltv, lt, bf))
            .await;
        prices.push(l.price);
    }
    prices
}

/// A wallet worth about $20,000 of each extra asset (USDC, SOL and VOL as before).
pub(super) fn wallet() -> Vec<u64> {
    let mut w = vec![50_000_000_000, 500_000_000_000, 100_000_000_000];
    for l in &EXTRA {
        w.push((20_000.0 / l.price * 10f64.powi(i32::from(l.decimals))) as u64);
    }
    w
}

impl Fuzz {
    /// The lowest price a move may set on reserve `r`: a thousandth of its listing price (and
    /// at least 1e-7, ten units of the feeds' last digit).
    pub(super) fn floor(&self, r: usize) -> f64 {
        (self.listing[r] / 1_000.0).max(1e-7)
    }

    /// Writes spot and EMA of reserve `r` apart, at the current time with 0.1% confidence.
    pub(super) async fn set_spot_ema(&mut self, r: usize, spot: f64, ema: f64) {
        let now = self.f.now().await;
        let mut spec = crate::pyth::usd(spot, self.f.reserves[r].feed_id, now);
        let lagging = crate::pyth::usd(ema, self.f.reserves[r].feed_id, now);
        spec.ema_price = lagging.price;
        spec.ema_conf = lagging.conf;
        self.f.write_price(r, spec);
    }

    /// 8 + 5: user `u` spreads over many reserves, deposits into up to nine of them and
    /// borrows from up to six others, each a small share of what he holds or may borrow, so
    /// that an obligation meets `TooManyDeposits` and `TooManyBorrows`.
    pub(super) async fn spread(&mut self, u: usize) {
        let mut order: Vec<usize> = (0..self.f.reserves.len()).collect();
        order.shuffle(&mut self.rng);
        let deposits = self.rng.gen_range(1..=9);
        let borrows = self.rng.gen_range(1..=6);
        let o = self.f.obligation(&self.users[u].obligation.clone()).await;
        let borrowed: Vec<Pubkey> = o.active_borrows().map(|b| b.reserve).collect();
        let kp = self.users[u].keypair.insecure_clone();
        let mut deposited = Vec::new();
        let free: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&r| !borrowed.contains(&self.f.reserves[r].reserve))
            .collect();
        for r in free {
            if deposited.len() == deposits {
                break;
            }
            let balance = self.f.balance(&self.users[u].tokens[r].clone()).await;
            let amount = (balance / 500).max(1);
            self.deposit_checked(u, r, amount).await;
            deposited.push(r);
        }
        // Borrows from reserves the obligation holds no deposit of (its earlier deposits too).
        let o = self.f.obligation(&self.users[u].obligation.clone()).await;
        let held: Vec<Pubkey> = o.active_deposits().map(|d| d.reserve).collect();
        let candidates: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&r| !held.contains(&self.f.reserves[r].reserve))
            .collect();
        for r in candidates.into_iter().take(borrows) {
            self.focus = Some(r);
            let size = match self.refreshed_health(u).await {
                Some(h) => (self.headroom_tokens(&h, r).await / 8).max(1),
                None => 1,
            };
            let ix = self.f.borrow_ix(&self.users[u], r, size).await;
            self.record(format!("borrow {size} of reserve {r}"));
            let ok = self.send("borrow", &[ix], &kp).await.is_ok();
            if ok && !self.independent_health(u).await.within_borrow_limit() {
                self.violation("INV-15 a spread borrow left the obligation over its limit".into());
            }
        }
        self.focus = None;
    }

    /// A multi-instruction transaction after the refreshes: a deposit and a borrow, a borrow
    /// and a withdrawal, a deposit withdrawn at once, or a borrow repaid at once. What lands
    /// must leave the obligation within its limit (INV-15), and a round trip in one
    /// transaction never leaves the user more shares or less debt than before (rounding
    /// against the user).
    pub(super) async fn bundle(&mut self, u: usize) {
        let key = self.users[u].obligation;
        let o = self.f.obligation(&key).await;
        let deposits: Vec<usize> = o
            .active_deposits()
            .map(|d| self.index_of(&d.reserve))
            .collect();
        let borrows: Vec<usize> = o
            .active_borrows()
            .map(|b| self.index_of(&b.reserve))
            .collect();
        if deposits.is_empty() {
            return;
        }
        let d = deposits[self.rng.gen_range(0..deposits.len())];
        let b = if !borrows.is_empty() && self.rng.gen_bool(0.7) {
            borrows[self.rng.gen_range(0..borrows.len())]
        } else {
            self.rng.gen_range(0..self.f.reserves.len())
        };
        // A withdrawal after a first borrow of a reserve would need that reserve among its
        // remaining accounts before it exists: that pattern takes an existing borrow.
        let mut pattern = self.rng.gen_range(0..4);
        if pattern == 1 && !borrows.contains(&b) {
            pattern = 0;
        }
        self.focus = Some(b);
        let Some(h) = self.refreshed_health(u).await else {
            self.focus = None;
            return;
        };
        let mut ixs = self.refresh_ixs(&key).await;
        self.focus = None;
        let user = &self.users[u];
        let balance = self.f.balance(&user.tokens[d].clone()).await;
        let top_up = (balance / 50).max(1);
        let size = (self.headroom_tokens(&h, b).await / 4).max(1);
        let (shares_before, debt_before) = self.position(u, d, b).await;
        let user = &self.users[u];
        let actions: Vec<Instruction> = match pattern {
            0 => vec![
                self.f.deposit_ix(user, d, top_up),
                self.f.borrow_ix(user, b, size).await,
            ],
            1 => vec![
                self.f.borrow_ix(user, b, size).await,
                self.f.withdraw_ix(user, d, top_up).await,
            ],
            2 => vec![
                self.f.deposit_ix(user, d, top_up),
                self.f.withdraw_ix(user, d, top_up).await,
            ],
            _ => vec![
                self.f.borrow_ix(user, b, size).await,
                self.f.repay_ix(user, b, size),
            ],
        };
        ixs.extend(actions);
        let kp = self.users[u].keypair.insecure_clone();
        self.record(format!("bundle {pattern} d{d} b{b} {top_up}/{size}"));
        if self.send("bundle", &ixs, &kp).await.is_err() {
            return;
        }
        if !self.independent_health(u).await.within_borrow_limit() {
            self.violation(format!(
                "INV-15 a bundle ({pattern}) left the obligation over its limit"
            ));
        }
        let (shares_after, debt_after) = self.position(u, d, b).await;
        if pattern == 2 && shares_after > shares_before {
            self.violation("INV-10 a deposit withdrawn in one transaction gained shares".into());
        }
        if pattern == 3 && debt_after < debt_before {
            self.violation("INV-10 a borrow repaid in one transaction lowered the debt".into());
        }
    }

    /// Shares of deposit `d` and normalized debt of borrow `b` of user `u`.
    async fn position(&mut self, u: usize, d: usize, b: usize) -> (u64, lending_math::Decimal) {
        let o = self.f.obligation(&self.users[u].obligation.clone()).await;
        let (dk, bk) = (self.f.reserves[d].reserve, self.f.reserves[b].reserve);
        let shares = o
            .active_deposits()
            .find(|x| x.reserve == dk)
            .map_or(0, |x| x.shares);
        let debt = o
            .active_borrows()
            .find(|x| x.reserve == bk)
            .map(|x| x.normalized_debt_sf.get())
            .unwrap_or_default();
        (shares, debt)
    }

    /// The admin changes reserve `r`'s risk settings (LTV, threshold, borrow factor, caps
    /// near today's totals, pauses) or the market's (close factor, insolvency LTV, auction,
    /// dust, pauses), always within the documented bounds: the change must land (INV-13's
    /// other half), and every later action and liquidation runs under it. One time in four
    /// it restores the defaults.
    pub(super) async fn admin(&mut self, r: usize) {
        let admin = self.f.admin.insecure_clone();
        let restore = self.rng.gen_bool(0.25);
        // `update_market` keeps the insolvency LTV above every configured group's threshold.
        let group_top = self
            .f
            .market_state()
            .await
            .emode_groups
            .iter()
            .map(|g| g.liquidation_threshold_bps)
            .max()
            .unwrap_or(0);
        let mut refused = None;
        let ix = if self.rng.gen_bool(0.6) {
            let mut c = reserve_config(8_000, 8_500, 10_000);
            c.loan_to_value_bps = self.rng.gen_range(30..=80) * 100;
            c.liquidation_threshold_bps =
                (c.loan_to_value_bps + self.rng.gen_range(3..=10) * 100).min(9_000);
            c.borrow_factor_bps = *[10_000, 12_000, 15_000, 20_000]
                .choose(&mut self.rng)
                .unwrap_or(&10_000);
            let res = self.f.reserve(r).await;
            if self.rng.gen_bool(0.3) {
                let supplied = res
                    .total_supply_assets()
                    .ok()
                    .and_then(|a| a.try_floor_u64().ok())
                    .unwrap_or(u64::MAX);
                c.deposit_cap = supplied.saturating_mul(self.rng.gen_range(1..=3));
                c.borrow_cap = supplied;
            }
            c.borrow_paused = u8::from(self.rng.gen_bool(0.15));
            c.withdraw_paused = u8::from(self.rng.gen_bool(0.15));
            if restore {
                c = self.configs[r];
            }
            self.record(format!(
                "admin reserve {r}: ltv {} lt {} bf {} caps {}/{} paused {}/{}",
                c.loan_to_value_bps,
                c.liquidation_threshold_bps,
                c.borrow_factor_bps,
                c.deposit_cap,
                c.borrow_cap,
                c.borrow_paused,
                c.withdraw_paused
            ));
            self.f.update_reserve_config_ix(&admin.pubkey(), r, c)
        } else {
            let mut p = MarketParams {
                close_factor_bps: self.rng.gen_range(5..=100) * 100,
                insolvency_ltv_bps: self.rng.gen_range(80..=100) * 100,
                // Off one time in four, else 1.01 to 1.50.
                target_health_bps: if self.rng.gen_range(0..4) == 0 {
                    0
                } else {
                    self.rng.gen_range(101..=150) * 100
                },
                liquidation_auction_secs: self.rng.gen_range(10..=3_600),
                dust_threshold_value: self.rng.gen_range(0..=10),
                borrow_paused: self.rng.gen_bool(0.1),
                withdraw_paused: self.rng.gen_bool(0.1),
            };
            if restore {
                p = default_market_params();
            }
            self.record(format!("admin market: {p:?}"));
            if p.insolvency_ltv_bps <= group_top {
                refused = Some(LendingError::InvalidInsolvencyLtv);
            }
            self.f.update_market_ix(&admin.pubkey(), p)
        };
        let res = self.send("admin", &[ix], &admin).await;
        match (refused, res) {
            (None, Err(e)) => {
                self.violation(format!("INV-13 a valid admin change was refused: {e:?}"))
            }
            (Some(e), res) if error_code(&res) != Some(e.into()) => self.violation(format!(
                "INV-13 an insolvency LTV at or below a group's threshold ({group_top}) gave {res:?}"
            )),
            _ => {}
        }
    }

    /// Months pass at full utilization: user `u` borrows all he may of one reserve's
    /// liquidity, then 30–120 days go by with every feed publishing, so that interest alone
    /// can make obligations insolvent.
    pub(super) async fn horizon(&mut self, u: usize, r: usize) {
        self.focus = Some(r);
        if let Some(h) = self.refreshed_health(u).await {
            let available = self.f.reserve(r).await.available_amount;
            let size = self.headroom_tokens(&h, r).await.min(available);
            if size > 0 {
                let kp = self.users[u].keypair.insecure_clone();
                let ix = self.f.borrow_ix(&self.users[u], r, size).await;
                let ok = self.send("borrow", &[ix], &kp).await.is_ok();
                if ok && !self.independent_health(u).await.within_borrow_limit() {
                    self.violation(
                        "INV-15 a draining borrow left the obligation over its limit".into(),
                    );
                }
            }
        }
        self.focus = None;
        let days = self.rng.gen_range(30..=120);
        self.record(format!("months: {days} days after draining reserve {r}"));
        self.f.advance_time(days * 86_400).await;
    }

    /// A crash path: one asset, or every asset but the dollar ones, falls 10–60% over 3–10
    /// slots, a few seconds apart; the EMA follows a fifth of the way each slot, so spot and
    /// EMA differ all along (and may diverge past the bound). Liveness is checked after every
    /// slot of the path.
    pub(super) async fn crash(&mut self, r: usize) {
        let assets: Vec<usize> = if self.rng.gen_bool(0.5) {
            vec![r]
        } else {
            // Every asset but those listed at $1.
            (0..self.f.reserves.len())
                .filter(|&i| self.listing[i] != 1.0)
                .collect()
        };
        let depth: f64 = self.rng.gen_range(0.1..0.6);
        let steps = self.rng.gen_range(3..=10);
        let per_step = (1.0 - depth).powf(1.0 / f64::from(steps));
        self.record(format!("crash {assets:?} by {depth:.2} over {steps} slots"));
        for _ in 0..steps {
            self.f.next_slot().await;
            self.f.advance_time(self.rng.gen_range(1..5)).await;
            for &a in &assets {
                let spec = self.f.reserves[a].price;
                let spot = (spec.price as f64 / 1e8 * per_step).max(self.floor(a));
                let ema = spec.ema_price as f64 / 1e8;
                self.set_spot_ema(a, spot, ema + (spot - ema) / 5.0).await;
            }
            for target in 0..self.users.len() {
                self.check_liveness(target).await;
            }
        }
    }
}

/// The move an action kind draws (the distribution in the module doc).
pub(super) fn move_name(kind: u32) -> &'static str {
    match kind {
        0..=14 => "move: deposit",
        15..=34 => "move: borrow",
        35..=42 => "move: withdraw",
        43..=52 => "move: repay",
        53..=72 => "move: liquidate",
        73..=75 => "move: write-off",
        76..=90 => "move: price",
        91..=95 => "move: time",
        96 => "move: outage",
        97 => "move: single-oracle failure",
        98..=99 => "move: non-admin config",
        100..=104 => "move: bundle",
        105..=107 => "move: admin",
        108..=109 => "move: spread (8 + 5)",
        110 => "move: months at full utilization",
        113..=115 => "move: e-mode group",
        _ => "move: crash path",
    }
}
