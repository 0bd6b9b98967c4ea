#!/usr/bin/env node
// The web app's browser suite: starts `sentinel-localnet --demo` on a free port, builds the app
// for it, serves the build with `vite preview` on another free port, runs the Playwright suite
// in Debian's Chromium (installed when missing), and stops both. Extra arguments go to
// `playwright test`. Screenshots land in target/app-artifacts/ (not committed).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { freePort, nodePort, startNode } from "./lib/localnet.mjs";

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r;
};

const chromium = spawnSync("bash", ["scripts/ensure-chromium.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (chromium.status !== 0) process.exit(chromium.status ?? 1);
const chromiumPath = chromium.stdout.trim().split("\n").pop();

const bin = process.env.SENTINEL_LOCALNET_BIN ?? "target/debug/sentinel-localnet";
if (!process.env.SENTINEL_LOCALNET_BIN) run("cargo", ["build", "--locked", "-q", "-p", "sentinel-localnet"]);

fs.mkdirSync("target/app-artifacts", { recursive: true });
const port = await nodePort();
const rpcUrl = `http://127.0.0.1:${port}`;
const demoArgs = ["--port", String(port), "--demo", "--demo-borrowers", "8", "--demo-out", "target/app-demo.json"];
const node = await startNode(bin, demoArgs, rpcUrl, "target/app-localnet.log", 180_000);
let preview;
const stop = () => {
  if (preview && preview.exitCode === null) preview.kill("SIGTERM");
  if (node.exitCode === null) node.kill("SIGTERM");
};
process.on("exit", stop);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));

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
