-- The queries of tools/oracle.py's "all", asked of a coordinator made by
-- tools/run-sharded (test/shards/check): its output must be the oracle's.
SET timezone = 'UTC';
\echo -- seed1
SELECT eventtime, eventname, awsregion, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC LIMIT 10;
\echo -- seed2
SELECT eventtime, eventname, awsregion, errormessage, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ListBuckets' AND eventtime > '2018-11-14T12:00:00Z' AND errormessage <> ''
 ORDER BY eventtime DESC LIMIT 10;
\echo -- seed3
SELECT eventtime, eventname, awsregion, errormessage, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE sourceipaddress LIKE '203.0.113.5' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC;
\echo -- count
SELECT count(*) FROM cloudtrail_logs;
\echo -- counts
SELECT account_id, region, delivery_date, count(*) FROM cloudtrail_logs
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
