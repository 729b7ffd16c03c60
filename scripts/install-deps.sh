#!/usr/bin/env bash
# Install what rwo-guard's end-to-end tests need, and check what cannot be installed here.
# Idempotent: installs podman and runc with apt-get (after `apt-get update`) only when missing.
# Fails loudly, naming each missing tool, when kubectl, kubectl.1.33 or kpt cannot be found.
#   kubectl       kustomize v5.5 (`kubectl kustomize`)
#   kubectl.1.33  kustomize v5.6; looked up on PATH, then beside kubectl's resolved binary
#                 (the Google Cloud SDK bin folder), then in $KUBECTL_133 if set
#   kpt           `kpt fn eval --exec`, `kpt fn render --allow-exec`
#   .tools/venv   Python tools of scripts/requirements-tools.txt (installed with pip)
# Prints `KUBECTL_133=<path>` on success so callers can eval/grep it.
set -euo pipefail
say() { printf 'install-deps: %s\n' "$*"; }

missing_pkgs=()
for tool in podman runc; do
  if command -v "$tool" >/dev/null 2>&1; then
    say "$tool present: $(command -v "$tool")"
  else
    missing_pkgs+=("$tool")
  fi
done
if ((${#missing_pkgs[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    say "ERROR: missing ${missing_pkgs[*]} and not root; install them with apt-get" >&2
    exit 1
  fi
  say "installing ${missing_pkgs[*]}: apt-get update && apt-get install -y ${missing_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for a dpkg lock held by another apt run instead of failing at once.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing_pkgs[@]}"
  for tool in "${missing_pkgs[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || { say "ERROR: $tool still missing after apt-get install" >&2; exit 1; }
    say "installed $tool: $(command -v "$tool")"
  done
fi

errors=()
if command -v kubectl >/dev/null 2>&1; then
  say "kubectl present: $(command -v kubectl)"
else
  errors+=("kubectl (kustomize v5.5) not found on PATH")
fi

k133=${KUBECTL_133:-}
if [[ -z "$k133" ]]; then
  if command -v kubectl.1.33 >/dev/null 2>&1; then
    k133=$(command -v kubectl.1.33)
  elif command -v kubectl >/dev/null 2>&1; then
    cand="$(dirname "$(readlink -f "$(command -v kubectl)")")/kubectl.1.33"
    [[ -x "$cand" ]] && k133=$cand
  fi
fi
if [[ -n "$k133" && -x "$k133" ]]; then
  say "kubectl.1.33 present: $k133"
else
  errors+=("kubectl.1.33 (kustomize v5.6) not found on PATH, beside kubectl's binary, or in \$KUBECTL_133")
fi

if command -v kpt >/dev/null 2>&1; then
  say "kpt present: $(command -v kpt) ($(kpt version 2>/dev/null || echo '?'))"
else
  errors+=("kpt not found on PATH")
fi

# Python tools for the integration tests (Helm 4's engine, pre-commit): a venv under .tools/
# from the pinned scripts/requirements-tools.txt. pip skips what is already installed.
repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
venv=$repo/.tools/venv
if [[ ! -x "$venv/bin/python" ]]; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      say "installing python3-venv: apt-get install -y python3-venv"
      apt-get -o DPkg::Lock::Timeout=600 update -qq
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-venv
    fi
    python3 -m venv "$venv" || errors+=("cannot create the Python venv $venv (python3 with venv needed)")
  fi
fi
if [[ -x "$venv/bin/python" ]]; then
  if "$venv/bin/pip" install -q --disable-pip-version-check -r "$repo/scripts/requirements-tools.txt"; then
    say "python tools present in $venv ($(grep -c '==' "$repo/scripts/requirements-tools.txt") pinned)"
  else
    errors+=("pip install -r scripts/requirements-tools.txt into $venv failed")
  fi
fi

if ((${#errors[@]})); then
  for e in "${errors[@]}"; do say "ERROR: $e" >&2; done
  say "ERROR: these cannot be installed by this script; the end-to-end tests cannot run" >&2
  exit 1
fi
say "all dependencies present"
echo "KUBECTL_133=$k133"
