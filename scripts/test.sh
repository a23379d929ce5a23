#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine:
#   1. installs what is missing (scripts/install-deps.sh),
#   2. builds Release and runs every test: unit tests, end-to-end tests
#      that start real admin-api, redirector and redis-server processes, and
#      the fault-injection tests (label "fault", Release only), then the
#      Debian package installed and serving a link (tests/package/smoke.sh),
#   3. builds with ASan+UBSan and runs the unit and end-to-end tests again,
#   4. builds with TSan and runs the concurrent tests (label "concurrent"),
#   5. builds the libFuzzer harnesses (clang-14) and runs each for
#      SHORTLINK_FUZZ_SECONDS (default 30).
# Set SHORTLINK_QUICK=1 to stop after step 2.
# Each stage prints how long it took, and the last line of the log sums them
# all up (also when a stage fails), so a slow CI run shows where time went.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
started=$SECONDS
stage_times=()
current_stage=""
current_start=0

summarize() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -n "$current_stage" ]; then
    stage_times+=("$current_stage=FAILED@$((SECONDS - current_start))s")
  fi
  echo "== stage times: ${stage_times[*]} total=$((SECONDS - started))s" >&2
}
trap summarize EXIT

stage() {  # name, command...: runs the command and records its elapsed time
  current_stage=$1 current_start=$SECONDS
  shift
  echo "== $current_stage" >&2
  "$@"
  local elapsed=$((SECONDS - current_start))
  echo "== $current_stage: ${elapsed}s" >&2
  stage_times+=("$current_stage=${elapsed}s")
  current_stage=""
}

build() {  # preset
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "$jobs"
}

run_tests() {  # preset, ctest label regex
  ctest --preset "$1" -L "$2" -j 2 --timeout 900 --output-on-failure
}

stage install scripts/install-deps.sh
stage release-build build release
stage release-test run_tests release 'unit|e2e'
# Fault injection, Release only (tests/e2e/test_faults.py).
stage release-fault ctest --preset release -L fault --timeout 900 --output-on-failure
# Many nodes across a real network: namespaces, partitions, delay, loss (tests/netns, root).
stage release-netns ctest --preset release -L netns --timeout 900 --output-on-failure
# The Debian package: built, installed, serving a link, purged (root only).
stage package tests/package/smoke.sh
[ "${SHORTLINK_QUICK:-0}" = 1 ] && exit 0
stage asan-build build asan
stage asan-test run_tests asan 'unit|e2e'
stage tsan-build build tsan
# liburcu is not built with TSan: tests/tsan.supp says which of its own
# accesses TSan cannot see ordered, and nothing of ours.
TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1" stage tsan-test run_tests tsan 'concurrent'
# libFuzzer harnesses (tests/fuzz), 30 s each by default: regressions, then
# fuzzing. fuzz.sh prints its own build time.
stage fuzz scripts/fuzz.sh "${SHORTLINK_FUZZ_SECONDS:-30}"
echo "All test suites passed." >&2
