/*
 * Line charts as inline SVG, for reports that must stand on their own
 * (no scripts, no external assets): a value per period where every value
 * may be a range, drawn as a shaded band from its lower to its upper
 * bound with a line through the middle, so that a reader sees at once
 * which numbers are exact and which are only known to lie in a range.
 *
 * The SVG has fixed width and height attributes (pixels) and a viewBox of
 * the same size, a <title> and <desc> for screen readers, and presentation
 * attributes on every element, so it draws the same with or without the
 * page's stylesheet. Every text that goes in is HTML-escaped.
 */
#ifndef LS_VIEW_CHART_H
#define LS_VIEW_CHART_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

#define CHART_MAX_POINTS 240
#define CHART_MAX_SERIES 8

struct chart_point {
	double lo, hi; /* lo <= hi; a single value has lo == hi */
	int present;   /* 0: no data for this period (a gap) */
};

struct chart_series {
	const char *name;  /* for the legend (escaped) */
	const char *color; /* a CSS colour such as "#1f5f8b" (must be a
	                      constant of the caller: #, letters, digits) */
	const struct chart_point *points; /* chart.n of them */
};

struct chart {
	const char *title; /* accessible title (escaped) */
	const char *desc;  /* accessible description (escaped), may be NULL */
	unsigned width;    /* 200..2000 pixels */
	unsigned height;   /* 120..1200 pixels */
	size_t n;          /* points per series, 1..CHART_MAX_POINTS */
	const char *const *xlabels; /* n labels (escaped), may be NULL */
	const char *y_label;        /* unit of the y axis, may be NULL */
	/* Shade the periods from this index to the end (e.g. the window the
	 * growth is computed over) with this caption; n or more: none. */
	size_t shade_from;
	const char *shade_label;
	/* A straight dashed line from (fit_from, fit_y0) to (n - 1,
	 * fit_y1): the fitted trend a text reports, so the reader sees the
	 * direction the text speaks of. Drawn when has_fit and
	 * fit_from < n - 1; values must be finite. */
	int has_fit;
	size_t fit_from;
	double fit_y0, fit_y1;
};

/* The x labels (11 px) are placed so that their boxes, estimated at
 * CHART_CHAR_PX per code point (wider than any digit or lowercase letter
 * of a system sans-serif at 11 px), never overlap and keep CHART_LABEL_GAP
 * pixels apart; the first and the last period are always labelled. */
#define CHART_CHAR_PX 6.8
#define CHART_LABEL_GAP 6.0

/*
 * Append the SVG of the chart to out. LS_EINVAL for a chart outside the
 * limits above, a bad colour, a point with lo > hi or a value that is not
 * finite; out is unchanged then. Buffer errors show in ls_buf_error(out).
 */
int ls_chart_svg(struct ls_buf *out, const struct chart *c,
                 const struct chart_series *s, size_t n_series);

/* The "nice" upper end of an axis for values up to max (1, 2, 2.5 or 5
 * times a power of ten, at least max) and its tick step. */
void ls_chart_axis(double max, double *top, double *step);

#endif
