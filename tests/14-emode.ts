/** 14: e-mode groups against sentinel-localnet. The deploy script (`migrations/deploy.ts`)
 *  lists USDC, USDT and SOL in a market of their own and configures a stables group (USDC and
 *  USDT: LTV 92%, threshold 94%, bonus 1–2%); a borrower opts in with `set_obligation_group`
 *  and borrows past what the reserves' own LTV allows; the client (`sdk/emode.ts`) previews
 *  every figure and refusal exactly as the program gives it: a non-member deposit
 *  (`EmodeReserveNotInGroup`), leaving the group over the reserves' limit (`EmodeChangeUnhealthy`). */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BN } from "@anchor-lang/core";
import { Connection, Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import { createMint, getOrCreateAssociatedTokenAccount, mintTo } from "@solana/spl-token";
import { fund, newUser, payer, program, rpcUrl } from "./lib/env";
import { expectError } from "./lib/errors";
import { eventOf } from "./lib/events";
import { refreshReserveIx, send, type Asset } from "./lib/market";
import { requirePriceHelper, setPrice } from "./lib/prices";
import { obligationPda, oracleConfigPda, reservePda, vaultPda } from "../sdk";
import * as emode from "../sdk/emode";
import * as volatility from "../sdk/volatility";
import * as m from "../sdk/math";
import * as pos from "../sdk/position";
import { deploy, type DeployConfig } from "../migrations/deploy";

const SEED = 1_000_000n;
const UNIT = 1_000_000n;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sentinel-emode-"));
const STABLES = 1;
/** SOL's volatility adjustment, set by the deploy script (`set_volatility_config`). */
const SOL_VOLATILITY = {
  halfLifeSecs: 3_600,
  calmVolBps: 6_000,
  stressVolBps: 20_000,
  ltvFloorBps: 5_000,
  thresholdFloorBps: 7_000,
  borrowCapFloorBps: 5_000,
  minBonusCeilingBps: 1_000,
  thresholdRateBpsPerHour: 100,
};

const local: { market: PublicKey; usdc: Asset; usdt: Asset; sol: Asset } = {} as any;
// A connection of this suite's own for the token program's helpers: after suite 11's keeper run,
// the shared connection's sends from `createMint` failed with "Blockhash not found" (web3.js
// reuses a cached recent blockhash for up to 30 s; a fresh connection fetches a current one).
const connection = new Connection(rpcUrl, "confirmed");

/** A token account of `owner` for `asset` holding `amount` more base units. */
async function tokens(asset: Asset, owner: PublicKey, amount: bigint): Promise<PublicKey> {
  const ata = await getOrCreateAssociatedTokenAccount(connection, payer, asset.mint, owner);
  if (amount > 0n) await mintTo(connection, payer, asset.mint, ata.address, payer, amount);
  return ata.address;
}

async function listAsset(symbol: string, decimals: number, kind: "pull" | "legacy", price: bigint, feed: number): Promise<Asset> {
  const mint = await createMint(connection, payer, payer.publicKey, null, decimals);
  const ata = await getOrCreateAssociatedTokenAccount(connection, payer, mint, payer.publicKey);
  await mintTo(connection, payer, mint, ata.address, payer, SEED);
  const priceAccount = Keypair.generate().publicKey;
  const feedId = Buffer.alloc(32, feed).toString("hex");
  await setPrice({ account: priceAccount, kind, feedId, price });
  const reserve = reservePda(program.programId, local.market, mint);
  return {
    symbol, decimals, mint, reserve, kind, feedId, price, priceAccount,
    vault: vaultPda(program.programId, reserve),
    oracleConfig: oracleConfigPda(program.programId, reserve),
  };
}

function config(marketKeypair: string): DeployConfig {
  const reserve = (a: Asset, ltv: number, lt: number) => ({
    symbol: a.symbol,
    mint: a.mint.toBase58(),
    seedAmount: SEED.toString(),
    config: {
      loanToValueBps: ltv,
      liquidationThresholdBps: lt,
      minLiquidationBonusBps: 200,
      maxLiquidationBonusBps: 1_000,
      protocolLiquidationFeeBps: 1_000,
      reserveFactorBps: 1_000,
      borrowFactorBps: 10_000,
      depositCap: "1000000000000000000",
      borrowCap: "1000000000000000000",
      borrowRateCurve: [[0, 0], [8_000, 800], [10_000, 15_000]] as [number, number][],
    },
    oracle: {
      kind: (a.kind === "pull" ? "pythPull" : "pythLegacy") as "pythPull" | "pythLegacy",
      priceAccount: a.priceAccount.toBase58(),
      feedId: a.feedId,
      maxAgeSecs: 120,
      maxConfidenceBps: 200,
      maxEmaDivergenceBps: 1_000,
    },
  });
  return {
    marketKeypair,
    quoteCurrency: "USD",
    market: { closeFactorBps: 2_000, insolvencyLtvBps: 9_500, targetHealthBps: 10_500, liquidationAuctionSecs: 600, dustThresholdValue: "2" },
    reserves: [reserve(local.usdc, 8_000, 8_500), reserve(local.usdt, 8_000, 8_500), { ...reserve(local.sol, 7_000, 8_000), volatility: SOL_VOLATILITY }],
    emodeGroups: [
      {
        id: STABLES,
        loanToValueBps: 9_200,
        liquidationThresholdBps: 9_400,
        minLiquidationBonusBps: 100,
        maxLiquidationBonusBps: 200,
        members: ["USDC", "USDT"],
      },
    ],
  };
}

const assets = () => [local.usdc, local.usdt, local.sol];

async function positions(obligation: PublicKey): Promise<{ p: pos.Positions; keys: PublicKey[] }> {
  const p = pos.positionsOf(await program.account.obligation.fetch(obligation));
  const keys = [...p.deposits.map((d) => d.reserve), ...p.borrows.map((b) => b.reserve)].map((k) => new PublicKey(k));
  return { p, keys };
}

const metas = (keys: PublicKey[]) => keys.map((pubkey) => ({ pubkey, isSigner: false, isWritable: false }));

/** Refreshes of every reserve, then of the obligation. */
async function refreshIxs(obligation: PublicKey): Promise<TransactionInstruction[]> {
  const { keys } = await positions(obligation);
  const ixs = await Promise.all(assets().map((a) => refreshReserveIx(a)));
  ixs.push(
    await program.methods
      .refreshObligation()
      .accountsPartial({ lendingMarket: local.market, obligation })
      .remainingAccounts(metas(keys))
      .instruction(),
  );
  return ixs;
}

async function setGroupIx(owner: PublicKey, obligation: PublicKey, group: number): Promise<TransactionInstruction> {
  const { keys } = await positions(obligation);
  return program.methods
    .setObligationGroup(group)
    .accountsPartial({ owner, lendingMarket: local.market, obligation })
    .remainingAccounts(metas(keys))
    .instruction();
}

const tokenAccounts = (a: Asset) => ({ reserve: a.reserve, vault: a.vault, mint: a.mint });

const depositIx = (owner: PublicKey, obligation: PublicKey, a: Asset, source: PublicKey, amount: bigint) =>
  program.methods
    .deposit(new BN(amount.toString()))
    .accountsPartial({ owner, lendingMarket: local.market, obligation, ...tokenAccounts(a), source })
    .instruction();

async function borrowIx(owner: PublicKey, obligation: PublicKey, a: Asset, destination: PublicKey, amount: bigint) {
  const { keys } = await positions(obligation);
  return program.methods
    .borrow(new BN(amount.toString()))
    .accountsPartial({ owner, lendingMarket: local.market, obligation, ...tokenAccounts(a), destination })
    .remainingAccounts(metas(keys))
    .instruction();
}

async function openObligation(owner: Keypair): Promise<PublicKey> {
  const obligation = obligationPda(program.programId, local.market, owner.publicKey, 0);
  await program.methods
    .initObligation(0)
    .accountsPartial({ owner: owner.publicKey, payer: payer.publicKey, lendingMarket: local.market, obligation })
    .signers([owner])
    .rpc();
  return obligation;
}

/** Reserve figures of the three assets, as the program reads them. */
async function figures(): Promise<Map<string, pos.ReserveFigures>> {
  const out = new Map<string, pos.ReserveFigures>();
  for (const a of assets()) out.set(a.reserve.toBase58(), pos.reserveFigures(await program.account.reserve.fetch(a.reserve)));
  return out;
}

describe("14 e-mode groups", function () {
  const user: { kp: Keypair; obligation: PublicKey; usdc: PublicKey; usdt: PublicKey; sol: PublicKey } = {} as any;
  let cfg: DeployConfig;

  before(async function () {
    await requirePriceHelper(this);
    await fund(payer.publicKey, 1_000);
    const marketKp = Keypair.generate();
    const file = path.join(dir, "market.json");
    fs.writeFileSync(file, JSON.stringify(Array.from(marketKp.secretKey)));
    local.market = marketKp.publicKey;
    local.usdc = await listAsset("USDC", 6, "pull", 100_000_000n, 31);
    local.usdt = await listAsset("USDT", 6, "pull", 100_000_000n, 32);
    local.sol = await listAsset("SOL", 9, "legacy", 10_000_000_000n, 33);
    cfg = config(file);
  });

  it("successful_deploy_configures_the_group_and_a_rerun_changes_nothing", async function () {
    const report = await deploy(program, cfg, () => {});
    assert.deepEqual(report.emodeGroups, [{ id: STABLES, action: "created" }]);
    assert.deepEqual(report.reserves.map((r) => [r.symbol, r.emodeGroups]), [
      ["USDC", "updated"],
      ["USDT", "updated"],
      ["SOL", "unchanged"],
    ]);
    const groups = emode.marketGroups(await program.account.lendingMarket.fetch(local.market));
    assert.deepEqual(groups[0], { ltvBps: 9_200, liquidationThresholdBps: 9_400, minBonusBps: 100, maxBonusBps: 200 });
    assert.ok(groups.slice(1).every((g) => g === null));
    const f = await figures();
    assert.deepEqual(assets().map((a) => f.get(a.reserve.toBase58())!.emodeGroups), [1n, 1n, 0n]);
    const again = await deploy(program, cfg, () => {});
    assert.deepEqual(again.emodeGroups, [{ id: STABLES, action: "unchanged" }]);
    // SOL's volatility adjustment: created on the first run, unchanged on the rerun, at rest
    // (calm: the configured parameters in force).
    assert.equal(report.reserves[2].volatility, "created");
    assert.equal(again.reserves[2].volatility, "unchanged");
    const sol = await program.account.reserve.fetch(local.sol.reserve);
    assert.deepEqual(sol.volatility.config, SOL_VOLATILITY);
    const risk = volatility.riskInForce(sol);
    assert.deepEqual([risk.enabled, risk.stressBps, risk.ltvBps, risk.liquidationThresholdBps], [true, 0, 7_000, 8_000]);
    assert.ok(again.reserves.every((r) => r.emodeGroups === "unchanged" && r.config === "unchanged"));
  });

  it("successful_emode_borrows_more_than_outside_and_the_client_previews_it", async function () {
    // A lender supplies 10,000 USDT; the borrower posts 1,000 USDC.
    const lender = await newUser();
    const lenderOb = await openObligation(lender);
    const lenderUsdt = await tokens(local.usdt, lender.publicKey, 10_000n * UNIT);
    await send([await depositIx(lender.publicKey, lenderOb, local.usdt, lenderUsdt, 10_000n * UNIT)], [lender]);
    user.kp = await newUser();
    user.obligation = await openObligation(user.kp);
    user.usdc = await tokens(local.usdc, user.kp.publicKey, 1_000n * UNIT);
    user.usdt = await tokens(local.usdt, user.kp.publicKey, 0n);
    user.sol = await tokens(local.sol, user.kp.publicKey, 1_000_000_000n);
    await send([await depositIx(user.kp.publicKey, user.obligation, local.usdc, user.usdc, 1_000n * UNIT)], [user.kp]);

    // 900 USDT: $901 at the upper price, over $999 × 80% outside the group, within × 92% in it.
    const borrow: pos.Action = { kind: "borrow", reserve: local.usdt.reserve.toBase58(), amount: 900n * UNIT };
    const groups = emode.marketGroups(await program.account.lendingMarket.fetch(local.market));
    // Previews value at the reserves' cached prices: refresh them first.
    await send(await refreshIxs(user.obligation), []);
    const { p } = await positions(user.obligation);
    const f = await figures();
    assert.equal(m.withinBorrowLimit(pos.previewHealth(p, f, borrow)), false);
    await expectError(
      send([...(await refreshIxs(user.obligation)), await borrowIx(user.kp.publicKey, user.obligation, local.usdt, user.usdt, borrow.amount)], [user.kp]),
      "BorrowTooLarge",
    );
    const change = emode.previewGroupChange(p, f, groups, STABLES);
    assert.ok(change.ok);
    const sig = await send(
      [...(await refreshIxs(user.obligation)), await setGroupIx(user.kp.publicKey, user.obligation, STABLES)],
      [user.kp],
    );
    const ev = await eventOf(sig, "obligationGroupSet");
    assert.equal(ev.groupBefore, 0);
    assert.equal(ev.groupAfter, STABLES);
    assert.equal((await program.account.obligation.fetch(user.obligation)).emodeGroup, STABLES);

    const preview = emode.previewHealthInGroup(p, f, groups, STABLES, borrow);
    assert.ok(m.withinBorrowLimit(preview));
    await send(
      [...(await refreshIxs(user.obligation)), await borrowIx(user.kp.publicKey, user.obligation, local.usdt, user.usdt, borrow.amount)],
      [user.kp],
    );
    await send(await refreshIxs(user.obligation), []);
    // The program's cache is the client's valuation under the group, to the last 1e-18.
    const cached = pos.cachedHealth(await program.account.obligation.fetch(user.obligation));
    const after = await positions(user.obligation);
    const valued = pos.valueObligation(after.p, emode.figuresInGroup(await figures(), groups, STABLES)).health;
    assert.deepEqual(cached, valued);
    assert.equal(cached.unhealthyBorrowValueSf, 940n * m.WAD);
  });

  it("fail_deposit_when_the_reserve_is_not_in_the_obligation_group", async function () {
    const { p } = await positions(user.obligation);
    const f = await figures();
    const deposit: pos.Action = { kind: "deposit", reserve: local.sol.reserve.toBase58(), amount: 100_000_000n };
    assert.throws(() => pos.applyAction(p, f, deposit, undefined, STABLES), /EmodeReserveNotInGroup/);
    const before = await program.account.obligation.fetch(user.obligation);
    await expectError(send([await depositIx(user.kp.publicKey, user.obligation, local.sol, user.sol, deposit.amount)], [user.kp]), "EmodeReserveNotInGroup");
    const after = await program.account.obligation.fetch(user.obligation);
    assert.equal(JSON.stringify(after), JSON.stringify(before));
  });

  it("fail_leave_group_when_over_the_reserves_own_limit", async function () {
    await send(await refreshIxs(user.obligation), []);
    const { p } = await positions(user.obligation);
    const groups = emode.marketGroups(await program.account.lendingMarket.fetch(local.market));
    const preview = emode.previewGroupChange(p, await figures(), groups, 0);
    assert.deepEqual(preview, { ok: false, error: "EmodeChangeUnhealthy" });
    await expectError(
      send([...(await refreshIxs(user.obligation)), await setGroupIx(user.kp.publicKey, user.obligation, 0)], [user.kp]),
      "EmodeChangeUnhealthy",
    );
    assert.equal((await program.account.obligation.fetch(user.obligation)).emodeGroup, STABLES);
    assert.deepEqual(emode.previewGroupChange(p, await figures(), groups, 2), { ok: false, error: "EmodeGroupNotConfigured" });
  });
});
