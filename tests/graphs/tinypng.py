# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny PNG decoder (Python stdlib only: zlib, struct) for the graph tests: 8-bit
greyscale, RGB, palette, grey+alpha and RGBA, not interlaced -- what graphite-web's cairo
renderer writes. decode() checks the signature and every chunk's CRC."""

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class PNGError(ValueError):
    pass


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    """PNG bytes -> (width, height, rows): rows is a list of lists of (r, g, b, a)."""
    if data[:8] != SIGNATURE:
        raise PNGError("no PNG signature")
    pos = 8
    ihdr = None
    palette = None
    idat = b""
    seen_end = False
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise PNGError("truncated %r chunk" % kind)
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body) & 0xffffffff:
            raise PNGError("bad CRC in %r chunk" % kind)
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = [tuple(body[i:i + 3]) for i in range(0, len(body), 3)]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            seen_end = True
            break
    if ihdr is None or not seen_end:
        raise PNGError("no IHDR or no IEND")
    width, height, depth, ctype, _comp, _filt, interlace = ihdr
    if depth != 8 or ctype not in CHANNELS or interlace:
        raise PNGError("unsupported PNG (depth %d, colour type %d, interlace %d)" %
                       (depth, ctype, interlace))
    bpp = CHANNELS[ctype]
    raw = zlib.decompress(idat)
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise PNGError("image data has %d bytes, expected %d" % (len(raw),
                                                                height * (stride + 1)))
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        off = y * (stride + 1)
        ftype = raw[off]
        line = bytearray(raw[off + 1:off + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xff
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xff
            elif ftype == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xff
            elif ftype == 4:
                line[i] = (line[i] + _paeth(a, b, c)) & 0xff
            elif ftype != 0:
                raise PNGError("bad filter type %d in row %d" % (ftype, y))
        prev = line
        px = []
        for x in range(width):
            v = line[x * bpp:(x + 1) * bpp]
            if ctype == 0:
                px.append((v[0], v[0], v[0], 255))
            elif ctype == 2:
                px.append((v[0], v[1], v[2], 255))
            elif ctype == 3:
                px.append(tuple(palette[v[0]]) + (255,))
            elif ctype == 4:
                px.append((v[0], v[0], v[0], v[1]))
            else:
                px.append(tuple(v))
        rows.append(px)
    return width, height, rows


def count_near(rows, rgb, tolerance=40):
    """How many pixels are within tolerance (per channel) of the colour rgb."""
    r0, g0, b0 = rgb
    n = 0
    for row in rows:
        for r, g, b, _a in row:
            if abs(r - r0) <= tolerance and abs(g - g0) <= tolerance and abs(b - b0) <= tolerance:
                n += 1
    return n


def blend(rgb, alpha, background=(255, 255, 255)):
    """The colour rgb drawn with alpha over background."""
    return tuple(int(round(c * alpha + bg * (1 - alpha))) for c, bg in zip(rgb, background))
