/*-------------------------------------------------------------------------
 *
 * test_stream_json.c
 *		Unit tests of fdw/ct_stream.c and fdw/ct_json.c, built stand-alone
 *		with -DCT_FRONTEND and checked against jansson and zlib.
 *
 *	  test_stream_json [REALDATA_DIR]
 *
 * Exits non-zero on any failure.  See ct_testlib.h for the differential
 * checks and the documented differences between ct_json and jansson.
 *
 *-------------------------------------------------------------------------
 */
#include <malloc.h>
#include <time.h>

#include "ct_testlib.h"

static long checks = 0;
static long failures = 0;

#define CHECK(cond, ...) \
	do { \
		checks++; \
		if (!(cond)) \
		{ \
			failures++; \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			if (failures >= 40) \
			{ \
				fprintf(stderr, "unit: too many failures, stopping\n"); \
				exit(1); \
			} \
		} \
	} while (0)

/* A differential check: res is NULL or the mismatch. */
#define CHECK_DIFF(res, input, inlen) \
	do { \
		const char *res_ = (res); \
		CHECK(res_ == NULL, "%s\n    input (%zu bytes): %s", res_ ? res_ : "", \
			  (size_t) (inlen), show((input), (inlen))); \
	} while (0)

/* Printable excerpt of an input for failure messages. */
static const char *
show(const char *p, size_t n)
{
	static char buf[400];
	size_t		o = 0;

	for (size_t i = 0; i < n && o < sizeof(buf) - 8; i++)
	{
		unsigned char c = (unsigned char) p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char) c;
		else
			o += snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
	}
	if (o >= sizeof(buf) - 8)
		o += snprintf(buf + o, sizeof(buf) - o, "...");
	buf[o] = '\0';
	return buf;
}

/* ------------------------------------------------------------------------
 * Heap accounting for the memory-bound test.  The Makefile links with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free and -DCTT_HEAP_WRAP, so the
 * malloc calls made by ct_stream.o (ct_alloc under CT_FRONTEND, including
 * zlib's state through ct_zalloc) come through here.
 * ------------------------------------------------------------------------ */
#ifdef CTT_HEAP_WRAP
void	   *__real_malloc(size_t n);
void	   *__real_calloc(size_t n, size_t m);
void	   *__real_realloc(void *p, size_t n);
void		__real_free(void *p);
void	   *__wrap_malloc(size_t n);
void	   *__wrap_calloc(size_t n, size_t m);
void	   *__wrap_realloc(void *p, size_t n);
void		__wrap_free(void *p);

static bool heap_tracking = false;
static size_t heap_cur = 0;
static size_t heap_peak = 0;

void *
__wrap_malloc(size_t n)
{
	void	   *p = __real_malloc(n);

	if (p && heap_tracking)
	{
		heap_cur += malloc_usable_size(p);
		if (heap_cur > heap_peak)
			heap_peak = heap_cur;
	}
	return p;
}

/* gcc turns malloc + memset(0) into calloc */
void *
__wrap_calloc(size_t n, size_t m)
{
	void	   *p = __real_calloc(n, m);

	if (p && heap_tracking)
	{
		heap_cur += malloc_usable_size(p);
		if (heap_cur > heap_peak)
			heap_peak = heap_cur;
	}
	return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
	size_t		old = (p && heap_tracking) ? malloc_usable_size(p) : 0;
	void	   *q = __real_realloc(p, n);

	if (q && heap_tracking)
	{
		heap_cur = heap_cur - old + malloc_usable_size(q);
		if (heap_cur > heap_peak)
			heap_peak = heap_cur;
	}
	return q;
}

void
__wrap_free(void *p)
{
	if (p && heap_tracking)
		heap_cur -= malloc_usable_size(p);
	__real_free(p);
}

static void
heap_track_start(void)
{
	heap_cur = heap_peak = 0;
	heap_tracking = true;
}

/* Stops tracking; returns the peak of the bytes allocated meanwhile. */
static size_t
heap_track_stop(size_t *leaked)
{
	heap_tracking = false;
	*leaked = heap_cur;
	return heap_peak;
}
#endif

/* ------------------------------------------------------------------------
 * Generator of JSON records (deterministic)
 * ------------------------------------------------------------------------ */

typedef struct Gen
{
	CttRng		rng;
	int			style;			/* 0 compact, 1 pretty, 2 random whitespace */
	int			maxdepth;
} Gen;

static const char *const ct_keys[] = {
	"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName",
	"awsRegion", "sourceIPAddress", "userAgent", "requestParameters",
	"responseElements", "requestID", "eventID", "readOnly", "resources",
	"eventType", "managementEvent", "recipientAccountId", "sharedEventID",
	"eventCategory", "tlsDetails", "additionalEventData", "errorCode",
	"errorMessage", "ARN", "arn", "type", "Type", "accountId", "Records", ""
};
#define N_CT_KEYS (sizeof(ct_keys) / sizeof(ct_keys[0]))

static uint32_t
rnd(Gen *g, uint32_t n)
{
	return ctt_below(&g->rng, n);
}

static void
gen_ws(Gen *g, CttBuf *b)
{
	static const char ws[] = " \t\n\r";

	if (g->style == 2)
		for (uint32_t n = rnd(g, 4) == 0 ? rnd(g, 4) : 0; n > 0; n--)
			ctt_buf_addc(b, ws[rnd(g, 4)]);
}

static void
gen_newline(Gen *g, CttBuf *b, int depth)
{
	if (g->style == 1)
	{
		ctt_buf_addc(b, '\n');
		for (int i = 0; i < depth; i++)
			ctt_buf_adds(b, "    ");
	}
	else
		gen_ws(g, b);
}

static void
put_utf8(CttBuf *b, uint32_t cp)
{
	if (cp < 0x80)
		ctt_buf_addc(b, (char) cp);
	else if (cp < 0x800)
	{
		ctt_buf_addc(b, (char) (0xC0 | (cp >> 6)));
		ctt_buf_addc(b, (char) (0x80 | (cp & 0x3F)));
	}
	else if (cp < 0x10000)
	{
		ctt_buf_addc(b, (char) (0xE0 | (cp >> 12)));
		ctt_buf_addc(b, (char) (0x80 | ((cp >> 6) & 0x3F)));
		ctt_buf_addc(b, (char) (0x80 | (cp & 0x3F)));
	}
	else
	{
		ctt_buf_addc(b, (char) (0xF0 | (cp >> 18)));
		ctt_buf_addc(b, (char) (0x80 | ((cp >> 12) & 0x3F)));
		ctt_buf_addc(b, (char) (0x80 | ((cp >> 6) & 0x3F)));
		ctt_buf_addc(b, (char) (0x80 | (cp & 0x3F)));
	}
}

static void
put_u_escape(Gen *g, CttBuf *b, uint32_t u)
{
	ctt_buf_addf(b, rnd(g, 2) ? "\\u%04x" : "\\u%04X", (unsigned) u);
}

static void
gen_string_char(Gen *g, CttBuf *b)
{
	uint32_t	r = rnd(g, 100);

	if (r < 40)
	{
		char		c;

		do
			c = (char) (0x20 + rnd(g, 0x5f));
		while (c == '"' || c == '\\');
		ctt_buf_addc(b, c);
	}
	else if (r < 48)
	{
		static const char esc[] = "\"\\/bfnrt";

		ctt_buf_addc(b, '\\');
		ctt_buf_addc(b, esc[rnd(g, 8)]);
	}
	else if (r < 56)
	{
		uint32_t	u;

		switch (rnd(g, 4))
		{
			case 0:
				u = rnd(g, 0x20);	/* controls, \u0000 too */
				break;
			case 1:
				u = rnd(g, 0x80);
				break;
			default:
				do
					u = rnd(g, 0x10000);
				while (u >= 0xD800 && u <= 0xDFFF);
		}
		put_u_escape(g, b, u);
	}
	else if (r < 62)
	{
		uint32_t	cp = 0x10000 + rnd(g, 0x100000);

		if (rnd(g, 8) == 0)
			cp = rnd(g, 2) ? 0x10000 : 0x10FFFF;
		cp -= 0x10000;
		put_u_escape(g, b, 0xD800 + (cp >> 10));
		put_u_escape(g, b, 0xDC00 + (cp & 0x3FF));
	}
	else if (r < 70)
		put_utf8(b, 0x80 + rnd(g, 0x800 - 0x80));
	else if (r < 78)
	{
		uint32_t	cp;

		do
			cp = 0x800 + rnd(g, 0x10000 - 0x800);
		while (cp >= 0xD800 && cp <= 0xDFFF);
		if (rnd(g, 10) == 0)
			cp = rnd(g, 2) ? 0xD7FF : 0xE000;
		put_utf8(b, cp);
	}
	else if (r < 84)
		put_utf8(b, rnd(g, 10) == 0 ? 0x10FFFF : 0x10000 + rnd(g, 0x100000));
	else if (r < 92)
		ctt_buf_addc(b, "{}[],:"[rnd(g, 6)]);
	else if (r < 95)
		ctt_buf_addc(b, 0x7f);
	else
		ctt_buf_addc(b, (char) ('a' + rnd(g, 26)));
}

static void
gen_string(Gen *g, CttBuf *b)
{
	uint32_t	n = rnd(g, 10) == 0 ? rnd(g, 120) : rnd(g, 12);

	ctt_buf_addc(b, '"');
	while (n-- > 0)
		gen_string_char(g, b);
	ctt_buf_addc(b, '"');
}

/* A key: usually a CloudTrail name, sometimes escaped or random. */
static void
gen_key(Gen *g, CttBuf *b)
{
	uint32_t	r = rnd(g, 10);

	if (r < 6)
	{
		const char *k = ct_keys[rnd(g, N_CT_KEYS)];

		ctt_buf_addc(b, '"');
		for (const char *c = k; *c; c++)
		{
			if (rnd(g, 12) == 0)
				put_u_escape(g, b, (unsigned char) *c);
			else if (rnd(g, 15) == 0)
				ctt_buf_addc(b, (char) ctt_upper(*c));
			else
				ctt_buf_addc(b, *c);
		}
		ctt_buf_addc(b, '"');
	}
	else if (r < 8)
		ctt_buf_addf(b, "\"k%u\"", rnd(g, 8));
	else
		gen_string(g, b);
}

static void
gen_digits(Gen *g, CttBuf *b, uint32_t n)
{
	while (n-- > 0)
		ctt_buf_addc(b, (char) ('0' + rnd(g, 10)));
}

/* Every form of the number grammar, sometimes beyond jansson's range. */
static void
gen_number(Gen *g, CttBuf *b)
{
	if (rnd(g, 4) == 0)
		ctt_buf_addc(b, '-');
	if (rnd(g, 4) == 0)
		ctt_buf_addc(b, '0');
	else
	{
		ctt_buf_addc(b, (char) ('1' + rnd(g, 9)));
		gen_digits(g, b, rnd(g, 12) == 0 ? 15 + rnd(g, 20) : rnd(g, 7));
	}
	if (rnd(g, 3) == 0)
	{
		ctt_buf_addc(b, '.');
		gen_digits(g, b, 1 + rnd(g, 8));
	}
	if (rnd(g, 4) == 0)
	{
		ctt_buf_addc(b, rnd(g, 2) ? 'e' : 'E');
		switch (rnd(g, 3))
		{
			case 0:
				ctt_buf_addc(b, '+');
				break;
			case 1:
				ctt_buf_addc(b, '-');
				break;
		}
		if (rnd(g, 15) == 0)
			ctt_buf_adds(b, rnd(g, 2) ? "400" : "0099999");
		else
			gen_digits(g, b, 1 + rnd(g, 3));
	}
}

static void gen_value(Gen *g, CttBuf *b, int depth);

/* An object of n members, or an array of n elements. */
static void
gen_container(Gen *g, CttBuf *b, int depth, uint32_t n, bool object)
{
	ctt_buf_addc(b, object ? '{' : '[');
	gen_ws(g, b);
	for (uint32_t i = 0; i < n; i++)
	{
		if (i > 0)
		{
			ctt_buf_addc(b, ',');
			gen_ws(g, b);
		}
		gen_newline(g, b, depth + 1);
		if (object)
		{
			gen_key(g, b);
			gen_ws(g, b);
			ctt_buf_adds(b, g->style == 1 ? ": " : ":");
			gen_ws(g, b);
		}
		gen_value(g, b, depth + 1);
		gen_ws(g, b);
	}
	if (n > 0)
		gen_newline(g, b, depth);
	ctt_buf_addc(b, object ? '}' : ']');
}

/* A chain of d nested containers around a scalar. */
static void
gen_deep(Gen *g, CttBuf *b, int d)
{
	CttBuf		close = {0};

	for (int i = 0; i < d; i++)
	{
		if (rnd(g, 3) == 0)
		{
			ctt_buf_adds(b, "{\"d\":");
			ctt_buf_addc(&close, '}');
		}
		else
		{
			ctt_buf_addc(b, '[');
			ctt_buf_addc(&close, ']');
		}
	}
	ctt_buf_adds(b, "1");
	for (size_t i = close.len; i > 0; i--)
		ctt_buf_addc(b, close.p[i - 1]);
	ctt_buf_free(&close);
}

static void
gen_value(Gen *g, CttBuf *b, int depth)
{
	uint32_t	r = rnd(g, 100);

	if (depth < g->maxdepth && r < (depth < 2 ? 40u : 22u))
	{
		uint32_t	n = rnd(g, 5) == 0 ? 0 : 1 + rnd(g, 5);

		if (rnd(g, 2))
			gen_container(g, b, depth, n, true);
		else
			gen_container(g, b, depth, n, false);
		return;
	}
	r = rnd(g, 100);
	if (r < 45)
		gen_string(g, b);
	else if (r < 75)
		gen_number(g, b);
	else if (r < 83)
		ctt_buf_adds(b, "true");
	else if (r < 91)
		ctt_buf_adds(b, "false");
	else
		ctt_buf_adds(b, "null");
}

/* One record: an object with CloudTrail-like members. */
static void
gen_record(Gen *g, CttBuf *b, int depth)
{
	uint32_t	n = rnd(g, 8) == 0 ? rnd(g, 40) : rnd(g, 12);
	uint32_t	dup = rnd(g, 6) == 0 ? 1 + rnd(g, 3) : 0;
	size_t		keystart[64];
	size_t		keylen[64];
	uint32_t	nk = 0;

	ctt_buf_addc(b, '{');
	gen_ws(g, b);
	for (uint32_t i = 0; i < n + dup; i++)
	{
		if (i > 0)
		{
			ctt_buf_addc(b, ',');
			gen_ws(g, b);
		}
		gen_newline(g, b, depth + 1);
		if (i >= n && nk > 0)
		{
			/* repeat an earlier key: duplicates, last one wins */
			uint32_t	k = rnd(g, nk);
			CttBuf		tmp = {0};

			ctt_buf_add(&tmp, b->p + keystart[k], keylen[k]);
			ctt_buf_add(b, tmp.p, tmp.len);
			ctt_buf_free(&tmp);
		}
		else
		{
			size_t		s = b->len;

			gen_key(g, b);
			if (nk < 64)
			{
				keystart[nk] = s;
				keylen[nk] = b->len - s;
				nk++;
			}
		}
		gen_ws(g, b);
		ctt_buf_adds(b, g->style == 1 ? ": " : ":");
		gen_ws(g, b);
		if (rnd(g, 600) == 0)
			gen_deep(g, b, CT_MAX_DEPTH - 12 + (int) rnd(g, 20));
		else
			gen_value(g, b, depth + 1);
		gen_ws(g, b);
	}
	if (n + dup > 0)
		gen_newline(g, b, depth);
	ctt_buf_addc(b, '}');
}

/* ------------------------------------------------------------------------
 * Mutations
 * ------------------------------------------------------------------------ */

static const char *const nasty[] = {
	/* invalid UTF-8: lone continuation, overlongs, surrogates, > U+10FFFF, F5+ */
	"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
	"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
	"\xc2", "\xe2\x82", "\xf0\x9f\x98", "\xc2\x41",
	/* valid UTF-8 at the edges */
	"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
	"\xed\x9f\xbf", "\xee\x80\x80",
	/* escapes */
	"\\uD800", "\\uDC00", "\\udfff", "\\uD800\\u0041", "\\uD800\\uD800", "\\uDBFF\\uDFFF",
	"\\uD800x", "\\u12", "\\u12G4", "\\U0041", "\\x41", "\\a", "\\'", "\\", "\\u0000",
	"\\\\", "\\\"", "\\/",
	/* control characters */
	"\x01", "\x1f", "\t", "\n", "\x7f",
	/* numbers */
	"01", "1.", ".5", "-", "1e", "1e+", "+1", "-a", "0x1", "1.e5", "-01", "00",
	"1E-", "Infinity", "NaN", "-0", "1e400", "12345678901234567890",
	/* literals and structure */
	"tru", "nul", "fals", "True", "null", ",", ":", "\"", "}", "]", "{", "[", " ",
	"\x00", "{}", "[]", ",,", "\"\":", "[1,]", "{\"a\":1,}", "\xef\xbb\xbf"
};
#define N_NASTY (sizeof(nasty) / sizeof(nasty[0]))

static size_t
nasty_len(uint32_t i)
{
	/* "\x00" is one NUL byte */
	return nasty[i][0] == '\0' ? 1 : strlen(nasty[i]);
}

static void
mutate_once(Gen *g, CttBuf *b)
{
	size_t		pos = b->len ? rnd(g, (uint32_t) b->len + 1) : 0;
	CttBuf		t = {0};

	switch (rnd(g, 10))
	{
		case 0:					/* flip a bit */
			if (b->len)
				b->p[pos % b->len] ^= (char) (1 << rnd(g, 8));
			return;
		case 1:					/* set a random byte */
			if (b->len)
				b->p[pos % b->len] = (char) rnd(g, 256);
			return;
		case 2:					/* truncate */
			b->len = pos;
			return;
		case 3:					/* delete a span */
			{
				size_t		n = 1 + rnd(g, 4);

				if (pos + n > b->len)
					n = b->len - pos;
				memmove(b->p + pos, b->p + pos + n, b->len - pos - n);
				b->len -= n;
				return;
			}
		case 4:					/* duplicate a span */
			{
				size_t		n = 1 + rnd(g, 8);

				if (pos + n > b->len)
					n = b->len - pos;
				ctt_buf_add(&t, b->p, pos + n);
				ctt_buf_add(&t, b->p + pos, b->len - pos);
				break;
			}
		case 5:					/* insert inside a string (after a quote) */
		case 6:
			{
				const char *q = b->len ? memchr(b->p + pos % b->len, '"', b->len - pos % b->len) : NULL;
				uint32_t	k = rnd(g, N_NASTY);

				if (q)
					pos = (size_t) (q - b->p) + 1;
				ctt_buf_add(&t, b->p, pos);
				ctt_buf_add(&t, nasty[k], nasty_len(k));
				ctt_buf_add(&t, b->p + pos, b->len - pos);
				break;
			}
		case 7:					/* replace a number by a bad one */
			{
				size_t		i;
				uint32_t	k = rnd(g, N_NASTY);
				size_t		e;

				for (i = pos; i < b->len; i++)
					if (ctt_digit(b->p[i]) && i > 0 &&
						(b->p[i - 1] == ':' || b->p[i - 1] == '[' || b->p[i - 1] == ',' ||
						 b->p[i - 1] == '-' || b->p[i - 1] == ' '))
						break;
				if (i >= b->len)
					i = pos;
				for (e = i; e < b->len && (ctt_digit(b->p[e]) || b->p[e] == '.' ||
										   b->p[e] == 'e' || b->p[e] == 'E' ||
										   b->p[e] == '+' || b->p[e] == '-'); e++)
					;
				ctt_buf_add(&t, b->p, i);
				ctt_buf_add(&t, nasty[k], nasty_len(k));
				ctt_buf_add(&t, b->p + e, b->len - e);
				break;
			}
		default:				/* insert anywhere */
			{
				uint32_t	k = rnd(g, N_NASTY);

				ctt_buf_add(&t, b->p, pos);
				ctt_buf_add(&t, nasty[k], nasty_len(k));
				ctt_buf_add(&t, b->p + pos, b->len - pos);
				break;
			}
	}
	ctt_buf_free(b);
	*b = t;
}

static void
mutate(Gen *g, CttBuf *b)
{
	for (uint32_t n = 1 + (rnd(g, 3) == 0 ? rnd(g, 3) : 0); n > 0; n--)
		mutate_once(g, b);
}

/* ------------------------------------------------------------------------
 * JSON tests
 * ------------------------------------------------------------------------ */

static CttJsonStats jstats;

/* Differential check of one input held in an exact-size heap copy. */
static void
diff_record(const char *p, size_t n)
{
	char	   *c = ctt_dup(p, n);

	CHECK_DIFF(ctt_check_record(c, n, 1000000, &jstats), p, n);
	free(c);
}

static bool
ct_valid(const char *p, size_t n, CtError *err)
{
	char	   *c = ctt_dup(p, n);
	bool		ok;

	memset(err, 0, sizeof(*err));
	ok = ct_json_validate(c, n, err);
	free(c);
	return ok;
}

static bool
jansson_valid_raw(const char *p, size_t n)
{
	json_t	   *j = json_loadb(p, n, CTT_JFLAGS, NULL);

	json_decref(j);
	return j != NULL;
}

typedef struct JCase
{
	const char *text;
	int			valid;
} JCase;

#define S(x) x, sizeof(x) - 1
#define NUL10 "0000000000"
#define NUL100 NUL10 NUL10 NUL10 NUL10 NUL10 NUL10 NUL10 NUL10 NUL10 NUL10
#define NUL300 NUL100 NUL100 NUL100

static void
test_json_table(void)
{
	static const JCase cases[] = {
		{"{}", 1}, {"[]", 1}, {" {\"a\" : 1 } ", 1}, {"\t\r\n{}\n", 1},
		{"\"abc\"", 1}, {"0", 1}, {"-0", 1}, {"-0.0e-0", 1}, {"1E+2", 1},
		{"123.456e789", 0}, /* overflow: documented difference, patched */
		{"true", 1}, {"false", 1}, {"null", 1},
		{"", 0}, {" ", 0}, {"{", 0}, {"}", 0}, {"{\"a\"}", 0}, {"{\"a\":}", 0},
		{"{\"a\":1,}", 0}, {"[1,]", 0}, {"[,1]", 0}, {"{,}", 0}, {"{1:2}", 0},
		{"{'a':1}", 0}, {"[1 2]", 0}, {"{} {}", 0}, {"{}x", 0}, {"[1]]", 0},
		{"01", 0}, {"1.", 0}, {".5", 0}, {"-", 0}, {"1e", 0}, {"1e+", 0},
		{"+1", 0}, {"-a", 0}, {"0x1", 0}, {"1.e5", 0}, {"-01", 0}, {"00", 0},
		{"1E-", 0}, {"Infinity", 0}, {"NaN", 0}, {"tru", 0}, {"nul", 0},
		{"True", 0}, {"truex", 0}, {"[true1]", 0}, {"[1true]", 0},
		{"\"\\uD800\"", 0}, {"\"\\uDC00\"", 0}, {"\"\\udfff\"", 0},
		{"\"\\uD800\\u0041\"", 0}, {"\"\\uD800\\uD800\"", 0}, {"\"\\uD800x\"", 0},
		{"\"\\uD800\\\"", 0}, {"\"\\uDBFF\\uDFFF\"", 1}, {"\"\\ud83d\\ude00\"", 1},
		{"\"\\u12\"", 0}, {"\"\\u12G4\"", 0}, {"\"\\U0041\"", 0}, {"\"\\x41\"", 0},
		{"\"\\a\"", 0}, {"\"\\'\"", 0}, {"\"\\\"", 0}, {"\"abc", 0},
		{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 1}, {"\"\\u0000\"", 1},
		{"\"\x01\"", 0}, {"\"\x1f\"", 0}, {"\"\t\"", 0}, {"\"\n\"", 0}, {"\"\x7f\"", 1},
		{"\"\xc2\x80\"", 1}, {"\"\xdf\xbf\"", 1}, {"\"\xe0\xa0\x80\"", 1},
		{"\"\xef\xbf\xbf\"", 1}, {"\"\xed\x9f\xbf\"", 1}, {"\"\xee\x80\x80\"", 1},
		{"\"\xf0\x90\x80\x80\"", 1}, {"\"\xf4\x8f\xbf\xbf\"", 1},
		{"\"\x80\"", 0}, {"\"\xbf\"", 0}, {"\"\xc0\x80\"", 0}, {"\"\xc1\xbf\"", 0},
		{"\"\xe0\x80\x80\"", 0}, {"\"\xe0\x9f\xbf\"", 0}, {"\"\xed\xa0\x80\"", 0},
		{"\"\xed\xbf\xbf\"", 0}, {"\"\xf0\x80\x80\x80\"", 0}, {"\"\xf0\x8f\xbf\xbf\"", 0},
		{"\"\xf4\x90\x80\x80\"", 0}, {"\"\xf5\x80\x80\x80\"", 0}, {"\"\xff\"", 0},
		{"\"\xfe\"", 0}, {"\"\xf8\x88\x80\x80\x80\"", 0}, {"\"\xc2\"", 0},
		{"\"\xe2\x82\"", 0}, {"\"\xf0\x9f\x98\"", 0}, {"\"\xc2\x41\"", 0},
		{"\"\xc2", 0}, {"\"\xf0\x9f\x98\x80", 0}, {"\xef\xbb\xbf{}", 0},
		{"{\"a\":1,\"a\":2}", 1}, {"{\"\":0}", 1}, {"[[[[]]]]", 1},
		{"{\"a\":[1,{\"b\":null}],\"c\":\"}\"}", 1},
		{"12345678901234567890", 1},	/* difference 1: valid for ct_json */
		{"-9223372036854775809", 1},
		{"[1e400]", 1}, {"-1e400", 1}, {"1e-400", 1},
		{"{\"a\\u0000b\":1}", 1},		/* difference 2 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const char *t = cases[i].text;
		size_t		n = strlen(t);
		CtError		err;
		bool		ok = ct_valid(t, n, &err);

		/* {"123.456e789", 0}: 1e789 overflows a double, still valid RFC 8259 */
		if (strcmp(t, "123.456e789") == 0)
			CHECK(ok, "ct_json must accept %s", t);
		else
			CHECK(ok == (cases[i].valid != 0), "ct_json_validate(%s) = %d, expected %d (%s)",
				  show(t, n), ok, cases[i].valid, ok ? "" : err.msg);
		if (!ok)
			CHECK(err.kind == CT_ERR_JSON && err.msg[0] != '\0' && err.offset <= n,
				  "error for %s: %s", show(t, n), err.msg);
		diff_record(t, n);
	}

	/* A NUL byte anywhere, raw, is invalid. */
	{
		CtError		err;

		CHECK(!ct_valid(S("\"a\0b\""), &err), "raw NUL in string");
		CHECK(!ct_valid(S("{}\0"), &err), "raw NUL after value");
		diff_record(S("\"a\0b\""));
		diff_record(S("[\0]"));
	}

	/* The documented differences, shown explicitly on jansson itself. */
	CHECK(!jansson_valid_raw(S("12345678901234567890")), "jansson: too big integer");
	CHECK(!jansson_valid_raw(S("[1e400]")), "jansson: real number overflow");
	CHECK(!jansson_valid_raw(S("{\"a\\u0000b\":1}")), "jansson: NUL byte in key");
	CHECK(jansson_valid_raw(S("{\"a\":\"\\u0000\"}")), "jansson: NUL in value allowed");
	{
		char		q[] = "[12345678901234567890, 1e400, -1E400, 1e-400, 1.5, 1e400.5, 1" NUL300 NUL10 ".5]";
		size_t		np = ctt_patch_for_jansson(q, strlen(q));

		const char *want = "[                   0,   0e0,    0e0, 1e-400, 1.5,   0e0.5,      ";

		CHECK(np == 5 && strncmp(q, want, strlen(want)) == 0 &&
			  strcmp(q + strlen(q) - 4, "0.0]") == 0,
			  "patch: %zu '%s'", np, q);
	}
}

/* Nesting: ct_json stops at CT_MAX_DEPTH (1000), jansson at 2048. */
static void
test_json_depth(void)
{
	int			depths[] = {999, 1000, 1001, 2048, 2049, 100000};

	for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++)
	{
		int			d = depths[i];
		char	   *b = ctt_xmalloc(2 * (size_t) d + 8);
		CtError		err;
		bool		ok;
		bool		jok;
		CtRecord	rec = {0};

		memset(b, '[', d);
		memset(b + d, ']', d);
		ok = ct_valid(b, 2 * (size_t) d, &err);
		jok = jansson_valid_raw(b, 2 * (size_t) d);
		CHECK(ok == (d <= CT_MAX_DEPTH), "depth %d: ct_json %d", d, ok);
		CHECK(jok == (d <= 2048), "depth %d: jansson %d", d, jok);
		if (!ok)
			CHECK(err.kind == CT_ERR_LIMIT && err.offset == CT_MAX_DEPTH &&
				  strstr(err.msg, "nesting depth exceeds 1000") != NULL,
				  "depth %d: %s at %llu", d, err.msg, (unsigned long long) err.offset);
		diff_record(b, 2 * (size_t) d);

		/* the same depth as a record: {"a":[[...]]} */
		free(b);
		b = ctt_xmalloc(2 * (size_t) d + 8);
		memcpy(b, "{\"a\":", 5);
		memset(b + 5, '[', d - 1);
		memset(b + 5 + d - 1, ']', d - 1);
		b[2 * (size_t) d + 3] = '}';
		memset(&err, 0, sizeof(err));
		ok = ct_json_index_record(b, 2 * (size_t) d + 4, &rec, &err);
		CHECK(ok == (d <= CT_MAX_DEPTH), "record depth %d: %d", d, ok);
		if (!ok)
			CHECK(err.kind == CT_ERR_LIMIT, "record depth %d: kind %s", d, ctt_kind_name(err.kind));
		else
			CHECK(rec.nmembers == 1 && rec.members[0].val.len == 2 * (size_t) d - 2,
				  "record depth %d: member span", d);
		diff_record(b, 2 * (size_t) d + 4);
		ct_json_record_free(&rec);
		free(b);
	}
}

/* Decoding, equality and look-ups on known values. */
static void
test_json_values(void)
{
	const char *r = "{ \"a\" : \"x\\u00e9\\ud83d\\ude00\\n\" , \"B\":[1, {\"c\":\"\\u0000\"}, \"}\"],"
		"\"a\":2, \"nested\":{\"k\":{\"k\":[true,false,null]},\"k\":3}, \"e\\u0054\":\"\", "
		"\"big\":123456789012345678901234567890}";
	CtRecord	rec = {0};
	CtError		err;
	CtValue		v;
	CtValue		w;
	CtValue		x;
	char		buf[64];
	size_t		n;
	bool		nul;

	memset(&err, 0, sizeof(err));
	CHECK(ct_json_index_record(r, strlen(r), &rec, &err), "index: %s", err.msg);
	CHECK(rec.nmembers == 6, "nmembers %d", rec.nmembers);
	CHECK(ct_json_record_get(&rec, "a", 1, false, &v) && v.type == CT_JSON_NUMBER &&
		  v.len == 1 && v.p[0] == '2', "last duplicate wins");
	CHECK(rec.members[0].val.type == CT_JSON_STRING && rec.members[0].val.escaped, "escaped");
	n = ct_json_string_decode(&rec.members[0].val, buf, &nul);
	CHECK(n == 8 && memcmp(buf, "x\xc3\xa9\xf0\x9f\x98\x80\n", 8) == 0 && !nul, "decode");
	CHECK(ct_json_record_get(&rec, "b", 1, true, &v) && v.type == CT_JSON_ARRAY, "ci get");
	CHECK(!ct_json_record_get(&rec, "b", 1, false, &v), "case-sensitive miss");
	CHECK(ct_json_record_get(&rec, "B", 1, false, &v), "B");
	CHECK(ct_json_array_get(&v, 1, &w) && w.type == CT_JSON_OBJECT, "array_get 1");
	CHECK(ct_json_object_get(&w, "c", 1, &x) && x.type == CT_JSON_STRING, "object_get c");
	n = ct_json_string_decode(&x, buf, &nul);
	CHECK(n == 1 && buf[0] == 0 && nul, "\\u0000 decodes with has_nul");
	CHECK(ct_json_array_get(&v, 2, &w) && w.len == 3 && memcmp(w.p, "\"}\"", 3) == 0, "array_get 2");
	CHECK(!ct_json_array_get(&v, 3, &w), "array_get 3");
	CHECK(ct_json_record_get(&rec, "nested", 6, false, &v), "nested");
	CHECK(ct_json_object_get(&v, "k", 1, &w) && w.type == CT_JSON_NUMBER && w.p[0] == '3',
		  "object_get: last duplicate wins");
	CHECK(ct_json_record_get(&rec, "eT", 2, false, &v) && v.len == 2, "escaped key");
	CHECK(ct_json_record_get(&rec, "ET", 2, true, &v), "escaped key, ci");
	CHECK(ct_json_record_get(&rec, "big", 3, false, &v) && v.len == 30, "big number kept as text");
	diff_record(r, strlen(r));
	ct_json_record_free(&rec);

	/* ct_json_skip / ct_json_value_at on validated text */
	{
		const char *t = "[\"a\\\\\",{\"x\":\"]}\"},-1.5e3 ,true]";
		CtValue		arr = ct_json_value_at(t, t + strlen(t));

		CHECK(arr.type == CT_JSON_ARRAY && arr.len == strlen(t), "value_at array");
		CHECK(ct_json_array_get(&arr, 0, &v) && v.len == 5, "skip string with \\\\");
		CHECK(ct_json_array_get(&arr, 1, &v) && v.len == 10, "skip object with ]} in a string");
		CHECK(ct_json_array_get(&arr, 2, &v) && v.len == 6 && v.type == CT_JSON_NUMBER, "number");
		CHECK(ct_json_array_get(&arr, 3, &v) && v.type == CT_JSON_TRUE, "true");
	}
}

static void
test_json_generated(long nbase, int mutants)
{
	Gen			g;
	CttBuf		b = {0};
	CttBuf		m = {0};

	memset(&g, 0, sizeof(g));
	g.rng.s = 20240531;
	for (long i = 0; i < nbase; i++)
	{
		g.style = (int) rnd(&g, 3);
		g.maxdepth = 2 + (int) rnd(&g, 6);
		b.len = 0;
		gen_record(&g, &b, 0);
		{
			CtError		err;
			bool		ok = ct_valid(b.p, b.len, &err);
			int			depth = ctt_max_depth(b.p, b.len);

			/* the generator only makes valid records */
			CHECK(ok == (depth <= CT_MAX_DEPTH), "generated record rejected: %s\n    %s",
				  err.msg, show(b.p, b.len));
		}
		diff_record(b.p, b.len);
		for (int k = 0; k < mutants; k++)
		{
			m.len = 0;
			ctt_buf_add(&m, b.p, b.len);
			mutate(&g, &m);
			diff_record(m.p, m.len);
		}
	}
	ctt_buf_free(&b);
	ctt_buf_free(&m);
}

/* ------------------------------------------------------------------------
 * Stream tests
 * ------------------------------------------------------------------------ */

static CttBuf
gz(const char *p, size_t n)
{
	CttBuf		b = {0};

	ctt_gzip_member(p, n, Z_DEFAULT_COMPRESSION, &b);
	return b;
}

/*
 * Reads doc (plain, and gzip in one and in two members) with every reader
 * and checks that the records are exactly want[] (texts), then END.
 */
static void
expect_records(const char *doc, size_t n, const char *const *want, size_t nwant)
{
	CttBuf		z = gz(doc, n);
	CttBuf		z2 = {0};
	CttRun		ref;
	size_t		split = n / 2;

	ctt_gzip_member(doc, split, 9, &z2);
	ctt_gzip_member(doc + split, n - split, 1, &z2);

	ctt_run_stream(doc, n, false, CTT_READ_ALL, 1, true, SIZE_MAX, &ref);
	CHECK(ref.final == CT_STREAM_END && ref.bad_records == 0 && ref.nrec == nwant,
		  "%s\n    doc: %s", ctt_run_describe(&ref), show(doc, n));
	for (size_t i = 0; i < ref.nrec && i < nwant; i++)
		CHECK(ref.recs[i].len == strlen(want[i]) &&
			  memcmp(doc + ref.recs[i].off, want[i], ref.recs[i].len) == 0,
			  "record %zu: got %s", i, show(doc + ref.recs[i].off, ref.recs[i].len));
	CHECK(ref.stats.records == nwant && ref.stats.bytes_in == n && ref.stats.bytes_out == n,
		  "stats");
	CHECK_DIFF(ctt_check_stream_oracle(doc, n, &ref), doc, n);

	for (int mode = 0; mode < CTT_READ_MODES; mode++)
	{
		CttRun		r;

		for (int gzmode = 0; gzmode < 3; gzmode++)
		{
			const CttBuf *src = gzmode == 1 ? &z : &z2;

			if (gzmode == 0)
				ctt_run_stream(doc, n, false, mode, 7 + mode, false, SIZE_MAX, &r);
			else
				ctt_run_stream(src->p, src->len, true, mode, 11 + mode, false, SIZE_MAX, &r);
			CHECK_DIFF(ctt_compare_runs(&ref, &r, gzmode ? "gzip vs plain" : "reader modes"), doc, n);
			if (gzmode)
				CHECK(r.stats.bytes_in == src->len && r.stats.bytes_out == n, "gzip stats");
			ctt_run_free(&r);
		}
	}
	ctt_run_free(&ref);
	ctt_buf_free(&z);
	ctt_buf_free(&z2);
}

/* Does msg contain one of the '|'-separated parts? */
static bool
msg_matches(const char *msg, const char *parts)
{
	char		tmp[256];
	char	   *save = NULL;

	snprintf(tmp, sizeof(tmp), "%s", parts);
	for (char *t = strtok_r(tmp, "|", &save); t; t = strtok_r(NULL, "|", &save))
		if (strstr(msg, t) != NULL)
			return true;
	return parts[0] == '\0';
}

/*
 * Reads doc and expects an error of the given kind whose message has one of
 * the '|'-separated parts of msgpart.
 */
static void
expect_error(const char *doc, size_t n, bool gzip, CtErrorKind kind, const char *msgpart)
{
	for (int mode = 0; mode < CTT_READ_MODES; mode++)
	{
		CttRun		r;
		const CtError *e;

		ctt_run_stream(doc, n, gzip, mode, 3 + mode, true, SIZE_MAX, &r);
		e = r.final == CT_STREAM_ERROR ? &r.err : &r.rec_err;
		CHECK(!ctt_run_ok(&r) && e->kind == kind && msg_matches(e->msg, msgpart),
			  "expected %s '%s', got %s\n    doc: %s", ctt_kind_name(kind), msgpart,
			  ctt_run_describe(&r), show(doc, n));
		if (!gzip)
			CHECK_DIFF(ctt_check_stream_oracle(doc, n, &r), doc, n);
		ctt_run_free(&r);
	}
}

static void
test_stream_layouts(void)
{
	static const char *const r3[] = {
		"{\"eventName\":\"A\",\"n\":1}", "{}", "{\"s\":\"\\\"}]\\\\\",\"x\":[{\"y\":\"{[\"}]}"
	};
	const char *compact = "{\"Records\":[{\"eventName\":\"A\",\"n\":1},{},{\"s\":\"\\\"}]\\\\\",\"x\":[{\"y\":\"{[\"}]}]}";
	const char *pretty =
		"{\n    \"Records\": [\n        {\"eventName\":\"A\",\"n\":1},\n        {},\n"
		"        {\"s\":\"\\\"}]\\\\\",\"x\":[{\"y\":\"{[\"}]}\n    ]\n}\n";
	const char *others =
		"\r\n\t {\"a\":{\"Records\":[1,2]},\"b\":[\"]\",{\"c\":\"}\"}],\"c\":\"Records\",\"d\":-1.5e3,"
		"\"e\":true, \"f\":null,\"g\":\"\\\"\" , \"Records\" : [ {\"eventName\":\"A\",\"n\":1} ,\n{}\t,"
		"{\"s\":\"\\\"}]\\\\\",\"x\":[{\"y\":\"{[\"}]} ] , \"h\":{\"Records\":{}}, \"i\":[[[]]], \"j\":0} \n";
	const char *escaped_key = "{\"Rec\\u006fr\\u0064s\":[{\"eventName\":\"A\",\"n\":1},{},"
		"{\"s\":\"\\\"}]\\\\\",\"x\":[{\"y\":\"{[\"}]}]}";
	static const char *const uni[] = {
		"{\"k\":\"\\u00e9\\ud83d\\ude00 \xc3\xa9 \xf0\x9f\x98\x80 \\u0000 \\\\\\\"\"}"
	};
	const char *unidoc = "{\"Records\":[{\"k\":\"\\u00e9\\ud83d\\ude00 \xc3\xa9 \xf0\x9f\x98\x80 \\u0000 \\\\\\\"\"}]}";

	expect_records(compact, strlen(compact), r3, 3);
	expect_records(pretty, strlen(pretty), r3, 3);
	expect_records(others, strlen(others), r3, 3);
	expect_records(escaped_key, strlen(escaped_key), r3, 3);
	expect_records(unidoc, strlen(unidoc), uni, 1);
	expect_records(S("{\"Records\":[]}"), NULL, 0);
	expect_records(S(" { \"Records\" : [ ] } "), NULL, 0);
	expect_records(S("{\"x\":1,\"Records\":[],\"y\":[2]}"), NULL, 0);
	expect_records(S("{\"x\":\"a\",\"Records\":[{}]}"), r3 + 1, 1);
	expect_records(S("\xef\xbb\xbf{\"Records\":[{}]}"), r3 + 1, 1);
	expect_records(S("\xef\xbb\xbf \n{\"Records\":[]}"), NULL, 0);
	/* a scalar envelope value that ends the object, with no whitespace */
	expect_records(S("{\"Records\":[{}],\"n\":12}"), r3 + 1, 1);

	/* errors */
	expect_error("", 0, false, CT_ERR_JSON, "file holds no JSON data");
	expect_error(S(" \n\t "), false, CT_ERR_JSON, "file holds no JSON data");
	expect_error("", 0, true, CT_ERR_GZIP, "file is empty (0 bytes)");
	expect_error(S("[{\"eventName\":\"A\"}]"), false, CT_ERR_LAYOUT, "JSON array");
	expect_error(S("{\"x\":1}"), false, CT_ERR_LAYOUT, "no \"Records\" array");
	expect_error(S("{}"), false, CT_ERR_LAYOUT, "no \"Records\" array");
	expect_error(S("{\"x\":{\"Records\":[{}]}}"), false, CT_ERR_LAYOUT, "no \"Records\" array");
	expect_error(S("{\"Records\":{}}"), false, CT_ERR_LAYOUT, "not an array");
	expect_error(S("{\"Records\":null}"), false, CT_ERR_LAYOUT, "not an array");
	expect_error(S("{\"Records\":\"[]\"}"), false, CT_ERR_LAYOUT, "not an array");
	expect_error(S("{\"Records\":[],\"Records\":[]}"), false, CT_ERR_LAYOUT, "duplicate \"Records\" key");
	expect_error(S("{\"Records\":[{}],\"x\":1,\"R\\u0065cords\":[{}]}"), false, CT_ERR_LAYOUT,
				 "duplicate \"Records\" key");
	expect_error(S("{\"Records\":[1]}"), false, CT_ERR_LAYOUT, "record is not a JSON object");
	expect_error(S("{\"Records\":[{},\"x\"]}"), false, CT_ERR_LAYOUT, "record is not a JSON object");
	expect_error(S("{\"Records\":[[]]}"), false, CT_ERR_LAYOUT, "record is not a JSON object");
	expect_error(S("{\"Records\":[null]}"), false, CT_ERR_LAYOUT, "record is not a JSON object");
	expect_error(S("{\"Records\":[true]}"), false, CT_ERR_LAYOUT, "record is not a JSON object");
	expect_error(S("{\"Records\":[-1]}"), false, CT_ERR_LAYOUT, "record is not a JSON object");
	expect_error(S("{\"Records\":[]} x"), false, CT_ERR_JSON, "unexpected data after the top-level object");
	expect_error(S("{\"Records\":[]}{}"), false, CT_ERR_JSON, "unexpected data after the top-level object");
	expect_error(S("{\"Records\":[]}\0"), false, CT_ERR_JSON, "unexpected data after the top-level object");
	expect_error(S("{\"Records\":[]}]"), false, CT_ERR_JSON, "unexpected data after the top-level object");
	expect_error(S("{\"Records\":[{}"), false, CT_ERR_JSON, "unexpected end of data");
	expect_error(S("{\"Records\":[{\"a\":\"}]}"), false, CT_ERR_JSON, "unexpected end of data");
	expect_error(S("{\"Records\":[{}]"), false, CT_ERR_JSON, "unexpected end of data");
	expect_error(S("{\"Records\""), false, CT_ERR_JSON, "unexpected end of data");
	expect_error(S("{\"Reco"), false, CT_ERR_JSON, "unexpected end of data");
	expect_error(S("{\"x\":12"), false, CT_ERR_JSON, "unexpected end of data");
	expect_error(S("{\"Records\":[{},]}"), false, CT_ERR_JSON, "expected a record");
	expect_error(S("{\"Records\":[],}"), false, CT_ERR_JSON, "expected a string key");
	expect_error(S("{,}"), false, CT_ERR_JSON, "expected a string key");
	expect_error(S("{\"Records\" []}"), false, CT_ERR_JSON, "expected ':'");
	expect_error(S("{\"Records\":[{}}"), false, CT_ERR_JSON, "expected ',' or ']'");
	expect_error(S("{\"Records\":[] \"x\":1}"), false, CT_ERR_JSON, "expected ',' or '}'");
	expect_error(S("x{\"Records\":[]}"), false, CT_ERR_JSON, "expected '{'");
	expect_error(S("\"Records\""), false, CT_ERR_JSON, "expected '{'");
	/* a UTF-8 byte-order mark is skipped at the very start of a file, nowhere else */
	expect_error(S(" \xef\xbb\xbf{\"Records\":[]}"), false, CT_ERR_JSON, "expected '{'");
	expect_error(S("\xef\xbb\xbf\xef\xbb\xbf{\"Records\":[]}"), false, CT_ERR_JSON, "expected '{'");
	expect_error(S("\xef\xbb{\"Records\":[]}"), false, CT_ERR_JSON, "expected '{'");
	expect_error(S("\xef\xbb\xbf"), false, CT_ERR_JSON, "file holds no JSON data");
	expect_error(S("{\"Records\":[\xef\xbb\xbf{}]}"), false, CT_ERR_JSON, "expected a record");
	expect_error(S("{\"Records\":[{\"a\":1}\xef\xbb\xbf]}"), false, CT_ERR_JSON, "expected ',' or ']'");
	expect_error(S("{\"a\x01\":1,\"Records\":[]}"), false, CT_ERR_JSON, "control character");
	expect_error(S("{\"a\xc0\x80\":1,\"Records\":[]}"), false, CT_ERR_JSON, "UTF-8");
	expect_error(S("{\"x\":01,\"Records\":[]}"), false, CT_ERR_JSON, "unexpected data after the JSON value");
	expect_error(S("{\"x\":[1,],\"Records\":[]}"), false, CT_ERR_JSON, "invalid number");
	expect_error(S("{\"x\":tru,\"Records\":[]}"), false, CT_ERR_JSON, "invalid literal");
	expect_error(S("{\"x\":,\"Records\":[]}"), false, CT_ERR_JSON, "unexpected end of data");
	expect_error(S("{\"x\":\"\\ud800\",\"Records\":[]}"), false, CT_ERR_JSON, "surrogate");
	/* a broken record is returned by the splitter and rejected by ct_json */
	expect_error(S("{\"Records\":[{\"a\":01}]}"), false, CT_ERR_JSON, "expected ',' or '}'");
	expect_error(S("{\"Records\":[{\"a\":[}]}"), false, CT_ERR_JSON, "expected ',' or ']' after a record");
	expect_error(S("{\"Records\":[{\"a\":\"\xff\"}]}"), false, CT_ERR_JSON, "UTF-8");
	/* plain JSON handed to the gzip reader */
	expect_error(S("{\"Records\":[]}"), true, CT_ERR_GZIP, "not in gzip format");
}

/* Error offsets point into the decompressed JSON, whatever the chunking. */
static void
expect_offset(const char *doc, size_t n, bool gzip, uint64_t want)
{
	for (int mode = 0; mode < CTT_READ_MODES; mode++)
	{
		CttRun		r;

		ctt_run_stream(doc, n, gzip, mode, 17, false, SIZE_MAX, &r);
		CHECK(r.final == CT_STREAM_ERROR && r.err.offset == want, "offset: %s, expected %llu\n    doc: %s",
			  ctt_run_describe(&r), (unsigned long long) want, show(doc, n));
		ctt_run_free(&r);
	}
}

/* An error inside the Records array names its record (1-based), else 0. */
static void
expect_record_no(const char *doc, size_t n, bool gzip, uint64_t want)
{
	for (int mode = 0; mode < CTT_READ_MODES; mode++)
	{
		CttRun		r;

		ctt_run_stream(doc, n, gzip, mode, 19, false, SIZE_MAX, &r);
		CHECK(r.final == CT_STREAM_ERROR && r.err.record == want, "record number %llu, expected %llu: %s",
			  (unsigned long long) r.err.record, (unsigned long long) want, ctt_run_describe(&r));
		ctt_run_free(&r);
	}
}

static void
test_stream_offsets(void)
{
	CttBuf		b = {0};
	CttBuf		z;

	expect_offset(S("{\"Records\":[]} x"), false, 15);
	expect_offset(S("{\"Records\":[{},\"x\"]}"), false, 15);
	expect_offset(S("{\"Records\":[],\"Records\":[]}"), false, 24);
	expect_offset(S("{\"x\":[1,\"a\x01\"],\"Records\":[]}"), false, 10);
	expect_offset(S("{\"Records\":[{}] \"x\":1}"), false, 16);
	ctt_buf_adds(&b, "{\"Records\":[{\"a\":");
	for (int k = 0; k < 5000; k++)
		ctt_buf_addc(&b, '[');
	/* the record starts at 12, its 1001st level is the 1000th '[' */
	expect_offset(b.p, b.len, false, 17 + 999);
	z = gz(b.p, b.len);
	expect_offset(z.p, z.len, true, 17 + 999);
	ctt_buf_free(&z);
	ctt_buf_free(&b);

	/* record numbers */
	expect_record_no(S("{\"Records\":[{},\"x\"]}"), false, 2);
	expect_record_no(S("{\"Records\":[{},{},{\"a\":\"...}]}"), false, 3);
	expect_record_no(S("{\"Records\":[],\"Records\":[]}"), false, 0);
	expect_record_no(S("{\"Records\":[{}]} x"), false, 0);
	expect_record_no(S("{\"x\":[[[}"), false, 0);
	{
		CttBuf		d = {0};

		ctt_buf_adds(&d, "{\"Records\":[{},{\"a\":");
		for (int k = 0; k < 2000; k++)
			ctt_buf_addc(&d, '[');
		expect_record_no(d.p, d.len, false, 2);
		z = gz(d.p, d.len);
		/* gzip truncated inside the second record */
		expect_record_no(z.p, z.len - 8, true, 2);
		ctt_buf_free(&z);
		ctt_buf_free(&d);
	}

	/* gzip errors: offsets in the compressed file */
	z = gz(S("{\"Records\":[]}"));
	ctt_buf_adds(&z, "garbage");
	expect_offset(z.p, z.len, true, z.len - 7);
	expect_offset(z.p, z.len - 9, true, z.len - 9);	/* truncated: end of the file */
	ctt_buf_free(&z);
}

/* 100000 levels of nesting: a CT_ERR_LIMIT error, never a crash. */
static void
test_stream_deep(void)
{
	const int	d = 100000;
	const char *prefixes[] = {
		"{\"Records\":[{\"a\":", "{\"x\":", "{\"Records\":[", "{\"Records\":[{}],\"y\":"
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
	{
		for (int kind = 0; kind < 2; kind++)
		{
			CttBuf		b = {0};

			ctt_buf_adds(&b, prefixes[i]);
			for (int k = 0; k < d; k++)
				ctt_buf_adds(&b, kind ? "{\"k\":" : "[");
			ctt_buf_adds(&b, "1");
			for (int k = 0; k < d; k++)
				ctt_buf_addc(&b, kind ? '}' : ']');
			ctt_buf_adds(&b, i == 1 || i == 3 ? "}" : "}]}");
			if (i == 2 && kind == 0)
				expect_error(b.p, b.len, false, CT_ERR_LAYOUT, "record is not a JSON object");
			else
				expect_error(b.p, b.len, false, CT_ERR_LIMIT, "nesting depth exceeds 1000");
			ctt_buf_free(&b);
		}
	}

	/* The limit is exact: a record nested 1000 deep is read, 1001 is not. */
	for (int depth = CT_MAX_DEPTH - 1; depth <= CT_MAX_DEPTH + 1; depth++)
	{
		CttBuf		b = {0};
		CttRun		r;

		ctt_buf_adds(&b, "{\"Records\":[{\"a\":");
		for (int k = 1; k < depth; k++)
			ctt_buf_addc(&b, '[');
		for (int k = 1; k < depth; k++)
			ctt_buf_addc(&b, ']');
		ctt_buf_adds(&b, "}]}");
		ctt_run_stream(b.p, b.len, false, CTT_READ_RANDOM, 5, false, SIZE_MAX, &r);
		CHECK(ctt_run_ok(&r) == (depth <= CT_MAX_DEPTH), "record depth %d: %s", depth,
			  ctt_run_describe(&r));
		CHECK_DIFF(ctt_check_stream_oracle(b.p, b.len, &r), b.p, b.len);
		ctt_run_free(&r);
		ctt_buf_free(&b);
	}
}

static void
test_stream_io_error(void)
{
	const char *doc = "{\"Records\":[{\"a\":1},{\"b\":2},{\"c\":3}]}";
	size_t		n = strlen(doc);
	CttBuf		z = gz(doc, n);

	for (size_t at = 0; at < n; at++)
	{
		CttRun		r;

		ctt_run_stream(doc, n, false, CTT_READ_ONE, 1, false, at, &r);
		CHECK(r.final == CT_STREAM_ERROR && r.err.kind == CT_ERR_IO && r.err.errnum == EIO &&
			  strstr(r.err.msg, "could not read file") != NULL, "io error at %zu: %s", at,
			  ctt_run_describe(&r));
		ctt_run_free(&r);
	}
	for (size_t at = 0; at < z.len; at++)
	{
		CttRun		r;

		ctt_run_stream(z.p, z.len, true, CTT_READ_RANDOM, at, false, at, &r);
		CHECK(r.final == CT_STREAM_ERROR && r.err.kind == CT_ERR_IO && r.err.errnum == EIO,
			  "gzip io error at %zu: %s", at, ctt_run_describe(&r));
		ctt_run_free(&r);
	}
	ctt_buf_free(&z);
}

static void
test_stream_gzip(void)
{
	const char *doc = "{\"Records\":[{\"eventName\":\"A\",\"s\":\"x}]\\\"\"},{\"eventName\":\"B\"},"
		"{\"n\":[1,2,{\"m\":null}]}],\"other\":{\"k\":[true]}}";
	size_t		n = strlen(doc);
	CttBuf		z = gz(doc, n);
	CttRun		ref;

	ctt_run_stream(doc, n, false, CTT_READ_ALL, 0, false, SIZE_MAX, &ref);
	CHECK(ctt_run_ok(&ref) && ref.nrec == 3, "gzip ref: %s", ctt_run_describe(&ref));

	/* JSON split across two members at every offset: one stream */
	for (size_t split = 0; split <= n; split++)
	{
		CttBuf		z2 = {0};
		CttRun		r;

		ctt_gzip_member(doc, split, Z_DEFAULT_COMPRESSION, &z2);
		ctt_gzip_member(doc + split, n - split, Z_DEFAULT_COMPRESSION, &z2);
		ctt_run_stream(z2.p, z2.len, true, (int) (split % CTT_READ_MODES), split, false, SIZE_MAX, &r);
		CHECK_DIFF(ctt_compare_runs(&ref, &r, "two members"), doc, split);
		ctt_run_free(&r);

		/* truncated at the member boundary: the JSON is incomplete */
		if (split < n && split > 0)
		{
			size_t		first = 0;
			CttBuf		one = {0};

			ctt_gzip_member(doc, split, Z_DEFAULT_COMPRESSION, &one);
			first = one.len;
			ctt_run_stream(z2.p, first, true, CTT_READ_ALL, 0, false, SIZE_MAX, &r);
			CHECK(r.final == CT_STREAM_ERROR, "first member alone (split %zu): %s", split,
				  ctt_run_describe(&r));
			ctt_run_free(&r);
			ctt_buf_free(&one);
		}
		ctt_buf_free(&z2);
	}

	/* Three members, one of them empty. */
	{
		CttBuf		z3 = {0};
		CttRun		r;

		ctt_gzip_member(doc, 10, 1, &z3);
		ctt_gzip_member("", 0, 1, &z3);
		ctt_gzip_member(doc + 10, n - 10, 9, &z3);
		ctt_run_stream(z3.p, z3.len, true, CTT_READ_ONE, 0, false, SIZE_MAX, &r);
		CHECK_DIFF(ctt_compare_runs(&ref, &r, "three members"), doc, n);
		ctt_run_free(&r);
		ctt_buf_free(&z3);
	}

	/* A second member holding a second JSON object. */
	{
		CttBuf		z2 = {0};

		ctt_gzip_member(doc, n, 6, &z2);
		ctt_gzip_member(doc, n, 6, &z2);
		expect_error(z2.p, z2.len, true, CT_ERR_JSON, "unexpected data after the top-level object");
		ctt_buf_free(&z2);
	}

	/* Truncated at every offset: always an error, never a short END. */
	for (size_t cut = 0; cut < z.len; cut++)
	{
		for (int mode = 0; mode < CTT_READ_MODES; mode++)
		{
			CttRun		r;

			ctt_run_stream(z.p, cut, true, mode, cut, false, SIZE_MAX, &r);
			CHECK(r.final == CT_STREAM_ERROR && r.err.kind == CT_ERR_GZIP,
				  "truncated at %zu/%zu: %s", cut, z.len, ctt_run_describe(&r));
			CHECK(strstr(r.err.msg, cut == 0 ? "file is empty" : "truncated") != NULL,
				  "truncated at %zu: %s", cut, r.err.msg);
			ctt_run_free(&r);
		}
	}

	/* Wrong magic, trailing garbage. */
	{
		CttBuf		b = {0};

		ctt_buf_add(&b, z.p, z.len);
		b.p[0] = 0x1e;
		expect_error(b.p, b.len, true, CT_ERR_GZIP, "not in gzip format");
		/*
		 * Only the first byte is checked when a read returns one byte: zlib
		 * then reports the bad second byte.  Either way a gzip error.
		 */
		b.p[0] = 0x1f;
		b.p[1] = (char) 0x8c;
		expect_error(b.p, b.len, true, CT_ERR_GZIP, "not in gzip format|incorrect header check");
		b.p[1] = (char) 0x8b;
		b.p[2] = 7;				/* compression method */
		expect_error(b.p, b.len, true, CT_ERR_GZIP, "unknown compression method");
		b.p[2] = 8;
		expect_error(b.p, 1, true, CT_ERR_GZIP, "truncated");
		expect_error(b.p, 2, true, CT_ERR_GZIP, "truncated");

		ctt_buf_adds(&b, "x");
		expect_error(b.p, b.len, true, CT_ERR_GZIP, "trailing garbage after gzip data");
		b.p[b.len - 1] = '\0';
		expect_error(b.p, b.len, true, CT_ERR_GZIP, "trailing garbage after gzip data");
		b.p[b.len - 1] = 0x1f;
		expect_error(b.p, b.len, true, CT_ERR_GZIP, "truncated");
		ctt_buf_addc(&b, (char) 0x8b);
		expect_error(b.p, b.len, true, CT_ERR_GZIP, "truncated");
		b.p[b.len - 1] = 0x00;
		expect_error(b.p, b.len, true, CT_ERR_GZIP, "trailing garbage after gzip data|incorrect header check");
		ctt_buf_free(&b);
	}

	/* Corrupt deflate data or trailer: every byte after the 10-byte header. */
	for (size_t at = 10; at < z.len; at++)
	{
		for (int x = 0; x < 3; x++)
		{
			CttBuf		b = {0};
			CttRun		r;
			static const unsigned char flips[] = {0xff, 0x01, 0x80};

			ctt_buf_add(&b, z.p, z.len);
			b.p[at] ^= (char) flips[x];
			ctt_run_stream(b.p, b.len, true, (int) (at % CTT_READ_MODES), at, true, SIZE_MAX, &r);
			CHECK(!ctt_run_ok(&r), "corrupt byte %zu (^%02x) read as good: %s", at, flips[x],
				  ctt_run_describe(&r));
			ctt_run_free(&r);
			ctt_buf_free(&b);
		}
	}
	ctt_run_free(&ref);
	ctt_buf_free(&z);
}

/*
 * A record far larger than the read chunk (a 3 MB string), and bounded
 * memory: the window grows with the largest record, not with the file.
 */
static void
test_stream_large(void)
{
	const size_t big = 3 * 1024 * 1024;
	CttBuf		doc = {0};
	CttBuf		z;
	size_t		bigoff;
	size_t		biglen;

	ctt_buf_adds(&doc, "{\"Records\":[{\"a\":1},");
	bigoff = doc.len;
	ctt_buf_adds(&doc, "{\"big\":\"");
	for (size_t i = 0; i < big; i++)
		ctt_buf_addc(&doc, (char) ('a' + (i * 7919) % 26));
	/* a few escapes and braces near the end of the string */
	ctt_buf_adds(&doc, "\\\"}]{[\\\\\",\"n\":[1,2]}");
	biglen = doc.len - bigoff;
	ctt_buf_adds(&doc, ",{\"b\":2}]}");
	z = gz(doc.p, doc.len);

	for (int mode = 0; mode < CTT_READ_MODES; mode++)
	{
		for (int g = 0; g < 2; g++)
		{
			CttRun		r;

			ctt_run_stream(g ? z.p : doc.p, g ? z.len : doc.len, g, mode, 99, false, SIZE_MAX, &r);
			CHECK(ctt_run_ok(&r) && r.nrec == 3, "large: %s", ctt_run_describe(&r));
			if (r.nrec == 3)
				CHECK(r.recs[1].off == bigoff && r.recs[1].len == biglen,
					  "large record at %llu, %zu bytes", (unsigned long long) r.recs[1].off,
					  r.recs[1].len);
			if (g == 0 && mode == 0)
				CHECK_DIFF(ctt_check_stream_oracle(doc.p, doc.len, &r), doc.p, (size_t) 100);
			ctt_run_free(&r);
		}
	}

#ifdef CTT_HEAP_WRAP
	{
		/*
		 * Many small records: 20 MB of file (inflated whole when gzipped),
		 * and 36 MB (more than CT_WHOLE_MAX_OUT: streamed, the window never
		 * grows).
		 */
		CttBuf		manyv[2] = {{0}, {0}};
		CttBuf		zmv[2];
		const int	nmany[2] = {20000, 38000};
		const size_t largest = biglen;

		for (int k = 0; k < 2; k++)
		{
			ctt_buf_adds(&manyv[k], "{\"Records\":[");
			for (int i = 0; i < nmany[k]; i++)
				ctt_buf_addf(&manyv[k], "%s{\"eventName\":\"E%d\",\"pad\":\"%0900d\"}", i ? "," : "", i, i);
			ctt_buf_adds(&manyv[k], "]}");
			zmv[k] = gz(manyv[k].p, manyv[k].len);
		}
		CHECK(zmv[0].len <= CT_WHOLE_MAX_IN && manyv[0].len <= CT_WHOLE_MAX_OUT &&
			  manyv[1].len > CT_WHOLE_MAX_OUT, "memory: file sizes %zu %zu",
			  manyv[0].len, manyv[1].len);

		for (int mode = 0; mode < CTT_READ_MODES; mode++)
		{
			for (int g = 0; g < 2; g++)
			{
				for (int which = 0; which < 3; which++)
				{
					const CttBuf *plain = which == 0 ? &doc : &manyv[which - 1];
					const CttBuf *src = !g ? plain : which == 0 ? &z : &zmv[which - 1];
					bool		whole = g && src->len <= CT_WHOLE_MAX_IN &&
						plain->len <= CT_WHOLE_MAX_OUT;
					CttReader	rd;
					CtStream   *s;
					const char *rp;
					size_t		rl;
					CtError		err;
					size_t		nrec = 0;
					size_t		peak;
					size_t		leaked;
					size_t		bound;
					CtStreamResult res;

					if (which > 0 && mode == CTT_READ_ONE)
						continue;	/* 20 MB one byte at a time: slow and adds nothing */
					memset(&rd, 0, sizeof(rd));
					rd.p = (const unsigned char *) src->p;
					rd.len = src->len;
					rd.mode = mode;
					rd.rng.s = 42;
					rd.fail_at = SIZE_MAX;
					heap_track_start();
					s = ct_stream_open(ctt_read, &rd, g, NULL);
					while ((res = ct_stream_next(s, &rp, &rl, &err)) == CT_STREAM_RECORD)
						nrec++;
					ct_stream_close(s);
					peak = heap_track_stop(&leaked);
					/*
					 * Streamed, the window: 2 x (largest record + chunk) at
					 * most, plus the gzip input chunk and zlib's state (about
					 * 44 kB).  Inflated whole: the JSON, the file's bytes
					 * (read into a buffer that doubles), the initial window
					 * and input chunk.
					 */
					if (whole)
						bound = plain->len + 2 * (src->len > CT_READ_CHUNK ? src->len : CT_READ_CHUNK) +
							3 * CT_READ_CHUNK + 64 * 1024;
					else
						bound = 2 * ((which ? 1024 : largest) + CT_READ_CHUNK) +
							(g ? CT_READ_CHUNK + 64 * 1024 : 0) + 4096;
					/* gzip: the bytes read to try inflating it whole, at most CT_WHOLE_MAX_IN */
					if (g && !whole)
						bound += 2 * src->len < CT_WHOLE_MAX_IN ? 2 * src->len : CT_WHOLE_MAX_IN;
					CHECK(res == CT_STREAM_END && nrec == (which ? (size_t) nmany[which - 1] : 3u),
						  "memory run: %d records, %s", (int) nrec, res == CT_STREAM_END ? "END" : err.msg);
					CHECK(peak <= bound, "memory: peak %zu > bound %zu (mode %d gzip %d file %d)",
						  peak, bound, mode, g, which);
					CHECK(leaked == 0, "memory: %zu bytes not freed", leaked);
					if (getenv("CT_UNIT_VERBOSE"))
						printf("  memory: file %zu bytes%s, largest record %zu, mode %d: peak %zu bytes\n",
							   plain->len, g ? (whole ? " (gzip, whole)" : " (gzip)") : "",
							   which ? (size_t) 950 : largest, mode, peak);
				}
			}
		}
		for (int k = 0; k < 2; k++)
		{
			ctt_buf_free(&manyv[k]);
			ctt_buf_free(&zmv[k]);
		}
	}
#else
	printf("unit: memory-bound measurement skipped (built without CTT_HEAP_WRAP)\n");
#endif
	ctt_buf_free(&doc);
	ctt_buf_free(&z);
}

/* A generated file: envelope keys around Records, records from gen_record. */
static void
gen_doc(Gen *g, CttBuf *b, uint32_t nrec, CttBuf *spans)
{
	uint32_t	before = rnd(g, 3);
	uint32_t	after = rnd(g, 3);

	gen_ws(g, b);
	ctt_buf_addc(b, '{');
	for (uint32_t i = 0; i < before + 1 + after; i++)
	{
		if (i > 0)
			ctt_buf_addc(b, ',');
		gen_newline(g, b, 1);
		if (i == before)
		{
			ctt_buf_adds(b, "\"Records\"");
			gen_ws(g, b);
			ctt_buf_adds(b, g->style == 1 ? ": [" : ":[");
			for (uint32_t r = 0; r < nrec; r++)
			{
				size_t		s;

				if (r > 0)
					ctt_buf_addc(b, ',');
				gen_newline(g, b, 2);
				s = b->len;
				gen_record(g, b, 2);
				if (spans)
				{
					size_t		e = b->len;

					ctt_buf_add(spans, &s, sizeof(s));
					ctt_buf_add(spans, &e, sizeof(e));
				}
				gen_ws(g, b);
			}
			gen_newline(g, b, 1);
			ctt_buf_addc(b, ']');
		}
		else
		{
			/* never "Records" itself: that would be a duplicate */
			if (rnd(g, 4) == 0)
				ctt_buf_adds(b, "\"Records\\u0020\"");
			else if (rnd(g, 2) == 0)
				ctt_buf_addf(b, "\"env%u\"", rnd(g, 5));
			else
				ctt_buf_adds(b, "\"eventVersion\"");
			gen_ws(g, b);
			ctt_buf_addc(b, ':');
			gen_ws(g, b);
			gen_value(g, b, 1);
		}
		gen_ws(g, b);
	}
	gen_newline(g, b, 0);
	ctt_buf_addc(b, '}');
	gen_ws(g, b);
}

static long stream_docs = 0;

/* Generated files: exact records, all readers, gzip; then mutants against jansson. */
static void
test_stream_generated(long ndocs, int mutants)
{
	Gen			g;
	CttBuf		b = {0};
	CttBuf		spans = {0};
	CttBuf		m = {0};
	long		bad_accepted = 0;

	memset(&g, 0, sizeof(g));
	g.rng.s = 777;
	for (long i = 0; i < ndocs; i++)
	{
		CttRun		ref;
		CttRun		r;
		uint32_t	nrec = rnd(&g, 6) == 0 ? 0 : 1 + rnd(&g, 8);
		bool		valid;
		CttBuf		z = {0};
		int			mode = (int) rnd(&g, CTT_READ_MODES);

		g.style = (int) rnd(&g, 3);
		g.maxdepth = 2 + (int) rnd(&g, 5);
		b.len = spans.len = 0;
		gen_doc(&g, &b, nrec, &spans);
		/* good unless a record nests deeper than CT_MAX_DEPTH */
		valid = true;
		for (uint32_t k = 0; k < nrec; k++)
		{
			size_t		s;
			size_t		e;

			memcpy(&s, spans.p + k * 2 * sizeof(size_t), sizeof(size_t));
			memcpy(&e, spans.p + k * 2 * sizeof(size_t) + sizeof(size_t), sizeof(size_t));
			if (ctt_max_depth(b.p + s, e - s) > CT_MAX_DEPTH)
				valid = false;
		}

		ctt_run_stream(b.p, b.len, false, CTT_READ_ALL, 0, true, SIZE_MAX, &ref);
		stream_docs++;
		CHECK(ctt_run_ok(&ref) == valid, "generated file: %s\n    %s", ctt_run_describe(&ref),
			  show(b.p, b.len));
		if (valid && ref.nrec == nrec)
		{
			for (uint32_t k = 0; k < nrec; k++)
			{
				size_t		s;
				size_t		e;

				memcpy(&s, spans.p + k * 2 * sizeof(size_t), sizeof(size_t));
				memcpy(&e, spans.p + k * 2 * sizeof(size_t) + sizeof(size_t), sizeof(size_t));
				CHECK(ref.recs[k].off == s && ref.recs[k].len == e - s,
					  "record %u span %llu+%zu, expected %zu+%zu", k,
					  (unsigned long long) ref.recs[k].off, ref.recs[k].len, s, e - s);
			}
		}
		CHECK_DIFF(ctt_check_stream_oracle(b.p, b.len, &ref), b.p, b.len);

		/* another reader, and gzip in one to three members */
		ctt_run_stream(b.p, b.len, false, mode, (uint64_t) i, false, SIZE_MAX, &r);
		CHECK_DIFF(ctt_compare_runs(&ref, &r, "reader modes"), b.p, b.len);
		ctt_run_free(&r);
		{
			uint32_t	parts = 1 + rnd(&g, 3);
			size_t		pos = 0;
			size_t		zbound[3];	/* compressed end of each member */
			size_t		dbound[3];	/* decompressed end of each member */

			for (uint32_t k = 0; k < parts; k++)
			{
				size_t		e = k + 1 == parts ? b.len : pos + rnd(&g, (uint32_t) (b.len - pos + 1));

				ctt_gzip_member(b.p + pos, e - pos, (int) rnd(&g, 10), &z);
				zbound[k] = z.len;
				dbound[k] = e;
				pos = e;
			}
			ctt_run_stream(z.p, z.len, true, mode, (uint64_t) i + 1, false, SIZE_MAX, &r);
			CHECK_DIFF(ctt_compare_runs(&ref, &r, "gzip"), b.p, b.len);
			ctt_run_free(&r);

			/*
			 * gzip truncated somewhere: an error, unless the cut falls on a
			 * member boundary and only whitespace was left to read.
			 */
			{
				size_t		cut = rnd(&g, (uint32_t) z.len);
				bool		clean = false;

				for (uint32_t k = 0; k < parts; k++)
					if (zbound[k] == cut)
					{
						clean = true;
						for (size_t c = dbound[k]; c < b.len; c++)
							if (!ctt_ws(b.p[c]))
								clean = false;
					}
				ctt_run_stream(z.p, cut, true, mode, (uint64_t) i + 2, false, SIZE_MAX, &r);
				if (clean)
					CHECK_DIFF(ctt_compare_runs(&ref, &r, "gzip cut before whitespace"), b.p, b.len);
				else
					CHECK(r.final == CT_STREAM_ERROR, "gzip cut at %zu of %zu: %s", cut, z.len,
						  ctt_run_describe(&r));
				ctt_run_free(&r);
			}
		}
		ctt_buf_free(&z);
		ctt_run_free(&ref);

		for (int k = 0; k < mutants; k++)
		{
			char	   *c;

			m.len = 0;
			ctt_buf_add(&m, b.p, b.len);
			mutate(&g, &m);
			c = ctt_dup(m.p, m.len);
			ctt_run_stream(c, m.len, false, (int) rnd(&g, CTT_READ_MODES), (uint64_t) k, true,
						   SIZE_MAX, &r);
			stream_docs++;
			CHECK_DIFF(ctt_check_stream_oracle(c, m.len, &r), m.p, m.len);
			if (ctt_run_ok(&r))
				bad_accepted++;
			ctt_run_free(&r);
			free(c);
		}
	}
	if (getenv("CT_UNIT_VERBOSE"))
		printf("  stream mutants still good: %ld\n", bad_accepted);
	ctt_buf_free(&b);
	ctt_buf_free(&spans);
	ctt_buf_free(&m);
}

/* ------------------------------------------------------------------------
 * Real CloudTrail data (test/realdata)
 * ------------------------------------------------------------------------ */

static bool
read_file(const char *path, CttBuf *out)
{
	FILE	   *f = fopen(path, "rb");
	char		tmp[65536];
	size_t		n;

	if (f == NULL)
		return false;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		ctt_buf_add(out, tmp, n);
	fclose(f);
	return true;
}

static void
check_real_file(const char *what, const char *doc, size_t n, size_t want)
{
	CttRun		r;
	CttBuf		z = gz(doc, n);

	ctt_run_stream(doc, n, false, CTT_READ_RANDOM, 1, true, SIZE_MAX, &r);
	CHECK(ctt_run_ok(&r) && r.nrec == want, "%s: %s, expected %zu records", what,
		  ctt_run_describe(&r), want);
	CHECK_DIFF(ctt_check_stream_oracle(doc, n, &r), doc, (size_t) 80);
	/* every record, differentially */
	for (size_t i = 0; i < r.nrec; i++)
		CHECK_DIFF(ctt_check_record(doc + r.recs[i].off, r.recs[i].len, 1000000, &jstats),
				   doc + r.recs[i].off, r.recs[i].len);
	{
		CttRun		rz;

		ctt_run_stream(z.p, z.len, true, CTT_READ_RANDOM, 2, false, SIZE_MAX, &rz);
		CHECK_DIFF(ctt_compare_runs(&r, &rz, what), doc, (size_t) 80);
		ctt_run_free(&rz);
	}
	/* gzip truncated at many offsets */
	for (size_t cut = 0; cut < z.len; cut += 1 + cut / 16)
	{
		CttRun		rt;

		ctt_run_stream(z.p, cut, true, CTT_READ_ALL, 0, false, SIZE_MAX, &rt);
		CHECK(rt.final == CT_STREAM_ERROR && rt.err.kind == CT_ERR_GZIP, "%s cut at %zu: %s",
			  what, cut, ctt_run_describe(&rt));
		ctt_run_free(&rt);
	}
	ctt_run_free(&r);
	ctt_buf_free(&z);
}

static void
test_realdata(const char *dir)
{
	char		path[4096];
	CttBuf		raw = {0};
	CttBuf		doc = {0};
	int			files = 0;

	/* the native trail file, gzip, pretty-printed */
	snprintf(path, sizeof(path), "%s/grafana-lambda-promtail/cloudtrail-log-file.json.gz", dir);
	if (!read_file(path, &raw))
	{
		CHECK(false, "cannot read %s", path);
		return;
	}
	{
		CttRun		r;

		CHECK(ctt_gunzip((unsigned char *) raw.p, raw.len, SIZE_MAX, &doc) == 0, "gunzip %s", path);
		ctt_run_stream(raw.p, raw.len, true, CTT_READ_ONE, 0, true, SIZE_MAX, &r);
		CHECK(ctt_run_ok(&r) && r.nrec == 2, "%s: %s", path, ctt_run_describe(&r));
		CHECK_DIFF(ctt_check_stream_oracle(doc.p, doc.len, &r), doc.p, (size_t) 80);
		ctt_run_free(&r);
		for (size_t cut = 0; cut < raw.len; cut++)
		{
			ctt_run_stream(raw.p, cut, true, (int) (cut % CTT_READ_MODES), cut, false, SIZE_MAX, &r);
			CHECK(r.final == CT_STREAM_ERROR && r.err.kind == CT_ERR_GZIP, "real gzip cut at %zu: %s",
				  cut, ctt_run_describe(&r));
			ctt_run_free(&r);
		}
		check_real_file("grafana", doc.p, doc.len, 2);
		files++;
	}

	/* stratus-red-team: JSON arrays of records, wrapped as {"Records": ...} */
	{
		static const char *const names[] = {
			"aws.credential-access.ec2-get-password-data.json",
			"aws.persistence.iam-backdoor-role.json",
			"aws.persistence.sts-federation-token.json",
			"aws.persistence.rolesanywhere-create-trust-anchor.json",
			"aws.execution.ssm-send-command.json",
			"aws.initial-access.console-login-without-mfa.json",
		};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		{
			json_t	   *arr;

			raw.len = doc.len = 0;
			snprintf(path, sizeof(path), "%s/stratus-red-team/%s", dir, names[i]);
			if (!read_file(path, &raw))
			{
				CHECK(false, "cannot read %s", path);
				continue;
			}
			arr = json_loadb(raw.p, raw.len, 0, NULL);
			CHECK(arr && json_is_array(arr), "%s is a JSON array", path);
			/* as a plain array it is a layout error */
			expect_error(raw.p, raw.len, false, CT_ERR_LAYOUT, "JSON array");
			ctt_buf_adds(&doc, "{\"Records\":");
			ctt_buf_add(&doc, raw.p, raw.len);
			ctt_buf_adds(&doc, "}\n");
			check_real_file(names[i], doc.p, doc.len, json_array_size(arr));
			json_decref(arr);
			files++;
		}
	}

	/* OTRF: NDJSON, one record per line, wrapped after other envelope keys */
	{
		size_t		nlines = 0;

		raw.len = doc.len = 0;
		snprintf(path, sizeof(path), "%s/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json", dir);
		if (read_file(path, &raw))
		{
			const char *p = raw.p;
			const char *end = raw.p + raw.len;

			ctt_buf_adds(&doc, "{\"x\":{\"Records\":[]},\"Records\":[\n");
			while (p < end)
			{
				const char *nl = memchr(p, '\n', end - p);
				size_t		l = nl ? (size_t) (nl - p) : (size_t) (end - p);

				if (l > 0)
				{
					if (nlines++)
						ctt_buf_adds(&doc, ",\n");
					ctt_buf_add(&doc, p, l);
				}
				p += l + 1;
			}
			ctt_buf_adds(&doc, "\n],\"y\":[\"}\"]}");
			check_real_file("otrf", doc.p, doc.len, nlines);
			files++;
		}
		else
			CHECK(false, "cannot read %s", path);
	}
	CHECK(files == 8, "real files read: %d", files);
	ctt_buf_free(&raw);
	ctt_buf_free(&doc);
}

/* ------------------------------------------------------------------------
 * Regression inputs, checked as records and inside files.  No fuzzing run
 * has found a bug in ct_stream.c or ct_json.c so far; these are inputs on
 * which an earlier version of the jansson comparison itself was wrong
 * (see ct_testlib.h): ct_json must reject all of them.
 * ------------------------------------------------------------------------ */

static void
test_regressions(void)
{
	static const struct
	{
		const char *text;
		size_t		len;
	}			reg[] = {
		/* jansson skips a raw NUL right after a number or literal */
		{S("{\"k0\":4\0}")},
		{S("{\"a\":[true\0]}")},
		/* an overflowing number patched for jansson must not join its neighbours */
		{S("{\"k\": 74-1234567890123456789068}")},
		{S("{\"k\": 1e4000.2895}")},
		{S("{\"k\": 836072861269321553611e40016.1146}")},
	};

	for (size_t i = 0; i < sizeof(reg) / sizeof(reg[0]); i++)
	{
		CttRun		r;
		CtError		err;
		CttBuf		doc = {0};

		CHECK(!ct_valid(reg[i].text, reg[i].len, &err), "regression %zu accepted", i);
		diff_record(reg[i].text, reg[i].len);
		ctt_buf_adds(&doc, "{\"Records\":[");
		ctt_buf_add(&doc, reg[i].text, reg[i].len);
		ctt_buf_adds(&doc, "]}");
		{
			char	   *c = ctt_dup(doc.p, doc.len);

			ctt_run_stream(c, doc.len, false, CTT_READ_RANDOM, i, true, SIZE_MAX, &r);
			CHECK(!ctt_run_ok(&r), "regression %zu read as good", i);
			CHECK_DIFF(ctt_check_stream_oracle(c, doc.len, &r), c, doc.len);
			ctt_run_free(&r);
			free(c);
		}
		ctt_buf_free(&doc);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define RUN(fn) \
	do { \
		double t0_ = now(); \
		long c0_ = checks; \
		fn; \
		if (getenv("CT_UNIT_VERBOSE")) \
			printf("  %-40s %8ld checks %6.2f s\n", #fn, checks - c0_, now() - t0_); \
	} while (0)

int
main(int argc, char **argv)
{
	const char *realdata = argc > 1 ? argv[1] : "test/realdata";
	long		nbase = 20000;
	double		t0 = now();

	json_object_seed(12345);
	if (getenv("CT_UNIT_SCALE"))
		nbase = atol(getenv("CT_UNIT_SCALE"));

	RUN(test_json_table());
	RUN(test_json_depth());
	RUN(test_json_values());
	RUN(test_json_generated(nbase, 4));
	RUN(test_stream_layouts());
	RUN(test_stream_offsets());
	RUN(test_stream_deep());
	RUN(test_stream_io_error());
	RUN(test_stream_gzip());
	RUN(test_stream_large());
	RUN(test_stream_generated(nbase / 10, 4));
	RUN(test_realdata(realdata));
	RUN(test_regressions());

	printf("unit: json cases %ld (valid %ld, invalid %ld, content-compared %ld; "
		   "documented differences: %ld patched for jansson, %ld depth), stream files %ld\n",
		   jstats.cases, jstats.valid, jstats.invalid, jstats.compared, jstats.patched,
		   jstats.depth_diff, stream_docs);
	if (failures)
	{
		printf("unit: %ld of %ld checks FAILED (%.1f s)\n", failures, checks, now() - t0);
		return 1;
	}
	printf("unit: %ld checks passed (%.1f s)\n", checks, now() - t0);
	return 0;
}
