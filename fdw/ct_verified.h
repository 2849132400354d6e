/*-------------------------------------------------------------------------
 *
 * ct_verified.h
 *		What verify_hashes has verified: log files, by their identity, and
 *		the SHA-256 they hashed to.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_VERIFIED_H
#define CT_VERIFIED_H

#include "postgres.h"

#include <sys/stat.h>

typedef struct CtVerified CtVerified;

extern CtVerified *ct_verified_open(const char *root, const char *log_type);
extern bool ct_verified_lookup(CtVerified *vf, const char *rel, const struct stat *st,
							   uint8 *sha);
extern void ct_verified_add(CtVerified *vf, const char *rel, const struct stat *st,
							const uint8 *sha);

#endif							/* CT_VERIFIED_H */
