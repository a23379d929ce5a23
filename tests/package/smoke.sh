#!/usr/bin/env bash
# The Debian package on this machine, as an operator gets it (root; CI runs
# it on a fresh Debian 12 machine, scripts/test.sh stage "package"):
#   1. builds admin-api and redirector in the Release build dir and the .deb
#      with cpack (packaging/cpack.cmake),
#   2. installs it with apt-get and checks what it put where: binaries that
#      answer --help, conffiles, the shortlink user, the node token, units
#      that `systemd-analyze verify` accepts,
#   3. starts the installed programs with the installed configs as the
#      units' ExecStart does, as the shortlink user, plus flags for free
#      loopback ports, a throwaway data dir and a self-signed certificate
#      (through systemd with a drop-in when systemd runs, else directly),
#   4. creates a link through the admin API and follows it at the node,
#   5. purges the package and removes what the test made, also on failure.
# Takes ~30 s once the binaries are built. SHORTLINK_BUILD_DIR: default build.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${SHORTLINK_BUILD_DIR:-$root/build}
# It installs a package: as root, or through sudo (as scripts/install-deps.sh).
[ "$(id -u)" -eq 0 ] || exec sudo SHORTLINK_BUILD_DIR="$build" "$0" "$@"

say() { echo "smoke: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# Whatever the test adds to the machine is taken back by cleanup.
out=$(mktemp -d /tmp/shortlink-package.XXXXXX)
had_user=0; getent passwd shortlink >/dev/null && had_user=1
had_state=0; [ -e /var/lib/shortlink ] && had_state=1
work=/var/lib/shortlink/smoke  # under the units' StateDirectory, where they may write
pids=()
use_systemd=0
cleanup() {
  local status=$?
  if [ "$use_systemd" = 1 ]; then
    systemctl stop admin-api redirector 2>/dev/null || true
    rm -rf /run/systemd/system/admin-api.service.d /run/systemd/system/redirector.service.d
    systemctl daemon-reload 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$out"/*.log; do [ -f "$log" ] && { say "--- $log"; tail -20 "$log" >&2; }; done
  fi
  # Installed, half-installed or its conffiles left: purged.
  if dpkg-query -W -f='${db:Status-Abbrev}' shortlink 2>/dev/null | grep -qv '^un'; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq shortlink >/dev/null 2>&1 ||
      dpkg --purge shortlink >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  [ "$had_state" = 1 ] || rm -rf /var/lib/shortlink
  [ "$had_user" = 1 ] || ! getent passwd shortlink >/dev/null || deluser --system --quiet shortlink >/dev/null 2>&1 || true
  getent group shortlink >/dev/null && [ "$had_user" = 0 ] && { delgroup --system --quiet shortlink >/dev/null 2>&1 || true; }
  rm -rf "$out"
  exit "$status"
}
trap cleanup EXIT INT TERM

if dpkg-query -W -f='${db:Status-Abbrev}' shortlink 2>/dev/null | grep -q '^ii'; then
  fail "a shortlink package is already installed here; this test installs and purges its own"
fi

# 1. The package.
say "building admin-api, redirector and the .deb"
flock /tmp/shortlink-build.lock cmake --build "$build" -j 2 --target admin-api redirector >"$out/build.log" 2>&1
(cd "$build" && cpack --config CPackConfig.cmake -B "$out" >"$out/cpack.log" 2>&1)
deb=$(ls "$out"/shortlink_*.deb)
say "$(basename "$deb"): $(du -h "$deb" | cut -f1)"

# 2. Installed, and where.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$out/apt.log" 2>&1 ||
  fail "apt-get install $(basename "$deb") (see $out/apt.log)"
for bin in admin-api redirector; do
  [ "$(command -v $bin)" = /usr/bin/$bin ] || fail "/usr/bin/$bin is not the $bin on PATH"
  /usr/bin/$bin --help >/dev/null || fail "$bin --help"
  [ -f /lib/systemd/system/$bin.service ] || fail "no unit /lib/systemd/system/$bin.service"
done
conffiles=$(dpkg-query -W -f='${Conffiles}' shortlink)
for conf in /etc/shortlink/admin-api.conf /etc/shortlink/redirector.conf; do
  [ -f "$conf" ] || fail "$conf not installed"
  grep -q " $conf " <<<"$conffiles" || fail "$conf is not a conffile"
done
getent passwd shortlink >/dev/null || fail "postinst made no shortlink user"
[ "$(stat -c '%U:%G %a' /etc/shortlink/node-token)" = "root:shortlink 640" ] ||
  fail "node token: $(stat -c '%U:%G %a' /etc/shortlink/node-token), want root:shortlink 640"
if command -v systemd-analyze >/dev/null; then
  # verify reads the unit as systemd would: directives, the binary, the user.
  for unit in admin-api redirector; do
    systemd-analyze verify /lib/systemd/system/$unit.service >"$out/verify-$unit.log" 2>&1 ||
      fail "systemd-analyze verify $unit.service: $(cat "$out/verify-$unit.log")"
    # The sandbox's score (0 best, 10 none; systemd 252+ scores offline):
    # 2.8 when written, so hardening taken out fails here.
    if systemd-analyze security --offline=yes /lib/systemd/system/$unit.service >"$out/security-$unit.log" 2>&1; then
      exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$out/security-$unit.log")
      say "$unit.service exposure $exposure"
      awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 3.5) }' || fail "$unit.service exposure ${exposure:-unknown} > 3.5"
    fi
  done
  say "units verified by systemd-analyze"
fi

# 3. Running: the units' command lines, with the test's own ports and dirs.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port) admin_port=$(free_port) edge_port=$(free_port) ops_port=$(free_port)
mkdir -p "$work"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
chown -R shortlink:shortlink "$work"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$out" --logfile "$out/redis.log" &
pids+=($!)

exec_start() { sed -n 's/^ExecStart=//p' "/lib/systemd/system/$1.service"; }
admin_flags="--data-dir $work/admin --listen 127.0.0.1:$admin_port --redis 127.0.0.1:$redis_port \
--tls-cert $work/tls.pem --tls-key $work/tls.key"
edge_flags="--data-dir $work/redirector --listen 127.0.0.1:$edge_port --ops-listen 127.0.0.1:$ops_port \
--redis 127.0.0.1:$redis_port --admin-url https://127.0.0.1:$admin_port --admin-ca $work/tls.pem"

key=$(setpriv --reuid shortlink --regid shortlink --init-groups admin-api bootstrap --data-dir "$work/admin" --email smoke@example.org)
[[ $key == live_v1_* ]] || fail "admin-api bootstrap printed no production key"

case "$(systemctl is-system-running 2>/dev/null || true)" in
  running | degraded) use_systemd=1 ;;
esac
start() {  # unit, extra flags
  if [ "$use_systemd" = 1 ]; then
    mkdir -p "/run/systemd/system/$1.service.d"
    printf '[Service]\nExecStart=\nExecStart=%s %s\nRestart=no\n' "$(exec_start "$1")" "$2" \
      >"/run/systemd/system/$1.service.d/smoke.conf"
    systemctl daemon-reload
    systemctl start "$1"
  else
    # shellcheck disable=SC2086  # the unit's command line, split on spaces as systemd does
    setpriv --reuid shortlink --regid shortlink --init-groups $(exec_start "$1") $2 >"$out/$1.log" 2>&1 &
    pids+=($!)
  fi
}
wait_for() {  # what, curl arguments...
  local what=$1
  shift
  for _ in $(seq 100); do curl -sf -o /dev/null "$@" && return 0; sleep 0.1; done
  fail "$what did not come up"
}
if [ "$use_systemd" = 1 ]; then say "starting the units through systemd"; else say "no systemd here: starting the units' ExecStart as user shortlink"; fi
start admin-api "$admin_flags"
wait_for admin-api --cacert "$work/tls.pem" "https://127.0.0.1:$admin_port/healthz"
start redirector "$edge_flags"
wait_for redirector "http://127.0.0.1:$ops_port/healthz"

# 4. A link, created and followed.
code=smoke-$RANDOM
created=$(curl -sS --cacert "$work/tls.pem" "https://127.0.0.1:$admin_port/api/v1/urls" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"longUrl\": \"https://example.com/package-smoke\", \"shortUrl\": \"$code\"}")
grep -q "\"shortUrl\":\"$code\"" <<<"$created" || fail "create answered: $created"
location=""
for _ in $(seq 100); do
  location=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$edge_port/$code")
  [ "$location" = "302 https://example.com/package-smoke" ] && break
  sleep 0.1
done
[ "$location" = "302 https://example.com/package-smoke" ] || fail "the node answered /$code with: $location"
say "/$code -> $location"

# 5. Purged: nothing of the package left.
if [ "$use_systemd" = 1 ]; then systemctl stop admin-api redirector; fi
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq shortlink >"$out/purge.log" 2>&1 || fail "apt-get purge"
for path in /usr/bin/admin-api /usr/bin/redirector /lib/systemd/system/admin-api.service /etc/shortlink; do
  [ ! -e "$path" ] || fail "$path left after purge"
done
say "installed, served a link, purged"
