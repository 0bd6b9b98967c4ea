/** `fetch` for JSON-RPC with a deadline: a request that gets no answer within `TIMEOUT_MS` is
 *  abandoned (its connection closed) and sent again, up to `ATTEMPTS` times. A stalled
 *  connection to a public RPC then costs seconds instead of a page stuck on "Loading".
 *  Resending is safe: reads are idempotent, and a resent transaction has the same signature. */
export const TIMEOUT_MS = 6_000;
export const ATTEMPTS = 3;

export async function rpcFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  let last: unknown;
  for (let i = 0; i < ATTEMPTS; i++) {
    try {
      return await fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (e) {
      last = e;
      if ((e as Error)?.name !== "TimeoutError") throw e;
    }
  }
  throw last;
}
