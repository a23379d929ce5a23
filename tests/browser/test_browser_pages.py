"""The pages a person sees at the edge, in a real browser (issue 17).

Starts a redis-server, a TLS admin-api and two redirectors on loopback (with
tests/e2e's harness), creates the links whose pages are to be seen, then runs
check_pages.mjs: headless Chromium (Debian's, driven by playwright-core from
tests/npm) opens each page in a phone and a desktop viewport, checks lang,
viewport, title, labels, no scripts, no request but the page's own, no
sideways scrolling, readable text and axe-core (no serious or critical
violation), and saves a screenshot of each in $SHORTLINK_BROWSER_OUT (default:
browser-screenshots next to the binaries' bin/).

Pages: the 404 of an unknown code; the 410 of a link past its click limit and
of an expired one; the password form, its 401 after a wrong password typed
in the browser, the right password (the browser is sent on to the target,
failing there: its host does not resolve, so no network), and 429 after too
many guesses; then the same on a second redirector serving an operator's own
404, 410 and password pages (--not-found-page, --gone-page, --password-page).
The tracker page of a link whose team asks for consent (issue 21): only its
loader script before the visitor agrees, then "Allow and continue" requests
the pixels and goes on to the target, with no CSP refusal.

    cd tests/browser && SHORTLINK_BIN=../../build/bin python3 -m unittest -v test_browser_pages
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import BIN, ApiTestCase, status_of_path, wait_until  # noqa: E402
from test_sync import Redirector, redirector_is_wired  # noqa: E402

from check_runner import failed_lines, run_check_script  # noqa: E402

NODE_TIMEOUT = 240  # seconds; check_pages.mjs has its own, shorter deadline
TARGET = "https://landing.target.invalid/after-password"
TRACKER_TARGET = "https://landing.target.invalid/after-trackers"

# An operator's own pages: small, complete, each with a marker the test looks for; the edge puts
# the reason a link is gone at {{reason}} and its password form at {{form}}.
OPERATOR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1><p>{marker}</p>{extra}</main></body></html>
"""


def redirector_flags():
    out = subprocess.run([os.path.join(BIN, "redirector"), "--help"], capture_output=True, text=True, timeout=10)
    return out.stdout + out.stderr


def status_of(node, code, method="GET"):
    """The status of one request for /code on a fresh connection (redirects not followed)."""
    return status_of_path(node.port, "/" + code, method)


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class BrowserPagesTest(ApiTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Each viewport sends its own X-Forwarded-For, so the guess limit (per address) is its own.
        cls.plain = Redirector(cls.group, "plain", cls.api, cls.redis)
        cls.plain.args += ["--client-ip-header", "x-forwarded-for"]
        cls.plain.start()
        # The operator's pages, passed with whichever of the flags this redirector has; the
        # page checks below expect all three.
        cls.custom = Redirector(cls.group, "custom", cls.api, cls.redis)
        cls.custom.args += ["--client-ip-header", "x-forwarded-for"]
        cls.missing_flags = []
        help_text = redirector_flags()
        for flag, name, extra in (("--not-found-page", "404", ""), ("--gone-page", "410", "<p>{{reason}}</p>"),
                                  ("--password-page", "password", "{{form}}")):
            page = cls.group.path(f"operator-{name}.html")
            with open(page, "w") as f:
                f.write(OPERATOR_PAGE.format(title=f"Operator {name} page", marker=f"operator-{name}-page",
                                             extra=extra))
            if flag in help_text:
                cls.custom.args += [flag, page]
            else:
                cls.missing_flags.append(flag)
        cls.custom.start()

    def create(self, code, nodes, **fields):
        body = {"longUrl": f"https://example.com/{code}", "shortUrl": code}
        body.update(fields)
        status, reply = self.api.json("POST", "/api/v1/urls", body, self.key)
        self.assertEqual(status, 200, reply)
        for node in nodes:
            wait_until(lambda: status_of(node, code, "HEAD") != 404, timeout=5, what=f"{node.name} to serve /{code}")

    def use_up(self, code, node):
        """One click of a link with maxClicks 1 (302), after which it answers 410."""
        self.assertEqual(status_of(node, code), 302)
        self.assertEqual(status_of(node, code), 410)

    def test_pages_in_a_browser(self):
        plain, custom = self.plain, self.custom
        self.create("gone-clicks", [plain], maxClicks=1)
        self.use_up("gone-clicks", plain)
        self.create("gone-expired", [plain])
        # An expiry set in the past on purpose (a PATCH, which stays allowed).
        status, reply = self.api.json("PATCH", "/api/v1/urls/gone-expired", {"expiresAt": "2001-01-01T00:00:00Z"},
                                      self.key)
        self.assertEqual(status, 200, reply)
        wait_until(lambda: status_of(plain, "gone-expired") == 410, timeout=10, what="gone-expired to answer 410")
        self.create("locked", [plain, custom], password="open sesame", longUrl=TARGET)
        self.create("gone-custom", [custom], maxClicks=1)
        self.use_up("gone-custom", custom)
        # A link with trackers, its team asking for consent first (issue 21).
        status, teams = self.api.json("GET", "/api/v1/teams", None, self.key)
        self.assertEqual(status, 200, teams)
        team = [t for t in teams["items"] if t["personal"]][0]["id"]
        status, reply = self.api.json("PUT", f"/api/v1/teams/{team}/tracker-consent", {"consent": "always"}, self.key)
        self.assertEqual(status, 200, reply)
        self.create("tracked", [plain], longUrl=TRACKER_TARGET,
                    trackers=[{"provider": "facebook", "pixelId": "1234567890"},
                              {"provider": "linkedin", "pixelId": "1234567"}])

        base, custom_base = f"http://127.0.0.1:{plain.port}", f"http://127.0.0.1:{custom.port}"
        out_dir = os.environ.get("SHORTLINK_BROWSER_OUT") or os.path.join(BIN, "..", "browser-screenshots")
        out_dir = os.path.abspath(out_dir)
        plan = {
            "outDir": out_dir,
            "profileDir": self.group.path("chromium-profiles"),
            "pages": [
                {"name": "not-found", "url": f"{base}/no-such-link", "status": 404},
                {"name": "gone-click-limit", "url": f"{base}/gone-clicks", "status": 410},
                {"name": "gone-expired", "url": f"{base}/gone-expired", "status": 410},
                {"name": "password", "kind": "password", "url": f"{base}/locked", "wrong": "not it",
                 "right": "open sesame", "target": TARGET},
                {"name": "trackers-consent", "kind": "trackers", "url": f"{base}/tracked",
                 "target": TRACKER_TARGET, "pixelHosts": ["connect.facebook.net", "px.ads.linkedin.com"]},
                {"name": "operator-not-found", "url": f"{custom_base}/no-such-link", "status": 404,
                 "marker": "operator-404-page"},
                {"name": "operator-gone", "url": f"{custom_base}/gone-custom", "status": 410,
                 "marker": "operator-410-page"},
                {"name": "operator-password", "kind": "password", "url": f"{custom_base}/locked", "wrong": "not it",
                 "right": "open sesame", "target": TARGET, "marker": "operator-password-page"},
            ],
        }
        status, output = run_check_script(self.group, "check_pages.mjs", plan, NODE_TIMEOUT)
        self.assertIsNotNone(status, output)
        print(output, flush=True)
        if self.missing_flags:
            print("redirector has no " + ", ".join(self.missing_flags) + ": the operator's pages for them "
                  "are the default ones, and their checks fail", flush=True)
        self.assertEqual(status, 0, "page checks failed:\n" + failed_lines(output))


if __name__ == "__main__":
    unittest.main()
