-- Every column of cloudtrail_logs, how it is filled, and user-defined columns.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
\pset null '(null)'

-- one record of each shape, every column
\x on
SELECT * FROM cloudtrail_logs WHERE eventtime = '2018-11-14 23:58:30+00';
SELECT * FROM cloudtrail_logs WHERE eventname = 'RunInstances';
\x off

-- midnight: the event of the 14th sits in the folder of the 15th
SELECT eventtime, eventname, delivery_date, delivery_time FROM cloudtrail_logs
 WHERE eventtime IN ('2018-11-14 23:58:30+00', '2018-11-13 23:59:59+00') ORDER BY eventtime;
-- every record was delivered after it happened, at most 15 minutes later but for the late one
SELECT count(*) AS records, count(*) FILTER (WHERE eventtime <= delivery_time + interval '59 seconds') AS in_time,
       max(delivery_time - eventtime) FILTER (WHERE addendum IS NULL) AS max_delay,
       max(delivery_time - eventtime) FILTER (WHERE addendum IS NOT NULL) AS late
  FROM cloudtrail_logs;

-- unicode: raw UTF-8 and every kind of escape
SELECT eventtime, errormessage, useragent, requestparameters->>'key' AS key
  FROM cloudtrail_logs
 WHERE eventtime IN ('2018-11-14 08:09:12+00', '2018-11-14 09:17:03+00', '2018-11-14 10:33:51+00',
                     '2018-11-14 18:16:51+00')
 ORDER BY eventtime;
SELECT length(errormessage), octet_length(errormessage) FROM cloudtrail_logs
 WHERE eventtime = '2018-11-14 09:17:03+00';

-- the typed top-level keys
SELECT readonly, managementevent, sessioncredentialfromconsole, eventcategory, count(*)
  FROM cloudtrail_logs GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
SELECT resources->0->>'ARN' AS arn, resources->0->>'type' AS type FROM cloudtrail_logs
 WHERE resources IS NOT NULL AND eventname = 'Decrypt' ORDER BY eventtime LIMIT 3;
SELECT count(*) FILTER (WHERE requestparameters IS NULL) AS null_params,
       count(*) FILTER (WHERE event->'requestParameters' = 'null') AS json_null_params
  FROM cloudtrail_logs;

-- event holds the whole record, every key; the columns agree with it
SELECT count(*) FROM cloudtrail_logs
 WHERE eventname IS DISTINCT FROM event->>'eventName'
    OR eventtime IS DISTINCT FROM (event->>'eventTime')::timestamptz
    OR useridentity IS DISTINCT FROM event->'userIdentity'
    OR errormessage IS DISTINCT FROM event->>'errorMessage'
    OR readonly IS DISTINCT FROM (event->>'readOnly')::boolean
    OR nullif(requestparameters, 'null') IS DISTINCT FROM nullif(event->'requestParameters', 'null');
SELECT k, count(*) FROM cloudtrail_logs, jsonb_object_keys(event) AS k GROUP BY k ORDER BY k;

-- pretty-printed, uncompressed and reversed-key files read like the others
SELECT regexp_replace(log_file, '^.*/', '') AS file, count(*), min(eventtime), max(eventtime)
  FROM cloudtrail_logs
 WHERE log_file ~ '(eu-west-1_20181114T1250Z|us-east-1_20181114T1935Z|ap-southeast-2_20181114T1525Z)'
 GROUP BY 1 ORDER BY 1;

-- user-defined tables: any subset, field paths, any order of columns
CREATE FOREIGN TABLE logins (
  who text OPTIONS (field 'userIdentity.userName'),
  at timestamp OPTIONS (field 'eventTime'),
  mfa text OPTIONS (field 'additionalEventData.MFAUsed'),
  outcome text OPTIONS (field 'responseElements.ConsoleLogin'),
  first_resource text OPTIONS (field 'resources.0.ARN'),
  EventName varchar,
  "EVENTSOURCE" text,
  day date OPTIONS (field 'eventTime'),
  region text,
  nosuchkey text,
  identity json OPTIONS (field 'userIdentity')
) SERVER trail;
SELECT who, at, mfa, outcome, eventname, "EVENTSOURCE", day, region, nosuchkey
  FROM logins WHERE eventname = 'ConsoleLogin' ORDER BY at LIMIT 6;
-- field paths are exact, and case-sensitive
ALTER FOREIGN TABLE logins ALTER COLUMN who OPTIONS (SET field 'useridentity.username');
SELECT count(who) FROM logins;
SELECT first_resource FROM logins WHERE first_resource IS NOT NULL ORDER BY 1 LIMIT 2;
-- json keeps the record's own text
SELECT identity FROM logins WHERE at = '2018-11-14 23:58:30';
DROP FOREIGN TABLE logins;
