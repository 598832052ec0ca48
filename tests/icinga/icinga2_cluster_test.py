#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Distributed monitoring on two real Icinga 2 instances: a master and a satellite on
loopback, the checks executed on the satellite, the results read back from the master.

Each instance has its own configuration, constants, data, state, log, run, cache and spool
directories and its own free port on 127.0.0.1; their certificates are made at test time with
`icinga2 pki new-ca`, `pki new-cert --csr` and `pki sign-csr`. Both have an ApiListener; the
satellite has accept_config and accept_commands. The master's zones.d holds:
  - global-templates/: the shipped CheckCommand (and the Service template and apply rule),
    synced to the satellite by Icinga's config sync (the test never copies it there);
  - satellite/: host "site-a.test" whose vars.pexip_nodes lists two conferencing nodes, two
    instances of the bundled fake node (alias "meet": healthy; alias "maint" on a node in
    maintenance mode; one process each, as the fake's /status follows its last request) and whose
    vars.agent_endpoint names the satellite, so the shipped apply rule sets command_endpoint:
    the satellite schedules and runs those checks (config sync mode);
  - master/: host "site-b.test", the same nodes, scheduled by the master and executed on the
    satellite (command endpoint mode).
The test asserts from the master's side, through its REST API (an ApiUser of the test), that
every pexip-token-<node> service ran on the satellite (check_source) with the plugin's state,
output and perfdata: OK for "meet", CRITICAL for "maint".

Second case: the satellite is stopped. Icinga reports a check it cannot hand to a disconnected
command endpoint as UNKNOWN "Remote Icinga instance '<satellite>' is not connected to
'<master>'", but only outside a 5 minute cold-start window after the master started
(lib/icinga/checkable-check.cpp); inside it the master keeps the last result. The test asserts
what it can tell apart from doing nothing: the master's wall clock is moved 6 minutes ahead
with libfaketime (only the master's; nothing else is faked) and its checks of site-b.test turn
UNKNOWN with that text, while site-a.test's services, scheduled by the satellite, keep their
last result on the master. (That the master keeps the last results inside the window is not
asserted: it would pass if Icinga did nothing.) Without libfaketime (Debian 12: libfaketime)
that case is a skip (harness.Suite.skip), never a pass.

Everything the test starts (two icinga2, two fake nodes) it stops by pid. Exit 0 all passed,
1 a failure, 77 when icinga2 is not installed.
"""

import base64
import json
import os
import secrets
import shutil
import ssl
import subprocess
import time
import urllib.parse
import urllib.request

import common
from common import harness

MASTER = "master.test"
SATELLITE = "satellite.test"
NODES = {"meet": ("meet", "OK", 0), "maint": ("maint", "CRITICAL", 2)}
HOSTS = {"site-a.test": "satellite", "site-b.test": "master"}
API_USER = "cluster-test"
FAKETIME_LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                 "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
                 "/usr/lib/faketime/libfaketime.so.1")
WAIT = 45  # seconds for each bounded wait


def host_block(name, ports, ca):
    return """object Host "{name}" {{
  check_command = "dummy"
  address = "127.0.0.1"
  vars.agent_endpoint = "{sat}"
  vars.pexip_token_hostname = "localhost"
  vars.pexip_token_ca_file = "{ca}"
  vars.pexip_token_timeout = 6
  vars.pexip_nodes["meet"] = {{ pexip_token_alias = "meet"; pexip_token_port = {p1} }}
  vars.pexip_nodes["maint"] = {{ pexip_token_alias = "maint"; pexip_token_port = {p2} }}
}}
""".format(name=name, sat=SATELLITE, p1=ports[0], p2=ports[1], ca=ca)


def base_config(node, zone, plugin_dir, port, peer_port, satellite, password, log):
    text = """// Written by icinga2_cluster_test.py: a throw-away Icinga 2 on loopback.
const PluginDir = "/usr/lib/nagios/plugins"
const PluginContribDir = "{plugin_dir}"
const NodeName = "{node}"
const ZoneName = "{zone}"

include <itl>
include <plugins>

object Endpoint "{master}" {{ {mhost} }}
object Endpoint "{sat}" {{ {shost} }}
object Zone "master" {{ endpoints = [ "{master}" ] }}
object Zone "satellite" {{ endpoints = [ "{sat}" ]; parent = "master" }}
object Zone "global-templates" {{ global = true }}

object ApiListener "api" {{
  bind_host = "127.0.0.1"
  bind_port = {port}
  accept_config = {accept}
  accept_commands = {accept}
}}
object CheckerComponent "checker" {{ }}
object FileLogger "main" {{ path = "{log}/icinga2.log"; severity = "notice" }}
// Both have a user: the master's for the assertions, the satellite's to force its checks.
object ApiUser "{user}" {{
  password = "{pw}"
  permissions = [ "objects/query/*", "actions/*", "status/query" ]
}}
""".format(plugin_dir=plugin_dir, node=node, zone=zone, master=MASTER, sat=SATELLITE,
           user=API_USER, pw=password,
           port=port, accept="true" if satellite else "false", log=log,
           # The satellite connects to the master; the master also knows where it is.
           mhost='host = "127.0.0.1"; port = "%s"' % peer_port if satellite else "",
           shost="" if satellite else 'host = "127.0.0.1"; port = "%s"' % peer_port)
    return text


class Instance:
    def __init__(self, suite, account, exe, name, node):
        self.suite = suite
        self.account = account
        self.exe = exe
        self.node = node
        self.base = os.path.join(suite.tmp, name)
        os.makedirs(self.base)
        os.chmod(self.base, 0o755)
        account.give(self.base)
        self.d = account.mkdirs(self.base, "etc", "run", "state", "cache", "log", "spool",
                                "data", "etc/zones.d", "data/certs")
        self.daemon = None
        # Held (common.PortReservation) until the instance listens on it: release_port().
        self.reservation = common.free_port()
        self.port = self.reservation.port

    def defines(self):
        d = self.d
        return ["-DConfiguration.%s=%s" % kv for kv in (
            ("RunAsUser", self.account.user), ("RunAsGroup", self.account.group),
            ("InitRunDir", d["run"]), ("PidPath", os.path.join(d["run"], "icinga2.pid")),
            ("StatePath", os.path.join(d["state"], "icinga2.state")),
            ("ModAttrPath", os.path.join(d["state"], "modified-attributes.conf")),
            ("DataDir", d["data"]), ("CacheDir", d["cache"]), ("LogDir", d["log"]),
            ("SpoolDir", d["spool"]), ("ZonesDir", d["etc/zones.d"]))]

    def put(self, rel, text):
        path = os.path.join(self.d["etc"], rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def give_all(self):
        for root, dirnames, filenames in os.walk(self.base):
            for n in dirnames + filenames:
                self.account.give(os.path.join(root, n))

    def icinga(self, *args):
        res = subprocess.run([self.exe] + list(args) + self.defines(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=120,
                             env=self.suite.base_env(), cwd=self.base)
        return res.returncode, res.stdout.decode("utf-8", "replace")

    def start(self, env):
        self.give_all()
        cmd = [self.exe, "daemon", "-c", os.path.join(self.d["etc"], "icinga2.conf")]
        self.daemon = common.Daemon(self.node, cmd + self.defines(),
                                    os.path.join(self.d["log"], "console.log"), env=env,
                                    cwd=self.base)

    def log_text(self):
        out = ""
        for name in ("console.log", "icinga2.log"):
            try:
                with open(os.path.join(self.d["log"], name), errors="replace") as f:
                    out += f.read()
            except OSError:
                pass
        return out

    def stop(self, grace=15):
        if not self.daemon:
            return "not started"
        took = self.daemon.stop(grace=grace)
        self.daemon = None
        return "on SIGTERM in %.1f s" % took if took is not None else \
            "by SIGKILL after %d s" % grace


def make_pki(suite, account, exe, master, satellite):
    """A CA, and a key and a CA-signed certificate per instance, all by `icinga2 pki`."""
    ca = Instance(suite, account, exe, "pki", "ca")
    ca.give_all()
    rc, out = ca.icinga("pki", "new-ca")
    if rc != 0:
        return "pki new-ca exit %d: %s" % (rc, out[-400:])
    ca_crt = os.path.join(ca.d["data"], "ca", "ca.crt")
    for inst in (master, satellite):
        certs = inst.d["data/certs"]
        key = os.path.join(certs, inst.node + ".key")
        csr = os.path.join(ca.base, inst.node + ".csr")
        crt = os.path.join(certs, inst.node + ".crt")
        rc, out = ca.icinga("pki", "new-cert", "--cn", inst.node, "--key", key, "--csr", csr)
        if rc != 0:
            return "pki new-cert %s exit %d: %s" % (inst.node, rc, out[-400:])
        rc, out = ca.icinga("pki", "sign-csr", "--csr", csr, "--cert", crt)
        if rc != 0:
            return "pki sign-csr %s exit %d: %s" % (inst.node, rc, out[-400:])
        shutil.copyfile(ca_crt, os.path.join(certs, "ca.crt"))
        inst.give_all()
    return None


class Api:
    """The master's REST API on 127.0.0.1, verified against the test's Icinga CA."""

    def __init__(self, port, ca_file, password):
        self.base = "https://127.0.0.1:%d/v1/" % port
        ctx = ssl.create_default_context(cafile=ca_file)
        ctx.check_hostname = False  # the certificate names master.test; the CA is ours
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPSHandler(context=ctx))
        self.auth = "Basic " + base64.b64encode(("%s:%s" % (API_USER, password)).encode()
                                                ).decode()

    def call(self, path, body=None, method="GET"):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": self.auth, "Accept": "application/json",
            "Content-Type": "application/json",
            **({"X-HTTP-Method-Override": "GET"} if method == "POST" and
               path.startswith("objects/") else {})})
        with self.opener.open(req, timeout=10) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def services(self):
        try:
            res = self.call("objects/services", {
                "filter": 'match("pexip-token-*", service.name)',
                "attrs": ["name", "host_name", "zone", "command_endpoint", "last_check_result",
                          "state", "last_check"]}, method="POST")
        except (OSError, ValueError):
            return {}
        return {"%s!%s" % (r["attrs"]["host_name"], r["attrs"]["name"]): r["attrs"]
                for r in res.get("results", [])}

    def endpoint_connected(self, name):
        try:
            res = self.call("objects/endpoints/" + urllib.parse.quote(name))
            return bool(res["results"][0]["attrs"].get("connected"))
        except (OSError, ValueError, KeyError, IndexError):
            return False

    def reschedule(self, host):
        try:
            self.call("actions/reschedule-check", {
                "type": "Service", "force": True,
                "filter": 'host.name == "%s" && match("pexip-token-*", service.name)' % host},
                method="POST")
            return True
        except (OSError, ValueError):
            return False


def result_line(attrs):
    cr = attrs.get("last_check_result") or {}
    perf = " ".join(cr.get("performance_data") or [])
    return "%s | %s" % ((cr.get("output") or "").rstrip(), perf) if perf else \
        (cr.get("output") or "").rstrip()


def wait_for(what, limit, step=1.0):
    deadline = time.monotonic() + limit
    while True:
        got = what()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(step)


def main():
    progs = common.skip_unless(["icinga2"], "icinga2-bin")
    suite = harness.Suite("icinga2-cluster", watchdog=240)
    started = time.monotonic()
    account = common.Account()
    common.open_up(suite)
    plugin = common.install_plugin(suite, account)
    # Two conferencing nodes: one healthy, one in maintenance mode (its own process, so that
    # its /status answers 503 whatever the other node is asked at the same moment).
    fake = suite.fake(name="node1")
    fake_maint = suite.fake(name="node2", config={"maintenance": True})
    env = common.daemon_env(suite)
    password = secrets.token_hex(16)
    faketime = next((p for p in FAKETIME_LIBS if os.path.exists(p)), None)

    master = Instance(suite, account, progs["icinga2"], "master", MASTER)
    satellite = Instance(suite, account, progs["icinga2"], "satellite", SATELLITE)
    why = make_pki(suite, account, progs["icinga2"], master, satellite)
    suite.check("icinga2 pki: a CA, and a CSR signed by it for %s and %s (%.1f s)" %
                (MASTER, SATELLITE, time.monotonic() - started), [] if why is None else [why])
    if why:
        return suite.finish()

    plugin_dir = os.path.dirname(plugin)
    master.put("icinga2.conf", base_config(MASTER, "master", plugin_dir, master.port,
                                           satellite.port, False, password, master.d["log"]))
    satellite.put("icinga2.conf", base_config(SATELLITE, "satellite", plugin_dir,
                                              satellite.port, master.port, True, password,
                                              satellite.d["log"]))
    shipped = []
    for src in dict.fromkeys([common.CHECKCOMMAND_CONF, common.SERVICES_CONF]):
        with open(src, encoding="utf-8") as f:
            # Icinga loads only *.conf: services.conf.example goes in as services.conf.
            name = os.path.basename(src)
            name = name[:-len(".example")] if name.endswith(".example") else name
            shipped.append(master.put(os.path.join("zones.d", "global-templates", name),
                                      f.read()))
    for host, zone in HOSTS.items():
        master.put(os.path.join("zones.d", zone, "hosts.conf"),
                   host_block(host, (fake.port, fake_maint.port), suite.ca))

    # The master's clock is the only one faked, and only when asked to (second case).
    master_env = dict(env)
    clock = os.path.join(master.base, "faketime")
    if faketime:
        with open(clock, "w") as f:
            f.write("+0\n")
        os.chmod(clock, 0o644)
        master_env.update({"LD_PRELOAD": faketime, "FAKETIME_TIMESTAMP_FILE": clock,
                           "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                           "FAKETIME_DONT_RESET": "1"})
    api = Api(master.port, os.path.join(master.d["data/certs"], "ca.crt"), password)
    want = {"%s!pexip-token-%s" % (h, n) for h in HOSTS for n in NODES}
    records = {}
    transient = set()
    stopped = {}
    try:
        master.start(master_env)
        satellite.start(env)
        connected = wait_for(lambda: api.endpoint_connected(SATELLITE), WAIT, 0.5)
        # Connected: both listen (each also dials the other), so their ports go free.
        for inst in (master, satellite):
            inst.reservation.release()
        suite.check("master and satellite connected over their ApiListeners (%.1f s)" %
                    (time.monotonic() - started), [] if connected else
                    ["not connected after %d s; master: %s; satellite: %s" %
                     (WAIT, master.daemon.tail(6), satellite.daemon.tail(6))])

        # The satellite received global-templates and its zone by config sync.
        synced = os.path.join(satellite.d["data"], "api", "zones")

        def sync_done():
            names = []
            for root, _, files in os.walk(synced):
                names += [os.path.relpath(os.path.join(root, n), synced) for n in files]
            return [n for n in names if n.endswith(".conf")] if any(
                n.startswith("global-templates") for n in names) and any(
                n.startswith("satellite") for n in names) else []
        files = wait_for(sync_done, WAIT, 0.5)
        suite.check("config sync put global-templates/ and satellite/ on the satellite "
                    "(the test copied nothing there)", [] if files else
                    ["synced files: %s" % files])
        print("# synced to the satellite: %s" % ", ".join(sorted(files or [])), flush=True)

        # Checks of the satellite's zone are scheduled by the satellite: forced there.
        sat_api = Api(satellite.port, os.path.join(satellite.d["data/certs"], "ca.crt"),
                      password)

        def results():
            for host, zone in HOSTS.items():
                (sat_api if zone == "satellite" else api).reschedule(host)
            services = api.services()
            for key, attrs in services.items():
                cr = attrs.get("last_check_result") or {}
                if cr.get("check_source") != SATELLITE or key not in want:
                    continue
                # Until the satellite has applied the synced config, a command from the
                # master is answered with "Check command 'pexip-token' does not exist.":
                # noted, and waited past (the next result must be the plugin's).
                if (cr.get("output") or "").startswith("PEXIP TOKEN "):
                    records[key] = attrs
                else:
                    transient.add((key, (cr.get("output") or "").strip()))
            return want <= set(records)
        wait_for(results, WAIT, 2.0)
        for key, output in sorted(transient):
            print("# before the satellite had applied the synced config, %s: %r" %
                  (key, output), flush=True)
        suite.check("the master has a result from the satellite for all %d services (%.1f s)" %
                    (len(want), time.monotonic() - started), [] if want <= set(records) else
                    ["only %s after %d s; master log: %s" %
                     (sorted(records), WAIT, master.daemon.tail(6))])

        # ---- second case: the satellite goes away ---------------------------------------
        if records:
            # A satellite that goes away: SIGTERM, SIGKILL if it lingers (a crash looks the same).
            stopped["satellite"] = satellite.stop(grace=5)
            gone = wait_for(lambda: not api.endpoint_connected(SATELLITE), WAIT, 0.5)
            suite.check("satellite stopped (%s); the master sees it disconnected" %
                        stopped["satellite"], [] if gone else ["still connected"])
            # (Inside the master's 5 minute cold-start window Icinga keeps the last result of
            # a check it cannot hand over; a check of that would pass whether Icinga did
            # anything or not, so the test asserts only what happens after the window.)
            before = api.services()
            if not faketime:
                suite.skip("a disconnected satellite's checks turn UNKNOWN 'not connected' "
                           "after the cold-start window", "libfaketime not installed "
                           "(apt-get install libfaketime; .ci/install-deps does it)")
            else:
                with open(clock, "w") as f:
                    f.write("+360s\n")

                def unknown():
                    api.reschedule("site-b.test")
                    s = api.services()
                    hits = {k: v for k, v in s.items() if k.startswith("site-b.test!") and
                            (v.get("last_check_result") or {}).get("state") == 3}
                    return s if len(hits) == len(NODES) else None
                late = wait_for(unknown, WAIT, 2.0) or api.services()
                stopped["late"] = late
                p = []
                for key in sorted(want):
                    cr = late.get(key, {}).get("last_check_result") or {}
                    host = key.split("!")[0]
                    print("# master reports %s with the satellite down: check_source %s, state "
                          "%s, %r" % (key, cr.get("check_source"), cr.get("state"),
                                      result_line(late.get(key, {}))), flush=True)
                    if host == "site-b.test":
                        text = "Remote Icinga instance '%s' is not connected to '%s'" % (
                            SATELLITE, MASTER)
                        if cr.get("state") != 3 or (cr.get("output") or "").rstrip() != text:
                            p.append("%s: state %s output %r" % (key, cr.get("state"),
                                                                 cr.get("output")))
                        # Icinga names the command endpoint, not the master, as the source.
                        if cr.get("check_source") != SATELLITE:
                            p.append("%s: check_source %r" % (key, cr.get("check_source")))
                    elif result_line(late.get(key, {})) != result_line(before.get(key, {})):
                        p.append("%s (scheduled by the satellite) changed: %r" %
                                 (key, result_line(late.get(key, {}))))
                suite.check("after the window (master clock +6 min by libfaketime): site-b's "
                            "checks UNKNOWN \"Remote Icinga instance '%s' is not connected to "
                            "'%s'\"; site-a's (satellite-scheduled) keep their last result" %
                            (SATELLITE, MASTER), p)
    finally:
        stopped.setdefault("satellite", satellite.stop())
        stopped["master"] = master.stop()
    print("# stopped: satellite %s, master %s" % (stopped["satellite"], stopped["master"]),
          flush=True)

    # ---- what the master recorded ----------------------------------------------------------
    for key in sorted(records):
        attrs = records[key]
        cr = attrs["last_check_result"]
        node = key.split("pexip-token-")[1]
        alias, state_name, state = NODES[node]
        print("# master recorded %s (zone %s, command_endpoint %s): check_source %s, state %s, "
              "%s" % (key, attrs.get("zone"), attrs.get("command_endpoint"),
                      cr.get("check_source"), cr.get("state"), result_line(attrs)), flush=True)
        p = []
        if cr.get("state") != state or attrs.get("state") != state:
            p.append("state %s/%s, expected %d" % (cr.get("state"), attrs.get("state"), state))
        out = (cr.get("output") or "").rstrip()
        if state == 0 and not (out.startswith("PEXIP TOKEN OK: token issued in ") and
                               out.endswith(", released (conference, HOST, version 36)")):
            p.append("output %r" % out)
        if state == 2 and out != ("PEXIP TOKEN CRITICAL: node is in maintenance mode "
                                  "(HTTP 503: System in maintenance mode)"):
            p.append("output %r" % out)
        labels = [i.split("=")[0].strip("'") for i in cr.get("performance_data") or []]
        want_labels = harness.OK_LABELS if state == 0 else [
            x for x in harness.OK_LABELS if x != "time_release"]
        if sorted(labels) != sorted(want_labels):
            p.append("perfdata labels %s, expected %s" % (labels, want_labels))
        if attrs.get("command_endpoint") != SATELLITE:
            p.append("command_endpoint %r" % attrs.get("command_endpoint"))
        if attrs.get("zone") != HOSTS[key.split("!")[0]]:
            p.append("zone %r" % attrs.get("zone"))
        suite.check("%s ran on the satellite (check_source %s): %s, the plugin's line and "
                    "perfdata" % (key, SATELLITE, state_name), p)

    # The plugin ran on the satellite only, and the node saw both aliases from there.
    def node_saw():
        p = []
        for f, alias in ((fake, "meet"), (fake_maint, "maint")):
            reqs = [r for r in f.requests() if "request_token" in r["raw_path"]]
            aliases = {r["raw_path"].split("/conferences/")[1].split("/")[0] for r in reqs}
            if aliases != {alias}:
                p.append("%s got request_token for %s" % (f.name, sorted(aliases)))
        return p
    suite.case("each fake node got request_token for its alias", node_saw)
    mlog, slog = master.log_text(), satellite.log_text()
    ran_master = [l for l in mlog.splitlines() if "Running command" in l and
                  "check_pexip_token" in l]
    ran_sat = [l for l in slog.splitlines() if "Running command" in l and
               "check_pexip_token" in l]
    suite.check("the plugin ran on the satellite (%d command lines in its log), never on the "
                "master" % len(ran_sat), [] if ran_sat and not ran_master else
                ["satellite ran %d, master ran %d" % (len(ran_sat), len(ran_master))])
    suite.check("the shipped CheckCommand compiled on the satellite from the synced "
                "global-templates (no config error in its log)",
                [] if "critical/config" not in slog else
                ["satellite log: %s" % [l for l in slog.splitlines() if "critical" in l][:3]])
    print("# %.1f s" % (time.monotonic() - started), flush=True)
    suite.finish()


if __name__ == "__main__":
    main()
