/** 06: refreshes carry oracle moves into the reserve and the obligation's health, exactly as the
 *  client math (`sdk/math.ts`) computes them; stale and uncertain prices are refused. */
import * as assert from "node:assert/strict";
import { program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { refreshIxs, refreshReserveIx, send, world } from "./lib/market";
import { requirePriceHelper, setPrice } from "./lib/prices";
import { WAD, healthFactorBps, marketValue, sfToBigInt, type Health } from "../sdk/math";
import { alice } from "./02-deposit";

const PRICE_SCALE = 10n ** 8n;

export async function obligationHealth(obligation: import("@solana/web3.js").PublicKey): Promise<Health> {
  const ob = await program.account.obligation.fetch(obligation);
  return {
    depositedValueSf: sfToBigInt(ob.depositedValueSf),
    allowedBorrowValueSf: sfToBigInt(ob.allowedBorrowValueSf),
    unhealthyBorrowValueSf: sfToBigInt(ob.unhealthyBorrowValueSf),
    borrowedValueSf: sfToBigInt(ob.borrowedValueSf),
    bfAdjustedDebtValueSf: sfToBigInt(ob.bfAdjustedDebtValueSf),
    bfAdjustedDebtValueUpperSf: sfToBigInt(ob.bfAdjustedDebtValueUpperSf),
  };
}

/** The first deposit's tokens (× 1e18): shares × (available + debt − fees) / share supply. */
function depositTokensSf(reserve: any, ob: any): bigint {
  const assets = BigInt(reserve.availableAmount.toString()) * WAD + sfToBigInt(reserve.totalNormalizedDebtSf) * sfToBigInt(reserve.borrowIndexSf) / WAD - sfToBigInt(reserve.protocolFeesSf);
  return (assets * BigInt(ob.deposits[0].shares.toString())) / BigInt(reserve.shareSupply.toString());
}

describe("06 refresh and price moves", function () {
  before(async function () {
    await requirePriceHelper(this);
  });

  it("successful_price_move_reaches_reserve_and_obligation_values", async function () {
    await setPrice({ account: world.sol.priceAccount, kind: "legacy", feedId: world.sol.feedId, price: 120n * PRICE_SCALE });
    const sig = await send(await refreshIxs(alice.obligation));
    const reserve = await program.account.reserve.fetch(world.sol.reserve);
    assert.equal(sfToBigInt(reserve.priceSf), 120n * WAD);

    // The deposit's value is shares → tokens → value at the new spot price, in lending-math.
    const ob = await program.account.obligation.fetch(alice.obligation);
    assert.equal(sfToBigInt(ob.deposits[0].marketValueSf), marketValue(depositTokensSf(reserve, ob), 120n * WAD, world.sol.decimals));

    const h = await obligationHealth(alice.obligation);
    const ev = await eventOf(sig, "obligationRefreshed");
    assert.equal(ev.healthFactorAfterBps.toString(), healthFactorBps(h).toString());
    assert.equal(ev.liquidatable, false);
  });

  it("successful_price_drop_lowers_the_health_factor", async function () {
    const before = healthFactorBps(await obligationHealth(alice.obligation));
    await setPrice({ account: world.sol.priceAccount, kind: "legacy", feedId: world.sol.feedId, price: 90n * PRICE_SCALE });
    const sig = await send(await refreshIxs(alice.obligation));
    // The deposit is worth exactly its tokens at $90, and the event's health factor is the one
    // the client computes from the obligation's figures.
    const reserve = await program.account.reserve.fetch(world.sol.reserve);
    const ob = await program.account.obligation.fetch(alice.obligation);
    assert.equal(sfToBigInt(ob.deposits[0].marketValueSf), marketValue(depositTokensSf(reserve, ob), 90n * WAD, world.sol.decimals));
    const h = await obligationHealth(alice.obligation);
    const after = healthFactorBps(h);
    const ev = await eventOf(sig, "obligationRefreshed");
    assert.equal(ev.healthFactorAfterBps.toString(), after.toString());
    assert.ok(after < before, `health ${after} < ${before}`);
    await setPrice({ account: world.sol.priceAccount, kind: "legacy", feedId: world.sol.feedId, price: 100n * PRICE_SCALE });
  });

  it("fail_refresh_reserve_when_price_is_stale", async function () {
    const now = Math.floor(Date.now() / 1000);
    await setPrice({ account: world.usdc.priceAccount, kind: "pull", feedId: world.usdc.feedId, price: PRICE_SCALE, publishTime: now - 1_000 });
    await expectError(send([await refreshReserveIx(world.usdc)]), "StalePrice");
    await setPrice({ account: world.usdc.priceAccount, kind: "pull", feedId: world.usdc.feedId, price: PRICE_SCALE });
  });

  it("fail_refresh_reserve_when_confidence_is_too_wide", async function () {
    await setPrice({ account: world.usdc.priceAccount, kind: "pull", feedId: world.usdc.feedId, price: PRICE_SCALE, conf: PRICE_SCALE / 10n });
    await expectError(send([await refreshReserveIx(world.usdc)]), "PriceTooUncertain");
    await setPrice({ account: world.usdc.priceAccount, kind: "pull", feedId: world.usdc.feedId, price: PRICE_SCALE });
  });
});
