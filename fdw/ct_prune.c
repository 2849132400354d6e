/*-------------------------------------------------------------------------
 *
 * ct_prune.c
 *		Decide what a scan may skip, from the values of its pushed
 *		conditions: folders (accounts, regions, days), files, records.
 *
 * Every decision is conservative: something is skipped only when it cannot
 * hold a matching row.  The time rules come from how CloudTrail delivers:
 * a file named (and filed) at delivery time F holds records with
 * eventTime <= F (the end of F's minute), so a lower bound t0 on eventtime
 * is exact; an upper bound t1 skips only files delivered after
 * t1 + max_delivery_delay (by default CloudTrail's 30 days of retries and a
 * day more; a user may set less), which EXPLAIN shows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "nodes/nodeFuncs.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "ct_convert.h"
#include "ct_json.h"
#include "ct_options.h"
#include "ct_prune.h"
#include "ct_quals.h"
#include "ct_rawcheck.h"
#include "ct_tree.h"

/* cloudtrail_fdw.enable_hyperscan: the multi-pattern engine of the raw check */
bool		ct_enable_hyperscan = true;

void
ct_prune_init(CtPrune *p, int64 delay)
{
	memset(p, 0, sizeof(CtPrune));
	p->delay = delay;
}

bool
ct_prune_active(const CtPrune *p)
{
	return p->impossible || p->account || p->region || p->org || p->strings ||
		p->present || p->has_lo || p->has_hi || p->has_dd_lo || p->has_dd_hi ||
		p->has_dt_lo || p->has_dt_hi;
}

/* A text value as the files write it: UTF-8. */
static char *
to_utf8(Datum d, size_t *len)
{
	char	   *s = TextDatumGetCString(d);
	char	   *u = pg_server_to_any(s, strlen(s), PG_UTF8);

	*len = strlen(u);
	return u;
}

static CtStrCond *
make_str_cond(const CtCond *c, Datum value)
{
	CtStrCond  *sc = palloc0(sizeof(CtStrCond));
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			cap;

	if (c->op == CT_OP_IN || c->op == CT_OP_NOT_IN || c->op == CT_OP_LIKE || c->op == CT_OP_ILIKE)
		deconstruct_array(DatumGetArrayTypeP(value), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, &nulls, &n);
	else
	{
		elems = &value;
		nulls = NULL;
		n = 1;
	}
	sc->prefix = (c->op == CT_OP_PREFIX);
	sc->pattern = (c->op == CT_OP_LIKE || c->op == CT_OP_ILIKE);
	sc->ci = (c->op == CT_OP_ILIKE);
	sc->negated = (c->op == CT_OP_NE || c->op == CT_OP_NOT_IN);
	sc->key = c->key;
	sc->vals = palloc(sizeof(char *) * Max(n, 1));
	sc->lens = palloc(sizeof(size_t) * Max(n, 1));
	cap = Max(n, 1);
	sc->needles = palloc(sizeof(char *) * cap);
	sc->needle_lens = palloc(sizeof(size_t) * cap);
	sc->raw_ok = true;
	for (int i = 0; i < n; i++)
	{
		size_t		len;
		char	   *v;

		if (nulls && nulls[i])
		{
			/* x = NULL is never true, nor is x <> ALL of a list holding NULL */
			if (sc->negated)
				sc->never = true;
			continue;
		}
		v = to_utf8(elems[i], &len);
		if (sc->pattern)
		{
			/* a piece: the parts of it that are exact to look for */
			size_t	   *starts = palloc(sizeof(size_t) * (len + 1));
			size_t	   *plens = palloc(sizeof(size_t) * (len + 1));
			int			nparts = ct_raw_piece_parts(v, len, starts, plens);

			if (sc->nvals + nparts > cap)
			{
				cap = (sc->nvals + nparts) * 2;
				sc->needles = repalloc(sc->needles, sizeof(char *) * cap);
				sc->needle_lens = repalloc(sc->needle_lens, sizeof(size_t) * cap);
			}
			for (int k = 0; k < nparts; k++)
			{
				sc->needles[sc->nvals] = pnstrdup(v + starts[k], plens[k]);
				sc->needle_lens[sc->nvals] = plens[k];
				sc->nvals++;
			}
			continue;
		}
		sc->vals[sc->nvals] = v;
		sc->lens[sc->nvals] = len;
		sc->needles[sc->nvals] = palloc(len + 2);
		sc->needle_lens[sc->nvals] = ct_raw_needle(v, len, sc->prefix,
												   sc->needles[sc->nvals]);
		if (!ct_raw_value_ok(v, len, sc->prefix))
			sc->raw_ok = false;
		sc->nvals++;
	}
	if (sc->pattern)
		sc->raw_ok = sc->nvals > 0;
	if (sc->negated)
		sc->raw_ok = false;		/* the bytes show what a record holds, not what it lacks */
	return sc;
}

static void
set_lo(bool *has, TimestampTz *lo, bool *incl, TimestampTz v, bool v_incl)
{
	if (!*has || v > *lo || (v == *lo && !v_incl))
	{
		*lo = v;
		*incl = v_incl;
	}
	*has = true;
}

static void
set_hi(bool *has, TimestampTz *hi, bool *incl, TimestampTz v, bool v_incl)
{
	if (!*has || v < *hi || (v == *hi && !v_incl))
	{
		*hi = v;
		*incl = v_incl;
	}
	*has = true;
}

/*
 * A time condition's value as timestamptz.  A date or timestamp is converted
 * as PostgreSQL's cross-type comparisons do (in the session's time zone),
 * and one beyond timestamptz's range compares as an infinity, as there.
 */
static TimestampTz
time_value(const CtCond *c, Datum value)
{
	int			overflow = 0;
	TimestampTz t;

	switch (exprType((Node *) c->arg))
	{
		case DATEOID:
			t = date2timestamptz_opt_overflow(DatumGetDateADT(value), &overflow);
			break;
		case TIMESTAMPOID:
			t = timestamp2timestamptz_opt_overflow(DatumGetTimestamp(value), &overflow);
			break;
		default:
			return DatumGetTimestampTz(value);
	}
	if (overflow > 0)
		TIMESTAMP_NOEND(t);
	else if (overflow < 0)
		TIMESTAMP_NOBEGIN(t);
	return t;
}

/*
 * Where the local dates d and d + 1 begin, for eventtime::date conditions:
 * the instants PostgreSQL's date-to-timestamptz conversion gives, and a
 * margin to widen the range by.  In a time zone with daylight saving time a
 * date can begin before that instant (where local midnight repeats), so the
 * margin there is 3 hours, more than any DST shift; in UTC or another fixed
 * offset it is 0.  The rows are filtered by the clause itself, so a wider
 * range only costs reading.
 */
static void
day_starts(DateADT d, TimestampTz *start, TimestampTz *next, int64 *margin)
{
	int			overflow = 0;
	long int	gmtoff;

	*margin = pg_get_timezone_offset(session_timezone, &gmtoff) ? 0 : 3 * USECS_PER_HOUR;
	if (DATE_NOT_FINITE(d))
	{
		/* eventtime::date is finite: after -infinity, before infinity */
		if (DATE_IS_NOBEGIN(d))
			TIMESTAMP_NOBEGIN(*start);
		else
			TIMESTAMP_NOEND(*start);
		*next = *start;
		return;
	}
	*start = date2timestamptz_opt_overflow(d, &overflow);
	if (overflow > 0)
		TIMESTAMP_NOEND(*start);
	overflow = 0;
	*next = date2timestamptz_opt_overflow(d + 1, &overflow);
	if (overflow > 0)
		TIMESTAMP_NOEND(*next);
}

static TimestampTz
earlier(TimestampTz t, int64 margin)
{
	return TIMESTAMP_NOT_FINITE(t) || t - MIN_TIMESTAMP < margin ? t : t - margin;
}

static TimestampTz
later(TimestampTz t, int64 margin)
{
	return TIMESTAMP_NOT_FINITE(t) || END_TIMESTAMP - t <= margin ? t : t + margin;
}

/*
 * A key that must hold a non-null value.  In a record without a backslash the
 * path's last key is written as "name" (the first key in any letter case, if
 * the column matches it so), so a record without those bytes lacks it.
 */
static CtKeyCond *
make_key_cond(const CtCond *c)
{
	CtKeyCond  *kc = palloc0(sizeof(CtKeyCond));
	const char *name = c->key.path[c->key.npath - 1];
	size_t		len = strlen(name);

	kc->key = c->key;
	kc->needle = palloc(len + 2);
	kc->needle_len = ct_raw_needle(name, len, false, kc->needle);
	kc->needle_ci = c->key.npath == 1 && c->key.first_ci;
	kc->raw_ok = ct_raw_text_ok(name, len);
	return kc;
}

/*
 * The raw checks of all conditions, as one CtRawSet (ct_rawcheck.c), built
 * when first used (the conditions are added one by one).  The set is
 * malloc'd, as Hyperscan's database is, and freed when the memory context
 * holding the CtPrune is reset or deleted.
 */
typedef struct CtPruneRaw
{
	CtRawSet   *set;			/* NULL: not built yet */
	MemoryContextCallback cb;
} CtPruneRaw;

static void
raw_free(void *arg)
{
	CtPruneRaw *r = arg;

	ct_raw_set_free(r->set);
	r->set = NULL;
}

static void
raw_invalidate(CtPrune *p)
{
	if (p->raw)
		raw_free(p->raw);
}

static void
raw_add(CtRawSet *set, bool all, int n, char *const *needles, const size_t *lens, bool ci)
{
	bool	   *cis = palloc(sizeof(bool) * Max(n, 1));

	for (int i = 0; i < n; i++)
		cis[i] = ci;
	if (!ct_raw_set_add(set, all, n, needles, lens, cis))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not set up the raw-bytes record check.")));
	pfree(cis);
}

static CtRawSet *
raw_set(const CtPrune *cp)
{
	CtPrune    *p = (CtPrune *) cp;	/* built on first use: a cache */
	CtRawSet   *set;
	ListCell   *lc;

	if (p->raw && p->raw->set)
		return p->raw->set;
	if (p->raw == NULL)
	{
		MemoryContext cxt = GetMemoryChunkContext(p);

		p->raw = MemoryContextAllocZero(cxt, sizeof(CtPruneRaw));
		p->raw->cb.func = raw_free;
		p->raw->cb.arg = p->raw;
		MemoryContextRegisterResetCallback(cxt, &p->raw->cb);
	}
	set = ct_raw_set_new();
	if (set == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not set up the raw-bytes record check.")));
	p->raw->set = set;			/* freed with the context from now on */
	foreach(lc, p->strings)
	{
		CtStrCond  *sc = lfirst(lc);

		if (sc->raw_ok)
			raw_add(set, sc->pattern, sc->nvals, sc->needles, sc->needle_lens, sc->ci);
	}
	foreach(lc, p->present)
	{
		CtKeyCond  *kc = lfirst(lc);

		if (kc->raw_ok)
			raw_add(set, false, 1, &kc->needle, &kc->needle_len, kc->needle_ci);
	}
	if (!ct_raw_set_build(set, ct_enable_hyperscan))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Could not set up the raw-bytes record check.")));
	return set;
}

/* Adds a condition whose value is now known. */
void
ct_prune_add(CtPrune *p, const CtCond *c, Datum value, bool isnull)
{
	bool		dummy;

	raw_invalidate(p);
	if (isnull)
	{
		p->impossible = true;	/* comparisons with NULL are never true */
		return;
	}
	switch (c->target)
	{
		case CT_TARGET_PRESENT:
			p->present = lappend(p->present, make_key_cond(c));
			break;
		case CT_TARGET_STRING:
			{
				CtStrCond  *sc = make_str_cond(c, value);

				if (sc->never || (sc->nvals == 0 && !sc->pattern && !sc->negated))
					p->impossible = true;
				else if (sc->negated && sc->nvals == 0)
					break;		/* <> ALL of no value: always true */
				p->strings = lappend(p->strings, sc);
				break;
			}
		case CT_TARGET_ACCOUNT:
		case CT_TARGET_REGION:
		case CT_TARGET_ORG:
			{
				CtStrCond  *sc = make_str_cond(c, value);
				List	  **list = c->target == CT_TARGET_ACCOUNT ? &p->account :
					c->target == CT_TARGET_REGION ? &p->region : &p->org;

				if (sc->nvals == 0)
					p->impossible = true;
				*list = lappend(*list, sc);
				break;
			}
		case CT_TARGET_EVENTTIME:
			{
				TimestampTz t = time_value(c, value);

				p->time_key = c->key;
				if (c->op == CT_OP_GT || c->op == CT_OP_GE || c->op == CT_OP_EQ)
					set_lo(&p->has_lo, &p->lo, &p->lo_incl, t, c->op != CT_OP_GT);
				if (c->op == CT_OP_LT || c->op == CT_OP_LE || c->op == CT_OP_EQ)
					set_hi(&p->has_hi, &p->hi, &p->hi_incl, t, c->op != CT_OP_LT);
				break;
			}
		case CT_TARGET_EVENTDAY:
			{
				TimestampTz start,
							next;
				int64		margin;

				/* local date = d: [start of d, start of d + 1); and so on */
				day_starts(DatumGetDateADT(value), &start, &next, &margin);
				p->time_key = c->key;
				if (c->op == CT_OP_EQ || c->op == CT_OP_GE)
					set_lo(&p->has_lo, &p->lo, &p->lo_incl, earlier(start, margin), true);
				if (c->op == CT_OP_GT)
					set_lo(&p->has_lo, &p->lo, &p->lo_incl, earlier(next, margin), true);
				if (c->op == CT_OP_EQ || c->op == CT_OP_LE)
					set_hi(&p->has_hi, &p->hi, &p->hi_incl, later(next, margin), false);
				if (c->op == CT_OP_LT)
					set_hi(&p->has_hi, &p->hi, &p->hi_incl, later(start, margin), false);
				break;
			}
		case CT_TARGET_DELIVERY_DATE:
			{
				DateADT		d = DatumGetDateADT(value);

				if (DATE_NOT_FINITE(d))
				{
					/* -infinity < d for every d; infinity > every d */
					if ((DATE_IS_NOBEGIN(d) && (c->op == CT_OP_LT || c->op == CT_OP_LE || c->op == CT_OP_EQ)) ||
						(DATE_IS_NOEND(d) && (c->op == CT_OP_GT || c->op == CT_OP_GE || c->op == CT_OP_EQ)))
						p->impossible = true;
					break;
				}
				if (c->op == CT_OP_GT)
					d++;
				if (c->op == CT_OP_LT)
					d--;
				if (c->op == CT_OP_GT || c->op == CT_OP_GE || c->op == CT_OP_EQ)
				{
					if (!p->has_dd_lo || d > p->dd_lo)
						p->dd_lo = d;
					p->has_dd_lo = true;
				}
				if (c->op == CT_OP_LT || c->op == CT_OP_LE || c->op == CT_OP_EQ)
				{
					if (!p->has_dd_hi || d < p->dd_hi)
						p->dd_hi = d;
					p->has_dd_hi = true;
				}
				break;
			}
		case CT_TARGET_DELIVERY_TIME:
			{
				TimestampTz t = time_value(c, value);

				/* name times are whole minutes; keep the bounds inclusive */
				if (c->op == CT_OP_GT && !TIMESTAMP_NOT_FINITE(t))
					t++;
				if (c->op == CT_OP_LT && !TIMESTAMP_NOT_FINITE(t))
					t--;
				if (c->op == CT_OP_GT || c->op == CT_OP_GE || c->op == CT_OP_EQ)
					set_lo(&p->has_dt_lo, &p->dt_lo, &dummy, t, true);
				if (c->op == CT_OP_LT || c->op == CT_OP_LE || c->op == CT_OP_EQ)
					set_hi(&p->has_dt_hi, &p->dt_hi, &dummy, t, true);
				break;
			}
	}
}

/* --- folders and files ------------------------------------------------------ */

static bool
str_conds_accept(List *conds, const char *name)
{
	ListCell   *lc;
	size_t		len = strlen(name);

	foreach(lc, conds)
	{
		CtStrCond  *sc = lfirst(lc);
		bool		ok = false;

		for (int i = 0; i < sc->nvals && !ok; i++)
			ok = sc->prefix ? (len >= sc->lens[i] && memcmp(name, sc->vals[i], sc->lens[i]) == 0)
				: (len == sc->lens[i] && memcmp(name, sc->vals[i], len) == 0);
		if (!ok)
			return false;
	}
	return true;
}

static TimestampTz
add_sat(TimestampTz a, int64 b)
{
	if (b > 0 && a > PG_INT64_MAX - b)
		return PG_INT64_MAX;
	return a + b;
}

/*
 * May a file delivered at some time in [first, last] (name times) hold a
 * matching record?
 */
static bool
delivery_may_match(const CtPrune *p, TimestampTz first, TimestampTz last)
{
	if (p->impossible)
		return false;
	/* records are no later than the end of the last file's minute */
	if (p->has_lo && !TIMESTAMP_IS_NOBEGIN(p->lo))
	{
		TimestampTz newest = add_sat(last, USECS_PER_MINUTE - 1);

		if (p->lo_incl ? newest < p->lo : newest <= p->lo)
			return false;
	}
	/* and were delivered at most the delay after they happened */
	if (p->has_hi && p->delay >= 0 && !TIMESTAMP_IS_NOEND(p->hi))
	{
		if (first > add_sat(p->hi, p->delay))
			return false;
	}
	if (p->has_dt_lo && last < p->dt_lo)
		return false;
	if (p->has_dt_hi && first > p->dt_hi)
		return false;
	return true;
}

static bool
dates_may_match(const CtPrune *p, DateADT first, DateADT last)
{
	if (p->has_dd_lo && last < p->dd_lo)
		return false;
	if (p->has_dd_hi && first > p->dd_hi)
		return false;
	return delivery_may_match(p, (TimestampTz) first * USECS_PER_DAY,
							  (TimestampTz) (last + 1) * USECS_PER_DAY - USECS_PER_MINUTE);
}

static DateADT
ymd_date(int y, int m, int d)
{
	return date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
}

/*
 * May the folder called name, below a folder of this level, hold matching
 * rows?  cur holds what the path so far says (the year in date for a year
 * folder, year * 100 + month for a month folder).
 */
bool
ct_keep_dir(const CtPrune *p, CtLevel level, const char *name, const CtPartition *cur)
{
	if (p == NULL)
		return true;
	if (p->impossible)
		return false;
	switch (level)
	{
		case CT_LEVEL_AWSLOGS:
			if (name[0] == 'o' && name[1] == '-')
				return str_conds_accept(p->org, name);
			/* an account outside an organization has org_id NULL */
			return p->org == NIL && str_conds_accept(p->account, name);
		case CT_LEVEL_ORG:
			return str_conds_accept(p->account, name);
		case CT_LEVEL_TYPE:
			return str_conds_accept(p->region, name);
		case CT_LEVEL_REGION:
			{
				int			y = atoi(name);

				return dates_may_match(p, ymd_date(y, 1, 1), ymd_date(y, 12, 31));
			}
		case CT_LEVEL_YEAR:
			{
				int			y = cur->date;
				int			m = atoi(name);

				if (m < 1 || m > 12)
					return true;
				return dates_may_match(p, ymd_date(y, m, 1),
									   ymd_date(y, m, day_tab[isleap(y)][m - 1]));
			}
		case CT_LEVEL_MONTH:
			{
				int			y = cur->date / 100;
				int			m = cur->date % 100;
				DateADT		d = ymd_date(y, m, atoi(name));

				return dates_may_match(p, d, d);
			}
		default:
			return true;
	}
}

/* The whole check for one day folder, whatever the walk started from. */
bool
ct_keep_partition(const CtPrune *p, const CtPartition *part)
{
	if (p == NULL)
		return true;
	if (part->org ? !str_conds_accept(p->org, part->org) : p->org != NIL)
		return false;
	return str_conds_accept(p->account, part->account) &&
		str_conds_accept(p->region, part->region) &&
		dates_may_match(p, part->date, part->date);
}

/* May a day folder of this delivery date hold matching rows (by its date alone)? */
bool
ct_keep_date(const CtPrune *p, DateADT date)
{
	return p == NULL || (!p->impossible && dates_may_match(p, date, date));
}

bool
ct_keep_file(const CtPrune *p, TimestampTz delivery)
{
	return p == NULL || delivery_may_match(p, delivery, delivery);
}

/*
 * Could a file's digest prune it when its delivery time does not?  Only a
 * file that may hold records later than the upper bound on eventtime: it is
 * kept for the late records it might hold, which its oldest time settles.
 * (A lower bound prunes by delivery time nearly as well as by digest.)
 */
bool
ct_prune_wants_digest(const CtPrune *p, TimestampTz delivery)
{
	return p != NULL && p->has_hi && !TIMESTAMP_IS_NOEND(p->hi) &&
		add_sat(delivery, USECS_PER_MINUTE - 1) > p->hi;
}

/* May a file whose records' eventTimes span [oldest, newest] hold a match? */
bool
ct_keep_file_times(const CtPrune *p, TimestampTz oldest, TimestampTz newest)
{
	if (p->has_lo && (p->lo_incl ? newest < p->lo : newest <= p->lo))
		return false;
	if (p->has_hi && (p->hi_incl ? oldest > p->hi : oldest >= p->hi))
		return false;
	return true;
}

/* --- records -------------------------------------------------------------- */

/* Does ct_keep_record_raw check anything? */
bool
ct_prune_has_raw(const CtPrune *p)
{
	return ct_raw_set_checks(raw_set(p));
}

/* Before parsing: false if the raw bytes show the record cannot match. */
bool
ct_keep_record_raw(const CtPrune *p, const char *rec, size_t len)
{
	return ct_raw_set_may_match(raw_set(p), rec, len);
}

static bool
string_matches(const CtStrCond *sc, const CtValue *v)
{
	char		stackbuf[256];
	char	   *buf = v->len <= sizeof(stackbuf) ? stackbuf : palloc(v->len);
	bool		has_nul;
	size_t		len = ct_json_string_decode(v, buf, &has_nul);

	for (int i = 0; i < sc->nvals; i++)
		if (sc->prefix ? (len >= sc->lens[i] && memcmp(buf, sc->vals[i], sc->lens[i]) == 0)
			: (len == sc->lens[i] && memcmp(buf, sc->vals[i], len) == 0))
			return true;
	return false;
}

/* The value at key in rec; false if the column would be NULL (missing, JSON null). */
static bool
non_null_value(const CtRecord *rec, const CtColumnMap *key, CtValue *v)
{
	return ct_json_path_get(rec, key->path, key->npath, key->first_ci, v) &&
		v->type != CT_JSON_NULL;
}

/*
 * After the record is indexed, before its columns are converted: false if a
 * condition is certainly false.  Values that are not plain strings are left
 * to the local filter.  With a time window, *time is the record's eventTime
 * (if it was read: *has_time).
 */
bool
ct_keep_record(const CtPrune *p, const CtRecord *rec, bool *has_time, TimestampTz *time)
{
	ListCell   *lc;
	CtValue		v;

	*has_time = false;
	foreach(lc, p->strings)
	{
		CtStrCond  *sc = lfirst(lc);

		if (sc->key.npath == 0)
			continue;			/* the whole record (event::text): never NULL */
		if (!non_null_value(rec, &sc->key, &v))
			return false;		/* the column is NULL */
		/* a LIKE pattern is left to the local filter, as are non-strings */
		if (v.type == CT_JSON_STRING && !sc->pattern &&
			string_matches(sc, &v) == sc->negated)
			return false;
	}
	foreach(lc, p->present)
		if (!non_null_value(rec, &((CtKeyCond *) lfirst(lc))->key, &v))
			return false;		/* the column is NULL */
	if (p->has_lo || p->has_hi)
	{
		CtConverter conv;
		CtError		err;
		Datum		d;
		TimestampTz t;

		if (!non_null_value(rec, &p->time_key, &v))
			return false;
		if (v.type != CT_JSON_STRING)
			return true;
		conv.kind = CT_CONV_TIMESTAMPTZ;
		conv.typid = TIMESTAMPTZOID;
		conv.typmod = -1;
		if (!ct_convert_value(&conv, &v, &d, &err))
			return true;		/* the conversion reports it */
		t = DatumGetTimestampTz(d);
		*has_time = true;
		*time = t;
		if (p->has_lo && (p->lo_incl ? t < p->lo : t <= p->lo))
			return false;
		if (p->has_hi && (p->hi_incl ? t > p->hi : t >= p->hi))
			return false;
	}
	return true;
}

/* --- for EXPLAIN and options ------------------------------------------------- */

static char *
ts_string(TimestampTz t)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
}

char *
ct_time_window_string(const CtPrune *p)
{
	return psprintf("%s%s, %s%s",
					p->has_lo ? (p->lo_incl ? "[" : "(") : "(",
					p->has_lo ? ts_string(p->lo) : "unbounded",
					p->has_hi ? ts_string(p->hi) : "unbounded",
					p->has_hi ? (p->hi_incl ? "]" : ")") : ")");
}

/* max_delivery_delay: an interval, or -1 / unbounded.  Microseconds, -1 for unbounded. */
int64
ct_parse_delay(const char *value)
{
	Interval   *iv;
	int64		usecs;

	if (pg_strcasecmp(value, "unbounded") == 0 || strcmp(value, "-1") == 0)
		return -1;
	iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(value),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
	usecs = iv->time + (int64) iv->day * USECS_PER_DAY +
		(int64) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;
	if (usecs < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for cloudtrail_fdw option \"max_delivery_delay\": \"%s\"", value),
				 errhint("Give a positive interval such as '1 day', or 'unbounded'.")));
	return usecs;
}
