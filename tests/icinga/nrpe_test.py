#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped NRPE example on a real NRPE, queried by check_nrpe.

icinga-templates/nrpe.cfg.example is checked as shipped (absolute plugin path, fixed
arguments, nothing NRPE forbids, PIN from a file, plugin -t below the documented check_nrpe
-t below command_timeout). Then its command lines are used with the site-specific values
swapped for the test's (plugin path -> the built plugin, meet.example.com -> the test
certificate's name, each 192.0.2.x node address -> 127.0.0.1 plus the port of a fake node
and the test CA, the PIN file -> a test PIN file) and nothing else changed, in an nrpe.cfg with
dont_blame_nrpe=0. The test starts its own `nrpe` on a free 127.0.0.1 port (never 5666, no
system service; as the nagios user when run as root), queries it with `check_nrpe -t 15`, and
compares the line and exit code with a direct run of the same command line: node1 answers
with a token (OK), node2 is in maintenance mode (CRITICAL).

Exit 0 all passed, 1 a failure, 77 when nrpe or check_nrpe is not installed.
"""

import os
import re
import shlex
import socket
import subprocess
import time

import common
from common import harness

PUBLISHED = "node.example.test"
NASTY = set("|`&><'\\[]{};!\r\n")


def parse_example(text):
    """[(name, command line)] and the check_nrpe -t shown in the comments."""
    commands = re.findall(r"^command\[([^\]]+)\]=(.*)$", text, re.M)
    m = re.search(r"^#.*check_nrpe .*-t ([0-9]+)", text, re.M)
    return commands, int(m.group(1)) if m else None


def static_problems(commands, nrpe_t):
    p = []
    if not commands:
        return ["no command[...] line"]
    for name, line in commands:
        argv = shlex.split(line)
        if argv[0] != common.INSTALLED_PLUGIN:
            p.append("%s runs %s, not %s" % (name, argv[0], common.INSTALLED_PLUGIN))
        if "$ARG" in line:
            p.append("%s uses $ARGn$" % name)
        bad = sorted(set(line) & NASTY)
        if bad or "$(" in line:
            p.append("%s has characters NRPE forbids: %r" % (name, bad))
        if "--pin" in argv or any(a.startswith("--pin=") for a in argv):
            p.append("%s puts the PIN on the command line" % name)
        t = int(argv[argv.index("-t") + 1]) if "-t" in argv else 8
        if nrpe_t is None or not t < nrpe_t < 60:
            p.append("%s: plugin -t %s, check_nrpe -t %s, command_timeout 60 not in order"
                     % (name, t, nrpe_t))
    return p


def rewrite(name, line, plugin, ports, pin_path, ca):
    """The example command line with the site's values replaced by the test's: the plugin,
    the PIN file, the names (node1.example.com -> localhost, meet.example.com -> the test
    certificate's other name), -I 192.0.2.x -> 127.0.0.1, plus the port of the fake node
    (node2: the one in maintenance mode) and the test CA."""
    line = line.replace(common.INSTALLED_PLUGIN, plugin)
    line = line.replace("/etc/nagios/pexip.pin", pin_path)
    line = line.replace("-H node1.example.com", "-H localhost")
    line = line.replace("meet.example.com", PUBLISHED)
    line = re.sub(r"-I 192\.0\.2\.[0-9]+", "-I 127.0.0.1", line)
    return line + " -p %s --ca-file %s" % (ports[name], ca)


def expected_state(name):
    return 2 if name.endswith("node2") else 0


def check_nrpe(exe, port, *args):
    res = subprocess.run([exe, "-H", "127.0.0.1", "-p", str(port)] + list(args),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=30)
    return res.returncode, res.stdout.decode("utf-8", "replace"), res.stderr.decode(
        "utf-8", "replace")


def main():
    progs = common.skip_unless(["nrpe", "check_nrpe"],
                               "nagios-nrpe-server nagios-nrpe-plugin")
    suite = harness.Suite("nrpe", watchdog=120)
    started = time.monotonic()
    account = common.Account()
    common.open_up(suite)

    with open(common.NRPE_EXAMPLE, encoding="utf-8") as f:
        example = f.read()
    commands, nrpe_t = parse_example(example)
    plugin_t = max([int(a[a.index("-t") + 1]) if "-t" in a else 8
                    for a in (shlex.split(line) for _, line in commands)] or [8])
    suite.check("nrpe.cfg.example: absolute plugin path, fixed arguments (no $ARGn$), no "
                "character NRPE forbids, PIN from a file, -t %s < check_nrpe -t %s < "
                "command_timeout 60" % (plugin_t, nrpe_t), static_problems(commands, nrpe_t))
    def docs_agree():
        p = []
        lines = {"command[%s]=%s" % c for c in commands}
        for doc in ("README.md", os.path.join("man", "check_pexip_token.1")):
            with open(os.path.join(common.TOP_SRCDIR, doc), encoding="utf-8") as f:
                text = f.read().replace("\\-", "-")
            shown = re.findall(r"^command\[.*$", text, re.M)
            if not shown:
                p.append("%s shows no NRPE command" % doc)
            p += ["%s shows %r, not in the example" % (doc, x) for x in shown if x not in lines]
        return p
    suite.case("the NRPE commands in README.md and the man page are the example's", docs_agree)
    if len(commands) < 2:
        suite.fail("the example has a command per node", "%d commands" % len(commands))
        return suite.finish()

    plugin = common.install_plugin(suite, account)
    pin_path = common.pin_file(suite, account, "1234")
    fake_ok = suite.fake(name="node1")
    fake_maint = suite.fake(name="node2", config={"maintenance": True})
    ports = {name: fake_maint.port if expected_state(name) == 2 else fake_ok.port
             for name, _ in commands}
    # A --srv command needs SRV records: srv_test.py runs --srv against a DNS server of its
    # own in a private namespace. Here, where a lookup would reach the machine's resolver,
    # its line is checked for what --srv forbids and not run.
    srv_commands = [(name, line) for name, line in commands if " --srv " in line]
    commands = [(name, line) for name, line in commands if " --srv " not in line]
    suite.check("the --srv commands (%s) give neither -I nor -p (each node's SRV port counts)" %
                ", ".join(name for name, _ in srv_commands),
                [line for _, line in srv_commands if re.search(r" -(I|p) | --(ip-address|port)", line)]
                if srv_commands else ["the example has no --srv command"])
    rewritten = [(name, rewrite(name, line, plugin, ports, pin_path, suite.ca))
                 for name, line in commands]
    leftovers = [line for _, line in rewritten if re.search(r"example\.com|192\.0\.2\.", line)]
    suite.check("the example's command lines point at 127.0.0.1 only once rewritten",
                [] if not leftovers else ["left: %s" % leftovers])

    base = os.path.join(suite.tmp, "nrpe")
    os.makedirs(base)
    os.chmod(base, 0o755)
    d = account.mkdirs(base, "run", "log")
    cmd_file = os.path.join(base, "check_pexip_token.cfg")
    with open(cmd_file, "w") as f:
        f.write("".join("command[%s]=%s\n" % nl for nl in rewritten))
    log_file = os.path.join(d["log"], "nrpe.log")
    open(log_file, "w").close()
    account.give(log_file)

    env = common.daemon_env(suite)
    nrpe = None
    port = None
    for _attempt in range(3):
        reservation = common.free_port()  # held until nrpe answers on it
        port = reservation.port
        if port == 5666:
            reservation.release()
            continue
        cfg = os.path.join(base, "nrpe.cfg")
        with open(cfg, "w") as f:
            f.write("\n".join([
                "# Written by nrpe_test.py: a throw-away NRPE on loopback.",
                "pid_file=%s" % os.path.join(d["run"], "nrpe.pid"),
                "log_file=%s" % log_file,
                "debug=1",
                "server_address=127.0.0.1",
                "server_port=%d" % port,
                "nrpe_user=%s" % account.user,
                "nrpe_group=%s" % account.group,
                "allowed_hosts=127.0.0.1",
                "dont_blame_nrpe=0",
                "allow_bash_command_substitution=0",
                "command_timeout=60",
                "connection_timeout=30",
                "include=%s" % cmd_file,
                ""]))
        nrpe = common.Daemon("nrpe", [progs["nrpe"], "-c", cfg, "-f"],
                             os.path.join(d["log"], "console.log"), env=env,
                             cwd=base)
        deadline = time.monotonic() + 10
        version = None
        while time.monotonic() < deadline and nrpe.alive():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                rc, out, _ = check_nrpe(progs["check_nrpe"], port, "-t", "5")
                if rc == 0 and out.startswith("NRPE v"):
                    version = out.strip()
                    break
            except OSError:
                pass
            time.sleep(0.1)
        reservation.release()
        if version:
            break
        nrpe.stop()
        nrpe = None
    suite.check("nrpe runs as %s on 127.0.0.1:%s and answers check_nrpe (%s)" %
                (account.user, port, version if nrpe else "-"),
                [] if nrpe else ["nrpe did not come up: %s" % open(log_file).read()[-500:]])
    if not nrpe:
        return suite.finish()
    ports = nrpe.listening()
    suite.check("nrpe listens on 127.0.0.1:%d and nothing else" % port,
                [] if ports == [("127.0.0.1", port)] else ["listening on %s" % ports])

    try:
        results = {}
        for name, line in rewritten:
            want = expected_state(name)
            rc, out, err = check_nrpe(progs["check_nrpe"], port, "-t", str(nrpe_t or 15),
                                      "-c", name)
            direct = subprocess.run(["/bin/sh", "-c", line], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, timeout=30,
                                    **account.run_kwargs())
            dout = direct.stdout.decode("utf-8", "replace")
            results[name] = (rc, out)
            line1 = out.split("\n")[0]
            print("# check_nrpe -c %s: exit %d, %s" % (name, rc, line1), flush=True)
            print("# direct run:       exit %d, %s" % (direct.returncode, dout.split("\n")[0]),
                  flush=True)
            p = []
            if rc != want or direct.returncode != want:
                p.append("exit codes: check_nrpe %d, direct %d, expected %d" %
                         (rc, direct.returncode, want))
            if err or direct.stderr:
                p.append("stderr: %r %r" % (err, direct.stderr))
            if common.normalize(out) != common.normalize(dout):
                p.append("check_nrpe %r vs direct %r" % (out, dout))
            if not re.match(r"^PEXIP TOKEN %s: " % harness.STATES[want], line1):
                p.append("line %r" % line1)
            labels = [i.split("=")[0] for i in line1.partition(" | ")[2].split()]
            dlabels = [i.split("=")[0] for i in dout.split("\n")[0].partition(" | ")[2].split()]
            if labels != dlabels or not labels:
                p.append("perfdata labels %s vs %s" % (labels, dlabels))
            suite.check("%s through nrpe: exit %d and the line of a direct run (times aside)" %
                        (name, want), p)

        def released():
            parts = fake_ok.participants()
            reqs = [r for r in fake_ok.requests() if "request_token" in r["raw_path"]]
            runs = 2 * sum(1 for name, _ in rewritten if expected_state(name) == 0)
            p = []
            if len(parts) != runs or not all(x["released"] for x in parts):
                p.append("%d participants, expected %d, all released: %s" % (
                    len(parts), runs, parts))
            for r in reqs:
                hdr = {k.lower(): v for k, v in r["headers"]}
                if hdr.get("pin") != "1234":
                    p.append("pin header %r" % hdr.get("pin"))
            if PUBLISHED not in [r.get("sni") for r in reqs]:
                p.append("no request with SNI %s" % PUBLISHED)
            return p
        suite.case("the OK node saw the PIN from the file and SNI %s; every token (nrpe and "
                   "direct runs) was released" % PUBLISHED, released)

        rc, out, _ = check_nrpe(progs["check_nrpe"], port, "-t", "15", "-c",
                                rewritten[0][0], "-a", "x")
        suite.check("with dont_blame_nrpe=0, arguments from the client are refused",
                    [] if rc == 3 and not out.startswith("PEXIP TOKEN") else
                    ["exit %d: %r" % (rc, out)])
        rc, out, _ = check_nrpe(progs["check_nrpe"], port, "-t", "15", "-c", "check_nothing")
        suite.check("an undefined command is UNKNOWN from NRPE itself",
                    [] if rc == 3 and "not defined" in out else ["exit %d: %r" % (rc, out)])
    finally:
        took = nrpe.stop()
    suite.check("nrpe stopped on SIGTERM, its process group gone",
                [] if took is not None and not nrpe.group_alive() else ["it had to be killed"])
    print("# %.1f s" % (time.monotonic() - started), flush=True)
    suite.finish()


if __name__ == "__main__":
    main()
