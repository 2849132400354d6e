/*-------------------------------------------------------------------------
 *
 * ct_hash.h
 *		SHA-256 of what a CloudTrail digest hashes: the inflated bytes of a
 *		file's first gzip member.
 *
 * Hashes come from OpenSSL's libcrypto, never from code of our own.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_HASH_H
#define CT_HASH_H

#include "postgres.h"

#define CT_SHA256_LEN		32
#define CT_SHA256_HEX_LEN	64

/* Why a file could not be hashed; "" when it was. */
#define CT_HASH_REASON_LEN	160

typedef struct CtHashResult
{
	bool		ok;				/* hashed: a single gzip member, read whole */
	bool		missing;		/* the file does not exist */
	uint8		sha[CT_SHA256_LEN];
	int64		bytes_in;		/* compressed bytes read */
	int64		bytes_out;		/* inflated bytes hashed */
	char		reason[CT_HASH_REASON_LEN];
} CtHashResult;

/* Buffers, inflater and digest context, kept from one file to the next. */
typedef struct CtHasher CtHasher;

extern CtHasher *ct_hasher_create(MemoryContext cxt);
extern void ct_hash_gzip_file(CtHasher *h, const char *path, CtHashResult *r);
extern char *ct_gunzip_first_member(CtHasher *h, const unsigned char *in, size_t inlen,
									size_t maxout, size_t *outlen, CtHashResult *r);
extern void ct_sha256(CtHasher *h, const void *p, size_t len, uint8 *out);

/* incremental hashing of a stream that the caller inflates (verify_hashes) */
extern void ct_hasher_begin(CtHasher *h);
extern void ct_hasher_update(CtHasher *h, const void *p, size_t len);
extern void ct_hasher_end(CtHasher *h, uint8 *out);

extern void ct_hex_encode(const uint8 *in, int len, char *out);
extern bool ct_hex_decode(const char *in, size_t len, uint8 *out, size_t outcap,
						  size_t *outlen);

#endif							/* CT_HASH_H */
