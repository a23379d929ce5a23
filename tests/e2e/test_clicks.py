"""End-to-end tests of click counting: a real admin-api (TLS), a real
redis-server and two real redirectors.

Shown here: exact click totals in GET /api/v1/urls (`clicks`, and
orderBy=clicks) after GETs spread over both nodes, with HEAD requests and
crawlers not counted; Redis killed and restarted on the same port while
clicks keep coming, with none lost; SIGTERM right after clicks losing none;
clicks a node could not deliver before SIGTERM (Redis down) delivered after
its restart, from its state file; admin-api killed -9 while it applies clicks
(and folds them, for updates of clicked links), counting each exactly once.
"""
import http.client
import os
import signal
import threading
import time
import unittest

from harness import Repeating, status_of_path, wait_until
from test_sync import Redirector, TwoNodeTestCase, redirector_is_wired

DELIVERY_TIMEOUT = 20.0  # seconds; clicks arrive in about 2 s, this only bounds a failure


def click(node, code, n, method="GET", user_agent=None):
    """n requests for /code on one keep-alive connection; every answer must be a redirect."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
    headers = {"User-Agent": user_agent or "Mozilla/5.0 (X11; Linux x86_64) e2e"}
    try:
        for _ in range(n):
            conn.request(method, "/" + code, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 302:
                raise AssertionError(f"{node.name} answered {resp.status} to {method} /{code}")
    finally:
        conn.close()


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class ClicksTest(TwoNodeTestCase):

    def setUp(self):
        self.restart_stopped()
        self.wait_nodes("shortlink_redirector_clicks_redis_connected", "connected to Redis for clicks")

    # --- helpers ---

    def create(self, code):
        self.create_served(code)

    def clicks(self, order_by=None):
        """{code: clicks} of every link, from the public API."""
        path = "/api/v1/urls?limit=1000" + (f"&orderBy={order_by}" if order_by else "")
        status, body = self.api.json("GET", path, None, self.key)
        self.assertEqual(status, 200, body)
        return {u["shortUrl"]: u["clicks"] for u in body["urls"]}

    def wait_for_totals(self, expected, timeout=DELIVERY_TIMEOUT):
        """Waits until every code in `expected` has at least its count, then checks exactness."""
        def arrived():
            got = self.clicks()
            return all(got.get(code, 0) >= n for code, n in expected.items())
        try:
            wait_until(arrived, timeout=timeout, interval=0.1, what="click totals")
        except AssertionError:
            got = self.clicks()
            self.fail(f"clicks missing: expected {expected}, got { {c: got.get(c) for c in expected} }")
        # Resends and duplicates must not count twice: give them time, then compare exactly.
        time.sleep(1.5)
        got = self.clicks()
        self.assertEqual({code: got.get(code) for code in expected}, expected)

    def wait_all_acked(self, node, timeout=10):
        wait_until(lambda: node.metric("shortlink_redirector_click_batches_pending") == 0, timeout=timeout,
                   what=f"{node.name} to have no pending click batch")

    # --- tests ---

    def test_exact_totals_from_two_nodes_without_head_or_bots(self):
        codes = [f"clk-total-{i}" for i in range(8)]
        for code in codes:
            self.create(code)
        expected = {}
        started = time.monotonic()
        total = 0
        for i, code in enumerate(codes):
            # Distinct totals, each split unevenly over the two nodes.
            n1, n2 = 5 * i + 3, 2 * i + 1
            click(self.nodes[0], code, n1)
            click(self.nodes[1], code, n2)
            expected[code] = n1 + n2
            total += n1 + n2
            # Neither HEAD nor crawlers and link previews are clicks.
            click(self.nodes[i % 2], code, 2, method="HEAD")
            click(self.nodes[(i + 1) % 2], code, 2,
                  user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
        clicked = time.monotonic()
        self.wait_for_totals(expected)
        print(f"\n{total} clicks over 2 nodes: {clicked - started:.2f} s to click, "
              f"all applied within {time.monotonic() - clicked - 1.5:.2f} s of the last one")

        ordered = [code for code in self.clicks(order_by="clicks") if code in expected]
        self.assertEqual(ordered, sorted(expected, key=lambda c: -expected[c]))
        bots = sum(node.metric("redirector_bot_hits_total") for node in self.nodes)
        self.assertGreaterEqual(bots, 4 * len(codes))
        for node in self.nodes:
            self.wait_all_acked(node)
            self.assertEqual(node.metric("shortlink_redirector_click_batches_dropped_total"), 0)
            self.assertGreater(node.metric("shortlink_redirector_click_batches_acked_total"), 0)

    def test_redis_restarted_during_clicking_loses_no_click(self):
        code = "clk-redis"
        self.create(code)
        counts = [0, 0]

        def clicker(index, n):
            click(self.nodes[index], code, 10)
            counts[index] += 10

        with Repeating(clicker, threads=2) as clickers:
            time.sleep(1.5)  # batches flowing
            self.redis.kill()
            for node in self.nodes:
                wait_until(lambda: node.metric("shortlink_redirector_clicks_redis_connected") == 0, timeout=10,
                           what=f"{node.name} to notice Redis is gone")
            time.sleep(2.5)  # clicks go on; batches wait on the node
            for node in self.nodes:
                self.assertGreater(node.metric("shortlink_redirector_clicks_pending"), 0)
            self.redis.start()  # same port, empty: the stream and its group are gone
            time.sleep(2.0)
        self.assertEqual(clickers.errors, [])
        total = sum(counts)
        print(f"\n{total} clicks across a Redis restart")
        self.wait_for_totals({code: total})
        for node in self.nodes:
            self.wait_all_acked(node)
            self.assertEqual(node.metric("shortlink_redirector_clicks_lost_total"), 0)

    def test_sigterm_right_after_clicks_loses_none(self):
        code = "clk-sigterm"
        self.create(code)
        node = self.nodes[0]
        click(node, code, 137)
        started = time.monotonic()
        self.assertEqual(node.stop(signal.SIGTERM), 0)
        print(f"\nSIGTERM to exit with clicks flushed: {time.monotonic() - started:.2f} s")
        self.assertIn("clicks flushed", self.group.log(node.name + ".log"))
        # Applied before the node exited: no wait needed.
        self.assertEqual(self.clicks().get(code), 137)
        node.start()
        click(node, code, 5)  # numbering goes on after the restart: none taken for a duplicate
        self.wait_for_totals({code: 142})

    def test_clicks_stuck_at_sigterm_are_delivered_after_restart(self):
        code = "clk-state"
        self.create(code)
        node = self.nodes[1]
        self.redis.kill()
        wait_until(lambda: node.metric("shortlink_redirector_clicks_redis_connected") == 0, timeout=10,
                   what=f"{node.name} to notice Redis is gone")
        click(node, code, 61)
        started = time.monotonic()
        self.assertEqual(node.stop(signal.SIGTERM), 0)
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn("clicks left pending", self.group.log(node.name + ".log"))
        self.assertTrue(any(name.startswith("clicks-") for name in os.listdir(node.data_dir)))
        self.redis.start()
        node.start()
        self.wait_for_totals({code: 61})
        self.wait_all_acked(node)

    def test_clicks_on_a_custom_domain_link_count_on_that_link(self):
        status, body = self.api.json("POST", "/api/v1/domains", {"host": "clk.example.org"}, self.key)
        self.assertEqual(status, 201, body)
        for domain in ("clk.example.org", None):  # the same code on both domains
            fields = {"longUrl": "https://example.com/dom", "shortUrl": "clk-dom"}
            if domain:
                fields["domain"] = domain
            status, body = self.api.json("POST", "/api/v1/urls", fields, self.key)
            self.assertEqual(status, 200, body)

        def get(node, n, host):
            conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
            try:
                for _ in range(n):
                    conn.request("GET", "/clk-dom", headers={"Host": host, "User-Agent": "Mozilla/5.0 e2e"})
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status != 302:
                        raise AssertionError(f"{node.name}: {resp.status} for {host}/clk-dom")
            finally:
                conn.close()

        for node in self.nodes:
            wait_until(lambda: status_of_path(node.port, "/clk-dom", "HEAD", timeout=5,
                                              headers={"Host": "clk.example.org"}) == 302,
                       timeout=5, what=f"{node.name} to serve clk.example.org/clk-dom")
        get(self.nodes[0], 4, "clk.example.org")
        get(self.nodes[1], 3, "clk.example.org")
        get(self.nodes[1], 2, "127.0.0.1")

        def total(query):
            status, body = self.api.json("GET", "/api/v1/urls/clk-dom" + query, None, self.key)
            self.assertEqual(status, 200, body)
            return body["clicks"]
        wait_until(lambda: total("?domain=clk.example.org") >= 7 and total("") >= 2, timeout=DELIVERY_TIMEOUT,
                   interval=0.1, what="custom-domain clicks")
        for node in self.nodes:
            self.wait_all_acked(node)
        self.assertEqual(total("?domain=clk.example.org"), 7)
        self.assertEqual(total(""), 2)

    def test_admin_killed_9_while_applying_clicks_loses_and_doubles_none(self):
        # admin-api logs each commit's clicks and folds them into the totals
        # now and then, and in the commit of any update of a clicked link
        # (links/click_totals.h): kill -9 it mid-stream, with such updates
        # in between, and every click must count exactly once.
        codes = [f"clk-k9-{i}" for i in range(4)]
        for code in codes:
            self.create(code)
        counts = {code: 0 for code in codes}
        lock = threading.Lock()

        def clicker(index, n):  # each node goes round the codes, from its own start
            code = codes[(index + n) % len(codes)]
            click(self.nodes[index], code, 7)
            with lock:
                counts[code] += 7

        try:
            with Repeating(clicker, threads=2) as clickers:
                for rnd in range(3):
                    time.sleep(1.5)  # batches applied and logged
                    self.api.stop(signal.SIGKILL)
                    time.sleep(0.3)
                    self.api.start()
                    time.sleep(1.2)  # nodes resend what was not acknowledged
                    status, body = self.api.json("PATCH", f"/api/v1/urls/{codes[rnd]}", {"title": f"round {rnd}"},
                                                 self.key)
                    self.assertEqual(status, 200, body)
        finally:
            if self.api.proc.poll() is not None:
                self.api.start()
        self.assertEqual(clickers.errors, [])
        print(f"\n{sum(counts.values())} clicks across 3 kill -9 of admin-api")
        self.wait_for_totals(dict(counts), timeout=40)
        for node in self.nodes:
            self.wait_all_acked(node)
            self.assertEqual(node.metric("shortlink_redirector_clicks_lost_total"), 0)


if __name__ == "__main__":
    unittest.main()
