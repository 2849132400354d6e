/*-------------------------------------------------------------------------
 *
 * ct_stream.c
 *		Decompress one log file (whole with libdeflate, or as a zlib stream)
 *		and split the records of its {"Records":[...]} envelope one at a time.
 *
 * The splitter only tracks strings and nesting to find where a record ends;
 * every record it returns is validated in full by ct_json.c before any value
 * is used (in the same pass, when the caller asks for records indexed and
 * the file is in memory), and the envelope around the records is checked
 * here, so no malformed byte goes unnoticed.
 *
 * Nothing here calls ereport: failures come back as CtError so the caller can
 * name the file and apply on_error.  Works in the backend and stand-alone.
 *
 *-------------------------------------------------------------------------
 */
#include "ct_port.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "ct_json.h"
#include "ct_stream.h"

typedef enum SplitState
{
	ST_BEGIN,					/* before the opening '{' */
	ST_ENV_KEY_FIRST,			/* after '{': a key or '}' */
	ST_ENV_KEY,					/* after ',': a key */
	ST_ENV_COLON,				/* after a key */
	ST_ENV_VALUE,				/* after ':' */
	ST_ENV_SKIP,				/* inside the value of another envelope key */
	ST_ENV_SEP,					/* after an envelope value: ',' or '}' */
	ST_REC_FIRST,				/* after "Records":[ */
	ST_REC_ELEM,				/* after ',' inside Records */
	ST_REC_SCAN,				/* inside a record */
	ST_REC_SEP,					/* after a record: ',' or ']' */
	ST_TRAILER					/* after the closing '}': only whitespace */
} SplitState;

struct CtStream
{
	CtReadFn	readfn;
	void	   *readarg;
	bool		gzip;

	/* gzip input side */
	z_stream	z;
	bool		z_ready;		/* inflateInit2 done */
	bool		z_in_member;	/* inside a gzip member */
	bool		in_eof;			/* readfn returned 0 */
	unsigned char *inbuf;

	/* every decompressed byte goes to out_fn too, if set */
	CtOutputFn	out_fn;
	void	   *out_arg;

	/* whole-file inflation (see inflate_whole) */
	bool		whole_tried;
	bool		whole;			/* buf is bufs->out, the whole decompressed file */
	CtStreamBuffers *bufs;		/* the caller's, or own */
	CtStreamBuffers own;

	/* decompressed window: buf[keep, end) is still needed */
	char	   *buf;
	size_t		cap;
	size_t		keep;			/* first byte still needed */
	size_t		pos;			/* state machine cursor */
	size_t		end;			/* end of valid data */
	uint64_t	base;			/* stream offset of buf[0] */
	bool		out_eof;		/* no more data will come */

	/* records indexed while they are split (see ct_stream_set_index) */
	CtRecord   *index;
	bool		indexed;		/* the record last returned is in *index */

	SplitState	state;
	bool		key_is_records;
	bool		seen_records;

	/* incremental scan of one value (a record, or an envelope value) */
	size_t		vstart;
	int			vdepth;
	bool		vin_str;
	bool		vesc;
	bool		vscalar;

	CtStreamStats stats;
	CtMemCxt	cxt;			/* where zlib allocates */
};

/* bytes that need attention while skipping a value outside strings */
static bool outside_special[256];
static bool tables_ready = false;

static void
init_tables(void)
{
	if (tables_ready)
		return;
	memset(outside_special, 0, sizeof(outside_special));
	outside_special[(unsigned char) '"'] = true;
	outside_special[(unsigned char) '{'] = true;
	outside_special[(unsigned char) '}'] = true;
	outside_special[(unsigned char) '['] = true;
	outside_special[(unsigned char) ']'] = true;
	tables_ready = true;
}

void
ct_error_set(CtError *err, CtErrorKind kind, uint64_t offset, const char *fmt,...)
{
	va_list		ap;

	err->kind = kind;
	err->offset = offset;
	err->sqlerrcode = 0;
	err->record = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/*
 * zlib allocates its window on the first inflate(), which runs in whatever
 * context the caller is in then (a per-record one, in the backend): allocate
 * in the context the stream was opened in instead.
 */
static voidpf
ct_zalloc(voidpf opaque, uInt items, uInt size)
{
	(void) opaque;
	return ct_alloc_in((CtMemCxt) opaque, (size_t) items * size);
}

static void
ct_zfree(voidpf opaque, voidpf address)
{
	(void) opaque;
	ct_free(address);
}

/*
 * Opens a stream over readfn.  bufs (may be NULL) are buffers kept by the
 * caller across files; the window and the zlib input chunk are allocated
 * only if the file is streamed.
 */
CtStream *
ct_stream_open(CtReadFn readfn, void *arg, bool gzip, CtStreamBuffers *bufs)
{
	CtStream   *s = ct_alloc(sizeof(CtStream));

	init_tables();
	memset(s, 0, sizeof(CtStream));
	s->cxt = ct_current_cxt();
	s->readfn = readfn;
	s->readarg = arg;
	s->gzip = gzip;
	s->own.cxt = s->cxt;
	s->bufs = bufs ? bufs : &s->own;
	s->state = ST_BEGIN;
	return s;
}

void
ct_stream_close(CtStream *s)
{
	if (s == NULL)
		return;
	if (s->z_ready)
		inflateEnd(&s->z);
	if (s->inbuf)
		ct_free(s->inbuf);
	if (s->buf && !s->whole)
		ct_free(s->buf);
	if (s->own.in)
		ct_free(s->own.in);
	if (s->own.out)
		ct_free(s->own.out);
	ct_free(s);
}

void
ct_stream_stats(const CtStream *s, CtStreamStats *stats)
{
	*stats = s->stats;
}

/* Make room for at least one more chunk, moving or growing the window. */
static bool
make_room(CtStream *s, CtError *err)
{
	if (s->buf == NULL)
	{
		s->cap = 2 * CT_READ_CHUNK;
		s->buf = ct_alloc_in(s->cxt, s->cap);
	}
	if (s->keep > 0 && s->cap - s->end < CT_READ_CHUNK)
	{
		size_t		shift = s->keep;

		memmove(s->buf, s->buf + shift, s->end - shift);
		s->end -= shift;
		s->pos -= shift;
		if (s->vstart >= shift)
			s->vstart -= shift;
		s->keep = 0;
		s->base += shift;
	}
	if (s->cap - s->end < CT_READ_CHUNK)
	{
		size_t		need = s->end + CT_READ_CHUNK;
		size_t		newcap = s->cap * 2;

		if (need > CT_MAX_ALLOC)
		{
			ct_error_set(err, CT_ERR_LIMIT, s->base + s->keep,
						 "record larger than %zu bytes", (size_t) CT_MAX_RECORD_SIZE);
			return false;
		}
		if (newcap < need)
			newcap = need;
		if (newcap > CT_MAX_ALLOC)
			newcap = CT_MAX_ALLOC;
		s->buf = ct_realloc(s->buf, newcap);
		s->cap = newcap;
	}
	return true;
}

static long
read_some(CtStream *s, void *buf, size_t len, CtError *err)
{
	long		n;

	CT_CHECK_INTERRUPTS();
	errno = 0;
	n = s->readfn(s->readarg, buf, len);
	if (n < 0)
	{
		err->kind = CT_ERR_IO;
		err->errnum = errno;
		err->offset = s->stats.bytes_in;
		snprintf(err->msg, sizeof(err->msg), "could not read file: %s", strerror(errno));
		return -1;
	}
	s->stats.bytes_in += n;
	return n;
}

/* The gzip trailer's ISIZE: the uncompressed size of the last member, mod 2^32. */
static size_t
gzip_isize(const unsigned char *end)
{
	return (size_t) end[-4] | (size_t) end[-3] << 8 |
		(size_t) end[-2] << 16 | (size_t) end[-1] << 24;
}

/*
 * Inflate the members of in[0, inlen) into out[*produced, *outcap) with
 * libdeflate, growing out (up to CT_WHOLE_MAX_OUT) when it is too small.
 * False if libdeflate cannot or should not take it: zlib will then.
 */
static bool
inflate_members(const unsigned char *in, size_t inlen,
				unsigned char **out, size_t *outcap, size_t *produced,
				uint64_t *members)
{
	size_t		off = 0;

	*members = 0;

	while (off < inlen)
	{
		struct libdeflate_decompressor *d;
		enum libdeflate_result r;
		size_t		used = 0;
		size_t		got = 0;

		/*
		 * Leave to zlib what it reports better or checks more: a member too
		 * short or without the gzip magic (trailing garbage, an empty file),
		 * and a header CRC (FHCRC), which libdeflate skips unchecked.
		 */
		if (inlen - off < 18 || in[off] != 0x1f || in[off + 1] != 0x8b ||
			(in[off + 3] & 0x02) != 0)
			return false;

		/* allocated and freed with no error exit between: it uses malloc */
		d = libdeflate_alloc_decompressor();
		if (d == NULL)
			return false;
		r = libdeflate_gzip_decompress_ex(d, in + off, inlen - off,
										  *out + *produced, *outcap - *produced,
										  &used, &got);
		libdeflate_free_decompressor(d);

		if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
		{
			if (*outcap >= CT_WHOLE_MAX_OUT)
				return false;
			*outcap = *outcap * 2 < CT_WHOLE_MAX_OUT ? *outcap * 2 : CT_WHOLE_MAX_OUT;
			*out = ct_realloc(*out, *outcap);
			continue;			/* this member again */
		}
		if (r != LIBDEFLATE_SUCCESS)
			return false;
		off += used;
		*produced += got;
		(*members)++;
	}
	return true;
}

/*
 * Nearly every CloudTrail file is small (well under a megabyte compressed):
 * read it whole and inflate it in one call of libdeflate, which is about
 * twice as fast as zlib's streaming inflate with its CRC (README, "Speed").
 * What libdeflate does not take -- a file too large to hold, a header CRC,
 * any error -- goes on with the streaming zlib path, given the bytes read
 * here, so its checks and messages are the only ones a bad file meets.
 * Returns 1 when buf holds the whole file, 0 to go on with zlib, -1 on a
 * read error.
 */
static int
inflate_whole(CtStream *s, CtError *err)
{
	CtStreamBuffers *b = s->bufs;
	size_t		inlen = 0;
	size_t		need;
	size_t		produced = 0;

	s->whole_tried = true;
	/* in the buffers' context: this runs in the caller's per-record one */
	if (b->in == NULL)
	{
		b->incap = CT_READ_CHUNK;
		b->in = ct_alloc_in(b->cxt, b->incap);
	}
	for (;;)
	{
		long		n;

		if (inlen == b->incap)
		{
			if (b->incap >= CT_WHOLE_MAX_IN)
			{
				/* too large to hold: zlib streams it, starting with these */
				s->z.next_in = b->in;
				s->z.avail_in = (uInt) inlen;
				return 0;
			}
			b->incap *= 2;
			b->in = ct_realloc(b->in, b->incap);
		}
		n = read_some(s, b->in + inlen, b->incap - inlen, err);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		inlen += n;
	}
	s->in_eof = true;
	s->z.next_in = b->in;
	s->z.avail_in = (uInt) inlen;

	if (inlen < 18)
		return 0;
	need = gzip_isize(b->in + inlen);
	if (need > CT_WHOLE_MAX_OUT)
		return 0;
	if (need < 1024)
		need = 1024;
	if (b->out == NULL)
	{
		b->outcap = need;
		b->out = ct_alloc_in(b->cxt, b->outcap);
	}
	else if (b->outcap < need)
	{
		b->outcap = need;
		b->out = ct_realloc(b->out, b->outcap);
	}
	if (!inflate_members(b->in, inlen, &b->out, &b->outcap, &produced, &s->stats.members))
	{
		s->stats.members = 0;
		return 0;
	}
	if (s->out_fn)
		s->out_fn(s->out_arg, b->out, produced);

	s->buf = (char *) b->out;
	s->cap = b->outcap;
	s->end = produced;
	s->stats.bytes_out = produced;
	s->whole = true;
	s->z.next_in = NULL;
	s->z.avail_in = 0;
	return produced > 0 ? 1 : 0;
}

/*
 * Append decompressed data to the window.  Returns 1 when data was added,
 * 0 at a clean end of input, -1 on error.
 */
static int
fill(CtStream *s, CtError *err)
{
	if (s->whole)
		return 0;				/* it is all in buf already */
	if (s->gzip && !s->whole_tried)
	{
		int			r = inflate_whole(s, err);

		if (r != 0)
			return r;
		if (s->whole)
			return 0;			/* a file of no JSON bytes */
	}
	if (!make_room(s, err))
		return -1;

	if (!s->gzip)
	{
		long		n = read_some(s, s->buf + s->end, s->cap - s->end, err);

		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (s->out_fn)
			s->out_fn(s->out_arg, s->buf + s->end, n);
		s->end += n;
		s->stats.bytes_out += n;
		return 1;
	}

	for (;;)
	{
		size_t		room;
		size_t		produced;
		int			ret;

		/*
		 * Also here, not only per read: 256 kB of gzip can inflate to 256 MB
		 * (a run of blanks), and a file of up to 4 MB is read in one go.
		 */
		CT_CHECK_INTERRUPTS();
		if (s->z.avail_in == 0 && !s->in_eof)
		{
			long		n;

			if (s->inbuf == NULL)
				s->inbuf = ct_alloc_in(s->cxt, CT_READ_CHUNK);
			n = read_some(s, s->inbuf, CT_READ_CHUNK, err);

			if (n < 0)
				return -1;
			if (n == 0)
				s->in_eof = true;
			s->z.next_in = s->inbuf;
			s->z.avail_in = (uInt) n;
		}

		if (!s->z_in_member)
		{
			/* At the start of the file or after a member: another member, or the end. */
			if (s->z.avail_in == 0)
			{
				if (!s->in_eof)
					continue;
				if (s->stats.bytes_in == 0)
				{
					ct_error_set(err, CT_ERR_GZIP, 0, "file is empty (0 bytes)");
					return -1;
				}
				return 0;
			}
			if (s->z.next_in[0] != 0x1f ||
				(s->z.avail_in > 1 && s->z.next_in[1] != 0x8b))
			{
				if (s->z_ready)
					ct_error_set(err, CT_ERR_GZIP, s->stats.bytes_in - s->z.avail_in,
								 "trailing garbage after gzip data");
				else
					ct_error_set(err, CT_ERR_GZIP, 0, "not in gzip format");
				return -1;
			}
			if (!s->z_ready)
			{
				s->z.zalloc = ct_zalloc;
				s->z.zfree = ct_zfree;
				s->z.opaque = (voidpf) s->cxt;
				if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
				{
					ct_error_set(err, CT_ERR_GZIP, 0, "could not initialize zlib");
					return -1;
				}
				s->z_ready = true;
			}
			else if (inflateReset(&s->z) != Z_OK)
			{
				ct_error_set(err, CT_ERR_GZIP, 0, "could not reset zlib");
				return -1;
			}
			s->z_in_member = true;
			s->stats.members++;
		}

		if (s->z.avail_in == 0 && s->in_eof)
		{
			ct_error_set(err, CT_ERR_GZIP, s->stats.bytes_in,
						 "unexpected end of gzip data (truncated file)");
			return -1;
		}

		room = s->cap - s->end;
		s->z.next_out = (Bytef *) (s->buf + s->end);
		s->z.avail_out = (uInt) (room > 0x7fffffff ? 0x7fffffff : room);
		room = s->z.avail_out;
		ret = inflate(&s->z, Z_NO_FLUSH);
		produced = room - s->z.avail_out;
		if (s->out_fn && produced > 0)
			s->out_fn(s->out_arg, s->buf + s->end, produced);
		s->end += produced;
		s->stats.bytes_out += produced;

		if (ret == Z_STREAM_END)
			s->z_in_member = false;
		else if (ret != Z_OK && ret != Z_BUF_ERROR)
		{
			ct_error_set(err, CT_ERR_GZIP, s->stats.bytes_in - s->z.avail_in,
						 "%s",
						 s->z.msg ? s->z.msg : "unknown zlib error");
			return -1;
		}
		if (produced > 0)
			return 1;
	}
}

/*
 * Make sure buf[pos] is available.  Returns 1 if so, 0 at end of data,
 * -1 on error.
 */
static inline int
need_byte(CtStream *s, CtError *err)
{
	while (s->pos >= s->end)
	{
		int			r;

		if (s->out_eof)
			return 0;
		r = fill(s, err);
		if (r < 0)
			return -1;
		if (r == 0)
			s->out_eof = true;
	}
	return 1;
}

/* Skip JSON whitespace; same return convention as need_byte. */
static inline int
skip_ws(CtStream *s, CtError *err)
{
	for (;;)
	{
		int			r = need_byte(s, err);
		char		c;

		if (r <= 0)
			return r;
		c = s->buf[s->pos];
		if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
			return 1;
		s->pos++;
		s->keep = s->pos;
	}
}

/*
 * A UTF-8 byte-order mark at the very start (files that went through some
 * Windows tools have one) is skipped.  Returns -1 on error, else 0.
 */
static int
skip_bom(CtStream *s, CtError *err)
{
	while (s->base + s->end < 3 && !s->out_eof)
	{
		int			r = fill(s, err);

		if (r < 0)
			return -1;
		if (r == 0)
			s->out_eof = true;
	}
	if (s->base == 0 && s->pos == 0 && s->end >= 3 &&
		(unsigned char) s->buf[0] == 0xEF && (unsigned char) s->buf[1] == 0xBB &&
		(unsigned char) s->buf[2] == 0xBF)
	{
		s->pos = 3;
		s->keep = 3;
	}
	return 0;
}

static void
begin_value(CtStream *s)
{
	char		c = s->buf[s->pos];

	s->vstart = s->pos;
	s->vdepth = 0;
	s->vin_str = false;
	s->vesc = false;
	s->vscalar = !(c == '{' || c == '[' || c == '"');
}

/*
 * Continue scanning the value that begins at vstart.  Returns 1 once its end
 * is reached (pos is just past it), 0 at end of data before that, -1 on error.
 */
static int
scan_value(CtStream *s, CtError *err)
{
	for (;;)
	{
		const unsigned char *p = (const unsigned char *) s->buf + s->pos;
		const unsigned char *e = (const unsigned char *) s->buf + s->end;
		int			r;

		if (s->vscalar)
		{
			while (p < e)
			{
				unsigned char c = *p;

				if (c == ',' || c == ']' || c == '}' || c == ' ' ||
					c == '\n' || c == '\r' || c == '\t')
				{
					s->pos = (const char *) p - s->buf;
					return 1;
				}
				p++;
			}
		}
		else
		{
			/* the state lives in locals in the loop; saved when it ends */
			bool		in_str = s->vin_str;
			bool		esc = s->vesc;
			int			depth = s->vdepth;

			while (p < e)
			{
				unsigned char c;

				if (in_str)
				{
					if (esc)
					{
						esc = false;
						p++;
						continue;
					}
					/* skip the plain run of the string at once */
					p = ct_find_string_special(p, e, false);
					if (p == e)
						break;
					if (*p++ == '\\')
						esc = true;
					else
					{
						in_str = false;
						if (depth == 0)
						{
							/* the value was a plain string */
							s->vin_str = false;
							s->pos = (const char *) p - s->buf;
							return 1;
						}
					}
					continue;
				}
				c = *p++;
				if (!outside_special[c])
					continue;
				if (c == '"')
					in_str = true;
				else if (c == '{' || c == '[')
				{
					if (++depth > CT_MAX_DEPTH)
					{
						ct_error_set(err, CT_ERR_LIMIT,
									 s->base + ((const char *) p - s->buf) - 1,
									 "JSON nesting depth exceeds %d", CT_MAX_DEPTH);
						return -1;
					}
				}
				else if (--depth <= 0)
				{
					s->vdepth = depth;
					s->vin_str = in_str;
					s->vesc = esc;
					s->pos = (const char *) p - s->buf;
					return 1;
				}
			}
			s->vin_str = in_str;
			s->vesc = esc;
			s->vdepth = depth;
		}
		s->pos = s->end;
		if (s->pos - s->vstart > CT_MAX_RECORD_SIZE)
		{
			ct_error_set(err, CT_ERR_LIMIT, s->base + s->vstart,
						 "record larger than %zu bytes", (size_t) CT_MAX_RECORD_SIZE);
			return -1;
		}
		r = need_byte(s, err);
		if (r <= 0)
		{
			/* a number may legitimately end at the end of data */
			if (r == 0 && s->vscalar)
				return 1;
			return r;
		}
	}
}

static CtStreamResult
json_error(CtStream *s, CtError *err, const char *what)
{
	ct_error_set(err, CT_ERR_JSON, s->base + s->pos, "%s", what);
	return CT_STREAM_ERROR;
}

static CtStreamResult
eof_error(CtStream *s, CtError *err)
{
	if (s->state == ST_BEGIN)
		ct_error_set(err, CT_ERR_JSON, s->base + s->pos, "file holds no JSON data");
	else
		ct_error_set(err, CT_ERR_JSON, s->base + s->pos,
					 "unexpected end of data (truncated file?)");
	return CT_STREAM_ERROR;
}

/*
 * Find the end of the key string that starts at pos (a '"').  keep == pos
 * here, so offsets relative to pos survive a move of the window.  Returns 1
 * with *keyend set, 0 at end of data, -1 on error.
 */
static int
scan_key(CtStream *s, size_t *keyend, CtError *err)
{
	size_t		rel = 1;

	for (;;)
	{
		size_t		i = s->pos + rel;
		int			r;

		while (i < s->end)
		{
			char		c = s->buf[i];

			if (c == '\\')
				i += 2;
			else if (c == '"')
			{
				*keyend = i + 1;
				return 1;
			}
			else
				i++;
		}
		rel = i - s->pos;
		if (s->out_eof)
			return 0;
		r = fill(s, err);
		if (r < 0)
			return -1;
		if (r == 0)
		{
			s->out_eof = true;
			return 0;
		}
	}
}

static CtStreamResult stream_next(CtStream *s, const char **rec, size_t *len,
								  CtError *err);

/*
 * Skips whitespace to the next token.  false at an error or the end of the
 * data, with *res the result to return.
 */
static inline bool
at_token(CtStream *s, CtError *err, CtStreamResult *res)
{
	int			r = skip_ws(s, err);

	if (r > 0)
		return true;
	*res = r < 0 ? CT_STREAM_ERROR : eof_error(s, err);
	return false;
}

/*
 * After a value inside an object or array: ',' leads to after_comma, the
 * closing character to after_close, anything else is an error.
 */
static bool
separator(CtStream *s, CtError *err, char close, SplitState after_comma,
		  SplitState after_close, const char *expected, CtStreamResult *res)
{
	if (!at_token(s, err, res))
		return false;
	if (s->buf[s->pos] == ',')
		s->state = after_comma;
	else if (s->buf[s->pos] == close)
		s->state = after_close;
	else
	{
		*res = json_error(s, err, expected);
		return false;
	}
	s->pos++;
	s->keep = s->pos;
	return true;
}

/*
 * The next record of the file, valid until the next call.  An error inside
 * the Records array names the record it is in.
 */
CtStreamResult
ct_stream_next(CtStream *s, const char **rec, size_t *len, CtError *err)
{
	CtStreamResult r = stream_next(s, rec, len, err);

	if (r == CT_STREAM_ERROR)
		err->record = (s->state == ST_REC_ELEM || s->state == ST_REC_FIRST ||
					   s->state == ST_REC_SCAN) ? s->stats.records : 0;
	return r;
}

static CtStreamResult
stream_next(CtStream *s, const char **rec, size_t *len, CtError *err)
{
	CtStreamResult res;
	int			r;

	for (;;)
	{
		switch (s->state)
		{
			case ST_BEGIN:
				r = skip_bom(s, err);
				if (r < 0)
					return CT_STREAM_ERROR;
				if (!at_token(s, err, &res))
					return res;
				if (s->buf[s->pos] == '[')
				{
					ct_error_set(err, CT_ERR_LAYOUT, s->base + s->pos,
								 "file holds a JSON array, not an object with a \"Records\" array");
					return CT_STREAM_ERROR;
				}
				if (s->buf[s->pos] != '{')
					return json_error(s, err, "expected '{' at the start of the file");
				s->pos++;
				s->keep = s->pos;
				s->state = ST_ENV_KEY_FIRST;
				break;

			case ST_ENV_KEY_FIRST:
			case ST_ENV_KEY:
				{
					size_t		keyend;
					CtValue		key;

					if (!at_token(s, err, &res))
						return res;
					if (s->state == ST_ENV_KEY_FIRST && s->buf[s->pos] == '}')
					{
						s->pos++;
						s->keep = s->pos;
						s->state = ST_TRAILER;
						break;
					}
					if (s->buf[s->pos] != '"')
						return json_error(s, err, "expected a string key in the top-level object");
					r = scan_key(s, &keyend, err);
					if (r <= 0)
						return r < 0 ? CT_STREAM_ERROR : eof_error(s, err);
					if (!ct_json_validate(s->buf + s->pos, keyend - s->pos, err))
					{
						err->offset += s->base + s->pos;
						return CT_STREAM_ERROR;
					}
					key.p = s->buf + s->pos;
					key.len = keyend - s->pos;
					key.type = CT_JSON_STRING;
					key.escaped = memchr(key.p, '\\', key.len) != NULL;
					s->key_is_records = ct_json_string_equals(&key, "Records", 7, false);
					s->pos = keyend;
					s->keep = s->pos;
					s->state = ST_ENV_COLON;
					break;
				}

			case ST_ENV_COLON:
				if (!at_token(s, err, &res))
					return res;
				if (s->buf[s->pos] != ':')
					return json_error(s, err, "expected ':' after a key");
				s->pos++;
				s->keep = s->pos;
				s->state = ST_ENV_VALUE;
				break;

			case ST_ENV_VALUE:
				if (!at_token(s, err, &res))
					return res;
				if (s->key_is_records)
				{
					if (s->seen_records)
					{
						ct_error_set(err, CT_ERR_LAYOUT, s->base + s->pos,
									 "duplicate \"Records\" key");
						return CT_STREAM_ERROR;
					}
					if (s->buf[s->pos] != '[')
					{
						ct_error_set(err, CT_ERR_LAYOUT, s->base + s->pos,
									 "\"Records\" is not an array");
						return CT_STREAM_ERROR;
					}
					s->seen_records = true;
					s->pos++;
					s->keep = s->pos;
					s->state = ST_REC_FIRST;
					break;
				}
				begin_value(s);
				s->state = ST_ENV_SKIP;
				break;

			case ST_ENV_SKIP:
				r = scan_value(s, err);
				if (r <= 0)
					return r < 0 ? CT_STREAM_ERROR : eof_error(s, err);
				if (!ct_json_validate(s->buf + s->vstart, s->pos - s->vstart, err))
				{
					err->offset += s->base + s->vstart;
					return CT_STREAM_ERROR;
				}
				s->keep = s->pos;
				s->state = ST_ENV_SEP;
				break;

			case ST_ENV_SEP:
				if (!separator(s, err, '}', ST_ENV_KEY, ST_TRAILER,
							   "expected ',' or '}' in the top-level object", &res))
					return res;
				break;

			case ST_REC_FIRST:
			case ST_REC_ELEM:
				{
					char		c;

					if (!at_token(s, err, &res))
						return res;
					c = s->buf[s->pos];
					if (c == ']' && s->state == ST_REC_FIRST)
					{
						s->pos++;
						s->keep = s->pos;
						s->state = ST_ENV_SEP;
						break;
					}
					s->stats.records++;
					if (c != '{')
					{
						if (c == '"' || c == '[' || c == '-' || (c >= '0' && c <= '9') ||
							c == 't' || c == 'f' || c == 'n')
						{
							ct_error_set(err, CT_ERR_LAYOUT, s->base + s->pos,
										 "record is not a JSON object");
							return CT_STREAM_ERROR;
						}
						return json_error(s, err, "expected a record in the \"Records\" array");
					}
					begin_value(s);
					s->state = ST_REC_SCAN;
					break;
				}

			case ST_REC_SCAN:
				s->indexed = false;
				if (s->index && s->whole && s->pos == s->vstart)
				{
					CtError		ierr;
					size_t		used;

					/*
					 * The whole file is in buf: validate and index the record
					 * as the way to find its end.  A bad record goes the
					 * usual way below, so it is reported as it always is.
					 */
					if (ct_json_index_prefix(s->buf + s->vstart, s->end - s->vstart,
											 s->index, &used, &ierr))
					{
						s->pos = s->vstart + used;
						s->indexed = true;
						*rec = s->buf + s->vstart;
						*len = used;
						s->keep = s->pos;
						s->state = ST_REC_SEP;
						return CT_STREAM_RECORD;
					}
				}
				r = scan_value(s, err);
				if (r <= 0)
					return r < 0 ? CT_STREAM_ERROR : eof_error(s, err);
				*rec = s->buf + s->vstart;
				*len = s->pos - s->vstart;
				s->keep = s->pos;
				s->state = ST_REC_SEP;
				return CT_STREAM_RECORD;

			case ST_REC_SEP:
				if (!separator(s, err, ']', ST_REC_ELEM, ST_ENV_SEP,
							   "expected ',' or ']' after a record", &res))
					return res;
				break;

			case ST_TRAILER:
				r = skip_ws(s, err);
				if (r < 0)
					return CT_STREAM_ERROR;
				if (r > 0)
				{
					ct_error_set(err, CT_ERR_JSON, s->base + s->pos,
								 "unexpected data after the top-level object");
					return CT_STREAM_ERROR;
				}
				if (!s->seen_records)
				{
					ct_error_set(err, CT_ERR_LAYOUT, s->base + s->pos,
								 "no \"Records\" array in the file");
					return CT_STREAM_ERROR;
				}
				return CT_STREAM_END;
		}
	}
}

/*
 * Asks for records to be validated and indexed into rec as they are split,
 * in one pass, where that can be done (a file inflated whole).  After each
 * record, ct_stream_indexed() says whether it was; if not, the caller indexes
 * it with ct_json_index_record() as usual.
 */
void
ct_stream_set_index(CtStream *s, CtRecord *rec)
{
	s->index = rec;
}

/* Has the whole file been inflated (and given to the output function)? */
bool
ct_stream_is_whole(const CtStream *s)
{
	return s->whole;
}

/*
 * Sets a function to be given every decompressed byte of the file, before
 * any is split (call it before the first ct_stream_next).
 */
void
ct_stream_set_output(CtStream *s, CtOutputFn fn, void *arg)
{
	s->out_fn = fn;
	s->out_arg = arg;
}

bool
ct_stream_indexed(const CtStream *s)
{
	return s->indexed;
}

uint64_t
ct_stream_offset(const CtStream *s, const char *p)
{
	return s->base + (uint64_t) (p - s->buf);
}
