#!/usr/bin/env bash
# Build the rwo-guard runtime image offline: nothing is pulled from any registry.
#
#   scripts/build-image.sh [TAG]          (default TAG: localhost/rwo-guard:dev)
#
# Environment:
#   RWO_GUARD_PLATFORM  linux/amd64 or linux/arm64 (default: this host's)
#   CONTAINER_ENGINE    podman or docker (default: podman when on PATH, else docker)
#
# 1. Builds the static binary on this host, always from the current source (there is no way
#    to slip in another binary):
#      for this host's arch:  RUSTFLAGS='-C target-feature=+crt-static'
#                             cargo build --locked --release --target <arch>-unknown-linux-gnu
#      for the other arch:    cargo build --locked --release --target <arch>-unknown-linux-musl
#                             linked by rust-lld (`rustup target add` it first), as the
#                             Dockerfile's build stage does
# 2. Assembles a minimal build context (the binary as prebuilt/<arch>/rwo-guard, and
#    scripts/image/{passwd,group}) and runs
#      podman build --pull=never --no-cache --platform P --target runtime-prebuilt -f Dockerfile CONTEXT
#    (docker: the same without --pull=never; it pulls nothing for FROM scratch). No layer
#    cache: podman 4.3 reused a cached LABEL layer whose build arguments had changed, and the
#    image named an old commit; three steps on scratch cost nothing to redo. The
#    Dockerfile's `build` stage (FROM rust:1-slim) is not needed for that target and is
#    skipped, so no base image is resolved or pulled.
# 3. Checks the image's version and revision labels against Cargo.toml and the commit, prints
#    the image size and fails if it exceeds 5 MB (5,000,000 bytes).
# With podman, uses scripts/container-env.sh (CONTAINERS_CONF etc.; scripts/install-deps.sh
# installs podman).
set -euo pipefail
repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
tag=${1:-localhost/rwo-guard:dev}
max_bytes=5000000

case "$(uname -m)" in
  x86_64|amd64) host_arch=amd64 ;;
  aarch64|arm64) host_arch=arm64 ;;
  *) echo "build-image: unsupported host architecture $(uname -m)" >&2; exit 1 ;;
esac
platform=${RWO_GUARD_PLATFORM:-linux/$host_arch}
case "$platform" in
  linux/amd64) arch=amd64 rust_arch=x86_64 ;;
  linux/arm64) arch=arm64 rust_arch=aarch64 ;;
  *) echo "build-image: RWO_GUARD_PLATFORM must be linux/amd64 or linux/arm64, not $platform" >&2; exit 1 ;;
esac

engine=${CONTAINER_ENGINE:-}
if [[ -z $engine ]]; then
  if command -v podman >/dev/null 2>&1; then engine=podman; else engine=docker; fi
fi
case "$engine" in
  podman)
    # shellcheck source=container-env.sh
    . "$repo/scripts/container-env.sh"
    pull=(--pull=never --no-cache) ;;
  docker) pull=(--no-cache) ;;
  *) echo "build-image: CONTAINER_ENGINE must be podman or docker, not $engine" >&2; exit 1 ;;
esac
command -v "$engine" >/dev/null 2>&1 || { echo "build-image: $engine not found (scripts/install-deps.sh installs podman)" >&2; exit 1; }

if [[ $arch == "$host_arch" ]]; then
  triple=$rust_arch-unknown-linux-gnu
  echo "build-image: cargo build --locked --release --target $triple (static, crt-static)"
  (cd "$repo" && RUSTFLAGS='-C target-feature=+crt-static' cargo build --locked --release --target "$triple")
else
  triple=$rust_arch-unknown-linux-musl
  echo "build-image: cargo build --locked --release --target $triple (static musl, rust-lld)"
  rustup target list --installed 2>/dev/null | grep -qx "$triple" \
    || { echo "build-image: Rust target $triple not installed: rustup target add $triple" >&2; exit 1; }
  linker_var=CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$triple")_LINKER
  (cd "$repo" && env "$linker_var=rust-lld" cargo build --locked --release --target "$triple")
fi
bin=${CARGO_TARGET_DIR:-$repo/target}/$triple/release/rwo-guard
[[ -x "$bin" ]] || { echo "build-image: binary not found or not executable: $bin" >&2; exit 1; }
if command -v readelf >/dev/null 2>&1 && readelf -l "$bin" 2>/dev/null | grep -q 'Requesting program interpreter'; then
  echo "build-image: $bin is dynamically linked; a FROM scratch image needs a static binary" >&2
  exit 1
fi

ctx=$(mktemp -d "${TMPDIR:-/tmp}/rwo-guard-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/scripts/image" "$ctx/prebuilt/$arch"
cp "$bin" "$ctx/prebuilt/$arch/rwo-guard"
cp "$repo/scripts/image/passwd" "$repo/scripts/image/group" "$ctx/scripts/image/"

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n1)
source_url=$(git -C "$repo" remote get-url origin 2>/dev/null || echo unknown)
revision=$(git -C "$repo" rev-parse HEAD 2>/dev/null || true)
echo "build-image: $engine build ${pull[*]} --platform $platform --target runtime-prebuilt -t $tag (version $version)"
"$engine" build "${pull[@]}" --platform "$platform" --target runtime-prebuilt \
  --build-arg "VERSION=$version" --build-arg "IMAGE_SOURCE=$source_url" \
  --build-arg "RWO_GUARD_COMMIT=$revision" \
  -f "$repo/Dockerfile" -t "$tag" "$ctx"

labels=$("$engine" image inspect --format '{{index .Labels "org.opencontainers.image.version"}} {{index .Labels "org.opencontainers.image.revision"}}' "$tag")
if [[ $labels != "$version $revision" ]]; then
  echo "build-image: $tag is labelled '$labels', not '$version $revision'" >&2
  exit 1
fi
size=$("$engine" image inspect --format '{{.Size}}' "$tag")
echo "build-image: $tag ($platform) size: $size bytes ($(( (size + 1023) / 1024 )) KiB)"
if (( size > max_bytes )); then
  echo "build-image: image is larger than $max_bytes bytes" >&2
  exit 1
fi
