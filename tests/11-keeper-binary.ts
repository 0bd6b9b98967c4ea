/**
 * 11: the real `sentinel-keeper run` binary, as a separate process, against the node over
 * JSON-RPC and its pubsub socket — the TypeScript twin of `keeper/tests/binary_over_rpc.rs`,
 * with the market built by `migrations/deploy.ts` and the TS client instead of Rust.
 *
 * A fresh admin deploys a market of 13 reserves (X4, a collateral, and Y3, a debt, are
 * Token-2022 mints); lenders supply every reserve; 13 borrowers open positions near their
 * limit, one of them with the program's maximum of 8 deposits + 5 borrows, others borrowing
 * the Token-2022 debt or posting the Token-2022 collateral. The collaterals then fall 35%
 * (`sentinel_setPythPrice`) and the sdk's valuation (`sdk/position.ts`, reserves refreshed by
 * simulation) finds at least 10 liquidatable. This proves that the keeper binary, started on
 * that market with a funded keypair:
 * - brings every obligation back to health (or writes its bad debt off) within 120 s;
 * - moves its token balances by exactly what the `Liquidated` events of its transactions say
 *   (the repayment out of the debt mint's account, the collateral into the collateral's);
 * - repays a Token-2022 debt, receives a Token-2022 collateral, and liquidates the 8 + 5
 *   obligation (v0 transactions through its lookup table);
 * - counts each landed liquidation in `sentinel_keeper_liquidations_succeeded_total` on
 *   `/metrics`, and exits with status 0 within 20 s of SIGTERM.
 * The binary is `SENTINEL_KEEPER_BIN` (default `target/debug/sentinel-keeper`, which `npm test`
 * builds). Skipped on nodes without the price helper.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Keypair, PublicKey } from "@solana/web3.js";
import { TOKEN_2022_PROGRAM_ID } from "@solana/spl-token";
import { connection, fund, rpcUrl } from "./lib/env";
import { requirePriceHelper } from "./lib/prices";
import { SPECS, WideMarket, baseUnits } from "./lib/wide-market";
import { balances, liquidatedEvents, logTail, metricValue, needingAction, scrapeMetrics, startKeeper, stopKeeper, type KeeperProcess } from "./lib/keeper";

const KEEPER_BIN = process.env.SENTINEL_KEEPER_BIN ?? "target/debug/sentinel-keeper";
const CONVERGE_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idx = (symbol: string): number => SPECS.findIndex((s) => s.symbol === symbol);
const [USDC, SOL, ETH, JUP, X0, X1, X2, X3, X4, Y0, Y1, Y2, Y3] =
  ["USDC", "SOL", "ETH", "JUP", "X0", "X1", "X2", "X3", "X4", "Y0", "Y1", "Y2", "Y3"].map(idx);

/** Borrowers near their limit: collateral (asset, $ worth), the debt asset and the share of
 *  the conservative borrow limit used. After a 35% fall each is liquidatable (health 0.76–0.88)
 *  and none insolvent (debt under 95% of the collateral's worth). */
const BORROWERS: { deposits: [number, number][]; debt: number; fraction: number }[] = [
  { deposits: [[SOL, 10_000]], debt: USDC, fraction: 0.85 },
  { deposits: [[ETH, 8_000]], debt: USDC, fraction: 0.84 },
  { deposits: [[JUP, 5_000]], debt: USDC, fraction: 0.92 },
  { deposits: [[SOL, 6_000], [ETH, 4_000]], debt: USDC, fraction: 0.83 },
  { deposits: [[X0, 3_000]], debt: Y0, fraction: 0.85 },
  { deposits: [[X1, 4_000], [SOL, 2_000]], debt: Y1, fraction: 0.86 },
  { deposits: [[X2, 5_000]], debt: USDC, fraction: 0.84 },
  { deposits: [[X3, 2_500]], debt: Y2, fraction: 0.85 },
  { deposits: [[ETH, 7_000]], debt: Y0, fraction: 0.85 },
  // The Token-2022 debt, the Token-2022 collateral, and both.
  { deposits: [[SOL, 3_000]], debt: Y3, fraction: 0.85 },
  { deposits: [[X4, 4_000]], debt: USDC, fraction: 0.85 },
  { deposits: [[X4, 3_000], [JUP, 2_000]], debt: Y3, fraction: 0.85 },
];

describe("11 keeper binary over JSON-RPC (market by migrations/deploy.ts)", function () {
  this.timeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sentinel-keeper-ts-"));
  let w: WideMarket;
  const borrowers: PublicKey[] = [];
  let wide: PublicKey;
  let t22Debt: PublicKey;
  let t22Collateral: PublicKey;
  const liquidator = Keypair.generate();
  /** The liquidator's token account of every mint. */
  const accounts = new Map<string, { account: PublicKey; tokenProgram: PublicKey }>();
  let unhealthy: PublicKey[] = [];
  let balancesBefore: Map<string, bigint>;
  let keeper: KeeperProcess | undefined;
  let crashSlot = 0;
  let healthySlot = 0;
  let seconds = 0;
  let metrics = "";

  before(async function () {
    await requirePriceHelper(this);
    w = await WideMarket.create(dir);
    // Lenders first: $1M of every asset, over two obligations (8 deposits at most each).
    const supply = (i: number): [number, number] => [i, 1_000_000 / w.assets[i].price];
    await w.openPosition(w.assets.slice(0, 8).map((_, i) => supply(i)));
    await w.openPosition(w.assets.slice(8).map((_, i) => supply(i + 8)));
    for (const b of BORROWERS) {
      const deposits = b.deposits.map(([i, usd]): [number, number] => [i, usd / w.assets[i].price]);
      const { obligation } = await w.openPosition(deposits, [[b.debt, w.nearLimit(deposits, b.debt, b.fraction)]]);
      borrowers.push(obligation);
    }
    t22Debt = borrowers[9];
    t22Collateral = borrowers[10];
    // Every reserve at once: $8,140 of eight collaterals against $4,500 of five debts (83% of the limit).
    const deposits: [number, number][] = [[SOL, 7], [ETH, 0.35], [JUP, 1_300], [X0, 1_000], [X1, 1_000], [X2, 1_000], [X3, 1_000], [X4, 1_000]];
    wide = (await w.openPosition(deposits, [[USDC, 900], [Y0, 900], [Y1, 900], [Y2, 900], [Y3, 900]])).obligation;
    borrowers.push(wide);
    // The liquidator: SOL for fees and its lookup table, $1M of every asset.
    await fund(liquidator.publicKey, 100);
    for (let i = 0; i < w.assets.length; i += 4) {
      const chunk = w.assets.slice(i, i + 4);
      await w.send(chunk.flatMap((a) => w.mintIxs(a, liquidator.publicKey, baseUnits(a, 1_000_000 / a.price))));
    }
    for (const a of w.assets) accounts.set(a.mint.toBase58(), { account: w.ata(a, liquidator.publicKey), tokenProgram: a.tokenProgram });
  });

  after(async function () {
    if (keeper && keeper.exited() === null) await stopKeeper(keeper, 5_000).catch(() => keeper?.child.kill("SIGKILL"));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("successful_deploy_lists_13_reserves_two_of_them_token_2022", async function () {
    assert.equal(w.report?.market.action, "created");
    assert.equal(w.report?.reserves.length, 13);
    assert.ok(w.report?.reserves.every((r) => r.config === "created" && r.oracle === "created"));
    const market = await w.program.account.lendingMarket.fetch(w.market);
    assert.ok(market.admin.equals(w.admin.publicKey));
    assert.equal(market.reservesCount.toString(), "13");
    for (const a of w.assets) {
      const r = await w.program.account.reserve.fetch(a.reserve);
      assert.ok(r.tokenProgram.equals(a.tokenProgram), `${a.symbol} reserve's token program`);
      assert.equal((await connection.getAccountInfo(a.vault))?.owner.toBase58(), a.tokenProgram.toBase58(), `${a.symbol} vault`);
    }
    assert.deepEqual(w.assets.filter((a) => a.tokenProgram.equals(TOKEN_2022_PROGRAM_ID)).map((a) => a.symbol), ["X4", "Y3"]);
    const ob = await w.program.account.obligation.fetch(wide);
    assert.equal(ob.deposits.filter((d) => !d.reserve.equals(PublicKey.default)).length, 8);
    assert.equal(ob.borrows.filter((b) => !b.reserve.equals(PublicKey.default)).length, 5);
  });

  it("successful_collateral_crash_makes_at_least_ten_obligations_liquidatable", async function () {
    assert.deepEqual(await needingAction(w.program, w.market, w.admin.publicKey), [], "all healthy before the crash");
    crashSlot = await connection.getSlot("confirmed");
    for (const a of w.assets.filter((x) => x.collateral)) await w.setPrice(a, (a.mantissa * 65n) / 100n);
    unhealthy = await needingAction(w.program, w.market, w.admin.publicKey);
    const has = (k: PublicKey) => unhealthy.some((u) => u.equals(k));
    assert.ok(unhealthy.length >= 10, `${unhealthy.length} liquidatable of ${borrowers.length} borrowers`);
    assert.ok(borrowers.every(has), "every borrower is liquidatable");
    assert.ok(has(wide) && has(t22Debt) && has(t22Collateral));
    balancesBefore = await balances(accounts);
  });

  it("successful_keeper_binary_restores_health_and_stops_on_sigterm", async function () {
    const keypairFile = path.join(dir, "liquidator.json");
    fs.writeFileSync(keypairFile, JSON.stringify(Array.from(liquidator.secretKey)), { mode: 0o600 });
    const started = Date.now();
    keeper = await startKeeper({ bin: KEEPER_BIN, rpcUrl, market: w.market, keypairFile, logPath: "target/keeper-binary-test.log" });
    let left = unhealthy;
    while (left.length > 0 && Date.now() - started < CONVERGE_MS) {
      await sleep(500);
      assert.equal(keeper.exited(), null, `the keeper exited early:\n${logTail(keeper)}`);
      left = await needingAction(w.program, w.market, w.admin.publicKey);
    }
    healthySlot = await connection.getSlot("confirmed");
    seconds = (Date.now() - started) / 1000;
    metrics = await scrapeMetrics(keeper);
    const code = await stopKeeper(keeper, 20_000);
    assert.deepEqual(left.map(String), [], `still liquidatable after ${CONVERGE_MS / 1000} s:\n${logTail(keeper)}`);
    assert.equal(code, 0, `exit code after SIGTERM:\n${logTail(keeper)}`);
  });

  it("successful_balances_move_by_exactly_the_liquidated_events", async function () {
    assert.ok(keeper && keeper.exited() === 0, "the keeper ran and stopped");
    const events = (await liquidatedEvents(liquidator.publicKey)).map((e) => e.data);
    const mintOf = new Map(w.assets.map((a) => [a.reserve.toBase58(), a.mint.toBase58()]));
    const expected = new Map(balancesBefore);
    const add = (reserve: PublicKey, delta: bigint) => {
      const mint = mintOf.get(reserve.toBase58());
      assert.ok(mint, `event names reserve ${reserve.toBase58()} of another market`);
      expected.set(mint, (expected.get(mint) ?? 0n) + delta);
    };
    for (const e of events) {
      add(e.repayReserve, -BigInt(e.repayAmount.toString()));
      if (e.liquidatorObligation.equals(PublicKey.default)) add(e.withdrawReserve, BigInt(e.liquidatorAmount.toString()));
    }
    const after = await balances(accounts);
    for (const a of w.assets) {
      assert.equal(after.get(a.mint.toBase58()), expected.get(a.mint.toBase58()), `${a.symbol} balance of the liquidator`);
    }

    const succeeded = metricValue(metrics, "sentinel_keeper_liquidations_succeeded_total");
    assert.equal(succeeded, events.length, "/metrics counts the liquidations");
    const t22 = w.assets.filter((a) => a.tokenProgram.equals(TOKEN_2022_PROGRAM_ID)).map((a) => a.reserve);
    const isT22 = (k: PublicKey) => t22.some((r) => r.equals(k));
    const t22Repaid = events.filter((e) => isT22(e.repayReserve)).length;
    const t22Seized = events.filter((e) => isT22(e.withdrawReserve)).length;
    assert.ok(t22Repaid > 0, "a Token-2022 debt was repaid by the keeper");
    assert.ok(t22Seized > 0, "a Token-2022 collateral was received by the keeper");
    const perObligation = new Map<string, number>();
    for (const e of events) perObligation.set(e.obligation.toBase58(), (perObligation.get(e.obligation.toBase58()) ?? 0) + 1);
    const onWide = perObligation.get(wide.toBase58()) ?? 0;
    assert.ok(onWide >= 1, "the 8 + 5 obligation was liquidated");
    for (const k of unhealthy) assert.ok(perObligation.has(k.toBase58()), `${k.toBase58()} was liquidated`);
    // Sized to the target health, a liquidation leaves its obligation healthy or takes the pair
    // whole: no drain of one obligation by many small liquidations.
    assert.ok(events.length <= 2 * perObligation.size, `${events.length} liquidations of ${perObligation.size} obligations`);
    const most = Math.max(...perObligation.values());
    console.log(
      `      keeper binary over JSON-RPC (TS-built market): ${borrowers.length} borrowers, ${unhealthy.length} liquidatable after the crash, ` +
        `${events.length} liquidations of ${perObligation.size} obligations (at most ${most} per obligation, ${onWide} for the 8+5 one; ` +
        `${t22Repaid} repaying and ${t22Seized} seizing Token-2022), all healthy ${healthySlot - crashSlot} slots after the crash (${seconds.toFixed(1)} s)`,
    );
  });
});
