#!/usr/bin/env python3
"""Independent reference reader for CloudTrail mirrors (checks cloudtrail_fdw answers).

Usage: oracle.py [--log-type CloudTrail] [--skip-bad] MIRROR [query]

query: seed1 | seed2 | seed3 | count | counts | all (default: all)

Walks MIRROR and reads only event files whose relative path matches

  [prefix/]AWSLogs/[o-ORGID/]ACCOUNT/<log-type>/REGION/YYYY/MM/DD/
      ACCOUNT_<log-type>_REGION_YYYYMMDDTHHmmZ_[A-Za-z0-9]+.json[.gz]

(ACCOUNT 12 digits; the account and region in the name equal the folder's;
any number of prefix folders above AWSLogs). Everything else (digests,
Insight/NetworkActivity trees unless --log-type says so, partial downloads
NAME.json.gz.XXXXXXXX, other services' logs, README, .DS_Store...) is ignored.

Output is what `psql -At -F'<TAB>'` prints (session TimeZone UTC):
timestamps as `2018-11-14 12:34:56+00`, NULL as the empty string, booleans as t/f.
With `all` each section starts with a line `-- NAME`.

  seed1  eventtime, eventname, awsregion, userIdentity.userName
         WHERE eventName = 'ConsoleLogin' AND eventTime > '2018-11-14T12:00:00Z'
         ORDER BY eventtime DESC LIMIT 10
  seed2  eventtime, eventname, awsregion, errorMessage, userIdentity.userName
         WHERE eventName = 'ListBuckets' AND eventTime > '2018-11-14T12:00:00Z'
           AND errorMessage <> ''                 ORDER BY eventtime DESC LIMIT 10
  seed3  eventtime, eventname, awsregion, errorMessage, userIdentity.userName
         WHERE sourceIPAddress = '203.0.113.5' AND eventTime > '2018-11-14T12:00:00Z'
         ORDER BY eventtime DESC
  count  number of records
  counts account, region, delivery date (from the folder), number of records

A tie in eventtime inside a seed answer is reported on stderr (the answer
would then not be unique).
"""

import datetime as dt
import gzip
import json
import os
import re
import sys

UTC = dt.timezone.utc
CUTOFF = dt.datetime(2018, 11, 14, 12, 0, 0, tzinfo=UTC)
TIME_RE = re.compile(r'^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$')


def path_re(log_type):
    lt = re.escape(log_type)
    return re.compile(
        r'^(?:.+/)?AWSLogs/(?:o-[a-z0-9]+/)?(?P<acct>\d{12})/' + lt +
        r'/(?P<region>[a-z0-9-]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/'
        r'(?P=acct)_' + lt + r'_(?P=region)_(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json(?:\.gz)?$')


def parse_time(v):
    if not isinstance(v, str):
        return None
    m = TIME_RE.match(v)
    if not m:
        return None
    y, mo, d, h, mi, s, frac = m.groups()
    us = int((frac or '0').ljust(6, '0'))
    try:
        return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), us, tzinfo=UTC)
    except ValueError:
        return None


def fmt_time(t):
    if t is None:
        return ''
    s = t.strftime('%Y-%m-%d %H:%M:%S')
    if t.microsecond:
        s += ('.%06d' % t.microsecond).rstrip('0')
    return s + '+00'


def fmt(v):
    if v is None:
        return ''
    if isinstance(v, dt.datetime):
        return fmt_time(v)
    if v is True:
        return 't'
    if v is False:
        return 'f'
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(',', ':'), ensure_ascii=False)


def walk(mirror, log_type):
    rx = path_re(log_type)
    out = []
    for d, dirs, files in os.walk(mirror):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(d, name)
            rel = os.path.relpath(full, mirror).replace(os.sep, '/')
            m = rx.match(rel)
            if m:
                out.append((rel, full, m))
    out.sort()
    return out


def load(mirror, log_type='CloudTrail', skip_bad=False):
    """-> list of (record dict, partition (acct, region, 'YYYY-MM-DD'), relpath)."""
    rows = []
    for rel, full, m in walk(mirror, log_type):
        try:
            with open(full, 'rb') as f:
                data = f.read()
            if full.endswith('.gz'):
                data = gzip.decompress(data)
            doc = json.loads(data.decode('utf-8'))
            recs = doc['Records']
            if not isinstance(recs, list):
                raise ValueError('Records is not an array')
        except Exception as e:  # noqa: BLE001
            if skip_bad:
                sys.stderr.write('oracle: skipping %s: %s\n' % (rel, e))
                continue
            raise SystemExit('oracle: cannot read %s: %s' % (rel, e))
        part = (m.group('acct'), m.group('region'),
                '%s-%s-%s' % (m.group('y'), m.group('m'), m.group('d')))
        for r in recs:
            rows.append((r, part, rel))
    return rows


def user_name(r):
    ui = r.get('userIdentity')
    return ui.get('userName') if isinstance(ui, dict) else None


def seed(rows, pred, cols, limit):
    hits = []
    for r, _, _ in rows:
        if not isinstance(r, dict):
            continue
        t = parse_time(r.get('eventTime'))
        if t is None or not t > CUTOFF or not pred(r):
            continue
        hits.append((t, r))
    hits.sort(key=lambda x: x[0], reverse=True)
    times = [t for t, _ in hits]
    if limit is not None:
        if len(times) > limit and times[limit - 1] == times[limit]:
            sys.stderr.write('oracle: tie at the LIMIT boundary (%s)\n' % fmt_time(times[limit]))
        hits = hits[:limit]
    ts = [t for t, _ in hits]
    if len(set(ts)) != len(ts):
        sys.stderr.write('oracle: equal eventtimes inside the answer; row order is not unique\n')
    return [[t] + [c(r) for c in cols] for t, r in hits]


def q_seed1(rows):
    return seed(rows, lambda r: r.get('eventName') == 'ConsoleLogin',
                [lambda r: r.get('eventName'), lambda r: r.get('awsRegion'), user_name], 10)


def q_seed2(rows):
    def pred(r):
        em = r.get('errorMessage')
        return (r.get('eventName') == 'ListBuckets' and em is not None
                and fmt(em) != '')
    return seed(rows, pred, [lambda r: r.get('eventName'), lambda r: r.get('awsRegion'),
                             lambda r: r.get('errorMessage'), user_name], 10)


def q_seed3(rows):
    return seed(rows, lambda r: r.get('sourceIPAddress') == '203.0.113.5',
                [lambda r: r.get('eventName'), lambda r: r.get('awsRegion'),
                 lambda r: r.get('errorMessage'), user_name], None)


def q_count(rows):
    return [[len(rows)]]


def q_counts(rows):
    c = {}
    for _, part, _ in rows:
        c[part] = c.get(part, 0) + 1
    return [list(k) + [v] for k, v in sorted(c.items())]


QUERIES = [('seed1', q_seed1), ('seed2', q_seed2), ('seed3', q_seed3),
           ('count', q_count), ('counts', q_counts)]


def main(argv):
    args = argv[1:]
    log_type = 'CloudTrail'
    skip_bad = False
    pos = []
    while args:
        a = args.pop(0)
        if a == '--log-type':
            log_type = args.pop(0)
        elif a.startswith('--log-type='):
            log_type = a.split('=', 1)[1]
        elif a == '--skip-bad':
            skip_bad = True
        elif a in ('-h', '--help'):
            print(__doc__)
            return 0
        else:
            pos.append(a)
    if not 1 <= len(pos) <= 2:
        sys.stderr.write('usage: oracle.py [--log-type TYPE] [--skip-bad] MIRROR '
                         '[seed1|seed2|seed3|count|counts|all]\n')
        return 2
    mirror = pos[0]
    which = pos[1] if len(pos) == 2 else 'all'
    names = [n for n, _ in QUERIES]
    if which != 'all' and which not in names:
        sys.stderr.write('unknown query %r (one of %s, all)\n' % (which, ', '.join(names)))
        return 2
    rows = load(mirror, log_type, skip_bad)
    out = sys.stdout
    for name, fn in QUERIES:
        if which not in ('all', name):
            continue
        if which == 'all':
            out.write('-- %s\n' % name)
        for row in fn(rows):
            out.write('\t'.join(fmt(v) for v in row) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
