/*
 * Secure-aggregation rounds from the daemon's side (node/secagg_sync.h
 * does the work): the module is set up after the sync engine and
 * installed as its extension, so that members answer the aggregator's
 * requests and the aggregator's sync rounds carry them; a timer ticks the
 * aggregator's round once a second (a phase moves on as soon as the last
 * member answered, the timer only catches the waits that ran out); a
 * published federation summary is announced to the peers like any new
 * document. Metrics (signaal_secagg_*) and the status snapshot show the
 * last round per period.
 */
#include "daemon/daemon.h"

#include "common/log.h"
#include "core/member.h"
#include "store/secagg.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define SECAGG_TICK_MS 1000

static void kick_cb(void *arg)
{
	struct daemon *d = arg;
	if (!d->stopping)
		daemon_peers_kick(d, NULL);
}

static void config_from(struct daemon *d, struct node_secagg_sync_config *c)
{
	memset(c, 0, sizeof *c);
	c->enabled = d->cfg.secagg_enabled == LS_YES &&
	             d->cfg.federation_id[0] != '\0';
	c->noise.mu[0].num = (uint64_t)d->cfg.secagg_mu_signals_milli;
	c->noise.mu[0].den = 1000;
	c->noise.mu[1].num = (uint64_t)d->cfg.secagg_mu_persons_milli;
	c->noise.mu[1].den = 1000;
	c->min_parties = (uint32_t)d->cfg.secagg_min_parties;
	c->wait_s = d->cfg.secagg_wait_intervals * d->cfg.sync_interval_s;
	c->kick = kick_cb;
	c->kick_arg = d;
}

static void tick_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	uint64_t before = d->secagg.published;
	int rc;

	if (d->stopping)
		return;
	rc = node_secagg_sync_tick(&d->secagg, daemon_now(),
	                           node_sync_own_head_known(&d->sync));
	if (rc != LS_OK)
		LS_ERROR("secagg", "tick_failed", "reason=%s", ls_errname(rc));
	if (d->secagg.published != before) {
		daemon_note_own_write(d);
		daemon_new_docs(d, NULL);
	}
}

int daemon_secagg_open(struct daemon *d, struct ls_errinfo *e)
{
	struct node_secagg_sync_config c;
	char secret[DAEMON_PATH_SIZE];
	int rc;

	config_from(d, &c);
	if ((size_t)snprintf(secret, sizeof secret, "%s/%s", d->dir,
	                     NODE_SECAGG_SECRET_FILE) >= sizeof secret)
		return ls_errf(e, LS_EINVAL, "pad te lang: %s", d->dir);
	rc = node_secagg_sync_init(&d->secagg, d->store, &d->trust, d->kp,
	                           d->cfg.node_id,
	                           d->cfg.role == LS_ROLE_AGGREGATOR, secret,
	                           &c, daemon_now(), e);
	if (rc != LS_OK)
		return ls_errf(e, rc,
		               "veilige aggregatie: %s (het geheim staat in "
		               "%s, alleen leesbaar voor de eigenaar)",
		               e->msg, secret);
	d->secagg_ready = 1;
	node_sync_set_ext(&d->sync, &d->secagg.ext);
	return LS_OK;
}

int daemon_secagg_start(struct daemon *d)
{
	if (!d->secagg_ready)
		return LS_OK;
	uv_timer_init(d->loop, &d->t_secagg);
	d->t_secagg.data = d;
	d->secagg_timer = 1;
	uv_timer_start(&d->t_secagg, tick_cb, SECAGG_TICK_MS, SECAGG_TICK_MS);
	return LS_OK;
}

void daemon_secagg_reload(struct daemon *d)
{
	struct node_secagg_sync_config c;
	if (!d->secagg_ready)
		return;
	config_from(d, &c);
	if (c.enabled && !d->secagg.aggregator && d->secagg.secret == NULL)
		LS_WARN("secagg", "restart_needed",
		        "reason=\"[secagg] enabled takes effect at the next "
		        "start of a member\"");
	node_secagg_sync_configure(&d->secagg, &c);
}

void daemon_secagg_stop(struct daemon *d)
{
	if (!d->secagg_timer)
		return;
	uv_timer_stop(&d->t_secagg);
	uv_close((uv_handle_t *)&d->t_secagg, NULL);
	d->secagg_timer = 0;
}

void daemon_secagg_close(struct daemon *d)
{
	if (d->sync_ready)
		node_sync_set_ext(&d->sync, NULL);
	if (d->secagg_ready)
		node_secagg_sync_fini(&d->secagg);
	d->secagg_ready = 0;
}

static const char *state_name(int state)
{
	switch (state) {
	case STORE_SECAGG_RUNNING:
		return "running";
	case STORE_SECAGG_PUBLISHED:
		return "published";
	default:
		return "abandoned";
	}
}

static const char *const members_labels[] = {"period", "state", "kind",
                                             NULL};
static const char *const attempt_labels[] = {"period", "state", NULL};

int daemon_secagg_metrics_declare(struct daemon *d)
{
	const struct {
		const char *name, *help;
		enum metrics_type type;
		const char *const *labels;
	} fams[] = {
	    {"signaal_secagg_fedsums_published_total",
	     "Federation summaries this aggregator published.",
	     METRICS_COUNTER, NULL},
	    {"signaal_secagg_attempts_abandoned_total",
	     "Secure-aggregation attempts abandoned (too few answers in time, "
	     "a member silent after the close).",
	     METRICS_COUNTER, NULL},
	    {"signaal_secagg_requests_served_total",
	     "Secure-aggregation requests answered as a member.",
	     METRICS_COUNTER, NULL},
	    {"signaal_secagg_requests_refused_total",
	     "Secure-aggregation requests this member refused.",
	     METRICS_COUNTER, NULL},
	    {"signaal_secagg_messages_refused_total",
	     "Members' messages the aggregator refused (late, forged, "
	     "another round).",
	     METRICS_COUNTER, NULL},
	    {"signaal_secagg_round_members",
	     "The last round of a period: members invited, included and "
	     "dropped.",
	     METRICS_GAUGE, members_labels},
	    {"signaal_secagg_round_attempt",
	     "The attempt of the last round of a period.", METRICS_GAUGE,
	     attempt_labels},
	};
	for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
		int rc = daemon_metrics_declare(d->metrics, fams[i].name,
		                                fams[i].type, fams[i].help,
		                                fams[i].labels);
		if (rc != LS_OK)
			return rc;
	}
	return LS_OK;
}

static void counter_to(struct daemon *d, const char *name, uint64_t value)
{
	double have = daemon_metrics_get(d->metrics, name);
	if ((double)value > have)
		(void)daemon_metrics_add(d->metrics, name,
		                         (double)value - have);
}

void daemon_secagg_metrics(struct daemon *d)
{
	const struct node_secagg_sync *s = &d->secagg;
	if (!d->secagg_ready || d->metrics == NULL)
		return;
	counter_to(d, "signaal_secagg_fedsums_published_total", s->published);
	counter_to(d, "signaal_secagg_attempts_abandoned_total", s->abandoned);
	counter_to(d, "signaal_secagg_requests_served_total", s->served);
	counter_to(d, "signaal_secagg_requests_refused_total", s->refused);
	counter_to(d, "signaal_secagg_messages_refused_total",
	           s->take_refused);
	(void)daemon_metrics_clear(d->metrics, "signaal_secagg_round_members");
	(void)daemon_metrics_clear(d->metrics, "signaal_secagg_round_attempt");
	for (size_t i = 0; i < s->n_last; i++) {
		const struct node_secagg_period_state *p = &s->last[i];
		char per[LS_PERIOD_SIZE];
		const char *st = state_name(p->state);
		ls_period_format(&p->period, per);
		(void)daemon_metrics_set(d->metrics,
		                         "signaal_secagg_round_members",
		                         (double)p->invited, per, st, "invited");
		(void)daemon_metrics_set(d->metrics,
		                         "signaal_secagg_round_members",
		                         (double)p->included, per, st,
		                         "included");
		(void)daemon_metrics_set(d->metrics,
		                         "signaal_secagg_round_members",
		                         (double)p->dropped, per, st, "dropped");
		(void)daemon_metrics_set(d->metrics,
		                         "signaal_secagg_round_attempt",
		                         (double)p->attempt, per, st);
	}
}

json_t *daemon_secagg_status_json(struct daemon *d)
{
	const struct node_secagg_sync *s = &d->secagg;
	char now[160];
	json_t *o, *rounds;

	if (!d->secagg_ready)
		return json_null();
	o = json_object();
	rounds = json_array();
	if (o == NULL || rounds == NULL) {
		json_decref(o);
		json_decref(rounds);
		return json_null();
	}
	node_secagg_sync_describe(s, now, sizeof now);
	json_object_set_new(o, "enabled", json_boolean(s->cfg.enabled));
	json_object_set_new(o, "aggregator", json_boolean(s->aggregator));
	json_object_set_new(o, "current", json_string(now));
	json_object_set_new(o, "published", json_integer((json_int_t)s->published));
	json_object_set_new(o, "abandoned", json_integer((json_int_t)s->abandoned));
	json_object_set_new(o, "served", json_integer((json_int_t)s->served));
	json_object_set_new(o, "refused", json_integer((json_int_t)s->refused));
	for (size_t i = 0; i < s->n_last; i++) {
		const struct node_secagg_period_state *p = &s->last[i];
		char per[LS_PERIOD_SIZE];
		json_t *r = json_object();
		if (r == NULL)
			break;
		ls_period_format(&p->period, per);
		json_object_set_new(r, "period", json_string(per));
		json_object_set_new(r, "attempt", json_integer(p->attempt));
		json_object_set_new(r, "state", json_string(state_name(p->state)));
		json_object_set_new(r, "invited", json_integer(p->invited));
		json_object_set_new(r, "included", json_integer(p->included));
		json_object_set_new(r, "dropped", json_integer(p->dropped));
		json_object_set_new(r, "seq", json_integer((json_int_t)p->fedsum_seq));
		json_array_append_new(rounds, r);
	}
	json_object_set_new(o, "rounds", rounds);
	return o;
}
