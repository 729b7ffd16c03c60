#!/usr/bin/env bash
# Seeds fuzz/corpus/ from the golden cases (fuzz/corpus is not committed: it grows as the
# fuzzers run). pipeline: each golden input.yaml behind each argument-set byte.
# manifest: a few byte strings (its inputs are grammar choices, not YAML).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/corpus/pipeline" "$here/corpus/manifest"
for input in "$here"/../tests/golden/*/input.yaml; do
  name=$(basename "$(dirname "$input")")
  for pick in 0 1 2 3 4 5; do
    { printf "\\x$(printf %02x "$pick")"; cat "$input"; } > "$here/corpus/pipeline/golden-$name-$pick"
  done
done
for n in $(seq 0 31); do
  head -c 256 /dev/urandom > "$here/corpus/manifest/random-$n"
done
