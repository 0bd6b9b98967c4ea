/** 12: a reserve's outflow limit (`set_outflow_limit`): the client reads the window from the
 *  account, its preview (`sdk/position.ts` with the cluster time) refuses what the program
 *  refuses with `OutflowLimitExceeded`, a deposit credits the window, and `0, 0` turns it off. */
import * as assert from "node:assert/strict";
import { BN } from "@anchor-lang/core";
import { newUser, payer, program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { depositIx, openObligation, send, tokens, units, withdrawIx, world } from "./lib/market";
import * as outflow from "../sdk/outflow";
import * as pos from "../sdk/position";

const HOUR = 3_600n;

const setLimit = (cap: bigint, windowSecs: bigint) =>
  program.methods
    .setOutflowLimit(new BN(cap.toString()), new BN(windowSecs.toString()))
    .accountsPartial({ admin: payer.publicKey, lendingMarket: world.market, reserve: world.sol.reserve })
    .rpc();

const solWindow = async () => outflow.outflowFigures((await program.account.reserve.fetch(world.sol.reserve)).outflow);
const now = () => BigInt(Math.floor(Date.now() / 1000));

describe("12 outflow limit", function () {
  const user: { kp: any; obligation: any; sol: any } = {} as any;

  before(async function () {
    user.kp = await newUser();
    user.obligation = await openObligation(user.kp);
    user.sol = await tokens(world.sol, user.kp.publicKey, units(world.sol, 10));
    await send([await depositIx(user.kp.publicKey, user.obligation, world.sol, user.sol, units(world.sol, 4))], [user.kp]);
  });

  after(async function () {
    await setLimit(0n, 0n);
  });

  it("successful_set_outflow_limit_emits_before_and_after", async function () {
    const sig = await setLimit(units(world.sol, 1), HOUR);
    const ev = await eventOf(sig, "outflowLimitSet");
    assert.equal(ev.before.cap.toString(), "0");
    assert.equal(ev.after.cap.toString(), units(world.sol, 1).toString());
    assert.equal(ev.after.windowSecs.toString(), HOUR.toString());
    const w = await solWindow();
    assert.equal(w.cap, units(world.sol, 1));
    assert.equal(w.bucketStartTs.toString(), ev.timestamp.toString());
    assert.equal(outflow.outflowRemainingFloor(w, now()), units(world.sol, 1));
  });

  it("fail_withdraw_when_past_the_outflow_limit_and_the_preview_knows", async function () {
    const reserves = new Map([[world.sol.reserve.toBase58(), pos.reserveFigures(await program.account.reserve.fetch(world.sol.reserve))]]);
    const positions = pos.positionsOf(await program.account.obligation.fetch(user.obligation));
    const over: pos.Action = { kind: "withdraw", reserve: world.sol.reserve.toBase58(), amount: units(world.sol, 1) + 1n };
    assert.throws(() => pos.applyAction(positions, reserves, over, now()), /OutflowLimitExceeded/);
    // Without the clock the preview ignores the limit, as before.
    pos.applyAction(positions, reserves, over);
    await expectError(
      send([await withdrawIx(user.kp.publicKey, user.obligation, world.sol, user.sol, over.amount)], [user.kp]),
      "OutflowLimitExceeded",
    );
    const exact: pos.Action = { ...over, amount: units(world.sol, 1) };
    const after = pos.applyAction(positions, reserves, exact, now()).reserves.get(world.sol.reserve.toBase58())!;
    assert.equal(outflow.outflowRemainingFloor(after.outflow!, now()), 0n);
    const sig = await send([await withdrawIx(user.kp.publicKey, user.obligation, world.sol, user.sol, exact.amount)], [user.kp]);
    const ev = await eventOf(sig, "outflowRecorded");
    assert.equal(ev.kind, 0);
    assert.equal(ev.remainingAfter.toString(), "0");
    assert.equal(ev.after.currentNet.toString(), units(world.sol, 1).toString());
    assert.equal((await solWindow()).currentNet, units(world.sol, 1));
  });

  it("successful_deposit_credits_the_window", async function () {
    const amount = units(world.sol, 0.5);
    const sig = await send([await depositIx(user.kp.publicKey, user.obligation, world.sol, user.sol, amount)], [user.kp]);
    const ev = await eventOf(sig, "outflowRecorded");
    assert.equal(ev.kind, 2);
    assert.equal(ev.remainingAfter.toString(), amount.toString());
    assert.equal(outflow.outflowRemainingFloor(await solWindow(), now()), amount);
    await send([await withdrawIx(user.kp.publicKey, user.obligation, world.sol, user.sol, amount)], [user.kp]);
    await expectError(send([await withdrawIx(user.kp.publicKey, user.obligation, world.sol, user.sol, 1n)], [user.kp]), "OutflowLimitExceeded");
  });

  it("successful_limit_off_zeroes_the_window", async function () {
    await setLimit(0n, 0n);
    const w = await solWindow();
    assert.deepEqual([w.cap, w.windowSecs, w.bucketStartTs, w.previousNet, w.currentNet], [0n, 0n, 0n, 0n, 0n]);
    await send([await withdrawIx(user.kp.publicKey, user.obligation, world.sol, user.sol, units(world.sol, 1))], [user.kp]);
  });
});
