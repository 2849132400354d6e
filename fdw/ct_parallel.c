/*-------------------------------------------------------------------------
 *
 * ct_parallel.c
 *		Shared state of a parallel scan: what the participants claim work
 *		from, made once by the leader, and their counters for EXPLAIN ANALYZE.
 *
 * A scan in no particular order shares the list of its partitions (day
 * folders): each participant claims the next one and lists, checks and
 * prunes its files itself, so the identity checks of an index are spread
 * over the participants and the shared memory grows with the folders, not
 * the files.  A sorted scan must hand out files newest first across
 * folders, so it shares the list of every selected file.
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

#include "cloudtrail_fdw.h"
#include "ct_parallel.h"

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

typedef struct SharedFile
{
	uint32		part;
	uint32		name;
	TimestampTz delivery;
	bool		gzip;
	CtSpan		span;
} SharedFile;

struct CtShared
{
	bool		by_partition;	/* claims are partitions, not files */
	pg_atomic_uint32 next_file;	/* or the next partition */
	uint32		nfiles;
	uint32		nparts;
	pg_atomic_uint64 stats[CT_NSTATS];
	Size		files_off;
	Size		strings_off;
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* parts, files, strings */
};

static SharedPart *
shared_parts(CtShared *sh)
{
	return (SharedPart *) sh->data;
}

static SharedFile *
shared_files(CtShared *sh)
{
	return (SharedFile *) (sh->data + sh->files_off);
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

/* The list being made, in the leader's memory, before it goes to DSM. */
typedef struct ListBuild
{
	StringInfoData pool;
	SharedPart *parts;
	int			nparts;
	int			partcap;
	SharedFile *files;
	int			nfiles;
	int			filecap;
} ListBuild;

static void
add_partition(const CtPartition *p, const CtFile *files, int n, void *arg)
{
	ListBuild  *b = arg;

	if (b->nparts == b->partcap)
	{
		b->partcap *= 2;
		b->parts = repalloc_huge(b->parts, sizeof(SharedPart) * b->partcap);
	}
	b->parts[b->nparts].dir = add_string(&b->pool, p->dir);
	b->parts[b->nparts].org = add_string(&b->pool, p->org);
	b->parts[b->nparts].account = add_string(&b->pool, p->account);
	b->parts[b->nparts].region = add_string(&b->pool, p->region);
	b->parts[b->nparts].date = p->date;
	b->parts[b->nparts].id_known = p->id_known;
	b->parts[b->nparts].id_mtime_sec = p->id_mtime_sec;
	b->parts[b->nparts].id_mtime_nsec = p->id_mtime_nsec;
	b->parts[b->nparts].id_ino = p->id_ino;
	for (int i = 0; i < n; i++)
	{
		if (b->nfiles == b->filecap)
		{
			b->filecap *= 2;
			b->files = repalloc_huge(b->files, sizeof(SharedFile) * b->filecap);
		}
		b->files[b->nfiles].part = b->nparts;
		b->files[b->nfiles].name = add_string(&b->pool, files[i].name);
		b->files[b->nfiles].delivery = files[i].delivery;
		b->files[b->nfiles].gzip = files[i].gzip;
		b->files[b->nfiles].span = files[i].span;
		b->nfiles++;
	}
	b->nparts++;
}

/* A sorted scan's order of the shared list (ct_tree.c). */
static int
file_cmp_desc(const void *a, const void *b, void *arg)
{
	const SharedFile *fa = a;
	const SharedFile *fb = b;
	const char *pool = ((const ListBuild *) arg)->pool.data;
	const SharedPart *parts = ((const ListBuild *) arg)->parts;

	return ct_file_cmp_newest_first(fa->delivery, pool + parts[fa->part].dir, pool + fa->name,
									fb->delivery, pool + parts[fb->part].dir, pool + fb->name);
}

/*
 * Leader: lists the files the scan will read (pruned as prune says) into a
 * new DSM segment, newest first for a sorted scan.  Returns the segment;
 * *shared points into it.
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
	ListBuild	b;
	Size		size;
	dsm_segment *seg;
	CtShared   *sh;

	ct_get_options(RelationGetRelid(rel), &opts);
	onerr.skip = opts.skip_bad_files;
	onerr.relname = RelationGetRelationName(rel);
	ct_tree_open(&tree, &opts, &onerr);

	initStringInfo(&b.pool);
	b.nparts = b.nfiles = 0;
	b.partcap = 16;
	b.filecap = 256;
	b.parts = palloc(sizeof(SharedPart) * b.partcap);
	b.files = palloc(sizeof(SharedFile) * b.filecap);
	if (newest_first)
	{
		ct_tree_walk(&tree, prune, false, add_partition, &b);
		qsort_arg(b.files, b.nfiles, sizeof(SharedFile), file_cmp_desc, &b);
	}
	else
	{
		ListCell   *lc;

		tree.prune = (prune && ct_prune_active(prune)) ? prune : NULL;
		foreach(lc, ct_tree_partitions(&tree))
			add_partition(lfirst(lc), NULL, 0, &b);
	}

	size = offsetof(CtShared, data) +
		MAXALIGN(sizeof(SharedPart) * b.nparts) +
		MAXALIGN(sizeof(SharedFile) * b.nfiles) + b.pool.len;
	MemoryContextSwitchTo(old);
	seg = dsm_create(size, 0);
	sh = dsm_segment_address(seg);
	sh->by_partition = !newest_first;
	pg_atomic_init_u32(&sh->next_file, 0);
	for (int i = 0; i < CT_NSTATS; i++)
		pg_atomic_init_u64(&sh->stats[i], 0);
	/* the listing is the leader's, once: its count goes in with the others' */
	pg_atomic_init_u64(&sh->stats[offsetof(CtScanStats, files_digest_skipped) / sizeof(int64)],
					   tree.files_digest_pruned);
	pg_atomic_init_u64(&sh->stats[offsetof(CtScanStats, files_index_skipped) / sizeof(int64)],
					   tree.files_index_pruned);
	pg_atomic_init_u64(&sh->stats[offsetof(CtScanStats, files_unindexed) / sizeof(int64)],
					   tree.files_unindexed);
	pg_atomic_init_u64(&sh->stats[offsetof(CtScanStats, files_index_stale) / sizeof(int64)],
					   tree.files_index_stale);
	sh->nparts = b.nparts;
	sh->nfiles = b.nfiles;
	sh->files_off = MAXALIGN(sizeof(SharedPart) * b.nparts);
	sh->strings_off = sh->files_off + MAXALIGN(sizeof(SharedFile) * b.nfiles);
	memcpy(shared_parts(sh), b.parts, sizeof(SharedPart) * b.nparts);
	memcpy(shared_files(sh), b.files, sizeof(SharedFile) * b.nfiles);
	memcpy(shared_strings(sh), b.pool.data, b.pool.len);
	MemoryContextDelete(cxt);
	*shared = sh;
	return seg;
}

/* Leader, on rescan: every file is to be read again. */
void
ct_shared_reset(CtShared *sh)
{
	pg_atomic_write_u32(&sh->next_file, 0);
}

uint32
ct_shared_partitions(CtShared *sh)
{
	return sh->nparts;
}

/* Are partitions claimed (ct_shared_claim_partition), rather than files? */
bool
ct_shared_by_partition(CtShared *sh)
{
	return sh->by_partition;
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
 * Claims the next partition (strings allocated in the current memory
 * context); false when every one has been claimed.
 */
bool
ct_shared_claim_partition(CtShared *sh, CtPartition *part)
{
	uint32		i;

	Assert(sh->by_partition);
	i = pg_atomic_fetch_add_u32(&sh->next_file, 1);
	if (i >= sh->nparts)
		return false;
	copy_partition(sh, &shared_parts(sh)[i], part);
	return true;
}

/*
 * Claims the next file: fills *part (strings allocated in the current
 * memory context) and *file.  false when every file has been claimed.
 */
bool
ct_shared_claim(CtShared *sh, CtPartition *part, CtFile *file)
{
	uint32		i;
	SharedFile *f;

	Assert(!sh->by_partition);
	i = pg_atomic_fetch_add_u32(&sh->next_file, 1);
	if (i >= sh->nfiles)
		return false;
	f = &shared_files(sh)[i];
	copy_partition(sh, &shared_parts(sh)[f->part], part);
	file->name = pstrdup(shared_strings(sh) + f->name);
	file->delivery = f->delivery;
	file->gzip = f->gzip;
	file->size = -1;
	file->span = f->span;
	return true;
}

/*
 * The delivery time of the next file to be claimed, if any: no file claimed
 * later is named after it.
 */
bool
ct_shared_next_delivery(CtShared *sh, TimestampTz *delivery)
{
	uint32		i = pg_atomic_read_u32(&sh->next_file);

	Assert(!sh->by_partition);
	if (i >= sh->nfiles)
		return false;
	*delivery = shared_files(sh)[i].delivery;
	return true;
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
