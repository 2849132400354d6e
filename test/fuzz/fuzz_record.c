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
 * in another letter case; so must a raw-check set (CtRawSet) of all the
 * keys, with Hyperscan and with memmem, and on any input both engines must
 * agree with the conditions checked one by one.  Built by `make fuzz`.
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

static bool
naive_find(const char *hay, size_t len, const char *n, size_t nlen, bool ci)
{
	for (size_t i = 0; i + nlen <= len; i++)
	{
		size_t		j = 0;

		while (j < nlen && (ci ? ct_ascii_lower(hay[i + j]) == ct_ascii_lower(n[j]) : hay[i + j] == n[j]))
			j++;
		if (j == nlen)
			return true;
	}
	return nlen == 0;
}

/* One condition checked alone: ANY needs a needle (none: never), ALL every one. */
static bool
cond_holds(const char *p, size_t size, char *const *needles, const size_t *lens,
		   const bool *ci, int n, bool all)
{
	for (int i = 0; i < n; i++)
		if (naive_find(p, size, needles[i], lens[i], ci[i]) != all)
			return !all;
	return all;
}

/*
 * Both engines of a set agree with its conditions one by one: needles are
 * pieces of the input (so often found) and its keys (quotes included), as
 * ANY or ALL conditions, some in any letter case.
 */
static void
check_raw_set(const char *p, size_t size, const CtRecord *rec)
{
	char	   *needles[16];
	size_t		lens[16];
	bool		ci[16];
	int			n = 0,
				n1;
	bool		all = size % 2 == 1;
	bool		want;

	for (int i = 0; i < 8 && size > 0; i++)
	{
		size_t		off = ((size_t) (unsigned char) p[i % size] * 131 + i * 977) % size;
		size_t		len = 1 + ((size_t) (unsigned char) p[(i + 1) % size] % 12);

		needles[n] = (char *) p + off;
		lens[n] = len < size - off ? len : size - off;
		ci[n] = (p[off] & 1) != 0;
		n++;
	}
	n1 = n;
	for (int i = 0; rec && i < rec->nmembers && n < 16; i++)
	{
		needles[n] = (char *) rec->members[i].key.p;
		lens[n] = rec->members[i].key.len;
		ci[n] = i % 2;
		n++;
	}
	want = memchr(p, '\\', size) != NULL ||
		(cond_holds(p, size, needles, lens, ci, n1, all) &&
		 cond_holds(p, size, needles + n1, lens + n1, ci + n1, n - n1, !all));
	for (int e = 0; e < 2; e++)
	{
		CtRawSet   *set = ct_raw_set_new();

		if (set == NULL || !ct_raw_set_add(set, all, n1, needles, lens, ci) ||
			!ct_raw_set_add(set, !all, n - n1, needles + n1, lens + n1, ci + n1) ||
			!ct_raw_set_build(set, e == 1))
			abort();
		if (ct_raw_set_may_match(set, p, size) != want)
		{
			fprintf(stderr, "fuzz_record: raw set (%s) disagrees with its conditions\n",
					ct_raw_set_engine(set));
			abort();
		}
		ct_raw_set_free(set);
	}
	/* a valid record holds every one of its keys */
	if (rec && n > n1)
	{
		CtRawSet   *set = ct_raw_set_new();

		if (set == NULL || !ct_raw_set_add(set, true, n - n1, needles + n1, lens + n1, ci + n1) ||
			!ct_raw_set_add(set, false, n - n1, needles + n1, lens + n1, ci + n1) ||
			!ct_raw_set_build(set, true))
			abort();
		if (!ct_raw_set_may_match(set, p, size))
		{
			fprintf(stderr, "fuzz_record: raw set of the keys rejected their record\n");
			abort();
		}
		ct_raw_set_free(set);
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
		check_raw_set(p, size, &rec);
	}
	else
		check_raw_set(p, size, NULL);
	ct_json_record_free(&rec);
	return 0;
}
