/*
 * One signal as JSON (jansson), in the shape of `signaalctl signal export
 * --formaat json` and the HTTP API's signals: the export's Dutch names,
 * codes for taxonomy values, absent optional fields as null. docs/API.md
 * ("Signals") describes the fields. Nothing here does I/O.
 */
#ifndef LS_VIEW_SIGNAL_JSON_H
#define LS_VIEW_SIGNAL_JSON_H

#include <jansson.h>

#include "common/buf.h"
#include "core/signal.h"

/* A new object (json_decref), or NULL when out of memory. sig must be
 * complete (as read from the store). */
json_t *ls_signal_json(const struct ls_signal *sig);

/* The same object as text, appended to b: byte for byte what jansson's
 * compact dump of ls_signal_json(sig) writes, but without its closing
 * '}', so that a caller can add members of its own (then the '}').
 * For an answer that needs no object (the API's capture). LS_OK;
 * LS_EINVAL when a text is not UTF-8 (ls_signal_json gives NULL then);
 * ls_buf_error(b) when b failed. */
int ls_signal_json_open(const struct ls_signal *sig, struct ls_buf *b);

#endif
