#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mutation check: does the test suite notice when the code is changed on purpose?

Each mutant in mutants.json replaces one exact piece of text in one file under src/ (any
depth). The runner copies the source tree to a scratch directory (the work tree is never
touched), configures and builds it once, runs the selected tests once on the unmutated tree
(each must pass, with no skip), then for each mutant: applies it, rebuilds incrementally
(the mutated file recompiles, the rest is linked), runs the mutant's tests in order (fast
ones first) and restores the file.

Outcomes: "killed" when a test fails on the mutant, and fails again when run a second time
(and passed on the clean tree); "inconclusive" when a test could not decide: it skipped (exit
77, or a "skip - " line), ran into a timeout or its watchdog, or failed once and passed on the
rerun (non-deterministic); "SURVIVED" when every test passed. A mutant that no longer applies
or does not build fails the run, as does a survivor or an inconclusive mutant. It prints a
table and "killed K of N", and removes the scratch directory (unless --keep).

    run.py --check            every original text occurs exactly once (<1 s)
    run.py                    the whole list (README.md: the last run's cost)
    run.py --only ID,ID       some mutants
    run.py --sample N --touched-commits C
                              what .ci/run does: a rotating group of about N mutants, chosen
                              by the commit, plus those in files the last C commits touched
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SRCDIR = os.path.dirname(os.path.dirname(HERE))
TEST_TIMEOUT = 900
BUILD_TARGETS = ["check_pexip_token", "tests/unit_tests", "tests/blocking_plugin"]


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    mutants = data["mutants"]
    seen = set()
    for m in mutants:
        for key in ("id", "file", "original", "replacement", "breaks", "tests"):
            if key not in m:
                raise SystemExit("mutant %r lacks %r" % (m.get("id"), key))
        if m["id"] in seen:
            raise SystemExit("mutant id %r twice" % m["id"])
        seen.add(m["id"])
    return mutants


def src_files(srcdir):
    """Every file under src/, as "src/dir/name" paths, sorted."""
    out = []
    src = os.path.join(srcdir, "src")
    for root, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for name in filenames:
            out.append(os.path.relpath(os.path.join(root, name), srcdir).replace(os.sep, "/"))
    return sorted(out)


def applicability(srcdir, m):
    """None when the mutant applies (its text occurs exactly once), else why not."""
    path = os.path.join(srcdir, m["file"])
    if not os.path.isfile(path):
        why = "%s no longer exists" % m["file"]
    else:
        with open(path, encoding="utf-8") as f:
            count = f.read().count(m["original"])
        if count == 1:
            return None
        why = "original text occurs %d times in %s" % (count, m["file"])
    # Help re-anchoring after files were split or moved: where is the text now?
    elsewhere = []
    for rel in src_files(srcdir):
        if rel == m["file"]:
            continue
        with open(os.path.join(srcdir, rel), encoding="utf-8", errors="replace") as f:
            n = f.read().count(m["original"])
        if n:
            elsewhere.append("%s (%d)" % (rel, n))
    if elsewhere:
        why += "; found in " + ", ".join(elsewhere)
    return why


def check(srcdir, mutants):
    bad = 0
    files = set()
    for m in mutants:
        why = applicability(srcdir, m)
        files.add(m["file"])
        if why:
            bad += 1
            print("NO LONGER APPLIES: %s: %s" % (m["id"], why))
    uncovered = [f for f in src_files(srcdir) if f.endswith(".cpp") and f not in files]
    equivalent = sum(1 for m in mutants if m.get("equivalent"))
    print("%d mutants (%d marked equivalent) over %d files; %d apply, %d no longer apply" %
          (len(mutants), equivalent, len(files), len(mutants) - bad, bad))
    if uncovered:
        print("files of src/ without a mutant: %s" % ", ".join(uncovered))
    return 0 if bad == 0 else 1


def git(srcdir, *args):
    r = subprocess.run(["git", "-C", srcdir] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return r.stdout.decode("utf-8", "replace").strip() if r.returncode == 0 else None


def sample(srcdir, mutants, size, touched_commits, touched_max):
    """The mutants of a rotating sample: the list (equivalent ones left out) is dealt into
    G = ceil(len / size) groups by position (mutant i is in group i mod G); this run takes
    group (number of commits up to HEAD) mod G, so G consecutive commits exercise every
    mutant. Plus up to touched_max mutants whose file the last touched_commits commits
    changed (in the rotation's order, so that a large change is covered over a few runs).
    Returns (mutants, a sentence saying how they were chosen)."""
    pool = [m for m in mutants if not m.get("equivalent")]
    groups = max(1, math.ceil(len(pool) / max(1, size)))
    count = git(srcdir, "rev-list", "--count", "HEAD")
    head = git(srcdir, "rev-parse", "--short", "HEAD") or "no git"
    if count and count.isdigit():
        number, how = int(count), "commit %s, number %s" % (head, count)
    else:
        number, how = int(time.strftime("%j")), "no git history: day of the year"
    group = number % groups
    chosen = [m for i, m in enumerate(pool) if i % groups == group]
    touched = set()
    if touched_commits > 0:
        total = int(count) if count and count.isdigit() else 0
        depth = min(touched_commits, max(0, total - 1))
        out = git(srcdir, "diff", "--name-only", "HEAD~%d" % depth, "HEAD") if depth else None
        touched = set((out or "").split())
    extra = [m for m in pool if m["file"] in touched and m not in chosen]
    # Rotate the touched ones by the commit too, then cap them.
    start = number % len(extra) if extra else 0
    capped = (extra[start:] + extra[:start])[:touched_max]
    files = sorted(f for f in touched if f.startswith("src/"))
    note = ("group %d of %d (%s): %d mutants; the last %d commits touched %d files of src/ "
            "(%s) with %d mutants: %d of them more" %
            (group + 1, groups, how, len(chosen), touched_commits, len(files),
             ", ".join(files[:8]) + (", ..." if len(files) > 8 else "") if files else "none",
             len(extra), len(capped)))
    return chosen + capped, note


def run(cmd, cwd, env=None, timeout=None, log=None):
    start = time.monotonic()
    try:
        r = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        rc, out = r.returncode, r.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        rc, out = "timeout", (exc.stdout or b"").decode("utf-8", "replace")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write("$ %s\n%s\n[exit %s]\n" % (" ".join(cmd), out, rc))
    return rc, out, time.monotonic() - start


def copy_tree(srcdir, dest):
    """The source files only: git's file list when there is one, else everything but .git."""
    files = None
    if os.path.isdir(os.path.join(srcdir, ".git")) or os.path.isfile(os.path.join(srcdir, ".git")):
        r = subprocess.run(["git", "-C", srcdir, "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        if r.returncode == 0:
            files = [f for f in r.stdout.decode().split("\0") if f]
    if files is None:
        shutil.copytree(srcdir, dest, symlinks=True,
                        ignore=shutil.ignore_patterns(".git", "_ci", "autom4te.cache"))
        return
    for rel in files:
        s = os.path.join(srcdir, rel)
        if not os.path.lexists(s):
            continue  # deleted in the work tree, not yet committed
        d = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(s, d, follow_symlinks=False)


class Tree:
    """The scratch source tree and its build directory."""

    def __init__(self, scratch, srcdir, configure_args, jobs, log):
        self.src = os.path.join(scratch, "src-tree")
        self.build = os.path.join(scratch, "build")
        self.jobs = jobs
        self.log = log
        if not os.path.isdir(self.src):
            print("copying %s to %s" % (srcdir, self.src), flush=True)
            copy_tree(srcdir, self.src)
        if not os.path.exists(os.path.join(self.src, "configure")):
            print("autogen.sh", flush=True)
            rc, out, _ = run(["sh", "./autogen.sh"], self.src, log=log)
            if rc != 0:
                raise SystemExit("autogen.sh failed:\n" + out[-2000:])
        os.makedirs(self.build, exist_ok=True)
        if not os.path.exists(os.path.join(self.build, "Makefile")):
            print("configure %s" % " ".join(configure_args), flush=True)
            rc, out, _ = run([os.path.join(self.src, "configure")] + configure_args, self.build,
                             log=log)
            if rc != 0:
                raise SystemExit("configure failed:\n" + out[-2000:])
        print("building the unmutated tree", flush=True)
        rc, out, _ = self.make()
        if rc != 0:
            raise SystemExit("the unmutated tree does not build:\n" + out[-3000:])

    def make(self):
        return run(["make", "-j%d" % self.jobs] + BUILD_TARGETS, self.build, log=self.log)

    def env(self):
        env = dict(os.environ)
        env.update({"CHECK_PEXIP_TOKEN": os.path.join(self.build, "check_pexip_token"),
                    "TOP_SRCDIR": self.src, "TOP_BUILDDIR": self.build,
                    "PYTHON3": sys.executable, "BOOST_TEST_REPORT_LEVEL": "short"})
        # A skip must read as a skip here (inconclusive), not as the failure that
        # CHECK_REQUIRE_ALL=1 makes of it (which would count as a kill).
        env.pop("CHECK_REQUIRE_ALL", None)
        return env

    def test(self, name):
        """Runs one test: (outcome, seconds, detail); outcome is "pass", "fail", "skip"
        (exit 77, or a case printed "skip - ...") or "timeout" (the runner's limit, or the
        test's own watchdog)."""
        if name.startswith("unit:"):
            cmd = [os.path.join(self.build, "tests", "unit_tests"), "--run_test=" + name[5:]]
        else:
            cmd = [sys.executable, os.path.join(self.src, "tests", "functional", name)]
        rc, out, seconds = run(cmd, self.build, env=self.env(), timeout=TEST_TIMEOUT,
                               log=self.log)
        skips = re.findall(r"^skip - (.*)$", out, re.M)
        if rc == "timeout":
            return "timeout", seconds, "no end after %d s" % TEST_TIMEOUT
        if re.search(r"^not ok - watchdog: ", out, re.M):
            return "timeout", seconds, "its watchdog fired"
        if rc == 77:
            return "skip", seconds, (skips or ["exit 77"])[0]
        if rc != 0:
            failed = re.findall(r"^not ok - (.*)$", out, re.M)
            return "fail", seconds, (failed[0][:120] if failed else "exit %s" % rc)
        if skips:
            return "skip", seconds, skips[0]
        return "pass", seconds, ""


def mutate(tree, m):
    """Applies m, builds, runs its tests; always restores the file. Returns (status, by, s):
    status "killed" (by: the test), "inconclusive" (by: why), "SURVIVED" or "did not build".
    A failing test is run a second time: a kill is a failure twice (the test passed on the
    clean tree: the baseline)."""
    path = os.path.join(tree.src, m["file"])
    with open(path, encoding="utf-8") as f:
        original = f.read()
    start = time.monotonic()
    undecided = []
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original.replace(m["original"], m["replacement"], 1))
        rc, _, _ = tree.make()
        if rc != 0:
            return "did not build", "", time.monotonic() - start
        for name in m["tests"]:
            outcome, _, detail = tree.test(name)
            if outcome == "pass":
                continue
            if outcome != "fail":
                undecided.append("%s: %s (%s)" % (name, outcome, detail))
                continue
            again, _, detail2 = tree.test(name)
            if again == "fail":
                return "killed", name, time.monotonic() - start
            undecided.append("%s: failed (%s), then %s on the rerun" % (name, detail, again))
        if undecided:
            return "inconclusive", "; ".join(undecided), time.monotonic() - start
        return "SURVIVED", "", time.monotonic() - start
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="only check that every mutant still applies (fast)")
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--sample", type=int, metavar="N",
                    help="a rotating group of about N mutants, chosen by the commit")
    ap.add_argument("--touched-commits", type=int, default=0, metavar="C",
                    help="with --sample: also every mutant of a file the last C commits "
                    "changed")
    ap.add_argument("--touched-max", type=int, metavar="M",
                    help="with --touched-commits: at most M of those (default: N)")
    ap.add_argument("--list", default=os.path.join(HERE, "mutants.json"))
    ap.add_argument("--srcdir", default=DEFAULT_SRCDIR, help="the tree to copy (default: ours)")
    ap.add_argument("--scratch", help="scratch directory (default: a new one under $TMPDIR); "
                    "an existing one from --keep is reused, already configured")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--configure-args", default="",
                    help="extra configure arguments (no -Werror: a warning is not a kill)")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip running the selected tests on the unmutated tree first (then "
                    "a kill is not checked against the clean tree)")
    ap.add_argument("--run-equivalent", action="store_true",
                    help="also run the mutants marked equivalent")
    args = ap.parse_args(argv)
    began = time.monotonic()
    srcdir = os.path.abspath(args.srcdir)
    mutants = load(args.list)
    if args.only:
        wanted = [x.strip() for x in args.only.split(",") if x.strip()]
        unknown = [x for x in wanted if x not in {m["id"] for m in mutants}]
        if unknown:
            raise SystemExit("unknown mutant ids: %s" % ", ".join(unknown))
        mutants = [m for m in mutants if m["id"] in wanted]
    if args.check:
        return check(srcdir, mutants)
    if args.sample:
        mutants, note = sample(srcdir, mutants, args.sample, args.touched_commits,
                               args.sample if args.touched_max is None else args.touched_max)
        print("sample: %s" % note, flush=True)
        print("sample: %s" % ", ".join(m["id"] for m in mutants), flush=True)

    stale = [(m, applicability(srcdir, m)) for m in mutants]
    for m, why in stale:
        if why:
            print("NO LONGER APPLIES (fails the run): %s: %s" % (m["id"], why))
    todo = [m for m, why in stale if not why]
    scratch = args.scratch or tempfile.mkdtemp(prefix="cpt-mutation-",
                                               dir=os.environ.get("TMPDIR") or None)
    os.makedirs(scratch, exist_ok=True)
    log = os.path.join(scratch, "mutation.log")
    rows = []
    try:
        tree = Tree(scratch, srcdir, args.configure_args.split(), args.jobs, log)
        print("scratch build ready after %.0f s" % (time.monotonic() - began), flush=True)
        runnable = [m for m in todo if args.run_equivalent or not m.get("equivalent")]
        if not args.no_baseline:
            names = []
            for m in runnable:
                names += [t for t in m["tests"] if t not in names]
            for name in names:
                outcome, seconds, detail = tree.test(name)
                print("baseline %-28s %s (%.0f s)%s" % (name, outcome, seconds,
                                                       ": " + detail if detail else ""),
                      flush=True)
                if outcome != "pass":
                    raise SystemExit("%s does not pass cleanly without any mutant (%s: %s): "
                                     "it can kill nothing; fix that first (log: %s)" %
                                     (name, outcome, detail, log))
        for m in todo:
            if m.get("equivalent") and not args.run_equivalent:
                rows.append((m, "equivalent", "", 0.0))
            else:
                rows.append((m,) + mutate(tree, m))
            r = rows[-1]
            print("%-40s %-13s %-26s %5.0f s" % (m["id"], r[1], r[2], r[3]), flush=True)
    finally:
        if args.keep:
            print("scratch directory kept: %s (log: %s)" % (scratch, log))
        else:
            shutil.rmtree(scratch, ignore_errors=True)

    print()
    print("| mutant | file | outcome | killed by | what it breaks for a user |")
    print("|---|---|---|---|---|")
    for m, status, by, _ in rows:
        note = m["breaks"] if status != "equivalent" else "equivalent: " + m["equivalent"]
        by = by if status == "killed" else ("-" if not by else "(%s)" % by)
        print("| %s | %s | %s | %s | %s |" % (m["id"], m["file"], status, by, note))
    counted = [r for r in rows if r[1] in ("killed", "SURVIVED", "inconclusive")]
    killed = sum(1 for r in counted if r[1] == "killed")
    n = {k: sum(1 for r in rows if r[1] == k) for k in ("equivalent", "did not build",
                                                          "inconclusive", "SURVIVED")}
    stale_n = len(mutants) - len(todo)
    print()
    print("killed %d of %d; %d inconclusive; %d equivalent; %d did not build; "
          "%d no longer apply (%.0f s)" % (killed, len(counted), n["inconclusive"],
                                           n["equivalent"], n["did not build"], stale_n,
                                           time.monotonic() - began))
    for status in ("SURVIVED", "inconclusive", "did not build"):
        ids = [r[0]["id"] for r in rows if r[1] == status]
        if ids:
            print("%s: %s" % (status.lower(), ", ".join(ids)))
    bad = n["SURVIVED"] + n["inconclusive"] + n["did not build"] + stale_n
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
