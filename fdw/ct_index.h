/*-------------------------------------------------------------------------
 *
 * ct_index.h
 *		The persistent index of a mirror: per day folder its identity and
 *		files, per file its identity, record count, exact event-time span and
 *		a Bloom filter of the values investigators search.
 *
 * One index file per mirror root and log type, in $PGDATA/pg_cloudtrail_fdw,
 * written whole and renamed into place, read through mmap by every backend.
 * It is derived data: an entry is used only while the folder or file it
 * describes has the identity it had when it was indexed.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_INDEX_H
#define CT_INDEX_H

#include "postgres.h"

#include <sys/stat.h>

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "utils/date.h"

#include "ct_json.h"

#define CT_INDEX_DIR			"pg_cloudtrail_fdw"

typedef struct CtIndex CtIndex;

/* flags of an indexed file */
#define CT_IXF_GZIP		0x01
#define CT_IXF_BAD		0x02	/* could not be read: never skipped */
#define CT_IXF_TIMES	0x04	/* oldest and newest are exact */

/* One file of an indexed folder, decoded. */
typedef struct CtIndexFile
{
	char	   *name;
	int64		size;
	int64		mtime_sec;
	int32		mtime_nsec;
	uint32		flags;
	uint32		nrecords;
	TimestampTz oldest;			/* CT_IXF_TIMES: eventTime span of its records */
	TimestampTz newest;
	const uint8 *filter;		/* Bloom filter, into the mapping */
	uint32		filter_len;
} CtIndexFile;

/*
 * What a folder's block says of all its files at once, so that planning and
 * a scan can skip a folder without decoding its files: their total size,
 * the span of their event times, and a filter of the union of their values.
 */
#define CT_IXS_TIMES	0x01	/* every file with records has exact times */
#define CT_IXS_RECORDS	0x02	/* some file has records: oldest, newest are set */
#define CT_IXS_FILTER	0x04	/* filter holds every file's values */
#define CT_IXS_BAD		0x08	/* a file could not be read: never skipped */

typedef struct CtFolderSummary
{
	uint32		flags;
	int64		total_size;
	int64		plain_size;		/* of it, of files not gzipped */
	TimestampTz oldest;
	TimestampTz newest;
	uint32		filter_cap;		/* values the filter was sized for */
	uint32		filter_n;		/* values in it (at most: not deduplicated) */
	const uint8 *filter;		/* into the mapping */
	uint32		filter_len;
} CtFolderSummary;

/* The identity of a folder when it was indexed. */
typedef struct CtFolderId
{
	int64		mtime_sec;
	int32		mtime_nsec;
	uint64		ino;
} CtFolderId;

/*
 * The identity of a file or folder, as an entry records it: one definition
 * for the refresh that records it and the scans that trust it.
 */
static inline bool
ct_index_file_is(const CtIndexFile *e, int64 size, int64 mtime_sec, int32 mtime_nsec)
{
	return e->size == size && e->mtime_sec == mtime_sec && e->mtime_nsec == mtime_nsec;
}

static inline void
ct_folder_id_of(const struct stat *st, CtFolderId *id)
{
	id->mtime_sec = st->st_mtim.tv_sec;
	id->mtime_nsec = st->st_mtim.tv_nsec;
	id->ino = st->st_ino;
}

static inline bool
ct_folder_id_equal(const CtFolderId *a, const CtFolderId *b)
{
	return a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec && a->ino == b->ino;
}

/* ---- reading ---- */
extern bool ct_enable_index;
extern int	ct_refresh_checkpoint_secs;

extern char *ct_index_path(const char *root, const char *log_type);
extern const char *ct_index_display_path(const char *path);
extern CtIndex *ct_index_open(const char *root, const char *log_type,
							  MemoryContext owner);
extern int	ct_index_find(CtIndex *idx, const char *dir);
extern void ct_index_folder_id(CtIndex *idx, int folder, CtFolderId *id);
extern int64 ct_index_folder_nfiles(CtIndex *idx, int folder);
extern DateADT ct_index_folder_date(CtIndex *idx, int folder);
extern CtIndexFile *ct_index_folder_files(CtIndex *idx, int folder, int *nfiles);
extern void ct_index_folder_summary(CtIndex *idx, int folder, CtFolderSummary *sum);
extern int	ct_index_nfolders(CtIndex *idx);
extern int64 ct_index_nfiles(CtIndex *idx);
extern int64 ct_index_size(CtIndex *idx);
extern const char *ct_index_folder_dir(CtIndex *idx, int folder);
extern const char *ct_index_folder_path(CtIndex *idx, int folder, size_t *len);

/* ---- the values a filter holds ---- */

/* A file's filter as it is built: 64-bit hashes of (path, value). */
typedef struct CtFilterBuild
{
	uint64	   *hashes;
	int			n;
	int			cap;
	bool		built;			/* read from the file (else an entry carried over) */
} CtFilterBuild;

extern void ct_filter_add_record(CtFilterBuild *fb, const CtRecord *rec);
extern bool ct_index_path_indexed(char *const *path, int npath);
extern uint64 ct_index_value_hash(char *const *path, int npath, const char *val,
								  size_t len);
extern uint64 ct_index_nonstring_hash(char *const *path, int npath);
extern bool ct_filter_may_contain(const uint8 *filter, uint32 len, uint64 hash);

/* ---- what a scan asks of a file's entry ---- */
struct CtPrune;
typedef struct CtIndexProbe CtIndexProbe;

extern CtIndexProbe *ct_index_probe(const struct CtPrune *p);
extern bool ct_index_may_match(const CtIndexProbe *probe, const struct CtPrune *p,
							   const CtIndexFile *e);
extern bool ct_index_folder_may_match(const CtIndexProbe *probe, const struct CtPrune *p,
									  const CtFolderSummary *sum);

/* ---- writing ---- */
typedef struct CtIndexWriter CtIndexWriter;

extern CtIndexWriter *ct_index_writer_begin(const char *root, const char *log_type);
extern bool ct_index_encode_block(StringInfo buf, const char *dir,
								  const CtIndexFile *files, CtFilterBuild *filters,
								  int nfiles, const CtFolderSummary *old, bool grow);
extern void ct_index_writer_add_block(CtIndexWriter *w, const char *dir, DateADT date,
									  const CtFolderId *id, uint32 nfiles,
									  const char *block, uint32 len);
extern void ct_index_writer_copy(CtIndexWriter *w, CtIndex *old, int folder,
								 const CtFolderId *now);
extern int64 ct_index_writer_finish(CtIndexWriter *w, const char *path);
extern void ct_index_prepare_dir(const char *path);
extern int	ct_index_writer_mark(CtIndexWriter *w);
extern void ct_index_writer_rollback(CtIndexWriter *w, int mark);

#endif							/* CT_INDEX_H */
