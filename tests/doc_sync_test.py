#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keeps --help, the man page and README.md in step with each other and with the contract.

Environment (set by the test harness, see tests/Makefile.inc):
  CHECK_PEXIP_TOKEN  the built plugin
  TOP_SRCDIR         the source tree (default: the parent of this file's directory)
  GROFF              groff, or empty/"no" to skip the man page lint

Prints "ok - ..." / "not ok - ..." lines, then "N passed, M failed"; exits 0 when nothing
failed, 1 otherwise. Uses the Python 3 standard library only.
"""

import os
import re
import subprocess
import sys

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
]

# Perfdata labels of the contract; both documents must describe each.
CONTRACT_PERFDATA = [
    "time", "time_dns", "time_connect", "time_tls", "time_server", "time_transfer",
    "time_release", "cert_days",
]

# The two commands README.md must give, verbatim.
README_COMMANDS = [
    "sh .ci/install-deps && ./autogen.sh && "
    "./configure --with-plugindir=/usr/lib/nagios/plugins && make -j2 && make demo",
    ".ci/run",
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
    print("ok - %s # SKIP %s" % (what, why))


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

    # The man page's OPTIONS section documents no option the plugin does not have.
    stale = sorted(set(m[2:] for m in LONG_OPTION.findall(man_section(man, "OPTIONS")))
                   - set(help_options))
    report(not stale, "every long option in the man page's OPTIONS is in --help",
           "not in --help: " + " ".join("--" + name for name in stale))


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


if __name__ == "__main__":
    main()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
