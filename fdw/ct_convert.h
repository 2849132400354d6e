/*-------------------------------------------------------------------------
 *
 * ct_convert.h
 *		JSON values of a record to column datums (ct_convert.c), without
 *		throwing: a value that does not fit comes back as a CtError.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_CONVERT_H
#define CT_CONVERT_H

#include "postgres.h"

#include "fmgr.h"

#include "ct_json.h"

typedef enum CtConvKind
{
	CT_CONV_TEXT,
	CT_CONV_JSONB,
	CT_CONV_JSON,
	CT_CONV_TIMESTAMPTZ,
	CT_CONV_TIMESTAMP,
	CT_CONV_DATE,
	CT_CONV_BOOL,
	CT_CONV_INT2,
	CT_CONV_INT4,
	CT_CONV_INT8,
	CT_CONV_NUMERIC,
	CT_CONV_FLOAT4,
	CT_CONV_FLOAT8,
	CT_CONV_INPUT				/* any other type: its input function */
} CtConvKind;

typedef struct CtConverter
{
	CtConvKind	kind;
	Oid			typid;
	int32		typmod;
	FmgrInfo	infunc;
	Oid			ioparam;
} CtConverter;

extern void ct_converter_init(CtConverter *conv, Oid typid, int32 typmod);
extern bool ct_convert_value(CtConverter *conv, const CtValue *v,
							 Datum *out, CtError *err);
extern bool ct_convert_string(CtConverter *conv, const char *s, size_t len,
							  Datum *out, CtError *err);
struct JsonbValue;
extern bool ct_value_error(CtError *err, int sqlerrcode, const char *fmt,...) pg_attribute_printf(3, 4);
extern bool ct_jsonb_scalar(const CtValue *v, struct JsonbValue *jv, bool build, CtError *err);

#endif							/* CT_CONVERT_H */
