/*-------------------------------------------------------------------------
 *
 * ct_hash.c
 *		SHA-256 of the inflated first gzip member of a file, as a CloudTrail
 *		digest's hashValue and previousDigestHashValue define it.
 *
 * Any byte after the first member makes a file invalid (as aws cloudtrail
 * validate-logs does since v1.45.12): a second member could add records
 * that a reader serves but the hash does not cover.  A file of up to 4 MB
 * (and 32 MB inflated) is read whole and inflated by libdeflate in one
 * call, as the scan does; anything else, and anything libdeflate refuses,
 * is inflated as a zlib stream, whose messages are the ones reported.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <libdeflate.h>
#include <openssl/evp.h>

#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/memutils.h"

#include "ct_hash.h"
#include "ct_json.h"
#include "ct_stream.h"

struct CtHasher
{
	MemoryContext cxt;
	EVP_MD_CTX *md;				/* libcrypto's: freed by the callback */
	struct libdeflate_decompressor *dd; /* libdeflate's: likewise */
	unsigned char *in;			/* whole files, or stream chunks */
	size_t		incap;
	unsigned char *out;
	size_t		outcap;
	MemoryContextCallback cb;
};

/* Frees what libcrypto and libdeflate allocated, with the context. */
static void
hasher_free(void *arg)
{
	CtHasher   *h = arg;

	if (h->md)
		EVP_MD_CTX_free(h->md);
	if (h->dd)
		libdeflate_free_decompressor(h->dd);
	h->md = NULL;
	h->dd = NULL;
}

CtHasher *
ct_hasher_create(MemoryContext cxt)
{
	CtHasher   *h = MemoryContextAllocZero(cxt, sizeof(CtHasher));

	h->cxt = cxt;
	h->cb.func = hasher_free;
	h->cb.arg = h;
	MemoryContextRegisterResetCallback(cxt, &h->cb);
	h->md = EVP_MD_CTX_new();
	h->dd = libdeflate_alloc_decompressor();
	if (h->md == NULL || h->dd == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory for SHA-256 and inflation contexts")));
	return h;
}

void
ct_hasher_begin(CtHasher *h)
{
	if (EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
		elog(ERROR, "libcrypto could not start a SHA-256 digest");
}

void
ct_hasher_update(CtHasher *h, const void *p, size_t len)
{
	if (len > 0 && EVP_DigestUpdate(h->md, p, len) != 1)
		elog(ERROR, "libcrypto could not update a SHA-256 digest");
}

void
ct_hasher_end(CtHasher *h, uint8 *out)
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->md, out, &n) != 1 || n != CT_SHA256_LEN)
		elog(ERROR, "libcrypto could not finish a SHA-256 digest");
}

void
ct_sha256(CtHasher *h, const void *p, size_t len, uint8 *out)
{
	ct_hasher_begin(h);
	ct_hasher_update(h, p, len);
	ct_hasher_end(h, out);
}

static void
set_reason(CtHashResult *r, const char *fmt,...) pg_attribute_printf(2, 3);

static void
set_reason(CtHashResult *r, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	r->ok = false;
}

static void
ensure(CtHasher *h, unsigned char **buf, size_t *cap, size_t need)
{
	if (*cap >= need)
		return;
	if (*buf)
		pfree(*buf);
	*buf = MemoryContextAllocHuge(h->cxt, need);
	*cap = need;
}

static ssize_t
read_full(int fd, unsigned char *buf, size_t len)
{
	size_t		got = 0;

	while (got < len)
	{
		ssize_t		n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return (ssize_t) got;
}

static const char *
zlib_reason(int rc, z_stream *zs)
{
	if (rc == Z_DATA_ERROR)
		return zs->msg ? zs->msg : "bad gzip data";
	if (rc == Z_MEM_ERROR)
		return "out of memory";
	return "bad gzip data";
}

/*
 * libdeflate's one call, for a file held whole: true with r->ok set when it
 * took the file; false to leave it to zlib (a header CRC, which libdeflate
 * does not check, bad data or too little room: zlib says what is wrong).
 */
static bool
hash_whole(CtHasher *h, const unsigned char *in, size_t inlen, CtHashResult *r)
{
	size_t		used = 0;
	size_t		got = 0;
	enum libdeflate_result lr;

	if (inlen < 18 || in[0] != 0x1f || in[1] != 0x8b || (in[3] & 0x02) != 0)
		return false;
	ensure(h, &h->out, &h->outcap, Max(h->outcap, Min(inlen * 12, CT_WHOLE_MAX_OUT)));
	for (;;)
	{
		lr = libdeflate_gzip_decompress_ex(h->dd, in, inlen, h->out, h->outcap, &used, &got);
		if (lr != LIBDEFLATE_INSUFFICIENT_SPACE || h->outcap >= CT_WHOLE_MAX_OUT)
			break;
		ensure(h, &h->out, &h->outcap, Min(h->outcap * 2, CT_WHOLE_MAX_OUT));
	}
	if (lr != LIBDEFLATE_SUCCESS)
		return false;
	r->bytes_out = got;
	if (used < inlen)
	{
		set_reason(r, "%zu bytes of data after the first gzip member", inlen - used);
		return true;
	}
	ct_sha256(h, h->out, got, r->sha);
	r->ok = true;
	return true;
}

/*
 * The zlib stream: first the bytes already read (have of them in h->in),
 * then the rest of fd (-1: none).
 */
static void
hash_stream(CtHasher *h, int fd, const unsigned char *first, size_t have, CtHashResult *r)
{
	z_stream	zs;
	int			rc = Z_OK;
	bool		eof = (fd < 0);
	const size_t chunk = CT_READ_CHUNK;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)	/* gzip only */
	{
		set_reason(r, "could not start inflation");
		return;
	}
	ensure(h, &h->out, &h->outcap, chunk);
	if (first != h->in && fd >= 0)
		ensure(h, &h->in, &h->incap, chunk);
	ct_hasher_begin(h);
	r->bytes_out = 0;
	zs.next_in = (Bytef *) first;
	zs.avail_in = have;
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (zs.avail_in == 0 && !eof)
		{
			ssize_t		n = read_full(fd, h->in, Min(chunk, h->incap));

			if (n < 0)
			{
				set_reason(r, "could not read: %s", strerror(errno));
				break;
			}
			r->bytes_in += n;
			eof = (n == 0);
			zs.next_in = h->in;
			zs.avail_in = n;
		}
		if (zs.avail_in == 0 && eof)
		{
			set_reason(r, r->bytes_out == 0 && r->bytes_in == 0 ? "empty file" :
					   "truncated gzip data");
			break;
		}
		zs.next_out = h->out;
		zs.avail_out = chunk;
		rc = inflate(&zs, Z_NO_FLUSH);
		ct_hasher_update(h, h->out, chunk - zs.avail_out);
		r->bytes_out += chunk - zs.avail_out;
		if (rc == Z_STREAM_END)
		{
			int64		extra = zs.avail_in;

			/* any byte after the member makes the file invalid */
			while (!eof)
			{
				ssize_t		n = read_full(fd, h->in, Min(chunk, h->incap));

				if (n <= 0)
					break;
				r->bytes_in += n;
				extra += n;
			}
			if (extra > 0)
				set_reason(r, INT64_FORMAT " bytes of data after the first gzip member", extra);
			else
			{
				ct_hasher_end(h, r->sha);
				r->ok = true;
			}
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR)
		{
			set_reason(r, "not gzip data, or corrupt: %s", zlib_reason(rc, &zs));
			break;
		}
	}
	inflateEnd(&zs);
}

/*
 * Hashes the file at path (absolute).  Never throws for a bad file: r says
 * what is wrong with it.
 */
void
ct_hash_gzip_file(CtHasher *h, const char *path, CtHashResult *r)
{
	int			fd;
	struct stat st;

	memset(r, 0, sizeof(*r));
	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		r->missing = (errno == ENOENT);
		set_reason(r, "could not open: %s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		set_reason(r, "not a regular file");
		CloseTransientFile(fd);
		return;
	}
	if (st.st_size > 0 && (size_t) st.st_size <= CT_WHOLE_MAX_IN)
	{
		ssize_t		n;

		ensure(h, &h->in, &h->incap, Max((size_t) st.st_size + 1, CT_READ_CHUNK));
		/* one byte more than its size: a file that grew is read as a stream */
		n = read_full(fd, h->in, st.st_size + 1);
		if (n < 0)
		{
			set_reason(r, "could not read: %s", strerror(errno));
			CloseTransientFile(fd);
			return;
		}
		r->bytes_in = n;
		if (n == st.st_size && hash_whole(h, h->in, n, r))
		{
			CloseTransientFile(fd);
			return;
		}
		hash_stream(h, fd, h->in, n, r);
	}
	else
	{
		ensure(h, &h->in, &h->incap, CT_READ_CHUNK);
		hash_stream(h, fd, h->in, 0, r);
	}
	CloseTransientFile(fd);
}

/*
 * Inflates the first gzip member of in[0, inlen) (a digest file, read whole)
 * into a new palloc'd buffer of at most maxout bytes, and hashes it.  NULL
 * with r->reason if it is not a single whole member.
 */
char *
ct_gunzip_first_member(CtHasher *h, const unsigned char *in, size_t inlen,
					   size_t maxout, size_t *outlen, CtHashResult *r)
{
	z_stream	zs;
	size_t		cap = Min(Max(inlen * 8, 4096), maxout);
	char	   *out;
	int			rc;

	memset(r, 0, sizeof(*r));
	r->bytes_in = inlen;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
	{
		set_reason(r, "could not start inflation");
		return NULL;
	}
	out = palloc_extended(cap + 1, MCXT_ALLOC_HUGE);
	zs.next_in = (Bytef *) in;
	zs.avail_in = inlen;
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		zs.next_out = (Bytef *) out + zs.total_out;
		zs.avail_out = cap - zs.total_out;
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_OK && zs.avail_out == 0)
		{
			if (cap >= maxout)
			{
				set_reason(r, "larger than %zu MB inflated", maxout / (1024 * 1024));
				break;
			}
			cap = Min(cap * 2, maxout);
			out = repalloc_huge(out, cap + 1);
			continue;
		}
		if (rc == Z_OK || rc == Z_BUF_ERROR)
			set_reason(r, inlen == 0 ? "empty file" : "truncated gzip data");
		else
			set_reason(r, "not gzip data, or corrupt: %s", zlib_reason(rc, &zs));
		break;
	}
	if (rc == Z_STREAM_END && zs.avail_in > 0)
		set_reason(r, "%u bytes of data after the first gzip member", zs.avail_in);
	else if (rc == Z_STREAM_END)
	{
		*outlen = zs.total_out;
		r->bytes_out = zs.total_out;
		out[zs.total_out] = '\0';
		ct_sha256(h, out, zs.total_out, r->sha);
		r->ok = true;
	}
	inflateEnd(&zs);
	if (!r->ok)
	{
		pfree(out);
		return NULL;
	}
	return out;
}

void
ct_hex_encode(const uint8 *in, int len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < len; i++)
	{
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/* Hex digits (either case) to bytes; false if any is not one, or too many. */
bool
ct_hex_decode(const char *in, size_t len, uint8 *out, size_t outcap, size_t *outlen)
{
	if (len % 2 != 0 || len / 2 > outcap)
		return false;
	for (size_t i = 0; i < len; i += 2)
	{
		int			hi = ct_hex_value((unsigned char) in[i]);
		int			lo = ct_hex_value((unsigned char) in[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8) (hi << 4 | lo);
	}
	*outlen = len / 2;
	return true;
}
