#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped Icinga 2 files, validated by the real `icinga2 daemon -C`.

- A fresh Icinga 2 configuration (a copy of /etc/icinga2 when it is readable, else a minimal
  one like it) with icinga-templates/pexip.conf, services.conf.example and hosts.conf.example
  dropped into conf.d, as the README tells a single-server user: validates, and `icinga2 object list`
  shows one service per node of the example hosts.
- The distributed layout: the templates in zones.d/global-templates, the example hosts and
  a host with vars.agent_endpoint in the master's zone: validates, and command_endpoint is set
  on that host's services only.
- Deliberately broken copies (an unknown check_command, a missing brace) fail validation.
- The CheckCommand as Icinga 2 sees it: an array command under PluginContribDir, every long
  option of `check_pexip_token --help` but --pin/--help/--version as an argument with the help
  text as its description, value options with value, switches with set_if, vars prefixed
  pexip_token_, -I from $check_address$, a timeout above the plugin's default -t.
- Every pexip_token_* name in README.md and the man page is one the templates use.

Nothing is written outside a temporary directory; no daemon is started. The configs include
<plugins-contrib>, so the test holds common.plugins_contrib_lock() (the package test installs
pexip.conf there). Exit 0 all passed,
1 a failure, 77 when icinga2 is not installed.
"""

import os
import re
import shutil
import subprocess

import common
from common import harness

NODE = "pexip-master"
EXAMPLE_SERVICES = {
    "meet.example.com!pexip-token-node1": "192.0.2.11",
    "meet.example.com!pexip-token-node2": "192.0.2.12",
    "meet.example.com!pexip-token-node3": "192.0.2.13",
    "node5.example.com!pexip-token-node5": None,
}
# The one --srv service per domain (host.vars.pexip_srv_domain), beside the per-node ones:
# the domain as -H, no address and no port (both come from the SRV records).
SRV_SERVICES = {
    "meet.example.com!pexip-token-srv": {"pexip_token_srv": True,
                                         "pexip_token_hostname": "example.com",
                                         "pexip_token_ip_address": "", "pexip_token_port": ""},
}
AGENT_HOST = """// Added by the test: a host whose probes run on an agent.
object Host "agent1.test" {
  check_command = "dummy"
  address = "127.0.0.1"
  vars.agent_endpoint = "agent1.test"
  vars.pexip_token_alias = "meet"
  vars.pexip_nodes["a"] = { }
  vars.pexip_nodes["b"] = "127.0.0.2"
}
"""
AGENT_ZONE = """
// Added by the test: the agent's endpoint and zone.
object Endpoint "agent1.test" { }
object Zone "agent1.test" { endpoints = [ "agent1.test" ]; parent = ZoneName }
"""
MINIMAL_ETC = {
    "icinga2.conf": 'include "constants.conf"\ninclude "zones.conf"\ninclude <itl>\n'
                    'include <plugins>\ninclude <plugins-contrib>\n'
                    'include_recursive "conf.d"\n',
    "constants.conf": 'const PluginDir = "/usr/lib/nagios/plugins"\n'
                      'const PluginContribDir = "/usr/lib/nagios/plugins"\n'
                      'const ZoneName = NodeName\n',
    "zones.conf": 'object Endpoint NodeName { host = NodeName }\n'
                  'object Zone ZoneName { endpoints = [ NodeName ] }\n'
                  'object Zone "global-templates" { global = true }\n',
}


class Icinga:
    def __init__(self, suite, account, exe, name):
        self.suite = suite
        self.account = account
        self.exe = exe
        self.base = os.path.join(suite.tmp, name)
        os.makedirs(self.base)
        os.chmod(self.base, 0o755)
        self.etc = os.path.join(self.base, "etc")
        self.dirs = None

    def make_etc(self):
        """A fresh configuration: /etc/icinga2 as the package installs it, or a minimal one.
        Returns where it came from."""
        src = "/etc/icinga2"
        try:
            shutil.copytree(src, self.etc, symlinks=True,
                            ignore=shutil.ignore_patterns("pki", "scripts"))
            origin = "a copy of " + src
        except (OSError, shutil.Error):
            shutil.rmtree(self.etc, ignore_errors=True)
            os.makedirs(os.path.join(self.etc, "conf.d"))
            for name, text in MINIMAL_ETC.items():
                with open(os.path.join(self.etc, name), "w") as f:
                    f.write(text)
            origin = "a minimal configuration (%s not readable)" % src
        os.makedirs(os.path.join(self.etc, "zones.d"), exist_ok=True)
        return origin

    def put(self, rel, src=None, text=None):
        path = os.path.join(self.etc, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if src:
            shutil.copyfile(src, path)
        else:
            with open(path, "a") as f:
                f.write(text)
        return path

    def defines(self):
        if self.dirs is None:
            self.dirs = self.account.mkdirs(self.base, "cache", "log", "run", "state")
            for root, dirnames, filenames in os.walk(self.etc):
                for n in dirnames + filenames:
                    p = os.path.join(root, n)
                    if not os.path.islink(p):
                        self.account.give(p)
            self.account.give(self.etc)
        d = self.dirs
        return ["-DNodeName=" + NODE] + ["-DConfiguration.%s=%s" % kv for kv in (
            ("RunAsUser", self.account.user), ("RunAsGroup", self.account.group),
            ("CacheDir", d["cache"]), ("LogDir", d["log"]), ("InitRunDir", d["run"]),
            ("StatePath", os.path.join(d["state"], "icinga2.state")),
            ("ModAttrPath", os.path.join(d["state"], "modified-attributes.conf")),
            ("DataDir", d["state"]), ("ZonesDir", os.path.join(self.etc, "zones.d")))]

    def validate(self):
        res = subprocess.run([self.exe, "daemon", "-C", "-c",
                              os.path.join(self.etc, "icinga2.conf")] + self.defines(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=60, env=self.suite.base_env())
        return res.returncode, res.stdout.decode("utf-8", "replace")

    def objects(self, otype):
        res = subprocess.run([self.exe, "object", "list", "--type", otype] + self.defines(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=60, env=self.suite.base_env())
        return common.parse_object_list(res.stdout.decode("utf-8", "replace"))


def tail(text, n=8):
    return " / ".join(text.strip().splitlines()[-n:])


def pexip_services(services):
    return {k: v for k, v in services.items() if v.get("check_command") == "pexip-token"}


def main():
    progs = common.skip_unless(["icinga2"], "icinga2-bin")
    # The lock first, with its own bound and message: the watchdog times the test, not the
    # wait for the package test (which holds the lock across a whole install and purge).
    lock = common.plugins_contrib_lock()  # noqa: F841  (held until exit)
    suite = harness.Suite("icinga2-config", watchdog=120)
    account = common.Account()
    common.open_up(suite, certs=False)

    # ---- single server: everything in conf.d ----------------------------------------------
    single = Icinga(suite, account, progs["icinga2"], "single")
    origin = single.make_etc()
    single.put("conf.d/pexip.conf", src=common.CONF)
    single.put("conf.d/pexip-services.conf", src=common.SERVICES_EXAMPLE)
    single.put("conf.d/pexip-hosts.conf", src=common.HOSTS_EXAMPLE)
    rc, out = single.validate()
    ok = rc == 0 and "Finished validating the configuration" in out
    suite.check("icinga2 daemon -C: %s with pexip.conf, services.conf.example and "
                "hosts.conf.example in conf.d validates" % origin, [] if ok else ["exit %d: %s" % (rc, tail(out))])
    if ok:
        services = pexip_services(single.objects("Service"))

        def example_services():
            p = []
            if sorted(services) != sorted(list(EXAMPLE_SERVICES) + list(SRV_SERVICES)):
                return ["services %s, expected %s" % (
                    sorted(services), sorted(list(EXAMPLE_SERVICES) + list(SRV_SERVICES)))]
            for name, want in SRV_SERVICES.items():
                got = {k: services[name].get("vars", {}).get(k) for k in want}
                if got != want:
                    p.append("%s: vars %s, expected %s" % (name, got, want))
                if services[name].get("command_endpoint"):
                    p.append("%s has command_endpoint %r" % (name,
                                                            services[name]["command_endpoint"]))
            for name, addr in EXAMPLE_SERVICES.items():
                s = services[name]
                got = s.get("vars", {}).get("pexip_token_ip_address")
                if got != addr:
                    p.append("%s: pexip_token_ip_address %r, expected %r" % (name, got, addr))
                node = name.split("pexip-token-")[1]
                if s.get("display_name") != "Pexip token " + node:
                    p.append("%s: display_name %r" % (name, s.get("display_name")))
                if "pexip-token-service" not in s.get("templates", []):
                    p.append("%s does not import pexip-token-service" % name)
                if (s.get("check_interval"), s.get("retry_interval"),
                        s.get("max_check_attempts")) != (60, 30, 3):
                    p.append("%s: interval/retry/attempts %s/%s/%s" % (
                        name, s.get("check_interval"), s.get("retry_interval"),
                        s.get("max_check_attempts")))
                if s.get("command_endpoint"):
                    p.append("%s has command_endpoint %r" % (name, s["command_endpoint"]))
            return p
        suite.case("one service per node of the example hosts (node3 given as a bare address), "
                   "1m interval, 30s retry, 3 attempts, no command_endpoint; one --srv service "
                   "for the domain", example_services)

        commands = single.objects("CheckCommand")
        check_command(suite, commands.get("pexip-token"), suite.exe)

    # ---- distributed: templates in the global zone, hosts in the master's zone ---------------
    dist = Icinga(suite, account, progs["icinga2"], "distributed")
    dist.make_etc()
    zones = open(os.path.join(dist.etc, "zones.conf")).read()
    if not re.search(r'object Zone "global-templates"', zones):
        dist.put("zones.conf", text='\nobject Zone "global-templates" { global = true }\n')
    dist.put("zones.conf", text=AGENT_ZONE)
    dist.put("zones.d/global-templates/pexip.conf", src=common.CONF)
    dist.put("zones.d/global-templates/pexip-services.conf", src=common.SERVICES_EXAMPLE)
    dist.put("zones.d/%s/pexip-hosts.conf" % NODE, src=common.HOSTS_EXAMPLE)
    dist.put("zones.d/%s/agent.conf" % NODE, text=AGENT_HOST)
    rc, out = dist.validate()
    ok = rc == 0 and "Finished validating the configuration" in out
    suite.check("icinga2 daemon -C: templates in zones.d/global-templates, hosts in "
                "zones.d/%s validate" % NODE, [] if ok else ["exit %d: %s" % (rc, tail(out))])
    if ok:
        services = pexip_services(dist.objects("Service"))

        def endpoints():
            p = []
            want = dict.fromkeys(list(EXAMPLE_SERVICES) + list(SRV_SERVICES), "")
            want.update({"agent1.test!pexip-token-a": "agent1.test",
                         "agent1.test!pexip-token-b": "agent1.test"})
            got = {k: v.get("command_endpoint") for k, v in services.items()}
            if got != want:
                p.append("command_endpoint %s, expected %s" % (got, want))
            bad = {k: v.get("zone") for k, v in services.items() if v.get("zone") != NODE}
            if bad:
                p.append("services outside zone %s: %s" % (NODE, bad))
            return p
        suite.case("command_endpoint = host.vars.agent_endpoint on the agent host's services "
                   "only", endpoints)
        cmd = dist.objects("CheckCommand").get("pexip-token", {})
        suite.check("the CheckCommand lives in the global-templates zone",
                    [] if cmd.get("zone") == "global-templates" else
                    ["zone %r" % cmd.get("zone")])

    # ---- broken copies must fail -------------------------------------------------------------
    conf_text = open(common.CONF).read()
    services_text = open(common.SERVICES_EXAMPLE).read()
    broken = {
        "an unknown check_command": (
            "services", services_text.replace('check_command = "pexip-token"',
                                              'check_command = "pexip-tokn"', 1)),
        "a missing closing brace": ("command", conf_text.replace("\n}\n", "\n\n", 1)),
    }
    for what, (which, text) in broken.items():
        if text == (services_text if which == "services" else conf_text):
            suite.fail("broken copy with %s" % what, "the test could not break the file")
            continue
        b = Icinga(suite, account, progs["icinga2"], "broken-%d" % len(what))
        b.make_etc()
        if which == "services":
            b.put("conf.d/pexip.conf", src=common.CONF)
            path = b.put("conf.d/pexip-services.conf", text=text)
        else:
            path = b.put("conf.d/pexip.conf", text=text)
            b.put("conf.d/pexip-services.conf", src=common.SERVICES_EXAMPLE)
        b.put("conf.d/pexip-hosts.conf", src=common.HOSTS_EXAMPLE)
        rc, out = b.validate()
        p = []
        if rc != 1:
            p.append("exit %d, expected 1" % rc)
        if "Config validation failed" not in out and "critical/config" not in out:
            p.append("no validation error reported: %s" % tail(out))
        if path not in out:
            p.append("the error does not name the broken file")
        suite.check("a broken copy with %s fails validation (exit 1)" % what, p)

    # ---- the docs' examples are valid configuration --------------------------------------------
    blocks = []
    with open(os.path.join(common.TOP_SRCDIR, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    blocks += [("README.md", b) for b in re.findall(r"^```\n(object Host .*?)^```$", readme,
                                                    re.M | re.S)]
    with open(os.path.join(common.TOP_SRCDIR, "man", "check_pexip_token.1"),
              encoding="utf-8") as f:
        man = f.read()
    blocks += [("man page", b.replace("\\-", "-"))
               for b in re.findall(r"^\.EX\n(object Host .*?)^\.EE$", man, re.M | re.S)]
    for n, (doc, block) in enumerate(blocks):
        v = Icinga(suite, account, progs["icinga2"], "doc-%d" % n)
        v.make_etc()
        v.put("conf.d/pexip.conf", src=common.CONF)
        v.put("conf.d/pexip-services.conf", src=common.SERVICES_EXAMPLE)
        v.put("conf.d/doc-example.conf", text=block)
        rc, out = v.validate()
        name = re.match(r'object Host "([^"]+)"', block).group(1)
        nodes = re.findall(r'pexip_nodes\["([^"]+)"\]', block)
        p = [] if rc == 0 else ["exit %d: %s" % (rc, tail(out))]
        if not p:
            got = sorted(pexip_services(v.objects("Service")))
            want = sorted("%s!pexip-token-%s" % (name, x) for x in nodes)
            if got != want or not want:
                p.append("services %s, expected %s" % (got, want))
        suite.check("the Icinga 2 example %d of the %s validates and gives one service per "
                    "node (%s)" % (n + 1, doc, ", ".join(nodes)), p)
    if not blocks:
        suite.fail("the docs have Icinga 2 examples", "no `object Host` block found")

    # ---- the names the docs use ----------------------------------------------------------------
    def doc_names():
        used = set(re.findall(r"\$(pexip_token_[a-z0-9_]+)\$", conf_text + services_text))
        used |= set(re.findall(r"vars\.(pexip_token_[a-z0-9_]+)", conf_text + services_text))
        used |= {"pexip_nodes"}
        p = []
        for doc in ("README.md", os.path.join("man", "check_pexip_token.1")):
            with open(os.path.join(common.TOP_SRCDIR, doc), encoding="utf-8") as f:
                text = f.read().replace("\\-", "-").replace("\\_", "_")
            names = set(re.findall(r"\b(pexip_token_[a-z0-9_]+|pexip_nodes)\b", text))
            if not names:
                p.append("%s shows no Icinga 2 variable" % doc)
            unknown = sorted(names - used)
            if unknown:
                p.append("%s names variables the templates do not have: %s" % (doc, unknown))
        return p
    suite.case("README.md and the man page use only the templates' variable names", doc_names)

    suite.finish()


def check_command(suite, cmd, exe):
    """The pexip-token CheckCommand as `icinga2 object list` shows it, against --help."""
    if not cmd:
        suite.fail("the CheckCommand pexip-token exists", "not in icinga2 object list")
        return
    opts, help_text = common.help_options(exe)
    args = cmd.get("arguments", {})
    vars_ = cmd.get("vars", {})

    suite.check("command is an array [ PluginContribDir + \"/check_pexip_token\" ] and imports "
                "ipv4-or-ipv6",
                [] if cmd.get("command") == ["/usr/lib/nagios/plugins/check_pexip_token"] and
                "ipv4-or-ipv6" in cmd.get("templates", []) else
                ["command %r templates %r" % (cmd.get("command"), cmd.get("templates"))])

    def options():
        p = []
        if len(opts) < 20:
            return ["only %d options parsed from --help" % len(opts)]
        want = {o for o in opts if o not in ("help", "version", "pin")}
        have = {a[2:] for a in args if a.startswith("--")}
        if want - have:
            p.append("options without an argument: %s" % sorted(want - have))
        if have - set(opts):
            p.append("arguments the plugin does not know: %s" % sorted(have - set(opts)))
        if "pin" in have or [a for a in args if not a.startswith("--")]:
            p.append("--pin or a short option is mapped: %s" % sorted(args))
        for o in sorted(want & have):
            a = args["--" + o]
            takes_value, desc = opts[o]
            if o == "verbose":
                # A count: pexip_token_verbose 0-3 gives nothing, -v, -vv or -vvv (a function
                # as the value, the key skipped; icinga2_daemon_test.py runs "2" as -vv).
                level = "Verbosity 0 to 3 (true is 1): "
                if a.get("description") != level + desc:
                    p.append("--verbose description %r, expected %r" % (
                        a.get("description"), level + desc))
                if (a.get("set_if") != "$pexip_token_verbose$" or a.get("skip_key") is not True
                        or (a.get("value") or {}).get("type") != "Function"):
                    p.append("--verbose is a count: set_if %r, skip_key %r, value %r" % (
                        a.get("set_if"), a.get("skip_key"), a.get("value")))
                continue
            if a.get("description") != desc:
                p.append("--%s description %r, --help says %r" % (o, a.get("description"), desc))
            var = "$pexip_token_%s$" % o.replace("-", "_")
            if takes_value and a.get("value") != var:
                p.append("--%s value %r, expected %r" % (o, a.get("value"), var))
            if not takes_value and (a.get("set_if") != var or "value" in a):
                p.append("--%s is a switch: set_if %r, value %r" % (o, a.get("set_if"),
                                                                    a.get("value")))
        for o in ("hostname", "alias"):
            if args.get("--" + o, {}).get("required") is not True:
                p.append("--%s is not required" % o)
        return p
    suite.case("every long option of --help but --pin/--help/--version is an argument with "
               "its --help text, value pexip_token_<option>, switches via set_if, -H and -a "
               "required", options)

    def defaults():
        p = []
        bad = [k for k in vars_ if not k.startswith("pexip_token_") and
               k not in ("check_address", "check_ipv4", "check_ipv6")]
        if bad:
            p.append("vars not prefixed pexip_token_: %s" % bad)
        if vars_.get("pexip_token_ip_address") != "$check_address$":
            p.append("pexip_token_ip_address defaults to %r" % vars_.get("pexip_token_ip_address"))
        if vars_.get("pexip_token_hostname") != "$host.name$":
            p.append("pexip_token_hostname defaults to %r" % vars_.get("pexip_token_hostname"))
        if (vars_.get("check_ipv4"), vars_.get("check_ipv6")) != ("$pexip_token_use_ipv4$",
                                                                  "$pexip_token_use_ipv6$"):
            p.append("check_ipv4/6 not tied to -4/-6")
        if "pin" in " ".join(str(v) for k, v in vars_.items() if k != "pexip_token_pin_file"):
            p.append("a PIN default in vars")
        return p
    suite.case("vars: prefixed pexip_token_, -I defaults to $check_address$, -H to $host.name$, "
               "check_ipv4/6 follow -4/-6, no PIN anywhere", defaults)

    def pin_only_in_env():
        p = []
        env = cmd.get("env")
        if env != {"CHECK_PEXIP_TOKEN_PIN": "$pexip_token_pin$"}:
            p.append("env is %r, expected only CHECK_PEXIP_TOKEN_PIN = $pexip_token_pin$" % env)
        if "$pexip_token_pin$" in repr(args):
            p.append("$pexip_token_pin$ reaches the arguments")
        if vars_.get("pexip_token_pin") != "":
            p.append("pexip_token_pin defaults to %r, expected \"\" (no PIN, no macro "
                     "warning)" % vars_.get("pexip_token_pin"))
        return p
    suite.case("v2: pexip_token_pin goes only into env (CHECK_PEXIP_TOKEN_PIN), never into "
               "arguments, default empty", pin_only_in_env)

    m = re.search(r"\(default ([0-9]+), below check_nrpe", help_text)
    plugin_t = int(m.group(1)) if m else None
    t = cmd.get("timeout")
    suite.check("command timeout %s s is above the plugin's default -t %s s" % (t, plugin_t),
                [] if plugin_t and isinstance(t, (int, float)) and t > plugin_t + 5 else
                ["timeout %r, plugin default %r" % (t, plugin_t)])


if __name__ == "__main__":
    main()
