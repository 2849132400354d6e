/*-------------------------------------------------------------------------
 *
 * ct_quals.h
 *		The WHERE conditions pushed into the file scan (ct_quals.c): what
 *		each is about, and how they travel from planning to the executor.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_QUALS_H
#define CT_QUALS_H

#include "postgres.h"

#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"

#include "ct_options.h"

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
	CT_OP_NOTNULL,				/* IS NOT NULL: the value is unused */
	CT_OP_NE,					/* <>: a check of the parsed record only */
	CT_OP_NOT_IN				/* NOT IN, <> ALL: the value is an array */
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

/* cloudtrail_fdw.enable_pushdown and cloudtrail_fdw.enable_sorted_scan */
extern bool ct_enable_pushdown;
extern bool ct_enable_sorted_scan;

extern List *ct_extract_conds(PlannerInfo *root, RelOptInfo *baserel,
							  Oid foreigntableid);
extern List *ct_conds_to_private(List *conds, List **fdw_exprs);
extern List *ct_conds_from_private(List *priv, List *fdw_exprs);
extern bool ct_conds_need_runtime(List *conds);
extern bool ct_clause_prunes_files(List *conds, RestrictInfo *rinfo);

#endif							/* CT_QUALS_H */
