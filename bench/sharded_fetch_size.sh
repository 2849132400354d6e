#!/bin/sh
# fetch_size 1000, 100, 10 on the coordinator's partitions: a seed query
# (LIMIT 10 over a 2-day window), the newest 10 events, count(*); medians of
# 3, ms, planning included.  Run inside tools/run-sharded (bench/RESULTS.md,
# Shards), e.g.:
#   CT_SHARD_BY=region tools/run-sharded 2 /srv/ct-bench -- sh bench/sharded_fetch_size.sh
for fs in 1000 100 10; do
  psql -XAtq -c "SELECT format('ALTER FOREIGN TABLE %s OPTIONS (SET fetch_size %L);', c.oid::regclass, '$fs') FROM pg_class c WHERE c.relispartition AND c.relkind = 'f' AND c.relname LIKE 'cloudtrail_logs_%'" | psql -Xq
  for q in "SELECT eventtime, eventname, awsregion, useridentity->>'userName' FROM cloudtrail_logs WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2024-03-08T23:00:00Z' ORDER BY eventtime DESC LIMIT 10" \
           "SELECT eventtime, eventname, awsregion FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 10" \
           "SELECT count(*) FROM cloudtrail_logs"; do
    psql -XAtq -c "$q" >/dev/null
    t=$(for i in 1 2 3; do psql -XAtq -c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $q" | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["Planning Time"]+d["Execution Time"])'; done | sort -n | sed -n 2p)
    echo "fetch_size $fs: $(echo "$q" | cut -c1-60): $t ms"
  done
done
