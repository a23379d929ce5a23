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
import time
import unittest

BIN = os.environ.get("SHORTLINK_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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

    def start(self, args, log_name):
        log = open(self.path(log_name), "ab")
        self.logs.append(log)
        proc = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
        self.procs.append(proc)
        return proc

    def log(self, log_name):
        with open(self.path(log_name), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def close(self):
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
    def __init__(self, group, port=None):
        self.group = group
        self.port = port or free_port()
        self.proc = None

    def start(self):
        """Starts redis-server and waits until it answers. free_port's port is free when it answers, not
        always when redis-server binds it (tests run in parallel), so a first start checks that the server
        answering is this one and otherwise tries another port; a restart keeps its port."""
        first = self.proc is None
        for attempt in range(5 if first else 1):
            if attempt:
                self.port = free_port()
            os.makedirs(self.group.path("redis"), exist_ok=True)
            self.proc = self.group.start(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no", "--dir", self.group.path("redis")],
                                         "redis.log")
            wait_until(lambda: self.proc.poll() is not None or self.ping(), what="redis-server")
            if self.proc.poll() is None and self._answering():
                return self
            self.kill()
        raise AssertionError("redis-server did not start: " + self.group.log("redis.log")[-2000:])

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
        return self

    def _healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError("admin-api exited: " + self.group.log("admin.log")[-2000:])
        try:
            status, _, _ = self.request("GET", "/healthz")
            return status == 200
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=20)

    def connection(self):
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.cert)
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=30)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, body=None, key=None, headers=None, conn=None):
        own = conn is None
        conn = conn or self.connection()
        h = dict(headers or {})
        if key is not None:
            h["Authorization"] = "Bearer " + key
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
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
