/*-------------------------------------------------------------------------
 *
 * fuzz_stream.c
 *		libFuzzer target: the input as a whole CloudTrail log file.
 *
 * The input is read through ct_stream_open/ct_stream_next with read
 * callbacks returning chunks of varying size; every record is indexed by
 * ct_json_index_record and a few keys are looked up and decoded.
 *
 *  - plain: the outcome must match jansson's reading of the whole file
 *	  (test/unit/ct_testlib.h, ctt_check_stream_oracle), and be the same
 *	  with another reader (chunk boundaries must not matter);
 *  - if the first byte is 0x1f (gzip magic), the raw input is also read as
 *	  gzip: when zlib decodes it cleanly the outcome must equal the plain
 *	  reading of the decoded bytes, otherwise the stream must fail;
 *  - otherwise the input compressed by zlib (one member, or two members
 *	  split at a point derived from the input) must read exactly as plain.
 *
 * Any mismatch abort()s; ASan/UBSan/LSan catch the rest.  Built by
 * `make fuzz`.
 *
 *-------------------------------------------------------------------------
 */
#include "ct_testlib.h"

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	json_object_seed(1);
	return 0;
}

static void
check(const char *res, const char *what)
{
	if (res != NULL)
	{
		fprintf(stderr, "fuzz_stream: %s: %s\n", what, res);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t	h = ctt_hash(data, size);
	int			mode = (int) (h % CTT_READ_MODES);
	CttRun		plain;
	CttRun		r;

	/* plain, against jansson */
	ctt_run_stream(data, size, false, mode, h, true, SIZE_MAX, &plain);
	check(ctt_check_stream_oracle((const char *) data, size, &plain), "plain vs jansson");

	/* plain again, with other chunk sizes */
	ctt_run_stream(data, size, false, size <= 4096 ? CTT_READ_ONE : CTT_READ_RANDOM,
				   h >> 7, false, SIZE_MAX, &r);
	check(ctt_compare_runs(&plain, &r, "plain, two readers"), "readers");
	ctt_run_free(&r);

	if (size > 0 && data[0] == 0x1f)
	{
		/* raw input as a gzip file, against zlib */
		CttBuf		out = {0};
		int			zr = ctt_gunzip(data, size, (size_t) 8 << 20, &out);

		ctt_run_stream(data, size, true, mode, h >> 3, true, SIZE_MAX, &r);
		if (zr == 0)
		{
			CttRun		ref;

			ctt_run_stream(out.p, out.len, false, CTT_READ_ALL, 0, false, SIZE_MAX, &ref);
			check(ctt_compare_runs(&ref, &r, "raw gzip vs plain of zlib's output"), "raw gzip");
			ctt_run_free(&ref);
		}
		else if (zr == -1 && r.final == CT_STREAM_END)
			check(ctt_fail("zlib rejects the file, the stream read it to the end: %s",
						   ctt_run_describe(&r)), "raw gzip");
		ctt_run_free(&r);
		ctt_buf_free(&out);
	}
	else
	{
		/* compressed by zlib, in one or two members */
		CttBuf		z = {0};
		int			level = (int) ((h >> 8) % 10);

		if ((h >> 12) & 1)
		{
			size_t		split = (size_t) ((h >> 16) % (size + 1));

			ctt_gzip_member(data, split, level, &z);
			ctt_gzip_member(data + split, size - split, level, &z);
		}
		else
			ctt_gzip_member(data, size, level, &z);
		ctt_run_stream(z.p, z.len, true, mode, h >> 5, false, SIZE_MAX, &r);
		check(ctt_compare_runs(&plain, &r, "gzip vs plain"), "gzip");
		ctt_run_free(&r);
		ctt_buf_free(&z);
	}
	ctt_run_free(&plain);
	return 0;
}
