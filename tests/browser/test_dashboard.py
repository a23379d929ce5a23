"""The web dashboard (issue 21), used in a real browser as a person would.

Starts a redis-server, a TLS admin-api and a redirector with analytics on
(tests/e2e's harness), seeds a campaign and a few links with clicks so the
pages have something to show, then runs dashboard.mjs: headless Chromium
(Debian's, driven by playwright-core from tests/npm) logs in, creates a link
with rules and a second with a password and an A/B test, follows the first at
the edge, sees the click in the link's chart, downloads its QR code, creates a
scoped key, uses and revokes it, uploads a CSV of links, logs out; every page in a desktop and a phone viewport
passes axe-core (no serious or critical violation) and is saved as a
screenshot in $SHORTLINK_BROWSER_OUT (default: browser-screenshots next to the
binaries' bin/). Here the downloaded QR PNG is decoded with zbarimg (Debian's
zbar-tools) and must hold the link's short URL.

    cd tests/browser && SHORTLINK_BIN=../../build/bin python3 -m unittest -v test_dashboard
"""
import http.client
import os
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import BIN, ApiTestCase, status_of_path, wait_until  # noqa: E402
from test_qr import scan  # noqa: E402
from test_sync import Redirector, redirector_is_wired  # noqa: E402

from check_runner import failed_lines, run_check_script  # noqa: E402

NODE_TIMEOUT = 300  # seconds; dashboard.mjs has its own, shorter deadline
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.6 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Mobile Safari/537.36")


def click(node, code, user_agent, language="en-US"):
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
    try:
        conn.request("GET", "/" + code, headers={"User-Agent": user_agent, "Accept-Language": language})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class DashboardTest(ApiTestCase):

    @classmethod
    def setUpClass(cls):
        for tool in ("zbarimg", "node"):
            if not shutil.which(tool):
                raise AssertionError(f"{tool} is missing: run scripts/install-deps.sh")
        super().setUpClass()
        cls.edge = Redirector(cls.group, "edge", cls.api, cls.redis)
        cls.edge.args += ["--analytics", "on"]
        cls.edge.start()

    def seed(self):
        """A campaign and a few links with clicks, for pages worth looking at."""
        status, campaign = self.api.json("POST", "/api/v1/campaigns", {"name": "Spring sale"}, self.key)
        self.assertEqual(status, 201, campaign)
        links = [("spring", "https://shop.example.com/spring", "Spring collection", ["sale", "spring"]),
                 ("report-2026", "https://example.com/annual-report", "Annual report 2026", ["report"]),
                 ("careers", "https://example.com/jobs", "Open positions", []),
                 ("launch", "https://blog.example.com/launch", "Launch post", ["blog"])]
        for code, url, title, tags in links:
            body = {"longUrl": url, "shortUrl": code, "title": title, "tags": tags}
            if code == "spring":
                body["campaignId"] = campaign["id"]
            status, reply = self.api.json("POST", "/api/v1/urls", body, self.key)
            self.assertEqual(status, 200, reply)
        wait_until(lambda: status_of_path(self.edge.port, "/launch", "HEAD") == 302, timeout=10,
                   what="the edge to serve /launch")
        for code, n in (("spring", 6), ("report-2026", 3), ("launch", 2)):
            for i in range(n):
                self.assertEqual(click(self.edge, code, IPHONE if i % 2 else ANDROID), 302)

    def test_dashboard_in_a_browser(self):
        self.seed()
        status, teams = self.api.json("GET", "/api/v1/teams", None, self.key)
        self.assertEqual(status, 200, teams)
        username = next(t["siteName"] for t in teams["items"] if t["personal"])
        # The browser meets admin-api as the quickstart runs it: the default rate limit, 5
        # requests/s per user and 10 s refused past it (the seeding above needed more).
        self.api.stop()
        self.api.extra = [arg for arg in self.api.extra if arg not in ("--rate-limit", "100000")]
        self.api.start()
        out_dir = os.path.abspath(os.environ.get("SHORTLINK_BROWSER_OUT") or
                                  os.path.join(BIN, "..", "browser-screenshots"))
        code = "winter-sale"
        plan = {
            "outDir": out_dir,
            "profileDir": self.group.path("chromium-profiles"),
            "base": f"https://127.0.0.1:{self.api.port}",
            "edge": f"http://127.0.0.1:{self.edge.port}",
            "username": username,
            "key": self.key,
            "code": code,
            "qrFile": self.group.path("qr.png"),
        }
        status, output = run_check_script(self.group, "dashboard.mjs", plan, NODE_TIMEOUT)
        self.assertIsNotNone(status, output)
        print(output, flush=True)
        self.assertEqual(status, 0, "dashboard checks failed:\n" + failed_lines(output))

        time.sleep(1.2)  # the user's rate-limit bucket full again
        # The QR code the browser downloaded, read as a phone would.
        with open(plan["qrFile"], "rb") as f:
            self.assertEqual(scan(f.read()), [f"https://sho.rt/{code}"])
        # What the form sent is what the API holds.
        status, link = self.api.json("GET", f"/api/v1/urls/{code}", None, self.key)
        self.assertEqual(status, 200, link)
        self.assertEqual(link["utm"], {"source": "newsletter", "campaign": "winter"})
        self.assertEqual(link["maxClicks"], 1000)
        self.assertEqual(link["redirectType"], 302)
        self.assertTrue(link["forwardQuery"])
        self.assertEqual(link["deviceTargets"], {"ios": "https://apps.example.com/ios"})
        self.assertEqual(link["tags"], ["winter", "newsletter"])
        self.assertEqual(link["clicks"], 1)
        status, locked = self.api.json("GET", f"/api/v1/urls/{code}-ab", None, self.key)
        self.assertEqual(status, 200, locked)
        self.assertTrue(locked.get("passwordProtected"))
        status, bulk = self.api.json("GET", "/api/v1/urls/bulk-one", None, self.key)
        self.assertEqual((status, bulk["title"], bulk["tags"]), (200, "First, with a comma", ["a", "b"]), bulk)
        self.assertEqual(locked["abTargets"], [{"url": "https://a.example.com/", "percentage": 50},
                                               {"url": "https://b.example.com/", "percentage": 50}])


if __name__ == "__main__":
    unittest.main()
