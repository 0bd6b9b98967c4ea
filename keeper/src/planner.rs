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
use lending_math::{shares, Decimal};
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
    /// Deposit reserves whose shares here redeem for no token: collateral no liquidation can
    /// seize, which `socialize_bad_debt` burns when given these reserves.
    pub dust_deposits: Vec<Pubkey>,
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

    /// True when the obligation has debt and its health factor is below `bps`
    /// ([`lending_math::health::Standing::health_below`], the book's watch test).
    pub fn health_below(&self, bps: u64) -> bool {
        self.health.standing().health_below(bps)
    }

    /// `BFDV − UBV`, how far under water (0 when healthy).
    pub fn deficit(&self) -> Decimal {
        self.health
            .bf_adjusted_debt_value
            .saturating_sub(self.health.unhealthy_borrow_value)
    }

    /// Debt and no collateral left but dust: a bad-debt write-off is due.
    pub fn bankrupt(&self) -> bool {
        self.obligation.has_debt() && self.collateral_deposits() == 0
    }

    /// Deposits that are not dust.
    pub fn collateral_deposits(&self) -> usize {
        self.obligation
            .active_deposits()
            .filter(|d| !self.dust_deposits.contains(&d.reserve))
            .count()
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
    let group = snap
        .market
        .obligation_group(&o)
        .map_err(|e| anyhow!("{key}: {e}"))?;
    let health = refresh_obligation(
        &mut o,
        &reserves,
        snap.slot,
        snap.now,
        gap,
        Pricing::Liquidation { now: snap.now },
        group,
    )
    .map_err(|e| anyhow!("{key}: {e}"))?;
    let mut dust_deposits = Vec::new();
    for d in o.active_deposits() {
        let r = &snap
            .reserves
            .get(&d.reserve)
            .ok_or_else(|| anyhow!("unknown reserve {}", d.reserve))?
            .reserve;
        let assets = r.total_supply_assets().map_err(|e| anyhow!("{e}"))?;
        if shares::redeem_amount(d.shares, assets, r.share_supply).map_err(|e| anyhow!("{e}"))? == 0
        {
            dust_deposits.push(d.reserve);
        }
    }
    Ok(Assessment {
        key,
        obligation: o,
        health,
        dust_deposits,
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
    /// Debts to write off in the same transaction when this liquidation takes the last
    /// collateral but dust deposits remain (without dust the program writes off every debt
    /// left itself).
    pub write_offs: Vec<Pubkey>,
    /// The obligation's dust deposit reserves, passed to each write-off to be swept.
    pub dust_deposits: Vec<Pubkey>,
    /// True when the liquidation takes the last collateral and debt is left: the rest is
    /// written off as bad debt in the same transaction.
    pub leaves_bad_debt: bool,
    /// Paid in supply shares to the keeper's obligation (the reserve lacks free liquidity).
    pub to_shares: bool,
    /// The obligation's e-mode group (0 = none): its members' bonus bounds are the group's.
    pub emode_group: u8,
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
            let last = a.collateral_deposits() == 1
                && !a.dust_deposits.contains(&d.reserve)
                && plan.seize_shares == d.shares;
            let repays_all = plan.repay_amount
                >= b.normalized_debt_sf
                    .get()
                    .try_mul(debt.borrow_index_sf.get())
                    .and_then(|d| d.try_ceil_u64())
                    .unwrap_or(u64::MAX);
            // Taking the last collateral, the program writes off every debt left itself (the
            // other reserves' too). With dust left it sees collateral and writes off nothing:
            // the write-offs that sweep the dust follow in the same transaction.
            let program_writes_off = a.dust_deposits.is_empty();
            let write_offs = if last && !program_writes_off {
                a.obligation
                    .active_borrows()
                    .map(|x| x.reserve)
                    .filter(|k| *k != b.reserve || !repays_all)
                    .collect()
            } else {
                Vec::new()
            };
            let others_left = a
                .obligation
                .active_borrows()
                .any(|x| x.reserve != b.reserve);
            let leaves_bad_debt = last && (!repays_all || others_left);
            let c = Candidate {
                obligation: a.key,
                write_offs,
                dust_deposits: a.dust_deposits.clone(),
                leaves_bad_debt,
                to_shares,
                emode_group: a.obligation.emode_group,
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

#[cfg(test)]
mod tests {
    use lending::state::{LendingMarket, Sf};

    use super::*;
    use crate::market::ReserveView;

    const SLOT: u64 = 50;

    fn sf(n: u64) -> Sf {
        Sf::from_decimal(Decimal::from_u64(n)).expect("sf")
    }

    /// A reserve of `market` priced at $1 this slot, with `assets` tokens behind `shares`.
    fn reserve(market: Pubkey, assets: u64, shares: u64) -> Reserve {
        let mut r: Reserve = bytemuck::Zeroable::zeroed();
        r.lending_market = market;
        r.available_amount = assets;
        r.share_supply = shares;
        r.decimals = 6;
        r.price_slot = SLOT;
        r.price_sf = sf(1);
        r.ema_price_sf = sf(1);
        r.borrow_index_sf = sf(1);
        r.config.loan_to_value_bps = 7_000;
        r.config.liquidation_threshold_bps = 8_000;
        r.config.borrow_factor_bps = 10_000;
        r
    }

    fn view(reserve: Reserve) -> ReserveView {
        ReserveView {
            reserve,
            oracle_config: bytemuck::Zeroable::zeroed(),
            price_error: None,
        }
    }

    #[test]
    fn successful_assessment_counts_dust_deposits_as_no_collateral() {
        let market_key = Pubkey::new_unique();
        let (dust, debt) = (Pubkey::new_unique(), Pubkey::new_unique());
        let mut market: LendingMarket = bytemuck::Zeroable::zeroed();
        market.liquidation_auction_secs = 600;
        let snap = MarketSnapshot {
            market_key,
            market,
            // After a write-off, 3 shares back 1 token: one share redeems for nothing.
            reserves: BTreeMap::from([
                (dust, view(reserve(market_key, 1, 3))),
                (debt, view(reserve(market_key, 1_000_000, 1_000_000))),
            ]),
            slot: SLOT,
            now: 1_000,
        };
        let mut o: Obligation = bytemuck::Zeroable::zeroed();
        o.lending_market = market_key;
        let i = o.find_or_add_deposit(&dust).expect("deposit slot");
        o.deposits[i].shares = 1;
        let j = o.find_or_add_borrow(&debt).expect("borrow slot");
        o.borrows[j].normalized_debt_sf = sf(5);
        o.borrows[j].principal = 5;
        let key = Pubkey::new_unique();
        let a = assess(&snap, key, &o).expect("assess");
        assert_eq!(a.dust_deposits, vec![dust]);
        assert!(
            a.bankrupt(),
            "dust is no collateral: the debt is written off"
        );
        let ix = crate::instructions::socialize_bad_debt(market_key, key, debt, &a.dust_deposits);
        let swept = ix.accounts.last().expect("remaining account");
        assert_eq!(
            (swept.pubkey, swept.is_writable),
            (dust, true),
            "the dust reserve goes writable to the write-off, which burns its shares"
        );
        // One share of a reserve where a share is worth a token is collateral.
        let snap = MarketSnapshot {
            reserves: BTreeMap::from([
                (dust, view(reserve(market_key, 3, 3))),
                (debt, view(reserve(market_key, 1_000_000, 1_000_000))),
            ]),
            ..snap
        };
        let a = assess(&snap, key, &o).expect("assess");
        assert!(a.dust_deposits.is_empty());
        assert!(!a.bankrupt());
    }
}
