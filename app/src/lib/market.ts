/**
 * The market as the app shows it: the market account, every reserve with its oracle config,
 * and every obligation, decoded through the committed IDL. Reserves are valued twice: at the
 * prices their accounts cached at their last refresh, and "live", at what a `refresh_reserve`
 * in this slot would store, learned by simulating that refresh (its `ReserveRefreshed` event),
 * so positions are valued exactly as the program will value them, with no second oracle decoder.
 */
import { AnchorProvider, Program } from "@anchor-lang/core";
import { Connection, PublicKey, TransactionMessage, VersionedTransaction } from "@solana/web3.js";
import { cpiEvents, emode, lendingProgram, math as m, position as pos, type Lending } from "../../../sdk";
import { rpcFetch } from "./fetch";

export type LendingProgram = Program<Lending>;

/** A client that only reads (and builds instructions); wallets sign elsewhere. */
export function readProgram(connection: Connection, wallet?: PublicKey): LendingProgram {
  const publicKey = wallet ?? PublicKey.default;
  const signer = {
    publicKey,
    signTransaction: async <T,>(t: T) => t,
    signAllTransactions: async <T,>(t: T[]) => t,
  };
  return lendingProgram(new AnchorProvider(connection, signer as never, { commitment: "confirmed" }));
}

/** Symbols by mint, for a few well-known mainnet mints. */
const KNOWN_MINTS: Record<string, string> = {
  EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v: "USDC",
  Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB: "USDT",
  So11111111111111111111111111111111111111112: "SOL",
  JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN: "JUP",
  "7vfCXTUXx5WJV5JADk17DUJ4ksgau7utNKj4b963voxs": "ETH",
  mSoLzYCxHdYgdzU16g5QSh3i5K3z3KZK7ytfqcJm7So: "mSOL",
  J1toso1uCk3RLmjorhTtrVwY9HJ7X8V9yYac6Y7kGCPn: "JitoSOL",
};

/** What `sentinel-localnet --demo` says of its market (`sentinel_demoMarket`). */
export interface DemoMarket {
  market: string;
  assets: { symbol: string; mint: string; reserve: string; priceAccount: string; oracleKind: string; feedId: string }[];
}

/** Calls a JSON-RPC method the web3.js client has no wrapper for. */
export async function rpcCall(rpcUrl: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await rpcFetch(rpcUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** The node's demo market, or null on a node without one (any real cluster). */
export async function demoMarket(rpcUrl: string): Promise<DemoMarket | null> {
  try {
    return (await rpcCall(rpcUrl, "sentinel_demoMarket")) as DemoMarket;
  } catch {
    return null;
  }
}

/** The market to show: the configured one, else the node's demo market, else the first found;
 *  with the node's demo description, if it has one (its token symbols). */
export async function findMarket(
  program: LendingProgram,
  rpcUrl: string,
  configured: string,
): Promise<{ key: PublicKey; demo: DemoMarket | null }> {
  const demo = await demoMarket(rpcUrl);
  if (configured) return { key: new PublicKey(configured), demo };
  if (demo) return { key: new PublicKey(demo.market), demo };
  const all = await program.account.lendingMarket.all();
  if (all.length === 0) throw new Error("no lending market of this program on this cluster: set one in Settings");
  return { key: all[0].publicKey, demo };
}

export interface ReserveView {
  key: PublicKey;
  address: string;
  symbol: string;
  mint: PublicKey;
  vault: PublicKey;
  tokenProgram: PublicKey;
  decimals: number;
  decoded: any;
  oracle: any | null;
  oracleKind: string;
  priceAccount: PublicKey;
  /** Figures at the prices of the reserve's last refresh. */
  cached: pos.ReserveFigures;
  /** Figures at what a refresh now stores; `cached` when the refresh would fail. */
  live: pos.ReserveFigures;
  /** Why the simulated refresh failed (a stale or failing oracle), else null. */
  liveError: string | null;
  /** False when no account could pay for the simulation: `live` is then the cached state. */
  simulated: boolean;
  /** Publish time of the live price (unix seconds). */
  publishTime: number;
  terms: pos.LiquidationTerms;
}

export interface ObligationView {
  key: PublicKey;
  address: string;
  owner: PublicKey;
  decoded: any;
  positions: pos.Positions;
  /** Valued at live figures; null when a reserve of it is missing. */
  valuation: pos.Valuation | null;
  hf: bigint | null;
  /** Its e-mode group (0 = none). */
  group: number;
  /** The live figures and liquidation terms as its positions count them: a member of its
   *  e-mode group with the group's parameters (`sdk/emode`). */
  live: Map<string, pos.ReserveFigures>;
  terms: Map<string, pos.LiquidationTerms>;
}

export interface MarketView {
  key: PublicKey;
  decoded: any;
  rules: pos.MarketRules;
  reserves: ReserveView[];
  byAddress: Map<string, ReserveView>;
  /** Live figures by reserve address, for `sdk/position`. */
  live: Map<string, pos.ReserveFigures>;
  terms: Map<string, pos.LiquidationTerms>;
  slot: number;
  /** Unix time of the node's clock at `slot`. */
  now: number;
  demo: DemoMarket | null;
}

const ORACLE_KINDS = ["Pyth pull", "Pyth legacy"];

/** Simulates `refresh_reserve` of one reserve, paid by the first payer that can pay. */
async function simulateRefresh(
  program: LendingProgram,
  reserve: PublicKey,
  oracleConfig: PublicKey,
  priceAccount: PublicKey,
  payers: PublicKey[],
): Promise<{ event: pos.RefreshedEvent & { publishTime: { toString(): string } } } | { error: string } | { noPayer: true }> {
  const ix = await program.methods.refreshReserve().accountsPartial({ reserve, oracleConfig, priceAccount }).instruction();
  // The node replaces the blockhash (`replaceRecentBlockhash`), so any well-formed one will do.
  const recentBlockhash = PublicKey.default.toBase58();
  for (const payerKey of payers) {
    const message = new TransactionMessage({ payerKey, recentBlockhash, instructions: [ix] }).compileToLegacyMessage();
    const tx = new VersionedTransaction(message);
    const sim = await program.provider.connection.simulateTransaction(tx, {
      sigVerify: false,
      replaceRecentBlockhash: true,
      innerInstructions: true,
      commitment: "confirmed",
    });
    if (sim.value.err) {
      // A payer without SOL cannot pay even a simulated fee: try the next one.
      if (/AccountNotFound|InsufficientFundsForFee/.test(JSON.stringify(sim.value.err))) continue;
      return { error: errorText(sim.value.err, sim.value.logs ?? []) };
    }
    const events = cpiEvents(program, {
      meta: { innerInstructions: (sim.value.innerInstructions ?? []) as never },
      transaction: { message: { staticAccountKeys: message.accountKeys } },
    });
    const ev = events.find((e) => e.name === "reserveRefreshed");
    return ev ? { event: ev.data } : { error: "no ReserveRefreshed event" };
  }
  return { noPayer: true };
}

/** A transaction error as `Name (code)` when it is the lending program's. */
export function errorText(err: unknown, logs: string[]): string {
  const s = JSON.stringify(err);
  const code = /"Custom":(\d+)/.exec(s)?.[1];
  const named = logs.map((l) => /Error Code: (\w+)/.exec(l)?.[1]).find(Boolean);
  return named ?? (code ? `custom error ${code}` : s);
}

/** Loads the market, its reserves (cached and live) and its obligations. */
export async function loadMarket(
  program: LendingProgram,
  found: { key: PublicKey; demo: DemoMarket | null },
  payers: PublicKey[],
): Promise<{ market: MarketView; obligations: ObligationView[] }> {
  const connection = program.provider.connection;
  const { key: marketKey, demo } = found;
  const byMarket = [{ memcmp: { offset: 8, bytes: marketKey.toBase58() } }];
  const [decodedMarket, reserves, obligations, slot] = await Promise.all([
    program.account.lendingMarket.fetch(marketKey),
    program.account.reserve.all(byMarket),
    program.account.obligation.all(byMarket),
    connection.getSlot("confirmed"),
  ]);
  const now = (await connection.getBlockTime(slot).catch(() => null)) ?? Math.floor(Date.now() / 1000);
  const oracles = await program.account.oracleConfig.fetchMultiple(reserves.map((r) => r.account.oracleConfig));
  const symbols = new Map<string, string>(Object.entries(KNOWN_MINTS));
  for (const a of demo?.market === marketKey.toBase58() ? demo.assets : []) symbols.set(a.mint, a.symbol);
  const views: ReserveView[] = await Promise.all(
    reserves.map(async (r, i) => {
      const d: any = r.account;
      const oracle: any = oracles[i];
      const cached = pos.reserveFigures(d);
      let live = cached;
      let liveError: string | null = oracle ? null : "oracle config missing";
      let publishTime = Number(d.pricePublishTime.toString());
      let simulated = false;
      if (oracle) {
        const sim = await simulateRefresh(program, r.publicKey, d.oracleConfig, oracle.priceAccount, [...payers, decodedMarket.admin]);
        simulated = !("noPayer" in sim);
        if ("event" in sim) {
          live = pos.refreshedFigures(cached, sim.event, d.config.reserveFactorBps);
          publishTime = Number(sim.event.publishTime.toString());
        } else if ("error" in sim) {
          liveError = sim.error;
        }
      }
      const mint = d.mint.toBase58();
      return {
        key: r.publicKey,
        address: r.publicKey.toBase58(),
        symbol: symbols.get(mint) ?? `${mint.slice(0, 4)}…`,
        mint: d.mint,
        vault: d.vault,
        tokenProgram: d.tokenProgram,
        decimals: d.decimals,
        decoded: d,
        oracle,
        oracleKind: oracle ? ORACLE_KINDS[oracle.kind] ?? `kind ${oracle.kind}` : "—",
        priceAccount: oracle?.priceAccount ?? PublicKey.default,
        cached,
        live,
        liveError,
        simulated,
        publishTime,
        terms: pos.liquidationTerms(d),
      };
    }),
  );
  views.sort((a, b) => a.symbol.localeCompare(b.symbol));
  const byAddress = new Map(views.map((v) => [v.address, v]));
  const live = new Map(views.map((v) => [v.address, v.live]));
  const market: MarketView = {
    key: marketKey,
    decoded: decodedMarket,
    rules: pos.marketRules(decodedMarket),
    reserves: views,
    byAddress,
    live,
    terms: new Map(views.map((v) => [v.address, v.terms])),
    slot,
    now,
    demo,
  };
  return { market, obligations: obligations.map((o) => obligationView(market, o.publicKey, o.account)) };
}

/** An obligation valued at the market's live figures. */
export function obligationView(market: MarketView, key: PublicKey, decoded: any): ObligationView {
  const positions = pos.positionsOf(decoded);
  const group: number = decoded.emodeGroup ?? 0;
  const groups = emode.marketGroups(market.decoded);
  let live = market.live;
  let terms = market.terms;
  let valuation: pos.Valuation | null = null;
  try {
    live = emode.figuresInGroup(market.live, groups, group);
    terms = emode.termsInGroup(market.terms, market.live, groups, group);
    valuation = pos.valueObligation(positions, live);
  } catch {
    valuation = null;
  }
  return {
    key,
    address: key.toBase58(),
    owner: decoded.owner,
    decoded,
    positions,
    valuation,
    hf: valuation ? m.healthFactor(valuation.health) : null,
    group,
    live,
    terms,
  };
}
