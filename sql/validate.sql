-- cloudtrail_fdw.validate(): log file integrity validation of a mirror,
-- offline.  The fixtures (tools/gen_validation_fixtures.py) are signed
-- mirrors in AWS's format with test keys, and tampered copies of them; the
-- generator writes the verdict of every file from what it did to each copy
-- (expected.tsv), which each report is compared with, row for row.  Then the
-- reports themselves, exactly, and bad arguments.
\getenv fixtures CT_FIXTURES
\set vroot :fixtures/validation
\set exptsv :vroot/expected.tsv
\set keysf :vroot/public_keys.json
\set sigsf :vroot/signatures.json
\set corruptf :vroot/signatures_corrupt.json
-- the report must not depend on the session's time zone
SET timezone = 'Pacific/Chatham';

CREATE TEMP TABLE expected (casename text, file text, kind text, status text);
COPY expected FROM :'exptsv';
CREATE TABLE v_args AS
  SELECT pg_read_file(:'keysf')::jsonb AS keys, pg_read_file(:'sigsf')::jsonb AS sigs,
         pg_read_file(:'corruptf')::jsonb AS corrupt;
SELECT set_config('ct.vroot', :'vroot', false) IS NOT NULL AS ok;
CREATE SCHEMA v;
DO $$
DECLARE
  c text;
BEGIN
  FOREACH c IN ARRAY ARRAY['clean', 'modified_log', 'deleted_log', 'extra_log', 'deleted_digest',
                           'modified_digest', 'trailing_data', 'bad_input'] LOOP
    EXECUTE format('CREATE SERVER v_%s FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root %L)',
                   c, current_setting('ct.vroot') || '/' || c);
    EXECUTE format('CREATE FOREIGN TABLE v.%I (eventtime timestamptz) SERVER v_%s', c, c);
  END LOOP;
END
$$;

-- the report of each case: its mirror, with the keys and the saved metadata
CREATE FUNCTION v.report(c text) RETURNS TABLE (file text, kind text, status text, detail text)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT r.* FROM v_args a, cloudtrail_fdw.validate(
      format('v.%I', CASE WHEN c IN ('corrupt_signature', 'no_keys') THEN 'clean' ELSE c END)::regclass,
      '2024-05-01 00:00:00+00', '2024-05-01 10:30:00+00',
      CASE WHEN c = 'no_keys' THEN NULL ELSE a.keys END,
      CASE WHEN c = 'corrupt_signature' THEN a.corrupt ELSE a.sigs END) r;
END
$$;

-- every case against the generator's verdicts: no difference
CREATE TEMP TABLE got AS
  SELECT c.casename, r.* FROM (SELECT DISTINCT casename FROM expected) c, v.report(c.casename) r;
SELECT casename, count(*) AS rows FROM got GROUP BY 1 ORDER BY 1;
SELECT coalesce(g.casename, e.casename) AS casename, coalesce(g.file, e.file) AS file,
       g.status AS reported, e.status AS expected
  FROM got g FULL JOIN expected e USING (casename, file, kind)
 WHERE g.status IS DISTINCT FROM e.status
 ORDER BY 1, 2;
-- a summary of a report, as the README shows it
SELECT casename, kind, status, count(*) FROM got GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- the clean mirror, exactly: two chains (logging stopped after 06:00 and
-- started again at 07:20), a key rotation at 04:00, an hour without log
-- files, an organization trail; the file delivered at 10:15, after the
-- newest digest, is not reported (its digest has not arrived)
SELECT file, kind, status, detail FROM got WHERE casename = 'clean' ORDER BY file, kind;
-- what each kind of tampering reports (the rows that are not valid)
SELECT casename, file, kind, status, detail FROM got
 WHERE casename <> 'clean' AND status <> 'valid' ORDER BY 1, 2, 3;

-- the same report in UTC, and as a superuser's query in any time zone
SET timezone = 'UTC';
SELECT count(*) AS differences FROM (
  (SELECT file, kind, status, detail FROM v.report('clean')
   EXCEPT SELECT file, kind, status, detail FROM got WHERE casename = 'clean')
  UNION ALL
  (SELECT file, kind, status, detail FROM got WHERE casename = 'clean'
   EXCEPT SELECT file, kind, status, detail FROM v.report('clean'))) d;

-- a narrower range: digests by their end time
SELECT file, kind, status FROM cloudtrail_fdw.validate('v.clean', '2024-05-01 03:00+00', '2024-05-01 05:00+00')
 ORDER BY file, kind;
-- an empty range, and one with no digests
SELECT count(*) FROM cloudtrail_fdw.validate('v.clean', '2024-05-02', '2024-05-01');
SELECT count(*) FROM cloudtrail_fdw.validate('v.clean', '2023-01-01', '2023-01-02');

-- a table whose location is the organization trail, one region's day
\set orgloc :vroot/clean/AWSLogs/o-aa11bb22cc
CREATE FOREIGN TABLE v.org (eventtime timestamptz) SERVER v_clean OPTIONS (location :'orgloc');
CREATE FOREIGN TABLE v.day (eventtime timestamptz) SERVER v_clean
  OPTIONS (location 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01');
SELECT r.kind, r.status, count(*) FROM v_args a, cloudtrail_fdw.validate('v.org', '2024-05-01', '2024-05-01 10:30+00', a.keys, a.sigs) r
 GROUP BY 1, 2 ORDER BY 1, 2;
-- across midnight, a day at a time: the digest of 2024-04-30 23:00 is
-- vouched for by the next day's first one, which lists a file of the day
-- before; the chain starts at 22:00
SELECT r.file, r.kind, r.status, r.detail FROM v_args a,
       cloudtrail_fdw.validate('v.org', '2024-04-30 21:00+00', '2024-05-01 10:30+00', a.keys, a.sigs) r
 ORDER BY r.file, r.kind;
SELECT r.kind, r.status, count(*) FROM v_args a, cloudtrail_fdw.validate('v.day', '2024-05-01', '2024-05-01 10:30+00', a.keys, a.sigs) r
 GROUP BY 1, 2 ORDER BY 1, 2;

-- signatures: given twice and different; not hexadecimal; for a digest the
-- mirror lacks (the newest digests deleted, which the chain cannot show)
SELECT file, status, detail FROM cloudtrail_fdw.validate('v.clean', '2024-05-01 08:30+00', '2024-05-01 09:30+00', NULL,
  '{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_management-trail_us-east-1_20240501T090032Z.json.gz": {"signature": "abcd", "signature-algorithm": "SHA256withRSA"}}')
 WHERE kind = 'digest';
SELECT file, status, detail FROM v_args a, cloudtrail_fdw.validate('v.clean', '2024-05-01 09:30+00', '2024-05-01 10:30+00', a.keys,
  '{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_management-trail_us-east-1_20240501T100030Z.json.gz": {"signature": "xyz"}}')
 WHERE kind = 'digest';
SELECT file, status, detail FROM cloudtrail_fdw.validate('v.clean', '2024-05-01 09:30+00', '2024-05-01 12:00+00', NULL,
  '{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_management-trail_us-east-1_20240501T110031Z.json.gz": {"signature": "00"}}')
 WHERE kind = 'digest';

-- bad arguments: clear errors
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02', '{"PublicKeyList": [{"Value": "AAAA", "Fingerprint": "00"}]}');
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02',
  format('{"PublicKeyList": [{"Value": "AAAA", "Fingerprint": "%s"}]}', md5(decode('AAAA', 'base64')))::jsonb);
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02', '{"PublicKeyList": [{"Value": "!!", "Fingerprint": "00"}]}');
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02', '{"PublicKeyList": [{"Value": 1}]}');
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02', '[{}]');
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02', NULL, '[]');
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02', NULL, '{"x": "y"}');
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02', NULL, '{"AWSLogs/x.json.gz": {"signature": "00"}}');
SELECT * FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02', NULL, '{"a": {"signature": "00", "signature-algorithm": "SHA1withRSA"}}');
SELECT * FROM cloudtrail_fdw.validate('v.clean', NULL, '2024-05-02');
SELECT * FROM cloudtrail_fdw.validate('v.clean', '-infinity', '2024-05-02');
SELECT * FROM cloudtrail_fdw.validate('v_args', '2024-05-01', '2024-05-02');
CREATE FOREIGN TABLE v.insights (eventtime timestamptz) SERVER v_clean OPTIONS (log_type 'CloudTrail-Insight');
SELECT * FROM cloudtrail_fdw.validate('v.insights', '2024-05-01', '2024-05-02');

-- privileges: not granted to PUBLIC; a grantee still needs SELECT on the table
CREATE ROLE regress_ct_validator;
GRANT USAGE ON SCHEMA v, cloudtrail_fdw TO regress_ct_validator;
SET ROLE regress_ct_validator;
SELECT count(*) FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02');
RESET ROLE;
GRANT EXECUTE ON FUNCTION cloudtrail_fdw.validate(regclass, timestamptz, timestamptz, jsonb, jsonb) TO regress_ct_validator;
SET ROLE regress_ct_validator;
SELECT count(*) FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02');
RESET ROLE;
GRANT SELECT ON v.clean TO regress_ct_validator;
SET ROLE regress_ct_validator;
SELECT count(*) FROM cloudtrail_fdw.validate('v.clean', '2024-05-01', '2024-05-02');
RESET ROLE;

-- in parallel (a worker for every 8 files hashed): the same report
SET max_parallel_maintenance_workers = 0;
CREATE TEMP TABLE serial AS SELECT * FROM v.report('modified_log');
SET max_parallel_maintenance_workers = 2;
SET client_min_messages = debug1;
SELECT count(*) FROM v.report('modified_log');
RESET client_min_messages;
RESET max_parallel_maintenance_workers;
SELECT count(*) AS differences FROM (
  (SELECT * FROM serial EXCEPT SELECT * FROM v.report('modified_log'))
  UNION ALL (SELECT * FROM v.report('modified_log') EXCEPT SELECT * FROM serial)) d;

-- verify_hashes: a scan reads only files whose digest's hash they match
CREATE FOREIGN TABLE v.bad_opt (eventtime timestamptz) SERVER v_clean OPTIONS (verify_hashes 'perhaps');
ALTER SERVER v_clean OPTIONS (ADD verify_hashes 'on');
DO $$
DECLARE
  c text;
BEGIN
  FOREACH c IN ARRAY ARRAY['clean', 'modified_log', 'extra_log', 'deleted_log', 'modified_digest',
                           'trailing_data', 'bad_input'] LOOP
    EXECUTE format('CREATE FOREIGN TABLE v.%I (eventtime timestamptz, eventid text, log_file text)
                    SERVER v_%s OPTIONS (verify_hashes %L)', c || '_verified', c, 'on');
    EXECUTE format('CREATE FOREIGN TABLE v.%I (eventtime timestamptz, eventid text, log_file text)
                    SERVER v_%s OPTIONS (verify_hashes %L, on_error %L)', c || '_skip', c, 'on', 'skip_file');
  END LOOP;
END
$$;
-- the clean mirror: every file verified but the one newer than its digests,
-- the same rows as without verify_hashes
SELECT explain_lines('SELECT count(*) FROM v.clean_verified', 'Files');
SELECT (SELECT count(*) FROM v.clean_verified) AS verified, (SELECT count(*) FROM v.clean) AS plain;
-- a tampered file stops the scan, or is skipped whole under on_error 'skip_file'
SELECT count(*) FROM v.modified_log_verified;
SELECT count(*) FROM v.modified_log_skip;
SELECT explain_lines('SELECT count(*) FROM v.modified_log_skip', '(Files|Bad)');
SELECT count(*) FROM v.trailing_data_verified;
SELECT count(*) FROM v.extra_log_verified;
SELECT count(*) FROM v.extra_log_skip;
-- a deleted file is not read; a digest whose other fields were changed still
-- gives the files' hashes (the chain is validate()'s to check)
SELECT count(*) FROM v.deleted_log_verified;
SELECT explain_lines('SELECT count(*) FROM v.modified_digest_verified', 'Files');
-- the files of digests that cannot be read are not vouched for
SET client_min_messages = error;
SELECT count(*) FROM v.bad_input_verified;
RESET client_min_messages;
SELECT explain_lines('SELECT count(*) FROM v.bad_input_skip', '(Files|Bad)');
-- rows come only from verified files, also with a LIMIT that stops early
SELECT count(*) FROM (SELECT * FROM v.modified_log_skip LIMIT 5) s;
SELECT count(*) AS rows_of_bad_file FROM v.modified_log_skip
 WHERE log_file LIKE '%20240501T0225Z%';
-- in parallel: the same counts
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT count(*) FROM v.modified_log_skip;
SELECT count(*) FROM v.clean_verified;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- a file verified once is not hashed again while it is as it was (its inode,
-- size, modification and change times); the same bytes written again give
-- it a new change time, and other bytes are found out
SELECT explain_lines('SELECT count(*) FROM v.clean_verified', 'Files Verified');
\set logdir :vroot/clean/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01
\set f1 :logdir/111122223333_CloudTrail_us-east-1_20240501T0005Z_D2DB782F3D3682D3.json.gz
\set f2 :logdir/111122223333_CloudTrail_us-east-1_20240501T0025Z_9BC2F5B033A62ECF.json.gz
SELECT lo_from_bytea(0, pg_read_binary_file(:'f1')) AS same, lo_from_bytea(0, pg_read_binary_file(:'f2')) AS other \gset
SELECT lo_export(:same, :'f1') AS rewritten;
SELECT explain_lines('SELECT count(*) FROM v.clean_verified', 'Files Verified');
SELECT lo_export(:other, :'f1') AS replaced;
SELECT count(*) FROM v.clean_verified;
SELECT lo_unlink(:same) + lo_unlink(:other) AS unlinked;

DROP SCHEMA v CASCADE;
DROP TABLE v_args;
DO $$
DECLARE
  s text;
BEGIN
  FOR s IN SELECT srvname FROM pg_foreign_server WHERE srvname LIKE 'v\_%' LOOP
    EXECUTE format('DROP SERVER %I CASCADE', s);
  END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION cloudtrail_fdw.validate(regclass, timestamptz, timestamptz, jsonb, jsonb) FROM regress_ct_validator;
REVOKE USAGE ON SCHEMA cloudtrail_fdw FROM regress_ct_validator;
DROP ROLE regress_ct_validator;
RESET timezone;
