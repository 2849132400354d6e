# cloudtrail_fdw/Makefile

MODULE_big = cloudtrail_fdw
OBJS = \
	fdw/cloudtrail_fdw.o \
	fdw/ct_analyze.o \
	fdw/ct_convert.o \
	fdw/ct_digest.o \
	fdw/ct_hash.o \
	fdw/ct_index.o \
	fdw/ct_jsonb.o \
	fdw/ct_json.o \
	fdw/ct_options.o \
	fdw/ct_parallel.o \
	fdw/ct_project.o \
	fdw/ct_prune.o \
	fdw/ct_quals.o \
	fdw/ct_refresh.o \
	fdw/ct_rawcheck.o \
	fdw/ct_regex.o \
	fdw/ct_scan.o \
	fdw/ct_sig.o \
	fdw/ct_stream.o \
	fdw/ct_tree.o \
	fdw/ct_validate.o \
	fdw/ct_verified.o
PGFILEDESC = "cloudtrail_fdw - foreign-data wrapper for AWS CloudTrail log mirrors"

EXTENSION = cloudtrail_fdw
DATA = cloudtrail_fdw--1.0.sql cloudtrail_fdw--1.0--1.1.sql cloudtrail_fdw--1.1--1.2.sql

# libcrypto (libssl-dev): SHA-256, MD5 and RSA for validate() and
# verify_hashes (README, Dependencies); never crypto of our own.
SHLIB_LINK = -lz -ldeflate -lcrypto
PG_CPPFLAGS = -I$(srcdir)/fdw

# Hyperscan (libhyperscan-dev, or Vectorscan's libvectorscan-dev): the
# multi-pattern search of the raw-bytes record check, used when installed
# (see README, Dependencies); CT_HYPERSCAN=no builds without it (memmem).
CT_HYPERSCAN ?= $(shell pkg-config --exists libhs 2>/dev/null && echo yes || \
	(test -f /usr/include/hs/hs.h && echo yes) || echo no)
ifeq ($(CT_HYPERSCAN),yes)
CT_HS_CFLAGS := -DCT_HAVE_HYPERSCAN $(shell pkg-config --cflags libhs 2>/dev/null || echo -I/usr/include/hs)
CT_HS_LIBS := $(shell pkg-config --libs libhs 2>/dev/null || echo -lhs)
PG_CPPFLAGS += $(CT_HS_CFLAGS)
SHLIB_LINK += $(CT_HS_LIBS)
endif

REGRESS = upgrade setup options layout columns types input_errors seed pushdown rawcheck fields sorted parallel resources on_error realdata privileges faults vanish encoding digests analyze index validate
REGRESS_OPTS = --encoding=UTF8 --no-locale
ISOLATION = index_concurrency
# TAP tests (t/*.pl) make clusters of their own, which initdb refuses to do
# as root: as root installcheck leaves them out, and `make tapcheck` runs
# them as the postgres user in a copy of them (tmp_tap/; t/002_shards.pl
# reads sql/ and runs tools/shard-split, so they are copied too).
ifneq ($(shell id -u),0)
TAP_TESTS = 1
endif

# Fixture mirrors are generated for each test run, where the server can read them.
CT_FIXTURES ?= /tmp/cloudtrail_fdw_fixtures
export CT_FIXTURES

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

.PHONY: fixtures
fixtures:
	python3 $(srcdir)/tools/gen_fixtures.py $(CT_FIXTURES)
	python3 $(srcdir)/tools/gen_faults.py $(CT_FIXTURES)/faults
	python3 $(srcdir)/test/gen_rawcheck_fixtures.py $(CT_FIXTURES)
	python3 $(srcdir)/tools/gen_validation_fixtures.py $(CT_FIXTURES)

# PGXS tracks header dependencies only with --enable-depend: every object
# depends on every header here (they are few), so a struct change rebuilds all.
$(OBJS): $(wildcard $(srcdir)/fdw/*.h)

installcheck: fixtures

.PHONY: tapcheck
tapcheck:
	test -d $(CT_FIXTURES)/many || $(MAKE) fixtures
ifeq ($(shell id -u),0)
	rm -rf tmp_tap && mkdir tmp_tap && cp -R $(srcdir)/Makefile $(srcdir)/t $(srcdir)/tools $(srcdir)/sql tmp_tap/ && chown -R postgres tmp_tap
	runuser -u postgres -- $(MAKE) -C tmp_tap prove PG_CONFIG=$(PG_CONFIG) CT_FIXTURES=$(CT_FIXTURES)
else
	$(prove_installcheck)
endif

.PHONY: prove
prove:
	$(prove_installcheck)

# ---------------------------------------------------------------------------
# Stand-alone tests of fdw/ct_stream.c and fdw/ct_json.c (built with
# -DCT_FRONTEND, no PostgreSQL backend), with jansson as the reference
# parser; see test/unit/ct_testlib.h.
#   make unittest        gcc build (about 5 s)
#   make unittest-asan   clang AddressSanitizer + UBSan build (about 20 s)
#   make fuzz            libFuzzer targets, FUZZ_SECONDS (default 60) each;
#                        fails on any finding (artifacts in test/fuzz/work/)
#   make clean-unittest  removes the binaries and test/fuzz/work/
# ---------------------------------------------------------------------------
CT_UNIT_CC ?= gcc
CT_ASAN_CC ?= clang
CT_FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
CT_UNIT_SRCS = $(srcdir)/test/unit/test_stream_json.c $(srcdir)/fdw/ct_stream.c $(srcdir)/fdw/ct_json.c
CT_UNIT_DEPS = $(CT_UNIT_SRCS) $(srcdir)/test/unit/ct_testlib.h $(srcdir)/fdw/ct_stream.h \
	$(srcdir)/fdw/ct_json.h $(srcdir)/fdw/ct_port.h
CT_UNIT_CFLAGS = -DCT_FRONTEND -I$(srcdir)/fdw -I$(srcdir)/test/unit -Wall -Wextra -Werror -g
# the memory-bound test counts the allocations of ct_stream.c (test_stream_json.c)
CT_UNIT_HEAP = -DCTT_HEAP_WRAP -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc -Wl,--wrap=free
CT_TEST_LIBS = -lz -ldeflate -ljansson
CT_SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CT_FUZZ_FLAGS = -DCT_FRONTEND -I$(srcdir)/fdw -I$(srcdir)/test/unit -Wall -Wextra -Werror -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
CT_FUZZ_TARGETS = fuzz_stream fuzz_record
CT_FUZZ_WORK = test/fuzz/work

test/unit/test_stream_json: $(CT_UNIT_DEPS)
	$(CT_UNIT_CC) $(CT_UNIT_CFLAGS) -O2 -o $@ $(CT_UNIT_SRCS) $(CT_UNIT_HEAP) $(CT_TEST_LIBS)

test/unit/test_stream_json_asan: $(CT_UNIT_DEPS)
	$(CT_ASAN_CC) $(CT_UNIT_CFLAGS) -O1 $(CT_SAN_FLAGS) -o $@ $(CT_UNIT_SRCS) $(CT_UNIT_HEAP) $(CT_TEST_LIBS)

test/fuzz/fuzz_stream: $(srcdir)/test/fuzz/fuzz_stream.c $(CT_UNIT_DEPS)
	$(CT_FUZZ_CC) $(CT_FUZZ_FLAGS) -o $@ $< $(srcdir)/fdw/ct_stream.c $(srcdir)/fdw/ct_json.c $(CT_TEST_LIBS)

test/fuzz/fuzz_record: $(srcdir)/test/fuzz/fuzz_record.c $(CT_UNIT_DEPS) $(srcdir)/fdw/ct_rawcheck.c $(srcdir)/fdw/ct_rawcheck.h
	$(CT_FUZZ_CC) $(CT_FUZZ_FLAGS) $(CT_HS_CFLAGS) -o $@ $< $(srcdir)/fdw/ct_stream.c $(srcdir)/fdw/ct_json.c $(srcdir)/fdw/ct_rawcheck.c $(CT_TEST_LIBS) $(CT_HS_LIBS)

# the raw-bytes record check of the pushdown, against jansson
CT_RAW_SRCS = $(srcdir)/test/unit/test_rawcheck.c $(srcdir)/fdw/ct_rawcheck.c
CT_RAW_DEPS = $(CT_RAW_SRCS) $(srcdir)/fdw/ct_rawcheck.h $(srcdir)/fdw/ct_port.h

test/unit/test_rawcheck: $(CT_RAW_DEPS)
	$(CT_UNIT_CC) $(CT_UNIT_CFLAGS) $(CT_HS_CFLAGS) -O2 -o $@ $(CT_RAW_SRCS) $(CT_TEST_LIBS) $(CT_HS_LIBS)

test/unit/test_rawcheck_asan: $(CT_RAW_DEPS)
	$(CT_ASAN_CC) $(CT_UNIT_CFLAGS) $(CT_HS_CFLAGS) -O1 $(CT_SAN_FLAGS) -o $@ $(CT_RAW_SRCS) $(CT_TEST_LIBS) $(CT_HS_LIBS)

# the literal pieces of a regular expression, against POSIX regexec()
CT_REGEX_SRCS = $(srcdir)/test/unit/test_regex.c $(srcdir)/fdw/ct_regex.c
CT_REGEX_DEPS = $(CT_REGEX_SRCS) $(srcdir)/fdw/ct_regex.h $(srcdir)/fdw/ct_port.h

test/unit/test_regex: $(CT_REGEX_DEPS)
	$(CT_UNIT_CC) $(CT_UNIT_CFLAGS) -O2 -o $@ $(CT_REGEX_SRCS)

test/unit/test_regex_asan: $(CT_REGEX_DEPS)
	$(CT_ASAN_CC) $(CT_UNIT_CFLAGS) -O1 $(CT_SAN_FLAGS) -o $@ $(CT_REGEX_SRCS)

# microbenchmark of the raw-bytes check over real records (bench/README.md)
bench/rawcheck_bench: $(srcdir)/bench/rawcheck_bench.c $(CT_RAW_DEPS) $(CT_UNIT_DEPS)
	$(CT_UNIT_CC) -DCT_FRONTEND -I$(srcdir)/fdw -Wall -Wextra -Wno-missing-field-initializers -Werror -O2 $(CT_HS_CFLAGS) -o $@ $< \
		$(srcdir)/fdw/ct_rawcheck.c $(srcdir)/fdw/ct_stream.c $(srcdir)/fdw/ct_json.c -lz -ldeflate $(CT_HS_LIBS)

.PHONY: unittest unittest-asan fuzz clean-unittest
unittest: test/unit/test_stream_json test/unit/test_rawcheck test/unit/test_regex
	test/unit/test_stream_json $(srcdir)/test/realdata
	test/unit/test_rawcheck
	test/unit/test_regex

unittest-asan: test/unit/test_stream_json_asan test/unit/test_rawcheck_asan test/unit/test_regex_asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		test/unit/test_stream_json_asan $(srcdir)/test/realdata
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 test/unit/test_rawcheck_asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 test/unit/test_regex_asan

# New inputs go to test/fuzz/work/<target>/corpus (kept between runs); the
# committed seeds in test/fuzz/corpus/<target>/ are only read.
fuzz: $(addprefix test/fuzz/,$(CT_FUZZ_TARGETS))
	@set -e; for t in $(CT_FUZZ_TARGETS); do \
		w=$(CT_FUZZ_WORK)/$$t; mkdir -p $$w/corpus; rm -f $$w/crash-* $$w/leak-* $$w/timeout-* $$w/oom-*; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s (log: $$w/log)"; \
		rc=0; test/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=60 \
			-print_final_stats=1 -artifact_prefix=$$w/ $$w/corpus $(srcdir)/test/fuzz/corpus/$$t \
			> $$w/log 2>&1 || rc=$$?; \
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' $$w/log \
			| sed "s/^/fuzz: $$t /" || true; \
		if [ $$rc -ne 0 ]; then tail -n 60 $$w/log; \
			echo "fuzz: $$t FAILED (exit $$rc); reproducer: $$(ls $$w/crash-* $$w/leak-* $$w/timeout-* $$w/oom-* 2>/dev/null)"; \
			exit 1; fi; \
	done; echo "fuzz: all targets passed"

clean-unittest:
	rm -f test/unit/test_stream_json test/unit/test_stream_json_asan \
		test/unit/test_rawcheck test/unit/test_rawcheck_asan \
		test/unit/test_regex test/unit/test_regex_asan \
		$(addprefix test/fuzz/,$(CT_FUZZ_TARGETS))
	rm -rf $(CT_FUZZ_WORK)
