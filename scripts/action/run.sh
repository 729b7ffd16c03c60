#!/usr/bin/env bash
# The GitHub Action's run step (action.yml): `rwo-guard check` on paths of manifests, or on a
# kustomization's build; the findings as annotations on the pull request (workflow commands on
# standard output), as text in the log and the job summary, and as a SARIF file for GitHub code
# scanning. Exits with rwo-guard's exit code (1 when a finding reaches fail-on; see the exit
# codes in docs/configuration.md).
#
# Environment (action.yml sets these from its inputs):
#   RWO_GUARD_BIN            the binary (default: rwo-guard on PATH)
#   INPUT_PATH               files and directories to check, separated by blanks (default: .
#                            when no kustomization is given); or
#   INPUT_KUSTOMIZATION      a kustomization directory, built with INPUT_KUSTOMIZE_COMMAND and
#                            checked as standard input (`rwo-guard check -`)
#   INPUT_KUSTOMIZE_COMMAND  default: `kubectl kustomize` when kubectl is on PATH, else
#                            `kustomize build`
#   INPUT_FAIL_ON            error, warning or never (default error)
#   INPUT_ARGS               more `rwo-guard check` arguments, split on blanks
#   INPUT_SARIF              where to write the SARIF report (default RUNNER_TEMP/rwo-guard.sarif)
# Outputs: exit-code, sarif.
set -uo pipefail
die() { echo "::error title=rwo-guard::$*"; echo "rwo-guard: $*" >&2; exit 2; }

bin=${RWO_GUARD_BIN:-rwo-guard}
command -v "$bin" >/dev/null 2>&1 || die "$bin not found: run the install step first"
path=${INPUT_PATH:-}
kust=${INPUT_KUSTOMIZATION:-}
[[ -n $path && -n $kust ]] && die "set at most one of the inputs path and kustomization"
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
sarif=${INPUT_SARIF:-$tmp/rwo-guard.sarif}
stream=$(mktemp "$tmp/rwo-guard-build.XXXXXX")
text=$(mktemp "$tmp/rwo-guard-text.XXXXXX")
trap 'rm -f "$stream" "$text"' EXIT

if [[ -n $kust ]]; then
  [[ -d $kust ]] || die "kustomization $kust is not a directory"
  cmd=${INPUT_KUSTOMIZE_COMMAND:-}
  if [[ -z $cmd ]]; then
    if command -v kubectl >/dev/null 2>&1; then cmd="kubectl kustomize"
    elif command -v kustomize >/dev/null 2>&1; then cmd="kustomize build"
    else die "neither kubectl nor kustomize is on PATH: install one, or set kustomize-command"; fi
  fi
  read -ra build <<<"$cmd"
  echo "rwo-guard: $cmd $kust"
  "${build[@]}" "$kust" >"$stream" || die "\`$cmd $kust\` failed"
  targets=(-)
else
  read -ra targets <<<"${path:-.}"
fi

common=(--fail-on "${INPUT_FAIL_ON:-error}")
if [[ -n ${INPUT_ARGS:-} ]]; then
  read -ra extra <<<"$INPUT_ARGS"
  common+=("${extra[@]}")
fi
# check, with its report in FORMAT on standard output: the same inputs each time.
check() {
  if [[ -n $kust ]]; then "$bin" check "$@" "${common[@]}" - <"$stream"
  else "$bin" check "$@" "${common[@]}" -- "${targets[@]}"; fi
}

echo "rwo-guard check ${common[*]} ${targets[*]}${kust:+ (the build of $kust)}"
check --color never >"$text" 2>&1
code=$?
cat "$text"
# Annotations: workflow commands, read by the runner on standard output.
check --format github 2>/dev/null
check --format sarif --output "$sarif" --quiet 2>/dev/null
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  {
    echo "### rwo-guard check \`${kust:-${targets[*]}}\`: exit $code"
    echo '```'
    cat "$text"
    echo '```'
  } >>"$GITHUB_STEP_SUMMARY"
fi
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  { echo "exit-code=$code"; echo "sarif=$sarif"; } >>"$GITHUB_OUTPUT"
fi
exit "$code"
