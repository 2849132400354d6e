/*-------------------------------------------------------------------------
 *
 * ct_convert.c
 *		Convert JSON values of a record to column datums.
 *
 * The rule: a column of type T holds what (event #>> path)::T would give,
 * computed from the record text without a detour through jsonb where that is
 * exact.  Numbers keep their digits (they are never read through a double),
 * and jsonb is built directly from the text.
 *
 * Conversions for the types CloudTrail needs never throw: a value that does
 * not fit comes back as a CtError, so on_error 'skip_file' can skip the file
 * without a subtransaction (which a parallel worker could not start).  Other
 * types go through their input function; on PostgreSQL 16 and later that is
 * a soft-error call too, before that its errors stop the query.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "ct_compat.h"
#include "ct_convert.h"
#include "ct_json.h"
#include "ct_jsonb.h"

/* Sets err to a conversion error; returns false. */
bool
ct_value_error(CtError *err, int sqlerrcode, const char *fmt,...)
{
	va_list		ap;

	err->kind = CT_ERR_VALUE;
	err->sqlerrcode = sqlerrcode;
	err->offset = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return false;
}

/* A short quote of a value's JSON text for messages. */
static char *
excerpt(const char *p, size_t len)
{
	int			clip;

	if (len <= 60)
		return pnstrdup(p, len);
	clip = pg_encoding_mbcliplen(PG_UTF8, p, len, 57);
	return psprintf("%.*s...", clip, p);
}

static const char *
json_type_name(char type)
{
	switch (type)
	{
		case CT_JSON_STRING:
			return "string";
		case CT_JSON_NUMBER:
			return "number";
		case CT_JSON_OBJECT:
			return "object";
		case CT_JSON_ARRAY:
			return "array";
		case CT_JSON_TRUE:
		case CT_JSON_FALSE:
			return "boolean";
		default:
			return "null";
	}
}

static bool
wrong_type(CtConverter *conv, const CtValue *v, CtError *err)
{
	return ct_value_error(err, ERRCODE_INVALID_PARAMETER_VALUE,
					   "cannot convert JSON %s %s to type %s",
					   json_type_name(v->type), excerpt(v->p, v->len),
					   format_type_with_typemod(conv->typid, conv->typmod));
}

void
ct_converter_init(CtConverter *conv, Oid typid, int32 typmod)
{
	conv->typid = typid;
	conv->typmod = typmod;
	switch (typid)
	{
		case TEXTOID:
			conv->kind = CT_CONV_TEXT;
			break;
		case VARCHAROID:
			conv->kind = typmod < 0 ? CT_CONV_TEXT : CT_CONV_INPUT;
			break;
		case JSONBOID:
			conv->kind = CT_CONV_JSONB;
			break;
		case JSONOID:
			conv->kind = CT_CONV_JSON;
			break;
		case TIMESTAMPTZOID:
			conv->kind = typmod < 0 ? CT_CONV_TIMESTAMPTZ : CT_CONV_INPUT;
			break;
		case TIMESTAMPOID:
			conv->kind = typmod < 0 ? CT_CONV_TIMESTAMP : CT_CONV_INPUT;
			break;
		case DATEOID:
			conv->kind = CT_CONV_DATE;
			break;
		case BOOLOID:
			conv->kind = CT_CONV_BOOL;
			break;
		case INT2OID:
			conv->kind = CT_CONV_INT2;
			break;
		case INT4OID:
			conv->kind = CT_CONV_INT4;
			break;
		case INT8OID:
			conv->kind = CT_CONV_INT8;
			break;
		case NUMERICOID:
			conv->kind = typmod < 0 ? CT_CONV_NUMERIC : CT_CONV_INPUT;
			break;
		case FLOAT4OID:
			conv->kind = CT_CONV_FLOAT4;
			break;
		case FLOAT8OID:
			conv->kind = CT_CONV_FLOAT8;
			break;
		default:
			conv->kind = CT_CONV_INPUT;
			break;
	}
	if (conv->kind == CT_CONV_INPUT)
	{
		Oid			infunc;

		getTypeInputInfo(typid, &infunc, &conv->ioparam);
		fmgr_info(infunc, &conv->infunc);
	}
}

/*
 * JSON text is UTF-8; returns s in the database encoding.  The result may be
 * s itself (not NUL-terminated), so its length comes back in *outlen.
 */
static const char *
to_server_encoding(const char *s, size_t len, size_t *outlen)
{
	int			enc = GetDatabaseEncoding();
	char	   *conv;

	*outlen = len;
	if (enc == PG_UTF8 || enc == PG_SQL_ASCII)
		return s;
	conv = pg_any_to_server(s, (int) len, PG_UTF8);
	if (conv != s)
		*outlen = strlen(conv);
	return conv;
}

static bool
make_text(const char *s, size_t len, bool has_nul, Datum *out, CtError *err)
{
	if (has_nul)
		return ct_value_error(err, ERRCODE_UNTRANSLATABLE_CHARACTER,
						   "\\u0000 cannot be converted to text");
	s = to_server_encoding(s, len, &len);
	*out = PointerGetDatum(cstring_to_text_with_len(s, (int) len));
	return true;
}

/* Decodes a JSON string; the result may point into the record. */
static const char *
string_body(const CtValue *v, size_t *len, bool *has_nul)
{
	char	   *buf;

	if (!v->escaped)
	{
		*has_nul = false;
		*len = v->len - 2;
		return v->p + 1;
	}
	buf = palloc(v->len);
	*len = ct_json_string_decode(v, buf, has_nul);
	return buf;
}

/* --- numbers ------------------------------------------------------------- */

/*
 * Is this JSON number within what numeric_in accepts?  Checked first so that
 * numeric_in cannot throw.  Conservative: the limits are numeric's own.
 */
static bool
number_fits_numeric(const char *p, size_t len)
{
	const char *end = p + len;
	long		intdigits = 0;
	long		fracdigits = 0;
	long		exp = 0;
	bool		exp_neg = false;
	bool		seen_nonzero = false;

	if (p < end && (*p == '-' || *p == '+'))
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if (seen_nonzero || *p != '0')
		{
			seen_nonzero = true;
			intdigits++;
		}
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			fracdigits++;
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			exp_neg = (*p++ == '-');
		for (; p < end && *p >= '0' && *p <= '9'; p++)
		{
			exp = exp * 10 + (*p - '0');
			if (exp > 100000)
				return false;
		}
	}
	if (exp_neg)
		exp = -exp;
	return exp >= -1000 && exp <= 1000 &&
		intdigits + exp <= 131072 && fracdigits - exp <= 16383;
}

/* Is s exactly a JSON number? */
static bool
is_json_number(const char *s, size_t len)
{
	CtError		dummy;

	if (len == 0 || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
		return false;
	return ct_json_validate(s, len, &dummy);
}

static Datum
make_numeric(const char *p, size_t len)
{
	char	   *s = pnstrdup(p, len);

	return DirectFunctionCall3(numeric_in, CStringGetDatum(s),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* An integer literal: optional sign and digits, nothing else. */
static bool
parse_integer(CtConverter *conv, const char *s, size_t len, int64 min, int64 max,
			  int64 *out, CtError *err)
{
	const char *p = s;
	const char *end = s + len;
	bool		neg = false;
	uint64		acc = 0;
	uint64		limit;

	if (p < end && (*p == '-' || *p == '+'))
		neg = (*p++ == '-');
	if (p == end)
		goto syntax;
	limit = neg ? (uint64) (-(min + 1)) + 1 : (uint64) max;
	for (; p < end; p++)
	{
		if (*p < '0' || *p > '9')
			goto syntax;
		if (acc > (limit - (*p - '0')) / 10)
			return ct_value_error(err, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
							   "value %s is out of range for type %s",
							   excerpt(s, len), format_type_be(conv->typid));
		acc = acc * 10 + (*p - '0');
	}
	*out = neg ? (int64) (0 - acc) : (int64) acc;
	return true;
syntax:
	return ct_value_error(err, ERRCODE_INVALID_TEXT_REPRESENTATION,
					   "invalid input syntax for type %s: \"%s\"",
					   format_type_be(conv->typid), excerpt(s, len));
}

static bool
make_integer(CtConverter *conv, const char *s, size_t len, Datum *out, CtError *err)
{
	int64		v;

	switch (conv->kind)
	{
		case CT_CONV_INT2:
			if (!parse_integer(conv, s, len, PG_INT16_MIN, PG_INT16_MAX, &v, err))
				return false;
			*out = Int16GetDatum((int16) v);
			return true;
		case CT_CONV_INT4:
			if (!parse_integer(conv, s, len, PG_INT32_MIN, PG_INT32_MAX, &v, err))
				return false;
			*out = Int32GetDatum((int32) v);
			return true;
		default:
			if (!parse_integer(conv, s, len, PG_INT64_MIN, PG_INT64_MAX, &v, err))
				return false;
			*out = Int64GetDatum(v);
			return true;
	}
}

static bool
make_float(CtConverter *conv, const char *s, size_t len, Datum *out, CtError *err)
{
	char	   *buf = pnstrdup(s, len);
	char	   *endp;
	double		d;

	errno = 0;
	d = strtod(buf, &endp);
	if (endp == buf || *endp != '\0')
		return ct_value_error(err, ERRCODE_INVALID_TEXT_REPRESENTATION,
						   "invalid input syntax for type %s: \"%s\"",
						   format_type_be(conv->typid), excerpt(s, len));
	if ((errno == ERANGE && (d != 0 || conv->kind == CT_CONV_FLOAT8)) ||
		(conv->kind == CT_CONV_FLOAT4 && !isinf(d) && (fabs(d) > FLT_MAX ||
													   (d != 0 && fabs(d) < FLT_MIN))))
		return ct_value_error(err, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
						   "value %s is out of range for type %s",
						   excerpt(s, len), format_type_be(conv->typid));
	if (conv->kind == CT_CONV_FLOAT4)
		*out = Float4GetDatum((float4) d);
	else
		*out = Float8GetDatum(d);
	return true;
}

/* --- times ---------------------------------------------------------------- */

static bool
digits(const char *p, const char *end, int n, int *out)
{
	int			v = 0;

	if (end - p < n)
		return false;
	for (int i = 0; i < n; i++)
	{
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * ISO 8601 as CloudTrail writes it, and its usual variants:
 * YYYY-MM-DD[(T| )HH:MM[:SS[.f]]][Z|(+|-)HH[[:]MM]]
 * Returns false for bad syntax; *range_error is set when the syntax is right
 * but a field is out of range (month 13), as PostgreSQL tells the two apart.
 */
static bool
parse_iso_time(const char *s, size_t len, struct pg_tm *tm, fsec_t *fsec,
			   bool *has_tz, int *tz, bool *range_error)
{
	const char *p = s;
	const char *end = s + len;

	memset(tm, 0, sizeof(*tm));
	*fsec = 0;
	*has_tz = false;
	*tz = 0;
	*range_error = false;
	if (!digits(p, end, 4, &tm->tm_year) || p[4] != '-' ||
		!digits(p + 5, end, 2, &tm->tm_mon) || p[7] != '-' ||
		!digits(p + 8, end, 2, &tm->tm_mday))
		return false;
	p += 10;
	if (tm->tm_mon < 1 || tm->tm_mon > 12 || tm->tm_mday < 1 ||
		tm->tm_mday > day_tab[isleap(tm->tm_year)][tm->tm_mon - 1])
		*range_error = true;	/* reported once the syntax is known good */
	if (p == end)
		return true;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return false;
	p++;
	if (!digits(p, end, 2, &tm->tm_hour) || end - p < 5 || p[2] != ':' ||
		!digits(p + 3, end, 2, &tm->tm_min))
		return false;
	p += 5;
	if (p < end && *p == ':')
	{
		if (!digits(p + 1, end, 2, &tm->tm_sec))
			return false;
		p += 3;
		if (p < end && *p == '.')
		{
			int			scale = 100000;
			const char *f = ++p;

			while (p < end && *p >= '0' && *p <= '9')
			{
				if (scale > 0)
					*fsec += (*p - '0') * scale;
				else if (scale == 0 && *p >= '5')
					(*fsec)++;	/* round at the seventh digit */
				scale = scale > 0 ? scale / 10 : -1;
				p++;
			}
			if (p == f)
				return false;
		}
	}
	if (tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60)
		*range_error = true;
	if (p == end)
		return true;
	if (*p == 'Z' || *p == 'z')
	{
		*has_tz = true;
		return p + 1 == end;
	}
	if (*p == '+' || *p == '-')
	{
		int			sign = (*p == '-') ? -1 : 1;
		int			hh,
					mm = 0;

		p++;
		if (!digits(p, end, 2, &hh))
			return false;
		p += 2;
		if (p < end && *p == ':')
			p++;
		if (p < end)
		{
			if (!digits(p, end, 2, &mm))
				return false;
			p += 2;
		}
		if (p != end)
			return false;
		if (hh > 15 || mm > 59)
			*range_error = true;
		*has_tz = true;
		*tz = -sign * (hh * SECS_PER_HOUR + mm * SECS_PER_MINUTE);	/* seconds west */
		return true;
	}
	return false;
}

static bool
make_datetime(CtConverter *conv, const char *s, size_t len, Datum *out, CtError *err)
{
	struct pg_tm tm;
	fsec_t		fsec;
	bool		has_tz;
	int			tz;
	bool		range_error;

	if (!parse_iso_time(s, len, &tm, &fsec, &has_tz, &tz, &range_error))
		return ct_value_error(err, ERRCODE_INVALID_DATETIME_FORMAT,
						   "invalid input syntax for type %s: \"%s\"",
						   format_type_be(conv->typid), excerpt(s, len));
	if (range_error)
		return ct_value_error(err, ERRCODE_DATETIME_FIELD_OVERFLOW,
						   "date/time field value out of range: \"%s\"", excerpt(s, len));
	if (conv->kind == CT_CONV_DATE)
	{
		int			jd = date2j(tm.tm_year, tm.tm_mon, tm.tm_mday);

		if (!IS_VALID_JULIAN(tm.tm_year, tm.tm_mon, tm.tm_mday) ||
			!IS_VALID_DATE(jd - POSTGRES_EPOCH_JDATE))
			goto range;
		*out = DateADTGetDatum(jd - POSTGRES_EPOCH_JDATE);
		return true;
	}
	else
	{
		Timestamp	ts;

		if (!IS_VALID_JULIAN(tm.tm_year, tm.tm_mon, tm.tm_mday))
			goto range;
		if (conv->kind == CT_CONV_TIMESTAMPTZ)
		{
			/* like timestamptz_in: no zone means the session's TimeZone */
			if (!has_tz)
				tz = DetermineTimeZoneOffset(&tm, session_timezone);
			if (tm2timestamp(&tm, fsec, &tz, &ts) != 0 || !IS_VALID_TIMESTAMP(ts))
				goto range;
			*out = TimestampTzGetDatum(ts);
		}
		else
		{
			/* like timestamp_in: a zone is ignored */
			if (tm2timestamp(&tm, fsec, NULL, &ts) != 0 || !IS_VALID_TIMESTAMP(ts))
				goto range;
			*out = TimestampGetDatum(ts);
		}
		return true;
	}
range:
	return ct_value_error(err, ERRCODE_DATETIME_VALUE_OUT_OF_RANGE,
					   "value \"%s\" is out of range for type %s",
					   excerpt(s, len), format_type_be(conv->typid));
}

/* --- the input function of any other type --------------------------------- */

static bool
call_input(CtConverter *conv, const char *s, size_t len, Datum *out, CtError *err)
{
	char	   *str = pnstrdup(s, len);
	int			sqlerrcode;
	char	   *message;

	if (!ct_input_call(&conv->infunc, str, conv->ioparam, conv->typmod, out,
					   &sqlerrcode, &message))
		return ct_value_error(err, sqlerrcode, "%s", message);
	return true;
}

/* --- entry points ---------------------------------------------------------- */

/* Converts a decoded string (a JSON string's value, or a path part). */
bool
ct_convert_string(CtConverter *conv, const char *s, size_t len, Datum *out,
				  CtError *err)
{
	switch (conv->kind)
	{
		case CT_CONV_TEXT:
			return make_text(s, len, memchr(s, '\0', len) != NULL, out, err);
		case CT_CONV_JSONB:
		case CT_CONV_JSON:
			{
				StringInfoData buf;
				CtValue		v;
				bool		ok;

				/* quote it, then treat it as the JSON string it stands for */
				initStringInfo(&buf);
				escape_json(&buf, pnstrdup(s, len));
				v.p = buf.data;
				v.len = buf.len;
				v.type = CT_JSON_STRING;
				v.escaped = memchr(buf.data, '\\', buf.len) != NULL;
				if (conv->kind == CT_CONV_JSON)
				{
					*out = PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
					return true;
				}
				*out = ct_jsonb_from_value(&v, err, &ok);
				return ok;
			}
		case CT_CONV_TIMESTAMPTZ:
		case CT_CONV_TIMESTAMP:
		case CT_CONV_DATE:
			return make_datetime(conv, s, len, out, err);
		case CT_CONV_BOOL:
			if (len == 4 && memcmp(s, "true", 4) == 0)
				*out = BoolGetDatum(true);
			else if (len == 5 && memcmp(s, "false", 5) == 0)
				*out = BoolGetDatum(false);
			else
				return ct_value_error(err, ERRCODE_INVALID_TEXT_REPRESENTATION,
								   "invalid input syntax for type boolean: \"%s\"",
								   excerpt(s, len));
			return true;
		case CT_CONV_INT2:
		case CT_CONV_INT4:
		case CT_CONV_INT8:
			return make_integer(conv, s, len, out, err);
		case CT_CONV_NUMERIC:
			if (!is_json_number(s, len))
				return ct_value_error(err, ERRCODE_INVALID_TEXT_REPRESENTATION,
								   "invalid input syntax for type numeric: \"%s\"",
								   excerpt(s, len));
			if (!number_fits_numeric(s, len))
				return ct_value_error(err, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
								   "value %s is out of range for type numeric",
								   excerpt(s, len));
			*out = make_numeric(s, len);
			return true;
		case CT_CONV_FLOAT4:
		case CT_CONV_FLOAT8:
			return make_float(conv, s, len, out, err);
		case CT_CONV_INPUT:
			return call_input(conv, s, len, out, err);
	}
	return false;
}

/* Converts a JSON value that is not null. */
bool
ct_convert_value(CtConverter *conv, const CtValue *v, Datum *out, CtError *err)
{
	if (v->type == CT_JSON_STRING)
	{
		size_t		len;
		bool		has_nul;
		const char *s;

		if (conv->kind == CT_CONV_JSON)
		{
			*out = PointerGetDatum(cstring_to_text_with_len(v->p, v->len));
			return true;
		}
		if (conv->kind == CT_CONV_JSONB)
		{
			bool		ok;

			*out = ct_jsonb_from_value(v, err, &ok);
			return ok;
		}
		s = string_body(v, &len, &has_nul);
		if (has_nul)
			return ct_value_error(err, ERRCODE_UNTRANSLATABLE_CHARACTER,
							   "\\u0000 cannot be converted to text");
		return ct_convert_string(conv, s, len, out, err);
	}

	switch (conv->kind)
	{
		case CT_CONV_JSON:
			/* json keeps the text as it is in the file */
			*out = PointerGetDatum(cstring_to_text_with_len(v->p, v->len));
			return true;
		case CT_CONV_JSONB:
			{
				bool		ok;

				*out = ct_jsonb_from_value(v, err, &ok);
				return ok;
			}
		case CT_CONV_BOOL:
			if (v->type == CT_JSON_TRUE || v->type == CT_JSON_FALSE)
			{
				*out = BoolGetDatum(v->type == CT_JSON_TRUE);
				return true;
			}
			return wrong_type(conv, v, err);
		case CT_CONV_INT2:
		case CT_CONV_INT4:
		case CT_CONV_INT8:
		case CT_CONV_NUMERIC:
		case CT_CONV_FLOAT4:
		case CT_CONV_FLOAT8:
			if (v->type != CT_JSON_NUMBER)
				return wrong_type(conv, v, err);
			return ct_convert_string(conv, v->p, v->len, out, err);
		case CT_CONV_TIMESTAMPTZ:
		case CT_CONV_TIMESTAMP:
		case CT_CONV_DATE:
			return wrong_type(conv, v, err);
		case CT_CONV_TEXT:
		case CT_CONV_INPUT:
			{
				/* the text jsonb gives for the value, as ->> does */
				bool		ok;
				Datum		jb;
				char	   *str;

				if (v->type == CT_JSON_NUMBER && conv->kind == CT_CONV_INPUT)
					return call_input(conv, v->p, v->len, out, err);
				jb = ct_jsonb_from_value(v, err, &ok);
				if (!ok)
					return false;
				str = JsonbToCString(NULL, &DatumGetJsonbP(jb)->root, (int) v->len);
				if (conv->kind == CT_CONV_TEXT)
					return make_text(str, strlen(str), false, out, err);
				return call_input(conv, str, strlen(str), out, err);
			}
	}
	return false;
}

/* --- jsonb scalars (ct_jsonb.c writes the containers) -------------------------- */

/*
 * A JSON scalar as jsonb's scalar (pointing into the text where it can);
 * false (err set) if jsonb cannot hold it.  Without build a number is only
 * checked, not made.
 */
bool
ct_jsonb_scalar(const CtValue *v, JsonbValue *jv, bool build, CtError *err)
{
	switch (v->type)
	{
		case CT_JSON_STRING:
			{
				size_t		len;
				bool		has_nul;
				const char *s = string_body(v, &len, &has_nul);

				if (has_nul)
					return ct_value_error(err, ERRCODE_UNTRANSLATABLE_CHARACTER,
									   "\\u0000 cannot be converted to text");
				if (len > JENTRY_OFFLENMASK)
					return ct_value_error(err, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
									   "string too long to represent as jsonb string");
				s = to_server_encoding(s, len, &len);
				jv->type = jbvString;
				jv->val.string.val = (char *) s;
				jv->val.string.len = (int) len;
				return true;
			}
		case CT_JSON_NUMBER:
			if (!number_fits_numeric(v->p, v->len))
				return ct_value_error(err, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
								   "number %s is out of range for jsonb",
								   excerpt(v->p, v->len));
			jv->type = jbvNumeric;
			jv->val.numeric = build ? DatumGetNumeric(make_numeric(v->p, v->len)) : NULL;
			return true;
		case CT_JSON_TRUE:
		case CT_JSON_FALSE:
			jv->type = jbvBool;
			jv->val.boolean = (v->type == CT_JSON_TRUE);
			return true;
		default:
			jv->type = jbvNull;
			return true;
	}
}
