#!/usr/bin/env python3
"""Redirects on one core: our redirector against nginx serving the same links.

Generates N links (default 1,000,000; ~85-byte https URLs), imports them with
`admin-api import`, starts admin-api (plain HTTP) and one redirector
(--threads 1; it loads its replica by snapshot from admin-api, then is
restarted warm, as a node runs), and nginx (Debian nginx-light, one worker)
with a `map $uri $target` of the same links and `return 302 $target` with the
same headers. Both servers are pinned to core 0 (--server-cpu), wrk -t1 to
core 1 (--client-cpu) with a Lua script walking random existing codes, alone
on its core. redis and admin-api run on the server core (--aux-cpu), and
admin-api is paused (SIGSTOP) during every measured run of either server and
resumed between runs (--admin-during-runs pause, the default): the node keeps
its click batches pending meanwhile, and the CPU admin-api then spends
draining them is shown apart as the click pipeline's cost per redirect, rather
than landing on either measured core at random. For each connection count the two
servers alternate A B A B A B and the script prints the median requests/s,
the ratio, p50/p99/p99.9 latency, non-3xx answers (the redirector's own count by
status class, nginx's >= 400 from wrk; --response-hook counts them in wrk's Lua
instead, which costs wrk enough CPU that req/s then measures the client), RSS
and server CPU time per
request (utime+stime from /proc/PID/stat over the run: the fairest figure on
two cores, where wrk itself is near saturation), then MET/BELOW against the
targets of issue 4, and memory per link (RSS with N links minus RSS with 0).
Each run also reports the CPU steal time of both cores (/proc/stat: time the
hypervisor ran something else on our virtual CPU, which no server can answer
through) and, with --sched-trace, the longest time the server's request thread
and wrk waited to run (`perf sched record`/`latency`). A pair of runs (one
of each server) in which either core lost more than --max-steal ms/s to steal
is discarded and measured again (bounded; the discarded pairs are listed):
such a pair measures the host, and it slows both servers unequally.
With --live the whole system runs as the quickstart runs it: admin-api and
redis unpinned, applying click batches as they come (no pause); its results
go to their own section (redirect_vs_nginx_live), beside the default mode's.
With --tls both servers terminate TLS (TLS 1.3 or the GoGoWorx 1.2 suites, one
ECDSA P-256 certificate, session tickets on) and wrk speaks https to them;
with --new-connections every request says `Connection: close`, so wrk opens
a new connection, and makes a TLS handshake (resuming its last session from
its ticket), per request: the handshake's cost shows in the CPU per request.
Each goes to its own section.
Results go to bench/RESULTS.md (section redirect_vs_nginx) with a PNG chart
(bench/redirect_vs_nginx.png, gnuplot).

Usage: bench/redirect_vs_nginx.py [--links 1000000] [--seconds 10] [--rounds 3]
                                  [--connections 16,64,256] [--live] [--tls [--new-connections]]
Needs a Release build in build/bin (or SHORTLINK_BIN); installs nginx-light,
wrk and gnuplot-nox with apt-get when missing.
"""
import argparse
import os
import random
import resource
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib as B

LUA = r"""
-- Walks random existing codes; the request strings are built once in init().
local reqs = {}
local n = 0
non3xx = 0            -- global: read from done() through thread:get
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- What browsers send, so that click analytics classifies real requests:
-- agents roughly in proportion to StatCounter's global shares (2026: Chrome
-- on Android and Windows first, then Safari on iPhone...), a few bots'
-- worth of oddities left out (bots are not clicks), languages, referrers
-- (half direct), and client addresses across many public networks (read by
-- the redirector from X-Forwarded-For, as behind a load balancer).
local agents = {
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
}
local languages = {"en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.8", "es-ES,es;q=0.9",
                   "pt-BR,pt;q=0.9", "fr-FR,fr;q=0.9", "ja-JP,ja;q=0.9", "zh-CN,zh;q=0.9", "en-US,en;q=0.9"}
local referrers = {false, false, false, "https://www.google.com/", "https://t.co/x1y2z3",
                   "https://www.facebook.com/", "https://news.example.org/story/42"}
local networks = {3, 8, 13, 24, 31, 37, 41, 45, 52, 62, 77, 81, 85, 91, 101, 103, 110, 117, 125, 141,
                  151, 163, 175, 177, 181, 185, 186, 190, 196, 200, 201, 212, 213, 217}

function init(args)
  for line in io.lines("CODES_FILE") do
    n = n + 1
    local code, host = line:match("^(%S+)%s+(%S+)$")
    local headers = {}
    if VISIT_HEADERS then
      headers["User-Agent"] = agents[1 + (n * 7) % #agents]
      headers["Accept-Language"] = languages[1 + (n * 5) % #languages]
      local referrer = referrers[1 + (n * 3) % #referrers]
      if referrer then headers["Referer"] = referrer end
      headers["X-Forwarded-For"] = string.format("%d.%d.%d.%d", networks[1 + n % #networks],
                                                 (n * 37) % 256, (n * 101) % 256, 1 + (n * 13) % 254)
    end
    if NEW_CONNECTIONS then headers["Connection"] = "close" end
    if code then  -- a link of a custom domain: its Host
      headers["Host"] = host
      reqs[n] = wrk.format("GET", "/" .. code, headers)
    else
      reqs[n] = wrk.format("GET", "/" .. line, headers)
    end
  end
  math.randomseed(os.time() * 1000 + os.clock() * 1e6)
end

function request()
  return reqs[math.random(n)]
end

RESPONSE_HOOK

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non3xx") or 0) end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non3xx=%d connect=%d read=%d write=%d timeout=%d status=%d " ..
    "p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
"""

RESPONSE_LUA = r"""
function response(status, headers, body)
  if status < 300 or status > 399 then non3xx = non3xx + 1 end
end
"""

NGINX_CONF = r"""
USER_LINE
worker_processes 1;
daemon off;
master_process on;
pid PREFIX/nginx.pid;
error_log PREFIX/error.log warn;
worker_rlimit_nofile 65536;
events {
    worker_connections 65536;
    accept_mutex off;
}
http {
    access_log off;
    server_tokens off;
    keepalive_requests 1000000000;
    keepalive_timeout 300s;
    default_type text/html;
    client_body_temp_path PREFIX/tmp/body;
    proxy_temp_path PREFIX/tmp/proxy;
    fastcgi_temp_path PREFIX/tmp/fastcgi;
    uwsgi_temp_path PREFIX/tmp/uwsgi;
    scgi_temp_path PREFIX/tmp/scgi;
    map_hash_max_size MAP_MAX_SIZE;
    map_hash_bucket_size 256;
    map MAP_KEY $target {
        default "";
        include PREFIX/links.map;
    }
    TLS_SETTINGS
    server {
        listen 127.0.0.1:PORT backlog=4096;
        TLS_LISTEN
        location / {
            add_header Cache-Control no-store always;
            add_header X-Robots-Tag noindex always;
            if ($target = "") {
                return 404;
            }
            return 302 $target;
        }
    }
}
"""


# nginx's TLS as ours: the same certificate, protocols, TLS 1.2 suites in the
# same order (common/tls_policy.h), session tickets on, no session cache.
NGINX_TLS = """ssl_certificate CERT;
    ssl_certificate_key KEY;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers CIPHERS;
    ssl_prefer_server_ciphers on;
    ssl_session_cache off;
    ssl_session_tickets on;
    ssl_session_timeout 2h;"""

TLS12_CIPHERS = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:"
                 "ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                 "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:AES128-GCM-SHA256:AES128-SHA256:"
                 "AES256-GCM-SHA384:AES256-SHA256")


def make_bench_cert(directory):
    """directory/bench.crt + bench.key: a self-signed ECDSA P-256 certificate for 127.0.0.1."""
    os.makedirs(directory, exist_ok=True)
    crt, key = os.path.join(directory, "bench.crt"), os.path.join(directory, "bench.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=bench", "-addext", "subjectAltName=DNS:bench,IP:127.0.0.1",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    return crt, key


class Nginx:
    def __init__(self, group, name, n_links, server_cpu, domains=1, tls=None):
        self.tls = tls  # (cert, key): also listen with TLS on tls_port
        self.tls_port = B.harness.free_port() if tls else None
        self.domains = domains
        self.group = group
        self.prefix = group.path(name)
        self.port = B.harness.free_port()
        self.n = n_links
        self.cpu = server_cpu
        self.proc = None
        os.makedirs(os.path.join(self.prefix, "tmp"), exist_ok=True)
        os.makedirs(os.path.join(self.prefix, "logs"), exist_ok=True)  # nginx -p wants it for its default log

    def write_config(self):
        with open(os.path.join(self.prefix, "links.map"), "w", buffering=1 << 20) as f:
            if self.domains == 1:
                for code, url in B.links(self.n):
                    f.write(f'/{code} "{url}";\n')
            else:  # keyed by $host$uri; the default domain's requests come as Host: 127.0.0.1
                for i in range(self.n):
                    code = B.code_for(i)
                    if code not in B._RESERVED:
                        host = B.domain_for(i, self.domains) or "127.0.0.1"
                        f.write(f'{host}/{code} "{B.url_for(i)}";\n')
        conf = (NGINX_CONF.replace("MAP_KEY", "$uri" if self.domains == 1 else '"$host$uri"')
                .replace("USER_LINE", "user root;" if os.geteuid() == 0 else "")
                .replace("PREFIX", self.prefix).replace("PORT", str(self.port))
                .replace("MAP_MAX_SIZE", str(max(2048, 2 * self.n)))
                .replace("TLS_SETTINGS", NGINX_TLS.replace("CERT", self.tls[0]).replace("KEY", self.tls[1])
                         .replace("CIPHERS", TLS12_CIPHERS) if self.tls else "")
                .replace("TLS_LISTEN", f"listen 127.0.0.1:{self.tls_port} ssl backlog=4096;" if self.tls else ""))
        with open(os.path.join(self.prefix, "nginx.conf"), "w") as f:
            f.write(conf)

    def start(self, probe_code, timeout):
        """Starts pinned to the server core; returns seconds to serving `probe_code`."""
        t = time.perf_counter()
        self.proc = self.group.start(["taskset", "-c", self.cpu, B.which("nginx"), "-p", self.prefix + "/",
                                      "-c", os.path.join(self.prefix, "nginx.conf")], os.path.basename(self.prefix) + ".log")
        client = B.RawHttp(self.port, timeout=2)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("nginx exited: " + self.group.log(os.path.basename(self.prefix) + ".log")[-2000:]
                                     + self._error_log())
            try:
                status, _ = client.get("/" + probe_code)
                return status in (302, 404) and self.worker() is not None
            except OSError:
                return False
        B.wait_until(ready, timeout=timeout, interval=0.05, what="nginx serving")
        client.close()
        return time.perf_counter() - t

    def _error_log(self):
        try:
            with open(os.path.join(self.prefix, "error.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def worker(self):
        kids = B.children(self.proc.pid)
        return kids[0] if kids else None

    def pids(self):
        return [self.proc.pid] + B.children(self.proc.pid)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        B.kill_tree(self.proc)


def parse_wrk(out):
    line = next((l for l in out.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError("wrk printed no RESULT line:\n" + out[-2000:])
    r = {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


# The syscalls --client-syscalls counts in wrk, per request: how often it
# waits for events and how it reads and writes.
CLIENT_SYSCALLS = ["epoll_wait", "read", "write", "recvfrom", "sendto"]
count_client_syscalls = False  # set from --client-syscalls
response_hook = False  # set from --response-hook


def run_wrk(script, port, connections, seconds, client_cpu, scheme="http"):
    cmd = ["taskset", "-c", client_cpu, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
           "-s", script, f"{scheme}://127.0.0.1:{port}/"]
    stat_path = None
    if count_client_syscalls:
        fd, stat_path = tempfile.mkstemp(prefix="wrk-syscalls-")
        os.close(fd)
        events = ",".join(f"syscalls:sys_enter_{name}" for name in CLIENT_SYSCALLS)
        cmd = ["perf", "stat", "-x,", "-e", events, "-o", stat_path, "--"] + cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr[-2000:]}")
    r = parse_wrk(out.stdout)
    if stat_path:
        counts = {}
        with open(stat_path) as f:
            for line in f:  # perf stat -x, : value,unit,event,...
                fields = line.split(",")
                if len(fields) > 2 and fields[0].isdigit() and "sys_enter_" in fields[2]:
                    counts[fields[2].split("sys_enter_")[-1]] = int(fields[0])
        os.unlink(stat_path)
        r["client_syscalls"] = {name: counts.get(name, 0) / max(1, r["requests"]) for name in CLIENT_SYSCALLS}
    # wrk's own CPU per request: a run whose client core is busy near 100%
    # measures the client, and a server whose answers make wrk work harder
    # (more wake-ups per request) shows here, not in its own CPU.
    client_cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    r["client_us_per_req"] = client_cpu_s * 1e6 / max(1, r["requests"])
    r["client_util"] = client_cpu_s / (r["duration_us"] / 1e6)
    return r


def drain(pids, quiet_secs=1.0, timeout=60):
    """Waits until `pids` use (almost) no CPU for quiet_secs; returns when, bounded."""
    deadline = time.monotonic() + timeout
    last = sum(B.proc_cpu_seconds(p) for p in pids)
    while time.monotonic() < deadline:
        time.sleep(quiet_secs)
        now = sum(B.proc_cpu_seconds(p) for p in pids)
        if now - last <= 0.02 * quiet_secs:
            return
        last = now


def steal_ms(cpu):
    """Milliseconds the hypervisor has kept virtual CPU `cpu` from running (/proc/stat), since boot."""
    with open("/proc/stat") as f:
        for line in f:
            fields = line.split()
            if fields[0] == f"cpu{cpu}":
                return int(fields[8]) * 1000 / B.CLK_TCK
    return 0.0


class SchedTrace:
    """`perf sched record` of every CPU for one run, then the longest time each named
    thread waited runnable (woken or preempted) before it ran: a server that waits
    milliseconds to run answers milliseconds late, whatever its code does."""

    def __init__(self, path, seconds):
        self.path = path
        self.proc = subprocess.Popen(["perf", "sched", "record", "-a", "-o", path, "--", "sleep", str(seconds)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def max_delays_ms(self, comms):
        self.proc.wait(timeout=120)
        out = subprocess.run(["perf", "sched", "latency", "-i", self.path], capture_output=True, text=True,
                             timeout=300).stdout
        if os.environ.get("BENCH_SCHED_KEEP"):  # keep the recording for `perf sched timehist -i`
            os.rename(self.path, os.path.join(os.environ["BENCH_SCHED_KEEP"], f"{time.time_ns()}.data"))
        else:
            os.unlink(self.path)
        worst = {c: 0.0 for c in comms}
        for line in out.splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) < 5 or ":" not in cells[0] or "max:" not in cells[4]:
                continue
            comm = cells[0].rsplit(":", 1)[0]
            if comm in worst:
                worst[comm] = max(worst[comm], float(cells[4].split()[1]))
        return worst


def measure(server_pids, aux_pids, script, port, connections, seconds, client_cpu, pause_pid=None,
            server_cpu="0", sched_path=None, server_comm=None, scheme="http", non3xx_answers=None):
    """One wrk run against a server. non3xx_answers: a count of the server's own
    answers that were not 3xx, read before and after the run (without it, and
    without the Lua response() hook, wrk's count of answers >= 400)."""
    answers0 = non3xx_answers() if non3xx_answers else 0
    cpu0 = sum(B.proc_cpu_seconds(p) for p in server_pids)
    threads0 = B.thread_cpu_seconds(server_pids[0])
    aux0 = sum(B.proc_cpu_seconds(p) for p in aux_pids)
    steal0 = (steal_ms(server_cpu), steal_ms(client_cpu))
    if pause_pid:
        os.kill(pause_pid, signal.SIGSTOP)
    try:
        trace = SchedTrace(sched_path, seconds) if sched_path else None
        r = run_wrk(script, port, connections, seconds, client_cpu, scheme)
        cpu1 = sum(B.proc_cpu_seconds(p) for p in server_pids)
        threads1 = B.thread_cpu_seconds(server_pids[0])
        steal1 = (steal_ms(server_cpu), steal_ms(client_cpu))
    finally:
        if pause_pid:
            os.kill(pause_pid, signal.SIGCONT)
    if not response_hook:
        r["non3xx"] = non3xx_answers() - answers0 if non3xx_answers else r["status"]
    run_secs = r["duration_us"] / 1e6
    r["steal_server_ms_s"] = (steal1[0] - steal0[0]) / run_secs
    r["steal_client_ms_s"] = (steal1[1] - steal0[1]) / run_secs
    if trace:
        delays = trace.max_delays_ms([server_comm, "wrk"])
        r["sched_server_ms"], r["sched_wrk_ms"] = delays[server_comm], delays["wrk"]
    if pause_pid:
        drain(aux_pids)  # admin-api applies what the run left pending
    aux1 = sum(B.proc_cpu_seconds(p) for p in aux_pids)
    r["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / max(1, r["requests"])
    r["aux_us_per_req"] = (aux1 - aux0) * 1e6 / max(1, r["requests"])
    r["cpu_util"] = (cpu1 - cpu0) / run_secs
    # Where a multi-threaded server's CPU goes (us per request by thread name).
    r["thread_us_per_req"] = {name: (t - threads0.get(name, 0)) * 1e6 / max(1, r["requests"])
                              for name, t in threads1.items() if t > threads0.get(name, 0)}
    return r


def fmt_ms(us):
    return f"{us / 1000:.3f}"


def draw_chart(rows, png, gnuplot):
    """rows: (connections, ours_rps, nginx_rps, ours_p99_ms, nginx_p99_ms)."""
    data = png + ".dat"
    with open(data, "w") as f:
        for r in rows:
            f.write(" ".join(str(x) for x in r) + "\n")
    script = f"""
set terminal pngcairo size 1100,420 font "sans,10"
set output "{png}"
set multiplot layout 1,2 title "Redirects on one core: redirector vs nginx (median of alternating runs)"
set logscale x 2
set xtics (16, 64, 256)
set xrange [11:370]
set xlabel "connections (wrk -t1)"
set key top left
set grid
set yrange [0:*]
set ylabel "requests/s"
set title "Throughput"
plot "{data}" using 1:2 with linespoints lw 2 pt 7 title "redirector", \\
     "{data}" using 1:3 with linespoints lw 2 pt 5 title "nginx"
set ylabel "p99 latency (ms)"
set title "p99 latency"
plot "{data}" using 1:4 with linespoints lw 2 pt 7 title "redirector", \\
     "{data}" using 1:5 with linespoints lw 2 pt 5 title "nginx"
unset multiplot
"""
    r = subprocess.run([gnuplot], input=script, capture_output=True, text=True, timeout=60)
    os.unlink(data)
    if r.returncode != 0:
        B.log("gnuplot failed:", r.stderr[-500:])
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--links", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    ap.add_argument("--rounds", type=int, default=3, help="A B pairs per connection count")
    ap.add_argument("--connections", default="16,64,256")
    ap.add_argument("--sample", type=int, default=100_000, help="codes wrk walks (a random sample)")
    ap.add_argument("--server-cpu", default="0")
    ap.add_argument("--client-cpu", default="1")
    ap.add_argument("--aux-cpu", default=None,
                    help="core(s) for redis and admin-api (default: the server core, so that wrk has its core "
                         "alone: admin-api consuming the click batches would otherwise stall wrk during the "
                         "redirector's runs only)")
    ap.add_argument("--analytics", choices=["on", "off"], default="off",
                    help="the redirector's click analytics (its --analytics; off, as it ships); "
                         "on: results go to their own section")
    ap.add_argument("--no-visit-headers", action="store_true",
                    help="send requests with no User-Agent, Accept-Language, Referer or "
                         "X-Forwarded-For (before issue 20 the bench sent none); by default each "
                         "code's request carries a browser's, from a realistic mix")
    ap.add_argument("--response-hook", action="store_true",
                    help="count every non-3xx in wrk, in a Lua response() hook (wrk then builds a table of "
                         "each response's headers: ~2 us of its CPU per request, which saturates its core "
                         "so that req/s measures the client); by default the redirector's answers are "
                         "counted by status class on its /metrics, and nginx's >= 400 by wrk")
    ap.add_argument("--admin-during-runs", choices=["pause", "run"], default="pause",
                    help="pause admin-api (SIGSTOP) during each measured run, or let it consume clicks on --aux-cpu")
    ap.add_argument("--live", action="store_true",
                    help="the whole system live, as the quickstart runs it: admin-api and redis unpinned and "
                         "applying clicks as they come (implies --admin-during-runs run, ignores --aux-cpu); "
                         "results go to their own section, beside the default mode's")
    ap.add_argument("--client-syscalls", action="store_true",
                    help="count wrk's syscalls per request (perf stat): how often the client waits for events "
                         "against each server")
    ap.add_argument("--sched-trace", action="store_true",
                    help="record each run with `perf sched record` and report the longest wait to run of the "
                         "server's request thread and of wrk (perf must be installed; adds tracing overhead)")
    ap.add_argument("--guest-halt-poll-ns", type=int, default=None,
                    help="on a VM with the guest haltpoll cpuidle driver: poll this long before halting an idle "
                         "vCPU during the run (machine-wide; the old value is put back after; root only)")
    ap.add_argument("--max-steal", type=float, default=20.0,
                    help="a pair (one run of each server) in which either core lost more than this many ms/s to "
                         "the hypervisor (steal) measures the host, not the servers: it is discarded and measured "
                         "again, at most --max-discards times per connection count (then kept as it is)")
    ap.add_argument("--max-discards", type=int, default=4, help="see --max-steal")
    ap.add_argument("--timeout", type=int, default=5400, help="bound on the whole run, seconds")
    ap.add_argument("--domains", type=int, default=1,
                    help="spread the links evenly over this many domains: the default one and custom domains "
                         "d1.example, ... (made through the API, links imported with a domain column); wrk sends "
                         "each custom-domain link's Host, nginx maps $host$uri; results go to their own section")
    ap.add_argument("--tls", action="store_true",
                    help="both servers terminate TLS (one ECDSA P-256 certificate, tickets on) and wrk speaks "
                         "https; results go to their own section")
    ap.add_argument("--new-connections", action="store_true",
                    help="every request asks to close its connection (Connection: close): a new connection, and "
                         "with --tls a handshake (wrk resumes its last session from its ticket), per request; results go "
                         "to their own section")
    ap.add_argument("--no-results", action="store_true", help="do not rewrite bench/RESULTS.md")
    args = ap.parse_args()
    global count_client_syscalls, response_hook
    count_client_syscalls = args.client_syscalls
    response_hook = args.response_hook
    conns = [int(c) for c in args.connections.split(",")]
    aux_cpu = args.aux_cpu or args.server_cpu
    if args.live:
        args.admin_during_runs = "run"
    if args.domains < 1:
        ap.error("--domains must be at least 1")
    section = "redirect_vs_nginx_live" if args.live else "redirect_vs_nginx"
    if args.domains > 1:
        section += "_domains"
    if args.analytics == "on":
        section += "_analytics"
    if args.tls:
        section += "_tls"
    if args.new_connections:
        section += "_new_connections"
    scheme = "https" if args.tls else "http"

    def pin_aux(pid):  # live: the scheduler places redis and admin-api, as on a user's machine
        if not args.live:
            B.pin(pid, aux_cpu)

    B.ensure_tools({"nginx": "nginx-light", "wrk": "wrk", "gnuplot": "gnuplot-nox", "taskset": "util-linux"})
    if args.sched_trace:
        B.ensure_tools({"perf": "linux-perf"})
    B.check_binaries()
    B.bound_runtime(args.timeout)
    halt_poll = B.GuestHaltPoll(args.guest_halt_poll_ns)
    halt_poll.apply()
    machine = B.machine_line()
    group = B.ProcessGroup()
    nginxes = []
    try:
        redis = B.Redis(group).start()
        pin_aux(redis.proc.pid)
        api = B.make_admin(group, redis)
        B.start_admin(api)
        pin_aux(api.proc.pid)

        # --- our node with 0 links: the baseline for memory per link ---
        node_flags = ["--client-ip-header", "x-forwarded-for", "--analytics", args.analytics]
        tls_files = make_bench_cert(group.path("certs")) if args.tls else None
        tls_port = B.harness.free_port()
        if args.tls:
            node_flags += ["--tls-listen", f"127.0.0.1:{tls_port}", "--tls-cert-dir", group.path("certs")]
        node0 = B.make_node(group, "node0", api, redis, extra=node_flags)  # the same fixed costs
        B.start_node(node0, links=0)
        B.stop(node0.proc)
        B.start_node(node0, links=0)  # warm, as the measured node runs
        rss0 = B.proc_rss_kb(node0.proc.pid)
        B.stop(node0.proc)
        B.log(f"redirector with 0 links: RSS {rss0 / 1024:.1f} MiB")

        # --- custom domains, made through the API while admin-api runs ---
        for host in B.domain_hosts(args.domains):
            status, body = api.json("POST", "/api/v1/domains", {"host": host}, api.key)
            if status != 201:
                raise RuntimeError(f"POST /api/v1/domains {host}: {status} {body}")

        # --- N links: generate, import offline, node loads by snapshot then restarts warm ---
        B.stop(api.proc)
        csv = group.path("links.csv")
        t = time.perf_counter()
        n, mean_url = B.write_csv(csv, args.links, args.domains)
        B.log(f"generated {n} links (mean URL {mean_url:.1f} bytes) in {time.perf_counter() - t:.1f} s")
        import_secs, _ = B.import_csv(api.data_dir, csv)
        os.unlink(csv)
        B.log(f"imported in {import_secs:.1f} s ({n / import_secs:,.0f} links/s)")
        B.start_admin(api, timeout=300)
        pin_aux(api.proc.pid)
        node = B.make_node(group, "node", api, redis, extra=node_flags)
        snap_secs = B.start_node(node, links=n)
        rss_snap = B.proc_rss_kb(node.proc.pid)
        B.stop(node.proc)
        warm_secs = B.start_node(node, links=n)
        rss_node = B.proc_rss_kb(node.proc.pid)
        table_bytes = node.metric("redirector_table_bytes") or 0
        B.pin(node.proc.pid, args.server_cpu)
        B.log(f"redirector: first start (snapshot) {snap_secs:.2f} s RSS {rss_snap / 1024:.0f} MiB; "
              f"warm start {warm_secs:.2f} s RSS {rss_node / 1024:.0f} MiB")

        # --- nginx: 0 links, then N links ---
        probe = B.code_for(0)
        ng0 = Nginx(group, "nginx0", 0, args.server_cpu)
        nginxes.append(ng0)
        ng0.write_config()
        ng0.start(probe, timeout=60)
        ng0_master0, ng0_worker0 = B.proc_rss_kb(ng0.proc.pid), B.proc_rss_kb(ng0.worker())
        ng0.stop()
        ng = Nginx(group, "nginx", n, args.server_cpu, args.domains, tls_files)
        nginxes.append(ng)
        t = time.perf_counter()
        ng.write_config()
        B.log(f"nginx config with {n} map entries written in {time.perf_counter() - t:.1f} s; starting nginx")
        ng_secs = ng.start(probe, timeout=1800)
        ng_master = B.proc_rss_kb(ng.proc.pid)
        B.log(f"nginx serving after {ng_secs:.1f} s, master RSS {ng_master / 1024:.0f} MiB")

        # --- the same answers from both ---
        ours_c, ng_c = B.RawHttp(node.port), B.RawHttp(ng.port)
        for i in random.Random(7).sample(range(n), min(n, 200)):
            c = B.code_for(i)
            host = B.domain_for(i, args.domains) or ("127.0.0.1" if args.domains > 1 else "bench")
            a, b = ours_c.get("/" + c, host), ng_c.get("/" + c, host)
            if a != (302, B.url_for(i)) or b != (302, B.url_for(i)):
                raise AssertionError(f"/{c}: redirector {a}, nginx {b}, expected {B.url_for(i)}")
        ours_c.close()
        ng_c.close()
        heads = {}
        for name, port in (("redirector", node.port), ("nginx", ng.port)):
            out = subprocess.run(["curl", "-ksS", "-D", "-", "-o", "/dev/null", f"http://127.0.0.1:{port}/{probe}"],
                                 capture_output=True, text=True, timeout=10).stdout if B.which("curl") else ""
            heads[name] = out.strip().replace("\r", "")

        # --- wrk script ---
        codes = group.path("codes.txt")
        with open(codes, "w") as f:
            for i in random.Random(1).sample(range(n), min(n, args.sample)):
                host = B.domain_for(i, args.domains)
                f.write(B.code_for(i) + (" " + host if host else "") + "\n")
        script = group.path("walk.lua")
        with open(script, "w") as f:
            f.write(LUA.replace("CODES_FILE", codes)
                    .replace("VISIT_HEADERS", "false" if args.no_visit_headers else "true")
                    .replace("NEW_CONNECTIONS", "true" if args.new_connections else "false")
                    .replace("RESPONSE_HOOK", RESPONSE_LUA if args.response_hook else ""))

        servers = [("redirector", tls_port if args.tls else node.port, lambda: [node.proc.pid]),
                   ("nginx", ng.tls_port if args.tls else ng.port, ng.pids)]
        comm = {"redirector": "edge-worker", "nginx": "nginx"}  # the request thread's name
        # The redirector's answers that were not 3xx, by its own count: every
        # status class of redirector_responses_total but 3xx, from one read of /metrics.
        def redirector_not_3xx():
            return sum(int(float(line.rsplit(" ", 1)[1])) for line in node.ops("/metrics")[1].splitlines()
                       if line.startswith("redirector_responses_total{") and 'status="3xx"' not in line)
        not_3xx = {"redirector": redirector_not_3xx, "nginx": None}
        for name, port, pids in servers:  # warm-up: touch the tables, settle the caches
            run_wrk(script, port, 64, 3, args.client_cpu, scheme)
        results = {(s[0], c): [] for s in servers for c in conns}
        discarded = {c: [] for c in conns}  # (redirector run, nginx run) pairs measured under steal
        for c in conns:
            rnd = 0
            while rnd < args.rounds:
                pair = {}
                for name, port, pids in servers:
                    r = measure(pids(), [redis.proc.pid, api.proc.pid], script, port, c, args.seconds,
                                args.client_cpu, api.proc.pid if args.admin_during_runs == "pause" else None,
                                args.server_cpu, group.path("sched.data") if args.sched_trace else None, comm[name],
                                scheme, not_3xx[name])
                    pair[name] = r
                    threads = ""
                    if len(r["thread_us_per_req"]) > 1:
                        threads = "  by thread: " + ", ".join(
                            f"{t} {us:.2f}" for t, us in sorted(r["thread_us_per_req"].items(), key=lambda kv: -kv[1]))
                    sched = (f"  longest wait to run: {comm[name]} {r['sched_server_ms']:.2f} ms, wrk "
                             f"{r['sched_wrk_ms']:.2f} ms" if args.sched_trace else "")
                    syscalls = ("  wrk syscalls/req: " + ", ".join(
                        f"{k} {v:.2f}" for k, v in r["client_syscalls"].items() if v)
                        if "client_syscalls" in r else "")
                    B.log(f"c={c} round {rnd + 1} {name:10s} {r['rps']:>10,.0f} req/s  "
                          f"cpu {r['cpu_us_per_req']:.2f} us/req ({r['cpu_util'] * 100:.0f}% of a core; admin-api+redis "
                          f"{r['aux_us_per_req']:.2f}; wrk {r['client_us_per_req']:.2f} us/req, "
                          f"{r['client_util'] * 100:.0f}%)  "
                          f"p99 {fmt_ms(r['p99_us'])} p99.9 {fmt_ms(r['p999_us'])} ms  non3xx {r['non3xx']}  "
                          f"steal {r['steal_server_ms_s']:.1f}/{r['steal_client_ms_s']:.1f} ms/s{sched}{threads}{syscalls}")
                    time.sleep(1)
                worst = max(max(r["steal_server_ms_s"], r["steal_client_ms_s"]) for r in pair.values())
                if worst > args.max_steal and len(discarded[c]) < args.max_discards:
                    discarded[c].append((pair["redirector"], pair["nginx"]))
                    B.log(f"c={c} round {rnd + 1}: pair discarded, steal {worst:.0f} ms/s > {args.max_steal:g}; "
                          f"measuring it again")
                    continue
                for name, r in pair.items():
                    results[(name, c)].append(r)
                rnd += 1
        rss_after = B.proc_rss_kb(node.proc.pid)
        # Every click counted and not dropped must reach admin-api (it was
        # paused during the runs): wait for its acknowledgements, bounded.
        def click_metrics():
            return {k: node.metric(k) or 0 for k in ("redirector_clicks_total", "redirector_clicks_dropped_total",
                                                     "shortlink_redirector_clicks_acked_total")}
        clicks = click_metrics()
        deadline = time.monotonic() + 60
        while (clicks["shortlink_redirector_clicks_acked_total"] <
               clicks["redirector_clicks_total"] - clicks["redirector_clicks_dropped_total"]
               and time.monotonic() < deadline):
            time.sleep(0.5)
            clicks = click_metrics()
        B.log(f"clicks: {clicks['redirector_clicks_total']:,.0f} counted, "
            f"{clicks['redirector_clicks_dropped_total']:,.0f} dropped, "
            f"{clicks['shortlink_redirector_clicks_acked_total']:,.0f} acknowledged by admin-api")
        tls_counts = [node.metric(k) or 0 for k in ("redirector_tls_handshakes_total", "redirector_tls_resumed_total",
                                                    "redirector_tls_handshake_failures_total")]
        load_end = os.getloadavg()[0]
        ng_worker = B.proc_rss_kb(ng.worker())
        ng_master_after = B.proc_rss_kb(ng.proc.pid)
    finally:
        halt_poll.restore()
        for x in nginxes:
            x.stop()
        group.close()

    # --- report ---
    def med(name, c, key):
        return statistics.median(r[key] for r in results[(name, c)])

    def total(name, c, key):
        return sum(r[key] for r in results[(name, c)])

    rows, chart, verdict_rows = [], [], []
    all_ok = {"rps": True, "cpu": True, "p99": True, "p999": True, "non3xx": True}
    for c in conns:
        o, g = ("redirector", c), ("nginx", c)
        rps_o, rps_g = med(*o, "rps"), med(*g, "rps")
        cpu_o, cpu_g = med(*o, "cpu_us_per_req"), med(*g, "cpu_us_per_req")
        p99_o, p99_g = med(*o, "p99_us"), med(*g, "p99_us")
        p999_o, p999_g = med(*o, "p999_us"), med(*g, "p999_us")
        bad_o, bad_g = total(*o, "non3xx"), total(*g, "non3xx")
        sock_o = sum(total(*o, k) for k in ("connect", "read", "write", "timeout"))
        sock_g = sum(total(*g, k) for k in ("connect", "read", "write", "timeout"))
        for name, key, rps, cpu, bad, sock in (("redirector", o, rps_o, cpu_o, bad_o, sock_o),
                                               ("nginx", g, rps_g, cpu_g, bad_g, sock_g)):
            steal = f"{med(*key, 'steal_server_ms_s'):.1f} / {med(*key, 'steal_client_ms_s'):.1f}"
            if args.sched_trace:
                steal += (f"; waits up to {max(r['sched_server_ms'] for r in results[key]):.2f} / "
                          f"{max(r['sched_wrk_ms'] for r in results[key]):.2f} ms")
            rows.append([c, name, f"{rps:,.0f}", " / ".join(f"{r['rps'] / 1000:.0f}k" for r in results[key]),
                         fmt_ms(med(*key, "p50_us")), fmt_ms(med(*key, "p99_us")), fmt_ms(med(*key, "p999_us")),
                         f"{cpu:.2f}", f"{med(*key, 'cpu_util') * 100:.0f}%",
                         f"{med(*key, 'client_us_per_req'):.2f} ({med(*key, 'client_util') * 100:.0f}%)",
                         f"{med(*key, 'aux_us_per_req'):.2f}",
                         bad, sock, steal])
        ratio, cpu_ratio = rps_o / rps_g, cpu_o / cpu_g
        ok = {"rps": ratio >= 1.0, "cpu": cpu_ratio <= 1.0, "p99": p99_o <= p99_g, "p999": p999_o < 3000,
              "non3xx": bad_o == 0}
        for k in ok:
            all_ok[k] &= ok[k]
        verdict_rows.append([c, f"{ratio:.3f}x {B.verdict(ok['rps'])}" + (" (aim 1.3x: MET)" if ratio >= 1.3 else " (aim 1.3x: not yet)"),
                             f"{cpu_ratio:.3f}x {B.verdict(ok['cpu'])}" + (" (aim 0.75x: MET)" if cpu_ratio <= 0.75 else " (aim 0.75x: not yet)"),
                             f"{fmt_ms(p99_o)} vs {fmt_ms(p99_g)} ms {B.verdict(ok['p99'])}",
                             f"{fmt_ms(p999_o)} ms {B.verdict(ok['p999'])}",
                             f"{bad_o} {B.verdict(ok['non3xx'])}"])
        chart.append((c, round(rps_o), round(rps_g), p99_o / 1000, p99_g / 1000))

    lost = clicks["redirector_clicks_total"] - clicks["shortlink_redirector_clicks_acked_total"]
    per_link = (rss_node - rss0) * 1024 / n
    per_link_snap = (rss_snap - rss0) * 1024 / n
    ng_per_link = (ng_master - ng0_master0) * 1024 / n
    mem_ok = per_link <= 130
    hook = ("every non-3xx counted in a Lua response() hook" if args.response_hook else
            "no Lua response() hook, which would cost wrk ~2 us a request: every answer not 3xx counted by "
            "the redirector's own redirector_responses_total by status class, nginx's >= 400 by wrk (its "
            "config answers 302 or 404 only)")
    visits = ("requests with no browser headers" if args.no_visit_headers else
              "each request with a browser's User-Agent, Accept-Language, Referer (half) and a public "
              "X-Forwarded-For address, from a realistic mix")
    visits += f"; redirector click analytics {args.analytics}"
    md = []
    title = ("the whole system live: redirector vs nginx (`bench/redirect_vs_nginx.py --live`)" if args.live
             else "redirector vs nginx (`bench/redirect_vs_nginx.py`)")
    if args.domains > 1:
        title += f", links over {args.domains} domains (`--domains {args.domains}`)"
    if args.tls:
        title += ", over TLS (`--tls`)"
    if args.new_connections:
        title += ", a new connection per request (`--new-connections`)"
    md.append(f"## Redirects on one core, {title}\n")
    if args.tls:
        md.append("Both servers terminate TLS with the same self-signed ECDSA P-256 certificate, TLS 1.2 (the "
                  "GoGoWorx suites, server order) and 1.3, session tickets on and no session cache; wrk (OpenSSL "
                  f"{ssl.OPENSSL_VERSION.split()[1]}) negotiates TLS 1.3 with X25519 and "
                  "TLS_AES_256_GCM_SHA384 from both. "
                  + ("Every request carries `Connection: close`: wrk opens a new connection per request and "
                     "resumes the session of its previous one from its ticket (as a returning browser does), "
                     "so CPU per request is mostly the handshake's (X25519 and the record keys; a resumption "
                     "skips only the certificate's signature). " if args.new_connections
                     else "Connections are kept alive. ")
                  + f"The redirector finished {tls_counts[0]:,.0f} handshakes over the whole bench "
                    f"({tls_counts[1]:,.0f} resumed, {tls_counts[2]:,.0f} failed).\n")
    elif args.new_connections:
        md.append("Every request carries `Connection: close`: wrk opens a new TCP connection per request.\n")
    if args.domains > 1:
        md.append(f"Links spread evenly over the default domain and {', '.join(B.domain_hosts(args.domains))} "
                  f"(custom domains made through the API, links imported with a domain column); wrk sends a "
                  f"custom-domain link's Host, and nginx maps `$host$uri` instead of `$uri`.\n")
    md.append(f"{machine}. {n:,} links, mean URL {mean_url:.1f} bytes; both servers pinned to core "
              f"{args.server_cpu}, `wrk -t1` (Lua: random walk over {min(n, args.sample):,} existing codes, {hook}; {visits}) "
              f"pinned to core {args.client_cpu} alone ("
              f"{'redis and admin-api unpinned, running and applying clicks as they come, as the quickstart runs them' if args.live else f'redis and admin-api on core {aux_cpu}; admin-api ' + ('paused during each run, its click-draining CPU afterwards shown apart' if args.admin_during_runs == 'pause' else 'running during the runs')}"
              f"); {args.seconds} s runs alternating "
              f"A B x {args.rounds} per connection count; figures are medians of the {args.rounds} runs. nginx "
              f"{subprocess.run([B.which('nginx'), '-v'], capture_output=True, text=True).stderr.strip().split('/')[-1]}"
              f" (nginx-light), 1 worker, `map $uri $target` + `return 302 $target`, access log off, "
              f"keepalive_requests 1e9. Server CPU = utime+stime of the whole process over the run (nginx: "
              f"master + worker; redirector: all threads, including its click flusher and sync) / requests.\n")
    md.append(B.md_table(["conns", "server", "req/s (median)", "runs", "p50 ms", "p99 ms", "p99.9 ms",
                          "CPU us/req", "CPU busy", "wrk CPU us/req (busy)", "admin-api+redis us/req", "non-3xx", "socket errors",
                          "steal ms/s server / client core" + ("; longest wait to run, server thread / wrk"
                                                                if args.sched_trace else "")], rows))
    md.append("")
    md.append(f"![requests/s and p99 vs connections]({section}.png)\n")
    md.append(f"Targets ({'issue 23: the same floors with the whole system live' if args.live else 'issue 4'}):\n")
    md.append(B.md_table(["conns", "req/s ratio (>= 1.0x)", "CPU/req ratio (<= 1.0x)", "p99 (<= nginx)",
                          "p99.9 (< 3 ms)", "non-3xx (0)"], verdict_rows))
    md.append("")
    md.append(B.md_table(["memory", "redirector", "nginx"], [
        ["RSS with 0 links", f"{rss0 / 1024:.1f} MiB", f"{ng0_master0 / 1024:.1f} MiB master, {ng0_worker0 / 1024:.1f} MiB worker"],
        [f"RSS with {n:,} links", f"{rss_node / 1024:.1f} MiB warm start ({rss_snap / 1024:.1f} MiB right after the "
         f"snapshot load), {rss_after / 1024:.1f} MiB after the runs",
         f"{ng_master / 1024:.1f} MiB master at start ({ng_master_after / 1024:.1f} after), {ng_worker / 1024:.1f} MiB worker after the runs"],
        ["bytes per link", f"**{per_link:.0f}** ({per_link_snap:.0f} right after the snapshot); table alone "
         f"{table_bytes / n:.0f} (redirector_table_bytes)", f"**{ng_per_link:.0f}** (master RSS difference)"],
        ["target <= 130 bytes/link", B.verdict(mem_ok), ""],
        ["time to serve", f"{snap_secs:.2f} s first start (snapshot from admin-api), {warm_secs:.2f} s warm",
         f"{ng_secs:.1f} s (parsing the map)"],
    ]))
    md.append("")
    disc_rows = [[c, f"{o['rps']:,.0f}", f"{g['rps']:,.0f}", f"{fmt_ms(o['p999_us'])} / {fmt_ms(g['p999_us'])}",
                  f"{o['steal_server_ms_s']:.0f} / {g['steal_server_ms_s']:.0f}",
                  f"{o['steal_client_ms_s']:.0f} / {g['steal_client_ms_s']:.0f}"]
                 for c, v in discarded.items() for o, g in v]
    md.append(f"Pairs discarded because a core lost more than {args.max_steal:g} ms/s to steal in either run "
              f"(each measured again, at most {args.max_discards} per connection count, then kept as it came): "
              f"{len(disc_rows)}.\n")
    if disc_rows:
        md.append(B.md_table(["conns", "redirector req/s", "nginx req/s", "p99.9 ms redirector / nginx",
                              "steal ms/s server core, redirector / nginx run", "client core"], disc_rows))
        md.append("")
    md.append(f"Import: {n:,} links in {import_secs:.1f} s ({n / import_secs:,.0f} links/s). Load average at the "
              f"end: {load_end:.2f} (other work on the machine shows as a low `CPU busy` for both servers).\n")
    md.append(f"Clicks during the run: {clicks['redirector_clicks_total']:,.0f} counted on the hot path, "
              f"{clicks['redirector_clicks_dropped_total']:,.0f} dropped (a thread's 12,288-code click table full "
              f"before the collector took the previous one), {clicks['shortlink_redirector_clicks_acked_total']:,.0f} "
              f"acknowledged by admin-api ({'applied while the runs went on' if args.live else 'after the runs: it is paused during each run' if args.admin_during_runs == 'pause' else 'by the end'}); "
              f"**{lost:,.0f} lost** (counted but never acknowledged, drops included) {B.verdict(lost == 0)}.\n")
    if heads.get("redirector"):
        md.append("Response heads for the same code:\n")
        md.append("```\n# redirector\n" + heads["redirector"] + "\n\n# nginx\n" + heads["nginx"] + "\n```")
    text = "\n".join(md)

    summary = [f"\n{section}: {n:,} links, {args.rounds} x A/B per connection count, {args.seconds} s runs"]
    for r in rows:
        summary.append(f"  c={r[0]:<4} {r[1]:10s} {r[2]:>9} req/s  p50 {r[4]} p99 {r[5]} p99.9 {r[6]} ms  "
                       f"cpu {r[7]} us/req ({r[8]}; wrk {r[9]}; admin-api+redis {r[10]})  non-3xx {r[11]}  "
                       f"sock-err {r[12]}  steal {r[13]}")
    for v in verdict_rows:
        summary.append(f"  c={v[0]:<4} req/s {v[1]};  cpu/req {v[2]};  p99 {v[3]};  p99.9 {v[4]};  non-3xx {v[5]}")
    summary.append(f"  memory per link: redirector {per_link:.0f} B ({B.verdict(mem_ok)}, target <= 130), "
                   f"nginx {ng_per_link:.0f} B; RSS redirector {rss_node / 1024:.0f} MiB, nginx master "
                   f"{ng_master / 1024:.0f} MiB / worker {ng_worker / 1024:.0f} MiB")
    summary.append(f"  overall: req/s {B.verdict(all_ok['rps'])}, cpu/req {B.verdict(all_ok['cpu'])}, "
                   f"p99 {B.verdict(all_ok['p99'])}, p99.9 {B.verdict(all_ok['p999'])}, "
                   f"non-3xx {B.verdict(all_ok['non3xx'])}, memory {B.verdict(mem_ok)}, "
                   f"clicks lost {lost:,.0f} {B.verdict(lost == 0)}")
    print("\n".join(summary))
    if not args.no_results:
        png = os.path.join(B.HERE, f"{section}.png")
        if not draw_chart(chart, png, B.which("gnuplot")):
            text = text.replace(f"![requests/s and p99 vs connections]({section}.png)\n", "(chart: gnuplot failed)\n")
        B.write_section(section, text)
        print(f"  written to {B.RESULTS}")


if __name__ == "__main__":
    main()
