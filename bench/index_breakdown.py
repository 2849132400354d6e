#!/usr/bin/env python3
"""Where the bytes of a cloudtrail_fdw index file (format 4) go.

    bench/index_breakdown.py PGDATA/pg_cloudtrail_fdw/<hash>.idx [GZIP_BYTES]

Decodes the file independently of the C code (fdw/ct_index.c's layout: header,
root and log type, folder array, folder paths, blocks) and prints the bytes of
each part, per file, and (with the mirror's gzip bytes) as a share of them.
"""
import struct
import sys

HDR = struct.Struct("=8sIIIIQQQIIQQQQQII")
FOLDER = struct.Struct("=QIIIIiIqiIQ")


def varint(b, p):
    v = s = 0
    while True:
        c = b[p]
        p += 1
        v |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return v, p


def main():
    data = open(sys.argv[1], "rb").read()
    gz = int(sys.argv[2]) if len(sys.argv) > 2 else None
    (magic, version, endian, nfolders, k, nfiles, total, ident_off, root_len, lt_len,
     folders_off, paths_off, paths_len, blocks_off, blocks_len, _, _) = HDR.unpack_from(data, 0)
    assert magic == b"CTFDWIDX" and version == 4, (magic, version)
    parts = {"header and ident": folders_off, "folder array": paths_off - folders_off,
             "folder paths": paths_len + (blocks_off - paths_off - paths_len)}
    acc = dict.fromkeys(["summary (sizes, times)", "summary filter", "file names",
                         "file size and mtime", "file flags and count", "file times",
                         "file filters"], 0)
    for i in range(nfolders):
        (boff, blen, _crc, _po, _pl, _date, nf, _ms, _mn, _pad, _ino) = FOLDER.unpack_from(
            data, folders_off + i * FOLDER.size)
        b = data[blocks_off + boff: blocks_off + boff + blen]
        p = 0
        flags, p = varint(b, p)
        _, p = varint(b, p)             # total size
        _, p = varint(b, p)             # of it, not gzipped
        if flags & 0x02:
            _, p = varint(b, p)
            _, p = varint(b, p)
        q = p
        _, p = varint(b, p)
        _, p = varint(b, p)
        flen, p = varint(b, p)
        acc["summary (sizes, times)"] += q
        acc["summary filter"] += p + flen - q
        p += flen
        for _ in range(nf):
            q = p
            tag, p = varint(b, p)
            if tag < 2:                 # packed: minute of the day, 12 bytes of UNIQUE
                _, p = varint(b, p)
                p += 12
            else:                       # front-coded: shared = tag - 2, suffix
                suf, p = varint(b, p)
                p += suf
            acc["file names"] += p - q
            q = p
            for _ in range(3):
                _, p = varint(b, p)
            acc["file size and mtime"] += p - q
            q = p
            ff, p = varint(b, p)
            _, p = varint(b, p)
            acc["file flags and count"] += p - q
            q = p
            if ff & 0x04:
                _, p = varint(b, p)
                _, p = varint(b, p)
            acc["file times"] += p - q
            q = p
            fl, p = varint(b, p)
            p += fl
            acc["file filters"] += p - q
        assert p == blen, (i, p, blen)
    parts.update(acc)
    assert sum(parts.values()) == len(data), (sum(parts.values()), len(data))
    print(f"{len(data)} bytes, {nfolders} folders, {nfiles} files"
          + (f", {100.0 * len(data) / gz:.2f}% of {gz} gzip bytes" if gz else ""))
    print("| part | bytes | per file | share of the index |" + (" of gzip |" if gz else ""))
    print("|---|---|---|---|" + ("---|" if gz else ""))
    for name, n in parts.items():
        print(f"| {name} | {n} | {n / max(nfiles, 1):.1f} | {100.0 * n / len(data):.1f}% |"
              + (f" {100.0 * n / gz:.2f}% |" if gz else ""))


if __name__ == "__main__":
    main()
