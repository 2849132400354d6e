-- The seed queries, as a user writes them, and the ways results get used.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

SELECT eventtime, eventname, awsregion, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC LIMIT 10;

SELECT eventtime, eventname, awsregion, errormessage, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE eventname LIKE 'ListBuckets' AND eventtime > '2018-11-14T12:00:00Z' AND errormessage <> ''
 ORDER BY eventtime DESC LIMIT 10;

SELECT eventtime, eventname, awsregion, errormessage, useridentity->>'userName' AS username
  FROM cloudtrail_logs
 WHERE sourceipaddress LIKE '203.0.113.5' AND eventtime > '2018-11-14T12:00:00Z'
 ORDER BY eventtime DESC;

-- the "temporary table" workflow
CREATE TABLE temp1 AS
  SELECT eventtime, eventname, awsregion, errorcode, errormessage, useridentity->>'userName' AS username
    FROM cloudtrail_logs
   WHERE eventtime > '2018-11-14T12:00:00Z' AND errorcode IS NOT NULL;
SELECT DISTINCT errormessage FROM temp1 ORDER BY 1;
SELECT count(*) FROM temp1;
DROP TABLE temp1;

-- joins, CTEs, subqueries
WITH logins AS (
  SELECT useridentity->>'userName' AS username, eventtime FROM cloudtrail_logs
   WHERE eventname = 'ConsoleLogin' AND errormessage IS NULL
)
SELECT l.username, count(*) AS later_calls
  FROM logins l JOIN cloudtrail_logs c
    ON c.useridentity->>'userName' = l.username AND c.eventtime > l.eventtime
 WHERE c.eventname <> 'ConsoleLogin'
 GROUP BY 1 ORDER BY 1;
SELECT eventname, count(*) FROM cloudtrail_logs GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT a.account_id, count(DISTINCT b.eventid)
  FROM (SELECT DISTINCT account_id FROM cloudtrail_logs) a
  JOIN cloudtrail_insights b ON b.recipientaccountid = a.account_id
 GROUP BY 1;

-- prepared statements and cursors
PREPARE by_name(text) AS
  SELECT count(*) FROM cloudtrail_logs WHERE eventname = $1;
EXECUTE by_name('ConsoleLogin');
EXECUTE by_name('ListBuckets');
SET plan_cache_mode = force_generic_plan;
EXECUTE by_name('Decrypt');
RESET plan_cache_mode;
DEALLOCATE by_name;
BEGIN;
DECLARE c SCROLL CURSOR FOR
  SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' ORDER BY eventtime;
FETCH 2 FROM c;
FETCH LAST FROM c;
FETCH BACKWARD 1 FROM c;
CLOSE c;
DECLARE d CURSOR FOR SELECT eventname FROM cloudtrail_logs;
FETCH 3 FROM d;
CLOSE d;
COMMIT;

-- a rescan on the inner side of a nested loop
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
EXPLAIN (COSTS OFF)
SELECT v.name, count(c.eventid)
  FROM (VALUES ('ConsoleLogin'), ('ListBuckets'), ('RunInstances')) v(name)
  LEFT JOIN cloudtrail_logs c ON c.eventname = v.name
 GROUP BY 1 ORDER BY 1;
SELECT v.name, count(c.eventid)
  FROM (VALUES ('ConsoleLogin'), ('ListBuckets'), ('RunInstances')) v(name)
  LEFT JOIN cloudtrail_logs c ON c.eventname = v.name
 GROUP BY 1 ORDER BY 1;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_material;

-- ANALYZE works and gives the planner the row count
ANALYZE cloudtrail_logs;
SELECT reltuples FROM pg_class WHERE relname = 'cloudtrail_logs';
SELECT explain_filter('EXPLAIN SELECT * FROM cloudtrail_logs');
