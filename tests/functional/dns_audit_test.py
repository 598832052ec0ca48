#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""No test sends a DNS query off the machine: the functional tests that run the plugin with
host names (cli_cases, request, backstop, fake_node) run again inside a private network and
mount namespace (`unshare --net --mount`) whose only resolver is dns_server.py on
127.0.0.53, which answers NXDOMAIN to everything and logs every query. Each must still pass,
and every name the server was asked for must be a test name (.test, .invalid, localhost):
a name of the real world would have gone to the machine's resolver outside.
(deadline_test and srv_test make namespaces of their own; srv_test checks its queries.)

Skips (exit 77) only when not root or without unshare(1)."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402  (skip_script: the suite's one skip mechanism)

INSIDE = "--inside-namespace"
DNS_ADDRESS = "127.0.0.53"
# The scripts that name hosts other than localhost (.test, .invalid); CPT_DNS_AUDIT_SCRIPTS
# (space-separated) replaces the list, e.g. to add hostile_test.py (55 s more).
SCRIPTS = (os.environ.get("CPT_DNS_AUDIT_SCRIPTS") or
           "cli_cases_test.py request_test.py backstop_test.py fake_node_test.py").split()
TEST_SUFFIXES = (".test", ".invalid", "localhost")


def outside():
    if os.geteuid() != 0:
        harness.skip_script("not root (a private network namespace needs root)")
    unshare = shutil.which("unshare")
    if not unshare:
        harness.skip_script("no unshare(1) (Debian: util-linux)")
    sys.exit(subprocess.call([unshare, "--net", "--mount", "--", sys.executable,
                              os.path.abspath(__file__), INSIDE]))


def inside():
    import netns_helper
    from dns_server import TestDns
    work = tempfile.mkdtemp(prefix="cpt-dns-audit-")
    netns_helper.private_resolver(DNS_ADDRESS, work)
    dns = TestDns(DNS_ADDRESS)
    passed = failed = 0
    # The logger sees what the plugin asks: one lookup of a test name must show up.
    subprocess.run([harness.plugin_path(), "-H", "audit-canary.test", "-a", "meet", "-t", "5"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    if any(q == "audit-canary.test" for q, _ in dns.queries()):
        passed += 1
        print("ok - the logging server sees the plugin's lookups (audit-canary.test)",
              flush=True)
    else:
        failed += 1
        print("not ok - the logging server never saw audit-canary.test: %s" % dns.queries())
    for script in SCRIPTS:
        start = time.monotonic()
        r = subprocess.run([sys.executable, os.path.join(HERE, script)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=900)
        out = r.stdout.decode("utf-8", "replace")
        tail = out.strip().splitlines()[-1:] or [""]
        if r.returncode in (0, 77):
            passed += 1
            print("ok - %s passes where the only resolver logs queries (%s, %.1f s)" %
                  (script, tail[0], time.monotonic() - start), flush=True)
        else:
            failed += 1
            bad = [line for line in out.splitlines() if line.startswith("not ok")][:5]
            print("not ok - %s inside the logging namespace: exit %d: %s" %
                  (script, r.returncode, " / ".join(bad) or tail[0]), flush=True)
    queries = dns.queries()
    strays = sorted({q for q, _ in queries if not q.endswith(TEST_SUFFIXES)})
    if strays:
        failed += 1
        print("not ok - DNS queries for names that are not test names: %s" % strays[:20])
    else:
        passed += 1
        print("ok - the %d DNS queries the tests sent were all for test names (%s)" %
              (len(queries), ", ".join(sorted({q for q, _ in queries})[:8]) or "none"))
    dns.close()
    shutil.rmtree(work, ignore_errors=True)
    print(harness.summary_line(passed, failed, 0))
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == INSIDE:
        inside()
    else:
        outside()
