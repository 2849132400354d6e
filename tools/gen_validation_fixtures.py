#!/usr/bin/env python3
"""Deterministic signed mirrors for cloudtrail_fdw.validate() (sql/validate.sql).

Usage: gen_validation_fixtures.py OUTDIR
       gen_validation_fixtures.py --resign SRC DST   (bench: SRC's log files hard-linked
                                                      into DST, its digests chained and signed)

Writes OUTDIR/validation/ (deleted first):

  clean/            a signed mirror exactly in AWS's format: compact digest JSON with "/"
                    written "\\/", contiguous hourly digests, an hour with an empty logFiles,
                    a chain restart (logging stopped 06:00, started again 07:20), a key rotation
                    (digests ending after 04:00 signed with the second key), an organization
                    trail in another region signed with a third key whose chain starts at 22:00
                    the day before (across midnight), and a log file delivered
                    after the newest digest (its digest has not arrived: not reported)
  modified_log/ deleted_log/ extra_log/ deleted_digest/ modified_digest/ trailing_data/
  bad_input/        copies of clean/, each with one kind of tampering (bad_input: a digest that
                    is not JSON, one whose hashValue has 63 digits, one with data after its gzip
                    member, one that inflates past 64 MB)
  public_keys.json  what `aws cloudtrail list-public-keys` prints, for both regions (an array of
                    two): key 1 as an X.509 SubjectPublicKeyInfo (an old key), keys 2 and 3 PKCS#1
  signatures.json   `aws s3api head-object --query Metadata` of the newest digest of each chain
  signatures_corrupt.json  the same with one signature's hex altered
  expected.tsv      case, file, kind, status: the verdicts, computed here from what each case did
                    to the mirror (not by reading it back), for the test to compare with validate()

The keys are test keys committed in test/keys/ (RSA 2048); PKCS#1 v1.5 signatures are
deterministic, so every byte is the same from run to run.  Needs python3-cryptography.
"""

import base64
import gzip
import hashlib
import json
import os
import shutil
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = os.path.dirname(os.path.abspath(__file__))
KEYDIR = os.path.normpath(os.path.join(HERE, '..', 'test', 'keys'))
BUCKET = 'validation-test-bucket'
FIXED_MTIME = 1714521600  # 2024-05-01T00:00:00Z
DAY0 = 1714521600


def load_key(n):
    with open(os.path.join(KEYDIR, 'validation-test-key%d.pem' % n), 'rb') as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def public_der(key, spki):
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo if spki else serialization.PublicFormat.PKCS1
    return key.public_key().public_bytes(serialization.Encoding.DER, fmt)


def fingerprint(der):
    return hashlib.md5(der).hexdigest()


def iso(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))


def stamp(t, secs=True):
    return time.strftime('%Y%m%dT%H%M%SZ' if secs else '%Y%m%dT%H%MZ', time.gmtime(t))


def day_dir(t):
    return time.strftime('%Y/%m/%d', time.gmtime(t))


def aws_json(obj):
    """Compact JSON with "/" escaped as AWS writes digests."""
    return json.dumps(obj, separators=(',', ':')).replace('/', '\\/').encode('utf-8')


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def write(path, data, mtime=FIXED_MTIME):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    os.utime(path, (mtime, mtime))


def sign(key, digest_obj, inflated):
    msg = '%s\n%s/%s\n%s\n%s' % (digest_obj['digestEndTime'], digest_obj['digestS3Bucket'],
                                 digest_obj['digestS3Object'], hashlib.sha256(inflated).hexdigest(),
                                 digest_obj['previousDigestSignature'] or 'null')
    return key.sign(msg.encode('utf-8'), padding.PKCS1v15(), hashes.SHA256()).hex()


class Trail:
    def __init__(self, base, account, region, name, home):
        self.base, self.account, self.region, self.name, self.home = base, account, region, name, home

    def log_rel(self, t, unique):
        return '%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz' % (
            self.base, self.region, day_dir(t), self.account, self.region, stamp(t, False), unique)

    def digest_rel(self, t):
        return '%s/CloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz' % (
            self.base, self.region, day_dir(t), self.account, self.region, self.name, self.home, stamp(t))


def log_bytes(trail, t, n):
    recs = []
    for i in range(n):
        et = t - 120 - 60 * i
        h = hashlib.sha256(('%s/%d/%d' % (trail.region, t, i)).encode()).hexdigest()
        recs.append({'eventVersion': '1.09', 'userIdentity': {'type': 'IAMUser', 'userName': 'alice',
                     'arn': 'arn:aws:iam::%s:user/alice' % trail.account},
                     'eventTime': iso(et), 'eventSource': 's3.amazonaws.com', 'eventName': 'GetObject',
                     'awsRegion': trail.region, 'sourceIPAddress': '203.0.113.%d' % (i + 1),
                     'eventID': '%s-%s-%s-%s-%s' % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32]),
                     'eventType': 'AwsApiCall', 'recipientAccountId': trail.account})
    return json.dumps({'Records': recs}, separators=(',', ':')).encode('utf-8'), min(
        r['eventTime'] for r in recs), max(r['eventTime'] for r in recs)


def build_clean(root, keys):
    """Writes clean/ and returns (digests, logs, chain ends) describing it."""
    a = Trail('AWSLogs/111122223333', '111122223333', 'us-east-1', 'management-trail', 'us-east-1')
    b = Trail('AWSLogs/o-aa11bb22cc/111122223333', '111122223333', 'eu-west-1', 'org-trail', 'us-east-1')
    digests = []   # dicts: rel, trail, logs (rels), start, end, newest
    logs = {}      # rel -> (trail, hour index)
    newest = []

    def hour_end(h, r):
        return DAY0 + (h + 1) * 3600 + 30 + r

    # (trail, key number, [(digest index, start, end, [log times])], per chain)
    plan = []
    # trail A, chain 1: hours 0-5, hour 1 has two files, hour 3 none; key 2 from 04:00
    chain1 = []
    prev_end = DAY0
    for h in range(6):
        end = hour_end(h, h % 3)
        times = [] if h == 3 else [DAY0 + h * 3600 + m * 60 for m in ((5, 25) if h == 1 else (5, 25, 45))]
        chain1.append((h, prev_end, end, times))
        prev_end = end
    # logging stopped after 06:00; started again 07:20 (a new chain)
    chain2 = []
    prev_end = DAY0 + 7 * 3600 + 20 * 60
    for h in range(7, 10):
        end = hour_end(h, h % 3)
        times = [DAY0 + h * 3600 + m * 60 for m in ((25, 45) if h == 7 else (5, 25, 45))]
        chain2.append((h, prev_end, end, times))
        prev_end = end
    # the organization trail from 22:00 the day before: a chain across midnight
    chain3 = []
    prev_end = DAY0 - 2 * 3600
    for h in range(-2, 3):
        end = hour_end(h, 2)
        chain3.append((h, prev_end, end, [DAY0 + h * 3600 + 10 * 60]))
        prev_end = end
    plan = [(a, chain1), (a, chain2), (b, chain3)]

    for trail, chain in plan:
        prev = None
        for h, start, end, times in chain:
            keyno = 3 if trail is b else (2 if end >= DAY0 + 4 * 3600 else 1)
            key, fp = keys[keyno]
            files = []
            for t in times:
                unique = hashlib.sha256(('%s%d' % (trail.region, t)).encode()).hexdigest()[:16].upper()
                rel = trail.log_rel(t, unique)
                data, oldest, newest_t = log_bytes(trail, t, 2 + (t // 60) % 3)
                write(os.path.join(root, rel), gz(data), t + 30)
                logs[rel] = (trail, h)
                files.append({'s3Bucket': BUCKET, 's3Object': rel,
                              'hashValue': hashlib.sha256(data).hexdigest(), 'hashAlgorithm': 'SHA-256',
                              'newestEventTime': newest_t, 'oldestEventTime': oldest})
            drel = trail.digest_rel(end)
            obj = {'awsAccountId': trail.account, 'digestStartTime': iso(start), 'digestEndTime': iso(end),
                   'digestS3Bucket': BUCKET, 'digestS3Object': drel,
                   'digestPublicKeyFingerprint': fp, 'digestSignatureAlgorithm': 'SHA256withRSA',
                   'newestEventTime': max((f['newestEventTime'] for f in files), default=None),
                   'oldestEventTime': min((f['oldestEventTime'] for f in files), default=None),
                   'previousDigestS3Bucket': BUCKET if prev else None,
                   'previousDigestS3Object': prev['rel'] if prev else None,
                   'previousDigestHashValue': hashlib.sha256(prev['inflated']).hexdigest() if prev else None,
                   'previousDigestHashAlgorithm': 'SHA-256' if prev else None,
                   'previousDigestSignature': prev['signature'] if prev else None,
                   'logFiles': files[::-1]}   # not in time order, as AWS's
            inflated = aws_json(obj)
            d = {'rel': drel, 'trail': trail, 'hour': h, 'logs': [f['s3Object'] for f in files],
                 'obj': obj, 'inflated': inflated, 'signature': sign(key, obj, inflated), 'keyno': keyno}
            write(os.path.join(root, drel), gz(inflated), end + 60)
            digests.append(d)
            prev = d
        newest.append(prev)
    # delivered after trail A's newest digest: its digest is still to come
    t = DAY0 + 10 * 3600 + 15 * 60
    data, _, _ = log_bytes(a, t, 2)
    write(os.path.join(root, a.log_rel(t, 'NEWESTHOUR000000')), gz(data), t + 30)
    return digests, logs, newest, a


def clean_expected(digests):
    """The verdicts of the range the test asks for: digests ending from 2024-05-01 00:00."""
    exp = {}
    for d in digests:
        if d['obj']['digestEndTime'] < '2024-05-01T00:00:00Z':
            continue
        exp[d['rel']] = ('digest', 'valid')
        for l in d['logs']:
            exp[l] = ('log', 'valid')
    return exp


def by_hour(digests, trail_region, hour):
    return [d for d in digests if d['trail'].region == trail_region and d['hour'] == hour][0]


def regzip(root, rel, inflated, extra=b''):
    p = os.path.join(root, rel)
    st = os.stat(p)
    write(p, gz(inflated) + extra, int(st.st_mtime))


def build(outdir):
    out = os.path.join(outdir, 'validation')
    if os.path.exists(out):
        shutil.rmtree(out)
    keys = {}
    entries = {'us-east-1': [], 'eu-west-1': []}
    for n, spki in ((1, True), (2, False), (3, False)):
        k = load_key(n)
        der = public_der(k, spki)
        keys[n] = (k, fingerprint(der))
        entries['eu-west-1' if n == 3 else 'us-east-1'].append(
            {'Value': base64.b64encode(der).decode(), 'ValidityStartTime': '2024-01-01T00:00:00Z',
             'ValidityEndTime': '2025-01-01T00:00:00Z', 'Fingerprint': fingerprint(der)})
    clean = os.path.join(out, 'clean')
    digests, logs, newest, a = build_clean(clean, keys)
    # the one file sql/validate.sql rewrites (with lo_export, as the server's user)
    first = [r for r in sorted(logs) if r.startswith(a.base + '/CloudTrail/')][0]
    os.chmod(os.path.join(clean, first), 0o666)
    with open(os.path.join(out, 'public_keys.json'), 'w') as f:
        json.dump([{'PublicKeyList': entries['us-east-1']}, {'PublicKeyList': entries['eu-west-1']}], f,
                  indent=2, sort_keys=True)
    sigs = {d['rel']: {'signature': d['signature'], 'signature-algorithm': 'SHA256withRSA'} for d in newest}
    with open(os.path.join(out, 'signatures.json'), 'w') as f:
        json.dump(sigs, f, indent=2, sort_keys=True)
    bad = json.loads(json.dumps(sigs))
    d8 = by_hour(digests, 'us-east-1', 9)
    s = bad[d8['rel']]['signature']
    bad[d8['rel']]['signature'] = s[:10] + ('0' if s[10] != '0' else '1') + s[11:]
    with open(os.path.join(out, 'signatures_corrupt.json'), 'w') as f:
        json.dump(bad, f, indent=2, sort_keys=True)

    base = clean_expected(digests)
    cases = {'clean': dict(base)}

    def copy(name):
        dst = os.path.join(out, name)
        shutil.copytree(clean, dst)
        exp = dict(base)
        cases[name] = exp
        return dst, exp

    # a log file rewritten: one record changed
    root, exp = copy('modified_log')
    rel = by_hour(digests, 'us-east-1', 2)['logs'][1]
    p = os.path.join(root, rel)
    data = gzip.decompress(open(p, 'rb').read()).replace(b'"alice"', b'"mallory"', 1)
    regzip(root, rel, data)
    exp[rel] = ('log', 'invalid')

    # a log file deleted
    root, exp = copy('deleted_log')
    rel = by_hour(digests, 'us-east-1', 4)['logs'][0]
    os.unlink(os.path.join(root, rel))
    exp[rel] = ('log', 'not found')

    # a log file added that no digest lists
    root, exp = copy('extra_log')
    t = DAY0 + 2 * 3600 + 50 * 60
    rel = a.log_rel(t, 'EXTRAFILE0000000')
    data, _, _ = log_bytes(a, t, 3)
    write(os.path.join(root, rel), gz(data), t + 30)
    exp[rel] = ('log', 'not covered')

    # a digest deleted: the one before it has no next digest to vouch for it
    root, exp = copy('deleted_digest')
    d2 = by_hour(digests, 'us-east-1', 2)
    os.unlink(os.path.join(root, d2['rel']))
    exp[d2['rel']] = ('digest', 'not found')
    exp[by_hour(digests, 'us-east-1', 1)['rel']] = ('digest', 'not verified')
    for l in d2['logs']:
        exp[l] = ('log', 'not covered')

    # a digest modified: its hash no longer matches the next digest's
    root, exp = copy('modified_digest')
    d4 = by_hour(digests, 'us-east-1', 4)
    obj = dict(d4['obj'])
    obj['oldestEventTime'] = '2024-05-01T00:00:00Z'
    regzip(root, d4['rel'], aws_json(obj))
    exp[d4['rel']] = ('digest', 'invalid')
    for l in d4['logs']:
        exp[l] = ('log', 'not covered')

    # data after the first gzip member of a log file
    root, exp = copy('trailing_data')
    rel = by_hour(digests, 'us-east-1', 7)['logs'][0]
    p = os.path.join(root, rel)
    data = gzip.decompress(open(p, 'rb').read())
    regzip(root, rel, data, gz(b'{"Records":[]}'))
    exp[rel] = ('log', 'invalid')

    # bad digests: not JSON, a 63-digit hashValue, trailing data, too large inflated
    root, exp = copy('bad_input')
    d1 = by_hour(digests, 'us-east-1', 1)
    regzip(root, d1['rel'], b'this is not JSON')
    d2 = by_hour(digests, 'us-east-1', 2)
    obj = json.loads(d2['inflated'])
    obj['logFiles'][0]['hashValue'] = obj['logFiles'][0]['hashValue'][:63]
    regzip(root, d2['rel'], aws_json(obj))
    d3 = by_hour(digests, 'us-east-1', 3)
    regzip(root, d3['rel'], d3['inflated'], b'\0garbage')
    d7 = by_hour(digests, 'us-east-1', 7)
    regzip(root, d7['rel'], d7['inflated'][:-1] + b' ' * (65 * 1024 * 1024) + b'}')
    for d in (d1, d2, d3, d7):
        exp[d['rel']] = ('digest', 'invalid')
        for l in d['logs']:
            exp[l] = ('log', 'not covered')
    # the digest before the unreadable one: nothing vouches for it
    exp[by_hour(digests, 'us-east-1', 0)['rel']] = ('digest', 'not verified')

    # the corrupted signature and no keys: the clean mirror with other arguments
    exp = dict(base)
    exp[d8['rel']] = ('digest', 'invalid')
    for l in d8['logs']:
        exp[l] = ('log', 'not covered')
    cases['corrupt_signature'] = exp
    cases['no_keys'] = {k: (v[0], 'not verified' if v[0] == 'digest' else v[1]) for k, v in base.items()}

    with open(os.path.join(out, 'expected.tsv'), 'w') as f:
        for case in sorted(cases):
            for rel in sorted(cases[case]):
                f.write('%s\t%s\t%s\t%s\n' % (case, rel, cases[case][rel][0], cases[case][rel][1]))


def resign(src, dst):
    """The bench mirror with chained, signed digests: log files hard-linked, digests rewritten."""
    key = load_key(2)
    fp = fingerprint(public_der(key, False))
    if os.path.exists(dst):
        shutil.rmtree(dst)
    chains = {}
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, src)
        for name in sorted(filenames):
            s = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if '/CloudTrail-Digest/' in '/' + rel:
                obj = json.loads(gzip.decompress(open(s, 'rb').read()))
                chains.setdefault(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(rel)))),
                                  []).append((obj['digestEndTime'], rel, obj))
            else:
                os.makedirs(os.path.join(dst, rel_dir), exist_ok=True)
                os.link(s, os.path.join(dst, rel))
    for chain in chains.values():
        prev = None
        for _, rel, obj in sorted(chain):
            obj['digestS3Object'] = rel
            # bench/gen_mirror.py hashes the gzip bytes; AWS hashes the inflated ones
            for f in obj['logFiles']:
                with open(os.path.join(src, f['s3Object']), 'rb') as lf:
                    f['hashValue'] = hashlib.sha256(gzip.decompress(lf.read())).hexdigest()
            obj['digestPublicKeyFingerprint'] = fp
            obj['previousDigestS3Bucket'] = obj['digestS3Bucket'] if prev else None
            obj['previousDigestS3Object'] = prev[0] if prev else None
            obj['previousDigestHashValue'] = hashlib.sha256(prev[1]).hexdigest() if prev else None
            obj['previousDigestHashAlgorithm'] = 'SHA-256' if prev else None
            obj['previousDigestSignature'] = prev[2] if prev else None
            inflated = aws_json(obj)
            write(os.path.join(dst, rel), gz(inflated))
            prev = (rel, inflated, sign(key, obj, inflated))
    der = public_der(key, False)
    with open(os.path.join(dst, 'public_keys.json'), 'w') as f:
        json.dump({'PublicKeyList': [{'Value': base64.b64encode(der).decode(), 'Fingerprint': fp}]}, f)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--resign':
        resign(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2:
        build(sys.argv[1])
    else:
        sys.exit(__doc__)
