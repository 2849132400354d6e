/*-------------------------------------------------------------------------
 *
 * ct_validate.c
 *		cloudtrail_fdw.validate(tbl, start_time, end_time, public_keys,
 *		signatures): is the mirror complete and unmodified?
 *
 * `aws cloudtrail validate-logs` reads S3, not a copy, and `aws s3 sync`
 * drops the digests' signatures (S3 object metadata).  This checks a mirror
 * alone: every log file against the hashValue its digest gives, every digest
 * against the previousDigestHashValue of the next one, every file a digest
 * lists or names as its previous, every event file that no digest lists;
 * and, given CloudTrail's public keys, every digest's signature it knows:
 * from the next digest's previousDigestSignature, or from saved metadata.
 *
 * One row per log file and per digest in the range (digests by their end
 * time, as the CLI selects them).  Digests are read by the leader (they are
 * small); the log files are hashed by it and by parallel workers
 * (max_parallel_maintenance_workers, as CREATE INDEX and refresh_index()),
 * which claim files from a shared list.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/fd.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "ct_compat.h"
#include "ct_convert.h"
#include "ct_digest.h"
#include "ct_hash.h"
#include "ct_json.h"
#include "ct_options.h"
#include "ct_prune.h"
#include "ct_sig.h"
#include "ct_tree.h"
#include "ct_validate.h"

/* A digest larger than these is not one: invalid. */
#define V_DIGEST_MAX_OUT	((size_t) 64 * 1024 * 1024)

/*
 * Digests ending this long after end_time are read too (not reported): the
 * next digest of the last one in range gives its hash and signature, and a
 * log file delivered before end_time may be listed by one of them.
 */
#define V_LOOKAHEAD			((int64) 2 * USECS_PER_HOUR)

/* One log file a digest lists. */
typedef struct VLogRef
{
	char	   *rel;			/* relative to the root; NULL: outside it */
	char	   *s3object;
	char		hash[CT_SHA256_HEX_LEN + 1];	/* lowercase */
} VLogRef;

typedef struct VDigest
{
	char	   *rel;			/* relative to the root */
	char	   *area;			/* [prefix/]AWSLogs/[o-ORG/]ACCOUNT/REGION */
	char	   *chain;			/* area and trail: one chain of digests */
	TimestampTz name_time;		/* the end time its name gives */
	TimestampTz start;			/* digestStartTime, or as far as is known */
	TimestampTz end;			/* digestEndTime, or name_time */
	bool		in_range;		/* reported (else read only to look ahead) */
	bool		found;			/* in the mirror */
	bool		parsed;			/* read, and well formed */
	char	   *bad;			/* why it is invalid as a file */
	uint8		sha[CT_SHA256_LEN];
	char	   *end_text;		/* digestEndTime as written */
	char	   *start_text;
	char	   *bucket;
	char	   *object;
	char	   *prefix;			/* what object has before rel: the root's key prefix */
	char	   *fingerprint;
	char	   *sigalg;
	char	   *prev_bucket;	/* all NULL for a digest that starts a chain */
	char	   *prev_object;
	char	   *prev_hash;
	char	   *prev_sig;
	int			nlogs;
	VLogRef    *logs;
	struct VDigest *next;		/* the digest naming this one as its previous */
	const char *given_sig;		/* from the signatures argument */
	const char *status;
	char	   *detail;
	bool		trusted;		/* valid or not verified: its list is vouched for */
} VDigest;

/* What the digests say of one log file. */
typedef struct VLog
{
	const char *rel;			/* hash key */
	VDigest    *trusted;		/* the first trusted in-range digest listing it */
	const char *hash;			/* ... and the hash it gives */
	VDigest    *untrusted;		/* an in-range digest listing it that is not */
	int			job;			/* its slot in the shared list, or -1 */
} VLog;

/* A report row. */
typedef struct VRow
{
	const char *file;
	const char *kind;
	const char *status;
	char	   *detail;
} VRow;

typedef struct Validation
{
	CtTree		tree;			/* the table's event files */
	CtTree		dtree;			/* its digests */
	CtOnError	onerr;
	/* the day being validated (a report is made a day at a time), inclusive */
	TimestampTz start_time;
	TimestampTz end_time;
	HTAB	   *chain_ends;		/* chain -> ChainEnd, of the days before */
	MemoryContext fncxt;		/* the function's: what lasts from day to day */
	CtKeySet   *keys;			/* NULL: none given */
	List	   *digests;		/* VDigest, in path order */
	HTAB	   *by_object;		/* bucket/object -> VDigest */
	HTAB	   *logs;			/* rel -> VLog */
	CtHasher   *hasher;
	CtConverter conv;			/* ISO 8601 strings to timestamptz */
	VRow	   *rows;
	int			nrows;
	int			caprows;
} Validation;

/* Hash tables are keyed by strings the tables point to (no fixed-size copies). */
typedef struct ObjectEntry
{
	const char *key;
	VDigest    *d;
} ObjectEntry;

/* The latest digest of a chain on the days before: for a restart's detail. */
typedef struct ChainEnd
{
	const char *chain;
	TimestampTz end;
	char	   *end_text;
} ChainEnd;

/* ---- the shared list of log files to hash ---- */

typedef struct VJob
{
	uint32		path;			/* offset of its absolute path from paths_off */
	CtHashResult result;
} VJob;

typedef struct VShared
{
	int			njobs;
	pg_atomic_uint32 next;
	Size		paths_off;
	VJob		jobs[FLEXIBLE_ARRAY_MEMBER];
} VShared;

#define CT_VALIDATE_KEY_SHARED	UINT64CONST(0xC7F0000000000002)

/* ---- small helpers ---- */

static uint32
string_ptr_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
string_ptr_cmp(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* A hash table keyed by a string pointer, in the current memory context. */
static HTAB *
string_table(const char *name, Size entrysize, long nelem)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = entrysize;
	ctl.hash = string_ptr_hash;
	ctl.match = string_ptr_cmp;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, nelem, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

static void
add_row(Validation *v, const char *file, const char *kind, const char *status, char *detail)
{
	if (v->nrows == v->caprows)
	{
		v->caprows = v->caprows ? v->caprows * 2 : 256;
		v->rows = v->rows ? repalloc_huge(v->rows, v->caprows * sizeof(VRow)) :
			palloc(v->caprows * sizeof(VRow));
	}
	v->rows[v->nrows].file = file;
	v->rows[v->nrows].kind = kind;
	v->rows[v->nrows].status = status;
	v->rows[v->nrows].detail = detail;
	v->nrows++;
}

/* An instant as CloudTrail writes it, whatever the session's time zone. */
static char *
iso_time(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		return pstrdup("?");
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool
parse_time(Validation *v, const char *s, TimestampTz *out)
{
	CtValue		val;
	char	   *quoted = psprintf("\"%s\"", s);
	Datum		d;
	CtError		err;

	val.p = quoted;
	val.len = strlen(quoted);
	val.type = CT_JSON_STRING;
	val.escaped = false;
	memset(&err, 0, sizeof(err));
	if (!ct_convert_value(&v->conv, &val, &d, &err))
		return false;
	*out = DatumGetTimestampTz(d);
	return true;
}

/*
 * The end time in a digest's name:
 * ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOME_YYYYMMDDTHHMMSSZ[_backfill].json.gz
 * Sets *stem_len to the length of what precedes "_YYYYMMDD...": the trail.
 */
static bool
digest_name_time(const char *name, TimestampTz *t, size_t *stem_len)
{
	const char *p = strrchr(name, '/');
	size_t		len;

	p = p ? p + 1 : name;
	if (!ct_digest_is_name(p))
		return false;
	len = strlen(p);
	for (const char *q = p + len - 8 - 16; q > p; q--)
	{
		int			y,
					mo,
					d,
					h,
					mi,
					s;

		if (q[-1] != '_' || strspn(q, "0123456789") != 8 || q[8] != 'T' ||
			strspn(q + 9, "0123456789") != 6 || q[15] != 'Z' ||
			sscanf(q, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &s) != 6)
			continue;
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
			return false;
		*t = (TimestampTz) (date2j(y, mo, d) - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY +
			h * USECS_PER_HOUR + mi * USECS_PER_MINUTE + s * USECS_PER_SEC;
		if (stem_len)
			*stem_len = (q - 1) - name;
		return true;
	}
	return false;
}

/*
 * The account and region part of a folder of type tree TYPE:
 * X/TYPE/REGION/YYYY/MM/DD becomes X/REGION, for log and digest folders
 * alike.
 */
static char *
area_of(const char *dir, const char *type)
{
	size_t		tlen = strlen(type);
	const char *p = dir;
	const char *region;
	const char *end;

	for (;;)
	{
		p = strstr(p, type);
		if (p == NULL)
			return pstrdup(dir);
		if ((p == dir || p[-1] == '/') && p[tlen] == '/')
			break;
		p += tlen;
	}
	region = p + tlen + 1;
	end = strchr(region, '/');
	return psprintf("%.*s%.*s", (int) (p - dir), dir,
					(int) (end ? end - region : strlen(region)), region);
}

/* Is rel inside dir (both relative to the root; "" is the root)? */
static bool
rel_under(const char *rel, const char *dir)
{
	size_t		len = strlen(dir);

	return len == 0 || (strncmp(rel, dir, len) == 0 && (rel[len] == '/' || rel[len] == '\0'));
}

/* A path relative to the root that cannot leave it by its text. */
static bool
rel_is_plain(const char *rel)
{
	if (rel[0] == '\0' || rel[0] == '/' || strlen(rel) >= MAXPGPATH - 1)
		return false;
	for (const char *p = rel; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p))
	{
		if (strncmp(p, "../", 3) == 0 || strcmp(p, "..") == 0 ||
			strncmp(p, "./", 2) == 0 || p[0] == '/')
			return false;
	}
	return true;
}

static char *
abs_of(Validation *v, const char *rel)
{
	return psprintf("%s/%s", v->tree.root, rel);
}

static char *
hex_of(const uint8 *sha)
{
	char	   *s = palloc(CT_SHA256_HEX_LEN + 1);

	ct_hex_encode(sha, CT_SHA256_LEN, s);
	return s;
}

static bool
is_sha256_hex(const char *s)
{
	return s && strlen(s) == CT_SHA256_HEX_LEN &&
		strspn(s, "0123456789abcdefABCDEF") == CT_SHA256_HEX_LEN;
}

/* ---- reading digests ---- */

/* Reads a digest whole; NULL with *reason, in a report's words, on failure. */
static unsigned char *
read_digest_file(const char *path, size_t *len, char **reason)
{
	CtDigestReadError err;
	int			save_errno;
	off_t		size;
	unsigned char *buf = ct_digest_read_file(path, len, &size, &err, &save_errno);

	switch (err)
	{
		case CT_DIGEST_READ_OK:
			break;
		case CT_DIGEST_READ_OPEN:
			*reason = psprintf("could not open it: %s", strerror(save_errno));
			break;
		case CT_DIGEST_READ_STAT:
		case CT_DIGEST_READ_NOT_REGULAR:
			*reason = "not a regular file";
			break;
		case CT_DIGEST_READ_EMPTY:
			*reason = "an empty file";
			break;
		case CT_DIGEST_READ_TOO_LARGE:
			*reason = psprintf("too large for a digest (%lld bytes)", (long long) size);
			break;
		case CT_DIGEST_READ_READ:
			*reason = psprintf("could not read it: %s", strerror(save_errno));
			break;
		case CT_DIGEST_READ_SHRANK:
			*reason = "it shrank while it was read";
			break;
	}
	return buf;
}

/*
 * A string member, or NULL for JSON null; false (with *reason) for anything
 * else, or a missing member when required.
 */
static bool
get_str(const CtRecord *rec, const char *key, bool nullable, char **out, char **reason)
{
	CtValue		val;

	*out = NULL;
	if (!ct_json_record_get(rec, key, strlen(key), false, &val))
	{
		*reason = psprintf("it has no \"%s\"", key);
		return false;
	}
	if (val.type == CT_JSON_NULL && nullable)
		return true;
	*out = ct_json_cstring(&val);
	if (*out == NULL)
	{
		*reason = psprintf("its \"%s\" is not a string", key);
		return false;
	}
	return true;
}

/* The log files a digest lists; false with *reason if the list is malformed. */
static bool
parse_log_files(VDigest *d, const CtValue *files, char **reason)
{
	CtValue		f;
	const char *pos = NULL;
	int			cap = 8;
	int			nth = 0;

	d->logs = palloc(cap * sizeof(VLogRef));
	while (ct_json_next(files, &pos, NULL, &f))
	{
		CtValue		val;
		char	   *obj = NULL;
		char	   *hash = NULL;
		VLogRef    *l;

		CHECK_FOR_INTERRUPTS();
		nth++;
		if (f.type != CT_JSON_OBJECT ||
			!ct_json_object_get(&f, "s3Object", 8, &val) || (obj = ct_json_cstring(&val)) == NULL ||
			!ct_json_object_get(&f, "hashValue", 9, &val) || (hash = ct_json_cstring(&val)) == NULL)
		{
			*reason = psprintf("entry %d of its \"logFiles\" has no \"s3Object\" or \"hashValue\" string", nth);
			return false;
		}
		if (ct_json_object_get(&f, "hashAlgorithm", 13, &val) &&
			!ct_json_string_equals(&val, "SHA-256", 7, false))
		{
			*reason = psprintf("the \"hashAlgorithm\" of \"%s\" is not \"SHA-256\"", obj);
			return false;
		}
		if (!is_sha256_hex(hash))
		{
			*reason = psprintf("the \"hashValue\" of \"%s\" is not 64 hexadecimal digits", obj);
			return false;
		}
		if (d->nlogs == cap)
		{
			cap *= 2;
			d->logs = repalloc_huge(d->logs, cap * sizeof(VLogRef));
		}
		l = &d->logs[d->nlogs++];
		l->s3object = obj;
		for (int i = 0; i <= CT_SHA256_HEX_LEN; i++)
			l->hash[i] = pg_ascii_tolower(hash[i]);
		l->rel = NULL;
		if (strncmp(obj, d->prefix, strlen(d->prefix)) == 0 && rel_is_plain(obj + strlen(d->prefix)))
			l->rel = obj + strlen(d->prefix);
	}
	return true;
}

/* The fields of a digest's JSON; false with *reason if it is not a digest. */
static bool
parse_digest(Validation *v, VDigest *d, const char *json, size_t len, char **reason,
			 bool *misplaced)
{
	CtRecord	rec = {0};
	CtError		err;
	CtValue		files;
	size_t		olen;
	size_t		rlen = strlen(d->rel);
	bool		starts;

	memset(&err, 0, sizeof(err));
	if (!ct_json_index_record(json, len, &rec, &err))
	{
		*reason = psprintf("not a JSON object: %s", err.msg);
		return false;
	}
	if (!get_str(&rec, "digestStartTime", false, &d->start_text, reason) ||
		!get_str(&rec, "digestEndTime", false, &d->end_text, reason) ||
		!get_str(&rec, "digestS3Bucket", false, &d->bucket, reason) ||
		!get_str(&rec, "digestS3Object", false, &d->object, reason) ||
		!get_str(&rec, "digestPublicKeyFingerprint", false, &d->fingerprint, reason) ||
		!get_str(&rec, "digestSignatureAlgorithm", false, &d->sigalg, reason) ||
		!get_str(&rec, "previousDigestS3Bucket", true, &d->prev_bucket, reason) ||
		!get_str(&rec, "previousDigestS3Object", true, &d->prev_object, reason) ||
		!get_str(&rec, "previousDigestHashValue", true, &d->prev_hash, reason) ||
		!get_str(&rec, "previousDigestSignature", true, &d->prev_sig, reason))
		return false;
	if (!parse_time(v, d->start_text, &d->start) || !parse_time(v, d->end_text, &d->end))
	{
		*reason = "its \"digestStartTime\" or \"digestEndTime\" is not a time";
		return false;
	}
	starts = d->prev_object == NULL;
	if ((d->prev_bucket == NULL) != starts || (d->prev_hash == NULL) != starts ||
		(d->prev_sig == NULL) != starts)
	{
		*reason = "some but not all of its \"previousDigest\" fields are null";
		return false;
	}
	if (!starts && !is_sha256_hex(d->prev_hash))
	{
		*reason = "its \"previousDigestHashValue\" is not 64 hexadecimal digits";
		return false;
	}
	/* where it was put: the mirror's path, below the root's key prefix */
	olen = strlen(d->object);
	if (!(olen == rlen && strcmp(d->object, d->rel) == 0) &&
		!(olen > rlen && d->object[olen - rlen - 1] == '/' &&
		  strcmp(d->object + olen - rlen, d->rel) == 0))
	{
		*reason = psprintf("it is not where it was delivered: its \"digestS3Object\" is \"%s\"",
						   d->object);
		*misplaced = true;
		return false;
	}
	d->prefix = pnstrdup(d->object, olen - rlen);
	if (!ct_json_record_get(&rec, "logFiles", 8, false, &files) || files.type != CT_JSON_ARRAY)
	{
		*reason = "it has no \"logFiles\" array";
		return false;
	}
	return parse_log_files(d, &files, reason);
}

/* Reads, hashes and parses one digest found at rel. */
static void
read_digest(Validation *v, VDigest *d, MemoryContext filecxt)
{
	MemoryContext old = MemoryContextSwitchTo(filecxt);
	char	   *reason = NULL;
	size_t		gzlen = 0;
	size_t		jsonlen = 0;
	unsigned char *gz;
	char	   *json = NULL;
	CtHashResult hr;
	bool		misplaced = false;

	gz = read_digest_file(abs_of(v, d->rel), &gzlen, &reason);
	if (gz)
	{
		json = ct_gunzip_first_member(v->hasher, gz, gzlen, V_DIGEST_MAX_OUT, &jsonlen, &hr);
		if (json == NULL)
			reason = pstrdup(hr.reason);
		else
			memcpy(d->sha, hr.sha, CT_SHA256_LEN);
	}
	/* what is kept goes to the day's context; the file's bytes do not */
	MemoryContextSwitchTo(old);
	if (json && parse_digest(v, d, json, jsonlen, &reason, &misplaced))
		d->parsed = true;
	else
		d->bad = misplaced ? reason : psprintf("invalid format: %s", reason);
	MemoryContextReset(filecxt);
}

static void
remember_object(Validation *v, VDigest *d)
{
	char	   *key = psprintf("%s/%s", d->bucket, d->object);
	ObjectEntry *e;
	bool		found;

	e = hash_search(v->by_object, &key, HASH_ENTER, &found);
	if (!found)
		e->d = d;
}

static VDigest *
find_object(Validation *v, const char *bucket, const char *object)
{
	char	   *key = psprintf("%s/%s", bucket, object);
	ObjectEntry *e;

	e = hash_search(v->by_object, &key, HASH_FIND, NULL);
	pfree(key);
	return e ? e->d : NULL;
}

static int
digest_rel_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(((VDigest *) lfirst(a))->rel, ((VDigest *) lfirst(b))->rel);
}

static VDigest *
new_digest(const char *rel, const char *dir, TimestampTz name_time, size_t stem_len)
{
	VDigest    *d = palloc0(sizeof(VDigest));
	const char *slash = strrchr(rel, '/');

	d->rel = pstrdup(rel);
	d->area = area_of(dir, "CloudTrail-Digest");
	d->chain = psprintf("%s/%.*s", d->area, (int) (stem_len - (slash ? slash + 1 - rel : 0)),
						slash ? slash + 1 : rel);
	d->name_time = name_time;
	d->start = d->end = name_time;
	return d;
}

/*
 * Lists and reads the digests whose name gives an end time in [start_time,
 * end_time + V_LOOKAHEAD], under the table's location.
 */
static void
read_digests(Validation *v, const char *region)
{
	CtPrune		prune;
	List	   *parts;
	ListCell   *lc;
	MemoryContext filecxt = AllocSetContextCreate(CurrentMemoryContext,
												  "cloudtrail_fdw validate digest",
												  ALLOCSET_DEFAULT_SIZES);

	ct_prune_init(&prune, -1);
	prune.has_dd_lo = prune.has_dd_hi = true;
	prune.dd_lo = (DateADT) (v->start_time / USECS_PER_DAY) - 1;
	prune.dd_hi = (DateADT) ((v->end_time + V_LOOKAHEAD) / USECS_PER_DAY) + 1;
	v->dtree.prune = &prune;
	parts = ct_tree_partitions(&v->dtree);
	v->dtree.prune = NULL;
	foreach(lc, parts)
	{
		CtPartition *part = lfirst(lc);
		char	   *absdir = abs_of(v, part->dir);
		DIR		   *dir;
		struct dirent *de;

		if (region && strcmp(part->region, region) != 0)
			continue;
		dir = AllocateDir(absdir);
		if (dir == NULL)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not open digest folder \"%s\": %m", part->dir)));
		while ((de = ReadDir(dir, absdir)) != NULL)
		{
			TimestampTz t;
			size_t		stem;
			char	   *rel;
			VDigest    *d;

			CHECK_FOR_INTERRUPTS();
			if (!digest_name_time(de->d_name, &t, &stem) ||
				t < v->start_time || t > v->end_time + V_LOOKAHEAD)
				continue;
			rel = psprintf("%s/%s", part->dir, de->d_name);
			d = new_digest(rel, part->dir, t, stem + strlen(part->dir) + 1);
			d->in_range = t <= v->end_time;
			d->found = true;
			v->digests = lappend(v->digests, d);
		}
		FreeDir(dir);
	}
	/* the same order on every file system */
	list_sort(v->digests, digest_rel_cmp);
	foreach(lc, v->digests)
	{
		VDigest    *d = lfirst(lc);

		read_digest(v, d, filecxt);
		if (d->parsed)
			remember_object(v, d);
	}
	MemoryContextDelete(filecxt);
}

/*
 * Links each digest to the next one (that names it as its previous), and
 * adds the digests in range that a next one names but the mirror lacks.
 */
static void
link_chains(Validation *v, const char *digest_start)
{
	List	   *missing = NIL;
	ListCell   *lc;

	foreach(lc, v->digests)
	{
		VDigest    *n = lfirst(lc);
		VDigest    *p;
		const char *rel;
		TimestampTz t;
		size_t		stem;
		struct stat st;

		if (!n->parsed || n->prev_object == NULL)
			continue;
		p = find_object(v, n->prev_bucket, n->prev_object);
		if (p)
		{
			if (p->next == NULL)
				p->next = n;
			continue;
		}
		/* the previous one is not among those read: is it missing? */
		if (strncmp(n->prev_object, n->prefix, strlen(n->prefix)) != 0)
			continue;
		rel = n->prev_object + strlen(n->prefix);
		if (!rel_is_plain(rel) || !rel_under(rel, digest_start) ||
			!digest_name_time(rel, &t, &stem) ||
			t < v->start_time || t > v->end_time)
			continue;
		if (lstat(abs_of(v, rel), &st) == 0)
			continue;			/* there, but not in its folder's range: not ours */
		p = new_digest(rel, rel, t, stem);
		pfree(p->area);
		p->area = pstrdup(n->area);
		p->chain = pstrdup(n->chain);
		p->in_range = true;
		p->end = n->start;
		p->next = n;
		p->status = "not found";
		p->detail = psprintf("the next digest, %s, names it as its previous digest, but it is not in the mirror",
							 n->rel);
		p->bucket = n->prev_bucket;
		p->object = n->prev_object;
		missing = lappend(missing, p);
		remember_object(v, p);	/* one row however many name it */
	}
	v->digests = list_concat(v->digests, missing);
}

/* Signatures given for digests the mirror lacks: those are not found too. */
static void
add_signed_missing(Validation *v, const char *digest_start, HTAB *sigs)
{
	HASH_SEQ_STATUS seq;
	ObjectEntry *e;

	hash_seq_init(&seq, sigs);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		ListCell   *lc;
		bool		known = false;
		TimestampTz t;
		size_t		stem;
		struct stat st;
		VDigest    *d;

		foreach(lc, v->digests)
		{
			if (strcmp(((VDigest *) lfirst(lc))->rel, e->key) == 0)
			{
				known = true;
				break;
			}
		}
		if (known)
			continue;
		if (!rel_is_plain(e->key) || !digest_name_time(e->key, &t, &stem))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"signatures\" names \"%s\", which is not the path of a digest file", e->key),
					 errhint("Its keys are digest paths relative to the server's root, as validate() shows them in \"file\".")));
		if (!rel_under(e->key, digest_start) || t < v->start_time || t > v->end_time ||
			lstat(abs_of(v, e->key), &st) == 0)
			continue;
		{
			char	   *dir = pnstrdup(e->key, strrchr(e->key, '/') ? strrchr(e->key, '/') - e->key : 0);

			d = new_digest(e->key, dir, t, stem);
		}
		d->in_range = true;
		d->status = "not found";
		d->detail = pstrdup("a signature is given for it, but it is not in the mirror");
		v->digests = lappend(v->digests, d);
	}
}

/* ---- verdicts on digests ---- */

/* The string CloudTrail signs for a digest. */
static char *
signed_string(const VDigest *d)
{
	return psprintf("%s\n%s/%s\n%s\n%s", d->end_text, d->bucket, d->object, hex_of(d->sha),
					d->prev_sig ? d->prev_sig : "null");
}

/* Is there a digest of d's chain that ends after it (so d is not its newest)? */
static bool
chain_goes_on(Validation *v, const VDigest *d)
{
	ListCell   *lc;

	foreach(lc, v->digests)
	{
		VDigest    *o = lfirst(lc);

		if (o != d && o->end > d->end && strcmp(o->chain, d->chain) == 0)
			return true;
	}
	return false;
}

static void
check_signature(Validation *v, VDigest *d)
{
	const char *sig = d->next && d->next->parsed ? d->next->prev_sig : NULL;
	uint8	   *raw;
	size_t		rawlen;
	char	   *msg;
	CtSigResult r;

	if (sig && d->given_sig && pg_strcasecmp(sig, d->given_sig) != 0)
	{
		d->status = "invalid";
		d->detail = psprintf("the signature given for it differs from the previousDigestSignature of the next digest, %s",
							 d->next->rel);
		return;
	}
	if (sig == NULL)
		sig = d->given_sig;
	if (strcmp(d->sigalg, "SHA256withRSA") != 0)
	{
		d->status = "invalid";
		d->detail = psprintf("its digestSignatureAlgorithm is \"%s\", not \"SHA256withRSA\"", d->sigalg);
		return;
	}
	if (sig == NULL)
	{
		d->status = "not verified";
		d->detail = d->next ? psprintf("no signature known: the next digest, %s, is invalid", d->next->rel) :
			chain_goes_on(v, d) ?
			pstrdup("no signature known: no readable digest names it as its previous one") :
			pstrdup("no signature known: it is the newest digest of its chain; pass its S3 metadata in \"signatures\"");
		return;
	}
	raw = palloc(strlen(sig) / 2 + 1);
	if (!ct_hex_decode(sig, strlen(sig), raw, strlen(sig) / 2 + 1, &rawlen) || rawlen == 0)
	{
		d->status = "invalid";
		d->detail = pstrdup("signature verification failed: its signature is not hexadecimal");
		return;
	}
	msg = signed_string(d);
	r = ct_keyset_verify(v->keys, d->fingerprint, raw, rawlen, msg, strlen(msg));
	if (r == CT_SIG_NO_KEY)
	{
		d->status = "not verified";
		d->detail = v->keys ? psprintf("no public key given for its fingerprint %s", d->fingerprint) :
			pstrdup("no public keys given");
	}
	else if (r == CT_SIG_INVALID)
	{
		d->status = "invalid";
		d->detail = psprintf("signature verification failed with the key of fingerprint %s",
							 d->fingerprint);
	}
	else
	{
		d->status = "valid";
		d->detail = psprintf("signature verified with the key of fingerprint %s", d->fingerprint);
	}
}

/*
 * When the latest digest of the same chain that ends before d ended (for a
 * restart's detail, and how far back an unreadable digest reaches), from the
 * digests of this day or of the days before; false if none is known.
 */
static bool
chain_before(Validation *v, const VDigest *d, TimestampTz *end, char **end_text)
{
	VDigest    *best = NULL;
	ListCell   *lc;
	ChainEnd   *ce;

	foreach(lc, v->digests)
	{
		VDigest    *o = lfirst(lc);

		if (o != d && o->end < d->start && strcmp(o->chain, d->chain) == 0 &&
			(best == NULL || o->end > best->end))
			best = o;
	}
	if (best)
	{
		*end = best->end;
		*end_text = best->end_text ? best->end_text : iso_time(best->end);
		return true;
	}
	ce = hash_search(v->chain_ends, &d->chain, HASH_FIND, NULL);
	if (ce && ce->end < d->start)
	{
		*end = ce->end;
		*end_text = ce->end_text;
		return true;
	}
	return false;
}

/* Remembers the latest digest of each chain of the day, for the days after. */
static void
remember_chain_ends(Validation *v)
{
	ListCell   *lc;

	foreach(lc, v->digests)
	{
		VDigest    *d = lfirst(lc);
		ChainEnd   *ce;
		bool		found;
		MemoryContext old;

		if (!d->in_range)
			continue;
		old = MemoryContextSwitchTo(v->fncxt);
		ce = hash_search(v->chain_ends, &d->chain, HASH_FIND, &found);
		if (ce == NULL || ce->end < d->end)
		{
			char	   *chain = pstrdup(d->chain);

			if (ce == NULL)
				ce = hash_search(v->chain_ends, &chain, HASH_ENTER, &found);
			ce->end = d->end;
			ce->end_text = pstrdup(d->end_text ? d->end_text : iso_time(d->end));
		}
		MemoryContextSwitchTo(old);
	}
}

static void
judge_digest(Validation *v, VDigest *d)
{
	if (d->status)				/* not found */
		return;
	if (!d->parsed)
	{
		d->status = "invalid";
		d->detail = d->bad;
		return;
	}
	if (d->next && d->next->parsed &&
		pg_strcasecmp(d->next->prev_hash, hex_of(d->sha)) != 0)
	{
		d->status = "invalid";
		d->detail = psprintf("hash value doesn't match: the next digest, %s, gives %s, the file hashes to %s",
							 d->next->rel, d->next->prev_hash, hex_of(d->sha));
		return;
	}
	check_signature(v, d);
	d->trusted = strcmp(d->status, "invalid") != 0;
	if (d->prev_object == NULL)
	{
		TimestampTz before;
		char	   *before_text;

		d->detail = chain_before(v, d, &before, &before_text) ?
			psprintf("%s; it starts a chain: no log files were delivered between %s and %s",
					 d->detail, before_text, d->start_text) :
			psprintf("%s; it starts a chain", d->detail);
	}
}

/* ---- verdicts on log files ---- */

static VLog *
log_entry(Validation *v, const char *rel)
{
	VLog	   *l;
	bool		found;

	l = hash_search(v->logs, &rel, HASH_ENTER, &found);
	if (!found)
	{
		l->trusted = NULL;
		l->untrusted = NULL;
		l->hash = NULL;
		l->job = -1;
	}
	return l;
}

/* What the digests read say about the log files under the location. */
static void
collect_listed(Validation *v)
{
	ListCell   *lc;

	foreach(lc, v->digests)
	{
		VDigest    *d = lfirst(lc);

		if (!d->parsed)
			continue;
		for (int i = 0; i < d->nlogs; i++)
		{
			VLogRef    *r = &d->logs[i];
			VLog	   *l;

			CHECK_FOR_INTERRUPTS();
			if (r->rel == NULL)
			{
				if (d->in_range && d->trusted)
					add_row(v, r->s3object, "log", "not found",
							psprintf("listed by %s, but its s3Object is outside the mirror's root", d->rel));
				continue;
			}
			if (!rel_under(r->rel, v->tree.start))
				continue;
			l = log_entry(v, r->rel);
			if (!d->in_range)
				continue;		/* listed, but reported with a digest out of range */
			if (d->trusted && l->trusted == NULL)
			{
				l->trusted = d;
				l->hash = r->hash;
			}
			else if (!d->trusted && l->untrusted == NULL)
				l->untrusted = d;
		}
	}
}

/* A bad digest in range, of area, whose hour holds t: what kept a file unlisted. */
static VDigest *
bad_digest_at(Validation *v, const char *area, TimestampTz t)
{
	ListCell   *lc;

	foreach(lc, v->digests)
	{
		VDigest    *d = lfirst(lc);
		TimestampTz start = d->start;

		if (!d->in_range || d->trusted || strcmp(d->area, area) != 0)
			continue;
		if (!d->parsed)
		{
			/* how far back it reaches: to the end of the one before it */
			char	   *before_text;

			if (!chain_before(v, d, &start, &before_text))
				start = d->end - USECS_PER_HOUR;
		}
		if (start <= t && t <= d->end)
			return d;
	}
	return NULL;
}

/*
 * Event files of the location delivered in [start_time, end_time] that no
 * digest lists: not covered, unless they are newer than every digest of
 * their account and region (their digest may not have arrived yet).
 */
static void
check_unlisted(Validation *v)
{
	CtPrune		prune;
	List	   *parts;
	ListCell   *lc;

	ct_prune_init(&prune, -1);
	prune.has_dt_lo = prune.has_dt_hi = true;
	prune.dt_lo = v->start_time;
	prune.dt_hi = v->end_time;
	prune.has_dd_lo = prune.has_dd_hi = true;
	prune.dd_lo = (DateADT) (v->start_time / USECS_PER_DAY);
	prune.dd_hi = (DateADT) (v->end_time / USECS_PER_DAY);
	v->tree.prune = &prune;
	parts = ct_tree_partitions(&v->tree);
	foreach(lc, parts)
	{
		CtPartition *part = lfirst(lc);
		char	   *area = area_of(part->dir, v->tree.log_type);
		TimestampTz newest = DT_NOBEGIN;
		bool		any = false;
		ListCell   *dc;
		int			n;
		CtFile	   *files;

		foreach(dc, v->digests)
		{
			VDigest    *d = lfirst(dc);

			if (strcmp(d->area, area) == 0)
			{
				newest = Max(newest, d->end);
				any = true;
			}
		}
		files = ct_tree_files(&v->tree, part, false, &n);
		for (int i = 0; i < n; i++)
		{
			char	   *rel = psprintf("%s/%s", part->dir, files[i].name);
			VLog	   *l;
			VDigest    *bad;

			CHECK_FOR_INTERRUPTS();
			if (strlen(rel) >= MAXPGPATH)
				continue;
			l = hash_search(v->logs, &rel, HASH_FIND, NULL);
			if (l)
				continue;
			if (any && files[i].delivery >= newest)
				continue;		/* the newest hour: its digest is still to come */
			bad = any ? bad_digest_at(v, area, files[i].delivery) : NULL;
			add_row(v, rel, "log", "not covered",
					!any ? pstrdup("no digest of its account and region is in the mirror") :
					bad ? psprintf("no digest lists it; the digest of its hour, %s, is %s",
								   bad->rel, strcmp(bad->status, "not found") == 0 ?
								   "not in the mirror" : "invalid") :
					pstrdup("no digest lists it"));
		}
	}
	v->tree.prune = NULL;
}

/* ---- hashing the log files, in parallel ---- */

static void
run_jobs(VShared *sh, CtHasher *h)
{
	for (;;)
	{
		uint32		i = pg_atomic_fetch_add_u32(&sh->next, 1);

		CHECK_FOR_INTERRUPTS();
		if (i >= (uint32) sh->njobs)
			break;
		ct_hash_gzip_file(h, (const char *) sh + sh->paths_off + sh->jobs[i].path,
						  &sh->jobs[i].result);
	}
}

void
ct_validate_worker(dsm_segment *seg, shm_toc *toc)
{
	VShared    *sh = shm_toc_lookup(toc, CT_VALIDATE_KEY_SHARED, false);

	(void) seg;
	run_jobs(sh, ct_hasher_create(CurrentMemoryContext));
}

/* Hashes the listed log files that a trusted digest vouches for. */
static void
hash_listed(Validation *v)
{
	HASH_SEQ_STATUS seq;
	VLog	   *l;
	List	   *jobs = NIL;
	ListCell   *lc;
	Size		paths_len = 0;
	Size		size;
	VShared    *sh;
	ParallelContext *pcxt = NULL;
	int			nworkers = 0;
	int			i;
	char	   *p;

	hash_seq_init(&seq, v->logs);
	while ((l = hash_seq_search(&seq)) != NULL)
	{
		char	   *real;

		if (l->trusted == NULL)
			continue;
		CHECK_FOR_INTERRUPTS();
		/* nothing outside the root is read, also through links */
		real = realpath(abs_of(v, l->rel), NULL);
		if (real == NULL || !ct_tree_inside_root(&v->tree, real))
		{
			add_row(v, pstrdup(l->rel), "log", real || errno == ENOENT ? (real ? "invalid" : "not found") : "invalid",
					real ? psprintf("listed by %s, but it is a link out of the mirror's root", l->trusted->rel) :
					errno == ENOENT ? psprintf("listed by %s, but not in the mirror", l->trusted->rel) :
					psprintf("listed by %s, but it cannot be opened: %s", l->trusted->rel, strerror(errno)));
			free(real);
			continue;
		}
		free(real);
		jobs = lappend(jobs, l);
		paths_len += strlen(v->tree.root) + 1 + strlen(l->rel) + 1;
	}
	size = MAXALIGN(offsetof(VShared, jobs) + sizeof(VJob) * list_length(jobs)) + paths_len;
	/* a worker for every 8 files, up to max_parallel_maintenance_workers */
	if (list_length(jobs) >= 8 && max_parallel_maintenance_workers > 0 && !IsInParallelMode())
		nworkers = Min(max_parallel_maintenance_workers, list_length(jobs) / 8);
	if (nworkers > 0)
	{
		EnterParallelMode();
		pcxt = CreateParallelContext("cloudtrail_fdw", "ct_validate_worker", nworkers);
		shm_toc_estimate_chunk(&pcxt->estimator, size);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
		InitializeParallelDSM(pcxt);
		sh = shm_toc_allocate(pcxt->toc, size);
		shm_toc_insert(pcxt->toc, CT_VALIDATE_KEY_SHARED, sh);
	}
	else
		sh = palloc_extended(size, MCXT_ALLOC_HUGE);
	sh->njobs = list_length(jobs);
	pg_atomic_init_u32(&sh->next, 0);
	sh->paths_off = MAXALIGN(offsetof(VShared, jobs) + sizeof(VJob) * sh->njobs);
	p = (char *) sh + sh->paths_off;
	i = 0;
	foreach(lc, jobs)
	{
		l = lfirst(lc);
		l->job = i;
		sh->jobs[i].path = p - ((char *) sh + sh->paths_off);
		p += sprintf(p, "%s/%s", v->tree.root, l->rel) + 1;
		i++;
	}
	if (pcxt)
	{
		LaunchParallelWorkers(pcxt);
		elog(DEBUG1, "cloudtrail_fdw validate of %d files: %d parallel workers",
			 sh->njobs, pcxt->nworkers_launched);
	}
	run_jobs(sh, v->hasher);
	if (pcxt)
		WaitForParallelWorkersToFinish(pcxt);

	foreach(lc, jobs)
	{
		CtHashResult *r;
		char	   *hex;

		l = lfirst(lc);
		r = &sh->jobs[l->job].result;
		hex = hex_of(r->sha);
		if (r->missing)
			add_row(v, pstrdup(l->rel), "log", "not found",
					psprintf("listed by %s, but not in the mirror", l->trusted->rel));
		else if (!r->ok)
			add_row(v, pstrdup(l->rel), "log", "invalid",
					psprintf("invalid format: %s", r->reason));
		else if (strcmp(hex, l->hash) != 0)
			add_row(v, pstrdup(l->rel), "log", "invalid",
					psprintf("hash value doesn't match: %s gives %s, the file hashes to %s",
							 l->trusted->rel, l->hash, hex));
		else
			add_row(v, pstrdup(l->rel), "log", "valid",
					psprintf("hash matches %s", l->trusted->rel));
	}
	if (pcxt)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
	}
}

/* ---- set-up and the report ---- */

/*
 * The digest tree's location: the table's location cut at its account
 * folder (a location below it narrows the event files; digests are matched
 * to them by region and path).
 */
static char *
digest_location(CtTree *tree, const char **region)
{
	const char *start = tree->start;
	const char *p;

	*region = tree->seed.region;
	if (tree->start_level < CT_LEVEL_REGION)
		return start[0] ? pstrdup(start) : NULL;
	/* .../ACCOUNT/CloudTrail[/REGION/...]: the last "/CloudTrail" component */
	for (p = start + strlen(start); p > start; p--)
	{
		if (p[-1] == '/' && strncmp(p, tree->log_type, strlen(tree->log_type)) == 0 &&
			(p[strlen(tree->log_type)] == '/' || p[strlen(tree->log_type)] == '\0'))
			return pnstrdup(start, p - 1 - start);
	}
	return NULL;
}

/* signatures: {"path": {"signature": "hex", "signature-algorithm": "SHA256withRSA"}} */
static HTAB *
parse_signatures(Jsonb *jb)
{
	HTAB	   *sigs = string_table("cloudtrail_fdw signatures", sizeof(ObjectEntry), 64);
	char	   *text;
	CtValue		top,
				key,
				val;
	const char *pos = NULL;

	if (jb == NULL)
		return sigs;
	text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	top = ct_json_value_at(ct_json_skip_ws(text, text + strlen(text)), text + strlen(text));
	if (top.type != CT_JSON_OBJECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"signatures\" must be a JSON object"),
				 errhint("Its keys are digest paths, its values what \"aws s3api head-object --query Metadata\" prints for them.")));
	while (ct_json_next(&top, &pos, &key, &val))
	{
		char	   *path = ct_json_cstring(&key);
		CtValue		s;
		char	   *sig = NULL;
		ObjectEntry *e;

		if (val.type == CT_JSON_OBJECT && ct_json_object_get(&val, "signature-algorithm", 19, &s) &&
			!ct_json_string_equals(&s, "SHA256withRSA", 13, false))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the signature given for \"%s\" is not \"SHA256withRSA\"", path)));
		if (val.type == CT_JSON_OBJECT && ct_json_object_get(&val, "signature", 9, &s))
			sig = ct_json_cstring(&s);
		if (path == NULL || sig == NULL || strlen(path) >= MAXPGPATH)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"signatures\" must map digest paths to objects with a \"signature\" string"),
					 errhint("Its values are what \"aws s3api head-object --query Metadata\" prints.")));
		e = hash_search(sigs, &path, HASH_ENTER, NULL);
		e->d = (VDigest *) sig;	/* the signature, until matched */
	}
	return sigs;
}

static int
row_cmp(const void *a, const void *b)
{
	const VRow *ra = a;
	const VRow *rb = b;
	int			c = strcmp(ra->file, rb->file);

	return c != 0 ? c : strcmp(ra->kind, rb->kind);
}

/* The tuplestore the report goes to, a day at a time. */
static Tuplestorestate *
begin_rows(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Tuplestorestate *ts;
	MemoryContext old;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("validate() must be called where a set can be returned")));
	if (get_call_result_type(fcinfo, NULL, tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	*tupdesc = CreateTupleDescCopy(*tupdesc);
	ts = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = ts;
	rsinfo->setDesc = *tupdesc;
	return ts;
}

/* The day's rows, in file order, into the report (it spills past work_mem). */
static void
flush_rows(Validation *v, Tuplestorestate *ts, TupleDesc tupdesc)
{
	if (v->nrows > 0)
		qsort(v->rows, v->nrows, sizeof(VRow), row_cmp);
	for (int i = 0; i < v->nrows; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {0};

		values[0] = CStringGetTextDatum(v->rows[i].file);
		values[1] = CStringGetTextDatum(v->rows[i].kind);
		values[2] = CStringGetTextDatum(v->rows[i].status);
		if (v->rows[i].detail)
			values[3] = CStringGetTextDatum(v->rows[i].detail);
		else
			nulls[3] = true;
		tuplestore_putvalues(ts, tupdesc, values, nulls);
	}
	v->rows = NULL;
	v->nrows = v->caprows = 0;
}

static void
open_trees(Validation *v, Oid relid, const char *relname, const char **region, char **dstart)
{
	CtOptions	opts;
	CtOptions	dopts;

	ct_get_options(relid, &opts);
	if (strcmp(opts.log_type, CT_DEFAULT_LOG_TYPE) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot validate foreign table \"%s\": its log_type is \"%s\"", relname, opts.log_type),
				 errdetail("Digests list the files of the CloudTrail tree only.")));
	memset(&v->onerr, 0, sizeof(v->onerr));
	v->onerr.relname = relname;	/* a folder that cannot be read is an ERROR */
	ct_tree_open_with(&v->tree, &opts, &v->onerr, false);
	v->tree.use_digests = false;
	if (v->tree.single_file)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot validate foreign table \"%s\": its location is one file", relname),
				 errhint("Validate through a table whose location is a folder.")));
	dopts = opts;
	dopts.log_type = "CloudTrail-Digest";
	dopts.location = digest_location(&v->tree, region);
	ct_tree_open_with(&v->dtree, &dopts, &v->onerr, false);
	v->dtree.use_digests = false;
	*dstart = v->dtree.start;
}

/* Validates the day v->start_time..v->end_time: its rows go to v->rows. */
static void
validate_day(Validation *v, const char *region, const char *dstart, HTAB *sigs)
{
	ListCell   *lc;

	v->digests = NIL;
	v->by_object = string_table("cloudtrail_fdw digests", sizeof(ObjectEntry), 256);
	v->logs = string_table("cloudtrail_fdw log files", sizeof(VLog), 1024);
	read_digests(v, region);
	link_chains(v, dstart);
	add_signed_missing(v, dstart, sigs);
	foreach(lc, v->digests)
	{
		VDigest    *d = lfirst(lc);
		ObjectEntry *e = hash_search(sigs, &d->rel, HASH_FIND, NULL);

		if (e)
			d->given_sig = (const char *) e->d;
	}
	foreach(lc, v->digests)
		judge_digest(v, lfirst(lc));
	foreach(lc, v->digests)
	{
		VDigest    *d = lfirst(lc);

		if (d->in_range)
			add_row(v, d->rel, "digest", d->status, d->detail);
	}
	collect_listed(v);
	{
		HASH_SEQ_STATUS seq;
		VLog	   *l;

		/* listed only by digests that are not to be trusted */
		hash_seq_init(&seq, v->logs);
		while ((l = hash_seq_search(&seq)) != NULL)
			if (l->trusted == NULL && l->untrusted)
				add_row(v, pstrdup(l->rel), "log", "not covered",
						psprintf("listed only by %s, which is %s", l->untrusted->rel,
								 strcmp(l->untrusted->status, "not found") == 0 ?
								 "not in the mirror" : "invalid"));
	}
	check_unlisted(v);
	hash_listed(v);
	remember_chain_ends(v);
}

PG_FUNCTION_INFO_V1(cloudtrail_fdw_validate);

Datum
cloudtrail_fdw_validate(PG_FUNCTION_ARGS)
{
	Validation	v;
	Oid			relid;
	char	   *relname;
	const char *region;
	char	   *dstart;
	HTAB	   *sigs;
	Tuplestorestate *ts;
	TupleDesc	tupdesc;
	TimestampTz start_time;
	TimestampTz end_time;
	TimestampTz day_lo;
	TimestampTz day_hi;
	MemoryContext daycxt;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("tbl, start_time and end_time must not be null")));
	memset(&v, 0, sizeof(v));
	relid = PG_GETARG_OID(0);
	start_time = PG_GETARG_TIMESTAMPTZ(1);
	end_time = PG_GETARG_TIMESTAMPTZ(2);
	if (TIMESTAMP_NOT_FINITE(start_time) || TIMESTAMP_NOT_FINITE(end_time))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start_time and end_time must be finite")));
	relname = ct_check_table(relid, "Validation reads every file of the table: it needs SELECT on it.");
	ct_converter_init(&v.conv, TIMESTAMPTZOID, -1);
	if (!PG_ARGISNULL(3))
	{
		Jsonb	   *jb = PG_GETARG_JSONB_P(3);
		char	   *text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));

		v.keys = ct_keyset_parse(text, strlen(text));
	}
	sigs = parse_signatures(PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4));
	v.hasher = ct_hasher_create(CurrentMemoryContext);
	open_trees(&v, relid, relname, &region, &dstart);

	ts = begin_rows(fcinfo, &tupdesc);
	v.fncxt = CurrentMemoryContext;
	v.chain_ends = string_table("cloudtrail_fdw chains", sizeof(ChainEnd), 64);
	daycxt = AllocSetContextCreate(CurrentMemoryContext, "cloudtrail_fdw validate day",
								   ALLOCSET_DEFAULT_SIZES);

	/*
	 * A day of digests (by their end time) at a time, and the event files
	 * delivered that day: memory is bounded by a day's files, however long
	 * the range.
	 */
	for (day_lo = start_time; day_lo <= end_time; day_lo = day_hi + 1)
	{
		TimestampTz day_start = day_lo - ((day_lo % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;

		CHECK_FOR_INTERRUPTS();
		day_hi = Min(end_time, day_start + USECS_PER_DAY - 1);
		MemoryContextReset(daycxt);
		MemoryContextSwitchTo(daycxt);
		v.start_time = day_lo;
		v.end_time = day_hi;
		validate_day(&v, region, dstart, sigs);
		flush_rows(&v, ts, tupdesc);
		MemoryContextSwitchTo(v.fncxt);
	}
	MemoryContextDelete(daycxt);
	return (Datum) 0;
}
