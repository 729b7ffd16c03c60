#!/usr/bin/env bash
# Print the crate's version (Cargo.toml) if TAG names it (`v0.1.0` for 0.1.0); fail otherwise.
#   scripts/release/version.sh TAG
set -euo pipefail
repo=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
tag=${1:?usage: version.sh TAG}
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n1)
[[ -n $version ]] || { echo "version.sh: no version in Cargo.toml" >&2; exit 1; }
if [[ $tag != "v$version" ]]; then
  echo "version.sh: tag $tag does not match Cargo.toml's version $version (expected v$version)" >&2
  exit 1
fi
echo "$version"
