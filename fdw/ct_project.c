/*-------------------------------------------------------------------------
 *
 * ct_project.c
 *		jsonb ->> 'key' and -> 'key' on a column, computed by the scan itself.
 *
 * A query that reads useridentity->>'userName' needs one string of each
 * record, but evaluated by PostgreSQL it needs the whole userIdentity object
 * built as jsonb first.  When the scan is its query level's only relation,
 * such expressions go into fdw_scan_tlist, after one entry per column of the
 * table: setrefs.c then has the plan read them from the scan tuple, and the
 * scan finds the value in the record text directly (ct_scan.c).
 *
 * The value is what ->> gives: a string's value, the jsonb text of any other
 * value, NULL if missing; or what -> gives: the value as jsonb (JSON null
 * too), NULL if missing.  The column's own value is still checked to be
 * valid jsonb, so a value that cannot be jsonb is the same error either way.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"

#include "ct_options.h"
#include "ct_project.h"
#include "ct_quals.h"

typedef struct FindContext
{
	Index		varno;
	Relation	rel;
	List	   *exprs;
} FindContext;

/*
 * May key be read as one step of a key path, as jsonb reads it?  A key path
 * (ct_json_path_get) indexes an array with a key of digits, where -> and ->>
 * give NULL; #>> indexes arrays with anything strtol reads.  Such keys are
 * left to PostgreSQL.
 */
static bool
plain_key(const char *key)
{
	unsigned char c = (unsigned char) key[0];

	return !(c >= '0' && c <= '9') && c != '+' && c != '-' && !isspace(c);
}

/* Appends the text[] constant's elements to *keys; false if it has a NULL or none. */
static bool
array_keys(Node *node, List **keys)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (!IsA(node, Const) || ((Const *) node)->constisnull ||
		((Const *) node)->consttype != TEXTARRAYOID)
		return false;
	deconstruct_array(DatumGetArrayTypeP(((Const *) node)->constvalue), TEXTOID,
					  -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		return false;
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			return false;
		*keys = lappend(*keys, TextDatumGetCString(elems[i]));
	}
	return true;
}

/* A text constant as a key, appended to *keys. */
static bool
text_key(Node *node, List **keys)
{
	if (!IsA(node, Const) || ((Const *) node)->constisnull ||
		((Const *) node)->consttype != TEXTOID)
		return false;
	*keys = lappend(*keys, TextDatumGetCString(((Const *) node)->constvalue));
	return true;
}

/*
 * jsonb steps down from a Var: col -> 'a' -> 'b' (keys appended to *keys,
 * outermost last).  Returns the Var, or NULL if node is anything else.
 */
static Var *
json_steps(Node *node, List **keys)
{
	if (IsA(node, Var))
		return (Var *) node;
	if (IsA(node, OpExpr) && ((OpExpr *) node)->opfuncid == F_JSONB_OBJECT_FIELD &&
		list_length(((OpExpr *) node)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) node;
		Var		   *var = json_steps(linitial(op->args), keys);

		if (var == NULL || !text_key(lsecond(op->args), keys))
			return NULL;
		return var;
	}
	return NULL;
}

/*
 * Decodes col ->> 'k', col -> 'a' ->> 'k', col #>> '{a,k}' (or
 * jsonb_extract_path_text(col, ...)), and the same ending in -> or #> (or
 * jsonb_extract_path()), with constant keys: the column's Var, the keys, and
 * whether the result is jsonb rather than text.  Does not check the column.
 */
bool
ct_decode_field(Node *node, Var **var, List **keys, bool *jsonb)
{
	List	   *args;
	ListCell   *lc;
	Oid			func;

	*keys = NIL;
	if (IsA(node, OpExpr))
		func = ((OpExpr *) node)->opfuncid;
	else if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcvariadic)
		func = ((FuncExpr *) node)->funcid;
	else
		return false;
	if (func == F_JSONB_OBJECT_FIELD_TEXT || func == F_JSONB_EXTRACT_PATH_TEXT)
		*jsonb = false;
	else if (func == F_JSONB_OBJECT_FIELD || func == F_JSONB_EXTRACT_PATH)
		*jsonb = true;
	else
		return false;
	if (IsA(node, OpExpr))
		args = ((OpExpr *) node)->args;
	else if (func == F_JSONB_EXTRACT_PATH_TEXT || func == F_JSONB_EXTRACT_PATH)
		args = ((FuncExpr *) node)->args;
	else
		return false;
	if (list_length(args) != 2)
		return false;
	*var = json_steps(linitial(args), keys);
	if (*var == NULL)
		return false;
	if (!(exprType(lsecond(args)) == TEXTOID ? text_key(lsecond(args), keys)
		  : array_keys(lsecond(args), keys)))
		return false;
	foreach(lc, *keys)
		if (!plain_key(lfirst(lc)))
			return false;
	return true;
}

/*
 * A field as EXPLAIN shows it: column->'a'->>'key' (column->'a'->'key' when
 * it is jsonb); column is already quoted.
 */
char *
ct_field_label(const char *column, List *keys, bool jsonb)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoString(&buf, column);
	foreach(lc, keys)
		appendStringInfo(&buf, "%s%s", lnext(keys, lc) || jsonb ? "->" : "->>",
						 quote_literal_cstr(lfirst(lc)));
	return buf.data;
}

/* Is node such a field of a jsonb column of this scan that reads the record? */
static bool
is_field_expr(FindContext *cx, Node *node)
{
	Var		   *var;
	List	   *keys;
	bool		jsonb;
	Form_pg_attribute att;
	CtColumnMap map;

	if (!ct_decode_field(node, &var, &keys, &jsonb))
		return false;
	if (var->varno != cx->varno || var->varlevelsup != 0 || var->varattno <= 0)
		return false;
	att = TupleDescAttr(RelationGetDescr(cx->rel), var->varattno - 1);
	if (att->atttypid != JSONBOID)
		return false;
	ct_column_map(RelationGetRelid(cx->rel), att, &map);
	return map.kind == CT_COL_FIELD || map.kind == CT_COL_EVENT;
}

static bool
find_walker(Node *node, FindContext *cx)
{
	if (node == NULL)
		return false;
	if (is_field_expr(cx, node))
	{
		cx->exprs = list_append_unique(cx->exprs, node);
		return false;
	}
	return expression_tree_walker(node, find_walker, (void *) cx);
}

/*
 * The fdw_scan_tlist of a scan that computes the query's jsonb ->> 'key'
 * expressions on its columns, or NIL if there are none or the scan cannot.
 */
List *
ct_field_scan_tlist(PlannerInfo *root, RelOptInfo *baserel, Oid relid,
					Bitmapset *attrs_used)
{
	FindContext cx;
	TupleDesc	desc;
	List	   *tlist = NIL;
	ListCell   *lc;
	int			m = -1;

	/*
	 * Only for the query level's only relation: the expressions of the
	 * levels above are then computed from this scan's output, where setrefs
	 * can match them.  Whole-row and system columns have no place in the
	 * scan tuple.
	 */
	if (!ct_enable_pushdown || baserel->reloptkind != RELOPT_BASEREL ||
		!bms_equal(root->all_baserels, baserel->relids))
		return NIL;
	while ((m = bms_next_member(attrs_used, m)) >= 0)
		if (m + FirstLowInvalidHeapAttributeNumber <= 0)
			return NIL;

	cx.varno = baserel->relid;
	cx.rel = table_open(relid, NoLock);
	cx.exprs = NIL;
	foreach(lc, root->processed_tlist)
		find_walker((Node *) ((TargetEntry *) lfirst(lc))->expr, &cx);
	foreach(lc, baserel->baserestrictinfo)
		find_walker((Node *) ((RestrictInfo *) lfirst(lc))->clause, &cx);

	if (cx.exprs != NIL)
	{
		desc = RelationGetDescr(cx.rel);
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);
			Expr	   *e;

			/* entry i + 1 is column i + 1, so attribute numbers stay valid */
			if (att->attisdropped)
				e = (Expr *) makeNullConst(INT4OID, -1, InvalidOid);
			else
				e = (Expr *) makeVar(baserel->relid, att->attnum, att->atttypid,
									 att->atttypmod, att->attcollation, 0);
			tlist = lappend(tlist, makeTargetEntry(e, i + 1,
												   pstrdup(NameStr(att->attname)),
												   false));
		}
		foreach(lc, cx.exprs)
			tlist = lappend(tlist, makeTargetEntry(copyObject(lfirst(lc)),
												   list_length(tlist) + 1, NULL, false));
	}
	table_close(cx.rel, NoLock);
	return tlist;
}

typedef struct ResidualContext
{
	Index		varno;
	List	   *fields;			/* the field expressions of the scan */
	Bitmapset  *attnos;			/* columns used other than through them */
} ResidualContext;

static bool
residual_walker(Node *node, ResidualContext *cx)
{
	if (node == NULL)
		return false;
	if (list_member(cx->fields, node))
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if (var->varno == cx->varno && var->varlevelsup == 0)
			cx->attnos = bms_add_member(cx->attnos, var->varattno);
		return false;
	}
	return expression_tree_walker(node, residual_walker, (void *) cx);
}

/*
 * createplan.c's physical target list: every column, in order, as a Var,
 * and not the path's own target (which the node above may need exactly:
 * SELECT * has every column in order too)?
 */
static bool
is_physical_tlist(List *tlist, PathTarget *target, Index varno, int natts)
{
	ListCell   *lc,
			   *tc;

	if (list_length(tlist) != natts)
		return false;
	if (list_length(target->exprs) == natts)
	{
		bool		same = true;

		forboth(lc, tlist, tc, target->exprs)
			same = same && equal(((TargetEntry *) lfirst(lc))->expr, lfirst(tc));
		if (same)
			return false;
	}
	foreach(lc, tlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Var		   *var = (Var *) tle->expr;

		if (!IsA(var, Var) || var->varno != varno || var->varlevelsup != 0 ||
			var->varattno != tle->resno)
			return false;
	}
	return true;
}

/*
 * The target list of a scan that has a field target list (scan_tlist, from
 * ct_field_scan_tlist).  When the node above does not mind extra columns
 * (an aggregate, say), createplan.c gives the scan a physical target list,
 * every column in order: the scan would then convert each of them, and the
 * node above would compute count(useridentity->>'arn') from the whole
 * column.  Instead the scan produces the fields, which setrefs.c matches in
 * the expressions above it, and only the columns the query level uses other
 * than through a field.  Any other target list (the path's own, exactly as
 * the node above asked for it) is returned as it is.
 */
List *
ct_field_output_tlist(PlannerInfo *root, RelOptInfo *baserel, PathTarget *target,
					  List *tlist, List *scan_tlist, int natts)
{
	ResidualContext cx;
	List	   *out = NIL;
	ListCell   *lc;

	if (!is_physical_tlist(tlist, target, baserel->relid, natts))
		return tlist;
	cx.varno = baserel->relid;
	cx.fields = NIL;
	cx.attnos = NULL;
	foreach(lc, scan_tlist)
		if (((TargetEntry *) lfirst(lc))->resno > natts)
			cx.fields = lappend(cx.fields, ((TargetEntry *) lfirst(lc))->expr);
	residual_walker((Node *) root->processed_tlist, &cx);
	residual_walker(root->parse->havingQual, &cx);

	foreach(lc, tlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (bms_is_member(tle->resno, cx.attnos))
		{
			tle = flatCopyTargetEntry(tle);
			tle->resno = list_length(out) + 1;
			out = lappend(out, tle);
		}
	}
	foreach(lc, cx.fields)
		out = lappend(out, makeTargetEntry(copyObject(lfirst(lc)), list_length(out) + 1,
										   NULL, false));
	return out;
}

static bool
index_var_walker(Node *node, Bitmapset **used)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) && ((Var *) node)->varno == INDEX_VAR)
	{
		*used = bms_add_member(*used, ((Var *) node)->varattno);
		return false;
	}
	return expression_tree_walker(node, index_var_walker, (void *) used);
}

/*
 * What a scan with an fdw_scan_tlist must produce, from its finished plan:
 * the table's columns it reads (*attrs_used, offset as pull_varattnos does)
 * and the ->> and -> fields (*fields, CtField).
 */
void
ct_scan_tlist_columns(ForeignScan *plan, int natts, Bitmapset **attrs_used,
					  List **fields)
{
	Bitmapset  *used = NULL;
	int			pos = -1;

	index_var_walker((Node *) plan->scan.plan.targetlist, &used);
	index_var_walker((Node *) plan->scan.plan.qual, &used);
	*attrs_used = NULL;
	*fields = NIL;
	while ((pos = bms_next_member(used, pos)) >= 0)
	{
		TargetEntry *tle = list_nth(plan->fdw_scan_tlist, pos - 1);

		if (pos <= natts)
			*attrs_used = bms_add_member(*attrs_used,
										 pos - FirstLowInvalidHeapAttributeNumber);
		else
		{
			CtField    *f = palloc(sizeof(CtField));
			Var		   *var;

			if (!ct_decode_field((Node *) tle->expr, &var, &f->keys, &f->jsonb))
				elog(ERROR, "unexpected entry in cloudtrail_fdw scan target list");
			f->attidx = pos - 1;
			f->base_attno = var->varattno;
			*fields = lappend(*fields, f);
		}
	}
}
