-- on_error against a hostile mirror, $CT_FIXTURES/faults, written by
-- tools/gen_faults.py: every kind of broken file we could think of, each alone
-- in its own day folder of account 111111111111, and one good file (3 records)
-- in account 222222222222.  For each case: the query under on_error 'stop'
-- (the ERROR and its SQLSTATE; 00000 for the valid cases), the same query
-- under on_error 'skip_file' (a WARNING naming the file, a WARNING with the
-- count, no rows of the bad file), and a query showing the backend is fine.
-- Then the whole mirror: under skip_file all the good rows come back.
\getenv fixtures CT_FIXTURES
\set faults :fixtures/faults
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
\set VERBOSITY default

CREATE SERVER faults FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root :'faults');
CREATE FOREIGN TABLE f (eventname text, eventtime timestamptz, event jsonb, readonly boolean,
                        useridentity jsonb, requestparameters jsonb, useragent text,
                        x integer OPTIONS (field 'x'), big text OPTIONS (field 'big'),
                        account_id text, log_file text)
  SERVER faults OPTIONS (on_error 'stop', location 'AWSLogs');
-- the day folders of the cases
\set day AWSLogs/111111111111/CloudTrail/us-east-1/2021/

-- 1. 01/01: gzip truncated in the 10-byte header
\set loc :day 01/01
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 2. 01/02: gzip truncated in the middle of the deflate stream
\set loc :day 01/02
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 3. 01/03: gzip truncated just before the 8-byte trailer (all the JSON is there)
\set loc :day 01/03
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 4. 01/04: gzip truncated in the middle of the trailer
\set loc :day 01/04
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 5. 01/05: corrupt deflate data: 4 bytes flipped in the middle of the stream
\set loc :day 01/05
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 6. 01/06: bad CRC32 in the gzip trailer
\set loc :day 01/06
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 7. 01/07: bad ISIZE (length) in the gzip trailer
\set loc :day 01/07
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 8. 01/08: wrong magic: a .json.gz file holding plain JSON text
\set loc :day 01/08
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 9. 01/09: trailing garbage after the gzip member
\set loc :day 01/09
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 10. 01/10: 512 zero bytes after the gzip member (gunzip ignores them, we do not)
\set loc :day 01/10
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 11. 01/11: a second gzip member holding a second JSON object
\set loc :day 01/11
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 12. 01/12: VALID: three gzip members (the middle one empty) holding one JSON text,
-- split inside a string value: gunzip reads it, and so do we
\set loc :day 01/12
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 13. 01/13: a zero-byte .json.gz
\set loc :day 01/13
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 14. 01/14: a zero-byte .json
\set loc :day 01/14
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 15. 01/15: gzip of text that is not JSON
\set loc :day 01/15
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 16. 01/16: JSON without "Records": {"foo":1}
\set loc :day 01/16
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 17. 01/17: "Records" is not an array: {"Records":{}}
\set loc :day 01/17
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 18. 01/18: "Records" is not an array: {"Records":null}
\set loc :day 01/18
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 19. 01/19: a top-level array of records: [{...}]
\set loc :day 01/19
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 20. 01/20: records that are not objects: {"Records":[1,"x",null]}
\set loc :day 01/20
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 21. 01/21: invalid UTF-8 (the bytes FF FE) inside a string
\set loc :day 01/21
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 22. 01/22: \u0000 in userAgent: valid JSON, an error only for the columns that
-- convert it (text and jsonb), not for the others
\set loc :day 01/22
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, useragent FROM f;
\echo SQLSTATE :SQLSTATE
SELECT eventname, event->>'eventName' AS from_event FROM f;
\echo SQLSTATE :SQLSTATE
SELECT eventname, readonly FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, useragent FROM f;
SELECT 1 AS ok;

-- 23. 01/23: a lone high surrogate escape \ud800
\set loc :day 01/23
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 24. 01/24: a lone low surrogate escape \udc00
\set loc :day 01/24
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 25. 01/25: nesting 100000 levels deep inside a record
\set loc :day 01/25
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 26. 01/26: VALID: a 100 MB string value in one record
\set loc :day 01/26
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, length(big) AS big_length, readonly FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
-- under skip_file the rows of a file wait in a tuplestore until the file is
-- read; this one row (100 MB) spills it past work_mem to disk
SELECT eventname, length(big) AS big_length, readonly FROM f;
SELECT 1 AS ok;

-- 27. 01/27: VALID: duplicate keys in a record: the last one wins (as in jsonb)
\set loc :day 01/27
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, readonly, x, event->>'eventName' AS event_name, event->'x' AS event_x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, readonly, x, event->>'eventName' AS event_name, event->'x' AS event_x FROM f;
SELECT 1 AS ok;

-- 28. 01/28: eventTime is a number (only the queries that use eventtime fail)
\set loc :day 01/28
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
SELECT eventname, readonly FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 29. 01/29: readOnly is the string "yes" (booleans take true/false and "true"/"false")
\set loc :day 01/29
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
SELECT eventname, eventtime FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 30. 01/30: VALID: userIdentity is a string (jsonb takes any value)
\set loc :day 01/30
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, useridentity, jsonb_typeof(useridentity) FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, useridentity, jsonb_typeof(useridentity) FROM f;
SELECT 1 AS ok;

-- 31. 01/31: VALID: requestParameters is an array (jsonb takes any value)
\set loc :day 01/31
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, requestparameters, jsonb_typeof(requestparameters) FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, requestparameters, jsonb_typeof(requestparameters) FROM f;
SELECT 1 AS ok;

-- 32. 02/01: an invalid eventTime string: "2021-13-45T25:61:00Z"
\set loc :day 02/01
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
SELECT eventname, readonly FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 33. 02/02: "x": 2147483648 does not fit the integer column x
\set loc :day 02/02
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
SELECT eventname, event->'x' AS x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 34. 02/03: truncated JSON in a valid gzip file
\set loc :day 02/03
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 35. 02/04: a duplicate "Records" key in the top-level object
\set loc :day 02/04
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 36. 02/05: VALID: a UTF-8 byte-order mark before the JSON is skipped
\set loc :day 02/05
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 37. 02/06: VALID: an empty record {}: a row of NULLs
\set loc :day 02/06
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x, event FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x, event FROM f;
SELECT 1 AS ok;

-- 38. 02/07: an unreadable event file (mode 000; the server does not run as root)
\set loc :day 02/07
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 39. 02/08: an unreadable day folder (mode 000)
\set loc :day 02/08
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 40. 02/09: a symbolic link named like an event file, to /etc/passwd: outside the root
\set loc :day 02/09
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 41. 02/10: VALID: a symbolic link to the good file elsewhere in the root: followed;
-- the path columns are the link's
\set loc :day 02/10
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, x, account_id, log_file FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, x, account_id, log_file FROM f;
SELECT 1 AS ok;

-- 42. 02/11: a symbolic-link loop: the event file -> loop-b -> the event file
\set loc :day 02/11
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 43. 02/12: a dangling symbolic link named like an event file
\set loc :day 02/12
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 44. 02/13: a FIFO named like an event file: not a regular file, skipped
-- silently (opening it would block)
\set loc :day 02/13
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 45. 02/14: a folder named like an event file: skipped silently
\set loc :day 02/14
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 46. 02/15: names with a space, a newline and the bytes FF FE (garbage content):
-- not event-file names, skipped silently
\set loc :day 02/15
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 47. 02/16: a partial download NAME.json.gz.3aF9c01B (garbage content): skipped silently
\set loc :day 02/16
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 48. 02/17: VALID: a gzip header with the optional FEXTRA, FNAME, FCOMMENT and FHCRC fields
\set loc :day 02/17
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 49. 02/18: a gzip header whose FHCRC (header checksum) is wrong
\set loc :day 02/18
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 50. 02/19: a raw, unescaped NUL byte inside a string
\set loc :day 02/19
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 51. 03: a day folder in a symbolic-link loop: 01 -> loop-b -> 01
\set loc :day 03
ALTER FOREIGN TABLE f OPTIONS (SET location :'loc', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- 52. a region folder symlinked to /tmp, outside the root: not followed
ALTER FOREIGN TABLE f OPTIONS (SET location 'AWSLogs/333333333333', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;
-- as the location itself it is a configuration error, also under skip_file
ALTER FOREIGN TABLE f OPTIONS (SET location 'AWSLogs/333333333333/CloudTrail/us-tmp-1');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
SELECT 1 AS ok;

-- 53. folders linked to their parents inside the layout (a day folder to its
-- month, a month folder to its year): followed, but the layout's fixed depth
-- bounds the walk, and they hold no event files: no rows, no error, no hang
ALTER FOREIGN TABLE f OPTIONS (SET location 'AWSLogs/444444444444', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
\echo SQLSTATE :SQLSTATE
SELECT explain_filter('EXPLAIN (COSTS OFF) SELECT eventname FROM f');
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;
SELECT 1 AS ok;

-- two bad entries in one folder (two event-file names linked to each other)
-- are reported in name order, whatever order the file system lists them in
ALTER FOREIGN TABLE f OPTIONS (SET location 'AWSLogs/555555555555', SET on_error 'stop');
SELECT eventname, eventtime, readonly, x FROM f;
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT eventname, eventtime, readonly, x FROM f;

-- EXPLAIN ANALYZE counts the bad files of January that it skipped
ALTER FOREIGN TABLE f OPTIONS (SET location 'AWSLogs/111111111111/CloudTrail/us-east-1/2021/01');
SELECT explain_filter('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) SELECT eventname FROM f');

-- The whole mirror (with a loop "prefix-loop -> ." at the root too: links
-- above AWSLogs are never followed).  stop: the first bad entry ends the query.
ALTER FOREIGN TABLE f OPTIONS (DROP location, SET on_error 'stop');
SELECT count(*) FROM f;
\echo SQLSTATE :SQLSTATE
-- skip_file: the first ten bad files or folders are named, one warning counts
-- them all, and every good row comes back (the good file twice: once through
-- the link of case 41)
ALTER FOREIGN TABLE f OPTIONS (SET on_error 'skip_file');
SELECT account_id, eventname, count(*), count(eventtime) AS eventtime, count(readonly) AS readonly,
       count(x) AS x, count(useridentity) AS useridentity,
       count(requestparameters) AS requestparameters, count(useragent) AS useragent
  FROM f GROUP BY 1, 2 ORDER BY 1, 2;
-- every column, with the 100 MB record of case 26 held as a 100 MB jsonb row
SELECT count(*), count(event) FROM f;
-- the good file alone: the account condition prunes the other accounts' folders
SELECT eventname, x, log_file FROM f WHERE account_id = '222222222222' ORDER BY x;
-- EXPLAIN ANALYZE's "Bad Files Skipped" counts the bad folders and links too,
-- as the final WARNING does
SELECT explain_filter('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) SELECT eventname FROM f');
SELECT 1 AS ok;

DROP FOREIGN TABLE f;
DROP SERVER faults;
