#!/usr/bin/env bash
# terraform plan -out, with the image tag as TF_VAR_<tag-variable>: the tag reaches Terraform
# through the environment, never through a command line a template wrote.
set -euo pipefail
if [ -n "${TAG_VARIABLE:-}" ]; then
  if [[ ! "$TAG_VARIABLE" =~ ^[A-Za-z_][A-Za-z0-9_-]*$ ]]; then
    echo "::error title=tag-variable::'$TAG_VARIABLE' is not a Terraform variable name (letters, digits, _ and -, not first a digit)"
    exit 1
  fi
  if [ -z "${IMAGE_TAG:-}" ]; then
    echo "::error title=image-tag::no image tag to pass as var.$TAG_VARIABLE"
    exit 1
  fi
  export "TF_VAR_${TAG_VARIABLE}=${IMAGE_TAG}"
  echo "var.$TAG_VARIABLE = $IMAGE_TAG"
fi
terraform -chdir="$DIR" plan -input=false -lock-timeout="$LOCK_TIMEOUT" -out="$RUNNER_TEMP/stage-action.tfplan"
