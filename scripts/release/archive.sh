#!/usr/bin/env bash
# Build one release archive: dist/rwo-guard-<TARGET>.tar.gz holding rwo-guard-<TARGET>/ with
#   rwo-guard                      the static binary
#   README.md LICENSE CHANGELOG.md
#   complete/rwo-guard.bash  complete/_rwo-guard  complete/rwo-guard.fish
#   complete/_rwo-guard.ps1  complete/rwo-guard.elv        shell completions
#   doc/rwo-guard.1                                         man page
# The completions and the man page are generated from the clap definition by
# `GENERATOR --generate man|complete-bash|complete-zsh|complete-fish|complete-powershell|
# complete-elvish` (GENERATOR: a build of the same commit that runs on this machine; the
# aarch64 binary cannot run on an x86_64 runner, and the generated text does not depend on
# the architecture). The script fails, naming it, when any of them cannot be generated.
#
#   scripts/release/archive.sh TARGET BINARY GENERATOR OUT_DIR
#   scripts/release/archive.sh --without-generated TARGET BINARY OUT_DIR
#     (installer tests only: an archive without completions and man page; never released)
#
# Then `cd OUT_DIR && sha256sum rwo-guard-*.tar.gz > SHA256SUMS` (the release workflow).
set -euo pipefail
repo=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
die() { echo "archive.sh: $*" >&2; exit 1; }

generated=1
if [[ ${1:-} == --without-generated ]]; then
  generated=
  shift
  (($# == 3)) || die "usage: archive.sh --without-generated TARGET BINARY OUT_DIR"
  target=$1 bin=$2 gen='' out=$3
else
  (($# == 4)) || die "usage: archive.sh TARGET BINARY GENERATOR OUT_DIR"
  target=$1 bin=$2 gen=$3 out=$4
fi
[[ $target =~ ^[a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+(-[a-z0-9_]+)?$ ]] || die "not a target triple: $target"
[[ -x $bin ]] || die "binary not found or not executable: $bin"

name=rwo-guard-$target
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/rwo-guard-archive.XXXXXX")
trap 'rm -rf "$stage"' EXIT
dir=$stage/$name
mkdir -p "$dir/complete" "$dir/doc"
cp "$bin" "$dir/rwo-guard"
chmod 0755 "$dir/rwo-guard"
cp "$repo/README.md" "$repo/LICENSE" "$repo/CHANGELOG.md" "$dir/"

if [[ -n $generated ]]; then
  [[ -x $gen ]] || die "generator binary not found or not executable: $gen"
  for pair in man:doc/rwo-guard.1 complete-bash:complete/rwo-guard.bash complete-zsh:complete/_rwo-guard \
      complete-fish:complete/rwo-guard.fish complete-powershell:complete/_rwo-guard.ps1 \
      complete-elvish:complete/rwo-guard.elv; do
    what=${pair%%:*} file=${pair#*:}
    if ! "$gen" --generate "$what" >"$dir/$file" 2>"$stage/err"; then
      die "\`$gen --generate $what\` failed: $(head -c 600 "$stage/err")"
    fi
    [[ -s $dir/$file ]] || die "\`$gen --generate $what\` wrote nothing"
  done
else
  rmdir "$dir/complete" "$dir/doc"
fi

# Reproducible: fixed order, owner and mtime (the commit's time when there is one).
mtime=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
  -C "$stage" -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz"
echo "$out/$name.tar.gz"
