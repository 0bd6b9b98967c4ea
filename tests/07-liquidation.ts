/** 07: after a price drop, a liquidator repays part of the debt and receives the collateral
 *  with the bonus; the protocol keeps its share of the bonus in the insurance fund. The
 *  successful liquidation runs with a 10-second auction that has run out, so its bonus is the
 *  reserves' maximum and every amount is known in advance from `sdk/math`'s `planLiquidation`. */
import * as assert from "node:assert/strict";
import { BN } from "@anchor-lang/core";
import { Keypair, PublicKey } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { connection, newUser, payer, program } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { balance, borrowIx, depositIx, openObligation, refreshIxs, reserveMetas, send, tokens, units, world } from "./lib/market";
import { requirePriceHelper, setPrice } from "./lib/prices";
import { WAD, fromBps, isLiquidatable, planLiquidation, sfToBigInt } from "../sdk/math";
import { obligationHealth } from "./06-refresh-price-moves";
import * as pos from "../sdk/position";

const PRICE_SCALE = 10n ** 8n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sets the market's auction length (the deploy script's other parameters unchanged). */
async function setAuctionSecs(secs: number): Promise<void> {
  const params = { closeFactorBps: 2_000, insolvencyLtvBps: 9_500, liquidationAuctionSecs: secs, dustThresholdValue: new BN(2), borrowPaused: false, withdrawPaused: false };
  const ix = await program.methods.updateMarket(params).accountsPartial({ admin: payer.publicKey, lendingMarket: world.market }).instruction();
  await send([ix]);
}

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
    this.timeout(60_000);
    // A 10-second auction, seen running for more than 10 s (sightings at most 10 s apart keep
    // one episode): the bonus is the maximum, 10%, whatever the health ramp says.
    await setAuctionSecs(10);
    try {
      for (let i = 0; i < 3; i++) {
        await send(await refreshIxs(obligation));
        await sleep(5_500);
      }
      await send(await refreshIxs(obligation));
      const before = await obligationHealth(obligation);
      assert.ok(isLiquidatable(before), "SOL at $78: 10 × 78 × 80% = $624 < $650 of debt");
      const sol = await program.account.reserve.fetch(world.sol.reserve);
      const usdc = await program.account.reserve.fetch(world.usdc.reserve);
      const ob = await program.account.obligation.fetch(obligation);
      const debtSf = (sfToBigInt(ob.borrows[0].normalizedDebtSf) * sfToBigInt(usdc.borrowIndexSf)) / WAD;
      const solAssetsSf =
        BigInt(sol.availableAmount.toString()) * WAD +
        (sfToBigInt(sol.totalNormalizedDebtSf) * sfToBigInt(sol.borrowIndexSf)) / WAD -
        sfToBigInt(sol.protocolFeesSf);
      const repay = units(world.usdc, 100);
      const plan = planLiquidation(before, {
        debt: { amountSf: debtSf, priceSf: WAD, decimals: world.usdc.decimals },
        collateral: {
          shares: BigInt(ob.deposits[0].shares.toString()),
          reserveAssetsSf: solAssetsSf,
          shareSupply: BigInt(sol.shareSupply.toString()),
          priceSf: 78n * WAD,
          decimals: world.sol.decimals,
        },
        rules: {
          closeFactorSf: fromBps(2_000),
          insolvencyLtvSf: fromBps(9_500),
          dustThresholdValueSf: 2n * WAD,
          windowDebtValueSf: sfToBigInt(ob.borrowedValueSf),
          windowRepaidValueSf: 0n,
          protocolFeeSf: fromBps(sol.config.protocolLiquidationFeeBps),
        },
        bonusSf: fromBps(1_000),
        requested: repay,
      });
      assert.equal(plan.repayAmount, repay);
      // The dApp's preview (`sdk/position`) from the decoded accounts alone gives the same plan.
      const figures = new Map([
        [world.sol.reserve.toBase58(), pos.reserveFigures(sol)],
        [world.usdc.reserve.toBase58(), pos.reserveFigures(usdc)],
      ]);
      const terms = new Map([
        [world.sol.reserve.toBase58(), pos.liquidationTerms(sol)],
        [world.usdc.reserve.toBase58(), pos.liquidationTerms(usdc)],
      ]);
      const rules = pos.marketRules(await program.account.lendingMarket.fetch(world.market));
      const slot = BigInt(await connection.getSlot("confirmed"));
      const now = BigInt(Math.floor(Date.now() / 1000));
      const preview = pos.previewLiquidation(
        pos.positionsOf(ob),
        figures,
        terms,
        pos.liquidationState(ob),
        rules,
        { debt: world.usdc.reserve.toBase58(), collateral: world.sol.reserve.toBase58() },
        { slot: slot + 1n, now },
        repay,
      );
      assert.deepEqual(preview.plan, plan);
      assert.equal(preview.bonus.rate, fromBps(1_000), "the auction has run out");
      const insuranceBefore = BigInt(sol.insuranceAmount.toString());
      const sig = await send([...(await refreshIxs(obligation)), await liquidateIx(repay, 1n)], [liquidator]);

      const ev = await eventOf(sig, "liquidated");
      assert.equal(ev.bonusBps.toString(), "1000");
      assert.equal(ev.bonusSource, 1, "the Dutch auction, run out");
      assert.equal(ev.repayAmount.toString(), repay.toString());
      assert.equal(BigInt(ev.repayValueSf.toString()), plan.repayValueSf);
      assert.equal(BigInt(ev.seizeAmount.toString()), plan.seizeAmount);
      assert.equal(BigInt(ev.protocolFeeAmount.toString()), plan.protocolFeeAmount);
      assert.equal(BigInt(ev.liquidatorAmount.toString()), plan.liquidatorAmount);
      assert.equal(await balance(liqUsdc), units(world.usdc, 900));
      assert.equal(await balance(liqSol), plan.liquidatorAmount);
      const insuranceAfter = BigInt((await program.account.reserve.fetch(world.sol.reserve)).insuranceAmount.toString());
      assert.equal(insuranceAfter - insuranceBefore, plan.protocolFeeAmount);
      // The obligation lost exactly the seized shares and the debt repaid.
      const after = await program.account.obligation.fetch(obligation);
      assert.equal(BigInt(after.deposits[0].shares.toString()), BigInt(ob.deposits[0].shares.toString()) - plan.seizeShares);
      assert.ok(BigInt(ev.healthFactorAfterBps.toString()) > BigInt(ev.healthFactorBeforeBps.toString()));
      assert.equal(BigInt(ev.collateralPriceSf.toString()), 78n * WAD);
    } finally {
      await setAuctionSecs(600);
    }
  });
});
