#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The layers of src/ (HACKING.md, "Layers"): every include points down or sideways.

Each folder of src/ is one layer; USES says which layers each may include besides its own
(the picture in HACKING.md, "Layers"); src/main.cpp and src/plugin.* sit on top and may use
any. Also: no .cpp/.hpp at the top of src/ but those, and no file under src/ past 400 lines.
"""
import os
import re
import sys

USES = {
    "base": [],
    "dns": ["base"],
    "plugin_kit": ["base"],
    "http": ["base"],
    "pexip": ["http", "base"],
    "probe": ["dns", "pexip", "http", "plugin_kit", "base"],
    "cli": ["probe", "http", "plugin_kit", "base"],
}
LAYERS = list(USES)
TOP_FILES = {"main.cpp", "plugin.cpp", "plugin.hpp"}
MAX_LINES = 400
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

srcdir = os.path.join(os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..")),
                      "src")
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("not ok - " + what)


def may_use(layer, to):
    return layer == "(top)" or to == layer or to in USES.get(layer, [])


for name in sorted(os.listdir(srcdir)):
    path = os.path.join(srcdir, name)
    if os.path.isdir(path):
        check(name in LAYERS, "src/%s/ is a layer listed in LAYERS" % name)
    elif name.endswith((".cpp", ".hpp")):
        check(name in TOP_FILES, "src/%s: only main.cpp and plugin.* live at the top" % name)

files = 0
for root, _dirs, names in os.walk(srcdir):
    for name in sorted(names):
        if not name.endswith((".cpp", ".hpp")):
            continue
        files += 1
        path = os.path.join(root, name)
        rel = os.path.relpath(path, srcdir)
        layer = rel.split(os.sep)[0] if os.sep in rel else "(top)"
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = text.count("\n")
        check(lines <= MAX_LINES, "src/%s has %d lines (at most %d)" % (rel, lines, MAX_LINES))
        for target in INCLUDE.findall(text):
            if target == "config.h":
                continue
            if "/" not in target:
                check(layer == "(top)" and target in TOP_FILES,
                      "src/%s includes \"%s\": name its layer folder" % (rel, target))
                continue
            to = target.split("/")[0]
            check(to in LAYERS, "src/%s includes \"%s\" from no known layer" % (rel, target))
            check(os.path.isfile(os.path.join(srcdir, target)),
                  "src/%s includes \"%s\", which does not exist" % (rel, target))
            check(may_use(layer, to),
                  "src/%s (layer %s) includes \"%s\": %s may use only %s" %
                  (rel, layer, target, layer, ", ".join(USES.get(layer, [])) or "itself"))

check(files > 0, "found the sources under %s" % srcdir)
print("ok - %d files of src/ checked: every include within %s" %
      (files, "; ".join("%s uses %s" % (k, ", ".join(v) or "nothing") for k, v in USES.items()))
      if failed == 0 else "layer check failed")
print("%d passed, %d failed, 0 skipped" % (passed, failed))  # nothing here can skip
sys.exit(1 if failed else 0)
