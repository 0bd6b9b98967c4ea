//! The keeper's order book of obligations, indexed by reserve, so that a price update of one
//! reserve re-values only the obligations that hold it.
//!
//! Each entry keeps the values of every position, computed with the program's own
//! `operations::refresh::{deposit_value, borrow_value}`, and the obligation's totals as their
//! sum. A tick of reserve `R` replaces, in each entry that holds `R`, the old values of its
//! `R` positions by new ones: `totals' = totals − old + new`. `Decimal` addition is exact, so
//! the totals are the ones a from-scratch valuation gives (tested against `refresh_obligation`).
//! The liquidatable entries are kept ranked by deficit `BFDV − UBV`, deepest first. Positions
//! are kept in one array, not as copies of the 1,064-byte obligation accounts.
//!
//! Interest accrues in every reserve between ticks; a tick re-values only the moved reserve's
//! positions (at that reserve's accrued state). A periodic full rebuild picks up the rest.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use lending::operations::refresh::{borrow_value, deposit_value, Pricing};
use lending::state::{Obligation, Reserve};
use lending_math::health::{BorrowValue, DepositValue, Health};
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::market::MarketSnapshot;

/// One position of an obligation, with what it holds and its values.
#[derive(Clone, Copy, Debug)]
enum Position {
    Deposit {
        reserve: u16,
        shares: u64,
        value: DepositValue,
    },
    Borrow {
        reserve: u16,
        normalized: Decimal,
        value: BorrowValue,
    },
}

impl Position {
    fn reserve(&self) -> u16 {
        match self {
            Position::Deposit { reserve, .. } | Position::Borrow { reserve, .. } => *reserve,
        }
    }
}

/// One obligation: its totals and where its positions are.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Obligation address.
    pub key: Pubkey,
    /// The sums of its position values.
    pub health: Health,
    /// Its positions: `positions[start..end]` of the book.
    start: u32,
    end: u32,
}

/// Obligations by reserve, and the liquidatable ones ranked. Positions live in one array rather
/// than in a copy of every obligation account.
#[derive(Clone, Debug, Default)]
pub struct Book {
    entries: Vec<Entry>,
    positions: Vec<Position>,
    /// The index of each reserve (in order of first sight).
    reserve_index: BTreeMap<Pubkey, u16>,
    /// Entries holding each reserve (by reserve index), each listed once.
    holders: Vec<Vec<u32>>,
    ranked: BTreeSet<(Reverse<Decimal>, u32)>,
    /// Entry of each obligation address.
    by_key: BTreeMap<Pubkey, u32>,
}

fn deficit(h: &Health) -> Decimal {
    h.bf_adjusted_debt_value
        .saturating_sub(h.unhealthy_borrow_value)
}

impl Book {
    fn reserve_slot(&mut self, key: &Pubkey) -> Option<u16> {
        if let Some(i) = self.reserve_index.get(key) {
            return Some(*i);
        }
        let i = u16::try_from(self.holders.len()).ok()?;
        self.reserve_index.insert(*key, i);
        self.holders.push(Vec::new());
        Some(i)
    }

    /// Values `o`'s positions into the position array; `None` (array unchanged) when one cannot
    /// be valued against `snap`.
    fn value(&mut self, snap: &MarketSnapshot, o: &Obligation) -> Option<Health> {
        let pricing = Pricing::Liquidation { now: snap.now };
        let start = self.positions.len();
        let mut health = Health::default();
        let mut valued = || -> Option<()> {
            let reserve = |k: &Pubkey| snap.reserves.get(k).map(|v| &v.reserve);
            for d in o.active_deposits() {
                let value =
                    deposit_value(reserve(&d.reserve)?, d.shares, snap.slot, pricing).ok()?;
                health.add_deposit(&value).ok()?;
                let slot = self.reserve_slot(&d.reserve)?;
                self.positions.push(Position::Deposit {
                    reserve: slot,
                    shares: d.shares,
                    value,
                });
            }
            for b in o.active_borrows() {
                let normalized = b.normalized_debt_sf.get();
                let value = borrow_value(reserve(&b.reserve)?, normalized, snap.slot).ok()?;
                health.add_borrow(&value).ok()?;
                let slot = self.reserve_slot(&b.reserve)?;
                self.positions.push(Position::Borrow {
                    reserve: slot,
                    normalized,
                    value,
                });
            }
            Some(())
        };
        if valued().is_none() {
            self.positions.truncate(start);
            return None;
        }
        Some(health)
    }

    /// Values every obligation against `snap` (the full rescan). Obligations with a reserve the
    /// snapshot cannot price are left out; returns the book and how many were.
    pub fn build(snap: &MarketSnapshot, obligations: &[(Pubkey, Obligation)]) -> (Book, usize) {
        let mut book = Book::default();
        book.entries.reserve(obligations.len());
        book.positions.reserve(obligations.len() * 2);
        let mut skipped = 0;
        for (key, o) in obligations {
            let start = book.positions.len();
            let Some(health) = book.value(snap, o) else {
                skipped += 1;
                continue;
            };
            let i = book.entries.len() as u32;
            let end = book.positions.len();
            for p in start..end {
                let r = book.positions[p].reserve();
                let first = book.positions[start..p].iter().all(|q| q.reserve() != r);
                if first {
                    book.holders[usize::from(r)].push(i);
                }
            }
            if health.is_liquidatable() {
                book.ranked.insert((Reverse(deficit(&health)), i));
            }
            book.by_key.insert(*key, i);
            book.entries.push(Entry {
                key: *key,
                health,
                start: start as u32,
                end: end as u32,
            });
        }
        (book, skipped)
    }

    /// Re-values the positions in `reserve` (as `snap` now holds it) of every obligation that
    /// holds it, and re-ranks those. Returns how many obligations it touched.
    pub fn reprice(&mut self, snap: &MarketSnapshot, reserve: &Pubkey) -> usize {
        let Some(r) = snap.reserves.get(reserve).map(|v| &v.reserve) else {
            return 0;
        };
        let Some(&slot) = self.reserve_index.get(reserve) else {
            return 0;
        };
        let holders = &self.holders[usize::from(slot)];
        for &i in holders {
            let e = &mut self.entries[i as usize];
            let before = e.health;
            let positions = &mut self.positions[e.start as usize..e.end as usize];
            e.health = revalue(positions, slot, r, snap, before);
            if before.is_liquidatable() {
                self.ranked.remove(&(Reverse(deficit(&before)), i));
            }
            if e.health.is_liquidatable() {
                self.ranked.insert((Reverse(deficit(&e.health)), i));
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
        self.by_key.get(key).map(|i| &self.entries[*i as usize])
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

/// `totals − old + new` over the positions in reserve `slot`; a position that fails to value
/// keeps its old value.
fn revalue(
    positions: &mut [Position],
    slot: u16,
    r: &Reserve,
    snap: &MarketSnapshot,
    mut h: Health,
) -> Health {
    let pricing = Pricing::Liquidation { now: snap.now };
    for p in positions.iter_mut().filter(|p| p.reserve() == slot) {
        match p {
            Position::Deposit { shares, value, .. } => {
                if let Ok(v) = deposit_value(r, *shares, snap.slot, pricing) {
                    let mut next = h;
                    next.sub_deposit(value);
                    if next.add_deposit(&v).is_ok() {
                        (h, *value) = (next, v);
                    }
                }
            }
            Position::Borrow {
                normalized, value, ..
            } => {
                if let Ok(v) = borrow_value(r, *normalized, snap.slot) {
                    let mut next = h;
                    next.sub_borrow(value);
                    if next.add_borrow(&v).is_ok() {
                        (h, *value) = (next, v);
                    }
                }
            }
        }
    }
    h
}
