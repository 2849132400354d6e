/*
 * test_rawcheck.c
 *		The raw-bytes record check (fdw/ct_rawcheck.c) against a real parse.
 *
 * Property: when ct_raw_may_match() says a record cannot match, no string in
 * the record (at any depth, key or value) decodes to V (or, for a prefix
 * check, starts with V).  Records are generated with every escape form,
 * raw UTF-8, pretty-printing and any key order; values to look for are
 * taken from the records themselves (so matches are common) and made up.
 * jansson is the parser of reference.
 *
 * The set of a scan's checks (CtRawSet) must give exactly what checking its
 * conditions one by one gives (one needle of each ANY condition, every
 * needle of each ALL one, ci needles in any ASCII letter case), with
 * Hyperscan and with memmem, on sets of 1 to 300 needles.
 */
/* memmem() is a GNU extension */
#define _GNU_SOURCE
#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_rawcheck.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t) (rng >> 11);
}

static const char *const words[] = {
	"ConsoleLogin", "ListBuckets", "Describe", "DescribeInstances", "alice", "bob",
	"s3.amazonaws.com", "203.0.113.5", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "a/b",
	"x\"y", "back\\slash", "tab\there", "true", "42", "-1", "null", "Get", "", "Login",
	"@timestamp", "`tick", "{brace", "[at"
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Appends a JSON string for s, escaping characters at random (but validly). */
static void
put_string(char **o, const char *s, int escape_mode)
{
	*(*o)++ = '"';
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		unsigned char c = *p;
		int			esc = (c == '"' || c == '\\' || c < 0x20) ||
			(escape_mode && c < 0x80 && next_rand() % 7 == 0);

		if (c == '/' && escape_mode && next_rand() % 3 == 0)
		{
			*o += sprintf(*o, "\\/");
			continue;
		}
		if (!esc)
		{
			/* non-ASCII stays raw; escaping it needs code points: keep it simple */
			*(*o)++ = (char) c;
			continue;
		}
		switch (c)
		{
			case '"':
				*o += sprintf(*o, "\\\"");
				break;
			case '\\':
				*o += sprintf(*o, "\\\\");
				break;
			case '\t':
				*o += sprintf(*o, next_rand() % 2 ? "\\t" : "\\u0009");
				break;
			default:
				*o += sprintf(*o, "\\u%04x", c);
				break;
		}
	}
	*(*o)++ = '"';
}

static void
put_ws(char **o, int pretty, int depth)
{
	if (!pretty)
		return;
	*(*o)++ = '\n';
	for (int i = 0; i < depth * 2; i++)
		*(*o)++ = ' ';
}

static void
put_value(char **o, int depth, int pretty, int escape_mode)
{
	uint32_t	r = next_rand() % (depth > 3 ? 5 : 8);

	if (r <= 2)
		put_string(o, words[next_rand() % NWORDS], escape_mode);
	else if (r == 3)
		*o += sprintf(*o, "%d", (int) (next_rand() % 1000) - 500);
	else if (r == 4)
		*o += sprintf(*o, next_rand() % 2 ? "true" : "null");
	else if (r <= 6)
	{
		int			n = next_rand() % 4;

		*(*o)++ = '{';
		for (int i = 0; i < n; i++)
		{
			if (i)
				*(*o)++ = ',';
			put_ws(o, pretty, depth + 1);
			put_string(o, words[next_rand() % NWORDS], escape_mode);
			*(*o)++ = ':';
			if (pretty)
				*(*o)++ = ' ';
			put_value(o, depth + 1, pretty, escape_mode);
		}
		put_ws(o, pretty, depth);
		*(*o)++ = '}';
	}
	else
	{
		int			n = next_rand() % 4;

		*(*o)++ = '[';
		for (int i = 0; i < n; i++)
		{
			if (i)
				*(*o)++ = ',';
			put_value(o, depth + 1, pretty, escape_mode);
		}
		*(*o)++ = ']';
	}
}

/* Does any string of v (keys included) equal s, or start with it? */
static int
holds(json_t *v, const char *s, size_t len, int prefix)
{
	const char *key;
	json_t	   *item;
	size_t		i;

	if (json_is_string(v))
	{
		size_t		l = json_string_length(v);

		return prefix ? (l >= len && memcmp(json_string_value(v), s, len) == 0)
			: (l == len && memcmp(json_string_value(v), s, len) == 0);
	}
	if (json_is_object(v))
	{
		json_object_foreach(v, key, item)
		{
			size_t		kl = strlen(key);

			if (prefix ? (kl >= len && memcmp(key, s, len) == 0) : (kl == len && memcmp(key, s, len) == 0))
				return 1;
			if (holds(item, s, len, prefix))
				return 1;
		}
	}
	if (json_is_array(v))
		json_array_foreach(v, i, item)
			if (holds(item, s, len, prefix))
				return 1;
	return 0;
}

/* A key name, sometimes with its ASCII letters in other cases. */
static const char *
key_variant(const char *w, char *buf)
{
	strcpy(buf, w);
	if (next_rand() % 3 == 0)
		for (char *c = buf; *c; c++)
			if (((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')) && next_rand() % 2)
				*c ^= 0x20;
	return buf;
}

/* Does the object have a top-level key named k (in any ASCII case if ci)? */
/* Does a string value anywhere in v hold both pieces? */
static int
holds_pieces(json_t *v, char *const *pieces, const size_t *lens)
{
	const char *key;
	json_t	   *item;
	size_t		i;

	if (json_is_string(v))
		return memmem(json_string_value(v), json_string_length(v), pieces[0], lens[0]) &&
			memmem(json_string_value(v), json_string_length(v), pieces[1], lens[1]);
	if (json_is_object(v))
		json_object_foreach(v, key, item)
			if (holds_pieces(item, pieces, lens))
				return 1;
	if (json_is_array(v))
		json_array_foreach(v, i, item)
			if (holds_pieces(item, pieces, lens))
				return 1;
	return 0;
}

static int
has_key(json_t *obj, const char *k, int ci)
{
	const char *key;
	json_t	   *val;

	json_object_foreach(obj, key, val)
		if (ci ? strcasecmp(key, k) == 0 : strcmp(key, k) == 0)
			return 1;
	return 0;
}

/* --- CtRawSet against its conditions checked one by one --------------------- */

static int
naive_find(const char *hay, size_t len, const char *n, size_t nlen, int ci)
{
	if (nlen == 0)
		return 1;
	for (size_t i = 0; i + nlen <= len; i++)
	{
		size_t		j = 0;

		while (j < nlen && (ci ? tolower((unsigned char) hay[i + j]) == tolower((unsigned char) n[j])
							: hay[i + j] == n[j]))
			j++;
		if (j == nlen)
			return 1;
	}
	return 0;
}

/* Does a string anywhere in v (keys too) hold every piece, in any ASCII case? */
static int
holds_pieces_ci(json_t *v, char *const *pieces, const size_t *lens, int n)
{
	const char *key;
	json_t	   *item;
	size_t		i;

	if (json_is_string(v))
	{
		for (int k = 0; k < n; k++)
			if (!naive_find(json_string_value(v), json_string_length(v), pieces[k], lens[k], 1))
				return 0;
		return 1;
	}
	if (json_is_object(v))
		json_object_foreach(v, key, item)
		{
			int			all = 1;

			for (int k = 0; k < n && all; k++)
				all = naive_find(key, strlen(key), pieces[k], lens[k], 1);
			if (all || holds_pieces_ci(item, pieces, lens, n))
				return 1;
		}
	if (json_is_array(v))
		json_array_foreach(v, i, item)
			if (holds_pieces_ci(item, pieces, lens, n))
				return 1;
	return 0;
}

#define SET_MAX_CONDS 4
#define SET_MAX_NEEDLES 300

typedef struct TestCond
{
	int			all;
	int			ci;
	int			n;
	char	   *needles[SET_MAX_NEEDLES];
	size_t		lens[SET_MAX_NEEDLES];
} TestCond;

/* A needle: a word, a piece of one, a made-up name; as "v", "v or a piece. */
static size_t
make_needle(char *out, int piece)
{
	const char *w = words[next_rand() % NWORDS];
	size_t		wl = strlen(w);
	size_t		start = 0,
				len = wl;
	char		made[32];

	if (next_rand() % 4 == 0)
	{
		snprintf(made, sizeof(made), "Name%u", next_rand() % 1000);
		w = made;
		wl = len = strlen(made);
	}
	if (piece || next_rand() % 4 == 0)
	{
		start = wl > 1 ? next_rand() % (wl - 1) : 0;
		len = wl - start ? 1 + next_rand() % (wl - start) : 0;
	}
	if (piece)
	{
		memcpy(out, w + start, len);
		return len;
	}
	return ct_raw_needle(w + start, len, next_rand() % 3 == 0, out);
}

static int
test_sets(void)
{
	static char pool[2000][4096];
	static size_t pool_len[2000];
	static json_t *pool_doc[2000];
	long		checks = 0,
				rejected = 0,
				hs_sets = 0;

	for (int r = 0; r < 2000; r++)
	{
		char	   *o = pool[r];
		int			pretty = next_rand() % 4 == 0;
		int			escape_mode = next_rand() % 8 == 0;
		json_error_t jerr;

		*o++ = '{';
		for (int i = 0, k = 1 + next_rand() % 6; i < k; i++)
		{
			char		kbuf[256];

			if (i)
				*o++ = ',';
			put_ws(&o, pretty, 1);
			put_string(&o, key_variant(words[next_rand() % NWORDS], kbuf), escape_mode);
			*o++ = ':';
			put_value(&o, 1, pretty, escape_mode);
			if (next_rand() % 2)
			{
				char		name[32];

				snprintf(name, sizeof(name), ",\"n\":\"Name%u\"", next_rand() % 1000);
				o += sprintf(o, "%s", name);
			}
		}
		*o++ = '}';
		*o = '\0';
		pool_len[r] = o - pool[r];
		if (pool_len[r] >= sizeof(pool[0]) - 1024)
		{
			fprintf(stderr, "test record too long\n");
			return 1;
		}
		pool_doc[r] = json_loadb(pool[r], pool_len[r], JSON_ALLOW_NUL, &jerr);
		if (pool_doc[r] == NULL)
		{
			fprintf(stderr, "generator wrote invalid JSON: %s\n", jerr.text);
			return 1;
		}
	}

	for (int t = 0; t < 400; t++)
	{
		static TestCond conds[SET_MAX_CONDS];
		int			nconds = 1 + next_rand() % SET_MAX_CONDS;
		CtRawSet   *sets[2];

		for (int c = 0; c < nconds; c++)
		{
			TestCond   *tc = &conds[c];
			int			big = next_rand() % 5 == 0;

			tc->all = next_rand() % 3 == 0;
			tc->ci = next_rand() % 3 == 0;
			tc->n = tc->all ? 1 + next_rand() % 3 : big ? 50 + next_rand() % 250 : 1 + next_rand() % 5;
			for (int i = 0; i < tc->n; i++)
			{
				if (tc->needles[i] == NULL)
					tc->needles[i] = malloc(300);
				tc->lens[i] = make_needle(tc->needles[i], tc->all);
			}
		}
		for (int e = 0; e < 2; e++)
		{
			sets[e] = ct_raw_set_new();
			for (int c = 0; c < nconds; c++)
			{
				bool		ci[SET_MAX_NEEDLES];

				for (int i = 0; i < conds[c].n; i++)
					ci[i] = conds[c].ci;
				if (!ct_raw_set_add(sets[e], conds[c].all, conds[c].n, conds[c].needles,
									conds[c].lens, ci))
					return 1;
			}
			if (!ct_raw_set_build(sets[e], e == 1))
				return 1;
		}
		if (strcmp(ct_raw_set_engine(sets[0]), "memmem") != 0)
			return 1;
		hs_sets += strcmp(ct_raw_set_engine(sets[1]), "Hyperscan") == 0;

		for (int k = 0; k < 500; k++)
		{
			int			r = next_rand() % 2000;
			const char *rec = pool[r];
			size_t		len = pool_len[r];
			int			expect = memchr(rec, '\\', len) != NULL;

			if (!expect)
			{
				expect = 1;
				for (int c = 0; c < nconds && expect; c++)
				{
					int			held = conds[c].all;

					for (int i = 0; i < conds[c].n; i++)
						if (naive_find(rec, len, conds[c].needles[i], conds[c].lens[i], conds[c].ci) != conds[c].all)
						{
							held = !conds[c].all;
							break;
						}
					expect = held;
				}
			}
			for (int e = 0; e < 2; e++)
				if (ct_raw_set_may_match(sets[e], rec, len) != expect)
				{
					fprintf(stderr, "raw set (%s) says %d, its conditions %d, for:\n%s\n",
							ct_raw_set_engine(sets[e]), !expect, expect, rec);
					return 1;
				}
			checks++;
			if (!expect)
			{
				rejected++;
				/* a rejected record cannot match an ILIKE of the pieces (C collation) */
				for (int c = 0; c < nconds; c++)
					if (conds[c].all && conds[c].ci)
					{
						int			ok = 1;

						for (int i = 0; i < conds[c].n; i++)
							ok = ok && ct_raw_piece_ok(conds[c].needles[i], conds[c].lens[i]);
						if (ok && holds_pieces_ci(pool_doc[r], conds[c].needles, conds[c].lens, conds[c].n) &&
							nconds == 1)
						{
							fprintf(stderr, "raw set rejected a record matching ILIKE pieces:\n%s\n", rec);
							return 1;
						}
					}
			}
		}
		ct_raw_set_free(sets[0]);
		ct_raw_set_free(sets[1]);
	}
	for (int r = 0; r < 2000; r++)
		json_decref(pool_doc[r]);
	printf("rawcheck: %ld set checks (400 sets, %ld with Hyperscan), %ld records rejected, "
		   "both engines as the conditions one by one\n", checks, hs_sets, rejected);
	return rejected > 0 ? 0 : 1;
}

/* ct_raw_ci_span: runs end at i, k and non-ASCII bytes only */
static int
test_ci_span(void)
{
	static const struct
	{
		const char *v;
		size_t		span;
	}			cases[] = {
		{"", 0}, {"abc", 3}, {"Bucket", 3}, {"k", 0}, {"DeleteTrail", 9}, {"NOT AUTHORIZED", 10},
		{"caf\xc3\xa9", 3}, {"x-y_z%", 6}, {"I", 0}, {"K", 0}, {"\xe2\x84\xaa", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ct_raw_ci_span(cases[i].v, strlen(cases[i].v)) != cases[i].span)
		{
			fprintf(stderr, "ct_raw_ci_span(\"%s\") = %zu, not %zu\n", cases[i].v,
					ct_raw_ci_span(cases[i].v, strlen(cases[i].v)), cases[i].span);
			return 1;
		}
	printf("rawcheck: %zu ct_raw_ci_span cases\n", sizeof(cases) / sizeof(cases[0]));
	return 0;
}

/*
 * ct_raw_piece_parts(): a value printed as jsonb prints it (": ", ", ", keys
 * in jsonb's order, numbers in their plain form) and as a file may write it
 * (any white space, the members in another order, exponents).  Every part of
 * every piece of the jsonb text must be in the file's text.
 */
typedef struct TwoTexts
{
	char		jb[4096];
	size_t		jl;
	char		raw[8192];
	size_t		rl;
} TwoTexts;

static void
put2(TwoTexts *t, const char *jb, const char *raw)
{
	size_t		a = strlen(jb),
				b = strlen(raw);

	if (t->jl + a < sizeof(t->jb) && t->rl + b < sizeof(t->raw))
	{
		memcpy(t->jb + t->jl, jb, a);
		t->jl += a;
		memcpy(t->raw + t->rl, raw, b);
		t->rl += b;
	}
}

static void
raw_ws(TwoTexts *t)
{
	static const char *const ws[] = {"", "", "", " ", "\n  ", "\t", "  "};

	put2(t, "", ws[next_rand() % 7]);
}

static void
gen_text_string(char *out)
{
	static const char alphabet[] = "ab:, {}[]-.1e0";
	int			n = next_rand() % 8;

	for (int i = 0; i < n; i++)
		out[i] = alphabet[next_rand() % (sizeof(alphabet) - 1)];
	out[n] = '\0';
}

static void
gen_two(TwoTexts *t, int depth)
{
	char		buf[64],
				buf2[64];
	int			kind = next_rand() % (depth < 3 ? 6 : 4);

	switch (kind)
	{
		case 0:
			{
				char		s[16];

				gen_text_string(s);
				snprintf(buf, sizeof(buf), "\"%s\"", s);
				put2(t, buf, buf);
				break;
			}
		case 1:
			{
				int			m = next_rand() % 1000;
				int			k = next_rand() % 3;
				int			neg = next_rand() % 4 == 0;

				/* m e k, which jsonb prints as the plain number */
				snprintf(buf, sizeof(buf), "%s%d", neg && m ? "-" : "", m * (k == 2 ? 100 : k == 1 ? 10 : 1));
				if (k && next_rand() % 2)
					snprintf(buf2, sizeof(buf2), "%s%de%d", neg && m ? "-" : "", m, k);
				else
					snprintf(buf2, sizeof(buf2), "%s", buf);
				put2(t, buf, buf2);
				break;
			}
		case 2:
			put2(t, "1.50", "1.50");
			break;
		case 3:
			{
				static const char *const lits[] = {"true", "false", "null"};
				const char *l = lits[next_rand() % 3];

				put2(t, l, l);
				break;
			}
		case 4:
			{
				int			n = next_rand() % 4;

				put2(t, "[", "[");
				for (int i = 0; i < n; i++)
				{
					if (i)
					{
						raw_ws(t);
						put2(t, ", ", ",");
					}
					raw_ws(t);
					gen_two(t, depth + 1);
				}
				raw_ws(t);
				put2(t, "]", "]");
				break;
			}
		default:
			{
				/* the members in one order for both: key order moves whole members only */
				int			n = next_rand() % 4;

				put2(t, "{", "{");
				for (int i = 0; i < n; i++)
				{
					char		key[16];

					if (i)
					{
						raw_ws(t);
						put2(t, ", ", ",");
					}
					raw_ws(t);
					gen_text_string(key);
					snprintf(buf, sizeof(buf), "\"%s%d\"", key, i);
					put2(t, buf, buf);
					raw_ws(t);
					put2(t, ": ", ":");
					raw_ws(t);
					gen_two(t, depth + 1);
				}
				raw_ws(t);
				put2(t, "}", "}");
				break;
			}
	}
}

static int
test_piece_parts(void)
{
	long		parts = 0,
				with_sep = 0;
	static TwoTexts t;

	for (int n = 0; n < 20000; n++)
	{
		t.jl = t.rl = 0;
		gen_two(&t, 0);
		for (int k = 0; k < 20 && t.jl > 0; k++)
		{
			size_t		start = next_rand() % t.jl;
			size_t		len = 1 + next_rand() % 24;
			size_t		starts[32],
						lens[32];
			int			np;

			if (start + len > t.jl)
				len = t.jl - start;
			np = ct_raw_piece_parts(t.jb + start, len, starts, lens);
			for (int i = 0; i < np; i++)
			{
				const char *p = t.jb + start + starts[i];

				parts++;
				if (memchr(p, ':', lens[i]) || memchr(p, ',', lens[i]))
					with_sep++;
				if (memmem(t.raw, t.rl, p, lens[i]) == NULL)
				{
					fprintf(stderr, "piece part \"%.*s\" of the jsonb text\n%.*s\nis not in the file's\n%.*s\n",
							(int) lens[i], p, (int) t.jl, t.jb, (int) t.rl, t.raw);
					return 1;
				}
			}
		}
	}
	printf("rawcheck: %ld piece parts found in the file's text, %ld of them with ':' or ','\n",
		   parts, with_sep);
	return parts > 10000 && with_sep > 1000 ? 0 : 1;
}

int
main(void)
{
	static char rec[1 << 16];
	long		checks = 0,
				rejected = 0,
				key_checks = 0,
				like_checks = 0,
				like_rejected = 0,
				key_rejected = 0;

	for (int n = 0; n < 200000; n++)
	{
		char	   *o = rec;
		int			pretty = next_rand() % 4 == 0;
		int			escape_mode = next_rand() % 3 == 0;
		json_error_t jerr;
		json_t	   *doc;
		const char *v;
		size_t		vlen;
		int			prefix = next_rand() % 3 == 0;
		char		needle[256];
		size_t		nlen;
		char	   *needles[1];
		size_t		lens[1];
		int			may;

		/* a record: an object with a few members */
		*o++ = '{';
		for (int i = 0, k = 1 + next_rand() % 6; i < k; i++)
		{
			if (i)
				*o++ = ',';
			put_ws(&o, pretty, 1);
			char		kbuf[256];

			put_string(&o, key_variant(words[next_rand() % NWORDS], kbuf), escape_mode);
			*o++ = ':';
			put_value(&o, 1, pretty, escape_mode);
		}
		put_ws(&o, pretty, 0);
		*o++ = '}';
		*o = '\0';

		doc = json_loadb(rec, o - rec, JSON_ALLOW_NUL, &jerr);
		if (doc == NULL)
		{
			fprintf(stderr, "generator wrote invalid JSON: %s\n%s\n", jerr.text, rec);
			return 1;
		}

		/* a key that must be there (IS NOT NULL), in any letter case or not */
		{
			const char *k = words[next_rand() % NWORDS];
			int			ci = next_rand() % 2;
			char		kneedle[256];
			size_t		kl = ct_raw_needle(k, strlen(k), false, kneedle);

			if (strpbrk(k, "\"\\") == NULL)
			{
				key_checks++;
				if (!ct_raw_may_have_key(rec, o - rec, kneedle, kl, ci))
				{
					key_rejected++;
					if (has_key(doc, k, ci))
					{
						fprintf(stderr, "raw key check rejected a record with key \"%s\"%s:\n%s\n",
								k, ci ? " (any case)" : "", rec);
						return 1;
					}
				}
			}
		}

		/* two pieces of a LIKE pattern ('%p1%p2%'), each a piece of a word */
		{
			char	   *pieces[2];
			size_t		plens[2];
			int			ok = 1;

			for (int k = 0; k < 2; k++)
			{
				const char *w = words[next_rand() % NWORDS];
				size_t		wl = strlen(w);
				size_t		start;

				if (wl == 0)
				{
					ok = 0;
					break;
				}
				start = wl > 1 ? next_rand() % (wl - 1) : 0;
				pieces[k] = (char *) w + start;
				plens[k] = 1 + next_rand() % (wl - start);
				ok = ok && ct_raw_piece_ok(pieces[k], plens[k]);
			}
			if (ok)
			{
				like_checks++;
				if (!ct_raw_may_match(rec, o - rec, 2, pieces, plens, true))
				{
					like_rejected++;
					if (holds_pieces(doc, pieces, plens))
					{
						fprintf(stderr, "raw check rejected a record holding \"%.*s\" and \"%.*s\":\n%s\n",
								(int) plens[0], pieces[0], (int) plens[1], pieces[1], rec);
						return 1;
					}
				}
			}
		}

		/* a value to look for: one of the words, or a piece of one */
		v = words[next_rand() % NWORDS];
		vlen = strlen(v);
		if (next_rand() % 4 == 0 && vlen > 2)
			vlen = 1 + next_rand() % (vlen - 1);
		if (!ct_raw_value_ok(v, vlen, prefix))
		{
			json_decref(doc);
			continue;
		}
		nlen = ct_raw_needle(v, vlen, prefix, needle);
		needles[0] = needle;
		lens[0] = nlen;
		may = ct_raw_may_match(rec, o - rec, 1, needles, lens, false);
		checks++;
		if (!may)
		{
			rejected++;
			if (holds(doc, v, vlen, prefix))
			{
				fprintf(stderr, "raw check rejected a record holding \"%.*s\"%s:\n%s\n",
						(int) vlen, v, prefix ? " (prefix)" : "", rec);
				return 1;
			}
		}
		json_decref(doc);
	}
	printf("rawcheck: %ld checks against jansson, %ld records rejected on raw bytes, none wrongly\n",
		   checks, rejected);
	printf("rawcheck: %ld key checks against jansson, %ld records rejected on raw bytes, none wrongly\n",
		   key_checks, key_rejected);
	printf("rawcheck: %ld LIKE-piece checks against jansson, %ld records rejected on raw bytes, none wrongly\n",
		   like_checks, like_rejected);
	if (test_sets() != 0 || test_ci_span() != 0 || test_piece_parts() != 0)
		return 1;
	/* a check that never rejects tests nothing */
	return rejected > 0 && key_rejected > 0 && like_rejected > 0 ? 0 : 1;
}
