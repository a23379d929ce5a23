"""End-to-end tests of retargeting trackers (issue 21): a real admin-api
(TLS), a real redis-server and a real redirector. Trackers are set through
the API (on the team, and on a link by pixel id or by team tracker) and
followed through the node as a browser, a bot, HEAD and an opted-out
visitor would.

Shown here: a browser's GET gets our page (200) naming the provider's
script host in its Content-Security-Policy and the pixel id in the page,
with no inline script, then a refresh and a link to the target; bots, HEAD,
Sec-GPC: 1 and DNT: 1 get the plain 302; with the team's consent "always"
the page asks first and loads no pixel before; a pixel id holding '<' or
quotes is refused 400 with {"message"}; a team tracker is copied into a
link; the loader script is served at the link's path; the page view is
the visit's one click.
"""
import re
import unittest

from harness import ApiTestCase, wait_until
from test_link_rules_edge import DESKTOP, visit
from test_sync import NodesUp, Redirector, redirector_is_wired

BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class TrackersTest(NodesUp, ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nodes = [Redirector(cls.group, "node1", cls.api, cls.redis).start()]

    def team(self):
        status, body = self.api.json("GET", "/api/v1/teams", None, self.key)
        self.assertEqual(status, 200, body)
        return [t for t in body["items"] if t["personal"]][0]["id"]

    def set_consent(self, consent):
        status, body = self.api.json("PUT", f"/api/v1/teams/{self.team()}/tracker-consent",
                                     {"consent": consent}, self.key)
        self.assertEqual(status, 200, body)

    def create(self, code, trackers):
        body = {"longUrl": f"https://example.com/{code}?a=1&b=2", "shortUrl": code, "trackers": trackers}
        status, reply = self.api.json("POST", "/api/v1/urls", body, self.key)
        self.assertEqual(status, 200, reply)
        node = self.nodes[0]
        wait_until(lambda: visit(node, "/" + code, method="HEAD")[0] == 302, timeout=10,
                   what=f"/{code} served")
        return reply

    def clicks(self, code):
        status, body = self.api.json("GET", f"/api/v1/urls/{code}", None, self.key)
        self.assertEqual(status, 200, body)
        return body["clicks"]

    def test_a_browser_gets_the_page_and_the_others_the_plain_redirect(self):
        self.set_consent("none")
        self.create("trk-page", [{"provider": "facebook", "pixelId": "1234567890"}])
        node = self.nodes[0]
        status, headers, body = visit(node, "/trk-page")
        self.assertEqual(status, 200)
        page = body.decode()
        csp = headers["content-security-policy"]
        self.assertIn("script-src 'self' https://connect.facebook.net;", csp)
        self.assertIn("default-src 'none'", csp)
        self.assertIn('data-trackers="facebook:1234567890"', page)
        self.assertIn("https://www.facebook.com/tr?id=1234567890", page)
        self.assertIn('<meta http-equiv="refresh" content="0;url=https://example.com/trk-page?a=1&amp;b=2">', page)
        self.assertIn('href="https://example.com/trk-page?a=1&amp;b=2"', page)
        self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)", page), "no inline script")
        self.assertNotIn("location", headers)

        # The loader the page names, at the link's own path.
        status, headers, script = visit(node, "/trk-page?sl-trackers.js")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/javascript"))
        self.assertIn(b"connect.facebook.net/en_US/fbevents.js", script)

        for kind, kwargs in [("bot", {"user_agent": BOT}), ("HEAD", {"method": "HEAD"}),
                             ("Sec-GPC", {"headers": {"Sec-GPC": "1"}}),
                             ("DNT", {"headers": {"DNT": "1"}})]:
            with self.subTest(kind):
                status, headers, _ = visit(node, "/trk-page", **kwargs)
                self.assertEqual(status, 302)
                self.assertEqual(headers["location"], "https://example.com/trk-page?a=1&b=2")
                self.assertNotIn("content-security-policy", headers)

    def test_the_page_view_is_one_click(self):
        self.set_consent("none")
        self.create("trk-count", [{"provider": "linkedin", "pixelId": "1234567"}])
        before = self.clicks("trk-count")
        node = self.nodes[0]
        answered = lambda status: node.metric(f'redirector_responses_total{{status="{status}"}}')
        pages, redirects = answered("2xx"), answered("3xx")
        self.assertEqual(visit(node, "/trk-count")[0], 200)
        self.assertEqual(visit(node, "/trk-count?sl-trackers.js")[0], 200)
        # The node's answers by status class tell the pages apart from redirects.
        self.assertEqual(answered("2xx"), pages + 2)
        self.assertEqual(answered("3xx"), redirects)
        wait_until(lambda: self.clicks("trk-count") == before + 1, timeout=15, what="the click counted")
        self.assertEqual(self.clicks("trk-count"), before + 1)

    def test_consent_always_asks_before_loading_pixels(self):
        self.set_consent("always")
        try:
            reply = self.create("trk-ask", [{"provider": "google-analytics", "pixelId": "G-ABC123XYZ9"}])
            self.assertEqual(reply["trackerConsent"], "always")
            status, headers, body = visit(self.nodes[0], "/trk-ask")
            self.assertEqual(status, 200)
            page = body.decode()
            self.assertIn('data-consent="ask"', page)
            self.assertIn('id="sl-allow"', page)
            self.assertIn("Google Analytics", page)
            self.assertNotIn("<img", page)
            self.assertNotIn("googletagmanager.com/gtag", page)
            self.assertNotIn('http-equiv="refresh"', page)
            self.assertIn("https://www.googletagmanager.com", headers["content-security-policy"])
        finally:
            self.set_consent("none")

    def test_a_bad_pixel_id_is_refused(self):
        team = self.team()
        for pixel in ['123"><script>alert(1)</script>', "<img src=x onerror=alert(1)>", "12345'67"]:
            with self.subTest(pixel):
                status, body = self.api.json("POST", f"/api/v1/teams/{team}/trackers",
                                             {"provider": "facebook", "pixelId": pixel}, self.key)
                self.assertEqual(status, 400, body)
                self.assertTrue(body["message"])
                status, body = self.api.json(
                    "POST", "/api/v1/urls",
                    {"longUrl": "https://example.com/", "trackers": [{"provider": "facebook", "pixelId": pixel}]},
                    self.key)
                self.assertEqual(status, 400, body)
                self.assertTrue(body["message"])

    def test_a_team_tracker_is_copied_into_a_link(self):
        self.set_consent("none")
        team = self.team()
        status, made = self.api.json("POST", f"/api/v1/teams/{team}/trackers",
                                     {"provider": "gtm", "pixelId": "GTM-AB12CD3", "name": "Site"}, self.key)
        self.assertEqual(status, 201, made)
        status, listed = self.api.json("GET", f"/api/v1/teams/{team}/trackers", None, self.key)
        self.assertEqual(status, 200, listed)
        self.assertIn(made["id"], [t["id"] for t in listed["items"]])
        reply = self.create("trk-team", [{"teamTrackerId": made["id"]}])
        self.assertEqual(reply["trackers"], [{"provider": "gtm", "pixelId": "GTM-AB12CD3"}])
        status, headers, body = visit(self.nodes[0], "/trk-team")
        self.assertEqual(status, 200)
        self.assertIn('data-trackers="gtm:GTM-AB12CD3"', body.decode())
        self.assertIn("https://www.googletagmanager.com", headers["content-security-policy"])
        status, providers = self.api.json("GET", "/api/v1/trackers/providers", None, self.key)
        self.assertEqual(status, 200, providers)
        self.assertEqual(len(providers["providers"]), 9)


if __name__ == "__main__":
    unittest.main()
