# shellcheck shell=bash
# Source this file (`. scripts/container-env.sh`) before running kustomize/kpt with
# container functions. It:
#   - exports CONTAINERS_CONF=scripts/containers.conf (runc, explicit ulimits for this sandbox);
#   - prepends scripts/shim (holding a `docker` that execs podman) to PATH, so kustomize's
#     `docker run ...` reaches podman;
#   - picks the storage driver: the system default (overlay) unless RWO_GUARD_STORAGE=vfs,
#     or RWO_GUARD_STORAGE=auto (default) and a quick overlay probe fails, in which case
#     CONTAINERS_STORAGE_CONF=scripts/storage-vfs.conf is exported.
# Optional: RWO_GUARD_SHIM_LOG=FILE makes the shim append every docker argv to FILE.
_rwo_scripts=$(CDPATH= cd -- "$(dirname -- "${BASH_SOURCE[0]:-$0}")" && pwd)
export CONTAINERS_CONF="$_rwo_scripts/containers.conf"
case ":$PATH:" in
  *":$_rwo_scripts/shim:"*) ;;
  *) export PATH="$_rwo_scripts/shim:$PATH" ;;
esac
if ! command -v podman >/dev/null 2>&1; then
  echo "container-env.sh: podman not found; run scripts/install-deps.sh" >&2
  return 1 2>/dev/null || exit 1
fi
case "${RWO_GUARD_STORAGE:-auto}" in
  vfs) export CONTAINERS_STORAGE_CONF="$_rwo_scripts/storage-vfs.conf" ;;
  overlay|default) ;;
  auto)
    if [ -z "${CONTAINERS_STORAGE_CONF:-}" ] \
       && ! podman info --format '{{.Store.GraphDriverName}}' >/dev/null 2>&1; then
      echo "container-env.sh: default podman storage unusable; using vfs ($_rwo_scripts/storage-vfs.conf)" >&2
      export CONTAINERS_STORAGE_CONF="$_rwo_scripts/storage-vfs.conf"
    fi ;;
  *) echo "container-env.sh: RWO_GUARD_STORAGE must be auto, overlay or vfs" >&2
     return 1 2>/dev/null || exit 1 ;;
esac
unset _rwo_scripts
