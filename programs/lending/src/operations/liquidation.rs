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
use lending_math::health::{value_borrow, value_deposit, BorrowInput, DepositInput, Health};
use lending_math::liquidation::{
    bonus_range, liquidation_bonus, plan_liquidation, split_bad_debt, BadDebt, Bonus,
    CollateralSide, DebtSide, LiquidationPlan, SizingRules,
};
use lending_math::{shares, Decimal};

use crate::error::{LendingError, MathResultExt};
use crate::operations::sub;
use crate::state::{LendingMarket, Obligation, Reserve};

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
}

fn sizing_rules(market: &LendingMarket, o: &Obligation, coll: &Reserve) -> SizingRules {
    SizingRules {
        close_factor: Decimal::from_bps(u64::from(market.close_factor_bps)),
        insolvency_ltv: Decimal::from_bps(u64::from(market.insolvency_ltv_bps)),
        dust_threshold_value: Decimal::from_u64(market.dust_threshold_value),
        window_debt_value: o.liquidation_window_debt_sf.get(),
        window_repaid_value: o.liquidation_window_repaid_sf.get(),
        protocol_fee: Decimal::from_bps(u64::from(coll.config.protocol_liquidation_fee_bps)),
    }
}

/// Liquidates `requested` debt tokens (`u64::MAX` = the most allowed) at `slot` / `now`.
pub fn liquidate(
    market: &LendingMarket,
    obligation: &mut Obligation,
    r: LiquidationReserves,
    slot: u64,
    now: i64,
    requested: u64,
) -> Result<LiquidationOutcome> {
    require!(
        r.debt.is_fresh(slot) && r.coll.is_fresh(slot),
        LendingError::ReserveStale
    );
    require!(
        obligation.last_refresh_slot == slot,
        LendingError::ObligationStale
    );
    let bi = obligation
        .find_borrow(&r.debt_key)
        .ok_or(LendingError::BorrowNotFound)?;
    let di = obligation
        .find_deposit(&r.coll_key)
        .ok_or(LendingError::DepositNotFound)?;
    let health_before = obligation.health();
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
    let (lo, hi) = bonus_range(
        r.debt.config.min_liquidation_bonus_bps,
        r.debt.config.max_liquidation_bonus_bps,
        r.coll.config.min_liquidation_bonus_bps,
        r.coll.config.max_liquidation_bonus_bps,
    );
    let bonus = liquidation_bonus(
        &health_before,
        lo,
        hi,
        obligation.liquidatable_since_ts,
        now,
        market.liquidation_auction_secs,
    )
    .map_math()?;

    let index = r.debt.borrow_index_sf.get();
    let held = obligation.borrows[bi].normalized_debt_sf.get();
    let debt_amount = held.try_mul(index).map_math()?;
    let coll_assets = r.coll.total_supply_assets().map_math()?;
    let coll_supply = r.coll.share_supply;
    let position_shares = obligation.deposits[di].shares;
    let plan = plan_liquidation(
        &health_before,
        &DebtSide {
            amount: debt_amount,
            price: r.debt.price_sf.get(),
            decimals: r.debt.decimals,
        },
        &CollateralSide {
            shares: position_shares,
            reserve_assets: coll_assets,
            share_supply: coll_supply,
            price: r.coll.price_sf.get(),
            decimals: r.coll.decimals,
        },
        &sizing_rules(market, obligation, r.coll),
        bonus.rate,
        requested,
    )
    .map_err(|e| error!(LendingError::from(e)))?;
    require!(
        plan.seize_amount <= r.coll.available_amount,
        LendingError::InsufficientLiquidity
    );

    // Debt side.
    let removed = if plan.repay_amount >= debt_amount.try_ceil_u64().map_math()? {
        held
    } else {
        Decimal::from_u64(plan.repay_amount)
            .try_div(index)
            .map_math()?
            .min(held)
    };
    obligation.borrows[bi]
        .normalized_debt_sf
        .set(held.try_sub(removed).map_math()?)
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
    let seized_underlying =
        shares::assets_for_shares(plan.seize_shares, coll_assets, coll_supply).map_math()?;
    obligation.deposits[di].shares = sub(position_shares, plan.seize_shares)?;
    obligation.remove_deposit_if_empty(di);
    r.coll.share_supply = sub(r.coll.share_supply, plan.seize_shares)?;
    r.coll.available_amount = sub(r.coll.available_amount, plan.seize_amount)?;
    r.coll.insurance_amount = r
        .coll
        .insurance_amount
        .checked_add(plan.protocol_fee_amount)
        .ok_or(LendingError::MathOverflow)?;

    // Obligation values.
    let mut health_after = health_before;
    health_after.sub_borrow(
        &value_borrow(&BorrowInput {
            amount: Decimal::from_u64(plan.repay_amount),
            decimals: r.debt.decimals,
            prices: r.debt.prices(),
            borrow_factor: r.debt.config.borrow_factor(),
        })
        .map_math()?,
    );
    health_after.sub_deposit(
        &value_deposit(&DepositInput {
            amount: seized_underlying,
            decimals: r.coll.decimals,
            prices: r.coll.prices(),
            ltv: r.coll.config.ltv(),
            liquidation_threshold: r.coll.config.liquidation_threshold(),
        })
        .map_math()?,
    );
    obligation.set_health(&health_after).map_math()?;
    let repaid = obligation
        .liquidation_window_repaid_sf
        .get()
        .try_add(plan.repay_value)
        .map_math()?;
    obligation
        .liquidation_window_repaid_sf
        .set(repaid)
        .map_math()?;
    if !health_after.is_liquidatable() {
        obligation.liquidatable_since_ts = 0;
    }
    obligation.mark_stale();
    Ok(LiquidationOutcome {
        plan,
        bonus,
        health_before,
        health_after,
    })
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
    let backing = Decimal::from_u64(reserve.available_amount)
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
    })
}
