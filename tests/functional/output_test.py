#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Output rules: nothing on stderr in any state, secrets (PIN, token) never printed at any
verbosity, '.' decimals under a German locale, the perfdata grammar and its fixed label set,
min/max and verbatim thresholds, the 8 KiB cap, and hostile text from the node or the user
(|, ESC, CR/LF) never reaching the output raw."""
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TOK = r"token issued in [0-9]+\.[0-9]{3} s"
PIN = "90210731"
INJECTED = r"(?m)^PEXIP TOKEN OK: (injected|fake)"


def main():
    s = harness.Suite("output")
    fake = s.fake()
    short = s.fake("short")

    def tgt(alias, f=None):
        f = f or fake
        return ["-H", "localhost", "-p", f.port, "--ca-file", s.ca, "-a", alias]

    def run(args, f=None, env=None):
        (f or fake).reset()
        return s.plugin(args, env=env)

    # --- stderr, in every state ---------------------------------------------------------
    matrix = [
        ("OK", tgt("meet"), 0, False),
        ("OK -vvv", tgt("meet") + ["-vvv"], 0, False),
        ("WARNING", tgt("pin-host"), 1, False),
        ("WARNING -vvv (release failed)", tgt("release-500") + ["-vvv"], 1, False),
        ("CRITICAL", tgt("nosuch"), 2, False),
        ("CRITICAL -vvv (malformed JSON)", tgt("truncated") + ["-vvv"], 2, False),
        ("CRITICAL (TLS verification)", ["-H", "localhost", "-p", fake.port, "-a", "meet"], 2,
         False),
        ("UNKNOWN (bad option)", tgt("meet") + ["--bogus"], 3, False),
        ("UNKNOWN (bad range)", tgt("meet") + ["-w", "5:2"], 3, False),
        ("UNKNOWN (missing pin file)", tgt("meet") + ["--pin-file", "/nonexistent/pin"], 3,
         False),
        ("--help", ["--help"], 3, True),
        ("--version", ["--version"], 3, True),
    ]
    for name, args, rc, raw in matrix:
        def fn(args=args, rc=rc, raw=raw):
            r = run(args)
            p = r.expect(rc, None, raw=raw)
            return p + [r.describe()] if p else p
        s.case("output rules (empty stderr, exit code, line 1): " + name, fn)

    # --- secrets ------------------------------------------------------------------------
    pinfile = s.write_file("pin.txt", PIN + "\n")
    ini = s.write_file("secret.ini", "[secret]\npin=%s\n" % PIN)

    def secret_case(args, rc, rx, need_redacted=True, pin=PIN):
        def fn():
            r = run(args)
            p = r.expect(rc, rx)
            if pin in r.out:
                p.append("the PIN is printed")
            for part in fake.participants():
                tok = part["token"]
                if tok in r.out or tok[:16] in r.out or tok[-16:] in r.out:
                    p.append("the token (or a piece of it) is printed")
            if need_redacted and "<redacted>" not in r.out:
                p.append("no <redacted> marker in the -vvv trace")
            return p + [r.describe()] if p else p
        return fn

    s.case("secrets: OK -vvv with --pin", secret_case(
        tgt("pin-host") + ["-vvv", "--pin", PIN], 0, r"^PEXIP TOKEN OK: " + TOK))
    s.case("secrets: OK -vvv with --pin-file", secret_case(
        tgt("pin-host") + ["-vvv", "--pin-file", pinfile], 0, r"^PEXIP TOKEN OK: " + TOK))
    s.case("secrets: OK -vvv with the PIN from --extra-opts", secret_case(
        tgt("pin-host") + ["-vvv", "--extra-opts=secret@" + ini], 0,
        r"^PEXIP TOKEN OK: " + TOK))
    s.case("secrets: OK -vvv, token", secret_case(
        tgt("meet") + ["-vvv"], 0, r"^PEXIP TOKEN OK: " + TOK))
    s.case("secrets: wrong PIN -vvv", secret_case(
        tgt("pin-both") + ["-vvv", "--pin=31415926"], 2,
        r"^PEXIP TOKEN CRITICAL: access denied", pin="31415926"))
    s.case("secrets: release failure -vvv with a PIN", secret_case(
        tgt("release-500") + ["-vvv", "--pin", PIN], 1, r"^PEXIP TOKEN WARNING: "))
    s.case("secrets: release timeout -vvv with a PIN", secret_case(
        tgt("release-hang") + ["-vvv", "--pin", PIN, "-t", harness.stretch(1)], 1,
        r"^PEXIP TOKEN WARNING: "))
    s.case("secrets: --no-release -vvv", secret_case(
        tgt("meet") + ["-vvv", "--no-release", "--pin", PIN], 0, r"^PEXIP TOKEN OK: "))
    s.case("secrets: malformed reply -vvv", secret_case(
        tgt("truncated") + ["-vvv", "--pin", PIN], 2, r"^PEXIP TOKEN CRITICAL: ",
        need_redacted=True))
    s.case("secrets: -v and -vv", lambda: (
        secret_case(tgt("pin-host") + ["-v", "--pin", PIN], 0, "^PEXIP TOKEN OK: ", False)() +
        secret_case(tgt("pin-host") + ["-vv", "--pin", PIN], 0, "^PEXIP TOKEN OK: ", False)()))

    # --- locale -------------------------------------------------------------------------
    de = s.german_locale_env()

    def german(args, rc, rx, has=()):
        def fn():
            if de is None:
                return ["cannot make a de_DE.UTF-8 locale (localedef missing?) to test with"]
            r = run(args, env=de)
            p = r.expect(rc, rx, has=has)
            if re.search(r"[0-9],[0-9]", r.line1):
                p.append("decimal comma on line 1")
            return p + [r.describe()] if p else p
        return fn
    s.case("LC_ALL=de_DE.UTF-8: '.' decimals in text and perfdata", german(
        tgt("meet") + ["-v"], 0, r"^PEXIP TOKEN OK: token issued in [0-9]+\.[0-9]{3} s",
        has=[r"'time'=[0-9]+\.[0-9]{6}s;"]))
    s.case("LC_ALL=de_DE.UTF-8: -w 10.5 -c 20.5 parse and show verbatim", german(
        tgt("meet") + ["-w", "10.5", "-c", "20.5"], 0, r"^PEXIP TOKEN OK: ",
        has=[r"'time'=[0-9]+\.[0-9]+s;10\.5;20\.5;"]))
    s.case("LC_ALL=de_DE.UTF-8: threshold alert text", german(
        tgt("delay-600") + ["-w", "0.3"], 1,
        r"^PEXIP TOKEN WARNING: response time [0-9]+\.[0-9]{3} s outside warning range 0\.3"))
    s.case("LC_ALL=de_DE.UTF-8: -C cert_days", german(
        tgt("meet", short) + ["-C", "30,3"], 1, r"^PEXIP TOKEN WARNING: ",
        has=[r"'cert_days'=4;30:;3:"]))

    # --- perfdata -----------------------------------------------------------------------
    def perf_ok():
        r = run(tgt("meet"))
        p = r.expect(0, r"^PEXIP TOKEN OK: ")
        p += harness.perfdata_problems(r, harness.OK_LABELS)
        if list(r.perf) != harness.OK_LABELS:
            p.append("perfdata order %s, expected %s" % (list(r.perf), harness.OK_LABELS))
        mx = [d["max"] for d in r.perf.values()]
        try:
            if not all(0 < float(m) < 10 for m in mx):
                p.append("max (the default timeout) %r is not below check_nrpe's 10 s" % mx)
        except ValueError:
            p.append("max fields %r" % mx)
        phases = sum(r.perf[k]["value"] for k in harness.OK_LABELS[1:6] if k in r.perf)
        if "time" in r.perf and abs(phases - r.perf["time"]["value"]) > 1e-5:
            p.append("phases add up to %.6f, time is %.6f" % (phases, r.perf["time"]["value"]))
        for k, d in r.perf.items():
            if d["value"] is None or d["value"] < 0:
                p.append("%s=%r" % (k, d["value"]))
            if not re.match(r"^-?[0-9]+\.[0-9]{6}$", r.perf_items[list(r.perf).index(k)]
                            .split("=")[1].split(";")[0].rstrip("s")):
                p.append("%s is not given with six decimals: %s" % (k, d["raw"]))
        return p + [r.describe()] if p else p
    s.case("perfdata on OK: exactly the seven time labels, s, 0..timeout, phases add up",
           perf_ok)

    def perf_stable():
        p = []
        sets = {}
        for alias in ("meet", "minimal", "full", "extra-keys", "expires-number", "testcall",
                      "svc-waiting_room", "pin-host"):
            extra = ["--guest"] if alias == "pin-host" else []
            r = run(tgt(alias) + extra)
            p += ["%s: %s" % (alias, x) for x in r.expect(0, r"^PEXIP TOKEN OK: ")]
            sets[alias] = list(r.perf)
        if len({tuple(v) for v in sets.values()}) != 1:
            p.append("label lists differ: %r" % sets)
        return p
    s.case("perfdata: the same labels on every successful run", perf_stable)

    def perf_cert():
        r = run(tgt("meet") + ["-C", "30"])
        p = r.expect(0, r"^PEXIP TOKEN OK: ")
        p += harness.perfdata_problems(r, harness.OK_LABELS + ["cert_days"])
        d = r.perf.get("cert_days", {})
        if not re.match(r"^'cert_days'=[0-9]+;30:(;|$)", d.get("raw", "")):
            p.append("cert_days item %r" % d.get("raw"))
        return p
    s.case("perfdata with -C: cert_days=N;30: (no UOM)", perf_cert)

    def perf_timeout_max():
        r = run(tgt("meet") + ["-t", "5"])
        return r.expect(0, r"^PEXIP TOKEN OK: ") + harness.perfdata_problems(
            r, harness.OK_LABELS, timeout=5)
    s.case("perfdata: max is the -t value", perf_timeout_max)

    def perf_verbatim():
        p = []
        for w, c in (("10", "20"), ("10:", "~:30"), ("@1:2", "0:30"), ("-5:5", "@20:30"),
                     ("~:10", "30")):
            r = run(tgt("meet") + ["-w", w, "-c", c])
            d = r.perf.get("time", {})
            p += r.expect(None, r"^PEXIP TOKEN (OK|WARNING|CRITICAL): ")
            if (d.get("warn"), d.get("crit")) != (w, c):
                p.append("-w %s -c %s shown as %r" % (w, c, d.get("raw")))
        return p
    s.case("perfdata: thresholds verbatim in all five range forms", perf_verbatim)

    def perf_error_http():
        r = run(tgt("e502"))
        return r.expect(2, r"^PEXIP TOKEN CRITICAL: ") + harness.perfdata_problems(
            r, harness.OK_LABELS[:-1])
    s.case("perfdata after an HTTP error: request_token times, no time_release",
           perf_error_http)

    # --- the 8 KiB cap ------------------------------------------------------------------
    for alias, rc in (("huge-error", 2), ("huge", 2), ("long-403", 2), ("weird", 0),
                      ("extra-keys", 0), ("full", 0)):
        def cap(alias=alias, rc=rc):
            r = run(tgt(alias) + ["-vvv"])
            p = r.expect(rc, r"^PEXIP TOKEN ")
            return p + [r.describe()] if p else p
        s.case("output <= 8 KiB with -vvv: %s" % alias, cap)

    def cap_long_alias():
        # 1000 bytes become 3000 once percent-encoded, and show up in the URL and trace
        r = run(tgt("\u00e9" * 500) + ["-vvv"])
        return r.expect(2, r"^PEXIP TOKEN CRITICAL: alias not found: ")
    s.case("output <= 8 KiB with -vvv: a 1000-byte alias", cap_long_alias)

    def cap_long_user_text():
        r = run(tgt("meet") + ["-vvv", "--display-name", "d" * 1000, "--call-tag", "c" * 1000])
        return r.expect(0, r"^PEXIP TOKEN OK: ")
    s.case("output <= 8 KiB with -vvv: 1000-byte display name and call tag",
           cap_long_user_text)

    # --- hostile text -------------------------------------------------------------------
    for alias, rc, rx in (("weird", 0, r"^PEXIP TOKEN OK: "),
                          ("weird-403", 2, r"^PEXIP TOKEN CRITICAL: access denied"),
                          ("weird-404", 2, r"^PEXIP TOKEN CRITICAL: alias not found"),
                          ("weird-503", 2, r"^PEXIP TOKEN CRITICAL: HTTP 503"),
                          ("e599-weird", 2, r"^PEXIP TOKEN CRITICAL: HTTP 599"),
                          ("huge-error", 2, r"^PEXIP TOKEN CRITICAL: HTTP 500")):
        for v in ([], ["-vvv"]):
            def hostile(alias=alias, rc=rc, rx=rx, v=v):
                r = run(tgt(alias) + v)
                return r.expect(rc, rx, lacks=[INJECTED, r"(?m)^red"])
            s.case("node text sanitised: %s %s" % (alias, " ".join(v)), hostile)

    pipe = "evil|name 'x'=1 | y"
    s.case("user text with '|': --display-name/--call-tag -vvv", lambda: run(
        tgt("meet") + ["-vvv", "--display-name", pipe, "--call-tag", pipe]).expect(
        0, r"^PEXIP TOKEN OK: "))
    evil = "evil\x1b[31m\r\nPEXIP TOKEN OK: fake\x07"

    def user_control():
        # Rejecting such a value (UNKNOWN) or sanitising it (OK) are both fine; printing it
        # raw is not (the common checks look for control characters and injected lines).
        r = run(tgt("meet") + ["-vvv", "--display-name", evil, "--call-tag", evil])
        return r.expect(None, r"^PEXIP TOKEN (OK|UNKNOWN): ", lacks=[INJECTED])
    s.case("user text with ESC, CR/LF, BEL: --display-name/--call-tag -vvv", user_control)
    s.case("user text sanitised: alias not found", lambda: run(
        tgt("room|x\x1b[2J\nPEXIP TOKEN OK: fake") + ["-vvv"]).expect(
        2, r"^PEXIP TOKEN CRITICAL: alias not found: 'room/x", lacks=[INJECTED]))
    s.case("user text sanitised: bad option value", lambda: run(
        tgt("meet") + ["-w", "1|2\x1b\nPEXIP TOKEN OK: fake"]).expect(
        3, r"^PEXIP TOKEN UNKNOWN: ", lacks=[INJECTED]))

    def short_line1():
        r = run(tgt("meet"))
        p = r.expect(0, r"^PEXIP TOKEN OK: ")
        text = r.line1.split("|")[0].rstrip()
        if len(text) > 80:
            p.append("status text is %d characters (> 80): %r" % (len(text), text))
        return p
    s.case("normal OK: the status text before '|' fits 80 columns", short_line1)

    s.finish()


if __name__ == "__main__":
    main()
