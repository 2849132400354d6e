/*-------------------------------------------------------------------------
 *
 * ct_rawcheck.h
 *		Reject a record on its raw bytes, before it is parsed, when it cannot
 *		hold a string value equal to (or starting with) any of a set, or
 *		matching a LIKE pattern, or a key; all of a scan's checks at once.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_RAWCHECK_H
#define CT_RAWCHECK_H

#include "ct_port.h"

extern bool ct_raw_text_ok(const char *v, size_t len);
extern bool ct_raw_value_ok(const char *v, size_t len, bool prefix);
extern bool ct_raw_piece_ok(const char *v, size_t len);
extern int	ct_raw_piece_parts(const char *v, size_t len, size_t *starts, size_t *lens);
extern size_t ct_raw_ci_span(const char *v, size_t len);
extern size_t ct_raw_needle(const char *v, size_t len, bool prefix, char *out);
extern bool ct_raw_may_match(const char *rec, size_t len, int nneedles,
							 char *const *needles, const size_t *lens, bool all);
extern bool ct_raw_may_have_key(const char *rec, size_t len, const char *needle,
								size_t nlen, bool ci);

/* All the raw checks of a scan, searched in one pass over a record. */
typedef struct CtRawSet CtRawSet;

extern CtRawSet *ct_raw_set_new(void);
extern bool ct_raw_set_add(CtRawSet *s, bool all, int n, char *const *needles,
						   const size_t *lens, const bool *ci);
extern bool ct_raw_set_build(CtRawSet *s, bool want_hyperscan);
extern bool ct_raw_set_checks(const CtRawSet *s);
extern const char *ct_raw_set_engine(const CtRawSet *s);
extern bool ct_raw_set_may_match(CtRawSet *s, const char *rec, size_t len);
extern void ct_raw_set_free(CtRawSet *s);

#endif							/* CT_RAWCHECK_H */
