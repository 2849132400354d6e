#!/bin/sh
# validate() against its floor on the benchmark mirror (bench/RESULTS.md, "Validation").
#
# Makes BENCH_MIRROR's signed twin (tools/gen_validation_fixtures.py --resign: log files hard
# linked, digests chained and signed with a test key) unless it exists, builds bench/hash_floor,
# then in ONE throwaway cluster (run it under pg_virtualenv, with the extension installed)
# interleaves ROUNDS rounds of: the one-core floor (hash_floor, libdeflate), validate() of the
# whole mirror (keys given, 2 cores: max_parallel_maintenance_workers = 2), and count(*) (Q8)
# with verify_hashes off, on with nothing remembered (cold: every file hashed), and on again
# (warm: the files remembered as verified, ct_verified.c).  Prints every time and the medians, and the load average.
# Usage: pg_virtualenv -t bench/validate_bench.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
SRC=${BENCH_MIRROR:-/srv/ct-bench}
SIGNED=${BENCH_SIGNED:-/srv/ct-bench-signed}
[ -d "$SIGNED" ] || python3 tools/gen_validation_fixtures.py --resign "$SRC" "$SIGNED"
chmod -R a+rX "$SIGNED"
gcc -O2 -Wall -o bench/hash_floor bench/hash_floor.c -lz -ldeflate -lcrypto -lpthread
find "$SIGNED" -path '*/CloudTrail/*' -name '*.json.gz' | sort > /tmp/ct_validate_files

psql -X -q -v ON_ERROR_STOP=1 -v root="$SIGNED" -v keys="$SIGNED/public_keys.json" <<'SQL'
DROP EXTENSION IF EXISTS cloudtrail_fdw CASCADE;
CREATE EXTENSION cloudtrail_fdw;
CREATE SERVER bench FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'root');
CREATE FOREIGN TABLE logs (eventtime timestamptz) SERVER bench;
CREATE FOREIGN TABLE logs_verified (eventtime timestamptz) SERVER bench OPTIONS (verify_hashes 'on');
CREATE TABLE keys AS SELECT pg_read_file(:'keys')::jsonb AS k;
SQL

t_sql() {  # seconds of one statement, from psql's \timing
  psql -X -q -c '\timing on' -c "SET max_parallel_maintenance_workers = 2" -c "$1" 2>&1 |
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1 | awk '{ printf "%.3f\n", $1 / 1000 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: > /tmp/ct_vb_floor; : > /tmp/ct_vb_validate; : > /tmp/ct_vb_q8; : > /tmp/ct_vb_q8v; : > /tmp/ct_vb_q8c
PGDATA_DIR=$(psql -X -At -c 'SHOW data_directory')
for r in $(seq "$ROUNDS"); do
  bench/hash_floor < /tmp/ct_validate_files | sed 's/.*"seconds":\([0-9.]*\).*/\1/' >> /tmp/ct_vb_floor
  t_sql "SELECT status, count(*) FROM keys, cloudtrail_fdw.validate('logs', '2024-02-01', '2024-04-01', k) GROUP BY 1" >> /tmp/ct_vb_validate
  t_sql "SELECT count(*) FROM logs" >> /tmp/ct_vb_q8
  # cold: nothing remembered (ct_verified.c), every file hashed; then warm
  rm -f "$PGDATA_DIR"/pg_cloudtrail_fdw/*.verified
  t_sql "SELECT count(*) FROM logs_verified" >> /tmp/ct_vb_q8c
  t_sql "SELECT count(*) FROM logs_verified" >> /tmp/ct_vb_q8v
  echo "round $r: floor $(tail -1 /tmp/ct_vb_floor) validate $(tail -1 /tmp/ct_vb_validate) q8 $(tail -1 /tmp/ct_vb_q8) q8_verified_cold $(tail -1 /tmp/ct_vb_q8c) q8_verified_warm $(tail -1 /tmp/ct_vb_q8v) load $(cut -d' ' -f1-3 /proc/loadavg)"
done
psql -X -c "SELECT status, count(*) FROM keys, cloudtrail_fdw.validate('logs', '2024-02-01', '2024-04-01', k) GROUP BY 1 ORDER BY 1"
# memory: the backend's peak RSS (VmHWM) after validating 1, 3 and 10 days, each in a new session
# (serial: max_parallel_maintenance_workers = 0, so the leader does all of the work)
for days in 1 3 10; do
  PGOPTIONS='-c max_parallel_maintenance_workers=0' psql -X -At \
    -c "SELECT count(*) FROM keys, cloudtrail_fdw.validate('logs', '2024-03-01', '2024-03-01'::timestamptz + interval '$days days', k)" \
    -c "SELECT substring(pg_read_file('/proc/self/status') from 'VmHWM:\\s*([0-9]+ kB)')" |
    tr '\n' ' ' | awk -v d="$days" '{ print "memory: " d " days: " $1 " rows, backend peak RSS " $2 " " $3 }'
done
f=$(median < /tmp/ct_vb_floor); v=$(median < /tmp/ct_vb_validate); q=$(median < /tmp/ct_vb_q8)
qc=$(median < /tmp/ct_vb_q8c); qv=$(median < /tmp/ct_vb_q8v)
echo "medians of $ROUNDS: floor_1t $f s, validate $v s ($(echo "$v $f" | awk '{ printf "%.2f", $1 / $2 }')x), q8 $q s, q8 verify_hashes cold $qc s ($(echo "$qc $q" | awk '{ printf "%.2f", $1 / $2 }')x), warm $qv s ($(echo "$qv $q" | awk '{ printf "%.2f", $1 / $2 }')x)"
