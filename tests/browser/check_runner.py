"""Runs a browser check script (check_pages.mjs, dashboard.mjs) with its
plan, the way both browser tests do: Node from PATH, Chromium and
playwright writing only inside the test's temp dir (which the test's
ProcessGroup removes), the whole process group killed afterwards, bounded
in time."""
import json
import os
import shutil
import signal
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def failed_lines(output):
    """The lines of a check script's output that say what failed."""
    return "\n".join(line for line in output.splitlines() if line.startswith(("FAIL", "ERROR")))


def run_check_script(group, script, plan, timeout):
    """Writes `plan` as JSON in the group's dir, runs tests/browser/`script` on it;
    returns (exit status, output). The status is None when node is missing."""
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed (scripts/install-deps.sh installs it)"
    plan_file = group.path(os.path.splitext(script)[0] + "-plan.json")
    with open(plan_file, "w") as f:
        json.dump(plan, f)
    home = group.path("home")
    os.makedirs(os.path.join(home, "tmp"), exist_ok=True)
    env = dict(os.environ, HOME=home, TMPDIR=os.path.join(home, "tmp"), XDG_CONFIG_HOME=home,
               XDG_CACHE_HOME=home, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    proc = subprocess.Popen([node, os.path.join(HERE, script), plan_file], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        output = "(%s killed after %ds)" % (script, timeout)
    finally:
        try:  # node and every Chromium process it started share its process group
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    return proc.returncode, output
