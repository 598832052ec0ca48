#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile nodes, hostile arguments and secrets at -vvv on every path.

Servers: many-MB bodies (Content-Length and endless chunked), 20 MiB of headers, JSON nested
100000 deep, invalid UTF-8, NUL bytes (raw and escaped), |, newlines, ANSI and every C0/C1
control in each field the plugin prints, a token with CR/LF or NUL, the token or the PIN echoed
back, a one-byte-a-second drip of the body and of the headers, an endless 100 Continue flood,
a Content-Length that lies, redirects (never followed), a wrong or missing Content-Type,
HTTP/1.0 and chunked replies, a gzip bomb, TLS servers that reset mid-handshake, answer in
plain HTTP or close. Each ends within -t + 1 s with its documented state.

Arguments: CR/LF/ESC/TAB/DEL in --display-name, --call-tag, --pin, -H, -I and
--expect-service-type (UNKNOWN, nothing sent), NUL through --pin-file and --extra-opts (argv
itself cannot carry one), aliases with / .. ? # % spaces, control and non-ASCII bytes (encoded,
the path keeps its shape: checked in the fake's record), absurd -t/-p/-C/-w, unreadable, empty,
endless or blocking --pin-file and --extra-opts files, --extra-opts with unknown keys, the
world-readable --pin-file warning.

Secrets: the PIN and every token the fake issued (or any 16-byte piece of one) never appear
at -vvv, on the OK path and every failure path (HTTP errors, challenges, release failures,
timeouts, transport and TLS failures, a node echoing them back)."""
import os
import re
import stat
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONF = "/api/client/v2/conferences/"
OK_RX = r"^PEXIP TOKEN OK: token issued in [0-9]+\.[0-9]{3} s, released "
PIN = "90210731"  # the fake's host PIN for pin-host
# -t of the hostile-server cases and of the timeout paths of the secrets sweep: longer under a
# slow wrapper (valgrind), where a TLS handshake alone takes most of a second.
T = 3 if not harness.TIMING_SLACK else 6
TS = 2 if not harness.TIMING_SLACK else 5
MARGIN = 1.0


def main():
    s = harness.Suite("hostile", watchdog=400)
    renamed = {"hostile-text-v": "hostile-text"}  # the same scenario under another name
    fake = s.fake(config={"hang_seconds": 30, "aliases": renamed})
    slow = s.fake(config={"drip_interval": 1.0, "hang_seconds": 30})  # one byte a second
    tls_fakes = {m: s.fake(mode=m) for m in ("reset-mid", "garbage", "fin")}
    tls_hang = s.fake(mode="hang")
    tls_reset = s.fake(mode="reset")
    short = s.fake("short")
    maint = s.fake(config={"maintenance": True})  # its own: /status follows the last request
    refused = s.refused_port()

    def tgt(alias, f=None):
        f = f or fake
        return ["-H", "localhost", "-p", f.port, "--ca-file", s.ca, "-a", alias]

    def of_alias(f, alias):
        return [q for q in f.requests() if q["alias"] == alias]

    def tokens_of(f, alias=None):
        return [p["token"] for p in f.participants() if alias is None or p["alias"] == alias]

    def leaks(out, tokens, pin=None):
        p = []
        for tok in tokens:
            pieces = [tok[i:i + 16] for i in range(0, max(1, len(tok) - 15), 8)]
            if tok in out or any(piece in out for piece in pieces):
                p.append("a token (or a 16-byte piece of one) is printed")
                break
        if pin and pin in out:
            p.append("the PIN is printed")
        return p

    # =====================================================================================
    # Hostile servers (run concurrently: several of them wait for the deadline)
    # =====================================================================================
    servers = []

    def server(name, alias, rc, rx, f=None, extra=(), min_t=None, check=None, lacks=()):
        servers.append((name, alias, rc, rx, f, list(extra), min_t, check, list(lacks)))

    INVALID = r"^PEXIP TOKEN CRITICAL: invalid response: "
    TIMEOUT = r"^PEXIP TOKEN CRITICAL: timeout after %d s \(request_token: " % T
    FAILED = r"^PEXIP TOKEN CRITICAL: request_token failed: "
    TLS_FAILED = r"^PEXIP TOKEN CRITICAL: TLS handshake failed: "

    def released(alias, f=None, connections=None):
        def check(r):
            f2 = f or fake
            parts = [p for p in f2.participants() if p["alias"] == alias]
            p = []
            if not parts or not all(x["released"] for x in parts):
                p.append("participants %r" % [(x["alias"], x["released"]) for x in parts])
            if connections is not None:
                conns = {q["conn"] for q in of_alias(f2, alias)}
                if len(conns) != connections:
                    p.append("%d connections, expected %d" % (len(conns), connections))
            return p
        return check

    def only_request_token(alias):
        def check(r):
            reqs = of_alias(fake, alias)
            paths = [q["raw_path"] for q in reqs]
            p = []
            if paths != [CONF + alias + "/request_token"]:
                p.append("requests %r" % paths)
            for q in reqs:
                if any(k.lower().startswith("x-injected") for k, _ in q["headers"]):
                    p.append("an injected header reached the node")
            return p
        return check

    def no_token_printed(alias):
        return lambda r: leaks(r.out, tokens_of(fake, alias), PIN)

    # sizes
    server("64 MiB body: capped at 256 KiB and said so", "huge-64m", 2,
           INVALID + r"body larger than 262144 bytes", check=lambda r: (
               # the plugin's own clock ('time' perfdata): it stops reading at the cap
               [] if (r.perf.get("time") or {}).get("value") is not None and
               r.perf["time"]["value"] < 2 + harness.TIMING_SLACK
               else ["the plugin's own 'time' is not under 2 s: %r" % r.perf.get("time")]))
    server("endless chunked body: capped and said so", "chunked-endless", 2,
           INVALID + r"body larger than 262144 bytes")
    server("20 MiB of response headers", "huge-headers", 2, FAILED + r".*[Hh]eader")
    server("gzip bomb (100 MiB of zeros): never inflated", "gzip-bomb", 2, INVALID)
    server("release_token answers 50 MiB: capped, released", "release-huge", 0, OK_RX,
           check=released("release-huge"))
    # nesting
    server("JSON nested 100000 deep (arrays)", "deep-json", 2,
           INVALID + r"JSON nested deeper than 64 levels")
    server("JSON nested 25000 deep (objects)", "deep-json-object", 2,
           INVALID + r"JSON nested deeper than 64 levels")
    server("403 with JSON nested 100000 deep", "deep-json-403", 2,
           r"^PEXIP TOKEN CRITICAL: access denied \(HTTP 403 Forbidden\)")
    server("release_token 200 with JSON nested 100000 deep", "release-deep", 0, OK_RX)
    # encodings
    server("invalid UTF-8 in role, version, conference name", "bad-utf8", 0,
           OK_RX + r"\(conference, HOST \?\? \? \?\?\? \?\? \?\? \?31m, version 36\)",
           extra=["-vvv"], check=released("bad-utf8"))
    server("invalid UTF-8 in a 403 reason", "bad-utf8-403", 2,
           r"^PEXIP TOKEN CRITICAL: access denied \(HTTP 403\): Invalid \?\? PIN \?\? \?\?\? "
           r"\?31m end")
    server("raw NUL byte in the body", "nul-body", 2, INVALID + r"body contains NUL bytes")
    server("escaped NUL (\\u0000) in role, version and conference name", "nul-escape", 0,
           OK_RX + r"\(conference, HO\?ST, version 36\?\)", extra=["-vvv"],
           check=released("nul-escape"))
    server("escaped NUL in a 403 reason", "nul-403", 2,
           r"^PEXIP TOKEN CRITICAL: access denied \(HTTP 403\): Invalid\?PIN\?\? end")
    server("token with CR/LF: refused, never sent as a header", "token-crlf", 2,
           INVALID + r"token contains control characters",
           check=only_request_token("token-crlf"))
    server("token with NUL: refused, never sent", "token-nul", 2,
           INVALID + r"token contains control characters",
           check=only_request_token("token-nul"))
    server("|, CR/LF, ESC, OSC, every C0 and C1 control in every printed field",
           "hostile-text", 0, OK_RX, extra=["-vvv"],
           lacks=[r"(?m)^PEXIP TOKEN OK: forged"],
           check=lambda r: (harness.perfdata_problems(r, harness.OK_LABELS) +
                            released("hostile-text")(r)))
    server("the same at -v", "hostile-text-v", 0, OK_RX, extra=["-v"],
           lacks=[r"(?m)^PEXIP TOKEN OK: forged"])
    server("the token echoed in role, service type, version, conference name",
           "echo-token", 0, OK_RX + r"\(<redacted>, <redacted>, version <redacted>\)",
           extra=["-vvv"], check=no_token_printed("echo-token"))
    server("release_token error text echoing the token", "release-echo", 1,
           r"^PEXIP TOKEN WARNING: token release failed: HTTP 403: Invalid token: <redacted>",
           extra=["-vvv"], check=no_token_printed("release-echo"))
    server("403 echoing the PIN", "echo-pin", 2,
           r"^PEXIP TOKEN CRITICAL: access denied \(HTTP 403\): Invalid PIN <redacted>",
           extra=["-vvv", "--pin", PIN], check=lambda r: leaks(r.out, [], PIN))
    import fake_node

    def no_encoded_echo(secrets_of):
        """No secret, plain or in any form the fake echoed it in, is printed."""
        def check(r):
            secrets = secrets_of()
            p = leaks(r.out, [x for x in secrets if x != PIN], PIN)
            for secret in secrets:
                seen = [form for form in fake_node.encoded_forms(secret) if form in r.out]
                if seen:
                    p.append("an encoded form of a secret is printed: %r" % seen[0][:40])
            if "<redacted>" not in r.out:
                p.append("nothing was redacted: did the echo reach the output?")
            return p
        return check

    server("403 echoing the PIN JSON-escaped and percent-encoded (-vvv trace)",
           "echo-pin-encoded", 2,
           r"^PEXIP TOKEN CRITICAL: access denied \(HTTP 403\): Invalid PIN <redacted> / ",
           extra=["-vvv", "--pin", PIN], check=no_encoded_echo(lambda: [PIN]))
    server("release_token echoing the token JSON-escaped and percent-encoded (-vvv trace)",
           "release-echo-encoded", 1,
           r"^PEXIP TOKEN WARNING: token release failed: HTTP 403: Invalid token: <redacted> / ",
           extra=["-vvv"],
           check=no_encoded_echo(lambda: tokens_of(fake, "release-echo-encoded")))
    server("403 echoing the PIN across the 160-byte cut", "echo-pin-long", 2,
           r"^PEXIP TOKEN CRITICAL: access denied \(HTTP 403\): Invalid PIN y+",
           extra=["-vvv", "--pin", PIN], lacks=[r"y{10}9"],
           check=lambda r: leaks(r.out, [], PIN))
    # framing
    server("Content-Type text/plain on a good token", "ctype-text", 0, OK_RX,
           check=released("ctype-text"))
    server("no Content-Type on a good token", "ctype-none", 0, OK_RX,
           check=released("ctype-none"))
    server("HTTP/1.0 reply, connection closed: release on a new connection", "http10", 0,
           OK_RX, check=released("http10", connections=2))
    server("HTTP/1.0 reply without Content-Length", "http10-noclen", 0, OK_RX,
           check=released("http10-noclen", connections=2))
    server("chunked reply (7-byte chunks, extensions, trailer)", "chunked", 0, OK_RX,
           check=released("chunked", connections=1))
    server("release_token answered in HTTP/1.0", "release-http10", 0, OK_RX)
    server("bad chunk size", "chunked-bad", 2, FAILED)
    server("Content-Length larger than the body, then close", "length-short", 2,
           FAILED + r"transfer closed")
    server("negative Content-Length", "length-negative", 2, FAILED)
    server("not HTTP at all (binary, ESC, NUL)", "not-http", 2, FAILED)
    server("301 not followed", "redirect301", 2,
           r"^PEXIP TOKEN CRITICAL: HTTP 301 .*\(redirects are not followed\)",
           check=only_request_token("redirect301"))
    server("308 not followed", "redirect308", 2,
           r"^PEXIP TOKEN CRITICAL: HTTP 308 .*\(redirects are not followed\)",
           check=only_request_token("redirect308"))
    server("302 to another host not followed", "redirect-evil", 2,
           r"^PEXIP TOKEN CRITICAL: HTTP 302 .*\(redirects are not followed\)",
           lacks=[r"evil\.invalid"], check=only_request_token("redirect-evil"))
    # time
    server("body dripping one byte a second", "drip", 2, TIMEOUT + r"reading the response\)",
           f=slow, min_t=T - 0.2)
    server("status line and headers dripping one byte a second", "drip-headers", 2,
           TIMEOUT + r"(waiting for|reading) the response\)", f=slow, min_t=T - 0.2)
    server("endless 100 Continue", "continue-flood", 2,
           TIMEOUT + r"(waiting for|reading) the response\)", min_t=T - 0.2)
    server("Content-Length that lies, then silence", "length-lie", 2,
           TIMEOUT + r"reading the response\)", min_t=T - 0.2)
    server("accept, TLS, never answer", "hang", 2, TIMEOUT + r"waiting for the response\)",
           min_t=T - 0.2)
    server("release_token dripping one byte a second", "release-drip", 1,
           r"^PEXIP TOKEN WARNING: token release failed: timeout \(reading the response\)",
           f=slow, min_t=T - 0.2)
    server("release_token never answers", "release-hang", 1,
           r"^PEXIP TOKEN WARNING: token release failed: timeout", min_t=T - 0.2)
    # TLS
    server("TLS: half a server handshake, then RST", "meet", 2, TLS_FAILED,
           f=tls_fakes["reset-mid"])
    server("TLS: plain HTTP answer to the ClientHello", "meet", 2, TLS_FAILED,
           f=tls_fakes["garbage"])
    server("TLS: clean close after the ClientHello", "meet", 2,
           r"^PEXIP TOKEN CRITICAL: (TLS handshake failed|request_token failed): ",
           f=tls_fakes["fin"])
    server("TLS: RST after the ClientHello", "meet", 2, TLS_FAILED, f=tls_reset)
    server("TLS: accept and never answer the ClientHello", "meet", 2,
           TIMEOUT + r"TLS handshake\)", f=tls_hang, min_t=T - 0.2)

    def run_server(c):
        name, alias, rc, rx, f, extra, min_t, check, lacks = c
        r = s.plugin(tgt(alias, f) + ["-t", T] + extra, limit=T + 10)
        p = r.expect(rc, rx, lacks=lacks, max_seconds=T + MARGIN)
        if min_t is not None and r.elapsed < min_t:
            p.append("gave up after %.2f s, before the %d s deadline" % (r.elapsed, T))
        if not r.timed_out and check:
            p += check(r)
        p += leaks(r.out, tokens_of(f or fake, alias))
        # The log doubles as the record of what each hostile server got (line 1, no perfdata).
        seen = "# exit %s in %.2f s: %s" % (r.rc, r.elapsed, r.lines[0].split(" | ")[0][:200])
        return (p + [r.describe()] if p else p), seen

    s.check_concurrently(servers, run_server, workers=6, prefix="server: ")

    # =====================================================================================
    # Hostile arguments
    # =====================================================================================
    def nothing_sent(r, f=None):
        st = (f or fake).stats()
        return [] if st["connections"] == 0 else ["%d connection(s) made" % st["connections"]]

    def unknown_case(name, args, rx=r"^PEXIP TOKEN UNKNOWN: ", max_t=2.0, lacks=(), usage=True):
        """usage: a syntax error shows the short usage after the reason; a file that cannot
        be used (--pin-file, --extra-opts: missing, unreadable, its content) the reason alone."""
        def fn():
            fake.reset()
            r = s.plugin(args, limit=10)
            p = r.expect(3, rx, lacks=lacks, max_seconds=max_t)
            if usage and "Usage:" not in r.out:
                p.append("no usage after the reason")
            if not usage and "Usage:" in r.out:
                p.append("the usage after a file's error (usage is for syntax errors only)")
            p += nothing_sent(r)
            return p + [r.describe()] if p else p
        s.case("args: " + name, fn)

    controls = [("CR", "a\rb"), ("LF", "a\nX-Injected: yes"), ("CRLF", "a\r\nX-Injected: yes"),
                ("ESC", "a\x1b[31mb"), ("TAB", "a\tb"), ("DEL", "a\x7fb"), ("BEL", "a\x07b")]
    for label, value in controls:
        for opt in ("--display-name", "--call-tag", "--pin", "--expect-service-type"):
            unknown_case("%s in %s: UNKNOWN, nothing sent" % (label, opt),
                         tgt("meet") + [opt, value],
                         lacks=[r"(?m)^X-Injected"])
        unknown_case("%s in -H: UNKNOWN, nothing sent" % label,
                     ["-H", "localhost" + value, "-p", fake.port, "--ca-file", s.ca, "-a",
                      "meet"], lacks=[r"(?m)^X-Injected"])
        unknown_case("%s in -I: UNKNOWN, nothing sent" % label,
                     tgt("meet") + ["-I", "127.0.0.1" + value], lacks=[r"(?m)^X-Injected"])
    unknown_case("URL pieces in -H", ["-H", "localhost/evil?x#y", "-p", fake.port, "-a", "meet"])
    unknown_case("user@ in -H", ["-H", "user:pw@localhost", "-p", fake.port, "-a", "meet"])
    unknown_case("--display-name longer than 1024 bytes",
                 tgt("meet") + ["--display-name", "x" * 1025])
    unknown_case("--call-tag longer than 1024 bytes", tgt("meet") + ["--call-tag", "x" * 1025])
    unknown_case("empty --pin", tgt("meet") + ["--pin", ""])
    # found by fuzz_options: Boost.ProgramOptions looped forever on its own placeholders
    for arg in ("--%original_token%", "--x%value%", "-k%option%", "--%canonical_option%=1"):
        unknown_case("argument %s: UNKNOWN at once" % arg, tgt("meet") + [arg],
                     rx=r"^PEXIP TOKEN UNKNOWN: unrecognised option")
    ini_pct = s.write_file("percent.ini", "[p]\n%original_token%=1\n")
    unknown_case("--extra-opts key %original_token%: UNKNOWN at once",
                 tgt("meet") + ["--extra-opts=p@" + ini_pct],
                 rx=r"^PEXIP TOKEN UNKNOWN: in --extra-opts: unrecognised option")
    unknown_case("empty --display-name", tgt("meet") + ["--display-name="])

    # (No case for a NUL in argv: the kernel ends every argv string at its first NUL, so the
    # plugin can never receive one there; the unit suite and fuzz_options feed NULs in-process.)
    pin_nul = s.write_file("pin-nul.txt", b"12\x0034\n")
    pin_esc = s.write_file("pin-esc.txt", b"12\x1b[31m34\n")
    pin_cr = s.write_file("pin-cr.txt", b"12\r34\n")
    unknown_case("NUL in the --pin-file PIN: UNKNOWN, nothing sent",
                 tgt("pin-host") + ["--pin-file", pin_nul], usage=False)
    unknown_case("ESC in the --pin-file PIN: UNKNOWN, nothing sent",
                 tgt("pin-host") + ["--pin-file", pin_esc], usage=False)
    unknown_case("CR inside the --pin-file PIN: UNKNOWN, nothing sent",
                 tgt("pin-host") + ["--pin-file", pin_cr], usage=False)
    ini_ctl = s.write_file("ctl.ini", b"[a]\ndisplay-name=ab\x00cd\n[b]\npin=12\x1b34\n"
                                      b"[c]\ncall-tag=x\ry\n")
    for sec in ("a", "b", "c"):
        unknown_case("control character from --extra-opts [%s]: UNKNOWN, nothing sent" % sec,
                     tgt("meet") + ["--extra-opts=%s@%s" % (sec, ini_ctl)])

    # --- aliases: encoded, the path keeps its shape -----------------------------------
    hostile_aliases = [
        ("../../status", "..%2F..%2Fstatus"),
        ("..%2F..%2Fstatus", "..%252F..%252Fstatus"),
        ("?token=x&pin=1", "%3Ftoken%3Dx%26pin%3D1"),
        ("#fragment", "%23fragment"),
        ("100%", "100%25"),
        ("%00", "%2500"),
        ("a b\tc", "a%20b%09c"),
        ("line\r\nHost: evil.invalid", "line%0D%0AHost%3A%20evil.invalid"),
        ("\x1b[31mred", "%1B%5B31mred"),
        ("caf\u00e9 \u4f1a\u8bae \U0001f600", "caf%C3%A9%20%E4%BC%9A%E8%AE%AE%20%F0%9F%98%80"),
        (os.fsdecode(b"raw\xff\xfe"), "raw%FF%FE"),
        ("/", "%2F"),
        ("..", ".."),
        ("\\..\\", "%5C..%5C"),
    ]
    fake.configure(aliases=dict(renamed, **{urllib_unquote(enc): "meet"
                                            for _, enc in hostile_aliases}))

    for alias, enc in hostile_aliases:
        def enc_case(alias=alias, enc=enc):
            fake.reset()
            r = s.plugin(tgt(alias))
            p = r.expect(0, OK_RX)
            reqs = fake.requests()
            want = [CONF + enc + "/request_token", CONF + enc + "/release_token"]
            got = [q["raw_path"].split("?")[0] if "release_token?" in q["raw_path"] else
                   q["raw_path"] for q in reqs]
            if got != want:
                p.append("paths %r, expected %r" % (got, want))
            if reqs and reqs[0]["alias"] != urllib_unquote(enc):
                p.append("the fake decoded %r" % reqs[0]["alias"])
            return p + [r.describe()] if p else p
        s.case("args: alias %a sent as one segment %s" % (alias, enc), enc_case)

    unknown_case("alias longer than 1024 bytes", tgt("a" * 1025))
    # An argument may be 128 KiB long; the reason quoting it must keep the output <= 8 KiB.
    unknown_case("100 kB -t value: output stays within 8 KiB", tgt("meet") + ["-t", "x" * 100000])
    unknown_case("100 kB stray argument", tgt("meet") + ["y" * 100000])
    unknown_case("100 kB --pin-file path", tgt("meet") + ["--pin-file", "/" * 4000 + "p" * 96000], usage=False)
    unknown_case("100 kB --extra-opts section", tgt("meet") + ["--extra-opts=" + "s" * 100000], usage=False)
    unknown_case("100 kB -H", ["-H", "h" * 100000, "-a", "meet"])
    unknown_case("100 kB --challenge-result", tgt("meet") + ["--challenge-result", "w" * 100000])

    # --- absurd numbers -----------------------------------------------------------------
    for value in ("0", "-1", "3601", "1e9", "1e-9", "nan", "inf", "-inf", "", " 5", "5 ", "5s",
                  "0x10", "99999999999999999999", "1" * 400, "+5", "--5", "5..0", ".", "-0"):
        unknown_case("-t %r" % value, tgt("meet") + ["-t", value])
    for value in ("0", "-1", "65536", "4294967297", "99999999999999999999", "", "443 ", "+443",
                  "0x1bb", "1e3", "44.3", "-0"):
        unknown_case("-p %r" % value, tgt("meet")[:2] + ["-p", value, "-a", "meet"])
    for value in ("-1", "36501", "99999999999999999999", "30,", ",30", "30,14,7", "abc", "",
                  "1e3", "30;14", "30,-1", " 30"):
        unknown_case("-C %r" % value, tgt("meet") + ["-C", value])
    for value in ("1e309", "9" * 400, "~:~", "@", "nan", "inf", "~", "1:0",
                  "@~:-1:2", "1,5", "0x10", "--1"):
        unknown_case("-w %r" % value, tgt("meet") + ["-w", value])

    def valid_absurd(name, args, rc, rx, max_t=3.0, f=None):
        def fn():
            (f or fake).reset()
            r = s.plugin(args, limit=15)
            p = r.expect(rc, rx, max_seconds=max_t)
            return p + [r.describe()] if p else p
        s.case("args: " + name, fn)
    valid_absurd("-t 0.001: times out at once", tgt("meet") + ["-t", "0.001"], 2,
                 r"^PEXIP TOKEN CRITICAL: timeout after 0\.001 s \(request_token: ")
    valid_absurd("-t 3600 on a healthy node", tgt("meet") + ["-t", "3600"], 0, OK_RX)
    valid_absurd("-t 3600 -v: perfdata max 3600", tgt("meet") + ["-t", "3600"], 0,
                 OK_RX + r".*'time'=[0-9.]+s;;;0;3600( |$)")
    valid_absurd("-p 1 on loopback: refused at once",
                 ["-H", "127.0.0.1", "-p", "1", "--ca-file", s.ca, "-a", "meet"], 2,
                 r"^PEXIP TOKEN CRITICAL: cannot connect to 127\.0\.0\.1 port 1: ")
    valid_absurd("-p 65535 on loopback: refused at once",
                 ["-H", "127.0.0.1", "-p", "65535", "--ca-file", s.ca, "-a", "meet"], 2,
                 r"^PEXIP TOKEN CRITICAL: cannot connect to 127\.0\.0\.1 port 65535: ")
    valid_absurd("-C 0", tgt("meet") + ["-C", "0"], 0, OK_RX)
    valid_absurd("-C 36500", tgt("meet") + ["-C", "36500"], 1,
                 r"^PEXIP TOKEN WARNING: certificate expires in [0-9]+ days: leaf 'localhost' "
                 r"\(warning below 36500 days\)")
    valid_absurd("-C 10,20 (CRIT above WARN)", tgt("meet", short) + ["-C", "10,20"], 2,
                 r"^PEXIP TOKEN CRITICAL: certificate expires in 4 days", f=short)
    valid_absurd("-w 0:0.000001 -c 99999999", tgt("meet") + ["-w", "0:0.000001", "-c",
                                                             "99999999"], 1,
                 r"^PEXIP TOKEN WARNING: response time")
    valid_absurd("-v fifty times", tgt("meet") + ["-v"] * 50, 0, OK_RX)

    # --- --pin-file and --extra-opts files ------------------------------------------------
    fifo = os.path.join(s.tmp, "files", "fifo")
    os.makedirs(os.path.dirname(fifo), exist_ok=True)
    os.mkfifo(fifo)
    dangling = os.path.join(s.tmp, "files", "dangling")
    os.symlink("/nonexistent-cpt-dir/pin", dangling)
    bigpin = s.write_file("bigpin.txt", "9" * (100 * 1024))
    newline_only = s.write_file("newline.txt", "\n")
    crlf_only = s.write_file("crlf.txt", "\r\n")
    pin_crlf = s.write_file("pin-crlf.txt", PIN + "\r\nsecond line\n", 0o600)
    for name, path in (("a FIFO nobody writes (must not block)", fifo),
                       ("/dev/zero (must not read forever)", "/dev/zero"),
                       ("/dev/null", "/dev/null"), ("a directory", s.tmp),
                       ("a dangling symlink", dangling), ("100 KiB without a newline", bigpin),
                       ("an empty first line", newline_only), ("a CR/LF-only first line",
                                                               crlf_only),
                       ("under a regular file (ENOTDIR)", bigpin + "/x")):
        unknown_case("--pin-file %s" % name, tgt("pin-host") + ["--pin-file", path, "-t", "1"], usage=False)
        unknown_case("--extra-opts file %s" % name,
                     tgt("meet") + ["--extra-opts=x@" + path, "-t", "1"], usage=False)
    valid_absurd("--pin-file with a CRLF line end", tgt("pin-host") + ["--pin-file", pin_crlf],
                 0, OK_RX)

    # root reads anything: the mode-000 file is read by nobody (setpriv, util-linux) for this
    # one run, with a copy of the plugin that nobody can execute (the build tree may be under a
    # 0700 directory) and sanitizer suppressions nobody can read.
    skip = None
    prefix = []
    run_as = {}
    if os.geteuid() == 0:
        if not harness._which("setpriv"):
            skip = "root without setpriv (Debian: util-linux; .ci/install-deps installs it)"
        else:
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            run_as = {"exe": s.exe_for_others(), "base_env": s.env_for_others()}
            os.chmod(s.tmp, 0o711)  # traversable, not listable: the file's own mode decides
            os.chmod(os.path.join(s.tmp, "files"), 0o711)
            if not _nobody_can_run(run_as["exe"]):
                skip = "uid 65534 cannot reach %s" % run_as["exe"]

    def unreadable(opt):
        def fn():
            path = s.write_file("unreadable-%s" % opt.strip("-"), "[x]\npin=1\n" if
                                opt == "--extra-opts" else PIN + "\n", 0o000)
            arg = ["--extra-opts=x@" + path] if opt == "--extra-opts" else [opt, path]
            fake.reset()
            r = s.plugin(["-H", "localhost", "-p", fake.port, "-a", "meet"] + arg,
                         prefix=prefix, **run_as)
            p = r.expect(3, r"^PEXIP TOKEN UNKNOWN: cannot read %s '%s': Permission denied" % (
                opt if opt != "--extra-opts" else "--extra-opts file", re.escape(path)))
            p += nothing_sent(r)
            return p + [r.describe()] if p else p
        return fn
    for opt in ("--pin-file", "--extra-opts"):
        name = "args: %s file unreadable (mode 000, as an unprivileged user)" % opt
        if skip:
            s.skip(name, skip)
        else:
            s.case(name, unreadable(opt))

    ini = s.write_file("hostile.ini", "[unknown-key]\nhostname=localhost\nbogus=1\n"
                       "[unknown-short]\nZ\n[nested]\nextra-opts=x@/etc/passwd\n"
                       "[help]\nhelp\n[version]\nversion\n[nokey]\n=value\n"
                       "[good]\n# comment\n; comment\n  alias = meet # trailing comment\n")
    for sec, rx in (("unknown-key", r"in --extra-opts: unrecognised option '--bogus=1'"),
                    ("unknown-short", r"in --extra-opts: "),
                    ("nested", r"--extra-opts files must not name"),
                    ("help", r"--extra-opts files must not name"),
                    ("version", r"--extra-opts files must not name"),
                    ("nokey", r"config file error"),
                    ("missing", r"no section \[missing\]")):
        unknown_case("--extra-opts [%s]" % sec, tgt("meet") + ["--extra-opts=%s@%s" % (sec, ini)],
                     rx=r"^PEXIP TOKEN UNKNOWN: .*" + rx, usage=sec not in ("nokey", "missing"))
    big_ini = s.write_file("big.ini", "[x]\n" + "# padding\n" * 120000)
    unknown_case("--extra-opts file larger than 1 MiB", tgt("meet") + ["--extra-opts=x@" + big_ini], usage=False)
    valid_absurd("--extra-opts comments and spaces", tgt("nosuch")[:-2] +
                 ["--extra-opts=good@" + ini], 0, OK_RX)

    # --- the world-readable PIN file warning --------------------------------------------
    for mode, want in ((0o644, True), (0o604, True), (0o600, False), (0o640, False),
                       (0o400, False)):
        def pin_mode(mode=mode, want=want):
            path = s.write_file("pin-%o.txt" % mode, PIN + "\n", mode)
            r = s.plugin(tgt("pin-host") + ["--pin-file", path, "-v"])
            p = r.expect(0, OK_RX)
            warning = "warning: --pin-file '%s' is readable by every user" % path
            if want and warning not in r.out:
                p.append("no world-readable warning in the long output")
            if not want and "readable by every user" in r.out:
                p.append("a warning for mode %o" % mode)
            if "readable" in r.line1:
                p.append("the warning is on line 1")
            p += leaks(r.out, [], PIN)
            r0 = s.plugin(tgt("pin-host") + ["--pin-file", path])
            p += r0.expect(0, OK_RX, lacks=[r"readable by every user"])
            return p + [r.describe()] if p else p
        s.case("--pin-file mode %o: %s" % (mode, "warns in the long output" if want else
                                             "no warning"), pin_mode)

    # =====================================================================================
    # Secrets at -vvv on every path
    # =====================================================================================
    pinfile = s.write_file("secret-pin.txt", PIN + "\n", 0o600)
    pin_ini = s.write_file("secret.ini", "[s]\npin=%s\n" % PIN)
    paths = [
        # name, args (without -vvv / PIN), rc, line-1 regex, fake, -t
        ("OK", tgt("pin-host"), 0, OK_RX, fake, None),
        ("OK --no-release", tgt("pin-host") + ["--no-release"], 0, r"^PEXIP TOKEN OK: ", fake,
         None),
        ("OK, threshold WARNING", tgt("pin-host") + ["-w", "0:0.000001"], 1,
         r"^PEXIP TOKEN WARNING: response time", fake, None),
        ("OK, service type WARNING", tgt("pin-host") + ["--expect-service-type", "test_call"],
         1, r"^PEXIP TOKEN WARNING: service type", fake, None),
        ("OK, certificate WARNING", tgt("pin-host", short) + ["-C", "30"], 1,
         r"^PEXIP TOKEN WARNING: certificate expires", short, None),
        ("wrong PIN (403 Invalid PIN)", tgt("pin-host"), 2,
         r"^PEXIP TOKEN CRITICAL: access denied", fake, None),
        ("PIN challenge", tgt("sso"), 1, r"^PEXIP TOKEN WARNING: alias 'sso' asks", fake, None),
        ("Virtual Reception", tgt("vr"), 1, r"^PEXIP TOKEN WARNING: ", fake, None),
        ("401", tgt("need-auth"), 2, r"^PEXIP TOKEN CRITICAL: authentication required", fake,
         None),
        ("404 alias not found", tgt("nosuch"), 2, r"^PEXIP TOKEN CRITICAL: alias not found",
         fake, None),
        ("404 not a Pexip node", tgt("nonpexip"), 2, r"^PEXIP TOKEN CRITICAL: not a Pexip",
         fake, None),
        ("maintenance (503 + /status)", tgt("meet", maint), 2,
         r"^PEXIP TOKEN CRITICAL: node is in maintenance", maint, None),
        ("502", tgt("e502"), 2, r"^PEXIP TOKEN CRITICAL: HTTP 502", fake, None),
        ("500 HTML", tgt("e500"), 2, r"^PEXIP TOKEN CRITICAL: HTTP 500", fake, None),
        ("invalid response", tgt("truncated"), 2, INVALID, fake, None),
        ("body over the cap", tgt("huge"), 2, INVALID, fake, None),
        ("redirect", tgt("redirect"), 2, r"^PEXIP TOKEN CRITICAL: HTTP 302", fake, None),
        ("release 500", tgt("release-500"), 1, r"^PEXIP TOKEN WARNING: token release failed",
         fake, None),
        ("release 403", tgt("release-403"), 1, r"^PEXIP TOKEN WARNING: token release failed",
         fake, None),
        ("release 404", tgt("release-404"), 1, r"^PEXIP TOKEN WARNING: token release failed",
         fake, None),
        ("release connection closed", tgt("release-close"), 1,
         r"^PEXIP TOKEN WARNING: token release failed", fake, None),
        ("release error echoing the token", tgt("release-echo"), 1,
         r"^PEXIP TOKEN WARNING: token release failed", fake, None),
        ("release timeout", tgt("release-hang"), 1,
         r"^PEXIP TOKEN WARNING: token release failed: timeout", fake, TS),
        ("release too slow", tgt("release-delay-%d" % ((TS + 2) * 1000)), 1,
         r"^PEXIP TOKEN WARNING: token release failed: timeout", fake, TS),
        ("request_token timeout", tgt("hang"), 2,
         r"^PEXIP TOKEN CRITICAL: timeout after %d s" % TS, fake, TS),
        ("slow drip timeout", tgt("drip"), 2,
         r"^PEXIP TOKEN CRITICAL: timeout after %d s" % TS, fake, TS),
        ("TLS handshake timeout", tgt("meet", tls_hang), 2,
         r"^PEXIP TOKEN CRITICAL: timeout after %d s \(request_token: TLS" % TS, tls_hang, TS),
        ("TLS reset", tgt("meet", tls_reset), 2, TLS_FAILED, tls_reset, None),
        ("TLS reset mid-handshake", tgt("meet", tls_fakes["reset-mid"]), 2, TLS_FAILED,
         tls_fakes["reset-mid"], None),
        ("TLS verification failure", ["-H", "localhost", "-p", fake.port, "-a", "pin-host"], 2,
         r"^PEXIP TOKEN CRITICAL: TLS certificate verification failed", fake, None),
        ("connection refused", ["-H", "127.0.0.1", "-p", refused, "--ca-file", s.ca, "-a",
                                "meet"], 2, r"^PEXIP TOKEN CRITICAL: cannot connect", fake,
         None),
        ("DNS failure", ["-H", "b" * 70 + ".invalid", "-a", "meet"], 2,
         r"^PEXIP TOKEN CRITICAL: cannot resolve", fake, None),
        ("the node echoes the PIN", tgt("echo-pin"), 2, r"^PEXIP TOKEN CRITICAL: access denied",
         fake, None),
        ("the node echoes the token", tgt("echo-token"), 0, OK_RX, fake, None),
        ("hostile text", tgt("hostile-text"), 0, OK_RX, fake, None),
    ]
    wrong = "31415926"
    wrong_file = s.write_file("wrong-pin.txt", wrong + "\n", 0o600)
    wrong_ini = s.write_file("wrong.ini", "[s]\npin=%s\n" % wrong)
    jobs = []
    for name, args, rc, rx, f, t in paths:
        w = name.startswith("wrong PIN")
        for how, pin_args in (("--pin", ["--pin", wrong if w else PIN]),
                              ("--pin-file", ["--pin-file", wrong_file if w else pinfile]),
                              ("--extra-opts", ["--extra-opts=s@" + (wrong_ini if w else
                                                                     pin_ini)])):
            if how != "--pin" and name not in ("OK", "release timeout", "wrong PIN (403 "
                                               "Invalid PIN)", "request_token timeout",
                                               "the node echoes the PIN"):
                continue
            jobs.append(("%s (%s)" % (name, how), args + pin_args + ["-vvv"] +
                         (["-t", t] if t else []), rc, rx, f, t, wrong if w else PIN))

    def run_secret(job):
        name, args, rc, rx, f, t, pin = job
        r = s.plugin(args, limit=(t or 8) + 10)
        p = r.expect(rc, rx, max_seconds=(t + MARGIN) if t else None)
        p += leaks(r.out, tokens_of(f), pin)
        if "> pin: <redacted>" not in r.out:
            p.append("the -vvv trace does not show '> pin: <redacted>'")
        return p + [r.describe()] if p else p

    s.check_concurrently(jobs, run_secret, workers=6, prefix="secrets -vvv: ")

    s.finish()


def urllib_unquote(text):
    import urllib.parse
    return urllib.parse.unquote(text, errors="replace")


def _nobody_can_run(exe):
    """True when uid 65534 can reach and execute exe (every directory on the way is +x)."""
    path = os.path.abspath(exe)
    while True:
        st = os.stat(path)
        if not st.st_mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


if __name__ == "__main__":
    main()
