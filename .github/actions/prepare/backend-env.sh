#!/usr/bin/env bash
# Exports the `backend-env` secret's lines (NAME=value) to the job through GITHUB_ENV, each value
# masked first. Only the variables Terraform's backends and providers read are accepted: a secret
# that could set PATH, NODE_OPTIONS or BASH_ENV would run code in every later step. Blank lines and
# `#` comments are skipped. A bad line fails the step naming its number, never its content.
set -euo pipefail
# shellcheck source=../runner.sh
source "$(dirname "${BASH_SOURCE[0]}")/../runner.sh"
text="${STAGE_ACTION_BACKEND_ENV:-}"
[ -n "$text" ] || exit 0
allowed='^(KUBE|PG|TF_HTTP|AWS|GOOGLE|ARM|TF_CLOUD|TF_TOKEN|TF_VAR|TF_WORKSPACE)(_[A-Za-z0-9_]+)?$'
n=0
exports=()
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  line="${line%$'\r'}"
  case "$line" in '' | '#'*) continue ;; esac
  name="${line%%=*}"
  if [[ "$line" != *=* || ! "$name" =~ $allowed ]]; then
    annotate error backend-env "line $n of the backend-env secret is not NAME=value with a backend variable's name (KUBE_*, PG_*, TF_HTTP_*, AWS_*, GOOGLE_*, ARM_*, TF_CLOUD_*, TF_TOKEN_*, TF_VAR_*, TF_WORKSPACE); its text is not shown. Fix the secret and run again."
    exit 1
  fi
  exports+=("$name" "${line#*=}")
done <<<"$text"
# Every line is checked before any is exported: a bad secret changes nothing.
for ((i = 0; i < ${#exports[@]}; i += 2)); do
  mask "${exports[i + 1]}"
  export_env "${exports[i]}" "${exports[i + 1]}"
done
echo "backend-env: $((${#exports[@]} / 2)) variable(s) exported"
