/** The keeper binary seen from outside, for suite 11: the market's obligations assessed with the
 *  TS sdk at current prices, the process (spawned, `/metrics` scraped, stopped with SIGTERM),
 *  and the `Liquidated` events of a signer's transactions. */
import * as fs from "node:fs";
import * as net from "node:net";
import { spawn, type ChildProcess } from "node:child_process";
import { Program } from "@anchor-lang/core";
import { PublicKey, TransactionMessage, VersionedTransaction } from "@solana/web3.js";
import { getAccount } from "@solana/spl-token";
import { connection } from "./env";
import { eventsOf } from "./events";
import { cpiEvents, type Lending } from "../../sdk";
import * as m from "../../sdk/math";
import * as pos from "../../sdk/position";

/** Figures of every reserve of `market` at current prices: a simulated `refresh_reserve` of each
 *  (nothing is written), its `ReserveRefreshed` event applied to the stored figures. */
async function liveReserves(program: Program<Lending>, market: PublicKey, payer: PublicKey): Promise<Map<string, pos.ReserveFigures>> {
  const reserves = await program.account.reserve.all([{ memcmp: { offset: 8, bytes: market.toBase58() } }]);
  const out = new Map<string, pos.ReserveFigures>();
  for (const r of reserves) {
    const oracle = await program.account.oracleConfig.fetch(r.account.oracleConfig);
    const ix = await program.methods
      .refreshReserve()
      .accountsPartial({ reserve: r.publicKey, oracleConfig: r.account.oracleConfig, priceAccount: oracle.priceAccount })
      .instruction();
    const message = new TransactionMessage({ payerKey: payer, recentBlockhash: PublicKey.default.toBase58(), instructions: [ix] }).compileToLegacyMessage();
    const sim = await connection.simulateTransaction(new VersionedTransaction(message), {
      sigVerify: false,
      replaceRecentBlockhash: true,
      innerInstructions: true,
      commitment: "confirmed",
    });
    if (sim.value.err) throw new Error(`refresh_reserve ${r.publicKey.toBase58()}: ${JSON.stringify(sim.value.err)}`);
    const ev = cpiEvents(program, {
      meta: { innerInstructions: (sim.value.innerInstructions ?? []) as never },
      transaction: { message: { staticAccountKeys: message.accountKeys } },
    }).find((e) => e.name === "reserveRefreshed");
    if (!ev) throw new Error(`no ReserveRefreshed event for ${r.publicKey.toBase58()}`);
    out.set(r.publicKey.toBase58(), pos.refreshedFigures(pos.reserveFigures(r.account), ev.data, r.account.config.reserveFactorBps));
  }
  return out;
}

export interface Assessed {
  key: PublicKey;
  health: m.Health;
  liquidatable: boolean;
  /** Debt left and no deposit that redeems a single token: bad debt to write off. */
  bankrupt: boolean;
}

/** Every obligation of `market` that has debt, valued as `refresh_obligation` would now. */
export async function assessMarket(program: Program<Lending>, market: PublicKey, payer: PublicKey): Promise<Assessed[]> {
  const reserves = await liveReserves(program, market, payer);
  const obligations = await program.account.obligation.all([{ memcmp: { offset: 8, bytes: market.toBase58() } }]);
  const out: Assessed[] = [];
  for (const o of obligations) {
    const p = pos.positionsOf(o.account);
    if (p.borrows.length === 0) continue;
    const health = pos.valueObligation(p, reserves).health;
    const redeemable = p.deposits.filter((d) => {
      const r = reserves.get(d.reserve)!;
      return m.redeemAmount(d.shares, pos.supplyAssets(r), r.shareSupply) > 0n;
    });
    out.push({ key: o.publicKey, health, liquidatable: m.isLiquidatable(health), bankrupt: redeemable.length === 0 });
  }
  return out;
}

/** The obligations the keeper must act on: liquidatable, or bad debt to write off. */
export const needingAction = async (program: Program<Lending>, market: PublicKey, payer: PublicKey): Promise<PublicKey[]> =>
  (await assessMarket(program, market, payer)).filter((a) => a.liquidatable || a.bankrupt).map((a) => a.key);

/** A free TCP port on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** The node's pubsub URL: sentinel-localnet listens on the RPC port + 1. */
export function pubsubUrl(rpcUrl: string): string {
  const u = new URL(rpcUrl);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  u.port = String(Number(u.port || (u.protocol === "wss:" ? 443 : 80)) + 1);
  return u.toString();
}

export interface KeeperProcess {
  child: ChildProcess;
  metricsPort: number;
  logPath: string;
  /** Exit code once it exited (null while it runs). */
  exited: () => number | null;
}

/** Starts `sentinel-keeper run` on `market` as a separate process (stderr to `logPath`). */
export async function startKeeper(opts: { bin: string; rpcUrl: string; market: PublicKey; keypairFile: string; logPath: string }): Promise<KeeperProcess> {
  if (!fs.existsSync(opts.bin)) throw new Error(`keeper binary ${opts.bin} not found: cargo build -p keeper --bin sentinel-keeper, or set SENTINEL_KEEPER_BIN`);
  const metricsPort = await freePort();
  const args = [
    "run",
    "--rpc-url", opts.rpcUrl,
    "--market", opts.market.toBase58(),
    "--keypair", opts.keypairFile,
    "--poll-ms", "300",
    "--min-profit", "0",
    "--max-liquidations", "50",
    "--ws-url", pubsubUrl(opts.rpcUrl),
    "--metrics-addr", `127.0.0.1:${metricsPort}`,
  ];
  const log = fs.openSync(opts.logPath, "w");
  const child = spawn(opts.bin, args, { stdio: ["ignore", "ignore", log], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" } });
  fs.closeSync(log);
  let code: number | null = null;
  child.on("exit", (c, signal) => (code = c ?? (signal ? 128 : 1)));
  return { child, metricsPort, logPath: opts.logPath, exited: () => code };
}

/** `GET /metrics` of the keeper. */
export async function scrapeMetrics(k: KeeperProcess): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${k.metricsPort}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

/** The value of an unlabelled metric in a Prometheus text exposition. */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1).trim());
}

/** SIGTERM, then the exit code within `ms` (throws when it keeps running; it is killed then). */
export async function stopKeeper(k: KeeperProcess, ms = 20_000): Promise<number> {
  if (k.exited() !== null) return k.exited()!;
  const done = new Promise<number>((resolve) => k.child.once("exit", (c, signal) => resolve(c ?? (signal ? 128 : 1))));
  k.child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms).unref());
  const out = await Promise.race([done, timeout]);
  if (out === "timeout") {
    k.child.kill("SIGKILL");
    throw new Error(`the keeper did not stop within ${ms} ms of SIGTERM`);
  }
  return out;
}

/** The last lines of the keeper's log, for failure messages. */
export const logTail = (k: KeeperProcess, lines = 20): string =>
  fs.existsSync(k.logPath) ? fs.readFileSync(k.logPath, "utf8").trim().split("\n").slice(-lines).join("\n") : "";

/** Every `Liquidated` event (decoded, camelCase) of the successful transactions `signer` signed. */
export async function liquidatedEvents(signer: PublicKey): Promise<{ signature: string; data: any }[]> {
  const out: { signature: string; data: any }[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(signer, { before, limit: 1_000 }, "confirmed");
    for (const s of page) {
      if (s.err) continue;
      for (const e of await eventsOf(s.signature)) {
        if (e.name === "liquidated" && e.data.liquidator.equals(signer)) out.push({ signature: s.signature, data: e.data });
      }
    }
    if (page.length < 1_000) return out;
    before = page[page.length - 1].signature;
  }
}

/** Token balances (base units) by mint, of the accounts in `accounts` (mint → account, program). */
export async function balances(accounts: Map<string, { account: PublicKey; tokenProgram: PublicKey }>): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (const [mint, { account, tokenProgram }] of accounts) {
    out.set(mint, (await getAccount(connection, account, "confirmed", tokenProgram)).amount);
  }
  return out;
}
