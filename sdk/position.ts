/**
 * An obligation as the program values it, from decoded accounts: the figures of each reserve
 * it uses, its totals recomputed from raw positions (what `refresh_obligation` stores), and
 * the effect of a deposit, withdrawal, borrow or repayment on positions and reserves (what the
 * program's operations do), so that a client previews the health factor an action leaves.
 * All math is `./math`, the port of `crates/lending-math` checked by the golden vectors.
 */
import * as m from "./math";

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
    ltvBps: r.config.loanToValueBps,
    liquidationThresholdBps: r.config.liquidationThresholdBps,
    borrowFactorBps: r.config.borrowFactorBps,
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
 *  for its size (more than held, more than available). */
export function applyAction(
  p: Positions,
  reserves: Map<string, ReserveFigures>,
  action: Action,
): { positions: Positions; reserves: Map<string, ReserveFigures>; moved: bigint } {
  const r = { ...figures(reserves, action.reserve) };
  const out = new Map(reserves);
  const positions: Positions = { deposits: p.deposits.map((d) => ({ ...d })), borrows: p.borrows.map((b) => ({ ...b })) };
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
    const burn = action.amount === m.U64_MAX ? held : m.sharesForWithdrawal(action.amount, assets, r.shareSupply);
    if (burn > held) throw new Error("WithdrawExceedsDeposit");
    moved = action.amount === m.U64_MAX ? m.redeemAmount(held, assets, r.shareSupply) : action.amount;
    if (moved > r.availableAmount) throw new Error("InsufficientLiquidity");
    positions.deposits[i].shares -= burn;
    if (positions.deposits[i].shares === 0n) positions.deposits.splice(i, 1);
    r.availableAmount -= moved;
    r.shareSupply -= burn;
  } else if (action.kind === "borrow") {
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
    const rep = m.repayment(positions.borrows[i].normalizedDebtSf, r.borrowIndexSf, action.amount);
    moved = rep.paid;
    positions.borrows[i].normalizedDebtSf = rep.leftSf;
    if (rep.leftSf === 0n) positions.borrows.splice(i, 1);
    r.totalNormalizedDebtSf = r.totalNormalizedDebtSf > rep.removedSf ? r.totalNormalizedDebtSf - rep.removedSf : 0n;
    r.availableAmount += rep.paid;
  }
  out.set(action.reserve, r);
  return { positions, reserves: out, moved };
}

/** The health an action leaves, valued at the reserves' cached prices: refresh the reserves
 *  first (or pass figures with current prices), or a price that moved since the last refresh
 *  makes the preview differ from what the program will compute. */
export const previewHealth = (p: Positions, reserves: Map<string, ReserveFigures>, action: Action): m.Health => {
  const after = applyAction(p, reserves, action);
  return valueObligation(after.positions, after.reserves).health;
};
