/*-------------------------------------------------------------------------
 *
 * ct_tree.h
 *		The walk of a mirror (ct_tree.c): its partitions (account x region x
 *		day folders) and their event files, and how bad ones are reported.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_TREE_H
#define CT_TREE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/date.h"

#include "ct_options.h"

/*
 * Known here only by name: ct_prune.h includes this header (ct_keep_dir()
 * takes levels and partitions), and the index's types are ct_index.h's.
 */
struct CtIndex;
struct CtIndexProbe;
struct CtPrune;

/* Levels of [prefix/]AWSLogs/[o-ORG/]ACCOUNT/TYPE/REGION/YYYY/MM/DD/file */
typedef enum CtLevel
{
	CT_LEVEL_PREFIX,
	CT_LEVEL_AWSLOGS,
	CT_LEVEL_ORG,
	CT_LEVEL_ACCOUNT,
	CT_LEVEL_TYPE,
	CT_LEVEL_REGION,
	CT_LEVEL_YEAR,
	CT_LEVEL_MONTH,
	CT_LEVEL_DAY,
	CT_LEVEL_FILE
} CtLevel;

/* How bad files and folders are handled: ERROR, or WARNING and a count. */
typedef struct CtOnError
{
	bool		skip;
	bool		quiet;			/* planning: skip without warning */
	int64		nskipped;
	const char *relname;
} CtOnError;

/* One account x region x day folder: the unit of pruning. */
typedef struct CtPartition
{
	char	   *dir;			/* relative to the root */
	char	   *org;			/* NULL outside organization trails */
	char	   *account;
	char	   *region;
	DateADT		date;			/* delivery date of the folder */
	/* what the listing learnt, so that a scan through the index need not ask again */
	int			index_slot;		/* 1 + its folder in the tree's index; 0: look it up */
	bool		id_known;		/* the folder's identity when it was listed: */
	int64		id_mtime_sec;
	int32		id_mtime_nsec;
	uint64		id_ino;
} CtPartition;

/* The eventTimes of a file's records, as its digest gives them. */
typedef struct CtSpan
{
	bool		known;			/* the digest was looked up and lists it */
	TimestampTz oldest;
	TimestampTz newest;
} CtSpan;

typedef struct CtFile
{
	char	   *name;			/* file name inside the partition folder */
	TimestampTz delivery;		/* time in the file name (start of the minute) */
	int64		size;			/* bytes, or -1 when not asked for */
	int64		mtime_sec;		/* modification time, with the size */
	int32		mtime_nsec;
	bool		gzip;
	CtSpan		span;
	bool		times_exact;	/* the index knows the newest eventTime: */
	TimestampTz newest;
} CtFile;

typedef struct CtTree
{
	char	   *root;			/* real path of the root folder */
	char	   *start;			/* where the walk starts, relative to root */
	CtLevel		start_level;
	CtPartition seed;			/* path parts fixed by the location */
	char	   *single_file;	/* location names one event file */
	const char *log_type;
	CtOnError  *onerr;
	const struct CtPrune *prune;	/* NULL: read everything */
	bool		count_total;	/* also count the partitions pruned */
	bool		use_digests;	/* look up the event times of files in digests */
	uint64		digest_generation;	/* see ct_digest.c */
	int64		partitions_total;	/* day folders, pruned or not */
	int64		files_listed;	/* event files in the partitions listed */
	int64		files_digest_pruned;	/* of those, skipped by their digest's times */
	/* the persistent index (ct_index.c), if the mirror has one */
	struct CtIndex *index;
	bool		index_plan;		/* planning: trust it without looking at the disk */
	bool		index_check_files;	/* stat() a file before the index skips it */
	MemoryContext cxt;			/* where the tree lives */
	const struct CtPrune *probe_for;	/* the conditions probe was made for */
	struct CtIndexProbe *probe;
	int64		files_index_covered;	/* listed files the index describes */
	int64		files_index_pruned; /* of those, skipped by it */
	int64		files_unindexed;	/* files listed from disk: folder new or changed */
	int64		files_index_stale;	/* entries whose file changed: read */
} CtTree;

extern void ct_tree_open(CtTree *tree, const CtOptions *opts, CtOnError *onerr);
extern void ct_tree_open_with(CtTree *tree, const CtOptions *opts, CtOnError *onerr,
							  bool with_index);
extern List *ct_tree_partitions(CtTree *tree);
extern CtFile *ct_tree_files(CtTree *tree, const CtPartition *part,
							 bool with_size, int *nfiles);
/* what planning sizes: ct_tree_sizes() */
typedef struct CtTreeSizes
{
	int64		nfiles;
	int64		gz_bytes;
	int64		plain_bytes;
} CtTreeSizes;

extern int	ct_tree_sizes(CtTree *tree, const struct CtPrune *prune, CtTreeSizes *sizes);
extern void ct_report_bad(CtOnError *onerr, const char *path, int sqlerrcode,
						  const char *what, const char *reason,
						  const char *detail, const char *hint);
extern bool ct_tree_inside_root(const CtTree *tree, const char *p);
extern int	ct_file_cmp_newest_first(TimestampTz da, const char *dira, const char *namea,
									 TimestampTz db, const char *dirb, const char *nameb);
extern int	ct_partition_cmp_newest_first(const ListCell *a, const ListCell *b);

#endif							/* CT_TREE_H */
