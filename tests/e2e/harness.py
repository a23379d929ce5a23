"""Helpers for end-to-end tests: real processes on loopback, temp dirs.

Every process started here is killed when the test's ProcessGroup closes, and
every wait has a deadline, so a failing test never hangs CI or leaks servers.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

BIN = os.environ.get("SHORTLINK_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# SHORTLINK_CONTRACT=1: every AdminApi talks through a Prism validating proxy
# (tests/npm) started in front of it, and every answer is checked against
# admin-api/openapi.yaml (ContractProxy). ctest runs the API tests so
# ("e2e:contract"); tests that open their own sockets still reach the server.
CONTRACT = os.environ.get("SHORTLINK_CONTRACT") == "1"
OPENAPI = os.environ.get("SHORTLINK_OPENAPI", os.path.join(ROOT, "admin-api", "openapi.yaml"))
PRISM = os.path.join(ROOT, "tests", "npm", "node_modules", ".bin", "prism")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of_path(port, path, method="GET", timeout=10, headers=None):
    """The status of one request for `path` on 127.0.0.1:port, on a fresh
    connection (redirects not followed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def read_until_closed(sock, enough=None, stop_on=(socket.timeout,)):
    """All that `sock` sends until the peer closes, until enough(bytes so far)
    is true, or until one of the `stop_on` exceptions (a timeout by default)
    ends the read: a test of a misbehaving server wants what came before it."""
    chunks = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if enough is not None and enough(b"".join(chunks)):
                break
    except stop_on:
        pass
    return b"".join(chunks)


class Repeating:
    """A with block during which `threads` threads each call step(index, n),
    n = 0, 1, ..., over and over; leaving the block stops and joins them. A
    thread ends at its first exception, which lands in .errors: an assertion
    that fails in a thread fails no test, so the test checks .errors."""

    def __init__(self, step, threads=2):
        self.step = step
        self.errors = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, index):
        n = 0
        try:
            while not self._stop.is_set():
                self.step(index, n)
                n += 1
        except Exception as e:  # surfaced through .errors
            self.errors.append(e)

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)
        return False


def wait_until(predicate, timeout=10.0, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class ProcessGroup:
    """Owns a temp dir and the processes started in it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="shortlink-e2e-")
        self.procs = []
        self.logs = []

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def start(self, args, log_name, env=None):
        log = open(self.path(log_name), "ab")
        self.logs.append(log)
        proc = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True, env=env)
        self.procs.append(proc)
        return proc

    def log(self, log_name):
        with open(self.path(log_name), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def close(self):
        unreported = [v for proxy in getattr(self, "proxies", []) for v in proxy.unreported()]
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for log in self.logs:
            log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if unreported:  # from threads, where raising fails nothing
            raise AssertionError("contract violations:\n" + "\n".join(unreported))


def make_cert(group):
    cert, key = group.path("tls.pem"), group.path("tls.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


class RespConnection:
    """A minimal Redis client connection (RESP2): send a command, read its reply."""

    def __init__(self, port, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def command(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self._read_value()

    def _read_line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _read_exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _read_value(self):
        line = self._read_line()
        kind, rest = line[:1], line[1:]
        if kind == b"*":
            return [self._read_value() for _ in range(int(rest))]
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._read_exact(n)
        if kind == b":":
            return int(rest)
        return rest

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RespSubscriber(RespConnection):
    """A minimal Redis SUBSCRIBE client, enough to watch a channel."""

    def __init__(self, port, channel):
        super().__init__(port)
        self.command(f"SUBSCRIBE {channel}")  # the subscribe confirmation

    def next_message(self, timeout=5):
        self.sock.settimeout(timeout)
        value = self._read_value()
        return value[2]


class Redis:
    """A redis-server in its own folder of the group (`name`: its folder and log)."""

    def __init__(self, group, port=None, name="redis"):
        self.group, self.name = group, name
        self.port = port or free_port()
        self.proc = None

    @property
    def dir(self):
        return self.group.path(self.name)

    def server_args(self):
        """The command line for self.port (a subclass may make a replica or a sentinel)."""
        return ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.dir]

    def start(self):
        """Starts the server and waits until it answers. free_port's port is free when it answers, not
        always when the server binds it (tests run in parallel), so a first start checks that the server
        answering is this one and otherwise tries another port; a restart keeps its port."""
        first = self.proc is None
        for attempt in range(5 if first else 1):
            if attempt:
                self.port = free_port()
            os.makedirs(self.dir, exist_ok=True)
            self.proc = self.group.start(self.server_args(), self.name + ".log")
            wait_until(lambda: self.proc.poll() is not None or self.ping(), what=self.name)
            if self.proc.poll() is None and self._answering():
                return self
            self.kill()
        raise AssertionError(f"{self.name} did not start: " + self.group.log(self.name + ".log")[-2000:])

    def query(self, command):
        """One command's reply, or None when nothing answers."""
        try:
            with RespConnection(self.port, timeout=0.5) as c:
                return c.command(command)
        except (OSError, ValueError):
            return None

    def ping(self):
        return self.query("PING") == b"PONG"

    def _answering(self):
        """Whether this object's process is the one answering on the port."""
        info = self.query("INFO server")
        return isinstance(info, bytes) and f"process_id:{self.proc.pid}\r".encode() in info

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"


class Headers(dict):
    """Response headers, looked up without regard to case: Prism (Node)
    sends header names in lower case, the server in its own."""

    def __init__(self, pairs):
        super().__init__((k.lower(), v) for k, v in pairs)

    def __getitem__(self, name):
        return super().__getitem__(name.lower())

    def __contains__(self, name):
        return super().__contains__(name.lower())

    def get(self, name, default=None):
        return super().get(name.lower(), default)

    def pop(self, name, *default):
        return super().pop(name.lower(), *default)


class ContractProxy:
    """A Prism validating proxy (`prism proxy openapi.yaml https://admin-api`)
    that checks each request and answer against the OpenAPI document.

    Prism runs without --errors: it forwards every request, the deliberately
    invalid ones of the bad-input tests included (with --errors it answers
    those itself, 422, and the server's answer is never seen), and reports
    what it found in an `sl-violations` header. check() then fails on:
    - any violation of the answer, whatever its status or severity (Prism
      rates an undeclared non-2xx status a mere warning, and --errors acts
      on errors only);
    - a request the document calls invalid that the server accepted (< 400):
      the document is stricter than the server, or the server too lax;
    - a method and path the document does not describe, answered with
      anything but 404 or 405;
    - an error of Prism itself (application/problem+json).
    """

    # Binary bodies (the node protocol): Prism reads answers as text, which
    # would garble them; the test gets the server's own answer, Prism a copy
    # of the request to check.
    BINARY_PATHS = ("/internal/v1/changes", "/internal/v1/snapshot")

    def __init__(self, group, upstream_port, cert, document=None):
        if not os.access(PRISM, os.X_OK) or not shutil.which("node"):
            raise AssertionError(f"SHORTLINK_CONTRACT=1 needs node and {PRISM}: run scripts/install-deps.sh")
        self.group = group
        self.port = free_port()
        self.violations = []
        self.reported = 0
        self.checked = 0
        self.lock = threading.Lock()
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=cert) if cert else dict(os.environ)
        scheme = "https" if cert else "http"
        self.proc = group.start([PRISM, "proxy", document or OPENAPI, f"{scheme}://127.0.0.1:{upstream_port}",
                                 "--host", "127.0.0.1", "--port", str(self.port), "--errors=false",
                                 "--cors=false", "--verboseLevel", os.environ.get("SHORTLINK_PRISM_LOG", "warn")], f"prism-{self.port}.log", env=env)
        group.proxies = getattr(group, "proxies", []) + [self]
        wait_until(self._listening, timeout=30, what="prism proxy")

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError("prism exited: " + self.group.log(f"prism-{self.port}.log")[-2000:])
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    @staticmethod
    def faithful_json(body):
        """Whether Prism, which parses a JSON body and serializes it again in
        JavaScript, sends the server what the test sent: no floats (1.0
        becomes 1), integers JavaScript holds exactly, no repeated keys."""
        def pairs(items):
            keys = [k for k, _ in items]
            if len(keys) != len(set(keys)):
                raise ValueError("repeated key")
            return dict(items)

        def exact(value):
            if isinstance(value, bool) or value is None or isinstance(value, str):
                return True
            if isinstance(value, int):
                return abs(value) <= 2 ** 53
            if isinstance(value, float):
                return False
            if isinstance(value, list):
                return all(exact(v) for v in value)
            return all(exact(v) for v in value.values())

        try:
            return exact(json.loads(body, object_pairs_hook=pairs, parse_float=float))
        except (ValueError, RecursionError):
            return False

    def send(self, method, path, body, headers, conn=None):
        """Sends one request through Prism; returns (status, headers, data),
        or None when Prism cannot carry it as it is (a body that is not
        UTF-8): the caller then asks the server directly."""
        h = dict(headers)
        if body is not None:
            raw = body.encode() if isinstance(body, str) else body
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return None
            content_type = next((v for k, v in h.items() if k.lower() == "content-type"), "")
            if "json" in content_type and not self.faithful_json(raw):
                # Sent as text, Prism forwards the bytes unchanged.
                h = {k: v for k, v in h.items() if k.lower() != "content-type"}
        own = conn is None
        conn = conn or self.connection()
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            if own:
                raise
            # Node closes idle keep-alive connections after 5 s, admin-api
            # after 30: a kept connection the server would still serve was
            # closed by Prism before this request reached it. Once more, anew.
            conn.close()
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
        data = resp.read()
        if own:
            conn.close()
        out = Headers(resp.getheaders())
        if "problem+json" in out.get("content-type", "") and b"FetchError" in data:
            # Prism could not reach the server (killed by the test, say): what
            # the test would have seen without Prism.
            raise ConnectionResetError(data[:300].decode("utf-8", "replace"))
        self.check(method, path, resp.status, out, data)
        out.pop("sl-violations", None)
        return resp.status, out, data

    def check(self, method, path, status, headers, data):
        found = []
        if "problem+json" in headers.get("content-type", ""):
            found.append(f"Prism failed: {data[:500]!r}")
        raw = headers.get("sl-violations")
        violations = []
        if raw:
            try:
                violations = json.loads(raw)
            except ValueError:
                found.append(f"violations Prism could not list: {raw[:500]}")
        for v in violations:
            where = ".".join(str(p) for p in v.get("location", []))
            text = f"{v.get('severity')} at {where}: {v.get('message')}"
            if v.get("message") == "Selected route not found":
                if status not in (404, 405):
                    found.append(f"undocumented operation answered {status}")
            elif where.startswith("response"):
                found.append(text)
            elif status < 400:
                found.append(f"accepted ({status}) a request the document calls invalid: {text}")
        with self.lock:
            self.checked += 1
            for f in found:
                self.violations.append(f"{method} {path} -> {status}: {f}")
                if os.environ.get("SHORTLINK_CONTRACT_LOG"):  # every violation, for a report
                    with open(os.environ["SHORTLINK_CONTRACT_LOG"], "a") as log:
                        log.write(self.violations[-1] + "\n")
            new = self.violations[self.reported:]
            if new and threading.current_thread() is threading.main_thread():
                self.reported = len(self.violations)
                raise AssertionError("contract violations (admin-api/openapi.yaml):\n" + "\n".join(new))

    def unreported(self):
        with self.lock:
            return self.violations[self.reported:]


class AdminApi:
    def __init__(self, group, redis=None, tls=True, extra=(), data_dir=None, node_token="node-token-0123456789abcdef"):
        self.group = group
        self.port = free_port()
        self.redis = redis
        self.tls = tls
        self.extra = list(extra)
        self.data_dir = data_dir or group.path("admin-data")
        self.node_token = node_token
        self.token_file = group.path("node-token")
        with open(self.token_file, "w") as f:
            f.write(node_token + "\n")
        self.cert = self.key = None
        if tls:
            self.cert, self.key = make_cert(group)
        self.proc = None
        self.proxy = None

    def bootstrap(self, email="admin@example.com"):
        out = subprocess.run([os.path.join(BIN, "admin-api"), "bootstrap", "--data-dir", self.data_dir,
                              "--email", email], check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def start(self):
        args = [os.path.join(BIN, "admin-api"), "serve", "--data-dir", self.data_dir,
                "--listen", f"127.0.0.1:{self.port}", "--node-token-file", self.token_file,
                "--public-url", "https://sho.rt",
                "--redis", self.redis.address if self.redis else ""]
        args += ["--tls-cert", self.cert, "--tls-key", self.key] if self.tls else ["--plain-http"]
        self.proc = self.group.start(args + self.extra, "admin.log")
        wait_until(lambda: self._healthy(), timeout=20, what="admin-api /healthz")
        if CONTRACT and self.proxy is None:  # one proxy for the object's life, restarts included
            self.proxy = ContractProxy(self.group, self.port, self.cert)
        return self

    def _healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError("admin-api exited: " + self.group.log("admin.log")[-2000:])
        try:
            status, _, _ = self.request("GET", "/healthz", direct=True)
            return status == 200
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=20)

    def connection(self):
        """A connection for request(conn=...): to the contract proxy when there is one."""
        if self.proxy:
            return self.proxy.connection()
        return self.direct_connection()

    def direct_connection(self):
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.cert)
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=30)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, body=None, key=None, headers=None, conn=None, direct=False):
        h = dict(headers or {})
        if key is not None:
            h["Authorization"] = "Bearer " + key
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        if self.proxy and not direct:
            if path.split("?")[0] in ContractProxy.BINARY_PATHS:
                self.proxy.send(method, path, body, h)  # checked; the bytes come from the server
                conn = None
            else:
                answer = self.proxy.send(method, path, body, h, conn=conn)
                if answer is not None:
                    return answer
                conn = None  # a body Prism cannot carry: to the server, unchecked
        own = conn is None
        conn = conn or self.direct_connection()
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        if own:
            conn.close()
        return resp.status, dict(resp.getheaders()), data

    def json(self, method, path, body=None, key=None, **kw):
        status, headers, data = self.request(method, path, body, key, **kw)
        return status, (json.loads(data) if data else None)


# --- the binary encodings of common/include/common/{wire,link,change}.h ---

def read_varint(data, pos):
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def split_frames(data):
    frames, pos = [], 0
    while pos < len(data):
        n, pos = read_varint(data, pos)
        frames.append(data[pos:pos + n])
        pos += n
    return frames


LINK_TAGS = {1: "code", 2: "longUrl", 3: "state", 4: "owner", 5: "clicks", 6: "createdAt", 7: "updatedAt", 8: "isFile"}


def decode_link(data):
    link, pos = {}, 0
    while pos < len(data):
        tag = data[pos]
        n, pos = read_varint(data, pos + 1)
        field = data[pos:pos + n]
        pos += n
        name = LINK_TAGS.get(tag)
        if name in ("code", "longUrl"):
            link[name] = field.decode()
        elif name:
            link[name] = read_varint(field, 0)[0]
    return link


def decode_change(data):
    seq, pos = read_varint(data, 0)
    op = {1: "upsert", 2: "delete"}[data[pos]]
    return {"seq": seq, "op": op, "link": decode_link(data[pos + 1:])}


class ApiTestCase(unittest.TestCase):
    """A redis-server and a TLS admin-api shared by the tests of a class, with
    the admin's key in cls.key. The rate limit is raised: these tests are about
    behaviour, not throttling. Subclasses extend setUpClass after super()."""

    @classmethod
    def setUpClass(cls):
        cls.group = ProcessGroup()
        cls.redis = Redis(cls.group).start()
        cls.api = AdminApi(cls.group, cls.redis, extra=["--rate-limit", "100000"])
        cls.key = cls.api.bootstrap()
        cls.api.start()

    @classmethod
    def tearDownClass(cls):
        cls.group.close()
