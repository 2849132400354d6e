/* cloudtrail_fdw--1.1--1.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION cloudtrail_fdw UPDATE TO '1.2'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Log file integrity validation (issue 15; see the README, "Validating a
-- mirror").  Self-contained: it needs nothing else of 1.2.
-- ---------------------------------------------------------------------------

-- One row per log file and per digest of the table's location in the range:
-- valid, invalid, not found, not covered or not verified.
CREATE FUNCTION cloudtrail_fdw.validate(tbl regclass, start_time timestamptz,
    end_time timestamptz DEFAULT now(), public_keys jsonb DEFAULT NULL,
    signatures jsonb DEFAULT NULL)
RETURNS TABLE (file text, kind text, status text, detail text)
AS 'MODULE_PATHNAME', 'cloudtrail_fdw_validate'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

-- it reads every file of the table (and needs SELECT on it): granted
-- explicitly, as refresh_index is
REVOKE ALL ON FUNCTION cloudtrail_fdw.validate(regclass, timestamptz, timestamptz, jsonb, jsonb)
    FROM PUBLIC;
