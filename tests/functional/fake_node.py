#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Pexip Infinity conferencing node for the functional tests (Python 3 stdlib only).

It speaks HTTPS (HTTP/1.1, keep-alive, Content-Length) on 127.0.0.1 and emulates Pexip's
client REST API (https://docs.pexip.com/api_client/api_rest.htm, request_token, release_token
and /status); tests/pexip-client/ has Pexip's own npm client code validate every answer. `make
fake-node` runs it by hand (--list-aliases prints the aliases worth trying). The behaviour is chosen by the conference alias (see ALIASES and
scenario_for()); a few global switches live in a config that can be set with --config or
POST /__fake/config.

Test-only endpoints (served on the TLS port and, without TLS, on the control port):
  GET  /__fake/requests       every API request: method, raw path, decoded path, alias,
                              headers, body, SNI, connection id, response status
  GET  /__fake/participants   the ledger: uuid, alias, display_name, call_tag, role, token,
                              released, release_attempts, expired
  GET  /__fake/connections    one record per TCP connection: TLS handshake, SNI, client cert
  GET  /__fake/stats          counters
  GET  /__fake/config         the current config; POST merges a JSON object into it
  POST /__fake/reset          forget requests, participants, connections and counters

A reverse-proxy outage (HTML 503 on every path, /status included) is the alias "proxy503"
(its request_token, release_token and the /status after it) or, for every alias and path,
the config switch "proxy_outage" (--config '{"proxy_outage": true}').

Modes: TLS (default), --plain-reset (accepts TCP, reads the ClientHello, resets), --plain-hang
(accepts TCP and never answers). The process binds only 127.0.0.1, never connects anywhere,
stops on SIGTERM/SIGINT, when its parent goes away, or after --max-lifetime seconds.
"""

import argparse
import base64
import http.server
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid

import fake_events

API_PREFIX = "/api/client/v2/"
CONTROL_PREFIX = "/__fake/"
VERSION = {"version_id": "36", "pseudo_version": "79019.0.0"}
HOST_PIN = "90210731"
GUEST_PIN = "55501234"
IDP = {"name": "IdP", "uuid": "3d1b2c4e-8f6a-4b7c-9d0e-1f2a3b4c5d6e"}
SERVICE_TYPES = ("conference", "gateway", "test_call", "waiting_room", "ivr", "lecture",
                 "media_playback")
NOT_FOUND = "Neither conference nor gateway found"
HUGE_BYTES = 2 * 1024 * 1024
MAX_HANG = 120.0
GZIP_BOMB_MIB = 100
GZIP_BOMB = None  # GZIP_BOMB_MIB MiB of zeros, gzipped: built by main() before serving
# Text meant to break a plugin that echoes node text raw: '|', ESC, CR/LF, BEL, NUL, DEL.
WEIRD = "bad | pipe \x1b[31mred\x1b[0m\r\nPEXIP TOKEN OK: injected | 'x'=1\x07\x00\x7f end"

# Aliases that behave like a plain, healthy conference (besides "meet").
SUCCESS_ALIASES = {
    "meet", "success", "meet@example.com", "a/b", "..", ".", "my room", "réunion", "会议",
    "A-z0.9_~!*'()+:@ /%?#&=;$,[]", "x" * 200,
}

DEFAULT_CONFIG = {
    "maintenance": False,        # /status 503 and every request_token 503 maintenance
    "status_code": None,         # force the /status answer
    "expires": "120",            # what request_token reports
    "participant_ttl": 120.0,    # seconds until an unreleased participant is dropped
    "require_auth": None,        # "user:password": HTTP Basic in front of every API call
    "strict_content_type": True,  # 415 unless Content-Type is application/json
    "refresh_invalidates_old": True,
    "aliases": {},               # extra alias -> scenario mappings
    "drip_interval": 0.25,       # seconds per byte of the slow-drip body
    "hang_seconds": 60.0,        # how long "hang" scenarios stall before closing
    "release_any_token": False,  # release_token: 200 for any token (the benchmark's curl floor)
    "proxy_outage": False,       # a reverse proxy's HTML 503 on every API path, /status too
}


def now():
    return time.time()


def json_bytes(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def new_token():
    # Long and opaque, with '-', '_' and '=' as real tokens have.
    return "yaan" + secrets.token_urlsafe(96) + "-_" + secrets.token_urlsafe(12) + "=="


class FakeState:
    """Everything shared between connections; guarded by one lock."""

    def __init__(self, config):
        self.lock = threading.Lock()
        self.config = dict(DEFAULT_CONFIG)
        self.config.update(config)
        self.stop = threading.Event()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.requests = []
            self.connections = []
            self.participants = []
            self.by_token = {}
            self.alias_counters = {}
            self.last_token_scenario = None
            self.wrong_pins = 0
            self.accepted = 0
            self.handshakes = 0
            self.handshake_failures = 0
            self.event_streams = 0

    # --- connections -------------------------------------------------------------------
    def new_connection(self, peer, tls):
        with self.lock:
            self.accepted += 1
            rec = {
                "id": len(self.connections) + 1, "peer": "%s:%s" % peer[:2], "tls": tls,
                "opened": now(), "closed": None, "handshake": None, "error": None,
                "sni": None, "tls_version": None, "cipher": None, "alpn": None,
                "client_cert": None, "requests": 0,
            }
            self.connections.append(rec)
            return rec

    def handshake_done(self, rec, ok, **fields):
        with self.lock:
            rec["handshake"] = "ok" if ok else "failed"
            rec.update(fields)
            if ok:
                self.handshakes += 1
            else:
                self.handshake_failures += 1

    # --- participants ------------------------------------------------------------------
    def add_participant(self, alias, display_name, call_tag, role):
        p = {
            "uuid": str(uuid.uuid4()), "alias": alias, "display_name": display_name,
            "call_tag": call_tag, "role": role, "token": new_token(), "created": now(),
            "refreshed": now(), "released": False, "released_at": None,
            "release_attempts": 0, "expired": False, "reason": None,
        }
        with self.lock:
            self.participants.append(p)
            self.by_token[p["token"]] = p
        return p

    def expire_participants(self):
        ttl = float(self.config.get("participant_ttl") or 120.0)
        t = now()
        with self.lock:
            for p in self.participants:
                if not p["released"] and not p["expired"] and t - p["refreshed"] > ttl:
                    p["expired"] = True
                    p["reason"] = "Timer expired awaiting token refresh"
                    self.by_token.pop(p["token"], None)

    def alias_hit(self, alias):
        with self.lock:
            n = self.alias_counters.get(alias, 0) + 1
            self.alias_counters[alias] = n
            return n

    def snapshot(self, what):
        self.expire_participants()
        with self.lock:
            if what == "requests":
                return {"requests": [dict(r) for r in self.requests]}
            if what == "participants":
                return {"participants": [dict(p) for p in self.participants]}
            if what == "connections":
                return {"connections": [dict(c) for c in self.connections]}
            if what == "stats":
                return {
                    "connections": self.accepted, "handshakes": self.handshakes,
                    "handshake_failures": self.handshake_failures,
                    "requests": len(self.requests), "participants": len(self.participants),
                    "released": sum(1 for p in self.participants if p["released"]),
                    "wrong_pins": self.wrong_pins,
                    "event_streams": getattr(self, "event_streams", 0),
                }
            if what == "config":
                return dict(self.config)
        return {}


# What `make fake-node` (--list-aliases) offers to try by hand: alias, what the node answers.
TRY_ALIASES = [
    ("meet", "OK", "a token, released"),
    ("testcall", "OK", "a Test Call Service token (service type test_call)"),
    ("pin-host", "WARNING", "a PIN challenge, guests may join without one (try --guest, or "
     "--pin-file with the host PIN)"),
    ("pin-both", "WARNING", "a PIN challenge, guests need a PIN too"),
    ("sso", "WARNING", "an identity provider (SSO) challenge"),
    ("vr", "WARNING", "a conference extension challenge (Virtual Reception)"),
    ("maint", "CRITICAL", "maintenance mode (503 with Pexip's envelope, /status 503 too)"),
    ("proxy503", "CRITICAL", "a reverse proxy's 503 page: an outage, never maintenance"),
    ("nonpexip", "CRITICAL", "a 404 that is not Pexip's: not a Pexip node"),
    ("e502", "CRITICAL", "HTTP 502: Failed to forward request"),
    ("version-37", "OK", "a token from version 37 (WARNING with --min-version 38)"),
    ("delay-3", "OK", "a token after 3 seconds (WARNING with -w 1, CRITICAL with -t 2)"),
    ("release-500", "WARNING", "a token whose release fails"),
    ("no-such-alias", "CRITICAL", "alias not found (any alias not listed here)"),
]

def scenario_for(alias, config):
    """Maps a decoded alias to (scenario, parameter)."""
    extra = config.get("aliases") or {}
    if alias in extra:
        alias = extra[alias]
    if alias in SUCCESS_ALIASES:
        return "success", None
    if alias in fake_events.EVENTS_ALIASES:
        return "events", alias  # a normal token; GET .../events shows the failure shape
    m = re.fullmatch(r"(delay|release-delay|flaky502)-(\d+)", alias)
    if m:
        return m.group(1), int(m.group(2))
    # v2 --min-version: "version-37", "version-36.10", "version-36.1b" report that
    # version_id; "version-none" issues a token without any version.
    m = re.fullmatch(r"version-([0-9a-z.]{1,20})", alias)
    if m:
        return "version", m.group(1)
    m = re.fullmatch(r"svc-([a-z_]+)", alias)
    if m and m.group(1) in SERVICE_TYPES:
        return "svc", m.group(1)
    if alias in SCENARIOS:
        return alias, None
    return "notfound", None


# Scenarios answered by one fixed reply: alias -> (status, content type, body, headers, reason)
def _envelope(status, result):
    return json_bytes({"status": status, "result": result})


HTML_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
            b"</body>\r\n</html>\r\n")
HTML_504 = HTML_502.replace(b"502 Bad Gateway", b"504 Gateway Time-out")
HTML_404 = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>"
            b"<h1>Not Found</h1><p>The requested URL was not found on this server.</p>"
            b"</body></html>\n")
HTML_500 = (b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>"
            b"<body><h1>Internal Server Error</h1></body></html>\n")
# What nginx in front of a node says when no upstream is up: no Pexip envelope at all.
HTML_503 = HTML_502.replace(b"502 Bad Gateway", b"503 Service Temporarily Unavailable")
PROXY_503 = (503, "text/html", HTML_503, (), "Service Temporarily Unavailable")

FIXED = {
    "notfound": (404, "application/json", _envelope("failed", NOT_FOUND), (), None),
    "maint": (503, "application/json", _envelope("failed", "System in maintenance mode"),
              (), None),
    "unavail503": (503, "application/json", _envelope("failed", "503 Service Unavailable"),
                   (), None),
    "unavail503-status404": (503, "application/json",
                             _envelope("failed", "503 Service Unavailable"), (), None),
    "e502": (502, "application/json", _envelope("failed", "Failed to forward request"),
             (), None),
    "e502-html": (502, "text/html", HTML_502, (), None),
    "e504": (504, "application/json", _envelope("failed", "504 Gateway Timeout"), (), None),
    "e504-html": (504, "text/html", HTML_504, (), None),
    "e529": (529, "application/json", _envelope("failed", "Out of resource"), (), None),
    "e500": (500, "text/html", HTML_500, (), None),
    "e500-json": (500, "application/json", _envelope("failed", "Internal error"), (), None),
    "e418": (418, "text/plain", b"I'm a teapot\n", (), None),
    "e403-string": (403, "application/json", _envelope("failed", "Participant limit reached"),
                    (), None),
    "e599-weird": (599, "text/plain", b"odd\n", (), "Weird | Reason \x1b[1m"),
    "nonpexip": (404, "text/html", HTML_404, (), None),
    # A reverse-proxy outage: HTML 503 on request_token, and /status after it (node_status()).
    "proxy503": PROXY_503,
    # Maintenance wording in the envelope, but /status answers 200: not maintenance mode.
    "maint-status200": (503, "application/json",
                        _envelope("failed", "System in maintenance mode"), (), None),
    "404-otherjson": (404, "application/json", json_bytes({"detail": "Not found"}), (), None),
    "weird-403": (403, "application/json", _envelope("failed", WEIRD), (), None),
    "weird-404": (404, "application/json", _envelope("failed", WEIRD), (), None),
    "weird-503": (503, "application/json", _envelope("failed", WEIRD), (), None),
    "long-403": (403, "application/json", _envelope("failed", "Denied " + "x" * 20000),
                 (), None),
    # 200 without a usable token
    "empty": (200, "application/json", b"", (), None),
    "notjson": (200, "text/html", b"<html><body>Welcome</body></html>\n", (), None),
    "notjson-ct-json": (200, "application/json", b"this is not json\n", (), None),
    "truncated": (200, "application/json",
                  b'{"status":"success","result":{"token":"abc-def_ghi=","expires":"1', (),
                  None),
    "string-result": (200, "application/json", _envelope("success", "ok"), (), None),
    "status-failed": (200, "application/json", _envelope("failed", "Something failed"), (),
                      None),
    "result-null": (200, "application/json", _envelope("success", None), (), None),
    "result-array": (200, "application/json", _envelope("success", [1, 2]), (), None),
    "top-array": (200, "application/json", b"[1,2,3]", (), None),
    "token-number": (200, "application/json",
                     _envelope("success", {"token": 12345, "expires": "120",
                                           "participant_uuid": str(uuid.uuid4()),
                                           "display_name": "x", "role": "HOST",
                                           "current_service_type": "conference",
                                           "version": VERSION}), (), None),
    "token-empty": (200, "application/json",
                    _envelope("success", {"token": "", "expires": "120",
                                          "participant_uuid": str(uuid.uuid4()),
                                          "display_name": "x", "role": "HOST",
                                          "current_service_type": "conference",
                                          "version": VERSION}), (), None),
    "no-token": (200, "application/json",
                 _envelope("success", {"expires": "120",
                                       "participant_uuid": str(uuid.uuid4()),
                                       "display_name": "x", "role": "HOST",
                                       "current_service_type": "conference",
                                       "version": VERSION}), (), None),
}
# Virtual Reception that says an extension is required but names no type.
FIXED["vr-untyped"] = (403, "application/json",
                       _envelope("success", {"conference_extension": "required"}), (), None)

# Scenarios with logic (handled in Handler.request_token / release_token)
DYNAMIC = {
    "success", "minimal", "full", "extra-keys", "expires-number", "testcall", "svc", "weird",
    "pin-host", "pin-both", "sso", "sso-redirect", "sso-empty", "vr", "vr-legacy",
    "vr-mssip", "need-auth", "redirect", "redirect307", "huge", "huge-error", "hang", "drip",
    "close", "reset", "delay", "flaky502", "release-500", "release-500-json", "release-403",
    "release-hang", "release-delay", "release-close", "release-404", "pin-reprompt",
}
# Hostile nodes (hostile_test.py): framing, encodings, sizes and echoes a real node would
# not send. Handled in Handler.hostile() / Handler.hostile_release().
HOSTILE = {
    "deep-json", "deep-json-object", "deep-json-403", "bad-utf8", "bad-utf8-403", "nul-body",
    "nul-escape", "nul-403", "token-crlf", "token-nul", "hostile-text", "echo-token",
    "ctype-text", "ctype-none", "http10", "http10-noclen", "chunked", "chunked-endless",
    "chunked-bad", "huge-64m", "huge-headers", "drip-headers", "redirect301", "redirect308",
    "redirect-evil", "not-http", "continue-flood", "length-short", "length-lie",
    "length-negative", "gzip-bomb", "echo-pin", "echo-pin-long",
}
HOSTILE_RELEASE = {"release-echo", "release-drip", "release-huge", "release-deep",
                   "release-http10"}
# Echoes of the PIN / the token in re-encoded forms (JSON \\u escapes, %XX): see encoded_forms.
HOSTILE |= {"echo-pin-encoded"}
HOSTILE_RELEASE |= {"release-echo-encoded"}
SCENARIOS = set(FIXED) | DYNAMIC | HOSTILE | HOSTILE_RELEASE


def encoded_forms(secret):
    """The secret JSON-escaped and percent-encoded, whole and mixed with plain characters, in
    upper and lower case hex: what a node, proxy or WAF might echo back."""
    def u(c, upper=False):
        return ("\\u%04X" if upper else "\\u%04x") % ord(c)

    def pct(c, upper=True):
        return "".join(("%%%02X" if upper else "%%%02x") % b for b in c.encode("utf-8"))
    return [
        "".join(u(c) for c in secret),
        "".join(u(c, True) for c in secret),
        "".join(u(c) if i % 2 else c for i, c in enumerate(secret)),
        "".join(pct(c) for c in secret),
        "".join(pct(c, False) for c in secret),
        "".join(c if i % 2 else pct(c) for i, c in enumerate(secret)),
        "".join(u(c) if i % 3 == 0 else pct(c) if i % 3 == 1 else c
                for i, c in enumerate(secret)),
    ]


def raw_envelope(status, result_status, text):
    """An envelope whose result string is written as is: escapes in text stay escapes."""
    return ('{"status":"%s","result":"%s"}' % (result_status, text)).encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakePexipNode/1.0"
    sys_version = ""

    def version_string(self):
        return self.server_version
    timeout = 30  # idle keep-alive connections are closed after this

    # --- plumbing ----------------------------------------------------------------------
    def setup(self):
        super().setup()
        self.conn = getattr(self.server.local, "conn", None)
        self.record = None

    def log_message(self, fmt, *args):
        log = self.server.log
        if log:
            log("%s conn=%s %s" % (self.address_string(), self.conn and self.conn["id"],
                                     fmt % args))

    @property
    def state(self):
        return self.server.state

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_GET

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if length:
            n = int(length)
            return self.rfile.read(min(n, 4 * 1024 * 1024))
        return b""

    def respond(self, status, body=b"", ctype="application/json", headers=(), reason=None,
                close=False):
        if self.record is not None:
            self.record["status"] = status
        self.send_response(status, reason)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD" and body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                self.close_connection = True

    def fixed(self, scenario):
        status, ctype, payload, headers, reason = FIXED[scenario]
        return self.respond(status, payload, ctype, headers, reason)

    def respond_json(self, status, obj, headers=()):
        self.respond(status, json_bytes(obj), "application/json", headers)

    def envelope(self, status, result_status, result):
        self.respond_json(status, {"status": result_status, "result": result})

    def hang(self):
        """Never answer: hold the connection until the fake stops or hang_seconds pass."""
        if self.record is not None:
            self.record["status"] = "hang"
        self.state.stop.wait(min(float(self.state.config.get("hang_seconds") or 60), MAX_HANG))
        self.close_connection = True

    def reset_connection(self):
        if self.record is not None:
            self.record["status"] = "reset"
        try:
            raw = self.connection
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True

    # --- dispatch ----------------------------------------------------------------------
    def dispatch(self):
        raw_target = self.path
        split = urllib.parse.urlsplit(raw_target)
        raw_path = split.path if raw_target.startswith("/") else raw_target
        query = urllib.parse.parse_qs(split.query)
        body = self.read_body()

        if raw_path.startswith(CONTROL_PREFIX):
            return self.control(raw_path[len(CONTROL_PREFIX):], body)
        if self.server.control_only:
            return self.respond(404, HTML_404, "text/html")

        self.record = {
            "t": now(), "conn": self.conn and self.conn["id"], "method": self.command,
            "raw_path": raw_target, "path": urllib.parse.unquote(raw_path, errors="replace"),
            "http_version": self.request_version,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", errors="replace"),
            "body_b64": base64.b64encode(body).decode("ascii"),
            "sni": self.conn and self.conn.get("sni"), "alias": None, "action": None,
            "scenario": None, "status": None,
        }
        with self.state.lock:
            self.state.requests.append(self.record)
            if self.conn:
                self.conn["requests"] += 1

        if self.state.config.get("proxy_outage"):
            return self.fixed("proxy503")
        if not raw_path.startswith(API_PREFIX):
            return self.respond(404, HTML_404, "text/html")
        rest = raw_path[len(API_PREFIX):]
        if rest == "status":
            return self.node_status()
        parts = rest.split("/")
        if len(parts) != 3 or parts[0] != "conferences" or not parts[1]:
            return self.respond(404, HTML_404, "text/html")
        # The alias is the percent-decoded segment, decoded exactly once: %2F belongs to it.
        alias = urllib.parse.unquote(parts[1], errors="replace")
        action = parts[2]
        self.record["alias"] = alias
        self.record["action"] = action
        scenario, param = scenario_for(alias, self.state.config)
        self.record["scenario"] = scenario

        if not self.basic_auth_ok(scenario):
            return self.respond(401, b"<html><body>401 Authorization Required</body></html>",
                                "text/html", [("WWW-Authenticate", 'Basic realm="pexip"')])
        if action == "request_token":
            if self.command != "POST":
                return self.respond(405, _envelope("failed", "Method Not Allowed"),
                                    headers=[("Allow", "POST")])
            return self.request_token(alias, scenario, param, body)
        if action in ("release_token", "refresh_token"):
            if scenario == "proxy503":
                return self.fixed("proxy503")
            if self.command != "POST":
                return self.respond(405, _envelope("failed", "Method Not Allowed"),
                                    headers=[("Allow", "POST")])
            token = self.headers.get("token")
            if token is None and "token" in query:
                token = query["token"][0]
            if action == "release_token":
                return self.release_token(alias, scenario, param, token)
            return self.refresh_token(alias, scenario, token)
        if action == "events" and self.command == "GET" and scenario in ("success", "events"):
            # The probe sends the token header; Pexip's web client can only use ?token=.
            token = self.headers.get("token")
            if token is None and "token" in query:
                token = query["token"][0]
            self.record["token_in_query"] = "token" in query
            with self.state.lock:
                p = self.state.by_token.get(token) if token else None
            return fake_events.serve(self, alias, p, token is not None)
        return self.respond(404, HTML_404, "text/html")

    def basic_auth_ok(self, scenario):
        need = self.state.config.get("require_auth")
        if scenario == "need-auth":
            need = need or "monitor:secret"
        if not need:
            return True
        want = "Basic " + base64.b64encode(need.encode()).decode()
        return self.headers.get("Authorization") == want

    # --- /status -----------------------------------------------------------------------
    def node_status(self):
        cfg = self.state.config
        code = cfg.get("status_code")
        last = self.state.last_token_scenario
        if code is None:
            if cfg.get("maintenance") or last == "maint":
                code = 503
            elif last == "unavail503-status404":
                code = 404
            elif last == "proxy503":
                return self.fixed("proxy503")
            else:
                code = 200
        if code == 200:
            return self.envelope(200, "success", True)
        if code == 503:
            return self.envelope(503, "failed", "System in maintenance mode")
        if code == 404:
            return self.respond(404, HTML_404, "text/html")
        return self.envelope(code, "failed", "status %d" % code)

    # --- request_token -----------------------------------------------------------------
    def request_token(self, alias, scenario, param, body):
        cfg = self.state.config
        ctype = (self.headers.get("Content-Type") or "").strip().lower()
        if cfg.get("strict_content_type", True) and not ctype.startswith("application/json"):
            return self.respond(415, _envelope("failed", "415 Unsupported Media Type"))
        try:
            fields = json.loads(body.decode("utf-8")) if body else {}
            if not isinstance(fields, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError):
            return self.respond(400, _envelope("failed", "Invalid request body"))
        self.record["json"] = fields
        with self.state.lock:
            self.state.last_token_scenario = scenario
        if cfg.get("maintenance"):
            return self.fixed("maint")

        if scenario in HOSTILE:
            return self.hostile(alias, scenario, fields)
        if scenario in FIXED:
            return self.fixed(scenario)

        pin = self.headers.get("pin")
        if scenario in ("pin-host", "pin-both"):
            guest = "none" if scenario == "pin-host" else "required"
            if pin is None or not pin.strip():
                return self.envelope(403, "success", {"pin": "required", "guest_pin": guest,
                                                      "version": VERSION})
            if pin == HOST_PIN:
                return self.issue(alias, fields, role="HOST")
            if (guest == "none" and pin == "none") or (guest == "required" and pin == GUEST_PIN):
                return self.issue(alias, fields, role="GUEST")
            with self.state.lock:
                self.state.wrong_pins += 1
            return self.envelope(403, "failed", "Invalid PIN")
        if scenario == "pin-reprompt":
            # A node that answers any PIN it does not take (a wrong one, "none") with the
            # challenge again, never "Invalid PIN": Pexip's Swift SDK reads that as invalid PIN.
            if pin == HOST_PIN:
                return self.issue(alias, fields, role="HOST")
            if pin == GUEST_PIN:
                return self.issue(alias, fields, role="GUEST")
            if pin is not None:
                with self.state.lock:
                    self.state.wrong_pins += 1
            return self.envelope(403, "success", {"pin": "required", "guest_pin": "required",
                                                  "version": VERSION})
        if scenario in ("sso", "sso-redirect", "sso-empty"):
            if scenario == "sso-redirect" or (scenario == "sso" and
                                              fields.get("chosen_idp") == IDP["uuid"]):
                return self.envelope(403, "success", {
                    "redirect_url": "https://idp.invalid/sso?SAMLRequest=x",
                    "redirect_idp": IDP, "disable_popup_flow": False, "version": VERSION})
            idps = [] if scenario == "sso-empty" else [dict(IDP, disable_popup_flow=False)]
            return self.envelope(403, "success", {"idp": idps, "version": VERSION})
        if scenario in ("vr", "vr-legacy", "vr-mssip"):
            ext = fields.get("conference_extension")
            if ext:
                if scenario_for(ext, cfg)[0] == "success":
                    return self.issue(alias, fields, conference_name=ext)
                return self.envelope(404, "failed", NOT_FOUND)
            if scenario == "vr-legacy":
                # The legacy shape Pexip's current schema rejects: kept for vr-legacy only.
                result = {"conference_extension": "standard"}
            else:
                result = {"conference_extension": "required",
                          "conference_extension_type": "mssip" if scenario == "vr-mssip"
                          else "standard"}
            return self.envelope(403, "success", result)
        if scenario in ("redirect", "redirect307"):
            port = self.server.server_address[1]
            loc = "https://127.0.0.1:%d%sconferences/meet/request_token" % (port, API_PREFIX)
            return self.respond(302 if scenario == "redirect" else 307,
                                b"<html><body>Moved</body></html>", "text/html",
                                [("Location", loc)])
        if scenario == "hang":
            return self.hang()
        if scenario == "close":
            self.record["status"] = "close"
            self.close_connection = True
            return None
        if scenario == "reset":
            return self.reset_connection()
        if scenario == "drip":
            return self.drip()
        if scenario == "huge":
            return self.huge(200)
        if scenario == "huge-error":
            return self.huge(500)
        if scenario == "flaky502":
            if self.state.alias_hit(alias) <= param:
                return self.fixed("e502")
            return self.issue(alias, fields)
        if scenario == "delay":
            self.state.stop.wait(param / 1000.0)
            return self.issue(alias, fields)
        if scenario == "svc":
            return self.issue(alias, fields, service_type=param)
        if scenario == "version":
            return self.issue(alias, fields, version=None if param == "none" else param)
        if scenario == "testcall":
            return self.issue(alias, fields, service_type="test_call", variant="testcall")
        if scenario in ("minimal", "full", "extra-keys", "expires-number", "weird"):
            return self.issue(alias, fields, variant=scenario)
        # success and every release-* scenario: a normal token
        return self.issue(alias, fields)

    def issue(self, alias, fields, role="HOST", service_type="conference", variant="success",
              conference_name=None, version=VERSION["version_id"]):
        display_name = fields.get("display_name", "")
        call_tag = fields.get("call_tag", "")
        if not isinstance(display_name, str):
            display_name = str(display_name)
        if not isinstance(call_tag, str):
            call_tag = str(call_tag)
        p = self.state.add_participant(alias, display_name, call_tag, role)
        self.record["issued_token"] = p["token"]
        expires = self.state.config.get("expires", "120")
        required = {
            "token": p["token"], "expires": expires, "participant_uuid": p["uuid"],
            "display_name": display_name, "role": role, "current_service_type": service_type,
            "version": dict(VERSION),
        }
        if variant == "minimal":
            result = required
        else:
            name = conference_name or alias
            result = {
                "token": p["token"], "expires": expires, "display_name": display_name,
                "participant_uuid": p["uuid"], "current_service_type": service_type,
                "route_via_registrar": True, "role": role, "call_tag": call_tag,
                "version": dict(VERSION), "idp_uuid": "", "fecc_enabled": False,
                "trickle_ice_enabled": True, "direct_media": True, "pex_datachannel_id": 3,
                "client_stats_update_interval": 4411.068996234768, "conference_name": name,
                "service_name": name, "call_type": "video", "guests_can_present": True,
                "turn": [], "use_relay_candidates_only": False, "chat_enabled": True,
            }
            if variant in ("full", "testcall"):
                result["service_type"] = service_type
            if variant == "full":
                result["stun"] = [{"url": "stun:stun.invalid:3478"}]
                result["turn"] = [{"urls": ["turn:turn.invalid:3478?transport=udp"],
                                   "username": "u", "credential": "c"}]
                result["analytics_enabled"] = False
                result["allow_1080p"] = True
                result["vp9_enabled"] = True
            if variant == "extra-keys":
                result["x_future_feature"] = {"nested": [1, 2.5, {"a": None, "b": [True]}],
                                              "text": "ünïcødé \u2603"}
                result["breakout_rooms"] = True
                result["bandwidth_in"] = 1280
                result["some_big_number"] = 1e300
                result["null_value"] = None
            if variant == "expires-number":
                result["expires"] = 120
            if variant == "weird":
                result["version"] = {"version_id": "36" + WEIRD, "pseudo_version": WEIRD}
                result["conference_name"] = WEIRD
        if version is None:
            result.pop("version", None)
        elif version != VERSION["version_id"]:
            result["version"] = dict(VERSION, version_id=version)
        return self.envelope(200, "success", result)

    def drip(self):
        """200 with a Content-Length body sent one byte at a time, forever (for a timeout)."""
        body = _envelope("success", {"padding": "x" * 4000})
        self.record["status"] = "drip"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.drip_bytes(body)

    def drip_bytes(self, data):
        """Writes data one byte per drip_interval (flushing what came before), then closes."""
        interval = float(self.state.config.get("drip_interval") or 0.25)
        try:
            self.wfile.flush()
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                if self.state.stop.wait(interval):
                    break
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass
        self.close_connection = True

    def huge(self, status):
        if status == 200:
            head = b'{"status":"success","result":{"padding":"'
            tail = (b'","token":"' + new_token().encode() +
                    b'","expires":"120","participant_uuid":"' + str(uuid.uuid4()).encode() +
                    b'","display_name":"x","role":"HOST","current_service_type":"conference",'
                    b'"version":{"version_id":"36","pseudo_version":"79019.0.0"}}}')
            filler = b"x"
            ctype = "application/json"
        else:
            head = b"<html><body><h1>Internal Server Error</h1><pre>"
            tail = b"</pre></body></html>\n"
            filler = b"A|B\x1b[31m\r\n"
            ctype = "text/html"
        n = HUGE_BYTES - len(head) - len(tail)
        body_mid = (filler * (n // len(filler) + 1))[:n]
        self.record["status"] = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(head) + n + len(tail)))
        self.end_headers()
        try:
            self.wfile.write(head)
            for i in range(0, n, 65536):
                self.wfile.write(body_mid[i:i + 65536])
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    # --- hostile nodes (HOSTILE, HOSTILE_RELEASE) ------------------------------------------
    def raw(self, data, status, close=True):
        """Writes bytes as they are (status line and headers included)."""
        self.record["status"] = status
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass
        self.close_connection = close

    def stream(self, head, piece, total, status):
        """Sends head, then piece repeatedly up to total bytes (or until the client leaves)."""
        self.record["status"] = status
        sent = 0
        try:
            self.wfile.write(head)
            while sent < total and not self.state.stop.is_set():
                chunk = piece[:total - sent]
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass
        self.record["sent"] = sent
        self.close_connection = True

    def grant_body(self, alias, fields, **override):
        """A normal 200 token body (a participant is created) with some fields replaced."""
        p = self.state.add_participant(alias, fields.get("display_name", ""),
                                       fields.get("call_tag", ""), "HOST")
        self.record["issued_token"] = p["token"]
        result = {"token": p["token"], "expires": "120", "participant_uuid": p["uuid"],
                  "display_name": p["display_name"], "role": "HOST",
                  "current_service_type": "conference", "version": dict(VERSION),
                  "conference_name": alias}
        result.update(override)
        return p, json_bytes({"status": "success", "result": result})

    def hostile(self, alias, scenario, fields):
        cfg = self.state.config
        token = new_token().encode()
        if scenario in ("deep-json", "deep-json-object", "deep-json-403"):
            depth = 100000
            if scenario == "deep-json-object":
                nest = b'{"a":' * (depth // 4) + b"1" + b"}" * (depth // 4)  # within the cap
            else:
                nest = b"[" * depth + b"]" * depth
            body = b'{"status":"success","result":{"token":"' + token + b'","x":' + nest + b"}}"
            if scenario == "deep-json-403":
                body = b'{"status":"failed","result":' + nest + b"}"
                return self.respond(403, body)
            return self.respond(200, body)
        if scenario == "bad-utf8":
            # Overlong '/', lone continuation, surrogate, truncated sequence, 0xFF, C1 as raw.
            bad = b"\xc0\xaf \x80 \xed\xa0\x80 \xe2\x82 \xff\xfe \x9b31m"
            p, body = self.grant_body(alias, fields, role="ROLE", conference_name="CONF")
            body = body.replace(b'"ROLE"', b'"HOST ' + bad + b'"').replace(
                b'"CONF"', b'"conf ' + bad + b'"').replace(
                b'"79019.0.0"', b'"79019.0.0 ' + bad + b'"')
            return self.respond(200, body)
        if scenario == "bad-utf8-403":
            return self.respond(403, b'{"status":"failed","result":"Invalid \xff\xfe PIN \xc0\xaf'
                                     b' \xed\xa0\x80 \x9b31m end"}')
        if scenario == "nul-body":
            p, body = self.grant_body(alias, fields)
            return self.respond(200, body.replace(b'"HOST"', b'"HO\x00ST"'))
        if scenario == "nul-escape":
            p, body = self.grant_body(alias, fields, role="HO\x00ST",
                                      conference_name="a\x00b\x00c",
                                      version={"version_id": "36\x00", "pseudo_version": "\x00"})
            return self.respond(200, body)
        if scenario == "nul-403":
            return self.envelope(403, "failed", "Invalid\x00PIN\x00\x00 end")
        if scenario in ("token-crlf", "token-nul"):
            bad = "abc-def\r\nX-Injected: yes" if scenario == "token-crlf" else "abc\x00def"
            self.record["issued_token"] = bad
            return self.envelope(200, "success", {"token": bad, "expires": "120",
                                                  "role": "HOST", "version": VERSION,
                                                  "current_service_type": "conference"})
        if scenario == "hostile-text":
            c0 = "".join(chr(i) for i in range(32)) + "\x7f"
            c1 = "".join(chr(i) for i in range(0x80, 0xa0))
            p, body = self.grant_body(
                alias, fields, role="HOST | 'time'=0s;;;; " + c0,
                current_service_type="conference\x1b[2J\x1b]0;title\x07" + c1,
                conference_name=WEIRD + c0 + c1 + "\u2028\u2029\ufeff",
                version={"version_id": "36\r\nPEXIP TOKEN OK: forged | 'x'=1",
                         "pseudo_version": "\x1b[31m" + WEIRD})
            return self.respond(200, body)
        if scenario == "echo-token":
            # A node that puts the token it issued into the fields a plugin prints.
            p, body = self.grant_body(alias, fields, role="ROLE", current_service_type="SVC",
                                      conference_name="CONF", version={
                                          "version_id": "VID", "pseudo_version": "PV"})
            tok = p["token"].encode()
            for key in (b'"ROLE"', b'"SVC"', b'"CONF"', b'"VID"', b'"PV"'):
                body = body.replace(key, b'"' + tok + b'"')
            return self.respond(200, body)
        if scenario in ("ctype-text", "ctype-none"):
            p, body = self.grant_body(alias, fields)
            return self.respond(200, body, "text/plain" if scenario == "ctype-text" else None)
        if scenario in ("http10", "http10-noclen"):
            p, body = self.grant_body(alias, fields)
            head = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
            if scenario == "http10":
                head += b"Content-Length: %d\r\n" % len(body)
            return self.raw(head + b"\r\n" + body, 200)
        if scenario in ("chunked", "chunked-bad"):
            p, body = self.grant_body(alias, fields)
            out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
                  b"Transfer-Encoding: chunked\r\n\r\n"
            if scenario == "chunked-bad":
                return self.raw(out + b"zz;x\r\n" + body + b"\r\n0\r\n\r\n", 200)
            for i in range(0, len(body), 7):
                piece = body[i:i + 7]
                out += b"%x;ext=1\r\n%s\r\n" % (len(piece), piece)
            return self.raw(out + b"0\r\nX-Trailer: t\r\n\r\n", 200, close=False)
        if scenario == "chunked-endless":
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n" +
                    b'b\r\n{"result":"\r\n')
            return self.stream(head, b"4000\r\n" + b"x" * 0x4000 + b"\r\n", 1 << 40, 200)
        if scenario == "huge-64m":
            total = 64 * 1024 * 1024
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % total + b'{"result":{"padding":"')
            return self.stream(head, b"x" * 65536, total - 22, 200)
        if scenario == "huge-headers":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            line = b"X-Pad: " + b"p" * 1000 + b"\r\n"
            return self.stream(head, line * 64, 20 * 1024 * 1024, 200)
        if scenario == "drip-headers":
            p, body = self.grant_body(alias, fields)
            data = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.record["status"] = "drip-headers"
            self.drip_bytes(data)
            return None
        if scenario in ("redirect301", "redirect308", "redirect-evil"):
            code = {"redirect301": 301, "redirect308": 308, "redirect-evil": 302}[scenario]
            loc = ("https://evil.invalid/steal?token=x" if scenario == "redirect-evil" else
                   "https://127.0.0.1:%d%sconferences/meet/request_token" %
                   (self.server.server_address[1], API_PREFIX))
            return self.respond(code, b"", None, [("Location", loc)])
        if scenario == "not-http":
            return self.raw(b"\x00\x1b[31mSSH-2.0-OpenSSH_9.2 | 'x'=1\r\n\xff\xfe\r\n", "not-http")
        if scenario == "continue-flood":
            self.record["status"] = "continue-flood"
            end = now() + min(float(cfg.get("hang_seconds") or 60), MAX_HANG)
            try:
                while now() < end and not self.state.stop.wait(0.01):
                    self.wfile.write(b"HTTP/1.1 100 Continue\r\nX-N: 1\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            self.close_connection = True
            return None
        if scenario in ("length-short", "length-lie", "length-negative"):
            length = b"-5" if scenario == "length-negative" else b"100000"
            data = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                    length + b"\r\n\r\n" + b'{"status":"success","result":{"token":"' + token)
            self.raw(data, scenario)
            if scenario == "length-lie":
                self.hang()
            return None
        if scenario == "gzip-bomb":
            return self.respond(200, gzip_bomb(), "application/json",
                                [("Content-Encoding", "gzip")])
        if scenario == "echo-pin-encoded":
            pin = self.headers.get("pin") or ""
            return self.respond(403, raw_envelope(403, "failed", "Invalid PIN " +
                                                  " / ".join(encoded_forms(pin))),
                                "application/json")
        if scenario in ("echo-pin", "echo-pin-long"):
            pin = self.headers.get("pin") or ""
            pad = "y" * 142 if scenario == "echo-pin-long" else ""
            return self.envelope(403, "failed", "Invalid PIN " + pad + pin + " (was " + pin + ")")
        return self.respond(500, b"unknown hostile scenario", "text/plain")

    def hostile_release(self, scenario, p, token):
        if scenario in ("release-huge", "release-deep") and p is not None:
            with self.state.lock:  # both answer 200: the node did release
                p["released"] = True
                p["released_at"] = now()
                self.state.by_token.pop(token, None)
        if scenario == "release-echo-encoded":
            return self.respond(403, raw_envelope(403, "failed", "Invalid token: " +
                                                  " / ".join(encoded_forms(token))),
                                "application/json")
        if scenario == "release-echo":
            # A buggy proxy echoing the token in its error text.
            return self.envelope(403, "failed", "Invalid token: %s (token %s)" % (token, token))
        if scenario == "release-drip":
            return self.drip()
        if scenario == "release-huge":
            total = 50 * 1024 * 1024
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % total + b'{"status":"success","result":"')
            return self.stream(head, b"x" * 65536, total - 31, 200)
        if scenario == "release-deep":
            return self.respond(200, b'{"status":"success","result":' + b"[" * 100000 +
                                b"]" * 100000 + b"}")
        if scenario == "release-http10":
            body = _envelope("success", True)
            if p is not None:
                with self.state.lock:
                    p["released"] = True
                    p["released_at"] = now()
                    self.state.by_token.pop(token, None)
            return self.raw(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
                            b"Content-Length: %d\r\n\r\n" % len(body) + body, 200)
        return self.respond(500, b"unknown hostile scenario", "text/plain")

    # --- release_token / refresh_token ---------------------------------------------------
    def release_token(self, alias, scenario, param, token):
        if scenario == "notfound":
            return self.envelope(404, "failed", NOT_FOUND)
        p = self.state.by_token.get(token) if token else None
        if p is not None:
            with self.state.lock:
                p["release_attempts"] += 1
        if scenario in HOSTILE_RELEASE:
            return self.hostile_release(scenario, p, token)
        if scenario == "release-500":
            return self.respond(500, HTML_500, "text/html")
        if scenario == "release-500-json":
            return self.envelope(500, "failed", "Internal error")
        if scenario == "release-404":
            return self.envelope(404, "failed", NOT_FOUND)
        if scenario == "release-hang":
            return self.hang()
        if scenario == "release-close":
            self.record["status"] = "close"
            self.close_connection = True
            return None
        if scenario == "release-delay":
            self.state.stop.wait(param / 1000.0)
        self.state.expire_participants()
        if p is None and token and scenario == "success" and \
                self.state.config.get("release_any_token"):
            return self.envelope(200, "success", True)
        if scenario == "release-403" or p is None or p["released"] or p["expired"] or \
                p["alias"] != alias:
            return self.envelope(403, "failed", "Invalid token")
        with self.state.lock:
            p["released"] = True
            p["released_at"] = now()
            p["reason"] = "released by client"
            self.state.by_token.pop(token, None)
        return self.envelope(200, "success", True)

    def refresh_token(self, alias, scenario, token):
        if scenario == "notfound":
            return self.envelope(404, "failed", NOT_FOUND)
        self.state.expire_participants()
        p = self.state.by_token.get(token) if token else None
        if p is None or p["alias"] != alias:
            return self.envelope(403, "failed", "Invalid token")
        with self.state.lock:
            if self.state.config.get("refresh_invalidates_old", True):
                self.state.by_token.pop(token, None)
            p["token"] = new_token()
            p["refreshed"] = now()
            self.state.by_token[p["token"]] = p
        return self.envelope(200, "success", {"token": p["token"],
                                              "expires": self.state.config.get("expires")})

    # --- test-only control endpoints -------------------------------------------------------
    def control(self, what, body):
        if what in ("requests", "participants", "connections", "stats") and \
                self.command in ("GET", "HEAD"):
            return self.respond_json(200, self.state.snapshot(what))
        if what == "config":
            if self.command == "POST":
                try:
                    change = json.loads(body.decode("utf-8") or "{}")
                    if not isinstance(change, dict):
                        raise ValueError
                except ValueError:
                    return self.respond_json(400, {"error": "config must be a JSON object"})
                with self.state.lock:
                    if change.pop("defaults", False):
                        self.state.config = dict(DEFAULT_CONFIG)
                    self.state.config.update(change)
            return self.respond_json(200, self.state.snapshot("config"))
        if what == "reset" and self.command == "POST":
            self.state.reset()
            return self.respond_json(200, {"reset": True})
        return self.respond_json(404, {"error": "unknown control endpoint"})


class FakeServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, port, state, ssl_context=None, control_only=False, log=None,
                 bind="127.0.0.1"):
        self.state = state
        self.ssl_context = ssl_context
        self.control_only = control_only
        self.log = log
        self.local = threading.local()
        if ":" in bind:
            self.address_family = socket.AF_INET6
        super().__init__((bind, port), Handler)
        if ssl_context is not None:
            ssl_context.sni_callback = self._sni

    def _sni(self, sslobj, server_name, ctx):
        self.local.sni = server_name
        return None

    def get_request(self):
        sock, peer = self.socket.accept()
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        return sock, peer

    def finish_request(self, request, client_address):
        if self.control_only:
            self.local.conn = None
            return super().finish_request(request, client_address)
        conn = self.state.new_connection(client_address, self.ssl_context is not None)
        self.local.conn = conn
        try:
            if self.ssl_context is not None:
                self.local.sni = None
                request.settimeout(10)
                try:
                    tls = self.ssl_context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    self.state.handshake_done(conn, False, error=str(exc),
                                              sni=self.local.sni)
                    try:
                        request.close()
                    except OSError:
                        pass
                    return None
                peer_cert = tls.getpeercert()
                subject = None
                if peer_cert:
                    subject = ",".join("%s=%s" % kv for rdn in peer_cert.get("subject", ())
                                       for kv in rdn)
                self.state.handshake_done(conn, True, sni=self.local.sni,
                                          tls_version=tls.version(),
                                          cipher=(tls.cipher() or (None,))[0],
                                          alpn=tls.selected_alpn_protocol(),
                                          client_cert=subject)
                request = tls
            return super().finish_request(request, client_address)
        finally:
            conn["closed"] = now()

    def shutdown_request(self, request):
        try:
            super().shutdown_request(request)
        except (OSError, ValueError):
            pass

    def handle_error(self, request, client_address):
        if self.log:
            import traceback
            self.log("error with %s: %s" % (client_address, traceback.format_exc()))


PLAIN_MODES = ("reset-mid", "garbage", "fin")


class PlainServer:
    """A TCP listener for the TLS fault modes: 'reset' (RST during the handshake) or 'hang'."""

    def __init__(self, port, state, mode, cert=None, key=None):
        self.state = state
        self.mode = mode
        self.cert, self.key = cert, key
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.server_address = self.sock.getsockname()
        self.held = []

    def serve_forever(self):
        while not self.state.stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            rec = self.state.new_connection(peer, False)
            threading.Thread(target=self.handle, args=(conn, rec), daemon=True).start()

    def handle(self, conn, rec):
        try:
            conn.settimeout(5)
            try:
                first = conn.recv(4096)
            except OSError:
                first = b""
            rec["first_bytes"] = len(first)
            if self.mode in PLAIN_MODES:
                return self.hostile_tls(conn, rec, first)
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                rec["closed"] = now()
                return
            self.held.append(conn)
            self.state.stop.wait(min(float(self.state.config.get("hang_seconds") or 60),
                                     MAX_HANG))
            conn.close()
            rec["closed"] = now()
        except OSError:
            pass

    def hostile_tls(self, conn, rec, first):
        """--plain-mode: 'reset-mid' sends half of a real server handshake flight, then RST;
        'garbage' answers the ClientHello with plain HTTP (a TLS client on an HTTP port);
        'fin' closes cleanly without a word."""
        if self.mode == "reset-mid":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.cert, self.key)
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
            flight = b""
            data = first
            for _ in range(20):
                incoming.write(data)
                try:
                    tls.do_handshake()
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLError:
                    break
                flight = outgoing.read()
                if flight:
                    break
                try:
                    data = conn.recv(4096)
                except OSError:
                    break
                if not data:
                    break
            rec["flight_bytes"] = len(flight)
            try:
                conn.sendall(flight[:max(1, len(flight) // 2)])
                time.sleep(0.05)
            except OSError:
                pass
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif self.mode == "garbage":
            try:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n"
                             b"Content-Length: 11\r\nConnection: close\r\n\r\nbad request")
            except OSError:
                pass
        conn.close()
        rec["closed"] = now()

    def shutdown(self):
        self.state.stop.set()

    def server_close(self):
        self.sock.close()


def write_atomically(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def make_ssl_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"])
    if args.ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=args.ca)
    return ctx


def gzip_bomb():
    """GZIP_BOMB_MIB MiB of zeros as one gzip member, built once in about 0.1 s (compressing
    100 MiB would take seconds, inside the plugin's time limit): after a full flush deflate
    starts afresh, so every further 1 MiB of zeros compresses to the same bytes."""
    global GZIP_BOMB
    if GZIP_BOMB is None:
        import struct
        import zlib
        zeros = b"\x00" * (1024 * 1024)
        deflate = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip header
        first = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
        block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
        crc = 0
        for _ in range(GZIP_BOMB_MIB):
            crc = zlib.crc32(zeros, crc)
        size = GZIP_BOMB_MIB * len(zeros)
        GZIP_BOMB = (first + block * (GZIP_BOMB_MIB - 1) + b"\x03\x00" +  # last, empty block
                     struct.pack("<II", crc, size & 0xFFFFFFFF))
    return GZIP_BOMB


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0, help="TLS (or plain) port; 0 picks one")
    ap.add_argument("--port-file", help="write the chosen port here once listening")
    ap.add_argument("--control-port", type=int, default=0)
    ap.add_argument("--control-port-file", help="write the plain-HTTP control port here")
    ap.add_argument("--cert", help="server certificate (PEM)")
    ap.add_argument("--key", help="server key (PEM)")
    ap.add_argument("--ca", help="require client certificates signed by this CA")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--plain-reset", action="store_true",
                      help="plain TCP: read the ClientHello, then reset the connection")
    mode.add_argument("--plain-mode", choices=sorted(PLAIN_MODES),
                      help="plain TCP: hostile TLS server (reset-mid needs --cert/--key)")
    mode.add_argument("--plain-hang", action="store_true",
                      help="plain TCP: accept and never answer")
    ap.add_argument("--config", help="initial config: a JSON object, or @FILE")
    ap.add_argument("--bind", default="127.0.0.1", choices=("127.0.0.1", "::1"),
                    help="loopback address of the TLS listener (the control port stays on "
                         "127.0.0.1)")
    ap.add_argument("--max-lifetime", type=float, default=600.0,
                    help="exit after this many seconds whatever happens (watchdog)")
    ap.add_argument("--parent-pid", type=int, default=None,
                    help="exit when this process is gone (default: the parent at start)")
    ap.add_argument("--log", help="append a request log to this file")
    ap.add_argument("--list-aliases", action="store_true",
                    help="print the aliases worth trying by hand and the test PINs, then exit")
    args = ap.parse_args(argv)
    if args.list_aliases:
        width = max(len(alias) for alias, _, _ in TRY_ALIASES)
        for alias, state, what in TRY_ALIASES:
            print("  %-*s  %-8s  %s" % (width, alias, state, what))
        print("PINs for pin-host and pin-both: host PIN %s, guest PIN %s (pin-both); "
              "--guest joins pin-host" % (HOST_PIN, GUEST_PIN))
        return 0

    config = {}
    if args.config:
        text = args.config
        if text.startswith("@"):
            with open(text[1:], encoding="utf-8") as f:
                text = f.read()
        config = json.loads(text)
    state = FakeState(config)

    log = None
    if args.log:
        log_lock = threading.Lock()

        def log(msg):
            with log_lock, open(args.log, "a", encoding="utf-8") as f:
                f.write("%.3f %s\n" % (now(), msg))

    if args.plain_mode:
        main_server = PlainServer(args.port, state, args.plain_mode, args.cert, args.key)
    elif args.plain_reset or args.plain_hang:
        main_server = PlainServer(args.port, state, "reset" if args.plain_reset else "hang")
    else:
        if not args.cert or not args.key:
            ap.error("--cert and --key are required in TLS mode")
        gzip_bomb()  # before serving, so no request pays for it
        main_server = FakeServer(args.port, state, make_ssl_context(args), log=log,
                                 bind=args.bind)
    control = FakeServer(args.control_port, state, None, control_only=True, log=log)

    threads = [threading.Thread(target=main_server.serve_forever, daemon=True),
               threading.Thread(target=control.serve_forever, kwargs={"poll_interval": 0.05},
                                daemon=True)]
    if isinstance(main_server, FakeServer):
        threads[0] = threading.Thread(target=main_server.serve_forever,
                                      kwargs={"poll_interval": 0.05}, daemon=True)
    for t in threads:
        t.start()

    def on_signal(signum, frame):
        state.stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_signal)

    port = main_server.server_address[1]
    cport = control.server_address[1]
    if args.control_port_file:
        write_atomically(args.control_port_file, "%d\n" % cport)
    if args.port_file:
        write_atomically(args.port_file, "%d\n" % port)
    else:
        print(json.dumps({"port": port, "control_port": cport}), flush=True)

    parent = args.parent_pid or os.getppid()
    deadline = now() + args.max_lifetime
    while not state.stop.wait(0.1):
        if now() > deadline:
            break
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass
        if os.getppid() == 1 and parent != 1:
            break
    state.stop.set()
    stoppers = [threading.Thread(target=control.shutdown)]
    if isinstance(main_server, FakeServer):
        stoppers.append(threading.Thread(target=main_server.shutdown))
    for t in stoppers:
        t.start()
    for t in stoppers:
        t.join(5)
    main_server.server_close()
    control.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
