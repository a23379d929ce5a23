"""End-to-end tests of click analytics (issue 20): a real admin-api (TLS), a
real redis-server and two real redirectors classifying visits.

Shown here: a known mix of visits, each group with its own browser, language,
referrer, source and client address (X-Forwarded-For), through both nodes,
gives exactly the expected counts in every dimension of
GET /api/v1/urls/{shortUrl}/analytics, with bot visits apart and never in
the totals; and through kill -9 of a node and of admin-api mid-traffic,
every dimension still sums to the link's click total.
"""
import http.client
import signal
import threading
import time
import unittest

from harness import Repeating, wait_until
from test_sync import Redirector, TwoNodeTestCase, redirector_is_wired

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")
WINDOWS_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Safari/537.36")
IPAD = ("Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.6 Mobile/15E148 Safari/604.1")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SUMMED = ["device", "os", "browser", "brand", "language", "country", "referrer", "source", "visitor"]


def visit(node, path, n, user_agent, language=None, referer=None, address=None):
    """n GETs of `path` on one keep-alive connection, each answered by a redirect."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
    headers = {"User-Agent": user_agent}
    if language:
        headers["Accept-Language"] = language
    if referer:
        headers["Referer"] = referer
    if address:
        headers["X-Forwarded-For"] = address
    try:
        for _ in range(n):
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 302:
                raise AssertionError(f"{node.name} answered {resp.status} to GET {path}")
    finally:
        conn.close()


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class AnalyticsTest(TwoNodeTestCase):

    @classmethod
    def setUpClass(cls):
        # Analytics on (off by default); the nodes read each visitor's
        # address from X-Forwarded-For, as behind a load balancer: the test
        # chooses the countries.
        original = Redirector.__init__

        def with_header(self, *args, **kwargs):
            original(self, *args, **kwargs)
            self.args += ["--client-ip-header", "x-forwarded-for", "--analytics", "on"]
        Redirector.__init__ = with_header
        try:
            super().setUpClass()
        finally:
            Redirector.__init__ = original

    def setUp(self):
        self.restart_stopped()
        self.wait_nodes("shortlink_redirector_clicks_redis_connected", "connected to Redis for clicks")

    def create(self, code):
        self.create_served(code)

    def total(self, code):
        status, body = self.api.json("GET", f"/api/v1/urls/{code}", None, self.key)
        self.assertEqual(status, 200, body)
        return body["clicks"]

    def analytics(self, code):
        status, body = self.api.json("GET", f"/api/v1/urls/{code}/analytics?top=50", None, self.key)
        self.assertEqual(status, 200, body)
        return body

    @staticmethod
    def top(body, dimension):
        return {v["value"]: v["clicks"] for v in body["top"].get(dimension, [])}

    def wait_for_analytics(self, code, clicks, bots=0):
        wait_until(lambda: self.total(code) >= clicks, timeout=30, interval=0.2, what=f"{clicks} clicks on {code}")
        self.assertEqual(self.total(code), clicks)

        def complete():
            body = self.analytics(code)
            return (body["totals"]["clicks"] == clicks and
                    sum(v["clicks"] for v in body["bots"]) >= bots)
        wait_until(complete, timeout=30, interval=0.2, what=f"analytics of {code}")
        return self.analytics(code)

    def assert_dimensions_sum(self, body, clicks):
        for dimension in SUMMED:
            self.assertEqual(sum(self.top(body, dimension).values()), clicks,
                             f"{dimension}: {self.top(body, dimension)}")

    def test_a_known_mix_through_two_nodes_counts_exactly_in_every_dimension(self):
        code = "an-mix"
        self.create(code)
        one, two = self.nodes
        visit(one, f"/{code}", 3, IPHONE, "de-DE,de;q=0.9,en;q=0.8", "https://www.google.com/search?q=x",
              "8.8.8.8")
        visit(two, f"/{code}?utm_source=Newsletter", 2, WINDOWS_CHROME, "en-US,en;q=0.9", None,
              "193.0.14.129")
        visit(one, f"/{code}", 1, IPAD, "fr-FR", "https://t.co/abc", "202.12.27.33")
        visit(two, f"/{code}", 2, GOOGLEBOT, None, None, "66.249.66.1")  # bots: apart

        body = self.wait_for_analytics(code, 6, bots=2)
        self.assertEqual(body["totals"]["clicks"], 6)
        self.assertEqual(self.top(body, "device"), {"mobile": 3, "desktop": 2, "tablet": 1})
        self.assertEqual(self.top(body, "browser"), {"Mobile Safari": 4, "Chrome": 2})
        self.assertEqual(self.top(body, "os"), {"iOS 17": 4, "Windows 10": 2})
        self.assertEqual(self.top(body, "brand"), {"Apple": 4, "Other": 2})
        self.assertEqual(self.top(body, "country"), {"US": 3, "NL": 2, "JP": 1})
        self.assertEqual(self.top(body, "language"), {"de-de": 3, "en-us": 2, "fr-fr": 1})
        self.assertEqual(self.top(body, "referrer"), {"google.com": 3, "direct": 2, "t.co": 1})
        self.assertEqual(self.top(body, "source"), {"google.com": 3, "newsletter": 2, "t.co": 1})
        # Each group came from one address and agent on one node: its first visit is unique.
        self.assertEqual(self.top(body, "visitor"), {"unique": 3, "repeat": 3})
        self.assertEqual(body["totals"]["unique"], 3)
        # Bots by name; HEAD requests (the create() probes, with no agent) are bot hits too.
        bots = {v["value"]: v["clicks"] for v in body["bots"]}
        self.assertEqual(bots.pop("Googlebot"), 2)
        self.assertEqual(set(bots), {"Other"})
        self.assertEqual(body["totals"]["bots"], 2 + bots["Other"])
        self.assert_dimensions_sum(body, 6)
        self.assertEqual(sum(p["clicks"] for p in body["series"]), 6)

        # admin-api says it reads the dimension dictionary with its
        # watermark, so the nodes send dimensions by it (smaller batches).
        for node in self.nodes:
            self.assertEqual(node.metric("shortlink_redirector_click_batches_dictionary"), 1, node.name)

    def test_kill_9_of_a_node_and_of_admin_api_keeps_every_dimension_summing_to_the_total(self):
        code = "an-k9"
        self.create(code)
        sent = [0, 0]
        lock = threading.Lock()
        agents = [IPHONE, WINDOWS_CHROME, IPAD]

        def visitor(index, n):
            visit(self.nodes[index], f"/{code}", 5, agents[n % 3], "en-GB", None, f"81.2.69.{n % 200 + 1}")
            with lock:
                sent[index] += 5

        try:
            with Repeating(visitor, threads=2) as visitors:
                time.sleep(1.5)
                self.api.stop(signal.SIGKILL)
                time.sleep(0.3)
                self.api.start()
                time.sleep(1.5)
        finally:
            if self.api.proc.poll() is not None:
                self.api.start()
        self.assertEqual(visitors.errors, [])
        # A node killed outright loses what it counted since its last flush
        # (README): it must lose them from the total and every dimension alike.
        self.nodes[0].stop(signal.SIGKILL)
        self.nodes[0].start()
        wait_until(lambda: self.total(code) > 0, timeout=30, interval=0.2, what="clicks counted")
        for node in self.nodes:  # every batch applied: nothing left to land between the reads below
            wait_until(lambda: node.metric("shortlink_redirector_click_batches_pending") == 0, timeout=30,
                       interval=0.2, what=f"{node.name}'s clicks applied")
        body = self.analytics(code)
        total = self.total(code)
        print(f"\n{sum(sent)} visits sent, {total} counted across kill -9 of admin-api and of a node")
        self.assertGreater(total, 0)
        self.assertLessEqual(total, sum(sent))
        self.assertEqual(body["totals"]["clicks"], total)
        self.assert_dimensions_sum(body, total)


if __name__ == "__main__":
    unittest.main()
