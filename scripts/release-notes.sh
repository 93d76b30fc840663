#!/usr/bin/env bash
# Prints the release notes of one version from CHANGELOG.md (Keep a Changelog): the body of its
# `## [X.Y.Z]` section (a date or anything after the heading is allowed), without the heading,
# blank lines trimmed at both ends. Fails when the section is missing or empty, so a release is
# never published without notes.
# Usage: scripts/release-notes.sh <version> [changelog]   (version without the tag's "v")
set -euo pipefail
version=${1:?usage: scripts/release-notes.sh <version> [changelog]}
changelog=${2:-$(dirname "$0")/../CHANGELOG.md}
version=${version#v}
notes=$(awk -v want="$version" '
  /^## / {
    if (inside) exit
    heading = $0
    sub(/^## +/, "", heading)
    # "[1.2.3] - 2026-12-01", "[1.2.3]", "1.2.3 - 2026-12-01" or "1.2.3"
    name = heading
    if (name ~ /^\[/) { sub(/^\[/, "", name); sub(/\].*$/, "", name) } else { sub(/[ \t].*$/, "", name) }
    if (name == want) { inside = 1; next }
  }
  # Link reference definitions at the end of the file ("[1.2.3]: https://…") end a section too.
  inside && /^\[[^]]+\]: / { exit }
  inside { print }
' "$changelog" | sed -e '/./,$!d')  # $( ) drops the trailing blank lines
if [ -z "$notes" ]; then
  echo "error: $changelog has no notes for $version: add a '## [$version] - YYYY-MM-DD' section" >&2
  exit 1
fi
printf '%s\n' "$notes"
