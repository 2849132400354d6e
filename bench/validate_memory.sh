#!/bin/sh
# validate()'s memory over a month of digests (bench/RESULTS.md, "Validation"): a mirror of 31 days
# (bench/gen_mirror.py: 2 regions x 48 files a day, 20 records each, hourly digests), its signed
# twin (tools/gen_validation_fixtures.py --resign), then the backend's peak RSS (VmHWM) after
# validating 1, 7 and 31 days, each in a new session, serial (max_parallel_maintenance_workers =
# 0: the backend does all of the work), with work_mem at its default (the report is held in
# memory up to it) and at 64 kB (the report spills: what is left is validate's own memory).
# Usage: pg_virtualenv -t bench/validate_memory.sh   (the extension installed)
set -eu
cd "$(dirname "$0")/.."
M=${MONTH_MIRROR:-/srv/ct-month}
[ -d "$M" ] || python3 bench/gen_mirror.py "$M" --days 31 --regions 2 --files-per-day 48 --records 20 --start 2024-01-01 >/dev/null
[ -d "$M-signed" ] || python3 tools/gen_validation_fixtures.py --resign "$M" "$M-signed"
chmod -R a+rX "$M-signed"
psql -X -q -v ON_ERROR_STOP=1 -v root="$M-signed" -v keys="$M-signed/public_keys.json" <<'SQL'
DROP EXTENSION IF EXISTS cloudtrail_fdw CASCADE;
CREATE EXTENSION cloudtrail_fdw;
CREATE SERVER month FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'root');
CREATE FOREIGN TABLE month_logs (eventtime timestamptz) SERVER month;
CREATE TABLE keys AS SELECT pg_read_file(:'keys')::jsonb AS k;
SQL
for wm in 4MB 64kB; do
  for days in 1 7 31; do
    PGOPTIONS="-c max_parallel_maintenance_workers=0 -c work_mem=$wm" psql -X -At \
      -c "SELECT count(*) FROM keys, cloudtrail_fdw.validate('month_logs', '2024-01-01', '2024-01-01'::timestamptz + interval '$days days', k)" \
      -c "SELECT substring(pg_read_file('/proc/self/status') from 'VmHWM:\\s*([0-9]+ kB)')" |
      tr '\n' ' ' | awk -v d="$days" -v w="$wm" '{ print "work_mem " w ", " d " days: " $1 " rows, backend peak RSS " $2 " " $3 }'
  done
done
