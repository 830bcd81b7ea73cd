/*
 * One signal as JSON (jansson), in the shape of `signaalctl signal export
 * --formaat json` and the HTTP API's signals: the export's Dutch names,
 * codes for taxonomy values, absent optional fields as null. docs/API.md
 * ("Signals") describes the fields. Nothing here does I/O.
 */
#ifndef LS_VIEW_SIGNAL_JSON_H
#define LS_VIEW_SIGNAL_JSON_H

#include <jansson.h>

#include "core/signal.h"

/* A new object (json_decref), or NULL when out of memory. sig must be
 * complete (as read from the store). */
json_t *ls_signal_json(const struct ls_signal *sig);

#endif
