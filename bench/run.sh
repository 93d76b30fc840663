#!/usr/bin/env bash
# Benchmarks `lookup` against jq and a plain JSON.parse script on generated Terraform states of
# about 50 KB, 5 MB and 100 MB: whole-process wall time (hyperfine, median) and peak RSS
# (GNU time %M, the maximum over several runs), plus the size of dist/.
#
# Usage: bash bench/run.sh
# Env:   NODE      the Node 24 binary (default: node_modules/.bin/node)
#        QUICK=1   fewer runs, for trying the script out (numbers are then rougher)
#
# Writes the states and raw measurements to bench/out/ (not committed), the report to stdout and
# bench/results.md, and replaces the block between the `bench:begin` / `bench:end` markers in
# BENCHMARKS.md. Needs python3, jq, hyperfine and GNU time (/usr/bin/time). Takes about 2 minutes
# on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE=${NODE:-node_modules/.bin/node}
TIME=/usr/bin/time
OUT=bench/out
# The action reads its inputs from the environment inside GitHub Actions; this measures the CLI.
unset GITHUB_ACTIONS

for tool in python3 jq hyperfine "$TIME" "$NODE"; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
[ -f dist/index.js ] && [ -f dist/stage_action_bg.wasm ] || { echo "run.sh: build dist/ first (npm run build)" >&2; exit 1; }
case "$("$NODE" --version)" in
  v24.*) ;;
  *) echo "run.sh: $NODE is $("$NODE" --version), not Node 24 (set NODE=...)" >&2; exit 1 ;;
esac

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.rss "$OUT"/*.wasm "$OUT"/sizes.txt*

# Measure copies of node and dist/, so that a concurrent `npm ci` or rebuild cannot swap or
# remove them halfway through; machine.env records which dist/ was measured.
SNAP="$OUT/snapshot"
rm -rf "$SNAP" && mkdir -p "$SNAP/dist"
cp dist/index.js dist/stage_action_bg.wasm "$SNAP/dist/"
cp "$(readlink -f "$(command -v "$NODE")")" "$SNAP/node"
NODE="$SNAP/node"
DIST="$SNAP/dist"

# label  bytes      hyperfine runs  RSS runs
SIZES=(
  "50KB  50000      40 10"
  "5MB   5000000    20 5"
  "100MB 100000000  10 3"
)
if [ "${QUICK:-}" = 1 ]; then
  SIZES=("50KB 50000 10 2" "5MB 5000000 5 2" "100MB 100000000 3 1")
fi

# Machine and build, for the report.
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "mem_total=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "node=$("$NODE" --version)"
  echo "jq=$(jq --version)"
  echo "hyperfine=$(hyperfine --version)"
  echo "python=$(python3 --version)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo none)"
  echo "dist_vs_commit=$(if git diff --quiet HEAD -- dist 2>/dev/null; then echo "as committed"; else echo "differs from the commit"; fi)"
  echo "dist_index_js=$(wc -c <"$DIST/index.js")"
  echo "dist_wasm=$(wc -c <"$DIST/stage_action_bg.wasm")"
  echo "dist_sha256=$(cat "$DIST/index.js" "$DIST/stage_action_bg.wasm" | sha256sum | cut -c1-16)"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.env"

# Runs a command N times under GNU time, appending each run's peak RSS (KiB) to FILE.
rss() {
  local file=$1 n=$2
  shift 2
  for _ in $(seq "$n"); do
    "$TIME" -f %M -o "$OUT/time.tmp" "$@" >/dev/null 2>&1
    cat "$OUT/time.tmp" >>"$file"
  done
}

# Checks that a command prints the expected image (the action and jsonparse.js as `image=...`).
check() {
  local label=$1 name=$2 want=$3
  shift 3
  local got
  got=$({ "$@" 2>/dev/null || true; } | sed -n 's/^image=//p; t; /^[^=]*$/p' | head -1) || true
  if [ "$got" != "$want" ]; then
    echo "run.sh: $name on $label printed image '$got', expected '$want'" >&2
    exit 1
  fi
}

for spec in "${SIZES[@]}"; do
  read -r label bytes runs rss_runs <<<"$spec"
  state="$OUT/$label.tfstate"
  address=$(python3 bench/gen_state.py --size-bytes "$bytes" --out "$state")
  module=${address%.kubernetes_deployment_v1.app}          # module.svc_N
  n=${module#module.svc_}
  want="registry.example.com/team/svc-$n:1.2.$n"
  echo "== $label: $(wc -c <"$state") bytes, looking up $address" >&2

  action=("$NODE" "$DIST/index.js" lookup --state "$state" --address "$address")
  jqcmd=(jq -r --arg mod "$module" --arg type kubernetes_deployment_v1 --arg name app -f bench/lookup.jq "$state")
  parse=("$NODE" bench/jsonparse.js "$state" "$address")
  check "$label" action "$want" "${action[@]}"
  check "$label" jq "$want" "${jqcmd[@]}"
  check "$label" JSON.parse "$want" "${parse[@]}"

  names=(action jq JSON.parse)
  cmds=("${action[*]}" "${jqcmd[*]}" "${parse[*]}")
  if [ "$label" = 50KB ]; then
    names+=("node -e 0")
    cmds+=("$NODE -e 0")
  fi
  hf=(hyperfine -N --style basic --warmup 2 --runs "$runs" --export-json "$OUT/$label.json")
  for i in "${!names[@]}"; do
    hf+=(-n "${names[$i]}" "${cmds[$i]}")
  done
  "${hf[@]}" >"$OUT/$label.hyperfine.txt" 2>&1 || { cat "$OUT/$label.hyperfine.txt" >&2; exit 1; }

  # Peak RSS, interleaved so that a burst of load elsewhere does not hit one tool only.
  for _ in $(seq "$rss_runs"); do
    rss "$OUT/$label.action.rss" 1 "${action[@]}"
    rss "$OUT/$label.jq.rss" 1 "${jqcmd[@]}"
    rss "$OUT/$label.JSON.parse.rss" 1 "${parse[@]}"
    if [ "$label" = 50KB ]; then rss "$OUT/$label.node -e 0.rss" 1 "$NODE" -e 0; fi
  done
  # Where the action's memory goes: the size its wasm linear memory reached (diagnostic run).
  "$NODE" -r ./bench/memprobe.js "${action[@]:1}" 2>&1 >/dev/null | sed -n 's/^memprobe: wasm=\([0-9]*\).*/\1/p' >"$OUT/$label.wasm"
  echo "$label $(wc -c <"$state") $address" >>"$OUT/sizes.txt.tmp"
done
mv "$OUT/sizes.txt.tmp" "$OUT/sizes.txt"
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.env"
rm -f "$OUT/time.tmp"

python3 bench/report.py "$OUT" >bench/results.md
cat bench/results.md

# Put the same block into BENCHMARKS.md, between its markers.
if [ -f BENCHMARKS.md ] && grep -q '^<!-- bench:begin' BENCHMARKS.md && grep -q '^<!-- bench:end' BENCHMARKS.md; then
  python3 - BENCHMARKS.md bench/results.md <<'EOF'
import re, sys
doc_path, block_path = sys.argv[1], sys.argv[2]
doc = open(doc_path, encoding="utf-8").read()
block = open(block_path, encoding="utf-8").read().rstrip("\n")
begin = re.search(r"^<!-- bench:begin.*?-->\n", doc, re.M)
end = re.search(r"^<!-- bench:end.*?-->", doc, re.M)
if begin and end and begin.end() <= end.start():
    doc = doc[: begin.end()] + block + "\n" + doc[end.start():]
    open(doc_path, "w", encoding="utf-8").write(doc)
    print("run.sh: updated the measured block in BENCHMARKS.md", file=sys.stderr)
EOF
fi
