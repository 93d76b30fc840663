#!/usr/bin/env bash
# Fails unless the committed dist/ is exactly what the sources build (scripts/build.sh into
# build/fresh-dist, compared file by file). Used by scripts/test.sh and the release workflow.
# Needs what .ci/run installs: the wasm target, wasm-bindgen-cli at Cargo.lock's version, npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=build/fresh-dist
rm -rf "$fresh"
bash scripts/build.sh "$fresh"
stale=0
for f in dist/* "$fresh"/*; do
  name=$(basename "$f")
  if ! cmp -s "dist/$name" "$fresh/$name"; then
    echo "dist/$name differs from what the sources build" >&2
    stale=1
  fi
done
if [ "$stale" = 1 ]; then
  echo "dist/ is stale: run 'npm run build' and commit dist/ (toolchain: $(rustc --version), $(wasm-bindgen --version))" >&2
  exit 1
fi
echo "dist/ is fresh ($(du -cb dist/* | tail -1 | cut -f1) bytes)"
