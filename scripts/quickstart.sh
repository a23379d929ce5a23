#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs the service with
# its embedded defaults: a local redis-server, admin-api over HTTPS with a
# self-signed certificate on https://127.0.0.1:8443, and one redirector on
# http://127.0.0.1:8080, all keeping their data under ./data. Prints how to
# create a link and follow it. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target admin-api redirector

data=$root/data
mkdir -p "$data/admin" "$data/redirector" "$data/redis"
if [ ! -f "$data/tls.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$data/tls.key" -out "$data/tls.pem" 2>/dev/null
fi
[ -f "$data/node-token" ] || (umask 077 && openssl rand -hex 32 >"$data/node-token")
if [ ! -f "$data/api-key" ]; then
  (umask 077 && build/bin/admin-api bootstrap --data-dir "$data/admin" --email admin@example.com >"$data/api-key")
fi
key=$(cat "$data/api-key")

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

redis-server --port 6379 --bind 127.0.0.1 --dir "$data/redis" --save '' --appendonly no \
  --logfile "$data/redis/redis.log" &
pids+=($!)
build/bin/admin-api serve --data-dir "$data/admin" --listen 127.0.0.1:8443 --redis 127.0.0.1:6379 \
  --tls-cert "$data/tls.pem" --tls-key "$data/tls.key" --public-url http://127.0.0.1:8080 \
  --node-token-file "$data/node-token" 2>>"$data/admin.log" &
pids+=($!)
for _ in $(seq 50); do curl -skf https://127.0.0.1:8443/healthz >/dev/null && break; sleep 0.2; done
build/bin/redirector --data-dir "$data/redirector" --listen 127.0.0.1:8080 --redis 127.0.0.1:6379 \
  --admin-url https://127.0.0.1:8443 --admin-ca "$data/tls.pem" --node-token-file "$data/node-token" \
  --ops-listen 127.0.0.1:9090 2>>"$data/redirector.log" &
pids+=($!)
for _ in $(seq 50); do curl -sf http://127.0.0.1:9090/healthz >/dev/null && break; sleep 0.2; done

cat <<MSG

The link service is running (logs in $data/*.log). Your admin API key is in $data/api-key.

Create a link:
  curl -s --cacert $data/tls.pem https://127.0.0.1:8443/api/v1/urls \\
    -H "Authorization: Bearer \$(cat $data/api-key)" -H 'Content-Type: application/json' \\
    -d '{"longUrl": "https://example.com/hello", "shortUrl": "hello"}'

Follow it:
  curl -si http://127.0.0.1:8080/hello

List your links:
  curl -s --cacert $data/tls.pem -H "Authorization: Bearer \$(cat $data/api-key)" https://127.0.0.1:8443/api/v1/urls

Or open the dashboard: https://127.0.0.1:8443/dashboard (accept the self-signed
certificate $data/tls.pem; log in with user admin and the key in $data/api-key).

Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
echo "A process exited; stopping the rest (see $data/*.log)." >&2
