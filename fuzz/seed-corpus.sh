#!/usr/bin/env bash
# Seeds fuzz/corpus/ from the golden cases (fuzz/corpus is not committed: it grows as the
# fuzzers run). pipeline: each golden input.yaml behind each argument-set byte.
# manifest and tree: a few byte strings (their inputs are grammar choices, not YAML).
# pipeline also gets a strategy nested near --max-depth's highest value, behind a byte with the
# high bit set (which adds --max-depth 1000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/corpus/pipeline" "$here/corpus/manifest" "$here/corpus/tree"
for input in "$here"/../tests/golden/*/input.yaml; do
  name=$(basename "$(dirname "$input")")
  for pick in 0 1 2 3 4 5; do
    { printf "\\x$(printf %02x "$pick")"; cat "$input"; } > "$here/corpus/pipeline/golden-$name-$pick"
  done
done
for n in $(seq 0 31); do
  head -c 256 /dev/urandom > "$here/corpus/manifest/random-$n"
done
for n in $(seq 0 31); do
  head -c 256 /dev/urandom > "$here/corpus/tree/random-$n"
done
deep() { printf '%*s' "$1" '' | tr ' ' "$2"; }
for pick in 128 129 131; do
  {
    printf "\\x$(printf %02x "$pick")"
    printf 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}\n---\n'
    printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n'
    printf '  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}, x: %s1%s}\n' "$(deep 990 '[')" "$(deep 990 ']')"
    printf '  template:\n    spec:\n      volumes:\n      - name: d\n        persistentVolumeClaim: {claimName: data}\n'
  } > "$here/corpus/pipeline/deep-strategy-$pick"
done
