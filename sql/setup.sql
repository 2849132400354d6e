-- Set-up shared by the whole suite: the extension, a server on the fixture
-- mirror, the imported tables, and a filter for machine-dependent EXPLAIN lines.
\getenv fixtures CT_FIXTURES
\set main :fixtures/main
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE EXTENSION cloudtrail_fdw;
\dx cloudtrail_fdw
\dew cloudtrail_fdw

CREATE SERVER trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'main');
IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER trail INTO public;
\det
\d cloudtrail_logs
\d cloudtrail_insights

-- LIMIT TO and EXCEPT
CREATE SCHEMA only_logs;
IMPORT FOREIGN SCHEMA cloudtrail LIMIT TO (cloudtrail_logs) FROM SERVER trail INTO only_logs;
CREATE SCHEMA no_logs;
IMPORT FOREIGN SCHEMA cloudtrail EXCEPT (cloudtrail_logs) FROM SERVER trail INTO no_logs;
SELECT foreign_table_schema, foreign_table_name FROM information_schema.foreign_tables
 WHERE foreign_table_schema IN ('only_logs', 'no_logs') ORDER BY 1, 2;
DROP SCHEMA only_logs, no_logs CASCADE;

-- only the schema "cloudtrail" exists, and import takes no options
IMPORT FOREIGN SCHEMA public FROM SERVER trail INTO public;
IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER trail INTO public OPTIONS (location 'x');

-- EXPLAIN output without sizes that depend on the zlib build
CREATE FUNCTION explain_filter(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  ln text;
BEGIN
  FOR ln IN EXECUTE query LOOP
    ln := regexp_replace(ln, '(File Size|Bytes Read): [0-9]+( [a-zA-Z]+)?', '\1: N', 'g');
    ln := regexp_replace(ln, '("File Size"|"Bytes Read"): [0-9]+', '\1: N', 'g');
    ln := regexp_replace(ln, '<(File-Size|Bytes-Read)>[0-9]+<', '<\1>N<', 'g');
    ln := regexp_replace(ln, 'cost=[0-9.]+\.\.[0-9.]+', 'cost=N..N', 'g');
    RETURN NEXT ln;
  END LOOP;
END
$$;
