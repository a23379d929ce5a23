"""End-to-end tests of the redirector's public port against hostile and
unusual clients, over real sockets: limits, smuggling attempts, pipelining,
HTTP/1.0, slow and idle connections, and targets that must never reach a
header. A real admin-api and redis-server feed the node."""
import re
import socket
import time
import unittest

from harness import AdminApi, ApiTestCase, ProcessGroup, Redis, read_until_closed, wait_until
from test_sync import Redirector


def exchange(port, data, timeout=5, read_all=True):
    """Sends raw bytes and returns everything the server sends back until it closes (or timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        return read_until_closed(s, enough=None if read_all else lambda received: True)


def status_of(reply):
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else None


class EdgeTest(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code, url in (("go", "https://example.com/go?a=1"), ("other", "https://example.org/")):
            status, body = cls.api.json("POST", "/api/v1/urls", {"longUrl": url, "shortUrl": code}, cls.key)
            assert status == 200, body
        cls.node = Redirector(cls.group, "edge", cls.api, cls.redis).start()
        wait_until(lambda: cls.node.target("other") is not None, what="links on the node")

    def get(self, raw):
        return exchange(self.node.port, raw)

    def test_redirect_headers(self):
        reply = self.get(b"GET /GO HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head, _, body = reply.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 302 Found\r\n"), head)
        self.assertIn(b"\r\nLocation: https://example.com/go?a=1\r\n", head)
        self.assertIn(b"\r\nCache-Control: no-store\r\n", head)
        self.assertIn(b"\r\nX-Robots-Tag: noindex\r\n", head)
        self.assertTrue(body)
        reply = self.get(b"HEAD /go HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(reply.endswith(b"\r\n\r\n"))  # HEAD: no body
        reply = self.get(b"GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(status_of(reply), 404)
        self.assertIn(b"noindex", reply)
        # The ops endpoints are not on the public port: there they are just unknown codes.
        self.assertEqual(status_of(self.get(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 404)

    def test_limits_and_smuggling(self):
        cases = [
            (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            (b"GET /go HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"p" * 17000 + b"\r\n\r\n", 431),
            (b"GET /go HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
            (b"GET /go HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            (b"GET /go HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400),
            (b"GET /go HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 400),
            (b"GET /go HTTP/1.1\r\n\r\n", 400),
            (b"GET /go HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            (b"GET ftp://evil.example/go HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # http(s) absolute form: answered
            (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
            (b"GARBAGE\r\n\r\n", 400),
            (b"GET /go HTTP/1.1\nHost: x\n\n", 400),
            (b"POST /go HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
            (b"GET /go HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        ]
        for raw, want in cases:
            with self.subTest(raw=raw[:60]):
                reply = self.get(raw)
                self.assertEqual(status_of(reply), want, reply[:200])
                self.assertIn(b"Connection: close", reply)
                self.assertEqual(reply.count(b"HTTP/1.1 "), 1)  # nothing smuggled behind it

    def test_absolute_form_targets_are_answered(self):
        # RFC 9112 3.2.2: a server MUST accept absolute-form targets; the path follows the authority.
        for raw in (b"GET http://go.example/GO HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    b"GET https://go.example:8443/go?b=2 HTTP/1.1\r\nHost: go.example\r\nConnection: close\r\n\r\n",
                    b"GET HTTP://GO.EXAMPLE/go HTTP/1.0\r\n\r\n"):
            with self.subTest(raw=raw[:50]):
                reply = self.get(raw)
                self.assertEqual(status_of(reply), 302, reply[:300])
                self.assertIn(b"\r\nLocation: https://example.com/go?a=1\r\n", reply)
        reply = self.get(b"GET http://go.example/missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(status_of(reply), 404)
        # Other forms stay refused, and so does an absolute form without a host or with credentials.
        for raw in (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"CONNECT go.example:443 HTTP/1.1\r\nHost: go.example:443\r\n\r\n",
                    b"GET ftp://go.example/go HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET http:///go HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET http://u:p@go.example/go HTTP/1.1\r\nHost: x\r\n\r\n"):
            with self.subTest(raw=raw[:50]):
                self.assertEqual(status_of(self.get(raw)), 400)

    def test_refusals_carry_charset_no_store_and_noindex(self):
        # Issue 17: the edge's 400/405/505 were "Content-Type: text/plain" without charset,
        # Cache-Control or X-Robots-Tag.
        for raw, want in ((b"GARBAGE\r\n\r\n", 400),
                          (b"PUT /go HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                          (b"GET /go HTTP/3.0\r\nHost: x\r\n\r\n", 505),
                          (b"POST /go HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n", 413),
                          (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
                          (b"GET /go HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 17000 + b"\r\n\r\n", 431)):
            with self.subTest(status=want):
                head = self.get(raw).partition(b"\r\n\r\n")[0]
                self.assertEqual(status_of(head), want)
                self.assertIn(b"\r\nContent-Type: text/plain; charset=utf-8\r\n", head + b"\r\n")
                self.assertIn(b"\r\nCache-Control: no-store\r\n", head + b"\r\n")
                self.assertIn(b"\r\nX-Robots-Tag: noindex\r\n", head + b"\r\n")

    def test_request_bytes_are_never_reflected(self):
        reply = self.get(b"GET /go%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(status_of(reply), 404)
        self.assertNotIn(b"Set-Cookie", reply)
        self.assertNotIn(b"%0d", reply.lower())

    def test_pipelining_and_keep_alive(self):
        raw = (b"GET /go HTTP/1.1\r\nHost: x\r\n\r\n" b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
               b"HEAD /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = self.get(raw)
        statuses = [int(m) for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", reply)]
        self.assertEqual(statuses, [302, 404, 302])
        self.assertIn(b"Location: https://example.org/", reply)
        # Many requests on one connection, sent one at a time.
        with socket.create_connection(("127.0.0.1", self.node.port), timeout=5) as s:
            for _ in range(50):
                s.sendall(b"GET /go HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                while not data.endswith(b"</html>\n"):
                    data += s.recv(4096)
                self.assertEqual(status_of(data), 302)

    def test_http_1_0(self):
        reply = self.get(b"GET /go HTTP/1.0\r\n\r\n")
        self.assertEqual(status_of(reply), 302)
        self.assertIn(b"Connection: close", reply)
        with socket.create_connection(("127.0.0.1", self.node.port), timeout=5) as s:
            s.sendall(b"GET /go HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            first = s.recv(4096)
            self.assertIn(b"Connection: keep-alive", first)
            s.sendall(b"GET /other HTTP/1.0\r\n\r\n")
            second = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                second += chunk
            self.assertIn(b"example.org", second)

    def test_slow_and_idle_connections_do_not_stop_service(self):
        slow = []
        for _ in range(200):  # half-open heads: slowloris
            s = socket.create_connection(("127.0.0.1", self.node.port), timeout=5)
            s.sendall(b"GET /go HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        idle = [socket.create_connection(("127.0.0.1", self.node.port), timeout=5) for _ in range(1000)]
        try:
            started = time.monotonic()
            for _ in range(20):
                self.assertEqual(self.node.lookup("go")[0], 302)
            self.assertLess(time.monotonic() - started, 2.0)
            # Unfinished heads are closed after about 10 s.
            deadline = time.monotonic() + 20
            closed = 0
            for s in slow:
                s.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    if s.recv(1) == b"":
                        closed += 1
                except ConnectionResetError:
                    closed += 1
                except socket.timeout:
                    pass
            self.assertEqual(closed, len(slow))
            self.assertGreater(self.node.metric("redirector_head_timeouts_total"), 0)
        finally:
            for s in slow + idle:
                s.close()


class UnsafeTargetTest(unittest.TestCase):
    """A target with CR/LF injected behind admin-api's back (straight into
    Redis) must never reach a Location header."""

    def test_injected_crlf_target_is_refused(self):
        group = ProcessGroup()
        try:
            redis = Redis(group).start()
            api = AdminApi(group, redis)
            key = api.bootstrap()
            api.start()
            node = Redirector(group, "victim", api, redis).start()
            api.json("POST", "/api/v1/urls", {"longUrl": "https://example.com/ok", "shortUrl": "ok"}, key)
            wait_until(lambda: node.target("ok") is not None, what="first link")
            # A change with the next seq, published as if by admin-api.
            code, url = b"evil", b"https://example.com/\r\nSet-Cookie: pwned=1"
            link = (bytes([1, len(code)]) + code + bytes([2, len(url)]) + url + bytes([3, 1, 0]))
            change = bytes([2, 1]) + link  # seq 2, upsert
            with socket.create_connection(("127.0.0.1", redis.port)) as s:
                s.sendall(b"*3\r\n$7\r\nPUBLISH\r\n$17\r\nshortlink:changes\r\n$%d\r\n%s\r\n" % (len(change), change))
                s.recv(64)
            wait_until(lambda: node.lookup("evil")[0] != 404, timeout=5, what="injected change applied")
            reply = exchange(node.port, b"GET /evil HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertEqual(status_of(reply), 500)
            self.assertNotIn(b"pwned", reply)
            self.assertGreaterEqual(node.metric("redirector_unsafe_targets_total"), 1)
        finally:
            group.close()


if __name__ == "__main__":
    unittest.main()
