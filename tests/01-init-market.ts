/** 01: the deploy script creates the market, two reserves (a Pyth pull feed and a legacy Pyth
 *  account) and their oracle configs from a config file; a re-run changes nothing. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { BN } from "@anchor-lang/core";
import { Keypair, PublicKey } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID, createMint, getOrCreateAssociatedTokenAccount, mintTo } from "@solana/spl-token";
import { connection, fund, payer, program, rpcUrl } from "./lib/env";
import { expectError } from "./lib/errors";
import { requirePriceHelper, setPrice } from "./lib/prices";
import { balance, world, type Asset } from "./lib/market";
import { oracleConfigPda, reservePda, vaultPda } from "../sdk";
import { deploy, type DeployConfig } from "../migrations/deploy";

const SEED = 1_000_000n;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sentinel-ts-"));

function curve(): [number, number][] {
  return [[0, 0], [5_000, 300], [8_000, 800], [9_000, 3_000], [10_000, 15_000]];
}

async function listAsset(symbol: string, decimals: number, kind: "pull" | "legacy", price: bigint): Promise<Asset> {
  const mint = await createMint(connection, payer, payer.publicKey, null, decimals);
  const ata = await getOrCreateAssociatedTokenAccount(connection, payer, mint, payer.publicKey);
  await mintTo(connection, payer, mint, ata.address, payer, SEED);
  const priceAccount = Keypair.generate().publicKey;
  const feedId = Buffer.alloc(32, decimals).toString("hex");
  await setPrice({ account: priceAccount, kind, feedId, price });
  const reserve = reservePda(program.programId, world.market, mint);
  return {
    symbol, decimals, mint, reserve, kind, feedId, price, priceAccount,
    vault: vaultPda(program.programId, reserve),
    oracleConfig: oracleConfigPda(program.programId, reserve),
  };
}

function config(assets: Asset[], marketKeypair: string): DeployConfig {
  return {
    marketKeypair,
    quoteCurrency: "USD",
    market: {
      closeFactorBps: 2_000,
      insolvencyLtvBps: 9_500,
      targetHealthBps: 10_500,
      liquidationAuctionSecs: 600,
      dustThresholdValue: "2",
    },
    reserves: assets.map((a) => ({
      symbol: a.symbol,
      mint: a.mint.toBase58(),
      seedAmount: SEED.toString(),
      config: {
        loanToValueBps: a.symbol === "USDC" ? 8_000 : 7_000,
        liquidationThresholdBps: a.symbol === "USDC" ? 8_500 : 8_000,
        minLiquidationBonusBps: 200,
        maxLiquidationBonusBps: 1_000,
        protocolLiquidationFeeBps: 1_000,
        reserveFactorBps: 1_000,
        borrowFactorBps: 10_000,
        depositCap: "1000000000000000000",
        borrowCap: "1000000000000000000",
        borrowRateCurve: curve(),
      },
      oracle: {
        kind: a.kind === "pull" ? "pythPull" : "pythLegacy",
        priceAccount: a.priceAccount.toBase58(),
        feedId: a.feedId,
        maxAgeSecs: 120,
        maxConfidenceBps: 200,
        maxEmaDivergenceBps: 1_000,
      },
    })),
  };
}

describe("01 init market and reserves (migrations/deploy.ts)", function () {
  const marketKeypair = path.join(dir, "market.json");
  let cfg: DeployConfig;

  before(async function () {
    await requirePriceHelper(this);
    await fund(payer.publicKey, 1_000);
    const marketKp = Keypair.generate();
    fs.writeFileSync(marketKeypair, JSON.stringify(Array.from(marketKp.secretKey)));
    world.market = marketKp.publicKey;
    world.usdc = await listAsset("USDC", 6, "pull", 100_000_000n);
    world.sol = await listAsset("SOL", 9, "legacy", 10_000_000_000n);
    cfg = config([world.usdc, world.sol], marketKeypair);
  });

  it("successful_deploy_creates_market_reserves_and_oracle_configs", async function () {
    const lines: string[] = [];
    const report = await deploy(program, cfg, (l) => lines.push(l));
    assert.equal(report.market.action, "created");
    assert.deepEqual(report.reserves.map((r) => [r.symbol, r.config, r.oracle]), [
      ["USDC", "created", "created"],
      ["SOL", "created", "created"],
    ]);

    const market = await program.account.lendingMarket.fetch(world.market);
    assert.ok(market.admin.equals(payer.publicKey));
    assert.equal(market.closeFactorBps, 2_000);
    assert.equal(market.insolvencyLtvBps, 9_500);
    assert.equal(market.targetHealthBps, 10_500);
    assert.equal(market.liquidationAuctionSecs, 600);
    assert.equal(market.reservesCount.toString(), "2");
    assert.equal(Buffer.from(market.quoteCurrency).subarray(0, 3).toString(), "USD");

    for (const a of [world.usdc, world.sol]) {
      const r = await program.account.reserve.fetch(a.reserve);
      assert.ok(r.lendingMarket.equals(world.market));
      assert.ok(r.mint.equals(a.mint));
      assert.ok(r.vault.equals(a.vault));
      assert.ok(r.oracleConfig.equals(a.oracleConfig));
      assert.equal(r.decimals, a.decimals);
      assert.equal(r.availableAmount.toString(), SEED.toString());
      assert.equal(r.shareSupply.toString(), SEED.toString());
      assert.equal(await balance(a.vault), SEED);
      const oc = await program.account.oracleConfig.fetch(a.oracleConfig);
      assert.ok(oc.priceAccount.equals(a.priceAccount));
      assert.equal(oc.kind, a.kind === "pull" ? 0 : 1);
      assert.equal(oc.maxAgeSecs, 120);
    }
    assert.equal((await program.account.reserve.fetch(world.sol.reserve)).config.loanToValueBps, 7_000);
  });

  it("successful_rerun_of_the_deploy_cli_changes_nothing", async function () {
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, JSON.stringify(cfg));
    const wallet = path.join(dir, "admin.json");
    fs.writeFileSync(wallet, JSON.stringify(Array.from(payer.secretKey)));
    const out = execFileSync(
      process.execPath,
      ["--require", "tsx/cjs", "migrations/deploy.ts", "--config", file, "--url", rpcUrl, "--wallet", wallet],
      { encoding: "utf8" },
    );
    const report = JSON.parse(out.trim().split("\n").pop() as string);
    assert.equal(report.market.action, "unchanged");
    assert.ok(report.reserves.every((r: any) => r.config === "unchanged" && r.oracle === "unchanged"));
    assert.equal((await program.account.lendingMarket.fetch(world.market)).reservesCount.toString(), "2");
  });

  it("successful_rerun_with_a_changed_config_updates_only_that_reserve", async function () {
    cfg.reserves[1].config.loanToValueBps = 6_500;
    const report = await deploy(program, cfg, () => {});
    assert.deepEqual(report.reserves.map((r) => r.config), ["unchanged", "updated"]);
    assert.equal((await program.account.reserve.fetch(world.sol.reserve)).config.loanToValueBps, 6_500);
    cfg.reserves[1].config.loanToValueBps = 7_000;
    await deploy(program, cfg, () => {});
    assert.equal((await program.account.reserve.fetch(world.sol.reserve)).config.loanToValueBps, 7_000);
  });

  it("fail_update_reserve_config_when_signer_is_not_the_admin", async function () {
    const intruder = Keypair.generate();
    await fund(intruder.publicKey, 1);
    const current = await program.account.reserve.fetch(world.usdc.reserve);
    await expectError(
      program.methods
        .updateReserveConfig({ ...current.config, loanToValueBps: 9_000 })
        .accountsPartial({ admin: intruder.publicKey, lendingMarket: world.market, reserve: world.usdc.reserve })
        .signers([intruder])
        .rpc(),
      "Unauthorized",
    );
  });

  it("fail_init_reserve_when_seed_deposit_is_too_small", async function () {
    const mint = await createMint(connection, payer, payer.publicKey, null, 6);
    const ata = await getOrCreateAssociatedTokenAccount(connection, payer, mint, payer.publicKey);
    await mintTo(connection, payer, mint, ata.address, payer, 10n);
    const [reserveCfg] = config([{ ...world.usdc, mint }], marketKeypair).reserves;
    const current = await program.account.reserve.fetch(world.usdc.reserve);
    await expectError(
      program.methods
        .initReserve(current.config, {
          kind: { pythPull: {} },
          priceAccount: new PublicKey(reserveCfg.oracle.priceAccount),
          feedId: Array.from(Buffer.from(world.usdc.feedId, "hex")),
          maxAgeSecs: 120,
          maxConfidenceBps: 200,
          maxEmaDivergenceBps: 1_000,
        }, new BN(10), false)
        .accountsPartial({
          admin: payer.publicKey,
          lendingMarket: world.market,
          mint,
          priceAccount: new PublicKey(reserveCfg.oracle.priceAccount),
          adminTokenAccount: ata.address,
          tokenProgram: TOKEN_PROGRAM_ID,
        })
        .rpc(),
      "SeedDepositTooSmall",
    );
  });
});
