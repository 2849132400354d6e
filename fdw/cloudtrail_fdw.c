/*-------------------------------------------------------------------------
 *
 * cloudtrail_fdw.c
 *		Foreign-data wrapper over an on-disk mirror of an AWS CloudTrail
 *		S3 bucket: the handler, planning, EXPLAIN, ANALYZE and IMPORT FOREIGN
 *		SCHEMA.  Reading is in ct_scan.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "commands/explain.h"
#include "commands/vacuum.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"

#include "cloudtrail_fdw.h"

PG_MODULE_MAGIC;

/* Planning estimates without statistics. */
#define CT_GZIP_RATIO			10.0	/* JSON bytes per compressed byte */
#define CT_RECORD_BYTES			1200.0	/* JSON bytes per record */

/* What planning learns about a foreign table, kept in baserel->fdw_private. */
typedef struct CtPlanInfo
{
	CtOptions	opts;
	Bitmapset  *attrs_used;
	char	   *location;		/* relative to the root, "" for the root */
	int64		npartitions;
	int64		nfiles;
	int64		nbytes;			/* size of the files to read */
	double		json_bytes;		/* estimated size after decompression */
	double		ntuples;
} CtPlanInfo;

/* Indexes in ForeignScan.fdw_private */
enum CtPrivateIndex
{
	CtPrivAttrs,				/* IntList of the attnums used */
	CtPrivLocation,				/* String */
	CtPrivPartitions,			/* String holding an int64 */
	CtPrivFiles,
	CtPrivBytes
};

PG_FUNCTION_INFO_V1(cloudtrail_fdw_handler);

static void
ct_size_tree(CtPlanInfo *fpinfo, const char *relname)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "cloudtrail_fdw planning walk",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CtOnError	onerr = {0};
	CtTree		tree;
	List	   *parts;
	ListCell   *lc;
	int64		gz_bytes = 0;
	int64		plain_bytes = 0;

	onerr.skip = fpinfo->opts.skip_bad_files;
	onerr.quiet = true;			/* the scan will warn */
	onerr.relname = relname;
	ct_tree_open(&tree, &fpinfo->opts, &onerr);
	parts = ct_tree_partitions(&tree);
	foreach(lc, parts)
	{
		int			n;
		CtFile	   *files = ct_tree_files(&tree, lfirst(lc), true, &n);

		for (int i = 0; i < n; i++)
		{
			if (files[i].size < 0)
				continue;
			if (files[i].gzip)
				gz_bytes += files[i].size;
			else
				plain_bytes += files[i].size;
		}
		fpinfo->nfiles += n;
	}
	fpinfo->npartitions = list_length(parts);
	fpinfo->nbytes = gz_bytes + plain_bytes;
	fpinfo->json_bytes = gz_bytes * CT_GZIP_RATIO + plain_bytes;
	MemoryContextSwitchTo(old);
	fpinfo->location = pstrdup(tree.start);
	MemoryContextDelete(cxt);
}

static void
ctGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	CtPlanInfo *fpinfo = palloc0(sizeof(CtPlanInfo));
	ListCell   *lc;
	double		pages;

	baserel->fdw_private = fpinfo;
	ct_get_options(foreigntableid, &fpinfo->opts);
	ct_size_tree(fpinfo, get_rel_name(foreigntableid));

	/* the columns the query needs: in the target list or in local quals */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid,
				   &fpinfo->attrs_used);
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		pull_varattnos((Node *) rinfo->clause, baserel->relid, &fpinfo->attrs_used);
	}

	/* rows: ANALYZE's density if there is one, else a guess from the size */
	pages = ceil((double) fpinfo->nbytes / BLCKSZ);
	if (baserel->tuples >= 0 && baserel->pages > 0)
		fpinfo->ntuples = clamp_row_est(baserel->tuples / baserel->pages * pages);
	else
		fpinfo->ntuples = clamp_row_est(fpinfo->json_bytes / CT_RECORD_BYTES);
	baserel->rows = clamp_row_est(fpinfo->ntuples *
								  clauselist_selectivity(root, baserel->baserestrictinfo,
														 0, JOIN_INNER, NULL));
}

static void
ctGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	CtPlanInfo *fpinfo = baserel->fdw_private;
	Cost		startup_cost;
	Cost		run_cost;
	double		pages = ceil((double) fpinfo->nbytes / BLCKSZ);

	/* reading pages, inflating and splitting bytes, then per-row work */
	startup_cost = baserel->baserestrictcost.startup;
	run_cost = seq_page_cost * pages +
		cpu_operator_cost * fpinfo->json_bytes / 64.0 +
		(cpu_tuple_cost + baserel->baserestrictcost.per_tuple) * fpinfo->ntuples;

	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows,
									 startup_cost, startup_cost + run_cost,
									 NIL, NULL, NULL,
#if PG_VERSION_NUM >= 170000
									 NIL,
#endif
									 NIL));
}

static ForeignScan *
ctGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				 ForeignPath *best_path, List *tlist, List *scan_clauses,
				 Plan *outer_plan)
{
	CtPlanInfo *fpinfo = baserel->fdw_private;
	List	   *attrs = NIL;
	List	   *fdw_private;
	int			attidx = -1;

	while ((attidx = bms_next_member(fpinfo->attrs_used, attidx)) >= 0)
		attrs = lappend_int(attrs, attidx + FirstLowInvalidHeapAttributeNumber);

	fdw_private = list_make5(attrs,
							 makeString(fpinfo->location),
							 makeString(psprintf(INT64_FORMAT, fpinfo->npartitions)),
							 makeString(psprintf(INT64_FORMAT, fpinfo->nfiles)),
							 makeString(psprintf(INT64_FORMAT, fpinfo->nbytes)));

	/* every qual is checked locally for now */
	scan_clauses = extract_actual_clauses(scan_clauses, false);
	return make_foreignscan(tlist, scan_clauses, baserel->relid, NIL,
							fdw_private, NIL, NIL, outer_plan);
}

static int64
private_int64(List *fdw_private, int index)
{
	return strtoi64(strVal(list_nth(fdw_private, index)), NULL, 10);
}

static void
ctBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	Bitmapset  *attrs = NULL;
	ListCell   *lc;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	foreach(lc, (List *) list_nth(plan->fdw_private, CtPrivAttrs))
		attrs = bms_add_member(attrs, lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	node->fdw_state = ct_scan_begin(node->ss.ss_currentRelation, attrs, false);
}

static TupleTableSlot *
ctIterateForeignScan(ForeignScanState *node)
{
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	ExecClearTuple(slot);
	if (ct_scan_next(node->fdw_state, slot->tts_values, slot->tts_isnull))
		ExecStoreVirtualTuple(slot);
	return slot;
}

static void
ctReScanForeignScan(ForeignScanState *node)
{
	if (node->fdw_state)
		ct_scan_rescan(node->fdw_state);
}

static void
ctEndForeignScan(ForeignScanState *node)
{
	if (node->fdw_state)
		ct_scan_end(node->fdw_state);
}

static void
explain_bytes(const char *label, int64 bytes, ExplainState *es)
{
	if (es->format == EXPLAIN_FORMAT_TEXT)
		ExplainPropertyText(label,
							text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_size_pretty,
																			   Int64GetDatum(bytes)))),
							es);
	else
		ExplainPropertyInteger(label, "bytes", bytes, es);
}

static void
ctExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	List	   *priv = plan->fdw_private;
	const char *location = strVal(list_nth(priv, CtPrivLocation));
	CtOptions	opts;

	ct_get_options(RelationGetRelid(node->ss.ss_currentRelation), &opts);
	ExplainPropertyText("CloudTrail Location", location[0] ? location : ".", es);
	if (strcmp(opts.log_type, CT_DEFAULT_LOG_TYPE) != 0)
		ExplainPropertyText("Log Type", opts.log_type, es);
	ExplainPropertyInteger("Partitions", NULL, private_int64(priv, CtPrivPartitions), es);
	ExplainPropertyInteger("Files", NULL, private_int64(priv, CtPrivFiles), es);
	explain_bytes("File Size", private_int64(priv, CtPrivBytes), es);

	if (es->analyze && node->fdw_state)
	{
		const CtScanStats *st = ct_scan_stats(node->fdw_state);

		ExplainPropertyInteger("Partitions Read", NULL, st->partitions, es);
		ExplainPropertyInteger("Files Read", NULL, st->files, es);
		explain_bytes("Bytes Read", st->bytes_in, es);
		explain_bytes("Bytes Decompressed", st->bytes_out, es);
		ExplainPropertyInteger("Records", NULL, st->records, es);
		if (st->bad_files > 0 || es->format != EXPLAIN_FORMAT_TEXT)
			ExplainPropertyInteger("Bad Files Skipped", NULL, st->bad_files, es);
	}
}

/* --- ANALYZE ------------------------------------------------------------- */

static int
ct_acquire_sample_rows(Relation onerel, int elevel, HeapTuple *rows,
					   int targrows, double *totalrows, double *totaldeadrows)
{
	TupleDesc	tupdesc = RelationGetDescr(onerel);
	Datum	   *values = palloc(tupdesc->natts * sizeof(Datum));
	bool	   *nulls = palloc(tupdesc->natts * sizeof(bool));
	CtScan	   *scan = ct_scan_begin(onerel, NULL, false);
	ReservoirStateData rstate;
	double		rowstoskip = -1;
	int			numrows = 0;

	*totalrows = 0;
	*totaldeadrows = 0;
	reservoir_init_selection_state(&rstate, targrows);
	while (ct_scan_next(scan, values, nulls))
	{
		vacuum_delay_point();
		if (numrows < targrows)
			rows[numrows++] = heap_form_tuple(tupdesc, values, nulls);
		else
		{
			if (rowstoskip < 0)
				rowstoskip = reservoir_get_next_S(&rstate, *totalrows, targrows);
			if (rowstoskip <= 0)
			{
				int			k = (int) (targrows * sampler_random_fract(&rstate.randstate));

				heap_freetuple(rows[k]);
				rows[k] = heap_form_tuple(tupdesc, values, nulls);
			}
			rowstoskip -= 1;
		}
		*totalrows += 1;
	}
	ct_scan_end(scan);

	ereport(elevel,
			(errmsg("\"%s\": scanned " INT64_FORMAT " files, containing %.0f rows; %d rows in sample",
					RelationGetRelationName(onerel), ct_scan_stats(scan)->files,
					*totalrows, numrows)));
	return numrows;
}

static bool
ctAnalyzeForeignTable(Relation relation, AcquireSampleRowsFunc *func,
					  BlockNumber *totalpages)
{
	CtPlanInfo	info;

	memset(&info, 0, sizeof(info));
	ct_get_options(RelationGetRelid(relation), &info.opts);
	ct_size_tree(&info, RelationGetRelationName(relation));
	*totalpages = (BlockNumber) Max(1, (info.nbytes + BLCKSZ - 1) / BLCKSZ);
	*func = ct_acquire_sample_rows;
	return true;
}

/* --- IMPORT FOREIGN SCHEMA ------------------------------------------------ */

static const char *const cloudtrail_logs_columns =
"eventversion text, useridentity jsonb, eventtime timestamptz, eventsource text, "
"eventname text, awsregion text, sourceipaddress text, useragent text, "
"errorcode text, errormessage text, requestparameters jsonb, "
"responseelements jsonb, additionaleventdata jsonb, requestid text, "
"eventid text, readonly boolean, resources jsonb, eventtype text, "
"apiversion text, managementevent boolean, recipientaccountid text, "
"serviceeventdetails jsonb, sharedeventid text, vpcendpointid text, "
"vpcendpointaccountid text, eventcategory text, addendum jsonb, "
"sessioncredentialfromconsole boolean, edgedevicedetails jsonb, "
"tlsdetails jsonb";

static const char *const cloudtrail_insights_columns =
"eventversion text, eventtime timestamptz, awsregion text, eventid text, "
"eventtype text, recipientaccountid text, sharedeventid text, "
"eventcategory text, insightdetails jsonb";

static const char *const path_columns_sql =
"event jsonb, org_id text, account_id text, region text, "
"delivery_date date, delivery_time timestamptz, log_file text";

static bool
table_wanted(ImportForeignSchemaStmt *stmt, const char *name)
{
	ListCell   *lc;
	bool		listed = false;

	if (stmt->list_type == FDW_IMPORT_SCHEMA_ALL)
		return true;
	foreach(lc, stmt->table_list)
		if (strcmp(((RangeVar *) lfirst(lc))->relname, name) == 0)
			listed = true;
	return stmt->list_type == FDW_IMPORT_SCHEMA_LIMIT_TO ? listed : !listed;
}

static List *
ctImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ForeignServer *server = GetForeignServer(serverOid);
	List	   *commands = NIL;
	const char *srv = quote_identifier(server->servername);

	if (strcmp(stmt->remote_schema, "cloudtrail") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("schema \"%s\" is not available on cloudtrail_fdw server \"%s\"",
						stmt->remote_schema, server->servername),
				 errhint("The only schema is \"cloudtrail\".")));
	if (stmt->options != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid option \"%s\"", linitial_node(DefElem, stmt->options)->defname),
				 errhint("IMPORT FOREIGN SCHEMA of cloudtrail_fdw takes no options.")));

	if (table_wanted(stmt, "cloudtrail_logs"))
		commands = lappend(commands,
						   psprintf("CREATE FOREIGN TABLE cloudtrail_logs (%s, %s) SERVER %s",
									cloudtrail_logs_columns, path_columns_sql, srv));
	if (table_wanted(stmt, "cloudtrail_insights"))
		commands = lappend(commands,
						   psprintf("CREATE FOREIGN TABLE cloudtrail_insights (%s, %s) SERVER %s "
									"OPTIONS (log_type '%s')",
									cloudtrail_insights_columns, path_columns_sql, srv,
									CT_INSIGHT_LOG_TYPE));
	return commands;
}

Datum
cloudtrail_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = ctGetForeignRelSize;
	routine->GetForeignPaths = ctGetForeignPaths;
	routine->GetForeignPlan = ctGetForeignPlan;
	routine->BeginForeignScan = ctBeginForeignScan;
	routine->IterateForeignScan = ctIterateForeignScan;
	routine->ReScanForeignScan = ctReScanForeignScan;
	routine->EndForeignScan = ctEndForeignScan;
	routine->ExplainForeignScan = ctExplainForeignScan;
	routine->AnalyzeForeignTable = ctAnalyzeForeignTable;
	routine->ImportForeignSchema = ctImportForeignSchema;

	PG_RETURN_POINTER(routine);
}
