#!/usr/bin/env bash
# The GitHub Action's run step (action.yml): runs rwo-guard on a path of YAML manifests or on
# a kustomization, writes the rewritten stream and the KRM results to files, and exits with
# rwo-guard's exit code (1 when a finding reaches fail-on; see the README's exit codes).
#
# Environment (action.yml sets these from its inputs):
#   RWO_GUARD_BIN            the binary (default: rwo-guard on PATH)
#   INPUT_PATH               a YAML file, or a directory whose *.yaml/*.yml files (recursive,
#                            sorted) are read as one stream; or
#   INPUT_KUSTOMIZATION      a kustomization directory, built with INPUT_KUSTOMIZE_COMMAND
#   INPUT_KUSTOMIZE_COMMAND  default: `kubectl kustomize` when kubectl is on PATH, else
#                            `kustomize build`
#   INPUT_MODE               recreate, rolling or check (default check: a CI gate)
#   INPUT_FAIL_ON            error, warning or never (default error)
#   INPUT_ARGS               more rwo-guard arguments, split on blanks
#   INPUT_OUTPUT             where to write the output stream (default RUNNER_TEMP/rwo-guard-output.yaml)
#   INPUT_RESULTS            where to write the results (default RUNNER_TEMP/rwo-guard-results.yaml)
# Outputs: exit-code, output, results. The findings (stderr) also go to the job summary.
set -uo pipefail
die() { echo "::error title=rwo-guard::$*" >&2; exit 2; }

bin=${RWO_GUARD_BIN:-rwo-guard}
command -v "$bin" >/dev/null 2>&1 || die "$bin not found: run the install step first"
path=${INPUT_PATH:-}
kust=${INPUT_KUSTOMIZATION:-}
if [[ -n $path && -n $kust ]] || [[ -z $path && -z $kust ]]; then
  die "set exactly one of the inputs path and kustomization"
fi
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
output=${INPUT_OUTPUT:-$tmp/rwo-guard-output.yaml}
results=${INPUT_RESULTS:-$tmp/rwo-guard-results.yaml}
stream=$(mktemp "$tmp/rwo-guard-input.XXXXXX")
stderr=$(mktemp "$tmp/rwo-guard-stderr.XXXXXX")
trap 'rm -f "$stream" "$stderr"' EXIT

if [[ -n $path ]]; then
  if [[ -f $path ]]; then
    cat -- "$path" >"$stream" || die "cannot read $path"
  elif [[ -d $path ]]; then
    mapfile -d '' files < <(find "$path" -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | LC_ALL=C sort -z)
    ((${#files[@]})) || die "no *.yaml or *.yml file under $path"
    for f in "${files[@]}"; do
      # One stream: each file starts a new document and ends with a line break.
      printf -- '---\n' >>"$stream"
      cat -- "$f" >>"$stream" || die "cannot read $f"
      [[ -z $(tail -c1 -- "$f") ]] || printf '\n' >>"$stream"
    done
  else
    die "path $path is neither a file nor a directory"
  fi
else
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
fi

args=(--mode "${INPUT_MODE:-check}" --fail-on "${INPUT_FAIL_ON:-error}" --results "$results")
if [[ -n ${INPUT_ARGS:-} ]]; then
  read -ra extra <<<"$INPUT_ARGS"
  args+=("${extra[@]}")
fi
echo "rwo-guard ${args[*]} < ${path:-$kust} > $output"
"$bin" "${args[@]}" <"$stream" >"$output" 2>"$stderr"
code=$?
cat "$stderr" >&2
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  {
    echo "### rwo-guard on \`${path:-$kust}\`: exit $code"
    echo '```'
    if [[ -s $stderr ]]; then cat "$stderr"; else echo "(no findings)"; fi
    echo '```'
  } >>"$GITHUB_STEP_SUMMARY"
fi
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  { echo "exit-code=$code"; echo "output=$output"; echo "results=$results"; } >>"$GITHUB_OUTPUT"
fi
exit "$code"
