//! Liquidation: eligibility, the bonus, and how much a liquidator repays and seizes.
//!
//! Symbols (all values in quote units at spot prices; `Health` holds the obligation totals)
//! - `DV` deposited value, `BV` borrowed value (no borrow factor), `UBV` unhealthy borrow value,
//!   `BFDV` borrow-factor-adjusted debt value;
//! - `R` value repaid, `b` bonus rate, `S = R × (1 + b)` value of collateral seized;
//! - `cf` close factor, `f` protocol share of the bonus.
//!
//! Eligibility: `BFDV > UBV`.
//!
//! Pair choice: a liquidator may repay any borrow and seize any deposit of the obligation.
//! Repaying `R` of debt with borrow factor `bf` lowers `BFDV` by `R × bf`; seizing `S` of
//! collateral with threshold `lt` lowers `UBV` by `R × (1 + b) × lt`. Configs guarantee
//! `lt × (1 + b_max) < 1 ≤ bf`, so every pair strictly improves `BFDV − UBV`: no choice can harm
//! the borrower's health, and keepers are free to use the most liquid pair. (klend instead forces
//! the highest-borrow-factor debt and the lowest-threshold collateral.)
//!
//! Bonus `b = max(b_health, b_auction)`, clamped to `[lo, hi]`:
//! - `lo` = the larger min bonus of the two reserves, `hi` = the larger max bonus;
//! - health ramp: `b_health = clamp((BFDV − UBV) / DV, lo, hi)`, growing with how far the
//!   obligation is past its threshold;
//! - Dutch auction: `b_auction = lo + (hi − lo) × min(t − t0, T) / T`, where `t0` is when the
//!   obligation was first seen liquidatable and `T` the market's auction duration, so
//!   competing liquidators find the smallest bonus that clears the position;
//! - solvency cap: when `BV < DV`, `b ≤ DV / BV − 1`, so that even repaying all debt cannot
//!   leave more debt than collateral; when `BV ≥ DV` the obligation is already insolvent and the
//!   bonus is `lo`. The remaining debt is bad debt.
//!
//! Sizing:
//! - per slot, the value repaid may not exceed `cf × BV` (measured at the first liquidation of
//!   the slot), or the whole borrow when `BV / DV ≥` the insolvency LTV or when the borrow is
//!   worth less than the dust threshold (a dust borrow must be repaid in full);
//! - the collateral caps the repayment: `R ≤ value(deposit) / (1 + b)`, so a liquidation never
//!   reverts for lack of collateral; when that cap binds and the liquidator repays the maximum,
//!   the whole deposit is seized (the rounding remainder, under one debt unit of value, goes to
//!   the liquidator) so that no unliquidatable dust of collateral is left behind;
//! - rounding: the liquidator pays whole tokens; seized shares and tokens round down; the
//!   protocol fee `floor(seized × b / (1 + b) × f)` stays in the collateral reserve's
//!   insurance fund.

use crate::error::{MathError, MathResult};
use crate::fixed::Decimal;
use crate::health::{amount_for_value, market_value, Health};
use crate::shares;

/// Why a liquidation cannot go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiquidationError {
    /// `BFDV ≤ UBV`.
    Healthy,
    /// The requested repayment exceeds what the close factor and collateral allow.
    RepayTooLarge,
    /// A dust borrow must be repaid in full (as far as the collateral allows).
    DustNotFullyRepaid,
    /// Nothing to repay: zero requested, or the close factor is used up for this slot.
    NothingToRepay,
    /// The repayment is too small to seize a single share.
    NothingToSeize,
    /// Arithmetic failure.
    Math(MathError),
}

impl From<MathError> for LiquidationError {
    fn from(e: MathError) -> Self {
        LiquidationError::Math(e)
    }
}

/// Which rule set the bonus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BonusSource {
    /// The health ramp.
    Health,
    /// The Dutch auction.
    Auction,
    /// The solvency cap `DV / BV − 1`.
    SolvencyCap,
    /// The obligation is insolvent (`BV ≥ DV`); the minimum bonus applies.
    Insolvent,
}

impl BonusSource {
    /// Stable code for events.
    pub fn code(self) -> u8 {
        match self {
            BonusSource::Health => 0,
            BonusSource::Auction => 1,
            BonusSource::SolvencyCap => 2,
            BonusSource::Insolvent => 3,
        }
    }
}

/// The bonus and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bonus {
    /// Bonus rate `b`.
    pub rate: Decimal,
    /// The rule that set it.
    pub source: BonusSource,
}

/// Bonus bounds `[lo, hi]` from the two reserves' configs (bps).
pub fn bonus_range(
    debt_min_bps: u16,
    debt_max_bps: u16,
    coll_min_bps: u16,
    coll_max_bps: u16,
) -> (Decimal, Decimal) {
    let lo = Decimal::from_bps(u64::from(debt_min_bps.max(coll_min_bps)));
    let hi = Decimal::from_bps(u64::from(debt_max_bps.max(coll_max_bps)));
    (lo, hi.max(lo))
}

/// The bonus of an obligation with totals `h`, first seen liquidatable at `since` (unix
/// seconds, 0 = now), at time `now`, with an auction of `auction_secs`.
pub fn liquidation_bonus(
    h: &Health,
    lo: Decimal,
    hi: Decimal,
    since: i64,
    now: i64,
    auction_secs: u32,
) -> MathResult<Bonus> {
    if h.borrowed_value >= h.deposited_value {
        return Ok(Bonus {
            rate: lo,
            source: BonusSource::Insolvent,
        });
    }
    let distance = h
        .bf_adjusted_debt_value
        .saturating_sub(h.unhealthy_borrow_value)
        .try_div(h.deposited_value)?;
    let health_rate = distance.max(lo).min(hi);
    let elapsed = if since == 0 {
        0
    } else {
        now.saturating_sub(since).max(0) as u64
    };
    let auction_rate = if auction_secs == 0 {
        hi
    } else {
        let t = elapsed.min(u64::from(auction_secs));
        lo.try_add(
            hi.try_sub(lo)?
                .try_mul_u64(t)?
                .try_div_u64(u64::from(auction_secs))?,
        )?
    };
    let (rate, source) = if auction_rate > health_rate {
        (auction_rate, BonusSource::Auction)
    } else {
        (health_rate, BonusSource::Health)
    };
    let cap = h
        .deposited_value
        .try_div(h.borrowed_value.max(Decimal(crate::fixed::U256::one())))?
        .saturating_sub(Decimal::one());
    if rate > cap {
        return Ok(Bonus {
            rate: cap,
            source: BonusSource::SolvencyCap,
        });
    }
    Ok(Bonus { rate, source })
}

/// The borrow being repaid.
#[derive(Clone, Copy, Debug)]
pub struct DebtSide {
    /// Debt of the position (token base units, fractional).
    pub amount: Decimal,
    /// Spot price (quote units per whole token).
    pub price: Decimal,
    /// Mint decimals.
    pub decimals: u8,
}

/// The deposit being seized.
#[derive(Clone, Copy, Debug)]
pub struct CollateralSide {
    /// Supply shares of the position.
    pub shares: u64,
    /// Total supply assets of the reserve (`A`).
    pub reserve_assets: Decimal,
    /// Shares in issue (`S`).
    pub share_supply: u64,
    /// Spot price.
    pub price: Decimal,
    /// Mint decimals.
    pub decimals: u8,
}

/// Market rules for sizing.
#[derive(Clone, Copy, Debug)]
pub struct SizingRules {
    /// Close factor `cf`.
    pub close_factor: Decimal,
    /// LTV (`BV / DV`) at or above which the whole borrow may be repaid.
    pub insolvency_ltv: Decimal,
    /// A borrow worth less than this must be repaid in full (quote units).
    pub dust_threshold_value: Decimal,
    /// `BV` at the first liquidation of this slot (the close-factor base).
    pub window_debt_value: Decimal,
    /// Value already repaid by liquidations in this slot.
    pub window_repaid_value: Decimal,
    /// Protocol share of the bonus, `f`.
    pub protocol_fee: Decimal,
}

/// What a liquidation moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationPlan {
    /// Largest repayment allowed (token base units of the debt).
    pub max_repay: u64,
    /// Tokens the liquidator pays.
    pub repay_amount: u64,
    /// Their value `R`.
    pub repay_value: Decimal,
    /// Supply shares taken from the obligation.
    pub seize_shares: u64,
    /// Collateral tokens those shares redeem for.
    pub seize_amount: u64,
    /// Their value.
    pub seize_value: Decimal,
    /// Tokens kept by the protocol's insurance fund.
    pub protocol_fee_amount: u64,
    /// Tokens sent to the liquidator.
    pub liquidator_amount: u64,
    /// True when the close factor did not limit the repayment (insolvent or dust).
    pub full_liquidation: bool,
    /// True when the borrow is below the dust threshold.
    pub dust: bool,
}

/// Sizes a liquidation of `requested` debt tokens (`u64::MAX` = the most allowed).
pub fn plan_liquidation(
    h: &Health,
    debt: &DebtSide,
    coll: &CollateralSide,
    rules: &SizingRules,
    bonus: Decimal,
    requested: u64,
) -> Result<LiquidationPlan, LiquidationError> {
    if !h.is_liquidatable() {
        return Err(LiquidationError::Healthy);
    }
    let debt_value = market_value(debt.amount, debt.price, debt.decimals)?;
    let debt_tokens = debt.amount.try_ceil_u64()?;
    let insolvent = h.deposited_value.is_zero()
        || h.borrowed_value.try_div(h.deposited_value)? >= rules.insolvency_ltv;
    let dust = debt_value < rules.dust_threshold_value;
    let full = insolvent || dust;

    let mut max_repay = debt_tokens;
    if !full {
        let allowed_value = rules
            .window_debt_value
            .try_mul(rules.close_factor)?
            .saturating_sub(rules.window_repaid_value);
        let by_cf = amount_for_value(allowed_value, debt.price, debt.decimals)?.try_floor_u64()?;
        max_repay = max_repay.min(by_cf);
    }
    let one_plus_b = Decimal::one().try_add(bonus)?;
    let coll_amount =
        shares::assets_for_shares(coll.shares, coll.reserve_assets, coll.share_supply)?;
    let coll_value = market_value(coll_amount, coll.price, coll.decimals)?;
    let by_coll = amount_for_value(coll_value.try_div(one_plus_b)?, debt.price, debt.decimals)?
        .try_floor_u64()?;
    let collateral_bound = by_coll <= max_repay;
    max_repay = max_repay.min(by_coll);

    let repay_amount = if requested == u64::MAX {
        max_repay
    } else {
        requested
    };
    if repay_amount == 0 {
        return Err(LiquidationError::NothingToRepay);
    }
    if repay_amount > max_repay {
        return Err(LiquidationError::RepayTooLarge);
    }
    if dust && repay_amount < max_repay {
        return Err(LiquidationError::DustNotFullyRepaid);
    }

    let repay_value = market_value(Decimal::from_u64(repay_amount), debt.price, debt.decimals)?;
    let seize_value = repay_value.try_mul(one_plus_b)?;
    let seize_underlying = amount_for_value(seize_value, coll.price, coll.decimals)?;
    // When the collateral caps the repayment and the liquidator takes all of it, the whole
    // position goes: rounding would otherwise leave shares worth less than one debt unit,
    // which no liquidation could take and which would keep the debt from being written off.
    let seize_shares = if collateral_bound && repay_amount == max_repay {
        coll.shares
    } else {
        seize_underlying
            .try_mul_u64(coll.share_supply)?
            .try_div(coll.reserve_assets)?
            .try_floor_u64()?
            .min(coll.shares)
    };
    let seize_amount = shares::redeem_amount(seize_shares, coll.reserve_assets, coll.share_supply)?;
    if seize_amount == 0 {
        return Err(LiquidationError::NothingToSeize);
    }
    let protocol_fee_amount = Decimal::from_u64(seize_amount)
        .try_mul(bonus)?
        .try_div(one_plus_b)?
        .try_mul(rules.protocol_fee)?
        .try_floor_u64()?;
    Ok(LiquidationPlan {
        max_repay,
        repay_amount,
        repay_value,
        seize_shares,
        seize_amount,
        seize_value: market_value(Decimal::from_u64(seize_amount), coll.price, coll.decimals)?,
        protocol_fee_amount,
        liquidator_amount: seize_amount - protocol_fee_amount,
        full_liquidation: full,
        dust,
    })
}

/// Bad debt write-off of a borrow of `debt` tokens with `insurance` tokens in the fund:
/// the fund pays `min(insurance, ceil(debt))`; the rest is socialized to depositors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadDebt {
    /// Tokens taken from the insurance fund into the pool.
    pub covered_by_insurance: u64,
    /// Debt written off against depositors (token base units, fractional).
    pub socialized: Decimal,
}

/// Splits a bad debt between the insurance fund and depositors.
pub fn split_bad_debt(debt: Decimal, insurance: u64) -> MathResult<BadDebt> {
    let covered = insurance.min(debt.try_ceil_u64()?);
    Ok(BadDebt {
        covered_by_insurance: covered,
        socialized: debt.saturating_sub(Decimal::from_u64(covered)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(dv: u64, bv: u64, ubv: u64) -> Health {
        Health {
            deposited_value: Decimal::from_u64(dv),
            allowed_borrow_value: Decimal::zero(),
            unhealthy_borrow_value: Decimal::from_u64(ubv),
            borrowed_value: Decimal::from_u64(bv),
            bf_adjusted_debt_value: Decimal::from_u64(bv),
            bf_adjusted_debt_value_upper: Decimal::from_u64(bv),
        }
    }

    fn rules(cf_pct: u64) -> SizingRules {
        SizingRules {
            close_factor: Decimal::from_percent(cf_pct),
            insolvency_ltv: Decimal::from_percent(95),
            dust_threshold_value: Decimal::from_u64(2),
            window_debt_value: Decimal::zero(),
            window_repaid_value: Decimal::zero(),
            protocol_fee: Decimal::from_percent(10),
        }
    }

    #[test]
    fn successful_bonus_auction_ramps_from_min_to_max() {
        let h = health(1_000, 810, 800); // distance 1%
        let (lo, hi) = (Decimal::from_percent(2), Decimal::from_percent(10));
        let b = |t: i64| liquidation_bonus(&h, lo, hi, 1_000, 1_000 + t, 600).unwrap();
        assert_eq!(
            b(0),
            Bonus {
                rate: lo,
                source: BonusSource::Health
            }
        );
        assert_eq!(
            b(300),
            Bonus {
                rate: Decimal::from_percent(6),
                source: BonusSource::Auction
            }
        );
        assert_eq!(
            b(600),
            Bonus {
                rate: hi,
                source: BonusSource::Auction
            }
        );
        assert_eq!(
            b(6_000),
            Bonus {
                rate: hi,
                source: BonusSource::Auction
            }
        );
    }

    #[test]
    fn successful_bonus_grows_with_distance_past_threshold() {
        let (lo, hi) = (Decimal::from_percent(2), Decimal::from_percent(10));
        let b = liquidation_bonus(&health(1_000, 850, 800), lo, hi, 0, 0, 600).unwrap();
        assert_eq!(
            b,
            Bonus {
                rate: Decimal::from_percent(5),
                source: BonusSource::Health
            }
        );
    }

    #[test]
    fn successful_bonus_capped_by_solvency_and_min_when_insolvent() {
        let (lo, hi) = (Decimal::from_percent(2), Decimal::from_percent(10));
        // BV / DV = 96%: DV / BV − 1 = 4.1667%
        let b = liquidation_bonus(&health(1_000, 960, 800), lo, hi, 0, 0, 600).unwrap();
        assert_eq!(b.source, BonusSource::SolvencyCap);
        assert_eq!(
            b.rate,
            Decimal::from_ratio(1_000, 960)
                .unwrap()
                .try_sub(Decimal::one())
                .unwrap()
        );
        let b = liquidation_bonus(&health(1_000, 1_100, 800), lo, hi, 0, 0, 600).unwrap();
        assert_eq!(
            b,
            Bonus {
                rate: lo,
                source: BonusSource::Insolvent
            }
        );
    }

    #[test]
    fn successful_plan_at_close_factor() {
        // $1,000 of collateral (1,000 tokens at $1, 6 decimals), $850 debt, close factor 20%.
        let h = health(1_000, 850, 800);
        let mut r = rules(20);
        r.window_debt_value = h.borrowed_value;
        let debt = DebtSide {
            amount: Decimal::from_u64(850_000_000),
            price: Decimal::one(),
            decimals: 6,
        };
        let coll = CollateralSide {
            shares: 1_000_000_000,
            reserve_assets: Decimal::from_u64(2_000_000_000),
            share_supply: 2_000_000_000,
            price: Decimal::one(),
            decimals: 6,
        };
        let p = plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(5), u64::MAX).unwrap();
        assert_eq!(p.max_repay, 170_000_000);
        assert_eq!(p.repay_amount, 170_000_000);
        assert_eq!(p.seize_amount, 178_500_000);
        assert_eq!(p.protocol_fee_amount, 850_000); // 10% of the 8.5M bonus
        assert_eq!(p.liquidator_amount, 177_650_000);
        assert!(!p.full_liquidation);
        assert_eq!(
            plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(5), 170_000_001),
            Err(LiquidationError::RepayTooLarge)
        );
        r.window_repaid_value = Decimal::from_u64(170);
        assert_eq!(
            plan_liquidation(&h, &debt, &coll, &r, Decimal::from_percent(5), u64::MAX),
            Err(LiquidationError::NothingToRepay)
        );
    }

    #[test]
    fn successful_plan_capped_by_collateral() {
        // Only $100 of this collateral; debt $850 and insolvent LTV → full, but capped.
        let h = health(900, 880, 700);
        let debt = DebtSide {
            amount: Decimal::from_u64(880_000_000),
            price: Decimal::one(),
            decimals: 6,
        };
        let coll = CollateralSide {
            shares: 100_000_000,
            reserve_assets: Decimal::from_u64(1_000_000_000),
            share_supply: 1_000_000_000,
            price: Decimal::one(),
            decimals: 6,
        };
        let p = plan_liquidation(
            &h,
            &debt,
            &coll,
            &rules(20),
            Decimal::from_percent(10),
            u64::MAX,
        )
        .unwrap();
        assert!(p.full_liquidation);
        assert_eq!(p.max_repay, 90_909_090);
        assert_eq!(p.seize_shares, 100_000_000, "the whole deposit goes");
        assert_eq!(p.seize_amount, 100_000_000);
        // A smaller repayment seizes only its worth.
        let p = plan_liquidation(
            &h,
            &debt,
            &coll,
            &rules(20),
            Decimal::from_percent(10),
            50_000_000,
        )
        .unwrap();
        assert_eq!(p.seize_amount, 55_000_000);
    }

    #[test]
    fn fail_plan_when_healthy_or_dust_not_fully_repaid() {
        let h = health(1_000, 500, 800);
        let debt = DebtSide {
            amount: Decimal::from_u64(500),
            price: Decimal::one(),
            decimals: 0,
        };
        let coll = CollateralSide {
            shares: 1_000,
            reserve_assets: Decimal::from_u64(1_000),
            share_supply: 1_000,
            price: Decimal::one(),
            decimals: 0,
        };
        assert_eq!(
            plan_liquidation(&h, &debt, &coll, &rules(20), Decimal::zero(), 1),
            Err(LiquidationError::Healthy)
        );
        let h = health(10, 9, 8);
        let debt = DebtSide {
            amount: Decimal::from_ratio(15, 10).unwrap(),
            price: Decimal::one(),
            decimals: 0,
        };
        assert_eq!(
            plan_liquidation(&h, &debt, &coll, &rules(20), Decimal::zero(), 1),
            Err(LiquidationError::DustNotFullyRepaid)
        );
        let p = plan_liquidation(&h, &debt, &coll, &rules(20), Decimal::zero(), u64::MAX).unwrap();
        assert!(p.dust);
        assert_eq!(p.repay_amount, 2);
    }

    #[test]
    fn successful_bad_debt_split() {
        let d = Decimal::from_ratio(1_005, 10).unwrap();
        assert_eq!(
            split_bad_debt(d, 50).unwrap(),
            BadDebt {
                covered_by_insurance: 50,
                socialized: Decimal::from_ratio(505, 10).unwrap()
            }
        );
        assert_eq!(
            split_bad_debt(d, 1_000).unwrap(),
            BadDebt {
                covered_by_insurance: 101,
                socialized: Decimal::zero()
            }
        );
    }
}
