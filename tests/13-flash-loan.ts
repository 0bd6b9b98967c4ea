/** 13: a flash loan against sentinel-localnet: borrowed and repaid with its fee in one
 *  transaction (the fee split between depositors and the protocol by the reserve factor), and
 *  the shapes the program refuses. */
import * as assert from "node:assert/strict";
import { program, payer, newUser } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { balance, send, tokens, world } from "./lib/market";
import { flash } from "../sdk";

describe("13 flash loan", function () {
  const FEE_BPS = 9;
  let reserve: flash.FlashLoanReserve;

  before(async function () {
    await program.methods
      .setFlashLoanConfig(true, FEE_BPS)
      .accountsPartial({ admin: payer.publicKey, lendingMarket: world.market, reserve: world.usdc.reserve })
      .rpc();
    reserve = await flash.flashLoanReserve(program, world.usdc.reserve);
    assert.ok(reserve.enabled);
    assert.equal(reserve.feeBps, FEE_BPS);
  });

  it("successful_flash_loan_repays_the_amount_and_the_fee_in_one_transaction", async function () {
    const user = await newUser();
    const amount = reserve.available / 2n;
    const fee = flash.flashLoanFee(amount, FEE_BPS);
    assert.ok(fee > 0n);
    // The user holds the fee only: the loan itself pays the rest of the repayment.
    const token = await tokens(world.usdc, user.publicKey, fee);
    const before = await program.account.reserve.fetch(world.usdc.reserve);
    // `send` puts one compute-budget instruction first: the borrow is the transaction's 1.
    const ixs = await flash.flashLoanIxs(program, reserve, user.publicKey, token, amount, [], 1);
    const sig = await send(ixs, [user]);

    assert.equal(await balance(token), 0n);
    const after = await program.account.reserve.fetch(world.usdc.reserve);
    assert.equal(BigInt(after.availableAmount.toString()), BigInt(before.availableAmount.toString()) + fee);
    assert.equal(after.flashLoanAmount.toString(), "0");
    assert.equal(await balance(world.usdc.vault), BigInt(after.availableAmount.toString()) + BigInt(after.insuranceAmount.toString()));
    const borrowed = await eventOf(sig, "flashBorrowed");
    assert.equal(borrowed.amount.toString(), amount.toString());
    assert.equal(borrowed.instructionIndex, 1);
    const repaid = await eventOf(sig, "flashRepaid");
    assert.equal(repaid.fee.toString(), fee.toString());
    // The protocol's part is the reserve factor's share of the fee; depositors' share value rose.
    const rf = BigInt(before.config.reserveFactorBps);
    const protocol = BigInt(repaid.protocolFeeSf.toString());
    assert.equal(protocol, (fee * rf * 10n ** 18n) / 10_000n);
    assert.ok(BigInt(repaid.shareValueAfterSf.toString()) > BigInt(repaid.shareValueBeforeSf.toString()));
  });

  it("fail_flash_borrow_when_the_repay_is_missing", async function () {
    const user = await newUser();
    const token = await tokens(world.usdc, user.publicKey, 1_000_000n);
    const borrow = await flash.flashBorrowIx(program, reserve, user.publicKey, token, 1_000n);
    await expectError(send([borrow], [user]), "FlashRepayMissing");
    assert.equal(await balance(token), 1_000_000n);
  });

  it("fail_flash_borrow_when_the_repay_is_smaller", async function () {
    const user = await newUser();
    const token = await tokens(world.usdc, user.publicKey, 1_000_000n);
    const ixs = [
      await flash.flashBorrowIx(program, reserve, user.publicKey, token, 1_000n),
      await flash.flashRepayIx(program, reserve, user.publicKey, token, 999n, 1),
    ];
    await expectError(send(ixs, [user]), "FlashRepayAmountMismatch");
  });

  it("fail_flash_borrow_when_two_borrows_share_one_repay", async function () {
    const user = await newUser();
    const token = await tokens(world.usdc, user.publicKey, 1_000_000n);
    const borrow = await flash.flashBorrowIx(program, reserve, user.publicKey, token, 1_000n);
    const ixs = [borrow, borrow, await flash.flashRepayIx(program, reserve, user.publicKey, token, 1_000n, 1)];
    await expectError(send(ixs, [user]), "FlashBorrowNested");
  });
});
