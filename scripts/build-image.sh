#!/usr/bin/env bash
# Build the rwo-guard runtime image offline: nothing is pulled from any registry.
#
#   scripts/build-image.sh [TAG]          (default TAG: localhost/rwo-guard:dev)
#
# 1. Builds the static binary on this host:
#      RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --target x86_64-unknown-linux-gnu
#    Always from the current source: there is no way to slip in another binary.
# 2. Assembles a minimal build context (the binary + scripts/image/{passwd,group}) and runs
#      podman build --pull=never --target runtime-prebuilt -f Dockerfile CONTEXT
#    The Dockerfile's `build` stage (FROM rust:1-slim) is not needed for that target and is
#    skipped, so no base image is resolved or pulled.
# 3. Prints the image size and fails if it exceeds 5 MB (5,000,000 bytes).
# Uses scripts/container-env.sh (CONTAINERS_CONF etc.); needs podman (scripts/install-deps.sh).
set -euo pipefail
repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
tag=${1:-localhost/rwo-guard:dev}
max_bytes=5000000
triple=x86_64-unknown-linux-gnu

# shellcheck source=container-env.sh
. "$repo/scripts/container-env.sh"

echo "build-image: cargo build --release --target $triple (static, crt-static)"
(cd "$repo" && RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --target "$triple")
bin=${CARGO_TARGET_DIR:-$repo/target}/$triple/release/rwo-guard
[[ -x "$bin" ]] || { echo "build-image: binary not found or not executable: $bin" >&2; exit 1; }
if command -v readelf >/dev/null 2>&1 && readelf -l "$bin" 2>/dev/null | grep -q 'Requesting program interpreter'; then
  echo "build-image: $bin is dynamically linked; a FROM scratch image needs a static binary" >&2
  exit 1
fi

ctx=$(mktemp -d "${TMPDIR:-/tmp}/rwo-guard-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/target/$triple/release" "$ctx/scripts/image"
cp "$bin" "$ctx/target/$triple/release/rwo-guard"
cp "$repo/scripts/image/passwd" "$repo/scripts/image/group" "$ctx/scripts/image/"

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n1)
source_url=$(git -C "$repo" remote get-url origin 2>/dev/null || echo unknown)
echo "build-image: podman build --pull=never --target runtime-prebuilt -t $tag (version $version)"
podman build --pull=never --target runtime-prebuilt \
  --build-arg "VERSION=$version" --build-arg "IMAGE_SOURCE=$source_url" \
  -f "$repo/Dockerfile" -t "$tag" "$ctx"

size=$(podman image inspect --format '{{.Size}}' "$tag")
echo "build-image: $tag size: $size bytes ($(( (size + 1023) / 1024 )) KiB)"
if (( size > max_bytes )); then
  echo "build-image: image is larger than $max_bytes bytes" >&2
  exit 1
fi
