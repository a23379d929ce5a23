"""The deploy/ files stay in step with the programs' flags.

Every command line in deploy/ (the systemd units' ExecStart, the example
configs' keys, compose.yaml's commands, the containers of k8s/) is taken
apart and checked against the program it runs:
  - each flag it passes appears in that program's (and command's) --help;
  - the program, run with exactly those arguments plus --help, exits 0: the
    parser meets every flag and value first (an unknown flag, or a value of
    the wrong type, exits 2), and --help then stops it before it serves.
A flag renamed or removed in the code, and not in deploy/, fails here.

SHORTLINK_BIN: the directory of admin-api and redirector (build/bin).
"""
import glob
import os
import re
import shlex
import subprocess
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
BIN = os.environ.get("SHORTLINK_BIN", os.path.join(ROOT, "build", "bin"))
PROGRAMS = ("admin-api", "redirector")


class Invocation:
    """One command line of deploy/: where it is, the program, the admin-api
    command (serve, bootstrap, ...; None for redirector) and the arguments."""

    def __init__(self, where, argv):
        self.where = where
        self.program = os.path.basename(argv[0])
        args = list(argv[1:])
        self.command = args.pop(0) if self.program == "admin-api" and args else None
        self.args = args

    def flags(self):
        return [arg[2:].split("=", 1)[0] for arg in self.args if arg.startswith("--")]

    def __repr__(self):
        return "%s: %s %s" % (self.where, self.program, " ".join(filter(None, [self.command] + self.args)))


def unit_invocations():
    found = []
    for path in sorted(glob.glob(os.path.join(DEPLOY, "*.service"))):
        with open(path) as unit:
            lines = unit.readlines()
        for line in lines:
            if line.startswith("ExecStart="):
                found.append(Invocation(os.path.basename(path), shlex.split(line[len("ExecStart="):])))
    return found


def config_invocations():
    """The example configs as command lines: each `key = value` is the flag
    --key (common/options.h reads them so). Which program: the file's name."""
    found = []
    for name, argv0 in (("admin-api.conf", ["admin-api", "serve"]), ("redirector.conf", ["redirector"])):
        args = []
        with open(os.path.join(DEPLOY, name)) as config:
            lines = config.readlines()
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                args.append("--%s=%s" % (key.strip(), value.strip()))
        found.append(Invocation(name, argv0 + args))
    return found


def container_argv(container):
    argv = list(container.get("command") or []) + list(container.get("args") or [])
    if isinstance(container.get("command"), str):
        argv = shlex.split(container["command"])
    return argv


def compose_invocations():
    with open(os.path.join(DEPLOY, "compose.yaml")) as f:
        compose = yaml.safe_load(f)
    found = []
    for name, service in compose["services"].items():
        argv = container_argv(service)
        if argv and os.path.basename(argv[0]) in PROGRAMS:
            found.append(Invocation("compose.yaml " + name, argv))
    return found


def k8s_workloads():
    for path in sorted(glob.glob(os.path.join(DEPLOY, "k8s", "*.yaml"))):
        with open(path) as f:
            docs = list(yaml.safe_load_all(f))
        for doc in docs:
            if doc and doc.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
                yield os.path.basename(path), doc


def k8s_invocations():
    found = []
    for file, doc in k8s_workloads():
        for container in doc["spec"]["template"]["spec"]["containers"]:
            argv = container_argv(container)
            if argv and os.path.basename(argv[0]) in PROGRAMS:
                found.append(Invocation("k8s/%s %s" % (file, doc["metadata"]["name"]), argv))
    return found


_help_cache = {}


def flags_in_help(program, command):
    """The long flags `program [command] --help` lists (plus help and config,
    which every program takes: common/options.h)."""
    key = (program, command)
    if key not in _help_cache:
        argv = [os.path.join(BIN, program)] + ([command] if command else []) + ["--help"]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise AssertionError("%s exited %d: %s" % (" ".join(argv), out.returncode, out.stderr))
        _help_cache[key] = set(re.findall(r"^\s+(?:-\w, )?--([a-z0-9][a-z0-9-]*)", out.stdout, re.M)) | {"help", "config"}
    return _help_cache[key]


class DeployFlagsTest(unittest.TestCase):
    def check(self, invocations):
        for inv in invocations:
            with self.subTest(inv=repr(inv)):
                self.assertIn(inv.program, PROGRAMS)
                if inv.program == "admin-api":
                    self.assertIsNotNone(inv.command, "admin-api needs a command")
                known = flags_in_help(inv.program, inv.command)
                unknown = [f for f in inv.flags() if f not in known]
                self.assertEqual(unknown, [], "flags %s's --help does not list" % inv.program)
                # k8s expands $(VAR) in args; any value parses for a string flag.
                args = [re.sub(r"\$\((\w+)\)", r"\1", a) for a in inv.args]
                argv = [os.path.join(BIN, inv.program)] + ([inv.command] if inv.command else []) + args + ["--help"]
                run = subprocess.run(argv, capture_output=True, text=True, timeout=30)
                self.assertEqual(run.returncode, 0, "%s: %s" % (" ".join(argv), run.stderr.strip()))

    def test_systemd_units_run_known_flags(self):
        found = unit_invocations()
        self.assertEqual(sorted(i.program for i in found), ["admin-api", "redirector"])
        self.check(found)

    def test_units_read_the_example_configs(self):
        # The units pass --config; the configs' keys are flags as well.
        for inv in unit_invocations():
            self.assertIn("--config", inv.args, repr(inv))
            config = inv.args[inv.args.index("--config") + 1]
            self.assertEqual(os.path.basename(config), inv.program + ".conf", repr(inv))
        self.check(config_invocations())

    def test_compose_commands_run_known_flags(self):
        found = compose_invocations()
        self.assertEqual({i.program for i in found}, set(PROGRAMS))
        self.check(found)

    def test_k8s_containers_run_known_flags(self):
        found = k8s_invocations()
        self.assertEqual({i.program for i in found}, set(PROGRAMS))
        self.check(found)

    def test_k8s_nodes_are_ready_by_healthz_on_the_ops_port(self):
        nodes = 0
        for _, doc in k8s_workloads():
            for container in doc["spec"]["template"]["spec"]["containers"]:
                argv = container_argv(container)
                if not argv or os.path.basename(argv[0]) != "redirector":
                    continue
                nodes += 1
                self.assertEqual(doc["kind"], "Deployment")
                ops = [a.split("=", 1)[1] for a in argv if a.startswith("--ops-listen=")]
                self.assertEqual(len(ops), 1, "the ops port must listen beyond loopback for the probe")
                ops_port = int(ops[0].rsplit(":", 1)[1])
                self.assertFalse(ops[0].startswith("127."), "a probe cannot reach a loopback ops port")
                probe = container["readinessProbe"]["httpGet"]
                ports = {p.get("name"): p["containerPort"] for p in container["ports"]}
                port = ports.get(probe["port"], probe["port"])
                self.assertEqual((probe["path"], port), ("/healthz", ops_port))
        self.assertGreater(nodes, 0)

    def test_k8s_admin_api_keeps_its_data_on_a_claim(self):
        admins = [doc for _, doc in k8s_workloads() if doc["metadata"]["name"] == "admin-api"]
        self.assertEqual(len(admins), 1)
        admin = admins[0]
        self.assertEqual((admin["kind"], admin["spec"]["replicas"]), ("StatefulSet", 1))
        claims = {c["metadata"]["name"] for c in admin["spec"]["volumeClaimTemplates"]}
        container = admin["spec"]["template"]["spec"]["containers"][0]
        data_dir = [a.split("=", 1)[1] for a in container_argv(container) if a.startswith("--data-dir=")]
        on_claims = [m["mountPath"] for m in container["volumeMounts"] if m["name"] in claims]
        self.assertTrue(any(data_dir[0] == p or data_dir[0].startswith(p.rstrip("/") + "/") for p in on_claims),
                        "admin-api's --data-dir %s is not on its claim (mounted at %s)" % (data_dir[0], on_claims))


if __name__ == "__main__":
    unittest.main()
