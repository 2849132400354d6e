/*-------------------------------------------------------------------------
 *
 * ct_regex.h
 *		The literal pieces every match of a regular expression holds, so that
 *		a raw check can reject records without them (col ~ 'pattern').
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_REGEX_H
#define CT_REGEX_H

#include "ct_port.h"

/* Called with each piece in pattern order; the bytes are not terminated. */
typedef void (*CtPieceFn) (void *arg, const char *piece, size_t len);

extern bool ct_regex_pieces(const char *pat, size_t len, CtPieceFn emit, void *arg);

#endif							/* CT_REGEX_H */
