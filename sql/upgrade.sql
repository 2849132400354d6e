-- The extension's versions: 1.0 installed, then updated to 1.1 (the index
-- functions) and 1.2 (validate, the shard helpers), and the objects each
-- version has.  Runs first: setup.sql creates the extension at the default
-- version.
CREATE EXTENSION cloudtrail_fdw VERSION '1.0';
CREATE VIEW ext_objects AS
  SELECT pg_describe_object(classid, objid, objsubid) AS object
    FROM pg_depend
   WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
     AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cloudtrail_fdw');
SELECT extversion FROM pg_extension WHERE extname = 'cloudtrail_fdw';
SELECT object FROM ext_objects ORDER BY 1;
-- a server and table made under 1.0 keep working after the update
CREATE SERVER old_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '/nonexistent');
ALTER EXTENSION cloudtrail_fdw UPDATE TO '1.1';
SELECT extversion, extrelocatable FROM pg_extension WHERE extname = 'cloudtrail_fdw';
SELECT object FROM ext_objects ORDER BY 1;
SELECT srvname FROM pg_foreign_server WHERE srvname = 'old_trail';
-- refresh_index is not granted to PUBLIC; index_info is
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_run
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'cloudtrail_fdw' ORDER BY 1;
-- 1.2: validate(), not granted to PUBLIC either, and (sharding, issue 16) the
-- coordinator's helpers, plain PL/pgSQL
ALTER EXTENSION cloudtrail_fdw UPDATE TO '1.2';
SELECT extversion FROM pg_extension WHERE extname = 'cloudtrail_fdw';
SELECT object FROM ext_objects ORDER BY 1;
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_run
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'cloudtrail_fdw' ORDER BY 1;
SELECT pg_get_function_arguments('cloudtrail_fdw.validate'::regproc) AS arguments,
       pg_get_function_result('cloudtrail_fdw.validate'::regproc) AS result;
SELECT p.proname, l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'cloudtrail_fdw'::regnamespace AND p.proname ~ 'shard' ORDER BY 1;
SELECT srvname FROM pg_foreign_server WHERE srvname = 'old_trail';
DROP SERVER old_trail;
DROP VIEW ext_objects;
DROP EXTENSION cloudtrail_fdw;
SELECT count(*) AS schema_left FROM pg_namespace WHERE nspname = 'cloudtrail_fdw';
