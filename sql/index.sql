-- The persistent index: refresh_index() and index_info(), what scans skip
-- with it, and that it never changes an answer: every query the suite
-- compared (two_ways() kept them in suite_queries) is compared again with
-- the index on and off, then staleness, corruption and privileges.
\getenv fixtures CT_FIXTURES
\set main :fixtures/main
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET cloudtrail_fdw_test.record = off;

-- an index for every root the suite's tables read (a table whose location
-- is one file cannot refresh: it is counted)
CREATE FUNCTION refresh_all(OUT refreshed int, OUT refused int) LANGUAGE plpgsql AS $$
DECLARE
  t regclass;
BEGIN
  refreshed := 0;
  refused := 0;
  FOR t IN SELECT c.oid::regclass FROM pg_class c
             JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
             JOIN pg_foreign_server s ON s.oid = ft.ftserver
             JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
            WHERE w.fdwname = 'cloudtrail_fdw' ORDER BY c.oid LOOP
    BEGIN
      PERFORM cloudtrail_fdw.refresh_index(t);
      refreshed := refreshed + 1;
    EXCEPTION WHEN OTHERS THEN
      refused := refused + 1;
    END;
  END LOOP;
END
$$;
SET client_min_messages = error;
SELECT * FROM refresh_all();
RESET client_min_messages;

-- the suite's queries, index on and off: how many ran, and any that differ
SET client_min_messages = error;
SELECT compared > 150 AS many, differing FROM replay_suite('cloudtrail_fdw.enable_index');
RESET client_min_messages;

-- The rest on a copy of the main mirror, which the server's user changes.
SELECT format('cat >/dev/null; rm -rf /tmp/cloudtrail_fdw_index && mkdir -p /tmp/cloudtrail_fdw_index && cp -R %s/AWSLogs %s/my-prefix /tmp/cloudtrail_fdw_index/', :'main', :'main') AS copy \gset
COPY (SELECT 1) TO PROGRAM :'copy';
CREATE SERVER ix FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/tmp/cloudtrail_fdw_index');
CREATE SCHEMA ix;
IMPORT FOREIGN SCHEMA cloudtrail LIMIT TO (cloudtrail_logs) FROM SERVER ix INTO ix;
SET search_path = ix, public;
SELECT index_file ~ '/pg_cloudtrail_fdw/[0-9a-f]{16}\.idx$' AS in_pgdata, index_bytes, folders, files
  FROM cloudtrail_fdw.index_info('cloudtrail_logs');
-- first build, then nothing to do
SELECT folders_seen, folders_added, folders_changed, folders_removed, files_seen, files_added,
       files_changed, files_removed, files_bad, bytes_read > 0 AS read, index_bytes > 0 AS written
  FROM cloudtrail_fdw.refresh_index('cloudtrail_logs');
CREATE TEMP TABLE index_inode (ino text);
SELECT format('stat -c %%i %s', index_file) AS stat_index FROM cloudtrail_fdw.index_info('cloudtrail_logs') \gset
COPY index_inode FROM PROGRAM :'stat_index';
SELECT folders_seen, folders_added, folders_changed, folders_removed, files_seen, files_added,
       files_changed, files_removed, files_bad, bytes_read
  FROM cloudtrail_fdw.refresh_index('cloudtrail_logs');
-- and with nothing new the index file is left as it was (not written again)
COPY index_inode FROM PROGRAM :'stat_index';
SELECT count(DISTINCT ino) AS versions FROM index_inode;
DROP TABLE index_inode;
SELECT index_bytes > 0 AS has_bytes, folders, files FROM cloudtrail_fdw.index_info('cloudtrail_logs');
-- built by parallel workers (max_parallel_maintenance_workers) or by the
-- leader alone, the index is the same: its bytes are compared
SELECT format('cat >/dev/null; cp %s %s.parallel', index_file, index_file) AS keep_copy,
       format('cat >/dev/null; rm %s', index_file) AS drop_index,
       format('cat >/dev/null; cmp %s %s.parallel && rm %s.parallel', index_file, index_file, index_file) AS compare_copy
  FROM cloudtrail_fdw.index_info('cloudtrail_logs') \gset
COPY (SELECT 1) TO PROGRAM :'keep_copy';
COPY (SELECT 1) TO PROGRAM :'drop_index';
SET max_parallel_maintenance_workers = 0;
SELECT folders_added, files_added FROM cloudtrail_fdw.refresh_index('cloudtrail_logs');
RESET max_parallel_maintenance_workers;
COPY (SELECT 1) TO PROGRAM :'compare_copy';

-- what the index skips, in EXPLAIN: a needle, an event name, an hour
CREATE FUNCTION public.ix_lines(q text) RETURNS SETOF text LANGUAGE sql
  AS $$ SELECT explain_lines(q, '(Files|Index|Records:)') $$;
SELECT ix_lines($$SELECT * FROM cloudtrail_logs WHERE useridentity->>'accessKeyId' = 'AKIARCAVIQK43AHEJCXJ'$$);
SELECT ix_lines($$SELECT * FROM cloudtrail_logs WHERE eventname IN ('ConsoleLogin', 'CreateUser')$$);
SELECT ix_lines($$SELECT * FROM cloudtrail_logs WHERE eventtime >= '2018-11-14 10:00' AND eventtime < '2018-11-14 11:00'$$);
SELECT ix_lines($$SELECT * FROM cloudtrail_logs WHERE sourceipaddress = '203.0.113.250'$$);
-- a nested key path (sessionContext.sessionIssuer.userName is indexed)
SELECT ix_lines($$SELECT * FROM cloudtrail_logs WHERE useridentity->'sessionContext'->'sessionIssuer'->>'userName' = 'Admin'$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF, FORMAT JSON) SELECT * FROM cloudtrail_logs WHERE requestparameters->>'bucketName' = 'data-6666-us-east-1'$$);
-- planning takes the partitions from the index, pruned and counted as a
-- walk of the folders does
CREATE FUNCTION plan_parts(q text, use_index text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  ln text;
  res text;
  old text := current_setting('cloudtrail_fdw.enable_index');
BEGIN
  PERFORM set_config('cloudtrail_fdw.enable_index', use_index, true);
  FOR ln IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    IF ln ~ 'Partitions' THEN res := regexp_replace(ln, '^\s+', ''); END IF;
  END LOOP;
  PERFORM set_config('cloudtrail_fdw.enable_index', old, true);
  RETURN res;
END $$;
SELECT q, plan_parts(q, 'on') AS index_on, plan_parts(q, 'off') AS index_off FROM (VALUES
  ($$SELECT * FROM cloudtrail_logs WHERE eventtime >= '2018-11-14 10:00' AND eventtime < '2018-11-14 11:00'$$),
  ($$SELECT * FROM cloudtrail_logs WHERE delivery_date = '2018-11-15' AND account_id = '111122223333'$$),
  ($$SELECT * FROM cloudtrail_logs WHERE region = 'eu-west-1'$$)) v(q);
DROP FUNCTION plan_parts(text, text);

-- the same questions, and more, with the index on and off
SELECT q, two_ways(q, 'cloudtrail_fdw.enable_index', 'on', 'off') FROM (VALUES
  ($$SELECT eventid FROM cloudtrail_logs WHERE useridentity->>'accessKeyId' = 'AKIARCAVIQK43AHEJCXJ'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE useridentity->>'accessKeyId' IN ('AKIARCAVIQK43AHEJCXJ', 'ASIAII6KQ3NMTZX44HPO', 'nope')$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE event->'userIdentity'->>'accessKeyId' = 'AKIARCAVIQK43AHEJCXJ'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE useridentity->>'accessKeyId' = ''$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE sourceipaddress = '34.241.7.9'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE sourceipaddress = ANY (ARRAY['192.0.2.10', '192.0.2.44'])$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND errorcode IS NULL$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE errorcode = 'AccessDenied'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE eventsource = 'iam.amazonaws.com' AND eventname = 'CreateUser'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE recipientaccountid = '444455556666'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE useridentity->>'arn' LIKE 'arn:aws:iam::%'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE useridentity->'sessionContext'->'sessionIssuer'->>'userName' = 'Admin'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE requestparameters->>'bucketName' = 'data-3333-us-east-1'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE eventtime >= '2018-11-14 10:00' AND eventtime < '2018-11-14 11:00'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE eventtime > '2018-11-15 06:00'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE eventtime <= '2018-11-13 23:59:59'$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE eventtime::date = '2018-11-14' AND eventname = 'Decrypt'$$)) v(q);
SELECT two_ways($$SELECT eventtime, eventid FROM cloudtrail_logs WHERE eventname = 'GetObject' ORDER BY eventtime DESC, eventid LIMIT 5$$,
                'cloudtrail_fdw.enable_index', 'on', 'off', true);

-- Staleness.  Each change is made after the refresh; the index is not used
-- for what it no longer describes, and the answers stay those without it.
CREATE FUNCTION public.both_index(q text) RETURNS text LANGUAGE sql
  AS $$ SELECT two_ways(q, 'cloudtrail_fdw.enable_index', 'on', 'off') $$;
\set dday /tmp/cloudtrail_fdw_index/AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/14
SELECT $$SELECT eventid, eventname FROM cloudtrail_logs WHERE useridentity->>'accessKeyId' = 'AKIAPLANTEDNEEDLE001'$$ AS needle \gset
SELECT both_index(:'needle');
-- a new file in an indexed folder, holding the needle
SELECT format($f$cat >/dev/null; python3 -c "import gzip,json; open('%s/111122223333_CloudTrail_us-east-1_20181114T2355Z_newnewnewnew0001.json.gz','wb').write(gzip.compress(json.dumps({'Records':[{'eventVersion':'1.08','eventTime':'2018-11-14T23:50:00Z','eventName':'ListBuckets','eventID':'planted-1','userIdentity':{'type':'IAMUser','accessKeyId':'AKIAPLANTEDNEEDLE001'}}]}).encode(), mtime=0))"$f$, :'dday') AS add_file \gset
COPY (SELECT 1) TO PROGRAM :'add_file';
SELECT both_index(:'needle');
SELECT ix_lines(:'needle');
-- a file rewritten in place under the same name, now holding the needle
SELECT format($f$cat >/dev/null; python3 -c "import gzip,json,sys,glob; f=open(glob.glob(sys.argv[1])[0],'r+b'); f.write(gzip.compress(json.dumps({'Records':[{'eventVersion':'1.08','eventTime':'2018-11-14T12:01:00Z','eventName':'GetObject','eventID':'planted-2','userIdentity':{'type':'IAMUser','accessKeyId':'AKIAPLANTEDNEEDLE001'}}]}).encode(), mtime=0)); f.truncate(); f.close()" '%s/*T1210Z*'$f$, :'dday') AS rewrite \gset
SELECT cloudtrail_fdw.refresh_index('cloudtrail_logs') IS NOT NULL AS refreshed;
COPY (SELECT 1) TO PROGRAM :'rewrite';
SELECT both_index(:'needle');
SELECT ix_lines(:'needle');
-- index_check 'folders' trusts a folder whose time is unchanged: exact for
-- a mirror written by aws s3 sync, which renames every file into place, but
-- blind to a file rewritten in place, as here (the needle's second row)
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (ADD index_check 'folders');
SELECT both_index(:'needle');
SELECT ix_lines(:'needle');
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (SET index_check 'sometimes');
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (DROP index_check);
-- a folder that grows: the refresh above read all its files again for the
-- folder's filter (sized with room, as it changed); this one adds the new
-- file's values to it and reads only the new and the rewritten file
SELECT format($f$cat >/dev/null; python3 -c "import gzip,json; open('%s/111122223333_CloudTrail_us-east-1_20181114T2357Z_newnewnewnew0002.json.gz','wb').write(gzip.compress(json.dumps({'Records':[{'eventVersion':'1.08','eventTime':'2018-11-14T23:52:00Z','eventName':'ListBuckets','eventID':'planted-3','userIdentity':{'type':'IAMUser','accessKeyId':'AKIAPLANTEDNEEDLE002'}}]}).encode(), mtime=0))"$f$, :'dday') AS add_file2 \gset
COPY (SELECT 1) TO PROGRAM :'add_file2';
SELECT files_added, files_changed, bytes_read FROM cloudtrail_fdw.refresh_index('cloudtrail_logs');
SELECT both_index($$SELECT eventid FROM cloudtrail_logs WHERE useridentity->>'accessKeyId' = 'AKIAPLANTEDNEEDLE002'$$);
SELECT ix_lines($$SELECT eventid FROM cloudtrail_logs WHERE useridentity->>'accessKeyId' = 'AKIAPLANTEDNEEDLE002'$$);
-- a file deleted; a partial download of aws s3 sync (not an event file)
SELECT format($f$cat >/dev/null; rm %s/*T0815Z*; cp %s/*T2355Z* %s/111122223333_CloudTrail_us-east-1_20181114T2356Z_partpartpart0001.json.gz.6f3B2a1c$f$, :'dday', :'dday', :'dday') AS delete_file \gset
COPY (SELECT 1) TO PROGRAM :'delete_file';
SELECT both_index(:'needle');
SELECT both_index($$SELECT eventid FROM cloudtrail_logs WHERE eventname = 'GetObject'$$);
-- a new day folder
SELECT format($f$cat >/dev/null; mkdir -p %s/../16 && cp %s/*T2355Z* %s/../16/111122223333_CloudTrail_us-east-1_20181116T0005Z_newdaynewday0001.json.gz$f$, :'dday', :'dday', :'dday') AS new_day \gset
COPY (SELECT 1) TO PROGRAM :'new_day';
SELECT both_index(:'needle');
-- a day folder replaced by a link out of the root: not followed, either way
SELECT format($f$cat >/dev/null; mkdir -p /tmp/cloudtrail_fdw_index_out && mv %s/../16 /tmp/cloudtrail_fdw_index_out/16 && ln -s /tmp/cloudtrail_fdw_index_out/16 %s/../16$f$, :'dday', :'dday') AS link_out \gset
SELECT cloudtrail_fdw.refresh_index('cloudtrail_logs') IS NOT NULL AS refreshed;
COPY (SELECT 1) TO PROGRAM :'link_out';
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (ADD on_error 'skip_file');
SET client_min_messages = error;
SELECT both_index(:'needle');
RESET client_min_messages;
ALTER FOREIGN TABLE cloudtrail_logs OPTIONS (DROP on_error);
-- the refresh sees all of it: the link is not indexed, the folder forgotten
SELECT folders_seen, folders_added, folders_removed, files_added, files_removed
  FROM cloudtrail_fdw.refresh_index('cloudtrail_logs');
SELECT format('cat >/dev/null; rm %s/../16', :'dday') AS unlink \gset
COPY (SELECT 1) TO PROGRAM :'unlink';

-- a table over part of the root shares the index, and its refresh keeps
-- the folders outside its location
CREATE FOREIGN TABLE ix.one_region (eventid text, eventname text) SERVER ix
  OPTIONS (location 'AWSLogs/111122223333/CloudTrail/us-east-1');
SELECT folders_seen, folders_removed, files_seen FROM cloudtrail_fdw.refresh_index('one_region');
SELECT folders, files FROM cloudtrail_fdw.index_info('cloudtrail_logs');
SELECT (SELECT folders FROM cloudtrail_fdw.index_info('one_region')) =
       (SELECT folders FROM cloudtrail_fdw.index_info('cloudtrail_logs')) AS shared;

-- A corrupt or truncated index is an error, never a wrong answer; a
-- refresh rebuilds it.
SELECT format('cat >/dev/null; f=%s; truncate -s 200 "$f"', index_file) AS truncate_index,
       format('cat >/dev/null; f=%s; printf x | dd of="$f" bs=1 seek=300 conv=notrunc 2>/dev/null', index_file) AS scribble
  FROM cloudtrail_fdw.index_info('cloudtrail_logs') \gset
COPY (SELECT 1) TO PROGRAM :'truncate_index';
\set VERBOSITY terse
SELECT count(*) FROM one_region;
\set VERBOSITY default
SET cloudtrail_fdw.enable_index = off;
SELECT count(*) FROM one_region;
RESET cloudtrail_fdw.enable_index;
SELECT folders_added > 0 AS rebuilt FROM cloudtrail_fdw.refresh_index('one_region');
SELECT count(*) FROM one_region;
COPY (SELECT 1) TO PROGRAM :'scribble';
\set VERBOSITY terse
SELECT count(*) FROM one_region WHERE eventname = 'ConsoleLogin';
\set VERBOSITY default
SELECT folders_added > 0 AS rebuilt FROM cloudtrail_fdw.refresh_index('one_region');
SELECT both_index($$SELECT eventid FROM one_region WHERE eventname = 'ConsoleLogin'$$);
-- An index file of another format (an older or newer cloudtrail_fdw) is not
-- used: one WARNING a session, the answers without it; a refresh writes it anew.
SELECT format('cat >/dev/null; printf ''\143\000\000\000'' | dd of=%s bs=1 seek=8 conv=notrunc 2>/dev/null', index_file) AS other_version
  FROM cloudtrail_fdw.index_info('cloudtrail_logs') \gset
COPY (SELECT 1) TO PROGRAM :'other_version';
SELECT count(*) FROM one_region WHERE eventname = 'ConsoleLogin';
SELECT count(*) FROM one_region WHERE eventname = 'ConsoleLogin';
SELECT explain_lines($$SELECT * FROM one_region WHERE eventname = 'ConsoleLogin'$$, '(Index)');
SELECT folders_added > 0 AS rebuilt FROM cloudtrail_fdw.refresh_index('one_region');
SELECT explain_lines($$SELECT * FROM one_region WHERE eventname = 'ConsoleLogin'$$, '(Files in Index)');

-- privileges: refresh_index is granted explicitly, and needs SELECT on the
-- table; index_info needs SELECT; neither shows the path to other roles
CREATE ROLE ix_reader;
CREATE ROLE ix_refresher;
GRANT USAGE ON SCHEMA ix TO ix_reader, ix_refresher;
GRANT SELECT ON ix.cloudtrail_logs TO ix_reader;
GRANT EXECUTE ON FUNCTION cloudtrail_fdw.refresh_index(regclass) TO ix_refresher;
GRANT USAGE ON SCHEMA cloudtrail_fdw TO ix_reader, ix_refresher;
SET ROLE ix_reader;
SELECT count(*) FROM ix.cloudtrail_logs WHERE eventname = 'ConsoleLogin';
SELECT index_file, folders > 0 AS described FROM cloudtrail_fdw.index_info('ix.cloudtrail_logs');
SELECT * FROM cloudtrail_fdw.refresh_index('ix.cloudtrail_logs');
SET ROLE ix_refresher;
SELECT * FROM cloudtrail_fdw.refresh_index('ix.cloudtrail_logs');
RESET ROLE;
-- not a cloudtrail_fdw table; a location that is one file
SELECT * FROM cloudtrail_fdw.refresh_index('suite_queries');
CREATE FOREIGN TABLE ix.one_file (eventid text) SERVER ix
  OPTIONS (location 'AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/14/111122223333_CloudTrail_us-east-1_20181114T2355Z_newnewnewnew0001.json.gz');
SELECT * FROM cloudtrail_fdw.refresh_index('ix.one_file');

-- The sorted scan orders a day's files by the newest eventTime the index
-- knows (else by the end of their names' minute).  A file delivered last
-- but holding only old records is read after one delivered before it with
-- newer ones: with the index, the first file settles LIMIT 1.
SELECT $f$cat >/dev/null; d=/tmp/cloudtrail_fdw_index_sorted/AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/20; mkdir -p $d && python3 -c "
import gzip, json, sys
for name, t, i in (('T2355Z_latelatelate00001', '2018-11-20T10:00:00Z', 'late-old'), ('T2350Z_freshfreshfres0001', '2018-11-20T23:45:00Z', 'fresh')):
    rec = {'eventVersion': '1.08', 'eventTime': t, 'eventName': 'ListBuckets', 'eventID': i}
    open(sys.argv[1] + '/111122223333_CloudTrail_us-east-1_20181120' + name + '.json.gz', 'wb').write(gzip.compress(json.dumps({'Records': [rec]}).encode(), mtime=0))
" $d$f$ AS sorted_mirror \gset
COPY (SELECT 1) TO PROGRAM :'sorted_mirror';
CREATE SERVER ix_sorted FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/tmp/cloudtrail_fdw_index_sorted');
CREATE FOREIGN TABLE ix.sorted (eventtime timestamptz NOT NULL, eventid text) SERVER ix_sorted;
SELECT files_added FROM cloudtrail_fdw.refresh_index('ix.sorted');
SET max_parallel_workers_per_gather = 0;
SELECT two_ways($$SELECT eventtime, eventid FROM ix.sorted ORDER BY eventtime DESC LIMIT 1$$,
                'cloudtrail_fdw.enable_index', 'on', 'off', true);
SET cloudtrail_fdw.enable_index = off;
SELECT explain_lines($$SELECT eventid FROM ix.sorted ORDER BY eventtime DESC LIMIT 1$$, '(Scan Order|Files Read)');
RESET cloudtrail_fdw.enable_index;
SELECT explain_lines($$SELECT eventid FROM ix.sorted ORDER BY eventtime DESC LIMIT 1$$, '(Scan Order|Files Read)');
RESET max_parallel_workers_per_gather;
DROP SERVER ix_sorted CASCADE;
COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; rm -rf /tmp/cloudtrail_fdw_index_sorted';

RESET search_path;
DROP SERVER ix CASCADE;
DROP SCHEMA ix;
DROP FUNCTION ix_lines(text), both_index(text), refresh_all();
REVOKE ALL ON SCHEMA cloudtrail_fdw FROM ix_reader, ix_refresher;
REVOKE ALL ON FUNCTION cloudtrail_fdw.refresh_index(regclass) FROM ix_refresher;
DROP ROLE ix_reader, ix_refresher;
COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; rm -rf /tmp/cloudtrail_fdw_index /tmp/cloudtrail_fdw_index_out';
