"""End-to-end tests of webhooks (issue 20): a real admin-api (TLS) with a
real redis-server and a real redirector, delivering to Python receivers on
127.0.0.1 (so admin-api runs with --webhooks-allow-private), with the retry
schedule shortened by the test flags.

Shown here: link.created, link.updated, link.deleted and link.clicked (the
clicks of visits through the redirector, aggregated) each arrive, signed
(HMAC-SHA256 of "timestamp.body" with the secret shown once at create) and
with a fresh timestamp, at a receiver that fails its first requests: each
event id arrives at least once and always with the same body (retries repeat
an id, never change it); the delivery log shows the failed attempts; a ping
from POST .../test; a subscription to a dead port disabled with a reason,
then re-enabled by PATCH; an https receiver whose certificate the system's
store does not trust getting no request; refused inputs."""
import hashlib
import hmac
import http.client
import json
import ssl
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import AdminApi, ProcessGroup, Redis, free_port, status_of_path, wait_until
from test_sync import Redirector, redirector_is_wired

FAILING_FIRST = 3  # requests the receiver answers 500 before it recovers


class Receiver:
    """An HTTP receiver recording every request; 500 for the first `failing` ones."""

    def __init__(self, failing=0, tls=None):
        self.lock = threading.Lock()
        self.requests = []  # (headers, body bytes, status answered)
        self.failing = failing
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    status = 500 if len(receiver.requests) < receiver.failing else 200
                    receiver.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:  # (cert, key): HTTPS with this certificate
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def delivered(self):
        """{event id: [body, ...]} of the requests answered 200."""
        with self.lock:
            out = {}
            for headers, body, status in self.requests:
                if status == 200:
                    out.setdefault(headers["Shortlink-Webhook-Id"], []).append(body)
            return out

    def all(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.server.shutdown()


def valid_signature(secret, headers, body):
    timestamp = headers["Shortlink-Webhook-Timestamp"]
    expected = "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["Shortlink-Webhook-Signature"])


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class WebhooksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.group = ProcessGroup()
        cls.redis = Redis(cls.group).start()
        cls.api = AdminApi(cls.group, cls.redis, extra=[
            "--rate-limit", "100000", "--webhooks-allow-private",
            "--webhook-retry-base-ms", "200", "--webhook-retry-window-ms", "3000",
            "--webhook-click-interval-ms", "500"])
        cls.key = cls.api.bootstrap()
        cls.api.start()
        cls.node = Redirector(cls.group, "node-a", cls.api, cls.redis).start()
        cls.receivers = []

    @classmethod
    def tearDownClass(cls):
        for r in cls.receivers:
            r.close()
        cls.group.close()

    def call(self, method, path, body=None, expect=200):
        status, answer = self.api.json(method, path, body, self.key)
        self.assertEqual(status, expect, answer)
        return answer

    def receiver(self, failing=0, tls=None):
        r = Receiver(failing, tls)
        self.receivers.append(r)
        return r

    def test_events_arrive_signed_once_per_id_through_failures(self):
        receiver = self.receiver(failing=FAILING_FIRST)
        events = ["link.created", "link.updated", "link.deleted", "link.clicked"]
        made = self.call("POST", "/api/v1/webhooks", {"url": receiver.url(), "events": events}, expect=201)
        secret = made["secret"]
        self.assertTrue(secret.startswith("whsec_"))
        self.assertEqual(made["events"], events)
        self.assertTrue(made["enabled"])
        shown = self.call("GET", f"/api/v1/webhooks/{made['id']}")
        self.assertNotIn("secret", shown)  # shown once, at create
        listed = self.call("GET", "/api/v1/webhooks")
        self.assertIn(made["id"], [w["id"] for w in listed["items"]])

        self.call("POST", "/api/v1/urls", {"longUrl": "https://example.com/one", "shortUrl": "wh-one"})
        self.call("PATCH", "/api/v1/urls/wh-one", {"longUrl": "https://example.com/one-b"})
        self.call("POST", "/api/v1/urls", {"longUrl": "https://example.com/two", "shortUrl": "wh-two"})
        self.call("DELETE", "/api/v1/urls/wh-two")
        wait_until(lambda: status_of_path(self.node.port, "/wh-one", "HEAD", timeout=5) == 302,
                   timeout=10, what="the node to serve /wh-one")
        conn = http.client.HTTPConnection("127.0.0.1", self.node.port, timeout=5)
        for _ in range(3):
            conn.request("GET", "/wh-one", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) e2e"})
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 302)
        conn.close()

        def seen():
            got = {}
            for event_id, bodies in receiver.delivered().items():
                body = json.loads(bodies[0])
                got.setdefault(body["event"], []).append(body)
            return got

        def clicks_of(got, code):
            return sum(link["clicks"] for e in got.get("link.clicked", [])
                       for link in e["data"]["links"] if link["shortUrl"] == code)

        def complete():
            got = seen()
            codes = lambda event: [e["data"]["shortUrl"] for e in got.get(event, [])]
            return ("wh-one" in codes("link.created") and "wh-two" in codes("link.created")
                    and "wh-one" in codes("link.updated") and "wh-two" in codes("link.deleted")
                    and clicks_of(got, "wh-one") >= 3)

        wait_until(complete, timeout=30, interval=0.1, what="every event at the receiver")
        got = seen()
        self.assertEqual(clicks_of(got, "wh-one"), 3)  # each click batch reported once
        updated = [e for e in got["link.updated"] if e["data"]["shortUrl"] == "wh-one"]
        self.assertEqual(updated[0]["data"]["longUrl"], "https://example.com/one-b")

        # Every request, failed ones included: signed with the secret, a
        # fresh timestamp, the id header naming the body's id; retries of an
        # id carry the very same body.
        requests = receiver.all()
        self.assertGreater(len(requests), FAILING_FIRST)
        bodies_by_id = {}
        for headers, body, _ in requests:
            self.assertTrue(valid_signature(secret, headers, body), headers)
            self.assertLess(abs(int(headers["Shortlink-Webhook-Timestamp"]) - time.time()), 300)
            parsed = json.loads(body)
            self.assertEqual(headers["Shortlink-Webhook-Id"], parsed["id"])
            self.assertEqual(set(parsed), {"id", "event", "createdAt", "data"})
            bodies_by_id.setdefault(parsed["id"], set()).add(body)
        for event_id, bodies in bodies_by_id.items():
            self.assertEqual(len(bodies), 1, event_id)
        # A wrong secret does not verify.
        headers, body, _ = requests[0]
        self.assertFalse(valid_signature("whsec_wrong", headers, body))

        # The log, newest first: everything delivered, the first failures counted.
        log = self.call("GET", f"/api/v1/webhooks/{made['id']}/deliveries?size=100")
        self.assertGreaterEqual(log["total"], 5)
        numbers = [d["id"] for d in log["items"]]
        self.assertEqual(numbers, sorted(numbers, reverse=True))
        wait_until(lambda: all(d["status"] == "delivered" for d in self.call(
            "GET", f"/api/v1/webhooks/{made['id']}/deliveries?size=100")["items"]), timeout=10,
            what="every delivery logged as delivered")
        log = self.call("GET", f"/api/v1/webhooks/{made['id']}/deliveries?size=100")
        self.assertGreaterEqual(sum(d["attempts"] - 1 for d in log["items"]), FAILING_FIRST)
        self.assertTrue(all(d["statusCode"] == 200 for d in log["items"]))

        # A ping, on demand.
        ping = self.call("POST", f"/api/v1/webhooks/{made['id']}/test", expect=202)
        wait_until(lambda: ping["eventId"] in receiver.delivered(), timeout=10, what="the ping")
        self.assertEqual(json.loads(receiver.delivered()[ping["eventId"]][0])["event"], "ping")

        self.call("DELETE", f"/api/v1/webhooks/{made['id']}")
        self.call("GET", f"/api/v1/webhooks/{made['id']}", expect=404)

    def test_a_dead_receiver_gets_its_webhook_disabled(self):
        dead = f"http://127.0.0.1:{free_port()}/gone"
        made = self.call("POST", "/api/v1/webhooks", {"url": dead, "events": ["link.created"]}, expect=201)
        self.call("POST", "/api/v1/urls", {"longUrl": "https://example.com/dead", "shortUrl": "wh-dead"})
        started = time.monotonic()
        wait_until(lambda: not self.call("GET", f"/api/v1/webhooks/{made['id']}")["enabled"],
                   timeout=20, interval=0.1, what="the webhook disabled")
        print(f"\ndead receiver disabled after {time.monotonic() - started:.1f} s (window 3 s)")
        disabled = self.call("GET", f"/api/v1/webhooks/{made['id']}")
        self.assertIn("failed", disabled["disabledReason"])
        log = self.call("GET", f"/api/v1/webhooks/{made['id']}/deliveries")
        self.assertEqual(log["items"][0]["status"], "failed")
        self.assertGreater(log["items"][0]["attempts"], 1)
        self.assertIsNotNone(log["items"][0]["error"])
        # Disabled: a ping is refused; PATCH enabled=true re-enables.
        self.call("POST", f"/api/v1/webhooks/{made['id']}/test", expect=409)
        enabled = self.call("PATCH", f"/api/v1/webhooks/{made['id']}", {"enabled": True})
        self.assertTrue(enabled["enabled"])
        self.assertIsNone(enabled["disabledReason"])
        self.call("DELETE", f"/api/v1/webhooks/{made['id']}")

    def test_https_certificates_are_verified(self):
        # The receiver's certificate is self-signed (the admin-api's own):
        # not in the system's store, so no request is made over it.
        receiver = self.receiver(tls=(self.api.cert, self.api.key))
        made = self.call("POST", "/api/v1/webhooks",
                         {"url": f"https://127.0.0.1:{receiver.port}/", "events": ["link.created"]}, expect=201)
        self.call("POST", "/api/v1/urls", {"longUrl": "https://example.com/tls", "shortUrl": "wh-tls"})

        def first_error():
            items = self.call("GET", f"/api/v1/webhooks/{made['id']}/deliveries")["items"]
            return items and items[-1]["error"]
        wait_until(first_error, timeout=10, what="a failed attempt")
        self.assertIn("certificate", first_error())
        self.assertEqual(receiver.all(), [])
        self.call("DELETE", f"/api/v1/webhooks/{made['id']}")

    def test_bad_subscriptions_are_refused(self):
        for body in ({"url": "ftp://example.com/", "events": ["link.created"]},
                     {"url": "https://example.com/", "events": ["link.exploded"]},
                     {"url": "https://example.com/", "events": []},
                     {"url": "https://user:pw@example.com/", "events": ["link.created"]},
                     {"events": ["link.created"]},
                     {"url": "https://example.com/", "events": ["link.created"], "secret": "mine"}):
            answer = self.call("POST", "/api/v1/webhooks", body, expect=400)
            self.assertIn("message", answer)
        self.call("GET", "/api/v1/webhooks/999999", expect=404)
        self.call("GET", "/api/v1/webhooks/abc", expect=404)


if __name__ == "__main__":
    unittest.main()
