# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for the functional tests (Python 3 stdlib only).

A test script does:

    import harness
    suite = harness.Suite("name")          # exits 77 if python3 or openssl are missing
    fake = suite.fake()                    # a fake node with the CA-signed localhost cert
    r = suite.plugin(["-H", "localhost", "-p", fake.port, "--ca-file", suite.ca, "-a", "meet"])
    suite.check("name", r.expect(0, r"^PEXIP TOKEN OK: "))
    ...
    suite.skip("name", "why")              # a case that cannot run here (see skip())
    suite.finish()                         # prints "N passed, M failed, K skipped", exits 0/1/77

Every plugin run goes through `timeout`, with stdout and stderr captured apart, and every
result is checked against the output rules that hold in all cases (see Result.common()).
Scratch files live in one temporary directory per script (never in the source tree); it is
removed at the end unless CPT_KEEP_TMP is set.
"""

import atexit
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_NODE = os.path.join(HERE, "fake_node.py")
GEN_CERTS = os.path.join(HERE, "gen_certs.sh")

STATES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
LINE1_RE = re.compile(r"^PEXIP TOKEN (OK|WARNING|CRITICAL|UNKNOWN): ")
PERF_ITEM_RE = re.compile(r"^'[a-z0-9_.-]+'=-?[0-9]+(\.[0-9]+)?(s)?(;[^; ]*){0,4}$")
OK_LABELS = ["time", "time_dns", "time_connect", "time_tls", "time_server", "time_transfer",
             "time_release"]
MAX_OUTPUT = 8192
# Extra seconds every timing assertion allows: set when the plugin runs under a slow wrapper
# (make check-valgrind sets CPT_TIMING_SLACK); nothing else is relaxed.
TIMING_SLACK = float(os.environ.get("CPT_TIMING_SLACK") or 0)
# Under such a wrapper a TLS handshake alone takes most of a second: a test whose outcome needs
# work done before a short -t (a token before a hanging release, an answer before a deadline)
# gives the plugin stretch(t) instead of t.
DEADLINE_STRETCH = 4 if TIMING_SLACK else 0


def stretch(seconds):
    return seconds + DEADLINE_STRETCH


# What a run of this build costs that the plugin's -t does not govern: exec, dynamic loading,
# sanitizer start-up, the leak check at exit, a loaded machine. Measured once per script by
# timing no-op runs (--help, which starts no network), and added to every max_seconds, so a
# slow build or machine cannot fail a deadline that the plugin keeps, while a deadline that is
# not kept (seconds late, or never) still fails. Capped: a no-op run that took longer than
# this is itself a problem to see, not to absorb.
STARTUP_CAP = 5.0
# A loaded machine slows every process the same way: the part of a deadline run the plugin
# does not govern (exec, TLS set-up, the timer's wake-up, output, exit) costs about as much as
# a few no-op runs. A bound allows LOAD_FACTOR times the start-up measured in the same script,
# and when a run overshoots that, once more with a start-up measured right then, under the
# same load. What the plugin controls is exact in any case (see WALL_GRACE).
LOAD_FACTOR = 3
# On top of that, every wall-clock bound allows WALL_GRACE seconds for what a loaded machine
# adds to a run the plugin ends in time: the scheduler (2 cores shared with a make -j2 and
# eight concurrent cases), the sanitizers' leak check at exit, the fake's side of a slow
# connection. A bound is "the deadline the plugin keeps" + this; what the plugin controls is
# checked apart and exactly: the line it prints ("timeout after 3 s (stage)") and that it did
# not give up before its deadline (min_t). A deadline not kept at all ends at the backstop
# (-t + 5 s) or never, which every bound here still fails.
WALL_GRACE = 1.0
_startup = {"seconds": None, "measure": None, "now": None}
_startup_lock = threading.Lock()


def startup_seconds():
    """The measured cost of a no-op run (0 until a Suite can measure it)."""
    with _startup_lock:
        if _startup["seconds"] is None:
            _startup["seconds"] = _startup["measure"]() if _startup["measure"] else 0.0
        return _startup["seconds"]


def startup_now():
    """The cost of a no-op run measured now (under the load of this moment), capped."""
    return min(_startup["now"](), STARTUP_CAP) if _startup["now"] else 0.0


# CHECK_REQUIRE_ALL=1 (.ci/run sets it): every skip is a failure that names what is missing.
REQUIRE_ALL = os.environ.get("CHECK_REQUIRE_ALL", "") not in ("", "0")


def summary_line(passed, failed, skipped):
    """The closing line of every test script, which tests/summarize.py adds up."""
    return "%d passed, %d failed, %d skipped" % (passed, failed, skipped)


def skip_line(name, reason):
    """The one skip mechanism of the suite. Returns the line to print for a case that cannot
    run here: "skip - NAME: REASON" (counted as skipped, never as passed), or under
    CHECK_REQUIRE_ALL=1 "not ok - NAME: cannot run: REASON" (a failure); and whether it is a
    failure."""
    reason = reason.replace("\n", " ").strip()
    if REQUIRE_ALL:
        return ("not ok - %s: cannot run here: %s (CHECK_REQUIRE_ALL=1: a skip is a failure)"
                % (name, reason), True)
    return "skip - %s: %s" % (name, reason), False


def skip_script(reason, name=None):
    """The whole script cannot run here (a program or privilege is missing): prints the skip
    (or, under CHECK_REQUIRE_ALL=1, the failure) and its summary line, and exits 77 (or 1)."""
    name = name or os.path.basename(sys.argv[0] or "test")
    line, failure = skip_line(name, reason)
    print(line, flush=True)
    print(summary_line(0, 1, 0) if failure else summary_line(0, 0, 1), flush=True)
    sys.exit(1 if failure else 77)


# Environment variables that could send the plugin anywhere but the fake, or change what it
# trusts or reads: never passed on.
_SCRUB = re.compile(r"^(?i:(http|https|ftp|all|no)_proxy|curl_.*|ssl_cert_(file|dir)|"
                    r"mp_config_file|nagios_config_path|lc_.*|lang|language|"
                    # the PIN reaches a plugin run only where a test sets it
                    r"check_pexip_token_pin)$")


def _which(name):
    return shutil.which(name)


def find_openssl():
    exe = os.environ.get("OPENSSL", "")
    if exe and exe != "no" and (os.path.isabs(exe) and os.access(exe, os.X_OK) or _which(exe)):
        return exe
    return _which("openssl")


def plugin_path():
    exe = os.environ.get("CHECK_PEXIP_TOKEN")
    if exe:
        return exe
    top = os.environ.get("TOP_BUILDDIR") or os.getcwd()
    return os.path.join(top, "check_pexip_token")


class Result:
    """One plugin run."""

    def __init__(self, argv, rc, stdout, stderr, elapsed, timed_out):
        self.argv = argv
        self.rc = rc
        self.raw = stdout
        self.raw_err = stderr
        self.out = stdout.decode("utf-8", errors="replace")
        self.err = stderr.decode("utf-8", errors="replace")
        self.elapsed = elapsed
        self.timed_out = timed_out
        self.lines = self.out.split("\n")
        self.line1 = self.lines[0] if self.lines else ""
        m = LINE1_RE.match(self.line1)
        self.state = m.group(1) if m else None
        head, sep, perf = self.line1.partition("|")
        self.summary = head[len(m.group(0)):].rstrip() if m else head
        self.perf_text = perf.strip() if sep else None
        self.perf = {}
        self.perf_items = self.perf_text.split() if self.perf_text else []
        for item in self.perf_items:
            label, _, rest = item.partition("=")
            fields = rest.split(";")
            mv = re.match(r"^(-?[0-9]+(?:\.[0-9]+)?)([a-zA-Z%]*)$", fields[0])
            self.perf[label.strip("'")] = {
                "value": float(mv.group(1)) if mv else None, "uom": mv.group(2) if mv else None,
                "warn": fields[1] if len(fields) > 1 else "",
                "crit": fields[2] if len(fields) > 2 else "",
                "min": fields[3] if len(fields) > 3 else "",
                "max": fields[4] if len(fields) > 4 else "",
                "raw": item,
            }

    def describe(self):
        out = self.out if len(self.out) < 1500 else self.out[:1500] + "...[cut]"
        return "rc=%s elapsed=%.2fs stdout=%r stderr=%r" % (self.rc, self.elapsed, out,
                                                           self.err[:300])

    # ---- rules for every run -----------------------------------------------------------
    def common(self, raw=False):
        """Problems that break the output rules in any case; raw: --help/--version text."""
        p = []
        if self.timed_out:
            p.append("the plugin did not finish (killed by the test's timeout)")
            return p
        if self.rc not in (0, 1, 2, 3):
            p.append("exit code %s is not 0-3" % self.rc)
        if self.raw_err:
            p.append("stderr is not empty: %r" % self.err[:300])
        if not self.raw:
            p.append("stdout is empty")
            return p
        if len(self.raw) > MAX_OUTPUT:
            p.append("output is %d bytes (> %d)" % (len(self.raw), MAX_OUTPUT))
        if not self.raw.endswith(b"\n"):
            p.append("output does not end with a newline")
        try:
            self.raw.decode("utf-8")
        except UnicodeDecodeError:
            p.append("output is not valid UTF-8")
        bad = sorted({c for c in self.out if (ord(c) < 32 and c not in "\n\t") or
                      0x7f <= ord(c) <= 0x9f})
        if bad:
            p.append("control characters in the output: %r" % "".join(bad))
        pipes = [i for i, line in enumerate(self.lines) if "|" in line]
        if raw:
            if pipes:
                p.append("'|' in the output (line %d)" % (pipes[0] + 1))
            return p
        if not self.state:
            p.append("line 1 does not start with 'PEXIP TOKEN <STATE>: ': %r" % self.line1[:200])
        elif self.rc in (0, 1, 2, 3) and STATES[self.rc] != self.state:
            p.append("line 1 says %s but the exit code is %s" % (self.state, self.rc))
        if [i for i in pipes if i != 0]:
            p.append("'|' outside line 1 (line %d)" % ([i for i in pipes if i != 0][0] + 1))
        if self.line1.count("|") > 1:
            p.append("more than one '|' on line 1")
        if self.line1 != self.line1.rstrip() or "  |" in self.line1:
            p.append("stray whitespace on line 1: %r" % self.line1[:300])
        if self.perf_text is not None:
            if not self.line1.split("|")[0].endswith(" ") or not self.perf_items:
                p.append("malformed perfdata part: %r" % self.line1)
            seen = set()
            for item in self.perf_items:
                if not PERF_ITEM_RE.match(item):
                    p.append("perfdata item %r does not match the grammar" % item)
                label = item.partition("=")[0]
                if label in seen:
                    p.append("perfdata label %s twice" % label)
                seen.add(label)
        return p

    # ---- expectations -------------------------------------------------------------------
    def expect(self, rc, line1=None, has=(), lacks=(), raw=False, max_seconds=None):
        """Returns a list of problems (empty = pass)."""
        p = self.common(raw=raw)
        if p and self.timed_out:
            return p
        if rc is not None and self.rc != rc:
            p.append("exit code %s, expected %s" % (self.rc, rc))
        if line1 is not None and not re.match(line1, self.line1):
            p.append("line 1 %r does not match %r" % (self.line1[:300], line1))
        for rx in has:
            if not re.search(rx, self.out, re.M):
                p.append("output lacks %r" % rx)
        for rx in lacks:
            if re.search(rx, self.out, re.M):
                p.append("output has %r" % rx)
        if max_seconds is not None:
            startup = startup_seconds()
            allowed = max_seconds + TIMING_SLACK + WALL_GRACE + LOAD_FACTOR * startup
            if self.elapsed > allowed:
                startup = max(startup, startup_now())  # the same load as this run's?
                allowed = max_seconds + TIMING_SLACK + WALL_GRACE + LOAD_FACTOR * startup
            if self.elapsed > allowed:
                p.append("took %.2f s (> %.2f s = %.2f s + %.1f s grace + %d x %.2f s no-op "
                         "run measured under this load)" %
                         (self.elapsed, allowed, max_seconds + TIMING_SLACK, WALL_GRACE,
                          LOAD_FACTOR, startup))
        return p


class Fake:
    """A fake_node.py process and its control port."""

    def __init__(self, suite, cert="localhost", mode="tls", client_ca=None, config=None,
                 name=None, bind=None, port=None):
        self.suite = suite
        self.name = name or "%s-%s" % (mode, cert)
        d = tempfile.mkdtemp(prefix="fake-", dir=suite.tmp)
        self.dir = d
        port_file = os.path.join(d, "port")
        cport_file = os.path.join(d, "control-port")
        cmd = [sys.executable, FAKE_NODE, "--port-file", port_file,
               "--control-port-file", cport_file, "--max-lifetime", str(suite.lifetime),
               "--parent-pid", str(os.getpid()), "--log", os.path.join(d, "requests.log")]
        if mode == "tls":
            certs = suite.certs()
            cmd += ["--cert", certs[cert + ".pem"], "--key", certs[cert + ".key"]]
            if client_ca:
                cmd += ["--ca", certs[client_ca + ".pem"]]
        elif mode == "reset":
            cmd += ["--plain-reset"]
        elif mode == "hang":
            cmd += ["--plain-hang"]
        elif mode in ("reset-mid", "garbage", "fin"):
            certs = suite.certs()
            cmd += ["--plain-mode", mode, "--cert", certs[cert + ".pem"],
                    "--key", certs[cert + ".key"]]
        else:
            raise ValueError(mode)
        if config:
            cmd += ["--config", json.dumps(config)]
        if port:
            cmd += ["--port", str(port)]  # e.g. 443 inside a private network namespace
        if bind:
            cmd += ["--bind", bind]  # TLS mode only: "::1" for IPv6 literal cases
        self.log = open(os.path.join(d, "stderr.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=suite.fake_env())
        suite.fakes.append(self)
        deadline = time.time() + 15
        while not (os.path.exists(port_file) and os.path.exists(cport_file)):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                with open(os.path.join(d, "stderr.log"), errors="replace") as f:
                    raise RuntimeError("fake node %s did not start: %s" % (self.name, f.read()))
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = f.read().strip()
        with open(cport_file) as f:
            self.control_port = int(f.read())
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, what, data=None):
        url = "http://127.0.0.1:%d/__fake/%s" % (self.control_port, what)
        body = None if data is None else json.dumps(data).encode()
        req = urllib.request.Request(url, data=body, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
        with self._opener.open(req, timeout=10) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def reset(self):
        return self._call("reset", {})

    def configure(self, **change):
        return self._call("config", change)

    def defaults(self):
        return self._call("config", {"defaults": True})

    def requests(self):
        return self._call("requests")["requests"]

    def api_requests(self):
        """The plugin's requests as 'METHOD raw-path' strings."""
        return ["%s %s" % (r["method"], r["raw_path"]) for r in self.requests()]

    def participants(self):
        return self._call("participants")["participants"]

    def connections(self):
        return self._call("connections")["connections"]

    def stats(self):
        return self._call("stats")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


class Suite:
    """One test script: temp dir, certificates, fakes, plugin runs, TAP-like report."""

    def __init__(self, name, need_plugin=True, watchdog=240):
        self.name = name
        watchdog = int(watchdog * (1 + TIMING_SLACK))  # a slow wrapper makes every run slow
        # Under a slow wrapper, runs go one at a time: valgrind processes competing for the
        # CPU would miss deadlines that the plugin itself keeps.
        self._slot = threading.BoundedSemaphore(1 if TIMING_SLACK else 1000)
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.fakes = []
        self.lifetime = watchdog + 30
        self._print_lock = threading.Lock()
        self._stopped = False
        if sys.version_info < (3, 7):
            skip_script("python3 >= 3.7 is needed (found %s)" % sys.version.split()[0])
        self.openssl = find_openssl()
        if not self.openssl:
            skip_script("openssl not found (set OPENSSL or install openssl)")
        self.timeout_cmd = _which("timeout")
        self.exe = plugin_path()
        self.wrapper = shlex.split(os.environ.get("CHECK_PEXIP_TOKEN_WRAPPER", ""))
        base = os.environ.get("TMPDIR") or "/tmp"
        self.tmp = tempfile.mkdtemp(prefix="cpt-%s-" % name, dir=base if
                                    os.path.isdir(base) else None)
        self._certs = None
        self._locpath = None
        self._done = False
        atexit.register(self.cleanup)
        _startup["measure"] = self._measure_startup
        _startup["now"] = lambda: self.plugin(["--help"]).elapsed
        self._watchdog = threading.Timer(watchdog, self._expired, args=(watchdog,))
        self._watchdog.daemon = True
        self._watchdog.start()
        if need_plugin and not (os.path.isfile(self.exe) and os.access(self.exe, os.X_OK)):
            self.fail("plugin present", "no executable at %s (set CHECK_PEXIP_TOKEN)" %
                      self.exe)
            self.finish()

    # ---- lifecycle -----------------------------------------------------------------------
    def _expired(self, seconds):
        with self._print_lock:
            self._stopped = True
            self.failed += 1
            print("not ok - watchdog: %s ran longer than %d s" % (self.name, seconds),
                  flush=True)
            print(summary_line(self.passed, self.failed, self.skipped), flush=True)
        try:
            self.cleanup()
        finally:
            os._exit(1)

    def cleanup(self):
        for f in self.fakes:
            try:
                f.stop()
            except Exception:
                pass
        self.fakes = []
        if os.environ.get("CPT_KEEP_TMP"):
            return
        shutil.rmtree(self.tmp, ignore_errors=True)

    def finish(self):
        self._watchdog.cancel()
        self.cleanup()
        with self._print_lock:
            self._stopped = True
            print(summary_line(self.passed, self.failed, self.skipped), flush=True)
        if self.failed:
            sys.exit(1)
        # Nothing ran but skips: automake's SKIP, so that no one reads it as a pass.
        sys.exit(77 if self.skipped and not self.passed else 0)

    # ---- reporting -----------------------------------------------------------------------
    def ok(self, name):
        with self._print_lock:
            if self._stopped:
                return
            self.passed += 1
            print("ok - %s" % name, flush=True)

    def fail(self, name, why):
        with self._print_lock:
            if self._stopped:
                return
            self.failed += 1
            why = why.replace("\n", "\\n")
            print("not ok - %s: %s" % (name, why), flush=True)

    def skip(self, name, reason):
        """A case that cannot run here, and why (a program, a privilege, an address missing):
        counted as skipped, never as passed; a failure under CHECK_REQUIRE_ALL=1."""
        line, failure = skip_line(name, reason)
        with self._print_lock:
            if self._stopped:
                return
            if failure:
                self.failed += 1
            else:
                self.skipped += 1
            print(line, flush=True)

    def check(self, name, problems, result=None):
        """problems: a list of strings (empty = pass), a bool, or a string (failure)."""
        if problems is True or problems == [] or problems is None:
            return self.ok(name) or True
        if problems is False:
            problems = ["check failed"]
        if isinstance(problems, str):
            problems = [problems]
        why = "; ".join(problems)
        if result is not None:
            why += " [%s]" % result.describe()
        self.fail(name, why)
        return False

    def check_concurrently(self, cases, run, workers, prefix=""):
        """Runs run(c) for every case in a thread pool (many of them wait for a deadline) and
        checks the results in order; c[0] is the case's name. run returns the problems, or
        (problems, note) to print the note after the case's line."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run, c) for c in cases]
            for c, future in zip(cases, futures):
                note = None
                try:
                    problems = future.result()
                    if isinstance(problems, tuple):
                        problems, note = problems
                except Exception as exc:
                    problems = ["exception %r" % exc]
                self.check(prefix + c[0], problems)
                if note:
                    print(note, flush=True)

    def case(self, name, fn):
        """Runs fn() -> problems; an exception is a failure of this case only."""
        try:
            problems = fn()
        except Exception as exc:  # a broken case must not stop the script
            import traceback
            tb = traceback.format_exc().strip().splitlines()
            problems = ["exception %s: %s (%s)" % (type(exc).__name__, exc, tb[-3:-1])]
        return self.check(name, problems)

    # ---- resources -----------------------------------------------------------------------
    def certs(self):
        if self._certs is None:
            d = os.path.join(self.tmp, "certs")
            env = dict(os.environ, OPENSSL=self.openssl)
            res = subprocess.run(["sh", GEN_CERTS, d], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=60)
            if res.returncode != 0:
                raise RuntimeError("gen_certs.sh failed: %s" % res.stdout.decode(errors="replace"))
            self._certs = {f: os.path.join(d, f) for f in os.listdir(d)}
            self._certs["dir"] = d
        return self._certs

    @property
    def ca(self):
        return self.certs()["ca.pem"]

    def fake(self, cert="localhost", **kw):
        return Fake(self, cert=cert, **kw)

    def refused_port(self):
        """A loopback port with nothing listening (bound, never listened: refuses)."""
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        self._held_sockets = getattr(self, "_held_sockets", []) + [s]
        return str(s.getsockname()[1])

    def write_file(self, name, content, mode=None):
        path = os.path.join(self.tmp, "files", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
        if mode is not None:
            os.chmod(path, mode)
        return path

    def german_locale_env(self):
        """Environment for a de_DE.UTF-8 locale (decimal comma), generated if not installed.
        Returns None when no such locale can be had."""
        if self._locpath is None:
            self._locpath = ""
            probe = subprocess.run(["locale", "-a"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL) if _which("locale") else None
            names = probe.stdout.decode(errors="replace").lower().split() if probe else []
            if "de_de.utf8" in names or "de_de.utf-8" in names:
                self._locpath = "-"
            elif _which("localedef"):
                d = os.path.join(self.tmp, "locale")
                os.makedirs(d, exist_ok=True)
                r = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8",
                                    os.path.join(d, "de_DE.UTF-8")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if r.returncode in (0, 1) and os.path.isdir(os.path.join(d, "de_DE.UTF-8")):
                    self._locpath = d
        if not self._locpath:
            return None
        env = {"LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8"}
        if self._locpath != "-":
            env["LOCPATH"] = self._locpath
        # Make sure the locale really has a decimal comma.
        chk = subprocess.run([_which("printf") or "printf", "%.1f", "1"],
                             env=dict(self.base_env(), **env),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if chk.stdout.strip() != b"1,0":
            return None
        return env

    # ---- running the plugin --------------------------------------------------------------
    def _measure_startup(self):
        """The slowest of three --help runs (see startup_seconds), at most STARTUP_CAP."""
        runs = [self.plugin(["--help"]) for _ in range(3)]
        worst = max(r.elapsed for r in runs)
        if os.environ.get("CPT_SHOW_STARTUP"):
            print("# no-op run of this build: %.3f s (allowed on top of -t: %.3f s)" %
                  (worst, min(worst, STARTUP_CAP)), flush=True)
        return min(worst, STARTUP_CAP)

    def base_env(self):
        env = {k: v for k, v in os.environ.items() if not _SCRUB.match(k)}
        env["LC_ALL"] = "C.UTF-8"
        env["NO_PROXY"] = env["no_proxy"] = "*"
        env["HOME"] = os.path.join(self.tmp, "home")
        os.makedirs(env["HOME"], exist_ok=True)
        return env

    def env_for_others(self):
        """base_env() for a program run as another account (a daemon's, or nobody): any
        sanitizer suppressions file is copied where that account can read it (a sanitizer
        build run by root from a private checkout would otherwise die on it)."""
        env = self.base_env()
        for var in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
            value = env.get(var)
            if not value:
                continue
            parts = []
            for part in value.split(":"):
                key, sep, path = part.partition("=")
                if sep and key == "suppressions" and os.path.isfile(path):
                    d = os.path.join(self.tmp, "sanitizers")
                    os.makedirs(d, exist_ok=True)
                    os.chmod(self.tmp, os.stat(self.tmp).st_mode | 0o111)
                    os.chmod(d, 0o755)
                    dst = os.path.join(d, "%s.supp" % var.lower())
                    shutil.copyfile(path, dst)
                    os.chmod(dst, 0o644)
                    part = "suppressions=" + dst
                parts.append(part)
            env[var] = ":".join(parts)
        return env

    def exe_for_others(self):
        """A copy of the plugin that any account can execute (the build tree may sit under a
        0700 directory), in <tmp>/bin: its path."""
        d = os.path.join(self.tmp, "bin")
        dst = os.path.join(d, os.path.basename(self.exe))
        if not os.path.exists(dst):
            os.makedirs(d, exist_ok=True)
            os.chmod(self.tmp, os.stat(self.tmp).st_mode | 0o111)
            os.chmod(d, 0o755)
            shutil.copy2(self.exe, dst)
            os.chmod(dst, 0o755)
        return dst

    def fake_env(self):
        env = self.base_env()
        env.pop("PYTHONPATH", None)
        return env

    def plugin(self, args, limit=20, env=None, unset=(), prefix=(), exe=None, base_env=None):
        """Runs the plugin with args (list; items are str()-ed); never hangs past limit.
        prefix: a command the plugin (and its wrapper) runs under, e.g. a namespace helper;
        exe: another copy of the plugin (exe_for_others()); base_env: instead of base_env()."""
        args = [str(a) for a in args]
        limit += TIMING_SLACK
        full_env = dict(base_env) if base_env is not None else self.base_env()
        if env:
            full_env.update(env)
        for k in unset:
            full_env.pop(k, None)
        argv = list(prefix) + self.wrapper + [exe or self.exe] + args
        # Behind a prefix (a namespace to set up, another user to become), time the plugin
        # from its own exec: a stamp written right before it, so that a bound measures what
        # the plugin controls, not the prefix's start-up (a Python helper under load).
        stamp = None
        if prefix:
            stamp = tempfile.mktemp(prefix="exec-", dir=self.tmp)
            argv = list(prefix) + ["sh", "-c", '{ date +%s.%N >"$0"; } 2>/dev/null; exec "$@"',
                                   stamp] + self.wrapper + [exe or self.exe] + args
        cmd = list(argv)
        if self.timeout_cmd:
            cmd = [self.timeout_cmd, "-k", "2", str(limit)] + cmd
        with self._slot:
            start = time.monotonic()
            timed_out = False
            try:
                res = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env, timeout=limit + 5,
                                     cwd=self.tmp)
                rc, out, err = res.returncode, res.stdout, res.stderr
                if self.timeout_cmd and rc in (124, 137):
                    timed_out = True
            except subprocess.TimeoutExpired as exc:
                rc, out, err, timed_out = None, exc.stdout or b"", exc.stderr or b"", True
            elapsed = time.monotonic() - start
            if stamp:
                # time.time() and date agree on the wall clock; take the stamp only when it
                # is plausible (written, inside the run).
                ended = time.time()
                try:
                    with open(stamp) as f:
                        since_exec = ended - float(f.read().strip())
                    os.unlink(stamp)
                    if 0 <= since_exec <= elapsed:
                        elapsed = since_exec
                except (OSError, ValueError):
                    pass
        return Result(argv, rc, out, err, elapsed, timed_out)

    def target(self, fake, alias="meet", host="localhost"):
        """The usual verified-TLS arguments for a fake."""
        return ["-H", host, "-p", fake.port, "--ca-file", self.ca, "-a", alias]


def perfdata_problems(result, labels=None, timeout=None, thresholds=None):
    """Checks the perfdata of a run: exact label set, seconds in 's', min 0 / max timeout."""
    p = []
    if labels is not None and sorted(result.perf) != sorted(labels):
        p.append("perfdata labels %s, expected %s" % (sorted(result.perf), sorted(labels)))
    for label, d in result.perf.items():
        if label.startswith("time"):
            if d["uom"] != "s":
                p.append("%s has UOM %r, expected 's'" % (label, d["uom"]))
            try:
                if float(d["min"]) != 0:
                    p.append("%s min is %r, expected 0" % (label, d["min"]))
            except ValueError:
                p.append("%s has no min 0 (%r)" % (label, d["raw"]))
            if timeout is not None:
                try:
                    if float(d["max"]) != float(timeout):
                        p.append("%s max is %r, expected the timeout %s" % (label, d["max"],
                                                                            timeout))
                except ValueError:
                    p.append("%s max %r is not the timeout %s" % (label, d["max"], timeout))
    return p
