/*
 * Loading trends for the CLI: options -> window (explicit, or the node's
 * [trends] window ending at the latest period most municipalities have
 * released) -> ls_trends_new -> node_trends_load -> ls_trends_finish, plus the
 * dossier notes and the members' names. Everything the user reads is
 * Dutch; a summary the trends refuse is a warning, not a failure.
 */
#include "tools/signaalctl/trends_ctl.h"
#include "common/err.h"
#include "core/period.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int trends_ctl_add_origin(const char *cmd, struct trends_ctl_args *a,
                          const char *id)
{
	if (!ls_node_id_valid(id, strlen(id)))
		return ctl_usage(cmd,
		                 "ongeldige gemeente '%.60s' (a-z, 0-9 en "
		                 "'-')",
		                 id);
	if (a->n_origins == TRENDS_CTL_MAX_ORIGINS)
		return ctl_usage(cmd, "hoogstens %d keer --gemeente",
		                 TRENDS_CTL_MAX_ORIGINS);
	a->origins[a->n_origins++] = id;
	return CTL_EXIT_OK;
}

static int parse_period(const char *cmd, const char *what, const char *text,
                        struct ls_period *out)
{
	if (ls_period_parse(text, out) != LS_OK)
		return ctl_usage(cmd,
		                 "ongeldige periode voor %s: '%.40s' (JJJJ-MM "
		                 "of JJJJ-MM+N)",
		                 what, text);
	return CTL_EXIT_OK;
}

/* The latest period with a summary (of the origins asked for). */
static int latest_period(struct trends_ctl *out,
                         const struct trends_ctl_args *a,
                         const struct node_trends_filter *f,
                         struct ls_period *to)
{
	struct ls_errinfo e;
	int found = 0;
	int rc;

	ls_errinfo_clear(&e);
	rc = node_trends_latest(out->node.store, f, to, &found, &e);
	if (rc != LS_OK) {
		ctl_error("%s", e.msg);
		return ctl_exit_for(rc);
	}
	if (!found) {
		ctl_error("deze knoop heeft nog geen samenvattingen%s die "
		          "meetellen; ze komen binnen via de synchronisatie "
		          "met de andere knopen ('signaalctl summary list' "
		          "toont ook wat niet meetelt)",
		          a->n_origins ? " van die gemeente(n)" : "");
		return CTL_EXIT_NOTFOUND;
	}
	return CTL_EXIT_OK;
}

/* Names, summaries and (when asked) structural notes into out->t. */
static int load_data(struct trends_ctl *out, const struct node_trends_filter *f,
                     int need_notes, struct ls_errinfo *e)
{
	int rc = node_names_load(out->node.store, &out->names, e);

	if (rc == LS_OK)
		rc = node_trends_load(out->node.store, out->t, f, &out->report,
		                      e);
	ls_trends_set_names(out->t, trends_ctl_name, out);
	if (rc == LS_OK)
		rc = ls_trends_finish(out->t, e);
	if (rc == LS_OK && need_notes) {
		rc = ls_structural_new(&out->notes);
		if (rc == LS_OK)
			rc = node_structural_load(out->node.store, out->notes,
			                          f, NULL, e);
		else
			ls_errf(e, rc, "onvoldoende geheugen");
	}
	return rc;
}

/* Warnings on stderr: summaries skipped, origins asked for without any. */
static void warn_missing(const struct trends_ctl *out,
                         const struct trends_ctl_args *a)
{
	if (out->report.refused > 0)
		fprintf(
		    stderr,
		    "signaalctl: let op: %llu samenvatting(en) overgeslagen, "
		    "bv. %s\n",
		    (unsigned long long)out->report.refused,
		    out->report.first_refused);
	for (size_t i = 0; i < a->n_origins; i++) {
		int seen = 0;
		for (size_t k = 0; k < ls_trends_n_origins(out->t) && !seen; k++)
			seen = strcmp(ls_trends_origin_id(out->t, k),
			              a->origins[i]) == 0;
		if (!seen)
			fprintf(stderr,
			        "signaalctl: let op: geen samenvattingen van "
			        "'%s' in dit venster\n",
			        a->origins[i]);
	}
}

int trends_ctl_load(const struct ctl_context *ctx, const char *cmd,
                    const struct trends_ctl_args *a, int need_notes,
                    struct trends_ctl *out)
{
	struct node_trends_filter f = {a->origins, a->n_origins};
	struct trends_options o;
	struct ls_period from, to;
	struct ls_errinfo e;
	int32_t window;
	int rc, have_from = 0, have_to = 0;

	memset(out, 0, sizeof *out);
	if (a->from != NULL) {
		if ((rc = parse_period(cmd, "--van", a->from, &from)) !=
		    CTL_EXIT_OK)
			return rc;
		have_from = 1;
	}
	if (a->to != NULL) {
		if ((rc = parse_period(cmd, "--tot", a->to, &to)) !=
		    CTL_EXIT_OK)
			return rc;
		have_to = 1;
	}
	if ((rc = ctl_node_open_read(ctx, &out->node)) != CTL_EXIT_OK)
		return rc;
	out->node_open = 1;
	window = (int32_t)out->node.config.trends_window;
	if (!have_to) {
		if ((rc = latest_period(out, a, &f, &to)) != CTL_EXIT_OK)
			return rc;
		if (have_from) {
			/* only --van: up to the latest, same length */
			to.months = from.months;
		}
	}
	if (!have_from && ls_period_add(&to, -(window - 1), &from) != LS_OK)
		from = to;
	ls_errinfo_clear(&e);
	ls_trends_options_default(&o, &to);
	o.first = from;
	node_trends_options_config(&out->node.config, &o);
	rc = ls_trends_options_check(&o, &e);
	if (rc == LS_OK)
		rc = ls_trends_new(store_taxonomy(out->node.store), &o, &out->t,
		                &e);
	if (rc != LS_OK) {
		ctl_error("%s", e.msg);
		return rc == LS_EINVAL ? CTL_EXIT_USAGE : ctl_exit_for(rc);
	}
	if ((rc = load_data(out, &f, need_notes, &e)) != LS_OK) {
		ctl_error("%s", e.msg);
		return ctl_exit_for(rc);
	}
	warn_missing(out, a);
	return CTL_EXIT_OK;
}

void trends_ctl_close(struct trends_ctl *c)
{
	ls_trends_free(c->t);
	ls_structural_free(c->notes);
	node_names_fini(&c->names);
	if (c->node_open)
		ctl_node_close(&c->node);
	memset(c, 0, sizeof *c);
}

const char *trends_ctl_name(void *ctx, const char *origin)
{
	const struct trends_ctl *c = ctx;
	return node_names_get(&c->names, origin);
}

size_t trends_ctl_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}
