-- Files that change under a running scan: one disappears, one shrinks,
-- between the listing of their folder and their reading.  The server user
-- makes and changes the files (COPY ... TO PROGRAM) between two FETCHes; each
-- program reads its input first, or COPY could write into a closed pipe.
\getenv fixtures CT_FIXTURES
\set src :fixtures/bad/AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/14
\set dst /tmp/cloudtrail_fdw_vanish/AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/14
SELECT format('cat >/dev/null; rm -rf /tmp/cloudtrail_fdw_vanish && mkdir -p %s && cp %s/*T1000Z* %s/ && cp %s/*T1000Z* %s/111122223333_CloudTrail_us-east-1_20181114T1001Z_vanishvanish0001.json.gz && cp %s/*T1015Z* %s/',
              :'dst', :'src', :'dst', :'src', :'dst', :'src', :'dst') AS setup \gset
COPY (SELECT 1) TO PROGRAM :'setup';

CREATE SERVER vanish_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/tmp/cloudtrail_fdw_vanish');
CREATE FOREIGN TABLE vanish (eventname text, requestparameters jsonb) SERVER vanish_trail;
SELECT count(*) FROM vanish;

-- the second file disappears after the folder was listed
BEGIN;
DECLARE c CURSOR FOR SELECT eventname, requestparameters->>'file' AS file FROM vanish;
FETCH 1 FROM c;
COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; rm /tmp/cloudtrail_fdw_vanish/AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/14/*T1001Z*';
FETCH ALL FROM c;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT 1 AS still_alive;

-- under skip_file it is a warning, and the other files' rows come back
COPY (SELECT 1) TO PROGRAM :'setup';
ALTER FOREIGN TABLE vanish OPTIONS (ADD on_error 'skip_file');
BEGIN;
DECLARE c CURSOR FOR SELECT eventname, requestparameters->>'file' AS file FROM vanish;
FETCH 1 FROM c;
COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; rm /tmp/cloudtrail_fdw_vanish/AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/14/*T1001Z*';
FETCH ALL FROM c;
COMMIT;

-- the second file shrinks to its first 100 bytes after the folder was listed
COPY (SELECT 1) TO PROGRAM :'setup';
ALTER FOREIGN TABLE vanish OPTIONS (DROP on_error);
BEGIN;
DECLARE c CURSOR FOR SELECT eventname, requestparameters->>'file' AS file FROM vanish;
FETCH 1 FROM c;
COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; truncate -s 100 /tmp/cloudtrail_fdw_vanish/AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/14/*T1001Z*';
FETCH ALL FROM c;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT 1 AS still_alive;

DROP FOREIGN TABLE vanish;
DROP SERVER vanish_trail;
COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; rm -rf /tmp/cloudtrail_fdw_vanish';
