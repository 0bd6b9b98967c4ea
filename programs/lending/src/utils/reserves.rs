//! The obligation's reserves, passed as remaining accounts, loaded for a recomputation.

use anchor_lang::prelude::*;

use crate::constants::{MAX_BORROWS, MAX_DEPOSITS};
use crate::error::LendingError;
use crate::state::Reserve;

/// Loads `remaining` as reserves (owner and discriminator checked) and calls `f` with them, in
/// the order given. A remaining account whose key is one of `pinned` (the instruction's own
/// reserves, already loaded, possibly mutably) is read through that reference instead, so the
/// recomputation sees exactly the state the instruction holds and no account is borrowed twice.
pub fn with_reserves<'info, T>(
    remaining: &'info [AccountInfo<'info>],
    pinned: &[(Pubkey, &Reserve)],
    f: impl FnOnce(&[(Pubkey, &Reserve)]) -> Result<T>,
) -> Result<T> {
    require!(
        remaining.len() <= MAX_DEPOSITS + MAX_BORROWS,
        LendingError::InvalidRefreshAccounts
    );
    let is_pinned = |key: &Pubkey| pinned.iter().any(|(k, _)| k == key);
    let loaders = remaining
        .iter()
        .filter(|a| !is_pinned(a.key))
        .map(AccountLoader::<Reserve>::try_from)
        .collect::<Result<Vec<_>>>()?;
    let refs = loaders
        .iter()
        .map(|l| l.load())
        .collect::<Result<Vec<_>>>()?;
    let mut loaded = loaders.iter().zip(refs.iter());
    let mut all: Vec<(Pubkey, &Reserve)> = Vec::with_capacity(remaining.len());
    for a in remaining {
        if let Some((k, r)) = pinned.iter().find(|(k, _)| k == a.key) {
            all.push((*k, *r));
        } else {
            let (l, r) = loaded.next().ok_or(LendingError::InvalidRefreshAccounts)?;
            all.push((l.key(), &**r));
        }
    }
    f(&all)
}

/// Loads `remaining` as reserves, leaving out the accounts whose key is in `skip` (the
/// instruction's own reserves, which it holds mutably and passes on itself), and calls `f`.
pub fn with_other_reserves<'info, T>(
    remaining: &'info [AccountInfo<'info>],
    skip: &[Pubkey],
    f: impl FnOnce(&[(Pubkey, &Reserve)]) -> Result<T>,
) -> Result<T> {
    require!(
        remaining.len() <= MAX_DEPOSITS + MAX_BORROWS,
        LendingError::InvalidRefreshAccounts
    );
    let loaders = remaining
        .iter()
        .filter(|a| !skip.contains(a.key))
        .map(AccountLoader::<Reserve>::try_from)
        .collect::<Result<Vec<_>>>()?;
    let refs = loaders
        .iter()
        .map(|l| l.load())
        .collect::<Result<Vec<_>>>()?;
    let others: Vec<(Pubkey, &Reserve)> = loaders
        .iter()
        .zip(refs.iter())
        .map(|(l, r)| (l.key(), &**r))
        .collect();
    f(&others)
}
