-- Conversion of JSON values to each column type.  Each fixture folder holds
-- values that fit one family of types; the error cases have a file each.
\getenv fixtures CT_FIXTURES
\set types :fixtures/types
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
\pset null '(null)'

CREATE SERVER types_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'types');
CREATE FOREIGN TABLE typed (
  eventid text,
  eventtime timestamptz,
  v_text text OPTIONS (field 'v'),
  v_varchar varchar OPTIONS (field 'v'),
  v_vc5 varchar(5) OPTIONS (field 'v'),
  v_jsonb jsonb OPTIONS (field 'v'),
  v_json json OPTIONS (field 'v'),
  v_bool boolean OPTIONS (field 'v'),
  v_int2 smallint OPTIONS (field 'v'),
  v_int4 integer OPTIONS (field 'v'),
  v_int8 bigint OPTIONS (field 'v'),
  v_numeric numeric OPTIONS (field 'v'),
  v_num52 numeric(5,2) OPTIONS (field 'v'),
  v_float8 float8 OPTIONS (field 'v'),
  v_float4 real OPTIONS (field 'v'),
  v_ts timestamptz OPTIONS (field 'v'),
  v_timestamp timestamp OPTIONS (field 'v'),
  v_date date OPTIONS (field 'v'),
  t_ts timestamp OPTIONS (field 'eventTime'),
  t_date date OPTIONS (field 'eventTime'),
  t_text text OPTIONS (field 'eventTime'),
  mixed text,
  "Mixed" text OPTIONS (field 'Mixed'),
  lower_mixed text OPTIONS (field 'mixed')
) SERVER types_trail OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/02');

CREATE FUNCTION at_day(day text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER FOREIGN TABLE typed OPTIONS (SET location %L)',
                 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/' || day);
END
$$;

-- text and json types take any value; only the columns used are converted
SELECT eventid, v_text, v_jsonb, v_json FROM typed ORDER BY length(eventid), eventid;
SELECT eventid, length(v_text), octet_length(v_text) FROM typed WHERE eventid IN ('t2', 't22');
SELECT eventid, jsonb_typeof(v_jsonb) FROM typed
 WHERE eventid IN ('t1', 't2', 't3', 't8', 't14', 't16') ORDER BY eventid;
-- a text column holds what ->> gives, a jsonb column what -> gives
CREATE FOREIGN TABLE typed_event (v_text text OPTIONS (field 'v'), v_jsonb jsonb OPTIONS (field 'v'), event jsonb)
  SERVER types_trail OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/02');
SELECT count(*) FROM typed_event
 WHERE v_text IS DISTINCT FROM event->>'v' OR v_jsonb IS DISTINCT FROM nullif(event->'v', 'null');
-- eventTime as text; t18 writes it as a number
SELECT eventid, t_text FROM typed WHERE eventid IN ('t1', 't17', 't18') ORDER BY eventid;
SELECT eventtime FROM typed;
\echo :LAST_ERROR_SQLSTATE
-- missing key and JSON null are NULL
SELECT eventid, v_text IS NULL AS text_null, v_jsonb IS NULL AS jsonb_null, v_json IS NULL AS json_null
  FROM typed WHERE eventid IN ('t10', 't19') ORDER BY eventid;
-- keys are matched case-insensitively without a field option (the last match wins), exactly with one
SELECT eventid, mixed, "Mixed", lower_mixed FROM typed WHERE eventid = 't20';
-- duplicate keys: the last one wins, as in jsonb
SELECT eventid, v_text, v_jsonb, v_json FROM typed WHERE eventid = 't21';

-- integers: JSON integers and strings holding one
SELECT at_day('04');
SELECT eventid, v_int2, v_int4, v_int8, v_numeric, v_float8, v_text FROM typed ORDER BY eventid;
-- numbers keep their digits
SELECT at_day('05');
SELECT eventid, v_numeric, v_text, v_jsonb, v_json, v_float8, v_float4 FROM typed ORDER BY eventid;
-- booleans: JSON booleans and the strings "true" and "false"
SELECT at_day('06');
SELECT eventid, v_bool, v_text, v_jsonb FROM typed ORDER BY eventid;
-- times in ISO 8601: fractions (rounded to microseconds), offsets, dates
SELECT at_day('07');
SELECT eventid, v_ts, v_timestamp, v_date, v_text FROM typed ORDER BY eventid;
SELECT eventid, eventtime, t_ts, t_date, t_text FROM typed WHERE eventid = 'time1';
SET timezone = 'America/New_York';
SELECT eventid, v_ts FROM typed WHERE eventid = 'time4';
SET timezone = 'UTC';

-- jsonb is written straight from the text: the same bytes jsonb_in makes of it
-- (image equality *=), for values that exercise key order, duplicate keys,
-- offsets every 32 members, alignment, nesting and escapes
SELECT at_day('08');
SELECT eventid, v_jsonb FROM typed WHERE eventid IN ('jsonb1', 'jsonb2', 'jsonb7', 'jsonb8', 'jsonb10', 'jsonb13')
 ORDER BY eventid;
CREATE FOREIGN TABLE typed_event_json (eventid text, event json)
  SERVER types_trail OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/08');
-- a composite of one jsonb, so *= compares the images of two values
CREATE TYPE jsonb_image AS (j jsonb);
CREATE FUNCTION jsonb_images(folder text) RETURNS TABLE (day text, n_values bigint, same_image bigint, n_records bigint, same_record_image bigint)
LANGUAGE plpgsql AS $$
DECLARE
  loc text := 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/' || folder;
BEGIN
  PERFORM at_day(folder);
  EXECUTE format('ALTER FOREIGN TABLE typed_event OPTIONS (SET location %L)', loc);
  EXECUTE format('ALTER FOREIGN TABLE typed_event_json OPTIONS (SET location %L)', loc);
  SELECT count(*), count(*) FILTER (WHERE ROW(v_jsonb)::jsonb_image *= ROW(v_json::jsonb)::jsonb_image)
    INTO n_values, same_image FROM typed WHERE v_json IS NOT NULL;
  -- the whole record, against its text read by a second table in the same order
  SELECT count(*), count(*) FILTER (WHERE ROW(a.event)::jsonb_image *= ROW(b.event::jsonb)::jsonb_image)
    INTO n_records, same_record_image
    FROM (SELECT row_number() OVER () n, event FROM typed_event) a
    JOIN (SELECT row_number() OVER () n, event FROM typed_event_json) b USING (n);
  day := folder;
  RETURN NEXT;
END
$$;
SET max_parallel_workers_per_gather = 0;
SELECT j.* FROM unnest(ARRAY['02', '04', '05', '06', '07', '08']) d, jsonb_images(d) j;
RESET max_parallel_workers_per_gather;

-- a value that does not fit its column is an error naming the file, the record and the reason
\set VERBOSITY default
SELECT at_day('10');
SELECT v_int2 FROM typed;
\echo :LAST_ERROR_SQLSTATE
SELECT v_int4, v_int8 FROM typed;
SELECT at_day('11');
SELECT v_int4 FROM typed;
SELECT at_day('12');
SELECT v_int8 FROM typed;
SELECT v_numeric, v_text FROM typed;
SELECT at_day('13');
SELECT v_ts FROM typed;
\echo :LAST_ERROR_SQLSTATE
SELECT v_date FROM typed;
SELECT at_day('14');
SELECT v_float8 FROM typed;
SELECT v_numeric FROM typed;
SELECT at_day('15');
SELECT v_text FROM typed;
\echo :LAST_ERROR_SQLSTATE
SELECT v_jsonb FROM typed;
SELECT v_json FROM typed;
SELECT at_day('16');
SELECT v_int4 FROM typed;
SELECT at_day('17');
SELECT v_bool FROM typed;
SELECT v_ts FROM typed;
SELECT at_day('18');
SELECT v_int4 FROM typed;
\echo :LAST_ERROR_SQLSTATE
SELECT v_text, v_jsonb FROM typed;
SELECT at_day('20');
SELECT v_numeric FROM typed;
SELECT v_jsonb FROM typed;
SELECT v_text FROM typed;
-- types outside the list go through their input function (its errors are
-- in input_errors.sql, since they differ between versions)
SELECT at_day('06');
SELECT v_vc5 FROM typed ORDER BY 1;

-- the other account's file: an invalid eventTime and a readOnly that is no boolean
CREATE FOREIGN TABLE bad_values (eventid text, eventtime timestamptz, readonly boolean)
  SERVER types_trail OPTIONS (location 'AWSLogs/999999999999');
SELECT eventid FROM bad_values ORDER BY 1;
SELECT eventid, eventtime FROM bad_values;
SELECT eventid, readonly FROM bad_values;

-- a UTF-8 byte-order mark at the start of a file is skipped
CREATE FOREIGN TABLE bom (eventid text, eventtime timestamptz, eventname text)
  SERVER types_trail OPTIONS (location 'AWSLogs/666666666666');
SELECT * FROM bom;

DROP FOREIGN TABLE typed, typed_event, typed_event_json, bad_values, bom;
DROP FUNCTION jsonb_images(text);
DROP TYPE jsonb_image;
DROP FUNCTION at_day(text);
