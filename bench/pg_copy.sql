-- The "PostgreSQL COPY then query" engine: every record loaded as one jsonb row, the file name
-- kept beside it, and a view with the FDW's column names.  Run by bench/driver.mjs in its own
-- database; the load itself is a psql \copy fed by a shell pipeline (see driver.mjs, loadPgCopy).

-- Staging: one row per log file (its path relative to the mirror, and its whole JSON text).
CREATE UNLOGGED TABLE ct_files (log_file text NOT NULL, doc jsonb NOT NULL);

-- One row per record.  The path columns are computed once, at load time, from the file name.
CREATE TABLE ct_jsonb (
  rec           jsonb NOT NULL,
  log_file      text NOT NULL,
  org_id        text,
  account_id    text,
  region        text,
  delivery_date date,
  delivery_time timestamptz
);

-- :LOAD_RECORDS (run after the \copy into ct_files)
--   INSERT INTO ct_jsonb SELECT r, log_file, ... FROM ct_files, jsonb_array_elements(doc->'Records') r;

CREATE VIEW cloudtrail_logs AS
SELECT
  rec->>'eventVersion'                                  AS eventversion,
  NULLIF(rec->'userIdentity', 'null')                   AS useridentity,
  (rec->>'eventTime')::timestamptz                      AS eventtime,
  rec->>'eventSource'                                   AS eventsource,
  rec->>'eventName'                                     AS eventname,
  rec->>'awsRegion'                                     AS awsregion,
  rec->>'sourceIPAddress'                               AS sourceipaddress,
  rec->>'userAgent'                                     AS useragent,
  rec->>'errorCode'                                     AS errorcode,
  rec->>'errorMessage'                                  AS errormessage,
  NULLIF(rec->'requestParameters', 'null')              AS requestparameters,
  NULLIF(rec->'responseElements', 'null')               AS responseelements,
  NULLIF(rec->'additionalEventData', 'null')            AS additionaleventdata,
  rec->>'requestID'                                     AS requestid,
  rec->>'eventID'                                       AS eventid,
  (rec->>'readOnly')::boolean                           AS readonly,
  NULLIF(rec->'resources', 'null')                      AS resources,
  rec->>'eventType'                                     AS eventtype,
  rec->>'apiVersion'                                    AS apiversion,
  (rec->>'managementEvent')::boolean                    AS managementevent,
  rec->>'recipientAccountId'                            AS recipientaccountid,
  NULLIF(rec->'serviceEventDetails', 'null')            AS serviceeventdetails,
  rec->>'sharedEventID'                                 AS sharedeventid,
  rec->>'vpcEndpointId'                                 AS vpcendpointid,
  rec->>'vpcEndpointAccountId'                          AS vpcendpointaccountid,
  rec->>'eventCategory'                                 AS eventcategory,
  NULLIF(rec->'addendum', 'null')                       AS addendum,
  (rec->>'sessionCredentialFromConsole')::boolean       AS sessioncredentialfromconsole,
  NULLIF(rec->'edgeDeviceDetails', 'null')              AS edgedevicedetails,
  NULLIF(rec->'tlsDetails', 'null')                     AS tlsdetails,
  rec                                                   AS event,
  org_id, account_id, region, delivery_date, delivery_time, log_file
FROM ct_jsonb;
