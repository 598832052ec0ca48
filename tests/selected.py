#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs one *.py test (make check's PY_LOG_COMPILER), unless the run deselects it.

CHECK_DESELECT: space-separated test paths (as in TESTS, e.g. tests/package/deb_test.py) that
this run leaves out on purpose; CHECK_DESELECT_REASON says why. A deselected test prints
"not selected - PATH: REASON" and "0 passed, 0 failed, 0 skipped" and exits 77:
tests/summarize.py counts it as "not selected", apart from passes and skips, and
CHECK_REQUIRE_ALL=1 does not make it a failure (a choice of the run, not something missing
on the machine). .ci/run deselects the package test in its sanitizer and distcheck runs (it
runs once per CI run, in the plain make check). Anything else: exec'd with this Python.
"""
import os
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: selected.py TEST.py [ARGS...]")
    script = sys.argv[1]
    norm = os.path.normpath(script)
    for name in os.environ.get("CHECK_DESELECT", "").split():
        name = os.path.normpath(name)
        if norm == name or norm.endswith(os.sep + name):
            reason = os.environ.get("CHECK_DESELECT_REASON") or "named in CHECK_DESELECT"
            print("not selected - %s: %s" % (name, reason), flush=True)
            print("0 passed, 0 failed, 0 skipped", flush=True)
            sys.exit(77)
    os.execv(sys.executable, [sys.executable] + sys.argv[1:])


if __name__ == "__main__":
    main()
