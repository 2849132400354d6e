#!/usr/bin/env python3
"""Deterministic test-fixture generator for cloudtrail_fdw.

Usage: gen_fixtures.py OUTDIR

Deletes OUTDIR (if it exists), recreates it and writes these CloudTrail mirrors
(the layout `aws s3 sync s3://BUCKET/ DIR/` produces):

  OUTDIR/main   synthetic multi-account / org / prefix mirror with skip traps
  OUTDIR/bad    good, truncated-gzip and corrupt-JSON event files (on_error tests)
  OUTDIR/types  JSON type-conversion records
  OUTDIR/real   real public records (test/realdata) placed in the native layout
  OUTDIR/many   10 000 small files (memory and cancel tests)
  OUTDIR/digests  a mirror with CloudTrail-Digest files and their traps (digest tests)

Python 3 standard library only. Output is byte-identical from run to run
(fixed RNG seed, gzip mtime 0 and no file name in the gzip header, files written
in sorted order, file mtimes set to fixed values). See test/fixtures.md.
"""

import datetime as dt
import glob
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import stat
import string
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REALDATA = os.path.normpath(os.path.join(HERE, '..', 'test', 'realdata'))

UTC = dt.timezone.utc
B62 = string.ascii_uppercase + string.ascii_lowercase + string.digits
FIXED_MTIME = 1542153600  # 2018-11-14T00:00:00Z, for non-event files


# ---------------------------------------------------------------------------
# JSON text: a tiny serializer that keeps dict order and supports
#   Raw(text)   - JSON text inserted verbatim (hand-crafted escapes, 1.10, 1e3)
#   Esc(str)    - a string written with \uXXXX escapes for non-ASCII and \/
#   Pairs([..]) - an object given as (key, value) pairs (allows duplicate keys)
# ---------------------------------------------------------------------------
class Raw(str):
    pass


class Esc(str):
    pass


class Pairs(list):
    pass


def _items(v):
    return list(v) if isinstance(v, Pairs) else list(v.items())


def enc(v, indent=None, level=0):
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, Esc):
        return json.dumps(str(v), ensure_ascii=True).replace('/', '\\/')
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if v is None:
        return 'null'
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (dict, Pairs)):
        items = _items(v)
        if not items:
            return '{}'
        if indent is None:
            return '{' + ','.join(json.dumps(k, ensure_ascii=False) + ':' + enc(x)
                                  for k, x in items) + '}'
        pad = '\n' + ' ' * (indent * (level + 1))
        end = '\n' + ' ' * (indent * level)
        return '{' + ','.join(pad + json.dumps(k, ensure_ascii=False) + ': ' +
                              enc(x, indent, level + 1) for k, x in items) + end + '}'
    if isinstance(v, (list, tuple)):
        if not v:
            return '[]'
        if indent is None:
            return '[' + ','.join(enc(x) for x in v) + ']'
        pad = '\n' + ' ' * (indent * (level + 1))
        end = '\n' + ' ' * (indent * level)
        return '[' + ','.join(pad + enc(x, indent, level + 1) for x in v) + end + ']'
    raise TypeError(type(v))


def records_text(records, indent=None):
    return enc({'Records': records}, indent)


def gz(data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode='wb', mtime=0, filename='') as f:
        f.write(data)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def T(s):
    """'2018-11-14T12:00:00Z' or '2018-11-14 12:00' -> aware datetime."""
    s = s.replace(' ', 'T').rstrip('Z')
    fmt = '%Y-%m-%dT%H:%M:%S' if s.count(':') == 2 else '%Y-%m-%dT%H:%M'
    return dt.datetime.strptime(s, fmt).replace(tzinfo=UTC)


def iso(t):
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')


def unique16(key):
    n = int.from_bytes(hashlib.sha256(key.encode('utf-8')).digest(), 'big')
    out = []
    for _ in range(16):
        n, r = divmod(n, 62)
        out.append(B62[r])
    return ''.join(out)


def event_path(account, region, deliv, org=None, prefix=None, log_type='CloudTrail',
               ext='.json.gz', salt=''):
    parts = []
    if prefix:
        parts.append(prefix)
    parts.append('AWSLogs')
    if org:
        parts.append(org)
    parts += [account, log_type, region, deliv.strftime('%Y'), deliv.strftime('%m'),
              deliv.strftime('%d')]
    stem = '%s_%s_%s_%s' % (account, log_type, region, deliv.strftime('%Y%m%dT%H%MZ'))
    folder = '/'.join(parts)
    name = '%s_%s%s' % (stem, unique16(folder + '/' + stem + '|' + salt), ext)
    return folder + '/' + name


def human_time(t):
    """'Nov 14, 2018 1:05:09 PM' (the style of some responseElements dates)."""
    months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
    h = t.hour % 12 or 12
    return '%s %d, %d %d:%02d:%02d %s' % (months[t.month - 1], t.day, t.year, h, t.minute, t.second,
                                          'AM' if t.hour < 12 else 'PM')


def round_up_minute(t):
    """Next whole minute strictly after t (the file-name minute is then > t)."""
    return t.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


class Files:
    """relative path -> (bytes, mtime); written in sorted order."""

    def __init__(self):
        self.files = {}

    def add(self, rel, data, mtime=FIXED_MTIME):
        if isinstance(data, str):
            data = data.encode('utf-8')
        assert rel not in self.files, rel
        self.files[rel] = (data, int(mtime))

    def write(self, root):
        for rel in sorted(self.files):
            data, mtime = self.files[rel]
            p = os.path.join(root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'wb') as f:
                f.write(data)
            os.utime(p, (mtime, mtime))


# ---------------------------------------------------------------------------
# record building
# ---------------------------------------------------------------------------
ORDER = ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion',
         'sourceIPAddress', 'userAgent', 'errorCode', 'errorMessage', 'requestParameters',
         'responseElements', 'additionalEventData', 'requestID', 'eventID', 'readOnly',
         'resources', 'eventType', 'apiVersion', 'managementEvent', 'recipientAccountId',
         'sharedEventID', 'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory',
         'tlsDetails', 'sessionCredentialFromConsole', 'addendum']

A = '111122223333'
B = '444455556666'
ORG_ACCT = '777788889999'
ORG = 'o-aa11bb22cc'
PFX_ACCT = '222233334444'
PREFIX = 'my-prefix/team-a'
SEED_IP = '203.0.113.5'

BROWSER_UA = ('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) '
              'Chrome/70.0.3538.102 Safari/537.36')
CLI_UA = 'aws-cli/1.16.57 Python/3.6.5 Linux/4.14.77-81.59.amzn2.x86_64 botocore/1.12.47'
SDK_UA = 'Boto3/1.9.42 Python/3.7.1 Linux/4.14.72-73.55.amzn2.x86_64 Botocore/1.12.42'
CONSOLE_UAS = ['console.amazonaws.com', 'console.ec2.amazonaws.com', 'signin.amazonaws.com']


class Gen:
    def __init__(self, seed=42):
        self.rng = random.Random(seed)
        self.event_ids = set()

    # ids -----------------------------------------------------------------
    def guid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def event_id(self):
        while True:
            g = self.guid()
            if g not in self.event_ids:
                self.event_ids.add(g)
                return g

    def akid(self, pfx='AKIA'):
        return pfx + ''.join(self.rng.choice(string.ascii_uppercase + '234567')
                             for _ in range(16))

    def principal(self, pfx):
        return pfx + ''.join(self.rng.choice(string.ascii_uppercase + string.digits)
                             for _ in range(17))

    def s3_request_id(self):
        return ''.join(self.rng.choice('0123456789ABCDEF') for _ in range(16))

    # identities ---------------------------------------------------------
    def iam_user(self, acct, name):
        return {'type': 'IAMUser', 'principalId': self.principal('AIDA'),
                'arn': 'arn:aws:iam::%s:user/%s' % (acct, name), 'accountId': acct,
                'accessKeyId': self.akid(), 'userName': name}

    def assumed_role(self, acct, role, session, t, mfa='false'):
        rid = self.principal('AROA')
        created = iso(t - dt.timedelta(minutes=self.rng.randint(5, 55)))
        return {'type': 'AssumedRole', 'principalId': '%s:%s' % (rid, session),
                'arn': 'arn:aws:sts::%s:assumed-role/%s/%s' % (acct, role, session),
                'accountId': acct, 'accessKeyId': self.akid('ASIA'),
                'sessionContext': {
                    'sessionIssuer': {'type': 'Role', 'principalId': rid,
                                      'arn': 'arn:aws:iam::%s:role/%s' % (acct, role),
                                      'accountId': acct, 'userName': role},
                    'webIdFederationData': {},
                    'attributes': {'creationDate': created, 'mfaAuthenticated': mfa}}}

    def root(self, acct):
        return {'type': 'Root', 'principalId': acct, 'arn': 'arn:aws:iam::%s:root' % acct,
                'accountId': acct, 'accessKeyId': ''}

    def aws_service(self, svc):
        return {'type': 'AWSService', 'invokedBy': svc}

    # a record ------------------------------------------------------------
    def record(self, f, version='1.08', order=None):
        """f: dict of fields; fills defaults; returns a dict in CloudTrail key order."""
        f = dict(f)
        f.setdefault('eventVersion', version)
        f.setdefault('requestID', self.guid())
        f.setdefault('eventID', self.event_id())
        f.setdefault('eventType', 'AwsApiCall')
        f.setdefault('managementEvent', True)
        f.setdefault('eventCategory', 'Management')
        v = f['eventVersion']
        if v < '1.08':
            for k in ('eventCategory', 'tlsDetails', 'sessionCredentialFromConsole', 'addendum'):
                f.pop(k, None)
        if v < '1.06':
            f.pop('managementEvent', None)
        keys = [k for k in ORDER if k in f] + [k for k in f if k not in ORDER]
        if order == 'shuffle':
            self.rng.shuffle(keys)
        elif order == 'reverse':
            keys.reverse()
        return {k: f[k] for k in keys}

    def tls(self, host):
        return {'tlsVersion': self.rng.choice(['TLSv1.2', 'TLSv1.2', 'TLSv1.3']),
                'cipherSuite': self.rng.choice(['ECDHE-RSA-AES128-GCM-SHA256',
                                                'ECDHE-RSA-AES128-SHA', 'TLS_AES_128_GCM_SHA256']),
                'clientProvidedHostHeader': host}


# people per account (IAM users, roles)
USERS = {A: ['alice', 'bob', 'ci-bot'], B: ['dave', 'erin', 'fred.mueller'],
         ORG_ACCT: ['frank', 'grace'], PFX_ACCT: ['carol', 'deploy']}
ROLES = {A: ['Admin', 'lambda-exec'], B: ['DevOps', 'ecs-task'],
         ORG_ACCT: ['OrganizationAccountAccessRole', 'AWSReservedSSO_ReadOnly_0123abcd4567ef89'],
         PFX_ACCT: ['ci-deployer', 'ReadOnly']}
IPS = ['198.51.100.23', '198.51.100.77', '192.0.2.10', '192.0.2.44', '100.24.8.15',
       '52.94.133.131', '34.241.7.9']


def identity(g, kind, acct, t, name=None):
    if kind == 'IAMUser':
        return g.iam_user(acct, name or g.rng.choice(USERS[acct]))
    if kind == 'AssumedRole':
        role = name or g.rng.choice(ROLES[acct])
        return g.assumed_role(acct, role, 'session-%04d' % g.rng.randint(0, 9999), t)
    if kind == 'Root':
        return g.root(acct)
    raise ValueError(kind)


def bg_record(g, acct, region, t, version):
    """A random background record (never ConsoleLogin/ListBuckets, never SEED_IP)."""
    rng = g.rng
    kind = rng.choice(['DescribeInstances', 'DescribeInstances', 'AssumeRole', 'AssumeRole',
                       'Decrypt', 'Decrypt', 'GetObject', 'PutObject', 'CreateUser',
                       'GetCallerIdentity', 'CreateLogStream', 'DescribeAlarms', 'GetUser'])
    ident_kind = rng.choice(['IAMUser', 'AssumedRole', 'AssumedRole', 'Root'])
    ip = rng.choice(IPS)
    ua = rng.choice([CLI_UA, SDK_UA, BROWSER_UA] + CONSOLE_UAS)
    f = {'eventTime': iso(t), 'awsRegion': region, 'sourceIPAddress': ip, 'userAgent': ua,
         'recipientAccountId': acct}
    if kind == 'DescribeInstances':
        f.update(eventSource='ec2.amazonaws.com', eventName=kind,
                 userIdentity=identity(g, ident_kind, acct, t),
                 requestParameters={'instancesSet': {}, 'filterSet': {}},
                 responseElements=None, readOnly=True)
        if rng.random() < 0.2:
            f.update(errorCode='Client.UnauthorizedOperation',
                     errorMessage='You are not authorized to perform this operation.')
    elif kind == 'AssumeRole':
        role = rng.choice(ROLES[acct])
        svc = rng.choice(['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'])
        if rng.random() < 0.6:
            f.update(userIdentity=g.aws_service(svc), sourceIPAddress=svc, userAgent=svc,
                     sharedEventID=g.guid())
        else:
            f['userIdentity'] = identity(g, 'IAMUser', acct, t)
        f.update(eventSource='sts.amazonaws.com', eventName=kind,
                 requestParameters={'roleArn': 'arn:aws:iam::%s:role/%s' % (acct, role),
                                    'roleSessionName': 'session-%d' % rng.randint(1, 999)},
                 responseElements={'credentials': {
                     'accessKeyId': g.akid('ASIA'),
                     'sessionToken': 'FQoGZXIvYXdzE' + g.s3_request_id(),
                     'expiration': human_time(t + dt.timedelta(hours=1))},
                     'assumedRoleUser': {'assumedRoleId': g.principal('AROA') + ':session',
                                         'arn': 'arn:aws:sts::%s:assumed-role/%s/session'
                                                % (acct, role)}},
                 readOnly=True,
                 resources=[{'accountId': acct, 'type': 'AWS::IAM::Role',
                             'ARN': 'arn:aws:iam::%s:role/%s' % (acct, role)}])
    elif kind == 'Decrypt':
        key = 'arn:aws:kms:%s:%s:key/%s' % (region, acct, g.guid())
        if rng.random() < 0.5:
            svc = rng.choice(['s3.amazonaws.com', 'secretsmanager.amazonaws.com'])
            f.update(userIdentity=g.aws_service(svc), sourceIPAddress=svc, userAgent=svc,
                     sharedEventID=g.guid())
        else:
            f['userIdentity'] = identity(g, 'AssumedRole', acct, t)
        f.update(eventSource='kms.amazonaws.com', eventName=kind,
                 requestParameters={'encryptionContext': {'aws:s3:arn': 'arn:aws:s3:::logs-%s' % acct},
                                    'encryptionAlgorithm': 'SYMMETRIC_DEFAULT'},
                 responseElements=None, readOnly=True,
                 resources=[{'accountId': acct, 'type': 'AWS::KMS::Key', 'ARN': key}])
    elif kind in ('GetObject', 'PutObject'):
        bucket = 'data-%s-%s' % (acct[-4:], region)
        key = 'reports/2018/11/%04d.csv' % rng.randint(0, 9999)
        f.update(eventSource='s3.amazonaws.com', eventName=kind,
                 userIdentity=identity(g, rng.choice(['IAMUser', 'AssumedRole']), acct, t),
                 requestParameters={'bucketName': bucket, 'Host': '%s.s3.amazonaws.com' % bucket,
                                    'key': key},
                 responseElements=None if kind == 'GetObject' else
                 {'x-amz-server-side-encryption': 'AES256'},
                 additionalEventData={'SignatureVersion': 'SigV4',
                                      'CipherSuite': 'ECDHE-RSA-AES128-SHA',
                                      'bytesTransferredIn': 0 if kind == 'GetObject' else rng.randint(10, 99999),
                                      'AuthenticationMethod': 'AuthHeader',
                                      'x-amz-id-2': g.s3_request_id() + '=',
                                      'bytesTransferredOut': rng.randint(10, 99999) if kind == 'GetObject' else 0},
                 requestID=g.s3_request_id(), readOnly=(kind == 'GetObject'),
                 resources=[{'type': 'AWS::S3::Object', 'ARN': 'arn:aws:s3:::%s/%s' % (bucket, key)},
                            {'accountId': acct, 'type': 'AWS::S3::Bucket',
                             'ARN': 'arn:aws:s3:::%s' % bucket}],
                 managementEvent=False, eventCategory='Data')
    elif kind in ('CreateUser', 'GetUser'):
        name = 'svc-%03d' % rng.randint(0, 999)
        f.update(eventSource='iam.amazonaws.com', eventName=kind, awsRegion='us-east-1',
                 userIdentity=identity(g, rng.choice(['IAMUser', 'AssumedRole']), acct, t),
                 requestParameters={'userName': name},
                 readOnly=(kind == 'GetUser'))
        if kind == 'CreateUser':
            f['responseElements'] = {'user': {
                'path': '/', 'userName': name, 'userId': g.principal('AIDA'),
                'arn': 'arn:aws:iam::%s:user/%s' % (acct, name),
                'createDate': human_time(t)}}
        else:
            f['responseElements'] = None
    elif kind == 'GetCallerIdentity':
        f.update(eventSource='sts.amazonaws.com', eventName=kind,
                 userIdentity=identity(g, ident_kind, acct, t),
                 requestParameters=None, responseElements=None, readOnly=True)
    elif kind == 'CreateLogStream':
        f.update(eventSource='logs.amazonaws.com', eventName=kind,
                 userIdentity=identity(g, 'AssumedRole', acct, t),
                 requestParameters={'logGroupName': '/aws/lambda/worker',
                                    'logStreamName': '2018/11/%s/[$LATEST]%s'
                                    % (t.strftime('%d'), g.s3_request_id().lower())},
                 responseElements=None, readOnly=False)
    elif kind == 'DescribeAlarms':
        f.update(eventSource='monitoring.amazonaws.com', eventName=kind,
                 userIdentity=identity(g, ident_kind, acct, t),
                 requestParameters={'maxRecords': 100}, responseElements=None, readOnly=True)
    if 'sharedEventID' not in f and rng.random() < 0.5:
        host = '%s.%s.amazonaws.com' % (f['eventSource'].split('.')[0], f['awsRegion'])
        f['tlsDetails'] = g.tls(host)
    ui = f['userIdentity']
    if ui.get('type') == 'AssumedRole' and f['userAgent'] in CONSOLE_UAS:
        f['sessionCredentialFromConsole'] = 'true'
    if kind in ('DescribeInstances', 'DescribeAlarms', 'GetCallerIdentity') and rng.random() < 0.3:
        f['apiVersion'] = {'ec2.amazonaws.com': '2016-11-15'}.get(f['eventSource'], '2010-08-01')
    return g.record(f, version=version)


# ---------------------------------------------------------------------------
# main mirror
# ---------------------------------------------------------------------------
# (account, region, org, prefix) -> delivery times (UTC, minute precision).
SCHEDULE = {
    (A, 'us-east-1', None, None): [
        '2018-11-13 09:05', '2018-11-13 17:35',
        '2018-11-14 00:04', '2018-11-14 08:15', '2018-11-14 12:10', '2018-11-14 12:35',
        '2018-11-14 13:20', '2018-11-14 16:10',
        '2018-11-15 00:03', '2018-11-15 09:30'],
    (A, 'eu-west-1', None, None): [
        '2018-11-13 11:20', '2018-11-13 20:40',
        '2018-11-14 10:45', '2018-11-14 12:50', '2018-11-14 15:00', '2018-11-14 18:30',
        '2018-11-15 08:15'],
    (B, 'us-east-1', None, None): [
        '2018-11-13 10:05', '2018-11-13 22:15',
        '2018-11-14 09:30', '2018-11-14 14:05', '2018-11-14 19:35',
        '2018-11-15 07:40', '2018-11-15 11:15'],
    (B, 'ap-southeast-2', None, None): [
        '2018-11-13 03:10', '2018-11-13 15:00',
        '2018-11-14 06:20', '2018-11-14 15:25', '2018-11-14 23:10',
        '2018-11-15 04:50'],
    (ORG_ACCT, 'eu-central-1', ORG, None): ['2018-11-15 02:20', '2018-11-15 08:55'],
    (PFX_ACCT, 'us-west-2', None, PREFIX): ['2018-11-14 13:40', '2018-11-14 17:10'],
}
# special file formats, keyed by (account, region, delivery)
SPECIAL = {
    (A, 'eu-west-1', '2018-11-14 12:50'): 'pretty',
    (A, 'eu-west-1', '2018-11-14 15:00'): 'empty',
    (B, 'us-east-1', '2018-11-14 19:35'): 'plain',
    (B, 'ap-southeast-2', '2018-11-14 15:25'): 'reversed',
}

# Seed-query records. (folder account, folder region, eventTime, spec)
# spec keys: ev (ConsoleLogin|ListBuckets|GetObject|DescribeInstances|AssumeRole|CreateUser|Decrypt),
# who ('IAMUser:name' | 'AssumedRole:role' | 'Root'), ip, ok (ConsoleLogin success),
# err (errorCode, errorMessage) with errorMessage possibly Raw/"" ; aws (awsRegion override)
CL, LB = 'ConsoleLogin', 'ListBuckets'
SEEDS = [
    # ---- ConsoleLogin after 2018-11-14T12:00:00Z (17) ----
    (A, 'us-east-1', '2018-11-14T12:31:07Z', dict(ev=CL, who='IAMUser:alice', ok=True)),
    (A, 'eu-west-1', '2018-11-14T12:41:15Z', dict(ev=CL, who='IAMUser:bob', ok=True, aws='us-east-1')),
    (PFX_ACCT, 'us-west-2', '2018-11-14T13:33:40Z', dict(ev=CL, who='IAMUser:carol', ok=True)),
    (B, 'us-east-1', '2018-11-14T13:58:02Z', dict(ev=CL, who='IAMUser:dave', ok=False, ip=SEED_IP)),
    (B, 'us-east-1', '2018-11-14T13:59:45Z', dict(ev=CL, who='IAMUser:dave', ok=True, ip=SEED_IP)),
    (A, 'us-east-1', '2018-11-14T16:02:11Z', dict(ev=CL, who='Root', ok=True)),
    (B, 'ap-southeast-2', '2018-11-14T15:18:27Z',
     dict(ev=CL, who='AssumedRole:AWSReservedSSO_Admin_1a2b3c4d5e6f7a8b', ok=True)),
    (A, 'eu-west-1', '2018-11-14T18:21:09Z', dict(ev=CL, who='IAMUser:ci-bot', ok=True, aws='us-east-1')),
    (PFX_ACCT, 'us-west-2', '2018-11-14T17:04:50Z',
     dict(ev=CL, who='IAMUser:HIDDEN_DUE_TO_SECURITY_REASONS', ok=False)),
    (B, 'us-east-1', '2018-11-14T19:27:33Z', dict(ev=CL, who='IAMUser:fred.mueller', ok=True)),
    (B, 'ap-southeast-2', '2018-11-14T23:02:19Z', dict(ev=CL, who='IAMUser:erin', ok=False)),
    (A, 'us-east-1', '2018-11-14T23:58:30Z', dict(ev=CL, who='IAMUser:alice', ok=True)),  # midnight
    (ORG_ACCT, 'eu-central-1', '2018-11-15T02:11:44Z', dict(ev=CL, who='IAMUser:frank', ok=True)),
    (B, 'ap-southeast-2', '2018-11-15T04:41:05Z', dict(ev=CL, who='Root', ok=False)),
    (A, 'eu-west-1', '2018-11-15T08:07:58Z', dict(ev=CL, who='IAMUser:bob', ok=True)),
    (ORG_ACCT, 'eu-central-1', '2018-11-15T08:47:36Z',
     dict(ev=CL, who='AssumedRole:AWSReservedSSO_ReadOnly_0123abcd4567ef89', ok=True)),
    (A, 'us-east-1', '2018-11-15T09:21:12Z', dict(ev=CL, who='IAMUser:alice', ok=False, ip=SEED_IP)),
    # ---- ConsoleLogin at/before 2018-11-14T12:00:00Z (4) ----
    (A, 'us-east-1', '2018-11-13T09:01:10Z', dict(ev=CL, who='IAMUser:alice', ok=True, v='1.05')),
    (B, 'us-east-1', '2018-11-14T09:22:45Z', dict(ev=CL, who='IAMUser:dave', ok=True)),
    (A, 'eu-west-1', '2018-11-14T10:38:20Z', dict(ev=CL, who='IAMUser:bob', ok=False)),
    (A, 'us-east-1', '2018-11-14T12:00:00Z', dict(ev=CL, who='IAMUser:bob', ok=True)),  # boundary
    # ---- ListBuckets after 2018-11-14T12:00:00Z (14) ----
    (A, 'us-east-1', '2018-11-14T12:05:33Z',
     dict(ev=LB, who='AssumedRole:Admin', ip=SEED_IP, err=('AccessDenied', 'Access Denied'))),
    (A, 'us-east-1', '2018-11-14T12:27:48Z', dict(ev=LB, who='IAMUser:alice')),
    (A, 'eu-west-1', '2018-11-14T12:44:02Z', dict(ev=LB, who='IAMUser:bob', err=('InternalError', ''))),
    (PFX_ACCT, 'us-west-2', '2018-11-14T13:36:18Z',
     dict(ev=LB, who='IAMUser:carol', err=('AccessDenied', 'Access Denied'))),
    (B, 'us-east-1', '2018-11-14T14:00:57Z', dict(ev=LB, who='AssumedRole:DevOps')),
    (B, 'ap-southeast-2', '2018-11-14T15:12:40Z',
     dict(ev=LB, who='IAMUser:erin', ip=SEED_IP, err=('AccessDenied', 'Access Denied'))),
    (A, 'us-east-1', '2018-11-14T16:05:29Z', dict(ev=LB, who='Root', err=('ServiceUnavailable', ''))),
    (A, 'eu-west-1', '2018-11-14T18:16:51Z',
     dict(ev=LB, who='IAMUser:bob', err=('AccessDenied', Raw(r'"Acc\u00e8s refus\u00e9"')))),
    (B, 'us-east-1', '2018-11-14T19:31:06Z',
     dict(ev=LB, who='IAMUser:fred.mueller', err=('AccessDenied', 'Access Denied'))),
    (B, 'ap-southeast-2', '2018-11-14T23:05:55Z', dict(ev=LB, who='AssumedRole:ecs-task')),
    (ORG_ACCT, 'eu-central-1', '2018-11-15T02:14:21Z',
     dict(ev=LB, who='AssumedRole:OrganizationAccountAccessRole', err=('AccessDenied', 'Access Denied'))),
    (B, 'us-east-1', '2018-11-15T07:33:09Z', dict(ev=LB, who='IAMUser:dave', err=('SlowDown', ''))),
    (A, 'us-east-1', '2018-11-15T09:26:40Z',
     dict(ev=LB, who='IAMUser:alice', ip=SEED_IP, err=('AccessDenied', 'Access Denied'))),
    (B, 'us-east-1', '2018-11-15T11:08:14Z', dict(ev=LB, who='IAMUser:erin')),
    # ---- ListBuckets before (3) ----
    (A, 'us-east-1', '2018-11-13T17:30:12Z',
     dict(ev=LB, who='IAMUser:bob', err=('AccessDenied', 'Access Denied'), v='1.06')),
    (B, 'us-east-1', '2018-11-14T09:25:31Z',
     dict(ev=LB, who='IAMUser:dave', ip=SEED_IP, err=('AccessDenied', 'Access Denied'))),
    (A, 'eu-west-1', '2018-11-14T10:40:09Z', dict(ev=LB, who='IAMUser:alice')),
    # ---- other records from 203.0.113.5 ----
    (A, 'us-east-1', '2018-11-14T16:07:44Z',
     dict(ev='GetObject', who='IAMUser:alice', ip=SEED_IP, err=('AccessDenied', 'Access Denied'))),
    (B, 'us-east-1', '2018-11-15T11:02:36Z', dict(ev='DescribeInstances', who='IAMUser:dave', ip=SEED_IP)),
    (A, 'eu-west-1', '2018-11-14T18:24:13Z',
     dict(ev='AssumeRole', who='IAMUser:bob', ip=SEED_IP, aws='us-east-1')),
    (B, 'ap-southeast-2', '2018-11-14T23:07:01Z',
     dict(ev='CreateUser', who='IAMUser:erin', ip=SEED_IP, aws='us-east-1',
          err=('AccessDenied', 'User: arn:aws:iam::444455556666:user/erin is not authorized to '
                               'perform: iam:CreateUser on resource: '
                               'arn:aws:iam::444455556666:user/backdoor'))),
    (A, 'us-east-1', '2018-11-13T09:03:27Z',
     dict(ev='DescribeInstances', who='IAMUser:alice', ip=SEED_IP, v='1.05')),
    (A, 'us-east-1', '2018-11-14T11:58:41Z', dict(ev='Decrypt', who='AssumedRole:Admin', ip=SEED_IP)),
]


def seed_record(g, acct, region, t, s, order=None):
    rng = g.rng
    ev = s['ev']
    kind, _, name = s['who'].partition(':')
    ident = identity(g, kind, acct, t, name or None)
    if kind == 'IAMUser' and ev == CL and not s.get('ok', True):
        ident['accessKeyId'] = ''
    aws = s.get('aws', region)
    ip = s.get('ip') or rng.choice(IPS)
    f = {'userIdentity': ident, 'eventTime': iso(t), 'awsRegion': aws, 'sourceIPAddress': ip,
         'recipientAccountId': acct}
    if ev == CL:
        if kind == 'AssumedRole':
            ident['sessionContext']['attributes']['mfaAuthenticated'] = 'true'
        f.update(eventSource='signin.amazonaws.com', eventName=CL, userAgent=BROWSER_UA,
                 requestParameters=None,
                 responseElements={'ConsoleLogin': 'Success' if s['ok'] else 'Failure'},
                 additionalEventData={
                     'LoginTo': 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
                     'MobileVersion': 'No', 'MFAUsed': 'No' if kind != 'AssumedRole' else 'Yes'},
                 readOnly=False, eventType='AwsConsoleSignIn',
                 tlsDetails={'tlsVersion': 'TLSv1.2', 'cipherSuite': 'ECDHE-RSA-AES128-GCM-SHA256',
                             'clientProvidedHostHeader': 'signin.aws.amazon.com'})
        if not s['ok']:
            f['errorMessage'] = 'Failed authentication'
    elif ev == LB:
        f.update(eventSource='s3.amazonaws.com', eventName=LB, userAgent=CLI_UA,
                 requestParameters={'Host': 's3.amazonaws.com'}, responseElements=None,
                 additionalEventData={'SignatureVersion': 'SigV4',
                                      'CipherSuite': 'ECDHE-RSA-AES128-GCM-SHA256',
                                      'bytesTransferredIn': 0, 'AuthenticationMethod': 'AuthHeader',
                                      'x-amz-id-2': g.s3_request_id() + '=',
                                      'bytesTransferredOut': 0 if s.get('err') else 1123},
                 requestID=g.s3_request_id(), readOnly=True)
    elif ev in ('GetObject', 'DescribeInstances', 'AssumeRole', 'CreateUser', 'Decrypt'):
        # borrow a background record of the right kind, then pin the seed fields
        for _ in range(200):
            r = bg_record(g, acct, aws, t, s.get('v', '1.08'))
            if r['eventName'] == ev:
                break
        else:
            raise RuntimeError(ev)
        r = dict(r)
        r.pop('errorCode', None)
        r.pop('errorMessage', None)
        if r['userIdentity'].get('type') != kind or kind == 'IAMUser':
            r['userIdentity'] = ident
            r.pop('sharedEventID', None)
        f = {k: v for k, v in r.items() if k not in ('eventID',)}
        f.update(sourceIPAddress=ip, userAgent=CLI_UA, awsRegion=aws)
    else:
        raise ValueError(ev)
    if s.get('err'):
        f['errorCode'], f['errorMessage'] = s['err']
        if ev != CL:
            f['responseElements'] = None
    return g.record(f, version=s.get('v', '1.08'), order=order)


def build_main(g, files):
    # delivery file table
    table = []  # dicts
    for (acct, region, org, prefix), times in sorted(SCHEDULE.items(), key=lambda kv: str(kv[0])):
        for ts in times:
            d = T(ts)
            table.append({'acct': acct, 'region': region, 'org': org, 'prefix': prefix, 'deliv': d,
                          'kind': SPECIAL.get((acct, region, ts), 'gz'), 'records': []})

    def find_file(acct, region, t):
        best = None
        for fe in table:
            if fe['acct'] != acct or fe['region'] != region or fe['kind'] == 'empty':
                continue
            d = fe['deliv']
            end = d + dt.timedelta(seconds=59)
            if t <= end and d - t <= dt.timedelta(minutes=16):
                if best is None or d < best['deliv']:
                    best = fe
        assert best is not None, (acct, region, t)
        return best

    def by_deliv(acct, region, ts):
        for fe in table:
            if fe['acct'] == acct and fe['region'] == region and fe['deliv'] == T(ts):
                return fe
        raise KeyError(ts)

    # background records
    for fe in table:
        if fe['kind'] == 'empty':
            continue
        n = g.rng.randint(6, 14)
        for _ in range(n):
            t = fe['deliv'] - dt.timedelta(seconds=g.rng.randint(60, 900))
            if t.day == 13:
                version = g.rng.choice(['1.05', '1.06', '1.07', '1.08'])
            else:
                version = g.rng.choice(['1.07', '1.08', '1.08', '1.08', '1.08'])
            order = 'shuffle' if g.rng.random() < 0.15 else None
            r = bg_record(g, fe['acct'], fe['region'], t, version)
            if order:
                r = g.record(r, order='shuffle')
            fe['records'].append(r)

    # seed records
    seed_times = []
    for acct, region, ts, s in SEEDS:
        t = T(ts)
        fe = find_file(acct, region, t)
        fe['records'].append(seed_record(g, acct, region, t, s))
        seed_times.append(t)
    assert len(seed_times) == len(set(seed_times)), 'seed eventTimes must be distinct'

    # midnight edge: 2018-11-13T23:59:59Z delivered 2018-11-14T00:04Z
    fe = by_deliv(A, 'us-east-1', '2018-11-14 00:04')
    t = T('2018-11-13T23:59:59Z')
    fe['records'].append(g.record({
        'userIdentity': g.aws_service('autoscaling.amazonaws.com'), 'eventTime': iso(t),
        'eventSource': 'ec2.amazonaws.com', 'eventName': 'DescribeInstances', 'awsRegion': 'us-east-1',
        'sourceIPAddress': 'autoscaling.amazonaws.com', 'userAgent': 'autoscaling.amazonaws.com',
        'requestParameters': {'instancesSet': {'items': [{'instanceId': 'i-0a1b2c3d4e5f60718'}]},
                              'filterSet': {}},
        'responseElements': None, 'readOnly': True, 'recipientAccountId': A}))

    # late delivery: eventTime 2018-11-13T10:00:00Z delivered 2018-11-14T13:20Z
    fe = by_deliv(A, 'us-east-1', '2018-11-14 13:20')
    t = T('2018-11-13T10:00:00Z')
    fe['records'].append(g.record({
        'userIdentity': g.iam_user(A, 'ci-bot'), 'eventTime': iso(t),
        'eventSource': 'ec2.amazonaws.com', 'eventName': 'RunInstances', 'awsRegion': 'us-east-1',
        'sourceIPAddress': '192.0.2.10', 'userAgent': SDK_UA,
        'requestParameters': {'instancesSet': {'items': [{'imageId': 'ami-0ff8a91507f77f867',
                                                          'minCount': 1, 'maxCount': 1}]},
                              'instanceType': 't2.micro'},
        'responseElements': {'reservationId': 'r-0123456789abcdef0', 'ownerId': A},
        'readOnly': False, 'recipientAccountId': A,
        'addendum': {'reason': 'DELIVERY_DELAY', 'updatedFields': None,
                     'originalRequestID': None, 'originalEventID': None}}))

    # unicode / escapes
    fe = by_deliv(A, 'us-east-1', '2018-11-14 08:15')
    t = T('2018-11-14T08:09:12Z')
    fe['records'].append(g.record({
        'userIdentity': g.iam_user(A, 'alice'), 'eventTime': iso(t),
        'eventSource': 's3.amazonaws.com', 'eventName': 'PutObject', 'awsRegion': 'us-east-1',
        'sourceIPAddress': '198.51.100.23',
        'userAgent': '[aws-cli/1.16.57 Python/3.6.5 Linux/4.14 botocore/1.12.47 (München; é)]',
        'requestParameters': {'bucketName': 'photos-111122223333', 'Host': 'photos-111122223333.s3.amazonaws.com',
                              'key': '日本/写真 ü é.jpg'},
        'responseElements': None, 'requestID': 'A1B2C3D4E5F60718', 'readOnly': False,
        'resources': [{'type': 'AWS::S3::Object', 'ARN': 'arn:aws:s3:::photos-111122223333/日本/写真 ü é.jpg'},
                      {'accountId': A, 'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::photos-111122223333'}],
        'managementEvent': False, 'eventCategory': 'Data', 'recipientAccountId': A}))
    fe = by_deliv(B, 'us-east-1', '2018-11-14 09:30')
    t = T('2018-11-14T09:17:03Z')
    fe['records'].append(g.record({
        'userIdentity': g.iam_user(B, 'erin'), 'eventTime': iso(t),
        'eventSource': 's3.amazonaws.com', 'eventName': 'GetObject', 'awsRegion': 'us-east-1',
        'sourceIPAddress': '192.0.2.44', 'userAgent': Raw(r'"Boto3\/1.9.42 Python\/3.7.1 (caf\u00e9)"'),
        'errorCode': 'NoSuchKey',
        'errorMessage': Raw(r'"The specified key does not exist: caf\u00e9 \"quoted\" back\\slash '
                            r'path\/to\/x\nline2\ttab \ud83d\ude00 end"'),
        'requestParameters': {'bucketName': 'docs-444455556666', 'Host': 'docs-444455556666.s3.amazonaws.com',
                              'key': Esc('日本/ü.txt')},
        'responseElements': None, 'requestID': '0F1E2D3C4B5A6978', 'readOnly': True,
        'resources': [{'type': 'AWS::S3::Object', 'ARN': Esc('arn:aws:s3:::docs-444455556666/日本/ü.txt')},
                      {'accountId': B, 'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::docs-444455556666'}],
        'managementEvent': False, 'eventCategory': 'Data', 'recipientAccountId': B}))
    fe = by_deliv(A, 'eu-west-1', '2018-11-14 10:45')
    t = T('2018-11-14T10:33:51Z')
    fe['records'].append(g.record({
        'userIdentity': g.iam_user(A, 'bob'), 'eventTime': iso(t),
        'eventSource': 'ec2.amazonaws.com', 'eventName': 'DescribeInstances', 'awsRegion': 'eu-west-1',
        'sourceIPAddress': '34.241.7.9',
        'userAgent': Raw(r'"aws-sdk-java/1.11.451 Linux/4.9 OpenJDK_64-Bit_Server_VM/25.192 '
                         r'(\u65e5\u672c \/ 日本) \"x\" \\ y\tz"'),
        'requestParameters': {'instancesSet': {}, 'filterSet': {'items': [
            {'name': 'tag:Name', 'valueSet': {'items': [{'value': 'Zürich-ü-日本'}]}}]}},
        'responseElements': None, 'readOnly': True, 'recipientAccountId': A,
        'eventCategory': 'Management'}))

    # file bytes
    paths = {}
    for fe in table:
        recs = sorted(fe['records'], key=lambda r: (r['eventTime'], r['eventID']))
        # records inside a file are in no particular order: rotate deterministically
        if len(recs) > 2:
            k = g.rng.randrange(len(recs))
            recs = recs[k:] + recs[:k]
        for r in recs:
            assert T(r['eventTime']) <= fe['deliv'] + dt.timedelta(seconds=59), (fe, r['eventTime'])
        kind = fe['kind']
        ext = '.json' if kind == 'plain' else '.json.gz'
        path = event_path(fe['acct'], fe['region'], fe['deliv'], fe['org'], fe['prefix'], ext=ext)
        if kind == 'empty':
            data = gz('{"Records":[]}')
        elif kind == 'pretty':
            data = gz(records_text(recs, indent=2) + '\n')
        elif kind == 'plain':
            data = records_text(recs).encode('utf-8')
        elif kind == 'reversed':
            data = gz(records_text([g.record(r, order='reverse') for r in recs]))
        else:
            data = gz(records_text(recs))
        mtime = (fe['deliv'] + dt.timedelta(seconds=g.rng.randint(1, 40))).timestamp()
        files.add('main/' + path, data, mtime)
        paths[(fe['acct'], fe['region'], fe['deliv'])] = (path, data, recs)

    add_main_traps(g, files, paths)


def add_main_traps(g, files, paths):
    bucket = 'acme-cloudtrail-logs'
    # -- digest files (no Records) -----------------------------------------
    def digest(start, end, name, prev):
        logs = []
        for (acct, region, d), (path, data, recs) in sorted(paths.items()):
            if acct == A and region == 'us-east-1' and start <= d < end and recs:
                ts = sorted(r['eventTime'] for r in recs)
                logs.append({'s3Bucket': bucket, 's3Object': path,
                             'hashValue': hashlib.sha256(data).hexdigest(),
                             'hashAlgorithm': 'SHA-256',
                             'newestEventTime': ts[-1], 'oldestEventTime': ts[0]})
        obj = {'awsAccountId': A, 'digestStartTime': iso(start), 'digestEndTime': iso(end),
               'digestS3Bucket': bucket,
               'digestS3Object': name,
               'digestPublicKeyFingerprint': hashlib.md5(b'trail-key').hexdigest(),
               'digestSignatureAlgorithm': 'SHA256withRSA',
               'newestEventTime': max(l['newestEventTime'] for l in logs) if logs else None,
               'oldestEventTime': min(l['oldestEventTime'] for l in logs) if logs else None,
               'previousDigestS3Bucket': bucket, 'previousDigestS3Object': prev,
               'previousDigestHashValue': hashlib.sha256(prev.encode()).hexdigest(),
               'previousDigestHashAlgorithm': 'SHA-256',
               'previousDigestSignature': hashlib.sha512(prev.encode()).hexdigest(),
               'logFiles': logs}
        files.add('main/' + name, gz(enc(obj)), end.timestamp() + 300)

    dg = 'AWSLogs/%s/CloudTrail-Digest/us-east-1/2018/11/14/' % A
    n1 = dg + '%s_CloudTrail-Digest_us-east-1_trailname_us-east-1_20181114T130000Z.json.gz' % A
    n0 = dg + '%s_CloudTrail-Digest_us-east-1_trailname_us-east-1_20181114T120000Z.json.gz' % A
    n2 = dg + '%s_CloudTrail-Digest_us-east-1_trailname_us-east-1_20181114T140000Z_backfill.json.gz' % A
    digest(T('2018-11-14T12:00:00Z'), T('2018-11-14T13:00:00Z'), n1, n0)
    digest(T('2018-11-14T13:00:00Z'), T('2018-11-14T14:00:00Z'), n2, n1)

    # -- Insight file (read only with log_type CloudTrail-Insight) -----------
    shared = g.guid()
    ins_ctx = {'statistics': {'baseline': {'average': 0.0104166667},
                              'insight': {'average': 12.5}, 'insightDuration': 5},
               'attributions': [{'attribute': 'userIdentityArn',
                                 'insight': [{'value': 'arn:aws:iam::%s:user/ci-bot' % A, 'average': 12.5}],
                                 'baseline': [{'value': 'arn:aws:iam::%s:user/ci-bot' % A,
                                               'average': 0.0104166667}]},
                                {'attribute': 'errorCode',
                                 'insight': [{'value': 'null', 'average': 12.5}],
                                 'baseline': [{'value': 'null', 'average': 0.0104166667}]}]}
    ins = []
    for state, ts in (('Start', '2018-11-14T12:41:00Z'), ('End', '2018-11-14T12:46:00Z')):
        d = {'eventSource': 'ec2.amazonaws.com', 'eventName': 'DescribeInstances',
             'insightType': 'ApiCallRateInsight', 'state': state}
        if state == 'End':
            d['insightContext'] = ins_ctx
        else:
            d['insightContext'] = {'statistics': {'baseline': {'average': 0.0104166667},
                                                  'insight': {'average': 12.5}}}
        ins.append({'eventVersion': '1.07', 'eventTime': ts, 'awsRegion': 'us-east-1',
                    'eventID': g.event_id(), 'eventType': 'AwsCloudTrailInsight',
                    'recipientAccountId': A, 'sharedEventID': shared, 'insightDetails': d,
                    'eventCategory': 'Insight'})
    p = event_path(A, 'us-east-1', T('2018-11-14 13:00'), log_type='CloudTrail-Insight')
    files.add('main/' + p, gz(records_text(ins)), T('2018-11-14T13:00:20Z').timestamp())

    # -- NetworkActivity file (read only with log_type CloudTrail-NetworkActivity)
    na = []
    for ts, src, name, ip in (('2018-11-14T14:08:31Z', 's3.amazonaws.com', 'ListBuckets', '10.0.1.25'),
                              ('2018-11-14T14:09:02Z', 'kms.amazonaws.com', 'Decrypt', SEED_IP)):
        na.append(g.record({
            'eventVersion': '1.09',
            'userIdentity': {'type': 'AWSAccount', 'principalId': '', 'accountId': B},
            'eventTime': ts, 'eventSource': src, 'eventName': name, 'awsRegion': 'us-east-1',
            'sourceIPAddress': ip, 'userAgent': CLI_UA, 'errorCode': 'VpceAccessDenied',
            'errorMessage': 'The request was denied due to a VPC endpoint policy',
            'requestParameters': None, 'responseElements': None, 'readOnly': True,
            'eventType': 'AwsVpceEvent', 'managementEvent': False, 'recipientAccountId': A,
            'sharedEventID': g.guid(), 'vpcEndpointId': 'vpce-0a1b2c3d4e5f60718',
            'vpcEndpointAccountId': A, 'eventCategory': 'NetworkActivity'}))
    p = event_path(A, 'us-east-1', T('2018-11-14 14:15'), log_type='CloudTrail-NetworkActivity')
    files.add('main/' + p, gz(records_text(na)), T('2018-11-14T14:15:12Z').timestamp())

    # -- partial download beside the newest A/us-east-1 file ----------------
    real_path, _, _ = paths[(A, 'us-east-1', T('2018-11-15 09:30'))]
    trap = []
    for ts, s in (('2018-11-15T09:28:50Z', dict(ev=CL, who='IAMUser:mallory', ok=False, ip=SEED_IP)),
                  ('2018-11-15T09:29:10Z', dict(ev=LB, who='IAMUser:mallory', ip=SEED_IP,
                                                err=('AccessDenied', 'Access Denied'))),
                  ('2018-11-15T09:29:40Z', dict(ev=CL, who='IAMUser:mallory', ok=True, ip=SEED_IP))):
        trap.append(seed_record(g, A, 'us-east-1', T(ts), s))
    files.add('main/' + real_path + '.1a2B3c4D', gz(records_text(trap)),
              T('2018-11-15T09:30:05Z').timestamp())

    # -- a non-matching name inside a day folder ----------------------------
    notes = [seed_record(g, B, 'us-east-1', T('2018-11-14T14:01:30Z'),
                         dict(ev=CL, who='IAMUser:notes-user', ok=False, ip=SEED_IP)),
             seed_record(g, B, 'us-east-1', T('2018-11-14T14:02:10Z'),
                         dict(ev=LB, who='IAMUser:notes-user', ip=SEED_IP,
                              err=('AccessDenied', 'Access Denied')))]
    files.add('main/AWSLogs/%s/CloudTrail/us-east-1/2018/11/14/notes.json.gz' % B,
              gz(records_text(notes)))

    # -- other services' logs and clutter -----------------------------------
    cfg = {'fileVersion': '1.0', 'configSnapshotId': g.guid(), 'configurationItems': [
        {'configurationItemVersion': '1.3', 'configurationItemCaptureTime': '2018-11-14T12:04:58.011Z',
         'configurationStateId': 1542197098011, 'awsAccountId': A,
         'configurationItemStatus': 'ResourceDiscovered',
         'resourceType': 'AWS::S3::Bucket', 'resourceId': bucket, 'resourceName': bucket,
         'ARN': 'arn:aws:s3:::%s' % bucket, 'awsRegion': 'us-east-1', 'availabilityZone': 'Regional',
         'configurationStateMd5Hash': '', 'resourceCreationTime': '2018-01-02T10:11:12.000Z',
         'tags': {}, 'relatedEvents': [], 'relationships': [],
         'configuration': {'name': bucket, 'owner': {'id': 'a1b2c3'},
                           'creationDate': '2018-01-02T10:11:12.000Z'},
         'supplementaryConfiguration': {}}]}
    files.add('main/AWSLogs/%s/Config/us-east-1/2018/11/14/ConfigSnapshot/'
              '%s_Config_us-east-1_ConfigSnapshot_20181114T120532Z_%s.json.gz' % (A, A, g.guid()),
              gz(enc(cfg)))
    flow = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes '
            'start end action log-status']
    for i in range(7):
        flow.append('2 %s eni-0a1b2c3d4e5f60718 10.0.1.%d %s %d 443 6 %d %d %d %d %s OK' % (
            A, g.rng.randint(2, 250), SEED_IP, g.rng.randint(32768, 60999), g.rng.randint(1, 40),
            g.rng.randint(40, 9000), 1542196800 + 60 * i, 1542196860 + 60 * i,
            g.rng.choice(['ACCEPT', 'ACCEPT', 'REJECT'])))
    files.add('main/AWSLogs/%s/vpcflowlogs/us-east-1/2018/11/14/'
              '%s_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f67890_20181114T1205Z_5e6f7a8b.log.gz' % (A, A),
              gz('\n'.join(flow) + '\n'))
    lake = ('eventTime,eventName,sourceIPAddress,errorMessage\n'
            '2018-11-14 12:05:33.000,ListBuckets,203.0.113.5,Access Denied\n'
            '2018-11-14 13:58:02.000,ConsoleLogin,203.0.113.5,Failed authentication\n')
    files.add('main/AWSLogs/%s/CloudTrail-Lake/Query/2018/11/14/%s/result_1.csv' % (A, g.guid()), lake)
    files.add('main/README.txt',
              'Mirror of s3://%s/ (aws s3 sync). CloudTrail logs for the acme accounts.\n'
              'Synthetic test fixture generated by tools/gen_fixtures.py; see test/fixtures.md.\n' % bucket)
    ds = b'\x00\x00\x00\x01Bud1' + bytes(range(16)) * 8 + b'\x00' * 64
    files.add('main/.DS_Store', ds)
    files.add('main/AWSLogs/%s/CloudTrail/us-east-1/2018/11/14/.DS_Store' % A, ds)


# ---------------------------------------------------------------------------
# bad mirror
# ---------------------------------------------------------------------------
def build_bad(g, files):
    def good(n, deliv):
        recs = []
        for i in range(3):
            t = deliv - dt.timedelta(minutes=3, seconds=10 * i)
            recs.append(g.record({
                'userIdentity': g.iam_user(A, 'alice'), 'eventTime': iso(t),
                'eventSource': 'test.amazonaws.com', 'eventName': 'GoodEvent', 'awsRegion': 'us-east-1',
                'sourceIPAddress': '198.51.100.23', 'userAgent': CLI_UA,
                'requestParameters': {'file': n, 'n': i + 1}, 'responseElements': None,
                'readOnly': True, 'recipientAccountId': A}))
        return recs

    d1, d2, d3, d4 = (T('2018-11-14 10:00'), T('2018-11-14 10:05'), T('2018-11-14 10:10'),
                      T('2018-11-14 10:15'))
    files.add('bad/' + event_path(A, 'us-east-1', d1), gz(records_text(good('good1', d1))))
    # truncated: a valid gzip of ~3 KB JSON, cut at half its length (the decodable
    # prefix holds a few complete records, then the deflate stream just stops)
    recs = []
    for i in range(7):
        t = d2 - dt.timedelta(minutes=2, seconds=7 * i)
        recs.append(g.record({
            'eventTime': iso(t), 'eventSource': 'test.amazonaws.com', 'eventName': 'TruncatedEvent',
            'awsRegion': 'us-east-1', 'sourceIPAddress': '198.51.100.77',
            'requestParameters': {'n': i + 1}, 'recipientAccountId': A}))
    text = records_text(recs)
    assert 2500 <= len(text) <= 4500, len(text)
    full = gz(text)
    files.add('bad/' + event_path(A, 'us-east-1', d2), full[:len(full) // 2])
    files.add('bad/' + event_path(A, 'us-east-1', d3),
              gz('{"Records":[{"eventName":"A"},{"eventName": tru},{"eventName":"C"}]}'))
    files.add('bad/' + event_path(A, 'us-east-1', d4), gz(records_text(good('good2', d4))))


# ---------------------------------------------------------------------------
# types mirror
# ---------------------------------------------------------------------------
TYPE_CASES = [
    ('t1', 'hello'),
    ('t2', Raw(r'"a\"b\\c\/d\ne\tf\u00e9\ud83d\ude00"')),
    ('t3', 42),
    ('t4', -17),
    ('t5', 12345678901234567890),
    ('t6', Raw('1.10')),
    ('t7', Raw('1e3')),
    ('t8', True),
    ('t9', False),
    ('t10', None),
    ('t11', 'true'),
    ('t12', 'false'),
    ('t13', ''),
    ('t14', {'a': 1, 'b': 'x'}),
    ('t15', {'a': {'b': {'c': [1, 2, {'d': None}]}}}),
    ('t16', [1, 'two', 3.5, True, None, {'k': 'v'}]),
]


def _jsonb_cases():
    """Values that exercise jsonb's binary layout: key order (length, then
    bytes), duplicate keys (also equal only once decoded), JEntry offsets
    every 32 members, alignment of numbers and containers after strings of
    every length, nesting, escapes, whitespace."""
    many_keys = ','.join('"%s":%s' % ('k' * (1 + i % 5) + chr(ord('a') + (i * 7) % 26) + str(i),
                                       ['"s%s"' % ('x' * (i % 4)), str(i * 1.5), 'null', 'true',
                                        '{"n":%d}' % i, '[%d]' % i][i % 6])
                         for i in range(40))
    dup_keys = ','.join('"d%d":%d' % (i % 13, i) for i in range(30))
    elems = ','.join(['"%s"' % ('y' * (i % 5)), str(-i), '%d.25' % i, '[]', '{"e":"%s"}' % ('z' * (i % 3)),
                      'false', 'null'][i % 7] for i in range(70))
    return [
        Raw('{"bb":1,"a":2,"ccc":3,"b":4,"aa":5}'),
        Raw('{"k":1,"k":{"x":[1,2]},"j":true,"k":"last"}'),
        Raw('{%s}' % many_keys),
        Raw('{%s}' % dup_keys),
        Raw('[%s]' % elems),
        Raw('[%s]' % ','.join(str(i * 37 % 1001) for i in range(1000))),
        Raw(r'{"a\u0062":1,"ab":2,"\u00e9":3,"\n":4,"":5,"A":6,"a":7,"\"q\"":8}'),
        Raw('{"日本":1,"é":2,"z":3,"ä":{"日":"本"}}'),
        Raw('["a",1,"abc",2.5,"ab",{"x":"y"},"abcde",[1],-0,1e-5,0.0001,"abcdefg",123456789012345678901234567890]'),
        Raw('{"e":{},"f":[],"g":[{}],"h":[[]],"i":[{"":[]}]}'),
        Raw('[' * 60 + '1' + ']' * 60),
        Raw('{"a":' * 40 + '{"b":[1,"x",{"c":null}]}' + '}' * 40),
        Raw('{ "b" : [ 1 , 2 ] ,\n  "a" : { } ,\t"c":' + r'"\u00e9\ud83d\ude00"' + ' }'),
        Raw('"%s"' % ('long string ' * 900)),
        Raw('-12.500'),
        Raw('{"straße":"Zürich","ü":["é",1]}'),
    ]


def _random_json(rnd, depth=0, budget=None):
    """Seeded random JSON text: duplicate and escaped keys, every scalar kind,
    containers of up to 80 members, spacing; about 300 values at most."""
    if budget is None:
        budget = [300]
    def key():
        k = rnd.choice(['a', 'b', 'ab', 'ba', 'key', 'Key', 'eventName', '', 'x' * rnd.randint(1, 40),
                        'k%d' % rnd.randint(0, 99), 'é', '日本'])
        if rnd.random() < 0.1:
            k = k + '\\u00e9'      # an escape that decodes to another key
        return '"%s"' % k

    def scalar():
        return rnd.choice(['null', 'true', 'false', str(rnd.randint(-10 ** 6, 10 ** 6)),
                           '%d.%0*d' % (rnd.randint(-99, 99), rnd.randint(1, 6), rnd.randint(0, 999)),
                           '%de%d' % (rnd.randint(1, 9), rnd.randint(-20, 20)),
                           '"%s"' % ('s' * rnd.randint(0, 9)), '"t\\"q\\n"', '"\\ud83d\\ude00"'])

    ws = rnd.choice(['', ' ', '\n  '])
    if depth > 6 or budget[0] <= 0 or rnd.random() < 0.3:
        return scalar()
    n = min(budget[0], rnd.choice([0, 1, 2, 3, 5, 8, 16, 17, 31, 32, 33, 40, 64, 65, 80]))
    budget[0] -= n
    if rnd.random() < 0.5:
        return '[' + ws + (',' + ws).join(_random_json(rnd, depth + 1, budget) for _ in range(n)) + ']'
    return '{' + ws + (',' + ws).join('%s%s:%s' % (key(), ws, _random_json(rnd, depth + 1, budget))
                                      for _ in range(n)) + '}'


JSONB_CASES = _jsonb_cases() + [Raw(_random_json(random.Random(seed))) for seed in range(60)]


def build_types(g, files):
    acct = '123456789012'
    base = T('2020-01-02T02:50:00Z')
    recs = []

    def rec(eid, sec, extra):
        p = Pairs([('eventVersion', '1.08'), ('eventID', eid),
                   ('eventTime', iso(base + dt.timedelta(seconds=sec))),
                   ('eventSource', 'test.amazonaws.com'), ('eventName', 'TypeTest'),
                   ('awsRegion', 'us-east-1'), ('recipientAccountId', acct)])
        for k, v in extra:
            if k == 'eventTime':
                p = Pairs([(kk, v if kk == 'eventTime' else vv) for kk, vv in p])
            else:
                p.append((k, v))
        return p

    n = 0
    for eid, v in TYPE_CASES:
        n += 1
        recs.append(rec(eid, n, [('v', v)]))
    recs.append(rec('t17', 17, [('eventTime', '2020-01-02T02:59:59.123Z'), ('v', 'frac')]))
    recs.append(rec('t18', 18, [('eventTime', 1577933999), ('v', 'numtime')]))
    recs.append(rec('t19', 19, []))
    recs.append(rec('t20', 20, [('v', 'case'), ('Mixed', 'upper'), ('mixed', 'lower')]))
    recs.append(rec('t21', 21, [('v', 'first'), ('v', 'second')]))
    recs.append(rec('t22', 22, [('v', 'Zürich 日本 é')]))
    recs.append(rec('t23', 23, [('v', {})]))
    recs.append(rec('t24', 24, [('v', [])]))
    files.add('types/' + event_path(acct, 'us-east-1', T('2020-01-02 03:00')), gz(records_text(recs)))

    # One file per day folder, each holding values that all fit one family of
    # types, so a test can narrow location to the folder and convert them all.
    groups = [
        ('04', 'int', [42, -17, None, Raw('32767'), Raw('-32768'), '7', Raw('0')]),
        ('05', 'num', [42, -17, 12345678901234567890, Raw('1.10'), Raw('1e3'), Raw('-0.5'),
                       Raw('2.5E-3'), '3.25']),
        ('06', 'bool', [True, False, None, 'true', 'false']),
        ('07', 'time', ['2020-01-02T02:50:00Z', '2020-01-02T02:59:59.123Z',
                        '2020-01-02 03:04:05+02:00', '2020-01-02', '2020-02-29T23:59:59.9999999Z',
                        '2019-12-31T23:00:00-0130', None]),
        ('08', 'jsonb', JSONB_CASES),
    ]
    # One bad value per day folder: each is the first and only record of its file.
    bad_values = [
        ('10', Raw('40000')),                   # smallint overflow
        ('11', Raw('3000000000')),              # integer overflow
        ('12', Raw('99999999999999999999')),    # bigint overflow
        ('13', '2020-13-01T00:00:00Z'),         # no such month
        ('14', Raw('1e400')),                   # out of range for double, fine for numeric
        ('15', Raw(r'"nul\u0000byte"')),        # text cannot hold \u0000
        ('16', Raw('1.5')),                     # not an integer
        ('17', 'hello'),                        # not a boolean
        ('18', {'a': 1}),                       # an object for a scalar column
        ('19', 'abcdefgh'),                     # too long for varchar(5)
        ('20', Raw('1e100000')),                # beyond numeric's range
    ]
    for day, name, values in groups:
        recs = [rec('%s%d' % (name, i + 1), i + 1, [('v', v)]) for i, v in enumerate(values)]
        recs.append(rec('%s%d' % (name, len(values) + 1), len(values) + 1, []))   # no v
        files.add('types/' + event_path(acct, 'us-east-1', T('2020-01-%s 03:00' % day)),
                  gz(records_text(recs)))
    for day, v in bad_values:
        files.add('types/' + event_path(acct, 'us-east-1', T('2020-01-%s 03:00' % day)),
                  gz(records_text([rec('bad' + day, 1, [('v', v)])])))

    # A file that starts with a UTF-8 byte-order mark (some Windows tools add one).
    acct4 = '666666666666'
    files.add('types/' + event_path(acct4, 'us-east-1', T('2020-01-06 10:00')),
              gz(b'\xef\xbb\xbf' + records_text([Pairs([('eventID', 'bom1'),
                                                          ('eventTime', '2020-01-06T09:55:00Z'),
                                                          ('eventName', 'Bom')])]).encode('utf-8')))

    # Two files breaking CloudTrail's rule eventTime <= delivery time: the
    # older file holds a record from after the newer file's records.
    acct3 = '888888888888'
    skew = [
        ('2020-01-05 10:00', [('s1', '2020-01-05T10:30:00Z'), ('s2', '2020-01-05T09:55:00Z')]),
        ('2020-01-05 10:20', [('s3', '2020-01-05T10:15:00Z')]),
    ]
    for deliv, recs in skew:
        files.add('types/' + event_path(acct3, 'us-east-1', T(deliv)),
                  gz(records_text([Pairs([('eventID', eid), ('eventTime', et), ('eventName', 'Skew'),
                                          ('recipientAccountId', acct3)]) for eid, et in recs])))

    acct2 = '999999999999'
    base = T('2020-01-03T02:50:00Z')
    bad = [
        Pairs([('eventID', 'b1'), ('eventTime', iso(base + dt.timedelta(seconds=1))),
               ('eventName', 'TypeTest'), ('awsRegion', 'us-east-1'), ('readOnly', True),
               ('recipientAccountId', acct2)]),
        Pairs([('eventID', 'b2'), ('eventTime', 'not a time'),
               ('eventName', 'TypeTest'), ('awsRegion', 'us-east-1'), ('readOnly', False),
               ('recipientAccountId', acct2)]),
        Pairs([('eventID', 'b3'), ('eventTime', iso(base + dt.timedelta(seconds=3))),
               ('eventName', 'TypeTest'), ('awsRegion', 'us-east-1'), ('readOnly', 'maybe'),
               ('recipientAccountId', acct2)]),
        Pairs([('eventID', 'b4'), ('eventTime', iso(base + dt.timedelta(seconds=4))),
               ('eventName', 'TypeTest'), ('awsRegion', 'us-east-1'), ('readOnly', False),
               ('recipientAccountId', acct2)]),
    ]
    files.add('types/' + event_path(acct2, 'us-east-1', T('2020-01-03 03:00')), gz(records_text(bad)))


# ---------------------------------------------------------------------------
# real mirror
# ---------------------------------------------------------------------------
def parse_ts(s):
    s = s.rstrip('Z')
    for fmt in ('%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S'):
        try:
            return dt.datetime.strptime(s, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    raise ValueError(s)


def acct12(a):
    return a if isinstance(a, str) and len(a) == 12 and a.isdigit() else '123456789012'


def build_real(files):
    # grafana: native pretty-printed file, copied byte for byte
    src = os.path.join(REALDATA, 'grafana-lambda-promtail', 'cloudtrail-log-file.json.gz')
    with open(src, 'rb') as f:
        data = f.read()
    recs = json.loads(gzip.decompress(data))['Records']
    deliv = round_up_minute(max(parse_ts(r['eventTime']) for r in recs))
    p = event_path(acct12(recs[0].get('recipientAccountId')), recs[0]['awsRegion'], deliv,
                   salt='grafana')
    files.add('real/' + p, data, deliv.timestamp())

    # stratus-red-team: JSON arrays
    for src in sorted(glob.glob(os.path.join(REALDATA, 'stratus-red-team', '*.json'))):
        with open(src, 'rb') as f:
            recs = json.loads(f.read())
        deliv = round_up_minute(max(parse_ts(r['eventTime']) for r in recs))
        acct = recs[0]['recipientAccountId']
        assert len(acct) == 12 and acct.isdigit(), src
        p = event_path(acct, recs[0]['awsRegion'], deliv, salt=os.path.basename(src))
        text = json.dumps({'Records': recs}, separators=(',', ':'), ensure_ascii=False)
        files.add('real/' + p, gz(text), deliv.timestamp())

    # OTRF: NDJSON, @timestamp instead of eventTime; records kept as they are
    for src in sorted(glob.glob(os.path.join(REALDATA, 'otrf-security-datasets', '*.json'))):
        with open(src, 'rb') as f:
            lines = [l.strip() for l in f.read().decode('utf-8').splitlines() if l.strip()]
        deliv = round_up_minute(max(parse_ts(json.loads(l)['@timestamp']) for l in lines))
        p = event_path('123456789012', 'us-east-1', deliv, salt=os.path.basename(src))
        files.add('real/' + p, gz('{"Records":[' + ','.join(lines) + ']}'), deliv.timestamp())


# ---------------------------------------------------------------------------
def chmod_a_rX(root):
    for d, dirs, fs in os.walk(root):
        os.chmod(d, os.stat(d).st_mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH |
                 stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        for name in fs:
            p = os.path.join(d, name)
            os.chmod(p, os.stat(p).st_mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def build_many(root):
    """10 000 small event files (10 days x 1000), for memory and cancel tests."""
    acct = '555555555555'
    rec = ('{"eventVersion":"1.08","eventTime":"%s","eventSource":"s3.amazonaws.com",'
           '"eventName":"GetObject","awsRegion":"us-east-1","eventID":"m-%d-%d",'
           '"requestParameters":{"bucketName":"b","key":"k/%d"}}')
    for day in range(1, 11):
        folder = os.path.join(root, 'AWSLogs', acct, 'CloudTrail', 'us-east-1', '2022', '03', '%02d' % day)
        os.makedirs(folder)
        for i in range(1000):
            hh, mm = divmod(i, 60)
            hh %= 24
            t = '2022-03-%02dT%02d:%02d:00Z' % (day, hh, mm)
            body = '{"Records":[%s,%s]}' % (rec % (t, day, 2 * i, i), rec % (t, day, 2 * i + 1, i))
            name = '%s_CloudTrail_us-east-1_202203%02dT%02d%02dZ_m%015d.json.gz' % (acct, day, hh, mm, day * 10000 + i)
            with open(os.path.join(folder, name), 'wb') as f:
                f.write(gz(body))


def build_digests(root):
    """A mirror with CloudTrail-Digest files (OUTDIR/digests/mirror), for the digest tests.

    us-east-1 of account 333344445555: 2019-06-01..03, a file every two hours (HH:05), five
    records each, 7-35 minutes old, plus late records; hourly digests named HH+1:01:30.
    Traps: the hour 2019-06-02 05:00 has no digest; the hour 2019-06-02 11:00 has a digest that
    is not gzip and 13:00 one that is not a digest (both ignored with one WARNING); the entries of
    19:00 that day have a time that is not one and an s3Object that is not a string, the entry of
    21:00 its times swapped (all ignored: those files are read), that of 23:00 an s3Object
    without folders (still used); the file
    2019-06-02 07:05 is listed again by a backfill digest with a wider span (the union counts);
    the digest of 2019-06-03 19:00 understates the oldest eventTime of its file (it is trusted);
    eu-west-1's digest folder is a link out of the root (ignored); an organization trail under
    a key prefix has digests of its own.
    """
    acct = '333344445555'
    mirror = os.path.join(root, 'mirror')
    bucket = 'digest-test-bucket'

    def record(t, name, eid, region):
        return {'eventVersion': '1.08', 'eventTime': iso(t), 'eventSource': 'ec2.amazonaws.com',
                'eventName': name, 'awsRegion': region, 'sourceIPAddress': '192.0.2.7',
                'eventID': eid, 'readOnly': True, 'recipientAccountId': acct}

    def write(rel, data, mtime):
        path = os.path.join(mirror, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)
        os.utime(path, (mtime, mtime))

    def digest_rel(base, region, end, backfill=False):
        return '%s/CloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_trail_us-east-1_%s%s.json.gz' % (
            base, region, end.strftime('%Y/%m/%d'), acct if 'o-' not in base else '666677778888',
            region, end.strftime('%Y%m%dT%H%M%SZ'), '_backfill' if backfill else '')

    def digest(base, region, start, end, logs, backfill=False):
        obj = {'awsAccountId': acct, 'digestStartTime': iso(start), 'digestEndTime': iso(end),
               'digestS3Bucket': bucket, 'digestS3Object': digest_rel(base, region, end, backfill),
               'newestEventTime': max((l['newestEventTime'] for l in logs), default=None),
               'oldestEventTime': min((l['oldestEventTime'] for l in logs), default=None),
               'logFiles': logs}
        return gz(enc(obj))

    def entry(rel, data, oldest, newest):
        return {'s3Bucket': bucket, 's3Object': rel, 'hashValue': hashlib.sha256(data).hexdigest(),
                'hashAlgorithm': 'SHA-256', 'newestEventTime': iso(newest), 'oldestEventTime': iso(oldest)}

    late = {  # delivery -> (eventTime, eventName) of a late record
        T('2019-06-02 15:05'): (T('2019-06-01T10:30:00Z'), 'LateEvent'),
        T('2019-06-03 09:05'): (T('2019-06-01T23:59:30Z'), 'LateEvent2'),
    }
    lying = T('2019-06-03 19:05')
    logs_by_hour = {}
    n = 0
    for base, region, days in (('AWSLogs/' + acct, 'us-east-1', (1, 2, 3)),
                               ('AWSLogs/' + acct, 'eu-west-1', (2,)),
                               ('pfx/AWSLogs/o-digest0001/666677778888', 'eu-west-1', (2,))):
        for day in days:
            for hh in range(1, 24, 2):
                if region == 'eu-west-1' and hh not in (9, 11):
                    continue
                d = dt.datetime(2019, 6, day, hh, 5, tzinfo=UTC)
                recs = []
                for k in range(1, 6):
                    n += 1
                    recs.append(record(d - dt.timedelta(minutes=7 * k), 'DescribeInstances',
                                       'dddddddd-0000-4000-8000-%012d' % n, region))
                if base.endswith(acct) and region == 'us-east-1' and d in late:
                    n += 1
                    recs.append(record(late[d][0], late[d][1], 'dddddddd-0000-4000-8000-%012d' % n, region))
                if base.endswith(acct) and region == 'us-east-1' and d == lying:
                    n += 1
                    recs.append(record(T('2019-06-03T18:50:00Z'), 'Hidden',
                                       'dddddddd-0000-4000-8000-%012d' % n, region))
                acct_here = acct if base.endswith(acct) else '666677778888'
                folder = '%s/CloudTrail/%s/%s' % (base, region, d.strftime('%Y/%m/%d'))
                stem = '%s_CloudTrail_%s_%s' % (acct_here, region, d.strftime('%Y%m%dT%H%MZ'))
                rel = '%s/%s_%s.json.gz' % (folder, stem, unique16(folder + stem))
                data = gz(records_text(recs))
                write(rel, data, d.timestamp() + 20)
                ts = sorted(T(r['eventTime']) for r in recs)
                oldest = ts[0] if d != lying else T('2019-06-03T18:58:00Z')
                hour = d.replace(minute=0)
                logs_by_hour.setdefault((base, region, hour), []).append(entry(rel, data, oldest, ts[-1]))

    for base, region, days in (('AWSLogs/' + acct, 'us-east-1', (1, 2, 3)),
                               ('pfx/AWSLogs/o-digest0001/666677778888', 'eu-west-1', (2,))):
        for day in days:
            for hh in range(24):
                start = dt.datetime(2019, 6, day, hh, 0, tzinfo=UTC)
                if region == 'us-east-1' and start == T('2019-06-02 05:00'):
                    continue  # no digest for this hour
                end = start + dt.timedelta(hours=1, minutes=1, seconds=30)
                logs = logs_by_hour.get((base, region, start), [])
                rel = digest_rel(base, region, end)
                if region == 'us-east-1' and start == T('2019-06-02 11:00'):
                    data = b'this is not gzip'
                elif region == 'us-east-1' and start == T('2019-06-02 13:00'):
                    data = gz('{"awsAccountId":"%s","note":"no logFiles here"}' % acct)
                else:
                    if region == 'us-east-1' and start == T('2019-06-02 19:00'):
                        # entries that say nothing usable: their files are read
                        logs = [dict(logs[0], oldestEventTime='yesterday'),
                                dict(logs[0], s3Object=42)]
                    elif region == 'us-east-1' and start == T('2019-06-02 21:00'):
                        logs = [dict(logs[0], oldestEventTime=logs[0]['newestEventTime'],
                                     newestEventTime=logs[0]['oldestEventTime'])]
                    elif region == 'us-east-1' and start == T('2019-06-02 23:00'):
                        # a key without folders still names the file
                        logs = [dict(logs[0], s3Object=logs[0]['s3Object'].rsplit('/', 1)[1])]
                    data = digest(base, region, start - dt.timedelta(minutes=58, seconds=30), end, logs)
                write(rel, data, end.timestamp() + 60)
                if region == 'us-east-1' and start == T('2019-06-02 07:00'):
                    wide = [dict(logs[0], oldestEventTime='2019-06-01T12:00:00Z')]
                    bend = end + dt.timedelta(hours=5)
                    write(digest_rel(base, region, bend, backfill=True),
                          digest(base, region, start, end, wide, backfill=True), bend.timestamp())

    # a digest folder that links out of the root: never read
    # (were it read, its digest would skip both of the region's files for eventtime < 11:00)
    outside = os.path.join(root, 'outside', 'eu-west-1')
    logs = [dict(l, oldestEventTime='2019-06-02T12:00:00Z', newestEventTime='2019-06-02T12:00:00Z')
            for h in (9, 11) for l in logs_by_hour[('AWSLogs/' + acct, 'eu-west-1', T('2019-06-02 %02d:00' % h))]]
    end = T('2019-06-02T12:01:30Z')
    path = os.path.join(outside, '2019', '06', '02', os.path.basename(digest_rel('AWSLogs/' + acct, 'eu-west-1', end)))
    os.makedirs(os.path.dirname(path))
    with open(path, 'wb') as f:
        f.write(digest('AWSLogs/' + acct, 'eu-west-1', end - dt.timedelta(hours=3), end, logs))
    os.symlink('../../../../outside/eu-west-1',
               os.path.join(mirror, 'AWSLogs', acct, 'CloudTrail-Digest', 'eu-west-1'))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: gen_fixtures.py OUTDIR\n')
        return 2
    out = os.path.abspath(argv[1])
    forbidden = {'/', os.path.expanduser('~'), os.path.dirname(HERE), HERE}
    if out in forbidden:
        sys.stderr.write('refusing to delete %s\n' % out)
        return 2
    if os.path.isdir(out):
        extra = set(os.listdir(out)) - {'main', 'bad', 'types', 'real', 'many', 'faults', 'digests',
                                       'validation'}  # validation: tools/gen_validation_fixtures.py
        if extra:
            sys.stderr.write('refusing to delete %s: it holds %s, which this tool did not write\n'
                             % (out, sorted(extra)[:5]))
            return 2
        shutil.rmtree(out)
    elif os.path.exists(out):
        os.remove(out)
    os.makedirs(out)

    files = Files()
    g = Gen(42)
    build_main(g, files)
    build_bad(Gen(43), files)
    build_types(Gen(44), files)
    build_real(files)
    files.write(out)
    build_many(os.path.join(out, 'many'))
    build_digests(os.path.join(out, 'digests'))
    # a month folder with no day folders: a location there reads nothing
    os.makedirs(os.path.join(out, 'main', 'AWSLogs', A, 'CloudTrail', 'us-east-1', '2018', '10'))
    chmod_a_rX(out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
