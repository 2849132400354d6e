/*-------------------------------------------------------------------------
 *
 * ct_options.h
 *		The options of cloudtrail_fdw servers, tables and columns: what
 *		they say, and where each column's value comes from.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_OPTIONS_H
#define CT_OPTIONS_H

#include "postgres.h"

#include "catalog/pg_attribute.h"

#define CT_DEFAULT_LOG_TYPE		"CloudTrail"
#define CT_INSIGHT_LOG_TYPE		"CloudTrail-Insight"
#define CT_NETWORK_LOG_TYPE		"CloudTrail-NetworkActivity"

typedef struct CtOptions
{
	char	   *server_name;
	char	   *root;			/* server option, absolute */
	char	   *location;		/* table option, or NULL */
	char	   *log_type;		/* which sibling tree is read */
	bool		skip_bad_files; /* on_error = skip_file */
	char	   *delay_text;		/* max_delivery_delay as given */
	int64		delay;			/* ... in microseconds, -1 = unbounded */
	bool		use_digests;	/* prune by the times digest files give */
	bool		index_check_files;	/* index_check 'files': stat() a file before
									 * the index skips it; 'folders': trust an
									 * unchanged folder */
	bool		verify_hashes;	/* read only files whose digest's hash they match */
} CtOptions;

/*
 * CloudTrail retries a delivery for up to 30 days when the bucket is
 * unreachable, after its normal delay of minutes: a day more covers that,
 * so upper bounds on eventtime prune only what cannot hold a match.
 */
#define CT_DEFAULT_DELAY		"31 days"

/* Where a column's value comes from. */
typedef enum CtColKind
{
	CT_COL_FIELD,				/* a key path of the record */
	CT_COL_EVENT,				/* the whole record */
	CT_COL_ORG,					/* the rest come from the file's path */
	CT_COL_ACCOUNT,
	CT_COL_REGION,
	CT_COL_DELIVERY_DATE,
	CT_COL_DELIVERY_TIME,
	CT_COL_LOG_FILE
} CtColKind;

typedef struct CtColumnMap
{
	CtColKind	kind;
	int			npath;			/* CT_COL_FIELD: key path */
	char	  **path;
	bool		first_ci;		/* first key matched in any letter case */
} CtColumnMap;

extern void ct_get_options(Oid foreigntableid, CtOptions *opts);
extern void ct_column_map(Oid foreigntableid, Form_pg_attribute att,
						  CtColumnMap *map);
extern bool ct_column_map_descend(CtColumnMap *map, char *const *keys, int nkeys);
extern bool ct_column_map_is_eventtime(const CtColumnMap *map);
extern bool ct_may_see_paths(void);
extern char *ct_check_table(Oid relid, const char *detail);

extern void ct_location_check_init(void);

#endif							/* CT_OPTIONS_H */
