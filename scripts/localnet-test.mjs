#!/usr/bin/env node
// Runs the TypeScript suites against sentinel-localnet: builds it (and the sentinel-keeper binary
// that suite 11 runs), starts it on a free port, waits for getHealth, runs mocha with
// ANCHOR_PROVIDER_URL pointing at it, stops it, and exits with mocha's status. Extra arguments
// go to mocha.
import { spawnSync } from "node:child_process";
import { nodePort, startNode } from "./lib/localnet.mjs";

const bin = process.env.SENTINEL_LOCALNET_BIN ?? "target/debug/sentinel-localnet";
if (!process.env.SENTINEL_LOCALNET_BIN) {
  // The keeper binary too: suite 11 runs it as a separate process (`SENTINEL_KEEPER_BIN`).
  for (const args of [["-p", "sentinel-localnet"], ["-p", "keeper", "--bin", "sentinel-keeper"]]) {
    const build = spawnSync("cargo", ["build", "--locked", "-q", ...args], { stdio: "inherit" });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
}
const port = await nodePort();
const url = `http://127.0.0.1:${port}`;
// The native program prints its msg! lines to stdout; they go to a log file, not the report.
const node = await startNode(bin, ["--port", String(port)], url, "target/localnet-test.log");
const stop = () => node.exitCode === null && node.kill("SIGTERM");
process.on("exit", stop);

const t0 = Date.now();
const mocha = spawnSync("npx", ["mocha", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, ANCHOR_PROVIDER_URL: url },
});
console.log(`TypeScript suites took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
stop();
process.exit(mocha.status ?? 1);
