#!/usr/bin/env bash
# Plumbing smoke test: runs kustomization-tests/smoke through every way of use and checks that
# rwo-guard was really invoked each time. Ends with `N passed, N failed`; exits 1 on any failure.
#
#   scripts/e2e-smoke.sh             # real binary: cargo build (static) + image localhost/rwo-guard:dev
#   scripts/e2e-smoke.sh --standin   # plumbing stand-in (scripts/standin/main.rs), image
#                                    # localhost/rwo-guard:standin; also checks its annotation
# Env: RWO_GUARD_BINARY=PATH   use this static binary instead of building
#      RWO_GUARD_IMAGE=TAG     image tag (default localhost/rwo-guard:dev, or :standin)
#      RWO_GUARD_SMOKE_OUT=DIR keep the work tree, logs and outputs there (default: temp, removed)
# Routes, each with kubectl (kustomize v5.5) and kubectl.1.33 (v5.6) where kustomize is used:
#   container : kubectl kustomize --enable-alpha-plugins container/   (docker shim -> podman)
#   legacy    : KUSTOMIZE_PLUGIN_HOME=H kubectl kustomize --enable-alpha-plugins legacy/
#   kpt-eval  : kpt fn eval --exec BIN --fn-config fn-config.yaml pkg
#   kpt-render: kpt fn render --allow-exec kpt-render   (Kptfile: mutators: - exec: BIN)
set -euo pipefail
repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
triple=x86_64-unknown-linux-gnu
standin=0
[[ "${1:-}" == --standin ]] && standin=1

deps_out=$("$repo/scripts/install-deps.sh")
echo "$deps_out"
k133=$(sed -n 's/^KUBECTL_133=//p' <<<"$deps_out")
# shellcheck source=container-env.sh
. "$repo/scripts/container-env.sh"

if [[ -n "${RWO_GUARD_SMOKE_OUT:-}" ]]; then
  work=$RWO_GUARD_SMOKE_OUT; rm -rf "$work"; mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/rwo-guard-smoke.XXXXXX"); trap 'rm -rf "$work"' EXIT
fi

if ((standin)); then
  bin=$work/standin
  echo "smoke: building stand-in with rustc -> $bin"
  rustc -O -C strip=symbols -C target-feature=+crt-static --target "$triple" \
    -o "$bin" "$repo/scripts/standin/main.rs"
  image=${RWO_GUARD_IMAGE:-localhost/rwo-guard:standin}
elif [[ -n "${RWO_GUARD_BINARY:-}" ]]; then
  bin=$RWO_GUARD_BINARY
  image=${RWO_GUARD_IMAGE:-localhost/rwo-guard:dev}
else
  (cd "$repo" && RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --target "$triple")
  bin=${CARGO_TARGET_DIR:-$repo/target}/$triple/release/rwo-guard
  image=${RWO_GUARD_IMAGE:-localhost/rwo-guard:dev}
fi
RWO_GUARD_BINARY=$bin "$repo/scripts/build-image.sh" "$image"

# Exec routes go through a wrapper that records each invocation, then execs the binary.
calls=$work/exec-calls.log
wrapper=$work/rwo-guard-wrapper
printf '#!/bin/sh\nprintf "%%s\\n" "$0 $*" >>"%s"\nexec "%s" "$@"\n' "$calls" "$bin" >"$wrapper"
chmod +x "$wrapper"
: >"$calls"
plugin_home=$work/plugins
mkdir -p "$plugin_home/rwo-guard.dev/v1alpha1/rwoguard"
ln -s "$wrapper" "$plugin_home/rwo-guard.dev/v1alpha1/rwoguard/RwoGuard"

cp -r "$repo/kustomization-tests/smoke" "$work/cases"
c=$work/cases
for d in container legacy kpt-render; do cp "$c/resources.yaml" "$c/$d/"; done
mkdir -p "$c/kpt-eval/pkg" && cp "$c/resources.yaml" "$c/kpt-eval/pkg/"
sed -i "s|@IMAGE@|$image|" "$c/container/rwo-guard.yaml"
sed -i "s|@EXEC@|$wrapper|" "$c/kpt-render/Kptfile"

passed=0 failed=0
check() { # name, output file, where the result lands (file or package dir), command...
  local name=$1 out=$2 result=$3; shift 3
  local before after ok=1
  : >"$work/shim.log"; before=$(wc -l <"$calls")
  if ! RWO_GUARD_SHIM_LOG=$work/shim.log "$@" >"$out" 2>"$out.stderr"; then
    echo "FAIL $name: command failed:"; sed 's/^/    /' "$out.stderr"; ok=0
  fi
  after=$(wc -l <"$calls")
  if ((ok)); then
    case $name in
      container*) grep -q "	$image\$" "$work/shim.log" || { echo "FAIL $name: no docker run of $image"; ok=0; }
                  [[ -s "$work/docker-argv.log" ]] || cp "$work/shim.log" "$work/docker-argv.log" ;;
      *) ((after > before)) || { echo "FAIL $name: $bin was not invoked"; ok=0; } ;;
    esac
  fi
  if ((ok && standin)); then
    grep -rq 'standin.rwo-guard.dev/seen' "$result" || { echo "FAIL $name: stand-in annotation missing"; ok=0; }
  fi
  if ((ok)); then echo "ok   $name"; passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

for k in kubectl "$k133"; do
  v=$(basename "$k")
  check "container/$v" "$work/container.$v.yaml" "$work/container.$v.yaml" "$k" kustomize --enable-alpha-plugins "$c/container"
  check "legacy/$v" "$work/legacy.$v.yaml" "$work/legacy.$v.yaml" env KUSTOMIZE_PLUGIN_HOME="$plugin_home" \
    "$k" kustomize --enable-alpha-plugins "$c/legacy"
done
check kpt-eval "$work/kpt-eval.log" "$c/kpt-eval/pkg" kpt fn eval --exec "$wrapper" --fn-config "$c/kpt-eval/fn-config.yaml" "$c/kpt-eval/pkg"
check kpt-render "$work/kpt-render.log" "$c/kpt-render" kpt fn render --allow-exec "$c/kpt-render"

echo "smoke: docker argv used by kustomize: $(tr '\t' ' ' <"$work/docker-argv.log" | head -n1)"
echo "$passed passed, $failed failed"
((failed == 0))
