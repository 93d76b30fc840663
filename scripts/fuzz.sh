#!/usr/bin/env bash
# A short fuzzing run of every fuzz target (fuzz/), for CI: build all targets once, run each from
# its seeds and regression inputs, and fail on any crash, naming the crashing input. About 4
# minutes on a 2-core machine, most of it the build (see fuzz/README.md).
#
# By default each target runs a fixed number of inputs from a fixed seed, on a fresh corpus: the
# same inputs on every machine, so CI fails only when a change breaks a property, and a run that
# passes here passes there. To explore for new bugs, give a time instead (random seed, and the
# corpus in fuzz/corpus/ grows from run to run):
#
#   FUZZ_SECONDS=60 bash scripts/fuzz.sh      # explore for 60 s a target
#   bash scripts/fuzz.sh tag address          # only these targets
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${FUZZ_SECONDS:-}
# Inputs a target runs by default: about 10 s each here.
declare -A runs=([image_ref]=1000000 [address]=1000000 [tag]=1000000 [stages_file]=150000 [version_file]=400000 [state_reader]=60000)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(image_ref address tag stages_file version_file state_reader)
fi

# cargo-fuzz passes -Z flags to rustc; this lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null; then
  # --locked first; the registry mirror may lack a locked transitive version, then resolve anew.
  cargo install --quiet cargo-fuzz --locked || cargo install --quiet cargo-fuzz
fi

# No sanitizer: the code under test is safe Rust, and ASan would double the build and halve the
# speed. 16 codegen units build much faster than cargo-fuzz's default of 1 on two cores. Every
# `cargo fuzz run` below repeats these flags, so it finds the build up to date.
flags=(--sanitizer none --codegen-units 16)
start=$SECONDS
cargo fuzz build "${flags[@]}"
echo "fuzz: built every target in $((SECONDS - start)) s"

failed=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  if [ -n "$seconds" ]; then
    corpus="corpus/$t"
    budget=(-max_total_time="$seconds")
  else
    corpus=$(mktemp -d)
    budget=(-seed=1 -runs="${runs[$t]}")
  fi
  dirs=("$corpus" "seeds/$t")
  [ -d "regressions/$t" ] && dirs+=("regressions/$t")
  log="artifacts/$t/last-run.log"
  if cargo fuzz run "${flags[@]}" "$t" "${dirs[@]}" -- \
    "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz: $t: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs, no crash"
    [ -n "$seconds" ] || rm -rf "$corpus"
  else
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "fuzz: $t CRASHED; the input is ${input:-?} (log: fuzz/$log)" >&2
    # The panic message (or libFuzzer's reason), without the long stack.
    grep -m1 -A3 -E "panicked at|ERROR: libFuzzer|has overflowed its stack" "$log" >&2 || tail -n 20 "$log" >&2
    echo "fuzz: reproduce with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${flags[*]} $t ${input:-?}" >&2
    failed+=("$t")
  fi
done

echo "fuzz: $((SECONDS - start)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}; minimize with 'cargo fuzz tmin', add the input to fuzz/regressions/<target>/" >&2
  exit 1
fi
