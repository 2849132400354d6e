/*-------------------------------------------------------------------------
 *
 * cloudtrail_fdw.h
 *		The handler of cloudtrail_fdw (cloudtrail_fdw.c).  Every other module
 *		declares what it offers in its own header (ct_options.h, ct_quals.h,
 *		ct_prune.h, ct_tree.h, ct_scan.h, ...).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CLOUDTRAIL_FDW_H
#define CLOUDTRAIL_FDW_H

#include "postgres.h"

#include "fmgr.h"

extern Datum cloudtrail_fdw_handler(PG_FUNCTION_ARGS);

#endif							/* CLOUDTRAIL_FDW_H */
