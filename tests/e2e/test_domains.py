"""End-to-end tests of custom domains (issue 19): a real admin-api, a real
redis-server and two real redirectors. Node 1 runs with the defaults
(--unknown-host 404) and --public-host sho.rt, node 2 with --unknown-host
default.

Shown here: the same code on two domains goes to two targets, on both
nodes; the Host header in any case, with a port, with a trailing dot; a
domain's root redirect and not-found URL; an unknown host's 404 and the
flag; the default domain by IP address and by --public-host; a domain change
reaching both nodes; a node started afresh learning the domains from the
snapshot.
"""
import socket
import unittest

from harness import ApiTestCase, wait_until
from test_sync import Redirector, redirector_is_wired

TIMEOUT = 10.0  # seconds; propagation takes milliseconds, this only bounds a failure


def get(port, path, host):
    """(status, Location) of GET path with this Host header (None: no Host)."""
    # Without Host, HTTP/1.0: HTTP/1.1 requires one (400).
    head = f"GET {path} HTTP/1.1\r\n" if host is not None else f"GET {path} HTTP/1.0\r\n"
    if host is not None:
        head += f"Host: {host}\r\n"
    head += "Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    status = int(lines[0].split(" ")[1])
    location = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "location":
            location = value.strip()
    return status, location


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class DomainsTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        strict = Redirector(cls.group, "node1", cls.api, cls.redis)
        strict.args += ["--public-host", "sho.rt"]
        lenient = Redirector(cls.group, "node2", cls.api, cls.redis)
        lenient.args += ["--unknown-host", "default"]
        cls.nodes = [strict.start(), lenient.start()]
        cls.strict, cls.lenient = cls.nodes

    def api_ok(self, method, path, body=None, expect=200):
        status, answer = self.api.json(method, path, body, self.key)
        self.assertEqual(status, expect, answer)
        return answer

    def until(self, node, path, host, expected):
        wait_until(lambda: get(node.port, path, host) == expected, timeout=TIMEOUT,
                   what=f"{node.name} {host}{path} -> {expected} (now {get(node.port, path, host)})")

    def test_domains_on_two_nodes(self):
        one = self.api_ok("POST", "/api/v1/domains", {
            "host": "One.Example.com", "rootRedirect": "https://www.one-site.com/",
            "notFoundUrl": "https://www.one-site.com/missing"}, expect=201)
        self.assertEqual(one["host"], "one.example.com")
        self.api_ok("POST", "/api/v1/domains", {"host": "two.example.com"}, expect=201)
        for body in ({"longUrl": "https://default-target.com/promo", "shortUrl": "promo"},
                     {"longUrl": "https://one-target.com/promo", "shortUrl": "promo",
                      "domain": "one.example.com"},
                     {"longUrl": "https://two-target.com/promo", "shortUrl": "promo",
                      "domain": "two.example.com"}):
            link = self.api_ok("POST", "/api/v1/urls", body)
            self.assertEqual(link.get("domain"), body.get("domain"))

        # The same code on two domains, two targets, on both nodes; Host variants.
        for node in self.nodes:
            self.until(node, "/promo", "two.example.com", (302, "https://two-target.com/promo"))
            for host in ("one.example.com", "ONE.Example.COM", f"one.example.com:{node.port}",
                         "one.example.com.", "One.Example.Com.:443"):
                self.assertEqual(get(node.port, "/promo", host), (302, "https://one-target.com/promo"), host)
            for host in (f"127.0.0.1:{node.port}", "127.0.0.1", "localhost", f"localhost:{node.port}", None):
                self.assertEqual(get(node.port, "/PROMO", host), (302, "https://default-target.com/promo"), host)
            # Root redirect and not-found URL; a domain with neither has the 404 page.
            self.assertEqual(get(node.port, "/", "one.example.com"), (302, "https://www.one-site.com/"))
            self.assertEqual(get(node.port, "/nope", "one.example.com"),
                             (302, "https://www.one-site.com/missing"))
            self.assertEqual(get(node.port, "/", "two.example.com"), (404, None))
            self.assertEqual(get(node.port, "/nope", "two.example.com"), (404, None))

        # The default domain by its configured name; an unknown host: 404, or the default's.
        self.assertEqual(get(self.strict.port, "/promo", "SHO.RT"), (302, "https://default-target.com/promo"))
        self.assertEqual(get(self.strict.port, "/promo", "unknown.example.net"), (404, None))
        self.assertEqual(get(self.lenient.port, "/promo", "unknown.example.net"),
                         (302, "https://default-target.com/promo"))

        # A domain change reaches both nodes.
        self.api_ok("PATCH", "/api/v1/domains/one.example.com", {"rootRedirect": "https://new.one-site.com/"})
        self.api_ok("PATCH", "/api/v1/domains/two.example.com", {"notFoundUrl": "https://two-site.com/404"})
        for node in self.nodes:
            self.until(node, "/", "one.example.com", (302, "https://new.one-site.com/"))
            self.until(node, "/nope", "two.example.com", (302, "https://two-site.com/404"))

        # A domain with links cannot go; without them it goes, from both nodes.
        status, answer = self.api.json("DELETE", "/api/v1/domains/two.example.com", key=self.key)
        self.assertEqual(status, 409, answer)
        self.api_ok("DELETE", "/api/v1/urls/promo?domain=two.example.com")
        self.api_ok("DELETE", "/api/v1/domains/two.example.com")
        self.until(self.strict, "/promo", "two.example.com", (404, None))
        self.until(self.lenient, "/promo", "two.example.com", (302, "https://default-target.com/promo"))
        self.assertEqual(get(self.strict.port, "/promo", "one.example.com"), (302, "https://one-target.com/promo"))

        # A node started afresh learns the domains from admin-api's snapshot.
        fresh = Redirector(self.group, "node3", self.api, self.redis).start()
        try:
            self.assertEqual(get(fresh.port, "/", "one.example.com"), (302, "https://new.one-site.com/"))
            self.assertEqual(get(fresh.port, "/nope", "one.example.com"),
                             (302, "https://www.one-site.com/missing"))
            self.assertEqual(get(fresh.port, "/promo", "one.example.com"), (302, "https://one-target.com/promo"))
            self.assertEqual(get(fresh.port, "/promo", "two.example.com"), (404, None))
        finally:
            fresh.stop()


if __name__ == "__main__":
    unittest.main()
