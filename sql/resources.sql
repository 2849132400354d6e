-- Resources: memory stays flat over many files and queries, a long scan is
-- cancelled by statement_timeout promptly, and the session goes on.
\getenv fixtures CT_FIXTURES
\set many :fixtures/many
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE SERVER many_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'many');
CREATE FOREIGN TABLE many_logs (eventtime timestamptz, eventname text, eventid text,
                                requestparameters jsonb, event jsonb)
  SERVER many_trail;

-- 10 000 files; a first scan warms the caches
SELECT count(*), count(DISTINCT eventid), min(eventtime), max(eventtime) FROM many_logs;
SELECT sum(total_bytes) AS mem_before FROM pg_backend_memory_contexts \gset
-- scanning the 10 000 files four more times, converting every column
SELECT count(*), sum(length(event::text)) FROM many_logs;
SELECT count(*), sum(length(event::text)) FROM many_logs;
SELECT count(*) FROM many_logs WHERE requestparameters->>'key' LIKE 'k/1%';
SELECT eventtime, eventid FROM many_logs ORDER BY eventtime DESC NULLS LAST, eventid DESC LIMIT 1;
-- the backend's memory grew by less than 256 kB
SELECT sum(total_bytes) - :mem_before < 256 * 1024 AS memory_flat FROM pg_backend_memory_contexts;

-- statement_timeout cancels a scan of the 10 000 files
SET statement_timeout = '20ms';
SELECT count(*) FROM many_logs a, LATERAL (SELECT count(*) FROM many_logs b WHERE b.eventid = a.eventid) x;
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
-- and the next query works
SELECT count(*) FROM many_logs WHERE eventid = 'm-3-17';

DROP FOREIGN TABLE many_logs;
DROP SERVER many_trail;
