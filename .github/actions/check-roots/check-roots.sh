#!/usr/bin/env bash
# terraform fmt -check and validate for each root; every root is checked before the step fails,
# and each failure is an annotation naming the root. `init -backend=false` reads no state and
# needs no credentials: a pull request from a fork runs it too.
set -uo pipefail
# shellcheck source=../runner.sh
source "$(dirname "${BASH_SOURCE[0]}")/../runner.sh"
roots=()
if [ -n "${ROOTS:-}" ]; then
  while IFS= read -r root; do
    root="${root%$'\r'}"
    [ -z "$root" ] || roots+=("$root")
  done <<<"$ROOTS"
else
  if [ ! -d infra ]; then
    annotate error roots "no infra/ directory: give the Terraform roots to check as the roots input, one a line"
    exit 1
  fi
  while IFS= read -r root; do roots+=("$root"); done < <(
    grep -rlE --include='*.tf' '^[[:space:]]*(backend[[:space:]]+"[^"]+"|cloud)[[:space:]]*\{' infra | xargs -r -n1 dirname | sort -u
  )
fi
if [ "${#roots[@]}" = 0 ]; then
  annotate error roots "no Terraform root found under infra/ (a directory whose *.tf has a backend or cloud block): give them as the roots input"
  exit 1
fi
failed=0
for root in "${roots[@]}"; do
  group "$root"
  if [ ! -d "$root" ]; then
    annotate error roots "$root is not a directory"
    failed=1
  else
    terraform -chdir="$root" fmt -check -diff -recursive || { annotate error "terraform fmt" "$root is not formatted: run terraform fmt -recursive $root"; failed=1; }
    if terraform -chdir="$root" init -backend=false -input=false -no-color; then
      terraform -chdir="$root" validate -no-color || { annotate error "terraform validate" "$root is not valid"; failed=1; }
    else
      annotate error "terraform init" "$root: terraform init -backend=false failed"
      failed=1
    fi
  fi
  endgroup
done
exit "$failed"
