#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the quickstart need.
# Idempotent: does nothing when they are all present.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git python3 openssl curl
  libboost1.81-all-dev librocksdb-dev libsimdjson-dev libhiredis-dev libssl-dev
  liburcu-dev libsodium-dev catch2 libbenchmark-dev redis-server wrk
  clang-14 libclang-rt-14-dev  # libFuzzer harnesses (scripts/fuzz.sh)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
