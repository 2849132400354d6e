// DuckDB engine for the cloudtrail_fdw benchmark: reads the whole mirror in place with
// read_json (explicit schema, filename=true) and exposes the FDW's columns through a view
// `cloudtrail_logs` over the UNNESTed Records array.
//
// As a module: `const db = await openDuckDB(mirror); await db.run(sql)`.
// Stand-alone:  node bench/duckdb.mjs [MIRROR] "SQL"     (prints the rows as JSON lines)
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';

// The event files' globs under the root, relative to it: accounts directly under AWSLogs, and, where
// the mirror has an organization trail, accounts under AWSLogs/o-ORGID (only globs matching a file:
// read_json fails on an empty one).  sub is the tree: CloudTrail, or CloudTrail-Digest.
export function layoutGlobs(root, sub = 'CloudTrail') {
  const candidates = [`AWSLogs/*/${sub}/*/*/*/*/*.json.gz`, `AWSLogs/o-*/*/${sub}/*/*/*/*/*.json.gz`];
  return candidates.filter((g) => execFileSync('bash', ['-c',
    `cd "$1" && shopt -s nullglob && for f in ${g}; do echo 1; break; done`, 'bash', root]).toString().trim() === '1');
}

// Every top-level record key the FDW has a column for.  JSON for objects (kept as the JSON text),
// BOOLEAN for JSON booleans; sessionCredentialFromConsole is the string "true" in CloudTrail.
export const RECORD_STRUCT = `STRUCT(
  eventVersion VARCHAR, userIdentity JSON, eventTime VARCHAR, eventSource VARCHAR,
  eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR,
  errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON,
  additionalEventData JSON, requestID VARCHAR, eventID VARCHAR, readOnly BOOLEAN,
  resources JSON, eventType VARCHAR, apiVersion VARCHAR, managementEvent BOOLEAN,
  recipientAccountId VARCHAR, serviceEventDetails JSON, sharedEventID VARCHAR,
  vpcEndpointId VARCHAR, vpcEndpointAccountId VARCHAR, eventCategory VARCHAR, addendum JSON,
  sessionCredentialFromConsole VARCHAR, edgeDeviceDetails JSON, tlsDetails JSON)`;

export function viewSQL(mirror) {
  const root = mirror.replace(/\/+$/, '');
  let globs = layoutGlobs(root).map((g) => `${root}/${g}`);
  if (globs.length === 0) globs = [`${root}/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz`];
  const q = (s) => s.replace(/'/g, "''");
  // The path columns come from the file name, as the FDW's do.  log_file is relative to the root.
  return `
CREATE OR REPLACE VIEW cloudtrail_logs AS
SELECT
  r.eventVersion AS eventversion,
  r.userIdentity AS useridentity,
  CAST(r.eventTime AS TIMESTAMPTZ) AS eventtime,
  r.eventSource AS eventsource,
  r.eventName AS eventname,
  r.awsRegion AS awsregion,
  r.sourceIPAddress AS sourceipaddress,
  r.userAgent AS useragent,
  r.errorCode AS errorcode,
  r.errorMessage AS errormessage,
  r.requestParameters AS requestparameters,
  r.responseElements AS responseelements,
  r.additionalEventData AS additionaleventdata,
  r.requestID AS requestid,
  r.eventID AS eventid,
  r.readOnly AS readonly,
  r.resources AS resources,
  r.eventType AS eventtype,
  r.apiVersion AS apiversion,
  r.managementEvent AS managementevent,
  r.recipientAccountId AS recipientaccountid,
  r.serviceEventDetails AS serviceeventdetails,
  r.sharedEventID AS sharedeventid,
  r.vpcEndpointId AS vpcendpointid,
  r.vpcEndpointAccountId AS vpcendpointaccountid,
  r.eventCategory AS eventcategory,
  r.addendum AS addendum,
  CAST(r.sessionCredentialFromConsole AS BOOLEAN) AS sessioncredentialfromconsole,
  r.edgeDeviceDetails AS edgedevicedetails,
  r.tlsDetails AS tlsdetails,
  to_json(r) AS event,
  NULLIF(regexp_extract(filename, '/AWSLogs/(o-[a-z0-9]+)/', 1), '') AS org_id,
  regexp_extract(filename, '/AWSLogs/(?:o-[a-z0-9]+/)?([0-9]{12})/CloudTrail/', 1) AS account_id,
  regexp_extract(filename, '/CloudTrail/([^/]+)/[0-9]{4}/[0-9]{2}/[0-9]{2}/', 1) AS region,
  CAST(strptime(regexp_extract(filename, '/([0-9]{4}/[0-9]{2}/[0-9]{2})/[^/]*$', 1), '%Y/%m/%d') AS DATE) AS delivery_date,
  CAST(strptime(regexp_extract(filename, '_([0-9]{8}T[0-9]{4}Z)_[A-Za-z0-9]+\\.json\\.gz$', 1), '%Y%m%dT%H%MZ') AS TIMESTAMP) AT TIME ZONE 'UTC' AS delivery_time,
  substr(filename, ${root.length + 2}) AS log_file
FROM (
  SELECT unnest(Records) AS r, filename
  FROM read_json([${globs.map((g) => `'${q(g)}'`).join(', ')}],
                 format = 'auto',
                 columns = {'Records': '${RECORD_STRUCT.replace(/\s+/g, ' ')}[]'},
                 filename = true,
                 maximum_object_size = 1073741824)
)`;
}

export async function openDuckDB(mirror, { threads } = {}) {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  if (threads) await conn.run(`SET threads = ${Number(threads)}`);
  await conn.run(viewSQL(mirror));
  const info = (await conn.runAndReadAll(
    `SELECT version(), current_setting('threads'), current_setting('memory_limit')`)).getRowsJson()[0];
  return {
    version: info[0],
    threads: Number(info[1]),
    memoryLimit: info[2],
    // Runs the query and materialises every row in the client (runAndReadAll); the conversion to
    // JS values is left to the caller (outside the timed part).
    async run(sql) {
      return conn.runAndReadAll(sql);
    },
    close() {
      conn.closeSync();
      instance.closeSync?.();
    },
  };
}

// Stand-alone use.
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const mirror = args.length > 1 ? args[0] : (process.env.BENCH_MIRROR || '/srv/ct-bench');
  const sql = args[args.length - 1];
  const db = await openDuckDB(mirror);
  const t0 = process.hrtime.bigint();
  const reader = await db.run(sql);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const row of reader.getRowsJson()) console.log(JSON.stringify(row));
  console.error(`${reader.currentRowCount} rows, ${ms.toFixed(1)} ms, ${db.version}, threads=${db.threads}`);
}
