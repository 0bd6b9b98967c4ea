/** 07: after a price drop, a liquidator repays part of the debt and receives the collateral
 *  with the bonus; the protocol keeps its share of the bonus in the insurance fund. */
import * as assert from "node:assert/strict";
import { BN } from "@anchor-lang/core";
import { Keypair, PublicKey } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { newUser, program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { balance, borrowIx, depositIx, openObligation, refreshIxs, reserveMetas, send, tokens, units, world } from "./lib/market";
import { requirePriceHelper, setPrice } from "./lib/prices";
import { WAD, isLiquidatable, marketValue } from "../sdk/math";
import { obligationHealth } from "./06-refresh-price-moves";

const PRICE_SCALE = 10n ** 8n;

describe("07 liquidation with the bonus", function () {
  let carol: Keypair;
  let obligation: PublicKey;
  let liquidator: Keypair;
  let liqUsdc: PublicKey;
  let liqSol: PublicKey;

  const liquidateIx = async (repay: bigint, minOut: bigint) =>
    program.methods
      .liquidate(new BN(repay.toString()), new BN(minOut.toString()))
      .accountsPartial({
        liquidator: liquidator.publicKey,
        lendingMarket: world.market,
        obligation,
        repayReserve: world.usdc.reserve,
        repayVault: world.usdc.vault,
        repayMint: world.usdc.mint,
        withdrawReserve: world.sol.reserve,
        withdrawVault: world.sol.vault,
        withdrawMint: world.sol.mint,
        liquidatorSource: liqUsdc,
        liquidatorDestination: liqSol,
        repayTokenProgram: TOKEN_PROGRAM_ID,
        withdrawTokenProgram: TOKEN_PROGRAM_ID,
        liquidatorObligation: null,
      })
      .remainingAccounts(await reserveMetas(obligation))
      .instruction();

  before(async function () {
    await requirePriceHelper(this);
    await setPrice({ account: world.sol.priceAccount, kind: "legacy", feedId: world.sol.feedId, price: 100n * PRICE_SCALE });
    await setPrice({ account: world.usdc.priceAccount, kind: "pull", feedId: world.usdc.feedId, price: PRICE_SCALE });
    carol = await newUser();
    obligation = await openObligation(carol);
    const sol = await tokens(world.sol, carol.publicKey, units(world.sol, 10));
    const usdc = await tokens(world.usdc, carol.publicKey, 0n);
    await send([await depositIx(carol.publicKey, obligation, world.sol, sol, units(world.sol, 10))], [carol]);
    await send([...(await refreshIxs(obligation, [world.usdc])), await borrowIx(carol.publicKey, obligation, world.usdc, usdc, units(world.usdc, 650))], [carol]);
    liquidator = await newUser();
    liqUsdc = await tokens(world.usdc, liquidator.publicKey, units(world.usdc, 1_000));
    liqSol = await tokens(world.sol, liquidator.publicKey, 0n);
  });

  it("fail_liquidate_when_obligation_is_healthy", async function () {
    await expectError(send([...(await refreshIxs(obligation)), await liquidateIx(units(world.usdc, 10), 1n)], [liquidator]), "ObligationHealthy");
  });

  it("fail_liquidate_when_collateral_out_is_below_the_minimum", async function () {
    await setPrice({ account: world.sol.priceAccount, kind: "legacy", feedId: world.sol.feedId, price: 78n * PRICE_SCALE });
    await expectError(
      send([...(await refreshIxs(obligation)), await liquidateIx(units(world.usdc, 100), units(world.sol, 5))], [liquidator]),
      "LiquidationSlippage",
    );
  });

  it("fail_liquidate_when_repay_exceeds_the_close_factor", async function () {
    // Close factor 20% of $650 of debt: at most $130.
    await expectError(send([...(await refreshIxs(obligation)), await liquidateIx(units(world.usdc, 200), 1n)], [liquidator]), "LiquidationTooLarge");
  });

  it("successful_liquidation_pays_the_bonus_and_improves_health", async function () {
    await send(await refreshIxs(obligation));
    const before = await obligationHealth(obligation);
    assert.ok(isLiquidatable(before), "SOL at $78: 10 × 78 × 80% = $624 < $650 of debt");
    const insuranceBefore = BigInt((await program.account.reserve.fetch(world.sol.reserve)).insuranceAmount.toString());
    const repay = units(world.usdc, 100);
    const sig = await send([...(await refreshIxs(obligation)), await liquidateIx(repay, 1n)], [liquidator]);

    const ev = await eventOf(sig, "liquidated");
    assert.equal(ev.repayAmount.toString(), repay.toString());
    assert.equal(await balance(liqUsdc), units(world.usdc, 900));
    assert.equal((await balance(liqSol)).toString(), ev.liquidatorAmount.toString());
    assert.equal(BigInt(ev.seizeAmount.toString()), BigInt(ev.liquidatorAmount.toString()) + BigInt(ev.protocolFeeAmount.toString()));
    const insuranceAfter = BigInt((await program.account.reserve.fetch(world.sol.reserve)).insuranceAmount.toString());
    assert.equal(insuranceAfter - insuranceBefore, BigInt(ev.protocolFeeAmount.toString()));

    // Bonus within the reserves' [2%, 10%]; the liquidator is paid more than it repaid.
    const bonus = Number(ev.bonusBps.toString());
    assert.ok(bonus >= 200 && bonus <= 1_000, `bonus ${bonus} bps`);
    const paid = marketValue(repay * WAD, WAD, world.usdc.decimals);
    const received = marketValue(BigInt(ev.liquidatorAmount.toString()) * WAD, 78n * WAD, world.sol.decimals);
    assert.ok(received > paid, "liquidation is profitable");
    assert.ok(BigInt(ev.healthFactorAfterBps.toString()) > BigInt(ev.healthFactorBeforeBps.toString()));
    assert.equal(BigInt(ev.collateralPriceSf.toString()), 78n * WAD);
  });
});
