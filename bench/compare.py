#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cost of one check_pexip_token probe next to check_curl and the curl command line.

Starts the bundled fake node (tests/functional/fake_node.py) on 127.0.0.1 with certificates
made by tests/functional/gen_certs.sh, then runs in alternation, ROUNDS times each:

  ours        check_pexip_token -H localhost -p PORT --ca-file CA -a meet
  ours+events the same with --events (the event stream to its first roster)
              (request_token + release_token on one connection, TLS verified)
  check_curl  the request_token POST alone, TLS verified (-S -D --ca-cert ... -j POST -P ...)
  curl        the floor: the curl command line doing both POSTs over one connection
              (request_token --next release_token; the fake is told to accept any token)

CPU time is user+sys of the child from os.wait4. Peak RSS comes from GNU time (%M), which
reports ru_maxrss of a child it forked itself: a child spawned from this Python process
would inherit Python's own high-water mark at exec and report at least that. Then the
capacity (probes per CPU-second of 1,000 back-to-back probes pinned to one core) and, when
valgrind is there, callgrind instruction counts of one run each.

A benchmark, not a test: it prints figures and exits 0 whatever they are. It exits 1 only
when something could not run at all (no plugin, no certificates, no fake node, or the plugin
failing every probe).

    bench/compare.py [--plugin ./check_pexip_token] [--rounds 30] [--capacity 1000]
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FUNCTIONAL = os.path.join(os.path.dirname(HERE), "tests", "functional")
FAKE_NODE = os.path.join(FUNCTIONAL, "fake_node.py")
GEN_CERTS = os.path.join(FUNCTIONAL, "gen_certs.sh")
CHECK_CURL = "/usr/lib/nagios/plugins/check_curl"
GNU_TIME = "/usr/bin/time"
BODY = '{"display_name":"x","call_tag":"y"}'
CONF = "/api/client/v2/conferences/meet/"

# Nothing may send a run anywhere but the fake, or change what it trusts.
SCRUB = re.compile(r"^(?i:(http|https|ftp|all|no)_proxy|curl_.*|ssl_cert_(file|dir)|"
                   r"openssl_conf|curl_ca_bundle|mp_config_file|nagios_config_path)$")


def log(msg=""):
    print(msg, flush=True)


def fail(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def clean_env():
    env = {k: v for k, v in os.environ.items() if not SCRUB.match(k)}
    env["LC_ALL"] = "C"
    return env


class Fake:
    """The bundled fake node, TLS on 127.0.0.1."""

    def __init__(self, tmp, certs):
        self.port_file = os.path.join(tmp, "port")
        self.cport_file = os.path.join(tmp, "cport")
        config = json.dumps({"release_any_token": True, "participant_ttl": 30.0})
        self.proc = subprocess.Popen(
            [sys.executable, FAKE_NODE, "--cert", os.path.join(certs, "localhost.pem"),
             "--key", os.path.join(certs, "localhost.key"), "--port-file", self.port_file,
             "--control-port-file", self.cport_file, "--config", config,
             "--max-lifetime", "1800"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(tmp, "fake.err"), "w"))
        deadline = time.time() + 20
        while not (os.path.exists(self.port_file) and os.path.exists(self.cport_file)):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                fail("the fake node did not start (see %s)" % os.path.join(tmp, "fake.err"))
            time.sleep(0.05)
        self.port = open(self.port_file).read().strip()
        self.cport = open(self.cport_file).read().strip()

    def control(self, what, data=None):
        url = "http://127.0.0.1:%s/__fake/%s" % (self.cport, what)
        req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=10) as resp:
            return json.loads(resp.read().decode("utf-8") or "{}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def spawn(argv, env, out=os.devnull):
    """Runs argv with stdout/stderr to `out`; returns (exit code, CPU seconds, maxrss KiB)."""
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def peak_rss(argv, env, tmp):
    """ru_maxrss (KiB) of argv as a child of GNU time (a process a few hundred KiB big)."""
    out = os.path.join(tmp, "time.out")
    code, _, _ = spawn([GNU_TIME, "-f", "%x %M", "-o", out] + argv, env)
    try:
        fields = open(out).read().split()
        return int(fields[-2]), int(fields[-1])
    except (OSError, ValueError, IndexError):
        return code, None


def callgrind(argv, env, tmp, name):
    out = os.path.join(tmp, "callgrind.%s" % name)
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] +
                          argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=300)
    m = re.search(r"Collected\s*:\s*(\d+)", proc.stderr.decode("utf-8", "replace"))
    return (int(m.group(1)) if m else None), proc.returncode


def machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%d CPUs (nproc %d), %s" % (os.cpu_count() or 0, len(os.sched_getaffinity(0)),
                                       model)


def med(values):
    return statistics.median(values) if values else None


def quartiles(values):
    if len(values) < 4:
        return None, None
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def ratio(a, b):
    return "%.2f" % (a / b) if a is not None and b else "n/a"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plugin", default=os.environ.get("CHECK_PEXIP_TOKEN") or
                    os.path.join(os.getcwd(), "check_pexip_token"))
    ap.add_argument("--rounds", type=int, default=30, help="alternating rounds (>= 30)")
    ap.add_argument("--warmup", type=int, default=3, help="rounds run first and not counted")
    ap.add_argument("--capacity", type=int, default=1000,
                    help="back-to-back probes for the capacity figure (0: skip)")
    ap.add_argument("--capacity-seconds", type=float, default=180.0,
                    help="stop the capacity run after this long, whatever the count")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--build-info", default="", help="how the plugin was built, for the log")
    args = ap.parse_args()

    plugin = os.path.abspath(args.plugin)
    if not os.access(plugin, os.X_OK):
        fail("no plugin at %s (build it, or pass --plugin)" % plugin)
    openssl = os.environ.get("OPENSSL") or shutil.which("openssl")
    if not openssl or openssl == "no":
        fail("the openssl command is needed for the test certificates")
    curl = shutil.which("curl")
    check_curl = os.environ.get("CHECK_CURL", CHECK_CURL)
    if not os.access(check_curl, os.X_OK):
        check_curl = None
    gnu_time = GNU_TIME if os.access(GNU_TIME, os.X_OK) else None
    valgrind = None if args.no_callgrind else shutil.which("valgrind")

    tmp = tempfile.mkdtemp(prefix="cpt-bench.")
    fake = None
    try:
        certs = os.path.join(tmp, "certs")
        env = clean_env()
        gen = subprocess.run(["sh", GEN_CERTS, certs], env=dict(env, OPENSSL=openssl),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        if gen.returncode != 0:
            fail("gen_certs.sh failed: %s" % gen.stderr.decode("utf-8", "replace")[-500:])
        ca = os.path.join(certs, "ca.pem")
        fake = Fake(tmp, certs)
        base = "https://localhost:%s%s" % (fake.port, CONF)

        commands = {"ours": [plugin, "-H", "localhost", "-p", fake.port, "--ca-file", ca,
                             "-a", "meet"]}
        # The same probe with the event stream read to its first roster (a second TCP
        # connection and TLS handshake): what --events adds per probe.
        commands["ours+events"] = commands["ours"] + ["--events"]
        if check_curl:
            commands["check_curl"] = [check_curl, "-H", "localhost", "-p", fake.port, "-S",
                                      "-D", "--ca-cert", ca, "-u", CONF + "request_token",
                                      "-j", "POST", "-P", BODY, "-T", "application/json"]
        if curl:
            one = ["-sS", "--fail", "-o", "/dev/null", "--cacert", ca]
            commands["curl"] = ([curl] + one + ["-H", "Content-Type: application/json",
                                                "-d", BODY, base + "request_token", "--next"] +
                                one + ["-H", "token: bench", "-d", "", base + "release_token"])

        # One checked run of each: exit 0, and what the fake saw.
        log("check_pexip_token benchmark: %s%s" % (plugin, args.build_info and
                                                    " (%s)" % args.build_info))
        log("machine: %s" % machine())
        log("fake node: 127.0.0.1:%s; scratch: %s" % (fake.port, tmp))
        usable = {}
        for name, argv in commands.items():
            fake.control("reset", b"{}")
            out = os.path.join(tmp, "out.%s" % name)
            code, _, _ = spawn(argv, env, out)
            stats = fake.control("stats")
            first = (open(out, errors="replace").read().splitlines() or [""])[0]
            log("  %-11s exit %d, %d TCP connection(s), %d TLS handshake(s), %d request(s): %s"
                % (name, code, stats["connections"], stats["handshakes"], stats["requests"],
                   first[:90] or "(no output)"))
            if code == 0:
                usable[name] = argv
        if "ours" not in usable:
            fail("the plugin failed its checked run (see above)")
        for name in commands:
            if name not in usable:
                log("  (%s left out: its checked run failed)" % name)
        if not check_curl:
            log("  (check_curl left out: %s not found; Debian: monitoring-plugins-standard)"
                % CHECK_CURL)
        if not curl:
            log("  (curl left out: not found)")
        if not gnu_time:
            log("  (peak RSS left out: %s not found; Debian: time)" % GNU_TIME)

        # Alternating rounds: the order rotates so that none always runs first.
        names = list(usable)
        cpu = {n: [] for n in names}
        rss = {n: [] for n in names}
        failures = {n: 0 for n in names}
        rounds = max(args.rounds, 1)
        for r in range(args.warmup + rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for name in order:
                code, seconds, _ = spawn(usable[name], env)
                if r < args.warmup:
                    continue
                if code != 0:
                    failures[name] += 1
                    continue
                cpu[name].append(seconds)
            if gnu_time and r >= args.warmup:
                for name in order:
                    code, kib = peak_rss(usable[name], env, tmp)
                    if code == 0 and kib:
                        rss[name].append(kib)
        if not cpu["ours"]:
            fail("the plugin failed every probe")

        log("")
        log("%d alternating rounds (after %d warm-up), median [quartiles]:" % (rounds,
                                                                                args.warmup))
        log("  %-11s %22s %22s %s" % ("", "CPU user+sys (ms)", "peak RSS (KiB)", "failed"))
        for name in names:
            c = [v * 1000 for v in cpu[name]]
            q1, q3 = quartiles(c)
            cpu_text = ("%.2f [%.2f-%.2f]" % (med(c), q1, q3)) if c and q1 is not None else \
                ("%.2f" % med(c) if c else "n/a")
            m = rss[name]
            r1, r3 = quartiles(m)
            rss_text = ("%d [%d-%d]" % (med(m), r1, r3)) if m and r1 is not None else \
                ("%d" % med(m) if m else "n/a")
            log("  %-11s %22s %22s %d" % (name, cpu_text, rss_text, failures[name]))

        ours_cpu, ours_rss = med(cpu["ours"]), med(rss["ours"])
        log("")
        log("ratios (medians; target at most 1.00, 1.00 and 1.15):")
        if "check_curl" in names:
            log("  CPU ours / check_curl:  %s" % ratio(ours_cpu, med(cpu["check_curl"])))
            log("  RSS ours / check_curl:  %s" % ratio(ours_rss, med(rss["check_curl"])))
        if "curl" in names:
            log("  CPU ours / curl floor:  %s" % ratio(ours_cpu, med(cpu["curl"])))
            log("  RSS ours / curl floor:  %s" % ratio(ours_rss, med(rss["curl"])))

        if args.capacity > 0:
            log("")
            cores = sorted(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cores[-1]})  # the plugin runs inherit it
            total, done, bad = 0.0, 0, 0
            started = time.monotonic()
            try:
                while done < args.capacity and \
                        time.monotonic() - started < args.capacity_seconds:
                    code, seconds, _ = spawn(usable["ours"], env)
                    total += seconds
                    done += 1
                    bad += code != 0
            finally:
                os.sched_setaffinity(0, set(cores))
            wall = time.monotonic() - started
            log("capacity: %d probes back to back on CPU %d (%d failed): %.3f s CPU, %.1f s wall"
                % (done, cores[-1], bad, total, wall))
            if total > 0:
                log("  %.0f probes per CPU-second (%.0f per minute per core)"
                    % (done / total, 60 * done / total))

        if valgrind:
            log("")
            log("callgrind instruction counts (Ir, one run each):")
            counts = {}
            for name in names:
                counts[name], code = callgrind(usable[name], env, tmp, name)
                log("  %-11s %s%s" % (name, "{:,}".format(counts[name]) if counts[name]
                                      else "n/a", "" if code == 0 else " (exit %d)" % code))
            if counts.get("check_curl") and counts.get("ours"):
                log("  ours / check_curl:  %s" % ratio(counts["ours"], counts["check_curl"]))
            if counts.get("curl") and counts.get("ours"):
                log("  ours / curl floor:  %s" % ratio(counts["ours"], counts["curl"]))
        elif not args.no_callgrind:
            log("")
            log("(callgrind left out: valgrind not found)")
        return 0
    finally:
        if fake:
            fake.stop()
        if args.keep:
            log("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
