/**
 * The outflow limit of a reserve (`crates/lending-math/src/outflow.rs`, checked by the golden
 * vectors): net outflow (withdrawals + borrows − deposits − repayments) over a sliding window,
 * estimated from two buckets with the previous one weighted by its overlap, rounded up:
 * `E(t) = ⌈max(P, 0) × (W − e) / W⌉ + C`. A withdrawal or borrow of `x` lands only when
 * `E(t) + x ≤ cap`; deposits and repayments credit `C` and never fail; liquidations never move
 * the window. All values are token base units and unix seconds, as bigints.
 */

/** A decoded `Reserve.outflow` (`OutflowState`) as bigints. */
export interface OutflowFigures {
  cap: bigint;
  windowSecs: bigint;
  bucketStartTs: bigint;
  previousNet: bigint;
  currentNet: bigint;
}

const I64_MIN = -(1n << 63n);
const U64_MAX = (1n << 64n) - 1n;

/** Anchor's decoded `outflow` field (BN / number values) as figures. */
export function outflowFigures(o: any): OutflowFigures {
  const b = (x: any) => BigInt(x.toString());
  return {
    cap: b(o.cap),
    windowSecs: b(o.windowSecs),
    bucketStartTs: b(o.bucketStartTs),
    previousNet: b(o.previousNet),
    currentNet: b(o.currentNet),
  };
}

/** True when the limit applies. */
export const outflowEnabled = (o: OutflowFigures): boolean => o.cap > 0n && o.windowSecs > 0n;

/** The window moved to the bucket that contains `now` (`outflow::roll`). */
export function rollOutflow(o: OutflowFigures, now: bigint): OutflowFigures {
  if (o.windowSecs === 0n) return o;
  const elapsed = now > o.bucketStartTs ? now - o.bucketStartTs : 0n;
  const buckets = elapsed / o.windowSecs;
  if (buckets === 0n) return o;
  const bucketStartTs = o.bucketStartTs + buckets * o.windowSecs;
  return buckets === 1n
    ? { ...o, bucketStartTs, previousNet: o.currentNet, currentNet: 0n }
    : { ...o, bucketStartTs, previousNet: 0n, currentNet: 0n };
}

/** `⌈max(previousNet, 0) × (W − e) / W⌉` (`outflow::previous_weight_ceil`). */
export function previousWeightCeil(previousNet: bigint, windowSecs: bigint, elapsedSecs: bigint): bigint {
  if (previousNet <= 0n || windowSecs === 0n || elapsedSecs >= windowSecs) return 0n;
  const n = previousNet * (windowSecs - elapsedSecs);
  return (n + windowSecs - 1n) / windowSecs;
}

/** The estimate `E(now)`, rounded up; 0 without a limit (`outflow::estimate_ceil`). */
export function outflowEstimateCeil(o: OutflowFigures, now: bigint): bigint {
  if (!outflowEnabled(o)) return 0n;
  const w = rollOutflow(o, now);
  const elapsed = now > w.bucketStartTs ? now - w.bucketStartTs : 0n;
  return previousWeightCeil(w.previousNet, w.windowSecs, elapsed) + w.currentNet;
}

/** What may still flow out at `now`, rounded down; `U64_MAX` without a limit. */
export function outflowRemainingFloor(o: OutflowFigures, now: bigint): bigint {
  if (!outflowEnabled(o)) return U64_MAX;
  const room = o.cap - outflowEstimateCeil(o, now);
  return room < 0n ? 0n : room > U64_MAX ? U64_MAX : room;
}

/** The window after an outflow of `amount` at `now`; throws `OutflowLimitExceeded` (the
 *  program's error name) when it would pass the cap. */
export function recordOutflow(o: OutflowFigures, now: bigint, amount: bigint): OutflowFigures {
  if (!outflowEnabled(o)) return o;
  if (amount > outflowRemainingFloor(o, now)) throw new Error("OutflowLimitExceeded");
  const w = rollOutflow(o, now);
  return { ...w, currentNet: w.currentNet + amount };
}

/** The window after an inflow (deposit or repayment) of `amount` at `now`; the credit
 *  saturates at `i64::MIN`. */
export function recordInflow(o: OutflowFigures, now: bigint, amount: bigint): OutflowFigures {
  if (!outflowEnabled(o)) return o;
  const w = rollOutflow(o, now);
  const c = w.currentNet - amount;
  return { ...w, currentNet: c < I64_MIN ? I64_MIN : c };
}
