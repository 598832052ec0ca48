#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pexip's own client code (npm @pexip/infinity-api, @pexip/infinity) judges the bundled fake
node and the plugin's states. See README.md in this folder.

(a) Every answer the fake gives (every alias, PIN variants, release_token, refresh_token, 415)
    goes to Pexip's validator for its endpoint and status. Answers with no HTTP reply
    (transport errors), a status Pexip has no schema for, or a body that is not JSON never
    reach a validator; the test counts them apart and says why. Every answer Pexip would not
    accept (rejected by the validator, making it throw, or never reaching one) must be labelled (legacy /
    hostile / not-pexip, with why) in answers.json, and every label must still be needed.
(b) For every row of agreement.json, Pexip's request code (requestToken of @pexip/infinity-api
    and the web app's client of @pexip/infinity) and the plugin probe the same alias; Pexip's
    classification and the plugin's state must be the row's, and agree (token = OK, a
    challenge = --challenge-result, an error = CRITICAL) unless the row says why not.

No network: the packages are installed beforehand by .ci/install-deps (npm ci). A skip
(harness.skip_script: exit 77, a failure under CHECK_REQUIRE_ALL=1) only when node itself is
missing; packages missing or at other versions than package-lock.json
are a failure.
"""
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "functional"))
import harness  # noqa: E402
import fake_node  # noqa: E402
import fake_events  # noqa: E402

API = "/api/client/v2/conferences/"
CACHE_MODULES = "/var/cache/check_pexip_token/pexip-client/node_modules"
PACKAGES = ("@pexip/infinity-api", "@pexip/infinity", "eventsource")
# What the plugin's state should be for each of Pexip's outcomes, with default options.
AGREES = {"token": "OK", "PIN required": "WARNING", "IdP required": "WARNING",
          "extension required": "WARNING", "invalid PIN": "CRITICAL", "not found": "CRITICAL",
          "other error": "CRITICAL"}
# The event stream (--events): Pexip's web client's outcome -> the plugin's state.
EVENTS_AGREE = {"roster": "OK", "disconnect": "CRITICAL", "silent": "WARNING",
                "closed": "CRITICAL", "refused": "CRITICAL"}
STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)


def modules_dir():
    """Where `npm ci` put the packages: $CPT_PEXIP_NODE_MODULES, the source tree, the cache."""
    override = os.environ.get("CPT_PEXIP_NODE_MODULES")
    candidates = [override] if override else [os.path.join(HERE, "node_modules"),
                                              CACHE_MODULES]
    for d in candidates:
        if d and all(os.path.isfile(os.path.join(d, p, "package.json")) for p in PACKAGES):
            return d, candidates
    return None, [c for c in candidates if c]


def version_problems(modules):
    """Every package of package-lock.json installed at the locked version."""
    lock = load("package-lock.json")
    problems = []
    for key, entry in sorted(lock.get("packages", {}).items()):
        if not key.startswith("node_modules/"):
            continue
        path = os.path.join(os.path.dirname(modules), key, "package.json")
        try:
            with open(path, encoding="utf-8") as f:
                have = json.load(f).get("version")
        except (OSError, ValueError):
            have = None
        if have != entry.get("version"):
            problems.append("%s: installed %s, package-lock.json %s" %
                            (key[len("node_modules/"):], have, entry.get("version")))
    return problems


class Conn(http.client.HTTPSConnection):
    def __init__(self, port, ca):
        self._ctx = ssl.create_default_context(cafile=ca)
        super().__init__("localhost", int(port), context=self._ctx, timeout=3)

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname="localhost")


def collect(fake, ca, not_collected):
    """Every answer the fake gives, as Pexip's client would receive them."""
    answers = []

    def ask(answer_id, endpoint, alias, headers=None, body=None, ctype="application/json"):
        h = dict(headers or {})
        if ctype:
            h["Content-Type"] = ctype
        data = json.dumps({"display_name": "probe", "call_tag": "tag"} if body is None
                          else body).encode()
        conn = Conn(fake.port, ca)
        try:
            conn.request("POST", API + alias + "/" + endpoint, body=data, headers=h)
            resp = conn.getresponse()
            raw = resp.read()
            rec = {"id": answer_id, "endpoint": endpoint, "status": resp.status,
                   "content_type": resp.getheader("Content-Type") or "",
                   "body_b64": __import__("base64").b64encode(raw).decode()}
        except (OSError, http.client.HTTPException, ValueError) as exc:
            rec = {"id": answer_id, "endpoint": endpoint, "status": None,
                   "error": "%s: %s" % (type(exc).__name__, exc)}
        finally:
            conn.close()
        answers.append(rec)
        return rec

    def token_of(rec):
        try:
            raw = __import__("base64").b64decode(rec["body_b64"])
            token = json.loads(raw)["result"]["token"]
            # A token no client could send back in a header (CR/LF, NUL) is not released.
            ok = isinstance(token, str) and token and token.isprintable()
            return token if ok else None
        except (KeyError, TypeError, ValueError, RecursionError):
            return None

    aliases = sorted((fake_node.SCENARIOS - {"success", "svc", "delay", "release-delay",
                                             "flaky502"}) | {"nosuch"})
    aliases += ["meet", "svc-test_call", "svc-gateway", "delay-10", "release-delay-10",
                "flaky502-1"]
    for alias in aliases:
        scenario = fake_node.scenario_for(alias, {})[0]
        if scenario in not_collected or alias in not_collected:
            continue
        fake.reset()
        rec = ask("request_token " + alias, "request_token", alias)
        if alias == "flaky502-1":
            rec = ask("request_token flaky502-1 second", "request_token", alias)
        token = token_of(rec) if rec.get("status") == 200 else None
        if token:
            ask("release_token " + alias, "release_token", alias, {"token": token}, {})
    pins = {"pin-host": {"host": "90210731", "none": "none", "wrong": "0000"},
            "pin-both": {"host": "90210731", "guest": "55501234", "none": "none",
                         "wrong": "0000"},
            "pin-reprompt": {"host": "90210731", "guest": "55501234", "none": "none",
                             "wrong": "0000"}}
    for alias, variants in sorted(pins.items()):
        for variant, pin in sorted(variants.items()):
            rec = ask("request_token %s pin=%s" % (alias, variant), "request_token", alias,
                      {"pin": pin})
            token = token_of(rec) if rec.get("status") == 200 else None
            if token:
                ask("release_token %s pin=%s" % (alias, variant), "release_token", alias,
                    {"token": token}, {})
    ask("request_token sso chosen_idp", "request_token", "sso",
        body={"display_name": "probe", "chosen_idp": fake_node.IDP["uuid"]})
    for alias in ("vr", "vr-mssip", "vr-legacy"):
        for ext in ("meet", "nope"):
            ask("request_token %s extension=%s" % (alias, ext), "request_token", alias,
                body={"display_name": "probe", "conference_extension": ext})
    ask("request_token meet text/plain", "request_token", "meet", ctype="text/plain")
    rec = ask("request_token meet for refresh", "request_token", "meet")
    token = token_of(rec)
    refreshed = ask("refresh_token meet", "refresh_token", "meet", {"token": token}, {})
    ask("refresh_token meet old token", "refresh_token", "meet", {"token": token}, {})
    new_token = token_of(refreshed)
    ask("release_token meet refreshed", "release_token", "meet", {"token": new_token}, {})
    ask("release_token meet twice", "release_token", "meet", {"token": new_token}, {})
    ask("release_token meet no token", "release_token", "meet", {}, {})
    return answers


def plugin_state(suite, fake, row):
    args = suite.target(fake, row["alias"]) + ["-t", "5"] + row.get("args", [])
    pin = row.get("pin")
    if pin == "none":
        args.append("--guest")
    elif pin:
        args += ["--pin", pin]
    r = suite.plugin(args)
    return STATES.get(r.rc, "rc=%s" % r.rc), r.line1, r


def main():
    start = time.monotonic()
    node = shutil.which("node")
    if not node:
        harness.skip_script("node (Node.js) not found: .ci/install-deps installs Debian's nodejs "
                            "and npm")
    s = harness.Suite("pexip_client", watchdog=300)
    modules, tried = modules_dir()
    if modules is None:
        s.fail("Pexip's npm packages installed",
               "node is here but %s are not installed in any of %s: run .ci/install-deps "
               "(npm ci into %s) or `npm ci --ignore-scripts` in tests/pexip-client, or set "
               "CPT_PEXIP_NODE_MODULES" % (", ".join(PACKAGES), ", ".join(tried),
                                           os.path.dirname(CACHE_MODULES)))
        s.finish()
    s.check("packages at the versions of package-lock.json (%s)" % modules,
            version_problems(modules))

    table = load("answers.json")
    agreement = load("agreement.json")
    fake = s.fake()
    answers = collect(fake, s.ca, table["not_collected"])

    # Every scenario of the fake is collected or says why not.
    collected = {a["id"].split(" ")[1] for a in answers}
    missing = sorted(sc for sc in fake_node.SCENARIOS - {"success", "svc", "delay",
                                                         "release-delay", "flaky502"}
                     if sc not in collected and sc not in table["not_collected"]
                     and sc != "notfound")
    s.check("every fake scenario is collected or listed in not_collected", missing)

    rows = agreement["rows"]
    driven = {fake_node.scenario_for(r["alias"], {})[0] for r in rows}
    s.check("every fake scenario is driven, not_driven or not_collected", sorted(
        sc for sc in fake_node.SCENARIOS - {"success", "svc", "delay", "release-delay"}
        if sc not in driven and sc not in agreement["not_driven"]
        and sc not in table["not_collected"]))

    event_rows = agreement["event_rows"]

    def judge(config, answers_part, client_rows, stream_rows=()):
        """Runs judge.mjs once against the fake set to config."""
        spec = {"host": "https://localhost:%s" % fake.port, "answers": answers_part,
                "clients": [{"id": i, "alias": r["alias"], "pin": r.get("pin")}
                            for i, r in client_rows],
                "streams": [{"id": i, "alias": r["alias"], "wait_ms": 3000}
                            for i, r in stream_rows]}
        spec_file = os.path.join(s.tmp, "spec.json")
        with open(spec_file, "w", encoding="utf-8") as f:
            json.dump(spec, f)
        fake.defaults()
        fake.configure(**config)
        fake.reset()
        env = dict(s.base_env(), NODE_EXTRA_CA_CERTS=s.ca, NODE_NO_WARNINGS="1")
        res = subprocess.run([node, os.path.join(HERE, "judge.mjs"), modules, spec_file],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             timeout=240)
        try:
            out = json.loads(res.stdout.decode("utf-8"))
        except ValueError:
            s.fail("judge.mjs ran", "rc=%s stdout=%r stderr=%r" % (
                res.returncode, res.stdout[-400:], res.stderr[-800:]))
            s.finish()
        if res.returncode != 0:
            s.fail("judge.mjs ran", "rc=%s" % res.returncode)
        return out

    configs = {}
    for i, r in enumerate(rows):
        configs.setdefault(json.dumps(r.get("config") or {}, sort_keys=True), []).append((i, r))
    verdict = {"answers": [], "clients": [], "streams": [], "payloads": None}
    for key, group in sorted(configs.items()):
        part = judge(json.loads(key), [a for a in answers if a.get("status") is not None]
                     if key == "{}" else [], group,
                     list(enumerate(event_rows)) if key == "{}" else [])
        verdict["answers"] += part["answers"]
        verdict["clients"] += part["clients"]
        verdict["streams"] += part.get("streams", [])
        verdict["payloads"] = verdict["payloads"] or (part.get("payloads") if key == "{}"
                                                      else None)
    fake.defaults()
    s.check("judge.mjs judged every answer and every row",
            [] if len(verdict["clients"]) == len(rows) else ["%d of %d rows" % (
                len(verdict["clients"]), len(rows))])

    # (a) Pexip's schema on every answer.
    labels = table["labels"]
    by_id = {a["id"]: a for a in verdict["answers"]}
    valid = 0
    problems = []
    # What each answer met: Pexip's validator (ran), or why it never reached one.
    ran = rejected_ran = threw = 0
    unreached = {"no HTTP answer (transport error)": 0, "an HTTP status with no schema": 0,
                 "not JSON (Content-Type or body)": 0, "not judged": 0}
    for a in answers:
        v = by_id.get(a["id"], {"valid": False, "why": a.get("error", "not judged")})
        if v.get("ran"):
            ran += 1
            rejected_ran += 0 if v["valid"] else 1
        elif v.get("threw"):
            threw += 1  # Pexip's code threw on it (e.g. RangeError on 100000-deep JSON)
        elif a.get("status") is None:
            unreached["no HTTP answer (transport error)"] += 1
        elif "no schema" in (v.get("why") or ""):
            unreached["an HTTP status with no schema"] += 1
        elif v.get("validator"):
            unreached["not JSON (Content-Type or body)"] += 1
        else:
            unreached["not judged"] += 1
        label = labels.get(a["id"])
        if v["valid"]:
            valid += 1
            if label:
                problems.append("%s: labelled %s but Pexip's schema accepts it (stale label)" %
                                (a["id"], label["label"]))
        elif not label or label.get("label") not in ("legacy", "hostile", "not-pexip"):
            print("# unlabelled: %s | HTTP %s | %s" % (a["id"], a.get("status"),
                                                     v.get("why", "")[:150]))
            problems.append("%s: HTTP %s rejected by Pexip's schema and not labelled: %s" %
                            (a["id"], a.get("status"), v.get("why")))
    problems += ["%s: labelled but never collected" % k for k in labels if k not in
                 {a["id"] for a in answers}]
    s.check("every answer Pexip's schema rejects is labelled legacy/hostile/not-pexip",
            problems)
    s.check("every collected answer was judged (by a validator, or with the reason none applies)",
            [] if not unreached["not judged"] else
            ["%d answers not judged" % unreached["not judged"]])
    print("# %d fake answers collected; %d validated by Pexip's validators (%d accepted, %d "
          "rejected); %d made Pexip's code throw (JSON it cannot parse or walk); %d never "
          "reached a validator: %s; labelled (every answer Pexip would not accept): %d legacy, "
          "%d hostile, %d not-pexip" % (
              len(answers), ran, ran - rejected_ran, rejected_ran, threw,
              len(answers) - ran - threw,
              ", ".join("%d %s" % (n, why) for why, n in unreached.items() if n) or "none",
              *(sum(1 for a in answers if labels.get(a["id"], {}).get("label") == kind)
                for kind in ("legacy", "hostile", "not-pexip"))), flush=True)

    # (b) The agreement table.
    clients = {c["id"]: c for c in verdict["clients"]}
    print("# %-44s %-9s %-18s %-18s %-8s %s" % ("alias (options)", "pin", "Pexip requestToken",
                                                 "Pexip web client", "plugin", "note"))
    for i, row in enumerate(rows):
        extra = ([("pin=%s" % row["pin"])] if row.get("pin") else []) + row.get("args", []) + \
            ["%s=%s" % kv for kv in sorted((row.get("config") or {}).items())]
        name = "agreement: %s" % " ".join([row["alias"]] + extra)
        c = clients.get(i)
        fake.defaults()
        fake.configure(**(row.get("config") or {}))
        fake.reset()
        state, line1, result = plugin_state(s, fake, row)
        p = []
        if c is None:
            p.append("not judged by Pexip's code")
        else:
            for who in ("api", "client"):
                if c[who]["outcome"] != row["pexip"]:
                    p.append("Pexip %s says %r (%s), the table %r" % (
                        who, c[who]["outcome"], c[who].get("thrown") or c[who].get("detail"),
                        row["pexip"]))
        p += result.common()
        if state != row["plugin"]:
            p.append("plugin %s (%s), the table %s" % (state, line1, row["plugin"]))
        if AGREES[row["pexip"]] != row["plugin"] and not row.get("why"):
            p.append("plugin %s differs from Pexip's %r without a why" % (row["plugin"],
                                                                          row["pexip"]))
        if AGREES[row["pexip"]] == row["plugin"] and row.get("why"):
            p.append("a why on a row that agrees")
        s.check(name, p, result if p else None)
        print("# %-44s %-9s %-18s %-18s %-8s %s" % (
            " ".join([row["alias"]] + extra[1 if row.get("pin") else 0:])[:44],
            row.get("pin") or "-",
            c["api"]["outcome"] if c else "?", c["client"]["outcome"] if c else "?", state,
            ("differs on purpose: " + row["why"]) if row.get("why") else ""), flush=True)
    check_event_rows(s, fake, event_rows, verdict)
    print("# %d agreement rows and %d event stream rows judged by Pexip's client code; %d fake "
          "answers collected, %d of them validated by Pexip's validators; %.1f s" % (
              len(rows), len(event_rows), len(answers), ran, time.monotonic() - start),
          flush=True)
    s.finish()


def check_event_rows(s, fake, event_rows, verdict):
    """--events: Pexip's web client reads the fake's stream (through the `eventsource`
    package's EventSource, ?token= as Pexip sends it); its outcome, roster and conference state
    must be what the fake meant, and the plugin's state the row's."""
    streams = {c["id"]: c for c in verdict["streams"]}
    print("# %-22s %-12s %-9s %s" % ("events alias", "Pexip", "plugin", "what Pexip's client saw"))
    for i, row in enumerate(event_rows):
        c = streams.get(i)
        want = fake_events.expected(row["alias"])
        p = []
        if c is None:
            p.append("not judged by Pexip's client")
        else:
            if c["outcome"] != row["pexip"]:
                p.append("Pexip's client: %r (%s), the table %r" % (
                    c["outcome"], c.get("firstError") or c.get("thrown"), row["pexip"]))
            if row["pexip"] != want["outcome"]:
                p.append("the table says %r, the fake means %r" % (row["pexip"],
                                                                   want["outcome"]))
            if not any("token=<redacted>" in u for u in c.get("urls", [])):
                p.append("Pexip's client did not open the stream with ?token=: %s" %
                         c.get("urls"))
            if want["outcome"] == "roster":
                roster = c.get("roster") or []
                names = sorted(x["displayName"] for x in roster)
                if len(roster) != want["participants"]:
                    p.append("Pexip's client built a roster of %d, the fake sent %d" % (
                        len(roster), want["participants"]))
                if names != sorted(want["others"] + ["check_pexip_token"]):
                    p.append("roster names %s" % names)
                if not [x for x in roster if x["displayName"] == "check_pexip_token"
                        and x["protocol"] == "api"]:
                    p.append("the probe's own participant (protocol api) is not in the roster")
                conf = c.get("conference") or {}
                if conf.get("locked") is not False or conf.get("started") is not True:
                    p.append("conference state %s, the fake sent unlocked and started" % conf)
            if want["outcome"] == "disconnect" and c.get("reason") != want["reason"]:
                p.append("disconnect reason %r, the fake sent %r" % (c.get("reason"),
                                                                     want["reason"]))
        fake.defaults()
        fake.reset()
        args = s.target(fake, row["alias"]) + ["--events", "-t", "5"] + row.get("args", [])
        r = s.plugin(args)
        state = STATES.get(r.rc, "rc=%s" % r.rc)
        p += r.common()
        if state != row["plugin"]:
            p.append("plugin %s (%s), the table %s" % (state, r.line1, row["plugin"]))
        if EVENTS_AGREE[row["pexip"]] != row["plugin"]:
            p.append("plugin %s differs from Pexip's %r" % (row["plugin"], row["pexip"]))
        parts = fake.participants()
        if not parts or not all(x["released"] for x in parts):
            p.append("the plugin's token was not released")
        s.check("events agreement: %s" % row["alias"], p, r if p else None)
        seen = ""
        if c:
            seen = ("roster of %d" % len(c["roster"]) if c.get("roster") is not None else
                    "reason %r" % c["reason"] if c.get("reason") else
                    "first error %s" % (c.get("firstError") or {}).get("code")
                    if c.get("firstError") else "")
        print("# %-22s %-12s %-9s %s" % (row["alias"], c["outcome"] if c else "?", state, seen),
              flush=True)
    pay = verdict.get("payloads") or {}
    s.check("every participant payload of the fake's streams passes Pexip's participant "
            "validator", ["%(stream)s %(type)s: %(why)s" % x for x in pay.get("rejected", [])])
    print("# event payloads validated with @pexip/infinity-api's validateParticipants200: %d "
          "(%d accepted); event names without a validator in @pexip/infinity-api 20.0.0: %s" % (
              pay.get("validated", 0), pay.get("accepted", 0),
              ", ".join("%s (%d)" % kv for kv in sorted(pay.get("without_validator", {}).items()))),
          flush=True)


if __name__ == "__main__":
    main()
