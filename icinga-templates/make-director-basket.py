#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the Icinga Director basket (director-basket.json) from the shipped Icinga 2 config.

    python3 icinga-templates/make-director-basket.py CHECKCOMMAND_FILE [SERVICE_FILE] \
        > icinga-templates/director-basket.json

CHECKCOMMAND_FILE holds `object CheckCommand "pexip-token"`; the `template Service
"pexip-token-service"` is read from SERVICE_FILE, or from CHECKCOMMAND_FILE when only one file
is given. The output depends on nothing but these files (no uuids, no dates), so the committed
basket can be compared with a fresh run (tests/doc_sync_test.py does).

What the basket holds, for Icinga Director 1.10 (Debian 12):
  - Command "pexip-token": every argument with its value, set_if, required and description,
    the command's default vars and its timeout, and one data field per variable;
  - ExternalCommand "ipv4-or-ipv6": the ITL template the CheckCommand imports (for
    $check_address$). External objects are never rendered by the Director; listing it makes
    the basket restore into a Director that has not run the kickstart;
  - DataList "pexip-token-states" (OK, WARNING, CRITICAL, UNKNOWN) for the --*-result options;
  - Datafields; those holding a secret or the place of one (PIN, PIN file) are hidden;
  - ServiceTemplate "pexip-token-service".
Director 1.10 Commands have no `env` (the icinga_command.env column is commented out in its
schema): an `env` block of the CheckCommand is left out and named on stderr; README.md,
"Icinga Director", gives the alternative.

Python 3 standard library only.
"""

import json
import re
import sys

COMMAND = "pexip-token"
SERVICE_TEMPLATE = "pexip-token-service"
STATES_LIST = "pexip-token-states"
STATES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
DT = "Icinga\\Module\\Director\\DataType\\"
# Variables whose value is a secret or says where one is: hidden in the Director's forms.
SECRET_VAR = re.compile(r"(^|_)(pin|pin_file|password|secret|token)$")


class ParseError(Exception):
    pass


class Parser:
    """Just enough of the Icinga 2 DSL for the shipped file: objects and templates with
    strings, numbers, durations, booleans, {{ }} functions, dictionaries and arrays."""

    def __init__(self, text):
        self.text = text
        self.pos = 0

    def error(self, what):
        line = self.text.count("\n", 0, self.pos) + 1
        raise ParseError("line %d: %s" % (line, what))

    def skip(self):
        while True:
            m = re.compile(r"(\s+|//[^\n]*|#[^\n]*|/\*.*?\*/)", re.S).match(self.text, self.pos)
            if not m or m.end() == self.pos:
                return
            self.pos = m.end()

    def peek(self, token):
        self.skip()
        return self.text.startswith(token, self.pos)

    def expect(self, token):
        if not self.peek(token):
            self.error("expected %r, found %r" % (token, self.text[self.pos:self.pos + 30]))
        self.pos += len(token)

    def string(self):
        self.skip()
        m = re.compile(r'"((?:[^"\\\n]|\\.)*)"').match(self.text, self.pos)
        if not m:
            self.error("expected a string")
        self.pos = m.end()
        return re.sub(r"\\(.)", lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)),
                      m.group(1))

    def ident(self):
        self.skip()
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(self.text, self.pos)
        if not m:
            self.error("expected a name")
        self.pos = m.end()
        return m.group(0)

    def key(self):
        return self.string() if self.peek('"') else self.ident()

    def value(self):
        """One value: ("string"|"number"|"bool"|"function"|"dict"|"array"|"expr", payload)."""
        self.skip()
        if self.peek("{{"):
            end = self.text.find("}}", self.pos + 2)
            if end < 0:
                self.error("unterminated {{")
            body = self.text[self.pos + 2:end].strip()
            self.pos = end + 2
            return ("function", body)
        if self.peek("{"):
            return ("dict", self.block())
        if self.peek("["):
            self.expect("[")
            items = []
            while not self.peek("]"):
                items.append(self.expression())
                if self.peek(","):
                    self.expect(",")
            self.expect("]")
            return ("array", items)
        if self.peek('"'):
            return ("string", self.string())
        m = re.compile(r"(true|false)\b").match(self.text, self.pos)
        if m:
            self.pos = m.end()
            return ("bool", m.group(1) == "true")
        m = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?\b").match(self.text, self.pos)
        if m:
            self.pos = m.end()
            n = float(m.group(1))
            scale = {None: 1, "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
            n *= scale
            return ("number", int(n) if n == int(n) else n)
        return ("expr", self.ident())

    def expression(self):
        """A value, or `NAME + "string"` (the command path)."""
        left = self.value()
        if self.peek("+") and not self.peek("+="):
            self.expect("+")
            right = self.value()
            return ("expr", "%s + %s" % (left[1], right[1]))
        return left

    def block(self):
        """A { } body: a list of (target, operator, value) statements; `import "x"` is
        ("import", "=", name)."""
        self.expect("{")
        out = []
        while not self.peek("}"):
            if self.peek("import") and re.match(r"import\s", self.text[self.pos:]):
                self.ident()
                out.append(("import", "=", self.string()))
                continue
            target = [self.key()]
            while self.peek(".") or self.peek("["):
                if self.peek("."):
                    self.expect(".")
                    target.append(self.key())
                else:
                    self.expect("[")
                    target.append(self.string())
                    self.expect("]")
            self.skip()
            m = re.compile(r"(\+=|=)").match(self.text, self.pos)
            if not m:
                self.error("expected = after %s" % ".".join(target))
            self.pos = m.end()
            out.append((".".join(target), m.group(1), self.expression()))
            if self.peek(";"):
                self.expect(";")
        self.expect("}")
        return out

    def find_block(self, kind, type_name, name):
        m = re.compile(r"^\s*%s\s+%s\s+\"%s\"\s*(?=\{)" % (kind, type_name, re.escape(name)),
                       re.M).search(self.text)
        if not m:
            return None
        self.pos = m.end()
        return self.block()


def plain(value):
    kind, payload = value
    if kind == "dict":
        return {k: plain(v) for k, _, v in payload}
    if kind == "array":
        return [plain(v) for v in payload]
    return payload


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def load_command(path):
    body = Parser(read(path)).find_block("object", "CheckCommand", COMMAND)
    if body is None:
        raise ParseError("%s: no object CheckCommand \"%s\"" % (path, COMMAND))
    cmd = {"imports": [], "arguments": [], "vars": [], "env": [], "command": None,
           "timeout": None}
    for target, op, value in body:
        if target == "import":
            cmd["imports"].append(value)
        elif target == "arguments":
            for name, _, arg in value[1]:
                if arg[0] == "dict":
                    cmd["arguments"].append((name, {k: v for k, _, v in arg[1]}))
                else:
                    cmd["arguments"].append((name, {"value": arg}))
        elif target == "env":
            cmd["env"] += [(k, plain(v)) for k, _, v in value[1]]
        elif target.startswith("env."):
            cmd["env"].append((target[4:], plain(value)))
        elif target.startswith("vars."):
            cmd["vars"].append((target[5:], plain(value)))
        elif target == "command":
            cmd["command"] = value
        elif target == "timeout":
            cmd["timeout"] = plain(value)
    return cmd


def load_service_template(path):
    body = Parser(read(path)).find_block("template", "Service", SERVICE_TEMPLATE)
    if body is None:
        raise ParseError("%s: no template Service \"%s\"" % (path, SERVICE_TEMPLATE))
    return {t: plain(v) for t, _, v in body if t != "import"}


def director_command_path(value):
    """`[ PluginContribDir + "/check_pexip_token" ]` -> `PluginContribDir + /check_pexip_token`
    (the Director keeps a constant prefix that way and renders the rest as a string)."""
    if value is None:
        raise ParseError("the CheckCommand has no command")
    if value[0] == "array":
        if len(value[1]) != 1:
            raise ParseError("command with more than one element")
        value = value[1][0]
    return value[1]


def macro_var(text):
    m = re.fullmatch(r"\$([a-z0-9_]+)\$", text or "")
    return m.group(1) if m else None


def arg_var(arg):
    """The custom variable an argument is fed from."""
    for key in ("value", "set_if"):
        if key in arg and arg[key][0] == "string" and macro_var(arg[key][1]):
            return macro_var(arg[key][1])
    return None


def caption(var):
    words = var[len("pexip_token_"):] if var.startswith("pexip_token_") else var
    return "Pexip token: " + words.replace("_", " ")


def build(cmd, service):
    defaults = dict(cmd["vars"])
    arguments = {}
    fields = []  # (varname, datatype, description, settings, required)
    for name, arg in cmd["arguments"]:
        out = {}
        for key in ("value", "set_if"):
            if key not in arg:
                continue
            kind, payload = arg[key]
            if kind == "function" and key == "value":
                # The Director's export form of an argument_format "expression" value.
                out[key] = {"type": "Function", "body": payload}
            elif kind == "function":
                out[key] = payload
                out[key + "_format"] = "expression"
            elif kind == "string":
                out[key] = payload
            else:
                raise ParseError("argument %s: %s of kind %s" % (name, key, kind))
        for key in ("required", "repeat_key", "skip_key"):
            if key in arg:
                out[key] = plain(arg[key])
        if "order" in arg:
            out["order"] = plain(arg["order"])
        if "description" in arg:
            out["description"] = plain(arg["description"])
        arguments[name] = out
        var = arg_var(arg)
        if not var:
            continue
        desc = plain(arg["description"]) if "description" in arg else ""
        if "value" not in arg:
            fields.append((var, DT + "DataTypeBoolean", desc, {}, False))
        elif name.endswith("-result"):
            fields.append((var, DT + "DataTypeDatalist", desc,
                           {"behavior": "strict", "data_type": "string",
                            "datalist": STATES_LIST}, False))
        else:
            required = bool(plain(arg.get("required", ("bool", False)))) and var not in defaults
            settings = {"visibility": "hidden"} if SECRET_VAR.search(var) else {}
            fields.append((var, DT + "DataTypeString", desc, settings, required))
    skipped_env = [k for k, _ in cmd["env"]]
    # No field for a variable only env uses: the Director could store it but never pass it.
    datafields = {}
    command_fields = []
    for i, (var, datatype, desc, settings, required) in enumerate(fields, 1):
        datafields[str(i)] = {
            "varname": var,
            "caption": caption(var),
            "description": desc,
            "datatype": datatype,
            "format": None,
            "originalId": str(i),
            "settings": settings,
            "category": None,
        }
        command_fields.append({"datafield_id": i, "is_required": "y" if required else "n",
                               "var_filter": None})

    command = {
        "arguments": arguments,
        "command": director_command_path(cmd["command"]),
        "fields": command_fields,
        "imports": list(cmd["imports"]),
        "methods_execute": "PluginCheck",
        "object_name": COMMAND,
        "object_type": "object",
    }
    if cmd["timeout"] is not None:
        command["timeout"] = str(cmd["timeout"])
    if defaults:
        command["vars"] = defaults

    template = {"object_name": SERVICE_TEMPLATE, "object_type": "template", "fields": []}
    for key, value in service.items():
        if key in ("check_interval", "retry_interval", "max_check_attempts"):
            template[key] = str(value)
        elif key == "check_command":
            template[key] = value
        elif key.startswith("vars."):
            template.setdefault("vars", {})[key[5:]] = value
        else:
            template[key] = value

    basket = {
        "Command": {COMMAND: command},
        "DataList": {STATES_LIST: {
            "list_name": STATES_LIST,
            "owner": "check_pexip_token",
            "entries": [{"entry_name": s, "entry_value": s, "format": "string",
                         "allowed_roles": None} for s in STATES],
        }},
        "Datafield": datafields,
        "ServiceTemplate": {SERVICE_TEMPLATE: template},
    }
    externals = {}
    for name in cmd["imports"]:
        externals[name] = {"object_name": name, "object_type": "external_object",
                           "methods_execute": "PluginCheck", "fields": []}
    if externals:
        basket["ExternalCommand"] = externals
    return basket, skipped_env


def render(paths):
    cmd = load_command(paths[0])
    service = load_service_template(paths[1] if len(paths) > 1 else paths[0])
    basket, skipped_env = build(cmd, service)
    return json.dumps(basket, indent=4, sort_keys=True, ensure_ascii=False) + "\n", skipped_env


def main(argv):
    if len(argv) not in (2, 3) or argv[1].startswith("-"):
        sys.stderr.write("usage: %s CHECKCOMMAND_FILE [SERVICE_FILE] > director-basket.json\n"
                         % argv[0])
        return 2
    try:
        text, skipped_env = render(argv[1:])
    except (OSError, ParseError) as err:
        sys.stderr.write("%s: %s\n" % (argv[0], err))
        return 1
    if skipped_env:
        sys.stderr.write("%s: note: Director 1.10 Commands have no env; left out: %s "
                         "(README.md, \"Icinga Director\")\n" % (argv[0], ", ".join(skipped_env)))
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
