/*-------------------------------------------------------------------------
 *
 * ct_port.h
 *		Allocation shims shared by the backend and the stand-alone builds.
 *
 * The gzip stream, record splitter and JSON scanner (ct_stream.c, ct_json.c)
 * never call ereport: they report failures through CtError so that the
 * caller can apply on_error.  In the backend they allocate with palloc in
 * the caller's current memory context, so an ERROR raised elsewhere frees
 * them with that context; in unit tests and fuzz targets (CT_FRONTEND) they
 * use malloc.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_PORT_H
#define CT_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef CT_FRONTEND
#include <stdlib.h>
typedef void *CtMemCxt;
#define ct_current_cxt()		NULL
#define ct_alloc_in(cxt, sz)	malloc(sz)
#define ct_alloc(sz)			malloc(sz)
#define ct_realloc(p, sz)		realloc((p), (sz))
#define ct_free(p)				free(p)
#define CT_CHECK_INTERRUPTS()	((void) 0)
/* Same ceiling as the backend's MaxAllocSize, so both builds agree. */
#define CT_MAX_ALLOC			((size_t) 0x3fffffff)
#else
#include "postgres.h"
#include "miscadmin.h"
#include "utils/memutils.h"
typedef MemoryContext CtMemCxt;
#define ct_current_cxt()		CurrentMemoryContext
#define ct_alloc_in(cxt, sz)	MemoryContextAlloc((cxt), (sz))
#define ct_alloc(sz)			palloc(sz)
#define ct_realloc(p, sz)		repalloc((p), (sz))
#define ct_free(p)				pfree(p)
#define CT_CHECK_INTERRUPTS()	CHECK_FOR_INTERRUPTS()
#define CT_MAX_ALLOC			((size_t) MaxAllocSize)
#endif

/*
 * Finds the first byte in [p, end) that is '"' or '\\' or, when also_special,
 * a control character or non-ASCII byte: the bytes a JSON string scanner must
 * look at.  16 bytes at a time with SSE2, which every x86-64 has.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline const unsigned char *
ct_find_string_special(const unsigned char *p, const unsigned char *end,
					   bool also_special)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	while (end - p >= 16)
	{
		__m128i		v = _mm_loadu_si128((const __m128i *) p);
		__m128i		m = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
		int			mask;

		/* signed: bytes >= 0x80 are negative, so below 0x20 too */
		if (also_special)
			m = _mm_or_si128(m, _mm_cmplt_epi8(v, space));
		mask = _mm_movemask_epi8(m);
		if (mask)
			return p + __builtin_ctz((unsigned) mask);
		p += 16;
	}
#endif
	for (; p < end; p++)
	{
		unsigned char c = *p;

		if (c == '"' || c == '\\' || (also_special && (c < 0x20 || c >= 0x80)))
			return p;
	}
	return end;
}

/* ASCII letters to lower case; other bytes as they are (JSON key matching). */
static inline char
ct_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c;
}

/* Kinds of failure reported by the scanner; the backend maps them to SQLSTATEs. */
typedef enum CtErrorKind
{
	CT_ERR_NONE = 0,
	CT_ERR_IO,					/* read() failed; errnum is set */
	CT_ERR_GZIP,				/* bad or truncated gzip data */
	CT_ERR_JSON,				/* JSON syntax error */
	CT_ERR_LAYOUT,				/* valid JSON, but not {"Records":[{...},...]} */
	CT_ERR_LIMIT,				/* record too large or nested too deep */
	CT_ERR_VALUE,				/* value does not fit its column */
	CT_ERR_NOT_NULL				/* no value for a column declared NOT NULL */
} CtErrorKind;

typedef struct CtError
{
	CtErrorKind kind;
	int			errnum;			/* errno for CT_ERR_IO */
	uint64_t	offset;			/* byte offset in the decompressed JSON */
	uint64_t	record;			/* 1-based record number, or 0 if none */
	int			sqlerrcode;		/* CT_ERR_VALUE: SQLSTATE, or 0 */
	const char *column;			/* CT_ERR_NOT_NULL: the column's name */
	char		msg[256];
} CtError;

extern void ct_error_set(CtError *err, CtErrorKind kind, uint64_t offset,
						 const char *fmt,...)
#ifdef __GNUC__
			__attribute__((format(printf, 4, 5)))
#endif
			;

#endif							/* CT_PORT_H */
