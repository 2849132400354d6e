/*-------------------------------------------------------------------------
 *
 * ct_compat.h
 *		What differs between the PostgreSQL versions cloudtrail_fdw builds
 *		against (13 to 18), each difference named by what it is.
 *
 * The callbacks call these names and never test PG_VERSION_NUM themselves,
 * so a new major version is ported here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_COMPAT_H
#define CT_COMPAT_H

#include "postgres.h"

#include "access/htup_details.h"
#include "access/stratnum.h"
#include "catalog/pg_authid.h"
#include "commands/explain.h"
#include "commands/vacuum.h"
#include "fmgr.h"
#include "nodes/pathnodes.h"
#include "optimizer/pathnode.h"
#include "tcop/utility.h"
#include "utils/hsearch.h"
#include "utils/sampling.h"

/* 18 moved ExplainState and the ExplainProperty*() functions out of explain.h */
#if PG_VERSION_NUM >= 180000
#include "commands/explain_format.h"
#include "commands/explain_state.h"
#endif

/* 16 added soft errors: input functions that report instead of throwing */
#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#define CT_HAVE_SOFT_INPUT_ERRORS 1
#endif

/*
 * Calls a type's input function.  From 16 a bad value is reported in
 * *sqlerrcode and *message (palloc'd) and false returned, so the caller can
 * name the file and record; before, the input function throws.
 */
static inline bool
ct_input_call(FmgrInfo *flinfo, char *str, Oid ioparam, int32 typmod, Datum *out,
			  int *sqlerrcode, char **message)
{
#ifdef CT_HAVE_SOFT_INPUT_ERRORS
	ErrorSaveContext escontext = {T_ErrorSaveContext};

	escontext.details_wanted = true;
	if (!InputFunctionCallSafe(flinfo, str, ioparam, typmod, (Node *) &escontext, out))
	{
		*sqlerrcode = escontext.error_data->sqlerrcode;
		*message = escontext.error_data->message;
		return false;
	}
#else
	(void) sqlerrcode;
	(void) message;
	*out = InputFunctionCall(flinfo, str, ioparam, typmod);
#endif
	return true;
}

/* list_make5 arrived in 14 */
#if PG_VERSION_NUM < 140000
#define list_make5(x1, x2, x3, x4, x5)	lappend(list_make4(x1, x2, x3, x4), x5)
#endif

/*
 * Before 14, fmgroids.h named functions by prosrc, so the timestamptz
 * comparisons shared the timestamp_* names.
 */
#if PG_VERSION_NUM < 140000
#define F_TIMESTAMPTZ_EQ 1152
#define F_TIMESTAMPTZ_LT 1154
#define F_TIMESTAMPTZ_LE 1155
#define F_TIMESTAMPTZ_GE 1156
#define F_TIMESTAMPTZ_GT 1157
#endif

/*
 * date(timestamptz), the cast of eventtime::date: F_DATE_TIMESTAMPTZ from 14
 * on, but before 14 that name is another function's (prosrc naming).
 */
#define CT_F_DATE_OF_TIMESTAMPTZ 1178

/* lower(text), upper(text): F_LOWER, F_UPPER before 14 (prosrc naming) */
#if PG_VERSION_NUM < 140000
#define F_LOWER_TEXT F_LOWER
#define F_UPPER_TEXT F_UPPER
#endif

/* regexp_like(text, text) arrived in 15 */
#if PG_VERSION_NUM >= 150000
#define CT_F_REGEXP_LIKE F_REGEXP_LIKE_TEXT_TEXT
#else
#define CT_F_REGEXP_LIKE InvalidOid
#endif

/* dynahash keys that are C strings: a flag from 14, the default before */
#if PG_VERSION_NUM >= 140000
#define CT_HASH_STRINGS HASH_STRINGS
#else
#define CT_HASH_STRINGS 0
#endif

/* the role that may read server files: renamed from DEFAULT_ROLE_ in 14 */
#if PG_VERSION_NUM >= 140000
#define CT_ROLE_READ_SERVER_FILES ROLE_PG_READ_SERVER_FILES
#else
#define CT_ROLE_READ_SERVER_FILES DEFAULT_ROLE_READ_SERVER_FILES
#endif

/* reserving a GUC prefix: MarkGUCPrefixReserved() from 15 */
#if PG_VERSION_NUM >= 150000
#define ct_reserve_guc_prefix(prefix)	MarkGUCPrefixReserved(prefix)
#else
#define ct_reserve_guc_prefix(prefix)	EmitWarningsOnPlaceholders(prefix)
#endif

/* a PathKey's direction: pk_strategy until 17, pk_cmptype from 18 */
#if PG_VERSION_NUM >= 180000
#define ct_pathkey_is_descending(pk)	((pk)->pk_cmptype == COMPARE_GT)
#else
#define ct_pathkey_is_descending(pk)	((pk)->pk_strategy == BTGreaterStrategyNumber)
#endif

/*
 * create_foreignscan_path() of an unparameterized scan path, without an
 * outer path: 17 added fdw_restrictinfo, 18 disabled_nodes.
 */
static inline ForeignPath *
ct_create_foreignscan_path(PlannerInfo *root, RelOptInfo *rel, double rows,
						   Cost startup_cost, Cost total_cost, List *pathkeys,
						   List *fdw_private)
{
#if PG_VERSION_NUM >= 180000
	return create_foreignscan_path(root, rel, NULL, rows, 0, startup_cost, total_cost,
								   pathkeys, NULL, NULL, NIL, fdw_private);
#elif PG_VERSION_NUM >= 170000
	return create_foreignscan_path(root, rel, NULL, rows, startup_cost, total_cost,
								   pathkeys, NULL, NULL, NIL, fdw_private);
#else
	return create_foreignscan_path(root, rel, NULL, rows, startup_cost, total_cost,
								   pathkeys, NULL, NULL, fdw_private);
#endif
}

/* ProcessUtility_hook's parameters: 14 added readOnlyTree */
#if PG_VERSION_NUM >= 140000
#define CT_UTILITY_PARAMS \
	PlannedStmt *pstmt, const char *queryString, bool readOnlyTree, \
	ProcessUtilityContext context, ParamListInfo params, \
	QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc
#define CT_UTILITY_ARGS \
	pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc
#else
#define CT_UTILITY_PARAMS \
	PlannedStmt *pstmt, const char *queryString, \
	ProcessUtilityContext context, ParamListInfo params, \
	QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc
#define CT_UTILITY_ARGS \
	pstmt, queryString, context, params, queryEnv, dest, qc
#endif

/* ANALYZE's cost-based delay: 18 asks whether it is ANALYZE that waits */
#if PG_VERSION_NUM >= 180000
#define ct_analyze_delay_point()	vacuum_delay_point(true)
#else
#define ct_analyze_delay_point()	vacuum_delay_point()
#endif

/* 18 gave heap_form_minimal_tuple() room for extra bytes */
#if PG_VERSION_NUM >= 180000
#define ct_form_minimal_tuple(desc, values, nulls) \
	heap_form_minimal_tuple((desc), (values), (nulls), 0)
#else
#define ct_form_minimal_tuple(desc, values, nulls) \
	heap_form_minimal_tuple((desc), (values), (nulls))
#endif

/* ReservoirStateData embeds its random state from 15 (a pointer before) */
#if PG_VERSION_NUM >= 150000
#define ct_reservoir_random(rs)	sampler_random_fract(&(rs)->randstate)
#else
#define ct_reservoir_random(rs)	sampler_random_fract((rs)->randstate)
#endif

/* ... and its generator is seeded with a uint32 from 15 (a long before) */
#if PG_VERSION_NUM >= 150000
#define ct_reservoir_seed(rs, seed)	sampler_random_init_state((uint32) (seed), &(rs)->randstate)
#else
#define ct_reservoir_seed(rs, seed)	sampler_random_init_state((long) (seed), (rs)->randstate)
#endif

#endif							/* CT_COMPAT_H */
