/*-------------------------------------------------------------------------
 *
 * ct_regex.c
 *		The literal pieces every match of a PostgreSQL regular expression
 *		(an ARE, as ~, ~*, regexp_like and SIMILAR TO use) holds.
 *
 * A value matches R when a substring of it does.  When R is a concatenation
 * at its top level (no '|' outside parentheses), each run of plain
 * characters between its other atoms, less a last character that a
 * quantifier makes optional, stands in every match: so the value holds it,
 * and so do the record's raw bytes (those of its parts that
 * ct_raw_piece_parts() allows).  Those
 * runs are the pieces.
 *
 * The answer only decides which records a raw check may skip, so a piece
 * must never be claimed that a match could lack; finding fewer costs only
 * speed.  So whatever is not plainly a literal ends a run (groups, bracket
 * expressions, '.', anchors, escapes with a letter or digit, with every
 * letter and digit after them, since \x41BC is one character), and whatever
 * could change how the rest reads gives no pieces at all: a top-level '|',
 * embedded options such as (?i) or (?x), a director other than ***: and ***=,
 * an unbalanced bracket or parenthesis, a '{' that is not a bound.  Non-ASCII
 * bytes (in any server encoding, each byte of a multibyte character is
 * non-ASCII) are kept together, so a quantifier after one drops them all.
 *
 * Backend-free: unit-tested against POSIX regexec() on generated patterns.
 *
 *-------------------------------------------------------------------------
 */
#include "ct_port.h"

#include <string.h>

#include "ct_regex.h"

typedef struct Pieces
{
	char	   *buf;			/* the pieces' bytes, one after another */
	size_t		n;				/* bytes in buf */
	size_t	   *start;			/* each piece's offset and length in buf */
	size_t	   *len;
	int			npieces;
	size_t		run;			/* where the current run begins in buf */
	size_t		last;			/* where its last character begins ... */
	bool		has_last;		/* ... if it has one */
} Pieces;

static inline bool
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Ends the current run; a non-empty one is a piece. */
static void
end_run(Pieces *pc)
{
	if (pc->n > pc->run)
	{
		pc->start[pc->npieces] = pc->run;
		pc->len[pc->npieces] = pc->n - pc->run;
		pc->npieces++;
	}
	pc->run = pc->n;
	pc->has_last = false;
}

static void
add_char(Pieces *pc, const char *c, size_t n)
{
	pc->last = pc->n;
	pc->has_last = true;
	memcpy(pc->buf + pc->n, c, n);
	pc->n += n;
}

/* A quantifier that allows zero: the run's last character is optional. */
static void
drop_last(Pieces *pc)
{
	if (pc->has_last)
		pc->n = pc->last;
	end_run(pc);
}

/*
 * Steps over a bracket expression whose '[' is just before p; returns the
 * byte after its ']', or NULL if it does not end.
 */
static const char *
skip_bracket(const char *p, const char *end)
{
	if (p < end && *p == '^')
		p++;
	if (p < end && *p == ']')
		p++;					/* a leading ']' is a member */
	while (p < end)
	{
		if (*p == ']')
			return p + 1;
		if (*p == '[' && p + 1 < end && (p[1] == ':' || p[1] == '.' || p[1] == '='))
		{
			char		kind = p[1];

			/* [:class:], [.element.], [=class=] end at the same mark and ] */
			for (p += 2; p + 1 < end && !(p[0] == kind && p[1] == ']'); p++)
				;
			if (p + 1 >= end)
				return NULL;
			p += 2;
			continue;
		}
		if (*p == '\\')
		{
			if (p + 1 >= end)
				return NULL;
			p += 2;
			continue;
		}
		p++;
	}
	return NULL;
}

/*
 * Steps over a group whose '(' is at p; returns the byte after its ')', or
 * NULL if it does not close.
 */
static const char *
skip_group(const char *p, const char *end)
{
	int			depth = 0;

	while (p < end)
	{
		switch (*p)
		{
			case '(':
				depth++;
				p++;
				break;
			case ')':
				p++;
				if (--depth == 0)
					return p;
				break;
			case '[':
				p = skip_bracket(p + 1, end);
				if (p == NULL)
					return NULL;
				break;
			case '\\':
				if (p + 1 >= end)
					return NULL;
				p += 2;
				break;
			default:
				p++;
		}
	}
	return NULL;
}

/* Reads a bound {m}, {m,}, {m,n} whose '{' is at *pp; false if it is none. */
static bool
read_bound(const char **pp, const char *end, bool *may_be_zero)
{
	const char *p = *pp + 1;
	long		m = 0;
	bool		digits = false;

	while (p < end && *p >= '0' && *p <= '9' && m < 1000)
	{
		m = m * 10 + (*p++ - '0');
		digits = true;
	}
	if (!digits)
		return false;
	if (p < end && *p == ',')
	{
		p++;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p >= end || *p != '}')
		return false;
	*pp = p + 1;
	*may_be_zero = (m == 0);
	return true;
}

/* The pieces of the ARE [p, end) into pc; false if it gives none for sure. */
static bool
scan_are(Pieces *pc, const char *p, const char *end)
{
	/* (?letters) at the start sets options that change what follows */
	if (end - p >= 3 && p[0] == '(' && p[1] == '?' && is_alnum((unsigned char) p[2]))
		return false;

	while (p < end)
	{
		unsigned char c = (unsigned char) *p;
		bool		zero;

		switch (c)
		{
			case '|':
				return false;	/* an alternative need not hold any piece */
			case ')':
				return false;
			case '(':
				p = skip_group(p, end);
				if (p == NULL)
					return false;
				end_run(pc);
				break;
			case '[':
				p = skip_bracket(p + 1, end);
				if (p == NULL)
					return false;
				end_run(pc);
				break;
			case '.':
			case '^':
			case '$':
				end_run(pc);
				p++;
				break;
			case '*':
			case '?':
				drop_last(pc);
				p++;
				break;
			case '+':
				end_run(pc);	/* the character stays: at least once */
				p++;
				break;
			case '{':
				if (!read_bound(&p, end, &zero))
					return false;
				if (zero)
					drop_last(pc);
				else
					end_run(pc);
				break;
			case '\\':
				if (p + 1 >= end)
					return false;
				c = (unsigned char) p[1];
				if (c < 0x80 && !is_alnum(c))
				{
					add_char(pc, p + 1, 1); /* \. \/ \( ... are the character */
					p += 2;
					break;
				}
				/* a class, a constraint, a character entry, a back reference */
				end_run(pc);
				for (p += 2; p < end && (is_alnum((unsigned char) *p) ||
										 (unsigned char) *p >= 0x80); p++)
					;
				break;
			default:
				if (c >= 0x80)
				{
					const char *q = p;

					while (q < end && (unsigned char) *q >= 0x80)
						q++;
					add_char(pc, p, q - p);
					p = q;
				}
				else
				{
					add_char(pc, p, 1);
					p++;
				}
		}
	}
	end_run(pc);
	return true;
}

/*
 * Calls emit with each piece that every match of the pattern holds, and
 * returns true; false (and no call) if it cannot tell.  true with no call
 * means the pattern has no piece.
 */
bool
ct_regex_pieces(const char *pat, size_t len, CtPieceFn emit, void *arg)
{
	const char *p = pat;
	const char *end = pat + len;
	Pieces		pc;
	bool		ok;

	/* directors: ***= the rest is a literal, ***: the rest is an ARE */
	if (len >= 3 && memcmp(p, "***", 3) == 0)
	{
		if (len >= 4 && p[3] == '=')
		{
			if (len > 4)
				emit(arg, p + 4, len - 4);
			return true;
		}
		if (len < 4 || p[3] != ':')
			return false;
		p += 4;
	}

	/* SIMILAR TO's translation, ^(?:X)$: the pieces of X */
	if (end - p >= 6 && memcmp(p, "^(?:", 4) == 0 && end[-1] == '$' &&
		skip_group(p + 1, end) == end - 1)
	{
		p += 4;
		end -= 2;
	}

	memset(&pc, 0, sizeof(pc));
	pc.buf = ct_alloc(len + 1);
	pc.start = ct_alloc(sizeof(size_t) * (len + 1));
	pc.len = ct_alloc(sizeof(size_t) * (len + 1));
	ok = scan_are(&pc, p, end);
	if (ok)
		for (int i = 0; i < pc.npieces; i++)
			emit(arg, pc.buf + pc.start[i], pc.len[i]);
	ct_free(pc.buf);
	ct_free(pc.start);
	ct_free(pc.len);
	return ok;
}
