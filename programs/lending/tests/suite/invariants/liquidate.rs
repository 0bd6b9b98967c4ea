//! The fuzz's liquidation move, and the checks on each liquidation that lands: INV-09, INV-10,
//! INV-12, INV-15, INV-17, INV-20 and, when it takes the last collateral, INV-18.

use lending_math::Decimal;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use solana_sdk::pubkey::Pubkey;

use super::{amount, improvement, Fuzz};
use crate::fixture::*;
use crate::liquidation::liquidate_ix;

impl Fuzz {
    /// One liquidation attempt; true when it landed and took the last collateral (the rest of
    /// the debt is then written off in the same instruction).
    pub(super) async fn liquidate(&mut self, target: usize) -> bool {
        let keeper = self.rng.gen_range(0..self.users.len());
        let o = self
            .f
            .obligation(&self.users[target].obligation.clone())
            .await;
        let pick = |rng: &mut ChaCha8Rng, keys: Vec<Pubkey>, reserves: &[TestReserve]| {
            if keys.is_empty() || rng.gen_bool(0.2) {
                rng.gen_range(0..reserves.len())
            } else {
                let k = keys[rng.gen_range(0..keys.len())];
                reserves.iter().position(|r| r.reserve == k).unwrap_or(0)
            }
        };
        let repay = pick(
            &mut self.rng,
            o.active_borrows().map(|b| b.reserve).collect(),
            &self.f.reserves,
        );
        let withdraw = pick(
            &mut self.rng,
            o.active_deposits().map(|d| d.reserve).collect(),
            &self.f.reserves,
        );
        if repay == withdraw {
            return false;
        }
        let refreshed = self.refreshed_health(target).await;
        self.maybe_reprice_in_slot(target).await;
        let h0 = match refreshed {
            Some(_) => Some(self.independent_health(target).await),
            None => None,
        };
        let self_liq = keeper == target;
        let e0 = if self_liq {
            self.equity(keeper).await
        } else {
            None
        };
        let debt = self.debt_tokens(target, repay).await;
        let requested = if self.rng.gen_bool(0.5) {
            u64::MAX
        } else {
            amount(&mut self.rng, debt)
        };
        // One time in six the largest liquidation comes as two pieces in one transaction: a
        // small one, then the rest (the split of the independent review).
        let mut pieces = Vec::new();
        if requested == u64::MAX && debt > 1 && self.rng.gen_bool(1.0 / 6.0) {
            pieces.push(self.rng.gen_range(1..=debt / 8 + 1));
        }
        pieces.push(requested);
        let mut ixs = Vec::new();
        for piece in pieces {
            ixs.push(
                liquidate_ix(
                    &mut self.f,
                    &self.users[keeper],
                    &self.users[target].obligation,
                    repay,
                    withdraw,
                    piece,
                    0,
                )
                .await,
            );
        }
        let kp = self.users[keeper].keypair.insecure_clone();
        let (debt_reserve, coll_reserve) =
            (self.f.reserve(repay).await, self.f.reserve(withdraw).await);
        let market = self.f.market_state().await;
        let ok = self.send("liquidate", &ixs, &kp).await.is_ok();
        if !ok {
            return false;
        }
        if self.outage {
            self.violation("INV-12 a liquidation succeeded on a stale price".into());
        }
        let mut write_off_allowance = Decimal::zero();
        match h0 {
            Some(h0) if h0.is_liquidatable() => {
                let h1 = self.independent_health(target).await;
                let solvent_before = h0.borrowed_value < h0.deposited_value;
                let unit = Decimal::from_ratio(1, 1_000).unwrap_or_default();
                if solvent_before
                    && h1.borrowed_value > h1.deposited_value.try_add(unit).unwrap_or_default()
                {
                    self.violation(
                        "INV-09 a liquidation made a solvent obligation insolvent".into(),
                    );
                }
                let o1 = self
                    .f
                    .obligation(&self.users[target].obligation.clone())
                    .await;
                let group = self
                    .f
                    .market_state()
                    .await
                    .obligation_group(&o)
                    .unwrap_or_default();
                let seen = improvement::Observed {
                    group,
                    before: &o,
                    after: &o1,
                    debt_reserve: (&debt_reserve, self.f.reserves[repay].reserve),
                    coll_reserve: (&coll_reserve, self.f.reserves[withdraw].reserve),
                };
                if improvement::unit_rounding_used(&seen) {
                    // A minimum seizure, or the last collateral taken and the dust debt left
                    // written off: the owner's equity may rise by that unit rounding (the
                    // closing bound), and no more.
                    write_off_allowance = improvement::closing_bound(&seen);
                }
                if solvent_before
                    && !improvement::liquidation_raised_health(&h0, &h1, &seen)
                    && self.coarse_unit_beyond_bound(&o).await
                {
                    self.coarse_unit_gaps += 1;
                } else if solvent_before && !improvement::liquidation_raised_health(&h0, &h1, &seen)
                {
                    self.violation(format!(
                        "INV-17 a liquidation did not raise the health factor: {h0:?} → {h1:?}"
                    ));
                }
                // INV-20: the largest liquidation of a solvent obligation below the insolvency
                // LTV, of a borrow above the dust threshold, on a market with a target health,
                // reaches the target or takes the pair whole.
                let ltv_below_insolvency = h0
                    .borrowed_value
                    .try_div(h0.deposited_value)
                    .is_ok_and(|ltv| ltv < Decimal::from_bps(u64::from(market.insolvency_ltv_bps)));
                let above_dust = lending_math::health::market_value(
                    Decimal::from_u64(debt),
                    debt_reserve.price_sf.get(),
                    debt_reserve.decimals,
                )
                .is_ok_and(|v| {
                    v >= Decimal::from_u64(market.dust_threshold_value.saturating_add(1))
                });
                if market.target_health_bps > 0
                    && requested == u64::MAX
                    && solvent_before
                    && ltv_below_insolvency
                    && above_dust
                {
                    self.target_checks += 1;
                    let thf = Decimal::from_bps(u64::from(market.target_health_bps));
                    if !improvement::reached_target(&h1, thf, &seen)
                        && !self.coarse_unit_beyond_bound(&o).await
                    {
                        self.violation(format!(
                            "INV-20 the largest liquidation fell short of the target health {thf}: {h0:?} → {h1:?}"
                        ));
                    }
                }
            }
            _ => self.violation(
                "INV-15 a liquidation landed on an obligation healthy at current prices".into(),
            ),
        }
        if self_liq {
            if let (Some(e0), Some(e1)) = (e0, self.equity(keeper).await) {
                if e1 > e0.try_add(write_off_allowance).unwrap_or(e0) {
                    self.violation(format!("INV-10 self-liquidation raised equity {e0} → {e1}"));
                }
            }
        }
        let after = self
            .f
            .obligation(&self.users[target].obligation.clone())
            .await;
        let emptied = after.active_deposits().next().is_none();
        if emptied && after.has_debt() {
            // INV-18: the liquidation that takes the last collateral writes off every debt left,
            // so that nobody can leave at a share value that still counts it.
            self.violation("INV-18 a liquidation took the last collateral and left debt".into());
        }
        emptied
    }
}
