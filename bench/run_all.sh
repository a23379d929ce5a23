#!/usr/bin/env bash
# Runs every benchmark in bench/ once; each rewrites its own section of
# bench/RESULTS.md (admin_api.py's output is captured into one here).
#
# Usage: bench/run_all.sh [--links N] [--with-10m] [--build]
#   --links N    links for every script (default 1,000,000; e.g. 200000 for a quick run)
#   --with-10m   startup.py also measures 10,000,000 links (slow to prepare)
#   --build      configure and build the Release binaries first
# Every step is bounded in time; a failing step does not stop the others,
# and the exit status is non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
LINKS=1000000
STARTUP_EXTRA=()
BUILD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --links) LINKS="$2"; shift 2 ;;
    --with-10m) STARTUP_EXTRA+=(--with-10m); shift ;;
    --build) BUILD=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

BIN="${SHORTLINK_BIN:-build/bin}"
if [ "$BUILD" = 1 ] || [ ! -x "$BIN/redirector" ] || [ ! -x "$BIN/admin-api" ]; then
  gen=()
  if [ ! -f build/CMakeCache.txt ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
  cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release && cmake --build build --target admin-api redirector -j "$(nproc)" || exit 1
fi

failed=()
step() {  # step NAME SECONDS COMMAND...
  local name="$1" secs="$2"; shift 2
  echo "=== $name: $*" >&2
  if ! timeout --signal=TERM --kill-after=60 "$secs" "$@"; then
    echo "=== $name FAILED" >&2
    failed+=("$name")
  fi
}

step redirect_vs_nginx 6000 python3 bench/redirect_vs_nginx.py --links "$LINKS"
step propagation 2000 python3 bench/propagation.py
step startup 12000 python3 bench/startup.py --links "$LINKS" "${STARTUP_EXTRA[@]}"

out="$(mktemp)"
trap 'rm -f "$out" "$out.md"' EXIT
step admin_api 3000 bash -c "python3 bench/admin_api.py --links '$LINKS' | tee '$out'"
if [ -s "$out" ]; then
  {
    echo "## Admin API (\`bench/admin_api.py\`)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), $LINKS links; the script's own output:"
    echo
    echo '```'
    cat "$out"
    echo '```'
  } > "$out.md"
  python3 bench/benchlib.py section admin_api "$out.md"
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
echo "all benchmarks done: bench/RESULTS.md" >&2
