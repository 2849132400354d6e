/*-------------------------------------------------------------------------
 *
 * ct_project.h
 *		jsonb ->> 'key' and -> 'key' on a column, computed by the scan itself
 *		(ct_project.c): the fields of fdw_scan_tlist.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_PROJECT_H
#define CT_PROJECT_H

#include "postgres.h"

#include "access/attnum.h"
#include "nodes/bitmapset.h"
#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"
#include "nodes/plannodes.h"
#include "nodes/primnodes.h"

/* One ->> field of a scan tuple: base column -> keys... ->> last key. */
typedef struct CtField
{
	int			attidx;			/* 0-based position in the scan tuple */
	AttrNumber	base_attno;		/* the jsonb column */
	List	   *keys;			/* of char *, at least one */
	bool		jsonb;			/* -> (jsonb, JSON null kept), not ->> (text) */
} CtField;

extern bool ct_decode_field(Node *node, Var **var, List **keys, bool *jsonb);
extern char *ct_field_label(const char *column, List *keys, bool jsonb);

extern List *ct_field_scan_tlist(PlannerInfo *root, RelOptInfo *baserel,
								 Oid relid, Bitmapset *attrs_used);
extern List *ct_field_output_tlist(PlannerInfo *root, RelOptInfo *baserel,
								   PathTarget *target, List *tlist, List *scan_tlist,
								   int natts);
extern void ct_scan_tlist_columns(ForeignScan *plan, int natts,
								  Bitmapset **attrs_used, List **fields);

#endif							/* CT_PROJECT_H */
