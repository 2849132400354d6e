-- The plans of README's "Shards" section: each query class on a coordinator
-- made by tools/run-sharded 3 over the main fixture mirror (by account):
--   tools/run-sharded 3 $CT_FIXTURES/main -- psql -X -f test/shards/explain.sql
SET timezone = 'UTC';
\echo '== seed 1: who signed in to the console'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventtime, eventname, awsregion, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC LIMIT 10;
\echo '== seed 2: which ListBuckets calls failed'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventtime, eventname, awsregion, errormessage, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ListBuckets' AND eventtime > '2018-11-14T12:00:00Z' AND errormessage <> ''
 ORDER BY eventtime DESC LIMIT 10;
\echo '== seed 3: everything one address did'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventtime, eventname, awsregion, errormessage, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE sourceipaddress LIKE '203.0.113.5' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC;
\echo '== one account: pruned to its shard'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventtime, eventname FROM cloudtrail_logs WHERE account_id = '444455556666' AND eventname = 'ConsoleLogin';
\echo '== a time window'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventname, count(*) FROM cloudtrail_logs
 WHERE eventtime >= '2018-11-14' AND eventtime < '2018-11-15' GROUP BY 1;
\echo '== a now()-relative window, as written'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime > now() - interval '7 days';
\echo '== the same, in the form that is sent'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime > (SELECT now() - interval '7 days');
\echo '== GROUP BY eventname'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventname, count(*) FROM cloudtrail_logs GROUP BY eventname;
\echo '== GROUP BY account_id, eventname (the two-level form)'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventname, sum(n) FROM (SELECT account_id, eventname, count(*) AS n
                                 FROM cloudtrail_logs GROUP BY account_id, eventname) s
 GROUP BY eventname;
\echo '== ORDER BY eventtime DESC LIMIT n'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventtime, eventname, awsregion FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 10;
\echo '== count(DISTINCT ...)'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(DISTINCT useridentity->>'arn') FROM cloudtrail_logs WHERE eventname = 'AssumeRole';
\echo '== count(DISTINCT ...) per account'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT account_id, count(DISTINCT eventid) FROM cloudtrail_logs GROUP BY account_id;
\echo '== SELECT * of a day (delivery_date)'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT * FROM cloudtrail_logs WHERE delivery_date = '2018-11-14';
\echo '== a day of eventtime::date (a stable cast: not sent)'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT eventid FROM cloudtrail_logs WHERE eventtime::date = '2018-11-14';
