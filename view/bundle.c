/*
 * The signal bundle as HTML. The page is written top to bottom in one
 * pass, chapter by chapter; each chapter function reads what it needs from
 * the finished trends (ranked items, series per period, per-municipality
 * views, cube cells) and the structural notes. Charts come from
 * view/chart.c. Every piece of text from data goes through ls_buf_html();
 * numbers are formatted here (Dutch thousands separators, en dashes for
 * ranges).
 *
 * The stylesheet is view/bundle.css: readable type, a calm palette,
 * cards for key figures, and @media print rules (A4, chapters on new
 * pages, no page break inside a figure or a table row).
 */
#include "view/bundle.h"
#include "common/alloc.h"
#include "common/text.h"
#include "view/chart.h"
#include "core/dossier.h"
#include "core/period.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The stylesheet, screen and print: view/bundle.css, compiled in by the
 * Makefile (tools/embed.sh), NUL-ended. */
extern const unsigned char view_bundle_css[];

static const char *const month_long[12] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};
static const char *const month_short[12] = {"jan", "feb", "mrt", "apr",
                                            "mei", "jun", "jul", "aug",
                                            "sep", "okt", "nov", "dec"};

#define ARROW_UP "\xe2\x86\x91"
#define ARROW_DOWN "\xe2\x86\x93"
#define ARROW_FLAT "\xe2\x86\x92"
#define DASH "\xe2\x80\x93"

struct ctx {
	const struct bundle_input *in;
	const struct trends *t;
	struct ls_buf *b;
	int32_t months; /* period length */
	size_t n_lead;
	const struct trends_item *lead[32];
};

static void html(struct ctx *c, const char *s)
{
	ls_buf_html(c->b, s);
}

static void put(struct ctx *c, const char *s)
{
	ls_buf_puts(c->b, s);
}

#define PF(c, ...) ls_buf_printf((c)->b, __VA_ARGS__)

static const char *name_of(struct ctx *c, const char *id)
{
	const char *n =
	    c->in->names ? c->in->names(c->in->names_ctx, id) : NULL;
	return n != NULL ? n : id;
}

/* "mrt 2025" (a month), "2025-01+3" otherwise. */
static void period_short(const struct ls_period *p, char *out, size_t size)
{
	if (p->months == 1)
		snprintf(out, size, "%s %d", month_short[p->month - 1],
		         (int)p->year);
	else
		ls_period_format(p, out);
}

/* "maart 2025" (its first month for longer periods). */
static void period_long(const struct ls_period *p, char *out, size_t size)
{
	snprintf(out, size, "%s %d", month_long[p->month - 1], (int)p->year);
}

static void value_text(const struct trends_value *v, char *out, size_t size)
{
	ls_trends_format_value(v, out, size);
}

static void pct_text(double fraction, char *out, size_t size)
{
	double v = fraction * 100.0;
	/* a typographic minus reads better than a hyphen */
	if (v <= -0.5)
		snprintf(out, size, "\xe2\x88\x92%.0f%%", -v);
	else
		snprintf(out, size, "+%.0f%%", v < 0 ? 0.0 : v);
}

static void score_text(double score, char *out, size_t size)
{
	snprintf(out, size, "%.1f", score);
	for (char *p = out; *p; p++)
		if (*p == '.')
			*p = ',';
}

/* A label without its explanation in brackets: "Wonen" for "Wonen
 * (betaalbaarheid, kwaliteit, ...)", for narrow places. */
static void short_label(const char *label, char *out, size_t size)
{
	const char *paren = strstr(label, " (");
	size_t n = paren != NULL ? (size_t)(paren - label) : strlen(label);
	if (n >= size)
		n = size - 1;
	memcpy(out, label, n);
	out[n] = '\0';
}

static void item_title(struct ctx *c, const struct trends_item *it)
{
	html(c, it->theme_label);
	if (it->level != TRENDS_LEVEL_THEME) {
		put(c, " <span class=\"sub\">");
		html(c, it->other_label);
		put(c, "</span>");
	}
}

static void spread_text(const struct trends_item *it, char *out, size_t size)
{
	if (it->n_report_lo == it->n_report_hi)
		snprintf(out, size, "%u van %u", it->n_report_lo,
		         it->n_origins);
	else
		snprintf(out, size, "%u" DASH "%u van %u", it->n_report_lo,
		         it->n_report_hi, it->n_origins);
}

static void trend_text(struct ctx *c, const struct trends_item *it, char *out,
                       size_t size)
{
	size_t n = ls_trends_n_periods(c->t) - ls_trends_growth_first(c->t);
	char pct[32];
	if (!it->has_growth) {
		snprintf(out, size, "onbekend");
		return;
	}
	pct_text(it->growth_mid, pct, sizeof pct);
	if (it->slope.direction > 0)
		snprintf(out, size, "%s " ARROW_UP " over %zu %s", pct, n,
		         ls_trends_period_word(c->months, n));
	else if (it->slope.direction < 0)
		snprintf(out, size, "%s " ARROW_DOWN " over %zu %s", pct, n,
		         ls_trends_period_word(c->months, n));
	else if (fabs(it->growth_mid) >= 0.05)
		/* the line moves, but not certainly: say both */
		snprintf(out, size, "%s over %zu %s, geen zekere richting", pct,
		         n, ls_trends_period_word(c->months, n));
	else
		snprintf(out, size, "geen duidelijke richting");
}

/* ---- head and cover --------------------------------------------------- */

static void head(struct ctx *c, const char *title)
{
	put(c, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n"
	       "<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, "
	       "initial-scale=1\">\n"
	       "<meta name=\"generator\" content=\"Lokaal Signaal\">\n"
	       "<title>");
	html(c, title);
	put(c, "</title>\n<style>\n");
	put(c, (const char *)view_bundle_css);
	put(c, "</style>\n</head>\n<body>\n<main class=\"report\">\n");
}

static void cover(struct ctx *c, const char *title, size_t n_recognised)
{
	const struct trends_options *o = ls_trends_options_get(c->t);
	char a[48], b[48];
	period_long(&o->first, a, sizeof a);
	period_long(&o->last, b, sizeof b);
	put(c, "<header class=\"cover\">\n<p class=\"kicker\">Lokaal "
	       "Signaal");
	if (c->in->publisher != NULL) {
		put(c, " &middot; ");
		html(c, c->in->publisher);
	}
	put(c, "</p>\n<h1>");
	html(c, title);
	put(c, "</h1>\n<p class=\"subtitle\">Structurele signalen van "
	       "veldwerkers uit ");
	PF(c, "%zu %s, van %s tot %s", ls_trends_n_origins(c->t),
	   ls_trends_n_origins(c->t) == 1 ? "gemeente" : "gemeenten", a, b);
	put(c, "</p>\n<ul class=\"facts\">");
	PF(c, "<li><strong>%zu</strong> gemeenten</li>",
	   ls_trends_n_origins(c->t));
	PF(c, "<li><strong>%zu</strong> %s</li>", ls_trends_n_periods(c->t),
	   ls_trends_period_word(c->months, ls_trends_n_periods(c->t)));
	PF(c, "<li><strong>%zu</strong> samenvattingen</li>",
	   ls_trends_n_sources(c->t));
	PF(c, "<li><strong>%zu</strong> erkende structurele signalen</li>",
	   n_recognised);
	put(c, "</ul>\n");
	if (c->in->generated != NULL) {
		put(c, "<p class=\"made\">Gemaakt op ");
		html(c, c->in->generated);
		put(c, " uit de geanonimiseerde samenvattingen van de "
		       "gemeenten. Ruwe signalen verlaten nooit de "
		       "gemeente.</p>\n");
	}
	put(c, "</header>\n");
}

static void toc(struct ctx *c)
{
	put(c, "<nav class=\"toc\" aria-label=\"Inhoud\"><h2>Inhoud</h2><ol>"
	       "<li><a href=\"#kort\">In het kort</a></li>"
	       "<li><a href=\"#prioriteiten\">Prioriteiten</a></li>");
	for (size_t i = 0; i < c->n_lead; i++) {
		PF(c, "<li><a href=\"#thema-%s\">", c->lead[i]->theme_code);
		html(c, c->lead[i]->theme_label);
		put(c, "</a></li>");
	}
	put(c, "<li><a href=\"#jongeren\">Jongeren</a></li>"
	       "<li><a href=\"#gemeenten\">Gemeenten naast elkaar</a></li>"
	       "<li><a href=\"#structureel\">Erkende structurele signalen en "
	       "acties</a></li>"
	       "<li><a href=\"#methode\">Methode en bescherming van "
	       "gegevens</a></li></ol></nav>\n");
}

/* ---- in short --------------------------------------------------------- */

static const struct trends_item *top_youth(struct ctx *c, size_t k)
{
	const struct trends_item *items[8];
	struct ls_trends_select sel = {.levels = 1u << TRENDS_LEVEL_AGE,
	                               .youth = 1};
	size_t n = ls_trends_select(c->t, &sel, items, 8);
	return k < n && k < 8 ? items[k] : NULL;
}

static void in_short(struct ctx *c, size_t n_recognised, size_t n_rec_origins)
{
	const struct trends_item *y = top_youth(c, 0);
	put(c, "<section id=\"kort\" class=\"chapter summary\">\n"
	       "<h2>In het kort</h2>\n");
	if (ls_trends_n_origins(c->t) == 0) {
		put(c, "<p>Er zijn nog geen samenvattingen voor deze "
		       "periode.</p>\n</section>\n");
		return;
	}
	put(c, "<p class=\"lead\">Deze bundel brengt de signalen van "
	       "veldwerkers samen over de gemeenten heen: welke problemen "
	       "keren terug, komen in veel gemeenten voor en nemen toe. De "
	       "belangrijkste:</p>\n<ol class=\"top\">\n");
	for (size_t i = 0; i < c->n_lead && i < 3; i++) {
		put(c, "<li><a href=\"#thema-");
		put(c, c->lead[i]->theme_code);
		put(c, "\"><strong>");
		html(c, c->lead[i]->theme_label);
		put(c, "</strong></a> &mdash; ");
		html(c, c->lead[i]->explanation);
		put(c, ".</li>\n");
	}
	put(c, "</ol>\n<div class=\"callouts\">\n");
	if (y != NULL) {
		put(c, "<div class=\"callout youth\"><h3>Jongeren</h3><p>"
		       "Bij jongeren springt <strong>");
		html(c, y->theme_label);
		put(c, "</strong> eruit (");
		/* the label is "18 tot 24 jaar" already */
		html(c, y->other_label);
		put(c, "): ");
		html(c, y->explanation);
		put(c, ".</p></div>\n");
	}
	put(c, "<div class=\"callout\"><h3>Erkend als structureel</h3><p>");
	if (n_recognised == 0)
		put(c, "Nog geen gemeente deelde een dossier dat als "
		       "structureel signaal erkend is.");
	else
		PF(c,
		   "%zu %s in %zu %s erkend als structureel signaal, met de "
		   "acties die volgden: zie <a href=\"#structureel\">erkende "
		   "structurele signalen</a>.",
		   n_recognised, n_recognised == 1 ? "dossier" : "dossiers",
		   n_rec_origins,
		   n_rec_origins == 1 ? "gemeente" : "gemeenten");
	put(c, "</p></div>\n<div class=\"callout\"><h3>Zo lees je de "
	       "cijfers</h3><p>Kleine aantallen worden in de gemeenten "
	       "afgeschermd. Een cijfer als <span class=\"num\">12" DASH
	       "20</span> is een bereik: het echte aantal ligt ertussen. In "
	       "de grafieken is dat de gekleurde band.</p></div>\n"
	       "</div>\n</section>\n");
}

/* ---- priorities ------------------------------------------------------- */

static void bar(struct ctx *c, double score)
{
	char s[16];
	score_text(score, s, sizeof s);
	PF(c,
	   "<div class=\"score\"><span class=\"bar\"><span "
	   "style=\"width:%.1f%%\"></span></span><span "
	   "class=\"num\">%s</span></div>",
	   score < 0     ? 0
	   : score > 100 ? 100
	                 : score,
	   s);
}

static void priorities(struct ctx *c)
{
	size_t n;
	const struct trends_item *const *r =
	    ls_trends_ranked(c->t, TRENDS_LEVEL_THEME, &n);
	put(c, "<section id=\"prioriteiten\" class=\"chapter\">\n"
	       "<h2>Prioriteiten</h2>\n<p>Elk thema krijgt een score van 0 "
	       "tot 100: hoe meer gemeenten het melden, hoe meer gemeenten "
	       "een stijging zien, hoe sterker de groei (die niet van "
	       "&eacute;&eacute;n gemeente afhangt), hoe langer op rij, hoe "
	       "meer sectoren en hoe meer mensen, hoe hoger. Hoe de score "
	       "precies berekend wordt, staat bij <a "
	       "href=\"#methode\">Methode</a>.</p>\n<table "
	       "class=\"ranking\"><thead><tr><th class=\"r\">#</th>"
	       "<th>Thema</th><th>Score</th><th>Waarom</th></tr></thead>"
	       "<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const struct trends_item *it = r[i];
		if (it->n_report_hi == 0)
			continue; /* never reported: nothing to say */
		PF(c, "<tr%s><td class=\"r\">%u</td><td class=\"theme\">",
		   i < c->n_lead ? " class=\"leading\"" : "", it->rank);
		if (i < c->n_lead)
			PF(c, "<a href=\"#thema-%s\">", it->theme_code);
		html(c, it->theme_label);
		if (i < c->n_lead)
			put(c, "</a>");
		put(c, "</td><td>");
		bar(c, it->score);
		put(c, "</td><td class=\"why\">");
		html(c, it->explanation);
		put(c, "</td></tr>\n");
	}
	put(c, "</tbody></table>\n</section>\n");
}

/* ---- a chart of an item ------------------------------------------------ */

/* What an item's chart shows: the sum of ranges, the federation totals,
 * or the one and the other in different periods. */
static void chart_desc(struct ctx *c, const struct trends_item *it, size_t n,
                       char *desc, size_t size)
{
	if (it->fed_periods == 0)
		snprintf(desc, size,
		         "Aantal signalen per %s over alle gemeenten; de band "
		         "toont het bereik waar kleine aantallen zijn "
		         "afgeschermd.",
		         ls_trends_period_word(c->months, 1));
	else if (it->fed_periods == n)
		snprintf(
		    desc, size,
		    "Aantal signalen per %s in het federatietotaal "
		    "(beveiligde optelling, %u%s%u gemeenten); de band "
		    "toont het 90%%-interval.",
		    ls_trends_period_word(c->months, 1), it->fed_included_min,
		    it->fed_included_min == it->fed_included_max ? "" : DASH,
		    it->fed_included_max);
	else
		snprintf(desc, size,
		         "Aantal signalen per %s: het federatietotaal "
		         "(beveiligde optelling) in %u van de %zu %s, met zijn "
		         "90%%-interval als band; in de andere het bereik van "
		         "de som van de gemeenten.",
		         ls_trends_period_word(c->months, 1), it->fed_periods,
		         n, ls_trends_period_word(c->months, n));
}

static void item_chart(struct ctx *c, const struct trends_item *it,
                       unsigned height, const char *color)
{
	size_t n = ls_trends_n_periods(c->t);
	int local = ls_trends_item_local_rise(it);
	const char *town =
	    local ? ls_trends_origin_id(c->t, (size_t)it->robust_origin) : NULL;
	struct chart_point *pts = ls_calloc(n, sizeof *pts);
	struct chart_point *own = ls_calloc(n, sizeof *own);
	char **labels = ls_calloc(n, sizeof *labels);
	char *text = ls_calloc(n, 24);
	char title[300], desc[400], unit[64];
	struct chart ch;
	struct chart_series s[2];
	size_t gaps = 0;

	if (pts == NULL || own == NULL || labels == NULL || text == NULL) {
		c->b->err = LS_ENOMEM;
		goto out;
	}
	for (size_t slot = 0; slot < n; slot++) {
		struct trends_value v;
		struct ls_period p;
		int64_t lo, hi;
		ls_trends_item_series(c->t, it, 0, slot, &v);
		ls_trends_value_interval(&v, &lo, &hi);
		pts[slot].lo = (double)lo;
		pts[slot].hi = (double)hi;
		pts[slot].present = ls_trends_coverage(c->t, slot) > 0;
		gaps += ls_trends_coverage(c->t, slot) <
		        (uint32_t)ls_trends_n_origins(c->t);
		if (local) {
			size_t o = (size_t)it->robust_origin;
			ls_trends_origin_series(c->t, o, it, slot, &v);
			ls_trends_value_interval(&v, &lo, &hi);
			own[slot].lo = (double)lo;
			own[slot].hi = (double)hi;
			own[slot].present = ls_trends_origin_has(c->t, o, slot);
		}
		ls_trends_period_at(c->t, slot, &p);
		labels[slot] = text + slot * 24;
		period_short(&p, labels[slot], 24);
	}
	if (it->level == TRENDS_LEVEL_THEME)
		snprintf(title, sizeof title, "%s: signalen per %s",
		         it->theme_label, ls_trends_period_word(c->months, 1));
	else
		snprintf(title, sizeof title, "%s, %s: signalen per %s",
		         it->theme_label, it->other_label,
		         ls_trends_period_word(c->months, 1));
	chart_desc(c, it, n, desc, sizeof desc);
	snprintf(unit, sizeof unit, "signalen per %s",
	         ls_trends_period_word(c->months, 1));
	memset(&ch, 0, sizeof ch);
	ch.title = title;
	ch.desc = desc;
	ch.width = BUNDLE_CHART_WIDTH;
	ch.height = height;
	ch.n = n;
	ch.xlabels = (const char *const *)labels;
	ch.y_label = unit;
	ch.shade_from = it->has_growth ? ls_trends_growth_first(c->t) : n;
	ch.shade_label = "groeivenster";
	if (it->has_growth) {
		/* the trend the text reports: the fitted line of the growth
		 * window, around the level of the series it was fitted on */
		size_t g0 = ls_trends_growth_first(c->t);
		double half = it->slope.mid * (double)(n - 1 - g0) / 2.0;
		ch.has_fit = 1;
		ch.fit_from = g0;
		ch.fit_y0 = it->slope.level - half;
		ch.fit_y1 = it->slope.level + half;
	}
	s[0].name = local ? "alle gemeenten" : it->theme_label;
	s[0].color = color;
	s[0].points = pts;
	s[1].name = town != NULL ? name_of(c, town) : "";
	s[1].color = "#b5562b";
	s[1].points = own;
	PF(c, "<figure class=\"chart%s\">", local ? " local" : "");
	if (n > CHART_MAX_POINTS ||
	    ls_chart_svg(c->b, &ch, s, local ? 2 : 1) != LS_OK)
		put(c, "<p>(grafiek niet beschikbaar)</p>");
	put(c, "<figcaption>");
	html(c, desc);
	if (it->has_growth) {
		char pct[32];
		size_t gn = n - ls_trends_growth_first(c->t);
		pct_text(it->growth_mid, pct, sizeof pct);
		PF(c,
		   " De stippellijn is de trend over de laatste %zu %s "
		   "waarover de tekst spreekt (%s",
		   gn, ls_trends_period_word(c->months, gn), pct);
		put(c, it->slope.direction > 0   ? ", zeker stijgend)."
		       : it->slope.direction < 0 ? ", zeker dalend)."
		                                 : ", geen zekere richting).");
	}
	if (local) {
		put(c, " <strong>Lokale stijging:</strong> de stijging komt "
		       "vooral uit één gemeente, ");
		html(c, name_of(c, town));
		put(c, " (oranje lijn); zonder die gemeente blijft er weinig "
		       "van over.");
	}
	if (gaps > 0)
		PF(c,
		   " In %zu %s ontbreekt de samenvatting van een of meer "
		   "gemeenten; daar ligt de lijn lager dan de werkelijkheid.",
		   gaps, ls_trends_period_word(c->months, gaps));
	put(c, "</figcaption></figure>\n");
out:
	ls_free(pts);
	ls_free(own);
	ls_free(labels);
	ls_free(text);
}

/* ---- a leading theme ---------------------------------------------------- */

static void card(struct ctx *c, const char *label, const char *value,
                 const char *note)
{
	put(c, "<div class=\"card\"><div class=\"label\">");
	html(c, label);
	put(c, "</div><div class=\"value\">");
	html(c, value);
	put(c, "</div>");
	if (note != NULL && note[0] != '\0') {
		put(c, "<div class=\"note\">");
		html(c, note);
		put(c, "</div>");
	}
	put(c, "</div>");
}

/* The codes of a breakdown table by their window total, largest first. */
static void breakdown(struct ctx *c, const struct trends_item *it, int table,
                      const char *heading, size_t max)
{
	size_t n = ls_trends_n_codes(c->t, table), order[64], shown = 0;
	double mid[64];
	if (n > 64)
		n = 64;
	for (size_t j = 0; j < n; j++) {
		struct trends_value v;
		ls_trends_cell_total(c->t, table, it->theme, j, 0, &v);
		mid[j] = ls_trends_value_mid(&v);
		order[j] = j;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && mid[order[j]] > mid[order[j - 1]];
		     j--) {
			size_t tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	put(c, "<div class=\"breakdown\"><h3>");
	html(c, heading);
	put(c, "</h3><table><tbody>");
	for (size_t i = 0; i < n && shown < max; i++) {
		struct trends_value v;
		char text[64];
		int64_t lo, hi;
		ls_trends_cell_total(c->t, table, it->theme, order[i], 0, &v);
		ls_trends_value_interval(&v, &lo, &hi);
		/* "no problem type" says nothing about the problem */
		if (hi == 0 || (table == LS_TABLE_THEME_PROBLEM &&
		                strcmp(ls_trends_code(c->t, table, order[i]),
		                       LS_PROBLEM_NONE) == 0))
			continue;
		value_text(&v, text, sizeof text);
		put(c, "<tr><td>");
		html(c, ls_trends_label(c->t, table, order[i]));
		put(c, "</td><td class=\"num\">");
		html(c, text);
		put(c, "</td>");
		if (table == LS_TABLE_THEME_AGE) {
			const struct trends_item *sub = ls_trends_item_find(
			    c->t, TRENDS_LEVEL_AGE, it->theme_code,
			    ls_trends_code(c->t, table, order[i]));
			put(c, "<td class=\"dir\">");
			if (sub != NULL && sub->has_growth)
				put(c, sub->slope.direction > 0   ? ARROW_UP
				       : sub->slope.direction < 0 ? ARROW_DOWN
				                                  : ARROW_FLAT);
			put(c, "</td>");
		}
		put(c, "</tr>");
		shown++;
	}
	if (shown == 0)
		put(c, "<tr><td>geen gegevens</td></tr>");
	put(c, "</tbody></table></div>");
}

static void notes_list(struct ctx *c, const char *theme, int all)
{
	size_t shown = 0;
	if (c->in->notes == NULL)
		return;
	for (size_t i = 0; i < ls_structural_count(c->in->notes); i++) {
		const struct structural_note *x =
		    ls_structural_at(c->in->notes, i);
		if (strcmp(x->theme, theme) != 0 ||
		    (!all && !ls_structural_recognised(x->phase)))
			continue;
		if (shown++ == 0)
			put(c, "<ul class=\"notes\">");
		put(c, "<li><strong>");
		html(c, name_of(c, x->origin));
		put(c, "</strong> <span class=\"phase\">");
		html(c, ls_phase_name((enum ls_phase)x->phase));
		put(c, "</span> ");
		html(c, x->headline);
		put(c, "</li>");
	}
	if (shown > 0)
		put(c, "</ul>");
}

static void rising_where(struct ctx *c, const struct trends_item *it)
{
	size_t shown = 0;
	for (size_t o = 0; o < ls_trends_n_origins(c->t); o++) {
		struct ls_trends_origin_item oi;
		if (ls_trends_origin_item(c->t, o, it, &oi) != LS_OK ||
		    oi.direction <= 0)
			continue;
		put(c, shown++ == 0 ? "<p class=\"where\">Stijgt in: " : ", ");
		html(c, name_of(c, ls_trends_origin_id(c->t, o)));
	}
	if (shown > 0)
		put(c, ".</p>");
}

static void lead_chapter(struct ctx *c, const struct trends_item *it)
{
	char v[96], note[96];
	size_t n = ls_trends_n_periods(c->t) - ls_trends_growth_first(c->t);
	PF(c, "<section id=\"thema-%s\" class=\"chapter theme\">\n",
	   it->theme_code);
	PF(c, "<p class=\"kicker\">Prioriteit %u", it->rank);
	if (ls_trends_item_local_rise(it)) {
		put(c, " &middot; <span class=\"local\">lokale stijging "
		       "(");
		html(c, name_of(c, ls_trends_origin_id(
		                       c->t, (size_t)it->robust_origin)));
		put(c, ")</span>");
	}
	put(c, "</p><h2>");
	html(c, it->theme_label);
	put(c, "</h2>\n<p class=\"lead\">");
	html(c, it->explanation);
	put(c, ".</p>\n<div class=\"cards\">");
	spread_text(it, v, sizeof v);
	card(c, "Gemeenten die het melden", v, NULL);
	trend_text(c, it, v, sizeof v);
	note[0] = '\0';
	if (it->rising_since > 0)
		snprintf(note, sizeof note, "stijgend sinds %u %s",
		         it->rising_since,
		         ls_trends_period_word(c->months, it->rising_since));
	card(c, "Trend", v, note);
	snprintf(v, sizeof v, "%u van %u", it->n_rising, it->n_complete);
	snprintf(note, sizeof note, "met een volledige reeks over %zu %s", n,
	         ls_trends_period_word(c->months, n));
	card(c, "Stijgt in gemeenten", v, note);
	if (it->has_growth && it->slope.direction > 0)
		card(c, "Gedragen door",
		     ls_trends_item_local_rise(it)
		         ? name_of(c, ls_trends_origin_id(
		                          c->t, (size_t)it->robust_origin))
		         : "meerdere gemeenten",
		     ls_trends_item_local_rise(it)
		         ? "vooral één gemeente: een lokaal signaal"
		         : "blijft zonder elke afzonderlijke gemeente");
	snprintf(v, sizeof v, "%u %s", it->run,
	         ls_trends_period_word(c->months, it->run));
	card(c, "Op rij gemeld", v, NULL);
	if (it->sectors_lo == it->sectors_hi)
		snprintf(v, sizeof v, "%u van %u", it->sectors_lo,
		         it->n_sectors);
	else
		snprintf(v, sizeof v, "%u" DASH "%u van %u", it->sectors_lo,
		         it->sectors_hi, it->n_sectors);
	card(c, "Sectoren", v, NULL);
	if (it->fed_periods > 0) {
		/* the federation summaries' total, with how many
		 * municipalities are in it, and the sum of ranges it
		 * replaces */
		char fed[160], ranges[64], big[320];
		ls_trends_format_federation(&it->signals, 0, 0, 0, v, sizeof v);
		ls_trends_format_federation(
		    &it->signals, it->fed_included_min, it->fed_included_max,
		    (uint32_t)ls_trends_n_origins(c->t), fed, sizeof fed);
		value_text(&it->signals_ranges, ranges, sizeof ranges);
		snprintf(big, sizeof big,
		         "federatietotaal (%s); som van de bereiken van de "
		         "gemeenten: %s",
		         strstr(fed, ", ") != NULL ? strstr(fed, ", ") + 2
		                                   : fed,
		         ranges);
		card(c, "Signalen", v, big);
		ls_trends_format_federation(&it->persons, 0, 0, 0, v, sizeof v);
		card(c, "Betrokken personen", v, "federatietotaal");
	} else {
		value_text(&it->signals, v, sizeof v);
		card(c, "Signalen", v, NULL);
		value_text(&it->persons, v, sizeof v);
		card(c, "Betrokken personen", v, NULL);
	}
	put(c, "</div>\n");
	item_chart(c, it, BUNDLE_CHART_HEIGHT, "#1f5f8b");
	rising_where(c, it);
	put(c, "<div class=\"grid3\">");
	breakdown(c, it, LS_TABLE_THEME_AGE, "Per leeftijd", 6);
	breakdown(c, it, LS_TABLE_THEME_SECTOR, "Gemeld door", 6);
	breakdown(c, it, LS_TABLE_THEME_PROBLEM, "Soort probleem", 5);
	breakdown(c, it, LS_TABLE_THEME_TARGET, "Doelgroepen", 6);
	put(c, "</div>\n");
	if (c->in->notes != NULL &&
	    ls_structural_theme_origins(c->in->notes, it->theme_code, 1) > 0) {
		put(c, "<h3>Wat gemeenten deden</h3>");
		notes_list(c, it->theme_code, 0);
	}
	put(c, "</section>\n");
}

/* ---- youth ------------------------------------------------------------ */

static void youth(struct ctx *c)
{
	const struct trends_item *items[10];
	struct ls_trends_select sel = {.levels = 1u << TRENDS_LEVEL_AGE,
	                               .youth = 1};
	size_t n = ls_trends_select(c->t, &sel, items, 10), shown = 0;
	const struct trends_item *const *themes;
	size_t n_themes;
	put(c, "<section id=\"jongeren\" class=\"chapter\">\n<h2>Jongeren</h2>"
	       "\n<p class=\"lead\">Het project besteedt bijzondere aandacht "
	       "aan jongeren. Dit hoofdstuk zet de signalen over jongeren van "
	       "12 tot 17 en van 18 tot 24 jaar op een rij, gerangschikt met "
	       "dezelfde score.</p>\n");
	if (n > 10)
		n = 10;
	if (n == 0 || items[0]->n_report_hi == 0) {
		put(c, "<p>Geen signalen over jongeren in deze "
		       "periode.</p>\n</section>\n");
		return;
	}
	put(c, "<table class=\"ranking\"><thead><tr><th class=\"r\">#</th>"
	       "<th>Thema en leeftijd</th><th>Score</th><th>Waarom</th></tr>"
	       "</thead><tbody>\n");
	for (size_t i = 0; i < n; i++) {
		if (items[i]->n_report_hi == 0)
			continue;
		PF(c, "<tr><td class=\"r\">%zu</td><td class=\"theme\">",
		   ++shown);
		item_title(c, items[i]);
		put(c, "</td><td>");
		bar(c, items[i]->score);
		put(c, "</td><td class=\"why\">");
		html(c, items[i]->explanation);
		put(c, "</td></tr>\n");
	}
	put(c, "</tbody></table>\n");
	for (size_t i = 0; i < n && i < 2; i++) {
		PF(c, "<h3>%zu. ", i + 1);
		item_title(c, items[i]);
		put(c, "</h3>\n");
		item_chart(c, items[i], BUNDLE_YOUTH_CHART_HEIGHT, "#b5562b");
	}
	themes = ls_trends_ranked(c->t, TRENDS_LEVEL_THEME, &n_themes);
	put(c, "<h3>Aandeel jongeren per thema</h3>\n<table "
	       "class=\"plain\"><thead><tr><th>Thema</th><th "
	       "class=\"num\">12" DASH "17</th><th class=\"num\">18" DASH
	       "24</th><th>Aandeel 12" DASH "24</th></tr></thead><tbody>");
	for (size_t i = 0; i < n_themes; i++) {
		const struct trends_item *it = themes[i];
		const struct trends_item *a = ls_trends_item_find(
		    c->t, TRENDS_LEVEL_AGE, it->theme_code, TRENDS_YOUTH_1);
		const struct trends_item *b = ls_trends_item_find(
		    c->t, TRENDS_LEVEL_AGE, it->theme_code, TRENDS_YOUTH_2);
		char x[64], y[64];
		if (it->n_report_hi == 0 || a == NULL || b == NULL)
			continue;
		value_text(&a->signals, x, sizeof x);
		value_text(&b->signals, y, sizeof y);
		put(c, "<tr><td>");
		html(c, it->theme_label);
		put(c, "</td><td class=\"num\">");
		html(c, x);
		put(c, "</td><td class=\"num\">");
		html(c, y);
		put(c, "</td><td>");
		PF(c,
		   "<div class=\"score small\"><span class=\"bar youth\"><span "
		   "style=\"width:%.1f%%\"></span></span><span "
		   "class=\"num\">%.0f%%</span></div>",
		   it->youth_share * 100.0, it->youth_share * 100.0);
		put(c, "</td></tr>");
	}
	put(c, "</tbody></table>\n</section>\n");
}

/* ---- municipalities side by side ---------------------------------------- */

static void side_by_side(struct ctx *c)
{
	size_t np = ls_trends_n_periods(c->t);
	put(c, "<section id=\"gemeenten\" class=\"chapter\">\n<h2>Gemeenten "
	       "naast elkaar</h2>\n<p>Per gemeente het aantal signalen over de "
	       "hele periode voor de belangrijkste thema's, met de richting "
	       "in het groeivenster: " ARROW_UP " stijgend, " ARROW_DOWN
	       " dalend, " ARROW_FLAT " geen duidelijke richting. Kleine "
	       "gemeenten hebben vaak bereiken: daar is een richting zelden "
	       "zeker.</p>\n<div class=\"wide\"><table "
	       "class=\"matrix\"><thead><tr><th>Gemeente</th>");
	for (size_t i = 0; i < c->n_lead; i++) {
		char label[LS_LABEL_MAX + 1];
		short_label(c->lead[i]->theme_label, label, sizeof label);
		put(c, "<th class=\"num\">");
		html(c, label);
		put(c, "</th>");
	}
	PF(c,
	   "<th class=\"num\">%s met samenvatting</th></tr></thead>"
	   "<tbody>\n",
	   ls_trends_period_word(c->months, 2));
	for (size_t o = 0; o < ls_trends_n_origins(c->t); o++) {
		size_t have = 0;
		put(c, "<tr><th>");
		html(c, name_of(c, ls_trends_origin_id(c->t, o)));
		put(c, "</th>");
		for (size_t i = 0; i < c->n_lead; i++) {
			struct ls_trends_origin_item oi;
			char text[64];
			ls_trends_origin_item(c->t, o, c->lead[i], &oi);
			value_text(&oi.total, text, sizeof text);
			put(c, "<td class=\"num\">");
			html(c, text);
			put(c, " <span class=\"dir\">");
			if (ls_trends_origin_complete(c->t, o))
				put(c, oi.direction > 0   ? ARROW_UP
				       : oi.direction < 0 ? ARROW_DOWN
				                          : ARROW_FLAT);
			put(c, "</span></td>");
		}
		for (size_t slot = 0; slot < np; slot++)
			have += (size_t)ls_trends_origin_has(c->t, o, slot);
		PF(c, "<td class=\"num\">%zu/%zu</td></tr>\n", have, np);
	}
	put(c, "</tbody></table></div>\n</section>\n");
}

/* ---- structural signals ----------------------------------------------------
 */

static void structural_chapter(struct ctx *c)
{
	const char *theme = NULL;
	size_t n = c->in->notes ? ls_structural_count(c->in->notes) : 0;
	int open = 0;
	put(c, "<section id=\"structureel\" class=\"chapter\">\n<h2>Erkende "
	       "structurele signalen en acties</h2>\n<p>Een signaal is "
	       "structureel als het duidelijk, neutraal, herkend en gedeeld "
	       "is. Gemeenten delen zulke dossiers met hun thema, de fase en "
	       "wat ze eraan doen, zodat ze van elkaar kunnen leren. Er gaat "
	       "geen persoonsgegeven mee.</p>\n");
	if (n == 0) {
		put(c, "<p>Nog geen gedeelde dossiers.</p>\n</section>\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct structural_note *x =
		    ls_structural_at(c->in->notes, i);
		size_t th = SIZE_MAX;
		if (theme == NULL || strcmp(theme, x->theme) != 0) {
			if (open)
				put(c, "</tbody></table>\n");
			theme = x->theme;
			for (size_t k = 0;
			     k < ls_trends_n_codes(c->t, LS_TABLE_THEME); k++)
				if (strcmp(
				        ls_trends_code(c->t, LS_TABLE_THEME, k),
				        theme) == 0)
					th = k;
			put(c, "<h3>");
			html(c, th != SIZE_MAX
			            ? ls_trends_label(c->t, LS_TABLE_THEME, th)
			            : theme);
			PF(c,
			   " <span class=\"count\">erkend in %zu %s</span></h3>"
			   "\n<table class=\"plain "
			   "notes\"><thead><tr><th>Gemeente"
			   "</th><th>Fase</th><th>Soort probleem</th><th>Actie"
			   "</th></tr></thead><tbody>",
			   ls_structural_theme_origins(c->in->notes, theme, 1),
			   ls_structural_theme_origins(c->in->notes, theme,
			                               1) == 1
			       ? "gemeente"
			       : "gemeenten");
			open = 1;
		}
		PF(c, "<tr%s><td>",
		   ls_structural_recognised(x->phase) ? ""
		                                      : " class=\"pending\"");
		html(c, name_of(c, x->origin));
		put(c, "</td><td>");
		html(c, ls_phase_name((enum ls_phase)x->phase));
		if (!ls_structural_recognised(x->phase))
			put(c, " (nog niet erkend)");
		put(c, "</td><td>");
		if (x->problem_type[0] != '\0') {
			size_t p = SIZE_MAX;
			for (size_t k = 0;
			     k <
			     ls_trends_n_codes(c->t, LS_TABLE_THEME_PROBLEM);
			     k++)
				if (strcmp(ls_trends_code(
				               c->t, LS_TABLE_THEME_PROBLEM, k),
				           x->problem_type) == 0)
					p = k;
			html(c, p != SIZE_MAX
			            ? ls_trends_label(c->t,
			                              LS_TABLE_THEME_PROBLEM, p)
			            : x->problem_type);
		}
		put(c, "</td><td>");
		html(c, x->headline);
		put(c, "</td></tr>\n");
	}
	if (open)
		put(c, "</tbody></table>\n");
	put(c, "</section>\n");
}

/* ---- method ------------------------------------------------------------ */

/* How to read the federation totals, and for which periods there are
 * some. */
static void federation_method(struct ctx *c)
{
	size_t n = ls_trends_n_periods(c->t), nf = ls_trends_n_federation(c->t);
	uint32_t lo = 0, hi = 0;
	put(c, "<h3>Federatietotalen</h3>\n");
	if (nf == 0) {
		put(c, "<p>Voor deze periode zijn er nog geen federatietotalen "
		       "(beveiligde optelling): de cijfers van de federatie "
		       "zijn de som van de bereiken van de gemeenten.</p>\n");
		return;
	}
	for (size_t slot = 0; slot < n; slot++) {
		uint32_t k = ls_trends_federation_at(c->t, slot);
		if (k == 0)
			continue;
		if (lo == 0 || k < lo)
			lo = k;
		if (k > hi)
			hi = k;
	}
	PF(c,
	   "<p>Voor %zu van de %zu %s heeft de koepel een federatietotaal: "
	   "de gemeenten tellen hun exacte aantallen op met een beveiligde "
	   "optelling, zodat niemand, ook de koepel niet, de aantallen van "
	   "&eacute;&eacute;n gemeente ziet. Elke gemeente voegt een beetje "
	   "ruis toe; alleen het totaal wordt bekend. In die %s komen de "
	   "cijfers van de federatie uit dat totaal, van %u",
	   nf, n, ls_trends_period_word(c->months, n),
	   ls_trends_period_word(c->months, nf), lo);
	if (hi != lo)
		PF(c, DASH "%u", hi);
	put(c, " gemeenten. Zo lees je het: <strong>41 (40" DASH
	       "42), 9 van 10 gemeenten</strong> is het totaal van 9 van de "
	       "10 gemeenten met de ruis erin; het echte aantal ligt met 90% "
	       "zekerheid tussen 40 en 42. Het is veel nauwkeuriger dan de som "
	       "van de bereiken van de gemeenten, die ernaast staat. Hoeveel "
	       "gemeenten een stijging zien en de cijfers per gemeente komen "
	       "nog altijd uit hun eigen samenvattingen.");
	if (nf < n)
		put(c, " In de andere perioden is het cijfer van de federatie "
		       "de som van de bereiken van de gemeenten.");
	put(c, "</p>\n");
}

/* The method chapter's first section: where the numbers come from and
 * what a range means under each disclosure mode of the summaries. */
static void method_ranges(struct ctx *c)
{
	put(c, "<section id=\"methode\" class=\"chapter method\">\n<h2>Methode "
	       "en bescherming van gegevens</h2>\n<h3>Waar de cijfers vandaan "
	       "komen</h3>\n<p>Veldwerkers registreren signalen in hun eigen "
	       "gemeente. Die ruwe signalen verlaten de gemeente nooit. Elke "
	       "gemeente maakt per periode een samenvatting met alleen "
	       "tellingen per thema (en per leeftijd, doelgroep, sector en "
	       "soort probleem), ondertekent die en deelt ze. Deze bundel is "
	       "berekend uit die samenvattingen.</p>\n<h3>Wat een bereik "
	       "betekent</h3>\n");
	put(c, "<p>Om niemand herkenbaar te maken worden kleine aantallen "
	       "afgeschermd voor ze de gemeente verlaten.</p><ul>");
	for (size_t i = 0; i < ls_trends_n_params(c->t); i++) {
		size_t count;
		const struct ls_disclosure_params *p =
		    ls_trends_params_at(c->t, i, &count);
		if (p->mode == LS_MODE_THRESHOLD)
			PF(c,
			   "<li><strong>Drempel (k = %u)</strong>, %zu "
			   "samenvattingen: een aantal van 1 tot %u wordt "
			   "nooit als getal gedeeld, maar als bereik (zoals "
			   "1" DASH "%u of 0" DASH "%u); soms wordt ook een "
			   "groter aantal als bereik gedeeld, zodat het kleine "
			   "niet uit de andere cijfers te berekenen is. Een "
			   "bereik is zeker: het echte aantal ligt erin. "
			   "Bereiken tellen op: de som van de ondergrenzen en "
			   "van de bovengrenzen omsluit de echte som.</li>",
			   p->k, count, p->k - 1, p->k - 1, p->k - 1);
		else
			PF(c,
			   "<li><strong>Ruis (&epsilon; = %.2f)</strong>, %zu "
			   "samenvattingen: bij elk aantal is willekeurige "
			   "ruis opgeteld (differenti&euml;le privacy). Zo'n "
			   "cijfer is een schatting; de band toont het "
			   "90%%-interval. Waarden onder %u worden "
			   "achtergehouden en tellen als bereik van 0 tot de "
			   "bovengrens van hun interval.</li>",
			   p->epsilon_milli / 1000.0, count, p->withhold_below);
	}
	if (ls_trends_n_params(c->t) == 0)
		put(c, "<li>Geen samenvattingen in deze periode.</li>");
	put(c, "</ul>\n<p>Een ontbrekende rij in een samenvatting betekent "
	       "precies 0. Een afgeschermd aantal wordt nooit als 0 of als "
	       "een gok geteld: opgeteld met andere aantallen blijft het een "
	       "bereik. Het midden van een bereik wordt alleen gebruikt om "
	       "te tekenen en te rangschikken, nooit als aantal "
	       "getoond.</p>\n");
}

/* The priority score's components and their configured weights. */
static void method_score(struct ctx *c)
{
	const struct trends_options *o = ls_trends_options_get(c->t);
	uint64_t wsum = 0;

	put(c, "<h3>De prioriteitsscore</h3>\n<p>Elk thema krijgt zeven "
	       "deelscores tussen 0 en 1; de score is hun gewogen gemiddelde "
	       "maal 100.</p>\n<table class=\"plain\"><thead><tr><th>Deel"
	       "</th><th>Wat</th><th class=\"num\">Gewicht</th></tr></thead>"
	       "<tbody>");
	{
		static const char *const what[TRENDS_C_COUNT_] = {
		    "aandeel van de gemeenten dat het zeker meldt",
		    "aandeel van de gemeenten met een volledige reeks waar "
		    "het zeker stijgt",
		    "groei over het groeivenster, ondergrens, ook als de "
		    "gemeente die het meest bijdraagt wordt weggelaten; de "
		    "volle score vanaf de ingestelde groei",
		    "perioden op rij tot de laatste, gedeeld door het aantal "
		    "perioden",
		    "aandeel van de sectoren dat het zeker meldt",
		    "aantal betrokken personen, logaritmisch, tegenover het "
		    "grootste thema",
		    "aandeel jongeren van 12 tot 24 jaar"};
		for (int k = 0; k < TRENDS_C_COUNT_; k++) {
			wsum += o->weight[k];
			put(c, "<tr><td>");
			html(c, ls_trends_component_label_nl(k));
			put(c, "</td><td>");
			html(c, what[k]);
			PF(c, "</td><td class=\"num\">%u</td></tr>",
			   o->weight[k]);
		}
	}
	PF(c,
	   "</tbody></table>\n<p>De gewichten (samen %llu) staan in de "
	   "configuratie van de knoop, blok <code>[trends]</code>. Volle "
	   "punten voor groei vanaf %u%% over het groeivenster.</p>\n",
	   (unsigned long long)wsum, o->growth_full_pct);
}

/* How growth over the growth window is computed. */
static void method_growth(struct ctx *c)
{
	size_t gp = ls_trends_n_periods(c->t) - ls_trends_growth_first(c->t);

	PF(c,
	   "<h3>Groei</h3>\n<p>De groei wordt berekend over de laatste %zu "
	   "%s, en alleen over de gemeenten met een samenvatting voor elk "
	   "van die perioden, zodat een gemeente die haar laatste maand nog "
	   "niet deelde geen daling veroorzaakt. De helling is een "
	   "kleinste-kwadratenrechte: omdat die lineair is in de cijfers, "
	   "geven de grenzen van de bereiken haar kleinste en grootste "
	   "mogelijke waarde; daarbij komt de gewone onzekerheid van een "
	   "helling (95%%, Student-t). Een thema heet stijgend als zelfs de "
	   "kleinste waarde boven nul ligt. De groei telt pas mee als ze "
	   "blijft wanneer eender welke gemeente wordt weggelaten: een "
	   "stijging in &eacute;&eacute;n gemeente is een lokaal signaal, "
	   "geen gedeeld. &lsquo;Stijgend sinds&rsquo; is het begin van de "
	   "stijging volgens de knikrechte (eerst vlak, dan stijgend) die "
	   "het best past.</p>\n",
	   gp, ls_trends_period_word(c->months, gp));
}

/* The signed summaries every number is computed from, with their digest. */
static void method_sources(struct ctx *c)
{
	uint8_t digest[LS_HASH_BYTES];
	char hex[2 * LS_HASH_BYTES + 1];

	put(c, "<h3>Bronnen</h3>\n<p>Alle cijfers in deze bundel zijn "
	       "berekend uit precies deze ondertekende samenvattingen. Wie "
	       "dezelfde documenten heeft, krijgt dezelfde cijfers "
	       "(<code>signaalctl trends --bronnen</code>).</p>\n");
	ls_trends_sources_digest(c->t, digest);
	ls_hex_encode(digest, sizeof digest, hex);
	PF(c,
	   "<p class=\"digest\">Digest van de bronnen: <code>%s</code></p>\n",
	   hex);
	put(c, "<p class=\"small\">Per document: gemeente, nummer in haar "
	       "feed en het begin van de hash.</p>\n<ol class=\"sources\">");
	for (size_t i = 0; i < ls_trends_n_sources(c->t); i++) {
		const struct trends_docref *r = ls_trends_source_at(c->t, i);
		ls_hex_encode(r->hash, LS_HASH_BYTES, hex);
		put(c, "<li>");
		html(c, r->origin);
		PF(c, " %llu <code>%.16s</code></li>",
		   (unsigned long long)r->seq, hex);
	}
	put(c, "</ol>\n");
}

static void method(struct ctx *c)
{
	method_ranges(c);
	federation_method(c);
	method_score(c);
	method_growth(c);
	method_sources(c);
	put(c, "</section>\n");
}

/* ---- the page ---------------------------------------------------------- */

int ls_bundle_render(const struct bundle_input *in, struct ls_buf *out,
                     struct ls_errinfo *e)
{
	struct ctx c;
	const struct trends_item *const *r;
	char title[160];
	size_t n, n_recognised = 0, n_rec_origins = 0;

	if (in->trends == NULL || ls_trends_n_items(in->trends) == 0)
		return ls_errf(e, LS_EINVAL, "de trends zijn niet berekend");
	if (in->top < 1 || in->top > 32)
		return ls_errf(e, LS_EINVAL,
		               "aantal hoofdthema's %zu: kies 1 tot 32",
		               in->top);
	memset(&c, 0, sizeof c);
	c.in = in;
	c.t = in->trends;
	c.b = out;
	c.months = ls_trends_options_get(c.t)->first.months;
	r = ls_trends_ranked(c.t, TRENDS_LEVEL_THEME, &n);
	for (size_t i = 0; i < n && c.n_lead < in->top; i++)
		if (r[i]->n_report_hi > 0)
			c.lead[c.n_lead++] = r[i];
	if (in->notes != NULL) {
		char seen[64][LS_NODE_ID_SIZE];
		for (size_t i = 0; i < ls_structural_count(in->notes); i++) {
			const struct structural_note *x =
			    ls_structural_at(in->notes, i);
			int dup = 0;
			if (!ls_structural_recognised(x->phase))
				continue;
			n_recognised++;
			for (size_t k = 0; k < n_rec_origins && !dup; k++)
				dup = strcmp(seen[k], x->origin) == 0;
			if (!dup && n_rec_origins < 64)
				strcpy(seen[n_rec_origins++], x->origin);
		}
	}
	if (in->title != NULL) {
		snprintf(title, sizeof title, "%s", in->title);
	} else {
		const struct trends_options *o = ls_trends_options_get(c.t);
		if (o->first.year == o->last.year)
			snprintf(title, sizeof title, "Signalenbundel %d",
			         (int)o->first.year);
		else
			snprintf(title, sizeof title,
			         "Signalenbundel %d" DASH "%d",
			         (int)o->first.year, (int)o->last.year);
	}
	head(&c, title);
	cover(&c, title, n_recognised);
	toc(&c);
	in_short(&c, n_recognised, n_rec_origins);
	priorities(&c);
	for (size_t i = 0; i < c.n_lead; i++)
		lead_chapter(&c, c.lead[i]);
	youth(&c);
	side_by_side(&c);
	structural_chapter(&c);
	method(&c);
	put(&c, "<footer><p>Lokaal Signaal &middot; signalenbundel gemaakt met "
	        "<code>signaalctl bundle</code>. De cijfers zijn "
	        "geanonimiseerd; ze tonen wat veldwerkers zien, niet "
	        "iedereen die het probleem heeft.</p></footer>\n"
	        "</main>\n</body>\n</html>\n");
	if (ls_buf_error(out) != LS_OK)
		return ls_errf(e, ls_buf_error(out), "%s",
		               ls_strerror_nl(ls_buf_error(out)));
	return LS_OK;
}
