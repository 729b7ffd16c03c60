#!/usr/bin/env bash
# The full test command, run by `make test` (and so by CI: .ci/run calls `make test`):
#   1. scripts/install-deps.sh: installs what the end-to-end tests need (podman, runc, the
#      Python and npm tools under .tools/, rustfmt, clippy, cargo-deny) and fails, naming it,
#      on anything it cannot install (kubectl, kubectl.1.33, kpt);
#   2. cargo fmt --check; cargo clippy --all-targets -- -D warnings;
#   3. cargo test -- --include-ignored: every suite, the end-to-end ones (marked #[ignore] so a
#      bare `cargo test` lists them as ignored instead of failing for a missing tool) included;
#   4. cargo deny --offline check licenses bans sources (advisories need the network);
# and ends with one line: the sum of every test binary's "test result" line.
set -uo pipefail
cd "$(dirname -- "$0")/.." || exit 1
step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }
die() { printf '\nmake test: ERROR: %s\n' "$*" >&2; exit 1; }

step "dependencies: scripts/install-deps.sh"
scripts/install-deps.sh </dev/null \
  || die "dependencies missing (see above). The end-to-end tests cannot run without them."
for tool in kubectl kpt podman git; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH; run scripts/install-deps.sh"
done
podman --version
# shellcheck source=container-env.sh
( . scripts/container-env.sh && podman info --format 'podman storage: {{.Store.GraphDriverName}}' ) \
  || die "podman is installed but cannot run here (see above)"

step "toolchain"
cargo --version; rustc --version; rustup target list --installed 2>/dev/null || true

step "cargo fmt --check"
cargo fmt --check || die "cargo fmt --check: run cargo fmt"

step "cargo clippy --all-targets --locked -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings || die "clippy found problems (see above)"

step "cargo test --locked -- --include-ignored (every suite, end to end included)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --locked -- --include-ignored 2>&1 | tee "$log"
test_rc=${PIPESTATUS[0]}

step "licences, bans and sources (cargo deny, offline: advisories need the network)"
cargo deny --offline check licenses bans sources
deny_rc=$?

step "done"
((test_rc == 0)) || printf 'make test: cargo test failed (exit %s)\n' "$test_rc" >&2
((deny_rc == 0)) || printf 'make test: cargo deny failed (exit %s)\n' "$deny_rc" >&2
# One closing line for the whole run: the sum of every test binary's "test result" line
# (", N skipped" only if a test was still ignored, which --include-ignored should prevent).
awk '/^test result:/ { p += $4; f += $6; i += $8 }
     END { printf "%d passed, %d failed%s\n", p, f, (i ? sprintf(", %d skipped", i) : "") }' "$log"
((test_rc == 0 && deny_rc == 0))
