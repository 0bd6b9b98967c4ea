// Shared by the test runners: free ports, and starting sentinel-localnet until it answers.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";

/** A free TCP port on 127.0.0.1. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const portFree = (p) =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(p, "127.0.0.1", () => s.close(() => resolve(true)));
  });

/** A port for the node: its WebSocket listens on the next one, so both must be free
 *  (`SENTINEL_LOCALNET_PORT` picks it instead). */
export async function nodePort() {
  if (process.env.SENTINEL_LOCALNET_PORT) return Number(process.env.SENTINEL_LOCALNET_PORT);
  for (;;) {
    const p = await freePort();
    if (p < 65535 && (await portFree(p + 1))) return p;
  }
}

/** Starts `bin` with `args` (its output to `logPath`) and waits until `getHealth` answers "ok"
 *  at `url`; exits the process when it does not come up within `timeoutMs`. */
export async function startNode(bin, args, url, logPath, timeoutMs = 60_000) {
  fs.mkdirSync("target", { recursive: true });
  const log = fs.openSync(logPath, "w");
  const node = spawn(bin, args, {
    stdio: ["ignore", log, log],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "error" },
  });
  const started = Date.now();
  for (;;) {
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
      });
      if ((await r.json()).result === "ok") break;
    } catch {}
    if (node.exitCode !== null || Date.now() - started > timeoutMs) {
      console.error(`sentinel-localnet did not come up (${logPath})`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`sentinel-localnet on ${url} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return node;
}
