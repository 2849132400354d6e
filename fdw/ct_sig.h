/*-------------------------------------------------------------------------
 *
 * ct_sig.h
 *		CloudTrail's public keys, as `aws cloudtrail list-public-keys` prints
 *		them, and the RSA signatures of digest files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_SIG_H
#define CT_SIG_H

#include "postgres.h"

typedef struct CtKeySet CtKeySet;

typedef enum CtSigResult
{
	CT_SIG_VALID,
	CT_SIG_INVALID,				/* the signature does not verify */
	CT_SIG_NO_KEY				/* no key of that fingerprint was given */
} CtSigResult;

extern CtKeySet *ct_keyset_parse(const char *json, size_t len);
extern int	ct_keyset_count(const CtKeySet *ks);
extern CtSigResult ct_keyset_verify(const CtKeySet *ks, const char *fingerprint,
									const uint8 *sig, size_t siglen,
									const char *msg, size_t msglen);

#endif							/* CT_SIG_H */
