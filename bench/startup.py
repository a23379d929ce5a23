#!/usr/bin/env python3
"""Warm start of a redirect node: time from process start to /healthz 200, and RSS.

For each size (1,000,000 links by default; add 10,000,000 with --with-10m, which
takes several minutes to generate, import and snapshot): generates and imports
the links, starts admin-api and a node that syncs its replica by snapshot (the
first start, timed too), stops it with SIGTERM, then times --trials warm
starts (spawn -> /healthz 200 on the ops port, polled every 5 ms) with
admin-api and redis up, and one more with both of them down (the replica
alone). Reports median/min/max, RSS at ready and bytes per link (RSS minus a
0-link node's RSS), with MET/BELOW against issue 4's targets (1M < 2 s,
10M < 8 s). Writes bench/RESULTS.md's section `startup`.

Usage: bench/startup.py [--links 1000000] [--with-10m] [--trials 3]
"""
import argparse
import os
import signal
import statistics
import time

import benchlib as B

TARGETS = {1_000_000: 2.0, 10_000_000: 8.0}


def target_for(n):
    """The issue's bound for this size (linear in between, for other sizes)."""
    if n in TARGETS:
        return TARGETS[n]
    return 2.0 if n <= 1_000_000 else 2.0 + 6.0 * (n - 1_000_000) / 9_000_000


def warm_start(node, n):
    secs = B.start_node(node, timeout=600)
    rss_ready = B.proc_rss_kb(node.proc.pid)
    links = node.metric("redirector_links")
    if links != n:
        raise AssertionError(f"{node.name} ready with {links} links, expected {n}")
    return secs, rss_ready


def bench_size(n, trials, rss0_holder):
    group = B.ProcessGroup()
    try:
        redis = B.Redis(group).start()
        api = B.make_admin(group, redis)
        if rss0_holder.get("rss0") is None:
            B.start_admin(api)
            node0 = B.make_node(group, "node0", api, redis)
            B.start_node(node0, links=0)
            B.stop(node0.proc)
            B.start_node(node0, links=0)
            rss0_holder["rss0"] = B.proc_rss_kb(node0.proc.pid)
            B.stop(node0.proc)
            B.stop(api.proc)
        csv = group.path("links.csv")
        t = time.perf_counter()
        n_written, _ = B.write_csv(csv, n)
        B.log(f"{n:,} links generated in {time.perf_counter() - t:.0f} s; importing")
        import_secs, _ = B.import_csv(api.data_dir, csv, timeout=7200)
        os.unlink(csv)
        B.log(f"imported in {import_secs:.0f} s; starting admin-api")
        t = time.perf_counter()
        B.start_admin(api, timeout=1200)
        admin_secs = time.perf_counter() - t
        node = B.make_node(group, "node", api, redis)
        t = time.perf_counter()
        B.start_node(node, timeout=3600, links=n_written)
        snap_secs = time.perf_counter() - t
        rss_snap = B.proc_rss_kb(node.proc.pid)
        B.log(f"first start (snapshot): {snap_secs:.1f} s, RSS {rss_snap / 1024:.0f} MiB")
        B.stop(node.proc, timeout=120)
        times, rss = [], []
        for k in range(trials):
            secs, r = warm_start(node, n_written)
            times.append(secs)
            rss.append(r)
            B.log(f"warm start {k + 1}: {secs:.3f} s, RSS {r / 1024:.0f} MiB")
            code = B.stop(node.proc, timeout=120)
            if code != 0:
                raise AssertionError(f"node exited {code} on SIGTERM")
        # The replica alone: admin-api and redis down.
        B.stop(api.proc)
        redis.kill()
        alone, rss_alone = warm_start(node, n_written)
        B.log(f"warm start with admin-api and redis down: {alone:.3f} s")
        B.stop(node.proc, timeout=120)
        return {"n": n_written, "import": import_secs, "admin": admin_secs, "snap": snap_secs, "rss_snap": rss_snap,
                "times": times, "rss": statistics.median(rss), "alone": alone, "rss_alone": rss_alone}
    finally:
        group.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--links", type=int, default=1_000_000)
    ap.add_argument("--with-10m", action="store_true", help="also 10,000,000 links (slow to prepare)")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=10800, help="bound on the whole run, seconds")
    ap.add_argument("--no-results", action="store_true", help="do not rewrite bench/RESULTS.md")
    args = ap.parse_args()
    B.check_binaries()
    B.bound_runtime(args.timeout)
    machine = B.machine_line()
    sizes = [args.links] + ([10_000_000] if args.with_10m and args.links != 10_000_000 else [])
    holder, results = {}, []
    for n in sizes:
        results.append(bench_size(n, args.trials, holder))
    rss0 = holder["rss0"]
    rows, lines = [], []
    for r in results:
        med = statistics.median(r["times"])
        target = target_for(r["n"])
        ok = med < target
        per_link = (r["rss"] - rss0) * 1024 / r["n"]
        rows.append([f"{r['n']:,}", f"**{med:.3f}**", f"{min(r['times']):.3f} / {max(r['times']):.3f}",
                     f"{r['alone']:.3f}", f"< {target:g} s {B.verdict(ok)}", f"{r['rss'] / 1024:.0f} MiB",
                     f"{per_link:.0f}", f"{r['snap']:.1f} s ({r['rss_snap'] / 1024:.0f} MiB)",
                     f"{r['import']:.1f} s ({r['n'] / r['import']:,.0f}/s)", f"{r['admin']:.1f} s"])
        lines.append(f"startup {r['n']:,} links: warm start median {med:.3f} s (min {min(r['times']):.3f}, max "
                     f"{max(r['times']):.3f}; replica alone {r['alone']:.3f} s), RSS {r['rss'] / 1024:.0f} MiB "
                     f"({per_link:.0f} B/link)   {B.verdict(ok)} (target < {target:g} s)")
    header = ["links", "warm start s (median)", "min / max", "admin+redis down", "target", "RSS at ready",
              "B/link (RSS - 0-link RSS)", "first start (snapshot)", "import", "admin-api start"]
    print("\n" + B.md_table(header, rows))
    print("\n".join(lines))
    if not args.no_results:
        md = ["## Warm start of a node (`bench/startup.py`)\n",
              f"{machine}. Time from spawning `redirector` (--threads 1) to /healthz 200 on its ops port, its "
              f"replica already on disk (synced by snapshot on the first start, then SIGTERM); median of "
              f"{args.trials} starts with admin-api and redis up, plus one with both down. 0-link node RSS "
              f"{rss0 / 1024:.1f} MiB.\n",
              B.md_table(header, rows)]
        if not args.with_10m:
            md.append("\n10,000,000 links: not run this time (`bench/startup.py --with-10m`; target < 8 s).")
        B.write_section("startup", "\n".join(md))
        print(f"written to {B.RESULTS}")


if __name__ == "__main__":
    main()
