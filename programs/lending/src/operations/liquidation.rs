//! Liquidation and bad-debt write-off on plain account structs. The sizing rules and their
//! derivation live in `lending_math::liquidation`; this module applies a plan to the accounts.
//!
//! Accounting per liquidation:
//! - debt reserve: `available += repay`, normalized debt `−= repay ÷ index` (rounded down, or the
//!   whole position when the repayment covers `ceil(debt)`), on the obligation and the reserve alike;
//! - collateral reserve: `share_supply −= seized shares`, `available −= seized tokens`,
//!   `insurance += protocol fee`; the vault pays out `seized − fee`;
//! - obligation: cached values lowered by what left, the close-factor window advanced, and the
//!   "first liquidatable" time cleared once healthy.

use anchor_lang::prelude::*;
use lending_math::emode::obligation_pair_bonus_range;
use lending_math::health::Health;
use lending_math::liquidation::{
    auction_bonus, fees_to_reverse, liquidation_bonus, liquidation_improves, plan_liquidation,
    split_bad_debt, BadDebt, Bonus, BonusSource, CollateralSide, DebtSide, LiquidationPlan,
    PairWeights, Sizing, SizingRules, TargetSizing, Tolerance,
};
use lending_math::{debt, shares, Decimal};

use crate::error::{LendingError, MathResultExt};
use crate::operations::refresh::{store_valuation, value_obligation, Pricing};
use crate::operations::sub;
use crate::state::{LendingMarket, Obligation, Reserve};

/// How the liquidator is paid the seized collateral.
pub enum Payout<'a> {
    /// In underlying tokens from the collateral reserve's vault (needs its free liquidity).
    Tokens,
    /// In supply shares of the collateral reserve, credited as a deposit of the liquidator's
    /// own obligation: works whatever the reserve's free liquidity, so a
    /// borrower cannot make himself unliquidatable by draining it; the liquidator withdraws
    /// once liquidity returns. Same value and rounding as tokens: the liquidator's shares are
    /// the seized shares less those burned for the protocol fee (rounded up).
    Shares(&'a mut Obligation),
}

/// What a liquidation did.
pub struct LiquidationOutcome {
    /// Amounts moved.
    pub plan: LiquidationPlan,
    /// The bonus and the rule that set it.
    pub bonus: Bonus,
    /// Obligation totals before.
    pub health_before: Health,
    /// Obligation totals after.
    pub health_after: Health,
    /// Supply shares credited to the liquidator's obligation (0 when paid in tokens).
    pub liquidator_shares: u64,
    /// The write-off of the rest of the debt, when the liquidation took the last collateral.
    pub written_off: Option<BadDebtOutcome>,
}

/// The two reserves of a liquidation, with their keys.
pub struct LiquidationReserves<'a> {
    /// Key of the reserve whose debt is repaid.
    pub debt_key: Pubkey,
    /// That reserve.
    pub debt: &'a mut Reserve,
    /// Key of the reserve whose collateral is seized.
    pub coll_key: Pubkey,
    /// That reserve.
    pub coll: &'a mut Reserve,
    /// The obligation's other reserves (entries for the pair itself are ignored).
    pub others: &'a [(Pubkey, &'a Reserve)],
}

fn sizing_rules(
    market: &LendingMarket,
    o: &Obligation,
    coll: &Reserve,
    pair: PairWeights,
    past_close_factor_bonus: Decimal,
) -> SizingRules {
    SizingRules {
        close_factor: Decimal::from_bps(u64::from(market.close_factor_bps)),
        insolvency_ltv: Decimal::from_bps(u64::from(market.insolvency_ltv_bps)),
        dust_threshold_value: Decimal::from_u64(market.dust_threshold_value),
        window_debt_value: o.liquidation_window_debt_sf.get(),
        window_repaid_value: o.liquidation_window_repaid_sf.get(),
        protocol_fee: Decimal::from_bps(u64::from(coll.config.protocol_liquidation_fee_bps)),
        target: (market.target_health_bps > 0).then_some(TargetSizing {
            health: Decimal::from_bps(u64::from(market.target_health_bps)),
            auction_bonus: past_close_factor_bonus,
            pair,
        }),
    }
}

/// The pair's reserves first, then the others: a lookup by key finds the pair's current state.
fn with_pair<'a>(r: &'a LiquidationReserves) -> Vec<(Pubkey, &'a Reserve)> {
    let mut all = Vec::with_capacity(r.others.len() + 2);
    all.push((r.debt_key, &*r.debt));
    all.push((r.coll_key, &*r.coll));
    all.extend_from_slice(r.others);
    all
}

/// Liquidates `requested` debt tokens (`u64::MAX` = the most allowed) at `slot` / `now`.
///
/// The obligation is valued from scratch on all of them before the liquidation (eligibility,
/// sizing, bonus) and again after it, when its health factor must have strictly risen
/// ([`require_health_improved`]); the second valuation is stored as its cached values.
pub fn liquidate(
    market: &LendingMarket,
    obligation: &mut Obligation,
    r: LiquidationReserves,
    payout: Payout,
    slot: u64,
    now: i64,
    requested: u64,
) -> Result<LiquidationOutcome> {
    require!(
        r.debt.is_fresh(slot) && r.coll.is_fresh(slot),
        LendingError::ReserveStale
    );
    let gap = market.episode_gap_secs();
    // An obligation in an e-mode group is valued, sized and paid with the group's parameters
    // for its member positions (`lending_math::emode::effective`).
    let group = market.obligation_group(obligation)?;
    let before = value_obligation(
        obligation,
        &with_pair(&r),
        slot,
        Pricing::Liquidation { now },
        group,
    )?;
    store_valuation(obligation, &before, slot, now, gap)?;
    let bi = obligation
        .find_borrow(&r.debt_key)
        .ok_or(LendingError::BorrowNotFound)?;
    let di = obligation
        .find_deposit(&r.coll_key)
        .ok_or(LendingError::DepositNotFound)?;
    let health_before = before.health;
    require!(
        health_before.is_liquidatable(),
        LendingError::ObligationHealthy
    );

    if obligation.liquidation_slot != slot {
        obligation.liquidation_slot = slot;
        obligation
            .liquidation_window_debt_sf
            .set(health_before.borrowed_value)
            .map_math()?;
        obligation
            .liquidation_window_repaid_sf
            .set(Decimal::zero())
            .map_math()?;
    }
    let (debt_risk, coll_risk) = (r.debt.risk_params(group), r.coll.risk_params(group));
    let (lo, hi) =
        obligation_pair_bonus_range(&debt_risk, &coll_risk, group.as_ref().map(|(_, g)| g));
    let pair = PairWeights {
        debt_borrow_factor: r.debt.config.borrow_factor(),
        collateral_threshold: coll_risk.liquidation_threshold(),
    };
    let bonus = liquidation_bonus(
        &health_before,
        &pair,
        lo,
        hi,
        obligation.liquidatable_since_ts,
        now,
        market.liquidation_auction_secs,
    )
    .map_err(|e| error!(LendingError::from(e)))?;
    let auction = auction_bonus(
        lo,
        hi,
        obligation.liquidatable_since_ts,
        now,
        market.liquidation_auction_secs,
    )
    .map_math()?;
    // Once the episode has gone past the close factor, the auction's rate alone: a first
    // small piece past it would otherwise lower the target amount below the close factor and
    // let the rest be taken at the health ramp's bonus.
    let bonus = if obligation.auction_bonus_only != 0 && bonus.rate > auction {
        Bonus {
            rate: auction,
            source: BonusSource::PastCloseFactor,
        }
    } else {
        bonus
    };

    let index = r.debt.borrow_index_sf.get();
    let held = obligation.borrows[bi].normalized_debt_sf.get();
    let debt_amount = held.try_mul(index).map_math()?;
    let coll_assets = r.coll.total_supply_assets().map_math()?;
    let coll_supply = r.coll.share_supply;
    let position_shares = obligation.deposits[di].shares;
    let debt_side = DebtSide {
        amount: debt_amount,
        price: r.debt.price_sf.get(),
        decimals: r.debt.decimals,
    };
    let coll_side = CollateralSide {
        shares: position_shares,
        reserve_assets: coll_assets,
        share_supply: coll_supply,
        price: r.coll.price_sf.get(),
        decimals: r.coll.decimals,
    };
    let plan = plan_liquidation(
        &health_before,
        &debt_side,
        &coll_side,
        &sizing_rules(market, obligation, r.coll, pair, auction),
        bonus.rate,
        requested,
    )
    .map_err(|e| error!(LendingError::from(e)))?;
    // Past the close factor the plan pays the auction's rate alone.
    let bonus = if plan.bonus < bonus.rate {
        Bonus {
            rate: plan.bonus,
            source: BonusSource::PastCloseFactor,
        }
    } else {
        bonus
    };
    if plan.sizing == Sizing::PastCloseFactor {
        obligation.auction_bonus_only = 1;
    }
    let tolerance = Tolerance::for_plan(&plan, &debt_side, &coll_side, &pair).map_math()?;
    if let Payout::Tokens = payout {
        require!(
            plan.seize_amount <= r.coll.available_amount,
            LendingError::InsufficientLiquidity
        );
    }

    // Debt side: the plan never repays more than the rounded-up debt, so all of it is paid.
    let repaid = debt::repayment(held, index, plan.repay_amount).map_math()?;
    let removed = repaid.removed;
    obligation.borrows[bi]
        .normalized_debt_sf
        .set(repaid.left)
        .map_math()?;
    obligation.borrows[bi].principal = debt::principal_after_repay(
        obligation.borrows[bi].principal,
        repaid.debt_before,
        repaid.debt_after,
    )
    .map_math()?;
    obligation.remove_borrow_if_empty(bi);
    let total = r
        .debt
        .total_normalized_debt_sf
        .get()
        .try_sub(removed)
        .map_math()?;
    r.debt.total_normalized_debt_sf.set(total).map_math()?;
    r.debt.available_amount = r
        .debt
        .available_amount
        .checked_add(plan.repay_amount)
        .ok_or(LendingError::MathOverflow)?;

    // Collateral side.
    obligation.deposits[di].shares = sub(position_shares, plan.seize_shares)?;
    obligation.remove_deposit_if_empty(di);
    let liquidator_shares = match payout {
        Payout::Tokens => {
            r.coll.share_supply = sub(r.coll.share_supply, plan.seize_shares)?;
            r.coll.available_amount = sub(r.coll.available_amount, plan.seize_amount)?;
            r.coll.insurance_amount = r
                .coll
                .insurance_amount
                .checked_add(plan.protocol_fee_amount)
                .ok_or(LendingError::MathOverflow)?;
            0
        }
        Payout::Shares(receiver) => {
            require!(
                receiver.find_borrow(&r.coll_key).is_none(),
                LendingError::SameReserveDepositAndBorrow
            );
            // The liquidator's obligation, in an e-mode group, holds only members.
            r.coll.require_emode_member(receiver.emode_group)?;
            let fee_shares =
                shares::shares_for_withdrawal(plan.protocol_fee_amount, coll_assets, coll_supply)
                    .map_math()?
                    .min(plan.seize_shares);
            let credited = sub(plan.seize_shares, fee_shares)?;
            // The fee's shares are burned: their tokens join the insurance fund when the vault
            // has them free, else they stay in the pool as a protocol claim (collected like
            // interest fees). Either way depositors' share value is unchanged.
            r.coll.share_supply = sub(r.coll.share_supply, fee_shares)?;
            // Where the fee goes must not depend on a flash loan being out: a liquidator could
            // otherwise borrow the free liquidity first to keep the fee from the insurance fund.
            require!(
                plan.protocol_fee_amount <= r.coll.available_amount
                    || plan.protocol_fee_amount > r.coll.pool_liquidity(),
                LendingError::LiquidationFeeInFlashLoan
            );
            if plan.protocol_fee_amount <= r.coll.available_amount {
                r.coll.available_amount = sub(r.coll.available_amount, plan.protocol_fee_amount)?;
                r.coll.insurance_amount = r
                    .coll
                    .insurance_amount
                    .checked_add(plan.protocol_fee_amount)
                    .ok_or(LendingError::MathOverflow)?;
            } else {
                let fees = r
                    .coll
                    .protocol_fees_sf
                    .get()
                    .try_add(Decimal::from_u64(plan.protocol_fee_amount))
                    .map_math()?;
                r.coll.protocol_fees_sf.set(fees).map_math()?;
            }
            if credited > 0 {
                let i = receiver
                    .find_or_add_deposit(&r.coll_key)
                    .ok_or(LendingError::TooManyDeposits)?;
                receiver.deposits[i].shares = receiver.deposits[i]
                    .shares
                    .checked_add(credited)
                    .ok_or(LendingError::MathOverflow)?;
                receiver.mark_stale();
            }
            credited
        }
    };

    let repaid = obligation
        .liquidation_window_repaid_sf
        .get()
        .try_add(plan.repay_value)
        .map_math()?;
    obligation
        .liquidation_window_repaid_sf
        .set(repaid)
        .map_math()?;
    // The liquidation that takes the last collateral writes off what is left of this debt in
    // the same instruction: between the seizure and a separate write-off, the supply shares
    // would still count the doomed debt as an asset, and an informed depositor could leave
    // at that value and leave the loss to the others. (Debts in other reserves are written off
    // by `socialize_bad_debt`, which the keeper sends in the same transaction.)
    let written_off = if obligation.active_deposits().next().is_none()
        && obligation.find_borrow(&r.debt_key).is_some()
    {
        Some(socialize_bad_debt(r.debt, &r.debt_key, obligation)?)
    } else {
        None
    };

    // The values after, from scratch on the reserves as the liquidation left them.
    let after = value_obligation(
        obligation,
        &with_pair(&r),
        slot,
        Pricing::Liquidation { now },
        group,
    )?;
    require_health_improved(&health_before, &after.health, &tolerance)?;
    store_valuation(obligation, &after, slot, now, gap)?;
    obligation.mark_stale();
    Ok(LiquidationOutcome {
        plan,
        bonus,
        health_before,
        health_after: after.health,
        liquidator_shares,
        written_off,
    })
}

/// Requires a liquidation to pass [`liquidation_improves`]: the health factor `UBV / BFDV` of
/// a solvent obligation strictly rose (up to the unit rounding of `tolerance`), or no debt is
/// left, or the last collateral went and at most the tolerated dust of debt is left (written
/// off in the same transaction). Both totals are recomputations from scratch, so this holds
/// after fees and every rounding.
pub fn require_health_improved(
    before: &Health,
    after: &Health,
    tolerance: &Tolerance,
) -> Result<()> {
    require!(
        liquidation_improves(before, after, tolerance).map_math()?,
        LendingError::LiquidationWorsensHealth
    );
    Ok(())
}

/// Sweeps the obligation's dust collateral before a write-off: each deposit whose shares
/// redeem for no token at all (no liquidation can seize it: it pays nothing) has its shares
/// burned in its reserve, which raises that reserve's share value by less than one token.
/// `reserves` must hold the reserve of every remaining deposit, accrued to now; a deposit
/// that redeems for a token or more stays, and the write-off then fails as before.
/// Returns the number of deposits swept.
pub fn sweep_dust_collateral(
    obligation: &mut Obligation,
    reserves: &mut [(Pubkey, &mut Reserve)],
) -> Result<u32> {
    let mut swept = 0;
    // Positions compact on removal, so walk from the back.
    for i in (0..obligation.active_deposits().count()).rev() {
        let pos = obligation.deposits[i];
        let Some((_, r)) = reserves.iter_mut().find(|(k, _)| *k == pos.reserve) else {
            continue;
        };
        require!(
            r.lending_market == obligation.lending_market,
            LendingError::InvalidMarket
        );
        let out = shares::redeem_amount(
            pos.shares,
            r.total_supply_assets().map_math()?,
            r.share_supply,
        )
        .map_math()?;
        if out == 0 {
            r.share_supply = sub(r.share_supply, pos.shares)?;
            obligation.deposits[i].shares = 0;
            obligation.remove_deposit_if_empty(i);
            swept += 1;
        }
    }
    Ok(swept)
}

/// What a bad-debt write-off did.
pub struct BadDebtOutcome {
    /// Debt written off (token base units, fractional).
    pub debt: Decimal,
    /// Split between insurance and depositors.
    pub split: BadDebt,
    /// Share value before (underlying per share).
    pub share_value_before: Decimal,
    /// Share value after.
    pub share_value_after: Decimal,
    /// Protocol fees taken back: those credited on the interest written off.
    pub fees_reversed: Decimal,
}

/// Writes off the obligation's debt in `reserve` once it has no collateral left: the insurance
/// fund covers what it can (its tokens join the pool's liquidity), the rest lowers the value of
/// every supply share. Protocol fees, a claim of the protocol, absorb any loss they would
/// otherwise leave without backing.
pub fn socialize_bad_debt(
    reserve: &mut Reserve,
    reserve_key: &Pubkey,
    obligation: &mut Obligation,
) -> Result<BadDebtOutcome> {
    require!(
        obligation.active_deposits().next().is_none(),
        LendingError::ObligationHasCollateral
    );
    let i = obligation
        .find_borrow(reserve_key)
        .ok_or(LendingError::BorrowNotFound)?;
    let share_value_before = shares::share_value(
        reserve.total_supply_assets().map_math()?,
        reserve.share_supply,
    )
    .map_math()?;
    let held = obligation.borrows[i].normalized_debt_sf.get();
    let debt = held.try_mul(reserve.borrow_index_sf.get()).map_math()?;
    let split = split_bad_debt(debt, reserve.insurance_amount).map_math()?;
    // The reserve factor's share of the interest that depositors absorb was credited to the
    // protocol as it accrued: take it back (capped at the fees held), so the protocol never
    // collects fees on interest written off against depositors. The insured part was paid.
    let fees_reversed = fees_to_reverse(
        debt,
        obligation.borrows[i].principal,
        reserve.config.reserve_factor(),
        split.socialized,
        reserve.protocol_fees_sf.get(),
    )
    .map_math()?;
    reserve
        .protocol_fees_sf
        .set(
            reserve
                .protocol_fees_sf
                .get()
                .try_sub(fees_reversed)
                .map_math()?,
        )
        .map_math()?;

    obligation.borrows[i]
        .normalized_debt_sf
        .set(Decimal::zero())
        .map_math()?;
    obligation.remove_borrow_if_empty(i);
    let total = reserve
        .total_normalized_debt_sf
        .get()
        .try_sub(held)
        .map_math()?;
    reserve.total_normalized_debt_sf.set(total).map_math()?;
    reserve.insurance_amount = sub(reserve.insurance_amount, split.covered_by_insurance)?;
    reserve.available_amount = reserve
        .available_amount
        .checked_add(split.covered_by_insurance)
        .ok_or(LendingError::MathOverflow)?;
    let backing = Decimal::from_u64(reserve.pool_liquidity())
        .try_add(reserve.total_debt().map_math()?)
        .map_math()?;
    if reserve.protocol_fees_sf.get() > backing {
        reserve.protocol_fees_sf.set(backing).map_math()?;
    }
    obligation.mark_stale();
    let share_value_after = shares::share_value(
        reserve.total_supply_assets().map_math()?,
        reserve.share_supply,
    )
    .map_math()?;
    Ok(BadDebtOutcome {
        debt,
        split,
        share_value_before,
        share_value_after,
        fees_reversed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;

    fn reserve(market: Pubkey, available: u64, share_supply: u64) -> Reserve {
        let mut r: Reserve = bytemuck::Zeroable::zeroed();
        r.lending_market = market;
        r.available_amount = available;
        r.share_supply = share_supply;
        r.borrow_index_sf.set(Decimal::one()).unwrap();
        r
    }

    #[test]
    fn successful_sweep_burns_only_shares_that_redeem_for_nothing() {
        let market = Pubkey::new_unique();
        let (dust_key, kept_key) = (Pubkey::new_unique(), Pubkey::new_unique());
        // After a loss, 3 shares back 1 token: one share redeems for nothing.
        let mut dust = reserve(market, 1, 3);
        let mut kept = reserve(market, 1_000, 1_000);
        let mut o: Obligation = bytemuck::Zeroable::zeroed();
        o.lending_market = market;
        o.find_or_add_deposit(&kept_key).unwrap();
        o.deposits[0].shares = 1;
        o.find_or_add_deposit(&dust_key).unwrap();
        o.deposits[1].shares = 1;
        let swept = {
            let mut rs = vec![(dust_key, &mut dust), (kept_key, &mut kept)];
            sweep_dust_collateral(&mut o, &mut rs).unwrap()
        };
        assert_eq!(swept, 1);
        assert_eq!(dust.share_supply, 2, "the dust share is burned");
        assert_eq!(kept.share_supply, 1_000, "a share worth a token stays");
        assert_eq!(o.active_deposits().count(), 1);
        assert_eq!(o.deposits[0].reserve, kept_key);
    }

    #[test]
    fn fail_sweep_when_a_reserve_is_of_another_market() {
        let key = Pubkey::new_unique();
        let mut r = reserve(Pubkey::new_unique(), 1, 3);
        let mut o: Obligation = bytemuck::Zeroable::zeroed();
        o.lending_market = Pubkey::new_unique();
        o.find_or_add_deposit(&key).unwrap();
        o.deposits[0].shares = 1;
        let mut rs = vec![(key, &mut r)];
        assert_eq!(
            sweep_dust_collateral(&mut o, &mut rs).unwrap_err(),
            error!(LendingError::InvalidMarket)
        );
    }
}
