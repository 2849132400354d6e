/*-------------------------------------------------------------------------
 *
 * ct_rawcheck.c
 *		The raw-bytes check of a record.
 *
 * A JSON string whose value is V is written "V" in the record, unless the
 * writer used an escape for one of its characters, which needs a backslash.
 * So a record with no backslash at all holds a string equal to V only if the
 * bytes "V" occur in it, and one starting with V only if "V occurs.  That is
 * exact whatever the key order, spacing or pretty-printing; a record with a
 * backslash is never rejected here (the parsed check decides).
 *
 * A text column also shows non-string values (numbers, true, objects) as
 * their JSON text, so values that could be such a text get no raw check.
 *
 * A LIKE pattern with inner wildcards ('%denied%') is checked by its literal
 * pieces: a value holding a piece holds its bytes, and so does the record,
 * provided the piece could not come from how jsonb prints a non-string value
 * differently from the file (numbers: 1e3 prints as 1000; objects and
 * arrays: ", " and ": ", and none of the file's whitespace).  Such a piece
 * has none of the characters JSON writes around values or escapes, does not
 * start with a space, and has a character that printed numbers never have.
 *
 * Backend-free: unit-tested against a real parse.
 *
 *-------------------------------------------------------------------------
 */
/* memmem() is a GNU extension; the backend build defines this already */
#if !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include "ct_port.h"

#include <string.h>

#include "ct_rawcheck.h"

/*
 * The next p in [p, last) where p[0] is '"' and p[1] is c in either ASCII
 * case (c is lower case), or NULL.  p[1] may be read up to last.
 */
static const char *
next_candidate(const char *p, const char *last, char c)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i fold = _mm_set1_epi8(0x20);
	const __m128i letter = _mm_set1_epi8((char) (c | 0x20));

	/*
	 * OR 0x20 folds A-Z to a-z, and some other bytes together too (as '@'
	 * with '`'): both sides are folded, the candidates checked exactly.
	 */
	while (last - p >= 16)
	{
		__m128i		a = _mm_loadu_si128((const __m128i *) p);
		__m128i		b = _mm_loadu_si128((const __m128i *) (p + 1));
		int			mask = _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, quote),
														   _mm_cmpeq_epi8(_mm_or_si128(b, fold), letter)));

		while (mask)
		{
			const char *q = p + __builtin_ctz((unsigned) mask);

			if (ct_ascii_lower(q[1]) == c)
				return q;
			mask &= mask - 1;
		}
		p += 16;
	}
#endif
	for (; p < last; p++)
		if (*p == '"' && ct_ascii_lower(p[1]) == c)
			return p;
	return NULL;
}

/* Could the text of a non-string JSON value equal V, or start with it? */
static bool
maybe_non_string(const char *v, size_t len, bool prefix)
{
	static const char *const literals[] = {"true", "false", "null"};

	if (len == 0)
		return true;
	if (v[0] == '{' || v[0] == '[' || v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
		return true;
	for (int i = 0; i < 3; i++)
	{
		size_t		l = strlen(literals[i]);

		if (prefix ? (len <= l && memcmp(literals[i], v, len) == 0)
			: (len == l && memcmp(literals[i], v, len) == 0))
			return true;
	}
	return false;
}

/* Would a JSON string holding v be written as v itself, with no escape? */
bool
ct_raw_text_ok(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) v[i];

		/* characters JSON must escape cannot appear raw */
		if (c == '"' || c == '\\' || c < 0x20)
			return false;
	}
	return true;
}

/* Can the raw check decide for this value? */
bool
ct_raw_value_ok(const char *v, size_t len, bool prefix)
{
	return !maybe_non_string(v, len, prefix) && ct_raw_text_ok(v, len);
}

/* Can the raw check use this literal piece of a LIKE pattern? */
bool
ct_raw_piece_ok(const char *v, size_t len)
{
	bool		not_number = false;

	if (len == 0 || v[0] == ' ' || !ct_raw_text_ok(v, len))
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		c = v[i];

		if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',')
			return false;
		if (!((c >= '0' && c <= '9') || c == '-' || c == '.'))
			not_number = true;
	}
	return not_number;
}

/* The bytes to look for; out needs len + 2 bytes.  Returns their length. */
size_t
ct_raw_needle(const char *v, size_t len, bool prefix, char *out)
{
	out[0] = '"';
	memcpy(out + 1, v, len);
	if (prefix)
		return len + 1;
	out[len + 1] = '"';
	return len + 2;
}

/*
 * false: the record (with no backslash) holds none of the needles, or with
 * all, lacks one of them: then no string value in it matches (any needle's
 * value; or, all being a LIKE pattern's pieces, the pattern).  true: it may.
 */
bool
ct_raw_may_match(const char *rec, size_t len, int nneedles,
				 char *const *needles, const size_t *lens, bool all)
{
	if (memchr(rec, '\\', len) != NULL)
		return true;
	for (int i = 0; i < nneedles; i++)
	{
		bool		found = memmem(rec, len, needles[i], lens[i]) != NULL;

		if (found != all)
			return found;
	}
	return all;
}

/*
 * false: the record (with no backslash) nowhere holds the bytes of needle
 * ("name", quotes included), compared in any ASCII letter case if ci, so it
 * has no key of that name.  true: it may.
 */
bool
ct_raw_may_have_key(const char *rec, size_t len, const char *needle,
					size_t nlen, bool ci)
{
	const char *p = rec;
	const char *end = rec + len;

	if (memchr(rec, '\\', len) != NULL)
		return true;
	if (!ci || nlen < 3)		/* an empty name has no letter to fold */
		return memmem(rec, len, needle, nlen) != NULL;
	while ((size_t) (end - p) >= nlen)
	{
		size_t		i = 1;

		p = next_candidate(p, end - nlen + 1, ct_ascii_lower(needle[1]));
		if (p == NULL)
			return false;
		while (i < nlen && ct_ascii_lower(p[i]) == ct_ascii_lower(needle[i]))
			i++;
		if (i == nlen)
			return true;
		p++;
	}
	return false;
}
