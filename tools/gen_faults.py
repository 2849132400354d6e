#!/usr/bin/env python3
"""Hostile-file mirror for cloudtrail_fdw's `faults` regression test.

Usage: gen_faults.py OUTDIR        (the test reads $CT_FIXTURES/faults)

Deletes OUTDIR (only if an earlier run of this tool wrote it), recreates it and
writes a CloudTrail mirror whose event files are broken in every way we could
think of: truncated, corrupt or padded gzip, wrong gzip magic, extra gzip
members, broken JSON envelopes and records, invalid UTF-8 and escapes, deep
nesting, a 100 MB string, values of the wrong JSON type, unreadable files and
folders, symbolic links (loops, dangling, outside the root, inside the root),
a FIFO, and names that are not event files.

Each case sits alone in its own day folder of account 111111111111
(AWSLogs/111111111111/CloudTrail/us-east-1/2021/MM/DD/), so a test can point
a table's `location` at it; see CASES below for the folder of each case.
Folder-level cases use their own month or account:

  AWSLogs/111111111111/CloudTrail/us-east-1/2021/03/   day 01 -> loop-b -> 01: a loop
  AWSLogs/222222222222/...                            the ONE good file (3 records)
  AWSLogs/333333333333/CloudTrail/us-tmp-1 -> /tmp    a region folder outside the root
  AWSLogs/444444444444/CloudTrail/us-east-1/2021/     day 01/01 -> .. and month 02 -> .
                                                      (folders pointing to their parents)
  AWSLogs/555555555555/CloudTrail/us-east-1/2021/01/01/  two event-file links forming a loop
  prefix-loop -> .                                    a loop in the prefix area

Python 3 standard library only; importable (build(outdir) does the work).
Output is byte-identical from run to run (gzip mtime 0, no name in the gzip
header, fixed file mtimes).  Everything is world-readable except the two
deliberately unreadable entries (mode 000).  Must run as a user that can
create a FIFO and symbolic links (any user on Linux).
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import sys
import zlib

from gen_fixtures import unique16  # the same names as the main fixtures

A = '111111111111'          # every bad file, one per day folder
GOOD = '222222222222'       # the one good file
OUTSIDE = '333333333333'    # region folder symlinked to /tmp
LOOPS = '444444444444'      # folders linked to their parents
TWO = '555555555555'        # two bad entries in one folder
REGION = 'us-east-1'
MARKER = '.gen_faults'      # hidden (the scan skips it); marks OUTDIR as ours
FIXED_MTIME = 1609459200    # 2021-01-01T00:00:00Z
BIG_LEN = 100 * 1024 * 1024  # the 100 MB string


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def day_dir(month, day, account=A):
    return 'AWSLogs/%s/CloudTrail/%s/2021/%02d/%02d' % (account, REGION, month, day)


def file_name(month, day, account=A, ext='.json.gz', hhmm='0005', salt=''):
    stem = '%s_CloudTrail_%s_2021%02d%02dT%sZ' % (account, REGION, month, day, hhmm)
    return '%s_%s%s' % (stem, unique16(stem + '|' + salt), ext)


def event_file(month, day, account=A, ext='.json.gz', hhmm='0005', salt=''):
    return day_dir(month, day, account) + '/' + file_name(month, day, account, ext, hhmm, salt)


def gz(data, level=9):
    if isinstance(data, str):
        data = data.encode('utf-8')
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode='wb', mtime=0, filename='', compresslevel=level) as f:
        f.write(data)
    return buf.getvalue()


def rec(name, month, day, i=0, **extra):
    """A plausible record (compact JSON text) named `name`."""
    r = {
        'eventVersion': '1.08',
        'userIdentity': {'type': 'IAMUser', 'principalId': 'AIDAFAULTS0000000000' + str(i),
                         'arn': 'arn:aws:iam::%s:user/mallory' % A, 'accountId': A,
                         'userName': 'mallory'},
        'eventTime': '2021-%02d-%02dT00:0%d:0%dZ' % (month, day, 1 + i // 10, i % 10),
        'eventSource': 'faults.amazonaws.com',
        'eventName': name,
        'awsRegion': REGION,
        'sourceIPAddress': '198.51.100.66',
        'userAgent': 'gen_faults.py',
        'requestParameters': {'n': i + 1},
        'responseElements': None,
        'readOnly': True,
        'eventID': '00000000-0000-4000-8000-%012d' % (month * 10000 + day * 100 + i),
        'eventType': 'AwsApiCall',
        'recipientAccountId': A,
    }
    r.update(extra)
    return json.dumps(r, separators=(',', ':'))


def records(*recs):
    return '{"Records":[' + ','.join(recs) + ']}'


def many(name, month, day, n=40):
    """A file's text with n records: enough for a dynamic-Huffman deflate stream."""
    return records(*[rec(name, month, day, i) for i in range(n)])


# ---------------------------------------------------------------------------
# the cases: (month, day) -> (description, builder); each builder returns a
# list of entries (kind, relpath, payload) for its own day folder
# ---------------------------------------------------------------------------
def f_bytes(month, day, data, ext='.json.gz', salt=''):
    return [('file', event_file(month, day, ext=ext, salt=salt), data)]


def case_gzip_cut(month, day, where):
    full = gz(many('Truncated', month, day))
    if where == 'header':
        cut = 5                     # inside the 10-byte gzip header
    elif where == 'middle':
        cut = len(full) // 2        # in the deflate stream
    elif where == 'trailer':
        cut = len(full) - 8         # all the deflate data, no CRC32/ISIZE trailer
    else:
        cut = len(full) - 3         # in the middle of the trailer
    return f_bytes(month, day, full[:cut])


def case_corrupt_deflate(month, day):
    full = bytearray(gz(many('Corrupt', month, day)))
    mid = len(full) // 2
    for k in range(mid, mid + 4):
        full[k] ^= 0xFF
    return f_bytes(month, day, bytes(full))


def case_bad_crc(month, day):
    full = bytearray(gz(records(rec('BadCrc', month, day))))
    full[-8] ^= 0xFF                # first byte of the CRC32
    return f_bytes(month, day, bytes(full))


def case_bad_isize(month, day):
    full = bytearray(gz(records(rec('BadLength', month, day))))
    full[-4] ^= 0x01                # ISIZE (uncompressed length mod 2^32)
    return f_bytes(month, day, bytes(full))


def case_multi_member_continuation(month, day):
    # valid: gunzip concatenates members; the split falls inside a string,
    # and an empty member sits between the two halves
    text = records(rec('Continued', month, day, 0), rec('Continued', month, day, 1))
    cut = text.index('mallory') + 3
    return f_bytes(month, day, gz(text[:cut]) + gz(b'') + gz(text[cut:]))


def gz_with_header(data, bad_hcrc=False):
    """A gzip member with every optional header field (RFC 1952): FEXTRA,
    FNAME, FCOMMENT and FHCRC (the low 16 bits of the header's CRC32)."""
    extra = b'AB' + (4).to_bytes(2, 'little') + b'test'
    hdr = (b'\x1f\x8b\x08' + bytes([0x02 | 0x04 | 0x08 | 0x10]) + b'\0\0\0\0' + b'\x00\x03' +
           len(extra).to_bytes(2, 'little') + extra + b'original name.json\0' + b'a comment\0')
    hcrc = zlib.crc32(hdr) & 0xFFFF
    if bad_hcrc:
        hcrc ^= 0xFFFF
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = co.compress(data) + co.flush()
    return (hdr + hcrc.to_bytes(2, 'little') + body +
            (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, 'little') +
            (len(data) & 0xFFFFFFFF).to_bytes(4, 'little'))


CASES = [
    # --- gzip layer -------------------------------------------------------
    ((1, 1), 'gzip truncated in the 10-byte header', lambda m, d: case_gzip_cut(m, d, 'header')),
    ((1, 2), 'gzip truncated in the middle of the deflate stream',
     lambda m, d: case_gzip_cut(m, d, 'middle')),
    ((1, 3), 'gzip truncated just before the 8-byte trailer',
     lambda m, d: case_gzip_cut(m, d, 'trailer')),
    ((1, 4), 'gzip truncated in the middle of the trailer',
     lambda m, d: case_gzip_cut(m, d, 'in-trailer')),
    ((1, 5), 'corrupt deflate data (4 bytes flipped in the middle)', case_corrupt_deflate),
    ((1, 6), 'bad CRC32 in the gzip trailer', case_bad_crc),
    ((1, 7), 'bad ISIZE in the gzip trailer', case_bad_isize),
    ((1, 8), 'wrong magic: a .json.gz holding plain JSON text',
     lambda m, d: f_bytes(m, d, records(rec('PlainText', m, d)).encode())),
    ((1, 9), 'trailing garbage after the gzip member',
     lambda m, d: f_bytes(m, d, gz(records(rec('Garbage', m, d))) + b'garbage\n')),
    ((1, 10), 'trailing zero bytes after the gzip member (tape padding)',
     lambda m, d: f_bytes(m, d, gz(records(rec('Padded', m, d))) + b'\0' * 512)),
    ((1, 11), 'a second gzip member holding a second JSON object',
     lambda m, d: f_bytes(m, d, gz(records(rec('Member1', m, d))) +
                          gz(records(rec('Member2', m, d))))),
    ((1, 12), 'VALID: three gzip members (one empty) holding one JSON text',
     case_multi_member_continuation),
    ((1, 13), 'a zero-byte .json.gz', lambda m, d: f_bytes(m, d, b'')),
    ((1, 14), 'a zero-byte .json', lambda m, d: f_bytes(m, d, b'', ext='.json')),
    ((1, 15), 'gzip of text that is not JSON',
     lambda m, d: f_bytes(m, d, gz('this is not JSON\n' * 10))),
    # --- JSON envelope ----------------------------------------------------
    ((1, 16), 'JSON without "Records"', lambda m, d: f_bytes(m, d, gz('{"foo":1}'))),
    ((1, 17), '"Records" is an object', lambda m, d: f_bytes(m, d, gz('{"Records":{}}'))),
    ((1, 18), '"Records" is null', lambda m, d: f_bytes(m, d, gz('{"Records":null}'))),
    ((1, 19), 'a top-level array of records',
     lambda m, d: f_bytes(m, d, gz('[' + rec('TopArray', m, d) + ']'))),
    ((1, 20), 'records that are not objects',
     lambda m, d: f_bytes(m, d, gz('{"Records":[1,"x",null]}'))),
    # --- JSON text inside a record ----------------------------------------
    ((1, 21), 'invalid UTF-8 inside a string',
     lambda m, d: f_bytes(m, d, gz(records(rec('BadUtf8', m, d)).encode()
                                   .replace(b'mallory', b'mal\xff\xfery', 1)))),
    ((1, 22), 'VALID JSON: \\u0000 in userAgent (an error only where converted)',
     lambda m, d: f_bytes(m, d, gz(records(rec('NulChar', m, d, userAgent='a\u0000b'))))),
    ((1, 23), 'a lone high surrogate escape \\ud800',
     lambda m, d: f_bytes(m, d, gz(records(rec('LoneHigh', m, d)).replace(
         '"userAgent":"gen_faults.py"', '"userAgent":"x\\ud800y"')))),
    ((1, 24), 'a lone low surrogate escape \\udc00',
     lambda m, d: f_bytes(m, d, gz(records(rec('LoneLow', m, d)).replace(
         '"userAgent":"gen_faults.py"', '"userAgent":"\\udc00"')))),
    ((1, 25), 'nesting 100000 levels deep inside a record',
     lambda m, d: f_bytes(m, d, gz(records(rec('Deep', m, d)[:-1] + ',"deep":' +
                                           '[' * 100000 + ']' * 100000 + '}')))),
    ((1, 26), 'VALID: a 100 MB string value in one record',
     lambda m, d: f_bytes(m, d, gz(records(rec('Big', m, d)[:-1] + ',"big":"' +
                                           'x' * BIG_LEN + '"}'), level=6))),
    ((1, 27), 'VALID: duplicate keys (the last one wins)',
     lambda m, d: f_bytes(m, d, gz(records(
         rec('First', m, d)[:-1] + ',"eventName":"Second","readOnly":false,"x":1,"x":2}')))),
    # --- values of the wrong type ----------------------------------------
    ((1, 28), 'eventTime is a number',
     lambda m, d: f_bytes(m, d, gz(records(rec('TimeNumber', m, d, eventTime=1609459200))))),
    ((1, 29), 'readOnly is the string "yes"',
     lambda m, d: f_bytes(m, d, gz(records(rec('ReadOnlyYes', m, d, readOnly='yes'))))),
    ((1, 30), 'VALID: userIdentity is a string',
     lambda m, d: f_bytes(m, d, gz(records(rec('IdentityString', m, d, userIdentity='root'))))),
    ((1, 31), 'VALID: requestParameters is an array',
     lambda m, d: f_bytes(m, d, gz(records(rec('ParamsArray', m, d,
                                                requestParameters=[1, 'two', None]))))),
    ((2, 1), 'an invalid eventTime string',
     lambda m, d: f_bytes(m, d, gz(records(rec('BadTime', m, d,
                                                eventTime='2021-13-45T25:61:00Z'))))),
    ((2, 2), 'x = 2147483648 does not fit an integer column',
     lambda m, d: f_bytes(m, d, gz(records(rec('Overflow', m, d, x=2147483648))))),
    ((2, 3), 'truncated JSON in a valid gzip file',
     lambda m, d: f_bytes(m, d, gz(records(rec('Cut', m, d, 0), rec('Cut', m, d, 1))[:400]))),
    ((2, 4), 'duplicate "Records" key',
     lambda m, d: f_bytes(m, d, gz('{"Records":[],"Records":[' + rec('Dup', m, d) + ']}'))),
    ((2, 5), 'a UTF-8 byte-order mark before the JSON',
     lambda m, d: f_bytes(m, d, gz(b'\xef\xbb\xbf' + records(rec('Bom', m, d)).encode()))),
    ((2, 6), 'VALID: an empty record {} (all columns NULL)',
     lambda m, d: f_bytes(m, d, gz('{"Records":[{}]}'))),
    # --- the file system --------------------------------------------------
    ((2, 7), 'an unreadable file (mode 000)',
     lambda m, d: [('file000', event_file(m, d), gz(records(rec('Unreadable', m, d))))]),
    ((2, 8), 'an unreadable day folder (mode 000)',
     lambda m, d: [('file', event_file(m, d), gz(records(rec('InLockedFolder', m, d)))),
                   ('dir000', day_dir(m, d), None)]),
    ((2, 9), 'a symlink named like an event file, to /etc/passwd (outside the root)',
     lambda m, d: [('symlink', event_file(m, d), '/etc/passwd')]),
    ((2, 10), 'VALID: a symlink to the good file elsewhere in the root',
     lambda m, d: [('symlink', event_file(m, d),
                    '../../../../../../../' + event_file(1, 1, GOOD))]),
    # (only one name of the loop is an event-file name: the scan reports bad
    # entries of one folder in readdir order, which differs between machines)
    ((2, 11), 'a symlink loop: an event-file name -> loop-b -> the event-file name',
     lambda m, d: [('symlink', event_file(m, d), 'loop-b'),
                   ('symlink', day_dir(m, d) + '/loop-b', file_name(m, d))]),
    ((2, 12), 'a dangling symlink named like an event file',
     lambda m, d: [('symlink', event_file(m, d), 'no-such-file.json.gz')]),
    ((2, 13), 'a FIFO named like an event file (opening it would block)',
     lambda m, d: [('fifo', event_file(m, d), None)]),
    ((2, 14), 'a folder named like an event file',
     lambda m, d: [('dir', event_file(m, d), None)]),
    ((2, 15), 'names with a space, a newline and non-UTF-8 bytes (not event files)',
     lambda m, d: [('file', day_dir(m, d) + '/' + file_name(m, d, salt='sp').replace('.json.gz', ' copy.json.gz'),
                    b'not gzip'),
                   ('file', day_dir(m, d) + '/' + file_name(m, d, salt='nl').replace('.json.gz', '\n.json.gz'),
                    b'not gzip'),
                   ('file', day_dir(m, d).encode() + b'/' +
                    file_name(m, d, salt='u8').replace('.json.gz', '').encode() + b'\xff\xfe.json.gz',
                    b'not gzip')]),
    ((2, 16), 'a partial download (NAME.json.gz.XXXXXXXX)',
     lambda m, d: [('file', event_file(m, d) + '.3aF9c01B', gz(b'{"Records":[{"eventName":"Par'))]),
    # --- more gzip and JSON -----------------------------------------------
    ((2, 17), 'VALID: a gzip header with FEXTRA, FNAME, FCOMMENT and FHCRC fields',
     lambda m, d: f_bytes(m, d, gz_with_header(records(rec('FancyHeader', m, d)).encode()))),
    ((2, 18), 'a gzip header whose FHCRC (header CRC16) is wrong',
     lambda m, d: f_bytes(m, d, gz_with_header(records(rec('BadHeaderCrc', m, d)).encode(),
                                               bad_hcrc=True))),
    ((2, 19), 'a raw (unescaped) NUL byte inside a string',
     lambda m, d: f_bytes(m, d, gz(records(rec('RawNul', m, d)).encode()
                                   .replace(b'mallory', b'mal\0lory', 1)))),
]


def build_entries():
    """Every entry of the mirror: (kind, relpath (str or bytes), payload)."""
    out = []
    seen = set()
    for (m, d), _desc, builder in CASES:
        assert (m, d) not in seen, (m, d)
        seen.add((m, d))
        out.extend(builder(m, d))
    # the one good file, in its own account
    good = records(*[rec('GoodEvent', 1, 1, i, x=i + 1, recipientAccountId=GOOD)
                     for i in range(3)])
    out.append(('file', event_file(1, 1, GOOD), gz(good)))
    # a day folder in a symlink loop (March): 01 -> loop-b -> 01 (loop-b is
    # not a day-folder name, so only 01 is reported)
    out.append(('symlink', day_dir(3, 1), 'loop-b'))
    out.append(('symlink', 'AWSLogs/%s/CloudTrail/%s/2021/03/loop-b' % (A, REGION), '01'))
    # a region folder outside the root
    out.append(('symlink', 'AWSLogs/%s/CloudTrail/us-tmp-1' % OUTSIDE, '/tmp'))
    # folders pointing to their parents, inside the layout: a day folder to its
    # month, a month folder to its year
    out.append(('symlink', day_dir(1, 1, LOOPS), '..'))
    out.append(('symlink', 'AWSLogs/%s/CloudTrail/%s/2021/02' % (LOOPS, REGION), '.'))
    # a loop in the prefix area (links there are never followed)
    out.append(('symlink', 'prefix-loop', '.'))
    # two event-file names linked to each other: two bad entries in one folder
    # (the scan reports them in readdir order, which differs between machines)
    out.append(('symlink', event_file(1, 1, TWO, salt='a'), file_name(1, 1, TWO, salt='b')))
    out.append(('symlink', event_file(1, 1, TWO, salt='b'), file_name(1, 1, TWO, salt='a')))
    return out


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------
def _b(p):
    return p if isinstance(p, bytes) else p.encode('utf-8')


def _unlock(root):
    """Give the owner access again to what an earlier run locked (mode 000);
    top-down, so that a folder is unlocked before the walk enters it."""
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | stat.S_IRWXU)


def remove(out):
    """Deletes OUTDIR as written by build(), locked entries included (also for
    a non-root owner); refuses a non-empty folder this tool did not write."""
    if not os.path.lexists(out):
        return
    if os.path.isdir(out) and not os.path.islink(out):
        if os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
            raise SystemExit('gen_faults.py: refusing to delete %s: it was not written by this tool'
                             % out)
        os.chmod(out, stat.S_IRWXU)
        _unlock(out)
        shutil.rmtree(out)
    else:
        os.remove(out)


def build(out):
    out = os.path.abspath(out)
    if out in ('/', os.path.expanduser('~')):
        raise SystemExit('gen_faults.py: refusing to use %s' % out)
    remove(out)
    os.makedirs(out)
    bout = _b(out)
    entries = sorted(build_entries(), key=lambda e: _b(e[1]))
    locked = []
    for kind, rel, payload in entries:
        p = os.path.join(bout, _b(rel))
        if kind in ('file', 'file000'):
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'wb') as f:
                f.write(payload)
            os.utime(p, (FIXED_MTIME, FIXED_MTIME))
            if kind == 'file000':
                locked.append(p)
        elif kind == 'symlink':
            os.makedirs(os.path.dirname(p), exist_ok=True)
            os.symlink(_b(payload), p)
        elif kind == 'fifo':
            os.makedirs(os.path.dirname(p), exist_ok=True)
            os.mkfifo(p)
        elif kind in ('dir', 'dir000'):
            os.makedirs(p, exist_ok=True)
            if kind == 'dir000':
                locked.append(p)
        else:
            raise AssertionError(kind)
    with open(os.path.join(out, MARKER), 'w') as f:
        f.write('written by tools/gen_faults.py\n')
    # world-readable (the server runs as another user), then lock the two
    for dirpath, dirnames, filenames in os.walk(bout):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                continue
            mode = os.stat(p).st_mode
            add = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
            if stat.S_ISDIR(mode):
                add |= stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
            os.chmod(p, mode | add)
    os.chmod(bout, 0o755)
    for p in locked:
        os.chmod(p, 0)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: gen_faults.py OUTDIR\n')
        return 2
    build(argv[1])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
