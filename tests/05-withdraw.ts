/** 05: withdrawing collateral while the remaining debt stays covered. */
import * as assert from "node:assert/strict";
import { program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { nextSlot, balance, refreshIxs, send, units, withdrawIx, world } from "./lib/market";
import { requirePriceHelper } from "./lib/prices";
import { alice } from "./02-deposit";
import { WAD, ceilU64, mul, sfToBigInt } from "../sdk/math";

/** ⌈n ÷ d⌉ for non-negative integers. */
const ceilDiv = (n: bigint, d: bigint): bigint => (n + d - 1n) / d;

describe("05 withdraw", function () {
  before(async function () {
    await requirePriceHelper(this);
  });

  it("successful_withdraw_returns_tokens_and_burns_shares", async function () {
    const amount = units(world.sol, 1);
    const sharesBefore = BigInt((await program.account.obligation.fetch(alice.obligation)).deposits[0].shares.toString());
    const sig = await send([...(await refreshIxs(alice.obligation)), await withdrawIx(alice.kp.publicKey, alice.obligation, world.sol, alice.sol, amount)], [alice.kp]);
    assert.equal(await balance(alice.sol), units(world.sol, 11));
    const sharesAfter = BigInt((await program.account.obligation.fetch(alice.obligation)).deposits[0].shares.toString());
    // Burned: ⌈amount × S ÷ A⌉ on the reserve as it stood before the withdrawal, where
    // S = shares after + burned and A = supply assets after + amount.
    const burned = sharesBefore - sharesAfter;
    const r = await program.account.reserve.fetch(world.sol.reserve);
    const assetsAfter =
      BigInt(r.availableAmount.toString()) * WAD + mul(sfToBigInt(r.totalNormalizedDebtSf), sfToBigInt(r.borrowIndexSf)) - sfToBigInt(r.protocolFeesSf);
    const supplyBefore = BigInt(r.shareSupply.toString()) + burned;
    const ratioSf = ceilDiv(amount * supplyBefore * WAD * WAD, assetsAfter + amount * WAD);
    assert.equal(burned, ceilU64(ratioSf));
    const ev = await eventOf(sig, "withdrawn");
    assert.equal(ev.amount.toString(), amount.toString());
  });

  it("fail_withdraw_when_remaining_collateral_would_not_cover_the_debt", async function () {
    // 9 SOL left backing 400 USDC at LTV 70%: at most about 3.2 SOL may go.
    await expectError(
      send([...(await refreshIxs(alice.obligation)), await withdrawIx(alice.kp.publicKey, alice.obligation, world.sol, alice.sol, units(world.sol, 5))], [alice.kp]),
      "WithdrawTooLarge",
    );
  });

  it("fail_withdraw_when_reserves_are_not_refreshed_this_slot", async function () {
    await nextSlot();
    await expectError(send([await withdrawIx(alice.kp.publicKey, alice.obligation, world.sol, alice.sol, 1_000n)], [alice.kp]), "ReserveStale");
  });
});
