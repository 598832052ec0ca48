#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""IP literals as -H: 127.0.0.1 and ::1 (bracketed in the URL by the plugin) against the fake
node, with verified TLS (the test certificate names both addresses). The IPv6 cases need ::1:
on a machine without one the whole script runs again in a private network namespace of its
own (`unshare --net`, or `unshare --user --map-root-user --net` when not root, then
`ip link set lo up`: a fresh namespace's loopback has 127.0.0.1 and ::1; nothing else is
there). Only when no such namespace can be made are the IPv6 cases a skip with the reason
(a failure under CHECK_REQUIRE_ALL=1). ~2 s."""
import os
import shutil
import socket
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

OK = r"^PEXIP TOKEN OK: token issued in [0-9]+\.[0-9]{3} s, released \(conference, HOST, version 36\)"
# Set in the namespace the script re-runs itself in (never by a user).
IN_NETNS = "CPT_HOST_LITERAL_NETNS"
IPV6_CASES = ("-H ::1: OK, URL bracketed", "-H ::1 reached the IPv6 listener, released")


def have_ipv6_loopback():
    """None when ::1 can be listened on, else why not."""
    if not socket.has_ipv6:
        return "python has no IPv6 support"
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError as exc:
        return "no ::1 on this machine (%s)" % exc
    return None


def rerun_in_namespace():
    """Runs this script again in a private network namespace with its loopback up; exits with
    its status. Returns (only) why that could not be done."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or (
        "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else None) or (
        "/sbin/ip" if os.path.exists("/sbin/ip") else None)
    if not unshare or not ip:
        return "no %s to make a private network namespace with ::1 (Debian: util-linux, " \
               "iproute2)" % ("unshare(1)" if not unshare else "ip(8)")
    env = dict(os.environ, **{IN_NETNS: "1"})
    # The script itself, after the namespace's loopback is up (nothing else is in there).
    inner = [ip, "link", "set", "lo", "up"]
    tried = []
    for ns in (["--net"], ["--user", "--map-root-user", "--net"]):
        probe = subprocess.run([unshare] + ns + ["--"] + inner, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if probe.returncode != 0:
            tried.append("unshare %s: %s" % (" ".join(ns), probe.stdout.decode(
                errors="replace").strip()[-200:] or "exit %d" % probe.returncode))
            continue
        print("# no ::1 here: running again in a private network namespace (unshare %s)" %
              " ".join(ns), flush=True)
        script = '"$1" link set lo up && shift && exec "$@"'
        rc = subprocess.run([unshare] + ns + ["--", "sh", "-c", script, "sh", ip,
                                              sys.executable, os.path.abspath(__file__)],
                            stdin=subprocess.DEVNULL, env=env).returncode
        sys.exit(rc)
    return "no ::1 here, and no private network namespace to bring one: " + "; ".join(tried)


def main():
    why = have_ipv6_loopback()
    if why and not os.environ.get(IN_NETNS):
        why = rerun_in_namespace()  # returns only when no namespace could be made
    s = harness.Suite("host_literal")
    fake4 = s.fake()
    r = s.plugin(s.target(fake4, host="127.0.0.1") + ["-vv"])
    s.check("-H 127.0.0.1: OK, URL without brackets",
            r.expect(0, OK, has=[r"https://127\.0\.0\.1:%s/api/client/v2/" % fake4.port,
                                 r"HTTP 200 from 127\.0\.0\.1 port %s " % fake4.port]), r)
    s.check("-H 127.0.0.1 reached the node", [] if fake4.api_requests() else
            ["the fake saw no API request"])
    if why:
        for name in IPV6_CASES:
            s.skip(name, why)
    else:
        fake6 = s.fake(bind="::1")
        r = s.plugin(s.target(fake6, host="::1") + ["-vv"])
        s.check(IPV6_CASES[0],
                r.expect(0, OK, has=[r"https://\[::1\]:%s/api/client/v2/" % fake6.port,
                                     r"HTTP 200 from ::1 port %s " % fake6.port]), r)
        reqs = fake6.api_requests()
        s.check(IPV6_CASES[1],
                [] if len(reqs) == 2 and reqs[1].endswith("/release_token") else
                ["requests seen: %r" % reqs])
    s.finish()


if __name__ == "__main__":
    main()
