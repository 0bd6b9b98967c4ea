/**
 * The connection, wallet and program client of the suites. They run against whatever
 * `ANCHOR_PROVIDER_URL` names: `sentinel-localnet` (`npm test`) or solana-test-validator
 * (`anchor test`, which also sets `ANCHOR_WALLET`).
 */
import * as fs from "node:fs";
import { AnchorProvider, Wallet } from "@anchor-lang/core";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { lendingProgram } from "../../sdk";

export const rpcUrl = process.env.ANCHOR_PROVIDER_URL ?? "http://127.0.0.1:8899";
export const connection = new Connection(rpcUrl, "confirmed");

function loadWallet(): Keypair {
  const path = process.env.ANCHOR_WALLET;
  if (path && fs.existsSync(path)) {
    return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(path, "utf8"))));
  }
  return Keypair.generate();
}

/** Pays for everything and is the market admin and mint authority. */
export const payer = loadWallet();
export const provider = new AnchorProvider(connection, new Wallet(payer), {
  commitment: "confirmed",
  preflightCommitment: "confirmed",
});
export const program = lendingProgram(provider);

/** Airdrops `sol` SOL to `key` and waits for it. */
export async function fund(key: PublicKey, sol = 100): Promise<void> {
  const signature = await connection.requestAirdrop(key, sol * LAMPORTS_PER_SOL);
  const latest = await connection.getLatestBlockhash();
  await connection.confirmTransaction({ signature, ...latest }, "confirmed");
}

/** A new funded keypair. */
export async function newUser(sol = 10): Promise<Keypair> {
  const k = Keypair.generate();
  await fund(k.publicKey, sol);
  return k;
}
