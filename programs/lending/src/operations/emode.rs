//! E-mode groups on plain account structs: validating a group, a reserve's memberships, and an
//! obligation joining, leaving or changing group.
//!
//! The guard on a group change: the obligation's positions must all be members of the new
//! group (any, for no group), and an obligation with debt must be within its borrow limit
//! (`BFDV⁺ ≤ ABV`) when valued from scratch under the new parameters, from reserves priced in
//! this slot. That is the rule of a borrow, so a change can never leave an obligation
//! liquidatable, nor able to hold more debt than the parameters that then apply allow: joining,
//! borrowing to the group's limit and leaving in one transaction fails at the leave, and an
//! obligation liquidatable under its group cannot leave it (the liquidation's own valuation
//! uses whatever group the obligation is in at that instruction).
//!
//! Changing a group's parameters (`set_emode_group`) or a reserve's memberships
//! (`set_reserve_emode_groups`) applies at once to the obligations that use them, as
//! `update_reserve_config` applies a reserve's new threshold at once: validation bounds the
//! parameters, and no other guard exists for either. A group, once configured, cannot be
//! unconfigured (a zero threshold is refused), so an obligation's group always resolves; a
//! position in a reserve removed from its obligation's group counts with the reserve's own
//! parameters, as if that reserve's config had changed.

use anchor_lang::prelude::*;
use lending_math::emode::{mask_in_range, validate_group, GroupError};
use lending_math::health::Health;

use crate::error::LendingError;
use crate::operations::refresh::{check_refresh_order, store_valuation, value_obligation, Pricing};
use crate::state::{EmodeGroup, LendingMarket, Obligation, Reserve};

/// Checks a group's parameters, each rule with its own error (the market-dependent bound is
/// [`set_group`]'s).
pub fn validate_emode_group(g: &EmodeGroup) -> Result<()> {
    validate_group(&g.params()).map_err(|e| match e {
        GroupError::Ltv => error!(LendingError::InvalidEmodeGroupLtv),
        GroupError::Bonus => error!(LendingError::InvalidEmodeGroupBonus),
    })
}

/// Writes group `id`'s parameters into the market; returns them as they were. The group's
/// threshold must also be below the market's insolvency LTV.
pub fn set_group(market: &mut LendingMarket, id: u8, g: EmodeGroup) -> Result<EmodeGroup> {
    let i = usize::from(id)
        .checked_sub(1)
        .filter(|i| *i < market.emode_groups.len())
        .ok_or(LendingError::EmodeGroupNotConfigured)?;
    validate_emode_group(&g)?;
    // Below the market's insolvency LTV, where the close factor gives way to full
    // liquidation: a group whose threshold were past it would have every liquidation of its
    // obligations repay the whole borrow, and the close factor and target health would never
    // apply to them.
    require!(
        g.liquidation_threshold_bps < market.insolvency_ltv_bps,
        LendingError::InvalidEmodeGroupLtv
    );
    let before = market.emode_groups[i];
    market.emode_groups[i] = g;
    Ok(before)
}

/// Sets a reserve's memberships to `mask` (bit `g − 1` = group `g`); every group it names must
/// be configured. Returns the mask before.
pub fn set_memberships(market: &LendingMarket, reserve: &mut Reserve, mask: u64) -> Result<u64> {
    require!(mask_in_range(mask), LendingError::InvalidEmodeMembership);
    for (i, g) in market.emode_groups.iter().enumerate() {
        require!(
            mask & (1u64 << i) == 0 || g.is_configured(),
            LendingError::InvalidEmodeMembership
        );
    }
    let before = reserve.emode_groups;
    reserve.emode_groups = mask;
    Ok(before)
}

/// What a group change did.
pub struct GroupChange {
    /// The group before (0 = none).
    pub group_before: u8,
    /// Totals under the old group's parameters (zero without debt: no price is read).
    pub health_before: Health,
    /// Totals under the new group's parameters (zero without debt).
    pub health_after: Health,
}

/// Moves `obligation` into group `new_group` (0: out of any group) at `slot` / `now`.
/// `reserves` are exactly the obligation's deposit reserves, in order, then its borrow
/// reserves, in order; with debt, each priced in `slot`. See the module docs for the rule.
pub fn change_group(
    market: &LendingMarket,
    obligation: &mut Obligation,
    reserves: &[(Pubkey, &Reserve)],
    new_group: u8,
    slot: u64,
    now: i64,
) -> Result<GroupChange> {
    let old = market.obligation_group(obligation)?;
    let new = market.emode_group(new_group)?;
    let n_dep = obligation.active_deposits().count();
    let n_bor = obligation.active_borrows().count();
    require!(
        reserves.len() == n_dep + n_bor,
        LendingError::InvalidRefreshAccounts
    );
    for (i, (key, reserve)) in reserves.iter().enumerate() {
        let expected = if i < n_dep {
            obligation.deposits[i].reserve
        } else {
            obligation.borrows[i - n_dep].reserve
        };
        require_keys_eq!(*key, expected, LendingError::InvalidRefreshAccounts);
        require!(
            reserve.lending_market == obligation.lending_market,
            LendingError::InvalidMarket
        );
        reserve.require_emode_member(new_group)?;
    }
    let group_before = obligation.emode_group;
    let (mut health_before, mut health_after) = (Health::default(), Health::default());
    if obligation.has_debt() {
        check_refresh_order(obligation, reserves, slot, Pricing::Strict)?;
        health_before = value_obligation(obligation, reserves, slot, Pricing::Strict, old)?.health;
        let after = value_obligation(obligation, reserves, slot, Pricing::Strict, new)?;
        require!(
            after.health.within_borrow_limit(),
            LendingError::EmodeChangeUnhealthy
        );
        store_valuation(obligation, &after, slot, now, market.episode_gap_secs())?;
        health_after = after.health;
    } else {
        // Without debt nothing is valued: the cached figures were the old group's.
        obligation.mark_stale();
    }
    obligation.emode_group = new_group;
    Ok(GroupChange {
        group_before,
        health_before,
        health_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(ltv: u16, lt: u16, min: u16, max: u16) -> EmodeGroup {
        EmodeGroup {
            loan_to_value_bps: ltv,
            liquidation_threshold_bps: lt,
            min_liquidation_bonus_bps: min,
            max_liquidation_bonus_bps: max,
        }
    }

    #[test]
    fn fail_set_group_when_id_or_params_are_invalid() {
        let mut m: LendingMarket = bytemuck::Zeroable::zeroed();
        m.insolvency_ltv_bps = 9_500;
        let ok = group(9_000, 9_300, 100, 400);
        for id in [0u8, 17, 255] {
            assert_eq!(
                set_group(&mut m, id, ok).unwrap_err(),
                error!(LendingError::EmodeGroupNotConfigured)
            );
        }
        assert_eq!(
            set_group(&mut m, 1, group(9_300, 9_300, 0, 0)).unwrap_err(),
            error!(LendingError::InvalidEmodeGroupLtv)
        );
        assert_eq!(
            set_group(&mut m, 1, group(0, 0, 0, 0)).unwrap_err(),
            error!(LendingError::InvalidEmodeGroupLtv)
        );
        assert_eq!(
            set_group(&mut m, 1, group(9_000, 9_700, 0, 400)).unwrap_err(),
            error!(LendingError::InvalidEmodeGroupBonus)
        );
        assert_eq!(
            set_group(&mut m, 1, group(9_000, 9_500, 0, 0)).unwrap_err(),
            error!(LendingError::InvalidEmodeGroupLtv)
        );
        assert_eq!(m.emode_groups, [EmodeGroup::default(); 16]);
        assert_eq!(set_group(&mut m, 16, ok).unwrap(), EmodeGroup::default());
        assert_eq!(m.emode_groups[15], ok);
    }

    #[test]
    fn fail_set_memberships_when_a_group_is_not_configured() {
        let mut m: LendingMarket = bytemuck::Zeroable::zeroed();
        m.insolvency_ltv_bps = 9_500;
        let mut r: Reserve = bytemuck::Zeroable::zeroed();
        set_group(&mut m, 2, group(9_000, 9_300, 100, 400)).unwrap();
        for mask in [0b1, 0b11, 1 << 16] {
            assert_eq!(
                set_memberships(&m, &mut r, mask).unwrap_err(),
                error!(LendingError::InvalidEmodeMembership)
            );
        }
        assert_eq!(r.emode_groups, 0);
        assert_eq!(set_memberships(&m, &mut r, 0b10).unwrap(), 0);
        assert!(r.in_emode_group(2) && !r.in_emode_group(1));
    }
}
