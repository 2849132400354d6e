-- A database whose encoding is not UTF-8: keys and values in the query are
-- converted to UTF-8, as the files write them, before they are looked for.
\getenv fixtures CT_FIXTURES
\set types :fixtures/types
CREATE DATABASE ct_latin1 ENCODING 'LATIN1' LOCALE 'C' TEMPLATE template0;
\c ct_latin1
SET client_encoding = 'UTF8';
CREATE EXTENSION cloudtrail_fdw;
CREATE SERVER types_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'types');
CREATE FOREIGN TABLE latin (
  eventid text,
  v jsonb,
  city text OPTIONS (field 'v.straße'),
  "ü" jsonb OPTIONS (field 'v.ü')
) SERVER types_trail OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/08');
SELECT eventid, city, "ü", v->>'straße' AS "v->>'straße'", v->'ü' AS "v->'ü'", v
  FROM latin WHERE city IS NOT NULL;
-- pushed: a non-ASCII value and key, on raw bytes and once parsed
SELECT eventid FROM latin WHERE city = 'Zürich';
SELECT eventid FROM latin WHERE v->>'straße' = 'Zürich';
SELECT eventid FROM latin WHERE v->>'straße' LIKE 'Zü%';
SELECT eventid FROM latin WHERE v->>'straße' IS NOT NULL;
SELECT eventid FROM latin WHERE "ü" IS NOT NULL;
SELECT count(*) FROM latin WHERE city = 'Zurich';
-- the same with pushdown off
SET cloudtrail_fdw.enable_pushdown = off;
SELECT eventid, city, "ü" FROM latin WHERE city = 'Zürich' AND "ü" IS NOT NULL;
RESET cloudtrail_fdw.enable_pushdown;
\c contrib_regression
DROP DATABASE ct_latin1;
