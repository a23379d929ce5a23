"""Many nodes across a real network (issue 22): admin-api, a redis-server and
three redis-sentinels in one network namespace, six redirectors each in its
own, joined by veth pairs and bridges (network.py); traffic never leaves the
machine. Everything talks over real TCP between namespaces; the nodes find
Redis through the Sentinels.

Under a stream of creates and updates (one thread calling admin-api) and
visitors' redirects on every node, the test
- measures propagation (admin-api's 2xx -> the node redirecting to the new
  target) on a clean network;
- cuts two nodes off admin-api and Redis (one link taken down, one black
  hole: every packet dropped, connections left hanging) and puts 20 ms
  +- 5 ms of delay each way and 2% loss on the four others' links, and
  measures propagation to those four again;
- heals, and measures how long the two take to catch up with admin-api's
  state at the heal;
and checks that every node digest read during the run (GET /digest: count
and hash of its links at its applied seq) equals admin-api's digest at that
seq, that all six end equal to admin-api's, and that the clicks the nodes
answered (302) are counted exactly once by admin-api, those a cut-off node
kept until it was back included.

Run: `ctest --test-dir build -L netns` (root), or
`cd tests/netns && SHORTLINK_BIN=../../build/bin python3 -m unittest -v test_netns`.
Skips only when not root or when `ip netns` is unavailable.
"""
import json
import shutil
import signal
import sys
import threading
import time
import unittest

from network import Network, netns_unavailable
from processes import MASTER, NetnsAdminApi, NetnsGroup, NetnsRedirector, NetnsRedis, Sentinel  # puts tests/e2e on the path
from harness import Repeating, wait_until  # noqa: E402 (after processes)

NODES = 6
PARTITIONED = (1, 2)  # node1: link down; node2: black hole
DELAY_MS, JITTER_MS, LOSS = 20.0, 5.0, 0.02  # on every other node's backbone link, each way
CLEAN_SECONDS, IMPAIRED_SECONDS, HEALED_SECONDS = 5.0, 20.0, 3.0
CHANGE_INTERVAL = 0.1  # seconds between the stream's changes (plus their own time)
PROBE_INTERVAL = 0.003  # seconds between a prober's HEADs
SERVED_TIMEOUT = 15.0  # seconds; a change not served by then fails the test
CONVERGE_TIMEOUT = 60.0  # seconds after the heal
HARD_TIMEOUT = 420  # seconds for the whole test, setup and cleanup included (ctest: 600)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Stream:
    """Creates and target updates through admin-api, one at a time, from a
    thread of its own. After each change admin-api's digest is recorded by
    seq (nothing else writes links). `phase` labels each change."""

    def __init__(self, test):
        self.test, self.phase = test, "clean"
        self.changes = []  # (code, target, time of the 2xx, phase), in order
        self.seen = {}  # seq -> admin-api's digest
        self.errors = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="stream")

    def _run(self):
        try:
            i = 0
            while not self.stop.is_set():
                i += 1
                self.one(i)
                time.sleep(CHANGE_INTERVAL)
        except Exception as e:  # surfaced through .errors
            self.errors.append(e)

    def one(self, i):
        created = [c for c in self.changes if c[0].startswith("net-")]
        if i % 3 == 0 and len(created) > 20:
            code = created[-20][0]  # long served everywhere: a prober never sees a later target
            target = f"https://example.org/{code}/v{i}"
            status, body = self.test.api.json("PATCH", f"/api/v1/urls/{code}", {"longUrl": target}, self.test.key)
        else:
            code, target = f"net-{i}", f"https://example.com/{i}"
            status, body = self.test.api.json("POST", "/api/v1/urls", {"longUrl": target, "shortUrl": code},
                                              self.test.key)
        ok = time.monotonic()
        if status != 200:
            raise AssertionError(f"change {i}: {status} {body}")
        self.changes.append((code, target, ok, self.phase))
        digest = self.test.admin_digest()
        self.seen[digest["seq"]] = digest

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)
        return False


class Prober:
    """Follows the stream on one node: for each change of a phase it is told
    to measure, HEADs the code (no click) until the node redirects to the new
    target; records the time since admin-api's 2xx."""

    def __init__(self, node, stream, phases):
        self.node, self.stream, self.phases = node, stream, phases
        self.latencies = {}  # phase -> [seconds]
        self.errors = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"probe-{node.name}")

    def _run(self):
        conn, j = self.node.connection(), 0
        try:
            while not self.stop.is_set():
                if j >= len(self.stream.changes):
                    time.sleep(PROBE_INTERVAL)
                    continue
                code, target, ok, phase = self.stream.changes[j]
                j += 1
                if phase not in self.phases():
                    continue
                deadline = ok + SERVED_TIMEOUT
                served = True
                while self.node.lookup(code, conn)[1] != target:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"{self.node.name} did not serve /{code} -> {target} "
                                             f"within {SERVED_TIMEOUT} s ({phase})")
                    if self.stop.is_set():
                        return
                    if phase not in self.phases():  # its node was cut off meanwhile: not a propagation time
                        served = False
                        break
                    time.sleep(PROBE_INTERVAL)
                if served:
                        self.latencies.setdefault(phase, []).append(time.monotonic() - ok)
        except Exception as e:  # surfaced through .errors
            self.errors.append(e)
        finally:
            conn.close()


class ManyNodesAcrossANetworkTest(unittest.TestCase):

    def setUp(self):
        why = netns_unavailable()
        if why:
            self.skipTest(why)
        for tool in ("iptables", "redis-server", "redis-sentinel"):
            self.assertTrue(shutil.which(tool), f"{tool} is missing: run scripts/install-deps.sh")
        # A hard stop: whatever hangs, the test fails and its cleanups still run.
        def out_of_time(signum, frame):
            raise TimeoutError(f"test_netns took more than {HARD_TIMEOUT} s")
        signal.signal(signal.SIGALRM, out_of_time)
        signal.alarm(HARD_TIMEOUT)
        self.addCleanup(signal.alarm, 0)
        started = time.monotonic()

        self.net = Network()
        self.addCleanup(self.net.close)  # runs last: the processes are gone by then
        self.net.build(NODES)
        self.group = NetnsGroup()
        self.net.keep(self.group.dir)
        self.addCleanup(self.group.close)
        self.redis = NetnsRedis(self.group, self.net.admin).start()
        self.sentinels = [Sentinel(self.group, self.net.admin, f"sentinel-{i}", self.redis).start()
                          for i in range(3)]
        sentinel_flags = ["--redis-sentinel", ",".join(s.address for s in self.sentinels), "--redis-master", MASTER]
        self.api = NetnsAdminApi(self.group, self.net.admin, ["--rate-limit", "1000000"] + sentinel_flags)
        self.key = self.api.bootstrap()
        self.api.start()
        self.nodes = [NetnsRedirector(self.group, i, ns, self.api, self.redis, sentinel_flags)
                      for i, ns in enumerate(self.net.nodes, start=1)]
        for node in self.nodes:
            node.start(wait_ready=False)
        for node in self.nodes:
            wait_until(node.healthy, timeout=30, what=f"{node.name} /healthz")
            wait_until(lambda: node.metric("shortlink_redirector_redis_connected") == 1 and
                       node.metric("shortlink_redirector_clicks_redis_connected") == 1,
                       timeout=30, what=f"{node.name} on Redis (found through the Sentinels)")
        self.setup_seconds = time.monotonic() - started

    # --- helpers ---

    def admin_digest(self):
        status, answer = self.api.json("GET", "/api/v1/nodes/digest", key=self.key)
        if status != 200:
            raise AssertionError(f"admin digest: {status} {answer}")
        return answer

    @staticmethod
    def node_digest(node):
        status, body = node.ops("/digest")
        if status != 200:
            raise AssertionError(f"{node.name} /digest: {status} {body}")
        return json.loads(body)

    def clicks(self):
        status, body = self.api.json("GET", "/api/v1/urls?limit=1000", None, self.key)
        self.assertEqual(status, 200, body)
        return {u["shortUrl"]: u["clicks"] for u in body["urls"]}

    # --- the test ---

    def test_nodes_converge_and_clicks_stay_exact_through_partitions_delay_and_loss(self):
        partitioned = [self.nodes[i - 1] for i in PARTITIONED]
        impaired = [n for n in self.nodes if n not in partitioned]

        # Visitors: a link per node, each clicked through its own node only.
        click_codes = {node.name: f"clk-{node.name}" for node in self.nodes}
        for code in click_codes.values():
            status, body = self.api.json("POST", "/api/v1/urls", {"longUrl": f"https://example.com/{code}",
                                                                 "shortUrl": code}, self.key)
            self.assertEqual(status, 200, body)
        for node in self.nodes:
            for code in click_codes.values():
                wait_until(lambda: node.lookup(code)[0] == 302, timeout=10, what=f"{node.name} to serve /{code}")
        answered = {code: 0 for code in click_codes.values()}

        def visit(index, n):
            node = self.nodes[index]
            code = click_codes[node.name]
            conn = node.connection()
            try:
                for _ in range(5):
                    conn.request("GET", "/" + code, headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) netns"})
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status != 302:
                        raise AssertionError(f"{node.name} answered {resp.status} to GET /{code}")
                    answered[code] += 1  # one thread per code
            finally:
                conn.close()
            time.sleep(0.1)

        # Each node's digests, read all along (the cut-off ones too: they answer on the front).
        samples, sampling, sampling_errors = [], threading.Event(), []

        def sample():
            try:
                while not sampling.is_set():
                    for node in self.nodes:
                        samples.append((node.name, self.node_digest(node)))
                    time.sleep(0.1)
            except Exception as e:  # surfaced through sampling_errors
                sampling_errors.append(e)

        sampler = threading.Thread(target=sample, name="sampler")
        # node name -> the phases its prober measures; a cut-off node measures none.
        phases_of = {node.name: {"clean"} for node in self.nodes}
        delayers = {}

        with Repeating(visit, threads=NODES) as visitors, Stream(self) as stream:
            probers = [Prober(node, stream, lambda n=node: phases_of[n.name]) for node in self.nodes]
            for p in probers:
                p.thread.start()
            sampler.start()
            try:
                time.sleep(CLEAN_SECONDS)

                # Faults.
                stream.phase = "impaired"
                for node in self.nodes:
                    phases_of[node.name] = set() if node in partitioned else {"impaired"}
                self.net.cut(partitioned[0].netns)
                delayers[partitioned[1].netns] = self.net.impair(self.group, partitioned[1].netns, loss=1.0)
                for node in impaired:
                    delayers[node.netns] = self.net.impair(self.group, node.netns, DELAY_MS, JITTER_MS, LOSS)
                time.sleep(IMPAIRED_SECONDS)

                # Heal; the stream goes on.
                stream.phase = "healed"
                at_heal = self.admin_digest()
                behind = {n.name: self.node_digest(n)["seq"] for n in partitioned}
                kept = {n.name: n.metric("shortlink_redirector_click_batches_pending") for n in partitioned}
                healed = {}
                for node in partitioned + impaired:
                    self.net.heal(node.netns, delayers.get(node.netns))
                    healed[node.name] = time.monotonic()
                caught_up = {}
                for node in partitioned:
                    wait_until(lambda: self.node_digest(node)["seq"] >= at_heal["seq"], timeout=CONVERGE_TIMEOUT,
                               interval=0.005, what=f"{node.name} to reach seq {at_heal['seq']} after the heal")
                    caught_up[node.name] = time.monotonic() - healed[node.name]
                time.sleep(HEALED_SECONDS)
            finally:
                for p in probers:
                    p.stop.set()
                for p in probers:
                    p.thread.join(timeout=30)
                stream.stop.set()
                sampling.set()
                if sampler.ident:
                    sampler.join(timeout=30)
        self.assertEqual(stream.errors, [])
        self.assertEqual(visitors.errors, [])
        self.assertEqual(sampling_errors, [])
        for p in probers:
            self.assertEqual(p.errors, [], p.node.name)

        # Every node ends where admin-api is.
        final = self.admin_digest()
        stopped = time.monotonic()
        for node in self.nodes:
            wait_until(lambda: self.node_digest(node) == final, timeout=CONVERGE_TIMEOUT,
                       what=f"{node.name} digest {final} (now {self.node_digest(node)})")
        final_converged = time.monotonic() - stopped

        # The cut-off nodes were behind at the heal, and so by the partition alone.
        for node in partitioned:
            self.assertLess(behind[node.name], at_heal["seq"], f"{node.name} was cut off")
            self.assertGreater(kept[node.name], 0, f"{node.name} kept its visitors' clicks while cut off")
        # Every digest a node gave during the run is admin-api's at that seq.
        compared = 0
        for name, digest in samples:
            expected = stream.seen.get(digest["seq"])
            if expected is not None:
                self.assertEqual(digest, expected, f"{name} at seq {digest['seq']}")
                compared += 1
        self.assertGreater(compared, 100, f"{len(samples)} samples")

        # Propagation, per phase, over the nodes that measured it.
        figures = {}
        for phase in ("clean", "impaired"):
            values = [v for p in probers for v in p.latencies.get(phase, [])]
            self.assertGreater(len(values), 50, phase)
            figures[phase] = (len(values), percentile(values, 50) * 1000, percentile(values, 99) * 1000)
        # The delay was on the path: a change crosses at least one delayed hop.
        self.assertGreater(figures["impaired"][1], DELAY_MS - JITTER_MS)

        # Clicks: every 302 counted once, the cut-off nodes' included.
        counted_at = time.monotonic()
        try:
            wait_until(lambda: all(self.clicks().get(c, 0) >= n for c, n in answered.items()), timeout=30,
                       interval=0.2, what="click totals")
        except AssertionError:
            got = self.clicks()
            self.fail(f"clicks missing: answered {answered}, counted { {c: got.get(c) for c in answered} }")
        for node in self.nodes:
            wait_until(lambda: node.metric("shortlink_redirector_click_batches_pending") == 0, timeout=30,
                       interval=0.1, what=f"{node.name} to have no pending click batch")
        clicks_applied = time.monotonic() - counted_at
        time.sleep(1.5)  # a late resend must not count twice
        got = self.clicks()
        self.assertEqual({c: got.get(c) for c in answered}, answered)
        for node in self.nodes:
            self.assertEqual(node.metric("shortlink_redirector_clicks_lost_total"), 0, node.name)

        rows = [
            ("nodes", f"{NODES} (each its own namespace) + admin-api, Redis, 3 Sentinels in one"),
            ("cut off", f"{partitioned[0].name} link down, {partitioned[1].name} black hole "
                        f"(loss 100%), {IMPAIRED_SECONDS:.0f} s"),
            ("impaired", f"{', '.join(n.name for n in impaired)}: {DELAY_MS:.0f} ms +- {JITTER_MS:.0f} ms each way, "
                         f"loss {LOSS * 100:.0f}%"),
            ("changes", f"{len(stream.changes)} (creates and target updates), final seq {final['seq']}, "
                        f"{final['links']} links"),
            ("propagation clean", f"p50 {figures['clean'][1]:.1f} ms  p99 {figures['clean'][2]:.1f} ms  "
                                  f"({figures['clean'][0]} samples, {NODES} nodes)"),
            ("propagation impaired", f"p50 {figures['impaired'][1]:.1f} ms  p99 {figures['impaired'][2]:.1f} ms  "
                                     f"({figures['impaired'][0]} samples, {len(impaired)} nodes)"),
            ("caught up after heal", ", ".join(f"{name} {seconds:.2f} s" for name, seconds in caught_up.items()) +
             f" (seq {at_heal['seq']}; {', '.join(f'{k} was at {v}' for k, v in behind.items())})"),
            ("all converged", f"{final_converged * 1000:.0f} ms after the last change"),
            ("digests compared", f"{compared} of {len(samples)} read, all equal to admin-api's at their seq"),
            ("clicks", f"{sum(answered.values())} answered 302, {sum(got[c] for c in answered)} counted "
                       f"(last applied {clicks_applied:.1f} s after the stream stopped; click batches kept "
                       f"at the heal: {', '.join(f'{k} {v:.0f}' for k, v in kept.items())})"),
            ("setup", f"{self.setup_seconds:.1f} s"),
        ]
        width = max(len(k) for k, _ in rows)
        print("\n[netns] many nodes across a network\n" + "\n".join(f"  {k:<{width}}  {v}" for k, v in rows),
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
