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

#include "ct_compat.h"
#include "ct_convert.h"
#include "ct_digest.h"
#include "ct_hash.h"
#include "ct_json.h"
#include "ct_jsonb.h"
#include "ct_options.h"
#include "ct_parallel.h"
#include "ct_project.h"
#include "ct_prune.h"
#include "ct_scan.h"
#include "ct_stream.h"
#include "ct_tree.h"
#include "ct_verified.h"

typedef struct CtColumn
{
	int			attidx;			/* 0-based attribute index */
	const char *name;
	CtColumnMap map;
	CtConverter conv;
	Datum		file_value;		/* path columns: value for the current file */
	bool		file_null;
	bool		notnull;		/* declared NOT NULL: a missing value is an error */
	/* a ->> or -> field (ct_project.c): the jsonb column it reads */
	bool		is_field;
	bool		keeps_json_null;	/* a -> field: JSON null is jsonb 'null' */
	AttrNumber	base_attno;
	CtColumnMap base;
	bool		check_base;		/* check that column's value as jsonb */
} CtColumn;

/* A file to read, with the partition it is in. */
typedef struct CtFileRef
{
	CtPartition *part;
	CtFile		file;
} CtFileRef;

typedef enum NextResult
{
	NEXT_ROW,
	NEXT_BOUNDARY,				/* every row of the files opened so far is out */
	NEXT_END
} NextResult;

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
	CtShared   *shared;			/* parallel scan: files are claimed from here */

	MemoryContext scancxt;
	MemoryContext walkcxt;		/* the partition list */
	MemoryContext partcxt;
	MemoryContext filecxt;
	MemoryContext reccxt;

	List	   *partitions;
	int			partidx;		/* next partition to list */
	CtFileRef  *refs;			/* files of the current group of partitions */
	int			nrefs;
	int			refidx;			/* next file to open */
	DateADT		group_date;
	bool		group_loaded;
	CtPartition *part;			/* the file being read: its partition */

	/* the file being read */
	CtFile		file;
	int			fd;
	CtStream   *stream;
	char	   *file_rel;
	uint64		recno;
	CtRecord	rec;

	/*
	 * Sorted scan (eventtime DESC): files are read newest first, and their
	 * rows held in a heap until no file left to read can hold a later one.
	 */
	int			sort_attidx;	/* -1: not sorted */
	TimestampTz bound;			/* no unread record is later than this */
	bool		bound_final;	/* no file left: everything held is final */
	MinimalTuple *heap;			/* max-heap on eventtime */
	TimestampTz *heap_keys;
	int			heap_n;
	int			heap_cap;
	MemoryContext heapcxt;
	Tuplestorestate *null_rows; /* eventtime NULL: they come last */
	MinimalTuple emitted;		/* the row last returned, freed on the next call */
	bool		have_emitted_key;
	TimestampTz emitted_key;
	TupleTableSlot *sort_slot;

	/* buffers of files inflated whole, kept from one file to the next */
	CtStreamBuffers bufs;

	/* on_error 'skip_file': rows of the current file wait here */
	Tuplestorestate *pending;
	TupleTableSlot *pending_slot;
	bool		draining;
	bool		at_boundary;	/* NEXT_BOUNDARY returned for this transition */

	/* verify_hashes: the file's hash as it is read, and what its digests give */
	CtHasher   *hasher;
	CtVerified *verified;		/* the files hashed before (ct_verified.c) */
	struct stat verify_st;		/* the identity of the file being hashed */
	bool		verifying;		/* the current file is being hashed */
	bool		hold_file;		/* its rows wait in pending until its end */
	uint8		expect[4][CT_DIGEST_SHA_LEN];
	int			nexpect;

	/* ANALYZE's sampler (ct_analyze.c), or NULL */
	const CtScanSampler *sampler;

	CtScanStats stats;
};

static void
setup_column(CtScan *scan, CtColumn *col, Form_pg_attribute att)
{
	col->attidx = att->attnum - 1;
	col->name = pstrdup(NameStr(att->attname));
	col->notnull = att->attnotnull;
	ct_column_map(RelationGetRelid(scan->rel), att, &col->map);
	ct_converter_init(&col->conv, att->atttypid, att->atttypmod);
}

/*
 * A ->> or -> field: the base column's key path and the field's keys, read
 * as text (what ->> gives) or as jsonb (what -> gives); errors name the base
 * column, as converting it would.
 */
static void
setup_field(CtScan *scan, CtColumn *col, const CtField *f)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(scan->rel), f->base_attno - 1);
	char	  **keys = palloc(sizeof(char *) * list_length(f->keys));
	int			nkeys = 0;
	ListCell   *lc;

	col->attidx = f->attidx;
	col->name = pstrdup(NameStr(att->attname));
	col->is_field = true;
	col->keeps_json_null = f->jsonb;
	col->base_attno = f->base_attno;
	ct_column_map(RelationGetRelid(scan->rel), att, &col->base);
	col->map = col->base;
	foreach(lc, f->keys)
		keys[nkeys++] = lfirst(lc);
	/* ct_project.c only makes fields of columns that read the record */
	if (!ct_column_map_descend(&col->map, keys, nkeys))
		elog(ERROR, "cloudtrail_fdw field of column \"%s\" does not read the record", col->name);
	ct_converter_init(&col->conv, f->jsonb ? JSONBOID : TEXTOID, -1);
}

/*
 * Starts a scan of rel.  Rows are laid out as scandesc: the table's columns,
 * then the ->> fields (when the plan has an fdw_scan_tlist).
 */
CtScan *
ct_scan_begin(Relation rel, TupleDesc scandesc, bool all_columns,
			  Bitmapset *attrs_used, List *fields, bool quiet,
			  CtPrune *prune, AttrNumber sort_attno, CtShared *shared)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "cloudtrail_fdw scan",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CtScan	   *scan = palloc0(sizeof(CtScan));
	bool		whole_row;
	ListCell   *lc;

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
	scan->tupdesc = scandesc;
	scan->fd = -1;
	scan->shared = shared;
	scan->bufs.cxt = cxt;

	ct_get_options(RelationGetRelid(rel), &scan->opts);
	scan->onerr.skip = scan->opts.skip_bad_files;
	scan->onerr.quiet = quiet;
	scan->onerr.relname = pstrdup(RelationGetRelationName(rel));

	/* the columns the query needs (a whole-row reference needs all) */
	whole_row = all_columns ||
		bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs_used);
	scan->cols = palloc0(sizeof(CtColumn) * scan->tupdesc->natts);
	for (int i = 0; i < RelationGetDescr(rel)->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);

		if (att->attisdropped)
			continue;
		if (!whole_row &&
			!bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, attrs_used))
			continue;
		setup_column(scan, &scan->cols[scan->ncols++], att);
	}
	foreach(lc, fields)
	{
		CtColumn   *col = &scan->cols[scan->ncols];

		setup_field(scan, col, lfirst(lc));

		/*
		 * The column's value is checked once a record: not again for another
		 * field of it, nor when the column itself is converted (to jsonb, with
		 * the same errors).
		 */
		col->check_base = true;
		for (int i = 0; i < scan->ncols; i++)
			if (scan->cols[i].is_field ? scan->cols[i].base_attno == col->base_attno
				: scan->cols[i].attidx == col->base_attno - 1)
				col->check_base = false;
		scan->ncols++;
	}

	scan->rec.cap = 64;
	scan->rec.members = palloc(sizeof(CtMember) * scan->rec.cap);

	/*
	 * Rows of a file wait until it has been read without error; with
	 * verify_hashes, until its hash is known to match, whatever on_error.
	 */
	if (scan->opts.skip_bad_files || scan->opts.verify_hashes)
	{
		scan->pending = tuplestore_begin_heap(false, false, work_mem);
		scan->pending_slot = MakeSingleTupleTableSlot(scan->tupdesc, &TTSOpsMinimalTuple);
	}

	scan->sort_attidx = sort_attno > 0 ? sort_attno - 1 : -1;
	if (scan->sort_attidx >= 0)
	{
		scan->heapcxt = AllocSetContextCreate(cxt, "cloudtrail_fdw sorted rows",
											  ALLOCSET_DEFAULT_SIZES);
		scan->heap_cap = 1024;
		scan->heap = palloc(sizeof(MinimalTuple) * scan->heap_cap);
		scan->heap_keys = palloc(sizeof(TimestampTz) * scan->heap_cap);
		scan->null_rows = tuplestore_begin_heap(false, false, work_mem);
		scan->sort_slot = MakeSingleTupleTableSlot(scan->tupdesc, &TTSOpsMinimalTuple);
	}

	ct_tree_open(&scan->tree, &scan->opts, &scan->onerr);
	if (scan->opts.verify_hashes)
	{
		scan->hasher = ct_hasher_create(cxt);
		scan->verified = ct_verified_open(scan->tree.root, scan->tree.log_type);
	}
	MemoryContextSwitchTo(old);
	ct_scan_set_prune(scan, prune);
	return scan;
}

static void
heap_clear(CtScan *scan)
{
	if (scan->sort_attidx < 0)
		return;
	ExecClearTuple(scan->sort_slot);
	scan->emitted = NULL;
	MemoryContextReset(scan->heapcxt);
	scan->heap_n = 0;
	tuplestore_clear(scan->null_rows);
	scan->have_emitted_key = false;
}

/* Back to before the first file. */
static void
reset_position(CtScan *scan)
{
	scan->partidx = 0;
	scan->refs = NULL;
	scan->nrefs = scan->refidx = 0;
	scan->group_loaded = false;
	scan->bound = DT_NOEND;
	scan->bound_final = false;
	MemoryContextReset(scan->partcxt);
	heap_clear(scan);
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
	/* a parallel scan's files were listed by the leader */
	scan->partitions = scan->shared ? NIL : ct_tree_partitions(&scan->tree);
	if (scan->sort_attidx >= 0)
		list_sort(scan->partitions, ct_partition_cmp_newest_first);
	MemoryContextSwitchTo(old);
	reset_position(scan);
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
	const char *hint = NULL;

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
			what = "limit exceeded in CloudTrail log file";
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		case CT_ERR_VALUE:
			what = "invalid value in CloudTrail log file";
			code = err->sqlerrcode ? err->sqlerrcode : ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
		case CT_ERR_NOT_NULL:
			what = "missing value in CloudTrail log file";
			code = ERRCODE_NOT_NULL_VIOLATION;
			hint = psprintf("If records without it are expected, drop the constraint: "
							"ALTER FOREIGN TABLE %s ALTER COLUMN %s DROP NOT NULL.",
							quote_qualified_identifier(get_namespace_name(RelationGetNamespace(scan->rel)),
													   RelationGetRelationName(scan->rel)),
							quote_identifier(err->column));
			break;
		default:
			what = "invalid JSON in CloudTrail log file";
			code = ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
	}
	if (err->kind == CT_ERR_VALUE || err->kind == CT_ERR_NOT_NULL)
		detail = psprintf("Record %llu.", (unsigned long long) err->record);
	else if (err->kind != CT_ERR_IO && err->kind != CT_ERR_GZIP)
	{
		if (err->record > 0)
			detail = psprintf("Record %llu, byte %llu of the decompressed file.",
							  (unsigned long long) err->record,
							  (unsigned long long) err->offset);
		else
			detail = psprintf("Byte %llu of the decompressed file.",
							  (unsigned long long) err->offset);
	}
	ct_report_bad(&scan->onerr, scan->file_rel, code, what, err->msg, detail, hint);
	/* skipped: forget its rows */
	if (scan->pending)
		tuplestore_clear(scan->pending);
	close_file(scan);
}

/* A file verify_hashes rejects: as any bad file, named with why. */
static void
verify_failed(CtScan *scan, const char *reason, const char *detail)
{
	scan->verifying = false;
	ct_report_bad(&scan->onerr, scan->file_rel, ERRCODE_DATA_CORRUPTED,
				  "CloudTrail log file does not match its digest", reason, detail,
				  scan->onerr.skip ? NULL :
				  "verify_hashes 'on' reads only the files their digests vouch for; cloudtrail_fdw.validate() reports on every file.");
	if (scan->pending)
		tuplestore_clear(scan->pending);
	close_file(scan);
}

static void
hash_output(void *arg, const void *p, size_t len)
{
	ct_hasher_update((CtHasher *) arg, p, len);
}

/*
 * verify_hashes: looks up what the digests give for the file being opened,
 * and hashes it as it is read.  false (after reporting) if no digest lists
 * it and its hour's digest should have arrived.
 */
static bool
begin_verify(CtScan *scan)
{
	CtDigestListing l = ct_digest_hashes(&scan->tree, scan->part->dir, scan->file.name,
										 scan->file.delivery, scan->expect,
										 lengthof(scan->expect), &scan->nexpect);

	scan->verifying = false;
	if (l == CT_DIGEST_NEWEST)
	{
		/* its digest may still be on its way: read as it is, and counted */
		scan->stats.files_unverified++;
		return true;
	}
	if (l == CT_DIGEST_UNLISTED)
	{
		verify_failed(scan, "no digest lists it",
					  "It was delivered before the newest digest of its region.");
		return false;
	}
	/* a file hashed before, unchanged since: what it hashed to */
	if (fstat(scan->fd, &scan->verify_st) == 0)
	{
		uint8		sha[CT_SHA256_LEN];

		if (ct_verified_lookup(scan->verified, scan->file_rel, &scan->verify_st, sha))
		{
			for (int i = 0; i < scan->nexpect; i++)
				if (memcmp(sha, scan->expect[i], CT_SHA256_LEN) == 0)
				{
					scan->stats.files_verified++;
					scan->stats.files_verified_before++;
					return true;
				}
		}
	}
	else
		memset(&scan->verify_st, 0, sizeof(scan->verify_st));
	ct_hasher_begin(scan->hasher);
	ct_stream_set_output(scan->stream, hash_output, scan->hasher);
	scan->verifying = true;
	return true;
}

/* The file has been read whole: does it hash as its digest says? */
static bool
end_verify(CtScan *scan)
{
	uint8		sha[CT_SHA256_LEN];
	char		hex[CT_SHA256_HEX_LEN + 1];
	char		want[CT_SHA256_HEX_LEN + 1];
	CtStreamStats st;

	scan->verifying = false;
	ct_hasher_end(scan->hasher, sha);
	ct_stream_stats(scan->stream, &st);
	if (st.members > 1)
	{
		verify_failed(scan, "data after the first gzip member",
					  "Its digest's hash covers the first gzip member only.");
		return false;
	}
	for (int i = 0; i < scan->nexpect; i++)
		if (memcmp(sha, scan->expect[i], CT_SHA256_LEN) == 0)
		{
			scan->stats.files_verified++;
			if (scan->verify_st.st_ino != 0)
				ct_verified_add(scan->verified, scan->file_rel, &scan->verify_st, sha);
			return true;
		}
	ct_hex_encode(sha, CT_SHA256_LEN, hex);
	ct_hex_encode(scan->expect[0], CT_SHA256_LEN, want);
	verify_failed(scan, "hash value doesn't match",
				  psprintf("Its digest gives SHA-256 %s; its inflated bytes hash to %s.", want, hex));
	return false;
}

/*
 * The latest eventTime a file can hold: its newest, where the index knows
 * it; else the end of the minute its name gives.
 */
static TimestampTz
file_upper(const CtFile *f)
{
	return f->times_exact ? f->newest : f->delivery + USECS_PER_MINUTE - 1;
}

/*
 * A sorted scan's order of the files of a group: by the latest eventTime
 * each can hold, then as ct_tree.c orders them.
 */
static int
ref_cmp_desc(const void *a, const void *b)
{
	const CtFileRef *ra = a;
	const CtFileRef *rb = b;
	TimestampTz ua = file_upper(&ra->file);
	TimestampTz ub = file_upper(&rb->file);

	if (ua != ub)
		return ua > ub ? -1 : 1;

	return ct_file_cmp_newest_first(ra->file.delivery, ra->part->dir, ra->file.name,
									rb->file.delivery, rb->part->dir, rb->file.name);
}

/* Adds the files of a partition to the group being loaded. */
static void
add_partition_files(CtScan *scan, CtPartition *part, int *cap)
{
	int			n;
	CtFile	   *files;

	if (scan->sampler && !scan->sampler->keep_partition(scan->sampler->arg, part))
		return;					/* not even listed */
	files = ct_tree_files(&scan->tree, part, false, &n);
	scan->stats.partitions++;
	for (int i = 0; i < n; i++)
	{
		if (scan->sampler &&
			!scan->sampler->keep_file(scan->sampler->arg, part, &files[i]))
			continue;
		if (scan->nrefs == *cap)
		{
			*cap *= 2;
			scan->refs = repalloc(scan->refs, sizeof(CtFileRef) * *cap);
		}
		scan->refs[scan->nrefs].part = part;
		scan->refs[scan->nrefs].file = files[i];
		scan->nrefs++;
	}
}

/*
 * Lists the files of the next group of partitions: one partition, or, in a
 * sorted scan, every partition of the next delivery date (newest first).
 * In a parallel scan, the next partition or date not claimed yet.
 */
static bool
load_next_group(CtScan *scan)
{
	MemoryContext old;
	CtPartition *first;
	int			cap = 64;

	if (scan->shared)
	{
		CtPartition *parts;
		int			nparts = 1;

		MemoryContextReset(scan->partcxt);
		old = MemoryContextSwitchTo(scan->partcxt);
		parts = palloc(sizeof(CtPartition));
		if (scan->sort_attidx >= 0 ? !ct_shared_claim_day(scan->shared, &parts, &nparts) :
			!ct_shared_claim_partition(scan->shared, parts))
		{
			MemoryContextSwitchTo(old);
			return false;
		}
		first = &parts[0];
		scan->refs = palloc(sizeof(CtFileRef) * cap);
		scan->nrefs = 0;
		for (int i = 0; i < nparts; i++)
			add_partition_files(scan, &parts[i], &cap);
		if (scan->sort_attidx >= 0)
			qsort(scan->refs, scan->nrefs, sizeof(CtFileRef), ref_cmp_desc);
	}
	else
	{
		if (scan->partidx >= list_length(scan->partitions))
			return false;
		MemoryContextReset(scan->partcxt);
		old = MemoryContextSwitchTo(scan->partcxt);
		first = list_nth(scan->partitions, scan->partidx);
		scan->refs = palloc(sizeof(CtFileRef) * cap);
		scan->nrefs = 0;
		do
		{
			add_partition_files(scan, list_nth(scan->partitions, scan->partidx++), &cap);
		} while (scan->sort_attidx >= 0 && scan->partidx < list_length(scan->partitions) &&
				 ((CtPartition *) list_nth(scan->partitions, scan->partidx))->date == first->date);
		if (scan->sort_attidx >= 0)
			qsort(scan->refs, scan->nrefs, sizeof(CtFileRef), ref_cmp_desc);
	}
	scan->refidx = 0;
	scan->group_date = first->date;
	scan->group_loaded = true;
	MemoryContextSwitchTo(old);
	return true;
}

/*
 * Sorted scan: the latest eventTime any unread record can have.  A file
 * holds records up to its file_upper(); the files still to open in this
 * group hold none later than the next one, and a later group (in a
 * parallel scan, any day still to claim) has an earlier delivery date, so
 * nothing later than this group's day.
 */
static void
update_bound(CtScan *scan)
{
	bool		more_groups = scan->shared ? ct_shared_days_left(scan->shared) :
		scan->partidx < list_length(scan->partitions);

	if (scan->refidx < scan->nrefs)
	{
		/* an older day's files hold nothing later than this day's start */
		TimestampTz later = (TimestampTz) scan->group_date * USECS_PER_DAY - 1;

		scan->bound = file_upper(&scan->refs[scan->refidx].file);
		if (more_groups && scan->bound < later)
			scan->bound = later;
	}
	else if (more_groups)
	{
		if (scan->group_loaded)
			scan->bound = (TimestampTz) scan->group_date * USECS_PER_DAY - 1;
	}
	else
		scan->bound_final = true;
}

/* Opens the next file to read; false when there is none left. */
static bool
open_next_file(CtScan *scan)
{
	for (;;)
	{
		CtFileRef  *ref;
		char	   *abs;
		CtError		err;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		if (scan->refidx >= scan->nrefs)
		{
			if (!load_next_group(scan))
				return false;
			continue;
		}

		MemoryContextReset(scan->filecxt);
		old = MemoryContextSwitchTo(scan->filecxt);
		ref = &scan->refs[scan->refidx++];
		scan->part = ref->part;
		scan->file = ref->file;
		scan->file_rel = psprintf("%s/%s", scan->part->dir, ref->file.name);
		scan->recno = 0;
		abs = psprintf("%s/%s", scan->tree.root, scan->file_rel);
		scan->fd = OpenTransientFile(abs, O_RDONLY | PG_BINARY);
		if (scan->fd < 0)
		{
			int			save = errno;

			MemoryContextSwitchTo(old);
			ct_report_bad(&scan->onerr, scan->file_rel, errno_sqlstate(save),
						  "could not open CloudTrail log file", strerror(save), NULL, NULL);
			continue;
		}
#ifdef POSIX_FADV_SEQUENTIAL
		(void) posix_fadvise(scan->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
		scan->stats.files++;
		scan->stream = ct_stream_open(read_fd, &scan->fd, ref->file.gzip, &scan->bufs);
		scan->hold_file = scan->opts.skip_bad_files;
		if (scan->hasher && !begin_verify(scan))
		{
			MemoryContextSwitchTo(old);
			continue;
		}

		/*
		 * Every record will be parsed unless a raw-bytes check can reject it
		 * first: then split and index records in one pass.
		 */
		if (!(scan->prune && ct_prune_has_raw(scan->prune)))
			ct_stream_set_index(scan->stream, &scan->rec);
		memset(&err, 0, sizeof(err));
		if (!set_path_values(scan, &ref->file, &err))
		{
			MemoryContextSwitchTo(old);
			bad_file(scan, &err);
			continue;
		}
		MemoryContextSwitchTo(old);
		return true;
	}
}

/*
 * A column declared NOT NULL has no value in this record.  The constraint is
 * what lets a sorted scan serve NULLS FIRST without reading every file, so a
 * record breaking it is an error, never a silent NULL.
 */
static bool
missing_value(CtScan *scan, const CtColumn *col, CtError *err)
{
	err->kind = CT_ERR_NOT_NULL;
	err->record = scan->recno;
	err->sqlerrcode = ERRCODE_NOT_NULL_VIOLATION;
	err->column = col->name;
	if (col->map.kind == CT_COL_FIELD)
		snprintf(err->msg, sizeof(err->msg),
				 "column \"%s\" is declared NOT NULL, but the record has no value for it",
				 col->name);
	else
		snprintf(err->msg, sizeof(err->msg),
				 "column \"%s\" is declared NOT NULL, but the file's path has no value for it",
				 col->name);
	return false;
}

/*
 * A ->> field is read without building its column's jsonb, but the column's
 * value must still be one jsonb can hold, or the answer would depend on
 * whether the scan computes the field.
 */
static bool
check_field_base(CtScan *scan, const CtColumn *col, const char *p, size_t len,
				 CtError *err)
{
	CtValue		bv;

	if (col->base.kind == CT_COL_EVENT)
	{
		bv.p = p;
		bv.len = len;
		bv.type = CT_JSON_OBJECT;
		bv.escaped = false;
	}
	else if (!ct_json_path_get(&scan->rec, col->base.path, col->base.npath,
							   col->base.first_ci, &bv) || bv.type == CT_JSON_NULL)
		return true;
	if (ct_jsonb_check(&bv, err))
		return true;
	{
		char	   *msg = pstrdup(err->msg);

		err->record = scan->recno;
		snprintf(err->msg, sizeof(err->msg), "column \"%s\": %s", col->name, msg);
	}
	return false;
}

/*
 * A record of a file kept by its digest's times lies outside them: the digest
 * does not describe the file, so files skipped by their digests in this scan
 * may hold rows too.  Not a bad file to skip: the answer is in doubt.
 */
static void
digest_misstates(CtScan *scan, TimestampTz t)
{
	/* timestamptz_to_str() returns a static buffer; newest as the digest wrote it */
	const CtSpan *span = &scan->file.span;
	char	   *oldest = pstrdup(timestamptz_to_str(span->oldest));
	char	   *newest = pstrdup(timestamptz_to_str(span->newest - span->newest % USECS_PER_SEC));

	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("CloudTrail digest does not describe log file \"%s\"", scan->file_rel),
			 errdetail("Its digest gives %s to %s as the eventTimes of its records; record %llu has %s.",
					   oldest, newest, (unsigned long long) scan->recno, timestamptz_to_str(t)),
			 errhint("Set the foreign table option use_digests to 'off' to read this mirror without its digests.")));
}

/* Fills values/nulls from one record; false (err set) if a value does not fit. */
static bool
convert_record(CtScan *scan, const char *p, size_t len, Datum *values,
			   bool *nulls, CtError *err)
{
	if (!ct_stream_indexed(scan->stream) &&
		!ct_json_index_record(p, len, &scan->rec, err))
	{
		err->offset += ct_stream_offset(scan->stream, p);
		err->record = scan->recno;
		return false;
	}
	scan->stats.records_parsed++;
	if (scan->prune)
	{
		bool		has_time;
		TimestampTz t;
		bool		keep = ct_keep_record(scan->prune, &scan->rec, &has_time, &t);

		if (has_time && scan->file.span.known &&
			(t < scan->file.span.oldest || t > scan->file.span.newest))
			digest_misstates(scan, t);
		if (!keep)
		{
			scan->stats.records_rejected++;
			return false;		/* err->kind stays CT_ERR_NONE */
		}
	}

	for (int i = 0; i < scan->ncols; i++)
	{
		CtColumn   *col = &scan->cols[i];
		int			a = col->attidx;
		CtValue		v;
		bool		found;

		if (col->check_base && !check_field_base(scan, col, p, len, err))
			return false;
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
				if (col->file_null && col->notnull)
					return missing_value(scan, col, err);
				values[a] = col->file_value;
				nulls[a] = col->file_null;
				continue;
		}
		if (!found || (v.type == CT_JSON_NULL && !col->keeps_json_null))
		{
			if (col->notnull)
				return missing_value(scan, col, err);
			values[a] = (Datum) 0;
			nulls[a] = true;
			continue;
		}
		if (!ct_convert_value(&col->conv, &v, &values[a], err))
		{
			char	   *msg = pstrdup(err->msg);

			err->record = scan->recno;
			snprintf(err->msg, sizeof(err->msg), "column \"%s\": %s", col->name, msg);
			return false;
		}
		nulls[a] = false;
	}
	return true;
}

/*
 * The next row of the files, in file order, into values/nulls (valid until
 * the next call).  NEXT_BOUNDARY comes between files: every row of the files
 * opened so far has been returned.
 */
static NextResult
next_row(CtScan *scan, Datum *values, bool *nulls)
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
			bool		got;

			/*
			 * A row read back from disk is allocated here and freed by the
			 * slot; in the caller's per-tuple context it would be freed twice.
			 */
			old = MemoryContextSwitchTo(scan->scancxt);
			got = tuplestore_gettupleslot(scan->pending, true, false, scan->pending_slot);
			MemoryContextSwitchTo(old);
			if (got)
			{
				slot_getallattrs(scan->pending_slot);
				memcpy(values, scan->pending_slot->tts_values, natts * sizeof(Datum));
				memcpy(nulls, scan->pending_slot->tts_isnull, natts * sizeof(bool));
				return NEXT_ROW;
			}
			tuplestore_clear(scan->pending);
			scan->draining = false;
		}

		if (scan->stream == NULL)
		{
			if (!scan->at_boundary)
			{
				scan->at_boundary = true;
				return NEXT_BOUNDARY;
			}
			if (!open_next_file(scan))
				return NEXT_END;
			scan->at_boundary = false;
		}

		MemoryContextReset(scan->reccxt);
		old = MemoryContextSwitchTo(scan->reccxt);
		memset(&err, 0, sizeof(err));
		r = ct_stream_next(scan->stream, &p, &len, &err);

		/*
		 * verify_hashes: a file inflated whole is hashed by now, before its
		 * first row; a file streamed is hashed only at its end, so its rows
		 * wait until then.
		 */
		if (scan->verifying && r == CT_STREAM_RECORD && !scan->hold_file)
		{
			if (!ct_stream_is_whole(scan->stream))
				scan->hold_file = true;
			else if (!end_verify(scan))
			{
				MemoryContextSwitchTo(old);
				continue;
			}
		}
		if (r == CT_STREAM_RECORD)
		{
			scan->recno++;
			if (scan->prune && !ct_keep_record_raw(scan->prune, p, len))
			{
				scan->stats.records_raw_rejected++;
				MemoryContextSwitchTo(old);
				continue;
			}
			/* ANALYZE converts only the records its reservoir takes */
			if (scan->sampler &&
				!scan->sampler->keep_record(scan->sampler->arg, scan->part, &scan->file))
			{
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
			if (scan->hold_file)
			{
				tuplestore_putvalues(scan->pending, scan->tupdesc, values, nulls);
				continue;
			}
			return NEXT_ROW;
		}
		MemoryContextSwitchTo(old);
		if (r == CT_STREAM_ERROR)
		{
			bad_file(scan, &err);
			continue;
		}
		/* end of a good file */
		if (scan->verifying && !end_verify(scan))
			continue;
		close_file(scan);
		if (scan->hold_file)
			scan->draining = true;
	}
}

static void
heap_sift_down(CtScan *scan, int i)
{
	int			n = scan->heap_n;

	for (;;)
	{
		int			l = 2 * i + 1;
		int			r = l + 1;
		int			m = i;
		MinimalTuple t;
		TimestampTz k;

		if (l < n && scan->heap_keys[l] > scan->heap_keys[m])
			m = l;
		if (r < n && scan->heap_keys[r] > scan->heap_keys[m])
			m = r;
		if (m == i)
			return;
		t = scan->heap[i];
		k = scan->heap_keys[i];
		scan->heap[i] = scan->heap[m];
		scan->heap_keys[i] = scan->heap_keys[m];
		scan->heap[m] = t;
		scan->heap_keys[m] = k;
		i = m;
	}
}

/* Holds a row of the sorted scan until it is final. */
static void
hold_row(CtScan *scan, Datum *values, bool *nulls)
{
	MemoryContext old;
	TimestampTz key;
	int			i;

	if (nulls[scan->sort_attidx])
	{
		/* NULL eventtime sorts last in DESC NULLS LAST */
		tuplestore_putvalues(scan->null_rows, scan->tupdesc, values, nulls);
		return;
	}
	key = DatumGetTimestampTz(values[scan->sort_attidx]);
	if (scan->heap_n == scan->heap_cap)
	{
		scan->heap_cap *= 2;
		scan->heap = repalloc_huge(scan->heap, sizeof(MinimalTuple) * scan->heap_cap);
		scan->heap_keys = repalloc_huge(scan->heap_keys, sizeof(TimestampTz) * scan->heap_cap);
	}
	old = MemoryContextSwitchTo(scan->heapcxt);
	i = scan->heap_n++;
	scan->heap[i] = ct_form_minimal_tuple(scan->tupdesc, values, nulls);
	scan->heap_keys[i] = key;
	MemoryContextSwitchTo(old);
	while (i > 0 && scan->heap_keys[(i - 1) / 2] < key)
	{
		int			parent = (i - 1) / 2;
		MinimalTuple t = scan->heap[i];

		scan->heap[i] = scan->heap[parent];
		scan->heap_keys[i] = scan->heap_keys[parent];
		scan->heap[parent] = t;
		scan->heap_keys[parent] = key;
		i = parent;
	}
	if (scan->heap_n > scan->stats.rows_held_max)
		scan->stats.rows_held_max = scan->heap_n;
}

static void
return_slot_row(CtScan *scan, Datum *values, bool *nulls)
{
	int			natts = scan->tupdesc->natts;

	slot_getallattrs(scan->sort_slot);
	memcpy(values, scan->sort_slot->tts_values, natts * sizeof(Datum));
	memcpy(nulls, scan->sort_slot->tts_isnull, natts * sizeof(bool));
}

/* Sorted scan: rows by eventtime, latest first. */
static bool
next_sorted_row(CtScan *scan, Datum *values, bool *nulls)
{
	if (scan->emitted)
	{
		ExecClearTuple(scan->sort_slot);
		pfree(scan->emitted);
		scan->emitted = NULL;
	}
	for (;;)
	{
		NextResult r;

		if (scan->heap_n > 0 &&
			(scan->bound_final || scan->heap_keys[0] > scan->bound))
		{
			TimestampTz key = scan->heap_keys[0];

			/* CloudTrail's rule eventTime <= delivery time was broken */
			if (scan->have_emitted_key && key > scan->emitted_key)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("cannot return the rows of foreign table \"%s\" in eventtime order",
								scan->onerr.relname),
						 errdetail("A record has an eventTime later than the delivery time in its file's name."),
						 errhint("SET cloudtrail_fdw.enable_sorted_scan = off to sort such a mirror in memory.")));
			scan->emitted_key = key;
			scan->have_emitted_key = true;
			scan->emitted = scan->heap[0];
			scan->heap_n--;
			if (scan->heap_n > 0)
			{
				scan->heap[0] = scan->heap[scan->heap_n];
				scan->heap_keys[0] = scan->heap_keys[scan->heap_n];
				heap_sift_down(scan, 0);
			}
			ExecStoreMinimalTuple(scan->emitted, scan->sort_slot, false);
			return_slot_row(scan, values, nulls);
			return true;
		}
		if (scan->bound_final)
		{
			MemoryContext old = MemoryContextSwitchTo(scan->scancxt);
			bool		got = tuplestore_gettupleslot(scan->null_rows, true, false,
													  scan->sort_slot);

			MemoryContextSwitchTo(old);
			if (got)
			{
				return_slot_row(scan, values, nulls);
				return true;
			}
			return false;
		}
		r = next_row(scan, values, nulls);
		if (r == NEXT_ROW)
			hold_row(scan, values, nulls);
		else if (r == NEXT_BOUNDARY)
			update_bound(scan);
		else
			scan->bound_final = true;
	}
}

/*
 * Produces the next row into values/nulls (valid until the next call).
 * Returns false at the end of the scan.
 */
bool
ct_scan_next(CtScan *scan, Datum *values, bool *nulls)
{
	bool		found;

	if (scan->sort_attidx >= 0)
		found = next_sorted_row(scan, values, nulls);
	else
	{
		NextResult r;

		while ((r = next_row(scan, values, nulls)) == NEXT_BOUNDARY)
			;
		found = (r == NEXT_ROW);
	}
	if (found)
		scan->stats.rows++;
	return found;
}

/*
 * Lets ANALYZE's sampler choose the partitions and files the scan reads and
 * the records it converts; sampler must live as long as the scan.  Set
 * before the first row.
 */
void
ct_scan_set_sampler(CtScan *scan, const CtScanSampler *sampler)
{
	scan->sampler = sampler;
}

/* Starts again from the first file; ct_scan_set_prune() when values changed. */
void
ct_scan_rescan(CtScan *scan)
{
	close_file(scan);
	if (scan->pending)
		tuplestore_clear(scan->pending);
	scan->draining = false;
	scan->at_boundary = false;
	MemoryContextReset(scan->filecxt);
	reset_position(scan);
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
	if (scan->sort_attidx >= 0)
	{
		ExecDropSingleTupleTableSlot(scan->sort_slot);
		tuplestore_end(scan->null_rows);
	}
	MemoryContextDelete(scan->scancxt);
}

const CtScanStats *
ct_scan_stats(CtScan *scan)
{
	/* bad folders and links found while listing count too */
	scan->stats.bad_files = scan->onerr.nskipped;
	scan->stats.files_digest_skipped = scan->tree.files_digest_pruned;
	scan->stats.files_index_skipped = scan->tree.files_index_pruned;
	scan->stats.files_unindexed = scan->tree.files_unindexed;
	scan->stats.files_index_stale = scan->tree.files_index_stale;
	return &scan->stats;
}
