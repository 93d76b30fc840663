#!/usr/bin/env bash
# terraform plan -out, with the image tag as TF_VAR_<tag-variable> and each `name=value` line of
# VARIABLES as TF_VAR_<name>: values reach Terraform through the environment, never through a
# command line a template wrote.
set -euo pipefail
# shellcheck source=../runner.sh
source "$(dirname "${BASH_SOURCE[0]}")/../runner.sh"
name_ok() { [[ "$1" =~ ^[A-Za-z_][A-Za-z0-9_-]*$ ]]; }
n=0
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  line="${line%$'\r'}"
  case "$line" in '' | '#'*) continue ;; esac
  name="${line%%=*}"
  if [[ "$line" != *=* ]] || ! name_ok "$name"; then
    annotate error variables "line $n of variables is not name=value with a Terraform variable name: $line"
    exit 1
  fi
  export "TF_VAR_${name}=${line#*=}"
  echo "var.$name = ${line#*=}"
done <<<"${VARIABLES:-}"
if [ -n "${TAG_VARIABLE:-}" ]; then
  if ! name_ok "$TAG_VARIABLE"; then
    annotate error tag-variable "'$TAG_VARIABLE' is not a Terraform variable name (letters, digits, _ and -, not first a digit)"
    exit 1
  fi
  if [ -z "${IMAGE_TAG:-}" ]; then
    annotate error image-tag "no image tag to pass as var.$TAG_VARIABLE"
    exit 1
  fi
  export "TF_VAR_${TAG_VARIABLE}=${IMAGE_TAG}"
  echo "var.$TAG_VARIABLE = $IMAGE_TAG"
fi
terraform -chdir="$DIR" plan -input=false -lock-timeout="$LOCK_TIMEOUT" -out="$RUNNER_TEMP/stage-action.tfplan"
