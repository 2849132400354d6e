#!/bin/sh
# Load test: 8 clients run a mix of fixture queries for a fixed number of
# transactions; fails unless every transaction succeeds.  Run inside a
# cluster (pg_virtualenv test/load/run.sh), after the fixtures are made.
set -eu
cd "$(dirname "$0")"
: "${CT_FIXTURES:=/tmp/cloudtrail_fdw_fixtures}"
psql -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS ct_load" -c "CREATE DATABASE ct_load"
psql -X -q -v ON_ERROR_STOP=1 -d ct_load \
  -c "CREATE EXTENSION cloudtrail_fdw" \
  -c "CREATE SERVER trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '$CT_FIXTURES/main')" \
  -c "IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER trail INTO public"
out=$(pgbench -n -d ct_load -c 8 -j 2 -t 40 -f mixed.sql 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep -E "^(number of (clients|transactions|failed)|latency average|tps)"
processed=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
[ "$processed" = 320 ] || { echo "load test: $processed of 320 transactions processed"; echo "$out"; exit 1; }
echo "load test: 320 transactions, no errors"
