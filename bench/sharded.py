#!/usr/bin/env python3
"""One sharded deployment's measurements (run by bench/sharded.sh, inside tools/run-sharded).

Usage: sharded.py N QUERIES.json OUT.jsonl [ROUNDS]
       sharded.py --report OUT.jsonl      the markdown table of bench/RESULTS.md

For every query of QUERIES.json (bench/queries/default.json's form, with {{PARAM}}s from the
mirror's .bench-manifest.json) plus the sharded extras below, on the coordinator run-sharded made:

- EXPLAIN (ANALYZE, TIMING OFF, VERBOSE, FORMAT JSON) with the partitions' async_capable off, so the shards are
  visited one after the other and no two processes share the 2 cores: the coordinator's execution
  time T_seq and planning time (its remote EXPLAINs, use_remote_estimate, included);
- what each shard did for it, from its log (bench/sharded.sh turns on auto_explain and
  log_min_duration_statement = 0 for the shards only): the files its cloudtrail_fdw scan read and
  the rows it sent (auto_explain: the top node's rows, what crossed the wire, a fetch_size batch past
  a LIMIT included), and its busy time: the sum of the durations of every statement the coordinator
  sent it (the EXPLAINs of use_remote_estimate while planning, DECLARE with its planning and the
  scan's start, every FETCH, CLOSE), so not the time it waited for the coordinator's next FETCH;
- the coordinator's own time, own = (planning + T_seq) - sum of the shards' busy times: receiving
  and converting the rows, the plan above the foreign scans, and the network round trips;
- T_async, the same query with async_capable on (all shards at once: on 2 cores, N > 2 shards
  share them);
- with N = 1, T_single: the query on the shard itself, one process (max_parallel_workers_per_gather
  = 0, as a shard's cursor runs), the cost without a coordinator.

Medians over ROUNDS (default 3) after a warm-up run; one JSON object per query to OUT.jsonl.
"""

import calendar
import json
import os
import re
import statistics
import subprocess
import sys
import time

EXTRA = [
    # the two-level forms partitionwise aggregation pushes whole (partitioned by region here)
    ('Q4p', "SELECT eventname, sum(n) AS count FROM (SELECT region, eventname, count(*) AS n "
            "FROM cloudtrail_logs GROUP BY 1, 2) s GROUP BY 1 ORDER BY 2 DESC, 1"),
    ('Q8p', "SELECT sum(n) AS count FROM (SELECT region, count(*) AS n FROM cloudtrail_logs GROUP BY 1) s"),
    # a now()-relative window as written (not sent to the shards), and in the form that is
    ('Q6n', "SELECT eventname, count(*) FROM cloudtrail_logs WHERE eventtime > {{NOW}}::timestamptz "
            "- interval '1 day' + (now() - now()) GROUP BY 1 ORDER BY 2 DESC, 1"),
    ('Q6s', "SELECT eventname, count(*) FROM cloudtrail_logs WHERE eventtime > "
            "(SELECT {{NOW}}::timestamptz - interval '1 day' + (now() - now())) GROUP BY 1 ORDER BY 2 DESC, 1"),
]

PSQL = os.path.join(subprocess.run(['pg_config', '--bindir'], capture_output=True, text=True,
                                   check=True).stdout.strip(), 'psql')


def psql(sql, port=None):
    cmd = [PSQL, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql]
    env = dict(os.environ)
    if port:
        env['PGPORT'] = str(port)
    return subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout


def iso(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))


def params_of(spec, mirror):
    with open(os.path.join(mirror, '.bench-manifest.json')) as f:
        max_event = f.read()
    m = re.search(r'"max_event_time"\s*:\s*"([^"]+)"', max_event).group(1)
    t0 = calendar.timegm(time.strptime(m, '%Y-%m-%dT%H:%M:%SZ'))
    out = {}
    for k, p in spec.get('params', {}).items():
        t = t0 - p.get('minus_seconds', 0)
        if p.get('trunc') == 'day':
            t -= t % 86400
        out[k] = iso(t + p.get('offset_seconds', 0))
    out['NOW'] = "'%s'" % iso(t0)       # "now" is the mirror's newest event
    return out


def fill(sql, params):
    return re.sub(r'\{\{(\w+)\}\}', lambda m: params[m.group(1)], sql)


def walk(node):
    yield node
    for c in node.get('Plans', []):
        yield from walk(c)


def coordinator_run(q):
    out = json.loads(psql('EXPLAIN (ANALYZE, TIMING OFF, VERBOSE, FORMAT JSON) ' + q))[0]
    return out['Execution Time'], out['Planning Time']


LOG_ENTRY = re.compile(r'duration: [0-9.]+ ms  plan:\n(.*?)(?=\n\d{4}-\d\d-\d\d |\Z)', re.S)
STATEMENT = re.compile(r'postgres_fdw LOG:  duration: ([0-9.]+) ms  (?:statement|execute|bind|parse)')


def shard_work(logfile, offset):
    """files read, rows sent, ms of the plans a shard's auto_explain logged since offset."""
    with open(logfile, errors='replace') as f:
        f.seek(offset)
        text = f.read()
    files = rows = ms = 0.0
    for m in LOG_ENTRY.finditer(text):
        body = '\n'.join(l[1:] if l.startswith('\t') else l for l in m.group(1).split('\n'))
        try:
            plan = json.loads(body)['Plan']
        except ValueError:
            continue
        if 'Actual Rows' not in plan:
            continue
        rows += plan['Actual Rows'] * plan.get('Actual Loops', 1)
        for n in walk(plan):
            files += n.get('Files Read', 0)
    ms = sum(float(m.group(1)) for m in STATEMENT.finditer(text))
    return files, rows, ms


def set_async(on):
    for part in psql("SELECT c.oid::regclass FROM pg_class c JOIN pg_foreign_table f ON f.ftrelid = c.oid "
                     "WHERE c.relispartition").split():
        psql("ALTER FOREIGN TABLE %s OPTIONS (SET async_capable '%s')" % (part, 'true' if on else 'false'))


def report(path):
    recs = [json.loads(l) for l in open(path)]
    by = {}
    for r in recs:
        by.setdefault(r['id'], {})[r['n']] = r
    ns = sorted(set(r['n'] for r in recs))
    print('| query | N | single node: ms / files | coordinator T_seq (of it planning) | shard work W = sum '
          '| per shard: busy ms / files read / rows sent | own C | predicted max(shard) + C | T_async (2 cores) |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for qid in by:
        for n in ns:
            r = by[qid].get(n)
            if r is None:
                continue
            w = sum(s['ms'] for s in r['shards'])
            per = '; '.join('%.0f / %d / %d' % (s['ms'], s['files'], s['rows']) for s in r['shards'])
            print('| %s | %d | %s | %.0f (%.0f) | %.0f | %s | %.0f | %.0f | %.0f |' % (
                qid, n, '%.0f / %d' % (r['t_single_ms'], r['files_single'])
                if r['t_single_ms'] is not None else '',
                r['t_seq_ms'] + r['t_plan_ms'], r['t_plan_ms'], w, per, r['own_ms'],
                max(s['ms'] for s in r['shards']) + r['own_ms'], r['t_async_ms']))


def main():
    if sys.argv[1] == '--report':
        report(sys.argv[2])
        return
    n = int(sys.argv[1])
    spec = json.load(open(sys.argv[2]))
    out = open(sys.argv[3], 'a')
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    mirror = os.environ.get('BENCH_MIRROR', '/srv/ct-bench')
    params = params_of(spec, mirror)
    work = os.environ['CT_SHARDS_WORK']
    ports = os.environ['CT_SHARD_PORTS'].split(',')
    logs = [os.path.join(work, 'shard_%d' % (k + 1), 'server.log') for k in range(n)]
    only = set(filter(None, os.environ.get('BENCH_ONLY', '').split(',')))

    queries = [(q['id'], q['sql']) for q in spec['queries']] + EXTRA
    for qid, sql in queries:
        if only and qid not in only:
            continue
        q = fill(sql, params)
        set_async(False)
        psql(q)                                         # warm-up
        samples = []
        for _ in range(rounds):
            offsets = [os.path.getsize(l) for l in logs]
            t_exec, t_plan = coordinator_run(q)
            time.sleep(0.2)                             # the shards' logs written
            per = [shard_work(l, o) for l, o in zip(logs, offsets)]
            samples.append((t_exec, t_plan, per))
        set_async(True)
        t_async = statistics.median(sum(coordinator_run(q)) for _ in range(rounds))
        t_single = files_single = None
        if n == 1:
            singles = [json.loads(psql('SET max_parallel_workers_per_gather = 0; '
                                       'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' + q, ports[0]))[0]
                       for _ in range(rounds)]
            t_single = statistics.median(x['Execution Time'] + x['Planning Time'] for x in singles)
            files_single = sum(nd.get('Files Read', 0) for nd in walk(singles[0]['Plan']))
        med = lambda xs: statistics.median(xs)
        shards = [{'files': med([s[2][k][0] for s in samples]),
                   'rows': med([s[2][k][1] for s in samples]),
                   'ms': med([s[2][k][2] for s in samples])} for k in range(n)]
        rec = {'n': n, 'id': qid, 'sql': q,
               't_seq_ms': med([s[0] for s in samples]),
               't_plan_ms': med([s[1] for s in samples]),
               't_async_ms': t_async, 't_single_ms': t_single, 'files_single': files_single,
               'shards': shards,
               'own_ms': med([s[0] + s[1] - sum(x[2] for x in s[2]) for s in samples])}
        out.write(json.dumps(rec) + '\n')
        out.flush()
        sys.stderr.write('[sharded.py] N=%d %s: T_seq %.0f ms + planning %.0f, shards %s ms, own %.0f ms\n' % (
            n, qid, rec['t_seq_ms'], rec['t_plan_ms'], '/'.join('%.0f' % s['ms'] for s in shards), rec['own_ms']))


if __name__ == '__main__':
    main()
