/* common/buf, view/chart and view/bundle: escaping of everything that goes
 * into HTML, SVG charts of the expected size with ranges as bands, and the
 * signal bundle's chapters, charts and refusals. (The browser test renders
 * the same report in Chromium.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "view/bundle.h"
#include "view/chart.h"
#include "core/dossier.h"
#include "tests/unit/fixture.h"
#include "tests/unit/trends_util.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p != NULL;
	     p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- buf -------------------------------------------------------------- */

static void test_buf_html_escapes(void **state)
{
	struct ls_buf b;
	char *out;
	size_t len;
	(void)state;
	ls_buf_init(&b, 0);
	ls_buf_html(&b, "<a href=\"x\">Tom & 'Jerry'</a>");
	ls_buf_puts(&b, "|");
	ls_buf_html(&b, "caf\xc3\xa9 \xe2\x80\x93 ok");
	ls_buf_puts(&b, "|");
	ls_buf_html(&b, "bad \xff\xfe byte, ctl \x01, tab\tnl\n");
	ls_buf_puts(&b, "|");
	ls_buf_html(&b, "\xe2\x82"); /* cut-off sequence */
	ls_buf_html(&b, NULL);
	assert_int_equal(ls_buf_error(&b), LS_OK);
	out = ls_buf_take(&b, &len);
	assert_string_equal(
	    out,
	    "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
	    "|caf\xc3\xa9 \xe2\x80\x93 ok"
	    "|bad \xef\xbf\xbd\xef\xbf\xbd byte, ctl \xef\xbf\xbd, tab\tnl\n"
	    "|\xef\xbf\xbd\xef\xbf\xbd");
	assert_int_equal(len, strlen(out));
	ls_free(out);
	/* empty gives "" */
	out = ls_buf_take(&b, &len);
	assert_string_equal(out, "");
	assert_int_equal(len, 0);
	ls_free(out);
	ls_buf_fini(&b);
}

static void test_buf_errors_are_sticky(void **state)
{
	struct ls_buf b;
	(void)state;
	ls_buf_init(&b, 10);
	ls_buf_puts(&b, "12345");
	ls_buf_printf(&b, "%s", "678901");
	assert_int_equal(ls_buf_error(&b), LS_ELIMIT);
	ls_buf_puts(&b, "x");
	assert_int_equal(b.len, 5);
	assert_null(ls_buf_take(&b, NULL));
	ls_buf_fini(&b);

	ls_buf_init(&b, 0);
	ls_alloc_fail_nth(1);
	ls_buf_puts(&b, "abc");
	ls_alloc_fail_nth(0);
	assert_int_equal(ls_buf_error(&b), LS_ENOMEM);
	ls_buf_printf(&b, "%d", 42);
	assert_int_equal(b.len, 0);
	ls_buf_fini(&b);

	/* a long printf goes through the slow path */
	ls_buf_init(&b, 0);
	ls_buf_printf(&b, "%0600d|%s", 7, "end");
	assert_int_equal(b.len, 604);
	assert_string_equal(b.data + 600, "|end");
	ls_buf_fini(&b);
}

/* The callback appender takes jansson's output as is, and stops the dump
 * (-1) once the buffer is over its limit. */
static void test_buf_append_cb(void **state)
{
	struct ls_buf b;
	json_t *doc =
	    json_pack("{s:s, s:i}", "naam", "Gent \"centrum\"", "n", 3);
	char *out;
	(void)state;
	assert_non_null(doc);
	ls_buf_init(&b, 0);
	ls_buf_puts(&b, ">");
	assert_int_equal(
	    json_dump_callback(doc, ls_buf_append_cb, &b, JSON_COMPACT), 0);
	out = ls_buf_take(&b, NULL);
	assert_string_equal(out,
	                    ">{\"naam\":\"Gent \\\"centrum\\\"\",\"n\":3}");
	ls_free(out);
	ls_buf_init(&b, 8);
	assert_int_equal(
	    json_dump_callback(doc, ls_buf_append_cb, &b, JSON_COMPACT), -1);
	assert_int_equal(ls_buf_error(&b), LS_ELIMIT);
	assert_true(b.len <= 8);
	assert_int_equal(ls_buf_append_cb("x", 1, &b), -1);
	ls_buf_fini(&b);
	json_decref(doc);
}

/* ---- chart ------------------------------------------------------------ */

static void test_chart_svg(void **state)
{
	struct chart_point p[12];
	const char *labels[12];
	char text[12][16];
	struct chart c;
	struct chart_series s = {"Wonen <x>", "#1f5f8b", p};
	struct ls_buf b;
	(void)state;
	for (int i = 0; i < 12; i++) {
		p[i].lo = 10 + i;
		p[i].hi = i % 3 == 0 ? 14 + i : 10 + i;
		p[i].present = i != 5;
		snprintf(text[i], sizeof text[i], "m%d", i + 1);
		labels[i] = text[i];
	}
	memset(&c, 0, sizeof c);
	c.title = "Titel & <b>";
	c.desc = "Beschrijving";
	c.width = 720;
	c.height = 260;
	c.n = 12;
	c.xlabels = labels;
	c.y_label = "signalen per maand";
	c.shade_from = 6;
	c.shade_label = "groeivenster";
	ls_buf_init(&b, 0);
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_OK);
	assert_int_equal(ls_buf_error(&b), LS_OK);
	assert_non_null(strstr(b.data, "width=\"720\" height=\"260\""));
	assert_non_null(strstr(b.data, "viewBox=\"0 0 720 260\""));
	assert_non_null(strstr(b.data, "<title>Titel &amp; &lt;b&gt;</title>"));
	assert_null(strstr(b.data, "<b>"));
	/* the gap at point 6 splits the line and the band in two */
	assert_int_equal(count(b.data, "<polyline"), 2);
	assert_int_equal(count(b.data, "class=\"band\""), 2);
	assert_int_equal(count(b.data, "<circle"), 11);
	assert_int_equal(count(b.data, "class=\"shade\""), 1);
	assert_int_equal(count(b.data, "<svg"), 1);
	assert_int_equal(count(b.data, "</svg>"), 1);
	ls_buf_fini(&b);

	/* exact values only: no band */
	for (int i = 0; i < 12; i++) {
		p[i].hi = p[i].lo;
		p[i].present = 1;
	}
	ls_buf_init(&b, 0);
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_OK);
	assert_int_equal(count(b.data, "class=\"band\""), 0);
	assert_int_equal(count(b.data, "<polyline"), 1);
	ls_buf_fini(&b);
}

/* The x labels as the SVG places them: for every <text class="xlabel">,
 * its box from x, text-anchor and the text's width at CHART_CHAR_PX per
 * code point. Returns how many; fails on a malformed element. */
static size_t xlabel_boxes(const char *svg, double *x0, double *x1, size_t cap)
{
	size_t n = 0;
	const char *p = svg;
	while ((p = strstr(p, "<text class=\"xlabel\" x=\"")) != NULL) {
		double x = atof(p + strlen("<text class=\"xlabel\" x=\""));
		const char *a = strstr(p, "text-anchor=\"");
		const char *t = strchr(p, '>'), *e;
		size_t cps = 0;
		assert_non_null(a);
		assert_non_null(t);
		e = strstr(t, "</text>");
		assert_non_null(e);
		for (const char *q = t + 1; q < e; q++)
			cps += ((unsigned char)*q & 0xc0) != 0x80;
		a += strlen("text-anchor=\"");
		assert_true(n < cap);
		x0[n] = a[0] == 's'   ? x
		        : a[0] == 'e' ? x - cps * CHART_CHAR_PX
		                      : x - cps * CHART_CHAR_PX / 2;
		x1[n] = x0[n] + cps * CHART_CHAR_PX;
		n++;
		p = e;
	}
	return n;
}

/* Month labels never overlap, whatever the number of periods and the
 * width: 24 and 36 months in the bundle's width, 120 in a narrow chart,
 * labels like "2025-01" and "sept 2025". The first and the last period
 * are labelled, and every label stays inside the picture. */
static void test_chart_xlabels_apart(void **state)
{
	static const size_t counts[] = {2, 7, 12, 13, 24, 25, 36, 60, 120};
	static const unsigned widths[] = {720, 400, 240};
	(void)state;
	for (size_t f = 0; f < 2; f++)
		for (size_t w = 0; w < 3; w++)
			for (size_t k = 0; k < sizeof counts / sizeof *counts;
			     k++) {
				size_t n = counts[k], got;
				struct chart_point p[120];
				char text[120][16];
				const char *labels[120];
				double x0[120], x1[120];
				struct chart c = {.title = "t",
				                  .width = widths[w],
				                  .height = 200,
				                  .n = n,
				                  .xlabels = labels,
				                  .shade_from = n};
				struct chart_series s = {"s", "#123456", p};
				struct ls_buf b;
				for (size_t i = 0; i < n; i++) {
					p[i] = (struct chart_point){
					    (double)i, (double)i + 3, 1};
					if (f == 0)
						snprintf(text[i],
						         sizeof text[i],
						         "%04d-%02d",
						         2020 + (int)(i / 12),
						         (int)(i % 12) + 1);
					else
						snprintf(
						    text[i], sizeof text[i],
						    "sept %04d", 2020 + (int)i);
					labels[i] = text[i];
				}
				ls_buf_init(&b, 1 << 20);
				assert_int_equal(ls_chart_svg(&b, &c, &s, 1),
				                 LS_OK);
				assert_int_equal(ls_buf_error(&b), LS_OK);
				got = xlabel_boxes(b.data, x0, x1, 120);
				assert_true(got >= (n > 1 ? 2u : 1u));
				/* first and last labelled */
				assert_non_null(strstr(b.data, text[0]));
				assert_non_null(strstr(b.data, text[n - 1]));
				for (size_t i = 0; i < got; i++) {
					assert_true(x0[i] >= 0);
					assert_true(x1[i] <= widths[w]);
					if (i > 0 &&
					    !(x0[i] >=
					      x1[i - 1] + CHART_LABEL_GAP))
						fail_msg(
						    "labels %zu and %zu "
						    "overlap (%zu periods, "
						    "%u px): %.1f < %.1f",
						    i - 1, i, n, widths[w],
						    x0[i], x1[i - 1]);
				}
				ls_buf_fini(&b);
			}
}

static void test_chart_refuses(void **state)
{
	struct chart_point p[3] = {{1, 2, 1}, {3, 2, 1}, {1, 1, 1}};
	struct chart c = {.title = "t", .width = 400, .height = 200, .n = 3};
	struct chart_series s = {"s", "#123456", p};
	struct ls_buf b;
	(void)state;
	ls_buf_init(&b, 0);
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_EINVAL); /* lo > hi */
	p[1].lo = 1;
	p[2].hi = NAN;
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_EINVAL);
	p[2].hi = 1;
	s.color = "red\"/><script>";
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_EINVAL);
	s.color = "#123456";
	c.width = 50;
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_EINVAL);
	c.width = 400;
	c.n = 0;
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_EINVAL);
	assert_int_equal(ls_chart_svg(&b, &c, &s, 0), LS_EINVAL);
	c.n = 3;
	/* a trend line must be finite */
	c.has_fit = 1;
	c.fit_y0 = NAN;
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_EINVAL);
	c.fit_y0 = 1;
	c.fit_y1 = INFINITY;
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_EINVAL);
	assert_int_equal(b.len, 0);
	c.fit_y1 = 2;
	assert_int_equal(ls_chart_svg(&b, &c, &s, 1), LS_OK);
	assert_non_null(strstr(b.data, "<line class=\"fit\""));
	ls_buf_fini(&b);
}

static void test_chart_axis(void **state)
{
	double top, step;
	(void)state;
	ls_chart_axis(0, &top, &step);
	assert_true(top == 4 && step == 1);
	ls_chart_axis(3, &top, &step);
	assert_true(top >= 3 && step == 1);
	ls_chart_axis(780, &top, &step);
	assert_true(step == 200 && top == 800);
	ls_chart_axis(101, &top, &step);
	assert_true(step == 50 && top == 150);
}

/* ---- bundle ------------------------------------------------------------ */

static struct ls_taxonomy tax;

static int group_setup(void **state)
{
	(void)state;
	fixture_taxonomy(&tax);
	/* a label that would break the page if it were not escaped */
	for (size_t i = 0; i < tax.n; i++)
		if (tax.entries[i].dim == LS_DIM_THEME &&
		    strcmp(tax.entries[i].code, "wonen") == 0) {
			free(tax.entries[i].label_nl);
			tax.entries[i].label_nl = ls_strdup(
			    "Wonen <script>alert(1)</script> & \"co\"");
		}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ls_taxonomy_fini(&tax);
	return 0;
}

static const char *evil_name(void *ctx, const char *origin)
{
	(void)ctx;
	return strcmp(origin, "gent") == 0 ? "<b>Gent</b>" : NULL;
}

static struct trends *federation(struct structural **notes)
{
	static const char *const towns[] = {"eeklo", "gent", "kortrijk"};
	struct trends_options o;
	struct ls_period last = {2025, 12, 1};
	struct trends *t;
	struct ls_errinfo e;
	struct structural_note n;

	ls_trends_options_default(&o, &last);
	o.first.year = 2025;
	o.first.month = 1;
	if (ls_trends_new(&tax, &o, &t, &e) != LS_OK)
		tu_die(e.msg);
	ls_trends_set_names(t, evil_name, NULL);
	for (int town = 0; town < 3; town++)
		for (int m = 1; m <= 12; m++) {
			struct ls_summary s;
			struct trends_docref r =
			    tu_ref(towns[town], (uint64_t)m);
			tu_summary(&s, towns[town], 2025, m, LS_MODE_THRESHOLD);
			tu_theme(&s, "energie", 8, "65plus", "ocmw");
			tu_theme(&s, "mentaal", 6 + 2 * m, "12-17", "caw");
			tu_theme(&s, "wonen", town == 1 ? 10 + 5 * m : 9,
			         "18-24", "huisvesting");
			tu_finish(&s);
			if (ls_trends_add(t, &s, &r, NULL, &e) != LS_OK)
				tu_die(e.msg);
			ls_summary_fini(&s);
		}
	if (ls_trends_finish(t, &e) != LS_OK)
		tu_die(e.msg);
	assert_int_equal(ls_structural_new(notes), LS_OK);
	memset(&n, 0, sizeof n);
	strcpy(n.origin, "gent");
	n.seq = 13;
	n.dossier[0] = 1;
	strcpy(n.theme, "mentaal");
	n.phase = LS_PHASE_ACTIE;
	strcpy(n.problem_type, "beleidsleemte");
	strcpy(n.headline, "Extra jeugdpsychologen & \"wachtlijst\" weg");
	assert_int_equal(ls_structural_add(*notes, &n), LS_OK);
	strcpy(n.origin, "eeklo");
	n.phase = LS_PHASE_ANALYSEREN;
	strcpy(n.headline, "Nog in analyse");
	assert_int_equal(ls_structural_add(*notes, &n), LS_OK);
	return t;
}

static void test_bundle_renders(void **state)
{
	struct structural *notes;
	struct trends *t = federation(&notes);
	struct bundle_input in = {.trends = t,
	                          .notes = notes,
	                          .names = evil_name,
	                          .publisher = "VVSG & partners",
	                          .generated = "2026-01-15",
	                          .top = 2};
	struct ls_errinfo e;
	struct ls_buf b;
	char size[64];
	static const char *const ids[] = {
	    "id=\"kort\"",     "id=\"prioriteiten\"", "id=\"thema-mentaal\"",
	    "id=\"jongeren\"", "id=\"gemeenten\"",    "id=\"structureel\"",
	    "id=\"methode\""};
	(void)state;
	ls_buf_init(&b, 0);
	assert_int_equal(ls_bundle_render(&in, &b, &e), LS_OK);
	assert_int_equal(strncmp(b.data, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(b.data, "<html lang=\"nl\">"));
	assert_non_null(strstr(b.data, "<title>Signalenbundel 2025</title>"));
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (strstr(b.data, ids[i]) == NULL)
			fail_msg("no %s", ids[i]);
	/* escaped everywhere, never raw */
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<b>"));
	assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)"));
	assert_non_null(strstr(b.data, "&lt;b&gt;Gent&lt;/b&gt;"));
	assert_non_null(strstr(b.data, "VVSG &amp; partners"));
	assert_non_null(
	    strstr(b.data, "Extra jeugdpsychologen &amp; &quot;wachtlijst"));
	/* self-contained: no scripts, no external files */
	assert_null(strstr(b.data, "src="));
	assert_null(strstr(b.data, "<link"));
	assert_int_equal(count(b.data, "http"), count(b.data, "xmlns=\"http"));
	/* a print stylesheet with page breaks */
	assert_non_null(strstr(b.data, "@media print"));
	assert_non_null(strstr(b.data, "break-before:page"));
	/* charts: one per leading theme, two in the youth chapter */
	assert_int_equal(count(b.data, "<svg"), 2 + 2);
	snprintf(size, sizeof size,
	         "class=\"chart\" width=\"%d\" height=\"%d\"",
	         BUNDLE_CHART_WIDTH, BUNDLE_CHART_HEIGHT);
	assert_int_equal(count(b.data, size), 2);
	snprintf(size, sizeof size,
	         "class=\"chart\" width=\"%d\" height=\"%d\"",
	         BUNDLE_CHART_WIDTH, BUNDLE_YOUTH_CHART_HEIGHT);
	assert_int_equal(count(b.data, size), 2);
	/* balanced chapters */
	assert_int_equal(count(b.data, "<section"),
	                 count(b.data, "</section>"));
	/* the recognised note is listed, the one in analysis marked */
	assert_non_null(strstr(b.data, "(nog niet erkend)"));
	assert_non_null(strstr(b.data, "k = 5"));
	assert_non_null(strstr(b.data, "Digest van de bronnen"));
	/* the rising theme in one town only is said to depend on it */
	assert_non_null(strstr(b.data, "komt vooral uit één gemeente "
	                               "(&lt;b&gt;Gent"));
	ls_buf_fini(&b);

	/* refusals and a buffer that is too small */
	in.top = 0;
	ls_buf_init(&b, 0);
	assert_int_equal(ls_bundle_render(&in, &b, &e), LS_EINVAL);
	ls_buf_fini(&b);
	in.top = 2;
	ls_buf_init(&b, 1000);
	assert_int_equal(ls_bundle_render(&in, &b, &e), LS_ELIMIT);
	ls_buf_fini(&b);
	ls_structural_free(notes);
	ls_trends_free(t);
}

/* The slope of the plotted points (circle centres, SVG y grows down)
 * from x >= from_x: least squares, in "up" pixels per pixel. */
static double plotted_slope(const char *svg, const char *end, double from_x)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int n = 0;
	const char *p = svg;
	while ((p = strstr(p, "<circle cx=\"")) != NULL && p < end) {
		double x = atof(p + 12), y;
		const char *q = strstr(p, "cy=\"");
		assert_non_null(q);
		y = -atof(q + 4);
		if (x >= from_x) {
			sx += x;
			sy += y;
			sxx += x * x;
			sxy += x * y;
			n++;
		}
		p = q;
	}
	assert_true(n >= 3);
	return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

/* Each leading theme's chapter: the trend its text reports (the card
 * and the explanation) has the direction of the dashed trend line in its
 * chart and of the plotted series in the growth window; the theme that
 * rises in one town only is marked as a local rise, with that town's own
 * line; target groups have a table; an age band is not followed by a
 * second "jaar". */
static void test_bundle_text_agrees(void **state)
{
	struct structural *notes;
	struct trends *t = federation(&notes);
	struct bundle_input in = {
	    .trends = t, .notes = notes, .generated = "2026-01-15", .top = 3};
	struct ls_errinfo e;
	struct ls_buf b;
	static const char *const themes[] = {"mentaal", "wonen", "energie"};
	(void)state;
	ls_buf_init(&b, 0);
	assert_int_equal(ls_bundle_render(&in, &b, &e), LS_OK);
	assert_null(strstr(b.data, "jaar jaar"));
	for (size_t k = 0; k < 3; k++) {
		char id[64];
		const char *sec, *end, *card, *fit, *shade;
		double x1, y1, x2, y2, slope;
		int sign_text, sign_fit, sign_series;
		snprintf(id, sizeof id, "id=\"thema-%s\"", themes[k]);
		sec = strstr(b.data, id);
		if (sec == NULL)
			fail_msg("no chapter %s", themes[k]);
		end = strstr(sec, "</section>");
		assert_non_null(end);
		card = strstr(sec, "<div class=\"label\">Trend</div>"
		                   "<div class=\"value\">");
		assert_true(card != NULL && card < end);
		card += strlen("<div class=\"label\">Trend</div>"
		               "<div class=\"value\">");
		sign_text =
		    strncmp(card, "+", 1) == 0 && strncmp(card, "+0%", 3) != 0
		        ? 1
		    : strncmp(card, "\xe2\x88\x92", 3) == 0 ? -1
		                                            : 0;
		fit = strstr(sec, "<line class=\"fit\"");
		assert_true(fit != NULL && fit < end);
		assert_int_equal(sscanf(fit,
		                        "<line class=\"fit\" x1=\"%lf\" "
		                        "y1=\"%lf\" x2=\"%lf\" y2=\"%lf\"",
		                        &x1, &y1, &x2, &y2),
		                 4);
		sign_fit = y2 < y1 - 0.5 ? 1 : y2 > y1 + 0.5 ? -1 : 0;
		shade = strstr(sec, "<rect class=\"shade\" x=\"");
		assert_true(shade != NULL && shade < end);
		slope = plotted_slope(sec, end,
		                      atof(shade + strlen("<rect class=\"shade"
		                                          "\" x=\"")));
		sign_series = slope > 0.01 ? 1 : slope < -0.01 ? -1 : 0;
		if (sign_text != sign_fit || sign_text != sign_series)
			fail_msg("%s: text %d (%.20s), trend line %d, series "
			         "%d (%.3f)",
			         themes[k], sign_text, card, sign_fit,
			         sign_series, slope);
		/* the explanation says the same */
		if (sign_text > 0)
			assert_true(strstr(sec, "stijgend (") != NULL ||
			            strstr(sec, "stijgend sinds") != NULL);
		assert_true(strstr(sec, "Doelgroepen") != NULL &&
		            strstr(sec, "Doelgroepen") < end);
		if (strcmp(themes[k], "wonen") == 0) {
			const char *tag = strstr(sec, "lokale stijging (");
			assert_true(tag != NULL && tag < end);
			assert_true(strstr(sec, "class=\"chart local\"") < end);
			assert_true(strstr(sec, "Lokale stijging:") < end);
		} else {
			const char *tag = strstr(sec, "lokale stijging");
			assert_true(tag == NULL || tag > end);
		}
	}
	ls_buf_fini(&b);
	ls_structural_free(notes);
	ls_trends_free(t);
}

static void test_bundle_unfinished(void **state)
{
	struct trends_options o;
	struct ls_period last = {2025, 12, 1};
	struct trends *t;
	struct bundle_input in = {.top = 3};
	struct ls_errinfo e;
	struct ls_buf b;
	(void)state;
	ls_trends_options_default(&o, &last);
	assert_int_equal(ls_trends_new(&tax, &o, &t, &e), LS_OK);
	in.trends = t;
	ls_buf_init(&b, 0);
	assert_int_equal(ls_bundle_render(&in, &b, &e), LS_EINVAL);
	assert_int_equal(b.len, 0);
	ls_buf_fini(&b);
	ls_trends_free(t);
}

/* With federation summaries for the last six months: the bundle shows
 * their totals (value, interval, municipalities) next to the sum of
 * ranges they replace, and says how to read them. */
static void test_bundle_federation_totals(void **state)
{
	static const char *const towns[] = {"eeklo", "gent", "kortrijk"};
	struct trends_options o;
	struct ls_period last = {2025, 12, 1};
	struct bundle_input in = {.generated = "2026-01-15", .top = 2};
	struct trends *t;
	struct ls_errinfo e;
	struct ls_buf b;
	(void)state;
	ls_trends_options_default(&o, &last);
	o.first.year = 2025;
	o.first.month = 1;
	assert_int_equal(ls_trends_new(&tax, &o, &t, &e), LS_OK);
	for (int m = 1; m <= 12; m++) {
		int64_t total = 0;
		for (int town = 0; town < 3; town++) {
			struct ls_summary s;
			struct trends_docref r =
			    tu_ref(towns[town], (uint64_t)m);
			int64_t n = 3 + m / 4 + town;
			tu_summary(&s, towns[town], 2025, m, LS_MODE_THRESHOLD);
			tu_theme(&s, "mentaal", n, "12-17", "caw");
			tu_finish(&s);
			assert_int_equal(ls_trends_add(t, &s, &r, NULL, &e),
			                 LS_OK);
			ls_summary_fini(&s);
			total += n;
		}
		if (m > 6) {
			struct ls_summary fs;
			struct trends_federation f;
			struct trends_docref r = tu_ref("vvsg", (uint64_t)m);
			tu_summary(&fs, "vvsg", 2025, m, LS_MODE_NOISE);
			tu_row(&fs, LS_TABLE_THEME, "mentaal", "",
			       tu_noisy(total, 1), tu_noisy(total, 8));
			tu_finish(&fs);
			memset(&f, 0, sizeof f);
			f.period = fs.period;
			f.n_included = 3;
			f.noise.mu[0] = (struct secagg_rational){1, 4};
			f.noise.mu[1] = (struct secagg_rational){25, 1};
			f.tables = fs.tables;
			assert_int_equal(
			    ls_trends_add_federation(t, &f, &r, NULL, &e),
			    LS_OK);
			ls_summary_fini(&fs);
		}
	}
	assert_int_equal(ls_trends_finish(t, &e), LS_OK);
	in.trends = t;
	ls_buf_init(&b, 0);
	assert_int_equal(ls_bundle_render(&in, &b, &e), LS_OK);
	assert_non_null(strstr(b.data, "<h3>Federatietotalen</h3>"));
	assert_non_null(strstr(b.data, "Voor 6 van de 12 maanden heeft de "
	                               "koepel een federatietotaal"));
	assert_non_null(strstr(b.data, "federatietotaal (3 van 3 gemeenten); "
	                               "som van de bereiken van de "
	                               "gemeenten: "));
	assert_non_null(strstr(b.data, "het federatietotaal (beveiligde "
	                               "optelling) in 6 van de 12 maanden"));
	/* the sources list the association's documents too */
	assert_non_null(strstr(b.data, "<li>vvsg 7 <code>"));
	ls_buf_fini(&b);
	ls_trends_free(t);
}

static void test_bundle_alloc_failures(void **state)
{
	struct structural *notes;
	struct trends *t = federation(&notes);
	struct bundle_input in = {
	    .trends = t, .notes = notes, .generated = "2026-01-15", .top = 3};
	struct ls_errinfo e;
	long total;
	(void)state;
	struct ls_buf want;
	ls_buf_init(&want, 0);
	ls_alloc_fail_nth(0);
	assert_int_equal(ls_bundle_render(&in, &want, &e), LS_OK);
	total = ls_alloc_fail_nth(0);
	for (long nth = 1; nth <= total; nth++) {
		struct ls_buf b;
		int rc;
		ls_buf_init(&b, 0);
		ls_alloc_fail_nth(nth);
		rc = ls_bundle_render(&in, &b, &e);
		ls_alloc_fail_nth(0);
		assert_int_equal(rc, LS_ENOMEM);
		/* the partial page is marked failed, never taken for whole */
		assert_int_equal(ls_buf_error(&b), LS_ENOMEM);
		ls_buf_fini(&b);
		/* and the input is unchanged: the same page as before */
		ls_buf_init(&b, 0);
		assert_int_equal(ls_bundle_render(&in, &b, &e), LS_OK);
		assert_int_equal(b.len, want.len);
		assert_memory_equal(b.data, want.data, want.len);
		ls_buf_fini(&b);
	}
	ls_buf_fini(&want);
	ls_structural_free(notes);
	ls_trends_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_html_escapes),
	    cmocka_unit_test(test_buf_errors_are_sticky),
	    cmocka_unit_test(test_buf_append_cb),
	    cmocka_unit_test(test_chart_svg),
	    cmocka_unit_test(test_chart_xlabels_apart),
	    cmocka_unit_test(test_chart_refuses),
	    cmocka_unit_test(test_chart_axis),
	    cmocka_unit_test(test_bundle_renders),
	    cmocka_unit_test(test_bundle_text_agrees),
	    cmocka_unit_test(test_bundle_unfinished),
	    cmocka_unit_test(test_bundle_federation_totals),
	    cmocka_unit_test(test_bundle_alloc_failures),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
