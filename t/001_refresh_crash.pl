# A backend killed in the middle of refresh_index(): the index it leaves is
# the last complete one it wrote, queries through it are still right, and
# the next refresh finishes the work and removes what the dead one left.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = $ENV{CT_FIXTURES} // '/tmp/cloudtrail_fdw_fixtures';
my $many = "$fixtures/many";
plan skip_all => "fixtures not generated ($many)" unless -d $many;

# A copy of the 10-folder mirror, with a big file in its sixth folder: the
# refresh spends a second or more there, after writing the first five.
my $root = PostgreSQL::Test::Utils::tempdir();
system('cp', '-R', "$many/AWSLogs", "$root/") == 0 or die "cp failed";
my $big = "$root/AWSLogs/555555555555/CloudTrail/us-east-1/2022/03/06/"
  . "555555555555_CloudTrail_us-east-1_20220306T2359Z_bigbigbigbigbig1.json.gz";
system('python3', '-c', q{
import gzip, sys
recs = ','.join('{"eventVersion":"1.08","eventTime":"2022-03-06T12:00:00Z","eventName":"Big","eventID":"big-%d"}' % i
                for i in range(1000000))
open(sys.argv[1], 'wb').write(gzip.compress(('{"Records":[' + recs + ']}').encode(), 1, mtime=0))
}, $big) == 0 or die "python3 failed";

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', "max_parallel_maintenance_workers = 0\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION cloudtrail_fdw;
	CREATE SERVER many FOREIGN DATA WRAPPER cloudtrail_fdw OPTIONS (root '$root');
	CREATE FOREIGN TABLE logs (eventid text, eventname text, eventtime timestamptz) SERVER many;
});
my $truth = $node->safe_psql('postgres',
	"SET cloudtrail_fdw.enable_index = off; SELECT count(*), count(DISTINCT eventid) FROM logs");

# a refresh that writes a complete index after every folder, killed once
# it has written some
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_safe("SET application_name = 'refresher'");
$bg->query_safe("SET cloudtrail_fdw.refresh_checkpoint_interval = 0");
$bg->query_until(qr/started/, "\\echo started\nSELECT * FROM cloudtrail_fdw.refresh_index('logs');\n");
my $seen = $node->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	 WHERE application_name = 'refresher' AND query ~ 'refresh_index: 5 of 10 folders'});
ok($seen, 'the refresh showed its progress: 5 of 10 folders');
my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE application_name = 'refresher'");
kill 'KILL', $pid;
eval { $bg->quit; };		# its server process is gone
$node->poll_query_until('postgres', 'SELECT true') or die "server did not come back";

# what the dead refresh finished is there, and answers are those without it
my ($folders, $files) = split /\|/, $node->safe_psql('postgres',
	"SELECT folders, files FROM cloudtrail_fdw.index_info('logs')");
is($folders, 5, 'the index the dead refresh wrote last, of 5 folders, was kept');
is($node->safe_psql('postgres', "SELECT count(*), count(DISTINCT eventid) FROM logs"),
	$truth, 'a query through the partial index gives the answer without it');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM logs WHERE eventtime >= '2022-03-05' AND eventtime < '2022-03-06'}),
	$node->safe_psql('postgres', q{SET cloudtrail_fdw.enable_index = off;
	SELECT count(*) FROM logs WHERE eventtime >= '2022-03-05' AND eventtime < '2022-03-06'}),
	'a pruned query too');

# the next refresh reads only what the dead one had not, and cleans up
my $datadir = $node->data_dir;
my @left = glob("$datadir/pg_cloudtrail_fdw/*.idx.*");
my $r = $node->safe_psql('postgres',
	"SELECT folders_added, files_added FROM cloudtrail_fdw.refresh_index('logs')");
my ($added_folders) = split /\|/, $r;
is($added_folders, 10 - $folders, 'the next refresh adds the folders left');
is(scalar(glob("$datadir/pg_cloudtrail_fdw/*.idx.*")), undef,
	'no temporary or part file is left (there were ' . scalar(@left) . ')');
is($node->safe_psql('postgres', "SELECT folders, files FROM cloudtrail_fdw.index_info('logs')"),
	'10|10001', 'the index is complete');
is($node->safe_psql('postgres', "SELECT count(*), count(DISTINCT eventid) FROM logs"),
	$truth, 'and gives the same answer');

$node->stop;
done_testing();
