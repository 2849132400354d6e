/*-------------------------------------------------------------------------
 *
 * ct_quals.c
 *		Find the WHERE conditions that can be pushed into the file scan.
 *
 * A pushed condition only ever narrows what is read: every qual stays a
 * local filter as well, so the answer does not depend on the pushdown being
 * complete, only on it being conservative (see ct_prune.c).
 *
 * Pushed: eventtime against timestamptz values; text columns and
 * jsonb ->> 'key' (=, IN, LIKE: without wildcards or with one trailing % as
 * = and a prefix, any other pattern by its literal pieces);
 * account_id, region, org_id the same way; delivery_date and delivery_time
 * ranges.  The value side may be a constant, a parameter or a stable
 * expression; it is evaluated when the scan starts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "ct_compat.h"
#include "ct_options.h"
#include "ct_project.h"
#include "ct_quals.h"
#include "ct_rawcheck.h"
#include "ct_regex.h"

bool		ct_enable_pushdown = true;
bool		ct_enable_sorted_scan = true;

typedef struct ExtractContext
{
	Oid			relid;
	Index		varno;
	Relation	rel;
	List	   *conds;
	RestrictInfo *rinfo;		/* the clause being classified */
} ExtractContext;

/* The value side: no column of this scan, nothing volatile. */
static bool
is_value_expr(Expr *e)
{
	return !contain_var_clause((Node *) e) &&
		!contain_volatile_functions((Node *) e) &&
		!contain_subplans((Node *) e);
}

static Expr *
strip_relabel(Expr *e)
{
	while (e && IsA(e, RelabelType))
		e = ((RelabelType *) e)->arg;
	return e;
}

/*
 * What a column-side expression refers to: a column of this table, or a
 * text field of a jsonb column, jsonb_col ->> 'key', jsonb_col -> 'a' ->>
 * 'key' or jsonb_col #>> '{a,key}' (ct_decode_field()).  Returns false if it
 * is neither.
 */
static bool
describe_column(ExtractContext *cx, Expr *e, CtColumnMap *map, Oid *typid,
				char **label)
{
	Var		   *var;
	Form_pg_attribute att;
	List	   *keys = NIL;
	bool		jsonb;

	e = strip_relabel(e);
	if (ct_decode_field((Node *) e, &var, &keys, &jsonb))
	{
		if (jsonb)
			return false;
		e = (Expr *) var;
	}
	if (!IsA(e, Var))
		return false;
	var = (Var *) e;
	if (var->varno != cx->varno || var->varlevelsup != 0 || var->varattno <= 0)
		return false;
	att = TupleDescAttr(RelationGetDescr(cx->rel), var->varattno - 1);
	ct_column_map(cx->relid, att, map);
	*typid = att->atttypid;
	*label = pstrdup(quote_identifier(NameStr(att->attname)));

	if (keys != NIL)
	{
		char	  **path = palloc(sizeof(char *) * list_length(keys));
		int			n = 0;
		ListCell   *lc;

		/* the field reads further down the record, exactly as jsonb does */
		if (att->atttypid != JSONBOID)
			return false;
		foreach(lc, keys)
			path[n++] = lfirst(lc);
		if (!ct_column_map_descend(map, path, n))
			return false;
		*typid = TEXTOID;
		*label = ct_field_label(*label, keys, false);
	}
	return true;
}

static const char *
op_symbol(CtOp op)
{
	switch (op)
	{
		case CT_OP_EQ:
			return "=";
		case CT_OP_IN:
			return "IN";
		case CT_OP_PREFIX:
		case CT_OP_LIKE:
			return "LIKE";
		case CT_OP_ILIKE:
			return "ILIKE";
		case CT_OP_LT:
			return "<";
		case CT_OP_LE:
			return "<=";
		case CT_OP_GT:
			return ">";
		case CT_OP_GE:
			return ">=";
		case CT_OP_NOTNULL:
			return "IS NOT NULL";
		case CT_OP_NE:
			return "<>";
		case CT_OP_NOT_IN:
			return "NOT IN";
	}
	return "?";
}

/*
 * A copy of a value expression whose PARAM_EXEC Params (the values of an
 * outer query, or of an initplan) are printed as $n.  Without a plan to
 * resolve them against, ruleutils.c cannot name them, and from 17 on it
 * crashes trying: they are relabelled as external parameters, for EXPLAIN.
 */
static Node *
params_for_label(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXEC)
	{
		Param	   *p = (Param *) copyObject(node);

		p->paramkind = PARAM_EXTERN;
		return (Node *) p;
	}
	return expression_tree_mutator(node, params_for_label, context);
}

static char *
deparse_value(ExtractContext *cx, Expr *arg)
{
	if (IsA(arg, Const))
	{
		Const	   *c = (Const *) arg;
		Oid			out;
		bool		isvarlena;

		if (c->constisnull)
			return "NULL";
		getTypeOutputInfo(c->consttype, &out, &isvarlena);
		return quote_literal_cstr(OidOutputFunctionCall(out, c->constvalue));
	}
	return deparse_expression(params_for_label((Node *) arg, NULL),
							  deparse_context_for(RelationGetRelationName(cx->rel), cx->relid),
							  false, false);
}

/* A constant array as ('a', 'b'); anything else as SQL. */
static char *
deparse_in_list(ExtractContext *cx, Expr *arg)
{
	StringInfoData buf;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (!IsA(arg, Const) || ((Const *) arg)->constisnull)
		return psprintf("(%s)", deparse_value(cx, arg));
	deconstruct_array(DatumGetArrayTypeP(((Const *) arg)->constvalue), TEXTOID, -1,
					  false, TYPALIGN_INT, &elems, &nulls, &n);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (int i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "",
						 nulls[i] ? "NULL" : quote_literal_cstr(TextDatumGetCString(elems[i])));
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

static void
add_cond(ExtractContext *cx, CtTarget target, CtOp op, CtColumnMap *map,
		 Expr *arg, const char *label, const char *shown_value)
{
	CtCond	   *c = palloc0(sizeof(CtCond));

	c->target = target;
	c->op = op;
	if (map)
		c->key = *map;
	c->arg = arg;
	c->rinfo = cx->rinfo;
	if (op == CT_OP_NOTNULL)
		c->label = psprintf("%s IS NOT NULL", label);
	else if (op == CT_OP_PREFIX || op == CT_OP_LIKE || op == CT_OP_ILIKE)
		c->label = psprintf("%s %s %s", label, op_symbol(op), shown_value);
	else if (op == CT_OP_IN || op == CT_OP_NOT_IN)
		c->label = psprintf("%s %s %s", label, op_symbol(op), shown_value);
	else
		c->label = psprintf("%s %s %s", label, op_symbol(op), shown_value);
	cx->conds = lappend(cx->conds, c);
}

/*
 * add_cond() for a condition checked as something else (LIKE or ILIKE
 * pieces) than what it is, shown as written.
 */
static void
add_cond_as_written(ExtractContext *cx, CtOp op, CtColumnMap *map, Expr *arg,
					char *written)
{
	add_cond(cx, CT_TARGET_STRING, op, map, arg, written, "");
	((CtCond *) llast(cx->conds))->label = written;
}

/*
 * A timestamptz column is compared with timestamptz values, and with date and
 * timestamp values through PostgreSQL's cross-type operators, which convert
 * them in the session's time zone; ct_prune.c converts them the same way.
 */
static bool
is_time_type(Oid valtype)
{
	return valtype == TIMESTAMPTZOID || valtype == TIMESTAMPOID || valtype == DATEOID;
}

/* Which target a column is, for the given value type; false if none. */
static bool
column_target(CtColumnMap *map, Oid coltype, Oid valtype, CtTarget *target)
{
	switch (map->kind)
	{
		case CT_COL_FIELD:
			if (coltype == TEXTOID && valtype == TEXTOID)
			{
				*target = CT_TARGET_STRING;
				return true;
			}
			if (coltype == TIMESTAMPTZOID && is_time_type(valtype) &&
				ct_column_map_is_eventtime(map))
			{
				*target = CT_TARGET_EVENTTIME;
				return true;
			}
			return false;
		case CT_COL_ACCOUNT:
			*target = CT_TARGET_ACCOUNT;
			return coltype == TEXTOID && valtype == TEXTOID;
		case CT_COL_REGION:
			*target = CT_TARGET_REGION;
			return coltype == TEXTOID && valtype == TEXTOID;
		case CT_COL_ORG:
			*target = CT_TARGET_ORG;
			return coltype == TEXTOID && valtype == TEXTOID;
		case CT_COL_DELIVERY_DATE:
			*target = CT_TARGET_DELIVERY_DATE;
			return coltype == DATEOID && valtype == DATEOID;
		case CT_COL_DELIVERY_TIME:
			*target = CT_TARGET_DELIVERY_TIME;
			return coltype == TIMESTAMPTZOID && is_time_type(valtype);
		default:
			return false;
	}
}

static bool
comparison_op(Oid funcid, CtOp *op)
{
	switch (funcid)
	{
		case F_TEXTNE:
			*op = CT_OP_NE;
			return true;
		case F_TEXTEQ:
		case F_TIMESTAMPTZ_EQ:
		case F_TIMESTAMPTZ_EQ_DATE:
		case F_DATE_EQ_TIMESTAMPTZ:
		case F_TIMESTAMPTZ_EQ_TIMESTAMP:
		case F_TIMESTAMP_EQ_TIMESTAMPTZ:
		case F_DATE_EQ:
			*op = CT_OP_EQ;
			return true;
		case F_TIMESTAMPTZ_LT:
		case F_TIMESTAMPTZ_LT_DATE:
		case F_DATE_LT_TIMESTAMPTZ:
		case F_TIMESTAMPTZ_LT_TIMESTAMP:
		case F_TIMESTAMP_LT_TIMESTAMPTZ:
		case F_DATE_LT:
			*op = CT_OP_LT;
			return true;
		case F_TIMESTAMPTZ_LE:
		case F_TIMESTAMPTZ_LE_DATE:
		case F_DATE_LE_TIMESTAMPTZ:
		case F_TIMESTAMPTZ_LE_TIMESTAMP:
		case F_TIMESTAMP_LE_TIMESTAMPTZ:
		case F_DATE_LE:
			*op = CT_OP_LE;
			return true;
		case F_TIMESTAMPTZ_GT:
		case F_TIMESTAMPTZ_GT_DATE:
		case F_DATE_GT_TIMESTAMPTZ:
		case F_TIMESTAMPTZ_GT_TIMESTAMP:
		case F_TIMESTAMP_GT_TIMESTAMPTZ:
		case F_DATE_GT:
			*op = CT_OP_GT;
			return true;
		case F_TIMESTAMPTZ_GE:
		case F_TIMESTAMPTZ_GE_DATE:
		case F_DATE_GE_TIMESTAMPTZ:
		case F_TIMESTAMPTZ_GE_TIMESTAMP:
		case F_TIMESTAMP_GE_TIMESTAMPTZ:
		case F_DATE_GE:
			*op = CT_OP_GE;
			return true;
		default:
			return false;
	}
}

static CtOp
commute(CtOp op)
{
	switch (op)
	{
		case CT_OP_LT:
			return CT_OP_GT;
		case CT_OP_LE:
			return CT_OP_GE;
		case CT_OP_GT:
			return CT_OP_LT;
		case CT_OP_GE:
			return CT_OP_LE;
		default:
			return op;
	}
}

/* Equality and LIKE on text are byte comparisons only under deterministic collations. */
static bool
bytewise_collation(Oid collid)
{
	return !OidIsValid(collid) || get_collation_isdeterministic(collid);
}

/*
 * The literal pieces of a LIKE pattern, between its wildcards (% and _; a
 * backslash escapes), and its shape: CT_OP_EQ without a wildcard, and
 * CT_OP_PREFIX with only a trailing %, each with one piece (maybe empty);
 * CT_OP_LIKE otherwise.  false for a pattern ending in a lone backslash.
 */
static bool
like_pieces(const char *pat, List **pieces, CtOp *shape)
{
	StringInfoData buf;
	int			nwild = 0;
	bool		trailing = false;

	initStringInfo(&buf);
	*pieces = NIL;
	for (const char *p = pat; *p; p++)
	{
		if (*p == '%' || *p == '_')
		{
			nwild++;
			trailing = (*p == '%' && p[1] == '\0');
			if (buf.len > 0)
				*pieces = lappend(*pieces, pstrdup(buf.data));
			resetStringInfo(&buf);
			continue;
		}
		if (*p == '\\' && *++p == '\0')
			return false;
		appendStringInfoChar(&buf, *p);
	}
	if (buf.len > 0)
		*pieces = lappend(*pieces, pstrdup(buf.data));
	if (nwild == 0 || (nwild == 1 && trailing))
	{
		*shape = nwild == 0 ? CT_OP_EQ : CT_OP_PREFIX;
		if (*pieces == NIL)
			*pieces = list_make1(pstrdup(""));
	}
	else
		*shape = CT_OP_LIKE;
	return true;
}

/* The pieces as a text[] constant. */
static Expr *
pieces_array(List *pieces)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(pieces), 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, pieces)
		elems[n++] = CStringGetTextDatum(lfirst(lc));
	return (Expr *) makeConst(TEXTARRAYOID, -1, InvalidOid, -1,
							  PointerGetDatum(construct_array(elems, n, TEXTOID, -1,
															  false, TYPALIGN_INT)),
							  false, false);
}

/*
 * eventtime::date (or date(eventtime)) on a column reading eventTime.  The
 * comparison is pushed as the range of instants whose local date compares
 * so (ct_prune.c); the clause itself stays the filter, as every clause does.
 */
static bool
describe_event_day(ExtractContext *cx, Expr *e, CtColumnMap *map, char **label)
{
	FuncExpr   *f = (FuncExpr *) strip_relabel(e);
	Oid			coltype;
	CtTarget	target;

	if (!IsA(f, FuncExpr) || f->funcid != CT_F_DATE_OF_TIMESTAMPTZ || list_length(f->args) != 1)
		return false;
	if (!describe_column(cx, linitial(f->args), map, &coltype, label) ||
		!column_target(map, coltype, TIMESTAMPTZOID, &target) ||
		target != CT_TARGET_EVENTTIME)
		return false;
	*label = psprintf("%s::date", *label);
	return true;
}

static bool
date_comparison_op(Oid funcid, CtOp *op)
{
	switch (funcid)
	{
		case F_DATE_EQ:
			*op = CT_OP_EQ;
			return true;
		case F_DATE_LT:
			*op = CT_OP_LT;
			return true;
		case F_DATE_LE:
			*op = CT_OP_LE;
			return true;
		case F_DATE_GT:
			*op = CT_OP_GT;
			return true;
		case F_DATE_GE:
			*op = CT_OP_GE;
			return true;
		default:
			return false;
	}
}

/* eventtime::date compared with a date value; false if op is not that. */
static bool
classify_event_day(ExtractContext *cx, OpExpr *op)
{
	Expr	   *left = linitial(op->args);
	Expr	   *right = lsecond(op->args);
	CtColumnMap map;
	char	   *label;
	CtOp		ctop;

	if (!date_comparison_op(op->opfuncid, &ctop))
		return false;
	if (describe_event_day(cx, left, &map, &label) && is_value_expr(right))
		add_cond(cx, CT_TARGET_EVENTDAY, ctop, &map, right, label, deparse_value(cx, right));
	else if (describe_event_day(cx, right, &map, &label) && is_value_expr(left))
		add_cond(cx, CT_TARGET_EVENTDAY, commute(ctop), &map, left, label, deparse_value(cx, left));
	else
		return false;
	return true;
}

/*
 * json_col::text, jsonb_col::text or event::text: the text of a column read
 * from the record (for event, the whole record: an empty key path).  LIKE
 * pieces are looked for in the record's raw bytes under the same rules as
 * for text columns, which also show objects and numbers as jsonb prints them
 * (json keeps the file's text: the rules hold for it too).
 */
static bool
describe_json_text(ExtractContext *cx, Expr *e, CtColumnMap *map, char **label)
{
	Oid			coltype;

	if (IsA(e, CoerceViaIO) && ((CoerceViaIO *) e)->resulttype == TEXTOID)
		e = ((CoerceViaIO *) e)->arg;
	else if (IsA(e, RelabelType) && ((RelabelType *) e)->resulttype == TEXTOID)
		e = ((RelabelType *) e)->arg;
	else
		return false;
	e = strip_relabel(e);
	if (!IsA(e, Var) || !describe_column(cx, e, map, &coltype, label) ||
		(coltype != JSONBOID && coltype != JSONOID))
		return false;
	if (map->kind == CT_COL_EVENT)
		(void) ct_column_map_descend(map, NULL, 0);
	else if (map->kind != CT_COL_FIELD)
		return false;
	*label = psprintf("%s::text", *label);
	return true;
}

/*
 * The pieces of an ILIKE pattern that a raw check may look for in any ASCII
 * letter case: each piece cut into its runs of characters whose case
 * folding is exact in every collation (ct_raw_ci_span).
 */
static List *
ci_pieces(List *pieces)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, pieces)
	{
		const char *p = lfirst(lc);
		size_t		len = strlen(p);

		while (len > 0)
		{
			size_t		n = ct_raw_ci_span(p, len);

			if (n > 0)
				out = lappend(out, pnstrdup(p, n));
			/* skip the character that ended the run (all its bytes) */
			if (n < len)
				n += pg_mblen(p + n);
			p += Min(n, len);
			len -= Min(n, len);
		}
	}
	return out;
}

/*
 * col LIKE / ILIKE 'pattern' (also ~~, ~~*) with a constant pattern.  LIKE
 * without wildcards or with one trailing % is = or a prefix; any other
 * pattern, every ILIKE and every pattern on the text of a json or jsonb
 * column is pushed as its literal pieces, which a matching record holds.
 */
static void
classify_like(ExtractContext *cx, OpExpr *op, CtColumnMap *map, Oid coltype,
			  bool json_text, const char *label)
{
	Const	   *c = (Const *) strip_relabel(lsecond(op->args));
	bool		ci = op->opfuncid == F_TEXTICLIKE;
	List	   *pieces;
	CtOp		shape;
	CtTarget	target;

	if (!IsA(c, Const) || c->constisnull || !bytewise_collation(op->inputcollid))
		return;
	if (json_text)
		target = CT_TARGET_STRING;
	else if (!column_target(map, coltype, TEXTOID, &target) || target == CT_TARGET_EVENTTIME)
		return;
	if (!like_pieces(TextDatumGetCString(c->constvalue), &pieces, &shape))
		return;
	if (target != CT_TARGET_STRING && (ci || shape == CT_OP_LIKE))
		return;					/* path columns: = and prefixes only */
	if (ci)
		add_cond(cx, target, CT_OP_ILIKE, map, pieces_array(ci_pieces(pieces)), label,
				 deparse_value(cx, (Expr *) c));
	else if (shape != CT_OP_LIKE && !json_text)
		add_cond(cx, target, shape, map,
				 (Expr *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
									CStringGetTextDatum(linitial(pieces)), false, false),
				 label, deparse_value(cx, (Expr *) c));
	else
		add_cond(cx, target, CT_OP_LIKE, map, pieces_array(pieces), label,
				 deparse_value(cx, (Expr *) c));
}

static void
collect_piece(void *arg, const char *piece, size_t len)
{
	List	  **pieces = (List **) arg;

	*pieces = lappend(*pieces, pnstrdup(piece, len));
}

/*
 * col ~ 'pattern' and col ~* 'pattern' (also regexp_like and SIMILAR TO,
 * which PostgreSQL turns into ~) with a constant pattern: pushed as the
 * literal pieces every match holds (ct_regex.c), looked for as a LIKE
 * pattern's are.  A pattern with none is not pushed.
 */
static void
classify_regex(ExtractContext *cx, Expr *pattern, bool ci, Oid collid,
			   CtColumnMap *map, Oid coltype, bool json_text, const char *label)
{
	Const	   *c = (Const *) strip_relabel(pattern);
	List	   *pieces = NIL;
	CtTarget	target;
	char	   *pat;
	char	   *shown;

	if (!IsA(c, Const) || c->constisnull || c->consttype != TEXTOID ||
		!bytewise_collation(collid))
		return;
	if (json_text)
		target = CT_TARGET_STRING;
	else if (!column_target(map, coltype, TEXTOID, &target) || target != CT_TARGET_STRING)
		return;					/* path columns: = and prefixes only */
	pat = TextDatumGetCString(c->constvalue);
	if (!ct_regex_pieces(pat, strlen(pat), collect_piece, &pieces))
		return;
	if (ci)
		pieces = ci_pieces(pieces);
	if (pieces == NIL)
		return;
	shown = deparse_value(cx, (Expr *) c);
	add_cond_as_written(cx, ci ? CT_OP_ILIKE : CT_OP_LIKE, map, pieces_array(pieces),
						psprintf("%s %s %s", label, ci ? "~*" : "~", shown));
}

/*
 * lower(col) = 'value' or LIKE 'pattern' (also upper()), with a value as
 * lower() (or upper()) would leave it: the case-insensitive comparison that
 * a translation of a Sigma rule writes.  Pushed as ILIKE pieces (the value,
 * or the pattern's pieces), which hold whatever the collation's case
 * mapping, since a piece is cut into runs of characters whose case folding
 * is exact (ci_pieces()).  A prefilter only: the clause decides.  Returns
 * whether op compares lower() or upper() (pushed or not).
 */
static bool
classify_case_fold(ExtractContext *cx, OpExpr *op)
{
	FuncExpr   *f = (FuncExpr *) strip_relabel(linitial(op->args));
	Const	   *c = (Const *) strip_relabel(lsecond(op->args));
	CtColumnMap map;
	Oid			coltype;
	CtTarget	target;
	char	   *label;
	char	   *v;
	char	   *folded;
	List	   *pieces;
	CtOp		shape;

	if (!IsA(f, FuncExpr) || (f->funcid != F_LOWER_TEXT && f->funcid != F_UPPER_TEXT))
		return false;
	if ((op->opfuncid != F_TEXTEQ && op->opfuncid != F_TEXTLIKE) ||
		list_length(f->args) != 1 || !IsA(c, Const) || c->constisnull ||
		c->consttype != TEXTOID || !OidIsValid(f->inputcollid))
		return true;
	if (!describe_column(cx, linitial(f->args), &map, &coltype, &label) ||
		!column_target(&map, coltype, TEXTOID, &target) || target != CT_TARGET_STRING)
		return true;
	v = TextDatumGetCString(c->constvalue);
	/* a value that lower() could not give is for the filter to reject */
	folded = f->funcid == F_LOWER_TEXT ?
		str_tolower(v, strlen(v), f->inputcollid) :
		str_toupper(v, strlen(v), f->inputcollid);
	if (strcmp(folded, v) != 0)
		return true;
	if (op->opfuncid == F_TEXTEQ)
		pieces = list_make1(v);
	else if (!like_pieces(v, &pieces, &shape))
		return true;
	pieces = ci_pieces(pieces);
	if (pieces == NIL)
		return true;
	add_cond_as_written(cx, CT_OP_ILIKE, &map, pieces_array(pieces),
						psprintf("%s(%s) %s %s", f->funcid == F_LOWER_TEXT ? "lower" : "upper",
								 label, op->opfuncid == F_TEXTEQ ? "=" : "LIKE",
								 deparse_value(cx, (Expr *) c)));
	return true;
}

/* The strings of a jsonb value, keys and values, at any depth. */
static List *
jsonb_strings(Jsonb *jb)
{
	List	   *out = NIL;
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if ((tok == WJB_KEY || tok == WJB_VALUE || tok == WJB_ELEM) &&
			v.type == jbvString)
			out = lappend(out, pnstrdup(v.val.string.val, v.val.string.len));
	}
	return out;
}

/*
 * jsonb_col @> 'constant' (and 'constant' <@ jsonb_col), jsonb_col ? 'key'
 * and jsonb_col ?& keys, on a jsonb column or event.  Containment matches
 * strings, keys and values, only by equality, so every string of the
 * constant is a string of the column's value, and so of the record: each is
 * looked for as a LIKE piece is, all of them needed.  A prefilter only: the
 * clause decides.  ?| (any key) is not pushed.
 */
static void
classify_contains(ExtractContext *cx, OpExpr *op, CtColumnMap *map, Oid coltype,
				  Expr *val, bool swapped, const char *label)
{
	Const	   *c = (Const *) strip_relabel(val);
	List	   *strings = NIL;
	List	   *pieces = NIL;
	ListCell   *lc;
	char	   *shown;

	if (coltype != JSONBOID || !IsA(c, Const) || c->constisnull)
		return;
	if (map->kind == CT_COL_EVENT)
		(void) ct_column_map_descend(map, NULL, 0);
	else if (map->kind != CT_COL_FIELD)
		return;
	if ((op->opfuncid == F_JSONB_CONTAINS && !swapped) ||
		(op->opfuncid == F_JSONB_CONTAINED && swapped))
		strings = jsonb_strings(DatumGetJsonbP(c->constvalue));
	else if (op->opfuncid == F_JSONB_EXISTS && !swapped)
		strings = list_make1(TextDatumGetCString(c->constvalue));
	else if (op->opfuncid == F_JSONB_EXISTS_ALL && !swapped)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(c->constvalue), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, &nulls, &n);
		for (int i = 0; i < n; i++)
			if (!nulls[i])
				strings = lappend(strings, TextDatumGetCString(elems[i]));
	}
	else
		return;
	foreach(lc, strings)
		if (*(char *) lfirst(lc) != '\0')
			pieces = lappend(pieces, lfirst(lc));
	if (pieces == NIL)
		return;
	shown = deparse_value(cx, (Expr *) c);
	add_cond_as_written(cx, CT_OP_LIKE, map, pieces_array(pieces), swapped ?
						psprintf("%s %s %s", shown, get_opname(op->opno), label) :
						psprintf("%s %s %s", label, get_opname(op->opno), shown));
}

/* Is this the function of text ~ text or text ~* text (or regexp_like)? */
static bool
regex_func(Oid funcid, bool *ci)
{
	*ci = (funcid == F_TEXTICREGEXEQ);
	return funcid == F_TEXTREGEXEQ || funcid == F_TEXTICREGEXEQ ||
		(OidIsValid(CT_F_REGEXP_LIKE) && funcid == CT_F_REGEXP_LIKE);
}

/* regexp_like(col, 'pattern'), a function call rather than an operator. */
static void
classify_funcexpr(ExtractContext *cx, FuncExpr *f)
{
	CtColumnMap map;
	Oid			coltype;
	char	   *label;
	bool		ci;
	bool		json_text = false;

	if (!regex_func(f->funcid, &ci) || list_length(f->args) != 2 ||
		!is_value_expr(lsecond(f->args)))
		return;
	if (!describe_column(cx, linitial(f->args), &map, &coltype, &label))
	{
		if (!describe_json_text(cx, linitial(f->args), &map, &label))
			return;
		coltype = TEXTOID;
		json_text = true;
	}
	classify_regex(cx, lsecond(f->args), ci, f->inputcollid, &map, coltype, json_text, label);
}

static void
classify_opexpr(ExtractContext *cx, OpExpr *op)
{
	Expr	   *left,
			   *right,
			   *col,
			   *val;
	CtColumnMap map;
	Oid			coltype;
	char	   *label;
	CtTarget	target;
	CtOp		ctop;
	bool		swapped = false;
	bool		json_text = false;	/* col is json_col::text */
	bool		ci;

	if (list_length(op->args) != 2 || classify_event_day(cx, op))
		return;
	if (classify_case_fold(cx, op))
		return;
	left = linitial(op->args);
	right = lsecond(op->args);
	if (describe_column(cx, left, &map, &coltype, &label) && is_value_expr(right))
	{
		col = left;
		val = right;
	}
	else if ((op->opfuncid == F_TEXTLIKE || op->opfuncid == F_TEXTICLIKE ||
			  regex_func(op->opfuncid, &ci)) &&
			 describe_json_text(cx, left, &map, &label) && is_value_expr(right))
	{
		col = left;
		val = right;
		coltype = TEXTOID;
		json_text = true;
	}
	else if (describe_column(cx, right, &map, &coltype, &label) && is_value_expr(left))
	{
		col = right;
		val = left;
		swapped = true;
	}
	else
		return;
	(void) col;

	if (op->opfuncid == F_TEXTLIKE || op->opfuncid == F_TEXTICLIKE)
	{
		if (!swapped)
			classify_like(cx, op, &map, coltype, json_text, label);
		return;
	}

	if (regex_func(op->opfuncid, &ci))
	{
		if (!swapped)
			classify_regex(cx, val, ci, op->inputcollid, &map, coltype, json_text, label);
		return;
	}

	if (op->opfuncid == F_JSONB_CONTAINS || op->opfuncid == F_JSONB_CONTAINED ||
		op->opfuncid == F_JSONB_EXISTS || op->opfuncid == F_JSONB_EXISTS_ALL)
	{
		classify_contains(cx, op, &map, coltype, val, swapped, label);
		return;
	}

	if (!comparison_op(op->opfuncid, &ctop))
		return;
	if (swapped)
		ctop = commute(ctop);
	if (!column_target(&map, coltype, exprType((Node *) val), &target))
		return;
	/* <> is a check of a record's value, not of its path or raw bytes */
	if (ctop == CT_OP_NE && target != CT_TARGET_STRING)
		return;
	/* strings are only compared for equality (or <>) */
	if ((target == CT_TARGET_STRING || target == CT_TARGET_ACCOUNT ||
		 target == CT_TARGET_REGION || target == CT_TARGET_ORG) &&
		((ctop != CT_OP_EQ && ctop != CT_OP_NE) || !bytewise_collation(op->inputcollid)))
		return;
	add_cond(cx, target, ctop, &map, val, label, deparse_value(cx, val));
}

/*
 * col IS NOT NULL on a column that reads a record key (or col ->> 'key'):
 * every conversion gives NULL exactly for a missing key or JSON null, so
 * records without a non-null value there can be skipped.
 */
static void
classify_nulltest(ExtractContext *cx, NullTest *nt)
{
	CtColumnMap map;
	Oid			coltype;
	char	   *label;

	if (nt->nulltesttype != IS_NOT_NULL || nt->argisrow)
		return;
	if (!describe_column(cx, nt->arg, &map, &coltype, &label) || map.kind != CT_COL_FIELD)
		return;
	add_cond(cx, CT_TARGET_PRESENT, CT_OP_NOTNULL, &map,
			 (Expr *) makeBoolConst(true, false), label, NULL);
}

static void
classify_saop(ExtractContext *cx, ScalarArrayOpExpr *saop)
{
	Expr	   *left = linitial(saop->args);
	Expr	   *right = lsecond(saop->args);
	CtColumnMap map;
	Oid			coltype;
	char	   *label;
	CtTarget	target;

	bool		not_in = !saop->useOr && get_opcode(saop->opno) == F_TEXTNE;

	if (!((saop->useOr && get_opcode(saop->opno) == F_TEXTEQ) || not_in) ||
		!bytewise_collation(saop->inputcollid))
		return;
	if (!describe_column(cx, left, &map, &coltype, &label) || !is_value_expr(right))
		return;
	if (!column_target(&map, coltype, TEXTOID, &target) || target == CT_TARGET_EVENTTIME)
		return;
	if (not_in && target != CT_TARGET_STRING)
		return;					/* a check of the record's value only */
	add_cond(cx, target, not_in ? CT_OP_NOT_IN : CT_OP_IN, &map, right, label,
			 deparse_in_list(cx, right));
}

/*
 * col = 'a' OR col = 'b' OR col IN (...) on one text column: pushed as an
 * IN list.  Anything else under OR stays a local filter.
 */
static void
classify_or(ExtractContext *cx, BoolExpr *or)
{
	ListCell   *lc;
	CtColumnMap first_map;
	char	   *first_label = NULL;
	CtTarget	target = CT_TARGET_STRING;
	List	   *values = NIL;
	StringInfoData shown;

	initStringInfo(&shown);
	foreach(lc, or->args)
	{
		Expr	   *arm = lfirst(lc);
		Expr	   *col;
		Expr	   *val;
		CtColumnMap map;
		Oid			coltype;
		char	   *label;
		CtTarget	t;

		if (IsA(arm, OpExpr) && list_length(((OpExpr *) arm)->args) == 2)
		{
			OpExpr	   *op = (OpExpr *) arm;

			set_opfuncid(op);
			if (op->opfuncid != F_TEXTEQ || !bytewise_collation(op->inputcollid))
				return;
			col = linitial(op->args);
			val = lsecond(op->args);
			if (!describe_column(cx, col, &map, &coltype, &label))
			{
				col = lsecond(op->args);
				val = linitial(op->args);
				if (!describe_column(cx, col, &map, &coltype, &label))
					return;
			}
		}
		else
			return;
		if (!is_value_expr(val) || !column_target(&map, coltype, TEXTOID, &t) ||
			t == CT_TARGET_EVENTTIME)
			return;
		if (first_label == NULL)
		{
			first_map = map;
			first_label = label;
			target = t;
		}
		else if (strcmp(label, first_label) != 0)
			return;				/* another column */
		values = lappend(values, val);
		appendStringInfo(&shown, "%s%s", shown.len ? ", " : "", deparse_value(cx, val));
	}
	if (first_label == NULL)
		return;
	{
		ArrayExpr  *arr = makeNode(ArrayExpr);
		Expr	   *arg;

		arr->array_typeid = TEXTARRAYOID;
		arr->element_typeid = TEXTOID;
		arr->elements = values;
		arr->multidims = false;
		arr->location = -1;
		/* an array of constants becomes a constant, known at plan time */
		arg = (Expr *) eval_const_expressions(NULL, (Node *) arr);
		add_cond(cx, target, CT_OP_IN, &first_map, arg, first_label,
				 psprintf("(%s)", shown.data));
	}
}

/* The conditions of baserestrictinfo that can narrow the scan. */
List *
ct_extract_conds(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	ExtractContext cx;
	ListCell   *lc;

	if (!ct_enable_pushdown)
		return NIL;
	memset(&cx, 0, sizeof(cx));
	cx.relid = foreigntableid;
	cx.varno = baserel->relid;
	cx.rel = table_open(foreigntableid, NoLock);
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		Expr	   *clause = ri->clause;

		if (ri->pseudoconstant)
			continue;
		cx.rinfo = ri;
		if (IsA(clause, OpExpr))
		{
			set_opfuncid((OpExpr *) clause);
			classify_opexpr(&cx, (OpExpr *) clause);
		}
		else if (IsA(clause, ScalarArrayOpExpr))
			classify_saop(&cx, (ScalarArrayOpExpr *) clause);
		else if (is_orclause(clause))
			classify_or(&cx, (BoolExpr *) clause);
		else if (IsA(clause, NullTest))
			classify_nulltest(&cx, (NullTest *) clause);
		else if (IsA(clause, FuncExpr))
			classify_funcexpr(&cx, (FuncExpr *) clause);
	}
	table_close(cx.rel, NoLock);
	return cx.conds;
}

/*
 * Is the clause applied by file selection alone, at plan time?  A constant
 * condition on a path column selects exactly the files whose rows pass it,
 * and a constant range on eventtime selects by delivery time the files that
 * hold nearly only passing rows: the row estimate from the selected files'
 * size already reflects them, and their selectivity must not count twice.
 */
bool
ct_clause_prunes_files(List *conds, RestrictInfo *rinfo)
{
	ListCell   *lc;

	foreach(lc, conds)
	{
		CtCond	   *c = lfirst(lc);

		if (c->rinfo != rinfo || !IsA(c->arg, Const))
			continue;
		if (c->target != CT_TARGET_EVENTTIME && c->target != CT_TARGET_STRING &&
			c->target != CT_TARGET_PRESENT)
			return true;
		if (c->target == CT_TARGET_EVENTTIME && c->op != CT_OP_EQ && c->op != CT_OP_IN)
			return true;
		if (c->target == CT_TARGET_EVENTDAY)
			return true;		/* a range of a day or more */
	}
	return false;
}

/* Does any condition need a value only known when the scan starts? */
bool
ct_conds_need_runtime(List *conds)
{
	ListCell   *lc;

	foreach(lc, conds)
		if (!IsA(((CtCond *) lfirst(lc))->arg, Const))
			return true;
	return false;
}

/*
 * For the plan: the values go into fdw_exprs (so that setrefs fixes their
 * parameters), the rest into a list of plain nodes.
 */
List *
ct_conds_to_private(List *conds, List **fdw_exprs)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, conds)
	{
		CtCond	   *c = lfirst(lc);
		List	   *path = NIL;

		for (int i = 0; i < c->key.npath; i++)
			path = lappend(path, makeString(c->key.path[i]));
		out = lappend(out, list_make5(makeInteger(c->target), makeInteger(c->op),
									  makeInteger(c->key.first_ci), path,
									  makeString(c->label)));
		*fdw_exprs = lappend(*fdw_exprs, c->arg);
	}
	return out;
}

List *
ct_conds_from_private(List *priv, List *fdw_exprs)
{
	List	   *conds = NIL;
	ListCell   *lc;
	int			i = 0;

	foreach(lc, priv)
	{
		List	   *item = lfirst(lc);
		CtCond	   *c = palloc0(sizeof(CtCond));
		List	   *path = lfourth(item);
		ListCell   *pc;

		c->target = intVal(linitial(item));
		c->op = intVal(lsecond(item));
		c->key.kind = CT_COL_FIELD;
		c->key.first_ci = intVal(lthird(item)) != 0;
		c->key.path = palloc(sizeof(char *) * (list_length(path) + 1));
		foreach(pc, path)
			c->key.path[c->key.npath++] = strVal(lfirst(pc));
		c->label = strVal(list_nth(item, 4));
		c->arg = list_nth(fdw_exprs, i++);
		conds = lappend(conds, c);
	}
	return conds;
}
