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
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "fmgr.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "ct_json.h"

#define CT_DEFAULT_LOG_TYPE		"CloudTrail"
#define CT_INSIGHT_LOG_TYPE		"CloudTrail-Insight"
#define CT_NETWORK_LOG_TYPE		"CloudTrail-NetworkActivity"

/* ---- ct_options.c ---- */

typedef struct CtOptions
{
	char	   *server_name;
	char	   *root;			/* server option, absolute */
	char	   *location;		/* table option, or NULL */
	char	   *log_type;		/* which sibling tree is read */
	bool		skip_bad_files; /* on_error = skip_file */
} CtOptions;

extern void ct_get_options(Oid foreigntableid, CtOptions *opts);
extern char *ct_column_field(Oid foreigntableid, AttrNumber attnum);
extern bool ct_may_see_paths(void);

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
} CtPartition;

typedef struct CtFile
{
	char	   *name;			/* file name inside the partition folder */
	TimestampTz delivery;		/* time in the file name (start of the minute) */
	int64		size;			/* bytes, or -1 when not asked for */
	bool		gzip;
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
} CtTree;

extern void ct_tree_open(CtTree *tree, const CtOptions *opts, CtOnError *onerr);
extern List *ct_tree_partitions(CtTree *tree);
extern CtFile *ct_tree_files(CtTree *tree, const CtPartition *part,
							 bool with_size, int *nfiles);
extern void ct_report_bad(CtOnError *onerr, const char *path, int sqlerrcode,
						  const char *what, const char *reason,
						  const char *detail);

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
extern Datum ct_jsonb_from_value(const CtValue *v, CtError *err, bool *ok);

/* ---- ct_scan.c: reading rows ---- */

typedef struct CtScanStats
{
	int64		partitions;		/* partition folders listed */
	int64		files;			/* files opened */
	int64		bytes_in;		/* bytes read from files */
	int64		bytes_out;		/* JSON bytes after decompression */
	int64		records;		/* records split */
	int64		rows;			/* rows returned */
	int64		bad_files;		/* files skipped by on_error */
} CtScanStats;

typedef struct CtScan CtScan;

extern CtScan *ct_scan_begin(Relation rel, Bitmapset *attrs_used,
							 bool quiet);
extern bool ct_scan_next(CtScan *scan, Datum *values, bool *nulls);
extern void ct_scan_rescan(CtScan *scan);
extern void ct_scan_end(CtScan *scan);
extern const CtScanStats *ct_scan_stats(CtScan *scan);
extern const char *ct_scan_location(CtScan *scan);

#endif							/* CLOUDTRAIL_FDW_H */
