#!/usr/bin/env python3
"""What each group of indexed values costs in the index's filters, and what other candidates would.

    bench/filter_values.py NAME=DIR [NAME=DIR ...] [--sample N]

For every mirror (or folder of CloudTrail files, .json or .json.gz, searched recursively), takes N
event files spread evenly over its sorted list and counts, per file, the distinct values of each
group as fdw/ct_index.c keys them (first key in lower case, the others as written; a value that is
not a string counts once per key), then prints the filter bytes a file at 10 bits a value: for the
groups the index holds and for candidates it leaves out. The per-folder filter adds about as much
again for values that differ from file to file of a folder.
"""
import gzip
import json
import os
import sys

INDEXED = {
    "eventName, eventSource, errorCode": lambda r: top(r, ["eventName", "eventSource", "errorCode"]),
    "sourceIPAddress": lambda r: top(r, ["sourceIPAddress"]),
    "recipientAccountId": lambda r: top(r, ["recipientAccountId"]),
    "userIdentity (accessKeyId, arn, userName, principalId, accountId)":
        lambda r: sub(r, "userIdentity", ["accessKeyId", "arn", "userName", "principalId", "accountId"]),
    "sessionIssuer (arn, userName)": lambda r: issuer(r),
    "requestParameters (every top-level key)": lambda r: reqparams(r),
}
CANDIDATES = {
    "eventID (unique per record)": lambda r: top(r, ["eventID"]),
    "requestID": lambda r: top(r, ["requestID"]),
    "userAgent": lambda r: top(r, ["userAgent"]),
    "resources[].ARN": lambda r: [("resources.ARN", x.get("ARN")) for x in (r.get("resources") or [])
                                  if isinstance(x, dict) and isinstance(x.get("ARN"), str)],
    "responseElements (every top-level key)": lambda r: objkeys(r, "responseElements"),
}


def val(v):
    return v if isinstance(v, str) else "\0nonstring"


def top(r, keys):
    return [(k.lower(), val(r[k])) for k in keys if k in r and r[k] is not None]


def sub(r, obj, keys):
    o = r.get(obj)
    if not isinstance(o, dict):
        return []
    return [(obj.lower() + "." + k, val(o[k])) for k in keys if k in o and o[k] is not None]


def issuer(r):
    o = ((r.get("userIdentity") or {}).get("sessionContext") or {}).get("sessionIssuer")
    if not isinstance(o, dict):
        return []
    return [("issuer." + k, val(o[k])) for k in ("arn", "userName") if k in o and o[k] is not None]


def objkeys(r, obj):
    o = r.get(obj)
    if not isinstance(o, dict):
        return []
    return [(obj.lower() + "." + k, val(v)) for k, v in o.items() if v is not None]


def reqparams(r):
    return objkeys(r, "requestParameters")


def records(path):
    data = open(path, "rb").read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    doc = json.loads(data)
    if isinstance(doc, dict):
        return doc.get("Records") or []
    return doc if isinstance(doc, list) else []


def files_of(d):
    out = []
    for base, _dirs, names in os.walk(d):
        for n in names:
            if (n.endswith(".json.gz") or n.endswith(".json")) and "CloudTrail-Digest" not in n \
                    and "-Digest" not in base and not n.startswith("."):
                out.append(os.path.join(base, n))
    return sorted(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = 500
    if "--sample" in sys.argv:
        n = int(sys.argv[sys.argv.index("--sample") + 1])
        args = [a for a in args if a != str(n)]
    groups = {**INDEXED, **CANDIDATES}
    print("| values | " + " | ".join(a.split("=", 1)[0] for a in args) + " |")
    print("|---|" + "---|" * len(args))
    res = {g: [] for g in groups}
    recs = []
    for a in args:
        _name, d = a.split("=", 1)
        fs = files_of(d)
        step = max(1, len(fs) // n)
        sample = fs[::step][:n]
        per = {g: 0 for g in groups}
        nrec = 0
        for f in sample:
            try:
                rs = records(f)
            except Exception:
                continue
            nrec += len(rs)
            for g, fn in groups.items():
                s = set()
                for r in rs:
                    if isinstance(r, dict):
                        s.update(fn(r))
                per[g] += len(s)
        k = max(1, len(sample))
        for g in groups:
            res[g].append(per[g] / k)
        recs.append((len(sample), nrec / k))
    print("| (files sampled, records a file) | " + " | ".join(f"{f}, {r:.1f}" for f, r in recs) + " |")
    for title, gs in (("indexed", INDEXED), ("not indexed", CANDIDATES)):
        tot = [0.0] * len(args)
        for g in gs:
            print(f"| {title}: {g} | " + " | ".join(f"{v:.1f} values, {v * 10 / 8:.1f} B" for v in res[g]) + " |")
            tot = [t + v for t, v in zip(tot, res[g])]
        print(f"| **{title}, all** | " + " | ".join(f"**{v:.1f} values, {v * 10 / 8:.1f} B**" for v in tot) + " |")


if __name__ == "__main__":
    main()
