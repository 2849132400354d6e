/*
 * rawcheck_bench.c
 *		Microbenchmark of the raw-bytes record check (fdw/ct_rawcheck.c) over
 *		real records: the files given are split by fdw/ct_stream.c, as the
 *		scan splits them, and every check runs over all their records.
 *
 *	bench/rawcheck_bench [-r ROUNDS] FILE.json.gz...
 *
 * Prints, per check, the median over the rounds of nanoseconds per record
 * and its ratio to indexing the record (ct_json_index_record, which every
 * record a count(*) reads pays), and how many records it kept.  The value
 * lists: 1, 17 and 200 event names none of which the benchmark mirror holds
 * (gen_mirror.py), so every record is searched to its end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ct_json.h"
#include "ct_rawcheck.h"
#include "ct_stream.h"

static char *recs;				/* every record, one after another */
static size_t *offs;			/* record i is recs[offs[i], offs[i + 1]) */
static size_t nrecs;

static long
read_fd(void *arg, void *buf, size_t len)
{
	return read(*(int *) arg, buf, len);
}

static void
load(const char *path)
{
	static size_t cap,
				used,
				ocap;
	int			fd = open(path, O_RDONLY);
	CtStream   *s;
	const char *p;
	size_t		len;
	CtError		err;

	if (fd < 0)
	{
		perror(path);
		exit(1);
	}
	s = ct_stream_open(read_fd, &fd, strstr(path, ".gz") != NULL, NULL);
	memset(&err, 0, sizeof(err));
	while (ct_stream_next(s, &p, &len, &err) == CT_STREAM_RECORD)
	{
		if (used + len > cap)
			recs = realloc(recs, cap = (cap + len) * 2);
		if (nrecs + 2 > ocap)
			offs = realloc(offs, sizeof(size_t) * (ocap = (ocap + 2) * 2));
		memcpy(recs + used, p, len);
		offs[nrecs++] = used;
		used += len;
		offs[nrecs] = used;
	}
	ct_stream_close(s);
	close(fd);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y;
}

typedef enum
{
	K_INDEX, K_BACKSLASH, K_OLD, K_SET
} Kind;

typedef struct Case
{
	const char *name;
	Kind		kind;
	int			n;				/* needles */
	char	  **needles;
	size_t	   *lens;
	bool		all;
	bool		ci;
	bool		hyperscan;
	CtRawSet   *set;
} Case;

static double index_ns;

static void
run(Case *c, int rounds)
{
	double	   *t = malloc(sizeof(double) * rounds);
	size_t		kept = 0;
	CtRecord	rec;

	memset(&rec, 0, sizeof(rec));
	if (c->kind == K_SET)
	{
		bool	   *ci = malloc(sizeof(bool) * c->n);

		for (int i = 0; i < c->n; i++)
			ci[i] = c->ci;
		c->set = ct_raw_set_new();
		ct_raw_set_add(c->set, c->all, c->n, c->needles, c->lens, ci);
		ct_raw_set_build(c->set, c->hyperscan);
		free(ci);
		if (c->hyperscan && strcmp(ct_raw_set_engine(c->set), "Hyperscan") != 0)
		{
			printf("%-34s (no Hyperscan in this build)\n", c->name);
			return;
		}
	}
	for (int r = 0; r < rounds; r++)
	{
		double		t0 = now();

		kept = 0;
		for (size_t i = 0; i < nrecs; i++)
		{
			const char *p = recs + offs[i];
			size_t		len = offs[i + 1] - offs[i];
			CtError		err;

			switch (c->kind)
			{
				case K_INDEX:
					memset(&err, 0, sizeof(err));
					kept += ct_json_index_record(p, len, &rec, &err);
					break;
				case K_BACKSLASH:
					kept += memchr(p, '\\', len) != NULL;
					break;
				case K_OLD:
					kept += ct_raw_may_match(p, len, c->n, c->needles, c->lens, c->all);
					break;
				case K_SET:
					kept += ct_raw_set_may_match(c->set, p, len);
					break;
			}
		}
		t[r] = (now() - t0) * 1e9 / nrecs;
	}
	qsort(t, rounds, sizeof(double), cmp_double);
	if (c->kind == K_INDEX)
		index_ns = t[rounds / 2];
	printf("%-34s %8.1f ns/record %6.2fx index  kept %zu of %zu\n", c->name, t[rounds / 2],
		   t[rounds / 2] / index_ns, kept, nrecs);
	ct_json_record_free(&rec);
	ct_raw_set_free(c->set);
	free(t);
}

static const char *const iam17[] = {
	"CreateUser", "CreateLoginProfile", "UpdateLoginProfile", "AttachUserPolicy",
	"AttachRolePolicy", "AttachGroupPolicy", "PutUserPolicy", "PutGroupPolicy",
	"AddUserToGroup", "CreatePolicyVersion", "SetDefaultPolicyVersion",
	"UpdateAssumeRolePolicy", "CreateRole", "DeleteTrail", "StopLogging", "UpdateTrail",
	"PutEventSelectors"
};
static const char *const verbs[] = {
	"Create", "Delete", "Update", "Put", "Attach", "Detach", "Enable", "Disable", "Modify", "Reset"
};
static const char *const nouns[] = {
	"User", "Group", "LoginProfile", "Trail", "Policy", "PolicyVersion", "VirtualMFADevice",
	"SAMLProvider", "OpenIDConnectProvider", "ServiceLinkedRole", "AccountAlias",
	"InstanceProfile", "SigningCertificate", "SSHPublicKey", "ServerCertificate",
	"DetectorMember", "FlowLogs", "VpcPeeringConnection", "KeyPair", "NetworkAcl"
};

/* "name" needles of n event names: the first 17 from iam17, then verb x noun */
static void
names(int n, char ***needles, size_t **lens)
{
	*needles = malloc(sizeof(char *) * n);
	*lens = malloc(sizeof(size_t) * n);
	for (int i = 0; i < n; i++)
	{
		char		v[64];

		if (n <= 17)
			snprintf(v, sizeof(v), "%s", iam17[i]);
		else
			snprintf(v, sizeof(v), "%s%s", verbs[i % 10], nouns[(i / 10) % 20]);
		(*needles)[i] = malloc(strlen(v) + 2);
		(*lens)[i] = ct_raw_needle(v, strlen(v), false, (*needles)[i]);
	}
}

int
main(int argc, char **argv)
{
	int			rounds = 5;
	int			first = 1;
	char	  **n1,
			  **n17,
			  **n200;
	size_t	   *l1,
			   *l17,
			   *l200;
	char	   *piece[] = {"no-such-bucket"};
	size_t		piece_len[] = {14};
	char	   *key[] = {"\"errorCode\""};
	size_t		key_len[] = {11};
	char	   *pieces2[] = {"not authorized", "iam:"};
	size_t		pieces2_len[] = {14, 4};

	if (argc > 2 && strcmp(argv[1], "-r") == 0)
	{
		rounds = atoi(argv[2]);
		first = 3;
	}
	for (int i = first; i < argc; i++)
		load(argv[i]);
	if (nrecs == 0)
	{
		fprintf(stderr, "usage: rawcheck_bench [-r ROUNDS] FILE.json.gz...\n");
		return 1;
	}
	printf("%zu records, %.1f MB of JSON, median of %d rounds\n", nrecs, offs[nrecs] / 1e6, rounds);
	names(1, &n1, &l1);
	names(17, &n17, &l17);
	names(200, &n200, &l200);
	{
		Case		cases[] = {
			{"index (what count(*) pays)", K_INDEX},
			{"backslash memchr only", K_BACKSLASH},
			{"old: 1 value", K_OLD, 1, n1, l1},
			{"old: 17 values", K_OLD, 17, n17, l17},
			{"old: 200 values", K_OLD, 200, n200, l200},
			{"old: LIKE piece", K_OLD, 1, piece, piece_len, true},
			{"set memmem: 1 value", K_SET, 1, n1, l1},
			{"set memmem: 17 values", K_SET, 17, n17, l17},
			{"set memmem: 200 values", K_SET, 200, n200, l200},
			{"set memmem: LIKE piece", K_SET, 1, piece, piece_len, true},
			{"set memmem: ILIKE 2 pieces", K_SET, 2, pieces2, pieces2_len, true, true},
			{"set memmem: key, any case", K_SET, 1, key, key_len, false, true},
			{"set Hyperscan: 1 value", K_SET, 1, n1, l1, false, false, true},
			{"set Hyperscan: 17 values", K_SET, 17, n17, l17, false, false, true},
			{"set Hyperscan: 200 values", K_SET, 200, n200, l200, false, false, true},
			{"set Hyperscan: LIKE piece", K_SET, 1, piece, piece_len, true, false, true},
			{"set Hyperscan: ILIKE 2 pieces", K_SET, 2, pieces2, pieces2_len, true, true, true},
			{"set Hyperscan: key, any case", K_SET, 1, key, key_len, false, true, true},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run(&cases[i], rounds);
	}
	return 0;
}
