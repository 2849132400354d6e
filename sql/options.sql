-- Option validation: names, values, required options, paths.
\getenv fixtures CT_FIXTURES
\set main :fixtures/main
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- the wrapper takes no options
ALTER FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/x');
-- server: root is required and absolute
CREATE SERVER s_bad FOREIGN DATA WRAPPER cloudtrail_fdw;
CREATE SERVER s_bad FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root 'relative/path');
CREATE SERVER s_bad FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '');
CREATE SERVER s_bad FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/srv/../etc');
CREATE SERVER s_bad FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/srv', location 'x');
CREATE SERVER s_bad FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/srv', bogus 'x');
CREATE SERVER s_ok FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/srv');
ALTER SERVER s_ok OPTIONS (DROP root);
ALTER SERVER s_ok OPTIONS (SET root 'srv');

-- table options
CREATE FOREIGN TABLE t_bad (eventname text) SERVER trail OPTIONS (root '/x');
CREATE FOREIGN TABLE t_bad (eventname text) SERVER trail OPTIONS (log_type 'CloudTrail-Digest');
CREATE FOREIGN TABLE t_bad (eventname text) SERVER trail OPTIONS (on_error 'ignore');
CREATE FOREIGN TABLE t_bad (eventname text) SERVER trail OPTIONS (location '../etc');
CREATE FOREIGN TABLE t_bad (eventname text) SERVER trail OPTIONS (location 'AWSLogs/../..');
CREATE FOREIGN TABLE t_bad (eventname text) SERVER trail OPTIONS (location '');
-- column options
CREATE FOREIGN TABLE t_bad (eventname text OPTIONS (path 'x')) SERVER trail;
CREATE FOREIGN TABLE t_bad (eventname text OPTIONS (field '')) SERVER trail;
CREATE FOREIGN TABLE t_bad (eventname text OPTIONS (field 'a..b')) SERVER trail;
CREATE FOREIGN TABLE t_bad (eventname text OPTIONS (field '.a')) SERVER trail;
-- user mappings take no options
CREATE USER MAPPING FOR CURRENT_USER SERVER trail OPTIONS (user 'x');

-- problems found when the folders are looked at: a missing root
CREATE SERVER s_missing FOREIGN DATA WRAPPER cloudtrail_fdw
  OPTIONS (root '/nonexistent/cloudtrail_fdw_root');
CREATE FOREIGN TABLE t_missing (eventname text) SERVER s_missing;
\set VERBOSITY terse
SELECT * FROM t_missing;
\set VERBOSITY default
-- a location that does not exist, is outside the root, or does not fit the layout
CREATE FOREIGN TABLE t_loc (eventname text) SERVER trail OPTIONS (location 'AWSLogs/000000000000');
SELECT * FROM t_loc;
ALTER FOREIGN TABLE t_loc OPTIONS (SET location '/tmp');
SELECT * FROM t_loc;
ALTER FOREIGN TABLE t_loc OPTIONS (SET location 'AWSLogs/111122223333/CloudTrail-Digest');
SELECT * FROM t_loc;
ALTER FOREIGN TABLE t_loc OPTIONS (SET location 'AWSLogs/111122223333/CloudTrail/us-east-1/2018/11/14/.DS_Store');
SELECT * FROM t_loc;
ALTER FOREIGN TABLE t_loc OPTIONS (SET location 'AWSLogs/111122223333/Config');
SELECT * FROM t_loc;
-- an absolute location inside the root is fine
\set inside :main/AWSLogs/111122223333/CloudTrail/eu-west-1
ALTER FOREIGN TABLE t_loc OPTIONS (SET location :'inside');
SELECT count(*) FROM t_loc;

DROP FOREIGN TABLE t_missing, t_loc;
DROP SERVER s_ok, s_missing;
