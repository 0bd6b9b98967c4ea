/** 08: the client math in `sdk/math.ts` reproduces every golden vector that `crates/lending-math`
 *  wrote (`cargo run -p lending-math --example golden_vectors`): health, market value, interest,
 *  liquidation bonus, liquidation sizing, whole-obligation valuation (to the last 1e-18) and the
 *  outflow window (to the base unit), and the e-mode group rules (validation, effective
 *  parameters, a pair's bonus bounds), and the volatility estimator with the parameters it sets. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as m from "../sdk/math";
import * as outflow from "../sdk/outflow";
import * as emode from "../sdk/emode";
import * as volatility from "../sdk/volatility";

const vectors = JSON.parse(fs.readFileSync("tests/vectors/lending-math.json", "utf8"));
const big = (s: string) => BigInt(s);
const health = (h: any): m.Health => ({
  depositedValueSf: big(h.depositedValueSf),
  allowedBorrowValueSf: big(h.allowedBorrowValueSf),
  unhealthyBorrowValueSf: big(h.unhealthyBorrowValueSf),
  borrowedValueSf: big(h.borrowedValueSf),
  bfAdjustedDebtValueSf: big(h.bfAdjustedDebtValueSf),
  bfAdjustedDebtValueUpperSf: big(h.bfAdjustedDebtValueUpperSf),
});
const str = (x: bigint | null) => (x === null ? null : x.toString());

describe("08 lending-math golden vectors", function () {
  it("successful_health_vectors_match", function () {
    for (const c of vectors.health) {
      const h = health(c.health);
      assert.equal(str(m.healthFactor(h)), c.healthFactorSf);
      assert.equal(m.healthFactorBps(h).toString(), c.healthFactorBps);
      assert.equal(str(m.ltv(h)), c.ltvSf);
      assert.equal(m.isLiquidatable(h), c.liquidatable);
      assert.equal(m.withinBorrowLimit(h), c.withinBorrowLimit);
      assert.equal(m.borrowHeadroom(h).toString(), c.borrowHeadroomSf);
    }
  });

  it("successful_market_value_vectors_match", function () {
    for (const c of vectors.marketValue) {
      assert.equal(m.marketValue(big(c.amountSf), big(c.priceSf), c.decimals).toString(), c.valueFloorSf);
      assert.equal(m.marketValueCeil(big(c.amountSf), big(c.priceSf), c.decimals).toString(), c.valueCeilSf);
      let a: string | null;
      try { a = m.amountForValue(big(c.valueSf), big(c.priceSf), c.decimals).toString(); } catch { a = null; }
      assert.equal(a, c.amountForValueSf);
    }
  });

  it("successful_interest_vectors_match", function () {
    for (const c of vectors.interest) {
      const rate = m.borrowRate(c.curve, big(c.utilizationSf));
      assert.equal(rate.toString(), c.borrowRateSf);
      let g: string | null;
      try { g = m.compoundFactor(rate, big(c.elapsedSeconds)).toString(); } catch { g = null; }
      assert.equal(g, c.compoundFactorSf);
    }
  });

  it("successful_bonus_vectors_match", function () {
    for (const c of vectors.bonus) {
      const { lo, hi } = m.bonusRange(c.debtBonusBps[0], c.debtBonusBps[1], c.collateralBonusBps[0], c.collateralBonusBps[1]);
      assert.equal(lo.toString(), c.loSf);
      assert.equal(hi.toString(), c.hiSf);
      const pair = { debtBorrowFactorSf: m.fromBps(c.debtBorrowFactorBps), collateralThresholdSf: m.fromBps(c.collateralThresholdBps) };
      let got: { rate: string | null; source: number | null };
      try {
        const b = m.liquidationBonus(health(c.health), pair, lo, hi, big(c.since), big(c.now), c.auctionSecs);
        got = { rate: b.rate.toString(), source: b.source };
      } catch (e: any) {
        assert.ok(e instanceof m.LiquidationError, String(e));
        got = { rate: null, source: null };
        assert.equal(e.message, c.error);
      }
      assert.equal(got.rate, c.bonusSf);
      assert.equal(got.source, c.source);
    }
  });

  it("successful_sizing_vectors_match", function () {
    for (const c of vectors.sizing) {
      const input: m.SizingInput = {
        debt: { amountSf: big(c.debt.amountSf), priceSf: big(c.debt.priceSf), decimals: c.debt.decimals },
        collateral: {
          shares: big(c.collateral.shares),
          reserveAssetsSf: big(c.collateral.reserveAssetsSf),
          shareSupply: big(c.collateral.shareSupply),
          priceSf: big(c.collateral.priceSf),
          decimals: c.collateral.decimals,
        },
        rules: {
          ...(Object.fromEntries(
            Object.entries(c.rules)
              .filter(([k]) => k !== "target")
              .map(([k, v]) => [k, big(v as string)]),
          ) as Omit<m.SizingInput["rules"], "target">),
          target: c.rules.target
            ? (Object.fromEntries(
                Object.entries(c.rules.target).map(([k, v]) => [k, big(v as string)]),
              ) as unknown as m.TargetSizing)
            : null,
        },
        bonusSf: big(c.bonusSf),
        requested: big(c.requested),
      };
      let got: Record<string, string>;
      try {
        const p = m.planLiquidation(health(c.health), input);
        got = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === "boolean" ? v : v.toString()])) as any;
      } catch (e: any) {
        got = { error: e instanceof m.MathError ? `Math(${e.message})` : e.message };
      }
      assert.deepEqual(got, c.plan);
    }
  });

  it("successful_sizing_vectors_cover_every_sizing_rule", function () {
    const seen = new Set(vectors.sizing.filter((c: any) => c.plan.sizing).map((c: any) => c.plan.sizing));
    for (const s of [m.Sizing.CloseFactor, m.Sizing.Target, m.Sizing.PastCloseFactor, m.Sizing.Full])
      assert.ok(seen.has(String(s)), `no case sized by ${m.Sizing[s]}`);
  });

  it("successful_every_section_has_cases", function () {
    for (const k of ["health", "marketValue", "interest", "bonus", "sizing"]) assert.ok(vectors[k].length >= 32, k);
  });

  it("successful_obligation_valuation_vectors_match", function () {
    const prices = (c: any): m.Prices => ({ spotSf: big(c.spotSf), emaSf: big(c.emaSf), confSf: big(c.confSf) });
    for (const c of vectors.obligation) {
      let h = m.emptyHealth();
      for (const d of c.deposits) {
        const amount = m.assetsForShares(big(d.shares), big(d.reserveAssetsSf), big(d.shareSupply));
        const v = m.valueDeposit(amount, d.decimals, prices(d), m.fromBps(d.ltvBps), m.fromBps(d.liquidationThresholdBps));
        assert.equal(v.marketValueSf.toString(), d.marketValueSf);
        assert.equal(v.allowedBorrowValueSf.toString(), d.allowedBorrowValueSf);
        assert.equal(v.unhealthyBorrowValueSf.toString(), d.unhealthyBorrowValueSf);
        h = m.addDeposit(h, v);
      }
      for (const b of c.borrows) {
        const amount = m.mul(big(b.normalizedDebtSf), big(b.borrowIndexSf));
        const v = m.valueBorrow(amount, b.decimals, prices(b), m.fromBps(b.borrowFactorBps));
        assert.equal(v.marketValueSf.toString(), b.marketValueSf);
        assert.equal(v.bfAdjustedValueSf.toString(), b.bfAdjustedValueSf);
        assert.equal(v.bfAdjustedValueUpperSf.toString(), b.bfAdjustedValueUpperSf);
        h = m.addBorrow(h, v);
      }
      assert.deepEqual(h, health(c.health));
      assert.equal(m.healthFactorBps(h).toString(), c.healthFactorBps);
    }
  });

  it("successful_outflow_vectors_match", function () {
    const win = (c: any, w: any): outflow.OutflowFigures => ({
      cap: big(c.cap),
      windowSecs: big(c.windowSecs),
      bucketStartTs: big(w.bucketStartTs),
      previousNet: big(w.previousNet),
      currentNet: big(w.currentNet),
    });
    const plain = (w: outflow.OutflowFigures) => ({
      bucketStartTs: w.bucketStartTs.toString(),
      previousNet: w.previousNet.toString(),
      currentNet: w.currentNet.toString(),
    });
    assert.ok(vectors.outflow.length > 0);
    for (const c of vectors.outflow) {
      const w = win(c, c.window);
      const now = big(c.now);
      const amount = big(c.amount);
      assert.deepEqual(plain(outflow.rollOutflow(w, now)), c.rolled);
      assert.equal(outflow.outflowEstimateCeil(w, now).toString(), c.estimate);
      assert.equal(outflow.outflowRemainingFloor(w, now).toString(), c.remaining);
      let out: any;
      try { out = plain(outflow.recordOutflow(w, now, amount)); } catch { out = null; }
      assert.deepEqual(out, c.afterOutflow);
      assert.deepEqual(plain(outflow.recordInflow(w, now, amount)), c.afterInflow);
    }
  });

  it("successful_emode_vectors_match", function () {
    assert.ok(vectors.emode.length >= 32);
    let members = 0;
    for (const c of vectors.emode) {
      assert.equal(emode.validateGroup(c.group), c.valid);
      const group = c.groupId > 0 ? { id: c.groupId, params: c.group } : null;
      const e = ["debt", "collateral"].map((side) => {
        const x = c[side];
        assert.equal(emode.isMember(big(x.mask), c.groupId), x.member);
        members += Number(x.member);
        const got = emode.effective(x.own, big(x.mask), group);
        assert.deepEqual(got, x.effective);
        return got;
      });
      const { lo, hi } = emode.pairBonusRange(e[0], e[1]);
      assert.equal(lo.toString(), c.bonusLoSf);
      assert.equal(hi.toString(), c.bonusHiSf);
    }
    assert.ok(members > 0, "the vectors include members");
  });

  it("successful_volatility_vectors_match", function () {
    assert.ok(vectors.volatility.length >= 32);
    let stressed = 0;
    let partial = 0;
    for (const c of vectors.volatility) {
      const cfg: volatility.VolatilityConfig = c.config;
      const base: volatility.BaseParams = { ...c.base, borrowCap: big(c.base.borrowCap) };
      assert.equal(volatility.validate(cfg, base) === "ok", c.valid);
      let state: volatility.VolatilityState = { samplePriceSf: 0n, sampleTs: 0n, varianceSf: 0n };
      let path: volatility.ThresholdPath = { inForceSf: m.fromBps(base.thresholdBps), targetBps: base.thresholdBps, ts: big(c.startTs) };
      for (const s of c.steps) {
        const now = big(s.now);
        state = volatility.observe(state, big(s.priceSf), now, cfg.halfLifeSecs);
        const out = volatility.respond(cfg, base, state, path, now);
        path = out.path;
        assert.equal(state.samplePriceSf.toString(), s.samplePriceSf);
        assert.equal(state.sampleTs.toString(), s.sampleTs);
        assert.equal(state.varianceSf.toString(), s.varianceSf);
        assert.equal(path.inForceSf.toString(), s.thresholdSf);
        assert.equal(path.ts.toString(), s.thresholdTs);
        const r = out.risk;
        assert.deepEqual(
          [r.volatilityBps, r.stressBps, r.ltvBps, r.liquidationThresholdBps, r.targetThresholdBps, r.minBonusBps, r.borrowCap.toString()],
          [s.volatilityBps, s.stressBps, s.ltvBps, s.thresholdBps, s.targetThresholdBps, s.minBonusBps, s.borrowCap],
        );
        stressed += Number(r.stressBps === 10_000);
        partial += Number(r.stressBps > 0 && r.stressBps < 10_000);
      }
    }
    assert.ok(stressed > 0 && partial > 0, "the vectors cover full and partial stress");
  });
});
