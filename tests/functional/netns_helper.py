#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a command inside a private network namespace (started by `unshare --net --mount`)
where a deadline can be tested without a single packet leaving the machine.

    unshare --net --mount -- python3 netns_helper.py MODE DIR -- COMMAND...

The namespace has only its own loopback interface: nothing in it can reach any other host.

MODE dns       /etc/resolv.conf, /etc/nsswitch.conf and /etc/hosts are bind-mounted (in this
               mount namespace only) from DIR; resolv.conf names 127.0.0.1, where a UDP and a
               TCP listener on port 53 take every query and never answer. The number of
               queries seen is written to DIR/queries when COMMAND ends.
MODE syn-drop  192.0.2.0/24 (TEST-NET-1) is routed to the loopback device: a SYN to it is
               looped back, is not for a local address and is dropped, so connect() waits
               until the caller gives up.

Prints "netns-helper: ..." on stderr and exits 125 when the namespace cannot be set up;
otherwise exits with COMMAND's status (stdout and stderr are COMMAND's own).
"""
import fcntl
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading

SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1


def fail(why):
    sys.stderr.write("netns-helper: %s\n" % why)
    sys.exit(125)


def loopback_up():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sh14x", b"lo", 0)
        flags = struct.unpack("16sh14x", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh14x", b"lo", flags | IFF_UP))


def in_private_namespace():
    """True when no interface but lo exists (we must never touch a real network)."""
    names = [n for _, n in socket.if_nameindex()]
    return names == ["lo"]


def bind_mount(source, target):
    if not os.path.exists(target):
        fail("%s does not exist" % target)
    r = subprocess.run(["mount", "--bind", source, target], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        fail("mount --bind %s %s: %s" % (source, target, r.stderr.decode(errors="replace")))


class BlackHoleDns:
    """UDP and TCP port 53 on 127.0.0.1: every query is counted, none is answered."""

    def __init__(self):
        self.queries = 0
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 53))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 53))
        self.tcp.listen(16)
        self.held = []
        for target in (self.serve_udp, self.serve_tcp):
            threading.Thread(target=target, daemon=True).start()

    def serve_udp(self):
        while True:
            try:
                self.udp.recvfrom(4096)
            except OSError:
                return
            self.queries += 1

    def serve_tcp(self):
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            self.queries += 1
            self.held.append(conn)


def private_loopback():
    """In a private network namespace (else exit 125): bring its loopback up."""
    if not in_private_namespace():
        fail("not in a private network namespace (run me under unshare --net --mount)")
    try:
        loopback_up()
    except OSError as exc:
        fail("cannot bring lo up: %s" % exc)


def private_resolver(nameserver, work):
    """For a script already inside `unshare --net --mount`: loopback up, and resolv.conf
    (naming only `nameserver`), nsswitch.conf (files, then dns) and hosts (localhost only)
    written to `work` and bind-mounted over /etc's in this mount namespace; nscd hidden.
    Exits 125 (fail) when any of it cannot be done."""
    private_loopback()
    files = {
        "resolv.conf": "nameserver %s\noptions timeout:5 attempts:1\n" % nameserver,
        "nsswitch.conf": "hosts: files dns\n",
        "hosts": "127.0.0.1 localhost\n::1 localhost\n",
    }
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
        bind_mount(os.path.join(work, name), "/etc/" + name)
    for nscd in ("/run/nscd", "/var/run/nscd"):
        if os.path.isdir(nscd):
            if subprocess.run(["mount", "-t", "tmpfs", "none", nscd]).returncode != 0:
                fail("cannot hide %s" % nscd)


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        fail("usage: netns_helper.py dns|syn-drop DIR -- COMMAND...")
    mode, work, command = sys.argv[1], sys.argv[2], sys.argv[4:]
    private_loopback()
    dns = None
    if mode == "dns":
        for name in ("resolv.conf", "nsswitch.conf", "hosts"):
            bind_mount(os.path.join(work, name), "/etc/" + name)
        for nscd in ("/run/nscd", "/var/run/nscd"):  # a cache daemon would answer for the host
            if os.path.isdir(nscd):
                r = subprocess.run(["mount", "-t", "tmpfs", "none", nscd])
                if r.returncode != 0:
                    fail("cannot hide %s" % nscd)
        try:
            dns = BlackHoleDns()
        except OSError as exc:
            fail("cannot listen on 127.0.0.1:53: %s" % exc)
    elif mode == "syn-drop":
        ip = shutil.which("ip")
        if not ip:
            fail("no ip(8) to add the route")
        r = subprocess.run([ip, "route", "add", "192.0.2.0/24", "dev", "lo"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode != 0:
            fail("ip route add: %s" % r.stderr.decode(errors="replace").strip())
    else:
        fail("unknown mode %r" % mode)
    try:
        rc = subprocess.call(command)
    except OSError as exc:
        fail("cannot run %s: %s" % (command[0], exc))
    if dns is not None:
        with open(os.path.join(work, "queries"), "w") as f:
            f.write("%d\n" % dns.queries)
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())
