/**
 * The most each action may move, as the program will judge it: wallet balance, the reserve's
 * caps, liquidity and outflow limit (at the wall clock), and the borrow limit (`BFDV⁺ ≤ ABV` after the action, from
 * `sdk/position`'s preview). Max buttons use these; the form refuses more before sending.
 */
import { math as m, outflow, position as pos, volatility } from "../../../sdk";
import type { MarketView, ObligationView } from "./market";

/** Largest `x ≤ hi` with `ok(x)`, for `ok` true at 0 and monotone (true, then false). */
function largest(hi: bigint, ok: (x: bigint) => boolean): bigint {
  if (ok(hi)) return hi;
  let lo = 0n;
  let top = hi;
  while (top - lo > 1n) {
    const mid = (lo + top) / 2n;
    if (ok(mid)) lo = mid;
    else top = mid;
  }
  return lo;
}

const empty: pos.Positions = { deposits: [], borrows: [] };

/** What the reserve's outflow limit still lets out now (`U64_MAX` without a limit). */
const outflowRoom = (f: pos.ReserveFigures): bigint =>
  f.outflow ? outflow.outflowRemainingFloor(f.outflow, BigInt(Math.floor(Date.now() / 1000))) : m.U64_MAX;
const min3 = (a: bigint, b: bigint, c: bigint): bigint => (a < b ? (a < c ? a : c) : b < c ? b : c);

/** Whether the action leaves the obligation within its borrow limit (or without debt). */
export function keepsLimit(market: MarketView, ob: ObligationView | null, action: pos.Action): boolean {
  try {
    const h = pos.previewHealth(ob?.positions ?? empty, ob?.live ?? market.live, action, undefined, ob?.group);
    return h.bfAdjustedDebtValueSf === 0n || m.withinBorrowLimit(h);
  } catch {
    return false;
  }
}

export interface Limit {
  /** Base units; for withdraw and repay `m.U64_MAX` means "all" when all is allowed. */
  max: bigint;
  /** What bounds it, for the label. */
  by: string;
}

/** The largest amount of `kind` on `reserve` for this wallet and obligation. */
export function maxAmount(
  market: MarketView,
  ob: ObligationView | null,
  kind: pos.Action["kind"],
  reserve: string,
  walletBalance: bigint,
): Limit {
  const r = market.byAddress.get(reserve);
  if (!r) return { max: 0n, by: "unknown reserve" };
  const f = r.live;
  const assets = pos.supplyAssets(f);
  const debtSf = m.mul(f.totalNormalizedDebtSf, f.borrowIndexSf);
  const p = ob?.positions ?? empty;
  if (kind === "deposit") {
    const cap = BigInt(r.decoded.config.depositCap.toString());
    const room = m.floorU64(cap * m.WAD > assets ? cap * m.WAD - assets : 0n);
    return walletBalance <= room ? { max: walletBalance, by: "wallet balance" } : { max: room, by: "deposit cap" };
  }
  if (kind === "repay") {
    const b = p.borrows.find((x) => x.reserve === reserve);
    if (!b) return { max: 0n, by: "no borrow" };
    const owed = m.ceilU64Saturating(m.mul(b.normalizedDebtSf, f.borrowIndexSf));
    // Interest accrues until the transaction lands and "all" pays whatever is owed then: offered
    // only with a margin for it (1 bps, about 30 s at a 1,000% APR).
    const margin = owed / 10_000n + 1n;
    return walletBalance >= owed + margin ? { max: m.U64_MAX, by: "whole debt" } : { max: walletBalance, by: "wallet balance" };
  }
  if (kind === "withdraw") {
    const d = p.deposits.find((x) => x.reserve === reserve);
    if (!d) return { max: 0n, by: "no deposit" };
    const held = m.redeemAmount(d.shares, assets, f.shareSupply);
    const all: pos.Action = { kind, reserve, amount: m.U64_MAX };
    const room = outflowRoom(f);
    if (held <= f.availableAmount && held <= room && keepsLimit(market, ob, all)) return { max: m.U64_MAX, by: "whole deposit" };
    const hi = min3(held, f.availableAmount, room);
    const max = largest(hi, (x) => x === 0n || keepsLimit(market, ob, { kind, reserve, amount: x }));
    return { max, by: max === hi ? (hi === held ? "deposit" : hi === f.availableAmount ? "liquidity" : "outflow limit") : "borrow limit" };
  }
  const cap = volatility.riskInForce(r.decoded).borrowCap;
  const capRoom = m.floorU64(cap * m.WAD > debtSf ? cap * m.WAD - debtSf : 0n);
  const room = outflowRoom(f);
  const hi = min3(capRoom, f.availableAmount, room);
  const max = largest(hi, (x) => x === 0n || keepsLimit(market, ob, { kind, reserve, amount: x }));
  return { max, by: max === hi ? (hi === capRoom ? "borrow cap" : hi === f.availableAmount ? "liquidity" : "outflow limit") : "borrow limit" };
}
