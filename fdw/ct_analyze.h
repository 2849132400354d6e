/*-------------------------------------------------------------------------
 *
 * ct_analyze.h
 *		ANALYZE's two-stage sample of a mirror (a random sample of files,
 *		Vitter's reservoir over their records), and the row estimates of
 *		pushed conditions when there are no statistics.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_ANALYZE_H
#define CT_ANALYZE_H

#include "postgres.h"

#include "access/htup.h"
#include "nodes/pathnodes.h"
#include "utils/relcache.h"

/* Planning estimates without statistics. */
#define CT_GZIP_RATIO			10.0	/* JSON bytes per compressed byte */
#define CT_RECORD_BYTES			1200.0	/* JSON bytes per record */

/* cloudtrail_fdw.analyze_seed: -1 draws one for each ANALYZE */
extern int	ct_analyze_seed;

extern int	ct_analyze_sample(Relation onerel, int elevel, HeapTuple *rows,
							  int targrows, double *totalrows,
							  double *totaldeadrows);

extern Selectivity ct_estimate_selectivity(PlannerInfo *root, RelOptInfo *baserel,
										   Oid relid, List *conds, List *clauses);

#endif							/* CT_ANALYZE_H */
