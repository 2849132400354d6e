/* cloudtrail_fdw--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION cloudtrail_fdw" to load this file. \quit

CREATE FUNCTION cloudtrail_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION cloudtrail_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER cloudtrail_fdw
  HANDLER cloudtrail_fdw_handler
  VALIDATOR cloudtrail_fdw_validator;
