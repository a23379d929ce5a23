"""Shared helpers for the bench/ scripts (Python 3 stdlib only).

- tools: installs what a script needs with apt-get when missing;
- links: deterministic, realistic short codes and ~85-byte https URLs, streamed
  (10M links never sit in a Python list);
- processes: the e2e harness (tests/e2e/harness.py) for Redis and admin-api,
  and tests/e2e/test_sync.py's Redirector for nodes, plus /proc readings
  (VmRSS, utime+stime) and a fast raw-socket HTTP client for polling;
- RESULTS.md: each script owns one section between markers and rewrites only
  that section, so any script can be re-run alone.
"""
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import harness  # noqa: E402
from harness import BIN, AdminApi, ProcessGroup, Redis, wait_until  # noqa: E402,F401

RESULTS = os.path.join(HERE, "RESULTS.md")
CLK_TCK = os.sysconf("SC_CLK_TCK")
ADMIN_EMAIL = "admin@example.com"


def log(*args):
    print(time.strftime("[%H:%M:%S]"), *args, file=sys.stderr, flush=True)


def verdict(ok):
    return "MET" if ok else "BELOW"


# --- tools -------------------------------------------------------------------

_apt_updated = False


def ensure_tools(tools, optional=()):
    """tools: {command: debian package}. Installs the missing ones with apt-get
    (as root, or through sudo). Optional tools that fail to install are skipped;
    returns the set of commands available afterwards."""
    global _apt_updated
    missing = {cmd: pkg for cmd, pkg in tools.items() if not shutil.which(cmd) and not _sbin(cmd)}
    missing_opt = {cmd: pkg for cmd, pkg in dict(optional).items() if not shutil.which(cmd) and not _sbin(cmd)}
    for group, required in ((missing, True), (missing_opt, False)):
        if not group:
            continue
        pkgs = sorted(set(group.values()))
        prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
        if prefix is None:
            if required:
                sys.exit(f"missing {', '.join(group)}: install {' '.join(pkgs)} (apt-get needs root)")
            continue
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        log(f"installing {' '.join(pkgs)} with apt-get")
        cmd = prefix + ["apt-get", "install", "-y", "--no-install-recommends"] + pkgs
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if r.returncode != 0 and not _apt_updated:
            subprocess.run(prefix + ["apt-get", "update"], env=env, capture_output=True, timeout=900)
            _apt_updated = True
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if r.returncode != 0 and required:
            sys.exit(f"apt-get install {' '.join(pkgs)} failed:\n{r.stderr[-2000:]}")
    return {cmd for cmd in list(tools) + list(dict(optional)) if shutil.which(cmd) or _sbin(cmd)}


def _sbin(cmd):
    for d in ("/usr/sbin", "/sbin"):
        if os.access(os.path.join(d, cmd), os.X_OK):
            return os.path.join(d, cmd)
    return None


def which(cmd):
    return shutil.which(cmd) or _sbin(cmd)


def check_binaries():
    for exe in ("admin-api", "redirector"):
        if not os.access(os.path.join(BIN, exe), os.X_OK):
            sys.exit(f"{os.path.join(BIN, exe)} is missing: build first with\n"
                     "  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j\n"
                     "(or point SHORTLINK_BIN at a directory holding admin-api and redirector)")


# --- time bound ----------------------------------------------------------------

class Deadline(Exception):
    pass


def bound_runtime(seconds):
    """Raise Deadline in the main thread after `seconds`: every script ends,
    and its finally-blocks kill what it started."""
    def fire(signum, frame):
        raise Deadline(f"run exceeded its {seconds} s bound")
    signal.signal(signal.SIGALRM, fire)
    signal.alarm(int(seconds))
    # SIGTERM (e.g. from run_all.sh's timeout) unwinds the same way.
    def term(signum, frame):
        raise Deadline("SIGTERM")
    signal.signal(signal.SIGTERM, term)


# --- links ---------------------------------------------------------------------

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_CODE_SPACE = 36 ** 8
_CODE_MULT = 1743392200891  # ~0.618 of the space, coprime with 36: a bijection that scatters
_RESERVED = {"internal", "settings", "dashboard"}  # the 8-character reserved words and neighbours
_SITES = ["www.example-news", "blog.example-shop", "www.example-gov", "docs.example-cloud",
          "www.example-travel", "shop.example-store", "www.example-media", "events.example-city"]
_TLDS = [".com", ".org", ".net", ".com", ".co.uk", ".io", ".gov.sg", ".de"]
_SECTIONS = ["articles", "products", "news/local", "events", "campaigns", "p", "stories", "help/kb"]
_WORDS = ["city", "council", "budget", "summer", "sale", "guide", "report", "annual", "new", "health",
          "housing", "grant", "apply", "now", "open", "day", "trail", "recipe", "launch", "notice",
          "school", "transport", "update", "faq", "vote", "festival", "market", "water", "energy", "jobs"]
_QUERIES = ["", "?utm_source=newsletter", "?ref=sms", "?utm_campaign=q4&utm_medium=email", "", "?id="]


def code_for(i):
    """The i-th code: 8 characters of [a-z0-9] like the API's random codes;
    a bijection of i (so all distinct) that looks random."""
    x = (i * _CODE_MULT + 0x5DEECE66D) % _CODE_SPACE
    out = []
    for _ in range(8):
        x, r = divmod(x, 36)
        out.append(_ALPHABET[r])
    return "".join(out)


def url_for(i, version=0):
    """A realistic https URL for link i, about 85 bytes on average."""
    h = ((i + 1) * 0x9E3779B97F4A7C15 + version * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    w = _WORDS
    site = _SITES[h & 7] + str((h >> 3) % 100) + _TLDS[(h >> 10) & 7]
    slug = "-".join((w[(h >> 13) % 30], w[(h >> 18) % 30], w[(h >> 23) % 30]))
    q = _QUERIES[(h >> 28) % 6]
    if q == "?id=":
        q += str((h >> 31) % 1000000)
    v = f"/v{version}" if version else ""
    return f"https://{site}/{_SECTIONS[(h >> 33) & 7]}/{2020 + (h >> 36) % 6}/{1 + (h >> 40) % 12:02d}/{slug}-{i}{v}{q}"


def links(n):
    """(code, url) for links 0..n-1, skipping the (improbable) reserved words."""
    for i in range(n):
        c = code_for(i)
        if c not in _RESERVED:
            yield c, url_for(i)


def domain_hosts(domains):
    """The custom domains of a run over `domains` domains (the default one first, not named)."""
    return [f"d{k}.example" for k in range(1, domains)]


def domain_for(i, domains):
    """The domain of link i when links are spread over `domains` domains: "" (the
    default one) for every domains-th link, else a custom domain, in turn."""
    k = i % domains
    return "" if k == 0 else f"d{k}.example"


def write_csv(path, n, domains=1):
    """`admin-api import` CSV of links 0..n-1; with domains > 1, a domain column
    spreads them evenly over the default domain and domain_hosts(domains)."""
    count = total = 0
    with open(path, "w", buffering=1 << 20) as f:
        f.write("shortUrl,longUrl\n" if domains == 1 else "shortUrl,longUrl,domain\n")
        for i in range(n):
            c = code_for(i)
            if c in _RESERVED:
                continue
            u = url_for(i)
            f.write(f"{c},{u}\n" if domains == 1 else f"{c},{u},{domain_for(i, domains)}\n")
            count += 1
            total += len(u)
    return count, (total / count if count else 0)


def import_csv(data_dir, csv_path, timeout=3600):
    """`admin-api import` (offline: admin-api must not be running). Returns seconds."""
    t = time.perf_counter()
    r = subprocess.run([os.path.join(BIN, "admin-api"), "import", "--data-dir", data_dir, "--email", ADMIN_EMAIL,
                        csv_path], capture_output=True, text=True, timeout=timeout)
    secs = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"admin-api import failed ({r.returncode}): {r.stderr[-2000:]}")
    return secs, r.stdout + r.stderr


# --- processes -----------------------------------------------------------------

def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _stat_cpu_seconds(stat_text):
    """utime+stime, in seconds, from the text of a /proc/.../stat file."""
    fields = stat_text.rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of stat(5)


def proc_cpu_seconds(pid):
    """utime+stime of the whole process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        return _stat_cpu_seconds(f.read())


def thread_cpu_seconds(pid):
    """utime+stime per thread name of a process, in seconds (threads sharing a name are summed)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except OSError:
            continue  # the thread exited
        name = text[text.index("(") + 1:text.rindex(")")]
        out[name] = out.get(name, 0) + _stat_cpu_seconds(text)
    return out


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def pin(pid, cpus, all_threads=True):
    args = ["taskset", "-a", "-p", "-c", cpus, str(pid)] if all_threads else ["taskset", "-p", "-c", cpus, str(pid)]
    subprocess.run(args, check=True, capture_output=True, timeout=10)


def make_admin(group, redis, tls=False):
    api = AdminApi(group, redis, tls=tls,
                   extra=["--rate-limit", "1000000000", "--threads", "2", "--log-level", "warn"])
    api.key = api.bootstrap(ADMIN_EMAIL)  # bootstrap needs the data dir free: done before any start
    return api


def start_admin(api, timeout=120):
    """AdminApi.start with a longer bound (opening 10M links takes a while)."""
    try:
        return api.start()
    except AssertionError:
        if api.proc is None or api.proc.poll() is not None:
            raise
    wait_until(api._healthy, timeout=timeout, what="admin-api /healthz")
    return api


def make_node(group, name, api, redis, threads=1, extra=()):
    from test_sync import Redirector  # tests/e2e: the nodes as the e2e tests start them
    node = Redirector(group, name, api, redis)
    i = node.args.index("--threads")
    node.args[i + 1] = str(threads)
    node.args += ["--log-level", "warn"] + list(extra)
    return node


def start_node(node, timeout=600, links=None):
    """Starts `node`, waits for /healthz 200 (and for redirector_links == links
    when given). Returns seconds from spawn to /healthz 200."""
    t = time.perf_counter()
    node.proc = node.group.start(node.args, node.name + ".log")
    wait_until(node.healthy, timeout=timeout, interval=0.005, what=f"{node.name} /healthz")
    ready = time.perf_counter() - t
    if links is not None:
        wait_until(lambda: node.metric("redirector_links") == links, timeout=timeout, interval=0.05,
                   what=f"{node.name} redirector_links == {links}")
    return ready


def stop(proc, sig=signal.SIGTERM, timeout=60):
    if proc is None or proc.poll() is not None:
        return proc.returncode if proc else None
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(timeout=10)


def kill_tree(proc):
    """SIGKILL a process's whole session (it was started with start_new_session):
    nginx workers outlive a SIGKILLed master otherwise."""
    if proc is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


# --- a fast HTTP/1.1 client for polling (keep-alive, no allocation games) ------

class RawHttp:
    def __init__(self, port, host="127.0.0.1", timeout=5):
        self.addr = (host, port)
        self.timeout = timeout
        self.sock = None
        self.buf = b""

    def _connect(self):
        self.sock = socket.create_connection(self.addr, timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def get(self, path, host="bench"):
        """(status, location or None) for GET path."""
        for attempt in (0, 1):
            try:
                if self.sock is None:
                    self._connect()
                self.sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
                return self._read()
            except (OSError, ConnectionError):
                self.close()
                if attempt:
                    raise

    def _read(self):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        location, length, close = None, 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"location":
                location = value.strip().decode()
            elif name == b"content-length":
                length = int(value)
            elif name == b"connection" and b"close" in value.lower():
                close = True
        while len(self.buf) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        self.buf = self.buf[length:]
        if close:
            self.close()
        return status, location

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None


# --- RESULTS.md ------------------------------------------------------------------

_HEADER = """# Benchmark results

Regenerated by the scripts in bench/ (`bench/run_all.sh` runs them all); each
script rewrites only its own section. Figures depend on the machine and on what
else runs on it: compare ratios measured in one run, not absolute numbers
across machines.
"""


HALT_POLL = "/sys/module/haltpoll/parameters/guest_halt_poll_ns"


def guest_idle():
    """How an idle virtual CPU of this machine waits: the cpuidle driver and, with
    the guest haltpoll driver, how long it polls before it halts (a halted vCPU
    needs the hypervisor to wake it, which can take milliseconds)."""
    try:
        with open("/sys/devices/system/cpu/cpuidle/current_driver") as f:
            driver = f.read().strip()
    except OSError:
        return "cpuidle driver unknown"
    if driver != "haltpoll":
        return f"cpuidle driver {driver}"
    with open(HALT_POLL) as f:
        return f"cpuidle haltpoll, guest_halt_poll_ns {f.read().strip()}"


class GuestHaltPoll:
    """Sets the guest haltpoll driver's polling time (apply), and puts the old
    value back (restore; root only; the driver must be loaded)."""

    def __init__(self, ns):
        self.ns, self.old = ns, None

    def apply(self):
        if self.ns is None:
            return
        if not os.path.exists(HALT_POLL):
            sys.exit(f"--guest-halt-poll-ns: {HALT_POLL} is missing (no guest haltpoll cpuidle driver here)")
        with open(HALT_POLL) as f:
            self.old = f.read().strip()
        with open(HALT_POLL, "w") as f:
            f.write(str(self.ns))

    def restore(self):
        if self.old is not None:
            with open(HALT_POLL, "w") as f:
                f.write(self.old)
            self.old = None


def machine_line():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "?"
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}, {os.cpu_count()} x {cpu}, "
            f"load average {load:.2f} at the start, {guest_idle()}")


def write_section(name, markdown, path=RESULTS):
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{markdown.rstrip()}\n{end}\n"
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            text = _HEADER
        if begin in text and end in text:
            pre, rest = text.split(begin, 1)
            post = rest.split(end, 1)[1].lstrip("\n")
            text = pre + block + ("\n" + post if post else "")
        else:
            text = text.rstrip("\n") + "\n\n" + block
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    try:
        os.unlink(path + ".lock")
    except OSError:
        pass


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


if __name__ == "__main__":
    # `benchlib.py section NAME FILE`: put FILE's text (e.g. a captured script
    # output) into RESULTS.md's section NAME.
    if len(sys.argv) == 4 and sys.argv[1] == "section":
        with open(sys.argv[3]) as f:
            write_section(sys.argv[2], f.read())
    else:
        sys.exit("usage: benchlib.py section NAME FILE")
