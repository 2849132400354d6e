-- A value that the input function of a column's type refuses (types outside
-- the built-in list, here varchar(5)).  From PostgreSQL 16 input functions
-- report such errors softly: the error names the file and record, and
-- on_error 'skip_file' skips the file.  Before 16 the input function's own
-- error stops the query, whatever on_error says (input_errors_1.out).
\getenv fixtures CT_FIXTURES
\set types :fixtures/types
SET timezone = 'UTC';

CREATE SERVER input_trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'types');
CREATE FOREIGN TABLE vc5 (eventid text, v_vc5 varchar(5) OPTIONS (field 'v'))
  SERVER input_trail OPTIONS (location 'AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/19');
SELECT eventid, v_vc5 FROM vc5;
ALTER FOREIGN TABLE vc5 OPTIONS (ADD on_error 'skip_file');
SELECT eventid, v_vc5 FROM vc5;
-- the other columns of the same file convert
SELECT count(eventid) FROM vc5;
DROP SERVER input_trail CASCADE;
