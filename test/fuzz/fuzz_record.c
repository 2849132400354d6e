/*-------------------------------------------------------------------------
 *
 * fuzz_record.c
 *		libFuzzer target: the input as one CloudTrail record.
 *
 * ct_json_validate and ct_json_index_record are checked against jansson
 * (validity, and for valid records the index, look-ups and string
 * decoding), excluding only the documented differences listed in
 * test/unit/ct_testlib.h; a real mismatch abort()s.  The raw key check of
 * IS NOT NULL must find every top-level key of a valid record, exactly and
 * in another letter case.  Built by `make fuzz`.
 *
 *-------------------------------------------------------------------------
 */
#include "ct_testlib.h"
#include "ct_rawcheck.h"

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

/* No key of the record may be missed by ct_raw_may_have_key. */
static void
check_raw_keys(const char *p, size_t size, const CtRecord *rec)
{
	for (int i = 0; i < rec->nmembers && i < 64; i++)
	{
		char		name[256];
		char		needle[258];
		bool		nul;
		size_t		len;
		size_t		nlen;

		if (rec->members[i].key.len > sizeof(name))
			continue;
		len = ct_json_string_decode(&rec->members[i].key, name, &nul);
		if (!ct_raw_text_ok(name, len))
			continue;
		nlen = ct_raw_needle(name, len, false, needle);
		if (!ct_raw_may_have_key(p, size, needle, nlen, false))
		{
			fprintf(stderr, "fuzz_record: raw key check missed key \"%.*s\"\n", (int) len, name);
			abort();
		}
		/* the same name in other ASCII cases, looked for case-insensitively */
		for (size_t j = 1; j < nlen - 1; j++)
			if ((needle[j] >= 'a' && needle[j] <= 'z') || (needle[j] >= 'A' && needle[j] <= 'Z'))
				needle[j] ^= (char) ((j % 2) ? 0x20 : 0);
		if (!ct_raw_may_have_key(p, size, needle, nlen, true))
		{
			fprintf(stderr, "fuzz_record: case-insensitive raw key check missed key \"%.*s\"\n",
					(int) len, name);
			abort();
		}
	}
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
	{
		ctt_lookups(&rec);
		check_raw_keys(p, size, &rec);
	}
	ct_json_record_free(&rec);
	return 0;
}
