#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the quickstart need.
# Idempotent: does nothing when they are all present.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git python3 python3-yaml openssl curl
  libboost1.81-all-dev librocksdb-dev libsimdjson-dev libhiredis-dev libssl-dev
  liburcu-dev libsodium-dev catch2 libbenchmark-dev redis-server wrk
  redis-sentinel  # Redis failover: tests/e2e/test_sentinel.py, operators' --redis-sentinel
  clang-14 libclang-rt-14-dev  # libFuzzer harnesses (scripts/fuzz.sh)
  uap-core libre2-dev libyaml-dev tor-geoipdb libmaxminddb-dev  # click analytics (classify/)
  libmaxmind-db-writer-perl  # tests write their own small MaxMind database
  libqrencode-dev libpng-dev  # links' QR codes (admin-api/src/qr/)
  zbar-tools librsvg2-bin     # tests/e2e/test_qr.py scans them back (zbarimg, rsvg-convert)
  chromium fonts-dejavu-core   # the edge's pages checked in a real browser (tests/browser)
  sslscan  # tests/e2e/test_edge_tls.py: the suites the edge offers
  iproute2 iptables  # tests/netns: namespaces, veths; loss, delay (NFQUEUE) and partitions
)
# Node.js may come from elsewhere (NodeSource); Debian's own only when there is none.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The npm checkers the tests run (tests/npm/package.json: the OpenAPI linter,
# the validating proxy, playwright-core, axe-core), pinned by the lock file.
npm_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/npm"
if ! cmp -s "$npm_dir/package-lock.json" "$npm_dir/node_modules/.installed-lock.json"; then
  echo "Installing the npm test tools (tests/npm)" >&2
  npm ci --prefix "$npm_dir" --no-audit --no-fund >/dev/null
  cp "$npm_dir/package-lock.json" "$npm_dir/node_modules/.installed-lock.json"
fi
