/*
 * The Prometheus text exposition format (version 0.0.4), written into a
 * struct ls_buf: the one place that knows metric and label name syntax,
 * the # HELP and # TYPE lines, the escaping of help texts and label
 * values, and how a sample value is spelled. Both /metrics writers use
 * it: the daemon's registry (daemon/metrics.c) and the HTTP API's
 * request counters (node/api.c).
 *
 * Errors follow struct ls_buf: they are sticky in the buffer, which the
 * caller checks once at the end. Nothing here allocates except through
 * the buffer.
 */
#ifndef LS_COMMON_PROM_H
#define LS_COMMON_PROM_H

#include <stddef.h>

#include "common/buf.h"

/* 1 if s is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), or, with
 * colon_ok 0, a valid label name ([a-zA-Z_][a-zA-Z0-9_]*); 0 otherwise
 * (NULL and "" included). */
int ls_prom_name_valid(const char *s, int colon_ok);

/* The "# HELP name help" and "# TYPE name type" lines that open a
 * family; type is "counter" or "gauge". Backslashes and newlines in help
 * are escaped. */
void ls_prom_family(struct ls_buf *b, const char *name, const char *type,
                    const char *help);

/* One sample line: name{label="value",...} value. labels and values
 * hold n_labels strings each (n_labels 0: no braces); values are escaped
 * (\\, \", \n). The value is spelled NaN, +Inf, -Inf, as an integer when
 * it is one below 1e15 (counts are exact up to 2^53), else with %.9g. */
void ls_prom_sample(struct ls_buf *b, const char *name,
                    const char *const *labels, const char *const *values,
                    size_t n_labels, double value);

#endif
