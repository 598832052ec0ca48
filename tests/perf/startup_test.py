#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""--help, --version and argument errors cost no TLS and no network initialisation.

Every run goes under `strace -f`. The log of such a run must show no socket, socketpair or
connect; no file of OpenSSL's opened (openssl.cnf, anything under /etc/ssl or /usr/lib/ssl,
the --ca-file given); and no getrandom of 32 bytes or more (OpenSSL seeding its random
generator; the C library's own calls ask for a few bytes). A real probe against the fake
node is the control: its log must show every one of those, or the detectors are broken.

Prints "ok - ..." / "not ok - ..." per case and ends with "N passed, M failed, K skipped";
a skip (exit 77; a failure under CHECK_REQUIRE_ALL=1) when strace is missing or cannot trace
here (Debian: strace).
"""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "functional"))
import harness  # noqa: E402

STRACE = shutil.which("strace")
if not STRACE:
    harness.skip_script("strace not found (Debian: strace; .ci/install-deps installs it)")
if subprocess.run([STRACE, "-f", "-qq", "-o", os.devnull, "true"], stdin=subprocess.DEVNULL,
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
    harness.skip_script("strace cannot trace here (ptrace not permitted)")

TRACED = "socket,socketpair,connect,open,openat,openat2,getrandom"
NETWORK_RE = re.compile(r"\b(socket|socketpair|connect)\(")
OPEN_RE = re.compile(r'\bopen(?:at2?)?\((?:[^,]*, )?"([^"]*)"')
GETRANDOM_RE = re.compile(r"\bgetrandom\([^,]*, (\d+),")
OPENSSL_FILE_RE = re.compile(r"openssl\.cnf|^/etc/ssl/|^/usr/lib/ssl/|ca-certificates")

suite = harness.Suite("startup")
fake = suite.fake()
ca = suite.ca
counter = [0]


def traced(args):
    """Runs the plugin under strace; returns (Result, findings: dict of lists)."""
    counter[0] += 1
    log = os.path.join(suite.tmp, "strace.%d" % counter[0])
    # LeakSanitizer cannot run under ptrace: a sanitizer build would fail at exit.
    asan = os.environ.get("ASAN_OPTIONS", "")
    env = {"ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"}
    r = suite.plugin(args, env=env, prefix=[STRACE, "-f", "-qq", "-e", "trace=" + TRACED,
                                            "-o", log])
    found = {"network": [], "openssl files": [], "random seeding": []}
    try:
        lines = open(log, errors="replace").read().splitlines()
    except OSError:
        lines = []
        found["network"].append("no strace log")
    for line in lines:
        if NETWORK_RE.search(line):
            found["network"].append(line.strip())
        m = OPEN_RE.search(line)
        if m and (OPENSSL_FILE_RE.search(m.group(1)) or
                  os.path.abspath(os.path.join(suite.tmp, m.group(1))) == ca):
            found["openssl files"].append(line.strip())
        m = GETRANDOM_RE.search(line)
        if m and int(m.group(1)) >= 32:
            found["random seeding"].append(line.strip())
    return r, found


def no_init(args, help_text=False):
    def fn():
        r, found = traced(args)
        if help_text:
            p = r.expect(3, r"^check_pexip_token ", raw=True)
        else:
            p = r.expect(3, r"^PEXIP TOKEN UNKNOWN: ")
        for what, lines in found.items():
            if lines:
                p.append("%s: %s" % (what, " | ".join(lines[:3])))
        return p
    return fn


target = ["-H", "localhost", "-p", fake.port, "--ca-file", ca]
suite.case("--help: no TLS or network initialisation", no_init(["--help"], help_text=True))
suite.case("-h: no TLS or network initialisation", no_init(["-h"], help_text=True))
suite.case("--version: no TLS or network initialisation", no_init(["--version"],
                                                                   help_text=True))
suite.case("no arguments: none either", no_init([]))
suite.case("missing alias: none either", no_init(target))
suite.case("unknown option: none either", no_init(target + ["-a", "meet", "--bogus"]))
suite.case("bad warning range: none either", no_init(target + ["-a", "meet", "-w", "x:y"]))
suite.case("bad timeout: none either", no_init(target + ["-a", "meet", "-t", "0"]))
suite.case("bad port: none either", no_init(["-H", "localhost", "-p", "70000", "--ca-file", ca,
                                             "-a", "meet"]))
suite.case("unreadable --ca-file: none either",
           no_init(["-H", "localhost", "-p", fake.port, "--ca-file",
                    os.path.join(suite.tmp, "no-such-ca.pem"), "-a", "meet"]))
suite.case("--help among other options: none either",
           no_init(target + ["-a", "meet", "--help"], help_text=True))
suite.check("the fake node saw no connection from any of them",
            [] if fake.stats()["connections"] == 0 else
            ["%d connections" % fake.stats()["connections"]])


def control():
    r, found = traced(target + ["-a", "meet"])
    p = r.expect(0, r"^PEXIP TOKEN OK: ")
    for what, lines in found.items():
        if not lines:
            p.append("a real probe shows no %s: the detector is broken" % what)
    return p


suite.case("control: a real probe shows network, OpenSSL files and random seeding", control)
suite.finish()
