/*-------------------------------------------------------------------------
 *
 * cloudtrail_fdw.h
 *		Declarations shared by the files of cloudtrail_fdw.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CLOUDTRAIL_FDW_H
#define CLOUDTRAIL_FDW_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog/pg_attribute.h"
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "fmgr.h"
#include "nodes/bitmapset.h"
#include "nodes/pathnodes.h"
#include "nodes/plannodes.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "ct_json.h"
#include "ct_options.h"

/* ---- ct_quals.c: conditions pushed into the scan ---- */

/* What a pushed condition is about. */
typedef enum CtTarget
{
	CT_TARGET_EVENTTIME,		/* the record's eventTime */
	CT_TARGET_EVENTDAY,			/* its date in the session's time zone
								 * (eventtime::date), against a date */
	CT_TARGET_STRING,			/* a key path holding a string */
	CT_TARGET_ACCOUNT,			/* the rest are parts of the path */
	CT_TARGET_REGION,
	CT_TARGET_ORG,
	CT_TARGET_DELIVERY_DATE,
	CT_TARGET_DELIVERY_TIME,
	CT_TARGET_PRESENT			/* a key path holding a non-null value */
} CtTarget;

typedef enum CtOp
{
	CT_OP_EQ,
	CT_OP_IN,					/* the value is an array */
	CT_OP_PREFIX,				/* LIKE 'prefix%' */
	CT_OP_LIKE,					/* LIKE with inner wildcards: the value is its
								 * literal pieces, as text[] */
	CT_OP_ILIKE,				/* ILIKE: the same, pieces in any ASCII case */
	CT_OP_LT,
	CT_OP_LE,
	CT_OP_GT,
	CT_OP_GE,
	CT_OP_NOTNULL				/* IS NOT NULL: the value is unused */
} CtOp;

/*
 * One pushed condition: target op value.  The value is a Const, or an
 * expression evaluated when the scan starts (parameters, now()).
 */
typedef struct CtCond
{
	CtTarget	target;
	CtOp		op;
	CtColumnMap key;			/* CT_TARGET_STRING/EVENTTIME: where the value is */
	Expr	   *arg;
	char	   *label;			/* for EXPLAIN */
	RestrictInfo *rinfo;		/* the clause it came from (planning only) */
} CtCond;

extern bool ct_enable_pushdown;
extern bool ct_enable_hyperscan;
extern bool ct_enable_sorted_scan;

extern List *ct_extract_conds(PlannerInfo *root, RelOptInfo *baserel,
							  Oid foreigntableid);
extern List *ct_conds_to_private(List *conds, List **fdw_exprs);
extern List *ct_conds_from_private(List *priv, List *fdw_exprs);
extern bool ct_conds_need_runtime(List *conds);
extern bool ct_clause_prunes_files(List *conds, RestrictInfo *rinfo);

extern Datum cloudtrail_fdw_handler(PG_FUNCTION_ARGS);

/* ---- ct_tree.c: which files a scan reads ---- */

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

/* ---- ct_prune.c: what the pushed conditions let a scan skip ---- */

typedef struct CtStrCond
{
	int			nvals;
	char	  **vals;			/* UTF-8, as in the files */
	size_t	   *lens;
	bool		prefix;
	bool		pattern;		/* LIKE pieces: no vals; every needle is needed */
	bool		ci;				/* ILIKE: needles in any ASCII letter case */
	/* raw-bytes check: a record with none of these can't match */
	bool		raw_ok;
	char	  **needles;
	size_t	   *needle_lens;
	CtColumnMap key;			/* record conditions: where the value is */
} CtStrCond;

/* A record key path that must hold a non-null value (IS NOT NULL). */
typedef struct CtKeyCond
{
	CtColumnMap key;
	/* raw-bytes check: a record without this key name cannot hold it */
	bool		raw_ok;
	char	   *needle;			/* "name", the path's last key */
	size_t		needle_len;
	bool		needle_ci;		/* matched in any ASCII letter case */
} CtKeyCond;

typedef struct CtPrune
{
	bool		impossible;		/* a condition can never hold */
	List	   *account;		/* CtStrCond lists, ANDed */
	List	   *region;
	List	   *org;
	List	   *strings;		/* conditions on record keys */
	List	   *present;		/* CtKeyCond: keys IS NOT NULL */
	struct CtPruneRaw *raw;		/* ct_prune.c: the raw checks, built on use */

	/* eventTime window; bounds are open unless *_incl */
	bool		has_lo,
				lo_incl,
				has_hi,
				hi_incl;
	TimestampTz lo,
				hi;
	CtColumnMap time_key;
	int64		delay;			/* max delivery delay in microseconds, -1 = unbounded */

	/* delivery_date and delivery_time bounds, inclusive */
	bool		has_dd_lo,
				has_dd_hi,
				has_dt_lo,
				has_dt_hi;
	DateADT		dd_lo,
				dd_hi;
	TimestampTz dt_lo,
				dt_hi;
} CtPrune;

extern void ct_prune_init(CtPrune *p, int64 delay);
extern void ct_prune_add(CtPrune *p, const CtCond *c, Datum value, bool isnull);
extern bool ct_prune_active(const CtPrune *p);
extern bool ct_keep_dir(const CtPrune *p, CtLevel level, const char *name,
						const CtPartition *cur);
extern bool ct_keep_partition(const CtPrune *p, const CtPartition *part);
extern bool ct_keep_date(const CtPrune *p, DateADT date);
extern bool ct_keep_file(const CtPrune *p, TimestampTz delivery);
extern bool ct_prune_wants_digest(const CtPrune *p, TimestampTz delivery);
extern bool ct_keep_file_times(const CtPrune *p, TimestampTz oldest, TimestampTz newest);
extern bool ct_prune_has_raw(const CtPrune *p);
extern bool ct_keep_record_raw(const CtPrune *p, const char *rec, size_t len);
extern bool ct_keep_record(const CtPrune *p, const CtRecord *rec,
							bool *has_time, TimestampTz *time);
extern char *ct_time_window_string(const CtPrune *p);
extern int64 ct_parse_delay(const char *value);

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

/* ---- ct_digest.c: event times of log files from CloudTrail-Digest files ---- */
extern uint64 ct_digest_generation(void);
extern bool ct_digest_is_name(const char *name);

/* Reading a digest file whole: what went wrong, for each caller to word. */
typedef enum CtDigestReadError
{
	CT_DIGEST_READ_OK,
	CT_DIGEST_READ_OPEN,		/* could not open it (errno) */
	CT_DIGEST_READ_STAT,		/* could not stat it (errno) */
	CT_DIGEST_READ_NOT_REGULAR,
	CT_DIGEST_READ_EMPTY,
	CT_DIGEST_READ_TOO_LARGE,	/* larger than CT_DIGEST_MAX_IN */
	CT_DIGEST_READ_READ,		/* a read failed (errno) */
	CT_DIGEST_READ_SHRANK
} CtDigestReadError;

#define CT_DIGEST_MAX_IN	((size_t) 16 * 1024 * 1024)
extern unsigned char *ct_digest_read_file(const char *path, size_t *len, off_t *size,
										  CtDigestReadError *err, int *save_errno);

#define CT_DIGEST_SHA_LEN	32
typedef enum CtDigestListing
{
	CT_DIGEST_LISTED,			/* a digest gives its hash */
	CT_DIGEST_UNLISTED,			/* none does, and one should */
	CT_DIGEST_NEWEST			/* none does: it may be in the newest hour */
} CtDigestListing;
extern CtDigestListing ct_digest_hashes(CtTree *tree, const char *partdir, const char *name,
										TimestampTz delivery, uint8 (*sha)[CT_DIGEST_SHA_LEN],
										int max, int *nsha);
extern bool ct_digest_times(CtTree *tree, const char *partdir, const char *name,
							TimestampTz delivery, TimestampTz *oldest,
							TimestampTz *newest);

/* ---- ct_convert.c: JSON values to column datums ---- */

typedef enum CtConvKind
{
	CT_CONV_TEXT,
	CT_CONV_JSONB,
	CT_CONV_JSON,
	CT_CONV_TIMESTAMPTZ,
	CT_CONV_TIMESTAMP,
	CT_CONV_DATE,
	CT_CONV_BOOL,
	CT_CONV_INT2,
	CT_CONV_INT4,
	CT_CONV_INT8,
	CT_CONV_NUMERIC,
	CT_CONV_FLOAT4,
	CT_CONV_FLOAT8,
	CT_CONV_INPUT				/* any other type: its input function */
} CtConvKind;

typedef struct CtConverter
{
	CtConvKind	kind;
	Oid			typid;
	int32		typmod;
	FmgrInfo	infunc;
	Oid			ioparam;
} CtConverter;

extern void ct_converter_init(CtConverter *conv, Oid typid, int32 typmod);
extern bool ct_convert_value(CtConverter *conv, const CtValue *v,
							 Datum *out, CtError *err);
extern bool ct_convert_string(CtConverter *conv, const char *s, size_t len,
							  Datum *out, CtError *err);
struct JsonbValue;
extern bool ct_value_error(CtError *err, int sqlerrcode, const char *fmt,...) pg_attribute_printf(3, 4);
extern bool ct_jsonb_scalar(const CtValue *v, struct JsonbValue *jv, bool build, CtError *err);

/* ---- ct_jsonb.c: jsonb written from JSON text ---- */
extern Datum ct_jsonb_from_value(const CtValue *v, CtError *err, bool *ok);
extern bool ct_jsonb_check(const CtValue *v, CtError *err);

/* ---- ct_scan.c: reading rows ---- */

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

/* ---- ct_project.c: jsonb ->> 'key' computed by the scan ---- */

/* One ->> field of a scan tuple: base column -> keys... ->> last key. */
typedef struct CtField
{
	int			attidx;			/* 0-based position in the scan tuple */
	AttrNumber	base_attno;		/* the jsonb column */
	List	   *keys;			/* of char *, at least one */
	bool		jsonb;			/* -> (jsonb, JSON null kept), not ->> (text) */
} CtField;

extern bool ct_decode_field(Node *node, Var **var, List **keys, bool *jsonb);

extern List *ct_field_scan_tlist(PlannerInfo *root, RelOptInfo *baserel,
								 Oid relid, Bitmapset *attrs_used);
extern List *ct_field_output_tlist(PlannerInfo *root, RelOptInfo *baserel,
								   PathTarget *target, List *tlist, List *scan_tlist,
								   int natts);
extern void ct_scan_tlist_columns(ForeignScan *plan, int natts,
								  Bitmapset **attrs_used, List **fields);

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

#endif							/* CLOUDTRAIL_FDW_H */
