//! `Obligation`: one user's positions in one market, with the values of its last refresh.

use anchor_lang::prelude::*;
use lending_math::health::Health;
use lending_math::MathResult;

use super::Sf;
use crate::constants::{MAX_BORROWS, MAX_DEPOSITS};

/// A collateral position. Empty when `reserve` is the default key.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct ObligationDeposit {
    /// The reserve deposited into.
    pub reserve: Pubkey,
    /// Supply shares of that reserve held as collateral.
    pub shares: u64,
    /// Spot value at the last refresh (quote units × 1e18).
    pub market_value_sf: Sf,
}

/// A debt position. Empty when `reserve` is the default key.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct ObligationBorrow {
    /// The reserve borrowed from.
    pub reserve: Pubkey,
    /// Normalized debt: debt ÷ the reserve's borrow index (token base units × 1e18).
    pub normalized_debt_sf: Sf,
    /// Spot value at the last refresh (quote units × 1e18).
    pub market_value_sf: Sf,
    /// Principal still owed: tokens lent, reduced by each repayment in proportion to the debt
    /// it repaid. Debt above it is interest, on which the reserve credited protocol fees; a
    /// write-off takes those back (token base units).
    pub principal: u64,
}

/// An obligation. PDA `[OBLIGATION_SEED, market, owner, id]`.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Obligation {
    /// The market.
    pub lending_market: Pubkey,
    /// The owner, who alone may borrow and withdraw.
    pub owner: Pubkey,
    /// Slot of the last `refresh_obligation`; 0 after any change to positions.
    pub last_refresh_slot: u64,
    /// Start of the current episode of unhealthiness, the auction clock (unix seconds; 0 = healthy).
    pub liquidatable_since_ts: i64,
    /// Collateral positions, compacted to the front.
    pub deposits: [ObligationDeposit; MAX_DEPOSITS],
    /// Debt positions, compacted to the front.
    pub borrows: [ObligationBorrow; MAX_BORROWS],
    /// Σ spot collateral value (quote units × 1e18).
    pub deposited_value_sf: Sf,
    /// Σ conservative collateral value × LTV (quote units × 1e18).
    pub allowed_borrow_value_sf: Sf,
    /// Σ spot collateral value × liquidation threshold (quote units × 1e18).
    pub unhealthy_borrow_value_sf: Sf,
    /// Σ spot debt value (quote units × 1e18).
    pub borrowed_value_sf: Sf,
    /// Σ spot debt value × borrow factor (quote units × 1e18).
    pub bf_adjusted_debt_value_sf: Sf,
    /// Σ conservative debt value × borrow factor (quote units × 1e18).
    pub bf_adjusted_debt_value_upper_sf: Sf,
    /// Slot of the current close-factor window (the slot of the last liquidation).
    pub liquidation_slot: u64,
    /// Borrowed value at the first liquidation of that slot, the close-factor base (quote units × 1e18).
    pub liquidation_window_debt_sf: Sf,
    /// Value repaid by liquidations in that slot (quote units × 1e18).
    pub liquidation_window_repaid_sf: Sf,
    /// Index chosen by the owner to hold several obligations in a market.
    pub id: u16,
    /// PDA bump.
    pub bump: u8,
    /// Layout version.
    pub version: u8,
    /// 1 once a liquidation in the current episode went past the close factor to reach the
    /// target health: every later liquidation of the episode is paid the auction's rate alone,
    /// so splitting one liquidation into pieces cannot bring the health ramp's bonus back.
    pub auction_bonus_only: u8,
    /// Reserved for alignment.
    pub _padding0: [u8; 2],
    /// E-mode group the obligation opted into (`set_obligation_group`; 1..=16, 0 = none):
    /// every deposit and borrow must be of a member reserve, and members count with the
    /// group's LTV, liquidation threshold and bonus bounds (`state/emode.rs`).
    pub emode_group: u8,
    /// Last time a recomputation saw the obligation liquidatable (unix seconds; 0 = healthy).
    pub last_liquidatable_ts: i64,
    /// Reserved for upgrades.
    pub _reserved: [u64; 3],
}

const _: () = assert!(core::mem::size_of::<Obligation>() == 1_064);

impl Obligation {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + core::mem::size_of::<Obligation>();
    /// Current layout version.
    pub const VERSION: u8 = 1;

    /// The deposits in use.
    pub fn active_deposits(&self) -> impl Iterator<Item = &ObligationDeposit> {
        self.deposits
            .iter()
            .take_while(|d| d.reserve != Pubkey::default())
    }

    /// The borrows in use.
    pub fn active_borrows(&self) -> impl Iterator<Item = &ObligationBorrow> {
        self.borrows
            .iter()
            .take_while(|b| b.reserve != Pubkey::default())
    }

    /// Index of the deposit in `reserve`.
    pub fn find_deposit(&self, reserve: &Pubkey) -> Option<usize> {
        self.active_deposits().position(|d| d.reserve == *reserve)
    }

    /// Index of the borrow in `reserve`.
    pub fn find_borrow(&self, reserve: &Pubkey) -> Option<usize> {
        self.active_borrows().position(|b| b.reserve == *reserve)
    }

    /// Index of the deposit in `reserve`, opening a new slot if needed (`None` when full).
    pub fn find_or_add_deposit(&mut self, reserve: &Pubkey) -> Option<usize> {
        if let Some(i) = self.find_deposit(reserve) {
            return Some(i);
        }
        let i = self.active_deposits().count();
        if i >= MAX_DEPOSITS {
            return None;
        }
        self.deposits[i] = ObligationDeposit {
            reserve: *reserve,
            ..Default::default()
        };
        Some(i)
    }

    /// Index of the borrow in `reserve`, opening a new slot if needed (`None` when full).
    pub fn find_or_add_borrow(&mut self, reserve: &Pubkey) -> Option<usize> {
        if let Some(i) = self.find_borrow(reserve) {
            return Some(i);
        }
        let i = self.active_borrows().count();
        if i >= MAX_BORROWS {
            return None;
        }
        self.borrows[i] = ObligationBorrow {
            reserve: *reserve,
            ..Default::default()
        };
        Some(i)
    }

    /// Drops the deposit at `i` if it holds no shares, keeping positions compacted.
    pub fn remove_deposit_if_empty(&mut self, i: usize) {
        if self.deposits[i].shares != 0 {
            return;
        }
        let n = self.active_deposits().count();
        for j in i..n.saturating_sub(1) {
            self.deposits[j] = self.deposits[j + 1];
        }
        if n > 0 {
            self.deposits[n - 1] = ObligationDeposit::default();
        }
    }

    /// Drops the borrow at `i` if it holds no debt, keeping positions compacted.
    pub fn remove_borrow_if_empty(&mut self, i: usize) {
        if self.borrows[i].normalized_debt_sf.raw() != 0 {
            return;
        }
        let n = self.active_borrows().count();
        for j in i..n.saturating_sub(1) {
            self.borrows[j] = self.borrows[j + 1];
        }
        if n > 0 {
            self.borrows[n - 1] = ObligationBorrow::default();
        }
    }

    /// True when the obligation has any debt.
    pub fn has_debt(&self) -> bool {
        self.active_borrows().next().is_some()
    }

    /// Cached totals of the last refresh.
    pub fn health(&self) -> Health {
        Health {
            deposited_value: self.deposited_value_sf.get(),
            allowed_borrow_value: self.allowed_borrow_value_sf.get(),
            unhealthy_borrow_value: self.unhealthy_borrow_value_sf.get(),
            borrowed_value: self.borrowed_value_sf.get(),
            bf_adjusted_debt_value: self.bf_adjusted_debt_value_sf.get(),
            bf_adjusted_debt_value_upper: self.bf_adjusted_debt_value_upper_sf.get(),
        }
    }

    /// Stores refreshed totals.
    pub fn set_health(&mut self, h: &Health) -> MathResult<()> {
        self.deposited_value_sf.set(h.deposited_value)?;
        self.allowed_borrow_value_sf.set(h.allowed_borrow_value)?;
        self.unhealthy_borrow_value_sf
            .set(h.unhealthy_borrow_value)?;
        self.borrowed_value_sf.set(h.borrowed_value)?;
        self.bf_adjusted_debt_value_sf
            .set(h.bf_adjusted_debt_value)?;
        self.bf_adjusted_debt_value_upper_sf
            .set(h.bf_adjusted_debt_value_upper)?;
        Ok(())
    }

    /// Keeps the liquidation auction clock on one continuous episode of unhealthiness. A
    /// recomputation that finds the obligation healthy ends the episode. One that finds it
    /// liquidatable continues the episode only if the previous sighting is at most `gap_secs`
    /// old (the market's auction duration); otherwise a new episode starts at `now`, so a
    /// sighting from an earlier dip, followed by a recovery nobody recomputed, never carries
    /// its auction progress into a new dip.
    pub fn track_liquidatable(&mut self, liquidatable: bool, now: i64, gap_secs: i64) {
        if !liquidatable {
            self.liquidatable_since_ts = 0;
            self.last_liquidatable_ts = 0;
            self.auction_bonus_only = 0;
            return;
        }
        let gap = now.saturating_sub(self.last_liquidatable_ts);
        if self.liquidatable_since_ts == 0 || self.last_liquidatable_ts == 0 || gap > gap_secs {
            self.liquidatable_since_ts = now;
            self.auction_bonus_only = 0;
        }
        self.last_liquidatable_ts = now;
    }

    /// Requires a refresh before the next risk-increasing action.
    pub fn mark_stale(&mut self) {
        self.last_refresh_slot = 0;
    }
}
