#!/usr/bin/env bash
# Install what rwo-guard's full test command (`make test`) needs, and check what cannot be
# installed here. Idempotent: each part is installed only when missing or out of date.
#
# Installed (apt-get as root, or through password-less sudo):
#   podman, runc       apt-get (the container image tests)
#   .tools/venv        Python venv from the pinned scripts/requirements-tools.txt
#                      (check-jsonschema: the workflow and action schema checks)
#   .tools/node        npm tools from scripts/package.json + scripts/package-lock.json (`npm ci`)
#                      (action-validator: the workflow and action checks)
#   rustfmt, clippy    rustup components (`cargo fmt --check`, `cargo clippy`)
#   cargo-deny         `cargo install --locked cargo-deny` (licences, bans, sources)
# Checked, cannot be installed by this script (the script fails, naming each one missing):
#   kubectl       kustomize v5.5 (`kubectl kustomize`)
#   kubectl.1.33  kustomize v5.6; looked up on PATH, then beside kubectl's resolved binary
#                 (the Google Cloud SDK bin folder), then in $KUBECTL_133 if set
#   kpt           `kpt fn eval --exec`, `kpt fn render --allow-exec`
# Everything installable is installed before the script fails on what is not.
# Prints `KUBECTL_133=<path>` on success so callers can eval/grep it.
set -euo pipefail
repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
tools=$repo/.tools
say() { printf 'install-deps: %s\n' "$*"; }
errors=()
fail() { errors+=("$*"); say "ERROR: $*" >&2; }

apt_updated=
apt_install() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n --preserve-env=DEBIAN_FRONTEND)
    else
      fail "missing $*: not root (and no password-less sudo), so cannot apt-get install $*; install them and rerun"
      return 1
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || { fail "missing $*: no apt-get here; install them and rerun"; return 1; }
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z $apt_updated ]]; then
    say "apt-get update"
    # Wait for a dpkg lock held by another apt run instead of failing at once.
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq || { fail "apt-get update failed"; return 1; }
    apt_updated=1
  fi
  say "apt-get install -y $*"
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" || { fail "apt-get install $* failed"; return 1; }
}

# --- podman, runc (apt) ---------------------------------------------------------------
missing_pkgs=()
for tool in podman runc; do
  if command -v "$tool" >/dev/null 2>&1; then
    say "$tool present: $(command -v "$tool")"
  else
    missing_pkgs+=("$tool")
  fi
done
if ((${#missing_pkgs[@]})) && apt_install "${missing_pkgs[@]}"; then
  for tool in "${missing_pkgs[@]}"; do
    if command -v "$tool" >/dev/null 2>&1; then
      say "installed $tool: $(command -v "$tool")"
    else
      fail "$tool still missing after apt-get install"
    fi
  done
fi

# --- Python tools: .tools/venv from scripts/requirements-tools.txt ----------------------
reqs=$repo/scripts/requirements-tools.txt
venv=$tools/venv
if [[ -x $venv/bin/python ]] && cmp -s "$reqs" "$venv/.requirements-tools.txt"; then
  say "Python tools present: $venv (scripts/requirements-tools.txt unchanged)"
else
  if ! command -v python3 >/dev/null 2>&1; then
    apt_install python3 python3-venv || true
  fi
  if command -v python3 >/dev/null 2>&1; then
    if [[ ! -x $venv/bin/python ]] && ! python3 -m venv "$venv" 2>/dev/null; then
      # Debian's python3 needs python3-venv for `-m venv`.
      rm -rf "$venv"
      if ! apt_install python3-venv || ! python3 -m venv "$venv"; then
        fail "cannot create the venv $venv (python3 -m venv)"
      fi
    fi
    if [[ -x $venv/bin/python ]]; then
      say "pip install -r scripts/requirements-tools.txt into $venv"
      if "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs" \
          && "$venv/bin/python" -m pip check -q >/dev/null; then
        cp "$reqs" "$venv/.requirements-tools.txt"
        say "Python tools installed: $venv"
      else
        fail "pip could not install scripts/requirements-tools.txt into $venv"
      fi
    fi
  else
    fail "python3 not found and not installable: the Python tools (scripts/requirements-tools.txt) cannot be installed"
  fi
fi

# --- npm tools: .tools/node from scripts/package.json + package-lock.json ----------------
node_dir=$tools/node
if [[ -d $node_dir/node_modules ]] && cmp -s "$repo/scripts/package-lock.json" "$node_dir/package-lock.json" \
    && cmp -s "$repo/scripts/package.json" "$node_dir/package.json"; then
  say "npm tools present: $node_dir (scripts/package-lock.json unchanged)"
else
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm || true
  fi
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$node_dir"
    rm -f "$node_dir/package.json" "$node_dir/package-lock.json"
    cp "$repo/scripts/package.json" "$repo/scripts/package-lock.json" "$node_dir/"
    say "npm ci in $node_dir (scripts/package.json, scripts/package-lock.json)"
    if (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error); then
      say "npm tools installed: $node_dir/node_modules/.bin"
    else
      rm -f "$node_dir/package-lock.json"   # not up to date: retry next time
      fail "npm ci failed in $node_dir"
    fi
  else
    fail "npm not found and not installable: the npm tools (scripts/package.json) cannot be installed"
  fi
fi

# --- Rust: rustfmt, clippy, cargo-deny ---------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  fail "cargo not found: install Rust 1.85 or newer (rustup)"
else
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    if command -v rustup >/dev/null 2>&1; then
      say "rustup component add rustfmt clippy"
      rustup component add rustfmt clippy || fail "rustup component add rustfmt clippy failed"
    else
      fail "cargo fmt / cargo clippy missing and no rustup to add them"
    fi
  fi
  say "cargo fmt: $(cargo fmt --version 2>/dev/null || echo missing); cargo clippy: $(cargo clippy --version 2>/dev/null || echo missing)"
  if command -v cargo-deny >/dev/null 2>&1; then
    say "cargo-deny present: $(command -v cargo-deny)"
  else
    say "cargo install --locked cargo-deny (a few minutes of compiling, once)"
    cargo install --locked cargo-deny || fail "cargo install --locked cargo-deny failed"
  fi
fi

# --- kubectl, kubectl.1.33, kpt: checked only -------------------------------------------
if command -v kubectl >/dev/null 2>&1; then
  say "kubectl present: $(command -v kubectl)"
else
  fail "kubectl (kustomize v5.5) not found on PATH (not installable by this script)"
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
  fail "kubectl.1.33 (kustomize v5.6) not found on PATH, beside kubectl's binary, or in \$KUBECTL_133 (not installable by this script)"
fi

if command -v kpt >/dev/null 2>&1; then
  say "kpt present: $(command -v kpt) ($(kpt version 2>/dev/null || echo '?'))"
else
  fail "kpt not found on PATH (not installable by this script)"
fi

if ((${#errors[@]})); then
  say "FAILED: the full test command cannot run until these are fixed:" >&2
  for e in "${errors[@]}"; do say "  - $e" >&2; done
  exit 1
fi
say "all dependencies present"
echo "KUBECTL_133=$k133"
