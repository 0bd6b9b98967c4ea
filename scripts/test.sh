#!/usr/bin/env bash
# The project's tests: the Rust workspace (program on solana-program-test, math, keeper,
# simulator, localnet), then the TypeScript suites against sentinel-localnet, then the web
# app in headless Chromium against a --demo node.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_LOG="${RUST_LOG:-error}"
bash scripts/ensure-node.sh
npm ci --no-audit --no-fund
cargo test --workspace --locked
# Every test the security matrix names must exist and run (not ignored).
cargo test --workspace --locked -q -- --list > target/tests.list
cargo test --workspace --locked -q -- --list --ignored > target/tests-ignored.list
node scripts/check-matrix.mjs target/tests.list target/tests-ignored.list
cargo run --locked -q -p lending-math --example golden_vectors -- --check
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p app/tsconfig.json
npm test
npm run test:browser
