/**
 * The transactions the app sends. Each action carries the refreshes it needs, built from the
 * obligation's positions: `refresh_reserve` of every reserve involved, `refresh_obligation`
 * over its reserves (deposits, then borrows), the action, and a last `refresh_obligation` over
 * the positions the action leaves (computed with `sdk/position`), so the stored health is the
 * one the preview showed.
 */
import { BN } from "@anchor-lang/core";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { ComputeBudgetProgram, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import { math as m, obligationPda, position as pos } from "../../../sdk";
import type { LendingProgram, MarketView, ObligationView, ReserveView } from "./market";

/** The wallet's token account of a reserve's mint (its associated account). */
export const walletTokenAccount = (r: ReserveView, owner: PublicKey): PublicKey =>
  getAssociatedTokenAddressSync(r.mint, owner, true, r.tokenProgram);

const metas = (p: pos.Positions) =>
  [...p.deposits, ...p.borrows].map((x) => ({ pubkey: new PublicKey(x.reserve), isSigner: false, isWritable: false }));

function reserveOf(market: MarketView, address: string): ReserveView {
  const r = market.byAddress.get(address);
  if (!r) throw new Error(`reserve ${address} is not of this market`);
  return r;
}

/** `refresh_reserve` of each reserve (once each). */
async function refreshReserves(program: LendingProgram, market: MarketView, addresses: string[]) {
  const ixs: TransactionInstruction[] = [];
  for (const a of [...new Set(addresses)]) {
    const r = reserveOf(market, a);
    ixs.push(
      await program.methods
        .refreshReserve()
        .accountsPartial({ reserve: r.key, oracleConfig: r.decoded.oracleConfig, priceAccount: r.priceAccount })
        .instruction(),
    );
  }
  return ixs;
}

const refreshObligation = (program: LendingProgram, market: MarketView, obligation: PublicKey, p: pos.Positions) =>
  program.methods
    .refreshObligation()
    .accountsPartial({ lendingMarket: market.key, obligation })
    .remainingAccounts(metas(p))
    .instruction();

const reservesOf = (p: pos.Positions) => [...p.deposits.map((d) => d.reserve), ...p.borrows.map((b) => b.reserve)];

/** The obligation the app uses: id 0 of the wallet in the market. */
export const userObligation = (program: LendingProgram, market: MarketView, owner: PublicKey) =>
  obligationPda(program.programId, market.key, owner, 0);

/** One transaction for a deposit, withdrawal, borrow or repayment by `owner`. */
export async function actionTransaction(
  program: LendingProgram,
  market: MarketView,
  owner: PublicKey,
  obligation: ObligationView | null,
  action: pos.Action,
): Promise<Transaction> {
  const r = reserveOf(market, action.reserve);
  const key = userObligation(program, market, owner);
  const before: pos.Positions = obligation?.positions ?? { deposits: [], borrows: [] };
  const after = pos.applyAction(before, market.live, action).positions;
  const account = walletTokenAccount(r, owner);
  const tokenAccounts = { reserve: r.key, vault: r.vault, mint: r.mint, tokenProgram: r.tokenProgram };
  const amount = new BN(action.amount.toString());
  const ixs: TransactionInstruction[] = [ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 })];
  if (!obligation) {
    ixs.push(
      await program.methods
        .initObligation(0)
        .accountsPartial({ owner, payer: owner, lendingMarket: market.key, obligation: key })
        .instruction(),
    );
  }
  ixs.push(...(await refreshReserves(program, market, [...reservesOf(before), action.reserve])));
  if (obligation) ixs.push(await refreshObligation(program, market, key, before));
  const base = { owner, lendingMarket: market.key, obligation: key, ...tokenAccounts };
  switch (action.kind) {
    case "deposit":
      ixs.push(await program.methods.deposit(amount).accountsPartial({ ...base, source: account }).instruction());
      break;
    case "repay":
      ixs.push(
        await program.methods
          .repay(amount)
          .accountsPartial({ payer: owner, lendingMarket: market.key, obligation: key, ...tokenAccounts, source: account })
          .instruction(),
      );
      break;
    case "borrow":
    case "withdraw": {
      ixs.push(createAssociatedTokenAccountIdempotentInstruction(owner, account, owner, r.mint, r.tokenProgram));
      const method = action.kind === "borrow" ? program.methods.borrow(amount) : program.methods.withdraw(amount);
      ixs.push(await method.accountsPartial({ ...base, destination: account }).remainingAccounts(metas(before)).instruction());
      break;
    }
  }
  // The last refresh names the positions the action leaves, so it goes in only where they are
  // certain: a deposit or a borrow keeps its position, and "all" of a withdrawal or repayment
  // removes it. A partial one may clear its position or not, by the interest accrued before it
  // lands, and a wrong list would fail the whole transaction (`InvalidRefreshAccounts`).
  if (action.kind === "deposit" || action.kind === "borrow" || action.amount === m.U64_MAX) {
    ixs.push(await refreshObligation(program, market, key, after));
  }
  return new Transaction().add(...ixs);
}

/** A liquidation by `liquidator` of pair (`debt`, `collateral`) of `target`, paid in tokens. */
export async function liquidationTransaction(
  program: LendingProgram,
  market: MarketView,
  liquidator: PublicKey,
  target: ObligationView,
  pair: { debt: string; collateral: string },
  repay: bigint,
  minCollateralOut: bigint,
): Promise<Transaction> {
  const d = reserveOf(market, pair.debt);
  const c = reserveOf(market, pair.collateral);
  const source = walletTokenAccount(d, liquidator);
  const destination = walletTokenAccount(c, liquidator);
  const ixs: TransactionInstruction[] = [
    ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 }),
    createAssociatedTokenAccountIdempotentInstruction(liquidator, destination, liquidator, c.mint, c.tokenProgram),
    ...(await refreshReserves(program, market, reservesOf(target.positions))),
    await refreshObligation(program, market, target.key, target.positions),
    await program.methods
      .liquidate(new BN(repay.toString()), new BN(minCollateralOut.toString()))
      .accountsPartial({
        liquidator,
        lendingMarket: market.key,
        obligation: target.key,
        repayReserve: d.key,
        repayVault: d.vault,
        repayMint: d.mint,
        withdrawReserve: c.key,
        withdrawVault: c.vault,
        withdrawMint: c.mint,
        liquidatorSource: source,
        liquidatorDestination: destination,
        repayTokenProgram: d.tokenProgram,
        withdrawTokenProgram: c.tokenProgram,
        liquidatorObligation: null,
      })
      .remainingAccounts(metas(target.positions))
      .instruction(),
  ];
  return new Transaction().add(...ixs);
}
