//! Health of every obligation and the best liquidation of each unhealthy one, computed with the
//! program's own operations on copies of the accounts (`refresh_obligation`, `liquidate`), which
//! themselves call `lending-math`: what the keeper predicts is what the program will do.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use anyhow::{anyhow, Result};
use lending::operations::liquidation::{liquidate, LiquidationReserves, Payout};
use lending::operations::refresh::{refresh_obligation, Pricing};
use lending::state::{Obligation, Reserve};
use lending_math::health::{health_factor_bps, market_value, Health};
use lending_math::liquidation::LiquidationPlan;
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::market::MarketSnapshot;

/// An obligation's state if refreshed now.
#[derive(Clone, Debug)]
pub struct Assessment {
    /// Obligation address.
    pub key: Pubkey,
    /// The obligation after the off-chain refresh.
    pub obligation: Obligation,
    /// Its totals.
    pub health: Health,
}

impl Assessment {
    /// `BFDV > UBV`.
    pub fn liquidatable(&self) -> bool {
        self.health.is_liquidatable()
    }

    /// Health factor `UBV / BFDV` in bps (u64::MAX without debt).
    pub fn health_factor_bps(&self) -> u64 {
        health_factor_bps(&self.health).unwrap_or(0)
    }

    /// True when the obligation has debt and its health factor is below `bps`, compared as
    /// `UBV × 10,000 < BFDV × bps` so that a scan of every obligation needs no division.
    pub fn health_below(&self, bps: u64) -> bool {
        let h = &self.health;
        match (
            h.unhealthy_borrow_value.try_mul_u64(10_000),
            h.bf_adjusted_debt_value.try_mul_u64(bps),
        ) {
            (Ok(lhs), Ok(rhs)) => !h.bf_adjusted_debt_value.is_zero() && lhs < rhs,
            _ => false,
        }
    }

    /// `BFDV − UBV`, how far under water (0 when healthy).
    pub fn deficit(&self) -> Decimal {
        self.health
            .bf_adjusted_debt_value
            .saturating_sub(self.health.unhealthy_borrow_value)
    }

    /// Debt and no collateral left: a bad-debt write-off is due.
    pub fn bankrupt(&self) -> bool {
        self.obligation.has_debt() && self.obligation.active_deposits().next().is_none()
    }
}

fn reserves_of<'a>(snap: &'a MarketSnapshot, o: &Obligation) -> Result<Vec<(Pubkey, &'a Reserve)>> {
    o.active_deposits()
        .map(|d| d.reserve)
        .chain(o.active_borrows().map(|b| b.reserve))
        .map(|k| {
            let v = snap
                .reserves
                .get(&k)
                .ok_or_else(|| anyhow!("unknown reserve {k}"))?;
            match &v.price_error {
                Some(_) if v.reserve.oracle_failed(snap.slot) => Ok((k, &v.reserve)),
                Some(e) => Err(anyhow!("reserve {k} has no usable price: {e}")),
                None => Ok((k, &v.reserve)),
            }
        })
        .collect()
}

/// Refreshes a copy of the obligation against the snapshot.
pub fn assess(snap: &MarketSnapshot, key: Pubkey, obligation: &Obligation) -> Result<Assessment> {
    let mut o = *obligation;
    let reserves = reserves_of(snap, &o)?;
    let gap = snap.market.episode_gap_secs();
    let health = refresh_obligation(
        &mut o,
        &reserves,
        snap.slot,
        snap.now,
        gap,
        Pricing::Liquidation { now: snap.now },
    )
    .map_err(|e| anyhow!("{key}: {e}"))?;
    Ok(Assessment {
        key,
        obligation: o,
        health,
    })
}

/// One liquidation to send.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The obligation.
    pub obligation: Pubkey,
    /// Its deposit reserves then borrow reserves (for the refresh instruction).
    pub refresh_reserves: Vec<Pubkey>,
    /// Reserve whose debt is repaid.
    pub repay_reserve: Pubkey,
    /// Reserve whose collateral is seized.
    pub withdraw_reserve: Pubkey,
    /// What the program will do.
    pub plan: LiquidationPlan,
    /// Bonus rate (bps).
    pub bonus_bps: u64,
    /// Value received minus value paid (quote units).
    pub profit: Decimal,
    /// How far under water the obligation is.
    pub deficit: Decimal,
    /// Debts in other reserves to write off in the same transaction when this liquidation
    /// takes the last collateral (the program writes off the repaid reserve's rest itself).
    pub write_offs: Vec<Pubkey>,
    /// True when the liquidation takes the last collateral and debt is left: the rest is
    /// written off as bad debt in the same transaction.
    pub leaves_bad_debt: bool,
    /// Paid in supply shares to the keeper's obligation (the reserve lacks free liquidity).
    pub to_shares: bool,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    /// Deepest under water first, then most profitable (a max-heap pops the greatest).
    fn cmp(&self, other: &Self) -> Ordering {
        self.deficit
            .cmp(&other.deficit)
            .then(self.profit.cmp(&other.profit))
            .then(self.obligation.cmp(&other.obligation))
    }
}

/// Simulates one liquidation on copies; `requested` as the instruction takes it. With
/// `to_shares`, the payout goes to a copy of an empty obligation, as `liquidator_obligation`.
fn try_pair(
    snap: &MarketSnapshot,
    a: &Assessment,
    repay: Pubkey,
    withdraw: Pubkey,
    requested: u64,
    to_shares: bool,
) -> Option<(LiquidationPlan, u64)> {
    let mut o = a.obligation;
    let mut debt = snap.reserves.get(&repay)?.reserve;
    let mut coll = snap.reserves.get(&withdraw)?.reserve;
    let others = reserves_of(snap, &o).ok()?;
    let mut receiver: Obligation = bytemuck::Zeroable::zeroed();
    receiver.lending_market = snap.market_key;
    let payout = if to_shares {
        Payout::Shares(&mut receiver)
    } else {
        Payout::Tokens
    };
    let out = liquidate(
        &snap.market,
        &mut o,
        LiquidationReserves {
            debt_key: repay,
            debt: &mut debt,
            coll_key: withdraw,
            coll: &mut coll,
            others: &others,
        },
        payout,
        snap.slot,
        snap.now,
        requested,
    )
    .ok()?;
    Some((out.plan, out.bonus.rate.try_floor_bps().ok()?))
}

/// The most profitable pair of an unhealthy obligation within the liquidator's balances
/// (token base units by mint), or `None` when nothing worth `min_profit` can be done. With a
/// `receiver` (the liquidator's obligation), a pair whose collateral reserve cannot pay in
/// tokens is paid in supply shares.
pub fn best_candidate(
    snap: &MarketSnapshot,
    a: &Assessment,
    balances: &BTreeMap<Pubkey, u64>,
    min_profit: Decimal,
    receiver: Option<Pubkey>,
) -> Option<Candidate> {
    if !a.liquidatable() {
        return None;
    }
    let mut best: Option<Candidate> = None;
    for b in a.obligation.active_borrows() {
        for d in a.obligation.active_deposits() {
            let debt = &snap.reserves.get(&b.reserve)?.reserve;
            let coll = &snap.reserves.get(&d.reserve)?.reserve;
            let balance = balances.get(&debt.mint).copied().unwrap_or(0);
            let (mut to_shares, mut found) = (
                false,
                try_pair(snap, a, b.reserve, d.reserve, u64::MAX, false),
            );
            if found.is_none() && receiver.is_some() {
                to_shares = true;
                found = try_pair(snap, a, b.reserve, d.reserve, u64::MAX, true);
            }
            let Some((mut plan, mut bonus)) = found else {
                continue;
            };
            if plan.repay_amount > balance {
                match try_pair(snap, a, b.reserve, d.reserve, balance, to_shares) {
                    Some((p, bb)) => (plan, bonus) = (p, bb),
                    None => continue,
                }
            }
            let paid = market_value(
                Decimal::from_u64(plan.repay_amount),
                debt.price_sf.get(),
                debt.decimals,
            )
            .ok()?;
            let got = market_value(
                Decimal::from_u64(plan.liquidator_amount),
                coll.price_sf.get(),
                coll.decimals,
            )
            .ok()?;
            let profit = got.saturating_sub(paid);
            if profit < min_profit {
                continue;
            }
            let last = a.obligation.active_deposits().count() == 1 && plan.seize_shares == d.shares;
            let write_offs = if last {
                a.obligation
                    .active_borrows()
                    .map(|x| x.reserve)
                    .filter(|k| *k != b.reserve)
                    .collect()
            } else {
                Vec::new()
            };
            let repays_all = plan.repay_amount
                >= b.normalized_debt_sf
                    .get()
                    .try_mul(debt.borrow_index_sf.get())
                    .and_then(|d| d.try_ceil_u64())
                    .unwrap_or(u64::MAX);
            let leaves_bad_debt = last && (!repays_all || !write_offs.is_empty());
            let c = Candidate {
                obligation: a.key,
                write_offs,
                leaves_bad_debt,
                to_shares,
                refresh_reserves: a
                    .obligation
                    .active_deposits()
                    .map(|x| x.reserve)
                    .chain(a.obligation.active_borrows().map(|x| x.reserve))
                    .collect(),
                repay_reserve: b.reserve,
                withdraw_reserve: d.reserve,
                plan,
                bonus_bps: bonus,
                profit,
                deficit: a.deficit(),
            };
            if best.as_ref().is_none_or(|x| c.profit > x.profit) {
                best = Some(c);
            }
        }
    }
    best
}
