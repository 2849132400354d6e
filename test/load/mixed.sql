-- pgbench script: a mix of fixture queries, as many users would run them
\set pick random(1, 6)
SELECT CASE :pick
  WHEN 1 THEN (SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND eventtime > '2018-11-14T12:00:00Z')
  WHEN 2 THEN (SELECT count(*) FROM (SELECT eventtime FROM cloudtrail_logs WHERE eventname LIKE 'ListBuckets' AND errormessage <> '' ORDER BY eventtime DESC LIMIT 10) s)
  WHEN 3 THEN (SELECT count(*) FROM cloudtrail_logs WHERE region = 'eu-west-1' AND delivery_date = '2018-11-14')
  WHEN 4 THEN (SELECT count(DISTINCT eventname) FROM cloudtrail_logs)
  WHEN 5 THEN (SELECT count(*) FROM cloudtrail_logs WHERE sourceipaddress = '203.0.113.5')
  ELSE (SELECT count(*) FROM (SELECT event FROM cloudtrail_logs ORDER BY eventtime DESC NULLS LAST LIMIT 5) s)
END;
SELECT eventtime, eventname FROM cloudtrail_logs WHERE useridentity->>'userName' = 'alice' ORDER BY eventtime DESC NULLS LAST LIMIT 3;
