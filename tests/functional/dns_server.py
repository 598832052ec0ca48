#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A test DNS server (Python 3 stdlib only) for a private network namespace: UDP and TCP on
one loopback address, answering from a zone the test changes while it runs, logging every
query it gets. It never forwards anything anywhere.

    server = TestDns("127.0.0.53")        # port 53: run it inside `unshare --net --mount`
    server.srv["_pexapp._tcp.x.test"] = [(10, 60, 443, "a.x.test")]
    server.a["a.x.test"] = "127.0.0.1"
    server.rcode["broken.test"] = 2        # SERVFAIL
    server.silent.add("never.test")       # never answered
    server.log                             # [(qname, qtype), ...] every query, in order

A name in none of the tables is NXDOMAIN; a name with an A record but no SRV (or an AAAA
question) gets an empty NOERROR answer (NODATA).
"""
import socket
import struct
import threading

TYPE_A, TYPE_SRV, TYPE_AAAA = 1, 33, 28
TYPE_NAMES = {1: "A", 28: "AAAA", 33: "SRV", 5: "CNAME", 2: "NS", 6: "SOA", 12: "PTR",
              15: "MX", 16: "TXT", 65: "HTTPS", 64: "SVCB"}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def read_question(msg):
    """(id, flags, qname, qtype, end of question) of a query; ValueError when malformed."""
    if len(msg) < 12:
        raise ValueError("short")
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    if qd != 1:
        raise ValueError("not one question")
    pos, labels = 12, []
    while True:
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n > 63:
            raise ValueError("compressed question")
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    qtype, _qclass = struct.unpack(">HH", msg[pos:pos + 4])
    return qid, flags, ".".join(labels).lower(), qtype, pos + 4


class TestDns:
    def __init__(self, address, port=53):
        self.srv = {}
        self.a = {}
        self.rcode = {}
        self.silent = set()
        self.log = []
        self._lock = threading.Lock()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((address, port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((address, port))
        self.tcp.listen(16)
        self._held = []
        for target in (self._serve_udp, self._serve_tcp):
            threading.Thread(target=target, daemon=True).start()

    def queries(self):
        with self._lock:
            return list(self.log)

    def clear(self):
        with self._lock:
            self.log = []

    def answer(self, msg):
        """The response to one query, or None to stay silent."""
        try:
            qid, flags, qname, qtype, end = read_question(msg)
        except (ValueError, IndexError, struct.error):
            return None
        with self._lock:
            self.log.append((qname, TYPE_NAMES.get(qtype, str(qtype))))
        if qname in self.silent:
            return None
        rcode, records = 0, []
        if qname in self.rcode:
            rcode = self.rcode[qname]
        elif qtype == TYPE_SRV and qname in self.srv:
            for priority, weight, port, target in self.srv[qname]:
                rdata = struct.pack(">HHH", priority, weight, port) + encode_name(target)
                records.append(struct.pack(">HHHIH", 0xC00C, TYPE_SRV, 1, 60, len(rdata)) + rdata)
        elif qtype == TYPE_A and qname in self.a:
            rdata = socket.inet_aton(self.a[qname])
            records.append(struct.pack(">HHHIH", 0xC00C, TYPE_A, 1, 60, 4) + rdata)
        elif qname in self.a or qname in self.srv:
            pass  # NODATA
        else:
            rcode = 3  # NXDOMAIN
        out_flags = 0x8080 | (flags & 0x0100) | rcode  # QR, RA, RD copied
        header = struct.pack(">HHHHHH", qid, out_flags, 1, len(records), 0, 0)
        return header + msg[12:end] + b"".join(records)

    def _serve_udp(self):
        while True:
            try:
                msg, peer = self.udp.recvfrom(4096)
            except OSError:
                return
            reply = self.answer(msg)
            if reply is not None:
                try:
                    self.udp.sendto(reply, peer)
                except OSError:
                    pass

    def _serve_tcp(self):
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            threading.Thread(target=self._tcp_client, args=(conn,), daemon=True).start()

    def _tcp_client(self, conn):
        try:
            while True:
                head = conn.recv(2)
                if len(head) < 2:
                    break
                (length,) = struct.unpack(">H", head)
                msg = b""
                while len(msg) < length:
                    chunk = conn.recv(length - len(msg))
                    if not chunk:
                        return
                    msg += chunk
                reply = self.answer(msg)
                if reply is None:
                    self._held.append(conn)  # silent: keep it open, never answer
                    return
                conn.sendall(struct.pack(">H", len(reply)) + reply)
        except OSError:
            pass
        finally:
            if conn not in self._held:
                conn.close()

    def close(self):
        self.udp.close()
        self.tcp.close()
