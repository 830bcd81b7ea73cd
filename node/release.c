/*
 * The release pipeline (see release.h).
 *
 * Happy path of node_release_period(): work out the policy in force and
 * check the period against it (a policy period, ended, settled); read the
 * noise secret if noise mode needs it; then, inside one BEGIN IMMEDIATE
 * transaction: refuse a period that is released or overlaps a released
 * one, read the raw summary, apply disclosure control with the year's
 * budget, in threshold mode run the release gate (core/attack.h) over the
 * new summary and every version of the period already in the own feed,
 * check the result as a receiver would (the policy,
 * ls_disclosure_check), sign and append it to the own feed, charge the
 * ledger, append the audit entry, commit. Every error before the commit
 * rolls the whole transaction back, so the store is exactly as before.
 *
 * The preview runs the same steps up to the signature, outside any write
 * transaction, and reports instead of publishing.
 */
#include "node/release.h"

#include "common/alloc.h"
#include "common/log.h"
#include "core/attack.h"
#include "core/period.h"
#include "core/signal.h"
#include "node/feed.h"
#include "node/ledger.h"
#include "node/secret.h"
#include "proto/doc.h"
#include "store/summary.h"

#include <stdio.h>
#include <string.h>

const char *node_period_state_name(int state)
{
	switch (state) {
	case NODE_PERIOD_OPEN:
		return "open";
	case NODE_PERIOD_SETTLING:
		return "wachttijd";
	case NODE_PERIOD_DUE:
		return "klaar";
	case NODE_PERIOD_RELEASED:
		return "vrijgegeven";
	case NODE_PERIOD_BLOCKED:
		return "overlapt";
	default:
		return "?";
	}
}

void node_release_plan_init(struct node_release_plan *p)
{
	memset(p, 0, sizeof *p);
	ls_summary_init(&p->released);
	ls_disclosure_report_init(&p->report);
}

void node_release_plan_fini(struct node_release_plan *p)
{
	ls_summary_fini(&p->released);
	ls_disclosure_report_fini(&p->report);
	memset(p, 0, sizeof *p);
}

/* ---- steps ----------------------------------------------------------- */

static int rules_get(const struct node_release_env *env,
                     struct ls_policy_effective *rules, struct ls_errinfo *e)
{
	const struct ls_policy *fed =
	    env->trust != NULL ? node_trust_policy(env->trust) : NULL;
	return ls_policy_effective(fed, &env->local, rules, e);
}

static int origin_ok(const struct node_release_env *env, struct ls_errinfo *e)
{
	if (env->origin == NULL ||
	    !ls_node_id_valid(env->origin,
	                      strnlen(env->origin, LS_NODE_ID_SIZE)))
		return ls_errf(e, LS_EINVAL, "ongeldige knooppunt-id");
	return LS_OK;
}

/* The state of a policy period at `now`; fills plan->state, ->latest and
 * ->release_time. */
static int period_state(const struct node_release_env *env,
                        const struct ls_period *period, int64_t now,
                        struct node_release_plan *plan, struct ls_errinfo *e)
{
	const struct ls_policy *pol = &plan->rules.policy;
	char text[LS_PERIOD_SIZE];
	int rc;

	ls_period_format(period, text);
	if (ls_period_check(period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "ongeldige periode");
	if (ls_policy_period_check(pol, period, NULL) != LS_OK)
		return ls_errf(
		    e, LS_EPOLICY,
		    "%s is geen periode van het beleid: periodes zijn %u "
		    "maand(en) lang%s",
		    text, (unsigned)pol->period_months,
		    pol->period_months == 1
		        ? " (schrijf JJJJ-MM)"
		        : " en beginnen in januari of een veelvoud daarvan "
		          "later (schrijf JJJJ-MM+N)");
	plan->period = *period;
	plan->release_time = ls_policy_release_time(pol, period);
	rc = store_ledger_find(env->store, env->origin, period, &plan->latest);
	if (rc == LS_OK) {
		plan->state =
		    plan->latest.period.year == period->year &&
		            plan->latest.period.month == period->month &&
		            plan->latest.period.months == period->months
		        ? NODE_PERIOD_RELEASED
		        : NODE_PERIOD_BLOCKED;
		return LS_OK;
	}
	if (rc != LS_ENOTFOUND)
		return ls_errf(e, rc, "kan het grootboek niet lezen");
	memset(&plan->latest, 0, sizeof plan->latest);
	if (now < ls_period_end_time(period))
		plan->state = NODE_PERIOD_OPEN;
	else if (now < plan->release_time)
		plan->state = NODE_PERIOD_SETTLING;
	else
		plan->state = NODE_PERIOD_DUE;
	return LS_OK;
}

/* The Dutch refusal for a period that cannot be released now. */
static int state_refusal(const struct node_release_plan *plan,
                         struct ls_errinfo *e)
{
	char text[LS_PERIOD_SIZE], other[LS_PERIOD_SIZE], when[LS_DATE_SIZE];
	struct ls_date d;

	ls_period_format(&plan->period, text);
	if (ls_date_from_time(plan->release_time, &d) == LS_OK)
		ls_date_format(&d, when);
	else
		strcpy(when, "?");
	switch (plan->state) {
	case NODE_PERIOD_OPEN:
		return ls_errf(e, LS_ESTATE,
		               "periode %s is nog niet afgesloten; ze kan "
		               "vrijgegeven worden vanaf %s",
		               text, when);
	case NODE_PERIOD_SETTLING:
		return ls_errf(e, LS_ESTATE,
		               "periode %s is afgesloten maar de wachttijd van "
		               "%u dagen loopt nog (late registraties): ze kan "
		               "vrijgegeven worden vanaf %s",
		               text, (unsigned)plan->rules.policy.settle_days,
		               when);
	case NODE_PERIOD_RELEASED:
		return ls_errf(e, LS_EEXISTS,
		               "periode %s is al vrijgegeven (document %llu); "
		               "een vrijgegeven periode verandert nooit: "
		               "gebruik 'signaalctl summary correct' voor een "
		               "correctie",
		               text, (unsigned long long)plan->latest.seq);
	case NODE_PERIOD_BLOCKED:
		ls_period_format(&plan->latest.period, other);
		return ls_errf(e, LS_ESTATE,
		               "periode %s overlapt met de vrijgegeven periode "
		               "%s: overlappende samenvattingen zouden kleine "
		               "aantallen verraden",
		               text, other);
	default:
		return LS_OK;
	}
}

static int secret_get(const struct node_release_env *env,
                      const struct ls_policy_effective *rules, uint8_t **secret,
                      struct node_release_plan *plan, struct ls_errinfo *e)
{
	int rc;
	*secret = NULL;
	if (rules->policy.params.mode != LS_MODE_NOISE)
		return LS_OK;
	if (env->noise_secret_path == NULL)
		return ls_errf(e, LS_EINVAL,
		               "ruismodus heeft de geheime ruissleutel nodig");
	rc = node_noise_secret_load(env->noise_secret_path, 1, secret, e);
	if (rc != LS_OK)
		return rc;
	node_noise_secret_id(*secret, plan->secret_id);
	plan->has_secret_id = 1;
	return LS_OK;
}

/* The summaries of `period` in the own feed, oldest first: what an
 * attacker holds about it. Only threshold-mode versions with the cap in
 * force are modelled (docs/DISCLOSURE.md 3.8). */
/* core/disclosure, core/attack, proto/ and node/feed speak English to
 * developers: their message goes to the log, and the operator reads what
 * failed in Dutch with the Dutch description of the code. */
static int dev_fail(struct ls_errinfo *e, int rc, const char *what)
{
	if (e != NULL && e->msg[0] != '\0')
		LS_WARN("release", "step_failed", "code=%s detail=\"%.400s\"",
		        ls_errname(rc), e->msg);
	return ls_errf(e, rc, "%s: %s", what, ls_strerror_nl(rc));
}

struct history {
	struct ls_period period;
	uint32_t cap;
	size_t n, more;
	struct ls_doc docs[ATTACK_MAX_DOCS];
	const struct ls_summary *sums[ATTACK_MAX_DOCS];
	struct ls_errinfo *e;
};

static int history_cb(void *arg, const struct store_doc_meta *m,
                      const uint8_t *envelope, size_t len)
{
	struct history *h = arg;
	struct ls_doc doc;
	const struct ls_summary *s;
	int rc;
	(void)m;
	memset(&doc, 0, sizeof doc);
	rc = node_feed_decode(envelope, len, &doc, h->e);
	if (rc != LS_OK) {
		proto_doc_fini(&doc);
		return dev_fail(h->e, rc,
		                "een eigen samenvatting in de databank is "
		                "onleesbaar");
	}
	s = &doc.body.summary;
	if (doc.hdr.type != LS_DOC_SUMMARY ||
	    memcmp(&s->period, &h->period, sizeof s->period) != 0 ||
	    s->params.mode != LS_MODE_THRESHOLD ||
	    s->params.persons_cap != h->cap) {
		proto_doc_fini(&doc);
		return LS_OK;
	}
	if (h->n == ATTACK_MAX_DOCS) {
		h->more++;
		proto_doc_fini(&doc);
		return LS_OK;
	}
	h->docs[h->n] = doc;
	h->sums[h->n] = &h->docs[h->n].body.summary;
	h->n++;
	return LS_OK;
}

static void history_fini(struct history *h)
{
	for (size_t i = 0; i < h->n; i++)
		proto_doc_fini(&h->docs[i]);
	h->n = 0;
}

/* Threshold mode: the release gate over plan->released and every version
 * of the period already published. */
static int gate(const struct node_release_env *env, const struct ls_domain *dom,
                struct node_release_plan *plan, struct ls_errinfo *e)
{
	struct history h;
	int rc;

	memset(&h, 0, sizeof h);
	h.period = plan->period;
	h.cap = plan->released.params.persons_cap;
	h.e = e;
	rc = store_feed_list(env->store, LS_DOC_SUMMARY, env->origin,
	                     history_cb, &h);
	if (rc != LS_OK && (e == NULL || e->code != rc))
		rc = ls_errf(e, rc, "kan de eigen samenvattingen niet lezen");
	if (rc == LS_OK && h.n + h.more >= ATTACK_MAX_DOCS)
		rc =
		    ls_errf(e, LS_ELIMIT,
		            "deze periode is al %zu keer gepubliceerd; meer "
		            "dan %d versies kan de vrijgavecontrole niet samen "
		            "doorrekenen, dus wordt deze correctie "
		            "achtergehouden",
		            h.n + h.more, ATTACK_MAX_DOCS);
	if (rc == LS_OK &&
	    (rc = ls_attack_gate(dom, h.sums, h.n, LS_SIGNAL_MAX_TARGETS,
	                         &plan->released, &plan->report, &plan->gate,
	                         e)) != LS_OK)
		rc = dev_fail(e, rc, "de vrijgavecontrole mislukte");
	history_fini(&h);
	return rc;
}

/* Raw summary -> disclosure control into *out and *report, with noise
 * epoch `epoch` (noise mode: see noise_epoch_get). budget may lie (the
 * preview passes room enough, to show what the release would be even
 * when the budget is spent). */
static int summarise_into(const struct node_release_env *env,
                          const struct ls_policy *pol,
                          const struct ls_period *period, uint64_t supersedes,
                          const char *reason, const uint8_t *secret,
                          const struct noise_budget *budget, uint32_t epoch,
                          struct ls_summary *out,
                          struct disclosure_report *report,
                          struct ls_errinfo *e)
{
	struct disclosure_domain_buf dom;
	struct ls_summary raw;
	struct disclosure_input in;
	int rc;

	rc = ls_disclosure_domain_from_taxonomy(store_taxonomy(env->store),
	                                        &dom, e);
	if (rc != LS_OK)
		return dev_fail(e, rc,
		                "de codelijst past niet in een samenvatting");
	rc = store_summary_raw(env->store, period, pol->params.persons_cap,
	                       &raw, e);
	if (rc != LS_OK) {
		ls_summary_fini(&raw);
		return rc;
	}
	memcpy(raw.origin, env->origin, strlen(env->origin) + 1);
	raw.supersedes_seq = supersedes;
	if (reason != NULL)
		memcpy(raw.correction_reason, reason, strlen(reason) + 1);
	memset(&in, 0, sizeof in);
	in.raw = &raw;
	in.domain = &dom.dom;
	in.params = &pol->params;
	in.secret = secret;
	in.noise_epoch = epoch;
	in.budget = budget;
	ls_summary_fini(out);
	if (report != NULL) {
		ls_disclosure_report_fini(report);
		ls_disclosure_report_init(report);
	}
	rc = ls_disclosure_apply(&in, out, report, e);
	ls_summary_fini(&raw);
	if (rc != LS_OK)
		rc = dev_fail(e, rc,
		              "de openbaarmakingscontrole mislukte; er is "
		              "niets vrijgegeven");
	return rc;
}

/* Raw summary -> disclosure control into plan->released and ->report;
 * and the organisations used with two sectors, for the operator;
 * threshold mode: then the release gate. */
static int summarise(const struct node_release_env *env,
                     const struct ls_period *period, uint64_t supersedes,
                     const char *reason, const uint8_t *secret,
                     const struct noise_budget *budget,
                     struct node_release_plan *plan, struct ls_errinfo *e)
{
	struct disclosure_domain_buf dom;
	int rc = store_summary_sector_conflicts(env->store, period,
	                                        &plan->sector_conflicts, e);
	if (rc != LS_OK)
		return rc;
	rc = summarise_into(env, &plan->rules.policy, period, supersedes,
	                    reason, secret, budget, plan->noise_epoch,
	                    &plan->released, &plan->report, e);
	if (rc != LS_OK || plan->rules.policy.params.mode != LS_MODE_THRESHOLD)
		return rc;
	rc = ls_disclosure_domain_from_taxonomy(store_taxonomy(env->store),
	                                        &dom, e);
	if (rc != LS_OK)
		return dev_fail(e, rc,
		                "de codelijst past niet in een samenvatting");
	return gate(env, &dom.dom, plan, e);
}

static int cells_equal(const struct ls_cell *a, const struct ls_cell *b)
{
	return a->kind == b->kind && a->value == b->value && a->lo == b->lo &&
	       a->hi == b->hi;
}

/* Same parameters and the same released tables (supersedes and reason
 * aside). */
static int summaries_equal(const struct ls_summary *a,
                           const struct ls_summary *b)
{
	if (memcmp(&a->params, &b->params, sizeof a->params) != 0 ||
	    a->n_recurrence != b->n_recurrence)
		return 0;
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *x = &a->tables[t],
		                              *y = &b->tables[t];
		if (x->n_rows != y->n_rows)
			return 0;
		for (size_t i = 0; i < x->n_rows; i++)
			if (strcmp(x->rows[i].theme, y->rows[i].theme) != 0 ||
			    strcmp(x->rows[i].other, y->rows[i].other) != 0 ||
			    !cells_equal(&x->rows[i].signals,
			                 &y->rows[i].signals) ||
			    !cells_equal(&x->rows[i].persons,
			                 &y->rows[i].persons))
				return 0;
	}
	for (size_t i = 0; i < a->n_recurrence; i++)
		if (strcmp(a->recurrence[i].theme, b->recurrence[i].theme) !=
		        0 ||
		    !cells_equal(&a->recurrence[i].organisations,
		                 &b->recurrence[i].organisations) ||
		    !cells_equal(&a->recurrence[i].reporters,
		                 &b->recurrence[i].reporters))
			return 0;
	return 1;
}

/*
 * Does the data differ from what the latest published summary was made
 * of? Threshold mode: does plan->released differ from it. Noise mode:
 * every release of a period is a whole new draw (noise_epoch_get), so
 * plan->released differs anyway; instead the latest release is made
 * again with its own epoch from the data as it is now, which reproduces
 * it byte for byte exactly when the data did not change (and the noise
 * secret is the one that made it: with a new secret, or a release of an
 * older version, it differs, and a correction is allowed and paid like
 * any other).
 */
static int changed_since(const struct node_release_env *env,
                         const uint8_t *secret, struct node_release_plan *plan,
                         struct ls_errinfo *e)
{
	static const struct noise_budget room = {UINT64_MAX / 4, 0};
	struct ls_summary again;
	struct ls_doc doc;
	int rc;

	memset(&doc, 0, sizeof doc);
	ls_summary_init(&again);
	rc = node_feed_read(env->store, env->origin, plan->latest.seq, &doc, e);
	if (rc != LS_OK)
		rc = dev_fail(e, rc,
		              "de laatste eigen samenvatting is niet leesbaar");
	if (rc == LS_OK && doc.hdr.type != LS_DOC_SUMMARY)
		rc = ls_errf(e, LS_ECORRUPT,
		             "document %llu van het grootboek is geen "
		             "samenvatting",
		             (unsigned long long)plan->latest.seq);
	if (rc == LS_OK && plan->rules.policy.params.mode == LS_MODE_NOISE &&
	    plan->noise_epoch > 0)
		rc = summarise_into(env, &plan->rules.policy, &plan->period, 0,
		                    NULL, secret, &room, plan->noise_epoch - 1,
		                    &again, NULL, e);
	if (rc == LS_OK)
		plan->changed = !summaries_equal(
		    &doc.body.summary,
		    plan->rules.policy.params.mode == LS_MODE_NOISE &&
		            plan->noise_epoch > 0
		        ? &again
		        : &plan->released);
	ls_summary_fini(&again);
	proto_doc_fini(&doc);
	return rc;
}

/*
 * Noise mode: the noise epoch of the next release of the period = how
 * many releases of it the ledger holds (0 for the first release, 1 for the
 * first correction, ...). A correction is thus a whole new draw of every
 * cell, paid in full: comparing a release with its correction shows every
 * cell changed, not which ones the corrected signals touched
 * (docs/DISCLOSURE.md 4.5). The ledger is rebuilt from the own feed
 * before this is asked (node_ledger_recover), so a restored node never
 * draws an epoch it already published.
 */
static int noise_epoch_get(const struct node_release_env *env,
                           struct node_release_plan *plan, struct ls_errinfo *e)
{
	int rc = store_ledger_count(env->store, env->origin, &plan->period,
	                            &plan->noise_epoch);
	if (rc != LS_OK)
		return ls_errf(e, rc, "kan het grootboek niet lezen");
	return LS_OK;
}

/* The ledger from the own feed, before anything is decided from it. */
static int ledger_recover(const struct node_release_env *env,
                          const struct ls_policy_effective *rules, int64_t now,
                          struct ls_errinfo *e)
{
	return node_ledger_recover(env->store, env->origin, rules->budget_milli,
	                           now, NULL, e);
}

static int budget_get(const struct node_release_env *env,
                      struct node_release_plan *plan, struct ls_errinfo *e)
{
	int rc;
	plan->cost_milli = ls_noise_release_cost(&plan->rules.policy.params);
	plan->budget.yearly_milli = plan->rules.budget_milli;
	rc = store_ledger_spent(env->store, plan->period.year,
	                        &plan->budget.spent_milli);
	if (rc != LS_OK)
		return ls_errf(e, rc, "kan het privacybudget niet lezen");
	plan->budget_ok = ls_noise_budget_check(&plan->budget, plan->cost_milli,
	                                        NULL) == LS_OK;
	return LS_OK;
}

static int budget_refusal(const struct node_release_plan *plan,
                          struct ls_errinfo *e)
{
	char spent[LS_MILLI_TEXT_SIZE], yearly[LS_MILLI_TEXT_SIZE],
	    cost[LS_MILLI_TEXT_SIZE];
	ls_policy_format_milli(plan->budget.spent_milli, spent);
	ls_policy_format_milli(plan->budget.yearly_milli, yearly);
	ls_policy_format_milli(plan->cost_milli, cost);
	return ls_errf(e, LS_EBUDGET,
	               "het privacybudget van %d laat dit niet toe: epsilon "
	               "%s van %s is al besteed, deze vrijgave kost %s",
	               (int)plan->period.year, spent, yearly, cost);
}

/* ---- preview --------------------------------------------------------- */

int node_release_preview(const struct node_release_env *env,
                         const struct ls_period *period, int64_t now,
                         struct node_release_plan *out, struct ls_errinfo *e)
{
	/* Room enough for any cost: the preview shows the release even
	 * when the budget would refuse it (budget_ok says so). */
	static const struct noise_budget room = {UINT64_MAX / 4, 0};
	uint8_t *secret = NULL;
	int rc;

	node_release_plan_init(out);
	if ((rc = origin_ok(env, e)) != LS_OK ||
	    (rc = rules_get(env, &out->rules, e)) != LS_OK ||
	    (rc = ledger_recover(env, &out->rules, now, e)) != LS_OK ||
	    (rc = period_state(env, period, now, out, e)) != LS_OK ||
	    (rc = noise_epoch_get(env, out, e)) != LS_OK ||
	    (rc = budget_get(env, out, e)) != LS_OK ||
	    (rc = secret_get(env, &out->rules, &secret, out, e)) != LS_OK)
		goto out;
	rc = summarise(env, period,
	               out->state == NODE_PERIOD_RELEASED ? out->latest.seq : 0,
	               NULL, secret, &room, out, e);
	if (rc == LS_OK && out->state == NODE_PERIOD_RELEASED)
		rc = changed_since(env, secret, out, e);
out:
	node_noise_secret_free(secret);
	return rc;
}

/* ---- release and correction ------------------------------------------ */

static void audit_cells(const struct disclosure_report *r,
                        uint32_t cells[STORE_CELLS_COUNT_])
{
	static const int map[STORE_CELLS_COUNT_] = {
	    [STORE_CELLS_RELEASED] = DISCLOSURE_RELEASED,
	    [STORE_CELLS_PRIMARY] = DISCLOSURE_PRIMARY,
	    [STORE_CELLS_ZERO_HIDDEN] = DISCLOSURE_ZERO_HIDDEN,
	    [STORE_CELLS_COMPLEMENTARY] = DISCLOSURE_COMPLEMENTARY,
	    [STORE_CELLS_NOISY] = DISCLOSURE_NOISY,
	    [STORE_CELLS_WITHHELD] = DISCLOSURE_WITHHELD,
	};
	for (int i = 0; i < STORE_CELLS_COUNT_; i++)
		cells[i] = (uint32_t)r->by_reason[map[i]];
}

/* Check the result as every receiver will, before it is signed:
 * a summary that fails here is a bug, never published. text: the
 * period, formatted. */
static int self_check(const struct node_release_env *env,
                      struct node_release_plan *plan, int64_t now,
                      const char *text, struct ls_errinfo *e)
{
	struct disclosure_domain_buf dom;
	int rc = ls_disclosure_domain_from_taxonomy(store_taxonomy(env->store),
	                                            &dom, e);
	if (rc == LS_OK)
		rc = ls_policy_release_check(&plan->rules.policy,
		                             &plan->released.params,
		                             &plan->period, now, e);
	if (rc == LS_OK)
		rc = ls_disclosure_check(&plan->released, &dom.dom, NULL, e);
	if (rc == LS_ENOMEM)
		return rc;
	if (rc != LS_OK) {
		LS_ERROR("release", "self_check_failed", "period=%s code=%s",
		         text, ls_errname(rc));
		return ls_errf(
		    e, LS_EINTERNAL,
		    "interne fout: de samenvatting van %s doorstaat "
		    "de eigen controle niet; er is niets vrijgegeven",
		    text);
	}
	return LS_OK;
}

/* The published summary res->doc in the ledger and the audit trail. */
static int record_release(const struct node_release_env *env,
                          const struct node_release_plan *plan, int64_t now,
                          const char *reason, const char *justification,
                          struct node_release_result *res, struct ls_errinfo *e)
{
	struct store_ledger_entry *lx = &res->ledger;
	struct store_audit_entry *ax = &res->audit;
	int rc;

	memset(lx, 0, sizeof *lx);
	memcpy(lx->origin, env->origin, strlen(env->origin) + 1);
	lx->seq = res->doc.seq;
	lx->period = plan->period;
	lx->supersedes = reason ? plan->latest.seq : 0;
	lx->mode = plan->released.params.mode;
	lx->epsilon_milli = plan->released.params.epsilon_milli;
	lx->cost_milli = plan->cost_milli;
	lx->budget_milli = plan->budget.yearly_milli;
	lx->at = now;
	if ((rc = store_ledger_add(env->store, lx, e)) != LS_OK)
		return rc;

	memset(ax, 0, sizeof *ax);
	ax->at = now;
	ax->kind = reason ? STORE_AUDIT_CORRECTION : STORE_AUDIT_RELEASE;
	snprintf(ax->actor, sizeof ax->actor, "%s",
	         env->actor != NULL && env->actor[0] != '\0' ? env->actor
	                                                     : "onbekend");
	memcpy(ax->origin, env->origin, strlen(env->origin) + 1);
	ax->seq = res->doc.seq;
	memcpy(ax->doc_hash, res->doc.hash, LS_HASH_BYTES);
	ax->period = plan->period;
	ax->params = plan->released.params;
	ax->supersedes = lx->supersedes;
	if (reason != NULL) {
		snprintf(ax->reason, sizeof ax->reason, "%s", reason);
		snprintf(ax->note, sizeof ax->note, "%s", justification);
	}
	ax->cost_milli = plan->cost_milli;
	ax->spent_milli = plan->budget.spent_milli + plan->cost_milli;
	ax->budget_milli = plan->budget.yearly_milli;
	audit_cells(&plan->report, ax->cells);
	ax->has_secret_id = plan->has_secret_id;
	memcpy(ax->secret_id, plan->secret_id, sizeof ax->secret_id);
	return store_audit_append(env->store, ax, e);
}

/* Everything between BEGIN and COMMIT. reason == NULL: a first release. */
static int publish_in_tx(const struct node_release_env *env,
                         struct node_release_plan *plan, int64_t now,
                         const uint8_t *secret, const char *reason,
                         const char *justification,
                         struct node_release_result *res, struct ls_errinfo *e)
{
	struct ls_doc doc;
	char text[LS_PERIOD_SIZE];
	int rc;

	/* The state again, now that this transaction holds the write
	 * lock: another process may have released the period since, and
	 * the own feed may hold releases the ledger lacks (a restore). */
	if ((rc = ledger_recover(env, &plan->rules, now, e)) != LS_OK ||
	    (rc = period_state(env, &plan->period, now, plan, e)) != LS_OK ||
	    (rc = noise_epoch_get(env, plan, e)) != LS_OK)
		return rc;
	ls_period_format(&plan->period, text);
	if (reason == NULL && plan->state != NODE_PERIOD_DUE)
		return state_refusal(plan, e);
	if (reason != NULL && plan->state != NODE_PERIOD_RELEASED)
		return plan->state == NODE_PERIOD_BLOCKED
		           ? state_refusal(plan, e)
		           : ls_errf(e, LS_ENOTFOUND,
		                     "periode %s is nog niet vrijgegeven: er "
		                     "is niets te corrigeren (gebruik "
		                     "'signaalctl summary release')",
		                     text);
	if ((rc = budget_get(env, plan, e)) != LS_OK)
		return rc;
	if (!plan->budget_ok)
		return budget_refusal(plan, e);
	rc = summarise(env, &plan->period, reason ? plan->latest.seq : 0,
	               reason, secret, &plan->budget, plan, e);
	if (rc == LS_EBUDGET)
		return budget_refusal(plan, e);
	if (rc != LS_OK)
		return rc;
	if (reason != NULL) {
		if ((rc = changed_since(env, secret, plan, e)) != LS_OK)
			return rc;
		if (!plan->changed)
			return ls_errf(e, LS_ESTATE,
			               "de gegevens van %s zijn niet veranderd "
			               "sinds de vrijgave (document %llu): een "
			               "correctie zou dezelfde cijfers opnieuw "
			               "publiceren",
			               text,
			               (unsigned long long)plan->latest.seq);
	}
	if ((rc = self_check(env, plan, now, text, e)) != LS_OK)
		return rc;

	proto_doc_init(&doc, LS_DOC_SUMMARY);
	memcpy(doc.hdr.origin, env->origin, strlen(env->origin) + 1);
	doc.body.summary = plan->released; /* lent for the signature */
	rc = env->own_key != NULL
	         ? node_feed_publish_checked(env->store, env->key, env->own_key,
	                                     &doc, now, &res->doc, e)
	         : node_feed_publish(env->store, env->key, &doc, now, &res->doc,
	                             e);
	memset(&doc.body.summary, 0, sizeof doc.body.summary);
	proto_doc_fini(&doc);
	if (rc != LS_OK)
		return dev_fail(
		    e, rc,
		    "de samenvatting is niet in de eigen feed gezet; "
		    "er is niets vrijgegeven");

	return record_release(env, plan, now, reason, justification, res, e);
}

static int release(const struct node_release_env *env,
                   const struct ls_period *period, int64_t now,
                   const char *reason, const char *justification,
                   struct node_release_result *out, struct ls_errinfo *e)
{
	struct node_release_plan plan;
	struct node_release_result res;
	char text[LS_PERIOD_SIZE];
	uint8_t *secret = NULL;
	int rc;

	node_release_plan_init(&plan);
	memset(&res, 0, sizeof res);
	if ((rc = origin_ok(env, e)) != LS_OK ||
	    (rc = rules_get(env, &plan.rules, e)) != LS_OK)
		goto out;
	/* The cheap refusals first, without the write lock. */
	if ((rc = period_state(env, period, now, &plan, e)) != LS_OK)
		goto out;
	if (reason == NULL && plan.state != NODE_PERIOD_DUE) {
		rc = state_refusal(&plan, e);
		goto out;
	}
	if (env->key == NULL) {
		rc = ls_errf(e, LS_EKEY,
		             "geen knooppuntsleutel om de samenvatting te "
		             "ondertekenen");
		goto out;
	}
	if ((rc = secret_get(env, &plan.rules, &secret, &plan, e)) != LS_OK)
		goto out;
	if (store_in_tx(env->store)) {
		rc = ls_errf(e, LS_ESTATE,
		             "een vrijgave is een eigen transactie");
		goto out;
	}
	/* Nothing is signed from a damaged store. */
	if ((rc = store_verify(env->store, STORE_CHECK_QUICK, e)) != LS_OK)
		goto out;
	if ((rc = store_tx_begin(env->store)) != LS_OK) {
		rc = ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
		goto out;
	}
	rc = publish_in_tx(env, &plan, now, secret, reason, justification, &res,
	                   e);
	if (rc != LS_OK) {
		store_tx_rollback(env->store);
		goto out;
	}
	if ((rc = store_tx_commit(env->store)) != LS_OK) {
		rc = ls_errf(e, rc, "bewaren mislukt; er is niets vrijgegeven");
		goto out;
	}
	ls_period_format(period, text);
	res.sector_conflicts = plan.sector_conflicts;
	if (plan.sector_conflicts > 0)
		LS_WARN("release", "organisation_sectors",
		        "period=%s organisations=%u counted=per_sector", text,
		        (unsigned)plan.sector_conflicts);
	LS_INFO("release", reason ? "corrected" : "released",
	        "origin=%s seq=%llu period=%s mode=%u cost_milli=%llu",
	        env->origin, (unsigned long long)res.doc.seq, text,
	        (unsigned)plan.released.params.mode,
	        (unsigned long long)plan.cost_milli);
	if (out != NULL)
		*out = res;
out:
	node_noise_secret_free(secret);
	node_release_plan_fini(&plan);
	return rc;
}

int node_release_period(const struct node_release_env *env,
                        const struct ls_period *period, int64_t now,
                        struct node_release_result *out, struct ls_errinfo *e)
{
	return release(env, period, now, NULL, NULL, out, e);
}

int node_release_correct(const struct node_release_env *env,
                         const struct ls_period *period, const char *reason,
                         const char *justification, int64_t now,
                         struct node_release_result *out, struct ls_errinfo *e)
{
	int rc;
	if (ls_correction_reason_find(reason) == NULL) {
		size_t n;
		const struct ls_correction_reason *r =
		    ls_correction_reasons(&n);
		char list[256] = "";
		for (size_t i = 0; i < n; i++) {
			strncat(list, i ? ", " : "",
			        sizeof list - strlen(list) - 1);
			strncat(list, r[i].code,
			        sizeof list - strlen(list) - 1);
		}
		return ls_errf(e, LS_EINVAL,
		               "onbekende reden '%.40s' (een van: %s)",
		               reason ? reason : "", list);
	}
	if ((rc = ls_correction_justification_check(justification, e)) != LS_OK)
		return rc;
	return release(env, period, now, reason, justification, out, e);
}

/* ---- due periods ----------------------------------------------------- */

int node_release_due(const struct node_release_env *env, int64_t now,
                     struct ls_period *out, size_t max, size_t *n, int *more,
                     struct ls_errinfo *e)
{
	struct ls_policy_effective rules;
	struct ls_date first, last;
	struct ls_period p;
	int any, rc;

	*n = 0;
	if (more != NULL)
		*more = 0;
	if ((rc = origin_ok(env, e)) != LS_OK ||
	    (rc = rules_get(env, &rules, e)) != LS_OK ||
	    (rc = ledger_recover(env, &rules, now, e)) != LS_OK)
		return rc;
	if ((rc = store_summary_span(env->store, &first, &last, &any)) != LS_OK)
		return ls_errf(e, rc, "kan de signalen niet lezen");
	if (!any)
		return LS_OK;
	ls_period_containing(&first, (int32_t)rules.policy.period_months, &p);
	while (ls_policy_release_time(&rules.policy, &p) <= now) {
		struct store_ledger_entry x;
		rc = store_ledger_find(env->store, env->origin, &p, &x);
		if (rc == LS_ENOTFOUND) {
			if (*n == max) {
				if (more != NULL)
					*more = 1;
				break;
			}
			out[(*n)++] = p;
		} else if (rc != LS_OK) {
			return ls_errf(e, rc, "kan het grootboek niet lezen");
		}
		if (ls_period_add(&p, 1, &p) != LS_OK)
			break;
	}
	return LS_OK;
}

/* ---- audit log against the feed -------------------------------------- */

struct doc_ref {
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];
};

struct refs {
	struct doc_ref *v;
	size_t n, cap;
	int failed;
};

static int refs_add(struct refs *r, uint64_t seq,
                    const uint8_t hash[LS_HASH_BYTES])
{
	struct doc_ref *v =
	    ls_array_grow(r->v, &r->cap, r->n + 1, sizeof *v, 64);
	if (v == NULL) {
		r->failed = 1;
		return LS_ENOMEM;
	}
	r->v = v;
	r->v[r->n].seq = seq;
	memcpy(r->v[r->n].hash, hash, LS_HASH_BYTES);
	r->n++;
	return 0;
}

static int feed_ref_cb(void *arg, const struct store_doc_meta *m,
                       const uint8_t *envelope, size_t len)
{
	(void)envelope;
	(void)len;
	return refs_add(arg, m->seq, m->hash);
}

struct audit_refs {
	struct refs refs;
	const char *origin;
};

static int audit_ref_cb(void *arg, const struct store_audit_entry *x)
{
	struct audit_refs *a = arg;
	if (x->kind == STORE_AUDIT_SENT || strcmp(x->origin, a->origin) != 0)
		return 0;
	return refs_add(&a->refs, x->seq, x->doc_hash);
}

static void fault(struct store_audit_verdict *v, uint64_t id, const char *what)
{
	if (!v->ok)
		return;
	v->ok = 0;
	v->bad_id = id;
	snprintf(v->what, sizeof v->what, "%s", what);
}

int node_audit_verify(struct store *s, const char *origin, uint64_t anchor_id,
                      const uint8_t anchor_hash[LS_HASH_BYTES],
                      struct store_audit_verdict *v)
{
	struct refs feed = {0};
	struct audit_refs logged = {{0}, origin};
	char what[256];
	int rc;

	if ((rc = store_audit_verify(s, anchor_id, anchor_hash, v)) != LS_OK)
		return rc;
	if (!v->ok || origin == NULL)
		return LS_OK;
	rc = store_feed_list(s, LS_DOC_SUMMARY, origin, feed_ref_cb, &feed);
	if (rc == LS_OK)
		rc = store_audit_list(s, 1, audit_ref_cb, &logged);
	if (rc != LS_OK || feed.failed || logged.refs.failed) {
		rc = rc != LS_OK ? rc : LS_ENOMEM;
		goto out;
	}
	/* Every published summary has its entry with its hash. */
	for (size_t i = 0; i < feed.n && v->ok; i++) {
		struct store_audit_entry x;
		rc = store_audit_find(s, origin, feed.v[i].seq, &x);
		if (rc == LS_ENOTFOUND) {
			snprintf(
			    what, sizeof what,
			    "samenvatting %llu staat in de eigen feed maar "
			    "niet in het auditlog: regels zijn verwijderd",
			    (unsigned long long)feed.v[i].seq);
			fault(v, 0, what);
		} else if (rc != LS_OK) {
			goto out;
		} else if (memcmp(x.doc_hash, feed.v[i].hash, LS_HASH_BYTES) !=
		           0) {
			snprintf(what, sizeof what,
			         "regel %llu noemt een ander document dan "
			         "samenvatting %llu in de feed",
			         (unsigned long long)x.id,
			         (unsigned long long)feed.v[i].seq);
			fault(v, x.id, what);
		}
	}
	/* Every entry names a document that was published. */
	for (size_t i = 0; i < logged.refs.n && v->ok; i++) {
		struct store_doc_meta m;
		rc = store_feed_get(s, origin, logged.refs.v[i].seq, &m, NULL,
		                    NULL);
		if (rc == LS_OK &&
		    memcmp(m.hash, logged.refs.v[i].hash, LS_HASH_BYTES) == 0)
			continue;
		if (rc != LS_OK && rc != LS_ENOTFOUND)
			goto out;
		snprintf(what, sizeof what,
		         "het auditlog noemt samenvatting %llu, maar de feed "
		         "heeft dat document niet",
		         (unsigned long long)logged.refs.v[i].seq);
		fault(v, 0, what);
	}
	rc = LS_OK;
out:
	ls_free(feed.v);
	ls_free(logged.refs.v);
	return rc;
}
