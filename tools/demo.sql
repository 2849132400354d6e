-- The README's quick start on the sample mirror (tools/run-demo).
\getenv root CT_SAMPLE_ROOT
\pset footer off
SET timezone = 'UTC';
\echo
\echo '== set up: one foreign table over every account, region and day of the mirror'
CREATE EXTENSION cloudtrail_fdw;
CREATE SERVER trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'root');
IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER trail INTO public;

\echo '== what the mirror holds'
SELECT org_id, account_id, region, min(delivery_date), max(delivery_date), count(*) AS events
  FROM cloudtrail_logs GROUP BY 1, 2, 3 ORDER BY 2, 3;

\echo '== who signed in to the console since the 14th, in any region?'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT eventtime, eventname, awsregion, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC LIMIT 10;
SELECT eventtime, eventname, awsregion, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC LIMIT 10;

\echo '== which ListBuckets calls failed?'
SELECT eventtime, eventname, awsregion, errormessage, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ListBuckets' AND eventtime > '2018-11-14T12:00:00Z' AND errormessage <> ''
 ORDER BY eventtime DESC LIMIT 10;

\echo '== everything one address did'
SELECT eventtime, eventname, awsregion, errormessage, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE sourceipaddress LIKE '203.0.113.5' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC;

\echo '== the newest events: only the newest files are read'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT eventtime, eventname, awsregion FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 5;

\echo '== one region and one day (partition pruning), since a date, by a field inside a jsonb column'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT useridentity->>'type' AS identity_type, count(*) FROM cloudtrail_logs
 WHERE region = 'us-east-1' AND delivery_date = '2018-11-14' AND eventtime >= date '2018-11-14'
 GROUP BY 1;

\echo '== one day of event time: files delivered after it are skipped when their digest shows nothing that old'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT eventname, count(*) FROM cloudtrail_logs WHERE eventtime::date = '2018-11-13' GROUP BY 1;

\echo '== narrowing the scan like Athena''s LOCATION: one account and region'
CREATE FOREIGN TABLE eu_logs (eventtime timestamptz, eventname text, errorcode text)
  SERVER trail OPTIONS (location 'AWSLogs/111122223333/CloudTrail/eu-west-1');
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT eventname, count(*) FROM eu_logs GROUP BY 1;

\echo '== the "temporary table" workflow'
CREATE TEMP TABLE temp1 AS
  SELECT eventtime, eventname, errorcode, errormessage FROM cloudtrail_logs WHERE errorcode IS NOT NULL;
SELECT DISTINCT errormessage FROM temp1 ORDER BY 1;

\echo '== the index: refresh_index() remembers the mirror; then "did this access key ever do anything?" reads one file'
SELECT folders_seen, files_seen, files_added, bytes_read FROM cloudtrail_fdw.refresh_index('cloudtrail_logs');
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT eventtime, eventname, awsregion FROM cloudtrail_logs
 WHERE useridentity->>'accessKeyId' = 'AKIARCAVIQK43AHEJCXJ';
SELECT eventtime, eventname, awsregion FROM cloudtrail_logs
 WHERE useridentity->>'accessKeyId' = 'AKIARCAVIQK43AHEJCXJ';
