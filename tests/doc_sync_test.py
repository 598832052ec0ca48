#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keeps --help, the man page and README.md in step with each other and with the contract.

Environment (set by the test harness, see tests/Makefile.inc):
  CHECK_PEXIP_TOKEN  the built plugin
  TOP_SRCDIR         the source tree (default: the parent of this file's directory)
  GROFF              groff; empty or "no" makes the man page lint a skip (harness.skip_line:
                     a failure under CHECK_REQUIRE_ALL=1)

Prints "ok - ..." / "not ok - ..." / "skip - ..." lines, then "N passed, M failed, K skipped";
exits 0 when nothing failed, 1 otherwise. Uses the Python 3 standard library only.
"""

import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional"))
import harness  # noqa: E402  (skip_line, summary_line only)

# The long options of the user contract (cli-contract.md, "Options"), with their short forms.
# The contract lives outside the source tree, so its option list is kept here as data.
CONTRACT_OPTIONS = [
    ("hostname", "H"),
    ("ip-address", "I"),
    ("port", "p"),
    ("use-ipv4", "4"),
    ("use-ipv6", "6"),
    ("alias", "a"),
    ("display-name", None),
    ("call-tag", None),
    ("pin", None),
    ("pin-file", None),
    ("guest", None),
    ("no-release", None),
    ("challenge-result", None),
    ("expect-service-type", None),
    ("maintenance-result", None),
    ("insecure", "k"),
    ("ca-file", None),
    ("certificate", "C"),
    ("client-cert", None),
    ("client-key", None),
    ("warning", "w"),
    ("critical", "c"),
    ("timeout", "t"),
    ("timeout-result", None),
    ("verbose", "v"),
    ("help", "h"),
    ("version", "V"),
    ("extra-opts", None),
    ("min-version", None),
    ("events", None),
    ("events-wait", None),
    ("srv", None),
]

# Perfdata labels of the contract; both documents must describe each.
CONTRACT_PERFDATA = [
    "time", "time_dns", "time_connect", "time_tls", "time_server", "time_transfer",
    "time_release", "time_events", "cert_days", "nodes", "nodes_ok",
]

# The event stream's outcomes (--events): every document that lists states names each phrase.
EVENTS_PHRASES = ["node ended the session", "event stream silent", "event stream closed",
                  "event stream refused"]

# The two commands README.md must give, verbatim.
README_COMMANDS = [
    "sh .ci/install-deps --build && ./autogen.sh && "
    "./configure --with-plugindir=/usr/lib/nagios/plugins && make -j2 && make demo",
    ".ci/run",
]

# Building and installing the Debian package (README.md, verbatim, each on a line of its own).
PACKAGE_COMMANDS = [
    "sh .ci/install-deps --package",
    "make deb",
    "apt install ./check-pexip-token_*.deb",
]

# The contract's internal marks, never in user-facing text (the API path /api/client/v2/ is
# not one).
VERSION_MARK = re.compile(r"(?<![A-Za-z0-9/_.-])v[23](?![A-Za-z0-9/_.-])")

# One option line of --help: " -H, --hostname=HOST" or " --guest".
HELP_OPTION_LINE = re.compile(r"^ (?:-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)(=\S+)?$", re.M)

# Where the package puts the Icinga 2 and Nagios files; both documents must say so.
INSTALLED_PATHS = [
    "/usr/share/icinga2/include/plugins-contrib.d/pexip.conf",
    "/etc/nagios-plugins/config/pexip_token.cfg",
]

# The NRPE example both documents must give, verbatim (one line in nrpe.cfg).
NRPE_LINE = ("command[check_pexip_meet]=/usr/lib/nagios/plugins/check_pexip_token "
             "-H node1.example.com -a meet --pin-file /etc/nagios/pexip.pin -w 1 -c 2")

MAN_SECTIONS = [
    "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "THRESHOLDS", "OUTPUT", "EXIT STATUS",
    "FILES", "ENVIRONMENT", "EXAMPLES", "SEE ALSO",
]

LONG_OPTION = re.compile(r"--[a-z0-9][a-z0-9-]*")

passed = 0
failed = 0
skipped = 0


def report(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what)
        for line in detail.splitlines():
            print("#   " + line)


def skip(what, why):
    global failed, skipped
    line, failure = harness.skip_line(what, why)
    print(line)
    if failure:
        failed += 1
    else:
        skipped += 1


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def roff_plain(text):
    """The man page source with the roff escapes that matter for option names undone."""
    text = text.replace("\\-", "-")
    text = text.replace("\\(rs", "\\").replace("\\e", "\\")
    text = text.replace("\\(aq", "'")
    for escape in ("\\%", "\\&", "\\:", "\\c"):
        text = text.replace(escape, "")
    return re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)


def has_option(text, name):
    """True when --name appears in text as a whole option name (--pin is not --pin-file)."""
    return re.search(r"(?<![A-Za-z0-9-])--" + re.escape(name) + r"(?![A-Za-z0-9-])",
                     text) is not None


def has_short(text, letter):
    return re.search(r"(?<![A-Za-z0-9-])-" + re.escape(letter) + r"(?![A-Za-z0-9-])",
                     text) is not None


def has_word(text, word):
    return re.search(r"(?<![A-Za-z0-9_])" + re.escape(word) + r"(?![A-Za-z0-9_])",
                     text) is not None


def man_section(plain, name):
    """The text of one .SH section of the man page."""
    match = re.search(r'^\.SH "?' + re.escape(name) + r'"?\s*$(.*?)(?=^\.SH |\Z)', plain,
                      re.M | re.S)
    return match.group(1) if match else ""


def run_help(plugin):
    env = dict(os.environ, LC_ALL="C")
    return subprocess.run([plugin, "--help"], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=20)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top_srcdir = os.environ.get("TOP_SRCDIR") or os.path.dirname(here)
    man_path = os.path.join(top_srcdir, "man", "check_pexip_token.1")
    readme_path = os.path.join(top_srcdir, "README.md")
    plugin = os.environ.get("CHECK_PEXIP_TOKEN", "")
    groff = os.environ.get("GROFF", "")

    try:
        man_source = read(man_path)
        readme = read(readme_path)
    except OSError as err:
        report(False, "man page and README.md are readable", str(err))
        return
    man = roff_plain(man_source)

    # The contract's options, perfdata and commands are in both documents.
    for doc_name, doc in (("man page", man), ("README.md", readme)):
        missing = ["--" + name for name, _ in CONTRACT_OPTIONS if not has_option(doc, name)]
        missing += ["-" + short for _, short in CONTRACT_OPTIONS
                    if short and not has_short(doc, short)]
        report(not missing, "%s documents every option of the contract" % doc_name,
               "missing: " + " ".join(missing))
        missing = [label for label in CONTRACT_PERFDATA if not has_word(doc, label)]
        report(not missing, "%s documents every perfdata label" % doc_name,
               "missing: " + " ".join(missing))
        report(NRPE_LINE in doc, "%s gives the NRPE command line verbatim" % doc_name,
               "expected: " + NRPE_LINE)

    for command in README_COMMANDS:
        report(re.search(r"^" + re.escape(command) + r"$", readme, re.M) is not None,
               "README.md gives the command on a line of its own: " + command)
    report("HACKING.md" in readme, "README.md links HACKING.md")

    # The package: its commands, the files it installs, and the shipped templates named.
    for command in PACKAGE_COMMANDS:
        report(re.search(r"^" + re.escape(command) + r"$", readme, re.M) is not None,
               "README.md gives the package command on a line of its own: " + command)
    for doc_name, doc in (("man page", man), ("README.md", readme)):
        missing = [path for path in INSTALLED_PATHS if path not in doc]
        report(not missing, "%s names the installed integration files" % doc_name,
               "missing: " + " ".join(missing))
    templates = os.path.join(top_srcdir, "icinga-templates")
    named = set(re.findall(r"`([a-z_-]+\.(?:conf|cfg)(?:\.example)?)`", readme))
    stale = sorted(n for n in named if n.endswith((".example", "pexip.conf", "pexip_token.cfg"))
                   and not os.path.isfile(os.path.join(templates, n)))
    report(not stale, "every icinga-templates/ file README.md names exists", "stale: %s" % stale)
    try:
        commands = set(re.findall(r"^\s*command_name\s+(\S+)", read(
            os.path.join(templates, "pexip_token.cfg")), re.M))
    except OSError as err:
        commands = set()
        report(False, "icinga-templates/pexip_token.cfg is readable", str(err))
    for doc_name, doc in (("man page", man), ("README.md", readme)):
        missing = sorted(c for c in commands if not has_word(doc, c))
        report(bool(commands) and not missing,
               "%s documents every Nagios command of pexip_token.cfg" % doc_name,
               "missing: %s" % missing)

    missing = [name for name in MAN_SECTIONS
               if not re.search(r'^\.SH "?' + re.escape(name) + r'"?\s*$', man_source, re.M)]
    report(not missing, "man page has the sections " + ", ".join(MAN_SECTIONS),
           "missing: " + ", ".join(missing))

    # The man page lints clean.
    if groff in ("", "no"):
        skip("groff -man -ww -z reports nothing on the man page", "GROFF not set")
    else:
        try:
            lint = subprocess.run([groff, "-man", "-ww", "-z", man_path],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=60)
            output = lint.stdout.decode("utf-8", "replace")
            report(lint.returncode == 0 and output == "",
                   "groff -man -ww -z reports nothing on the man page",
                   "exit %d\n%s" % (lint.returncode, output))
        except (OSError, subprocess.TimeoutExpired) as err:
            report(False, "groff -man -ww -z reports nothing on the man page", str(err))

    # --help against the documents and the contract.
    if not plugin:
        report(False, "CHECK_PEXIP_TOKEN names the plugin", "CHECK_PEXIP_TOKEN is not set")
        return
    try:
        result = run_help(plugin)
    except (OSError, subprocess.TimeoutExpired) as err:
        report(False, "check_pexip_token --help runs", str(err))
        return
    help_text = result.stdout.decode("utf-8", "replace")
    stderr = result.stderr.decode("utf-8", "replace")
    report(result.returncode == 3, "--help exits 3", "exit %d" % result.returncode)
    report(stderr == "", "--help writes nothing to stderr", stderr)
    report(help_text.strip() != "", "--help prints the help on stdout")

    wide = [line for line in help_text.splitlines() if len(line.expandtabs(8)) > 80]
    report(not wide, "--help lines are at most 80 columns",
           "\n".join("%d: %s" % (len(line.expandtabs(8)), line) for line in wide))

    help_options = sorted(set(m[2:] for m in LONG_OPTION.findall(help_text)))
    report(bool(help_options), "--help lists long options")
    for doc_name, doc in (("man page", man), ("README.md", readme)):
        missing = ["--" + name for name in help_options if not has_option(doc, name)]
        report(not missing, "every long option of --help is in the %s" % doc_name,
               "missing: " + " ".join(missing))

    missing = ["--" + name for name, _ in CONTRACT_OPTIONS if not has_option(help_text, name)]
    report(not missing, "--help lists every long option of the contract",
           "missing: " + " ".join(missing))
    missing = ["-" + short for _, short in CONTRACT_OPTIONS
               if short and not has_short(help_text, short)]
    report(not missing, "--help lists every short option of the contract",
           "missing: " + " ".join(missing))

    check_v2_surfaces(top_srcdir, help_text, man, readme)
    check_option_drift(top_srcdir, help_text, man, readme)
    check_no_version_marks(top_srcdir, help_text, man_source, readme)
    check_events_surfaces(top_srcdir, help_text, man_source, man, readme)

    # The man page's OPTIONS section documents no option the plugin does not have.
    stale = sorted(set(m[2:] for m in LONG_OPTION.findall(man_section(man, "OPTIONS")))
                   - set(help_options))
    report(not stale, "every long option in the man page's OPTIONS is in --help",
           "not in --help: " + " ".join("--" + name for name in stale))


def check_option_drift(top_srcdir, help_text, man, readme):
    """Every option of --help's option list appears the same on every surface: in its usage
    lines, the man page's SYNOPSIS and OPTIONS (short and long form together), README.md's
    options table (the same "-x, --name=ARG" as --help) and its CheckCommand variable list."""
    lines = HELP_OPTION_LINE.findall(help_text.split("\nEnvironment:")[0])
    report(len(lines) >= 29, "--help has one option line per option (%d)" % len(lines))
    usage = help_text.split("Usage:", 1)[-1].split("Try '", 1)[0]
    synopsis = man_section(man, "SYNOPSIS")
    man_options = man_section(man, "OPTIONS")
    table = "\n".join(l for l in readme.splitlines() if l.startswith("| `-"))

    def forms(short, name):
        return ([lambda t: has_short(t, short)] if short else []) + [
            lambda t: has_option(t, name)]

    for where, text, skip in (("--help usage", usage, ("help", "version")),
                              ("man page SYNOPSIS", synopsis, ())):
        missing = [name for short, name, _ in lines if name not in skip and
                   not any(f(text) for f in forms(short, name))]
        report(not missing, "every option of --help is in the %s" % where,
               "missing: " + " ".join("--" + n for n in missing))
    unpaired = [name for short, name, _ in lines if not re.search(
        (r"(?<![A-Za-z0-9-])-%s\b[^\n]*--%s\b" % (re.escape(short), re.escape(name)))
        if short else r"(?<![A-Za-z0-9-])--%s\b" % re.escape(name), man_options)]
    report(not unpaired, "the man page's OPTIONS give every option of --help with its short "
           "form on one line", "missing or unpaired: " + " ".join("--" + n for n in unpaired))
    differ = []
    for short, name, arg in lines:
        want = ("-%s, " % short if short else "") + "--" + name + arg
        if not re.search(r"^\| `%s`" % re.escape(want), table, re.M | re.I):
            differ.append(want)
    report(not differ, "README.md's options table gives every option as --help does "
           "(\"-x, --name=ARG\")", "missing or different: " + ", ".join(differ))
    missing = ["pexip_token_" + name.replace("-", "_") for _, name, _ in lines
               if name not in ("pin", "help", "version") and
               not has_word(readme, "pexip_token_" + name.replace("-", "_"))]
    report(not missing, "README.md names the CheckCommand variable of every option",
           "missing: " + " ".join(missing))


def check_no_version_marks(top_srcdir, help_text, man_source, readme):
    """No contract marks such as "(v2)" or "v2:" in user-facing text."""
    surfaces = [("README.md", readme), ("man page", man_source), ("--help", help_text)]
    templates = os.path.join(top_srcdir, "icinga-templates")
    for name in sorted(os.listdir(templates)):
        path = os.path.join(templates, name)
        if os.path.isfile(path):
            surfaces.append(("icinga-templates/" + name, read(path)))
    found = []
    for where, text in surfaces:
        for n, line in enumerate(text.splitlines(), 1):
            if VERSION_MARK.search(line.replace("\\-", "-")):
                found.append("%s:%d: %s" % (where, n, line.strip()[:100]))
    report(not found, "no contract marks (v2, v3) in README.md, the man page, --help or "
           "icinga-templates/", "\n".join(found))


def director_basket(top_srcdir, plugin, readme):
    """icinga-templates/director-basket.json: what make-director-basket.py writes from the
    shipped CheckCommand, and its pexip-token arguments in step with the CheckCommand and
    --help."""
    import importlib.util
    import json
    sys.path.insert(0, os.path.join(top_srcdir, "tests", "icinga"))
    import common  # tests/icinga/common.py: where the Icinga files are
    spec = importlib.util.spec_from_file_location("make_director_basket",
                                                  common.DIRECTOR_GENERATOR)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    try:
        committed = read(common.DIRECTOR_BASKET)
        fresh, skipped_env = gen.render([common.CHECKCOMMAND_CONF, common.SERVICES_CONF])
    except (OSError, gen.ParseError) as err:
        report(False, "the Director basket and its generator are readable", str(err))
        return
    report(committed == fresh,
           "director-basket.json is what make-director-basket.py writes from %s (rerun: "
           "python3 icinga-templates/make-director-basket.py %s %s > "
           "icinga-templates/director-basket.json)" % (
               os.path.basename(common.CHECKCOMMAND_CONF),
               os.path.relpath(common.CHECKCOMMAND_CONF, top_srcdir),
               os.path.relpath(common.SERVICES_CONF, top_srcdir)),
           "the committed basket differs from the generator's output")
    if skipped_env:
        print("# the CheckCommand's env (%s) is not in the basket: Director 1.10 Commands "
              "have no env (README.md, Icinga Director)" % ", ".join(skipped_env))

    basket = json.loads(committed)
    args = basket.get("Command", {}).get("pexip-token", {}).get("arguments", {})
    cmd = gen.load_command(common.CHECKCOMMAND_CONF)
    shipped = {name: {k: gen.plain(v) for k, v in a.items()} for name, a in cmd["arguments"]}
    missing = sorted(set(shipped) - set(args))
    extra = sorted(set(args) - set(shipped))
    def value(arg):  # a {{ }} value is exported as {"type": "Function", "body": ...}
        v = arg.get("value")
        return v.get("body") if isinstance(v, dict) and v.get("type") == "Function" else v
    wrong = sorted(n for n in set(args) & set(shipped)
                   if args[n].get("description") != shipped[n].get("description") or
                   value(args[n]) != shipped[n].get("value") or
                   args[n].get("set_if") != shipped[n].get("set_if") or
                   bool(args[n].get("required")) != bool(shipped[n].get("required")))
    report(not missing and not extra and not wrong and len(args) >= 20,
           "the basket's pexip-token has the CheckCommand's %d arguments (value, set_if, "
           "required, description)" % len(shipped),
           "missing: %s; not in the CheckCommand: %s; different: %s" % (missing, extra, wrong))

    fields = {d.get("varname"): d for d in basket.get("Datafield", {}).values()}
    hidden = sorted(v for v, d in fields.items()
                    if (d.get("settings") or {}).get("visibility") == "hidden")
    report("pexip_token_pin_file" in hidden, "the basket hides the PIN file field",
           "hidden fields: %s" % hidden)

    if plugin:
        help_text = run_help(plugin).stdout.decode("utf-8", "replace")
        help_options = set(m[2:] for m in LONG_OPTION.findall(help_text))
        want = {"--" + o for o in help_options} - {"--help", "--version", "--pin"}
        report(want <= set(args), "every long option of --help but --help/--version/--pin is "
               "an argument in the Director basket",
               "missing: " + " ".join(sorted(want - set(args))))
        stale = sorted(a for a in args if a[2:] not in help_options)
        report(not stale, "every argument in the Director basket is an option of --help",
               "not in --help: " + " ".join(stale))
    report("director-basket.json" in readme and "basket restore" in readme,
           "README.md tells how to restore the Director basket")


def check_v2_surfaces(top_srcdir, help_text, man, readme):
    """v2: --min-version and CHECK_PEXIP_TOKEN_PIN on every surface, and the CheckCommand
    maps every option of --help (but --pin/--help/--version) and the PIN only through env."""
    confs = {}
    templates = os.path.join(top_srcdir, "icinga-templates")
    for name in sorted(os.listdir(templates)):
        if name.endswith(".conf"):
            text = read(os.path.join(templates, name))
            if re.search(r'object CheckCommand "pexip-token"', text):
                confs[name] = text
    report(len(confs) == 1, "one icinga-templates/*.conf defines the CheckCommand pexip-token",
           "found in: %s" % sorted(confs))
    if not confs:
        return
    conf = next(iter(confs.values()))
    help_options = sorted(set(m[2:] for m in LONG_OPTION.findall(
        help_text.split("\nEnvironment:")[0])))
    missing = [o for o in help_options if o not in ("pin", "help", "version") and
               not re.search(r'"--%s" = \{[^}]*\$pexip_token_%s\$' % (
                   re.escape(o), o.replace("-", "_")), conf)]
    report(not missing, "the CheckCommand maps every option of --help to $pexip_token_<option>$",
           "missing: " + " ".join("--" + o for o in missing))
    report(re.search(r'env = \{\s*CHECK_PEXIP_TOKEN_PIN = "\$pexip_token_pin\$"\s*\}', conf)
           is not None and conf.count("$pexip_token_pin$") == 1 and '"--pin"' not in conf,
           "the CheckCommand passes pexip_token_pin only through env as CHECK_PEXIP_TOKEN_PIN")
    for doc_name, doc in (("--help", help_text), ("man page ENVIRONMENT",
                                                   man_section(man, "ENVIRONMENT")),
                          ("README.md", readme)):
        report("CHECK_PEXIP_TOKEN_PIN" in doc, "%s documents CHECK_PEXIP_TOKEN_PIN" % doc_name)
    for var in ("pexip_token_min_version", "pexip_token_pin"):
        report(re.search(r"\b%s\b" % var, readme) is not None,
               "README.md names the CheckCommand variable %s" % var)
    report(re.search(r"/proc/\S*environ", readme) is not None and
           re.search(r"process list", readme) is not None,
           "README.md says what the PIN in the environment protects against and what not")


def check_events_surfaces(top_srcdir, help_text, man_source, man, readme):
    """--events and --events-wait: usage lines, SYNOPSIS, the state phrases, the CheckCommand's
    set_if, the Nagios command file and the NRPE example."""
    for opt in ("--events", "--events-wait"):
        report(re.search(r"\[%s[]=]" % re.escape(opt), help_text) is not None,
               "the usage of --help shows [%s...]" % opt)
        report(re.search(r"\[ %s( \]|\s*=)" % re.escape(opt), man_section(man, "SYNOPSIS"))
               is not None, "the man page's SYNOPSIS shows [%s...]" % opt)
    for doc_name, doc in (("man page", man), ("README.md", readme)):
        missing = [x for x in EVENTS_PHRASES if x not in doc]
        report(not missing, "%s names every event stream outcome" % doc_name,
               "missing: %s" % missing)
    report(re.search(r"reverse proxy", readme) is not None and
           re.search(r"web app", readme, re.I) is not None,
           "README.md says why --events: a reverse proxy, the web app")
    templates = os.path.join(top_srcdir, "icinga-templates")
    conf = read(os.path.join(templates, "pexip.conf"))
    report(re.search(r'"--events" = \{[^}]*set_if = "\$pexip_token_events\$"', conf)
           is not None, "the CheckCommand sets --events with set_if $pexip_token_events$")
    report(re.search(r'"--events-wait" = \{[^}]*value = "\$pexip_token_events_wait\$"', conf)
           is not None, "the CheckCommand passes $pexip_token_events_wait$ to --events-wait")
    for var in ("pexip_token_events", "pexip_token_events_wait"):
        report(re.search(r"\b%s\b" % var, readme) is not None,
               "README.md names the CheckCommand variable %s" % var)
    cfg = read(os.path.join(templates, "pexip_token.cfg"))
    report(re.search(r"command_line\s+.*--events\b", cfg) is not None,
           "pexip_token.cfg has a command with --events")
    nrpe = read(os.path.join(templates, "nrpe.cfg.example"))
    report(re.search(r"^command\[\S+\]=.*check_pexip_token .*--events\b", nrpe, re.M)
           is not None, "nrpe.cfg.example has a command with --events")
    basket = read(os.path.join(templates, "director-basket.json"))
    report("pexip_token_events_wait" in basket and '"--events"' in basket,
           "the Director basket has --events and pexip_token_events_wait")


if __name__ == "__main__":
    main()
    _top = os.environ.get("TOP_SRCDIR") or os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    try:
        director_basket(_top, os.environ.get("CHECK_PEXIP_TOKEN", ""),
                        read(os.path.join(_top, "README.md")))
    except Exception as err:  # a broken basket is a failure, never a crash of the test
        report(False, "the Director basket checks ran", "%s: %s" % (type(err).__name__, err))
    print(harness.summary_line(passed, failed, skipped))
    sys.exit(1 if failed else 0)
