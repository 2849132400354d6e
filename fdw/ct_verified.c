/*-------------------------------------------------------------------------
 *
 * ct_verified.c
 *		The files verify_hashes has hashed, so that a file is hashed once,
 *		not by every scan.
 *
 * SHA-256 over every inflated byte costs more than the rest of a count(*)
 * does (1.8 GB/s a core here, against about 1.4 GB/s of JSON for the whole
 * scan on two): a scan that hashed every file would take half as long
 * again.  So the SHA-256 a file hashed to is remembered with the file's
 * identity -- device, inode, size, modification and change times -- in
 * $PGDATA/pg_cloudtrail_fdw/<index name>.verified, and a later scan that
 * finds the file still so compares what is remembered with its digest
 * instead of hashing it again.  Any change to a file changes its change
 * time, which no one but the system clock's owner can set back; a digest
 * that changes is compared afresh.  Like the index it is derived data:
 * deleting it costs only the hashing again.
 *
 * Scans (leaders and parallel workers alike) load the file when they start
 * and append a record, in one write(), for each file they verify; a record
 * carries a CRC-32C, so one torn by a crash is ignored.  The latest record
 * of a path wins.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/hashfn.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "ct_hash.h"
#include "ct_index.h"
#include "ct_verified.h"

#define CT_VERIFIED_MAGIC	0x43545646	/* "CTVF" */

/* A file larger than this is not read (every file is hashed again). */
#define CT_VERIFIED_MAX		((off_t) 512 * 1024 * 1024)

typedef struct VerifiedRecord
{
	uint64		path_hash;		/* of the path relative to the root */
	uint64		dev;
	uint64		ino;
	int64		size;
	int64		mtime_sec;
	int64		ctime_sec;
	int32		mtime_nsec;
	int32		ctime_nsec;
	uint8		sha[CT_SHA256_LEN];
	uint32		magic;
	pg_crc32c	crc;			/* of everything before it */
} VerifiedRecord;

struct CtVerified
{
	char	   *path;
	HTAB	   *records;		/* path_hash -> VerifiedRecord */
};

static uint64
path_hash(const char *rel)
{
	return hash_bytes_extended((const unsigned char *) rel, strlen(rel), 0x43545646);
}

static pg_crc32c
record_crc(const VerifiedRecord *r)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, r, offsetof(VerifiedRecord, crc));
	FIN_CRC32C(crc);
	return crc;
}

static void
fill_identity(VerifiedRecord *r, const char *rel, const struct stat *st)
{
	memset(r, 0, sizeof(*r));
	r->path_hash = path_hash(rel);
	r->dev = (uint64) st->st_dev;
	r->ino = (uint64) st->st_ino;
	r->size = (int64) st->st_size;
	r->mtime_sec = (int64) st->st_mtim.tv_sec;
	r->mtime_nsec = (int32) st->st_mtim.tv_nsec;
	r->ctime_sec = (int64) st->st_ctim.tv_sec;
	r->ctime_nsec = (int32) st->st_ctim.tv_nsec;
}

/* Loads what is remembered for the mirror at root (log_type's tree). */
CtVerified *
ct_verified_open(const char *root, const char *log_type)
{
	CtVerified *vf = palloc0(sizeof(CtVerified));
	char	   *idx = ct_index_path(root, log_type);
	HASHCTL		ctl;
	int			fd;
	struct stat st;
	VerifiedRecord *buf;
	ssize_t		n = 0;

	/* beside the index: .../<hash>.idx -> .../<hash>.verified */
	vf->path = psprintf("%.*s.verified", (int) (strlen(idx) - 4), idx);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(VerifiedRecord);
	ctl.hcxt = CurrentMemoryContext;
	vf->records = hash_create("cloudtrail_fdw verified files", 1024, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	fd = OpenTransientFile(vf->path, O_RDONLY | PG_BINARY);
	if (fd < 0)
		return vf;				/* nothing verified yet */
	if (fstat(fd, &st) != 0 || st.st_size > CT_VERIFIED_MAX)
	{
		CloseTransientFile(fd);
		return vf;
	}
	buf = palloc_extended(Max(st.st_size, 1), MCXT_ALLOC_HUGE);
	while (n < st.st_size)
	{
		ssize_t		got = read(fd, (char *) buf + n, st.st_size - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += got;
	}
	CloseTransientFile(fd);
	for (ssize_t i = 0; i < n / (ssize_t) sizeof(VerifiedRecord); i++)
	{
		VerifiedRecord *r = &buf[i];
		VerifiedRecord *e;

		CHECK_FOR_INTERRUPTS();
		if (r->magic != CT_VERIFIED_MAGIC || r->crc != record_crc(r))
			continue;			/* torn by a crash */
		e = hash_search(vf->records, &r->path_hash, HASH_ENTER, NULL);
		*e = *r;
	}
	pfree(buf);
	return vf;
}

/*
 * Was the file rel, whose identity is st (of the open file), verified as it
 * is now?  Then *sha is what it hashed to.
 */
bool
ct_verified_lookup(CtVerified *vf, const char *rel, const struct stat *st, uint8 *sha)
{
	VerifiedRecord key;
	VerifiedRecord *e;

	fill_identity(&key, rel, st);
	e = hash_search(vf->records, &key.path_hash, HASH_FIND, NULL);
	if (e == NULL || e->dev != key.dev || e->ino != key.ino || e->size != key.size ||
		e->mtime_sec != key.mtime_sec || e->mtime_nsec != key.mtime_nsec ||
		e->ctime_sec != key.ctime_sec || e->ctime_nsec != key.ctime_nsec)
		return false;
	memcpy(sha, e->sha, CT_SHA256_LEN);
	return true;
}

/*
 * Remembers that the file rel, of identity st when it was opened, hashed to
 * sha.  A failure to write costs only the hashing next time: a WARNING.
 */
void
ct_verified_add(CtVerified *vf, const char *rel, const struct stat *st, const uint8 *sha)
{
	VerifiedRecord r;
	VerifiedRecord *e;
	int			fd;

	fill_identity(&r, rel, st);
	memcpy(r.sha, sha, CT_SHA256_LEN);
	r.magic = CT_VERIFIED_MAGIC;
	r.crc = record_crc(&r);
	e = hash_search(vf->records, &r.path_hash, HASH_ENTER, NULL);
	*e = r;

	fd = OpenTransientFile(vf->path, O_WRONLY | O_APPEND | O_CREAT | PG_BINARY);
	if (fd < 0 && errno == ENOENT)
	{
		/* the folder of the index, made by the first of them */
		char	   *dir = psprintf("%s/%s", DataDir, CT_INDEX_DIR);

		if (MakePGDirectory(dir) == 0 || errno == EEXIST)
			fd = OpenTransientFile(vf->path, O_WRONLY | O_APPEND | O_CREAT | PG_BINARY);
	}
	/* one write(), appended whole: concurrent scans never interleave records */
	if (fd < 0 || write(fd, &r, sizeof(r)) != sizeof(r))
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not remember a verified file in \"%s\": %m", vf->path)));
	if (fd >= 0)
		CloseTransientFile(fd);
}
