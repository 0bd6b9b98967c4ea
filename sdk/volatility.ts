/**
 * Volatility-adjusted risk (`crates/lending-math/src/volatility.rs` and `volatility/response.rs`,
 * checked by the golden vectors). A reserve with the adjustment on measures its realised
 * volatility from its refreshes and stores the parameters in force in `Reserve.volatility`:
 * clients read those ([`riskInForce`]), never recompute them. The port of the estimator and the
 * response is here so a client can show what a further price would do, and so the vectors can
 * prove it is the program's.
 *
 * Estimator: symmetric return `r = 2(p − p₀)/(p + p₀)`, variance per year
 * `V' = (τV + r²Y)/(τ + Δt)` with `τ = H / ln 2`, sampled at the clock's time at most every
 * `H / 60` seconds (a refresh sooner changes nothing).
 * Response at stress `φ = clamp((σ − calm)/(stress − calm), 0, 1)`: LTV and borrow cap tighten
 * (down), min bonus rises (up, to its configured ceiling), the threshold heads to its target at most `rate` per hour and
 * loosens at once. All fixed-point values are 1e18-scaled bigints (`…Sf`).
 */
import * as m from "./math";

const INV_LN2_WAD = 1_442_695_040_888_963_407n;
const SECONDS_PER_HOUR = 3_600n;
const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = (1n << 32n) - 1n;

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const sub0 = (a: bigint, b: bigint) => (a > b ? a - b : 0n);

/** How a reserve's parameters follow its volatility (a decoded `VolatilityConfig`). */
export interface VolatilityConfig {
  halfLifeSecs: number;
  calmVolBps: number;
  stressVolBps: number;
  ltvFloorBps: number;
  thresholdFloorBps: number;
  borrowCapFloorBps: number;
  /** Minimum bonus at full stress (bps, ≤ the maximum bonus; at or below the minimum: no rise). */
  minBonusCeilingBps: number;
  thresholdRateBpsPerHour: number;
}

/** The configured parameters the response starts from. */
export interface BaseParams {
  ltvBps: number;
  thresholdBps: number;
  minBonusBps: number;
  maxBonusBps: number;
  borrowCap: bigint;
}

/** The estimator's state. */
export interface VolatilityState {
  samplePriceSf: bigint;
  sampleTs: bigint;
  varianceSf: bigint;
}

/** The threshold in force (unrounded), the target it heads to, and the last update time. */
export interface ThresholdPath {
  inForceSf: bigint;
  targetBps: number;
  ts: bigint;
}

/** The parameters in force. */
export interface RiskInForce {
  enabled: boolean;
  volatilityBps: number;
  stressBps: number;
  ltvBps: number;
  liquidationThresholdBps: number;
  targetThresholdBps: number;
  minBonusBps: number;
  borrowCap: bigint;
}

export const enabled = (c: VolatilityConfig): boolean => c.halfLifeSecs !== 0;

/** Longest half-life (seconds) and highest calm/stress level (bps of σ) a config may name. */
export const MAX_HALF_LIFE_SECS = 30 * 86_400;
export const MAX_VOLATILITY_BPS = 100_000;

/** `VolatilityConfig::validate` against the reserve's configured parameters: `"ok"`,
 *  `"Estimator"` or `"Floors"` (the program refuses both with `InvalidVolatilityConfig`). */
export function validate(c: VolatilityConfig, base: BaseParams): "ok" | "Estimator" | "Floors" {
  const { ltvBps, thresholdBps } = base;
  if (!enabled(c)) {
    const zero =
      c.calmVolBps === 0 &&
      c.stressVolBps === 0 &&
      c.ltvFloorBps === 0 &&
      c.thresholdFloorBps === 0 &&
      c.borrowCapFloorBps === 0 &&
      c.minBonusCeilingBps === 0 &&
      c.thresholdRateBpsPerHour === 0;
    return zero ? "ok" : "Estimator";
  }
  if (c.halfLifeSecs > MAX_HALF_LIFE_SECS || c.calmVolBps >= c.stressVolBps || c.stressVolBps > MAX_VOLATILITY_BPS) return "Estimator";
  if (
    c.ltvFloorBps > ltvBps ||
    c.ltvFloorBps >= c.thresholdFloorBps ||
    c.thresholdFloorBps > thresholdBps ||
    c.borrowCapFloorBps > 10_000 ||
    c.thresholdRateBpsPerHour > 10_000 ||
    c.minBonusCeilingBps > base.maxBonusBps
  )
    return "Floors";
  return "ok";
}

/** `r² = (2(p − p₀)/(p + p₀))²`. */
export function squaredReturn(p0: bigint, p: bigint): bigint {
  const sum = p0 + p;
  if (sum === 0n) return 0n;
  const r = m.div((p >= p0 ? p - p0 : p0 - p) * 2n, sum);
  return m.mul(r, r);
}

/** The estimator's resolution: the shortest interval between two samples, `H / 60` (≥ 1 s). */
export const minSampleSecs = (halfLifeSecs: number): bigint => {
  const v = BigInt(halfLifeSecs) / 60n;
  return v > 1n ? v : 1n;
};

/** One refresh at `priceSf`, clock time `now` (`volatility::observe`): nothing moves within
 *  the resolution of the last sample. The program samples only a print newer than the cached. */
export function observe(s: VolatilityState, priceSf: bigint, now: bigint, halfLifeSecs: number): VolatilityState {
  if (priceSf === 0n || halfLifeSecs === 0) return s;
  if (s.samplePriceSf === 0n) return { samplePriceSf: priceSf, sampleTs: now, varianceSf: s.varianceSf };
  const elapsed = now - s.sampleTs;
  if (elapsed < minSampleSecs(halfLifeSecs)) return s;
  const tau = m.mul(BigInt(halfLifeSecs) * m.WAD, INV_LN2_WAD);
  const r2Year = squaredReturn(s.samplePriceSf, priceSf) * m.SECONDS_PER_YEAR;
  const dt = min(elapsed, U64_MAX) * m.WAD;
  return { samplePriceSf: priceSf, sampleTs: now, varianceSf: m.div(m.mul(tau, s.varianceSf) + r2Year, tau + dt) };
}

/** `⌊√x⌋` at the 18th decimal. */
export function sqrtFloor(x: bigint): bigint {
  const n = x * m.WAD;
  if (n === 0n) return 0n;
  let r = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (r + n / r) >> 1n;
    if (y >= r) return r;
    r = y;
  }
}

const bps = (x: number) => m.fromBps(x);
const toBpsFloor = (x: bigint) => Number((x * m.BPS) / m.WAD);
const toBpsCeil = (x: bigint) => Number((x * m.BPS + m.WAD - 1n) / m.WAD);

function stressFraction(vol: bigint, calm: bigint, stress: bigint): bigint {
  if (calm >= stress) throw new m.MathError("InvalidInput");
  if (vol <= calm) return 0n;
  if (vol >= stress) return m.WAD;
  return m.div(vol - calm, stress - calm);
}
const tightened = (base: bigint, floor: bigint, phi: bigint) => base - m.mulCeil(sub0(base, floor), min(phi, m.WAD));
const raised = (base: bigint, top: bigint, phi: bigint) =>
  min(base + m.mulCeil(sub0(top, base), min(phi, m.WAD)), max(top, base));

function stepThreshold(current: bigint, target: bigint, elapsed: bigint, rateSf: bigint): bigint {
  if (target >= current) return target;
  return max(sub0(current, (rateSf * elapsed) / SECONDS_PER_HOUR), target);
}

/** The parameters in force at `now` and the threshold's next path (`response::respond`). */
export function respond(
  c: VolatilityConfig,
  base: BaseParams,
  s: VolatilityState,
  path: ThresholdPath,
  now: bigint,
): { path: ThresholdPath; risk: RiskInForce } {
  const unadjusted: RiskInForce = {
    enabled: false,
    volatilityBps: 0,
    stressBps: 0,
    ltvBps: base.ltvBps,
    liquidationThresholdBps: base.thresholdBps,
    targetThresholdBps: base.thresholdBps,
    minBonusBps: base.minBonusBps,
    borrowCap: base.borrowCap,
  };
  if (!enabled(c)) return { path, risk: unadjusted };
  const sigma = sqrtFloor(s.varianceSf);
  const phi = stressFraction(sigma, bps(c.calmVolBps), bps(c.stressVolBps));
  const ltv = tightened(bps(base.ltvBps), bps(c.ltvFloorBps), phi);
  const target = toBpsFloor(tightened(bps(base.thresholdBps), bps(c.thresholdFloorBps), phi));
  const minBonus = raised(bps(base.minBonusBps), bps(Math.min(c.minBonusCeilingBps, base.maxBonusBps)), phi);
  const cap = base.borrowCap * m.WAD;
  const borrowCap = m.floorU64(tightened(cap, m.mul(cap, bps(c.borrowCapFloorBps)), phi));
  const elapsed = now > path.ts ? now - path.ts : 0n;
  const stepped = stepThreshold(path.inForceSf, bps(path.targetBps), elapsed, bps(c.thresholdRateBpsPerHour));
  const inForce = min(max(stepped, bps(target)), bps(base.thresholdBps));
  const volBps = (sigma * m.BPS) / m.WAD;
  return {
    path: { inForceSf: inForce, targetBps: target, ts: max(now, path.ts) },
    risk: {
      enabled: true,
      volatilityBps: Number(min(volBps, U32_MAX)),
      stressBps: toBpsCeil(phi),
      ltvBps: Math.min(toBpsFloor(ltv), Math.max(target - 1, 0)),
      liquidationThresholdBps: toBpsFloor(inForce),
      targetThresholdBps: target,
      minBonusBps: toBpsCeil(minBonus),
      borrowCap,
    },
  };
}

/** The risk parameters in force of a decoded `Reserve`: the stored ones while the adjustment is
 *  on, the configured ones otherwise (`Reserve::own_risk_params`, `borrow_cap_in_force`). */
export function riskInForce(r: any): RiskInForce {
  const v = r.volatility;
  if (v && v.config.halfLifeSecs !== 0) {
    const f = v.inForce;
    return {
      enabled: true,
      volatilityBps: f.volatilityBps,
      stressBps: f.stressBps,
      ltvBps: f.loanToValueBps,
      liquidationThresholdBps: f.liquidationThresholdBps,
      targetThresholdBps: f.targetLiquidationThresholdBps,
      minBonusBps: f.minLiquidationBonusBps,
      borrowCap: BigInt(f.borrowCap.toString()),
    };
  }
  return {
    enabled: false,
    volatilityBps: 0,
    stressBps: 0,
    ltvBps: r.config.loanToValueBps,
    liquidationThresholdBps: r.config.liquidationThresholdBps,
    targetThresholdBps: r.config.liquidationThresholdBps,
    minBonusBps: r.config.minLiquidationBonusBps,
    borrowCap: BigInt(r.config.borrowCap.toString()),
  };
}
