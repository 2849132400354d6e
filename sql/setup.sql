-- Set-up shared by the whole suite: the extension, a server on the fixture
-- mirror, the imported tables, and a filter for machine-dependent EXPLAIN lines.
\getenv fixtures CT_FIXTURES
\set main :fixtures/main
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE EXTENSION cloudtrail_fdw;
-- plans must not depend on the machine's CPUs (parallel.sql tests the bound)
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET cloudtrail_fdw.parallel_cpus = 64', current_database());
END $$;
-- (not \dx, whose columns differ between psql versions)
SELECT e.extname, e.extversion, n.nspname AS schema, obj_description(e.oid, 'pg_extension') AS description
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'cloudtrail_fdw';
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

-- What PostgreSQL itself prints differently from version to version: from 18
-- EXPLAIN ANALYZE gives rows per loop with two decimals, and the JSON, YAML
-- and XML formats a "Disabled" property of every node.  Rows per loop are
-- shown as 17 rounds them.
CREATE FUNCTION explain_normalize(ln text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  m text[];
BEGIN
  LOOP
    m := regexp_match(ln, '(rows=|"Actual Rows": |Actual Rows: |<Actual-Rows>)([0-9]+\.[0-9]+)');
    EXIT WHEN m IS NULL;
    ln := replace(ln, m[1] || m[2], m[1] || round(m[2]::float8)::text);
  END LOOP;
  ln := regexp_replace(ln, '\n *"Disabled": (false|true),', '', 'g');
  ln := regexp_replace(ln, '\n *Disabled: (false|true)', '', 'g');
  ln := regexp_replace(ln, '\n *<Disabled>(false|true)</Disabled>', '', 'g');
  RETURN ln;
END
$$;

-- EXPLAIN output without sizes that depend on the zlib build
CREATE FUNCTION explain_filter(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  ln text;
BEGIN
  FOR ln IN EXECUTE query LOOP
    ln := explain_normalize(ln);
    ln := regexp_replace(ln, '(File Size|Bytes Read): [0-9]+( [a-zA-Z]+)?', '\1: N', 'g');
    ln := regexp_replace(ln, '("File Size"|"Bytes Read"): [0-9]+', '\1: N', 'g');
    ln := regexp_replace(ln, '<(File-Size|Bytes-Read)>[0-9]+<', '<\1>N<', 'g');
    ln := regexp_replace(ln, 'cost=[0-9.]+\.\.[0-9.]+', 'cost=N..N', 'g');
    RETURN NEXT ln;
  END LOOP;
END
$$;

CREATE TABLE suite_queries (q text, ordered boolean);

-- runs q with a setting at two values: its row count, whether both runs give
-- the same rows (in the same order, if ordered), and whether the plan under
-- the first value has a line matching marker
CREATE FUNCTION two_ways(q text, setting text, first text, second text,
                         ordered boolean DEFAULT false, marker text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  a text;
  b text;
  ln text;
  seen boolean := false;
  agg text := CASE WHEN ordered THEN $a$string_agg(x::text, E'\n')$a$
                   ELSE $a$string_agg(x::text, E'\n' ORDER BY x::text)$a$ END;
  old text := current_setting(setting);
BEGIN
  -- every query compared is kept, for index.sql to compare again with the index
  IF current_setting('cloudtrail_fdw_test.record', true) IS DISTINCT FROM 'off' THEN
    INSERT INTO suite_queries VALUES (q, ordered);
  END IF;
  PERFORM set_config(setting, first, true);
  IF marker IS NOT NULL THEN
    FOR ln IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
      seen := seen OR ln ~ marker;
    END LOOP;
  END IF;
  EXECUTE format($f$SELECT count(*), md5(coalesce(%s, '')) FROM (%s) x$f$, agg, q) INTO n, a;
  PERFORM set_config(setting, second, true);
  EXECUTE format($f$SELECT md5(coalesce(%s, '')) FROM (%s) x$f$, agg, q) INTO b;
  PERFORM set_config(setting, old, true);
  RETURN n || ' rows, ' || CASE WHEN a = b THEN 'same' ELSE 'DIFFERENT' END
    || CASE WHEN marker IS NULL THEN '' WHEN seen THEN ', ' || marker ELSE ', no ' || marker END;
END
$$;

-- every query compared so far, again with a setting on and off (how many
-- ran, and any that differ): index.sql and rawcheck.sql use it
CREATE FUNCTION replay_suite(setting text, OUT compared int, OUT differing text[])
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  res text;
BEGIN
  compared := 0;
  differing := '{}';
  PERFORM set_config('cloudtrail_fdw_test.record', 'off', true);
  FOR r IN SELECT DISTINCT q, ordered FROM suite_queries ORDER BY q, ordered LOOP
    BEGIN
      res := two_ways(r.q, setting, 'on', 'off', r.ordered);
      compared := compared + 1;
      IF res !~ 'same' THEN
        differing := differing || r.q;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      NULL;   -- a query on a table dropped since
    END;
  END LOOP;
  PERFORM set_config('cloudtrail_fdw_test.record', 'on', true);
END
$$;

-- the lines of EXPLAIN ANALYZE (no costs, timings or sizes) matching pattern,
-- without their indentation
CREATE FUNCTION explain_lines(q text, pattern text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  ln text;
BEGIN
  FOR ln IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ' || q LOOP
    IF ln ~ pattern THEN
      RETURN NEXT regexp_replace(explain_normalize(ln), '^\s+', '');
    END IF;
  END LOOP;
END
$$;
