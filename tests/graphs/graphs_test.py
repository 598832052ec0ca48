#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The graph templates on a real stack: Icinga 2 -> carbon-cache -> graphite-web -> the Icinga
Web 2 graphite module, and Icinga 2 -> InfluxDB 1.x -> the Grafana dashboard's queries.

Everything comes from Debian 12 packages and runs in a private temporary directory on
127.0.0.1 with free ports (no system service, nothing from /etc used): a real `icinga2
daemon` runs the shipped CheckCommand, services.conf.example (direct services: a healthy
fake node with -C, the same with --events, and a node whose port refuses connections) and nrpe-services.conf.example
(the same healthy node through a private `nrpe`, queried by check_nrpe), with its `graphite`
feature writing to a real `carbon-cache` and its `influxdb` feature to a real `influxd`.
Checks are forced every second through the external command pipe. Then:

- graphite-web (its Django app under wsgiref) returns through /render a series with points
  for every label the plugin printed, for the direct and the NRPE-wrapped service; the
  refused node (-I given) has points for the completed phase time_dns and none for `time`;
- the graphite module loads icinga-templates/graphite/pexip-token.ini (`icingacli graphite
  icinga2 config` names our labels) and refuses a broken copy; its Chart/GraphImage code
  renders the phases graph through graphite-web: a real PNG, decoded here, with pixels of
  every phase's colour and of the threshold lines;
- InfluxDB answers every query of icinga-templates/pexip-token-grafana.json (taken from the
  file, variables substituted) with rows.

CPT_GRAPH_PNG=path writes the phases graph there (doc/pexip-token-phases.png is made so).
Exit 0 all passed, 1 a failure, 77 when a program of the stack is not installed.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get("TOP_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP_SRCDIR, "tests", "icinga"))

import common  # noqa: E402  (tests/icinga/common.py)
from common import harness  # noqa: E402
import tinypng  # noqa: E402
from icinga2_daemon_test import defines, send_command  # noqa: E402

TEMPLATE = os.path.join(common.TEMPLATES, "graphite", "pexip-token.ini")
DASHBOARD = os.path.join(common.TEMPLATES, "pexip-token-grafana.json")
NRPE_SERVICES = os.path.join(common.TEMPLATES, "nrpe-services.conf.example")
RENDER_PHP = os.path.join(HERE, "render_chart.php")
SYS_PYTHON = "/usr/bin/python3"   # Debian's, which has graphite-web and Django
HOST = "pexip-graphs"
NRPE_HOST = "pexip-graphs-nrpe"
ALIAS = "delay-40"                # the fake node answers request_token after 40 ms
WARN, CRIT = "0.25", "0.5"
CHECK_SECONDS = 14                # how long checks are forced, once a second
MIN_POINTS = 5                    # of the ~14 results, what every series must show
PHASES = ["time_dns", "time_connect", "time_tls", "time_server", "time_transfer"]
# The colours of the phases template (pexip-token.ini) and of its threshold lines.
COLOURS = {"time_dns": (0x94, 0x67, 0xbd), "time_connect": (0x1f, 0x77, 0xb4),
           "time_tls": (0x2c, 0xa0, 0x2c), "time_server": (0xff, 0x7f, 0x0e),
           "time_transfer": (0x17, 0xbe, 0xcf), "warn": (0xe6, 0xa7, 0x00),
           "crit": (0xd6, 0x27, 0x28)}
PROGRAMS = ["icinga2", "carbon-cache", "influxd", "php", "icingacli", "nrpe", "check_nrpe"]
PACKAGES = ("icinga2-bin graphite-carbon graphite-web icingaweb2-module-graphite icingacli "
            "php-cli influxdb nagios-nrpe-server nagios-nrpe-plugin")


def http_get(url, limit=10):
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
            url, timeout=limit) as r:
        return r.status, r.read()


def http_post(url, data, limit=10):
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode())
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
            req, timeout=limit) as r:
        return r.status, r.read()


def wait_for(fn, limit, step=0.2):
    deadline = time.monotonic() + limit
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception:
            pass
        if time.monotonic() > deadline:
            return None
        time.sleep(step)


def metric(host, service, command, label, field="value"):
    """The GraphiteWriter's path (its default service name template)."""
    return "icinga2.%s.services.%s.%s.perfdata.%s.%s" % (host, service, command, label, field)


# ---- the daemons --------------------------------------------------------------------------
RESERVED = []


def reserve_port():
    """A loopback port held (common.PortReservation) until every daemon answers: the daemons
    bind with SO_REUSEADDR, and no other bind or outgoing connection gets it meanwhile."""
    reservation = common.free_port()
    RESERVED.append(reservation)
    return reservation.port


def release_ports():
    while RESERVED:
        RESERVED.pop().release()


def start_carbon(base, exe):
    d = os.path.join(base, "carbon")
    for sub in ("conf", "storage/whisper", "storage/lists", "log", "run"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    ports = [reserve_port() for _ in range(3)]
    conf = os.path.join(d, "conf", "carbon.conf")
    with open(conf, "w") as f:
        f.write("\n".join([
            "[cache]",
            "STORAGE_DIR = %s/storage/" % d,
            "LOCAL_DATA_DIR = %s/storage/whisper/" % d,
            "WHITELISTS_DIR = %s/storage/lists/" % d,
            "CONF_DIR = %s/conf/" % d,
            "LOG_DIR = %s/log/" % d,
            "PID_DIR = %s/run/" % d,
            "ENABLE_LOGROTATION = False",
            "USER =",
            "MAX_CACHE_SIZE = inf",
            "MAX_UPDATES_PER_SECOND = inf",
            "MAX_CREATES_PER_MINUTE = inf",
            "LINE_RECEIVER_INTERFACE = 127.0.0.1",
            "LINE_RECEIVER_PORT = %d" % ports[0],
            "ENABLE_UDP_LISTENER = False",
            "PICKLE_RECEIVER_INTERFACE = 127.0.0.1",
            "PICKLE_RECEIVER_PORT = %d" % ports[1],
            "CACHE_QUERY_INTERFACE = 127.0.0.1",
            "CACHE_QUERY_PORT = %d" % ports[2],
            "ENABLE_MANHOLE = False",
            "ENABLE_AMQP = False",
            "LOG_LISTENER_CONNECTIONS = False",
            "LOG_UPDATES = False",
            "LOG_CACHE_HITS = False",
            "ENABLE_TAGS = False",
            "CARBON_METRIC_INTERVAL = 0",
            ""]))
    with open(os.path.join(d, "conf", "storage-schemas.conf"), "w") as f:
        f.write("[everything]\npattern = .*\nretentions = 1s:1h\n")
    with open(os.path.join(d, "conf", "storage-aggregation.conf"), "w") as f:
        f.write("[default]\npattern = .*\nxFilesFactor = 0\naggregationMethod = average\n")
    daemon = common.Daemon("carbon-cache", [SYS_PYTHON, exe, "--config=%s" % conf,
                                            "--pidfile=%s/run/carbon.pid" % d, "--nodaemon",
                                            "start"],
                           os.path.join(d, "log", "console.log"), cwd=d)
    return daemon, {"line": ports[0], "query": ports[2],
                    "whisper": os.path.join(d, "storage", "whisper")}


GRAPHITE_WSGI = r'''
import os, sys, socketserver
from wsgiref.simple_server import make_server, WSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
class Quiet(WSGIRequestHandler):
    def log_message(self, *a):
        pass
app = get_wsgi_application()
# graphite-web's views look up a user profile: its own sqlite database, made here.
from django.core.management import call_command
call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
make_server("127.0.0.1", int(sys.argv[1]), app, Server, Quiet).serve_forever()
'''


def start_graphite_web(base, carbon):
    d = os.path.join(base, "graphite-web")
    os.makedirs(os.path.join(d, "log"))
    with open(os.path.join(d, "cpt_graphite_local.py"), "w") as f:
        f.write("\n".join([
            "SECRET_KEY = 'check-pexip-token-test'",
            "ALLOWED_HOSTS = ['127.0.0.1']",
            "CONF_DIR = %r" % d,
            "STORAGE_DIR = %r" % d,
            "WHISPER_DIR = %r" % carbon["whisper"],
            "STANDARD_DIRS = [%r]" % carbon["whisper"],
            "INDEX_FILE = %r" % os.path.join(d, "index"),
            "LOG_DIR = %r" % os.path.join(d, "log"),
            "LOG_ROTATION = False",
            "DEFAULT_XFILES_FACTOR = 0",
            "CARBONLINK_HOSTS = ['127.0.0.1:%d:a']" % carbon["query"],
            # Points carbon-cache has not written yet come from its cache: on a busy machine
            # a query may take a while, and a timed-out one would leave the cache out of
            # every render for CARBONLINK_RETRY_DELAY (15 s by default).
            "CARBONLINK_TIMEOUT = 15.0",
            "CARBONLINK_RETRY_DELAY = 1",
            "DATABASES = {'default': {'NAME': %r, 'ENGINE': 'django.db.backends.sqlite3',"
            " 'USER': '', 'PASSWORD': '', 'HOST': '', 'PORT': ''}}" %
            os.path.join(d, "graphite.db"),
            "FUNCTION_PLUGINS = []",
            ""]))
    with open(os.path.join(d, "serve.py"), "w") as f:
        f.write(GRAPHITE_WSGI)
    port = reserve_port()
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": d,
           "PYTHONPATH": d, "GRAPHITE_SETTINGS_MODULE": "cpt_graphite_local",
           "DJANGO_SETTINGS_MODULE": "graphite.settings", "PYTHONDONTWRITEBYTECODE": "1"}
    daemon = common.Daemon("graphite-web", [SYS_PYTHON, os.path.join(d, "serve.py"), str(port)],
                           os.path.join(d, "log", "console.log"), env=env, cwd=d)
    return daemon, "http://127.0.0.1:%d" % port


def start_influxd(base, exe):
    d = os.path.join(base, "influxdb")
    for sub in ("meta", "data", "wal"):
        os.makedirs(os.path.join(d, sub))
    http_port, rpc_port = reserve_port(), reserve_port()
    conf = os.path.join(d, "influxdb.conf")
    with open(conf, "w") as f:
        f.write("""reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{d}/meta"
[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  query-log-enabled = false
[retention]
  enabled = false
[shard-precreation]
  enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{http}"
  auth-enabled = false
  log-enabled = false
[logging]
  level = "warn"
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
""".format(d=d, rpc=rpc_port, http=http_port))
    env = {"PATH": "/usr/bin:/bin", "HOME": d, "LC_ALL": "C.UTF-8"}
    daemon = common.Daemon("influxd", [exe, "-config", conf], os.path.join(d, "console.log"),
                           env=env, cwd=d)
    return daemon, "http://127.0.0.1:%d" % http_port


def start_nrpe(base, exe, account, env, plugin, fake, ca):
    d = os.path.join(base, "nrpe")
    os.makedirs(d)
    os.chmod(d, 0o755)
    port = reserve_port()
    log = os.path.join(d, "nrpe.log")
    open(log, "w").close()
    account.give(log)
    cfg = os.path.join(d, "nrpe.cfg")
    with open(cfg, "w") as f:
        f.write("\n".join([
            "pid_file=%s" % os.path.join(d, "nrpe.pid"),
            "log_file=%s" % log,
            "server_address=127.0.0.1",
            "server_port=%d" % port,
            "nrpe_user=%s" % account.user,
            "nrpe_group=%s" % account.group,
            "allowed_hosts=127.0.0.1",
            "dont_blame_nrpe=0",
            "command_timeout=60",
            # nrpe.cfg.example's per-node command, pointed at the fake node.
            "command[check_pexip_node1]=%s -H localhost -I 127.0.0.1 -p %s --ca-file %s "
            "-a %s -w %s -c %s -C 30,14 -t 8" % (plugin, fake.port, ca, ALIAS, WARN, CRIT),
            ""]))
    daemon = common.Daemon("nrpe", [exe, "-c", cfg, "-f"], os.path.join(d, "console.log"),
                           env=env, cwd=d)
    return daemon, port


def icinga_config(path, d, plugin_dir, ca, fake, refused, nrpe_port, carbon_port, influx_url):
    influx_port = int(influx_url.rsplit(":", 1)[1])
    text = """// Written by graphs_test.py: a throw-away Icinga 2 on loopback.
const PluginDir = "/usr/lib/nagios/plugins"
const PluginContribDir = "{plugin_dir}"
const NodeName = "localhost"
const ZoneName = "localhost"

include <itl>
include <plugins>

include "{conf}"
include "{services}"
include "{nrpe_services}"

object CheckerComponent "checker" {{ }}
object ExternalCommandListener "command" {{ command_path = "{cmd}" }}
object GraphiteWriter "graphite" {{
  host = "127.0.0.1"
  port = {carbon_port}
  enable_send_thresholds = true
}}
object InfluxdbWriter "influxdb" {{
  host = "127.0.0.1"
  port = {influx_port}
  database = "icinga2"
  flush_threshold = 1
  flush_interval = 1s
  enable_send_thresholds = true
  host_template = {{ measurement = "$host.check_command$"; tags = {{ hostname = "$host.name$" }} }}
  service_template = {{ measurement = "$service.check_command$"; tags = {{ hostname = "$host.name$"; service = "$service.name$" }} }}
}}

object Host "{host}" {{
  check_command = "dummy"
  address = "127.0.0.1"
  vars.pexip_token_hostname = "localhost"
  vars.pexip_token_alias = "{alias}"
  vars.pexip_token_ca_file = "{ca}"
  vars.pexip_token_warning = "{warn}"
  vars.pexip_token_critical = "{crit}"
  vars.pexip_token_certificate = "30,14"
  vars.pexip_token_timeout = 8
  vars.pexip_nodes["node1"] = {{ pexip_token_ip_address = "127.0.0.1"; pexip_token_port = {port} }}
  vars.pexip_nodes["events"] = {{ pexip_token_ip_address = "127.0.0.1"; pexip_token_port = {port}; pexip_token_alias = "events-ok"; pexip_token_events = true }}
  vars.pexip_nodes["down"] = {{ pexip_token_ip_address = "127.0.0.1"; pexip_token_port = {refused} }}
}}

object Host "{nrpe_host}" {{
  check_command = "dummy"
  address = "127.0.0.1"
  vars.nrpe_port = {nrpe_port}
  vars.pexip_nrpe_commands["node1"] = "check_pexip_node1"
}}
""".format(plugin_dir=plugin_dir, conf=common.CONF, services=common.SERVICES_EXAMPLE,
           nrpe_services=NRPE_SERVICES, cmd=os.path.join(d["cmd"], "icinga2.cmd"),
           carbon_port=carbon_port, influx_port=influx_port, host=HOST, alias=ALIAS, ca=ca,
           warn=WARN, crit=CRIT, port=fake.port, refused=refused, nrpe_host=NRPE_HOST,
           nrpe_port=nrpe_port)
    with open(path, "w") as f:
        f.write(text)


# ---- graphite -----------------------------------------------------------------------------
def render_json(url, target, window="-10min"):
    q = urllib.parse.urlencode({"target": target, "format": "json", "from": window})
    status, body = http_get("%s/render?%s" % (url, q), limit=20)
    return json.loads(body.decode())


def points(series_list):
    return [v for s in series_list for v, _t in s["datapoints"] if v is not None]


def template_problems(icingacli, cfgdir, env, labels):
    """icingacli graphite icinga2 config with our template as a site template: exit 0 and a
    demo service for pexip-token whose labels are those our templates name."""
    res = subprocess.run([icingacli, "graphite", "icinga2", "config"], env=dict(
        env, ICINGAWEB_CONFIGDIR=cfgdir), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, timeout=60)
    out = res.stdout.decode("utf-8", "replace")
    err = res.stderr.decode("utf-8", "replace")
    m = re.search(r'apply Service "IW2_graphite_demo_pexip-token" \{(.*?)\n\}', out, re.S)
    return res.returncode, out, err, m and re.findall(r'"([a-z_]+)" = [0-9]+', m.group(1))


def main():
    progs = common.skip_unless(PROGRAMS, PACKAGES)
    for mod in ("graphite.settings", "django", "whisper"):
        if subprocess.run([SYS_PYTHON, "-c", "import importlib.util, sys; sys.exit(0 if "
                           "importlib.util.find_spec(%r.split('.')[0]) else 1)" % mod],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            print("SKIP: python3 module %s not installed for %s (Debian 12: apt-get install "
                  "graphite-web python3-whisper; .ci/install-deps does it)" % (mod, SYS_PYTHON))
            sys.exit(77)
    if not os.path.isfile("/usr/share/icingaweb2/modules/graphite/module.info"):
        print("SKIP: icingaweb2-module-graphite not installed (.ci/install-deps does it)")
        sys.exit(77)
    suite = harness.Suite("graphs", watchdog=170)
    started = time.monotonic()
    account = common.Account()
    common.open_up(suite)
    plugin = common.install_plugin(suite, account)
    env = common.daemon_env(suite)
    fake = suite.fake(name="node1")
    refused = suite.refused_port()
    base = os.path.join(suite.tmp, "stack")
    os.makedirs(base)
    os.chmod(base, 0o755)

    # What the plugin prints for each service (the label sets every graph must show).
    target = ["-H", "localhost", "-I", "127.0.0.1", "--ca-file", suite.ca, "-a", ALIAS,
              "-w", WARN, "-c", CRIT, "-C", "30,14", "-t", "8"]
    ok_run = suite.plugin(target + ["-p", fake.port])
    ev_run = suite.plugin(target + ["-p", fake.port, "-a", "events-ok", "--events"])
    ev_labels = sorted(ev_run.perf)
    down_run = suite.plugin(target + ["-p", refused])
    ok_labels = sorted(ok_run.perf)
    down_labels = sorted(down_run.perf)
    suite.check("the plugin on the fake node: OK (or WARNING on a busy machine) with %s; on a "
                "refused port: CRITICAL with %s (the completed phase) and no time" % (
                    ok_labels, down_labels or "no perfdata"),
                [] if ok_run.rc in (0, 1) and ok_labels and down_run.rc == 2 and
                down_labels == ["time_dns"] and "time_events" in ev_labels else
                ["ok run %s; refused run %s; --events run %s" % (
                    ok_run.describe(), down_run.describe(), ev_run.describe())])

    daemons = []
    # The harness's watchdog ends the script through suite.cleanup() (fakes, temp dir): the
    # daemons are stopped there too, by process group, so none outlives a hung run.
    harness_cleanup = suite.cleanup

    def cleanup():
        for dm in reversed(daemons):
            try:
                dm.stop(grace=5)
            except Exception:
                pass
        harness_cleanup()
    suite.cleanup = cleanup
    try:
        carbon, cports = start_carbon(base, progs["carbon-cache"])
        daemons.append(carbon)
        graphite, graphite_url = start_graphite_web(base, cports)
        daemons.append(graphite)
        influxd, influx_url = start_influxd(base, progs["influxd"])
        daemons.append(influxd)
        nrpe, nrpe_port = start_nrpe(base, progs["nrpe"], account, env, plugin, fake, suite.ca)
        daemons.append(nrpe)

        def tcp_up(port):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        up = {
            "carbon-cache": wait_for(lambda: tcp_up(cports["line"]) and tcp_up(cports["query"]),
                                     30),
            "graphite-web": wait_for(lambda: http_get(graphite_url + "/metrics/find?query=*")[0]
                                     == 200, 30),
            "influxd": wait_for(lambda: http_get(influx_url + "/ping")[0] == 204, 30),
            "nrpe": wait_for(lambda: tcp_up(nrpe_port), 10),
        }
        release_ports()
        suite.check("carbon-cache, graphite-web, influxd and nrpe up on 127.0.0.1 (%.1f s)" %
                    (time.monotonic() - started),
                    ["%s not up: %s" % (n, dm.tail()) for (n, ok), dm in
                     zip(up.items(), daemons) if not ok])
        if not all(up.values()):
            return suite.finish()
        listening = sorted({a for dm in daemons for a, _p in dm.listening()})
        suite.check("the daemons listen on 127.0.0.1 only", [] if listening == ["127.0.0.1"]
                    else ["listening on %s" % listening])
        http_post(influx_url + "/query", {"q": "CREATE DATABASE icinga2"})

        icinga_base = os.path.join(base, "icinga2")
        os.makedirs(icinga_base)
        os.chmod(icinga_base, 0o755)
        d = account.mkdirs(icinga_base, "etc", "run", "state", "cache", "log", "spool", "cmd")
        conf_path = os.path.join(d["etc"], "icinga2.conf")
        icinga_config(conf_path, d, os.path.dirname(plugin), suite.ca, fake, refused,
                      nrpe_port, cports["line"], influx_url)
        account.give(conf_path)
        icinga = common.Daemon("icinga2", [progs["icinga2"], "daemon", "-c", conf_path] +
                               defines(d, account), os.path.join(d["log"], "console.log"),
                               env=env, cwd=icinga_base)
        daemons.append(icinga)
        pipe = os.path.join(d["cmd"], "icinga2.cmd")
        ok = wait_for(lambda: os.path.exists(pipe) and "Activated all objects" in open(
            icinga.log_path, errors="replace").read(), 40)
        suite.check("icinga2 daemon up with the graphite and influxdb features",
                    [] if ok else ["not up: %s" % icinga.tail()])
        if not ok:
            return suite.finish()
        # Icinga 2.13's GraphiteWriter connects on its 10 s reconnect timer and drops the
        # metrics of the results that come before: checks start once it is connected.
        ok = wait_for(lambda: "Finished reconnecting to Graphite" in open(
            icinga.log_path, errors="replace").read(), 30)
        suite.check("icinga2's GraphiteWriter connected to carbon-cache (%.1f s)" % (
            time.monotonic() - started), [] if ok else ["no connection: %s" % icinga.tail()])
        services = [(HOST, "pexip-token-node1"), (HOST, "pexip-token-events"),
                    (HOST, "pexip-token-down"),
                    (NRPE_HOST, "pexip-token-nrpe-node1")]
        t0 = time.monotonic()
        while time.monotonic() - t0 < CHECK_SECONDS:
            now = int(time.time())
            for h, s in services:
                send_command(pipe, "[%d] SCHEDULE_FORCED_SVC_CHECK;%s;%s;%d" % (now, h, s, now))
            time.sleep(1)
        time.sleep(2)  # the last results reach carbon and InfluxDB
        print("# checks forced once a second for %d s; %.1f s so far" %
              (CHECK_SECONDS, time.monotonic() - started), flush=True)

        # ---- graphite-web's render API: every label, direct and NRPE-wrapped ---------------
        def series_case(host, service, command, labels):
            p = []
            for label in labels:
                # carbon-cache writes the whisper files a little later than it receives.
                path = metric(host, service, command, label)
                pts = wait_for(lambda: [x for x in [points(render_json(graphite_url, path))]
                                        if len(x) >= MIN_POINTS], 20, 0.5)
                pts = pts[0] if pts else points(render_json(graphite_url, path))
                print("# graphite-web %s: %d points, last %s" % (
                    metric(host, service, command, label), len(pts),
                    pts[-1] if pts else None), flush=True)
                if len(pts) < MIN_POINTS:
                    p.append("%s has %d points" % (label, len(pts)))
            for label, field in (("time", "warn"), ("time", "crit")):
                pts = points(render_json(graphite_url, metric(host, service, command, label,
                                                              field)))
                want = float(WARN if field == "warn" else CRIT)
                if not pts or pts[-1] != want:
                    p.append("%s.%s points %s, expected %s" % (label, field, pts[-3:], want))
            return p
        suite.case("graphite-web returns a series with points for each of the %d labels of "
                   "the direct service (and time's warn/crit)" % len(ok_labels),
                   lambda: series_case(HOST, "pexip-token-node1", "pexip-token", ok_labels))
        suite.case("graphite-web returns the %d series of a service with --events, "
                   "time_events among them" % len(ev_labels),
                   lambda: series_case(HOST, "pexip-token-events", "pexip-token", ev_labels))
        suite.case("graphite-web returns the same series for the NRPE-wrapped service (path "
                   "with check command nrpe)",
                   lambda: series_case(NRPE_HOST, "pexip-token-nrpe-node1", "nrpe", ok_labels))

        def down_case():
            p = []
            found = render_json(graphite_url, "icinga2.%s.services.pexip-token-down.*."
                                "perfdata.*.value" % HOST)
            got = sorted(s["target"].split(".")[-2] for s in found if points([s]))
            print("# graphite-web for the refused node: labels with points %s" % got,
                  flush=True)
            if "time" in got:
                p.append("a time point for a refused connection")
            if got != down_labels:
                p.append("labels with points %s, the plugin printed %s" % (got, down_labels))
            # Perfdata on failure (contract): -I given, so the DNS phase completed; TCP did not.
            if got != ["time_dns"]:
                p.append("labels with points %s, expected the completed phase time_dns" % got)
            return p
        suite.case("the refused node: graphite has the completed phase time_dns and no time "
                   "point (the plugin printed %s)" % (down_labels or "none"), down_case)

        # ---- the graphite module: load, refuse, render ---------------------------------------
        cfgdir = os.path.join(base, "icingaweb2")
        os.makedirs(os.path.join(cfgdir, "enabledModules"))
        os.makedirs(os.path.join(cfgdir, "modules", "graphite", "templates"))
        os.symlink("/usr/share/icingaweb2/modules/graphite",
                   os.path.join(cfgdir, "enabledModules", "graphite"))
        site_ini = os.path.join(cfgdir, "modules", "graphite", "templates", "pexip-token.ini")
        shutil.copyfile(TEMPLATE, site_ini)
        php_env = dict(env, ICINGAWEB_CONFIGDIR=cfgdir)
        rc, _out, err, labels = template_problems(progs["icingacli"], cfgdir, php_env, None)
        named = sorted(set(labels or []))
        # What the plugin printed, and what it prints with --events or --srv.
        want_named = sorted(set(ok_labels) | {"time_events", "nodes", "nodes_ok"})
        suite.check("the graphite module loads the template (icingacli graphite icinga2 "
                    "config: exit 0, pexip-token graphs name %s)" % named,
                    [] if rc == 0 and named == want_named else
                    ["exit %d, labels %s, expected %s: %s" % (rc, named, want_named,
                                                             err[-300:])])
        with open(TEMPLATE) as f:
            broken = f.read().replace("[pexip-token-phases.metrics_filters]",
                                      "[pexip-token-phases.metric_filters]")
        with open(site_ini, "w") as f:
            f.write(broken)
        rc, _out, err, _labels = template_problems(progs["icingacli"], cfgdir, php_env, None)
        suite.check("a broken copy (metric_filters) is refused: exit %d, %s" % (
            rc, err.strip()[:90]), [] if rc != 0 and "metric_filters" in err else
            ["exit %d: %s" % (rc, err[-300:])])
        shutil.copyfile(TEMPLATE, site_ini)

        png_path = os.path.join(base, "phases.png")
        curves = ["%s.value=%s" % (c, metric(HOST, "pexip-token-node1", "pexip-token", l))
                  for c, l in (("dns", "time_dns"), ("connect", "time_connect"),
                               ("tls", "time_tls"), ("server", "time_server"),
                               ("transfer", "time_transfer"))]
        curves += ["time.%s=%s" % (f, metric(HOST, "pexip-token-node1", "pexip-token", "time",
                                             f)) for f in ("warn", "crit")]
        span = int(time.monotonic() - t0) + 4
        res = subprocess.run([progs["php"], RENDER_PHP, site_ini, "pexip-token", "pexip-token-phases",
                              graphite_url, png_path, str(-span), "700", "300"] + curves,
                             env=php_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=60)

        def png_case():
            if res.returncode != 0:
                return ["render_chart.php exit %d: %s" % (res.returncode,
                                                          res.stderr.decode()[-400:])]
            shown = res.stdout.decode().strip()
            print("# %s" % shown, flush=True)
            want = ("templates for pexip-token: pexip-token-cert pexip-token-events "
                    "pexip-token-phases pexip-token-release pexip-token-srv")
            if shown != want:
                return ["the module matched %r, expected %r" % (shown, want)]
            with open(png_path, "rb") as f:
                data = f.read()
            w, h, rows = tinypng.decode(data)
            p = []
            if (w, h) != (700, 300):
                p.append("image is %dx%d, expected 700x300" % (w, h))
            counts = {}
            for name, rgb in COLOURS.items():
                # Areas are drawn with areaAlpha 0.8 over white; lines and the legend's
                # swatches in the colour itself.
                counts[name] = max(tinypng.count_near(rows, rgb, 12),
                                   tinypng.count_near(rows, tinypng.blend(rgb, 0.8), 12))
            white = tinypng.count_near(rows, (255, 255, 255), 0)
            print("# phases graph %s: %d bytes, %dx%d, pixels per colour %s, white %d" % (
                png_path, len(data), w, h, counts, white), flush=True)
            # The server phase (40 ms of a ~45 ms stack) is a wide band; every other colour
            # has at least its legend swatch; the threshold lines cross the whole plot.
            if counts["time_server"] < 2000:
                p.append("server phase: %d pixels of its colour" % counts["time_server"])
            for name in ("warn", "crit"):
                if counts[name] < 50:
                    p.append("%s line: %d pixels of its colour" % (name, counts[name]))
            for name in PHASES:
                if counts[name] < 20:
                    p.append("%s: %d pixels of its colour" % (name, counts[name]))
            out = os.environ.get("CPT_GRAPH_PNG")
            if out and not p:
                shutil.copyfile(png_path, out)
                print("# wrote %s" % out, flush=True)
            return p
        suite.case("the module's Chart/GraphImage render the phases graph through graphite-web: "
                   "a real PNG with the server band, every phase and both threshold lines "
                   "drawn", png_case)

        # ---- InfluxDB: every query of the Grafana dashboard ---------------------------------
        def influx_case():
            with open(DASHBOARD) as f:
                dash = json.load(f)
            queries = [("variable " + v["name"], v["query"])
                       for v in dash["templating"]["list"]]

            def walk(panels):
                for pnl in panels:
                    for t in pnl.get("targets", []):
                        yield ("panel %d %r" % (pnl["id"], pnl["title"]), t["query"])
                    yield from walk(pnl.get("panels", []))
            queries += list(walk(dash["panels"]))
            subst = {"$hostname": "(%s)" % re.escape(HOST).replace("\\-", "-"),
                     "$service": "(pexip-token-node1|pexip-token-events)", "$timeFilter": "time > now() - 10m",
                     "$__interval": "1s"}
            p = []
            panels_with_data = set()
            for name, q in queries:
                for k in sorted(subst, key=len, reverse=True):
                    q = q.replace(k, subst[k])
                if re.search(r"\$[_a-zA-Z]", q):
                    p.append("%s: unsubstituted variable in %s" % (name, q))
                    continue
                _s, body = http_get(influx_url + "/query?" + urllib.parse.urlencode(
                    {"db": "icinga2", "q": q}))
                result = json.loads(body.decode())["results"][0]
                series = result.get("series", [])
                rows = sum(1 for s in series for v in s["values"]
                           if any(x is not None for x in v[1:]))
                print("# InfluxDB %s: %d series, %d rows: %s" % (name, len(series), rows, q),
                      flush=True)
                if result.get("error") or not rows:
                    p.append("%s: %s" % (name, result.get("error") or "no rows"))
                else:
                    panels_with_data.add(name)
                if name.startswith("panel 3"):
                    cols = series[0]["columns"] if series else []
                    full = [v for v in series[0]["values"] if None not in v] if series else []
                    last = full[-1] if full else []
                    vals = dict(zip(cols, last))
                    if vals.get("warning") != float(WARN) or vals.get("critical") != float(CRIT):
                        p.append("thresholds %s, expected %s/%s" % (vals, WARN, CRIT))
                if name.startswith("panel 4"):
                    tags = sorted(s["tags"]["metric"] for s in series)
                    if tags != ["time_events", "time_release"]:
                        p.append("release/events panel series %s" % tags)
                if name.startswith("panel 2"):
                    tags = sorted(s["tags"]["metric"] for s in series)
                    if tags != sorted(PHASES):
                        p.append("phases panel series %s" % tags)
            return p
        suite.case("InfluxDB answers every query of the Grafana dashboard (variables and "
                   "panels, taken from the JSON) with rows", influx_case)
    finally:
        for dm in reversed(daemons):
            took = dm.stop(grace=20)
            print("# %s stopped %s" % (dm.name, "on SIGTERM in %.1f s" % took
                                       if took is not None else "by SIGKILL"), flush=True)
        wait_for(lambda: not any(dm.group_alive() for dm in daemons), 10)
        gone = [dm.name for dm in daemons if dm.group_alive()]
        suite.check("every daemon stopped (%s)" % ", ".join(dm.name for dm in daemons),
                    [] if not gone else ["still running: %s" % gone])
    print("# %.1f s" % (time.monotonic() - started), flush=True)
    suite.finish()


if __name__ == "__main__":
    main()
