#!/usr/bin/env python3
"""Generate a realistic, deterministic on-disk mirror of AWS CloudTrail logs for benchmarking.

    gen_mirror.py OUTDIR [--days 10] [--regions 8] [--files-per-day 24] [--records 400]
                         [--start 2024-03-01] [--jobs 2]
    gen_mirror.py OUTDIR --one-file-mb 500      # ONE big file (memory test)
    gen_mirror.py OUTDIR --org o-a1b2c3d4e5 --accounts 50 --regions 17 --days 31 --hold-back-days 1 \
                         --files-per-day 6 --records 4 --needles --no-digests   # bench/index_bench.sh

Layout (what `aws s3 sync` of a CloudTrail bucket gives):

    OUTDIR/AWSLogs/123456789012/CloudTrail/REGION/YYYY/MM/DD/
        123456789012_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE16.json.gz

Each file is one gzip member (mtime 0, level 6) of compact `{"Records":[...]}` with the keys of each
record in CloudTrail's order.  Delivery: one file per region per hour, named at HH:05 plus 0-4
minutes of jitter; a file holds the events that happened since the previous file of its region
(eventTime 1-65 minutes before the file-name time, so the first file of a day holds the events of
the previous day's last hour), plus ~0.1% late records (eventTime 2-20 hours before the name time).
Every eventTime is <= the file-name time.

Log file validation is on, as for trails created in the console: every region gets an hourly
digest, CloudTrail-Digest/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_
YYYYMMDDTHHmmssZ.json.gz, delivered 1-3 minutes after the hour, listing the log files delivered in
that hour with their SHA-256 and oldest/newest eventTime (no signature).  --no-digests leaves them out.

An organization trail (--org o-ID, --accounts N: N seeded 12-digit accounts; without --org, N > 1
accounts side by side) writes AWSLogs/o-ID/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE16.json.gz (digests under AWSLogs/o-ID/ACCOUNT/
CloudTrail-Digest/), each account's records naming it (ARNs, accountId, recipientAccountId); up to
17 regions.  --files-per-day is per account and region.  --needles plants three values, each in
exactly one record of the whole mirror (an accessKeyId, a sourceIPAddress, a userName; no other
record can hold them), and lists them in the manifest with their file and eventID.
--hold-back-days K writes the last K days under OUTDIR/.held-back/ (a hidden folder: the FDW skips
it, DuckDB's globs do not reach it), so a benchmark can move them in as "new days".  For these
mirrors the manifest also lists the accounts, and per UTC day of event time the number of files
holding a record of that day and its records (`event_days`, also for the held-back days).

Deterministic: the content depends only on the arguments (seeded per region and day, and per
account in the multi-account shapes; the output does not depend on --jobs).  Without --org,
--accounts, --needles and --hold-back-days the output is byte for byte what it was before they
existed.  Python 3 standard library only.  Writes OUTDIR/.bench-manifest.json
(a hidden file, skipped by the FDW) with the totals and the event-time range.
"""
import argparse
import datetime as dt
import gzip
import json
import os
import random
import re
import shutil
import sys
import time
from multiprocessing import Pool

ACCOUNT = "123456789012"
ALL_REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
               "ap-southeast-1", "ap-northeast-1", "sa-east-1",
               # the other regions enabled by default (an organization trail covers all of them)
               "us-west-1", "ca-central-1", "eu-west-2", "eu-west-3", "eu-north-1",
               "ap-south-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-2"]
# relative traffic per region (us-east-1 carries the global services too); a region not listed
# weighs 1.0 against the mean of these
REGION_WEIGHT = {"us-east-1": 1.9, "us-east-2": 0.8, "us-west-2": 1.2, "eu-west-1": 1.3,
                 "eu-central-1": 0.9, "ap-southeast-1": 0.7, "ap-northeast-1": 0.7, "sa-east-1": 0.5}
# relative traffic per UTC hour (mean 1)
DIURNAL = [0.70, 0.65, 0.62, 0.60, 0.62, 0.70, 0.80, 0.95, 1.10, 1.25, 1.35, 1.40,
           1.42, 1.40, 1.38, 1.35, 1.30, 1.20, 1.10, 1.00, 0.92, 0.85, 0.78, 0.73]
_dm = sum(DIURNAL) / len(DIURNAL)
DIURNAL = [d / _dm for d in DIURNAL]

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
SPECIAL_IP = "203.0.113.5"

# --------------------------------------------------------------------------------------------
# The population: fixed (seeded) for the whole mirror.

def _population():
    r = random.Random("cloudtrail-bench-population-v1")
    first = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
             "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
             "yusuf", "zoe", "amir", "bianca", "chen", "dmitri", "elena", "farah", "goran", "hana",
             "igor", "jonas", "kemal", "lucia", "mateo", "nora", "oskar", "priya", "quinn", "rosa",
             "sven", "tariq", "uma", "vera", "wei", "ximena", "yara", "zain"]
    last = ["smith", "garcia", "mueller", "rossi", "tanaka", "kim", "nguyen", "silva", "novak",
            "kowalski", "dubois", "jensen", "ahmed", "okafor", "larsen", "moreau"]
    users = sorted({"%s.%s" % (r.choice(first), r.choice(last)) for _ in range(400)})[:220]
    users += ["ci-deployer", "terraform", "backup-operator", "monitoring", "billing-reader",
              "admin", "breakglass", "svc-etl", "svc-reporting", "jenkins"]
    def aid(prefix):
        return prefix + "".join(r.choice(UPPER_DIGITS) for _ in range(17))
    user_ids = {u: (aid("AIDA"), aid("AKIA")) for u in users}
    roles = ["OrganizationAccountAccessRole", "AWSReservedSSO_AdministratorAccess_1a2b3c4d5e6f7a8b",
             "AWSReservedSSO_ReadOnlyAccess_9f8e7d6c5b4a3928", "AWSReservedSSO_PowerUserAccess_0a1b2c3d4e5f6071",
             "eks-node-group-role", "ecs-task-execution", "lambda-basic-execution",
             "github-actions-deploy", "gitlab-runner", "datadog-integration", "aws-backup-role",
             "config-recorder", "AWSServiceRoleForECS", "AWSServiceRoleForAutoScaling",
             "AWSServiceRoleForElasticLoadBalancing", "AWSServiceRoleForRDS", "security-audit",
             "cross-account-readonly", "ec2-ssm-instance-profile", "glue-crawler"]
    roles += ["app-%s-%s" % (a, e) for a in ["orders", "payments", "search", "auth", "catalog",
                                               "billing", "reports", "ingest", "media", "notify"]
              for e in ["prod", "staging", "dev"]]
    role_ids = {ro: aid("AROA") for ro in roles}
    buckets = ["acme-%s-%s" % (a, b) for a in ["data", "logs", "backups", "artifacts", "static",
                                                 "exports", "ml", "raw", "curated", "tmp"]
               for b in ["prod", "staging", "eu", "us"]]
    kms_keys = ["%08x-%04x-%04x-%04x-%012x" % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(16),
                                               r.getrandbits(16), r.getrandbits(48)) for _ in range(60)]
    log_groups = ["/aws/lambda/%s-%s" % (a, b) for a in ["orders", "payments", "search", "auth",
                                                          "thumbnailer", "etl", "webhook", "cron"]
                  for b in ["prod", "staging", "dev"]] + ["/ecs/api", "/ecs/worker", "/aws/eks/main/cluster",
                                                          "/var/log/messages", "/aws/rds/instance/main/postgresql"]
    s3keys = ["%s/%s/2024/%02d/%s.%s" % (r.choice(["raw", "curated", "exports", "images", "backups"]),
                                         r.choice(["orders", "users", "events", "invoices", "clicks"]),
                                         r.randrange(1, 4), "%012x" % r.getrandbits(48),
                                         r.choice(["json.gz", "parquet", "csv", "jpg"])) for _ in range(5000)]
    instances = ["i-%017x" % r.getrandbits(68) for _ in range(600)]
    volumes = ["vol-%017x" % r.getrandbits(68) for _ in range(600)]
    # source addresses: office NAT, VPN, home, CI runners, VPC (NAT gateways), plus many one-offs
    office = ["198.51.100.%d" % i for i in range(10, 60)]
    vpc = ["10.%d.%d.%d" % (r.randrange(0, 32), r.randrange(256), r.randrange(1, 255)) for _ in range(1500)]
    public = ["%d.%d.%d.%d" % (r.choice([3, 13, 18, 34, 35, 44, 52, 54, 81, 86, 91, 92, 145, 176, 185, 212]),
                                r.randrange(256), r.randrange(256), r.randrange(1, 255)) for _ in range(4000)]
    return dict(users=users, user_ids=user_ids, roles=roles, role_ids=role_ids, buckets=buckets,
                kms_keys=kms_keys, log_groups=log_groups, instances=instances, volumes=volumes,
                office=office, vpc=vpc, s3keys=s3keys, public=public)

POP = _population()

UA_CLI = ["aws-cli/2.15.%d Python/3.11.6 Linux/5.10.205-195.807.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off command/%s",
          "aws-cli/2.13.%d Python/3.11.4 Darwin/23.3.0 exe/x86_64 prompt/off command/%s",
          "aws-cli/1.32.%d Python/3.9.16 Linux/6.1.66-91.160.amzn2023.x86_64 botocore/1.34.5 command/%s"]
UA_SDK = ["aws-sdk-go/1.50.%d (go1.21.6; linux; amd64)",
          "aws-sdk-js/3.515.%d os/linux#5.10.205-195.807.amzn2.x86_64 lang/js md/nodejs#20.11.0 api/s3#3.515.0",
          "aws-sdk-go-v2/1.24.%d os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/kms#1.27.%d",
          "Boto3/1.34.%d md/Botocore#1.34.%d ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.%d",
          "aws-sdk-java/2.21.%d Linux/5.10.205-195.807.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
          "APN/1.0 HashiCorp/1.0 Terraform/1.7.%d (+https://www.terraform.io) terraform-provider-aws/5.38.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.50.21 (go1.21.6; linux; amd64)"]
SERVICES = ["autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "config.amazonaws.com",
            "ssm.amazonaws.com", "backup.amazonaws.com", "guardduty.amazonaws.com", "securityhub.amazonaws.com"]
CIPHERS = [("TLSv1.3", "TLS_AES_128_GCM_SHA256"), ("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
           ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")]

# (weight, source, name, readOnly, category, kind): the mix of a busy production account.
EVENTS = [
    (14.0, "kms.amazonaws.com", "Decrypt", True, "Management", "kms"),
    (11.0, "sts.amazonaws.com", "AssumeRole", True, "Management", "assume"),
    (8.0, "ec2.amazonaws.com", "DescribeInstances", True, "Management", "ec2d"),
    (9.0, "s3.amazonaws.com", "GetObject", True, "Data", "s3get"),
    (5.5, "s3.amazonaws.com", "PutObject", False, "Data", "s3put"),
    (7.0, "kms.amazonaws.com", "GenerateDataKey", True, "Management", "kms"),
    (5.0, "ec2.amazonaws.com", "DescribeVolumes", True, "Management", "ec2v"),
    (4.0, "s3.amazonaws.com", "ListObjects", True, "Data", "s3list"),
    (4.0, "sts.amazonaws.com", "GetCallerIdentity", True, "Management", "whoami"),
    (4.0, "logs.amazonaws.com", "CreateLogStream", False, "Management", "logs"),
    (3.0, "ssm.amazonaws.com", "UpdateInstanceInformation", False, "Management", "ssm"),
    (2.5, "ec2.amazonaws.com", "DescribeSecurityGroups", True, "Management", "ec2d"),
    (2.5, "ssm.amazonaws.com", "GetParameter", True, "Management", "param"),
    (2.0, "lambda.amazonaws.com", "Invoke", False, "Data", "lambda"),
    (2.0, "secretsmanager.amazonaws.com", "GetSecretValue", True, "Management", "secret"),
    (2.0, "s3.amazonaws.com", "GetBucketLocation", True, "Management", "bucket"),
    (1.5, "s3.amazonaws.com", "HeadObject", True, "Data", "s3get"),
    (1.5, "logs.amazonaws.com", "DescribeLogGroups", True, "Management", "logsd"),
    (1.5, "dynamodb.amazonaws.com", "DescribeTable", True, "Management", "ddb"),
    (1.2, "s3.amazonaws.com", "GetBucketAcl", True, "Management", "bucket"),
    (1.0, "monitoring.amazonaws.com", "DescribeAlarms", True, "Management", "plain"),
    (1.0, "rds.amazonaws.com", "DescribeDBInstances", True, "Management", "plain"),
    (1.0, "cloudformation.amazonaws.com", "DescribeStacks", True, "Management", "plain"),
    (1.0, "ec2.amazonaws.com", "CreateTags", False, "Management", "tags"),
    (1.0, "s3.amazonaws.com", "DeleteObject", False, "Data", "s3get"),
    (0.8, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", True, "Management", "plain"),
    (0.8, "ecr.amazonaws.com", "GetAuthorizationToken", True, "Management", "plain"),
    (0.6, "autoscaling.amazonaws.com", "DescribeAutoScalingGroups", True, "Management", "plain"),
    (0.5, "s3.amazonaws.com", "ListBuckets", True, "Management", "listbuckets"),
    (0.4, "ec2.amazonaws.com", "RunInstances", False, "Management", "run"),
    (0.3, "ec2.amazonaws.com", "TerminateInstances", False, "Management", "term"),
    (0.3, "ssm.amazonaws.com", "SendCommand", False, "Management", "plain"),
    (0.2, "ec2.amazonaws.com", "CreateSnapshot", False, "Management", "plain"),
    (0.2, "kms.amazonaws.com", "Encrypt", True, "Management", "kms"),
    (0.05, "signin.amazonaws.com", "ConsoleLogin", False, "Management", "console"),
    # IAM: recorded only in us-east-1 (global endpoint); weights apply there
    (1.5, "iam.amazonaws.com", "ListRoles", True, "Management", "iam"),
    (0.8, "iam.amazonaws.com", "GetRole", True, "Management", "iam"),
    (0.3, "iam.amazonaws.com", "ListAccessKeys", True, "Management", "iam"),
    (0.05, "iam.amazonaws.com", "CreateAccessKey", False, "Management", "iam"),
    (0.05, "iam.amazonaws.com", "PutRolePolicy", False, "Management", "iam"),
]

ERRORS = {  # kind -> (errorCode, errorMessage template)
    "ec2": ("Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: %s is not authorized to perform: ec2:%s because no identity-based policy allows the ec2:%s action"),
    "kms": ("AccessDeniedException", "User: %s is not authorized to perform: kms:%s on resource: %s because no identity-based policy allows the kms:%s action"),
    "s3": ("AccessDenied", "Access Denied"),
    "other": ("AccessDenied", "User: %s is not authorized to perform: %s:%s because no identity-based policy allows the action"),
}


def _cumulative(events):
    tot = 0.0
    out = []
    for e in events:
        tot += e[0]
        out.append(tot)
    return out, tot


EVENTS_GLOBAL = EVENTS
EVENTS_REGIONAL = [e for e in EVENTS if e[5] != "iam"]
CUM_GLOBAL = _cumulative(EVENTS_GLOBAL)
CUM_REGIONAL = _cumulative(EVENTS_REGIONAL)


class Gen:
    """Record generator for one (region, day) partition, with its own seeded RNG."""

    def __init__(self, seed, region, account=ACCOUNT):
        self.r = random.Random(seed)
        self.region = region
        self.account = account
        self.events, (self.cum, self.tot) = ((EVENTS_GLOBAL, CUM_GLOBAL) if region == "us-east-1"
                                             else (EVENTS_REGIONAL, CUM_REGIONAL))
        import bisect
        self._bisect = bisect.bisect
        self.sessions = []
        self.last = None
        self.last_req = None

    # small helpers -------------------------------------------------------------------------
    def hexs(self, n):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def guid(self):
        h = "%032x" % self.r.getrandbits(128)
        return "%s-%s-4%s-%s-%s" % (h[:8], h[8:12], h[13:16], h[16:20], h[20:])

    def s3_request_id(self):
        return ("%016X" % self.r.getrandbits(64))

    def b64(self, n):
        r = self.r
        return "".join(r.choice(B64) for _ in range(n))

    def akid(self, prefix):
        r = self.r
        return prefix + "".join(r.choice(UPPER_DIGITS) for _ in range(16))

    def iso(self, t):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

    # identities ----------------------------------------------------------------------------
    # Calls come from sessions: a principal with one access key, one address and one client,
    # making many calls (that is what makes real CloudTrail files compress ~10x).  A pool of
    # sessions per partition, picked with a skew (a few chatty ones), renewed now and then.
    def new_session(self, t):
        r = self.r
        x = r.random()
        if x < 0.45:
            role = r.choice(POP["roles"])
            rid = POP["role_ids"][role]
            y = r.random()
            sess = (r.choice(POP["instances"]) if y < 0.4 else
                    "botocore-session-%d" % r.randrange(1700000000, 1710000000) if y < 0.6 else
                    r.choice(POP["users"]) + "@example.com" if y < 0.8 else
                    "GitHubActions" if y < 0.85 else self.hexs(16))
            ctx = {"sessionIssuer": {"type": "Role", "principalId": rid,
                                     "arn": "arn:aws:iam::%s:role/%s" % (self.account, role),
                                     "accountId": self.account, "userName": role},
                   "webIdFederationData": {},
                   "attributes": {"creationDate": self.iso(t - r.randrange(60, 3600 * 6)), "mfaAuthenticated": "false"}}
            if sess.startswith("i-"):
                ctx["ec2RoleDelivery"] = "2.0"
            ident = {"type": "AssumedRole", "principalId": "%s:%s" % (rid, sess),
                     "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.account, role, sess),
                     "accountId": self.account, "accessKeyId": self.akid("ASIA"), "sessionContext": ctx}
            who, uname = "role", None
        elif x < 0.997:
            u = r.choice(POP["users"])
            pid, ak = POP["user_ids"][u]
            ident = {"type": "IAMUser", "principalId": pid, "arn": "arn:aws:iam::%s:user/%s" % (self.account, u),
                     "accountId": self.account, "accessKeyId": ak, "userName": u}
            who, uname = "user", u
            if r.random() < 0.2:  # console session
                ident["accessKeyId"] = self.akid("ASIA")
                ident["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                                           "attributes": {"creationDate": self.iso(t - r.randrange(60, 36000)),
                                                          "mfaAuthenticated": "true"}}
                who = "console-user"
        else:
            ident = {"type": "Root", "principalId": self.account, "arn": "arn:aws:iam::%s:root" % self.account,
                     "accountId": self.account, "accessKeyId": self.akid("ASIA")}
            who, uname = "root", None
        y = r.random()
        ip = (r.choice(POP["vpc"]) if y < 0.45 else r.choice(POP["public"]) if y < 0.75 else
              r.choice(POP["office"]) if y < 0.90 else
              "%d.%d.%d.%d" % (r.randrange(1, 224), r.randrange(256), r.randrange(256), r.randrange(1, 255)))
        if who == "console-user":
            ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
            cli = False
        elif r.random() < 0.25:
            ua, cli = r.choice(UA_CLI), True
        else:
            tpl = UA_SDK[min(int(len(UA_SDK) * r.random() ** 3), len(UA_SDK) - 1)]
            ua, cli = tpl % tuple(r.randrange(1, 60) for _ in range(tpl.count("%d"))), False
        if cli:
            ua = ua.replace("%d", str(r.randrange(1, 20)), 1)
        tls = r.random() < 0.35
        return [ident, who, uname, ip, ua, cli, tls]

    def identity(self, t, kind):
        """-> (userIdentity, who, userName, sourceIPAddress, userAgent-or-None, tls?)"""
        r = self.r
        if kind == "console":
            u = r.choice(POP["users"][:120])
            pid, _ = POP["user_ids"][u]
            return ({"type": "IAMUser", "principalId": pid, "arn": "arn:aws:iam::%s:user/%s" % (self.account, u),
                     "accountId": self.account, "userName": u}, "user", u, None, None, True)
        if r.random() < 0.5 and kind != "iam":
            svc = {"kms": "s3.amazonaws.com", "s3get": "cloudfront.amazonaws.com", "s3put": "firehose.amazonaws.com",
                   "s3list": "athena.amazonaws.com", "logs": "lambda.amazonaws.com", "assume": "ecs-tasks.amazonaws.com"
                   }.get(kind) or SERVICES[int(len(SERVICES) * r.random() ** 2)]
            return {"type": "AWSService", "invokedBy": svc}, "service", svc, svc, svc, False
        pool = self.sessions
        if len(pool) < 40 or r.random() < 0.004:
            s = self.new_session(t)
            if len(pool) < 40:
                pool.append(s)
            else:
                pool[r.randrange(len(pool))] = s
        else:
            s = pool[int(len(pool) * r.random() ** 3)]
        return s[0], s[1], s[2], s[3], (s[4] if s[5] else s[4]), s[6]

    # one record ---------------------------------------------------------------------------------
    def record(self, t):
        r = self.r
        region = self.region
        # calls come in bursts: a client often makes the same kind of call again
        burst = self.last is not None and r.random() < 0.6
        if burst:
            i, idt = self.last
        else:
            i = self._bisect(self.cum, r.random() * self.tot)
            idt = None
        weight, source, name, readonly, category, kind = self.events[i]
        if idt is None or kind == "console":
            idt = self.identity(t, kind)
        self.last = (i, idt)
        ident, who, uname, src_ip, ua, tls = idt
        svc = source.split(".")[0]
        if who not in ("service",):
            if ua is not None and "%s" in ua:
                ua = ua % ("%s.%s" % (svc, name.lower()))
            if r.random() < 0.0004:
                src_ip = SPECIAL_IP
        host = "%s.%s.amazonaws.com" % (svc, region)
        evver = "1.10" if category == "Data" else r.choice(["1.08", "1.09", "1.09", "1.10"])
        actor_arn = ident.get("arn", "arn:aws:iam::%s:root" % self.account)

        # error?
        err = None
        if kind == "listbuckets":
            if r.random() < 0.30:
                err = ("AccessDenied", "Access Denied")
        elif kind not in ("console",) and who != "service" and r.random() < 0.05:
            if r.random() < 0.4:
                err = ("ThrottlingException", "Rate exceeded")
            elif svc == "ec2":
                c, m = ERRORS["ec2"]
                err = (c, m % (actor_arn, name, name))
            elif svc == "kms":
                c, m = ERRORS["kms"]
                err = (c, m % (actor_arn, name, "arn:aws:kms:%s:%s:key/%s" % (region, self.account, r.choice(POP["kms_keys"])), name))
            elif svc == "s3":
                err = ERRORS["s3"]
            else:
                c, m = ERRORS["other"]
                err = (c, m % (actor_arn, svc, name))

        req = resp = extra = None
        resources = None
        api_version = None
        shared = None
        event_type = "AwsApiCall"

        if kind == "kms":
            key = r.choice(POP["kms_keys"])
            karn = "arn:aws:kms:%s:%s:key/%s" % (region, self.account, key)
            b = r.choice(POP["buckets"])
            ctx = r.choice([{"aws:s3:arn": "arn:aws:s3:::%s/%s/%s.parquet" % (b, r.choice(["raw", "curated", "exports"]), self.hexs(12))},
                            {"aws:lambda:FunctionArn": "arn:aws:lambda:%s:%s:function:%s" % (region, self.account, r.choice(["orders", "payments", "auth"]))},
                            {"SecretARN": "arn:aws:secretsmanager:%s:%s:secret:prod/db-%s" % (region, self.account, self.hexs(6)), "SecretVersionId": self.guid()},
                            {"aws:ebs:id": r.choice(POP["volumes"])}])
            req = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": ctx} if name == "Decrypt" else \
                  {"keyId": karn, "encryptionContext": ctx, "keySpec": "AES_256"}
            resources = [{"accountId": self.account, "type": "AWS::KMS::Key", "ARN": karn}]
        elif kind == "assume":
            role = r.choice(POP["roles"])
            rarn = "arn:aws:iam::%s:role/%s" % (self.account, role)
            sess = r.choice(["botocore-session-%d" % r.randrange(1700000000, 1710000000), r.choice(POP["instances"]),
                             "aws-sdk-java-%d" % r.randrange(10**12, 10**13), "terraform-%s" % self.hexs(8)])
            req = {"roleArn": rarn, "roleSessionName": sess, "durationSeconds": r.choice([900, 3600, 3600, 43200])}
            if not err:
                exp = dt.datetime.fromtimestamp(t + 3600, dt.timezone.utc)
                resp = {"credentials": {"accessKeyId": self.akid("ASIA"),
                                        "sessionToken": "IQoJb3JpZ2luX2VjE" + self.b64(r.choice([64, 80, 96])),
                                        "expiration": exp.strftime("%b %-d, %Y, %-I:%M:%S %p")},
                        "assumedRoleUser": {"assumedRoleId": "%s:%s" % (POP["role_ids"][role], sess),
                                            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.account, role, sess)}}
            resources = [{"accountId": self.account, "type": "AWS::IAM::Role", "ARN": rarn}]
            shared = self.guid() if r.random() < 0.3 else None
        elif kind == "ec2d":
            if r.random() < 0.5:
                req = {"instancesSet": {"items": [{"instanceId": r.choice(POP["instances"])} for _ in range(r.randrange(1, 4))]},
                       "filterSet": {}}
            else:
                req = {"maxResults": 1000, "instancesSet": {}, "filterSet": {"items": [{"name": "tag:Environment", "valueSet": {"items": [{"value": r.choice(["prod", "staging", "dev"])}]}}]}}
        elif kind == "ec2v":
            req = {"volumeSet": {}, "filterSet": {"items": [{"name": "attachment.instance-id", "valueSet": {"items": [{"value": r.choice(POP["instances"])}]}}]}}
        elif kind in ("s3get", "s3put", "s3list", "bucket", "listbuckets"):
            b = r.choice(POP["buckets"])
            key = POP["s3keys"][int(5000 * r.random() ** 2)]
            bhost = "%s.s3.%s.amazonaws.com" % (b, region)
            if kind == "listbuckets":
                req = {"Host": "s3.%s.amazonaws.com" % region}
                host = "s3.%s.amazonaws.com" % region
            elif kind == "s3list":
                req = {"list-type": "2", "bucketName": b, "encoding-type": "url", "prefix": key.rsplit("/", 2)[0] + "/", "delimiter": "/", "Host": bhost}
            elif kind == "bucket":
                req = {"bucketName": b, "Host": bhost, name[9:].lower() or "location": ""}
            else:
                req = {"bucketName": b, "Host": bhost, "key": key}
            if kind == "s3put" and not err:
                resp = {"x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:%s:%s:key/%s" % (region, self.account, r.choice(POP["kms_keys"])),
                        "x-amz-server-side-encryption": "aws:kms", "x-amz-version-id": self.b64(32).replace("+", "_").replace("/", ".")}
            tx_in = r.randrange(100, 2000000) if kind == "s3put" else 0
            tx_out = r.randrange(100, 5000000) if kind == "s3get" and not err else r.randrange(0, 4000)
            extra = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": tx_in,
                     "AuthenticationMethod": "AuthHeader", "x-amz-id-2": self.b64(32) + "=", "bytesTransferredOut": tx_out}
            if category == "Data":
                resources = [{"type": "AWS::S3::Object", "ARNPrefix" if kind == "s3list" else "ARN": "arn:aws:s3:::%s/%s" % (b, key)},
                             {"accountId": self.account, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::%s" % b}]
            elif kind == "bucket":
                resources = [{"accountId": self.account, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::%s" % b}]
            host = bhost if kind != "listbuckets" else host
        elif kind == "whoami":
            pass
        elif kind == "logs":
            g = r.choice(POP["log_groups"])
            req = {"logGroupName": g, "logStreamName": "%s/[$LATEST]%s" % (self.iso(t)[:10].replace("-", "/"), self.hexs(32))}
        elif kind == "logsd":
            req = {"logGroupNamePrefix": r.choice(POP["log_groups"])[:12], "limit": 50}
        elif kind == "ssm":
            req = {"instanceId": r.choice(POP["instances"]), "agentVersion": "3.2.%d.0" % r.randrange(1000, 2300),
                   "agentName": "amazon-ssm-agent", "platformType": "Linux", "platformName": "Amazon Linux",
                   "platformVersion": "2023", "iPAddress": r.choice(POP["vpc"]), "computerName": "ip-%s.%s.compute.internal" % (r.choice(POP["vpc"]).replace(".", "-"), region),
                   "agentStatus": "Active", "availabilityZone": region + r.choice("abc"), "availabilityZoneId": "%s-az%d" % (region[:2] + region.split("-")[1][:1] + region[-1], r.randrange(1, 4))}
        elif kind == "param":
            req = {"name": "/%s/%s/%s" % (r.choice(["prod", "staging"]), r.choice(["orders", "payments", "auth"]), r.choice(["db_url", "api_key", "feature_flags"])), "withDecryption": r.random() < 0.5}
        elif kind == "secret":
            req = {"secretId": "arn:aws:secretsmanager:%s:%s:secret:prod/%s-%s" % (region, self.account, r.choice(["db", "api", "oauth"]), self.b64(6))}
        elif kind == "lambda":
            fn = "arn:aws:lambda:%s:%s:function:%s" % (region, self.account, r.choice(["orders", "payments", "thumbnailer", "webhook"]))
            req = {"functionName": fn, "invocationType": "RequestResponse", "sourceArn": "arn:aws:execute-api:%s:%s:%s" % (region, self.account, self.hexs(10))}
            resources = [{"accountId": self.account, "type": "AWS::Lambda::Function", "ARN": fn}]
        elif kind == "ddb":
            req = {"tableName": r.choice(["orders", "sessions", "carts", "inventory", "idempotency"])}
            resources = [{"accountId": self.account, "type": "AWS::DynamoDB::Table", "ARN": "arn:aws:dynamodb:%s:%s:table/%s" % (region, self.account, req["tableName"])}]
        elif kind == "tags":
            inst = r.choice(POP["instances"])
            req = {"resourcesSet": {"items": [{"resourceId": inst}]}, "tagSet": {"items": [{"key": "Owner", "value": r.choice(POP["users"])}]}}
            if not err:
                resp = {"requestId": self.guid(), "_return": True}
        elif kind == "run":
            inst = r.choice(POP["instances"])
            req = {"instancesSet": {"items": [{"imageId": "ami-%017x" % r.getrandbits(68), "minCount": 1, "maxCount": 1}]},
                   "instanceType": r.choice(["t3.medium", "m6i.large", "c6g.xlarge"]), "blockDeviceMapping": {}, "monitoring": {"enabled": False},
                   "disableApiTermination": False, "disableApiStop": False, "clientToken": self.guid()}
            if not err:
                resp = {"requestId": self.guid(), "reservationId": "r-%017x" % r.getrandbits(68), "ownerId": self.account,
                        "groupSet": {}, "instancesSet": {"items": [{"instanceId": inst, "imageId": req["instancesSet"]["items"][0]["imageId"],
                                                                    "currentInstanceBootMode": "bios", "instanceState": {"code": 0, "name": "pending"},
                                                                    "privateDnsName": "ip-10-0-1-%d.%s.compute.internal" % (r.randrange(2, 250), region),
                                                                    "amiLaunchIndex": 0, "productCodes": {}, "instanceType": req["instanceType"],
                                                                    "launchTime": t * 1000, "placement": {"availabilityZone": region + "a", "tenancy": "default"},
                                                                    "monitoring": {"state": "disabled"}, "subnetId": "subnet-%017x" % r.getrandbits(68),
                                                                    "vpcId": "vpc-%017x" % r.getrandbits(68), "privateIpAddress": "10.0.1.%d" % r.randrange(2, 250),
                                                                    "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64",
                                                                    "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "virtualizationType": "hvm"}]},
                        "requesterId": "940372691376"}
                resources = [{"accountId": self.account, "type": "AWS::EC2::Instance", "ARN": "arn:aws:ec2:%s:%s:instance/%s" % (region, self.account, inst)}]
        elif kind == "term":
            inst = r.choice(POP["instances"])
            req = {"instancesSet": {"items": [{"instanceId": inst}]}}
            if not err:
                resp = {"requestId": self.guid(), "instancesSet": {"items": [{"instanceId": inst, "currentState": {"code": 32, "name": "shutting-down"},
                                                                              "previousState": {"code": 16, "name": "running"}}]}}
        elif kind == "iam":
            if name == "GetRole":
                req = {"roleName": r.choice(POP["roles"])}
            elif name == "ListRoles":
                req = {"maxItems": 100} if r.random() < 0.5 else None
            elif name == "ListAccessKeys":
                req = {"userName": r.choice(POP["users"])}
            elif name == "CreateAccessKey":
                u = r.choice(POP["users"])
                req = {"userName": u}
                if not err:
                    resp = {"accessKey": {"userName": u, "accessKeyId": self.akid("AKIA"), "status": "Active", "createDate": "Mar %d, 2024 %d:%02d:%02d AM" % (r.randrange(1, 11), r.randrange(1, 12), r.randrange(60), r.randrange(60))}}
            else:
                req = {"roleName": r.choice(POP["roles"]), "policyName": "inline-" + self.hexs(6), "policyDocument": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::%s/*\"}]\n}" % r.choice(POP["buckets"])}
            host = "iam.amazonaws.com"
        elif kind == "console":
            event_type = "AwsConsoleSignIn"
            ok = r.random() < 0.9
            if not ok:
                err = None
                resp = {"ConsoleLogin": "Failure"}
            else:
                resp = {"ConsoleLogin": "Success"}
            extra = {"LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_" + region + "_" + self.hexs(16),
                     "MobileVersion": "No", "MFAIdentifier": "arn:aws:iam::%s:mfa/%s" % (self.account, uname), "MFAUsed": "Yes"}
            ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
            src_ip = r.choice(POP["office"]) if r.random() < 0.8 else r.choice(POP["public"])
            rec = {"eventVersion": "1.09", "userIdentity": ident, "eventTime": self.iso(t), "eventSource": source,
                   "eventName": name, "awsRegion": region, "sourceIPAddress": src_ip, "userAgent": ua}
            if not ok:
                rec["errorMessage"] = "Failed authentication"
            rec.update({"requestParameters": None, "responseElements": resp, "additionalEventData": extra,
                        "eventID": self.guid(), "readOnly": False, "eventType": event_type, "managementEvent": True,
                        "recipientAccountId": self.account, "eventCategory": "Management",
                        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                                       "clientProvidedHostHeader": "signin.aws.amazon.com"}})
            return rec
        elif kind == "plain":
            req = r.choice([None, {"maxRecords": 100}, {"filters": [{"name": "tag:team", "values": [r.choice(["core", "data", "web"])]}]}])

        # a burst often repeats the same request (polling, retries, the same object or key)
        if burst and self.last_req is not None and self.last_req[0] == i and r.random() < 0.5 \
                and kind not in ("assume", "run", "term", "tags"):
            req, resources = self.last_req[1], self.last_req[2]
        self.last_req = (i, req, resources)
        if err:
            resp = None
        if svc == "ec2":
            api_version = None
        elif svc == "dynamodb":
            api_version = "2012-08-10"

        rec = {"eventVersion": evver, "userIdentity": ident, "eventTime": self.iso(t), "eventSource": source,
               "eventName": name, "awsRegion": region, "sourceIPAddress": src_ip, "userAgent": ua}
        if err:
            rec["errorCode"] = err[0]
            rec["errorMessage"] = err[1]
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        if extra is not None:
            rec["additionalEventData"] = extra
        rec["requestID"] = self.s3_request_id() if svc == "s3" else self.guid()
        rec["eventID"] = self.guid()
        rec["readOnly"] = readonly
        if resources is not None:
            rec["resources"] = resources
        rec["eventType"] = event_type
        if api_version:
            rec["apiVersion"] = api_version
        rec["managementEvent"] = category == "Management"
        rec["recipientAccountId"] = self.account
        if shared:
            rec["sharedEventID"] = shared
        rec["eventCategory"] = category
        if tls:
            v, c = CIPHERS[0] if r.random() < 0.7 else r.choice(CIPHERS)
            rec["tlsDetails"] = {"tlsVersion": v, "cipherSuite": c, "clientProvidedHostHeader": host}
        if who == "console-user":
            rec["sessionCredentialFromConsole"] = "true"
        return rec


# --------------------------------------------------------------------------------------------
# Files

def unique16(r):
    return "".join(r.choice(ALNUM) for _ in range(16))


class Trail:
    """Where one account's files go: AWSLogs/ACCOUNT/... or, for an organization trail,
    AWSLogs/o-ORG/ACCOUNT/...  `key` names the (account, region) in the seeds: the region alone
    for the single default account (so the default mirror is what it always was)."""

    def __init__(self, account=ACCOUNT, org=None):
        self.account = account
        self.org = org
        self.base = os.path.join("AWSLogs", org, account) if org else os.path.join("AWSLogs", account)
        self.legacy = org is None and account == ACCOUNT

    def key(self, region):
        return region if self.legacy else "%s/%s" % (self.account, region)


DEFAULT_TRAIL = Trail()


def file_path(outdir, region, name_t, uniq, trail=DEFAULT_TRAIL):
    tm = time.gmtime(name_t)
    return os.path.join(outdir, trail.base, "CloudTrail", region,
                        "%04d" % tm.tm_year, "%02d" % tm.tm_mon, "%02d" % tm.tm_mday,
                        "%s_CloudTrail_%s_%sZ_%s.json.gz" % (trail.account, region, time.strftime("%Y%m%dT%H%M", tm), uniq))


def write_gz(path, recs):
    data = json.dumps({"Records": recs}, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    gz = gzip.compress(data, compresslevel=6, mtime=0)
    with open(path, "wb") as f:
        f.write(gz)
    return len(data), len(gz)


TRAIL = "management-events"
HOME_REGION = "us-east-1"


def digest_time(region, hour0, trail=DEFAULT_TRAIL):
    """Name (end) time of the digest of the hour starting at hour0: 1-3 minutes after the hour."""
    r = random.Random("digest/%s/%d" % (trail.key(region), hour0))
    return hour0 + 3600 + 60 + r.randrange(0, 120)


def digest_key(region, t, trail=DEFAULT_TRAIL):
    tm = time.gmtime(t)
    return "%s/CloudTrail-Digest/%s/%04d/%02d/%02d/%s_CloudTrail-Digest_%s_%s_%s_%sZ.json.gz" % (
        trail.base, region, tm.tm_year, tm.tm_mon, tm.tm_mday, trail.account, region, TRAIL, HOME_REGION,
        time.strftime("%Y%m%dT%H%M%S", tm))


def write_digests(outdir, region, day0, logs, trail=DEFAULT_TRAIL):
    """The 24 hourly digests of one region's day; logs: (name_t, key, sha256, oldest, newest)."""
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    for h in range(24):
        hour0 = day0 + h * 3600
        end = digest_time(region, hour0, trail)
        start = digest_time(region, hour0 - 3600, trail)
        files = [l for l in logs if hour0 <= l[0] < hour0 + 3600]
        d = {"awsAccountId": trail.account, "digestStartTime": iso(start), "digestEndTime": iso(end),
             "digestS3Bucket": "example-cloudtrail-bucket", "digestS3Object": digest_key(region, end, trail),
             "digestPublicKeyFingerprint": "0123456789abcdef0123456789abcdef",
             "digestSignatureAlgorithm": "SHA256withRSA"}
        if files:
            d["newestEventTime"] = iso(max(l[4] for l in files))
            d["oldestEventTime"] = iso(min(l[3] for l in files))
        else:
            d["newestEventTime"] = None
            d["oldestEventTime"] = None
        d["previousDigestS3Bucket"] = "example-cloudtrail-bucket"
        d["previousDigestS3Object"] = digest_key(region, start, trail)
        d["logFiles"] = [{"s3Bucket": "example-cloudtrail-bucket", "s3Object": l[1], "hashValue": l[2],
                          "hashAlgorithm": "SHA-256", "newestEventTime": iso(l[4]),
                          "oldestEventTime": iso(l[3])} for l in files]
        path = os.path.join(outdir, digest_key(region, end, trail))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = json.dumps(d, separators=(",", ":")).encode("utf-8")
        with open(path, "wb") as f:
            f.write(gzip.compress(data, compresslevel=6, mtime=0))


def name_times(region, day0, files_per_day, trail=DEFAULT_TRAIL):
    """File-name times of one region's day: one every 24h/files_per_day, at :05 plus 0-4 min jitter."""
    r = random.Random("names/%s/%d" % (trail.key(region), day0))
    step = 86400 // files_per_day
    out = []
    for k in range(files_per_day):
        out.append(day0 + k * step + 300 + 60 * r.randrange(0, 5))
    return out


# --------------------------------------------------------------------------------------------
# Needles: values planted in exactly one record of the whole mirror, so that a search over the
# archive has a known answer.  No other code path can produce them: the access key has a '9'
# (generated keys are base32: A-Z, 2-7), the address ends in .255 (generated ones end in 1-254),
# the user name has digits (generated ones have none).

NEEDLE_KINDS = ["accessKeyId", "sourceIPAddress", "userName"]


def needle_eligible(kind, rec):
    ui = rec.get("userIdentity") or {}
    if kind == "accessKeyId":
        return "accessKeyId" in ui
    if kind == "sourceIPAddress":
        return ui.get("type") != "AWSService"
    return ui.get("type") == "IAMUser" and "userName" in ui


def plant_needle(kind, value, rec):
    if kind == "sourceIPAddress":
        rec["sourceIPAddress"] = value
        return
    ui = dict(rec.get("userIdentity") or {})  # identities are shared by a session's records: copy
    if kind == "accessKeyId":
        ui["accessKeyId"] = value
    else:
        ui["userName"] = value
        ui["arn"] = "arn:aws:iam::%s:user/%s" % (ui.get("accountId", ACCOUNT), value)
    rec["userIdentity"] = ui


def choose_needles(org, accounts, regions, days, files_per_day):
    """Three needles, each in its own (account, region, day); never in a held-back day."""
    r = random.Random("needles/%s" % org)
    tag = "".join(r.choice(UPPER_DIGITS) for _ in range(15))
    values = {"accessKeyId": "AKIA" + tag + "9",
              "sourceIPAddress": "198.18.%d.255" % r.randrange(256),
              "userName": "needle.user%04d" % r.randrange(10000)}
    out, used = [], set()
    for kind in NEEDLE_KINDS:
        while True:
            pos = (r.randrange(len(accounts)), r.randrange(len(regions)), r.randrange(days))
            if pos not in used:
                break
        used.add(pos)
        out.append({"kind": kind, "value": values[kind], "account": accounts[pos[0]],
                    "region": regions[pos[1]], "day": pos[2], "file": r.randrange(files_per_day),
                    "record": r.randrange(1000)})
    return out


def gen_partition(task):
    """Generate the files of one (account, region, day); return stats."""
    outdir, region, day0, files_per_day, records, ridx, digests = task[:7]
    trail, needles = (task[7], task[8]) if len(task) > 7 else (DEFAULT_TRAIL, [])
    logs = []
    names = name_times(region, day0, files_per_day, trail)
    prev_names = name_times(region, day0 - 86400, files_per_day, trail)
    seed = ("records/%s/%d" % (trail.key(region), day0))
    g = Gen(seed, region, trail.account)
    r = g.r
    rweight = REGION_WEIGHT.get(region, 1.0) / (sum(REGION_WEIGHT.values()) / len(REGION_WEIGHT))
    stats = {"files": 0, "records": 0, "json_bytes": 0, "gz_bytes": 0, "min_t": None, "max_t": None,
             "max_name_t": 0, "day_files": {}, "day_records": {}, "needles": []}
    pending = list(needles)
    step = 86400 // files_per_day
    for k, nt in enumerate(names):
        prev = names[k - 1] if k else prev_names[-1]
        hour = time.gmtime(nt - 1800).tm_hour
        n = max(1, int(round(records * rweight * DIURNAL[hour] * (0.85 + 0.3 * r.random()))))
        # events happened between the previous file's name time and 1 minute before this one
        lo, hi = prev, nt - 60
        ts = [r.randint(lo, hi) for _ in range(n)]
        # ~0.1% delivered late: 2-20 hours before the name time
        for j in range(n):
            if r.random() < 0.001:
                ts[j] = nt - r.randint(2 * 3600, 20 * 3600)
        ts.sort()
        # records in a file are in no particular order: mostly ordered, some local disorder
        for j in range(0, n - 1, 7):
            if r.random() < 0.5:
                ts[j], ts[j + 1] = ts[j + 1], ts[j]
        recs = [g.record(t) for t in ts]
        path = file_path(outdir, region, nt, unique16(r), trail)
        planted = []
        for nd in list(pending):
            if k < nd["file"]:
                continue
            last = k == len(names) - 1
            for o in range(n):
                j = (nd["record"] + o) % n
                if needle_eligible(nd["kind"], recs[j]) or (last and o == n - 1):
                    plant_needle(nd["kind"], nd["value"], recs[j])
                    planted.append({"kind": nd["kind"], "value": nd["value"], "log_file": os.path.relpath(path, outdir),
                                    "record": j, "eventTime": recs[j]["eventTime"], "eventID": recs[j]["eventID"]})
                    pending.remove(nd)
                    break
        stats["needles"].extend(planted)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        jb, gb = write_gz(path, recs)
        if digests:
            with open(path, "rb") as f:
                sha = __import__("hashlib").sha256(f.read()).hexdigest()
            logs.append((nt, os.path.relpath(path, outdir), sha, min(ts), max(ts)))
        stats["files"] += 1
        stats["records"] += n
        stats["json_bytes"] += jb
        stats["gz_bytes"] += gb
        mn, mx = min(ts), max(ts)
        stats["min_t"] = mn if stats["min_t"] is None else min(stats["min_t"], mn)
        stats["max_t"] = mx if stats["max_t"] is None else max(stats["max_t"], mx)
        stats["max_name_t"] = max(stats["max_name_t"], nt)
        # per UTC day of event time: the files holding a record of it, and its records
        days = {}
        for t in ts:
            dd = time.strftime("%Y-%m-%d", time.gmtime(t))
            days[dd] = days.get(dd, 0) + 1
        for dd, c in days.items():
            stats["day_files"][dd] = stats["day_files"].get(dd, 0) + 1
            stats["day_records"][dd] = stats["day_records"].get(dd, 0) + c
    if digests:
        write_digests(outdir, region, day0, logs, trail)
    return stats


def gen_one_file(outdir, mb, seed_region="us-east-1", day="2024-03-05"):
    """ONE big file of about `mb` MB of JSON (memory test)."""
    day0 = int(dt.datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc).timestamp())
    nt = day0 + 12 * 3600 + 300
    g = Gen("onefile/%s" % seed_region, seed_region)
    r = g.r
    path = file_path(outdir, seed_region, nt, unique16(r))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    target = mb * 1000 * 1000
    comp = __import__("zlib").compressobj(6, 8, 31)  # gzip wrapper; header mtime is 0
    n = jb = 0
    min_t = max_t = None
    with open(path, "wb") as f:
        f.write(comp.compress(b'{"Records":['))
        jb += 12
        first = True
        while jb < target:
            chunk = []
            ts = sorted(r.randint(nt - 12 * 3600, nt - 60) for _ in range(2000))
            for t in ts:
                chunk.append(json.dumps(g.record(t), separators=(",", ":"), ensure_ascii=False))
            s = ("" if first else ",") + ",".join(chunk)
            first = False
            b = s.encode("utf-8")
            f.write(comp.compress(b))
            jb += len(b)
            n += len(chunk)
            min_t = ts[0] if min_t is None else min(min_t, ts[0])
            max_t = ts[-1] if max_t is None else max(max_t, ts[-1])
        f.write(comp.compress(b"]}"))
        jb += 2
        f.write(comp.flush())
    return {"files": 1, "records": n, "json_bytes": jb, "gz_bytes": os.path.getsize(path),
            "min_t": min_t, "max_t": max_t, "max_name_t": nt, "file": os.path.relpath(path, outdir)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?", default="/srv/ct-bench")
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--regions", type=int, default=8, help="the first N of %d regions" % len(ALL_REGIONS))
    ap.add_argument("--files-per-day", type=int, default=24, help="per account and region")
    ap.add_argument("--records", type=int, default=400, help="mean records per file")
    ap.add_argument("--start", default="2024-03-01")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-digests", action="store_true", help="no CloudTrail-Digest files")
    ap.add_argument("--org", help="an organization trail: AWSLogs/o-ORG/ACCOUNT/... (o- and 10-32 of [a-z0-9])")
    ap.add_argument("--accounts", type=int, default=1,
                    help="number of accounts (12-digit ids, seeded); 1 without --org: 123456789012")
    ap.add_argument("--needles", action="store_true",
                    help="plant an accessKeyId, a sourceIPAddress and a userName, each in exactly one record "
                         "(listed in the manifest)")
    ap.add_argument("--hold-back-days", type=int, default=0,
                    help="write the last N of --days under OUTDIR/.held-back/ (hidden: not in the mirror), "
                         "to be moved in later as new days")
    ap.add_argument("--one-file-mb", type=int, default=0, help="write ONE file of about this many MB of JSON instead")
    a = ap.parse_args()
    if not (1 <= a.regions <= len(ALL_REGIONS)):
        ap.error("--regions must be 1..%d" % len(ALL_REGIONS))
    if a.org is not None and not re.fullmatch(r"o-[a-z0-9]{10,32}", a.org):
        ap.error("--org must be o- followed by 10-32 lower-case letters or digits")
    if a.accounts < 1:
        ap.error("--accounts must be at least 1")
    if not (0 <= a.hold_back_days < a.days):
        ap.error("--hold-back-days must be 0..days-1")
    os.umask(0o022)
    outdir = os.path.abspath(a.outdir)
    held_dir = os.path.join(outdir, ".held-back")
    os.makedirs(outdir, exist_ok=True)
    if os.path.isdir(os.path.join(outdir, "AWSLogs")):
        shutil.rmtree(os.path.join(outdir, "AWSLogs"))
    if os.path.isdir(held_dir):
        shutil.rmtree(held_dir)
    manifest_path = os.path.join(outdir, ".bench-manifest.json")
    if os.path.exists(manifest_path):
        os.remove(manifest_path)
    t0 = time.time()
    # the default shape (one account, no organization) is what it always was, manifest included
    legacy = a.org is None and a.accounts == 1 and not a.needles and not a.hold_back_days
    if a.one_file_mb:
        tot = gen_one_file(outdir, a.one_file_mb)
        params = {"one_file_mb": a.one_file_mb}
    else:
        day_start = int(dt.datetime.strptime(a.start, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc).timestamp())
        regions = ALL_REGIONS[:a.regions]
        if a.org is None and a.accounts == 1:
            accounts = [ACCOUNT]
        else:
            ra = random.Random("accounts/%s/%d" % (a.org, a.accounts))
            seen, accounts = set(), []
            while len(accounts) < a.accounts:
                x = "%012d" % ra.randrange(10 ** 11, 10 ** 12)
                if x not in seen:
                    seen.add(x)
                    accounts.append(x)
        live_days = a.days - a.hold_back_days
        needles = choose_needles(a.org, accounts, regions, live_days, a.files_per_day) if a.needles else []
        if legacy:
            tasks = [(outdir, reg, day_start + d * 86400, a.files_per_day, a.records, i, not a.no_digests)
                     for i, reg in enumerate(regions) for d in range(a.days)]
        else:
            tasks = [((outdir if d < live_days else held_dir), reg, day_start + d * 86400, a.files_per_day,
                      a.records, i, not a.no_digests, Trail(acct, a.org),
                      [n for n in needles if (n["account"], n["region"], n["day"]) == (acct, reg, d)])
                     for acct in accounts for i, reg in enumerate(regions) for d in range(a.days)]
        if a.jobs > 1:
            with Pool(a.jobs) as pool:
                results = pool.map(gen_partition, tasks, chunksize=1 if len(tasks) < 1000 else 8)
        else:
            results = [gen_partition(t) for t in tasks]

        def total(rs):
            t = {"files": 0, "records": 0, "json_bytes": 0, "gz_bytes": 0}
            for s in rs:
                for k in t:
                    t[k] += s[k]
            t["min_t"] = min(s["min_t"] for s in rs)
            t["max_t"] = max(s["max_t"] for s in rs)
            t["max_name_t"] = max(s["max_name_t"] for s in rs)
            df, dr = {}, {}
            for s in rs:
                for dd, c in s["day_files"].items():
                    df[dd] = df.get(dd, 0) + c
                for dd, c in s["day_records"].items():
                    dr[dd] = dr.get(dd, 0) + c
            t["event_days"] = {dd: {"files": df[dd], "records": dr[dd]} for dd in sorted(df)}
            return t
        live = [s for t, s in zip(tasks, results) if t[0] == outdir]
        held = [s for t, s in zip(tasks, results) if t[0] != outdir]
        tot = total(live)
        params = {"days": a.days, "regions": a.regions, "files_per_day": a.files_per_day,
                  "records": a.records, "start": a.start, "digests": not a.no_digests}
        if not legacy:
            params.update({"org": a.org, "accounts": a.accounts, "needles": a.needles,
                           "hold_back_days": a.hold_back_days})
            tot["accounts"] = accounts
            tot["needles"] = [x for s in live for x in s["needles"]]
            if held:
                h = total(held)
                tot["held_back"] = {"dir": ".held-back", "days": [time.strftime("%Y-%m-%d", time.gmtime(day_start + d * 86400))
                                             for d in range(live_days, a.days)],
                                    "files": h["files"], "records": h["records"], "json_bytes": h["json_bytes"],
                                    "gz_bytes": h["gz_bytes"], "min_event_time": None, "max_event_time": None,
                                    "event_days": h["event_days"]}
                tot["held_back"]["min_event_time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(h["min_t"]))
                tot["held_back"]["max_event_time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(h["max_t"]))
    # world-readable for the database server's user
    for d, _, fs in os.walk(outdir):
        os.chmod(d, 0o755)
        for f in fs:
            os.chmod(os.path.join(d, f), 0o644)
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    with open(os.path.abspath(__file__), "rb") as f:
        gen_sha = __import__("hashlib").sha256(f.read()).hexdigest()[:16]
    manifest = {"generator": "bench/gen_mirror.py", "generator_sha256": gen_sha, "argv": " ".join(x for x in sys.argv[1:] if x != a.outdir),
                "params": params,
                "files": tot["files"], "records": tot["records"], "json_bytes": tot["json_bytes"],
                "gz_bytes": tot["gz_bytes"], "min_event_time": iso(tot["min_t"]),
                "max_event_time": iso(tot["max_t"]), "max_delivery_time": iso(tot["max_name_t"]),
                "seconds": round(time.time() - t0, 1)}
    if "file" in tot:
        manifest["file"] = tot["file"]
    if not legacy and not a.one_file_mb:
        for k in ("accounts", "needles", "event_days", "held_back"):
            if k in tot:
                manifest[k] = tot[k]
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
    os.chmod(manifest_path, 0o644)
    if legacy or a.one_file_mb:
        print(json.dumps(manifest))
    else:
        print(json.dumps({k: v for k, v in manifest.items() if k not in ("event_days", "accounts")}))


if __name__ == "__main__":
    main()
