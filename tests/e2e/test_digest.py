"""End-to-end test of the link-state digest (issue 22, part): a real
admin-api, a real redis-server and three real redirectors on loopback.

Each node answers GET /digest on its ops port with {"seq", "links", "hash"}
of the links it serves as of the seq it has applied; admin-api answers the
same for its own links at GET /api/v1/nodes/digest (site admins). Shown
here: under a stream of creates, updates (target, state, rules) and deletes,
on the default domain and a custom one, every digest a node gives matches
admin-api's digest at that same seq (never a table half a change off its
seq), and once the stream stops all three nodes converge to admin-api's;
a node stopped with SIGSTOP during the stream converges once resumed (the
time it takes is printed); the route is for site admins only.
"""
import http.client
import json
import signal
import sys
import threading
import time
import unittest

from harness import ApiTestCase, wait_until
from test_sync import Redirector, redirector_is_wired

CONVERGE_TIMEOUT = 15.0  # seconds; convergence takes milliseconds, this only bounds a failure
DOMAIN = "go.example.com"


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class DigestTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nodes = [Redirector(cls.group, f"node{i}", cls.api, cls.redis).start() for i in (1, 2, 3)]
        status, answer = cls.api.json("POST", "/api/v1/domains", {"host": DOMAIN}, cls.key)
        assert status == 201, answer
        cls.counter = 0

    def setUp(self):
        for node in self.nodes:  # a failed test may leave one stopped
            if node.proc.poll() is None:
                node.proc.send_signal(signal.SIGCONT)

    # --- helpers ---

    def admin_digest(self):
        status, answer = self.api.json("GET", "/api/v1/nodes/digest", key=self.key)
        self.assertEqual(status, 200, answer)
        return answer

    @staticmethod
    def node_digest(node, timeout=5):
        conn = http.client.HTTPConnection("127.0.0.1", node.ops_port, timeout=timeout)
        try:
            conn.request("GET", "/digest")
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200, (resp.status, body)
            assert resp.getheader("Content-Type") == "application/json"
            return json.loads(body)
        finally:
            conn.close()

    def api_ok(self, method, path, body=None):
        status, answer = self.api.json(method, path, body, self.key)
        self.assertEqual(status, 200, (method, path, body, answer))
        return answer

    def change_stream(self, count, seen):
        """`count` changes through the API, one at a time; after each, admin-api's
        digest is recorded in `seen` by its seq (nothing else moves the seq)."""
        live = []  # (code, domain) of links this stream made and has not deleted
        for _ in range(count):
            type(self).counter += 1
            i = self.counter
            domain = DOMAIN if i % 3 == 0 else None
            query = f"?domain={DOMAIN}" if domain else ""
            kind = i % 7
            if kind in (0, 1, 2) or len(live) < 4:
                code = f"dg-{i}"
                body = {"longUrl": f"https://example.com/{i}", "shortUrl": code}
                if domain:
                    body["domain"] = domain
                if i % 11 == 0:
                    body.update({"maxClicks": 1000 + i, "redirectType": 301})
                self.api_ok("POST", "/api/v1/urls", body)
                live.append((code, query))
            elif kind == 3:
                code, q = live[i % len(live)]
                self.api_ok("PATCH", f"/api/v1/urls/{code}{q}", {"longUrl": f"https://example.org/{i}"})
            elif kind == 4:
                code, q = live[i % len(live)]
                self.api_ok("PATCH", f"/api/v1/urls/{code}{q}", {"state": "INACTIVE" if i % 2 else "ACTIVE"})
            elif kind == 5:
                code, q = live[i % len(live)]
                self.api_ok("PATCH", f"/api/v1/urls/{code}{q}", {"utm": {"source": f"s{i}"}})
            else:
                code, q = live.pop(i % len(live))
                self.api_ok("DELETE", f"/api/v1/urls/{code}{q}")
            digest = self.admin_digest()
            seen[digest["seq"]] = digest

    def sample(self, nodes, samples, stop):
        """Reads each node's digest in turn until `stop` is set."""
        while not stop.is_set():
            for node in nodes:
                samples.append((node.name, self.node_digest(node)))

    def assert_consistent(self, samples, seen):
        """Every digest a node gave matches admin-api's at the same seq, where
        admin-api's is known (the stream records it after each change)."""
        compared = 0
        for name, digest in samples:
            expected = seen.get(digest["seq"])
            if expected is not None:
                self.assertEqual(digest, expected, f"{name} at seq {digest['seq']}")
                compared += 1
        return compared

    def converged(self, node, admin):
        return self.node_digest(node) == admin

    def wait_converged(self, nodes):
        admin = self.admin_digest()
        started = time.monotonic()
        for node in nodes:
            wait_until(lambda: self.converged(node, admin), timeout=CONVERGE_TIMEOUT,
                       what=f"{node.name} digest {admin} (now {self.node_digest(node)})")
        return admin, time.monotonic() - started

    # --- tests ---

    def test_every_node_converges_to_admin_digest_under_a_stream_of_changes(self):
        seen = {}
        before = self.admin_digest()
        seen[before["seq"]] = before
        samples, stop = [], threading.Event()
        sampler = threading.Thread(target=self.sample, args=(self.nodes, samples, stop))
        sampler.start()
        try:
            self.change_stream(150, seen)
        finally:
            stop.set()
            sampler.join()
        admin, took = self.wait_converged(self.nodes)
        self.assertGreater(admin["links"], before["links"])
        self.assertNotEqual(admin["hash"], before["hash"])
        compared = self.assert_consistent(samples, seen)
        self.assertGreater(compared, 20, f"{len(samples)} samples")
        print(f"\n[digest] {len(samples)} node digests during 150 changes, {compared} compared at "
              f"their seq, all equal; converged {took * 1000:.1f} ms after the last change "
              f"(seq {admin['seq']}, {admin['links']} links)", file=sys.stderr)

    def test_a_node_stopped_during_changes_converges_once_resumed(self):
        self.wait_converged(self.nodes)
        stopped, running = self.nodes[2], self.nodes[:2]
        old = self.node_digest(stopped)
        seen = {old["seq"]: self.admin_digest()}
        stopped.proc.send_signal(signal.SIGSTOP)
        try:
            self.change_stream(80, seen)
            admin, _ = self.wait_converged(running)  # the others do not wait for it
        finally:
            resumed_at = time.monotonic()
            stopped.proc.send_signal(signal.SIGCONT)
        first = self.node_digest(stopped)
        wait_until(lambda: self.converged(stopped, admin), timeout=CONVERGE_TIMEOUT,
                   what=f"{stopped.name} after SIGCONT to reach {admin} (now {self.node_digest(stopped)})")
        took = time.monotonic() - resumed_at
        self.assertEqual(old, seen[old["seq"]])  # it was in step before the stop
        # Whatever it answered first after waking up was right for its seq.
        if first["seq"] in seen:
            self.assertEqual(first, seen[first["seq"]])
        self.assertEqual(self.node_digest(stopped), admin)
        print(f"\n[digest] node stopped for 80 changes (seq {old['seq']} -> {admin['seq']}); first answer "
              f"after SIGCONT at seq {first['seq']}; converged {took * 1000:.1f} ms after SIGCONT",
              file=sys.stderr)

    def test_digests_differ_while_a_node_is_behind(self):
        admin, _ = self.wait_converged(self.nodes)
        stopped = self.nodes[1]
        stopped.proc.send_signal(signal.SIGSTOP)
        try:
            self.api_ok("POST", "/api/v1/urls", {"longUrl": "https://example.com/behind", "shortUrl": "dg-behind"})
            after = self.admin_digest()
            self.assertEqual(after["seq"], admin["seq"] + 1)
            self.assertEqual(after["links"], admin["links"] + 1)
            self.assertNotEqual(after["hash"], admin["hash"])
        finally:
            stopped.proc.send_signal(signal.SIGCONT)
        self.wait_converged(self.nodes)

    def test_admin_digest_is_for_site_admins_only(self):
        status, user = self.api.json("POST", "/api/v1/users", {"email": "digest-member@example.com"}, self.key)
        self.assertEqual(status, 201, user)
        member_key = user["apiKey"]["key"]
        status, answer = self.api.json("GET", "/api/v1/nodes/digest", key=member_key)
        self.assertEqual((status, answer), (404, {"message": "Not found."}))
        status, _, _ = self.api.request("GET", "/api/v1/nodes/digest")
        self.assertEqual(status, 401)
        status, _, _ = self.api.request("POST", "/api/v1/nodes/digest", body="{}", key=self.key)
        self.assertEqual(status, 405)


if __name__ == "__main__":
    unittest.main()
