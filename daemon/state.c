/*
 * What the daemon tells about itself: the metrics registry (updated as
 * rounds end and requests are served, gauges refreshed on the state
 * timer), the status snapshot (JSON) and the status documents it
 * publishes into its own feed.
 *
 * Files are written whole to a temporary file and renamed
 * (ls_file_write_atomic, mode 0640 whatever the umask), so a reader never
 * sees half a file: DIR/signaald.prom (Prometheus text; node_exporter's
 * textfile collector can pick it up) and DIR/signaald.json (for
 * `signaalctl`, monitoring scripts and the association's overview: peers,
 * forks, the latest status of every node).
 */
#include "daemon/daemon.h"
#include "daemon/storejob.h"

#include "common/alloc.h"
#include "common/file.h"
#include "common/log.h"
#include "common/text.h"
#include "node/feed.h"
#include "proto/replay.h"
#include "store/feed.h"
#include "store/signal.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const L_NONE[] = {NULL};
static const char *const L_PEER[] = {"peer", NULL};
static const char *const L_PEER_RESULT[] = {"peer", "result", NULL};
static const char *const L_PEER_DIR[] = {"peer", "direction", NULL};
static const char *const L_PEER_TYPE[] = {"peer", "type", NULL};
static const char *const L_REASON[] = {"reason", NULL};
static const char *const L_OUTCOME[] = {"outcome", NULL};
static const char *const L_ORIGIN[] = {"origin", NULL};
static const char *const L_INFO[] = {"node", "version", "role", NULL};
static const char *const L_ORIGIN_PERIOD[] = {"origin", "period", NULL};
static const char *const L_REFUSAL[] = {"peer", "origin", "reason", "direction",
                                        NULL};
static const char *const L_ORIGIN_REASON[] = {"origin", "reason", NULL};

static const struct {
	const char *name;
	enum metrics_type type;
	const char *const *labels;
	const char *help;
} families[] = {
    {"signaal_info", METRICS_GAUGE, L_INFO, "This node (always 1)."},
    {"signaal_uptime_seconds", METRICS_GAUGE, L_NONE,
     "Seconds since signaald started."},
    {"signaal_own_head_known", METRICS_GAUGE, L_NONE,
     "1 once a peer confirmed the head of this node's own feed (needed "
     "before publishing)."},
    {"signaal_docs_received_total", METRICS_COUNTER, L_PEER,
     "Documents received from a peer (pages fetched and pushes)."},
    {"signaal_docs_stored_total", METRICS_COUNTER, L_PEER,
     "Documents received from a peer and stored."},
    {"signaal_docs_relayed_total", METRICS_COUNTER, L_PEER,
     "Documents sent to a peer (pages served and pushes)."},
    {"signaal_ingest_total", METRICS_COUNTER, L_OUTCOME,
     "Documents taken in, by outcome (stored, exists, fork, chain, "
     "quarantined, rejected)."},
    {"signaal_docs_rejected_total", METRICS_COUNTER, L_REASON,
     "Documents refused, by reason (sig, key, decode, policy, ...)."},
    {"signaal_refusal_remembered", METRICS_GAUGE, L_REFUSAL,
     "Documents refused and remembered, not fetched or pushed again "
     "until the federation feed changes or an hour passed: the seq of "
     "the refused document, by peer, origin, reason and direction."},
    {"signaal_trust_alarm", METRICS_GAUGE, L_ORIGIN_REASON,
     "Documents refused for a trust reason since start (successor: a "
     "roster or policy that breaks the federation feed's rules; revoked: "
     "a revoked key or departed member; fork), by origin."},
    {"signaal_forks_detected_total", METRICS_COUNTER, L_NONE,
     "Forks detected or fork proofs received."},
    {"signaal_forks_unresolved", METRICS_GAUGE, L_NONE,
     "Unresolved forks (their origins are quarantined)."},
    {"signaal_docs_uncounted", METRICS_GAUGE, L_ORIGIN,
     "Summaries and federation summaries held but counted nowhere: made "
     "under an earlier policy than the one of their time (PROTOCOL.md "
     "5.3, \"Epochs\"), by origin."},
    {"signaal_own_periods_uncounted", METRICS_GAUGE, L_NONE,
     "Periods of this node's own summaries that count nowhere: every "
     "summary of the period this node holds was made under an earlier "
     "policy than the one of its time (PROTOCOL.md 5.3), so the "
     "federation sees nothing of it until a correction (signaalctl "
     "summary correct PERIODE --reden beleid)."},
    {"signaal_quarantined", METRICS_GAUGE, L_ORIGIN,
     "1 for an origin stopped by an unresolved fork."},
    {"signaal_sync_rounds_total", METRICS_COUNTER, L_PEER_RESULT,
     "Sync rounds this node ran, by peer and result (ok or the error)."},
    {"signaal_sync_bytes_total", METRICS_COUNTER, L_PEER_DIR,
     "Session frame bytes exchanged, by peer and direction (out, in)."},
    {"signaal_sync_requests_total", METRICS_COUNTER, L_PEER_TYPE,
     "Requests served, by peer and message type."},
    {"signaal_sync_refused_total", METRICS_COUNTER, L_REASON,
     "Request frames refused before they opened (key, sig, replay, "
     "decode, limit, revoked, ...)."},
    {"signaal_sync_pages_ahead_total", METRICS_COUNTER, L_PEER,
     "Pages of documents asked for before the page before them was taken "
     "in (the sync client asking ahead, with more than one verify "
     "thread), by peer."},
    {"signaal_sync_pages_stale_total", METRICS_COUNTER, L_PEER,
     "Pages asked ahead and dropped unseen, because taking in the page "
     "before them changed what the round wanted (a refusal, a fork probe, "
     "the round's page budget), by peer: a high share of pages_ahead "
     "means asking ahead is wasted on this peer."},
    {"signaal_sync_session_key_fallbacks_total", METRICS_COUNTER, L_PEER,
     "Session requests sent again to another of the peer's valid keys "
     "after it refused the one addressed (denied: a key rotation's "
     "overlap, the peer switched keys), by peer."},
    {"signaal_sync_errors_total", METRICS_COUNTER, L_PEER_RESULT,
     "Requests that opened but were answered with an error."},
    {"signaal_sync_last_success_timestamp_seconds", METRICS_GAUGE, L_PEER,
     "Unix time of the last good round with a peer."},
    {"signaal_sync_round_seconds", METRICS_GAUGE, L_PEER,
     "Duration of the last round with a peer."},
    {"signaal_peer_up", METRICS_GAUGE, L_PEER,
     "1 if the last round with the peer succeeded."},
    {"signaal_peer_failures", METRICS_GAUGE, L_PEER,
     "Rounds failed in a row with the peer."},
    {"signaal_origin_lag", METRICS_GAUGE, L_ORIGIN,
     "Documents of an origin that a peer reported and this node lacks."},
    {"signaal_feed_head", METRICS_GAUGE, L_ORIGIN,
     "Highest seq held of each origin."},
    {"signaal_feed_documents", METRICS_GAUGE, L_NONE, "Documents held."},
    {"signaal_feed_bytes", METRICS_GAUGE, L_NONE,
     "Envelope bytes of the documents held."},
    {"signaal_replay_entries", METRICS_GAUGE, L_NONE,
     "Requests in the replay guard."},
    {"signaal_signals", METRICS_GAUGE, L_NONE, "Signals in the store."},
    {"signaal_roster_seq", METRICS_GAUGE, L_NONE,
     "Seq of the federation feed in force (roster, policy, taxonomy)."},
    {"signaal_roster_members", METRICS_GAUGE, L_NONE,
     "Members in the roster in force."},
    {"signaal_status_published_total", METRICS_COUNTER, L_NONE,
     "Status documents this node published."},
    {"signaal_summaries_released_total", METRICS_COUNTER, L_NONE,
     "Summary documents this node released."},
    {"signaal_purged_descriptions_total", METRICS_COUNTER, L_NONE,
     "Free-text descriptions blanked by the retention purge."},
    {"signaal_signals_captured_total", METRICS_COUNTER, L_NONE,
     "Signals captured through the HTTP API (stored, 201)."},
    {"signaal_summary_last_release_timestamp_seconds", METRICS_GAUGE,
     L_ORIGIN_PERIOD,
     "Creation time of the latest summary of each origin held, labelled "
     "with its period."},
    {"signaal_store_bytes", METRICS_GAUGE, L_NONE,
     "Size of the store on disk (database and write-ahead log)."},
    {"signaal_process_resident_bytes", METRICS_GAUGE, L_NONE,
     "Resident memory of signaald."},
    {"signaal_process_virtual_bytes", METRICS_GAUGE, L_NONE,
     "Virtual memory of signaald."},
    {"signaal_store_check_ok", METRICS_GAUGE, L_NONE,
     "1 if the store passed its last check (PRAGMA quick_check), else 0."},
    {"signaal_store_check_timestamp_seconds", METRICS_GAUGE, L_NONE,
     "Unix time the store was last checked."},
    {"signaal_store_writable", METRICS_GAUGE, L_NONE,
     "0 after a write failed (disk full, read-only, I/O error) until a "
     "commit succeeds again, else 1."},
    {"signaal_health_ok", METRICS_GAUGE, L_NONE,
     "1 when the store is undamaged, takes writes and has disk space (what "
     "/readyz checks besides roster and peers)."},
    {"signaal_own_key_valid", METRICS_GAUGE, L_NONE,
     "1 when the roster held lets keys/node.key sign now (or no roster "
     "yet); 0: signaald signs nothing until the new key is installed."},
    {"signaal_own_key_closes_timestamp_seconds", METRICS_GAUGE, L_NONE,
     "When keys/node.key closes (a rotation's overlap ends, a revocation, "
     "a departure); 0 when nothing closes it."},
    {"signaal_disk_free_bytes", METRICS_GAUGE, L_NONE,
     "Bytes free for signaald on the file system of the store."},
    {"signaal_disk_size_bytes", METRICS_GAUGE, L_NONE,
     "Size of the file system of the store."},
    {"signaal_release_due_periods", METRICS_GAUGE, L_NONE,
     "Periods due for release and not released at the last release run "
     "(stays above 0 when releases fail)."},
    {"signaal_release_sector_conflicts_total", METRICS_COUNTER, L_NONE,
     "Organisations that reported under more than one sector, summed "
     "over the periods released (each counts once per sector)."},
    {"signaal_sync_connections", METRICS_GAUGE, L_NONE,
     "Peers' connections to the sync listener open now."},
    {"signaal_sync_max_connections", METRICS_GAUGE, L_NONE,
     "The sync listener's connection cap in force ([sync] "
     "max_connections, lowered to what the descriptor limit leaves)."},
    {"signaal_sync_connections_refused_total", METRICS_COUNTER, L_REASON,
     "Connections to the sync listener closed at once, by reason (cap: "
     "[sync] max_connections; per_client: [sync] max_per_client)."},
    {"signaal_http_in_flight", METRICS_GAUGE, L_NONE,
     "HTTP requests taken in and not yet answered."},
    {"signaal_http_connections", METRICS_GAUGE, L_NONE,
     "HTTP connections open now."},
    {"signaal_http_max_connections", METRICS_GAUGE, L_NONE,
     "The HTTP connection cap in force ([http] max_connections, lowered "
     "to what the descriptor limit leaves)."},
    {"signaal_sync_engine_stuck", METRICS_GAUGE, L_NONE,
     "1 when nng (the sync library) is stuck: a close did not return or "
     "the periodic probe found its reaper stuck; signaald then stops "
     "itself (exit 75) for systemd to restart it."},
    {"signaal_sync_close_abandoned_total", METRICS_COUNTER, L_NONE,
     "nng sockets whose close did not return in time and were left "
     "behind (event=close_abandoned)."},
    {"signaal_http_refused_total", METRICS_COUNTER, L_REASON,
     "HTTP requests and connections the server refused or cut off "
     "before the API saw them, by reason (daemon/http.c)."},
};

int daemon_state_metrics_declare(struct daemon *d)
{
	static const char *const role[] = {"", "gemeente", "koepel"};
	int rc;
	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
		if ((rc = daemon_metrics_declare(
		         d->metrics, families[i].name, families[i].type,
		         families[i].help, families[i].labels)) != LS_OK)
			return rc;
	/* Counters without labels exist from the start (at 0), so that a
	 * rate over them works from the first scrape. */
	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
		if (families[i].type == METRICS_COUNTER &&
		    families[i].labels[0] == NULL &&
		    (rc = daemon_metrics_add(d->metrics, families[i].name,
		                             0)) != LS_OK)
			return rc;
	/* present from the first scrape, at 0 */
	if ((rc = daemon_metrics_set(d->metrics, "signaal_sync_engine_stuck",
	                             d->nng_stuck ? 1 : 0)) != LS_OK)
		return rc;
	return daemon_metrics_set(d->metrics, "signaal_info", 1, d->cfg.node_id,
	                          SIGNAALD_VERSION,
	                          d->cfg.role <= 2 ? role[d->cfg.role] : "?");
}

static void seen_update(struct daemon *d, const struct ls_vv *vv)
{
	for (size_t i = 0; vv != NULL && i < vv->n; i++) {
		const struct ls_vv_entry *x = &vv->entries[i];
		size_t j;
		for (j = 0; j < d->n_seen; j++)
			if (strcmp(d->seen[j].origin, x->origin) == 0)
				break;
		if (j == d->n_seen) {
			struct origin_seen *grown = ls_realloc(
			    d->seen, (d->n_seen + 1) * sizeof *grown);
			if (grown == NULL)
				return;
			d->seen = grown;
			memcpy(grown[j].origin, x->origin, LS_NODE_ID_SIZE);
			grown[j].seq = 0;
			d->n_seen++;
		}
		if (x->seq > d->seen[j].seq)
			d->seen[j].seq = x->seq;
	}
}

void daemon_state_round_done(struct daemon *d, struct peer *p,
                             const struct node_sync_round_info *info)
{
	struct metrics *m = d->metrics;
	int ok = info->state == NODE_SYNC_DONE;
	double secs = (double)(uv_now(d->loop) - p->round_start_ms) / 1000.0;

	daemon_metrics_add(m, "signaal_sync_rounds_total", 1, p->id,
	                   ok ? "ok" : ls_errname(info->code));
	daemon_metrics_add(m, "signaal_sync_bytes_total",
	                   (double)info->bytes_out, p->id, "out");
	daemon_metrics_add(m, "signaal_sync_bytes_total",
	                   (double)info->bytes_in, p->id, "in");
	daemon_metrics_add(m, "signaal_docs_received_total",
	                   (double)info->docs_in, p->id);
	daemon_metrics_add(m, "signaal_docs_stored_total",
	                   (double)info->docs_stored, p->id);
	daemon_metrics_add(m, "signaal_docs_relayed_total",
	                   (double)info->docs_pushed, p->id);
	daemon_metrics_add(m, "signaal_sync_pages_ahead_total",
	                   (double)info->pages_ahead, p->id);
	daemon_metrics_add(m, "signaal_sync_pages_stale_total",
	                   (double)info->pages_stale, p->id);
	daemon_metrics_add(m, "signaal_sync_session_key_fallbacks_total",
	                   (double)info->key_fallbacks, p->id);
	daemon_metrics_set(m, "signaal_peer_up", ok ? 1 : 0, p->id);
	daemon_metrics_set(m, "signaal_peer_failures", p->failures, p->id);
	daemon_metrics_set(m, "signaal_sync_round_seconds", secs, p->id);
	if (ok)
		daemon_metrics_set(
		    m, "signaal_sync_last_success_timestamp_seconds",
		    (double)p->last_ok, p->id);
	seen_update(d, info->peer_vv);
	if (info->docs_stored > 0 || info->push_stored > 0 || info->forks > 0)
		LS_INFO("peer", "round_done",
		        "peer=%s stored=%llu pushed=%llu peer_stored=%llu "
		        "forks=%llu rejected=%llu requests=%u bytes_out=%llu "
		        "bytes_in=%llu ms=%.0f",
		        p->id, (unsigned long long)info->docs_stored,
		        (unsigned long long)info->docs_pushed,
		        (unsigned long long)info->push_stored,
		        (unsigned long long)info->forks,
		        (unsigned long long)info->rejected, info->requests,
		        (unsigned long long)info->bytes_out,
		        (unsigned long long)info->bytes_in, secs * 1000);
	else if (ok)
		LS_DEBUG(
		    "peer", "round_done",
		    "peer=%s in_sync=%d requests=%u bytes=%llu", p->id,
		    info->in_sync, info->requests,
		    (unsigned long long)(info->bytes_out + info->bytes_in));
	if (!d->own_head_was_known && node_sync_own_head_known(&d->sync)) {
		d->own_head_was_known = 1;
		daemon_tasks_own_head_known(d);
	}
}

void daemon_state_served(struct daemon *d, const struct node_sync_served *s,
                         size_t bytes_in, size_t bytes_out)
{
	struct metrics *m = d->metrics;
	const char *peer = s->peer[0] != '\0' ? s->peer : "-";

	daemon_metrics_add(m, "signaal_sync_bytes_total", (double)bytes_in,
	                   peer, "in");
	daemon_metrics_add(m, "signaal_sync_bytes_total", (double)bytes_out,
	                   peer, "out");
	if (s->refused) {
		daemon_metrics_add(m, "signaal_sync_refused_total", 1,
		                   ls_errname(s->code));
		return;
	}
	daemon_metrics_add(m, "signaal_sync_requests_total", 1, peer,
	                   s->type != 0 && proto_sync_type_name(s->type)
	                       ? proto_sync_type_name(s->type)
	                       : "unknown");
	if (s->code != LS_OK)
		daemon_metrics_add(m, "signaal_sync_errors_total", 1, peer,
		                   ls_errname(s->code));
	daemon_metrics_add(m, "signaal_docs_relayed_total", (double)s->docs_out,
	                   peer);
	if (s->type == LS_SYNC_PUSH_REQ) {
		daemon_metrics_add(m, "signaal_docs_received_total",
		                   (double)s->docs_in, peer);
		daemon_metrics_add(m, "signaal_docs_stored_total",
		                   (double)s->push.stored, peer);
	}
	if (!d->own_head_was_known && node_sync_own_head_known(&d->sync)) {
		d->own_head_was_known = 1;
		daemon_tasks_own_head_known(d);
	}
}

/* --- gauges ------------------------------------------------------------ */

/* What the state tick reads from the store, read off the loop on the
 * store jobs' read lane (daemon/storejob.h) and applied to the metrics
 * and the status file on the loop. */
struct snap_head {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	int forked;
};

struct snap_summary {
	char origin[LS_NODE_ID_SIZE];
	char period[LS_PERIOD_SIZE];
	int64_t created;
};

/* Documents held but counted nowhere, per origin (PROTOCOL.md 5.3). */
struct snap_uncounted {
	char origin[LS_NODE_ID_SIZE];
	uint64_t docs, last_seq, policy_seq;
};

/* A period of this node's own summaries: whether any summary of it
 * counts (PROTOCOL.md 5.3). */
struct snap_own_period {
	char period[LS_PERIOD_SIZE];
	int counted;
};

struct state_snap {
	struct storejob job;
	struct daemon *d;
	/* in (copied on the loop) */
	char own[LS_NODE_ID_SIZE]; /* this node's id */
	int count;     /* may count documents and signals (whole tables) */
	int want_json; /* the status file is configured */
	uint64_t counted_gen;
	int64_t counted_at;
	/* out */
	int ran;
	struct snap_head *heads;
	size_t n_heads, cap_heads;
	int heads_ok, heads_oom;
	uint64_t forks;
	int forks_ok;
	int counted; /* docs, bytes, signals are fresh */
	int docs_ok, signals_ok;
	uint64_t docs, bytes, signals, gen;
	struct snap_summary *sums;
	size_t n_sums, cap_sums;
	struct snap_uncounted *unc;
	size_t n_unc, cap_unc;
	int unc_ok;
	/* periods of the own summaries, read only when some own document
	 * is uncounted; own_ok: the list is right (empty otherwise) */
	struct snap_own_period *own_periods;
	size_t n_own_periods, cap_own_periods;
	int own_ok, own_oom;
	json_t *forks_json, *statuses_json; /* want_json; NULL on failure */
	/* then the files, written on the read lane as well */
	char *prom, *json;
	size_t prom_len, json_len;
	char prom_path[DAEMON_PATH_SIZE], json_path[DAEMON_PATH_SIZE];
};

static int head_cb(void *arg, const char *origin, uint64_t seq,
                   const uint8_t head[LS_HASH_BYTES], int forked)
{
	struct state_snap *sn = arg;
	struct snap_head *grown;
	(void)head;
	grown = ls_array_grow(sn->heads, &sn->cap_heads, sn->n_heads + 1,
	                      sizeof *grown, 64);
	if (grown == NULL) {
		sn->heads_oom = 1;
		return 1;
	}
	sn->heads = grown;
	snprintf(sn->heads[sn->n_heads].origin, LS_NODE_ID_SIZE, "%s", origin);
	sn->heads[sn->n_heads].seq = seq;
	sn->heads[sn->n_heads].forked = forked;
	sn->n_heads++;
	return 0;
}

/* Loop: the heads into the metrics (and the lag against what peers
 * reported). */
static void heads_apply(struct daemon *d, const struct state_snap *sn)
{
	daemon_metrics_clear(d->metrics, "signaal_quarantined");
	for (size_t k = 0; k < sn->n_heads; k++) {
		const struct snap_head *h = &sn->heads[k];
		daemon_metrics_set(d->metrics, "signaal_feed_head",
		                   (double)h->seq, h->origin);
		if (h->forked)
			daemon_metrics_set(d->metrics, "signaal_quarantined", 1,
			                   h->origin);
		for (size_t i = 0; i < d->n_seen; i++)
			if (strcmp(d->seen[i].origin, h->origin) == 0) {
				uint64_t lag = d->seen[i].seq > h->seq
				                   ? d->seen[i].seq - h->seq
				                   : 0;
				if (h->seq > d->seen[i].seq)
					d->seen[i].seq = h->seq;
				daemon_metrics_set(d->metrics,
				                   "signaal_origin_lag",
				                   (double)lag, h->origin);
			}
	}
}

static int fork_count_cb(void *arg, const struct store_fork *f,
                         const uint8_t *proof, size_t len)
{
	(void)f;
	(void)proof;
	(void)len;
	(*(uint64_t *)arg)++;
	return 0;
}

static void tally_to_metrics(struct daemon *d)
{
	struct node_ingest_tally *last = &d->tally_seen;
	const struct node_ingest_tally *t = &d->ingest.tally;
	for (int i = 0; i < NODE_INGEST_OUTCOMES_; i++)
		if (t->outcome[i] > last->outcome[i])
			daemon_metrics_add(
			    d->metrics, "signaal_ingest_total",
			    (double)(t->outcome[i] - last->outcome[i]),
			    node_ingest_outcome_name(i));
	for (int i = 1; i < LS_ERR_COUNT_; i++)
		if (t->rejected[i] > last->rejected[i])
			daemon_metrics_add(
			    d->metrics, "signaal_docs_rejected_total",
			    (double)(t->rejected[i] - last->rejected[i]),
			    ls_errname(i));
	if (t->outcome[NODE_INGEST_FORK] > last->outcome[NODE_INGEST_FORK])
		daemon_metrics_add(d->metrics, "signaal_forks_detected_total",
		                   (double)(t->outcome[NODE_INGEST_FORK] -
		                            last->outcome[NODE_INGEST_FORK]));
	*last = *t;
}

static void counters_to_metrics(struct daemon *d)
{
	daemon_server_metrics_flush(d);
	if (d->status_published > d->seen_status)
		daemon_metrics_add(
		    d->metrics, "signaal_status_published_total",
		    (double)(d->status_published - d->seen_status));
	if (d->releases > d->seen_releases)
		daemon_metrics_add(d->metrics,
		                   "signaal_summaries_released_total",
		                   (double)(d->releases - d->seen_releases));
	if (d->purged > d->seen_purged)
		daemon_metrics_add(d->metrics,
		                   "signaal_purged_descriptions_total",
		                   (double)(d->purged - d->seen_purged));
	if (d->sector_conflicts > d->seen_sector_conflicts)
		daemon_metrics_add(
		    d->metrics, "signaal_release_sector_conflicts_total",
		    (double)(d->sector_conflicts - d->seen_sector_conflicts));
	d->seen_sector_conflicts = d->sector_conflicts;
	d->seen_status = d->status_published;
	d->seen_releases = d->releases;
	d->seen_purged = d->purged;
}

static int summary_latest_cb(void *arg, const struct store_doc_meta *m,
                             const uint8_t *env, size_t len)
{
	struct state_snap *sn = arg;
	struct snap_summary *grown;
	struct ls_doc doc;
	memset(&doc, 0, sizeof doc);
	if (node_feed_decode(env, len, &doc, NULL) != LS_OK)
		return 0;
	grown = ls_array_grow(sn->sums, &sn->cap_sums, sn->n_sums + 1,
	                      sizeof *grown, 16);
	if (grown == NULL) {
		proto_doc_fini(&doc);
		return 1;
	}
	sn->sums = grown;
	snprintf(sn->sums[sn->n_sums].origin, LS_NODE_ID_SIZE, "%s", m->origin);
	ls_period_format(&doc.body.summary.period, sn->sums[sn->n_sums].period);
	sn->sums[sn->n_sums].created = m->created;
	sn->n_sums++;
	proto_doc_fini(&doc);
	return 0;
}

static int uncounted_cb(void *arg, const struct store_doc_meta *m,
                        const uint8_t *env, size_t len)
{
	struct state_snap *sn = arg;
	struct snap_uncounted *u;
	(void)env;
	(void)len;
	if (sn->n_unc == 0 ||
	    strcmp(sn->unc[sn->n_unc - 1].origin, m->origin) != 0) {
		u = ls_array_grow(sn->unc, &sn->cap_unc, sn->n_unc + 1,
		                  sizeof *u, 8);
		if (u == NULL)
			return 1;
		sn->unc = u;
		u = &sn->unc[sn->n_unc++];
		memset(u, 0, sizeof *u);
		snprintf(u->origin, sizeof u->origin, "%s", m->origin);
	}
	u = &sn->unc[sn->n_unc - 1];
	u->docs++;
	u->last_seq = m->seq;
	u->policy_seq = m->uncounted;
	return 0;
}

/* One of the node's own summaries: its period, and whether it counts. */
static int own_summary_cb(void *arg, const struct store_doc_meta *m,
                          const uint8_t *env, size_t len)
{
	struct state_snap *sn = arg;
	struct snap_own_period *p = NULL;
	char period[LS_PERIOD_SIZE];
	struct ls_doc doc;

	memset(&doc, 0, sizeof doc);
	if (node_feed_decode(env, len, &doc, NULL) != LS_OK ||
	    doc.hdr.type != LS_DOC_SUMMARY) {
		proto_doc_fini(&doc);
		return 0; /* verified when stored */
	}
	ls_period_format(&doc.body.summary.period, period);
	proto_doc_fini(&doc);
	for (size_t i = 0; i < sn->n_own_periods && p == NULL; i++)
		if (strcmp(sn->own_periods[i].period, period) == 0)
			p = &sn->own_periods[i];
	if (p == NULL) {
		p = ls_array_grow(sn->own_periods, &sn->cap_own_periods,
		                  sn->n_own_periods + 1, sizeof *p, 16);
		if (p == NULL) {
			sn->own_oom = 1;
			return 1;
		}
		sn->own_periods = p;
		p = &sn->own_periods[sn->n_own_periods++];
		snprintf(p->period, sizeof p->period, "%s", period);
		p->counted = 0;
	}
	if (m->uncounted == 0)
		p->counted = 1;
	return 0;
}

/* The own periods that count nowhere: a period counts when any summary
 * of it does (a correction under the policy in force, or an original
 * that a later, uncounted correction does not replace: as the trends
 * read them, node/trends_load.c). Only when the uncounted list names
 * this node are its summaries read (a dozen a year). */
static void own_periods_collect(struct state_snap *sn, struct store *s)
{
	int any = 0;
	sn->own_ok = 0;
	if (!sn->unc_ok)
		return;
	for (size_t i = 0; i < sn->n_unc && !any; i++)
		any = strcmp(sn->unc[i].origin, sn->own) == 0;
	if (!any) {
		sn->own_ok = 1;
		return;
	}
	sn->own_ok = store_feed_list(s, LS_DOC_SUMMARY, sn->own,
	                             own_summary_cb, sn) == LS_OK &&
	             !sn->own_oom;
}

static size_t own_uncounted(const struct state_snap *sn)
{
	size_t n = 0;
	for (size_t i = 0; i < sn->n_own_periods; i++)
		n += !sn->own_periods[i].counted;
	return n;
}

/* The process's memory from /proc (Linux); nothing elsewhere. */
static void process_gauges(struct daemon *d)
{
	FILE *fp = fopen("/proc/self/statm", "r");
	unsigned long long size, resident;
	long page = sysconf(_SC_PAGESIZE);
	if (fp == NULL)
		return;
	if (fscanf(fp, "%llu %llu", &size, &resident) == 2 && page > 0) {
		daemon_metrics_set(d->metrics, "signaal_process_resident_bytes",
		                   (double)resident * (double)page);
		daemon_metrics_set(d->metrics, "signaal_process_virtual_bytes",
		                   (double)size * (double)page);
	}
	fclose(fp);
}

static void store_size_gauge(struct daemon *d)
{
	char path[DAEMON_PATH_SIZE + 8];
	struct stat st;
	double total = 0;
	int n = d->cfg.store_path[0] == '/'
	            ? snprintf(path, DAEMON_PATH_SIZE, "%s", d->cfg.store_path)
	            : snprintf(path, DAEMON_PATH_SIZE, "%s/%s", d->dir,
	                       d->cfg.store_path);
	if (n <= 0 || n >= DAEMON_PATH_SIZE)
		return;
	if (stat(path, &st) == 0)
		total += (double)st.st_size;
	strcat(path, "-wal");
	if (stat(path, &st) == 0)
		total += (double)st.st_size;
	daemon_metrics_set(d->metrics, "signaal_store_bytes", total);
}

int daemon_state_metrics_text(struct daemon *d, char **text, size_t *len)
{
	/* No store here: the store's gauges are the last state tick's
	 * (signaal_forks_unresolved is set at start, so it exists from
	 * the first scrape). */
	daemon_metrics_set(d->metrics, "signaal_uptime_seconds",
	                   (double)(daemon_now() - d->started_at));
	daemon_http_metrics_flush(d);
	process_gauges(d);
	store_size_gauge(d);
	daemon_health_tick(d);
	tally_to_metrics(d);
	counters_to_metrics(d);
	return daemon_metrics_render(d->metrics, text, len);
}

static int status_json_cb(void *arg, const struct store_doc_meta *m,
                          const uint8_t *env, size_t len);
static int fork_json_cb(void *arg, const struct store_fork *f,
                        const uint8_t *proof, size_t len);

/* Read lane (or the loop at the last write, with its own connection):
 * everything the gauges and the status file need from the store. */
static void snap_collect(struct state_snap *sn, struct store *s)
{
	uint64_t gen;
	sn->heads_ok =
	    store_feed_vector(s, head_cb, sn) == LS_OK && !sn->heads_oom;
	sn->forks_ok =
	    store_fork_list(s, 0, fork_count_cb, &sn->forks) == LS_OK;
	/* Counting documents and signals scans whole tables (millions of
	 * rows at the association after a year): at most once a minute,
	 * and only when something changed. */
	if (sn->count && store_feed_generation(s, &gen) == LS_OK &&
	    (gen != sn->counted_gen || sn->counted_at == 0) &&
	    daemon_now() - sn->counted_at >= 60) {
		sn->docs_ok =
		    store_feed_count(s, &sn->docs, &sn->bytes) == LS_OK;
		sn->signals_ok = store_signal_count(s, &sn->signals) == LS_OK;
		sn->counted = 1;
		sn->gen = gen;
	}
	(void)store_feed_latest(s, LS_DOC_SUMMARY, summary_latest_cb, sn);
	sn->unc_ok = store_feed_list_uncounted(s, uncounted_cb, sn) == LS_OK;
	own_periods_collect(sn, s);
	if (sn->want_json) {
		if ((sn->forks_json = json_array()) != NULL)
			(void)store_fork_list(s, 0, fork_json_cb,
			                      sn->forks_json);
		if ((sn->statuses_json = json_array()) != NULL)
			(void)store_feed_latest(s, LS_DOC_STATUS,
			                        status_json_cb,
			                        sn->statuses_json);
	}
}

/* Loop: the snapshot and the loop's own state into the gauges. */
static void gauges(struct daemon *d, const struct state_snap *sn)
{
	struct metrics *m = d->metrics;
	const struct ls_roster *r = node_trust_roster(&d->trust);

	daemon_metrics_set(m, "signaal_uptime_seconds",
	                   (double)(daemon_now() - d->started_at));
	daemon_metrics_set(m, "signaal_own_head_known",
	                   node_sync_own_head_known(&d->sync));
	if (sn->heads_ok)
		heads_apply(d, sn);
	if (sn->forks_ok)
		daemon_metrics_set(m, "signaal_forks_unresolved",
		                   (double)sn->forks);
	if (sn->counted) {
		if (sn->docs_ok) {
			daemon_metrics_set(m, "signaal_feed_documents",
			                   (double)sn->docs);
			daemon_metrics_set(m, "signaal_feed_bytes",
			                   (double)sn->bytes);
		}
		if (sn->signals_ok)
			daemon_metrics_set(m, "signaal_signals",
			                   (double)sn->signals);
		d->counted_gen = sn->gen;
		d->counted_at = daemon_now();
	}
	daemon_metrics_clear(m, "signaal_refusal_remembered");
	for (size_t i = 0; i < d->sync.n_remembered; i++) {
		const struct node_sync_refusal *x = &d->sync.remembered[i];
		if (node_sync_refusal_live(&d->sync, x, daemon_now()))
			daemon_metrics_set(m, "signaal_refusal_remembered",
			                   (double)x->seq, x->peer, x->origin,
			                   ls_errname(x->code),
			                   x->push ? "push" : "pull");
	}
	if (sn->unc_ok) {
		daemon_metrics_clear(m, "signaal_docs_uncounted");
		for (size_t i = 0; i < sn->n_unc; i++)
			daemon_metrics_set(m, "signaal_docs_uncounted",
			                   (double)sn->unc[i].docs,
			                   sn->unc[i].origin);
	}
	if (sn->own_ok)
		daemon_metrics_set(m, "signaal_own_periods_uncounted",
		                   (double)own_uncounted(sn));
	daemon_metrics_clear(m, "signaal_trust_alarm");
	for (size_t i = 0; i < d->ingest.n_alarms; i++)
		daemon_metrics_set(
		    m, "signaal_trust_alarm", (double)d->ingest.alarms[i].count,
		    d->ingest.alarms[i].origin, d->ingest.alarms[i].reason);
	daemon_metrics_set(m, "signaal_replay_entries",
	                   (double)daemon_syncwork_replay_entries(d));
	daemon_metrics_set(m, "signaal_roster_seq", (double)d->trust.head.seq);
	daemon_metrics_set(m, "signaal_roster_members",
	                   r != NULL ? (double)r->n_members : 0);
	daemon_metrics_clear(m,
	                     "signaal_summary_last_release_timestamp_seconds");
	for (size_t i = 0; i < sn->n_sums; i++)
		daemon_metrics_set(
		    m, "signaal_summary_last_release_timestamp_seconds",
		    (double)sn->sums[i].created, sn->sums[i].origin,
		    sn->sums[i].period);
	process_gauges(d);
	store_size_gauge(d);
	daemon_health_tick(d);
	tally_to_metrics(d);
	counters_to_metrics(d);
}

/* --- files -------------------------------------------------------------- */

/* The state and metrics files: whole or not at all, 0640 whatever the
 * umask (operators and their monitoring group read them; they name
 * peers and counts, nothing personal). */
#define STATE_FILE_MODE 0640

/* *failed: whether the last write of this file failed; a failure is
 * logged when it is news (every tick on a read-only or full disk would
 * flood the log), the recovery too. */
static int write_atomic(const char *path, const char *text, size_t len,
                        int *failed)
{
	int rc = ls_file_write_atomic(path, text, len, STATE_FILE_MODE, 1);
	if (rc != LS_OK && !*failed)
		LS_WARN("state", "write_failed", "file=%s err=%s errno=%d",
		        path, ls_errname(rc), errno);
	else if (rc != LS_OK)
		LS_DEBUG("state", "write_failed", "file=%s err=%s errno=%d",
		         path, ls_errname(rc), errno);
	else if (*failed)
		LS_INFO("state", "write_ok_again", "file=%s", path);
	*failed = rc != LS_OK;
	return rc;
}

static int node_path(const struct daemon *d, const char *rel, char *out,
                     size_t size)
{
	int n = rel[0] == '/' ? snprintf(out, size, "%s", rel)
	                      : snprintf(out, size, "%s/%s", d->dir, rel);
	return n > 0 && (size_t)n < size ? LS_OK : LS_EINVAL;
}

static const char *peer_result(const struct peer *p)
{
	if (p->last_attempt == 0)
		return "pending";
	return p->last_code == LS_OK ? "ok" : ls_errname(p->last_code);
}

static int status_json_cb(void *arg, const struct store_doc_meta *m,
                          const uint8_t *env, size_t len)
{
	json_t *arr = arg, *o;
	struct ls_doc doc;
	memset(&doc, 0, sizeof doc);
	if (node_feed_decode(env, len, &doc, NULL) != LS_OK)
		return 0;
	o = json_pack("{s:s, s:I, s:I, s:s, s:I, s:I}", "origin", m->origin,
	              "seq", (json_int_t)m->seq, "created",
	              (json_int_t)m->created, "software",
	              doc.body.status.software, "uptime_s",
	              (json_int_t)doc.body.status.uptime, "peers",
	              (json_int_t)doc.body.status.n_peers);
	if (o != NULL) {
		json_t *counters = json_object();
		for (size_t i = 0; counters && i < doc.body.status.n_counters;
		     i++)
			if (!proto_status_counter_private(
			        doc.body.status.counters[i].name))
				json_object_set_new(
				    counters, doc.body.status.counters[i].name,
				    json_integer(
				        (json_int_t)doc.body.status.counters[i]
				            .value));
		if (counters != NULL)
			json_object_set_new(o, "counters", counters);
		json_array_append_new(arr, o);
	}
	proto_doc_fini(&doc);
	return 0;
}

static int fork_json_cb(void *arg, const struct store_fork *f,
                        const uint8_t *proof, size_t len)
{
	json_t *o = json_pack("{s:s, s:I, s:I}", "origin", f->origin, "seq",
	                      (json_int_t)f->seq, "detected_at",
	                      (json_int_t)f->detected_at);
	(void)proof;
	(void)len;
	if (o != NULL)
		json_array_append_new(arg, o);
	return 0;
}

/* The refusals remembered now (PROTOCOL.md 7): what and why, what to
 * do. */
static json_t *refusals_json(struct daemon *d)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < d->sync.n_remembered; i++) {
		const struct node_sync_refusal *x = &d->sync.remembered[i];
		if (!node_sync_refusal_live(&d->sync, x, daemon_now()))
			continue;
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:I, "
		              "s:s, s:s}",
		              "peer", x->peer, "origin", x->origin, "seq",
		              (json_int_t)x->seq, "direction",
		              x->push ? "push" : "pull", "reason",
		              ls_errname(x->code), "first",
		              (json_int_t)x->first, "last", (json_int_t)x->last,
		              "retry_at", (json_int_t)x->retry_at, "count",
		              (json_int_t)x->count, "detail", x->detail,
		              "advice", node_sync_refusal_advice(x)));
	}
	return arr != NULL ? arr : json_null();
}

/* The trust alarms since start (PROTOCOL.md 6, "Alarms"). */
static json_t *alarms_json(struct daemon *d)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < d->ingest.n_alarms; i++) {
		const struct node_ingest_alarm *a = &d->ingest.alarms[i];
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "origin",
		              a->origin, "reason", a->reason, "seq",
		              (json_int_t)a->seq, "count", (json_int_t)a->count,
		              "first", (json_int_t)a->first, "last",
		              (json_int_t)a->last, "detail", a->detail));
	}
	return arr != NULL ? arr : json_null();
}

/* What is held but counted nowhere, by origin (PROTOCOL.md 5.3). */
static json_t *uncounted_json(const struct daemon *d,
                              const struct state_snap *sn)
{
	json_t *arr = sn->unc_ok ? json_array() : NULL;
	for (size_t i = 0; arr != NULL && i < sn->n_unc; i++) {
		const struct snap_uncounted *u = &sn->unc[i];
		int own = strcmp(u->origin, d->cfg.node_id) == 0;
		json_t *x = json_pack(
		    "{s:s, s:I, s:I, s:I, s:b}", "origin", u->origin, "docs",
		    (json_int_t)u->docs, "last_seq", (json_int_t)u->last_seq,
		    "policy_seq", (json_int_t)u->policy_seq, "own", own);
		/* The own periods that count nowhere: what to correct. */
		if (x != NULL && own && sn->own_ok) {
			json_t *p = json_array();
			for (size_t k = 0; p != NULL && k < sn->n_own_periods;
			     k++)
				if (!sn->own_periods[k].counted)
					json_array_append_new(
					    p, json_string(
					           sn->own_periods[k].period));
			json_object_set_new(x, "periods",
			                    p != NULL ? p : json_null());
		}
		json_array_append_new(arr, x);
	}
	return arr != NULL ? arr : json_null();
}

/* Loop: the status snapshot (DIR/signaald.json) from the loop's state
 * and what the tick read from the store (sn->forks_json and
 * sn->statuses_json are taken). The caller's: json_decref. */
static json_t *status_json(struct daemon *d, struct state_snap *sn)
{
	const struct ls_vv *vv = NULL;
	const uint8_t *digest = NULL;
	char hex[2 * LS_HASH_BYTES + 1] = "";
	uint64_t docs = 0, bytes = 0;
	json_t *root, *peers, *origins;

	if (node_sync_vector(&d->sync, &vv, &digest) == LS_OK)
		ls_hex_encode(digest, LS_HASH_BYTES, hex);
	/* The counts of the last gauges refresh (at most a minute old). */
	docs =
	    (uint64_t)daemon_metrics_get(d->metrics, "signaal_feed_documents");
	bytes = (uint64_t)daemon_metrics_get(d->metrics, "signaal_feed_bytes");
	root = json_pack(
	    "{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:s,"
	    " s:{s:I, s:I, s:I, s:s}, s:{s:I, s:I}}",
	    "node", d->cfg.node_id, "name", d->cfg.node_name, "federation",
	    d->cfg.federation_id, "software", SIGNAALD_VERSION, "pid",
	    (json_int_t)getpid(), "started_at", (json_int_t)d->started_at,
	    "updated_at", (json_int_t)daemon_now(), "uptime_s",
	    (json_int_t)(daemon_now() - d->started_at), "own_head_known",
	    node_sync_own_head_known(&d->sync), "listen", d->cfg.listen, "feed",
	    "documents", (json_int_t)docs, "bytes", (json_int_t)bytes,
	    "origins", (json_int_t)(vv ? vv->n : 0), "digest", hex, "trust",
	    "seq", (json_int_t)d->trust.head.seq, "members",
	    (json_int_t)(node_trust_roster(&d->trust)
	                     ? node_trust_roster(&d->trust)->n_members
	                     : 0));
	if (root == NULL)
		return NULL;
	{
		/* what /readyz says of the store (Dutch, for the operator) */
		char why[600];
		const char *reason =
		    daemon_health_reason(d, why, sizeof why, NULL);
		json_object_set_new(root, "store",
		                    json_pack("{s:b, s:s}", "ok",
		                              reason == NULL, "reason",
		                              reason != NULL ? reason : ""));
	}
	peers = json_array();
	for (struct peer *p = d->peers; peers && p != NULL; p = p->next)
		json_array_append_new(
		    peers,
		    json_pack("{s:s, s:s, s:s, s:I, s:I, s:i, s:I, s:I, s:b}",
		              "id", p->id, "endpoint", p->endpoint, "result",
		              peer_result(p), "last_ok", (json_int_t)p->last_ok,
		              "last_attempt", (json_int_t)p->last_attempt,
		              "failures", (int)p->failures, "rounds_ok",
		              (json_int_t)p->rounds_ok, "rounds_failed",
		              (json_int_t)p->rounds_failed, "syncing",
		              p->round != NULL));
	origins = sn->heads_ok ? json_array() : NULL;
	for (size_t i = 0; origins != NULL && i < sn->n_heads; i++)
		json_array_append_new(
		    origins, json_pack("{s:s, s:I, s:I, s:b}", "feed",
		                       sn->heads[i].origin, "held",
		                       (json_int_t)sn->heads[i].seq, "lag",
		                       (json_int_t)daemon_metrics_get(
		                           d->metrics, "signaal_origin_lag",
		                           sn->heads[i].origin),
		                       "quarantined", sn->heads[i].forked));
	json_object_set_new(root, "origins", origins ? origins : json_null());
	json_object_set_new(root, "http", json_string(d->cfg.http_listen));
	json_object_set_new(root, "state_interval_s",
	                    json_integer((json_int_t)d->cfg.state_interval_s));
	json_object_set_new(root, "peers", peers ? peers : json_null());
	json_object_set_new(root, "forks",
	                    sn->forks_json ? sn->forks_json : json_null());
	json_object_set_new(root, "statuses",
	                    sn->statuses_json ? sn->statuses_json
	                                      : json_null());
	sn->forks_json = sn->statuses_json = NULL;
	json_object_set_new(root, "refusals", refusals_json(d));
	json_object_set_new(root, "alarms", alarms_json(d));
	json_object_set_new(root, "uncounted", uncounted_json(d, sn));
	json_object_set_new(root, "own_key", daemon_ownkey_json(d));
	json_object_set_new(root, "secagg", daemon_secagg_status_json(d));
	/* nng stuck (daemon/tasks.c, "nngprobe"): signaalctl status says
	 * what it means and what to do */
	json_object_set_new(root, "sync_engine",
	                    json_pack("{s:b, s:I}", "stuck", d->nng_stuck,
	                              "close_abandoned",
	                              (json_int_t)d->nng_abandoned));
	return root;
}

static void snap_free(struct state_snap *sn)
{
	if (sn == NULL)
		return;
	ls_free(sn->heads);
	ls_free(sn->sums);
	ls_free(sn->unc);
	ls_free(sn->own_periods);
	json_decref(sn->forks_json);
	json_decref(sn->statuses_json);
	ls_free(sn->prom);
	free(sn->json); /* jansson's allocator */
	ls_free(sn);
}

static struct state_snap *snap_new(struct daemon *d, int count)
{
	struct state_snap *sn = ls_calloc(1, sizeof *sn);
	if (sn == NULL)
		return NULL;
	sn->d = d;
	snprintf(sn->own, sizeof sn->own, "%s", d->cfg.node_id);
	sn->count = count;
	sn->want_json = d->cfg.status_file[0] != '\0';
	sn->counted_gen = d->counted_gen;
	sn->counted_at = d->counted_at;
	return sn;
}

/* Loop: gauges from the snapshot, then the two files' text into it. */
static void snap_render(struct daemon *d, struct state_snap *sn)
{
	gauges(d, sn);
	daemon_secagg_metrics(d);
	if (d->cfg.metrics_file[0] != '\0' &&
	    node_path(d, d->cfg.metrics_file, sn->prom_path,
	              sizeof sn->prom_path) == LS_OK &&
	    daemon_metrics_render(d->metrics, &sn->prom, &sn->prom_len) !=
	        LS_OK)
		LS_WARN("state", "write_failed", "file=%s", sn->prom_path);
	if (sn->want_json && node_path(d, d->cfg.status_file, sn->json_path,
	                               sizeof sn->json_path) == LS_OK) {
		json_t *root = status_json(d, sn);
		sn->json =
		    root ? json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS)
		         : NULL;
		if (sn->json == NULL)
			LS_WARN("state", "write_failed", "file=%s",
			        sn->json_path);
		else
			sn->json_len = strlen(sn->json);
		json_decref(root);
	}
}

/* Whichever thread: the files (fsync'd, renamed). */
static void snap_write_files(struct state_snap *sn)
{
	if (sn->prom != NULL)
		(void)write_atomic(sn->prom_path, sn->prom, sn->prom_len,
		                   &sn->d->state_write_failed[0]);
	if (sn->json != NULL)
		(void)write_atomic(sn->json_path, sn->json, sn->json_len,
		                   &sn->d->state_write_failed[1]);
}

static int snap_files_run(struct storejob *job, struct store *s)
{
	(void)s;
	snap_write_files((struct state_snap *)job);
	return LS_OK;
}

static void snap_files_done(struct storejob *job)
{
	struct state_snap *sn = (struct state_snap *)job;
	sn->d->state_busy = 0;
	snap_free(sn);
}

static int snap_read_run(struct storejob *job, struct store *s)
{
	struct state_snap *sn = (struct state_snap *)job;
	sn->ran = 1;
	snap_collect(sn, s);
	return LS_OK;
}

static void snap_read_done(struct storejob *job)
{
	struct state_snap *sn = (struct state_snap *)job;
	struct daemon *d = sn->d;
	if (!sn->ran || d->stopping) {
		/* the lanes closed: daemon_stop writes the files itself */
		d->state_busy = 0;
		snap_free(sn);
		return;
	}
	snap_render(d, sn);
	sn->job.run = snap_files_run;
	sn->job.done = snap_files_done;
	if (daemon_storejob_submit(d->jobs, STOREJOB_READ, &sn->job) != LS_OK) {
		d->state_busy = 0;
		snap_free(sn);
	}
}

int daemon_state_tick(struct daemon *d)
{
	struct state_snap *sn;
	int rc;
	if (d->state_busy) {
		/* The last tick's reads or writes are still going (a slow
		 * disk): this one is skipped, the next one catches up. */
		LS_DEBUG("state", "tick_skipped", "reason=busy");
		return LS_EBUSY;
	}
	if ((sn = snap_new(d, 1)) == NULL)
		return LS_ENOMEM;
	sn->job.run = snap_read_run;
	sn->job.done = snap_read_done;
	if ((rc = daemon_storejob_submit(d->jobs, STOREJOB_READ, &sn->job)) !=
	    LS_OK) {
		snap_free(sn);
		return rc;
	}
	d->state_busy = 1;
	return LS_OK;
}

void daemon_state_write_now(struct daemon *d)
{
	/* At stop, on the loop's own connection: no count (whole tables),
	 * the rest is a few index reads. */
	struct state_snap *sn = snap_new(d, 0);
	if (sn == NULL)
		return;
	snap_collect(sn, d->store);
	snap_render(d, sn);
	snap_write_files(sn);
	snap_free(sn);
}

/* --- the status document ------------------------------------------------ */

static int peer_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ls_status_peer *)a)->node_id,
	              ((const struct ls_status_peer *)b)->node_id);
}

static void counter(struct ls_status *st, const char *name, uint64_t v)
{
	struct ls_status_counter *c = &st->counters[st->n_counters++];
	snprintf(c->name, sizeof c->name, "%s", name);
	c->value = v > LS_SEQ_MAX ? LS_SEQ_MAX : v;
}

int daemon_state_status_doc(struct daemon *d, struct ls_doc *doc)
{
	const struct node_ingest_tally *t = &d->ingest.tally;
	struct ls_status *st;
	uint64_t docs = 0, bytes = 0, forks = 0, rejected = 0;
	uint64_t rounds_ok = 0, rounds_failed = 0;
	size_t n = 0;

	proto_doc_init(doc, LS_DOC_STATUS);
	snprintf(doc->hdr.origin, sizeof doc->hdr.origin, "%s", d->cfg.node_id);
	st = &doc->body.status;
	snprintf(st->software, sizeof st->software, "%s", SIGNAALD_VERSION);
	st->uptime = (uint64_t)(daemon_now() - d->started_at);
	/* Nothing about signals leaves the node (PROTOCOL.md 5.5): key 2
	 * stays 0 and no counter counts signals. */
	st->legacy_capture = 0;
	for (struct peer *p = d->peers; p != NULL; p = p->next)
		n++;
	if (n > 0) {
		st->peers = ls_calloc(n, sizeof *st->peers);
		if (st->peers == NULL)
			return LS_ENOMEM;
	}
	for (struct peer *p = d->peers; p != NULL; p = p->next) {
		struct ls_status_peer *sp;
		rounds_ok += p->rounds_ok;
		rounds_failed += p->rounds_failed;
		if (p->last_attempt == 0)
			continue; /* nothing to tell yet */
		sp = &st->peers[st->n_peers++];
		snprintf(sp->node_id, sizeof sp->node_id, "%s", p->id);
		sp->last_sync = p->last_ok;
		snprintf(sp->result, sizeof sp->result, "%s",
		         p->last_code == LS_OK ? "ok"
		                               : ls_errname(p->last_code));
	}
	qsort(st->peers, st->n_peers, sizeof *st->peers, peer_cmp);
	/* feed_bytes, feed_docs and forks_unresolved are filled in by
	 * daemon_state_status_doc_counts, where the store is. */
	for (int i = 1; i < LS_ERR_COUNT_; i++)
		rejected += t->rejected[i];
	/* By name, as the format wants them. */
	counter(st, "docs_exists", t->outcome[NODE_INGEST_EXISTS]);
	counter(st, "docs_rejected", rejected);
	counter(st, "docs_stored", t->outcome[NODE_INGEST_STORED]);
	counter(st, "feed_bytes", bytes);
	counter(st, "feed_docs", docs);
	counter(st, "forks_unresolved", forks);
	counter(st, "rounds_failed", rounds_failed);
	counter(st, "rounds_ok", rounds_ok);
	counter(st, "summaries_released", d->releases);
	return LS_OK;
}

static void counter_set(struct ls_status *st, const char *name, uint64_t v)
{
	for (size_t i = 0; i < st->n_counters; i++)
		if (strcmp(st->counters[i].name, name) == 0)
			st->counters[i].value = v > LS_SEQ_MAX ? LS_SEQ_MAX : v;
}

int daemon_state_status_doc_counts(struct ls_doc *doc, struct store *s)
{
	uint64_t docs = 0, bytes = 0, forks = 0;
	int rc;
	if ((rc = store_feed_count(s, &docs, &bytes)) != LS_OK ||
	    (rc = store_fork_list(s, 0, fork_count_cb, &forks)) != LS_OK)
		return rc;
	counter_set(&doc->body.status, "feed_bytes", bytes);
	counter_set(&doc->body.status, "feed_docs", docs);
	counter_set(&doc->body.status, "forks_unresolved", forks);
	return LS_OK;
}
