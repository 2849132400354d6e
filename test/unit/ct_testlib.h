/*-------------------------------------------------------------------------
 *
 * ct_testlib.h
 *		Helpers shared by the unit tests (test/unit) and the libFuzzer targets
 *		(test/fuzz) of ct_stream.c and ct_json.c, built with -DCT_FRONTEND.
 *
 * jansson is the independent reference parser.  The differential checks
 * here return NULL when ct_json / ct_stream agree with it, or a message
 * describing the disagreement.
 *
 * Intended differences between ct_json and jansson 2.14 (everything else
 * must agree):
 *
 *  1. Numbers.  jansson converts numbers while parsing and rejects an
 *     integer outside json_int_t ("too big integer") or a real beyond
 *     DBL_MAX ("real number overflow").  ct_json keeps the text of a number
 *     and accepts every number of the RFC 8259 grammar.
 *  2. NUL in keys.  jansson rejects "\u0000" inside an object key even with
 *     JSON_ALLOW_NUL ("NUL byte in object key not supported"); ct_json
 *     accepts it (the backend refuses NULs only when it builds text/jsonb).
 *  3. Depth.  jansson accepts nesting up to 2048 levels, ct_json up to
 *     CT_MAX_DEPTH (1000), beyond which it reports CT_ERR_LIMIT.
 *
 *
 * And one jansson 2.14 bug: a raw NUL byte right after a number or a
 * literal is skipped (load.c: stream_unget puts the NUL back in the
 * one-character buffer, and stream_get takes a NUL there for "buffer
 * empty"), so jansson accepts {"a":1\0} and [true\0].  A raw NUL byte is
 * invalid everywhere in JSON, for both parsers.
 *
 * 1, 2 and the NUL bug are neutralised before the input goes to jansson
 * (ctt_patch_for_jansson): an overflowing number token is replaced by
 * spaces followed by a zero of the same shape, "0", "0.0" or "0e0" (same
 * length), "\u0000" inside a string that is followed by ':' becomes
 * "\u0001", and a raw NUL byte becomes 0x01.  Each replacement keeps the
 * input exactly as valid or invalid as it was for ct_json: a maximal
 * number token becomes whitespace and a valid number of the same shape
 * (the spaces keep it from joining what precedes it; what follows could
 * not extend the original token, and so cannot extend a number of the same
 * shape either: e.g. ".5" may follow "1e400" but not "0e0"), a string keeps
 * a valid escape in place of a valid escape, and 0x01 is as invalid as NUL
 * both inside and outside strings.  Offsets do not move.
 * 3 is handled where results are compared: CT_ERR_LIMIT is accepted only
 * when the input really nests deeper than CT_MAX_DEPTH.
 *
 * For whole files, ct_stream also skips a UTF-8 byte-order mark at the very
 * start of the file (intended); jansson rejects it, so the file oracle
 * (ctt_check_stream_oracle) blanks such a BOM before jansson reads the file.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_TESTLIB_H
#define CT_TESTLIB_H

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "ct_json.h"
#include "ct_stream.h"

#define CTT_UNUSED __attribute__((unused))
#define CTT_JFLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* ------------------------------------------------------------------------
 * Small utilities
 * ------------------------------------------------------------------------ */

static CTT_UNUSED void *
ctt_xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		abort();
	}
	return p;
}

/* An exact-size heap copy, so that ASan sees any read past the end. */
static CTT_UNUSED char *
ctt_dup(const void *p, size_t n)
{
	char	   *q = ctt_xmalloc(n);

	if (n > 0)
		memcpy(q, p, n);
	return q;
}

typedef struct CttBuf
{
	char	   *p;
	size_t		len;
	size_t		cap;
} CttBuf;

static CTT_UNUSED void
ctt_buf_reserve(CttBuf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
	{
		size_t		ncap = b->cap ? b->cap : 256;

		while (ncap < b->len + extra + 1)
			ncap *= 2;
		b->p = realloc(b->p, ncap);
		if (b->p == NULL)
		{
			fprintf(stderr, "out of memory\n");
			abort();
		}
		b->cap = ncap;
	}
}

static CTT_UNUSED void
ctt_buf_add(CttBuf *b, const void *p, size_t n)
{
	ctt_buf_reserve(b, n);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static CTT_UNUSED void
ctt_buf_addc(CttBuf *b, char c)
{
	ctt_buf_add(b, &c, 1);
}

static CTT_UNUSED void
ctt_buf_adds(CttBuf *b, const char *s)
{
	ctt_buf_add(b, s, strlen(s));
}

static CTT_UNUSED void
ctt_buf_addf(CttBuf *b, const char *fmt,...)
	__attribute__((format(printf, 2, 3)));

static CTT_UNUSED void
ctt_buf_addf(CttBuf *b, const char *fmt,...)
{
	char		tmp[4096];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		ctt_buf_add(b, tmp, (size_t) n < sizeof(tmp) ? (size_t) n : sizeof(tmp) - 1);
}

static CTT_UNUSED void
ctt_buf_free(CttBuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Deterministic PRNG (splitmix64). */
typedef struct CttRng
{
	uint64_t	s;
} CttRng;

static CTT_UNUSED uint64_t
ctt_rand(CttRng *r)
{
	uint64_t	z = (r->s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n == 0. */
static CTT_UNUSED uint32_t
ctt_below(CttRng *r, uint32_t n)
{
	return n ? (uint32_t) (ctt_rand(r) % n) : 0;
}

static CTT_UNUSED uint64_t
ctt_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * UINT64_C(0x100000001b3);
	return h;
}

static inline bool
ctt_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline bool
ctt_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char ctt_msgbuf[2048];

static CTT_UNUSED const char *
ctt_fail(const char *fmt,...)
	__attribute__((format(printf, 1, 2)));

static CTT_UNUSED const char *
ctt_fail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(ctt_msgbuf, sizeof(ctt_msgbuf), fmt, ap);
	va_end(ap);
	return ctt_msgbuf;
}

static CTT_UNUSED const char *
ctt_kind_name(CtErrorKind k)
{
	switch (k)
	{
		case CT_ERR_NONE:
			return "NONE";
		case CT_ERR_IO:
			return "IO";
		case CT_ERR_GZIP:
			return "GZIP";
		case CT_ERR_JSON:
			return "JSON";
		case CT_ERR_LAYOUT:
			return "LAYOUT";
		case CT_ERR_LIMIT:
			return "LIMIT";
		case CT_ERR_VALUE:
			return "VALUE";
		case CT_ERR_NOT_NULL:
			return "NOT_NULL";
	}
	return "?";
}

/* ------------------------------------------------------------------------
 * Input preparation for jansson (see the header comment)
 * ------------------------------------------------------------------------ */

/*
 * Length of the longest prefix of p[0, n) that is a number of the RFC 8259
 * grammar, 0 if none.  *is_int: no fraction and no exponent.
 */
static CTT_UNUSED size_t
ctt_number_len(const char *p, size_t n, bool *is_int)
{
	size_t		i = 0;

	*is_int = true;
	if (i < n && p[i] == '-')
		i++;
	if (i >= n)
		return 0;
	if (p[i] == '0')
		i++;
	else if (p[i] >= '1' && p[i] <= '9')
		while (i < n && ctt_digit(p[i]))
			i++;
	else
		return 0;
	if (i + 1 < n && p[i] == '.' && ctt_digit(p[i + 1]))
	{
		i += 2;
		while (i < n && ctt_digit(p[i]))
			i++;
		*is_int = false;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E'))
	{
		size_t		j = i + 1;

		if (j < n && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j < n && ctt_digit(p[j]))
		{
			i = j;
			while (i < n && ctt_digit(p[i]))
				i++;
			*is_int = false;
		}
	}
	return i;
}

/* Would jansson 2.14 reject this number token as too big?  (load.c) */
static CTT_UNUSED bool
ctt_number_overflows(const char *p, size_t n, bool is_int)
{
	char	   *t = ctt_xmalloc(n + 1);
	bool		ovf;

	memcpy(t, p, n);
	t[n] = '\0';
	errno = 0;
	if (is_int)
	{
		(void) strtoll(t, NULL, 10);
		ovf = (errno == ERANGE);
	}
	else
	{
		double		d = strtod(t, NULL);

		ovf = (d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE;
	}
	free(t);
	return ovf;
}

/* Patches q[0, n) in place for jansson; returns the number of patches. */
static CTT_UNUSED size_t
ctt_patch_for_jansson(char *q, size_t n)
{
	size_t		i = 0;
	size_t		patches = 0;

	while (i < n)
	{
		char		c = q[i];

		if (c == '"')
		{
			size_t		s = i++;
			size_t		e;
			size_t		j;

			while (i < n && q[i] != '"')
			{
				if (q[i] == '\0')
				{
					q[i] = '\x01';
					patches++;
				}
				i += (q[i] == '\\') ? 2 : 1;
			}
			if (i < n)
				i++;
			if (i > n)
				i = n;
			e = i;
			j = e;
			while (j < n && ctt_ws(q[j]))
				j++;
			if (j < n && q[j] == ':')
			{
				/* an object key: \u0000 -> \u0001 */
				for (size_t k = s + 1; k + 1 < e;)
				{
					if (q[k] == '\\')
					{
						if (q[k + 1] == 'u' && k + 6 <= e && memcmp(q + k + 2, "0000", 4) == 0)
						{
							q[k + 5] = '1';
							patches++;
						}
						k += 2;
					}
					else
						k++;
				}
			}
		}
		else if (c == '-' || ctt_digit(c))
		{
			bool		is_int;
			size_t		len = ctt_number_len(q + i, n - i, &is_int);

			if (len == 0)
			{
				i++;
				continue;
			}
			if (ctt_number_overflows(q + i, len, is_int))
			{
				/* same shape: "0", "0.0" or "0e0", so the same bytes may follow */
				const char *z = is_int ? "0" : memchr(q + i, 'e', len) || memchr(q + i, 'E', len) ? "0e0" : "0.0";
				size_t		zl = strlen(z);

				memset(q + i, ' ', len - zl);
				memcpy(q + i + len - zl, z, zl);
				patches++;
			}
			i += len;
		}
		else
		{
			if (c == '\0')
			{
				q[i] = '\x01';
				patches++;
			}
			i++;
		}
	}
	return patches;
}

/*
 * Loads p[0, n) with jansson after ctt_patch_for_jansson.  The patched copy
 * is returned in *patched (free it) when patched is not NULL.
 */
static CTT_UNUSED json_t *
ctt_jansson_load(const char *p, size_t n, json_error_t *jerr, char **patched,
				 size_t *npatches)
{
	char	   *q = ctt_dup(p, n);
	size_t		np = ctt_patch_for_jansson(q, n);
	json_t	   *j = json_loadb(q, n, CTT_JFLAGS, jerr);

	if (npatches)
		*npatches = np;
	if (patched)
		*patched = q;
	else
		free(q);
	return j;
}

/* Deepest nesting of brackets outside strings (tolerates invalid input). */
static CTT_UNUSED int
ctt_max_depth(const char *p, size_t n)
{
	int			depth = 0;
	int			max = 0;
	bool		in_str = false;

	for (size_t i = 0; i < n; i++)
	{
		char		c = p[i];

		if (in_str)
		{
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		}
		else if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[')
		{
			if (++depth > max)
				max = depth;
		}
		else if ((c == '}' || c == ']') && depth > 0)
			depth--;
	}
	return max;
}

/* ------------------------------------------------------------------------
 * Record differential: ct_json against jansson
 * ------------------------------------------------------------------------ */

typedef struct CttJsonStats
{
	long		cases;
	long		valid;
	long		invalid;
	long		depth_diff;		/* difference 3 (CT_ERR_LIMIT, jansson valid) */
	long		patched;		/* differences 1/2 neutralised */
	long		compared;		/* valid records whose content was compared */
} CttJsonStats;

/* Decodes a ct string value into a fresh buffer (len in *n). */
static CTT_UNUSED char *
ctt_decode(const CtValue *v, size_t *n, bool *has_nul)
{
	char	   *buf = ctt_xmalloc(v->len);	/* the documented bound */

	*n = ct_json_string_decode(v, buf, has_nul);
	return buf;
}

static inline char
ctt_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c;
}

static inline char
ctt_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char) (c - ('a' - 'A')) : c;
}

static CTT_UNUSED bool
ctt_eq_ci(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (ctt_lower(a[i]) != ctt_lower(b[i]))
			return false;
	return true;
}

/* The span of v must be exactly what ct_json_value_at finds at v->p. */
static CTT_UNUSED const char *
ctt_check_span(const CtValue *v, const char *end)
{
	CtValue		w;

	if (v->len == 0 || v->p + v->len > end)
		return ctt_fail("value span out of range");
	w = ct_json_value_at(v->p, end);
	if (w.len != v->len || w.type != v->type || w.escaped != v->escaped)
		return ctt_fail("ct_json_value_at disagrees with the index: len %zu/%zu type %c/%c esc %d/%d at '%.20s'",
						w.len, v->len, w.type, v->type, w.escaped, v->escaped, v->p);
	return NULL;
}

static const char *ctt_compare_value(const CtValue *v, json_t *j,
									 size_t max_items, int depth);

static CTT_UNUSED const char *
ctt_compare_object(const CtValue *v, json_t *j, size_t max_items, int depth)
{
	const char *end = v->p + v->len;
	const char *p;
	json_t	   *set;
	void	   *it;
	size_t		idx = 0;
	size_t		nkeys = json_object_size(j);
	const char *res = NULL;
	CtValue		sub;

	if (v->p[0] != '{' || v->p[v->len - 1] != '}')
		return ctt_fail("object span not {...}");

	/* Walk the keys of the object text with the public helpers. */
	set = json_object();
	p = v->p + 1;
	for (;;)
	{
		CtValue		k;
		CtValue		val;
		char	   *kb;
		size_t		kn;
		bool		nul;

		p = ct_json_skip_ws(p, end);
		if (p >= end || *p == '}')
			break;
		k = ct_json_value_at(p, end);
		if (k.type != CT_JSON_STRING)
		{
			res = ctt_fail("object key is not a string");
			break;
		}
		kb = ctt_decode(&k, &kn, &nul);
		if (json_object_getn(j, kb, kn) == NULL)
			res = ctt_fail("ct key '%.*s' not in the jansson object", (int) kn, kb);
		json_object_setn_new_nocheck(set, kb, kn, json_null());
		free(kb);
		if (res)
			break;
		p = ct_json_skip_ws(p + k.len, end);
		if (p >= end || *p != ':')
		{
			res = ctt_fail("no ':' after an object key");
			break;
		}
		p = ct_json_skip_ws(p + 1, end);
		val = ct_json_value_at(p, end);
		p = ct_json_skip_ws(p + val.len, end);
		if (p < end && *p == ',')
			p++;
	}
	if (!res && json_object_size(set) != nkeys)
		res = ctt_fail("object has %zu distinct keys in ct_json, %zu in jansson",
					   json_object_size(set), nkeys);
	json_decref(set);
	if (res)
		return res;

	for (it = json_object_iter(j); it; it = json_object_iter_next(j, it), idx++)
	{
		const char *key = json_object_iter_key(it);
		size_t		klen = json_object_iter_key_len(it);

		if (idx >= max_items && idx != nkeys - 1)
			continue;
		if (!ct_json_object_get(v, key, klen, &sub))
			return ctt_fail("ct_json_object_get did not find key '%.*s'", (int) klen, key);
		if ((res = ctt_check_span(&sub, end)) != NULL)
			return res;
		if ((res = ctt_compare_value(&sub, json_object_iter_value(it), max_items, depth + 1)) != NULL)
			return res;
	}
	if (json_object_getn(j, "\x01no such key", 12) == NULL &&
		ct_json_object_get(v, "\x01no such key", 12, &sub))
		return ctt_fail("ct_json_object_get found an absent key");
	return NULL;
}

static CTT_UNUSED const char *
ctt_compare_array(const CtValue *v, json_t *j, size_t max_items, int depth)
{
	const char *end = v->p + v->len;
	size_t		n = json_array_size(j);
	const char *res;
	CtValue		e;

	if (v->p[0] != '[' || v->p[v->len - 1] != ']')
		return ctt_fail("array span not [...]");
	for (size_t i = 0; i < n; i++)
	{
		if (i >= max_items && i != n - 1)
			continue;
		if (!ct_json_array_get(v, (long) i, &e))
			return ctt_fail("ct_json_array_get(%zu) failed, jansson has %zu elements", i, n);
		if ((res = ctt_check_span(&e, end)) != NULL)
			return res;
		if ((res = ctt_compare_value(&e, json_array_get(j, i), max_items, depth + 1)) != NULL)
			return res;
	}
	if (ct_json_array_get(v, (long) n, &e))
		return ctt_fail("ct_json_array_get(%zu) found an element past the end", n);
	if (ct_json_array_get(v, -1, &e))
		return ctt_fail("ct_json_array_get(-1) found an element");
	return NULL;
}

static const char *
ctt_compare_value(const CtValue *v, json_t *j, size_t max_items, int depth)
{
	char		num[64];
	char	   *t;

	switch (json_typeof(j))
	{
		case JSON_OBJECT:
			if (v->type != CT_JSON_OBJECT)
				return ctt_fail("type %c where jansson has an object", v->type);
			return ctt_compare_object(v, j, max_items, depth);
		case JSON_ARRAY:
			if (v->type != CT_JSON_ARRAY)
				return ctt_fail("type %c where jansson has an array", v->type);
			return ctt_compare_array(v, j, max_items, depth);
		case JSON_STRING:
			{
				size_t		n;
				bool		has_nul;
				char	   *buf;
				const char *res = NULL;
				const char *js = json_string_value(j);
				size_t		jn = json_string_length(j);

				if (v->type != CT_JSON_STRING)
					return ctt_fail("type %c where jansson has a string", v->type);
				if (v->len < 2 || v->p[0] != '"' || v->p[v->len - 1] != '"')
					return ctt_fail("string span without quotes");
				if (v->escaped != (memchr(v->p, '\\', v->len) != NULL))
					return ctt_fail("wrong escaped flag on '%.*s'", (int) v->len, v->p);
				buf = ctt_decode(v, &n, &has_nul);
				if (n != jn || (n > 0 && memcmp(buf, js, n) != 0))
					res = ctt_fail("string decodes to %zu bytes '%.*s', jansson %zu bytes '%.*s' (text '%.*s')",
								   n, (int) n, buf, jn, (int) jn, js, (int) (v->len > 200 ? 200 : v->len), v->p);
				else if (has_nul != (memchr(buf, 0, n) != NULL))
					res = ctt_fail("has_nul wrong for '%.*s'", (int) v->len, v->p);
				else if (!ct_json_string_equals(v, js, jn, false))
					res = ctt_fail("ct_json_string_equals false for its own value '%.*s'", (int) v->len, v->p);
				else if (n > 0)
				{
					/* equal ignoring ASCII case; one changed byte is not equal */
					for (size_t i = 0; i < n; i++)
						buf[i] = ctt_upper(buf[i]);
					if (!ct_json_string_equals(v, buf, n, true))
						res = ctt_fail("ct_json_string_equals(ci) false for '%.*s'", (int) v->len, v->p);
					memcpy(buf, js, n);
					buf[n - 1] ^= 0x20;
					if (!res && ct_json_string_equals(v, buf, n, false))
						res = ctt_fail("ct_json_string_equals true for a different string");
					if (!res && ct_json_string_equals(v, js, n - 1, false))
						res = ctt_fail("ct_json_string_equals true for a prefix");
				}
				free(buf);
				return res;
			}
		case JSON_INTEGER:
		case JSON_REAL:
			{
				bool		is_int;
				bool		ok;

				if (v->type != CT_JSON_NUMBER)
					return ctt_fail("type %c where jansson has a number", v->type);
				if (ctt_number_len(v->p, v->len, &is_int) != v->len)
					return ctt_fail("number span '%.*s' is not one number", (int) v->len, v->p);
				if (is_int != json_is_integer(j))
					return ctt_fail("number '%.*s': integer/real disagree", (int) v->len, v->p);
				t = v->len < sizeof(num) ? num : ctt_xmalloc(v->len + 1);
				memcpy(t, v->p, v->len);
				t[v->len] = '\0';
				if (is_int)
					ok = strtoll(t, NULL, 10) == json_integer_value(j);
				else
					ok = strtod(t, NULL) == json_real_value(j);
				if (t != num)
					free(t);
				if (!ok)
					return ctt_fail("number '%.*s' has another value in jansson", (int) v->len, v->p);
				return NULL;
			}
		case JSON_TRUE:
			if (v->type != CT_JSON_TRUE || v->len != 4 || memcmp(v->p, "true", 4) != 0)
				return ctt_fail("expected true");
			return NULL;
		case JSON_FALSE:
			if (v->type != CT_JSON_FALSE || v->len != 5 || memcmp(v->p, "false", 5) != 0)
				return ctt_fail("expected false");
			return NULL;
		case JSON_NULL:
			if (v->type != CT_JSON_NULL || v->len != 4 || memcmp(v->p, "null", 4) != 0)
				return ctt_fail("expected null");
			return NULL;
	}
	return ctt_fail("unknown jansson type");
}

/* Compares the index of a valid record (text[0, len)) with jansson's object. */
static CTT_UNUSED const char *
ctt_compare_record(const CtRecord *rec, const char *text, size_t len,
				   json_t *j, size_t max_items)
{
	const char *end = text + len;
	const char *res = NULL;
	char	  **keys;
	size_t	   *klens;
	json_t	   *set;
	void	   *it;
	size_t		idx = 0;
	size_t		nkeys;
	int			n = rec->nmembers;
	CtValue		v;

	if (!json_is_object(j))
		return ctt_fail("indexed record is not an object in jansson");
	nkeys = json_object_size(j);
	keys = ctt_xmalloc(sizeof(char *) * (n + 1));
	klens = ctt_xmalloc(sizeof(size_t) * (n + 1));
	set = json_object();
	for (int i = 0; i < n; i++)
	{
		const CtMember *m = &rec->members[i];
		bool		nul;

		keys[i] = NULL;
		if (res)
			continue;
		if (m->key.type != CT_JSON_STRING || m->key.p < text || m->key.p + m->key.len > end ||
			m->key.len < 2 || m->key.p[0] != '"' || m->key.p[m->key.len - 1] != '"')
			res = ctt_fail("member %d: bad key span", i);
		else if (m->key.escaped != (memchr(m->key.p, '\\', m->key.len) != NULL))
			res = ctt_fail("member %d: wrong escaped flag on the key", i);
		else if (m->val.p < text || (res = ctt_check_span(&m->val, end)) != NULL)
			res = res ? res : ctt_fail("member %d: bad value span", i);
		if (res)
			continue;
		keys[i] = ctt_decode(&m->key, &klens[i], &nul);
		if (json_object_getn(j, keys[i], klens[i]) == NULL)
			res = ctt_fail("member key '%.*s' not in jansson's object", (int) klens[i], keys[i]);
		json_object_setn_new_nocheck(set, keys[i], klens[i], json_null());
	}
	if (!res && json_object_size(set) != nkeys)
		res = ctt_fail("record has %zu distinct keys in ct_json, %zu in jansson",
					   json_object_size(set), nkeys);
	json_decref(set);

	/* Exact look-ups: the last duplicate wins, and matches jansson's value. */
	for (it = json_object_iter(j); !res && it; it = json_object_iter_next(j, it), idx++)
	{
		const char *key = json_object_iter_key(it);
		size_t		klen = json_object_iter_key_len(it);
		int			last = -1;

		if (idx >= max_items && idx != nkeys - 1)
			continue;
		if (!ct_json_record_get(rec, key, klen, false, &v))
		{
			res = ctt_fail("ct_json_record_get did not find '%.*s'", (int) klen, key);
			break;
		}
		for (int i = n - 1; i >= 0 && last < 0; i--)
			if (klens[i] == klen && memcmp(keys[i], key, klen) == 0)
				last = i;
		if (last < 0 || v.p != rec->members[last].val.p)
			res = ctt_fail("ct_json_record_get('%.*s') did not return the last duplicate", (int) klen, key);
		else
			res = ctt_compare_value(&v, json_object_iter_value(it), max_items, 1);
	}

	/* Case-insensitive look-ups: the last member matching ignoring ASCII case. */
	for (int i = 0; !res && i < n && (size_t) i < max_items; i++)
	{
		char	   *up = ctt_dup(keys[i], klens[i]);
		int			last = -1;

		for (size_t c = 0; c < klens[i]; c++)
			up[c] = ctt_upper(up[c]);
		for (int k = n - 1; k >= 0 && last < 0; k--)
			if (ctt_eq_ci(keys[k], klens[k], up, klens[i]))
				last = k;
		if (!ct_json_record_get(rec, up, klens[i], true, &v) || v.p != rec->members[last].val.p)
			res = ctt_fail("case-insensitive ct_json_record_get('%.*s') wrong", (int) klens[i], up);
		free(up);
	}
	if (!res && json_object_getn(j, "\x01no such key", 12) == NULL &&
		ct_json_record_get(rec, "\x01no such key", 12, false, &v))
		res = ctt_fail("ct_json_record_get found an absent key");

	for (int i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(klens);
	return res;
}

/*
 * The whole differential check of one input as a record: ct_json_validate
 * and ct_json_index_record against jansson, then (for valid records) the
 * index, look-ups and decoding against jansson's values.  max_items bounds
 * the look-ups per object/array (the rest is only counted), to keep huge
 * fuzz inputs fast.
 */
static CTT_UNUSED const char *
ctt_check_record(const char *p, size_t len, size_t max_items, CttJsonStats *st)
{
	CtError		e1;
	CtError		e2;
	CtRecord	rec = {0};
	CtRecord	rec2 = {0};
	json_error_t jerr;
	char	   *q = NULL;
	size_t		np = 0;
	bool		ctv;
	bool		cti;
	bool		is_obj;
	size_t		i = 0;
	json_t	   *j;
	const char *res = NULL;

	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	ctv = ct_json_validate(p, len, &e1);
	cti = ct_json_index_record(p, len, &rec, &e2);
	j = ctt_jansson_load(p, len, &jerr, &q, &np);
	while (i < len && ctt_ws(p[i]))
		i++;
	is_obj = i < len && p[i] == '{';

	if (!ctv && e1.kind != CT_ERR_JSON && e1.kind != CT_ERR_LIMIT)
		res = ctt_fail("ct_json_validate: unexpected error kind %s", ctt_kind_name(e1.kind));
	else if (!ctv && e1.offset > len)
		res = ctt_fail("ct_json_validate: error offset %llu past the end (%zu)",
					   (unsigned long long) e1.offset, len);
	else if (!ctv && e1.kind == CT_ERR_LIMIT && ctt_max_depth(p, len) <= CT_MAX_DEPTH)
		res = ctt_fail("CT_ERR_LIMIT for input only %d deep", ctt_max_depth(p, len));
	else if (ctv != (j != NULL))
	{
		if (!ctv && e1.kind == CT_ERR_LIMIT)
		{
			/* difference 3: jansson allows up to 2048 levels */
			if (st)
				st->depth_diff++;
		}
		else
			res = ctt_fail("validity differs: ct_json %s (%s, offset %llu), jansson %s (%s, position %d)",
						   ctv ? "valid" : "invalid", ctv ? "-" : e1.msg,
						   (unsigned long long) e1.offset,
						   j ? "valid" : "invalid", j ? "-" : jerr.text, j ? 0 : jerr.position);
	}
	if (!res)
	{
		if (is_obj)
		{
			if (cti != ctv)
				res = ctt_fail("ct_json_index_record %d, ct_json_validate %d", cti, ctv);
			else if (!cti && (e1.kind != e2.kind || e1.offset != e2.offset || strcmp(e1.msg, e2.msg) != 0))
				res = ctt_fail("index/validate errors differ: '%s' at %llu vs '%s' at %llu",
							   e2.msg, (unsigned long long) e2.offset, e1.msg,
							   (unsigned long long) e1.offset);
		}
		else if (cti)
			res = ctt_fail("ct_json_index_record accepted a non-object");
		else if (ctv && (e2.kind != CT_ERR_JSON || strstr(e2.msg, "not a JSON object") == NULL))
			res = ctt_fail("ct_json_index_record of a valid non-object: '%s'", e2.msg);
	}
	if (!res && ctv && j && (json_is_object(j) != is_obj))
		res = ctt_fail("top-level type differs");
	if (!res && cti && j)
	{
		const CtRecord *use = &rec;
		const char *text = p;

		if (np > 0)
		{
			/* compare content on the patched text, with both parsers */
			if (!ct_json_index_record(q, len, &rec2, &e2))
				res = ctt_fail("patched input rejected by ct_json: %s", e2.msg);
			use = &rec2;
			text = q;
		}
		if (!res)
			res = ctt_compare_record(use, text, len, j, max_items);
		if (st)
			st->compared++;
	}
	if (st)
	{
		st->cases++;
		if (ctv)
			st->valid++;
		else
			st->invalid++;
		if (np > 0)
			st->patched++;
	}
	json_decref(j);
	free(q);
	ct_json_record_free(&rec);
	ct_json_record_free(&rec2);
	return res;
}

/* ------------------------------------------------------------------------
 * Streams
 * ------------------------------------------------------------------------ */

enum
{
	CTT_READ_ALL = 0,			/* as much as asked */
	CTT_READ_ONE = 1,			/* one byte per call */
	CTT_READ_RANDOM = 2,		/* random small chunks */
	CTT_READ_MODES = 3
};

typedef struct CttReader
{
	const unsigned char *p;
	size_t		len;
	size_t		pos;
	int			mode;
	CttRng		rng;
	size_t		fail_at;		/* read fails (EIO) once pos reaches this */
	long		calls;
} CttReader;

static CTT_UNUSED long
ctt_read(void *arg, void *buf, size_t want)
{
	CttReader  *r = arg;
	size_t		n = r->len - r->pos;

	r->calls++;
	if (n > want)
		n = want;
	if (r->mode == CTT_READ_ONE && n > 1)
		n = 1;
	else if (r->mode == CTT_READ_RANDOM && n > 1)
	{
		size_t		lim = 1 + ctt_below(&r->rng, ctt_below(&r->rng, 8) == 0 ? 70000 : 40);

		if (n > lim)
			n = lim;
	}
	if (r->pos + n > r->fail_at || (n == 0 && r->pos >= r->fail_at))
	{
		n = r->fail_at > r->pos ? r->fail_at - r->pos : 0;
		if (n == 0)
		{
			errno = EIO;
			return -1;
		}
	}
	if (n > 0)
		memcpy(buf, r->p + r->pos, n);
	r->pos += n;
	return (long) n;
}

typedef struct CttSpan
{
	uint64_t	off;			/* in the decompressed JSON */
	size_t		len;
	uint64_t	hash;
} CttSpan;

typedef struct CttRun
{
	CtStreamResult final;
	CtError		err;			/* when final == CT_STREAM_ERROR */
	size_t		nrec;
	CttSpan    *recs;
	size_t		cap;
	long		bad_records;	/* records ct_json_index_record rejected */
	CtError		rec_err;		/* the first of them */
	size_t		first_bad;
	CtStreamStats stats;
	long		read_calls;
} CttRun;

static unsigned long ctt_index_turn = 0;
static CtStreamBuffers ctt_kept_bufs;

/*
 * A record the stream indexed in one pass: the index must be exactly the one
 * ct_json_index_record builds from the record's text alone.
 */
static CTT_UNUSED void
ctt_check_index(const char *p, size_t len, const CtRecord *got)
{
	CtRecord	want = {0};
	CtError		err;

	memset(&err, 0, sizeof(err));
	if (!ct_json_index_record(p, len, &want, &err))
	{
		fprintf(stderr, "one-pass index accepted a record the validator rejects: %s\n", err.msg);
		abort();
	}
	if (want.nmembers != got->nmembers)
	{
		fprintf(stderr, "one-pass index: %d members, validator %d\n", got->nmembers, want.nmembers);
		abort();
	}
	for (int i = 0; i < want.nmembers; i++)
	{
		const CtMember *a = &want.members[i];
		const CtMember *b = &got->members[i];

		if (a->key.p != b->key.p || a->key.len != b->key.len ||
			a->key.escaped != b->key.escaped || a->val.p != b->val.p ||
			a->val.len != b->val.len || a->val.type != b->val.type ||
			a->val.escaped != b->val.escaped)
		{
			fprintf(stderr, "one-pass index differs at member %d\n", i);
			abort();
		}
	}
	ct_json_record_free(&want);
}

static CTT_UNUSED void
ctt_run_free(CttRun *run)
{
	free(run->recs);
	run->recs = NULL;
	run->cap = run->nrec = 0;
}

/* Look up a few CloudTrail keys in an indexed record, decoding strings. */
static CTT_UNUSED void
ctt_lookups(const CtRecord *rec)
{
	static const char *const names[] = {
		"eventTime", "eventName", "eventSource", "awsRegion", "userIdentity",
		"requestParameters", "resources", "readOnly", "eventVersion", "a", ""
	};
	CtValue		v;
	CtValue		w;
	CtValue		x;
	size_t		n;
	bool		nul;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	{
		for (int ci = 0; ci < 2; ci++)
		{
			if (!ct_json_record_get(rec, names[i], strlen(names[i]), ci, &v))
				continue;
			if (v.type == CT_JSON_STRING)
				free(ctt_decode(&v, &n, &nul));
			else if (v.type == CT_JSON_OBJECT)
			{
				if (ct_json_object_get(&v, "type", 4, &w) && w.type == CT_JSON_STRING)
					free(ctt_decode(&w, &n, &nul));
				if (ct_json_object_get(&v, "sessionContext", 14, &w) &&
					ct_json_object_get(&w, "attributes", 10, &x) && x.type == CT_JSON_STRING)
					free(ctt_decode(&x, &n, &nul));
			}
			else if (v.type == CT_JSON_ARRAY)
			{
				for (long k = 0; k < 3 && ct_json_array_get(&v, k, &w); k++)
					if (ct_json_object_get(&w, "ARN", 3, &x) && x.type == CT_JSON_STRING)
						free(ctt_decode(&x, &n, &nul));
			}
		}
	}
	for (int i = 0; i < rec->nmembers && i < 64; i++)
	{
		const CtMember *m = &rec->members[i];

		free(ctt_decode(&m->key, &n, &nul));
		if (m->val.type == CT_JSON_STRING)
			free(ctt_decode(&m->val, &n, &nul));
	}
}

/*
 * Reads a whole file through ct_stream, indexing every record (and doing a
 * few look-ups when lookups is set).  Stops at END or at the first error.
 */
static CTT_UNUSED void
ctt_run_stream(const void *data, size_t len, bool gzip, int mode, uint64_t seed,
			   bool lookups, size_t fail_at, CttRun *run)
{
	CttReader	rd;
	CtStream   *s;
	CtRecord	rec = {0};

	memset(&rd, 0, sizeof(rd));
	rd.p = data;
	rd.len = len;
	rd.mode = mode;
	rd.rng.s = seed;
	rd.fail_at = fail_at;
	memset(run, 0, sizeof(*run));
	/* every other run keeps its whole-file buffers from the runs before */
	s = ct_stream_open(ctt_read, &rd, gzip, ctt_index_turn % 4 < 2 ? &ctt_kept_bufs : NULL);

	/*
	 * Every other run asks for records indexed as they are split (the
	 * one-pass path of files inflated whole), the others split only: both
	 * must give the same runs, which the callers compare across read modes.
	 */
	if (ctt_index_turn++ % 2 == 0)
		ct_stream_set_index(s, &rec);
	for (;;)
	{
		const char *rp = NULL;
		size_t		rl = 0;
		CtError		err;
		CtStreamResult r;

		memset(&err, 0, sizeof(err));
		r = ct_stream_next(s, &rp, &rl, &err);
		if (r == CT_STREAM_RECORD)
		{
			CtError		re;
			CttSpan    *sp;

			if (run->nrec == run->cap)
			{
				run->cap = run->cap ? run->cap * 2 : 16;
				run->recs = realloc(run->recs, run->cap * sizeof(CttSpan));
			}
			sp = &run->recs[run->nrec++];
			sp->off = ct_stream_offset(s, rp);
			sp->len = rl;
			sp->hash = ctt_hash(rp, rl);
			memset(&re, 0, sizeof(re));
			if (ct_stream_indexed(s))
				ctt_check_index(rp, rl, &rec);
			else if (!ct_json_index_record(rp, rl, &rec, &re))
			{
				if (run->bad_records++ == 0)
				{
					run->rec_err = re;
					run->first_bad = run->nrec - 1;
				}
			}
			else if (lookups)
				ctt_lookups(&rec);
			continue;
		}
		run->final = r;
		if (r == CT_STREAM_ERROR)
			run->err = err;
		break;
	}
	ct_stream_stats(s, &run->stats);
	run->read_calls = rd.calls;
	ct_stream_close(s);
	ct_json_record_free(&rec);
}

static CTT_UNUSED bool
ctt_run_ok(const CttRun *run)
{
	return run->final == CT_STREAM_END && run->bad_records == 0;
}

static CTT_UNUSED const char *
ctt_run_describe(const CttRun *run)
{
	static char buf[600];

	if (run->final == CT_STREAM_END)
		snprintf(buf, sizeof(buf), "END after %zu records (%ld bad%s%s)", run->nrec,
				 run->bad_records, run->bad_records ? ": " : "",
				 run->bad_records ? run->rec_err.msg : "");
	else
		snprintf(buf, sizeof(buf), "ERROR %s at %llu after %zu records: %s",
				 ctt_kind_name(run->err.kind), (unsigned long long) run->err.offset,
				 run->nrec, run->err.msg);
	return buf;
}

/* Same outcome, same records (offsets, lengths, contents), same errors. */
static CTT_UNUSED const char *
ctt_compare_runs(const CttRun *a, const CttRun *b, const char *what)
{
	if (a->final != b->final)
		return ctt_fail("%s: results differ: %s", what, ctt_run_describe(a));
	if (a->final == CT_STREAM_ERROR &&
		(a->err.kind != b->err.kind || a->err.offset != b->err.offset ||
		 a->err.record != b->err.record || strcmp(a->err.msg, b->err.msg) != 0))
		return ctt_fail("%s: errors differ: '%s' at %llu vs '%s' at %llu", what,
						a->err.msg, (unsigned long long) a->err.offset,
						b->err.msg, (unsigned long long) b->err.offset);
	if (a->nrec != b->nrec)
		return ctt_fail("%s: %zu records vs %zu", what, a->nrec, b->nrec);
	for (size_t i = 0; i < a->nrec; i++)
		if (a->recs[i].off != b->recs[i].off || a->recs[i].len != b->recs[i].len ||
			a->recs[i].hash != b->recs[i].hash)
			return ctt_fail("%s: record %zu differs", what, i);
	if (a->bad_records != b->bad_records || a->first_bad != b->first_bad)
		return ctt_fail("%s: bad records differ", what);
	if (a->bad_records && (a->rec_err.offset != b->rec_err.offset ||
						   strcmp(a->rec_err.msg, b->rec_err.msg) != 0))
		return ctt_fail("%s: record errors differ", what);
	return NULL;
}

/* Skips one value of valid JSON at q[i]; returns the index after it. */
static CTT_UNUSED size_t
ctt_skip_valid_value(const char *q, size_t n, size_t i)
{
	int			depth = 0;

	if (q[i] != '{' && q[i] != '[' && q[i] != '"')
	{
		while (i < n && q[i] != ',' && q[i] != '}' && q[i] != ']' && !ctt_ws(q[i]))
			i++;
		return i;
	}
	for (; i < n; i++)
	{
		char		c = q[i];

		if (c == '"')
		{
			for (i++; i < n && q[i] != '"'; i++)
				if (q[i] == '\\')
					i++;
			if (depth == 0)
				return i + 1;
		}
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return i + 1;
	}
	return n;
}

/* How many top-level keys of the valid JSON object q[0, n) decode to key? */
static CTT_UNUSED long
ctt_count_toplevel_key(const char *q, size_t n, const char *key)
{
	size_t		i = 0;
	long		count = 0;
	size_t		klen = strlen(key);

	while (i < n && ctt_ws(q[i]))
		i++;
	if (i >= n || q[i] != '{')
		return -1;
	i++;
	for (;;)
	{
		size_t		ks;
		json_t	   *k;

		while (i < n && ctt_ws(q[i]))
			i++;
		if (i >= n || q[i] == '}')
			break;
		ks = i;
		i = ctt_skip_valid_value(q, n, i);
		k = json_loadb(q + ks, i - ks, CTT_JFLAGS, NULL);
		if (k && json_string_length(k) == klen && memcmp(json_string_value(k), key, klen) == 0)
			count++;
		json_decref(k);
		while (i < n && (ctt_ws(q[i]) || q[i] == ':'))
			i++;
		i = ctt_skip_valid_value(q, n, i);
		while (i < n && ctt_ws(q[i]))
			i++;
		if (i < n && q[i] == ',')
			i++;
	}
	return count;
}

/*
 * Checks one stream run over the plain file d[0, len) against jansson's
 * reading of the whole file.  The file is good when jansson finds one
 * object with exactly one top-level "Records" key, an array of objects;
 * then the stream must return exactly its elements and end.  Otherwise the
 * stream must fail (CT_ERR_LAYOUT when the JSON itself is valid), except
 * that CT_ERR_LIMIT is allowed for input nested deeper than CT_MAX_DEPTH.
 */
static CTT_UNUSED const char *
ctt_check_stream_oracle(const char *d, size_t len, const CttRun *run)
{
	json_error_t jerr;
	char	   *q = NULL;
	json_t	   *J;
	json_t	   *R = NULL;
	bool		layout_ok = false;
	const char *res = NULL;

	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
	{
		/* a leading BOM is skipped by ct_stream: blank it for jansson */
		char	   *c = ctt_dup(d, len);

		memset(c, ' ', 3);
		J = ctt_jansson_load(c, len, &jerr, &q, NULL);
		free(c);
	}
	else
		J = ctt_jansson_load(d, len, &jerr, &q, NULL);

	if (J && json_is_object(J))
	{
		long		nk = ctt_count_toplevel_key(q, len, "Records");

		R = json_object_get(J, "Records");
		layout_ok = (nk == 1 && R && json_is_array(R));
		for (size_t i = 0; layout_ok && i < json_array_size(R); i++)
			if (!json_is_object(json_array_get(R, i)))
				layout_ok = false;
	}
	if (ctt_run_ok(run))
	{
		if (!layout_ok)
			res = ctt_fail("stream read a file jansson rejects (%s): %s",
						   J ? "layout" : jerr.text, ctt_run_describe(run));
		else if (run->nrec != json_array_size(R))
			res = ctt_fail("stream found %zu records, jansson %zu", run->nrec, json_array_size(R));
		for (size_t i = 0; !res && i < run->nrec; i++)
		{
			const CttSpan *sp = &run->recs[i];
			json_t	   *r;

			if (sp->off + sp->len > len)
			{
				res = ctt_fail("record %zu outside the file", i);
				break;
			}
			r = ctt_jansson_load(d + sp->off, sp->len, &jerr, NULL, NULL);
			if (r == NULL || !json_equal(r, json_array_get(R, i)))
				res = ctt_fail("record %zu differs from jansson's element", i);
			json_decref(r);
		}
	}
	else
	{
		const CtError *e = run->final == CT_STREAM_ERROR ? &run->err : &run->rec_err;

		if (e->kind == CT_ERR_LIMIT)
		{
			if (ctt_max_depth(d, len) <= CT_MAX_DEPTH)
				res = ctt_fail("CT_ERR_LIMIT without deep nesting: %s", e->msg);
		}
		else if (layout_ok)
			res = ctt_fail("stream rejected a file jansson reads: %s", ctt_run_describe(run));
		else if (J)
		{
			CtErrorKind want = (json_is_object(J) || json_is_array(J)) ? CT_ERR_LAYOUT : CT_ERR_JSON;

			if (e->kind != want)
				res = ctt_fail("valid JSON with a bad layout: expected %s, got %s",
							   ctt_kind_name(want), ctt_run_describe(run));
		}
	}
	json_decref(J);
	free(q);
	return res;
}

/* ------------------------------------------------------------------------
 * gzip
 * ------------------------------------------------------------------------ */

/* Appends one gzip member holding in[0, n) to out. */
static CTT_UNUSED void
ctt_gzip_member(const void *in, size_t n, int level, CttBuf *out)
{
	z_stream	z;
	unsigned char tmp[16384];
	int			ret;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (Bytef *) in;
	z.avail_in = (uInt) n;
	do
	{
		z.next_out = tmp;
		z.avail_out = sizeof(tmp);
		ret = deflate(&z, Z_FINISH);
		ctt_buf_add(out, tmp, sizeof(tmp) - z.avail_out);
	} while (ret == Z_OK || (ret == Z_BUF_ERROR && z.avail_out == 0));
	if (ret != Z_STREAM_END)
		abort();
	deflateEnd(&z);
}

/*
 * Reference reader of a (multi-member) gzip file with plain zlib.  Returns
 * 0 and the data, -1 if the file is not a clean sequence of members, -2
 * if the output passes max_out (result unknown).
 */
static CTT_UNUSED int
ctt_gunzip(const unsigned char *in, size_t n, size_t max_out, CttBuf *out)
{
	size_t		pos = 0;
	unsigned char tmp[16384];

	if (n == 0)
		return -1;
	while (pos < n)
	{
		z_stream	z;
		int			ret;

		if (in[pos] != 0x1f || (pos + 1 < n && in[pos + 1] != 0x8b))
			return -1;
		memset(&z, 0, sizeof(z));
		if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
			abort();
		z.next_in = (Bytef *) in + pos;
		z.avail_in = (uInt) (n - pos);
		do
		{
			z.next_out = tmp;
			z.avail_out = sizeof(tmp);
			ret = inflate(&z, Z_NO_FLUSH);
			ctt_buf_add(out, tmp, sizeof(tmp) - z.avail_out);
			if (out->len > max_out)
			{
				inflateEnd(&z);
				return -2;
			}
		} while (ret == Z_OK);
		pos = n - z.avail_in;
		inflateEnd(&z);
		if (ret != Z_STREAM_END)
			return -1;
	}
	return 0;
}

#endif							/* CT_TESTLIB_H */
