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
-- BEGIN sharding (issue 16) -------------------------------------------------
-- A coordinator's table over shards (see the README, "Shards"): a table
-- partitioned by account_id (or region) whose partitions are postgres_fdw
-- foreign tables, one per shard, each over the shard's own cloudtrail_fdw
-- table.  Plain PL/pgSQL: nothing here needs cloudtrail_fdw's library, and
-- tools/shard-coordinator-sql loads this section into pg_temp on a
-- coordinator that does not have the extension.  Self-contained: it uses
-- nothing else of the extension, and nothing else uses it.

-- The columns of a shard's table, as "name type [NOT NULL], ...": imported
-- with postgres_fdw into a scratch schema (so they are exactly what the
-- shard's IMPORT FOREIGN SCHEMA made), described, and dropped.
CREATE FUNCTION cloudtrail_fdw.shard_columns(server name, remote_schema text,
    remote_table text, OUT columns text, OUT scratch_table regclass)
RETURNS record
LANGUAGE plpgsql VOLATILE SET client_min_messages = warning AS $$
DECLARE
  scratch text := 'cloudtrail_fdw_import_' || pg_backend_pid();
BEGIN
  PERFORM cloudtrail_fdw.check_shard_server(server);
  EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', scratch);
  EXECUTE format('CREATE SCHEMA %I', scratch);
  EXECUTE format('IMPORT FOREIGN SCHEMA %I LIMIT TO (%I) FROM SERVER %I INTO %I',
                 remote_schema, remote_table, server, scratch);
  scratch_table := to_regclass(format('%I.%I', scratch, remote_table));
  IF scratch_table IS NULL THEN
    RAISE EXCEPTION 'shard "%" has no table %.%', server, remote_schema, remote_table
      USING ERRCODE = 'undefined_table',
            HINT = format('On the shard: IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER ... INTO %I.',
                          remote_schema);
  END IF;
  SELECT string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                           CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END),
                    ', ' ORDER BY a.attnum)
    INTO columns
    FROM pg_attribute a
   WHERE a.attrelid = scratch_table AND a.attnum > 0 AND NOT a.attisdropped;
END
$$;

-- The scratch schema of shard_columns(), once its table has been used.
CREATE FUNCTION cloudtrail_fdw.drop_shard_scratch() RETURNS void
LANGUAGE plpgsql VOLATILE SET client_min_messages = warning AS $$
BEGIN
  EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', 'cloudtrail_fdw_import_' || pg_backend_pid());
END
$$;

-- A shard is a postgres_fdw server (a user mapping is postgres_fdw's to check).
CREATE FUNCTION cloudtrail_fdw.check_shard_server(server name) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
                  WHERE s.srvname = server AND w.fdwname = 'postgres_fdw') THEN
    RAISE EXCEPTION 'server "%" is not a postgres_fdw server', server
      USING ERRCODE = 'undefined_object',
            HINT = 'CREATE SERVER ... FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ..., port ..., dbname ...), and a USER MAPPING for it.';
  END IF;
END
$$;

-- Adds one shard to a coordinator's table: a postgres_fdw foreign table,
-- a partition for the given key values (its accounts, or regions), after
-- checking that the shard's table has the coordinator's columns (a shard on
-- another version would otherwise fail only when queried).  The partition
-- is named PARENT_SERVER and returned.
CREATE FUNCTION cloudtrail_fdw.attach_shard(parent regclass, server name,
    key_values text[], remote_schema text DEFAULT 'public',
    remote_table text DEFAULT NULL,
    options jsonb DEFAULT '{"use_remote_estimate": "true", "fetch_size": "1000", "async_capable": "true"}')
RETURNS regclass
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  rel_name text;
  rel_schema text;
  wanted text;
  got text;
  opts text;
  part text;
BEGIN
  SELECT c.relname, n.nspname INTO rel_name, rel_schema
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = parent AND c.relkind = 'p';
  IF rel_name IS NULL THEN
    RAISE EXCEPTION '"%" is not a partitioned table', parent
      USING ERRCODE = 'wrong_object_type',
            HINT = 'cloudtrail_fdw.create_sharded_table() makes one.';
  END IF;
  PERFORM cloudtrail_fdw.check_shard_server(server);
  IF coalesce(cardinality(key_values), 0) = 0 OR array_position(key_values, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'shard "%" needs at least one key value, and no NULL', server
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A partition is the list of accounts (or regions) its shard holds.';
  END IF;
  remote_table := coalesce(remote_table, rel_name);

  SELECT string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                           CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END),
                    ', ' ORDER BY a.attnum)
    INTO wanted
    FROM pg_attribute a
   WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped;
  got := (cloudtrail_fdw.shard_columns(server, remote_schema, remote_table)).columns;
  PERFORM cloudtrail_fdw.drop_shard_scratch();
  IF got IS DISTINCT FROM wanted THEN
    RAISE EXCEPTION 'shard "%" has other columns than %', server, parent
      USING ERRCODE = 'datatype_mismatch',
            DETAIL = format('The shard''s %I.%I has (%s); the coordinator''s table has (%s).',
                            remote_schema, remote_table, got, wanted);
  END IF;

  -- postgres_fdw's async_capable is PostgreSQL 14's
  IF current_setting('server_version_num')::int < 140000 THEN
    options := options - 'async_capable';
  END IF;
  SELECT string_agg(format(', %I %L', key, value), '' ORDER BY key) INTO opts
    FROM jsonb_each_text(coalesce(options, '{}'));
  part := left(rel_name || '_' || server, 63);
  EXECUTE format('CREATE FOREIGN TABLE %I.%I PARTITION OF %s FOR VALUES IN (%s) SERVER %I '
                 'OPTIONS (schema_name %L, table_name %L%s)',
                 rel_schema, part, parent,
                 (SELECT string_agg(format('%L', v), ', ' ORDER BY v) FROM unnest(key_values) v),
                 server, remote_schema, remote_table, coalesce(opts, ''));
  RETURN format('%I.%I', rel_schema, part)::regclass;
END
$$;

-- The coordinator's table: NAME (optionally schema-qualified) with the
-- columns of the first shard's table (by server name), partitioned by list
-- of partition_by, and one partition per shard.  shards maps each
-- postgres_fdw server to the key values it holds:
--   {"shard_1": ["111122223333", "777788889999"], "shard_2": ["444455556666"]}
CREATE FUNCTION cloudtrail_fdw.create_sharded_table(table_name text, shards jsonb,
    partition_by text DEFAULT 'account_id', remote_schema text DEFAULT 'public',
    remote_table text DEFAULT NULL,
    options jsonb DEFAULT '{"use_remote_estimate": "true", "fetch_size": "1000", "async_capable": "true"}')
RETURNS TABLE (shard_table regclass, server name, key_values text[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  ident text[] := parse_ident(table_name);
  qualified text;
  first_server text;
  scratch regclass;
  dup record;
  s record;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'postgres_fdw') THEN
    RAISE EXCEPTION 'extension "postgres_fdw" is not installed'
      USING ERRCODE = 'undefined_object',
            HINT = 'CREATE EXTENSION postgres_fdw on the coordinator.';
  END IF;
  IF shards IS NULL OR jsonb_typeof(shards) <> 'object' OR shards = '{}'
     OR EXISTS (SELECT FROM jsonb_each(shards) e
                 WHERE jsonb_typeof(e.value) <> 'array'
                    OR EXISTS (SELECT FROM jsonb_array_elements(e.value) v
                                WHERE jsonb_typeof(v) <> 'string')) THEN
    RAISE EXCEPTION 'shards must be a JSON object of server names and arrays of strings'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'For example ''{"shard_1": ["111122223333"], "shard_2": ["444455556666"]}''.';
  END IF;
  -- a key value on two shards would be read from one only (partition pruning)
  SELECT v.value #>> '{}' AS val, min(e.key) AS a, max(e.key) AS b INTO dup
    FROM jsonb_each(shards) e, jsonb_array_elements(e.value) v
   GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1;
  IF dup.val IS NOT NULL THEN
    RAISE EXCEPTION '"%" is listed for two shards, "%" and "%"', dup.val, dup.a, dup.b
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Each account (or region) must be on exactly one shard.';
  END IF;
  PERFORM cloudtrail_fdw.check_shard_server(k) FROM jsonb_object_keys(shards) k;
  qualified := array_to_string(ARRAY(SELECT quote_ident(x) FROM unnest(ident) x), '.');

  -- the columns: those of the first shard's table, NOT NULL included
  SELECT min(key) INTO first_server FROM jsonb_object_keys(shards) key;
  scratch := (cloudtrail_fdw.shard_columns(first_server, remote_schema,
              coalesce(remote_table, ident[cardinality(ident)]))).scratch_table;
  IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = scratch AND attname = partition_by
                                              AND NOT attisdropped) THEN
    RAISE EXCEPTION 'shard "%" has no column "%" to partition by', first_server, partition_by
      USING ERRCODE = 'undefined_column',
            HINT = 'partition_by is account_id, or region where shards hold regions.';
  END IF;
  EXECUTE format('CREATE TABLE %s (LIKE %s) PARTITION BY LIST (%I)', qualified, scratch, partition_by);
  PERFORM cloudtrail_fdw.drop_shard_scratch();

  FOR s IN SELECT e.key, ARRAY(SELECT jsonb_array_elements_text(e.value)) AS vals
             FROM jsonb_each(shards) e ORDER BY e.key LOOP
    shard_table := cloudtrail_fdw.attach_shard(qualified::regclass, s.key, s.vals,
                                               remote_schema, remote_table, options);
    server := s.key;
    key_values := ARRAY(SELECT x FROM unnest(s.vals) x ORDER BY x);
    RETURN NEXT;
  END LOOP;
END
$$;
-- END sharding (issue 16) ---------------------------------------------------
