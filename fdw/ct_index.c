/*-------------------------------------------------------------------------
 *
 * ct_index.c
 *		The index file of a mirror: its format, reading it through mmap, and
 *		writing it whole.
 *
 * Layout (native byte order, checked by a marker):
 *
 *		header | root and log type | folder array | folder paths | blocks
 *
 * The folder array is sorted by path, so a folder is found by binary
 * search; its entry has the folder's identity and the place of its block.
 * A block starts with what holds for all the folder's files (their total
 * size, event-time span and a Bloom filter of all their values), then holds
 * the files in name order, varint-encoded: the name (front-coded against the
 * previous one), size, modification time, flags, record count, event-time
 * span and Bloom filter.  Blocks are decoded only for the folders a query
 * selects, and the files of a block only when its summary cannot rule the
 * whole folder out.
 *
 * Integrity: the header, the folder array and paths carry a CRC-32C checked
 * when a backend maps a new version of the file; each block its own, checked
 * when it is decoded.  A file that fails a check is an ERROR (data
 * corrupted), never a wrong answer; refresh_index() rebuilds it.
 *
 * A new version is written beside the old one and renamed into place
 * (durable_rename), so a reader sees either; backends keep a mapping until
 * no scan of theirs uses it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/hashfn.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "utils/memutils.h"

#include "ct_index.h"
#include "ct_json.h"
#include "ct_options.h"
#include "ct_prune.h"

#define CT_INDEX_MAGIC		"CTFDWIDX"
#define CT_INDEX_VERSION	4
#define CT_INDEX_ENDIAN		0x01020304
#define CT_FILTER_K			7	/* probes per value */
#define CT_FILTER_BITS		10	/* bits per distinct value: about 1% false positives */

bool		ct_enable_index = true;

typedef struct CtIndexHeader
{
	char		magic[8];
	uint32		version;
	uint32		endian;
	uint32		nfolders;
	uint32		filter_k;
	uint64		nfiles;
	uint64		total_size;
	uint64		ident_off;		/* root, then log type, NUL-terminated */
	uint32		root_len;
	uint32		log_type_len;
	uint64		folders_off;
	uint64		paths_off;
	uint64		paths_len;
	uint64		blocks_off;
	uint64		blocks_len;
	pg_crc32c	dir_crc;		/* ident, folder array and paths */
	pg_crc32c	header_crc;		/* this header, with header_crc zero */
} CtIndexHeader;

typedef struct CtIndexFolderDisk
{
	uint64		block_off;		/* from blocks_off */
	uint32		block_len;
	pg_crc32c	block_crc;
	uint32		path_off;		/* from paths_off */
	uint32		path_len;
	int32		date;
	uint32		nfiles;
	int64		mtime_sec;
	int32		mtime_nsec;
	uint32		pad;
	uint64		ino;
} CtIndexFolderDisk;

struct CtIndex
{
	char	   *path;			/* the index file */
	dev_t		st_dev;			/* identity of the mapped version */
	ino_t		st_ino;
	struct timespec st_mtim;
	off_t		st_size;
	char	   *map;
	size_t		len;
	const CtIndexHeader *hdr;
	const CtIndexFolderDisk *folders;
	const char *paths;
	const char *blocks;
	int			refcount;		/* scans and plans using this mapping */
	bool		current;		/* the newest version this backend saw */
	uint8	   *checked;		/* a bit per folder: block checksum verified */
};

/* Mappings of this backend, in TopMemoryContext. */
static List *index_cache = NIL;

/* Index files of another format this backend warned about (paths, in TopMemoryContext). */
static List *warned_format = NIL;

/* ---- varints ---- */

static void
put_varint(StringInfo buf, uint64 v)
{
	while (v >= 0x80)
	{
		appendStringInfoChar(buf, (char) (v | 0x80));
		v >>= 7;
	}
	appendStringInfoChar(buf, (char) v);
}

static void
put_svarint(StringInfo buf, int64 v)
{
	put_varint(buf, ((uint64) v << 1) ^ (uint64) (v >> 63));
}

/* Reads a varint from [*p, end); false when it runs past end. */
static bool
get_varint(const uint8 **p, const uint8 *end, uint64 *v)
{
	uint64		r = 0;
	int			shift = 0;

	while (*p < end && shift < 64)
	{
		uint8		b = *(*p)++;

		r |= (uint64) (b & 0x7f) << shift;
		if (!(b & 0x80))
		{
			*v = r;
			return true;
		}
		shift += 7;
	}
	return false;
}

static bool
get_svarint(const uint8 **p, const uint8 *end, int64 *v)
{
	uint64		u;

	if (!get_varint(p, end, &u))
		return false;
	*v = (int64) (u >> 1) ^ -(int64) (u & 1);
	return true;
}

/* ---- the values a filter holds ---- */

/*
 * A value is keyed by its path: the first key in lower case (a column's
 * first key may match in any letter case, so every spelling is indexed
 * under one), the others as written, joined by 0x1f.
 */
static const char *const top_paths[] = {
	"eventname", "eventsource", "errorcode", "sourceipaddress", "recipientaccountid", NULL
};
static const char *const identity_keys[] = {
	"accessKeyId", "arn", "userName", "principalId", "accountId", NULL
};
static const char *const issuer_keys[] = {"arn", "userName", NULL};

/* 64-bit FNV-1a, finished with splitmix64's mixer for the Bloom probes. */
#define FNV_OFFSET	UINT64CONST(0xcbf29ce484222325)
#define FNV_PRIME	UINT64CONST(0x100000001b3)

static inline uint64
fnv_add(uint64 h, const void *data, size_t len)
{
	const uint8 *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

static inline uint64
mix64(uint64 z)
{
	z = (z ^ (z >> 30)) * UINT64CONST(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64
path_hash(char *const *path, int npath)
{
	uint64		h = FNV_OFFSET;

	for (int i = 0; i < npath; i++)
	{
		if (i > 0)
			h = fnv_add(h, "\x1f", 1);
		if (i == 0)
		{
			for (const char *c = path[0]; *c; c++)
			{
				char		l = (*c >= 'A' && *c <= 'Z') ? *c + ('a' - 'A') : *c;

				h = fnv_add(h, &l, 1);
			}
		}
		else
			h = fnv_add(h, path[i], strlen(path[i]));
	}
	return h;
}

uint64
ct_index_value_hash(char *const *path, int npath, const char *val, size_t len)
{
	uint64		h = path_hash(path, npath);

	h = fnv_add(h, "\0", 1);
	return mix64(fnv_add(h, val, len));
}

/* Stands for any value that is not a string (nor null): a text column shows it. */
uint64
ct_index_nonstring_hash(char *const *path, int npath)
{
	return mix64(fnv_add(path_hash(path, npath), "\0\1", 2));
}

static bool
in_list(const char *const *list, const char *s, bool ci)
{
	for (; *list; list++)
		if (ci ? pg_strcasecmp(*list, s) == 0 : strcmp(*list, s) == 0)
			return true;
	return false;
}

/* Is this key path one whose values the filters hold? */
bool
ct_index_path_indexed(char *const *path, int npath)
{
	if (npath == 1)
		return in_list(top_paths, path[0], true);
	if (pg_strcasecmp(path[0], "requestParameters") == 0)
		return npath == 2;
	if (pg_strcasecmp(path[0], "userIdentity") != 0)
		return false;
	if (npath == 2)
		return in_list(identity_keys, path[1], false);
	return npath == 4 && strcmp(path[1], "sessionContext") == 0 &&
		strcmp(path[2], "sessionIssuer") == 0 && in_list(issuer_keys, path[3], false);
}

static void
fb_add(CtFilterBuild *fb, uint64 h)
{
	if (fb->n == fb->cap)
	{
		fb->cap = fb->cap ? fb->cap * 2 : 64;
		fb->hashes = fb->hashes ? repalloc(fb->hashes, fb->cap * sizeof(uint64))
			: palloc(fb->cap * sizeof(uint64));
	}
	fb->hashes[fb->n++] = h;
}

static void
fb_add_value(CtFilterBuild *fb, char *const *path, int npath, const CtValue *v)
{
	if (v->type == CT_JSON_STRING)
	{
		char		stackbuf[256];
		char	   *buf = v->len <= sizeof(stackbuf) ? stackbuf : palloc(v->len);
		bool		has_nul;
		size_t		len = ct_json_string_decode(v, buf, &has_nul);

		fb_add(fb, ct_index_value_hash(path, npath, buf, len));
		if (buf != stackbuf)
			pfree(buf);
	}
	else if (v->type != CT_JSON_NULL)
		fb_add(fb, ct_index_nonstring_hash(path, npath));
}

/* A key of validated JSON text, decoded (NUL-terminated, palloc'd). */
static char *
decode_key(const CtValue *k)
{
	char	   *buf = palloc(k->len + 1);
	bool		has_nul;
	size_t		len = ct_json_string_decode(k, buf, &has_nul);

	buf[len] = '\0';
	return buf;
}

/* Adds the indexed values of one record. */
void
ct_filter_add_record(CtFilterBuild *fb, const CtRecord *rec)
{
	for (int m = 0; m < rec->nmembers; m++)
	{
		const CtMember *mem = &rec->members[m];
		char	   *key = decode_key(&mem->key);
		char	   *path[4];
		CtValue		v;

		path[0] = key;
		if (in_list(top_paths, key, true))
			fb_add_value(fb, path, 1, &mem->val);
		else if (pg_strcasecmp(key, "userIdentity") == 0 && mem->val.type == CT_JSON_OBJECT)
		{
			CtValue		ctx,
						issuer;

			for (const char *const *k = identity_keys; *k; k++)
				if (ct_json_object_get(&mem->val, *k, strlen(*k), &v))
				{
					path[1] = (char *) *k;
					fb_add_value(fb, path, 2, &v);
				}
			if (ct_json_object_get(&mem->val, "sessionContext", 14, &ctx) &&
				ct_json_object_get(&ctx, "sessionIssuer", 13, &issuer))
			{
				path[1] = "sessionContext";
				path[2] = "sessionIssuer";
				for (const char *const *k = issuer_keys; *k; k++)
					if (ct_json_object_get(&issuer, *k, strlen(*k), &v))
					{
						path[3] = (char *) *k;
						fb_add_value(fb, path, 4, &v);
					}
			}
		}
		else if (pg_strcasecmp(key, "requestParameters") == 0 &&
				 mem->val.type == CT_JSON_OBJECT)
		{
			/* every top-level key of requestParameters */
			const char *end = mem->val.p + mem->val.len;
			const char *p = mem->val.p + 1;

			for (;;)
			{
				CtValue		k;

				p = ct_json_skip_ws(p, end);
				if (p >= end || *p != '"')
					break;
				k = ct_json_value_at(p, end);
				p = ct_json_skip_ws(p + k.len, end);
				p = ct_json_skip_ws(p + 1, end);	/* the ':' */
				v = ct_json_value_at(p, end);
				path[1] = decode_key(&k);
				fb_add_value(fb, path, 2, &v);
				pfree(path[1]);
				p = ct_json_skip_ws(p + v.len, end);
				if (p < end && *p == ',')
					p++;
			}
		}
		pfree(key);
	}
}

static int
uint64_cmp(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* ---- file names ---- */

/*
 * Event files are named ACCOUNT_TYPE_REGION_YYYYMMDDTHHMMZ_UNIQUE.json[.gz]
 * with a 16-character alphanumeric UNIQUE, in the folder .../ACCOUNT/TYPE/
 * REGION/YYYY/MM/DD: all but the time and UNIQUE follow from the folder.
 * Such a name is stored as its minute of the day and UNIQUE at 6 bits a
 * character (15 bytes instead of about 32); any other is front-coded against
 * the previous one.
 */
#define CT_UNIQUE_LEN	16
#define NAME_PACKED_GZ	0		/* name tags; 2 + n: front-coded, n shared */
#define NAME_PACKED		1
#define NAME_FRONT		2

static const char unique_chars[] =
"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* What a folder's event files' names start with: "ACCOUNT_TYPE_REGION_YYYYMMDDT", or "". */
static void
name_template(const char *dir, size_t len, StringInfo out)
{
	const char *c[6];
	size_t		clen[6];
	int			n = 0;
	size_t		end = len;

	resetStringInfo(out);
	/* the last six components, from the end */
	while (n < 6 && end > 0)
	{
		size_t		start = end;

		while (start > 0 && dir[start - 1] != '/')
			start--;
		c[5 - n] = dir + start;
		clen[5 - n] = end - start;
		n++;
		end = start > 0 ? start - 1 : 0;
		if (start == 0)
			break;
	}
	if (n < 6 || clen[3] != 4 || clen[4] != 2 || clen[5] != 2)
		return;
	appendBinaryStringInfo(out, c[0], clen[0]);
	appendStringInfoChar(out, '_');
	appendBinaryStringInfo(out, c[1], clen[1]);
	appendStringInfoChar(out, '_');
	appendBinaryStringInfo(out, c[2], clen[2]);
	appendStringInfoChar(out, '_');
	appendBinaryStringInfo(out, c[3], 4);
	appendBinaryStringInfo(out, c[4], 2);
	appendBinaryStringInfo(out, c[5], 2);
	appendStringInfoChar(out, 'T');
}

static int
unique_value(char ch)
{
	const char *p = ch ? strchr(unique_chars, ch) : NULL;

	return p ? (int) (p - unique_chars) : -1;
}

/* Encodes name packed if it fits the template; false if it does not. */
static bool
put_packed_name(StringInfo buf, const char *name, const StringInfo tmpl)
{
	const char *t;
	size_t		len = strlen(name);
	int			hh,
				mm;
	uint8		bits[CT_UNIQUE_LEN * 6 / 8] = {0};
	bool		gz;

	if (tmpl->len == 0 || strncmp(name, tmpl->data, tmpl->len) != 0)
		return false;
	t = name + tmpl->len;
	/* HHMMZ_ + UNIQUE + .json or .json.gz */
	if (len - tmpl->len == 6 + CT_UNIQUE_LEN + 8 && strcmp(t + 6 + CT_UNIQUE_LEN, ".json.gz") == 0)
		gz = true;
	else if (len - tmpl->len == 6 + CT_UNIQUE_LEN + 5 && strcmp(t + 6 + CT_UNIQUE_LEN, ".json") == 0)
		gz = false;
	else
		return false;
	if (!isdigit((unsigned char) t[0]) || !isdigit((unsigned char) t[1]) ||
		!isdigit((unsigned char) t[2]) || !isdigit((unsigned char) t[3]) ||
		t[4] != 'Z' || t[5] != '_')
		return false;
	hh = (t[0] - '0') * 10 + (t[1] - '0');
	mm = (t[2] - '0') * 10 + (t[3] - '0');
	if (hh > 23 || mm > 59)
		return false;
	for (int i = 0; i < CT_UNIQUE_LEN; i++)
	{
		int			v = unique_value(t[6 + i]);

		if (v < 0)
			return false;
		for (int b = 0; b < 6; b++)
			if (v & (1 << b))
				bits[(i * 6 + b) >> 3] |= (uint8) (1 << ((i * 6 + b) & 7));
	}
	put_varint(buf, gz ? NAME_PACKED_GZ : NAME_PACKED);
	put_varint(buf, hh * 60 + mm);
	appendBinaryStringInfo(buf, (const char *) bits, sizeof(bits));
	return true;
}

/* Decodes a packed name after its tag; NULL if it is malformed. */
static char *
get_packed_name(const uint8 **p, const uint8 *end, bool gz, const StringInfo tmpl)
{
	uint64		minute;
	char	   *name;
	char	   *t;
	const uint8 *bits;

	if (tmpl->len == 0 || !get_varint(p, end, &minute) || minute >= 24 * 60 ||
		end - *p < CT_UNIQUE_LEN * 6 / 8)
		return NULL;
	bits = *p;
	*p += CT_UNIQUE_LEN * 6 / 8;
	name = palloc(tmpl->len + 6 + CT_UNIQUE_LEN + 9);
	memcpy(name, tmpl->data, tmpl->len);
	t = name + tmpl->len;
	t[0] = '0' + (char) (minute / 600);
	t[1] = '0' + (char) (minute / 60 % 10);
	t[2] = '0' + (char) (minute % 60 / 10);
	t[3] = '0' + (char) (minute % 10);
	t[4] = 'Z';
	t[5] = '_';
	for (int i = 0; i < CT_UNIQUE_LEN; i++)
	{
		int			v = 0;

		for (int b = 0; b < 6; b++)
			if (bits[(i * 6 + b) >> 3] & (1 << ((i * 6 + b) & 7)))
				v |= 1 << b;
		if (v >= (int) strlen(unique_chars))
			return NULL;
		t[6 + i] = unique_chars[v];
	}
	strcpy(t + 6 + CT_UNIQUE_LEN, gz ? ".json.gz" : ".json");
	return name;
}

/* Bloom filters: k probes by double hashing of a value's 64-bit hash. */
static inline void
bloom_set(uint8 *bits, uint64 nbits, uint64 h1)
{
	uint64		h2 = ((h1 >> 32) | (h1 << 32)) | 1;

	for (int j = 0; j < CT_FILTER_K; j++)
	{
		uint64		bit = (h1 + (uint64) j * h2) % nbits;

		bits[bit >> 3] |= (uint8) (1 << (bit & 7));
	}
}

/* Sorts and deduplicates hashes in place; returns how many are left. */
static int
dedup_hashes(uint64 *hashes, int n)
{
	int			k = 0;

	qsort(hashes, n, sizeof(uint64), uint64_cmp);
	for (int i = 0; i < n; i++)
		if (i == 0 || hashes[i] != hashes[i - 1])
			hashes[k++] = hashes[i];
	return k;
}

static uint32
filter_bytes(uint64 nvalues)
{
	return (uint32) Max(8, (nvalues * CT_FILTER_BITS + 7) / 8);
}

/* Encodes the Bloom filter of the distinct hashes of fb into buf. */
static void
put_filter(StringInfo buf, CtFilterBuild *fb)
{
	int			n;
	uint32		nbytes;
	uint8	   *bits;

	if (fb == NULL || fb->n == 0)
	{
		put_varint(buf, 0);
		return;
	}
	n = dedup_hashes(fb->hashes, fb->n);
	nbytes = filter_bytes(n);
	bits = palloc0(nbytes);
	for (int i = 0; i < n; i++)
		bloom_set(bits, (uint64) nbytes * 8, fb->hashes[i]);
	put_varint(buf, nbytes);
	appendBinaryStringInfo(buf, (char *) bits, nbytes);
	pfree(bits);
}

/* May a file whose filter this is hold a value with this hash?  An empty filter: no value. */
bool
ct_filter_may_contain(const uint8 *filter, uint32 len, uint64 hash)
{
	uint64		nbits = (uint64) len * 8;
	uint64		h2 = ((hash >> 32) | (hash << 32)) | 1;

	if (len == 0)
		return false;
	for (int j = 0; j < CT_FILTER_K; j++)
	{
		uint64		bit = (hash + (uint64) j * h2) % nbits;

		if (!(filter[bit >> 3] & (1 << (bit & 7))))
			return false;
	}
	return true;
}

/* ---- what a scan asks of a file's entry ---- */

typedef struct ProbeCond
{
	int			nhashes;
	uint64	   *hashes;			/* one per value */
	uint64		nonstring;		/* a non-string value, which the filter above keeps */
} ProbeCond;

struct CtIndexProbe
{
	int			nconds;
	ProbeCond  *conds;
	bool		use_times;
};

/*
 * What the pushed conditions let the index check: the = and IN conditions
 * on indexed key paths (one value of each must be in a file's filter), and
 * the event-time window when the table's time column reads eventTime.
 * NULL when there is nothing to check.
 */
CtIndexProbe *
ct_index_probe(const CtPrune *p)
{
	CtIndexProbe *probe = palloc0(sizeof(CtIndexProbe));
	ListCell   *lc;

	if (p == NULL)
		return NULL;
	probe->conds = palloc(sizeof(ProbeCond) * Max(list_length(p->strings), 1));
	foreach(lc, p->strings)
	{
		CtStrCond  *sc = lfirst(lc);
		ProbeCond  *pc;

		if (sc->prefix || sc->pattern || sc->negated || sc->key.kind != CT_COL_FIELD ||
			!ct_index_path_indexed(sc->key.path, sc->key.npath))
			continue;
		pc = &probe->conds[probe->nconds++];
		pc->nhashes = sc->nvals;
		pc->hashes = palloc(sizeof(uint64) * Max(sc->nvals, 1));
		for (int i = 0; i < sc->nvals; i++)
			pc->hashes[i] = ct_index_value_hash(sc->key.path, sc->key.npath,
												sc->vals[i], sc->lens[i]);
		pc->nonstring = ct_index_nonstring_hash(sc->key.path, sc->key.npath);
	}
	probe->use_times = (p->has_lo || p->has_hi) && ct_column_map_is_eventtime(&p->time_key);
	if (probe->nconds == 0 && !probe->use_times)
		return NULL;
	return probe;
}

/* Does a filter hold a value of every condition the probe checks? */
static bool
filter_may_match(const CtIndexProbe *probe, const uint8 *filter, uint32 len)
{
	for (int c = 0; c < probe->nconds; c++)
	{
		const ProbeCond *pc = &probe->conds[c];
		bool		maybe = ct_filter_may_contain(filter, len, pc->nonstring);

		for (int i = 0; i < pc->nhashes && !maybe; i++)
			maybe = ct_filter_may_contain(filter, len, pc->hashes[i]);
		if (!maybe)
			return false;
	}
	return true;
}

/* May the file of this entry hold a row the conditions keep? */
bool
ct_index_may_match(const CtIndexProbe *probe, const CtPrune *p, const CtIndexFile *e)
{
	if (probe == NULL || (e->flags & CT_IXF_BAD))
		return true;
	if (probe->use_times && (e->flags & CT_IXF_TIMES) &&
		!ct_keep_file_times(p, e->oldest, e->newest))
		return false;
	if (probe->use_times && e->nrecords == 0)
		return false;
	return filter_may_match(probe, e->filter, e->filter_len);
}

/*
 * May any file of a folder with this summary hold a row the conditions keep?
 * false only where ct_index_may_match() is false for every one of its files.
 */
bool
ct_index_folder_may_match(const CtIndexProbe *probe, const CtPrune *p,
						  const CtFolderSummary *sum)
{
	if (probe == NULL || (sum->flags & CT_IXS_BAD))
		return true;
	if (probe->use_times)
	{
		if (!(sum->flags & CT_IXS_RECORDS))
			return false;
		if ((sum->flags & CT_IXS_TIMES) && !ct_keep_file_times(p, sum->oldest, sum->newest))
			return false;
	}
	if (!(sum->flags & CT_IXS_FILTER))
		return true;
	return filter_may_match(probe, sum->filter, sum->filter_len);
}

/* ---- reading ---- */

/* $PGDATA/pg_cloudtrail_fdw/<hash of root and log type>.idx */
char *
ct_index_path(const char *root, const char *log_type)
{
	uint64		h = fnv_add(fnv_add(fnv_add(FNV_OFFSET, root, strlen(root)), "\0", 1),
							log_type, strlen(log_type));

	return psprintf("%s/%s/%016llx.idx", DataDir, CT_INDEX_DIR, (unsigned long long) mix64(h));
}

/* An index file's path as messages show it: relative to the data directory. */
const char *
ct_index_display_path(const char *path)
{
	size_t		len = strlen(DataDir);

	if (strncmp(path, DataDir, len) == 0 && path[len] == '/')
		return path + len + 1;
	return path;
}

static void
corrupt(const CtIndex *idx, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("cloudtrail_fdw index file \"%s\" is corrupt: %s",
					ct_index_display_path(idx->path), why),
			 errhint("cloudtrail_fdw.refresh_index() rebuilds it; SET cloudtrail_fdw.enable_index = off reads the mirror without it.")));
}

static void
unmap(CtIndex *idx)
{
	if (idx->map)
		munmap(idx->map, idx->len);
	idx->map = NULL;
}

/* Unmaps and forgets a superseded mapping once no scan or plan uses it. */
static void
drop_if_unused(CtIndex *idx)
{
	if (idx->refcount == 0 && !idx->current)
	{
		unmap(idx);
		index_cache = list_delete_ptr(index_cache, idx);
		if (idx->checked)
			pfree(idx->checked);
		pfree(idx->path);
		pfree(idx);
	}
}

static void
release_cb(void *arg)
{
	CtIndex    *idx = arg;

	idx->refcount--;
	drop_if_unused(idx);
}

/*
 * Is a freshly mapped file an index of another format (an older or newer
 * cloudtrail_fdw, another byte order)?  It is not used, and not an error:
 * the index is derived data, and refresh_index() writes it again.  Said once
 * a session for each file.
 */
static bool
other_format(CtIndex *idx)
{
	const CtIndexHeader *h = (const CtIndexHeader *) idx->map;
	ListCell   *lc;
	MemoryContext old;

	if (idx->len < sizeof(CtIndexHeader) || memcmp(h->magic, CT_INDEX_MAGIC, 8) != 0 ||
		(h->version == CT_INDEX_VERSION && h->endian == CT_INDEX_ENDIAN))
		return false;
	foreach(lc, warned_format)
		if (strcmp(lfirst(lc), idx->path) == 0)
			return true;
	ereport(WARNING,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cloudtrail_fdw index file \"%s\" was written by another version of cloudtrail_fdw and is not used",
					ct_index_display_path(idx->path)),
			 errhint("cloudtrail_fdw.refresh_index() rebuilds it.")));
	old = MemoryContextSwitchTo(TopMemoryContext);
	warned_format = lappend(warned_format, pstrdup(idx->path));
	MemoryContextSwitchTo(old);
	return true;
}

/* Checks the header and directory of a freshly mapped file. */
static void
validate(CtIndex *idx, const char *root, const char *log_type)
{
	const CtIndexHeader *h = (const CtIndexHeader *) idx->map;
	CtIndexHeader copy;
	pg_crc32c	crc;
	uint64		dir_end;

	if (idx->len < sizeof(CtIndexHeader) || memcmp(h->magic, CT_INDEX_MAGIC, 8) != 0)
		corrupt(idx, "not an index file");
	if (h->version != CT_INDEX_VERSION || h->endian != CT_INDEX_ENDIAN)
		corrupt(idx, "written by another version or machine");
	copy = *h;
	copy.header_crc = 0;
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, &copy, sizeof(copy));
	FIN_CRC32C(crc);
	if (!EQ_CRC32C(crc, h->header_crc))
		corrupt(idx, "header checksum mismatch");
	if (h->total_size != idx->len)
		corrupt(idx, "truncated or extended");
	dir_end = h->paths_off + h->paths_len;
	if (h->ident_off + h->root_len + h->log_type_len + 2 > h->folders_off ||
		h->folders_off + (uint64) h->nfolders * sizeof(CtIndexFolderDisk) > h->paths_off ||
		dir_end > h->blocks_off || h->blocks_off + h->blocks_len > idx->len ||
		h->filter_k != CT_FILTER_K)
		corrupt(idx, "bad layout");
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, idx->map + h->ident_off, dir_end - h->ident_off);
	FIN_CRC32C(crc);
	if (!EQ_CRC32C(crc, h->dir_crc))
		corrupt(idx, "folder directory checksum mismatch");
	if (strcmp(idx->map + h->ident_off, root) != 0 ||
		strcmp(idx->map + h->ident_off + h->root_len + 1, log_type) != 0)
		corrupt(idx, "it belongs to another root");
	idx->hdr = h;
	idx->folders = (const CtIndexFolderDisk *) (idx->map + h->folders_off);
	idx->paths = idx->map + h->paths_off;
	idx->blocks = idx->map + h->blocks_off;
	for (uint32 i = 0; i < h->nfolders; i++)
	{
		const CtIndexFolderDisk *f = &idx->folders[i];

		if ((uint64) f->path_off + f->path_len > h->paths_len ||
			f->block_off + f->block_len > h->blocks_len)
			corrupt(idx, "folder entry out of bounds");
	}
}

/*
 * The index of root and log type, or NULL when there is none.  The mapping
 * stays valid while owner lives (a callback on it releases the mapping).
 */
CtIndex *
ct_index_open(const char *root, const char *log_type, MemoryContext owner)
{
	char	   *path = ct_index_path(root, log_type);
	struct stat st;
	ListCell   *lc;
	CtIndex    *idx = NULL;
	MemoryContextCallback *cb;
	MemoryContext old;
	int			fd;

	if (stat(path, &st) != 0)
	{
		if (errno != ENOENT)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not stat cloudtrail_fdw index file \"%s\": %m", path)));
		pfree(path);
		return NULL;
	}
	foreach(lc, index_cache)
	{
		CtIndex    *c = lfirst(lc);

		if (c->current && strcmp(c->path, path) == 0)
		{
			if (c->st_dev == st.st_dev && c->st_ino == st.st_ino &&
				c->st_size == st.st_size &&
				c->st_mtim.tv_sec == st.st_mtim.tv_sec &&
				c->st_mtim.tv_nsec == st.st_mtim.tv_nsec)
				idx = c;
			else
			{
				/* superseded: dropped once no scan uses it */
				c->current = false;
				drop_if_unused(c);
			}
			break;
		}
	}
	if (idx == NULL)
	{
		old = MemoryContextSwitchTo(TopMemoryContext);
		idx = palloc0(sizeof(CtIndex));
		idx->path = pstrdup(path);
		MemoryContextSwitchTo(old);
		fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
		if (fd < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not open cloudtrail_fdw index file \"%s\": %m", path)));
		if (fstat(fd, &st) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not stat cloudtrail_fdw index file \"%s\": %m", path)));
		idx->st_dev = st.st_dev;
		idx->st_ino = st.st_ino;
		idx->st_mtim = st.st_mtim;
		idx->st_size = st.st_size;
		idx->len = st.st_size;
		idx->map = st.st_size > 0 ?
			mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0) : NULL;
		CloseTransientFile(fd);
		if (idx->map == MAP_FAILED)
		{
			idx->map = NULL;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not map cloudtrail_fdw index file \"%s\": %m", path)));
		}
		if (other_format(idx))
		{
			/* a file another version wrote: read the mirror without it until a refresh */
			unmap(idx);
			pfree(idx->path);
			pfree(idx);
			pfree(path);
			return NULL;
		}
		PG_TRY();
		{
			validate(idx, root, log_type);
		}
		PG_CATCH();
		{
			unmap(idx);
			pfree(idx->path);
			pfree(idx);
			PG_RE_THROW();
		}
		PG_END_TRY();
		idx->current = true;
		old = MemoryContextSwitchTo(TopMemoryContext);
		index_cache = lappend(index_cache, idx);
		MemoryContextSwitchTo(old);
	}
	pfree(path);
	idx->refcount++;
	cb = MemoryContextAlloc(owner, sizeof(MemoryContextCallback));
	cb->func = release_cb;
	cb->arg = idx;
	MemoryContextRegisterResetCallback(owner, cb);
	return idx;
}

int64
ct_index_nfiles(CtIndex *idx)
{
	return (int64) idx->hdr->nfiles;
}

int64
ct_index_size(CtIndex *idx)
{
	return (int64) idx->len;
}

int
ct_index_nfolders(CtIndex *idx)
{
	return idx->hdr->nfolders;
}

/* A folder's path in the mapping itself (not NUL-terminated). */
const char *
ct_index_folder_path(CtIndex *idx, int folder, size_t *len)
{
	const CtIndexFolderDisk *f = &idx->folders[folder];

	*len = f->path_len;
	return idx->paths + f->path_off;
}

const char *
ct_index_folder_dir(CtIndex *idx, int folder)
{
	const CtIndexFolderDisk *f = &idx->folders[folder];

	return pnstrdup(idx->paths + f->path_off, f->path_len);
}

static int
path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	return c != 0 ? c : (alen < blen ? -1 : alen > blen ? 1 : 0);
}

/* The folder number of dir (relative to the root), or -1. */
int
ct_index_find(CtIndex *idx, const char *dir)
{
	size_t		len = strlen(dir);
	int			lo = 0,
				hi = (int) idx->hdr->nfolders - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const CtIndexFolderDisk *f = &idx->folders[mid];
		int			c = path_cmp(idx->paths + f->path_off, f->path_len, dir, len);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

void
ct_index_folder_id(CtIndex *idx, int folder, CtFolderId *id)
{
	const CtIndexFolderDisk *f = &idx->folders[folder];

	id->mtime_sec = f->mtime_sec;
	id->mtime_nsec = f->mtime_nsec;
	id->ino = f->ino;
}

DateADT
ct_index_folder_date(CtIndex *idx, int folder)
{
	return idx->folders[folder].date;
}

int64
ct_index_folder_nfiles(CtIndex *idx, int folder)
{
	return idx->folders[folder].nfiles;
}

/* Verifies a block's checksum, once per mapping. */
static void
check_block(CtIndex *idx, int folder)
{
	const CtIndexFolderDisk *f = &idx->folders[folder];
	pg_crc32c	crc;

	if (idx->checked == NULL)
		idx->checked = MemoryContextAllocZero(TopMemoryContext,
											  (idx->hdr->nfolders + 7) / 8);
	if (idx->checked[folder >> 3] & (1 << (folder & 7)))
		return;
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, idx->blocks + f->block_off, f->block_len);
	FIN_CRC32C(crc);
	if (!EQ_CRC32C(crc, f->block_crc))
		corrupt(idx, psprintf("checksum mismatch in the block of folder \"%s\"",
							  ct_index_folder_dir(idx, folder)));
	idx->checked[folder >> 3] |= (uint8) (1 << (folder & 7));
}

/* Decodes the summary at the start of a folder's block; returns what follows it. */
static const uint8 *
decode_summary(CtIndex *idx, int folder, CtFolderSummary *sum)
{
	const CtIndexFolderDisk *f = &idx->folders[folder];
	const uint8 *p = (const uint8 *) idx->blocks + f->block_off;
	const uint8 *end = p + f->block_len;
	uint64		v;
	int64		s;

	check_block(idx, folder);
	memset(sum, 0, sizeof(*sum));
	if (!get_varint(&p, end, &v))
		corrupt(idx, "bad folder summary");
	sum->flags = (uint32) v;
	if (!get_varint(&p, end, &v))
		corrupt(idx, "bad folder size");
	sum->total_size = (int64) v;
	if (!get_varint(&p, end, &v) || v > (uint64) sum->total_size)
		corrupt(idx, "bad folder size");
	sum->plain_size = (int64) v;
	if (sum->flags & CT_IXS_RECORDS)
	{
		if (!get_svarint(&p, end, &s) || !get_varint(&p, end, &v))
			corrupt(idx, "bad folder event times");
		sum->oldest = s;
		sum->newest = sum->oldest + (int64) v;
	}
	if (sum->flags & CT_IXS_FILTER)
	{
		uint64		cap,
					n;

		if (!get_varint(&p, end, &cap) || !get_varint(&p, end, &n) ||
			!get_varint(&p, end, &v) || v > (uint64) (end - p) || cap > PG_UINT32_MAX)
			corrupt(idx, "bad folder filter");
		sum->filter_cap = (uint32) cap;
		sum->filter_n = (uint32) Min(n, PG_UINT32_MAX);
		sum->filter_len = (uint32) v;
		sum->filter = p;
		p += v;
	}
	return p;
}

void
ct_index_folder_summary(CtIndex *idx, int folder, CtFolderSummary *sum)
{
	(void) decode_summary(idx, folder, sum);
}

/* Decodes the files of a folder (in the current memory context). */
CtIndexFile *
ct_index_folder_files(CtIndex *idx, int folder, int *nfiles)
{
	const CtIndexFolderDisk *f = &idx->folders[folder];
	const uint8 *end = (const uint8 *) idx->blocks + f->block_off + f->block_len;
	CtIndexFile *files = palloc(sizeof(CtIndexFile) * Max(f->nfiles, 1));
	char	   *prev = NULL;
	size_t		prevlen = 0;
	int64		prev_mtime = 0;
	int64		prev_newest = 0;
	CtFolderSummary sum;
	const uint8 *p = decode_summary(idx, folder, &sum);
	StringInfoData tmpl;

	initStringInfo(&tmpl);
	name_template(idx->paths + f->path_off, f->path_len, &tmpl);

	for (uint32 i = 0; i < f->nfiles; i++)
	{
		CtIndexFile *e = &files[i];
		uint64		shared,
					suffix,
					v;
		int64		s;

		if (!get_varint(&p, end, &shared))
			corrupt(idx, "bad file name");
		if (shared < NAME_FRONT)
		{
			e->name = get_packed_name(&p, end, shared == NAME_PACKED_GZ, &tmpl);
			if (e->name == NULL)
				corrupt(idx, "bad file name");
		}
		else
		{
			shared -= NAME_FRONT;
			if (!get_varint(&p, end, &suffix) || shared > prevlen ||
				suffix > (uint64) (end - p))
				corrupt(idx, "bad file name");
			e->name = palloc(shared + suffix + 1);
			if (shared)
				memcpy(e->name, prev, shared);
			memcpy(e->name + shared, p, suffix);
			e->name[shared + suffix] = '\0';
			p += suffix;
		}
		prev = e->name;
		prevlen = strlen(e->name);
		if (!get_varint(&p, end, &v))
			corrupt(idx, "bad file size");
		e->size = (int64) v;
		if (!get_svarint(&p, end, &s) || !get_varint(&p, end, &v))
			corrupt(idx, "bad file time");
		e->mtime_sec = prev_mtime + s;
		prev_mtime = e->mtime_sec;
		e->mtime_nsec = (int32) v;
		if (!get_varint(&p, end, &v))
			corrupt(idx, "bad flags");
		e->flags = (uint32) v;
		if (!get_varint(&p, end, &v))
			corrupt(idx, "bad record count");
		e->nrecords = (uint32) v;
		if (e->flags & CT_IXF_TIMES)
		{
			uint64		span;

			if (!get_svarint(&p, end, &s) || !get_varint(&p, end, &span))
				corrupt(idx, "bad event times");
			e->newest = prev_newest + s;
			prev_newest = e->newest;
			e->oldest = e->newest - (int64) span;
		}
		else
			e->oldest = e->newest = 0;
		if (!get_varint(&p, end, &v) || v > (uint64) (end - p))
			corrupt(idx, "bad filter");
		e->filter_len = (uint32) v;
		e->filter = p;
		p += v;
	}
	*nfiles = f->nfiles;
	return files;
}

/* ---- writing ---- */

typedef struct WFolder
{
	char	   *dir;
	DateADT		date;
	CtFolderId	id;
	uint32		nfiles;
	uint64		block_off;		/* into the writer's block buffer */
	uint32		block_len;
} WFolder;

struct CtIndexWriter
{
	MemoryContext cxt;			/* where the writer's own memory is */
	char	   *root;
	char	   *log_type;
	WFolder    *folders;
	int			nfolders;
	int			cap;
	char	   *blocks;			/* the encoded blocks, one after another */
	uint64		blocks_len;
	uint64		blocks_cap;
	uint64		nfiles;
};

CtIndexWriter *
ct_index_writer_begin(const char *root, const char *log_type)
{
	CtIndexWriter *w = palloc0(sizeof(CtIndexWriter));

	w->cxt = CurrentMemoryContext;
	w->root = pstrdup(root);
	w->log_type = pstrdup(log_type);
	w->cap = 256;
	w->folders = palloc(sizeof(WFolder) * w->cap);
	w->blocks_cap = 1024 * 1024;
	w->blocks = MemoryContextAllocHuge(CurrentMemoryContext, w->blocks_cap);
	return w;
}

/* Adds a folder whose files are encoded already (ct_index_encode_block). */
void
ct_index_writer_add_block(CtIndexWriter *w, const char *dir, DateADT date,
						  const CtFolderId *id, uint32 nfiles, const char *block,
						  uint32 len)
{
	WFolder    *f;

	if (w->nfolders == w->cap)
	{
		w->cap *= 2;
		w->folders = repalloc_huge(w->folders, sizeof(WFolder) * w->cap);
	}
	while (w->blocks_len + len > w->blocks_cap)
	{
		w->blocks_cap *= 2;
		w->blocks = repalloc_huge(w->blocks, w->blocks_cap);
	}
	memcpy(w->blocks + w->blocks_len, block, len);
	f = &w->folders[w->nfolders++];
	f->dir = MemoryContextStrdup(w->cxt, dir);
	f->date = date;
	f->id = *id;
	f->nfiles = nfiles;
	f->block_off = w->blocks_len;
	f->block_len = len;
	w->blocks_len += len;
	w->nfiles += nfiles;
}

/*
 * The folder's filter: the values of every file.  Where some entries are
 * carried over (their values are not at hand), the old folder filter with
 * the new files' values added, if it was sized for them; false if not.  A
 * folder that grows (grow) gets room for as many values again, so it is
 * rebuilt from all its files once per doubling.
 */
static bool
build_folder_filter(CtFilterBuild *filters, int nfiles, const CtFolderSummary *old,
					bool grow, CtFolderSummary *sum, uint8 **bits)
{
	int			n = 0;
	bool		all_built = true;
	uint64	   *hashes;
	int			k = 0;

	for (int i = 0; i < nfiles; i++)
	{
		if (filters && filters[i].built)
			n += filters[i].n;
		else
			all_built = false;
	}
	hashes = palloc(sizeof(uint64) * Max(n, 1));
	for (int i = 0; i < nfiles; i++)
		if (filters && filters[i].built)
		{
			memcpy(hashes + k, filters[i].hashes, sizeof(uint64) * filters[i].n);
			k += filters[i].n;
		}
	n = dedup_hashes(hashes, n);
	if (all_built)
	{
		sum->filter_n = n;
		sum->filter_cap = grow ? Max(2 * n, 32) : n;
		sum->filter_len = n == 0 && !grow ? 0 : filter_bytes(sum->filter_cap);
		*bits = palloc0(Max(sum->filter_len, 1));
	}
	else
	{
		if (old == NULL || !(old->flags & CT_IXS_FILTER) ||
			(uint64) old->filter_n + n > old->filter_cap || old->filter_len == 0)
		{
			pfree(hashes);
			return false;
		}
		sum->filter_n = old->filter_n + n;
		sum->filter_cap = old->filter_cap;
		sum->filter_len = old->filter_len;
		*bits = palloc(sum->filter_len);
		memcpy(*bits, old->filter, old->filter_len);
	}
	for (int i = 0; i < n; i++)
		bloom_set(*bits, (uint64) sum->filter_len * 8, hashes[i]);
	pfree(hashes);
	sum->flags |= CT_IXS_FILTER;
	return true;
}

/*
 * Encodes a folder's files (in name order) into buf: the summary of them
 * all, then each file with its filter built from its values, or, where it
 * has none (an entry carried over), the filter bytes the entry points to.
 * old is the folder's summary in the index the carried-over entries come
 * from.  false, with nothing encoded, when the folder's filter needs the
 * values of the carried-over entries too: the caller reads their files
 * (marking their filters built) and calls again.
 */
bool
ct_index_encode_block(StringInfo buf, const char *dir, const CtIndexFile *files,
					  CtFilterBuild *filters, int nfiles, const CtFolderSummary *old,
					  bool grow)
{
	StringInfoData tmpl;
	CtFolderSummary sum = {0};
	uint8	   *bits = NULL;
	bool		times = true;
	bool		records = false;
	const char *prev = "";
	int64		prev_mtime = 0;
	int64		prev_newest = 0;

	if (!build_folder_filter(filters, nfiles, old, grow, &sum, &bits))
		return false;
	for (int i = 0; i < nfiles; i++)
	{
		const CtIndexFile *e = &files[i];

		sum.total_size += e->size;
		if (!(e->flags & CT_IXF_GZIP))
			sum.plain_size += e->size;
		if (e->flags & CT_IXF_BAD)
			sum.flags |= CT_IXS_BAD;
		if (e->nrecords == 0)
			continue;
		if (!(e->flags & CT_IXF_TIMES))
		{
			times = false;
			continue;
		}
		if (!records || e->oldest < sum.oldest)
			sum.oldest = e->oldest;
		if (!records || e->newest > sum.newest)
			sum.newest = e->newest;
		records = true;
	}
	/* records without exact times count as records of unknown times */
	for (int i = 0; i < nfiles && !records; i++)
		if (files[i].nrecords > 0)
			records = true;
	if (times)
		sum.flags |= CT_IXS_TIMES;
	if (records)
		sum.flags |= CT_IXS_RECORDS;
	put_varint(buf, sum.flags);
	put_varint(buf, (uint64) sum.total_size);
	put_varint(buf, (uint64) sum.plain_size);
	if (records)
	{
		/* without exact times for all, the span is not used: any values do */
		put_svarint(buf, times ? sum.oldest : 0);
		put_varint(buf, times ? (uint64) (sum.newest - sum.oldest) : 0);
	}
	put_varint(buf, sum.filter_cap);
	put_varint(buf, sum.filter_n);
	put_varint(buf, sum.filter_len);
	appendBinaryStringInfo(buf, (const char *) bits, sum.filter_len);
	pfree(bits);

	initStringInfo(&tmpl);
	name_template(dir, strlen(dir), &tmpl);
	for (int i = 0; i < nfiles; i++)
	{
		const CtIndexFile *e = &files[i];
		size_t		len = strlen(e->name);
		size_t		shared = 0;

		if (!put_packed_name(buf, e->name, &tmpl))
		{
			while (prev[shared] && prev[shared] == e->name[shared])
				shared++;
			put_varint(buf, NAME_FRONT + shared);
			put_varint(buf, len - shared);
			appendBinaryStringInfo(buf, e->name + shared, len - shared);
		}
		prev = e->name;
		put_varint(buf, (uint64) e->size);
		put_svarint(buf, e->mtime_sec - prev_mtime);
		prev_mtime = e->mtime_sec;
		put_varint(buf, (uint64) e->mtime_nsec);
		put_varint(buf, e->flags);
		put_varint(buf, e->nrecords);
		if (e->flags & CT_IXF_TIMES)
		{
			put_svarint(buf, e->newest - prev_newest);
			prev_newest = e->newest;
			put_varint(buf, (uint64) (e->newest - e->oldest));
		}
		if (filters && filters[i].built)
			put_filter(buf, &filters[i]);
		else
		{
			/* an old entry carried over: its filter bytes as they were */
			put_varint(buf, e->filter_len);
			appendBinaryStringInfo(buf, (const char *) e->filter, e->filter_len);
		}
		CHECK_FOR_INTERRUPTS();
	}
	pfree(tmpl.data);
	return true;
}


/*
 * Carries a folder of an older index over unchanged: with the identity the
 * old index gives it, or (id) the one it has now, when only that changed.
 */
void
ct_index_writer_copy(CtIndexWriter *w, CtIndex *old, int folder, const CtFolderId *now)
{
	const CtIndexFolderDisk *f = &old->folders[folder];
	CtFolderId	id;
	char	   *dir = pnstrdup(old->paths + f->path_off, f->path_len);

	if (now)
		id = *now;
	else
		ct_index_folder_id(old, folder, &id);
	ct_index_writer_add_block(w, dir, f->date, &id, f->nfiles, old->blocks + f->block_off, f->block_len);
	pfree(dir);
}

static int
wfolder_cmp(const void *a, const void *b)
{
	const WFolder *x = *(WFolder *const *) a;
	const WFolder *y = *(WFolder *const *) b;

	return path_cmp(x->dir, strlen(x->dir), y->dir, strlen(y->dir));
}

static void
write_all(int fd, const char *path, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0)
	{
		ssize_t		n = write(fd, p, Min(len, (size_t) 1 << 20));

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not write cloudtrail_fdw index file \"%s\": %m", path)));
		}
		p += n;
		len -= n;
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Writes the index: the folders added, in path order, to a new file renamed
 * over path.  Returns its size.
 */
int64
ct_index_writer_finish(CtIndexWriter *w, const char *path)
{
	WFolder   **order = palloc(sizeof(WFolder *) * Max(w->nfolders, 1));
	CtIndexHeader h;
	CtIndexFolderDisk *disk;
	StringInfoData ident;
	StringInfoData paths;
	char	   *tmp = psprintf("%s.tmp.%d", path, MyProcPid);
	uint64		off;
	uint64		block_off = 0;
	pg_crc32c	crc;
	int			fd;

	for (int i = 0; i < w->nfolders; i++)
		order[i] = &w->folders[i];
	qsort(order, w->nfolders, sizeof(WFolder *), wfolder_cmp);

	initStringInfo(&ident);
	appendBinaryStringInfo(&ident, w->root, strlen(w->root) + 1);
	appendBinaryStringInfo(&ident, w->log_type, strlen(w->log_type) + 1);
	while (ident.len % 8)
		appendStringInfoChar(&ident, '\0');
	initStringInfo(&paths);
	disk = palloc0(sizeof(CtIndexFolderDisk) * Max(w->nfolders, 1));
	for (int i = 0; i < w->nfolders; i++)
	{
		WFolder    *f = order[i];
		const char *block = w->blocks + f->block_off;

		disk[i].block_off = block_off;
		disk[i].block_len = f->block_len;
		INIT_CRC32C(crc);
		COMP_CRC32C(crc, block, f->block_len);
		FIN_CRC32C(crc);
		disk[i].block_crc = crc;
		disk[i].path_off = paths.len;
		disk[i].path_len = strlen(f->dir);
		appendBinaryStringInfo(&paths, f->dir, disk[i].path_len);
		disk[i].date = f->date;
		disk[i].nfiles = f->nfiles;
		disk[i].mtime_sec = f->id.mtime_sec;
		disk[i].mtime_nsec = f->id.mtime_nsec;
		disk[i].ino = f->id.ino;
		block_off += f->block_len;
	}

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CT_INDEX_MAGIC, 8);
	h.version = CT_INDEX_VERSION;
	h.endian = CT_INDEX_ENDIAN;
	h.nfolders = w->nfolders;
	h.filter_k = CT_FILTER_K;
	h.nfiles = 0;
	for (int i = 0; i < w->nfolders; i++)
		h.nfiles += order[i]->nfiles;
	h.ident_off = sizeof(CtIndexHeader);
	h.root_len = strlen(w->root);
	h.log_type_len = strlen(w->log_type);
	h.folders_off = h.ident_off + ident.len;
	h.paths_off = h.folders_off + sizeof(CtIndexFolderDisk) * (uint64) w->nfolders;
	h.paths_len = paths.len;
	off = h.paths_off + h.paths_len;
	h.blocks_off = TYPEALIGN(8, off);
	h.blocks_len = block_off;
	h.total_size = h.blocks_off + h.blocks_len;
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, ident.data, ident.len);
	COMP_CRC32C(crc, disk, sizeof(CtIndexFolderDisk) * (uint64) w->nfolders);
	COMP_CRC32C(crc, paths.data, paths.len);
	FIN_CRC32C(crc);
	h.dir_crc = crc;
	h.header_crc = 0;
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, &h, sizeof(h));
	FIN_CRC32C(crc);
	h.header_crc = crc;

	ct_index_prepare_dir(path);
	fd = OpenTransientFile(tmp, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create cloudtrail_fdw index file \"%s\": %m", tmp)));
	PG_TRY();
	{
		static const char zeros[8] = {0};

		write_all(fd, tmp, &h, sizeof(h));
		write_all(fd, tmp, ident.data, ident.len);
		write_all(fd, tmp, disk, sizeof(CtIndexFolderDisk) * (uint64) w->nfolders);
		write_all(fd, tmp, paths.data, paths.len);
		write_all(fd, tmp, zeros, h.blocks_off - off);
		for (int i = 0; i < w->nfolders; i++)
			write_all(fd, tmp, w->blocks + order[i]->block_off, order[i]->block_len);
		if (pg_fsync(fd) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not fsync cloudtrail_fdw index file \"%s\": %m", tmp)));
	}
	PG_CATCH();
	{
		CloseTransientFile(fd);
		unlink(tmp);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (CloseTransientFile(fd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not close cloudtrail_fdw index file \"%s\": %m", tmp)));
	/* fsyncs the file and its folder around the rename */
	durable_rename(tmp, path, ERROR);
	pfree(order);
	pfree(disk);
	return (int64) h.total_size;
}

/*
 * Makes the index directory if needed, and removes what an interrupted
 * refresh of the index at path left there (its temporary and part files).
 * The caller holds the refresh lock of the index.
 */
void
ct_index_prepare_dir(const char *path)
{
	char	   *dirpath = psprintf("%s/%s", DataDir, CT_INDEX_DIR);
	const char *base = strrchr(path, '/') + 1;
	size_t		blen = strlen(base);
	DIR		   *dir;
	struct dirent *de;

	if (MakePGDirectory(dirpath) != 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", dirpath)));
	dir = AllocateDir(dirpath);
	while ((de = ReadDir(dir, dirpath)) != NULL)
	{
		if (strncmp(de->d_name, base, blen) == 0 && de->d_name[blen] == '.' &&
			(strncmp(de->d_name + blen, ".tmp.", 5) == 0 ||
			 strncmp(de->d_name + blen, ".part", 5) == 0))
		{
			char	   *f = psprintf("%s/%s", dirpath, de->d_name);

			if (unlink(f) != 0 && errno != ENOENT)
				ereport(WARNING,
						(errcode_for_file_access(),
						 errmsg("could not remove \"%s\": %m", f)));
			pfree(f);
		}
	}
	FreeDir(dir);
	pfree(dirpath);
}

/* How many folders were added so far: a mark to roll back to. */
int
ct_index_writer_mark(CtIndexWriter *w)
{
	return w->nfolders;
}

/* Forgets the folders added after mark. */
void
ct_index_writer_rollback(CtIndexWriter *w, int mark)
{
	if (mark >= w->nfolders)
		return;
	w->blocks_len = w->folders[mark].block_off;
	for (int i = mark; i < w->nfolders; i++)
	{
		w->nfiles -= w->folders[i].nfiles;
		pfree(w->folders[i].dir);
	}
	w->nfolders = mark;
}
