#!/bin/sh
# End-to-end timings of the raw-check query classes of issue 14 against
# count(*) of the same run, in one throwaway cluster (pg_virtualenv).
#   bench/rawcheck_e2e.sh MIRROR [ROUNDS]
# Prints, per query, the median seconds over ROUNDS (default 5; queries
# interleaved) and the ratio to the median of SELECT count(*).
set -e
MIRROR=${1:?mirror}
ROUNDS=${2:-5}
Q=$(mktemp)
IAM17="'CreateUser','CreateLoginProfile','UpdateLoginProfile','AttachUserPolicy','AttachRolePolicy','AttachGroupPolicy','PutUserPolicy','PutGroupPolicy','AddUserToGroup','CreatePolicyVersion','SetDefaultPolicyVersion','UpdateAssumeRolePolicy','CreateRole','DeleteTrail','StopLogging','UpdateTrail','PutEventSelectors'"
N200=$(python3 -c "
v=['Create','Delete','Update','Put','Attach','Detach','Enable','Disable','Modify','Reset']
n=['User','Group','LoginProfile','Trail','Policy','PolicyVersion','VirtualMFADevice','SAMLProvider','OpenIDConnectProvider','ServiceLinkedRole','AccountAlias','InstanceProfile','SigningCertificate','SSHPublicKey','ServerCertificate','DetectorMember','FlowLogs','VpcPeeringConnection','KeyPair','NetworkAcl']
print(','.join(\"'%s%s'\" % (v[i%10], n[i//10]) for i in range(200)))")
cat > $Q <<SQL
count	SELECT count(*) FROM cloudtrail_logs
akid	SELECT count(*) FROM cloudtrail_logs WHERE useridentity->>'accessKeyId' = 'AKIAIOSFODNN7EXAMPLE'
ip	SELECT count(*) FROM cloudtrail_logs WHERE sourceipaddress = '192.0.2.99'
one	SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'DeleteTrail'
in17	SELECT count(*) FROM cloudtrail_logs WHERE eventname IN ($IAM17)
in200	SELECT count(*) FROM cloudtrail_logs WHERE eventname IN ($N200)
rp_like	SELECT count(*) FROM cloudtrail_logs WHERE requestparameters::text LIKE '%no-such-bucket%'
uid_ilike	SELECT count(*) FROM cloudtrail_logs WHERE useridentity::text ILIKE '%no-such-user%'
arn_re	SELECT count(*) FROM cloudtrail_logs WHERE useridentity->>'arn' ~ '.+:assumed-role/aws:.+'
arn_like	SELECT count(*) FROM cloudtrail_logs WHERE useridentity->>'arn' LIKE 'arn:aws:iam::%:root'
arn_similar	SELECT count(*) FROM cloudtrail_logs WHERE useridentity->>'arn' SIMILAR TO '%:user/no-such-user'
SQL
export Q MIRROR ROUNDS
pg_virtualenv -t -o shared_buffers=1GB -o work_mem=64MB sh -c '
psql -qX -c "CREATE EXTENSION cloudtrail_fdw" -c "CREATE SERVER b FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '"'"'$MIRROR'"'"')" -c "IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER b INTO public" >/dev/null
T=$(mktemp)
# one warm-up round, then ROUNDS timed ones
for r in $(seq 0 $ROUNDS); do
  while IFS="	" read -r id sql; do
    s=$(date +%s.%N); n=$(psql -qXAt -c "$sql"); e=$(date +%s.%N)
    [ $r -gt 0 ] && echo "$id $(awk "BEGIN{print $e - $s}") $n" >> $T
  done < $Q
done
python3 - $T <<PY
import sys, statistics
rows = {}
order = []
for line in open(sys.argv[1]):
    i, t, n = line.split()
    if i not in rows: order.append(i)
    rows.setdefault(i, []).append((float(t), n))
base = statistics.median(t for t, _ in rows["count"])
for i in order:
    m = statistics.median(t for t, _ in rows[i])
    print("%-10s rows=%-8s median %.3f s  %.2fx count(*)" % (i, rows[i][0][1], m, m / base))
PY
'
rm -f $Q
