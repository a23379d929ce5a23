"""End-to-end tests of the pages a person sees at the edge: the 404, the 410
(expired, click limit reached) and the password form with its 401 and 429,
as a real redirector serves them. One small, accessible HTML set (lang,
viewport, title, heading, labels, content in <main>, nothing loaded from
elsewhere) with the edge's headers; the operator may replace each page with
--not-found-page, --gone-page ({{reason}}) and --password-page ({{form}}),
checked at start-up.

(The pages' rendering and an accessibility check in headless Chromium live
in tests/browser/.)
"""
import datetime
import http.client
import unittest

from harness import ApiTestCase, wait_until
from test_sync import Redirector, redirector_is_wired

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def visit(node, path, method="GET", headers=None, body=None):
    """(status, headers dict with lowercase names, body as text) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode("utf-8")
    finally:
        conn.close()


def iso(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class EdgePagesTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.node = Redirector(cls.group, "pages", cls.api, cls.redis).start()
        for body in ({"shortUrl": "soon-gone", "expiresAt": iso(2)},
                     {"shortUrl": "one-click", "maxClicks": 1},
                     {"shortUrl": "locked", "password": "let me in"}):
            body["longUrl"] = "https://example.com/secret-target"
            status, reply = cls.api.json("POST", "/api/v1/urls", body, cls.key)
            assert status == 200, reply
        wait_until(lambda: visit(cls.node, "/locked")[0] == 200, what="links on the node")
        visit(cls.node, "/one-click")  # the one click: from now on, the limit is reached

    def assert_page(self, status, headers, body, want_status):
        self.assertEqual(status, want_status, body)
        self.assertEqual(headers.get("content-type"), "text/html; charset=utf-8")
        self.assertEqual(headers.get("cache-control"), "no-store")
        self.assertEqual(headers.get("x-robots-tag"), "noindex")
        self.assertTrue(body.startswith("<!doctype html>"), body[:80])
        self.assertIn('<html lang="en">', body)
        self.assertIn('<meta charset="utf-8">', body)
        self.assertIn('<meta name="viewport" content="width=device-width,initial-scale=1">', body)
        self.assertRegex(body, r"<title>[^<]+</title>")
        self.assertRegex(body, r"(?s)<main>.*<h1>[^<]+</h1>.*</main>")
        for external in ("<script", "src=", "href=", "http://", "https://", "@import"):
            self.assertNotIn(external, body)
        self.assertNotIn("secret-target", body)
        # The inline style is all a page may use: no script, no other origin, forms to itself.
        csp = headers.get("content-security-policy", "")
        self.assertIn("default-src 'none'", csp)
        self.assertIn("style-src 'unsafe-inline'", csp)
        self.assertIn("form-action 'self' https:", csp)  # the 303 after the form goes to an https target

    def test_the_404_page(self):
        status, headers, body = visit(self.node, "/no-such-link")
        self.assert_page(status, headers, body, 404)

    def test_the_410_pages_keep_their_reason(self):
        wait_until(lambda: visit(self.node, "/soon-gone")[0] == 410, timeout=10, what="expiry")
        status, headers, body = visit(self.node, "/soon-gone")
        self.assert_page(status, headers, body, 410)
        self.assertIn("This link has expired.", body)
        status, headers, body = visit(self.node, "/one-click")
        self.assert_page(status, headers, body, 410)
        self.assertIn("This link has reached its click limit.", body)

    def test_the_password_form_has_a_label_and_says_what_went_wrong(self):
        status, headers, body = visit(self.node, "/locked")
        self.assert_page(status, headers, body, 200)
        self.assertIn('<form method="post">', body)
        self.assertIn('<label for="password">', body)
        self.assertRegex(body, r'<input[^>]* id="password"[^>]* name="password"')
        self.assertNotIn('role="alert"', body)
        status, headers, body = visit(self.node, "/locked", "POST", FORM, "password=nope")
        self.assert_page(status, headers, body, 401)
        self.assertRegex(body, r'<p role="alert">Wrong password')
        self.assertIn('<label for="password">', body)
        # HEAD: the same head, no body.
        status, head_headers, head_body = visit(self.node, "/locked", "HEAD")
        self.assertEqual((status, head_body), (200, ""))
        self.assertEqual(head_headers["content-length"], visit(self.node, "/locked")[1]["content-length"])


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class OperatorPagesTest(ApiTestCase):
    """The operator's own pages replace ours, each checked when the node starts."""

    def write(self, name, text):
        path = self.group.path(name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_operator_pages_replace_the_built_in_ones(self):
        pages = ["--not-found-page", self.write("404.html", "<!doctype html><title>Ours</title><p>Nothing here, friend.</p>"),
                 "--gone-page", self.write("410.html", "<!doctype html><title>Gone</title><p>Sorry: {{reason}}</p>"),
                 "--password-page", self.write("pw.html", "<!doctype html><title>Locked</title><div>{{form}}</div>")]
        node = Redirector(self.group, "operator", self.api, self.redis)
        node.args += pages
        node.start()
        for body in ({"shortUrl": "op-gone", "maxClicks": 1}, {"shortUrl": "op-locked", "password": "pw"}):
            body["longUrl"] = "https://example.com/op"
            status, reply = self.api.json("POST", "/api/v1/urls", body, self.key)
            self.assertEqual(status, 200, reply)
        wait_until(lambda: visit(node, "/op-locked")[0] == 200, what="links on the node")
        visit(node, "/op-gone")

        status, headers, body = visit(node, "/nothing")
        self.assertEqual((status, body), (404, "<!doctype html><title>Ours</title><p>Nothing here, friend.</p>"))
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertEqual(headers["x-robots-tag"], "noindex")
        self.assertNotIn("content-security-policy", headers)  # their page may load their own assets
        status, _, body = visit(node, "/op-gone")
        self.assertEqual((status, body), (410, "<!doctype html><title>Gone</title>"
                                               "<p>Sorry: This link has reached its click limit.</p>"))
        status, _, body = visit(node, "/op-locked")
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith("<!doctype html><title>Locked</title><div><form method=\"post\">"), body)
        self.assertIn('<label for="password">', body)
        status, _, body = visit(node, "/op-locked", "POST", FORM, "password=no")
        self.assertEqual(status, 401)
        self.assertIn('role="alert"', body)
        self.assertEqual(visit(node, "/op-locked", "POST", FORM, "password=pw")[0], 303)
        node.stop()

    def refused(self, name, *args):
        node = Redirector(self.group, name, self.api, self.redis)
        node.args += list(args)
        node.start(wait_ready=False)
        self.assertEqual(node.proc.wait(timeout=20), 2)
        return self.group.log(name + ".log")

    def test_bad_pages_are_refused_at_start_up(self):
        log = self.refused("no-form", "--password-page", self.write("bad.html", "<p>no marker</p>"))
        self.assertIn("--password-page", log)
        self.assertIn("{{form}}", log)
        log = self.refused("too-big", "--not-found-page", self.write("big.html", "x" * 5000))
        self.assertIn("--not-found-page", log)
        self.assertIn("4096", log)
        log = self.refused("missing", "--gone-page", self.group.path("does-not-exist.html"))
        self.assertIn("--gone-page", log)


if __name__ == "__main__":
    unittest.main()
