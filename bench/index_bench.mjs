// The scale benchmark of the persistent index (issue 13), run by bench/index_bench.sh inside
// pg_virtualenv (PGHOST/PGPORT/PGUSER/PGPASSWORD set).  On an organisation-shaped mirror made by
// gen_mirror.py (--org ... --needles --hold-back-days 1), in ONE run: planning and run times of a
// one-day count, the needles, a sorted LIMIT query, index on and off (and DuckDB on the needles),
// the first build, a refresh with nothing new and one after a new day, the index's size, and the
// memory (backend, parallel workers, dynamic shared memory) of a parallel whole-archive scan.
// Prints a markdown table with each figure, its target from the issue and pass/miss; writes
// results/index-<timestamp>.{json,md}.
import pg from 'pg';
import { procStatus, resetPeak, sampler } from './proc.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const num = (v, d) => (v === undefined || v === '' ? d : Number(v));
const cfg = {
  mirror: path.resolve(env.BENCH_MIRROR || '/srv/ct-org'),
  rounds: num(env.BENCH_ROUNDS, 5),
  offRounds: num(env.BENCH_OFF_ROUNDS, num(env.BENCH_ROUNDS, 5)),
  buildRounds: num(env.BENCH_BUILD_ROUNDS, 3),
  duckdbRounds: num(env.BENCH_DUCKDB_ROUNDS, 1),
  day: env.BENCH_DAY || null,
  resultsDir: path.resolve(env.BENCH_RESULTS || path.join(BENCH, 'results')),
  statFloor: env.BENCH_STAT_FLOOR || path.join(BENCH, 'stat_floor'),
  commit: env.BENCH_COMMIT || 'unknown',
  command: env.BENCH_COMMAND || process.argv.join(' '),
  timeoutSec: num(env.BENCH_TIMEOUT, 1800),
};
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const median = (xs) => {
  const s = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const rawTypes = { getTypeParser: () => (v) => v };
const now = () => process.hrtime.bigint();
const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

let C; // the connection
let PID;
async function sql(text) {
  return C.query({ text, rowMode: 'array', types: rawTypes });
}
async function setIndex(on) {
  await sql(`SET cloudtrail_fdw.enable_index = ${on ? 'on' : 'off'}`);
}
async function timed(text) {
  const t0 = now();
  const r = await sql(text);
  return { ms: msSince(t0), rows: r.rows };
}
function findNode(plan, type) {
  if (plan['Node Type'] === type) return plan;
  for (const p of plan.Plans || []) {
    const x = findNode(p, type);
    if (x) return x;
  }
  return null;
}
async function explain(text, analyze) {
  const r = await sql(`EXPLAIN (${analyze ? 'ANALYZE, ' : ''}SUMMARY, FORMAT JSON) ${text}`);
  const j = JSON.parse(r.rows[0][0])[0];
  const fs_ = findNode(j.Plan, 'Foreign Scan') || {};
  const keys = ['Partitions', 'Partitions Total', 'Files', 'Files Listed', 'Files in Index', 'Files Skipped by Index',
    'Files Skipped by Digests', 'Partitions Read', 'Files Read', 'Records', 'Files Skipped by Index at Run Time',
    'Unindexed Files', 'Stale Index Entries', 'Bytes Read'];
  const scan = Object.fromEntries(keys.filter((k) => k in fs_).map((k) => [k, fs_[k]]));
  return {
    planning_ms: j['Planning Time'], execution_ms: j['Execution Time'] ?? null,
    jit: j.JIT ? { functions: j.JIT.Functions, total_ms: j.JIT.Timing?.Total ?? null } : null,
    workers_launched: findNode(j.Plan, 'Gather')?.['Workers Launched'] ?? findNode(j.Plan, 'Gather Merge')?.['Workers Launched'] ?? null,
    scan,
  };
}
const TS_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.0+)?(?:Z|[+]00(?::?00)?)$/;
const canonRow = (r) => r.map((v) => (v === null ? '\\N' : TS_RE.test(String(v)) ? String(v).replace(TS_RE, '$1T$2Z') : String(v))).join(' | ');
const canon = (rows) => rows.map(canonRow).sort();

// ---------------------------------------------------------------------------------------------
// The held-back day(s): moved in as new days, and out again.

function dayDirs(base, days) {
  // every YYYY/MM/DD folder under base whose date is in days
  const out = [];
  const want = new Set(days);
  const walk = (rel, depth) => {
    if (depth > 10) return;
    let ents;
    try { ents = fs.readdirSync(path.join(base, rel), { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      if (!e.isDirectory()) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      const m = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})$/.exec(r);
      if (m) {
        if (want.has(`${m[1]}-${m[2]}-${m[3]}`)) out.push(r);
        continue;
      }
      walk(r, depth + 1);
    }
  };
  walk('', 0);
  return out.sort();
}
function moveDays(from, to, rels) {
  for (const r of rels) {
    fs.mkdirSync(path.dirname(path.join(to, r)), { recursive: true });
    fs.renameSync(path.join(from, r), path.join(to, r));
  }
}

// ---------------------------------------------------------------------------------------------

function fmt(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return 'n/a';
  const s = ms / 1000;
  return s >= 100 ? `${s.toFixed(0)} s` : s >= 1 ? `${s.toFixed(2)} s` : s >= 0.1 ? `${s.toFixed(3)} s` : `${(ms).toFixed(1)} ms`;
}
const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;

async function main() {
  const t00 = Date.now();
  const started = new Date().toISOString();
  const man = JSON.parse(fs.readFileSync(path.join(cfg.mirror, '.bench-manifest.json'), 'utf8'));
  const heldDir = path.join(cfg.mirror, man.held_back?.dir || '.held-back');
  const heldDays = man.held_back?.days || [];
  // a run that died with the held-back day moved in: move it out first
  if (heldDays.length) {
    const inMirror = dayDirs(path.join(cfg.mirror), heldDays).filter((r) => r.startsWith('AWSLogs/'));
    if (inMirror.length) {
      log(`moving ${inMirror.length} held-back day folders out of the mirror (left by an earlier run)`);
      moveDays(cfg.mirror, heldDir, inMirror);
    }
  }
  const heldRels = heldDays.length ? dayDirs(heldDir, heldDays) : [];
  log(`mirror ${cfg.mirror}: ${man.files} files, ${man.records} records, ${mb(man.gz_bytes)} gzip; held back: ${heldRels.length} day folders, ${man.held_back?.files ?? 0} files`);

  C = new pg.Client({ database: 'postgres', application_name: 'ct-index-bench' });
  await C.connect();
  await sql(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET statement_timeout = '${cfg.timeoutSec}s'`);
  PID = Number((await sql('SELECT pg_backend_pid()')).rows[0][0]);
  await sql('DROP EXTENSION IF EXISTS cloudtrail_fdw CASCADE');
  await sql('CREATE EXTENSION cloudtrail_fdw');
  await sql(`CREATE SERVER trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root ${lit(cfg.mirror)}${env.BENCH_SERVER_OPTIONS ? `, ${env.BENCH_SERVER_OPTIONS}` : ''})`);
  await sql('IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER trail INTO public');
  const settings = {};
  for (const s of ['server_version', 'shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit', 'dynamic_shared_memory_type', 'data_directory']) {
    settings[s] = (await sql(`SELECT current_setting('${s}')`)).rows[0][0];
  }
  const R = { started, commit: cfg.commit, command: cfg.command, config: cfg, settings, manifest: { ...man, event_days: undefined, accounts: man.accounts?.length }, steps: {} };

  // the day: the middle of the range of live days
  const days = Object.keys(man.event_days).sort();
  const liveDays = days.filter((d) => !heldDays.includes(d) && d >= man.params.start);
  const day = cfg.day || liveDays[Math.floor(liveDays.length / 2)];
  const dayNext = new Date(Date.parse(`${day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
  const dayFiles = man.event_days[day].files;
  const dayRecords = man.event_days[day].records;
  const Q = {
    day: `SELECT count(*) FROM cloudtrail_logs WHERE eventtime >= '${day}' AND eventtime < '${dayNext}'`,
    all: 'SELECT count(*) FROM cloudtrail_logs',
    console: `SELECT eventtime, eventid, account_id, region FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' ORDER BY eventtime DESC LIMIT 10`,
  };
  const NEEDLE_SQL = {
    accessKeyId: (v) => `useridentity->>'accessKeyId' = ${lit(v)}`,
    sourceIPAddress: (v) => `sourceipaddress = ${lit(v)}`,
    userName: (v) => `useridentity->>'userName' = ${lit(v)}`,
  };
  const needles = (man.needles || []).map((n) => ({
    ...n, sql: `SELECT eventid, eventtime, log_file FROM cloudtrail_logs WHERE ${NEEDLE_SQL[n.kind](n.value)}`,
  }));
  log(`day ${day}: ${dayFiles} files hold its ${dayRecords} records; needles: ${needles.map((n) => `${n.kind}=${n.value}`).join(', ')}`);

  // ---- warm-up: the page cache, the catalogs (not timed) ----------------------------------
  await setIndex(false);
  log('warm-up: count(*) of the whole mirror, index off');
  let t = await timed(Q.all);
  log(`  ${fmt(t.ms)}: ${t.rows[0][0]} records`);
  R.steps.total_records = Number(t.rows[0][0]);

  // ---- parallel count(*) of the whole mirror, index off: the yardstick of the first build ----
  const countOff = [];
  for (let i = 0; i < cfg.rounds; i++) countOff.push((await timed(Q.all)).ms);
  R.steps.count_all_off = { times_ms: countOff, median_ms: median(countOff), explain: await explain(Q.all, true) };
  log(`count(*) whole mirror, index off, parallel: median ${fmt(median(countOff))} (${countOff.map((x) => fmt(x)).join(', ')})`);

  // ---- the first build --------------------------------------------------------------------
  const build = [];
  let buildRow = null;
  let indexFile = null;
  for (let i = 0; i < cfg.buildRounds; i++) {
    if (indexFile) fs.rmSync(indexFile, { force: true }); // the next round builds from nothing again
    const t0 = now();
    buildRow = (await C.query('SELECT * FROM cloudtrail_fdw.refresh_index(\'cloudtrail_logs\')')).rows[0];
    build.push(msSince(t0));
    if (!indexFile) {
      const f = (await C.query('SELECT index_file FROM cloudtrail_fdw.index_info(\'cloudtrail_logs\')')).rows[0].index_file;
      indexFile = path.isAbsolute(f) ? f : path.join(settings.data_directory, f);
    }
    log(`first build ${i + 1}/${cfg.buildRounds}: ${fmt(build[i])}: ${JSON.stringify(buildRow)}`);
  }
  R.steps.first_build = { times_ms: build, median_ms: median(build), result: buildRow };
  const info = (await C.query('SELECT * FROM cloudtrail_fdw.index_info(\'cloudtrail_logs\')')).rows[0];
  R.steps.index_info = info;
  log(`index_info: ${JSON.stringify(info)}`);

  // ---- a refresh with nothing new ---------------------------------------------------------
  const noop = [];
  let noopRow = null;
  let rewritten = 0;
  for (let i = 0; i < cfg.rounds; i++) {
    const st0 = fs.statSync(indexFile);
    const t0 = now();
    noopRow = (await C.query('SELECT * FROM cloudtrail_fdw.refresh_index(\'cloudtrail_logs\')')).rows[0];
    noop.push(msSince(t0));
    const st1 = fs.statSync(indexFile);
    if (st1.ino !== st0.ino || st1.mtimeMs !== st0.mtimeMs) rewritten++;
  }
  R.steps.refresh_nothing_new = { times_ms: noop, median_ms: median(noop), result: noopRow, index_file_rewritten: rewritten };
  log(`refresh, nothing new: median ${fmt(median(noop))}: ${JSON.stringify(noopRow)}`);

  // ---- planning: one day, whole archive, index on and off ------------------------------------
  const plan = { day: { on: [], off: [] }, all: { on: [], off: [] }, needle: { on: [], off: [] } };
  const planSql = { day: Q.day, all: Q.all, needle: needles[0]?.sql };
  for (let i = 0; i < cfg.rounds; i++) {
    for (const on of i % 2 ? [false, true] : [true, false]) {
      await setIndex(on);
      for (const k of Object.keys(plan)) {
        if (!planSql[k]) continue;
        plan[k][on ? 'on' : 'off'].push((await explain(planSql[k], false)).planning_ms);
      }
    }
  }
  R.steps.planning = Object.fromEntries(Object.entries(plan).map(([k, v]) => [k, {
    sql: planSql[k], on_ms: v.on, off_ms: v.off, on_median_ms: median(v.on), off_median_ms: median(v.off) }]));
  for (const [k, v] of Object.entries(R.steps.planning)) log(`planning ${k}: on ${fmt(v.on_median_ms)}, off ${fmt(v.off_median_ms)}`);

  // ---- queries, index on and off (interleaved), with EXPLAIN ANALYZE once each ---------------
  const queries = [
    { id: 'day', sql: Q.day },
    ...needles.map((n) => ({ id: `needle_${n.kind}`, sql: n.sql, needle: n })),
    { id: 'console', sql: Q.console },
  ];
  const res = {};
  for (const q of queries) {
    res[q.id] = { sql: q.sql, on: { times_ms: [] }, off: { times_ms: [] } };
    for (const on of [true, false]) {
      await setIndex(on);
      const ex = await explain(q.sql, true);
      const first = await timed(q.sql); // untimed warm-up; its rows are the answer
      Object.assign(res[q.id][on ? 'on' : 'off'], { explain: ex, rows: canon(first.rows) });
    }
  }
  for (let i = 0; i < cfg.rounds; i++) {
    for (const q of queries) {
      for (const on of i % 2 ? [false, true] : [true, false]) {
        if (!on && i >= cfg.offRounds) continue; // the index-off answer is the warm-up's
        await setIndex(on);
        res[q.id][on ? 'on' : 'off'].times_ms.push((await timed(q.sql)).ms);
      }
    }
  }
  for (const q of queries) {
    for (const k of ['on', 'off']) res[q.id][k].median_ms = median(res[q.id][k].times_ms);
    const r = res[q.id];
    r.same = JSON.stringify(r.on.rows) === JSON.stringify(r.off.rows);
    if (q.needle) {
      const want = canon([[q.needle.eventID, q.needle.eventTime, q.needle.log_file]]);
      r.expected = want;
      r.matches_manifest = JSON.stringify(r.on.rows) === JSON.stringify(want);
    }
    if (q.id === 'day') r.matches_manifest = r.on.rows.length === 1 && Number(r.on.rows[0]) === dayRecords;
    log(`${q.id}: on ${fmt(r.on.median_ms)} (planning ${fmt(r.on.explain.planning_ms)}, files read ${r.on.explain.scan['Files Read']}), off ${fmt(r.off.median_ms)} (planning ${fmt(r.off.explain.planning_ms)}, files read ${r.off.explain.scan['Files Read']}); on = off: ${r.same}${r.matches_manifest !== undefined ? `; as the manifest says: ${r.matches_manifest}` : ''}`);
  }
  R.steps.queries = res;

  // ---- the same with index_check 'folders' (trust an unchanged day folder: no stat() a file) ----
  if (env.BENCH_INDEX_CHECK_FOLDERS !== '0') {
    try {
      await sql(`ALTER SERVER trail OPTIONS (ADD index_check 'folders')`);
      await setIndex(true);
      const v = {};
      const vq = [...queries, { id: 'plan_all', sql: Q.all, planOnly: true }, { id: 'plan_day', sql: Q.day, planOnly: true }];
      for (const q of vq) {
        v[q.id] = { sql: q.sql, times_ms: [] };
        if (!q.planOnly) {
          v[q.id].explain = await explain(q.sql, true);
          v[q.id].rows = canon((await timed(q.sql)).rows);
          v[q.id].same = JSON.stringify(v[q.id].rows) === JSON.stringify(res[q.id].off.rows);
        }
      }
      for (let i = 0; i < cfg.rounds; i++) {
        for (const q of vq) v[q.id].times_ms.push(q.planOnly ? (await explain(q.sql, false)).planning_ms : (await timed(q.sql)).ms);
      }
      for (const q of vq) v[q.id].median_ms = median(v[q.id].times_ms);
      R.steps.index_check_folders = v;
      for (const q of vq) log(`index_check 'folders': ${q.id} ${fmt(v[q.id].median_ms)}${v[q.id].explain ? ` (planning ${fmt(v[q.id].explain.planning_ms)}, files read ${v[q.id].explain.scan['Files Read']}, = index off: ${v[q.id].same})` : ''}`);
      await sql(`ALTER SERVER trail OPTIONS (DROP index_check)`);
    } catch (e) {
      log(`index_check 'folders' not measured: ${e.message}`);
      R.steps.index_check_folders = { error: String(e.message || e) };
    }
  }

  // ---- stat() of every file: the floor of a needle query that checks each file it skips ------
  {
    const all = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = `${d}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.json.gz')) all.push(p);
      }
    };
    walk(path.join(cfg.mirror, 'AWSLogs'));
    try {
      const out = execFileSync(cfg.statFloor, [String(cfg.rounds)], { input: all.join('\n') + '\n', encoding: 'utf8' });
      R.steps.stat_floor = JSON.parse(out);
      log(`stat() of every file (${all.length}): ${fmt(R.steps.stat_floor.seconds * 1000)} (${R.steps.stat_floor.us_per_file} µs a file)`);
    } catch (e) {
      log(`stat_floor failed: ${e.message}`);
    }
  }

  // ---- DuckDB on the needles ------------------------------------------------------------------
  if (env.BENCH_SKIP_DUCKDB !== '1' && needles.length) {
    try {
      const { openDuckDB } = await import('./duckdb.mjs');
      const t0 = now();
      const db = await openDuckDB(cfg.mirror, { threads: env.BENCH_DUCKDB_THREADS ? Number(env.BENCH_DUCKDB_THREADS) : undefined });
      R.steps.duckdb = { version: db.version, threads: db.threads, open_ms: msSince(t0), needles: {} };
      for (const n of needles) {
        const times = [];
        let rows = null;
        for (let i = 0; i < cfg.duckdbRounds; i++) {
          const t1 = now();
          const reader = await db.run(n.sql.replace('SELECT eventid, eventtime, log_file', "SELECT eventid, strftime(eventtime AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), log_file"));
          times.push(msSince(t1));
          rows = reader.getRowsJson();
        }
        R.steps.duckdb.needles[n.kind] = { times_ms: times, median_ms: median(times), rows: canon(rows) };
        log(`duckdb needle ${n.kind}: ${fmt(median(times))}, ${rows.length} rows`);
      }
      db.close();
    } catch (e) {
      log(`DuckDB failed: ${e.stack || e}`);
      R.steps.duckdb = { error: String(e.message || e) };
    }
  }

  // ---- memory of a parallel scan: whole archive and one day, index on and off ----------------
  R.steps.memory = {};
  for (const [name, q] of [['all', Q.all], ['day', Q.day]]) {
    for (const on of [true, false]) {
      await setIndex(on);
      await sql(q); // the extension, catalogs and JIT (if any) are loaded before the RSS is taken
      const files = (await explain(q, false)).scan.Files;
      const before = procStatus(PID);
      const reset = resetPeak(PID);
      const stop = sampler(PID);
      const t0 = now();
      await sql(q);
      const ms = msSince(t0);
      const smp = stop();
      const after = procStatus(PID);
      const m = { ms, files, rss_before_kb: before.VmRSS, peak_kb: after.VmHWM, growth_kb: after.VmHWM - before.VmRSS, peak_reset: reset,
        anon_before_kb: before.RssAnon, anon_after_kb: after.RssAnon, file_before_kb: before.RssFile, file_after_kb: after.RssFile,
        shmem_before_kb: before.RssShmem, shmem_after_kb: after.RssShmem, ...smp };
      m.anon_growth_kb = Math.max(0, (smp.leader_anon_peak_kb || 0) - before.RssAnon);
      R.steps.memory[`${name}_${on ? 'on' : 'off'}`] = m;
      log(`memory ${name} index ${on ? 'on' : 'off'}: leader peak ${(m.peak_kb / 1024).toFixed(1)} MB (growth ${(m.growth_kb / 1024).toFixed(1)} MB), ${m.workers_seen} workers ≤ ${((m.worker_peak_max_kb || 0) / 1024).toFixed(1)} MB, new DSM ${mb(m.dsm_peak_bytes)} (largest segment ${mb(m.dsm_largest_segment_bytes)}); private (anon) peaks: leader +${(m.anon_growth_kb / 1024).toFixed(1)} MB, workers ≤ ${((m.worker_anon_peak_max_kb || 0) / 1024).toFixed(1)} MB; ${files} files; RSS after: anon ${(m.anon_after_kb / 1024).toFixed(1)} MB (before ${(m.anon_before_kb / 1024).toFixed(1)}), file-backed ${(m.file_after_kb / 1024).toFixed(1)} MB (before ${(m.file_before_kb / 1024).toFixed(1)})`);
    }
  }
  // a whole-archive count with the index on: the index must not make it slower
  {
    const on = [];
    const off = [];
    for (let i = 0; i < cfg.rounds; i++) {
      for (const x of i % 2 ? [false, true] : [true, false]) {
        await setIndex(x);
        (x ? on : off).push((await timed(Q.all)).ms);
      }
    }
    R.steps.count_all = { on_ms: on, off_ms: off, on_median_ms: median(on), off_median_ms: median(off) };
    log(`count(*) whole mirror: on ${fmt(median(on))}, off ${fmt(median(off))}`);
  }

  // ---- one more day: the held-back day moved in, refreshed, moved out again ----------------
  if (heldRels.length) {
    await setIndex(true);
    const add = [];
    let addRow = null;
    let check = null;
    try {
      for (let i = 0; i < cfg.rounds; i++) {
        moveDays(heldDir, cfg.mirror, heldRels);
        const t0 = now();
        addRow = (await C.query('SELECT * FROM cloudtrail_fdw.refresh_index(\'cloudtrail_logs\')')).rows[0];
        add.push(msSince(t0));
        if (i === 0) {
          // the new day answers through the index as without it
          const hd = heldDays[0];
          const hn = new Date(Date.parse(`${hd}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
          const qq = `SELECT count(*) FROM cloudtrail_logs WHERE eventtime >= '${hd}' AND eventtime < '${hn}'`;
          const a = (await timed(qq)).rows[0][0];
          const ex = await explain(qq, true);
          await setIndex(false);
          const b = (await timed(qq)).rows[0][0];
          await setIndex(true);
          check = { sql: qq, on: Number(a), off: Number(b), expected: man.held_back.event_days[hd]?.records, expected_files: man.held_back.event_days[hd]?.files, explain_on: ex };
          log(`new day ${hd}: count on ${a}, off ${b}, manifest ${check.expected}; files read ${ex.scan['Files Read']}`);
        }
        moveDays(cfg.mirror, heldDir, heldRels);
        await C.query('SELECT * FROM cloudtrail_fdw.refresh_index(\'cloudtrail_logs\')'); // forgets it again
        log(`refresh after one more day ${i + 1}/${cfg.rounds}: ${fmt(add[i])}: ${JSON.stringify(addRow)}`);
      }
    } finally {
      if (fs.existsSync(path.join(cfg.mirror, heldRels[0]))) moveDays(cfg.mirror, heldDir, heldRels);
    }
    R.steps.refresh_new_day = { times_ms: add, median_ms: median(add), result: addRow, check, held_files: man.held_back.files };
  }

  R.machine = {
    cpu: (() => { try { return execFileSync('sh', ['-c', "sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1"], { encoding: 'utf8' }).trim(); } catch { return null; } })(),
    cores: os.cpus().length, ram_gib: +(os.totalmem() / 2 ** 30).toFixed(1), kernel: os.release(), node: process.version,
    loadavg_end: os.loadavg().map((x) => +x.toFixed(2)),
  };
  R.run_seconds = Math.round((Date.now() - t00) / 1000);
  await C.end();

  R.meta = { day, dayFiles, dayRecords, needles };
  const md = markdown(R, R.meta);
  fs.mkdirSync(cfg.resultsDir, { recursive: true });
  const stamp = started.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  fs.writeFileSync(path.join(cfg.resultsDir, `index-${stamp}.json`), JSON.stringify(R, null, 1));
  fs.writeFileSync(path.join(cfg.resultsDir, `index-${stamp}.md`), md + '\n');
  console.log(md);
}

function markdown(R, { day, dayFiles, dayRecords, needles }) {
  const S = R.steps;
  const rows = [];
  const pf = (ok) => (ok === null || ok === undefined ? 'n/a' : ok ? 'pass' : '**miss**');
  const add = (what, on, off, target, ok, note = '') => rows.push(`| ${what} | ${on} | ${off} | ${target} | ${pf(ok)} | ${note} |`);
  const P = S.planning;
  add('planning, one-day count', fmt(P.day.on_median_ms), fmt(P.day.off_median_ms), '≤ 20 ms', P.day.on_median_ms <= 20);
  add('planning, whole-archive count', fmt(P.all.on_median_ms), fmt(P.all.off_median_ms), '≤ 50 ms', P.all.on_median_ms <= 50);
  if (P.needle.sql) add('planning, a needle over the archive', fmt(P.needle.on_median_ms), fmt(P.needle.off_median_ms), '≤ 50 ms', P.needle.on_median_ms <= 50);
  const d = S.queries.day;
  const fr = (x) => x.explain.scan['Files Read'];
  add(`one-day count (\`${day}\`), time`, fmt(d.on.median_ms), fmt(d.off.median_ms), '', null,
    `answer ${d.on.rows[0]} (manifest ${dayRecords}): ${d.matches_manifest && d.same ? 'same' : 'DIFFERENT'}; planning on ${fmt(d.on.explain.planning_ms)} / off ${fmt(d.off.explain.planning_ms)}; JIT: on ${d.on.explain.jit ? fmt(d.on.explain.jit.total_ms) : 'none'}, off ${d.off.explain.jit ? fmt(d.off.explain.jit.total_ms) : 'none'}`);
  add('one-day count, files read', fr(d.on), fr(d.off), `only the ${dayFiles} files holding a record of the day`, fr(d.on) <= dayFiles,
    `planning listed ${d.off.explain.scan['Files Listed']} files with the index off; the index skipped ${d.on.explain.scan['Files Skipped by Index'] ?? 0} at planning, ${d.on.explain.scan['Files Skipped by Index at Run Time'] ?? 0} at run time`);
  for (const n of needles) {
    const q = S.queries[`needle_${n.kind}`];
    const dk = S.duckdb?.needles?.[n.kind];
    const ratio = dk?.median_ms ? q.on.median_ms / dk.median_ms : null;
    const sameDuck = dk ? JSON.stringify(dk.rows) === JSON.stringify(q.on.rows) : null;
    const statS = S.stat_floor ? S.stat_floor.us_per_file * (q.on.explain.scan['Files Skipped by Index at Run Time'] ?? 0) / 1000 : null;
    add(`needle \`${n.kind}\` over the archive`, fmt(q.on.median_ms), fmt(q.off.median_ms),
      '≤ 50 ms and ≤ 0.005x DuckDB', q.on.median_ms <= 50 && (ratio === null || ratio <= 0.005),
      `DuckDB ${dk ? fmt(dk.median_ms) : 'n/a'}${ratio !== null ? ` (on/DuckDB ${ratio.toFixed(4)}x)` : ''}; rows ${q.on.rows.length}, on = off: ${q.same}, = DuckDB: ${sameDuck ?? 'n/a'}, = manifest: ${q.matches_manifest}; files read on ${fr(q.on)} / off ${fr(q.off)}; planning on ${fmt(q.on.explain.planning_ms)}, execution on ${fmt(q.on.explain.execution_ms)}; skipped at run time ${q.on.explain.scan['Files Skipped by Index at Run Time'] ?? 0} files (each stat()ed: ~${statS !== null ? fmt(statS) : 'n/a'} of stat() at the measured ${S.stat_floor?.us_per_file ?? '?'} µs); JIT: on ${q.on.explain.jit ? fmt(q.on.explain.jit.total_ms) : 'none'}, off ${q.off.explain.jit ? fmt(q.off.explain.jit.total_ms) : 'none'}`);
  }
  const c = S.queries.console;
  add('`eventname = \'ConsoleLogin\' ORDER BY eventtime DESC LIMIT 10`', fmt(c.on.median_ms), fmt(c.off.median_ms), '≤ index off', c.on.median_ms <= c.off.median_ms,
    `on = off: ${c.same}; planning on ${fmt(c.on.explain.planning_ms)} / off ${fmt(c.off.explain.planning_ms)}; files read on ${fr(c.on)} / off ${fr(c.off)}`);
  const V = S.index_check_folders;
  if (V && !V.error) {
    add('`index_check \'folders\'`: planning, one-day count', fmt(V.plan_day.median_ms), '', '≤ 20 ms', V.plan_day.median_ms <= 20);
    add('`index_check \'folders\'`: planning, whole-archive count', fmt(V.plan_all.median_ms), '', '≤ 50 ms', V.plan_all.median_ms <= 50);
    add('`index_check \'folders\'`: one-day count', fmt(V.day.median_ms), '', '', null, `files read ${V.day.explain.scan['Files Read']}; = index off: ${V.day.same}`);
    for (const n of needles) {
      const x = V[`needle_${n.kind}`];
      const dk = S.duckdb?.needles?.[n.kind];
      const ratio = dk?.median_ms ? x.median_ms / dk.median_ms : null;
      add(`\`index_check 'folders'\`: needle \`${n.kind}\``, fmt(x.median_ms), '', '≤ 50 ms and ≤ 0.005x DuckDB', x.median_ms <= 50 && (ratio === null || ratio <= 0.005),
        `${ratio !== null ? `on/DuckDB ${ratio.toFixed(4)}x; ` : ''}= index off: ${x.same}; files read ${x.explain.scan['Files Read']}; planning ${fmt(x.explain.planning_ms)}, execution ${fmt(x.explain.execution_ms)}`);
    }
    add('`index_check \'folders\'`: ConsoleLogin LIMIT 10', fmt(V.console.median_ms), '', '', null, `= index off: ${V.console.same}; files read ${V.console.explain.scan['Files Read']}`);
  }
  const ca = S.count_all;
  add('whole-archive parallel `count(*)`', fmt(ca.on_median_ms), fmt(ca.off_median_ms), '≤ index off (no slower)', ca.on_median_ms <= ca.off_median_ms * 1.05, 'within 5%: noise');
  const b = S.first_build;
  const yard = S.count_all_off.median_ms;
  add('first build (`refresh_index`)', fmt(b.median_ms), '', `≤ 1.5x parallel count(*), index off (${fmt(yard)})`, b.median_ms <= 1.5 * yard,
    `${(b.median_ms / yard).toFixed(2)}x; ${b.result.files_added} files, ${mb(Number(b.result.bytes_read))} read; ${b.times_ms.length} round(s)`);
  const nn = S.refresh_nothing_new;
  add('refresh, nothing new', fmt(nn.median_ms), '', '≤ 1 s', nn.median_ms <= 1000, `${nn.result.files_seen} files, ${nn.result.folders_seen} folders seen; ${nn.result.bytes_read} bytes read; the index file was rewritten in ${nn.index_file_rewritten} of ${nn.times_ms.length} rounds; stat() of every file alone: ${S.stat_floor ? fmt(S.stat_floor.seconds * 1000) : 'n/a'}`);
  const nd = S.refresh_new_day;
  if (nd) {
    const total = Number(b.result.files_added);
    const newFiles = Number(nd.result.files_added);
    const prop = nn.median_ms + (b.median_ms - nn.median_ms) * newFiles / total;
    add('refresh after one more day', fmt(nd.median_ms), '', `in proportion: ≤ 1.5x (nothing-new + build x new/total files) = ${fmt(1.5 * prop)}`, nd.median_ms <= 1.5 * prop,
      `${newFiles} new files (${(100 * newFiles / total).toFixed(1)}% of the build's), ${mb(Number(nd.result.bytes_read))} read; per new file ${(1000 * (nd.median_ms - nn.median_ms) / newFiles).toFixed(0)} µs vs ${(1000 * b.median_ms / total).toFixed(0)} µs in the build; new day's count on ${nd.check?.on} / off ${nd.check?.off} / manifest ${nd.check?.expected}, files read on ${nd.check?.explain_on?.scan?.['Files Read']} (manifest: ${nd.check?.expected_files} hold a record of it)`);
  }
  const ib = Number(S.index_info.index_bytes);
  add('index size', mb(ib), '', `≤ 3% of the mirror's gzip (${mb(R.manifest.gz_bytes)})`, ib <= 0.03 * R.manifest.gz_bytes,
    `${(100 * ib / R.manifest.gz_bytes).toFixed(2)}%; ${(ib / Number(S.index_info.files)).toFixed(0)} bytes a file, ${S.index_info.folders} folders`);
  const M = S.memory;
  for (const k of ['all_on', 'all_off', 'day_on']) {
    const m = M[k];
    if (!m) continue;
    // private memory: the leader's growth, each worker's, and the scan's shared segments
    const priv = (m.anon_growth_kb || 0) * 1024 + (m.worker_anon_peak_max_kb || 0) * 1024 * (m.workers_seen || 0);
    const tot = (m.anon_growth_kb || 0) * 1024 + m.dsm_peak_bytes;
    const cell = `${mb((m.anon_growth_kb || 0) * 1024)} private + DSM ${mb(m.dsm_peak_bytes)}`;
    add(`parallel scan memory: ${k.startsWith('all') ? 'whole archive' : 'one day'}, index ${k.endsWith('on') ? 'on' : 'off'}`,
      k.endsWith('on') ? cell : '', k.endsWith('off') ? cell : '',
      k.startsWith('all') ? '≤ 64 MB at 1.5 M files, not growing with files' : '', k === 'all_on' ? tot <= 64 * 1048576 : null,
      `private (anon RSS) peaks: the leader +${mb((m.anon_growth_kb || 0) * 1024)}, each worker ≤ ${mb((m.worker_anon_peak_max_kb || 0) * 1024)} (all participants ${mb(priv)}); leader peak RSS ${mb(m.peak_kb * 1024)} (growth over ${mb(m.rss_before_kb * 1024)} before); ${m.workers_seen} workers, peak ≤ ${mb((m.worker_peak_max_kb || 0) * 1024)}; new DSM segments ${m.dsm_segments}, largest ${mb(m.dsm_largest_segment_bytes)} (${(m.dsm_largest_segment_bytes / Math.max(1, m.files)).toFixed(0)} bytes a file of the scan's ${m.files}); the leader's RSS after the scan: anon ${mb(m.anon_after_kb * 1024)} (${mb(m.anon_before_kb * 1024)} before), file-backed ${mb(m.file_after_kb * 1024)} (${mb(m.file_before_kb * 1024)} before: the mapped index file counts here)`);
  }
  const lines = [];
  lines.push(`## Index: the organisation-scale mirror, ${R.started}`);
  lines.push('');
  lines.push(`Mirror: ${R.manifest.files} files, ${R.manifest.records} records, ${mb(R.manifest.gz_bytes)} gzip (${(R.manifest.gz_bytes / 1e6).toFixed(1)} MB), ${R.manifest.accounts} accounts x ${R.manifest.params.regions} regions x ${R.manifest.params.days - (R.manifest.params.hold_back_days || 0)} days (+${R.manifest.params.hold_back_days || 0} held back: ${R.manifest.held_back?.files ?? 0} files), generated in ${R.manifest.seconds} s. Event time ${R.manifest.min_event_time} .. ${R.manifest.max_event_time}.`);
  lines.push(`Commit measured: ${R.commit}. Medians of ${R.config.rounds} rounds (first build: ${R.config.buildRounds}, DuckDB: ${R.config.duckdbRounds}), wall-clock seconds seen by the client (planning: EXPLAIN's Planning Time), page cache warm, index on and off interleaved.`);
  lines.push('');
  lines.push('| figure | index on | index off | target (issue 13) | | notes |');
  lines.push('|---|---:|---:|---|---|---|');
  lines.push(...rows);
  lines.push('');
  lines.push(`stat() of every event file of the mirror (bench/stat_floor, absolute paths, warm): ${S.stat_floor ? `${fmt(S.stat_floor.seconds * 1000)} for ${S.stat_floor.files} files, ${S.stat_floor.us_per_file} µs a file` : 'n/a'}.`);
  if (S.duckdb?.version) lines.push(`DuckDB ${S.duckdb.version}, threads ${S.duckdb.threads} (view over the org globs, opened in ${fmt(S.duckdb.open_ms)}).`);
  lines.push(`PostgreSQL ${R.settings.server_version}: ${['shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit', 'dynamic_shared_memory_type'].map((k) => `${k}=${R.settings[k]}`).join(', ')}. Machine: ${R.machine.cpu}, ${R.machine.cores} cores (shared with other work: ratios within this run are what count), ${R.machine.ram_gib} GiB, kernel ${R.machine.kernel}; load average at the end ${R.machine.loadavg_end.join(' ')}.`);
  lines.push(`Command: \`${R.command}\`. Run time ${R.run_seconds} s.`);
  return lines.join('\n');
}

// node index_bench.mjs --render results/index-<timestamp>.json: the table again (the mirror's
// manifest is read for runs that did not store the day's figures)
function render(file) {
  const R = JSON.parse(fs.readFileSync(file, 'utf8'));
  let meta = R.meta;
  if (!meta) {
    const man = JSON.parse(fs.readFileSync(path.join(R.config.mirror, '.bench-manifest.json'), 'utf8'));
    const day = /eventtime >= '([0-9-]+)'/.exec(R.steps.queries.day.sql)[1];
    meta = { day, dayFiles: man.event_days[day].files, dayRecords: man.event_days[day].records, needles: man.needles };
  }
  console.log(markdown(R, meta));
}

if (process.argv.includes('--render')) render(process.argv[process.argv.indexOf('--render') + 1]);
else main().catch((e) => { console.error(e); process.exit(2); });
