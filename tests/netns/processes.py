"""The e2e harness's processes (tests/e2e/harness.py, test_sync.Redirector),
each started inside a network namespace of network.py and reached over the
front network instead of 127.0.0.1.

Only what differs is here: where a process runs and listens (NetnsGroup),
and where the test connects to it (the *_connection / ops / query
overrides). Starting, waiting for health and reading metrics are the
harness's own.
"""
import http.client
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import AdminApi, ProcessGroup, Redis, RespConnection  # noqa: E402
from network import ADMIN, Network, in_netns  # noqa: E402
from test_sync import Redirector  # noqa: E402

MASTER = "shortlink"  # the Sentinels' name for the Redis primary
LISTEN_FLAGS = ("--listen", "--ops-listen", "--bind")


class NetnsGroup(ProcessGroup):
    """A ProcessGroup whose processes, by log name, run in a namespace and
    listen on its address (the harness writes 127.0.0.1 into their flags)."""

    def __init__(self):
        super().__init__()
        self.placement = {}  # log name -> (namespace, host to listen on)

    def place(self, log_name, netns, host):
        self.placement[log_name] = (netns, host)

    def start(self, args, log_name, env=None):
        if log_name in self.placement:
            netns, host = self.placement[log_name]
            args = [host + arg[len("127.0.0.1"):] if i and args[i - 1] in LISTEN_FLAGS and
                    arg.startswith("127.0.0.1") else arg for i, arg in enumerate(args)]
            args = in_netns(netns, args)
        return super().start(args, log_name, env)


class RespAt(RespConnection):
    """harness.RespConnection to a host other than 127.0.0.1."""

    def __init__(self, host, port, timeout=5):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""


class NetnsRedis(Redis):
    """A redis-server in the admin namespace, on all its addresses: the nodes
    reach it on the backbone, the test on the front."""

    def __init__(self, group, netns, name="redis"):
        super().__init__(group, name=name)
        group.place(name + ".log", netns, "0.0.0.0")

    def server_args(self):
        # Protected mode refuses other hosts when no password is set; this network is private.
        return super().server_args() + ["--protected-mode", "no"]

    def query(self, command):
        try:
            with RespAt(Network.front_address(ADMIN), self.port, timeout=0.5) as c:
                return c.command(command)
        except (OSError, ValueError):
            return None

    @property
    def address(self):
        return f"{Network.backbone_address(ADMIN)}:{self.port}"


class Sentinel(NetnsRedis):
    """A redis-sentinel in the admin namespace watching `primary`."""

    def __init__(self, group, netns, name, primary, down_after_ms=1000):
        super().__init__(group, netns, name)
        self.primary, self.down_after_ms = primary, down_after_ms

    def server_args(self):
        conf = os.path.join(self.dir, "sentinel.conf")  # a sentinel rewrites its file: one each
        primary_host, primary_port = self.primary.address.split(":")
        with open(conf, "w") as f:
            f.write(f"port {self.port}\nbind 0.0.0.0\nprotected-mode no\ndir {self.dir}\n"
                    f"sentinel monitor {MASTER} {primary_host} {primary_port} 2\n"
                    f"sentinel down-after-milliseconds {MASTER} {self.down_after_ms}\n")
        return ["redis-sentinel", conf]


class NetnsAdminApi(AdminApi):
    """admin-api (plain HTTP: the harness's certificate names 127.0.0.1 only)
    in the admin namespace, listening on all its addresses."""

    def __init__(self, group, netns, extra):
        super().__init__(group, None, tls=False, extra=extra)
        group.place("admin.log", netns, "0.0.0.0")

    def direct_connection(self):
        return http.client.HTTPConnection(Network.front_address(ADMIN), self.port, timeout=30)


class NetnsRedirector(Redirector):
    """Node `index` in its namespace: admin-api, Redis and the Sentinels on
    the backbone, its redirect and ops ports on the front."""

    def __init__(self, group, index, netns, api, redis, extra=()):
        super().__init__(group, f"node{index}", api, redis, admin_host=Network.backbone_address(ADMIN))
        self.index, self.netns = index, netns
        self.host = Network.front_address(10 + index)
        self.args += list(extra)
        group.place(self.name + ".log", netns, self.host)

    def connection(self, port=None, timeout=5):
        return http.client.HTTPConnection(self.host, port or self.port, timeout=timeout)

    def ops(self, path):
        conn = self.connection(self.ops_port)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def lookup(self, code, conn=None):
        """(status, Location) of /code by HEAD: a probe, never a click (test_sync's asks by GET)."""
        own = conn is None
        conn = conn or self.connection()
        try:
            conn.request("HEAD", "/" + code)
            resp = conn.getresponse()
            resp.read()
            return resp.status, resp.getheader("Location")
        finally:
            if own:
                conn.close()
