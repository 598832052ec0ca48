#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the plugin sends, as the fake node recorded it: method, path and alias encoding,
headers (Content-Type, Host, pin, token), the JSON body, SNI, HTTP/1.1, and exactly one TCP
connection and one TLS handshake per probe (also for 503 -> /status and a failed release)."""
import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONF = "/api/client/v2/conferences/"
OK_RX = r"^PEXIP TOKEN OK: token issued in [0-9.]+ s, released "


def headers(rec):
    """Header dict with lower-case names; a name sent twice maps to a list."""
    d = {}
    for k, v in rec["headers"]:
        k = k.lower()
        d[k] = v if k not in d else (d[k] if isinstance(d[k], list) else [d[k]]) + [v]
    return d


def main():
    s = harness.Suite("request")
    fake = s.fake()
    port = fake.port

    def probe(alias="meet", extra=(), host="localhost", ip=None):
        fake.reset()
        args = ["-H", host, "-p", port, "--ca-file", s.ca, "-a", alias] + list(extra)
        if ip:
            args += ["-I", ip]
        r = s.plugin(args)
        return r, fake.requests(), fake.participants(), fake.stats()

    # --- request_token ------------------------------------------------------------------
    def request_token():
        r, reqs, parts, _ = probe()
        p = r.expect(0, OK_RX)
        if not reqs:
            return p + ["no request recorded"]
        q = reqs[0]
        h = headers(q)
        if q["method"] != "POST" or q["raw_path"] != CONF + "meet/request_token":
            p.append("first request %s %s" % (q["method"], q["raw_path"]))
        if q["http_version"] != "HTTP/1.1":
            p.append("HTTP version %s" % q["http_version"])
        ctype = h.get("content-type", "")
        if not re.match(r"^application/json\s*(;.*)?$", ctype if isinstance(ctype, str) else ""):
            p.append("Content-Type %r" % ctype)
        if not re.match(r"^localhost(:%s)?$" % port, str(h.get("host"))):
            p.append("Host %r" % h.get("host"))
        if "pin" in h:
            p.append("a pin header was sent without --pin/--pin-file/--guest")
        if "token" in h:
            p.append("a token header on request_token")
        if "authorization" in h:
            p.append("an Authorization header")
        try:
            body = json.loads(q["body"])
        except ValueError:
            return p + ["body is not JSON: %r" % q["body"][:200]]
        if not isinstance(body, dict):
            return p + ["body is not an object: %r" % q["body"][:200]]
        if body.get("display_name") != "check_pexip_token":
            p.append("display_name %r" % body.get("display_name"))
        if body.get("call_tag") != "check_pexip_token":
            p.append("call_tag %r" % body.get("call_tag"))
        if "pin" in body:
            p.append("the PIN is in the body")
        if int(h.get("content-length", -1)) != len(q["body"].encode("utf-8")):
            p.append("Content-Length %s for %d bytes" % (h.get("content-length"),
                                                          len(q["body"].encode())))
        if parts and (parts[0]["display_name"], parts[0]["call_tag"]) != \
                ("check_pexip_token", "check_pexip_token"):
            p.append("ledger %r" % parts[0])
        return p
    s.case("request_token: POST, JSON body with default display_name and call_tag, headers",
           request_token)

    def display_name():
        name = 'Nagios "probe" \\ ü 会议 / x'
        tag = "tag-42 {json} 'quoted'"
        r, reqs, parts, _ = probe(extra=["--display-name", name, "--call-tag=" + tag])
        p = r.expect(0, OK_RX)
        body = json.loads(reqs[0]["body"]) if reqs else {}
        if body.get("display_name") != name or body.get("call_tag") != tag:
            p.append("body %r" % reqs[0]["body"] if reqs else "no request")
        if not parts or parts[0]["display_name"] != name or parts[0]["call_tag"] != tag:
            p.append("ledger %r" % parts)
        return p
    s.case("--display-name and --call-tag are sent JSON-escaped", display_name)

    def pin_headers():
        p = []
        pinfile = s.write_file("pin.txt", "90210731\nnot this line\n")
        for extra, want, rx in ((["--pin", "90210731"], "90210731", r"HOST"),
                                (["--pin=90210731"], "90210731", r"HOST"),
                                (["--pin-file", pinfile], "90210731", r"HOST"),
                                (["--guest"], "none", r"GUEST")):
            r, reqs, parts, _ = probe("pin-host", extra)
            p += ["%s: %s" % (extra[0], x) for x in r.expect(0, OK_RX + r"\(conference, %s," % rx)]
            got = headers(reqs[0]).get("pin") if reqs else None
            if got != want:
                p.append("%s: pin header %r, expected %r" % (extra[0], got, want))
            rel = [q for q in reqs if q["raw_path"].endswith("/release_token")]
            if rel and headers(rel[0]).get("pin") not in (None, want):
                p.append("%s: release_token pin header %r" % (extra[0], headers(rel[0])["pin"]))
        return p
    s.case("pin header only with --pin/--pin-file/--guest ('none' for --guest)", pin_headers)

    # --- release_token ------------------------------------------------------------------
    def release_token():
        r, reqs, parts, st = probe()
        p = r.expect(0, OK_RX)
        if len(reqs) < 2:
            return p + ["requests %r" % [q["raw_path"] for q in reqs]]
        rel = [q for q in reqs if q["raw_path"].split("?")[0].endswith("/release_token")]
        if len(rel) != 1:
            return p + ["%d release_token requests" % len(rel)]
        q = rel[0]
        h = headers(q)
        if q["method"] != "POST" or q["raw_path"].split("?")[0] != CONF + "meet/release_token":
            p.append("release %s %s" % (q["method"], q["raw_path"]))
        token = h.get("token")
        if token is None and "token=" in q["raw_path"]:
            token = q["raw_path"].split("token=", 1)[1]
        if not parts or token != parts[0]["token"]:
            p.append("release token header does not carry the issued token byte for byte")
        if q["conn"] != reqs[0]["conn"]:
            p.append("release_token on another connection")
        if q["body"] and q["body"].strip() not in ("{}",):
            try:
                if not isinstance(json.loads(q["body"]), dict):
                    p.append("release body %r" % q["body"])
            except ValueError:
                p.append("release body %r is not JSON" % q["body"])
        return p
    s.case("release_token: POST, same alias path, token header = issued token, same connection",
           release_token)

    # --- alias encoding -----------------------------------------------------------------
    table = [
        ("meet@example.com", "meet%40example.com"),
        ("a/b", "a%2Fb"),
        ("..", ".."),
        (".", "."),
        ("my room", "my%20room"),
        ("réunion", "r%C3%A9union"),
        ("会议", "%E4%BC%9A%E8%AE%AE"),
        ("A-z0.9_~!*'()+:@ /%?#&=;$,[]",
         "A-z0.9_~%21%2A%27%28%29%2B%3A%40%20%2F%25%3F%23%26%3D%3B%24%2C%5B%5D"),
        ("x" * 200, "x" * 200),
    ]
    for alias, seg in table:
        def enc(alias=alias, seg=seg):
            r, reqs, parts, _ = probe(alias)
            p = r.expect(0, OK_RX)
            want = [CONF + seg + "/request_token", CONF + seg + "/release_token"]
            got = [q["raw_path"].split("?")[0] for q in reqs]
            if got != want:
                p.append("paths %r, expected %r" % (got, want))
            if reqs and reqs[0]["alias"] != alias:
                p.append("the fake decoded %r" % reqs[0]["alias"])
            return p
        s.case("alias %r is sent as %s" % (alias if len(alias) < 40 else alias[:12] + "...",
                                           seg[:60]), enc)

    def not_found_encoded():
        r, reqs, _, _ = probe("no such/room")
        p = r.expect(2, r"^PEXIP TOKEN CRITICAL: alias not found: 'no such/room' ")
        if [q["raw_path"] for q in reqs] != [CONF + "no%20such%2Froom/request_token"]:
            p.append("requests %r" % [q["raw_path"] for q in reqs])
        return p
    s.case("unknown alias: one encoded request, the alias echoed decoded", not_found_encoded)

    # --- connections, handshakes, SNI, Host -----------------------------------------------
    def one_connection(alias, rc, rx, paths, extra=()):
        def fn():
            r, reqs, parts, st = probe(alias, extra)
            p = r.expect(rc, rx)
            if st["connections"] != 1 or st["handshakes"] != 1:
                p.append("%d TCP connections, %d TLS handshakes" % (st["connections"],
                                                                   st["handshakes"]))
            if len({q["conn"] for q in reqs}) != 1:
                p.append("requests spread over connections %r" % [q["conn"] for q in reqs])
            got = ["%s %s" % (q["method"], q["raw_path"].split("?")[0]) for q in reqs]
            if got != paths:
                p.append("requests %r, expected %r" % (got, paths))
            return p
        return fn
    s.case("OK: one TCP connection, one TLS handshake",
           one_connection("meet", 0, OK_RX, ["POST " + CONF + "meet/request_token",
                                             "POST " + CONF + "meet/release_token"]))
    s.case("maintenance 503 -> GET /status on the same connection",
           one_connection("maint", 2, r"^PEXIP TOKEN CRITICAL: node is in maintenance mode",
                          ["POST " + CONF + "maint/request_token", "GET /api/client/v2/status"]))
    s.case("503 not maintenance -> GET /status on the same connection",
           one_connection("unavail503", 2, r"^PEXIP TOKEN CRITICAL: HTTP 503",
                          ["POST " + CONF + "unavail503/request_token",
                           "GET /api/client/v2/status"]))
    s.case("failed release: still one connection",
           one_connection("release-500", 1, r"^PEXIP TOKEN WARNING: token release failed",
                          ["POST " + CONF + "release-500/request_token",
                           "POST " + CONF + "release-500/release_token"]))
    s.case("PIN challenge: one request, one connection, nothing to release",
           one_connection("pin-host", 1, r"^PEXIP TOKEN WARNING: alias 'pin-host' asks for a PIN",
                          ["POST " + CONF + "pin-host/request_token"]))
    s.case("-C: the certificate is read from the same handshake",
           one_connection("meet", 0, OK_RX, ["POST " + CONF + "meet/request_token",
                                             "POST " + CONF + "meet/release_token"],
                          extra=["-C", "30"]))

    def status_request():
        r, reqs, _, _ = probe("maint")
        p = r.expect(2, r"^PEXIP TOKEN CRITICAL: ")
        st = [q for q in reqs if q["raw_path"] == "/api/client/v2/status"]
        if not st:
            return p + ["no /status request"]
        h = headers(st[0])
        if "token" in h or "pin" in h:
            p.append("/status carries token or pin")
        if not re.match(r"^localhost(:%s)?$" % port, str(h.get("host"))):
            p.append("/status Host %r" % h.get("host"))
        return p
    s.case("/status: GET, same Host, no token or pin header", status_request)

    def sni_localhost():
        r, reqs, _, _ = probe()
        p = r.expect(0, OK_RX)
        if not reqs or reqs[0]["sni"] != "localhost":
            p.append("SNI %r" % (reqs and reqs[0]["sni"]))
        return p
    s.case("SNI is the -H name", sni_localhost)

    def sni_ip_override():
        r, reqs, _, st = probe(host="node.example.test", ip="127.0.0.1")
        p = r.expect(0, OK_RX)
        for q in reqs:
            h = headers(q)
            if q["sni"] != "node.example.test":
                p.append("SNI %r on %s" % (q["sni"], q["raw_path"]))
            if not re.match(r"^node\.example\.test(:%s)?$" % port, str(h.get("host"))):
                p.append("Host %r on %s" % (h.get("host"), q["raw_path"]))
        if st["connections"] != 1:
            p.append("%d connections" % st["connections"])
        return p
    s.case("-I: connect to 127.0.0.1, Host and SNI stay node.example.test", sni_ip_override)

    def ip_literal():
        r, reqs, _, _ = probe(host="127.0.0.1")
        p = r.expect(0, OK_RX)
        if reqs and not re.match(r"^127\.0\.0\.1(:%s)?$" % port, str(headers(reqs[0]).get("host"))):
            p.append("Host %r" % headers(reqs[0]).get("host"))
        return p
    s.case("-H 127.0.0.1: Host is the address", ip_literal)

    def no_redirect():
        r, reqs, parts, st = probe("redirect")
        p = r.expect(2, r"^PEXIP TOKEN CRITICAL: HTTP 302")
        if len(reqs) != 1 or parts:
            p.append("the redirect was followed: %r" % [q["raw_path"] for q in reqs])
        return p
    s.case("a redirect is never followed", no_redirect)

    def no_retry():
        r, reqs, parts, st = probe("flaky502-1")
        p = r.expect(2, r"^PEXIP TOKEN CRITICAL: HTTP 502")
        if len(reqs) != 1 or st["connections"] != 1:
            p.append("%d requests on %d connections" % (len(reqs), st["connections"]))
        return p
    s.case("502 is not retried", no_retry)

    def no_connection_on_arg_error():
        fake.reset()
        r = s.plugin(["-H", "localhost", "-p", port, "--ca-file", s.ca, "-a", "meet",
                      "-w", "5:2"])
        p = r.expect(3, r"^PEXIP TOKEN UNKNOWN: ")
        if fake.stats()["connections"]:
            p.append("connected despite the argument error")
        return p
    s.case("argument error: no connection is made", no_connection_on_arg_error)

    s.finish()


if __name__ == "__main__":
    main()
