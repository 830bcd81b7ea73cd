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

#include "common/alloc.h"
#include "common/log.h"
#include "core/member.h"
#include "node/secret.h"
#include "store/secagg.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define SECAGG_TICK_MS 1000

/*
 * The module and its job. The job's memory (ss, the flags) is the sync
 * engine thread's while the job or any sync job runs, and the loop's
 * only between jobs (daemon_secagg_mirror, the job's done callback) or
 * after uv_run returned.
 */
struct daemon_secagg {
	struct syncjob job;
	struct daemon *d;
	struct node_secagg_sync ss;
	int inited, init_failed;
	/* the job's config: set by the loop while the job is idle, taken
	 * by the job (cfg_changed) */
	struct node_secagg_sync_config cfg;
	int cfg_changed;
	/* the loop's: a reload's config, handed over before the next job */
	struct node_secagg_sync_config cfg_next;
	int cfg_next_set;
	/* set on the engine's thread, taken by the loop after the job */
	int kick_pending;
	uint64_t published_seen;
	/* copied by the loop between jobs: what status and metrics show */
	struct node_secagg_sync view;
	char current[160];
	/* engine thread's: the key the engine signs with (a reload's) */
	const struct ls_keypair *engine_kp;
	/* identity (read-only) */
	char self[LS_NODE_ID_SIZE];
	char secret[DAEMON_PATH_SIZE];
	int aggregator;
	uv_timer_t timer;
	int timer_open;
};

/* Engine thread (from the rounds): something to send; the loop kicks the
 * peers after the job. */
static void kick_cb(void *arg)
{
	((struct daemon_secagg *)arg)->kick_pending = 1;
}

static void config_from(struct daemon *d, struct daemon_secagg *sa,
                        struct node_secagg_sync_config *c)
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
	c->kick_arg = sa;
}

/* Engine thread: set up on the engine's store and trust the first time
 * (and install the extension), then tick. */
static void job_run(struct syncjob *job, struct node_sync *ns)
{
	struct daemon_secagg *sa = (struct daemon_secagg *)job;
	struct ls_errinfo e;
	int rc;

	if (!sa->inited && !sa->init_failed) {
		ls_errinfo_clear(&e);
		rc = node_secagg_sync_init(&sa->ss, ns->store,
		                           ns->ingest->trust, sa->engine_kp,
		                           sa->self, sa->aggregator,
		                           sa->secret, &sa->cfg, daemon_now(),
		                           &e);
		if (rc != LS_OK) {
			sa->init_failed = 1;
			LS_ERROR("secagg", "init_failed",
			         "reason=%s detail=\"%.200s\"", ls_errname(rc),
			         e.msg);
			return;
		}
		sa->inited = 1;
		sa->cfg_changed = 0;
		node_sync_set_ext(ns, &sa->ss.ext);
	}
	if (!sa->inited)
		return;
	if (sa->cfg_changed) {
		node_secagg_sync_configure(&sa->ss, &sa->cfg);
		sa->cfg_changed = 0;
	}
	rc = node_secagg_sync_tick(&sa->ss, daemon_now(),
	                           node_sync_own_head_known(ns));
	if (rc != LS_OK)
		LS_ERROR("secagg", "tick_failed", "reason=%s", ls_errname(rc));
}

void daemon_secagg_engine_key(struct daemon *d, const struct ls_keypair *kp)
{
	struct daemon_secagg *sa = d->secagg;
	if (sa == NULL)
		return;
	sa->engine_kp = kp;
	if (sa->inited)
		sa->ss.kp = kp;
}

static void job_done(struct syncjob *job, int rc)
{
	(void)job;
	(void)rc; /* mirror() took what the job did */
}

static void tick_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	struct daemon_secagg *sa = d->secagg;
	if (d->stopping || sa == NULL || sa->job.state != SYNCJOB_IDLE ||
	    sa->init_failed)
		return;
	if (sa->cfg_next_set) { /* the job is idle: its config is ours */
		sa->cfg = sa->cfg_next;
		sa->cfg_changed = 1;
		sa->cfg_next_set = 0;
	}
	(void)daemon_syncwork_submit(d, &sa->job);
}

void daemon_secagg_mirror(struct daemon *d)
{
	struct daemon_secagg *sa = d->secagg;
	if (sa == NULL || !sa->inited)
		return;
	sa->view.cfg = sa->ss.cfg;
	sa->view.aggregator = sa->ss.aggregator;
	sa->view.published = sa->ss.published;
	sa->view.abandoned = sa->ss.abandoned;
	sa->view.served = sa->ss.served;
	sa->view.refused = sa->ss.refused;
	sa->view.take_refused = sa->ss.take_refused;
	memcpy(sa->view.last, sa->ss.last, sizeof sa->view.last);
	sa->view.n_last = sa->ss.n_last;
	node_secagg_sync_describe(&sa->ss, sa->current, sizeof sa->current);
	if (d->stopping)
		return;
	if (sa->ss.published != sa->published_seen) {
		sa->published_seen = sa->ss.published;
		daemon_note_own_write(d);
		daemon_new_docs(d, NULL);
	}
	if (sa->kick_pending) {
		sa->kick_pending = 0;
		daemon_peers_kick(d, NULL);
	}
}

int daemon_secagg_open(struct daemon *d, struct ls_errinfo *e)
{
	struct daemon_secagg *sa;
	uint8_t *check = NULL;
	int rc;

	sa = ls_calloc(1, sizeof *sa);
	if (sa == NULL)
		return ls_errf(e, LS_ENOMEM, "veilige aggregatie: geen geheugen");
	sa->d = d;
	sa->job.run = job_run;
	sa->job.done = job_done;
	sa->aggregator = d->cfg.role == LS_ROLE_AGGREGATOR;
	snprintf(sa->self, sizeof sa->self, "%s", d->cfg.node_id);
	config_from(d, sa, &sa->cfg);
	sa->view.cfg = sa->cfg;
	sa->view.aggregator = sa->aggregator;
	if ((size_t)snprintf(sa->secret, sizeof sa->secret, "%s/%s", d->dir,
	                     NODE_SECAGG_SECRET_FILE) >= sizeof sa->secret) {
		ls_free(sa);
		return ls_errf(e, LS_EINVAL, "pad te lang: %s", d->dir);
	}
	/* A member's secret is made (or checked) now, so that a bad one
	 * stops the start with a clear message. */
	if (!sa->aggregator && sa->cfg.enabled) {
		rc = node_noise_secret_load(sa->secret, 1, &check, e);
		node_noise_secret_free(check);
		if (rc != LS_OK) {
			ls_free(sa);
			return ls_errf(e, rc,
			               "veilige aggregatie: %s (het geheim "
			               "staat in %s, alleen leesbaar voor de "
			               "eigenaar)",
			               e->msg, NODE_SECAGG_SECRET_FILE);
		}
	}
	d->secagg = sa;
	return LS_OK;
}

int daemon_secagg_start(struct daemon *d)
{
	struct daemon_secagg *sa = d->secagg;
	if (sa == NULL)
		return LS_OK;
	if (uv_timer_init(d->loop, &sa->timer) != 0)
		return LS_EINTERNAL;
	sa->timer.data = d;
	sa->timer_open = 1;
	/* The first tick at once: it installs the extension. */
	uv_timer_start(&sa->timer, tick_cb, 0, SECAGG_TICK_MS);
	return LS_OK;
}

void daemon_secagg_reload(struct daemon *d)
{
	struct daemon_secagg *sa = d->secagg;
	struct node_secagg_sync_config c;
	if (sa == NULL)
		return;
	config_from(d, sa, &c);
	if (c.enabled && !sa->aggregator && !sa->view.cfg.enabled)
		LS_WARN("secagg", "restart_needed",
		        "reason=\"[secagg] enabled takes effect at the next "
		        "start of a member\"");
	/* The next tick hands it to the job (which may be running now). */
	sa->cfg_next = c;
	sa->cfg_next_set = 1;
	sa->view.cfg = c;
}

void daemon_secagg_stop(struct daemon *d)
{
	struct daemon_secagg *sa = d->secagg;
	if (sa == NULL || !sa->timer_open)
		return;
	uv_timer_stop(&sa->timer);
	uv_close((uv_handle_t *)&sa->timer, NULL);
	sa->timer_open = 0;
}

void daemon_secagg_close(struct daemon *d)
{
	struct daemon_secagg *sa = d->secagg;
	if (sa == NULL)
		return;
	/* uv_run has returned: no job runs, the engine is gone. */
	if (sa->inited)
		node_secagg_sync_fini(&sa->ss);
	ls_free(sa);
	d->secagg = NULL;
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

/* The counter up to value; added also when nothing changed, so that
 * it is exported from the start at 0: Prometheus' increase() and rate()
 * do not count a series' first sample, so an alert on "3 abandoned in
 * 6 hours" would fire only at the fourth if the series began at 1. */
static void counter_to(struct daemon *d, const char *name, uint64_t value)
{
	double have = daemon_metrics_get(d->metrics, name);
	(void)daemon_metrics_add(d->metrics, name,
	                         (double)value > have ? (double)value - have
	                                              : 0);
}

void daemon_secagg_metrics(struct daemon *d)
{
	const struct node_secagg_sync *s;
	if (d->secagg == NULL || d->metrics == NULL)
		return;
	s = &d->secagg->view;
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
	const struct node_secagg_sync *s;
	json_t *o, *rounds;

	if (d->secagg == NULL)
		return json_null();
	s = &d->secagg->view;
	o = json_object();
	rounds = json_array();
	if (o == NULL || rounds == NULL) {
		json_decref(o);
		json_decref(rounds);
		return json_null();
	}
	json_object_set_new(o, "enabled", json_boolean(s->cfg.enabled));
	json_object_set_new(o, "aggregator", json_boolean(s->aggregator));
	json_object_set_new(o, "current", json_string(d->secagg->current));
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
