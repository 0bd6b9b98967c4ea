/**
 * An obligation as the program values it, from decoded accounts: the figures of each reserve
 * it uses, its totals recomputed from raw positions (what `refresh_obligation` stores), and
 * the effect of a deposit, withdrawal, borrow or repayment on positions and reserves (what the
 * program's operations do), so that a client previews the health factor an action leaves.
 * All math is `./math`, the port of `crates/lending-math` checked by the golden vectors.
 */
import * as m from "./math";
import * as outflow from "./outflow";
import * as volatility from "./volatility";

/** What valuation needs of a reserve (token base units; `…Sf` 1e18-scaled). */
export interface ReserveFigures {
  availableAmount: bigint;
  totalNormalizedDebtSf: bigint;
  borrowIndexSf: bigint;
  protocolFeesSf: bigint;
  shareSupply: bigint;
  decimals: number;
  prices: m.Prices;
  ltvBps: number;
  liquidationThresholdBps: number;
  borrowFactorBps: number;
  /** The reserve's outflow limit and window (all zero: no limit). */
  outflow?: outflow.OutflowFigures;
  /** E-mode groups the reserve is a member of: bit `g − 1` = group `g` (see `./emode`). */
  emodeGroups?: bigint;
}

/** A decoded `Reserve` account (Anchor's camelCase fields) as figures. */
export function reserveFigures(r: any): ReserveFigures {
  return {
    availableAmount: BigInt(r.availableAmount.toString()),
    totalNormalizedDebtSf: m.sfToBigInt(r.totalNormalizedDebtSf),
    borrowIndexSf: m.sfToBigInt(r.borrowIndexSf),
    protocolFeesSf: m.sfToBigInt(r.protocolFeesSf),
    shareSupply: BigInt(r.shareSupply.toString()),
    decimals: r.decimals,
    prices: { spotSf: m.sfToBigInt(r.priceSf), emaSf: m.sfToBigInt(r.emaPriceSf), confSf: m.sfToBigInt(r.priceConfSf) },
    // In force: moved by the reserve's volatility when its adjustment is on.
    ltvBps: volatility.riskInForce(r).ltvBps,
    liquidationThresholdBps: volatility.riskInForce(r).liquidationThresholdBps,
    borrowFactorBps: r.config.borrowFactorBps,
    outflow: r.outflow ? outflow.outflowFigures(r.outflow) : undefined,
    emodeGroups: BigInt((r.emodeGroups ?? 0).toString()),
  };
}

/** `A = available + debt − fees` of a reserve. */
export const supplyAssets = (r: ReserveFigures): bigint =>
  m.totalSupplyAssets(r.availableAmount, m.mul(r.totalNormalizedDebtSf, r.borrowIndexSf), r.protocolFeesSf);

/** An obligation's positions, keyed by reserve address (base58), in position order. */
export interface Positions {
  deposits: { reserve: string; shares: bigint }[];
  borrows: { reserve: string; normalizedDebtSf: bigint }[];
}

const ZERO = "11111111111111111111111111111111";

/** The active positions of a decoded `Obligation` account. */
export function positionsOf(ob: any): Positions {
  return {
    deposits: ob.deposits
      .filter((d: any) => d.reserve.toBase58() !== ZERO)
      .map((d: any) => ({ reserve: d.reserve.toBase58(), shares: BigInt(d.shares.toString()) })),
    borrows: ob.borrows
      .filter((b: any) => b.reserve.toBase58() !== ZERO)
      .map((b: any) => ({ reserve: b.reserve.toBase58(), normalizedDebtSf: m.sfToBigInt(b.normalizedDebtSf) })),
  };
}

/** The totals a decoded `Obligation` caches (from its last refresh). */
export const cachedHealth = (ob: any): m.Health => ({
  depositedValueSf: m.sfToBigInt(ob.depositedValueSf),
  allowedBorrowValueSf: m.sfToBigInt(ob.allowedBorrowValueSf),
  unhealthyBorrowValueSf: m.sfToBigInt(ob.unhealthyBorrowValueSf),
  borrowedValueSf: m.sfToBigInt(ob.borrowedValueSf),
  bfAdjustedDebtValueSf: m.sfToBigInt(ob.bfAdjustedDebtValueSf),
  bfAdjustedDebtValueUpperSf: m.sfToBigInt(ob.bfAdjustedDebtValueUpperSf),
});

/** Valuation of positions at the reserves' cached prices (`value_obligation` on fresh reserves). */
export interface Valuation {
  health: m.Health;
  deposits: (m.DepositValue & { reserve: string; amountSf: bigint })[];
  borrows: (m.BorrowValue & { reserve: string; amountSf: bigint })[];
}

function figures(reserves: Map<string, ReserveFigures>, key: string): ReserveFigures {
  const r = reserves.get(key);
  if (!r) throw new Error(`reserve ${key} not loaded`);
  return r;
}

/** Values every position as `refresh_obligation` does on reserves priced in the same slot. */
export function valueObligation(p: Positions, reserves: Map<string, ReserveFigures>): Valuation {
  let health = m.emptyHealth();
  const deposits = p.deposits.map((d) => {
    const r = figures(reserves, d.reserve);
    const amountSf = m.assetsForShares(d.shares, supplyAssets(r), r.shareSupply);
    const v = m.valueDeposit(amountSf, r.decimals, r.prices, m.fromBps(r.ltvBps), m.fromBps(r.liquidationThresholdBps));
    health = m.addDeposit(health, v);
    return { ...v, reserve: d.reserve, amountSf };
  });
  const borrows = p.borrows.map((b) => {
    const r = figures(reserves, b.reserve);
    const amountSf = m.mul(b.normalizedDebtSf, r.borrowIndexSf);
    const v = m.valueBorrow(amountSf, r.decimals, r.prices, m.fromBps(r.borrowFactorBps));
    health = m.addBorrow(health, v);
    return { ...v, reserve: b.reserve, amountSf };
  });
  return { health, deposits, borrows };
}

/** One user action; `amount` in base units, `math.U64_MAX` = all (withdraw, repay). */
export interface Action {
  kind: "deposit" | "withdraw" | "borrow" | "repay";
  reserve: string;
  amount: bigint;
}

/** Positions and reserves after `action`, as the program's operations change them (the
 *  obligation is then refreshed at the same prices). Throws on an amount the program refuses
 *  for its size (more than held, more than available) and, given the cluster time `now`
 *  (unix seconds), on a withdrawal or borrow past the reserve's outflow limit
 *  (`OutflowLimitExceeded`; see `./outflow`), whose window it then moves. Given the
 *  obligation's e-mode `group`, a deposit or borrow of a reserve outside it throws
 *  `EmodeReserveNotInGroup` (see `./emode`). */
export function applyAction(
  p: Positions,
  reserves: Map<string, ReserveFigures>,
  action: Action,
  now?: bigint,
  group?: number,
): { positions: Positions; reserves: Map<string, ReserveFigures>; moved: bigint } {
  const r = { ...figures(reserves, action.reserve) };
  const member = group === undefined || group === 0 || (((r.emodeGroups ?? 0n) >> BigInt(group - 1)) & 1n) === 1n;
  if ((action.kind === "deposit" || action.kind === "borrow") && !member) throw new Error("EmodeReserveNotInGroup");
  const out = new Map(reserves);
  const positions: Positions = { deposits: p.deposits.map((d) => ({ ...d })), borrows: p.borrows.map((b) => ({ ...b })) };
  if (action.amount === 0n) throw new Error("InvalidAmount");
  let moved = action.amount;
  const assets = supplyAssets(r);
  if (action.kind === "deposit") {
    const minted = m.sharesForDeposit(action.amount, assets, r.shareSupply);
    const d = positions.deposits.find((x) => x.reserve === action.reserve);
    if (d) d.shares += minted;
    else positions.deposits.push({ reserve: action.reserve, shares: minted });
    r.availableAmount += action.amount;
    r.shareSupply += minted;
  } else if (action.kind === "withdraw") {
    const i = positions.deposits.findIndex((x) => x.reserve === action.reserve);
    if (i < 0) throw new Error("DepositNotFound");
    const held = positions.deposits[i].shares;
    if (assets === 0n) throw new Error("ReserveAssetsDepleted");
    const burn = action.amount === m.U64_MAX ? held : m.sharesForWithdrawal(action.amount, assets, r.shareSupply);
    if (burn > held) throw new Error("WithdrawExceedsDeposit");
    moved = action.amount === m.U64_MAX ? m.redeemAmount(held, assets, r.shareSupply) : action.amount;
    if (moved > r.availableAmount) throw new Error("InsufficientLiquidity");
    positions.deposits[i].shares -= burn;
    if (positions.deposits[i].shares === 0n) positions.deposits.splice(i, 1);
    r.availableAmount -= moved;
    r.shareSupply -= burn;
  } else if (action.kind === "borrow") {
    if (action.amount === m.U64_MAX) throw new Error("InvalidAmount");
    if (action.amount > r.availableAmount) throw new Error("InsufficientLiquidity");
    const n = m.normalizedForBorrow(action.amount, r.borrowIndexSf);
    const b = positions.borrows.find((x) => x.reserve === action.reserve);
    if (b) b.normalizedDebtSf += n;
    else positions.borrows.push({ reserve: action.reserve, normalizedDebtSf: n });
    r.totalNormalizedDebtSf += n;
    r.availableAmount -= action.amount;
  } else {
    const i = positions.borrows.findIndex((x) => x.reserve === action.reserve);
    if (i < 0) throw new Error("BorrowNotFound");
    // No vault holds more than u64::MAX: the program pays at most what the reserve can take in.
    const room = m.U64_MAX - r.availableAmount;
    const rep = m.repayment(positions.borrows[i].normalizedDebtSf, r.borrowIndexSf, action.amount < room ? action.amount : room);
    if (rep.paid === 0n) throw new Error("AmountTooSmall");
    moved = rep.paid;
    positions.borrows[i].normalizedDebtSf = rep.leftSf;
    if (rep.leftSf === 0n) positions.borrows.splice(i, 1);
    r.totalNormalizedDebtSf = r.totalNormalizedDebtSf > rep.removedSf ? r.totalNormalizedDebtSf - rep.removedSf : 0n;
    r.availableAmount += rep.paid;
  }
  if (now !== undefined && r.outflow) {
    const outgoing = action.kind === "withdraw" || action.kind === "borrow";
    r.outflow = outgoing ? outflow.recordOutflow(r.outflow, now, moved) : outflow.recordInflow(r.outflow, now, moved);
  }
  out.set(action.reserve, r);
  return { positions, reserves: out, moved };
}

/** The health an action leaves, valued at the reserves' cached prices: refresh the reserves
 *  first (or pass figures with current prices), or a price that moved since the last refresh
 *  makes the preview differ from what the program will compute. With `now`, an action past the
 *  reserve's outflow limit throws `OutflowLimitExceeded`, as the program would refuse it. For
 *  an obligation in an e-mode group, pass `emode.figuresInGroup(...)` as `reserves` and the
 *  `group` (or use `emode.previewHealthInGroup`). */
export const previewHealth = (
  p: Positions,
  reserves: Map<string, ReserveFigures>,
  action: Action,
  now?: bigint,
  group?: number,
): m.Health => {
  const after = applyAction(p, reserves, action, now, group);
  return valueObligation(after.positions, after.reserves).health;
};

/** What a liquidation preview needs of the market (a decoded `LendingMarket`). */
export interface MarketRules {
  closeFactorBps: number;
  insolvencyLtvBps: number;
  /** Target health factor of a liquidation (bps; 0 = off). */
  targetHealthBps: number;
  dustThresholdValue: bigint;
  liquidationAuctionSecs: number;
}

/** The rules of a decoded `LendingMarket` account. */
export const marketRules = (mk: any): MarketRules => ({
  closeFactorBps: mk.closeFactorBps,
  insolvencyLtvBps: mk.insolvencyLtvBps,
  targetHealthBps: mk.targetHealthBps ?? 0,
  dustThresholdValue: BigInt(mk.dustThresholdValue.toString()),
  liquidationAuctionSecs: mk.liquidationAuctionSecs,
});

/** Liquidation terms of a reserve (bps), from its decoded account: the min bonus in force. */
export interface LiquidationTerms {
  minBonusBps: number;
  maxBonusBps: number;
  protocolFeeBps: number;
}

export const liquidationTerms = (r: any): LiquidationTerms => ({
  minBonusBps: volatility.riskInForce(r).minBonusBps,
  maxBonusBps: r.config.maxLiquidationBonusBps,
  protocolFeeBps: r.config.protocolLiquidationFeeBps,
});

/** The obligation's liquidation state (from a decoded `Obligation`). */
export interface LiquidationState {
  liquidatableSinceTs: bigint;
  liquidationSlot: bigint;
  windowDebtValueSf: bigint;
  windowRepaidValueSf: bigint;
  /** The episode went past the close factor: the auction's rate alone from then on. */
  auctionBonusOnly: boolean;
}

export const liquidationState = (ob: any): LiquidationState => ({
  liquidatableSinceTs: BigInt(ob.liquidatableSinceTs.toString()),
  liquidationSlot: BigInt(ob.liquidationSlot.toString()),
  windowDebtValueSf: m.sfToBigInt(ob.liquidationWindowDebtSf),
  windowRepaidValueSf: m.sfToBigInt(ob.liquidationWindowRepaidSf),
  auctionBonusOnly: (ob.auctionBonusOnly ?? 0) !== 0,
});

/** A previewed liquidation: the bonus and the plan, and the liquidator's profit in value. */
export interface LiquidationPreview {
  bonus: ReturnType<typeof m.liquidationBonus>;
  plan: m.LiquidationPlan;
  /** Value of the collateral the liquidator receives minus the value he repays (quote × 1e18). */
  profitValueSf: bigint;
}

/**
 * Previews `liquidate(requested)` of pair (debt `debtKey`, collateral `collKey`) (for an
 * obligation in an e-mode group, pass `emode.figuresInGroup(...)` and `emode.termsInGroup(...)`:
 * members then count with the group's threshold and bonus bounds) as the
 * program's `operations::liquidation::liquidate` does it on reserves priced in the landing
 * slot: the obligation valued from its positions, the close-factor window restarted when the
 * landing slot is a new one, the bonus from the health ramp and the auction since the episode
 * began (`now` when it has not yet been seen), and `planLiquidation` (sized to the market's
 * target health; past the close factor the bonus is the auction's rate alone). Throws
 * `LiquidationError` where the program refuses (`Healthy`, `NothingToRepay`, …).
 */
export function previewLiquidation(
  p: Positions,
  reserves: Map<string, ReserveFigures>,
  terms: Map<string, LiquidationTerms>,
  state: LiquidationState,
  rules: MarketRules,
  pair: { debt: string; collateral: string },
  at: { slot: bigint; now: bigint },
  requested: bigint,
): LiquidationPreview {
  const v = valueObligation(p, reserves);
  const h = v.health;
  if (!m.isLiquidatable(h)) throw new m.LiquidationError("Healthy");
  const d = figures(reserves, pair.debt);
  const c = figures(reserves, pair.collateral);
  const dt = terms.get(pair.debt);
  const ct = terms.get(pair.collateral);
  if (!dt || !ct) throw new Error("liquidation terms not loaded");
  const borrow = v.borrows.find((b) => b.reserve === pair.debt);
  const deposit = p.deposits.find((x) => x.reserve === pair.collateral);
  if (!borrow) throw new m.LiquidationError("BorrowNotFound");
  if (!deposit) throw new m.LiquidationError("DepositNotFound");
  const sameWindow = state.liquidationSlot === at.slot;
  const { lo, hi } = m.bonusRange(dt.minBonusBps, dt.maxBonusBps, ct.minBonusBps, ct.maxBonusBps);
  const weights = { debtBorrowFactorSf: m.fromBps(d.borrowFactorBps), collateralThresholdSf: m.fromBps(c.liquidationThresholdBps) };
  const since = state.liquidatableSinceTs === 0n ? at.now : state.liquidatableSinceTs;
  const ramp = m.liquidationBonus(h, weights, lo, hi, since, at.now, rules.liquidationAuctionSecs);
  // Once the episode went past the close factor, the auction's rate alone (as the program).
  const auction = ramp.auctionPart ?? lo;
  const bonus =
    state.auctionBonusOnly && ramp.rate > auction ? { ...ramp, rate: auction, source: m.BonusSource.PastCloseFactor } : ramp;
  const plan = m.planLiquidation(h, {
    debt: { amountSf: borrow.amountSf, priceSf: d.prices.spotSf, decimals: d.decimals },
    collateral: {
      shares: deposit.shares,
      reserveAssetsSf: supplyAssets(c),
      shareSupply: c.shareSupply,
      priceSf: c.prices.spotSf,
      decimals: c.decimals,
    },
    rules: {
      closeFactorSf: m.fromBps(rules.closeFactorBps),
      insolvencyLtvSf: m.fromBps(rules.insolvencyLtvBps),
      dustThresholdValueSf: rules.dustThresholdValue * m.WAD,
      windowDebtValueSf: sameWindow ? state.windowDebtValueSf : h.borrowedValueSf,
      windowRepaidValueSf: sameWindow ? state.windowRepaidValueSf : 0n,
      protocolFeeSf: m.fromBps(ct.protocolFeeBps),
      target:
        rules.targetHealthBps > 0
          ? { healthSf: m.fromBps(rules.targetHealthBps), auctionBonusSf: auction, ...weights }
          : null,
    },
    bonusSf: bonus.rate,
    requested,
  });
  const received = m.marketValue(plan.liquidatorAmount * m.WAD, c.prices.spotSf, c.decimals);
  const paid = plan.bonusSf < bonus.rate ? { ...bonus, rate: plan.bonusSf, source: m.BonusSource.PastCloseFactor } : bonus;
  return { bonus: paid, plan, profitValueSf: received - plan.repayValueSf };
}

/** A `ReserveRefreshed` event (decoded, camelCase), as a simulated `refresh_reserve` gives it. */
export interface RefreshedEvent {
  priceSf: { toString(): string };
  emaPriceSf: { toString(): string };
  confSf: { toString(): string };
  borrowIndexAfterSf: { toString(): string };
  interestSf: { toString(): string };
}

/** A reserve's figures after the refresh that emitted `ev`: its prices, its borrow index, and
 *  the protocol fees credited on the interest (`fees + interest × reserve factor`, as
 *  `lending_math::interest::accrue`). A client that simulates `refresh_reserve` values
 *  positions at current prices exactly as the program will. */
export function refreshedFigures(r: ReserveFigures, ev: RefreshedEvent, reserveFactorBps: number): ReserveFigures {
  const big = (x: { toString(): string }) => BigInt(x.toString());
  return {
    ...r,
    prices: { spotSf: big(ev.priceSf), emaSf: big(ev.emaPriceSf), confSf: big(ev.confSf) },
    borrowIndexSf: big(ev.borrowIndexAfterSf),
    protocolFeesSf: r.protocolFeesSf + m.mul(big(ev.interestSf), m.fromBps(reserveFactorBps)),
  };
}

/** The spot price of collateral `reserve` at which the obligation turns liquidatable, other
 *  prices unchanged: the unhealthy borrow value is linear in the spot price
 *  (`UBV = UBV_other + UBV_c × P/P_now`), so `P_liq = P_now × (BFDV − UBV_other) / UBV_c`.
 *  Null when no price of this asset alone makes it liquidatable (no debt, or the other
 *  collateral already covers it) — 0 stays a price only where the debt exceeds the rest. */
export function liquidationPrice(v: Valuation, reserve: string, spotSf: bigint): bigint | null {
  const d = v.deposits.find((x) => x.reserve === reserve);
  if (!d || d.unhealthyBorrowValueSf === 0n || v.health.bfAdjustedDebtValueSf === 0n) return null;
  const other = v.health.unhealthyBorrowValueSf - d.unhealthyBorrowValueSf;
  if (v.health.bfAdjustedDebtValueSf <= other) return null;
  return (spotSf * (v.health.bfAdjustedDebtValueSf - other)) / d.unhealthyBorrowValueSf;
}
