/*-------------------------------------------------------------------------
 *
 * ct_parallel.c
 *		Shared state of a parallel scan: the partitions (day folders) its
 *		participants claim, listed once by the leader, and their counters for
 *		EXPLAIN ANALYZE.
 *
 * A participant lists, checks and prunes the files of what it claims
 * itself, so an index's identity checks are spread over the participants
 * and the shared memory grows with the folders, never with the files.  A
 * scan in no particular order claims one partition at a time.  A sorted
 * scan claims a whole delivery day at a time, newest first: each
 * participant then returns its rows in order as a serial sorted scan does
 * (ct_scan.c), and the Gather Merge above merges them.
 *
 * The list lives in a DSM segment of its own rather than in the parallel
 * query's: Gather destroys its segment before EXPLAIN ANALYZE prints, and
 * the workers' counters must outlive it.  The segment belongs to the
 * leader's resource owner, so an error frees it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/dsm.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ct_options.h"
#include "ct_parallel.h"
#include "ct_prune.h"
#include "ct_scan.h"
#include "ct_tree.h"

#define NO_STRING	PG_UINT32_MAX

typedef struct SharedPart
{
	uint32		dir;			/* offsets into the string pool */
	uint32		org;
	uint32		account;
	uint32		region;
	DateADT		date;
	bool		id_known;		/* the folder's identity, as the leader listed it */
	int32		id_mtime_nsec;
	int64		id_mtime_sec;
	uint64		id_ino;
} SharedPart;

struct CtShared
{
	bool		by_day;			/* claims are delivery days, not partitions */
	pg_atomic_uint32 next;		/* the next partition or day to claim */
	uint32		nparts;
	uint32		ndays;
	pg_atomic_uint64 stats[CT_NSTATS];
	Size		days_off;		/* ndays + 1 indexes of a day's first partition */
	Size		strings_off;
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* parts, days, strings */
};

static SharedPart *
shared_parts(CtShared *sh)
{
	return (SharedPart *) sh->data;
}

static uint32 *
shared_days(CtShared *sh)
{
	return (uint32 *) (sh->data + sh->days_off);
}

static char *
shared_strings(CtShared *sh)
{
	return sh->data + sh->strings_off;
}

static uint32
add_string(StringInfo pool, const char *s)
{
	uint32		off;

	if (s == NULL)
		return NO_STRING;
	off = pool->len;
	appendBinaryStringInfo(pool, s, strlen(s) + 1);
	return off;
}

static void
add_partition(StringInfo pool, SharedPart *sp, const CtPartition *p)
{
	sp->dir = add_string(pool, p->dir);
	sp->org = add_string(pool, p->org);
	sp->account = add_string(pool, p->account);
	sp->region = add_string(pool, p->region);
	sp->date = p->date;
	sp->id_known = p->id_known;
	sp->id_mtime_sec = p->id_mtime_sec;
	sp->id_mtime_nsec = p->id_mtime_nsec;
	sp->id_ino = p->id_ino;
}

/*
 * Leader: lists the partitions the scan will read (pruned as prune says)
 * into a new DSM segment, grouped by delivery day newest first for a sorted
 * scan.  Returns the segment; *shared points into it.
 */
dsm_segment *
ct_shared_build(Relation rel, CtPrune *prune, bool newest_first, CtShared **shared)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "cloudtrail_fdw parallel list",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CtOptions	opts;
	CtOnError	onerr = {0};
	CtTree		tree;
	List	   *parts;
	ListCell   *lc;
	StringInfoData pool;
	SharedPart *sparts;
	uint32	   *days;
	int			nparts;
	int			ndays = 0;
	int			i = 0;
	Size		size;
	dsm_segment *seg;
	CtShared   *sh;

	ct_get_options(RelationGetRelid(rel), &opts);
	onerr.skip = opts.skip_bad_files;
	onerr.relname = RelationGetRelationName(rel);
	ct_tree_open(&tree, &opts, &onerr);
	tree.prune = (prune && ct_prune_active(prune)) ? prune : NULL;
	parts = ct_tree_partitions(&tree);
	if (newest_first)
		list_sort(parts, ct_partition_cmp_newest_first);
	nparts = list_length(parts);

	initStringInfo(&pool);
	sparts = palloc(sizeof(SharedPart) * Max(nparts, 1));
	days = palloc(sizeof(uint32) * (nparts + 1));
	foreach(lc, parts)
	{
		CtPartition *p = lfirst(lc);

		if (newest_first && (i == 0 || p->date != sparts[i - 1].date))
			days[ndays++] = i;
		add_partition(&pool, &sparts[i++], p);
	}
	days[ndays] = nparts;

	size = offsetof(CtShared, data) +
		MAXALIGN(sizeof(SharedPart) * nparts) +
		MAXALIGN(sizeof(uint32) * (ndays + 1)) + pool.len;
	MemoryContextSwitchTo(old);
	seg = dsm_create(size, 0);
	sh = dsm_segment_address(seg);
	sh->by_day = newest_first;
	pg_atomic_init_u32(&sh->next, 0);
	for (int k = 0; k < CT_NSTATS; k++)
		pg_atomic_init_u64(&sh->stats[k], 0);
	sh->nparts = nparts;
	sh->ndays = ndays;
	sh->days_off = MAXALIGN(sizeof(SharedPart) * nparts);
	sh->strings_off = sh->days_off + MAXALIGN(sizeof(uint32) * (ndays + 1));
	memcpy(shared_parts(sh), sparts, sizeof(SharedPart) * nparts);
	memcpy(shared_days(sh), days, sizeof(uint32) * (ndays + 1));
	memcpy(shared_strings(sh), pool.data, pool.len);
	MemoryContextDelete(cxt);
	*shared = sh;
	return seg;
}

/* Leader, on rescan: everything is to be claimed again. */
void
ct_shared_reset(CtShared *sh)
{
	pg_atomic_write_u32(&sh->next, 0);
}

uint32
ct_shared_partitions(CtShared *sh)
{
	return sh->nparts;
}

static void
copy_partition(CtShared *sh, const SharedPart *p, CtPartition *part)
{
	char	   *strings = shared_strings(sh);

	part->dir = pstrdup(strings + p->dir);
	part->org = p->org == NO_STRING ? NULL : pstrdup(strings + p->org);
	part->account = pstrdup(strings + p->account);
	part->region = pstrdup(strings + p->region);
	part->date = p->date;
	/* the folder's place in the index: in this backend's mapping, looked up */
	part->index_slot = 0;
	part->id_known = p->id_known;
	part->id_mtime_sec = p->id_mtime_sec;
	part->id_mtime_nsec = p->id_mtime_nsec;
	part->id_ino = p->id_ino;
}

/*
 * A scan in no particular order: claims the next partition (strings
 * allocated in the current memory context); false when every one has been
 * claimed.
 */
bool
ct_shared_claim_partition(CtShared *sh, CtPartition *part)
{
	uint32		i;

	Assert(!sh->by_day);
	i = pg_atomic_fetch_add_u32(&sh->next, 1);
	if (i >= sh->nparts)
		return false;
	copy_partition(sh, &shared_parts(sh)[i], part);
	return true;
}

/*
 * A sorted scan: claims the partitions of the newest delivery day not
 * claimed yet (a palloc'd array in *parts); false when every day has been.
 */
bool
ct_shared_claim_day(CtShared *sh, CtPartition **parts, int *nparts)
{
	uint32		d;
	uint32		first;

	Assert(sh->by_day);
	d = pg_atomic_fetch_add_u32(&sh->next, 1);
	if (d >= sh->ndays)
		return false;
	first = shared_days(sh)[d];
	*nparts = shared_days(sh)[d + 1] - first;
	*parts = palloc(sizeof(CtPartition) * Max(*nparts, 1));
	for (int i = 0; i < *nparts; i++)
		copy_partition(sh, &shared_parts(sh)[first + i], &(*parts)[i]);
	return true;
}

/* Is a day left to claim?  Every one is older than any claimed before. */
bool
ct_shared_days_left(CtShared *sh)
{
	return pg_atomic_read_u32(&sh->next) < sh->ndays;
}

/* A worker's counters, added when it is done. */
void
ct_shared_add_stats(CtShared *sh, const CtScanStats *stats)
{
	const int64 *v = (const int64 *) stats;

	for (int i = 0; i < CT_NSTATS; i++)
		pg_atomic_fetch_add_u64(&sh->stats[i], v[i]);
}

/* The workers' counters added to *stats. */
void
ct_shared_sum_stats(CtShared *sh, CtScanStats *stats)
{
	int64	   *v = (int64 *) stats;

	for (int i = 0; i < CT_NSTATS; i++)
		v[i] += pg_atomic_read_u64(&sh->stats[i]);
}
