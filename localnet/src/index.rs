//! Accounts by owner, for `getProgramAccounts`.
//!
//! A bank can look an account up by key but cannot list a program's accounts, so the node keeps
//! this index: seeded from the genesis accounts and every account the node writes itself, and
//! brought up to date after each processed transaction from the accounts it touched (an account
//! a transaction creates, reassigns or closes is always one of its account keys).

use std::collections::{BTreeMap, BTreeSet};

use solana_sdk::pubkey::Pubkey;

/// Owner → accounts, and account → owner to move a key when its owner changes.
#[derive(Debug, Default)]
pub struct OwnerIndex {
    by_owner: BTreeMap<Pubkey, BTreeSet<Pubkey>>,
    owner_of: BTreeMap<Pubkey, Pubkey>,
}

impl OwnerIndex {
    /// Records that `key` is now owned by `owner`, or no longer exists (`None`).
    pub fn set(&mut self, key: Pubkey, owner: Option<Pubkey>) {
        if let Some(old) = self.owner_of.remove(&key) {
            if let Some(keys) = self.by_owner.get_mut(&old) {
                keys.remove(&key);
                if keys.is_empty() {
                    self.by_owner.remove(&old);
                }
            }
        }
        if let Some(owner) = owner {
            self.owner_of.insert(key, owner);
            self.by_owner.entry(owner).or_default().insert(key);
        }
    }

    /// The accounts `owner` owns, in key order.
    pub fn owned_by(&self, owner: &Pubkey) -> Vec<Pubkey> {
        self.by_owner
            .get(owner)
            .map(|keys| keys.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.owner_of.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successful_owner_change_and_close_move_the_key() {
        let (a, p, q) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let mut index = OwnerIndex::default();
        index.set(a, Some(p));
        assert_eq!(index.owned_by(&p), vec![a]);
        index.set(a, Some(q));
        assert!(index.owned_by(&p).is_empty());
        assert_eq!(index.owned_by(&q), vec![a]);
        index.set(a, None);
        assert!(index.owned_by(&q).is_empty());
        assert!(index.is_empty());
    }
}
