/*-------------------------------------------------------------------------
 *
 * ct_stream.h
 *		Streaming reader of one CloudTrail log file: gzip (or plain) bytes in,
 *		one record of the "Records" array at a time out.
 *
 * Memory is bounded by the largest record plus one read chunk, never by the
 * file: the window holds only the record being split and what follows it;
 * except that files up to CT_WHOLE_MAX_OUT of JSON are inflated whole.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_STREAM_H
#define CT_STREAM_H

#include "ct_port.h"
#include "ct_json.h"

/* Reads up to len bytes; returns the count, 0 at end of file, -1 with errno. */
typedef long (*CtReadFn) (void *arg, void *buf, size_t len);

typedef struct CtStream CtStream;

typedef enum CtStreamResult
{
	CT_STREAM_ERROR = -1,
	CT_STREAM_END = 0,
	CT_STREAM_RECORD = 1
} CtStreamResult;

typedef struct CtStreamStats
{
	uint64_t	bytes_in;		/* bytes read from the file */
	uint64_t	bytes_out;		/* JSON bytes after decompression */
	uint64_t	records;		/* records split so far */
	uint64_t	members;		/* gzip members begun */
} CtStreamStats;

/* Called with every decompressed byte, in order (verify_hashes hashes them). */
typedef void (*CtOutputFn) (void *arg, const void *p, size_t len);

/*
 * Buffers for files inflated whole, which a caller may keep from one file to
 * the next (fresh ones for every file cost a page fault per 4 kB).  Zeroed,
 * with cxt set, before first use; the caller frees them (or their context).
 */
typedef struct CtStreamBuffers
{
	CtMemCxt	cxt;			/* where they are allocated */
	unsigned char *in;			/* the file's bytes */
	size_t		incap;
	unsigned char *out;			/* its JSON */
	size_t		outcap;
} CtStreamBuffers;

extern CtStream *ct_stream_open(CtReadFn readfn, void *arg, bool gzip,
								CtStreamBuffers *bufs);
extern CtStreamResult ct_stream_next(CtStream *s, const char **rec,
									 size_t *len, CtError *err);
extern void ct_stream_stats(const CtStream *s, CtStreamStats *stats);
extern void ct_stream_set_index(CtStream *s, CtRecord *rec);
extern void ct_stream_set_output(CtStream *s, CtOutputFn fn, void *arg);
extern bool ct_stream_is_whole(const CtStream *s);
extern bool ct_stream_indexed(const CtStream *s);
extern void ct_stream_close(CtStream *s);

/* Largest record accepted; larger ones are a CT_ERR_LIMIT error. */
#define CT_MAX_RECORD_SIZE	(CT_MAX_ALLOC - CT_READ_CHUNK - 1)
#define CT_READ_CHUNK		((size_t) 256 * 1024)

/*
 * gzip files up to these sizes (compressed, and decompressed) are read and
 * inflated whole; larger ones are streamed with zlib in bounded memory.
 */
#define CT_WHOLE_MAX_IN		((size_t) 4 * 1024 * 1024)
#define CT_WHOLE_MAX_OUT	((size_t) 32 * 1024 * 1024)

/* Offset in the decompressed JSON of a pointer into the current record. */
extern uint64_t ct_stream_offset(const CtStream *s, const char *p);

#endif							/* CT_STREAM_H */
