//! The fuzz's liquidation move, and the checks on each liquidation that lands: INV-09, INV-10,
//! INV-12, INV-15, INV-17, INV-20 and, when it takes the last collateral, INV-18. One
//! liquidation in four runs inside a flash loan of its debt asset (`FlashFunded`), and every
//! check above applies to it unchanged; INV-26 adds that the loan never blocks it.

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
        // One liquidation in four is funded by a flash loan of the debt asset (INV-26).
        let funded = self
            .wrap_in_flash_loan(&mut ixs, &kp, keeper, repay, debt)
            .await;
        let (debt_reserve, coll_reserve) =
            (self.f.reserve(repay).await, self.f.reserve(withdraw).await);
        let market = self.f.market_state().await;
        let res = self.send("liquidate", &ixs, &kp).await;
        if let Some(loan) = funded {
            self.check_flash_funded(&loan, &res, repay).await;
        }
        if res.is_err() {
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

/// Stream offset of the draw that funds a liquidation with a flash loan.
const LOAN_STREAM: u64 = 0x10a4_0000_0000;

/// A liquidation wrapped in a flash loan of its debt asset, and what decides INV-26.
pub(super) struct FlashFunded {
    /// Loan size (debt tokens).
    size: u64,
    /// Whether the same liquidation, unfunded, lands (simulated just before).
    plain_lands: bool,
    /// Whether the liquidator holds the repayment and the fee besides the loan.
    can_pay: bool,
}

impl Fuzz {
    /// One time in four (its own stream of the seed), wraps `ixs` as `flash_borrow` of the
    /// debt asset, the liquidation, `flash_repay`, after simulating the plain liquidation.
    async fn wrap_in_flash_loan(
        &mut self,
        ixs: &mut Vec<solana_sdk::instruction::Instruction>,
        kp: &solana_sdk::signature::Keypair,
        keeper: usize,
        repay: usize,
        debt: u64,
    ) -> Option<FlashFunded> {
        use solana_sdk::signature::Signer;
        let mut rng = super::replay::action_rng(self.seed ^ LOAN_STREAM, self.actions);
        if !rng.gen_bool(0.25) {
            return None;
        }
        let reserve = self.f.reserve(repay).await;
        let size = debt.min(reserve.available_amount);
        // A paused reserve lends no flash loans (`BorrowPaused`): the liquidator goes unfunded.
        let paused =
            reserve.config.borrow_paused != 0 || self.f.market_state().await.borrow_paused != 0;
        if size == 0 || reserve.flash_loans_enabled == 0 || paused {
            return None;
        }
        let tx = self.f.transaction(ixs, &[kp]).await;
        let plain_lands = matches!(
            self.f
                .ctx
                .banks_client
                .simulate_transaction(tx)
                .await
                .map(|s| s.result),
            Ok(Some(Ok(())))
        );
        let fee = lending_math::flash::fee(size, reserve.flash_loan_fee_bps).unwrap_or(u64::MAX);
        let token = self.users[keeper].tokens[repay];
        let own = self.f.balance(&token).await;
        let mut wrapped = vec![self.f.flash_borrow_ix(&kp.pubkey(), &token, repay, size)];
        wrapped.append(ixs);
        wrapped.push(self.f.flash_repay_ix(
            &kp.pubkey(),
            &token,
            repay,
            size,
            crate::flash_loans::ix::FIRST,
        ));
        *ixs = wrapped;
        self.record(format!("  funded by a flash loan of {size} (fee {fee})"));
        Some(FlashFunded {
            size,
            plain_lands,
            can_pay: own >= debt.saturating_add(fee),
        })
    }

    /// INV-26: a liquidation that lands unfunded lands funded when the liquidator can pay the
    /// fee, and a funded one leaves no loan outstanding (INV-23).
    async fn check_flash_funded(
        &mut self,
        loan: &FlashFunded,
        res: &Result<(), solana_program_test::BanksClientError>,
        repay: usize,
    ) {
        let entry = self
            .stats
            .entry("INV-26 flash-funded liquidations")
            .or_default();
        if res.is_ok() {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
        if loan.plain_lands && loan.can_pay && res.is_err() {
            self.violation(format!(
                "INV-26 a flash loan of {} blocked a liquidation that lands without it: {res:?}",
                loan.size
            ));
        }
        if self.f.reserve(repay).await.flash_loan_amount != 0 {
            self.violation("INV-23 a flash-funded liquidation left a loan outstanding".into());
        }
    }
}
