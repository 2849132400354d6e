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
#include "catalog/pg_class.h"
#include "common/hashfn.h"
#include "catalog/pg_type.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "cloudtrail_fdw.h"
#include "ct_index.h"
#include "ct_options.h"
#include "ct_stream.h"

/* A complete index is written at least this often (seconds). */
#define CT_REFRESH_CHECKPOINT_SECS	10

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
	char	   *s = psprintf("%s -- refresh_index: %d of %d folders, " INT64_FORMAT
							 " files read, " INT64_FORMAT " bytes",
							 query ? query : "", done, total,
							 rs->files_added + rs->files_changed, rs->bytes_read);

	pgstat_report_activity(STATE_RUNNING, s);
	pfree(s);
}

/* Is relid a foreign table of a cloudtrail_fdw wrapper (by its handler's code)? */
static bool
is_cloudtrail_table(Oid relid)
{
	ForeignDataWrapper *fdw;
	FmgrInfo	fi;

	if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE)
		return false;
	fdw = GetForeignDataWrapper(GetForeignServer(GetForeignTable(relid)->serverid)->fdwid);
	if (!OidIsValid(fdw->fdwhandler))
		return false;
	fmgr_info(fdw->fdwhandler, &fi);
	return fi.fn_addr == cloudtrail_fdw_handler;
}

/* The checks both functions make of their table argument; returns its name. */
static char *
check_table(Oid relid)
{
	char	   *relname = get_rel_name(relid);

	if (relname == NULL || !is_cloudtrail_table(relid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a cloudtrail_fdw foreign table",
						relname ? relname : "?")));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for foreign table %s", relname),
				 errdetail("The index of a table describes its files: it needs SELECT on it.")));
	return relname;
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
	CtOptions	opts;
	CtOnError	onerr = {0};
	CtTree		tree;
	CtIndex    *idx;
	bool		save = ct_enable_index;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	relname = check_table(relid);
	ct_get_options(relid, &opts);
	onerr.skip = true;
	onerr.quiet = true;
	onerr.relname = relname;
	ct_enable_index = false;	/* opened below, whatever the setting */
	PG_TRY();
	{
		ct_tree_open(&tree, &opts, &onerr);
	}
	PG_FINALLY();
	{
		ct_enable_index = save;
	}
	PG_END_TRY();
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

Datum
cloudtrail_fdw_refresh_index(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	TupleDesc	tupdesc;
	Datum		values[11];
	bool		nulls[11] = {0};
	RefreshStats rs = {0};
	CtOptions	opts;
	CtOnError	onerr = {0};
	CtTree		tree;
	CtIndex    *old = NULL;
	bool	   *old_done = NULL;
	int			nold = 0;
	CtIndexWriter *w;
	char	   *path;
	List	   *parts;
	ListCell   *lc;
	MemoryContext filecxt;
	MemoryContext oldcxt;
	CtStreamBuffers bufs = {0};
	TimestampTz last_write;
	const char *query = debug_query_string;
	int			done = 0;
	char	   *relname;
	uint64		key;
	LOCKTAG		tag;
	MemoryContext fncxt = CurrentMemoryContext;
	bool		save_enable;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	relname = check_table(relid);

	ct_get_options(relid, &opts);
	onerr.skip = true;			/* folders that cannot be listed are not indexed */
	onerr.quiet = true;
	onerr.relname = relname;
	/* the old index is opened below, where its corruption is caught */
	save_enable = ct_enable_index;
	ct_enable_index = false;
	PG_TRY();
	{
		ct_tree_open(&tree, &opts, &onerr);
	}
	PG_FINALLY();
	{
		ct_enable_index = save_enable;
	}
	PG_END_TRY();
	if (tree.single_file)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot index foreign table \"%s\": its location is one file", relname),
				 errhint("Refresh the index through a table whose location is a folder.")));
	tree.use_digests = false;
	tree.index = NULL;
	tree.prune = NULL;
	path = ct_index_path(tree.root, tree.log_type);

	/* one refresh of an index at a time: the second waits, then has little to do */
	key = hash_bytes_extended((const unsigned char *) path, strlen(path), 0);
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (key >> 32), (uint32) key, 3);
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
	if (old)
	{
		nold = ct_index_nfolders(old);
		old_done = palloc0(sizeof(bool) * Max(nold, 1));
	}

	w = ct_index_writer_begin(tree.root, tree.log_type);
	filecxt = AllocSetContextCreate(CurrentMemoryContext, "cloudtrail_fdw refresh folder",
									ALLOCSET_DEFAULT_SIZES);
	bufs.cxt = CurrentMemoryContext;
	parts = ct_tree_partitions(&tree);
	last_write = GetCurrentTimestamp();
	foreach(lc, parts)
	{
		CtPartition *part = lfirst(lc);
		char	   *abs = psprintf("%s/%s", tree.root, part->dir);
		struct stat st;
		CtFolderId	id;
		int			of = old ? ct_index_find(old, part->dir) : -1;
		CtIndexFile *ofiles = NULL;
		int			nof = 0;
		int			oi = 0;
		CtFile	   *files;
		int			n;
		CtIndexFile *entries;
		CtFilterBuild *filters;
		bool		changed = false;

		CHECK_FOR_INTERRUPTS();
		rs.folders_seen++;
		/* the folder's identity before its listing: a change after it is seen next time */
		if (stat(abs, &st) != 0)
			continue;
		id.mtime_sec = st.st_mtim.tv_sec;
		id.mtime_nsec = st.st_mtim.tv_nsec;
		id.ino = st.st_ino;

		oldcxt = MemoryContextSwitchTo(filecxt);
		files = ct_tree_files(&tree, part, true, &n);
		if (of >= 0)
			ofiles = ct_index_folder_files(old, of, &nof);
		entries = palloc0(sizeof(CtIndexFile) * Max(n, 1));
		filters = palloc0(sizeof(CtFilterBuild) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			int			c = 1;

			rs.files_seen++;
			/* both lists are in name order */
			while (oi < nof && (c = strcmp(ofiles[oi].name, files[i].name)) < 0)
			{
				oi++;
				rs.files_removed++;
				changed = true;
			}
			if (oi < nof && c == 0 && ofiles[oi].size == files[i].size &&
				ofiles[oi].mtime_sec == files[i].mtime_sec &&
				ofiles[oi].mtime_nsec == files[i].mtime_nsec)
			{
				/* unchanged: its entry and filter bits as they were */
				CtIndexFile *e = &entries[i];
				int			flen = ofiles[oi].filter_len;

				*e = ofiles[oi];
				/* the hashes are gone: rebuild the filter from its bits */
				filters[i].n = 0;
				e->filter = memcpy(palloc(Max(flen, 1)), ofiles[oi].filter, flen);
				oi++;
				continue;
			}
			if (oi < nof && c == 0)
			{
				rs.files_changed++;
				oi++;
			}
			else
				rs.files_added++;
			changed = true;
			index_file(&tree, part->dir, &files[i], &entries[i], &filters[i], &bufs, &rs);
		}
		rs.files_removed += nof - oi;
		if (nof - oi > 0)
			changed = true;
		if (of < 0)
			rs.folders_added++;
		else if (changed)
			rs.folders_changed++;
		ct_index_writer_add(w, part->dir, part->date, &id, entries, filters, n);
		if (of >= 0)
			old_done[of] = true;
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(filecxt);
		done++;

		if (TimestampDifferenceExceeds(last_write, GetCurrentTimestamp(),
									   CT_REFRESH_CHECKPOINT_SECS * 1000))
		{
			/* a complete index: what is done, the rest as it was */
			int			mark = ct_index_writer_mark(w);

			for (int i = 0; i < nold; i++)
				if (!old_done[i])
					ct_index_writer_copy(w, old, i);
			(void) ct_index_writer_finish(w, path);
			ct_index_writer_rollback(w, mark);
			last_write = GetCurrentTimestamp();
			report_progress(query, &rs, done, list_length(parts));
		}
	}

	/* folders of the table's part of the mirror that are gone; the rest kept */
	for (int i = 0; i < nold; i++)
	{
		if (old_done[i])
			continue;
		if (in_scope(ct_index_folder_dir(old, i), tree.start))
		{
			rs.folders_removed++;
			rs.files_removed += ct_index_folder_nfiles(old, i);
		}
		else
			ct_index_writer_copy(w, old, i);
	}
	rs.index_bytes = ct_index_writer_finish(w, path);
	if (query)
		pgstat_report_activity(STATE_RUNNING, query);

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
