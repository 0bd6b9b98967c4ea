/** 03: borrowing against fresh prices, within the conservative limit. */
import * as assert from "node:assert/strict";
import { program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { nextSlot, balance, borrowIx, refreshIxs, send, tokens, units, world } from "./lib/market";
import { requirePriceHelper } from "./lib/prices";
import { ceilU64, mul, sfToBigInt } from "../sdk/math";
import { alice } from "./02-deposit";

describe("03 borrow", function () {
  before(async function () {
    await requirePriceHelper(this);
  });

  it("successful_borrow_after_refresh_pays_out_and_records_debt", async function () {
    const amount = units(world.usdc, 500);
    const before = await program.account.reserve.fetch(world.usdc.reserve);
    const sig = await send(
      [...(await refreshIxs(alice.obligation, [world.usdc])), await borrowIx(alice.kp.publicKey, alice.obligation, world.usdc, alice.usdc, amount)],
      [alice.kp],
    );
    assert.equal(await balance(alice.usdc), amount);
    const after = await program.account.reserve.fetch(world.usdc.reserve);
    assert.equal(BigInt(before.availableAmount.toString()) - BigInt(after.availableAmount.toString()), amount);
    const ob = await program.account.obligation.fetch(alice.obligation);
    assert.ok(ob.borrows[0].reserve.equals(world.usdc.reserve));
    // The recorded debt: principal exactly the amount; normalized debt ⌈amount ÷ index⌉, so
    // that at today's index it is worth the amount, rounded up to the next whole unit.
    assert.equal(BigInt(ob.borrows[0].principal.toString()), amount);
    const index = sfToBigInt(after.borrowIndexSf);
    const debtSf = mul(sfToBigInt(ob.borrows[0].normalizedDebtSf), index);
    assert.equal(ceilU64(debtSf), amount);
    const ev = await eventOf(sig, "borrowed");
    assert.equal(ev.amount.toString(), amount.toString());
    assert.equal(ev.availableAfter.toString(), after.availableAmount.toString());
  });

  it("fail_borrow_when_it_exceeds_the_borrow_limit", async function () {
    // 10 SOL at $100, LTV 70%: about $700 of room in all, $500 used.
    await expectError(
      send([...(await refreshIxs(alice.obligation)), await borrowIx(alice.kp.publicKey, alice.obligation, world.usdc, alice.usdc, units(world.usdc, 250))], [alice.kp]),
      "BorrowTooLarge",
    );
  });

  it("fail_borrow_when_reserves_are_not_refreshed_this_slot", async function () {
    await nextSlot();
    await expectError(
      send([await borrowIx(alice.kp.publicKey, alice.obligation, world.usdc, alice.usdc, units(world.usdc, 1))], [alice.kp]),
      "ReserveStale",
    );
  });

  it("fail_borrow_when_reserve_is_also_a_deposit", async function () {
    const sol = await tokens(world.sol, alice.kp.publicKey, 0n);
    await expectError(
      send([...(await refreshIxs(alice.obligation)), await borrowIx(alice.kp.publicKey, alice.obligation, world.sol, sol, 1_000n)], [alice.kp]),
      "SameReserveDepositAndBorrow",
    );
  });
});
