-- The raw-bytes record check: all pushed conditions searched at once (long
-- IN lists too), LIKE and ILIKE on the text of json and jsonb columns, ILIKE
-- on text columns; every answer the same with pushdown off.
\getenv fixtures CT_FIXTURES
\set rc :fixtures '_rawcheck'
SET timezone = 'UTC';
\pset null '(null)'

CREATE SERVER rc FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'rc');
CREATE FOREIGN TABLE rc_logs (eventid text, eventname text, useridentity jsonb,
  requestparameters jsonb, responseelements jsonb, additionaleventdata jsonb,
  errormessage text, useragent text, sourceipaddress text, event jsonb,
  rp_json json OPTIONS (field 'requestParameters'))
  SERVER rc;
CREATE FOREIGN TABLE rc_json (eventid text, event json, requestparameters json) SERVER rc;

-- jsonb_col::text LIKE: the pieces are looked for in the raw bytes; a record
-- with a backslash is parsed (rc-03 escapes a letter of no-such-bucket)
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%no-such-bucket%'$$);
SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%no-such-bucket%' ORDER BY 1;
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE event::text LIKE '%AdministratorAccess%'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE rp_json::text LIKE '%my-bucket%private%'$$);
SELECT scan_counts($$SELECT eventid FROM rc_json WHERE event::text LIKE '%StopLogging%'$$);
-- what jsonb could print differently from the file is not looked for:
-- numbers (1e3 prints as 1000), brackets, ": " and ", " of objects, a
-- leading space; the rest of the piece is ('"key": "kelvin' looks for key
-- and kelvin)
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%1000%'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%"key": "kelvin%'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '% 1.50%'$$);
SELECT eventid, requestparameters::text FROM rc_logs WHERE requestparameters::text LIKE '%1000%';
SELECT eventid, requestparameters::text FROM rc_json WHERE requestparameters::text LIKE '%1e3%';

-- ILIKE (~~*): the pieces' runs without i, k or a non-ASCII letter, in any
-- ASCII letter case (K, the Kelvin sign, lowers to k; İ to i)
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE eventname ILIKE '%deletetrail%'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE useridentity::text ILIKE '%"BOB"%'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE errormessage ~~* '%NOT AUTHORIZED%'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE useridentity->>'userName' ILIKE 'CAFÉ'$$);
SELECT eventid, useridentity->>'userName' FROM rc_logs
 WHERE useridentity->>'userName' ILIKE '%kkarl%' COLLATE "und-x-icu";
SELECT eventid, requestparameters->>'key' FROM rc_logs
 WHERE requestparameters->>'key' ILIKE '%/istanbul' COLLATE "und-x-icu" ORDER BY 1;

-- regular expressions (~, ~*, regexp_like, SIMILAR TO): the literal pieces
-- that every match holds, looked for as a LIKE pattern's are; rc-03's
-- escaped letter is found by the parse
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE requestparameters->>'bucketName' ~ '^no-such-b.cket$'$$);
SELECT eventid FROM rc_logs WHERE requestparameters->>'bucketName' ~ 'such-bucke(t|T)' ORDER BY 1;
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE useridentity->>'arn' ~ '.+:iam::[0-9]{12}:root$'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE errormessage ~* 'user/mallory\s+is'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE regexp_like(useragent, 'Python/3\.[0-9]+')$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE requestparameters::text ~ 'Administrator(Access)?'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE requestparameters->>'policyArn' SIMILAR TO '%policy/Admin%'$$);
-- nothing every match holds: an alternative, options, a class
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE eventname ~ 'Delete|Stop'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE eventname ~ '(?i)deletetrail'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE sourceipaddress ~ '^[0-9.]+$'$$);

-- every condition's values in one pass: an IN list of 200 names, with more
SELECT explain_lines(format($$SELECT eventid FROM rc_logs WHERE eventname IN (%s)$$,
  (SELECT string_agg(quote_literal('Name' || i), ', ') FROM generate_series(1, 199) i) || ', ''DeleteTrail'''), 'Records');
SELECT explain_lines(format($$SELECT eventid FROM rc_logs WHERE eventname IN (%s)
   AND requestparameters::text LIKE '%%TRAIL%%' AND errormessage IS NOT NULL$$,
  (SELECT string_agg(quote_literal('Name' || i), ', ') FROM generate_series(1, 199) i) || ', ''DeleteTrail'''), 'Records');

SELECT both_ways(q) FROM (VALUES
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%no-such-bucket%'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%bucket%'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%1000%'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%1.50%'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%"x": true%'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%a: b, c%'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '{%}'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE 'null'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text LIKE '%Statement%'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity::text LIKE '%café%'$$),
  ($$SELECT eventid FROM rc_logs WHERE event::text LIKE '%"eventName": "GetObject"%'$$),
  ($$SELECT eventid FROM rc_logs WHERE event::text LIKE '%AdministratorAccess%'$$),
  ($$SELECT eventid FROM rc_logs WHERE event::text LIKE '%ERRORMESSAGE%Mallory%'$$),
  ($$SELECT eventid FROM rc_logs WHERE rp_json::text LIKE '%1e3%'$$),
  ($$SELECT eventid FROM rc_logs WHERE rp_json::text LIKE '%"size":1e3%'$$),
  ($$SELECT eventid FROM rc_json WHERE event::text LIKE '%"MFAUsed": "No"%'$$),
  ($$SELECT eventid FROM rc_json WHERE requestparameters::text LIKE '%no-such%'$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname ILIKE '%deletetrail%'$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname ILIKE 'getobject'$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname ~~* 'create%'$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname ILIKE '%'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity::text ILIKE '%"BOB"%'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity::text ILIKE '%KKARL%'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity::text ILIKE '%kkarl%' COLLATE "und-x-icu"$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity->>'userName' ILIKE '%CAFÉ%' COLLATE "und-x-icu"$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'key' ILIKE '%/istanbul' COLLATE "und-x-icu"$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text ILIKE '%İSTANBUL%' COLLATE "und-x-icu"$$),
  ($$SELECT eventid FROM rc_logs WHERE errormessage ~~* '%NOT AUTHORIZED%'$$),
  ($$SELECT eventid FROM rc_logs WHERE useragent ILIKE '%python/%'$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname IN ('DeleteTrail', 'StopLogging', 'AttachUserPolicy', 'CreateUser')$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname IN ('DeleteTrail', 'StopLogging') AND useridentity::text LIKE '%caf%'$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname LIKE 'Create%' AND requestparameters::text LIKE '%bucket%' AND sourceipaddress = '198.51.100.2'$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname = 'GetObject' AND requestparameters IS NOT NULL AND event::text ILIKE '%RATIO%'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'bucketName' ~ '^no-such-b.cket$'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'bucketName' ~ 'such-bucke(t|T)'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity->>'arn' ~ '.+:iam::[0-9]{12}:root$'$$),
  ($$SELECT eventid FROM rc_logs WHERE errormessage ~* 'user/mallory\s+is'$$),
  ($$SELECT eventid FROM rc_logs WHERE regexp_like(useragent, 'Python/3\.[0-9]+')$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text ~ 'Administrator(Access)?'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text ~* 'KELVIN/'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity->>'userName' ~* 'KKARL' COLLATE "und-x-icu"$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'key' ~ 'K?elvin/[^/]*'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text ~ '1000|1e3'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text ~ '"size": "@@1e3'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity::text ~ 'caf\u00e9'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity::text ~ '***=café'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'policyArn' SIMILAR TO '%policy/Admin%'$$),
  ($$SELECT eventid FROM rc_logs WHERE errormessage ~ 'arn:aws:iam::[0-9]+:user/M'$$)) v(q);
SELECT both_ways(format($$SELECT eventid FROM rc_logs WHERE eventname IN (%s)$$,
  (SELECT string_agg(quote_literal(v), ', ') FROM (SELECT 'Name' || i FROM generate_series(1, 300) i
     UNION ALL VALUES ('GetObject'), ('ConsoleLogin'), ('CreateBucket')) x(v))));

-- what EXPLAIN shows
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT eventid FROM rc_logs
 WHERE requestparameters::text LIKE '%no-such-bucket%' AND event::text ILIKE '%Bucket%'
   AND rp_json::text LIKE '%x%'$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT eventid FROM rc_logs
 WHERE useridentity->>'arn' ~ '.+:assumed-role/aws:.+' AND errormessage ~* 'not authorized'
   AND regexp_like(useragent, 'Python/3') AND requestparameters::text SIMILAR TO '%bucket%'$$);
-- not pushed: the text of something other than a column, NOT LIKE, a
-- pattern that is not a constant
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT eventid FROM rc_logs
 WHERE (requestparameters->'key')::text LIKE '%x%' AND requestparameters::text NOT LIKE '%y%'
   AND eventname ILIKE eventid$$);
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT eventid FROM rc_logs
 WHERE eventname !~ 'x' AND eventname ~ 'a|b' AND useragent ~ eventid AND errormessage ~ '(?x) a b'$$);

-- lower(col) = 'value' and lower(col) LIKE 'pattern' (also upper()), the
-- case-insensitive match of a Sigma rule: pushed as ILIKE pieces; a value
-- lower() could not give is left to the filter (which rejects every row)
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE lower(eventname) = 'deletetrail'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE upper(useridentity->>'userName') LIKE '%BOB%'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE lower(useridentity->>'userName' COLLATE "und-x-icu") = 'kkarl'$$);
SELECT eventid FROM rc_logs WHERE lower(useridentity->>'userName' COLLATE "und-x-icu") = 'kkarl';
SELECT both_ways(q) FROM (VALUES
  ($$SELECT eventid FROM rc_logs WHERE lower(eventname) = 'deletetrail'$$),
  ($$SELECT eventid FROM rc_logs WHERE upper(eventname) = 'GETOBJECT'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(eventname) LIKE '%object%'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(eventname) LIKE 'create%'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(useridentity->>'userName') = 'kkarl'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(useridentity->>'userName' COLLATE "und-x-icu") = 'kkarl'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(requestparameters->>'key' COLLATE "und-x-icu") LIKE '%/istanbul'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(requestparameters->>'bucketName') = 'no-such-bucket'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(useridentity->>'userName') = 'café'$$),
  ($$SELECT eventid FROM rc_logs WHERE upper(useridentity->>'userName' COLLATE "und-x-icu") = 'CAFÉ'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(requestparameters->>'size') = '1000'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(errormessage) LIKE '%not authorized%'$$),
  ($$SELECT eventid FROM rc_logs WHERE lower(eventname) = 'DeleteTrail'$$)) v(q);
-- not pushed: a value lower() would change, a function of something else
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT eventid FROM rc_logs
 WHERE lower(eventname) = 'DeleteTrail' AND upper(eventname) LIKE 'get%'
   AND lower(eventname || eventid) = 'x'$$);

-- <> and NOT IN (<> ALL): checks of the parsed record, not of its raw bytes
-- (which show what a record holds, not what it lacks); a record whose value
-- is missing or JSON null is skipped (the column is NULL), one whose value
-- is not a string is left to the filter; rc-03's escaped bucket name is
-- decoded before it is compared
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE eventname <> 'GetObject'$$);
SELECT scan_counts($$SELECT eventid FROM rc_logs WHERE requestparameters->>'bucketName' NOT IN ('my-bucket', 'no-such-bucket')$$);
SELECT eventid, requestparameters->>'bucketName' FROM rc_logs
 WHERE requestparameters->>'bucketName' <> 'my-bucket' ORDER BY 1;
SELECT both_ways(q) FROM (VALUES
  ($$SELECT eventid FROM rc_logs WHERE eventname <> 'GetObject'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'bucketName' <> 'no-such-bucket'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'bucketName' NOT IN ('my-bucket', 'no-such-bucket')$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname <> ALL (ARRAY['GetObject', 'ConsoleLogin'])$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname NOT IN ('GetObject', NULL)$$),
  ($$SELECT eventid FROM rc_logs WHERE errormessage <> ALL ('{}'::text[])$$),
  ($$SELECT eventid FROM rc_logs WHERE eventname <> NULL$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'size' <> '1000'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters->>'list' <> '[1, "two", {"x": true}]'$$),
  ($$SELECT eventid FROM rc_logs WHERE requestparameters::text <> '{"x": "a: b, c"}'$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity->>'userName' <> 'café' AND eventname NOT IN ('CreateBucket')$$),
  ($$SELECT eventid FROM rc_logs WHERE useridentity->>'userName' <> 'KKARL' COLLATE "und-x-icu"$$)) v(q);

-- nested key paths (-> chains, #>>, jsonb_extract_path_text) are pushed as
-- ->> is; jsonb containment (@>, <@, ?, ?&) as the pieces every containing
-- value holds, its strings.  ns-02's issuer name is escaped (found by the
-- parse); in ns-03 sessionContext is an array, where -> 'key' gives NULL;
-- ns-05 has requestParameters null, ns-06 none.
\set ns :fixtures '_nested'
CREATE SERVER ns FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'ns');
CREATE FOREIGN TABLE ns_logs (eventid text, eventname text, useridentity jsonb,
  requestparameters jsonb, additionaleventdata jsonb, event jsonb) SERVER ns;
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE useridentity->'sessionContext'->'sessionIssuer'->>'userName' = 'ops-role'$$);
SELECT eventid FROM ns_logs WHERE useridentity->'sessionContext'->'sessionIssuer'->>'userName' = 'ops-role' ORDER BY 1;
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE useridentity #>> '{sessionContext,sessionIssuer,userName}' IN ('dev-role', 'no-such-role')$$);
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE jsonb_extract_path_text(event, 'userIdentity', 'type') = 'Root'$$);
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE event->'userIdentity'->'sessionContext'->'attributes'->>'mfaAuthenticated' IS NOT NULL$$);
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE requestparameters @> '{"bucketName": "logs"}'$$);
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE '{"MFAUsed": "No"}' <@ additionaleventdata$$);
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE event @> '{"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "No"}}'$$);
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE requestparameters ? 'roleArn'$$);
SELECT scan_counts($$SELECT eventid FROM ns_logs WHERE requestparameters ?& '{bucketName,key}'$$);
SELECT eventid FROM ns_logs WHERE useridentity @> '{"sessionContext": {"sessionIssuer": {"userName": "ops-role"}}}' ORDER BY 1;
SELECT both_ways(q) FROM (VALUES
  ($$SELECT eventid FROM ns_logs WHERE useridentity->'sessionContext'->'sessionIssuer'->>'userName' = 'ops-role'$$),
  ($$SELECT eventid FROM ns_logs WHERE useridentity->'sessionContext'->'sessionIssuer'->>'userName' <> 'ops-role'$$),
  ($$SELECT eventid FROM ns_logs WHERE useridentity #>> '{sessionContext,sessionIssuer,userName}' IN ('dev-role', 'ops-role')$$),
  ($$SELECT eventid FROM ns_logs WHERE useridentity #>> '{sessionContext,0,sessionIssuer,userName}' = 'ops-role'$$),
  ($$SELECT eventid FROM ns_logs WHERE jsonb_extract_path_text(useridentity, 'sessionContext', 'sessionIssuer', 'arn') LIKE '%:role/ops-%'$$),
  ($$SELECT eventid FROM ns_logs WHERE event->'userIdentity'->>'type' = 'Root'$$),
  ($$SELECT eventid FROM ns_logs WHERE event->'userIdentity'->'sessionContext'->'sessionIssuer'->>'userName' IS NOT NULL$$),
  ($$SELECT eventid FROM ns_logs WHERE requestparameters->'tags'->>'key' = 'team'$$),
  ($$SELECT eventid FROM ns_logs WHERE requestparameters @> '{"bucketName": "logs"}'$$),
  ($$SELECT eventid FROM ns_logs WHERE requestparameters @> '{"tags": [{"value": "ops"}]}'$$),
  ($$SELECT eventid FROM ns_logs WHERE requestparameters @> '{"bucketName": "ops-role"}'$$),
  ($$SELECT eventid FROM ns_logs WHERE useridentity @> '{"sessionContext": {"sessionIssuer": {"userName": "ops-role"}}}'$$),
  ($$SELECT eventid FROM ns_logs WHERE '{"MFAUsed": "No"}' <@ additionaleventdata$$),
  ($$SELECT eventid FROM ns_logs WHERE event @> '{"eventName": "ConsoleLogin"}' AND event @> '{"userIdentity": {"type": "IAMUser"}}'$$),
  ($$SELECT eventid FROM ns_logs WHERE requestparameters ? 'roleArn'$$),
  ($$SELECT eventid FROM ns_logs WHERE requestparameters ? 'ops-role'$$),
  ($$SELECT eventid FROM ns_logs WHERE useridentity->'sessionContext' ? 'sessionIssuer'$$),
  ($$SELECT eventid FROM ns_logs WHERE requestparameters ?& '{bucketName,key}'$$),
  ($$SELECT eventid FROM ns_logs WHERE requestparameters ?| '{roleArn,key}'$$)) v(q);
-- not pushed: ?| (any key), a constant without a string (keys are), the column on
-- the contained side, the field of a -> (jsonb), a path through an array
SELECT explain_filter($$EXPLAIN (COSTS OFF) SELECT eventid FROM ns_logs
 WHERE requestparameters ?| '{a,b}' AND requestparameters @> '[1, 2]'
   AND '{"a": "b"}' @> useridentity AND useridentity->'sessionContext' @> '{"a": "b"}'
   AND useridentity #>> '{sessionContext,0,x}' = 'y'$$);
DROP FOREIGN TABLE ns_logs;
DROP SERVER ns;

-- every query compared so far (pushdown's and this file's), with Hyperscan
-- and with memmem()
SET client_min_messages = error;
SELECT compared > 100 AS many, differing FROM replay_suite('cloudtrail_fdw.enable_hyperscan');
RESET client_min_messages;

DROP FOREIGN TABLE rc_logs, rc_json;
DROP SERVER rc;
