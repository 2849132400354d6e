/*-------------------------------------------------------------------------
 *
 * ct_rawcheck.h
 *		Reject a record on its raw bytes, before it is parsed, when it cannot
 *		hold a string value equal to (or starting with) any of a set, or
 *		matching a LIKE pattern.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_RAWCHECK_H
#define CT_RAWCHECK_H

#include "ct_port.h"

extern bool ct_raw_text_ok(const char *v, size_t len);
extern bool ct_raw_value_ok(const char *v, size_t len, bool prefix);
extern bool ct_raw_piece_ok(const char *v, size_t len);
extern size_t ct_raw_needle(const char *v, size_t len, bool prefix, char *out);
extern bool ct_raw_may_match(const char *rec, size_t len, int nneedles,
							 char *const *needles, const size_t *lens, bool all);
extern bool ct_raw_may_have_key(const char *rec, size_t len, const char *needle,
								size_t nlen, bool ci);

#endif							/* CT_RAWCHECK_H */
