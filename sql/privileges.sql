-- Privileges: who may set root and location, who may read.
\getenv fixtures CT_FIXTURES
\set main :fixtures/main
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE ROLE regress_ct_owner;
CREATE ROLE regress_ct_reader;
CREATE ROLE regress_ct_files IN ROLE pg_read_server_files;
CREATE ROLE regress_ct_nobody;
GRANT USAGE ON FOREIGN DATA WRAPPER cloudtrail_fdw TO regress_ct_owner, regress_ct_files;
GRANT USAGE ON FOREIGN SERVER trail TO regress_ct_owner;
CREATE SCHEMA ct_priv AUTHORIZATION regress_ct_owner;
GRANT CREATE, USAGE ON SCHEMA ct_priv TO regress_ct_files;
GRANT USAGE ON SCHEMA ct_priv TO regress_ct_reader, regress_ct_nobody;

-- without pg_read_server_files: no root, no location, not even through ALTER
SET ROLE regress_ct_owner;
CREATE SERVER owner_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/etc');
CREATE FOREIGN TABLE ct_priv.t1 (eventname text) SERVER trail OPTIONS (location 'AWSLogs');
CREATE FOREIGN TABLE ct_priv.t1 (eventname text, account_id text) SERVER trail;
ALTER FOREIGN TABLE ct_priv.t1 OPTIONS (ADD location 'AWSLogs/111122223333');
ALTER FOREIGN TABLE ct_priv.t1 OPTIONS (ADD on_error 'skip_file');
-- IMPORT FOREIGN SCHEMA sets neither, so it is allowed
IMPORT FOREIGN SCHEMA cloudtrail LIMIT TO (cloudtrail_logs) FROM SERVER trail INTO ct_priv;
SELECT count(*) FROM ct_priv.cloudtrail_logs;
SELECT count(*) FROM ct_priv.t1;
GRANT SELECT ON ct_priv.t1 TO regress_ct_reader;
RESET ROLE;

-- with pg_read_server_files
SET ROLE regress_ct_files;
CREATE SERVER files_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'main');
CREATE FOREIGN TABLE ct_priv.t2 (eventname text, account_id text) SERVER files_trail
  OPTIONS (location 'AWSLogs/444455556666');
SELECT account_id, count(*) FROM ct_priv.t2 GROUP BY 1;
RESET ROLE;
-- an owner without the role cannot change the options of a table with a location
ALTER FOREIGN TABLE ct_priv.t2 OWNER TO regress_ct_owner;
SET ROLE regress_ct_owner;
ALTER FOREIGN TABLE ct_priv.t2 OPTIONS (ADD on_error 'skip_file');
RESET ROLE;

-- reading needs SELECT on the table, nothing more
SET ROLE regress_ct_reader;
SELECT count(*) FROM ct_priv.t1;
SELECT count(*) FROM ct_priv.t2;
RESET ROLE;
SET ROLE regress_ct_nobody;
SELECT count(*) FROM ct_priv.t1;
RESET ROLE;

-- a user who may not see server paths is not shown the root in errors
CREATE SERVER hidden_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/nonexistent/secret/path');
CREATE FOREIGN TABLE ct_priv.hidden (eventname text) SERVER hidden_trail;
GRANT SELECT ON ct_priv.hidden TO regress_ct_reader;
SET ROLE regress_ct_reader;
SELECT * FROM ct_priv.hidden;
RESET ROLE;

DROP SCHEMA ct_priv CASCADE;
DROP SERVER files_trail, hidden_trail CASCADE;
DROP OWNED BY regress_ct_owner, regress_ct_reader, regress_ct_files, regress_ct_nobody;
DROP ROLE regress_ct_owner, regress_ct_reader, regress_ct_files, regress_ct_nobody;
