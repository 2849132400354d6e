// Benchmark driver for cloudtrail_fdw.  Run inside pg_virtualenv (PGHOST/PGPORT/PGUSER/PGPASSWORD
// set) by bench/run.sh; runs every engine on every query, interleaved: a warm-up round, then
// BENCH_ROUNDS timed rounds; in each round every query runs on every engine (the engine order
// rotates from round to round).  Client-side wall-clock times; one open connection per engine.
//
//   node driver.mjs             the benchmark (results/<timestamp>.json, .md, .dat)
//   node driver.mjs --memtest   the memory test of bench/memtest.sh
//
// Engines: cloudtrail_fdw (pg, one connection), duckdb (@duckdb/node-api, one connection),
// pg_copy (records COPYed into a jsonb table, one connection), jq (a zcat | jq pipeline per
// query), zlib_floor_1t / zlib_floor_2t (bench/inflate_floor over the files the query must read),
// libdeflate_floor_1t (the same, each file inflated whole by libdeflate).
import pg from 'pg';
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDuckDB, layoutGlobs } from './duckdb.mjs';
import { procStatus, resetPeak, sampler as procSampler } from './proc.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const num = (v, d) => (v === undefined || v === '' ? d : Number(v));

const cfg = {
  mirror: path.resolve(env.BENCH_MIRROR || '/srv/ct-bench'),
  rounds: num(env.BENCH_ROUNDS, 5),
  warmup: num(env.BENCH_WARMUP, 1),
  jqRounds: num(env.BENCH_JQ_ROUNDS, num(env.BENCH_ROUNDS, 5)),
  jqWarmup: num(env.BENCH_JQ_WARMUP, 0),
  engines: (env.BENCH_ENGINES || 'cloudtrail_fdw,duckdb,pg_copy,jq,zlib_floor_1t,zlib_floor_2t,libdeflate_floor_1t')
    .split(',').map((s) => s.trim()).filter(Boolean),
  fdwParallel: (env.BENCH_FDW_PARALLEL ?? '0').split(',').map((s) => s.trim()).filter(Boolean),
  queriesFile: path.resolve(env.BENCH_QUERIES || path.join(BENCH, 'queries', 'default.json')),
  only: (env.BENCH_ONLY || '').split(',').map((s) => s.trim()).filter(Boolean),
  timeoutSec: num(env.BENCH_TIMEOUT, 1800),
  resultsDir: path.resolve(env.BENCH_RESULTS || path.join(BENCH, 'results')),
  inflate: env.BENCH_INFLATE || path.join(BENCH, 'inflate_floor'),
  duckdbThreads: env.BENCH_DUCKDB_THREADS ? Number(env.BENCH_DUCKDB_THREADS) : undefined,
  fdwSetupSql: env.BENCH_FDW_SETUP_SQL || '',
  command: env.BENCH_COMMAND || process.argv.join(' '),
};

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const sh = (cmd) => execFileSync('bash', ['-c', cmd], { encoding: 'utf8' }).trim();
const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Canonical rows, for comparing results across engines.

const TS_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(?:Z|[+]00(?::?00)?)$/;
function canonTs(s) {
  const m = TS_RE.exec(s);
  if (!m) return s;
  let frac = (m[3] || '').replace(/0+$/, '');
  if (frac === '.') frac = '';
  return `${m[1]}T${m[2]}${frac}Z`;
}
function stable(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
}
function canonJson(v, stripTopNulls) {
  let o = typeof v === 'string' ? JSON.parse(v) : v;
  if (stripTopNulls && o && typeof o === 'object' && !Array.isArray(o)) {
    o = Object.fromEntries(Object.entries(o).filter(([, x]) => x !== null));
  }
  return stable(o);
}
// kind: ts | bool | json | text
function canonVal(v, kind, colName) {
  if (v === null || v === undefined) return '\\N';
  switch (kind) {
    case 'ts': return canonTs(String(v));
    case 'bool': return v === true || v === 't' || v === 'true' ? 't' : 'f';
    // The whole record: DuckDB's to_json(struct) has every declared key (null when absent);
    // so top-level nulls are dropped on every engine before comparing.
    case 'json': return canonJson(v, colName === 'event');
    default:
      if (typeof v === 'string') return TS_RE.test(v) ? canonTs(v) : v;
      if (typeof v === 'object') return stable(v);
      return String(v);
  }
}
function canonRows(rows, kinds, names) {
  return rows.map((r) => r.map((v, i) => canonVal(v, kinds[i], names[i])).join('\x1f'));
}
function hashRows(crows) {
  const h = crypto.createHash('sha256');
  for (const r of [...crows].sort()) h.update(r).update('\n');
  return h.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL engines.

const PG_KIND = { 1184: 'ts', 1114: 'ts', 16: 'bool', 3802: 'json', 114: 'json' };
const rawTypes = { getTypeParser: () => (v) => v };

async function pgConnect(database) {
  const c = new pg.Client({ database, application_name: 'ct-bench' });
  await c.connect();
  await c.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET statement_timeout = '${cfg.timeoutSec}s'`);
  const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  return { client: c, pid };
}

function pgEngine(name, conn, { setup = [] } = {}) {
  return {
    name,
    async init() {
      for (const s of setup) await conn.client.query(s);
    },
    // sampleWorkers: also follow the parallel workers' memory (costs a little client CPU, so
    // only in the warm-up round)
    async run(sql, q, { sampleWorkers = false } = {}) {
      const before = procStatus(conn.pid);
      const canReset = resetPeak(conn.pid);
      const stopSampler = sampleWorkers ? procSampler(conn.pid) : null;
      const t0 = process.hrtime.bigint();
      let res;
      try {
        res = await conn.client.query({ text: sql, rowMode: 'array', types: rawTypes });
      } finally {
        var workers = stopSampler ? stopSampler() : null;
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const after = procStatus(conn.pid);
      const r = Array.isArray(res) ? res[res.length - 1] : res;
      return {
        ms,
        rowCount: r.rows.length,
        mem: after && before ? {
          rss_before_kb: before.VmRSS, peak_kb: after.VmHWM, rss_after_kb: after.VmRSS,
          anon_after_kb: after.RssAnon, shmem_after_kb: after.RssShmem, peak_reset: canReset,
        } : null,
        workers,
        canon: () => {
          const names = r.fields.map((f) => f.name);
          return canonRows(r.rows, r.fields.map((f) => PG_KIND[f.dataTypeID] || 'text'), names);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// DuckDB.

function duckKind(t) {
  const s = String(t).toUpperCase();
  if (s === 'JSON' || String(t.alias || '').toUpperCase() === 'JSON') return 'json';
  if (s.startsWith('TIMESTAMP')) return 'ts';
  if (s === 'BOOLEAN') return 'bool';
  return 'text';
}
function duckEngine(db) {
  return {
    name: 'duckdb',
    async run(sql) {
      const t0 = process.hrtime.bigint();
      const reader = await db.run(sql);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      return {
        ms,
        rowCount: reader.currentRowCount,
        canon: () => canonRows(reader.getRowsJson(), reader.columnTypes().map(duckKind), reader.columnNames()),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes: jq pipelines and the zlib floor.

function runProcess(cmd, args, { input, timeoutSec } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, args, { env: { ...env, LC_ALL: 'C' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out = [];
    const err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    const timer = timeoutSec ? setTimeout(() => { try { process.kill(-p.pid, 'SIGKILL'); } catch {} }, timeoutSec * 1000) : null;
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ ms, code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(input || '');
  });
}

function jqEngine() {
  return {
    name: 'jq',
    async run(_sql, q) {
      if (!q.jqCmd) return null;
      const r = await runProcess('bash', ['-c', q.jqCmd], { timeoutSec: cfg.timeoutSec });
      if (r.code !== 0 || r.signal) throw new Error(`jq pipeline failed (${r.code || r.signal}): ${r.stderr.slice(0, 500)}`);
      if (q.jq.output === 'count') {
        const n = Number(r.stdout.trim());
        return { ms: r.ms, rowCount: n, canon: null };
      }
      const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
      const rows = lines.map((l) => JSON.parse(l));
      return {
        ms: r.ms,
        rowCount: rows.length,
        canon: () => canonRows(rows, rows.length ? rows[0].map(() => 'auto') : [], []),
      };
    },
  };
}

// lib 'zlib': the floor the targets are stated against; 'libdeflate': whole-file inflation, as
// cloudtrail_fdw does for files up to 4 MB (the measured reason for that dependency).
function floorEngine(threads, lib = 'zlib') {
  return {
    name: `${lib}_floor_${threads}t`,
    async run(_sql, q) {
      if (!q.floorFiles) return null;
      const args = ['-j', String(threads), ...(lib === 'libdeflate' ? ['-l'] : [])];
      const r = await runProcess(cfg.inflate, args, { input: q.floorFiles.join('\n') + '\n' });
      if (r.code !== 0) throw new Error(`inflate_floor failed: ${r.stderr.slice(0, 300)}`);
      const j = JSON.parse(r.stdout);
      return { ms: j.seconds * 1000, rowCount: null, canon: null, floor: j };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Queries and their parameters.

function loadManifest() {
  try {
    return JSON.parse(fs.readFileSync(path.join(cfg.mirror, '.bench-manifest.json'), 'utf8'));
  } catch {
    return null;
  }
}
const isoZ = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function listFiles(glob) {
  // the shell expands the glob exactly as the jq pipelines do
  const out = sh(`cd ${shq(cfg.mirror)} && shopt -s nullglob && for f in ${glob}; do printf '%s\\n' "$PWD/$f"; done`);
  return out ? out.split('\n') : [];
}
const NAME_TIME_RE = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[A-Za-z0-9]+\.json\.gz$/;
function nameTimeEnd(f) {
  const m = NAME_TIME_RE.exec(f);
  if (!m) return Infinity;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) + 60000; // end of the name's minute
}

let digestSpanCache = null;
function digestSpans() {
  if (digestSpanCache) return digestSpanCache;
  digestSpanCache = new Map();
  for (const d of layoutGlobs(cfg.mirror, 'CloudTrail-Digest').flatMap(listFiles)) {
    const j = JSON.parse(zlib.gunzipSync(fs.readFileSync(d)).toString('utf8'));
    for (const lf of j.logFiles || []) {
      const name = path.basename(lf.s3Object);
      const sp = [Date.parse(lf.oldestEventTime), Date.parse(lf.newestEventTime)];
      const had = digestSpanCache.get(name);
      digestSpanCache.set(name, had ? [Math.min(had[0], sp[0]), Math.max(had[1], sp[1])] : sp);
    }
  }
  return digestSpanCache;
}

function prepareQueries(spec, params) {
  const sub = (s) => s && s.replace(/\{\{(\w+)\}\}/g, (_, k) => {
    if (k === 'MIRROR') return cfg.mirror;
    if (!(k in params)) throw new Error(`unknown parameter {{${k}}}`);
    return params[k];
  });
  let qs = spec.queries;
  if (cfg.only.length) qs = qs.filter((q) => cfg.only.includes(q.id));
  return qs.map((q) => {
    const out = { ...q, sql: sub(q.sql), duckdbSql: sub(q.duckdb || q.sql), pgCopySql: sub(q.pg_copy || q.sql) };
    out.jqCmd = q.jq ? sub(q.jq.cmd) : null;
    if (q.floor) {
      let files = listFiles(q.floor.glob);
      if (q.floor.delivered_after) {
        const t = Date.parse(sub(q.floor.delivered_after));
        files = files.filter((f) => nameTimeEnd(f) > t);
      }
      if (q.floor.event_time_overlap) {
        // the files holding a record in [lo, hi): by their digest's oldest and newest eventTime;
        // a file no digest lists, by its delivery time only
        const [lo, hi] = q.floor.event_time_overlap.map((x) => Date.parse(sub(x)));
        const spans = digestSpans();
        files = files.filter((f) => {
          const sp = spans.get(path.basename(f));
          if (!sp) return nameTimeEnd(f) > lo;
          return sp[1] >= lo && sp[0] < hi;
        });
      }
      out.floorFiles = files;
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Machine description.

function machine(extra) {
  const tryx = (f) => { try { return f(); } catch { return null; } };
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))[1]);
  return {
    cpu_model: tryx(() => sh(`lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1`)),
    cores: os.cpus().length,
    ram_gib: +(memKb / 1048576).toFixed(1),
    kernel: os.release(),
    os: tryx(() => sh(`. /etc/os-release && echo "$PRETTY_NAME"`)),
    node: process.version,
    jq: tryx(() => sh('jq --version')),
    zlib: tryx(() => sh(`${shq(cfg.inflate)} --version`)),
    fdw_links: tryx(() => sh(`ldd "$(pg_config --pkglibdir)/cloudtrail_fdw.so" | grep -o 'libz[^ ]* => [^ ]*' | head -1`)),
    fdw_source: tryx(() => sh(`cd ${shq(path.dirname(BENCH))} && echo "$(git rev-parse --short HEAD)$(git status --porcelain -- fdw Makefile | grep -q . && echo ' + uncommitted changes in fdw/')"`)),
    loadavg_start: os.loadavg().map((x) => +x.toFixed(2)),
    ...extra,
  };
}
const OURS = /^(postgres|node|jq|zcat|inflate_f|sort|head|wc|awk|bash|tr|psql|top)/;
function busyProcesses() {
  // other processes using CPU right now (a benchmark on a busy machine is not worth much)
  try {
    return sh(`top -bn2 -d 1 | awk '/^top -/{n++} n==2 && $1 ~ /^[0-9]+$/ && $9+0 > 20 {print $12 " " $9 "%"}' | head -8`)
      .split('\n').filter((l) => l && !OURS.test(l));
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// pg_copy: load the mirror into ct_jsonb.

async function loadPgCopy(admin) {
  await admin.client.query('DROP DATABASE IF EXISTS ctcopy');
  await admin.client.query('CREATE DATABASE ctcopy');
  const conn = await pgConnect('ctcopy');
  await conn.client.query(fs.readFileSync(path.join(BENCH, 'pg_copy.sql'), 'utf8'));
  const load = {};
  let t0 = Date.now();
  // One line per file: its path, \x02, its JSON text with the (structural) newlines removed.
  // Valid JSON holds no raw control characters inside strings, so \x01 (quote) and \x02
  // (delimiter) never occur in it and CSV mode takes every byte, backslashes too, as it is.
  const copyCmd = `cd ${shq(cfg.mirror)} && shopt -s nullglob && for f in ${layoutGlobs(cfg.mirror).join(' ')}; do printf '%s\\002' "$f"; zcat -- "$f" | tr -d '\\n'; printf '\\n'; done | psql -X -q -v ON_ERROR_STOP=1 -d ctcopy -c "\\copy ct_files (log_file, doc) FROM STDIN WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"`;
  const r = await runProcess('bash', ['-o', 'pipefail', '-c', copyCmd]);
  if (r.code !== 0) throw new Error(`pg_copy load failed: ${r.stderr}`);
  load.copy_files_s = (Date.now() - t0) / 1000;
  t0 = Date.now();
  await conn.client.query(`
    INSERT INTO ct_jsonb (rec, log_file, org_id, account_id, region, delivery_date, delivery_time)
    WITH f AS MATERIALIZED (
      SELECT doc, log_file,
        (regexp_match(log_file, '(?:^|/)AWSLogs/(o-[a-z0-9]+)/'))[1] AS org_id,
        (regexp_match(log_file, '(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?([0-9]{12})/CloudTrail/'))[1] AS account_id,
        (regexp_match(log_file, '/CloudTrail/([^/]+)/[0-9]{4}/[0-9]{2}/[0-9]{2}/'))[1] AS region,
        to_date((regexp_match(log_file, '/([0-9]{4}/[0-9]{2}/[0-9]{2})/[^/]*$'))[1], 'YYYY/MM/DD') AS delivery_date,
        regexp_replace(log_file, '^.*_([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})Z_[A-Za-z0-9]+\\.json\\.gz$',
                       '\\1-\\2-\\3 \\4:\\5:00+00')::timestamptz AS delivery_time
      FROM ct_files)
    SELECT r, log_file, org_id, account_id, region, delivery_date, delivery_time
      FROM f, jsonb_array_elements(f.doc->'Records') r`);
  load.insert_records_s = (Date.now() - t0) / 1000;
  t0 = Date.now();
  await conn.client.query('DROP TABLE ct_files');
  await conn.client.query('VACUUM (ANALYZE) ct_jsonb');
  load.vacuum_analyze_s = (Date.now() - t0) / 1000;
  load.total_s = +(load.copy_files_s + load.insert_records_s + load.vacuum_analyze_s).toFixed(2);
  const st = (await conn.client.query(
    `SELECT count(*) AS n, pg_total_relation_size('ct_jsonb') AS bytes FROM ct_jsonb`)).rows[0];
  load.records = Number(st.n);
  load.table_bytes = Number(st.bytes);
  return { conn, load };
}

// ---------------------------------------------------------------------------------------------
// Markdown.

function fmtS(ms) {
  if (ms === null || ms === undefined) return 'n/a';
  const s = ms / 1000;
  return s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3);
}
// A workload (a query file with "summary": true, or 20 queries or more): the geometric mean of the
// per-query cloudtrail_fdw / duckdb time ratios (medians) and the five worst ratios.
function ratioSummary(R) {
  const ref = 'cloudtrail_fdw';
  if (!(R.config.summary || R.queries.length >= 20) || !R.engines.includes(ref) || !R.engines.includes('duckdb')) return null;
  const rs = R.queries
    .map((q) => ({ q, f: q.engines[ref]?.median_ms, d: q.engines.duckdb?.median_ms }))
    .filter((x) => x.f > 0 && x.d > 0)
    .map((x) => ({ ...x, r: x.f / x.d }));
  if (!rs.length) return null;
  const gm = Math.exp(rs.reduce((a, x) => a + Math.log(x.r), 0) / rs.length);
  const worst = [...rs].sort((a, b) => b.r - a.r).slice(0, 5);
  const ok = R.queries.filter((q) => q.check.startsWith('ok')).length;
  const out = [`### Workload summary: cloudtrail_fdw / duckdb`, '',
    `${rs.length} of ${R.queries.length} queries timed on both engines; results agree on ${ok} of ${R.queries.length}. ` +
    `Geometric mean of the per-query ratios (medians): **${gm.toFixed(3)}x**; worst: **${worst[0].r.toFixed(3)}x**; ` +
    `at most 0.1x: ${rs.filter((x) => x.r <= 0.1).length}, at most 0.3x: ${rs.filter((x) => x.r <= 0.3).length}, above 1x: ${rs.filter((x) => x.r > 1).length}.`,
    '', 'The worst five:', '', '| query | cloudtrail_fdw s | duckdb s | fdw / duckdb | rows |', '|---|---:|---:|---:|---:|'];
  for (const x of worst) out.push(`| ${x.q.id} ${x.q.name} | ${fmtS(x.f)} | ${fmtS(x.d)} | ${x.r.toFixed(3)} | ${x.q.engines[ref]?.rows ?? ''} |`);
  return out;
}
function markdown(R) {
  const engines = R.engines;
  const lines = [];
  lines.push(`## cloudtrail_fdw benchmark, ${R.started}`);
  lines.push('');
  lines.push(`Median of ${R.config.rounds} timed rounds (after ${R.config.warmup} warm-up round${R.config.warmup === 1 ? '' : 's'}; jq: ${R.config.jqRounds} timed, ${R.config.jqWarmup} warm-up), wall-clock seconds seen by the client, page cache warm. In brackets: engine time / cloudtrail_fdw time.`);
  lines.push('');
  const ref = 'cloudtrail_fdw';
  const head = ['query', 'rows', ...engines, 'fdw / duckdb', 'fdw peak RSS: leader (its anon RSS after) + parallel workers', 'results'];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`|${head.map((h, i) => (i === 0 || h === 'results' ? '---' : '---:')).join('|')}|`);
  for (const q of R.queries) {
    const e = q.engines;
    const base = e[ref]?.median_ms;
    const cells = engines.map((name) => {
      const x = e[name];
      if (!x || x.median_ms === null || x.median_ms === undefined) return x?.error ? 'error' : 'n/a';
      const ratio = name !== ref && base ? ` (${(x.median_ms / base).toFixed(2)}x)` : '';
      return `${fmtS(x.median_ms)}${ratio}`;
    });
    const fd = base && e.duckdb?.median_ms ? (base / e.duckdb.median_ms).toFixed(2) : 'n/a';
    const rows = e[ref]?.rows ?? e.duckdb?.rows ?? e.pg_copy?.rows ?? '';
    const mm = e[ref]?.mem;
    const peak = mm?.peak_kb ? `${(mm.peak_kb / 1024).toFixed(0)} MB (anon ${(mm.anon_after_kb / 1024).toFixed(0)})${mm.workers_seen ? ` + ${mm.workers_seen} workers ≤ ${(mm.worker_peak_max_kb / 1024).toFixed(0)} MB` : ''}` : '';
    lines.push(`| ${q.id} | ${rows} | ${cells.join(' | ')} | ${fd} | ${peak} | ${q.check} |`);
  }
  lines.push('');
  const summary = ratioSummary(R);
  if (summary) lines.push(...summary, '');
  lines.push('Queries:');
  for (const q of R.queries) lines.push(`- ${q.id} (${q.name}): \`${q.sql}\``);
  lines.push('');
  if (R.load) {
    lines.push(`pg_copy load (once, not in the table): ${R.load.total_s} s = \\copy of the files ${R.load.copy_files_s.toFixed(1)} s + INSERT one row per record ${R.load.insert_records_s.toFixed(1)} s + VACUUM ANALYZE ${R.load.vacuum_analyze_s.toFixed(1)} s; ${R.load.records} rows, table ${(R.load.table_bytes / 1048576).toFixed(0)} MB.`);
  }
  const q8 = R.queries.find((q) => q.id === 'Q8');
  for (const name of engines.filter((n) => n.startsWith('cloudtrail_fdw'))) {
    const m = q8?.engines?.[name]?.mem;
    if (!m) continue;
    lines.push(`${name} backend memory during Q8 (whole mirror): peak RSS (VmHWM, reset before the query) ${(m.peak_kb / 1024).toFixed(1)} MB, RSS before ${(m.rss_before_kb / 1024).toFixed(1)} MB, growth ${((m.peak_kb - m.rss_before_kb) / 1024).toFixed(1)} MB (RSS after: anon ${(m.anon_after_kb / 1024).toFixed(1)} MB, shared memory ${(m.shmem_after_kb / 1024).toFixed(1)} MB, the rest file-backed: the binaries, and LLVM once a query was JIT-compiled)${m.workers_seen ? `; ${m.workers_seen} parallel workers, peak RSS at most ${(m.worker_peak_max_kb / 1024).toFixed(1)} MB each (${(m.worker_peak_sum_kb / 1024).toFixed(1)} MB together; sampled every 10 ms in the warm-up round)` : '; no parallel workers'}.`);
  }
  const mf = R.mirror.manifest;
  if (mf) {
    lines.push(`Mirror: ${R.mirror.root}: ${mf.files} files, ${mf.records} records, ${(mf.gz_bytes / 1e6).toFixed(1)} MB gzip, ${(mf.json_bytes / 1e6).toFixed(1)} MB JSON; event time ${mf.min_event_time} .. ${mf.max_event_time}.`);
  }
  lines.push(`Parameters: ${Object.entries(R.params).map(([k, v]) => `${k} = ${v}`).join(', ')}.`);
  lines.push('');
  const m = R.machine;
  lines.push(`cloudtrail_fdw source: ${m.fdw_source}.`);
  lines.push(`Machine: ${m.cpu_model}, ${m.cores} cores, ${m.ram_gib} GiB RAM, kernel ${m.kernel}, ${m.os}; ${m.postgres}; DuckDB ${m.duckdb} (threads ${m.duckdb_threads}); zlib ${m.zlib} (FDW: ${m.fdw_links}); ${m.jq}; Node ${m.node}. Load average at start ${m.loadavg_start.join(' ')}, at end ${m.loadavg_end?.join(' ')}.`);
  if (m.busy_at_start?.length) lines.push(`WARNING: other processes were using CPU at the start: ${m.busy_at_start.join(', ')}.`);
  if (m.busy_during?.length) lines.push(`WARNING: other processes were using CPU during ${m.busy_during.length} of ${R.config.warmup + R.config.rounds} rounds (sampled at each round's start): ${[...new Set(m.busy_during.flatMap((b) => b.processes.map((p) => p.split(' ')[0])))].join(', ')}.`);
  else lines.push('No other process was using CPU at the start of any round.');
  lines.push(`PostgreSQL settings: ${Object.entries(m.pg_settings || {}).map(([k, v]) => `${k}=${v}`).join(', ')}.`);
  lines.push(`Command: \`${R.command}\``);
  lines.push(`Run time: ${R.run_seconds} s.`);
  if (R.mismatches.length) {
    lines.push('');
    lines.push('### Result mismatches');
    for (const mm of R.mismatches) {
      lines.push(`- ${mm.query} ${mm.engine} vs ${mm.reference}: ${mm.what}`);
      for (const s of mm.samples || []) lines.push(`    - ${s}`);
    }
  }
  return lines.join('\n');
}

// gnuplot data: one line per query, one column per engine (median seconds; NaN: n/a).
function gnuplotData(R) {
  const out = [`query ${R.engines.join(' ')}`];
  for (const q of R.queries) {
    out.push([q.id, ...R.engines.map((e) => {
      const v = q.engines[e]?.median_ms;
      return v === null || v === undefined ? 'NaN' : (v / 1000).toFixed(6);
    })].join(' '));
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Result checks.

function compareQuery(q, checks, refOrder) {
  // checks: engine -> { rowCount, hash, crows, orderOk, keys }
  const present = Object.keys(checks).filter((e) => checks[e]);
  const ref = refOrder.find((e) => checks[e]?.hash) || present.find((e) => checks[e]?.hash);
  const out = { status: {}, mismatches: [] };
  for (const e of present) {
    const c = checks[e];
    const r = checks[ref];
    if (c.error) { out.status[e] = 'error'; continue; }
    if (!r || e === ref) { out.status[e] = c.orderOk === false ? 'ORDER' : 'ok'; continue; }
    if (c.hash === null) {
      // row count only (jq on SELECT *)
      if (c.rowCount === r.rowCount) out.status[e] = 'ok (count)';
      else {
        out.status[e] = 'MISMATCH';
        out.mismatches.push({ query: q.id, engine: e, reference: ref, what: `row count ${c.rowCount} vs ${r.rowCount}` });
      }
      continue;
    }
    if (c.hash === r.hash) { out.status[e] = c.orderOk === false ? 'ORDER' : 'ok'; }
    else if (q.order?.limit && c.keys && r.keys && c.keys.join('\n') === r.keys.join('\n')) {
      out.status[e] = 'ok (ties)'; // same ORDER BY keys; rows with equal keys at the LIMIT may differ
    } else {
      out.status[e] = 'MISMATCH';
      const a = new Set(c.crows || []);
      const b = new Set(r.crows || []);
      const onlyE = (c.crows || []).filter((x) => !b.has(x)).slice(0, 3);
      const onlyR = (r.crows || []).filter((x) => !a.has(x)).slice(0, 3);
      const show = (s) => s.replace(/\x1f/g, ' | ').slice(0, 400);
      out.mismatches.push({
        query: q.id, engine: e, reference: ref,
        what: `rows ${c.rowCount} vs ${r.rowCount}, checksum ${c.hash} vs ${r.hash}`,
        samples: [...onlyE.map((x) => `only in ${e}: ${show(x)}`), ...onlyR.map((x) => `only in ${ref}: ${show(x)}`)],
      });
    }
    if (c.orderOk === false) out.status[e] += ' ORDER';
  }
  return out;
}

function checkOf(res, q) {
  if (!res || res.rowCount === null) return null; // the zlib floor returns no rows
  if (!res.canon) return { rowCount: res.rowCount, hash: null };
  const crows = res.canon();
  let orderOk = null;
  let keys = null;
  if (q.order) {
    const col = q.order.column;
    const k = crows.map((r) => r.split('\x1f')[col]);
    const cmp = (a, b) => {
      const na = Number(a), nb = Number(b);
      return !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
    };
    orderOk = k.every((x, i) => i === 0 || (q.order.desc ? cmp(k[i - 1], x) >= 0 : cmp(k[i - 1], x) <= 0));
    keys = [...k].sort();
  }
  return { rowCount: res.rowCount, hash: hashRows(crows), crows: crows.length <= 200000 ? crows : null, orderOk, keys };
}

// ---------------------------------------------------------------------------------------------
// The benchmark.

async function bench() {
  const t00 = Date.now();
  const started = new Date().toISOString();
  const spec = JSON.parse(fs.readFileSync(cfg.queriesFile, 'utf8'));
  const manifest = loadManifest();
  log(`mirror ${cfg.mirror}${manifest ? `: ${manifest.files} files, ${manifest.records} records` : ''}`);

  const admin = await pgConnect('postgres');
  const pgVersion = (await admin.client.query('SELECT version() AS v')).rows[0].v;
  const settings = {};
  for (const s of ['shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit', 'max_worker_processes']) {
    settings[s] = (await admin.client.query(`SELECT current_setting('${s}') AS v`)).rows[0].v;
  }
  const want = new Set(cfg.engines);
  const engines = [];

  // cloudtrail_fdw (database postgres)
  let fdwConn = null;
  if (want.has('cloudtrail_fdw') || cfg.fdwParallel.length) {
    await admin.client.query('DROP EXTENSION IF EXISTS cloudtrail_fdw CASCADE');
    await admin.client.query('CREATE EXTENSION cloudtrail_fdw');
    await admin.client.query(`CREATE SERVER trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root ${admin.client.escapeLiteral(cfg.mirror)})`);
    await admin.client.query('IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER trail INTO public');
    fdwConn = await pgConnect('postgres');
    // BENCH_FDW_SETUP_SQL: run once on every cloudtrail_fdw connection before the rounds (e.g.
    // SELECT * FROM cloudtrail_fdw.refresh_index('cloudtrail_logs'), SET cloudtrail_fdw.enable_index = off)
    const fdwSetup = cfg.fdwSetupSql ? [cfg.fdwSetupSql] : [];
    if (fdwSetup.length) log(`cloudtrail_fdw setup: ${cfg.fdwSetupSql}`);
    if (want.has('cloudtrail_fdw')) {
      const e = pgEngine('cloudtrail_fdw', fdwConn, { setup: fdwSetup });
      await e.init();
      engines.push(e);
    }
    for (const p of cfg.fdwParallel) {
      const c = await pgConnect('postgres');
      const e = pgEngine(`cloudtrail_fdw_par${p}`, c, { setup: [...fdwSetup, `SET max_parallel_workers_per_gather = ${Number(p)}`] });
      await e.init();
      engines.push(e);
    }
  }

  // parameters
  let maxEvent = manifest?.max_event_time;
  if (!maxEvent) {
    if (!fdwConn) throw new Error('no .bench-manifest.json in the mirror and no cloudtrail_fdw engine to compute max(eventtime)');
    const v = (await fdwConn.client.query(`SELECT to_char(max(eventtime) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS m FROM cloudtrail_logs`)).rows[0].m;
    maxEvent = v;
  }
  const params = {};
  for (const [k, p] of Object.entries(spec.params || {})) {
    if (p.from !== 'max_event_time') throw new Error(`parameter ${k}: unknown source ${p.from}`);
    let t = Date.parse(maxEvent) - (p.minus_seconds || 0) * 1000;
    if (p.trunc === 'day') t -= t % 86400000;
    t += (p.offset_seconds || 0) * 1000;
    params[k] = isoZ(t);
  }
  const queries = prepareQueries(spec, params);
  log(`parameters: ${JSON.stringify(params)}`);

  // duckdb
  let duck = null;
  if (want.has('duckdb')) {
    duck = await openDuckDB(cfg.mirror, { threads: cfg.duckdbThreads });
    engines.push(duckEngine(duck));
  }

  // pg_copy
  let load = null;
  if (want.has('pg_copy')) {
    log('pg_copy: loading the mirror into ct_jsonb ...');
    const r = await loadPgCopy(admin);
    load = r.load;
    log(`pg_copy: loaded ${load.records} records in ${load.total_s} s`);
    const e = pgEngine('pg_copy', r.conn);
    const origRun = e.run;
    e.run = (sql, q, o) => origRun(q.pgCopySql, q, o);
    engines.push(e);
  }
  if (want.has('jq')) engines.push(jqEngine());
  if (want.has('zlib_floor_1t')) engines.push(floorEngine(1));
  if (want.has('zlib_floor_2t')) engines.push(floorEngine(2));
  if (want.has('libdeflate_floor_1t')) engines.push(floorEngine(1, 'libdeflate'));

  const engineNames = engines.map((e) => e.name);
  const mach = machine({
    postgres: pgVersion.replace(/ on .*/, ''), pg_settings: settings,
    duckdb: duck?.version, duckdb_threads: duck?.threads, duckdb_memory_limit: duck?.memoryLimit,
    busy_at_start: busyProcesses(), busy_during: [],
  });
  if (mach.busy_at_start.length) log(`WARNING: busy processes: ${mach.busy_at_start.join(', ')}`);

  // results[q][engine]
  const results = Object.fromEntries(queries.map((q) => [q.id, Object.fromEntries(engineNames.map((n) => [n, { times_ms: [], rows: null }]))]));
  const checks = Object.fromEntries(queries.map((q) => [q.id, {}]));
  const totalRounds = cfg.warmup + cfg.rounds;
  for (let round = 0; round < totalRounds; round++) {
    const warm = round < cfg.warmup;
    log(`round ${round + 1}/${totalRounds}${warm ? ' (warm-up)' : ''}`);
    const busy = busyProcesses();
    if (busy.length) {
      mach.busy_during.push({ round: round + 1, processes: busy });
      log(`WARNING: other processes busy: ${busy.join(', ')}`);
    }
    for (const q of queries) {
      const order = engines.map((_, i) => engines[(i + round) % engines.length]);
      for (const e of order) {
        const isJq = e.name === 'jq';
        if (isJq) {
          // jq: its own (smaller) number of rounds, by default no warm-up; the last ones
          const jqFirst = totalRounds - cfg.jqRounds - cfg.jqWarmup;
          if (round < Math.max(jqFirst, 0)) continue;
        }
        const slot = results[q.id][e.name];
        if (slot.error) continue;
        const sql = e.name === 'duckdb' ? q.duckdbSql : q.sql;
        let res;
        try {
          res = await e.run(sql, q, { sampleWorkers: round === 0 });
        } catch (err) {
          slot.error = String(err.message || err).slice(0, 500);
          log(`  ${q.id} ${e.name}: ERROR ${slot.error}`);
          checks[q.id][e.name] = { error: true };
          continue;
        }
        if (res === null) continue; // n/a
        const timed = isJq ? round >= totalRounds - cfg.jqRounds : !warm;
        if (timed) slot.times_ms.push(res.ms);
        slot.rows = res.rowCount;
        if (res.floor) slot.floor = { files: res.floor.files, compressed_bytes: res.floor.compressed_bytes, inflated_bytes: res.floor.inflated_bytes };
        if (res.mem) {
          if (!slot.mem || res.mem.peak_kb > slot.mem.peak_kb) slot.mem = { ...res.mem, ...(slot.mem?.workers_seen !== undefined ? { workers_seen: slot.mem.workers_seen, worker_peak_max_kb: slot.mem.worker_peak_max_kb, worker_peak_sum_kb: slot.mem.worker_peak_sum_kb } : {}) };
        }
        if (res.workers && slot.mem) Object.assign(slot.mem, res.workers);
        if (slot.rowsSeen && slot.rowsSeen !== res.rowCount) slot.unstable = true;
        slot.rowsSeen = res.rowCount;
        // the result check: on the first run of each engine
        if (!checks[q.id][e.name]) checks[q.id][e.name] = checkOf(res, q);
        const wk = res.workers?.workers_seen ? `, ${res.workers.workers_seen} workers max ${(res.workers.worker_peak_max_kb / 1024).toFixed(0)} MB` : '';
        log(`  ${q.id} ${e.name.padEnd(19)} ${fmtS(res.ms).padStart(8)} s  rows ${res.rowCount ?? '-'}${res.mem ? `  peak RSS ${(res.mem.peak_kb / 1024).toFixed(0)} MB${wk}` : ''}${timed ? '' : '  (untimed)'}`);
      }
    }
  }

  // compare
  const refOrder = ['pg_copy', 'duckdb', 'cloudtrail_fdw', 'jq'];
  const mismatches = [];
  const outQueries = queries.map((q) => {
    const c = compareQuery(q, checks[q.id], refOrder);
    mismatches.push(...c.mismatches);
    for (const [e, s] of Object.entries(c.status)) results[q.id][e].check = s;
    for (const e of engineNames) {
      const s = results[q.id][e];
      s.median_ms = s.times_ms.length ? +median(s.times_ms).toFixed(3) : null;
      s.min_ms = s.times_ms.length ? +Math.min(...s.times_ms).toFixed(3) : null;
      s.checksum = checks[q.id][e]?.hash ?? null;
      delete s.rowsSeen;
    }
    for (const e of engineNames) if (results[q.id][e].unstable) c.status[e] = `${c.status[e] || ''} UNSTABLE ROW COUNT`.trim();
    const bad = Object.entries(c.status).filter(([, s]) => !s.startsWith('ok'));
    const ties = Object.entries(c.status).filter(([, s]) => s === 'ok (ties)').map(([e]) => e);
    const check = bad.length ? bad.map(([e, s]) => `${s}: ${e}`).join('; ') : ties.length ? `ok (ties: ${ties.join(', ')})` : 'ok';
    return { id: q.id, name: q.name, ...(q.source ? { source: q.source } : {}), sql: q.sql, duckdb_sql: q.duckdbSql, pg_copy_sql: q.pgCopySql, jq: q.jqCmd,
      floor_files: q.floorFiles?.length ?? null, check, engines: results[q.id] };
  });
  mach.loadavg_end = os.loadavg().map((x) => +x.toFixed(2));
  const R = {
    started, finished: new Date().toISOString(), run_seconds: Math.round((Date.now() - t00) / 1000),
    command: cfg.command,
    config: { rounds: cfg.rounds, warmup: cfg.warmup, jqRounds: cfg.jqRounds, jqWarmup: cfg.jqWarmup,
      queries_file: cfg.queriesFile, summary: !!spec.summary, engines: engineNames, fdw_parallel: cfg.fdwParallel, only: cfg.only,
      knobs: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_COMMAND')) },
    machine: mach,
    mirror: { root: cfg.mirror, manifest },
    params, load, engines: engineNames, queries: outQueries, mismatches,
    timing_note: 'cloudtrail_fdw, pg_copy: node-postgres, one connection each, rows fetched as text (no type parsing) and timed from send to the last row; duckdb: @duckdb/node-api runAndReadAll, every row materialised in the client; jq: the whole shell pipeline; zlib floor: time reported by inflate_floor.',
  };
  fs.mkdirSync(cfg.resultsDir, { recursive: true });
  const stamp = started.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = path.join(cfg.resultsDir, stamp);
  fs.writeFileSync(`${base}.json`, JSON.stringify(R, null, 1));
  const md = markdown(R);
  fs.writeFileSync(`${base}.md`, md + '\n');
  fs.writeFileSync(`${base}.dat`, gnuplotData(R));
  fs.writeFileSync(path.join(cfg.resultsDir, 'latest'), stamp + '\n');
  console.log(md);
  log(`wrote ${base}.json`);
  await admin.client.end();
  for (const e of engines) if (e.name.startsWith('cloudtrail_fdw') || e.name === 'pg_copy') { /* connections end with the process */ }
  duck?.close();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Memory test: backend peak RSS growth while scanning ONE big file.

async function memtest() {
  const manifest = loadManifest();
  const admin = await pgConnect('postgres');
  await admin.client.query('DROP EXTENSION IF EXISTS cloudtrail_fdw CASCADE');
  await admin.client.query('CREATE EXTENSION cloudtrail_fdw');
  await admin.client.query(`CREATE SERVER trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root ${admin.client.escapeLiteral(cfg.mirror)})`);
  await admin.client.query('IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER trail INTO public');
  const c = await pgConnect('postgres');
  const fresh = procStatus(c.pid);
  // load the library and the catalogs first, so the baseline includes them
  await c.client.query('EXPLAIN SELECT count(*), max(eventtime) FROM cloudtrail_logs');
  const sql = env.BENCH_MEMTEST_SQL || 'SELECT count(*), max(eventtime) FROM cloudtrail_logs';
  const runs = [];
  // serial first (the one backend does everything), then the server default (parallel workers
  // allowed; their peaks are sampled too), then serial again
  const modes = ['SET max_parallel_workers_per_gather = 0', 'RESET max_parallel_workers_per_gather',
    'SET max_parallel_workers_per_gather = 0'];
  for (let i = 0; i < modes.length; i++) {
    await c.client.query(modes[i]);
    const base = procStatus(c.pid);
    const reset = resetPeak(c.pid);
    const base2 = procStatus(c.pid);
    let maxRss = 0;
    const sampler = setInterval(() => { const s = procStatus(c.pid); if (s && s.VmRSS > maxRss) maxRss = s.VmRSS; }, 20);
    const stopWorkers = procSampler(c.pid);
    const t0 = process.hrtime.bigint();
    const res = await c.client.query({ text: sql, rowMode: 'array', types: rawTypes });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    clearInterval(sampler);
    const workers = stopWorkers();
    const after = procStatus(c.pid);
    const baseline = reset ? base2.VmHWM : base.VmRSS;
    runs.push({ run: i + 1, setting: modes[i], seconds: +(ms / 1000).toFixed(3), result: res.rows[0], peak_reset: reset, ...workers,
      baseline_rss_kb: baseline, peak_kb: after.VmHWM, sampled_max_rss_kb: maxRss, rss_after_kb: after.VmRSS,
      growth_kb: after.VmHWM - baseline, anon_before_kb: base.RssAnon, anon_after_kb: after.RssAnon,
      file_before_kb: base.RssFile, file_after_kb: after.RssFile });
    log(`memtest run ${i + 1}: ${(ms / 1000).toFixed(2)} s, result ${JSON.stringify(res.rows[0])}, baseline ${(baseline / 1024).toFixed(1)} MB, peak ${(after.VmHWM / 1024).toFixed(1)} MB, growth ${((after.VmHWM - baseline) / 1024).toFixed(1)} MB`);
  }
  const growthMb = Math.max(...runs.map((r) => r.growth_kb)) / 1024;
  const out = { started: new Date().toISOString(), mirror: cfg.mirror, manifest, sql, fresh_backend: fresh, runs,
    max_growth_mb: +growthMb.toFixed(1), target_mb: 64, pass: growthMb < 64, machine: machine({}) };
  fs.mkdirSync(cfg.resultsDir, { recursive: true });
  const f = path.join(cfg.resultsDir, `memtest-${out.started.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`);
  fs.writeFileSync(f, JSON.stringify(out, null, 1));
  const file = manifest ? `${manifest.file} (${(manifest.json_bytes / 1e6).toFixed(0)} MB JSON, ${(manifest.gz_bytes / 1e6).toFixed(0)} MB gzip, ${manifest.records} records)` : cfg.mirror;
  console.log(`memtest: ${sql} over ONE file ${file}`);
  console.log(`  a fresh backend: RSS ${(fresh.VmRSS / 1024).toFixed(1)} MB (anon ${(fresh.RssAnon / 1024).toFixed(1)} MB, file-backed ${(fresh.RssFile / 1024).toFixed(1)} MB); after EXPLAIN (extension, catalogs and, with jit on, LLVM loaded) it is the "before" below`);
  for (const r of runs) console.log(`  run ${r.run} (${r.setting}): ${r.seconds} s, backend RSS before ${(r.baseline_rss_kb / 1024).toFixed(1)} MB, peak (VmHWM) ${(r.peak_kb / 1024).toFixed(1)} MB, growth ${(r.growth_kb / 1024).toFixed(1)} MB (anon RSS ${(r.anon_before_kb / 1024).toFixed(1)} -> ${(r.anon_after_kb / 1024).toFixed(1)} MB, file-backed ${(r.file_before_kb / 1024).toFixed(1)} -> ${(r.file_after_kb / 1024).toFixed(1)} MB)${r.workers_seen ? `; ${r.workers_seen} parallel workers, peak RSS at most ${(r.worker_peak_max_kb / 1024).toFixed(1)} MB each` : '; no parallel worker'}`);
  console.log(`  max growth ${growthMb.toFixed(1)} MB: ${out.pass ? 'PASS' : 'FAIL'} (target < 64 MB); ${f}`);
  await c.client.end();
  await admin.client.end();
  process.exit(out.pass ? 0 : 1);
}

// Re-renders the markdown table (and the gnuplot data) of a results JSON file.
async function render() {
  const f = process.argv[process.argv.indexOf('--render') + 1];
  const R = JSON.parse(fs.readFileSync(f, 'utf8'));
  const base = f.replace(/\.json$/, '');
  fs.writeFileSync(`${base}.md`, markdown(R) + '\n');
  fs.writeFileSync(`${base}.dat`, gnuplotData(R));
  console.log(markdown(R));
}

const main = process.argv.includes('--memtest') ? memtest : process.argv.includes('--render') ? render : bench;
main().catch((e) => { console.error(e); process.exit(2); });
