"""End-to-end tests of link rules at the edge: a real admin-api (TLS), a
real redis-server and two real redirectors. Each rule is set through the
API and followed through a node, as a visitor would.

Shown here: expiry (to expiredUrl, or 410), click limits (exact on one node,
learnt by the other through admin-api), UNIQUE clicks, passwords (form, 401,
303 on the right one, 429 past the guess limit), device targets, A/B split
with a sticky cookie, UTM and forwarded query strings, per-link redirect
status, and rules removed by PATCH.
"""
import datetime
import http.client
import time
import unittest
import urllib.parse

from harness import wait_until
from test_edge import exchange
from test_sync import Redirector, TwoNodeTestCase, redirector_is_wired

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def visit(node, path, method="GET", user_agent=DESKTOP, headers=None, body=None):
    """(status, headers dict with lowercase names, body) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=10)
    try:
        h = {"User-Agent": user_agent}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


class BrowserJar:
    """The cookie rules of a browser that matter here (RFC 6265): a cookie is sent back only on
    paths its Path matches, case-sensitively."""

    def __init__(self):
        self.cookies = {}  # name -> (value, path)

    def store(self, set_cookie, request_path):
        if not set_cookie:
            return
        pair, *attributes = [part.strip() for part in set_cookie.split(";")]
        name, _, value = pair.partition("=")
        path = "/"
        for attribute in attributes:
            key, _, val = attribute.partition("=")
            if key.lower() == "path" and val.startswith("/"):
                path = val
        self.cookies[name] = (value, path)

    @staticmethod
    def path_matches(cookie_path, request_path):
        # RFC 6265 5.1.4
        if request_path == cookie_path:
            return True
        return request_path.startswith(cookie_path) and (
            cookie_path.endswith("/") or request_path[len(cookie_path)] == "/")

    def header_for(self, request_path):
        return "; ".join(f"{n}={v}" for n, (v, p) in self.cookies.items() if self.path_matches(p, request_path))


def iso(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class LinkRulesEdgeTest(TwoNodeTestCase):

    def create(self, code, **fields):
        body = {"longUrl": f"https://example.com/{code}", "shortUrl": code}
        body.update(fields)
        status, reply = self.api.json("POST", "/api/v1/urls", body, self.key)
        self.assertEqual(status, 200, reply)
        self.wait_served(code)
        return reply

    def patch(self, code, **fields):
        status, reply = self.api.json("PATCH", f"/api/v1/urls/{code}", fields, self.key)
        self.assertEqual(status, 200, reply)
        return reply

    def wait_served(self, code, expect=lambda status, headers: status != 404):
        for node in self.nodes:
            wait_until(lambda: expect(*visit(node, "/" + code, method="HEAD")[:2]), timeout=5,
                       what=f"{node.name} to serve /{code}")

    def clicks(self, code):
        status, body = self.api.json("GET", f"/api/v1/urls/{code}", None, self.key)
        self.assertEqual(status, 200, body)
        return body["clicks"]

    # --- each rule ---

    def test_expired_links_go_to_expired_url_or_answer_410(self):
        self.create("exp-url", expiresAt=iso(2.5), expiredUrl="https://example.com/over")
        self.create("exp-gone", expiresAt=iso(2.5))
        node = self.nodes[0]
        status, headers, _ = visit(node, "/exp-url")
        self.assertEqual((status, headers["location"]), (302, "https://example.com/exp-url"))
        wait_until(lambda: visit(node, "/exp-url")[1].get("location") == "https://example.com/over",
                   timeout=10, what="expiry")
        wait_until(lambda: visit(self.nodes[1], "/exp-gone")[0] == 410, timeout=10, what="410 after expiry")
        self.assertIn(b"expired", visit(self.nodes[1], "/exp-gone")[2])

    def test_click_limit_is_exact_on_one_node_and_reaches_the_other(self):
        self.create("limited", maxClicks=3, clickLimitUrl="https://example.com/full")
        node, other = self.nodes
        for _ in range(3):
            self.assertEqual(visit(node, "/limited")[1]["location"], "https://example.com/limited")
        self.assertEqual(visit(node, "/limited")[1]["location"], "https://example.com/full")
        # The other node learns the total once node1's clicks are applied (a flush interval).
        wait_until(lambda: visit(other, "/limited", method="HEAD")[1].get("location") ==
                   "https://example.com/full", timeout=15, what="node2 to learn the limit")
        wait_until(lambda: self.clicks("limited") == 3, timeout=15, what="3 clicks counted")
        # Raising the limit reopens the link everywhere.
        self.patch("limited", maxClicks=10)
        self.wait_served("limited", lambda s, h: h.get("location") == "https://example.com/limited")

    def test_unique_clicks_count_a_visitor_once_per_window(self):
        self.create("uniq", clickType="UNIQUE", uniqueWindowMinutes=60)
        node = self.nodes[0]
        for _ in range(5):
            self.assertEqual(visit(node, "/uniq")[0], 302)
        for _ in range(3):
            self.assertEqual(visit(node, "/uniq", user_agent=IPHONE)[0], 302)
        wait_until(lambda: self.clicks("uniq") == 2, timeout=15, what="2 unique clicks")
        time.sleep(2.5)  # another flush interval: nothing more arrives
        self.assertEqual(self.clicks("uniq"), 2)

    def test_password_form_checks_and_limits_guesses(self):
        reply = self.create("secret", password="open sesame")
        self.assertTrue(reply.get("passwordProtected"))
        self.assertNotIn("password", reply)
        node = self.nodes[0]
        status, headers, body = visit(node, "/secret?x=1")
        self.assertEqual(status, 200)
        self.assertIn(b'<form method="post">', body)
        self.assertNotIn(b"example.com/secret", body)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, body = visit(node, "/secret", "POST", headers=form,
                                      body=urllib.parse.urlencode({"password": "open sesame"}))
        self.assertEqual((status, headers["location"]), (303, "https://example.com/secret"))
        status, _, body = visit(node, "/secret", "POST", headers=form, body="password=wrong")
        self.assertEqual(status, 401)
        self.assertIn(b"Wrong password", body)
        statuses = [visit(node, "/secret", "POST", headers=form, body="password=guess")[0] for _ in range(5)]
        self.assertEqual(statuses[:4], [401, 401, 401, 401])  # 5 wrong guesses a minute per address
        self.assertEqual(statuses[4:], [429])
        # GET on a plain link refuses POST.
        self.create("no-form")
        self.assertEqual(visit(node, "/no-form", "POST", headers=form, body="password=x")[0], 405)

    def test_right_passwords_are_not_counted_as_guesses(self):
        # Issue 17: 7 correct POSTs in a minute gave 303 x5 then 429 x2 (six people behind one NAT).
        self.create("nat", password="we all know")
        node = self.nodes[1]
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        right = urllib.parse.urlencode({"password": "we all know"})
        self.assertEqual([visit(node, "/nat", "POST", headers=form, body=right)[0] for _ in range(7)], [303] * 7)
        # Wrong guesses are still limited: 5 a minute per address, then 429, right or wrong.
        wrong = [visit(node, "/nat", "POST", headers=form, body="password=guess")[0] for _ in range(6)]
        self.assertEqual(wrong, [401] * 5 + [429])
        status, headers, _ = visit(node, "/nat", "POST", headers=form, body=right)
        self.assertEqual((status, headers.get("retry-after")), (429, "60"))

    def test_a_password_pipelined_after_another_request_is_checked(self):
        self.create("piped", password="pipe dream")
        self.create("before")
        body = "password=pipe+dream"
        raw = ("GET /before HTTP/1.1\r\nHost: x\r\n\r\n"
               f"POST /piped HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
               "Connection: close\r\n\r\n" + body).encode()
        reply = exchange(self.nodes[1].port, raw, timeout=10)
        first, _, second = reply.partition(b"HTTP/1.1 303")
        self.assertTrue(first.startswith(b"HTTP/1.1 302 Found\r\nLocation: https://example.com/before"), reply[:300])
        self.assertIn(b"Location: https://example.com/piped\r\n", second)

    def test_behind_a_proxy_the_forwarded_address_identifies_visitors(self):
        node = Redirector(self.group, "node3", self.api, self.redis)
        node.args += ["--client-ip-header", "x-forwarded-for"]
        node.start()
        try:
            self.create("fwd", clickType="UNIQUE", password="pw")
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            # Guesses are limited per forwarded address, not per proxy.
            for _ in range(5):
                self.assertEqual(visit(node, "/fwd", "POST", headers=dict(form, **{"X-Forwarded-For": "198.51.100.1"}),
                                       body="password=no")[0], 401)
            self.assertEqual(visit(node, "/fwd", "POST", headers=dict(form, **{"X-Forwarded-For": "198.51.100.1"}),
                                   body="password=no")[0], 429)
            for address in ("198.51.100.2", "198.51.100.3", "198.51.100.3"):
                status, headers, _ = visit(node, "/fwd", "POST", body="password=pw",
                                           headers=dict(form, **{"X-Forwarded-For": f"203.0.113.5, {address}"}))
                self.assertEqual(status, 303)
            # Unique clicks: two visitors behind one proxy (same agent), not one.
            wait_until(lambda: self.clicks("fwd") == 2, timeout=15, what="2 unique clicks via the proxy")
        finally:
            node.stop()

    def test_device_targets_follow_the_user_agent(self):
        self.create("app", deviceTargets={"ios": "https://apps.apple.com/app/x",
                                          "android": "https://play.google.com/store/apps/x"})
        node = self.nodes[1]
        self.assertEqual(visit(node, "/app", user_agent=IPHONE)[1]["location"], "https://apps.apple.com/app/x")
        self.assertEqual(visit(node, "/app", user_agent=ANDROID)[1]["location"],
                         "https://play.google.com/store/apps/x")
        self.assertEqual(visit(node, "/app")[1]["location"], "https://example.com/app")

    def test_ab_targets_split_visitors_and_stick_by_cookie(self):
        self.create("ab", abTargets=[{"url": "https://a.example.com/", "percentage": 50},
                                     {"url": "https://b.example.com/", "percentage": 50}])
        node = self.nodes[0]
        seen = {}
        for _ in range(60):
            status, headers, _ = visit(node, "/ab")
            self.assertEqual(status, 302)
            seen.setdefault(headers["location"], headers["set-cookie"])
        self.assertEqual(set(seen), {"https://a.example.com/", "https://b.example.com/"})
        for location, cookie in seen.items():
            self.assertIn("Path=/ab", cookie)
            pair = cookie.split(";")[0]
            for _ in range(5):
                status, headers, _ = visit(node, "/ab", headers={"Cookie": pair})
                self.assertEqual(headers["location"], location)
                self.assertNotIn("set-cookie", headers)

    def test_ab_cookie_comes_back_on_the_path_the_visitor_typed(self):
        # Issue 17: /BR-AB set "Path=/br-ab"; cookie paths are case-sensitive, so a browser never
        # sent it back and the visitor flipped between targets (8 visits: a b a a b b b a).
        self.create("br-ab", abTargets=[{"url": "https://a.example.com/", "percentage": 50},
                                        {"url": "https://b.example.com/", "percentage": 50}])
        node = self.nodes[0]
        jar = BrowserJar()
        targets = []
        for _ in range(8):
            headers = {"Cookie": jar.header_for("/BR-AB")} if jar.header_for("/BR-AB") else {}
            status, reply, _ = visit(node, "/BR-AB", headers=headers)
            self.assertEqual(status, 302)
            targets.append(reply["location"])
            jar.store(reply.get("set-cookie"), "/BR-AB")
        self.assertEqual(len(set(targets)), 1, targets)
        self.assertEqual(jar.cookies["sl_ab"][1], "/BR-AB")

    def test_utm_and_forwarded_query_merge_into_the_target(self):
        self.create("camp", longUrl="https://shop.example.com/p?ref=1&utm_source=old",
                    utm={"source": "newsletter", "campaign": "spring sale"}, forwardQuery=True)
        _, headers, _ = visit(self.nodes[0], "/camp?q=shoes&ref=evil")
        self.assertEqual(headers["location"], "https://shop.example.com/p?ref=1&utm_source=newsletter"
                                              "&utm_campaign=spring%20sale&q=shoes")

    def test_redirect_type_per_link_and_rules_removed_by_patch(self):
        self.create("perm", redirectType=301, expiresAt=iso(3600))
        self.assertEqual(visit(self.nodes[0], "/perm")[0], 301)
        self.patch("perm", redirectType=None, expiresAt=None)
        self.wait_served("perm", lambda s, h: s == 302)
        status, body = self.api.json("GET", "/api/v1/urls/perm", None, self.key)
        self.assertNotIn("redirectType", body)
        self.assertNotIn("expiresAt", body)

    def test_rules_survive_a_node_restart(self):
        self.create("kept", deviceTargets={"ios": "https://apps.apple.com/app/kept"}, title="kept",
                    tags=["restart"])
        node = self.nodes[1]
        node.stop()
        node.start()  # a warm start: the rules come back from the node's replica
        self.assertEqual(visit(node, "/kept", user_agent=IPHONE)[1]["location"], "https://apps.apple.com/app/kept")
        self.assertEqual(visit(node, "/kept")[1]["location"], "https://example.com/kept")

    def test_links_without_rules_are_unchanged(self):
        self.create("plain-one")
        status, headers, body = visit(self.nodes[0], "/plain-one?keep=me")
        self.assertEqual((status, headers["location"]), (302, "https://example.com/plain-one"))
        self.assertNotIn("set-cookie", headers)


if __name__ == "__main__":
    unittest.main()
