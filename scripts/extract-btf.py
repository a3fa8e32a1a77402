#!/usr/bin/env python3
"""extract-btf.py VMLINUZ OUT.btf — the kernel's own BTF (.BTF section), cut out of a boot image.

A Debian vmlinuz has no ELF sections left, but the BTF blob is in it byte for byte: find its
header (magic 0xeB9F, version 1, hdr_len 24) and take hdr_len + the type and string sections.
Handles a gzip-compressed Image and an EFI zboot image (gzip or zstd payload).
"""
import gzip
import struct
import subprocess
import sys
import zlib


def decompress(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:2] == b"MZ" and data[4:8] == b"zimg":
        off, size = struct.unpack_from("<II", data, 8)
        kind = data[24:32].rstrip(b"\0").decode()
        payload = data[off:off + size]
        if kind == "gzip":
            return zlib.decompress(payload, 16 + zlib.MAX_WBITS)
        if kind == "zstd":
            return subprocess.run(["zstd", "-dc"], input=payload, capture_output=True,
                                  check=True).stdout
        sys.exit(f"extract-btf: zboot payload compressed with {kind!r}: not handled")
    return data


def find_btf(img: bytes) -> bytes:
    best = b""
    pos = img.find(b"\x9f\xeb\x01\x00")
    while pos >= 0:
        hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<5I", img, pos + 4)
        end = pos + hdr_len + max(type_off + type_len, str_off + str_len)
        if (hdr_len == 24 and type_off == 0 and str_off == type_len and type_len > 0
                and end <= len(img) and img[pos + hdr_len + str_off] == 0
                and len(best) < end - pos):
            best = img[pos:end]
        pos = img.find(b"\x9f\xeb\x01\x00", pos + 1)
    return best


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        img = decompress(f.read())
    btf = find_btf(img)
    if not btf:
        sys.exit(f"extract-btf: no BTF in {sys.argv[1]} (was it built with CONFIG_DEBUG_INFO_BTF?)")
    with open(sys.argv[2], "wb") as f:
        f.write(btf)
    print(f"extract-btf: {len(btf)} bytes of BTF from {sys.argv[1]}")


if __name__ == "__main__":
    main()
