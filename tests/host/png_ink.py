#!/usr/bin/env python3
"""png_ink.py FILE.png — prints the share of pixels that are not background white, from an
8-bit RGB/RGBA PNG, with the standard library only (the HTML test's "not blank" check).
decode() gives the pixels to other checks (report_check.py)."""
import struct
import sys
import zlib


def decode(path):
    """(width, height, rows): each row bytes of R, G, B per pixel (alpha dropped)"""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, width, height, bpp = 8, b"", 0, 0, 3
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit(f"{path}: unsupported PNG (depth {depth}, colour type {ctype}, "
                         f"interlace {interlace})")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        filt, cur = line[0], bytearray(line[1:])
        if filt == 2:
            cur = bytearray((c + p) & 255 for c, p in zip(cur, prev))
        elif filt:
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if filt == 1:
                    cur[i] = (cur[i] + a) & 255
                elif filt == 3:
                    cur[i] = (cur[i] + (a + b) // 2) & 255
                elif filt == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(cur) if bpp == 3 else
                    bytes(b for i in range(0, stride, 4) for b in cur[i:i + 3]))
        prev = cur
    return width, height, rows


def main(path):
    width, height, rows = decode(path)
    ink = 0
    for row in rows:
        for x in range(0, width * 3, 3):
            if row[x] < 240 or row[x + 1] < 240 or row[x + 2] < 240:
                ink += 1
    print(f"{ink / (width * height):.4f}")


if __name__ == "__main__":
    main(sys.argv[1])
