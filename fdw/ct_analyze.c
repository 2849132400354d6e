/*-------------------------------------------------------------------------
 *
 * ct_analyze.c
 *		ANALYZE of a cloudtrail_fdw table by sampling, as PostgreSQL samples
 *		a heap table, with files for blocks; and the row estimates of pushed
 *		conditions when the table has no statistics.
 *
 * Stage one lists the files (as a scan does, with their sizes) and keeps a
 * random sample of them: every file gets a random key, and the files with
 * the smallest keys are a uniform sample of any size up to the number kept
 * ("bottom-k"), so the size can be chosen once the listing is done and its
 * totals are known.  Memory is bounded by the sample, not by the mirror: at
 * most CT_ANALYZE_OVERREAD x targrows files are held.
 *
 * Stage two reads the files of the sample with the ordinary scan, which
 * splits every record but converts only those Vitter's reservoir (Algorithm
 * Z, reservoir_get_next_S()) takes: skipped records cost what a count(*)
 * costs them, inflating and splitting.
 *
 * totalrows: the index's exact record count for every file it describes
 * unchanged; for the others, the records counted in the sampled ones, and
 * for the rest their size times the records per byte of the files whose
 * count is known (indexed or sampled).
 *
 * Everything random comes from one generator, seeded from
 * cloudtrail_fdw.analyze_seed when that is set, so a sample can be repeated.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"

#include "ct_analyze.h"
#include "ct_compat.h"
#include "ct_index.h"
#include "ct_options.h"
#include "ct_project.h"
#include "ct_quals.h"
#include "ct_scan.h"
#include "ct_tree.h"

int			ct_analyze_seed = -1;

/*
 * Records read per sample row wanted: the reservoir then converts about
 * targrows x (1 + ln 1.5) records, and the sample comes from half as many
 * files again as the fewest that could fill it.
 */
#define CT_ANALYZE_OVERREAD		1.5

/* A sample has at least this many files (all, if there are fewer). */
#define CT_ANALYZE_MIN_FILES	20

/* One file of the sample (or, while listing, a candidate). */
typedef struct SampleFile
{
	double		key;			/* random: the smallest keys are the sample */
	char	   *dir;			/* its partition folder */
	char	   *name;
	int64		size;
	int64		nrecords;		/* the index's count, or -1 */
	bool		gzip;
	int64		seen;			/* records split when it was read */
} SampleFile;

typedef struct SampleState
{
	ReservoirStateData rstate;	/* the one random generator */
	int			targrows;

	/* stage one */
	SampleFile *files;			/* a max-heap on key while listing */
	int			nfiles;
	int			cap;
	MemoryContext cxt;			/* the names of the files held */
	int64		files_total;
	int64		bytes[2];		/* of every file, [gzip] */
	int64		index_bytes[2]; /* of the files the index counts */
	int64		index_records[2];

	/* stage two */
	int			taken;			/* records the reservoir took */
	double		seen;			/* records split in the files read */
	double		rowstoskip;
	SampleFile *cur;			/* the file being read */
} SampleState;

static void
heap_sift_down(SampleFile *h, int n, int i)
{
	for (;;)
	{
		int			l = 2 * i + 1;
		int			r = l + 1;
		int			m = i;
		SampleFile	t;

		if (l < n && h[l].key > h[m].key)
			m = l;
		if (r < n && h[r].key > h[m].key)
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void
heap_sift_up(SampleFile *h, int i)
{
	while (i > 0 && h[(i - 1) / 2].key < h[i].key)
	{
		SampleFile	t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void
heap_pop(SampleState *ss)
{
	pfree(ss->files[0].dir);
	pfree(ss->files[0].name);
	ss->files[0] = ss->files[--ss->nfiles];
	heap_sift_down(ss->files, ss->nfiles, 0);
}

/* Stage one: a file of the listing, kept if its key is among the smallest. */
static void
offer_file(SampleState *ss, const char *dir, const CtFile *f, int64 nrecords)
{
	double		key = ct_reservoir_random(&ss->rstate);
	SampleFile *e;
	MemoryContext old;

	if (ss->nfiles == ss->cap)
	{
		if (key >= ss->files[0].key)
			return;
		heap_pop(ss);
	}
	old = MemoryContextSwitchTo(ss->cxt);
	e = &ss->files[ss->nfiles];
	e->key = key;
	e->dir = pstrdup(dir);
	e->name = pstrdup(f->name);
	e->size = Max(f->size, 0);
	e->nrecords = nrecords;
	e->gzip = f->gzip;
	e->seen = 0;
	MemoryContextSwitchTo(old);
	heap_sift_up(ss->files, ss->nfiles++);
}

/*
 * Lists every file of the table with its size and, where the index describes
 * it as it is, its record count; offers each to the sample.  A partition's
 * listing is freed once it has been looked at.
 */
static void
list_files(Relation onerel, SampleState *ss)
{
	MemoryContext walkcxt = AllocSetContextCreate(CurrentMemoryContext,
												  "cloudtrail_fdw ANALYZE listing",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext partcxt = AllocSetContextCreate(walkcxt,
												  "cloudtrail_fdw ANALYZE partition",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(walkcxt);
	CtOptions	opts;
	CtOnError	onerr = {0};
	CtTree		tree;
	List	   *parts;
	ListCell   *lc;

	ct_get_options(RelationGetRelid(onerel), &opts);
	onerr.skip = opts.skip_bad_files;
	onerr.quiet = true;			/* the scan of the sample warns */
	onerr.relname = RelationGetRelationName(onerel);
	ct_tree_open(&tree, &opts, &onerr);
	parts = ct_tree_partitions(&tree);
	foreach(lc, parts)
	{
		CtPartition *part = lfirst(lc);
		CtFile	   *files;
		CtIndexFile *ix = NULL;
		int			n;
		int			nix = 0;
		int			j = 0;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(partcxt);
		MemoryContextSwitchTo(partcxt);
		files = ct_tree_files(&tree, part, true, &n);
		if (tree.index)
		{
			int			folder = ct_index_find(tree.index, part->dir);

			if (folder >= 0)
				ix = ct_index_folder_files(tree.index, folder, &nix);
		}
		for (int i = 0; i < n; i++)
		{
			CtFile	   *f = &files[i];
			int64		nrecords = -1;
			int			g = f->gzip ? 1 : 0;
			int			c = 1;

			/* both in name order; an entry counts only for the file it describes */
			while (j < nix && (c = strcmp(ix[j].name, f->name)) < 0)
				j++;
			if (j < nix && c == 0 &&
				ct_index_file_is(&ix[j], f->size, f->mtime_sec, f->mtime_nsec) &&
				!(ix[j].flags & CT_IXF_BAD))
				nrecords = ix[j].nrecords;
			ss->files_total++;
			ss->bytes[g] += Max(f->size, 0);
			if (nrecords >= 0)
			{
				ss->index_bytes[g] += Max(f->size, 0);
				ss->index_records[g] += nrecords;
			}
			offer_file(ss, part->dir, f, nrecords);
		}
		MemoryContextSwitchTo(walkcxt);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(walkcxt);
}

/* Records per byte of files of a kind, without a count to go by. */
static double
default_density(int g)
{
	return g ? CT_GZIP_RATIO / CT_RECORD_BYTES : 1.0 / CT_RECORD_BYTES;
}

static int
file_cmp(const void *a, const void *b)
{
	const SampleFile *fa = a;
	const SampleFile *fb = b;
	int			c = strcmp(fa->dir, fb->dir);

	return c != 0 ? c : strcmp(fa->name, fb->name);
}

/*
 * How many files the sample needs: enough for CT_ANALYZE_OVERREAD x targrows
 * records by what is known of the files' record counts, at least
 * CT_ANALYZE_MIN_FILES.  Keeps those with the smallest keys, in name order.
 */
static void
choose_sample(SampleState *ss)
{
	double		est = 0;
	double		per_file;
	double		want;

	for (int g = 0; g < 2; g++)
	{
		double		d = ss->index_bytes[g] > 0 ?
			(double) ss->index_records[g] / ss->index_bytes[g] : default_density(g);

		est += ss->index_records[g] + (ss->bytes[g] - ss->index_bytes[g]) * d;
	}
	per_file = ss->files_total > 0 ? est / ss->files_total : 1;
	want = ceil(CT_ANALYZE_OVERREAD * ss->targrows / Max(per_file, 1.0));
	want = Max(want, CT_ANALYZE_MIN_FILES);
	while (ss->nfiles > want)
	{
		CHECK_FOR_INTERRUPTS();
		heap_pop(ss);
	}
	qsort(ss->files, ss->nfiles, sizeof(SampleFile), file_cmp);
}

static SampleFile *
find_file(SampleState *ss, const char *dir, const char *name)
{
	SampleFile	k;

	k.dir = (char *) dir;
	k.name = (char *) name;
	return bsearch(&k, ss->files, ss->nfiles, sizeof(SampleFile), file_cmp);
}

/* Stage two: the scan's questions. */
static bool
keep_partition(void *arg, const CtPartition *part)
{
	SampleState *ss = arg;
	int			lo = 0,
				hi = ss->nfiles - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = strcmp(ss->files[mid].dir, part->dir);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

static bool
keep_file(void *arg, const CtPartition *part, const CtFile *file)
{
	return find_file(arg, part->dir, file->name) != NULL;
}

/*
 * Does the reservoir take this record?  As acquire_sample_rows() of a heap
 * table: the first targrows records, then those Algorithm Z does not skip;
 * the caller puts a record taken into a random slot.
 */
static bool
keep_record(void *arg, const CtPartition *part, const CtFile *file)
{
	SampleState *ss = arg;
	bool		take;

	if (ss->cur == NULL || strcmp(ss->cur->name, file->name) != 0 ||
		strcmp(ss->cur->dir, part->dir) != 0)
		ss->cur = find_file(ss, part->dir, file->name);
	if (ss->cur)
		ss->cur->seen++;
	if (ss->taken < ss->targrows)
		take = true;
	else
	{
		if (ss->rowstoskip < 0)
			ss->rowstoskip = reservoir_get_next_S(&ss->rstate, ss->seen, ss->targrows);
		take = ss->rowstoskip <= 0;
		ss->rowstoskip -= 1;
	}
	ss->seen += 1;
	if (take)
		ss->taken++;
	return take;
}

/* totalrows, as the header comment says. */
static double
estimate_total(SampleState *ss)
{
	double		total = 0;
	int64		rec[2] = {0, 0};
	int64		bytes[2] = {0, 0};

	/* the sampled files the index does not count: counted now */
	for (int i = 0; i < ss->nfiles; i++)
	{
		SampleFile *f = &ss->files[i];

		if (f->nrecords >= 0)
			continue;
		rec[f->gzip ? 1 : 0] += f->seen;
		bytes[f->gzip ? 1 : 0] += f->size;
	}
	for (int g = 0; g < 2; g++)
	{
		int64		known_bytes = ss->index_bytes[g] + bytes[g];
		double		d = known_bytes > 0 ?
			(double) (ss->index_records[g] + rec[g]) / known_bytes : default_density(g);
		int64		rest = ss->bytes[g] - known_bytes;

		total += ss->index_records[g] + rec[g] + Max(rest, 0) * d;
	}
	return total;
}

static char *
pretty_bytes(int64 bytes)
{
	return text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_size_pretty,
															  Int64GetDatum(bytes))));
}

/* The AcquireSampleRowsFunc of cloudtrail_fdw tables. */
int
ct_analyze_sample(Relation onerel, int elevel, HeapTuple *rows, int targrows,
				  double *totalrows, double *totaldeadrows)
{
	TupleDesc	tupdesc = RelationGetDescr(onerel);
	Datum	   *values = palloc(tupdesc->natts * sizeof(Datum));
	bool	   *nulls = palloc(tupdesc->natts * sizeof(bool));
	SampleState *ss = palloc0(sizeof(SampleState));
	CtScanSampler sampler;
	CtScan	   *scan;
	int64		sample_bytes = 0;
	int64		files_read;
	int			numrows = 0;

	ss->targrows = targrows;
	ss->rowstoskip = -1;
	reservoir_init_selection_state(&ss->rstate, targrows);
	if (ct_analyze_seed >= 0)
	{
		/* as reservoir_init_selection_state() draws W, from the given seed */
		ct_reservoir_seed(&ss->rstate, ct_analyze_seed);
		ss->rstate.W = exp(-log(ct_reservoir_random(&ss->rstate)) / targrows);
	}
	ss->cap = (int) Max(CT_ANALYZE_MIN_FILES, ceil(CT_ANALYZE_OVERREAD * targrows));
	ss->files = palloc(sizeof(SampleFile) * ss->cap);
	ss->cxt = AllocSetContextCreate(CurrentMemoryContext, "cloudtrail_fdw ANALYZE sample",
									ALLOCSET_DEFAULT_SIZES);

	list_files(onerel, ss);
	choose_sample(ss);
	for (int i = 0; i < ss->nfiles; i++)
		sample_bytes += ss->files[i].size;

	sampler.keep_partition = keep_partition;
	sampler.keep_file = keep_file;
	sampler.keep_record = keep_record;
	sampler.arg = ss;
	scan = ct_scan_begin(onerel, tupdesc, true, NULL, NIL, false, NULL, 0, NULL);
	ct_scan_set_sampler(scan, &sampler);
	while (ct_scan_next(scan, values, nulls))
	{
		ct_analyze_delay_point();
		if (numrows < targrows)
			rows[numrows++] = heap_form_tuple(tupdesc, values, nulls);
		else
		{
			int			k = (int) (targrows * ct_reservoir_random(&ss->rstate));

			heap_freetuple(rows[k]);
			rows[k] = heap_form_tuple(tupdesc, values, nulls);
		}
	}
	files_read = ct_scan_stats(scan)->files;
	ct_scan_end(scan);

	*totalrows = estimate_total(ss);
	*totaldeadrows = 0;

	/* at DEBUG1 without VERBOSE, for tests to see */
	ereport(Max(elevel, DEBUG1),
			(errmsg("\"%s\": read " INT64_FORMAT " of " INT64_FORMAT " files, containing %.0f rows; %d rows in sample, %.0f estimated total rows",
					RelationGetRelationName(onerel), files_read, ss->files_total,
					ss->seen, numrows, *totalrows),
			 elevel >= INFO ? errdetail("The sample's files hold %s of the table's %s.",
										pretty_bytes(sample_bytes),
										pretty_bytes(ss->bytes[0] + ss->bytes[1])) : 0));
	MemoryContextDelete(ss->cxt);
	return numrows;
}

/* --- estimates without statistics ----------------------------------------- */

/*
 * How many values a CloudTrail key typically holds, by its last name (any
 * letter case), for keys with few: an equality keeps 1/n of the records.
 * Others are taken to have CT_DEFAULT_NDISTINCT, PostgreSQL's default.
 */
typedef struct KeyModel
{
	const char *key;
	double		ndistinct;
	double		present;		/* fraction of records holding it */
} KeyModel;

#define CT_DEFAULT_NDISTINCT	200.0	/* DEFAULT_NUM_DISTINCT */
#define CT_DEFAULT_PRESENT		0.5
#define CT_LIKE_SEL				0.01	/* LIKE '%piece%' */
#define CT_PREFIX_VALUES		10.0	/* LIKE 'prefix%' matches as many as this many values */
#define CT_PARAM_IN_VALUES		10.0	/* = ANY of an array known only at run time */

static const KeyModel key_models[] = {
	{"eventCategory", 3, 1.0},
	{"eventType", 4, 1.0},
	{"eventVersion", 4, 1.0},
	{"type", 6, 0.95},			/* userIdentity.type */
	{"recipientAccountId", 5, 1.0},
	{"awsRegion", 15, 1.0},
	{"eventSource", 40, 1.0},
	{"errorCode", 50, 0.05},
	{"errorMessage", 500, 0.04},
	{"vpcEndpointId", 20, 0.1},
	{"eventID", 1e6, 1.0},
	{"requestID", 1e6, 0.95},
	{"sharedEventID", 1e6, 0.1},
	{"eventName", 200, 1.0},
	{"userIdentity", 1000, 1.0},
	{"requestParameters", 1e5, 0.9},
	{"responseElements", 1e5, 0.5},
};

static const KeyModel *
key_model(const CtCond *c)
{
	static const KeyModel other = {NULL, CT_DEFAULT_NDISTINCT, CT_DEFAULT_PRESENT};
	const char *last;

	if (c->key.kind != CT_COL_FIELD || c->key.npath == 0)
		return &other;
	last = c->key.path[c->key.npath - 1];
	for (int i = 0; i < lengthof(key_models); i++)
		if (pg_strcasecmp(key_models[i].key, last) == 0 &&
			(c->key.npath > 1) == (strcmp(key_models[i].key, "type") == 0))
			return &key_models[i];
	return &other;
}

/*
 * Event names by how often CloudTrail writes them, in any account: the calls
 * services and SDKs make all the time (KMS for every encrypted read, STS for
 * every role session, S3 data events, agents' heartbeats) are each a few per
 * cent of a trail; the changes investigators look for (a new access key, a
 * trail stopped) are rare.  Any other name: 1/CT_DEFAULT_NDISTINCT.
 */
#define CT_FREQUENT_EVENT_SEL	0.04
#define CT_RARE_EVENT_SEL		0.0002

static const char *const frequent_events[] = {
	"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "Decrypt",
	"Encrypt", "GenerateDataKey", "GetCallerIdentity", "GetObject", "PutObject",
	"HeadObject", "ListObjects", "ListObjectsV2", "DeleteObject", "CreateLogStream",
	"PutLogEvents", "UpdateInstanceInformation", "DescribeInstances",
};

static const char *const rare_events[] = {
	"ConsoleLogin", "CreateAccessKey", "CreateUser", "CreateLoginProfile",
	"UpdateLoginProfile", "DeleteTrail", "StopLogging", "UpdateTrail",
	"PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "DeleteBucket",
	"PutRolePolicy", "PutUserPolicy", "AttachRolePolicy", "AttachUserPolicy",
	"CreateRole", "DeleteRole", "CreatePolicyVersion", "DeactivateMFADevice",
	"DeleteFlowLogs", "DeleteDetector", "DisableKey", "ScheduleKeyDeletion",
	"PutEventSelectors", "CreateKeyPair", "ImportKeyPair", "AuthorizeSecurityGroupIngress",
	"LeaveOrganization", "PasswordRecoveryRequested", "GetPasswordData",
};

static double
event_name_sel(Datum value)
{
	char	   *name = TextDatumGetCString(value);
	double		s = 1.0 / CT_DEFAULT_NDISTINCT;

	for (int i = 0; i < lengthof(frequent_events); i++)
		if (strcmp(frequent_events[i], name) == 0)
			s = CT_FREQUENT_EVENT_SEL;
	for (int i = 0; i < lengthof(rare_events); i++)
		if (strcmp(rare_events[i], name) == 0)
			s = CT_RARE_EVENT_SEL;
	pfree(name);
	return s;
}

/* userIdentity.type 'Root': rare where accounts are run as they should be */
#define CT_ROOT_SEL				0.001

static bool
is_event_name(const CtCond *c)
{
	return c->key.kind == CT_COL_FIELD && c->key.npath == 1 &&
		pg_strcasecmp(c->key.path[0], "eventName") == 0;
}

/* The model's selectivity of a pushed condition on a record key. */
static Selectivity
cond_selectivity(const CtCond *c)
{
	const KeyModel *m = key_model(c);
	bool		known = IsA(c->arg, Const) && !((Const *) c->arg)->constisnull;
	double		nvals = 1;

	switch (c->op)
	{
		case CT_OP_EQ:
			if (known && is_event_name(c))
				return event_name_sel(((Const *) c->arg)->constvalue);
			if (known && m->key && strcmp(m->key, "type") == 0)
			{
				char	   *v = TextDatumGetCString(((Const *) c->arg)->constvalue);

				if (strcmp(v, "Root") == 0)
					return CT_ROOT_SEL;
			}
			return m->present / m->ndistinct;
		case CT_OP_IN:
			if (known)
			{
				ArrayType  *a = DatumGetArrayTypeP(((Const *) c->arg)->constvalue);
				Datum	   *elems;
				bool	   *enulls;
				int			nelems;
				double		s = 0;

				deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT,
								  &elems, &enulls, &nelems);
				nvals = nelems;
				if (is_event_name(c))
				{
					for (int i = 0; i < nelems; i++)
						if (!enulls[i])
							s += event_name_sel(elems[i]);
					return Min(1.0, s);
				}
			}
			else
				nvals = CT_PARAM_IN_VALUES;
			return Min(1.0, m->present * nvals / m->ndistinct);
		case CT_OP_PREFIX:
			return Min(m->present, m->present * CT_PREFIX_VALUES / m->ndistinct);
		case CT_OP_LIKE:
		case CT_OP_ILIKE:
			return Min(m->present, CT_LIKE_SEL);
		case CT_OP_NOTNULL:
			return m->present;
		case CT_OP_NE:
		case CT_OP_NOT_IN:
			{
				CtCond		eq = *c;

				/* present and none of the values: the complement of = or IN */
				eq.op = (c->op == CT_OP_NE) ? CT_OP_EQ : CT_OP_IN;
				return Max(0.0, m->present - cond_selectivity(&eq));
			}
		default:
			return DEFAULT_INEQ_SEL;
	}
}

static bool
has_stats(Oid relid, AttrNumber attno)
{
	return SearchSysCacheExists3(STATRELATTINH, ObjectIdGetDatum(relid),
								 Int16GetDatum(attno), BoolGetDatum(false));
}

/*
 * IS [NOT] NULL of a column reading a record key (without statistics) or of
 * a ->> field: the model's fraction of records holding the key (IS NULL is
 * never pushed, and PostgreSQL's default for it is 0.5%, while
 * errorcode IS NULL holds for most records).
 */
static bool
null_test_selectivity(RelOptInfo *baserel, Oid relid, NullTest *nt, double *sel)
{
	Node	   *arg = (Node *) nt->arg;
	Var		   *var = NULL;
	List	   *keys = NIL;
	bool		jsonb;
	CtCond		c;
	Relation	rel;
	double		present;

	while (IsA(arg, RelabelType))
		arg = (Node *) ((RelabelType *) arg)->arg;
	if (nt->argisrow)
		return false;
	if (IsA(arg, Var))
		var = (Var *) arg;
	else if (!ct_decode_field(arg, &var, &keys, &jsonb))
		return false;
	if (var->varno != baserel->relid || var->varlevelsup != 0 || var->varattno <= 0 ||
		(keys == NIL && has_stats(relid, var->varattno)))
		return false;
	memset(&c, 0, sizeof(c));
	rel = table_open(relid, NoLock);
	ct_column_map(relid, TupleDescAttr(RelationGetDescr(rel), var->varattno - 1), &c.key);
	table_close(rel, NoLock);
	if (keys != NIL)
	{
		char	  **k = palloc(sizeof(char *) * list_length(keys));
		int			nk = 0;
		ListCell   *lc;

		foreach(lc, keys)
			k[nk++] = lfirst(lc);
		if (!ct_column_map_descend(&c.key, k, nk))
			return false;
	}
	if (c.key.kind != CT_COL_FIELD)
		return false;			/* path columns: PostgreSQL's estimate */
	present = key_model(&c)->present;
	*sel = nt->nulltesttype == IS_NULL ? 1.0 - present : present;
	return true;
}

/* The Var a clause compares, if it compares a plain column. */
static Var *
clause_var(Node *clause)
{
	List	   *args = NIL;
	ListCell   *lc;

	if (IsA(clause, OpExpr))
		args = ((OpExpr *) clause)->args;
	else if (IsA(clause, ScalarArrayOpExpr))
		args = ((ScalarArrayOpExpr *) clause)->args;
	else if (IsA(clause, NullTest))
		args = list_make1(((NullTest *) clause)->arg);
	else if (is_orclause(clause))
		return clause_var(linitial(((BoolExpr *) clause)->args));
	foreach(lc, args)
	{
		Node	   *a = lfirst(lc);

		while (IsA(a, RelabelType))
			a = (Node *) ((RelabelType *) a)->arg;
		if (IsA(a, Var))
			return (Var *) a;
	}
	return NULL;
}

/*
 * The selectivity of the clauses that the file selection has not applied.
 * A pushed condition on a record key is estimated by the model above unless
 * it compares a column ANALYZE has statistics for (a ->> field never has);
 * several such conditions are rarely independent (eventsource and eventname
 * go together), so they are combined with exponential backoff: the most
 * selective in full, the next by its square root, then fourth and eighth
 * roots.  The other clauses are PostgreSQL's to estimate.
 */
Selectivity
ct_estimate_selectivity(PlannerInfo *root, RelOptInfo *baserel, Oid relid,
						List *conds, List *clauses)
{
	List	   *rest = NIL;
	double	   *sels = palloc(sizeof(double) * (list_length(clauses) + 1));
	int			n = 0;
	Selectivity s = 1.0;
	ListCell   *lc;

	foreach(lc, clauses)
	{
		RestrictInfo *rinfo = lfirst(lc);
		CtCond	   *cond = NULL;
		ListCell   *cc;
		Var		   *var;

		foreach(cc, conds)
		{
			CtCond	   *c = lfirst(cc);

			if (c->rinfo == rinfo &&
				(c->target == CT_TARGET_STRING || c->target == CT_TARGET_PRESENT))
			{
				cond = c;
				break;
			}
		}
		var = cond ? clause_var((Node *) rinfo->clause) : NULL;
		if (cond == NULL && IsA(rinfo->clause, NullTest) &&
			null_test_selectivity(baserel, relid, (NullTest *) rinfo->clause, &sels[n]))
			n++;
		else if (cond == NULL ||
			(var && var->varno == baserel->relid && has_stats(relid, var->varattno)))
			rest = lappend(rest, rinfo);
		else
			sels[n++] = cond_selectivity(cond);
	}
	/* most selective first */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && sels[j] < sels[j - 1]; j--)
		{
			double		t = sels[j];

			sels[j] = sels[j - 1];
			sels[j - 1] = t;
		}
	for (int i = 0; i < n; i++)
		s *= pow(sels[i], 1.0 / (double) (1 << Min(i, 3)));
	pfree(sels);
	return s * clauselist_selectivity(root, rest, baserel->relid, JOIN_INNER, NULL);
}
