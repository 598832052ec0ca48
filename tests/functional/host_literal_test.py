#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""IP literals as -H: 127.0.0.1 and ::1 (bracketed in the URL by the plugin) against the fake
node, with verified TLS (the test certificate names both addresses). The IPv6 case needs a
::1 on this machine; without one it is reported as skipped with the reason. ~2 s."""
import os
import socket
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

OK = r"^PEXIP TOKEN OK: token issued in [0-9]+\.[0-9]{3} s, released \(conference, HOST, version 36\)"


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


def main():
    s = harness.Suite("host_literal")
    fake4 = s.fake()
    r = s.plugin(s.target(fake4, host="127.0.0.1") + ["-vv"])
    s.check("-H 127.0.0.1: OK, URL without brackets",
            r.expect(0, OK, has=[r"https://127\.0\.0\.1:%s/api/client/v2/" % fake4.port,
                                 r"HTTP 200 from 127\.0\.0\.1 port %s " % fake4.port]), r)
    s.check("-H 127.0.0.1 reached the node", [] if fake4.api_requests() else
            ["the fake saw no API request"])
    why = have_ipv6_loopback()
    if why:
        print("# SKIP -H ::1: %s" % why, flush=True)
    else:
        fake6 = s.fake(bind="::1")
        r = s.plugin(s.target(fake6, host="::1") + ["-vv"])
        s.check("-H ::1: OK, URL bracketed",
                r.expect(0, OK, has=[r"https://\[::1\]:%s/api/client/v2/" % fake6.port,
                                     r"HTTP 200 from ::1 port %s " % fake6.port]), r)
        reqs = fake6.api_requests()
        s.check("-H ::1 reached the IPv6 listener, released",
                [] if len(reqs) == 2 and reqs[1].endswith("/release_token") else
                ["requests seen: %r" % reqs])
    s.finish()


if __name__ == "__main__":
    main()
