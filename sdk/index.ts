/** Client helpers shared by the tests, the deploy script and the dApp. */
import { Program, AnchorProvider, utils } from "@anchor-lang/core";
import type { Lending } from "../idl/lending";
import idl from "../idl/lending.json";

export * from "./pda";
export * as flash from "./flash";
export * as math from "./math";
export * as position from "./position";
export * as outflow from "./outflow";
export * as emode from "./emode";
export * as volatility from "./volatility";
export type { Lending };

/** The lending program client, from the committed IDL. */
export const lendingProgram = (provider: AnchorProvider): Program<Lending> =>
  new Program<Lending>(idl as Lending, provider);

/** Error names by code, from the IDL (`6000` → `MathOverflow`). */
export const errorNames: Map<number, string> = new Map(
  (idl as { errors: { code: number; name: string }[] }).errors.map((e) => [e.code, e.name]),
);

/** Decodes the `emit_cpi!` events in a transaction's inner instructions. */
export function cpiEvents(
  program: Program<Lending>,
  tx: {
    meta?: { innerInstructions?: { instructions: { data?: string; programIdIndex?: number; programId?: unknown }[] }[] | null } | null;
    transaction: { message: { accountKeys?: unknown[]; staticAccountKeys?: unknown[] } };
  } | null,
): { name: string; data: any }[] {
  if (!tx?.meta?.innerInstructions) return [];
  const keys = (tx.transaction.message.staticAccountKeys ?? tx.transaction.message.accountKeys ?? []).map(String);
  const out: { name: string; data: any }[] = [];
  for (const group of tx.meta.innerInstructions) {
    for (const ix of group.instructions) {
      // `getTransaction` gives compiled instructions (a key index); `simulateTransaction`
      // gives them parsed against the keys (the program's address).
      const programId = ix.programId !== undefined ? String(ix.programId) : keys[ix.programIdIndex ?? -1];
      if (programId !== program.programId.toBase58() || typeof ix.data !== "string") continue;
      const data = Buffer.from(utils.bytes.bs58.decode(ix.data));
      // 8-byte event-CPI tag, then the event (discriminator + borsh).
      const event = program.coder.events.decode(data.subarray(8).toString("base64"));
      if (event) out.push(event);
    }
  }
  return out;
}
