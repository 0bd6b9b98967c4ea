#!/usr/bin/env bash
# The project's tests: the Rust workspace (program on solana-program-test, math, keeper,
# simulator, localnet), then the TypeScript suites against sentinel-localnet.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUST_LOG="${RUST_LOG:-error}"
bash scripts/ensure-node.sh
npm ci --no-audit --no-fund
cargo test --workspace --locked
cargo run --locked -q -p lending-math --example golden_vectors -- --check
npx tsc --noEmit -p tsconfig.json
npm test
