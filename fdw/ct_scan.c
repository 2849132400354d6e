/*-------------------------------------------------------------------------
 *
 * ct_scan.c
 *		Read the rows of a cloudtrail_fdw foreign table: walk the partitions,
 *		stream each file, split and validate each record, convert the columns
 *		the query uses.
 *
 * Memory: the scan context lives as long as the scan; a partition context
 * holds the file list of one partition, a file context the stream of one
 * file, and a record context is reset for every record.  Nothing grows
 * with the number of rows or files read.
 *
 * on_error 'skip_file' must never return part of a bad file, so in that mode
 * the rows of a file are held in a tuplestore (spilling past work_mem) and
 * returned only once the whole file has been read without error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "cloudtrail_fdw.h"
#include "ct_stream.h"

typedef struct CtColumn
{
	int			attidx;			/* 0-based attribute index */
	const char *name;
	CtColumnMap map;
	CtConverter conv;
	Datum		file_value;		/* path columns: value for the current file */
	bool		file_null;
} CtColumn;

struct CtScan
{
	Relation	rel;
	TupleDesc	tupdesc;
	CtOptions	opts;
	CtTree		tree;
	CtOnError	onerr;
	CtColumn   *cols;
	int			ncols;
	CtPrune    *prune;			/* NULL: no pushed conditions */

	MemoryContext scancxt;
	MemoryContext walkcxt;		/* the partition list */
	MemoryContext partcxt;
	MemoryContext filecxt;
	MemoryContext reccxt;

	List	   *partitions;
	int			partidx;
	CtPartition *part;
	CtFile	   *files;
	int			nfiles;
	int			fileidx;

	/* the file being read */
	int			fd;
	CtStream   *stream;
	char	   *file_rel;
	uint64		recno;
	CtRecord	rec;

	/* on_error 'skip_file': rows of the current file wait here */
	Tuplestorestate *pending;
	TupleTableSlot *pending_slot;
	bool		draining;

	CtScanStats stats;
};

static void
setup_column(CtScan *scan, CtColumn *col, Form_pg_attribute att)
{
	col->attidx = att->attnum - 1;
	col->name = pstrdup(NameStr(att->attname));
	ct_column_map(RelationGetRelid(scan->rel), att, &col->map);
	ct_converter_init(&col->conv, att->atttypid, att->atttypmod);
}

CtScan *
ct_scan_begin(Relation rel, Bitmapset *attrs_used, bool quiet, CtPrune *prune)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "cloudtrail_fdw scan",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CtScan	   *scan = palloc0(sizeof(CtScan));
	bool		whole_row;

	scan->scancxt = cxt;
	scan->walkcxt = AllocSetContextCreate(cxt, "cloudtrail_fdw partitions",
										  ALLOCSET_DEFAULT_SIZES);
	scan->partcxt = AllocSetContextCreate(cxt, "cloudtrail_fdw partition",
										  ALLOCSET_DEFAULT_SIZES);
	scan->filecxt = AllocSetContextCreate(cxt, "cloudtrail_fdw file",
										  ALLOCSET_DEFAULT_SIZES);
	scan->reccxt = AllocSetContextCreate(cxt, "cloudtrail_fdw record",
										 ALLOCSET_DEFAULT_SIZES);
	scan->rel = rel;
	scan->tupdesc = RelationGetDescr(rel);
	scan->fd = -1;

	ct_get_options(RelationGetRelid(rel), &scan->opts);
	scan->onerr.skip = scan->opts.skip_bad_files;
	scan->onerr.quiet = quiet;
	scan->onerr.relname = pstrdup(RelationGetRelationName(rel));

	/* the columns the query needs; NULL means all of them */
	whole_row = attrs_used == NULL ||
		bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs_used);
	scan->cols = palloc0(sizeof(CtColumn) * scan->tupdesc->natts);
	for (int i = 0; i < scan->tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(scan->tupdesc, i);

		if (att->attisdropped)
			continue;
		if (!whole_row &&
			!bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, attrs_used))
			continue;
		setup_column(scan, &scan->cols[scan->ncols++], att);
	}

	scan->rec.cap = 64;
	scan->rec.members = palloc(sizeof(CtMember) * scan->rec.cap);

	if (scan->opts.skip_bad_files)
	{
		scan->pending = tuplestore_begin_heap(false, false, work_mem);
		scan->pending_slot = MakeSingleTupleTableSlot(scan->tupdesc, &TTSOpsMinimalTuple);
	}

	ct_tree_open(&scan->tree, &scan->opts, &scan->onerr);
	MemoryContextSwitchTo(old);
	ct_scan_set_prune(scan, prune);
	return scan;
}

/*
 * (Re)starts the scan with the given pushed-condition values: lists the
 * partitions they leave.  prune must live as long as the scan.
 */
void
ct_scan_set_prune(CtScan *scan, CtPrune *prune)
{
	MemoryContext old;

	MemoryContextReset(scan->walkcxt);
	old = MemoryContextSwitchTo(scan->walkcxt);
	if (prune && !ct_prune_active(prune))
		prune = NULL;
	scan->prune = prune;
	scan->tree.prune = prune;
	scan->partitions = ct_tree_partitions(&scan->tree);
	scan->partidx = 0;
	scan->fileidx = scan->nfiles = 0;
	MemoryContextSwitchTo(old);
}

static long
read_fd(void *arg, void *buf, size_t len)
{
	return (long) read(*(int *) arg, buf, len);
}

static int
errno_sqlstate(int e)
{
	switch (e)
	{
		case ENOENT:
			return ERRCODE_UNDEFINED_FILE;
		case EACCES:
		case EPERM:
			return ERRCODE_INSUFFICIENT_PRIVILEGE;
		default:
			return ERRCODE_IO_ERROR;
	}
}

static void
close_file(CtScan *scan)
{
	if (scan->stream)
	{
		CtStreamStats st;

		ct_stream_stats(scan->stream, &st);
		scan->stats.bytes_in += st.bytes_in;
		scan->stats.bytes_out += st.bytes_out;
		scan->stats.records += st.records;
		ct_stream_close(scan->stream);
		scan->stream = NULL;
	}
	if (scan->fd >= 0)
	{
		CloseTransientFile(scan->fd);
		scan->fd = -1;
	}
}

/* Values of the path columns for the file just opened. */
static bool
set_path_values(CtScan *scan, const CtFile *file, CtError *err)
{
	for (int i = 0; i < scan->ncols; i++)
	{
		CtColumn   *col = &scan->cols[i];
		const char *s = NULL;
		char		buf[64];

		switch (col->map.kind)
		{
			case CT_COL_FIELD:
			case CT_COL_EVENT:
				continue;
			case CT_COL_ORG:
				s = scan->part->org;
				break;
			case CT_COL_ACCOUNT:
				s = scan->part->account;
				break;
			case CT_COL_REGION:
				s = scan->part->region;
				break;
			case CT_COL_DELIVERY_DATE:
				{
					int			y,
								m,
								d;

					j2date(scan->part->date + POSTGRES_EPOCH_JDATE, &y, &m, &d);
					snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
					s = buf;
					break;
				}
			case CT_COL_DELIVERY_TIME:
				{
					struct pg_tm tm;
					fsec_t		fsec;

					timestamp2tm(file->delivery, NULL, &tm, &fsec, NULL, NULL);
					snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:00Z",
							 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min);
					s = buf;
					break;
				}
			case CT_COL_LOG_FILE:
				s = scan->file_rel;
				break;
		}
		col->file_null = (s == NULL);
		if (s && !ct_convert_string(&col->conv, s, strlen(s), &col->file_value, err))
		{
			char	   *msg = pstrdup(err->msg);

			snprintf(err->msg, sizeof(err->msg), "column \"%s\": %s", col->name, msg);
			return false;
		}
	}
	return true;
}

/* Reports a bad file (ERROR, or WARNING and skip) and closes it. */
static void
bad_file(CtScan *scan, const CtError *err)
{
	const char *what;
	int			code;
	char	   *detail = NULL;

	switch (err->kind)
	{
		case CT_ERR_IO:
			what = "could not read CloudTrail log file";
			code = errno_sqlstate(err->errnum);
			break;
		case CT_ERR_GZIP:
			what = "invalid gzip data in CloudTrail log file";
			code = ERRCODE_DATA_CORRUPTED;
			break;
		case CT_ERR_LIMIT:
			what = "CloudTrail log file exceeds a limit";
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		case CT_ERR_VALUE:
			what = "invalid value in CloudTrail log file";
			code = err->sqlerrcode ? err->sqlerrcode : ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
		default:
			what = "invalid JSON in CloudTrail log file";
			code = ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
	}
	if (err->kind == CT_ERR_VALUE)
		detail = psprintf("Record %llu.", (unsigned long long) scan->recno);
	else if (err->kind != CT_ERR_IO && err->kind != CT_ERR_GZIP)
	{
		if (scan->recno > 0)
			detail = psprintf("Record %llu, byte %llu of the decompressed file.",
							  (unsigned long long) scan->recno,
							  (unsigned long long) err->offset);
		else
			detail = psprintf("Byte %llu of the decompressed file.",
							  (unsigned long long) err->offset);
	}
	ct_report_bad(&scan->onerr, scan->file_rel, code, what, err->msg, detail);
	/* skipped: forget its rows */
	scan->stats.bad_files++;
	if (scan->pending)
		tuplestore_clear(scan->pending);
	close_file(scan);
}

/* Opens the next file to read; false when there is none left. */
static bool
open_next_file(CtScan *scan)
{
	for (;;)
	{
		CtFile	   *file;
		char	   *abs;
		CtError		err;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		if (scan->fileidx >= scan->nfiles)
		{

			if (scan->partidx >= list_length(scan->partitions))
				return false;
			MemoryContextReset(scan->partcxt);
			old = MemoryContextSwitchTo(scan->partcxt);
			scan->part = list_nth(scan->partitions, scan->partidx++);
			scan->files = ct_tree_files(&scan->tree, scan->part, false, &scan->nfiles);
			scan->fileidx = 0;
			scan->stats.partitions++;
			MemoryContextSwitchTo(old);
			continue;
		}

		file = &scan->files[scan->fileidx++];
		MemoryContextReset(scan->filecxt);
		old = MemoryContextSwitchTo(scan->filecxt);
		scan->file_rel = psprintf("%s/%s", scan->part->dir, file->name);
		scan->recno = 0;
		abs = psprintf("%s/%s", scan->tree.root, scan->file_rel);
		scan->fd = OpenTransientFile(abs, O_RDONLY | PG_BINARY);
		if (scan->fd < 0)
		{
			int			save = errno;

			MemoryContextSwitchTo(old);
			ct_report_bad(&scan->onerr, scan->file_rel, errno_sqlstate(save),
						  "could not open CloudTrail log file", strerror(save), NULL);
			scan->stats.bad_files++;
			continue;
		}
#ifdef POSIX_FADV_SEQUENTIAL
		(void) posix_fadvise(scan->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
		scan->stats.files++;
		scan->stream = ct_stream_open(read_fd, &scan->fd, file->gzip);
		memset(&err, 0, sizeof(err));
		if (!set_path_values(scan, file, &err))
		{
			MemoryContextSwitchTo(old);
			bad_file(scan, &err);
			continue;
		}
		MemoryContextSwitchTo(old);
		return true;
	}
}

/* Fills values/nulls from one record; false (err set) if a value does not fit. */
static bool
convert_record(CtScan *scan, const char *p, size_t len, Datum *values,
			   bool *nulls, CtError *err)
{
	if (!ct_json_index_record(p, len, &scan->rec, err))
	{
		err->offset += ct_stream_offset(scan->stream, p);
		return false;
	}
	scan->stats.records_parsed++;
	if (scan->prune && !ct_keep_record(scan->prune, &scan->rec))
	{
		scan->stats.records_rejected++;
		return false;			/* err->kind stays CT_ERR_NONE */
	}

	for (int i = 0; i < scan->ncols; i++)
	{
		CtColumn   *col = &scan->cols[i];
		int			a = col->attidx;
		CtValue		v;
		bool		found;

		switch (col->map.kind)
		{
			case CT_COL_FIELD:
				found = ct_json_path_get(&scan->rec, col->map.path, col->map.npath,
										 col->map.first_ci, &v);
				break;
			case CT_COL_EVENT:
				v.p = p;
				v.len = len;
				v.type = CT_JSON_OBJECT;
				v.escaped = false;
				found = true;
				break;
			default:
				values[a] = col->file_value;
				nulls[a] = col->file_null;
				continue;
		}
		if (!found || v.type == CT_JSON_NULL)
		{
			values[a] = (Datum) 0;
			nulls[a] = true;
			continue;
		}
		if (!ct_convert_value(&col->conv, &v, &values[a], err))
		{
			char	   *msg = pstrdup(err->msg);

			snprintf(err->msg, sizeof(err->msg), "column \"%s\": %s", col->name, msg);
			return false;
		}
		nulls[a] = false;
	}
	return true;
}

/*
 * Produces the next row into values/nulls (valid until the next call).
 * Returns false at the end of the scan.
 */
bool
ct_scan_next(CtScan *scan, Datum *values, bool *nulls)
{
	int			natts = scan->tupdesc->natts;

	for (;;)
	{
		const char *p;
		size_t		len;
		CtError		err;
		CtStreamResult r;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();

		if (scan->draining)
		{
			if (tuplestore_gettupleslot(scan->pending, true, false, scan->pending_slot))
			{
				slot_getallattrs(scan->pending_slot);
				memcpy(values, scan->pending_slot->tts_values, natts * sizeof(Datum));
				memcpy(nulls, scan->pending_slot->tts_isnull, natts * sizeof(bool));
				scan->stats.rows++;
				return true;
			}
			tuplestore_clear(scan->pending);
			scan->draining = false;
		}

		if (scan->stream == NULL && !open_next_file(scan))
			return false;

		MemoryContextReset(scan->reccxt);
		old = MemoryContextSwitchTo(scan->reccxt);
		memset(&err, 0, sizeof(err));
		r = ct_stream_next(scan->stream, &p, &len, &err);
		if (r == CT_STREAM_RECORD)
		{
			scan->recno++;
			if (scan->prune && !ct_keep_record_raw(scan->prune, p, len))
			{
				scan->stats.records_raw_rejected++;
				MemoryContextSwitchTo(old);
				continue;
			}
			memset(nulls, true, natts * sizeof(bool));
			if (!convert_record(scan, p, len, values, nulls, &err))
			{
				MemoryContextSwitchTo(old);
				if (err.kind == CT_ERR_NONE)
					continue;	/* rejected by a pushed condition */
				bad_file(scan, &err);
				continue;
			}
			MemoryContextSwitchTo(old);
			if (scan->pending)
			{
				tuplestore_putvalues(scan->pending, scan->tupdesc, values, nulls);
				continue;
			}
			scan->stats.rows++;
			return true;
		}
		MemoryContextSwitchTo(old);
		if (r == CT_STREAM_ERROR)
		{
			bad_file(scan, &err);
			continue;
		}
		/* end of a good file */
		close_file(scan);
		if (scan->pending)
			scan->draining = true;
	}
}

/* Starts again from the first file; ct_scan_set_prune() when values changed. */
void
ct_scan_rescan(CtScan *scan)
{
	close_file(scan);
	if (scan->pending)
		tuplestore_clear(scan->pending);
	scan->draining = false;
	scan->partidx = 0;
	scan->fileidx = scan->nfiles = 0;
	MemoryContextReset(scan->partcxt);
	MemoryContextReset(scan->filecxt);
}

void
ct_scan_end(CtScan *scan)
{
	close_file(scan);
	if (scan->onerr.nskipped > 0 && !scan->onerr.quiet)
		ereport(WARNING,
				(errmsg_plural("skipped " INT64_FORMAT " bad file or folder of foreign table \"%s\"",
							   "skipped " INT64_FORMAT " bad files or folders of foreign table \"%s\"",
							   scan->onerr.nskipped,
							   scan->onerr.nskipped, scan->onerr.relname)));
	if (scan->pending)
	{
		ExecDropSingleTupleTableSlot(scan->pending_slot);
		tuplestore_end(scan->pending);
	}
	MemoryContextDelete(scan->scancxt);
}

const CtScanStats *
ct_scan_stats(CtScan *scan)
{
	return &scan->stats;
}

const char *
ct_scan_location(CtScan *scan)
{
	return scan->tree.start;
}
