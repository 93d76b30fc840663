#!/usr/bin/env bash
# Builds dist/ from the sources: the release wasm, bound by wasm-bindgen, shrunk by wasm-opt,
# and one bundled JavaScript entry. The result depends only on the sources, Cargo.lock,
# package-lock.json and the toolchain: paths are remapped so the checkout's location does
# not leak into the module. Usage: scripts/build.sh [OUT_DIR]   (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo_home=${CARGO_HOME:-$HOME/.cargo}
sysroot=$(rustc --print sysroot)
export RUSTFLAGS="-C target-feature=+simd128 --remap-path-prefix=$root=/stage-action --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$sysroot=/rustc"
# A target dir of its own: different RUSTFLAGS would otherwise rebuild `cargo test`'s artifacts.
target="$root/target/dist"
built="$target/wasm32-unknown-unknown/release/stage_action.wasm"

# Two modules of the one crate: the action, and (`--features cloud`) the module that reads the
# cloud backends, which the action loads only for them (src/backend/on_demand.rs).
cargo build --quiet --release --locked --target wasm32-unknown-unknown --lib --target-dir "$target"
wasm-bindgen --target nodejs --out-dir "$work/pkg" "$built"
cargo build --quiet --release --locked --target wasm32-unknown-unknown --lib --target-dir "$target" --features cloud
wasm-bindgen --target nodejs --out-dir "$work/cloud" --out-name cloud "$built"

# binaryen inlines every function that has one caller, which here folds whole commands into one
# function of ~50 KB; V8 compiles a function the first time it runs, so a run would compile all
# of it. Capping that inlining keeps first calls cheap (about 3 ms less per run).
for module in pkg/stage_action cloud/cloud; do
  node_modules/.bin/wasm-opt -Oz --one-caller-inline-max-function-size=500 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd \
    "$work/${module}_bg.wasm" -o "$work/$(basename "$module")_bg.wasm"
done

# The entry requires ../build/pkg; point that at this build's copy.
mkdir -p "$work/js" && cp js/index.js "$work/js/index.js"
mkdir -p "$work/build" && ln -s "$work/pkg" "$work/build/pkg"
# The glue requires the host snippet once through String.raw`…`, which a bundler cannot follow.
sed -i 's/require(String\.raw`\([^`]*\)`)/require("\1")/' "$work/pkg/stage_action.js" "$work/cloud/cloud.js"
# Run from the work dir: esbuild names each bundled file in a comment, relative to there.
# (wasm-bindgen's glue repeats a key in its import object; that warning is not ours to fix.)
(cd "$work" && "$root/node_modules/.bin/esbuild" js/index.js --bundle --platform=node --target=node24 \
  --legal-comments=none --log-level=warning --log-override:duplicate-object-key=silent --outfile=index.js)
(cd "$work" && "$root/node_modules/.bin/esbuild" cloud/cloud.js --bundle --platform=node --target=node24 \
  --legal-comments=none --log-level=warning --log-override:duplicate-object-key=silent --outfile=cloud.js)

mkdir -p "$out"
rm -f "$out/index.js" "$out/stage_action_bg.wasm" "$out/cloud.js" "$out/cloud_bg.wasm"
cp "$work/index.js" "$work/stage_action_bg.wasm" "$work/cloud.js" "$work/cloud_bg.wasm" "$out/"
