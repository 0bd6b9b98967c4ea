/** 02: deposits move tokens into the vault, mint supply shares and emit `Deposited`. */
import * as assert from "node:assert/strict";
import { Keypair, PublicKey } from "@solana/web3.js";
import { newUser, program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { balance, depositIx, openObligation, send, tokens, units, world } from "./lib/market";
import { requirePriceHelper } from "./lib/prices";

export const alice: { kp: Keypair; obligation: PublicKey; sol: PublicKey; usdc: PublicKey } = {} as any;
export const lender: { kp: Keypair; obligation: PublicKey; usdc: PublicKey } = {} as any;

describe("02 deposit", function () {
  before(async function () {
    await requirePriceHelper(this);
    alice.kp = await newUser();
    alice.obligation = await openObligation(alice.kp);
    alice.sol = await tokens(world.sol, alice.kp.publicKey, units(world.sol, 20));
    alice.usdc = await tokens(world.usdc, alice.kp.publicKey, 0n);
    lender.kp = await newUser();
    lender.obligation = await openObligation(lender.kp);
    lender.usdc = await tokens(world.usdc, lender.kp.publicKey, units(world.usdc, 10_000));
  });

  it("successful_deposit_mints_shares_and_fills_the_vault", async function () {
    const amount = units(world.sol, 10);
    const before = await program.account.reserve.fetch(world.sol.reserve);
    const vaultBefore = await balance(world.sol.vault);
    const sig = await send([await depositIx(alice.kp.publicKey, alice.obligation, world.sol, alice.sol, amount)], [alice.kp]);

    assert.equal(await balance(alice.sol), units(world.sol, 10));
    assert.equal(await balance(world.sol.vault), vaultBefore + amount);
    const after = await program.account.reserve.fetch(world.sol.reserve);
    assert.equal(after.availableAmount.toString(), (BigInt(before.availableAmount.toString()) + amount).toString());
    const ob = await program.account.obligation.fetch(alice.obligation);
    assert.ok(ob.deposits[0].reserve.equals(world.sol.reserve));
    // No debt yet, so one share per token.
    assert.equal(ob.deposits[0].shares.toString(), amount.toString());

    const ev = await eventOf(sig, "deposited");
    assert.ok(ev.obligation.equals(alice.obligation));
    assert.equal(ev.amount.toString(), amount.toString());
    assert.equal(ev.positionSharesAfter.toString(), amount.toString());
    assert.equal(ev.availableAfter.toString(), after.availableAmount.toString());
  });

  it("successful_lender_deposit_supplies_usdc", async function () {
    await send([await depositIx(lender.kp.publicKey, lender.obligation, world.usdc, lender.usdc, units(world.usdc, 10_000))], [lender.kp]);
    assert.equal(await balance(lender.usdc), 0n);
    const r = await program.account.reserve.fetch(world.usdc.reserve);
    assert.equal(r.availableAmount.toString(), (units(world.usdc, 10_000) + 1_000_000n).toString());
  });

  it("fail_deposit_when_amount_is_zero", async function () {
    await expectError(send([await depositIx(alice.kp.publicKey, alice.obligation, world.sol, alice.sol, 0n)], [alice.kp]), "InvalidAmount");
  });

  it("fail_deposit_when_obligation_belongs_to_someone_else", async function () {
    await expectError(
      send([await depositIx(alice.kp.publicKey, lender.obligation, world.sol, alice.sol, 1_000n)], [alice.kp]),
      "InvalidObligationOwner",
    );
  });
});
