/*-------------------------------------------------------------------------
 *
 * ct_jsonb.c
 *		jsonb written straight from validated JSON text in jsonb's on-disk
 *		format (utils/jsonb.h), or the text only checked to be one jsonb can
 *		hold.
 *
 * pushJsonbValue() builds a tree of JsonbValues, sorts the pairs of every
 * object with qsort, and convertToJsonb() then walks the tree to write the
 * binary form: that was most of the time of a SELECT * (bench/PROFILE.md).
 * Here a container is written once its members are known: strings and
 * numbers straight from the text, nested containers from a scratch buffer of
 * their depth, where they were written (4-byte aligned, so their own padding
 * holds wherever they land) as they were read.  The result is byte for byte
 * what jsonb_in() makes of the same text, which the regression suite checks
 * with the image-equality operator *=.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/jsonb.h"

#include "ct_convert.h"
#include "ct_json.h"
#include "ct_jsonb.h"

/* jsonb_util.c's limits: pushJsonbValue() refuses more members than these */
#define MAX_PAIRS	((int) Min(MaxAllocSize / sizeof(JsonbPair), JB_CMASK))
#define MAX_ELEMS	((int) Min(MaxAllocSize / sizeof(JsonbValue), JB_CMASK))

/* A member of the container being read: an element, or a key and value. */
typedef struct Member
{
	const char *key;			/* object: the key, decoded */
	int			keylen;
	JEntry		type;			/* JENTRY_IS* */
	bool		aligned;		/* a number or container: starts 4-byte aligned */
	const char *data;			/* a string's bytes, a numeric; NULL for a container */
	int			off;			/* a container: its offset in the next depth's scratch */
	int			len;			/* bytes, without alignment padding */
} Member;

typedef struct Builder
{
	bool		build;			/* false: only check */
	CtError    *err;
	Member	   *members;		/* a stack: the members of each open container */
	int		   *order;			/* an object's members in jsonb's key order */
	int			nmembers;
	int			cap;
	StringInfo *scratch;		/* per depth: the containers read so far */
	int			nscratch;
} Builder;

static const char *read_container(Builder *b, const char *p, const char *end,
								  int depth, StringInfo dest, int *off, int *len);

static StringInfo
scratch_at(Builder *b, int depth)
{
	if (depth >= b->nscratch)
	{
		int			n = Max(depth + 1, b->nscratch * 2);
		StringInfo *grown = palloc0(sizeof(StringInfo) * n);

		if (b->nscratch > 0)
			memcpy(grown, b->scratch, sizeof(StringInfo) * b->nscratch);
		b->scratch = grown;
		b->nscratch = n;
	}
	if (b->scratch[depth] == NULL)
		b->scratch[depth] = makeStringInfo();
	return b->scratch[depth];
}

static int
push_member(Builder *b)
{
	if (b->nmembers == b->cap)
	{
		b->cap *= 2;
		b->members = repalloc_huge(b->members, sizeof(Member) * b->cap);
		b->order = repalloc_huge(b->order, sizeof(int) * b->cap);
	}
	return b->nmembers++;
}

/*
 * jsonb's order of keys: shorter first, then bytewise; equal keys in text
 * order, which is the members' order in the stack.
 */
static inline int
member_cmp(const Member *a, const Member *b)
{
	int			c;

	if (a->keylen != b->keylen)
		return a->keylen < b->keylen ? -1 : 1;
	c = memcmp(a->key, b->key, a->keylen);
	if (c != 0)
		return c;
	return a < b ? -1 : 1;
}

static int
index_cmp(const void *a, const void *b, void *arg)
{
	const Member *m = arg;

	return member_cmp(&m[*(const int *) a], &m[*(const int *) b]);
}

/*
 * Puts the indexes of an object's n members (from m) in key order into
 * order, keeping the last of equal keys; returns how many are kept.
 */
static int
sort_unique(const Member *m, int *order, int n)
{
	int			out = 0;

	for (int i = 0; i < n; i++)
		order[i] = i;
	if (n <= 32)
	{
		/* CloudTrail's objects are small: insertion sort, no calls */
		for (int i = 1; i < n; i++)
		{
			int			t = order[i];
			int			j = i;

			for (; j > 0 && member_cmp(&m[order[j - 1]], &m[t]) > 0; j--)
				order[j] = order[j - 1];
			order[j] = t;
		}
	}
	else
		qsort_arg(order, n, sizeof(int), index_cmp, (void *) m);
	for (int i = 0; i < n; i++)
	{
		const Member *a = &m[order[i]];

		if (i + 1 < n)
		{
			const Member *next = &m[order[i + 1]];

			if (a->keylen == next->keylen && memcmp(a->key, next->key, a->keylen) == 0)
				continue;
		}
		order[out++] = order[i];
	}
	return out;
}

/* jsonb's limit on the bytes of one container's members. */
static bool
too_big(Builder *b, bool is_object)
{
	return ct_value_error(b->err, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
						  "total size of jsonb %s elements exceeds the maximum of %u bytes",
						  is_object ? "object" : "array", JENTRY_OFFLENMASK);
}

/*
 * Writes a container of n members into dest, as convertJsonbArray() and
 * convertJsonbObject() do: header, JEntries (every JB_OFFSET_STRIDE'th an end
 * offset), keys, values, numbers and containers 4-byte aligned.  The members
 * are m[order[i]] (m[i] without order); kids holds the nested containers.
 * Sets *off and *len to where it went.
 */
static bool
write_container(Builder *b, bool is_object, bool raw_scalar, const Member *m,
				const int *order, int n, StringInfo dest, StringInfo kids,
				int *off, int *len)
{
	int			nentries = is_object ? 2 * n : n;
	uint32		header = n | (is_object ? JB_FOBJECT : JB_FARRAY);
	Size		data = 0;
	int			naligned = 0;
	char	   *buf;
	int			start;
	int			pos;
	int			totallen = 0;
	JEntry	   *jentries;

	if (raw_scalar)
		header |= JB_FSCALAR;
	/* room for it all at once: padding is at most 3 bytes a time */
	for (int i = 0; i < n; i++)
	{
		const Member *v = &m[order ? order[i] : i];

		data += (is_object ? v->keylen : 0) + v->len;
		naligned += v->aligned;
	}
	if (data > JENTRY_OFFLENMASK)
		return too_big(b, is_object);
	enlargeStringInfo(dest, (int) (data + 3 * (naligned + 1) +
								   sizeof(uint32) * (1 + nentries)));
	buf = dest->data;
	pos = dest->len;
	while (pos % sizeof(uint32) != 0)
		buf[pos++] = '\0';
	start = pos;
	memcpy(buf + pos, &header, sizeof(uint32));
	jentries = (JEntry *) (buf + pos + sizeof(uint32));
	pos += sizeof(uint32) * (1 + nentries);

	for (int i = 0; i < nentries; i++)
	{
		bool		is_key = is_object && i < n;
		int			k = is_key || !is_object ? i : i - n;
		const Member *v = &m[order ? order[k] : k];
		int			before = pos;
		JEntry		meta;

		if (is_key)
		{
			memcpy(buf + pos, v->key, v->keylen);
			pos += v->keylen;
			meta = JENTRY_ISSTRING;
		}
		else
		{
			if (v->aligned)
				while (pos % sizeof(uint32) != 0)
					buf[pos++] = '\0';
			if (v->len > 0)
				memcpy(buf + pos, v->type == JENTRY_ISCONTAINER ? kids->data + v->off : v->data,
					   v->len);
			pos += v->len;
			meta = v->type;
		}
		totallen += pos - before;
		if (totallen > JENTRY_OFFLENMASK)
			return too_big(b, is_object);
		if (i % JB_OFFSET_STRIDE == 0)
			meta |= totallen | JENTRY_HAS_OFF;
		else
			meta |= pos - before;
		jentries[i] = meta;
	}
	if (pos - start > JENTRY_OFFLENMASK)
		return too_big(b, is_object);
	dest->len = pos;
	buf[pos] = '\0';
	*off = start;
	*len = pos - start;
	return true;
}

/* A scalar into member i. */
static bool
read_scalar(Builder *b, const CtValue *v, int i)
{
	JsonbValue	jv;
	Member	   *m = &b->members[i];

	if (!ct_jsonb_scalar(v, &jv, b->build, b->err))
		return false;
	m->aligned = false;
	m->data = NULL;
	m->len = 0;
	switch (jv.type)
	{
		case jbvString:
			m->type = JENTRY_ISSTRING;
			m->data = jv.val.string.val;
			m->len = jv.val.string.len;
			break;
		case jbvNumeric:
			m->type = JENTRY_ISNUMERIC;
			m->aligned = true;
			if (b->build)
			{
				m->data = (const char *) jv.val.numeric;
				m->len = VARSIZE_ANY(jv.val.numeric);
			}
			break;
		case jbvBool:
			m->type = jv.val.boolean ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE;
			break;
		default:
			m->type = JENTRY_ISNULL;
			break;
	}
	return true;
}

/*
 * Reads the value at p into member i (a nested container is written into
 * kids, at depth); returns the position just past it, NULL if it cannot be
 * jsonb (b->err set).
 */
static const char *
read_value(Builder *b, const char *p, const char *end, int depth, int i, StringInfo kids)
{
	CtValue		v;
	int			off = 0;
	int			len = 0;

	if (*p == '{' || *p == '[')
	{
		p = read_container(b, p, end, depth, kids, &off, &len);
		if (p == NULL)
			return NULL;
		b->members[i].type = JENTRY_ISCONTAINER;
		b->members[i].aligned = true;
		b->members[i].data = NULL;
		b->members[i].off = off;
		b->members[i].len = len;
		return p;
	}
	v = ct_json_value_at(p, end);
	if (!read_scalar(b, &v, i))
		return NULL;
	return p + v.len;
}

/*
 * Reads the object or array at p and, when building, writes it into dest
 * (its nested containers go to the scratch buffer of the next depth first).
 * Returns the position just past it, NULL (b->err set) if it cannot be jsonb.
 */
static const char *
read_container(Builder *b, const char *p, const char *end, int depth,
			   StringInfo dest, int *off, int *len)
{
	bool		is_object = (*p == '{');
	int			base = b->nmembers;
	int			n = 0;
	StringInfo	kids = NULL;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	if (b->build)
	{
		/* the containers of an earlier sibling are already written out */
		kids = scratch_at(b, depth + 1);
		resetStringInfo(kids);
	}
	p = ct_json_skip_ws(p + 1, end);
	while (p < end && *p != '}' && *p != ']')
	{
		int			i;

		if (n == (is_object ? MAX_PAIRS : MAX_ELEMS))
		{
			ct_value_error(b->err, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
						   "number of jsonb %s exceeds the maximum allowed (%d)",
						   is_object ? "object pairs" : "array elements", n);
			return NULL;
		}
		i = push_member(b);
		n++;
		if (is_object)
		{
			CtValue		key = ct_json_value_at(p, end);
			JsonbValue	jk;

			if (!ct_jsonb_scalar(&key, &jk, b->build, b->err))
				return NULL;
			b->members[i].key = jk.val.string.val;
			b->members[i].keylen = jk.val.string.len;
			p = ct_json_skip_ws(p + key.len, end);
			p = ct_json_skip_ws(p + 1, end);	/* the ':' */
		}
		p = read_value(b, p, end, depth + 1, i, kids);
		if (p == NULL)
			return NULL;
		p = ct_json_skip_ws(p, end);
		if (p < end && *p == ',')
			p = ct_json_skip_ws(p + 1, end);
	}
	if (b->build)
	{
		int		   *order = NULL;

		if (is_object && n > 1)
		{
			order = b->order + base;
			n = sort_unique(b->members + base, order, n);
		}
		if (!write_container(b, is_object, false, b->members + base, order, n,
							 dest, kids, off, len))
			return NULL;
	}
	b->nmembers = base;
	return p + 1;				/* past the closing '}' or ']' */
}

static void
builder_init(Builder *b, bool build, CtError *err)
{
	b->build = build;
	b->err = err;
	b->cap = 32;
	b->nmembers = 0;
	b->members = palloc(sizeof(Member) * b->cap);
	b->order = palloc(sizeof(int) * b->cap);
	b->scratch = NULL;
	b->nscratch = 0;
}

/* jsonb of a validated value; *ok is false (and err set) if it cannot be one. */
Datum
ct_jsonb_from_value(const CtValue *v, CtError *err, bool *ok)
{
	Builder		b;
	StringInfoData out;
	int			off;
	int			len;

	*ok = false;
	builder_init(&b, true, err);
	initStringInfo(&out);
	enlargeStringInfo(&out, Min(v->len, MaxAllocSize / 2) + VARHDRSZ + 64);
	out.len = VARHDRSZ;
	if (v->type == CT_JSON_OBJECT || v->type == CT_JSON_ARRAY)
	{
		if (read_container(&b, v->p, v->p + v->len, 0, &out, &off, &len) == NULL)
			return (Datum) 0;
	}
	else
	{
		/* a scalar is stored as a one-element array flagged JB_FSCALAR */
		push_member(&b);
		if (!read_scalar(&b, v, 0) ||
			!write_container(&b, false, true, b.members, NULL, 1, &out, NULL, &off, &len))
			return (Datum) 0;
	}
	SET_VARSIZE(out.data, out.len);
	*ok = true;
	return PointerGetDatum(out.data);
}

/* Would ct_jsonb_from_value succeed?  false (err set as it would) if not. */
bool
ct_jsonb_check(const CtValue *v, CtError *err)
{
	Builder		b;

	builder_init(&b, false, err);
	if (v->type == CT_JSON_OBJECT || v->type == CT_JSON_ARRAY)
		return read_container(&b, v->p, v->p + v->len, 0, NULL, NULL, NULL) != NULL;
	push_member(&b);
	return read_scalar(&b, v, 0);
}
