#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mutation check: does the test suite notice when the code is changed on purpose?

Each mutant in mutants.json replaces one exact piece of text in one file of src/. The runner
copies the source tree to a scratch directory (the work tree is never touched), configures
and builds it once, then for each mutant: applies it, rebuilds incrementally, runs the
mutant's tests in order (fast ones first) until one fails (killed) or all pass (survived),
and restores the file. It prints a table and "killed K of N", and removes the scratch
directory (unless --keep).

    run.py --check            every original text occurs exactly once (what CI runs, <1 s)
    run.py                    the whole list (about a minute a mutant on 2 cores)
    run.py --only ID,ID       some mutants
"""
import argparse
import json
import os
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


def source_files(srcdir, suffixes):
    """Every file under src/ (its layer folders included) as "src/...", sorted."""
    found = []
    for root, _dirs, names in os.walk(os.path.join(srcdir, "src")):
        for name in names:
            if name.endswith(suffixes):
                found.append(os.path.relpath(os.path.join(root, name), srcdir))
    return sorted(found)


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
    # Help re-anchoring after files were split or renamed: where is the text now?
    elsewhere = []
    for name in source_files(srcdir, (".cpp", ".hpp")):
        if name != m["file"]:
            with open(os.path.join(srcdir, name), encoding="utf-8", errors="replace") as f:
                n = f.read().count(m["original"])
            if n:
                elsewhere.append("%s (%d)" % (name, n))
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
    uncovered = [n for n in source_files(srcdir, (".cpp",)) if n not in files]
    equivalent = sum(1 for m in mutants if m.get("equivalent"))
    print("%d mutants (%d marked equivalent) over %d files; %d apply, %d no longer apply" %
          (len(mutants), equivalent, len(files), len(mutants) - bad, bad))
    if uncovered:
        print("files of src/ without a mutant: %s" % ", ".join(uncovered))
    return 0 if bad == 0 else 1


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
        return env

    def test(self, name):
        """Runs one test: (passed, seconds)."""
        if name.startswith("unit:"):
            cmd = [os.path.join(self.build, "tests", "unit_tests"), "--run_test=" + name[5:]]
        else:
            cmd = [sys.executable, os.path.join(self.src, "tests", "functional", name)]
        rc, _, seconds = run(cmd, self.build, env=self.env(), timeout=TEST_TIMEOUT, log=self.log)
        return rc == 0, seconds


def mutate(tree, m):
    """Applies m, builds, runs its tests; always restores the file. Returns (status, by, s)."""
    path = os.path.join(tree.src, m["file"])
    with open(path, encoding="utf-8") as f:
        original = f.read()
    start = time.monotonic()
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original.replace(m["original"], m["replacement"], 1))
        rc, _, _ = tree.make()
        if rc != 0:
            return "build failed", "", time.monotonic() - start
        for name in m["tests"]:
            passed, _ = tree.test(name)
            if not passed:
                return "killed", name, time.monotonic() - start
        return "SURVIVED", "", time.monotonic() - start
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="only check that every mutant still applies (fast; what CI runs)")
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--list", default=os.path.join(HERE, "mutants.json"))
    ap.add_argument("--srcdir", default=DEFAULT_SRCDIR, help="the tree to copy (default: ours)")
    ap.add_argument("--scratch", help="scratch directory (default: a new one under $TMPDIR); "
                    "an existing one from --keep is reused, already configured")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--configure-args", default="",
                    help="extra configure arguments (no -Werror: a warning is not a kill)")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip running the selected tests on the unmutated tree first")
    ap.add_argument("--run-equivalent", action="store_true",
                    help="also run the mutants marked equivalent")
    args = ap.parse_args(argv)
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

    stale = [(m, applicability(srcdir, m)) for m in mutants]
    for m, why in stale:
        if why:
            print("NO LONGER APPLIES (skipped): %s: %s" % (m["id"], why))
    todo = [m for m, why in stale if not why]
    scratch = args.scratch or tempfile.mkdtemp(prefix="cpt-mutation-",
                                               dir=os.environ.get("TMPDIR") or None)
    os.makedirs(scratch, exist_ok=True)
    log = os.path.join(scratch, "mutation.log")
    rows = []
    try:
        tree = Tree(scratch, srcdir, args.configure_args.split(), args.jobs, log)
        runnable = [m for m in todo if args.run_equivalent or not m.get("equivalent")]
        if not args.no_baseline:
            names = []
            for m in runnable:
                names += [t for t in m["tests"] if t not in names]
            for name in names:
                passed, seconds = tree.test(name)
                print("baseline %-28s %s (%.0f s)" % (name, "passes" if passed else "FAILS",
                                                      seconds), flush=True)
                if not passed:
                    raise SystemExit("%s fails without any mutant: fix that first (log: %s)" %
                                     (name, log))
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
        print("| %s | %s | %s | %s | %s |" % (m["id"], m["file"], status, by or "-", note))
    counted = [r for r in rows if r[1] in ("killed", "SURVIVED")]
    killed = sum(1 for r in counted if r[1] == "killed")
    print()
    print("killed %d of %d" % (killed, len(counted)) +
          "; %d equivalent" % sum(1 for r in rows if r[1] == "equivalent") +
          "; %d did not build" % sum(1 for r in rows if r[1] == "build failed") +
          "; %d no longer apply" % (len(mutants) - len(todo)))
    survivors = [r[0]["id"] for r in counted if r[1] == "SURVIVED"]
    if survivors:
        print("survivors: %s" % ", ".join(survivors))
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main())
