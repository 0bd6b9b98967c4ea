/** A market of its own for suite 11: a fresh admin, 13 reserves (two of them Token-2022 mints)
 *  listed by `migrations/deploy.ts`, an address lookup table of the market's accounts, and
 *  positions opened through the program client (`program.methods`), one of up to 8 deposits +
 *  5 borrows. Mirrors the market of `keeper/tests/binary_over_rpc.rs`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { AnchorProvider, BN, Program, Wallet } from "@anchor-lang/core";
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  ComputeBudgetProgram,
  Keypair,
  PublicKey,
  SYSVAR_SLOT_HASHES_PUBKEY,
  SystemProgram,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import {
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  createAssociatedTokenAccountIdempotentInstruction,
  createMint,
  createMintToInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { connection, fund } from "./env";
import { setPrice } from "./prices";
import { eventAuthorityPda, lendingProgram, obligationPda, oracleConfigPda, reservePda, vaultPda, type Lending } from "../../sdk";
import { deploy, type DeployConfig, type DeployReport, type ReserveFileConfig } from "../../migrations/deploy";

/** A listed asset: risk parameters as the keeper's simulator lists them (`sim::world`). */
export interface Spec {
  symbol: string;
  decimals: number;
  /** Listing price (quote units per whole token). */
  price: number;
  kind: "pull" | "legacy";
  ltvBps: number;
  thresholdBps: number;
  minBonusBps: number;
  maxBonusBps: number;
  borrowFactorBps: number;
  /** Borrowers post it as collateral (its price falls in the crash). */
  collateral: boolean;
  token2022: boolean;
}

export interface WideAsset extends Spec {
  mint: PublicKey;
  tokenProgram: PublicKey;
  reserve: PublicKey;
  vault: PublicKey;
  oracleConfig: PublicKey;
  priceAccount: PublicKey;
  feedId: string;
  /** Current Pyth mantissa (expo −8). */
  mantissa: bigint;
}

const major = { ltvBps: 7_000, thresholdBps: 7_800, minBonusBps: 300, maxBonusBps: 1_000, borrowFactorBps: 10_000 };
const extra = (symbol: string, collateral: boolean, token2022 = false): Spec => ({
  symbol, decimals: 6, price: 1, kind: "pull", ...major, collateral, token2022,
});

/** USDC, SOL, ETH, JUP (legacy Pyth), five $1 collaterals X0–X4 and four $1 debts Y0–Y3;
 *  X4 (a collateral) and Y3 (a debt) are Token-2022 mints. */
export const SPECS: Spec[] = [
  { symbol: "USDC", decimals: 6, price: 1, kind: "pull", ltvBps: 8_000, thresholdBps: 8_500, minBonusBps: 200, maxBonusBps: 800, borrowFactorBps: 10_000, collateral: false, token2022: false },
  { symbol: "SOL", decimals: 9, price: 150, kind: "pull", ...major, collateral: true, token2022: false },
  { symbol: "ETH", decimals: 8, price: 3_000, kind: "pull", ...major, collateral: true, token2022: false },
  { symbol: "JUP", decimals: 6, price: 0.8, kind: "legacy", ltvBps: 4_500, thresholdBps: 5_500, minBonusBps: 500, maxBonusBps: 1_500, borrowFactorBps: 12_500, collateral: true, token2022: false },
  ...[0, 1, 2, 3].map((i) => extra(`X${i}`, true)),
  extra("X4", true, true),
  ...[0, 1, 2].map((i) => extra(`Y${i}`, false)),
  extra("Y3", false, true),
];

const SEED = 1_000_000n;
const PRICE_SCALE = 100_000_000;
const U64_QUARTER = ((1n << 64n) - 1n) / 4n;

/** Base units of `whole` tokens of `a`. */
export const baseUnits = (a: Spec, whole: number): bigint => BigInt(Math.floor(whole * 10 ** a.decimals));

function reserveFile(a: WideAsset): ReserveFileConfig {
  return {
    symbol: a.symbol,
    mint: a.mint.toBase58(),
    seedAmount: SEED.toString(),
    config: {
      loanToValueBps: a.ltvBps,
      liquidationThresholdBps: a.thresholdBps,
      minLiquidationBonusBps: a.minBonusBps,
      maxLiquidationBonusBps: a.maxBonusBps,
      protocolLiquidationFeeBps: 2_000,
      reserveFactorBps: 1_000,
      borrowFactorBps: a.borrowFactorBps,
      depositCap: U64_QUARTER.toString(),
      borrowCap: U64_QUARTER.toString(),
      borrowRateCurve: [[0, 0], [5_000, 300], [8_000, 800], [9_000, 3_000], [10_000, 15_000]],
    },
    // Prices are written once before the crash and once at it: an hour of validity covers the run.
    oracle: {
      kind: a.kind === "pull" ? "pythPull" : "pythLegacy",
      priceAccount: a.priceAccount.toBase58(),
      feedId: a.feedId,
      maxAgeSecs: 3_600,
      maxConfidenceBps: 200,
      maxEmaDivergenceBps: 1_000,
    },
  };
}

export class WideMarket {
  readonly program: Program<Lending>;
  market = PublicKey.default;
  assets: WideAsset[] = [];
  report?: DeployReport;
  private table?: AddressLookupTableAccount;

  constructor(readonly admin: Keypair) {
    const provider = new AnchorProvider(connection, new Wallet(admin), { commitment: "confirmed", preflightCommitment: "confirmed" });
    this.program = lendingProgram(provider);
  }

  /** Mints and prices of every asset, then the market and its reserves by the deploy script
   *  (the admin holds each seed deposit), then the lookup table. */
  static async create(dir: string, specs: Spec[] = SPECS): Promise<WideMarket> {
    const w = new WideMarket(Keypair.generate());
    await fund(w.admin.publicKey, 1_000);
    const marketKeypair = path.join(dir, "wide-market.json");
    const market = Keypair.generate();
    fs.writeFileSync(marketKeypair, JSON.stringify(Array.from(market.secretKey)));
    w.market = market.publicKey;
    for (const [i, s] of specs.entries()) {
      const tokenProgram = s.token2022 ? TOKEN_2022_PROGRAM_ID : TOKEN_PROGRAM_ID;
      const mint = await createMint(connection, w.admin, w.admin.publicKey, null, s.decimals, Keypair.generate(), undefined, tokenProgram);
      const reserve = reservePda(w.program.programId, w.market, mint);
      const a: WideAsset = {
        ...s, mint, tokenProgram, reserve,
        vault: vaultPda(w.program.programId, reserve),
        oracleConfig: oracleConfigPda(w.program.programId, reserve),
        priceAccount: Keypair.generate().publicKey,
        feedId: Buffer.alloc(32, 0x40 + i).toString("hex"),
        mantissa: BigInt(Math.round(s.price * PRICE_SCALE)),
      };
      await w.setPrice(a, a.mantissa);
      w.assets.push(a);
    }
    for (let i = 0; i < w.assets.length; i += 4) {
      await w.send(w.assets.slice(i, i + 4).flatMap((a) => w.mintIxs(a, w.admin.publicKey, SEED)));
    }
    const config: DeployConfig = {
      marketKeypair,
      quoteCurrency: "USD",
      market: { closeFactorBps: 2_000, insolvencyLtvBps: 9_500, targetHealthBps: 10_500, liquidationAuctionSecs: 600, dustThresholdValue: "2" },
      reserves: w.assets.map(reserveFile),
    };
    w.report = await deploy(w.program, config, () => {});
    await w.createLookupTable();
    return w;
  }

  async setPrice(a: WideAsset, mantissa: bigint): Promise<void> {
    await setPrice({ account: a.priceAccount, kind: a.kind, feedId: a.feedId, price: mantissa });
    a.mantissa = mantissa;
  }

  /** The associated token account of `owner` for `a` (under the mint's token program). */
  ata = (a: WideAsset, owner: PublicKey): PublicKey => getAssociatedTokenAddressSync(a.mint, owner, false, a.tokenProgram);

  /** Creates `owner`'s associated token account (idempotent) and mints `amount` into it. */
  mintIxs(a: WideAsset, owner: PublicKey, amount: bigint): TransactionInstruction[] {
    const ata = this.ata(a, owner);
    const ixs = [createAssociatedTokenAccountIdempotentInstruction(this.admin.publicKey, ata, owner, a.mint, a.tokenProgram)];
    if (amount > 0n) ixs.push(createMintToInstruction(a.mint, ata, this.admin.publicKey, amount, [], a.tokenProgram));
    return ixs;
  }

  /** One v0 transaction paid by the admin (through the lookup table once it exists). */
  async send(ixs: TransactionInstruction[], signers: Keypair[] = []): Promise<string> {
    const latest = await connection.getLatestBlockhash("confirmed");
    const message = new TransactionMessage({
      payerKey: this.admin.publicKey,
      recentBlockhash: latest.blockhash,
      instructions: [ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 }), ...ixs],
    }).compileToV0Message(this.table ? [this.table] : []);
    const tx = new VersionedTransaction(message);
    tx.sign([this.admin, ...signers]);
    const signature = await connection.sendTransaction(tx);
    const res = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
    if (res.value.err) throw new Error(`${signature} failed: ${JSON.stringify(res.value.err)}`);
    return signature;
  }

  /** A table of every account the positions' transactions name, usable from the next slot. */
  private async createLookupTable(): Promise<void> {
    const hashes = await connection.getAccountInfo(SYSVAR_SLOT_HASHES_PUBKEY, "confirmed");
    if (!hashes || hashes.data.length < 16) throw new Error("no SlotHashes sysvar");
    const recentSlot = Number(hashes.data.readBigUInt64LE(8));
    const authority = this.admin.publicKey;
    const [create, table] = AddressLookupTableProgram.createLookupTable({ authority, payer: authority, recentSlot });
    await this.send([create]);
    const programId = this.program.programId;
    const keys = [
      this.market, programId, eventAuthorityPda(programId), SystemProgram.programId, TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID,
      ...this.assets.flatMap((a) => [a.mint, a.reserve, a.vault, a.oracleConfig, a.priceAccount]),
    ];
    for (let i = 0; i < keys.length; i += 20) {
      await this.send([AddressLookupTableProgram.extendLookupTable({ lookupTable: table, authority, payer: authority, addresses: keys.slice(i, i + 20) })]);
    }
    const extendedAt = await connection.getSlot("confirmed");
    const deadline = Date.now() + 10_000;
    while ((await connection.getSlot("confirmed")) <= extendedAt) {
      if (Date.now() > deadline) throw new Error("the slot did not advance");
      await new Promise((r) => setTimeout(r, 100));
    }
    const loaded = (await connection.getAddressLookupTable(table, { commitment: "confirmed" })).value;
    if (!loaded || loaded.state.addresses.length !== keys.length) throw new Error("lookup table not loaded");
    this.table = loaded;
  }

  refreshReserveIx = (a: WideAsset) =>
    this.program.methods
      .refreshReserve()
      .accountsPartial({ reserve: a.reserve, oracleConfig: a.oracleConfig, priceAccount: a.priceAccount })
      .instruction();

  /** Borrow that uses `fraction` of the conservative borrow limit of `deposits` (whole tokens),
   *  in whole tokens of asset `debt` (spot − 0.1% confidence for collateral, + 0.1% for debt). */
  nearLimit(deposits: [number, number][], debt: number, fraction: number): number {
    const power = deposits.reduce((s, [i, whole]) => s + whole * this.assets[i].price * 0.999 * (this.assets[i].ltvBps / 10_000), 0);
    const d = this.assets[debt];
    return (power * fraction) / (d.price * 1.001 * (d.borrowFactorBps / 10_000));
  }

  /**
   * A new owner's obligation: its tokens minted to it, `init_obligation` and the deposits (four
   * per transaction), then each borrow in a transaction of its own after `refresh_reserve` of
   * every reserve the obligation uses (its valuation needs them priced in the same slot), the
   * obligation's reserves as remaining accounts (deposits, then earlier borrows).
   */
  async openPosition(deposits: [number, number][], borrows: [number, number][] = []): Promise<{ owner: Keypair; obligation: PublicKey }> {
    const owner = Keypair.generate();
    const obligation = obligationPda(this.program.programId, this.market, owner.publicKey, 0);
    const wants: [WideAsset, bigint][] = [
      ...deposits.map(([i, whole]): [WideAsset, bigint] => [this.assets[i], baseUnits(this.assets[i], whole)]),
      ...borrows.map(([i]): [WideAsset, bigint] => [this.assets[i], 0n]),
    ];
    for (let i = 0; i < wants.length; i += 4) {
      await this.send(wants.slice(i, i + 4).flatMap(([a, amount]) => this.mintIxs(a, owner.publicKey, amount)));
    }
    const ixs: TransactionInstruction[] = [
      await this.program.methods
        .initObligation(0)
        .accountsPartial({ owner: owner.publicKey, payer: this.admin.publicKey, lendingMarket: this.market, obligation })
        .instruction(),
    ];
    for (const [i, whole] of deposits) {
      const a = this.assets[i];
      ixs.push(
        await this.program.methods
          .deposit(new BN(baseUnits(a, whole).toString()))
          .accountsPartial({
            owner: owner.publicKey, lendingMarket: this.market, obligation, reserve: a.reserve, vault: a.vault, mint: a.mint,
            source: this.ata(a, owner.publicKey), tokenProgram: a.tokenProgram,
          })
          .instruction(),
      );
      if (ixs.length === 4) await this.send(ixs.splice(0), [owner]);
    }
    if (ixs.length > 0) await this.send(ixs, [owner]);
    const order = deposits.map(([i]) => this.assets[i]);
    for (const [i, whole] of borrows) {
      const a = this.assets[i];
      const refreshes = await Promise.all([...order, a].map((x) => this.refreshReserveIx(x)));
      const borrow = await this.program.methods
        .borrow(new BN(baseUnits(a, whole).toString()))
        .accountsPartial({
          owner: owner.publicKey, lendingMarket: this.market, obligation, reserve: a.reserve, vault: a.vault, mint: a.mint,
          destination: this.ata(a, owner.publicKey), tokenProgram: a.tokenProgram,
        })
        .remainingAccounts(order.map((x) => ({ pubkey: x.reserve, isSigner: false, isWritable: false })))
        .instruction();
      await this.send([...refreshes, borrow], [owner]);
      order.push(a);
    }
    return { owner, obligation };
  }
}
