#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (test/fuzz/corpus/<target>/).

Seeds are small: real record snippets from test/realdata and the edge cases
the unit tests cover.  Output is deterministic; re-run after editing:
    python3 test/fuzz/make_seeds.py
"""
import gzip
import io
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, '..', 'realdata')


def gz(data, level=6):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode='wb', compresslevel=level, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def real_records():
    recs = []
    with gzip.open(os.path.join(REAL, 'grafana-lambda-promtail', 'cloudtrail-log-file.json.gz')) as f:
        recs += json.load(f)['Records']
    for name in ('aws.defense-evasion.cloudtrail-delete.json',
                 'aws.initial-access.console-login-without-mfa.json',
                 'aws.persistence.iam-backdoor-role.json',
                 'aws.persistence.sts-federation-token.json'):
        with open(os.path.join(REAL, 'stratus-red-team', name), 'rb') as f:
            recs += json.load(f)[:1]
    with open(os.path.join(REAL, 'otrf-security-datasets',
                           'ec2_proxy_s3_exfiltration_2020-09-14011940.json'), 'rb') as f:
        for line in f.read().splitlines()[:2]:
            recs.append(json.loads(line))
    return recs


def record_seeds(recs):
    seeds = []
    for r in recs:
        seeds.append(json.dumps(r, separators=(',', ':')).encode())
    seeds.append(json.dumps(recs[0], indent=4).encode())
    seeds.append(json.dumps(recs[1], ensure_ascii=False).encode())
    seeds += [
        b'{}', b'{"a":1,"a":2,"A":3}', b' {\t"k" :\r\n[ ] }\n',
        b'{"n":[0,-0,1,-1,1.5,-0.5e-3,1E+2,12345678901234567890,1e400,-1e400,1e-400,0.0e0]}',
        b'{"s":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u00e9\\ud83d\\ude00\\uDBFF\\uDFFF"}',
        '{"u":"\u00e9\u20ac\U0001F600\u007f\ud7ff\ue000\U0010FFFF"}'.encode('utf-8', 'surrogatepass'),
        b'{"bad":"\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\xf5\xff"}',
        b'{"lone":"\\ud800","low":"\\udc00x"}',
        b'{"k\\u0000ey":1,"e\\u0054":"x"}',
        b'{"bad":[01,1.,.5,-,1e,+1]}',
        b'{"ctl":"\x01\x1f"}',
        b'{"a":{"b":{"c":[1,{"d":null}]}},"t":true,"f":false}',
        b'{"a":' + b'[' * 999 + b']' * 999 + b'}',
        b'{"a":' + b'[' * 1000 + b']' * 1000 + b'}',
        b'[1,2]', b'"str"', b'{"a":1} x', b'{"a":1,}', b'{"a"}',
    ]
    return seeds


def stream_seeds(recs):
    def doc(rs, **kw):
        return json.dumps({'Records': rs}, **kw).encode()
    with open(os.path.join(REAL, 'grafana-lambda-promtail', 'cloudtrail-log-file.json.gz'), 'rb') as f:
        real_gz = f.read()
    small = recs[:3]
    compact = doc(small, separators=(',', ':'))
    seeds = [
        compact,
        doc(recs[3:5], indent=4),
        doc([recs[5]], ensure_ascii=False),
        real_gz,                                  # raw gzip, pretty-printed native file
        gz(compact), gz(compact[:40]) + gz(compact[40:]),     # multi-member
        gz(compact) + gz(compact),                # a second JSON object
        gz(compact)[:len(gz(compact)) // 2],      # truncated
        gz(compact) + b'garbage',
        b'{"Records":[]}', b' {"Records" : [ ] } \n', b'\xef\xbb\xbf{"Records":[{}]}',
        b'{"a":{"Records":[1]},"b":["]",{"c":"}"}],"Records":[{"x":"\\"}]"},{}],"z":-1.5e3}',
        b'{"Rec\\u006frds":[{"eventName":"A"}]}',
        b'{"Records":[{"s":"\\\\","t":"{[\\"]}","u":"\\ud83d\\ude00"}]}',
        b'[{"eventName":"A"}]', b'{"x":1}', b'{"Records":{}}',
        b'{"Records":[],"Records":[]}', b'{"Records":[1,"x",null]}',
        b'{"Records":[{}]} trailing', b'{"Records":[{}]}{}', b'{"Records":[{"a":',
        b'{"Records":[{"a":' + b'[' * 1001 + b']' * 1001 + b'}]}',
        b'{"x":' + b'{"k":' * 200 + b'1' + b'}' * 200 + b',"Records":[{"d":' + b'[' * 997 + b']' * 997 + b'}]}',
        b'',
    ]
    return seeds


def write(target, seeds):
    d = os.path.join(HERE, 'corpus', target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for i, s in enumerate(seeds):
        with open(os.path.join(d, 'seed-%02d' % i), 'wb') as f:
            f.write(s)
    print('%s: %d seeds, %d bytes' % (target, len(seeds), sum(len(s) for s in seeds)))


def main():
    recs = real_records()
    write('fuzz_record', record_seeds(recs))
    write('fuzz_stream', stream_seeds(recs))


if __name__ == '__main__':
    main()
