#!/bin/sh
# Two builds of cloudtrail_fdw on the benchmark's queries, in one run:
#   A  the build at COMMIT_A                         ("before")
#   B  the build at COMMIT_B, SET cloudtrail_fdw.enable_index = off   ("after", no index)
#   C  the build at COMMIT_B, refresh_index('cloudtrail_logs') once, index on (the default)
# The two builds are different .so files of one extension, so each configuration runs in a fresh
# pg_virtualenv cluster after `make install` of its build; the configurations alternate
# (CMP_ALTERNATIONS times, the order rotating: ABC, BCA, CAB, ...), each run being bench/driver.mjs
# with BENCH_ENGINES=cloudtrail_fdw, BENCH_WARMUP warm-up and BENCH_ROUNDS timed rounds.
# The medians per query per configuration are over every timed round of every alternation; the
# spread (largest / smallest of the per-alternation medians) is the noise between alternations.
# The same driver (this tree's bench/) runs every configuration.
#
#   bench/compare_builds.sh [COMMIT_A [COMMIT_B]]          (defaults: 8bbc6dc HEAD)
#
# As root on Debian 12 with PostgreSQL 15 and its server headers, node (20) and npm, like run.sh;
# or, with CMP_CHROOT=/path/to/a/debian-12/chroot, the builds, the installs and the clusters are
# in that chroot (git, npm and the mounts from here: proc, dev, dev/shm, unmounted at the end;
# node is copied into its /usr/local/bin if it has none).  Nothing is installed outside the
# chroot then.  The extension files installed before the run are put back at the end.
#
# Knobs: CMP_ALTERNATIONS=3, BENCH_ROUNDS=3, BENCH_WARMUP=1, BENCH_MIRROR=/srv/ct-bench (a path in
# the chroot if there is one), CMP_WORK=/tmp/ct-compare (the build trees and the results; in the
# chroot if there is one), CMP_CONFIGS="A B C", CMP_DUCKDB=1 (one DuckDB run at the end for
# reference: 1 warm-up, 1 round), BENCH_ONLY, BENCH_QUERIES, BENCH_PG_OPTS as for run.sh.
# Output: the markdown table on stdout, $CMP_WORK/runs/<UTC time>/compare.{md,json} (and each
# run's driver results in A-1/, B-1/, ... beside them).
set -eu

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
COMMIT_A=${1:-8bbc6dc}
COMMIT_B=${2:-HEAD}
ALT=${CMP_ALTERNATIONS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-1}
MIRROR=${BENCH_MIRROR:-/srv/ct-bench}
WORK=${CMP_WORK:-/tmp/ct-compare}
CONFIGS=${CMP_CONFIGS:-A B C}
DUCK=${CMP_DUCKDB:-1}
PG_OPTS=${BENCH_PG_OPTS:-"shared_buffers=4GB work_mem=64MB"}
CH=${CMP_CHROOT:-}
[ -z "$CH" ] || CH=$(cd "$CH" && pwd)

say() { echo "[compare_builds] $*" >&2; }
# inroot: runs a command (a string for sh -c) where the builds live
inroot() {
  if [ -n "$CH" ]; then chroot "$CH" /bin/sh -c "$1"; else /bin/sh -c "$1"; fi
}

sha_a=$(git -C "$REPO" rev-parse --short "$COMMIT_A")
sha_b=$(git -C "$REPO" rev-parse --short "$COMMIT_B")
[ "$(id -u)" = 0 ] || { say "run as root (make install, /proc/PID/clear_refs)"; exit 1; }

# ---- the trees (made before any mount: nothing under a chroot is removed while it has mounts) ---
HW=$CH$WORK # the work directory as seen from here
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN=$WORK/runs/$STAMP # this run's results and saved files: a new directory, never removed
say "A = $COMMIT_A ($sha_a), B = C = $COMMIT_B ($sha_b); $ALT alternations x ($WARMUP warm-up + $ROUNDS rounds); work in $HW"
mkdir -p "$HW/runs/$STAMP"
# removes a directory made here; never under a chroot that has something mounted in it
fresh() {
  if [ -n "$CH" ] && grep -q " $CH/" /proc/mounts; then
    say "$CH has mounts: not removing $1 (unmount them, or use another CMP_WORK)"; exit 1
  fi
  rm -rf "$1"
}
for b in A B; do
  c=$sha_a; [ $b = B ] && c=$sha_b
  if [ "$(cat "$HW/build-$b/.commit" 2>/dev/null)" != "$c" ]; then
    fresh "$HW/build-$b"
    mkdir -p "$HW/build-$b"
    git -C "$REPO" archive "$c" | tar -x -C "$HW/build-$b"
    echo "$c" >"$HW/build-$b/.commit"
  fi
done
# the driver: this tree's (the same for every configuration)
mkdir -p "$HW/bench"
for f in driver.mjs duckdb.mjs proc.mjs package.json package-lock.json; do cp "$BENCH_DIR/$f" "$HW/bench/$f"; done
fresh "$HW/bench/queries"; cp -r "$BENCH_DIR/queries" "$HW/bench/queries"
if [ ! -d "$HW/bench/node_modules/pg" ] || [ ! -d "$HW/bench/node_modules/@duckdb/node-api" ]; then
  say "npm ci (bench/package.json)"
  # npm ci; a newer npm than the lock file's may call it out of sync (optional platform packages):
  # then npm install of the same exact versions, without writing package.json or the lock
  (cd "$HW/bench" && { npm ci --no-audit --no-fund --loglevel=error >&2 2>/dev/null ||
    npm install --no-save --no-audit --no-fund --loglevel=error >&2; })
fi


# ---- the chroot's mounts (only those made here are undone) ----------------------------------------
mounted=""
saved=""
cleanup() {
  set +e
  if [ -n "$saved" ]; then
    say "putting back the extension files installed before the run"
    inroot "cp -p $RUN/saved/lib/* \$(pg_config --pkglibdir)/; cp -p $RUN/saved/ext/* \$(pg_config --sharedir)/extension/"
  fi
  for m in $mounted; do umount "$m" || say "WARNING: could not unmount $m"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ -n "$CH" ]; then
  [ -x "$CH/bin/sh" ] || { say "no chroot at $CH"; exit 1; }
  cp /etc/resolv.conf "$CH/etc/resolv.conf"
  for m in proc dev dev/shm; do
    if ! mountpoint -q "$CH/$m"; then
      case $m in
        proc) mount -t proc proc "$CH/proc" ;;
        dev) mount --bind /dev "$CH/dev" ;;
        dev/shm) mount -t tmpfs shm "$CH/dev/shm" ;;
      esac
      mounted="$CH/$m $mounted" # unmounted in reverse order
    fi
  done
  if ! chroot "$CH" /bin/sh -c 'command -v node' >/dev/null; then
    say "copying $(command -v node) into the chroot's /usr/local/bin"
    cp "$(command -v node)" "$CH/usr/local/bin/node"
  fi
fi

for b in A B; do
  say "building $b"
  inroot "make -C $WORK/build-$b -s >/dev/null"
done

# the extension files installed now, put back at the end
mkdir -p "$CH$RUN/saved/lib" "$CH$RUN/saved/ext"
inroot "cp -p \$(pg_config --pkglibdir)/cloudtrail_fdw.so $RUN/saved/lib/ 2>/dev/null; cp -p \$(pg_config --sharedir)/extension/cloudtrail_fdw* $RUN/saved/ext/ 2>/dev/null; true"
saved=1

# ---- the runs ---------------------------------------------------------------------------------------
pgo=""
for o in $PG_OPTS; do pgo="$pgo -o $o"; done
# a free port in 5490-5599, from a random start (others start clusters on this machine too)
port() {
  o=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
  k=0
  while [ "$k" -lt 110 ]; do
    p=$((5490 + (o + k) % 110))
    command -v ss >/dev/null || { echo "$p"; return; }
    ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
    k=$((k + 1))
  done
  say "no free port in 5490-5599"; exit 1
}
# run CONFIG TAG ENGINES ROUNDS WARMUP
run() {
  cfg=$1 tag=$2
  case $cfg in A) b=A setup="" ;; B) b=B setup="SET cloudtrail_fdw.enable_index = off" ;;
    C) b=B setup="SELECT * FROM cloudtrail_fdw.refresh_index('cloudtrail_logs')" ;; esac
  say "$tag: make install build-$b; a fresh cluster; driver.mjs${setup:+ with \"$setup\"}"
  inroot "make -C $WORK/build-$b -s install >/dev/null"
  # a port taken between the choice and the start (another cluster): up to 3 tries
  for try in 1 2 3; do
    if run_driver "$@"; then return 0; fi
    [ -f "$CH$RUN/$tag/latest" ] && return 1 # the driver ran and failed: no retry
    say "$tag: the cluster did not start (try $try of 3)"; sleep 3
  done
  return 1
}
run_driver() {
  inroot "cd $WORK/bench && BENCH_RESULTS=$RUN/$tag BENCH_MIRROR='$MIRROR' BENCH_SKIP_BUILD=1 BENCH_SKIP_GEN=1 \
      BENCH_ENGINES=$3 BENCH_FDW_PARALLEL= BENCH_ROUNDS=$4 BENCH_WARMUP=$5 BENCH_FDW_SETUP_SQL=\"$setup\" \
      ${BENCH_ONLY:+BENCH_ONLY=$BENCH_ONLY} ${BENCH_QUERIES:+BENCH_QUERIES=$BENCH_QUERIES} \
      BENCH_COMMAND='compare_builds.sh $COMMIT_A $COMMIT_B: $tag' \
      pg_virtualenv -t -c '--port $(port)' $pgo node --max-old-space-size=4096 driver.mjs >/dev/null"
}
i=0
while [ "$i" -lt "$ALT" ]; do
  i=$((i + 1))
  # rotate the order: ABC, BCA, CAB, ...
  set -- $CONFIGS
  k=1
  while [ "$k" -lt "$i" ]; do first=$1; shift; set -- "$@" "$first"; k=$((k + 1)); done
  for cfg in "$@"; do run "$cfg" "$cfg-$i" cloudtrail_fdw "$ROUNDS" "$WARMUP"; done
done
[ "$DUCK" = 1 ] && run B duckdb duckdb 1 1

# ---- the table --------------------------------------------------------------------------------------
cat >"$HW/bench/compare_table.mjs" <<'EOF'
import fs from 'node:fs';
import path from 'node:path';
const [dir, shaA, shaB, alt, rounds, warmup] = process.argv.slice(2);
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length;
  return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };
const load = (tag) => { const d = path.join(dir, tag); const l = fs.readFileSync(path.join(d, 'latest'), 'utf8').trim();
  return JSON.parse(fs.readFileSync(path.join(d, `${l}.json`), 'utf8')); };
const tags = fs.readdirSync(dir).filter((t) => /^[ABC]-\d+$/.test(t)).sort();
const runs = {};
for (const t of tags) { const [c, n] = t.split('-'); (runs[c] ||= []).push({ n: +n, R: load(t) }); }
const cfgs = Object.keys(runs).sort();
const ids = runs[cfgs[0]][0].R.queries.map((q) => q.id);
let duck = null; try { duck = load('duckdb'); } catch {}
const f = (ms) => (ms >= 1000 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(3));
const rows = [];
const out = { commits: { A: shaA, B: shaB }, alternations: +alt, rounds: +rounds, warmup: +warmup, queries: [] };
for (const id of ids) {
  const q = {};
  for (const c of cfgs) {
    const per = runs[c].map(({ R }) => R.queries.find((x) => x.id === id).engines.cloudtrail_fdw);
    const all = per.flatMap((e) => e.times_ms);
    const alts = per.map((e) => med(e.times_ms));
    q[c] = { median_ms: med(all), alt_medians_ms: alts, spread: Math.max(...alts) / Math.min(...alts),
      rows: [...new Set(per.map((e) => e.rows))], checksums: [...new Set(per.map((e) => e.checksum))] };
  }
  const same = new Set(cfgs.flatMap((c) => q[c].checksums)).size === 1;
  const ratio = (c) => q[c].median_ms / q.A.median_ms;
  // beyond the noise: every alternation's median of c above every alternation's median of A
  const beyond = (c) => Math.min(...q[c].alt_medians_ms) > Math.max(...q.A.alt_medians_ms);
  const cell = (c) => { if (!q[c] || !q.A) return '-'; const r = ratio(c);
    return `${r.toFixed(2)}${r > 1.10 ? (beyond(c) ? ' **slower**' : ' (slower, within noise)') : ''}`; };
  const spread = Math.max(...cfgs.map((c) => q[c].spread));
  const d = duck?.queries.find((x) => x.id === id)?.engines.duckdb;
  rows.push(`| ${id} | ${cfgs.map((c) => f(q[c].median_ms)).join(' | ')} | ${cell('B')} | ${cell('C')} | ${spread.toFixed(2)} | ${same ? 'same' : 'DIFFER'} | ${d?.median_ms ? f(d.median_ms) : '-'} |`);
  out.queries.push({ id, ...q, same_rows: same, duckdb_ms: d?.median_ms ?? null });
}
const hdr = `| query | ${cfgs.map((c) => `${c} (s)`).join(' | ')} | B/A | C/A | noise | rows | DuckDB (s) |\n|---|${cfgs.map(() => '---:').join('|')}|---:|---:|---:|---|---:|`;
const md = `${hdr}\n${rows.join('\n')}`;
fs.writeFileSync(path.join(dir, 'compare.md'), md + '\n');
fs.writeFileSync(path.join(dir, 'compare.json'), JSON.stringify(out, null, 1));
const m0 = runs[cfgs[0]][0].R.machine;
console.log(`A = ${shaA}, B = C = ${shaB} (B: enable_index = off, C: refresh_index() then on); ${alt} alternations x ${rounds} rounds (+ ${warmup} warm-up), medians over all ${+alt * +rounds} timed runs; noise: the largest, over A, B, C, of (slowest / fastest per-alternation median); rows: result checksums of every run the same${duck ? `; DuckDB: one run, ${duck.config.rounds} round` : ''}`);
console.log(`machine: ${m0.cores} cores, ${m0.cpu_model}, ${m0.ram_gib} GiB, ${m0.postgres}; load average at the first run's start ${m0.loadavg_start}`);
console.log(md);
EOF
inroot "cd $WORK/bench && node compare_table.mjs $RUN $sha_a $sha_b $ALT $ROUNDS $WARMUP"
