#!/usr/bin/env bash
# The build of deploy.yml: log in to the registry, then build and push each image of IMAGES
# (`repository context [dockerfile]` a line) tagged with the commit SHA. Docker's credentials live
# in this job's temporary directory (DOCKER_CONFIG), so nothing stays on a self-hosted runner.
set -euo pipefail
# shellcheck source=../runner.sh
source "$(dirname "${BASH_SOURCE[0]}")/../runner.sh"
export DOCKER_CONFIG="$RUNNER_TEMP/stage-action-docker"
mkdir -p "$DOCKER_CONFIG"
trap 'rm -rf "$DOCKER_CONFIG"' EXIT
printf '%s' "$REGISTRY_PASSWORD" | docker login "$REGISTRY" --username "$REGISTRY_USERNAME" --password-stdin
n=0
while read -r repository context dockerfile extra; do
  case "$repository" in '' | '#'*) continue ;; esac
  n=$((n + 1))
  if [ -z "${context:-}" ] || [ -n "${extra:-}" ]; then
    annotate error images "line $n of images is not 'repository context [dockerfile]': $repository ${context:-} ${dockerfile:-} ${extra:-}"
    exit 1
  fi
  if [[ "$repository" == *:* && "${repository##*/}" == *:* ]] || [[ "$repository" == *@* ]]; then
    annotate error images "$repository names a tag or digest; give the repository only: the tag is the commit SHA ($GITHUB_SHA)"
    exit 1
  fi
  dockerfile="${dockerfile:-$context/Dockerfile}"
  echo "== $repository:$GITHUB_SHA from $context ($dockerfile)"
  docker buildx build --push \
    --tag "$repository:$GITHUB_SHA" \
    --file "$dockerfile" \
    --label "org.opencontainers.image.revision=$GITHUB_SHA" \
    --label "org.opencontainers.image.source=$GITHUB_SERVER_URL/$GITHUB_REPOSITORY" \
    "$context"
done <<<"$IMAGES"
if [ "$n" = 0 ]; then
  annotate error images "no image to build: give one 'repository context [dockerfile]' a line"
  exit 1
fi
