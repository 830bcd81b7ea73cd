/*
 * The signal bundle ("signalenbundel"): one self-contained HTML page in
 * Dutch, rendered from finished trends and the recognised structural
 * signals. No scripts and no external assets (inline CSS, charts as
 * inline SVG from view/chart.h), so the file can be mailed, archived and
 * printed; a print stylesheet gives A4 pages with each chapter on a new
 * page.
 *
 * Chapters: in short (the summary up front), priorities (every theme with
 * its score and explanation), one chapter per leading theme (key figures,
 * chart over time with ranges as bands, age bands, sectors, problem types,
 * where it rises, what municipalities did), youth, municipalities side by
 * side, structural signals and actions, and method and disclosure control
 * (what ranges mean, k, epsilon, the score and its weights, the documents
 * everything was computed from).
 *
 * Rendering is pure: it writes into a buffer and does no I/O. Every string
 * from data (labels, names, headlines, codes) is HTML-escaped.
 */
#ifndef LS_VIEW_BUNDLE_H
#define LS_VIEW_BUNDLE_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "core/structural.h"
#include "core/trends.h"
#include "view/trends_json.h"

struct bundle_input {
	const struct trends *trends; /* finished */
	struct structural *notes;    /* may be NULL */
	trends_name_fn names;        /* may be NULL: ids are shown */
	void *names_ctx;
	const char *title;     /* NULL: "Signalenbundel" */
	const char *publisher; /* who publishes it, may be NULL */
	const char *generated; /* date of making, e.g. "2026-01-15" */
	size_t top;            /* leading themes with a chapter, 1..18 */
};

/* Chart sizes, also what the browser test expects. */
#define BUNDLE_CHART_WIDTH 720
#define BUNDLE_CHART_HEIGHT 260
#define BUNDLE_YOUTH_CHART_HEIGHT 220

/*
 * Append the whole HTML document to out. LS_EINVAL when the trends are
 * not finished or top is out of range; buffer errors (LS_ENOMEM,
 * LS_ELIMIT) as ls_buf_error(out). *e gets details.
 */
int ls_bundle_render(const struct bundle_input *in, struct ls_buf *out,
                     struct ls_errinfo *e);

#endif
