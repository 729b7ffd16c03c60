# syntax=docker/dockerfile:1
# rwo-guard container image: a KRM function run by kustomize (`transformers:` with a
# config.kubernetes.io/function annotation) or kpt.
#
# Default (for hosts that can pull rust:1-slim):
#   docker build -t rwo-guard .            # or: podman build -t rwo-guard .
#     builds the static binary in stage `build`, final image = stage `runtime`.
# Offline (nothing pulled; the binary is built on the host first):
#   scripts/build-image.sh [TAG]           # default tag localhost/rwo-guard:dev
#     = cargo build (static) + `podman build --target runtime-prebuilt --pull=never`.
#     Stages not needed for the target (i.e. `build`, and its rust:1-slim base) are skipped.
#
# Runtime image: FROM scratch, one static binary, /etc/passwd and /etc/group (root and
# nobody 65534: kustomize runs functions with `--user nobody`), USER 65534.

# Fully qualified so podman resolves it without a short-name alias (same image as rust:1-slim).
ARG RUST_IMAGE=docker.io/library/rust:1-slim

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
RUN RUSTFLAGS='-C target-feature=+crt-static' \
        cargo build --release --target x86_64-unknown-linux-gnu \
 && cp target/x86_64-unknown-linux-gnu/release/rwo-guard /rwo-guard

# Everything the runtime image holds except the binary.
FROM scratch AS runtime-base
ARG VERSION=0.1.0
ARG IMAGE_SOURCE=unknown
LABEL org.opencontainers.image.title="rwo-guard" \
      org.opencontainers.image.description="Kustomize/kpt KRM function: give Deployments on ReadWriteOnce volumes a rollout strategy that cannot Multi-Attach" \
      org.opencontainers.image.source="${IMAGE_SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY scripts/image/passwd /etc/passwd
COPY scripts/image/group /etc/group
USER 65534
ENTRYPOINT ["/usr/local/bin/rwo-guard"]

# Offline path: the static binary was built on the host (see scripts/build-image.sh).
FROM runtime-base AS runtime-prebuilt
COPY target/x86_64-unknown-linux-gnu/release/rwo-guard /usr/local/bin/rwo-guard

# Default target: binary built in stage `build`.
FROM runtime-base AS runtime
COPY --from=build /rwo-guard /usr/local/bin/rwo-guard
