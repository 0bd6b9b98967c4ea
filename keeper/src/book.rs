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
use std::collections::{BTreeMap, BTreeSet, HashMap};

use lending::operations::refresh::{borrow_value, deposit_value_of_supply, Pricing};
use lending::state::{Obligation, Reserve};
use lending_math::health::{BorrowValue, DepositValue, Health};
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::market::MarketSnapshot;
use crate::planner::health_below;

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
    by_key: HashMap<Pubkey, u32>,
    /// Obligations that could not be valued (a reserve the snapshot does not price).
    unvalued: BTreeSet<Pubkey>,
    /// Positions no live entry uses any more (left by re-filing and removal).
    unused: usize,
}

/// Unused positions past which (and past half the array) [`Book::upsert`] compacts the book.
pub const COMPACT_AFTER: usize = 4_096;

/// A reserve of the snapshot, as [`Book::value`] looks it up.
struct Listed<'s> {
    key: Pubkey,
    slot: u16,
    reserve: &'s Reserve,
    /// `Reserve::total_supply_assets`, once per reserve (`None` when it cannot be computed).
    supply_assets: Option<Decimal>,
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

    /// The snapshot's reserves with their book index and supply assets, in key order.
    fn table<'s>(&mut self, snap: &'s MarketSnapshot) -> Vec<Listed<'s>> {
        snap.reserves
            .iter()
            .filter_map(|(key, v)| {
                Some(Listed {
                    key: *key,
                    slot: self.reserve_slot(key)?,
                    reserve: &v.reserve,
                    supply_assets: v.reserve.total_supply_assets().ok(),
                })
            })
            .collect()
    }

    /// Values `o`'s positions into the position array; `None` (array unchanged) when one cannot
    /// be valued against `snap`.
    fn value(&mut self, snap: &MarketSnapshot, table: &[Listed], o: &Obligation) -> Option<Health> {
        let pricing = Pricing::Liquidation { now: snap.now };
        let start = self.positions.len();
        let mut health = Health::default();
        let find = |k: &Pubkey| {
            table
                .binary_search_by(|l| l.key.cmp(k))
                .ok()
                .map(|i| &table[i])
        };
        let mut valued = || -> Option<()> {
            for d in o.active_deposits() {
                let l = find(&d.reserve)?;
                let supply = l.supply_assets?;
                let value =
                    deposit_value_of_supply(l.reserve, supply, d.shares, snap.slot, pricing)
                        .ok()?;
                health.add_deposit(&value).ok()?;
                self.positions.push(Position::Deposit {
                    reserve: l.slot,
                    shares: d.shares,
                    value,
                });
            }
            for b in o.active_borrows() {
                let l = find(&b.reserve)?;
                let normalized = b.normalized_debt_sf.get();
                let value = borrow_value(l.reserve, normalized, snap.slot).ok()?;
                health.add_borrow(&value).ok()?;
                self.positions.push(Position::Borrow {
                    reserve: l.slot,
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
        book.by_key.reserve(obligations.len());
        let table = book.table(snap);
        // Keys from one read of the chain are distinct: no entry to replace.
        for (key, o) in obligations {
            book.file(snap, &table, *key, o, None);
        }
        let skipped = book.unvalued.len();
        (book, skipped)
    }

    /// Values `o` and files it under `key`, in place of the entry `key` had (an obligation that
    /// changed on chain). When it cannot be valued against `snap`, its entry is dropped and
    /// `key` is listed in [`Self::unvalued`]; returns whether it was valued.
    ///
    /// The old positions stay in the array unused, and a reserve the obligation no longer holds
    /// keeps listing it (a re-valuation that finds nothing to change), until the book is
    /// compacted: once more than [`COMPACT_AFTER`] positions and half the array are unused.
    pub fn upsert(&mut self, snap: &MarketSnapshot, key: Pubkey, o: &Obligation) -> bool {
        self.upsert_all(snap, &[(key, *o)]) == 1
    }

    /// [`Self::upsert`] of each of `changed`; returns how many were valued.
    pub fn upsert_all(&mut self, snap: &MarketSnapshot, changed: &[(Pubkey, Obligation)]) -> usize {
        let table = self.table(snap);
        let mut valued = 0;
        for (key, o) in changed {
            let old = self.by_key.get(key).copied();
            valued += usize::from(self.file(snap, &table, *key, o, old));
        }
        if self.unused > COMPACT_AFTER && self.unused > self.positions.len() / 2 {
            self.compact();
        }
        valued
    }

    /// Keeps only what the live entries use: their positions, copied into a fresh array, the
    /// entries themselves (dropped ones go), and each reserve's holders listed anew, once each.
    /// Re-filing leaves old positions behind; this bounds what repeated changes can grow.
    pub fn compact(&mut self) {
        let old_entries = std::mem::take(&mut self.entries);
        let old_positions = std::mem::take(&mut self.positions);
        self.holders.iter_mut().for_each(Vec::clear);
        self.ranked.clear();
        self.unused = 0;
        for (i, e) in old_entries.into_iter().enumerate() {
            if self.by_key.get(&e.key) != Some(&(i as u32)) {
                continue;
            }
            let n = self.entries.len() as u32;
            let start = self.positions.len();
            self.positions
                .extend_from_slice(&old_positions[e.start as usize..e.end as usize]);
            for p in start..self.positions.len() {
                let r = self.positions[p].reserve();
                if !self.positions[start..p].iter().any(|q| q.reserve() == r) {
                    self.holders[usize::from(r)].push(n);
                }
            }
            if e.health.is_liquidatable() {
                self.ranked.insert((Reverse(deficit(&e.health)), n));
            }
            self.by_key.insert(e.key, n);
            self.entries.push(Entry {
                start: start as u32,
                end: self.positions.len() as u32,
                ..e
            });
        }
    }

    /// Files `o` under `key`, replacing entry `old` (the entry `key` has, if any).
    fn file(
        &mut self,
        snap: &MarketSnapshot,
        table: &[Listed],
        key: Pubkey,
        o: &Obligation,
        old: Option<u32>,
    ) -> bool {
        let start = self.positions.len();
        let valued = self.value(snap, table, o);
        if let Some(i) = old {
            self.unrank(i);
        }
        let Some(health) = valued else {
            self.remove(&key);
            self.unvalued.insert(key);
            return false;
        };
        self.unvalued.remove(&key);
        let end = self.positions.len();
        let (i, held) = match old {
            Some(i) => {
                let e = &self.entries[i as usize];
                self.unused += (e.end - e.start) as usize;
                (i, e.start as usize..e.end as usize)
            }
            None => {
                let i = self.entries.len() as u32;
                self.by_key.insert(key, i);
                self.entries.push(Entry {
                    key,
                    health,
                    start: 0,
                    end: 0,
                });
                (i, 0..0)
            }
        };
        for p in start..end {
            let r = self.positions[p].reserve();
            let seen = self.positions[start..p].iter().any(|q| q.reserve() == r)
                || self.positions[held.clone()]
                    .iter()
                    .any(|q| q.reserve() == r);
            if !seen {
                self.holders[usize::from(r)].push(i);
            }
        }
        let e = &mut self.entries[i as usize];
        (e.health, e.start, e.end) = (health, start as u32, end as u32);
        if health.is_liquidatable() {
            self.ranked.insert((Reverse(deficit(&health)), i));
        }
        true
    }

    /// Drops the entry of `key` (an obligation closed on chain).
    pub fn remove(&mut self, key: &Pubkey) {
        self.unvalued.remove(key);
        let Some(i) = self.by_key.remove(key) else {
            return;
        };
        self.unrank(i);
        let e = &mut self.entries[i as usize];
        self.unused += (e.end - e.start) as usize;
        (e.health, e.start, e.end) = (Health::default(), 0, 0);
    }

    fn unrank(&mut self, i: u32) {
        let h = self.entries[i as usize].health;
        if h.is_liquidatable() {
            self.ranked.remove(&(Reverse(deficit(&h)), i));
        }
    }

    /// Obligations that could not be valued when they were last filed.
    pub fn unvalued(&self) -> impl Iterator<Item = &Pubkey> + '_ {
        self.unvalued.iter()
    }

    /// The obligations worth a full assessment: with debt, and either a health factor below
    /// `bps` (which includes every liquidatable one) or collateral worth less than
    /// `dust_value` (a bad-debt write-off may be due: that needs every deposit to redeem for
    /// no token, so less than one base unit's value each).
    pub fn watch(&self, bps: u64, dust_value: Decimal) -> Vec<Pubkey> {
        // Dropped entries have no debt: the filter leaves them out.
        self.entries
            .iter()
            .filter(|e| {
                let h = &e.health;
                health_below(h, bps)
                    || (!h.bf_adjusted_debt_value.is_zero() && h.deposited_value < dust_value)
            })
            .map(|e| e.key)
            .collect()
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
        let supply_assets = r.total_supply_assets().ok();
        let holders = &self.holders[usize::from(slot)];
        for &i in holders {
            let e = &mut self.entries[i as usize];
            let before = e.health;
            let positions = &mut self.positions[e.start as usize..e.end as usize];
            e.health = revalue(positions, slot, r, supply_assets, snap, before);
            if e.health == before {
                continue;
            }
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
        self.by_key.len()
    }

    /// True when the book holds no obligation.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// `totals − old + new` over the positions in reserve `slot`; a position that fails to value
/// keeps its old value.
fn revalue(
    positions: &mut [Position],
    slot: u16,
    r: &Reserve,
    supply_assets: Option<Decimal>,
    snap: &MarketSnapshot,
    mut h: Health,
) -> Health {
    let pricing = Pricing::Liquidation { now: snap.now };
    for p in positions.iter_mut().filter(|p| p.reserve() == slot) {
        match p {
            Position::Deposit { shares, value, .. } => {
                let Some(supply) = supply_assets else {
                    continue;
                };
                if let Ok(v) = deposit_value_of_supply(r, supply, *shares, snap.slot, pricing) {
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
