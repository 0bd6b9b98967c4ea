/** Program-derived addresses of the lending program (seeds as in `programs/lending/src/constants.rs`). */
import { PublicKey } from "@solana/web3.js";

const pda = (seeds: (Buffer | Uint8Array)[], programId: PublicKey): PublicKey =>
  PublicKey.findProgramAddressSync(seeds, programId)[0];

/** `[b"reserve", market, mint]`. */
export const reservePda = (programId: PublicKey, market: PublicKey, mint: PublicKey) =>
  pda([Buffer.from("reserve"), market.toBuffer(), mint.toBuffer()], programId);
/** `[b"vault", reserve]`. */
export const vaultPda = (programId: PublicKey, reserve: PublicKey) =>
  pda([Buffer.from("vault"), reserve.toBuffer()], programId);
/** `[b"oracle", reserve]`. */
export const oracleConfigPda = (programId: PublicKey, reserve: PublicKey) =>
  pda([Buffer.from("oracle"), reserve.toBuffer()], programId);
/** `[b"obligation", market, owner, id (u16 LE)]`. */
export function obligationPda(programId: PublicKey, market: PublicKey, owner: PublicKey, id = 0) {
  const idLe = Buffer.alloc(2);
  idLe.writeUInt16LE(id);
  return pda([Buffer.from("obligation"), market.toBuffer(), owner.toBuffer(), idLe], programId);
}
/** The event-CPI authority, `[b"__event_authority"]`. */
export const eventAuthorityPda = (programId: PublicKey) =>
  pda([Buffer.from("__event_authority")], programId);
