-- on_error: stop (the default) names the file, the record and the reason;
-- skip_file warns for each bad file, counts them, and returns every good row.
\getenv fixtures CT_FIXTURES
\set bad :fixtures/bad
\set types :fixtures/types
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE SERVER bad_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'bad');
CREATE FOREIGN TABLE bad_logs (eventname text, requestparameters jsonb, log_file text)
  SERVER bad_trail;
-- stop: the truncated gzip file ends the query
SELECT count(*) FROM bad_logs;
SELECT eventname FROM bad_logs;
-- skip_file: both bad files are skipped whole, with a warning each and a count
ALTER FOREIGN TABLE bad_logs OPTIONS (ADD on_error 'skip_file');
SELECT eventname, requestparameters->>'file' AS file, count(*) FROM bad_logs GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) FROM bad_logs;
SELECT explain_filter('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) SELECT * FROM bad_logs');
-- the session is fine afterwards
SELECT 1 AS still_alive;

-- a value that does not fit its column, both ways
CREATE SERVER types_trail2 FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'types');
CREATE FOREIGN TABLE bad_values2 (eventid text, eventtime timestamptz, readonly boolean)
  SERVER types_trail2 OPTIONS (location 'AWSLogs/999999999999');
SELECT eventid, eventtime FROM bad_values2;
ALTER FOREIGN TABLE bad_values2 OPTIONS (ADD on_error 'skip_file');
SELECT eventid, eventtime FROM bad_values2;
-- the whole mirror: the good file's rows all come back
ALTER FOREIGN TABLE bad_values2 OPTIONS (SET location 'AWSLogs');
SELECT count(*), min(eventid), max(eventid) FROM bad_values2;

DROP FOREIGN TABLE bad_logs, bad_values2;
DROP SERVER bad_trail, types_trail2;
