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
 */
/* memmem() is a GNU extension */
#define _GNU_SOURCE
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
	/* a check that never rejects tests nothing */
	return rejected > 0 && key_rejected > 0 && like_rejected > 0 ? 0 : 1;
}
