#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""--extra-opts without @file finds its ini where monitoring-plugins would: $NAGIOS_CONFIG_PATH
directories (in order, first file name that exists), and the fixed default locations. The
fixed locations are system paths: those cases run the plugin in a private mount namespace
(`unshare --mount`) with an empty tmpfs over /usr/local/etc and /etc/nagios, so nothing on
the machine is written; without unshare or the privilege for it each is a skip with the
reason (harness.Suite.skip: a failure under CHECK_REQUIRE_ALL=1). ~3 s."""
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

OK = r"^PEXIP TOKEN OK: token issued in "
# Files in the tmpfs, written by the namespace's shell from the test's own copies.
MOUNTS = ("/usr/local/etc", "/etc/nagios")


def main():
    s = harness.Suite("extra_opts")
    fake = s.fake()

    def ini(alias):
        return ("[check_pexip_token]\nhostname=localhost\nport=%s\nca-file=%s\nalias=%s\n" %
                (fake.port, s.ca, alias))

    def saw(alias):
        return any("/conferences/%s/" % alias in q for q in fake.api_requests())

    # --- $NAGIOS_CONFIG_PATH ----------------------------------------------------------------
    empty = os.path.join(s.tmp, "empty-dir")
    os.makedirs(empty, exist_ok=True)
    first = os.path.dirname(s.write_file("ncp1/plugins.ini", ini("ncp-first")))
    second = os.path.dirname(s.write_file("ncp2/monitoring-plugins.ini", ini("ncp-second")))
    # Aliases that the fake does not know: the probe says "alias not found", which proves
    # which file was read (the fake logs the alias).
    fake.reset()
    r = s.plugin(["--extra-opts"], env={"NAGIOS_CONFIG_PATH": "%s:%s:%s" % (empty, first,
                                                                         second)})
    s.check("NAGIOS_CONFIG_PATH: first directory with an ini is read",
            r.expect(2, r"^PEXIP TOKEN CRITICAL: alias not found: 'ncp-first'") +
            ([] if saw("ncp-first") else ["the fake saw no request for ncp-first"]), r)
    r = s.plugin(["--extra-opts"], env={"NAGIOS_CONFIG_PATH": "%s::%s" % (empty, second)})
    s.check("NAGIOS_CONFIG_PATH: empty entries skipped, last directory read",
            r.expect(2, r"^PEXIP TOKEN CRITICAL: alias not found: 'ncp-second'"), r)
    r = s.plugin(["--extra-opts=@%s" % os.path.join(empty, "plugins.ini")])
    s.check("--extra-opts naming a missing file: UNKNOWN",
            r.expect(3, r"^PEXIP TOKEN UNKNOWN: "), r)

    # --- fixed default locations, in a private mount namespace ------------------------------
    unshare = shutil.which("unshare")
    why = None
    if not unshare:
        why = "no unshare(1)"
    else:
        t = subprocess.run([unshare, "--mount", "--", "sh", "-c",
                            "mount -t tmpfs cpt /usr/local/etc"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if t.returncode != 0:
            why = "cannot mount in a private namespace: %s" % t.stdout.decode(
                errors="replace").strip()[:200]
    def in_namespace(files):
        """A prefix: private mounts, empty tmpfs on MOUNTS, then files copied into place."""
        script = ["set -e"] + ["mount -t tmpfs cpt %s" % d for d in MOUNTS]
        for target, source in files:
            script.append("mkdir -p %s && cp %s %s" % (os.path.dirname(target), source,
                                                       target))
        script.append('exec "$@"')
        return [unshare, "--mount", "--", "sh", "-c", "\n".join(script), "sh"]

    cases = [
        ("/etc/nagios/plugins.ini", [("/etc/nagios/plugins.ini", "dflt-nagios")]),
        ("/usr/local/etc/plugins.ini (the last one)",
         [("/usr/local/etc/plugins.ini", "dflt-last")]),
        ("/usr/local/etc/monitoring-plugins/monitoring-plugins.ini wins over later ones",
         [("/usr/local/etc/monitoring-plugins/monitoring-plugins.ini", "dflt-first"),
          ("/usr/local/etc/plugins.ini", "dflt-later"),
          ("/etc/nagios/plugins.ini", "dflt-later2")]),
    ]
    for name, placed in cases:
        if why:
            s.skip("default location %s" % name, "a private mount namespace (unshare --mount, "
                   "as root): %s" % why)
            continue
        files = [(target, s.write_file("dflt-%d.ini" % i + alias, ini(alias)))
                 for i, (target, alias) in enumerate(placed)]
        want = placed[0][1]
        r = s.plugin(["--extra-opts"], prefix=in_namespace(files))
        s.check("default location %s" % name,
                r.expect(2, r"^PEXIP TOKEN CRITICAL: alias not found: '%s'" % want) +
                ([] if saw(want) else ["the fake saw no request for %s" % want]), r)
    s.finish()


if __name__ == "__main__":
    main()
