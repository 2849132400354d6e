/*-------------------------------------------------------------------------
 *
 * ct_refresh.c
 *		cloudtrail_fdw.refresh_index(regclass): bring the index of a foreign
 *		table's mirror up to date.
 *
 * Incremental: every day folder under the table's location is listed and
 * its files stat()ed (cheap), and only the files that are new or whose size
 * or modification time changed are read; folders that vanished are
 * forgotten.  Folders of the mirror outside the location are kept as they
 * are, so tables over parts of one root share its index.
 *
 * Refreshes of one index are serialized by an advisory lock on it; queries
 * meanwhile read the previous version.  Every few seconds a complete index
 * is written (what was refreshed so far, the rest as it was), so a refresh
 * that is cancelled or dies keeps what it finished.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "common/hashfn.h"
#include "catalog/pg_type.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/shm_toc.h"
#include "storage/fd.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "ct_convert.h"
#include "ct_index.h"
#include "ct_json.h"
#include "ct_options.h"
#include "ct_stream.h"
#include "ct_tree.h"

/* cloudtrail_fdw.refresh_checkpoint_interval: a complete index this often (seconds) */
int			ct_refresh_checkpoint_secs = 10;

typedef struct RefreshStats
{
	int64		folders_seen;
	int64		folders_added;
	int64		folders_changed;
	int64		folders_removed;
	int64		files_seen;
	int64		files_added;
	int64		files_changed;
	int64		files_removed;
	int64		files_bad;
	int64		bytes_read;
	int64		index_bytes;
} RefreshStats;

static long
read_fd(void *arg, void *buf, size_t len)
{
	int			fd = *(int *) arg;
	ssize_t		n;

	do
	{
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return (long) n;
}

/*
 * Reads one file for the index: its record count, event-time span and
 * filter values.  A file that cannot be read whole is flagged bad: scans
 * always read it, and report it as they do today.
 */
static void
index_file(CtTree *tree, const char *dir, const CtFile *f, CtIndexFile *e,
		   CtFilterBuild *fb, CtStreamBuffers *bufs, RefreshStats *rs)
{
	char	   *abs = psprintf("%s/%s/%s", tree->root, dir, f->name);
	char	   *timekey = "eventTime";
	int			fd;
	CtStream   *stream;
	CtRecord	rec = {0};
	CtError		err;
	const char *p;
	size_t		len;
	CtStreamResult r;
	bool		times_ok = true;
	bool		any_time = false;
	CtConverter conv;

	memset(e, 0, sizeof(*e));
	memset(fb, 0, sizeof(*fb));
	fb->built = true;
	e->name = f->name;
	e->size = f->size;
	e->mtime_sec = f->mtime_sec;
	e->mtime_nsec = f->mtime_nsec;
	e->flags = f->gzip ? CT_IXF_GZIP : 0;
	conv.kind = CT_CONV_TIMESTAMPTZ;
	conv.typid = TIMESTAMPTZOID;
	conv.typmod = -1;

	fd = OpenTransientFile(abs, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		e->flags |= CT_IXF_BAD;
		rs->files_bad++;
		return;
	}
	stream = ct_stream_open(read_fd, &fd, f->gzip, bufs);
	while ((r = ct_stream_next(stream, &p, &len, &err)) == CT_STREAM_RECORD)
	{
		CtValue		v;

		CHECK_FOR_INTERRUPTS();
		if (!ct_json_index_record(p, len, &rec, &err))
		{
			r = CT_STREAM_ERROR;
			break;
		}
		e->nrecords++;
		ct_filter_add_record(fb, &rec);
		/*
		 * The span is exact only if every eventTime reads as the scan reads
		 * it whatever the session's time zone: strings ending in Z.
		 */
		if (ct_json_path_get(&rec, &timekey, 1, true, &v) && v.type != CT_JSON_NULL)
		{
			Datum		d;
			TimestampTz t;

			if (v.type != CT_JSON_STRING || v.escaped || v.len < 3 ||
				v.p[v.len - 2] != 'Z' || !ct_convert_value(&conv, &v, &d, &err))
			{
				times_ok = false;
				continue;
			}
			t = DatumGetTimestampTz(d);
			if (!any_time || t < e->oldest)
				e->oldest = t;
			if (!any_time || t > e->newest)
				e->newest = t;
			any_time = true;
		}
	}
	ct_stream_close(stream);
	CloseTransientFile(fd);
	rs->bytes_read += f->size > 0 ? f->size : 0;
	if (r == CT_STREAM_ERROR)
	{
		e->flags |= CT_IXF_BAD;
		e->nrecords = 0;
		fb->n = 0;
		rs->files_bad++;
		return;
	}
	if (times_ok && any_time)
		e->flags |= CT_IXF_TIMES;
}

/* Is dir (relative to the root) at or below start? */
static bool
in_scope(const char *dir, const char *start)
{
	size_t		len = strlen(start);

	return len == 0 || (strncmp(dir, start, len) == 0 && (dir[len] == '\0' || dir[len] == '/'));
}

static void
report_progress(const char *query, const RefreshStats *rs, int done, int total)
{
	char	   *s = psprintf("%s -- refresh_index: %d of %d folders, " INT64_FORMAT " bytes read",
							 query ? query : "", done, total, rs->bytes_read);

	pgstat_report_activity(STATE_RUNNING, s);
	pfree(s);
}

/*
 * What the participants of a refresh share: the folders to refresh, and for
 * each its result, once a participant has encoded it into its part file
 * (the index file's path + ".partN").
 */
typedef struct FolderResult
{
	pg_atomic_uint32 state;		/* FOLDER_TODO, FOLDER_DONE or FOLDER_GONE */
	uint32		dir;			/* its path: an offset from dirs_off */
	int32		part;			/* which participant's part file */
	uint32		len;
	uint64		off;
	uint32		nfiles;
	CtFolderId	id;
	bool		changed;		/* differs from the old index's entry: else */
	bool		kept;			/* no block was written, the old one stays */
} FolderResult;

#define FOLDER_TODO		0
#define FOLDER_DONE		1
#define FOLDER_GONE		2		/* vanished before it could be read */

typedef struct RefreshShared
{
	Oid			relid;
	bool		use_old;		/* the old index is sound: reuse its entries */
	char		index_path[MAXPGPATH];
	int			nfolders;
	pg_atomic_uint32 next;		/* the next folder to claim */
	pg_atomic_uint64 stats[6];	/* files added, changed, removed, bad, seen; bytes read */
	Size		dirs_off;		/* folder paths (NUL-terminated), from the start */
	FolderResult results[FLEXIBLE_ARRAY_MEMBER];
} RefreshShared;

enum
{
	ST_ADDED, ST_CHANGED, ST_REMOVED, ST_BAD, ST_SEEN, ST_BYTES
};

#define CT_REFRESH_KEY_SHARED	UINT64CONST(0xC7F0000000000001)

/* A participant's state. */
typedef struct Participant
{
	RefreshShared *sh;
	CtTree		tree;
	CtOnError	onerr;
	CtIndex    *old;
	int			fd;				/* its part file */
	char	   *part_path;
	uint64		part_len;
	int			number;			/* 0 for the leader */
	MemoryContext filecxt;
	CtStreamBuffers bufs;
	RefreshStats rs;			/* its own counts, added to the shared ones */
} Participant;

static const char *
shared_dir(RefreshShared *sh, int i)
{
	return (const char *) sh + sh->dirs_off + sh->results[i].dir;
}

static char *
part_file_path(const char *index_path, int number)
{
	return psprintf("%s.part%d", index_path, number);
}

/* Lists, compares with the old entry and reads what changed, for one folder. */
static void
refresh_folder(Participant *pt, int i, const char *dir)
{
	RefreshShared *sh = pt->sh;
	FolderResult *res = &sh->results[i];
	char	   *abs = psprintf("%s/%s", pt->tree.root, dir);
	struct stat st;
	CtPartition part = {0};
	int			of = pt->old ? ct_index_find(pt->old, dir) : -1;
	CtIndexFile *ofiles = NULL;
	int			nof = 0;
	int			oi = 0;
	CtFile	   *files;
	int			n;
	CtIndexFile *entries;
	CtFilterBuild *filters;
	CtFolderSummary osum;
	StringInfoData block;
	MemoryContext oldcxt;

	/* the folder's identity before its listing: a change after it is seen next time */
	if (stat(abs, &st) != 0)
	{
		pg_atomic_write_u32(&res->state, FOLDER_GONE);
		return;
	}
	ct_folder_id_of(&st, &res->id);
	res->changed = (of < 0);
	res->kept = false;

	oldcxt = MemoryContextSwitchTo(pt->filecxt);
	part.dir = (char *) dir;
	files = ct_tree_files(&pt->tree, &part, true, &n);
	if (of >= 0)
		ofiles = ct_index_folder_files(pt->old, of, &nof);
	entries = palloc0(sizeof(CtIndexFile) * Max(n, 1));
	filters = palloc0(sizeof(CtFilterBuild) * Max(n, 1));
	for (int k = 0; k < n; k++)
	{
		int			c = 1;

		CHECK_FOR_INTERRUPTS();
		pt->rs.files_seen++;
		/* both lists are in name order */
		while (oi < nof && (c = strcmp(ofiles[oi].name, files[k].name)) < 0)
		{
			oi++;
			pt->rs.files_removed++;
			res->changed = true;
		}
		if (oi < nof && c == 0 &&
			ct_index_file_is(&ofiles[oi], files[k].size, files[k].mtime_sec,
							 files[k].mtime_nsec))
		{
			/* unchanged: its entry, and its filter's bytes, as they were */
			entries[k] = ofiles[oi++];
			continue;
		}
		if (oi < nof && c == 0)
		{
			pt->rs.files_changed++;
			oi++;
		}
		else
			pt->rs.files_added++;
		res->changed = true;
		index_file(&pt->tree, dir, &files[k], &entries[k], &filters[k], &pt->bufs, &pt->rs);
	}
	pt->rs.files_removed += nof - oi;
	if (nof - oi > 0)
		res->changed = true;

	/* every file as it was: the old block is carried over, not encoded again */
	if (!res->changed)
	{
		res->kept = true;
		res->nfiles = n;
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(pt->filecxt);
		pg_write_barrier();
		pg_atomic_write_u32(&res->state, FOLDER_DONE);
		return;
	}
	initStringInfo(&block);
	if (of >= 0)
		ct_index_folder_summary(pt->old, of, &osum);
	if (!ct_index_encode_block(&block, dir, entries, filters, n, of >= 0 ? &osum : NULL, of >= 0))
	{
		/* the folder's filter needs the values of the files kept as they were */
		for (int k = 0; k < n; k++)
		{
			CHECK_FOR_INTERRUPTS();
			if (!filters[k].built)
				index_file(&pt->tree, dir, &files[k], &entries[k], &filters[k],
						   &pt->bufs, &pt->rs);
		}
		if (!ct_index_encode_block(&block, dir, entries, filters, n, NULL, true))
			elog(ERROR, "could not encode the index block of folder \"%s\"", dir);
	}
	if (write(pt->fd, block.data, block.len) != block.len)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write \"%s\": %m", pt->part_path)));
	res->part = pt->number;
	res->off = pt->part_len;
	res->len = block.len;
	res->nfiles = n;
	pt->part_len += block.len;
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(pt->filecxt);
	/* the result is complete before it is marked done */
	pg_write_barrier();
	pg_atomic_write_u32(&res->state, FOLDER_DONE);
}

/*
 * The tree of a table as a refresh walks it: every day folder (no pruning,
 * no digests), folders that cannot be listed left out without a warning,
 * and without the index, which the caller opens itself.
 */
static void
open_refresh_tree(Oid relid, const char *relname, CtTree *tree, CtOnError *onerr)
{
	CtOptions	opts;

	ct_get_options(relid, &opts);
	memset(onerr, 0, sizeof(*onerr));
	onerr->skip = true;
	onerr->quiet = true;
	onerr->relname = relname;
	ct_tree_open_with(tree, &opts, onerr, false);
	tree->use_digests = false;
	tree->prune = NULL;
}

/* Opens what a participant needs: the table's tree, the old index, its part file. */
static void
participant_begin(Participant *pt, RefreshShared *sh, int number)
{
	memset(pt, 0, sizeof(*pt));
	pt->sh = sh;
	pt->number = number;
	open_refresh_tree(sh->relid, get_rel_name(sh->relid), &pt->tree, &pt->onerr);
	if (sh->use_old)
		pt->old = ct_index_open(pt->tree.root, pt->tree.log_type, CurrentMemoryContext);
	pt->part_path = part_file_path(sh->index_path, number);
	pt->fd = OpenTransientFile(pt->part_path, O_RDWR | O_CREAT | O_TRUNC | PG_BINARY);
	if (pt->fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create \"%s\": %m", pt->part_path)));
	pt->filecxt = AllocSetContextCreate(CurrentMemoryContext, "cloudtrail_fdw refresh folder",
										ALLOCSET_DEFAULT_SIZES);
	pt->bufs.cxt = CurrentMemoryContext;
}

/* Adds the participant's counts to the shared ones. */
static void
participant_end(Participant *pt)
{
	RefreshShared *sh = pt->sh;

	pg_atomic_fetch_add_u64(&sh->stats[ST_ADDED], pt->rs.files_added);
	pg_atomic_fetch_add_u64(&sh->stats[ST_CHANGED], pt->rs.files_changed);
	pg_atomic_fetch_add_u64(&sh->stats[ST_REMOVED], pt->rs.files_removed);
	pg_atomic_fetch_add_u64(&sh->stats[ST_BAD], pt->rs.files_bad);
	pg_atomic_fetch_add_u64(&sh->stats[ST_SEEN], pt->rs.files_seen);
	pg_atomic_fetch_add_u64(&sh->stats[ST_BYTES], pt->rs.bytes_read);
	memset(&pt->rs, 0, sizeof(pt->rs));
	CloseTransientFile(pt->fd);
}

/*
 * Claims and refreshes folders until none is left; between folders, calls
 * between(arg) (the leader writes its checkpoints there).
 */
static void
participant_run(Participant *pt, void (*between) (void *), void *arg)
{
	for (;;)
	{
		uint32		i = pg_atomic_fetch_add_u32(&pt->sh->next, 1);

		CHECK_FOR_INTERRUPTS();
		if (i >= (uint32) pt->sh->nfolders)
			break;
		refresh_folder(pt, i, shared_dir(pt->sh, i));
		if (between)
			between(arg);
	}
}

/* Entry point of a parallel worker of refresh_index(). */
PGDLLEXPORT void ct_refresh_worker(dsm_segment *seg, shm_toc *toc);

void
ct_refresh_worker(dsm_segment *seg, shm_toc *toc)
{
	RefreshShared *sh = shm_toc_lookup(toc, CT_REFRESH_KEY_SHARED, false);
	Participant pt;

	participant_begin(&pt, sh, ParallelWorkerNumber + 1);
	participant_run(&pt, NULL, NULL);
	participant_end(&pt);
}

/* The leader's view of a refresh: what it writes, and when. */
typedef struct Leader
{
	RefreshShared *sh;
	CtIndex    *old;
	bool	   *old_done;		/* old folders refreshed (or gone) */
	int			nold;
	CtIndexWriter *w;
	int			nparts;			/* participants, leader included */
	int		   *part_fds;		/* their part files, to read blocks from */
	char	  **dirs;
	DateADT    *dates;
	bool	   *added;			/* folder results already in w */
	TimestampTz last_write;
	const char *query;
	RefreshStats *rs;
	Participant *self;			/* the leader's own counts, not yet shared */
} Leader;

/* Moves the results done so far into the writer. */
static void
collect_done(Leader *ld)
{
	RefreshShared *sh = ld->sh;

	for (int i = 0; i < sh->nfolders; i++)
	{
		FolderResult *res = &sh->results[i];
		uint32		state;

		if (ld->added[i])
			continue;
		state = pg_atomic_read_u32(&res->state);
		if (state == FOLDER_TODO)
			continue;
		pg_read_barrier();
		ld->added[i] = true;
		if (ld->old)
		{
			int			of = ct_index_find(ld->old, ld->dirs[i]);

			if (of >= 0)
				ld->old_done[of] = true;
		}
		if (state == FOLDER_GONE)
			continue;
		if (res->kept)
		{
			/* its block as the old index has it, under the identity seen now */
			ct_index_writer_copy(ld->w, ld->old, ct_index_find(ld->old, ld->dirs[i]), &res->id);
			continue;
		}
		if (ld->part_fds[res->part] < 0)
		{
			/* a worker's part file, which it made before its first result */
			char	   *pp = part_file_path(sh->index_path, res->part);

			ld->part_fds[res->part] = OpenTransientFile(pp, O_RDONLY | PG_BINARY);
			if (ld->part_fds[res->part] < 0)
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not open \"%s\": %m", pp)));
			pfree(pp);
		}
		{
			char	   *block = palloc(Max(res->len, 1));

			if (pg_pread(ld->part_fds[res->part], block, res->len, res->off) != res->len)
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not read a part file of cloudtrail_fdw index \"%s\": %m",
								ct_index_display_path(sh->index_path))));
			ct_index_writer_add_block(ld->w, ld->dirs[i], ld->dates[i], &res->id,
									  res->nfiles, block, res->len);
			pfree(block);
		}
	}
}

/* Writes a complete index: what is done, the rest as it was. */
static void
write_checkpoint(Leader *ld)
{
	int			mark;

	collect_done(ld);
	mark = ct_index_writer_mark(ld->w);
	for (int i = 0; i < ld->nold; i++)
		if (!ld->old_done[i])
			ct_index_writer_copy(ld->w, ld->old, i, NULL);
	(void) ct_index_writer_finish(ld->w, ld->sh->index_path);
	ct_index_writer_rollback(ld->w, mark);
	ld->last_write = GetCurrentTimestamp();
}

static void
leader_between(void *arg)
{
	Leader	   *ld = arg;
	int			done = 0;

	if (!TimestampDifferenceExceeds(ld->last_write, GetCurrentTimestamp(),
									ct_refresh_checkpoint_secs * 1000))
		return;
	write_checkpoint(ld);
	for (int i = 0; i < ld->sh->nfolders; i++)
		done += ld->added[i];
	ld->rs->bytes_read = pg_atomic_read_u64(&ld->sh->stats[ST_BYTES]) + ld->self->rs.bytes_read;
	report_progress(ld->query, ld->rs, done, ld->sh->nfolders);
}
PG_FUNCTION_INFO_V1(cloudtrail_fdw_index_info);

/*
 * cloudtrail_fdw.index_info(tbl): the index file of the table's mirror (its
 * path only for roles that may see server paths), its size and what it
 * describes; NULLs when there is none.
 */
Datum
cloudtrail_fdw_index_info(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {0};
	char	   *relname;
	CtOnError	onerr;
	CtTree		tree;
	CtIndex    *idx;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	relname = ct_check_table(relid, "The index of a table describes its files: it needs SELECT on it.");
	open_refresh_tree(relid, relname, &tree, &onerr);	/* the index, whatever the setting */
	idx = ct_index_open(tree.root, tree.log_type, CurrentMemoryContext);
	if (ct_may_see_paths())
		values[0] = CStringGetTextDatum(ct_index_display_path(ct_index_path(tree.root, tree.log_type)));
	else
		nulls[0] = true;
	if (idx)
	{
		values[1] = Int64GetDatum(ct_index_size(idx));
		values[2] = Int64GetDatum(ct_index_nfolders(idx));
		values[3] = Int64GetDatum(ct_index_nfiles(idx));
	}
	else
		nulls[1] = nulls[2] = nulls[3] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(cloudtrail_fdw_refresh_index);

/*
 * With many folders to refresh, parallel workers (max_parallel_maintenance_
 * workers, as CREATE INDEX) claim folders as the leader does; each writes
 * the blocks it encodes to a part file of its own, which the leader reads
 * back into the index.
 */
Datum
cloudtrail_fdw_refresh_index(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	TupleDesc	tupdesc;
	Datum		values[11];
	bool		nulls[11] = {0};
	RefreshStats rs = {0};
	CtOnError	onerr;
	CtTree		tree;
	CtIndex    *old = NULL;
	char	   *path;
	List	   *parts;
	ListCell   *lc;
	char	   *relname;
	uint64		key;
	LOCKTAG		tag;
	MemoryContext fncxt = CurrentMemoryContext;
	RefreshShared *sh;
	Size		size;
	Size		dirs_len = 0;
	ParallelContext *pcxt = NULL;
	int			nworkers = 0;
	Participant pt;
	Leader		ld = {0};
	bool		same;
	char	   *p;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	relname = ct_check_table(relid, "The index of a table describes its files: it needs SELECT on it.");
	/* the old index is opened below, where its corruption is caught */
	open_refresh_tree(relid, relname, &tree, &onerr);
	if (tree.single_file)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot index foreign table \"%s\": its location is one file", relname),
				 errhint("Refresh the index through a table whose location is a folder.")));
	path = ct_index_path(tree.root, tree.log_type);

	/*
	 * One refresh of an index at a time: the second waits, then has little
	 * to do.  The index serves every database of the cluster, so the lock
	 * names none.
	 */
	key = hash_bytes_extended((const unsigned char *) path, strlen(path), 0);
	SET_LOCKTAG_ADVISORY(tag, InvalidOid, (uint32) (key >> 32), (uint32) key, 3);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);

	PG_TRY();
	{
		old = ct_index_open(tree.root, tree.log_type, fncxt);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(fncxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_DATA_CORRUPTED)
			PG_RE_THROW();
		FlushErrorState();
		ereport(NOTICE,
				(errmsg("rebuilding cloudtrail_fdw index: %s", edata->message)));
		old = NULL;
	}
	PG_END_TRY();

	/* what an interrupted refresh left goes: we hold the lock */
	ct_index_prepare_dir(path);

	/* the folders to refresh, in shared memory for the participants */
	parts = ct_tree_partitions(&tree);
	foreach(lc, parts)
		dirs_len += strlen(((CtPartition *) lfirst(lc))->dir) + 1;
	size = MAXALIGN(offsetof(RefreshShared, results) +
					sizeof(FolderResult) * list_length(parts)) + dirs_len;
	/* a worker for every 4 folders, up to max_parallel_maintenance_workers */
	if (list_length(parts) >= 8 && max_parallel_maintenance_workers > 0 &&
		!IsInParallelMode())
		nworkers = Min(max_parallel_maintenance_workers, list_length(parts) / 4);
	if (nworkers > 0)
	{
		EnterParallelMode();
		pcxt = CreateParallelContext("cloudtrail_fdw", "ct_refresh_worker", nworkers);
		shm_toc_estimate_chunk(&pcxt->estimator, size);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
		InitializeParallelDSM(pcxt);
		sh = shm_toc_allocate(pcxt->toc, size);
		shm_toc_insert(pcxt->toc, CT_REFRESH_KEY_SHARED, sh);
	}
	else
		sh = palloc(size);
	memset(sh, 0, offsetof(RefreshShared, results));
	sh->relid = relid;
	sh->use_old = (old != NULL);
	strlcpy(sh->index_path, path, MAXPGPATH);
	sh->nfolders = list_length(parts);
	pg_atomic_init_u32(&sh->next, 0);
	for (i = 0; i < lengthof(sh->stats); i++)
		pg_atomic_init_u64(&sh->stats[i], 0);
	sh->dirs_off = MAXALIGN(offsetof(RefreshShared, results) +
							sizeof(FolderResult) * sh->nfolders);
	p = (char *) sh + sh->dirs_off;
	ld.dirs = palloc(sizeof(char *) * Max(sh->nfolders, 1));
	ld.dates = palloc(sizeof(DateADT) * Max(sh->nfolders, 1));
	i = 0;
	foreach(lc, parts)
	{
		CtPartition *part = lfirst(lc);

		pg_atomic_init_u32(&sh->results[i].state, FOLDER_TODO);
		sh->results[i].dir = p - ((char *) sh + sh->dirs_off);
		strcpy(p, part->dir);
		p += strlen(part->dir) + 1;
		ld.dirs[i] = part->dir;
		ld.dates[i] = part->date;
		i++;
	}
	if (pcxt)
	{
		LaunchParallelWorkers(pcxt);
		nworkers = pcxt->nworkers_launched;
		elog(DEBUG1, "cloudtrail_fdw refresh of %d folders: %d parallel workers",
			 sh->nfolders, nworkers);
	}

	ld.sh = sh;
	ld.old = old;
	ld.nold = old ? ct_index_nfolders(old) : 0;
	ld.old_done = palloc0(sizeof(bool) * Max(ld.nold, 1));
	ld.w = ct_index_writer_begin(tree.root, tree.log_type);
	ld.nparts = nworkers + 1;
	ld.added = palloc0(sizeof(bool) * Max(sh->nfolders, 1));
	ld.last_write = GetCurrentTimestamp();
	ld.query = debug_query_string;
	ld.rs = &rs;
	participant_begin(&pt, sh, 0);
	ld.self = &pt;
	/* the part files of all participants, for the leader to read from */
	ld.part_fds = palloc(sizeof(int) * ld.nparts);
	for (i = 0; i < ld.nparts; i++)
		ld.part_fds[i] = i == 0 ? pt.fd : -1;	/* a worker's: opened when read */
	PG_TRY();
	{
		participant_run(&pt, leader_between, &ld);
		if (pcxt)
			WaitForParallelWorkersToFinish(pcxt);
		collect_done(&ld);
		participant_end(&pt);
	}
	PG_FINALLY();
	{
		for (i = 0; i < ld.nparts; i++)
		{
			char	   *pp = part_file_path(path, i);

			if (i > 0 && ld.part_fds[i] >= 0)
				CloseTransientFile(ld.part_fds[i]);
			unlink(pp);
			pfree(pp);
		}
	}
	PG_END_TRY();

	/* folders of the table's part of the mirror that are gone; the rest kept */
	rs.folders_seen = sh->nfolders;
	same = (old != NULL);
	for (i = 0; i < sh->nfolders; i++)
	{
		FolderResult *res = &sh->results[i];
		int			of = old ? ct_index_find(old, ld.dirs[i]) : -1;
		CtFolderId	oid;

		if (pg_atomic_read_u32(&res->state) != FOLDER_DONE)
		{
			same = false;
			continue;
		}
		if (of < 0)
		{
			rs.folders_added++;
			same = false;
			continue;
		}
		if (res->changed)
			rs.folders_changed++;
		ct_index_folder_id(old, of, &oid);
		if (res->changed || !ct_folder_id_equal(&oid, &res->id))
			same = false;
	}
	for (i = 0; i < ld.nold; i++)
	{
		if (ld.old_done[i])
			continue;
		if (in_scope(ct_index_folder_dir(old, i), tree.start))
		{
			rs.folders_removed++;
			rs.files_removed += ct_index_folder_nfiles(old, i);
		}
		else
			ct_index_writer_copy(ld.w, old, i, NULL);
	}
	/* nothing new: the index file stays as it is (readers keep their mapping) */
	if (same && rs.folders_removed == 0)
		rs.index_bytes = ct_index_size(old);
	else
		rs.index_bytes = ct_index_writer_finish(ld.w, path);
	rs.files_seen = pg_atomic_read_u64(&sh->stats[ST_SEEN]);
	rs.files_added = pg_atomic_read_u64(&sh->stats[ST_ADDED]);
	rs.files_changed = pg_atomic_read_u64(&sh->stats[ST_CHANGED]);
	rs.files_removed += pg_atomic_read_u64(&sh->stats[ST_REMOVED]);
	rs.files_bad = pg_atomic_read_u64(&sh->stats[ST_BAD]);
	rs.bytes_read = pg_atomic_read_u64(&sh->stats[ST_BYTES]);
	if (pcxt)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
	}
	if (debug_query_string)
		pgstat_report_activity(STATE_RUNNING, debug_query_string);

	values[0] = Int64GetDatum(rs.folders_seen);
	values[1] = Int64GetDatum(rs.folders_added);
	values[2] = Int64GetDatum(rs.folders_changed);
	values[3] = Int64GetDatum(rs.folders_removed);
	values[4] = Int64GetDatum(rs.files_seen);
	values[5] = Int64GetDatum(rs.files_added);
	values[6] = Int64GetDatum(rs.files_changed);
	values[7] = Int64GetDatum(rs.files_removed);
	values[8] = Int64GetDatum(rs.files_bad);
	values[9] = Int64GetDatum(rs.bytes_read);
	values[10] = Int64GetDatum(rs.index_bytes);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
