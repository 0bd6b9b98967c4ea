#!/usr/bin/env node
// Runs the TypeScript suites against sentinel-localnet: builds it, starts it on a free port,
// waits for getHealth, runs mocha with ANCHOR_PROVIDER_URL pointing at it, stops it, and exits
// with mocha's status. Extra arguments go to mocha.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function pickPort() {
  if (process.env.SENTINEL_LOCALNET_PORT) return Number(process.env.SENTINEL_LOCALNET_PORT);
  // The WebSocket listens on port + 1, so both must be free.
  for (;;) {
    const p = await freePort();
    const ok = await new Promise((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(p + 1, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (ok && p < 65535) return p;
  }
}

const bin = process.env.SENTINEL_LOCALNET_BIN ?? "target/debug/sentinel-localnet";
if (!process.env.SENTINEL_LOCALNET_BIN) {
  const build = spawnSync("cargo", ["build", "--locked", "-q", "-p", "sentinel-localnet"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const port = await pickPort();
const url = `http://127.0.0.1:${port}`;
// The native program prints its msg! lines to stdout; they go to a log file, not the report.
fs.mkdirSync("target", { recursive: true });
const log = fs.openSync("target/localnet-test.log", "w");
const node = spawn(bin, ["--port", String(port)], {
  stdio: ["ignore", log, "inherit"],
  env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "error" },
});
const stop = () => node.exitCode === null && node.kill("SIGTERM");
process.on("exit", stop);

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
  if (node.exitCode !== null || Date.now() - started > 60_000) {
    console.error("sentinel-localnet did not come up");
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`sentinel-localnet on ${url}`);
const t0 = Date.now();
const mocha = spawnSync("npx", ["mocha", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, ANCHOR_PROVIDER_URL: url },
});
console.log(`TypeScript suites took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
stop();
process.exit(mocha.status ?? 1);
