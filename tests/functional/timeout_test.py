#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The -t deadline against a node that hangs at each stage (TLS handshake, waiting for the
response, reading a slow-drip body, release_token), --timeout-result, and fast failures
(connection refused, reset). The cases run concurrently to keep the wall time short."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TOK = r"token issued in [0-9]+\.[0-9]{3} s"


def main():
    s = harness.Suite("timeout")
    main_fake = s.fake()
    tls_hang = s.fake(mode="hang")
    reset = s.fake(mode="reset")
    refused = s.refused_port()

    def target(fake, alias):
        return ["-H", "localhost", "-p", fake.port, "--ca-file", s.ca, "-a", alias]

    cases = []

    def case(name, args, rc, rx, t, min_t=None, max_t=None, labels=None, has=()):
        """t: the -t value (None: no -t); the run must end within t + 1 s."""
        cases.append((name, args, rc, rx, t, min_t, max_t, labels, has))

    STAGE = r"^PEXIP TOKEN %s: timeout after %d s \(request_token: %s\)"
    # The phases completed before a failure keep their perfdata (as in cases.json).
    CONNECTED = ["time_dns", "time_connect"]
    TLS_DONE = CONNECTED + ["time_tls"]
    D = harness.stretch(2)  # 2, longer under valgrind (see harness.stretch)
    case("hang waiting for the response, -t 2 -> CRITICAL within 3 s",
         target(main_fake, "hang") + ["-t", D], 2,
         STAGE % ("CRITICAL", D, "waiting for the response"), D, min_t=D - 0.2, labels=TLS_DONE)
    case("--timeout=2 long form", target(main_fake, "hang") + ["--timeout=%d" % D], 2,
         STAGE % ("CRITICAL", D, "waiting for the response"), D, min_t=D - 0.2)
    case("--timeout-result=warning", target(main_fake, "hang") +
         ["-t", D, "--timeout-result=warning"], 1,
         STAGE % ("WARNING", D, "waiting for the response"), D)
    case("--timeout-result=UNKNOWN", target(main_fake, "hang") +
         ["-t", D, "--timeout-result", "UNKNOWN"], 3,
         STAGE % ("UNKNOWN", D, "waiting for the response"), D)
    case("--timeout-result=2", target(main_fake, "hang") +
         ["-t", D, "--timeout-result=2"], 2,
         STAGE % ("CRITICAL", D, "waiting for the response"), D)
    case("--timeout-result=ok", target(main_fake, "hang") +
         ["-t", D, "--timeout-result=ok"], 0,
         STAGE % ("OK", D, "waiting for the response"), D)
    case("response later than -t (delay 4 s, -t 2)",
         target(main_fake, "delay-%d" % ((D + 2) * 1000)) + ["-t", D], 2, STAGE % ("CRITICAL", D, "waiting for the response"), D, labels=TLS_DONE)
    case("TLS handshake never completes, -t 2", target(tls_hang, "meet") + ["-t", D], 2,
         STAGE % ("CRITICAL", D, "TLS handshake"), D, min_t=D - 0.2, labels=CONNECTED)
    case("slow-drip body, -t 2", target(main_fake, "drip") + ["-t", D], 2,
         STAGE % ("CRITICAL", D, "reading the response"), D, min_t=D - 0.2, labels=TLS_DONE)
    case("release_token hangs, -t 2 -> WARNING within 3 s",
         target(main_fake, "release-hang") + ["-t", D], 1,
         r"^PEXIP TOKEN WARNING: token release failed: timeout\b.*, " + TOK, D, min_t=D - 0.2)
    case("release_token hangs, --timeout-result does not apply (still WARNING)",
         target(main_fake, "release-hang") + ["-t", D, "--timeout-result=critical"], 1,
         r"^PEXIP TOKEN WARNING: token release failed: timeout", D)
    case("connection refused -> CRITICAL at once (< 2 s)",
         ["-H", "127.0.0.1", "-p", refused, "--ca-file", s.ca, "-a", "meet", "-t", "5"], 2,
         r"^PEXIP TOKEN CRITICAL: cannot connect to 127\.0\.0\.1 port %s: " % refused, None,
         max_t=2.0, labels=["time_dns"])
    case("reset during the TLS handshake -> CRITICAL at once (< 2 s)",
         target(reset, "meet") + ["-t", "5"], 2, r"^PEXIP TOKEN CRITICAL: TLS handshake failed: ",
         None, max_t=2.0, labels=CONNECTED)
    # A speed claim, apart from any deadline: a healthy node with the default -t (10 s) is
    # probed, token released, well inside a generous 5 s of wall clock (loopback: tens of ms
    # unloaded). A tight -t here would measure the machine, not the plugin.
    case("healthy node, default -t: OK well inside 5 s", target(main_fake, "meet"), 0,
         r"^PEXIP TOKEN OK: " + TOK + ", released ", None, max_t=5.0)

    def run(c):
        name, args, rc, rx, t, min_t, max_t, labels, has = c
        r = s.plugin(args, limit=(t or 10) + 10)
        limit = max_t if max_t is not None else (t + 1.0 if t else None)
        p = r.expect(rc, rx, has=has, max_seconds=limit)
        if min_t is not None and r.elapsed < min_t:
            p.append("gave up after %.2f s, before the %s s deadline" % (r.elapsed, t))
        if labels is not None and sorted(r.perf) != sorted(labels):
            p.append("perfdata labels %s, expected %s" % (sorted(r.perf), sorted(labels)))
        if t is not None and r.perf:
            p += harness.perfdata_problems(r, timeout=t)
        if p:
            p.append(r.describe())
        return p

    s.check_concurrently(cases, run, workers=8)

    def participants_after_hang():
        # A token the plugin never saw cannot be released: nothing must be left over from a
        # request_token hang either (the fake answers nothing, so no participant exists).
        parts = [p for p in main_fake.participants() if p["alias"] == "release-hang"]
        return [] if parts and all(p["release_attempts"] >= 1 for p in parts) else \
            ["release-hang participants: %r" % parts]
    s.case("release_token was attempted before the deadline", participants_after_hang)

    s.finish()


if __name__ == "__main__":
    main()
