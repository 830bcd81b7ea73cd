/*
 * Prometheus text format: see common/prom.h.
 */
#include "common/prom.h"

#include <math.h>

int ls_prom_name_valid(const char *s, int colon_ok)
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

/* Append s with backslash and newline escaped, and the double quote too
 * if quote (label values; help texts keep their quotes). */
static void put_escaped(struct ls_buf *b, const char *s, int quote)
{
	const char *run = s;
	for (; *s != '\0'; s++) {
		const char *rep = *s == '\\'           ? "\\\\"
		                  : *s == '\n'         ? "\\n"
		                  : quote && *s == '"' ? "\\\""
		                                       : NULL;
		if (rep == NULL)
			continue;
		ls_buf_add(b, run, (size_t)(s - run));
		ls_buf_puts(b, rep);
		run = s + 1;
	}
	ls_buf_add(b, run, (size_t)(s - run));
}

static void put_value(struct ls_buf *b, double v)
{
	if (isnan(v))
		ls_buf_puts(b, "NaN");
	else if (isinf(v))
		ls_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		ls_buf_printf(b, "%.0f", v);
	else
		ls_buf_printf(b, "%.9g", v);
}

void ls_prom_family(struct ls_buf *b, const char *name, const char *type,
                    const char *help)
{
	ls_buf_printf(b, "# HELP %s ", name);
	put_escaped(b, help, 0);
	ls_buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

void ls_prom_sample(struct ls_buf *b, const char *name,
                    const char *const *labels, const char *const *values,
                    size_t n_labels, double value)
{
	ls_buf_puts(b, name);
	for (size_t k = 0; k < n_labels; k++) {
		ls_buf_printf(b, "%s%s=\"", k ? "," : "{", labels[k]);
		put_escaped(b, values[k] != NULL ? values[k] : "", 1);
		ls_buf_puts(b, k + 1 == n_labels ? "\"}" : "\"");
	}
	ls_buf_puts(b, " ");
	put_value(b, value);
	ls_buf_puts(b, "\n");
}
