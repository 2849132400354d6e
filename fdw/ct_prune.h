/*-------------------------------------------------------------------------
 *
 * ct_prune.h
 *		What the values of the pushed conditions let a scan skip (ct_prune.c):
 *		folders, files and records, and the raw-bytes check of records.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_PRUNE_H
#define CT_PRUNE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/date.h"

#include "ct_json.h"
#include "ct_options.h"
#include "ct_quals.h"
#include "ct_tree.h"

typedef struct CtStrCond
{
	int			nvals;
	char	  **vals;			/* UTF-8, as in the files */
	size_t	   *lens;
	bool		prefix;
	bool		pattern;		/* LIKE pieces: no vals; every needle is needed */
	bool		ci;				/* ILIKE: needles in any ASCII letter case */
	bool		negated;		/* <>, NOT IN: a string equal to none of vals */
	bool		never;			/* NOT IN a list holding NULL: never true */
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

/* cloudtrail_fdw.enable_hyperscan: the raw-bytes check's multi-pattern search */
extern bool ct_enable_hyperscan;

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

#endif							/* CT_PRUNE_H */
