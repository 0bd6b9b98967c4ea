//! The keeper's view of the market between rounds: a [`Book`] of every obligation, kept current
//! from the chain's log of changed accounts, so that a round assesses in full
//! (`planner::assess`, the program's own refresh) only the obligations the book flags.
//!
//! Each round, against the market snapshot (reserves refreshed off-chain to now):
//! - when the chain logs changes and its log reaches back to the last round, the obligations
//!   that changed are filed again ([`Book::upsert`], [`Book::remove`]), and the positions of each
//!   reserve whose valuation inputs moved (prices, confidence, freshness, risk parameters, or a
//!   share value that fell: a bad-debt write-off) are re-valued ([`Book::reprice`]): a price
//!   tick touches only the obligations that hold it;
//! - otherwise the book is rebuilt from every obligation: polling backends, a stream resync or
//!   reconnection, a reserve listed or delisted, or a book older than [`REBUILD_SECS`];
//! - the watch list is assessed: obligations with debt whose health factor is under the
//!   warning level plus [`WATCH_MARGIN_BPS`] (every liquidatable one among them), or whose
//!   collateral is worth less than one base unit per deposit slot (a write-off may be due).
//!
//! Between rebuilds the book does not follow interest: a position of a reserve whose price did
//! not move keeps the value of its last valuation (deposits then count low, debts may count
//! low). Debt grows by at most `APR × REBUILD_SECS` between rebuilds (0.1% at 100% APR), far
//! inside the margin, so no obligation can cross from outside the watch list to liquidatable
//! unseen; everything on the list is valued exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use anyhow::Result;
use lending::constants::{MAX_DEPOSITS, MAX_EMODE_GROUPS};
use lending::state::{EmodeGroup, Obligation};
use lending_math::health::unit_value;
use lending_math::shares::share_value;
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::book::Book;
use crate::chain::{Chain, Cursor};
use crate::market::{decode, load_obligations, MarketSnapshot, ReserveView};

/// Health-factor margin (bps) over the warning level (and over 1.0) within which obligations
/// are assessed in full every round.
pub const WATCH_MARGIN_BPS: u64 = 200;
/// Longest time between full rebuilds of the book (seconds of chain time).
pub const REBUILD_SECS: i64 = 300;

/// What a reserve's positions are valued from, beyond the position itself.
#[derive(Clone, Debug)]
struct Inputs {
    spot: Decimal,
    ema: Decimal,
    conf: Decimal,
    /// The time, for a reserve not priced in the snapshot's slot: its collateral's last price
    /// decays with it.
    unpriced_at: Option<i64>,
    /// LTV, threshold, borrow factor, decimals, e-mode memberships, and the market's groups.
    params: (u16, u16, u16, u8, u64, [EmodeGroup; MAX_EMODE_GROUPS]),
    /// Supply assets per share. Interest only raises it; a bad-debt write-off lowers it (the
    /// depositors bear the loss), which makes every deposit of the reserve worth less at an
    /// unchanged price.
    share_value: Decimal,
}

impl Inputs {
    /// True when positions valued on `self` must be valued again on `now`: a price, its
    /// freshness or a parameter changed, or the share value fell. A share value that rose
    /// (interest) leaves the book's deposit values conservative: no need.
    fn moved(&self, now: &Inputs) -> bool {
        (
            self.spot,
            self.ema,
            self.conf,
            self.unpriced_at,
            self.params,
        ) != (now.spot, now.ema, now.conf, now.unpriced_at, now.params)
            || now.share_value < self.share_value
    }

    fn of(v: &ReserveView, snap: &MarketSnapshot) -> Self {
        let r = &v.reserve;
        let c = &r.config;
        Inputs {
            spot: r.price_sf.get(),
            ema: r.ema_price_sf.get(),
            conf: r.price_conf_sf.get(),
            unpriced_at: (!r.is_fresh(snap.slot)).then_some(snap.now),
            params: (
                c.loan_to_value_bps,
                c.liquidation_threshold_bps,
                c.borrow_factor_bps,
                r.decimals,
                r.emode_groups,
                snap.market.emode_groups,
            ),
            share_value: r
                .total_supply_assets()
                .and_then(|a| share_value(a, r.share_supply))
                .unwrap_or_default(),
        }
    }
}

struct State {
    book: Book,
    cursor: Option<Cursor>,
    inputs: BTreeMap<Pubkey, Inputs>,
    built_at: i64,
}

/// What one round's update of the book found.
#[derive(Clone, Debug, Default)]
pub struct Tracked {
    /// Obligations in the book.
    pub valued: usize,
    /// Obligations that could not be valued.
    pub skipped: usize,
    /// The watch list, as read from the chain.
    pub watch: Vec<(Pubkey, Obligation)>,
    /// True when the book was rebuilt from every obligation.
    pub rebuilt: bool,
    /// Obligations filed again because they changed on chain.
    pub refiled: usize,
    /// Reserves whose positions were re-valued.
    pub repriced: usize,
}

/// The book between rounds (empty until the first).
#[derive(Default)]
pub struct Tracker {
    state: Mutex<Option<State>>,
}

impl Tracker {
    fn take(&self) -> Option<State> {
        match self.state.lock() {
            Ok(mut g) => g.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }

    fn keep(&self, s: State) {
        match self.state.lock() {
            Ok(mut g) => *g = Some(s),
            Err(poisoned) => *poisoned.into_inner() = Some(s),
        }
    }

    /// Brings the book up to `snap` and returns the obligations to assess: those with debt under
    /// `warn_bps` (or 1.0) plus [`WATCH_MARGIN_BPS`], or nearly without collateral.
    pub async fn update<C: Chain>(
        &self,
        chain: &C,
        snap: &MarketSnapshot,
        warn_bps: u64,
    ) -> Result<Tracked> {
        let inputs: BTreeMap<Pubkey, Inputs> = snap
            .reserves
            .iter()
            .map(|(k, v)| (*k, Inputs::of(v, snap)))
            .collect();
        let mut out = Tracked::default();
        let previous = self.take();
        let current = previous.as_ref().is_some_and(|s| {
            snap.now.saturating_sub(s.built_at) < REBUILD_SECS && s.inputs.keys().eq(inputs.keys())
        });
        let changes = previous
            .as_ref()
            .filter(|_| current)
            .and_then(|s| s.cursor)
            .and_then(|c| chain.changed_since(c));
        let (mut state, loaded) = match (previous, changes) {
            (Some(mut s), Some((cursor, keys))) => {
                out.refiled = refile(chain, snap, &mut s.book, &keys).await?;
                for (k, now) in inputs {
                    // Same key set as `s.inputs` (checked above).
                    if s.inputs.get(&k).is_none_or(|was| was.moved(&now)) {
                        s.book.reprice(snap, &k);
                        out.repriced += 1;
                        s.inputs.insert(k, now);
                    }
                }
                s.cursor = Some(cursor);
                (s, None)
            }
            (previous, _) => {
                // The cursor before the read: what changes while reading is filed again next
                // round (filing is idempotent).
                let cursor = chain.change_cursor();
                let all = load_obligations(chain, &snap.market_key).await?;
                // Rebuilt in the old book's memory.
                let mut book = previous.map(|s| s.book).unwrap_or_default();
                book.rebuild(snap, &all);
                out.rebuilt = true;
                let state = State {
                    book,
                    cursor,
                    inputs,
                    built_at: snap.now,
                };
                (state, Some(all))
            }
        };
        // An obligation that could not be valued is tried again every round.
        let retry: Vec<Pubkey> = state.book.unvalued().copied().collect();
        if loaded.is_none() && !retry.is_empty() {
            refile(chain, snap, &mut state.book, &retry).await?;
        }
        let watch = state.book.watch(
            warn_bps.max(10_000).saturating_add(WATCH_MARGIN_BPS),
            dust_bound(snap),
        );
        out.watch = match loaded {
            Some(all) => {
                let wanted: BTreeSet<Pubkey> = watch.into_iter().collect();
                all.into_iter()
                    .filter(|(k, _)| wanted.contains(k))
                    .collect()
            }
            None => read(chain, &watch).await?,
        };
        out.valued = state.book.len();
        out.skipped = state.book.unvalued().count();
        self.keep(state);
        Ok(out)
    }
}

/// Less than what a collateral whose every deposit redeems for no token can be worth: one base
/// unit of the dearest reserve per deposit slot.
fn dust_bound(snap: &MarketSnapshot) -> Decimal {
    let unit = snap
        .reserves
        .values()
        .filter_map(|v| {
            let r = &v.reserve;
            unit_value(r.price_sf.get().max(r.ema_price_sf.get()), r.decimals).ok()
        })
        .max()
        .unwrap_or_default();
    unit.try_mul_u64(MAX_DEPOSITS as u64)
        .unwrap_or(Decimal(lending_math::fixed::U256::MAX))
}

/// The obligations among `keys`, as the chain holds them now (closed ones left out).
async fn read<C: Chain>(chain: &C, keys: &[Pubkey]) -> Result<Vec<(Pubkey, Obligation)>> {
    let accounts = chain.accounts(keys).await?;
    Ok(keys
        .iter()
        .zip(accounts)
        .filter_map(|(k, a)| Some((*k, decode::<Obligation>(&a?.data).ok()?)))
        .collect())
}

/// Files again the obligations among the changed `keys` (other accounts are skipped; closed
/// obligations leave the book). Returns how many obligations it filed.
async fn refile<C: Chain>(
    chain: &C,
    snap: &MarketSnapshot,
    book: &mut Book,
    keys: &[Pubkey],
) -> Result<usize> {
    let accounts = chain.accounts(keys).await?;
    let mut changed = Vec::new();
    for (key, account) in keys.iter().zip(accounts) {
        // Other program accounts (reserves, oracle configs, the market) do not decode.
        match account.map(|a| decode::<Obligation>(&a.data)) {
            Some(Ok(o)) if o.lending_market == snap.market_key => changed.push((*key, o)),
            Some(Ok(_)) | Some(Err(_)) => {}
            None => book.remove(key),
        }
    }
    book.upsert_all(snap, &changed);
    Ok(changed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(share_value: u64) -> Inputs {
        Inputs {
            spot: Decimal::from_u64(100),
            ema: Decimal::from_u64(100),
            conf: Decimal::zero(),
            unpriced_at: None,
            params: (
                7_000,
                7_800,
                10_000,
                9,
                0,
                [EmodeGroup::default(); MAX_EMODE_GROUPS],
            ),
            share_value: Decimal::from_u64(share_value),
        }
    }

    #[test]
    fn successful_moved_on_a_falling_share_value_not_on_interest() {
        let was = inputs(10);
        assert!(!was.moved(&inputs(10)));
        assert!(
            !was.moved(&inputs(11)),
            "interest raises it: no re-valuation"
        );
        assert!(was.moved(&inputs(9)), "a write-off lowers it");
        let mut repriced = inputs(10);
        repriced.spot = Decimal::from_u64(99);
        assert!(was.moved(&repriced));
        let mut unpriced = inputs(10);
        unpriced.unpriced_at = Some(5);
        assert!(was.moved(&unpriced));
        // An e-mode membership, or a change of the market's groups, re-values the positions.
        let mut joined = inputs(10);
        joined.params.4 = 1;
        assert!(was.moved(&joined));
        let mut regrouped = inputs(10);
        regrouped.params.5[0].liquidation_threshold_bps = 9_300;
        assert!(was.moved(&regrouped));
    }
}
