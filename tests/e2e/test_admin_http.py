"""End-to-end tests of admin-api's HTTP layer as issue 17 found it: a 405
without Allow (RFC 9110 15.5.6), a 401 without WWW-Authenticate (RFC 9110
11.6.1, RFC 6750 3), and 413s that reached neither the log nor the request
metric. Also run through the contract proxy (SHORTLINK_CONTRACT=1)."""
import json
import re
import unittest

from harness import CONTRACT, OPENAPI, ApiTestCase, ContractProxy, wait_until


class AdminHttpTest(ApiTestCase):

    def test_405_lists_the_methods_of_the_path_in_allow(self):
        for method, path, allow in (("PUT", "/api/v1/urls", "GET, HEAD, POST"),
                                    ("POST", "/api/v1/urls/some-link", "GET, HEAD, PATCH, DELETE"),
                                    ("GET", "/api/v1/keys/1", "DELETE"),
                                    ("DELETE", "/healthz", "GET, HEAD")):
            with self.subTest(method=method, path=path):
                status, headers, data = self.api.request(method, path, key=self.key)
                self.assertEqual(status, 405)
                self.assertEqual(headers.get("Allow"), allow)
                self.assertIn("message", json.loads(data))

    def test_401_challenges_for_a_bearer_token(self):
        status, headers, data = self.api.request("GET", "/api/v1/urls")
        self.assertEqual(status, 401)
        self.assertEqual(headers.get("WWW-Authenticate"), 'Bearer realm="shortlink"')
        self.assertEqual(json.loads(data), {"message": "Unauthorized"})
        status, headers, _ = self.api.request("GET", "/api/v1/urls", key="live_v1_not-a-key")
        self.assertEqual(status, 401)
        self.assertEqual(headers.get("WWW-Authenticate"), 'Bearer realm="shortlink", error="invalid_token"')
        status, headers, _ = self.api.request("GET", "/internal/v1/clicks/watermark?node=a", key="wrong-token")
        self.assertEqual(status, 401)
        self.assertEqual(headers.get("WWW-Authenticate"), 'Bearer realm="shortlink-nodes", error="invalid_token"')

    def test_413_is_logged_and_counted(self):
        big = {"state": "INACTIVE", "title": "x" * (1 << 20)}
        status, _, data = self.api.request("PATCH", "/api/v1/urls/too-big", big, self.key)
        self.assertEqual(status, 413)
        self.assertIn("1 MiB", json.loads(data)["message"])
        line = wait_until(lambda: [l for l in self.group.log("admin.log").splitlines()
                                   if '"status":"413"' in l], what="the 413 in the log")[0]
        entry = json.loads(line)
        self.assertEqual((entry["msg"], entry["method"], entry["route"]),
                         ("request", "PATCH", "/api/v1/urls/{shortUrl}"))
        self.assertEqual(entry["remote"], "127.0.0.1")
        _, _, metrics = self.api.request("GET", "/metrics")
        self.assertRegex(metrics.decode(), re.compile(
            r'^admin_http_requests_total\{route="/api/v1/urls/\{shortUrl\}",method="PATCH",status="413"\} 1$', re.M))

    def test_the_contract_check_catches_wrong_answers(self):
        """The check of SHORTLINK_CONTRACT=1 itself: a document that is wrong
        about a 200's body and a 401's headers fails both answers."""
        if not CONTRACT:
            self.skipTest("SHORTLINK_CONTRACT=1 only")
        with open(OPENAPI) as f:
            doc = f.read()
        clicks = "clicks: {type: integer, minimum: 0}"
        challenge = "WWW-Authenticate: {$ref: '#/components/headers/WWW-Authenticate'}"
        self.assertEqual((doc.count(clicks), doc.count(challenge)), (1, 1))
        wrong = doc.replace(clicks, "clicks: {type: string}").replace(challenge, "X-Challenge" + challenge[16:])
        path = self.group.path("wrong-openapi.yaml")
        with open(path, "w") as f:
            f.write(wrong)
        proxy = ContractProxy(self.group, self.api.port, self.api.cert, document=path)
        with self.assertRaisesRegex(AssertionError, r"response\.body\.clicks"):
            proxy.send("POST", "/api/v1/urls", json.dumps({"longUrl": "https://example.com/checked"}),
                       {"Authorization": "Bearer " + self.key, "Content-Type": "application/json"})
        with self.assertRaisesRegex(AssertionError, r"-> 401: .*response\.header.*x-challenge"):
            proxy.send("GET", "/api/v1/urls", None, {})


if __name__ == "__main__":
    unittest.main()
