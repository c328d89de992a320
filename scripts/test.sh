#!/usr/bin/env bash
# `npm test`: the whole check, in order, stopping at the first failure.
#   prerequisites (Debian tools, checked in seconds) -> build (jsii) -> lint (eslint)
#   -> unit (jest project `unit`) -> floor (the same unit tests on the lowest aws-cdk-lib of the
#   peer range) -> examples (tsc + synth) -> verify (jest project `verify`:
#   IAM engine, property tests, credential chain, cfn-guard, consumer install with the CDK CLI)
#   -> package (rosetta, API.md, jsii-pacmak, gofmt, Python wheel/sdist, npm tarball)
#   -> bench (quick mode: fails when a structural target regresses)
# CDK_IRSA_SKIP_PACKAGING=1 skips the steps that need Debian's golang-go, python3-build and twine.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
timings=()

step() {
  local name=$1
  shift
  local step_started=$SECONDS
  printf '\n==== %s: %s\n' "$name" "$*"
  if ! "$@"; then
    printf '\n==== FAILED: %s (after %ss; total %ss)\n' "$name" $((SECONDS - step_started)) $((SECONDS - started))
    exit 1
  fi
  printf '==== %s: ok in %ss\n' "$name" $((SECONDS - step_started))
  timings+=("$(printf '%-13s %4ss' "$name" $((SECONDS - step_started)))")
}

step prerequisites node scripts/prerequisites.mjs
step build    npm run --silent build
step lint     npm run --silent lint
step unit     npm run --silent unit
step floor    npm run --silent floor
step examples npm run --silent examples
step verify   npm run --silent verify
step package  npm run --silent package
step bench    npm run --silent bench -- --quick

printf '\n==== npm test passed in %ss\n' $((SECONDS - started))
printf '  %s\n' "${timings[@]}"
