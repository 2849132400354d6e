-- ANALYZE samples files: how many it reads, totalrows from the files' sizes
-- or the index's counts, the statistics it leaves; and row estimates without
-- statistics (the model in the README).  Estimates are asserted as ranges,
-- with scan_rows() of pushdown.sql.
\getenv fixtures CT_FIXTURES
\set many :fixtures/many
SET timezone = 'UTC';

-- 10 000 files of 2 records each (resources.sql's mirror)
CREATE SERVER sample_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'many');
CREATE FOREIGN TABLE sample_logs (eventtime timestamptz, eventname text, eventid text,
  eventsource text, eventcategory text, errorcode text, requestparameters jsonb,
  region text, log_file text) SERVER sample_trail;

-- without statistics: records from the compressed size (the truth is 20 000)
SELECT reltuples, relpages FROM pg_class WHERE oid = 'sample_logs'::regclass;
SELECT scan_rows('SELECT * FROM sample_logs') BETWEEN 10000 AND 40000 AS all_rows;
-- the aggregate of the issue is planned on the whole table, not on 13 rows
CREATE FUNCTION input_rows(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO plan;
  RETURN plan->0->'Plan'->'Plans'->0->>'Plan Rows';
END
$$;
SET max_parallel_workers_per_gather = 0;
SELECT scan_rows('SELECT eventname, count(*) FROM sample_logs GROUP BY 1') AS groups,
       input_rows('SELECT eventname, count(*) FROM sample_logs GROUP BY 1') BETWEEN 10000 AND 40000 AS input_rows,
       input_rows($$SELECT count(DISTINCT requestparameters->>'key') FROM sample_logs$$) BETWEEN 10000 AND 40000 AS distinct_input_rows;
RESET max_parallel_workers_per_gather;
-- the model: few-valued keys, event names by frequency, IN lists, presence
CREATE FUNCTION est_ratio(cond text) RETURNS float8 LANGUAGE sql
  AS $$ SELECT scan_rows('SELECT * FROM sample_logs WHERE ' || cond) / scan_rows('SELECT * FROM sample_logs') $$;
SELECT est_ratio($$eventcategory = 'Data'$$) BETWEEN 0.3 AND 0.34 AS category,
       est_ratio($$eventsource = 's3.amazonaws.com'$$) BETWEEN 0.02 AND 0.03 AS source,
       est_ratio($$eventname = 'GetObject'$$) BETWEEN 0.03 AND 0.05 AS frequent_name,
       est_ratio($$eventname = 'ListBuckets'$$) BETWEEN 0.004 AND 0.006 AS other_name,
       est_ratio($$eventname = 'CreateAccessKey'$$) < 0.001 AS rare_name,
       est_ratio($$eventname IN ('ListBuckets', 'GetBucketAcl', 'DescribeVpcs')$$) BETWEEN 0.014 AND 0.016 AS in_list,
       est_ratio($$errorcode IS NOT NULL$$) < 0.1 AS failed_calls,
       est_ratio($$errorcode IS NULL$$) > 0.9 AS succeeded_calls,
       est_ratio($$requestparameters->>'bucketName' IS NULL$$) BETWEEN 0.4 AND 0.6 AS unknown_key,
       est_ratio($$eventname <> 'GetObject'$$) BETWEEN 0.95 AND 0.97 AS not_name,
       est_ratio($$eventname NOT IN ('ListBuckets', 'GetBucketAcl', 'DescribeVpcs')$$) BETWEEN 0.984 AND 0.986 AS not_in_list;
-- conditions on one record go together: backoff, not the product of the two
SELECT est_ratio($$eventsource = 's3.amazonaws.com' AND eventname = 'GetObject'$$)
         BETWEEN 0.025 * 0.04 ^ 0.5 * 0.99 AND 0.025 * 0.04 ^ 0.5 * 1.01 AS backoff;

-- a sample: statistics target 10 wants 3000 rows; 1.5 times as many records
-- are read, from files chosen at random, and totalrows comes from their sizes
SET default_statistics_target = 10;
ANALYZE sample_logs;
SELECT reltuples BETWEEN 19000 AND 21000 AS reltuples_close, relpages > 0 AS has_pages
  FROM pg_class WHERE oid = 'sample_logs'::regclass;
SELECT attname, null_frac, n_distinct, most_common_vals::text
  FROM pg_stats WHERE tablename = 'sample_logs' AND attname IN ('eventname', 'eventid', 'region', 'errorcode')
 ORDER BY attname;
SELECT count(*) AS columns_with_statistics FROM pg_stats WHERE tablename = 'sample_logs';
-- after it, an equality is estimated from the statistics
SELECT scan_rows($$SELECT * FROM sample_logs WHERE eventname = 'GetObject'$$) BETWEEN 19000 AND 21000 AS all_match,
       scan_rows($$SELECT * FROM sample_logs WHERE eventname = 'PutObject'$$) < 100 AS none_match;

-- with the index, totalrows is its exact count, and the number of files to read
-- too: 4500 records wanted, 2 a file
SELECT files_seen FROM cloudtrail_fdw.refresh_index('sample_logs');
SET client_min_messages = debug1;
ANALYZE sample_logs;
RESET client_min_messages;
SELECT reltuples FROM pg_class WHERE oid = 'sample_logs'::regclass;

-- the same seed, the same sample; another seed, another one
SET cloudtrail_fdw.analyze_seed = 42;
ANALYZE sample_logs;
CREATE TEMP TABLE first_sample AS
  SELECT histogram_bounds::text AS h FROM pg_stats WHERE tablename = 'sample_logs' AND attname = 'eventid';
ANALYZE sample_logs;
SELECT histogram_bounds::text = (SELECT h FROM first_sample) AS same_sample
  FROM pg_stats WHERE tablename = 'sample_logs' AND attname = 'eventid';
SET cloudtrail_fdw.analyze_seed = 43;
ANALYZE sample_logs;
SELECT histogram_bounds::text = (SELECT h FROM first_sample) AS same_sample
  FROM pg_stats WHERE tablename = 'sample_logs' AND attname = 'eventid';
RESET cloudtrail_fdw.analyze_seed;

-- a sample that needs every file reads every file
RESET default_statistics_target;
SET client_min_messages = debug1;
ANALYZE sample_logs;
RESET client_min_messages;

-- a table narrowed to one day by its location: 1000 files, of which
-- statistics target 1 (300 rows, 450 records) reads 225
CREATE FOREIGN TABLE sample_day (eventid text) SERVER sample_trail
  OPTIONS (location 'AWSLogs/555555555555/CloudTrail/us-east-1/2022/03/05');
SET default_statistics_target = 1;
SET client_min_messages = debug1;
ANALYZE sample_day;
RESET client_min_messages;
RESET default_statistics_target;
SELECT reltuples FROM pg_class WHERE oid = 'sample_day'::regclass;

DROP FUNCTION est_ratio(text), input_rows(text);
DROP FOREIGN TABLE sample_logs, sample_day;
DROP SERVER sample_trail;
