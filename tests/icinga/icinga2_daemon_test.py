#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End to end on a real Icinga 2: the shipped templates schedule check_pexip_token against
fake conferencing nodes on 127.0.0.1, and Icinga 2 records what the plugin said.

The test starts its own `icinga2 daemon` with its own configuration, state, log, run, cache
and spool directories under a temporary directory (no system service, no API listener: it
listens on no port at all), as the nagios user when run as root. The configuration is the
shipped icinga-templates/pexip.conf and services.conf.example plus one Host with two
conferencing nodes in vars.pexip_nodes: node1 answers with a token (a PIN-protected alias, PIN from a file), node2
is in maintenance mode; a second Host sets pexip_token_pin instead of a file (v2), which
must reach its node3 through env only. The checks are forced through the external command pipe, and the
results are read back from a PerfdataWriter spool file: state, output and perfdata as Icinga 2
recorded them. The command lines Icinga ran are read from its debug log.

Exit 0 all passed, 1 a failure, 77 when icinga2 is not installed.
"""

import os
import re
import subprocess
import time

import common
from common import harness

PIN = "90210731"          # the fake node's host PIN for alias "pin-host"
ALIAS = "pin-host"
PUBLISHED = "node.example.test"  # in the test certificate; never resolved (-I is given)
HOST = "pexip-test"
HOST_ENV = "pexip-test-env"  # its PIN is pexip_token_pin (env), not a file
TIMEOUT = 6               # pexip_token_timeout, so perfdata max must be 6
FIELDS = ("HOST", "SERVICE", "COMMAND", "STATE", "STATEID", "OUTPUT", "PERF")


def write_config(path, d, plugin_dir, pin_path, ca, port1, port2, port3):
    fmt = "\\t".join("%s::%s" % (k, v) for k, v in (
        ("HOST", "$host.name$"), ("SERVICE", "$service.name$"),
        ("COMMAND", "$service.check_command$"), ("STATE", "$service.state$"),
        ("STATEID", "$service.state_id$"), ("OUTPUT", "$service.output$"),
        ("PERF", "$service.perfdata$")))
    text = """// Written by icinga2_daemon_test.py: a throw-away Icinga 2 on loopback.
const PluginDir = "/usr/lib/nagios/plugins"
const PluginContribDir = "{plugin_dir}"
const NodeName = "localhost"
const ZoneName = "localhost"

include <itl>
include <plugins>

// The files under test, as shipped.
include "{conf}"
include "{services}"

object CheckerComponent "checker" {{ }}
object ExternalCommandListener "command" {{ command_path = "{cmd}" }}
object PerfdataWriter "perfdata" {{
  service_temp_path = "{spool}/tmp-service"
  host_temp_path = "{spool}/tmp-host"
  service_perfdata_path = "{spool}/service"
  host_perfdata_path = "{spool}/host"
  service_format_template = "{fmt}"
  host_format_template = "HOST::$host.name$"
  rotation_interval = 2s
}}
object FileLogger "debug" {{ path = "{log}/debug.log"; severity = "debug" }}

// What every test host has: the published name, the alias, the test CA, the limit.
template Host "pexip-test-host" {{
  check_command = "dummy"
  address = "127.0.0.1"
  vars.pexip_token_hostname = "{published}"
  vars.pexip_token_alias = "{alias}"
  vars.pexip_token_ca_file = "{ca}"
  vars.pexip_token_timeout = {timeout}
}}

// One Pexip deployment published as {published}, two conferencing nodes on 127.0.0.1.
object Host "{host}" {{
  import "pexip-test-host"
  vars.pexip_token_pin_file = "{pin}"
  vars.pexip_token_warning = "5"
  vars.pexip_token_critical = "10"
  vars.pexip_nodes["node1"] = {{ pexip_token_ip_address = "127.0.0.1"; pexip_token_port = {port1} }}
  vars.pexip_nodes["node2"] = {{ pexip_token_port = {port2} }}
}}

// The PIN as a (Director hidden field style) variable, passed only through env; the
// verbosity as a Director string field gives it, "2" for -vv.
object Host "{host_env}" {{
  import "pexip-test-host"
  vars.pexip_token_pin = "{pin_value}"
  vars.pexip_nodes["node3"] = {{ pexip_token_port = {port3}; pexip_token_verbose = "2" }}
}}
""".format(host_env=HOST_ENV, pin_value=PIN, port3=port3, plugin_dir=plugin_dir,
           conf=common.CONF, services=common.SERVICES_EXAMPLE,
           cmd=os.path.join(d["cmd"], "icinga2.cmd"),
           spool=d["spool"], fmt=fmt, log=d["log"], published=PUBLISHED, host=HOST,
           alias=ALIAS, pin=pin_path, ca=ca, timeout=TIMEOUT, port1=port1, port2=port2)
    with open(path, "w") as f:
        f.write(text)


def defines(d, account):
    return ["-DConfiguration.%s=%s" % kv for kv in (
        ("RunAsUser", account.user), ("RunAsGroup", account.group),
        ("InitRunDir", d["run"]), ("PidPath", os.path.join(d["run"], "icinga2.pid")),
        ("StatePath", os.path.join(d["state"], "icinga2.state")),
        ("ModAttrPath", os.path.join(d["state"], "modified-attributes.conf")),
        ("DataDir", d["state"]), ("CacheDir", d["cache"]), ("LogDir", d["log"]),
        ("SpoolDir", d["spool"]), ("ZonesDir", os.path.join(d["etc"], "zones.d")))]


def read_records(spool):
    """Every service line the PerfdataWriter wrote (rotated files and the open one)."""
    recs = []
    for name in sorted(os.listdir(spool)):
        if not (name.startswith("service.") or name == "tmp-service"):
            continue
        try:
            with open(os.path.join(spool, name), encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
        except OSError:
            continue
        # $service.output$ keeps the long output's newlines (-v and up): a record's
        # continuation lines belong to the record before them.
        records = []
        for line in lines:
            if line.startswith("HOST::"):
                records.append(line)
            elif records:
                records[-1] += "\n" + line
        for line in records:
            rec = {}
            for part in line.split("\t"):
                k, sep, v = part.partition("::")
                if sep:
                    rec[k] = v
            if all(k in rec for k in FIELDS):
                recs.append(rec)
    return recs


def send_command(path, line, limit=10.0):
    """Writes one external command into Icinga's pipe (waits until someone reads it)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def command_lines(debug_log):
    """{port: argv} of every check_pexip_token run in Icinga's debug log."""
    runs = {}
    try:
        with open(debug_log, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return runs, ""
    for m in re.finditer(r"Running command (.*?): PID", text):
        argv = re.findall(r"'((?:[^']|'\\'')*)'", m.group(1))
        if argv and argv[0].endswith("/check_pexip_token"):
            port = argv[argv.index("--port") + 1] if "--port" in argv else None
            runs[port] = argv
    return runs, text


def pairs(argv):
    """--option value pairs and bare flags of an argv (after the program)."""
    out = {}
    i = 1
    while i < len(argv):
        a = argv[i]
        if i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            out[a] = argv[i + 1]
            i += 2
        else:
            out[a] = True
            i += 1
    return out


def perf_problems(perf_text, labels, warn, crit, timeout):
    """Icinga's re-rendered perfdata: exact label set, seconds, thresholds, min/max."""
    p = []
    items = perf_text.split()
    seen = []
    for item in items:
        m = re.match(r"^'?([a-z0-9_]+)'?=([0-9]+(?:\.[0-9]+)?)(s?)((?:;[^; ]*){0,4})$", item)
        if not m:
            p.append("perfdata item %r not understood" % item)
            continue
        label, _, uom, rest = m.groups()
        seen.append(label)
        fields = (rest[1:].split(";") if rest else []) + [""] * 4
        if uom != "s":
            p.append("%s has unit %r" % (label, uom))
        want = [warn, crit, "0", str(timeout)] if label == "time" else ["", "", "0", str(timeout)]
        got = fields[:4]
        for name, g, w in zip(("warn", "crit", "min", "max"), got, want):
            if w and (g == "" or float(g) != float(w)):
                p.append("%s %s is %r, expected %s" % (label, name, g, w))
    if sorted(seen) != sorted(labels):
        p.append("labels %s, expected %s" % (sorted(seen), sorted(labels)))
    return p


def main():
    progs = common.skip_unless(["icinga2"], "icinga2-bin")
    suite = harness.Suite("icinga2-daemon", watchdog=120)
    started = time.monotonic()
    account = common.Account()
    common.open_up(suite)
    plugin = common.install_plugin(suite, account)
    pin_path = common.pin_file(suite, account, PIN)
    ca = suite.ca

    fake_ok = suite.fake(name="node1")
    fake_maint = suite.fake(name="node2", config={"maintenance": True})
    fake_env = suite.fake(name="node3")

    base = os.path.join(suite.tmp, "icinga2")
    os.makedirs(base)
    os.chmod(base, 0o755)
    d = account.mkdirs(base, "etc", "run", "state", "cache", "log", "spool", "cmd")
    conf_path = os.path.join(d["etc"], "icinga2.conf")
    write_config(conf_path, d, os.path.dirname(plugin), pin_path, ca, fake_ok.port,
                 fake_maint.port, fake_env.port)
    account.give(conf_path)
    env = common.daemon_env(suite)
    cmd = [progs["icinga2"], "daemon", "-c", conf_path] + defines(d, account)

    daemon = common.Daemon("icinga2", cmd, os.path.join(d["log"], "console.log"), env=env,
                           cwd=base)
    records = {}
    try:
        # Up when the external command pipe exists and all objects are active.
        pipe = os.path.join(d["cmd"], "icinga2.cmd")
        deadline = time.monotonic() + 30
        up = False
        while time.monotonic() < deadline and daemon.alive():
            if os.path.exists(pipe) and "Activated all objects" in open(
                    daemon.log_path, errors="replace").read():
                up = True
                break
            time.sleep(0.1)
        suite.check("icinga2 daemon started as %s with its own directories (%.1f s)" %
                    (account.user, time.monotonic() - started),
                    [] if up else ["not up after 30 s: %s" % daemon.tail()])
        if not up:
            return suite.finish()
        ports = daemon.listening()
        suite.check("the daemon's %d processes listen on no TCP port (no API listener)" %
                    len(daemon.pids()), [] if not ports else ["listening on %s" % ports])

        # Objects created by the shipped apply rule.
        now = int(time.time())
        for host, node in ((HOST, "node1"), (HOST, "node2"), (HOST_ENV, "node3")):
            send_command(pipe, "[%d] SCHEDULE_FORCED_SVC_CHECK;%s;pexip-token-%s;%d" %
                         (now, host, node, now))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for rec in read_records(d["spool"]):
                records[rec["SERVICE"]] = rec
            if {"pexip-token-node1", "pexip-token-node2", "pexip-token-node3"} <= set(records):
                break
            time.sleep(0.2)
        suite.check("Icinga 2 recorded a result for the three services of the apply rule",
                    [] if {"pexip-token-node1", "pexip-token-node2",
                           "pexip-token-node3"} <= set(records) else
                    ["records for %s only after 30 s; log: %s" % (sorted(records),
                                                                 daemon.tail())])
    finally:
        took = daemon.stop()
    # Under load (a sanitizer build, distcheck) icinga2 may take longer than the grace period
    # to shut down; stop() then kills the group. That is the test's cleanup, not the
    # templates' behaviour, so it is reported but never fails the run.
    print("# icinga2 daemon stopped %s" %
          ("on SIGTERM in %.1f s" % took if took is not None else "by SIGKILL after the grace"),
          flush=True)

    runs, debug_text = command_lines(os.path.join(d["log"], "debug.log"))

    # ---- node1: OK ---------------------------------------------------------------------
    r1 = records.get("pexip-token-node1")
    if r1:
        line = r1["OUTPUT"].rstrip() + " | " + r1["PERF"]
        print("# Icinga 2 recorded for %s!pexip-token-node1: state %s (%s), %s" %
              (HOST, r1["STATE"], r1["STATEID"], line), flush=True)
        p = []
        if r1["COMMAND"] != "pexip-token":
            p.append("check_command %r" % r1["COMMAND"])
        if (r1["STATE"], r1["STATEID"]) != ("OK", "0"):
            p.append("state %s/%s, expected OK/0" % (r1["STATE"], r1["STATEID"]))
        if not re.match(r"^PEXIP TOKEN OK: token issued in [0-9]+\.[0-9]{3} s, released "
                        r"\(conference, HOST, version 36\)$", r1["OUTPUT"].rstrip()):
            p.append("output %r" % r1["OUTPUT"])
        suite.check("node1: Icinga 2 recorded OK and the plugin's line", p)
        suite.check("node1: recorded perfdata has the 7 labels in seconds, thresholds 5/10, "
                    "min 0, max %d" % TIMEOUT,
                    perf_problems(r1["PERF"], harness.OK_LABELS, "5", "10", TIMEOUT))

    # ---- node2: maintenance, CRITICAL --------------------------------------------------
    r2 = records.get("pexip-token-node2")
    if r2:
        print("# Icinga 2 recorded for %s!pexip-token-node2: state %s (%s), %s | %s" %
              (HOST, r2["STATE"], r2["STATEID"], r2["OUTPUT"].rstrip(), r2["PERF"]),
              flush=True)
        p = []
        if (r2["STATE"], r2["STATEID"]) != ("CRITICAL", "2"):
            p.append("state %s/%s, expected CRITICAL/2" % (r2["STATE"], r2["STATEID"]))
        if r2["OUTPUT"].rstrip() != ("PEXIP TOKEN CRITICAL: node is in maintenance mode "
                                     "(HTTP 503: System in maintenance mode)"):
            p.append("output %r" % r2["OUTPUT"])
        suite.check("node2 (maintenance mode): Icinga 2 recorded CRITICAL and the reason", p)
        suite.check("node2: recorded perfdata has the request_token times, no time_release",
                    perf_problems(r2["PERF"], [x for x in harness.OK_LABELS
                                               if x != "time_release"], "5", "10", TIMEOUT))

    # ---- what Icinga ran -----------------------------------------------------------------
    a1 = runs.get(fake_ok.port)
    a2 = runs.get(fake_maint.port)
    suite.check("the debug log shows both command lines", [] if a1 and a2 else
                ["command lines for ports %s" % sorted(k for k in runs if k)])
    if a1 and a2:
        p = []
        if a1[0] != plugin:
            p.append("program %s, expected PluginContribDir + /check_pexip_token" % a1[0])
        want1 = {"--hostname": PUBLISHED, "--ip-address": "127.0.0.1", "--port": fake_ok.port,
                 "--alias": ALIAS, "--pin-file": pin_path, "--ca-file": ca, "--warning": "5",
                 "--critical": "10", "--timeout": str(TIMEOUT)}
        got1 = pairs(a1)
        if got1 != want1:
            p.append("node1 ran with %s, expected %s" % (got1, want1))
        got2 = pairs(a2)
        want2 = dict(want1, **{"--port": fake_maint.port})
        if got2 != want2:
            p.append("node2 ran with %s, expected %s (-I from $check_address$)" % (got2, want2))
        suite.check("Icinga ran long options only: -H the published name, -I the node's "
                    "address (node2 from $check_address$), no flag set to false", p)
    leaks = []
    for sub in (d["log"], d["spool"], d["state"]):
        for name in sorted(os.listdir(sub)):
            try:
                with open(os.path.join(sub, name), "rb") as f:
                    if PIN.encode() in f.read():
                        leaks.append(name)
            except OSError:
                pass
    suite.check("the PIN is in no command line, log or spool file of Icinga 2",
                [] if not leaks and PIN not in debug_text else ["PIN found in %s" % leaks])

    # ---- what the node saw -----------------------------------------------------------------
    def node1_seen():
        reqs = [r for r in fake_ok.requests() if "request_token" in r["raw_path"]]
        parts = fake_ok.participants()
        p = []
        if len(reqs) != 1:
            return ["%d request_token requests" % len(reqs)]
        hdr = {k.lower(): v for k, v in reqs[0]["headers"]}
        if hdr.get("pin") != PIN:
            p.append("pin header %r" % hdr.get("pin"))
        if reqs[0].get("sni") != PUBLISHED:
            p.append("SNI %r" % reqs[0].get("sni"))
        if not hdr.get("host", "").startswith(PUBLISHED):
            p.append("Host %r" % hdr.get("host"))
        if len(parts) != 1 or not parts[0]["released"]:
            p.append("participants %s" % parts)
        return p
    suite.case("node1 got the PIN from the file, SNI and Host the published name, and the "
               "token was released (no ghost participant)", node1_seen)

    # ---- node3: the PIN through env only (v2) ---------------------------------------------
    def node3_env_pin():
        p = []
        r3 = records.get("pexip-token-node3")
        if not r3 or (r3["STATE"], r3["STATEID"]) != ("OK", "0"):
            p.append("node3 recorded %r, expected OK" % (r3,))
        a3 = runs.get(fake_env.port)
        if not a3:
            return p + ["no command line for node3"]
        if PIN in " ".join(a3) or "--pin" in a3 or "--pin-file" in a3:
            p.append("node3's command line carries a PIN option: %s" % a3)
        verbose = [a for a in a3 if re.fullmatch(r"-v+|--verbose", a)]
        if verbose != ["-vv"]:
            p.append("node3 (pexip_token_verbose \"2\") ran with %s, expected -vv" % verbose)
        if a1 and [a for a in a1 if re.fullmatch(r"-v+|--verbose", a)]:
            p.append("node1 (pexip_token_verbose 0) ran with a -v: %s" % a1)
        reqs = [r for r in fake_env.requests() if "request_token" in r["raw_path"]]
        hdr = {k.lower(): v for k, v in reqs[0]["headers"]} if reqs else {}
        if hdr.get("pin") != PIN:
            p.append("node3 pin header %r, expected the PIN from pexip_token_pin" %
                     hdr.get("pin"))
        return p
    suite.case("node3: pexip_token_pin reached the plugin through env (pin header sent, OK), "
               "not through its command line; pexip_token_verbose \"2\" gave -vv, 0 none",
               node3_env_pin)

    # ---- the same command line by hand ------------------------------------------------------
    if a1 and r1:
        res = subprocess.run(a1, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, timeout=30,
                             **account.run_kwargs())
        direct = res.stdout.decode("utf-8", "replace").split("\n")[0]
        recorded = r1["OUTPUT"].rstrip() + " | " + r1["PERF"]
        p = []
        if res.returncode != int(r1["STATEID"]):
            p.append("direct exit %d, Icinga state %s" % (res.returncode, r1["STATEID"]))
        if common.normalize(direct.split(" | ")[0]) != common.normalize(r1["OUTPUT"]):
            p.append("direct %r vs recorded %r" % (direct, recorded))
        dlabels = [i.split("=")[0].strip("'") for i in direct.partition(" | ")[2].split()]
        rlabels = [i.split("=")[0].strip("'") for i in r1["PERF"].split()]
        if dlabels != rlabels:
            p.append("perfdata labels %s vs %s" % (dlabels, rlabels))
        suite.check("running Icinga's node1 command line by hand gives the same state and "
                    "line (times aside)", p)

    print("# %.1f s" % (time.monotonic() - started), flush=True)
    suite.finish()


if __name__ == "__main__":
    main()
