#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, the "fuzz" preset: clang-14,
# ASan+UBSan) and runs each for SECONDS (default 60):
#   scripts/fuzz.sh          # a minute each, as CI does with 30 s
#   scripts/fuzz.sh 600      # longer runs, for anyone
#   scripts/fuzz.sh 60 redirect change   # only these harnesses
# First every input in tests/fuzz/regressions/<harness>/ (crashes found
# before) is replayed; then the harness fuzzes from its committed seeds in
# tests/fuzz/corpus/<harness>/ plus what earlier runs on this machine found
# (build-fuzz/corpus/<harness>/, never committed). Prints the inputs executed
# per harness and fails if any harness crashes, leaks, times out or breaks
# an invariant; a crashing input lands in build-fuzz/artifacts/<harness>/:
# fix the bug and copy the input into tests/fuzz/regressions/<harness>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
jobs=${SHORTLINK_FUZZ_JOBS:-2}

build_start=$SECONDS
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
echo "== fuzz: build $((SECONDS - build_start))s" >&2

harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for src in tests/fuzz/*_fuzz.cc; do
    name=$(basename "$src" _fuzz.cc)
    harnesses+=("$name")
  done
fi

# The edge reads heads of up to 16 KiB: let its inputs grow past that, so
# the 414/431 limits are within the fuzzer's reach. Others keep 4 KiB.
max_len_for() {
  case $1 in
    redirect) echo 20000 ;;
    *) echo 4096 ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
failed=()
summary=()
for name in "${harnesses[@]}"; do
  bin=build-fuzz/bin/${name}_fuzz
  corpus=build-fuzz/corpus/$name
  artifacts=build-fuzz/artifacts/$name/
  log=build-fuzz/fuzz-$name.log
  mkdir -p "$corpus" "$artifacts"

  regressions=()
  if [ -d "tests/fuzz/regressions/$name" ]; then
    while IFS= read -r -d '' f; do regressions+=("$f"); done \
      < <(find "tests/fuzz/regressions/$name" -type f ! -name '*.md' -print0 | sort -z)
  fi
  if [ ${#regressions[@]} -gt 0 ]; then
    echo "== fuzz $name: replaying ${#regressions[@]} regression inputs" >&2
    if ! "$bin" "${regressions[@]}" >"$log" 2>&1; then
      tail -n 40 "$log" >&2
      echo "== fuzz $name: a regression input fails again (log: $log)" >&2
      failed+=("$name(regression)")
      summary+=("$(printf '%-12s %14s  %s' "$name" "-" "REGRESSION FAILS")")
      continue
    fi
  fi

  echo "== fuzz $name: ${seconds}s" >&2
  status=0
  "$bin" "$corpus" "tests/fuzz/corpus/$name" -max_total_time="$seconds" -timeout=25 \
    -max_len="$(max_len_for "$name")" -print_final_stats=1 -artifact_prefix="$artifacts" \
    >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  coverage=$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -n 1 | cut -d' ' -f2)
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "== fuzz $name: FAILED (exit $status); input in $artifacts, log $log" >&2
    failed+=("$name")
    summary+=("$(printf '%-12s %14s  %s' "$name" "${runs:-?}" "CRASH")")
  else
    summary+=("$(printf '%-12s %14s  ok (coverage %s edges)' "$name" "${runs:-?}" "${coverage:-?}")")
  fi
done

echo "== fuzz: inputs executed in ${seconds}s per harness" >&2
printf '%-12s %14s  %s\n' harness inputs result >&2
printf '%s\n' "${summary[@]}" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "== fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
