#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""icinga-templates/director-basket.json in a real Icinga Director (Debian 12:
icingaweb2-module-director 1.10, icingacli, MariaDB), and what the Director renders from it in
a real `icinga2 daemon -C`.

The test starts its own MariaDB server (mariadb-install-db into a temporary datadir, mariadbd
with --skip-networking: a Unix socket in that directory and no TCP port), gives Icinga Web 2 a
private configuration through ICINGAWEB_CONFIGDIR (resources.ini, modules/director/config.ini,
enabledModules), creates the Director's schema with `icingacli director migration run`, restores
the basket with `icingacli director basket restore < director-basket.json` (twice: a restore
over itself must work), adds a service template with a PIN file in the hidden field, renders
the configuration with `icingacli director config render` (the Director stores it in its
database: director_generated_file) and validates that with `icinga2 daemon -C`, together with
a host and a service of our own that use the rendered template.

Drift: the pexip-token CheckCommand the Director rendered must have the same arguments (value,
set_if, required, description), vars, command and timeout as the shipped CheckCommand file,
both as `icinga2 object list` shows them and, for {{ }} function bodies, in the source text.
An `env` of the shipped CheckCommand cannot be carried (Director 1.10 Commands have no env):
the test says so and checks that README.md gives the alternative.

Secrets: the PIN (in the file the hidden field points to) is in nothing the Director wrote:
rendered files, its activity log, the Icinga Web log, the database server's log.

The test stops the database server by pid. Exit 0 all passed, 1 a failure, 77 when a program
is missing (Debian 12: apt-get install icingaweb2-module-director icingacli mariadb-server
php-mysql icinga2-bin; .ci/install-deps does it).
"""

import json
import os
import re
import secrets
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get("TOP_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP_SRCDIR, "tests", "icinga"))
sys.path.insert(0, os.path.join(TOP_SRCDIR, "icinga-templates"))

import common  # noqa: E402  (tests/icinga/common.py)
from common import harness  # noqa: E402

DIRECTOR_MODULE = "/usr/share/icingaweb2/modules/director"
MODULES = ("director", "incubator", "reactbundle")
PIN = "31415926"
SITE_TEMPLATE = "pexip-token-site"
NODE = "director-test"


def load_generator():
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_director_basket",
                                                  common.DIRECTOR_GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(cmd, env=None, stdin=None, limit=60, **kw):
    start = time.monotonic()
    res = subprocess.run(cmd, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                         timeout=limit, **kw)
    return res.returncode, res.stdout.decode("utf-8", "replace"), time.monotonic() - start


def tail(text, n=8):
    return " / ".join(text.strip().splitlines()[-n:])


class MariaDB:
    """A private MariaDB server on a Unix socket in its own directory."""

    def __init__(self, suite, progs):
        self.suite = suite
        self.base = os.path.join(suite.tmp, "db")
        self.datadir = os.path.join(self.base, "data")
        self.sock = os.path.join(self.base, "mysqld.sock")
        self.log = os.path.join(self.base, "mysqld.err")
        self.progs = progs
        self.daemon = None
        os.makedirs(self.base)
        self.as_root = ["--user=root"] if os.geteuid() == 0 else []

    def start(self):
        rc, out, _ = run([self.progs["mariadb-install-db"], "--no-defaults",
                          "--datadir=" + self.datadir, "--auth-root-authentication-method=socket",
                          "--skip-test-db"] + self.as_root, env=self.suite.base_env(),
                         limit=120)
        if rc != 0:
            return "mariadb-install-db exit %d: %s" % (rc, tail(out))
        cmd = [self.progs["mariadbd"], "--no-defaults", "--datadir=" + self.datadir,
               "--socket=" + self.sock, "--pid-file=" + os.path.join(self.base, "mysqld.pid"),
               "--skip-networking", "--log-error=" + self.log,
               "--innodb-buffer-pool-size=16M", "--skip-log-bin",
               "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0"] + self.as_root
        self.daemon = common.Daemon("mariadbd", cmd, os.path.join(self.base, "console.log"),
                                    env=self.suite.base_env())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.daemon.alive():
            if os.path.exists(self.sock):
                rc, _, _ = self.sql("SELECT 1")
                if rc == 0:
                    return None
            time.sleep(0.2)
        return "mariadbd not up after 60 s: %s %s" % (self.daemon.tail(), self.error_log())

    def sql(self, statement, db=None):
        cmd = [self.progs["mariadb"], "--no-defaults", "--socket=" + self.sock, "-uroot",
               "--batch", "--raw", "-e", statement]
        if db:
            cmd.append(db)
        return run(cmd, env=self.suite.base_env())

    def error_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        return self.daemon.stop(grace=30) if self.daemon else None


class Director:
    """icingacli with a private Icinga Web 2 configuration."""

    def __init__(self, suite, progs, db):
        self.suite = suite
        self.progs = progs
        self.db = db
        self.cfg = os.path.join(suite.tmp, "icingaweb2")
        self.weblog = os.path.join(suite.tmp, "icingaweb2.log")
        self.password = secrets.token_hex(12)
        os.makedirs(os.path.join(self.cfg, "modules", "director"))
        os.makedirs(os.path.join(self.cfg, "enabledModules"))
        for m in MODULES:
            os.symlink(os.path.join(os.path.dirname(DIRECTOR_MODULE), m),
                       os.path.join(self.cfg, "enabledModules", m))
        self.write("config.ini", '[global]\nmodule_path = "%s"\n\n[logging]\nlog = "file"\n'
                   'file = "%s"\nlevel = "DEBUG"\n' % (os.path.dirname(DIRECTOR_MODULE),
                                                       self.weblog))
        self.write("resources.ini", '[director_db]\ntype = "db"\ndb = "mysql"\n'
                   'host = "localhost"\ndbname = "director"\nusername = "director"\n'
                   'password = "%s"\ncharset = "utf8mb4"\n' % self.password)
        self.write("modules/director/config.ini", '[db]\nresource = "director_db"\n')

    def write(self, rel, text):
        with open(os.path.join(self.cfg, rel), "w") as f:
            f.write(text)

    def create_db(self):
        return self.db.sql(
            "CREATE DATABASE director CHARACTER SET utf8mb4; "
            "CREATE USER director@localhost IDENTIFIED BY '%s'; "
            "GRANT ALL ON director.* TO director@localhost;" % self.password)

    def cli(self, *args, stdin=None):
        env = self.suite.base_env()
        env["ICINGAWEB_CONFIGDIR"] = self.cfg
        # Icinga Web's db resources know host/port only: PHP's PDO finds our socket this way.
        cmd = [self.progs["php"], "-d", "pdo_mysql.default_socket=" + self.db.sock,
               "-d", "mysqli.default_socket=" + self.db.sock, self.progs["icingacli"],
               "director"] + list(args)
        if stdin is not None:
            with open(stdin, "rb") as f:
                return run(cmd, env=env, stdin=f, limit=120)
        return run(cmd, env=env, limit=120)


class Validator:
    """`icinga2 daemon -C` on a private configuration; `icinga2 object list` of it."""

    def __init__(self, suite, exe, account, name, files):
        self.suite = suite
        self.exe = exe
        self.account = account
        self.base = os.path.join(suite.tmp, name)
        os.makedirs(self.base)
        os.chmod(self.base, 0o755)
        self.d = account.mkdirs(self.base, "etc", "cache", "log", "run", "state")
        for rel, text in files.items():
            path = os.path.join(self.d["etc"], rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        for root, dirnames, filenames in os.walk(self.d["etc"]):
            for n in dirnames + filenames:
                account.give(os.path.join(root, n))

    def defines(self):
        d = self.d
        return ["-DNodeName=" + NODE] + ["-DConfiguration.%s=%s" % kv for kv in (
            ("RunAsUser", self.account.user), ("RunAsGroup", self.account.group),
            ("CacheDir", d["cache"]), ("LogDir", d["log"]), ("InitRunDir", d["run"]),
            ("StatePath", os.path.join(d["state"], "icinga2.state")),
            ("ModAttrPath", os.path.join(d["state"], "modified-attributes.conf")),
            ("DataDir", d["state"]), ("ZonesDir", os.path.join(d["etc"], "zones.d")))]

    def validate(self):
        rc, out, _ = run([self.exe, "daemon", "-C", "-c",
                          os.path.join(self.d["etc"], "icinga2.conf")] + self.defines(),
                         env=self.suite.base_env())
        return rc, out

    def objects(self, otype):
        rc, out, _ = run([self.exe, "object", "list", "--type", otype] + self.defines(),
                         env=self.suite.base_env())
        return common.parse_object_list(out)


ICINGA2_CONF = """// Written by director_test.py
const PluginDir = "/usr/lib/nagios/plugins"
const PluginContribDir = "/usr/lib/nagios/plugins"
const ZoneName = NodeName
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
object Zone "director-global" { global = true }
include <itl>
include <plugins>
%s
"""

OWN_OBJECTS = """// The test's own host and service, using what the Director rendered.
object Host "pexip-node.test" {
  check_command = "dummy"
  address = "127.0.0.1"
}
object Service "pexip-token-node1" {
  host_name = "pexip-node.test"
  import "%s"
}
""" % SITE_TEMPLATE


def comparable(cmd):
    """The parts of an `icinga2 object list` CheckCommand that must not drift."""
    args = {}
    for name, a in (cmd.get("arguments") or {}).items():
        a = dict(a) if isinstance(a, dict) else {"value": a}
        for k in ("value", "set_if"):
            if isinstance(a.get(k), dict):  # a function: compared in the source text
                a[k] = "<function>"
        args[name] = {k: a.get(k) for k in ("value", "set_if", "required", "description",
                                            "order", "repeat_key", "skip_key")
                      if a.get(k) not in (None, False) or k == "required" and a.get(k)}
    return {
        "arguments": args,
        "vars": cmd.get("vars") or {},
        "command": cmd.get("command"),
        "timeout": cmd.get("timeout"),
        "templates": sorted(t for t in cmd.get("templates") or []
                            if t not in ("pexip-token", "plugin-check-command")),
    }


def differences(a, b, path=""):
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append("%s%s only in the Director's" % (path, k))
            elif k not in b:
                out.append("%s%s only in the shipped" % (path, k))
            else:
                out += differences(a[k], b[k], "%s%s." % (path, k))
    elif a != b:
        out.append("%s shipped %r, Director %r" % (path.rstrip("."), a, b))
    return out


def functions(gen, text, where):
    """{argument.key: normalised {{ }} body} of the pexip-token CheckCommand in text."""
    path = os.path.join(where, "cmd.conf")
    with open(path, "w") as f:
        f.write(text)
    cmd = gen.load_command(path)
    out = {}
    for name, arg in cmd["arguments"]:
        for key in ("value", "set_if"):
            if key in arg and arg[key][0] == "function":
                out["%s.%s" % (name, key)] = " ".join(arg[key][1].split())
    return out, cmd


def main():
    progs = common.skip_unless(["icinga2", "icingacli", "php", "mariadbd", "mariadb",
                                "mariadb-install-db"],
                               "icinga2-bin icingacli icingaweb2-module-director "
                               "mariadb-server php-mysql")
    if not os.path.isdir(DIRECTOR_MODULE):
        harness.skip_script("%s missing (apt-get install icingaweb2-module-director; "
                            ".ci/install-deps does it)" % DIRECTOR_MODULE)
    suite = harness.Suite("director", need_plugin=False, watchdog=240)
    started = time.monotonic()
    account = common.Account()
    common.open_up(suite, certs=False)
    gen = load_generator()
    basket_path = common.DIRECTOR_BASKET
    with open(basket_path, encoding="utf-8") as f:
        basket = json.load(f)

    db = MariaDB(suite, progs)
    director = None
    rendered = {}
    pin_path = suite.write_file("pexip.pin", PIN + "\n", mode=0o600)
    activity = ""
    try:
        why = db.start()
        suite.check("MariaDB started in a private datadir, socket only (%.1f s)" %
                    (time.monotonic() - started), [] if why is None else [why])
        if why:
            return suite.finish()
        director = Director(suite, progs, db)
        rc, out, _ = director.create_db()
        suite.check("database and user for the Director created", [] if rc == 0 else
                    ["exit %d: %s" % (rc, tail(out))])

        rc, out, took = director.cli("migration", "run")
        rc2, out2, _ = director.cli("migration", "pending", "--verbose")
        suite.check("icingacli director migration run creates the schema (%.1f s)" % took,
                    [] if rc == 0 and rc2 == 1 and "no pending migrations" in out2 else
                    ["run exit %d: %s; pending: %s" % (rc, tail(out), tail(out2))])

        for attempt in ("into an empty Director", "again over itself"):
            rc, out, took = director.cli("basket", "restore", stdin=basket_path)
            suite.check("icingacli director basket restore < director-basket.json %s (%.1f s)"
                        % (attempt, took), [] if rc == 0 and "restored" in out else
                        ["exit %d: %s" % (rc, tail(out))])

        def stored():
            p = []
            rc, out, _ = db.sql(
                "SELECT f.varname, s.setting_name, s.setting_value FROM director_datafield f "
                "LEFT JOIN director_datafield_setting s ON s.datafield_id = f.id "
                "ORDER BY f.varname", "director")
            rows = [line.split("\t") for line in out.strip().splitlines()[1:]]
            settings = {}
            for var, k, v in rows:
                settings.setdefault(var, {})[k] = v
            want = {d["varname"] for d in basket["Datafield"].values()}
            if set(settings) != want:
                p.append("datafields %s, basket has %s" % (sorted(settings), sorted(want)))
            if settings.get("pexip_token_pin_file", {}).get("visibility") != "hidden":
                p.append("pexip_token_pin_file settings %r" %
                         settings.get("pexip_token_pin_file"))
            results = [v for v in settings if v.endswith("_result")]
            if len(results) < 3:
                p.append("result fields %s" % results)
            for v in results:
                if "datalist_id" not in settings[v]:
                    p.append("%s is not a data list field: %r" % (v, settings[v]))
            rc, out, _ = db.sql(
                "SELECT e.entry_name FROM director_datalist l JOIN director_datalist_entry e "
                "ON e.list_id = l.id WHERE l.list_name = 'pexip-token-states' "
                "ORDER BY e.entry_name", "director")
            if out.split()[1:] != ["CRITICAL", "OK", "UNKNOWN", "WARNING"]:
                p.append("data list entries %r" % out.split()[1:])
            rc, out, _ = db.sql(
                "SELECT COUNT(*) FROM icinga_command_field cf JOIN icinga_command c ON "
                "c.id = cf.command_id WHERE c.object_name = 'pexip-token'", "director")
            if out.split()[1:] != [str(len(want))]:
                p.append("pexip-token has %r fields, expected %d" % (out.split()[1:], len(want)))
            return p
        suite.case("restored: every data field (PIN file hidden, --*-result fields on the "
                   "OK/WARNING/CRITICAL/UNKNOWN data list) linked to pexip-token", stored)

        rc, out, _ = director.cli(
            "service", "create", SITE_TEMPLATE, "--json", json.dumps({
                "object_type": "template", "imports": ["pexip-token-service"],
                "vars": {"pexip_token_pin_file": pin_path, "pexip_token_alias": "meet",
                         "pexip_token_maintenance_result": "WARNING"}}))
        suite.check("a site's service template imports pexip-token-service, PIN file in the "
                    "hidden field", [] if rc == 0 else ["exit %d: %s" % (rc, tail(out))])

        rc, out, took = director.cli("config", "render")
        m = re.search(r"checksum ([0-9a-f]{40})", out)
        suite.check("icingacli director config render (%.1f s)" % took,
                    [] if rc == 0 and m else ["exit %d: %s" % (rc, tail(out))])
        if m:
            rc, out, _ = db.sql(
                "SELECT cf.file_path, HEX(f.content) FROM director_generated_config_file cf "
                "JOIN director_generated_file f ON f.checksum = cf.file_checksum "
                "WHERE cf.config_checksum = UNHEX('%s')" % m.group(1), "director")
            for line in out.strip().splitlines()[1:]:
                rel, hexed = line.split("\t")
                rendered[rel] = bytes.fromhex(hexed).decode("utf-8")
        rc, activity, _ = db.sql("SELECT * FROM director_activity_log", "director")
        print("# the Director's activity log has %d entries" %
              max(0, len(activity.strip().splitlines()) - 1), flush=True)
    finally:
        took = db.stop()
        print("# mariadbd stopped %s" % ("on SIGTERM in %.1f s" % took if took is not None
                                         else "by SIGKILL after the grace"), flush=True)

    cmd_file = "zones.d/director-global/commands.conf"
    suite.check("the rendered config has %s and service_templates.conf" % cmd_file,
                [] if cmd_file in rendered and
                "zones.d/director-global/service_templates.conf" in rendered else
                ["rendered files: %s" % sorted(rendered)])
    if cmd_file not in rendered:
        return suite.finish()
    m = re.search(r'^object CheckCommand "pexip-token" \{.*?^\}$', rendered[cmd_file],
                  re.M | re.S)
    print("# The Director rendered (%s):" % cmd_file, flush=True)
    for line in (m.group(0) if m else rendered[cmd_file]).splitlines():
        print("#   " + line, flush=True)

    # ---- icinga2 daemon -C on what the Director rendered ---------------------------------
    files = {"icinga2.conf": ICINGA2_CONF % 'include "own.conf"', "own.conf": OWN_OBJECTS}
    files.update(rendered)
    director_icinga = Validator(suite, progs["icinga2"], account, "icinga2-director", files)
    rc, out = director_icinga.validate()
    suite.check("icinga2 daemon -C accepts the Director's config with a service of ours "
                "importing it", [] if rc == 0 else ["exit %d: %s" % (rc, tail(out, 12))])
    with open(common.CHECKCOMMAND_CONF, encoding="utf-8") as f:
        shipped_text = f.read()
    shipped_files = {"icinga2.conf": ICINGA2_CONF % 'include "shipped/pexip.conf"',
                     "shipped/pexip.conf": shipped_text}
    shipped_icinga = Validator(suite, progs["icinga2"], account, "icinga2-shipped",
                               shipped_files)
    rc2, out2 = shipped_icinga.validate()
    suite.check("icinga2 daemon -C accepts the shipped CheckCommand file alone",
                [] if rc2 == 0 else ["exit %d: %s" % (rc2, tail(out2, 12))])

    if rc == 0 and rc2 == 0:
        got = director_icinga.objects("CheckCommand").get("pexip-token")
        want = shipped_icinga.objects("CheckCommand").get("pexip-token")

        def same():
            if not got or not want:
                return ["pexip-token in object list: Director %s, shipped %s" %
                        (bool(got), bool(want))]
            a, b = comparable(want), comparable(got)
            if len(a["arguments"]) < 20:
                return ["only %d arguments in the shipped CheckCommand" % len(a["arguments"])]
            return differences(a, b)
        suite.case("drift: the Director's pexip-token has the shipped CheckCommand's "
                   "arguments (value, set_if, required, description), vars, command, "
                   "timeout and imports, as icinga2 object list shows them", same)

        svc = director_icinga.objects("Service").get("pexip-node.test!pexip-token-node1", {})
        suite.check("the test's service imports the Director's templates: check_command "
                    "pexip-token, max_check_attempts 3, PIN file from the hidden field",
                    [] if svc.get("check_command") == "pexip-token" and
                    svc.get("max_check_attempts") == 3 and
                    svc.get("vars", {}).get("pexip_token_pin_file") == pin_path else
                    ["service %r" % {k: svc.get(k) for k in ("check_command",
                                                              "max_check_attempts", "vars")}])

    def function_bodies():
        tmp = os.path.join(suite.tmp, "parse")
        os.makedirs(tmp, exist_ok=True)
        f_shipped, shipped_cmd = functions(gen, shipped_text, tmp)
        f_director, _ = functions(gen, rendered[cmd_file], tmp)
        p = differences(f_shipped, f_director)
        if not f_shipped:
            p.append("no {{ }} function in the shipped CheckCommand (the --ip-address set_if)")
        # The comparison must see drift: the same check on a changed copy fails.
        changed = rendered[cmd_file].replace('!= ""', '!= "x"', 1)
        if not differences(f_shipped, functions(gen, changed, tmp)[0]):
            p.append("a changed function body went unnoticed")
        return p
    suite.case("drift: the {{ }} function bodies (set_if of --ip-address) are the same text "
               "in the Director's and the shipped CheckCommand; a changed copy is caught",
               function_bodies)

    def env():
        _, shipped_cmd = functions(gen, shipped_text, os.path.join(suite.tmp, "parse"))
        names = [k for k, _ in shipped_cmd["env"]]
        p = []
        if re.search(r"^\s*env\b", rendered[cmd_file], re.M):
            p.append("the Director rendered an env")
        with open(os.path.join(TOP_SRCDIR, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        sec = re.search(r"^### Icinga Director\n(.*?)(?=^##)", readme, re.M | re.S)
        text = sec.group(1) if sec else ""
        for word in ["--pin-file", "CHECK_PEXIP_TOKEN_PIN", "env"] + names:
            if word not in text:
                p.append("README.md, Icinga Director, does not mention %s" % word)
        print("# the shipped CheckCommand's env: %s; Director 1.10 Commands have no env "
              "(icinga_command.env is commented out in its schema), so the basket cannot carry "
              "it: README.md, \"Icinga Director\", gives the alternatives" %
              (", ".join(names) or "none"), flush=True)
        return p
    suite.case("env: not rendered by the Director; README.md's Icinga Director section gives "
               "--pin-file and CHECK_PEXIP_TOKEN_PIN via env as the ways to keep the PIN off "
               "the command line", env)

    # ---- secrets ----------------------------------------------------------------------------
    def no_pin():
        p = []
        for rel, text in rendered.items():
            if PIN in text:
                p.append("PIN in rendered %s" % rel)
        if PIN in activity:
            p.append("PIN in the Director's activity log")
        for path in (director.weblog if director else "", db.log,
                     os.path.join(db.base, "console.log")):
            try:
                with open(path, errors="replace") as f:
                    if PIN in f.read():
                        p.append("PIN in %s" % os.path.basename(path))
            except OSError:
                pass
        where = [rel for rel, text in rendered.items() if pin_path in text]
        print("# the hidden field's value (the PIN file's path) is in: rendered %s%s" %
              (", ".join(where) or "nothing", "; the activity log" if pin_path in activity or
               pin_path.replace("/", "\\/") in activity
               else ""), flush=True)
        if where != ["zones.d/director-global/service_templates.conf"]:
            p.append("PIN file path rendered in %s" % where)
        return p
    suite.case("the PIN is in nothing the Director wrote (rendered config, activity log, Icinga "
               "Web log, database log); the hidden field's path only in the service template",
               no_pin)

    print("# %.1f s" % (time.monotonic() - started), flush=True)
    suite.finish()


if __name__ == "__main__":
    main()
