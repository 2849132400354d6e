-- CloudTrail-Digest files as an index of event times: a file delivered after
-- an upper bound on eventtime is skipped when its digest shows it holds
-- nothing that old.  The fixture (tools/gen_fixtures.py, build_digests) has
-- late records, an hour without a digest, unreadable digests, a backfill
-- digest, a digest that understates its file's oldest record, a digest
-- folder linked out of the root, and an organization trail under a prefix.
\getenv fixtures CT_FIXTURES
\set droot :fixtures/digests/mirror
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE SERVER digest_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'droot');
CREATE SCHEMA dg;
IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER digest_trail INTO dg;
-- the same files, read without digests
CREATE FOREIGN TABLE dg.nodigest (eventtime timestamptz, eventname text, eventid text,
                                  org_id text, region text, delivery_time timestamptz)
  SERVER digest_trail OPTIONS (use_digests 'false');
SET search_path = dg, public;

-- option values
CREATE FOREIGN TABLE bad_opt (eventname text) SERVER digest_trail OPTIONS (use_digests 'maybe');
ALTER SERVER digest_trail OPTIONS (ADD use_digests 'on');
ALTER SERVER digest_trail OPTIONS (DROP use_digests);

SELECT count(*) FROM cloudtrail_logs;

-- Everything before 2019-06-01 12:00: of the 40 files, 26 were delivered
-- after the bound and their digests show nothing that old.  The late record
-- delivered 2019-06-02 15:05 is in a file its digest keeps; the unreadable
-- digests are reported once (the first by name) and their files read.
SELECT explain_lines($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime < '2019-06-01 12:00'$$,
                     '(Pushed|Partitions|Files|Records)');
SELECT eventtime, eventname, delivery_time FROM cloudtrail_logs
 WHERE eventtime < '2019-06-01 12:00' AND eventname <> 'DescribeInstances';
-- a second scan in the same session does not warn again
SELECT count(*) FROM cloudtrail_logs WHERE eventtime < '2019-06-01 12:00';
SELECT count(*) FROM nodigest WHERE eventtime < '2019-06-01 12:00';
SELECT explain_lines($$SELECT * FROM nodigest WHERE eventtime < '2019-06-01 12:00'$$, 'Files');

-- The same rows with and without digests, for windows across the mirror
-- (the file of 2019-06-03 19:05 is left out of the windows its digest
-- misstates: see below).
SELECT lo, hi,
       (SELECT count(*) FROM cloudtrail_logs WHERE eventtime >= lo AND eventtime < hi) AS rows,
       (SELECT count(*) FROM (
          (SELECT eventid FROM cloudtrail_logs WHERE eventtime >= lo AND eventtime < hi
           EXCEPT ALL SELECT eventid FROM nodigest WHERE eventtime >= lo AND eventtime < hi)
          UNION ALL
          (SELECT eventid FROM nodigest WHERE eventtime >= lo AND eventtime < hi
           EXCEPT ALL SELECT eventid FROM cloudtrail_logs WHERE eventtime >= lo AND eventtime < hi)) d) AS differ
  FROM (VALUES ('2019-06-01 00:00'::timestamptz, '2019-06-01 06:00'::timestamptz),
               ('2019-06-01 10:00', '2019-06-01 11:00'),
               ('2019-06-01 23:00', '2019-06-02 00:00:00'),
               ('2019-06-01 23:59:30', '2019-06-01 23:59:31'),
               ('2019-06-02 04:00', '2019-06-02 06:00'),
               ('2019-06-02 10:00', '2019-06-02 14:00'),
               ('2019-06-02 00:00', '2019-06-03 00:00'),
               ('2019-06-03 00:00', '2019-06-03 18:00'),
               ('-infinity', '2019-06-03 18:00')) w(lo, hi)
 ORDER BY lo, hi;

-- inclusive and exclusive bounds at a file's oldest record (2019-06-02
-- 16:30:00, delivered 17:05): <= keeps the file, < skips it
SELECT explain_lines($$SELECT count(*) FROM cloudtrail_logs WHERE eventtime <= '2019-06-02 16:30' AND eventtime > '2019-06-02 16:00'$$, 'Files');
SELECT count(*) FROM cloudtrail_logs WHERE eventtime <= '2019-06-02 16:30' AND eventtime > '2019-06-02 16:00';
SELECT explain_lines($$SELECT count(*) FROM cloudtrail_logs WHERE eventtime < '2019-06-02 16:30' AND eventtime > '2019-06-02 16:00'$$, 'Files');
SELECT count(*) FROM cloudtrail_logs WHERE eventtime < '2019-06-02 16:30' AND eventtime > '2019-06-02 16:00';

-- The backfill digest lists the file of 2019-06-02 07:05 again with an
-- oldest time of 2019-06-01 12:00: the wider span counts, so that file is
-- read for a window that includes 2019-06-01 12:00 (it holds nothing
-- there), and skipped for one that ends just before.
SELECT explain_lines($$SELECT * FROM cloudtrail_logs WHERE eventtime >= '2019-06-01 11:45' AND eventtime <= '2019-06-01 12:00'$$, 'Files');
SELECT explain_lines($$SELECT * FROM cloudtrail_logs WHERE eventtime >= '2019-06-01 11:45' AND eventtime < '2019-06-01 12:00'$$, 'Files');

-- Digests are trusted: the digest of the file delivered 2019-06-03 19:05
-- gives 18:58 as its oldest time, but the file holds a record of 18:50.
SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime < '2019-06-03 18:55' AND eventname = 'Hidden';
SELECT eventtime, eventname FROM nodigest WHERE eventtime < '2019-06-03 18:55' AND eventname = 'Hidden';

-- A misstatement is found when the file is read after all: with a bound of
-- 19:00 the digest's 18:58 keeps the file, whose record of 18:50 is outside
-- what the digest says, so the answer (other files skipped by digests) is in
-- doubt: an error, whatever on_error says.
SELECT count(*) FROM cloudtrail_logs WHERE eventtime < '2019-06-03 19:00';
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (ADD on_error 'skip_file');
SELECT count(*) FROM cloudtrail_logs WHERE eventtime < '2019-06-03 19:00';
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (DROP on_error);
SELECT count(*) FROM nodigest WHERE eventtime < '2019-06-03 19:00';

-- The organization trail's digests sit beside its own tree; the account's
-- eu-west-1 digest folder links out of the root, so it is not read (were it
-- read, it would skip both of that region's files).
SELECT explain_lines($$SELECT org_id, count(*) FROM cloudtrail_logs WHERE region = 'eu-west-1' AND eventtime < '2019-06-02 09:00' GROUP BY 1$$,
                     '(Files|Partitions:)');
SELECT org_id, count(*) FROM cloudtrail_logs WHERE region = 'eu-west-1' AND eventtime < '2019-06-02 09:00' GROUP BY 1 ORDER BY 1;
SELECT org_id, count(*) FROM nodigest WHERE region = 'eu-west-1' AND eventtime < '2019-06-02 09:00' GROUP BY 1 ORDER BY 1;

-- Entries a digest lists but says nothing usable of (a time that is not one,
-- an s3Object that is not a string, oldest after newest) are ignored, so of
-- the files of 2019-06-02 delivered after the bound, those of 19:05 and 21:05
-- are read with those of 13:05 (its digest is not one) and 15:05 (a late
-- record); those of 17:05 and 23:05 (an s3Object without folders) are skipped.
CREATE FOREIGN TABLE day2 (eventtime timestamptz, eventname text, delivery_time timestamptz)
  SERVER digest_trail OPTIONS (location 'AWSLogs/333344445555/CloudTrail/us-east-1/2019/06/02');
SELECT explain_lines($$SELECT * FROM day2 WHERE eventtime < '2019-06-02 12:00'$$, 'Files');
SELECT delivery_time, count(*) FROM day2 WHERE eventtime < '2019-06-02 12:00' GROUP BY 1 ORDER BY 1;
DROP FOREIGN TABLE day2;

-- a lower bound alone never looks at digests
SELECT explain_lines($$SELECT * FROM cloudtrail_logs WHERE eventtime > '2019-06-03 12:00'$$, 'Files');

-- sorted scans read the files digests leave, newest first
SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime < '2019-06-02 00:00' ORDER BY eventtime DESC LIMIT 3;
SELECT explain_lines($$SELECT eventtime, eventname FROM cloudtrail_logs WHERE eventtime < '2019-06-02 00:00' ORDER BY eventtime DESC LIMIT 3$$,
                     '(Scan Order|Files)');

-- and give what a full scan and a Sort give, for windows and limits across
-- the late records and their ties (digests on in both)
SELECT l, hi, two_ways(format('SELECT eventtime, eventid FROM cloudtrail_logs WHERE eventtime < %L ORDER BY eventtime DESC, eventid DESC LIMIT %s', hi, l),
                       'cloudtrail_fdw.enable_sorted_scan', 'on', 'off', true, 'Scan Order')
  FROM (VALUES (1), (3), (8), (40)) n(l),
       (VALUES ('2019-06-01 11:00'), ('2019-06-02 00:00'), ('2019-06-02 05:30'), ('2019-06-03 10:00')) h(hi)
 ORDER BY hi, l;

-- a bound known only when the scan starts (a parameter of a generic plan)
-- skips by digests then; so does a parallel scan, each participant in the
-- folders it claims (which of them warns of a bad digest varies: not shown)
PREPARE before(timestamptz) AS SELECT count(*) FROM cloudtrail_logs WHERE eventtime < $1;
SET plan_cache_mode = force_generic_plan;
SELECT explain_lines($$EXECUTE before('2019-06-01 12:00')$$, '(Files|Run Time)');
EXECUTE before('2019-06-01 12:00');
RESET plan_cache_mode;
DEALLOCATE before;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET client_min_messages = error;
SELECT explain_lines($$SELECT count(*) FROM cloudtrail_logs WHERE eventtime < '2019-06-01 12:00'$$, '(Gather|Files)');
SELECT count(*) FROM cloudtrail_logs WHERE eventtime < '2019-06-01 12:00';
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET client_min_messages;
RESET min_parallel_table_scan_size;

-- EXPLAIN in a structured format always names the count
SELECT regexp_replace(x, '^\s+', '') FROM
  explain_filter($$EXPLAIN (COSTS OFF, FORMAT YAML) SELECT * FROM cloudtrail_logs WHERE eventtime < '2019-06-01 12:00'$$) l,
  unnest(string_to_array(l, E'\n')) x
 WHERE x ~ 'Files';

-- Digests added to a folder are seen by the next scan of the session.  In a
-- copy of the mirror made by the server's user, the digests of 2019-06-03
-- 01:01 to 07:01 are moved out of their folder, and back.
SELECT format('cat >/dev/null; rm -rf /tmp/cloudtrail_fdw_digests && mkdir -p /tmp/cloudtrail_fdw_digests && cp -R %s/AWSLogs /tmp/cloudtrail_fdw_digests/', :'droot') AS copy \gset
\set dday /tmp/cloudtrail_fdw_digests/AWSLogs/333344445555/CloudTrail-Digest/us-east-1/2019/06/03
SELECT format('cat >/dev/null; mkdir %s.away && mv %s/*_20190603T0[1-7]0130Z.json.gz %s.away/', :'dday', :'dday', :'dday') AS hide,
       format('cat >/dev/null; mv %s.away/* %s/ && rmdir %s.away', :'dday', :'dday', :'dday') AS restore \gset
COPY (SELECT 1) TO PROGRAM :'copy';
CREATE SERVER digest_copy FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/tmp/cloudtrail_fdw_digests');
CREATE FOREIGN TABLE copied (eventtime timestamptz) SERVER digest_copy;
SELECT explain_lines($$SELECT * FROM copied WHERE eventtime < '2019-06-02 12:00'$$, 'Files');
COPY (SELECT 1) TO PROGRAM :'hide';
SELECT explain_lines($$SELECT * FROM copied WHERE eventtime < '2019-06-02 12:00'$$, 'Files');
COPY (SELECT 1) TO PROGRAM :'restore';
SELECT explain_lines($$SELECT * FROM copied WHERE eventtime < '2019-06-02 12:00'$$, 'Files');
SELECT count(*) FROM copied WHERE eventtime < '2019-06-02 12:00';
DROP SERVER digest_copy CASCADE;
COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; rm -rf /tmp/cloudtrail_fdw_digests';

RESET search_path;
DROP SERVER digest_trail CASCADE;
