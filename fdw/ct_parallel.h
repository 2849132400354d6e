/*-------------------------------------------------------------------------
 *
 * ct_parallel.h
 *		The shared state of a parallel scan (ct_parallel.c): the partitions
 *		its participants claim, and their counters.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_PARALLEL_H
#define CT_PARALLEL_H

#include "postgres.h"

#include "utils/relcache.h"

#include "ct_prune.h"
#include "ct_scan.h"
#include "ct_tree.h"

struct dsm_segment;

/* CtShared is named in ct_scan.h, whose ct_scan_begin() takes one */
extern struct dsm_segment *ct_shared_build(Relation rel, CtPrune *prune, bool newest_first,
											CtShared **shared);
extern void ct_shared_reset(CtShared *sh);
extern uint32 ct_shared_partitions(CtShared *sh);
extern bool ct_shared_claim_partition(CtShared *sh, CtPartition *part);
extern bool ct_shared_claim_day(CtShared *sh, CtPartition **parts, int *nparts);
extern bool ct_shared_days_left(CtShared *sh);
extern void ct_shared_add_stats(CtShared *sh, const CtScanStats *stats);
extern void ct_shared_sum_stats(CtShared *sh, CtScanStats *stats);

#endif							/* CT_PARALLEL_H */
