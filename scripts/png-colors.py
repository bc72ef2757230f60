#!/usr/bin/python3
"""Counts pixels of given colours in a PNG (8-bit RGB/RGBA, not interlaced):
png-colors.py FILE RRGGBB... prints one count per colour. Enough to check a
screenshot shows what it should without an image library."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    i, idat, width, height, ctype = 8, b"", 0, 0, 0
    while i < len(data):
        n, kind = struct.unpack("!I4s", data[i:i + 8])
        chunk = data[i + 8:i + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack("!IIBBBBB", chunk)
            assert depth == 8 and interlace == 0 and ctype in (2, 6), "unsupported PNG layout"
        elif kind == b"IDAT":
            idat += chunk
        i += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    pos = 0
    for _ in range(height):
        f = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            yield bytes(line[x:x + 3])
        prev = line


wanted = {bytes.fromhex(c.lower()): 0 for c in sys.argv[2:]}
for px in pixels(sys.argv[1]):
    if px in wanted:
        wanted[px] += 1
print(" ".join(str(v) for v in wanted.values()))
