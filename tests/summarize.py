#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Adds up the test cases of automake test runs into one closing line.

Arguments: build trees (every *.trs under them) or .trs files (make check passes this run's).
What each test counts:
  - a script: its closing line "N passed, M failed, K skipped" (harness.summary_line), and
    its "skip - NAME: REASON" lines for the reasons; a case is a pass only when the script
    says so, a skip is never a pass;
  - the Boost.Test runner: "N test cases out of T passed/failed/skipped", less the cases
    that printed "skip - NAME: REASON" (tests/unit/test_support.hpp's CPT_SKIP), which count
    as skipped;
  - a test deselected by the run (tests/selected.py prints "not selected - PATH: REASON"):
    counted apart as "not selected", neither passed nor skipped;
  - a test that exits 77 with none of the above: one skip, its "SKIP: ..." line the reason;
  - anything else: one case from its .trs verdict.
A test whose .trs says FAIL or ERROR counts at least one failure, so a crash after its
summary line cannot pass. With CHECK_REQUIRE_ALL=1 in the environment (or --require-all),
every skip is also counted as a failure here, naming what is missing (the tests already do
this themselves; this catches one that does not).

Prints each skip and each deselection with its reason, then, last, exactly
"N passed, M failed, K skipped"; exits 1 on any failure. --brief leaves out the per-test lines.
"""
import argparse
import os
import pathlib
import re
import sys

OWN_LINE = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", re.M)
BOOST = re.compile(r"(\d+) test cases? out of \d+ (passed|failed|skipped)")
SKIP_LINE = re.compile(r"^skip - (.+)$", re.M)
NOT_SELECTED = re.compile(r"^not selected - (.+)$", re.M)
LEGACY_SKIP = re.compile(r"^SKIP: (.+)$", re.M)


def count(log: pathlib.Path, trs: pathlib.Path):
    """(passed, failed, skipped, skip reasons, not-selected reason or None, verdict)."""
    text = log.read_text(errors="replace")
    result = re.search(r":test-result: (\S+)", trs.read_text(errors="replace"))
    verdict = result.group(1) if result else "ERROR"
    passed = failed = skipped = 0
    reasons = SKIP_LINE.findall(text)
    deselected = NOT_SELECTED.findall(text)
    if deselected and verdict == "SKIP":
        return 0, 0, 0, [], deselected[-1], verdict
    own = OWN_LINE.findall(text)
    boost = BOOST.findall(text)
    if own:
        p, f, s = own[-1]
        passed, failed, skipped = int(p), int(f), int(s or 0)
    elif boost:
        for number, word in boost:
            if word == "passed":
                passed += int(number)
            elif word == "failed":
                failed += int(number)
            else:
                skipped += int(number)
        # A case that skipped itself through CPT_SKIP returned early: Boost calls it passed.
        moved = min(len(reasons), passed)
        passed -= moved
        skipped += moved
    elif verdict in ("PASS", "XFAIL"):
        passed = 1
    elif verdict == "SKIP":
        skipped = 1
        if not reasons:
            reasons = LEGACY_SKIP.findall(text)[-1:] or ["exit 77 without a reason"]
    else:
        failed = 1
    if skipped > len(reasons):
        reasons += ["(no reason printed)"] * (skipped - len(reasons))
    if verdict in ("FAIL", "ERROR", "XPASS") and failed == 0:
        failed = 1
    return passed, failed, skipped, reasons[:skipped] if skipped else [], None, verdict


def trs_files(args):
    out = []
    for arg in args:
        p = pathlib.Path(arg)
        if p.is_dir():
            out += [(arg, t) for t in sorted(p.rglob("*.trs"))]
        elif p.suffix == ".trs":
            out.append((None, p))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps-passed", type=int, default=0)
    parser.add_argument("--steps-failed", type=int, default=0)
    parser.add_argument("--brief", action="store_true", help="no per-test lines")
    parser.add_argument("--require-all", action="store_true",
                        default=os.environ.get("CHECK_REQUIRE_ALL", "") not in ("", "0"),
                        help="every skip is a failure (default: $CHECK_REQUIRE_ALL)")
    parser.add_argument("paths", nargs="*", help="build trees or .trs files")
    args = parser.parse_args()
    total_passed = total_failed = total_skipped = 0
    skips = []
    deselected = []
    failures = []
    for tree, trs in trs_files(args.paths):
        log = trs.with_suffix(".log")
        if not log.exists() or not trs.exists():
            continue
        name = str(trs.relative_to(tree).with_suffix("")) if tree else str(trs.with_suffix(""))
        label = "%s: %s" % (tree, name) if tree else name
        passed, failed, skipped, reasons, desel, verdict = count(log, trs)
        if desel is not None:
            deselected.append("%s: %s" % (label, desel))
            if not args.brief:
                print("%s: not selected" % label)
            continue
        if args.require_all and skipped:
            failures += ["%s: required, but skipped: %s" % (label, r) for r in reasons]
            failed += skipped
            skipped = 0
            reasons = []
        skips += ["%s: %s" % (label, r) for r in reasons]
        if failed:
            failures.append("%s: %d failed (see %s)" % (label, failed, log))
        if not args.brief:
            print("%s: %s, %d passed, %d failed, %d skipped" % (label, verdict, passed, failed,
                                                                skipped))
        total_passed += passed
        total_failed += failed
        total_skipped += skipped
    # Build, format and distcheck steps count as one case each.
    total_passed += args.steps_passed
    total_failed += args.steps_failed
    for line in deselected:
        print("not selected: %s" % line)
    if deselected:
        print("%d not selected (CHECK_DESELECT: left out on purpose by this run; counted "
              "neither as passed nor as skipped)" % len(deselected))
    for line in failures:
        print("failed: %s" % line)
    for line in skips:
        print("skipped: %s" % line)
    print("%d passed, %d failed, %d skipped" % (total_passed, total_failed, total_skipped))
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
