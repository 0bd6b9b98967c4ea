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
//! Pair choice and the health cap: a liquidator may repay any borrow and seize any deposit of
//! the obligation, as long as the pair raises the health factor `HF = UBV / BFDV`. Repaying `R`
//! of debt with borrow factor `bf_d` lowers `BFDV` by `R × bf_d`; seizing `R × (1 + b)` of
//! collateral with threshold `lt_c` lowers `UBV` by `R × (1 + b) × lt_c`. Then
//! `HF' = (UBV − lt_c R (1 + b)) / (BFDV − bf_d R) > HF  ⇔  (1 + b) × lt_c × BFDV < bf_d × UBV`,
//! whatever `R`. So the bonus is capped per pair at
//! `1 + b ≤ (1 − m) × bf_d × UBV / (lt_c × BFDV)` (the health cap, `m` = [`HEALTH_CAP_MARGIN_BPS`]
//! so that rounding never eats the improvement). A pair whose cap is below zero cannot raise
//! the health factor at any bonus and is refused (`PairWorsensHealth`). For a solvent
//! obligation at least one pair always qualifies: the highest-borrow-factor debt with the
//! lowest-threshold collateral, since `bf_max × UBV / BFDV ≥ UBV / BV > lt_min × DV / BV > lt_min`.
//! Note that `lt × (1 + b_max) < 1 ≤ bf` (the config rule) is not enough on its own: below
//! `HF = 1` the right side shrinks with `HF`, and taking the larger max bonus of two reserves
//! could otherwise lower the health factor with every liquidation.
//!
//! Bonus `b = max(b_health, b_auction)`, clamped to `[lo, hi]`, then capped:
//! - `lo` = the larger min bonus of the two reserves, `hi` = the larger max bonus;
//! - health ramp: `b_health = clamp((BFDV − UBV) / DV, lo, hi)`, growing with how far the
//!   obligation is past its threshold;
//! - Dutch auction: `b_auction = lo + (hi − lo) × min(t − t0, T) / T`, where `t0` is when the
//!   obligation was first seen liquidatable and `T` the market's auction duration, so
//!   competing liquidators find the smallest bonus that clears the position;
//! - solvency cap: when `BV < DV`, `b ≤ DV / BV − 1`, so that even repaying all debt cannot
//!   leave more debt than collateral;
//! - health cap, above;
//! - insolvent (`BV ≥ DV`): the bonus is 0. Both caps fall to 0 as `BV / DV` rises to 100%, so
//!   the bonus as a function of worsening health never rises again past insolvency: a
//!   liquidator gains nothing by waiting for a position to sink (see `bonus_curve` in the tests
//!   for the curve from healthy to 120% LTV). The remaining debt is bad debt.
//!
//! Acceptance: the program recomputes the obligation after a liquidation and requires
//! [`liquidation_improves`]: a strict rise of the health factor, save for the unit rounding of
//! positions worth a few base units ([`Tolerance`]).
//!
//! Target health (`THF > 1`, the market's `target_health`): a liquidation repays what lifts the
//! health factor to `THF`, no more. Through the pair above, at bonus `b`,
//! `(UBV − lt_c R (1 + b)) / (BFDV − bf_d R) = THF` solves to
//! `R* = (THF × BFDV − UBV) / (THF × bf_d − lt_c × (1 + b))`, rounded up ([`target_repay_value`];
//! the numerator rounded up, the denominator down). The denominator is positive whenever the
//! health cap holds, since `lt_c (1 + b) < bf_d × HF < bf_d × THF`; and `HF'` rises with `R`,
//! so repaying at least `R*` leaves `HF' ≥ THF`. Then:
//! - `R*` within the close factor (`R* ≤ cf × BV`, less what this slot already repaid): the
//!   liquidation is capped at `R*` instead of `cf × BV`, so it takes no more than it must;
//! - `R*` past it: no liquidation within the close factor reaches the target at that bonus, and
//!   successive ones would each pay it on a position that stays unhealthy (the drain of a
//!   position whose `lt_c × (1 + b)` is close to `bf_d × HF`). Instead one liquidation may go
//!   past the close factor, at the lowest bonus the rules allow: the auction's rate alone,
//!   without the health ramp (`min(b, b_auction)`, which is `lo` when the episode begins), and
//!   up to the `R*` of that bonus: at most the whole borrow, as far as the collateral allows;
//! - `THF = 0` turns target sizing off: the close factor alone sizes liquidations (Save and
//!   Aave v3 do so).
//!
//! Sizing:
//! - per slot, the value repaid may not exceed `cf × BV` (measured at the first liquidation of
//!   the slot; while any of it is left, at least one whole debt unit, and at least what buys the
//!   smallest seizure of the collateral at the bonus), or the whole borrow when `BV / DV ≥` the
//!   insolvency LTV or when the borrow is worth less than the dust threshold (a dust borrow must
//!   be repaid in full);
//! - the collateral caps the repayment: `R ≤ value(deposit) / (1 + b)`, rounded up to whole debt
//!   tokens, so a liquidation never reverts for lack of collateral; when that cap binds and the
//!   liquidator repays the maximum, the whole deposit is seized. Rounding the repayment up (by
//!   less than one debt unit, which may pass the close factor by that unit) means the liquidator
//!   pays at least `value(deposit) / (1 + b)`: the bonus can only shrink, the health cap still
//!   holds, and no unliquidatable dust of collateral is left behind;
//! - rounding: the liquidator pays whole tokens; seized shares and tokens round down, except
//!   that a repayment clearing a borrow takes at least one collateral token; the
//!   protocol fee `floor(seized × b / (1 + b) × f)` stays in the collateral reserve's
//!   insurance fund.

use crate::error::{MathError, MathResult};
use crate::fixed::Decimal;
use crate::health::{amount_for_value, market_value, Health};
use crate::shares;

/// Largest value of one base unit (bps of a quote unit: $0.01) for which unit rounding may let a
/// liquidation go past its bonus or leave dust debt: the listing bound on a unit's value. The
/// minimum seizure and the closing tolerance apply only to units worth at most this, so a
/// coarse collateral whose price has risen far past its listing cannot be taken whole for a dust
/// repayment.
pub const MAX_ROUNDING_UNIT_VALUE_BPS: u64 = 100;

fn within_rounding_bound(price: Decimal, decimals: u8) -> MathResult<bool> {
    Ok(crate::health::unit_value(price, decimals)?
        <= Decimal::from_bps(MAX_ROUNDING_UNIT_VALUE_BPS))
}

/// The value of the smallest seizure of `coll`: the shares of one token, which redeem for at
/// least one token and, when shares are worth more than a token, for one share's worth.
fn smallest_seizure(coll: &CollateralSide) -> MathResult<(u64, Decimal)> {
    let shares = shares::shares_for_withdrawal(1, coll.reserve_assets, coll.share_supply)?;
    let amount = shares::assets_for_shares(shares, coll.reserve_assets, coll.share_supply)?;
    Ok((shares, market_value(amount, coll.price, coll.decimals)?))
}

/// True when the smallest seizure of `coll` is worth at most two rounding units ($0.02): a
/// unit within the bound, and a share worth at most about two tokens.
fn seizure_within_rounding_bound(coll: &CollateralSide) -> MathResult<bool> {
    Ok(within_rounding_bound(coll.price, coll.decimals)?
        && smallest_seizure(coll)?.1 <= Decimal::from_bps(2 * MAX_ROUNDING_UNIT_VALUE_BPS))
}

/// Why a liquidation cannot go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiquidationError {
    /// `BFDV ≤ UBV`.
    Healthy,
    /// A dust borrow must be repaid in full (as far as the collateral allows).
    DustNotFullyRepaid,
    /// Nothing to repay: zero requested, or the close factor is used up for this slot.
    NothingToRepay,
    /// The repayment is too small to seize a single share.
    NothingToSeize,
    /// No bonus lets this pair raise the health factor (the health cap is below zero).
    PairWorsensHealth,
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
    /// The obligation is insolvent (`BV ≥ DV`); no bonus.
    Insolvent,
    /// The pair's health cap `(1 − m) × bf_d × UBV / (lt_c × BFDV) − 1`.
    HealthCap,
    /// The auction's rate alone: the target health needed more than the close factor.
    PastCloseFactor,
}

impl BonusSource {
    /// Stable code for events.
    pub fn code(self) -> u8 {
        match self {
            BonusSource::Health => 0,
            BonusSource::Auction => 1,
            BonusSource::SolvencyCap => 2,
            BonusSource::Insolvent => 3,
            BonusSource::HealthCap => 4,
            BonusSource::PastCloseFactor => 5,
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

/// Safety margin `m` kept under the health cap (bps): the health factor rises by at least this
/// share of the ideal improvement, far more than any rounding of a whole-token liquidation.
pub const HEALTH_CAP_MARGIN_BPS: u64 = 10;

/// Risk weights of the (debt, collateral) pair of a liquidation.
#[derive(Clone, Copy, Debug)]
pub struct PairWeights {
    /// Borrow factor `bf_d ≥ 1` of the debt repaid.
    pub debt_borrow_factor: Decimal,
    /// Liquidation threshold `lt_c > 0` of the collateral seized.
    pub collateral_threshold: Decimal,
}

/// The pair's health cap `(1 − m) × bf_d × UBV / (lt_c × BFDV) − 1`, rounded down and floored
/// at 0; `None` when `bf_d × UBV ≤ lt_c × BFDV`, where even no bonus lowers the health factor.
/// Between the two (an obligation a hair from insolvency) the bonus is 0 and the liquidation
/// still raises the health factor, by less than the margin.
pub fn health_cap(h: &Health, pair: &PairWeights) -> MathResult<Option<Decimal>> {
    let num = pair.debt_borrow_factor.try_mul(h.unhealthy_borrow_value)?;
    let den = pair
        .collateral_threshold
        .try_mul_ceil(h.bf_adjusted_debt_value)?;
    if den.is_zero() {
        return Ok(None);
    }
    let ratio = num.try_div(den)?;
    if ratio <= Decimal::one() {
        return Ok(None);
    }
    let keep = Decimal::one().try_sub(Decimal::from_bps(HEALTH_CAP_MARGIN_BPS))?;
    Ok(Some(ratio.try_mul(keep)?.saturating_sub(Decimal::one())))
}

/// The Dutch auction's rate alone: `lo + (hi − lo) × min(t − t0, T) / T`, `lo` until the
/// obligation has been seen liquidatable (`since` = 0), `hi` without an auction (`T` = 0).
pub fn auction_bonus(
    lo: Decimal,
    hi: Decimal,
    since: i64,
    now: i64,
    auction_secs: u32,
) -> MathResult<Decimal> {
    if auction_secs == 0 {
        return Ok(hi);
    }
    let elapsed = if since == 0 {
        0
    } else {
        now.saturating_sub(since).max(0) as u64
    };
    let t = elapsed.min(u64::from(auction_secs));
    lo.try_add(
        hi.try_sub(lo)?
            .try_mul_u64(t)?
            .try_div_u64(u64::from(auction_secs))?,
    )
}

/// The bonus of an obligation with totals `h`, liquidated through `pair`, first seen
/// liquidatable at `since` (unix seconds, 0 = now), at time `now`, with an auction of
/// `auction_secs`.
pub fn liquidation_bonus(
    h: &Health,
    pair: &PairWeights,
    lo: Decimal,
    hi: Decimal,
    since: i64,
    now: i64,
    auction_secs: u32,
) -> Result<Bonus, LiquidationError> {
    if h.borrowed_value >= h.deposited_value {
        return Ok(Bonus {
            rate: Decimal::zero(),
            source: BonusSource::Insolvent,
        });
    }
    let health_cap = health_cap(h, pair)?.ok_or(LiquidationError::PairWorsensHealth)?;
    let distance = h
        .bf_adjusted_debt_value
        .saturating_sub(h.unhealthy_borrow_value)
        .try_div(h.deposited_value)?;
    let health_rate = distance.max(lo).min(hi);
    let auction_rate = auction_bonus(lo, hi, since, now, auction_secs)?;
    let (rate, source) = if auction_rate > health_rate {
        (auction_rate, BonusSource::Auction)
    } else {
        (health_rate, BonusSource::Health)
    };
    let solvency_cap = h
        .deposited_value
        .try_div(h.borrowed_value.max(Decimal(crate::fixed::U256::one())))?
        .saturating_sub(Decimal::one());
    let (cap, cap_source) = if health_cap < solvency_cap {
        (health_cap, BonusSource::HealthCap)
    } else {
        (solvency_cap, BonusSource::SolvencyCap)
    };
    if rate > cap {
        return Ok(Bonus {
            rate: cap,
            source: cap_source,
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
    /// Target-health sizing; `None` = the close factor alone.
    pub target: Option<TargetSizing>,
}

/// What target-health sizing needs besides the totals (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct TargetSizing {
    /// Health factor `THF > 1` a liquidation lifts the obligation to.
    pub health: Decimal,
    /// The bonus of a liquidation that must go past the close factor to reach the target:
    /// the Dutch auction's rate alone ([`auction_bonus`]), no health ramp. It starts at the
    /// pair's lowest bonus, so the first liquidator to act takes the position at the lowest
    /// bonus that clears it, and it still rises while nobody does.
    pub auction_bonus: Decimal,
    /// The pair's risk weights.
    pub pair: PairWeights,
}

/// How the largest repayment was set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sizing {
    /// The close factor (target sizing off).
    CloseFactor,
    /// The target amount `R*`, within the close factor.
    Target,
    /// Past the close factor, at the auction's bonus: up to `R*` at that bonus, or the whole borrow.
    PastCloseFactor,
    /// The whole borrow: insolvent or dust.
    Full,
}

impl Sizing {
    /// Stable code for events.
    pub fn code(self) -> u8 {
        match self {
            Sizing::CloseFactor => 0,
            Sizing::Target => 1,
            Sizing::PastCloseFactor => 2,
            Sizing::Full => 3,
        }
    }
}

/// The value `R*` that lifts the health factor to `target` when repaid through `pair` at bonus
/// `bonus`: `(THF × BFDV − UBV) / (THF × bf_d − lt_c × (1 + b))`, rounded up. `None` when the
/// denominator is not positive: no repayment through the pair reaches the target (only without
/// the health cap). Zero when the health factor is at the target already.
pub fn target_repay_value(
    h: &Health,
    pair: &PairWeights,
    target: Decimal,
    bonus: Decimal,
) -> MathResult<Option<Decimal>> {
    let num = target
        .try_mul_ceil(h.bf_adjusted_debt_value)?
        .saturating_sub(h.unhealthy_borrow_value);
    let seized_weight = pair
        .collateral_threshold
        .try_mul_ceil(Decimal::one().try_add(bonus)?)?;
    let den = target
        .try_mul(pair.debt_borrow_factor)?
        .saturating_sub(seized_weight);
    if den.is_zero() {
        return Ok(None);
    }
    Ok(Some(num.try_div_ceil(den)?))
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
    /// True when the seizure was raised to the one-token minimum: the repayment clears the
    /// borrow but is worth less than one collateral token.
    pub minimum_seizure: bool,
    /// The bonus rate paid: the one asked for, or the auction's past the close factor.
    pub bonus: Decimal,
    /// How `max_repay` was set.
    pub sizing: Sizing,
}

/// Sizes a liquidation of at most `requested` debt tokens (`u64::MAX`: the most allowed). The
/// plan repays `min(requested, max_repay)`.
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
    // Past u64::MAX tokens (years of interest) the debt is repaid in parts of at most that.
    let debt_tokens = debt.amount.ceil_u64_saturating();
    let insolvent = h.deposited_value.is_zero()
        || h.borrowed_value.try_div(h.deposited_value)? >= rules.insolvency_ltv;
    let dust = debt_value < rules.dust_threshold_value;
    let full = insolvent || dust;

    let mut bonus = bonus;
    let mut sizing = if full {
        Sizing::Full
    } else {
        Sizing::CloseFactor
    };
    let mut max_repay = debt_tokens;
    if !full {
        let by_close_factor = rules
            .window_debt_value
            .try_mul(rules.close_factor)?
            .saturating_sub(rules.window_repaid_value);
        // The value allowed, and whether it is a target (rounded up to whole tokens: the
        // target is a floor on health) or the close factor (rounded down: a ceiling on what
        // is taken). `None`: no limit but the borrow and the collateral.
        let mut allowed = Some(by_close_factor);
        if let Some(t) = &rules.target {
            match target_repay_value(h, &t.pair, t.health, bonus)? {
                Some(r) if r <= by_close_factor => {
                    allowed = Some(r);
                    sizing = Sizing::Target;
                }
                _ => {
                    bonus = bonus.min(t.auction_bonus);
                    allowed = target_repay_value(h, &t.pair, t.health, bonus)?;
                    sizing = Sizing::PastCloseFactor;
                }
            }
        }
        if let Some(allowed_value) = allowed {
            let by_allowed = amount_for_value(allowed_value, debt.price, debt.decimals)?;
            if by_allowed < Decimal::from_u64(max_repay) {
                // At least one whole unit while any allowance is left: with a coarse debt unit
                // (few decimals, high price) the close factor would otherwise round to nothing
                // and leave the obligation unliquidatable until the insolvency LTV.
                let floor = if sizing == Sizing::CloseFactor {
                    by_allowed.try_floor_u64()?
                } else {
                    by_allowed.try_ceil_u64()?.min(debt_tokens)
                };
                max_repay = if floor == 0 && !allowed_value.is_zero() {
                    1
                } else {
                    floor
                };
                if !allowed_value.is_zero() && coll.reserve_assets.is_zero() {
                    // Shares backed by nothing (a reserve emptied by a write-off): no seizure can
                    // be priced, and none would pay the liquidator.
                    return Err(LiquidationError::NothingToSeize);
                }
                if !allowed_value.is_zero() {
                    // And at least what buys the smallest seizure (the shares of one collateral
                    // token) at the bonus, rounded up to whole debt units: with a coarse collateral
                    // the close factor would otherwise seize nothing, and the obligation could not
                    // be liquidated at all. The seizure stays within the bonus; only the close
                    // factor is passed, by less than one collateral token's worth.
                    let smallest = shares::assets_for_shares(
                        shares::shares_for_withdrawal(1, coll.reserve_assets, coll.share_supply)?,
                        coll.reserve_assets,
                        coll.share_supply,
                    )?;
                    let worth =
                        crate::health::market_value_ceil(smallest, coll.price, coll.decimals)?
                            .try_div_ceil(Decimal::one().try_add(bonus)?)?;
                    let buys_one =
                        amount_for_value(worth, debt.price, debt.decimals)?.ceil_u64_saturating();
                    max_repay = max_repay.max(buys_one.min(debt_tokens));
                }
            }
        }
    }
    let one_plus_b = Decimal::one().try_add(bonus)?;
    let coll_amount =
        shares::assets_for_shares(coll.shares, coll.reserve_assets, coll.share_supply)?;
    let coll_value = market_value(coll_amount, coll.price, coll.decimals)?;
    let by_coll = amount_for_value(coll_value.try_div(one_plus_b)?, debt.price, debt.decimals)?;
    let collateral_bound = by_coll <= Decimal::from_u64(max_repay);
    let mut takes_deposit = false;
    if collateral_bound {
        // ≤ max_repay + 1: saturates only when max_repay is u64::MAX.
        let by_coll_ceil = by_coll.ceil_u64_saturating();
        max_repay = by_coll_ceil.min(debt_tokens);
        // The whole deposit goes only when the rounded-up repayment is paid for it, and the
        // debt is worth it: when the debt is smaller than the deposit's price (it only rounds up
        // to it), the repayment clears the borrow and is paid in collateral as usual.
        takes_deposit = max_repay == by_coll_ceil && debt.amount >= by_coll;
    }

    // The liquidator names the most it will repay; the plan repays that, or the limit when the
    // request is past it. A request sized from a read a moment old is then not refused for a
    // base unit of drift (another transaction moved the collateral's share price, or the
    // sizing branch); `min_collateral_out` guards what the liquidator receives.
    let repay_amount = requested.min(max_repay);
    if repay_amount == 0 {
        return Err(LiquidationError::NothingToRepay);
    }
    if dust && repay_amount < max_repay {
        return Err(LiquidationError::DustNotFullyRepaid);
    }

    let repay_value = market_value(Decimal::from_u64(repay_amount), debt.price, debt.decimals)?;
    // The seizure pays for the debt removed, which is less than the tokens paid when they
    // round a fractional debt up: the liquidator's excess (under one unit) stays in the pool.
    let removed = Decimal::from_u64(repay_amount).min(debt.amount);
    let clears = Decimal::from_u64(repay_amount) >= debt.amount;
    let seize_value = market_value(removed, debt.price, debt.decimals)?.try_mul(one_plus_b)?;
    let seize_underlying = amount_for_value(seize_value, coll.price, coll.decimals)?;
    // When the collateral caps the repayment and the liquidator pays the rounded-up maximum,
    // the whole position goes: rounding would otherwise leave shares worth less than one debt
    // unit, which no liquidation could take and which would keep the debt from being written off.
    let mut seize_shares = if takes_deposit && repay_amount == max_repay {
        coll.shares
    } else {
        seize_underlying
            .try_mul_u64(coll.share_supply)?
            .try_div(coll.reserve_assets)?
            .try_floor_u64()?
            .min(coll.shares)
    };
    let mut seize_amount =
        shares::redeem_amount(seize_shares, coll.reserve_assets, coll.share_supply)?;
    let minimum_seizure = seize_amount == 0 && clears && seizure_within_rounding_bound(coll)?;
    if minimum_seizure {
        // A repayment that clears the borrow but is worth less than one collateral token
        // (a debt of a few base units against a coarse collateral) takes one token: else no
        // liquidation could ever clear it. Only while that seizure is worth at most two cents
        // (a unit within the listing bound, a share of about two tokens at most): the
        // borrower then pays at most cents past the bonus.
        seize_shares = shares::shares_for_withdrawal(1, coll.reserve_assets, coll.share_supply)?
            .min(coll.shares);
        seize_amount = shares::redeem_amount(seize_shares, coll.reserve_assets, coll.share_supply)?;
    }
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
        minimum_seizure,
        bonus,
        sizing,
    })
}

/// How far below a strict rise of the health factor a liquidation may land, from unit
/// rounding alone (quote units). Both are zero for any position larger than a few base units,
/// and for units worth more than the rounding bound ([`MAX_ROUNDING_UNIT_VALUE_BPS`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tolerance {
    /// Debt a liquidation that takes the last collateral may leave (as bad debt, written off in
    /// the same transaction): `bf_d × u_d + v₁`, `u_d` the value of one debt unit and `v₁` that
    /// of the smallest seizure (the shares of one collateral token); each term only while its
    /// unit is within the rounding bound.
    pub closing_debt_value: Decimal,
    /// `lt_c ×` what a minimum seizure takes beyond `R × (1 + b)`.
    pub unhealthy_value: Decimal,
}

impl Tolerance {
    /// The tolerance of `plan`, sized on `debt` and `coll` for `pair` at the plan's bonus.
    ///
    /// Why that much, and no more: for a solvent obligation the health and solvency caps keep
    /// `value(last deposit) / (1 + b) > BFDV / bf_d`, so in exact arithmetic no repayment of
    /// one borrow takes the whole last deposit. Only rounding does: the repayment rounded up to
    /// whole debt units when the collateral binds (leaving other debts worth under `bf_d × u_d`),
    /// or the one-token minimum seizure (leaving under `v₁`). And the minimum seizure is the
    /// only seizure larger than `R × (1 + b)`, by less than one share: counting that excess
    /// back, the health factor rose. The rounding bound keeps all of it to cents.
    pub fn for_plan(
        plan: &LiquidationPlan,
        debt: &DebtSide,
        coll: &CollateralSide,
        pair: &PairWeights,
    ) -> MathResult<Tolerance> {
        let bonus = plan.bonus;
        let value_of = |shares: u64| -> MathResult<Decimal> {
            let amount = shares::assets_for_shares(shares, coll.reserve_assets, coll.share_supply)?;
            market_value(amount, coll.price, coll.decimals)
        };
        let mut closing_debt_value = Decimal::zero();
        if within_rounding_bound(debt.price, debt.decimals)? {
            closing_debt_value = crate::health::unit_value(debt.price, debt.decimals)?
                .try_mul_ceil(pair.debt_borrow_factor)?;
        }
        if seizure_within_rounding_bound(coll)? {
            closing_debt_value = closing_debt_value.try_add(smallest_seizure(coll)?.1)?;
        }
        let unhealthy_value = if plan.minimum_seizure {
            let removed = Decimal::from_u64(plan.repay_amount).min(debt.amount);
            let fair = market_value(removed, debt.price, debt.decimals)?
                .try_mul(Decimal::one().try_add(bonus)?)?;
            value_of(plan.seize_shares)?
                .saturating_sub(fair)
                .try_mul(pair.collateral_threshold)?
        } else {
            Decimal::zero()
        };
        Ok(Tolerance {
            closing_debt_value,
            unhealthy_value,
        })
    }
}

/// The rule every liquidation must pass, on the obligation's totals recomputed from scratch
/// before and after it (fees and every rounding applied):
/// - it was insolvent (`BV ≥ DV`): any repayment helps, the rest is bad debt; or
/// - it leaves no debt; or
/// - its health factor `UBV / BFDV` strictly rose, `UBV' × BFDV > UBV × BFDV'`, where `UBV'`
///   counts back `tol.unhealthy_value`, what a minimum seizure took past `R × (1 + b)`: a
///   debt worth less than one collateral token cannot be cleared for less; or
/// - it took the last collateral (`DV' = 0`) and leaves at most `tol.closing_debt_value` of debt
///   (`BV'`), written off at once.
pub fn liquidation_improves(before: &Health, after: &Health, tol: &Tolerance) -> MathResult<bool> {
    if after.bf_adjusted_debt_value.is_zero() || before.borrowed_value >= before.deposited_value {
        return Ok(true);
    }
    if after.deposited_value.is_zero() && after.borrowed_value <= tol.closing_debt_value {
        return Ok(true);
    }
    let lhs = after
        .unhealthy_borrow_value
        .try_add(tol.unhealthy_value)?
        .try_mul(before.bf_adjusted_debt_value)?;
    let rhs = before
        .unhealthy_borrow_value
        .try_mul(after.bf_adjusted_debt_value)?;
    Ok(lhs > rhs)
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
    let covered = insurance.min(debt.ceil_u64_saturating());
    Ok(BadDebt {
        covered_by_insurance: covered,
        socialized: debt.saturating_sub(Decimal::from_u64(covered)),
    })
}

/// Protocol fees to take back when a borrow of `debt` tokens with `principal` tokens of
/// principal is written off and `socialized` of it falls on depositors:
/// `rf × (debt − principal) × socialized / debt`, capped at the `fees_held`.
///
/// The reserve factor's share of the interest was credited to the protocol as it accrued.
/// Only the interest that depositors end up absorbing was never paid: what the insurance fund
/// covers was paid (by the fund), and its fees stand. Interest and principal are written off
/// pro rata, as they are repaid.
pub fn fees_to_reverse(
    debt: Decimal,
    principal: u64,
    reserve_factor: Decimal,
    socialized: Decimal,
    fees_held: Decimal,
) -> MathResult<Decimal> {
    if debt.is_zero() {
        return Ok(Decimal::zero());
    }
    Ok(debt
        .saturating_sub(Decimal::from_u64(principal))
        .try_mul(reserve_factor)?
        .try_mul(socialized.min(debt))?
        .try_div(debt)?
        .min(fees_held))
}

#[cfg(test)]
mod tests;
