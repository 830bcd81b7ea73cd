/*
 * Metrics registry: a list of families, each with a list of series; a
 * series is found by comparing its label values. A node has a few dozen
 * families and at most a few thousand series (per peer, per origin), so
 * linear search is enough and keeps rendering in creation order.
 */
#include "daemon/metrics.h"

#include "common/alloc.h"

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

static int name_valid(const char *s, int colon_ok)
{
	if (s == NULL || s[0] == '\0' || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (; *s != '\0'; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' ||
		      (colon_ok && c == ':')))
			return 0;
	}
	return 1;
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
	if (!name_valid(name, 1) ||
	    (type != METRICS_COUNTER && type != METRICS_GAUGE) ||
	    help == NULL || strchr(help, '\n') != NULL)
		return LS_EINVAL;
	while (labels != NULL && labels[n_labels] != NULL) {
		if (n_labels == METRICS_MAX_LABELS ||
		    !name_valid(labels[n_labels], 0))
			return LS_EINVAL;
		n_labels++;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 32;
		struct family *grown = ls_realloc(m->fams, cap * sizeof *grown);
		if (grown == NULL)
			return LS_ENOMEM;
		m->fams = grown;
		m->cap = cap;
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
	if (f->n_series == f->cap_series) {
		size_t cap = f->cap_series ? 2 * f->cap_series : 8;
		struct series *grown =
		    ls_realloc(f->series, cap * sizeof *grown);
		if (grown == NULL) {
			*rc = LS_ENOMEM;
			return NULL;
		}
		f->series = grown;
		f->cap_series = cap;
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

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = 2 * b->cap + (size_t)n + 1;
			char *grown = ls_realloc(b->p, cap);
			if (grown == NULL) {
				b->failed = 1;
				return;
			}
			b->p = grown;
			b->cap = cap;
		}
	}
}

static void put_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			put(b, "\\\\");
		else if (*s == '"')
			put(b, "\\\"");
		else if (*s == '\n')
			put(b, "\\n");
		else
			put(b, "%c", *s);
	}
}

static void put_value(struct buf *b, double v)
{
	if (isnan(v))
		put(b, "NaN");
	else if (isinf(v))
		put(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		put(b, "%.0f", v);
	else
		put(b, "%.9g", v);
}

int daemon_metrics_render(const struct metrics *m, char **out, size_t *len)
{
	struct buf b = {0};
	b.cap = 4096;
	b.p = ls_malloc(b.cap);
	if (b.p == NULL)
		return LS_ENOMEM;
	b.p[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		const struct family *f = &m->fams[i];
		put(&b, "# HELP %s ", f->name);
		for (const char *h = f->help; *h != '\0'; h++)
			put(&b, *h == '\\' ? "\\\\" : "%c", *h);
		put(&b, "\n# TYPE %s %s\n", f->name,
		    f->type == METRICS_COUNTER ? "counter" : "gauge");
		for (size_t j = 0; j < f->n_series; j++) {
			const struct series *s = &f->series[j];
			put(&b, "%s", f->name);
			if (f->n_labels > 0) {
				put(&b, "{");
				for (size_t k = 0; k < f->n_labels; k++) {
					put(&b, "%s%s=\"", k ? "," : "",
					    f->labels[k]);
					put_escaped(&b, s->values[k]);
					put(&b, "\"");
				}
				put(&b, "}");
			}
			put(&b, " ");
			put_value(&b, s->value);
			put(&b, "\n");
		}
	}
	if (b.failed) {
		ls_free(b.p);
		return LS_ENOMEM;
	}
	*out = b.p;
	*len = b.len;
	return LS_OK;
}
