/*-------------------------------------------------------------------------
 *
 * ct_sig.c
 *		CloudTrail's public keys and the signatures of digest files, with
 *		OpenSSL's libcrypto: RSASSA-PKCS1-v1_5 over SHA-256.
 *
 * `aws cloudtrail list-public-keys` prints {"PublicKeyList": [{"Value":
 * base64 DER, "Fingerprint": hex MD5 of those DER bytes, ...}]}, one object
 * per region; several regions' objects may come as an array.  Value is
 * normally a PKCS#1 RSAPublicKey, but an old key is an X.509
 * SubjectPublicKeyInfo: both are accepted.  A key that does not decode, or
 * whose fingerprint is not the MD5 of its bytes, is an error naming it: a
 * report resting on a mistyped key would be worthless.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "utils/memutils.h"

#include "ct_hash.h"
#include "ct_json.h"
#include "ct_sig.h"

typedef struct CtKey
{
	char		fingerprint[33];	/* lowercase hex */
	EVP_PKEY   *pkey;
} CtKey;

struct CtKeySet
{
	int			n;
	int			cap;
	CtKey	   *keys;
	MemoryContextCallback cb;
};

/* libcrypto's keys go with the memory context, on error too. */
static void
keyset_free(void *arg)
{
	CtKeySet   *ks = arg;

	for (int i = 0; i < ks->n; i++)
		EVP_PKEY_free(ks->keys[i].pkey);
	ks->n = 0;
}

static char *
member_string(const CtValue *obj, const char *key)
{
	CtValue		v;

	if (!ct_json_object_get(obj, key, strlen(key), &v))
		return NULL;
	return ct_json_cstring(&v);
}

/* base64 (RFC 4648, padded, whitespace ignored) to bytes */
static uint8 *
base64_decode(const char *s, int *outlen)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	int			len = strlen(s);
	uint8	   *out = palloc(len / 4 * 3 + 4);
	int			n = 0,
				m = 0;
	bool		ok;

	if (ctx == NULL)
		return NULL;
	EVP_DecodeInit(ctx);
	ok = EVP_DecodeUpdate(ctx, out, &n, (const unsigned char *) s, len) >= 0 &&
		EVP_DecodeFinal(ctx, out + n, &m) == 1;
	EVP_ENCODE_CTX_free(ctx);
	if (!ok || n + m == 0)
		return NULL;
	*outlen = n + m;
	return out;
}

/* DER of a PKCS#1 RSAPublicKey, or of a SubjectPublicKeyInfo */
static EVP_PKEY *
decode_key(const uint8 *der, int len)
{
	const unsigned char *p = der;
	EVP_PKEY   *pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);

	if (pkey && p == der + len)
		return pkey;
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	p = der;
	pkey = d2i_PUBKEY(NULL, &p, len);
	if (pkey && (p != der + len || EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA))
	{
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	/* libcrypto's error queue must be left empty for the server's own TLS */
	ERR_clear_error();
	return pkey;
}

static void
add_key(CtKeySet *ks, const CtValue *entry, int nth)
{
	char	   *value = member_string(entry, "Value");
	char	   *fp = member_string(entry, "Fingerprint");
	uint8	   *der;
	int			len = 0;
	uint8		md5[16];
	unsigned int mdlen = 0;
	char		hex[33];
	EVP_PKEY   *pkey;

	if (entry->type != CT_JSON_OBJECT || value == NULL || fp == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("public key %d of \"public_keys\" has no \"Value\" or \"Fingerprint\" string", nth),
				 errhint("Pass what \"aws cloudtrail list-public-keys\" prints, or an array of those.")));
	der = base64_decode(value, &len);
	if (der == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("public key \"%s\" of \"public_keys\" is not base64", fp)));
	if (EVP_Digest(der, len, md5, &mdlen, EVP_md5(), NULL) != 1 || mdlen != 16)
		elog(ERROR, "libcrypto could not compute an MD5 digest");
	ct_hex_encode(md5, 16, hex);
	if (pg_strcasecmp(hex, fp) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("public key \"%s\" of \"public_keys\" does not match its fingerprint", fp),
				 errdetail("The MD5 of its \"Value\" is %s.", hex)));
	pkey = decode_key(der, len);
	if (pkey == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("public key \"%s\" of \"public_keys\" is not an RSA public key", fp),
				 errdetail("Its \"Value\" must be the base64 DER of a PKCS#1 RSAPublicKey or of a SubjectPublicKeyInfo.")));
	if (ks->n == ks->cap)
	{
		ks->cap = ks->cap ? ks->cap * 2 : 8;
		ks->keys = ks->keys ? repalloc(ks->keys, ks->cap * sizeof(CtKey)) :
			palloc(ks->cap * sizeof(CtKey));
	}
	ks->keys[ks->n].pkey = pkey;
	memcpy(ks->keys[ks->n].fingerprint, hex, sizeof(hex));
	ks->n++;
}

static void
add_list(CtKeySet *ks, const CtValue *obj, int *nth)
{
	CtValue		list;
	CtValue		entry;
	const char *pos = NULL;

	if (obj->type != CT_JSON_OBJECT ||
		!ct_json_object_get(obj, "PublicKeyList", 13, &list) || list.type != CT_JSON_ARRAY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"public_keys\" has no \"PublicKeyList\" array"),
				 errhint("Pass what \"aws cloudtrail list-public-keys\" prints, or an array of those.")));
	while (ct_json_next(&list, &pos, NULL, &entry))
		add_key(ks, &entry, ++(*nth));
}

/*
 * The keys of the JSON text json (valid JSON: it comes from jsonb), in the
 * current memory context.
 */
CtKeySet *
ct_keyset_parse(const char *json, size_t len)
{
	CtKeySet   *ks = palloc0(sizeof(CtKeySet));
	const char *end = json + len;
	CtValue		top = ct_json_value_at(ct_json_skip_ws(json, end), end);
	int			nth = 0;

	ks->cb.func = keyset_free;
	ks->cb.arg = ks;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &ks->cb);
	if (top.type == CT_JSON_ARRAY)
	{
		CtValue		obj;
		const char *pos = NULL;

		while (ct_json_next(&top, &pos, NULL, &obj))
			add_list(ks, &obj, &nth);
	}
	else
		add_list(ks, &top, &nth);
	return ks;
}

int
ct_keyset_count(const CtKeySet *ks)
{
	return ks ? ks->n : 0;
}

/* Verifies sig over msg with the key of that fingerprint. */
CtSigResult
ct_keyset_verify(const CtKeySet *ks, const char *fingerprint,
				 const uint8 *sig, size_t siglen, const char *msg, size_t msglen)
{
	for (int i = 0; ks && i < ks->n; i++)
	{
		EVP_MD_CTX *ctx;
		int			rc;

		if (pg_strcasecmp(ks->keys[i].fingerprint, fingerprint) != 0)
			continue;
		ctx = EVP_MD_CTX_new();
		if (ctx == NULL)
			elog(ERROR, "out of memory in libcrypto");
		/* PKCS#1 v1.5 padding is the default for RSA */
		rc = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, ks->keys[i].pkey);
		if (rc == 1)
			rc = EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *) msg, msglen);
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		return rc == 1 ? CT_SIG_VALID : CT_SIG_INVALID;
	}
	return CT_SIG_NO_KEY;
}
