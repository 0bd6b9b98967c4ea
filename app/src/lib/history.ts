/**
 * What a wallet put into each deposit, from its obligation's own history: the `Deposited`,
 * `Withdrawn` and `Liquidated` events of every transaction that touched the obligation. The
 * program keeps no cost basis, so a deposit's interest earned is its value in tokens now minus
 * the tokens put in and not taken out since the position last opened.
 */
import type { Connection, PublicKey } from "@solana/web3.js";
import { cpiEvents } from "../../../sdk";
import type { LendingProgram } from "./market";

/** Most signatures read (newest first); older history is not counted. */
export const HISTORY_LIMIT = 1_000;

/** Net tokens deposited per reserve (base58), since each position last opened. */
export async function netDeposited(connection: Connection, program: LendingProgram, obligation: PublicKey): Promise<Map<string, bigint>> {
  const sigs = await connection.getSignaturesForAddress(obligation, { limit: HISTORY_LIMIT }, "confirmed");
  const ok = sigs.filter((s) => !s.err).reverse();
  const txs = await Promise.all(
    ok.map((s) => connection.getTransaction(s.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })),
  );
  const own = obligation.toBase58();
  const net = new Map<string, bigint>();
  const add = (reserve: string, x: bigint) => net.set(reserve, (net.get(reserve) ?? 0n) + x);
  for (const tx of txs) {
    for (const ev of cpiEvents(program, tx as never)) {
      const d = ev.data;
      if (String(d.obligation) !== own) continue;
      if (ev.name === "deposited") {
        const reserve = String(d.reserve);
        // The position was empty before this deposit: count from here.
        if (BigInt(d.positionSharesAfter.toString()) === BigInt(d.shares.toString())) net.set(reserve, 0n);
        add(reserve, BigInt(d.amount.toString()));
      } else if (ev.name === "withdrawn") {
        add(String(d.reserve), -BigInt(d.amount.toString()));
      } else if (ev.name === "liquidated") {
        add(String(d.withdrawReserve), -BigInt(d.seizeAmount.toString()));
      }
    }
  }
  return net;
}
