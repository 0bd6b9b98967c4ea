/** Pyth prices for the suites, written through sentinel-localnet's dev helper
 *  `sentinel_setPythPrice`. A real validator has no such method (its Pyth accounts are moved
 *  only by Pyth itself), so suites that move prices skip there. */
import { PublicKey } from "@solana/web3.js";
import { rpcUrl } from "./env";

let helperAvailable: boolean | undefined;

async function call(method: string, params: unknown[]): Promise<any> {
  const res = await fetch(rpcUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return res.json();
}

/** Whether the node can write price accounts (sentinel-localnet). */
export async function canSetPrices(): Promise<boolean> {
  if (helperAvailable === undefined) {
    // An empty spec is refused with -32602 where the helper exists, -32601 where it does not.
    const probe = await call("sentinel_setPythPrice", [{}]);
    helperAvailable = probe.error?.code !== -32601;
  }
  return helperAvailable;
}

/** Skips the calling mocha suite on nodes without the price helper. */
export async function requirePriceHelper(ctx: Mocha.Context): Promise<void> {
  if (!(await canSetPrices())) ctx.skip();
}

export interface PriceSpec {
  account: PublicKey;
  kind: "pull" | "legacy";
  /** Price in quote units per whole token, with 8 decimals (`expo` -8). */
  price: bigint;
  feedId?: string;
  conf?: bigint;
  emaPrice?: bigint;
  publishTime?: number;
}

/** Writes a Pyth price account published now (or at `publishTime`). */
export async function setPrice(spec: PriceSpec): Promise<{ slot: number; publishTime: number }> {
  const r = await call("sentinel_setPythPrice", [
    {
      account: spec.account.toBase58(),
      kind: spec.kind,
      feedId: spec.feedId,
      price: spec.price.toString(),
      expo: -8,
      conf: spec.conf?.toString(),
      emaPrice: spec.emaPrice?.toString(),
      publishTime: spec.publishTime,
    },
  ]);
  if (r.error) throw new Error(`sentinel_setPythPrice: ${r.error.message}`);
  return r.result;
}
