//! The keeper's order book of obligations, indexed by reserve, so that a price update of one
//! reserve re-values only the positions in it.
//!
//! Each entry keeps the obligation's liquidation-side totals (`DV`, `UBV`, `BFDV`:
//! [`Standing`]) as the sum of its positions' values, computed with the program's own valuers
//! (`operations::refresh::{deposit_valuer, borrow_valuer}`, prepared once per reserve). A tick
//! of reserve `R` replaces, in each entry with a position in `R`, that position's old values by
//! new ones: `totals' = totals − old + new`. `Decimal` addition is exact, so the totals are the
//! ones a from-scratch valuation gives (tested against `refresh_obligation`). The liquidatable
//! entries are kept ranked by deficit `BFDV − UBV`, deepest first.
//!
//! Layout: the positions live in one list per reserve, each naming its entry, so a tick walks
//! one contiguous list and touches only the totals of the entries it changes; each entry
//! lists where its positions are (to drop them when the obligation is filed again or closed).
//! Nothing keeps a copy of the 1,064-byte obligation accounts.
//!
//! An obligation in an e-mode group values its deposits of the group's members with the
//! group's threshold: each reserve has one deposit valuer of its own and one per group it is a
//! member of (the program's `deposit_valuer` with that group), and a position names the group
//! it was valued under, so a tick re-values it with the same one.
//!
//! Interest accrues in every reserve between ticks; a tick re-values only the moved reserve's
//! positions (at that reserve's accrued state). A periodic full rebuild picks up the rest.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use lending::operations::refresh::{borrow_valuer, deposit_valuer, Pricing};
use lending::state::{LendingMarket, Obligation, Reserve};
use lending_math::health::{BorrowRisk, DepositRisk, Standing};
use lending_math::valuer::{BorrowValuer, DepositValuer};
use lending_math::Decimal;
use solana_sdk::pubkey::Pubkey;

use crate::market::MarketSnapshot;

/// What a position holds, and its values.
#[derive(Clone, Copy, Debug)]
enum Held {
    Deposit {
        shares: u64,
        /// The obligation's e-mode group (0 = none), which picks the valuer.
        group: u8,
        value: DepositRisk,
    },
    Borrow {
        normalized: Decimal,
        value: BorrowRisk,
    },
}

/// One position in a reserve's list: the entry that holds it ([`DROPPED`] once it no longer
/// does) and what it holds.
#[derive(Clone, Copy, Debug)]
struct Holding {
    entry: u32,
    held: Held,
}

/// The entry of a position whose obligation was filed again or removed.
const DROPPED: u32 = u32::MAX;

/// Where one position of an entry is: `held[reserve][index]`.
#[derive(Clone, Copy, Debug)]
struct Place {
    reserve: u16,
    index: u32,
}

/// One obligation: its totals and where its positions are.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Obligation address.
    pub key: Pubkey,
    /// The sums of its position values.
    pub health: Standing,
    /// Its positions: `places[start..end]` of the book.
    start: u32,
    end: u32,
}

/// Obligations by reserve, and the liquidatable ones ranked.
#[derive(Clone, Debug, Default)]
pub struct Book {
    entries: Vec<Entry>,
    /// The positions in each reserve (by reserve index), in filing order.
    held: Vec<Vec<Holding>>,
    /// Where each entry's positions are.
    places: Vec<Place>,
    /// The index of each reserve (in order of first sight).
    reserve_index: BTreeMap<Pubkey, u16>,
    ranked: BTreeSet<(Reverse<Decimal>, u32)>,
    /// Entry of each obligation address.
    by_key: KeyIndex,
    /// Obligations that could not be valued (a reserve the snapshot does not price).
    unvalued: BTreeSet<Pubkey>,
    /// Positions no live entry uses any more (left by re-filing and removal).
    unused: usize,
}

/// Obligations whose accounts [`Book::rebuild`] reads ahead at a time.
const CHUNK: usize = 32;

/// Unused positions past which (and past half of all) [`Book::upsert`] compacts the book.
pub const COMPACT_AFTER: usize = 4_096;

/// The program's valuers of one reserve, prepared once (`None` when the reserve cannot value
/// a position of that side).
#[derive(Clone)]
struct Valuers {
    /// Deposits of an obligation in no group, or in a group the reserve is not a member of.
    deposit: Option<DepositValuer>,
    /// Deposits of an obligation in group `g`, for each configured group `g` the reserve is
    /// a member of.
    deposit_in_group: Vec<(u8, Option<DepositValuer>)>,
    borrow: Option<BorrowValuer>,
}

impl Valuers {
    fn of(r: &Reserve, snap: &MarketSnapshot) -> Valuers {
        let pricing = Pricing::Liquidation { now: snap.now };
        Valuers {
            deposit: deposit_valuer(r, snap.slot, pricing, None).ok(),
            deposit_in_group: member_groups(&snap.market, r)
                .map(|g| (g.0, deposit_valuer(r, snap.slot, pricing, Some(g)).ok()))
                .collect(),
            borrow: borrow_valuer(r, snap.slot).ok(),
        }
    }

    /// The valuer of a deposit of an obligation in `group` (0 = none).
    fn deposit(&self, group: u8) -> Option<&DepositValuer> {
        match self.deposit_in_group.iter().find(|(g, _)| *g == group) {
            Some((_, v)) => v.as_ref(),
            None => self.deposit.as_ref(),
        }
    }
}

/// The configured groups `r` is a member of, with their parameters.
fn member_groups<'a>(
    market: &'a LendingMarket,
    r: &'a Reserve,
) -> impl Iterator<Item = (u8, lending_math::emode::RiskParams)> + 'a {
    (1..=lending_math::emode::MAX_GROUPS)
        .filter(|g| r.in_emode_group(*g))
        .filter_map(|g| market.emode_group(g).ok().flatten())
}

/// Entry of each obligation address: a hash table of entry numbers, hashed and compared by
/// the entry's key (four bytes a slot: the rebuild fills it for every obligation). The hash is
/// keyed per process: addresses are chosen by borrowers.
#[derive(Clone, Default)]
struct KeyIndex {
    table: HashTable<u32>,
    hasher: RandomState,
}

impl std::fmt::Debug for KeyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyIndex({} keys)", self.table.len())
    }
}

impl KeyIndex {
    fn hash(&self, key: &Pubkey) -> u64 {
        self.hasher.hash_one(key)
    }

    fn get(&self, entries: &[Entry], key: &Pubkey) -> Option<u32> {
        self.table
            .find(self.hash(key), |&i| entries[i as usize].key == *key)
            .copied()
    }

    /// Lists entry `i` (its key not listed yet).
    fn insert(&mut self, entries: &[Entry], i: u32) {
        let hash = self.hash(&entries[i as usize].key);
        let hasher = &self.hasher;
        self.table
            .insert_unique(hash, i, |&j| hasher.hash_one(entries[j as usize].key));
    }

    fn reserve(&mut self, additional: usize, entries: &[Entry]) {
        let hasher = &self.hasher;
        self.table
            .reserve(additional, |&j| hasher.hash_one(entries[j as usize].key));
    }

    fn remove(&mut self, entries: &[Entry], key: &Pubkey) -> Option<u32> {
        let found = self
            .table
            .find_entry(self.hash(key), |&i| entries[i as usize].key == *key)
            .ok()?;
        Some(found.remove().0)
    }
}

/// The snapshot's reserves as [`Book::value`] looks them up: book index and valuers.
struct Table {
    by_key: HashMap<Pubkey, (u16, Valuers), RandomState>,
}

impl Book {
    fn reserve_slot(&mut self, key: &Pubkey) -> Option<u16> {
        if let Some(i) = self.reserve_index.get(key) {
            return Some(*i);
        }
        let i = u16::try_from(self.held.len()).ok()?;
        self.reserve_index.insert(*key, i);
        self.held.push(Vec::new());
        Some(i)
    }

    fn table(&mut self, snap: &MarketSnapshot) -> Table {
        let mut by_key =
            HashMap::with_capacity_and_hasher(snap.reserves.len(), RandomState::default());
        for (key, v) in &snap.reserves {
            if let Some(slot) = self.reserve_slot(key) {
                by_key.insert(*key, (slot, Valuers::of(&v.reserve, snap)));
            }
        }
        Table { by_key }
    }

    /// Values `o`'s positions into the reserve lists as entry `entry`'s; `None` (lists
    /// unchanged) when one cannot be valued against the table.
    fn value(&mut self, table: &Table, o: &Obligation, entry: u32) -> Option<Standing> {
        let start = self.places.len();
        let mut health = Standing::default();
        let mut valued = || -> Option<()> {
            for d in o.active_deposits() {
                let (slot, valuers) = table.by_key.get(&d.reserve)?;
                let group = o.emode_group;
                let value = valuers.deposit(group)?.risk(d.shares).ok()?;
                health.add_deposit(&value).ok()?;
                let held = Held::Deposit {
                    shares: d.shares,
                    group,
                    value,
                };
                self.hold(*slot, entry, held);
            }
            for b in o.active_borrows() {
                let (slot, valuers) = table.by_key.get(&b.reserve)?;
                let normalized = b.normalized_debt_sf.get();
                let value = valuers.borrow.as_ref()?.risk(normalized).ok()?;
                health.add_borrow(&value).ok()?;
                self.hold(*slot, entry, Held::Borrow { normalized, value });
            }
            Some(())
        };
        if valued().is_none() {
            for p in self.places.drain(start..) {
                self.held[usize::from(p.reserve)].pop();
            }
            return None;
        }
        Some(health)
    }

    fn hold(&mut self, reserve: u16, entry: u32, held: Held) {
        let list = &mut self.held[usize::from(reserve)];
        self.places.push(Place {
            reserve,
            index: list.len() as u32,
        });
        list.push(Holding { entry, held });
    }

    /// Values every obligation against `snap` (the full rescan). Obligations with a reserve the
    /// snapshot cannot price are left out; returns the book and how many were.
    pub fn build(snap: &MarketSnapshot, obligations: &[(Pubkey, Obligation)]) -> (Book, usize) {
        let mut book = Book::default();
        let skipped = book.rebuild(snap, obligations);
        (book, skipped)
    }

    /// [`Self::build`] in place: the book's memory is kept for the new one (a keeper rebuilds
    /// its book every few minutes). Returns how many obligations were left out.
    pub fn rebuild(
        &mut self,
        snap: &MarketSnapshot,
        obligations: &[(Pubkey, Obligation)],
    ) -> usize {
        self.entries.clear();
        self.places.clear();
        self.held.iter_mut().for_each(Vec::clear);
        self.ranked.clear();
        self.by_key.table.clear();
        self.unvalued.clear();
        self.unused = 0;
        self.entries.reserve(obligations.len());
        self.by_key.reserve(obligations.len(), &self.entries);
        let table = self.table(snap);
        // Keys from one read of the chain are distinct: no entry to replace. The ranking is
        // sorted once at the end rather than kept sorted on the way.
        let mut ranked = Vec::new();
        for chunk in obligations.chunks(CHUNK) {
            // Counting a chunk's positions first reads the parts of its accounts that valuing
            // reads, many at once; valuing then finds them in cache.
            let positions = chunk
                .iter()
                .map(|(_, o)| o.active_deposits().count() + o.active_borrows().count())
                .sum();
            self.places.reserve(positions);
            for (key, o) in chunk {
                let i = self.entries.len() as u32;
                let Some(health) = self.value(&table, o, i) else {
                    self.unvalued.insert(*key);
                    continue;
                };
                let start = self.entries.last().map_or(0, |e| e.end);
                self.entries.push(Entry {
                    key: *key,
                    health,
                    start,
                    end: self.places.len() as u32,
                });
                self.by_key.insert(&self.entries, i);
                if health.is_liquidatable() {
                    ranked.push((Reverse(health.deficit()), i));
                }
            }
        }
        ranked.sort_unstable();
        self.ranked = ranked.into_iter().collect();
        self.unvalued.len()
    }

    /// Values `o` and files it under `key`, in place of the entry `key` had (an obligation that
    /// changed on chain). When it cannot be valued against `snap`, its entry is dropped and
    /// `key` is listed in [`Self::unvalued`]; returns whether it was valued.
    ///
    /// The old positions stay in their lists, marked unused, until the book is compacted: once
    /// more than [`COMPACT_AFTER`] positions and half of all are unused.
    pub fn upsert(&mut self, snap: &MarketSnapshot, key: Pubkey, o: &Obligation) -> bool {
        self.upsert_all(snap, &[(key, *o)]) == 1
    }

    /// [`Self::upsert`] of each of `changed`; returns how many were valued.
    pub fn upsert_all(&mut self, snap: &MarketSnapshot, changed: &[(Pubkey, Obligation)]) -> usize {
        let table = self.table(snap);
        let mut valued = 0;
        for (key, o) in changed {
            let old = self.by_key.get(&self.entries, key);
            valued += usize::from(self.file(&table, *key, o, old));
        }
        if self.unused > COMPACT_AFTER && self.unused > self.places.len() / 2 {
            self.compact();
        }
        valued
    }

    /// Keeps only what the live entries use: the entries themselves (dropped ones go) and
    /// their positions, listed anew. Re-filing leaves old positions behind; this bounds what
    /// repeated changes can grow.
    pub fn compact(&mut self) {
        let old_entries = std::mem::take(&mut self.entries);
        let old_places = std::mem::take(&mut self.places);
        let old_held: Vec<Vec<Holding>> = self
            .held
            .iter_mut()
            .map(|l| std::mem::replace(l, Vec::with_capacity(l.len())))
            .collect();
        self.ranked.clear();
        self.unused = 0;
        for (i, e) in old_entries.iter().enumerate() {
            if self.by_key.get(&old_entries, &e.key) != Some(i as u32) {
                continue;
            }
            let n = self.entries.len() as u32;
            let start = self.places.len();
            for p in &old_places[e.start as usize..e.end as usize] {
                let h = old_held[usize::from(p.reserve)][p.index as usize];
                self.hold(p.reserve, n, h.held);
            }
            if e.health.is_liquidatable() {
                self.ranked.insert((Reverse(e.health.deficit()), n));
            }
            self.entries.push(Entry {
                start: start as u32,
                end: self.places.len() as u32,
                ..*e
            });
        }
        self.by_key.table.clear();
        for i in 0..self.entries.len() as u32 {
            self.by_key.insert(&self.entries, i);
        }
    }

    /// Files `o` under `key`, replacing entry `old` (the entry `key` has, if any).
    fn file(&mut self, table: &Table, key: Pubkey, o: &Obligation, old: Option<u32>) -> bool {
        let i = old.unwrap_or(self.entries.len() as u32);
        let start = self.places.len();
        let Some(health) = self.value(table, o, i) else {
            self.remove(&key);
            self.unvalued.insert(key);
            return false;
        };
        self.unvalued.remove(&key);
        match old {
            Some(i) => {
                self.unrank(i);
                self.drop_positions(i);
            }
            None => {
                self.entries.push(Entry {
                    key,
                    health,
                    start: 0,
                    end: 0,
                });
                self.by_key.insert(&self.entries, i);
            }
        }
        let e = &mut self.entries[i as usize];
        (e.health, e.start, e.end) = (health, start as u32, self.places.len() as u32);
        if health.is_liquidatable() {
            self.ranked.insert((Reverse(health.deficit()), i));
        }
        true
    }

    /// Marks entry `i`'s positions unused.
    fn drop_positions(&mut self, i: u32) {
        let e = &self.entries[i as usize];
        for p in &self.places[e.start as usize..e.end as usize] {
            self.held[usize::from(p.reserve)][p.index as usize].entry = DROPPED;
        }
        self.unused += (e.end - e.start) as usize;
    }

    /// Drops the entry of `key` (an obligation closed on chain).
    pub fn remove(&mut self, key: &Pubkey) {
        self.unvalued.remove(key);
        let Some(i) = self.by_key.remove(&self.entries, key) else {
            return;
        };
        self.unrank(i);
        self.drop_positions(i);
        let e = &mut self.entries[i as usize];
        (e.health, e.start, e.end) = (Standing::default(), 0, 0);
    }

    fn unrank(&mut self, i: u32) {
        let h = self.entries[i as usize].health;
        if h.is_liquidatable() {
            self.ranked.remove(&(Reverse(h.deficit()), i));
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
                h.health_below(bps)
                    || (!h.bf_adjusted_debt_value.is_zero() && h.deposited_value < dust_value)
            })
            .map(|e| e.key)
            .collect()
    }

    /// Re-values the positions in `reserve` (as `snap` now holds it) and re-ranks the entries
    /// they change. Returns how many obligations hold a position in it.
    pub fn reprice(&mut self, snap: &MarketSnapshot, reserve: &Pubkey) -> usize {
        let Some(r) = snap.reserves.get(reserve).map(|v| &v.reserve) else {
            return 0;
        };
        let Some(&slot) = self.reserve_index.get(reserve) else {
            return 0;
        };
        let valuers = Valuers::of(r, snap);
        let mut holders = 0;
        let mut last = DROPPED;
        for h in self.held[usize::from(slot)].iter_mut() {
            if h.entry == DROPPED {
                continue;
            }
            // One obligation's positions in a reserve are filed together.
            if h.entry != last {
                (holders, last) = (holders + 1, h.entry);
            }
            let e = &mut self.entries[h.entry as usize];
            let before = e.health;
            if !revalue(&mut h.held, &valuers, &mut e.health) {
                continue;
            }
            if before.is_liquidatable() {
                self.ranked.remove(&(Reverse(before.deficit()), h.entry));
            }
            if e.health.is_liquidatable() {
                self.ranked.insert((Reverse(e.health.deficit()), h.entry));
            }
        }
        holders
    }

    /// The liquidatable obligations, deepest under water first: `(key, BFDV − UBV)`.
    pub fn ranked(&self) -> impl Iterator<Item = (Pubkey, Decimal)> + '_ {
        self.ranked
            .iter()
            .map(|(Reverse(d), i)| (self.entries[*i as usize].key, *d))
    }

    /// The entry of `key`.
    pub fn entry(&self, key: &Pubkey) -> Option<&Entry> {
        self.by_key
            .get(&self.entries, key)
            .map(|i| &self.entries[i as usize])
    }

    /// Obligations in the book.
    pub fn len(&self) -> usize {
        self.by_key.table.len()
    }

    /// True when the book holds no obligation.
    pub fn is_empty(&self) -> bool {
        self.by_key.table.is_empty()
    }
}

/// `totals − old + new` for one position, in place; a position that fails to value keeps its
/// old value. Returns whether the totals changed.
fn revalue(held: &mut Held, valuers: &Valuers, h: &mut Standing) -> bool {
    let mut next = *h;
    match held {
        Held::Deposit {
            shares,
            group,
            value,
        } => {
            let Some(Ok(v)) = valuers.deposit(*group).map(|d| d.risk(*shares)) else {
                return false;
            };
            if v == *value {
                return false;
            }
            next.sub_deposit(value);
            if next.add_deposit(&v).is_err() {
                return false;
            }
            *value = v;
        }
        Held::Borrow { normalized, value } => {
            let Some(Ok(v)) = valuers.borrow.as_ref().map(|b| b.risk(*normalized)) else {
                return false;
            };
            if v == *value {
                return false;
            }
            next.sub_borrow(value);
            if next.add_borrow(&v).is_err() {
                return false;
            }
            *value = v;
        }
    }
    let changed = next != *h;
    *h = next;
    changed
}
