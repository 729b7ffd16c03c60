#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): downloads a rwo-guard release archive for
# this runner, verifies its SHA-256 against the release's SHA256SUMS (and against
# RWO_GUARD_SHA256 when given), unpacks it and puts the binary on PATH.
#
# Environment (action.yml sets these from its inputs and GitHub's context):
#   RWO_GUARD_VERSION     `0.1.0`, `v0.1.0` or `latest`; empty: the action's own ref when it
#                         is a version tag (uses: OWNER/REPO@v0.1.0), else `latest`
#   RWO_GUARD_ACTION_REF  the action's ref (github.action_ref)
#   RWO_GUARD_REPOSITORY  OWNER/REPO whose releases hold the archives (github.action_repository)
#   RWO_GUARD_DOWNLOAD_BASE  overrides the release download URL (any URL curl reads, file://
#                         included); default $GITHUB_SERVER_URL/REPO/releases/download/vVERSION
#                         or .../releases/latest/download
#   RWO_GUARD_SHA256      optional: the archive's expected SHA-256 (pins it beyond SHA256SUMS)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT   (GitHub Actions)
# Outputs: `version` (what `rwo-guard --version` prints) and `path` (the binary).
set -euo pipefail
die() { echo "::error title=rwo-guard install::$*" >&2; exit 1; }

os=${RUNNER_OS:-$(uname -s)}
arch=${RUNNER_ARCH:-$(uname -m)}
case "$os" in
  Linux|linux) ;;
  *) die "release binaries are built for Linux only (runner OS: $os); on other systems: cargo install --locked rwo-guard" ;;
esac
case "$arch" in
  X64|x86_64|amd64) target=x86_64-unknown-linux-musl ;;
  ARM64|aarch64|arm64) target=aarch64-unknown-linux-musl ;;
  *) die "no release binary for runner architecture $arch (x86_64 and aarch64 only)" ;;
esac

version=${RWO_GUARD_VERSION:-}
if [[ -z $version ]]; then
  ref=${RWO_GUARD_ACTION_REF:-}
  if [[ $ref =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$ ]]; then version=$ref; else version=latest; fi
fi
if [[ $version != latest ]]; then
  version=v${version#v}
  [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || die "version must be like 0.1.0, v0.1.0 or latest, not '$RWO_GUARD_VERSION'"
fi

base=${RWO_GUARD_DOWNLOAD_BASE:-}
if [[ -z $base ]]; then
  repo=${RWO_GUARD_REPOSITORY:-}
  [[ -n $repo ]] || die "RWO_GUARD_REPOSITORY (the repository with the releases) is not set"
  server=${GITHUB_SERVER_URL:-https://github.com}
  if [[ $version == latest ]]; then base=$server/$repo/releases/latest/download
  else base=$server/$repo/releases/download/$version; fi
fi
base=${base%/}

archive=rwo-guard-$target.tar.gz
work=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rwo-guard-install
rm -rf "$work"
mkdir -p "$work"
echo "rwo-guard: downloading $base/$archive ($version)"
curl -fsSL --retry 3 -o "$work/$archive" "$base/$archive" || die "cannot download $base/$archive"
curl -fsSL --retry 3 -o "$work/SHA256SUMS" "$base/SHA256SUMS" || die "cannot download $base/SHA256SUMS"

# The archive's line of SHA256SUMS, and nothing else, must match.
grep -E "^[0-9a-f]{64}  \\*?$archive\$" "$work/SHA256SUMS" >"$work/SHA256SUMS.mine" \
  || die "SHA256SUMS has no line for $archive"
(cd "$work" && sha256sum --check --strict "SHA256SUMS.mine") || die "SHA-256 of $archive does not match SHA256SUMS"
actual=$(sha256sum "$work/$archive" | cut -d' ' -f1)
if [[ -n ${RWO_GUARD_SHA256:-} && ${RWO_GUARD_SHA256,,} != "$actual" ]]; then
  die "SHA-256 of $archive is $actual, not the pinned $RWO_GUARD_SHA256"
fi

tar -xzf "$work/$archive" -C "$work"
bin_dir=$work/rwo-guard-$target
[[ -x $bin_dir/rwo-guard ]] || die "$archive holds no rwo-guard-$target/rwo-guard"
installed=$("$bin_dir/rwo-guard" --version) || die "the installed binary does not run"
echo "rwo-guard: installed $installed at $bin_dir/rwo-guard (sha256 $actual)"
[[ -n ${GITHUB_PATH:-} ]] && echo "$bin_dir" >>"$GITHUB_PATH"
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  { echo "version=$installed"; echo "path=$bin_dir/rwo-guard"; } >>"$GITHUB_OUTPUT"
fi
