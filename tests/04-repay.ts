/** 04: repaying reduces the debt; anyone may repay, no price needed. */
import * as assert from "node:assert/strict";
import { program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { balance, repayIx, send, units, world } from "./lib/market";
import { requirePriceHelper } from "./lib/prices";
import { WAD, div, sfToBigInt } from "../sdk/math";
import { alice } from "./02-deposit";

describe("04 repay", function () {
  before(async function () {
    await requirePriceHelper(this);
  });

  it("successful_repay_reduces_debt_and_refills_the_vault", async function () {
    const amount = units(world.usdc, 100);
    const debtBefore = sfToBigInt((await program.account.obligation.fetch(alice.obligation)).borrows[0].normalizedDebtSf);
    const vaultBefore = await balance(world.usdc.vault);
    const sig = await send([await repayIx(alice.kp.publicKey, alice.obligation, world.usdc, alice.usdc, amount)], [alice.kp]);
    assert.equal(await balance(alice.usdc), units(world.usdc, 400));
    assert.equal(await balance(world.usdc.vault), vaultBefore + amount);
    const debtAfter = sfToBigInt((await program.account.obligation.fetch(alice.obligation)).borrows[0].normalizedDebtSf);
    // A partial repayment removes ⌊amount ÷ index⌋ of normalized debt, at the index it accrued to.
    const index = sfToBigInt((await program.account.reserve.fetch(world.usdc.reserve)).borrowIndexSf);
    assert.equal(debtBefore - debtAfter, div(amount * WAD, index));
    const ev = await eventOf(sig, "repaid");
    assert.equal(ev.amount.toString(), amount.toString());
  });

  it("fail_repay_when_amount_is_zero", async function () {
    await expectError(send([await repayIx(alice.kp.publicKey, alice.obligation, world.usdc, alice.usdc, 0n)], [alice.kp]), "InvalidAmount");
  });

  it("fail_repay_when_the_reserve_has_no_borrow", async function () {
    await expectError(
      send([await repayIx(alice.kp.publicKey, alice.obligation, world.sol, alice.sol, 1_000n)], [alice.kp]),
      "BorrowNotFound",
    );
  });
});
