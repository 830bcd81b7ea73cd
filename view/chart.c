/*
 * SVG line charts with range bands. Layout: a plot area inside fixed
 * margins; y from 0 to a "nice" top with four or five grid lines; x
 * evenly spaced periods with at most about eight labels. Each series is
 * a band (a polygon along the upper bounds and back along the lower
 * bounds, one per run of periods with data) and a line through the
 * middles with a dot per period (hollow where the value is a range).
 * Nothing is drawn for a period without
 * data: the line and the band break there.
 */
#include "view/chart.h"
#include "common/text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void ls_chart_axis(double max, double *top, double *step)
{
	static const double nice[] = {1, 2, 2.5, 5, 10};
	double raw, mag;
	if (!(max > 0)) {
		*top = 4;
		*step = 1;
		return;
	}
	raw = max / 4.0;
	mag = pow(10.0, floor(log10(raw)));
	for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++) {
		double st = nice[i] * mag;
		if (st >= raw) {
			/* whole numbers only: counts are integers */
			*step = st < 1 ? 1 : st;
			break;
		}
	}
	*top = ceil(max / *step) * *step;
	if (*top < max)
		*top += *step;
}

static int color_ok(const char *c)
{
	size_t n = c != NULL ? strlen(c) : 0;
	if (n < 2 || n > 32 || c[0] != '#')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((c[i] >= '0' && c[i] <= '9') ||
		      (c[i] >= 'a' && c[i] <= 'f') ||
		      (c[i] >= 'A' && c[i] <= 'F')))
			return 0;
	return 1;
}

/* A number for a tick label, with Dutch thousands separators. */
static void tick_text(double v, char *out, size_t size)
{
	char digits[32];
	size_t n, at = 0;
	long long x = llround(v);
	snprintf(digits, sizeof digits, "%lld", x < 0 ? -x : x);
	n = strlen(digits);
	if (x < 0 && at < size - 1)
		out[at++] = '-';
	for (size_t i = 0; i < n && at < size - 2; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[at++] = '.';
		out[at++] = digits[i];
	}
	out[at] = '\0';
}

/* Display width of a label: code points x CHART_CHAR_PX. */
static double label_width(const char *s)
{
	size_t n = 0;
	for (; s != NULL && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return (double)n * CHART_CHAR_PX;
}

/* The anchor of label i: the first and last stay inside the picture. */
static const char *label_anchor(const struct chart *c, size_t i)
{
	return c->n > 1 && i == c->n - 1 ? "end"
	       : c->n > 1 && i == 0      ? "start"
	                                 : "middle";
}

static void label_box(const struct chart *c, size_t i, double x, double *x0,
                      double *x1)
{
	const char *a = label_anchor(c, i);
	double w = label_width(c->xlabels[i]);
	*x0 = a[0] == 's' ? x : a[0] == 'e' ? x - w : x - w / 2;
	*x1 = *x0 + w;
}

static void label_put(struct ls_buf *out, const struct chart *c, size_t i,
                      double x, double y)
{
	ls_buf_printf(out,
	              "<text class=\"xlabel\" x=\"%.1f\" y=\"%.1f\" "
	              "text-anchor=\"%s\" fill=\"#555555\">",
	              x, y, label_anchor(c, i));
	ls_buf_html(out, c->xlabels[i]);
	ls_buf_puts(out, "</text>");
}

/* The plot area of one chart and its scales. */
struct plot {
	const struct chart *c;
	double ml, mt, pw, ph; /* left and top margins, plot size */
	double top, step;      /* y axis: 0 to top, grid every step */
	double dx;             /* x distance between periods */
};

static double px(const struct plot *pl, size_t i)
{
	return pl->ml + (pl->c->n > 1 ? pl->dx * (double)i : pl->pw / 2.0);
}

static double py(const struct plot *pl, double v)
{
	return pl->mt + pl->ph - pl->ph * (v / pl->top);
}

/* LS_EINVAL unless every present point of s is a finite range within
 * +-1e15; *max grows to the highest upper bound. */
static int series_check(const struct chart *c, const struct chart_series *s,
                        double *max)
{
	if (!color_ok(s->color) || s->points == NULL)
		return LS_EINVAL;
	for (size_t i = 0; i < c->n; i++) {
		const struct chart_point *p = &s->points[i];
		if (!p->present)
			continue;
		if (!isfinite(p->lo) || !isfinite(p->hi) || p->lo > p->hi ||
		    p->lo < -1e15 || p->hi > 1e15)
			return LS_EINVAL;
		if (p->hi > *max)
			*max = p->hi;
	}
	return LS_OK;
}

/* LS_EINVAL for a chart ls_chart_svg() refuses; else *max is the highest
 * value drawn (points and fit line). */
static int chart_check(const struct chart *c, const struct chart_series *s,
                       size_t n_series, double *max)
{
	if (c->width < 200 || c->width > 2000 || c->height < 120 ||
	    c->height > 1200 || c->n < 1 || c->n > CHART_MAX_POINTS ||
	    n_series < 1 || n_series > CHART_MAX_SERIES)
		return LS_EINVAL;
	for (size_t k = 0; k < n_series; k++)
		if (series_check(c, &s[k], max) != LS_OK)
			return LS_EINVAL;
	if (!c->has_fit)
		return LS_OK;
	if (!isfinite(c->fit_y0) || !isfinite(c->fit_y1) || c->fit_y0 < -1e15 ||
	    c->fit_y1 > 1e15 || c->fit_y1 < -1e15 || c->fit_y0 > 1e15)
		return LS_EINVAL;
	if (c->fit_y0 > *max)
		*max = c->fit_y0;
	if (c->fit_y1 > *max)
		*max = c->fit_y1;
	return LS_OK;
}

/* The opening tag, title, description and white background. */
static void put_head(struct ls_buf *out, const struct chart *c)
{
	ls_buf_printf(out,
	              "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	              "class=\"chart\" width=\"%u\" height=\"%u\" "
	              "viewBox=\"0 0 %u %u\" role=\"img\" "
	              "font-family=\"system-ui, sans-serif\" font-size=\"11\">",
	              c->width, c->height, c->width, c->height);
	ls_buf_puts(out, "<title>");
	ls_buf_html(out, c->title);
	ls_buf_puts(out, "</title>");
	if (c->desc != NULL) {
		ls_buf_puts(out, "<desc>");
		ls_buf_html(out, c->desc);
		ls_buf_puts(out, "</desc>");
	}
	ls_buf_printf(out,
	              "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" "
	              "fill=\"#ffffff\"/>",
	              c->width, c->height);
}

/* The shaded tail from c->shade_from on, with its label. */
static void put_shade(struct ls_buf *out, const struct plot *pl)
{
	const struct chart *c = pl->c;
	double x0 = px(pl, c->shade_from) - (c->n > 1 ? pl->dx / 2 : 0);
	if (x0 < pl->ml)
		x0 = pl->ml;
	ls_buf_printf(out,
	              "<rect class=\"shade\" x=\"%.1f\" y=\"%.1f\" "
	              "width=\"%.1f\" height=\"%.1f\" "
	              "fill=\"#f1efe8\"/>",
	              x0, pl->mt, pl->ml + pl->pw - x0, pl->ph);
	if (c->shade_label != NULL) {
		ls_buf_printf(out,
		              "<text x=\"%.1f\" y=\"%.1f\" "
		              "fill=\"#6b6658\" font-size=\"10\">",
		              x0 + 4, pl->mt + 11);
		ls_buf_html(out, c->shade_label);
		ls_buf_puts(out, "</text>");
	}
}

/* Grid lines with their y labels, and the y axis title. */
static void put_grid(struct ls_buf *out, const struct plot *pl)
{
	for (double v = 0; v <= pl->top + pl->step / 2; v += pl->step) {
		char t[32];
		tick_text(v, t, sizeof t);
		ls_buf_printf(out,
		              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		              "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>"
		              "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
		              "fill=\"#555555\">%s</text>",
		              pl->ml, py(pl, v), pl->ml + pl->pw, py(pl, v),
		              v == 0 ? "#888888" : "#e3e3e3", pl->ml - 6,
		              py(pl, v) + 4, t);
	}
	if (pl->c->y_label != NULL) {
		ls_buf_printf(out,
		              "<text x=\"12\" y=\"%.1f\" fill=\"#555555\" "
		              "transform=\"rotate(-90 12 %.1f)\" "
		              "text-anchor=\"middle\">",
		              pl->mt + pl->ph / 2, pl->mt + pl->ph / 2);
		ls_buf_html(out, pl->c->y_label);
		ls_buf_puts(out, "</text>");
	}
}

/* Every how many periods an x label fits next to the one before. */
static size_t label_every(const struct plot *pl)
{
	const struct chart *c = pl->c;
	double w_max = 0;
	size_t every = 1;
	for (size_t i = 0; i < c->n; i++) {
		double w = label_width(c->xlabels[i]);
		if (w > w_max)
			w_max = w;
	}
	while (c->n > 1 && every < c->n &&
	       pl->dx * (double)every < w_max + CHART_LABEL_GAP)
		every++;
	return every;
}

/* x labels: every label_every-th period, and the last; a label whose
 * box would touch the one before it is left out (the last one wins over
 * its neighbour). */
static void put_xlabels(struct ls_buf *out, const struct plot *pl)
{
	const struct chart *c = pl->c;
	double right = -1e9; /* right edge of the last label placed */
	size_t prev = SIZE_MAX;
	size_t every = label_every(pl);
	for (size_t i = 0; i < c->n; i++) {
		double x0, x1;
		int last = i == c->n - 1;
		if (i % every != 0 && !last)
			continue;
		label_box(c, i, px(pl, i), &x0, &x1);
		if (!last && c->n > 1) {
			double l0, l1;
			label_box(c, c->n - 1, px(pl, c->n - 1), &l0, &l1);
			if (x1 + CHART_LABEL_GAP > l0)
				continue; /* the last label wins */
		}
		if (x0 < right + CHART_LABEL_GAP && prev != SIZE_MAX)
			continue;
		label_put(out, c, i, px(pl, i), pl->mt + pl->ph + 16);
		right = x1;
		prev = i;
	}
}

/* The band of the run [i, j) of present points, if some point in it is
 * a range: along the upper bounds and back along the lower bounds. */
static void put_band(struct ls_buf *out, const struct plot *pl,
                     const struct chart_series *s, size_t i, size_t j)
{
	const struct chart_point *p = s->points;
	int wide = 0;
	for (size_t q = i; q < j; q++)
		wide |= p[q].hi > p[q].lo;
	if (!wide)
		return;
	ls_buf_printf(out,
	              "<path class=\"band\" "
	              "fill=\"%s\" "
	              "fill-opacity=\"0.22\" "
	              "stroke=\"none\" d=\"",
	              s->color);
	for (size_t q = i; q < j; q++)
		ls_buf_printf(out, "%c%.1f %.1f ", q == i ? 'M' : 'L',
		              px(pl, q), py(pl, p[q].hi));
	for (size_t q = j; q-- > i;)
		ls_buf_printf(out, "L%.1f %.1f ", px(pl, q), py(pl, p[q].lo));
	ls_buf_puts(out, "Z\"/>");
}

/* The line through the middles of the run [i, j), and its dots (hollow
 * where the value is a range). */
static void put_line(struct ls_buf *out, const struct plot *pl,
                     const struct chart_series *s, size_t i, size_t j)
{
	const struct chart_point *p = s->points;
	ls_buf_printf(out,
	              "<polyline class=\"line\" fill=\"none\" "
	              "stroke=\"%s\" stroke-width=\"2\" "
	              "stroke-linejoin=\"round\" points=\"",
	              s->color);
	for (size_t q = i; q < j; q++)
		ls_buf_printf(out, "%s%.1f,%.1f", q == i ? "" : " ", px(pl, q),
		              py(pl, (p[q].lo + p[q].hi) / 2));
	ls_buf_puts(out, "\"/>");
	for (size_t q = i; q < j; q++)
		ls_buf_printf(out,
		              "<circle cx=\"%.1f\" cy=\"%.1f\" "
		              "r=\"2.6\" fill=\"%s\" stroke=\"%s\" "
		              "stroke-width=\"1.2\"/>",
		              px(pl, q), py(pl, (p[q].lo + p[q].hi) / 2),
		              p[q].hi > p[q].lo ? "#ffffff" : s->color,
		              s->color);
}

/* One series: band, line and dots per run of periods with data. */
static void put_series(struct ls_buf *out, const struct plot *pl,
                       const struct chart_series *s)
{
	const struct chart_point *p = s->points;
	size_t i = 0;
	while (i < pl->c->n) {
		size_t j = i;
		if (!p[i].present) {
			i++;
			continue;
		}
		while (j < pl->c->n && p[j].present)
			j++;
		put_band(out, pl, s, i, j);
		put_line(out, pl, s, i, j);
		i = j;
	}
}

/* The fit line from c->fit_from to the last period, cut where it
 * crosses zero: a count is never negative. */
static void put_fit(struct ls_buf *out, const struct plot *pl)
{
	const struct chart *c = pl->c;
	double xa = px(pl, c->fit_from), xb = px(pl, c->n - 1);
	double y0 = c->fit_y0, y1 = c->fit_y1;
	if (y0 < 0 && y1 > 0) {
		xa += (xb - xa) * (-y0) / (y1 - y0);
		y0 = 0;
	} else if (y1 < 0 && y0 > 0) {
		xb = xa + (xb - xa) * y0 / (y0 - y1);
		y1 = 0;
	}
	if (y0 >= 0 && y1 >= 0)
		ls_buf_printf(out,
		              "<line class=\"fit\" x1=\"%.1f\" "
		              "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		              "stroke=\"#1d2430\" stroke-width=\"1.5\" "
		              "stroke-dasharray=\"5 4\"/>",
		              xa, py(pl, y0), xb, py(pl, y1));
}

/* The legend under the plot: a swatch and the name per series. */
static void put_legend(struct ls_buf *out, const struct plot *pl,
                       const struct chart_series *s, size_t n_series)
{
	const struct chart *c = pl->c;
	double x = pl->ml;
	for (size_t k = 0; k < n_series; k++) {
		ls_buf_printf(out,
		              "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
		              "height=\"4\" fill=\"%s\"/>"
		              "<text x=\"%.1f\" y=\"%.1f\" "
		              "fill=\"#333333\">",
		              x, c->height - 16.0, s[k].color, x + 18,
		              c->height - 11.0);
		ls_buf_html(out, s[k].name);
		ls_buf_puts(out, "</text>");
		x += 30 + 7.0 * (double)strlen(s[k].name ? s[k].name : "");
	}
}

int ls_chart_svg(struct ls_buf *out, const struct chart *c,
                 const struct chart_series *s, size_t n_series)
{
	const double mr = 18;
	double mb = 34, max = 0;
	struct plot pl = {.c = c, .ml = 58, .mt = 14};

	if (chart_check(c, s, n_series, &max) != LS_OK)
		return LS_EINVAL;
	if (n_series > 1)
		mb += 22; /* legend */
	pl.pw = c->width - pl.ml - mr;
	pl.ph = c->height - pl.mt - mb;
	ls_chart_axis(max, &pl.top, &pl.step);
	pl.dx = c->n > 1 ? pl.pw / (double)(c->n - 1) : 0;

	put_head(out, c);
	if (c->shade_from < c->n)
		put_shade(out, &pl);
	put_grid(out, &pl);
	if (c->xlabels != NULL)
		put_xlabels(out, &pl);
	/* bands, then lines and dots, series by series */
	for (size_t k = 0; k < n_series; k++)
		put_series(out, &pl, &s[k]);
	if (c->has_fit && c->n > 1 && c->fit_from < c->n - 1)
		put_fit(out, &pl);
	if (n_series > 1)
		put_legend(out, &pl, s, n_series);
	ls_buf_puts(out, "</svg>");
	return LS_OK;
}
