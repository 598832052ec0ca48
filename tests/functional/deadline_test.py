#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""-t holds where the network never says no: a DNS name whose lookup is never answered and a
port whose SYNs are dropped. Nothing leaves the machine: the DNS and SYN-drop cases run the
plugin in a private network namespace (`unshare --net --mount`, see netns_helper.py) whose
only interface is its own loopback and whose resolv.conf names a server there that never
answers; the machine's resolver is never asked. A listener with a full accept queue (SYNs
dropped by the kernel) needs no namespace. A case that cannot be set up here (no unshare, no
privilege for namespaces) is a skip with the reason (harness.Suite.skip: a failure under
CHECK_REQUIRE_ALL=1); the full-accept-queue case always runs."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netns_helper.py")
NAME = "node.never-resolves.test"  # only ever looked up inside the namespace
T = 2
MARGIN = 1.0
STAGE = r"^PEXIP TOKEN %s: timeout after %d s \(request_token: %s\)"


def main():
    s = harness.Suite("deadline", watchdog=180)
    unshare = shutil.which("unshare")

    def namespace_dir(mode):
        d = os.path.join(s.tmp, "netns-" + mode)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "resolv.conf"), "w") as f:
            # one server, one try, a long wait: only the plugin's own deadline can end it
            f.write("nameserver 127.0.0.1\noptions timeout:30 attempts:1\n")
        with open(os.path.join(d, "nsswitch.conf"), "w") as f:
            f.write("hosts: files dns\n")
        with open(os.path.join(d, "hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n::1 localhost\n")
        return d

    def prefix(mode, d):
        return [unshare, "--net", "--mount", "--", sys.executable, HELPER, mode, d, "--"]

    def usable(mode):
        """None when the namespace works here, else why not."""
        if not unshare:
            return "no unshare(1)"
        d = namespace_dir(mode + "-probe")
        try:
            r = subprocess.run(prefix(mode, d) + ["true"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return "cannot run unshare: %s" % exc
        if r.returncode != 0:
            return (r.stderr.decode(errors="replace").strip().splitlines() or
                    ["exit %d" % r.returncode])[-1]
        return None

    skips = {m: usable(m) for m in ("dns", "syn-drop")}
    cases = []

    def case(name, mode, args, rc, rx, queries=None):
        cases.append((name, mode, args, rc, rx, queries))

    dns_args = ["-H", NAME, "-a", "meet", "-t", T]
    case("DNS never answers, -t 2: CRITICAL at the deadline", "dns", dns_args, 2,
         STAGE % ("CRITICAL", T, "DNS lookup"), queries=True)
    case("DNS never answers, --timeout-result=warning", "dns",
         dns_args + ["--timeout-result=warning"], 1, STAGE % ("WARNING", T, "DNS lookup"))
    case("DNS never answers, -vvv with a PIN: PIN not printed", "dns",
         dns_args + ["-vvv", "--pin", "90210731"], 2, STAGE % ("CRITICAL", T, "DNS lookup"))
    case("DNS never answers, -4", "dns", dns_args + ["-4"], 2,
         STAGE % ("CRITICAL", T, "DNS lookup"))
    case("SYNs dropped (-H 192.0.2.1), -t 2: CRITICAL at the deadline", "syn-drop",
         ["-H", "192.0.2.1", "-a", "meet", "-t", T], 2, STAGE % ("CRITICAL", T, "connect"))
    case("SYNs dropped behind -I, -H names the node", "syn-drop",
         ["-H", "node.example.test", "-I", "192.0.2.1", "-a", "meet", "-t", T], 2,
         STAGE % ("CRITICAL", T, "connect"))
    case("SYNs dropped, --timeout-result=unknown", "syn-drop",
         ["-H", "192.0.2.1", "-a", "meet", "-t", T, "--timeout-result=unknown"], 3,
         STAGE % ("UNKNOWN", T, "connect"))

    # A listener whose accept queue is full: the kernel drops further SYNs (no namespace).
    backlog = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    backlog.bind(("127.0.0.1", 0))
    backlog.listen(0)
    port = backlog.getsockname()[1]
    fillers = []
    for _ in range(3):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except (BlockingIOError, OSError):
            pass
        fillers.append(c)
    time.sleep(0.2)
    case("listener with a full accept queue, -t 2", None,
         ["-H", "127.0.0.1", "-p", port, "-a", "meet", "-t", T], 2,
         STAGE % ("CRITICAL", T, "connect"))

    def run(c):
        name, mode, args, rc, rx, queries = c
        pre = []
        d = None
        if mode:
            d = namespace_dir("%s-%d" % (mode, cases.index(c)))
            pre = prefix(mode, d)
        r = s.plugin(args, limit=T + 10, prefix=pre)
        p = r.expect(rc, rx, lacks=["90210731"], max_seconds=T + MARGIN)
        if r.elapsed < T - 0.2:
            p.append("gave up after %.2f s, before the %d s deadline" % (r.elapsed, T))
        # Perfdata on failure: the phases that completed before the stage that timed out,
        # never 'time' (a timeout is not a response time).
        stage = re.search(r"\(request_token: ([^)]*)\)", r.out)
        completed = {"DNS lookup": [], "connect": ["time_dns"],
                     "TLS handshake": ["time_dns", "time_connect"]}.get(
                         stage.group(1) if stage else "", None)
        if completed is not None and sorted(r.perf) != completed:
            p.append("perfdata after a request_token timeout (%s): %s, expected %s" %
                     (stage.group(1), r.perf_text, completed))
        if queries:
            try:
                with open(os.path.join(d, "queries")) as f:
                    n = int(f.read())
            except (OSError, ValueError):
                n = 0
            if n < 1:
                p.append("the namespace's DNS server saw no query")
        return p + [r.describe()] if p else p

    runnable = [c for c in cases if not (c[1] and skips[c[1]])]
    for c in cases:
        if c[1] and skips[c[1]]:
            s.skip(c[0], "a private network namespace (unshare --net --mount, as root): %s" %
                   skips[c[1]])
    s.check_concurrently(runnable, run, workers=4)
    for c in fillers:
        c.close()
    backlog.close()
    s.finish()


if __name__ == "__main__":
    main()
