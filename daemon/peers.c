/*
 * The peer set: the [sync] peers list ("koepel", "alle", node ids, with
 * or without an endpoint) resolved against the roster in force. Only
 * members that may hold sessions now become peers — a node removed or
 * revoked by a roster update is dropped at the next refresh, which runs
 * whenever a federation document is admitted, on SIGHUP, and when
 * another process changed the federation feed. An endpoint comes from
 * the config entry if it names one, else from the member's first tcp://
 * endpoint in the roster; a member without one can still sync with us
 * (we serve it) but we cannot call it.
 */
#include "daemon/daemon.h"

#include "common/alloc.h"
#include "common/log.h"
#include "proto/doc_roster.h"

#include <string.h>

struct want {
	char id[LS_NODE_ID_SIZE];
	char endpoint[LS_ENDPOINT_MAX + 1];
};

static const char *roster_endpoint(const struct ls_roster_member *m)
{
	for (size_t i = 0; i < m->n_endpoints; i++)
		if (strncmp(m->endpoints[i], "tcp://", 6) == 0)
			return m->endpoints[i];
	return NULL;
}

static void want_member(struct daemon *d, const struct ls_roster *r,
                        const struct ls_roster_member *m, const char *ep,
                        struct want *out, size_t max, size_t *n)
{
	if (strcmp(m->node_id, d->cfg.node_id) == 0)
		return;
	if (proto_roster_member_key(r, m, daemon_now()) == NULL) {
		LS_DEBUG("peers", "peer_skipped",
		         "peer=%s reason=no_session_key", m->node_id);
		return;
	}
	if (ep == NULL || ep[0] == '\0')
		ep = roster_endpoint(m);
	if (ep == NULL) {
		LS_DEBUG("peers", "peer_skipped", "peer=%s reason=no_endpoint",
		         m->node_id);
		return;
	}
	for (size_t i = 0; i < *n; i++)
		if (strcmp(out[i].id, m->node_id) == 0)
			return;
	if (*n >= max)
		return;
	snprintf(out[*n].id, sizeof out[*n].id, "%s", m->node_id);
	snprintf(out[*n].endpoint, sizeof out[*n].endpoint, "%s", ep);
	(*n)++;
}

int daemon_peers_refresh(struct daemon *d)
{
	struct ls_peer_spec specs[LS_CONFIG_MAX_PEERS];
	const struct ls_roster *r = node_trust_roster(&d->trust);
	struct want *wants = NULL;
	size_t n_specs = 0, n = 0, max;
	char why[200];
	int rc = LS_OK;

	if (d->stopping)
		return LS_OK;
	if (ls_config_peers_parse(d->cfg.peers, specs, LS_CONFIG_MAX_PEERS,
	                          &n_specs, why, sizeof why) != LS_OK)
		return LS_ECONFIG; /* checked when the config was read */
	if (n_specs == 0) {
		/* Nobody to ask about our own feed. */
		node_sync_set_own_head_known(&d->sync);
	}
	max = r != NULL ? r->n_members : 0;
	if (max > 0 && (wants = ls_calloc(max, sizeof *wants)) == NULL)
		return LS_ENOMEM;
	for (size_t s = 0; s < n_specs && r != NULL; s++) {
		const struct ls_peer_spec *sp = &specs[s];
		if (sp->kind == LS_PEER_NODE) {
			const struct ls_roster_member *m =
			    proto_roster_find_member(r, sp->node_id);
			if (m == NULL) {
				LS_WARN("peers", "peer_not_in_roster",
				        "peer=%s", sp->node_id);
				continue;
			}
			want_member(d, r, m, sp->endpoint, wants, max, &n);
			continue;
		}
		for (size_t i = 0; i < r->n_members; i++) {
			const struct ls_roster_member *m = &r->members[i];
			if (sp->kind == LS_PEER_AGGREGATORS &&
			    m->role != LS_ROLE_AGGREGATOR)
				continue;
			want_member(d, r, m, NULL, wants, max, &n);
		}
	}
	/* Close peers that are no longer wanted (or moved). */
	for (struct peer *p = d->peers, *next; p != NULL; p = next) {
		int keep = 0;
		next = p->next;
		for (size_t i = 0; i < n; i++)
			if (strcmp(wants[i].id, p->id) == 0 &&
			    strcmp(wants[i].endpoint, p->endpoint) == 0) {
				keep = 1;
				wants[i].id[0] = '\0'; /* have it */
			}
		if (!keep)
			daemon_peer_close(p);
	}
	for (size_t i = 0; i < n; i++) {
		struct peer *p;
		if (wants[i].id[0] == '\0')
			continue;
		if (daemon_peer_open(d, wants[i].id, wants[i].endpoint, &p) !=
		    LS_OK)
			rc = LS_ENET;
	}
	ls_free(wants);
	return rc;
}

void daemon_peers_close_all(struct daemon *d)
{
	while (d->peers != NULL)
		daemon_peer_close(d->peers);
}
