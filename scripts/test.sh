#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine:
#   1. installs what is missing (scripts/install-deps.sh),
#   2. builds Release and runs every test: unit tests, end-to-end tests
#      that start real admin-api, redirector and redis-server processes, and
#      the fault-injection tests (label "fault", Release only),
#   3. builds with ASan+UBSan and runs the unit and end-to-end tests again,
#   4. builds with TSan and runs the concurrent tests (label "concurrent"),
#   5. builds the libFuzzer harnesses (clang-14) and runs each for
#      SHORTLINK_FUZZ_SECONDS (default 30).
# Set SHORTLINK_QUICK=1 to stop after step 2.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

run_suite() {  # preset, ctest label regex
  local preset=$1 labels=$2
  echo "== $preset: build" >&2
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test ($labels)" >&2
  ctest --preset "$preset" -L "$labels" -j 2 --timeout 900 --output-on-failure
}

run_suite release 'unit|e2e'
ctest --preset release -L fault --timeout 900 --output-on-failure  # fault injection, Release only (tests/e2e/test_faults.py)
[ "${SHORTLINK_QUICK:-0}" = 1 ] && exit 0
run_suite asan 'unit|e2e'
# liburcu is not built with TSan: tests/tsan.supp says which of its own
# accesses TSan cannot see ordered, and nothing of ours.
TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1" run_suite tsan 'concurrent'
# libFuzzer harnesses (tests/fuzz), 30 s each by default: regressions, then fuzzing.
scripts/fuzz.sh "${SHORTLINK_FUZZ_SECONDS:-30}"
echo "All test suites passed." >&2
