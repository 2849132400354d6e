# Shards: the main fixture mirror split by account over three shard
# clusters (tools/shard-split), and a coordinator whose cloudtrail_logs is a
# partitioned table of postgres_fdw foreign tables over them
# (cloudtrail_fdw.create_sharded_table).  Every query of the regression suite
# over cloudtrail_logs gives on the coordinator what a single node over the
# whole mirror gives; a down shard is an error naming it; a cancel on the
# coordinator cancels the shards' scans.
use strict;
use warnings;
use File::Find;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = $ENV{CT_FIXTURES} // '/tmp/cloudtrail_fdw_fixtures';
my $main = "$fixtures/main";
plan skip_all => "fixtures not generated ($main)" unless -d $main;

# --- the shards -------------------------------------------------------------
my $work = PostgreSQL::Test::Utils::tempdir();
my $split = `python3 tools/shard-split 3 $main $work`;
is($?, 0, 'shard-split ran');
is($split, "1\t111122223333\n2\t222233334444\n3\t444455556666\n1\t777788889999\n",
	'accounts round-robin in account order (prefix and organization accounts too)');
my %accounts;
for (split /\n/, $split)
{
	my ($k, $acct) = split /\t/;
	push @{ $accounts{"shard_$k"} }, $acct;
}
is(`find $work -type l | wc -l` + 0, 0, 'no symbolic link in a shard root');
is(`find $work -name '*.json.gz' -path '*/CloudTrail/*' | wc -l` + 0,
	`find $main -name '*.json.gz' -path '*/CloudTrail/*' | wc -l` + 0,
	'every event file is in one shard');

my @shards;
for my $k (1 .. 3)
{
	my $node = PostgreSQL::Test::Cluster->new("shard_$k");
	$node->init;
	$node->start;
	# statistics, for the estimates the coordinator asks for (use_remote_estimate)
	$node->safe_psql('postgres', qq{
		CREATE EXTENSION cloudtrail_fdw;
		CREATE SERVER trail FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '$work/shard_$k');
		IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER trail INTO public;
		SET cloudtrail_fdw.analyze_seed = 1;
		ANALYZE cloudtrail_logs;
	});
	push @shards, $node;
}

# --- the coordinator, which also holds the single node's table (schema single)
my $coord = PostgreSQL::Test::Cluster->new('coordinator');
$coord->init;
$coord->append_conf('postgresql.conf', "enable_partitionwise_aggregate = on\n");
$coord->start;
my $setup = qq{
	CREATE EXTENSION postgres_fdw;
	CREATE EXTENSION cloudtrail_fdw;
	CREATE SCHEMA single;
	CREATE SERVER whole FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '$main');
	IMPORT FOREIGN SCHEMA cloudtrail FROM SERVER whole INTO single;
};
for my $k (1 .. 3)
{
	my ($host, $port) = ($shards[ $k - 1 ]->host, $shards[ $k - 1 ]->port);
	$setup .= qq{
		CREATE SERVER shard_$k FOREIGN DATA WRAPPER postgres_fdw
		  OPTIONS (host '$host', port '$port', dbname 'postgres', fdw_tuple_cost '0.2');
		CREATE USER MAPPING FOR PUBLIC SERVER shard_$k;
	};
}
$coord->safe_psql('postgres', $setup);
my $shards_json = '{' . join(', ',
	map { qq{"$_": [} . join(', ', map { qq{"$_"} } @{ $accounts{$_} }) . ']' }
	  sort keys %accounts) . '}';
is($coord->safe_psql('postgres',
	"SELECT * FROM cloudtrail_fdw.create_sharded_table('public.cloudtrail_logs', '$shards_json')"),
	"cloudtrail_logs_shard_1|shard_1|{111122223333,777788889999}\n"
	  . "cloudtrail_logs_shard_2|shard_2|{222233334444}\n"
	  . "cloudtrail_logs_shard_3|shard_3|{444455556666}",
	'create_sharded_table made one partition per shard');
$coord->safe_psql('postgres',
	"SELECT cloudtrail_fdw.create_sharded_table('cloudtrail_insights', '$shards_json')");

# the coordinator's table has a single node's columns, NOT NULL included
my $columns = q{
	SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN '!' ELSE '' END,
	                  ', ' ORDER BY attnum)
	  FROM pg_attribute WHERE attrelid = '%s'::regclass AND attnum > 0 AND NOT attisdropped};
for my $t ('cloudtrail_logs', 'cloudtrail_insights')
{
	is($coord->safe_psql('postgres', sprintf($columns, "public.$t")),
		$coord->safe_psql('postgres', sprintf($columns, "single.$t")),
		"$t: the same columns as IMPORT FOREIGN SCHEMA's");
}

# the helper's errors
sub psql_error
{
	my ($sql) = @_;
	my ($ret, $out, $err) = $coord->psql('postgres', $sql);
	$err =~ s/^psql:[^\n]*?(ERROR|DETAIL|HINT):/$1:/mg;
	return $err;
}
like(psql_error(q{SELECT cloudtrail_fdw.create_sharded_table('x', '{"shard_1": ["1"], "shard_2": ["1"]}')}),
	qr/^ERROR:  "1" is listed for two shards, "shard_1" and "shard_2"$/m, 'a key value on two shards');
like(psql_error(q{SELECT cloudtrail_fdw.create_sharded_table('x', '["shard_1"]')}),
	qr/^ERROR:  shards must be a JSON object of server names and arrays of strings$/m, 'shards not an object');
like(psql_error(q{SELECT cloudtrail_fdw.create_sharded_table('x', '{"whole": ["1"]}')}),
	qr/^ERROR:  server "whole" is not a postgres_fdw server$/m, 'a server that is not postgres_fdw\'s');
like(psql_error(q{SELECT cloudtrail_fdw.create_sharded_table('x', '{"shard_1": ["1"]}', 'nope', remote_table => 'cloudtrail_logs')}),
	qr/^ERROR:  shard "shard_1" has no column "nope" to partition by$/m, 'a partition key that is no column');
like(psql_error(q{SELECT cloudtrail_fdw.create_sharded_table('x', '{"shard_1": ["1"]}', remote_table => 'nope')}),
	qr/^ERROR:  shard "shard_1" has no table public.nope$/m, 'a shard without the table');
$shards[0]->safe_psql('postgres',
	'CREATE FOREIGN TABLE narrow (eventname text) SERVER trail');
like(psql_error(q{CREATE TABLE p (eventname text, account_id text) PARTITION BY LIST (account_id);
	SELECT cloudtrail_fdw.attach_shard('p', 'shard_1', '{1}', remote_table => 'narrow')}),
	qr/^ERROR:  shard "shard_1" has other columns than p\nDETAIL:  The shard's public.narrow has \(eventname text\); the coordinator's table has \(eventname text, account_id text\)\.$/m,
	'a shard whose table has other columns');
is($coord->safe_psql('postgres',
	q{SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'cloudtrail_fdw_import_%'}), '0',
	'no scratch schema is left');

# --- the regression suite's queries -----------------------------------------
# Every SELECT of sql/*.sql over cloudtrail_logs alone (statements, and the
# $$-quoted queries handed to the suite's comparison functions), left out
# only where it reads another table or a psql variable, or is an EXPLAIN.
sub statements
{
	my ($text) = @_;
	my @out;
	my $cur = '';
	while (length $text)
	{
		if ($text =~ s/^(\$\$.*?\$\$)//s)
		{
			my $quoted = $1;
			$cur .= $quoted;
			push @out, substr($quoted, 2, -2);
		}
		elsif ($text =~ s/^('(?:[^']|'')*')//s) { $cur .= $1; }
		elsif ($text =~ s/^(--[^\n]*)//) { }
		elsif ($text =~ s/^\n(\\[^\n]*)//) { $cur .= "\n"; }
		elsif ($text =~ s/^;//) { push @out, $cur; $cur = ''; }
		else { $text =~ s/^(.)//s; $cur .= $1; }
	}
	return @out;
}

my (%seen, @queries);
for my $file (sort glob('sql/*.sql'))
{
	next if $file =~ m{/(setup|upgrade)\.sql$};
	my $text = "\n" . slurp_file($file);
	for my $q (statements($text))
	{
		$q =~ s/^\s+|\s+$//g;
		next unless $q =~ /^(SELECT|WITH)\b/i && $q =~ /\bcloudtrail_logs\b/;
		my @rels = $q =~ /\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_.]*)(?!\s*\()/gi;
		next if grep { lc($_) ne 'cloudtrail_logs' && lc($_) ne 'lateral' } @rels;
		next if $q =~ /\bEXPLAIN\b|cloudtrail_fdw\.|\bpg_|(?<!:):['"A-Za-z]|\bsuite_queries\b|\btwo_ways\b|\bboth_ways\b|\bscan_counts\b|\bexplain_|\bset_config\b|\bcurrent_setting\b/i;
		# a call of the suite's own comparison functions: its queries are taken alone
		next if $q =~ /\$\$/;
		next if $seen{$q}++;
		push @queries, $q;
	}
}
cmp_ok(scalar(@queries), '>=', 150, 'the suite has ' . scalar(@queries) . ' queries over cloudtrail_logs');

# what a query gives: its rows (sorted unless the query orders them), or its error
sub answer
{
	my ($schema, $q) = @_;
	my ($ret, $out, $err) = $coord->psql('postgres',
		"SET timezone = 'UTC'; SET datestyle = 'ISO, YMD'; SET search_path = $schema; $q");
	if ($ret != 0)
	{
		my ($msg) = $err =~ /(ERROR:[^\n]*)/;
		return 'error: ' . ($msg // $err);
	}
	return $out if $q =~ /\bORDER\s+BY\b[^()]*$/i;
	return join("\n", sort split /\n/, $out);
}

my ($same, $errors, @differ) = (0, 0);
for my $q (@queries)
{
	my $want = answer('single, public', $q);
	my $got = answer('public', $q);
	if ($got eq $want)
	{
		$same++;
		if ($want =~ /^error: /) { $errors++; note("both fail: $q\n$want"); }
	}
	else { push @differ, "$q\n-- single node:\n$want\n-- coordinator:\n$got"; }
}
is($same, scalar(@queries), "the coordinator gives a single node's answer to all $same queries ($errors of them an error)")
  or diag(join("\n\n", @differ[ 0 .. ($#differ < 4 ? $#differ : 4) ]));

# --- what is pushed, and pruned ---------------------------------------------
sub plan_of
{
	return $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $_[0]");
}
my $p = plan_of(q{SELECT eventid FROM cloudtrail_logs WHERE account_id = '444455556666'});
like($p, qr/Foreign Scan on public\.cloudtrail_logs_shard_3/, 'one account: its shard is scanned');
unlike($p, qr/shard_[12]/, 'one account: the other shards are pruned');
like($p, qr/Remote SQL: SELECT eventid FROM public\.cloudtrail_logs WHERE \(\(account_id = '444455556666'\)\)/,
	'one account: the condition goes to the shard, to prune its folders');
$p = plan_of(q{SELECT eventtime FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND eventtime > now() - interval '7 days'});
like($p, qr/Filter: \(cloudtrail_logs(_\d)?\.eventtime > \(now\(\) - '7 days'::interval\)\)/,
	'now() stays on the coordinator');
like($p, qr/Remote SQL: SELECT eventtime FROM public\.cloudtrail_logs WHERE \(\(eventname = 'ConsoleLogin'\)\)$/m,
	'and only the immutable condition is sent');
$p = plan_of(q{SELECT eventtime FROM cloudtrail_logs WHERE eventname = 'ConsoleLogin' AND eventtime > (SELECT now() - interval '7 days')});
like($p, qr/Remote SQL: SELECT eventtime FROM public\.cloudtrail_logs WHERE \(\(eventtime > \$1::timestamp with time zone\)\) AND \(\(eventname = 'ConsoleLogin'\)\)/,
	'(SELECT now() - ...) is sent as a parameter');
$p = plan_of(q{SELECT account_id, eventname, count(*) FROM cloudtrail_logs GROUP BY account_id, eventname});
is(scalar(() = $p =~ /Relations: Aggregate on/g), 3,
	'GROUP BY account_id, eventname: each shard aggregates (partitionwise)');
$p = plan_of(q{SELECT eventtime FROM cloudtrail_logs ORDER BY eventtime DESC LIMIT 10});
like($p, qr/Merge Append/, 'ORDER BY eventtime DESC LIMIT n: a Merge Append');
is(scalar(() = $p =~ /ORDER BY eventtime DESC NULLS FIRST/g), 3,
	'of the shards\' sorted scans');

# the coordinator's estimate is the shard's own (use_remote_estimate): its
# pruning and statistics, not a default
my $cond = q{FROM cloudtrail_logs WHERE account_id = '444455556666' AND eventname = 'ConsoleLogin'};
my ($coord_rows) = $coord->safe_psql('postgres', "EXPLAIN SELECT eventtime, eventname $cond") =~ /rows=(\d+)/;
my ($shard_rows) = $shards[2]->safe_psql('postgres', "EXPLAIN SELECT eventtime, eventname $cond") =~ /rows=(\d+)/;
my ($all_rows) = $shards[2]->safe_psql('postgres', 'EXPLAIN SELECT eventtime FROM cloudtrail_logs') =~ /rows=(\d+)/;
is($coord_rows, $shard_rows, "the coordinator estimates the shard's $shard_rows rows");
cmp_ok($shard_rows, '<', $all_rows / 4, "of its $all_rows (the condition counts)");

# --- a shard that is down -----------------------------------------------------
$shards[1]->stop;
like(psql_error('SELECT count(*) FROM cloudtrail_logs'),
	qr/^ERROR:  could not connect to server "shard_2"$/m,
	'a query that needs a down shard is an error naming it');
is($coord->safe_psql('postgres', q{SELECT count(*) FROM cloudtrail_logs WHERE account_id = '444455556666'}),
	$coord->safe_psql('postgres', q{SELECT count(*) FROM single.cloudtrail_logs WHERE account_id = '444455556666'}),
	'a query pruned to the other shards still runs');
$shards[1]->start;

# --- a cancel on the coordinator cancels the shards' scans ------------------
# One file per shard that takes long to read: a Records array of 6 GB of
# blanks, a few MB of gzip members.
my $slow = "$work/slow.json.gz";
system('python3', '-c', q{
import sys, zlib
blank = zlib.compressobj(9, zlib.DEFLATED, 31)
member = blank.compress(b' ' * (64 << 20)) + blank.flush()
one = lambda b: (lambda c: c.compress(b) + c.flush())(zlib.compressobj(1, zlib.DEFLATED, 31))
with open(sys.argv[1], 'wb') as f:
    f.write(one(b'{"Records":['))
    for _ in range(96):
        f.write(member)
    f.write(one(b']}'))
}, $slow) == 0 or die "python3 failed";
for my $k (1 .. 3)
{
	my $acct = $accounts{"shard_$k"}[0];
	my $dir;
	find(sub { $dir //= $File::Find::name if $_ eq $acct && -d $_ }, "$work/shard_$k");
	my $day = "$dir/CloudTrail/us-east-1/2018/11/16";
	system('mkdir', '-p', $day) == 0 or die;
	link($slow, "$day/${acct}_CloudTrail_us-east-1_20181116T0000Z_slowslowslowslo1.json.gz") or die "link: $!";
}
my @log_offsets = map { -s $_->logfile } @shards;
my $bg = $coord->background_psql('postgres', on_error_stop => 0);
$bg->query_safe("SET application_name = 'canceller_target'");
# (partitionwise, the count would be partial counts above each foreign scan,
# which are then not run asynchronously: one shard after the other)
$bg->query_safe("SET enable_partitionwise_aggregate = off");
$bg->query_until(qr/started/, "\\echo started\nSELECT count(*) FROM cloudtrail_logs;\n");
for my $k (1 .. 3)
{
	ok($shards[ $k - 1 ]->poll_query_until('postgres', q{
		SELECT count(*) = 1 FROM pg_stat_activity
		 WHERE application_name = 'postgres_fdw' AND state = 'active' AND query LIKE 'FETCH%'}),
		"shard_$k is scanning");
}
my $cancelled_at = time();
$coord->safe_psql('postgres',
	q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'canceller_target'});
for my $k (1 .. 3)
{
	my $shard = $shards[ $k - 1 ];
	ok($shard->poll_query_until('postgres', q{
		SELECT count(*) = 0 FROM pg_stat_activity
		 WHERE application_name = 'postgres_fdw' AND state = 'active'}),
		"shard_$k stopped scanning");
	# reading the file takes 15 s or more (three at once on two cores, 30 s);
	# a scan that ignored the cancel until the file's end would take that
	my $after = time() - $cancelled_at;
	cmp_ok($after, '<', 10, "shard_$k stopped within 10 s of the cancel ($after s)");
	my $log = substr(slurp_file($shard->logfile), $log_offsets[ $k - 1 ]);
	like($log, qr/ERROR:  canceling statement due to user request\n(.*\n)*?.*STATEMENT:  FETCH/,
		"shard_$k: its scan was cancelled, not finished");
}
my $out = $bg->query('SELECT 1');
like($bg->{stderr}, qr/canceling statement due to user request/, 'the coordinator\'s query was cancelled');
$bg->quit;

$_->stop for @shards;
$coord->stop;
done_testing();
