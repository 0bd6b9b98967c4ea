//! Per-obligation back-off after failed liquidations, so that obligations whose liquidation
//! keeps failing (a transaction the chain refuses, a mint the keeper cannot receive) cannot
//! starve the honest ones queued behind them: after `n` consecutive failures an obligation
//! sits out `min(2^(n−1), MAX_SKIPPED_ROUNDS)` rounds; a success forgets it.

use std::collections::BTreeMap;
use std::sync::Mutex;

use solana_sdk::pubkey::Pubkey;

/// Most rounds an obligation is skipped after repeated failures.
pub const MAX_SKIPPED_ROUNDS: u64 = 64;

#[derive(Clone, Copy, Debug, Default)]
struct Failures {
    consecutive: u32,
    retry_at_round: u64,
}

/// Failure counts by obligation, and the round clock.
#[derive(Debug, Default)]
pub struct Backoff {
    state: Mutex<(u64, BTreeMap<Pubkey, Failures>)>,
}

impl Backoff {
    fn with<T>(&self, f: impl FnOnce(&mut (u64, BTreeMap<Pubkey, Failures>)) -> T) -> T {
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Starts a round; returns its number.
    pub fn next_round(&self) -> u64 {
        self.with(|(round, _)| {
            *round += 1;
            *round
        })
    }

    /// True when `obligation` sits out the current round.
    pub fn waiting(&self, obligation: &Pubkey) -> bool {
        self.with(|(round, map)| {
            map.get(obligation)
                .is_some_and(|f| f.retry_at_round > *round)
        })
    }

    /// Records a failed attempt on `obligation`; returns the rounds it will sit out.
    pub fn failed(&self, obligation: &Pubkey) -> u64 {
        self.with(|(round, map)| {
            let f = map.entry(*obligation).or_default();
            f.consecutive = f.consecutive.saturating_add(1);
            let skip = 1u64
                .checked_shl(f.consecutive - 1)
                .unwrap_or(u64::MAX)
                .min(MAX_SKIPPED_ROUNDS);
            f.retry_at_round = round.saturating_add(skip + 1);
            skip
        })
    }

    /// Consecutive failures of `obligation` so far.
    pub fn consecutive(&self, obligation: &Pubkey) -> u32 {
        self.with(|(_, map)| map.get(obligation).map_or(0, |f| f.consecutive))
    }

    /// Forgets `obligation`'s failures (it was liquidated, or is healthy again).
    pub fn succeeded(&self, obligation: &Pubkey) {
        self.with(|(_, map)| map.remove(obligation));
    }

    /// Obligations currently backed off.
    pub fn backed_off(&self) -> usize {
        self.with(|(round, map)| map.values().filter(|f| f.retry_at_round > *round).count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successful_backoff_doubles_then_caps_and_a_success_resets_it() {
        let b = Backoff::default();
        let k = Pubkey::new_unique();
        let mut skipped = Vec::new();
        for _ in 0..9 {
            b.next_round();
            assert!(!b.waiting(&k), "retried once the wait is over");
            let skip = b.failed(&k);
            for _ in 0..skip {
                b.next_round();
                assert!(b.waiting(&k));
            }
            skipped.push(skip);
        }
        assert_eq!(skipped, [1, 2, 4, 8, 16, 32, 64, 64, 64]);
        b.succeeded(&k);
        assert!(!b.waiting(&k));
        assert_eq!(b.backed_off(), 0);
        b.next_round();
        assert_eq!(b.failed(&k), 1, "counting starts again");
    }
}
