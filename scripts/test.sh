#!/usr/bin/env bash
# Every test, in the order a failure is cheapest to read: the core natively, the host door in
# wasm under Node, dist/ freshness, then the built action run as the GitHub runner runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node 24 from the npm package `node@24` comes first: the action's runtime, and the `node`
# wasm-bindgen-test-runner starts.
export PATH="$PWD/node_modules/.bin:$PATH"
case "$(node --version)" in
  v24.*) ;;
  *) echo "Node 24 is required (found $(node --version)); run: npm ci" >&2; exit 1 ;;
esac

echo "== core, natively: cargo test"
cargo test --locked --quiet

echo "== documentation builds without a warning: cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet

echo "== host door, GitHub client, the http and kubernetes backends (against terraform-written states), in wasm under Node: wasm-bindgen-test"
cargo test --locked --target wasm32-unknown-unknown --test host --test github --test http_backend --test kubernetes

echo "== dist/ is what the sources build"
bash scripts/check-dist.sh

echo "== the action as the runner runs it: node --test"
node --test --test-concurrency=2 tests/node/*.test.mjs

echo "== the shop example's Terraform: fmt, the image_tag rule, checkov, the bootstrap RBAC, its stages file"
bash examples/shop/infra/test.sh
echo "== the shop example: its application (pytest, apache2 + uvicorn + PostgreSQL in headless Chromium, hadolint)"
bash examples/shop/app/test.sh
