#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The perfdata labels are a stable interface (cli-contract.md, Output): graphs, dashboards and
PNP RRDs are keyed on them. STABLE_LABELS below is the contract's complete list, kept here on
purpose: adding a label means editing it; renaming or dropping one fails this test, because
every label the plugin prints, every label of the golden cases (tests/functional/cases.json),
of the graphite template (icinga-templates/graphite/pexip-token.ini) and of the Grafana
dashboard (icinga-templates/pexip-token-grafana.json) must be in it, and the template and the
dashboard must graph every single-node label.

Labels the plugin does not print yet (time_events needs --events; the --srv labels) are in
the list; the plugin's output is checked for the ones it prints, and the test says which ones
it could not check.

Exit 0 all passed, 1 a failure (python3 and openssl only, like the functional tests).
"""

import configparser
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get("TOP_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP_SRCDIR, "tests", "functional"))

import harness  # noqa: E402

# The contract's labels, in its order. A run against one node prints a subset of SINGLE;
# a --srv run prints SRV plus one time_<target> per target that answered.
SINGLE = ["time", "time_dns", "time_connect", "time_tls", "time_server", "time_transfer",
          "time_release", "time_events", "cert_days"]
SRV = ["nodes", "nodes_ok"]
SRV_PATTERN = "time_<target>"
STABLE_LABELS = SINGLE + SRV + [SRV_PATTERN]

TEMPLATE = os.path.join(TOP_SRCDIR, "icinga-templates", "graphite", "pexip-token.ini")
DASHBOARD = os.path.join(TOP_SRCDIR, "icinga-templates", "pexip-token-grafana.json")
CASES = os.path.join(TOP_SRCDIR, "tests", "functional", "cases.json")


def template_labels():
    """{template name: [labels]} of the graphite template's metrics_filters."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str
    ini.read(TEMPLATE)
    out = {}
    for section in ini.sections():
        name, _, topic = section.rpartition(".")
        if topic != "metrics_filters":
            continue
        for _curve, flt in ini.items(section):
            m = re.fullmatch(r'"?\$service_name_template\$\.perfdata\.([a-z_]+)\.[a-z]+"?', flt)
            out.setdefault(name, []).append(m.group(1) if m else "?" + flt)
    return out


def dashboard_labels():
    """Labels the dashboard's InfluxQL queries select on the metric tag."""
    with open(DASHBOARD) as f:
        dash = json.load(f)
    queries = []

    def walk(panels):
        for p in panels:
            queries.extend(t["query"] for t in p.get("targets", []))
            walk(p.get("panels", []))
    walk(dash["panels"])
    labels = set()
    for q in queries:
        for m in re.finditer(r'"metric" = \'([a-z_]+)\'', q):
            labels.add(m.group(1))
        for m in re.finditer(r'"metric" =~ /\^([a-z_]*)\(([a-z_|]+)\)\$/', q):
            labels.update(m.group(1) + alt for alt in m.group(2).split("|"))
    return labels, len(queries)


def case_labels():
    """Every label a golden case expects, named sets resolved as cli_cases_test.py does."""
    with open(CASES) as f:
        cases = json.load(f)["cases"]
    named = {"ok": harness.OK_LABELS, "ok+cert": harness.OK_LABELS + ["cert_days"],
             "http": [x for x in harness.OK_LABELS if x != "time_release"], "none": []}
    out = {}
    for c in cases:
        p = c.get("perfdata")
        if p is None:
            continue
        labels = named.get(p, ["?" + str(p)]) if isinstance(p, str) else p
        for label in labels:
            out.setdefault(label, c["name"])
    return out


def stable(label):
    return label in SINGLE + SRV


def main():
    suite = harness.Suite("labels", watchdog=60)

    tpl = template_labels()
    named = sorted({x for v in tpl.values() for x in v})
    suite.check("the graphite template graphs exactly the single-node labels and the --srv "
                "counts (%s); %s" % (" ".join(named), "; ".join(
                    "%s: %s" % (k, " ".join(v)) for k, v in sorted(tpl.items()))),
                [] if named == sorted(SINGLE + SRV) else
                ["template labels %s, stable %s" % (named, sorted(SINGLE + SRV))])
    # Labels that are not always printed must not share a graph with the phases.
    sometimes = {"time_release", "time_events", "cert_days", "nodes", "nodes_ok"}
    shared = ["%s: %s" % (k, v) for k, v in tpl.items() if len(v) > 1 and
              set(v) & sometimes and set(v) - sometimes]
    suite.check("time_release, time_events, cert_days and the --srv counts each have graphs "
                "of their own (a missing series never blanks another graph)", shared)

    dash, nqueries = dashboard_labels()
    suite.check("the Grafana dashboard's %d panel queries select only stable labels and every "
                "single-node one (%s)" % (nqueries, " ".join(sorted(dash))),
                [] if dash == set(SINGLE) else
                ["dashboard labels %s, single-node labels %s" % (sorted(dash), sorted(SINGLE))])

    cl = case_labels()
    bad = ["%s (case %r)" % (k, v) for k, v in sorted(cl.items()) if not stable(k)]
    suite.check("the golden cases expect only stable labels (%s)" % " ".join(sorted(cl)), bad)

    # The plugin on the fake node: a healthy node with -C, a released token.
    fake = suite.fake()
    res = suite.plugin(suite.target(fake) + ["-C", "30,14", "-w", "5", "-c", "10"])
    printed = list(res.perf)
    suite.check("the plugin prints only stable labels on a healthy node with -C (%s)" %
                " ".join(printed),
                [] if res.rc == 0 and printed and all(stable(x) for x in printed) and
                sorted(printed) == sorted(set(SINGLE) - {"time_events"}) else
                ["exit %s, labels %s" % (res.rc, printed)])
    down = suite.plugin(["-H", "localhost", "-p", suite.refused_port(), "-a", "meet",
                         "--ca-file", suite.ca])
    dl = list(down.perf)
    suite.check("after a refused connection: the completed phase time_dns, never time (%s)" %
                (" ".join(dl) or "no perfdata"),
                [] if down.rc == 2 and dl == ["time_dns"] else
                ["exit %s, labels %s" % (down.rc, dl)])

    help_text = subprocess.run([suite.exe, "--help"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=20).stdout.decode()
    unchecked = []
    if "--events" in help_text:
        ev = suite.plugin(suite.target(fake) + ["--events"])
        el = list(ev.perf)
        suite.check("with --events: only stable labels, time_events among them (%s)" %
                    " ".join(el), [] if all(stable(x) for x in el) and "time_events" in el
                    else ["exit %s, labels %s" % (ev.rc, el)])
    else:
        unchecked.append("time_events (this build has no --events)")
    unchecked.append("nodes, nodes_ok, time_<target> (--srv needs an SRV record: "
                     "not run here)" if "--srv" in help_text else
                     "nodes, nodes_ok, time_<target> (this build has no --srv)")
    print("# stable labels not checked against the plugin's output: %s" %
          "; ".join(unchecked), flush=True)
    suite.finish()


if __name__ == "__main__":
    main()
