//! The keeper's order book of obligations, indexed by reserve, so that a price update of one
//! reserve re-values only the obligations that hold it.
//!
//! Each entry keeps the values of every position, computed with the program's own
//! `operations::refresh::{deposit_value, borrow_value}`, and the obligation's totals as their
//! sum. A tick of reserve `R` replaces, in each entry that holds `R`, the old values of its
//! `R` positions by new ones: `totals' = totals − old + new`. `Decimal` addition is exact, so
//! the totals are the ones a from-scratch valuation gives (tested against `refresh_obligation`).
//! The liquidatable entries are kept ranked by deficit `BFDV − UBV`, deepest first.
//!
//! Interest accrues in every reserve between ticks; a tick re-values only the moved reserve's
//! positions (at that reserve's accrued state). A periodic full rebuild picks up the rest.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use lending::constants::{MAX_BORROWS, MAX_DEPOSITS};
use lending::operations::refresh::{borrow_value, deposit_value, Pricing};
use lending::state::Obligation;
use lending_math::health::{BorrowValue, DepositValue, Health};
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::market::MarketSnapshot;

/// One obligation with its per-position values.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Obligation address.
    pub key: Pubkey,
    /// The obligation as last read.
    pub obligation: Obligation,
    /// Values of its deposits, in position order.
    pub deposits: [DepositValue; MAX_DEPOSITS],
    /// Values of its borrows, in position order.
    pub borrows: [BorrowValue; MAX_BORROWS],
    /// Their sums.
    pub health: Health,
}

/// Obligations by reserve, and the liquidatable ones ranked.
#[derive(Clone, Debug, Default)]
pub struct Book {
    entries: Vec<Entry>,
    by_reserve: BTreeMap<Pubkey, Vec<u32>>,
    ranked: BTreeSet<(Reverse<Decimal>, u32)>,
}

fn deficit(h: &Health) -> Decimal {
    h.bf_adjusted_debt_value
        .saturating_sub(h.unhealthy_borrow_value)
}

type Values = ([DepositValue; MAX_DEPOSITS], [BorrowValue; MAX_BORROWS]);

fn value(snap: &MarketSnapshot, o: &Obligation) -> Option<Values> {
    let pricing = Pricing::Liquidation { now: snap.now };
    let reserve = |k: &Pubkey| snap.reserves.get(k).map(|v| &v.reserve);
    let mut out: Values = Default::default();
    for (i, d) in o.active_deposits().enumerate() {
        out.0[i] = deposit_value(reserve(&d.reserve)?, d.shares, snap.slot, pricing).ok()?;
    }
    for (j, b) in o.active_borrows().enumerate() {
        out.1[j] =
            borrow_value(reserve(&b.reserve)?, b.normalized_debt_sf.get(), snap.slot).ok()?;
    }
    Some(out)
}

fn totals(deposits: &[DepositValue], borrows: &[BorrowValue]) -> Option<Health> {
    let mut h = Health::default();
    for d in deposits {
        h.add_deposit(d).ok()?;
    }
    for b in borrows {
        h.add_borrow(b).ok()?;
    }
    Some(h)
}

impl Book {
    /// Values every obligation against `snap` (the full rescan). Obligations with a reserve the
    /// snapshot cannot price are left out; returns the book and how many were.
    pub fn build(snap: &MarketSnapshot, obligations: &[(Pubkey, Obligation)]) -> (Book, usize) {
        let mut book = Book::default();
        let mut skipped = 0;
        for (key, o) in obligations {
            let Some((deposits, borrows)) = value(snap, o) else {
                skipped += 1;
                continue;
            };
            let Some(health) = totals(&deposits, &borrows) else {
                skipped += 1;
                continue;
            };
            let i = book.entries.len() as u32;
            let reserves: BTreeSet<Pubkey> = o
                .active_deposits()
                .map(|d| d.reserve)
                .chain(o.active_borrows().map(|b| b.reserve))
                .collect();
            for r in reserves {
                book.by_reserve.entry(r).or_default().push(i);
            }
            if health.is_liquidatable() {
                book.ranked.insert((Reverse(deficit(&health)), i));
            }
            book.entries.push(Entry {
                key: *key,
                obligation: *o,
                deposits,
                borrows,
                health,
            });
        }
        (book, skipped)
    }

    /// Re-values the positions in `reserve` (as `snap` now holds it) of every obligation that
    /// holds it, and re-ranks those. Returns how many obligations it touched.
    pub fn reprice(&mut self, snap: &MarketSnapshot, reserve: &Pubkey) -> usize {
        let Some(r) = snap.reserves.get(reserve).map(|v| v.reserve) else {
            return 0;
        };
        let Some(holders) = self.by_reserve.get(reserve) else {
            return 0;
        };
        let pricing = Pricing::Liquidation { now: snap.now };
        for &i in holders {
            let e = &mut self.entries[i as usize];
            let before = e.health;
            let mut h = e.health;
            for (j, d) in e.obligation.active_deposits().enumerate() {
                if d.reserve == *reserve {
                    if let Ok(v) = deposit_value(&r, d.shares, snap.slot, pricing) {
                        let mut next = h;
                        next.sub_deposit(&e.deposits[j]);
                        if next.add_deposit(&v).is_ok() {
                            (h, e.deposits[j]) = (next, v);
                        }
                    }
                }
            }
            for (j, b) in e.obligation.active_borrows().enumerate() {
                if b.reserve == *reserve {
                    if let Ok(v) = borrow_value(&r, b.normalized_debt_sf.get(), snap.slot) {
                        let mut next = h;
                        next.sub_borrow(&e.borrows[j]);
                        if next.add_borrow(&v).is_ok() {
                            (h, e.borrows[j]) = (next, v);
                        }
                    }
                }
            }
            e.health = h;
            if before.is_liquidatable() {
                self.ranked.remove(&(Reverse(deficit(&before)), i));
            }
            if h.is_liquidatable() {
                self.ranked.insert((Reverse(deficit(&h)), i));
            }
        }
        holders.len()
    }

    /// The liquidatable obligations, deepest under water first: `(key, BFDV − UBV)`.
    pub fn ranked(&self) -> impl Iterator<Item = (Pubkey, Decimal)> + '_ {
        self.ranked
            .iter()
            .map(|(Reverse(d), i)| (self.entries[*i as usize].key, *d))
    }

    /// The entry of `key`.
    pub fn entry(&self, key: &Pubkey) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == *key)
    }

    /// Obligations in the book.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the book holds no obligation.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
