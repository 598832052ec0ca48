#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real Nagios Core 4 (Debian 12 nagios4) runs the shipped command definitions.

The test starts its own `nagios4` in a private directory with its own nagios.cfg (every path
set: log, status, retention off, objects cache, check results, query socket, command file,
lock, debug log, perfdata file; interval_length=1 so a check interval is one second), as the
nagios user when run as root. It loads icinga-templates/pexip_token.cfg (the command file the
.deb installs in /etc/nagios-plugins/config) and nagios-services.cfg.example (the
example services), both as shipped except for what only a test can change: the plugin path
(a copy of the built plugin), the ini and PIN file paths, the node addresses (192.0.2.x ->
127.0.0.1), the published name (-> the fake node's certificate name) and the alias. A third,
test-only file adds the 24x7 period, the admins contact group and two services from the
shipped template: one on an alias in maintenance mode, one on a PIN-protected alias without
a PIN. Nagios schedules the checks against the fake node; the test reads back status.dat and
the service_perfdata_file: OK with a PIN from --pin-file, CRITICAL for maintenance mode,
WARNING for the PIN challenge, each with the plugin's perfdata. The PIN appears in no file
Nagios wrote. `nagios4 -v` accepts the shipped files and refuses broken copies (a duplicate
command, an unknown command).

Exit 0 all passed, 1 a failure, 77 when nagios4 is not installed.
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.dirname(
                                    os.path.abspath(__file__)))), "tests", "icinga"))
import common  # noqa: E402  (tests/icinga/common.py)
from common import harness  # noqa: E402

PIN = "90210731"            # the fake node's host PIN for alias "pin-host"
PUBLISHED = "node.example.test"  # in the test certificate; never resolved (-I is given)
SHIPPED_PLUGIN = "/usr/lib/nagios/plugins/check_pexip_token"
COMMANDS = os.path.join(common.TEMPLATES, "pexip_token.cfg")
SERVICES = os.path.join(common.TEMPLATES, "nagios-services.cfg.example")
# service -> (state word, status.dat current_state, text in the output)
EXPECTED = {
    "pexip-token-node1": ("OK", 0, "released"),  # shipped example, PIN from --pin-file (ini)
    "pexip-token-node2": ("OK", 0, "released"),  # shipped example
    # shipped example: -H from $HOSTADDRESS$ (localhost here), resolved by the plugin
    "pexip-token-node4": ("OK", 0, "released"),
    "pexip-token-maintenance": ("CRITICAL", 2, "node is in maintenance mode"),
    "pexip-token-pin-challenge": ("WARNING", 1, "asks for a PIN"),
}
PERF_LABELS = {"time", "time_dns", "time_connect", "time_tls", "time_server", "time_transfer"}

SITE = """# Written by nagios4_test.py: what Debian's stock configuration would provide.
define timeperiod{
	timeperiod_name	24x7
	alias		24 Hours A Day, 7 Days A Week
	sunday		00:00-24:00
	monday		00:00-24:00
	tuesday		00:00-24:00
	wednesday	00:00-24:00
	thursday	00:00-24:00
	friday		00:00-24:00
	saturday	00:00-24:00
	}
define command{
	command_name	notify-nobody
	command_line	/bin/true
	}
define contact{
	contact_name			nagiosadmin
	alias				Nobody
	service_notification_period	24x7
	host_notification_period	24x7
	service_notification_options	n
	host_notification_options	n
	service_notification_commands	notify-nobody
	host_notification_commands	notify-nobody
	}
define contactgroup{
	contactgroup_name	admins
	alias			Admins
	members			nagiosadmin
	}

# Two more nodes from the shipped template: maintenance mode, and a PIN challenge.
define host{
	host_name		pexip-lab
	address			127.0.0.1
	max_check_attempts	1
	check_period		24x7
	notification_interval	0
	notification_period	24x7
	contact_groups		admins
	}
define service{
	use			pexip-token-service
	host_name		pexip-lab
	service_description	pexip-token-maintenance
	check_command		check_pexip_token_extra_opts!maint@@INI@!@PUBLISHED@!127.0.0.1!maint
	}
define service{
	use			pexip-token-service
	host_name		pexip-lab
	service_description	pexip-token-pin-challenge
	check_command		check_pexip_token_extra_opts!nopin@@INI@!@PUBLISHED@!127.0.0.1!pin-host
	}
"""

INI = """[pexip_token]
port={port}
ca-file={ca}
pin-file={pin}
warning=5
critical=10

[nopin]
port={port}
ca-file={ca}
warning=5
critical=10

[maint]
port={maint_port}
ca-file={ca}
warning=5
critical=10
"""

PERFDATA_TEMPLATE = ("[SERVICEPERFDATA]\\t$HOSTNAME$\\t$SERVICEDESC$\\t$SERVICESTATE$\\t"
                     "$SERVICESTATEID$\\t$SERVICEOUTPUT$\\t$SERVICEPERFDATA$")


def nagios_cfg(d, account, cfg_files):
    lines = ["# Written by nagios4_test.py: a throw-away Nagios Core, no port, no CGI."]
    lines += ["cfg_file=%s" % f for f in cfg_files]
    lines += ["%s=%s" % kv for kv in (
        ("log_file", os.path.join(d["var"], "nagios.log")),
        ("resource_file", os.path.join(d["etc"], "resource.cfg")),
        ("status_file", os.path.join(d["var"], "status.dat")),
        ("status_update_interval", 1),
        ("retain_state_information", 0),
        ("state_retention_file", os.path.join(d["var"], "retention.dat")),
        ("object_cache_file", os.path.join(d["var"], "objects.cache")),
        ("precached_object_file", os.path.join(d["var"], "objects.precache")),
        ("temp_file", os.path.join(d["var"], "nagios.tmp")),
        ("temp_path", d["tmp"]),
        ("check_result_path", d["checkresults"]),
        ("lock_file", os.path.join(d["var"], "nagios.lock")),
        ("command_file", os.path.join(d["rw"], "nagios.cmd")),
        ("check_external_commands", 0),
        ("query_socket", os.path.join(d["rw"], "nagios.qh")),
        # Every debug level: the command lines Nagios ran are in it (and no PIN may be).
        ("debug_file", os.path.join(d["var"], "nagios.debug")),
        ("debug_level", -1),
        ("debug_verbosity", 1),
        ("log_archive_path", d["archives"]),
        ("use_syslog", 0),
        ("check_for_updates", 0),
        ("nagios_user", account.user),
        ("nagios_group", account.group),
        ("interval_length", 1),
        ("service_inter_check_delay_method", "n"),
        ("max_service_check_spread", 1),
        ("enable_notifications", 0),
        ("enable_flap_detection", 0),
        ("process_performance_data", 1),
        ("service_perfdata_file", os.path.join(d["var"], "service-perfdata")),
        ("service_perfdata_file_template", PERFDATA_TEMPLATE),
        ("service_perfdata_file_mode", "a"),
        ("service_perfdata_file_processing_interval", 0),
        ("illegal_macro_output_chars", "`~$&|'\"<>"))]
    path = os.path.join(d["etc"], "nagios.cfg")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def shipped_commands(plugin):
    """pexip_token.cfg with the plugin path pointing at the test's copy."""
    text = open(COMMANDS).read()
    n = text.count(SHIPPED_PLUGIN)
    return text.replace(SHIPPED_PLUGIN, plugin), n


def shipped_services(ini, pin):
    """The example services with what only a test changes: files, addresses, names, alias."""
    text = open(SERVICES).read()
    text = text.replace("/etc/nagios4/pexip_token.ini", ini)
    text = text.replace("/etc/nagios/pexip.pin", pin)
    text = re.sub(r"\b192\.0\.2\.[0-9]+\b", "127.0.0.1", text)
    # The single node's address is its name, which the plugin resolves: "localhost" (in the
    # test certificate, resolved from /etc/hosts, never DNS).
    text = text.replace("node4.example.com", "localhost")
    # -H must be a name in the fake node's certificate; the alias the PIN-protected one.
    text = re.sub(r"^(\tcheck_command\t+check_pexip_token[a-z_]*!.*)$",
                  lambda m: m.group(1).replace("!meet.example.com!", "!%s!" % PUBLISHED)
                  .replace("!meet", "!pin-host"), text, flags=re.M)
    return text


def parse_status(path):
    """{service_description: {key: value}} of the servicestatus blocks of status.dat."""
    out = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return out
    for block in re.findall(r"^servicestatus \{\n(.*?)^\t\}", text, re.M | re.S):
        kv = {}
        for line in block.splitlines():
            k, sep, v = line.strip().partition("=")
            if sep:
                kv[k] = v
        if kv.get("service_description"):
            out[kv["service_description"]] = kv
    return out


def parse_perfdata(path):
    """{service: last record} of the service_perfdata_file."""
    out = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for line in lines:
        parts = line.split("\t")
        if len(parts) == 7 and parts[0] == "[SERVICEPERFDATA]":
            out[parts[2]] = {"host": parts[1], "state": parts[3], "stateid": parts[4],
                             "output": parts[5], "perf": parts[6]}
    return out


def perf_problems(perf):
    p = []
    labels = set()
    for item in perf.split():
        m = re.match(r"^'?([a-z_]+)'?=([0-9]+(?:\.[0-9]+)?)s;([^;]*);([^;]*);0;([0-9.]+)$", item)
        if not m:
            p.append("perfdata item %r not understood" % item)
            continue
        labels.add(m.group(1))
        if m.group(1) == "time" and (m.group(3), m.group(4)) != ("5", "10"):
            p.append("time warn/crit %s/%s, expected 5/10 from the ini" % m.group(3, 4))
    if not PERF_LABELS <= labels:
        p.append("labels %s lack %s" % (sorted(labels), sorted(PERF_LABELS - labels)))
    return p


def validate(exe, cfg, env):
    res = subprocess.run([exe, "-v", cfg], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=60, env=env)
    return res.returncode, res.stdout.decode("utf-8", "replace")


def tail(text, n=6):
    return " / ".join(text.strip().splitlines()[-n:])


def main():
    progs = common.skip_unless(["nagios4"], "nagios4-core nagios4-common")
    suite = harness.Suite("nagios4", watchdog=150)
    started = time.monotonic()
    account = common.Account()
    common.open_up(suite)
    env = common.daemon_env(suite)
    fake = suite.fake()
    # Its own node: the fake answers /status from the last request_token it saw, and the
    # checks Nagios runs at the same time would interleave.
    maint_fake = suite.fake()
    plugin = common.install_plugin(suite, account)
    pin = common.pin_file(suite, account, PIN)

    base = os.path.join(suite.tmp, "nagios")
    os.makedirs(base)
    account.give(base)
    d = account.mkdirs(base, "etc", "var", "tmp", "rw", "checkresults", "archives")
    ini = os.path.join(d["etc"], "pexip_token.ini")
    with open(ini, "w") as f:
        f.write(INI.format(port=fake.port, maint_port=maint_fake.port, ca=suite.ca, pin=pin))
    os.chmod(ini, 0o640)
    commands_text, n_paths = shipped_commands(plugin)
    suite.check("pexip_token.cfg: every command runs %s (%d commands)" % (SHIPPED_PLUGIN,
                                                                         n_paths),
                [] if n_paths >= 3 and n_paths == commands_text.count("define command") else
                ["%d plugin paths for %d commands" % (n_paths,
                                                      commands_text.count("define command"))])
    files = {
        "pexip_token.cfg": commands_text,
        "nagios-services.cfg": shipped_services(ini, pin),
        "site.cfg": SITE.replace("@INI@", ini).replace("@PUBLISHED@", PUBLISHED),
        "resource.cfg": "$USER1$=/usr/lib/nagios/plugins\n",
    }
    for name, text in files.items():
        with open(os.path.join(d["etc"], name), "w") as f:
            f.write(text)
    for root, dirnames, filenames in os.walk(d["etc"]):
        for n in filenames:
            account.give(os.path.join(root, n))
    objs = [os.path.join(d["etc"], n) for n in ("pexip_token.cfg", "nagios-services.cfg",
                                                "site.cfg")]
    cfg = nagios_cfg(d, account, objs)
    account.give(cfg)

    # ---- nagios4 -v: the shipped files pass, broken copies do not ---------------------------
    rc, out = validate(progs["nagios4"], cfg, env)
    ok = rc == 0 and "Things look okay" in out
    suite.check("nagios4 -v accepts the shipped pexip_token.cfg and the example services",
                [] if ok else ["exit %d: %s" % (rc, tail(out))])
    first = re.search(r"^define command\{.*?^\t\}$", commands_text, re.M | re.S)
    broken = {
        "a duplicate command definition": ("pexip_token.cfg",
                                           commands_text + "\n" + first.group(0) + "\n"),
        "a service on an unknown command": (
            "nagios-services.cfg",
            files["nagios-services.cfg"].replace("check_pexip_token_extra_opts!",
                                                      "check_pexip_tokn_extra_opts!", 1)),
    }
    for what, (name, text) in broken.items():
        bdir = os.path.join(base, "broken-%d" % len(what))
        os.makedirs(bdir)
        account.give(bdir)
        bfiles = []
        for o in objs:
            dst = os.path.join(bdir, os.path.basename(o))
            with open(dst, "w") as f:
                f.write(text if os.path.basename(o) == name else open(o).read())
            account.give(dst)
            bfiles.append(dst)
        bcfg = os.path.join(bdir, "nagios.cfg")
        with open(bcfg, "w") as f:
            f.write(re.sub(r"^cfg_file=.*\n", "", open(cfg).read(), flags=re.M) +
                    "".join("cfg_file=%s\n" % b for b in bfiles))
        account.give(bcfg)
        rc, out = validate(progs["nagios4"], bcfg, env)
        p = []
        if rc == 0 or "Things look okay" in out:
            p.append("exit %d: %s" % (rc, tail(out)))
        if "Error" not in out:
            p.append("no error reported: %s" % tail(out))
        suite.check("nagios4 -v refuses a copy with %s (exit %d)" % (what, rc), p)

    # ---- a real Nagios schedules the checks -----------------------------------------------
    daemon = common.Daemon("nagios4", [progs["nagios4"], cfg],
                           os.path.join(suite.tmp, "nagios4.out"), env=env, cwd=base)
    status_path = os.path.join(d["var"], "status.dat")
    perf_path = os.path.join(d["var"], "service-perfdata")
    deadline = time.monotonic() + harness.stretch(60)
    status, perf = {}, {}
    while time.monotonic() < deadline and daemon.alive():
        status = parse_status(status_path)
        perf = parse_perfdata(perf_path)
        done = all(status.get(s, {}).get("has_been_checked") == "1" and s in perf
                   for s in EXPECTED)
        if done:
            break
        time.sleep(0.5)
    alive = daemon.alive()
    took = daemon.stop()
    suite.check("nagios4 ran until stopped, and stopped on SIGTERM (%s s)" %
                ("%.1f" % took if took is not None else "killed"),
                [] if alive and took is not None else
                ["alive %s, stop %s: %s" % (alive, took, daemon.tail())])

    for svc, (word, state, text) in sorted(EXPECTED.items()):
        s = status.get(svc, {})
        r = perf.get(svc, {})
        p = []
        if s.get("has_been_checked") != "1":
            p.append("never checked (status.dat: %s)" % sorted(status))
        else:
            if s.get("current_state") != str(state):
                p.append("current_state %s, expected %d" % (s.get("current_state"), state))
            out = s.get("plugin_output", "")
            if not out.startswith("PEXIP TOKEN %s: " % word) or text not in out:
                p.append("plugin_output %r, expected PEXIP TOKEN %s: ... %s" % (out, word, text))
            p += perf_problems(s.get("performance_data", ""))
        if not r:
            p.append("no record in the service_perfdata_file")
        elif r["state"] != word or r["stateid"] != str(state) or \
                not r["output"].startswith("PEXIP TOKEN %s: " % word):
            p.append("perfdata file: %r" % r)
        else:
            p += ["perfdata file: " + x for x in perf_problems(r["perf"])]
        suite.check("Nagios recorded %s for %s, with the plugin's output and perfdata" %
                    (word, svc), p)
        if s:
            print("#   status.dat %s: current_state=%s plugin_output=%s performance_data=%s" %
                  (svc, s.get("current_state"), s.get("plugin_output"),
                   s.get("performance_data")), flush=True)

    # The PIN was sent (the PIN-protected alias gave a token) but is in no file Nagios wrote.
    def pin_nowhere():
        p = []
        debug = ""
        for root, dirnames, filenames in os.walk(base):
            for n in filenames:
                path = os.path.join(root, n)
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                if PIN.encode() in data:
                    p.append("the PIN is in %s" % os.path.relpath(path, base))
                if n == "nagios.debug":
                    debug = data.decode("utf-8", "replace")
        if "--extra-opts" not in debug:
            p.append("the debug log shows no command line (the check is void)")
        pins = [r for r in fake.requests() if r.get("alias") == "pin-host"]
        if not pins:
            p.append("the fake node saw no request for pin-host")
        return p
    suite.case("the PIN is in no file of the Nagios directory (log, debug log with the command "
               "lines, status.dat, perfdata, objects cache)", pin_nowhere)

    print("# nagios4 test took %.1f s" % (time.monotonic() - started), flush=True)
    suite.finish()


if __name__ == "__main__":
    main()
