/*-------------------------------------------------------------------------
 *
 * fuzz_record.c
 *		libFuzzer target: the input as one CloudTrail record.
 *
 * ct_json_validate and ct_json_index_record are checked against jansson
 * (validity, and for valid records the index, look-ups and string
 * decoding), excluding only the documented differences listed in
 * test/unit/ct_testlib.h; a real mismatch abort()s.  Built by `make fuzz`.
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
	json_object_seed(1);		/* deterministic jansson hashing */
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *) data;
	const char *res;
	CtRecord	rec = {0};
	CtError		err;

	/* at most 64 look-ups per object or array keep large inputs fast */
	res = ctt_check_record(p, size, 64, NULL);
	if (res != NULL)
	{
		fprintf(stderr, "fuzz_record: ct_json and jansson disagree: %s\n", res);
		abort();
	}

	/* the look-ups the scan does, on the unmodified input */
	memset(&err, 0, sizeof(err));
	if (ct_json_index_record(p, size, &rec, &err))
		ctt_lookups(&rec);
	ct_json_record_free(&rec);
	return 0;
}
