-- Which files are read: the layout with and without prefix and organization,
-- sibling trees, stray files, partial downloads, location at every level.
\getenv fixtures CT_FIXTURES
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- every event file of the mirror, and nothing else
SELECT log_file, count(*) FROM cloudtrail_logs GROUP BY log_file ORDER BY log_file;
SELECT org_id, account_id, region, delivery_date, count(*)
  FROM cloudtrail_logs GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
SELECT count(*) FROM cloudtrail_logs;

-- the other sibling trees, when asked for
SELECT eventtype, eventcategory, insightdetails->'state' AS state, log_file
  FROM cloudtrail_insights ORDER BY eventid;
CREATE FOREIGN TABLE network (eventname text, eventcategory text, log_file text)
  SERVER trail OPTIONS (log_type 'CloudTrail-NetworkActivity');
SELECT * FROM network ORDER BY 1;

-- location narrows the scan at any level
CREATE FOREIGN TABLE narrowed (account_id text, region text, delivery_date date, org_id text)
  SERVER trail OPTIONS (location 'AWSLogs');
CREATE FUNCTION narrowed_at(loc text) RETURNS TABLE (partitions bigint, records bigint, accounts text, days text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER FOREIGN TABLE narrowed OPTIONS (SET location %L)', loc);
  RETURN QUERY
    SELECT count(DISTINCT account_id || region || delivery_date), count(*),
           string_agg(DISTINCT coalesce(org_id || '/', '') || account_id || '/' || region, ' '),
           string_agg(DISTINCT delivery_date::text, ' ')
      FROM narrowed;
END
$$;
SELECT * FROM narrowed_at('AWSLogs');
SELECT * FROM narrowed_at('my-prefix');
SELECT * FROM narrowed_at('my-prefix/team-a/AWSLogs/222233334444');
SELECT * FROM narrowed_at('AWSLogs/o-aa11bb22cc');
SELECT * FROM narrowed_at('AWSLogs/o-aa11bb22cc/777788889999/CloudTrail');
SELECT * FROM narrowed_at('AWSLogs/111122223333');
SELECT * FROM narrowed_at('AWSLogs/111122223333/CloudTrail');
SELECT * FROM narrowed_at('AWSLogs/111122223333/CloudTrail/eu-west-1');
SELECT * FROM narrowed_at('AWSLogs/111122223333/CloudTrail/eu-west-1/2018');
SELECT * FROM narrowed_at('AWSLogs/111122223333/CloudTrail/eu-west-1/2018/11');
SELECT * FROM narrowed_at('AWSLogs/111122223333/CloudTrail/eu-west-1/2018/11/14');
SELECT * FROM narrowed_at('AWSLogs/111122223333/CloudTrail/eu-west-1/2018/11/14/');
-- one file
SELECT * FROM narrowed_at((SELECT log_file FROM cloudtrail_logs
                            WHERE log_file LIKE '%eu-west-1_20181114T1250Z%' LIMIT 1));
-- a folder with no event files: no rows, no error
SELECT * FROM narrowed_at('AWSLogs/111122223333/CloudTrail/us-east-1/2018/10');
-- a folder that does not exist, or is not part of the layout: an error
SELECT * FROM narrowed_at('AWSLogs/111122223333/CloudTrail/eu-west-1/2018/10');
SELECT * FROM narrowed_at('AWSLogs/111122223333/Config/us-east-1');

-- an empty mirror
\set lake :fixtures/main/AWSLogs/111122223333/CloudTrail-Lake
CREATE SERVER empty_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'lake');
CREATE FOREIGN TABLE empty_logs (eventname text) SERVER empty_trail;
SELECT count(*) FROM empty_logs;

-- EXPLAIN shows the scanned location and what will be read
SELECT explain_filter('EXPLAIN (COSTS OFF) SELECT * FROM cloudtrail_logs');
SELECT explain_filter('EXPLAIN (COSTS OFF) SELECT * FROM network');
ALTER FOREIGN TABLE narrowed OPTIONS (SET location 'AWSLogs/111122223333/CloudTrail/eu-west-1/2018/11');
SELECT explain_filter('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) SELECT * FROM narrowed');
SELECT explain_filter('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF, FORMAT JSON) SELECT * FROM narrowed');
SELECT explain_filter('EXPLAIN (COSTS OFF, FORMAT YAML) SELECT * FROM narrowed');
SELECT explain_filter('EXPLAIN (COSTS OFF, FORMAT XML) SELECT * FROM narrowed');

DROP FOREIGN TABLE network, narrowed, empty_logs;
DROP FUNCTION narrowed_at(text);
DROP SERVER empty_trail;
