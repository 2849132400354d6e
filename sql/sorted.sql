-- The sorted scan: ORDER BY eventtime DESC reads files newest first and a
-- LIMIT stops it early.  Its answers equal a full scan and a Sort.
\getenv fixtures CT_FIXTURES
\set real :fixtures/real
\set types :fixtures/types
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
\pset null '(null)'

-- runs a query with the sorted scan on and off: rows, and whether both agree in order
CREATE FUNCTION sorted_both_ways(q text) RETURNS text LANGUAGE sql
  AS $$ SELECT two_ways(q, 'cloudtrail_fdw.enable_sorted_scan', 'on', 'off', true, 'Scan Order') $$;

CREATE FUNCTION files_read(q text) RETURNS SETOF text LANGUAGE sql
  AS $$ SELECT explain_lines(q, '(Scan Order|Sort Key|Partitions|Files|Rows Held|Limit|Foreign Scan)') $$;

-- the seed's first query: the newest files only
SELECT explain_filter($$EXPLAIN (COSTS OFF)
SELECT eventtime, eventname, awsregion, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC LIMIT 10$$);
SELECT files_read($$SELECT eventtime, eventname, awsregion, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC LIMIT 10$$);
SELECT files_read($$SELECT eventtime, eventname FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST LIMIT 10$$);

-- DESC means NULLS FIRST; IMPORT declares eventtime NOT NULL (the scan enforces
-- it), so plain DESC reads the newest files only
SELECT files_read($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 10$$);
-- a nullable eventtime: NULLs first needs every file, unless a condition excludes NULLs
CREATE FOREIGN TABLE nullable_logs (eventtime timestamptz, eventname text, eventid text) SERVER trail;
SELECT files_read($$SELECT eventtime FROM nullable_logs ORDER BY eventtime DESC LIMIT 10$$);
SELECT files_read($$SELECT eventtime FROM nullable_logs WHERE eventtime > '-infinity' ORDER BY eventtime DESC LIMIT 10$$);
SELECT files_read($$SELECT eventtime FROM nullable_logs ORDER BY eventtime DESC NULLS LAST LIMIT 10$$);
-- ascending order is never offered
SELECT files_read($$SELECT eventtime FROM cloudtrail_logs WHERE eventtime > '2018-11-15' ORDER BY eventtime LIMIT 3$$);

-- the same rows in the same order as a full scan and a Sort, for many limits and filters
SELECT q, sorted_both_ways(q) FROM (VALUES
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 1$$),
  ($$SELECT eventtime, eventid FROM cloudtrail_logs ORDER BY eventtime DESC, eventid LIMIT 10$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 120$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC$$),
  ($$SELECT eventtime, eventid FROM nullable_logs ORDER BY eventtime DESC NULLS LAST, eventid LIMIT 40$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST LIMIT 1$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST LIMIT 7$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST LIMIT 50$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST LIMIT 200$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST$$),
  ($$SELECT eventtime, eventid FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST, eventid LIMIT 100$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z' ORDER BY eventtime DESC LIMIT 10$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname = 'ListBuckets' AND eventtime > '2018-11-14T12:00:00Z' AND errormessage <> '' ORDER BY eventtime DESC LIMIT 10$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE sourceipaddress = '203.0.113.5' AND eventtime > '2018-11-14T12:00:00Z' ORDER BY eventtime DESC$$),
  ($$SELECT eventtime, region FROM cloudtrail_logs WHERE region = 'eu-west-1' AND eventtime >= '2018-11-13' ORDER BY eventtime DESC LIMIT 15$$),
  ($$SELECT eventtime FROM cloudtrail_logs WHERE eventtime BETWEEN '2018-11-14 23:00' AND '2018-11-15 01:00' ORDER BY eventtime DESC$$),
  ($$SELECT eventtime FROM cloudtrail_logs WHERE eventtime < '2018-11-14 00:10' ORDER BY eventtime DESC NULLS LAST LIMIT 5$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE account_id = '444455556666' ORDER BY eventtime DESC NULLS LAST, eventname LIMIT 30$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname IN ('Decrypt', 'GetObject') ORDER BY eventtime DESC NULLS LAST, eventname LIMIT 25$$)
) v(q);

-- ties: equal eventtimes come out together; with a second key the order is exact
SELECT eventtime, count(*) FROM cloudtrail_logs GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 DESC LIMIT 3;
SELECT sorted_both_ways($$SELECT eventtime, eventid FROM cloudtrail_logs WHERE eventtime > '2018-11-13' ORDER BY eventtime DESC, eventid DESC LIMIT 120$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT eventtime, eventid FROM cloudtrail_logs WHERE eventtime > '2018-11-13' ORDER BY eventtime DESC, eventid DESC LIMIT 120$$);

-- late delivery: a record delivered 27 hours after it happened is placed correctly
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (ADD max_delivery_delay 'unbounded');
SELECT eventtime, eventname, delivery_time FROM cloudtrail_logs
 WHERE eventtime < '2018-11-13 10:30' ORDER BY eventtime DESC LIMIT 4;
SELECT sorted_both_ways($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime < '2018-11-13 12:00' ORDER BY eventtime DESC LIMIT 10$$);
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (DROP max_delivery_delay);

-- parameters and rescans
PREPARE newest(timestamptz, int) AS
  SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime > $1 ORDER BY eventtime DESC LIMIT $2;
SET plan_cache_mode = force_generic_plan;
EXECUTE newest('2018-11-15 10:00', 3);
EXECUTE newest('2018-11-13 00:00', 2);
RESET plan_cache_mode;
DEALLOCATE newest;
SELECT r.region, l.eventtime, l.eventname
  FROM (VALUES ('us-east-1'), ('eu-west-1'), ('ap-southeast-2')) r(region),
  LATERAL (SELECT eventtime, eventname FROM cloudtrail_logs c
            WHERE c.region = r.region AND c.eventtime > '2018-11-13'
            ORDER BY eventtime DESC LIMIT 2) l
 ORDER BY 1, 2 DESC;

-- cursors: a sorted scan can be fetched in steps
BEGIN;
DECLARE c CURSOR FOR SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime > '2018-11-15' ORDER BY eventtime DESC;
FETCH 3 FROM c;
FETCH 2 FROM c;
CLOSE c;
COMMIT;

-- real records: NULL eventtimes (the OTRF set writes @timestamp) come last
CREATE SERVER real_sorted FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'real');
CREATE FOREIGN TABLE real_logs (eventtime timestamptz, eventname text, eventid text) SERVER real_sorted;
SELECT sorted_both_ways($$SELECT eventtime, eventid FROM real_logs ORDER BY eventtime DESC NULLS LAST, eventid$$);
SELECT eventtime IS NULL AS null_time, count(*) FROM
  (SELECT eventtime FROM real_logs ORDER BY eventtime DESC NULLS LAST LIMIT 320) s GROUP BY 1 ORDER BY 1;
SELECT files_read($$SELECT eventtime, eventname FROM real_logs ORDER BY eventtime DESC NULLS LAST LIMIT 3$$);
SELECT eventtime, eventname FROM real_logs ORDER BY eventtime DESC NULLS LAST LIMIT 3;
-- declared NOT NULL, a record without eventTime is an error, never a silent NULL;
-- like any constraint on a foreign table it is assumed for the files not read
CREATE FOREIGN TABLE real_notnull (eventtime timestamptz NOT NULL, eventname text) SERVER real_sorted;
SELECT eventtime, eventname FROM real_notnull ORDER BY eventtime DESC LIMIT 3;
SELECT eventtime, eventname FROM real_notnull ORDER BY eventtime DESC;
\echo :LAST_ERROR_SQLSTATE
DROP FOREIGN TABLE real_notnull;
DROP FOREIGN TABLE real_logs;
DROP SERVER real_sorted;

-- a mirror that breaks the rule eventTime <= delivery time is refused, not mis-sorted
CREATE SERVER skew_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'types');
CREATE FOREIGN TABLE skewed (eventtime timestamptz, eventid text, delivery_time timestamptz)
  SERVER skew_trail OPTIONS (location 'AWSLogs/888888888888');
SELECT eventtime, eventid, delivery_time FROM skewed ORDER BY eventtime DESC NULLS LAST;
SET cloudtrail_fdw.enable_sorted_scan = off;
SELECT eventtime, eventid, delivery_time FROM skewed ORDER BY eventtime DESC NULLS LAST;
RESET cloudtrail_fdw.enable_sorted_scan;
DROP FOREIGN TABLE skewed;
DROP SERVER skew_trail;
DROP FOREIGN TABLE nullable_logs;
