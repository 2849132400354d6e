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
\set inside_early :main/AWSLogs/111122223333/CloudTrail/eu-west-1
\set main_logs :main/AWSLogs/444455556666
-- an absolute location outside the root is refused when it is set, by
-- CREATE or ALTER, also inside a transaction block
ALTER FOREIGN TABLE t_loc OPTIONS (SET location '/tmp');
CREATE FOREIGN TABLE t_etc (eventname text) SERVER trail OPTIONS (location '/etc');
SELECT format('%s/../../../../etc', :'main') AS dotted_out \gset
CREATE FOREIGN TABLE t_etc (eventname text) SERVER trail OPTIONS (location :'dotted_out');
-- a folder beside the root whose name starts with the root's (only the
-- SQLSTATE shown: the message holds the fixtures' path)
SELECT format('%s_other', :'main') AS sibling \gset
\set VERBOSITY sqlstate
CREATE FOREIGN TABLE t_etc (eventname text) SERVER trail OPTIONS (location :'sibling');
\set VERBOSITY default
BEGIN;
CREATE FOREIGN TABLE t_etc (eventname text) SERVER trail OPTIONS (location '/etc');
ROLLBACK;
SELECT count(*) AS t_etc_exists FROM pg_class WHERE relname = 't_etc';
-- the root itself, written with a trailing slash and a "."
SELECT format('%s/./', :'main') AS main_dotted \gset
CREATE FOREIGN TABLE t_root (eventname text) SERVER trail OPTIONS (location :'main_dotted');
SELECT count(*) > 0 AS read FROM t_root;
DROP FOREIGN TABLE t_root;
-- a table whose server's root is changed later is not checked again: its
-- scans are
CREATE SERVER s_moved FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'main');
CREATE FOREIGN TABLE t_moved (eventname text) SERVER s_moved OPTIONS (location :'inside_early');
ALTER SERVER s_moved OPTIONS (SET root :'main_logs');
\set VERBOSITY sqlstate
SELECT * FROM t_moved;
\set VERBOSITY default
DROP SERVER s_moved CASCADE;
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

-- In a new session the library is loaded by the validator, inside the
-- statement: an absolute location is then checked at commit.
\c
BEGIN;
CREATE FOREIGN TABLE t_first (eventname text) SERVER trail OPTIONS (location '/etc');
COMMIT;
SELECT count(*) AS t_first_exists FROM pg_class WHERE relname = 't_first';
\c
CREATE FOREIGN TABLE t_first (eventname text) SERVER trail OPTIONS (location '/etc');
SELECT count(*) AS t_first_exists FROM pg_class WHERE relname = 't_first';
