/*-------------------------------------------------------------------------
 *
 * ct_jsonb.h
 *		jsonb written straight from validated JSON text in its on-disk
 *		format, or the text only checked to be one jsonb can hold (ct_jsonb.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_JSONB_H
#define CT_JSONB_H

#include "postgres.h"

#include "ct_json.h"

extern Datum ct_jsonb_from_value(const CtValue *v, CtError *err, bool *ok);
extern bool ct_jsonb_check(const CtValue *v, CtError *err);

#endif							/* CT_JSONB_H */
