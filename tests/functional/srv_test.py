#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""--srv with real DNS and not one packet off the machine.

The script re-runs itself inside a private network and mount namespace (`unshare --net
--mount`): only its own loopback exists there, /etc/resolv.conf (bind-mounted over the real
one in this mount namespace only) names 127.0.0.53, where dns_server.py answers SRV, A and
AAAA questions for *.test names from a zone this script sets, and logs every query. Fake
nodes listen on 127.0.0.1 with certificates for their SRV target names (gen_certs.sh
srvnodes); the fallback node listens on port 443. The plugin runs in the namespace, so its
resolver and libcurl's can reach nothing but these. At the end every query the server saw
must be for a .test name.

Skips (exit 77) only when not root or without unshare(1)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402  (skip_script: the suite's one skip mechanism)

INSIDE = "--inside-namespace"
DNS_ADDRESS = "127.0.0.53"
PIN = "90210731"  # fake_node.py's HOST_PIN for the alias "pin-host"


def outside():
    if os.geteuid() != 0:
        harness.skip_script("not root (a private network namespace needs root)")
    unshare = shutil.which("unshare")
    if not unshare:
        harness.skip_script("no unshare(1) (Debian: util-linux)")
    cmd = [unshare, "--net", "--mount", "--", sys.executable, os.path.abspath(__file__), INSIDE]
    sys.exit(subprocess.call(cmd))


def enter_namespace():
    """Loopback up, private resolv.conf/nsswitch.conf/hosts naming only DNS_ADDRESS."""
    import netns_helper
    netns_helper.private_resolver(DNS_ADDRESS, tempfile.mkdtemp(prefix="cpt-srv-etc-"))


def inside():
    enter_namespace()
    from dns_server import TestDns

    s = harness.Suite("srv", watchdog=240)
    dns = TestDns(DNS_ADDRESS)
    for host in ("a", "b", "c", "d", "w", "nx", "nodata"):
        dns.a[host + ".srv.test"] = "127.0.0.1"

    A = s.fake("srvnodes", name="a")
    B = s.fake("srvnodes", name="b")
    C = s.fake("srvnodes", name="c")
    M = s.fake("srvnodes", name="maintenance", config={"maintenance": True})
    H = s.fake(mode="hang", name="hang")
    F = s.fake("srvnodes", name="fallback", port=443)
    pa, pb, pc = int(A.port), int(B.port), int(C.port)
    refused = [int(s.refused_port()) for _ in range(3)]

    def srv(domain, records):
        dns.srv["_pexapp._tcp." + domain] = records

    # scrambled: clients try a (10/60), b (10/10), c (20/0)
    srv("ok.test", [(20, 0, pc, "c.srv.test"), (10, 10, pb, "b.srv.test"),
                    (10, 60, pa, "a.srv.test")])
    srv("maint.test", [(10, 50, pa, "a.srv.test"), (10, 50, int(M.port), "d.srv.test"),
                       (10, 50, pb, "b.srv.test")])
    srv("down.test", [(10, 0, refused[0], "a.srv.test"), (10, 0, refused[1], "b.srv.test"),
                      (10, 0, refused[2], "c.srv.test")])
    srv("onedown.test", [(10, 60, pa, "a.srv.test"), (10, 40, refused[0], "c.srv.test"),
                         (20, 0, pb, "b.srv.test")])
    srv("hang.test", [(10, 0, int(H.port), "d.srv.test"), (10, 0, pa, "a.srv.test"),
                      (20, 0, pb, "b.srv.test")])
    srv("wrongcert.test", [(10, 0, pa, "w.srv.test")])
    srv("pin.test", [(10, 0, pa, "a.srv.test"), (10, 0, pb, "b.srv.test"),
                     (10, 0, pc, "c.srv.test")])
    srv("dot.test", [(0, 0, 0, ".")])
    dns.a["nodata.srv.test"] = "127.0.0.1"  # A, but no SRV: NODATA for _pexapp._tcp...
    dns.a["_pexapp._tcp.nodata.srv.test"] = "127.0.0.1"  # the name exists, no SRV type
    dns.rcode["_pexapp._tcp.servfail.test"] = 2
    dns.silent.add("_pexapp._tcp.silent.test")

    ca = ["--ca-file", s.ca]
    T = 6

    def run(domain, *extra, t=T):
        return s.plugin(["--srv", "-H", domain, "-a", "meet", "-t", t] + ca + list(extra),
                        limit=t + 15)

    def perf_labels(r):
        return sorted(r.perf)

    cases = []

    def case(name, fn):
        cases.append((name, fn))

    def three_ok():
        r = run("ok.test", "-v", "-w", "2", "-c", "4")
        p = r.expect(0, r"^PEXIP TOKEN OK: 3 of 3 nodes OK \(_pexapp\._tcp\.ok\.test\) \|")
        want = ["nodes", "nodes_ok", "time_a.srv.test", "time_b.srv.test", "time_c.srv.test"]
        if perf_labels(r) != want:
            p.append("perfdata labels %s, expected %s" % (perf_labels(r), want))
        if r.perf.get("nodes", {}).get("value") != 3 or r.perf.get("nodes_ok", {}).get(
                "value") != 3:
            p.append("nodes/nodes_ok not 3/3")
        if r.perf.get("nodes_ok", {}).get("max") != "3" or r.perf["nodes_ok"]["min"] != "0":
            p.append("nodes_ok min/max not 0/3")
        for label in want[2:]:
            d = r.perf.get(label, {})
            if (d.get("warn"), d.get("crit"), d.get("uom")) != ("2", "4", "s"):
                p.append("%s: warn/crit/uom %r" % (label, d.get("raw")))
        order = [r.out.find("\\_ [OK] %s.srv.test port %d" % (n, port))
                 for n, port in (("a", pa), ("b", pb), ("c", pc))]
        if -1 in order or order != sorted(order):
            p.append("long output does not list a, b, c in client order: %s" % order)
        print("# -v, three nodes:\n# " + r.out.rstrip().replace("\n", "\n# "), flush=True)
        return p + [r.describe()] if p else p

    def with_events():
        r = run("ok.test", "--events", "-v")
        p = r.expect(0, r"^PEXIP TOKEN OK: 3 of 3 nodes OK",
                     has=[r"^    \\_ \[OK\] events: "])
        if r.out.count("    \\_ [OK] events: ") != 3:
            p.append("not every target read the event stream")
        return p + [r.describe()] if p else p

    def maintenance():
        r = run("maint.test", "-v")
        p = r.expect(1, r"^PEXIP TOKEN WARNING: 2 of 3 nodes OK; d\.srv\.test CRITICAL: node "
                        r"is in maintenance mode")
        if r.perf.get("nodes_ok", {}).get("value") != 2:
            p.append("nodes_ok is not 2")
        return p + [r.describe()] if p else p

    def all_down():
        r = run("down.test", "-v")
        p = r.expect(2, r"^PEXIP TOKEN CRITICAL: 0 of 3 nodes OK; a\.srv\.test CRITICAL: "
                        r"cannot connect to a\.srv\.test port %d" % refused[0],
                     has=[r"^\\_ \[CRITICAL\] b\.srv\.test port %d" % refused[1]])
        if perf_labels(r) != ["nodes", "nodes_ok"]:
            p.append("perfdata labels %s: a target without an HTTP answer has no time" %
                     perf_labels(r))
        print("# -v, all down:\n# " + r.out.rstrip().replace("\n", "\n# "), flush=True)
        return p + [r.describe()] if p else p

    def one_refused():
        r = run("onedown.test", "-v")
        p = r.expect(1, r"^PEXIP TOKEN WARNING: 2 of 3 nodes OK; c\.srv\.test CRITICAL: cannot "
                        r"connect to c\.srv\.test port %d" % refused[0],
                     has=[r"^\\_ \[CRITICAL\] c\.srv\.test port %d \(priority 10, weight 40\)"
                          % refused[0]])
        if sorted(r.perf) != ["nodes", "nodes_ok", "time_a.srv.test", "time_b.srv.test"]:
            p.append("perfdata labels %s" % sorted(r.perf))
        print("# -v, one node down:\n# " + r.out.rstrip().replace("\n", "\n# "), flush=True)
        return p + [r.describe()] if p else p

    def one_down():
        r = run("hang.test", "-v", t=3)
        p = r.expect(1, r"^PEXIP TOKEN WARNING: 2 of 3 nodes OK; d\.srv\.test CRITICAL: "
                        r"timeout after 3 s", max_seconds=3 + 1,
                     has=[r"^\\_ \[OK\] a\.srv\.test", r"^\\_ \[OK\] b\.srv\.test"])
        if "time_a.srv.test" not in r.perf or "time_d.srv.test" in r.perf:
            p.append("perfdata %s: a and b timed, d not" % r.perf_text)
        print("# -v, one node hanging (-t 3, %.2f s):\n# " % r.elapsed +
              r.out.rstrip().replace("\n", "\n# "), flush=True)
        return p + [r.describe()] if p else p

    def wrong_certificate():
        r = run("wrongcert.test")
        p = r.expect(2, r"^PEXIP TOKEN CRITICAL: 0 of 1 nodes OK; w\.srv\.test CRITICAL: TLS "
                        r"certificate verification failed")
        return p + [r.describe()] if p else p

    def pin_everywhere():
        before = {f.name: len(f.requests()) for f in (A, B, C)}
        r = s.plugin(["--srv", "-H", "pin.test", "-a", "pin-host", "-t", T, "-vvv"] + ca,
                     limit=T + 15, env={"CHECK_PEXIP_TOKEN_PIN": PIN})
        p = r.expect(0, r"^PEXIP TOKEN OK: 3 of 3 nodes OK", lacks=[PIN])
        for f in (A, B, C):
            sent = [dict(q["headers"]).get("pin") for q in f.requests()[before[f.name]:]
                    if q.get("alias") == "pin-host" and q["method"] == "POST" and
                    q["raw_path"].endswith("/request_token")]
            if PIN not in sent:
                p.append("fake %s got no request_token with the PIN (%d such requests)" %
                         (f.name, len(sent)))
        return p + [r.describe()] if p else p

    def fallback(domain, why):
        def fn():
            r = run(domain, "-v")
            p = r.expect(0, r"^PEXIP TOKEN OK: 1 of 1 nodes OK; no _pexapp\._tcp record for "
                            r"%s \(%s\), fell back to %s port 443" %
                         (re.escape(domain), why, re.escape(domain)),
                         has=[r"^\\_ \[OK\] %s port 443: token issued" % re.escape(domain)])
            want = ["nodes", "nodes_ok", "time_" + domain]
            if perf_labels(r) != sorted(want):
                p.append("perfdata labels %s, expected %s" % (perf_labels(r), want))
            print("# -v, fallback (%s):\n# " % why + r.out.rstrip().replace("\n", "\n# "),
                  flush=True)
            return p + [r.describe()] if p else p
        return fn

    def dot_target():
        r = run("dot.test")
        return r.expect(2, r"^PEXIP TOKEN CRITICAL: service not offered: _pexapp\._tcp\.dot\."
                           r"test names the target '\.'")

    def servfail():
        r = run("servfail.test")
        return r.expect(2, r"^PEXIP TOKEN CRITICAL: cannot resolve _pexapp\._tcp\.servfail\."
                           r"test \(SRV lookup: ", lacks=[r"\|"])

    def silent():
        r = run("silent.test", "--timeout-result=warning", t=2)
        p = r.expect(1, r"^PEXIP TOKEN WARNING: timeout after 2 s \(SRV lookup of "
                        r"_pexapp\._tcp\.silent\.test\)$", max_seconds=2 + 1)
        if r.elapsed < 1.8:
            p.append("gave up after %.2f s, before the 2 s deadline" % r.elapsed)
        return p + [r.describe()] if p else p

    def cannot_resolve_host():
        r = s.plugin(["-H", "node.unknown.test", "-a", "meet", "-t", T] + ca, limit=T + 15)
        return r.expect(2, r"^PEXIP TOKEN CRITICAL: cannot resolve node\.unknown\.test")

    def argument_errors():
        p = []
        for extra, rx in ((["-I", "127.0.0.1"], r"-I/--ip-address and --srv exclude each other"),
                          (["-p", "8443"], r"-p/--port and --srv exclude each other")):
            r = run("ok.test", *extra)
            p += r.expect(3, r"^PEXIP TOKEN UNKNOWN: " + rx)
        return p

    case("three healthy targets in scrambled record order: OK, nodes_ok=3, client order, "
         "non-443 ports", three_ok)
    case("--events: every target's whole probe reads the event stream", with_events)
    case("one target in maintenance: WARNING, named on line 1", maintenance)
    case("all targets refuse: CRITICAL, no time_ labels", all_down)
    case("one target refuses, two OK: WARNING (clients fail over), the down one named",
         one_refused)
    case("one target hangs (-t 3): ends within -t + 1 s, the others reported", one_down)
    case("target whose certificate lacks its SRV name: CRITICAL", wrong_certificate)
    case("PIN sent to every target, never printed at -vvv", pin_everywhere)
    case("'.' target: CRITICAL, service not offered", dot_target)
    case("SERVFAIL: CRITICAL, cannot resolve", servfail)
    case("resolver never answers (-t 2): --timeout-result, naming the SRV lookup", silent)
    case("well-formed name without a record (no --srv): cannot resolve", cannot_resolve_host)
    case("-I and -p with --srv: argument errors", argument_errors)
    s.check_concurrently(cases, lambda c: c[1](), workers=4)
    # Both fall back to the one node on port 443: one after the other.
    s.case("NXDOMAIN: fallback to HOST port 443", fallback("nx.srv.test", "NXDOMAIN"))
    s.case("NODATA: fallback to HOST port 443", fallback("nodata.srv.test", "no SRV answer"))

    queries = dns.queries()
    strays = sorted({q for q, _ in queries if not q.endswith(".test")})
    s.check("the namespace's DNS server saw %d queries, every one for a .test name" %
            len(queries), [] if queries and not strays else
            ["queries for other names: %s" % strays[:10]] if strays else ["no query at all"])
    srv_asked = {q for q, t in queries if t == "SRV"}
    s.check("SRV questions asked for every --srv domain",
            [] if {"_pexapp._tcp.ok.test", "_pexapp._tcp.silent.test"} <= srv_asked else
            ["SRV questions: %s" % sorted(srv_asked)])
    dns.close()
    s.finish()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == INSIDE:
        inside()
    else:
        outside()
