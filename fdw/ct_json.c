/*-------------------------------------------------------------------------
 *
 * ct_json.c
 *		Strict JSON validation (RFC 8259, UTF-8 checked), the top-level index
 *		of a record, and look-ups in text that has been validated.
 *
 * The validator is iterative with an explicit stack, so deep nesting costs
 * no C stack; it agrees with jansson on what is valid (the unit tests check
 * it against jansson), except that numbers are never converted here: their
 * text is kept, so no digit is lost.
 *
 *-------------------------------------------------------------------------
 */
#include "ct_port.h"

#include <stdlib.h>
#include <string.h>

#include "ct_json.h"

#define IS_WS(c)	((c) == ' ' || (c) == '\n' || (c) == '\r' || (c) == '\t')

typedef struct Scanner
{
	const unsigned char *start;
	const unsigned char *p;
	const unsigned char *end;
	CtError    *err;
} Scanner;

static bool
fail(Scanner *sc, const char *what)
{
	ct_error_set(sc->err, CT_ERR_JSON, (uint64_t) (sc->p - sc->start),
				 "%s", what);
	return false;
}

/* The value of a hex digit (either case), or -1. */
int
ct_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads 4 hex digits at p; returns the code unit or -1. */
static long
read_hex4(const unsigned char *p, const unsigned char *end)
{
	long		v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++)
	{
		int			h = ct_hex_value(p[i]);

		if (h < 0)
			return -1;
		v = (v << 4) | h;
	}
	return v;
}

/* Validates one UTF-8 sequence at sc->p (a byte >= 0x80) and steps over it. */
static bool
scan_utf8(Scanner *sc)
{
	const unsigned char *p = sc->p;
	unsigned char c = *p;
	int			n;
	unsigned long cp;
	unsigned long min;

	if (c >= 0xC2 && c <= 0xDF)
	{
		n = 1;
		cp = c & 0x1F;
		min = 0x80;
	}
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 2;
		cp = c & 0x0F;
		min = 0x800;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 3;
		cp = c & 0x07;
		min = 0x10000;
	}
	else
		return fail(sc, "invalid UTF-8 byte in string");
	if (sc->end - p <= n)
		return fail(sc, "truncated UTF-8 sequence in string");
	for (int i = 1; i <= n; i++)
	{
		if ((p[i] & 0xC0) != 0x80)
			return fail(sc, "invalid UTF-8 sequence in string");
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return fail(sc, "invalid UTF-8 sequence in string");
	sc->p = p + n + 1;
	return true;
}

/* Validates a string at sc->p (a '"'); sets *escaped if it has escapes. */
static bool
scan_string(Scanner *sc, bool *escaped)
{
	const unsigned char *end = sc->end;

	*escaped = false;
	sc->p++;
	for (;;)
	{
		const unsigned char *p = ct_find_string_special(sc->p, end, true);

		sc->p = p;
		if (p >= end)
			return fail(sc, "unterminated string");
		if (*p == '"')
		{
			sc->p = p + 1;
			return true;
		}
		if (*p == '\\')
		{
			*escaped = true;
			if (p + 1 >= end)
				return fail(sc, "unterminated string");
			switch (p[1])
			{
				case '"':
				case '\\':
				case '/':
				case 'b':
				case 'f':
				case 'n':
				case 'r':
				case 't':
					sc->p = p + 2;
					break;
				case 'u':
					{
						long		u = read_hex4(p + 2, end);

						if (u < 0)
							return fail(sc, "invalid \\u escape");
						if (u >= 0xDC00 && u <= 0xDFFF)
							return fail(sc, "lone Unicode low surrogate in \\u escape");
						if (u >= 0xD800 && u <= 0xDBFF)
						{
							long		lo;

							if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
								(lo = read_hex4(p + 8, end)) < 0xDC00 || lo > 0xDFFF)
								return fail(sc, "Unicode high surrogate not followed by a low surrogate");
							sc->p = p + 12;
						}
						else
							sc->p = p + 6;
						break;
					}
				default:
					return fail(sc, "invalid escape in string");
			}
			continue;
		}
		if (*p < 0x20)
			return fail(sc, "control character in string");
		if (!scan_utf8(sc))
			return false;
	}
}

/*
 * Most strings of a record are short and plain: when the first byte of the
 * 16 after the opening quote that a string scanner must look at is the
 * closing quote, the string is valid and ends there, without a call.
 */
static inline bool
scan_string_fast(Scanner *sc, bool *escaped)
{
	const unsigned char *p = sc->p + 1;

	if (sc->end - p >= 16)
	{
		const unsigned char *q = ct_find_string_special(p, p + 16, true);

		if (q < p + 16 && *q == '"')
		{
			*escaped = false;
			sc->p = q + 1;
			return true;
		}
	}
	return scan_string(sc, escaped);
}

static bool
scan_number(Scanner *sc)
{
	const unsigned char *p = sc->p;
	const unsigned char *end = sc->end;

	if (p < end && *p == '-')
		p++;
	if (p >= end)
		goto bad;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		goto bad;
	if (p < end && *p == '.')
	{
		p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	sc->p = p;
	return true;
bad:
	sc->p = p;
	return fail(sc, "invalid number");
}

static bool
scan_literal(Scanner *sc, const char *lit, size_t len)
{
	if ((size_t) (sc->end - sc->p) < len || memcmp(sc->p, lit, len) != 0)
		return fail(sc, "invalid literal");
	sc->p += len;
	return true;
}

static inline void
skip_ws(Scanner *sc)
{
	while (sc->p < sc->end && IS_WS(*sc->p))
		sc->p++;
}

static inline void
record_add(CtRecord *rec, const CtValue *key, const CtValue *val)
{
	if (rec->nmembers == rec->cap)
	{
		int			newcap = rec->cap ? rec->cap * 2 : 32;

		if (rec->members)
			rec->members = ct_realloc(rec->members, newcap * sizeof(CtMember));
		else
			rec->members = ct_alloc(newcap * sizeof(CtMember));
		rec->cap = newcap;
	}
	rec->members[rec->nmembers].key = *key;
	rec->members[rec->nmembers].val = *val;
	rec->nmembers++;
}

/*
 * Validates exactly one JSON value (with surrounding whitespace) in [p, end).
 * When rec is given, the value must be an object and its top-level members
 * are added to rec.  When used is given, the value may be followed by
 * anything: *used is set to the length up to its end.
 */
static bool
scan_document(Scanner *sc, CtRecord *rec, size_t *used)
{
	char		stack[CT_MAX_DEPTH + 1];
	int			depth = 0;
	CtValue		key = {0};
	CtValue		val = {0};

	skip_ws(sc);
	if (rec && (sc->p >= sc->end || *sc->p != '{'))
		return fail(sc, "record is not a JSON object");

	for (;;)
	{
		const unsigned char *vstart;
		bool		escaped = false;
		char		type;

		/* a value is expected */
		skip_ws(sc);
		if (sc->p >= sc->end)
			return fail(sc, "unexpected end of data");
		vstart = sc->p;
		switch (*sc->p)
		{
			case '{':
			case '[':
				if (depth == CT_MAX_DEPTH)
				{
					ct_error_set(sc->err, CT_ERR_LIMIT, (uint64_t) (sc->p - sc->start),
								 "JSON nesting depth exceeds %d", CT_MAX_DEPTH);
					return false;
				}
				type = (*sc->p == '{') ? CT_JSON_OBJECT : CT_JSON_ARRAY;
				stack[depth++] = type;
				sc->p++;
				skip_ws(sc);
				if (sc->p < sc->end && *sc->p == (type == CT_JSON_OBJECT ? '}' : ']'))
				{
					sc->p++;
					depth--;
					break;		/* empty container: a complete value */
				}
				if (type == CT_JSON_ARRAY)
					continue;
				goto object_key;
			case '"':
				type = CT_JSON_STRING;
				if (!scan_string_fast(sc, &escaped))
					return false;
				break;
			case 't':
				type = CT_JSON_TRUE;
				if (!scan_literal(sc, "true", 4))
					return false;
				break;
			case 'f':
				type = CT_JSON_FALSE;
				if (!scan_literal(sc, "false", 5))
					return false;
				break;
			case 'n':
				type = CT_JSON_NULL;
				if (!scan_literal(sc, "null", 4))
					return false;
				break;
			default:
				type = CT_JSON_NUMBER;
				if (!scan_number(sc))
					return false;
				break;
		}

		/*
		 * A value ended (scalar, or empty container).  Remember where a
		 * top-level member's value started.
		 */
		if (rec && depth == 1)
		{
			val.p = (const char *) vstart;
			val.len = sc->p - vstart;
			val.type = type;
			val.escaped = escaped;
			record_add(rec, &key, &val);
		}

		/* close containers and move to the next value */
		for (;;)
		{
			if (depth == 0)
			{
				if (used)
				{
					*used = sc->p - sc->start;
					return true;
				}
				skip_ws(sc);
				if (sc->p != sc->end)
					return fail(sc, "unexpected data after the JSON value");
				return true;
			}
			skip_ws(sc);
			if (sc->p >= sc->end)
				return fail(sc, "unexpected end of data");
			if (*sc->p == ',')
			{
				sc->p++;
				if (stack[depth - 1] == CT_JSON_OBJECT)
					goto object_key;
				break;
			}
			if (*sc->p != (stack[depth - 1] == CT_JSON_OBJECT ? '}' : ']'))
				return fail(sc, stack[depth - 1] == CT_JSON_OBJECT ?
							"expected ',' or '}'" : "expected ',' or ']'");
			sc->p++;
			depth--;
			if (rec && depth == 1)
			{
				/* a container member of the record just closed */
				val.len = (const char *) sc->p - val.p;
				val.escaped = false;
				record_add(rec, &key, &val);
			}
		}
		continue;

object_key:
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != '"')
			return fail(sc, "expected a string key");
		{
			const unsigned char *kstart = sc->p;

			if (!scan_string_fast(sc, &escaped))
				return false;
			if (rec && depth == 1)
			{
				key.p = (const char *) kstart;
				key.len = sc->p - kstart;
				key.type = CT_JSON_STRING;
				key.escaped = escaped;
			}
		}
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return fail(sc, "expected ':' after a key");
		sc->p++;
		if (rec && depth == 1)
		{
			/* the value's start is set when it begins, below */
			skip_ws(sc);
			if (sc->p < sc->end && (*sc->p == '{' || *sc->p == '['))
			{
				val.p = (const char *) sc->p;
				val.type = (*sc->p == '{') ? CT_JSON_OBJECT : CT_JSON_ARRAY;
			}
		}
	}
}

bool
ct_json_validate(const char *p, size_t len, CtError *err)
{
	Scanner		sc;

	sc.start = sc.p = (const unsigned char *) p;
	sc.end = sc.start + len;
	sc.err = err;
	return scan_document(&sc, NULL, NULL);
}

static bool
index_record(const char *p, size_t len, CtRecord *rec, size_t *used, CtError *err)
{
	Scanner		sc;

	rec->nmembers = 0;
	sc.start = sc.p = (const unsigned char *) p;
	sc.end = sc.start + len;
	sc.err = err;
	return scan_document(&sc, rec, used);
}

bool
ct_json_index_record(const char *p, size_t len, CtRecord *rec, CtError *err)
{
	return index_record(p, len, rec, NULL, err);
}

/*
 * As ct_json_index_record, for the record that starts at p and ends anywhere
 * before p + avail: *len is set to its length.  This is the splitter and the
 * validator in one pass, for text that is all in memory.
 */
bool
ct_json_index_prefix(const char *p, size_t avail, CtRecord *rec, size_t *len,
					 CtError *err)
{
	return index_record(p, avail, rec, len, err);
}

void
ct_json_record_free(CtRecord *rec)
{
	if (rec->members)
		ct_free(rec->members);
	rec->members = NULL;
	rec->nmembers = rec->cap = 0;
}

/* --- look-ups in validated text ------------------------------------------ */

const char *
ct_json_skip_ws(const char *p, const char *end)
{
	while (p < end && IS_WS(*p))
		p++;
	return p;
}

/*
 * Steps over the rest of a validated string; p is just past its opening '"'.
 * Sets *escaped when it holds a backslash escape.
 */
static inline const char *
skip_string_body(const char *p, const char *end, bool *escaped)
{
	for (;;)
	{
		p = (const char *) ct_find_string_special((const unsigned char *) p,
												  (const unsigned char *) end, false);
		if (p >= end)
			return end;
		if (*p == '"')
			return p + 1;
		*escaped = true;
		p += 2;					/* a backslash and the character it escapes */
	}
}

/* Steps over one value of validated JSON starting at p. */
const char *
ct_json_skip(const char *p, const char *end)
{
	int			depth = 0;
	bool		escaped;

	if (*p == '"')
		return skip_string_body(p + 1, end, &escaped);
	if (*p != '{' && *p != '[')
	{
		while (p < end && *p != ',' && *p != '}' && *p != ']' && !IS_WS(*p))
			p++;
		return p;
	}
	for (; p < end; p++)
	{
		char		c = *p;

		if (c == '"')
			p = skip_string_body(p + 1, end, &escaped) - 1;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return p + 1;
	}
	return end;
}

/* Describes the value of validated JSON that starts at p. */
CtValue
ct_json_value_at(const char *p, const char *end)
{
	CtValue		v;

	v.p = p;
	v.escaped = false;
	switch (*p)
	{
		case '"':
			/* one pass finds the end and any escape */
			v.type = CT_JSON_STRING;
			v.len = skip_string_body(p + 1, end, &v.escaped) - p;
			return v;
		case '{':
			v.type = CT_JSON_OBJECT;
			break;
		case '[':
			v.type = CT_JSON_ARRAY;
			break;
		case 't':
			v.type = CT_JSON_TRUE;
			break;
		case 'f':
			v.type = CT_JSON_FALSE;
			break;
		case 'n':
			v.type = CT_JSON_NULL;
			break;
		default:
			v.type = CT_JSON_NUMBER;
			break;
	}
	v.len = ct_json_skip(p, end) - p;
	return v;
}

/* Does the JSON string str decode to s?  ci compares ASCII letters case-insensitively. */
bool
ct_json_string_equals(const CtValue *str, const char *s, size_t slen, bool ci)
{
	const char *body = str->p + 1;
	size_t		blen = str->len - 2;

	if (!str->escaped)
	{
		if (blen != slen)
			return false;
		if (!ci)
			return memcmp(body, s, slen) == 0;
		for (size_t i = 0; i < slen; i++)
			if (ct_ascii_lower(body[i]) != ct_ascii_lower(s[i]))
				return false;
		return true;
	}
	else
	{
		char		stackbuf[256];
		char	   *buf = blen <= sizeof(stackbuf) ? stackbuf : ct_alloc(blen);
		bool		has_nul;
		size_t		n = ct_json_string_decode(str, buf, &has_nul);
		bool		eq = (n == slen);

		for (size_t i = 0; eq && i < slen; i++)
			eq = ci ? ct_ascii_lower(buf[i]) == ct_ascii_lower(s[i]) : buf[i] == s[i];
		if (buf != stackbuf)
			ct_free(buf);
		return eq;
	}
}

/* Last top-level member named key wins, as in jsonb. */
bool
ct_json_record_get(const CtRecord *rec, const char *key, size_t keylen,
				   bool ci, CtValue *out)
{
	for (int i = rec->nmembers - 1; i >= 0; i--)
	{
		const CtValue *k = &rec->members[i].key;

		/* most keys differ in length: settle those without a call */
		if (!k->escaped && k->len - 2 != keylen)
			continue;
		if (ct_json_string_equals(k, key, keylen, ci))
		{
			*out = rec->members[i].val;
			return true;
		}
	}
	return false;
}

bool
ct_json_object_get(const CtValue *obj, const char *key, size_t keylen,
				   CtValue *out)
{
	const char *end = obj->p + obj->len;
	const char *p = obj->p + 1;
	bool		found = false;

	if (obj->type != CT_JSON_OBJECT)
		return false;
	for (;;)
	{
		CtValue		k;

		p = ct_json_skip_ws(p, end);
		if (p >= end || *p == '}')
			break;
		k = ct_json_value_at(p, end);
		p = ct_json_skip_ws(p + k.len, end);
		p = ct_json_skip_ws(p + 1, end);	/* the ':' */
		{
			CtValue		v = ct_json_value_at(p, end);

			if (ct_json_string_equals(&k, key, keylen, false))
			{
				*out = v;
				found = true;	/* keep going: the last duplicate wins */
			}
			p = ct_json_skip_ws(p + v.len, end);
		}
		if (p < end && *p == ',')
			p++;
	}
	return found;
}

bool
ct_json_array_get(const CtValue *arr, long index, CtValue *out)
{
	const char *end = arr->p + arr->len;
	const char *p = arr->p + 1;

	if (arr->type != CT_JSON_ARRAY || index < 0)
		return false;
	for (long i = 0;; i++)
	{
		CtValue		v;

		p = ct_json_skip_ws(p, end);
		if (p >= end || *p == ']')
			return false;
		v = ct_json_value_at(p, end);
		if (i == index)
		{
			*out = v;
			return true;
		}
		p = ct_json_skip_ws(p + v.len, end);
		if (p < end && *p == ',')
			p++;
	}
}

/*
 * Follows a key path from the top of a record: object keys, or array
 * indexes written as digits.  Only the first key may match in any case.
 */
bool
ct_json_path_get(const CtRecord *rec, char *const *path, int npath,
				 bool first_ci, CtValue *out)
{
	CtValue		v;

	if (npath < 1 || !ct_json_record_get(rec, path[0], strlen(path[0]), first_ci, &v))
		return false;
	for (int k = 1; k < npath; k++)
	{
		const char *seg = path[k];
		bool		found = false;

		if (v.type == CT_JSON_OBJECT)
			found = ct_json_object_get(&v, seg, strlen(seg), &v);
		else if (v.type == CT_JSON_ARRAY && seg[0] >= '0' && seg[0] <= '9' &&
				 strspn(seg, "0123456789") == strlen(seg) && strlen(seg) < 10)
			found = ct_json_array_get(&v, atol(seg), &v);
		if (!found)
			return false;
	}
	*out = v;
	return true;
}

static size_t
put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Decodes a validated JSON string (with its quotes) into out, which must
 * have room for str->len bytes: decoding never grows a string.  *has_nul
 * tells whether a \u0000 was decoded, which text and jsonb cannot hold.
 */
size_t
ct_json_string_decode(const CtValue *str, char *out, bool *has_nul)
{
	const char *p = str->p + 1;
	const char *end = str->p + str->len - 1;
	char	   *o = out;

	*has_nul = false;
	if (!str->escaped)
	{
		memcpy(out, p, end - p);
		return end - p;
	}
	while (p < end)
	{
		const char *bs = memchr(p, '\\', end - p);

		if (bs == NULL)
		{
			memcpy(o, p, end - p);
			o += end - p;
			break;
		}
		memcpy(o, p, bs - p);
		o += bs - p;
		p = bs + 1;
		switch (*p++)
		{
			case '"':
				*o++ = '"';
				break;
			case '\\':
				*o++ = '\\';
				break;
			case '/':
				*o++ = '/';
				break;
			case 'b':
				*o++ = '\b';
				break;
			case 'f':
				*o++ = '\f';
				break;
			case 'n':
				*o++ = '\n';
				break;
			case 'r':
				*o++ = '\r';
				break;
			case 't':
				*o++ = '\t';
				break;
			case 'u':
				{
					unsigned long cp = (unsigned long)
						read_hex4((const unsigned char *) p, (const unsigned char *) end);

					p += 4;
					if (cp >= 0xD800 && cp <= 0xDBFF)
					{
						unsigned long lo = (unsigned long)
							read_hex4((const unsigned char *) p + 2, (const unsigned char *) end);

						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						p += 6;
					}
					if (cp == 0)
						*has_nul = true;
					o += put_utf8(o, cp);
					break;
				}
		}
	}
	return o - out;
}

/*
 * Steps through the elements of a validated array, or the members of a
 * validated object (then *key is set too, if key is not NULL).  *pos is NULL
 * before the first call.  false when there are no more.
 */
bool
ct_json_next(const CtValue *container, const char **pos, CtValue *key, CtValue *val)
{
	const char *end = container->p + container->len - 1;	/* the closing bracket */
	const char *p = *pos ? *pos : container->p + 1;

	if (container->type != CT_JSON_ARRAY && container->type != CT_JSON_OBJECT)
		return false;
	p = ct_json_skip_ws(p, end);
	if (p < end && *p == ',')
		p = ct_json_skip_ws(p + 1, end);
	if (p >= end)
		return false;
	if (container->type == CT_JSON_OBJECT)
	{
		CtValue		k = ct_json_value_at(p, end);

		if (key)
			*key = k;
		p = ct_json_skip_ws(p + k.len, end);
		p = ct_json_skip_ws(p + 1, end);	/* the ':' */
	}
	*val = ct_json_value_at(p, end);
	*pos = val->p + val->len;
	return true;
}

/*
 * A string value decoded into a new NUL-terminated string; NULL if it is not
 * a string, or holds \u0000 (which no C string can).
 */
char *
ct_json_cstring(const CtValue *v)
{
	char	   *out;
	bool		has_nul;
	size_t		n;

	if (v->type != CT_JSON_STRING)
		return NULL;
	out = ct_alloc(v->len + 1);
	n = ct_json_string_decode(v, out, &has_nul);
	if (has_nul)
	{
		ct_free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}
