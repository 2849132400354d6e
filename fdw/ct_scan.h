/*-------------------------------------------------------------------------
 *
 * ct_scan.h
 *		Reading the rows of a cloudtrail_fdw foreign table (ct_scan.c), and
 *		what a scan counts for EXPLAIN ANALYZE.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_SCAN_H
#define CT_SCAN_H

#include "postgres.h"

#include "access/attnum.h"
#include "access/tupdesc.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "ct_prune.h"
#include "ct_tree.h"

typedef struct CtScanStats
{
	int64		partitions;		/* partition folders listed */
	int64		files;			/* files opened */
	int64		bytes_in;		/* bytes read from files */
	int64		bytes_out;		/* JSON bytes after decompression */
	int64		records;		/* records split */
	int64		records_raw_rejected;	/* rejected on their raw bytes */
	int64		records_parsed; /* validated and indexed */
	int64		records_rejected;	/* rejected after parsing, before conversion */
	int64		rows;			/* rows returned */
	int64		rows_held_max;	/* sorted scan: most rows held at once */
	int64		bad_files;		/* files skipped by on_error */
	int64		files_digest_skipped;	/* files the listing skipped by their
										 * digests' times */
	int64		files_index_skipped;	/* ... by the index */
	int64		files_unindexed;	/* files read that the index did not describe */
	int64		files_index_stale;	/* ... whose entry was out of date */
	int64		files_verified; /* verify_hashes: files whose hash matched */
	int64		files_verified_before;	/* ... as remembered from an earlier scan */
	int64		files_unverified;	/* ... newer than every digest: read as they are */
} CtScanStats;

/* every CtScanStats field is an int64 counter: the parallel code sums them */
#define CT_NSTATS	((int) (sizeof(CtScanStats) / sizeof(int64)))

typedef struct CtScan CtScan;

/* the shared state of a parallel scan: ct_parallel.h */
typedef struct CtShared CtShared;

extern CtScan *ct_scan_begin(Relation rel, TupleDesc scandesc, bool all_columns,
							 Bitmapset *attrs_used, List *fields, bool quiet,
							 CtPrune *prune, AttrNumber sort_attno,
							 CtShared *shared);
extern void ct_scan_set_prune(CtScan *scan, CtPrune *prune);

/*
 * ANALYZE's sampler (ct_analyze.c): which partitions (before they are
 * listed) and files a scan reads, and which records (once split, before
 * they are parsed) it converts into rows.
 */
typedef struct CtScanSampler
{
	bool		(*keep_partition) (void *arg, const CtPartition *part);
	bool		(*keep_file) (void *arg, const CtPartition *part, const CtFile *file);
	bool		(*keep_record) (void *arg, const CtPartition *part, const CtFile *file);
	void	   *arg;
} CtScanSampler;

extern void ct_scan_set_sampler(CtScan *scan, const CtScanSampler *sampler);
extern bool ct_scan_next(CtScan *scan, Datum *values, bool *nulls);
extern void ct_scan_rescan(CtScan *scan);
extern void ct_scan_end(CtScan *scan);
extern const CtScanStats *ct_scan_stats(CtScan *scan);

#endif							/* CT_SCAN_H */
