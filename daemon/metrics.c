/*
 * Metrics registry: a list of families, each with a list of series; a
 * series is found by comparing its label values. A node has a few dozen
 * families and at most a few thousand series (per peer, per origin), so
 * linear search is enough and keeps rendering in creation order.
 */
#include "daemon/metrics.h"

#include "common/alloc.h"
#include "common/buf.h"
#include "common/prom.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct series {
	char values[METRICS_MAX_LABELS][METRICS_LABEL_MAX + 1];
	double value;
};

struct family {
	char *name;
	char *help;
	enum metrics_type type;
	size_t n_labels;
	char *labels[METRICS_MAX_LABELS];
	size_t n_series, cap_series;
	struct series *series;
};

struct metrics {
	size_t n, cap;
	struct family *fams;
};

int daemon_metrics_new(struct metrics **out)
{
	*out = ls_calloc(1, sizeof **out);
	return *out == NULL ? LS_ENOMEM : LS_OK;
}

static void family_fini(struct family *f)
{
	ls_free(f->name);
	ls_free(f->help);
	for (size_t i = 0; i < f->n_labels; i++)
		ls_free(f->labels[i]);
	ls_free(f->series);
}

void daemon_metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		family_fini(&m->fams[i]);
	ls_free(m->fams);
	ls_free(m);
}

static struct family *find(const struct metrics *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->fams[i].name, name) == 0)
			return &m->fams[i];
	return NULL;
}

int daemon_metrics_declare(struct metrics *m, const char *name,
                           enum metrics_type type, const char *help,
                           const char *const *labels)
{
	struct family *f = find(m, name), nf;
	size_t n_labels = 0;

	if (f != NULL)
		return f->type == type ? LS_OK : LS_EEXISTS;
	if (!ls_prom_name_valid(name, 1) ||
	    (type != METRICS_COUNTER && type != METRICS_GAUGE) ||
	    help == NULL || strchr(help, '\n') != NULL)
		return LS_EINVAL;
	while (labels != NULL && labels[n_labels] != NULL) {
		if (n_labels == METRICS_MAX_LABELS ||
		    !ls_prom_name_valid(labels[n_labels], 0))
			return LS_EINVAL;
		n_labels++;
	}
	{
		struct family *grown = ls_array_grow(m->fams, &m->cap, m->n + 1,
		                                     sizeof *grown, 32);
		if (grown == NULL)
			return LS_ENOMEM;
		m->fams = grown;
	}
	memset(&nf, 0, sizeof nf);
	nf.type = type;
	nf.n_labels = n_labels;
	nf.name = ls_strdup(name);
	nf.help = ls_strdup(help);
	for (size_t i = 0; i < n_labels; i++)
		nf.labels[i] = ls_strdup(labels[i]);
	if (nf.name == NULL || nf.help == NULL)
		goto nomem;
	for (size_t i = 0; i < n_labels; i++)
		if (nf.labels[i] == NULL)
			goto nomem;
	m->fams[m->n++] = nf;
	return LS_OK;
nomem:
	family_fini(&nf);
	return LS_ENOMEM;
}

/* The series of f with the label values in ap; created if create. */
static struct series *series_at(struct family *f, va_list ap, int create,
                                int *rc)
{
	char values[METRICS_MAX_LABELS][METRICS_LABEL_MAX + 1];
	struct series *s;

	memset(values, 0, sizeof values);
	for (size_t i = 0; i < f->n_labels; i++) {
		const char *v = va_arg(ap, const char *);
		snprintf(values[i], sizeof values[i], "%s", v ? v : "");
	}
	for (size_t i = 0; i < f->n_series; i++)
		if (memcmp(f->series[i].values, values,
		           f->n_labels * sizeof values[0]) == 0)
			return &f->series[i];
	if (!create) {
		*rc = LS_ENOTFOUND;
		return NULL;
	}
	{
		struct series *grown =
		    ls_array_grow(f->series, &f->cap_series, f->n_series + 1,
		                  sizeof *grown, 8);
		if (grown == NULL) {
			*rc = LS_ENOMEM;
			return NULL;
		}
		f->series = grown;
	}
	s = &f->series[f->n_series++];
	memset(s, 0, sizeof *s);
	memcpy(s->values, values, sizeof values);
	return s;
}

static int update(struct metrics *m, const char *name, double v, int set,
                  va_list ap)
{
	struct family *f = find(m, name);
	struct series *s;
	int rc = LS_OK;

	if (f == NULL)
		return LS_ENOTFOUND;
	if (f->type == METRICS_COUNTER && (set || v < 0 || isnan(v)))
		return LS_EINVAL;
	if ((s = series_at(f, ap, 1, &rc)) == NULL)
		return rc;
	s->value = set ? v : s->value + v;
	return LS_OK;
}

int daemon_metrics_add(struct metrics *m, const char *name, double delta, ...)
{
	va_list ap;
	int rc;
	va_start(ap, delta);
	rc = update(m, name, delta, 0, ap);
	va_end(ap);
	return rc;
}

int daemon_metrics_set(struct metrics *m, const char *name, double value, ...)
{
	va_list ap;
	int rc;
	va_start(ap, value);
	rc = update(m, name, value, 1, ap);
	va_end(ap);
	return rc;
}

double daemon_metrics_get(const struct metrics *m, const char *name, ...)
{
	struct family *f = find(m, name);
	struct series *s;
	va_list ap;
	int rc;
	if (f == NULL)
		return 0;
	va_start(ap, name);
	s = series_at(f, ap, 0, &rc);
	va_end(ap);
	return s != NULL ? s->value : 0;
}

int daemon_metrics_clear(struct metrics *m, const char *name)
{
	struct family *f = find(m, name);
	if (f == NULL)
		return LS_ENOTFOUND;
	f->n_series = 0;
	return LS_OK;
}

int daemon_metrics_render(const struct metrics *m, char **out, size_t *len)
{
	struct ls_buf b;
	ls_buf_init(&b, 0);
	for (size_t i = 0; i < m->n; i++) {
		const struct family *f = &m->fams[i];
		ls_prom_family(&b, f->name,
		               f->type == METRICS_COUNTER ? "counter" : "gauge",
		               f->help);
		for (size_t j = 0; j < f->n_series; j++) {
			const char *values[METRICS_MAX_LABELS];
			for (size_t k = 0; k < f->n_labels; k++)
				values[k] = f->series[j].values[k];
			ls_prom_sample(&b, f->name,
			               (const char *const *)f->labels, values,
			               f->n_labels, f->series[j].value);
		}
	}
	if ((*out = ls_buf_take(&b, len)) == NULL)
		return LS_ENOMEM;
	return LS_OK;
}
