/*
 * test_regex.c
 *		The literal pieces of a regular expression (fdw/ct_regex.c).
 *
 * 1. A table of patterns and the pieces they must give (or none, or "cannot
 *    tell").
 * 2. The property the raw check relies on, against POSIX regexec() (ERE,
 *    which agrees with PostgreSQL's ARE on the generated subset: literals,
 *    escaped punctuation, '.', brackets, groups, '|', '^', '$', '*', '+',
 *    '?', bounds): for every generated string that a generated pattern
 *    matches, every piece claimed for the pattern is in the string.  Strings
 *    are built to match often (from the pattern's own characters).
 */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_regex.h"

static int	failures = 0;
static long checks = 0;

typedef struct Got
{
	char		text[512];		/* the pieces, each followed by '|' */
	int			n;
} Got;

static void
collect(void *arg, const char *p, size_t len)
{
	Got		   *g = arg;
	size_t		used = strlen(g->text);

	if (used + len + 2 < sizeof(g->text))
	{
		memcpy(g->text + used, p, len);
		g->text[used + len] = '|';
		g->text[used + len + 1] = '\0';
	}
	g->n++;
}

/* expected: the pieces each followed by '|', "" for none, NULL for cannot tell */
static void
expect(const char *pat, const char *expected)
{
	Got			g = {{0}, 0};
	bool		ok = ct_regex_pieces(pat, strlen(pat), collect, &g);

	checks++;
	if (expected == NULL ? ok : (!ok || strcmp(g.text, expected) != 0))
	{
		fprintf(stderr, "regex: %s: got %s%s, expected %s\n", pat,
				ok ? "" : "(cannot tell)", g.text, expected ? expected : "(cannot tell)");
		failures++;
	}
}

static void
table(void)
{
	expect("abc", "abc|");
	expect(".+:assumed-role/aws:.+", ":assumed-role/aws:|");
	expect("^arn:aws:iam::[0-9]{12}:root$", "arn:aws:iam::|:root|");
	expect("ab*c", "a|c|");
	expect("ab+c", "ab|c|");
	expect("ab?c", "a|c|");
	expect("ab{0,3}c", "a|c|");
	expect("ab{2}c", "ab|c|");
	expect("ab*?c", "a|c|");
	expect("ab+?c", "ab|c|");
	expect("a(bc)*d", "a|d|");
	expect("(x|y)abc", "abc|");
	expect("abc|def", NULL);
	expect("a[|]b", "a|b|");
	expect("a[]x]b", "a|b|");
	expect("a[^]x]b", "a|b|");
	expect("a[[:alpha:]]b", "a|b|");
	expect("a\\.b", "a.b|");
	expect("s3\\.amazonaws\\.com", "s3.amazonaws.com|");
	expect("a\\db", "a|");
	expect("a\\x41BC d", "a| d|");
	expect("a\\u00e9b", "a|");
	expect("x\\mword\\M", "x|");
	expect("(?i)abc", NULL);
	expect("(?x)a b", NULL);
	expect("(?:ab)cd", "cd|");
	expect("(?=ab)cd", "cd|");
	expect("***=a.b*", "a.b*|");
	expect("***:ab.c", "ab|c|");
	expect("***x", NULL);
	expect("a{", NULL);
	expect("a{x}", NULL);
	expect("a\\", NULL);
	expect("(ab", NULL);
	expect("ab)", NULL);
	expect("[ab", NULL);
	expect("", "");
	expect(".*", "");
	expect("^$", "");
	expect("caf\xc3\xa9s", "caf\xc3\xa9s|");
	expect("caf\xc3\xa9?s", "caf|s|");
	expect("\xe6\x97\xa5\xe6\x9c\xac*x", "x|");
	/* SIMILAR TO '%assumed-role%' as PostgreSQL translates it */
	expect("^(?:.*assumed-role.*)$", "assumed-role|");
	expect("^(?:a|b)$", NULL);
	expect("^(?:ab)(?:cd)$", "");
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t) (rng >> 11);
}

static const char *const atoms[] = {
	"a", "b", "c", "ab", "abc", ":", "/", "-", "x", ".", "\\.", "\\/", "[ab]", "[^a]",
	"(ab)", "(a|b)", "(a|bc)", "^", "$", "(?:ab)"
};
static const char *const quants[] = {"", "", "", "", "*", "+", "?", "{0,2}", "{1,2}", "{2}"};

/* A pattern of 1-6 atoms, sometimes with a top-level '|'. */
static void
gen_pattern(char *out, size_t cap)
{
	int			natoms = 1 + next_rand() % 6;

	out[0] = '\0';
	for (int i = 0; i < natoms; i++)
	{
		const char *a = atoms[next_rand() % (sizeof(atoms) / sizeof(atoms[0]))];
		const char *q = quants[next_rand() % (sizeof(quants) / sizeof(quants[0]))];

		if (a[0] == '^' || a[0] == '$')
			q = "";
		if (strlen(out) + strlen(a) + strlen(q) + 2 >= cap)
			break;
		strcat(out, a);
		strcat(out, q);
		if (i + 1 < natoms && next_rand() % 12 == 0)
			strcat(out, "|");
	}
}

/* A string of 0-12 characters drawn mostly from those the patterns use. */
static void
gen_string(char *out)
{
	static const char alphabet[] = "aabbcc:/-x.yz";
	int			len = next_rand() % 13;

	for (int i = 0; i < len; i++)
		out[i] = alphabet[next_rand() % (sizeof(alphabet) - 1)];
	out[len] = '\0';
}

static void
property(void)
{
	long		matched = 0;
	long		with_pieces = 0;

	for (int t = 0; t < 20000; t++)
	{
		char		pat[128];
		Got			g = {{0}, 0};
		regex_t		re;

		gen_pattern(pat, sizeof(pat));
		if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
			continue;
		if (!ct_regex_pieces(pat, strlen(pat), collect, &g))
		{
			regfree(&re);
			continue;
		}
		if (g.n > 0)
			with_pieces++;
		for (int s = 0; s < 60; s++)
		{
			char		str[16];
			char	   *piece = g.text;

			gen_string(str);
			if (regexec(&re, str, 0, NULL, 0) != 0)
				continue;
			matched++;
			checks++;
			while (*piece)
			{
				char	   *bar = strchr(piece, '|');

				*bar = '\0';
				if (strstr(str, piece) == NULL)
				{
					fprintf(stderr, "regex: /%s/ matches \"%s\", which lacks the piece \"%s\"\n",
							pat, str, piece);
					failures++;
				}
				*bar = '|';
				piece = bar + 1;
			}
		}
		regfree(&re);
	}
	printf("regex: %ld matching strings checked, %ld patterns with pieces\n", matched, with_pieces);
	if (matched < 10000 || with_pieces < 1000)
	{
		fprintf(stderr, "regex: the generator found too few cases\n");
		failures++;
	}
}

/* Any bytes at all: no read past the pattern (the ASan build checks), and a
 * piece is never longer than the pattern. */
static void
any_bytes(void)
{
	static const char alphabet[] = "ab()[]{}|\\^$.*+?:,-0123456789xu=\xc3\xa9";

	for (int t = 0; t < 100000; t++)
	{
		char		pat[48];
		int			len = next_rand() % sizeof(pat);
		Got			g = {{0}, 0};

		for (int i = 0; i < len; i++)
			pat[i] = alphabet[next_rand() % (sizeof(alphabet) - 1)];
		if (ct_regex_pieces(pat, len, collect, &g) && strlen(g.text) > (size_t) len + g.n)
		{
			fprintf(stderr, "regex: %.*s gave pieces longer than itself\n", len, pat);
			failures++;
		}
		checks++;
	}
}

int
main(void)
{
	table();
	property();
	any_bytes();
	printf("regex: %ld checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
