/** Display of fixed-point figures (bigints) as text. */
import { math as m } from "../../../sdk";

/** `x / 10^decimals` with `digits` fraction digits, thousands separated. */
export function fixed(x: bigint, decimals: number, digits = 2): string {
  const neg = x < 0n;
  const a = neg ? -x : x;
  const scale = 10n ** BigInt(decimals);
  const whole = a / scale;
  let frac = "";
  if (digits > 0) {
    const f = ((a % scale) * 10n ** BigInt(digits)) / scale;
    frac = "." + f.toString().padStart(digits, "0");
  }
  return (neg ? "-" : "") + whole.toLocaleString("en-US") + frac;
}

/** A quote value × 1e18 as dollars. */
export const usd = (valueSf: bigint): string => "$" + fixed(valueSf, 18, 2);

/** Token base units as whole tokens. */
export const tokens = (amount: bigint, decimals: number, digits = 4): string => fixed(amount, decimals, Math.min(digits, decimals));

/** A 1e18-scaled ratio as a percentage. */
export const pct = (sf: bigint, digits = 2): string => fixed(sf * 100n, 18, digits) + "%";

/** Basis points as a percentage. */
export const bps = (b: number | bigint): string => fixed(BigInt(b), 2, 2) + "%";

/** Health factor (1e18-scaled; null = no debt) with two decimals, rounded down. */
export const health = (hf: bigint | null): string => (hf === null ? "∞" : fixed(hf, 18, 2));

/** Parses a decimal string of whole tokens into base units; null when malformed or too precise. */
export function parseAmount(text: string, decimals: number): bigint | null {
  const t = text.trim();
  if (!/^\d+(\.\d*)?$/.test(t)) return null;
  const [w, f = ""] = t.split(".");
  if (f.length > decimals) return null;
  const v = BigInt(w) * 10n ** BigInt(decimals) + BigInt((f + "0".repeat(decimals)).slice(0, decimals) || "0");
  return v > m.U64_MAX ? null : v;
}

/** Base units back to the shortest decimal string (for max buttons). */
export function amountText(amount: bigint, decimals: number): string {
  const s = fixed(amount, decimals, decimals).replace(/,/g, "");
  return decimals > 0 ? s.replace(/\.?0+$/, "") : s;
}

/** Short base58 key. */
export const short = (k: string): string => `${k.slice(0, 4)}…${k.slice(-4)}`;

/** Seconds as a short age ("12 s", "3 min", "2 h"). */
export function age(seconds: number): string {
  if (seconds < 0) return "0 s";
  if (seconds < 120) return `${Math.floor(seconds)} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}
