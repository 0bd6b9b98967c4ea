/**
 * Client-side lending math, for dApps and bots that preview what the program will do.
 *
 * This is a line-by-line port of `crates/lending-math` (the one source of truth, which the
 * program and the keeper use): 1e18 fixed point on bigint, with the same truncation and
 * round-up points, so every figure matches the program's exactly. The TS suite checks it
 * against the golden vectors that crate writes (`tests/vectors/lending-math.json`).
 * Values named `…Sf` are 1e18-scaled integers.
 */

/** 1e18. */
export const WAD = 10n ** 18n;
/** 1e4. */
export const BPS = 10_000n;
/** Seconds in the year that APRs refer to. */
export const SECONDS_PER_YEAR = 31_536_000n;
/** `u64::MAX`: the amount that means "all" in `withdraw`, `repay` and `liquidate`. */
export const U64_MAX = (1n << 64n) - 1n;
const U256_MAX = (1n << 256n) - 1n;

/** Thrown where the Rust crate returns `MathError`. */
export class MathError extends Error {}

function checked(x: bigint): bigint {
  if (x < 0n) throw new MathError("Underflow");
  if (x > U256_MAX) throw new MathError("Overflow");
  return x;
}

const divCeil = (n: bigint, d: bigint): bigint => {
  if (d === 0n) throw new MathError("DivisionByZero");
  return n % d === 0n ? n / d : n / d + 1n;
};

/** `a × b`, truncated at 18 decimals. */
export const mul = (a: bigint, b: bigint): bigint => checked(a * b) / WAD;
/** `a × b`, the 18th decimal rounded up. */
export const mulCeil = (a: bigint, b: bigint): bigint => divCeil(checked(a * b), WAD);
/** `a / b`, truncated. */
export const div = (a: bigint, b: bigint): bigint => {
  if (b === 0n) throw new MathError("DivisionByZero");
  return checked(a * WAD) / b;
};
/** `a^n` by squaring, each multiplication truncated. */
export function pow(base: bigint, exp: bigint): bigint {
  let acc = WAD;
  while (exp > 0n) {
    if ((exp & 1n) === 1n) acc = mul(acc, base);
    exp >>= 1n;
    if (exp > 0n) base = mul(base, base);
  }
  return acc;
}
/** Whole units rounded down. */
export const floorU64 = (x: bigint): bigint => {
  const v = x / WAD;
  if (v > U64_MAX) throw new MathError("Overflow");
  return v;
};
/** Whole units rounded up. */
export const ceilU64 = (x: bigint): bigint => {
  const v = divCeil(x, WAD);
  if (v > U64_MAX) throw new MathError("Overflow");
  return v;
};
/** Whole units rounded up, at most `u64::MAX` (`Decimal::ceil_u64_saturating`): a debt past it
 *  is paid in parts. */
export const ceilU64Saturating = (x: bigint): bigint => {
  const v = divCeil(x, WAD);
  return v > U64_MAX ? U64_MAX : v;
};
/** Basis points as a fraction. */
export const fromBps = (bps: bigint | number): bigint => (BigInt(bps) * WAD) / BPS;
const sub0 = (a: bigint, b: bigint): bigint => (a > b ? a - b : 0n);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const pow10 = (d: number): bigint => 10n ** BigInt(Math.min(d, 38));

/** Value of `amountSf` tokens at `priceSf` (per whole token), truncated: `a × p / 10^d`. */
export const marketValue = (amountSf: bigint, priceSf: bigint, decimals: number): bigint =>
  checked(amountSf * priceSf) / WAD / pow10(decimals);
/** The same, rounded up (for debt). */
export const marketValueCeil = (amountSf: bigint, priceSf: bigint, decimals: number): bigint =>
  divCeil(divCeil(checked(amountSf * priceSf), WAD), pow10(decimals));
/** Tokens worth `valueSf`: `v × 10^d / p`, truncated. */
export const amountForValue = (valueSf: bigint, priceSf: bigint, decimals: number): bigint =>
  div(checked(valueSf * pow10(decimals)), priceSf);

/** An obligation's cached totals (what `refresh_obligation` stores), all 1e18-scaled. */
export interface Health {
  depositedValueSf: bigint;
  allowedBorrowValueSf: bigint;
  unhealthyBorrowValueSf: bigint;
  borrowedValueSf: bigint;
  bfAdjustedDebtValueSf: bigint;
  bfAdjustedDebtValueUpperSf: bigint;
}

/** Oracle prices of a mint, 1e18-scaled quote units per whole token (as a reserve stores them). */
export interface Prices {
  spotSf: bigint;
  emaSf: bigint;
  /** The wider of the spot and EMA confidences. */
  confSf: bigint;
}
/** Collateral price for borrow and withdraw checks: `min(spot, EMA) − conf`, at least 0. */
export const collateralPrice = (p: Prices): bigint => sub0(min(p.spotSf, p.emaSf), p.confSf);
/** Debt price for borrow and withdraw checks: `max(spot, EMA) + conf`. */
export const debtPrice = (p: Prices): bigint => checked(max(p.spotSf, p.emaSf) + p.confSf);

/** A reserve's supplied assets `A = available + debt − protocol fees` (1e18-scaled). */
export const totalSupplyAssets = (available: bigint, totalDebtSf: bigint, protocolFeesSf: bigint): bigint =>
  checked(available * WAD + totalDebtSf - protocolFeesSf);

/** One deposit's values, as `refresh_obligation` caches them (`value_deposit`). */
export interface DepositValue {
  marketValueSf: bigint;
  allowedBorrowValueSf: bigint;
  unhealthyBorrowValueSf: bigint;
}
/** One borrow's values (`value_borrow`). */
export interface BorrowValue {
  marketValueSf: bigint;
  bfAdjustedValueSf: bigint;
  bfAdjustedValueUpperSf: bigint;
}
/** Values `amountSf` collateral tokens: spot value, `v(low) × ltv`, `v(spot) × lt` (all truncated). */
export function valueDeposit(amountSf: bigint, decimals: number, p: Prices, ltvSf: bigint, thresholdSf: bigint): DepositValue {
  const spot = marketValue(amountSf, p.spotSf, decimals);
  const low = marketValue(amountSf, collateralPrice(p), decimals);
  return { marketValueSf: spot, allowedBorrowValueSf: mul(low, ltvSf), unhealthyBorrowValueSf: mul(spot, thresholdSf) };
}
/** Values `amountSf` debt tokens: spot value, `v(spot) × bf`, `v(high) × bf` (all rounded up). */
export function valueBorrow(amountSf: bigint, decimals: number, p: Prices, borrowFactorSf: bigint): BorrowValue {
  const spot = marketValueCeil(amountSf, p.spotSf, decimals);
  const high = marketValueCeil(amountSf, debtPrice(p), decimals);
  return { marketValueSf: spot, bfAdjustedValueSf: mulCeil(spot, borrowFactorSf), bfAdjustedValueUpperSf: mulCeil(high, borrowFactorSf) };
}
/** An obligation without positions. */
export const emptyHealth = (): Health => ({
  depositedValueSf: 0n,
  allowedBorrowValueSf: 0n,
  unhealthyBorrowValueSf: 0n,
  borrowedValueSf: 0n,
  bfAdjustedDebtValueSf: 0n,
  bfAdjustedDebtValueUpperSf: 0n,
});
/** Totals with one more deposit (`Health::add_deposit`). */
export const addDeposit = (h: Health, v: DepositValue): Health => ({
  ...h,
  depositedValueSf: h.depositedValueSf + v.marketValueSf,
  allowedBorrowValueSf: h.allowedBorrowValueSf + v.allowedBorrowValueSf,
  unhealthyBorrowValueSf: h.unhealthyBorrowValueSf + v.unhealthyBorrowValueSf,
});
/** Totals with one more borrow (`Health::add_borrow`). */
export const addBorrow = (h: Health, v: BorrowValue): Health => ({
  ...h,
  borrowedValueSf: h.borrowedValueSf + v.marketValueSf,
  bfAdjustedDebtValueSf: h.bfAdjustedDebtValueSf + v.bfAdjustedValueSf,
  bfAdjustedDebtValueUpperSf: h.bfAdjustedDebtValueUpperSf + v.bfAdjustedValueUpperSf,
});

/** `UBV / BFDV`; `null` (infinite) without debt. Below 1e18 is liquidatable. */
export const healthFactor = (h: Health): bigint | null =>
  h.bfAdjustedDebtValueSf === 0n ? null : div(h.unhealthyBorrowValueSf, h.bfAdjustedDebtValueSf);
/** Health factor in bps, `u64::MAX` without debt (as events report it). */
export function healthFactorBps(h: Health): bigint {
  const hf = healthFactor(h);
  if (hf === null) return U64_MAX;
  const bps = hf * BPS;
  return bps > U64_MAX * WAD ? U64_MAX : floorU64(bps);
}
/** `BFDV > UBV`. */
export const isLiquidatable = (h: Health): boolean =>
  h.bfAdjustedDebtValueSf > h.unhealthyBorrowValueSf;
/** `BFDV⁺ ≤ ABV`: may borrow or withdraw. */
export const withinBorrowLimit = (h: Health): boolean =>
  h.bfAdjustedDebtValueUpperSf <= h.allowedBorrowValueSf;
/** `BV / DV` (0 when empty, `null` with debt and no collateral). */
export function ltv(h: Health): bigint | null {
  if (h.depositedValueSf === 0n) return h.borrowedValueSf === 0n ? 0n : null;
  return div(h.borrowedValueSf, h.depositedValueSf);
}
/** `ABV − BFDV⁺`, at least 0. */
export const borrowHeadroom = (h: Health): bigint =>
  sub0(h.allowedBorrowValueSf, h.bfAdjustedDebtValueUpperSf);

/** Utilization `debt / (debt + available)`, at most 1 (`interest::utilization`). */
export function utilization(totalDebtSf: bigint, available: bigint): bigint {
  const total = checked(totalDebtSf + available * WAD);
  return total === 0n ? 0n : min(div(totalDebtSf, total), WAD);
}
/** What depositors earn per year: `borrow APR × U × (1 − reserve factor)` (display only). */
export const supplyApr = (borrowAprSf: bigint, uSf: bigint, reserveFactorSf: bigint): bigint =>
  mul(mul(borrowAprSf, uSf), WAD - reserveFactorSf);
/** APY of an APR compounded every second, as the borrow index compounds: `(1 + apr/year)^year − 1`. */
export const apy = (aprSf: bigint): bigint => compoundFactor(aprSf, SECONDS_PER_YEAR) - WAD;

/** Borrow APR at utilization `uSf` on a curve of `[utilization bps, rate bps]` points. */
export function borrowRate(curve: [number, number][], uSf: bigint): bigint {
  const u = min(uSf, WAD);
  for (let i = 0; i + 1 < curve.length; i++) {
    const [ua, ra] = [fromBps(curve[i][0]), fromBps(curve[i][1])];
    const [ub, rb] = [fromBps(curve[i + 1][0]), fromBps(curve[i + 1][1])];
    if (u > ub) continue;
    if (ub === ua) return rb;
    const slope = div(checked(rb - ra), checked(ub - ua));
    return ra + mul(slope, checked(u - ua));
  }
  throw new MathError("InvalidInput");
}
/** Debt growth over `seconds` at `aprSf`: `(1 + apr / year)^seconds`. */
export const compoundFactor = (aprSf: bigint, seconds: bigint): bigint =>
  pow(WAD + aprSf / SECONDS_PER_YEAR, seconds);

/** Which rule set the bonus (the event's `bonus_source`). */
export enum BonusSource {
  Health = 0,
  Auction = 1,
  SolvencyCap = 2,
  Insolvent = 3,
  HealthCap = 4,
  /** The auction's rate alone: the target health needed more than the close factor. */
  PastCloseFactor = 5,
}
/** Bonus bounds from the two reserves' configs (bps). */
export function bonusRange(debtMin: number, debtMax: number, collMin: number, collMax: number) {
  const lo = fromBps(Math.max(debtMin, collMin));
  const hi = fromBps(Math.max(debtMax, collMax));
  return { lo, hi: max(hi, lo) };
}
/** Margin kept under the health cap (bps), as `HEALTH_CAP_MARGIN_BPS`. */
export const HEALTH_CAP_MARGIN_BPS = 10n;
/** Risk weights of the liquidated pair: the debt's borrow factor, the collateral's threshold. */
export interface PairWeights {
  debtBorrowFactorSf: bigint;
  collateralThresholdSf: bigint;
}
/** The pair's health cap `(1 − m) × bf_d × UBV / (lt_c × BFDV) − 1`, floored at 0; null when
 *  `bf_d × UBV ≤ lt_c × BFDV` (no bonus can raise the health factor). */
export function healthCap(h: Health, pair: PairWeights): bigint | null {
  const num = mul(pair.debtBorrowFactorSf, h.unhealthyBorrowValueSf);
  const den = mulCeil(pair.collateralThresholdSf, h.bfAdjustedDebtValueSf);
  if (den === 0n) return null;
  const ratio = div(num, den);
  if (ratio <= WAD) return null;
  return sub0(mul(ratio, WAD - fromBps(HEALTH_CAP_MARGIN_BPS)), WAD);
}
/**
 * Liquidation bonus: max(health ramp, Dutch auction) in [lo, hi], capped at `DV/BV − 1` and at
 * the pair's health cap; 0 when insolvent. Throws `LiquidationError("PairWorsensHealth")`
 * when the pair cannot raise the health factor. `healthPart` and `auctionPart` are the two
 * rules before the caps (absent when insolvent), for display.
 */
export function liquidationBonus(
  h: Health,
  pair: PairWeights,
  lo: bigint,
  hi: bigint,
  since: bigint,
  now: bigint,
  auctionSecs: number,
): { rate: bigint; source: BonusSource; healthPart?: bigint; auctionPart?: bigint } {
  if (h.borrowedValueSf >= h.depositedValueSf) return { rate: 0n, source: BonusSource.Insolvent };
  const hCap = healthCap(h, pair);
  if (hCap === null) throw new LiquidationError("PairWorsensHealth");
  const distance = div(sub0(h.bfAdjustedDebtValueSf, h.unhealthyBorrowValueSf), h.depositedValueSf);
  const healthRate = min(max(distance, lo), hi);
  const elapsed = since === 0n ? 0n : max(now - since, 0n);
  const auction = BigInt(auctionSecs);
  const auctionRate =
    auction === 0n ? hi : lo + (checked(hi - lo) * min(elapsed, auction)) / auction;
  const [rate, source] =
    auctionRate > healthRate ? [auctionRate, BonusSource.Auction] : [healthRate, BonusSource.Health];
  const solvencyCap = sub0(div(h.depositedValueSf, max(h.borrowedValueSf, 1n)), WAD);
  const [cap, capSource] =
    hCap < solvencyCap ? [hCap, BonusSource.HealthCap] : [solvencyCap, BonusSource.SolvencyCap];
  const parts = { healthPart: healthRate, auctionPart: auctionRate };
  return rate > cap ? { rate: cap, source: capSource, ...parts } : { rate, source, ...parts };
}

/** Inputs of `planLiquidation` besides the health totals. */
export interface SizingInput {
  debt: { amountSf: bigint; priceSf: bigint; decimals: number };
  collateral: { shares: bigint; reserveAssetsSf: bigint; shareSupply: bigint; priceSf: bigint; decimals: number };
  rules: {
    closeFactorSf: bigint;
    insolvencyLtvSf: bigint;
    dustThresholdValueSf: bigint;
    windowDebtValueSf: bigint;
    windowRepaidValueSf: bigint;
    protocolFeeSf: bigint;
    /** Target-health sizing (`TargetSizing`); `null` = the close factor alone. */
    target: TargetSizing | null;
  };
  bonusSf: bigint;
  /** Debt tokens to repay; `U64_MAX` = the most allowed. */
  requested: bigint;
}

/** Target-health sizing: the target, the bonus past the close factor (the auction's rate
 *  alone) and the pair's risk weights. */
export interface TargetSizing {
  healthSf: bigint;
  auctionBonusSf: bigint;
  debtBorrowFactorSf: bigint;
  collateralThresholdSf: bigint;
}

/** How the largest repayment was set (`Sizing`). */
export enum Sizing {
  CloseFactor = 0,
  Target = 1,
  PastCloseFactor = 2,
  Full = 3,
}

/** The value `R*` that lifts the health factor to `targetSf` through the pair at `bonusSf`:
 *  `(THF × BFDV − UBV) / (THF × bf_d − lt_c × (1 + b))`, rounded up; `null` when the
 *  denominator is not positive (`target_repay_value`). */
export function targetRepayValue(h: Health, t: TargetSizing, bonusSf: bigint): bigint | null {
  const num = sub0(mulCeil(t.healthSf, h.bfAdjustedDebtValueSf), h.unhealthyBorrowValueSf);
  const seizedWeight = mulCeil(t.collateralThresholdSf, checked(WAD + bonusSf));
  const den = sub0(mul(t.healthSf, t.debtBorrowFactorSf), seizedWeight);
  if (den === 0n) return null;
  return divCeil(checked(num * WAD), den);
}

/** What a liquidation moves (token base units unless `…Sf`). */
export interface LiquidationPlan {
  maxRepay: bigint;
  repayAmount: bigint;
  repayValueSf: bigint;
  seizeShares: bigint;
  seizeAmount: bigint;
  seizeValueSf: bigint;
  protocolFeeAmount: bigint;
  liquidatorAmount: bigint;
  fullLiquidation: boolean;
  dust: boolean;
  /** The seizure was raised to one collateral token: the repayment clears the borrow. */
  minimumSeizure: boolean;
  /** The bonus rate paid: the one asked for, or the auction's past the close factor. */
  bonusSf: bigint;
  /** How `maxRepay` was set. */
  sizing: Sizing;
}

/** Thrown where the Rust crate returns `LiquidationError`; `message` is its variant name. */
export class LiquidationError extends Error {}

/** Underlying owed for `shares` (1e18-scaled, exact): `A × shares / S`. */
export const assetsForShares = (shares: bigint, assetsSf: bigint, supply: bigint): bigint => {
  if (supply === 0n) throw new MathError("DivisionByZero");
  return checked(assetsSf * shares) / supply;
};

/** Largest value of one base unit ($0.01, in bps) for which the minimum seizure applies. */
export const MAX_ROUNDING_UNIT_VALUE_BPS = 100n;

/** `a / b`, the 18th decimal rounded up. */
const divCeilWad = (a: bigint, b: bigint): bigint => divCeil(checked(a * WAD), b);

/** Shares burned to withdraw exactly `amount` tokens: `ceil(amount × S / A)`. */
export const sharesForWithdrawal = (amount: bigint, assetsSf: bigint, supply: bigint): bigint => {
  if (assetsSf === 0n) throw new MathError("DivisionByZero");
  return ceilU64(divCeil(checked(amount * WAD * supply) * WAD, assetsSf));
};

/** Shares minted for a deposit: `floor(amount × S / A)`, 1:1 into an empty reserve (`shares_for_deposit`). */
export function sharesForDeposit(amount: bigint, assetsSf: bigint, supply: bigint): bigint {
  if (supply === 0n) return amount;
  if (assetsSf === 0n) throw new MathError("DivisionByZero");
  return floorU64(div(amount * WAD * supply, assetsSf));
}
/** Tokens paid for redeeming `shares`: `floor(shares × A / S)` (`redeem_amount`). */
export const redeemAmount = (shares: bigint, assetsSf: bigint, supply: bigint): bigint =>
  floorU64(assetsForShares(shares, assetsSf, supply));
/** Normalized debt recorded for borrowing `amount` at borrow index `indexSf`: `⌈amount / I⌉`. */
export const normalizedForBorrow = (amount: bigint, indexSf: bigint): bigint => divCeilWad(amount * WAD, indexSf);
/** A repayment of up to `amount` (`U64_MAX` = all) of `heldSf` normalized debt (`debt::repayment`). */
export function repayment(heldSf: bigint, indexSf: bigint, amount: bigint): { paid: bigint; removedSf: bigint; leftSf: bigint } {
  const debtBefore = mul(heldSf, indexSf);
  const paid = min(amount, ceilU64Saturating(debtBefore));
  const removedSf = paid * WAD >= debtBefore ? heldSf : min(div(paid * WAD, indexSf), heldSf);
  return { paid, removedSf, leftSf: heldSf - removedSf };
}

/** Sizes a liquidation exactly as the program will (see `lending-math/src/liquidation.rs`). */
export function planLiquidation(h: Health, input: SizingInput): LiquidationPlan {
  const { debt, collateral: coll, rules, requested } = input;
  let bonus = input.bonusSf;
  if (!isLiquidatable(h)) throw new LiquidationError("Healthy");
  const debtValue = marketValue(debt.amountSf, debt.priceSf, debt.decimals);
  const debtTokens = ceilU64Saturating(debt.amountSf);
  const insolvent =
    h.depositedValueSf === 0n || div(h.borrowedValueSf, h.depositedValueSf) >= rules.insolvencyLtvSf;
  const dust = debtValue < rules.dustThresholdValueSf;
  const full = insolvent || dust;
  let sizing = full ? Sizing.Full : Sizing.CloseFactor;
  let maxRepay = debtTokens;
  if (!full) {
    const byCloseFactor = sub0(mul(rules.windowDebtValueSf, rules.closeFactorSf), rules.windowRepaidValueSf);
    // A target is a floor on health (rounded up to whole tokens), the close factor a ceiling
    // on what is taken (rounded down); `null`: no limit but the borrow and the collateral.
    let limit: bigint | null = byCloseFactor;
    if (rules.target) {
      const atBonus = targetRepayValue(h, rules.target, bonus);
      if (atBonus !== null && atBonus <= byCloseFactor) {
        limit = atBonus;
        sizing = Sizing.Target;
      } else {
        bonus = min(bonus, rules.target.auctionBonusSf);
        limit = targetRepayValue(h, rules.target, bonus);
        sizing = Sizing.PastCloseFactor;
      }
    }
    const allowed = limit ?? 0n;
    const byCf = limit === null ? 0n : amountForValue(allowed, debt.priceSf, debt.decimals);
    if (limit !== null && byCf < maxRepay * WAD) {
      const floor = sizing === Sizing.CloseFactor ? floorU64(byCf) : min(ceilU64(byCf), debtTokens);
      maxRepay = floor === 0n && allowed !== 0n ? 1n : floor;
      // Shares backed by nothing: no seizure can be priced (`NothingToSeize`, as the crate).
      if (allowed !== 0n && coll.reserveAssetsSf === 0n) throw new LiquidationError("NothingToSeize");
      if (allowed !== 0n) {
        // At least what buys the smallest seizure (one collateral token's shares) at the bonus.
        const smallest = assetsForShares(
          sharesForWithdrawal(1n, coll.reserveAssetsSf, coll.shareSupply),
          coll.reserveAssetsSf,
          coll.shareSupply,
        );
        const worth = divCeilWad(marketValueCeil(smallest, coll.priceSf, coll.decimals), checked(WAD + bonus));
        const buysOne = ceilU64Saturating(amountForValue(worth, debt.priceSf, debt.decimals));
        maxRepay = max(maxRepay, min(buysOne, debtTokens));
      }
    }
  }
  const onePlusB = checked(WAD + bonus);
  const collAmount = assetsForShares(coll.shares, coll.reserveAssetsSf, coll.shareSupply);
  const collValue = marketValue(collAmount, coll.priceSf, coll.decimals);
  const byColl = amountForValue(div(collValue, onePlusB), debt.priceSf, debt.decimals);
  const collateralBound = byColl <= maxRepay * WAD;
  let takesDeposit = false;
  if (collateralBound) {
    const byCollCeil = ceilU64Saturating(byColl);
    maxRepay = min(byCollCeil, debtTokens);
    takesDeposit = maxRepay === byCollCeil && debt.amountSf >= byColl;
  }
  // At most `requested`: a request past the limit repays the limit.
  const repayAmount = requested < maxRepay ? requested : maxRepay;
  if (repayAmount === 0n) throw new LiquidationError("NothingToRepay");
  if (dust && repayAmount < maxRepay) throw new LiquidationError("DustNotFullyRepaid");
  const repayValue = marketValue(repayAmount * WAD, debt.priceSf, debt.decimals);
  // The seizure pays for the debt removed, not for the rounding-up of a fractional debt.
  const removed = min(repayAmount * WAD, debt.amountSf);
  const seizeValue = mul(marketValue(removed, debt.priceSf, debt.decimals), onePlusB);
  const seizeUnderlying = amountForValue(seizeValue, coll.priceSf, coll.decimals);
  let seizeShares =
    takesDeposit && repayAmount === maxRepay
      ? coll.shares
      : min(floorU64(div(checked(seizeUnderlying * coll.shareSupply), coll.reserveAssetsSf)), coll.shares);
  let seizeAmount = floorU64(assetsForShares(seizeShares, coll.reserveAssetsSf, coll.shareSupply));
  // A repayment that clears the borrow takes at least one collateral token.
  const smallest = assetsForShares(
    sharesForWithdrawal(1n, coll.reserveAssetsSf, coll.shareSupply),
    coll.reserveAssetsSf,
    coll.shareSupply,
  );
  const minimumSeizure =
    seizeAmount === 0n &&
    repayAmount * WAD >= debt.amountSf &&
    marketValueCeil(WAD, coll.priceSf, coll.decimals) <= fromBps(MAX_ROUNDING_UNIT_VALUE_BPS) &&
    marketValue(smallest, coll.priceSf, coll.decimals) <= fromBps(2n * MAX_ROUNDING_UNIT_VALUE_BPS);
  if (minimumSeizure) {
    seizeShares = min(sharesForWithdrawal(1n, coll.reserveAssetsSf, coll.shareSupply), coll.shares);
    seizeAmount = floorU64(assetsForShares(seizeShares, coll.reserveAssetsSf, coll.shareSupply));
  }
  if (seizeAmount === 0n) throw new LiquidationError("NothingToSeize");
  const protocolFeeAmount = floorU64(
    mul(div(mul(seizeAmount * WAD, bonus), onePlusB), rules.protocolFeeSf),
  );
  return {
    maxRepay,
    repayAmount,
    repayValueSf: repayValue,
    seizeShares,
    seizeAmount,
    seizeValueSf: marketValue(seizeAmount * WAD, coll.priceSf, coll.decimals),
    protocolFeeAmount,
    liquidatorAmount: seizeAmount - protocolFeeAmount,
    fullLiquidation: full,
    dust,
    minimumSeizure,
    bonusSf: bonus,
    sizing,
  };
}

/** A stored `Sf` field (16 little-endian bytes, as the IDL decodes it) as a bigint. */
export function sfToBigInt(sf: { le: number[] } | number[]): bigint {
  const bytes = Array.isArray(sf) ? sf : sf.le;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}
