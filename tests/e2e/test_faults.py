"""Fault injection: real admin-api (TLS), redis-server and redirectors on
loopback, each test with its own temp dir, killed in the middle of work.

Shown here, each with its figures printed:
- kill -9 of admin-api under concurrent creates: every acknowledged link is
  there after the restart and reaches both nodes;
- kill -9 of a redirector under click load: it serves at once from its
  replica after the restart, resyncs, and loses at most the clicks of the
  last flush interval;
- Redis dead for 10 s under redirect load: no failed redirect, and the
  changes made meanwhile are served within 1 s of Redis coming back;
- admin-api killed while a node catches up from the change log, and while
  an empty node takes its snapshot, against SHORTLINK_FAULT_LINKS links
  (default 100,000, loaded with `admin-api import`): every node ends up
  serving every link;
- admin-api's disk full (a small tmpfs, so root only; skipped otherwise):
  writes get 503 with a JSON message, reads and redirects go on, clicks wait,
  and everything works again once space returns, without a restart;
- a soak of full redirect load (wrk, or Python threads without it) with 100
  updates/s: no error, redirector RSS growth under 5%.

Every test has a deadline (SIGALRM) and kills all it started on the way out.
Knobs: SHORTLINK_FAULT_LINKS, SHORTLINK_SOAK_SECONDS (30), SHORTLINK_SOAK_UPDATES
(100 per second), SHORTLINK_KEEP_LOGS=DIR (copies each test's process logs).
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from harness import BIN, AdminApi, ProcessGroup, Redis, wait_until
from test_sync import Redirector, redirector_is_wired

FAULT_LINKS = int(os.environ.get("SHORTLINK_FAULT_LINKS", "100000"))
FLUSH_INTERVAL = 1.0  # seconds; the redirector's click flush interval (ClickFlusherOptions::interval)
SOAK_SECONDS = float(os.environ.get("SHORTLINK_SOAK_SECONDS", "30"))
SOAK_WARMUP = 5.0  # seconds of load before the first RSS reading
UPDATES_PER_SECOND = int(os.environ.get("SHORTLINK_SOAK_UPDATES", "100"))


class Deadline(Exception):
    pass


def pipelined_head(port, codes, depth=200, timeout=10):
    """{code: (status, Location)} for HEAD /code of every code, over one
    connection with `depth` requests in flight: fast enough to check 1M
    links. HEAD is no click, so checking adds nothing to click totals."""
    out = {}
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        buf = b""
        for i in range(0, len(codes), depth):
            chunk = codes[i:i + depth]
            s.sendall(b"".join(b"HEAD /%s HTTP/1.1\r\nHost: x\r\n\r\n" % c.encode() for c in chunk))
            pos = 0
            for code in chunk:
                end = buf.find(b"\r\n\r\n", pos)
                while end < 0:
                    data = s.recv(1 << 18)
                    if not data:
                        raise ConnectionError("redirector closed the connection")
                    buf = buf[pos:] + data
                    pos = 0
                    end = buf.find(b"\r\n\r\n")
                head = buf[pos:end]
                pos = end + 4
                m = re.search(rb"\r\nLocation: ([^\r]*)", head)
                out[code] = (int(head[9:12]), m.group(1).decode() if m else None)
            buf = buf[pos:]
    return out


def mismatches(node, expected):
    """Codes whose answer on `node` differs from `expected` ({code: url or None for 404})."""
    got = pipelined_head(node.port, list(expected))
    bad = {}
    for code, url in expected.items():
        status, location = got[code]
        if (url is None and status != 404) or (url is not None and (status != 302 or location != url)):
            bad[code] = (status, location)
    return bad


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


class FaultTest(unittest.TestCase):
    DEADLINE = 120  # seconds per test; a stuck test fails instead of hanging CI

    def setUp(self):
        self.group = ProcessGroup()
        self.addCleanup(self.group.close)
        if os.environ.get("SHORTLINK_KEEP_LOGS"):  # a directory: each test's logs are copied there
            self.addCleanup(self.keep_logs, os.environ["SHORTLINK_KEEP_LOGS"])
        self.stop_event = threading.Event()  # set on the way out: load threads end
        self.addCleanup(self.stop_event.set)

        def expired(signum, frame):
            raise Deadline(f"{self.id()} took more than {self.deadline()} s")

        signal.signal(signal.SIGALRM, expired)
        signal.alarm(self.deadline())
        self.addCleanup(signal.alarm, 0)
        self.started = time.monotonic()

    def keep_logs(self, into):
        target = os.path.join(into, self._testMethodName)
        os.makedirs(target, exist_ok=True)
        for name in os.listdir(self.group.dir):
            if name.endswith((".log", ".out")):
                shutil.copy(self.group.path(name), target)

    def tearDown(self):
        print(f"  [{self._testMethodName}: {time.monotonic() - self.started:.1f} s]")

    # --- set-up helpers ---

    def start_stack(self, nodes=2, data_dir=None):
        """Redis, admin-api (rate limit out of the way) and `nodes` redirectors, all up."""
        self.redis = Redis(self.group).start()
        self.api = AdminApi(self.group, self.redis, extra=["--rate-limit", "1000000"], data_dir=data_dir)
        self.key = self.api.bootstrap()
        self.api.start()
        self.nodes = [Redirector(self.group, f"node{i + 1}", self.api, self.redis).start() for i in range(nodes)]
        return self.nodes

    def thread(self, target, *args):
        t = threading.Thread(target=target, args=args, daemon=True)
        t.start()
        return t

    def create(self, code, url, conn=None):
        status, _, body = self.api.request("POST", "/api/v1/urls", {"longUrl": url, "shortUrl": code}, self.key,
                                           conn=conn)
        self.assertEqual(status, 200, body)

    def all_links(self):
        """{shortUrl: longUrl} of every link of the admin user, paged through the public API."""
        links, offset = {}, 0
        conn = self.api.connection()
        try:
            while True:
                status, _, data = self.api.request("GET", f"/api/v1/urls?limit=1000&offset={offset}", None, self.key,
                                                   conn=conn)
                self.assertEqual(status, 200, data[:300])
                body = json.loads(data)
                links.update((u["shortUrl"], u["longUrl"]) for u in body["urls"])
                offset += len(body["urls"])
                if not body["urls"] or offset >= body["count"]:
                    return links
        finally:
            conn.close()

    def wait_served(self, expected, nodes=None, timeout=15.0):
        """Waits until every node answers every code as `expected`; returns the seconds it took."""
        started = time.monotonic()
        for node in nodes or self.nodes:
            last = {}

            def done():
                last.clear()
                last.update(mismatches(node, expected))
                return not last

            try:
                wait_until(done, timeout=max(0.1, started + timeout - time.monotonic()), interval=0.02)
            except AssertionError:
                sample = dict(list(last.items())[:5])
                self.fail(f"{node.name}: {len(last)} of {len(expected)} codes not served as expected, e.g. {sample}")
        return time.monotonic() - started

    def wait_in_sync(self, nodes=None, timeout=15.0):
        for node in nodes or self.nodes:
            wait_until(lambda: node.metric("shortlink_redirector_applied_seq") ==
                       node.metric("shortlink_redirector_admin_head_seq") and
                       node.metric("shortlink_redirector_in_sync") == 1,
                       timeout=timeout, what=f"{node.name} in sync with admin-api")

    # --- the faults ---

    def test_kill9_admin_under_concurrent_creates(self):
        self.start_stack(nodes=2)
        acked = {}  # code -> longUrl, answered 200
        unanswered = set()  # sent, no answer: may or may not be committed
        refused = []  # (code, status) of answers other than 200
        kill = {}

        def creator(t):
            conn, i = None, 0
            while not self.stop_event.is_set():
                code, url = f"ka-{t}-{i}", f"https://example.com/ka/{t}/{i}"
                i += 1
                try:
                    conn = conn or self.api.connection()
                    status, _, body = self.api.request("POST", "/api/v1/urls", {"longUrl": url, "shortUrl": code},
                                                       self.key, conn=conn)
                except ConnectionRefusedError:
                    conn = None  # admin-api is down: nothing was sent
                    time.sleep(0.02)
                    continue
                except (OSError, http.client.HTTPException):
                    unanswered.add(code)  # sent, and the connection died under it
                    if conn:
                        conn.close()
                    conn = None
                    continue
                if status == 200:
                    acked[code] = url
                else:
                    refused.append((code, status))
            if conn:
                conn.close()

        threads = [self.thread(creator, t) for t in range(6)]
        time.sleep(2.0)
        kill["acked"] = len(acked)
        self.api.stop(signal.SIGKILL)
        kill["at"] = time.monotonic()
        time.sleep(0.5)
        self.api.start()
        restarted = time.monotonic() - kill["at"]
        time.sleep(1.5)  # creates go on after the restart
        self.stop_event.set()
        for t in threads:
            t.join(timeout=30)

        listed = self.all_links()
        missing = [c for c in acked if listed.get(c) != acked[c]]
        committed_unanswered = sum(1 for c in unanswered if c in listed)
        # Codes nobody sent, or refused, must not exist.
        strays = [c for c in listed if c.startswith("ka-") and c not in acked and c not in unanswered]
        print(f"\nkill -9 admin-api under 6 create threads: {kill['acked']} acknowledged before the kill, "
              f"{len(acked)} in all; found after restart: {len(acked) - len(missing)}; unanswered at the kill: "
              f"{len(unanswered)} ({committed_unanswered} of them committed); restart took {restarted:.2f} s; "
              f"refused: {len(refused)}")
        self.assertGreater(kill["acked"], 50)
        self.assertGreater(len(acked), kill["acked"])
        self.assertEqual(missing, [])
        self.assertEqual(strays, [])
        # Answers other than 200 can only be 503 while admin-api starts.
        self.assertEqual([s for _, s in refused if s != 503], [])

        # Every link admin-api holds (acknowledged or not) reaches both nodes.
        took = self.wait_served({c: u for c, u in listed.items() if c.startswith("ka-")})
        self.wait_in_sync()
        for node in self.nodes:
            self.assertEqual(node.metric("redirector_links"), len(listed))
        print(f"all {len(listed)} links served by both nodes ({took:.2f} s after the check began)")

    def test_kill9_redirector_under_click_load(self):
        victim, _ = self.start_stack(nodes=2)
        codes = ["kr-a", "kr-b"]
        for code in codes:
            self.create(code, f"https://example.com/{code}")
        self.wait_served({c: f"https://example.com/{c}" for c in codes})
        answered = {c: [] for c in codes}  # monotonic times of the 302s the victim sent
        errors = []

        def clicker(code):
            conn = http.client.HTTPConnection("127.0.0.1", victim.port, timeout=5)
            times = answered[code]
            try:
                while not self.stop_event.is_set():
                    conn.request("GET", "/" + code, headers={"User-Agent": "Mozilla/5.0 e2e"})
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status != 302:
                        errors.append(resp.status)
                        return
                    times.append(time.monotonic())
            except (OSError, http.client.HTTPException):
                pass  # the kill
            finally:
                conn.close()

        threads = [self.thread(clicker, c) for c in codes]
        time.sleep(3.3)  # three flushes, and the kill lands mid-interval
        killed_at = time.monotonic()
        victim.stop(signal.SIGKILL)
        for t in threads:
            t.join(timeout=10)
        self.assertEqual(errors, [])
        sent = sum(len(v) for v in answered.values())
        last_interval = sum(1 for v in answered.values() for t in v if t > killed_at - FLUSH_INTERVAL)
        # Each flush carries the clicks counted up to just before it and is
        # durable once written to Redis or the state file (a watermark poll,
        # an XADD and an fsync later); a kill loses what came after the last
        # durable flush: one interval plus that flush's own time. On a busy
        # 2-core machine the bound allows half an interval for the latter.
        bound = sum(1 for v in answered.values() for t in v if t > killed_at - FLUSH_INTERVAL * 1.5)
        all_times = sorted(t for v in answered.values() for t in v)

        # A change the victim misses while down.
        self.create("kr-while-down", "https://example.com/while-down")
        restarted = time.monotonic()
        victim.start()  # ready = loaded from the replica
        ready = time.monotonic() - restarted
        served = pipelined_head(victim.port, codes)  # at once, before any resync
        self.assertEqual({c: s for c, (s, _) in served.items()}, {c: 302 for c in codes})
        resync = self.wait_served({"kr-while-down": "https://example.com/while-down"}, nodes=[victim])
        self.wait_in_sync([victim])

        # Sealed batches in the state file go out again after the restart.
        wait_until(lambda: victim.metric("shortlink_redirector_click_batches_pending") == 0, timeout=20,
                   what="no pending click batch")

        def totals():
            status, body = self.api.json("GET", "/api/v1/urls?limit=1000", None, self.key)
            self.assertEqual(status, 200, body)
            by_code = {u["shortUrl"]: u["clicks"] for u in body["urls"]}
            return sum(by_code[c] for c in codes)

        first = totals()
        time.sleep(2.0)  # a resend or a duplicate would show up here
        applied = totals()
        self.assertEqual(applied, first)
        lost = sent - applied
        # The clicks lost, as the time before the kill in which they were answered.
        lost_window = killed_at - all_times[-lost] if 0 < lost <= len(all_times) else 0.0
        print(f"\nkill -9 redirector under click load: {sent} clicks answered, {applied} applied, {lost} lost "
              f"(those of the last {lost_window:.2f} s); "
              f"bound: {last_interval} answered in the last {FLUSH_INTERVAL:.1f} s before the kill "
              f"({bound} within {FLUSH_INTERVAL * 1.5:.2f} s); restart to ready {ready:.2f} s; "
              f"resynced a missed change {resync:.2f} s after ready")
        self.assertGreaterEqual(lost, 0 - len(codes))  # at most the requests in flight at the kill count extra
        self.assertLessEqual(lost, bound)

    def test_redis_dead_for_10s_under_redirect_load(self):
        self.start_stack(nodes=2)
        stable = {f"rd-{i}": f"https://example.com/rd/{i}" for i in range(10)}
        for code, url in stable.items():
            self.create(code, url)
        for code in ("rd-upd", "rd-del"):
            self.create(code, f"https://example.com/{code}")
        self.wait_served(stable)
        counts = {"ok": 0, "failed": 0}
        failures = []

        def loader(node):
            conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
            items = list(stable.items())
            i = 0
            while not self.stop_event.is_set():
                code, url = items[i % len(items)]
                i += 1
                try:
                    conn.request("GET", "/" + code)
                    resp = conn.getresponse()
                    resp.read()
                    ok = resp.status == 302 and resp.getheader("Location") == url
                except (OSError, http.client.HTTPException) as e:
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
                    resp = e
                if ok:
                    counts["ok"] += 1
                else:
                    counts["failed"] += 1
                    failures.append((node.name, code, getattr(resp, "status", repr(resp))))
            conn.close()

        threads = [self.thread(loader, node) for node in self.nodes]
        time.sleep(1.0)
        self.redis.kill()
        down_at = time.monotonic()
        expected = {}
        latencies = []
        changes = [
            ("create", "rd-new-1", "https://example.com/new-1"),
            ("patch", "rd-upd", "https://example.com/rd-upd-v2"),
            ("create", "rd-new-2", "https://example.com/new-2"),
            ("delete", "rd-del", None),
            ("patch", "rd-upd", "https://example.com/rd-upd-v3"),
        ]
        conn = self.api.connection()
        for n, (op, code, url) in enumerate(changes):
            # One change every ~1.8 s; each is polled by the nodes meanwhile.
            time.sleep(max(0.0, down_at + 0.5 + 1.8 * n - time.monotonic()))
            if op == "create":
                status, _, body = self.api.request("POST", "/api/v1/urls", {"longUrl": url, "shortUrl": code},
                                                   self.key, conn=conn)
            elif op == "patch":
                status, _, body = self.api.request("PATCH", f"/api/v1/urls/{code}", {"longUrl": url}, self.key,
                                                   conn=conn)
            else:
                status, _, body = self.api.request("DELETE", f"/api/v1/urls/{code}", None, self.key, conn=conn)
            self.assertEqual(status, 200, body)
            expected[code] = url
            latencies.append(self.wait_served({code: url}, timeout=5))
        # The last change just before Redis returns, not waited for.
        time.sleep(max(0.0, down_at + 9.8 - time.monotonic()))
        self.create("rd-last", "https://example.com/last", conn=conn)
        expected["rd-last"] = "https://example.com/last"
        time.sleep(max(0.0, down_at + 10.0 - time.monotonic()))
        self.redis.start()  # same port, empty
        back_at = time.monotonic()
        outage = back_at - down_at
        after_return = self.wait_served(expected, timeout=5)

        for node in self.nodes:
            wait_until(lambda: node.metric("shortlink_redirector_redis_connected") == 1, timeout=15,
                       what=f"{node.name} resubscribed")
        resubscribed = time.monotonic() - back_at
        changed = time.monotonic()
        self.create("rd-after", "https://example.com/after", conn=conn)
        after_change = self.wait_served({"rd-after": "https://example.com/after"}, timeout=10)
        conn.close()
        time.sleep(1.0)  # load goes on with Redis back
        self.stop_event.set()
        for t in threads:
            t.join(timeout=10)
        print(f"\nRedis dead for {outage:.1f} s under redirect load: {counts['ok']} redirects, "
              f"{counts['failed']} failed; changes during the outage served in "
              f"{', '.join(f'{x:.2f}' for x in latencies)} s (polling); all {len(expected)} served "
              f"{after_return:.2f} s after Redis returned; both nodes resubscribed after {resubscribed:.2f} s; "
              f"a change after that served in {after_change:.2f} s (from {changed - back_at:.2f} s after return)")
        self.assertEqual(failures[:10], [])
        self.assertGreater(counts["ok"], 1000)
        self.assertLessEqual(after_return, 1.0)

    def test_admin_restarted_while_a_node_catches_up_and_an_empty_node_snapshots(self):
        lagger, = self.start_stack(nodes=1)
        self.create("seed", "https://example.com/seed")
        self.wait_served({"seed": "https://example.com/seed"})
        self.assertEqual(lagger.stop(), 0)
        self.api.stop()

        csv_path = self.group.path("links.csv")
        with open(csv_path, "w") as f:
            f.write("shortUrl,longUrl\n")
            f.writelines(f"f{i:07d},https://example.com/n/{i}\n" for i in range(FAULT_LINKS))
        started = time.monotonic()
        out = subprocess.run([os.path.join(BIN, "admin-api"), "import", "--data-dir", self.api.data_dir,
                              "--email", "admin@example.com", csv_path], capture_output=True, text=True,
                             timeout=self.deadline())
        imported = time.monotonic() - started
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.api.start()
        expected = {f"f{i:07d}": f"https://example.com/n/{i}" for i in range(FAULT_LINKS)}
        expected["seed"] = "https://example.com/seed"

        # The lagger restarts warm and pages through FAULT_LINKS changes;
        # admin-api is killed in the middle of that.
        lagger.start(wait_ready=False)
        started = time.monotonic()
        applied_at_start = None

        def applied():
            try:
                return lagger.metric("shortlink_redirector_applied_seq")
            except OSError:
                return None

        def catching_up():
            nonlocal applied_at_start
            seq = applied()
            if seq is None:
                return False
            if applied_at_start is None:
                applied_at_start = seq
            return seq > applied_at_start

        wait_until(catching_up, timeout=30, interval=0.005, what="the lagger to start catching up")
        self.api.stop(signal.SIGKILL)
        killed_at_seq = applied()
        head = 1 + FAULT_LINKS  # seed + imported
        self.assertLess(killed_at_seq, head, "caught up before the kill: nothing shown")
        self.assertTrue(lagger.healthy())  # serving all along, from its replica
        self.assertEqual(pipelined_head(lagger.port, ["seed"])["seed"][0], 302)
        time.sleep(1.0)
        stuck_at_seq = applied()
        self.api.start()
        wait_until(lambda: applied() == head, timeout=self.deadline(), interval=0.05, what="the lagger caught up")
        caught_up = time.monotonic() - started
        check = time.monotonic()
        self.wait_served(expected, nodes=[lagger], timeout=60)
        checked = time.monotonic() - check

        # A node started empty takes a snapshot of every link.
        fresh = Redirector(self.group, "fresh", self.api, self.redis)
        started = time.monotonic()
        fresh.start(wait_ready=False)
        wait_until(fresh.healthy, timeout=self.deadline(), interval=0.02, what="the fresh node ready")
        snapshot = time.monotonic() - started
        logged = re.findall(r'"snapshot applied".*', self.group.log("fresh.log"))
        self.wait_served(expected, nodes=[fresh], timeout=60)
        self.assertEqual(fresh.metric("redirector_links"), len(expected))
        self.assertEqual(fresh.metric("shortlink_redirector_snapshots_total"), 1)

        # A second empty node, with admin-api killed as soon as the node's
        # ops port is up: mid-snapshot (the half-written one is dropped).
        fresh2 = Redirector(self.group, "fresh2", self.api, self.redis)
        fresh2.start(wait_ready=False)

        def ops_up():
            try:
                return fresh2.ops("/healthz")[0]
            except OSError:
                return None

        wait_until(ops_up, timeout=30, interval=0.005, what="the second node's ops port")
        self.api.stop(signal.SIGKILL)
        time.sleep(0.5)
        interrupted = ops_up() != 200
        self.api.start()
        restarted = time.monotonic()
        wait_until(fresh2.healthy, timeout=self.deadline(), interval=0.02, what="the second fresh node ready")
        resumed = time.monotonic() - restarted
        self.wait_served(expected, nodes=[fresh2], timeout=60)
        self.assertEqual(fresh2.metric("redirector_links"), len(expected))
        print(f"\n{FAULT_LINKS} links imported in {imported:.1f} s; lagger killed admin-api at seq "
              f"{killed_at_seq:.0f} of {head} (still {stuck_at_seq:.0f} 1 s later), caught up "
              f"{caught_up:.1f} s after its start; checked {len(expected)} codes in {checked:.1f} s; "
              f"empty node ready (snapshot) in {snapshot:.2f} s {logged[:1]}; second empty node: admin-api "
              f"killed {'during' if interrupted else 'after'} its snapshot, ready {resumed:.2f} s after "
              f"admin-api restarted, serving all")

    def test_admin_disk_full(self):
        # A small tmpfs of its own for admin-api's data: needs root and mount.
        if os.geteuid() != 0 or not shutil.which("mount"):
            self.skipTest("needs root to mount a small tmpfs for admin-api's data (not root here)")
        mnt = tempfile.mkdtemp(prefix="shortlink-diskfull-")
        self.addCleanup(os.rmdir, mnt)
        # RocksDB preallocates 1.1 x write_buffer_size (141 MiB here) for its
        # WAL, and admin-api keeps 64 MiB free (Database::kMinFreeBytes): the
        # filesystem must hold both and then some. 256 MiB, in RAM.
        size_mib = 256
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", mnt],
                              capture_output=True, text=True)
        if done.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        # Cleanups run last in, first out: the processes die, then the tmpfs
        # goes, then its mount point (group.close, from setUp, comes after).
        self.addCleanup(subprocess.run, ["umount", "-l", mnt], capture_output=True)
        self.addCleanup(lambda: [p.kill() for p in self.group.procs if p.poll() is None])

        self.start_stack(nodes=1, data_dir=os.path.join(mnt, "admin-data"))
        node, = self.nodes
        for i in range(20):
            self.create(f"df-{i}", f"https://example.com/df/{i}")
        filler = os.path.join(mnt, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for n in (1 << 20, 65536, 4096, 512, 1):  # down to the last byte
                block = b"\0" * n
                try:
                    while True:
                        os.write(fd, block)
                except OSError:
                    pass
        finally:
            os.close(fd)
        free = shutil.disk_usage(mnt).free
        self.assertLess(free, 1 << 20)

        # admin-api refuses writes below its free-space reserve. Were the
        # reserve gone, RocksDB's preallocated WAL would take writes until it
        # is used up: bulk creates of long URLs would get there quickly.
        acked_while_full, bulk_requests, first_503 = set(), 0, None
        conn = self.api.connection()
        while first_503 is None and bulk_requests < 200:
            rows = [{"longUrl": f"https://example.com/{'x' * 1900}/{bulk_requests}/{i}",
                     "shortUrl": f"df-bulk-{bulk_requests}-{i}"} for i in range(400)]
            status, _, data = self.api.request("POST", "/api/v1/urls/bulk", {"urls": rows}, self.key, conn=conn)
            bulk_requests += 1
            body = json.loads(data)
            self.assertIn(status, (200, 503), body)
            if status == 503:
                first_503 = body
                break
            for row, result in zip(rows, body["results"]):
                if result["status"] == 200:
                    acked_while_full.add(row["shortUrl"])
                elif first_503 is None:
                    self.assertEqual(result["status"], 503, result)
                    first_503 = result
        conn.close()
        self.assertIsNotNone(first_503, "200 bulk requests of 0.8 MB each all fitted on a full disk")

        # From then on every write is refused with a message, nothing half done.
        refusals = [self.api.json("POST", "/api/v1/urls",
                                  {"longUrl": f"https://example.com/full/{i}", "shortUrl": f"df-full-{i}"}, self.key)
                    for i in range(10)]
        statuses = [s for s, _ in refusals]
        print(f"\ndisk full ({free} bytes free): {len(acked_while_full)} links accepted after the disk filled "
              f"({bulk_requests} bulk requests); then creates answered {statuses}; message: {first_503}")
        self.assertEqual(statuses, [503] * len(statuses), refusals)
        for _, body in refusals:
            self.assertEqual(set(body), {"message"})
            self.assertIn("full", body["message"].lower())
        status, body = self.api.json("PATCH", "/api/v1/urls/df-0", {"longUrl": "https://example.com/changed"},
                                     self.key)
        self.assertEqual(status, 503, body)
        self.assertIn("message", body)
        # Reads keep working, on admin-api and on the node.
        self.assertEqual(self.api.json("GET", "/api/v1/urls/df-0", None, self.key)[1]["longUrl"],
                         "https://example.com/df/0")
        listed = self.all_links()
        self.assertTrue(all(f"df-{i}" in listed for i in range(20)))
        self.assertEqual(self.api.request("GET", "/healthz")[0], 200)
        self.wait_served({f"df-{i}": f"https://example.com/df/{i}" for i in range(20)})
        # Clicks on the node meanwhile: admin-api cannot store them yet, and must not drop them.
        clicks = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
        for _ in range(25):
            clicks.request("GET", "/df-1")
            resp = clicks.getresponse()
            resp.read()
            self.assertEqual(resp.status, 302)
        clicks.close()
        time.sleep(2.0)  # a flush or two reach the stream and fail to apply

        # Space returns: writes work again, without a restart.
        os.unlink(filler)
        freed = time.monotonic()

        def writes_again():
            status, body = self.api.json("POST", "/api/v1/urls",
                                         {"longUrl": "https://example.com/recovered", "shortUrl": "df-back"},
                                         self.key)
            self.assertIn(status, (200, 503), body)
            return status == 200

        wait_until(writes_again, timeout=60, interval=0.5, what="writes to work again after space returned")
        recovered = time.monotonic() - freed
        listed = self.all_links()
        self.assertEqual([f"df-full-{i}" for i in range(10) if f"df-full-{i}" in listed], [])  # a 503 changed nothing
        self.assertEqual([c for c in acked_while_full if c not in listed], [])  # an acknowledged one is kept
        self.assertEqual(listed.get("df-0"), "https://example.com/df/0")
        # The change log has no hole: the node follows on.
        self.wait_served({"df-back": "https://example.com/recovered", "df-0": "https://example.com/df/0"})
        self.wait_in_sync()

        def clicks_applied():
            status, body = self.api.json("GET", "/api/v1/urls/df-1", None, self.key)
            return body["clicks"] == 25 and body

        wait_until(clicks_applied, timeout=30, interval=0.2, what="the 25 clicks made while the disk was full")
        clicks_in = time.monotonic() - freed
        print(f"writes accepted again {recovered:.1f} s after space returned; the node followed; the 25 clicks "
              f"made while full applied {clicks_in:.1f} s after space returned")

    def test_soak_full_redirect_load_with_updates(self):
        node, = self.start_stack(nodes=1)
        codes = [f"sk-{i}" for i in range(1000)]
        conn = self.api.connection()
        for start in range(0, len(codes), 1000):
            rows = [{"longUrl": f"https://example.com/sk/{c}/0", "shortUrl": c} for c in codes[start:start + 1000]]
            status, _, body = self.api.request("POST", "/api/v1/urls/bulk", {"urls": rows}, self.key, conn=conn)
            self.assertEqual((status, json.loads(body)["created"]), (200, len(rows)))
        conn.close()
        self.wait_served({c: f"https://example.com/sk/{c}/0" for c in codes})

        duration = SOAK_WARMUP + SOAK_SECONDS
        load = self.start_load(node, codes, duration)
        updates = {"done": 0, "errors": []}
        latest = {}

        def updater():
            conn = self.api.connection()
            begun, n = time.monotonic(), 0
            while not self.stop_event.is_set() and time.monotonic() - begun < duration:
                time.sleep(max(0.0, begun + n / UPDATES_PER_SECOND - time.monotonic()))
                code = codes[n % len(codes)]
                url = f"https://example.com/sk/{code}/{n + 1}"
                n += 1
                try:
                    status, _, body = self.api.request("PATCH", f"/api/v1/urls/{code}", {"longUrl": url}, self.key,
                                                       conn=conn)
                except (OSError, http.client.HTTPException) as e:
                    updates["errors"].append(repr(e))
                    conn.close()
                    conn = self.api.connection()
                    continue
                if status == 200:
                    updates["done"] += 1
                    latest[code] = url
                else:
                    updates["errors"].append((status, body[:200]))
            conn.close()

        begun = time.monotonic()
        update_thread = self.thread(updater)
        time.sleep(SOAK_WARMUP)
        rss = [rss_kib(node.proc.pid)]
        admin_rss = [rss_kib(self.api.proc.pid)]
        table_bytes = [node.metric("redirector_table_bytes")]
        while time.monotonic() - begun < duration - 0.5:
            time.sleep(min(5.0, max(0.0, begun + duration - 0.5 - time.monotonic())))
            rss.append(rss_kib(node.proc.pid))
        admin_rss.append(rss_kib(self.api.proc.pid))
        table_bytes.append(node.metric("redirector_table_bytes"))
        update_thread.join(timeout=30)
        result = load.finish()
        elapsed = time.monotonic() - begun
        growth = (rss[-1] - rss[0]) / rss[0] * 100
        rate = updates["done"] / elapsed
        print(f"\nsoak: {SOAK_SECONDS:.0f} s (+{SOAK_WARMUP:.0f} s warm-up) with {result['tool']}: "
              f"{result['requests']} redirects ({result['requests'] / elapsed:.0f}/s), errors {result['errors']}; "
              f"{updates['done']} updates ({rate:.0f}/s), update errors {len(updates['errors'])}; "
              f"redirector RSS {rss[0]} -> {rss[-1]} KiB ({growth:+.2f}%), samples {rss}, link table "
              f"{table_bytes[0]:.0f} -> {table_bytes[1]:.0f} bytes; "
              f"admin-api RSS {admin_rss[0]} -> {admin_rss[1]} KiB")
        self.assertEqual(result["errors"], {k: 0 for k in result["errors"]})
        self.assertEqual(updates["errors"][:5], [])
        self.assertGreaterEqual(rate, UPDATES_PER_SECOND * 0.9)
        self.assertLess(growth, 5.0)
        self.assertEqual(node.metric("redirector_responses_total{status=\"5xx\"}"), 0)
        # The node kept up: every link is served with its last target.
        self.wait_served({c: latest.get(c, f"https://example.com/sk/{c}/0") for c in codes}, timeout=5)
        self.wait_in_sync()

    def start_load(self, node, codes, duration):
        """Full redirect load on `node` for `duration` s: wrk when installed,
        else Python threads. Returns an object whose finish() gives counts."""
        if shutil.which("wrk"):
            return WrkLoad(self.group, node, codes, duration)
        return PythonLoad(self.stop_event, node, codes, duration)

    def deadline(self):
        """Seconds this test may take: the link count and the soak length set two of them."""
        if self._testMethodName.startswith("test_admin_restarted"):
            return 150 + FAULT_LINKS // 1500
        if self._testMethodName.startswith("test_soak"):
            return int(SOAK_WARMUP + SOAK_SECONDS) + 90
        return self.DEADLINE


class WrkLoad:
    def __init__(self, group, node, codes, duration):
        script = group.path("soak.lua")
        with open(script, "w") as f:
            f.write("local codes = {" + ",".join(f'"/{c}"' for c in codes) + "}\n"
                    "local n = 0\n"
                    "request = function()\n"
                    "  n = n + 1\n"
                    "  return wrk.format('GET', codes[(n % #codes) + 1])\n"
                    "end\n")
        self.out = open(group.path("wrk.out"), "w+")
        # One wrk thread: the machine has two cores, the redirector needs one.
        self.proc = subprocess.Popen(["wrk", "-t1", "-c32", f"-d{duration:.0f}s", "--timeout", "2s", "-s", script,
                                      f"http://127.0.0.1:{node.port}/"], stdout=self.out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        group.procs.append(self.proc)

    def finish(self):
        self.proc.wait(timeout=60)
        self.out.seek(0)
        text = self.out.read()
        self.out.close()
        m = re.search(r"(\d+) requests in", text)
        if not m:
            raise AssertionError("wrk printed no result: " + text)
        errors = {"non-3xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0}
        m2 = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        if m2:
            errors["non-3xx"] = int(m2.group(1))
        m3 = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        if m3:
            errors.update(zip(("connect", "read", "write", "timeout"), map(int, m3.groups())))
        return {"tool": "wrk -t1 -c32", "requests": int(m.group(1)), "errors": errors}


class PythonLoad:
    def __init__(self, stop_event, node, codes, duration):
        self.counts = {"requests": 0, "non-302": 0, "socket": 0}
        self.deadline = time.monotonic() + duration
        self.stop_event = stop_event
        self.threads = [threading.Thread(target=self.run, args=(node, codes[i::4]), daemon=True) for i in range(4)]
        for t in self.threads:
            t.start()

    def run(self, node, codes):
        conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
        i = 0
        while time.monotonic() < self.deadline and not self.stop_event.is_set():
            try:
                conn.request("GET", "/" + codes[i % len(codes)])
                resp = conn.getresponse()
                resp.read()
                self.counts["requests"] += 1
                if resp.status != 302:
                    self.counts["non-302"] += 1
            except (OSError, http.client.HTTPException):
                self.counts["socket"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
            i += 1
        conn.close()

    def finish(self):
        for t in self.threads:
            t.join(timeout=30)
        return {"tool": "4 Python threads", "requests": self.counts["requests"],
                "errors": {"non-302": self.counts["non-302"], "socket": self.counts["socket"]}}


if not redirector_is_wired():
    FaultTest = unittest.skip("redirector does not take --admin-url")(FaultTest)

if __name__ == "__main__":
    unittest.main()
