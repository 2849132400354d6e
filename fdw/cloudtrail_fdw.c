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
#include <unistd.h>

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "access/parallel.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/paths.h"
#include "storage/dsm.h"
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
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"

#include "cloudtrail_fdw.h"
#include "ct_analyze.h"
#include "ct_compat.h"
#include "ct_index.h"
#include "ct_options.h"
#include "ct_parallel.h"
#include "ct_project.h"
#include "ct_prune.h"
#include "ct_quals.h"
#include "ct_scan.h"
#include "ct_tree.h"

PG_MODULE_MAGIC;


/*
 * What a parallel scan costs before its first row, beyond what Gather adds:
 * each worker loads the extension and its libraries and opens the table, and
 * the leader lists the files into shared memory.  Measured on the benchmark
 * (2 cores): one region and day (24 files, about 12 000 cost units, 19 ms)
 * ran about 8 ms slower in parallel than serially; at the model's 1.5 us per
 * unit that is about 5000 units, five times the default parallel_setup_cost,
 * so scans that small stay serial.  It scales with parallel_setup_cost, so
 * that setting keeps its meaning (0 still forces parallel plans in tests).
 */
#define CT_PARALLEL_SETUP_FACTOR	5.0

/*
 * What handing one row from a worker to the leader costs the leader
 * (receiving it, projecting and sending it on), counted as the JSON it
 * costs as much as: about 3 microseconds a row, measured on the benchmark's
 * 181 857 rows of four columns.
 */
#define CT_FORWARD_COST		(1500.0 * cpu_operator_cost / 4.0)

/* cloudtrail_fdw.parallel_cpus: the CPUs a parallel scan plans for (0: the server's) */
static int	ct_parallel_cpus = 0;

/* What planning learns about a foreign table, kept in baserel->fdw_private. */
typedef struct CtPlanInfo
{
	CtOptions	opts;
	Bitmapset  *attrs_used;
	List	   *conds;			/* pushed conditions (CtCond) */
	CtPrune    *prune;			/* what their constant values prune */
	char	   *location;		/* relative to the root, "" for the root */
	int64		npartitions;	/* partitions selected */
	int64		partitions_total;
	int64		nfiles;			/* files selected */
	int64		files_listed;	/* files in the partitions selected */
	int64		files_digest_pruned;	/* of those, skipped by digest times */
	bool		index_used;		/* the mirror's index described some of them */
	int64		files_index_covered;	/* files the index describes */
	int64		files_index_pruned; /* of those, skipped by it */
	int64		nbytes;			/* size of the files to read */
	double		json_bytes;		/* estimated size after decompression */
	double		ntuples;
	AttrNumber	time_attno;		/* a timestamptz column reading eventTime, or 0 */
	bool		time_not_null;	/* a pushed condition on it excludes NULLs */
} CtPlanInfo;

/* Indexes in ForeignScan.fdw_private */
enum CtPrivateIndex
{
	CtPrivAttrs,				/* IntList of the attnums used */
	CtPrivConds,				/* pushed conditions, see ct_quals.c */
	CtPrivLocation,				/* String */
	CtPrivWindow,				/* String: event-time window at plan time, or "" */
	CtPrivPartitions,			/* Strings holding int64s */
	CtPrivPartitionsTotal,
	CtPrivFiles,
	CtPrivFilesListed,
	CtPrivFilesDigestPruned,
	CtPrivBytes,
	CtPrivSortAttno,			/* Integer: eventtime attno of a sorted scan, or 0 */
	CtPrivIndexUsed,			/* Integer: 1 if the index was read */
	CtPrivFilesIndexCovered,	/* Strings holding int64s */
	CtPrivFilesIndexPruned
};

/* Executor state: the scan, and the pushed conditions' values. */
typedef struct CtFdwState
{
	CtScan	   *scan;
	List	   *conds;
	List	   *cond_states;	/* ExprStates of their values */
	bool		runtime;		/* some values are only known at run time */
	bool		reprune;		/* parameters changed since the values were taken */
	MemoryContext prunecxt;
	CtPrune    *prune;
	Bitmapset  *attrs;
	List	   *fields;			/* ->> fields the scan computes (CtField) */
	AttrNumber	sort_attno;
	/* parallel scan */
	struct dsm_segment *seg;	/* leader: the segment it made */
	CtShared   *shared;
	bool		is_worker;
} CtFdwState;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomBoolVariable("cloudtrail_fdw.enable_pushdown",
							 "Push WHERE conditions into cloudtrail_fdw scans.",
							 "When off, every file of the table is read and every record parsed; "
							 "the conditions are only checked on the rows.",
							 &ct_enable_pushdown,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("cloudtrail_fdw.enable_sorted_scan",
							 "Lets cloudtrail_fdw scans return rows in eventtime DESC order.",
							 "The scan reads files newest first, so ORDER BY eventtime DESC LIMIT n "
							 "stops after the newest files.",
							 &ct_enable_sorted_scan,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("cloudtrail_fdw.enable_index",
							 "Use the index of the mirror that cloudtrail_fdw.refresh_index() keeps.",
							 "When off, folders are listed and files read as if there were no index.",
							 &ct_enable_index,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("cloudtrail_fdw.enable_hyperscan",
							 "Search the raw bytes of records with Hyperscan, when it is built in.",
							 "When off, every needle of the raw check is looked for with memmem(); "
							 "the answers are the same.",
							 &ct_enable_hyperscan,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("cloudtrail_fdw.refresh_checkpoint_interval",
							"How often refresh_index() writes a complete index while it runs.",
							"A refresh that is cancelled or dies keeps what was written.",
							&ct_refresh_checkpoint_secs,
							10, 0, 3600,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("cloudtrail_fdw.analyze_seed",
							"Seed of ANALYZE's sample of cloudtrail_fdw tables.",
							"-1, the default, draws one for each ANALYZE; another value "
							"makes the sample of an unchanged mirror repeatable.",
							&ct_analyze_seed,
							-1, -1, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("cloudtrail_fdw.parallel_cpus",
							"CPUs a parallel cloudtrail_fdw scan plans for.",
							"No more participants than this are planned (the leader counts, "
							"unless it is busy with the rows of the workers): inflating is "
							"CPU-bound.  0, the default, takes the server's online CPUs.",
							&ct_parallel_cpus,
							0, 0, 1024,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	ct_reserve_guc_prefix("cloudtrail_fdw");
	ct_location_check_init();
}

PG_FUNCTION_INFO_V1(cloudtrail_fdw_handler);

/* Sizes up what a scan will read, pruned by prune (may be NULL). */
static void
ct_size_tree(CtPlanInfo *fpinfo, const char *relname, CtPrune *prune)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "cloudtrail_fdw planning walk",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CtOnError	onerr = {0};
	CtTree		tree;
	CtTreeSizes t;

	onerr.skip = fpinfo->opts.skip_bad_files;
	onerr.quiet = true;			/* the scan will warn */
	onerr.relname = relname;
	ct_tree_open(&tree, &fpinfo->opts, &onerr);
	tree.count_total = true;
	tree.index_plan = true;		/* estimates need not look at the disk */
	fpinfo->npartitions = ct_tree_sizes(&tree, prune, &t);
	fpinfo->nfiles = t.nfiles;
	fpinfo->partitions_total = tree.partitions_total;
	fpinfo->files_listed = tree.files_listed;
	fpinfo->files_digest_pruned = tree.files_digest_pruned;
	fpinfo->index_used = tree.index != NULL;
	fpinfo->files_index_covered = tree.files_index_covered;
	fpinfo->files_index_pruned = tree.files_index_pruned;
	fpinfo->nbytes = t.gz_bytes + t.plain_bytes;
	fpinfo->json_bytes = t.gz_bytes * CT_GZIP_RATIO + t.plain_bytes;
	MemoryContextSwitchTo(old);
	fpinfo->location = pstrdup(tree.start);
	MemoryContextDelete(cxt);
}

/*
 * The column a sorted scan orders by: a timestamptz column reading the
 * record's eventTime.  If it is declared NOT NULL (the scan enforces that), or
 * a pushed condition on it excludes NULLs, no NULL reaches the scan's output,
 * so it can also serve DESC NULLS FIRST.
 */
static void
find_time_column(CtPlanInfo *fpinfo, Oid foreigntableid)
{
	Relation	rel = table_open(foreigntableid, NoLock);
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ListCell   *lc;

	for (int i = 0; i < tupdesc->natts && fpinfo->time_attno == 0; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		CtColumnMap map;

		if (att->attisdropped || att->atttypid != TIMESTAMPTZOID)
			continue;
		ct_column_map(foreigntableid, att, &map);
		if (ct_column_map_is_eventtime(&map))
		{
			fpinfo->time_attno = att->attnum;
			fpinfo->time_not_null = att->attnotnull;
		}
	}
	table_close(rel, NoLock);

	foreach(lc, fpinfo->conds)
	{
		CtCond	   *c = lfirst(lc);

		if ((c->target == CT_TARGET_EVENTTIME || c->target == CT_TARGET_EVENTDAY) &&
			ct_column_map_is_eventtime(&c->key))
			fpinfo->time_not_null = true;
	}
}

/*
 * The pathkeys a sorted scan provides for this query: eventtime DESC, when
 * the query asks for it first.  Ascending order is never offered: it would
 * need a bound on how late records are delivered.
 */
static List *
sorted_pathkeys(PlannerInfo *root, RelOptInfo *baserel, CtPlanInfo *fpinfo)
{
	PathKey    *pk;
	ListCell   *lc;
	Oid			opfamily;

	if (!ct_enable_sorted_scan || fpinfo->time_attno == 0 || root->query_pathkeys == NIL)
		return NIL;
	pk = linitial(root->query_pathkeys);
	if (!ct_pathkey_is_descending(pk))
		return NIL;
	if (pk->pk_nulls_first && !fpinfo->time_not_null)
		return NIL;				/* NULLs first would need every file read */
	opfamily = get_opclass_family(GetDefaultOpClass(TIMESTAMPTZOID, BTREE_AM_OID));
	if (pk->pk_opfamily != opfamily)
		return NIL;
	foreach(lc, pk->pk_eclass->ec_members)
	{
		EquivalenceMember *em = lfirst(lc);
		Expr	   *e = em->em_expr;

		while (IsA(e, RelabelType))
			e = ((RelabelType *) e)->arg;
		if (!em->em_is_child && IsA(e, Var) &&
			((Var *) e)->varno == baserel->relid &&
			((Var *) e)->varlevelsup == 0 &&
			((Var *) e)->varattno == fpinfo->time_attno)
			return list_make1(pk);
	}
	return NIL;
}

static bool
exec_param_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXEC)
		return true;
	return expression_tree_walker(node, exec_param_walker, context);
}

/* Do some pushed values come from an outer plan? */
static bool
has_exec_params(List *conds)
{
	ListCell   *lc;

	foreach(lc, conds)
		if (exec_param_walker((Node *) ((CtCond *) lfirst(lc))->arg, NULL))
			return true;
	return false;
}

static void
ctGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	CtPlanInfo *fpinfo = palloc0(sizeof(CtPlanInfo));
	ListCell   *lc;
	double		pages;
	List	   *selective = NIL;	/* clauses the file selection has not applied */

	baserel->fdw_private = fpinfo;
	ct_get_options(foreigntableid, &fpinfo->opts);

	/* constant conditions prune now; the others when the scan starts */
	fpinfo->conds = ct_extract_conds(root, baserel, foreigntableid);
	fpinfo->prune = palloc(sizeof(CtPrune));
	ct_prune_init(fpinfo->prune, fpinfo->opts.delay);
	foreach(lc, fpinfo->conds)
	{
		CtCond	   *c = lfirst(lc);

		if (IsA(c->arg, Const))
			ct_prune_add(fpinfo->prune, c, ((Const *) c->arg)->constvalue,
						 ((Const *) c->arg)->constisnull);
	}
	ct_size_tree(fpinfo, get_rel_name(foreigntableid), fpinfo->prune);
	find_time_column(fpinfo, foreigntableid);

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
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (!ct_clause_prunes_files(fpinfo->conds, rinfo))
			selective = lappend(selective, rinfo);
	}
	baserel->rows = clamp_row_est(fpinfo->ntuples *
								  ct_estimate_selectivity(root, baserel, foreigntableid,
														  fpinfo->conds, selective));
}

/* A path of the scan: sorted when it has pathkeys (fdw_private then says by what). */
static ForeignPath *
scan_path(PlannerInfo *root, RelOptInfo *baserel, double rows, Cost startup_cost,
		  Cost total_cost, List *pathkeys, List *fdw_private)
{
	return ct_create_foreignscan_path(root, baserel, rows, startup_cost, total_cost,
									  pathkeys, fdw_private);
}

/* A partial path: each of the participants reads a share of the files. */
static void
add_parallel_path(PlannerInfo *root, RelOptInfo *baserel, int workers, double divisor,
				  Cost startup_cost, Cost total_cost, List *pathkeys, List *fdw_private)
{
	ForeignPath *path = scan_path(root, baserel, clamp_row_est(baserel->rows / divisor),
								  startup_cost, total_cost, pathkeys, fdw_private);

	path->path.parallel_aware = true;
	path->path.parallel_safe = true;
	path->path.parallel_workers = workers;
	add_partial_path(baserel, (Path *) path);
}

/*
 * A stat() costs about 2 microseconds, as much as inflating and splitting
 * some 1 000 bytes of JSON (cpu_operator_cost / 4 a byte).
 */
#define CT_STAT_COST	(250.0 * cpu_operator_cost)

/*
 * What a scan through the index spends making sure that what it skips is
 * as it was indexed: a stat() of every partition it lists, and, with
 * index_check 'files', of every file it skips.
 */
static Cost
identity_check_cost(const CtPlanInfo *fpinfo)
{
	double		stats = 0;

	if (!fpinfo->index_used)
		return 0;
	stats = fpinfo->npartitions;
	if (fpinfo->opts.index_check_files)
		stats += fpinfo->files_index_pruned;
	return stats * CT_STAT_COST;
}

/* Does a DISTINCT or ORDER BY aggregate (which is not computed in parts) occur? */
static bool
whole_agg_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref) &&
		(((Aggref *) node)->aggdistinct != NIL || ((Aggref *) node)->aggorder != NIL))
		return true;
	return expression_tree_walker(node, whole_agg_walker, context);
}

/*
 * Would the leader of a parallel scan be busy with the workers' rows, more
 * than half of what a participant scans?  Not under an aggregate of this
 * table alone that PostgreSQL can compute in parts: each participant then
 * hands on a row or a group, not its rows.
 */
static bool
leader_forwards(PlannerInfo *root, RelOptInfo *baserel, Cost run_cost, int ncpus)
{
	Query	   *parse = root->parse;

	if ((parse->hasAggs || parse->groupClause != NIL) && !parse->hasWindowFuncs &&
		bms_membership(root->all_baserels) == BMS_SINGLETON &&
		!whole_agg_walker((Node *) parse->targetList, NULL) &&
		!whole_agg_walker(parse->havingQual, NULL))
		return false;
	return baserel->rows * CT_FORWARD_COST > 0.5 * run_cost / ncpus;
}

/*
 * The most workers a parallel scan should have: inflating is CPU-bound, so
 * none on one CPU, and no more participants than CPUs (on 2 cores a count
 * of the benchmark mirror takes 0.57 s with one worker beside the leader,
 * 0.65 s with two).  The leader counts as one, unless the workers' rows will
 * keep it busy (181 857 rows of the benchmark mirror: 0.88 s with two
 * workers, 0.97 s with one).
 */
static int
max_workers(PlannerInfo *root, RelOptInfo *baserel, Cost run_cost)
{
	int			ncpus = ct_parallel_cpus;

	if (ncpus <= 0)
	{
		long		n = sysconf(_SC_NPROCESSORS_ONLN);

		ncpus = (n > 0 && n < 1024) ? (int) n : 1024;
	}
	if (ncpus <= 1)
		return 0;				/* nothing to share a single CPU with */
	if (parallel_leader_participation && !leader_forwards(root, baserel, run_cost, ncpus))
		return ncpus - 1;
	return ncpus;
}

static void
ctGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	CtPlanInfo *fpinfo = baserel->fdw_private;
	Cost		startup_cost;
	Cost		run_cost;
	Cost		first_file;
	List	   *pathkeys;
	List	   *sorted_private = NIL;
	double		pages = ceil((double) fpinfo->nbytes / BLCKSZ);

	/*
	 * Reading pages, then inflating, splitting and validating every JSON
	 * byte (measured at about 8 times the per-byte time of a heap scan, so
	 * parallel plans are chosen for scans of more than a few MB), then
	 * per-row work.
	 */
	startup_cost = baserel->baserestrictcost.startup;
	run_cost = seq_page_cost * pages +
		cpu_operator_cost * fpinfo->json_bytes / 4.0 +
		(cpu_tuple_cost + baserel->baserestrictcost.per_tuple) * fpinfo->ntuples +
		identity_check_cost(fpinfo);

	add_path(baserel, (Path *) scan_path(root, baserel, baserel->rows, startup_cost,
										 startup_cost + run_cost, NIL, NIL));

	/*
	 * The sorted scan returns its first rows once the newest file is read:
	 * its start-up cost is about one file's share, so a LIMIT favours it.
	 * It reads the same files as the plain scan; holding rows in its heap
	 * costs about what the Sort above a plain scan would, so it is costed
	 * like the plain scan and wins whenever the order is wanted.
	 */
	pathkeys = sorted_pathkeys(root, baserel, fpinfo);
	first_file = run_cost / Max(fpinfo->nfiles, 1);
	if (pathkeys != NIL)
	{
		sorted_private = list_make1(makeInteger(fpinfo->time_attno));
		add_path(baserel, (Path *) scan_path(root, baserel, baserel->rows,
											 startup_cost + first_file,
											 startup_cost + run_cost,
											 pathkeys, sorted_private));
	}

	/*
	 * A parallel scan: the leader lists the files once, the participants
	 * claim them one at a time.  Not with conditions on the parameters of
	 * an outer plan, which workers cannot see when the list is made.  The
	 * sorted scan runs in parallel too: each participant returns its rows in
	 * order and a Gather Merge merges them.
	 */
	if (baserel->consider_parallel && fpinfo->nfiles > 1 &&
		!has_exec_params(fpinfo->conds))
	{
		/*
		 * Workers by the inflated size (inflating is the scan's cost), and
		 * the identity checks of what the index skips, which the
		 * participants share, counted as the JSON they cost as much as.
		 */
		double		json_pages = fpinfo->json_bytes / BLCKSZ +
			identity_check_cost(fpinfo) / (cpu_operator_cost * BLCKSZ / 4.0);
		int			workers = compute_parallel_worker(baserel, json_pages, -1,
													  max_parallel_workers_per_gather);

		workers = Min(workers, fpinfo->nfiles - 1);
		workers = Min(workers, max_workers(root, baserel, run_cost));
		if (workers > 0)
		{
			double		divisor = workers;
			Cost		setup_cost = CT_PARALLEL_SETUP_FACTOR * parallel_setup_cost;

			if (parallel_leader_participation && workers < 4)
				divisor += 1.0 - 0.3 * workers;
			add_parallel_path(root, baserel, workers, divisor,
							  startup_cost + setup_cost,
							  startup_cost + setup_cost + run_cost / divisor, NIL, NIL);
			if (pathkeys != NIL)
			{
				/*
				 * Under a LIMIT, a Gather Merge needs the newest rows of
				 * every participant, and each finds its own in its share of
				 * the files: up to the limit's fraction of its share, before
				 * the first row.  (The serial sorted scan stops at the
				 * limit's fraction of the whole.)
				 */
				Cost		first_rows = first_file;
				double		rows_each = clamp_row_est(baserel->rows / divisor);

				if (root->limit_tuples > 0 && root->limit_tuples < rows_each)
					first_rows = Max(first_rows,
									 run_cost / divisor * root->limit_tuples / rows_each);
				else if (root->limit_tuples >= rows_each)
					first_rows = run_cost / divisor;

				/*
				 * Without a LIMIT, though, all of its rows take as long as a
				 * serial scan's: the Gather Merge takes them newest first, so
				 * a participant on older files waits, its queue full, for the
				 * one on the newest (PutObject events of the benchmark
				 * mirror, newest first: 1.2 s, serially 1.1 s, and 0.76 s
				 * with a parallel plain scan under a Sort).  Under a LIMIT
				 * the rows a participant can get ahead are few.
				 */
				add_parallel_path(root, baserel, workers, divisor,
								  startup_cost + setup_cost + first_rows,
								  startup_cost + setup_cost +
								  (root->limit_tuples < 0 ? run_cost : run_cost / divisor),
								  pathkeys, sorted_private);
			}
		}
	}
}

static ForeignScan *
ctGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				 ForeignPath *best_path, List *tlist, List *scan_clauses,
				 Plan *outer_plan)
{
	CtPlanInfo *fpinfo = baserel->fdw_private;
	List	   *attrs = NIL;
	List	   *fdw_private;
	List	   *fdw_exprs = NIL;
	List	   *conds;
	List	   *scan_tlist;
	char	   *window = "";
	int			attidx = -1;

	while ((attidx = bms_next_member(fpinfo->attrs_used, attidx)) >= 0)
		attrs = lappend_int(attrs, attidx + FirstLowInvalidHeapAttributeNumber);
	conds = ct_conds_to_private(fpinfo->conds, &fdw_exprs);
	if (fpinfo->prune->has_lo || fpinfo->prune->has_hi)
		window = ct_time_window_string(fpinfo->prune);

	fdw_private = list_make5(attrs, conds,
							 makeString(fpinfo->location),
							 makeString(window),
							 makeString(psprintf(INT64_FORMAT, fpinfo->npartitions)));
	fdw_private = lappend(fdw_private, makeString(psprintf(INT64_FORMAT, fpinfo->partitions_total)));
	fdw_private = lappend(fdw_private, makeString(psprintf(INT64_FORMAT, fpinfo->nfiles)));
	fdw_private = lappend(fdw_private, makeString(psprintf(INT64_FORMAT, fpinfo->files_listed)));
	fdw_private = lappend(fdw_private, makeString(psprintf(INT64_FORMAT, fpinfo->files_digest_pruned)));
	fdw_private = lappend(fdw_private, makeString(psprintf(INT64_FORMAT, fpinfo->nbytes)));
	fdw_private = lappend(fdw_private,
						  makeInteger(best_path->fdw_private ?
									  intVal(linitial(best_path->fdw_private)) : 0));
	fdw_private = lappend(fdw_private, makeInteger(fpinfo->index_used ? 1 : 0));
	fdw_private = lappend(fdw_private, makeString(psprintf(INT64_FORMAT, fpinfo->files_index_covered)));
	fdw_private = lappend(fdw_private, makeString(psprintf(INT64_FORMAT, fpinfo->files_index_pruned)));

	/*
	 * Pushed conditions only narrow what is read; every qual is still
	 * checked on the rows, so the answer never depends on the pushdown.
	 */
	scan_clauses = extract_actual_clauses(scan_clauses, false);
	scan_tlist = ct_field_scan_tlist(root, baserel, foreigntableid, fpinfo->attrs_used);
	if (scan_tlist != NIL)
		tlist = ct_field_output_tlist(root, baserel, best_path->path.pathtarget, tlist,
									  scan_tlist, baserel->max_attr);
	return make_foreignscan(tlist, scan_clauses, baserel->relid, fdw_exprs,
							fdw_private, scan_tlist, NIL, outer_plan);
}

static int64
private_int64(List *fdw_private, int index)
{
	return (int64) strtoll(strVal(list_nth(fdw_private, index)), NULL, 10);
}

/* Evaluates the pushed conditions' values into a fresh CtPrune. */
static CtPrune *
eval_prune(ForeignScanState *node, CtFdwState *st)
{
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	CtOptions	opts;
	MemoryContext old;
	CtPrune    *prune;
	ListCell   *lc1,
			   *lc2;

	ct_get_options(RelationGetRelid(node->ss.ss_currentRelation), &opts);
	MemoryContextReset(st->prunecxt);
	old = MemoryContextSwitchTo(st->prunecxt);
	prune = palloc(sizeof(CtPrune));
	ct_prune_init(prune, opts.delay);
	forboth(lc1, st->conds, lc2, st->cond_states)
	{
		bool		isnull;
		Datum		value = ExecEvalExpr((ExprState *) lfirst(lc2), econtext, &isnull);

		ct_prune_add(prune, lfirst(lc1), value, isnull);
	}
	MemoryContextSwitchTo(old);
	ResetExprContext(econtext);
	return prune;
}

static void
ctBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *plan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	CtFdwState *st;
	Bitmapset  *attrs = NULL;
	ListCell   *lc;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	st = palloc0(sizeof(CtFdwState));
	foreach(lc, (List *) list_nth(plan->fdw_private, CtPrivAttrs))
		attrs = bms_add_member(attrs, lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	if (plan->fdw_scan_tlist != NIL)
	{
		Bitmapset  *tlist_attrs;

		ct_scan_tlist_columns(plan, RelationGetDescr(node->ss.ss_currentRelation)->natts,
							  &tlist_attrs, &st->fields);

		/*
		 * A physical target list (createplan.c's, when the node above does
		 * not mind extra columns) names every column; only those the query
		 * uses, as planned, are converted.  The others are never read above.
		 */
		attrs = bms_int_members(attrs, tlist_attrs);
	}

	st->conds = ct_conds_from_private(list_nth(plan->fdw_private, CtPrivConds),
									  plan->fdw_exprs);
	st->cond_states = ExecInitExprList(plan->fdw_exprs, (PlanState *) node);
	st->runtime = ct_conds_need_runtime(st->conds);
	st->prunecxt = AllocSetContextCreate(estate->es_query_cxt,
										 "cloudtrail_fdw pushed values",
										 ALLOCSET_SMALL_SIZES);
	st->attrs = attrs;
	st->sort_attno = intVal(list_nth(plan->fdw_private, CtPrivSortAttno));
	node->fdw_state = st;
	/* the scan starts on the first row asked for, when parameters are set */
}

/* Starts the scan, or restarts it with new parameter values. */
static void
start_scan(ForeignScanState *node, CtFdwState *st)
{
	if (st->scan == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(node->ss.ps.state->es_query_cxt);

		st->prune = eval_prune(node, st);
		st->scan = ct_scan_begin(node->ss.ss_currentRelation,
								 node->ss.ss_ScanTupleSlot->tts_tupleDescriptor,
								 false, st->attrs, st->fields,
								 false, st->prune, st->sort_attno, st->shared);
		MemoryContextSwitchTo(old);
	}
	else if (st->reprune)
	{
		st->prune = eval_prune(node, st);
		ct_scan_set_prune(st->scan, st->prune);
	}
	st->reprune = false;
}

static TupleTableSlot *
ctIterateForeignScan(ForeignScanState *node)
{
	CtFdwState *st = node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	if (st->scan == NULL || st->reprune)
		start_scan(node, st);
	ExecClearTuple(slot);
	if (ct_scan_next(st->scan, slot->tts_values, slot->tts_isnull))
		ExecStoreVirtualTuple(slot);
	return slot;
}

static void
ctReScanForeignScan(ForeignScanState *node)
{
	CtFdwState *st = node->fdw_state;

	if (st == NULL || st->scan == NULL)
		return;
	ct_scan_rescan(st->scan);
	/* new parameter values: prune again on the next row asked for */
	if (st->runtime && node->ss.ps.chgParam != NULL)
		st->reprune = true;
}

static void
ctEndForeignScan(ForeignScanState *node)
{
	CtFdwState *st = node->fdw_state;

	if (st && st->scan)
		ct_scan_end(st->scan);
	if (st && st->seg)
		dsm_detach(st->seg);
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
	const char *window = strVal(list_nth(priv, CtPrivWindow));
	List	   *conds = ct_conds_from_private(list_nth(priv, CtPrivConds), plan->fdw_exprs);
	CtFdwState *st = node->fdw_state;
	bool		runtime = ct_conds_need_runtime(conds);
	bool		has_time = false;
	List	   *labels = NIL;
	CtOptions	opts;
	ListCell   *lc;
	int64		parts = private_int64(priv, CtPrivPartitions);
	int64		parts_total = private_int64(priv, CtPrivPartitionsTotal);
	int64		files = private_int64(priv, CtPrivFiles);
	int64		files_listed = private_int64(priv, CtPrivFilesListed);
	int64		files_digest = private_int64(priv, CtPrivFilesDigestPruned);
	bool		index_used = intVal(list_nth(priv, CtPrivIndexUsed)) != 0;

	ct_get_options(RelationGetRelid(node->ss.ss_currentRelation), &opts);
	foreach(lc, conds)
	{
		CtCond	   *c = lfirst(lc);

		labels = lappend(labels, c->label);
		if (c->target == CT_TARGET_EVENTTIME || c->target == CT_TARGET_EVENTDAY)
			has_time = true;
	}

	ExplainPropertyText("CloudTrail Location", location[0] ? location : ".", es);
	if (intVal(list_nth(priv, CtPrivSortAttno)) > 0)
	{
		AttrNumber	attno = intVal(list_nth(priv, CtPrivSortAttno));
		TupleDesc	tupdesc = RelationGetDescr(node->ss.ss_currentRelation);

		ExplainPropertyText("Scan Order",
							psprintf("%s DESC, newest files first",
									 quote_identifier(NameStr(TupleDescAttr(tupdesc, attno - 1)->attname))),
							es);
	}
	if (strcmp(opts.log_type, CT_DEFAULT_LOG_TYPE) != 0)
		ExplainPropertyText("Log Type", opts.log_type, es);
	if (plan->fdw_scan_tlist != NIL)
	{
		Bitmapset  *unused;
		List	   *fields;
		List	   *names = NIL;
		TupleDesc	tupdesc = RelationGetDescr(node->ss.ss_currentRelation);

		ct_scan_tlist_columns(plan, tupdesc->natts, &unused, &fields);
		foreach(lc, fields)
		{
			CtField    *f = lfirst(lc);
			const char *column = NameStr(TupleDescAttr(tupdesc, f->base_attno - 1)->attname);

			names = lappend(names, ct_field_label(quote_identifier(column), f->keys, f->jsonb));
		}
		if (names != NIL)
			ExplainPropertyList("Fields Extracted", names, es);
	}
	if (labels != NIL)
	{
		if (es->format == EXPLAIN_FORMAT_TEXT)
		{
			StringInfoData buf;

			initStringInfo(&buf);
			foreach(lc, labels)
				appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", (char *) lfirst(lc));
			ExplainPropertyText("Pushed Conditions", buf.data, es);
		}
		else
			ExplainPropertyList("Pushed Conditions", labels, es);
	}
	if (has_time)
	{
		if (window[0])
			ExplainPropertyText("Event Time Window", window, es);
		if (runtime && st && st->prune && (st->prune->has_lo || st->prune->has_hi))
			ExplainPropertyText("Event Time Window at Run Time",
								ct_time_window_string(st->prune), es);
		ExplainPropertyText("Max Delivery Delay",
							opts.delay < 0 ? "unbounded" : opts.delay_text, es);
	}
	if (runtime)
		ExplainPropertyText("Run-Time Pruning", "on", es);

	if (es->format == EXPLAIN_FORMAT_TEXT)
	{
		ExplainPropertyText("Partitions",
							psprintf(INT64_FORMAT " of " INT64_FORMAT, parts, parts_total), es);
		ExplainPropertyText("Files",
							psprintf(INT64_FORMAT " of " INT64_FORMAT, files, files_listed), es);
	}
	else
	{
		ExplainPropertyInteger("Partitions", NULL, parts, es);
		ExplainPropertyInteger("Partitions Total", NULL, parts_total, es);
		ExplainPropertyInteger("Files", NULL, files, es);
		ExplainPropertyInteger("Files Listed", NULL, files_listed, es);
	}
	if (files_digest > 0 || es->format != EXPLAIN_FORMAT_TEXT)
		ExplainPropertyInteger("Files Skipped by Digests", NULL, files_digest, es);
	if (index_used)
	{
		ExplainPropertyInteger("Files in Index", NULL,
							   private_int64(priv, CtPrivFilesIndexCovered), es);
		ExplainPropertyInteger("Files Skipped by Index", NULL,
							   private_int64(priv, CtPrivFilesIndexPruned), es);
	}
	explain_bytes("File Size", private_int64(priv, CtPrivBytes), es);

	if (es->analyze && st && st->scan)
	{
		CtScanStats all = *ct_scan_stats(st->scan);
		const CtScanStats *stats = &all;

		/* a parallel scan: the leader's counters and the workers' */
		if (st->shared && !st->is_worker)
		{
			ct_shared_sum_stats(st->shared, &all);
			all.partitions = ct_shared_partitions(st->shared);
		}

		ExplainPropertyInteger("Partitions Read", NULL, stats->partitions, es);
		ExplainPropertyInteger("Files Read", NULL, stats->files, es);
		explain_bytes("Bytes Read", stats->bytes_in, es);
		explain_bytes("Bytes Decompressed", stats->bytes_out, es);
		ExplainPropertyInteger("Records", NULL, stats->records, es);
		if (labels != NIL || es->format != EXPLAIN_FORMAT_TEXT)
		{
			ExplainPropertyInteger("Records Rejected Unparsed", NULL,
								   stats->records_raw_rejected, es);
			ExplainPropertyInteger("Records Parsed", NULL, stats->records_parsed, es);
			ExplainPropertyInteger("Records Rejected Parsed", NULL,
								   stats->records_rejected, es);
		}
		if (intVal(list_nth(priv, CtPrivSortAttno)) > 0)
			ExplainPropertyInteger("Rows Held at Most", NULL, stats->rows_held_max, es);
		if (stats->bad_files > 0 || es->format != EXPLAIN_FORMAT_TEXT)
			ExplainPropertyInteger("Bad Files Skipped", NULL, stats->bad_files, es);
		if (opts.verify_hashes)
		{
			ExplainPropertyInteger("Files Verified", NULL, stats->files_verified, es);
			ExplainPropertyInteger("Files Verified Before", NULL,
								   stats->files_verified_before, es);
			ExplainPropertyInteger("Files Newer Than Their Digests", NULL,
								   stats->files_unverified, es);
		}
		if (stats->files_digest_skipped > 0 || es->format != EXPLAIN_FORMAT_TEXT)
			ExplainPropertyInteger("Files Skipped by Digests at Run Time", NULL,
								   stats->files_digest_skipped, es);
		if (index_used)
		{
			ExplainPropertyInteger("Files Skipped by Index at Run Time", NULL,
								   stats->files_index_skipped, es);
			ExplainPropertyInteger("Unindexed Files", NULL, stats->files_unindexed, es);
			ExplainPropertyInteger("Stale Index Entries", NULL, stats->files_index_stale, es);
		}
	}
}

/* --- parallel scan ------------------------------------------------------- */

static bool
ctIsForeignScanParallelSafe(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte)
{
	return true;
}

static Size
ctEstimateDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt)
{
	return sizeof(dsm_handle);
}

/* Leader: lists the files into a segment of its own, and shares its handle. */
static void
ctInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
						   void *coordinate)
{
	CtFdwState *st = node->fdw_state;
	MemoryContext old = MemoryContextSwitchTo(node->ss.ps.state->es_query_cxt);

	st->prune = eval_prune(node, st);
	st->seg = ct_shared_build(node->ss.ss_currentRelation, st->prune,
							  st->sort_attno > 0, &st->shared);
	dsm_pin_mapping(st->seg);
	*(dsm_handle *) coordinate = dsm_segment_handle(st->seg);
	MemoryContextSwitchTo(old);
}

static void
ctReInitializeDSMForeignScan(ForeignScanState *node, ParallelContext *pcxt,
							 void *coordinate)
{
	CtFdwState *st = node->fdw_state;

	if (st->shared)
		ct_shared_reset(st->shared);
}

static void
ctInitializeWorkerForeignScan(ForeignScanState *node, shm_toc *toc, void *coordinate)
{
	CtFdwState *st = node->fdw_state;
	dsm_segment *seg = dsm_attach(*(dsm_handle *) coordinate);

	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not attach to the file list of a parallel cloudtrail_fdw scan")));
	st->seg = seg;
	st->shared = dsm_segment_address(seg);
	st->is_worker = true;
}

/* Worker: adds its counters for the leader's EXPLAIN ANALYZE. */
static void
ctShutdownForeignScan(ForeignScanState *node)
{
	CtFdwState *st = node->fdw_state;

	if (st && st->is_worker && st->seg)
	{
		if (st->scan)
			ct_shared_add_stats(st->shared, ct_scan_stats(st->scan));
		dsm_detach(st->seg);
		st->seg = NULL;
		st->shared = NULL;
	}
}

/* --- ANALYZE: a sample of the files, see ct_analyze.c ---------------------- */

static bool
ctAnalyzeForeignTable(Relation relation, AcquireSampleRowsFunc *func,
					  BlockNumber *totalpages)
{
	CtPlanInfo	info;

	memset(&info, 0, sizeof(info));
	ct_get_options(RelationGetRelid(relation), &info.opts);
	ct_size_tree(&info, RelationGetRelationName(relation), NULL);
	*totalpages = (BlockNumber) Max(1, (info.nbytes + BLCKSZ - 1) / BLCKSZ);
	*func = ct_analyze_sample;
	return true;
}

/* --- IMPORT FOREIGN SCHEMA ------------------------------------------------ */

static const char *const cloudtrail_logs_columns =
"eventversion text, useridentity jsonb, eventtime timestamptz NOT NULL, eventsource text, "
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
"eventversion text, eventtime timestamptz NOT NULL, awsregion text, eventid text, "
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
	routine->IsForeignScanParallelSafe = ctIsForeignScanParallelSafe;
	routine->EstimateDSMForeignScan = ctEstimateDSMForeignScan;
	routine->InitializeDSMForeignScan = ctInitializeDSMForeignScan;
	routine->ReInitializeDSMForeignScan = ctReInitializeDSMForeignScan;
	routine->InitializeWorkerForeignScan = ctInitializeWorkerForeignScan;
	routine->ShutdownForeignScan = ctShutdownForeignScan;

	PG_RETURN_POINTER(routine);
}
