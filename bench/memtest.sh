#!/bin/bash
# Memory test of cloudtrail_fdw: ONE log file of ~500 MB of JSON (gzipped, one gzip member, one
# Records array), scanned with  SELECT count(*), max(eventtime) FROM cloudtrail_logs;  reports the
# growth of the backend's peak RSS (VmHWM of /proc/<pg_backend_pid()>/status, reset through
# /proc/<pid>/clear_refs before the query).  Target: < 64 MB growth.  Exit 1 when over.
#
# Knobs: BENCH_MEMTEST_DIR=/srv/ct-memtest  BENCH_MEMTEST_MB=500  BENCH_SKIP_GEN=0  BENCH_SKIP_BUILD=0
#        BENCH_MEMTEST_SQL="SELECT count(*), max(eventtime) FROM cloudtrail_logs"
# Needs what bench/run.sh installs (run that once first, or it installs the npm packages here).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
DIR=${BENCH_MEMTEST_DIR:-/srv/ct-memtest}
MB=${BENCH_MEMTEST_MB:-500}
say() { echo "[memtest.sh] $*" >&2; }
. "$BENCH_DIR/common.sh"

bench_node_modules
bench_build
if [ "${BENCH_SKIP_GEN:-0}" != 1 ]; then
  gen_sha=$(sha256sum "$BENCH_DIR/gen_mirror.py" | cut -c1-16)
  m="$DIR/.bench-manifest.json"
  if [ -f "$m" ] && [ "$(jq -r .generator_sha256 "$m")" = "$gen_sha" ] && [ "$(jq -r .argv "$m")" = "--one-file-mb $MB" ]; then
    say "test file is up to date: $(jq -r '"\(.file): \(.json_bytes) bytes of JSON, \(.gz_bytes) gzip, \(.records) records"' "$m")"
  else
    say "generating ONE file of ~$MB MB of JSON in $DIR"
    python3 "$BENCH_DIR/gen_mirror.py" "$DIR" --one-file-mb "$MB" >&2
  fi
fi
cd "$ROOT"
port=$("$BENCH_DIR/free-port.sh")
BENCH_MIRROR="$DIR" pg_virtualenv -t -c "--port $port" node "$BENCH_DIR/driver.mjs" --memtest
