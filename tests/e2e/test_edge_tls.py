"""HTTPS at the edge (issue 22): a real admin-api, redis-server and
redirectors with --tls-listen and a directory of certificates signed by a CA
of the test's own.

Shown here: a link followed over HTTPS, many requests on one connection;
SNI choosing the certificate (exact host, wildcard, the default for no or an
unknown name); an RSA and an ECDSA certificate side by side for one host,
each chosen by the suite the client asks for; exactly the GoGoWorx TLS 1.2
suites offered, TLS 1.3 too and nothing older (Debian's sslscan); session
resumption by ticket for TLS 1.2 and 1.3; the plain port unchanged; SIGHUP
and a file change reloading the certificates while an open connection keeps
being served; a bad certificate refused on reload with the old ones kept;
HSTS and the redirect from HTTP to HTTPS for the hosts that ask for them.
"""
import os
import re
import signal
import socket
import ssl
import subprocess
import time
import unittest

from harness import ApiTestCase, free_port, wait_until
from test_sync import NodesUp, Redirector, redirector_is_wired

# The TLS 1.2 suites of ../shared/reference/gogoworx-api-overview.txt ("Secure Protocol").
DOCUMENTED_TLS12 = {
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384", "AES128-GCM-SHA256", "AES128-SHA256",
    "AES256-GCM-SHA384", "AES256-SHA256",
}


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class CertAuthority:
    """A CA of the test's own, issuing leaf certificates into a directory."""

    def __init__(self, group):
        self.group = group
        self.cert, self.key = group.path("ca.crt"), group.path("ca.key")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=shortlink test CA", "-keyout", self.key, "-out", self.cert)
        self.serial = 1

    def issue(self, directory, name, hosts, kind="rsa"):
        """Writes directory/name.crt (leaf, then the CA) and name.key for `hosts`."""
        key, crt = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".crt")
        csr, ext = self.group.path(name + ".csr"), self.group.path(name + ".ext")
        newkey = ["-newkey", "rsa:2048"] if kind == "rsa" else ["-newkey", "ec", "-pkeyopt",
                                                                 "ec_paramgen_curve:P-256"]
        # Written beside, then renamed: the node's watcher never sees half a file.
        openssl("req", "-new", *newkey, "-nodes", "-subj", f"/CN={hosts[0]}", "-keyout", key + ".tmp",
                "-out", csr)
        with open(ext, "w") as f:
            f.write("subjectAltName=" + ",".join("DNS:" + h for h in hosts) + "\n")
        self.serial += 1
        openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-set_serial",
                str(self.serial), "-days", "2", "-extfile", ext, "-out", crt + ".tmp")
        with open(crt + ".tmp", "a") as out, open(self.cert) as ca:
            out.write(ca.read())
        os.replace(key + ".tmp", key)
        os.replace(crt + ".tmp", crt)
        return leaf_der(crt)


def leaf_der(crt_path):
    with open(crt_path) as f:
        pem = f.read()
    first = pem[:pem.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")]
    return ssl.PEM_cert_to_DER_cert(first)


def client_context(ca=None, ciphers=None, version=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca:
        ctx.load_verify_locations(ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if version:
        ctx.minimum_version = ctx.maximum_version = version
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


class TlsClient:
    """One TLS connection to the edge, speaking HTTP/1.1 by hand."""

    def __init__(self, port, sni, ctx, session=None):
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock = ctx.wrap_socket(raw, server_hostname=sni, session=session)
        self.sni = sni
        self.buf = b""

    def get(self, path, host=None):
        """(status, headers) of GET path on this connection."""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host or self.sni}\r\n\r\n".encode())
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            self.buf += self.sock.recv(65536)
        self.buf = self.buf[length:]
        return int(lines[0].split(" ")[1]), headers

    def peer_der(self):
        return self.sock.getpeercert(binary_form=True)

    def close(self):
        self.sock.close()


def plain_get(port, path, host):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    headers = {line.partition(":")[0].lower(): line.partition(":")[2].strip() for line in lines[1:]}
    return int(lines[0].split(" ")[1]), headers


class TlsNodeTestCase(NodesUp, ApiTestCase):
    """A redirector with a TLS listener on a certificate directory of its own."""

    extra_args = []

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ca = CertAuthority(cls.group)
        cls.cert_dir = cls.group.path(cls.__name__ + "-certs")
        os.makedirs(cls.cert_dir)
        cls.der = {
            "default": cls.ca.issue(cls.cert_dir, "default", ["sho.rt", "www.sho.rt"]),
            "sho-ecdsa": cls.ca.issue(cls.cert_dir, "sho-ecdsa", ["sho.rt", "www.sho.rt"], kind="ecdsa"),
            "wild": cls.ca.issue(cls.cert_dir, "wild", ["*.example.com"]),
            "brand": cls.ca.issue(cls.cert_dir, "brand", ["go.brand.test"]),
        }
        node = Redirector(cls.group, cls.__name__ + "-node", cls.api, cls.redis)
        cls.tls_port = free_port()
        node.args += ["--tls-listen", f"127.0.0.1:{cls.tls_port}", "--tls-cert-dir", cls.cert_dir,
                      "--tls-default-cert", "default", *cls.extra_args]
        cls.node = node.start()
        cls.nodes = [node]

    def setUp(self):
        self.restart_stopped()

    def connect(self, sni, ca=True, **kw):
        session = kw.pop("session", None)
        return TlsClient(self.tls_port, sni, client_context(self.ca.cert if ca else None, **kw), session)


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class EdgeTlsTest(TlsNodeTestCase):
    extra_args = ["--https-redirect", "sho.rt,*.example.com", "--hsts", "sho.rt", "--hsts-max-age", "600"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        status, body = cls.api.json("POST", "/api/v1/urls",
                                    {"longUrl": "https://example.com/tls-target", "shortUrl": "tls1"}, cls.key)
        assert status == 200, body
        wait_until(lambda: cls.node.lookup("tls1")[0] == 302, timeout=10, what="node to serve /tls1")

    def test_a_link_is_followed_over_https_many_times_on_one_connection(self):
        client = self.connect("sho.rt")
        try:
            for _ in range(50):
                status, headers = client.get("/tls1")
                self.assertEqual(status, 302)
                self.assertEqual(headers["location"], "https://example.com/tls-target")
            status, _ = client.get("/no-such-code")
            self.assertEqual(status, 404)
        finally:
            client.close()
        self.assertEqual(self.node.lookup("tls1"), (302, "https://example.com/tls-target"))  # plain port

    def test_sni_chooses_the_certificate_and_unknown_names_get_the_default(self):
        # Verified against our CA with the name asked for: each handshake
        # passing proves the certificate covers it.
        for sni, name in [("sho.rt", "default"), ("a.example.com", "wild"), ("go.brand.test", "brand")]:
            with self.subTest(sni=sni):
                client = self.connect(sni, ciphers="ECDHE-RSA-AES128-GCM-SHA256",
                                      version=ssl.TLSVersion.TLSv1_2)
                self.assertEqual(client.peer_der(), self.der[name])
                client.close()
        for sni in ["unknown.test", "a.b.example.com"]:  # a wildcard covers one label only
            with self.subTest(sni=sni):
                client = self.connect(sni, ca=False, ciphers="ECDHE-RSA-AES128-GCM-SHA256",
                                      version=ssl.TLSVersion.TLSv1_2)
                self.assertEqual(client.peer_der(), self.der["default"])
                client.close()

    def test_rsa_and_ecdsa_certificates_serve_one_host_side_by_side(self):
        ecdsa = self.connect("sho.rt", ciphers="ECDHE-ECDSA-AES128-GCM-SHA256", version=ssl.TLSVersion.TLSv1_2)
        rsa = self.connect("sho.rt", ciphers="ECDHE-RSA-AES256-GCM-SHA384", version=ssl.TLSVersion.TLSv1_2)
        try:
            self.assertEqual(ecdsa.peer_der(), self.der["sho-ecdsa"])
            self.assertEqual(ecdsa.sock.cipher()[0], "ECDHE-ECDSA-AES128-GCM-SHA256")
            self.assertEqual(rsa.peer_der(), self.der["default"])
            self.assertEqual(ecdsa.get("/tls1")[0], 302)
            self.assertEqual(rsa.get("/tls1")[0], 302)
        finally:
            ecdsa.close()
            rsa.close()

    def test_exactly_the_documented_suites_are_offered(self):
        out = subprocess.run(["sslscan", "--no-colour", "--no-fallback", "--no-renegotiation", "--no-compression",
                              "--no-heartbleed", "--no-groups", "--sni-name=sho.rt", "--xml=-",
                              f"127.0.0.1:{self.tls_port}"],
                             check=True, capture_output=True, text=True, timeout=120).stdout
        accepted = re.findall(r'<cipher status="(?:accepted|preferred)" sslversion="([^"]+)"[^>]* cipher="([^"]+)"',
                              out)
        tls12 = {cipher for version, cipher in accepted if version == "TLSv1.2"}
        self.assertEqual(tls12, DOCUMENTED_TLS12, out)
        self.assertTrue(any(version == "TLSv1.3" for version, _ in accepted), out)
        self.assertEqual([v for v, _ in accepted if v not in ("TLSv1.2", "TLSv1.3")], [], out)

    def test_tls_1_1_is_refused(self):
        ctx = client_context()
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        try:
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            TlsClient(self.tls_port, "sho.rt", ctx).get("/tls1")

    def test_sessions_resume_from_tickets_on_tls_1_2_and_1_3(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version=version):
                resumed_before = self.node.metric("redirector_tls_resumed_total")
                ctx = client_context(self.ca.cert, version=version)
                first = TlsClient(self.tls_port, "sho.rt", ctx)
                self.assertEqual(first.get("/tls1")[0], 302)  # TLS 1.3: the ticket comes after the handshake
                session = first.sock.session
                first.close()
                second = TlsClient(self.tls_port, "sho.rt", ctx, session=session)
                self.assertEqual(second.get("/tls1")[0], 302)
                self.assertTrue(second.sock.session_reused)
                if version == ssl.TLSVersion.TLSv1_3:
                    # A TLS 1.3 ticket is used once (RFC 8446 C.4): a resumed
                    # connection brings a fresh one, or the next is a full handshake.
                    self.assertNotEqual(second.sock.session.id, session.id)
                third = TlsClient(self.tls_port, "sho.rt", ctx, session=second.sock.session)
                self.assertEqual(third.get("/tls1")[0], 302)
                self.assertTrue(third.sock.session_reused)
                second.close()
                third.close()
                wait_until(lambda: self.node.metric("redirector_tls_resumed_total") >= resumed_before + 1,
                           timeout=5, what="the resumption counted")

    def test_hsts_is_sent_over_https_to_the_hosts_that_ask_for_it_only(self):
        client = self.connect("sho.rt")
        try:
            self.assertEqual(client.get("/tls1")[1].get("strict-transport-security"), "max-age=600")
            self.assertEqual(client.get("/nothing-here")[1].get("strict-transport-security"), "max-age=600")
        finally:
            client.close()
        client = self.connect("a.example.com")
        try:
            self.assertNotIn("strict-transport-security", client.get("/tls1")[1])
        finally:
            client.close()
        # Never over plain HTTP (RFC 6797: a browser ignores it there).
        self.assertNotIn("strict-transport-security", plain_get(self.node.port, "/tls1", "go.brand.test")[1])

    def test_plain_http_redirects_to_https_for_the_hosts_that_ask_for_it(self):
        status, headers = plain_get(self.node.port, "/tls1?x=1", "sho.rt")
        self.assertEqual(status, 308)
        self.assertEqual(headers["location"], "https://sho.rt/tls1?x=1")
        status, headers = plain_get(self.node.port, "/tls1", "shop.example.com:8080")
        self.assertEqual((status, headers["location"]), (308, "https://shop.example.com/tls1"))
        # A host not listed is served over plain HTTP as before.
        self.assertEqual(plain_get(self.node.port, "/tls1", "go.brand.test")[0], 302)


@unittest.skipUnless(redirector_is_wired(), "redirector does not take --admin-url yet")
class EdgeTlsReloadTest(TlsNodeTestCase):
    def test_sighup_reloads_while_open_connections_keep_being_served(self):
        self.create_served("reload1")
        old = self.connect("go.brand.test")
        try:
            self.assertEqual(old.peer_der(), self.der["brand"])
            new_der = self.ca.issue(self.cert_dir, "brand", ["go.brand.test"])
            self.node.proc.send_signal(signal.SIGHUP)

            def sees_new():
                c = self.connect("go.brand.test")
                try:
                    return c.peer_der() == new_der
                finally:
                    c.close()

            wait_until(sees_new, timeout=10, what="new connections to get the new certificate")
            self.assertEqual(old.get("/reload1")[0], 302)  # the open connection goes on
            self.der["brand"] = new_der
        finally:
            old.close()

    def test_a_new_file_is_picked_up_without_a_signal(self):
        der = self.ca.issue(self.cert_dir, "fresh", ["fresh.example.org"])

        def served():
            try:
                c = self.connect("fresh.example.org")
            except ssl.SSLCertVerificationError:
                return False
            try:
                return c.peer_der() == der
            finally:
                c.close()

        wait_until(served, timeout=10, what="the watcher to load fresh.crt")

    def test_a_bad_certificate_is_refused_and_the_old_ones_stay(self):
        failures = self.node.metric("redirector_tls_reload_failures")
        with open(os.path.join(self.cert_dir, "broken.crt"), "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        with open(os.path.join(self.cert_dir, "broken.key"), "w") as f:
            f.write("no key\n")
        try:
            self.node.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: self.node.metric("redirector_tls_reload_failures") > failures, timeout=10,
                       what="the failed reload counted")
            client = self.connect("sho.rt", ciphers="ECDHE-RSA-AES128-GCM-SHA256", version=ssl.TLSVersion.TLSv1_2)
            self.assertEqual(client.peer_der(), self.der["default"])
            self.assertEqual(client.get("/none")[0], 404)
            client.close()
            self.assertIsNone(self.node.proc.poll())
        finally:
            os.remove(os.path.join(self.cert_dir, "broken.crt"))
            os.remove(os.path.join(self.cert_dir, "broken.key"))
        time.sleep(0.1)


if __name__ == "__main__":
    unittest.main()
