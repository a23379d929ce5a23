"""A private network of Linux network namespaces for the netns test, and the
faults it injects: partitions, delay and loss. Nothing leaves the machine.

Layout (all addresses 10.77.x.y; the bridges live in a "core" namespace so
the root namespace's firewall never sees bridged traffic):

    backbone bridge 10.77.0.0/24: admin (admin-api, Redis, Sentinels) .2,
                                  node i .(10+i)
    front bridge    10.77.1.0/24: the test itself (root namespace) .1,
                                  admin .2, node i .(10+i)

The backbone is the operators' network: nodes reach admin-api and Redis
there, and only there, so the faults are put on a node's backbone link. The
front is where visitors and API users are: the test reaches every process
through it, a cut-off node included (a partitioned node still answers
visitors, from its replica, and keeps their clicks until it is back).

Faults, all on a node's backbone link:
- cut():      the link taken down; the node's sends fail at once.
- impair():   iptables hands its packets to an NFQUEUE that delayer.py
              holds and drops: delay, jitter and loss like tc netem (this
              kernel has no sch_netem), or loss 1.0: a black hole where
              packets vanish and connections hang, as on a dead route.
- heal():     both undone.

Every name starts with PREFIX. One run at a time holds LOCK_FILE (the
subnets are fixed), so whatever carries the prefix when the lock is taken is
left from an aborted run and is removed first, with the processes still
inside and the scratch folder the run wrote into the lock file (keep()).
"""
import fcntl
import os
import shutil
import subprocess
import sys
import time

PREFIX = "slnet"
LOCK_FILE = "/tmp/shortlink-netns.lock"
BACKBONE, FRONT = "10.77.0", "10.77.1"
ADMIN = 2
DELAYER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "delayer.py")
COMMAND_TIMEOUT = 10  # seconds; ip and iptables answer in milliseconds


def run(*args, check=True):
    out = subprocess.run(args, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    if check and out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def in_netns(netns, args):
    """args run inside `netns` (ip netns exec execs them: the pid is the program's)."""
    return ["ip", "netns", "exec", netns] + list(args)


def netns_unavailable():
    """Why this machine cannot run the test (not root, no ip netns), or None."""
    if os.geteuid() != 0:
        return "needs root (ip netns add)"
    probe = f"{PREFIX}-probe-{os.getpid()}"
    try:
        run("ip", "netns", "add", probe)
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
        return f"ip netns is unavailable: {e}"
    run("ip", "netns", "del", probe, check=False)
    return None


class Network:
    """The namespaces, bridges and veth pairs of one run. close() removes
    them all, killing whatever still runs inside."""

    def __init__(self, lock_timeout=300):
        self.lock = open(LOCK_FILE, "a+")
        deadline = time.monotonic() + lock_timeout
        while True:
            try:
                fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"another netns run holds {LOCK_FILE}")
                time.sleep(1)
        self.namespaces = []
        self.uplink = f"{PREFIX}{os.getpid() % 100000}"  # root namespace side: 15 characters at most
        self.remove_stale()

    @staticmethod
    def all_namespaces():
        return [line.split()[0] for line in run("ip", "netns", "list").splitlines() if line.strip()]

    def remove_stale(self):
        stale = [ns for ns in self.all_namespaces() if ns.startswith(PREFIX + "-")]
        for ns in stale:
            self._remove(ns)
        self.lock.seek(0)
        for folder in self.lock.read().split():
            if folder.startswith("/tmp/") and os.path.isdir(folder):
                shutil.rmtree(folder, ignore_errors=True)
                stale.append(folder)
        self.lock.truncate(0)
        if stale:
            print(f"[netns] removed what an aborted run left: {' '.join(stale)}", file=sys.stderr)

    def keep(self, folder):
        """Notes the run's scratch folder: a later run removes it if this one cannot."""
        self.lock.write(folder + "\n")
        self.lock.flush()

    def _remove(self, ns):
        # A process left inside keeps the namespace alive without its name: kill it first.
        for pid in run("ip", "netns", "pids", ns, check=False).split():
            try:
                os.kill(int(pid), 9)
            except ProcessLookupError:
                pass
        run("ip", "netns", "del", ns, check=False)

    def add_namespace(self, name):
        ns = f"{PREFIX}-{name}"
        run("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        run("ip", "-n", ns, "link", "set", "lo", "up")
        return ns

    def build(self, nodes):
        """The core with both bridges, the admin namespace and `nodes` node
        namespaces, each on both bridges; the root namespace on the front."""
        self.core = self.add_namespace("core")
        for bridge in ("backbone", "front"):
            run("ip", "-n", self.core, "link", "add", bridge, "type", "bridge")
            run("ip", "-n", self.core, "link", "set", bridge, "up")
        run("ip", "link", "add", self.uplink, "type", "veth", "peer", "name", "fr-root", "netns", self.core)
        run("ip", "-n", self.core, "link", "set", "fr-root", "master", "front", "up")
        run("ip", "addr", "add", f"{FRONT}.1/24", "dev", self.uplink)
        run("ip", "link", "set", self.uplink, "up")
        self.admin = self.add_namespace("admin")
        self._attach(self.admin, "adm", ADMIN)
        self.nodes = []
        for i in range(1, nodes + 1):
            ns = self.add_namespace(f"node{i}")
            self._attach(ns, f"n{i}", 10 + i)
            self.nodes.append(ns)
        return self

    def _attach(self, ns, short, host):
        for bridge, subnet, inside in (("backbone", BACKBONE, "bb"), ("front", FRONT, "fr")):
            port = f"{inside}-{short}"
            run("ip", "-n", self.core, "link", "add", port, "type", "veth", "peer", "name", inside, "netns", ns)
            run("ip", "-n", self.core, "link", "set", port, "master", bridge, "up")
            run("ip", "-n", ns, "addr", "add", f"{subnet}.{host}/24", "dev", inside)
            run("ip", "-n", ns, "link", "set", inside, "up")

    @staticmethod
    def backbone_address(host):
        return f"{BACKBONE}.{host}"

    @staticmethod
    def front_address(host):
        return f"{FRONT}.{host}"

    # --- faults on a node's backbone link ---

    def cut(self, ns):
        run("ip", "-n", ns, "link", "set", "bb", "down")

    def impair(self, group, ns, delay_ms=0.0, jitter_ms=0.0, loss=0.0):
        """Starts a delayer in `ns` (a process of `group`) and sends the backbone's packets through it,
        both ways. --queue-bypass: were the delayer gone, packets would pass, never hang."""
        proc = group.start(in_netns(ns, [sys.executable, DELAYER, "--delay-ms", str(delay_ms), "--jitter-ms",
                                         str(jitter_ms), "--loss", str(loss)]), f"delayer-{ns}.log")
        deadline = time.monotonic() + 5
        while "delayer on queue" not in group.log(f"delayer-{ns}.log"):  # bound before packets are queued
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"delayer in {ns} did not start: " + group.log(f"delayer-{ns}.log")[-1000:])
            time.sleep(0.02)
        for chain, way in (("INPUT", "-i"), ("OUTPUT", "-o")):
            run(*in_netns(ns, ["iptables", "-A", chain, way, "bb", "-j", "NFQUEUE", "--queue-num", "0",
                               "--queue-bypass"]))
        return proc

    def heal(self, ns, delayer=None):
        run("ip", "-n", ns, "link", "set", "bb", "up")
        for chain in ("INPUT", "OUTPUT"):
            run(*in_netns(ns, ["iptables", "-F", chain]))
        if delayer is not None and delayer.poll() is None:
            delayer.kill()
            delayer.wait(timeout=10)

    def close(self):
        for ns in reversed(self.namespaces):
            self._remove(ns)  # the root namespace's uplink goes with its peer in the core
        self.namespaces = []
        run("ip", "link", "del", self.uplink, check=False)
        self.lock.truncate(0)
        self.lock.close()
