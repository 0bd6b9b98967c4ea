/**
 * Creates (or brings up to date) a Sentinel market, its reserves and their oracle configs from
 * a JSON config file. Idempotent: what exists and matches the file is left alone, what exists
 * and differs is updated with the admin instructions, what is missing is created.
 *
 *   npx tsx migrations/deploy.ts --config migrations/config/localnet.json [--url URL] [--wallet KEYPAIR]
 *
 * E-mode groups (`emodeGroups`, optional): each group's parameters are set on the market and
 * each listed reserve's memberships to the groups that name it; without the key, groups and
 * memberships are left as they are.
 *
 * Volatility-adjusted risk (a reserve's `volatility`, optional): `set_volatility_config` with
 * those settings (all zero turns it off); without the key, the reserve's setting is left as it is.
 *
 * `anchor migrate` calls the default export with the workspace provider; the config path then
 * comes from `SENTINEL_DEPLOY_CONFIG` (default `migrations/config/localnet.json`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AnchorProvider, BN, Program, Wallet } from "@anchor-lang/core";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { getAssociatedTokenAddressSync, getAccount } from "@solana/spl-token";
import { lendingProgram, oracleConfigPda, reservePda, type Lending } from "../sdk";

export interface MarketConfig {
  closeFactorBps: number;
  insolvencyLtvBps: number;
  /** Health factor a liquidation lifts an obligation to (bps, 10,100..=15,000; 0 = off). Default 10,500. */
  targetHealthBps?: number;
  liquidationAuctionSecs: number;
  dustThresholdValue: string | number;
  borrowPaused?: boolean;
  withdrawPaused?: boolean;
}

export interface ReserveFileConfig {
  symbol: string;
  mint: string;
  /** Tokens (base units) the admin deposits at listing; taken from the admin's associated token account. */
  seedAmount: string | number;
  /** List a mint that has a freeze authority (refused otherwise: its issuer could freeze the vault). */
  allowFreezeAuthority?: boolean;
  config: {
    loanToValueBps: number;
    liquidationThresholdBps: number;
    minLiquidationBonusBps: number;
    maxLiquidationBonusBps: number;
    protocolLiquidationFeeBps: number;
    reserveFactorBps: number;
    borrowFactorBps: number;
    borrowPaused?: boolean;
    withdrawPaused?: boolean;
    depositCap: string | number;
    borrowCap: string | number;
    /** `[utilization bps, APR bps]` points, ascending, ending at 10,000 (padded to 11). */
    borrowRateCurve: [number, number][];
  };
  oracle: {
    kind: "pythPull" | "pythLegacy";
    priceAccount: string;
    /** 32-byte hex Pyth feed id (pull); ignored for legacy accounts. */
    feedId?: string;
    maxAgeSecs: number;
    maxConfidenceBps: number;
    maxEmaDivergenceBps: number;
  };
  /** How the reserve's risk parameters follow its volatility (`set_volatility_config`; see
   *  `sdk/volatility.ts`): half-life (s), calm and stress levels (bps of σ), LTV and threshold
   *  floors (bps), borrow-cap floor (bps of the cap), min-bonus ceiling (bps), threshold
   *  tightening (bps per hour). */
  volatility?: {
    halfLifeSecs: number;
    calmVolBps: number;
    stressVolBps: number;
    ltvFloorBps: number;
    thresholdFloorBps: number;
    borrowCapFloorBps: number;
    /** Minimum bonus at full stress (bps, ≤ the maximum bonus; the minimum bonus = no rise). */
    minBonusCeilingBps: number;
    thresholdRateBpsPerHour: number;
  };
}

/** One e-mode group (`set_emode_group`, `set_reserve_emode_groups`). */
export interface EmodeGroupConfig {
  /** Group id, 1..=16. */
  id: number;
  loanToValueBps: number;
  /** Below the market's insolvency LTV and at most 9,800. */
  liquidationThresholdBps: number;
  minLiquidationBonusBps: number;
  maxLiquidationBonusBps: number;
  /** Member reserves, by the symbol of a reserve of this file. */
  members: string[];
}

export interface DeployConfig {
  /** Keypair file of the market account; created on the first run, reused afterwards. */
  marketKeypair: string;
  /** Quote currency label, e.g. "USD". */
  quoteCurrency: string;
  market: MarketConfig;
  reserves: ReserveFileConfig[];
  /** E-mode groups; their members' memberships are set to exactly the groups naming them. */
  emodeGroups?: EmodeGroupConfig[];
}

export type Action = "created" | "updated" | "unchanged";

export interface DeployReport {
  market: { address: string; action: Action };
  reserves: { symbol: string; reserve: string; config: Action; oracle: Action; emodeGroups?: Action; volatility?: Action }[];
  emodeGroups?: { id: number; action: Action }[];
}

const CURVE_POINTS = 11;

function loadOrCreateKeypair(file: string): Keypair {
  if (fs.existsSync(file)) {
    return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8"))));
  }
  const k = Keypair.generate();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(Array.from(k.secretKey)), { mode: 0o600 });
  return k;
}

const marketParams = (m: MarketConfig) => ({
  closeFactorBps: m.closeFactorBps,
  insolvencyLtvBps: m.insolvencyLtvBps,
  targetHealthBps: m.targetHealthBps ?? 10_500,
  liquidationAuctionSecs: m.liquidationAuctionSecs,
  dustThresholdValue: new BN(String(m.dustThresholdValue)),
  borrowPaused: m.borrowPaused ?? false,
  withdrawPaused: m.withdrawPaused ?? false,
});

function reserveConfig(c: ReserveFileConfig["config"]) {
  if (c.borrowRateCurve.length === 0 || c.borrowRateCurve.length > CURVE_POINTS) {
    throw new Error(`borrowRateCurve needs 1..=${CURVE_POINTS} points`);
  }
  const last = c.borrowRateCurve[c.borrowRateCurve.length - 1];
  const points = [...c.borrowRateCurve];
  while (points.length < CURVE_POINTS) points.push(last);
  return {
    loanToValueBps: c.loanToValueBps,
    liquidationThresholdBps: c.liquidationThresholdBps,
    minLiquidationBonusBps: c.minLiquidationBonusBps,
    maxLiquidationBonusBps: c.maxLiquidationBonusBps,
    protocolLiquidationFeeBps: c.protocolLiquidationFeeBps,
    reserveFactorBps: c.reserveFactorBps,
    borrowFactorBps: c.borrowFactorBps,
    borrowPaused: c.borrowPaused ? 1 : 0,
    withdrawPaused: c.withdrawPaused ? 1 : 0,
    depositCap: new BN(String(c.depositCap)),
    borrowCap: new BN(String(c.borrowCap)),
    borrowRateCurve: points.map(([u, r]) => ({ utilizationBps: u, borrowRateBps: r })),
  };
}

function feedIdBytes(hex: string | undefined): number[] {
  const h = (hex ?? "").replace(/^0x/, "").padStart(64, "0");
  if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new Error(`feedId must be 32 bytes of hex: ${hex}`);
  return Array.from(Buffer.from(h, "hex"));
}

const oracleParams = (o: ReserveFileConfig["oracle"]) => ({
  kind: o.kind === "pythPull" ? { pythPull: {} } : { pythLegacy: {} },
  priceAccount: new PublicKey(o.priceAccount),
  feedId: feedIdBytes(o.feedId),
  maxAgeSecs: o.maxAgeSecs,
  maxConfidenceBps: o.maxConfidenceBps,
  maxEmaDivergenceBps: o.maxEmaDivergenceBps,
});

/** Plain JSON of decoded account fields, for comparing with the desired values. */
const norm = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x instanceof BN ? x.toString() : x instanceof PublicKey ? x.toBase58() : x,
  );

/** Deploys `config` with `program` (whose provider wallet is the admin). */
export async function deploy(
  program: Program<Lending>,
  config: DeployConfig,
  log: (line: string) => void = console.log,
): Promise<DeployReport> {
  const provider = program.provider as AnchorProvider;
  const admin = provider.wallet.publicKey;
  const marketKp = loadOrCreateKeypair(config.marketKeypair);
  const market = marketKp.publicKey;
  const params = marketParams(config.market);
  const report: DeployReport = { market: { address: market.toBase58(), action: "unchanged" }, reserves: [] };

  const existing = await program.account.lendingMarket.fetchNullable(market);
  if (!existing) {
    const quote = Buffer.alloc(32);
    quote.write(config.quoteCurrency);
    await program.methods
      .initMarket(Array.from(quote), params)
      .accountsPartial({ admin, lendingMarket: market })
      .signers([marketKp])
      .rpc();
    report.market.action = "created";
  } else {
    if (!existing.admin.equals(admin)) {
      throw new Error(`market ${market.toBase58()} belongs to ${existing.admin.toBase58()}, not ${admin.toBase58()}`);
    }
    const onChain = {
      closeFactorBps: existing.closeFactorBps,
      insolvencyLtvBps: existing.insolvencyLtvBps,
      targetHealthBps: existing.targetHealthBps,
      liquidationAuctionSecs: existing.liquidationAuctionSecs,
      dustThresholdValue: existing.dustThresholdValue,
      borrowPaused: existing.borrowPaused !== 0,
      withdrawPaused: existing.withdrawPaused !== 0,
    };
    if (norm(onChain) !== norm(params)) {
      await program.methods.updateMarket(params).accountsPartial({ admin, lendingMarket: market }).rpc();
      report.market.action = "updated";
    }
  }
  log(`market ${market.toBase58()}: ${report.market.action}`);

  for (const r of config.reserves) {
    const mint = new PublicKey(r.mint);
    const reserve = reservePda(program.programId, market, mint);
    const cfg = reserveConfig(r.config);
    const oracle = oracleParams(r.oracle);
    const row: DeployReport["reserves"][number] = { symbol: r.symbol, reserve: reserve.toBase58(), config: "unchanged", oracle: "unchanged" };
    const current = await program.account.reserve.fetchNullable(reserve);
    if (!current) {
      const mintInfo = await provider.connection.getAccountInfo(mint);
      if (!mintInfo) throw new Error(`${r.symbol}: mint ${mint.toBase58()} does not exist`);
      const tokenProgram = mintInfo.owner;
      const source = getAssociatedTokenAddressSync(mint, admin, false, tokenProgram);
      const balance = await getAccount(provider.connection, source, "confirmed", tokenProgram).catch(() => null);
      const seed = BigInt(String(r.seedAmount));
      if (!balance || balance.amount < seed) {
        throw new Error(`${r.symbol}: the admin's token account ${source.toBase58()} must hold the seed deposit of ${seed}`);
      }
      await program.methods
        .initReserve(cfg, oracle, new BN(seed.toString()), Boolean(r.allowFreezeAuthority))
        .accountsPartial({ admin, lendingMarket: market, mint, priceAccount: oracle.priceAccount, adminTokenAccount: source, tokenProgram })
        .rpc();
      row.config = row.oracle = "created";
    } else {
      if (norm(current.config) !== norm(cfg)) {
        await program.methods.updateReserveConfig(cfg).accountsPartial({ admin, lendingMarket: market, reserve }).rpc();
        row.config = "updated";
      }
      const oc = await program.account.oracleConfig.fetch(oracleConfigPda(program.programId, reserve));
      const onChainOracle = {
        kind: oc.kind === 0 ? { pythPull: {} } : { pythLegacy: {} },
        priceAccount: oc.priceAccount,
        feedId: oc.feedId,
        maxAgeSecs: oc.maxAgeSecs,
        maxConfidenceBps: oc.maxConfidenceBps,
        maxEmaDivergenceBps: oc.maxEmaDivergenceBps,
      };
      if (norm(onChainOracle) !== norm(oracle)) {
        await program.methods
          .updateOracleConfig(oracle)
          .accountsPartial({
            admin,
            lendingMarket: market,
            reserve,
            oracleConfig: oracleConfigPda(program.programId, reserve),
            priceAccount: oracle.priceAccount,
          })
          .rpc();
        row.oracle = "updated";
      }
    }
    if (r.volatility) {
      const onChain = (await program.account.reserve.fetch(reserve)).volatility.config;
      const v = r.volatility;
      // The IDL's field order, so that the comparison does not depend on the file's.
      const wanted = {
        halfLifeSecs: v.halfLifeSecs,
        calmVolBps: v.calmVolBps,
        stressVolBps: v.stressVolBps,
        ltvFloorBps: v.ltvFloorBps,
        thresholdFloorBps: v.thresholdFloorBps,
        borrowCapFloorBps: v.borrowCapFloorBps,
        minBonusCeilingBps: v.minBonusCeilingBps,
        thresholdRateBpsPerHour: v.thresholdRateBpsPerHour,
      };
      row.volatility = "unchanged";
      if (norm(onChain) !== norm(wanted)) {
        await program.methods.setVolatilityConfig(wanted).accountsPartial({ admin, lendingMarket: market, reserve }).rpc();
        row.volatility = onChain.halfLifeSecs === 0 ? "created" : "updated";
      }
    }
    log(`reserve ${r.symbol} ${reserve.toBase58()}: config ${row.config}, oracle ${row.oracle}`);
    report.reserves.push(row);
  }
  if (config.emodeGroups) await deployGroups(program, config, market, report, log);
  return report;
}

/** Sets the e-mode groups of `config` on `market`, then each listed reserve's memberships. */
async function deployGroups(
  program: Program<Lending>,
  config: DeployConfig,
  market: PublicKey,
  report: DeployReport,
  log: (line: string) => void,
): Promise<void> {
  const admin = (program.provider as AnchorProvider).wallet.publicKey;
  const groups = config.emodeGroups ?? [];
  const symbols = new Set(config.reserves.map((r) => r.symbol));
  for (const g of groups) {
    for (const m of g.members) if (!symbols.has(m)) throw new Error(`e-mode group ${g.id}: unknown member ${m}`);
  }
  report.emodeGroups = [];
  const onChain = (await program.account.lendingMarket.fetch(market)).emodeGroups;
  for (const g of groups) {
    const params = {
      loanToValueBps: g.loanToValueBps,
      liquidationThresholdBps: g.liquidationThresholdBps,
      minLiquidationBonusBps: g.minLiquidationBonusBps,
      maxLiquidationBonusBps: g.maxLiquidationBonusBps,
    };
    let action: Action = "unchanged";
    if (norm(onChain[g.id - 1]) !== norm(params)) {
      action = onChain[g.id - 1]?.liquidationThresholdBps ? "updated" : "created";
      await program.methods.setEmodeGroup(g.id, params).accountsPartial({ admin, lendingMarket: market }).rpc();
    }
    log(`e-mode group ${g.id}: ${action}`);
    report.emodeGroups.push({ id: g.id, action });
  }
  for (const row of report.reserves) {
    const mask = groups
      .filter((g) => g.members.includes(row.symbol))
      .reduce((acc, g) => acc | (1n << BigInt(g.id - 1)), 0n);
    const reserve = new PublicKey(row.reserve);
    const current = BigInt((await program.account.reserve.fetch(reserve)).emodeGroups.toString());
    row.emodeGroups = "unchanged";
    if (current !== mask) {
      await program.methods
        .setReserveEmodeGroups(new BN(mask.toString()))
        .accountsPartial({ admin, lendingMarket: market, reserve })
        .rpc();
      row.emodeGroups = "updated";
    }
    log(`reserve ${row.symbol}: e-mode groups ${row.emodeGroups}`);
  }
}

/** Reads and checks a config file; relative keypair paths are relative to the file. */
export function readConfig(file: string): DeployConfig {
  const config = JSON.parse(fs.readFileSync(file, "utf8")) as DeployConfig;
  if (!config.marketKeypair || !config.market || !Array.isArray(config.reserves)) {
    throw new Error(`${file}: needs marketKeypair, market and reserves`);
  }
  config.marketKeypair = path.resolve(path.dirname(file), config.marketKeypair);
  return config;
}

/** `anchor migrate` entry point. */
export default async function (provider: AnchorProvider): Promise<void> {
  const file = process.env.SENTINEL_DEPLOY_CONFIG ?? "migrations/config/localnet.json";
  await deploy(lendingProgram(provider), readConfig(file));
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const file = arg("config");
  if (!file) {
    console.error("usage: tsx migrations/deploy.ts --config FILE [--url URL] [--wallet KEYPAIR]");
    process.exit(2);
  }
  const url = arg("url") ?? process.env.ANCHOR_PROVIDER_URL ?? "http://127.0.0.1:8899";
  const walletFile = arg("wallet") ?? process.env.ANCHOR_WALLET;
  if (!walletFile) {
    console.error("a wallet keypair is needed: --wallet FILE or ANCHOR_WALLET");
    process.exit(2);
  }
  const wallet = new Wallet(Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(walletFile, "utf8")))));
  const provider = new AnchorProvider(new Connection(url, "confirmed"), wallet, { commitment: "confirmed" });
  deploy(lendingProgram(provider), readConfig(file))
    .then((report) => console.log(JSON.stringify(report)))
    .catch((e) => {
      console.error(`deploy failed: ${e?.message ?? e}`);
      process.exit(1);
    });
}
