//! Deposit, withdraw, borrow and repay on a reserve and an obligation.
//!
//! The handler has accrued the reserve's interest to `now` and checked freshness and pauses;
//! these functions apply the accounting and the health rule and return the token amount to move.
//!
//! Accounting identities kept here:
//! - `Σ obligation shares + seed shares = reserve.share_supply`;
//! - `Σ obligation normalized debt = reserve.total_normalized_debt` (the same value is added to
//!   or removed from both sides);
//! - `vault balance = available_amount + insurance_amount` (checked by the handlers after the transfer).
//!
//! Rounding against the user: shares minted down, shares burned up, tokens out down, normalized
//! debt added up, normalized debt removed down.

use anchor_lang::prelude::*;
use lending_math::health::{value_borrow, value_deposit, BorrowInput, DepositInput};
use lending_math::{debt, shares, Decimal};

use crate::error::{LendingError, MathResultExt};
use crate::operations::sub;
use crate::state::{ActiveGroup, Obligation, Reserve};

/// Deposits need at least `1 / MIN_SHARES_PER_ASSET_INVERSE` underlying per share (1e-6).
pub const MIN_SHARES_PER_ASSET_INVERSE: u64 = 1_000_000;

/// Result of a deposit.
pub struct DepositOutcome {
    /// Shares credited to the obligation.
    pub shares: u64,
}

/// Credits `amount` tokens as collateral: mints `floor(amount × S / A)` shares. An obligation in
/// an e-mode group deposits only into member reserves.
pub fn deposit(
    reserve: &mut Reserve,
    reserve_key: &Pubkey,
    obligation: &mut Obligation,
    amount: u64,
) -> Result<DepositOutcome> {
    require!(
        amount > 0 && amount != u64::MAX,
        LendingError::InvalidAmount
    );
    let assets = reserve.total_supply_assets().map_math()?;
    // A write-off can leave shares backed by (almost) nothing: below 1e-6 underlying per
    // share, a deposit would mint shares past u64 or be priced at nothing. Refused with its
    // own error; such a reserve takes no more deposits (its shares keep their claim on
    // whatever is recovered through repayments).
    require!(
        reserve.share_supply == 0
            || assets
                .try_mul_u64(MIN_SHARES_PER_ASSET_INVERSE)
                .map_math()?
                >= Decimal::from_u64(reserve.share_supply),
        LendingError::ReserveAssetsDepleted
    );
    let after = assets.try_add(Decimal::from_u64(amount)).map_math()?;
    require!(
        after <= Decimal::from_u64(reserve.config.deposit_cap),
        LendingError::DepositCapExceeded
    );
    require!(
        obligation.find_borrow(reserve_key).is_none(),
        LendingError::SameReserveDepositAndBorrow
    );
    reserve.require_emode_member(obligation.emode_group)?;
    let minted = shares::shares_for_deposit(amount, assets, reserve.share_supply).map_math()?;
    require!(minted > 0, LendingError::AmountTooSmall);
    let i = obligation
        .find_or_add_deposit(reserve_key)
        .ok_or(LendingError::TooManyDeposits)?;
    obligation.deposits[i].shares = obligation.deposits[i]
        .shares
        .checked_add(minted)
        .ok_or(LendingError::MathOverflow)?;
    reserve.available_amount = reserve
        .available_amount
        .checked_add(amount)
        .ok_or(LendingError::MathOverflow)?;
    reserve.share_supply = reserve
        .share_supply
        .checked_add(minted)
        .ok_or(LendingError::MathOverflow)?;
    obligation.mark_stale();
    Ok(DepositOutcome { shares: minted })
}

/// Result of a withdrawal.
pub struct WithdrawOutcome {
    /// Tokens to send to the owner.
    pub amount: u64,
    /// Shares burned.
    pub shares: u64,
}

/// Removes collateral: `amount` tokens (burning `ceil(amount × S / A)` shares), or every share
/// of the position when `amount == u64::MAX` (paying `floor(shares × A / S)`). With debt, the
/// obligation must stay within its allowed borrow value: `BFDV⁺ ≤ ABV − removed × low price × LTV`,
/// with the LTV the position counts with in the obligation's e-mode `group`.
pub fn withdraw(
    reserve: &mut Reserve,
    reserve_key: &Pubkey,
    obligation: &mut Obligation,
    amount: u64,
    group: ActiveGroup,
) -> Result<WithdrawOutcome> {
    require!(amount > 0, LendingError::InvalidAmount);
    let i = obligation
        .find_deposit(reserve_key)
        .ok_or(LendingError::DepositNotFound)?;
    let held = obligation.deposits[i].shares;
    let assets = reserve.total_supply_assets().map_math()?;
    // Soak seed 80131: after a write-off took everything behind a reserve's shares, pricing a
    // withdrawal divided by zero (`DivisionByZero`). Nothing can be withdrawn: its own error.
    require!(!assets.is_zero(), LendingError::ReserveAssetsDepleted);
    let supply = reserve.share_supply;
    let (burn, out) = if amount == u64::MAX {
        (
            held,
            shares::redeem_amount(held, assets, supply).map_math()?,
        )
    } else {
        let burn = shares::shares_for_withdrawal(amount, assets, supply).map_math()?;
        require!(burn <= held, LendingError::WithdrawExceedsDeposit);
        (burn, amount)
    };
    require!(out > 0 && burn > 0, LendingError::AmountTooSmall);
    require!(
        out <= reserve.available_amount,
        LendingError::InsufficientLiquidity
    );

    if obligation.has_debt() {
        let risk = reserve.risk_params(group);
        let removed = DepositInput {
            amount: shares::assets_for_shares(burn, assets, supply).map_math()?,
            decimals: reserve.decimals,
            prices: reserve.prices(),
            ltv: risk.ltv(),
            liquidation_threshold: risk.liquidation_threshold(),
        };
        let removed = value_deposit(&removed).map_math()?;
        let mut health = obligation.health();
        health.allowed_borrow_value = health
            .allowed_borrow_value
            .saturating_sub(removed.allowed_borrow_value);
        require!(health.within_borrow_limit(), LendingError::WithdrawTooLarge);
    }

    obligation.deposits[i].shares = sub(held, burn)?;
    obligation.remove_deposit_if_empty(i);
    reserve.available_amount = sub(reserve.available_amount, out)?;
    reserve.share_supply = reserve
        .share_supply
        .checked_sub(burn)
        .ok_or(LendingError::MathUnderflow)?;
    obligation.mark_stale();
    Ok(WithdrawOutcome {
        amount: out,
        shares: burn,
    })
}

/// Result of a borrow.
pub struct BorrowOutcome {
    /// Normalized debt added (debt ÷ index, rounded up).
    pub normalized_debt: Decimal,
}

/// Lends `amount` tokens against the obligation: requires
/// `BFDV⁺ + v(amount, high) × bf ≤ ABV`, the borrow cap and available liquidity. An obligation in
/// an e-mode group borrows only from member reserves.
pub fn borrow(
    reserve: &mut Reserve,
    reserve_key: &Pubkey,
    obligation: &mut Obligation,
    amount: u64,
) -> Result<BorrowOutcome> {
    require!(
        amount > 0 && amount != u64::MAX,
        LendingError::InvalidAmount
    );
    require!(
        obligation.find_deposit(reserve_key).is_none(),
        LendingError::SameReserveDepositAndBorrow
    );
    reserve.require_emode_member(obligation.emode_group)?;
    require!(
        amount <= reserve.available_amount,
        LendingError::InsufficientLiquidity
    );
    let amount_d = Decimal::from_u64(amount);
    let debt_after = reserve
        .total_debt()
        .map_math()?
        .try_add(amount_d)
        .map_math()?;
    require!(
        debt_after <= Decimal::from_u64(reserve.borrow_cap_in_force()),
        LendingError::BorrowCapExceeded
    );

    let added = value_borrow(&BorrowInput {
        amount: amount_d,
        decimals: reserve.decimals,
        prices: reserve.prices(),
        borrow_factor: reserve.config.borrow_factor(),
    })
    .map_math()?;
    let mut health = obligation.health();
    health.bf_adjusted_debt_value_upper = health
        .bf_adjusted_debt_value_upper
        .try_add(added.bf_adjusted_value_upper)
        .map_math()?;
    require!(health.within_borrow_limit(), LendingError::BorrowTooLarge);

    let normalized =
        debt::normalized_for_borrow(amount, reserve.borrow_index_sf.get()).map_math()?;
    let i = obligation
        .find_or_add_borrow(reserve_key)
        .ok_or(LendingError::TooManyBorrows)?;
    let pos = &mut obligation.borrows[i];
    pos.normalized_debt_sf
        .set(
            pos.normalized_debt_sf
                .get()
                .try_add(normalized)
                .map_math()?,
        )
        .map_math()?;
    pos.principal = pos
        .principal
        .checked_add(amount)
        .ok_or(LendingError::MathOverflow)?;
    let total = reserve
        .total_normalized_debt_sf
        .get()
        .try_add(normalized)
        .map_math()?;
    reserve.total_normalized_debt_sf.set(total).map_math()?;
    reserve.available_amount = sub(reserve.available_amount, amount)?;
    obligation.mark_stale();
    Ok(BorrowOutcome {
        normalized_debt: normalized,
    })
}

/// Result of a repayment.
pub struct RepayOutcome {
    /// Tokens to take from the payer.
    pub amount: u64,
    /// Normalized debt removed.
    pub normalized_debt: Decimal,
    /// Debt left on the position (token base units, fractional).
    pub remaining_debt: Decimal,
}

/// Repays up to `amount` tokens of the obligation's debt in this reserve (`u64::MAX` = all),
/// sized by `lending_math::debt::repayment`: a full repayment costs `ceil(debt)`; a partial one
/// removes `floor(amount ÷ index)` normalized debt.
pub fn repay(
    reserve: &mut Reserve,
    reserve_key: &Pubkey,
    obligation: &mut Obligation,
    amount: u64,
) -> Result<RepayOutcome> {
    require!(amount > 0, LendingError::InvalidAmount);
    let i = obligation
        .find_borrow(reserve_key)
        .ok_or(LendingError::BorrowNotFound)?;
    let held = obligation.borrows[i].normalized_debt_sf.get();
    // No vault holds more than `u64::MAX` base units: a request (`u64::MAX` = all included)
    // pays at most what the reserve can still take in. Only a debt grown past u64 by interest
    // meets this bound; it is then repaid in parts, or liquidated and written off.
    let room = u64::MAX - reserve.available_amount;
    let r = debt::repayment(held, reserve.borrow_index_sf.get(), amount.min(room)).map_math()?;
    require!(r.paid > 0, LendingError::AmountTooSmall);
    let (pay, removed) = (r.paid, r.removed);
    obligation.borrows[i]
        .normalized_debt_sf
        .set(r.left)
        .map_math()?;
    obligation.borrows[i].principal =
        debt::principal_after_repay(obligation.borrows[i].principal, r.debt_before, r.debt_after)
            .map_math()?;
    obligation.remove_borrow_if_empty(i);
    let total = reserve
        .total_normalized_debt_sf
        .get()
        .try_sub(removed)
        .map_math()?;
    reserve.total_normalized_debt_sf.set(total).map_math()?;
    reserve.available_amount = reserve
        .available_amount
        .checked_add(pay)
        .ok_or(LendingError::MathOverflow)?;
    obligation.mark_stale();
    Ok(RepayOutcome {
        amount: pay,
        normalized_debt: removed,
        remaining_debt: r.debt_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reserve(available: u64, share_supply: u64) -> Reserve {
        let mut r: Reserve = bytemuck::Zeroable::zeroed();
        r.available_amount = available;
        r.share_supply = share_supply;
        r.borrow_index_sf.set(Decimal::one()).unwrap();
        r.config.deposit_cap = u64::MAX;
        r
    }

    /// Soak seed 70056: months at full utilization took a debt past `u64::MAX` base units, and
    /// `repay(u64::MAX)` paid `u64::MAX` into a reserve that already held tokens, overflowing
    /// its available amount (`MathOverflow`). It now pays what the reserve can take in.
    #[test]
    fn successful_repay_all_of_a_debt_past_u64_pays_what_the_reserve_can_take() {
        let key = Pubkey::new_unique();
        let mut r = reserve(u64::MAX - 5_000, 1_000);
        let mut o: Obligation = bytemuck::Zeroable::zeroed();
        o.borrows[0].reserve = key;
        o.borrows[0].principal = 1_000;
        let held = Decimal::from_u64(u64::MAX).try_mul_u64(2).unwrap();
        o.borrows[0].normalized_debt_sf.set(held).unwrap();
        r.total_normalized_debt_sf.set(held).unwrap();

        let out = repay(&mut r, &key, &mut o, u64::MAX).unwrap();
        assert_eq!(out.amount, 5_000);
        assert_eq!(r.available_amount, u64::MAX);
        let left = held.try_sub(Decimal::from_u64(5_000)).unwrap();
        assert_eq!(o.borrows[0].normalized_debt_sf.get(), left);
        assert_eq!(r.total_normalized_debt_sf.get(), left);
        // A full reserve takes nothing more: the request is too small to pay anything.
        assert_eq!(
            repay(&mut r, &key, &mut o, u64::MAX).err(),
            Some(error!(LendingError::AmountTooSmall))
        );
        assert_eq!(o.borrows[0].normalized_debt_sf.get(), left);
    }

    #[test]
    fn fail_withdraw_when_reserve_assets_are_depleted() {
        let key = Pubkey::new_unique();
        let mut r = reserve(0, 1_000);
        let mut o: Obligation = bytemuck::Zeroable::zeroed();
        o.deposits[0].reserve = key;
        o.deposits[0].shares = 500;
        for amount in [577, u64::MAX] {
            assert_eq!(
                withdraw(&mut r, &key, &mut o, amount, None).err(),
                Some(error!(LendingError::ReserveAssetsDepleted))
            );
            assert_eq!((r.share_supply, o.deposits[0].shares), (1_000, 500));
        }
    }

    #[test]
    fn fail_deposit_when_reserve_assets_are_depleted() {
        let key = Pubkey::new_unique();
        for (available, supply) in [(0, 1_000), (1, 2_000_000)] {
            let mut r = reserve(available, supply);
            let before = r.share_supply;
            let mut o: Obligation = bytemuck::Zeroable::zeroed();
            assert_eq!(
                deposit(&mut r, &key, &mut o, 1_000_000_000).err(),
                Some(error!(LendingError::ReserveAssetsDepleted))
            );
            assert_eq!(r.share_supply, before);
            assert_eq!(o.active_deposits().count(), 0);
        }
        // At 1e-6 per share exactly, deposits still work.
        let mut r = reserve(1, 1_000_000);
        let mut o: Obligation = bytemuck::Zeroable::zeroed();
        let out = deposit(&mut r, &key, &mut o, 10).unwrap();
        assert_eq!(out.shares, 10_000_000);
    }
}
