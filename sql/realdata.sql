-- Real, anonymised CloudTrail records from public repositories (test/realdata),
-- laid out as a mirror by tools/gen_fixtures.py.
\getenv fixtures CT_FIXTURES
\set real :fixtures/real
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
\pset null '(null)'

CREATE SERVER real_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'real');
CREATE SCHEMA real;
IMPORT FOREIGN SCHEMA cloudtrail LIMIT TO (cloudtrail_logs) FROM SERVER real_trail INTO real;

-- IMPORT declares eventtime NOT NULL, as CloudTrail writes it in every record;
-- the OTRF records have none, which the scan reports (23502) rather than hide
SELECT count(*), count(eventtime) FROM real.cloudtrail_logs;
\echo :LAST_ERROR_SQLSTATE
ALTER FOREIGN TABLE real.cloudtrail_logs OPTIONS (ADD on_error 'skip_file');
SELECT count(*), count(eventtime) FROM real.cloudtrail_logs;
ALTER FOREIGN TABLE real.cloudtrail_logs OPTIONS (DROP on_error);
ALTER FOREIGN TABLE real.cloudtrail_logs ALTER COLUMN eventtime DROP NOT NULL;
SELECT count(*), count(eventtime), count(DISTINCT eventid), count(DISTINCT log_file) FROM real.cloudtrail_logs;
-- a path column declared NOT NULL that the layout does not give
CREATE FOREIGN TABLE real.no_org (eventid text, org_id text NOT NULL) SERVER real_trail;
SELECT count(*) FROM real.no_org;
SELECT count(org_id) FROM real.no_org;
SELECT region, account_id, count(*) FROM real.cloudtrail_logs GROUP BY 1, 2 ORDER BY 1, 2;
SELECT eventsource, eventname, count(*) FROM real.cloudtrail_logs
 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 15;
-- the seed's first query on real records
SELECT eventtime, eventname, awsregion, useridentity->>'userName' AS username
  FROM real.cloudtrail_logs
 WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC LIMIT 10;
-- the pretty-printed native file
SELECT eventtime, eventname, useridentity->>'invokedBy' AS invoked_by, requestparameters->>'roleSessionName' AS session
  FROM real.cloudtrail_logs WHERE region = 'eu-west-3' ORDER BY eventtime;
-- typed keys as the real records write them
SELECT sessioncredentialfromconsole, readonly, managementevent, count(*)
  FROM real.cloudtrail_logs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT count(*) FILTER (WHERE resources->0 ? 'ARN') AS with_arn,
       count(*) FILTER (WHERE requestparameters IS NULL) AS null_request,
       count(*) FILTER (WHERE tlsdetails IS NOT NULL) AS with_tls
  FROM real.cloudtrail_logs;
-- Logstash renamed eventTime to @timestamp in the OTRF records: a field column reads it
CREATE FOREIGN TABLE real.otrf (eventname text, ts timestamptz OPTIONS (field '@timestamp'), eventtime timestamptz)
  SERVER real_trail OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1');
SELECT count(*), count(eventtime), min(ts), max(ts) FROM real.otrf;
-- jsonb columns and the whole record have the same bytes jsonb_in makes of
-- their text (image equality *=), the record read by a second table in the
-- same order
CREATE TYPE "real".jsonb_image AS (j jsonb);
CREATE FOREIGN TABLE real.texts (eventid text, event json, useridentity json,
  requestparameters json, responseelements json, resources json, additionaleventdata json)
  SERVER real_trail;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS records,
       count(*) FILTER (WHERE ROW(a.event)::"real".jsonb_image *= ROW(b.event::jsonb)::"real".jsonb_image) AS same_record,
       count(*) FILTER (WHERE ROW(a.useridentity)::"real".jsonb_image *= ROW(b.useridentity::jsonb)::"real".jsonb_image
                          AND ROW(a.requestparameters)::"real".jsonb_image *= ROW(b.requestparameters::jsonb)::"real".jsonb_image
                          AND ROW(a.responseelements)::"real".jsonb_image *= ROW(b.responseelements::jsonb)::"real".jsonb_image
                          AND ROW(a.resources)::"real".jsonb_image *= ROW(b.resources::jsonb)::"real".jsonb_image
                          AND ROW(a.additionaleventdata)::"real".jsonb_image *= ROW(b.additionaleventdata::jsonb)::"real".jsonb_image)
         AS same_columns
  FROM (SELECT row_number() OVER () n, * FROM real.cloudtrail_logs) a
  JOIN (SELECT row_number() OVER () n, * FROM real.texts) b USING (n);
RESET max_parallel_workers_per_gather;
DROP SCHEMA real CASCADE;
DROP SERVER real_trail;
