#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deadline backstop: when the probe blocks where libcurl cannot time out, the process
still ends within -t + 1 s with the --timeout-result state and its line, and with WARNING
once a token is held (HACKING.md). tests/blocking_plugin is the real plugin run
(run_plugin) with an HttpClient that blocks in pause() at request_token, at release_token or
in the event stream (CPT_BLOCK_AT); only the SIGALRM backstop can end it. No network is used. ~6 s."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = 1
RCS = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
TOKEN = "BLOCKING-token-0123="


def main():
    s = harness.Suite("backstop", need_plugin=False)
    top = os.environ.get("TOP_BUILDDIR") or os.getcwd()
    s.exe = os.path.join(top, "tests", "blocking_plugin")
    if not os.access(s.exe, os.X_OK):
        s.fail("blocking plugin present", "no executable at %s (make check builds it)" % s.exe)
        s.finish()
    args = ["-H", "node.invalid", "-a", "meet", "-t", T]
    # -t + 1 s: the backstop fires at -t + 0.5 s; it must not need the test's own timeout.
    limit = T + 1.0

    def blocked(name, block_at, extra, rc, line1, lacks=()):
        def run():
            r = s.plugin(args + extra, limit=20, env={"CPT_BLOCK_AT": block_at})
            p = r.expect(rc, line1, lacks=list(lacks) + [TOKEN], max_seconds=limit)
            if r.timed_out:
                p.append("the backstop never fired (killed by the test's timeout)")
            if r.elapsed < T:
                p.append("ended after %.2f s, before the %d s deadline" % (r.elapsed, T))
            if r.out.count("\n") != 1:
                p.append("expected exactly one line, got %r" % r.out)
            return p + ([r.describe()] if p else [])
        cases.append((name, run))

    cases = []
    deadline_line = r"timeout after %d s \(plugin deadline\)$" % T
    for state in ("CRITICAL", "UNKNOWN", "WARNING", "OK"):
        blocked("request_token blocks, --timeout-result=%s: %s line" % (state, state),
                "request_token", ["--timeout-result=%s" % state], RCS[state],
                r"^PEXIP TOKEN %s: %s" % (state, deadline_line))
    blocked("request_token blocks, default --timeout-result: CRITICAL", "request_token", [], 2,
            r"^PEXIP TOKEN CRITICAL: " + deadline_line)
    # A token is held: the node keeps a participant; that is WARNING whatever --timeout-result.
    for extra in ([], ["--timeout-result=UNKNOWN"], ["--timeout-result=OK"]):
        blocked("release_token blocks %s: WARNING, release failed" % " ".join(extra or
                                                                            ["(default)"]),
                "release_token", extra, 1,
                r"^PEXIP TOKEN WARNING: token release failed: " + deadline_line)
    # --events: a stream that blocks where no timeout reaches holds a token too: WARNING.
    for extra in ([], ["--timeout-result=OK"]):
        blocked("the event stream blocks %s: WARNING, release failed" % " ".join(
            extra or ["(default)"]), "/events", ["--events", "--events-wait=0.5"] + extra, 1,
                r"^PEXIP TOKEN WARNING: token release failed: " + deadline_line)

    # Two at a time: each case only waits ~1.5 s for its alarm.
    s.check_concurrently(cases, lambda c: c[1](), workers=2)
    s.finish()


if __name__ == "__main__":
    main()
