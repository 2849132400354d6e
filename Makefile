# cloudtrail_fdw/Makefile

MODULE_big = cloudtrail_fdw
OBJS = \
	fdw/cloudtrail_fdw.o \
	fdw/ct_convert.o \
	fdw/ct_json.o \
	fdw/ct_options.o \
	fdw/ct_prune.o \
	fdw/ct_quals.o \
	fdw/ct_rawcheck.o \
	fdw/ct_scan.o \
	fdw/ct_stream.o \
	fdw/ct_tree.o
PGFILEDESC = "cloudtrail_fdw - foreign-data wrapper for AWS CloudTrail log mirrors"

EXTENSION = cloudtrail_fdw
DATA = cloudtrail_fdw--1.0.sql

SHLIB_LINK = -lz
PG_CPPFLAGS = -I$(srcdir)/fdw

REGRESS = setup options layout columns types seed pushdown on_error realdata privileges
REGRESS_OPTS = --encoding=UTF8 --no-locale

# Fixture mirrors are generated for each test run, where the server can read them.
CT_FIXTURES ?= /tmp/cloudtrail_fdw_fixtures
export CT_FIXTURES

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

.PHONY: fixtures
fixtures:
	python3 $(srcdir)/tools/gen_fixtures.py $(CT_FIXTURES)

installcheck: fixtures
