#!/usr/bin/env bash
# CI step: render each kustomization and fail when a rollout of what it renders could hang on
# "Multi-Attach error for volume" (a Deployment on a ReadWriteOnce claim with a strategy that
# starts the new pod first). Changes nothing; prints rwo-guard's findings on stderr.
#
#   examples/ci-check/check.sh [KUSTOMIZATION_DIR...]     (default: .)
#
# Exit: 0 all fine; 1 a finding at or above RWO_GUARD_FAIL_ON; 2 a directory failed to render
# or rwo-guard could not read it (bad YAML, bad config).
# Env:  RWO_GUARD          the rwo-guard binary (default: rwo-guard on PATH)
#       RWO_GUARD_FAIL_ON  error (default) | warning | never
#       KUSTOMIZE          the render command (default: kubectl kustomize)
set -euo pipefail
rwo=${RWO_GUARD:-rwo-guard}
fail_on=${RWO_GUARD_FAIL_ON:-error}
read -ra render <<<"${KUSTOMIZE:-kubectl kustomize}"
rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT

status=0
(($#)) || set -- .
for dir in "$@"; do
  if ! "${render[@]}" "$dir" >"$rendered"; then
    echo "FAIL $dir: could not render with ${render[*]}" >&2
    status=2
    continue
  fi
  set +e
  "$rwo" --mode check --fail-on "$fail_on" <"$rendered" >/dev/null
  code=$?
  set -e
  case $code in
    0) echo "ok   $dir" >&2 ;;
    1) echo "FAIL $dir: a rollout could hang on Multi-Attach (see above)" >&2
       ((status == 2)) || status=1 ;;
    *) echo "FAIL $dir: rwo-guard exited $code" >&2
       status=2 ;;
  esac
done
exit "$status"
