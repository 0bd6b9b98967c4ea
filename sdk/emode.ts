/**
 * E-mode groups (`crates/lending-math/src/emode.rs`, checked by the golden vectors): an
 * obligation in group `g` (its `emodeGroup`, 0 = none) values each position of a member of
 * `g` (the reserve's `emodeGroups` mask has bit `g − 1`) with the group's LTV, liquidation
 * threshold and bonus bounds, every other with its reserve's own; it may deposit and borrow
 * only members; and changing group needs every position a member of the new group and, with
 * debt, the obligation within its borrow limit under the new parameters.
 *
 * The helpers here turn a market's groups and an obligation's group into the reserve figures
 * and liquidation terms the program uses, so `position.valueObligation`, `previewHealth` and
 * `previewLiquidation` give the program's figures for an obligation in a group.
 */
import * as m from "./math";
import type { Action, LiquidationTerms, Positions, ReserveFigures } from "./position";
import { previewHealth, valueObligation } from "./position";

/** Groups a market holds; ids `1..=MAX_GROUPS` (0 = none). */
export const MAX_GROUPS = 16;
/** Highest liquidation threshold a group may have (bps). */
export const MAX_GROUP_LIQUIDATION_THRESHOLD_BPS = 9_800;

/** A position's risk parameters (bps). */
export interface RiskParams {
  ltvBps: number;
  liquidationThresholdBps: number;
  minBonusBps: number;
  maxBonusBps: number;
}

/** A market's group table: entry `g − 1` is group `g`; `null` when not configured. */
export type Groups = (RiskParams | null)[];

/** The groups of a decoded `LendingMarket` account (Anchor's camelCase fields). */
export function marketGroups(mk: any): Groups {
  return (mk.emodeGroups ?? []).map((g: any) =>
    g.liquidationThresholdBps === 0
      ? null
      : {
          ltvBps: g.loanToValueBps,
          liquidationThresholdBps: g.liquidationThresholdBps,
          minBonusBps: g.minLiquidationBonusBps,
          maxBonusBps: g.maxLiquidationBonusBps,
        },
  );
}

/** True when membership `mask` includes group `id` (never for 0 or past `MAX_GROUPS`). */
export const isMember = (mask: bigint, id: number): boolean =>
  id >= 1 && id <= MAX_GROUPS && ((mask >> BigInt(id - 1)) & 1n) === 1n;

/** `lending_math::emode::validate_group`: `"ok"`, or which rule fails. */
export function validateGroup(g: RiskParams): "ok" | "Ltv" | "Bonus" {
  if (g.liquidationThresholdBps === 0 || g.liquidationThresholdBps > MAX_GROUP_LIQUIDATION_THRESHOLD_BPS || g.ltvBps >= g.liquidationThresholdBps)
    return "Ltv";
  if (g.minBonusBps > g.maxBonusBps) return "Bonus";
  if (BigInt(g.liquidationThresholdBps) * (10_000n + BigInt(g.maxBonusBps)) >= 100_000_000n) return "Bonus";
  return "ok";
}

/** `lending_math::emode::effective`: the group's parameters for a member, else `own`. */
export function effective(own: RiskParams, mask: bigint, group: { id: number; params: RiskParams } | null): RiskParams {
  return group && isMember(mask, group.id) ? group.params : own;
}

/** `lending_math::emode::pair_bonus_range` of two effective parameter sets. */
export const pairBonusRange = (debt: RiskParams, coll: RiskParams) =>
  m.bonusRange(debt.minBonusBps, debt.maxBonusBps, coll.minBonusBps, coll.maxBonusBps);

/** Group `id` of `groups` (`null` for 0); throws `EmodeGroupNotConfigured` like the program. */
export function activeGroup(groups: Groups, id: number): { id: number; params: RiskParams } | null {
  if (id === 0) return null;
  const params = groups[id - 1];
  if (!params) throw new Error("EmodeGroupNotConfigured");
  return { id, params };
}

/** The reserves' figures as positions of an obligation of group `id` count them: each
 *  member's LTV and threshold replaced by the group's. */
export function figuresInGroup(reserves: Map<string, ReserveFigures>, groups: Groups, id: number): Map<string, ReserveFigures> {
  const g = activeGroup(groups, id);
  const out = new Map<string, ReserveFigures>();
  for (const [k, r] of reserves) {
    if (g && isMember(r.emodeGroups ?? 0n, g.id)) {
      out.set(k, { ...r, ltvBps: g.params.ltvBps, liquidationThresholdBps: g.params.liquidationThresholdBps });
    } else {
      out.set(k, r);
    }
  }
  return out;
}

/** The reserves' liquidation terms in an obligation of group `id`: each member's bonus bounds
 *  replaced by the group's (the protocol fee stays the reserve's). */
export function termsInGroup(
  terms: Map<string, LiquidationTerms>,
  reserves: Map<string, ReserveFigures>,
  groups: Groups,
  id: number,
): Map<string, LiquidationTerms> {
  const g = activeGroup(groups, id);
  const out = new Map<string, LiquidationTerms>();
  for (const [k, t] of terms) {
    const mask = reserves.get(k)?.emodeGroups ?? 0n;
    out.set(k, g && isMember(mask, g.id) ? { ...t, minBonusBps: g.params.minBonusBps, maxBonusBps: g.params.maxBonusBps } : t);
  }
  return out;
}

/** Throws `EmodeReserveNotInGroup` when an obligation of group `id` may not deposit into or
 *  borrow from `reserve` (as the program's `deposit` and `borrow`). */
export function requireMember(reserves: Map<string, ReserveFigures>, id: number, reserve: string): void {
  if (id === 0) return;
  if (!isMember(reserves.get(reserve)?.emodeGroups ?? 0n, id)) throw new Error("EmodeReserveNotInGroup");
}

/** What `set_obligation_group(to)` would do on reserves priced in the landing slot: the
 *  health under the new group, or the error the program gives (`EmodeGroupNotConfigured`,
 *  `EmodeReserveNotInGroup`, `EmodeChangeUnhealthy`). */
export function previewGroupChange(
  p: Positions,
  reserves: Map<string, ReserveFigures>,
  groups: Groups,
  to: number,
): { ok: true; health: m.Health } | { ok: false; error: string } {
  try {
    activeGroup(groups, to);
    for (const k of [...p.deposits.map((d) => d.reserve), ...p.borrows.map((b) => b.reserve)]) requireMember(reserves, to, k);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  if (p.borrows.length === 0) return { ok: true, health: m.emptyHealth() };
  const health = valueObligation(p, figuresInGroup(reserves, groups, to)).health;
  return m.withinBorrowLimit(health) ? { ok: true, health } : { ok: false, error: "EmodeChangeUnhealthy" };
}

/** `position.previewHealth` for an obligation of group `id`: members valued with the group's
 *  parameters, a deposit or borrow of a non-member refused (`EmodeReserveNotInGroup`). */
export const previewHealthInGroup = (
  p: Positions,
  reserves: Map<string, ReserveFigures>,
  groups: Groups,
  id: number,
  action: Action,
  now?: bigint,
): m.Health => previewHealth(p, figuresInGroup(reserves, groups, id), action, now, id);
