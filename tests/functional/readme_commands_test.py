#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The commands a newcomer pastes from README.md work as written.

Runs `make fake-node` in the build directory (as README.md, "Against the bundled fake node",
tells; FAKE_NODE_PORT=0 and a private FAKE_NODE_DIR so that it collides with nothing), reads
what it prints (port, CA file, PIN file, aliases with their states, test PINs, example
commands), runs its example commands, probes every alias it lists and compares the state,
then runs README.md's own fake-node commands (only the port and the fake-node/ directory
substituted) and compares each with the state in its comment. Ctrl-C (SIGINT to the make's
own process group) must stop the node and remove the directory. `make demo` must print no
file that it then deletes. About 15 s. Everything on 127.0.0.1.
"""
import os
import re
import shlex
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

STATES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
README_PORT = "8443"
README_DIR = "fake-node/"


def make_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def plugin_prefix(s):
    return " ".join(shlex.quote(a) for a in s.wrapper + [s.exe])


def run_line(s, line, cwd):
    """One pasted command line, the plugin (and any test wrapper) in place of
    ./check_pexip_token; returns (exit code, stdout)."""
    assert line.startswith("./check_pexip_token ")
    cmd = plugin_prefix(s) + line[len("./check_pexip_token"):]
    res = subprocess.run(["sh", "-c", cmd], cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=60 * (1 + harness.TIMING_SLACK), env=s.base_env())
    return res.returncode, res.stdout.decode("utf-8", "replace")


def state_problems(rc, out, want):
    first = out.splitlines()[0] if out else ""
    p = []
    if rc != STATES[want]:
        p.append("exit %d, expected %d (%s)" % (rc, STATES[want], want))
    if not first.startswith("PEXIP TOKEN %s:" % want):
        p.append("line 1 %r" % first[:160])
    return p


def readme_fake_node_lines(top):
    """The ./check_pexip_token lines of the first sh block under "Against the bundled fake
    node", each with the state named in its trailing comment."""
    with open(os.path.join(top, "README.md"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^### Against the bundled fake node\n(.*?)^#", text, re.M | re.S)
    if not m:
        return None
    block = re.search(r"^```sh\n(.*?)^```", m.group(1), re.M | re.S)
    if not block:
        return None
    out = []
    for line in block.group(1).splitlines():
        cm = re.fullmatch(r"(\./check_pexip_token .*?)\s+#\s*(OK|WARNING|CRITICAL|UNKNOWN)",
                          line.strip())
        out.append((cm.group(1), cm.group(2)) if cm else (line, None))
    return out


def main():
    s = harness.Suite("readme_commands", watchdog=300)
    top = os.environ.get("TOP_SRCDIR") or os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    build = os.environ.get("TOP_BUILDDIR") or os.path.dirname(s.exe)
    make = os.environ.get("MAKE") or "make"
    node_dir = os.path.join(s.tmp, "fake-node")

    # ---- make fake-node ------------------------------------------------------------------
    proc = subprocess.Popen([make, "-s", "--no-print-directory", "-C", build, "fake-node",
                             "FAKE_NODE_PORT=0", "FAKE_NODE_DIR=" + node_dir],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=make_env(), start_new_session=True)
    lines = []
    deadline = time.monotonic() + 90 * (1 + harness.TIMING_SLACK)
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode("utf-8", "replace")
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("press Ctrl-C"):
                break
        printed = "\n".join(lines)
        port = re.search(r"^port:\s+(\d+)$", printed, re.M)
        ca = re.search(r"^CA file:\s+(\S+)$", printed, re.M)
        pin = re.search(r"^PIN file:\s+(\S+)", printed, re.M)
        aliases = re.findall(r"^  (\S+)\s+(OK|WARNING|CRITICAL|UNKNOWN)\s+\S", printed, re.M)
        examples = [l.strip() for l in lines if l.startswith("  ./check_pexip_token ")]
        p = []
        if not (lines and lines[-1].startswith("press Ctrl-C")):
            p.append("no 'press Ctrl-C' line")
        if not port:
            p.append("no port")
        if not (ca and ca.group(1) == os.path.join(node_dir, "ca.pem") and
                os.path.isfile(ca.group(1))):
            p.append("no CA file in FAKE_NODE_DIR")
        if not (pin and os.path.isfile(pin.group(1)) and
                os.stat(pin.group(1)).st_mode & 0o077 == 0):
            p.append("no PIN file readable by its owner only")
        if len(aliases) < 10 or ("meet", "OK") not in aliases:
            p.append("%d aliases listed" % len(aliases))
        if not re.search(r"host PIN \d+, guest PIN \d+", printed):
            p.append("no test PINs")
        if len(examples) < 3:
            p.append("%d example commands" % len(examples))
        s.check("make fake-node prints the port, the CA file, a PIN file, the aliases with "
                "their states, the test PINs and example commands, and stays up",
                p + (["output: " + printed[-600:]] if p else []))
        if not port:
            s.finish()
        port = port.group(1)

        # The example commands it prints, as printed, from the build directory.
        for line, want in zip(examples, ("OK", "OK", "CRITICAL")):
            rc, out = run_line(s, line, build)
            s.check("make fake-node's example runs as printed: " +
                    line.replace(port, "PORT").replace(node_dir, "DIR"),
                    state_problems(rc, out, want))

        # Every alias it lists answers as it says.
        def probe(entry):
            alias, want = entry
            rc, out = run_line(s, "./check_pexip_token -H localhost -p %s --ca-file %s -a %s"
                               % (port, shlex.quote(ca.group(1)), shlex.quote(alias)), build)
            return state_problems(rc, out, want)
        for (alias, want), problems in zip(aliases, map(probe, aliases)):
            s.check("make fake-node lists alias %s as %s" % (alias, want), problems)

        # README.md's own commands, only the port and the directory substituted.
        readme = readme_fake_node_lines(top)
        s.check("README.md has a block of fake-node commands, each with its state",
                [] if readme and len(readme) >= 3 and all(w for _, w in readme) else
                ["lines: %r" % readme])
        for line, want in readme or []:
            if not want:
                continue
            if " -p %s " % README_PORT not in line or README_DIR not in line:
                s.fail("README.md: " + line, "not -p %s with %s" % (README_PORT, README_DIR))
                continue
            pasted = line.replace(" -p %s " % README_PORT, " -p %s " % port).replace(
                README_DIR, node_dir + "/")
            rc, out = run_line(s, pasted, build)
            s.check("README.md's fake-node command runs as pasted: " + line,
                    state_problems(rc, out, want))
    finally:
        # Ctrl-C: SIGINT to make's process group (its own session), as a terminal sends it.
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(30 * (1 + harness.TIMING_SLACK))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    gone = []
    if os.path.exists(node_dir):
        gone.append("%s still there" % node_dir)
    # The node ran in make's process group (the recipe's shell has no job control): none of
    # it may be left (a port check could meet another test's server on a reused port).
    for _ in range(50):
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        gone.append("processes of make fake-node's group still run (the fake node)")
    s.check("Ctrl-C stops make fake-node and removes its directory", gone)

    # ---- make demo prints no file it deletes -------------------------------------------------
    res = subprocess.run([make, "-s", "--no-print-directory", "-C", build, "demo"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=make_env(),
                         timeout=120 * (1 + harness.TIMING_SLACK))
    out = res.stdout.decode("utf-8", "replace")
    named = [w for w in re.findall(r"/\S+", out) if os.path.basename(w).endswith(
        (".pem", ".key")) or "cpt-demo" in w]
    p = [] if res.returncode == 0 else ["exit %d: %s" % (res.returncode, out[-400:])]
    if named:
        p.append("prints %s" % named)
    s.check("make demo exits 0 and prints no certificate path it then deletes", p)
    s.finish()


if __name__ == "__main__":
    main()
