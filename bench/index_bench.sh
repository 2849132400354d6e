#!/bin/bash
# The scale benchmark of the persistent index (issue 13), in one run:
#   generates the organisation-shaped mirror unless it is there already (gen_mirror.py
#   --org ... --needles --hold-back-days 1), builds and installs the extension, builds
#   bench/stat_floor, starts ONE throwaway cluster with pg_virtualenv and runs
#   bench/index_bench.mjs in it (index on and off, DuckDB on the needles, refresh_index).
# Output: the markdown table on stdout (progress on stderr); bench/results/index-<timestamp>.{json,md}.
#
# Knobs (environment):
#   BENCH_MIRROR=/srv/ct-org    the mirror (readable by the postgres user)
#   BENCH_GEN_ARGS="--org o-a1b2c3d4e5 --accounts 50 --regions 17 --days 31 --hold-back-days 1
#                   --files-per-day 6 --records 4 --needles --no-digests"   (153 000 files + 5 100 held back)
#   BENCH_SKIP_GEN=0            1: never (re)generate the mirror
#   BENCH_ROUNDS=5              rounds of each timed figure (medians)
#   BENCH_OFF_ROUNDS=           timed rounds of the queries with the index off (default BENCH_ROUNDS;
#                               0: their answers only, for a mirror where each is a full read)
#   BENCH_BUILD_ROUNDS=3        rounds of the first build (each from no index)
#   BENCH_DUCKDB_ROUNDS=1       rounds of each DuckDB needle (a full read of the mirror each)
#   BENCH_SKIP_DUCKDB=0         1: no DuckDB
#   BENCH_DAY=                  the one-day query's day (default: the middle of the mirror)
#   BENCH_PG_OPTS="shared_buffers=4GB work_mem=64MB"   server settings for pg_virtualenv -o
#   BENCH_SKIP_BUILD=0          1: use the installed extension as it is
#   BENCH_SERVER_OPTIONS=       extra server options, e.g. "index_check 'folders'"
#   BENCH_INDEX_CHECK_FOLDERS=1 0: skip the second pass with index_check 'folders'
#   BENCH_COMMIT=               the commit measured (default: git rev-parse HEAD of this tree)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

cmd=""
for v in $(env | grep -o '^BENCH_[A-Z_0-9]*' | sort); do
  case "$v" in BENCH_COMMAND|BENCH_COMMIT) continue ;; esac
  cmd="$cmd$v=$(printf '%q' "${!v}") "
done
export BENCH_COMMAND="$cmd$0${*:+ $*}"
export BENCH_MIRROR=${BENCH_MIRROR:-/srv/ct-org}
BENCH_GEN_ARGS=${BENCH_GEN_ARGS:-"--org o-a1b2c3d4e5 --accounts 50 --regions 17 --days 31 --hold-back-days 1 --files-per-day 6 --records 4 --needles --no-digests"}
BENCH_PG_OPTS=${BENCH_PG_OPTS:-"shared_buffers=4GB work_mem=64MB"}
if [ -z "${BENCH_COMMIT:-}" ]; then
  BENCH_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
fi
export BENCH_COMMIT

say() { echo "[index_bench.sh] $*" >&2; }
. "$BENCH_DIR/common.sh"

for c in node python3 gcc make pg_virtualenv; do
  command -v "$c" >/dev/null 2>&1 || { say "needs $c (see bench/README.md)"; exit 1; }
done
bench_node_modules

bench_build
gcc -O2 -Wall -o "$BENCH_DIR/stat_floor" "$BENCH_DIR/stat_floor.c"

manifest="$BENCH_MIRROR/.bench-manifest.json"
if [ "${BENCH_SKIP_GEN:-0}" != 1 ]; then
  gen_sha=$(sha256sum "$BENCH_DIR/gen_mirror.py" | cut -c1-16)
  if [ -f "$manifest" ] && python3 - "$manifest" "$gen_sha" "$BENCH_GEN_ARGS" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
sys.exit(0 if m.get("generator_sha256") == sys.argv[2] and m.get("argv") == sys.argv[3] else 1)
EOF
  then
    say "mirror $BENCH_MIRROR is up to date"
  else
    say "generating the mirror in $BENCH_MIRROR: gen_mirror.py $BENCH_GEN_ARGS"
    # shellcheck disable=SC2086
    python3 "$BENCH_DIR/gen_mirror.py" "$BENCH_MIRROR" $BENCH_GEN_ARGS >&2
  fi
fi
[ -f "$manifest" ] || { say "no $manifest"; exit 1; }
say "generation took $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$manifest") s (the manifest's figure)"

port=$("$BENCH_DIR/free-port.sh")
pgopts=(-t -c "--port $port")
for o in $BENCH_PG_OPTS; do pgopts+=(-o "$o"); done
cd "$ROOT"
pg_virtualenv "${pgopts[@]}" node --max-old-space-size=8192 "$BENCH_DIR/index_bench.mjs"
