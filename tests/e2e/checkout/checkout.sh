#!/usr/bin/env bash
set -euo pipefail
printf '{"tool":"checkout","persist-credentials":"%s","fetch-depth":"%s","repository":"%s","ref":"%s","path":"%s","sha":"%s"}\n' \
  "$PERSIST" "$DEPTH" "$REPOSITORY" "$REF" "$DEST" "$GITHUB_SHA" >>"$E2E_LOG"
dest="$GITHUB_WORKSPACE/$DEST"
mkdir -p "$dest"
cd "$dest"
git init -q
git remote add origin "file://$E2E_ORIGIN"
if [ "$DEPTH" = 0 ]; then
  git fetch -q --tags origin "+refs/heads/*:refs/remotes/origin/*"
else
  git fetch -q --no-tags --depth "$DEPTH" origin "$GITHUB_SHA"
fi
git checkout -q --detach "$GITHUB_SHA"
echo "checked out $GITHUB_SHA (fetch-depth $DEPTH)"
