-- Parallel scans: the leader lists the files once, workers claim them.
-- Every fixture query gives the same rows in parallel and not.
\getenv fixtures CT_FIXTURES
\set real :fixtures/real
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- runs a query in a parallel plan and in a serial one: rows, agreement, and the plan used
CREATE FUNCTION parallel_both_ways(q text) RETURNS text LANGUAGE sql
  AS $$ SELECT two_ways(q, 'max_parallel_workers_per_gather', '2', '0', false, 'Parallel Foreign Scan') $$;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

SELECT explain_filter('EXPLAIN (COSTS OFF) SELECT count(*) FROM cloudtrail_logs');
-- the counters of EXPLAIN ANALYZE add up the leader's and the workers'
SELECT explain_filter($$EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF)
  SELECT eventid FROM cloudtrail_logs WHERE eventtime > '2018-11-14'$$);
SELECT count(*) FROM cloudtrail_logs;

SELECT q, parallel_both_ways(q) FROM (VALUES
  ($$SELECT eventid, eventtime, eventname, awsregion, useridentity, log_file FROM cloudtrail_logs$$),
  ($$SELECT * FROM cloudtrail_logs WHERE eventname LIKE 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z'$$),
  ($$SELECT eventtime, errormessage FROM cloudtrail_logs WHERE eventname LIKE 'ListBuckets' AND eventtime > '2018-11-14T12:00:00Z' AND errormessage <> ''$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE sourceipaddress LIKE '203.0.113.5' AND eventtime > '2018-11-14T12:00:00Z'$$),
  ($$SELECT eventname, count(*) FROM cloudtrail_logs GROUP BY 1$$),
  ($$SELECT region, delivery_date, count(*) FROM cloudtrail_logs WHERE account_id = '111122223333' GROUP BY 1, 2$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE eventtime < '2018-11-14 06:00'$$),
  ($$SELECT event FROM cloudtrail_logs WHERE useridentity->>'userName' IN ('alice', 'bob')$$)
) v(q);

-- no more participants than CPUs (cloudtrail_fdw.parallel_cpus, 64 in this
-- suite): the leader counts as one, unless the workers' rows keep it busy
-- (all rows of the table; not those of an aggregate computed in parts)
CREATE FUNCTION workers_planned(q text, cpus text, leader text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  ln text;
  res text := 'serial';
BEGIN
  PERFORM set_config('cloudtrail_fdw.parallel_cpus', cpus, true);
  PERFORM set_config('parallel_leader_participation', leader, true);
  FOR ln IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    IF ln ~ 'Workers Planned' THEN res := regexp_replace(ln, '^\s+', ''); END IF;
  END LOOP;
  RETURN res;
END $$;
SELECT c AS cpus, l AS leader, q, workers_planned(q, c, l) FROM (VALUES
  ($$SELECT count(*) FROM cloudtrail_logs$$),
  ($$SELECT eventname, count(*) FROM cloudtrail_logs GROUP BY 1$$),
  ($$SELECT count(DISTINCT eventname) FROM cloudtrail_logs$$),
  ($$SELECT eventid FROM cloudtrail_logs$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin'$$)) v(q),
  (VALUES ('64', 'on'), ('2', 'on'), ('2', 'off'), ('1', 'on')) x(c, l)
ORDER BY c::int DESC, l DESC, q;
SET cloudtrail_fdw.parallel_cpus = 2;
SELECT q, parallel_both_ways(q) FROM (VALUES
  ($$SELECT count(*) FROM cloudtrail_logs$$),
  ($$SELECT eventname, count(*) FROM cloudtrail_logs GROUP BY 1$$),
  ($$SELECT eventid, eventtime FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin'$$)) v(q);
RESET cloudtrail_fdw.parallel_cpus;
DROP FUNCTION workers_planned(text, text, text);

-- parameters of a prepared statement reach the workers
PREPARE p(text) AS SELECT count(*) FROM cloudtrail_logs WHERE eventname = $1;
SET plan_cache_mode = force_generic_plan;
SELECT explain_filter('EXPLAIN (COSTS OFF) EXECUTE p(''Decrypt'')');
EXECUTE p('Decrypt');
EXECUTE p('ConsoleLogin');
RESET plan_cache_mode;
DEALLOCATE p;

-- a rescan of a parallel scan (the inner side of a nested loop, under Gather)
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT v.name, count(c.eventid)
  FROM (VALUES ('ConsoleLogin'), ('ListBuckets')) v(name)
  JOIN cloudtrail_logs c ON c.eventname = v.name
 GROUP BY 1 ORDER BY 1;
RESET enable_hashjoin;
RESET enable_mergejoin;

-- the sorted scan in parallel: participants claim delivery days newest first, each
-- participant returns its rows in eventtime order, a Gather Merge merges them
CREATE FUNCTION sorted_parallel(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  plan text := (SELECT string_agg(l, E'\n') FROM explain_filter('EXPLAIN (COSTS OFF) ' || q) l);
BEGIN
  RETURN two_ways(q, 'cloudtrail_fdw.enable_sorted_scan', 'on', 'off', true)
    || CASE WHEN plan ~ 'Gather Merge' AND plan ~ 'Parallel Foreign Scan' AND plan ~ 'Scan Order'
            THEN ', parallel sorted scan' ELSE ', NOT a parallel sorted scan' END;
END
$$;
SELECT explain_filter($$EXPLAIN (COSTS OFF)
  SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname LIKE 'Get%' ORDER BY eventtime DESC LIMIT 5$$);
-- the same rows in the same order as a parallel scan and a Sort
SELECT q, sorted_parallel(q) FROM (VALUES
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 1$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 25$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 300$$),
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 100000$$),
  ($$SELECT eventtime, eventid FROM cloudtrail_logs ORDER BY eventtime DESC, eventid LIMIT 50$$),
  ($$SELECT eventtime, eventid, awsregion FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST, eventid DESC LIMIT 80$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname LIKE 'Get%' ORDER BY eventtime DESC, eventid LIMIT 5$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z' ORDER BY eventtime DESC, eventid LIMIT 10$$),
  ($$SELECT eventtime FROM cloudtrail_logs WHERE eventtime < '2018-11-14 00:10' ORDER BY eventtime DESC LIMIT 12$$),
  ($$SELECT eventtime, eventname, delivery_time FROM cloudtrail_logs WHERE eventtime < '2018-11-13 10:30' ORDER BY eventtime DESC, eventid LIMIT 4$$),
  ($$SELECT eventtime, region FROM cloudtrail_logs WHERE region = 'eu-west-1' ORDER BY eventtime DESC, eventid LIMIT 15$$)
) v(q);
-- the record delivered 27 hours late (read with the newer files) takes its place by eventtime
SELECT eventtime, eventname, delivery_time FROM cloudtrail_logs
 WHERE eventtime < '2018-11-13 10:30' ORDER BY eventtime DESC, eventid LIMIT 4;
-- every file is read by exactly one participant
SELECT explain_lines($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 100000$$,
                     '(Gather Merge|Scan Order|Files|Foreign Scan)');
-- without a LIMIT every row goes through the Gather Merge newest first, and
-- a participant on older files waits for the one on the newest: a parallel
-- plain scan under a Sort is costed cheaper (and is, on the benchmark mirror)
SELECT q, sorted_parallel(q) FROM (VALUES
  ($$SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC$$),
  ($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname LIKE 'Get%' ORDER BY eventtime DESC, eventid$$)
) v(q);
SELECT explain_filter($$EXPLAIN (COSTS OFF)
  SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventname LIKE 'Get%' ORDER BY eventtime DESC$$);

-- real records
CREATE SERVER real_par FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'real');
CREATE FOREIGN TABLE real_logs (eventtime timestamptz, eventname text, eventid text, event jsonb, region text)
  SERVER real_par;
SELECT parallel_both_ways($$SELECT * FROM real_logs$$);
SELECT parallel_both_ways($$SELECT eventname, count(*) FROM real_logs GROUP BY 1$$);
-- NULL eventtimes (the OTRF set writes @timestamp) come last from every participant
SELECT sorted_parallel($$SELECT eventtime, eventid FROM real_logs ORDER BY eventtime DESC NULLS LAST, eventid LIMIT 100000$$);
SELECT sorted_parallel($$SELECT eventtime FROM real_logs ORDER BY eventtime DESC NULLS LAST LIMIT 200$$);
DROP FOREIGN TABLE real_logs;
DROP SERVER real_par;
