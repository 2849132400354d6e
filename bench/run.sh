#!/bin/bash
# One command for the whole cloudtrail_fdw benchmark:
#   installs what it needs (apt: jq, gnuplot-nox, gcc, zlib, PostgreSQL 15; npm: bench/package.json),
#   builds and installs the extension, generates the mirror (unless it is there already),
#   builds bench/inflate_floor, starts ONE throwaway cluster with pg_virtualenv and runs
#   bench/driver.mjs in it (every engine on every query, interleaved, warm-up + N rounds),
#   then renders bench/results/chart.png.
# Output: the markdown table on stdout; bench/results/<timestamp>.{json,md,dat}.
#
# Knobs (environment):
#   BENCH_ROUNDS=5          timed rounds (after BENCH_WARMUP=1 warm-up round)
#   BENCH_MIRROR=/srv/ct-bench   the mirror (must be readable by the postgres user)
#   BENCH_SKIP_GEN=0        1: never (re)generate the mirror
#   BENCH_GEN_ARGS=""       arguments for gen_mirror.py (e.g. "--days 2 --regions 2")
#   BENCH_ENGINES=cloudtrail_fdw,duckdb,pg_copy,jq,zlib_floor_1t,zlib_floor_2t,libdeflate_floor_1t
#   BENCH_JQ_ROUNDS=$BENCH_ROUNDS  timed rounds for jq (the slow one); BENCH_JQ_WARMUP=0
#   BENCH_FDW_PARALLEL=""   e.g. "2" or "0,2": extra cloudtrail_fdw engines run with
#                           SET max_parallel_workers_per_gather = N
#   BENCH_QUERIES=bench/queries/default.json   the query set
#   BENCH_ONLY=""           e.g. "Q1,Q8": run only these queries
#   BENCH_PG_OPTS="shared_buffers=4GB work_mem=64MB"   server settings for pg_virtualenv -o
#   BENCH_SKIP_BUILD=0      1: do not build/install the extension
#   BENCH_TIMEOUT=1800      seconds per query before it is cancelled
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

# the exact command, with the knobs that were set
cmd=""
for v in $(env | grep -o '^BENCH_[A-Z_0-9]*' | sort); do
  [ "$v" = BENCH_COMMAND ] && continue
  cmd="$cmd$v=$(printf '%q' "${!v}") "
done
export BENCH_COMMAND="$cmd$0${*:+ $*}"

export BENCH_MIRROR=${BENCH_MIRROR:-/srv/ct-bench}
BENCH_PG_OPTS=${BENCH_PG_OPTS:-"shared_buffers=4GB work_mem=64MB"}

say() { echo "[run.sh] $*" >&2; }
. "$BENCH_DIR/common.sh"

# ---- what it needs -------------------------------------------------------------------------
need_pkgs=""
for p in jq gnuplot-nox gcc make zlib1g-dev libdeflate-dev postgresql-15 postgresql-server-dev-15 postgresql-common postgresql-client-15; do
  if [ "$p" = gnuplot-nox ] && command -v gnuplot >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_pkgs="$need_pkgs $p"
done
command -v node >/dev/null 2>&1 || need_pkgs="$need_pkgs nodejs npm"
if [ -n "$need_pkgs" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  say "installing:$need_pkgs"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q $need_pkgs >/dev/null 2>&1 || {
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q $need_pkgs >/dev/null
  }
fi

bench_node_modules

# ---- the extension -----------------------------------------------------------------------------
bench_build

gcc -O2 -Wall -o "$BENCH_DIR/inflate_floor" "$BENCH_DIR/inflate_floor.c" -lz -ldeflate -lpthread

# ---- the mirror ---------------------------------------------------------------------------------
if [ "${BENCH_SKIP_GEN:-0}" != 1 ]; then
  manifest="$BENCH_MIRROR/.bench-manifest.json"
  gen_sha=$(sha256sum "$BENCH_DIR/gen_mirror.py" | cut -c1-16)
  if [ -f "$manifest" ] && [ "$(jq -r .generator_sha256 "$manifest")" = "$gen_sha" ] &&
     [ "$(jq -r .argv "$manifest")" = "${BENCH_GEN_ARGS:-}" ]; then
    say "mirror $BENCH_MIRROR is up to date ($(jq -r '"\(.files) files, \(.records) records"' "$manifest"))"
  else
    say "generating the mirror in $BENCH_MIRROR"
    # shellcheck disable=SC2086
    python3 "$BENCH_DIR/gen_mirror.py" "$BENCH_MIRROR" ${BENCH_GEN_ARGS:-} >&2
  fi
fi
[ -d "$BENCH_MIRROR/AWSLogs" ] || { say "no mirror in $BENCH_MIRROR"; exit 1; }
# the database server runs as postgres: every directory up to the mirror must be traversable
d="$BENCH_MIRROR"
while [ "$d" != / ]; do
  case "$(stat -c %A "$d" | cut -c10)" in x|t) ;; *) say "WARNING: $d is not world-traversable" ;; esac
  d=$(dirname "$d")
done

# ---- the run ----------------------------------------------------------------------------------
# A temporary cluster (-t: its own configuration root and data directory under /tmp) on a free
# port, so it never collides with another pg_virtualenv (the test suite's 15/regress).
port=$("$BENCH_DIR/free-port.sh")
pgopts=(-t -c "--port $port")
for o in $BENCH_PG_OPTS; do pgopts+=(-o "$o"); done
cd "$ROOT"
start=$(date +%s)
pg_virtualenv "${pgopts[@]}" node --max-old-space-size=8192 "$BENCH_DIR/driver.mjs"
say "benchmark done in $(( $(date +%s) - start )) s"

# ---- the chart ------------------------------------------------------------------------------------
results=${BENCH_RESULTS:-$BENCH_DIR/results}
latest=$(cat "$results/latest")
ncol=$(head -1 "$results/$latest.dat" | wc -w)
gnuplot -e "datafile='$results/$latest.dat'; outfile='$results/chart.png'; ncol=$ncol; subtitle='$latest'" \
  "$BENCH_DIR/chart.gnuplot" && cp "$results/chart.png" "$results/$latest.png" &&
  say "chart: $results/chart.png"
