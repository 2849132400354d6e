/*-------------------------------------------------------------------------
 *
 * ct_digest.h
 *		The event times and hashes of log files that CloudTrail-Digest files
 *		give (ct_digest.c), and reading a digest file whole.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_DIGEST_H
#define CT_DIGEST_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "ct_tree.h"

extern uint64 ct_digest_generation(void);
extern bool ct_digest_is_name(const char *name);

/* Reading a digest file whole: what went wrong, for each caller to word. */
typedef enum CtDigestReadError
{
	CT_DIGEST_READ_OK,
	CT_DIGEST_READ_OPEN,		/* could not open it (errno) */
	CT_DIGEST_READ_STAT,		/* could not stat it (errno) */
	CT_DIGEST_READ_NOT_REGULAR,
	CT_DIGEST_READ_EMPTY,
	CT_DIGEST_READ_TOO_LARGE,	/* larger than CT_DIGEST_MAX_IN */
	CT_DIGEST_READ_READ,		/* a read failed (errno) */
	CT_DIGEST_READ_SHRANK
} CtDigestReadError;

#define CT_DIGEST_MAX_IN	((size_t) 16 * 1024 * 1024)
extern unsigned char *ct_digest_read_file(const char *path, size_t *len, off_t *size,
										  CtDigestReadError *err, int *save_errno);

#define CT_DIGEST_SHA_LEN	32
typedef enum CtDigestListing
{
	CT_DIGEST_LISTED,			/* a digest gives its hash */
	CT_DIGEST_UNLISTED,			/* none does, and one should */
	CT_DIGEST_NEWEST			/* none does: it may be in the newest hour */
} CtDigestListing;
extern CtDigestListing ct_digest_hashes(CtTree *tree, const char *partdir, const char *name,
										TimestampTz delivery, uint8 (*sha)[CT_DIGEST_SHA_LEN],
										int max, int *nsha);
extern bool ct_digest_times(CtTree *tree, const char *partdir, const char *name,
							TimestampTz delivery, TimestampTz *oldest,
							TimestampTz *newest);

#endif							/* CT_DIGEST_H */
