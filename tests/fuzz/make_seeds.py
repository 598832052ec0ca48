#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpus of one fuzz target into a directory (Python 3 stdlib only).

    make_seeds.py TARGET OUTDIR      TARGET: fuzz_response fuzz_range fuzz_options fuzz_probe fuzz_version
                                     fuzz_event_stream fuzz_srv_answer

Seeds come from tests/data/*.json|html (every reply shape of ../shared/docs/pexip-client-api.md,
rebuilt there for the unit suites), a few shapes the notes name that the data files do not
carry, hostile variants (deep nesting, NUL, invalid UTF-8, huge numbers), and for the option
parser every argument list of tests/functional/cases.json. File names are content hashes, so
rerunning is idempotent."""
import hashlib
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
CASES = os.path.join(HERE, "..", "functional", "cases.json")

# The status each data file is a reply with (by name), as the unit suites use them.
STATUS = [
    ("token_", 200), ("malformed_", 200), ("release_", 200), ("pin_", 403), ("idp_", 403),
    ("extension_", 403), ("invalid_pin", 403), ("invalid_token", 403), ("not_found", 404),
    ("maintenance", 503), ("service_unavailable", 503), ("bad_gateway", 502),
    ("gateway_timeout", 504), ("overloaded", 529), ("unauthorized", 401),
    ("unsupported_media_type", 415), ("teapot", 418), ("server_error", 500), ("redirect", 302),
]
ALL_STATUSES = (200, 302, 401, 403, 404, 415, 418, 500, 502, 503, 504, 529)

# Shapes from the API notes that tests/data does not hold as files, and hostile bodies.
EXTRA_BODIES = [
    b'{"status":"success","result":{"token":"yaan-new_token==","expires":"120",'
    b'"role":"HOST","client_stats_update_interval":5000}}',  # refresh_token
    b'{"status":"success","result":{"version":{"pseudo_version":"26902.0.0",'
    b'"version_id":"11"},"guest_pin":"none","pin":"required"}}',  # KIT #13 capture
    b'{"status":"success","result":{"conference_extension":"mssip"}}',
    b'{"status":"success","result":{"idp":[{"name":"Entra ID","uuid":"u","img":"x",'
    b'"disable_popup_flow":false}],"version":{"version_id":"36","pseudo_version":"1"}}}',
    b'{"status":"failed","result":"Neither conference nor gateway found"}',
    b'{"status":"success","result":true}', b'{"status":"success","result":false}',
    b'{"status":"failed","result":"Out of proxying resource"}',
    b'[' * 70 + b']' * 70,
    b'{"result":' + b'{"a":' * 70 + b'1' + b'}' * 71,
    b'{"status":"success","result":{"token":"a\\u0000b","role":"\\u001b[31m"}}',
    b'{"status":"success","result":{"token":"tok\\r\\nX: y"}}',
    b'{"status":"success","result":{"token":"t","expires":1e309,"role":-0,'
    b'"version":{"version_id":18446744073709551616,"pseudo_version":-9223372036854775809}}}',
    b'{"status":"success","result":{"token":"t","token":"u","role":"\xff\xfe\xc0\xaf"}}',
    b'\xef\xbb\xbf{"status":"success","result":{"token":"bom"}}',
    b'{"status":"success","result":{"token":"nul"}}\x00trailing',
    b' \t\r\n ', b'null', b'"just a string"', b'{"result":null}',
    b'{"status":"success","result":{"token":"x|y","conference_name":"| \'t\'=1"}}',
]

RANGES = ["10", "10:", "~:10", "10:20", "@10:20", "-5:5", "@0:5", "0.5", "@1:2", "0:30",
          "5.", ".5", "-0.5:-0.1", "~:", ":", "@:", "@~:1", "1:2:3", "5:2", "abc", "", "@",
          "~", "1e5", "+5", "nan", "inf", "9" * 320, "0." + "0" * 400 + "1",
          "99999999999999999999999:", "-", "--1", "@@1", "1,5", " 1", "1 "]

SCRATCH_FILES = {"{FILES}/pin.txt": "pin", "{FILES}/plugin.ini": "plugin.ini",
                 "{FILES}/secret.ini": "plugin.ini", "{FILES}/empty.txt": "empty",
                 "{FILES}/nope.txt": "nope", "{FILES}/missing.ini": "missing"}
EXTRA_ARGVS = [
    ["-H", "localhost", "-a", "meet", "--pin-file=pin", "-v"],
    ["-H", "localhost", "-a", "meet", "--pin-file", "fifo", "-t", "1"],
    ["-H", "localhost", "-a", "meet", "--pin-file=pin-ctl"],
    ["-H", "localhost", "-a", "meet", "--pin-file=."],
    ["--extra-opts=pexip@plugin.ini"], ["--extra-opts"], ["--extra-opts=bad@plugin.ini"],
    ["--extra-opts=nested"], ["--extra-opts=ctl@plugin.ini", "-H", "x", "-a", "y"],
    ["--extra-opts=@fifo"], ["--extra-opts=x@empty"],
    ["-H", "localhost", "-a", "meet", "--display-name", "a\rb"],
    ["-H", "localhost\r\nX: y", "-a", "meet"], ["-H", "[::1]", "-a", "m", "-6", "-4"],
    ["-H", "h", "-a", "a", "-C", "30,14", "-w", "@1:2", "-c", "~:5", "-t", "3600"],
    ["-H", "h", "-a", "a", "--client-key=ca.pem"],
    ["-H", "h", "-a", "a", "--ca-file=ca.pem", "--client-cert=ca.pem",
     "--client-key=ca.pem", "-k"],
    ["-H", "h", "-a", "a", "--pin", "1", "--guest"], ["-hV"], ["-vvvvvvvv", "-H", "h", "-a", "a"],
    ["-H", "h", "-a", "a", "--", "-t", "5"],
    ["--%original_token%"], ["-H", "h", "-a", "a", "--x%value%=%option%"],  # Boost's loop
]


def write(out, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def data_files():
    for name in sorted(os.listdir(DATA)):
        if name.endswith((".json", ".html")):
            with open(os.path.join(DATA, name), "rb") as f:
                yield name, f.read()


def status_of(name):
    for prefix, status in STATUS:
        if name.startswith(prefix):
            return status
    return 200


def response_seed(status, body, reason=b"", truncated=False, pin_sent=False):
    flags = (1 if truncated else 0) | (2 if pin_sent else 0)
    return struct.pack(">HBB", status, flags, len(reason)) + reason + body


def answer(status, body, reason=b"OK", ctype=b"application/json", kind=0, flags=2, days=100,
           step=3):
    body = body[:65535]
    return (struct.pack(">BHBbB", kind, status, flags, days, step) +
            bytes([len(reason)]) + reason + bytes([len(ctype)]) + ctype +
            struct.pack(">H", len(body)) + body)


def seeds_response(out):
    for name, body in data_files():
        for status in sorted(set(ALL_STATUSES) | {status_of(name)}):
            write(out, response_seed(status, body, b"Reason"))
        if status_of(name) == 200:
            write(out, response_seed(200, body, b"OK", truncated=True))
        if status_of(name) == 403:
            write(out, response_seed(403, body, b"Forbidden", pin_sent=True))
    for body in EXTRA_BODIES:
        for status in (200, 403, 404, 503):
            write(out, response_seed(status, body, b"Weird | \x1b[1m"))


def seeds_range(out):
    for text in RANGES:
        write(out, text.encode("utf-8"))


def seeds_options(out):
    with open(CASES, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    argvs = []
    for case in cases:
        args = list(case.get("args", []))
        if "alias" in case:
            args = ["-H", "localhost", "-p", "{PORT}", "--ca-file", "{CA}", "-a",
                    case["alias"]] + args
        fixed = []
        for arg in args:
            for key, value in SCRATCH_FILES.items():
                arg = arg.replace(key, value)
            arg = (arg.replace("{PORT}", "8443").replace("{REFUSED_PORT}", "9")
                   .replace("{CA_OTHER}", "ca.pem").replace("{CA}", "ca.pem")
                   .replace("{CLIENT_CERT}", "ca.pem").replace("{CLIENT_KEY}", "ca.pem")
                   .replace("{FILES}", "."))
            fixed.append(arg)
        argvs.append(fixed)
    argvs += EXTRA_ARGVS
    for argv in argvs:
        encoded = [a.encode("utf-8") for a in argv]
        if not any(b"\0" in a for a in encoded):
            write(out, b"\0" + b"\0".join(encoded))
        if not any(b"\n" in a for a in encoded):
            write(out, b"\x01" + b"\n".join(encoded))
    write(out, b"\x01-H\nlocalhost\n-a\nmeet\n--pin\n12\x0034")  # NUL in an argument
    # An unknown option cut at a NUL after spaces: the reason ended in whitespace.
    write(out, b"\x01-H\nlocalhnDt\n-p\n8443\n--ca-fI             \x00-H  ")
    write(out, b"\x01-H\nh\n- \x00\x00\x00\x00\x00\x00\x00n\n1\n--'uest--help")


def seeds_probe(out):
    release_ok = answer(200, b'{"status":"success","result":true}', flags=0, step=1)
    release_bad = answer(403, b'{"status":"failed","result":"Invalid token"}', b"Forbidden",
                         flags=0)
    status_503 = answer(503, b'{"status":"failed","result":"System in maintenance mode"}',
                        b"Service Unavailable", flags=0)
    for name, body in data_files():
        status = status_of(name)
        first = answer(status, body, b"Reason", b"text/html" if name.endswith(".html") else
                       b"application/json")
        for options in (b"\x00\x00", b"\x24\x01", b"\xe4\x7f", b"\x34\x00"):
            write(out, options + first + release_ok)
        write(out, b"\x04\x00" + first + release_bad)
        write(out, b"\x04\x00" + first + status_503)
    for body in EXTRA_BODIES:
        write(out, b"\x24\x40" + answer(200, body, b"OK") + release_ok)
        write(out, b"\x24\x40" + answer(403, body, b"Forbidden | \x1b[1m"))
    # v2: a two-certificate chain with hostile subjects, and --min-version (options b & 0x40).
    token = b'{"status":"success","result":{"token":"FAKE-token-1234567890==","version":' \
            b'{"version_id":"36.1b","pseudo_version":"x"}}}'
    write(out, b"\x24\x40" + answer(200, token, b"Leaf | \x1b[1m CN", b"Inter\r\nCN",
                                    flags=4 | 8 | 32, days=5) + release_ok)
    write(out, b"\x24\x40" + answer(0, b"", b"CN \x00 | x", b"root", kind=130,
                                    flags=4 | 8 | 16, days=-2))
    for kind in range(7):
        write(out, b"\x24\x00" + answer(0, b"", b"transport | \x1b[31m message", b"",
                                        kind=128 + kind, flags=4, days=-3))
        write(out, b"\x04\x00" + answer(200, b'{"status":"success","result":'
                                        b'{"token":"FAKE-token-1234567890=="}}') +
              answer(0, b"", b"release transport error", b"", kind=128 + kind))


# Versions as the contract and real nodes write them, and near misses (v2 --min-version).
VERSIONS = ["36", "36.1", "36.9", "36.10", "9.99", "37", "35.1.2", "0", "036.010", "36.1b",
            "36.", ".36", "36..1", "v36", "-1", "36 ", "", "9" * 70, "1." * 30 + "1"]


def seeds_version(out):
    for minimum in VERSIONS[:8]:
        for version_id in VERSIONS:
            write(out, minimum.encode() + b"\0" + version_id.encode())
    for text in VERSIONS:
        write(out, text.encode())
    write(out, b"36\0" + b"36\x1b[31m | x\r\n")


def seeds_event_stream(out):
    """A chunking byte, then a stream: the fake node's shapes (healthy, CRLF, CR, multi-line
    data, BOM, comments), a disconnect, a stream cut short, hostile bytes."""
    def ev(name, data, eol="\n"):
        return ("event: %s%sdata: %s%s%s" % (name, eol, json.dumps(data), eol, eol)).encode()
    roster = [("hello", {}), ("conference_update", {"locked": False, "started": True}),
              ("participant_sync_begin", None),
              ("participant_create", {"uuid": "uuid-2", "display_name": "Alice",
                                      "protocol": "webrtc"}),
              ("participant_create", {"uuid": "uuid-1", "display_name": "check_pexip_token",
                                      "protocol": "api", "call_tag": "check_pexip_token"}),
              ("participant_sync_end", None), ("stage", []), ("ping", None)]
    for eol in ("\n", "\r\n", "\r"):
        body = b"".join(ev(n, d, eol) for n, d in roster)
        for step in (0, 1, 7, 16):
            write(out, bytes([step]) + body)
        write(out, bytes([3]) + b"\xef\xbb\xbf" + body)
        write(out, bytes([5]) + body[:len(body) // 2])
    write(out, b"\x02" + ev("hello", {}) + ev("disconnect",
                                               {"reason": "Out of transcoding resource"}))
    write(out, b"\x02" + ev("disconnect", {"reason": "Insufficient licenses"}))
    write(out, b"\x04: comment\n\nevent: participant_create\ndata: {\"uuid\":\ndata: \"uuid-1\"}"
               b"\n\nid: 7\nretry: 10\nevent: participant_sync_end\ndata\n\n")
    write(out, b"\x01event: disconnect\ndata: {\"reason\": \"x \x1b[31m | \x00 "
               b"FUZZ-token_0123456789abcdefABCDEF= \xff\"}\n\n")
    write(out, b"\x09data: " + b"[" * 3000 + b"\n\n")
    write(out, b"\x00event: participant_sync_begin\n\n" + b"data: x\n" * 200 + b"\n")


def dns_name(dotted):
    out = b""
    for label in dotted.split(".") if dotted not in ("", ".") else []:
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def srv_message(records, rcode=0, qname="_pexapp._tcp.example.test", flags=0x8180):
    """A DNS response: the question, then SRV records (priority, weight, port, target)."""
    msg = struct.pack(">HHHHHH", 0x1234, flags | rcode, 1, len(records), 0, 0)
    msg += dns_name(qname) + struct.pack(">HH", 33, 1)
    for priority, weight, port, target in records:
        rdata = struct.pack(">HHH", priority, weight, port) + dns_name(target)
        msg += b"\xc0\x0c" + struct.pack(">HHIH", 33, 1, 300, len(rdata)) + rdata
    return msg


def seeds_srv_answer(out):
    write(out, srv_message([(10, 60, 443, "node1.example.test"), (10, 40, 8443, "n2.example.test"),
                            (20, 0, 443, "backup.example.test")]))
    write(out, srv_message([(0, 0, 0, ".")]))
    write(out, srv_message([], rcode=3))
    write(out, srv_message([], rcode=2))
    write(out, srv_message([]))
    write(out, srv_message([(1, 1, 443, "Mixed.Case.TEST")]))
    write(out, srv_message([(1, 1, 443, "a" * 63 + ".test")]))
    write(out, srv_message([(i, i, 443 + i, "n%d.test" % i) for i in range(33)]))
    # compression pointer loop, forward pointer, extended label type, a query, truncation
    write(out, struct.pack(">HHHHHH", 1, 0x8180, 1, 0, 0, 0) + b"\xc0\x0c\x00\x21\x00\x01")
    write(out, struct.pack(">HHHHHH", 1, 0x8180, 1, 0, 0, 0) + b"\xc0\xff")
    write(out, struct.pack(">HHHHHH", 1, 0x8180, 1, 0, 0, 0) + b"\x40")
    write(out, srv_message([(1, 1, 443, "a.test")], flags=0x0100))
    full = srv_message([(10, 60, 443, "node1.example.test")])
    for cut in (11, 12, 30, len(full) - 3):
        write(out, full[:cut])
    # target compressed into the question name
    msg = struct.pack(">HHHHHH", 2, 0x8180, 1, 1, 0, 0) + dns_name("_pexapp._tcp.example.test")
    msg += struct.pack(">HH", 33, 1)
    msg += b"\xc0\x0c" + struct.pack(">HHIH", 33, 1, 300, 8) + struct.pack(">HHH", 1, 1, 443)
    msg += b"\xc0\x19"
    write(out, msg)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_seeds.py fuzz_response|fuzz_range|fuzz_options|fuzz_probe|"
                 "fuzz_version|fuzz_event_stream|fuzz_srv_answer OUTDIR")
    target, out = sys.argv[1], sys.argv[2]
    makers = {"fuzz_response": seeds_response, "fuzz_range": seeds_range,
              "fuzz_options": seeds_options, "fuzz_probe": seeds_probe,
              "fuzz_version": seeds_version, "fuzz_event_stream": seeds_event_stream,
              "fuzz_srv_answer": seeds_srv_answer}
    if target not in makers:
        sys.exit("unknown target %s" % target)
    os.makedirs(out, exist_ok=True)
    makers[target](out)
    print("%s: %d seeds in %s" % (target, len(os.listdir(out)), out))


if __name__ == "__main__":
    main()
