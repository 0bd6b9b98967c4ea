//! INV-12's validity oracle: whether a deposit or a repayment is plainly valid, judged from raw
//! account fields with `lending-math`, never by asking the program. Such an action needs no
//! price, so it must land whatever the oracles do (an outage, one failing feed, a divergent
//! EMA) and whatever the admin paused.
//!
//! Interest the instruction accrues first can only raise a reserve's assets and a borrow's
//! debt, so every figure below is taken with a margin in the direction that accrual moves it:
//! an action near a boundary (a cap almost reached, a deposit that mints about one share, a
//! full repayment the wallet barely covers) is left undecided rather than judged.

use super::{health_factor_cross_ok, Fuzz};
use crate::fixture::error_code;
use lending_math::{shares, Decimal};

/// The two actions that need no price.
enum NoPrice {
    Deposit,
    Repay,
}

/// The deposit slots of an obligation.
const MAX_DEPOSITS: usize = 8;
/// Seconds in a year, for the interest margin.
const YEAR_SECS: i64 = 365 * 86_400;
/// The steepest borrow rate of any curve the fuzz or its admin sets (300% a year).
const MAX_RATE_BPS: i64 = 30_000;

impl Fuzz {
    /// A deposit with its checks: INV-12's validity oracle (a plainly valid deposit lands) and
    /// INV-08 (a deposit never lowers health).
    pub(super) async fn deposit_checked(&mut self, u: usize, r: usize, amount: u64) {
        self.no_price_action_checked(NoPrice::Deposit, u, r, amount)
            .await
    }

    /// A repayment with the same checks.
    pub(super) async fn repay_checked(&mut self, u: usize, r: usize, amount: u64) {
        self.no_price_action_checked(NoPrice::Repay, u, r, amount)
            .await
    }

    async fn no_price_action_checked(&mut self, what: NoPrice, u: usize, r: usize, amount: u64) {
        let (kind, noun, counted) = match what {
            NoPrice::Deposit => ("deposit", "deposit", "INV-12 valid deposits"),
            NoPrice::Repay => ("repay", "repayment", "INV-12 valid repayments"),
        };
        self.record(format!("{kind} {amount} of reserve {r}"));
        let h0 = self.refreshed_health(u).await;
        let (valid, ix) = match what {
            NoPrice::Deposit => (
                self.deposit_clearly_valid(u, r, amount).await,
                self.f.deposit_ix(&self.users[u], r, amount),
            ),
            NoPrice::Repay => (
                self.repay_clearly_valid(u, r, amount).await,
                self.f.repay_ix(&self.users[u], r, amount),
            ),
        };
        let kp = self.users[u].keypair.insecure_clone();
        let res = self.send(kind, &[ix], &kp).await;
        if valid {
            // Landed-or-judged counts: (during an outage, in all).
            let entry = self.stats.entry(counted).or_default();
            entry.0 += u64::from(self.outage);
            entry.1 += 1;
        }
        if valid && res.is_err() {
            self.violation(format!(
                "INV-12 a valid {noun} failed (outage: {}): {:?}",
                self.outage,
                error_code(&res)
            ));
        }
        if res.is_ok() && !self.outage {
            if let (Some(h0), Some(h1)) = (h0, self.refreshed_health(u).await) {
                if !health_factor_cross_ok(&h0, &h1) {
                    self.violation(format!("INV-08 a {noun} lowered health"));
                }
            }
        }
    }

    /// True when a deposit of `amount` of reserve `r` by user `u` is plainly valid: a positive
    /// amount the wallet holds, no borrow of the same reserve, a free deposit slot (or an
    /// existing deposit of it), a reserve that is not depleted and stays at most half its cap,
    /// and at least two shares minted even at twice today's assets.
    pub(super) async fn deposit_clearly_valid(&mut self, u: usize, r: usize, amount: u64) -> bool {
        if amount == 0 || amount == u64::MAX {
            return false;
        }
        let wallet = self.users[u].tokens[r];
        if self.f.balance(&wallet).await < amount {
            return false;
        }
        let key = self.f.reserves[r].reserve;
        let o = self.f.obligation(&self.users[u].obligation.clone()).await;
        if o.active_borrows().any(|b| b.reserve == key) {
            return false;
        }
        let held = o.active_deposits().any(|d| d.reserve == key);
        if !held && o.active_deposits().count() >= MAX_DEPOSITS {
            return false;
        }
        let res = self.f.reserve(r).await;
        // In an e-mode group, only a member reserve takes deposits (raw membership bits).
        let g = o.emode_group;
        if g > 0 && res.emode_groups & (1u64 << (g - 1)) == 0 {
            return false;
        }
        let Some(assets) = supply_assets(&res) else {
            return false;
        };
        // Not depleted (at least 2e-6 token per share, twice the program's floor).
        let backing = assets.try_mul_u64(500_000).unwrap_or_default();
        if res.share_supply > 0 && backing < Decimal::from_u64(res.share_supply) {
            return false;
        }
        let doubled = assets.try_mul_u64(2).unwrap_or_default();
        let after = doubled
            .try_add(Decimal::from_u64(amount))
            .unwrap_or_default();
        if after > Decimal::from_u64(res.config.deposit_cap / 2) {
            return false;
        }
        shares::shares_for_deposit(amount, doubled, res.share_supply).is_ok_and(|s| s >= 2)
    }

    /// True when a repayment of `amount` of reserve `r` by user `u` of his own debt is plainly
    /// valid: a positive amount, a borrow of that reserve, and a wallet that covers what the
    /// repayment takes, `min(amount, ⌈debt⌉)`, with the debt grown by the interest a refresh
    /// may still accrue (at most 300% a year since the last accrual, doubled).
    pub(super) async fn repay_clearly_valid(&mut self, u: usize, r: usize, amount: u64) -> bool {
        if amount == 0 {
            return false;
        }
        let key = self.f.reserves[r].reserve;
        let o = self.f.obligation(&self.users[u].obligation.clone()).await;
        let Some(b) = o.active_borrows().find(|b| b.reserve == key) else {
            return false;
        };
        let res = self.f.reserve(r).await;
        let now = self.f.now().await;
        let Some(debt) = grown_debt(&res, b.normalized_debt_sf.get(), now) else {
            return false;
        };
        let Ok(most) = debt.try_ceil_u64() else {
            return false;
        };
        let wallet = self.users[u].tokens[r];
        self.f.balance(&wallet).await >= amount.min(most)
    }
}

/// `available + normalized debt × index − fees`, from the raw fields.
fn supply_assets(r: &lending::state::Reserve) -> Option<Decimal> {
    let debt = r
        .total_normalized_debt_sf
        .get()
        .try_mul(r.borrow_index_sf.get())
        .ok()?;
    shares::total_supply_assets(r.available_amount, debt, r.protocol_fees_sf.get()).ok()
}

/// `held × index × (1 + 2 × 300% × elapsed / year)`: an upper bound on the debt once the
/// interest since the reserve's last accrual is added (compounding over less than a few months
/// stays under the doubled linear figure).
fn grown_debt(r: &lending::state::Reserve, held: Decimal, now: i64) -> Option<Decimal> {
    let debt = held.try_mul(r.borrow_index_sf.get()).ok()?;
    let elapsed = (now - r.last_accrual_ts).max(0);
    if elapsed > YEAR_SECS / 12 {
        return None;
    }
    let growth_bps = 2 * MAX_RATE_BPS * elapsed / YEAR_SECS;
    let factor = Decimal::from_bps(10_000 + growth_bps as u64 + 1);
    debt.try_mul(factor).ok()
}
