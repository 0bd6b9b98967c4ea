//! E-mode groups: sets of correlated reserves (SOL and liquid-staked SOL; USDC and USDT) whose
//! positions, in an obligation that opted into the group, count with the group's LTV,
//! liquidation threshold and liquidation-bonus bounds instead of their reserves' own (Aave v3
//! e-mode; klend elevation groups).
//!
//! The program stores a group's parameters in the market and each reserve's memberships as a
//! bitmask; everything here takes them as plain values.
//!
//! Rules:
//! - a position of an obligation in group `g` counts with [`effective`]: the group's
//!   parameters when its reserve is a member of `g`, its reserve's own otherwise (a reserve the
//!   admin removed from a group after the obligation joined; new deposits and borrows of a
//!   non-member are refused). Borrow factors always stay the reserves' own;
//! - the bonus bounds of a liquidation pair are [`crate::liquidation::bonus_range`] of the two
//!   sides' effective bounds, so both members of the group: exactly `[min, max]` of the group;
//! - a group is valid ([`validate_group`]) when `LTV < LT ≤` [`MAX_GROUP_LIQUIDATION_THRESHOLD_BPS`],
//!   `min bonus ≤ max bonus` and `LT × (1 + max bonus) < 1`: the rule a reserve's config obeys, so
//!   that seizing collateral at the threshold can raise health (the program also keeps the
//!   threshold below the market's insolvency LTV, past which every liquidation is a full one).
//!   Every property of
//!   [`crate::liquidation`] (health cap, target sizing, close factor, strict improvement) is
//!   stated for any per-position thresholds and bonus bounds obeying it, so it holds for group
//!   parameters unchanged (`tests/emode_properties.rs`).

use crate::fixed::Decimal;

/// Number of e-mode groups a market holds; group ids run `1..=MAX_GROUPS` (0 = no group).
pub const MAX_GROUPS: u8 = 16;

/// Highest liquidation threshold a group may have (bps): 98%, the most a group of assets
/// pegged to each other can bear with room for a bonus (Aave's ETH-correlated e-mode: 95%).
pub const MAX_GROUP_LIQUIDATION_THRESHOLD_BPS: u16 = 9_800;

const BPS: u64 = 10_000;

/// Risk parameters of one position: LTV, liquidation threshold and bonus bounds (all bps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RiskParams {
    /// Loan-to-value (bps).
    pub ltv_bps: u16,
    /// Liquidation threshold (bps).
    pub liquidation_threshold_bps: u16,
    /// Liquidation bonus when first liquidatable (bps).
    pub min_bonus_bps: u16,
    /// Largest liquidation bonus (bps).
    pub max_bonus_bps: u16,
}

impl RiskParams {
    /// LTV as a fraction.
    pub fn ltv(&self) -> Decimal {
        Decimal::from_bps(u64::from(self.ltv_bps))
    }

    /// Liquidation threshold as a fraction.
    pub fn liquidation_threshold(&self) -> Decimal {
        Decimal::from_bps(u64::from(self.liquidation_threshold_bps))
    }
}

/// Why a group's parameters are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupError {
    /// `LTV ≥ LT`, or `LT` above [`MAX_GROUP_LIQUIDATION_THRESHOLD_BPS`] (or zero).
    Ltv,
    /// `min bonus > max bonus`, or `LT × (1 + max bonus) ≥ 1`.
    Bonus,
}

/// Checks a group's parameters (see the module docs).
pub fn validate_group(g: &RiskParams) -> Result<(), GroupError> {
    if g.liquidation_threshold_bps == 0
        || g.liquidation_threshold_bps > MAX_GROUP_LIQUIDATION_THRESHOLD_BPS
        || g.ltv_bps >= g.liquidation_threshold_bps
    {
        return Err(GroupError::Ltv);
    }
    if g.min_bonus_bps > g.max_bonus_bps {
        return Err(GroupError::Bonus);
    }
    let with_bonus = u64::from(g.liquidation_threshold_bps) * (BPS + u64::from(g.max_bonus_bps));
    if with_bonus >= BPS * BPS {
        return Err(GroupError::Bonus);
    }
    Ok(())
}

/// Bit of group `id` in a reserve's membership mask (`None` for 0 or past [`MAX_GROUPS`]).
pub fn group_bit(id: u8) -> Option<u64> {
    (1..=MAX_GROUPS).contains(&id).then(|| 1u64 << (id - 1))
}

/// True when a reserve with membership `mask` belongs to group `id` (never for id 0).
pub fn is_member(mask: u64, id: u8) -> bool {
    group_bit(id).is_some_and(|b| mask & b != 0)
}

/// True when `mask` names only groups `1..=MAX_GROUPS`.
pub fn mask_in_range(mask: u64) -> bool {
    mask >> MAX_GROUPS == 0
}

/// The parameters a position of a reserve with parameters `own` and membership `mask` counts
/// with in an obligation of group `group` (`None`: no group): the group's parameters when the
/// reserve is a member, else its own.
pub fn effective(own: RiskParams, mask: u64, group: Option<(u8, RiskParams)>) -> RiskParams {
    match group {
        Some((id, params)) if is_member(mask, id) => params,
        _ => own,
    }
}

/// Bonus bounds `[lo, hi]` of a liquidation pair from its sides' effective parameters.
pub fn pair_bonus_range(debt: &RiskParams, coll: &RiskParams) -> (Decimal, Decimal) {
    crate::liquidation::bonus_range(
        debt.min_bonus_bps,
        debt.max_bonus_bps,
        coll.min_bonus_bps,
        coll.max_bonus_bps,
    )
}

/// Bonus bounds of a liquidation pair of an obligation in `group` (`None`: no group):
/// [`pair_bonus_range`] of the sides' effective parameters, both bounds capped at the group's
/// maximum bonus. A side whose reserve left the group counts with its own bounds for health,
/// but the obligation never pays more than its group's bonus (klend caps an elevation group's
/// liquidations the same way). A lower bonus only makes the liquidation improve health more.
pub fn obligation_pair_bonus_range(
    debt: &RiskParams,
    coll: &RiskParams,
    group: Option<&RiskParams>,
) -> (Decimal, Decimal) {
    let (lo, hi) = pair_bonus_range(debt, coll);
    match group {
        Some(g) => {
            let cap = Decimal::from_bps(u64::from(g.max_bonus_bps));
            (lo.min(cap), hi.min(cap))
        }
        None => (lo, hi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ltv: u16, lt: u16, min: u16, max: u16) -> RiskParams {
        RiskParams {
            ltv_bps: ltv,
            liquidation_threshold_bps: lt,
            min_bonus_bps: min,
            max_bonus_bps: max,
        }
    }

    #[test]
    fn successful_validate_group_accepts_a_correlated_group() {
        assert_eq!(validate_group(&p(9_000, 9_300, 100, 500)), Ok(()));
        assert_eq!(validate_group(&p(0, 9_800, 0, 200)), Ok(()));
    }

    #[test]
    fn fail_validate_group_when_a_bound_is_broken() {
        assert_eq!(
            validate_group(&p(9_300, 9_300, 100, 500)),
            Err(GroupError::Ltv)
        );
        assert_eq!(validate_group(&p(0, 0, 0, 0)), Err(GroupError::Ltv));
        assert_eq!(validate_group(&p(9_000, 9_801, 0, 0)), Err(GroupError::Ltv));
        assert_eq!(
            validate_group(&p(9_000, 9_300, 600, 500)),
            Err(GroupError::Bonus)
        );
        // 95% × (1 + 5.27%) ≥ 100%: a seizure at the threshold could not raise health.
        assert_eq!(
            validate_group(&p(9_000, 9_500, 0, 527)),
            Err(GroupError::Bonus)
        );
        assert_eq!(validate_group(&p(9_000, 9_500, 0, 526)), Ok(()));
    }

    #[test]
    fn successful_effective_uses_the_group_for_members_only() {
        let own = p(7_000, 7_500, 300, 800);
        let group = p(9_000, 9_300, 100, 400);
        let mask = group_bit(3).unwrap() | group_bit(16).unwrap();
        assert_eq!(effective(own, mask, Some((3, group))), group);
        assert_eq!(effective(own, mask, Some((16, group))), group);
        assert_eq!(effective(own, mask, Some((2, group))), own);
        assert_eq!(effective(own, mask, None), own);
        assert_eq!(group_bit(0), None);
        assert_eq!(group_bit(17), None);
        assert!(!is_member(u64::MAX, 0));
        assert!(mask_in_range(mask) && !mask_in_range(1 << 16));
        let (lo, hi) = pair_bonus_range(&group, &group);
        assert_eq!((lo, hi), (Decimal::from_bps(100), Decimal::from_bps(400)));
    }

    #[test]
    fn successful_obligation_pair_bonus_is_capped_at_the_group_max() {
        let group = p(9_000, 9_300, 100, 200);
        let removed = p(7_000, 7_500, 200, 1_000);
        let bps = |b| Decimal::from_bps(b);
        // A leg that left the group would lift the pair to its own 2–10%: capped at 2%.
        assert_eq!(
            obligation_pair_bonus_range(&removed, &group, Some(&group)),
            (bps(200), bps(200))
        );
        assert_eq!(
            obligation_pair_bonus_range(&group, &group, Some(&group)),
            (bps(100), bps(200))
        );
        // Outside a group: the pair's range as it is.
        assert_eq!(
            obligation_pair_bonus_range(&removed, &group, None),
            pair_bonus_range(&removed, &group)
        );
    }
}
