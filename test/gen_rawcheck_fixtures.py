#!/usr/bin/env python3
"""Fixture mirror of sql/rawcheck.sql: records whose raw bytes differ from what
a text, json or jsonb column shows, for the raw-bytes record check.

Usage: gen_rawcheck_fixtures.py OUTDIR   (writes OUTDIR_rawcheck, beside the
tools/gen_fixtures.py mirrors, which own OUTDIR; deterministic)

Each record's eventID names what it holds. Compact and pretty-printed files;
escapes, raw UTF-8, numbers jsonb prints differently (1e3, 1.50), case pairs
whose lower case is not an ASCII letter's (U+212A KELVIN SIGN lowers to k,
U+0130 to i), keys in other letter cases, nested objects.
"""

import gzip
import re
import json
import os
import shutil
import sys

ACCOUNT = "123456789012"


def rec(i, name, extra):
    r = {"eventVersion": "1.08", "eventTime": "2021-05-04T10:%02d:00Z" % i,
         "eventSource": "iam.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
         "sourceIPAddress": "198.51.100.%d" % i, "eventID": "rc-%02d" % i}
    r.update(extra)
    return r


RECORDS = [
    rec(1, "CreateBucket", {"requestParameters": {"bucketName": "my-bucket", "acl": "private"},
                            "userIdentity": {"type": "IAMUser", "userName": "alice"}}),
    rec(2, "CreateBucket", {"requestParameters": {"bucketName": "no-such-bucket"},
                            "userIdentity": {"type": "IAMUser", "userName": "Bob"}}),
    # the bucket name escaped: only the parsed value holds no-such-bucket
    rec(3, "PutBucketPolicy", {"requestParameters": {"bucketName": "no-such-bucke\\u0074",
                                                     "policy": "{\"Statement\": []}"}}),
    rec(4, "GetObject", {"requestParameters": {"key": "K\u212aelvin/\u0130stanbul"},
                         "userIdentity": {"type": "AssumedRole", "userName": "K\u212aarl"}}),
    rec(5, "GetObject", {"requestParameters": {"key": "kelvin/istanbul", "size": "@@1e3@@",
                                               "ratio": "@@1.50@@", "list": [1, "two", {"x": True}]}}),
    rec(6, "ConsoleLogin", {"responseElements": {"ConsoleLogin": "Success"},
                            "additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console"},
                            "userIdentity": {"type": "Root", "arn": "arn:aws:iam::123456789012:root"}}),
    rec(7, "DeleteTrail", {"requestParameters": {"name": "MAIN-TRAIL"}, "errorCode": "AccessDenied",
                           "ERRORMESSAGE": "User: arn:aws:iam::123456789012:user/Mallory is not authorized"}),
    rec(8, "StopLogging", {"requestParameters": None, "userIdentity": {"type": "IAMUser",
                                                                     "userName": "caf\u00e9"}}),
    rec(9, "AttachUserPolicy", {"requestParameters": {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
                                                      "userName": "eve"}}),
    rec(10, "ListBuckets", {"requestParameters": {"x": "a: b, c"}, "userAgent": "aws-cli/2.0 Python/3.8"}),
]

# OUTDIR_nested: nested key paths (-> chains, #>>) and containment (@>, ?).
# ns-02's issuer name is escaped (only the parse finds it); in ns-03
# sessionContext is an array, where -> with a key gives NULL; ns-05 has
# requestParameters null, ns-06 none.
def nrec(i, name, extra):
    r = rec(i, name, extra)
    r["eventID"] = "ns-%02d" % i
    return r


def issuer(user, arn):
    return {"type": "AssumedRole", "sessionContext": {
        "sessionIssuer": {"type": "Role", "userName": user, "arn": arn},
        "attributes": {"mfaAuthenticated": "false"}}}


NESTED = [
    nrec(1, "AssumeRole", {"userIdentity": issuer("ops-role", "arn:aws:iam::123456789012:role/ops-role"),
                           "requestParameters": {"roleArn": "arn:aws:iam::123456789012:role/x",
                                                 "tags": [{"key": "team", "value": "ops"}]}}),
    nrec(2, "GetObject", {"userIdentity": issuer("ops-r\\u006fle", "arn:aws:iam::123456789012:role/ops-role"),
                          "requestParameters": {"bucketName": "logs", "key": "a/b"}}),
    nrec(3, "GetObject", {"userIdentity": {"type": "AssumedRole",
                                           "sessionContext": [{"sessionIssuer": {"userName": "ops-role"}}]},
                          "requestParameters": {"bucketName": "ops-role"}}),
    nrec(4, "PutObject", {"userIdentity": issuer("dev-role", "arn:aws:iam::123456789012:role/dev-role"),
                          "requestParameters": {"bucketName": "logs", "key": "ops-role"}}),
    nrec(5, "ConsoleLogin", {"userIdentity": {"type": "Root"}, "requestParameters": None,
                             "additionalEventData": {"MFAUsed": "No"}}),
    nrec(6, "ConsoleLogin", {"userIdentity": {"type": "IAMUser", "userName": "ops-role"},
                             "additionalEventData": {"MFAUsed": "Yes"}}),
]


def write_mirror(out, records, prefix):
    if os.path.exists(out):
        shutil.rmtree(out)
    d = os.path.join(out, "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1", "2021", "05", "04")
    os.makedirs(d)
    half = len(records) // 2
    for k, (lo, hi, pretty) in enumerate([(0, half, False), (half, len(records), True)]):
        body = {"Records": records[lo:hi]}
        text = json.dumps(body, ensure_ascii=False, indent=2 if pretty else None,
                          separators=None if pretty else (",", ":"))
        # json.dumps escapes backslashes of "\\u0074": undo it for a real escape
        text = re.sub(r"\\\\(u00[0-9a-f]{2})", r"\\\1", text)
        # numbers as written, not as Python prints them
        text = re.sub(r'"@@([^@]*)@@"', r"\1", text)
        name = "%s_CloudTrail_us-east-1_20210504T11%02dZ_%s%08d.json.gz" % (ACCOUNT, k, prefix, k)
        with open(os.path.join(d, name), "wb") as f:
            f.write(gzip.compress(text.encode("utf-8"), mtime=0))


def main(argv):
    write_mirror(argv[1].rstrip("/") + "_nested", NESTED, "nested")
    out = argv[1].rstrip("/") + "_rawcheck"
    if os.path.exists(out):
        shutil.rmtree(out)
    d = os.path.join(out, "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1", "2021", "05", "04")
    os.makedirs(d)
    for k, (lo, hi, pretty) in enumerate([(0, 5, False), (5, 10, True)]):
        body = {"Records": RECORDS[lo:hi]}
        text = json.dumps(body, ensure_ascii=False, indent=2 if pretty else None,
                          separators=None if pretty else (",", ":"))
        # json.dumps escapes backslashes of "\\u0074": undo it for a real escape
        text = text.replace("\\\\u0074", "\\u0074")
        # numbers as written, not as Python prints them
        text = re.sub(r'"@@([^@]*)@@"', r"\1", text)
        name = "%s_CloudTrail_us-east-1_20210504T11%02dZ_rawcheck%08d.json.gz" % (ACCOUNT, k, k)
        with open(os.path.join(d, name), "wb") as f:
            f.write(gzip.compress(text.encode("utf-8"), mtime=0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
