/** 10: the client's valuation (`sdk/position.ts`) on real accounts: recomputed from raw positions
 *  and reserves, an obligation's totals equal what `refresh_obligation` stored, to the last
 *  1e-18; and the health an action previews (at the reserves' cached prices, refreshed first)
 *  is the health the obligation has once it landed. */
import * as assert from "node:assert/strict";
import { PublicKey, TransactionInstruction } from "@solana/web3.js";
import { newUser, program } from "./lib/env";
import { borrowIx, depositIx, openObligation, refreshIxs, refreshReserveIx, repayIx, send, tokens, units, world, withdrawIx } from "./lib/market";
import { requirePriceHelper, setPrice } from "./lib/prices";
import * as m from "../sdk/math";
import * as pos from "../sdk/position";

async function reserves(): Promise<Map<string, pos.ReserveFigures>> {
  const out = new Map<string, pos.ReserveFigures>();
  for (const a of [world.usdc, world.sol]) {
    out.set(a.reserve.toBase58(), pos.reserveFigures(await program.account.reserve.fetch(a.reserve)));
  }
  return out;
}

/** `refresh_obligation` over the reserves of `p` (deposits, then borrows). */
const refreshObligationIx = (obligation: PublicKey, p: pos.Positions): Promise<TransactionInstruction> =>
  program.methods
    .refreshObligation()
    .accountsPartial({ lendingMarket: world.market, obligation })
    .remainingAccounts(
      [...p.deposits, ...p.borrows].map((x) => ({ pubkey: new PublicKey(x.reserve), isSigner: false, isWritable: false })),
    )
    .instruction();

describe("10 position valuation and action previews", function () {
  const user: { kp: any; obligation: PublicKey; sol: PublicKey; usdc: PublicKey } = {} as any;

  before(async function () {
    await requirePriceHelper(this);
    for (const a of [world.usdc, world.sol]) await setPrice({ account: a.priceAccount, kind: a.kind, feedId: a.feedId, price: a.price });
    user.kp = await newUser();
    user.obligation = await openObligation(user.kp);
    user.sol = await tokens(world.sol, user.kp.publicKey, units(world.sol, 8));
    user.usdc = await tokens(world.usdc, user.kp.publicKey, units(world.usdc, 50));
  });

  /** Previews `action`, sends it between the refreshes it needs and a final `refresh_obligation`,
   *  and compares: the stored totals with the client's valuation of the accounts after (exact),
   *  and with the preview (equal up to interest accrued between the preview and the landing). */
  async function previewAndSend(action: pos.Action, ix: TransactionInstruction) {
    // The preview values at the reserves' cached prices: refresh them first, as a client does
    // before previewing (`refresh_reserve` is permissionless).
    await send([await refreshReserveIx(world.usdc), await refreshReserveIx(world.sol)]);
    const before = pos.positionsOf(await program.account.obligation.fetch(user.obligation));
    const preview = pos.previewHealth(before, await reserves(), action);
    const after = pos.applyAction(before, await reserves(), action).positions;
    const extra = action.kind === "deposit" || action.kind === "borrow" ? [action.reserve === world.sol.reserve.toBase58() ? world.sol : world.usdc] : [];
    await send([...(await refreshIxs(user.obligation, extra)), ix, await refreshObligationIx(user.obligation, after)], [user.kp]);
    const ob = await program.account.obligation.fetch(user.obligation);
    const stored = pos.cachedHealth(ob);
    assert.deepEqual(pos.positionsOf(ob).deposits.map((d) => d.reserve), after.deposits.map((d) => d.reserve));
    assert.deepEqual(pos.positionsOf(ob).borrows.map((b) => b.reserve), after.borrows.map((b) => b.reserve));
    assert.deepEqual(pos.valueObligation(pos.positionsOf(ob), await reserves()).health, stored);
    // Collateral side exactly (SOL has no debt, so no interest moves it); debt within one
    // second of interest.
    assert.equal(preview.depositedValueSf, stored.depositedValueSf);
    assert.equal(preview.allowedBorrowValueSf, stored.allowedBorrowValueSf);
    const drift = (a: bigint, b: bigint) => (a > b ? a - b : b - a);
    assert.ok(drift(preview.bfAdjustedDebtValueSf, stored.bfAdjustedDebtValueSf) * 1_000_000n <= stored.bfAdjustedDebtValueSf + 1n);
    assert.ok(drift(m.healthFactorBps(preview), m.healthFactorBps(stored)) <= 1n, `${m.healthFactorBps(preview)} vs ${m.healthFactorBps(stored)}`);
    return { preview, stored };
  }

  it("successful_deposit_preview_equals_the_stored_health", async function () {
    const amount = units(world.sol, 5);
    const action: pos.Action = { kind: "deposit", reserve: world.sol.reserve.toBase58(), amount };
    const { stored } = await previewAndSend(action, await depositIx(user.kp.publicKey, user.obligation, world.sol, user.sol, amount));
    assert.equal(m.healthFactor(stored), null);
  });

  it("successful_borrow_preview_equals_the_stored_health", async function () {
    const amount = units(world.usdc, 120);
    const action: pos.Action = { kind: "borrow", reserve: world.usdc.reserve.toBase58(), amount };
    const { preview, stored } = await previewAndSend(action, await borrowIx(user.kp.publicKey, user.obligation, world.usdc, user.usdc, amount));
    assert.ok(m.healthFactor(stored)! > m.WAD);
    assert.equal(m.withinBorrowLimit(preview), true);
  });

  it("successful_withdraw_preview_equals_the_stored_health", async function () {
    const amount = units(world.sol, 1);
    const action: pos.Action = { kind: "withdraw", reserve: world.sol.reserve.toBase58(), amount };
    const before = await program.account.obligation.fetch(user.obligation);
    const { stored } = await previewAndSend(action, await withdrawIx(user.kp.publicKey, user.obligation, world.sol, user.sol, amount));
    assert.ok(m.healthFactor(stored)! < m.healthFactor(pos.cachedHealth(before))!);
  });

  it("successful_full_repay_preview_clears_the_debt", async function () {
    const action: pos.Action = { kind: "repay", reserve: world.usdc.reserve.toBase58(), amount: m.U64_MAX };
    const { preview, stored } = await previewAndSend(action, await repayIx(user.kp.publicKey, user.obligation, world.usdc, user.usdc, m.U64_MAX));
    assert.equal(preview.borrowedValueSf, 0n);
    assert.equal(stored.borrowedValueSf, 0n);
  });

  it("fail_preview_when_the_withdrawal_exceeds_the_deposit", async function () {
    const p = pos.positionsOf(await program.account.obligation.fetch(user.obligation));
    assert.throws(
      () => pos.applyAction(p, new Map([[world.sol.reserve.toBase58(), pos.reserveFigures(fakeReserve())]]), { kind: "withdraw", reserve: world.sol.reserve.toBase58(), amount: units(world.sol, 1_000) }),
      /WithdrawExceedsDeposit/,
    );
  });
});

/** A reserve of 1,000 SOL supplied 1:1, no debt, $100. */
function fakeReserve() {
  const sf = (x: bigint) => ({ le: Array.from({ length: 16 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn)) });
  return {
    availableAmount: 1_000_000_000_000n,
    totalNormalizedDebtSf: sf(0n),
    borrowIndexSf: sf(m.WAD),
    protocolFeesSf: sf(0n),
    shareSupply: 1_000_000_000_000n,
    decimals: 9,
    priceSf: sf(100n * m.WAD),
    emaPriceSf: sf(100n * m.WAD),
    priceConfSf: sf(0n),
    config: { loanToValueBps: 7000, liquidationThresholdBps: 8000, borrowFactorBps: 10000, minLiquidationBonusBps: 200, borrowCap: 10n ** 18n },
  };
}
