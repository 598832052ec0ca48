#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Debian package, built, checked, installed, used and purged for real.

1. Builds check-pexip-token from a clean copy of the tree (the files `git ls-files` lists, or
   the whole tree when it is an unpacked dist tarball) with `dpkg-buildpackage -us -uc -b`
   in a temporary directory, as the README says.
2. lintian on the .deb and the .changes: no error, no warning; every override in
   debian/*.lintian-overrides (and debian/source/lintian-overrides) has a comment.
3. Installs it with `apt-get install ./check-pexip-token_*.deb`, then: the layout (plugin,
   man page, conffiles /etc/nagios-plugins/config/pexip_token.cfg and the graph templates in
   /etc/icingaweb2/modules/graphite/templates, CheckCommand in Icinga's plugins-contrib.d,
   examples); the Icinga Web 2 graphite module (when installed) loads the installed graph
   templates from a configuration folder laid out like /etc/icingaweb2; the installed plugin against the fake node (OK, and
   CRITICAL in maintenance mode); `hardening-check` on it; it links the shared libstdc++ and
   Boost; `icinga2 daemon -C` on a copy of Debian's stock /etc/icinga2 plus the installed
   example services and hosts sees CheckCommand "pexip-token" from plugins-contrib.d;
   `nagios4 -v` of Debian's stock /etc/nagios4/nagios.cfg counts three more commands.
4. Purges it: `dpkg -S` finds none of its files, none is left on disk, the conffiles are gone.

It changes the machine (installs a package), so it runs only as root with the tools
installed, and never twice at once or while another test loads an Icinga config with
<plugins-contrib> (tests/icinga/common.py's plugins_contrib_lock, held from install to
purge). The package is purged on every way out (finally + atexit). An install this test made
is marked (INSTALL_MARK, written before the install, removed after the purge): a package an
earlier run left behind (killed with SIGKILL mid-test) is purged first and the test runs; a
check-pexip-token installed by anyone else is a failure with the reason (the test would
remove someone's package), never a skip that lasts. .ci/run deselects this test in its
sanitizer and distcheck runs (CHECK_DESELECT, tests/selected.py): one package build per CI
run. Cost: a package build, about 2 minutes on 2 cores.

Exit 0 all passed, 1 a failure, 77 skipped (not root, a tool missing: printing why; a failure
under CHECK_REQUIRE_ALL=1).
"""

import atexit
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.dirname(
                                    os.path.abspath(__file__)))), "tests", "icinga"))
import common  # noqa: E402  (tests/icinga/common.py)
from common import harness  # noqa: E402
import icinga2_config_test  # noqa: E402  (its Icinga class: a private copy of /etc/icinga2)

PACKAGE = "check-pexip-token"
PLUGIN = "/usr/lib/nagios/plugins/check_pexip_token"
CONFFILE = "/etc/nagios-plugins/config/pexip_token.cfg"
ICINGA_CONF = "/usr/share/icinga2/include/plugins-contrib.d/pexip.conf"
GRAPHITE_TEMPLATES = "/etc/icingaweb2/modules/graphite/templates"
GRAPHITE_TEMPLATE = GRAPHITE_TEMPLATES + "/pexip-token.ini"
EXAMPLES = "/usr/share/doc/%s/examples" % PACKAGE
LAYOUT = [PLUGIN, CONFFILE, GRAPHITE_TEMPLATE, ICINGA_CONF,
          "/usr/share/man/man1/check_pexip_token.1.gz",
          "/usr/share/doc/%s/copyright" % PACKAGE] + [
    os.path.join(EXAMPLES, n) for n in ("services.conf.example", "hosts.conf.example",
                                        "nrpe.cfg.example", "nagios-services.cfg.example",
                                        "nrpe-services.conf.example",
                                        "pexip-token-grafana.json")]
TOOLS = {"dpkg-buildpackage": "dpkg-dev", "dh": "debhelper", "fakeroot": "fakeroot",
         "lintian": "lintian", "hardening-check": "devscripts", "apt-get": "apt",
         "dpkg": "dpkg", "icinga2": "icinga2-bin", "nagios4": "nagios4-core"}


def run(cmd, cwd=None, timeout=120, env=None):
    res = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=timeout, env=env)
    return res.returncode, res.stdout.decode("utf-8", "replace")


def installed():
    rc, out = run(["dpkg-query", "-W", "-f", "${db:Status-Status}", PACKAGE])
    return rc == 0 and out.strip() not in ("", "not-installed", "config-files")


def state():
    rc, out = run(["dpkg-query", "-W", "-f", "${db:Status-Status}", PACKAGE])
    return out.strip() if rc == 0 else "unknown"


# Written just before this test installs the package, removed once it is purged: an installed
# package with this mark is one an earlier run of the test left behind.
INSTALL_MARK = "/var/lib/check-pexip-token-tests/deb_test.installed"


def preconditions():
    """Skips (harness.skip_script) when the test cannot run here; returns whether an earlier
    run left the package installed (to purge first). A package installed by anyone else: a
    failure, exit 1."""
    if os.geteuid() != 0:
        harness.skip_script("not root: the test installs and purges the .deb (run make check "
                            "as root)")
    missing = sorted({pkg for tool, pkg in TOOLS.items() if not common.find_program(tool)})
    if missing:
        harness.skip_script("apt-get install %s (.ci/install-deps does it)" % " ".join(missing))
    if state() in ("unknown", "not-installed", ""):
        return False
    if os.path.exists(INSTALL_MARK):
        return True
    print("not ok - %s is not installed before the test: it is (%s), and not by an earlier "
          "run of this test (no %s): the test would remove someone's package; "
          "`apt-get purge %s` if it may go" % (PACKAGE, state(), INSTALL_MARK, PACKAGE),
          flush=True)
    print(harness.summary_line(0, 1, 0), flush=True)
    sys.exit(1)


def clean_copy(src, dst):
    """The tracked files of a git checkout (as they are in the work tree), or the whole
    tree of an unpacked dist tarball. Returns how it was made."""
    rc, out = run(["git", "-C", src, "ls-files", "-z"]) if os.path.isdir(
        os.path.join(src, ".git")) or os.path.isfile(os.path.join(src, ".git")) else (1, "")
    if rc == 0 and out:
        for rel in out.split("\0"):
            if not rel:
                continue
            s = os.path.join(src, rel)
            if not os.path.lexists(s):
                continue  # deleted in the work tree
            d = os.path.join(dst, rel)
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copy2(s, d, follow_symlinks=False)
        return "git ls-files of %s" % src
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
        "autom4te.cache", "config.status", "config.log", "*.o", "*.a"))
    # distcheck's srcdir is read-only, and copytree keeps the modes.
    for root, dirnames, filenames in os.walk(dst):
        for n in dirnames + filenames:
            p = os.path.join(root, n)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
    return "a copy of the dist tree %s" % src


def override_problems(tree):
    p = []
    files = glob.glob(os.path.join(tree, "debian", "*.lintian-overrides")) + \
        glob.glob(os.path.join(tree, "debian", "source", "lintian-overrides"))
    for path in files:
        prev_comment = False
        for n, line in enumerate(open(path).read().splitlines(), 1):
            s = line.strip()
            if not s:
                prev_comment = False
                continue
            if s.startswith("#"):
                prev_comment = len(s.lstrip("# ")) > 0
                continue
            if not prev_comment:
                p.append("%s:%d override without a comment: %s" % (
                    os.path.relpath(path, tree), n, s))
    return p, len(files)


def main():
    leftover = preconditions()
    suite = harness.Suite("deb", need_plugin=False, watchdog=900)
    if leftover:
        lock = common.plugins_contrib_lock(suite, wait=300)
        rc, out = run(["apt-get", "purge", "-y", "-q", "-o", "DPkg::Lock::Timeout=120", PACKAGE],
                      timeout=300, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        gone = state() in ("unknown", "not-installed", "")
        if gone:
            os.unlink(INSTALL_MARK)
        lock.close()
        if not suite.check("purged the %s an earlier run of this test left installed" % PACKAGE,
                           [] if rc == 0 and gone else
                           ["apt-get purge exit %d, state %s: %s" % (rc, state(), out[-400:])]):
            suite.finish()
    started = time.monotonic()
    top = common.TOP_SRCDIR
    work = os.path.join(suite.tmp, "build")
    tree = os.path.join(work, "src")
    os.makedirs(tree)
    how = clean_copy(top, tree)

    # ---- build ------------------------------------------------------------------------------
    t0 = time.monotonic()
    env = dict(os.environ, DEB_BUILD_OPTIONS="parallel=2", LC_ALL="C.UTF-8")
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CHECK_PEXIP_TOKEN", "TESTS"):
        env.pop(k, None)
    rc, out = run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, timeout=780, env=env)
    build_s = time.monotonic() - t0
    debs = sorted(glob.glob(os.path.join(work, "%s_*.deb" % PACKAGE)))
    changes = sorted(glob.glob(os.path.join(work, "%s_*.changes" % PACKAGE)))
    if not suite.check("dpkg-buildpackage -us -uc -b from %s builds %s (%.0f s)" % (
            how, ", ".join(os.path.basename(d) for d in debs) or "nothing", build_s),
            [] if rc == 0 and len(debs) == 1 and len(changes) == 1 else
            ["exit %d: %s" % (rc, " / ".join(out.strip().splitlines()[-12:]))]):
        suite.finish()
    deb, chg = debs[0], changes[0]
    suite.check("the package build ran the unit suites (debian/rules dh_auto_test)",
                [] if re.search(r"^PASS: tests/unit_tests$", out, re.M) else
                ["no PASS: tests/unit_tests in the build log"])

    rc, listing = run(["dpkg-deb", "-c", deb])
    print("# dpkg -c %s\n%s" % (os.path.basename(deb), "\n".join(
        "#   " + x for x in listing.splitlines())), flush=True)
    rc, info = run(["dpkg-deb", "-f", deb, "Depends", "Enhances"])
    suite.check("Depends from shlibs (libc6, libcurl4, libstdc++6, libboost-program-options), "
                "Enhances icinga2, nagios4, nagios-nrpe-server",
                [] if all(x in info for x in ("libc6", "libcurl4", "libstdc++6",
                                               "libboost-program-options", "icinga2",
                                               "nagios4", "nagios-nrpe-server")) else
                ["control fields: %r" % info])

    # ---- lintian ---------------------------------------------------------------------------
    rc, lint = run(["lintian", "--pedantic", "--display-info", "--tag-display-limit", "0",
                    chg, deb], timeout=300)
    lint_lines = [x for x in lint.splitlines() if x.strip() and
                  "running with root privileges" not in x]
    print("# lintian --pedantic --display-info %s %s\n%s" % (
        os.path.basename(chg), os.path.basename(deb),
        "\n".join("#   " + x for x in lint_lines) or "#   (no output)"), flush=True)
    bad = [x for x in lint_lines if re.match(r"^[EW]: ", x)]
    suite.check("lintian on the .changes and the .deb: no error, no warning", bad)
    problems, n_files = override_problems(tree)
    suite.check("every lintian override has a comment (%d override files)" % n_files, problems)

    # ---- install ---------------------------------------------------------------------------
    lock = common.plugins_contrib_lock(suite, wait=300)
    pub = os.path.join(suite.tmp, "pub")
    os.makedirs(pub)
    os.chmod(suite.tmp, 0o755)
    os.chmod(pub, 0o755)
    local_deb = os.path.join(pub, os.path.basename(deb))
    shutil.copyfile(deb, local_deb)
    os.chmod(local_deb, 0o644)

    def purge():
        if state() not in ("unknown", "not-installed", ""):
            res = run(["apt-get", "purge", "-y", "-q", "-o", "DPkg::Lock::Timeout=120",
                       PACKAGE], timeout=300,
                      env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        else:
            res = 0, "not installed"
        if state() in ("unknown", "not-installed", "") and os.path.exists(INSTALL_MARK):
            os.unlink(INSTALL_MARK)
        return res
    # Every way out purges: normal exit, an exception (finally), SIGTERM/SIGINT/SIGHUP
    # (make interrupted), and the harness's watchdog (it calls suite.cleanup, then _exit).
    atexit.register(purge)
    harness_cleanup = suite.cleanup

    def cleanup():
        try:
            purge()
        finally:
            harness_cleanup()
    suite.cleanup = cleanup
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    nagios_before = nagios_commands()
    files = []
    os.makedirs(os.path.dirname(INSTALL_MARK), exist_ok=True)
    with open(INSTALL_MARK, "w") as f:
        f.write("installed by tests/package/deb_test.py, pid %d\n" % os.getpid())
    try:
        rc, out = run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                      "-o", "DPkg::Lock::Timeout=120", local_deb],
                      timeout=300, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if suite.check("apt-get install ./%s" % os.path.basename(deb),
                       [] if rc == 0 and installed() else
                       ["exit %d, state %s: %s" % (rc, state(), out[-600:])]):
            rc, out = run(["dpkg-query", "-L", PACKAGE])
            files = [x for x in out.splitlines() if x.startswith("/")]
            after_install(suite, files, nagios_before)
    finally:
        rc, out = purge()
        lock.close()
    after_purge(suite, rc, out, files)
    print("# package test took %.0f s (package build %.0f s)" % (time.monotonic() - started,
                                                                 build_s), flush=True)
    suite.finish()


def nagios_commands():
    rc, out = run([common.find_program("nagios4"), "-v", "/etc/nagios4/nagios.cfg"])
    m = re.search(r"Checked ([0-9]+) commands", out)
    return (int(m.group(1)) if m else None), rc, out


def after_install(suite, files, nagios_before):
    missing = [f for f in LAYOUT if f not in files or not os.path.isfile(f)]
    suite.check("installed in Debian's layout: %s" % ", ".join(LAYOUT), missing)
    rc, conffiles = run(["dpkg-query", "-W", "-f", "${Conffiles}", PACKAGE])
    suite.check("%s and %s are the conffiles" % (CONFFILE, GRAPHITE_TEMPLATE),
                [] if sorted(x.split()[0] for x in conffiles.splitlines() if x.strip()) ==
                sorted([CONFFILE, GRAPHITE_TEMPLATE]) else ["conffiles: %r" % conffiles])
    graphite_module_loads(suite)

    # The installed plugin against the fake node.
    fake = suite.fake()
    for alias, rc_want, word in (("meet", 0, "OK"), ("maint", 2, "CRITICAL")):
        res = subprocess.run([PLUGIN, "-H", "localhost", "-p", fake.port, "--ca-file", suite.ca,
                              "-a", alias], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=30, env=suite.base_env())
        line = res.stdout.decode("utf-8", "replace").splitlines()[:1]
        suite.check("installed %s -a %s: exit %d, PEXIP TOKEN %s" % (PLUGIN, alias, rc_want, word),
                    [] if res.returncode == rc_want and line and
                    line[0].startswith("PEXIP TOKEN %s: " % word) and not res.stderr else
                    ["exit %d, stdout %r, stderr %r" % (res.returncode, line, res.stderr[:200])])

    # --nocfprotection: bookworm's crt1.o has no IBT/SHSTK property, so nothing linked on
    # bookworm is CET-marked (Debian's own nagios4 and check_http fail that line too).
    rc, out = run(["hardening-check", "--nocfprotection", PLUGIN])
    print("# hardening-check --nocfprotection %s\n%s" % (PLUGIN, "\n".join("#   " + x for x in
                                                         out.splitlines())), flush=True)
    suite.check("hardening-check passes (PIE, stack protector, fortify, RELRO, BIND_NOW)",
                [] if rc == 0 else ["exit %d" % rc])
    rc, out = run(["ldd", PLUGIN])
    suite.check("the packaged plugin links the shared libstdc++ and Boost.ProgramOptions",
                [] if "libstdc++.so" in out and "libboost_program_options" in out else
                ["ldd: %s" % " / ".join(out.split("\n"))])

    # Icinga 2: Debian's stock icinga2.conf (include <plugins-contrib>) finds the command.
    progs = {"icinga2": common.find_program("icinga2")}
    account = common.Account()
    ic = icinga2_config_test.Icinga(suite, account, progs["icinga2"], "icinga")
    origin = ic.make_etc()
    ic.put("conf.d/pexip-services.conf", src=os.path.join(EXAMPLES, "services.conf.example"))
    ic.put("conf.d/pexip-hosts.conf", src=os.path.join(EXAMPLES, "hosts.conf.example"))
    stock = open(os.path.join(ic.etc, "icinga2.conf")).read()
    rc, out = ic.validate()
    p = [] if rc == 0 else ["exit %d: %s" % (rc, " / ".join(out.strip().splitlines()[-8:]))]
    if not re.search(r"^include <plugins-contrib>", stock, re.M):
        p.append("the icinga2.conf used does not include <plugins-contrib>")
    if not p:
        res = subprocess.run([progs["icinga2"], "object", "list", "--type", "CheckCommand",
                              "--name", "pexip-token"] + ic.defines(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        text = res.stdout.decode("utf-8", "replace")
        if "Object 'pexip-token' of type 'CheckCommand'" not in text or ICINGA_CONF not in text:
            p.append("object list: %s" % text[:400])
        services = icinga2_config_test.pexip_services(ic.objects("Service"))
        want = list(icinga2_config_test.EXAMPLE_SERVICES) + list(icinga2_config_test.SRV_SERVICES)
        if sorted(services) != sorted(want):
            p.append("services %s, expected %s" % (sorted(services), sorted(want)))
    suite.check("icinga2 daemon -C on %s plus the installed example services and hosts: "
                "CheckCommand \"pexip-token\" comes from %s, one service per node and the --srv one" % (
                    origin, ICINGA_CONF), p)

    # Nagios Core: Debian's stock nagios.cfg loads /etc/nagios-plugins/config.
    before, rc0, _ = nagios_before
    after, rc, out = nagios_commands()
    shipped = len(re.findall(r"^\s*define\s+command\s*\{", open(CONFFILE).read(), re.M))
    suite.check("nagios4 -v /etc/nagios4/nagios.cfg: still valid, %s -> %s commands (+%d, "
                "the installed command file's)" % (before, after, shipped),
                [] if rc0 == 0 and rc == 0 and before is not None and shipped > 0 and
                after == before + shipped else
                ["exit %d: %s" % (rc, " / ".join(out.splitlines()[-6:]))])


def graphite_module_loads(suite):
    """The graphite module reads site templates from <config dir>/modules/graphite/templates
    (Debian's config dir: /etc/icingaweb2). A private config dir with the module enabled and
    that folder linked to the installed one: icingacli sees graphs for pexip-token."""
    module = "/usr/share/icingaweb2/modules/graphite"
    icingacli = common.find_program("icingacli")
    if not icingacli or not os.path.isdir(module):
        print("# icingacli or icingaweb2-module-graphite not installed: graph template load "
              "not checked here (tests/graphs/graphs_test.py does it)", flush=True)
        return
    cfg = os.path.join(suite.tmp, "icingaweb2")
    os.makedirs(os.path.join(cfg, "enabledModules"))
    os.makedirs(os.path.join(cfg, "modules", "graphite"))
    os.symlink(module, os.path.join(cfg, "enabledModules", "graphite"))
    os.symlink(GRAPHITE_TEMPLATES, os.path.join(cfg, "modules", "graphite", "templates"))
    rc, out = run([icingacli, "graphite", "icinga2", "config"],
                  env=dict(suite.base_env(), ICINGAWEB_CONFIGDIR=cfg))
    suite.check("the graphite module loads the installed %s (icingacli graphite icinga2 "
                "config shows graphs for pexip-token)" % GRAPHITE_TEMPLATE,
                [] if rc == 0 and 'vars.check_command = "pexip-token"' in out else
                ["exit %d: %s" % (rc, out[-300:])])


def after_purge(suite, rc, out, files):
    p = [] if rc == 0 else ["apt-get purge: exit %d: %s" % (rc, out[-400:])]
    if state() not in ("not-installed", "unknown", ""):
        p.append("package state %s" % state())
    owned = []
    left = []
    for f in files:
        if os.path.isdir(f) and not os.path.islink(f):
            continue
        r, o = run(["dpkg", "-S", f])
        if r == 0 and PACKAGE + ":" in o:
            owned.append(f)
        if os.path.lexists(f):
            left.append(f)
    if owned:
        p.append("dpkg -S still finds %s" % owned)
    if left:
        p.append("left on disk: %s" % left)
    for conffile in (CONFFILE, GRAPHITE_TEMPLATE):
        if os.path.exists(conffile):
            p.append("the conffile %s survived the purge" % conffile)
    if not files:
        p.append("nothing was installed to check")
    suite.check("apt-get purge: dpkg -S finds none of its %d files, none is on disk, the "
                "conffiles are gone" % len(files), p)


if __name__ == "__main__":
    main()
