#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Adds up the test cases of one or more automake build trees into one closing line.

Each test script prints its own "N passed, M failed"; the Boost.Test runner reports
"N test cases out of T passed/failed"; anything else counts as one case from its .trs.
A script whose .trs says FAIL or ERROR always counts at least one failure, so a crash after
its summary line cannot pass. Prints "N passed, M failed" last and exits 1 on any failure.
"""
import argparse
import pathlib
import re
import sys

OWN_LINE = re.compile(r"^(\d+) passed, (\d+) failed", re.M)
BOOST = re.compile(r"(\d+) test cases? out of \d+ (passed|failed)")


def count(log: pathlib.Path, trs: pathlib.Path):
    text = log.read_text(errors="replace")
    result = re.search(r":test-result: (\S+)", trs.read_text(errors="replace"))
    verdict = result.group(1) if result else "ERROR"
    passed = failed = 0
    own = OWN_LINE.findall(text)
    boost = BOOST.findall(text)
    if own:
        passed, failed = (int(n) for n in own[-1])
    elif boost:
        for number, word in boost:
            if word == "passed":
                passed += int(number)
            else:
                failed += int(number)
    elif verdict in ("PASS", "XFAIL"):
        passed = 1
    elif verdict != "SKIP":
        failed = 1
    if verdict in ("FAIL", "ERROR", "XPASS") and failed == 0:
        failed = 1
    return passed, failed, verdict


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps-passed", type=int, default=0)
    parser.add_argument("--steps-failed", type=int, default=0)
    parser.add_argument("trees", nargs="*")
    args = parser.parse_args()
    total_passed = total_failed = 0
    for tree in args.trees:
        for trs in sorted(pathlib.Path(tree).rglob("*.trs")):
            log = trs.with_suffix(".log")
            if not log.exists():
                continue
            passed, failed, verdict = count(log, trs)
            print(f"{tree}: {trs.relative_to(tree).with_suffix('')}: {verdict}, "
                  f"{passed} passed, {failed} failed")
            total_passed += passed
            total_failed += failed
    # Build, format and distcheck steps count as one case each.
    total_passed += args.steps_passed
    total_failed += args.steps_failed
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
