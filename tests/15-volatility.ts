/** 15: volatility-adjusted risk against sentinel-localnet. The admin turns SOL's adjustment on
 *  with `set_volatility_config`; a price spike (three prints a second apart, each refreshed)
 *  moves the parameters in force, and after every refresh the client's port of the estimator
 *  (`sdk/volatility.ts`), replayed from the account before, gives exactly what the account and
 *  the `ReserveRefreshed` event show; a borrow at the calm LTV is then refused by the program
 *  (`BorrowTooLarge`) and by the client's preview, which reads the parameters in force. */
import * as assert from "node:assert/strict";
import { newUser, payer, program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { borrowIx, depositIx, openObligation, refreshIxs, refreshReserveIx, send, tokens, units, world } from "./lib/market";
import { requirePriceHelper, setPrice } from "./lib/prices";
import * as m from "../sdk/math";
import * as pos from "../sdk/position";
import * as volatility from "../sdk/volatility";

// A one-minute half-life: a resolution of one second, so prints a second apart all count.
const CONFIG: volatility.VolatilityConfig = {
  halfLifeSecs: 60,
  calmVolBps: 5_000,
  stressVolBps: 15_000,
  ltvFloorBps: 3_000,
  thresholdFloorBps: 5_000,
  borrowCapFloorBps: 2_000,
  minBonusCeilingBps: 1_000,
  thresholdRateBpsPerHour: 100,
};
const OFF: volatility.VolatilityConfig = {
  halfLifeSecs: 0,
  calmVolBps: 0,
  stressVolBps: 0,
  ltvFloorBps: 0,
  thresholdFloorBps: 0,
  borrowCapFloorBps: 0,
  minBonusCeilingBps: 0,
  thresholdRateBpsPerHour: 0,
};

const setConfig = (c: volatility.VolatilityConfig) =>
  program.methods.setVolatilityConfig(c).accountsPartial({ admin: payer.publicKey, lendingMarket: world.market, reserve: world.sol.reserve }).rpc();

const fetchSol = () => program.account.reserve.fetch(world.sol.reserve);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The estimator's state and the threshold's path of a decoded reserve. */
function stateOf(r: any): { state: volatility.VolatilityState; path: volatility.ThresholdPath } {
  const v = r.volatility;
  return {
    state: { samplePriceSf: m.sfToBigInt(v.samplePriceSf), sampleTs: BigInt(v.sampleTs.toString()), varianceSf: m.sfToBigInt(v.varianceSf) },
    path: { inForceSf: m.sfToBigInt(v.thresholdSf), targetBps: v.inForce.targetLiquidationThresholdBps, ts: BigInt(v.thresholdTs.toString()) },
  };
}

const baseOf = (r: any): volatility.BaseParams => ({
  ltvBps: r.config.loanToValueBps,
  thresholdBps: r.config.liquidationThresholdBps,
  minBonusBps: r.config.minLiquidationBonusBps,
  maxBonusBps: r.config.maxLiquidationBonusBps,
  borrowCap: BigInt(r.config.borrowCap.toString()),
});

const plain = (f: volatility.RiskInForce) => ({ ...f, borrowCap: f.borrowCap.toString() });

describe("15 volatility-adjusted risk", function () {
  before(async function () {
    await requirePriceHelper(this);
  });

  after(async function () {
    await setConfig(OFF);
    await setPrice({ account: world.sol.priceAccount, kind: world.sol.kind, feedId: world.sol.feedId, price: world.sol.price });
  });

  it("successful_spike_moves_the_parameters_in_force_as_the_client_port_computes", async function () {
    const sig = await setConfig(CONFIG);
    const set = await eventOf(sig, "volatilityConfigSet");
    const calm = await fetchSol();
    assert.equal(set.after.halfLifeSecs, CONFIG.halfLifeSecs);
    assert.deepEqual(plain(volatility.riskInForce(calm)), {
      ...plain(volatility.riskInForce({ config: calm.config })),
      enabled: true,
      volatilityBps: 5_000,
    });
    const sol = world.sol;
    for (const p of [(sol.price * 3n) / 2n, sol.price, sol.price]) {
      await sleep(1_100);
      const before = await fetchSol();
      const { publishTime } = await setPrice({ account: sol.priceAccount, kind: sol.kind, feedId: sol.feedId, price: p });
      const ev = await eventOf(await send([await refreshReserveIx(sol)]), "reserveRefreshed");
      const after = await fetchSol();
      // The client's port, from the account before, sampling a new print at the refresh's
      // clock (the path's time after): exactly the account after.
      const { state, path } = stateOf(before);
      const clock = BigInt(after.volatility.thresholdTs.toString());
      const newPrint = BigInt(publishTime) > BigInt(before.pricePublishTime.toString());
      const observed = newPrint ? volatility.observe(state, m.sfToBigInt(after.priceSf), clock, CONFIG.halfLifeSecs) : state;
      const replay = volatility.respond(CONFIG, baseOf(after), observed, path, clock);
      assert.deepEqual(plain(replay.risk), plain(volatility.riskInForce(after)));
      assert.deepEqual(stateOf(after).state, observed);
      assert.equal(ev.riskAfter.liquidationThresholdBps, after.volatility.inForce.liquidationThresholdBps);
      assert.equal(ev.riskAfter.stressBps, after.volatility.inForce.stressBps);
      assert.equal(ev.riskBefore.stressBps, before.volatility.inForce.stressBps);
    }
    const stressed = volatility.riskInForce(await fetchSol());
    assert.equal(stressed.stressBps, 10_000);
    assert.equal(stressed.ltvBps, CONFIG.ltvFloorBps);
    assert.equal(stressed.minBonusBps, calm.config.maxLiquidationBonusBps);
    assert.equal(stressed.targetThresholdBps, CONFIG.thresholdFloorBps);
    // The threshold has not moved by a bps in the seconds since the spike (1 point an hour).
    assert.ok(stressed.liquidationThresholdBps >= calm.config.liquidationThresholdBps - 1, `${stressed.liquidationThresholdBps}`);
  });

  it("fail_borrow_at_the_calm_ltv_under_stress_and_the_preview_knows", async function () {
    const kp = await newUser();
    const obligation = await openObligation(kp);
    const solTokens = await tokens(world.sol, kp.publicKey, units(world.sol, 10));
    const usdcTokens = await tokens(world.usdc, kp.publicKey, 0n);
    await send([await depositIx(kp.publicKey, obligation, world.sol, solTokens, units(world.sol, 10))], [kp]);
    const r = await fetchSol();
    // Half way between the stressed LTV and the calm one: borrowable at rest, not now.
    const value = (10 * Number(world.sol.price)) / 1e8;
    const amount = units(world.usdc, (value * (r.config.loanToValueBps + CONFIG.ltvFloorBps)) / 2 / 10_000);
    const figures = new Map([
      [world.sol.reserve.toBase58(), pos.reserveFigures(r)],
      [world.usdc.reserve.toBase58(), pos.reserveFigures(await program.account.reserve.fetch(world.usdc.reserve))],
    ]);
    const positions = pos.positionsOf(await program.account.obligation.fetch(obligation));
    const h = pos.previewHealth(positions, figures, { kind: "borrow", reserve: world.usdc.reserve.toBase58(), amount });
    assert.equal(m.withinBorrowLimit(h), false, "the preview counts SOL at its stressed LTV");
    const ixs = await refreshIxs(obligation, [world.usdc]);
    ixs.push(await borrowIx(kp.publicKey, obligation, world.usdc, usdcTokens, amount));
    await expectError(send(ixs, [kp]), "BorrowTooLarge");
  });
});
