#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Self-test of the test tools: gen_certs.sh and fake_node.py, with Python's own HTTPS client.

Needs no plugin: if this script fails, the plugin tests cannot be trusted.
"""
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

API = "/api/client/v2/conferences/"


class Conn(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:port with a chosen SNI/Host (no name resolution at all)."""

    def __init__(self, port, sni="localhost", ca=None, verify=True, cert=None, key=None,
                 timeout=5):
        ctx = ssl.create_default_context(cafile=ca) if verify else \
            ssl._create_unverified_context()
        if cert:
            ctx.load_cert_chain(cert, key)
        super().__init__(sni, int(port), context=ctx, timeout=timeout)
        self.sni = sni
        self._ctx = ctx

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=self.sni)


def call(conn, method, path, body=None, headers=None, ctype="application/json"):
    h = dict(headers or {})
    if ctype and body is not None:
        h.setdefault("Content-Type", ctype)
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request(method, path, body=data, headers=h)
    resp = conn.getresponse()
    raw = resp.read()
    try:
        js = json.loads(raw.decode()) if raw else None
    except ValueError:
        js = None
    return resp.status, resp.getheader("Content-Type"), js, raw, resp


def main():
    s = harness.Suite("fake_node", need_plugin=False)
    certs = s.certs()
    ca = certs["ca.pem"]
    main_fake = s.fake()
    P = main_fake.port

    def rt(alias_seg, body=None, headers=None, conn=None, ctype="application/json"):
        c = conn or Conn(P, ca=ca)
        return call(c, "POST", API + alias_seg + "/request_token",
                    {"display_name": "probe", "call_tag": "tag"} if body is None else body,
                    headers, ctype)

    # --- certificates ----------------------------------------------------------------
    def cert_checks():
        p = []
        for name, ok in (("localhost", True), ("short", True), ("client", True),
                         ("wrongname", True), ("expired", False), ("selfsigned", False)):
            r = subprocess.run([s.openssl, "verify", "-CAfile", ca, certs[name + ".pem"]],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if (r.returncode == 0) != ok:
                p.append("%s: openssl verify rc=%d" % (name, r.returncode))
        out = subprocess.run([s.openssl, "x509", "-in", certs["short.pem"], "-noout", "-enddate"],
                             stdout=subprocess.PIPE).stdout.decode()
        end = ssl.cert_time_to_seconds(out.strip().split("=", 1)[1])
        days = (end - time.time()) / 86400
        if not 4.9 < days < 4.96:
            p.append("short certificate has %.3f days left" % days)
        out = subprocess.run([s.openssl, "x509", "-in", certs["expired.pem"], "-noout",
                              "-enddate"], stdout=subprocess.PIPE).stdout.decode()
        ago = (time.time() - ssl.cert_time_to_seconds(out.strip().split("=", 1)[1])) / 86400
        if not 10.04 <= ago < 10.1:
            p.append("expired certificate ended %.3f days ago" % ago)
        return p
    s.case("gen_certs.sh: chain, validity windows", cert_checks)

    def tls_names():
        p = []
        for sni in ("localhost", "node.example.test"):
            st = rt("meet", conn=Conn(P, sni=sni, ca=ca))[0]
            if st != 200:
                p.append("%s: status %s" % (sni, st))
        try:
            rt("meet", conn=Conn(P, sni="other.example.test", ca=ca))
            p.append("a wrong name verified")
        except ssl.SSLCertVerificationError:
            pass
        return p
    s.case("TLS: localhost and node.example.test verify, other names do not", tls_names)

    def tls_variants():
        p = []
        for cert, err in (("selfsigned", "self.signed|unable to get local issuer"),
                          ("wrongname", "Hostname mismatch|doesn't match|not valid for"),
                          ("expired", "expired")):
            f = s.fake(cert)
            try:
                rt("meet", conn=Conn(f.port, ca=ca))
                p.append("%s verified" % cert)
            except ssl.SSLCertVerificationError as e:
                if not re.search(err, str(e), re.I):
                    p.append("%s: unexpected error %s" % (cert, e))
            if rt("meet", conn=Conn(f.port, verify=False))[0] != 200:
                p.append("%s: not usable without verification" % cert)
            f.stop()
        return p
    s.case("TLS: self-signed, wrong name, expired fail verification only", tls_variants)

    def mtls():
        p = []
        f = s.fake(client_ca="ca")
        try:
            rt("meet", conn=Conn(f.port, ca=ca))
            p.append("no client certificate was accepted")
        except (ssl.SSLError, ConnectionError, OSError):
            pass
        st = rt("meet", conn=Conn(f.port, ca=ca, cert=certs["client.pem"],
                                  key=certs["client.key"]))[0]
        if st != 200:
            p.append("with a client certificate: %s" % st)
        conns = f.connections()
        if not conns or conns[-1]["client_cert"] is None or \
                "check_pexip_token test client" not in conns[-1]["client_cert"]:
            p.append("client certificate not recorded: %s" % conns[-1:])
        if conns and conns[0]["handshake"] != "failed":
            p.append("the failed handshake was not recorded: %s" % conns[0])
        f.stop()
        return p
    s.case("TLS: --ca makes client certificates mandatory", mtls)

    def plain_reset():
        f = s.fake(mode="reset")
        try:
            rt("meet", conn=Conn(f.port, ca=ca))
            return ["the handshake succeeded"]
        except (ssl.SSLError, ConnectionError, OSError):
            pass
        st = f.stats()
        f.stop()
        return [] if st["connections"] == 1 else ["connections %s" % st["connections"]]
    s.case("--plain-reset resets during the handshake", plain_reset)

    def plain_hang():
        f = s.fake(mode="hang")
        t = time.monotonic()
        try:
            rt("meet", conn=Conn(f.port, ca=ca, timeout=0.5))
            return ["answered"]
        except (socket.timeout, ssl.SSLError, OSError):
            pass
        f.stop()
        return [] if time.monotonic() - t < 3 else ["took too long"]
    s.case("--plain-hang never completes the handshake", plain_hang)

    # --- request_token success ---------------------------------------------------------
    def success():
        main_fake.reset()
        st, ct, js, raw, _ = rt("meet")
        p = []
        if st != 200 or not ct.startswith("application/json") or js["status"] != "success":
            return ["status %s %s %r" % (st, ct, raw[:200])]
        r = js["result"]
        for k in ("token", "expires", "participant_uuid", "version", "role", "display_name",
                  "current_service_type"):
            if k not in r:
                p.append("missing " + k)
        if not (len(r["token"]) > 100 and set("-_=") <= set(r["token"])):
            p.append("token not long/opaque with -_=: %r" % r["token"])
        if r["expires"] != "120" or r["role"] != "HOST" or \
                r["version"] != {"version_id": "36", "pseudo_version": "79019.0.0"} or \
                r["current_service_type"] != "conference" or r["display_name"] != "probe" or \
                r["call_tag"] != "tag":
            p.append("fields: %r" % r)
        st2, _, js2, _, _ = rt("meet")
        if js2["result"]["participant_uuid"] == r["participant_uuid"]:
            p.append("participant_uuid not fresh")
        parts = main_fake.participants()
        if len(parts) != 2 or parts[0]["token"] != r["token"] or parts[0]["released"]:
            p.append("ledger: %r" % parts)
        return p
    s.case("request_token 200: the §2.2 field set", success)

    def variants():
        p = []
        _, _, js, _, _ = rt("minimal")
        if set(js["result"]) != {"token", "expires", "participant_uuid", "version", "role",
                                 "display_name", "current_service_type"}:
            p.append("minimal: %s" % sorted(js["result"]))
        _, _, js, _, _ = rt("full")
        if not {"service_type", "stun", "turn", "analytics_enabled"} <= set(js["result"]):
            p.append("full: %s" % sorted(js["result"]))
        _, _, js, _, _ = rt("extra-keys")
        if "x_future_feature" not in js["result"]:
            p.append("extra-keys")
        _, _, js, _, _ = rt("expires-number")
        if js["result"]["expires"] != 120:
            p.append("expires-number")
        for t in ("waiting_room", "ivr", "gateway", "lecture", "media_playback", "test_call"):
            _, _, js, _, _ = rt("svc-" + t)
            if js["result"]["current_service_type"] != t:
                p.append("svc-" + t)
        _, _, js, _, _ = rt("testcall")
        if js["result"].get("service_type") != "test_call" or \
                js["result"]["current_service_type"] != "test_call":
            p.append("testcall")
        return p
    s.case("request_token variants: minimal, full, extra keys, expires number, types", variants)

    def versions():
        p = []
        for vid in ("37", "36.10", "9.99", "36.1b"):
            _, _, js, _, _ = rt("version-" + vid)
            got = js["result"].get("version", {})
            if got.get("version_id") != vid or got.get("pseudo_version") != "79019.0.0":
                p.append("version-%s: %r" % (vid, got))
        _, _, js, _, _ = rt("version-none")
        if "version" in js["result"] or not js["result"].get("token"):
            p.append("version-none: %s" % sorted(js["result"]))
        return p
    s.case("v2 request_token versions: version-<id> reports that version_id, version-none none",
           versions)

    def pins():
        p = []
        st, _, js, _, _ = rt("pin-host")
        if st != 403 or js != {"status": "success", "result": {
                "pin": "required", "guest_pin": "none", "version": js["result"].get("version")}}:
            p.append("pin-host challenge %s %r" % (st, js))
        st, _, js, _, _ = rt("pin-both")
        if st != 403 or js["result"]["guest_pin"] != "required":
            p.append("pin-both challenge")
        st, _, js, _, _ = rt("pin-host", headers={"pin": "90210731"})
        if st != 200 or js["result"]["role"] != "HOST":
            p.append("host pin")
        st, _, js, _, _ = rt("pin-host", headers={"pin": "none"})
        if st != 200 or js["result"]["role"] != "GUEST":
            p.append("guest none")
        st, _, js, _, _ = rt("pin-both", headers={"pin": "none"})
        if st != 403 or js != {"status": "failed", "result": "Invalid PIN"}:
            p.append("pin-both with none: %s %r" % (st, js))
        st, _, js, _, _ = rt("pin-host", headers={"pin": "0000"})
        if st != 403 or js != {"status": "failed", "result": "Invalid PIN"}:
            p.append("wrong pin")
        return p
    s.case("PIN-protected aliases", pins)

    def challenges():
        p = []
        st, _, js, _, _ = rt("sso")
        if st != 403 or js["status"] != "success" or not js["result"]["idp"]:
            p.append("sso")
        uuid_ = js["result"]["idp"][0]["uuid"]
        st, _, js, _, _ = rt("sso", body={"display_name": "x", "chosen_idp": uuid_})
        if st != 403 or "redirect_url" not in js["result"] or "redirect_idp" not in js["result"]:
            p.append("sso chosen idp")
        st, _, js, _, _ = rt("sso-empty")
        if st != 403 or js["result"]["idp"] != []:
            p.append("sso-empty")
        st, _, js, _, _ = rt("vr")
        if st != 403 or js["result"] != {"conference_extension": "required",
                                         "conference_extension_type": "standard"}:
            p.append("vr")
        st, _, js, _, _ = rt("vr-legacy")
        if js["result"] != {"conference_extension": "standard"}:
            p.append("vr-legacy")
        st, _, js, _, _ = rt("vr-mssip")
        if js["result"] != {"conference_extension": "required",
                            "conference_extension_type": "mssip"}:
            p.append("vr-mssip")
        st, _, js, _, _ = rt("vr", body={"display_name": "x", "conference_extension": "meet"})
        if st != 200:
            p.append("vr with extension")
        st, _, js, _, _ = rt("vr", body={"display_name": "x", "conference_extension": "nope"})
        if st != 404:
            p.append("vr with a wrong extension")
        return p
    s.case("SSO and Virtual Reception challenges", challenges)

    def errors():
        p = []
        table = [
            ("nosuch", 404, {"status": "failed", "result": "Neither conference nor gateway found"}),
            ("maint", 503, {"status": "failed", "result": "System in maintenance mode"}),
            ("e502", 502, {"status": "failed", "result": "Failed to forward request"}),
            ("e504", 504, {"status": "failed", "result": "504 Gateway Timeout"}),
            ("e529", 529, {"status": "failed", "result": "Out of resource"}),
            ("unavail503", 503, {"status": "failed", "result": "503 Service Unavailable"}),
        ]
        for alias, code, body in table:
            st, ct, js, raw, _ = rt(alias)
            if st != code or js != body or ct != "application/json":
                p.append("%s: %s %s %r" % (alias, st, ct, raw[:100]))
        for alias, code in (("e502-html", 502), ("e504-html", 504), ("nonpexip", 404),
                            ("e500", 500)):
            st, ct, _, _, _ = rt(alias)
            if st != code or not ct.startswith("text/html"):
                p.append("%s: %s %s" % (alias, st, ct))
        st, _, _, _, resp = rt("need-auth")
        if st != 401 or "Basic" not in (resp.getheader("WWW-Authenticate") or ""):
            p.append("need-auth %s" % st)
        st, _, _, _, _ = rt("need-auth", headers={"Authorization": "Basic bW9uaXRvcjpzZWNyZXQ="})
        if st != 200:
            p.append("need-auth with credentials %s" % st)
        st, _, _, _, resp = rt("redirect")
        if st != 302 or not resp.getheader("Location", "").startswith("https://127.0.0.1:"):
            p.append("redirect")
        st, _, _, _, _ = rt("e418")
        if st != 418:
            p.append("e418")
        st, _, js, _, _ = rt("meet", ctype="text/plain")
        if st != 415 or js["status"] != "failed":
            p.append("415: %s" % st)
        c = Conn(P, ca=ca)
        st, _, _, _, _ = call(c, "GET", API + "meet/request_token")
        if st != 405:
            p.append("GET request_token %s" % st)
        st, ct, _, _, _ = call(c, "GET", "/elsewhere")
        if st != 404 or not ct.startswith("text/html"):
            p.append("outside the API: %s %s" % (st, ct))
        return p
    s.case("error statuses and bodies", errors)

    def malformed():
        p = []
        for alias in ("empty", "notjson", "truncated", "string-result", "no-token",
                      "status-failed", "token-number"):
            st, _, js, raw, _ = rt(alias)
            if st != 200:
                p.append("%s: %s" % (alias, st))
            if js and isinstance(js.get("result"), dict) and \
                    isinstance(js["result"].get("token"), str) and js["result"]["token"]:
                p.append("%s has a usable token" % alias)
        st, _, _, raw, _ = rt("huge")
        if st != 200 or len(raw) != 2 * 1024 * 1024:
            p.append("huge: %s %d" % (st, len(raw)))
        return p
    s.case("malformed 200 responses", malformed)

    def weird():
        st, _, js, _, _ = rt("weird-403")
        return [] if st == 403 and "\x1b" in js["result"] and "|" in js["result"] and \
            "\r\n" in js["result"] else ["weird-403 %r" % js]
    s.case("hostile node text (|, ESC, CR/LF)", weird)

    def encoding():
        main_fake.reset()
        p = []
        for seg, alias in (("meet%40example.com", "meet@example.com"),
                           ("meet@example.com", "meet@example.com"), ("a%2Fb", "a/b"),
                           ("..", ".."), ("my%20room", "my room"),
                           ("r%C3%A9union", "réunion"), ("%25", "%")):
            st, _, js, _, _ = rt(seg)
            reqs = main_fake.requests()
            if reqs[-1]["alias"] != alias or reqs[-1]["raw_path"] != API + seg + "/request_token":
                p.append("%s decoded as %r" % (seg, reqs[-1]["alias"]))
        st, _, js, _, _ = rt("%252F")
        if main_fake.requests()[-1]["alias"] != "%2F":
            p.append("decoded twice")
        return p
    s.case("alias decoded exactly once; %2F belongs to the alias", encoding)

    def release():
        p = []
        c = Conn(P, ca=ca)
        _, _, js, _, _ = rt("meet", conn=c)
        tok = js["result"]["token"]
        st, _, js, _, _ = call(c, "POST", API + "meet/release_token", headers={"token": tok})
        if st != 200 or js != {"status": "success", "result": True}:
            p.append("release %s %r" % (st, js))
        st, _, js, _, _ = call(c, "POST", API + "meet/release_token", headers={"token": tok})
        if st != 403 or js != {"status": "failed", "result": "Invalid token"}:
            p.append("second release %s %r" % (st, js))
        st, _, js, _, _ = call(c, "POST", API + "meet/release_token", body={},
                               headers={"token": "bogus"})
        if st != 403:
            p.append("unknown token %s" % st)
        st, _, _, _, _ = call(c, "POST", API + "nosuch/release_token", headers={"token": tok})
        if st != 404:
            p.append("unknown alias %s" % st)
        _, _, js, _, _ = rt("meet", conn=c)
        tok2 = js["result"]["token"]
        st, _, _, _, _ = call(c, "POST", API + "meet/release_token?token=" + tok2)
        if st != 200:
            p.append("?token= %s" % st)
        led = {x["token"]: x for x in main_fake.participants()}
        if not (led[tok]["released"] and led[tok2]["released"]):
            p.append("ledger not released")
        _, _, js, _, _ = rt("release-500", conn=c)
        st, _, _, _, _ = call(c, "POST", API + "release-500/release_token",
                              headers={"token": js["result"]["token"]})
        if st != 500:
            p.append("release-500 %s" % st)
        return p
    s.case("release_token semantics and ledger", release)

    def refresh():
        c = Conn(P, ca=ca)
        _, _, js, _, _ = rt("meet", conn=c)
        tok = js["result"]["token"]
        st, _, js, _, _ = call(c, "POST", API + "meet/refresh_token", headers={"token": tok})
        if st != 200 or js["result"]["token"] == tok:
            return ["refresh %s" % st]
        st, _, _, _, _ = call(c, "POST", API + "meet/release_token", headers={"token": tok})
        return [] if st == 403 else ["old token still valid"]
    s.case("refresh_token", refresh)

    def keepalive():
        main_fake.reset()
        c = Conn(P, sni="node.example.test", ca=ca)
        rt("maint", conn=c)
        st, _, _, _, _ = call(c, "GET", "/api/client/v2/status")
        rt("unavail503", conn=c)
        st2, _, _, _, _ = call(c, "GET", "/api/client/v2/status")
        stats = main_fake.stats()
        reqs = main_fake.requests()
        p = []
        if st != 503 or st2 != 200:
            p.append("/status %s then %s" % (st, st2))
        if stats["connections"] != 1 or stats["handshakes"] != 1:
            p.append("stats %r" % stats)
        if {r["conn"] for r in reqs} != {1} or reqs[0]["sni"] != "node.example.test":
            p.append("records %r" % [(r["conn"], r["sni"]) for r in reqs])
        hosts = [dict((k.lower(), v) for k, v in r["headers"])["host"] for r in reqs]
        if not hosts[0].startswith("node.example.test"):
            p.append("host %r" % hosts[0])
        return p
    s.case("keep-alive: one connection, one handshake, SNI and Host recorded", keepalive)

    def timing():
        p = []
        t = time.monotonic()
        try:
            rt("hang", conn=Conn(P, ca=ca, timeout=0.5))
            p.append("hang answered")
        except (socket.timeout, TimeoutError):
            pass
        c = Conn(P, ca=ca, timeout=2)
        c.request("POST", API + "drip/request_token", body=b"{}",
                  headers={"Content-Type": "application/json"})
        resp = c.getresponse()
        t0 = time.monotonic()
        first = resp.read(4)
        dt = time.monotonic() - t0
        c.close()
        if resp.status != 200 or int(resp.getheader("Content-Length")) < 1000 or \
                not 0.4 < dt < 2 or first != b'{"st':
            p.append("drip: %s %r after %.2f s" % (resp.status, first, dt))
        t0 = time.monotonic()
        st, _, _, _, _ = rt("delay-300")
        if st != 200 or not 0.3 <= time.monotonic() - t0 < 2:
            p.append("delay-300")
        c = Conn(P, ca=ca, timeout=0.5)
        _, _, js, _, _ = rt("release-hang", conn=c)
        try:
            call(c, "POST", API + "release-hang/release_token",
                 headers={"token": js["result"]["token"]})
            p.append("release-hang answered")
        except (socket.timeout, TimeoutError):
            pass
        if time.monotonic() - t > 5:
            p.append("too slow")
        return p
    s.case("timing faults: hang, drip, delay, release hang", timing)

    def flaky():
        main_fake.reset()
        a = rt("flaky502-2")[0], rt("flaky502-2")[0], rt("flaky502-2")[0]
        return [] if a == (502, 502, 200) else ["%r" % (a,)]
    s.case("flaky502-N fails N times, then succeeds", flaky)

    def config():
        main_fake.configure(maintenance=True)
        st = rt("meet")[0]
        c = Conn(P, ca=ca)
        st2 = call(c, "GET", "/api/client/v2/status")[0]
        main_fake.defaults()
        st3 = rt("meet")[0]
        main_fake.configure(aliases={"room1": "pin-host"})
        st4 = rt("room1")[0]
        main_fake.defaults()
        return [] if (st, st2, st3, st4) == (503, 503, 200, 403) else \
            ["%r" % ((st, st2, st3, st4),)]
    s.case("POST /__fake/config: maintenance, alias mapping, defaults", config)

    def expiry():
        main_fake.configure(participant_ttl=0.2)
        _, _, js, _, _ = rt("meet")
        time.sleep(0.4)
        parts = main_fake.participants()
        c = Conn(P, ca=ca)
        st = call(c, "POST", API + "meet/release_token", headers={"token": js["result"]["token"]})[0]
        main_fake.defaults()
        last = [x for x in parts if x["token"] == js["result"]["token"]][0]
        return [] if last["expired"] and st == 403 else ["%r %s" % (last, st)]
    s.case("unreleased participants expire", expiry)

    def sigterm():
        f = s.fake()
        t = time.monotonic()
        f.proc.send_signal(signal.SIGTERM)
        rc = f.proc.wait(5)
        dt = time.monotonic() - t
        return [] if rc == 0 and dt < 2 else ["rc=%s after %.2f s" % (rc, dt)]
    s.case("SIGTERM stops the fake cleanly", sigterm)

    def sigterm_busy():
        f = s.fake()
        c = Conn(f.port, ca=ca, timeout=5)
        c.request("POST", API + "hang/request_token", body=b"{}",
                  headers={"Content-Type": "application/json"})
        time.sleep(0.2)
        t = time.monotonic()
        f.proc.send_signal(signal.SIGTERM)
        rc = f.proc.wait(5)
        dt = time.monotonic() - t
        return [] if rc == 0 and dt < 2 else ["rc=%s after %.2f s" % (rc, dt)]
    s.case("SIGTERM stops the fake with a hanging request", sigterm_busy)

    def loopback_only():
        try:
            with open("/proc/net/tcp") as f:
                table = f.read().splitlines()[1:]
        except OSError:
            return []  # no procfs: nothing to look at (the code binds 127.0.0.1 only)
        p = []
        for port in (main_fake.port, main_fake.control_port):
            rows = [r.split() for r in table]
            listening = [r[1] for r in rows if len(r) > 3 and r[3] == "0A" and
                         r[1].endswith(":%04X" % int(port))]
            if not listening:
                p.append("no listener found for port %s" % port)
            p += ["port %s listens on %s" % (port, a) for a in listening
                  if not a.startswith("0100007F:")]
        return p
    s.case("fake listens on 127.0.0.1 only", loopback_only)

    def new_shapes():
        # Issue 9: a reverse-proxy outage, a node that re-prompts for the PIN, maintenance
        # wording with /status 200.
        p = []
        c = Conn(P, ca=ca)
        st, ct, js, raw, resp = rt("proxy503", conn=c)
        if st != 503 or not ct.startswith("text/html") or js is not None or \
                b"503 Service Temporarily Unavailable" not in raw:
            p.append("proxy503: %s %s %r" % (st, ct, raw[:80]))
        for path in ("/api/client/v2/status", API + "proxy503/release_token"):
            st, ct, js, raw, _ = call(c, "GET" if path.endswith("status") else "POST", path,
                                      None if path.endswith("status") else {})
            if st != 503 or not ct.startswith("text/html"):
                p.append("proxy503 then %s: %s %s" % (path, st, ct))
        st, _, js, _, _ = rt("maint-status200", conn=c)
        if st != 503 or js != {"status": "failed", "result": "System in maintenance mode"}:
            p.append("maint-status200: %s %r" % (st, js))
        st, _, js, _, _ = call(c, "GET", "/api/client/v2/status")
        if st != 200:
            p.append("maint-status200 then /status: %s" % st)
        challenge = {"pin": "required", "guest_pin": "required"}
        for pin in (None, "0000", "none", ""):
            st, _, js, _, _ = rt("pin-reprompt", headers={} if pin is None else {"pin": pin})
            got = {k: js["result"].get(k) for k in challenge} if st == 403 and \
                isinstance((js or {}).get("result"), dict) else js
            if st != 403 or got != challenge:
                p.append("pin-reprompt with %r: %s %r" % (pin, st, js))
        for pin, role in (("90210731", "HOST"), ("55501234", "GUEST")):
            st, _, js, _, _ = rt("pin-reprompt", headers={"pin": pin})
            if st != 200 or js["result"]["role"] != role:
                p.append("pin-reprompt with the %s PIN: %s" % (role, st))
        f = s.fake(config={"proxy_outage": True})
        c2 = Conn(f.port, ca=ca)
        for method, path in (("POST", API + "meet/request_token"), ("GET", "/api/client/v2/status"),
                             ("POST", API + "meet/release_token"), ("GET", "/")):
            st, ct, _, _, _ = call(c2, method, path, {} if method == "POST" else None)
            if st != 503 or not ct.startswith("text/html"):
                p.append("proxy_outage %s %s: %s %s" % (method, path, st, ct))
        f.stop()
        return p
    s.case("proxy503, proxy_outage, pin-reprompt, maint-status200", new_shapes)

    s.finish()


if __name__ == "__main__":
    main()
