# rwo-guard container image: a KRM function run by kustomize (`transformers:` with a
# config.kubernetes.io/function annotation) or kpt.
#
# Default target `runtime`, for any platform (no `# syntax=` line: BuildKit's built-in
# Dockerfile frontend is enough, so no frontend image is pulled):
#   docker buildx build --platform linux/amd64,linux/arm64 -t IMAGE .
#   docker build -t rwo-guard .        # or podman build: the host's platform
#     Stage `build` runs on the build machine's platform (BUILDPLATFORM) and cross-compiles a
#     static musl binary for TARGETARCH (amd64 -> x86_64-unknown-linux-musl, arm64 ->
#     aarch64-unknown-linux-musl; the build machine's own arch when a builder sets no TARGETARCH)
#     with `cargo build --locked --release`, linked by rust-lld (pure Rust: no C cross
#     toolchain). Nothing runs under emulation.
# Offline (nothing pulled; the binary is built on the host first):
#   scripts/build-image.sh [TAG]        # default tag localhost/rwo-guard:dev
#     = a static host build + `podman build --target runtime-prebuilt --pull=never` (or docker)
#     on a context holding only that binary (prebuilt/<arch>/rwo-guard) and
#     scripts/image/{passwd,group}; the `build` stage (and its base image) is not needed for
#     that target and is skipped.
#
# Build args (labels; each has a default):
#   VERSION           org.opencontainers.image.version; the build stage fails unless it equals
#                     Cargo.toml's version (scripts/build-image.sh and the release read it there)
#   IMAGE_SOURCE      org.opencontainers.image.source (the repository URL)
#   RWO_GUARD_COMMIT  org.opencontainers.image.revision, and the commit `--version` names
#                     (build.rs; the context has no .git)
#
# Runtime image: FROM scratch, one static binary, /etc/passwd and /etc/group (root and
# nobody 65534: kustomize runs functions with `--user nobody`), USER 65534.

# Fully qualified so podman resolves it without a short-name alias.
ARG RUST_IMAGE=docker.io/library/rust:1-slim

FROM --platform=$BUILDPLATFORM ${RUST_IMAGE} AS build
ARG TARGETARCH
ARG VERSION=0.1.0
ARG RWO_GUARD_COMMIT=
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
RUN set -eu; \
    arch="${TARGETARCH:-$(uname -m)}"; \
    case "$arch" in \
      amd64|x86_64) triple=x86_64-unknown-linux-musl ;; \
      arm64|aarch64) triple=aarch64-unknown-linux-musl ;; \
      *) echo "rwo-guard image: unsupported TARGETARCH '$arch' (amd64, arm64)" >&2; exit 1 ;; \
    esac; \
    crate_version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n1); \
    if [ "${VERSION}" != "${crate_version}" ]; then \
      echo "rwo-guard image: build arg VERSION=${VERSION} but Cargo.toml says ${crate_version}" >&2; exit 1; \
    fi; \
    rustup target add "$triple"; \
    CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \
      cargo build --locked --release --target "$triple"; \
    cp "target/$triple/release/rwo-guard" /rwo-guard

# Everything the runtime image holds except the binary.
FROM scratch AS runtime-base
ARG VERSION=0.1.0
ARG IMAGE_SOURCE=unknown
ARG RWO_GUARD_COMMIT=
LABEL org.opencontainers.image.title="rwo-guard" \
      org.opencontainers.image.description="Kustomize/kpt KRM function: give Deployments on ReadWriteOnce volumes a rollout strategy that cannot Multi-Attach" \
      org.opencontainers.image.source="${IMAGE_SOURCE}" \
      org.opencontainers.image.revision="${RWO_GUARD_COMMIT}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY scripts/image/passwd /etc/passwd
COPY scripts/image/group /etc/group
USER 65534
ENTRYPOINT ["/usr/local/bin/rwo-guard"]

# Prebuilt binaries: the build context holds prebuilt/<TARGETARCH>/rwo-guard, a static binary
# built outside (scripts/build-image.sh offline; the release workflow puts the release
# archives' binaries there, so the image holds exactly the released binary).
FROM runtime-base AS runtime-prebuilt
ARG TARGETARCH
COPY prebuilt/${TARGETARCH}/rwo-guard /usr/local/bin/rwo-guard

# Default target: the binary cross-compiled in stage `build`.
FROM runtime-base AS runtime
COPY --from=build /rwo-guard /usr/local/bin/rwo-guard
