#!/usr/bin/env python3
"""Admin API benchmark: creates/s over TLS with keep-alive, import links/s,
and list/search latency with many links owned by one user.

Usage: bench/admin_api.py [--links 1000000] [--seconds 10] [--connections 64]
Needs a Release build in build/bin (cmake --build build) and wrk.
Targets (issue 4): creates >= 5,000/s; import >= 100,000 links/s; search and
orderBy=clicks at 1M links < 100 ms. Each is printed as MET or BELOW.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from harness import BIN, AdminApi, ProcessGroup, Redis  # noqa: E402

CREATE_LUA = r"""
local counter = 0
prefix = "0"  -- set per thread in setup()
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("prefix", tostring(threads) .. "x" .. tostring(os.time()))
end
request = function()
  counter = counter + 1
  local body = '{"longUrl":"https://example.com/bench/' .. counter .. '","shortUrl":"b' .. prefix .. '-' .. counter .. '"}'
  return wrk.format("POST", "/api/v1/urls", {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer KEY"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d p50_us=%d p99_us=%d\n", summary.requests,
           summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
"""


def verdict(ok):
    return "MET" if ok else "BELOW"


def bench_creates(group, api, key, seconds, connections):
    script = group.path("create.lua")
    with open(script, "w") as f:
        f.write(CREATE_LUA.replace("KEY", key))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script,
                          f"https://127.0.0.1:{api.port}"], capture_output=True, text=True, check=True).stdout
    rps = float(next(l for l in out.splitlines() if l.startswith("Requests/sec:")).split()[1])
    result = dict(kv.split("=") for kv in next(l for l in out.splitlines() if l.startswith("RESULT")).split()[1:])
    return rps, result


def make_csv(path, n):
    rnd = random.Random(42)
    with open(path, "w") as f:
        f.write("shortUrl,longUrl\n")
        for i in range(n):
            f.write(f"imp{i:07d},https://www.example-{rnd.randrange(1000)}.com/articles/{rnd.randrange(10**9)}"
                    f"/some-readable-slug-{i}?utm_source=newsletter&ref={rnd.randrange(10**6)}\n")


def timed(api, key, path, runs=15):
    conn = api.connection()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        status, _, _ = api.request("GET", path, key=key, conn=conn)
        samples.append((time.perf_counter() - t) * 1000)
        assert status == 200, status
    return statistics.median(samples), max(samples)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--links", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    args = ap.parse_args()
    group = ProcessGroup()
    try:
        redis = Redis(group).start()
        api = AdminApi(group, redis, extra=["--rate-limit", "1000000000", "--threads", "2", "--log-level", "warn"])
        key = api.bootstrap()

        csv = group.path("links.csv")
        print(f"generating {args.links} links ...", file=sys.stderr)
        make_csv(csv, args.links)
        t = time.perf_counter()
        out = subprocess.run([os.path.join(BIN, "admin-api"), "import", "--data-dir", api.data_dir,
                              "--email", "admin@example.com", csv], capture_output=True, text=True)
        import_secs = time.perf_counter() - t
        assert out.returncode == 0, out.stderr
        import_rate = args.links / import_secs

        t = time.perf_counter()
        api.start()
        start_secs = time.perf_counter() - t
        search_p50, search_max = timed(api, key, "/api/v1/urls?searchText=slug-99999&limit=100")
        clicks_p50, clicks_max = timed(api, key, "/api/v1/urls?orderBy=clicks&limit=100")
        first_p50, first_max = timed(api, key, "/api/v1/urls?limit=1000")

        rps, wrk_result = bench_creates(group, api, key, args.seconds, args.connections)
        print(f"import:   {args.links} links in {import_secs:.2f} s = {import_rate:,.0f} links/s   "
              f"{verdict(import_rate >= 100_000)} (target >= 100,000)")
        print(f"restart with {args.links} links: ready in {start_secs:.2f} s")
        print(f"search (searchText, {args.links} links): median {search_p50:.1f} ms, max {search_max:.1f} ms   "
              f"{verdict(search_p50 < 100)} (target < 100 ms)")
        print(f"orderBy=clicks ({args.links} links): median {clicks_p50:.1f} ms, max {clicks_max:.1f} ms   "
              f"{verdict(clicks_p50 < 100)} (target < 100 ms)")
        print(f"first page of 1000 by createdAt: median {first_p50:.1f} ms, max {first_max:.1f} ms")
        print(f"creates over TLS, keep-alive, {args.connections} connections: {rps:,.0f}/s "
              f"(p50 {int(wrk_result['p50_us']) / 1000:.2f} ms, p99 {int(wrk_result['p99_us']) / 1000:.2f} ms, "
              f"non-2xx {wrk_result['errors_status']})   {verdict(rps >= 5000)} (target >= 5,000/s)")
    finally:
        group.close()


if __name__ == "__main__":
    main()
