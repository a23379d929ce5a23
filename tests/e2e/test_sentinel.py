"""End-to-end test of Redis failover through Redis Sentinel: a real
redis-server primary and one replica, three real sentinels, a real admin-api
(TLS) and two real redirectors, all given --redis-sentinel and
--redis-master instead of --redis.

Shown here: the primary killed -9 while both nodes take clicks and links are
created and updated; the sentinels promote the replica; a link created
during the outage reaches both nodes (by their log polling, or live once the
new primary is up); the nodes subscribe again on the new primary soon after
its promotion; creates and updates after it reach both nodes live; the click
totals equal the redirects the nodes answered, none lost and none doubled:
the replica is kept off the primary for its last 1.5 s, so the primary dies
holding click batches it acknowledged and never passed on, and the nodes
must send them again to the promoted replica.
"""
import http.client
import os
import shutil
import threading
import time
import unittest

from harness import AdminApi, ProcessGroup, Redis, Repeating, RespConnection, free_port, wait_until
from test_sync import Redirector, redirector_is_wired

MASTER = "shortlink"
DOWN_AFTER_MS = 500  # sentinels call a silent primary down after this
FAILOVER_TIMEOUT_MS = 3000


def query(port, *args, timeout=0.5):
    """One command's reply on a connection of its own; None when nothing answers."""
    try:
        with RespConnection(port, timeout=timeout) as c:
            return c.command(" ".join(str(a) for a in args))
    except (OSError, ValueError):
        return None


class RedisProcess(Redis):
    """A redis-server (primary or replica) or a sentinel in its own folder."""

    def __init__(self, group, name, sentinel_of=None, replica_of=None):
        super().__init__(group, name=name)
        self.sentinel_of, self.replica_of = sentinel_of, replica_of

    def server_args(self):
        if not self.sentinel_of:
            args = super().server_args()
            if self.replica_of:
                args += ["--replicaof", "127.0.0.1", str(self.replica_of.port)]
            return args
        conf = os.path.join(self.dir, "sentinel.conf")  # sentinels rewrite it: one each
        with open(conf, "w") as f:
            f.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n"
                    f"sentinel monitor {MASTER} 127.0.0.1 {self.sentinel_of.port} 2\n"
                    f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n"
                    f"sentinel failover-timeout {MASTER} {FAILOVER_TIMEOUT_MS}\n"
                    f"sentinel parallel-syncs {MASTER} 1\n")
        exe = shutil.which("redis-sentinel")
        return [exe, conf] if exe else ["redis-server", conf, "--sentinel"]


def redirects(node, code, n):
    """n GETs of /code on one keep-alive connection; the number answered with a redirect."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
    done = 0
    try:
        for _ in range(n):
            conn.request("GET", "/" + code, headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) e2e"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 302:
                raise AssertionError(f"{node.name} answered {resp.status} to /{code}")
            done += 1
    finally:
        conn.close()
    return done


def replication_offset(port, field):
    info = (query(port, "INFO", "replication") or b"").decode()
    for line in info.splitlines():
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"no {field} in INFO replication of :{port}")


def labeled_metric(node, name, labels):
    for line in node.ops("/metrics")[1].splitlines():
        if line.startswith(f"{name}{{{labels}}} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
@unittest.skipUnless(shutil.which("redis-sentinel") or shutil.which("redis-server"), "no redis-server")
class SentinelFailoverTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.group = ProcessGroup()
        try:
            cls.primary = RedisProcess(cls.group, "redis-a").start()
            cls.replica = RedisProcess(cls.group, "redis-b", replica_of=cls.primary).start()
            wait_until(lambda: b"master_link_status:up" in (query(cls.replica.port, "INFO", "replication") or b""),
                       what="the replica in sync")
            cls.sentinels = [RedisProcess(cls.group, f"sentinel-{i}", sentinel_of=cls.primary).start()
                             for i in range(3)]
            # Each sentinel knows the replica and the two others: a failover can be agreed.
            for s in cls.sentinels:
                wait_until(lambda: len(query(s.port, "SENTINEL", "replicas", MASTER) or []) == 1 and
                           len(query(s.port, "SENTINEL", "sentinels", MASTER) or []) == 2,
                           timeout=15, what=f"{s.name} to see the replica and the other sentinels")
            flags = ["--redis-sentinel", ",".join(s.address for s in cls.sentinels), "--redis-master", MASTER]
            cls.api = AdminApi(cls.group, None, extra=["--rate-limit", "100000"] + flags)
            cls.key = cls.api.bootstrap()
            cls.api.start()
            cls.nodes = []
            for name in ("node1", "node2"):
                node = Redirector(cls.group, name, cls.api, cls.primary)
                node.args += flags  # after --redis, which sentinels override
                cls.nodes.append(node.start())
        except BaseException:
            cls.group.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.group.close()

    def primary_named_by_sentinels(self):
        reply = query(self.sentinels[0].port, "SENTINEL", "get-master-addr-by-name", MASTER)
        return int(reply[1]) if reply else None

    def upsert(self, code, target, create):
        if create:
            status, body = self.api.json("POST", "/api/v1/urls", {"longUrl": target, "shortUrl": code}, self.key)
        else:
            status, body = self.api.json("PATCH", f"/api/v1/urls/{code}", {"longUrl": target}, self.key)
        self.assertEqual(status, 200, body)

    def served_everywhere(self, code, target, timeout, what):
        """Waits until both nodes redirect /code to target (HEAD: no click); seconds it took."""
        started = time.monotonic()
        for node in self.nodes:
            def serves():
                conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
                try:
                    conn.request("HEAD", "/" + code)
                    resp = conn.getresponse()
                    resp.read()
                    return resp.status == 302 and resp.getheader("Location") == target
                finally:
                    conn.close()
            wait_until(serves, timeout=timeout, interval=0.01, what=f"{node.name}: {what}")
        return time.monotonic() - started

    def clicks(self):
        status, body = self.api.json("GET", "/api/v1/urls?limit=1000", None, self.key)
        self.assertEqual(status, 200, body)
        return {u["shortUrl"]: u["clicks"] for u in body["urls"]}

    def test_primary_killed_9_mid_traffic_loses_no_change_and_no_click(self):
        test_started = time.monotonic()
        for node in self.nodes:
            wait_until(lambda: node.metric("shortlink_redirector_redis_connected") == 1 and
                       node.metric("shortlink_redirector_clicks_redis_connected") == 1,
                       timeout=15, what=f"{node.name} on the primary")
        codes = [f"sen-{i}" for i in range(4)]
        for code in codes:
            self.upsert(code, f"https://example.com/{code}", create=True)
        for code in codes:
            self.served_everywhere(code, f"https://example.com/{code}", 5, f"/{code}")

        counts = {code: 0 for code in codes}
        lock = threading.Lock()

        def clicker(index, n):
            code = codes[(index + n) % len(codes)]
            done = redirects(self.nodes[index], code, 5)
            with lock:
                counts[code] += done

        updates = 0
        with Repeating(clicker, threads=2) as clickers:
            time.sleep(1.5)  # click batches flowing through the primary
            for i, code in enumerate(codes[:2]):  # updates just before the kill, live
                self.upsert(code, f"https://example.com/{code}/v1", create=False)
                updates += 1
            # The replica is cut off from the primary for the last 1.5 s before the kill (it
            # follows an address where nothing listens; the sentinels would set it right only
            # after failover-timeout): what the primary takes then (click batches acknowledged
            # to the nodes: they flush every second) never reaches the replica, and must be sent
            # again to it once it is promoted.
            self.assertEqual(query(self.replica.port, "REPLICAOF", "127.0.0.1", free_port()), b"OK")
            time.sleep(1.5)
            primary_offset = replication_offset(self.primary.port, "master_repl_offset")
            replica_offset = replication_offset(self.replica.port, "slave_repl_offset")
            self.primary.kill()  # kill -9
            killed = time.monotonic()
            self.assertGreater(primary_offset, replica_offset, "the replica missed the primary's last writes")

            # During the outage: a create, carried by the nodes' log polling (or live, if the
            # sentinels are faster).
            self.upsert("sen-during", "https://example.com/during", create=True)
            during = self.served_everywhere("sen-during", "https://example.com/during", 10, "/sen-during")
            for code in codes[:2]:
                self.served_everywhere(code, f"https://example.com/{code}/v1", 10, f"/{code} updated")

            wait_until(lambda: self.primary_named_by_sentinels() == self.replica.port, timeout=15,
                       interval=0.01, what="the sentinels to promote the replica")
            promoted = time.monotonic()
            for node in self.nodes:
                wait_until(lambda: node.metric("shortlink_redirector_redis_connected") == 1, timeout=5,
                           interval=0.01, what=f"{node.name} subscribed on the new primary")
            live_again = time.monotonic() - promoted
            for node in self.nodes:
                wait_until(lambda: node.metric("shortlink_redirector_clicks_redis_connected") == 1, timeout=5,
                           interval=0.01, what=f"{node.name} sending clicks to the new primary")

            # After the failover: creates and updates reach both nodes, live.
            live_before = sum(labeled_metric(n, "shortlink_redirector_changes_applied_total", 'source="stream"')
                              for n in self.nodes)
            after_create, after_update = [], []
            for i in range(3):
                code = f"sen-after-{i}"
                self.upsert(code, f"https://example.com/{code}", create=True)
                after_create.append(self.served_everywhere(code, f"https://example.com/{code}", 5, f"/{code}"))
                self.upsert(codes[i], f"https://example.com/{codes[i]}/v2", create=False)
                updates += 1
                after_update.append(self.served_everywhere(codes[i], f"https://example.com/{codes[i]}/v2", 5,
                                                           f"/{codes[i]} updated again"))
            live_after = sum(labeled_metric(n, "shortlink_redirector_changes_applied_total", 'source="stream"')
                             for n in self.nodes)
            time.sleep(1.0)  # clicks on the new primary too
        self.assertEqual(clickers.errors, [])
        self.assertGreater(live_after, live_before, "changes after the failover came live, not by polling")

        total = sum(counts.values())
        drained = time.monotonic()
        try:
            wait_until(lambda: all(self.clicks().get(c, 0) >= n for c, n in counts.items()), timeout=20,
                       interval=0.1, what="click totals")
        except AssertionError:
            got = self.clicks()
            self.fail(f"clicks missing: expected {counts}, got { {c: got.get(c) for c in counts} }")
        for node in self.nodes:
            try:
                wait_until(lambda: node.metric("shortlink_redirector_click_batches_pending") == 0, timeout=25,
                           interval=0.1, what=f"{node.name} to have no pending click batch")
            except AssertionError:
                metrics = [line for line in node.ops("/metrics")[1].splitlines() if "click" in line and
                           not line.startswith("#")]
                self.fail(f"{node.name} keeps a click batch pending: " + "\n".join(metrics) + "\n" +
                          self.group.log(node.name + ".log")[-4000:] + "\nadmin-api:\n" +
                          self.group.log("admin.log")[-3000:])
        applied = time.monotonic() - drained
        time.sleep(1.0)  # a late resend must not count twice
        got = self.clicks()
        self.assertEqual({c: got.get(c) for c in counts}, counts)
        for node in self.nodes:
            self.assertEqual(node.metric("shortlink_redirector_clicks_lost_total"), 0)

        print(f"\nsentinel failover: kill -9 of the primary -> replica promoted {promoted - killed:.2f} s; "
              f"nodes subscribed again {live_again:.2f} s after the promotion; "
              f"a create during the outage on both nodes in {during:.2f} s; "
              f"after it creates reached both nodes in max {max(after_create) * 1000:.0f} ms, "
              f"updates in max {max(after_update) * 1000:.0f} ms; "
              f"the promoted replica missed the primary's last {primary_offset - replica_offset} bytes; "
              f"{total} clicks ({updates} updates) exact, the last applied {applied:.2f} s after traffic stopped; "
              f"test {time.monotonic() - test_started:.1f} s")
        # Within about a second (reconnects every 0.5 s at most, then a subscribe); sanitizers slow it.
        self.assertLess(live_again, 3.0 if os.environ.get("SHORTLINK_SANITIZE") else 1.5,
                        "nodes back on the new primary within about a second")


if __name__ == "__main__":
    unittest.main()
