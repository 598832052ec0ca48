#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the golden CLI cases of cases.json against fake nodes (see README.md for the keys).

Usage: cli_cases_test.py [NAME-REGEX]   (only the cases whose name matches)
"""
import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FAKES = {
    "main": dict(cert="localhost"),
    "selfsigned": dict(cert="selfsigned"),
    "wrongname": dict(cert="wrongname"),
    "expired": dict(cert="expired"),
    "short": dict(cert="short"),
    "mtls": dict(cert="localhost", client_ca="ca"),
    "reset": dict(mode="reset"),
    "tlshang": dict(mode="hang"),
    "chain": dict(cert="chain"),
    "chainleaf": dict(cert="chain-leaf-first"),
}
HTTP_LABELS = harness.OK_LABELS[:-1]
PERFDATA = {
    "ok": harness.OK_LABELS,
    "ok+cert": harness.OK_LABELS + ["cert_days"],
    "http": HTTP_LABELS,
    "none": [],
}
KNOWN_KEYS = {
    "name", "alias", "args", "exit", "line1", "output", "not_output", "perfdata", "released",
    "release_attempted", "participants", "connections", "handshakes", "requests", "sni",
    "host_header", "pin_header", "client_cert", "files", "fake", "env", "max_seconds", "raw",
    "usage", "max_columns", "doc",
}


def main():
    suite = harness.Suite("cli_cases")
    with open(os.path.join(HERE, "cases.json"), encoding="utf-8") as f:
        data = json.load(f)
    only = re.compile(sys.argv[1]) if len(sys.argv) > 1 else None
    cases = [c for c in data["cases"] if not only or only.search(c["name"])]
    certs = suite.certs()
    fakes = {}

    def fake(name):
        if name not in fakes:
            fakes[name] = suite.fake(name=name, **FAKES[name])
        return fakes[name]

    refused = suite.refused_port()
    for n, case in enumerate(cases, 1):
        suite.case("%03d %s" % (n, case["name"]),
                   lambda: run_case(suite, case, fake, certs, refused, n))
    suite.finish()


def run_case(suite, case, get_fake, certs, refused, n):
    unknown = set(case) - KNOWN_KEYS
    if unknown:
        return ["unknown keys in the case: %s" % sorted(unknown)]
    fname = case.get("fake", "main")
    fk = None if fname == "none" else get_fake(fname)
    files = os.path.join(suite.tmp, "case-%03d" % n)
    os.makedirs(files, exist_ok=True)
    subst = {
        "{PORT}": fk.port if fk else "1", "{CA}": certs["ca.pem"],
        "{CA_OTHER}": certs["ca-other.pem"], "{CLIENT_CERT}": certs["client.pem"],
        "{CLIENT_KEY}": certs["client.key"], "{FILES}": files, "{REFUSED_PORT}": refused,
        "{CHAIN_CA}": certs["chain-ca.pem"],
    }

    def sub(text):
        for k, v in subst.items():
            text = text.replace(k, v)
        return text

    def sub_rx(text):  # placeholders inside a regex are literal text
        for k, v in subst.items():
            text = text.replace(k, re.escape(v))
        return text

    for name, content in (case.get("files") or {}).items():
        with open(os.path.join(files, name), "w", encoding="utf-8") as f:
            f.write(sub(content))
    args = [sub(a) for a in case.get("args", [])]
    if "alias" in case:
        args = ["-H", "localhost", "-p", subst["{PORT}"], "--ca-file", certs["ca.pem"],
                "-a", case["alias"]] + args
    if fk:
        fk.reset()
    if not case.get("usage"):  # an argument error is about the -t given, not about time
        args, sub_rx = stretch_deadline(args, sub_rx)
    max_seconds = case.get("max_seconds")
    if max_seconds is not None:
        max_seconds += harness.DEADLINE_STRETCH

    r = suite.plugin(args, env=case.get("env"))
    problems = r.expect(case["exit"], sub_rx(case["line1"]),
                        has=[sub_rx(x) for x in case.get("output", [])],
                        lacks=[sub_rx(x) for x in case.get("not_output", [])],
                        raw=case.get("raw", False), max_seconds=max_seconds)
    if r.timed_out:
        return problems + [r.describe()]

    perf = case.get("perfdata")
    if perf is not None:
        want = PERFDATA[perf] if isinstance(perf, str) else perf
        if sorted(r.perf) != sorted(want):
            problems.append("perfdata labels %s, expected %s" % (sorted(r.perf), sorted(want)))
    if case.get("usage") is False:  # a file an argument names, not a syntax error
        more = [x for x in r.lines[1:] if x]
        if more:
            problems.append("%d lines after line 1 (usage is for syntax errors only): %r" %
                            (len(more), more[0]))
    if case.get("usage"):
        more = r.lines[1:]
        if not re.search(r"(?i)\busage\b", "\n".join(more)):
            problems.append("no usage after line 1")
        if not re.search(r"check_pexip_token\s+.*-H", "\n".join(more)):
            problems.append("the usage does not show 'check_pexip_token ... -H'")
        if len([x for x in more if x]) > 23:
            problems.append("usage is %d lines (> 23)" % len(more))
        wide = [x for x in more if len(x) > 80]
        if wide:
            problems.append("usage line wider than 80 columns: %r" % wide[0])
    if case.get("max_columns"):
        wide = [x for x in r.lines if len(x) > case["max_columns"]]
        if wide:
            problems.append("%d lines wider than %d columns, e.g. %r" %
                            (len(wide), case["max_columns"], wide[0]))

    if fk:
        problems += fake_checks(case, fk, r, sub, sub_rx)
    if problems:
        problems.append(r.describe())
    return problems


def stretch_deadline(args, sub_rx):
    """Under a slow wrapper (valgrind), a -t of 1 or 2 s becomes harness.stretch() of it, and
    the regexes' "after N s" follow (see harness.stretch); otherwise nothing changes. Never
    for an argument-error case: there -t is an argument (--events-wait must stay below it)."""
    if not harness.DEADLINE_STRETCH:
        return args, sub_rx
    out, changed = [], {}
    for i, arg in enumerate(args):
        if arg in ("1", "2") and i > 0 and args[i - 1] == "-t":
            changed[arg] = str(harness.stretch(int(arg)))
            arg = changed[arg]
        elif arg in ("--timeout=1", "--timeout=2"):
            n = arg.split("=")[1]
            changed[n] = str(harness.stretch(int(n)))
            arg = "--timeout=" + changed[n]
        out.append(arg)

    def stretched_rx(text):
        text = sub_rx(text)
        for old, new in changed.items():
            text = text.replace("after %s s" % old, "after %s s" % new)
        return text
    return out, stretched_rx


def fake_checks(case, fk, r, sub, sub_rx):
    p = []
    stats = fk.stats()
    parts = fk.participants()
    # Whatever the case: the issued token never appears in the output.
    for part in parts:
        if part["token"] in r.out:
            p.append("the issued token appears in the output")
    if "connections" in case and stats["connections"] != case["connections"]:
        p.append("%d TCP connections, expected %d" % (stats["connections"], case["connections"]))
    if "handshakes" in case and stats["handshakes"] != case["handshakes"]:
        p.append("%d TLS handshakes, expected %d" % (stats["handshakes"], case["handshakes"]))
    if "participants" in case and len(parts) != case["participants"]:
        p.append("%d participants created, expected %d" % (len(parts), case["participants"]))
    if "released" in case:
        if not parts:
            p.append("no participant was created")
        for part in parts:
            if part["released"] != case["released"]:
                p.append("participant %s released=%s, expected %s" %
                         (part["uuid"], part["released"], case["released"]))
    if case.get("release_attempted"):
        if not parts or not all(x["release_attempts"] >= 1 for x in parts):
            p.append("no release_token was tried with the issued token")
    reqs = None
    if "requests" in case:
        reqs = fk.api_requests()
        want = [sub(x) for x in case["requests"]]
        if reqs != want:
            p.append("requests %s, expected %s" % (reqs, want))
    if any(k in case for k in ("sni", "host_header", "pin_header", "client_cert")):
        full = fk.requests()
        conns = fk.connections()
        if not full:
            p.append("the fake saw no request")
        else:
            first = full[0]
            hdr = {k.lower(): v for k, v in first["headers"]}
            if "sni" in case and first["sni"] != case["sni"]:
                p.append("SNI %r, expected %r" % (first["sni"], case["sni"]))
            if "host_header" in case and not re.match(sub_rx(case["host_header"]),
                                                      hdr.get("host", "")):
                p.append("Host header %r does not match %r" % (hdr.get("host"),
                                                                case["host_header"]))
            if "pin_header" in case and hdr.get("pin") != case["pin_header"]:
                p.append("pin header %r, expected %r" % (hdr.get("pin"), case["pin_header"]))
            if case.get("client_cert") and not (conns and conns[0].get("client_cert")):
                p.append("no client certificate was presented")
    return p


if __name__ == "__main__":
    main()
