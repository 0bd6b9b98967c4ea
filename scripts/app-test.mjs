#!/usr/bin/env node
// The web app's browser suite: starts `sentinel-localnet --demo` on a free port, builds the app
// for it, serves the build with `vite preview` on another free port, runs the Playwright suite
// in Debian's Chromium (installed when missing), and stops both. Extra arguments go to
// `playwright test`. Screenshots land in target/app-artifacts/ (not committed).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r;
};

const freePort = () =>
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
/** A port whose successor (the node's WebSocket) is free too. */
async function nodePort() {
  for (;;) {
    const p = await freePort();
    if (p < 65535 && (await portFree(p + 1))) return p;
  }
}

const chromium = spawnSync("bash", ["scripts/ensure-chromium.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (chromium.status !== 0) process.exit(chromium.status ?? 1);
const chromiumPath = chromium.stdout.trim().split("\n").pop();

const bin = process.env.SENTINEL_LOCALNET_BIN ?? "target/debug/sentinel-localnet";
if (!process.env.SENTINEL_LOCALNET_BIN) run("cargo", ["build", "--locked", "-q", "-p", "sentinel-localnet"]);

fs.mkdirSync("target/app-artifacts", { recursive: true });
const port = await nodePort();
const rpcUrl = `http://127.0.0.1:${port}`;
const log = fs.openSync("target/app-localnet.log", "w");
const node = spawn(bin, ["--port", String(port), "--demo", "--demo-borrowers", "8", "--demo-out", "target/app-demo.json"], {
  stdio: ["ignore", log, log],
  env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "error" },
});
let preview;
const stop = () => {
  if (preview && preview.exitCode === null) preview.kill("SIGTERM");
  if (node.exitCode === null) node.kill("SIGTERM");
};
process.on("exit", stop);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));

const started = Date.now();
for (;;) {
  try {
    const r = await fetch(rpcUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
    });
    if ((await r.json()).result === "ok") break;
  } catch {}
  if (node.exitCode !== null || Date.now() - started > 180_000) {
    console.error("sentinel-localnet --demo did not come up (target/app-localnet.log)");
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 250));
}
console.log(`sentinel-localnet --demo on ${rpcUrl} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

run("npm", ["run", "build", "-w", "app"], { env: { ...process.env, VITE_RPC_URL: rpcUrl } });
const appPort = await freePort();
const baseUrl = `http://127.0.0.1:${appPort}`;
// Node runs vite itself (not through npx), so stopping it stops the server.
preview = spawn(process.execPath, ["../node_modules/vite/bin/vite.js", "preview", "--host", "127.0.0.1", "--port", String(appPort), "--strictPort"], {
  cwd: "app",
  stdio: ["ignore", "ignore", "inherit"],
});
for (let i = 0; ; i++) {
  try {
    if ((await fetch(baseUrl)).ok) break;
  } catch {}
  if (preview.exitCode !== null || i > 200) {
    console.error("vite preview did not come up");
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 150));
}

const t0 = Date.now();
const pw = spawnSync("npx", ["playwright", "test", "-c", "app/playwright.config.ts", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, SENTINEL_RPC_URL: rpcUrl, SENTINEL_APP_URL: baseUrl, CHROMIUM_PATH: chromiumPath },
});
console.log(`browser suite took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
stop();
process.exit(pw.status ?? 1);
