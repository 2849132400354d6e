-- jsonb_col ->> 'key' computed by the scan from the record text, without
-- building the column's jsonb: the same values and the same errors as
-- PostgreSQL's own ->>, which runs with pushdown off.
\getenv fixtures CT_FIXTURES
\set real :fixtures/real
\set types :fixtures/types
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
\pset null '(null)'

-- the first use of the table loads the extension's library, and its settings
SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'NoSuchEvent';

CREATE FUNCTION fields_both_ways(q text) RETURNS text LANGUAGE sql
  AS $$ SELECT two_ways(q, 'cloudtrail_fdw.enable_pushdown', 'on', 'off', false, 'Fields Extracted') $$;

SELECT q, fields_both_ways(q) FROM (VALUES
  ($$SELECT eventid, useridentity->>'userName', useridentity->>'type', useridentity->>'arn' FROM cloudtrail_logs$$),
  ($$SELECT eventid, useridentity->>'sessionContext', requestparameters->>'key', responseelements->>'ConsoleLogin' FROM cloudtrail_logs$$),
  ($$SELECT useridentity->>'type', count(*) FROM cloudtrail_logs GROUP BY 1$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE requestparameters->>'bucketName' LIKE '%-us-east-1'$$),
  ($$SELECT eventid, event->>'eventName', event->>'userIdentity', event->>'EVENTNAME' FROM cloudtrail_logs$$),
  ($$SELECT eventid, resources->>'ARN', additionaleventdata->>'MFAUsed', tlsdetails->>'tlsVersion' FROM cloudtrail_logs$$),
  ($$SELECT eventid, useridentity->>'' FROM cloudtrail_logs$$),
  ($$SELECT upper(useridentity->>'userName'), count(DISTINCT useridentity->>'accountId') FROM cloudtrail_logs GROUP BY 1$$),
  ($$SELECT eventtime, useridentity->>'userName' FROM cloudtrail_logs WHERE eventtime > '2018-11-14 12:00' ORDER BY eventtime DESC LIMIT 5$$),
  ($$SELECT eventid, useridentity->'sessionContext'->'sessionIssuer'->>'userName', useridentity #>> '{sessionContext,attributes,mfaAuthenticated}' FROM cloudtrail_logs$$),
  ($$SELECT eventid, jsonb_extract_path_text(useridentity, 'sessionContext', 'sessionIssuer', 'arn'), event #>> '{userIdentity,type}' FROM cloudtrail_logs$$),
  ($$SELECT useridentity #>> '{sessionContext,sessionIssuer,type}', count(*) FROM cloudtrail_logs GROUP BY 1$$),
  -- -> gives jsonb, JSON null as jsonb 'null', a missing key as SQL NULL
  ($$SELECT eventid, useridentity->'sessionContext', requestparameters->'key', responseelements->'ConsoleLogin' FROM cloudtrail_logs$$),
  ($$SELECT eventid, useridentity->'sessionContext'->'attributes', useridentity #> '{sessionContext,sessionIssuer}', jsonb_extract_path(event, 'userIdentity', 'type') FROM cloudtrail_logs$$),
  ($$SELECT eventid, requestparameters->'filter', event->'requestParameters', event->'errorCode', responseelements->'x' IS NULL FROM cloudtrail_logs$$),
  ($$SELECT jsonb_typeof(event->'responseElements'), count(*) FROM cloudtrail_logs GROUP BY 1$$),
  ($$SELECT eventid FROM cloudtrail_logs WHERE useridentity->'sessionContext'->'attributes' @> '{"mfaAuthenticated": "true"}'$$)
) v(q);

-- what EXPLAIN shows; not for a key of digits (it would index an array), a
-- whole-row reference, or a join
SELECT explain_filter($$EXPLAIN (COSTS OFF, VERBOSE) SELECT useridentity->>'userName' AS u, count(*)
  FROM cloudtrail_logs WHERE useridentity->>'type' = 'IAMUser' GROUP BY 1$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF, FORMAT JSON) SELECT useridentity->>'type' FROM cloudtrail_logs$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT useridentity->'sessionContext'->'attributes'->>'creationDate',
  useridentity #>> '{sessionContext,sessionIssuer,arn}' FROM cloudtrail_logs$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT useridentity->'sessionContext', event #> '{userIdentity,sessionContext,attributes}' FROM cloudtrail_logs$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT resources->>'0' FROM cloudtrail_logs$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT resources #>> '{0,ARN}', useridentity #>> '{}', useridentity #>> '{-1}' FROM cloudtrail_logs$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT c, c.useridentity->>'type' FROM cloudtrail_logs c$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT a.useridentity->>'type' FROM cloudtrail_logs a
  JOIN cloudtrail_logs b USING (eventid) WHERE b.eventname = 'ConsoleLogin'$$);
SET cloudtrail_fdw.enable_pushdown = off;
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT useridentity->>'type' FROM cloudtrail_logs$$);
RESET cloudtrail_fdw.enable_pushdown;

-- real records: other shapes, escapes, Unicode; the pretty-printed file
CREATE SERVER real_fields FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'real');
CREATE FOREIGN TABLE real_fields (eventid text, useridentity jsonb, requestparameters jsonb,
  responseelements jsonb, event jsonb) SERVER real_fields;
SELECT q, fields_both_ways(q) FROM (VALUES
  ($$SELECT eventid, useridentity->>'type', useridentity->>'sessionContext', useridentity->>'invokedBy' FROM real_fields$$),
  ($$SELECT eventid, requestparameters->>'roleSessionName', requestparameters->>'policy', responseelements->>'credentials' FROM real_fields$$),
  ($$SELECT eventid, event->>'@timestamp', event->>'eventTime', event->>'requestParameters' FROM real_fields$$),
  ($$SELECT eventid, useridentity #>> '{sessionContext,sessionIssuer,userName}', useridentity->'sessionContext'->>'attributes' FROM real_fields$$),
  ($$SELECT eventid, useridentity->'sessionContext', requestparameters->'policy', event->'requestParameters', event->'@timestamp' FROM real_fields$$)
) v(q);

-- any JSON value: strings with escapes, numbers as written, objects and
-- arrays in jsonb's text form, true/false/null
CREATE SERVER types_fields FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'types');
CREATE FOREIGN TABLE typed_fields (eventid text, event jsonb, rec jsonb OPTIONS (field 'v'))
  SERVER types_fields OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/02');
SELECT fields_both_ways($$SELECT eventid, event->>'v', rec->>'a', rec->>'b' FROM typed_fields$$);
-- LIKE patterns on the text of any JSON value (1e3 is 1000, objects print
-- with ", " and ": "): pushed pieces never reject a matching record
SELECT q, fields_both_ways(q) FROM (VALUES
  ($$SELECT eventid FROM typed_fields WHERE event->>'v' LIKE '%000%'$$),
  ($$SELECT eventid FROM typed_fields WHERE event->>'v' LIKE '%.10'$$),
  ($$SELECT eventid FROM typed_fields WHERE event->>'v' LIKE '%": {"%'$$),
  ($$SELECT eventid FROM typed_fields WHERE event->>'v' LIKE '%, "two"%'$$),
  ($$SELECT eventid FROM typed_fields WHERE event->>'v' LIKE '%tru_%'$$),
  ($$SELECT eventid FROM typed_fields WHERE event->>'v' LIKE '% null%'$$),
  ($$SELECT eventid FROM typed_fields WHERE event->>'v' LIKE '%d": null}]%'$$),
  ($$SELECT eventid FROM typed_fields WHERE event->>'v' LIKE '%😀%'$$)) v(q);
SELECT eventid, event->>'v' AS v FROM typed_fields ORDER BY length(eventid), eventid;
-- with ->, the value as jsonb: JSON null is jsonb null, a missing key SQL NULL
SELECT fields_both_ways($$SELECT eventid, event->'v', rec->'a', rec->'b', jsonb_typeof(event->'v') FROM typed_fields$$);
SELECT eventid, event->'v' AS v, jsonb_typeof(event->'v') AS type FROM typed_fields
 WHERE eventid IN ('t2', 't6', 't10', 't15', 't19') ORDER BY eventid;
-- and on the jsonb layout cases, the bytes jsonb_in makes of the value's text
ALTER FOREIGN TABLE typed_fields OPTIONS (SET location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/08');
CREATE TYPE field_image AS (j jsonb);
SELECT count(*), count(*) FILTER (WHERE ROW(event->'v')::field_image *= ROW((event->'v')::text::jsonb)::field_image)
  FROM typed_fields;
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT event->'v' FROM typed_fields$$);
DROP TYPE field_image;

-- a column value jsonb cannot hold is the same error either way
ALTER FOREIGN TABLE typed_fields OPTIONS (SET location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/15');
SELECT event->>'eventID' FROM typed_fields;
\echo :LAST_ERROR_SQLSTATE
SELECT event->'eventID' FROM typed_fields;
-- (checked once a record: for two fields of a column, or beside the column)
SELECT event->>'eventID', event->>'eventName' FROM typed_fields;
SELECT event, event->>'eventID' FROM typed_fields;
SET cloudtrail_fdw.enable_pushdown = off;
SELECT event->>'eventID' FROM typed_fields;
\echo :LAST_ERROR_SQLSTATE
RESET cloudtrail_fdw.enable_pushdown;
ALTER FOREIGN TABLE typed_fields OPTIONS (SET location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/20');
SELECT event->>'eventID' FROM typed_fields;
SET cloudtrail_fdw.enable_pushdown = off;
SELECT event->>'eventID' FROM typed_fields;
RESET cloudtrail_fdw.enable_pushdown;

-- Under an aggregate the plan may give the scan a physical target list
-- (every column): the scan then outputs the fields the aggregate reads and
-- only the columns used other than through a field, and converts no other
-- column.  The 19th has a record whose "v" is no integer: converting v_int
-- when only event->>'eventID' is asked for would fail.
CREATE FOREIGN TABLE typed_agg (eventid text, event jsonb, v_int integer OPTIONS (field 'v'))
  SERVER types_fields OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/19');
SELECT count(event->>'eventID'), max(event->>'v') FROM typed_agg;
SELECT v_int FROM typed_agg;
\echo :LAST_ERROR_SQLSTATE
SELECT q, fields_both_ways(q) FROM (VALUES
  ($$SELECT count(useridentity->>'userName'), count(DISTINCT useridentity->>'arn') FROM cloudtrail_logs$$),
  ($$SELECT count(*) FROM cloudtrail_logs WHERE requestparameters->>'bucketName' LIKE '%-us-east-1'$$),
  ($$SELECT max(useridentity->>'userName'), count(useridentity), min(eventname) FROM cloudtrail_logs$$),
  ($$SELECT eventname, count(useridentity->>'userName') FROM cloudtrail_logs GROUP BY eventname
      HAVING max(useridentity->>'type') > '' AND count(requestparameters) >= 0$$),
  ($$SELECT count(event->>'eventID'), max(event->>'v') FROM typed_agg$$)
) v(q);
SELECT explain_filter($$EXPLAIN (COSTS OFF, VERBOSE) SELECT count(useridentity->>'userName'),
  max(useridentity->>'type') FROM cloudtrail_logs WHERE requestparameters->>'bucketName' LIKE '%-us-east-1'$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF, VERBOSE) SELECT eventname, count(useridentity->>'userName')
  FROM cloudtrail_logs GROUP BY eventname HAVING count(requestparameters) >= 0$$);
-- SELECT * asks for every column in order, exactly: no field is added
CREATE FOREIGN TABLE typed_star (eventid text, event jsonb)
  SERVER types_fields OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/19');
SELECT * FROM typed_star WHERE event->>'eventID' = 'bad19';
SELECT explain_filter($$EXPLAIN (COSTS OFF, VERBOSE) SELECT * FROM typed_star WHERE event->>'eventID' = 'bad19'$$);
DROP FOREIGN TABLE typed_agg, typed_star;

-- in parallel plans too
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT two_ways($$SELECT eventid, useridentity->>'userName', event->>'eventSource' FROM cloudtrail_logs$$,
                'max_parallel_workers_per_gather', '2', '0', false, 'Parallel Foreign Scan');
SELECT two_ways($$SELECT count(useridentity->>'userName'), max(event->>'eventSource') FROM cloudtrail_logs
                  WHERE requestparameters->>'bucketName' LIKE '%-%'$$,
                'max_parallel_workers_per_gather', '2', '0', false, 'Parallel Foreign Scan');
SELECT explain_filter($$EXPLAIN (COSTS OFF, VERBOSE) SELECT count(useridentity->>'userName') FROM cloudtrail_logs$$);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

DROP FOREIGN TABLE typed_fields, real_fields;
DROP SERVER types_fields;
DROP SERVER real_fields;
