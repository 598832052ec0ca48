# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for the Icinga 2 and NRPE tests (Python 3 stdlib only).

They build on tests/functional/harness.py (temporary directory, certificates made by
gen_certs.sh, the fake conferencing node on 127.0.0.1, the report) and add what the real
daemons need: the account they run as, a copy of the plugin that account can execute,
locating the programs, a free loopback port and starting/stopping a daemon in its own
process group.
"""

import fcntl
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get("TOP_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP_SRCDIR, "tests", "functional"))

import harness  # noqa: E402  (tests/functional/harness.py)

TEMPLATES = os.path.join(TOP_SRCDIR, "icinga-templates")
# The CheckCommand alone (the .deb puts it in Icinga's plugins-contrib.d) and the example
# Service template + apply rule that use it.
CONF = os.path.join(TEMPLATES, "pexip.conf")
SERVICES_EXAMPLE = os.path.join(TEMPLATES, "services.conf.example")
HOSTS_EXAMPLE = os.path.join(TEMPLATES, "hosts.conf.example")
NRPE_EXAMPLE = os.path.join(TEMPLATES, "nrpe.cfg.example")
# The file with object CheckCommand "pexip-token", and the one with the Service template
# "pexip-token-service" and the apply rule. The cluster and Director tests and the basket
# generator read them from here.
CHECKCOMMAND_CONF = CONF
SERVICES_CONF = SERVICES_EXAMPLE
# The Icinga Director basket, and the script that writes it from the two files above.
DIRECTOR_BASKET = os.path.join(TEMPLATES, "director-basket.json")
DIRECTOR_GENERATOR = os.path.join(TEMPLATES, "make-director-basket.py")
# Where the shipped examples expect the plugin (Debian's plugin directory).
INSTALLED_PLUGIN = "/usr/lib/nagios/plugins/check_pexip_token"


# Held (flock) by every test that loads an Icinga 2 config with `include <plugins-contrib>` and
# by tests/package/deb_test.py while the .deb is installed: its plugins-contrib.d/pexip.conf
# plus a test's own copy of the CheckCommand would be a duplicate object. One path that every
# run on the machine shares (Debian's /run/lock is 1777): no fallback, so that two runs always
# exclude each other; a /run/lock that cannot be written is a clear failure, not a quiet /tmp.
PLUGINS_CONTRIB_LOCK = "/run/lock/check-pexip-token-plugins-contrib.lock"
# How long a test waits for the lock: the package test holds it across a whole apt install,
# test and purge (about 2 minutes on 2 cores, more beside a sanitizer build).
PLUGINS_CONTRIB_LOCK_WAIT = 900


def plugins_contrib_lock(suite=None, wait=None):
    """Blocks until this process holds the plugins-contrib lock; returns the open file (the
    lock goes with it, at the latest when the process exits). Take it BEFORE the Suite arms
    its watchdog (the wait has its own bound). On failure (the lock's directory not writable,
    or not held within `wait` seconds) prints "not ok - ..." with the reason and, with a
    suite, ends it; without one, exits 1 with the usual summary line."""
    path = PLUGINS_CONTRIB_LOCK
    wait = PLUGINS_CONTRIB_LOCK_WAIT if wait is None else wait
    name = "the plugins-contrib lock %s" % path
    why = None
    f = None
    try:
        f = open(path, "a")
        try:
            os.chmod(path, 0o666)  # shared by root's and a developer's runs
        except OSError:
            pass
    except OSError as exc:
        why = "cannot open it (%s): every run must share this one path" % exc
    if f is not None:
        deadline = time.monotonic() + wait
        announced = False
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not announced:
                    print("# waiting up to %d s for %s (held by another test, e.g. the "
                          "package test)" % (wait, name), flush=True)
                    announced = True
                if time.monotonic() > deadline:
                    why = "not free after %d s: another run holds it (see lsof %s)" % (
                        wait, path)
                    break
                time.sleep(0.5)
    if why is None:
        return f
    if suite is not None:
        suite.fail(name, why)
        suite.finish()
    print("not ok - %s: %s" % (name, why), flush=True)
    print(harness.summary_line(0, 1, 0), flush=True)
    sys.exit(1)


def find_program(name, extra_dirs=("/usr/sbin", "/sbin", "/usr/lib/nagios/plugins")):
    """A program on PATH or in the usual sbin/plugin directories (not on a user's PATH)."""
    exe = shutil.which(name)
    if exe:
        return exe
    for d in extra_dirs:
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def skip_unless(programs, package_hint):
    """Skips the whole script (harness.skip_script: exit 77, or a failure under
    CHECK_REQUIRE_ALL=1), saying what is missing, unless every program is found; returns
    their paths."""
    found = {}
    missing = []
    for name in programs:
        exe = find_program(name)
        if exe:
            found[name] = exe
        else:
            missing.append(name)
    if missing:
        harness.skip_script("%s not installed (Debian 12: apt-get install %s; "
                            ".ci/install-deps does it)" % (", ".join(missing), package_hint))
    return found


class Account:
    """The user the daemons run as: nagios when we are root (as Debian's services do), else
    whoever runs the test."""

    def __init__(self):
        self.root = os.geteuid() == 0
        pw = None
        if self.root:
            try:
                pw = pwd.getpwnam("nagios")
            except KeyError:
                pw = None
        if pw is None:
            pw = pwd.getpwuid(os.geteuid())
        self.user = pw.pw_name
        self.uid = pw.pw_uid
        self.gid = pw.pw_gid
        try:
            self.group = grp.getgrgid(self.gid).gr_name
        except KeyError:
            self.group = str(self.gid)

    def give(self, *paths):
        """Hands paths (files or directories) to the account, when we are root."""
        for p in paths:
            if self.root:
                os.chown(p, self.uid, self.gid)

    def mkdirs(self, base, *names):
        """Directories under base that the account owns; returns {name: path}."""
        out = {}
        for n in names:
            p = os.path.join(base, n)
            os.makedirs(p, exist_ok=True)
            self.give(p)
            out[n] = p
        return out

    def run_kwargs(self):
        """subprocess keyword arguments that run a child as the account."""
        if not self.root or self.uid == 0:
            return {}
        if sys.version_info >= (3, 9):
            return {"user": self.uid, "group": self.gid, "extra_groups": []}
        uid, gid = self.uid, self.gid

        def drop():
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        return {"preexec_fn": drop}


def open_up(suite, certs=True):
    """Lets the account traverse the suite's temporary directory (made 0700) and read the
    certificates there; keys stay private to the fake node."""
    os.chmod(suite.tmp, 0o755)
    if not certs:
        return
    certs = suite.certs()
    os.chmod(certs["dir"], 0o755)
    for name in ("ca.pem",):
        os.chmod(certs[name], 0o644)


def install_plugin(suite, account):
    """Copies the built plugin into <tmp>/plugins (the test's PluginContribDir), executable
    by the account even when the build tree is not readable to it. Returns the path."""
    d = os.path.join(suite.tmp, "plugins")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    dst = os.path.join(d, "check_pexip_token")
    shutil.copy2(suite.exe, dst)
    os.chmod(dst, 0o755)
    return dst


def daemon_env(suite):
    """The environment for the daemons (and so for the plugin they run): the harness's
    scrubbed one, with any sanitizer suppressions file copied where the account can read it
    (a sanitizer build run by root from a private checkout would otherwise die on it)."""
    return suite.env_for_others()


def pin_file(suite, account, pin):
    """A PIN file readable by the account and its group only (0640), as the docs say."""
    path = suite.write_file("pexip.pin", pin + "\n", mode=0o640)
    os.chmod(os.path.dirname(path), 0o755)
    if account.root:
        os.chown(path, 0, account.gid)
    return path


class PortReservation:
    """A TCP port on 127.0.0.1 held for a daemon the test starts: bound (never listening) with
    SO_REUSEADDR until release(). While it is held the kernel gives the port to no outgoing
    connection and to no other bind(port 0), and a daemon that binds with SO_REUSEADDR (icinga2
    and nrpe do) can still bind and listen on it. Release it once the daemon listens."""

    def __init__(self):
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        for _attempt in range(20):
            try:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            finally:
                probe.close()
            held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                held.bind(("127.0.0.1", port))  # taken in the microseconds between: next
            except OSError:
                held.close()
                probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                continue
            self.port = port
            self._sock = held
            return
        raise RuntimeError("no free loopback port could be reserved")

    def release(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def free_port():
    """A PortReservation (see there): .port, .release() once the daemon listens."""
    return PortReservation()


class Daemon:
    """A daemon started by the test in its own session (process group), stopped with
    SIGTERM to that group, then SIGKILL; output goes to a log file."""

    def __init__(self, name, cmd, log_path, env=None, cwd=None):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                     start_new_session=True)
        self.pgid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def group_alive(self):
        try:
            os.killpg(self.pgid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def stop(self, grace=10.0):
        """SIGTERM to the group, SIGKILL after grace seconds. Returns seconds it took, or
        None if it had to be killed."""
        start = time.monotonic()
        took = None
        try:
            os.killpg(self.pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = start + grace
        while time.monotonic() < deadline:
            self.proc.poll()
            if not self.group_alive():
                took = time.monotonic() - start
                break
            time.sleep(0.05)
        if took is None:
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()
        return took

    def pids(self):
        """Every process of the daemon's process group (from /proc)."""
        out = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
                # pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses
                fields = stat[stat.rindex(")") + 2:].split()
                if int(fields[2]) == self.pgid:
                    out.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
        return out

    def listening(self):
        """[(address, port)] of the TCP sockets the daemon's processes listen on, from
        /proc/net/tcp{,6} and their open file descriptors."""
        inodes = set()
        for pid in self.pids():
            fd_dir = "/proc/%d/fd" % pid
            try:
                for fd in os.listdir(fd_dir):
                    try:
                        target = os.readlink(os.path.join(fd_dir, fd))
                    except OSError:
                        continue
                    m = re.match(r"socket:\[([0-9]+)\]", target)
                    if m:
                        inodes.add(m.group(1))
            except OSError:
                continue
        out = []
        for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
            try:
                with open(table) as f:
                    rows = f.read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                cols = row.split()
                if len(cols) < 10 or cols[3] != "0A" or cols[9] not in inodes:
                    continue
                addr_hex, port_hex = cols[1].split(":")
                raw = bytes.fromhex(addr_hex)
                if family == 4:
                    addr = socket.inet_ntop(socket.AF_INET, raw[::-1])
                else:
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    addr = socket.inet_ntop(socket.AF_INET6, words)
                out.append((addr, int(port_hex, 16)))
        return sorted(set(out))

    def tail(self, n=15):
        try:
            with open(self.log_path, errors="replace") as f:
                return " / ".join(f.read().splitlines()[-n:])
        except OSError:
            return ""


def _scalar(raw):
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        return raw[1:-1]
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    if raw.startswith("[") and raw.endswith("]"):
        return re.findall(r'"((?:[^"\\]|\\.)*)"', raw) if raw.strip("[ ]") else []
    try:
        return float(raw) if "." in raw else int(raw)
    except ValueError:
        return raw


def parse_object_list(text):
    """`icinga2 object list` output -> {object name: nested dict of attributes}. Function
    values become dicts of their description (type = "Function")."""
    objects = {}
    stack = []
    for line in text.splitlines():
        m = re.match(r"^Object '(.*)' of type '(.*)':$", line)
        if m:
            obj = {"__type": m.group(2)}
            objects[m.group(1)] = obj
            stack = [(0, obj)]
            continue
        m = re.match(r"^( +)\* (.+?)(?: = (.*))?$", line)
        if not m or not stack:
            continue
        level = len(m.group(1)) // 2
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1]
        if m.group(3) is None:
            child = {}
            parent[m.group(2)] = child
            stack.append((level, child))
        else:
            parent[m.group(2)] = _scalar(m.group(3))
    return objects


def normalize(line):
    """A status line with its measurements masked: the numbers that differ between two runs
    (times with a decimal point, and certificate days, which tick over when a second passes
    a whole day after the certificate was made) become N, everything else must be the same."""
    line = re.sub(r"[0-9]+\.[0-9]+", "N", line.rstrip())
    line = re.sub(r"('cert_days'=)[0-9]+", r"\1N", line)
    return re.sub(r"\b[0-9]+ (days?\b)", r"N \1", line)


def help_options(exe):
    """{long option: (takes a value, description)} parsed from `check_pexip_token --help`."""
    out = subprocess.run([exe, "--help"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=20).stdout.decode("utf-8", "replace")
    opts = {}
    current = None
    for line in out.splitlines():
        m = re.match(r"^ (?:-[A-Za-z0-9], )?--([a-z0-9-]+)(=\S+)?\s*$", line)
        if m:
            current = m.group(1)
            opts[current] = [bool(m.group(2)), ""]
            continue
        if current and line.startswith("    ") and line.strip():
            opts[current][1] = (opts[current][1] + " " + line.strip()).strip()
            continue
        current = None
    return {k: (v[0], v[1]) for k, v in opts.items()}, out
