/*-------------------------------------------------------------------------
 *
 * ct_digest.c
 *		The event-time index that CloudTrail-Digest files hold.
 *
 * Where log file validation is on, CloudTrail delivers for each region, every
 * hour, a digest listing the log files delivered in that hour, each with the
 * oldest and newest eventTime it holds.  That lets a scan with an upper bound
 * on eventtime skip the files delivered after the bound that hold nothing so
 * old: without digests every file delivered up to max_delivery_delay after
 * the bound must be read, since a late record may be in any of them.
 *
 * A file's digest is looked for in the digest folders of the file's delivery
 * day and of the next day (the digest of a day's last hour comes after
 * midnight); a file that no digest found there lists is read, as is every
 * file when the mirror has no digests.  Digests do not change once delivered,
 * so what a folder's digests say is kept for the life of the backend and read
 * again only when the folder's modification time changes (a digest added or
 * renamed into place).  A digest that cannot be read is ignored, with one
 * WARNING per backend: the files it lists are read.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "ct_compat.h"
#include "ct_convert.h"
#include "ct_digest.h"
#include "ct_hash.h"
#include "ct_json.h"
#include "ct_tree.h"


/* A digest larger than this is not an hourly digest: it is ignored. */
#define CT_DIGEST_MAX_OUT	((size_t) 256 * 1024 * 1024)

/*
 * The cache starts over when it holds more than this: about 140 bytes a log
 * file (its name, two times and its hash), so some 230 000 files.
 */
#define CT_DIGEST_CACHE_MAX ((Size) 32 * 1024 * 1024)

typedef struct DigestEntry
{
	const char *name;			/* log file name, without its folder */
	bool		has_times;		/* oldest and newest are known */
	bool		has_sha;		/* sha is its hashValue */
	TimestampTz oldest;
	TimestampTz newest;
	uint8		sha[CT_DIGEST_SHA_LEN];
} DigestEntry;

typedef struct DigestFolder
{
	char		path[MAXPGPATH];	/* hash key: absolute path of the folder */
	bool		loaded;			/* the rest is set */
	bool		exists;
	struct timespec mtime;
	ino_t		ino;
	uint64		checked;		/* the scan generation that last stat()ed it */
	DigestEntry *entries;		/* sorted by name */
	int			nentries;
	TimestampTz newest_end;		/* the latest digestEndTime, or DT_NOBEGIN */
	int			nbad;			/* digests that could not be read */
	char	   *bad;			/* the first of them by name, or NULL */
	char	   *bad_reason;
	bool		warned;
} DigestFolder;

static MemoryContext digest_cxt = NULL;
static HTAB *digest_folders = NULL;
static uint64 digest_generation = 0;

/* Starts a new scan generation: folders are stat()ed once per generation. */
uint64
ct_digest_generation(void)
{
	return ++digest_generation;
}

static void
cache_reset(void)
{
	HASHCTL		ctl;

	if (digest_cxt == NULL)
		digest_cxt = AllocSetContextCreate(TopMemoryContext,
										   "cloudtrail_fdw digests",
										   ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(digest_cxt);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MAXPGPATH;
	ctl.entrysize = sizeof(DigestFolder);
	ctl.hcxt = digest_cxt;
	digest_folders = hash_create("cloudtrail_fdw digest folders", 64, &ctl,
								 HASH_ELEM | CT_HASH_STRINGS | HASH_CONTEXT);
}

/* ACCOUNT_CloudTrail-Digest_..._YYYYMMDDTHHmmssZ[_backfill].json.gz */
bool
ct_digest_is_name(const char *name)
{
	size_t		len = strlen(name);

	if (len < 13 + 18 + 8 || strspn(name, "0123456789") != 12 || name[12] != '_')
		return false;
	if (strncmp(name + 13, "CloudTrail-Digest_", 18) != 0)
		return false;
	return strcmp(name + len - 8, ".json.gz") == 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const DigestEntry *) a)->name, ((const DigestEntry *) b)->name);
}

/*
 * Reads a digest file whole into memory (palloc'd), not following a link:
 * nothing outside the root is read.  NULL on failure, with *err (and, where
 * it tells more, *save_errno) for the caller to word; *size is the file's
 * size once it could be stat()ed.
 */
unsigned char *
ct_digest_read_file(const char *path, size_t *len, off_t *size, CtDigestReadError *err,
					int *save_errno)
{
	int			fd;
	struct stat st;
	unsigned char *buf;
	size_t		got = 0;

	*err = CT_DIGEST_READ_OK;
	*save_errno = 0;
	*size = 0;
	fd = OpenTransientFile(path, O_RDONLY | O_NOFOLLOW | PG_BINARY);
	if (fd < 0)
	{
		*save_errno = errno;
		*err = CT_DIGEST_READ_OPEN;
		return NULL;
	}
	if (fstat(fd, &st) != 0)
	{
		*save_errno = errno;
		*err = CT_DIGEST_READ_STAT;
	}
	else if (!S_ISREG(st.st_mode))
		*err = CT_DIGEST_READ_NOT_REGULAR;
	else if (st.st_size <= 0)
		*err = CT_DIGEST_READ_EMPTY;
	else if ((size_t) st.st_size > CT_DIGEST_MAX_IN)
		*err = CT_DIGEST_READ_TOO_LARGE;
	if (*err == CT_DIGEST_READ_OK || *err == CT_DIGEST_READ_TOO_LARGE)
		*size = st.st_size;
	if (*err != CT_DIGEST_READ_OK)
	{
		CloseTransientFile(fd);
		return NULL;
	}
	buf = palloc(st.st_size);
	while (got < (size_t) st.st_size)
	{
		ssize_t		n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			*save_errno = n < 0 ? errno : 0;
			*err = n < 0 ? CT_DIGEST_READ_READ : CT_DIGEST_READ_SHRANK;
			CloseTransientFile(fd);
			pfree(buf);
			return NULL;
		}
		got += n;
	}
	CloseTransientFile(fd);
	*len = got;
	return buf;
}

/* Reads a digest for the time index; NULL with *reason on failure. */
static unsigned char *
read_small_file(const char *path, size_t *len, const char **reason)
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
		case CT_DIGEST_READ_STAT:
		case CT_DIGEST_READ_READ:
			*reason = pstrdup(strerror(save_errno));
			break;
		case CT_DIGEST_READ_NOT_REGULAR:
			*reason = "not a regular file";
			break;
		case CT_DIGEST_READ_EMPTY:
			*reason = "empty file";
			break;
		case CT_DIGEST_READ_TOO_LARGE:
			*reason = "too large for a digest";
			break;
		case CT_DIGEST_READ_SHRANK:
			*reason = "file shrank while read";
			break;
	}
	return buf;
}

/* Inflates one gzip member; NULL with *reason on failure. */
static char *
gunzip(const unsigned char *in, size_t inlen, size_t *outlen, const char **reason)
{
	z_stream	zs;
	size_t		cap = Max(inlen * 8, 4096);
	char	   *out;
	int			rc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
	{
		*reason = "could not start inflation";
		return NULL;
	}
	out = palloc(cap);
	zs.next_in = (Bytef *) in;
	zs.avail_in = inlen;
	for (;;)
	{
		zs.next_out = (Bytef *) out + zs.total_out;
		zs.avail_out = cap - zs.total_out;
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_OK && zs.avail_out == 0 && cap < CT_DIGEST_MAX_OUT)
		{
			cap = Min(cap * 2, CT_DIGEST_MAX_OUT);
			out = repalloc(out, cap);
			continue;
		}
		inflateEnd(&zs);
		*reason = rc == Z_OK && zs.avail_out == 0 ? "too large" :
			rc == Z_OK || rc == Z_BUF_ERROR ? "truncated gzip data" : "bad gzip data";
		return NULL;
	}
	*outlen = zs.total_out;
	inflateEnd(&zs);
	return out;
}

/* A "YYYY-MM-DDTHH:MM:SSZ" string value. */
static bool
time_member(const CtValue *obj, const char *key, CtConverter *conv, TimestampTz *out)
{
	CtValue		v;
	Datum		d;
	CtError		err;

	if (!ct_json_object_get(obj, key, strlen(key), &v) || v.type != CT_JSON_STRING)
		return false;
	memset(&err, 0, sizeof(err));
	if (!ct_convert_value(conv, &v, &d, &err))
		return false;
	*out = DatumGetTimestampTz(d);
	return true;
}

/* A "hashValue" of 64 hex digits, as bytes. */
static bool
hash_member(const CtValue *obj, uint8 *sha)
{
	CtValue		v;
	size_t		n;

	if (!ct_json_object_get(obj, "hashValue", 9, &v) || v.type != CT_JSON_STRING ||
		v.escaped || v.len != 2 * CT_DIGEST_SHA_LEN + 2)
		return false;
	return ct_hex_decode(v.p + 1, 2 * CT_DIGEST_SHA_LEN, sha, CT_DIGEST_SHA_LEN, &n) &&
		n == CT_DIGEST_SHA_LEN;
}

/*
 * Adds the log files one digest lists to *entries.  Entries without both
 * times are left out (their files are read).  false with *reason if the
 * digest is not a CloudTrail digest.
 */
static bool
parse_digest(const char *json, size_t len, List **entries, TimestampTz *end,
			 const char **reason)
{
	CtRecord	rec;
	CtError		err;
	CtValue		files;
	CtConverter conv;
	const char *p;
	const char *last;

	memset(&rec, 0, sizeof(rec));
	memset(&err, 0, sizeof(err));
	if (!ct_json_index_record(json, len, &rec, &err))
	{
		*reason = pstrdup(err.msg);
		return false;
	}
	if (!ct_json_record_get(&rec, "logFiles", 8, false, &files) ||
		files.type != CT_JSON_ARRAY)
	{
		*reason = "it has no \"logFiles\" array";
		return false;
	}
	ct_converter_init(&conv, TIMESTAMPTZOID, -1);
	{
		CtValue		e;
		Datum		d;

		memset(&err, 0, sizeof(err));
		if (ct_json_record_get(&rec, "digestEndTime", 13, false, &e) &&
			e.type == CT_JSON_STRING && ct_convert_value(&conv, &e, &d, &err))
			*end = Max(*end, DatumGetTimestampTz(d));
	}
	last = files.p + files.len - 1;	/* the closing ']' */
	p = ct_json_skip_ws(files.p + 1, last);
	while (p < last)
	{
		CtValue		f = ct_json_value_at(p, last);
		CtValue		key;
		DigestEntry *e;

		CHECK_FOR_INTERRUPTS();
		if (f.type == CT_JSON_OBJECT &&
			ct_json_object_get(&f, "s3Object", 8, &key) && key.type == CT_JSON_STRING)
		{
			char	   *name = palloc(key.len + 1);
			bool		has_nul;
			size_t		n = ct_json_string_decode(&key, name, &has_nul);
			char	   *slash;

			name[n] = '\0';
			slash = strrchr(name, '/');
			e = palloc0(sizeof(DigestEntry));
			e->name = slash ? slash + 1 : name;
			if (!has_nul && e->name[0] != '\0' &&
				time_member(&f, "oldestEventTime", &conv, &e->oldest) &&
				time_member(&f, "newestEventTime", &conv, &e->newest) &&
				e->oldest <= e->newest)
			{
				/* whole seconds, as eventTime is written: to the end of newest's */
				if (e->newest % USECS_PER_SEC == 0)
					e->newest += USECS_PER_SEC - 1;
				e->has_times = true;
			}
			e->has_sha = hash_member(&f, e->sha);
			if (!has_nul && e->name[0] != '\0' && (e->has_times || e->has_sha))
				*entries = lappend(*entries, e);
		}
		p = ct_json_skip_ws(f.p + f.len, last);
		if (p < last && *p == ',')
			p = ct_json_skip_ws(p + 1, last);
	}
	return true;
}

/* (Re)reads the digests of one folder into the cache entry. */
static void
load_folder(DigestFolder *folder)
{
	MemoryContext tmp;
	MemoryContext old;
	DIR		   *dir;
	struct dirent *de;
	List	   *entries = NIL;
	ListCell   *lc;
	int			n;
	size_t		names_len = 0;
	char	   *names;

	dir = AllocateDir(folder->path);
	if (dir == NULL)
		return;

	tmp = AllocSetContextCreate(CurrentMemoryContext, "cloudtrail_fdw digest",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);
	while ((de = ReadDirExtended(dir, folder->path, LOG)) != NULL)
	{
		char	   *path;
		unsigned char *gz;
		char	   *json;
		size_t		gzlen,
					jsonlen;
		const char *reason = NULL;

		CHECK_FOR_INTERRUPTS();
		/* links are not followed (nothing outside the root is read) */
		if (!ct_digest_is_name(de->d_name) || de->d_type == DT_LNK)
			continue;
		path = psprintf("%s/%s", folder->path, de->d_name);
		gz = read_small_file(path, &gzlen, &reason);
		json = gz ? gunzip(gz, gzlen, &jsonlen, &reason) : NULL;
		if (json == NULL || !parse_digest(json, jsonlen, &entries, &folder->newest_end, &reason))
		{
			/* the first by name is reported, whatever the order of readdir() */
			folder->nbad++;
			if (folder->bad == NULL || strcmp(de->d_name, folder->bad) < 0)
			{
				folder->bad = MemoryContextStrdup(digest_cxt, de->d_name);
				folder->bad_reason = MemoryContextStrdup(digest_cxt, reason);
			}
		}
	}
	FreeDir(dir);

	/* keep the entries, sorted by name, in the cache: names in one block */
	n = list_length(entries);
	foreach(lc, entries)
		names_len += strlen(((DigestEntry *) lfirst(lc))->name) + 1;
	folder->entries = MemoryContextAlloc(digest_cxt, Max(n, 1) * sizeof(DigestEntry));
	names = MemoryContextAlloc(digest_cxt, Max(names_len, 1));
	foreach(lc, entries)
	{
		DigestEntry *e = lfirst(lc);
		size_t		len = strlen(e->name) + 1;

		memcpy(names, e->name, len);
		folder->entries[folder->nentries] = *e;
		folder->entries[folder->nentries].name = names;
		folder->nentries++;
		names += len;
	}
	qsort(folder->entries, n, sizeof(DigestEntry), entry_cmp);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
}

/* The cache entry of a digest folder, read or read again as needed. */
static DigestFolder *
get_folder(CtTree *tree, const char *rel)
{
	char		path[MAXPGPATH];
	DigestFolder *folder;
	bool		found;
	struct stat st;
	bool		exists;

	if (snprintf(path, sizeof(path), "%s/%s", tree->root, rel) >= (int) sizeof(path))
		return NULL;
	if (digest_folders == NULL ||
		MemoryContextMemAllocated(digest_cxt, true) > CT_DIGEST_CACHE_MAX)
		cache_reset();
	folder = hash_search(digest_folders, path, HASH_ENTER, &found);
	if (!found)
	{
		folder->loaded = false;
		folder->checked = 0;
	}
	if (folder->loaded && folder->checked == tree->digest_generation)
		return folder;

	exists = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	if (exists)
	{
		/* the folder must be inside the root, also through links */
		char	   *real = realpath(path, NULL);

		exists = real != NULL && ct_tree_inside_root(tree, real);
		free(real);
	}
	if (!folder->loaded || exists != folder->exists ||
		(exists && (st.st_ino != folder->ino ||
					st.st_mtim.tv_sec != folder->mtime.tv_sec ||
					st.st_mtim.tv_nsec != folder->mtime.tv_nsec)))
	{
		/* not loaded until it is: an error (a cancel) in between loads it again */
		folder->loaded = false;
		folder->entries = NULL;
		folder->nentries = 0;
		folder->nbad = 0;
		folder->newest_end = DT_NOBEGIN;
		folder->bad = NULL;
		folder->warned = false;
		if (exists)
			load_folder(folder);
		folder->exists = exists;
		if (exists)
		{
			folder->ino = st.st_ino;
			folder->mtime = st.st_mtim;
		}
		folder->loaded = true;
	}
	folder->checked = tree->digest_generation;

	if (folder->bad && !folder->warned && !tree->onerr->quiet)
	{
		folder->warned = true;
		ereport(WARNING,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("ignoring CloudTrail digest file \"%s/%s\": %s",
						rel, folder->bad, folder->bad_reason),
				 folder->nbad > 1 ?
				 errdetail("%d digest files of this folder could not be read; the log files they list are read, whatever their event times.",
						   folder->nbad) :
				 errdetail("The log files it lists are read, whatever their event times.")));
	}
	return folder;
}

/*
 * The digest folder of day for the partition folder partdir, relative to the
 * root: .../CloudTrail/REGION/YYYY/MM/DD becomes
 * .../CloudTrail-Digest/REGION/yyyy/mm/dd.  NULL if partdir is not laid out so.
 */
static char *
digest_dir(const char *partdir, DateADT day)
{
	const char *slash[5];
	const char *p = partdir + strlen(partdir);
	int			y,
				m,
				d;

	/* the last five slashes: before TYPE, REGION, YYYY, MM and DD */
	for (int i = 4; i >= 0; i--)
	{
		while (p > partdir && p[-1] != '/')
			p--;
		if (p == partdir && i > 0)
			return NULL;
		slash[i] = p;			/* start of the component */
		if (p > partdir)
			p--;
	}
	if (slash[1] - slash[0] != 11 || strncmp(slash[0], "CloudTrail/", 11) != 0)
		return NULL;
	j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	return psprintf("%.*sCloudTrail-Digest/%.*s%04d/%02d/%02d",
					(int) (slash[0] - partdir), partdir,
					(int) (slash[2] - slash[1]), slash[1], y, m, d);
}

/* The first of a folder's entries for name (they are sorted by name), or NULL. */
static DigestEntry *
first_entry(DigestFolder *folder, const char *name)
{
	DigestEntry key;
	DigestEntry *e;

	if (folder->nentries == 0)
		return NULL;
	key.name = name;
	e = bsearch(&key, folder->entries, folder->nentries, sizeof(DigestEntry), entry_cmp);
	while (e && e > folder->entries && strcmp(e[-1].name, name) == 0)
		e--;
	return e;
}

/*
 * The oldest and newest eventTime of the log file name, delivered at
 * delivery into the partition folder partdir, as the digests give them.
 * false if no digest lists the file.
 */
bool
ct_digest_times(CtTree *tree, const char *partdir, const char *name,
				TimestampTz delivery, TimestampTz *oldest, TimestampTz *newest)
{
	DateADT		day = (DateADT) (delivery / USECS_PER_DAY);
	bool		listed = false;

	for (int i = 0; i < 2; i++)
	{
		char	   *rel = digest_dir(partdir, day + i);
		DigestFolder *folder;
		DigestEntry *e;

		if (rel == NULL)
			return false;
		folder = get_folder(tree, rel);
		pfree(rel);
		if (folder == NULL)
			continue;
		/* a file listed more than once (a backfill digest too): the widest span */
		for (e = first_entry(folder, name);
			 e && e < folder->entries + folder->nentries && strcmp(e->name, name) == 0; e++)
		{
			if (!e->has_times)
				continue;
			*oldest = listed ? Min(*oldest, e->oldest) : e->oldest;
			*newest = listed ? Max(*newest, e->newest) : e->newest;
			listed = true;
		}
	}
	return listed;
}

/*
 * verify_hashes: the SHA-256 values the digests give for the log file name,
 * delivered at delivery into partdir (up to max of them, in *sha; a file
 * listed twice, by a backfill digest too, may match either).  When no digest
 * lists it, whether it may be in the newest hour of the mirror, whose digest
 * has not arrived: delivered no earlier than the latest digest of the day
 * before, its own and the next.
 */
CtDigestListing
ct_digest_hashes(CtTree *tree, const char *partdir, const char *name,
				 TimestampTz delivery, uint8 (*sha)[CT_DIGEST_SHA_LEN], int max, int *nsha)
{
	DateADT		day = (DateADT) (delivery / USECS_PER_DAY);
	TimestampTz newest_end = DT_NOBEGIN;

	*nsha = 0;
	for (int i = -1; i < 2; i++)
	{
		char	   *rel = digest_dir(partdir, day + i);
		DigestFolder *folder;
		DigestEntry *e;

		if (rel == NULL)
			return CT_DIGEST_UNLISTED;
		folder = get_folder(tree, rel);
		pfree(rel);
		if (folder == NULL)
			continue;
		newest_end = Max(newest_end, folder->newest_end);
		if (i < 0)
			continue;
		for (e = first_entry(folder, name);
			 e && e < folder->entries + folder->nentries && strcmp(e->name, name) == 0; e++)
			if (e->has_sha && *nsha < max)
				memcpy(sha[(*nsha)++], e->sha, CT_DIGEST_SHA_LEN);
	}
	if (*nsha > 0)
		return CT_DIGEST_LISTED;
	return newest_end != DT_NOBEGIN && delivery >= newest_end ? CT_DIGEST_NEWEST :
		CT_DIGEST_UNLISTED;
}
