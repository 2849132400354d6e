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
 * A scan's raw checks form one set (CtRawSet), searched in one pass over
 * the record: each condition is a list of needles, of which it needs one
 * (=, IN, LIKE 'prefix%', IS NOT NULL) or all (LIKE pieces), some compared
 * in any ASCII letter case.  With Hyperscan (CT_HAVE_HYPERSCAN) every needle
 * of every condition is one literal of a single database, so an IN list of
 * hundreds of values costs about what one value costs; the search stops as
 * soon as every condition holds.  Without it, or if Hyperscan cannot run on
 * this CPU, each needle is a memmem(), fewest-needle conditions first.  Both
 * give the same answer, which the unit test checks.
 *
 * Backend-free: unit-tested against a real parse.  The set is malloc'd (as
 * Hyperscan's database is): its owner frees it.
 *
 *-------------------------------------------------------------------------
 */
/* memmem() is a GNU extension; the backend build defines this already */
#if !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include "ct_port.h"

#include <string.h>

#ifdef CT_HAVE_HYPERSCAN
#include <hs.h>
#endif

#include "ct_rawcheck.h"

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

/*
 * Could the part [v, v + len) of a piece, every character of which passed
 * piece_chars(), come from how jsonb prints a non-string value?  Numbers
 * print in another form (1e3 as 1000), so a part of number characters
 * only is not looked for; nor one starting with a space (jsonb's ": ").
 */
static bool
part_ok(const char *v, size_t len)
{
	if (len == 0 || v[0] == ' ')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '.'))
			return true;
	return false;
}

/*
 * Which characters of a piece a raw check may look for (ok[i]).  A piece
 * without '"' lies within one string of the text it is found in, or within
 * what is between strings.  In a string, jsonb prints every character that
 * needs no escape as the file does.  Between strings it prints objects and
 * arrays with ": " and ", " and no other white space, whatever the file's:
 * so brackets are never looked for, nor a ':' or ',' that is not followed,
 * within the part, by a character other than a space (jsonb's own ':' and
 * ',' always are by a space; one followed by anything else is in a string).
 */
static void
piece_chars(const char *v, size_t len, bool *ok)
{
	for (size_t i = len; i-- > 0;)
	{
		unsigned char c = (unsigned char) v[i];

		if (c == '"' || c == '\\' || c < 0x20 ||
			c == '{' || c == '}' || c == '[' || c == ']')
			ok[i] = false;
		else if (c == ':' || c == ',')
			ok[i] = i + 1 < len && v[i + 1] != ' ' && ok[i + 1];
		else
			ok[i] = true;
	}
}

/*
 * The parts of a literal piece of a LIKE pattern or a regular expression
 * that a raw check may look for: every text that holds the piece holds each
 * part, and a record holds each part's bytes if a string or the jsonb text
 * of a value in it holds the part (and the record has no backslash).  The
 * parts are the runs of characters piece_chars() allows, less leading
 * spaces, that part_ok() keeps.  Writes each part's start and length (at
 * most len of them); returns how many.
 */
int
ct_raw_piece_parts(const char *v, size_t len, size_t *starts, size_t *lens)
{
	bool		small[128];
	bool	   *ok = len <= sizeof(small) ? small : ct_alloc(len);
	int			n = 0;
	size_t		i = 0;

	piece_chars(v, len, ok);
	while (i < len)
	{
		size_t		j = i;

		while (j < len && ok[j])
			j++;
		while (i < j && v[i] == ' ')
			i++;
		if (part_ok(v + i, j - i))
		{
			starts[n] = i;
			lens[n] = j - i;
			n++;
		}
		i = j + 1;
	}
	if (ok != small)
		ct_free(ok);
	return n;
}

/* Can the raw check look for this literal piece whole? */
bool
ct_raw_piece_ok(const char *v, size_t len)
{
	size_t	   *starts;
	size_t	   *lens;
	bool		whole;

	if (len == 0)
		return false;
	starts = ct_alloc(sizeof(size_t) * len);
	lens = ct_alloc(sizeof(size_t) * len);
	whole = ct_raw_piece_parts(v, len, starts, lens) == 1 && lens[0] == len;
	ct_free(starts);
	ct_free(lens);
	return whole;
}

/*
 * ILIKE compares lower(value) with lower(pattern), in the collation's idea
 * of case.  An ASCII letter's other case is its only ASCII counterpart, with
 * four exceptions: U+0130 (I with dot) lowers to i (or i and a combining
 * dot), the Kelvin sign U+212A to k, and in Turkish and Azeri locales I
 * lowers to dotless i.  So a piece holding no i, k (either case) and no
 * non-ASCII byte is in lower(value) only if the value holds it in some ASCII
 * letter case, whatever the collation.  Returns the length of the longest
 * prefix of v that is such a piece.
 */
size_t
ct_raw_ci_span(const char *v, size_t len)
{
	size_t		i = 0;

	while (i < len && (unsigned char) v[i] < 0x80 && ct_ascii_lower(v[i]) != 'i' &&
		   ct_ascii_lower(v[i]) != 'k')
		i++;
	return i;
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

/* Is c an ASCII letter? */
static inline bool
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Does hay hold needle, its ASCII letters compared in any case?  Candidates
 * are positions where the first and last bytes agree (folded), 16 at a time.
 */
static bool
ci_find(const char *hay, size_t len, const char *needle, size_t nlen)
{
	const char *p = hay;
	const char *end;
	char		first,
				last;

	if (nlen == 0)
		return true;
	if (nlen > len)
		return false;
	end = hay + len - nlen + 1;	/* candidates start before end */
	first = ct_ascii_lower(needle[0]);
	last = ct_ascii_lower(needle[nlen - 1]);
#if defined(__SSE2__)
	{
		/* OR 0x20 folds A-Z to a-z (and some other bytes: checked below) */
		const __m128i f_fold = _mm_set1_epi8(is_letter(first) ? 0x20 : 0);
		const __m128i l_fold = _mm_set1_epi8(is_letter(last) ? 0x20 : 0);
		const __m128i f_val = _mm_set1_epi8(first);
		const __m128i l_val = _mm_set1_epi8(last);

		while (end - p >= 16)
		{
			__m128i		a = _mm_loadu_si128((const __m128i *) p);
			__m128i		b = _mm_loadu_si128((const __m128i *) (p + nlen - 1));
			int			mask = _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(a, f_fold), f_val),
															   _mm_cmpeq_epi8(_mm_or_si128(b, l_fold), l_val)));

			while (mask)
			{
				const char *q = p + __builtin_ctz((unsigned) mask);
				size_t		i = 0;

				while (i < nlen && ct_ascii_lower(q[i]) == ct_ascii_lower(needle[i]))
					i++;
				if (i == nlen)
					return true;
				mask &= mask - 1;
			}
			p += 16;
		}
	}
#endif
	for (; p < end; p++)
	{
		size_t		i = 0;

		while (i < nlen && ct_ascii_lower(p[i]) == ct_ascii_lower(needle[i]))
			i++;
		if (i == nlen)
			return true;
	}
	return false;
}

static bool
find_needle(const char *hay, size_t len, const char *needle, size_t nlen, bool ci)
{
	if (nlen == 0)
		return true;
	return ci ? ci_find(hay, len, needle, nlen) : memmem(hay, len, needle, nlen) != NULL;
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
	if (memchr(rec, '\\', len) != NULL)
		return true;
	return find_needle(rec, len, needle, nlen, ci);
}

/* --- the set of a scan's raw checks ------------------------------------------ */

typedef struct RawCond
{
	bool		all;			/* needs every needle, not just one */
	bool		always;			/* holds whatever the record (no needle needed) */
	int			first;			/* its needles: [first, first + n) */
	int			n;
} RawCond;

struct CtRawSet
{
	int			nconds;
	RawCond    *conds;
	int			nneedles;
	char	  **needles;
	size_t	   *lens;
	bool	   *ci;
	int		   *owner;			/* the condition of each needle */
	int		   *order;			/* memmem: conditions, fewest needles first */
	int			nlive;			/* conditions that need a needle */
	bool		built;
	bool		hyperscan;		/* else memmem */
	int		   *found;			/* per condition: needles found, during a search */
#ifdef CT_HAVE_HYPERSCAN
	hs_database_t *db;
	hs_scratch_t *scratch;
#endif
};

CtRawSet *
ct_raw_set_new(void)
{
	return calloc(1, sizeof(CtRawSet));
}

void
ct_raw_set_free(CtRawSet *s)
{
	if (s == NULL)
		return;
#ifdef CT_HAVE_HYPERSCAN
	if (s->scratch)
		hs_free_scratch(s->scratch);
	if (s->db)
		hs_free_database(s->db);
#endif
	for (int i = 0; i < s->nneedles; i++)
		free(s->needles[i]);
	free(s->needles);
	free(s->lens);
	free(s->ci);
	free(s->owner);
	free(s->order);
	free(s->conds);
	free(s->found);
	free(s);
}

static bool
grow(void **p, size_t elem, int n)
{
	void	   *q;

	/* doubling: n is a power of two or less than 8 when this is called */
	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return true;
	q = realloc(*p, elem * (n < 8 ? 8 : (size_t) n * 2));
	if (q == NULL)
		return false;
	*p = q;
	return true;
}

/*
 * Adds a condition: the record may match only if it holds one of the
 * needles (all of them, if all), ci ones in any ASCII letter case.  An empty
 * needle is always held.  false when out of memory.
 */
bool
ct_raw_set_add(CtRawSet *s, bool all, int n, char *const *needles,
			   const size_t *lens, const bool *ci)
{
	RawCond    *c;

	if (!grow((void **) &s->conds, sizeof(RawCond), s->nconds))
		return false;
	c = &s->conds[s->nconds++];
	c->all = all;
	c->always = all;			/* until a needle is needed */
	c->first = s->nneedles;
	c->n = 0;
	for (int i = 0; i < n; i++)
	{
		bool		dup = false;
		int			k = s->nneedles;

		if (lens[i] == 0)
		{
			if (!all)
				c->always = true;	/* held by every record */
			continue;
		}
		/* a needle twice in an ALL condition counts once (its count needs it) */
		for (int j = c->first; all && j < k && !dup; j++)
			dup = s->lens[j] == lens[i] && s->ci[j] == ci[i] &&
				memcmp(s->needles[j], needles[i], lens[i]) == 0;
		if (dup)
			continue;
		if (!grow((void **) &s->needles, sizeof(char *), k) ||
			!grow((void **) &s->lens, sizeof(size_t), k) ||
			!grow((void **) &s->ci, sizeof(bool), k) ||
			!grow((void **) &s->owner, sizeof(int), k))
			return false;
		if ((s->needles[k] = malloc(lens[i])) == NULL)
			return false;
		memcpy(s->needles[k], needles[i], lens[i]);
		s->lens[k] = lens[i];
		s->ci[k] = ci[i];
		s->owner[k] = s->nconds - 1;
		s->nneedles++;
		c->n++;
		if (all)
			c->always = false;
	}
	if (c->always && !all)
	{
		/* one empty needle: drop the others, nothing to look for */
		for (int j = c->first; j < s->nneedles; j++)
			free(s->needles[j]);
		s->nneedles = c->first;
		c->n = 0;
	}
	else if (!all && c->n == 0)
		c->always = false;		/* no needle at all: never holds */
	return true;
}

#ifdef CT_HAVE_HYPERSCAN
/* Every needle is one literal; its id is its index. */
static bool
build_hyperscan(CtRawSet *s)
{
	const char **exprs;
	unsigned   *flags;
	unsigned   *ids;
	hs_compile_error_t *cerr = NULL;
	bool		ok = false;

	if (s->nneedles == 0 || hs_valid_platform() != HS_SUCCESS)
		return false;
	exprs = malloc(sizeof(char *) * s->nneedles);
	flags = malloc(sizeof(unsigned) * s->nneedles);
	ids = malloc(sizeof(unsigned) * s->nneedles);
	if (exprs && flags && ids)
	{
		for (int i = 0; i < s->nneedles; i++)
		{
			exprs[i] = s->needles[i];
			/* each literal reported once per record: the counts rely on it */
			flags[i] = HS_FLAG_SINGLEMATCH | (s->ci[i] ? HS_FLAG_CASELESS : 0);
			ids[i] = (unsigned) i;
		}
		if (hs_compile_lit_multi(exprs, flags, ids, s->lens, (unsigned) s->nneedles,
								 HS_MODE_BLOCK, NULL, &s->db, &cerr) == HS_SUCCESS &&
			hs_alloc_scratch(s->db, &s->scratch) == HS_SUCCESS)
			ok = true;
	}
	if (cerr)
		hs_free_compile_error(cerr);
	if (!ok)
	{
		if (s->scratch)
			hs_free_scratch(s->scratch);
		if (s->db)
			hs_free_database(s->db);
		s->scratch = NULL;
		s->db = NULL;
	}
	free(exprs);
	free(flags);
	free(ids);
	return ok;
}
#endif

/*
 * Prepares the set for searching: with Hyperscan if it was built in, is
 * wanted and works here, else with memmem.  false when out of memory.
 */
bool
ct_raw_set_build(CtRawSet *s, bool want_hyperscan)
{
	s->nlive = 0;
	s->order = malloc(sizeof(int) * (s->nconds > 0 ? s->nconds : 1));
	s->found = malloc(sizeof(int) * (s->nconds > 0 ? s->nconds : 1));
	if (s->order == NULL || s->found == NULL)
		return false;
	for (int i = 0; i < s->nconds; i++)
		if (!s->conds[i].always)
			s->order[s->nlive++] = i;
	/* insertion sort: conditions are few; stable, so ties keep their order */
	for (int i = 1; i < s->nlive; i++)
	{
		int			x = s->order[i];
		int			j = i;

		for (; j > 0 && s->conds[s->order[j - 1]].n > s->conds[x].n; j--)
			s->order[j] = s->order[j - 1];
		s->order[j] = x;
	}
	s->hyperscan = false;
#ifdef CT_HAVE_HYPERSCAN
	if (want_hyperscan)
		s->hyperscan = build_hyperscan(s);
#else
	(void) want_hyperscan;
#endif
	s->built = true;
	return true;
}

/* Which search the set uses: "Hyperscan" or "memmem". */
const char *
ct_raw_set_engine(const CtRawSet *s)
{
	return s->hyperscan ? "Hyperscan" : "memmem";
}

/* Does the set reject anything at all? */
bool
ct_raw_set_checks(const CtRawSet *s)
{
	for (int i = 0; i < s->nconds; i++)
		if (!s->conds[i].always)
			return true;
	return false;
}

#ifdef CT_HAVE_HYPERSCAN
typedef struct HsSearch
{
	CtRawSet   *set;
	int			missing;		/* conditions not yet known to hold */
} HsSearch;

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
		 unsigned int flags, void *arg)
{
	HsSearch   *st = arg;
	CtRawSet   *s = st->set;
	int			c = s->owner[id];

	(void) from;
	(void) to;
	(void) flags;
	/* an ANY condition holds at its first needle, an ALL one at its last */
	if (++s->found[c] == (s->conds[c].all ? s->conds[c].n : 1))
		return --st->missing == 0;	/* nonzero stops the search: all hold */
	return 0;
}
#endif

/*
 * false: the record (with no backslash) fails a condition of the set, so it
 * cannot match.  true: it may.
 */
bool
ct_raw_set_may_match(CtRawSet *s, const char *rec, size_t len)
{
	if (s->nlive == 0)
		return true;
	/* the cheapest decisive check first: with a backslash nothing is */
	if (memchr(rec, '\\', len) != NULL)
		return true;
#ifdef CT_HAVE_HYPERSCAN
	if (s->hyperscan)
	{
		HsSearch	st;
		hs_error_t	r;

		memset(s->found, 0, sizeof(int) * s->nconds);
		st.set = s;
		st.missing = s->nlive;
		r = hs_scan(s->db, rec, (unsigned int) len, 0, s->scratch, on_match, &st);
		if (r == HS_SCAN_TERMINATED)
			return true;
		if (r == HS_SUCCESS)
			return st.missing == 0;
		return true;			/* cannot happen; decide nothing */
	}
#endif
	for (int i = 0; i < s->nlive; i++)
	{
		const RawCond *c = &s->conds[s->order[i]];
		bool		holds = c->all;

		for (int j = c->first; j < c->first + c->n; j++)
		{
			bool		found = find_needle(rec, len, s->needles[j], s->lens[j], s->ci[j]);

			if (found != c->all)
			{
				holds = found;
				break;
			}
		}
		if (!holds)
			return false;
	}
	return true;
}
