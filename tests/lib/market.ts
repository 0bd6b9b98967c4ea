/** The market the numbered suites build in order (01 creates it, later suites use it), and the
 *  transaction helpers they share. */
import { BN } from "@anchor-lang/core";
import {
  Keypair,
  PublicKey,
  Transaction,
  TransactionInstruction,
  ComputeBudgetProgram,
} from "@solana/web3.js";
import { getOrCreateAssociatedTokenAccount, mintTo, getAccount } from "@solana/spl-token";
import { connection, payer, program, provider } from "./env";
import { obligationPda } from "../../sdk";

export interface Asset {
  symbol: string;
  decimals: number;
  mint: PublicKey;
  reserve: PublicKey;
  vault: PublicKey;
  oracleConfig: PublicKey;
  priceAccount: PublicKey;
  kind: "pull" | "legacy";
  feedId: string;
  /** Current price, 1e-8 quote units per whole token. */
  price: bigint;
}

export const world: { market: PublicKey; usdc: Asset; sol: Asset } = {} as any;

/** Sends instructions in one transaction signed by the payer and `signers`; returns the signature. */
export async function send(ixs: TransactionInstruction[], signers: Keypair[] = []): Promise<string> {
  const tx = new Transaction().add(ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 }), ...ixs);
  return provider.sendAndConfirm(tx, signers);
}

/** A token account of `owner` for `asset` holding `amount` more base units. */
export async function tokens(asset: Asset, owner: PublicKey, amount: bigint): Promise<PublicKey> {
  const ata = await getOrCreateAssociatedTokenAccount(connection, payer, asset.mint, owner);
  if (amount > 0n) await mintTo(connection, payer, asset.mint, ata.address, payer, amount);
  return ata.address;
}

/** Token balance (base units). */
export async function balance(account: PublicKey): Promise<bigint> {
  return (await getAccount(connection, account, "confirmed")).amount;
}

/** `refresh_reserve` of an asset. */
export const refreshReserveIx = (a: Asset) =>
  program.methods
    .refreshReserve()
    .accountsPartial({ reserve: a.reserve, oracleConfig: a.oracleConfig, priceAccount: a.priceAccount })
    .instruction();

/** The obligation's reserves: deposit reserves, then borrow reserves, in position order. */
export async function obligationReserves(obligation: PublicKey): Promise<{ deposits: PublicKey[]; borrows: PublicKey[] }> {
  const ob = await program.account.obligation.fetchNullable(obligation);
  const zero = PublicKey.default;
  const deposits = (ob?.deposits ?? []).map((d) => d.reserve).filter((k) => !k.equals(zero));
  const borrows = (ob?.borrows ?? []).map((b) => b.reserve).filter((k) => !k.equals(zero));
  return { deposits, borrows };
}

/** The obligation's reserves as the read-only remaining accounts that `refresh_obligation`,
 *  `borrow`, `withdraw` and `liquidate` take (they value the obligation on them). */
export async function reserveMetas(obligation: PublicKey) {
  const { deposits, borrows } = await obligationReserves(obligation);
  return [...deposits, ...borrows].map((pubkey) => ({ pubkey, isSigner: false, isWritable: false }));
}

/** Refreshes of every reserve the obligation uses and of the obligation (deposit reserves, then
 *  borrow reserves, as remaining accounts), plus `extra` reserves about to be added. */
export async function refreshIxs(obligation: PublicKey, extra: Asset[] = []): Promise<TransactionInstruction[]> {
  const { deposits, borrows } = await obligationReserves(obligation);
  const all = [world.usdc, world.sol];
  const used = [...deposits, ...borrows, ...extra.map((a) => a.reserve)];
  const ixs: TransactionInstruction[] = [];
  for (const a of all) if (used.some((k) => k.equals(a.reserve))) ixs.push(await refreshReserveIx(a));
  ixs.push(
    await program.methods
      .refreshObligation()
      .accountsPartial({ lendingMarket: world.market, obligation })
      .remainingAccounts([...deposits, ...borrows].map((pubkey) => ({ pubkey, isSigner: false, isWritable: false })))
      .instruction(),
  );
  return ixs;
}

/** Opens obligation 0 of `owner` in the test market. */
export async function openObligation(owner: Keypair): Promise<PublicKey> {
  const obligation = obligationPda(program.programId, world.market, owner.publicKey, 0);
  await program.methods
    .initObligation(0)
    .accountsPartial({ owner: owner.publicKey, payer: payer.publicKey, lendingMarket: world.market, obligation })
    .signers([owner])
    .rpc();
  return obligation;
}

const tokenAccounts = (a: Asset) => ({ reserve: a.reserve, vault: a.vault, mint: a.mint });

/** `deposit` instruction. */
export const depositIx = (owner: PublicKey, obligation: PublicKey, a: Asset, source: PublicKey, amount: bigint) =>
  program.methods
    .deposit(new BN(amount.toString()))
    .accountsPartial({ owner, lendingMarket: world.market, obligation, ...tokenAccounts(a), source })
    .instruction();
/** `borrow` instruction, with the obligation's reserves as remaining accounts. */
export const borrowIx = async (owner: PublicKey, obligation: PublicKey, a: Asset, destination: PublicKey, amount: bigint) =>
  program.methods
    .borrow(new BN(amount.toString()))
    .accountsPartial({ owner, lendingMarket: world.market, obligation, ...tokenAccounts(a), destination })
    .remainingAccounts(await reserveMetas(obligation))
    .instruction();
/** `repay` instruction. */
export const repayIx = (payerKey: PublicKey, obligation: PublicKey, a: Asset, source: PublicKey, amount: bigint) =>
  program.methods
    .repay(new BN(amount.toString()))
    .accountsPartial({ payer: payerKey, lendingMarket: world.market, obligation, ...tokenAccounts(a), source })
    .instruction();
/** `withdraw` instruction, with the obligation's reserves as remaining accounts. */
export const withdrawIx = async (owner: PublicKey, obligation: PublicKey, a: Asset, destination: PublicKey, amount: bigint) =>
  program.methods
    .withdraw(new BN(amount.toString()))
    .accountsPartial({ owner, lendingMarket: world.market, obligation, ...tokenAccounts(a), destination })
    .remainingAccounts(await reserveMetas(obligation))
    .instruction();

/** Whole tokens to base units. */
export const units = (a: Asset, whole: number): bigint => BigInt(Math.round(whole * 10 ** a.decimals));

/** Waits until the node is in a later slot, so earlier refreshes are stale. */
export async function nextSlot(): Promise<void> {
  const start = await connection.getSlot("confirmed");
  while ((await connection.getSlot("confirmed")) <= start) await new Promise((r) => setTimeout(r, 100));
}
