/*-------------------------------------------------------------------------
 *
 * ct_validate.h
 *		cloudtrail_fdw.validate(): CloudTrail log file integrity validation
 *		of a mirror, offline.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_VALIDATE_H
#define CT_VALIDATE_H

#include "postgres.h"

#include "fmgr.h"
#include "storage/dsm.h"
#include "storage/shm_toc.h"

extern Datum cloudtrail_fdw_validate(PG_FUNCTION_ARGS);

/* the entry point of its parallel workers, which hash log files */
extern PGDLLEXPORT void ct_validate_worker(dsm_segment *seg, shm_toc *toc);

#endif							/* CT_VALIDATE_H */
