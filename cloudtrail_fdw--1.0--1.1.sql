/* cloudtrail_fdw--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION cloudtrail_fdw UPDATE TO '1.1'" to load this file. \quit

-- The persistent index of a mirror (see the README, "The index").
CREATE SCHEMA cloudtrail_fdw;

CREATE FUNCTION cloudtrail_fdw.refresh_index(tbl regclass,
    OUT folders_seen bigint, OUT folders_added bigint, OUT folders_changed bigint,
    OUT folders_removed bigint, OUT files_seen bigint, OUT files_added bigint,
    OUT files_changed bigint, OUT files_removed bigint, OUT files_bad bigint,
    OUT bytes_read bigint, OUT index_bytes bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'cloudtrail_fdw_refresh_index'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- it reads every file of the table: granted explicitly, as pg_stat_statements_reset is
REVOKE ALL ON FUNCTION cloudtrail_fdw.refresh_index(regclass) FROM PUBLIC;

-- where the index of a table's mirror is, and what it describes
CREATE FUNCTION cloudtrail_fdw.index_info(tbl regclass,
    OUT index_file text, OUT index_bytes bigint, OUT folders bigint, OUT files bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'cloudtrail_fdw_index_info'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
