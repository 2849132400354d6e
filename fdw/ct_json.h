/*-------------------------------------------------------------------------
 *
 * ct_json.h
 *		Strict JSON validation of one record, an index of its top-level keys,
 *		and look-ups in validated JSON text.
 *
 * Values are kept as spans of the record text, so a number keeps its exact
 * digits and only the values a query uses are ever decoded.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_JSON_H
#define CT_JSON_H

#include "ct_port.h"

/* Deepest nesting accepted in a record. */
#define CT_MAX_DEPTH		1000

typedef enum CtJsonType
{
	CT_JSON_STRING = 's',
	CT_JSON_NUMBER = 'n',
	CT_JSON_OBJECT = 'o',
	CT_JSON_ARRAY = 'a',
	CT_JSON_TRUE = 't',
	CT_JSON_FALSE = 'f',
	CT_JSON_NULL = 'z'
} CtJsonType;

/* A value inside validated JSON text; strings include their quotes. */
typedef struct CtValue
{
	const char *p;
	size_t		len;
	char		type;			/* a CtJsonType */
	bool		escaped;		/* string holds a backslash escape */
} CtValue;

typedef struct CtMember
{
	CtValue		key;
	CtValue		val;
} CtMember;

/* The top-level members of one record, in text order. */
typedef struct CtRecord
{
	CtMember   *members;
	int			nmembers;
	int			cap;
} CtRecord;

extern int	ct_hex_value(unsigned char c);
extern bool ct_json_validate(const char *p, size_t len, CtError *err);
extern bool ct_json_index_record(const char *p, size_t len, CtRecord *rec,
								 CtError *err);
extern bool ct_json_index_prefix(const char *p, size_t avail, CtRecord *rec,
								 size_t *len, CtError *err);
extern void ct_json_record_free(CtRecord *rec);

extern bool ct_json_string_equals(const CtValue *str, const char *s,
								  size_t slen, bool ci);
extern bool ct_json_record_get(const CtRecord *rec, const char *key,
							   size_t keylen, bool ci, CtValue *out);
extern bool ct_json_object_get(const CtValue *obj, const char *key,
							   size_t keylen, CtValue *out);
extern bool ct_json_array_get(const CtValue *arr, long index, CtValue *out);
extern bool ct_json_path_get(const CtRecord *rec, char *const *path, int npath,
							 bool first_ci, CtValue *out);
extern size_t ct_json_string_decode(const CtValue *str, char *out,
									bool *has_nul);
extern const char *ct_json_skip(const char *p, const char *end);
extern const char *ct_json_skip_ws(const char *p, const char *end);
extern CtValue ct_json_value_at(const char *p, const char *end);
extern bool ct_json_next(const CtValue *container, const char **pos,
						 CtValue *key, CtValue *val);
extern char *ct_json_cstring(const CtValue *v);

#endif							/* CT_JSON_H */
