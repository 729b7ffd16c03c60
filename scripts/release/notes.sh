#!/usr/bin/env bash
# Print the release notes of VERSION: the CHANGELOG section headed `## VERSION` (optionally
# `## [VERSION]` and/or followed by ` - date`), without its heading. Fails when there is none:
# rename `## Unreleased` to the version before tagging.
#   scripts/release/notes.sh VERSION [CHANGELOG]   (default CHANGELOG.md of this repository)
set -euo pipefail
repo=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
version=${1:?usage: notes.sh VERSION [CHANGELOG]}
changelog=${2:-$repo/CHANGELOG.md}
notes=$(awk -v v="$version" '
  /^## / {
    h = $0; sub(/^## +/, "", h); sub(/^\[/, "", h); sub(/\].*$/, "", h); sub(/[ \t].*$/, "", h)
    if (found) exit
    if (h == v) { found = 1; next }
  }
  found { print }
' "$changelog")
if [[ -z ${notes//[[:space:]]/} ]]; then
  echo "notes.sh: $changelog has no section \"## $version\" (or it is empty); rename \"## Unreleased\" before tagging v$version" >&2
  exit 1
fi
printf '%s\n' "$notes"
