#!/bin/sh
# The benchmark queries on 1, 2 and 4 shards of the benchmark mirror (by
# region: it is one account), each deployment made by tools/run-sharded on
# this machine, measured by bench/sharded.py (see there, and bench/RESULTS.md,
# "Shards").  As root or the postgres user, with cloudtrail_fdw installed.
# Output: bench/results/sharded-<timestamp>.jsonl and its markdown table.
# Knobs: BENCH_MIRROR (/srv/ct-bench), BENCH_SHARDS ("1 2 4"), BENCH_ROUNDS (3),
#        BENCH_ONLY ("Q4,Q8"), BENCH_QUERIES (bench/queries/default.json)
set -eu
cd "$(dirname "$0")/.."
MIRROR=${BENCH_MIRROR:-/srv/ct-bench}
export BENCH_MIRROR=$MIRROR
mkdir -p bench/results
OUT=bench/results/sharded-$(date -u +%Y%m%dT%H%M%SZ).jsonl
# the shards log what their scans did for every statement (the coordinator does not)
SHARD_CONF="session_preload_libraries = 'auto_explain'
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
auto_explain.log_timing = off
log_min_duration_statement = 0
log_line_prefix = '%m [%p] %a '
auto_explain.log_format = json
shared_buffers = 256MB
work_mem = 64MB"
for n in ${BENCH_SHARDS:-1 2 4}; do
  CT_SHARD_BY=region CT_SHARD_CONF="$SHARD_CONF" CT_SHARDS_CONF="work_mem = 64MB" \
    tools/run-sharded "$n" "$MIRROR" -- \
    python3 bench/sharded.py "$n" "${BENCH_QUERIES:-bench/queries/default.json}" "$OUT" "${BENCH_ROUNDS:-3}"
done
echo "results: $OUT"
python3 bench/sharded.py --report "$OUT"
