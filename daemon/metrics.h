/*
 * A small metrics registry: counters and gauges with labels, rendered in
 * the Prometheus text exposition format (version 0.0.4).
 *
 * A family is declared once with its name, type, help text and label
 * names; series are created on first use, one per combination of label
 * values. Values are doubles (Prometheus's own type; counts stay exact up
 * to 2^53).
 *
 *   daemon_metrics_declare(m, "signaal_docs_stored_total", METRICS_COUNTER,
 *                   "Documents stored, by the peer they came from.",
 *                   (const char *const[]){"peer", NULL});
 *   daemon_metrics_add(m, "signaal_docs_stored_total", 3, "gent");
 *   daemon_metrics_render(m, &text, &len);
 *
 * signaald keeps one registry on its loop thread, renders it into
 * DIR/signaald.prom (node_exporter's textfile collector reads such files)
 * and, later, serves it at /metrics. Not thread-safe: use it from one
 * thread (another thread asks that thread, or reads the rendered text).
 *
 * Ownership: the registry copies every name, help text and label value;
 * rendered text is the caller's (ls_free).
 */
#ifndef LS_DAEMON_METRICS_H
#define LS_DAEMON_METRICS_H

#include <stddef.h>

#include "common/err.h"

enum metrics_type {
	METRICS_COUNTER = 1,
	METRICS_GAUGE = 2,
};

/* Most labels one family has. */
#define METRICS_MAX_LABELS 4
/* Longest label value kept (longer ones are cut). */
#define METRICS_LABEL_MAX 64

struct metrics;

int daemon_metrics_new(struct metrics **out);
void daemon_metrics_free(struct metrics *m);

/*
 * Declare a family. name matches [a-zA-Z_:][a-zA-Z0-9_:]*, help is one
 * line, labels a NULL-terminated list of at most METRICS_MAX_LABELS label
 * names ([a-zA-Z_][a-zA-Z0-9_]*; may be NULL for none). Declaring the
 * same name again with the same type is LS_OK (nothing changes);
 * LS_EEXISTS with another type; LS_EINVAL for a bad name; LS_ENOMEM.
 */
int daemon_metrics_declare(struct metrics *m, const char *name,
                           enum metrics_type type, const char *help,
                           const char *const *labels);

/*
 * Add delta to a counter (delta >= 0) or a gauge, or set a gauge. The
 * variadic arguments are the label values (const char *), as many as the
 * family has labels, in their order. LS_ENOTFOUND (not declared),
 * LS_EINVAL (a negative delta on a counter, daemon_metrics_set on a counter),
 * LS_ENOMEM.
 */
int daemon_metrics_add(struct metrics *m, const char *name, double delta, ...);
int daemon_metrics_set(struct metrics *m, const char *name, double value, ...);

/* The value of one series (0 if it does not exist yet). */
double daemon_metrics_get(const struct metrics *m, const char *name, ...);

/* Drop every series of a family (e.g. a gauge per origin, rebuilt from
 * scratch). LS_ENOTFOUND. */
int daemon_metrics_clear(struct metrics *m, const char *name);

/* The whole registry as Prometheus text: families in declaration order,
 * each with # HELP and # TYPE, series in creation order; label values
 * escaped (\\, \", \n). *out is the caller's (ls_free). LS_ENOMEM. */
int daemon_metrics_render(const struct metrics *m, char **out, size_t *len);

#endif
